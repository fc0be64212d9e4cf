/* bench_route.c — route benchmarks: single CH query latency (median, p99
 * over random snapped pairs), many-to-many matrices and graph loading.
 *
 *   bench_route FILE.graph [PAIRS=10000] [SEED=1]
 *
 * Points are uniform in the graph's bounding box, snapped within 500 m
 * (rejected otherwise), so all pairs are routable in the kept component.
 * Preprocessing time and peak memory are measured on `samlast graph build`
 * with /usr/bin/time -v (bench/RESULTS-route.md). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "samlast/route.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void snaps(sl_graph *g, sl_rng *r, sl_route_snap *s, size_t n)
{
	sl_route_graph_info in;
	sl_route_graph_get_info(g, &in);
	for (size_t i = 0; i < n;) {
		double lon = in.min_lon + sl_rng_double(r) * (in.max_lon - in.min_lon);
		double lat = in.min_lat + sl_rng_double(r) * (in.max_lat - in.min_lat);
		if (sl_route_nearest(g, lon, lat, 500, &s[i], NULL) == 0)
			i++;
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_route FILE.graph [PAIRS] [SEED]\n");
		return 2;
	}
	size_t pairs = argc > 2 ? (size_t)atol(argv[2]) : 10000;
	sl_rng rng;
	sl_rng_seed(&rng, argc > 3 ? (uint64_t)atol(argv[3]) : 1);
	sl_error e;
	sl_graph *g;
	double t0 = now();
	if (sl_route_graph_open(argv[1], &g, &e)) {
		fprintf(stderr, "%s\n", e.message);
		return 1;
	}
	double t_open = now() - t0;
	sl_route_graph_info in;
	sl_route_graph_get_info(g, &in);
	printf(
	    "graph %s: profile %s, %llu nodes, %llu arcs, %llu shortcuts, %llu bytes, open+verify "
	    "%.1f ms\n",
	    argv[1], in.profile, (unsigned long long)in.nodes, (unsigned long long)in.arcs,
	    (unsigned long long)in.shortcuts, (unsigned long long)in.file_bytes, t_open * 1e3);
	sl_route_ctx *c = sl_route_ctx_new(g);
	sl_route_snap *s = malloc(2 * pairs * sizeof *s);
	double *lat = malloc(pairs * sizeof *lat);
	if (!c || !s || !lat)
		return 1;
	snaps(g, &rng, s, 2 * pairs);
	/* nearest */
	t0 = now();
	for (size_t i = 0; i < pairs; i++) {
		sl_route_snap x;
		sl_route_nearest(g, s[i].lon + 0.0003, s[i].lat, 500, &x, NULL);
	}
	printf("nearest: %.2f us mean over %zu\n", (now() - t0) / (double)pairs * 1e6, pairs);
	for (int geom = 0; geom < 2; geom++) {
		size_t fails = 0;
		for (size_t i = 0; i < pairs; i++) {
			sl_route_result r;
			double a = now();
			int rc = sl_route_query(c, &s[2 * i], &s[2 * i + 1],
			                        geom ? SL_ROUTE_GEOMETRY : 0, &r, NULL);
			lat[i] = now() - a;
			fails += rc != 0;
			sl_route_result_free(&r);
		}
		qsort(lat, pairs, sizeof *lat, cmp);
		printf("route%s: median %.1f us, p99 %.1f us, max %.1f us over %zu pairs (%zu no "
		       "route)\n",
		       geom ? " + unpacked geometry" : " (duration+distance)", lat[pairs / 2] * 1e6,
		       lat[pairs * 99 / 100] * 1e6, lat[pairs - 1] * 1e6, pairs, fails);
	}
	size_t sizes[] = {100, 1000};
	for (int k = 0; k < 2; k++) {
		size_t n = sizes[k];
		if (2 * pairs < n)
			break;
		double *d = malloc(n * n * sizeof *d), *l = malloc(n * n * sizeof *l);
		t0 = now();
		if (sl_route_matrix(c, s, n, s + n / 2, n, d, l, &e)) {
			fprintf(stderr, "%s\n", e.message);
			return 1;
		}
		printf("matrix %zux%zu: %.1f ms (durations and distances)\n", n, n,
		       (now() - t0) * 1e3);
		free(d);
		free(l);
	}
	free(s);
	free(lat);
	sl_route_ctx_free(c);
	sl_route_graph_close(g);
	return 0;
}
