/* bench_followup.c — times sl_followup_compute (src/pooling/followup.c) on a
 * store such as the demo city: the whole year for all receiving units as the
 * city sees it, the same for one supplier, one unit alone, and the city
 * table of 12 weeks.  Sets a city-wide default baseline (the first 8 weeks
 * of the data) when the store has none, so that statuses are computed.
 * Usage: bench_followup DB [RUNS]; prints medians and min–max in seconds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static int run_case(sl_store *st, const char *name, const sl_followup_query *q, int runs)
{
	double t[64];
	sl_followup_result *r = NULL;
	if (runs > 64)
		runs = 64;
	for (int i = 0; i < runs; i++) {
		sl_error e;
		sl_followup_result_free(r);
		r = NULL;
		double t0 = now_s();
		if (sl_followup_compute(st, q, &r, &e)) {
			fprintf(stderr, "%s: %s\n", name, e.message);
			return 1;
		}
		t[i] = now_s() - t0;
	}
	qsort(t, (size_t)runs, sizeof t[0], cmp_d);
	printf("%-34s units %4zu weeks %3zu  on_track %3zu not_yet %3zu no_baseline %3zu pooled %6lld  "
	       "median %.3f s  min %.3f  max %.3f\n",
	       name, r->n_units, r->n_weeks, r->n_on_track, r->n_not_yet, r->n_no_baseline,
	       (long long)(r->has_total ? r->total.pooled : 0), t[runs / 2], t[0], t[runs - 1]);
	sl_followup_result_free(r);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_followup DB [RUNS]\n");
		return 2;
	}
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	if (runs < 1)
		runs = 1;
	sl_store *st;
	sl_error e;
	if (sl_store_open(argv[1], &st, &e) || sl_store_migrate(st, &e)) {
		fprintf(stderr, "%s: %s\n", argv[1], e.message);
		return 3;
	}
	int64_t lo = 0, hi = 0, nb = 0;
	if (sl_store_query_int64(st, "SELECT MIN(local_day) FROM deliveries WHERE status = 'delivered'", &lo, &e) ||
	    sl_store_query_int64(st, "SELECT MAX(local_day) FROM deliveries WHERE status = 'delivered'", &hi, &e) ||
	    sl_store_query_int64(st, "SELECT COUNT(*) FROM followup_baselines WHERE site_id IS NULL", &nb, &e)) {
		fprintf(stderr, "%s\n", e.message);
		return 3;
	}
	if (!nb) {
		sl_followup_actor a = {.role = "cli", .via = "bench"};
		if (sl_followup_baseline_set(st, NULL, lo, lo + 55, "bench: first 8 weeks", &a, NULL, &e)) {
			fprintf(stderr, "%s\n", e.message);
			return 3;
		}
	}
	char unit[64] = "", supplier[64] = "";
	sl_stmt *s;
	if (!sl_store_prepare(st,
	                      "SELECT s.ext_id FROM sites s JOIN organisations o ON o.id = s.org_id "
	                      "WHERE o.kind = 'unit' ORDER BY s.ext_id LIMIT 1",
	                      &s, NULL)) {
		if (sl_stmt_step(s, NULL) == 1)
			snprintf(unit, sizeof unit, "%s", sl_stmt_text(s, 0));
		sl_stmt_free(s);
	}
	int64_t sup_id = 0;
	sl_store_query_int64(st, "SELECT MIN(id) FROM organisations WHERE kind = 'supplier'", &sup_id, NULL);
	(void)supplier;
	sl_followup_query q;
	sl_followup_query_init(&q);
	int rc = run_case(st, "city, all units, whole data range", &q, runs);
	q.viewer = (sl_pooling_viewer){SL_VIEWER_SUPPLIER, sup_id};
	rc |= run_case(st, "one supplier, whole data range", &q, runs);
	sl_followup_query_init(&q);
	q.unit = unit;
	rc |= run_case(st, "one unit, whole data range", &q, runs);
	sl_followup_query_init(&q);
	q.from_day = hi - 83;
	q.to_day = hi;
	rc |= run_case(st, "city, all units, last 12 weeks", &q, runs);
	sl_store_close(st);
	return rc;
}
