/* test_kpi.c — the kpi module against a hand-made ledger
 * (tests/fixtures/kpi/small_city.sql): every KPI equals a hand calculation,
 * filters, grouping, the baseline change, empty periods, bad queries, the
 * JSON/CSV writers, and `samlast kpi` exit codes. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "samlast/kpi.h"
#include "samlast/store.h"

#define D0 20150 /* Monday 2025-03-03 */

static char path[96];
static sl_store *st;

static void load_fixture(void)
{
	char file[1024];
	const char *dir = getenv("SL_FIXTURES");
	cr_assert(dir, "SL_FIXTURES is not set");
	snprintf(file, sizeof file, "%s/kpi/small_city.sql", dir);
	FILE *f = fopen(file, "r");
	cr_assert(f, "cannot open %s", file);
	static char sql[65536];
	size_t n = fread(sql, 1, sizeof sql - 1, f);
	fclose(f);
	sql[n] = 0;
	sl_error e;
	cr_assert_eq(sl_store_exec(st, sql, &e), 0, "%s", e.message);
}

static void setup(void)
{
	snprintf(path, sizeof path, "/tmp/sl_kpi_test_%d.db", (int)getpid());
	unlink(path);
	sl_error e;
	cr_assert_eq(sl_store_open(path, &st, &e), 0, "%s", e.message);
	cr_assert_eq(sl_store_migrate(st, &e), 0, "%s", e.message);
	load_fixture();
}

static void teardown(void)
{
	char p[128];
	sl_store_close(st);
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

TestSuite(kpi, .init = setup, .fini = teardown);

static sl_kpi_result *compute(sl_kpi_query *q)
{
	sl_kpi_result *r = NULL;
	sl_error e;
	sl_error_clear(&e);
	int rc = sl_kpi_compute(st, q, &r, &e);
	cr_assert_eq(rc, 0, "sl_kpi_compute: %s", e.message);
	cr_assert_not_null(r);
	return r;
}

static double val(const sl_kpi_result *r, const sl_kpi_row *row, const char *id)
{
	int i = sl_kpi_result_index(r, id);
	cr_assert_geq(i, 0, "KPI %s missing", id);
	return row->value[i];
}

#define ASSERT_NEAR(a, b)                                                                          \
	cr_assert(fabs((a) - (b)) < 1e-9, "%s = %.12g, expected %.12g", #a, (double)(a),           \
	          (double)(b))

static void two_weeks(sl_kpi_query *q)
{
	sl_kpi_query_init(q);
	q->from_day = D0;
	q->to_day = D0 + 13;
}

Test(kpi, every_kpi_matches_hand_calculation)
{
	sl_kpi_query q;
	two_weeks(&q);
	sl_kpi_result *r = compute(&q);
	const sl_kpi_row *t = &r->total;
	cr_assert_eq(r->n_rows, 1);
	cr_assert_eq(r->receiving_units, 2);
	cr_assert_eq(r->has_emissions, 0, "an empty delivery_emissions table is no emissions data");
	cr_assert_lt(sl_kpi_result_index(r, "co2e_wtw_kg"), 0, "no CO2e without emissions");
	ASSERT_NEAR(val(r, t, "deliveries"), 5); /* cancelled/announced excluded */
	ASSERT_NEAR(val(r, t, "deliveries_per_unit_week"), 5.0 / (2 * 2));
	ASSERT_NEAR(val(r, t, "stops"), 6);
	ASSERT_NEAR(val(r, t, "stops_per_unit_week"), 6.0 / 4);
	ASSERT_NEAR(val(r, t, "vehicles_per_unit_week"), 4.0 / 4);
	ASSERT_NEAR(val(r, t, "receiving_units"), 2);
	ASSERT_NEAR(val(r, t, "orders"), 4);
	ASSERT_NEAR(val(r, t, "order_lines"), 7);
	ASSERT_NEAR(val(r, t, "order_value_sek"), 6000);
	ASSERT_NEAR(val(r, t, "contract_fidelity_pct"), 100.0 * 1500 / 6000);
	ASSERT_NEAR(val(r, t, "small_order_share_pct"), 25); /* 1000 SEK exactly is not small */
	ASSERT_NEAR(val(r, t, "deliveries_per_order"), 5.0 / 4);
	ASSERT_NEAR(val(r, t, "mass_kg"), 480);
	ASSERT_NEAR(val(r, t, "volume_m3"), 4.5);
	ASSERT_NEAR(val(r, t, "fill_rate_mass_pct"), 100.0 * (0.35 + 0.2) / 2);
	ASSERT_NEAR(val(r, t, "fill_rate_volume_pct"), 100.0 * (0.35 + 0.2) / 2);
	ASSERT_NEAR(val(r, t, "vehicle_known_pct"), 100.0 * 5 / 6);
	ASSERT_NEAR(val(r, t, "euro6_share_pct"), 80);
	ASSERT_NEAR(val(r, t, "fossil_free_share_pct"), 40);
	ASSERT_NEAR(val(r, t, "receiving_hours_pct"), 100.0 * 5 / 6);
	ASSERT_NEAR(val(r, t, "punctuality_pct"), 50);
	ASSERT_NEAR(val(r, t, "pooling_potential"), 1);
	ASSERT_NEAR(val(r, t, "pooling_potential_pct"), 20);
	ASSERT_NEAR(val(r, t, "pooling_share_pct"), 40);
	ASSERT_NEAR(val(r, t, "suppliers"), 2);
	ASSERT_NEAR(val(r, t, "local_suppliers"), 1);
	ASSERT_NEAR(val(r, t, "vehicle_km"), 35);
	ASSERT_NEAR(r->rows[0].value[0], t->value[0]);
	sl_kpi_result_free(r);
}

Test(kpi, thresholds_from_options_and_settings)
{
	sl_kpi_query q;
	two_weeks(&q);
	q.small_order_ore = 200000;
	q.punctuality_tolerance_min = 60;
	sl_kpi_result *r = compute(&q);
	ASSERT_NEAR(val(r, &r->total, "small_order_share_pct"), 75);
	ASSERT_NEAR(val(r, &r->total, "punctuality_pct"), 100);
	sl_kpi_result_free(r);

	sl_error e;
	cr_assert_eq(
	    sl_store_exec(st, "INSERT INTO settings VALUES ('kpi.small_order_ore', '100001')", &e),
	    0);
	two_weeks(&q);
	r = compute(&q);
	cr_assert_eq(r->small_order_ore, 100001);
	ASSERT_NEAR(val(r, &r->total, "small_order_share_pct"), 50);
	sl_kpi_result_free(r);
}

Test(kpi, filters_unit_and_supplier)
{
	sl_kpi_query q;
	two_weeks(&q);
	q.unit = "B";
	sl_kpi_result *r = compute(&q);
	ASSERT_NEAR(val(r, &r->total, "deliveries"), 2);
	ASSERT_NEAR(val(r, &r->total, "deliveries_per_unit_week"), 2.0 / 2);
	ASSERT_NEAR(val(r, &r->total, "vehicle_km"), 25);
	ASSERT_NEAR(val(r, &r->total, "orders"), 2);
	ASSERT_NEAR(val(r, &r->total, "pooling_potential"), 0);
	ASSERT_NEAR(val(r, &r->total, "fill_rate_mass_pct"), 20); /* T2; T3 has no capacity */
	sl_kpi_result_free(r);

	two_weeks(&q);
	q.supplier = "S2";
	r = compute(&q);
	ASSERT_NEAR(val(r, &r->total, "deliveries"), 3);
	ASSERT_NEAR(val(r, &r->total, "pooling_potential"), 0.5); /* its share of site A's day */
	ASSERT_NEAR(val(r, &r->total, "contract_fidelity_pct"), 25);
	ASSERT_NEAR(val(r, &r->total, "suppliers"), 1);
	ASSERT_NEAR(val(r, &r->total, "vehicle_km"), 10.0 / 3 + 5);
	ASSERT_NEAR(val(r, &r->total, "fill_rate_mass_pct"), 35); /* T1 with all its stops */
	sl_kpi_result_free(r);
}

Test(kpi, grouping_week_unit_supplier_month)
{
	sl_kpi_query q;
	two_weeks(&q);
	q.by = SL_KPI_BY_WEEK;
	sl_kpi_result *r = compute(&q);
	cr_assert_eq(r->n_rows, 2);
	cr_assert_str_eq(r->rows[0].key, "2025-W10");
	cr_assert_str_eq(r->rows[1].key, "2025-W11");
	ASSERT_NEAR(val(r, &r->rows[0], "deliveries"), 4);
	ASSERT_NEAR(val(r, &r->rows[1], "deliveries"), 1);
	ASSERT_NEAR(val(r, &r->rows[0], "deliveries_per_unit_week"), 2);
	ASSERT_NEAR(val(r, &r->rows[1], "vehicle_km"), 5);
	ASSERT_NEAR(val(r, &r->total, "deliveries"), 5);
	sl_kpi_result_free(r);

	two_weeks(&q);
	q.by = SL_KPI_BY_UNIT;
	r = compute(&q);
	cr_assert_eq(r->n_rows, 2);
	cr_assert_str_eq(r->rows[0].key, "A");
	cr_assert_str_eq(r->rows[0].label, "Skolan A");
	ASSERT_NEAR(val(r, &r->rows[0], "deliveries"), 3);
	ASSERT_NEAR(val(r, &r->rows[0], "deliveries_per_unit_week"), 1.5);
	ASSERT_NEAR(val(r, &r->rows[1], "deliveries"), 2);
	ASSERT_NEAR(val(r, &r->rows[0], "pooling_potential"), 1);
	sl_kpi_result_free(r);

	two_weeks(&q);
	q.by = SL_KPI_BY_SUPPLIER;
	r = compute(&q);
	cr_assert_eq(r->n_rows, 2);
	cr_assert_str_eq(r->rows[0].key, "S1");
	ASSERT_NEAR(val(r, &r->rows[0], "deliveries"), 2);
	ASSERT_NEAR(val(r, &r->rows[1], "deliveries"), 3);
	ASSERT_NEAR(
	    val(r, &r->rows[0], "pooling_potential") + val(r, &r->rows[1], "pooling_potential"), 1);
	ASSERT_NEAR(val(r, &r->rows[0], "contract_fidelity_pct"), 25); /* 500 of 2000 SEK */
	sl_kpi_result_free(r);

	sl_kpi_query_init(&q);
	q.from_day = D0 - 10; /* 2025-02-21 .. 2025-03-16 */
	q.to_day = D0 + 13;
	q.by = SL_KPI_BY_MONTH;
	r = compute(&q);
	cr_assert_eq(r->n_rows, 2);
	cr_assert_str_eq(r->rows[0].key, "2025-02");
	cr_assert_eq(r->rows[0].from_day, D0 - 10);
	ASSERT_NEAR(val(r, &r->rows[0], "deliveries"), 0);
	ASSERT_NEAR(val(r, &r->rows[1], "deliveries"), 5);
	cr_assert(isnan(val(r, &r->rows[0], "contract_fidelity_pct")));
	sl_kpi_result_free(r);
}

Test(kpi, baseline_change)
{
	sl_kpi_query q;
	sl_kpi_query_init(&q);
	q.from_day = D0 + 7;
	q.to_day = D0 + 13;
	q.baseline_from_day = D0;
	q.baseline_to_day = D0 + 6;
	sl_kpi_result *r = compute(&q);
	cr_assert(r->has_baseline);
	int i = sl_kpi_result_index(r, "deliveries");
	ASSERT_NEAR(r->total.value[i], 1);
	ASSERT_NEAR(r->total.baseline[i], 4);
	ASSERT_NEAR(r->total.change_pct[i], -75);
	i = sl_kpi_result_index(r, "deliveries_per_unit_week");
	ASSERT_NEAR(r->total.value[i], 1);    /* 1 unit active */
	ASSERT_NEAR(r->total.baseline[i], 2); /* 4 / 2 units */
	ASSERT_NEAR(r->total.change_pct[i], -50);
	sl_kpi_result_free(r);

	/* extensive KPIs are compared per day: a 14-day baseline halves */
	sl_kpi_query_init(&q);
	q.from_day = D0;
	q.to_day = D0 + 6;
	q.baseline_from_day = D0;
	q.baseline_to_day = D0 + 13;
	q.by = SL_KPI_BY_UNIT;
	r = compute(&q);
	i = sl_kpi_result_index(r, "deliveries");
	ASSERT_NEAR(r->total.change_pct[i], 100.0 * ((4.0 / 7) / (5.0 / 14) - 1));
	cr_assert_str_eq(r->rows[1].key, "B");
	ASSERT_NEAR(r->rows[1].baseline[i], 2);
	ASSERT_NEAR(r->rows[1].change_pct[i], 100.0 * ((1.0 / 7) / (2.0 / 14) - 1));
	sl_kpi_result_free(r);
}

Test(kpi, empty_period_gives_zeros_and_na)
{
	sl_kpi_query q;
	sl_kpi_query_init(&q);
	q.from_day = D0 + 1000;
	q.to_day = D0 + 1030;
	q.by = SL_KPI_BY_WEEK;
	sl_kpi_result *r = compute(&q);
	cr_assert_gt(r->n_rows, 3);
	ASSERT_NEAR(val(r, &r->total, "deliveries"), 0);
	ASSERT_NEAR(val(r, &r->total, "order_value_sek"), 0);
	cr_assert(isnan(val(r, &r->total, "contract_fidelity_pct")));
	cr_assert(isnan(val(r, &r->total, "deliveries_per_unit_week")));
	sl_buf b = {0};
	cr_assert_eq(sl_kpi_write_json(r, &b), 0);
	cr_assert_not_null(strstr(b.data, "\"contract_fidelity_pct\":null"));
	sl_buf_free(&b);
	sl_kpi_result_free(r);
}

Test(kpi, empty_store_and_default_range)
{
	sl_store *e2;
	sl_error e;
	char p2[128];
	snprintf(p2, sizeof p2, "%s.empty", path);
	unlink(p2);
	cr_assert_eq(sl_store_open(p2, &e2, &e), 0);
	cr_assert_eq(sl_store_migrate(e2, &e), 0);
	sl_kpi_query q;
	sl_kpi_query_init(&q);
	sl_kpi_result *r = NULL;
	cr_assert_eq(sl_kpi_compute(e2, &q, &r, &e), 0, "%s", e.message);
	ASSERT_NEAR(val(r, &r->total, "stops"), 0);
	sl_kpi_result_free(r);
	sl_store_close(e2);
	unlink(p2);

	/* only --from, after all data: an empty one-day period */
	sl_kpi_query_init(&q);
	q.from_day = D0 + 5000;
	r = compute(&q);
	cr_assert_eq(r->from_day, D0 + 5000);
	cr_assert_eq(r->to_day, D0 + 5000);
	ASSERT_NEAR(val(r, &r->total, "deliveries"), 0);
	sl_kpi_result_free(r);

	/* default range = first to last delivery day */
	sl_kpi_query_init(&q);
	r = compute(&q);
	cr_assert_eq(r->from_day, D0);
	cr_assert_eq(r->to_day, D0 + 7);
	sl_kpi_result_free(r);

	/* announced (planned) deliveries after the data do not stretch it */
	cr_assert_eq(sl_store_exec(st,
	                           "INSERT INTO deliveries(id, supplier_id, ext_id, site_id, status, "
	                           "delivered_at, local_day, local_min, updated_at, row_hash) VALUES "
	                           "(900, 4, 'plan1', 1, 'announced', 0, 20180, 480, 0, '')",
	                           &e),
	             0, "%s", e.message);
	sl_kpi_query_init(&q);
	r = compute(&q);
	cr_assert_eq(r->to_day, D0 + 7);
	sl_kpi_result_free(r);
	cr_assert_eq(sl_store_exec(st, "DELETE FROM deliveries WHERE id = 900", &e), 0);
}

Test(kpi, bad_queries_are_refused)
{
	sl_kpi_query q;
	sl_kpi_result *r = (sl_kpi_result *)&q;
	sl_error e;
	two_weeks(&q);
	q.unit = "NOPE";
	cr_assert_eq(sl_kpi_compute(st, &q, &r, &e), SL_ENOTFOUND);
	cr_assert_null(r);
	cr_assert_not_null(strstr(e.message, "NOPE"));
	two_weeks(&q);
	q.supplier = "X";
	cr_assert_eq(sl_kpi_compute(st, &q, &r, &e), SL_ENOTFOUND);
	two_weeks(&q);
	q.to_day = D0 - 1;
	cr_assert_eq(sl_kpi_compute(st, &q, &r, &e), SL_EUSAGE);
	two_weeks(&q);
	q.baseline_from_day = D0;
	cr_assert_eq(sl_kpi_compute(st, &q, &r, &e), SL_EUSAGE);
	two_weeks(&q);
	q.only = "deliveries,bogus";
	cr_assert_eq(sl_kpi_compute(st, &q, &r, &e), SL_EUSAGE);
	cr_assert_not_null(strstr(e.message, "bogus"));
	sl_kpi_group g;
	cr_assert_eq(sl_kpi_group_parse("day", &g, &e), SL_EUSAGE);
	cr_assert_eq(sl_kpi_group_parse("month", &g, &e), 0);
	cr_assert_eq(g, SL_KPI_BY_MONTH);
}

Test(kpi, only_computes_the_chosen_kpis)
{
	sl_kpi_query q;
	two_weeks(&q);
	q.only = "contract_fidelity_pct";
	sl_kpi_result *r = compute(&q);
	ASSERT_NEAR(val(r, &r->total, "contract_fidelity_pct"), 25);
	cr_assert(isnan(val(r, &r->total, "deliveries")));
	sl_kpi_result_free(r);
}

Test(kpi, emissions_kpis_when_the_table_exists)
{
	sl_error e;
	cr_assert_eq(
	    sl_store_exec(
	        st,
	        "CREATE TABLE IF NOT EXISTS delivery_emissions(delivery_id INTEGER, wtw_g REAL,"
	        " ttw_g REAL, quality TEXT, factor_set TEXT, factor_version TEXT, factor_id TEXT,"
	        " method TEXT, tkm REAL, sfd_m REAL, computed_at INTEGER);"
	        "INSERT INTO delivery_emissions (delivery_id, wtw_g, ttw_g, quality, factor_set,"
	        " factor_version, factor_id, method, tkm, sfd_m, computed_at)"
	        " VALUES (1, 4000, 3000, 'primary', 't', '1', 'f', 'm', 0, 0, 0),"
	        " (2, 6000, 5000, 'modelled', 't', '1', 'f', 'm', 0, 0, 0),"
	        " (6, 99999, 9999, 'primary', 't', '1', 'f', 'm', 0, 0, 0);",
	        &e),
	    0, "%s", e.message);
	sl_kpi_query q;
	two_weeks(&q);
	sl_kpi_result *r = compute(&q);
	cr_assert(r->has_emissions);
	ASSERT_NEAR(val(r, &r->total, "co2e_wtw_kg"), 10); /* cancelled d6 excluded */
	ASSERT_NEAR(val(r, &r->total, "co2e_per_stop_kg"), 5);
	ASSERT_NEAR(val(r, &r->total, "co2e_kg_per_t"), 10000.0 / 300);
	ASSERT_NEAR(val(r, &r->total, "co2e_primary_pct"), 50);
	sl_kpi_result_free(r);
}

Test(kpi, hub_operations_add_to_the_chain_total)
{
	sl_error e;
	cr_assert_eq(sl_store_exec(st,
	                           "INSERT INTO delivery_emissions (delivery_id, wtw_g, ttw_g, quality,"
	                           " factor_set, factor_version, factor_id, method, tkm, sfd_m,"
	                           " computed_at) VALUES (1, 4000, 3000, 'primary', 't', '1', 'f',"
	                           " 'm', 0, 0, 0), (2, 6000, 5000, 'modelled', 't', '1', 'f', 'm',"
	                           " 0, 0, 0);",
	                           &e),
	             0, "%s", e.message);
	sl_kpi_query q;
	two_weeks(&q);
	sl_kpi_result *r = compute(&q);
	/* no hub period recorded: not reported, not 0 kg */
	cr_assert_not(r->has_hub_emissions);
	cr_assert(isnan(val(r, &r->total, "co2e_hub_kg")));
	ASSERT_NEAR(val(r, &r->total, "co2e_chain_kg"), 10);
	sl_kpi_result_free(r);

	/* a hub period charging d1 1.5 kg and the cancelled d6 9 kg */
	cr_assert_eq(
	    sl_store_exec(st,
	                  "INSERT INTO hub_periods (id, site_id, from_day, to_day, energy_carrier,"
	                  " energy_amount, energy_unit, handled_t, updated_at)"
	                  " VALUES (1, (SELECT MIN(id) FROM sites), 0, 99999, 'electricity', 100,"
	                  " 'kWh', 10, 0);"
	                  "INSERT INTO delivery_hub_emissions (delivery_id, hub_period_id, wtw_g,"
	                  " ttw_g, quality, computed_at) VALUES (1, 1, 1500, 0, 'primary', 0),"
	                  " (6, 1, 9000, 0, 'primary', 0);",
	                  &e),
	    0, "%s", e.message);
	two_weeks(&q);
	r = compute(&q);
	cr_assert(r->has_hub_emissions);
	ASSERT_NEAR(val(r, &r->total, "co2e_wtw_kg"), 10); /* transport unchanged */
	ASSERT_NEAR(val(r, &r->total, "co2e_hub_kg"), 1.5);
	ASSERT_NEAR(val(r, &r->total, "co2e_chain_kg"), 11.5);
	sl_kpi_result_free(r);

	/* grouped by unit, the rows add up to the total */
	two_weeks(&q);
	q.by = SL_KPI_BY_UNIT;
	r = compute(&q);
	double hub = 0;
	for (size_t i = 0; i < r->n_rows; i++) {
		double v = val(r, &r->rows[i], "co2e_hub_kg");
		hub += isnan(v) ? 0 : v;
	}
	ASSERT_NEAR(hub, 1.5);
	sl_kpi_result_free(r);
}

/* Find a grouped row by key (NULL when absent). */
static const sl_kpi_row *row_of(const sl_kpi_result *r, const char *key)
{
	for (size_t i = 0; i < r->n_rows; i++)
		if (!strcmp(r->rows[i].key, key))
			return &r->rows[i];
	return NULL;
}

Test(kpi, grouping_vehicle_class_and_energy_carrier)
{
	sl_error e;
	/* d8 has neither vehicle nor trip; emissions for d1 (primary), d2, d8 */
	cr_assert_eq(
	    sl_store_exec(
	        st,
	        "INSERT INTO delivery_emissions (delivery_id, trip_id, wtw_g, ttw_g, quality,"
	        " factor_set, factor_version, factor_id, method, tkm, sfd_m, computed_at)"
	        " VALUES (1, 1, 4000, 3000, 'primary', 't', '1', 'f', 'm', 0, 0, 0),"
	        " (2, 1, 6000, 5000, 'modelled', 't', '1', 'f', 'm', 0, 0, 0),"
	        " (8, NULL, 500, 400, 'default', 't', '1', 'f', 'm', 0, 0, 0);",
	        &e),
	    0, "%s", e.message);
	sl_kpi_group g;
	cr_assert_eq(sl_kpi_group_parse("vehicle_class", &g, &e), 0);
	cr_assert_eq(g, SL_KPI_BY_VEHICLE_CLASS);
	cr_assert_str_eq(sl_kpi_group_name(g), "vehicle_class");
	cr_assert_eq(sl_kpi_group_parse("energy_carrier", &g, &e), 0);
	cr_assert_str_eq(sl_kpi_group_name(g), "energy_carrier");

	sl_kpi_query q;
	two_weeks(&q);
	q.by = SL_KPI_BY_VEHICLE_CLASS;
	sl_kpi_result *r = compute(&q);
	cr_assert_eq(r->n_rows, 4);
	/* d3 names no vehicle: its trip's (V1) counts */
	const sl_kpi_row *a = row_of(r, "rigid_3.5_7.5t"), *u = row_of(r, "unknown");
	cr_assert(a && u && row_of(r, "van_lt_3.5t") && row_of(r, "rigid_7.5_12t"));
	ASSERT_NEAR(val(r, a, "stops"), 3);
	ASSERT_NEAR(val(r, a, "co2e_wtw_kg"), 10);
	ASSERT_NEAR(val(r, a, "co2e_primary_pct"), 50);
	ASSERT_NEAR(val(r, a, "vehicle_km"), 10);
	ASSERT_NEAR(val(r, row_of(r, "van_lt_3.5t"), "vehicle_km"), 20);
	ASSERT_NEAR(val(r, u, "stops"), 1);
	ASSERT_NEAR(val(r, u, "co2e_wtw_kg"), 0.5);
	ASSERT_NEAR(val(r, u, "co2e_primary_pct"), 0);
	double stops = 0, km = 0;
	for (size_t i = 0; i < r->n_rows; i++) {
		stops += val(r, &r->rows[i], "stops");
		km += val(r, &r->rows[i], "vehicle_km");
	}
	ASSERT_NEAR(stops, val(r, &r->total, "stops"));
	ASSERT_NEAR(km, val(r, &r->total, "vehicle_km"));
	ASSERT_NEAR(val(r, &r->total, "co2e_wtw_kg"), 10.5);
	sl_kpi_result_free(r);

	two_weeks(&q);
	q.by = SL_KPI_BY_ENERGY_CARRIER;
	r = compute(&q);
	cr_assert_eq(r->n_rows, 4);
	cr_assert_str_eq(r->rows[0].key, "diesel_b7"); /* sorted by key */
	ASSERT_NEAR(val(r, row_of(r, "diesel_b7"), "stops"), 3);
	ASSERT_NEAR(val(r, row_of(r, "diesel_b7"), "co2e_wtw_kg"), 10);
	ASSERT_NEAR(val(r, row_of(r, "electricity"), "stops"), 1);
	ASSERT_NEAR(val(r, row_of(r, "hvo100"), "vehicle_km"), 5);
	ASSERT_NEAR(val(r, row_of(r, "unknown"), "co2e_wtw_kg"), 0.5);
	sl_kpi_result_free(r);
}

Test(kpi, a_differently_shaped_emissions_table_is_ignored)
{
	sl_error e;
	cr_assert_eq(sl_store_exec(st,
	                           "DROP TABLE IF EXISTS delivery_emissions;"
	                           "CREATE TABLE delivery_emissions(delivery_id INTEGER, co2 REAL);"
	                           "INSERT INTO delivery_emissions VALUES (1, 5)",
	                           &e),
	             0, "%s", e.message);
	sl_kpi_query q;
	two_weeks(&q);
	sl_kpi_result *r = compute(&q);
	cr_assert_eq(r->has_emissions, 0);
	cr_assert_lt(sl_kpi_result_index(r, "co2e_wtw_kg"), 0);
	sl_kpi_result_free(r);
}

Test(kpi, writers)
{
	sl_kpi_query q;
	two_weeks(&q);
	q.by = SL_KPI_BY_UNIT;
	q.baseline_from_day = D0;
	q.baseline_to_day = D0 + 6;
	sl_kpi_result *r = compute(&q);
	sl_buf b = {0};
	cr_assert_eq(sl_kpi_write_json(r, &b), 0);
	cr_assert_not_null(strstr(b.data, "\"by\":\"unit\""));
	cr_assert_not_null(strstr(b.data, "\"key\":\"A\""));
	cr_assert_not_null(strstr(b.data, "\"name_sv\":\"Avtalstrohet\""));
	cr_assert_not_null(strstr(b.data, "\"change_pct\":{"));
	sl_buf_reset(&b);
	cr_assert_eq(sl_kpi_write_csv(r, ';', &b), 0);
	cr_assert(strncmp(b.data, "key;label;from;to;deliveries;deliveries_baseline;", 49) == 0,
	          "%s", b.data);
	cr_assert_not_null(strstr(b.data, "\r\nA;Skolan A;2025-03-03;2025-03-16;3,0;"), "%s",
	                   b.data);
	cr_assert_not_null(strstr(b.data, "\r\nall;All;"));
	sl_buf_free(&b);
	sl_kpi_result_free(r);

	size_t n;
	const sl_kpi_def *d = sl_kpi_defs(&n);
	cr_assert_gt(n, 20);
	cr_assert_eq(sl_kpi_def_find("punctuality_pct"),
	             &d[sl_kpi_def_find("punctuality_pct") - d]);
	cr_assert_null(sl_kpi_def_find("nope"));
}

/* ---- the CLI ------------------------------------------------------------- */

static int run_cli(const char *args, char *out, size_t out_size)
{
	const char *bin = getenv("SAMLAST_BIN");
	cr_assert(bin, "SAMLAST_BIN is not set");
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "%s kpi %s 2>/dev/null", bin, args);
	FILE *p = popen(cmd, "r");
	cr_assert(p);
	size_t n = fread(out, 1, out_size - 1, p);
	out[n] = 0;
	int status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Test(kpi, cli_formats_and_exit_codes)
{
	static char out[1 << 16];
	char args[512];
	snprintf(args, sizeof args, "--db %s --from 2025-03-03 --to 2025-03-16 --format csv", path);
	cr_assert_eq(run_cli(args, out, sizeof out), 0);
	cr_assert(strncmp(out, "key,label,from,to,deliveries,", 29) == 0, "%s", out);
	cr_assert_not_null(strstr(out, "all,All,2025-03-03,2025-03-16,5.0,"), "%s", out);
	snprintf(args, sizeof args,
	         "--db %s --from 2025-03-03 --to 2025-03-16 --by week --format json", path);
	cr_assert_eq(run_cli(args, out, sizeof out), 0);
	cr_assert_not_null(strstr(out, "\"key\":\"2025-W11\""));
	snprintf(
	    args, sizeof args,
	    "--db %s --from 2025-03-03 --to 2025-03-16 --format csv-sv --kpi contract_fidelity_pct",
	    path);
	cr_assert_eq(run_cli(args, out, sizeof out), 0);
	cr_assert(strncmp(out, "\xEF\xBB\xBFkey;label;from;to;", 19) == 0, "%s", out);
	cr_assert_not_null(strstr(out, "all;All;2025-03-03;2025-03-16;;"), "%s", out);
	cr_assert_not_null(strstr(out, ";25,00;"), "%s", out);
	snprintf(args, sizeof args, "--db %s --from 2025-03-03 --to 2025-03-16", path);
	cr_assert_eq(run_cli(args, out, sizeof out), 0);
	cr_assert_not_null(strstr(out, "Contract fidelity"));
	snprintf(args, sizeof args,
	         "--db %s --by unit --baseline-from 2025-03-03 --baseline-to 2025-03-09", path);
	cr_assert_eq(run_cli(args, out, sizeof out), 0);
	cr_assert_not_null(strstr(out, "change %"));

	const char *bad[] = {"--by day",
	                     "--from 2025-13-01",
	                     "--format xml",
	                     "--baseline-from 2025-03-03",
	                     "--small-order-sek abc",
	                     "--tolerance-min -5",
	                     "--kpi",
	                     "extra-arg"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(args, sizeof args, "--db %s %s", path, bad[i]);
		cr_assert_eq(run_cli(args, out, sizeof out), 2, "'%s' should be a usage error",
		             bad[i]);
	}
	cr_assert_eq(run_cli("--format csv", out, sizeof out) == 2 || getenv("SAMLAST_DB"), 1);
	snprintf(args, sizeof args, "--db %s --unit NOPE", path);
	cr_assert_eq(run_cli(args, out, sizeof out), 1);
	cr_assert_eq(run_cli("--db /nonexistent/dir/x.db", out, sizeof out), 3);
	cr_assert_eq(run_cli("--help", out, sizeof out), 0);
	cr_assert_not_null(strstr(out, "usage: samlast kpi"));
}
