/* bench_opportunities.c — benchmark of the pooling opportunities (issue 7,
 * item 7: all opportunities of a week of the demo city with routed savings
 * in under 60 s).
 *
 *   bench_opportunities DB [runs] [first-day] [iterations]
 *
 * Times sl_pooling_opportunities_compute for the 7 days from first-day
 * (default 2025-03-10, a Monday), as the city, and prints the median and
 * the range of `runs` (default 3) wall-clock runs and of their CPU time
 * (the machine is shared, so wall time depends on the load), per-day times of the
 * first run and the week's totals (priced alone and in the joint plan), so
 * one command gives the numbers for bench/RESULTS-pooling.md.  A graph can
 * be given with SL_BENCH_GRAPH. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "samlast/pooling.h"
#include "samlast/route.h"
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

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_opportunities DB [runs] [first-day] [iterations]\n");
		return 2;
	}
	int runs = argc > 2 ? atoi(argv[2]) : 3;
	if (runs < 1 || runs > 50)
		runs = 3;
	int64_t day0;
	sl_error e;
	if (sl_date_parse(argc > 3 ? argv[3] : "2025-03-10", &day0, &e) < 0) {
		fprintf(stderr, "bench_opportunities: %s\n", e.message);
		return 2;
	}
	long iters = argc > 4 ? atol(argv[4]) : 0;
	sl_store *st = NULL;
	if (sl_store_open_readonly(argv[1], &st, &e) < 0) {
		fprintf(stderr, "bench_opportunities: %s\n", e.message);
		return 3;
	}
	sl_graph *g = NULL;
	const char *gp = getenv("SL_BENCH_GRAPH");
	if (gp && sl_route_graph_open(gp, &g, &e) < 0) {
		fprintf(stderr, "bench_opportunities: %s\n", e.message);
		return 3;
	}
	double t[50], cpu[50];
	sl_pooling_opportunities *r = NULL;
	for (int i = 0; i < runs; i++) {
		sl_opp_query q;
		sl_opp_query_init(&q);
		q.day = day0;
		q.days = 7;
		q.graph = g;
		if (iters > 0)
			q.iterations = iters;
		sl_pooling_opportunities_free(r);
		r = NULL;
		double t0 = now_s();
		clock_t c0 = clock();
		if (sl_pooling_opportunities_compute(st, &q, &r, &e) < 0) {
			fprintf(stderr, "bench_opportunities: %s\n", e.message);
			return 1;
		}
		t[i] = now_s() - t0;
		cpu[i] = (double)(clock() - c0) / CLOCKS_PER_SEC;
		if (i == 0) {
			setvbuf(stdout, NULL, _IOLBF, 0);
			/* per day, once */
			for (int d = 0; d < 7; d++) {
				sl_pooling_opportunities *x = NULL;
				q.day = day0 + d;
				q.days = 1;
				double t1 = now_s();
				if (sl_pooling_opportunities_compute(st, &q, &x, &e) < 0) {
					fprintf(stderr, "bench_opportunities: %s\n", e.message);
					return 1;
				}
				char ds[16];
				printf("day %s: %6.2f s, %3lld candidates, %3zu opportunities, "
				       "%7.1f km saved "
				       "(joint plan: %3lld, %7.1f km)\n",
				       sl_date_format(day0 + d, ds, sizeof ds), now_s() - t1,
				       (long long)x->candidates, x->n, x->km_saved,
				       (long long)x->joint_opportunities, x->joint_km_saved);
				sl_pooling_opportunities_free(x);
			}
		}
	}
	double sorted[50];
	memcpy(sorted, t, (size_t)runs * sizeof *t);
	qsort(sorted, (size_t)runs, sizeof *sorted, cmp_d);
	char ds[16];
	printf("week from %s (%s), %d runs: median %.2f s wall (min %.2f, max %.2f)\n",
	       sl_date_format(day0, ds, sizeof ds), r->distance_basis, runs, sorted[runs / 2],
	       sorted[0], sorted[runs - 1]);
	memcpy(sorted, cpu, (size_t)runs * sizeof *cpu);
	qsort(sorted, (size_t)runs, sizeof *sorted, cmp_d);
	printf("CPU time of one week: median %.2f s (min %.2f, max %.2f)\n", sorted[runs / 2],
	       sorted[0], sorted[runs - 1]);
	printf("week: %lld candidate groups, %zu opportunities, %lld site visits removed, %.1f "
	       "vehicle-km and %.1f kg CO2e saved\n",
	       (long long)r->candidates, r->n, (long long)r->visits_removed, r->km_saved,
	       r->co2e_saved_g / 1000.0);
	printf("joint plan: %lld opportunities, %lld site visits removed, %.1f vehicle-km and %.1f "
	       "kg CO2e saved\n",
	       (long long)r->joint_opportunities, (long long)r->joint_visits_removed,
	       r->joint_km_saved, r->joint_co2e_saved_g / 1000.0);
	size_t handover = 0;
	for (size_t i = 0; i < r->n; i++)
		handover += !strcmp(r->items[i].model, "handover");
	printf("plans: %zu handover, %zu shared trip\n", handover, r->n - handover);
	sl_pooling_opportunities_free(r);
	sl_route_graph_close(g);
	sl_store_close(st);
	return 0;
}
