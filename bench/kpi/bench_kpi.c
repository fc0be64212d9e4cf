/* bench_kpi.c — time every KPI over a database (the demo city's year).
 *
 * For each KPI: sl_kpi_compute with only that KPI (so the time is that of the
 * SQL families it needs, plus the receiving-unit count every result carries),
 * over the whole data range, ungrouped; then all KPIs at once, ungrouped and
 * grouped by week and by unit.  Each case runs `runs` times after one warm-up;
 * the median and the minimum are printed as a Markdown table.
 * usage: bench_kpi DB [runs] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "samlast/kpi.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int bench(sl_store *st, const char *label, const char *only, sl_kpi_group by, int runs)
{
	double t[64];
	sl_kpi_query q;
	sl_kpi_query_init(&q);
	q.only = only;
	q.by = by;
	for (int i = -1; i < runs; i++) {
		sl_kpi_result *r;
		sl_error e;
		double t0 = now_ms();
		if (sl_kpi_compute(st, &q, &r, &e)) {
			fprintf(stderr, "bench_kpi: %s: %s\n", label, e.message);
			return 1;
		}
		double dt = now_ms() - t0;
		sl_kpi_result_free(r);
		if (i >= 0)
			t[i] = dt;
	}
	qsort(t, (size_t)runs, sizeof t[0], cmp_d);
	printf("| %-32s | %8.1f | %8.1f |\n", label, t[runs / 2], t[0]);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_kpi DB [runs]\n");
		return 2;
	}
	int runs = argc > 2 ? atoi(argv[2]) : 7;
	if (runs < 1 || runs > 64)
		runs = 7;
	sl_store *st;
	sl_error e;
	if (sl_store_open_readonly(argv[1], &st, &e)) {
		fprintf(stderr, "bench_kpi: %s\n", e.message);
		return 3;
	}
	int64_t n = 0;
	sl_store_query_int64(st, "SELECT COUNT(*) FROM deliveries", &n, NULL);
	printf("%lld delivery rows, %d runs per case\n\n", (long long)n, runs);
	printf("| %-32s | %8s | %8s |\n|---|---:|---:|\n", "KPI (ungrouped, whole year)",
	       "median ms", "min ms");
	size_t nk;
	const sl_kpi_def *d = sl_kpi_defs(&nk);
	int rc = 0;
	for (size_t i = 0; i < nk && !rc; i++)
		rc = bench(st, d[i].id, d[i].id, SL_KPI_BY_NONE, runs);
	if (!rc)
		rc = bench(st, "ALL KPIs, ungrouped", NULL, SL_KPI_BY_NONE, runs);
	if (!rc)
		rc = bench(st, "ALL KPIs, by week", NULL, SL_KPI_BY_WEEK, runs);
	if (!rc)
		rc = bench(st, "ALL KPIs, by unit", NULL, SL_KPI_BY_UNIT, runs);
	sl_store_close(st);
	return rc;
}
