/* test_followup.c — baselines and the follow-up (src/pooling/followup.c,
 * src/server/api_followup.c, src/cli/cmd_followup.c).
 *
 * A small hand-made city: three receiving units, two suppliers, eight weeks
 * from Monday 2025-01-06.  Weeks 1–4 are the baseline, weeks 5–8 the
 * follow-up.  U1 goes from 5 deliveries a week (S20 Mon/Wed/Fri, S21
 * Tue/Thu) to 3 (S20 Mon/Thu, S21 Thu, both Thursday deliveries on one
 * trip: realised pooling); U2 stays at 5; U3 only appears in the follow-up.
 * S20's orders are 2,000 SEK on contract, S21's 500 SEK (small) without a
 * contract.  The tests check the weekly numbers against the KPI module,
 * the baseline averages against hand calculation, the status rules, the
 * realised pooling counts, history and audit of baselines, the viewers, the
 * errors, the CLI and the HTTP endpoint's role rules.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "samlast/kpi.h"
#include "samlast/pooling.h"
#include "samlast/server.h"
#include "samlast/store.h"

static char db_path[256];
static int64_t D0; /* Monday 2025-01-06 */
static int next_id = 1;

static void exec_ok(sl_store *st, const char *sql)
{
	sl_error e;
	cr_assert_eq(sl_store_exec(st, sql, &e), 0, "%s: %s", sql, e.message);
}

static void add_delivery(sl_store *st, int sup, int site, int64_t day, int trip)
{
	char sql[600], tr[16] = "NULL";
	int id = next_id++;
	if (trip)
		snprintf(tr, sizeof tr, "%d", trip);
	snprintf(sql, sizeof sql,
	         "INSERT INTO deliveries(id, supplier_id, ext_id, site_id, trip_id, status, delivered_at, "
	         "local_day, local_min, mass_kg, updated_at, row_hash) VALUES "
	         "(%d, %d, 'D%d', %d, %s, 'delivered', %lld, %lld, 600, 50, 0, 'h')",
	         id, sup, id, site, tr, (long long)day * 86400 + 32400, (long long)day);
	exec_ok(st, sql);
	/* each delivery has its order, placed the same day */
	snprintf(sql, sizeof sql,
	         "INSERT INTO orders(id, supplier_id, ext_id, site_id, category, ordered_at, order_day, "
	         "value_ore, updated_at, row_hash) VALUES (%d, %d, 'R%d', %d, 'food', %lld, %lld, %d, 0, 'h')",
	         id, sup, id, site, (long long)day * 86400, (long long)day, sup == 20 ? 200000 : 50000);
	exec_ok(st, sql);
}

static void add_trip(sl_store *st, int id, int64_t day)
{
	char sql[400];
	snprintf(sql, sizeof sql,
	         "INSERT INTO trips(id, carrier_id, ext_id, start_at, local_day, updated_at, row_hash) "
	         "VALUES (%d, 30, 'T%d', %lld, %lld, 0, 'h')",
	         id, id, (long long)day * 86400 + 25200, (long long)day);
	exec_ok(st, sql);
}

static sl_store *open_db(void)
{
	sl_store *st = NULL;
	sl_error e;
	cr_assert_eq(sl_store_open(db_path, &st, &e), 0, "%s", e.message);
	cr_assert_eq(sl_store_migrate(st, &e), 0, "%s", e.message);
	return st;
}

static void unlink_db(void)
{
	char p[300];
	unlink(db_path);
	snprintf(p, sizeof p, "%s-wal", db_path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", db_path);
	unlink(p);
}

static void build_fixture(void)
{
	static int n;
	snprintf(db_path, sizeof db_path, "/tmp/sl_followup_%d_%d.db", (int)getpid(), n++);
	unlink_db();
	D0 = sl_days_from_civil(2025, 1, 6);
	sl_store *st = open_db();
	exec_ok(st, "BEGIN");
	exec_ok(st,
	        "INSERT INTO organisations(id, ext_id, kind, name, updated_at, row_hash) VALUES "
	        "(1, 'CITY', 'city', 'Staden', 0, 'h'),"
	        "(10, 'O10', 'unit', 'Skola A', 0, 'h'), (11, 'O11', 'unit', 'Skola B', 0, 'h'),"
	        "(12, 'O12', 'unit', 'Förskola C', 0, 'h'),"
	        "(20, 'S20', 'supplier', 'Matgrossisten', 0, 'h'), (21, 'S21', 'supplier', 'Kontorsvaror', 0, 'h'),"
	        "(30, 'C30', 'carrier', 'Åkeriet', 0, 'h');"
	        "INSERT INTO sites(id, ext_id, org_id, name, unit_type, lon, lat, updated_at, row_hash) VALUES "
	        "(1, 'U1', 10, 'Skola A', 'school', 12.70, 56.04, 0, 'h'),"
	        "(2, 'U2', 11, 'Skola B', 'school', 12.71, 56.05, 0, 'h'),"
	        "(3, 'U3', 12, 'Förskola C', 'preschool', 12.72, 56.06, 0, 'h'),"
	        "(9, 'DEP20', 20, 'Lager', 'depot', 12.80, 56.10, 0, 'h');");
	char sql[300];
	snprintf(sql, sizeof sql,
	         "INSERT INTO contracts(id, ext_id, supplier_id, category, valid_from_day, updated_at, "
	         "row_hash) VALUES (1, 'K1', 20, 'food', %lld, 0, 'h')",
	         (long long)(D0 - 100));
	exec_ok(st, sql);
	int trip = 1;
	for (int w = 0; w < 8; w++) {
		int64_t mon = D0 + 7 * w;
		if (w < 4) {
			for (int site = 1; site <= 2; site++) {
				add_delivery(st, 20, site, mon + 0, 0);
				add_delivery(st, 20, site, mon + 2, 0);
				add_delivery(st, 20, site, mon + 4, 0);
				add_delivery(st, 21, site, mon + 1, 0);
				add_delivery(st, 21, site, mon + 3, 0);
			}
		} else {
			/* U1: Monday trip of S20 only (not pooled), Thursday trip
			 * carrying S20 and S21 (pooled) */
			add_trip(st, trip, mon);
			add_delivery(st, 20, 1, mon + 0, trip++);
			add_trip(st, trip, mon + 3);
			add_delivery(st, 20, 1, mon + 3, trip);
			add_delivery(st, 21, 1, mon + 3, trip++);
			/* U2 unchanged, no trips */
			add_delivery(st, 20, 2, mon + 0, 0);
			add_delivery(st, 20, 2, mon + 2, 0);
			add_delivery(st, 20, 2, mon + 4, 0);
			add_delivery(st, 21, 2, mon + 1, 0);
			if (w < 7) {
				add_delivery(st, 21, 2, mon + 3, 0);
				add_delivery(st, 20, 3, mon + 1, 0);
			} else {
				/* last week: one trip carries S21 to U2 and S20 to U3 */
				add_trip(st, trip, mon + 3);
				add_delivery(st, 21, 2, mon + 3, trip);
				add_delivery(st, 20, 3, mon + 3, trip++);
			}
		}
	}
	exec_ok(st, "COMMIT");
	sl_store_close(st);
}

static void set_baseline(sl_store *st, const char *unit, int64_t from, int64_t to)
{
	sl_error e;
	sl_followup_actor a = {.role = "city", .via = "test"};
	cr_assert_eq(sl_followup_baseline_set(st, unit, from, to, "test", &a, NULL, &e), 0, "%s",
	             e.message);
}

static sl_followup_result *compute(sl_store *st, sl_followup_query *q)
{
	sl_followup_result *r = NULL;
	sl_error e;
	sl_error_clear(&e);
	int rc = sl_followup_compute(st, q, &r, &e);
	cr_assert_eq(rc, 0, "compute: %s", e.message);
	return r;
}

static sl_followup_query period_query(void)
{
	sl_followup_query q;
	sl_followup_query_init(&q);
	q.from_day = D0;
	q.to_day = D0 + 55;
	return q;
}

static const sl_followup_unit *unit_of(const sl_followup_result *r, const char *id)
{
	for (size_t i = 0; i < r->n_units; i++)
		if (!strcmp(r->units[i].unit, id))
			return &r->units[i];
	return NULL;
}

static void teardown(void)
{
	unlink_db();
}

TestSuite(followup, .init = build_fixture, .fini = teardown, .timeout = 60);

/* ---- the numbers --------------------------------------------------------- */

Test(followup, weekly_numbers_equal_the_kpi_module)
{
	sl_store *st = open_db();
	set_baseline(st, NULL, D0, D0 + 27);
	sl_followup_query q = period_query();
	sl_followup_result *r = compute(st, &q);
	cr_assert_eq(r->n_weeks, 8);
	cr_assert_eq(r->n_units, 3);
	for (size_t i = 0; i <= r->n_units; i++) {
		const sl_followup_unit *u = i < r->n_units ? &r->units[i] : &r->total;
		for (size_t w = 0; w < r->n_weeks; w++) {
			const sl_followup_week *k = &u->weeks[w];
			sl_kpi_query kq;
			sl_kpi_query_init(&kq);
			kq.from_day = k->from_day;
			kq.to_day = k->to_day;
			kq.unit = i < r->n_units ? u->unit : NULL;
			sl_kpi_result *kr = NULL;
			sl_error e;
			cr_assert_eq(sl_kpi_compute(st, &kq, &kr, &e), 0, "%s", e.message);
			double d = kr->total.value[sl_kpi_result_index(kr, "deliveries")];
			double o = kr->total.value[sl_kpi_result_index(kr, "orders")];
			double f = kr->total.value[sl_kpi_result_index(kr, "contract_fidelity_pct")];
			double s = kr->total.value[sl_kpi_result_index(kr, "small_order_share_pct")];
			cr_expect_eq(k->deliveries, (int64_t)d, "%s %s deliveries %lld vs %g", u->unit, k->week,
			             (long long)k->deliveries, d);
			cr_expect_eq(k->orders, (int64_t)o);
			if (isnan(f))
				cr_expect(isnan(k->fidelity_pct));
			else
				cr_expect_float_eq(k->fidelity_pct, f, 1e-9);
			cr_expect_eq(k->small_orders, o > 0 ? llround(o * s / 100) : 0);
			sl_kpi_result_free(kr);
		}
	}
	/* and the hand-made truth: U1 5 a week, then 3 */
	const sl_followup_unit *u1 = unit_of(r, "U1");
	cr_assert_eq(u1->weeks[0].deliveries, 5);
	cr_assert_eq(u1->weeks[5].deliveries, 3);
	cr_assert_str_eq(u1->weeks[0].week, "2025-W02");
	cr_assert_eq(r->total.weeks[4].deliveries, 3 + 5 + 1);
	sl_followup_result_free(r);
	sl_store_close(st);
}

Test(followup, baseline_averages_by_hand)
{
	sl_store *st = open_db();
	/* U1: the four baseline weeks; U2: two weeks and one day (15 days) */
	set_baseline(st, "U1", D0, D0 + 27);
	set_baseline(st, "U2", D0, D0 + 14);
	sl_followup_query q = period_query();
	sl_followup_result *r = compute(st, &q);
	const sl_followup_unit *u1 = unit_of(r, "U1"), *u2 = unit_of(r, "U2"), *u3 = unit_of(r, "U3");
	cr_assert(u1->has_baseline && !u1->baseline_is_default);
	cr_assert_float_eq(u1->baseline_deliveries_per_week, 20.0 / 4, 1e-9);
	/* 12 orders of 2,000 SEK on contract, 8 of 500 SEK without */
	cr_assert_float_eq(u1->baseline_fidelity_pct, 100.0 * 2400000 / (2400000 + 400000), 1e-9);
	cr_assert_float_eq(u1->baseline_small_orders_per_week, 2.0, 1e-9);
	cr_assert_float_eq(u1->target_deliveries_per_week, 4.0, 1e-9);
	/* U2 over 15 days: 2 weeks (10) + Monday (1) = 11 deliveries */
	cr_assert_float_eq(u2->baseline_deliveries_per_week, 11.0 * 7 / 15, 1e-9);
	/* U1's follow-up weeks: 3 vs 5 = -40 % */
	cr_assert_float_eq(u1->weeks[5].deliveries_change_pct, -40.0, 1e-9);
	cr_assert_float_eq(u1->recent_change_pct, -40.0, 1e-9);
	cr_assert(!u3->has_baseline);
	cr_assert(isnan(u3->weeks[5].deliveries_change_pct));
	cr_assert_eq(r->has_total, 1);
	cr_assert(!r->total.has_baseline, "no city default yet");
	sl_followup_result_free(r);
	sl_store_close(st);
}

Test(followup, target_status)
{
	sl_store *st = open_db();
	set_baseline(st, "U1", D0, D0 + 27);
	set_baseline(st, "U2", D0, D0 + 27);
	sl_followup_query q = period_query();
	sl_followup_result *r = compute(st, &q);
	cr_assert_eq(r->status_from_day, D0 + 28); /* the last four weeks */
	const sl_followup_unit *u1 = unit_of(r, "U1"), *u2 = unit_of(r, "U2"), *u3 = unit_of(r, "U3");
	/* U1: -40 % and fidelity 8,000 / 9,000 SEK = 88.9 % */
	cr_assert_float_eq(u1->recent_fidelity_pct, 100.0 * 1600000 / 1800000, 1e-9);
	cr_assert_eq(u1->status, SL_FOLLOWUP_ON_TRACK);
	cr_assert(u1->deliveries_met && u1->fidelity_met);
	/* U2: 0 % change, fidelity 12 x 2,000 of 12 x 2,000 + 8 x 500 = 85.7 % */
	cr_assert_eq(u2->status, SL_FOLLOWUP_NOT_YET);
	cr_assert(!u2->deliveries_met && u2->fidelity_met);
	cr_assert_eq(u3->status, SL_FOLLOWUP_NO_BASELINE);
	cr_assert_eq(r->n_on_track, 1);
	cr_assert_eq(r->n_not_yet, 1);
	cr_assert_eq(r->n_no_baseline, 1);
	sl_followup_result_free(r);

	/* a stricter delivery target: U1 (-40 %) is not yet at -50 % */
	q.target_deliveries_pct = -50;
	r = compute(st, &q);
	cr_assert_eq(unit_of(r, "U1")->status, SL_FOLLOWUP_NOT_YET);
	sl_followup_result_free(r);

	/* targets from settings: fidelity 90 % fails U1's 88.9 % */
	exec_ok(st, "INSERT INTO settings(key, value) VALUES ('followup.target_fidelity_pct', '90')");
	q = period_query();
	r = compute(st, &q);
	cr_assert_float_eq(r->target_fidelity_pct, 90.0, 1e-9);
	cr_assert_eq(unit_of(r, "U1")->status, SL_FOLLOWUP_NOT_YET);
	cr_assert(!unit_of(r, "U1")->fidelity_met);
	sl_followup_result_free(r);

	/* the city default reaches U3, whose baseline weeks are empty */
	set_baseline(st, NULL, D0, D0 + 27);
	q = period_query();
	r = compute(st, &q);
	u3 = unit_of(r, "U3");
	cr_assert(u3->has_baseline && u3->baseline_is_default);
	cr_assert_eq(u3->status, SL_FOLLOWUP_NO_BASELINE, "a baseline without deliveries cannot be compared");
	cr_assert(r->total.has_baseline);
	cr_assert_float_eq(r->total.baseline_deliveries_per_week, 10.0, 1e-9);
	sl_followup_result_free(r);
	sl_store_close(st);
}

Test(followup, realised_pooling_counted_per_unit_and_week)
{
	sl_store *st = open_db();
	/* the board marks a confirmed announcement as pooled: S20's delivery
	 * to U3 on Tuesday of week 6 (no trip), matched to an announcement */
	char sql[600];
	snprintf(sql, sizeof sql,
	         "INSERT INTO deliveries(id, supplier_id, ext_id, site_id, status, delivered_at, local_day, "
	         "local_min, updated_at, row_hash) VALUES (9000, 20, 'A1', 3, 'announced', %lld, %lld, 600, 0, 'h');"
	         "INSERT INTO announcement_matches(announcement_id, delivery_id, matched_at, matched_by, pooled) "
	         "SELECT 9000, id, 0, 'test', 1 FROM deliveries WHERE site_id = 3 AND local_day = %lld "
	         "AND status = 'delivered'",
	         (long long)(D0 + 36) * 86400, (long long)(D0 + 36), (long long)(D0 + 36));
	exec_ok(st, sql);
	int64_t matched = 0;
	sl_error me;
	cr_assert_eq(sl_store_query_int64(st, "SELECT COUNT(*) FROM announcement_matches", &matched, &me), 0);
	cr_assert_eq(matched, 1);
	sl_followup_query q = period_query();
	sl_followup_result *r = compute(st, &q);
	const sl_followup_unit *u1 = unit_of(r, "U1"), *u2 = unit_of(r, "U2"), *u3 = unit_of(r, "U3");
	for (size_t w = 0; w < 8; w++) {
		/* U1: the Thursday trip carries S20 and S21: 2 pooled deliveries;
		 * the Monday trip carries S20 only */
		cr_expect_eq(u1->weeks[w].pooled, w < 4 ? 0 : 2, "U1 week %zu", w);
		cr_expect_eq(u2->weeks[w].pooled, w == 7 ? 1 : 0, "U2 week %zu", w);
		cr_expect_eq(u3->weeks[w].pooled, w == 7 || w == 5 ? 1 : 0, "U3 week %zu", w);
		cr_expect_eq(r->total.weeks[w].pooled, u1->weeks[w].pooled + u2->weeks[w].pooled + u3->weeks[w].pooled);
	}
	cr_assert_eq(u1->pooled, 8);
	cr_assert_eq(r->total.pooled, 11);
	cr_assert_eq(u3->weeks[5].deliveries, 1, "the announced row itself is not counted");
	sl_followup_result_free(r);
	sl_store_close(st);
}

/* ---- baselines: history and audit ----------------------------------------- */

Test(followup, baseline_history_and_audit)
{
	sl_store *st = open_db();
	set_baseline(st, "U1", D0, D0 + 13);
	set_baseline(st, "U1", D0, D0 + 27);
	set_baseline(st, NULL, D0 + 7, D0 + 20);
	sl_followup_baseline *b = NULL;
	size_t n = 0;
	sl_error e;
	cr_assert_eq(sl_followup_baseline_list(st, "U1", 1, &b, &n, &e), 0, "%s", e.message);
	cr_assert_eq(n, 2);
	cr_assert_eq(b[0].to_day, D0 + 27, "newest first");
	cr_assert_eq(b[0].superseded_at, 0);
	cr_assert_neq(b[1].superseded_at, 0);
	cr_assert_eq(b[1].to_day, D0 + 13, "the old baseline is kept");
	free(b);
	cr_assert_eq(sl_followup_baseline_list(st, NULL, 0, &b, &n, &e), 0);
	cr_assert_eq(n, 2); /* current: the default and U1 */
	cr_assert_str_eq(b[0].unit, "");
	free(b);
	int64_t c = 0;
	cr_assert_eq(sl_store_query_int64(st,
	                                  "SELECT COUNT(*) FROM audit_log WHERE action = 'baseline.set' "
	                                  "AND target = 'followup_baselines' AND role = 'city'",
	                                  &c, &e),
	             0);
	cr_assert_eq(c, 3);
	/* the follow-up uses the current baseline */
	sl_followup_query q = period_query();
	sl_followup_result *r = compute(st, &q);
	cr_assert_eq(unit_of(r, "U1")->baseline_to_day, D0 + 27);
	cr_assert_eq(unit_of(r, "U2")->baseline_from_day, D0 + 7);
	sl_followup_result_free(r);
	sl_store_close(st);
}

/* ---- bad input ------------------------------------------------------------ */

static void expect_error(int rc, int code, const sl_error *e, const char *needle)
{
	cr_assert_eq(rc, code, "rc %d, expected %d (%s)", rc, code, e->message);
	cr_assert(strstr(e->message, needle), "'%s' should say '%s'", e->message, needle);
}

Test(followup, bad_input_refused_with_clear_messages)
{
	sl_store *st = open_db();
	sl_error e;
	sl_followup_actor a = {.role = "city"};
	expect_error(sl_followup_baseline_set(st, "U1", D0 + 10, D0, NULL, &a, NULL, &e), SL_EINVAL, &e,
	             "before it starts");
	expect_error(sl_followup_baseline_set(st, "NOPE", D0, D0 + 10, NULL, &a, NULL, &e), SL_ENOTFOUND,
	             &e, "unknown unit 'NOPE'");
	expect_error(sl_followup_baseline_set(st, "DEP20", D0, D0 + 10, NULL, &a, NULL, &e),
	             SL_ENOTFOUND, &e, "unknown unit"); /* a depot is not a receiving unit */
	int64_t c = -1;
	cr_assert_eq(sl_store_query_int64(st, "SELECT COUNT(*) FROM followup_baselines", &c, &e), 0);
	cr_assert_eq(c, 0, "refused baselines are not stored");
	sl_followup_result *r = NULL;
	sl_followup_query q = period_query();
	q.unit = "NOPE";
	expect_error(sl_followup_compute(st, &q, &r, &e), SL_ENOTFOUND, &e, "unknown unit 'NOPE'");
	cr_assert_null(r);
	q = period_query();
	q.to_day = D0 - 1;
	expect_error(sl_followup_compute(st, &q, &r, &e), SL_EINVAL, &e, "before it starts");
	q = period_query();
	q.to_day = SL_FOLLOWUP_NO_DAY;
	expect_error(sl_followup_compute(st, &q, &r, &e), SL_EINVAL, &e, "both");
	q = period_query();
	q.target_fidelity_pct = 120;
	expect_error(sl_followup_compute(st, &q, &r, &e), SL_EINVAL, &e, "targets out of range");
	sl_store_close(st);
}

/* ---- viewers ------------------------------------------------------------- */

Test(followup, viewers)
{
	sl_store *st = open_db();
	set_baseline(st, NULL, D0, D0 + 27);
	sl_followup_query q = period_query();
	/* a unit sees its own site only, no city total */
	q.viewer = (sl_pooling_viewer){SL_VIEWER_UNIT, 10};
	sl_followup_result *r = compute(st, &q);
	cr_assert_eq(r->n_units, 1);
	cr_assert_str_eq(r->units[0].unit, "U1");
	cr_assert_eq(r->has_total, 0);
	cr_assert_eq(r->units[0].weeks[5].deliveries, 3);
	sl_followup_result_free(r);
	sl_error e;
	q.unit = "U2";
	expect_error(sl_followup_compute(st, &q, &r, &e), SL_ENOTFOUND, &e, "not one of yours");
	/* supplier S21 sees only its own deliveries: U1 2 → 1 a week; U3
	 * (served by S20 only) is not listed */
	q = period_query();
	q.viewer = (sl_pooling_viewer){SL_VIEWER_SUPPLIER, 21};
	r = compute(st, &q);
	cr_assert_eq(r->n_units, 2);
	cr_assert_null(unit_of(r, "U3"));
	const sl_followup_unit *u1 = unit_of(r, "U1");
	cr_assert_float_eq(u1->baseline_deliveries_per_week, 2.0, 1e-9);
	cr_assert_eq(u1->weeks[5].deliveries, 1);
	cr_assert_eq(u1->weeks[5].pooled, 1, "its own pooled delivery only");
	cr_assert_float_eq(u1->recent_fidelity_pct, 0.0, 1e-9);
	cr_assert_eq(r->has_total, 1);
	cr_assert_eq(r->total.weeks[5].deliveries, 3, "S21: U1 Thu, U2 Tue and Thu");
	sl_followup_result_free(r);
	/* public and carrier viewers are refused */
	q.viewer = (sl_pooling_viewer){SL_VIEWER_PUBLIC, 0};
	expect_error(sl_followup_compute(st, &q, &r, &e), SL_EPERM, &e, "city, units and suppliers");
	q.viewer = (sl_pooling_viewer){SL_VIEWER_CARRIER, 30};
	cr_assert_eq(sl_followup_compute(st, &q, &r, &e), SL_EPERM);
	sl_store_close(st);
}

Test(followup, empty_store_gives_an_empty_current_week)
{
	sl_store *st = open_db();
	exec_ok(st, "DELETE FROM deliveries; DELETE FROM orders;");
	sl_followup_query q;
	sl_followup_query_init(&q);
	sl_followup_result *r = compute(st, &q);
	cr_assert_eq(r->n_weeks, 1);
	cr_assert_eq(r->total.deliveries, 0);
	sl_buf b = {0};
	cr_assert_eq(sl_followup_write_json(r, 1, &b), 0);
	json_error_t je;
	json_t *j = json_loads(b.data, 0, &je);
	cr_assert(j, "JSON: %s", je.text);
	json_decref(j);
	sl_buf_free(&b);
	sl_followup_result_free(r);
	sl_store_close(st);
}

/* ---- CLI ------------------------------------------------------------------- */

static int run(const char *args, char *out, size_t cap)
{
	const char *bin = getenv("SAMLAST_BIN");
	cr_assert(bin, "SAMLAST_BIN is not set");
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "%s %s 2>&1", bin, args);
	FILE *p = popen(cmd, "r");
	cr_assert(p);
	size_t n = fread(out, 1, cap - 1, p);
	out[n] = 0;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(followup, cli)
{
	char out[65536], args[600];
	snprintf(args, sizeof args, "baseline set --db %s --unit U1 --from 2025-01-06 --to 2025-02-02", db_path);
	cr_assert_eq(run(args, out, sizeof out), 0, "%s", out);
	snprintf(args, sizeof args, "baseline set --db %s --unit U1 --from 2025-02-02 --to 2025-01-06", db_path);
	cr_assert_eq(run(args, out, sizeof out), 1, "%s", out);
	cr_assert(strstr(out, "before it starts"), "%s", out);
	snprintf(args, sizeof args, "baseline set --db %s --unit X9 --from 2025-01-06 --to 2025-01-07", db_path);
	cr_assert_eq(run(args, out, sizeof out), 1);
	cr_assert(strstr(out, "unknown unit 'X9'"), "%s", out);
	snprintf(args, sizeof args, "followup --db %s --from 2025-13-01 --to 2025-12-31", db_path);
	cr_assert_eq(run(args, out, sizeof out), 2);
	cr_assert(strstr(out, "not a date"), "%s", out);
	snprintf(args, sizeof args, "followup --db %s --unit X9", db_path);
	cr_assert_eq(run(args, out, sizeof out), 1);
	snprintf(args, sizeof args, "followup --db %s --from 2025-01-06 --to 2025-03-02 --format csv", db_path);
	cr_assert_eq(run(args, out, sizeof out), 0, "%s", out);
	cr_assert(strstr(out, "\"U1\",\"Skola A\",2025-W07,2025-02-10,2025-02-16,3,3,1,2,88.9,5.00,4.00,-40.0,on_track"),
	          "%s", out);
	snprintf(args, sizeof args, "followup --db %s --from 2025-01-06 --to 2025-03-02", db_path);
	cr_assert_eq(run(args, out, sizeof out), 0, "%s", out);
	cr_assert(strstr(out, "1 on track"), "%s", out);
	snprintf(args, sizeof args, "baseline show --db %s --history", db_path);
	cr_assert_eq(run(args, out, sizeof out), 0, "%s", out);
	cr_assert(strstr(out, "U1") && strstr(out, "cli#0"), "%s", out);
	cr_assert_eq(run("followup --help", out, sizeof out), 0);
	cr_assert_eq(run("baseline --help", out, sizeof out), 0);
	cr_assert_eq(run("baseline frob", out, sizeof out), 2);
}

/* ---- HTTP ---------------------------------------------------------------- */

typedef struct {
	int status;
	char *body;
} resp_t;

static sl_server *srv;
static char tok_city[96], tok_u1[96], tok_s21[96], tok_pub[96], tok_admin[96];

static resp_t http(const char *method, const char *path, const char *token, const char *body)
{
	resp_t r = {0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(fd >= 0);
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET;
	a.sin_port = htons(sl_server_port(srv));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	char head[1500];
	int n = snprintf(head, sizeof head,
	                 "%s %s HTTP/1.1\r\nHost: test\r\nConnection: close\r\n%s%s%s"
	                 "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
	                 method, path, token ? "Authorization: Bearer " : "", token ? token : "",
	                 token ? "\r\n" : "", body ? strlen(body) : 0, body ? body : "");
	cr_assert_eq(send(fd, head, (size_t)n, MSG_NOSIGNAL), n);
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
	cr_assert(len > 12, "no answer to %s %s", method, path);
	r.status = atoi(buf + 9);
	char *sep = strstr(buf, "\r\n\r\n");
	cr_assert(sep);
	r.body = strdup(sep + 4);
	free(buf);
	return r;
}

static void http_setup(void)
{
	build_fixture();
	sl_store *st = open_db();
	sl_error err = {0};
	set_baseline(st, NULL, D0, D0 + 27);
	cr_assert_eq(sl_server_token_create(st, NULL, SL_ROLE_CITY, 0, NULL, tok_city, sizeof tok_city, NULL, &err), 0);
	cr_assert_eq(sl_server_token_create(st, NULL, SL_ROLE_ADMIN, 0, NULL, tok_admin, sizeof tok_admin, NULL, &err), 0);
	cr_assert_eq(sl_server_token_create(st, "O10", SL_ROLE_UNIT, 0, NULL, tok_u1, sizeof tok_u1, NULL, &err), 0,
	             "%s", err.message);
	cr_assert_eq(sl_server_token_create(st, "S21", SL_ROLE_SUPPLIER, 0, NULL, tok_s21, sizeof tok_s21, NULL, &err),
	             0);
	cr_assert_eq(sl_server_token_create(st, NULL, SL_ROLE_PUBLIC, 0, NULL, tok_pub, sizeof tok_pub, NULL, &err), 0);
	sl_store_close(st);
	sl_server_config c;
	sl_server_config_init(&c);
	c.db_uri = db_path;
	c.port = 0;
	c.threads = 2;
	cr_assert_eq(sl_server_start(&c, &srv, &err), 0, "%s", err.message);
}

static void http_teardown(void)
{
	sl_server_stop(srv);
	srv = NULL;
	unlink_db();
}

static json_t *get_json(const char *path, const char *token)
{
	resp_t r = http("GET", path, token, NULL);
	cr_assert_eq(r.status, 200, "GET %s: %d %s", path, r.status, r.body);
	json_error_t e;
	json_t *j = json_loads(r.body, 0, &e);
	cr_assert(j, "not JSON (%s): %s", e.text, r.body);
	free(r.body);
	return j;
}

static int status_of(const char *method, const char *path, const char *token, const char *body,
                     const char *needle)
{
	resp_t r = http(method, path, token, body);
	if (needle)
		cr_expect(strstr(r.body, needle), "%s %s: '%s' lacks '%s'", method, path, r.body, needle);
	cr_expect(r.status < 500, "%s %s: %d", method, path, r.status);
	int s = r.status;
	free(r.body);
	return s;
}

#define P "/api/v1/followup?from=2025-01-06&to=2025-03-02"

Test(followup_http, roles, .init = http_setup, .fini = http_teardown, .timeout = 60)
{
	json_t *j = get_json(P, tok_city);
	cr_assert_eq(json_array_size(json_object_get(j, "units")), 3);
	cr_assert(json_is_object(json_object_get(j, "total")));
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(j, "total"), "pooled")), 10);
	json_decref(j);
	/* a unit: its own site only */
	j = get_json(P, tok_u1);
	json_t *units = json_object_get(j, "units");
	cr_assert_eq(json_array_size(units), 1);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(units, 0), "unit")), "U1");
	cr_assert(json_is_null(json_object_get(j, "total")));
	json_decref(j);
	cr_assert_eq(status_of("GET", P "&unit=U2", tok_u1, NULL, "not one of yours"), 404);
	/* a supplier: its own deliveries only, nothing of S20 */
	j = get_json(P, tok_s21);
	units = json_object_get(j, "units");
	cr_assert_eq(json_array_size(units), 2);
	size_t i;
	json_t *u;
	json_array_foreach(units, i, u)
	{
		json_t *w5 = json_array_get(json_object_get(u, "weeks"), 5);
		cr_assert_leq(json_integer_value(json_object_get(w5, "deliveries")), 2);
	}
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(j, "total"), "deliveries")), 4 * 4 + 4 * 3);
	resp_t raw = http("GET", P, tok_s21, NULL);
	cr_assert_null(strstr(raw.body, "S20"), "no other supplier's id");
	cr_assert_null(strstr(raw.body, "Matgrossisten"), "no other supplier's name");
	free(raw.body);
	json_decref(j);
	/* public and no token */
	cr_assert_eq(status_of("GET", P, tok_pub, NULL, NULL), 403);
	cr_assert_eq(status_of("GET", P, NULL, NULL, NULL), 401);
	/* baselines: city and admin only */
	const char *body = "{\"unit\":\"U1\",\"from\":\"2025-01-06\",\"to\":\"2025-01-19\",\"note\":\"pilot\"}";
	cr_assert_eq(status_of("POST", "/api/v1/followup/baselines", tok_u1, body, NULL), 403);
	cr_assert_eq(status_of("POST", "/api/v1/followup/baselines", tok_s21, body, NULL), 403);
	cr_assert_eq(status_of("POST", "/api/v1/followup/baselines", NULL, body, NULL), 401);
	cr_assert_eq(status_of("GET", "/api/v1/followup/baselines", tok_u1, NULL, NULL), 403);
	cr_assert_eq(status_of("POST", "/api/v1/followup/baselines", tok_city, body, "\"U1\""), 201);
	cr_assert_eq(status_of("POST", "/api/v1/followup/baselines", tok_admin,
	                       "{\"unit\":null,\"from\":\"2025-01-13\",\"to\":\"2025-01-26\"}", NULL),
	             201);
	j = get_json("/api/v1/followup/baselines?history=1", tok_city);
	cr_assert_eq(json_array_size(json_object_get(j, "baselines")), 3); /* U1, default, old default */
	json_decref(j);
	sl_store *st = open_db();
	int64_t c = 0;
	sl_error e;
	cr_assert_eq(sl_store_query_int64(st,
	                                  "SELECT COUNT(*) FROM audit_log WHERE action = 'baseline.set' "
	                                  "AND token_id IS NOT NULL",
	                                  &c, &e),
	             0);
	cr_assert_eq(c, 2, "both API changes audited with their token");
	sl_store_close(st);
	/* the same query as at the start: a cached answer must not survive
	 * a baseline change */
	j = get_json(P, tok_city);
	json_t *c1 = json_array_get(json_object_get(j, "units"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(c1, "unit")), "U1");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(c1, "baseline"), "to")), "2025-01-19");
	json_decref(j);
	j = get_json(P "&unit=U1&weeks=0", tok_city);
	json_t *u1 = json_array_get(json_object_get(j, "units"), 0);
	cr_assert_null(json_object_get(u1, "weeks"));
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(u1, "baseline"), "to")), "2025-01-19");
	json_decref(j);
}

Test(followup_http, bad_input_never_500, .init = http_setup, .fini = http_teardown, .timeout = 60)
{
	cr_assert_eq(status_of("GET", "/api/v1/followup?from=2025-02-30&to=2025-03-01", tok_city, NULL, "not a date"), 400);
	cr_assert_eq(status_of("GET", "/api/v1/followup?from=2025-03-01&to=2025-01-01", tok_city, NULL, "before it starts"), 400);
	cr_assert_eq(status_of("GET", "/api/v1/followup?from=2025-03-01", tok_city, NULL, "both"), 400);
	cr_assert_eq(status_of("GET", P "&unit=NOPE", tok_city, NULL, "unknown unit"), 404);
	cr_assert_eq(status_of("GET", P "&frob=1", tok_city, NULL, "unknown parameter"), 400);
	cr_assert_eq(status_of("GET", P "&target_fidelity=abc", tok_city, NULL, "not a number"), 400);
	cr_assert_eq(status_of("GET", P "&status_weeks=0", tok_city, NULL, NULL), 400);
	cr_assert_eq(status_of("GET", "/api/v1/followup/nothing", tok_city, NULL, NULL), 404);
	cr_assert_eq(status_of("DELETE", "/api/v1/followup", tok_city, NULL, NULL), 405);
	const char *bad[][2] = {
	    {"[]", "JSON object"},
	    {"{\"unit\":\"U1\",\"from\":\"2025-02-01\",\"to\":\"2025-01-01\"}", "before it starts"},
	    {"{\"unit\":\"NOPE\",\"from\":\"2025-01-01\",\"to\":\"2025-01-10\"}", "unknown unit"},
	    {"{\"unit\":\"U1\",\"from\":\"2025-01-01\"}", "required"},
	    {"{\"unit\":\"U1\",\"from\":\"1.1.2025\",\"to\":\"2025-01-10\"}", "not a date"},
	    {"{\"unit\":1,\"from\":\"2025-01-01\",\"to\":\"2025-01-10\"}", "string or null"},
	    {"{\"site\":\"U1\"}", "unknown member"},
	    {"{not json", "JSON object"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int s = status_of("POST", "/api/v1/followup/baselines", tok_city, bad[i][0], bad[i][1]);
		cr_expect(s == 400 || s == 404, "%s: %d", bad[i][0], s);
	}
	/* CSV */
	resp_t r = http("GET", P "&format=csv-sv", tok_city, NULL);
	cr_assert_eq(r.status, 200);
	cr_assert(strstr(r.body, "\xEF\xBB\xBFunit;name;week"), "%s", r.body);
	free(r.body);
}
