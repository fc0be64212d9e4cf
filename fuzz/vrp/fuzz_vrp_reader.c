/* fuzz_vrp_reader.c — libFuzzer target for one of the vrp module's readers
 * (FUZZ_FORMAT, set by fuzz/vrp/meson.build: Solomon, VRPLIB or VROOM JSON): any
 * input must be accepted or refused with an error, never crash or leak; an
 * accepted problem must pass validation. */
#include "samlast/vrp.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sl_vrp_problem *p = NULL;
	sl_error err = {0};
	if (sl_vrp_read_mem((const char *)data, size, "fuzz", FUZZ_FORMAT, &p, &err) == 0) {
		if (p->n_tasks <= 12 && p->n_vehicles <= 4 && sl_vrp_problem_validate(p, &err) == 0) {
			sl_vrp_options o;
			sl_vrp_options_default(&o);
			o.time_limit_s = 0;
			o.iterations = 5;
			sl_vrp_solution *s = NULL;
			if (sl_vrp_solve(p, &o, &s, &err) == 0) {
				sl_vrp_check_result r;
				sl_vrp_check_routes(p, s->routes, s->n_routes, -1, &r);
				sl_vrp_solution_free(s);
			}
		}
		sl_vrp_problem_free(p);
	}
	return 0;
}
