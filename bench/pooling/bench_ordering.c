/* bench_ordering.c — benchmark of the smarter-ordering proposal (issue 7,
 * item 7: all units of the demo year in under 5 minutes).
 *
 *   bench_ordering DB [runs]
 *
 * Times sl_ordering_compute over the default period (the last 12 whole
 * weeks) and over the whole of 2025, joint and unit by unit, plus the XLSX
 * export; prints the median of `runs` (default 5) wall-clock runs and the
 * proposal's effect, so one command gives the numbers for
 * bench/RESULTS-pooling.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "samlast/pooling.h"
#include "samlast/store.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int one(sl_store *st, const sl_ordering_config *cfg, const char *label, int64_t from,
               int64_t to, int joint, int runs)
{
	double t[64];
	sl_ordering_result *r = NULL;
	for (int i = 0; i < runs; i++) {
		sl_ordering_query q;
		sl_ordering_query_init(&q);
		q.config = cfg;
		q.from_day = from;
		q.to_day = to;
		q.joint = joint;
		sl_error e;
		sl_ordering_result_free(r);
		r = NULL;
		double t0 = now_s();
		if (sl_ordering_compute(st, &q, &r, &e) < 0) {
			fprintf(stderr, "bench_ordering: %s\n", e.message);
			return -1;
		}
		t[i] = now_s() - t0;
	}
	qsort(t, (size_t)runs, sizeof t[0], cmp_d);
	const sl_ordering_total *c = &r->city;
	printf("%-28s %-6s median %7.3f s (min %.3f, max %.3f)  groups %zu  units %zu  "
	       "deliveries/week %.1f -> %.1f (%+.1f %%)  km %.0f -> %.0f (%+.1f %%)  "
	       "template km %.0f -> %.0f\n",
	       label, joint ? "joint" : "alone", t[runs / 2], t[0], t[runs - 1], r->n_groups,
	       r->n_units, c->per_week_before, c->per_week_after,
	       100 * (c->per_week_after - c->per_week_before) / c->per_week_before, c->km_before,
	       c->km_after, 100 * (c->km_after - c->km_before) / c->km_before,
	       r->template_km_unit_by_unit, r->template_km_joint);
	if (joint && from == SL_ORDERING_NO_DAY) {
		char path[64];
		snprintf(path, sizeof path, "/tmp/bench_ordering_%d.xlsx", (int)getpid());
		double t0 = now_s();
		sl_error e;
		int rc = sl_ordering_write_xlsx(r, path, &e);
		printf("%-28s        xlsx export %.3f s%s\n", label, now_s() - t0,
		       rc ? " FAILED" : "");
		unlink(path);
	}
	sl_ordering_result_free(r);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_ordering DB [runs]\n");
		return 2;
	}
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	if (runs < 1 || runs > 64)
		runs = 5;
	sl_store *st = NULL;
	sl_ordering_config *cfg = NULL;
	sl_error e;
	if (sl_store_open_readonly(argv[1], &st, &e) < 0 ||
	    sl_ordering_config_load(NULL, &cfg, &e) < 0) {
		fprintf(stderr, "bench_ordering: %s\n", e.message);
		return 3;
	}
	int64_t y0 = sl_days_from_civil(2025, 1, 1), y1 = sl_days_from_civil(2025, 12, 31);
	int rc = 0;
	rc |= one(st, cfg, "last 12 weeks", SL_ORDERING_NO_DAY, SL_ORDERING_NO_DAY, 1, runs);
	rc |= one(st, cfg, "last 12 weeks", SL_ORDERING_NO_DAY, SL_ORDERING_NO_DAY, 0, runs);
	rc |= one(st, cfg, "year 2025", y0, y1, 1, runs);
	rc |= one(st, cfg, "year 2025", y0, y1, 0, runs);
	sl_ordering_config_free(cfg);
	sl_store_close(st);
	return rc ? 1 : 0;
}
