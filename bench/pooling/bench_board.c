/* bench_board.c — times the groupage board (sl_board_compute +
 * sl_board_write_json, src/pooling/board.c) for every day of a store such as
 * the demo city's year, as the city sees it and as one supplier sees it
 * (the supplier's view also reads its open grants and computes the
 * aggregates).  The target: the board for any day in under 200 ms.
 * Usage: bench_board DB [SUPPLIER]; prints median, 95th percentile and the
 * slowest day per view, in milliseconds. */
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

static int run_view(sl_store *st, const char *name, const sl_pooling_viewer *v, int64_t d0,
                    int64_t d1)
{
	size_t n = (size_t)(d1 - d0 + 1);
	double *t = malloc(n * sizeof *t);
	if (!t)
		return 1;
	double worst = 0;
	int64_t worst_day = d0;
	long rows = 0, cands = 0;
	for (int64_t d = d0; d <= d1; d++) {
		sl_board_query q;
		sl_board_query_init(&q);
		q.day = d;
		q.viewer = *v;
		sl_error e;
		sl_board *b = NULL;
		sl_buf o = {0};
		double a = now_s();
		if (sl_board_compute(st, &q, &b, &e) || sl_board_write_json(b, &o)) {
			fprintf(stderr, "%s: %s\n", name, e.message);
			free(t);
			return 1;
		}
		double el = (now_s() - a) * 1000;
		rows += (long)b->n_rows;
		cands += b->candidates;
		sl_board_free(b);
		sl_buf_free(&o);
		t[d - d0] = el;
		if (el > worst) {
			worst = el;
			worst_day = d;
		}
	}
	qsort(t, n, sizeof *t, cmp_d);
	char day[16];
	printf("%-10s %4zu days  median %6.2f ms  p95 %6.2f ms  max %6.2f ms (%s)  rows %ld  candidate sites %ld\n",
	       name, n, t[n / 2], t[(n * 95) / 100], worst, sl_date_format(worst_day, day, sizeof day), rows,
	       cands);
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_board DB [SUPPLIER]\n");
		return 2;
	}
	sl_store *st;
	sl_error e;
	if (sl_store_open(argv[1], &st, &e) || sl_store_migrate(st, &e)) {
		fprintf(stderr, "%s: %s\n", argv[1], e.message);
		return 1;
	}
	int64_t d0 = 0, d1 = -1;
	if (sl_store_query_int64(st, "SELECT MIN(local_day) FROM deliveries", &d0, &e) ||
	    sl_store_query_int64(st, "SELECT MAX(local_day) FROM deliveries", &d1, &e) || d1 < d0) {
		fprintf(stderr, "no deliveries\n");
		return 1;
	}
	sl_pooling_viewer city = {SL_VIEWER_CITY, 0}, sup;
	const char *sup_ext = argc > 2 ? argv[2] : "SUP-03";
	int rc = run_view(st, "city", &city, d0, d1);
	if (!rc && !sl_board_viewer_for(st, sup_ext, &sup, &e))
		rc = run_view(st, sup_ext, &sup, d0, d1);
	sl_store_close(st);
	return rc;
}
