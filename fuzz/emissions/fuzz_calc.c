/* fuzz_calc.c — libFuzzer target for the emissions calculator's input:
 * arbitrary bytes through the JSON reader, the exact decimal parser, factor
 * lookup, calculation, allocation and output (sl_emissions_calc_json).  The
 * se-seed factor set is loaded once from the data directory.  Any result is
 * fine except a crash, a sanitizer report or an error without a message.
 * Seeds: fuzz/emissions/corpus (the worked examples and the bad inputs). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "samlast/emissions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static sl_emissions_set *set;
	sl_buf out = {0};
	sl_error e;
	int rc;
	if (!set) {
		sl_error le;
		if (sl_emissions_set_load(NULL, &set, &le) != 0)
			abort(); /* run from the source tree or set SAMLAST_DATA */
	}
	sl_error_clear(&e);
	rc = sl_emissions_calc_json(set, (const char *)data, size, "fuzz.json", &out, &e);
	if (rc != 0 && e.message[0] == 0)
		abort();
	if (rc == 0 && (out.len == 0 || out.data[0] != '{'))
		abort();
	sl_buf_free(&out);
	return 0;
}
