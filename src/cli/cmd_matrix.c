/* cmd_matrix.c — `samlast matrix --graph FILE --points FILE.csv`: durations
 * and distances between every pair of points (the bucket method in the
 * route module), as CSV (one row per pair) or JSON (two square arrays).
 *
 * The points file is CSV with ',' or ';' (then a decimal comma is allowed),
 * an optional UTF-8 BOM and an optional header naming lon/lat columns
 * (lon, lng, longitude, x / lat, latitude, y) and an id column; without a
 * header the first two columns are lon and lat. */
#include "commands.h"
#include "samlast/route.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out, "usage: samlast matrix --graph FILE --points FILE.csv [--format csv|json]\n"
	             "                      [--radius M]\n\n"
	             "All-pairs durations (s) and distances (m); -1 (CSV) or null (JSON) where no\n"
	             "route exists.\n");
}

typedef struct pt {
	double lon, lat;
	char id[64];
} pt;

static int split(char *line, char sep, char **f, int max)
{
	int n = 0;
	char *s = line;
	while (n < max) {
		char *e = strchr(s, sep);
		if (e)
			*e = 0;
		while (*s == ' ' || *s == '"')
			s++;
		char *t = s + strlen(s);
		while (t > s && (t[-1] == ' ' || t[-1] == '"' || t[-1] == '\r'))
			*--t = 0;
		f[n++] = s;
		if (!e)
			break;
		s = e + 1;
	}
	return n;
}

static int num(const char *s, int comma, double *v)
{
	char tmp[64];
	size_t n = strlen(s);
	if (n == 0 || n >= sizeof tmp)
		return -1;
	for (size_t i = 0; i <= n; i++)
		tmp[i] = comma && s[i] == ',' ? '.' : s[i];
	char *e;
	*v = strtod(tmp, &e);
	return *e ? -1 : 0;
}

static int lower_in(const char *s, const char *const *names)
{
	char b[32];
	size_t i = 0;
	for (; s[i] && i < sizeof b - 1; i++)
		b[i] = (char)tolower((unsigned char)s[i]);
	b[i] = 0;
	for (; *names; names++)
		if (strcmp(b, *names) == 0)
			return 1;
	return 0;
}

static int read_points(const char *path, pt **out, size_t *n_out, sl_error *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return sl_error_set(err, SL_EIO, "%s: cannot open", path);
	static const char *const lons[] = {"lon", "lng", "longitude", "x", NULL};
	static const char *const lats[] = {"lat", "latitude", "y", NULL};
	static const char *const ids[] = {"id", "name", "site", "site_id", NULL};
	char line[4096];
	long lineno = 0;
	int ilon = 0, ilat = 1, iid = -1, header_done = 0;
	char sep = ',';
	pt *p = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *s = line;
		if (lineno == 1 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
			s += 3;
		s[strcspn(s, "\r\n")] = 0;
		if (!*s)
			continue;
		if (!header_done)
			sep = strchr(s, ';') ? ';' : ',';
		char *fld[32];
		int nf = split(s, sep, fld, 32);
		if (!header_done) {
			header_done = 1;
			double v;
			if (num(fld[0], sep == ';', &v) < 0) {
				ilon = ilat = -1;
				for (int i = 0; i < nf; i++) {
					if (lower_in(fld[i], lons))
						ilon = i;
					else if (lower_in(fld[i], lats))
						ilat = i;
					else if (lower_in(fld[i], ids))
						iid = i;
				}
				if (ilon < 0 || ilat < 0) {
					rc = sl_error_at(err, SL_EINVAL, path, lineno, 1,
					                 "header needs lon and lat columns");
					break;
				}
				continue;
			}
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			pt *np = realloc(p, cap * sizeof *np);
			if (!np) {
				rc = sl_error_set(err, SL_ENOMEM, "out of memory");
				break;
			}
			p = np;
		}
		pt *q = &p[n];
		if (ilon >= nf || ilat >= nf || num(fld[ilon], sep == ';', &q->lon) < 0 ||
		    num(fld[ilat], sep == ';', &q->lat) < 0) {
			rc = sl_error_at(err, SL_EINVAL, path, lineno, 1,
			                 "expected lon and lat numbers");
			break;
		}
		if (iid >= 0 && iid < nf)
			snprintf(q->id, sizeof q->id, "%s", fld[iid]);
		else
			snprintf(q->id, sizeof q->id, "%zu", n + 1);
		n++;
	}
	fclose(f);
	if (rc == 0 && n == 0)
		rc = sl_error_at(err, SL_EINVAL, path, 0, 0, "no points");
	if (rc) {
		free(p);
		return rc;
	}
	*out = p;
	*n_out = n;
	return 0;
}

static void put_num(FILE *o, double v)
{
	if (v < 0)
		fputs("null", o);
	else
		fprintf(o, "%.1f", v);
}

int cmd_matrix(int argc, char **argv)
{
	const char *graph = NULL, *points = NULL, *format = "csv";
	double radius = 0;
	static const struct option opts[] = {
	    {"graph", required_argument, NULL, 'g'},  {"points", required_argument, NULL, 'p'},
	    {"format", required_argument, NULL, 'f'}, {"radius", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "g:p:f:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'g': graph = optarg; break;
		case 'p': points = optarg; break;
		case 'f': format = optarg; break;
		case 'r': radius = atof(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE_;
		}
	}
	if (!graph || !points || optind != argc ||
	    (strcmp(format, "csv") && strcmp(format, "json"))) {
		usage(stderr);
		return EX_USAGE_;
	}
	sl_error err;
	sl_error_clear(&err);
	pt *p = NULL;
	size_t n = 0;
	sl_graph *g = NULL;
	sl_route_ctx *ctx = NULL;
	sl_route_snap *snaps = NULL;
	double *dur = NULL, *dist = NULL;
	int rc = read_points(points, &p, &n, &err);
	if (rc == 0)
		rc = sl_route_graph_open(graph, &g, &err);
	if (rc)
		goto done;
	ctx = sl_route_ctx_new(g);
	snaps = calloc(n, sizeof *snaps);
	dur = malloc(n * n * sizeof *dur);
	dist = malloc(n * n * sizeof *dist);
	if (!ctx || !snaps || !dur || !dist) {
		rc = sl_error_set(&err, SL_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n && rc == 0; i++)
		if ((rc = sl_route_nearest(g, p[i].lon, p[i].lat, radius, &snaps[i], &err)) != 0) {
			char why[sizeof err.message];
			snprintf(why, sizeof why, "%s", err.message);
			sl_error_at(&err, rc, points, 0, 0, "point %s: %s", p[i].id, why);
		}
	if (rc == 0)
		rc = sl_route_matrix(ctx, snaps, n, snaps, n, dur, dist, &err);
	if (rc)
		goto done;
	if (strcmp(format, "csv") == 0) {
		printf("from,to,duration_s,distance_m\n");
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++)
				printf("%s,%s,%.1f,%.1f\n", p[i].id, p[j].id, dur[i * n + j],
				       dist[i * n + j]);
	} else {
		double *arr[2] = {dur, dist};
		const char *names[2] = {"durations", "distances"};
		printf("{");
		for (int k = 0; k < 2; k++) {
			printf("%s\"%s\":[", k ? "," : "", names[k]);
			for (size_t i = 0; i < n; i++) {
				printf("%s[", i ? "," : "");
				for (size_t j = 0; j < n; j++) {
					if (j)
						putchar(',');
					put_num(stdout, arr[k][i * n + j]);
				}
				printf("]");
			}
			printf("]");
		}
		printf("}\n");
	}
done:
	if (rc)
		cli_print_error(&err);
	free(p);
	free(snaps);
	free(dur);
	free(dist);
	sl_route_ctx_free(ctx);
	sl_route_graph_close(g);
	return cli_exit_code(rc);
}
