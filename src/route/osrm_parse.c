/* osrm_parse.c — parsing an OSRM v5 request target
 *   /{service}/v1/{profile}/{lon,lat;lon,lat...}[.json]?{option=value&...}
 * into an osrm_req, with OSRM's error codes (see osrm.h).
 *
 * The option names, values and per-coordinate list syntax
 * ({element};{element}, an empty element meaning "default") follow the
 * "General options" and service sections of OSRM's HTTP API documentation
 * (Project-OSRM, docs/http.md).  Options that this engine accepts but does
 * not apply are still checked for form and list length, so a client gets
 * the same InvalidQuery / InvalidOptions answers as from OSRM. */
#include "osrm.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COORDS 10000

void osrm_req_free(osrm_req *q)
{
	free(q->lon);
	free(q->lat);
	free(q->radius);
	free(q->bearing);
	free(q->brange);
	free(q->approach);
	free(q->waypoints);
	free(q->sources);
	free(q->dests);
	memset(q, 0, sizeof *q);
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

static int parse_double_span(const char *s, const char *end, double *v)
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

static int parse_int_span(const char *s, const char *end, long *v)
{
	if (s == end || end - s > 9)
		return -1;
	long x = 0;
	for (const char *p = s; p < end; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		x = x * 10 + (*p - '0');
	}
	*v = x;
	return 0;
}

enum { PC_SYNTAX = 1, PC_RANGE, PC_MANY };

/* "lon,lat;lon,lat" → arrays.  0, SL_ENOMEM, or PC_*. */
static int parse_coords(char *s, osrm_req *q)
{
	int n = 1;
	for (char *p = s; *p; p++)
		n += *p == ';';
	if (n > MAX_COORDS)
		return PC_MANY;
	q->lon = calloc((size_t)n, sizeof *q->lon);
	q->lat = calloc((size_t)n, sizeof *q->lat);
	q->radius = calloc((size_t)n, sizeof *q->radius);
	q->bearing = malloc((size_t)n * sizeof *q->bearing);
	q->brange = calloc((size_t)n, sizeof *q->brange);
	q->approach = calloc((size_t)n, sizeof *q->approach);
	if (!q->lon || !q->lat || !q->radius || !q->bearing || !q->brange || !q->approach)
		return SL_ENOMEM;
	for (int i = 0; i < n; i++)
		q->bearing[i] = -1;
	int range = 0;
	char *p = s;
	for (int i = 0; i < n; i++) {
		char *semi = strchr(p, ';');
		char *end = semi ? semi : p + strlen(p);
		char *comma = memchr(p, ',', (size_t)(end - p));
		if (!comma || parse_double_span(p, comma, &q->lon[i]) < 0 ||
		    parse_double_span(comma + 1, end, &q->lat[i]) < 0)
			return PC_SYNTAX;
		if (fabs(q->lon[i]) > 180 || fabs(q->lat[i]) > 90)
			range = 1;
		p = end + (semi ? 1 : 0);
	}
	q->n = n;
	return range ? PC_RANGE : 0;
}

/* Outcome of one option: OK, a syntax error (InvalidQuery), a value that
 * does not fit (InvalidOptions) or out of memory. */
enum { OPT_OK = 0, OPT_SYNTAX, OPT_BAD, OPT_NOMEM };

static int parse_bool(const char *v, int *out)
{
	if (strcmp(v, "true") == 0)
		*out = 1;
	else if (strcmp(v, "false") == 0)
		*out = 0;
	else
		return OPT_SYNTAX;
	return OPT_OK;
}

/* Split a ';' list into at most `max` elements: starts[i], ends[i]. */
static int count_elems(const char *v)
{
	int k = 1;
	for (const char *p = v; *p; p++)
		k += *p == ';';
	return k;
}

/* Element i of a ';' list: [*s, *e). */
static void elem(const char *v, int i, const char **s, const char **e)
{
	const char *p = v;
	for (int k = 0; k < i; k++)
		p = strchr(p, ';') + 1;
	const char *q = strchr(p, ';');
	*s = p;
	*e = q ? q : p + strlen(p);
}

/* "0;3;5" (or "all") → indices < n, malloc'd. */
static int parse_indices(const char *v, int n, int allow_all, int **out, int *count)
{
	free(*out);
	*out = NULL;
	*count = 0;
	if (allow_all && strcmp(v, "all") == 0)
		return OPT_OK;
	int k = count_elems(v);
	int *a = malloc((size_t)k * sizeof *a);
	if (!a)
		return OPT_NOMEM;
	int bad = 0;
	for (int i = 0; i < k; i++) {
		const char *s, *e;
		long x;
		elem(v, i, &s, &e);
		if (parse_int_span(s, e, &x) < 0) {
			free(a);
			return OPT_SYNTAX;
		}
		if (x >= n)
			bad = 1;
		a[i] = (int)(x >= n ? 0 : x);
	}
	*out = a;
	*count = k;
	return bad ? OPT_BAD : OPT_OK;
}

static int parse_radiuses(const char *v, osrm_req *q)
{
	if (count_elems(v) != q->n)
		return OPT_BAD;
	for (int i = 0; i < q->n; i++) {
		const char *s, *e;
		elem(v, i, &s, &e);
		if (e == s)
			q->radius[i] = 0; /* empty: the default */
		else if (e - s == 9 && strncmp(s, "unlimited", 9) == 0)
			q->radius[i] = SL_ROUTE_SNAP_MAX_M;
		else if (parse_double_span(s, e, &q->radius[i]) < 0)
			return OPT_SYNTAX;
		else if (q->radius[i] < 0)
			return OPT_BAD;
		else if (q->radius[i] == 0)
			q->radius[i] = 0.001; /* 0 means "on the point", not "default" */
	}
	return OPT_OK;
}

/* bearings: "{value},{range}" or empty, value 0..360, range 0..180. */
static int parse_bearings(const char *v, osrm_req *q)
{
	int k = count_elems(v), bad = k != q->n;
	for (int i = 0; i < k; i++) {
		const char *s, *e;
		elem(v, i, &s, &e);
		if (s == e) {
			if (i < q->n)
				q->bearing[i] = -1;
			continue;
		}
		const char *comma = memchr(s, ',', (size_t)(e - s));
		long b, r;
		if (!comma || parse_int_span(s, comma, &b) < 0 || parse_int_span(comma + 1, e, &r) < 0)
			return OPT_SYNTAX;
		if (b > 360 || r > 180)
			bad = 1;
		else if (i < q->n)
			q->bearing[i] = (int)(b % 360), q->brange[i] = (int)r;
	}
	return bad ? OPT_BAD : OPT_OK;
}

/* approaches: curb | unrestricted | opposite | empty, one per coordinate. */
static int parse_approaches(const char *v, osrm_req *q)
{
	int k = count_elems(v);
	for (int i = 0; i < k; i++) {
		const char *s, *e;
		elem(v, i, &s, &e);
		size_t n = (size_t)(e - s);
		int a;
		if (n == 0 || (n == 12 && !strncmp(s, "unrestricted", 12)))
			a = APPROACH_ANY;
		else if (n == 4 && !strncmp(s, "curb", 4))
			a = APPROACH_CURB;
		else if (n == 8 && !strncmp(s, "opposite", 8))
			a = APPROACH_OPPOSITE;
		else
			return OPT_SYNTAX;
		if (i < q->n)
			q->approach[i] = a;
	}
	return k == q->n ? OPT_OK : OPT_BAD;
}

/* hints: base64 (either alphabet) or empty, one per coordinate. */
static int parse_hints(const char *v, const osrm_req *q)
{
	for (const char *p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("+/=-_; ", *p)) /* + may arrive as a space */
			return OPT_SYNTAX;
	return count_elems(v) == q->n ? OPT_OK : OPT_BAD;
}

static int parse_annotations_route(const char *v, int *out)
{
	int b;
	if (parse_bool(v, &b) == OPT_OK) {
		*out = b ? ANN_ALL : 0;
		return OPT_OK;
	}
	static const struct {
		const char *name;
		int bit;
	} names[] = {{"duration", ANN_DURATION}, {"distance", ANN_DISTANCE},
	             {"weight", ANN_WEIGHT},     {"speed", ANN_SPEED},
	             {"nodes", ANN_NODES},       {"datasources", ANN_DATASOURCES}};
	int bits = 0;
	const char *p = v;
	for (;;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		int found = 0;
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			if (strlen(names[i].name) == n && strncmp(p, names[i].name, n) == 0)
				bits |= names[i].bit, found = 1;
		if (!found)
			return OPT_SYNTAX;
		if (!e)
			break;
		p = e + 1;
	}
	*out = bits;
	return OPT_OK;
}

static int parse_positive(const char *v, double *out)
{
	if (parse_double_span(v, v + strlen(v), out) < 0)
		return OPT_SYNTAX;
	return *out > 0 ? OPT_OK : OPT_BAD;
}

/* One option k=v for service q->service. */
static int option(osrm_req *q, const char *k, const char *v, int *known)
{
	int route = q->service == OS_ROUTE, table = q->service == OS_TABLE;
	*known = 1;
	if (!strcmp(k, "radiuses"))
		return parse_radiuses(v, q);
	if (!strcmp(k, "bearings"))
		return parse_bearings(v, q);
	if (!strcmp(k, "approaches"))
		return parse_approaches(v, q);
	if (!strcmp(k, "hints"))
		return parse_hints(v, q);
	if (!strcmp(k, "generate_hints"))
		return parse_bool(v, &q->generate_hints);
	if (!strcmp(k, "skip_waypoints"))
		return parse_bool(v, &q->skip_waypoints);
	if (!strcmp(k, "snapping"))
		return !strcmp(v, "default") || !strcmp(v, "any") ? OPT_OK : OPT_SYNTAX;
	if (!strcmp(k, "exclude")) /* checked by the caller: no classes here */
		return OPT_OK;
	if (route && !strcmp(k, "geometries")) {
		if (!strcmp(v, "polyline"))
			q->geometries = 5;
		else if (!strcmp(v, "polyline6"))
			q->geometries = 6;
		else if (!strcmp(v, "geojson"))
			q->geometries = 0;
		else
			return OPT_SYNTAX;
		return OPT_OK;
	}
	if (route && !strcmp(k, "overview")) {
		if (!strcmp(v, "simplified"))
			q->overview = 1;
		else if (!strcmp(v, "full"))
			q->overview = 2;
		else if (!strcmp(v, "false"))
			q->overview = 0;
		else
			return OPT_SYNTAX;
		return OPT_OK;
	}
	if (route && !strcmp(k, "steps"))
		return parse_bool(v, &q->steps);
	if (route && !strcmp(k, "annotations"))
		return parse_annotations_route(v, &q->annotations);
	if (route && !strcmp(k, "alternatives")) {
		int b;
		long x;
		if (parse_bool(v, &b) == OPT_OK)
			q->alternatives = b;
		else if (parse_int_span(v, v + strlen(v), &x) == 0)
			q->alternatives = x > 3 ? 3 : (int)x;
		else
			return OPT_SYNTAX;
		return OPT_OK;
	}
	if (route && !strcmp(k, "continue_straight")) {
		if (!strcmp(v, "default"))
			q->continue_straight = 1;
		else
			return parse_bool(v, &q->continue_straight);
		return OPT_OK;
	}
	if (route && !strcmp(k, "waypoints")) {
		int rc = parse_indices(v, q->n, 0, &q->waypoints, &q->n_waypoints);
		if (rc != OPT_OK)
			return rc;
		if (q->n_waypoints < 2 || q->waypoints[0] != 0 ||
		    q->waypoints[q->n_waypoints - 1] != q->n - 1)
			return OPT_BAD;
		for (int i = 1; i < q->n_waypoints; i++)
			if (q->waypoints[i] <= q->waypoints[i - 1])
				return OPT_BAD;
		return OPT_OK;
	}
	if (table && !strcmp(k, "sources"))
		return parse_indices(v, q->n, 1, &q->sources, &q->n_sources);
	if (table && !strcmp(k, "destinations"))
		return parse_indices(v, q->n, 1, &q->dests, &q->n_dests);
	if (table && !strcmp(k, "annotations")) {
		if (!strcmp(v, "duration"))
			q->want_dur = 1, q->want_dist = 0;
		else if (!strcmp(v, "distance"))
			q->want_dur = 0, q->want_dist = 1;
		else if (!strcmp(v, "duration,distance") || !strcmp(v, "distance,duration"))
			q->want_dur = q->want_dist = 1;
		else
			return OPT_SYNTAX;
		return OPT_OK;
	}
	if (table && !strcmp(k, "fallback_speed"))
		return parse_positive(v, &q->fallback_speed);
	if (table && !strcmp(k, "fallback_coordinate")) {
		if (!strcmp(v, "input"))
			q->fallback_snapped = 0;
		else if (!strcmp(v, "snapped"))
			q->fallback_snapped = 1;
		else
			return OPT_SYNTAX;
		return OPT_OK;
	}
	if (table && !strcmp(k, "scale_factor"))
		return parse_positive(v, &q->scale_factor);
	if (q->service == OS_NEAREST && !strcmp(k, "number")) {
		long x;
		if (parse_int_span(v, v + strlen(v), &x) < 0)
			return OPT_SYNTAX;
		q->number = (int)x;
		return x >= 1 ? OPT_OK : OPT_BAD;
	}
	*known = 0;
	return OPT_SYNTAX;
}

/* Up to 40 bytes of s for a message: printable ASCII only, so that an
 * echoed option name never makes the answer invalid UTF-8. */
static const char *safe(const char *s, char out[41])
{
	size_t n = 0;
	for (; s[n] && n < 40; n++)
		out[n] = s[n] >= 0x20 && s[n] < 0x7f ? s[n] : '?';
	out[n] = 0;
	return out;
}

static int fail(const char **code, const char *c, char *msg, size_t msg_size, const char *m)
{
	*code = c;
	snprintf(msg, msg_size, "%s", m);
	return 1;
}

static int parse_options(char *query, osrm_req *q, const char **code, char *msg, size_t ms)
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
		if (!eq) {
			*code = "InvalidQuery";
			char sk[41];
			snprintf(msg, ms, "Query string malformed: option '%s' without a value",
			         safe(kv, sk));
			return 1;
		}
		*eq = 0;
		char *k = kv, *v = eq + 1;
		if (pct_decode(v, 1) < 0 || pct_decode(k, 1) < 0)
			return fail(code, "InvalidQuery", msg, ms, "Query string malformed: bad escape");
		int known;
		char sk[41];
		int rc = option(q, k, v, &known);
		safe(k, sk);
		if (rc == OPT_NOMEM)
			return SL_ENOMEM;
		if (!known) {
			*code = "InvalidQuery";
			snprintf(msg, ms, "Query string malformed: unknown option '%s'", sk);
			return 1;
		}
		if (rc == OPT_SYNTAX) {
			*code = "InvalidQuery";
			snprintf(msg, ms, "Query string malformed: bad value for option '%s'", sk);
			return 1;
		}
		if (rc == OPT_BAD) {
			*code = "InvalidOptions";
			snprintf(msg, ms,
			         "Invalid value for option '%s' (list length must equal the "
			         "number of coordinates; indices and values in range)",
			         sk);
			return 1;
		}
		if (!strcmp(k, "exclude") && *v) {
			*code = "InvalidValue";
			snprintf(msg, ms, "Exclude flag combination is not supported.");
			return 1;
		}
	}
	return 0;
}

int osrm_parse(const char *target, osrm_req *q, const char **code, char *msg, size_t ms)
{
	q->generate_hints = 1;
	q->geometries = 5;
	q->overview = 1;
	q->continue_straight = 1;
	q->want_dur = 1;
	q->number = 1;
	q->scale_factor = 1;
	size_t len = strlen(target);
	char *buf = malloc(len + 1);
	if (!buf)
		return SL_ENOMEM;
	memcpy(buf, target, len + 1);
	int rc = 1;
	char *query = strchr(buf, '?');
	if (query)
		*query++ = 0;
	/* /service/version/profile/coordinates */
	char *seg[5] = {0};
	int nseg = 0;
	char *p = buf;
	if (*p != '/') {
		fail(code, "InvalidUrl", msg, ms, "URL string malformed: must start with '/'");
		goto out;
	}
	p++;
	while (nseg < 5 && p) {
		seg[nseg++] = p;
		p = strchr(p, '/');
		if (p)
			*p++ = 0;
	}
	if (nseg != 4 || p) {
		fail(code, "InvalidUrl", msg, ms,
		     "URL string malformed: expected /{service}/v1/{profile}/{coordinates}");
		goto out;
	}
	if (!strcmp(seg[0], "route"))
		q->service = OS_ROUTE;
	else if (!strcmp(seg[0], "table"))
		q->service = OS_TABLE;
	else if (!strcmp(seg[0], "nearest"))
		q->service = OS_NEAREST;
	else {
		fail(code, "InvalidService", msg, ms,
		     "Service not found (supported: route, table, nearest)");
		goto out;
	}
	if (strcmp(seg[1], "v1") != 0) {
		fail(code, "InvalidVersion", msg, ms, "Version not found (supported: v1)");
		goto out;
	}
	if (!*seg[2] || !*seg[3]) {
		fail(code, "InvalidUrl", msg, ms, "URL string malformed: empty profile or coordinates");
		goto out;
	}
	size_t cl = strlen(seg[3]);
	if (cl > 5 && strcmp(seg[3] + cl - 5, ".json") == 0)
		seg[3][cl - 5] = 0;
	if (pct_decode(seg[3], 0) < 0) {
		fail(code, "InvalidUrl", msg, ms, "URL string malformed: bad escape");
		goto out;
	}
	if (strncmp(seg[3], "polyline", 8) == 0) {
		fail(code, "InvalidQuery", msg, ms,
		     "Polyline-encoded coordinates are not supported; send lon,lat;lon,lat");
		goto out;
	}
	int pc = parse_coords(seg[3], q);
	if (pc == SL_ENOMEM) {
		rc = SL_ENOMEM;
		goto out;
	}
	if (pc == PC_SYNTAX) {
		fail(code, "InvalidQuery", msg, ms,
		     "Query string malformed: expected lon,lat;lon,lat");
		goto out;
	}
	if (pc == PC_MANY) {
		fail(code, "TooBig", msg, ms, "Too many coordinates");
		goto out;
	}
	rc = parse_options(query, q, code, msg, ms);
	if (rc == 0 && pc == PC_RANGE)
		rc = fail(code, "InvalidValue", msg, ms, "Invalid coordinate value.");
out:
	free(buf);
	return rc;
}
