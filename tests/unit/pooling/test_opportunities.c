/* test_opportunities.c — pooling opportunities (src/pooling/opportunities.c):
 * a hand-checkable case (three suppliers, two units, all on the equator so
 * every distance is R x Δλ x 1.3 and can be added up by hand) whose km,
 * site visits and CO2e equal the hand calculation; capacities, time windows
 * and temperature classes respected in the pooled tours (each one changes
 * the answer to a second hand-computed value); what each viewer sees; days
 * without candidates; bad queries; the CLI; and a routed case on the
 * Monaco extract (skipped when ../shared/data is absent). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "samlast/emissions.h"
#include "samlast/pooling.h"
#include "samlast/route.h"
#include "samlast/store.h"

/* ---- fixtures ------------------------------------------------------------ */

static char db_path[256];

static void exec_ok(sl_store *st, const char *sql)
{
	sl_error e;
	cr_assert_eq(sl_store_exec(st, sql, &e), 0, "%s: %s", sql, e.message);
}

static sl_store *new_db(int n)
{
	snprintf(db_path, sizeof db_path, "/tmp/sl_opp_%d_%d.db", (int)getpid(), n);
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
	char p[300];
	sl_store_close(st);
	unlink(db_path);
	snprintf(p, sizeof p, "%s-wal", db_path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", db_path);
	unlink(p);
}

static void org(sl_store *st, int id, const char *kind, const char *ext, const char *name)
{
	char sql[400];
	snprintf(sql, sizeof sql,
	         "INSERT INTO organisations(id, ext_id, kind, name, updated_at, row_hash) "
	         "VALUES (%d, '%s', '%s', '%s', 0, 'h')", id, ext, kind, name);
	exec_ok(st, sql);
}

static void site(sl_store *st, int id, int org_id, const char *ext, const char *type, double lon,
                 double lat)
{
	char sql[400];
	snprintf(sql, sizeof sql,
	         "INSERT INTO sites(id, ext_id, org_id, name, unit_type, lon, lat, updated_at, "
	         "row_hash) VALUES (%d, '%s', %d, 'Site %s', '%s', %.7f, %.7f, 0, 'h')",
	         id, ext, org_id, ext, type, lon, lat);
	exec_ok(st, sql);
}

/* A vehicle of supplier `sup` whose measured intensity is g_km (one trip
 * of 100 km with its trip_emissions). */
static void vehicle(sl_store *st, int id, int sup, double cap_kg, const char *temps, double g_km)
{
	char sql[600];
	snprintf(sql, sizeof sql,
	         "INSERT INTO vehicles(id, carrier_id, ext_id, vehicle_class, energy_carrier, "
	         "capacity_kg, capacity_m3, temp_classes, updated_at, row_hash) VALUES "
	         "(%d, %d, 'V%d', 'van_lt_3.5t', 'diesel_b7', %.1f, 10, '%s', 0, 'h')",
	         id, sup, id, cap_kg, temps);
	exec_ok(st, sql);
	snprintf(sql, sizeof sql,
	         "INSERT INTO trips(id, carrier_id, ext_id, vehicle_id, start_at, local_day, "
	         "distance_m, updated_at, row_hash) VALUES (%d, %d, 'T%d', %d, 0, 0, 100000, 0, 'h')",
	         id, sup, id, id);
	exec_ok(st, sql);
	snprintf(sql, sizeof sql,
	         "INSERT INTO trip_emissions(trip_id, factor_set, factor_version, factor_id, method, "
	         "quality, wtw_g, tkm, computed_at) VALUES (%d, 'x', '1', 'f', 'm', 'primary', %lld, "
	         "1, 0)", id, (long long)llround(g_km * 100));
	exec_ok(st, sql);
}

static int next_id = 1;

static void delivery(sl_store *st, int sup, int site_id, int veh, int64_t day, double kg,
                     int from_min, int to_min, const char *temp)
{
	char sql[700];
	int id = next_id++;
	snprintf(sql, sizeof sql,
	         "INSERT INTO deliveries(id, supplier_id, ext_id, site_id, vehicle_id, status, "
	         "delivered_at, local_day, local_min, window_from_min, window_to_min, parcels, "
	         "mass_kg, volume_m3, temp_class, updated_at, row_hash) VALUES "
	         "(%d, %d, 'D%d', %d, %d, 'delivered', %lld, %lld, %d, %d, %d, 2, %.1f, 0.1, '%s', 0, "
	         "'h')",
	         id, sup, id, site_id, veh, (long long)day * 86400 + from_min * 60, (long long)day,
	         from_min, from_min, to_min, kg, temp);
	exec_ok(st, sql);
}

static int64_t day0(void)
{
	return sl_days_from_civil(2025, 3, 11);
}

/* km per degree of longitude on the equator, x the detour factor */
static double deg_km(void)
{
	return 6371008.8 * M_PI / 180.0 * SL_EM_DETOUR_FACTOR / 1000.0;
}

/* Options of the hand case. */
struct hand {
	double cap_kg[3];
	const char *vtemps[3];
	const char *s2_temp;
	int win[4][2];
	int extra_suppliers; /* more suppliers delivering to U1 (roles) */
};

static struct hand hand_default(void)
{
	struct hand h = {{900, 900, 900},
	                 {"ambient|chilled", "ambient|chilled", "ambient|chilled"},
	                 "ambient",
	                 {{480, 720}, {480, 720}, {480, 720}, {480, 720}},
	                 0};
	return h;
}

/* Suppliers A (id 10), B (11), C (12) with depots at longitude 0, 0.001,
 * 0.002 on the equator; units U1 (org 20) at 0.100 and U2 (org 21) at
 * 0.101.  A delivers to U1 and U2, B to U1, C to U2, 10 kg each.
 * Intensities: A 300, B 200, C 400 g/km. */
static sl_store *hand_case(int n, const struct hand *h)
{
	sl_store *st = new_db(n);
	exec_ok(st, "BEGIN");
	org(st, 1, "city", "CITY", "Staden");
	org(st, 10, "supplier", "SUP-A", "Alfa Livs AB");
	org(st, 11, "supplier", "SUP-B", "Beta Frukt AB");
	org(st, 12, "supplier", "SUP-C", "Gamma Kyl AB");
	org(st, 20, "unit", "UNIT-1", "Skolan");
	org(st, 21, "unit", "UNIT-2", "Förskolan");
	org(st, 22, "unit", "UNIT-9", "Elsewhere");
	org(st, 30, "carrier", "CAR-1", "Frakt AB");
	site(st, 100, 10, "D-A", "depot", 0.000, 0);
	site(st, 101, 11, "D-B", "depot", 0.001, 0);
	site(st, 102, 12, "D-C", "depot", 0.002, 0);
	site(st, 200, 20, "U1", "school", 0.100, 0);
	site(st, 201, 21, "U2", "preschool", 0.101, 0);
	site(st, 202, 22, "U9", "school", 0.500, 0);
	vehicle(st, 40, 10, h->cap_kg[0], h->vtemps[0], 300);
	vehicle(st, 41, 11, h->cap_kg[1], h->vtemps[1], 200);
	vehicle(st, 42, 12, h->cap_kg[2], h->vtemps[2], 400);
	int64_t d = day0();
	delivery(st, 10, 200, 40, d, 10, h->win[0][0], h->win[0][1], "ambient");
	delivery(st, 10, 201, 40, d, 10, h->win[1][0], h->win[1][1], "ambient");
	delivery(st, 11, 200, 41, d, 10, h->win[2][0], h->win[2][1], h->s2_temp);
	delivery(st, 12, 201, 42, d, 10, h->win[3][0], h->win[3][1], "ambient");
	for (int k = 0; k < h->extra_suppliers; k++) {
		char ext[16], name[32];
		snprintf(ext, sizeof ext, "SUP-X%d", k);
		snprintf(name, sizeof name, "Extra %d AB", k);
		org(st, 50 + k, "supplier", ext, name);
		snprintf(ext, sizeof ext, "D-X%d", k);
		site(st, 150 + k, 50 + k, ext, "depot", 0.003 + 0.001 * k, 0);
		vehicle(st, 60 + k, 50 + k, 900, "ambient", 250);
		delivery(st, 50 + k, 200, 60 + k, d, 10, 480, 720, "ambient");
	}
	exec_ok(st, "COMMIT");
	return st;
}

static sl_pooling_opportunities *run(sl_store *st, sl_pooling_viewer_kind kind, int64_t org_id)
{
	sl_opp_query q;
	sl_opp_query_init(&q);
	q.day = day0();
	q.viewer.kind = kind;
	q.viewer.org_id = org_id;
	sl_pooling_opportunities *r = NULL;
	sl_error e;
	sl_error_clear(&e);
	int rc = sl_pooling_opportunities_compute(st, &q, &r, &e);
	cr_assert_eq(rc, 0, "compute: %s", e.message);
	cr_assert_not_null(r);
	return r;
}

/* Every pooled tour: load within capacity at every stop, arrivals within
 * windows at deliveries, every temperature class one the vehicle may
 * carry. */
static void check_tours(const sl_pooling_opportunity *o)
{
	for (size_t t = 0; t < o->n_tours; t++) {
		const sl_opp_tour *x = &o->tours[t];
		for (size_t k = 0; k < x->n_stops; k++) {
			const sl_opp_stop *s = &o->stops[x->first_stop + k];
			cr_assert_leq(s->load_kg, x->cap_kg + 1e-9, "tour of %s over capacity at stop %zu",
			              x->supplier, k);
			cr_assert_geq(s->load_kg, -1e-9);
			cr_assert(x->temp_ok & (1u << s->temp), "tour of %s carries temp %d it may not",
			          x->supplier, s->temp);
			if (!s->pickup) {
				cr_assert_geq(s->arrival_min, s->window_from_min, "early at %s", s->place);
				cr_assert_leq(s->arrival_min, s->window_to_min, "late at %s", s->place);
			}
		}
	}
}

static int json_has(const sl_pooling_opportunities *r, const char *needle)
{
	sl_buf b = {0};
	cr_assert_eq(sl_pooling_opportunities_json(r, &b), 0);
	int has = strstr(b.data, needle) != NULL;
	sl_buf_free(&b);
	return has;
}

/* ---- the hand calculation ------------------------------------------------ */

Test(opportunities, hand_case_equals_hand_calculation)
{
	struct hand h = hand_default();
	sl_store *st = hand_case(1, &h);
	sl_pooling_opportunities *r = run(st, SL_VIEWER_CITY, 0);
	double k = deg_km();
	cr_assert_eq(r->n, 1, "one opportunity (got %zu)", r->n);
	cr_assert_str_eq(r->distance_basis, "great_circle_x1.3");
	const sl_pooling_opportunity *o = &r->items[0];
	/* before: A 0→0.100→0.101→0 = 0.202°, B 2×0.099°, C 2×0.099° */
	cr_assert_float_eq(o->km_before, 0.598 * k, 1e-3, "km before %.4f vs %.4f", o->km_before,
	                   0.598 * k);
	/* after: one tour 0→0.001→0.002→0.100→0.101→0 = 0.202° */
	cr_assert_float_eq(o->km_after, 0.202 * k, 1e-3, "km after %.4f vs %.4f", o->km_after,
	                   0.202 * k);
	cr_assert_float_eq(o->km_before - o->km_after, 0.396 * k, 1e-3);
	cr_assert_eq(o->visits_before, 4);
	cr_assert_eq(o->visits_after, 2);
	cr_assert_eq(o->deliveries, 4);
	cr_assert_eq(o->n_suppliers, 3);
	cr_assert_eq(o->n_sites, 2);
	/* CO2e: B's and C's tours go; A's tour stays as long */
	cr_assert_float_eq(o->co2e_before_g, (0.202 * 300 + 0.198 * 200 + 0.198 * 400) * k, 1.0);
	cr_assert_float_eq(o->co2e_before_g - o->co2e_after_g, 0.198 * 600 * k, 1.0,
	                   "CO2e saved %.1f g vs %.1f g", o->co2e_before_g - o->co2e_after_g,
	                   0.198 * 600 * k);
	cr_assert_str_eq(o->co2e_quality, "vehicle");
	cr_assert_str_eq(o->model, "handover");
	cr_assert_eq(o->handed_over, 2);
	cr_assert_eq(o->n_tours, 1);
	cr_assert_str_eq(o->tours[0].supplier, "SUP-A");
	cr_assert_float_eq(o->tours[0].km, 0.202 * k, 1e-3);
	check_tours(o);
	cr_assert_eq(o->n_parties, 3);
	cr_assert_float_eq(r->km_saved, 0.396 * k, 1e-3);
	cr_assert_eq(r->visits_removed, 2);
	cr_assert(json_has(r, "\"km_saved\":57.24"), "the JSON carries the saving");
	sl_pooling_opportunities_free(r);
	drop_db(st);
}

Test(opportunities, capacity_respected)
{
	/* 25 kg vehicles: no tour may carry more than two deliveries, so the
	 * best plan is two tours of 0.202° and 0.200° */
	struct hand h = hand_default();
	h.cap_kg[0] = h.cap_kg[1] = h.cap_kg[2] = 25;
	sl_store *st = hand_case(2, &h);
	sl_pooling_opportunities *r = run(st, SL_VIEWER_CITY, 0);
	double k = deg_km();
	cr_assert_eq(r->n, 1);
	const sl_pooling_opportunity *o = &r->items[0];
	cr_assert_float_eq(o->km_after, 0.402 * k, 1e-3, "km after %.4f vs %.4f", o->km_after,
	                   0.402 * k);
	cr_assert_gt(o->n_tours, 0);
	check_tours(o);
	sl_pooling_opportunities_free(r);
	drop_db(st);
}

Test(opportunities, temperature_respected)
{
	/* B's delivery is frozen and only B's vehicle can carry frozen goods:
	 * the single shared tour must be B's, D-B→D-A→D-C→U1→U2→D-B = 0.202° */
	struct hand h = hand_default();
	h.s2_temp = "frozen";
	h.vtemps[0] = "ambient";
	h.vtemps[1] = "ambient|chilled|frozen";
	h.vtemps[2] = "ambient";
	sl_store *st = hand_case(3, &h);
	sl_pooling_opportunities *r = run(st, SL_VIEWER_CITY, 0);
	double k = deg_km();
	cr_assert_eq(r->n, 1);
	const sl_pooling_opportunity *o = &r->items[0];
	cr_assert_float_eq(o->km_after, 0.202 * k, 1e-3, "km after %.4f", o->km_after);
	cr_assert_str_eq(o->model, "shared_trip");
	cr_assert_eq(o->n_tours, 1);
	cr_assert_str_eq(o->tours[0].supplier, "SUP-B");
	cr_assert_float_eq(o->co2e_after_g, 0.202 * 200 * k, 1.0);
	check_tours(o);
	sl_pooling_opportunities_free(r);
	drop_db(st);
}

Test(opportunities, time_windows_split_and_respected)
{
	/* A delivers early, B and C in the afternoon: A is not part of any
	 * group; B hands its goods to C (D-C→D-B→U1→U2→D-C = 0.200°) */
	struct hand h = hand_default();
	h.win[0][0] = h.win[1][0] = 360;
	h.win[0][1] = h.win[1][1] = 420;
	h.win[2][0] = h.win[3][0] = 780;
	h.win[2][1] = h.win[3][1] = 840;
	sl_store *st = hand_case(4, &h);
	sl_pooling_opportunities *r = run(st, SL_VIEWER_CITY, 0);
	double k = deg_km();
	cr_assert_eq(r->n, 1);
	const sl_pooling_opportunity *o = &r->items[0];
	cr_assert_eq(o->n_suppliers, 2);
	cr_assert_eq(o->deliveries, 2);
	cr_assert_float_eq(o->km_before, 0.396 * k, 1e-3);
	cr_assert_float_eq(o->km_after, 0.200 * k, 1e-3, "km after %.4f", o->km_after);
	cr_assert_eq(o->window_from_min, 780);
	check_tours(o);
	for (size_t s = 0; s < o->n_stops; s++)
		cr_assert_str_neq(o->stops[s].supplier, "SUP-A");
	sl_pooling_opportunities_free(r);
	drop_db(st);
}

Test(opportunities, tight_window_keeps_a_delivery_on_its_own_tour)
{
	/* B must reach U1 by 00:30.  Its own van leaves D-B at 00:00 and
	 * arrives after 0.099° x 144.55 km/° = 14.31 km at 30 km/h = 28.6 min;
	 * any other vehicle first stops at D-B for the 2-minute pickup and
	 * arrives after 30.6 min or later: too late.  So B keeps its tour and
	 * only C hands over (to A: D-A→D-C→U1→U2→D-A = 0.202°), after =
	 * 0.202° + 0.198° = 0.400° — even with the windows grouped together. */
	struct hand h = hand_default();
	h.win[2][0] = 29;
	h.win[2][1] = 30;
	sl_store *st = hand_case(12, &h);
	sl_opp_query q;
	sl_opp_query_init(&q);
	q.day = day0();
	q.window_slack_min = 1440;
	sl_pooling_opportunities *r = NULL;
	sl_error e;
	cr_assert_eq(sl_pooling_opportunities_compute(st, &q, &r, &e), 0, "%s", e.message);
	double k = deg_km();
	cr_assert_eq(r->n, 1);
	const sl_pooling_opportunity *o = &r->items[0];
	cr_assert_eq(o->n_suppliers, 3, "B is in the group");
	cr_assert_float_eq(o->km_after, 0.400 * k, 1e-3, "km after %.4f vs %.4f", o->km_after,
	                   0.400 * k);
	check_tours(o);
	for (size_t s = 0; s < o->n_stops; s++)
		cr_assert_str_neq(o->stops[s].supplier, "SUP-B", "B's goods must not be handed over");
	sl_pooling_opportunities_free(r);
	drop_db(st);
}

/* ---- the joint plan ------------------------------------------------------ */

/* Two opportunities of one day that share supplier A's tour.  Depots on
 * the equator: C at 0.000, A at 0.001, B at 0.002; units U1 at 0.100 and
 * U2 at 0.110 (1.1 km apart: two clusters).  A delivers 5 kg to U1
 * (08:00-09:00) and 10 kg to U2 (10:00-11:00), so its tour is D-A→U1→U2→D-A
 * = 0.218°; B 15 kg to U1 (08:00-09:00), tour 0.196°; C 15 kg to U2
 * (09:55-11:00), tour 0.220°.  A's van holds cap_a kg.  Intensities: A 300,
 * B 200, C 400 g/km. */
static sl_store *joint_case(int n, double cap_a)
{
	sl_store *st = new_db(n);
	exec_ok(st, "BEGIN");
	org(st, 10, "supplier", "SUP-A", "Alfa Livs AB");
	org(st, 11, "supplier", "SUP-B", "Beta Frukt AB");
	org(st, 12, "supplier", "SUP-C", "Gamma Kyl AB");
	org(st, 20, "unit", "UNIT-1", "Skolan");
	org(st, 21, "unit", "UNIT-2", "Förskolan");
	site(st, 100, 10, "D-A", "depot", 0.001, 0);
	site(st, 101, 11, "D-B", "depot", 0.002, 0);
	site(st, 102, 12, "D-C", "depot", 0.000, 0);
	site(st, 200, 20, "U1", "school", 0.100, 0);
	site(st, 201, 21, "U2", "preschool", 0.110, 0);
	vehicle(st, 40, 10, cap_a, "ambient", 300);
	vehicle(st, 41, 11, 900, "ambient", 200);
	vehicle(st, 42, 12, 900, "ambient", 400);
	int64_t d = day0();
	delivery(st, 10, 200, 40, d, 5, 480, 540, "ambient");
	delivery(st, 11, 200, 41, d, 15, 480, 540, "ambient");
	delivery(st, 12, 201, 42, d, 15, 595, 660, "ambient");
	delivery(st, 10, 201, 40, d, 10, 600, 660, "ambient");
	exec_ok(st, "COMMIT");
	return st;
}

Test(opportunities, joint_plan_counts_a_shared_tour_once)
{
	/* Alone: at U2, C's goods ride on A's tour (picked up at D-C, 0.002°
	 * more), saving C's tour: 0.220 − 0.002 = 0.218°; at U1, B's goods
	 * ride on A's tour (D-B is on its way), saving B's 0.196°.  Each needs
	 * 15 kg of room in A's 30-kg van, which has room for one of them.
	 * Jointly, U2 (the larger saving) goes first; then B's goods no longer
	 * fit A's van next to C's, a return to D-B before fetching C's goods
	 * costs 0.198° > 0.196°, and after U2 (10:00) it is too late for U1
	 * (09:00): U1 is not accepted.  Joint: one opportunity, one visit,
	 * 0.218°, CO2e (0.220 × 400 − 0.002 × 300) g/km-degree. */
	sl_store *st = joint_case(20, 30);
	sl_pooling_opportunities *r = run(st, SL_VIEWER_CITY, 0);
	double k = deg_km();
	cr_assert_eq(r->n, 2, "two opportunities (got %zu)", r->n);
	cr_assert_float_eq(r->items[0].km_saved, 0.218 * k, 1e-3, "U2 alone %.4f",
	                   r->items[0].km_saved);
	cr_assert_float_eq(r->items[1].km_saved, 0.196 * k, 1e-3, "U1 alone %.4f",
	                   r->items[1].km_saved);
	cr_assert_float_eq(r->km_saved, 0.414 * k, 1e-3);
	cr_assert_eq(r->visits_removed, 2);
	cr_assert_eq(r->joint_opportunities, 1);
	cr_assert_eq(r->joint_visits_removed, 1);
	cr_assert_float_eq(r->joint_km_saved, 0.218 * k, 1e-3, "joint %.4f vs %.4f",
	                   r->joint_km_saved, 0.218 * k);
	cr_assert_float_eq(r->joint_co2e_saved_g, (0.220 * 400 - 0.002 * 300) * k, 1.0);
	cr_assert(r->items[0].joint_accepted && !r->items[1].joint_accepted);
	cr_assert_float_eq(r->items[1].joint_km_saved, 0, 1e-12);
	cr_assert_eq(r->n_days, 1);
	cr_assert_eq(r->days[0].day, day0());
	cr_assert_eq(r->days[0].opportunities, 2);
	cr_assert_eq(r->days[0].joint_opportunities, 1);
	cr_assert_float_eq(r->days[0].joint_km_saved, r->joint_km_saved, 1e-9);
	cr_assert(json_has(r, "\"joint_opportunities\":1,\"joint_visits_removed\":1,"
	                      "\"joint_km_saved\":31.51"),
	          "the JSON carries the joint totals");
	sl_buf b = {0};
	cr_assert_eq(sl_pooling_opportunities_table(r, &b), 0);
	cr_assert(strstr(b.data, "joint plan: 1 opportunities, 1 visits removed, 31.5 vehicle-km"),
	          "%s", b.data);
	sl_buf_free(&b);
	sl_pooling_opportunities_free(r);
	/* a supplier sees the joint figures of the opportunities it sees: B is
	 * only in U1, which the joint plan did not take */
	r = run(st, SL_VIEWER_SUPPLIER, 11);
	cr_assert_eq(r->n, 1);
	cr_assert_eq(r->joint_opportunities, 0);
	cr_assert_float_eq(r->joint_km_saved, 0, 1e-12);
	sl_pooling_opportunities_free(r);
	r = run(st, SL_VIEWER_SUPPLIER, 12);
	cr_assert_eq(r->n, 1);
	cr_assert_eq(r->joint_opportunities, 1);
	cr_assert_float_eq(r->joint_km_saved, 0.218 * k, 1e-3);
	sl_pooling_opportunities_free(r);
	drop_db(st);
}

Test(opportunities, joint_plan_of_independent_opportunities_is_their_sum)
{
	/* The same day with room for both in A's van: after C's goods are on
	 * it, B's are picked up at D-B between D-C and U1 (0.002 + 0.098 =
	 * 0.100°, as D-C→U1 directly) and dropped with A's at U1: nothing
	 * interferes, so the joint plan is the sum, 0.414°. */
	sl_store *st = joint_case(21, 900);
	sl_pooling_opportunities *r = run(st, SL_VIEWER_CITY, 0);
	double k = deg_km();
	cr_assert_eq(r->n, 2);
	cr_assert_eq(r->joint_opportunities, 2);
	cr_assert_eq(r->joint_visits_removed, r->visits_removed);
	cr_assert_float_eq(r->joint_km_saved, 0.414 * k, 1e-3);
	cr_assert_float_eq(r->joint_km_saved, r->km_saved, 1e-6);
	cr_assert_float_eq(r->joint_co2e_saved_g, r->co2e_saved_g, 1e-3);
	sl_pooling_opportunities_free(r);
	/* the one-opportunity hand case: joint = alone */
	struct hand h = hand_default();
	drop_db(st);
	st = hand_case(22, &h);
	r = run(st, SL_VIEWER_CITY, 0);
	cr_assert_eq(r->n, 1);
	cr_assert_eq(r->joint_opportunities, 1);
	cr_assert_float_eq(r->joint_km_saved, r->km_saved, 1e-9);
	cr_assert_float_eq(r->joint_co2e_saved_g, r->co2e_saved_g, 1e-6);
	cr_assert_eq(r->joint_visits_removed, r->visits_removed);
	sl_pooling_opportunities_free(r);
	drop_db(st);
}

/* ---- random instances ---------------------------------------------------- */

struct pt { char ext[16]; double lon, lat; };

static const struct pt *find_pt(const struct pt *p, int n, const char *ext)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(p[i].ext, ext))
			return &p[i];
	cr_assert_fail("no point %s", ext);
	return NULL;
}

Test(opportunities, random_instances_keep_every_rule, .timeout = 120)
{
	/* 15 random towns of 5 suppliers and 8 units: every pooled tour holds
	 * its capacity, windows and temperature classes, its km equal the
	 * great-circle x 1.3 length of its stops recomputed here from the
	 * coordinates, every reported saving is positive and the answer is the
	 * same twice. */
	sl_rng rng;
	sl_rng_seed(&rng, 7);
	int total = 0, joint_less = 0;
	for (int inst = 0; inst < 15; inst++) {
		sl_store *st = new_db(100 + inst);
		struct pt pts[16];
		int np = 0;
		exec_ok(st, "BEGIN");
		static const char *temps[] = {"ambient", "chilled", "frozen", "mixed"};
		static const char *vt[] = {"ambient", "ambient|chilled", "ambient|chilled|frozen"};
		for (int s = 0; s < 5; s++) {
			char ext[16], dep[16];
			snprintf(ext, sizeof ext, "SUP-%d", s);
			snprintf(dep, sizeof dep, "D-%d", s);
			org(st, 10 + s, "supplier", ext, ext);
			double lon = 12.60 + 0.01 * (double)sl_rng_below(&rng, 5), lat = 56.00;
			site(st, 100 + s, 10 + s, dep, "depot", lon, lat);
			snprintf(pts[np].ext, sizeof pts[np].ext, "%s", dep);
			pts[np].lon = lon;
			pts[np++].lat = lat;
			vehicle(st, 40 + s, 10 + s, 60 + 20 * (double)sl_rng_below(&rng, 4),
			        vt[sl_rng_below(&rng, 3)], 200 + 50 * (double)s);
		}
		for (int u = 0; u < 8; u++) {
			char ext[16];
			snprintf(ext, sizeof ext, "U%d", u);
			org(st, 20 + u, "unit", ext, ext);
			double lon = 12.70 + 0.004 * (double)sl_rng_below(&rng, 6);
			double lat = 56.04 + 0.004 * (double)sl_rng_below(&rng, 6);
			site(st, 200 + u, 20 + u, ext, "school", lon, lat);
			snprintf(pts[np].ext, sizeof pts[np].ext, "%s", ext);
			pts[np].lon = lon;
			pts[np++].lat = lat;
		}
		for (int k = 0; k < 18; k++) {
			int s = (int)sl_rng_below(&rng, 5), u = (int)sl_rng_below(&rng, 8);
			int from = 360 + 30 * (int)sl_rng_below(&rng, 8);
			const char *tc = temps[sl_rng_below(&rng, 4)];
			delivery(st, 10 + s, 200 + u, 40 + s, day0(), 5 + (double)sl_rng_below(&rng, 30), from,
			         from + 30 + 30 * (int)sl_rng_below(&rng, 4), tc);
		}
		exec_ok(st, "COMMIT");
		sl_pooling_opportunities *r = run(st, SL_VIEWER_CITY, 0);
		sl_buf a = {0}, b = {0};
		cr_assert_eq(sl_pooling_opportunities_json(r, &a), 0);
		for (size_t i = 0; i < r->n; i++) {
			const sl_pooling_opportunity *o = &r->items[i];
			cr_assert_gt(o->km_saved, 0);
			cr_assert_float_eq(o->km_saved, o->km_before - o->km_after, 1e-9);
			check_tours(o);
			for (size_t t = 0; t < o->n_tours; t++) {
				const sl_opp_tour *x = &o->tours[t];
				char dep[16];
				snprintf(dep, sizeof dep, "D-%s", x->supplier + 4);
				const struct pt *home = find_pt(pts, np, dep), *prev = home;
				double m = 0;
				for (size_t k = 0; k < x->n_stops; k++) {
					const struct pt *q = find_pt(pts, np, o->stops[x->first_stop + k].place);
					m += sl_route_haversine_m(prev->lon, prev->lat, q->lon, q->lat);
					prev = q;
				}
				m += sl_route_haversine_m(prev->lon, prev->lat, home->lon, home->lat);
				cr_assert_float_eq(x->km, m * SL_EM_DETOUR_FACTOR / 1000.0, 1e-6,
				                   "instance %d: tour km %.6f vs %.6f", inst, x->km,
				                   m * SL_EM_DETOUR_FACTOR / 1000.0);
			}
			total++;
		}
		/* the joint plan never counts more than the opportunities alone */
		cr_assert_leq(r->joint_opportunities, (int64_t)r->n);
		cr_assert_leq(r->joint_km_saved, r->km_saved + 1e-9,
		              "instance %d: joint %.6f > %.6f", inst, r->joint_km_saved,
		              r->km_saved);
		cr_assert_geq(r->joint_km_saved, 0);
		joint_less += r->joint_km_saved < r->km_saved - 1e-6;
		sl_pooling_opportunities_free(r);
		r = run(st, SL_VIEWER_CITY, 0);
		cr_assert_eq(sl_pooling_opportunities_json(r, &b), 0);
		cr_assert_str_eq(a.data, b.data, "instance %d is not deterministic", inst);
		sl_pooling_opportunities_free(r);
		sl_buf_free(&a);
		sl_buf_free(&b);
		drop_db(st);
	}
	cr_assert_gt(total, 5, "the random towns should give some opportunities (%d)", total);
	cr_log_info("joint plan below the sum of alone savings in %d of 15 towns", joint_less);
}

/* ---- days without candidates --------------------------------------------- */

Test(opportunities, no_candidates_no_items)
{
	struct hand h = hand_default();
	sl_store *st = hand_case(5, &h);
	/* the next day is empty */
	sl_opp_query q;
	sl_opp_query_init(&q);
	q.day = day0() + 1;
	sl_pooling_opportunities *r = NULL;
	sl_error e;
	cr_assert_eq(sl_pooling_opportunities_compute(st, &q, &r, &e), 0, "%s", e.message);
	cr_assert_eq(r->n, 0);
	cr_assert_eq(r->candidates, 0);
	cr_assert(json_has(r, "\"opportunities\":[]"));
	sl_pooling_opportunities_free(r);
	/* a day with one supplier only: deliveries but no candidate */
	exec_ok(st, "DELETE FROM deliveries WHERE supplier_id <> 10");
	r = run(st, SL_VIEWER_CITY, 0);
	cr_assert_eq(r->n, 0);
	cr_assert_eq(r->candidates, 0);
	sl_buf b = {0};
	cr_assert_eq(sl_pooling_opportunities_table(r, &b), 0);
	cr_assert(strstr(b.data, "no pooling opportunities"));
	sl_buf_free(&b);
	sl_pooling_opportunities_free(r);
	/* an announcement confirmed by another delivered row counts once */
	exec_ok(st, "DELETE FROM deliveries");
	delivery(st, 10, 200, 40, day0(), 10, 480, 720, "ambient");
	delivery(st, 11, 200, 41, day0(), 10, 480, 720, "ambient");
	delivery(st, 10, 200, 40, day0(), 10, 480, 720, "ambient");
	exec_ok(st, "UPDATE deliveries SET status = 'announced' WHERE id = (SELECT MAX(id) FROM deliveries)");
	r = run(st, SL_VIEWER_CITY, 0);
	cr_assert_eq(r->n, 1);
	cr_assert_eq(r->items[0].deliveries, 3, "announced and delivered both count before the match");
	sl_pooling_opportunities_free(r);
	exec_ok(st, "INSERT INTO announcement_matches(announcement_id, delivery_id, matched_at, matched_by) "
	            "SELECT MAX(id), MIN(id), 0, 'test' FROM deliveries");
	r = run(st, SL_VIEWER_CITY, 0);
	cr_assert_eq(r->n, 1);
	cr_assert_eq(r->items[0].deliveries, 2, "a matched announcement is its delivered row");
	sl_pooling_opportunities_free(r);
	/* cancelled rows do not count */
	exec_ok(st, "DELETE FROM announcement_matches; DELETE FROM deliveries");
	delivery(st, 10, 200, 40, day0(), 10, 480, 720, "ambient");
	delivery(st, 11, 200, 41, day0(), 10, 480, 720, "ambient");
	exec_ok(st, "UPDATE deliveries SET status = 'cancelled' WHERE supplier_id = 11");
	r = run(st, SL_VIEWER_CITY, 0);
	cr_assert_eq(r->n, 0);
	cr_assert_eq(r->candidates, 0);
	sl_pooling_opportunities_free(r);
	drop_db(st);
}

Test(opportunities, bad_queries)
{
	struct hand h = hand_default();
	sl_store *st = hand_case(6, &h);
	sl_opp_query q;
	sl_opp_query_init(&q);
	sl_pooling_opportunities *r = NULL;
	sl_error e;
	cr_assert_eq(sl_pooling_opportunities_compute(st, &q, &r, &e), SL_EINVAL, "no day");
	q.day = day0();
	q.days = 0;
	cr_assert_eq(sl_pooling_opportunities_compute(st, &q, &r, &e), SL_EINVAL);
	q.days = 32;
	cr_assert_eq(sl_pooling_opportunities_compute(st, &q, &r, &e), SL_EINVAL);
	q.days = 1;
	q.radius_m = -1;
	cr_assert_eq(sl_pooling_opportunities_compute(st, &q, &r, &e), SL_EINVAL);
	q.radius_m = 1000;
	q.iterations = 0;
	cr_assert_eq(sl_pooling_opportunities_compute(st, &q, &r, &e), SL_EINVAL);
	cr_assert_null(r);
	drop_db(st);
}

/* ---- who sees what ------------------------------------------------------- */

Test(opportunities, roles)
{
	struct hand h = hand_default();
	sl_store *st = hand_case(7, &h);
	/* a supplier: itself by name; the two others are fewer than three,
	 * so not even an aggregate; no tours (they name depots) */
	sl_pooling_opportunities *r = run(st, SL_VIEWER_SUPPLIER, 10);
	cr_assert_eq(r->n, 1);
	const sl_pooling_opportunity *o = &r->items[0];
	cr_assert_eq(o->n_parties, 1);
	cr_assert_str_eq(o->parties[0].ext, "SUP-A");
	cr_assert(o->parties[0].self);
	cr_assert(o->others_suppressed);
	cr_assert_eq(o->others_suppliers, 0);
	cr_assert_eq(o->n_tours, 0);
	cr_assert(!json_has(r, "SUP-B") && !json_has(r, "SUP-C"));
	cr_assert(!json_has(r, "Beta") && !json_has(r, "Gamma") && !json_has(r, "D-B"));
	cr_assert(json_has(r, "\"suppressed\":true"));
	/* the savings are shown; the group's totals (which would tell about
	 * the two others) are not */
	cr_assert_float_eq(o->km_saved, 0.396 * deg_km(), 1e-3);
	cr_assert_eq(o->visits_removed, 2);
	cr_assert(o->figures_hidden);
	cr_assert_eq(o->n_suppliers, 0);
	cr_assert_eq(o->deliveries, 2, "only its own two deliveries");
	cr_assert_float_eq(o->km_before, 0, 1e-12);
	cr_assert(json_has(r, "\"km_before\":null") && json_has(r, "\"suppliers\":null"));
	sl_pooling_opportunities_free(r);
	/* B sees only U1 (where it delivers), not U2 */
	r = run(st, SL_VIEWER_SUPPLIER, 11);
	cr_assert_eq(r->n, 1);
	cr_assert_eq(r->items[0].n_visible_sites, 1);
	cr_assert_str_eq(r->items[0].sites[0].ext, "U1");
	cr_assert(!json_has(r, "SUP-A") && !json_has(r, "\"U2\""));
	sl_pooling_opportunities_free(r);
	/* a unit: its own site; the three suppliers as an aggregate */
	r = run(st, SL_VIEWER_UNIT, 21);
	cr_assert_eq(r->n, 1);
	o = &r->items[0];
	cr_assert_eq(o->n_visible_sites, 1);
	cr_assert_str_eq(o->sites[0].ext, "U2");
	cr_assert_eq(o->n_parties, 0);
	cr_assert_eq(o->others_suppliers, 3);
	cr_assert_eq(o->others_deliveries, 4);
	cr_assert(!json_has(r, "SUP-"));
	sl_pooling_opportunities_free(r);
	/* a unit elsewhere, a supplier not involved, a carrier, the public:
	 * nothing */
	r = run(st, SL_VIEWER_UNIT, 22);
	cr_assert_eq(r->n, 0);
	sl_pooling_opportunities_free(r);
	exec_ok(st, "INSERT INTO organisations(id, ext_id, kind, name, updated_at, row_hash) "
	            "VALUES (13, 'SUP-D', 'supplier', 'Delta', 0, 'h')");
	r = run(st, SL_VIEWER_SUPPLIER, 13);
	cr_assert_eq(r->n, 0);
	sl_pooling_opportunities_free(r);
	r = run(st, SL_VIEWER_CARRIER, 30);
	cr_assert_eq(r->n, 0);
	sl_pooling_opportunities_free(r);
	r = run(st, SL_VIEWER_PUBLIC, 0);
	cr_assert_eq(r->n, 0);
	cr_assert(!json_has(r, "SUP-"));
	sl_pooling_opportunities_free(r);
	/* the city: everyone by name, with the tours */
	r = run(st, SL_VIEWER_CITY, 0);
	cr_assert(json_has(r, "Beta Frukt AB") && json_has(r, "\"tours\""));
	sl_pooling_opportunities_free(r);
	drop_db(st);
}

Test(opportunities, supplier_sees_aggregate_of_three_or_more)
{
	struct hand h = hand_default();
	h.extra_suppliers = 2; /* A, B, C + X0, X1 at U1 */
	sl_store *st = hand_case(8, &h);
	sl_pooling_opportunities *r = run(st, SL_VIEWER_SUPPLIER, 10);
	cr_assert_eq(r->n, 1);
	const sl_pooling_opportunity *o = &r->items[0];
	cr_assert_eq(o->n_parties, 1);
	cr_assert(!o->others_suppressed);
	cr_assert_eq(o->others_suppliers, 4);
	cr_assert_eq(o->others_deliveries, 4);
	cr_assert_float_eq(o->others_mass_kg, 40, 1e-9);
	cr_assert(!json_has(r, "SUP-X0") && !json_has(r, "Extra"));
	sl_pooling_opportunities_free(r);
	/* deterministic: the same answer twice */
	sl_buf a = {0}, b = {0};
	r = run(st, SL_VIEWER_CITY, 0);
	cr_assert_eq(sl_pooling_opportunities_json(r, &a), 0);
	sl_pooling_opportunities_free(r);
	r = run(st, SL_VIEWER_CITY, 0);
	cr_assert_eq(sl_pooling_opportunities_json(r, &b), 0);
	cr_assert_str_eq(a.data, b.data);
	for (size_t i = 0; i < r->n; i++)
		check_tours(&r->items[i]);
	sl_pooling_opportunities_free(r);
	sl_buf_free(&a);
	sl_buf_free(&b);
	drop_db(st);
}

Test(opportunities, opt_in_sharing_names_and_revoke_hides)
{
	struct hand h = hand_default();
	sl_store *st = hand_case(11, &h);
	sl_board_actor actor = {"cli", 0, 0, "cli"};
	sl_error e;
	/* B shares with A: A now sees B by name (C stays hidden) */
	cr_assert_eq(sl_share_grant(st, "SUP-B", "SUP-A", "test", &actor, NULL, &e), 0, "%s",
	             e.message);
	sl_pooling_opportunities *r = run(st, SL_VIEWER_SUPPLIER, 10);
	cr_assert_eq(r->n, 1);
	cr_assert_eq(r->items[0].n_parties, 2);
	cr_assert(json_has(r, "Beta Frukt AB") && !json_has(r, "SUP-C"));
	sl_pooling_opportunities_free(r);
	/* a carrier sees what its customers shared with it, and nothing else */
	r = run(st, SL_VIEWER_CARRIER, 30);
	cr_assert_eq(r->n, 0);
	sl_pooling_opportunities_free(r);
	cr_assert_eq(sl_share_grant(st, "SUP-C", "CAR-1", NULL, &actor, NULL, &e), 0, "%s", e.message);
	r = run(st, SL_VIEWER_CARRIER, 30);
	cr_assert_eq(r->n, 1);
	cr_assert(json_has(r, "SUP-C") && !json_has(r, "SUP-A") && !json_has(r, "SUP-B"));
	sl_pooling_opportunities_free(r);
	/* revoked: gone at once */
	cr_assert_eq(sl_share_revoke(st, "SUP-B", "SUP-A", &actor, &e), 0, "%s", e.message);
	r = run(st, SL_VIEWER_SUPPLIER, 10);
	cr_assert_eq(r->items[0].n_parties, 1);
	cr_assert(!json_has(r, "Beta") && !json_has(r, "SUP-B"));
	sl_pooling_opportunities_free(r);
	drop_db(st);
}

/* ---- the CLI ------------------------------------------------------------- */

static int cli(const char *args, char *out, size_t out_size)
{
	const char *bin = getenv("SAMLAST_BIN");
	if (!bin)
		cr_skip_test("SAMLAST_BIN is not set");
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "%s %s 2>&1", bin, args);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	size_t n = fread(out, 1, out_size - 1, p);
	out[n] = 0;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(opportunities_cli, runs_and_refuses)
{
	struct hand h = hand_default();
	sl_store *st = hand_case(9, &h);
	sl_store_close(st);
	static char out[65536];
	char args[600];
	cr_assert_eq(cli("pooling --help", out, sizeof out), 0);
	cr_assert(strstr(out, "usage: samlast pooling"));
	snprintf(args, sizeof args, "pooling --db %s --date 2025-03-11 --format json", db_path);
	cr_assert_eq(cli(args, out, sizeof out), 0, "%s", out);
	cr_assert(strstr(out, "\"distance_basis\":\"great_circle_x1.3\""), "%s", out);
	cr_assert(strstr(out, "\"km_saved\":57.24"), "%s", out);
	snprintf(args, sizeof args, "pooling --db %s --date 2025-03-11 --as SUP-A", db_path);
	cr_assert_eq(cli(args, out, sizeof out), 0, "%s", out);
	cr_assert(strstr(out, "SUP-A") && !strstr(out, "SUP-B"), "%s", out);
	snprintf(args, sizeof args, "pooling --db %s --date 2025-03-12", db_path);
	cr_assert_eq(cli(args, out, sizeof out), 0, "%s", out);
	cr_assert(strstr(out, "no pooling opportunities"), "%s", out);
	snprintf(args, sizeof args, "pooling --db %s --date 2025-13-40", db_path);
	cr_assert_eq(cli(args, out, sizeof out), 2, "%s", out);
	snprintf(args, sizeof args, "pooling --db %s --date 2025-03-11 --days 40", db_path);
	cr_assert_eq(cli(args, out, sizeof out), 2, "%s", out);
	snprintf(args, sizeof args, "pooling --db %s --date 2025-03-11 --as NOBODY", db_path);
	cr_assert_eq(cli(args, out, sizeof out), 1, "%s", out);
	cr_assert(strstr(out, "NOBODY"), "%s", out);
	cr_assert_eq(cli("pooling --date 2025-03-11 --db /nonexistent/x.db", out, sizeof out), 3,
	             "%s", out);
	cr_assert_eq(cli("pooling --db x.db", out, sizeof out), 2, "%s", out);
	unlink(db_path);
}

/* ---- on a road graph: Monaco --------------------------------------------- */

static sl_graph *monaco(char *path, size_t n)
{
	const char *sd = getenv("SL_SHARED_DATA");
	char pbf[1024];
	snprintf(pbf, sizeof pbf, "%s/osm/monaco.osm.pbf", sd ? sd : "");
	if (!sd || access(pbf, R_OK) != 0)
		cr_skip_test("../shared/data/osm/monaco.osm.pbf is absent (SL_SHARED_DATA): routed case "
		             "skipped");
	snprintf(path, n, "/tmp/sl_opp_monaco_%d.graph", (int)getpid());
	sl_route_profile *p = NULL;
	sl_error e;
	cr_assert_eq(sl_route_profile_load("van", &p, &e), 0, "%s", e.message);
	int rc = sl_route_graph_build(pbf, p, path, NULL, NULL, NULL, &e);
	sl_route_profile_free(p);
	cr_assert_eq(rc, 0, "%s", e.message);
	sl_graph *g = NULL;
	cr_assert_eq(sl_route_graph_open(path, &g, &e), 0, "%s", e.message);
	return g;
}

Test(opportunities_graph, monaco_routed, .timeout = 120)
{
	char gpath[128];
	sl_graph *g = monaco(gpath, sizeof gpath);
	sl_store *st = new_db(10);
	exec_ok(st, "BEGIN");
	org(st, 10, "supplier", "SUP-A", "Alfa");
	org(st, 11, "supplier", "SUP-B", "Beta");
	org(st, 12, "supplier", "SUP-C", "Gamma");
	org(st, 20, "unit", "UNIT-1", "Skolan");
	/* depots in Fontvieille, units in Monte-Carlo */
	site(st, 100, 10, "D-A", "depot", 7.4155, 43.7290);
	site(st, 101, 11, "D-B", "depot", 7.4165, 43.7300);
	site(st, 102, 12, "D-C", "depot", 7.4175, 43.7295);
	site(st, 200, 20, "U1", "school", 7.4270, 43.7395);
	site(st, 201, 20, "U2", "school", 7.4285, 43.7405);
	vehicle(st, 40, 10, 900, "ambient", 300);
	vehicle(st, 41, 11, 900, "ambient", 200);
	vehicle(st, 42, 12, 900, "ambient", 400);
	int64_t d = day0();
	delivery(st, 10, 200, 40, d, 10, 480, 720, "ambient");
	delivery(st, 11, 200, 41, d, 10, 480, 720, "ambient");
	delivery(st, 12, 201, 42, d, 10, 480, 720, "ambient");
	exec_ok(st, "COMMIT");
	sl_opp_query q;
	sl_opp_query_init(&q);
	q.day = d;
	q.graph = g;
	sl_pooling_opportunities *r = NULL, *gc = NULL;
	sl_error e;
	cr_assert_eq(sl_pooling_opportunities_compute(st, &q, &r, &e), 0, "%s", e.message);
	cr_assert_str_eq(r->distance_basis, "road_graph");
	cr_assert_eq(r->points_off_graph, 0);
	cr_assert_eq(r->n, 1);
	const sl_pooling_opportunity *o = &r->items[0];
	cr_assert_eq(o->n_suppliers, 3);
	cr_assert_gt(o->km_before, o->km_after);
	cr_assert_lt(o->visits_after, o->visits_before);
	check_tours(o);
	/* road distances are not the great-circle fallback */
	q.graph = NULL;
	cr_assert_eq(sl_pooling_opportunities_compute(st, &q, &gc, &e), 0, "%s", e.message);
	cr_assert_eq(gc->n, 1);
	cr_assert(fabs(gc->items[0].km_before - o->km_before) > 0.05, "road %.3f vs fallback %.3f",
	          o->km_before, gc->items[0].km_before);
	/* the as-is tours on the road are at least the straight line */
	double crow = 0;
	crow += 2 * sl_route_haversine_m(7.4155, 43.7290, 7.4270, 43.7395);
	crow += 2 * sl_route_haversine_m(7.4165, 43.7300, 7.4270, 43.7395);
	crow += 2 * sl_route_haversine_m(7.4175, 43.7295, 7.4285, 43.7405);
	cr_assert_geq(o->km_before * 1000, crow * 0.999);
	sl_pooling_opportunities_free(gc);
	sl_pooling_opportunities_free(r);
	sl_route_graph_close(g);
	unlink(gpath);
	drop_db(st);
}
