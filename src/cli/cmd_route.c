/* cmd_route.c — `samlast route --graph FILE LON,LAT LON,LAT [...]`: snap the
 * points, route leg by leg on the contracted graph, print JSON with the
 * duration, distance and geometry (GeoJSON LineString or polyline6). */
#include "commands.h"
#include "samlast/route.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: samlast route --graph FILE [--geometry geojson|polyline6|none]\n"
	    "                     [--radius M] LON,LAT LON,LAT [LON,LAT...]\n"
	    "       samlast route --graph FILE --osrm '/route/v1/driving/LON,LAT;LON,LAT?...'\n\n"
	    "Route through the points in order on a graph from 'samlast graph build'.\n"
	    "Prints JSON: duration_s, distance_m, legs and the geometry.  With --osrm,\n"
	    "answer one OSRM v5 request (route, table, nearest) as 'samlast serve' would.\n");
}

int cli_parse_lonlat(const char *s, double *lon, double *lat);
int cli_parse_lonlat(const char *s, double *lon, double *lat)
{
	char *e;
	*lon = strtod(s, &e);
	if (e == s || *e != ',')
		return -1;
	const char *t = e + 1;
	*lat = strtod(t, &e);
	if (e == t || *e)
		return -1;
	return 0;
}

int cmd_route(int argc, char **argv)
{
	const char *graph = NULL, *geom = "geojson", *osrm = NULL;
	double radius = 0;
	static const struct option opts[] = {
	    {"graph", required_argument, NULL, 'g'},  {"geometry", required_argument, NULL, 'G'},
	    {"radius", required_argument, NULL, 'r'}, {"osrm", required_argument, NULL, 'O'},
	    {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "g:G:r:O:h", opts, NULL)) != -1) {
		switch (c) {
		case 'g': graph = optarg; break;
		case 'G': geom = optarg; break;
		case 'r': radius = atof(optarg); break;
		case 'O': osrm = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE_;
		}
	}
	int np = argc - optind;
	if (graph && osrm && np == 0) {
		sl_error e;
		sl_error_clear(&e);
		sl_graph *og = NULL;
		int orc = sl_route_graph_open(graph, &og, &e);
		int status = 0;
		char *body = NULL;
		if (orc == 0)
			orc = sl_route_osrm_handle(og, NULL, osrm, &status, &body, &e);
		if (orc) {
			cli_print_error(&e);
			sl_route_graph_close(og);
			return cli_exit_code(orc);
		}
		printf("%s\n", body);
		free(body);
		sl_route_graph_close(og);
		return status == 200 ? 0 : EX_INVALID;
	}
	if (!graph || np < 2 ||
	    (strcmp(geom, "geojson") && strcmp(geom, "polyline6") && strcmp(geom, "none"))) {
		usage(stderr);
		return EX_USAGE_;
	}
	sl_error err;
	sl_error_clear(&err);
	sl_graph *g;
	int rc = sl_route_graph_open(graph, &g, &err);
	if (rc) {
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	sl_route_ctx *ctx = sl_route_ctx_new(g);
	sl_route_snap *snaps = calloc((size_t)np, sizeof *snaps);
	sl_buf out = {0}, coords = {0};
	if (!ctx || !snaps) {
		rc = sl_error_set(&err, SL_ENOMEM, "out of memory");
		goto done;
	}
	for (int i = 0; i < np; i++) {
		double lon, lat;
		if (cli_parse_lonlat(argv[optind + i], &lon, &lat) < 0) {
			rc = sl_error_at(&err, SL_EINVAL, "argument", i + 1, 1,
			                 "expected LON,LAT, got '%s'", argv[optind + i]);
			goto done;
		}
		rc = sl_route_nearest(g, lon, lat, radius, &snaps[i], &err);
		if (rc)
			goto done;
	}
	double tdur = 0, tdist = 0;
	sl_buf legs = {0};
	for (int i = 0; i + 1 < np && rc == 0; i++) {
		sl_route_result r;
		rc = sl_route_query(ctx, &snaps[i], &snaps[i + 1], SL_ROUTE_GEOMETRY, &r, &err);
		if (rc)
			break;
		tdur += r.duration_s;
		tdist += r.distance_m;
		sl_buf_printf(&legs, "%s{\"duration_s\":%.1f,\"distance_m\":%.1f}", i ? "," : "",
		              r.duration_s, r.distance_m);
		size_t skip = coords.len ? 1 : 0; /* legs share their end points */
		sl_buf_append(&coords, r.coords + 2 * skip,
		              (r.n_coords - skip) * 2 * sizeof(double));
		sl_route_result_free(&r);
	}
	if (rc == 0) {
		const double *pts = (const double *)(void *)coords.data;
		size_t n = coords.len / (2 * sizeof(double));
		sl_buf_printf(&out, "{\"duration_s\":%.1f,\"distance_m\":%.1f,\"waypoints\":[",
		              tdur, tdist);
		for (int i = 0; i < np; i++)
			sl_buf_printf(&out, "%s{\"location\":[%.7f,%.7f],\"snap_distance_m\":%.1f}",
			              i ? "," : "", snaps[i].lon, snaps[i].lat,
			              snaps[i].distance_m);
		sl_buf_printf(&out, "],\"legs\":[%s]", legs.data ? legs.data : "");
		if (strcmp(geom, "geojson") == 0) {
			sl_buf_puts(&out,
			            ",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[");
			for (size_t i = 0; i < n; i++)
				sl_buf_printf(&out, "%s[%.7f,%.7f]", i ? "," : "", pts[2 * i],
				              pts[2 * i + 1]);
			sl_buf_puts(&out, "]}");
		} else if (strcmp(geom, "polyline6") == 0) {
			sl_buf pl = {0};
			sl_route_polyline_encode(pts, n, 6, &pl);
			sl_buf_puts(&out, ",\"geometry\":");
			sl_buf_json_string(&out, pl.data ? pl.data : "");
			sl_buf_free(&pl);
		}
		sl_buf_puts(&out, "}\n");
		fputs(out.data, stdout);
	}
	sl_buf_free(&legs);
done:
	if (rc)
		cli_print_error(&err);
	sl_buf_free(&out);
	sl_buf_free(&coords);
	free(snaps);
	sl_route_ctx_free(ctx);
	sl_route_graph_close(g);
	return cli_exit_code(rc);
}
