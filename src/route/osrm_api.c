/* osrm_api.c — an OSRM v5-compatible request handler for the route, table
 * and nearest services, and the polyline encoder.
 *
 * The HTTP API of OSRM (Project-OSRM, "HTTP API" documentation, v5) is
 * the lingua franca of routing clients (VROOM's -r osrm, osrm.js, many
 * GIS plug-ins).  This file parses a request target
 *   /{service}/v1/{profile}/{lon,lat;lon,lat...}[.json]?{options}
 * checks it as OSRM does, runs the query on a loaded graph and writes the
 * response document with OSRM's field names and error codes.  It knows
 * nothing about HTTP itself: the server passes the target in and sends
 * back the status and body.  See docs/routing.md for the supported subset
 * and the differences. */
#include "internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int enc_value(sl_buf *out, long long v)
{
	unsigned long long u = v < 0 ? ~((unsigned long long)v << 1) : (unsigned long long)v << 1;
	while (u >= 0x20) {
		if (sl_buf_putc(out, (char)((0x20 | (u & 0x1f)) + 63)) < 0)
			return SL_ENOMEM;
		u >>= 5;
	}
	return sl_buf_putc(out, (char)(u + 63));
}

int sl_route_polyline_encode(const double *coords, size_t n, int precision, sl_buf *out)
{
	double f = precision == 6 ? 1e6 : 1e5;
	long long plat = 0, plon = 0;
	for (size_t i = 0; i < n; i++) {
		long long lat = llround(coords[2 * i + 1] * f), lon = llround(coords[2 * i] * f);
		if (enc_value(out, lat - plat) < 0 || enc_value(out, lon - plon) < 0)
			return SL_ENOMEM;
		plat = lat;
		plon = lon;
	}
	return 0;
}

/* ---- request parsing ------------------------------------------------------------- */

#define MAX_COORDS 10000

typedef struct req {
	char service[16];
	int n;
	double *lon, *lat, *radius;
	/* route */
	int geometries; /* 5, 6 or 0 = geojson */
	int overview;   /* 0 false, 1 full/simplified */
	int steps;
	int skip_waypoints;
	/* table */
	int *sources, *dests;
	int n_sources, n_dests; /* -1 = all */
	int want_dur, want_dist;
	/* nearest */
	int number;
} req;

typedef struct resp {
	int status;
	sl_buf body;
} resp;

static int fail(resp *r, const char *code, const char *msg)
{
	r->status = 400;
	sl_buf_reset(&r->body);
	sl_buf_puts(&r->body, "{\"code\":");
	sl_buf_json_string(&r->body, code);
	sl_buf_puts(&r->body, ",\"message\":");
	sl_buf_json_string(&r->body, msg);
	return sl_buf_puts(&r->body, "}");
}

/* Decode %XX escapes (and '+' in query values) in place; -1 on a bad one. */
static int pct_decode(char *s, int plus)
{
	char *w = s;
	for (char *p = s; *p; p++) {
		if (*p == '%') {
			if (!isxdigit((unsigned char)p[1]) || !isxdigit((unsigned char)p[2]))
				return -1;
			char hex[3] = {p[1], p[2], 0};
			int v = (int)strtol(hex, NULL, 16);
			if (v == 0)
				return -1;
			*w++ = (char)v;
			p += 2;
		} else
			*w++ = plus && *p == '+' ? ' ' : *p;
	}
	*w = 0;
	return 0;
}

static int parse_double_strict(const char *s, const char *end, double *v)
{
	char tmp[40];
	size_t n = (size_t)(end - s);
	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)tmp[i]) && tmp[i] != '.' && tmp[i] != '-' &&
		    tmp[i] != '+')
			return -1;
	char *e;
	*v = strtod(tmp, &e);
	return *e || !isfinite(*v) ? -1 : 0;
}

/* "lon,lat;lon,lat" → arrays.  Returns 0, SL_ENOMEM, or PC_SYNTAX, PC_RANGE,
 * PC_MANY. */
enum { PC_SYNTAX = 1, PC_RANGE, PC_MANY };
static int parse_coords(char *s, req *q)
{
	int n = 1;
	for (char *p = s; *p; p++)
		n += *p == ';';
	if (n > MAX_COORDS)
		return PC_MANY;
	q->lon = calloc((size_t)n, sizeof *q->lon);
	q->lat = calloc((size_t)n, sizeof *q->lat);
	q->radius = calloc((size_t)n, sizeof *q->radius);
	if (!q->lon || !q->lat || !q->radius)
		return SL_ENOMEM;
	int range = 0;
	char *p = s;
	for (int i = 0; i < n; i++) {
		char *semi = strchr(p, ';');
		char *end = semi ? semi : p + strlen(p);
		char *comma = memchr(p, ',', (size_t)(end - p));
		if (!comma || parse_double_strict(p, comma, &q->lon[i]) < 0 ||
		    parse_double_strict(comma + 1, end, &q->lat[i]) < 0)
			return PC_SYNTAX;
		if (fabs(q->lon[i]) > 180 || fabs(q->lat[i]) > 90)
			range = 1;
		p = end + (semi ? 1 : 0);
	}
	q->n = n;
	return range ? PC_RANGE : 0;
}

static int parse_bool(const char *v, int *out)
{
	if (strcmp(v, "true") == 0)
		*out = 1;
	else if (strcmp(v, "false") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

/* "all" or "0;3;5" indices < n. */
static int parse_indices(const char *v, int n, int **out, int *count)
{
	if (strcmp(v, "all") == 0) {
		*count = -1;
		return 0;
	}
	int k = 1;
	for (const char *p = v; *p; p++)
		k += *p == ';';
	int *a = malloc((size_t)k * sizeof *a);
	if (!a)
		return SL_ENOMEM;
	const char *p = v;
	for (int i = 0; i < k; i++) {
		char *e;
		if (!isdigit((unsigned char)*p)) {
			free(a);
			return -1;
		}
		long x = strtol(p, &e, 10);
		if ((*e && *e != ';') || x < 0 || x >= n) {
			free(a);
			return -1;
		}
		a[i] = (int)x;
		p = *e ? e + 1 : e;
	}
	*out = a;
	*count = k;
	return 0;
}

static int parse_radiuses(const char *v, req *q)
{
	const char *p = v;
	for (int i = 0; i < q->n; i++) {
		const char *e = strchr(p, ';');
		if (!e)
			e = p + strlen(p);
		if (e == p)
			q->radius[i] = 0; /* empty: default */
		else if ((size_t)(e - p) == 9 && strncmp(p, "unlimited", 9) == 0)
			q->radius[i] = SL_ROUTE_SNAP_MAX_M;
		else if (parse_double_strict(p, e, &q->radius[i]) < 0 || q->radius[i] < 0)
			return -1;
		if (!*e)
			return i == q->n - 1 ? 0 : -1;
		p = e + 1;
	}
	return -1;
}

/* Options.  Returns 0, or fills the error response and returns 1. */
static int parse_options(char *query, req *q, resp *r)
{
	if (!query || !*query)
		return 0;
	for (char *kv = query, *next; kv; kv = next) {
		next = strchr(kv, '&');
		if (next)
			*next++ = 0;
		if (!*kv)
			continue;
		char *eq = strchr(kv, '=');
		if (!eq)
			return fail(r, "InvalidUrl",
			            "Query string malformed: option without a value"),
			       1;
		*eq = 0;
		char *k = kv, *v = eq + 1;
		if (pct_decode(v, 1) < 0)
			return fail(r, "InvalidUrl", "Query string malformed: bad escape"), 1;
		int bad = 0, known = 1, b;
		int is_route = strcmp(q->service, "route") == 0;
		int is_table = strcmp(q->service, "table") == 0;
		if (strcmp(k, "radiuses") == 0)
			bad = parse_radiuses(v, q) < 0;
		else if (strcmp(k, "generate_hints") == 0 || strcmp(k, "skip_waypoints") == 0) {
			bad = parse_bool(v, &b) < 0;
			if (!bad && k[0] == 's')
				q->skip_waypoints = b;
		} else if (strcmp(k, "hints") == 0 || strcmp(k, "bearings") == 0 ||
		           strcmp(k, "approaches") == 0 || strcmp(k, "exclude") == 0 ||
		           strcmp(k, "snapping") == 0)
			; /* accepted and ignored (docs/routing.md) */
		else if (is_route && strcmp(k, "geometries") == 0) {
			if (strcmp(v, "polyline") == 0)
				q->geometries = 5;
			else if (strcmp(v, "polyline6") == 0)
				q->geometries = 6;
			else if (strcmp(v, "geojson") == 0)
				q->geometries = 0;
			else
				bad = 1;
		} else if (is_route && strcmp(k, "overview") == 0) {
			if (strcmp(v, "full") == 0 || strcmp(v, "simplified") == 0)
				q->overview = 1;
			else if (strcmp(v, "false") == 0)
				q->overview = 0;
			else
				bad = 1;
		} else if (is_route && strcmp(k, "steps") == 0)
			bad = parse_bool(v, &q->steps) < 0;
		else if (is_route &&
		         (strcmp(k, "alternatives") == 0 || strcmp(k, "annotations") == 0 ||
		          strcmp(k, "continue_straight") == 0 || strcmp(k, "waypoints") == 0))
			; /* one route, no annotations: accepted (docs/routing.md) */
		else if (is_table && strcmp(k, "sources") == 0) {
			free(q->sources);
			q->sources = NULL;
			int rc = parse_indices(v, q->n, &q->sources, &q->n_sources);
			if (rc == SL_ENOMEM)
				return -1;
			bad = rc < 0;
		} else if (is_table && strcmp(k, "destinations") == 0) {
			free(q->dests);
			q->dests = NULL;
			int rc = parse_indices(v, q->n, &q->dests, &q->n_dests);
			if (rc == SL_ENOMEM)
				return -1;
			bad = rc < 0;
		} else if (is_table && strcmp(k, "annotations") == 0) {
			q->want_dur = strstr(v, "duration") != NULL;
			q->want_dist = strstr(v, "distance") != NULL;
			bad = !q->want_dur && !q->want_dist;
		} else if (is_table && (strcmp(k, "fallback_speed") == 0 ||
		                        strcmp(k, "fallback_coordinate") == 0 ||
		                        strcmp(k, "scale_factor") == 0))
			;
		else if (strcmp(q->service, "nearest") == 0 && strcmp(k, "number") == 0) {
			char *e;
			long x = strtol(v, &e, 10);
			bad = *e || e == v || x < 1;
			q->number = (int)(x > SL_ROUTE_OSRM_MAX_NEAREST ? -1 : x);
		} else
			known = 0;
		if (!known) {
			char msg[128];
			snprintf(msg, sizeof msg, "Query string malformed: unknown option '%.40s'",
			         k);
			return fail(r, "InvalidUrl", msg), 1;
		}
		if (bad) {
			char msg[128];
			snprintf(msg, sizeof msg, "Invalid value for option '%.40s'", k);
			return fail(r, "InvalidOptions", msg), 1;
		}
	}
	return 0;
}

/* ---- responses ----------------------------------------------------------------------- */

static void waypoint(sl_buf *b, const sl_route_snap *s, int nodes)
{
	sl_buf_printf(b, "{\"hint\":\"\",\"distance\":%.3f,\"name\":\"\",\"location\":[%.6f,%.6f]",
	              s->distance_m, s->lon, s->lat);
	if (nodes)
		sl_buf_puts(b, ",\"nodes\":[0,0]");
	sl_buf_putc(b, '}');
}

static int snap_all(const sl_graph *g, const req *q, sl_route_snap *s, resp *r)
{
	for (int i = 0; i < q->n; i++)
		if (sl_route_nearest(g, q->lon[i], q->lat[i], q->radius[i], &s[i], NULL) != 0) {
			char msg[96];
			snprintf(msg, sizeof msg,
			         "Could not find a matching segment for coordinate %d", i);
			fail(r, "NoSegment", msg);
			return 1;
		}
	return 0;
}

static void geometry(sl_buf *b, const double *c, size_t n, int kind)
{
	if (kind == 0) {
		sl_buf_puts(b, "{\"type\":\"LineString\",\"coordinates\":[");
		for (size_t i = 0; i < n; i++)
			sl_buf_printf(b, "%s[%.6f,%.6f]", i ? "," : "", c[2 * i], c[2 * i + 1]);
		sl_buf_puts(b, "]}");
	} else {
		sl_buf pl = {0};
		sl_route_polyline_encode(c, n, kind, &pl);
		sl_buf_json_string(b, pl.data ? pl.data : "");
		sl_buf_free(&pl);
	}
}

static int do_route(const sl_graph *g, sl_route_ctx *ctx, const req *q, resp *r)
{
	if (q->n < 2)
		return fail(r, "InvalidOptions", "Number of coordinates needs to be at least two.");
	if (q->n > SL_ROUTE_OSRM_MAX_ROUTE_POINTS)
		return fail(r, "TooBig", "Too many coordinates");
	sl_route_snap *s = calloc((size_t)q->n, sizeof *s);
	sl_buf legs = {0}, coords = {0};
	int rc = 0;
	if (!s)
		return SL_ENOMEM;
	if (snap_all(g, q, s, r))
		goto out;
	double tw = 0, td = 0, tl = 0;
	for (int i = 0; i + 1 < q->n; i++) {
		sl_route_result res;
		int qr = sl_route_query(ctx, &s[i], &s[i + 1], q->overview ? SL_ROUTE_GEOMETRY : 0,
		                        &res, NULL);
		if (qr == SL_ENOROUTE) {
			fail(r, "NoRoute", "Impossible route between points");
			goto out;
		}
		if (qr) {
			rc = SL_ENOMEM;
			goto out;
		}
		tw += res.weight, td += res.duration_s, tl += res.distance_m;
		sl_buf_printf(&legs,
		              "%s{\"steps\":[],\"summary\":\"\",\"weight\":%.1f,\"duration\":%.1f,"
		              "\"distance\":%.1f}",
		              i ? "," : "", res.weight, res.duration_s, res.distance_m);
		if (res.n_coords) {
			size_t skip = coords.len ? 1 : 0;
			sl_buf_append(&coords, res.coords + 2 * skip,
			              (res.n_coords - skip) * 2 * sizeof(double));
		}
		sl_route_result_free(&res);
	}
	sl_buf *b = &r->body;
	sl_buf_puts(b, "{\"code\":\"Ok\",\"routes\":[{");
	if (q->overview) {
		sl_buf_puts(b, "\"geometry\":");
		geometry(b, (const double *)(void *)coords.data, coords.len / (2 * sizeof(double)),
		         q->geometries);
		sl_buf_putc(b, ',');
	}
	sl_buf_printf(b,
	              "\"legs\":[%s],\"weight_name\":\"routability\",\"weight\":%.1f,"
	              "\"duration\":%.1f,\"distance\":%.1f}]",
	              legs.data ? legs.data : "", tw, td, tl);
	if (!q->skip_waypoints) {
		sl_buf_puts(b, ",\"waypoints\":[");
		for (int i = 0; i < q->n; i++) {
			if (i)
				sl_buf_putc(b, ',');
			waypoint(b, &s[i], 0);
		}
		sl_buf_putc(b, ']');
	}
	sl_buf_putc(b, '}');
	r->status = 200;
out:
	free(s);
	sl_buf_free(&legs);
	sl_buf_free(&coords);
	return rc;
}

static void matrix_json(sl_buf *b, const char *name, const double *m, int ns, int nd)
{
	sl_buf_printf(b, ",\"%s\":[", name);
	for (int i = 0; i < ns; i++) {
		sl_buf_puts(b, i ? ",[" : "[");
		for (int j = 0; j < nd; j++) {
			double v = m[(size_t)i * (size_t)nd + (size_t)j];
			if (v < 0)
				sl_buf_printf(b, "%snull", j ? "," : "");
			else
				sl_buf_printf(b, "%s%.1f", j ? "," : "", v);
		}
		sl_buf_putc(b, ']');
	}
	sl_buf_putc(b, ']');
}

static int do_table(const sl_graph *g, sl_route_ctx *ctx, req *q, resp *r)
{
	if (q->n > SL_ROUTE_OSRM_MAX_TABLE_POINTS)
		return fail(r, "TooBig", "Too many table coordinates");
	if (q->n < 1)
		return fail(r, "InvalidOptions", "Number of coordinates needs to be at least one.");
	int ns = q->n_sources < 0 ? q->n : q->n_sources;
	int nd = q->n_dests < 0 ? q->n : q->n_dests;
	sl_route_snap *s = calloc((size_t)q->n, sizeof *s);
	sl_route_snap *a = calloc((size_t)ns + 1, sizeof *a),
	              *b = calloc((size_t)nd + 1, sizeof *b);
	double *dur = malloc(((size_t)ns * (size_t)nd + 1) * sizeof *dur);
	double *dist = malloc(((size_t)ns * (size_t)nd + 1) * sizeof *dist);
	int rc = 0;
	if (!s || !a || !b || !dur || !dist) {
		rc = SL_ENOMEM;
		goto out;
	}
	if (snap_all(g, q, s, r))
		goto out;
	for (int i = 0; i < ns; i++)
		a[i] = s[q->n_sources < 0 ? i : q->sources[i]];
	for (int j = 0; j < nd; j++)
		b[j] = s[q->n_dests < 0 ? j : q->dests[j]];
	if (sl_route_matrix(ctx, a, (size_t)ns, b, (size_t)nd, dur, dist, NULL) != 0) {
		rc = SL_ENOMEM;
		goto out;
	}
	sl_buf *o = &r->body;
	sl_buf_puts(o, "{\"code\":\"Ok\"");
	if (q->want_dur)
		matrix_json(o, "durations", dur, ns, nd);
	if (q->want_dist)
		matrix_json(o, "distances", dist, ns, nd);
	if (!q->skip_waypoints) {
		sl_buf_puts(o, ",\"sources\":[");
		for (int i = 0; i < ns; i++) {
			if (i)
				sl_buf_putc(o, ',');
			waypoint(o, &a[i], 0);
		}
		sl_buf_puts(o, "],\"destinations\":[");
		for (int j = 0; j < nd; j++) {
			if (j)
				sl_buf_putc(o, ',');
			waypoint(o, &b[j], 0);
		}
		sl_buf_putc(o, ']');
	}
	sl_buf_putc(o, '}');
	r->status = 200;
out:
	free(s);
	free(a);
	free(b);
	free(dur);
	free(dist);
	return rc;
}

static int do_nearest(const sl_graph *g, const req *q, resp *r)
{
	if (q->n != 1)
		return fail(r, "InvalidOptions", "Only one input coordinate is supported");
	if (q->number < 0)
		return fail(r, "TooBig", "Too many results requested");
	sl_route_snap s[SL_ROUTE_OSRM_MAX_NEAREST];
	int n = 0;
	if (sl_route_nearest_k(g, q->lon[0], q->lat[0], q->radius[0], q->number, s, &n, NULL) != 0)
		return fail(r, "NoSegment", "Could not find a matching segment for coordinate 0");
	sl_buf *b = &r->body;
	sl_buf_puts(b, "{\"code\":\"Ok\",\"waypoints\":[");
	for (int i = 0; i < n; i++) {
		if (i)
			sl_buf_putc(b, ',');
		waypoint(b, &s[i], 1);
	}
	sl_buf_puts(b, "]}");
	r->status = 200;
	return 0;
}

int sl_route_osrm_handle(const sl_graph *g, sl_route_ctx *ctx, const char *path_query,
                         int *http_status, char **body, sl_error *err)
{
	req q;
	memset(&q, 0, sizeof q);
	q.geometries = 5;
	q.overview = 1;
	q.n_sources = q.n_dests = -1;
	q.want_dur = 1;
	q.number = 1;
	resp r = {400, {0}};
	int rc = 0;
	sl_route_ctx *own = NULL;
	size_t len = strlen(path_query);
	char *buf = malloc(len + 1);
	if (!buf)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	memcpy(buf, path_query, len + 1);
	char *query = strchr(buf, '?');
	if (query)
		*query++ = 0;
	/* /service/version/profile/coordinates */
	char *seg[5] = {0};
	int nseg = 0;
	char *p = buf;
	if (*p != '/') {
		fail(&r, "InvalidUrl", "URL string malformed: must start with '/'");
		goto done;
	}
	p++;
	while (nseg < 5 && p) {
		seg[nseg++] = p;
		p = strchr(p, '/');
		if (p)
			*p++ = 0;
	}
	if (nseg != 4 || p) {
		fail(&r, "InvalidUrl",
		     "URL string malformed: expected /{service}/v1/{profile}/{coordinates}");
		goto done;
	}
	if (strcmp(seg[0], "route") && strcmp(seg[0], "table") && strcmp(seg[0], "nearest")) {
		fail(&r, "InvalidService", "Service not found (supported: route, table, nearest)");
		goto done;
	}
	snprintf(q.service, sizeof q.service, "%s", seg[0]);
	if (strcmp(seg[1], "v1") != 0) {
		fail(&r, "InvalidVersion", "Version not found (supported: v1)");
		goto done;
	}
	if (!*seg[2]) {
		fail(&r, "InvalidUrl", "URL string malformed: empty profile");
		goto done;
	}
	size_t cl = strlen(seg[3]);
	if (cl > 5 && strcmp(seg[3] + cl - 5, ".json") == 0)
		seg[3][cl - 5] = 0;
	if (pct_decode(seg[3], 0) < 0) {
		fail(&r, "InvalidUrl", "URL string malformed: bad escape");
		goto done;
	}
	if (strncmp(seg[3], "polyline(", 9) == 0) {
		fail(&r, "InvalidQuery", "Polyline-encoded coordinates are not supported");
		goto done;
	}
	int pc = parse_coords(seg[3], &q);
	if (pc == SL_ENOMEM) {
		rc = SL_ENOMEM;
		goto done;
	}
	if (pc == PC_SYNTAX) {
		fail(&r, "InvalidQuery", "Query string malformed: expected lon,lat;lon,lat");
		goto done;
	}
	if (pc == PC_MANY) {
		fail(&r, "TooBig", "Too many coordinates");
		goto done;
	}
	if (pc == PC_RANGE) {
		fail(&r, "InvalidValue", "Invalid coordinate value.");
		goto done;
	}
	int po = parse_options(query, &q, &r);
	if (po < 0) {
		rc = SL_ENOMEM;
		goto done;
	}
	if (po)
		goto done;
	if (!ctx) {
		ctx = own = sl_route_ctx_new(g);
		if (!own) {
			rc = SL_ENOMEM;
			goto done;
		}
	}
	sl_buf_reset(&r.body);
	if (strcmp(q.service, "route") == 0)
		rc = do_route(g, ctx, &q, &r);
	else if (strcmp(q.service, "table") == 0)
		rc = do_table(g, ctx, &q, &r);
	else
		rc = do_nearest(g, &q, &r);
done:
	free(buf);
	free(q.lon);
	free(q.lat);
	free(q.radius);
	free(q.sources);
	free(q.dests);
	sl_route_ctx_free(own);
	if (rc == 0 && !r.body.data)
		rc = SL_ENOMEM;
	if (rc) {
		sl_buf_free(&r.body);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	*http_status = r.status;
	*body = sl_buf_take(&r.body);
	return *body ? 0 : sl_error_set(err, SL_ENOMEM, "out of memory");
}
