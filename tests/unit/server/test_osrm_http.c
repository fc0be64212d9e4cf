/* test_osrm_http.c — the OSRM v5-compatible routing API over real HTTP:
 * `samlast serve --graph` started in-process on a free port, requests
 * through a tiny loopback client, answers read with jansson.
 *
 * The graph is built from tests/fixtures/route/steps.osm (a crossing, a
 * roundabout with three exits, a motorway link onto the E6; street names
 * and refs), so the expected steps, names and exit numbers are known by
 * construction.  One test per request parameter of docs/routing.md and one
 * per OSRM error code the server can return. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "samlast/route.h"
#include "samlast/server.h"
#include "samlast/store.h"

static char db_path[256], graph_path[256];
static sl_server *srv;

static void setup(void)
{
	const char *fx = getenv("SL_FIXTURES");
	cr_assert(fx, "SL_FIXTURES is not set");
	snprintf(db_path, sizeof db_path, "/tmp/sl_osrm_http_%d.db", (int)getpid());
	snprintf(graph_path, sizeof graph_path, "/tmp/sl_osrm_http_%d.graph", (int)getpid());
	unlink(db_path);
	sl_store *st;
	sl_error err = {0};
	cr_assert_eq(sl_store_open(db_path, &st, &err), 0, "%s", err.message);
	cr_assert_eq(sl_store_migrate(st, &err), 0, "%s", err.message);
	sl_store_close(st);
	char osm[512];
	snprintf(osm, sizeof osm, "%s/route/steps.osm", fx);
	sl_route_profile *p;
	cr_assert_eq(sl_route_profile_load("van", &p, &err), 0, "%s", err.message);
	cr_assert_eq(sl_route_graph_build(osm, p, graph_path, NULL, NULL, NULL, &err), 0, "%s",
	             err.message);
	sl_route_profile_free(p);
	sl_server_config c;
	sl_server_config_init(&c);
	c.db_uri = db_path;
	c.port = 0;
	c.threads = 2;
	c.graph_path = graph_path;
	cr_assert_eq(sl_server_start(&c, &srv, &err), 0, "%s", err.message);
}

static void teardown(void)
{
	sl_server_stop(srv);
	srv = NULL;
	char p[300];
	unlink(db_path);
	unlink(graph_path);
	snprintf(p, sizeof p, "%s-wal", db_path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", db_path);
	unlink(p);
}

TestSuite(osrm_http, .init = setup, .fini = teardown, .timeout = 30);

typedef struct {
	int status;
	char ctype[128];
	char *body;
} resp_t;

static resp_t get(const char *target)
{
	resp_t r = {0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(fd >= 0);
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET;
	a.sin_port = htons(sl_server_port(srv));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	size_t hcap = strlen(target) + 128;
	char *head = malloc(hcap);
	cr_assert(head);
	int n = snprintf(head, hcap, "GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
	                 target);
	cr_assert_eq(send(fd, head, (size_t)n, MSG_NOSIGNAL), n);
	free(head);
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	cr_assert(buf);
	for (;;) {
		if (len + 4096 > cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			cr_assert(buf);
		}
		ssize_t got = recv(fd, buf + len, cap - len - 1, 0);
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	buf[len] = 0;
	cr_assert(len > 12, "no answer to %s", target);
	r.status = atoi(buf + 9);
	char *sep = strstr(buf, "\r\n\r\n");
	cr_assert(sep);
	*sep = 0;
	char *ct = strstr(buf, "\r\nContent-Type: ");
	if (ct)
		sscanf(ct + 16, "%127[^\r]", r.ctype);
	r.body = strdup(sep + 4);
	free(buf);
	return r;
}

/* GET target; check the status and the OSRM code; return the document. */
static json_t *osrm(const char *target, int want_status, const char *want_code)
{
	resp_t r = get(target);
	cr_assert_eq(r.status, want_status, "%s: HTTP %d, want %d: %s", target, r.status,
	             want_status, r.body);
	json_error_t e;
	json_t *j = json_loads(r.body, 0, &e);
	cr_assert(j, "%s: not JSON (%s): %s", target, e.text, r.body);
	const char *code = json_string_value(json_object_get(j, "code"));
	cr_assert(code && !strcmp(code, want_code), "%s: code %s, want %s: %s", target,
	          code ? code : "(none)", want_code, r.body);
	if (want_status != 200)
		cr_assert(json_is_string(json_object_get(j, "message")), "%s", r.body);
	free(r.body);
	return j;
}

static json_t *ok(const char *target)
{
	return osrm(target, 200, "Ok");
}

static void expect_error(const char *target, const char *code)
{
	json_decref(osrm(target, 400, code));
}

#define A  "12.7005,56.0401"  /* Storgatan, west end */
#define B  "12.7089,56.0401"  /* Östra vägen (roundabout, 2nd exit) */
#define K  "12.7021,56.0439"  /* Kungsgatan (left at the crossing) */
#define E6 "12.7131,56.0449"  /* the E6, via the motorway link */
#define S  "12.7061,56.0371"  /* Södra vägen (1st exit) */
#define N  "12.7059,56.0429"  /* Norra vägen (3rd exit) */
#define R  "/route/v1/driving/"

static json_t *route0(json_t *j)
{
	json_t *routes = json_object_get(j, "routes");
	cr_assert(json_is_array(routes) && json_array_size(routes) == 1);
	return json_array_get(routes, 0);
}

static double num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	cr_assert(json_is_number(v), "no number %s", k);
	return json_number_value(v);
}

static const char *str(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	cr_assert(json_is_string(v), "no string %s", k);
	return json_string_value(v);
}

/* ---- route ----------------------------------------------------------------------- */

Test(osrm_http, route_defaults_and_waypoints)
{
	json_t *j = ok(R A ";" B);
	json_t *rt = route0(j);
	cr_assert(json_is_string(json_object_get(rt, "geometry"))); /* polyline */
	cr_assert_str_eq(str(rt, "weight_name"), "routability");
	cr_assert_gt(num(rt, "duration"), 0);
	json_t *legs = json_object_get(rt, "legs");
	cr_assert_eq(json_array_size(legs), 1);
	json_t *leg = json_array_get(legs, 0);
	cr_assert_float_eq(num(leg, "distance"), num(rt, "distance"), 1e-6);
	cr_assert_eq(json_array_size(json_object_get(leg, "steps")), 0);
	cr_assert_str_eq(str(leg, "summary"), "");
	json_t *wp = json_object_get(j, "waypoints");
	cr_assert_eq(json_array_size(wp), 2);
	json_t *w0 = json_array_get(wp, 0);
	cr_assert_str_eq(str(w0, "name"), "Storgatan");
	cr_assert_str_eq(str(json_array_get(wp, 1), "name"), "Östra vägen");
	cr_assert_gt(strlen(str(w0, "hint")), 0);
	cr_assert_lt(num(w0, "distance"), 20);
	json_t *loc = json_object_get(w0, "location");
	cr_assert_float_eq(json_number_value(json_array_get(loc, 0)), 12.7005, 1e-4);
	cr_assert_float_eq(json_number_value(json_array_get(loc, 1)), 56.04, 1e-5);
	json_decref(j);
}

/* Decode a Google polyline at 10^-precision into n points (lat, lon). */
static size_t decode_polyline(const char *s, int precision, double *out, size_t max)
{
	double f = precision == 6 ? 1e6 : 1e5;
	long long lat = 0, lon = 0;
	size_t n = 0;
	while (*s && n < max) {
		long long v[2];
		for (int k = 0; k < 2; k++) {
			unsigned long long x = 0;
			int shift = 0, c;
			do {
				c = *s++ - 63;
				x |= (unsigned long long)(c & 0x1f) << shift;
				shift += 5;
			} while (c >= 0x20);
			v[k] = x & 1 ? ~(long long)(x >> 1) : (long long)(x >> 1);
		}
		lat += v[0], lon += v[1];
		out[2 * n] = lat / f, out[2 * n + 1] = lon / f;
		n++;
	}
	return n;
}

Test(osrm_http, geometries_and_overview)
{
	double p5[2 * 256], p6[2 * 256];
	json_t *j = ok(R A ";" E6 "?overview=full");
	size_t n5 = decode_polyline(str(route0(j), "geometry"), 5, p5, 256);
	json_decref(j);
	j = ok(R A ";" E6 "?overview=full&geometries=polyline6");
	size_t n6 = decode_polyline(str(route0(j), "geometry"), 6, p6, 256);
	json_decref(j);
	cr_assert_eq(n5, n6);
	cr_assert_gt(n5, 5);
	cr_assert_float_eq(p5[0], 56.0400, 2e-5); /* lat first */
	cr_assert_float_eq(p6[1], 12.7005, 2e-6);
	j = ok(R A ";" E6 "?overview=full&geometries=geojson");
	json_t *g = json_object_get(route0(j), "geometry");
	cr_assert_str_eq(str(g, "type"), "LineString");
	size_t nfull = json_array_size(json_object_get(g, "coordinates"));
	cr_assert_eq(nfull, n5);
	json_decref(j);
	j = ok(R A ";" E6 "?overview=simplified&geometries=geojson");
	g = json_object_get(route0(j), "geometry");
	size_t nsimp = json_array_size(json_object_get(g, "coordinates"));
	cr_assert(nsimp >= 2 && nsimp < nfull, "simplified %zu of %zu", nsimp, nfull);
	json_decref(j);
	j = ok(R A ";" E6 "?overview=false");
	cr_assert_null(json_object_get(route0(j), "geometry"));
	json_decref(j);
	expect_error(R A ";" E6 "?geometries=kml", "InvalidQuery");
	expect_error(R A ";" E6 "?overview=some", "InvalidQuery");
}

/* The maneuver types, modifiers, exits and names of a route's steps. */
static char *steps_text(const char *target)
{
	json_t *j = ok(target);
	json_t *leg = json_array_get(json_object_get(route0(j), "legs"), 0);
	json_t *steps = json_object_get(leg, "steps");
	char *out = calloc(1, 1024);
	size_t k;
	json_t *s;
	double dist = 0, dur = 0;
	json_array_foreach(steps, k, s)
	{
		json_t *m = json_object_get(s, "maneuver");
		json_t *mod = json_object_get(m, "modifier"), *ex = json_object_get(m, "exit");
		json_t *ref = json_object_get(s, "ref");
		char one[160], exs[16] = "";
		if (ex)
			snprintf(exs, sizeof exs, " #%lld", (long long)json_integer_value(ex));
		snprintf(one, sizeof one, "%s%s%s%s%s|%s%s%s", k ? "; " : "", str(m, "type"),
		         mod ? " " : "", mod ? json_string_value(mod) : "", exs, str(s, "name"),
		         ref ? "/" : "", ref ? json_string_value(ref) : "");
		strncat(out, one, 1023 - strlen(out));
		cr_assert_str_eq(str(s, "mode"), "driving");
		cr_assert(json_is_array(json_object_get(s, "intersections")));
		cr_assert(json_is_string(json_object_get(s, "geometry")));
		cr_assert(json_is_array(json_object_get(m, "location")));
		cr_assert(json_is_integer(json_object_get(m, "bearing_after")));
		dist += num(s, "distance"), dur += num(s, "duration");
	}
	/* the steps cover the leg exactly (each rounded to 0.1) */
	cr_assert_float_eq(dist, num(leg, "distance"), 0.05 * (double)k + 1e-6);
	cr_assert_float_eq(dur, num(leg, "duration"), 0.05 * (double)k + 1e-6);
	json_decref(j);
	return out;
}

Test(osrm_http, steps_turn_roundabout_ramp)
{
	char *t = steps_text(R A ";" K "?steps=true");
	cr_assert_str_eq(t, "depart|Storgatan; turn left|Kungsgatan; arrive|Kungsgatan");
	free(t);
	t = steps_text(R A ";" S "?steps=true");
	cr_assert_str_eq(t, "depart|Storgatan; roundabout right #1|Södra vägen; arrive|Södra vägen");
	free(t);
	t = steps_text(R A ";" B "?steps=true");
	cr_assert(strstr(t, "roundabout straight #2|Östra vägen/111; arrive|Östra vägen/111"), "%s",
	          t);
	free(t);
	t = steps_text(R A ";" N "?steps=true");
	cr_assert(strstr(t, "roundabout left #3|Norra vägen"), "%s", t);
	free(t);
	t = steps_text(R A ";" E6 "?steps=true");
	cr_assert(strstr(t, "; on ramp slight left|; merge slight left|/E6; arrive|/E6"), "%s", t);
	free(t);
	/* the crossing's intersection: four roads, in from the west (270),
	 * out to the north (0) */
	json_t *jx = ok(R A ";" K "?steps=true");
	json_t *st1 = json_array_get(
	    json_object_get(json_array_get(json_object_get(route0(jx), "legs"), 0), "steps"), 1);
	json_t *ix = json_array_get(json_object_get(st1, "intersections"), 0);
	json_t *bs = json_object_get(ix, "bearings");
	cr_assert_eq(json_array_size(bs), 4);
	int want_b[] = {0, 90, 180, 270};
	for (size_t i = 0; i < 4; i++)
		cr_assert_eq(json_integer_value(json_array_get(bs, i)), want_b[i]);
	cr_assert_eq(json_integer_value(json_object_get(ix, "in")), 3);
	cr_assert_eq(json_integer_value(json_object_get(ix, "out")), 0);
	cr_assert_eq(json_array_size(json_object_get(ix, "entry")), 4);
	json_decref(jx);
	/* the leg summary names the two longest roads */
	json_t *j = ok(R A ";" E6 "?steps=true");
	json_t *leg = json_array_get(json_object_get(route0(j), "legs"), 0);
	cr_assert_str_eq(str(leg, "summary"), "Östra vägen, E6");
	json_decref(j);
	expect_error(R A ";" E6 "?steps=yes", "InvalidQuery");
}

Test(osrm_http, annotations)
{
	json_t *j = ok(R A ";" E6 "?annotations=true&overview=full&geometries=geojson");
	json_t *rt = route0(j), *leg = json_array_get(json_object_get(rt, "legs"), 0);
	size_t npts = json_array_size(json_object_get(json_object_get(rt, "geometry"), "coordinates"));
	json_t *an = json_object_get(leg, "annotation");
	cr_assert(json_is_object(an));
	const char *arrays[] = {"distance", "duration", "weight", "speed", "datasources"};
	for (size_t i = 0; i < 5; i++)
		cr_assert_eq(json_array_size(json_object_get(an, arrays[i])), npts - 1, "%s",
		             arrays[i]);
	double sd = 0, st = 0;
	size_t k;
	json_t *v;
	json_array_foreach(json_object_get(an, "distance"), k, v) sd += json_number_value(v);
	json_array_foreach(json_object_get(an, "duration"), k, v) st += json_number_value(v);
	cr_assert_float_eq(sd, num(leg, "distance"), 0.05 * (double)npts);
	cr_assert_float_eq(st, num(leg, "duration"), 0.05 * (double)npts);
	/* OSM node ids of the fixture passed, in travel order (the ends are
	 * snapped points between 1 and 2 and between 18 and 19) */
	json_t *nodes = json_object_get(an, "nodes");
	long long want[] = {2, 3, 10, 13, 12, 15, 17, 18};
	cr_assert_eq(json_array_size(nodes), 8);
	for (size_t i = 0; i < 8; i++)
		cr_assert_eq(json_integer_value(json_array_get(nodes, i)), want[i]);
	json_decref(j);
	j = ok(R A ";" E6 "?annotations=duration,speed");
	an = json_object_get(json_array_get(json_object_get(route0(j), "legs"), 0), "annotation");
	cr_assert(json_object_get(an, "duration") && json_object_get(an, "speed"));
	cr_assert_null(json_object_get(an, "distance"));
	cr_assert_null(json_object_get(an, "nodes"));
	json_decref(j);
	j = ok(R A ";" E6 "?annotations=false");
	cr_assert_null(json_object_get(json_array_get(json_object_get(route0(j), "legs"), 0),
	                               "annotation"));
	json_decref(j);
	expect_error(R A ";" E6 "?annotations=colour", "InvalidQuery");
}

Test(osrm_http, alternatives)
{
	/* the fixture is a tree around the roundabout: no alternative exists */
	json_t *j = ok(R A ";" B "?alternatives=true");
	cr_assert_eq(json_array_size(json_object_get(j, "routes")), 1);
	json_decref(j);
	j = ok(R A ";" B "?alternatives=false");
	cr_assert_eq(json_array_size(json_object_get(j, "routes")), 1);
	json_decref(j);
	json_decref(ok(R A ";" B "?alternatives=3"));
	json_decref(ok(R A ";" B ";" E6 "?alternatives=2")); /* only for two points */
	expect_error(R A ";" B "?alternatives=many", "InvalidQuery");
}

Test(osrm_http, continue_straight_forbids_uturn_at_via)
{
	/* A → a point further east on Storgatan → back west near A: turning
	 * back at the via point is only allowed with continue_straight=false */
	const char *pts = R "12.7005,56.0401;12.7035,56.0401;12.7008,56.0401";
	char t[512];
	snprintf(t, sizeof t, "%s?continue_straight=false", pts);
	json_t *j = ok(t);
	double free_dur = num(route0(j), "duration");
	json_decref(j);
	snprintf(t, sizeof t, "%s?continue_straight=true", pts);
	j = ok(t);
	double straight_dur = num(route0(j), "duration");
	cr_assert_eq(json_array_size(json_object_get(route0(j), "legs")), 2);
	json_decref(j);
	j = ok(pts); /* the default is true, as in OSRM's car profile */
	cr_assert_float_eq(num(route0(j), "duration"), straight_dur, 1e-9);
	json_decref(j);
	cr_assert_gt(straight_dur, free_dur + 1, "%f vs %f", straight_dur, free_dur);
	snprintf(t, sizeof t, "%s?continue_straight=default", pts);
	json_decref(ok(t));
	snprintf(t, sizeof t, "%s?continue_straight=maybe", pts);
	expect_error(t, "InvalidQuery");
}

Test(osrm_http, waypoints_merge_legs)
{
	json_t *j = ok(R A ";" B ";" E6 "?waypoints=0;2&steps=true");
	json_t *rt = route0(j);
	cr_assert_eq(json_array_size(json_object_get(rt, "legs")), 1);
	cr_assert_eq(json_array_size(json_object_get(j, "waypoints")), 2);
	/* no arrive/depart at the via point */
	json_t *steps = json_object_get(json_array_get(json_object_get(rt, "legs"), 0), "steps");
	size_t k, departs = 0;
	json_t *s;
	json_array_foreach(steps, k, s) departs +=
	    !strcmp(str(json_object_get(s, "maneuver"), "type"), "depart");
	cr_assert_eq(departs, 1);
	json_decref(j);
	expect_error(R A ";" B ";" E6 "?waypoints=1;2", "InvalidOptions");
	expect_error(R A ";" B ";" E6 "?waypoints=0;7", "InvalidOptions");
	expect_error(R A ";" B ";" E6 "?waypoints=0;x", "InvalidQuery");
}

Test(osrm_http, radiuses)
{
	json_decref(ok(R A ";" B "?radiuses=50;unlimited"));
	json_decref(ok(R A ";" B "?radiuses=;"));
	/* A is ~11 m from Storgatan */
	expect_error(R A ";" B "?radiuses=5;50", "NoSegment");
	expect_error(R A ";" B "?radiuses=50", "InvalidOptions");
	expect_error(R A ";" B "?radiuses=-1;50", "InvalidOptions");
	expect_error(R A ";" B "?radiuses=far;50", "InvalidQuery");
}

static double duration_of(const char *target)
{
	json_t *j = ok(target);
	double d = num(route0(j), "duration");
	json_decref(j);
	return d;
}

Test(osrm_http, bearings_restrict_snapping)
{
	double plain = duration_of(R A ";" B);
	/* Storgatan runs east: leaving A westward means a U-turn at its end */
	double west = duration_of(R A ";" B "?bearings=270,20;");
	double east = duration_of(R A ";" B "?bearings=90,20;");
	cr_assert_float_eq(east, plain, 1e-9);
	cr_assert_gt(west, plain + 5, "%f vs %f", west, plain);
	/* northwards: only Kungsgatan, 90 m away, matches */
	json_t *j = ok(R A ";" B "?bearings=0,10;");
	json_t *w0 = json_array_get(json_object_get(j, "waypoints"), 0);
	cr_assert_str_eq(str(w0, "name"), "Kungsgatan");
	cr_assert_gt(num(w0, "distance"), 50);
	json_decref(j);
	j = ok("/nearest/v1/driving/" A "?bearings=0,10");
	w0 = json_array_get(json_object_get(j, "waypoints"), 0);
	cr_assert_str_eq(str(w0, "name"), "Kungsgatan");
	json_decref(j);
	expect_error(R A ";" B "?bearings=0,10;&radiuses=50;", "NoSegment");
}

Test(osrm_http, approaches_curb_side)
{
	/* A lies north of Storgatan, i.e. on the right when driving west */
	double plain = duration_of(R A ";" B);
	double curb = duration_of(R A ";" B "?approaches=curb;");
	double opposite = duration_of(R A ";" B "?approaches=opposite;unrestricted");
	cr_assert_float_eq(opposite, plain, 1e-9);
	cr_assert_gt(curb, plain + 5, "%f vs %f", curb, plain);
}

Test(osrm_http, bearings_approaches_hints_accepted_and_checked)
{
	json_decref(ok(R A ";" B "?bearings=90,45;"));
	expect_error(R A ";" B "?bearings=400,45;", "InvalidOptions");
	expect_error(R A ";" B "?bearings=90,45", "InvalidOptions");
	expect_error(R A ";" B "?bearings=east;", "InvalidQuery");
	json_decref(ok(R A ";" B "?approaches=curb;unrestricted"));
	json_decref(ok(R A ";" B "?approaches=;opposite"));
	expect_error(R A ";" B "?approaches=curb", "InvalidOptions");
	expect_error(R A ";" B "?approaches=left;curb", "InvalidQuery");
	/* hints handed back from an earlier answer are accepted */
	json_t *j = ok(R A ";" B);
	json_t *wp = json_object_get(j, "waypoints");
	char t[512];
	snprintf(t, sizeof t, R A ";" B "?hints=%s;%s", str(json_array_get(wp, 0), "hint"),
	         str(json_array_get(wp, 1), "hint"));
	json_decref(j);
	json_decref(ok(t));
	json_decref(ok(R A ";" B "?hints=;"));
	expect_error(R A ";" B "?hints=abc", "InvalidOptions");
	expect_error(R A ";" B "?hints=a*c;", "InvalidQuery");
	json_decref(ok(R A ";" B "?snapping=any"));
	expect_error(R A ";" B "?snapping=closest", "InvalidQuery");
	expect_error(R A ";" B "?exclude=motorway", "InvalidValue");
}

Test(osrm_http, generate_hints_and_skip_waypoints)
{
	json_t *j = ok(R A ";" B "?generate_hints=false");
	json_t *w0 = json_array_get(json_object_get(j, "waypoints"), 0);
	cr_assert_null(json_object_get(w0, "hint"));
	cr_assert(json_object_get(w0, "location"));
	json_decref(j);
	j = ok(R A ";" B "?skip_waypoints=true");
	cr_assert_null(json_object_get(j, "waypoints"));
	json_decref(j);
	j = ok("/table/v1/driving/" A ";" B "?skip_waypoints=true");
	cr_assert_null(json_object_get(j, "sources"));
	cr_assert(json_object_get(j, "durations"));
	json_decref(j);
	expect_error(R A ";" B "?generate_hints=no", "InvalidQuery");
}

/* ---- table ----------------------------------------------------------------------- */

#define T "/table/v1/driving/" A ";" B ";" K ";" E6

Test(osrm_http, table_sources_destinations_annotations)
{
	json_t *j = ok(T);
	json_t *du = json_object_get(j, "durations");
	cr_assert_eq(json_array_size(du), 4);
	cr_assert_eq(json_array_size(json_array_get(du, 0)), 4);
	cr_assert_float_eq(json_number_value(json_array_get(json_array_get(du, 1), 1)), 0, 1e-9);
	cr_assert_null(json_object_get(j, "distances"));
	cr_assert_eq(json_array_size(json_object_get(j, "sources")), 4);
	double d03 = json_number_value(json_array_get(json_array_get(du, 0), 3));
	json_decref(j);
	/* the table agrees with the route service */
	j = ok(R A ";" E6);
	cr_assert_float_eq(num(route0(j), "duration"), d03, 0.051);
	json_decref(j);
	j = ok(T "?sources=0;3&destinations=3&annotations=duration,distance");
	du = json_object_get(j, "durations");
	json_t *di = json_object_get(j, "distances");
	cr_assert_eq(json_array_size(du), 2);
	cr_assert_eq(json_array_size(json_array_get(du, 0)), 1);
	cr_assert_float_eq(json_number_value(json_array_get(json_array_get(du, 0), 0)), d03, 1e-9);
	cr_assert_gt(json_number_value(json_array_get(json_array_get(di, 0), 0)), 1000);
	cr_assert_eq(json_array_size(json_object_get(j, "destinations")), 1);
	json_decref(j);
	j = ok(T "?annotations=distance&sources=all");
	cr_assert_null(json_object_get(j, "durations"));
	cr_assert_eq(json_array_size(json_object_get(j, "distances")), 4);
	json_decref(j);
	expect_error(T "?sources=9", "InvalidOptions");
	expect_error(T "?destinations=0;x", "InvalidQuery");
	expect_error(T "?annotations=speed", "InvalidQuery");
	expect_error(T "?steps=true", "InvalidQuery");
}

Test(osrm_http, table_fallback_and_scale)
{
	json_t *j = ok(T "?scale_factor=2");
	json_t *j1 = ok(T);
	for (size_t i = 0; i < 4; i++)
		for (size_t k = 0; k < 4; k++) {
			double a = json_number_value(
			    json_array_get(json_array_get(json_object_get(j, "durations"), i), k));
			double b = json_number_value(
			    json_array_get(json_array_get(json_object_get(j1, "durations"), i), k));
			cr_assert_float_eq(a, 2 * b, 0.051);
		}
	json_decref(j);
	json_decref(j1);
	/* every snapped point is in one strongly connected component, so the
	 * fallback is accepted but never needed */
	j = ok(T "?fallback_speed=10&fallback_coordinate=snapped");
	cr_assert_null(json_object_get(j, "fallback_speed_cells"));
	json_decref(j);
	expect_error(T "?fallback_speed=0", "InvalidOptions");
	expect_error(T "?fallback_speed=fast", "InvalidQuery");
	expect_error(T "?fallback_coordinate=middle", "InvalidQuery");
	expect_error(T "?scale_factor=-1", "InvalidOptions");
}

/* ---- nearest and errors ---------------------------------------------------------- */

Test(osrm_http, nearest_number)
{
	json_t *j = ok("/nearest/v1/driving/12.7021,56.0401?number=3");
	json_t *wp = json_object_get(j, "waypoints");
	cr_assert_eq(json_array_size(wp), 3);
	double prev = -1;
	for (size_t i = 0; i < 3; i++) {
		json_t *w = json_array_get(wp, i);
		cr_assert_geq(num(w, "distance"), prev);
		prev = num(w, "distance");
		json_t *nodes = json_object_get(w, "nodes");
		cr_assert_eq(json_array_size(nodes), 2);
		cr_assert_gt(json_integer_value(json_array_get(nodes, 0)), 0);
	}
	json_decref(j);
	j = ok("/nearest/v1/driving/12.7021,56.0401");
	cr_assert_eq(json_array_size(json_object_get(j, "waypoints")), 1);
	json_decref(j);
	expect_error("/nearest/v1/driving/12.7021,56.0401?number=0", "InvalidOptions");
	expect_error("/nearest/v1/driving/12.7021,56.0401?number=1000", "TooBig");
	expect_error("/nearest/v1/driving/12.7021,56.0401;12.7,56.04", "InvalidOptions");
}

Test(osrm_http, error_codes_and_statuses)
{
	expect_error(R, "InvalidUrl");
	expect_error(R A ";" B "/more", "InvalidUrl");
	expect_error(R A ";" B "?overview", "InvalidQuery");
	expect_error(R A ";" B "?colour=red", "InvalidQuery");
	expect_error(R "12.7005;56.0401", "InvalidQuery");
	expect_error(R "polyline(ofp_Ik_vpAilAyu@te@g%60E)", "InvalidQuery");
	expect_error(R A ";" "12.7,95", "InvalidValue");
	expect_error(R A, "InvalidOptions");
	expect_error(R A ";" "13.5,56.04", "NoSegment");
	expect_error("/table/v1/driving/" A ";" "13.5,56.04", "NoSegment");
	/* other services and versions reach the handler and get OSRM's codes */
	expect_error("/match/v1/driving/" A ";" B, "InvalidService");
	expect_error("/route/v2/driving/" A ";" B, "InvalidVersion");
	/* a route with more than SL_ROUTE_OSRM_MAX_ROUTE_POINTS coordinates */
	size_t cap = 20 * (SL_ROUTE_OSRM_MAX_ROUTE_POINTS + 2);
	char *big = malloc(cap);
	cr_assert(big);
	size_t n = (size_t)snprintf(big, cap, R "%s", A);
	for (int i = 0; i < SL_ROUTE_OSRM_MAX_ROUTE_POINTS; i++)
		n += (size_t)snprintf(big + n, cap - n, ";%s", B);
	resp_t r = get(big);
	cr_assert(r.status == 400 || r.status == 414, "%d", r.status);
	if (r.status == 400)
		cr_assert(strstr(r.body, "\"TooBig\""), "%s", r.body);
	free(r.body);
	free(big);
	/* 200 answers are JSON; errors are 400 with OSRM's body */
	r = get(R A ";" B);
	cr_assert(strstr(r.ctype, "application/json"), "%s", r.ctype);
	free(r.body);
}
