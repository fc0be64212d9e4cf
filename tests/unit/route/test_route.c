/* test_route.c — the route module: profile and tag parsing, hand-made OSM
 * fixtures (one-way, turn restrictions via a node and via a way, truck
 * limits, access=destination, barrier, island, a grid edge case found by
 * fuzzing), CH against plain Dijkstra on Monaco and on the via-way
 * fixture, matrices, alternatives, bad input (junk, truncated or hostile
 * PBF, unsupported XML encodings), corrupt graph files and the
 * OSRM-compatible handler (error codes, UTF-8 answers, the context pool
 * under threads).  The OSRM API over HTTP is tested in
 * tests/unit/server/test_osrm_http.c.
 *
 * The Monaco graph is built once per test binary: Criterion runs each test
 * in a child of one runner process, so the file is keyed by that parent's
 * pid, built under a lock by the first test that needs it and removed by
 * a POST_ALL report hook. */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <readosm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "samlast/route.h"

static const char *fixtures(void)
{
	const char *f = getenv("SL_FIXTURES");
	return f ? f : "tests/fixtures";
}

static sl_route_profile *profile(const char *name)
{
	sl_route_profile *p = NULL;
	sl_error e;
	cr_assert_eq(sl_route_profile_load(name, &p, &e), 0, "%s", e.message);
	return p;
}

/* Build fixture NAME.osm with a profile and open it. */
static sl_graph *fixture_graph(const char *name, const char *prof)
{
	char in[1024], out[256];
	snprintf(in, sizeof in, "%s/route/%s.osm", fixtures(), name);
	snprintf(out, sizeof out, "/tmp/sl_route_%s_%s_%d.graph", name, prof, (int)getpid());
	sl_route_profile *p = profile(prof);
	sl_error e;
	int rc = sl_route_graph_build(in, p, out, NULL, NULL, NULL, &e);
	sl_route_profile_free(p);
	cr_assert_eq(rc, 0, "%s", e.message);
	sl_graph *g;
	cr_assert_eq(sl_route_graph_open(out, &g, &e), 0, "%s", e.message);
	unlink(out); /* the mapping stays valid */
	return g;
}

/* Route between two coordinates; returns the sl_route_query code. */
static int route(sl_graph *g, double lon1, double lat1, double lon2, double lat2,
                 sl_route_result *r)
{
	sl_route_snap a, b;
	sl_error e;
	cr_assert_eq(sl_route_nearest(g, lon1, lat1, 0, &a, &e), 0, "%s", e.message);
	cr_assert_eq(sl_route_nearest(g, lon2, lat2, 0, &b, &e), 0, "%s", e.message);
	sl_route_ctx *c = sl_route_ctx_new(g);
	cr_assert_not_null(c);
	int rc = sl_route_query(c, &a, &b, SL_ROUTE_GEOMETRY, r, &e);
	sl_route_ctx_free(c);
	return rc;
}

/* ---- profiles and tag values ----------------------------------------------- */

Test(profile, maxspeed_values)
{
	sl_route_profile *p = profile("van");
	double v;
	cr_assert_eq(sl_route_parse_maxspeed(p, "50", &v), 0);
	cr_assert_float_eq(v, 50, 1e-9);
	cr_assert_eq(sl_route_parse_maxspeed(p, "30 mph", &v), 0);
	cr_assert_float_eq(v, 30 * 1.609344, 1e-9);
	cr_assert_eq(sl_route_parse_maxspeed(p, "SE:urban", &v), 0);
	cr_assert_float_eq(v, 50, 1e-9);
	cr_assert_eq(sl_route_parse_maxspeed(p, "SE:rural", &v), 0);
	cr_assert_float_eq(v, 70, 1e-9);
	cr_assert_eq(sl_route_parse_maxspeed(p, "walk", &v), 0);
	cr_assert_float_eq(v, 7, 1e-9);
	cr_assert_eq(sl_route_parse_maxspeed(p, "none", &v), 0);
	cr_assert_float_eq(v, 110, 1e-9); /* the van's top speed */
	cr_assert_eq(sl_route_parse_maxspeed(p, "70;50", &v), 0);
	cr_assert_float_eq(v, 50, 1e-9);
	cr_assert_eq(sl_route_parse_maxspeed(p, "signals", &v), SL_EINVAL);
	cr_assert_eq(sl_route_parse_maxspeed(p, "XX:nowhere", &v), SL_EINVAL);
	cr_assert_eq(sl_route_parse_maxspeed(p, "fast", &v), SL_EINVAL);
	cr_assert_eq(sl_route_parse_maxspeed(p, "", &v), SL_EINVAL);
	cr_assert_eq(sl_route_parse_maxspeed(p, "-5", &v), SL_EINVAL);
	sl_route_profile_free(p);
}

Test(profile, lengths_and_weights)
{
	double m, t;
	cr_assert_eq(sl_route_parse_length_m("3.8", &m), 0);
	cr_assert_float_eq(m, 3.8, 1e-9);
	cr_assert_eq(sl_route_parse_length_m("3,8 m", &m), 0);
	cr_assert_float_eq(m, 3.8, 1e-9);
	cr_assert_eq(sl_route_parse_length_m("4'6\"", &m), 0);
	cr_assert_float_eq(m, 4 * 0.3048 + 6 * 0.0254, 1e-9);
	cr_assert_eq(sl_route_parse_length_m("12 ft", &m), 0);
	cr_assert_float_eq(m, 12 * 0.3048, 1e-9);
	cr_assert_eq(sl_route_parse_length_m("380 cm", &m), 0);
	cr_assert_float_eq(m, 3.8, 1e-9);
	cr_assert_eq(sl_route_parse_length_m("none", &m), SL_EINVAL);
	cr_assert_eq(sl_route_parse_length_m("default", &m), SL_EINVAL);
	cr_assert_eq(sl_route_parse_length_m("4'13\"", &m), SL_EINVAL);
	cr_assert_eq(sl_route_parse_weight_t("3.5 t", &t), 0);
	cr_assert_float_eq(t, 3.5, 1e-9);
	cr_assert_eq(sl_route_parse_weight_t("3500 kg", &t), 0);
	cr_assert_float_eq(t, 3.5, 1e-9);
	cr_assert_eq(sl_route_parse_weight_t("7.5", &t), 0);
	cr_assert_float_eq(t, 7.5, 1e-9);
	cr_assert_eq(sl_route_parse_weight_t("10 st", &t), 0);
	cr_assert_float_eq(t, 9.0718474, 1e-6);
	cr_assert_eq(sl_route_parse_weight_t("heavy", &t), SL_EINVAL);
}

static void bad_profile(const char *text, long line, const char *what)
{
	sl_route_profile *p = NULL;
	sl_error e;
	sl_error_clear(&e);
	cr_assert_eq(sl_route_profile_parse(text, strlen(text), "x.ini", &p, &e), SL_EINVAL,
	             "accepted: %s", text);
	cr_assert_null(p);
	cr_assert_eq(e.line, line, "line %ld for %s (%s)", e.line, text, e.message);
	cr_assert(strstr(e.message, what), "message '%s' lacks '%s'", e.message, what);
}

Test(profile, syntax_errors)
{
	bad_profile("[vehicle]\nname = a\n[bogus]\n", 3, "unknown section");
	bad_profile("[vehicle]\nname = a\nspeed\n", 3, "key = value");
	bad_profile("[vehicle]\nname = a\ncolour = red\n", 3, "unknown key");
	bad_profile("[vehicle]\nname = a\n[highway]\nprimary = fast\n", 4, "bad value");
	bad_profile("name = a\n", 1, "outside a section");
	bad_profile("[vehicle]\nname = a\naccess_tags = access\nallowed = yes\n", 0,
	            "no [highway]");
	bad_profile("[vehicle]\nname = a\n[barrier]\ngate = maybe\n", 4, "bad value");
}

Test(profile, shipped_profiles_load)
{
	const char *names[] = {"van", "truck", "car"};
	for (int i = 0; i < 3; i++) {
		sl_route_profile *p = profile(names[i]);
		cr_assert_str_eq(sl_route_profile_name(p), names[i]);
		sl_route_profile_free(p);
	}
	sl_route_profile *p = NULL;
	sl_error e;
	cr_assert_eq(sl_route_profile_load("bicycle", &p, &e), SL_ENOTFOUND);
}

/* ---- fixtures -------------------------------------------------------------------- */

Test(fixture, oneway_and_reverse_oneway)
{
	sl_graph *g = fixture_graph("oneway", "van");
	sl_route_result r;
	/* bottom street: one-way eastward */
	cr_assert_eq(route(g, 12.7003, 56.0400, 12.7007, 56.0400, &r), 0);
	cr_assert_lt(r.distance_m, 30);
	sl_route_result_free(&r);
	cr_assert_eq(route(g, 12.7007, 56.0400, 12.7003, 56.0400, &r), 0);
	cr_assert_gt(r.distance_m, 300, "went against the one-way: %f", r.distance_m);
	sl_route_result_free(&r);
	/* top street: oneway=-1 on a way drawn westward→eastward: travel west only */
	cr_assert_eq(route(g, 12.7007, 56.0410, 12.7003, 56.0410, &r), 0);
	cr_assert_lt(r.distance_m, 30);
	sl_route_result_free(&r);
	cr_assert_eq(route(g, 12.7003, 56.0410, 12.7007, 56.0410, &r), 0);
	cr_assert_gt(r.distance_m, 300);
	sl_route_result_free(&r);
	sl_route_graph_close(g);
}

Test(fixture, turn_restrictions)
{
	sl_graph *g = fixture_graph("restriction", "car");
	sl_route_result r;
	/* south arm → east arm: no_right_turn forces the ring */
	cr_assert_eq(route(g, 12.7010, 56.0405, 12.7015, 56.0410, &r), 0);
	cr_assert_gt(r.distance_m, 250, "turned right: %f", r.distance_m);
	sl_route_result_free(&r);
	/* south → north (straight on) is unaffected */
	cr_assert_eq(route(g, 12.7010, 56.0405, 12.7010, 56.0415, &r), 0);
	cr_assert_lt(r.distance_m, 120);
	sl_route_result_free(&r);
	/* west → north: only_straight_on forbids the left turn */
	cr_assert_eq(route(g, 12.7005, 56.0410, 12.7010, 56.0415, &r), 0);
	cr_assert_gt(r.distance_m, 250, "turned left: %f", r.distance_m);
	sl_route_result_free(&r);
	/* east → south: no_right_turn... except=delivery: applies to a car */
	cr_assert_eq(route(g, 12.7015, 56.0410, 12.7010, 56.0405, &r), 0);
	double car = r.distance_m;
	sl_route_result_free(&r);
	sl_route_graph_close(g);
	g = fixture_graph("restriction", "van");
	cr_assert_eq(route(g, 12.7015, 56.0410, 12.7010, 56.0405, &r), 0);
	cr_assert_lt(r.distance_m, 120, "delivery van should be excepted");
	cr_assert_gt(car, r.distance_m + 100, "car %f van %f", car, r.distance_m);
	sl_route_result_free(&r);
	sl_route_graph_close(g);
}

static char *osrm(sl_graph *g, const char *url, int *status);

/* CH against plain Dijkstra on every pair of n random snaps of a graph */
static void ch_matches_dijkstra(sl_graph *g, int n, uint64_t seed)
{
	sl_route_ctx *c = sl_route_ctx_new(g);
	cr_assert_not_null(c);
	sl_rng rng;
	sl_rng_seed(&rng, seed);
	sl_route_graph_info in;
	sl_route_graph_get_info(g, &in);
	sl_route_snap s[64];
	cr_assert_leq(n, 64);
	for (int i = 0; i < n;) {
		double lon = in.min_lon + sl_rng_double(&rng) * (in.max_lon - in.min_lon);
		double lat = in.min_lat + sl_rng_double(&rng) * (in.max_lat - in.min_lat);
		if (sl_route_nearest(g, lon, lat, 300, &s[i], NULL) == 0)
			i++;
	}
	sl_error e;
	for (int i = 0; i < n; i++) {
		double dd[64], dl[64], dw[64];
		cr_assert_eq(sl_route_dijkstra(c, &s[i], s, (size_t)n, dd, dl, dw, &e), 0);
		for (int j = 0; j < n; j++) {
			sl_route_result r;
			cr_assert_eq(sl_route_query(c, &s[i], &s[j], 0, &r, &e), 0, "%s", e.message);
			cr_assert_eq(r.weight, dw[j], "pair %d,%d: CH %f Dijkstra %f", i, j, r.weight,
			             dw[j]);
			cr_assert_eq(r.distance_m, dl[j], "pair %d,%d", i, j);
		}
	}
	sl_route_ctx_free(c);
}

static sl_graph *fixture_graph_stats(const char *name, const char *prof, sl_route_build_stats *st)
{
	char in[1024], out[256];
	snprintf(in, sizeof in, "%s/route/%s.osm", fixtures(), name);
	snprintf(out, sizeof out, "/tmp/sl_route_%s_%s_%d.graph", name, prof, (int)getpid());
	sl_route_profile *p = profile(prof);
	sl_error e;
	int rc = sl_route_graph_build(in, p, out, NULL, NULL, st, &e);
	sl_route_profile_free(p);
	cr_assert_eq(rc, 0, "%s", e.message);
	sl_graph *g;
	cr_assert_eq(sl_route_graph_open(out, &g, &e), 0, "%s", e.message);
	unlink(out);
	return g;
}

Test(fixture, grid_covers_the_bounding_box_edges)
{
	sl_graph *g = fixture_graph("fuzz_grid_row", "van");
	sl_route_graph_info in;
	sl_route_graph_get_info(g, &in);
	sl_route_snap s;
	sl_error e;
	cr_assert_eq(sl_route_nearest(g, in.max_lon, in.max_lat, 0, &s, &e), 0, "%s", e.message);
	cr_assert_eq(sl_route_nearest(g, in.min_lon, in.min_lat, 0, &s, &e), 0, "%s", e.message);
	sl_route_graph_close(g);
}

Test(fixture, restrictions_via_a_way)
{
	sl_route_build_stats st;
	sl_graph *g = fixture_graph_stats("via_way", "van", &st);
	cr_assert_eq(st.restrictions_used, 2); /* the hgv one is not the van's */
	cr_assert_eq(st.restrictions_skipped, 0);
	sl_route_result r;
	/* west road → link → north: no_left_turn via the link forces the detour */
	cr_assert_eq(route(g, 12.7010, 56.0400, 12.7030, 56.0415, &r), 0);
	cr_assert_gt(r.distance_m, 350, "turned left: %f", r.distance_m);
	sl_route_result_free(&r);
	/* starting on the link itself, the left turn is fine */
	cr_assert_eq(route(g, 12.7025, 56.0400, 12.7030, 56.0415, &r), 0);
	cr_assert_lt(r.distance_m, 250, "%f", r.distance_m);
	sl_route_result_free(&r);
	/* east road → link: only straight on, so not right onto road 34 at 2 */
	cr_assert_eq(route(g, 12.7045, 56.0400, 12.7020, 56.0415, &r), 0);
	double via_north = r.distance_m;
	sl_route_result_free(&r);
	cr_assert_eq(route(g, 12.7045, 56.0400, 12.7010, 56.0400, &r), 0);
	cr_assert_lt(r.distance_m, 250, "straight on: %f", r.distance_m);
	sl_route_result_free(&r);
	cr_assert_gt(via_north, 400, "turned right after the link: %f", via_north);
	/* east → north at 3: allowed for the van */
	cr_assert_eq(route(g, 12.7045, 56.0400, 12.7030, 56.0415, &r), 0);
	double van = r.distance_m;
	sl_route_result_free(&r);
	cr_assert_lt(van, 300);
	ch_matches_dijkstra(g, 40, 7);
	/* the spur's 400-byte name is cut to 255 bytes, still valid UTF-8 */
	int hs;
	char *b = osrm(g, "/nearest/v1/driving/12.7065,56.0401", &hs);
	cr_assert_eq(hs, 200);
	cr_assert_lt(sl_utf8_invalid_at(b, strlen(b)), 0, "%s", b);
	cr_assert(strstr(b, "ÅÅÅÅ?\""), "%s", b);
	free(b);
	sl_route_graph_close(g);
	/* type=restriction:hgv applies to the truck only */
	g = fixture_graph_stats("via_way", "truck", &st);
	cr_assert_eq(st.restrictions_used, 3);
	cr_assert_eq(route(g, 12.7045, 56.0400, 12.7030, 56.0415, &r), 0);
	cr_assert_gt(r.distance_m, van + 300, "truck %f van %f", r.distance_m, van);
	sl_route_result_free(&r);
	ch_matches_dijkstra(g, 40, 8);
	sl_route_graph_close(g);
}

Test(fixture, truck_detours_van_does_not)
{
	sl_route_result r;
	sl_graph *g = fixture_graph("truck", "van");
	cr_assert_eq(route(g, 12.7001, 56.0400, 12.7019, 56.0400, &r), 0);
	cr_assert_lt(r.distance_m, 150, "van took %f m", r.distance_m);
	sl_route_result_free(&r);
	sl_route_graph_close(g);
	g = fixture_graph("truck", "truck");
	cr_assert_eq(route(g, 12.7001, 56.0400, 12.7019, 56.0400, &r), 0);
	cr_assert_gt(r.distance_m, 300, "truck passed the low bridge: %f m", r.distance_m);
	sl_route_result_free(&r);
	sl_route_graph_close(g);
}

Test(fixture, destination_street_not_for_through_traffic)
{
	sl_route_result r;
	sl_graph *g = fixture_graph("destination", "van");
	cr_assert_eq(route(g, 12.7001, 56.0400, 12.7019, 56.0400, &r), 0);
	cr_assert_gt(r.distance_m, 300, "went through: %f m", r.distance_m);
	cr_assert_geq(r.weight, r.duration_s);
	sl_route_result_free(&r);
	/* but the street can be a destination */
	sl_route_snap s;
	sl_error e;
	cr_assert_eq(sl_route_nearest(g, 12.7015, 56.04001, 0, &s, &e), 0);
	cr_assert_lt(s.distance_m, 2);
	cr_assert_eq(route(g, 12.7001, 56.0400, 12.7015, 56.0400, &r), 0);
	sl_route_result_free(&r);
	sl_route_graph_close(g);
}

Test(fixture, foreign_snap_is_no_route)
{
	sl_graph *g = fixture_graph("oneway", "van");
	sl_route_snap a, bad = {0};
	sl_error e;
	cr_assert_eq(sl_route_nearest(g, 12.7003, 56.04, 0, &a, &e), 0);
	bad.edge = 999999;
	sl_route_ctx *c = sl_route_ctx_new(g);
	sl_route_result r;
	cr_assert_eq(sl_route_query(c, &a, &bad, 0, &r, &e), SL_ENOROUTE);
	cr_assert_eq(sl_route_query(c, &bad, &a, 0, &r, &e), SL_ENOROUTE);
	double d = 0;
	cr_assert_eq(sl_route_matrix(c, &a, 1, &bad, 1, &d, NULL, &e), 0);
	cr_assert_eq(d, -1);
	sl_route_ctx_free(c);
	sl_route_graph_close(g);
}

/* Duration of a route along one part of swedish.osm at the given km/h. */
static void expect_speed(sl_graph *g, double lon1, double lon2, double kmh)
{
	sl_route_result r;
	cr_assert_eq(route(g, lon1, 56.04, lon2, 56.04, &r), 0);
	double want = r.distance_m / (kmh / 3.6);
	cr_assert(fabs(r.duration_s - want) <= 0.2, "%f..%f: %f s, want %f s at %f km/h", lon1,
	          lon2, r.duration_s, want, kmh);
	sl_route_result_free(&r);
}

Test(fixture, swedish_maxspeed_through_import)
{
	sl_graph *g = fixture_graph("swedish", "van");
	expect_speed(g, 12.7001, 12.7099, 50);            /* maxspeed:type=SE:urban */
	expect_speed(g, 12.7101, 12.7199, 30 * 1.609344); /* 30 mph */
	expect_speed(g, 12.7201, 12.7299, 70);            /* SE:rural */
	sl_route_graph_close(g);
}

Test(fixture, bollard_blocks)
{
	sl_route_result r;
	sl_graph *g = fixture_graph("barrier", "van");
	cr_assert_eq(route(g, 12.7001, 56.0400, 12.7019, 56.0400, &r), 0);
	cr_assert_gt(r.distance_m, 300, "passed the bollard: %f m", r.distance_m);
	sl_route_result_free(&r);
	sl_route_graph_close(g);
}

Test(fixture, island_is_never_a_snap_target)
{
	sl_graph *g = fixture_graph("island", "van");
	sl_route_snap s;
	sl_error e;
	/* right on the island street, 600 m from the main network */
	cr_assert_eq(sl_route_nearest(g, 12.7105, 56.0400, 2000, &s, &e), 0, "%s", e.message);
	cr_assert_lt(s.lon, 12.7025);
	cr_assert_gt(s.distance_m, 400);
	cr_assert_eq(sl_route_nearest(g, 12.7105, 56.0400, 100, &s, &e), SL_ENOTFOUND);
	sl_route_graph_close(g);
}

/* ---- Monaco ----------------------------------------------------------------- */

static int monaco_path(char *out, size_t n, const char *file)
{
	const char *sd = getenv("SL_SHARED_DATA");
	if (!sd)
		return -1;
	snprintf(out, n, "%s/osm/%s", sd, file);
	return access(out, R_OK);
}

static sl_graph *monaco(void)
{
	char pbf[1024], out[128], lock[160];
	if (monaco_path(pbf, sizeof pbf, "monaco.osm.pbf") != 0)
		cr_skip_test("../shared/data/osm/monaco.osm.pbf is absent (SL_SHARED_DATA)");
	snprintf(out, sizeof out, "/tmp/sl_route_monaco_%d.graph", (int)getppid());
	snprintf(lock, sizeof lock, "%s.lock", out);
	int fd = open(lock, O_CREAT | O_RDWR, 0600);
	cr_assert_geq(fd, 0);
	flock(fd, LOCK_EX);
	if (access(out, R_OK) != 0) {
		sl_route_profile *p = profile("van");
		sl_error e;
		int rc = sl_route_graph_build(pbf, p, out, NULL, NULL, NULL, &e);
		sl_route_profile_free(p);
		cr_assert_eq(rc, 0, "%s", e.message);
	}
	flock(fd, LOCK_UN);
	close(fd);
	sl_graph *g;
	sl_error e;
	cr_assert_eq(sl_route_graph_open(out, &g, &e), 0, "%s", e.message);
	return g;
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	(void)stats;
	char out[128], lock[160];
	snprintf(out, sizeof out, "/tmp/sl_route_monaco_%d.graph", (int)getpid());
	snprintf(lock, sizeof lock, "%s.lock", out);
	unlink(out);
	unlink(lock);
}

static void random_snaps(sl_graph *g, sl_rng *rng, sl_route_snap *s, size_t n)
{
	sl_route_graph_info in;
	sl_route_graph_get_info(g, &in);
	for (size_t i = 0; i < n;) {
		double lon = in.min_lon + sl_rng_double(rng) * (in.max_lon - in.min_lon);
		double lat = in.min_lat + sl_rng_double(rng) * (in.max_lat - in.min_lat);
		if (sl_route_nearest(g, lon, lat, 300, &s[i], NULL) == 0)
			i++;
	}
}

Test(monaco, ch_equals_dijkstra_on_2000_pairs, .timeout = 120)
{
	sl_graph *g = monaco();
	sl_route_ctx *c = sl_route_ctx_new(g);
	sl_rng rng;
	sl_rng_seed(&rng, 20081);
	enum { NS = 40, NT = 50 };
	sl_route_snap src[NS], dst[NT];
	random_snaps(g, &rng, src, NS);
	random_snaps(g, &rng, dst, NT);
	/* include same-edge pairs both ways */
	dst[0] = src[0];
	dst[1] = src[1];
	dst[1].t = dst[1].t > 0.5 ? dst[1].t - 0.4 : dst[1].t + 0.4;
	sl_error e;
	int compared = 0;
	for (int i = 0; i < NS; i++) {
		double dd[NT], dl[NT], dw[NT];
		cr_assert_eq(sl_route_dijkstra(c, &src[i], dst, NT, dd, dl, dw, &e), 0);
		for (int j = 0; j < NT; j++) {
			sl_route_result r;
			int rc = sl_route_query(c, &src[i], &dst[j], 0, &r, &e);
			if (dw[j] < 0) {
				cr_assert_eq(rc, SL_ENOROUTE);
				continue;
			}
			cr_assert_eq(rc, 0, "%s", e.message);
			cr_assert_eq(r.weight, dw[j], "pair %d,%d weight CH %f Dijkstra %f", i, j,
			             r.weight, dw[j]);
			cr_assert_eq(r.duration_s, dd[j], "pair %d,%d duration CH %f Dijkstra %f",
			             i, j, r.duration_s, dd[j]);
			cr_assert_eq(r.distance_m, dl[j], "pair %d,%d distance", i, j);
			compared++;
		}
	}
	cr_assert_geq(compared, 1950, "only %d pairs reachable", compared);
	sl_route_ctx_free(c);
	sl_route_graph_close(g);
}

Test(monaco, unpacked_geometry_length_equals_distance)
{
	sl_graph *g = monaco();
	sl_route_ctx *c = sl_route_ctx_new(g);
	sl_rng rng;
	sl_rng_seed(&rng, 7);
	sl_route_snap s[2];
	sl_error e;
	for (int k = 0; k < 300; k++) {
		random_snaps(g, &rng, s, 2);
		sl_route_result r;
		cr_assert_eq(sl_route_query(c, &s[0], &s[1], SL_ROUTE_GEOMETRY, &r, &e), 0, "%s",
		             e.message);
		cr_assert_geq(r.n_coords, 2);
		cr_assert_float_eq(r.coords[0], s[0].lon, 1e-9);
		cr_assert_float_eq(r.coords[2 * r.n_coords - 1], s[1].lat, 1e-9);
		double len = 0;
		for (size_t i = 1; i < r.n_coords; i++)
			len += sl_route_haversine_m(r.coords[2 * i - 2], r.coords[2 * i - 1],
			                            r.coords[2 * i], r.coords[2 * i + 1]);
		/* every edge's length is rounded to 0.1 m once */
		double tol = 0.05 * (double)r.n_coords + 0.1;
		cr_assert(fabs(len - r.distance_m) <= tol, "route %d: geometry %f m, reported %f m",
		          k, len, r.distance_m);
		sl_route_result_free(&r);
	}
	sl_route_ctx_free(c);
	sl_route_graph_close(g);
}

Test(monaco, matrix_equals_single_queries)
{
	sl_graph *g = monaco();
	sl_route_ctx *c = sl_route_ctx_new(g);
	sl_rng rng;
	sl_rng_seed(&rng, 2007);
	enum { N = 30, M = 25 };
	sl_route_snap a[N], b[M];
	random_snaps(g, &rng, a, N);
	random_snaps(g, &rng, b, M);
	b[3] = a[3]; /* the same point: zero */
	b[4] = a[4];
	b[4].t = b[4].t > 0.5 ? b[4].t - 0.3 : b[4].t + 0.3;
	double dur[N * M], dist[N * M];
	sl_error e;
	cr_assert_eq(sl_route_matrix(c, a, N, b, M, dur, dist, &e), 0, "%s", e.message);
	for (int i = 0; i < N; i++)
		for (int j = 0; j < M; j++) {
			sl_route_result r;
			int rc = sl_route_query(c, &a[i], &b[j], 0, &r, &e);
			if (rc == SL_ENOROUTE) {
				cr_assert_eq(dur[i * M + j], -1);
				continue;
			}
			cr_assert_eq(rc, 0);
			cr_assert_eq(dur[i * M + j], r.duration_s, "%d,%d: %f vs %f", i, j,
			             dur[i * M + j], r.duration_s);
			cr_assert_eq(dist[i * M + j], r.distance_m, "%d,%d", i, j);
		}
	cr_assert_eq(dur[3 * M + 3], 0);
	sl_route_ctx_free(c);
	sl_route_graph_close(g);
}

Test(monaco, bad_coordinates)
{
	sl_graph *g = monaco();
	sl_route_snap s;
	sl_error e;
	cr_assert_eq(sl_route_nearest(g, 200, 43.7, 0, &s, &e), SL_EINVAL);
	cr_assert_eq(sl_route_nearest(g, 7.4, 95, 0, &s, &e), SL_EINVAL);
	cr_assert_eq(sl_route_nearest(g, NAN, 43.7, 0, &s, &e), SL_EINVAL);
	/* far out in the Mediterranean */
	cr_assert_eq(sl_route_nearest(g, 7.6, 43.3, 0, &s, &e), SL_ENOTFOUND);
	cr_assert(strstr(e.message, "no road"));
	sl_route_graph_close(g);
}

/* ---- bad files ----------------------------------------------------------------- */

static int build_file(const char *in, char *errmsg, size_t n)
{
	sl_route_profile *p = profile("van");
	sl_error e;
	sl_error_clear(&e);
	char out[128];
	snprintf(out, sizeof out, "/tmp/sl_route_bad_%d.graph", (int)getpid());
	int rc = sl_route_graph_build(in, p, out, NULL, NULL, NULL, &e);
	sl_route_profile_free(p);
	snprintf(errmsg, n, "%s", e.message);
	unlink(out);
	return rc;
}

Test(badinput, not_pbf_truncated_missing)
{
	char path[128], msg[800];
	snprintf(path, sizeof path, "/tmp/sl_route_junk_%d.osm.pbf", (int)getpid());
	FILE *f = fopen(path, "wb");
	fputs("this is not a protocol buffer at all, just text\n", f);
	fclose(f);
	cr_assert_eq(build_file(path, msg, sizeof msg), SL_EINVAL);
	cr_assert(strstr(msg, "PBF") || strstr(msg, "parse"), "%s", msg);
	char mon[1024];
	if (monaco_path(mon, sizeof mon, "monaco.osm.pbf") == 0) {
		FILE *in = fopen(mon, "rb");
		f = fopen(path, "wb");
		char buf[65536];
		size_t n = fread(buf, 1, sizeof buf, in);
		fwrite(buf, 1, n - 1000, f); /* cut inside a block */
		fclose(in);
		fclose(f);
		int rc = build_file(path, msg, sizeof msg);
		cr_assert_neq(rc, 0, "a truncated PBF was accepted");
		cr_assert(strstr(msg, "truncated"), "%s", msg);
	}
	/* a block header declaring 2.5 GB (found by fuzzing: libreadosm would
	 * try to allocate it) */
	f = fopen(path, "wb");
	fwrite("\x97(\xff\xff\xff.", 1, 7, f);
	fclose(f);
	cr_assert_eq(build_file(path, msg, sizeof msg), SL_EINVAL);
	cr_assert(strstr(msg, "bad block header at byte 0"), "%s", msg);
	unlink(path);
	/* an XML encoding libreadosm's expat does not know (found by fuzzing:
	 * expat's parser leaked) */
	char xml[128];
	snprintf(xml, sizeof xml, "/tmp/sl_route_utf7_%d.osm", (int)getpid());
	f = fopen(xml, "wb");
	fputs("<?xml version=\"1.0\" encoding=\"UTF-7\"?>\n<osm version=\"0.6\"></osm>\n", f);
	fclose(f);
	cr_assert_eq(build_file(xml, msg, sizeof msg), SL_EINVAL);
	cr_assert(strstr(msg, "encoding 'UTF-7'"), "%s", msg);
	unlink(xml);
	cr_assert_eq(build_file("/nonexistent/x.osm.pbf", msg, sizeof msg), SL_EIO);
	cr_assert_eq(build_file("/etc/hostname", msg, sizeof msg), SL_EINVAL);
	cr_assert(strstr(msg, ".osm"), "%s", msg);
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f);
	fseek(f, 0, SEEK_END);
	*n = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc(*n);
	cr_assert_eq(fread(b, 1, *n, f), *n);
	fclose(f);
	return b;
}

static void spit(const char *path, const char *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	fwrite(b, 1, n, f);
	fclose(f);
}

static void expect_refused(const char *path, int code, const char *what)
{
	sl_graph *g = NULL;
	sl_error e;
	sl_error_clear(&e);
	cr_assert_eq(sl_route_graph_open(path, &g, &e), code, "%s", e.message);
	cr_assert_null(g);
	cr_assert(strstr(e.message, what), "message '%s' lacks '%s'", e.message, what);
}

Test(badinput, corrupt_graph_refused)
{
	char in[1024], out[128], bad[128];
	snprintf(in, sizeof in, "%s/route/restriction.osm", fixtures());
	snprintf(out, sizeof out, "/tmp/sl_route_good_%d.graph", (int)getpid());
	snprintf(bad, sizeof bad, "/tmp/sl_route_corrupt_%d.graph", (int)getpid());
	sl_route_profile *p = profile("van");
	sl_error e;
	cr_assert_eq(sl_route_graph_build(in, p, out, NULL, NULL, NULL, &e), 0, "%s", e.message);
	sl_route_profile_free(p);
	size_t n;
	char *b = slurp(out, &n);
	sl_graph *g;
	cr_assert_eq(sl_route_graph_open(out, &g, &e), 0, "%s", e.message);
	sl_route_graph_close(g);
	/* one flipped bit in the body */
	b[n - 9] ^= 0x10;
	spit(bad, b, n);
	expect_refused(bad, SL_ECORRUPT, "checksum");
	b[n - 9] ^= 0x10;
	spit(bad, b, n / 2);
	expect_refused(bad, SL_ECORRUPT, "truncated");
	spit(bad, b, 100);
	expect_refused(bad, SL_ECORRUPT, "too short");
	b[9] ^= 1; /* the format version */
	spit(bad, b, n);
	expect_refused(bad, SL_EUNSUPPORTED, "version");
	b[9] ^= 1;
	b[0] = 'X';
	spit(bad, b, n);
	expect_refused(bad, SL_ECORRUPT, "magic");
	expect_refused("/nonexistent.graph", SL_EIO, "cannot open");
	free(b);
	unlink(out);
	unlink(bad);
}

/* ---- Stockholm: Swedish tagging ------------------------------------------------- */

typedef struct seen {
	int n, parsed, zone;
	const sl_route_profile *p;
	char bad[256];
} seen;

static int on_way(const void *u, const readosm_way *w)
{
	seen *s = (seen *)u;
	for (int i = 0; i < w->tag_count; i++) {
		if (strcmp(w->tags[i].key, "maxspeed") != 0)
			continue;
		double v;
		s->n++;
		if (sl_route_parse_maxspeed(s->p, w->tags[i].value, &v) == 0 && v > 0 && v <= 130)
			s->parsed++;
		else
			snprintf(s->bad, sizeof s->bad, "%s", w->tags[i].value);
		if (strncmp(w->tags[i].value, "SE:", 3) == 0)
			s->zone++;
	}
	return READOSM_OK;
}

Test(stockholm, swedish_maxspeed_tagging)
{
	char pbf[1024];
	if (monaco_path(pbf, sizeof pbf, "stockholm-small.osm.pbf") != 0)
		cr_skip_test("../shared/data/osm/stockholm-small.osm.pbf is absent");
	seen s = {0};
	sl_route_profile *p = profile("van");
	s.p = p;
	const void *h;
	cr_assert_eq(readosm_open(pbf, &h), READOSM_OK);
	cr_assert_eq(readosm_parse(h, &s, NULL, on_way, NULL), READOSM_OK);
	readosm_close(h);
	cr_assert_gt(s.n, 10, "too few maxspeed tags (%d)", s.n);
	cr_assert_eq(s.parsed, s.n, "unparsed maxspeed value '%s'", s.bad);
	sl_route_profile_free(p);
	/* and the extract builds into a routable graph */
	char out[128];
	snprintf(out, sizeof out, "/tmp/sl_route_sthlm_%d.graph", (int)getpid());
	p = profile("truck");
	sl_error e;
	sl_route_build_stats st;
	cr_assert_eq(sl_route_graph_build(pbf, p, out, NULL, NULL, &st, &e), 0, "%s", e.message);
	cr_assert_gt(st.nodes, 50);
	sl_route_profile_free(p);
	unlink(out);
}

/* ---- CLI ---------------------------------------------------------------------------- */

static int run(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(cli, graph_route_matrix)
{
	const char *bin = getenv("SAMLAST_BIN");
	if (!bin)
		cr_skip_test("SAMLAST_BIN not set");
	char cmd[4096], g[128], pts[128], out[128];
	int pid = (int)getpid();
	snprintf(g, sizeof g, "/tmp/sl_route_cli_%d.graph", pid);
	snprintf(pts, sizeof pts, "/tmp/sl_route_cli_%d.csv", pid);
	snprintf(out, sizeof out, "/tmp/sl_route_cli_%d.out", pid);
	snprintf(cmd, sizeof cmd,
	         "%s graph build --profile van %s/route/oneway.osm -o %s 2>/dev/null", bin,
	         fixtures(), g);
	cr_assert_eq(run(cmd), 0);
	snprintf(cmd, sizeof cmd, "%s route --graph %s 12.7007,56.04 12.7003,56.04 > %s", bin, g,
	         out);
	cr_assert_eq(run(cmd), 0);
	size_t n;
	char *b = slurp(out, &n);
	cr_assert(n > 0 && strstr(b, "\"distance_m\":") && strstr(b, "LineString"));
	free(b);
	const char *csv = "\xEF\xBB\xBFid;lon;lat\nA;12,7003;56,04\nB;12,7007;56,04\n";
	spit(pts, csv, strlen(csv));
	snprintf(cmd, sizeof cmd, "%s matrix --graph %s --points %s > %s", bin, g, pts, out);
	cr_assert_eq(run(cmd), 0);
	b = slurp(out, &n);
	cr_assert(strstr(b, "A,B,") && strstr(b, "B,A,"), "%s", b);
	free(b);
	/* bad points files: a missing column header, a bad number (with its line), a point at sea
	 */
	const char *bad[] = {"id;name\nA;x\n", "lon,lat\n12.7003,56.04\n12.70x,56.04\n",
	                     "lon,lat\n12.7003,56.04\n14.5,56.04\n"};
	const char *why[] = {":1:1: error: header needs lon and lat", ":3:1: error: expected lon",
	                     "no road within"};
	for (int i = 0; i < 3; i++) {
		spit(pts, bad[i], strlen(bad[i]));
		snprintf(cmd, sizeof cmd, "%s matrix --graph %s --points %s 2> %s", bin, g, pts,
		         out);
		cr_assert_eq(run(cmd), 1, "points file %d", i);
		b = slurp(out, &n);
		b = realloc(b, n + 1);
		b[n] = 0;
		cr_assert(strstr(b, why[i]), "points file %d: %s", i, b);
		free(b);
	}
	snprintf(cmd, sizeof cmd, "%s route --graph %s 12.7,56.04 2>/dev/null", bin, g);
	cr_assert_eq(run(cmd), 2);
	snprintf(cmd, sizeof cmd, "%s route --graph %s 12.7,56.04 x,y 2>/dev/null", bin, g);
	cr_assert_eq(run(cmd), 1);
	snprintf(cmd, sizeof cmd, "%s route --help >/dev/null", bin);
	cr_assert_eq(run(cmd), 0);
	snprintf(cmd, sizeof cmd, "%s graph info /etc/hostname 2>/dev/null", bin);
	cr_assert_eq(run(cmd), 1);
	unlink(g);
	unlink(pts);
	unlink(out);
}

/* ---- OSRM-compatible handler -------------------------------------------------------- */

static char *osrm(sl_graph *g, const char *url, int *status)
{
	char *body = NULL;
	sl_error e;
	cr_assert_eq(sl_route_osrm_handle(g, NULL, url, status, &body, &e), 0, "%s", e.message);
	cr_assert_not_null(body);
	return body;
}

static void expect_code(sl_graph *g, const char *url, const char *code)
{
	int st;
	char *b = osrm(g, url, &st);
	char want[64];
	snprintf(want, sizeof want, "{\"code\":\"%s\"", code);
	cr_assert(strncmp(b, want, strlen(want)) == 0, "%s → %s (want %s)", url, b, code);
	cr_assert_eq(st, strcmp(code, "Ok") == 0 ? 200 : 400, "%s status %d", url, st);
	free(b);
}

Test(osrm, polyline_reference_example)
{
	/* the example of Google's "Encoded Polyline Algorithm Format" page */
	double c[] = {-120.2, 38.5, -120.95, 40.7, -126.453, 43.252};
	sl_buf b = {0};
	cr_assert_eq(sl_route_polyline_encode(c, 3, 5, &b), 0);
	cr_assert_str_eq(b.data, "_p~iF~ps|U_ulLnnqC_mqNvxq`@");
	sl_buf_free(&b);
}

Test(osrm, services_and_error_codes)
{
	sl_graph *g = fixture_graph("oneway", "van");
	expect_code(g, "/route/v1/driving/12.7003,56.04;12.7007,56.04", "Ok");
	expect_code(g,
	            "/route/v1/driving/12.7003,56.04;12.7007,56.04.json?overview=false&steps=true",
	            "Ok");
	expect_code(g, "/route/v1/driving/12.7003,56.04%3B12.7007,56.04?geometries=geojson", "Ok");
	expect_code(g,
	            "/table/v1/car/"
	            "12.7003,56.04;12.7007,56.04;12.7005,56.041?sources=0;1&destinations=2&"
	            "annotations=duration,distance",
	            "Ok");
	expect_code(g, "/nearest/v1/driving/12.7003,56.0401?number=1", "Ok");
	expect_code(g, "/route/v1/driving/12.7003,56.04;12.7007,56.04?radiuses=10;unlimited", "Ok");
	expect_code(g, "route/v1/driving/12.7003,56.04;12.7007,56.04", "InvalidUrl");
	expect_code(g, "/route/v1/driving", "InvalidUrl");
	expect_code(g, "/route/v1/driving/1,2/extra", "InvalidUrl");
	expect_code(g, "/match/v1/driving/12.7003,56.04;12.7007,56.04", "InvalidService");
	expect_code(g, "/route/v2/driving/12.7003,56.04;12.7007,56.04", "InvalidVersion");
	expect_code(g, "/route/v1/driving/12.7003;56.04", "InvalidQuery");
	expect_code(g, "/route/v1/driving/12.7003,56.04;", "InvalidQuery");
	expect_code(g, "/route/v1/driving/12.7003,56.04;1e3,2", "InvalidQuery");
	expect_code(g, "/route/v1/driving/12.7003,56.04;200,56", "InvalidValue");
	expect_code(g, "/route/v1/driving/12.7003,56.04", "InvalidOptions");
	expect_code(g, "/route/v1/driving/12.7003,56.04;12.7007,56.04?overview=sometimes",
	            "InvalidQuery");
	expect_code(g, "/route/v1/driving/12.7003,56.04;12.7007,56.04?radiuses=10",
	            "InvalidOptions");
	expect_code(g, "/table/v1/driving/12.7003,56.04;12.7007,56.04?sources=2", "InvalidOptions");
	expect_code(g, "/route/v1/driving/12.7003,56.04;12.7007,56.04?color=red", "InvalidQuery");
	expect_code(g, "/route/v1/driving/12.7003,56.04;12.7007,56.04?overview", "InvalidQuery");
	expect_code(g, "/route/v1/driving/12.7003,56.04;13.5,56.04", "NoSegment");
	expect_code(g, "/nearest/v1/driving/12.7003,56.04?number=1000", "TooBig");
	/* an option name that is not UTF-8 is not echoed raw (found by fuzzing) */
	int st;
	char *b = osrm(g, "/route/v1/driving/12.7003,56.04;12.7007,56.04?\x89x\xff=1", &st);
	cr_assert_eq(st, 400);
	cr_assert_lt(sl_utf8_invalid_at(b, strlen(b)), 0, "%s", b);
	free(b);
	sl_route_graph_close(g);
}

Test(osrm, nearest_number)
{
	sl_graph *g = fixture_graph("restriction", "van");
	int st;
	char *b = osrm(g, "/nearest/v1/driving/12.7011,56.0409?number=3", &st);
	cr_assert_eq(st, 200);
	int n = 0;
	for (const char *p = b; (p = strstr(p, "\"nodes\"")) != NULL; p++)
		n++;
	cr_assert_eq(n, 3, "%s", b);
	free(b);
	sl_route_snap s[4];
	sl_error e;
	cr_assert_eq(sl_route_nearest_k(g, 12.7011, 56.0409, 0, 4, s, &n, &e), 0);
	cr_assert_eq(n, 4);
	for (int i = 1; i < n; i++) {
		cr_assert_geq(s[i].distance_m, s[i - 1].distance_m);
		for (int j = 0; j < i; j++)
			cr_assert_neq(s[i].edge, s[j].edge);
	}
	sl_route_graph_close(g);
}

Test(osrm, route_body_matches_library)
{
	sl_graph *g = fixture_graph("oneway", "van");
	int st;
	char *b = osrm(g, "/route/v1/driving/12.7007,56.04;12.7003,56.04?geometries=geojson", &st);
	cr_assert_eq(st, 200);
	sl_route_result r;
	cr_assert_eq(route(g, 12.7007, 56.04, 12.7003, 56.04, &r), 0);
	char want[128];
	snprintf(want, sizeof want, "\"duration\":%.1f,\"distance\":%.1f}]", r.duration_s,
	         r.distance_m);
	cr_assert(strstr(b, want), "%s lacks %s", b, want);
	cr_assert(strstr(b, "\"type\":\"LineString\""));
	cr_assert(strstr(b, "\"waypoints\":[{\"hint\":\""), "%s", b);
	sl_route_result_free(&r);
	free(b);
	b = osrm(g, "/table/v1/driving/12.7003,56.04;12.7007,56.04?annotations=distance", &st);
	cr_assert(strstr(b, "\"distances\":[[0.0,") && !strstr(b, "durations"), "%s", b);
	free(b);
	sl_route_graph_close(g);
}

/* Many threads answering with ctx NULL share the graph's context pool:
 * every answer must equal the one computed alone. */
typedef struct pool_job {
	sl_graph *g;
	const char *url;
	const char *want;
	int mismatches;
} pool_job;

static void *pool_worker(void *arg)
{
	pool_job *j = arg;
	for (int i = 0; i < 200; i++) {
		int st;
		char *b = NULL;
		if (sl_route_osrm_handle(j->g, NULL, j->url, &st, &b, NULL) != 0 || st != 200 ||
		    strcmp(b, j->want) != 0)
			j->mismatches++;
		free(b);
	}
	return NULL;
}

Test(osrm, context_pool_shared_by_threads)
{
	sl_graph *g = fixture_graph("steps", "van");
	const char *url = "/route/v1/driving/12.7005,56.0401;12.7131,56.0449?steps=true";
	int st;
	char *want = osrm(g, url, &st);
	cr_assert_eq(st, 200);
	pthread_t t[6];
	pool_job jobs[6];
	for (int i = 0; i < 6; i++) {
		jobs[i] = (pool_job){g, url, want, 0};
		cr_assert_eq(pthread_create(&t[i], NULL, pool_worker, &jobs[i]), 0);
	}
	for (int i = 0; i < 6; i++) {
		pthread_join(t[i], NULL);
		cr_assert_eq(jobs[i].mismatches, 0, "thread %d", i);
	}
	free(want);
	sl_route_graph_close(g);
}

/* Alternatives on Monaco: each within 25 % of the best route's weight,
 * different from it, and its steps adding up to its leg. */
Test(monaco, alternatives_are_bounded_and_distinct, .timeout = 120)
{
	sl_graph *g = monaco();
	sl_rng rng;
	sl_rng_seed(&rng, 42);
	sl_route_snap s[2];
	int with_alt = 0;
	for (int i = 0; i < 30; i++) {
		random_snaps(g, &rng, s, 2);
		char url[256];
		snprintf(url, sizeof url,
		         "/route/v1/driving/%.6f,%.6f;%.6f,%.6f?alternatives=2&steps=true&"
		         "overview=full&geometries=geojson",
		         s[0].lon, s[0].lat, s[1].lon, s[1].lat);
		int st;
		char *b = osrm(g, url, &st);
		cr_assert_eq(st, 200, "%s", b);
		json_t *j = json_loads(b, 0, NULL);
		cr_assert_not_null(j, "%s", b);
		json_t *routes = json_object_get(j, "routes");
		size_t nr = json_array_size(routes);
		cr_assert(nr >= 1 && nr <= 3, "%zu routes", nr);
		double w0 = json_number_value(json_object_get(json_array_get(routes, 0), "weight"));
		char *g0 = json_dumps(json_object_get(json_array_get(routes, 0), "geometry"), 0);
		for (size_t k = 1; k < nr; k++) {
			json_t *r = json_array_get(routes, k);
			double w = json_number_value(json_object_get(r, "weight"));
			cr_assert(w >= w0 - 0.05 && w <= w0 * 1.25 + 0.1, "%s: %f vs %f", url, w, w0);
			char *gk = json_dumps(json_object_get(r, "geometry"), 0);
			cr_assert(strcmp(g0, gk) != 0, "alternative equals the best route");
			free(gk);
			json_t *leg = json_array_get(json_object_get(r, "legs"), 0);
			double sum = 0;
			size_t n, ns = json_array_size(json_object_get(leg, "steps"));
			json_t *stp;
			json_array_foreach(json_object_get(leg, "steps"), n, stp) sum +=
			    json_number_value(json_object_get(stp, "distance"));
			cr_assert_float_eq(sum,
			                   json_number_value(json_object_get(leg, "distance")),
			                   0.05 * (double)ns + 1e-6);
			with_alt++;
		}
		free(g0);
		json_decref(j);
		free(b);
	}
	cr_assert_gt(with_alt, 3, "only %d alternatives in 30 pairs", with_alt);
	sl_route_graph_close(g);
}
