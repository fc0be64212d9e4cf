/* test_ordering.c — smarter ordering (src/pooling/ordering*.c): the config
 * parser and its errors, pattern feasibility, before-counts against the
 * ledger, the freshness limits on many random instances, joint versus
 * unit-by-unit on a case where sharing days clearly pays, what each viewer
 * sees, the XLSX workbook and the CLI. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "samlast/pooling.h"
#include "samlast/route.h"
#include "samlast/store.h"
#include "../../../src/pooling/ordering_internal.h"

/* ---- helpers ------------------------------------------------------------- */

static sl_ordering_config *cfg_ok(const char *text)
{
	sl_ordering_config *c = NULL;
	sl_error e;
	int rc = sl_ordering_config_parse(text, strlen(text), "t.ini", &c, &e);
	cr_assert_eq(rc, 0, "config should parse: %s", e.message);
	return c;
}

static void cfg_bad(const char *text, const char *where, const char *why)
{
	sl_ordering_config *c = NULL;
	sl_error e;
	sl_error_clear(&e);
	int rc = sl_ordering_config_parse(text, strlen(text), "bad.ini", &c, &e);
	cr_assert_eq(rc, SL_EINVAL, "expected SL_EINVAL for %s", why);
	cr_assert_null(c);
	char msg[1200];
	sl_error_format(&e, msg, sizeof msg);
	cr_assert(strstr(msg, where) != NULL, "'%s' should name %s", msg, where);
	cr_assert(strstr(msg, why) != NULL, "'%s' should say '%s'", msg, why);
}

static void exec_ok(sl_store *st, const char *sql)
{
	sl_error e;
	cr_assert_eq(sl_store_exec(st, sql, &e), 0, "%s: %s", sql, e.message);
}

static char db_path[256];

static sl_store *new_db(int n)
{
	snprintf(db_path, sizeof db_path, "/tmp/sl_ordering_%d_%d.db", (int)getpid(), n);
	char p[300];
	unlink(db_path);
	snprintf(p, sizeof p, "%s-wal", db_path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", db_path);
	unlink(p);
	sl_store *st = NULL;
	sl_error e;
	cr_assert_eq(sl_store_open(db_path, &st, &e), 0, "%s", e.message);
	cr_assert_eq(sl_store_migrate(st, &e), 0, "%s", e.message);
	return st;
}

static void drop_db(sl_store *st)
{
	sl_store_close(st);
	unlink(db_path);
}

static void add_org(sl_store *st, int id, const char *kind, const char *cat)
{
	char sql[400];
	snprintf(
	    sql, sizeof sql,
	    "INSERT INTO organisations(id, ext_id, kind, name, category, updated_at, row_hash) "
	    "VALUES (%d, 'O%d', '%s', 'Org %d', %s%s%s, 0, 'h')",
	    id, id, kind, id, cat ? "'" : "", cat ? cat : "NULL", cat ? "'" : "");
	exec_ok(st, sql);
}

static void add_site(sl_store *st, int id, int org, const char *type, double lon, double lat,
                     int recv)
{
	char sql[400];
	snprintf(
	    sql, sizeof sql,
	    "INSERT INTO sites(id, ext_id, org_id, name, unit_type, lon, lat, recv_days, "
	    "updated_at, row_hash) VALUES (%d, 'S%d', %d, 'Site %d', '%s', %.6f, %.6f, %d, 0, 'h')",
	    id, id, org, id, type, lon, lat, recv);
	exec_ok(st, sql);
}

static int next_row = 1;

static void add_delivery(sl_store *st, int sup, int site, int64_t day, double kg)
{
	char sql[500];
	int id = next_row++;
	snprintf(sql, sizeof sql,
	         "INSERT INTO deliveries(id, supplier_id, ext_id, site_id, status, delivered_at, "
	         "local_day, local_min, mass_kg, updated_at, row_hash) VALUES "
	         "(%d, %d, 'D%d', %d, 'delivered', %lld, %lld, 600, %.1f, 0, 'h')",
	         id, sup, id, site, (long long)day * 86400 + 32400, (long long)day, kg);
	exec_ok(st, sql);
}

static void add_order(sl_store *st, int sup, int site, int64_t day, int64_t ore)
{
	char sql[500];
	int id = next_row++;
	snprintf(
	    sql, sizeof sql,
	    "INSERT INTO orders(id, supplier_id, ext_id, site_id, category, ordered_at, order_day, "
	    "requested_day, value_ore, updated_at, row_hash) VALUES "
	    "(%d, %d, 'R%d', %d, 'x', %lld, %lld, %lld, %lld, 0, 'h')",
	    id, sup, id, site, (long long)(day - 2) * 86400, (long long)(day - 2), (long long)day,
	    (long long)ore);
	exec_ok(st, sql);
}

/* 2025-01-06 is a Monday. */
static int64_t monday0(void)
{
	return sl_days_from_civil(2025, 1, 6);
}

static int compute(sl_store *st, sl_ordering_query *q, const sl_ordering_config *cfg,
                   sl_ordering_result **out)
{
	sl_error e;
	sl_error_clear(&e);
	q->config = cfg;
	int rc = sl_ordering_compute(st, q, out, &e);
	if (rc && rc != SL_EPERM)
		cr_log_info("compute: %s", e.message);
	return rc;
}

/* ---- config -------------------------------------------------------------- */

Test(ordering_config, shipped_default_loads_and_fresh_food_twice_a_week)
{
	sl_ordering_config *c = NULL;
	sl_error e;
	cr_assert_eq(sl_ordering_config_load(NULL, &c, &e), 0, "%s", e.message);
	sl_ordering_rules r;
	sl_ordering_config_rules(c, "chilled", &r);
	cr_assert_eq(r.min_per_week, 2);
	cr_assert_leq(r.max_days_between, 4);
	sl_ordering_config_rules(c, "no-such-category", &r);
	cr_assert_eq(r.min_per_week, 1);
	cr_assert_eq(r.weekdays, 0x1fu);
	sl_ordering_config_free(c);
}

Test(ordering_config, categories_inherit_from_star)
{
	sl_ordering_config *c = cfg_ok("[*]\nweekdays = tue,thu\nlead_days=4\n"
	                               "[fresh]\nmin_per_week = 2\nmax_days_between=5\n"
	                               "[general]\nvehicle_capacity_kg = 1200,5\n");
	sl_ordering_rules r;
	sl_ordering_config_rules(c, "fresh", &r);
	cr_assert_eq(r.weekdays, (1u << 1) | (1u << 3));
	cr_assert_eq(r.lead_days, 4);
	cr_assert_eq(r.min_per_week, 2);
	sl_ordering_config_free(c);
}

Test(ordering_config, every_error_class_names_file_line_column)
{
	cfg_bad("min_per_week = 2\n", "bad.ini:1:1", "outside a section");
	cfg_bad("[food\n", "bad.ini:1:1", "section header");
	cfg_bad("[]\n", "bad.ini:1:2", "section name");
	cfg_bad("[food]\n[food]\n", "bad.ini:2:2", "appears twice");
	cfg_bad("[food]\njust words\n", "bad.ini:2:1", "key = value");
	cfg_bad("[food]\n  colour = red\n", "bad.ini:2:3", "unknown key 'colour'");
	cfg_bad("[food]\nmin_per_week = two\n", "bad.ini:2:16", "whole number");
	cfg_bad("[food]\nmin_per_week = 9\n", "bad.ini:2:16", "out of range");
	cfg_bad("[food]\nweekdays = mon,funday\n", "bad.ini:2:12", "weekdays");
	cfg_bad("[food]\ncutoff = 25:00\n", "bad.ini:2:10", "out of range");
	cfg_bad("[food]\nmin_order_sek = lots\n", "bad.ini:2:17", "SEK");
	cfg_bad("[general]\nvehicle_capacity_kg = -3\n", "bad.ini:2:23", "out of range");
	cfg_bad("[general]\nenergy_carrier = a b\n", "bad.ini:2:18", "energy carrier");
	cfg_bad("[x]\n = 3\n", "bad.ini:2:", "key is missing");
	cfg_bad("[food]\nmin_per_week = \xff\n", "bad.ini:2:16", "UTF-8");
	/* impossible: three days a week on two allowed weekdays */
	cfg_bad("# c\n[fresh]\nmin_per_week = 3\nweekdays = mon,tue\n", "bad.ini:2:1",
	        "no delivery-day pattern");
	/* impossible: at most 2 days apart but only Monday allowed */
	cfg_bad("[*]\nweekdays = mon\nmax_days_between = 2\n", "bad.ini:1:1",
	        "no delivery-day pattern");
}

Test(ordering_config, missing_file_is_not_found)
{
	sl_ordering_config *c = NULL;
	sl_error e;
	cr_assert_eq(sl_ordering_config_load("/nonexistent/x.ini", &c, &e), SL_ENOTFOUND);
	cr_assert_null(c);
}

Test(ordering_config, pattern_feasibility)
{
	sl_ordering_rules r = {2, 4, 4, 0x1f, -1, 1, 720};
	cr_assert(sl_ordering_pattern_ok(&r, 0x7f, (1u << 1) | (1u << 4)));  /* Tue+Fri: 3,4 */
	cr_assert(!sl_ordering_pattern_ok(&r, 0x7f, (1u << 1) | (1u << 3))); /* Tue+Thu: 2,5 */
	cr_assert(!sl_ordering_pattern_ok(&r, 0x7f, 1u << 1));               /* once a week */
	cr_assert(!sl_ordering_pattern_ok(&r, 0x7f, (1u << 0) | (1u << 5))); /* Sat not allowed */
	cr_assert(!sl_ordering_pattern_ok(&r, 0x1e, (1u << 0) | (1u << 3))); /* unit closed Mon */
	r.storage_days = 3;
	cr_assert(
	    !sl_ordering_pattern_ok(&r, 0x7f, (1u << 1) | (1u << 4))); /* 4-day gap > storage */
	char t[32];
	cr_assert_str_eq(sl_ordering_days_text((1u << 1) | (1u << 4), 0, t, sizeof t), "Tue+Fri");
	cr_assert_str_eq(sl_ordering_days_text((1u << 1) | (1u << 4), 1, t, sizeof t), "tis+fre");
}

/* ---- a constructed city ---------------------------------------------------- */

/* Supplier 10 (category other) at a depot 40 km west; units 1 and 2 next to
 * each other; unit 1 gets deliveries on Mondays, unit 2 on Thursdays. */
static sl_store *sharing_city(void)
{
	sl_store *st = new_db(1);
	exec_ok(st, "BEGIN");
	add_org(st, 10, "supplier", "other");
	add_site(st, 100, 10, "depot", 12.20, 56.05, 31);
	add_org(st, 1, "unit", NULL);
	add_org(st, 2, "unit", NULL);
	add_site(st, 1, 1, "school", 12.80, 56.05, 31);
	add_site(st, 2, 2, "school", 12.805, 56.052, 31);
	for (int w = 0; w < 8; w++) {
		add_delivery(st, 10, 1, monday0() + 7 * w, 50);
		add_delivery(st, 10, 2, monday0() + 7 * w + 3, 50);
		add_order(st, 10, 1, monday0() + 7 * w, 50000);
		add_order(st, 10, 2, monday0() + 7 * w + 3, 200000);
	}
	exec_ok(st, "COMMIT");
	return st;
}

Test(ordering, joint_beats_unit_by_unit_where_sharing_days_pays)
{
	sl_store *st = sharing_city();
	sl_ordering_config *cfg = cfg_ok("[*]\nmin_per_week = 1\nmax_days_between = 7\n");
	sl_ordering_query q;
	sl_ordering_query_init(&q);
	q.from_day = monday0();
	q.to_day = monday0() + 55;
	sl_ordering_result *joint = NULL, *alone = NULL;
	cr_assert_eq(compute(st, &q, cfg, &joint), 0);
	q.joint = 0;
	cr_assert_eq(compute(st, &q, cfg, &alone), 0);
	cr_assert_eq(joint->n_groups, 2);
	/* alone, each unit keeps its own weekday; jointly they share one */
	cr_assert_neq(alone->groups[0].proposed_days, alone->groups[1].proposed_days);
	cr_assert_eq(joint->groups[0].proposed_days, joint->groups[1].proposed_days);
	/* one 2 × 40 km round trip a week instead of two */
	cr_assert_lt(joint->template_km_joint, 0.6 * alone->template_km_joint,
	             "joint %.1f km vs alone %.1f km", joint->template_km_joint,
	             alone->template_km_joint);
	cr_assert_lt(joint->city.km_after, 0.6 * alone->city.km_after);
	cr_assert_leq(joint->city.km_after, joint->city.km_before);
	/* deliveries per unit are unchanged (one a week each) */
	cr_assert_eq(joint->city.deliveries_after, 16);
	sl_ordering_result_free(joint);
	sl_ordering_result_free(alone);
	sl_ordering_config_free(cfg);
	drop_db(st);
}

Test(ordering, before_counts_equal_the_ledger_and_merges_are_counted)
{
	sl_store *st = sharing_city();
	/* a small top-up for unit 1 on Tuesdays: merges into Monday */
	exec_ok(st, "BEGIN");
	for (int w = 0; w < 8; w++) {
		add_delivery(st, 10, 1, monday0() + 7 * w + 1, 5);
		add_order(st, 10, 1, monday0() + 7 * w + 1, 20000);
	}
	/* rows the proposal must not count: cancelled, outside the period */
	add_delivery(st, 10, 1, monday0() + 100, 5);
	exec_ok(st, "UPDATE deliveries SET status = 'cancelled' WHERE id = 1");
	exec_ok(st, "COMMIT");
	int64_t ledger;
	sl_error e;
	cr_assert_eq(
	    sl_store_query_int64(st,
	                         "SELECT COUNT(*) FROM deliveries WHERE status = 'delivered' "
	                         "AND local_day BETWEEN 20094 AND 20149",
	                         &ledger, &e),
	    0);
	cr_assert_eq(monday0(), 20094);
	/* Monday only: the Tuesday top-ups move to Monday */
	sl_ordering_config *cfg = cfg_ok("[*]\nmin_per_week = 1\nweekdays = mon\n");
	sl_ordering_query q;
	sl_ordering_query_init(&q);
	q.from_day = monday0();
	q.to_day = monday0() + 55;
	q.small_order_ore = 100000;
	sl_ordering_result *r = NULL;
	cr_assert_eq(compute(st, &q, cfg, &r), 0);
	cr_assert_eq(r->city.deliveries_before, ledger);
	int64_t sum = 0;
	for (size_t i = 0; i < r->n_pairs; i++)
		sum += r->pairs[i].deliveries_before;
	cr_assert_eq(sum, ledger);
	/* unit 1: Mon + Tue before, Mondays after: every small order (each was
	 * alone on its day) now shares the Monday delivery with another */
	const sl_ordering_group *g1 = &r->groups[0];
	cr_assert_str_eq(g1->unit, "S1");
	cr_assert_eq(g1->deliveries_before, 15);
	cr_assert_eq(g1->deliveries_after, 8);
	cr_assert_eq(g1->small_orders, 16);
	cr_assert_eq(g1->small_merged, 16);
	cr_assert_eq(g1->n_small, 16);
	for (size_t k = 0; k < g1->n_small; k++) {
		const sl_ordering_small *sm = &r->small[g1->first_small + k];
		cr_assert_str_eq(sm->supplier, "O10");
		cr_assert_eq(sl_weekday(sm->delivery_day), 1, "joins a Monday delivery");
		cr_assert(sm->day - sm->delivery_day == 0 || sm->day - sm->delivery_day == 1);
		cr_assert_lt(sm->value_ore, 100000);
	}
	cr_assert_eq(g1->proposed_days, 1u);
	cr_assert_float_eq(g1->per_week_before, 15.0 / 8, 1e-9);
	sl_ordering_result_free(r);
	sl_ordering_config_free(cfg);
	drop_db(st);
}

Test(ordering, category_falls_back_to_the_latest_contract)
{
	sl_store *st = sharing_city();
	exec_ok(st, "BEGIN");
	add_org(st, 12, "supplier", NULL);
	exec_ok(
	    st,
	    "INSERT INTO contracts(id, ext_id, supplier_id, category, valid_from_day, updated_at, "
	    "row_hash) VALUES (1, 'K1', 12, 'office', 19000, 0, 'h'), (2, 'K2', 12, 'bread', "
	    "20000, 0, 'h')");
	for (int w = 0; w < 8; w++)
		add_delivery(st, 12, 2, monday0() + 7 * w + 4, 30);
	exec_ok(st, "COMMIT");
	sl_ordering_query q;
	sl_ordering_query_init(&q);
	q.from_day = monday0();
	q.to_day = monday0() + 55;
	sl_ordering_result *r = NULL;
	cr_assert_eq(compute(st, &q, NULL, &r), 0);
	int found = 0;
	for (size_t i = 0; i < r->n_groups; i++)
		if (!strcmp(r->groups[i].unit, "S2") && !strcmp(r->groups[i].category, "bread")) {
			found = 1;
			/* bread: at least twice a week in the shipped config */
			cr_assert_geq(r->groups[i].rules.min_per_week, 2);
		}
	cr_assert(found, "the contract's category 'bread' should be used");
	sl_ordering_result_free(r);
	drop_db(st);
}

/* CO2e per vehicle-km comes from the supplier's computed trip emissions;
 * without any, from the config's fuel assumption through the factor set. */
Test(ordering, co2e_uses_the_suppliers_measured_intensity)
{
	sl_store *st = sharing_city();
	exec_ok(st, "BEGIN");
	add_org(st, 20, "carrier", NULL);
	exec_ok(st, "INSERT INTO trips(id, carrier_id, ext_id, start_at, local_day, distance_m, "
	            "updated_at, "
	            "row_hash) VALUES (1, 20, 'T1', 1736150400, 20094, 50000, 0, 'h'), "
	            "(2, 20, 'T2', 1736409600, 20097, 30000, 0, 'h')");
	exec_ok(
	    st,
	    "INSERT INTO trip_emissions(trip_id, factor_set, factor_version, factor_id, method, "
	    "quality, wtw_g, tkm, computed_at) VALUES (1, 's', 'v', 'f', 'fuel', 'primary', 20000, "
	    "1, 0), "
	    "(2, 's', 'v', 'f', 'fuel', 'primary', 12000, 1, 0)");
	/* 80 km and 32 kg: 400 g per vehicle-km */
	exec_ok(st, "UPDATE deliveries SET trip_id = 1 WHERE id = 1");
	exec_ok(st, "UPDATE deliveries SET trip_id = 2 WHERE id = 2");
	exec_ok(st, "COMMIT");
	sl_ordering_query q;
	sl_ordering_query_init(&q);
	q.from_day = monday0();
	q.to_day = monday0() + 55;
	sl_ordering_result *r = NULL;
	cr_assert_eq(compute(st, &q, NULL, &r), 0);
	cr_assert(strstr(r->co2e_basis, "1 suppliers measured"), "%s", r->co2e_basis);
	cr_assert_gt(r->city.km_before, 0);
	cr_assert_float_eq(r->city.co2e_before_g / r->city.km_before, 400.0, 1e-6);
	cr_assert_float_eq(r->city.co2e_after_g / r->city.km_after, 400.0, 1e-6);
	sl_ordering_result_free(r);
	/* no trip emissions in the period: the assumption of the config */
	exec_ok(st, "DELETE FROM trip_emissions");
	sl_ordering_config *cfg =
	    cfg_ok("[general]\nfuel_l_per_100km = 20\nenergy_carrier = diesel\n");
	cr_assert_eq(compute(st, &q, cfg, &r), 0);
	cr_assert(strstr(r->co2e_basis, "20.0 l diesel per 100 km"), "%s", r->co2e_basis);
	double g_km = r->city.co2e_before_g / r->city.km_before;
	sl_ordering_result_free(r);
	sl_ordering_config_free(cfg);
	cfg = cfg_ok("[general]\nfuel_l_per_100km = 10\n");
	cr_assert_eq(compute(st, &q, cfg, &r), 0);
	/* half the fuel, half the CO2e per km (to the gram of a 100 km trip) */
	cr_assert_float_eq(r->city.co2e_before_g / r->city.km_before, g_km / 2, 0.02);
	cr_assert_gt(g_km, 100);
	sl_ordering_result_free(r);
	sl_ordering_config_free(cfg);
	drop_db(st);
}

Test(ordering, viewers_see_only_their_part)
{
	sl_store *st = sharing_city();
	exec_ok(st, "BEGIN");
	add_org(st, 11, "supplier", "food");
	add_site(st, 110, 11, "depot", 12.70, 56.10, 31);
	for (int w = 0; w < 8; w++)
		add_delivery(st, 11, 1, monday0() + 7 * w + 2, 80);
	exec_ok(st, "COMMIT");
	sl_ordering_query q;
	sl_ordering_query_init(&q);
	q.from_day = monday0();
	q.to_day = monday0() + 55;
	sl_ordering_result *r = NULL;
	q.viewer.kind = SL_VIEWER_SUPPLIER;
	q.viewer.org_id = 11;
	cr_assert_eq(compute(st, &q, NULL, &r), 0);
	cr_assert_eq(r->n_groups, 1);
	cr_assert_eq(r->n_pairs, 1);
	cr_assert_str_eq(r->pairs[0].supplier, "O11");
	cr_assert_str_eq(r->groups[0].category, "food");
	cr_assert_eq(r->city.deliveries_before, 8);
	sl_ordering_result_free(r);
	q.viewer.kind = SL_VIEWER_UNIT;
	q.viewer.org_id = 2;
	cr_assert_eq(compute(st, &q, NULL, &r), 0);
	cr_assert_eq(r->n_units, 1);
	cr_assert_str_eq(r->units[0].unit, "S2");
	for (size_t i = 0; i < r->n_groups; i++)
		cr_assert_str_eq(r->groups[i].unit, "S2");
	sl_ordering_result_free(r);
	r = NULL;
	q.viewer.kind = SL_VIEWER_PUBLIC;
	cr_assert_eq(compute(st, &q, NULL, &r), SL_EPERM);
	cr_assert_null(r);
	q.viewer.kind = SL_VIEWER_CARRIER;
	cr_assert_eq(compute(st, &q, NULL, &r), SL_EPERM);
	drop_db(st);
}

Test(ordering, empty_period_gives_an_empty_proposal)
{
	sl_store *st = sharing_city();
	sl_ordering_query q;
	sl_ordering_query_init(&q);
	q.from_day = monday0() + 400;
	q.to_day = monday0() + 420;
	sl_ordering_result *r = NULL;
	cr_assert_eq(compute(st, &q, NULL, &r), 0);
	cr_assert_eq(r->n_groups, 0);
	cr_assert_eq(r->city.deliveries_before, 0);
	sl_ordering_result_free(r);
	r = NULL;
	q.to_day = q.from_day - 1;
	cr_assert_eq(compute(st, &q, NULL, &r), SL_EINVAL);
	drop_db(st);
}

/* ---- the routed path -------------------------------------------------------- */

/* On a U-shaped road (tests/fixtures/pooling/ordering_u.osm) the depot and
 * the unit are 622 m apart as the crow flies and 2846 m by road: with the
 * graph every weekly out-and-back tour is 2 × the road length. */
Test(ordering, road_graph_distances_replace_the_great_circle)
{
	const char *bin = getenv("SAMLAST_BIN"), *fx = getenv("SL_FIXTURES");
	if (!bin || !fx)
		cr_skip_test("SAMLAST_BIN or SL_FIXTURES is not set");
	char graph[128], cmd[1024];
	snprintf(graph, sizeof graph, "/tmp/sl_ordering_%d.graph", (int)getpid());
	snprintf(
	    cmd, sizeof cmd,
	    "'%s' graph build --profile van '%s/pooling/ordering_u.osm' -o '%s' >/dev/null 2>&1",
	    bin, fx, graph);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	sl_graph *g = NULL;
	sl_error e;
	cr_assert_eq(sl_route_graph_open(graph, &g, &e), 0, "%s", e.message);
	sl_store *st = new_db(2);
	exec_ok(st, "BEGIN");
	add_org(st, 10, "supplier", "other");
	add_site(st, 100, 10, "depot", 12.70, 56.00, 31);
	add_org(st, 1, "unit", NULL);
	add_site(st, 1, 1, "school", 12.71, 56.00, 31);
	for (int w = 0; w < 4; w++)
		add_delivery(st, 10, 1, monday0() + 7 * w + 2, 100);
	exec_ok(st, "COMMIT");
	sl_ordering_query q;
	sl_ordering_query_init(&q);
	q.from_day = monday0();
	q.to_day = monday0() + 27;
	sl_ordering_result *road = NULL, *crow = NULL;
	cr_assert_eq(compute(st, &q, NULL, &crow), 0);
	q.graph = g;
	cr_assert_eq(compute(st, &q, NULL, &road), 0);
	cr_assert_str_eq(road->distance_basis, "road_graph");
	cr_assert_str_eq(crow->distance_basis, "great_circle_x1.3");
	cr_assert_eq(road->points_off_graph, 0);
	double leg_m = sl_route_haversine_m(12.70, 56.00, 12.70, 56.01) +
	               sl_route_haversine_m(12.70, 56.01, 12.71, 56.01) +
	               sl_route_haversine_m(12.71, 56.01, 12.71, 56.00);
	double crow_m = sl_route_haversine_m(12.70, 56.00, 12.71, 56.00) * 1.3;
	cr_assert_float_eq(road->city.km_before, 4 * 2 * leg_m / 1000, 0.02 * 8 * leg_m / 1000,
	                   "road %.3f km, expected %.3f", road->city.km_before, 8 * leg_m / 1000);
	cr_assert_float_eq(crow->city.km_before, 4 * 2 * crow_m / 1000, 0.01, "crow %.3f km",
	                   crow->city.km_before);
	sl_ordering_result_free(road);
	sl_ordering_result_free(crow);
	sl_route_graph_close(g);
	unlink(graph);
	drop_db(st);
}

/* ---- random instances: the limits always hold ------------------------------ */

static const char *const cats[4] = {"fresh", "dry", "weekly", "odd"};

Test(ordering, freshness_and_frequency_never_violated_on_random_instances, .timeout = 60)
{
	sl_rng rng;
	sl_rng_seed(&rng, 2024);
	static const char *const day_names[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
	int checked = 0, infeasible = 0, shifted = 0;
	for (int inst = 0; inst < 40; inst++) {
		/* a random but satisfiable config */
		char text[2048];
		size_t used = 0;
		for (int c = 0; c < 4; c++) {
			for (;;) {
				unsigned days = 0;
				while (!days)
					days = (unsigned)sl_rng_below(&rng, 128);
				int minw = 1 + (int)sl_rng_below(&rng, 3);
				int gap = 2 + (int)sl_rng_below(&rng, 6);
				int store = 2 + (int)sl_rng_below(&rng, 8);
				sl_ordering_rules r = {minw, gap, store, days, -1, 1, 600};
				int ok = 0;
				for (unsigned m = 1; m < 128 && !ok; m++)
					ok = sl_ordering_pattern_ok(&r, 0x7f, m);
				if (!ok)
					continue;
				used += (size_t)snprintf(text + used, sizeof text - used,
				                         "[%s]\nmin_per_week=%d\nmax_days_between=%"
				                         "d\nstorage_days=%d\nweekdays=",
				                         cats[c], minw, gap, store);
				int first = 1;
				for (int d = 0; d < 7; d++)
					if (days & (1u << d)) {
						used += (size_t)snprintf(
						    text + used, sizeof text - used, "%s%s",
						    first ? "" : ",", day_names[d]);
						first = 0;
					}
				used += (size_t)snprintf(text + used, sizeof text - used, "\n");
				break;
			}
		}
		sl_ordering_config *cfg = cfg_ok(text);
		sl_store *st = new_db(100 + inst);
		exec_ok(st, "BEGIN");
		int nsup = 2 + (int)sl_rng_below(&rng, 4), nunit = 3 + (int)sl_rng_below(&rng, 10);
		for (int s = 0; s < nsup; s++) {
			add_org(st, 1000 + s, "supplier", cats[sl_rng_below(&rng, 4)]);
			add_site(st, 1000 + s, 1000 + s, "depot", 12.5 + sl_rng_double(&rng) * 0.5,
			         55.9 + sl_rng_double(&rng) * 0.3, 31);
		}
		for (int u = 0; u < nunit; u++) {
			add_org(st, 1 + u, "unit", NULL);
			int recv = (int)sl_rng_below(&rng, 128);
			if (sl_rng_below(&rng, 3))
				recv = 31;
			add_site(st, 1 + u, 1 + u, "school", 12.6 + sl_rng_double(&rng) * 0.3,
			         56.0 + sl_rng_double(&rng) * 0.1, recv);
		}
		int64_t rows = 0;
		for (int u = 0; u < nunit; u++)
			for (int s = 0; s < nsup; s++) {
				if (sl_rng_below(&rng, 3) == 0)
					continue;
				for (int64_t day = monday0(); day < monday0() + 42; day++)
					if (sl_rng_below(&rng, 7) < 2) {
						add_delivery(st, 1000 + s, 1 + u, day,
						             10 + sl_rng_double(&rng) * 900);
						add_order(st, 1000 + s, 1 + u, day,
						          (int64_t)sl_rng_below(&rng, 300000));
						rows++;
					}
			}
		exec_ok(st, "COMMIT");
		if (!rows) {
			sl_ordering_config_free(cfg);
			drop_db(st);
			continue;
		}
		sl_ordering_query q;
		sl_ordering_query_init(&q);
		q.from_day = monday0();
		q.to_day = monday0() + 41;
		q.seed = (uint64_t)inst;
		q.config = cfg;
		sl_ordering_result *r = NULL;
		sl_error e;
		cr_assert_eq(sl_ordering_compute(st, &q, &r, &e), 0, "instance %d: %s", inst,
		             e.message);
		cr_assert_eq(r->city.deliveries_before, rows);
		cr_assert_leq(r->city.deliveries_after, r->city.deliveries_before);
		cr_assert_leq(r->template_km_joint, r->template_km_unit_by_unit + 1e-6);
		for (size_t i = 0; i < r->n_groups; i++) {
			const sl_ordering_group *g = &r->groups[i];
			sl_ordering_rules rules;
			sl_ordering_config_rules(cfg, g->category, &rules);
			int unit_id = atoi(g->unit + 1);
			int64_t recv;
			char sql[128];
			snprintf(sql, sizeof sql, "SELECT recv_days FROM sites WHERE id = %d",
			         unit_id);
			cr_assert_eq(sl_store_query_int64(st, sql, &recv, &e), 0);
			if (!g->feasible) {
				infeasible++;
				/* really no pattern fits the unit's receiving days */
				for (unsigned m = 1; m < 128; m++)
					cr_assert(!sl_ordering_pattern_ok(
					    &rules, recv ? (unsigned)recv : 0x1f, m));
				continue;
			}
			cr_assert(sl_ordering_pattern_ok(&rules, recv ? (unsigned)recv : 0x1f,
			                                 g->proposed_days),
			          "instance %d group %zu: pattern %#x breaks the %s limits", inst,
			          i, g->proposed_days, g->category);
			cr_assert_leq(g->deliveries_after, g->deliveries_before);
			/* the replay moves goods by at most half the longest gap, so
			 * within the freshness and storage limits */
			for (size_t k = 0; k < g->n_small; k++) {
				const sl_ordering_small *sm = &r->small[g->first_small + k];
				int64_t shift = sm->delivery_day - sm->day;
				if (shift < 0)
					shift = -shift;
				cr_assert_leq(2 * shift, rules.max_days_between);
				cr_assert_leq(2 * shift, rules.storage_days);
				cr_assert(g->proposed_days &
				          (1u << (sl_weekday(sm->delivery_day) - 1)));
				shifted++;
			}
			checked++;
		}
		sl_ordering_result_free(r);
		sl_ordering_config_free(cfg);
		drop_db(st);
	}
	cr_assert_gt(checked, 100, "only %d groups checked", checked);
	cr_assert_gt(shifted, 50, "only %d moved small orders checked", shifted);
	cr_log_info("%d groups checked, %d without a feasible pattern, %d moved small orders",
	            checked, infeasible, shifted);
}

/* ---- the tour estimator ------------------------------------------------------ */

static double best_tour(const float *d, int n, int *perm, int k, int depth, double sofar,
                        double best)
{
	/* permutations of perm[depth..k) after the depot (point 0) */
	if (sofar >= best)
		return best;
	if (depth == k)
		return sofar + d[perm[k - 1] * n + 0] < best ? sofar + d[perm[k - 1] * n + 0]
		                                             : best;
	for (int i = depth; i < k; i++) {
		int t = perm[depth];
		perm[depth] = perm[i];
		perm[i] = t;
		int prev = depth ? perm[depth - 1] : 0;
		best = best_tour(d, n, perm, k, depth + 1, sofar + d[prev * n + perm[depth]], best);
		t = perm[depth];
		perm[depth] = perm[i];
		perm[i] = t;
	}
	return best;
}

Test(ordering, tour_estimate_is_a_real_tour_close_to_the_optimum)
{
	sl_rng rng;
	sl_rng_seed(&rng, 7);
	double sum_ratio = 0, worst = 1;
	int runs = 200;
	for (int r = 0; r < runs; r++) {
		int k = 1 + (int)sl_rng_below(&rng, 8), n = k + 1;
		double x[9], y[9];
		float d[81];
		for (int i = 0; i < n; i++) {
			x[i] = sl_rng_double(&rng) * 10000;
			y[i] = sl_rng_double(&rng) * 10000;
		}
		for (int i = 0; i < n; i++)
			for (int j = 0; j < n; j++)
				d[i * n + j] = (float)hypot(x[i] - x[j], y[i] - y[j]);
		int pts[8], perm[8];
		for (int i = 0; i < k; i++)
			pts[i] = perm[i] = i + 1;
		double est = sl__ordering_tour_m(d, n, 0, pts, k);
		double opt = best_tour(d, n, perm, k, 0, 0, 1e300);
		cr_assert_geq(est, opt - 1e-3 * opt, "run %d: estimate %.1f below the optimum %.1f",
		              r, est, opt);
		sum_ratio += est / opt;
		if (est / opt > worst)
			worst = est / opt;
	}
	cr_log_info("tour estimate / optimum: mean %.4f, worst %.4f", sum_ratio / runs, worst);
	cr_assert_lt(sum_ratio / runs, 1.02, "mean ratio %.4f", sum_ratio / runs);
	cr_assert_lt(worst, 1.15, "worst ratio %.4f", worst);
}

/* ---- outputs ---------------------------------------------------------------- */

Test(ordering, xlsx_is_a_zip_with_the_expected_sheets)
{
	sl_store *st = sharing_city();
	sl_ordering_query q;
	sl_ordering_query_init(&q);
	q.from_day = monday0();
	q.to_day = monday0() + 55;
	sl_ordering_result *r = NULL;
	cr_assert_eq(compute(st, &q, NULL, &r), 0);
	char path[256], cmd[400];
	snprintf(path, sizeof path, "/tmp/sl_ordering_%d.xlsx", (int)getpid());
	sl_error e;
	cr_assert_eq(sl_ordering_write_xlsx(r, path, &e), 0, "%s", e.message);
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f);
	unsigned char magic[4];
	cr_assert_eq(fread(magic, 1, 4, f), 4);
	fclose(f);
	cr_assert(magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4);
	if (system("command -v unzip >/dev/null 2>&1") != 0) {
		unlink(path);
		cr_skip_test("unzip is not installed: sheet names not checked");
	}
	snprintf(cmd, sizeof cmd, "unzip -p %s xl/workbook.xml", path);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	char buf[8192];
	size_t n = fread(buf, 1, sizeof buf - 1, p);
	buf[n] = 0;
	cr_assert_eq(pclose(p), 0);
	cr_assert(strstr(buf, "name=\"Förslag per enhet\""), "%s", buf);
	cr_assert(strstr(buf, "name=\"Enheter\""));
	cr_assert(strstr(buf, "name=\"Staden\""));
	cr_assert(strstr(buf, "name=\"Små ordrar\""));
	snprintf(cmd, sizeof cmd, "unzip -p %s xl/sharedStrings.xml", path);
	p = popen(cmd, "r");
	n = fread(buf, 1, sizeof buf - 1, p);
	buf[n] = 0;
	pclose(p);
	cr_assert(strstr(buf, "Föreslagna leveransdagar"));
	cr_assert(strstr(buf, "S1"));
	cr_assert_eq(sl_ordering_write_xlsx(r, "/nonexistent-dir/x.xlsx", &e), SL_EIO);
	unlink(path);
	sl_ordering_result_free(r);
	drop_db(st);
}

Test(ordering, json_and_table)
{
	sl_store *st = sharing_city();
	sl_ordering_query q;
	sl_ordering_query_init(&q);
	q.from_day = monday0();
	q.to_day = monday0() + 55;
	sl_ordering_result *r = NULL;
	cr_assert_eq(compute(st, &q, NULL, &r), 0);
	sl_buf b = {0};
	cr_assert_eq(sl_ordering_write_json(r, &b), 0);
	cr_assert(strstr(b.data, "\"distance_basis\":\"great_circle_x1.3\""));
	cr_assert(strstr(b.data, "\"deliveries_before\":16"));
	sl_buf_reset(&b);
	cr_assert_eq(sl_ordering_write_table(r, &b), 0);
	cr_assert(strstr(b.data, "City: deliveries/week 2.0 -> 2.0"), "%s", b.data);
	sl_buf_free(&b);
	sl_ordering_result_free(r);
	drop_db(st);
}

/* ---- the command ------------------------------------------------------------ */

static int run(const char *args, char *out, size_t out_size)
{
	const char *bin = getenv("SAMLAST_BIN");
	cr_assert_not_null(bin, "SAMLAST_BIN is not set");
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "%s %s 2>&1", bin, args);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	size_t n = fread(out, 1, out_size - 1, p);
	out[n] = 0;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(ordering_cli, help_bad_config_and_a_run)
{
	char out[16384], args[900], ini[256];
	cr_assert_eq(run("ordering --help", out, sizeof out), 0);
	cr_assert(strstr(out, "usage: samlast ordering"));
	cr_assert_eq(run("ordering --format xml --db x.db", out, sizeof out), 2);
	sl_store *st = sharing_city();
	sl_store_close(st);
	snprintf(ini, sizeof ini, "/tmp/sl_ordering_%d.ini", (int)getpid());
	FILE *f = fopen(ini, "w");
	cr_assert_not_null(f);
	fputs("[general]\n\n[food]\nmin_per_week = 0\n", f);
	fclose(f);
	snprintf(args, sizeof args, "ordering --db %s --config %s", db_path, ini);
	cr_assert_eq(run(args, out, sizeof out), 1, "%s", out);
	char want[400];
	snprintf(want, sizeof want, "%s:4:16: error: min_per_week: number out of range", ini);
	cr_assert(strstr(out, want), "'%s' should contain '%s'", out, want);
	snprintf(args, sizeof args,
	         "ordering --db %s --from 2025-01-06 --to 2025-03-02 --format json", db_path);
	cr_assert_eq(run(args, out, sizeof out), 0, "%s", out);
	cr_assert(strstr(out, "\"deliveries_before\":16"), "%s", out);
	unlink(ini);
	unlink(db_path);
}
