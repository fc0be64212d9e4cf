/* test_emissions_store.c — Criterion suite for emissions in the store: that
 * `samlast import` computes the emissions of what it imported (in the
 * import's transaction: a broken factor set undoes the import, a missing one
 * changes nothing), the incremental (stale) recompute after changed, moved and
 * cancelled deliveries, the vehicle defaults of se-seed (DESNZ-derived
 * consumption, mapped classes reported as default quality, class
 * "unknown"), hubs, the HTTP upload, and the counts `samlast emissions
 * recompute` prints.
 * Expected figures are worked by hand from data/emissions/se-seed. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "samlast/emissions.h"
#include "samlast/store.h"

static const char *kinds[] = {"organisations", "sites", "vehicles", "trips", "deliveries"};

static int sh(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Import the fixture batch into a new database `db`; `env` prefixes every
 * command (e.g. a SAMLAST_DATA override).  Returns the first failing exit
 * status, or 0. */
static int import_fixture(const char *db, const char *env, const char *upto)
{
	const char *bin = getenv("SAMLAST_BIN"), *fx = getenv("SL_FIXTURES");
	char cmd[2048];
	cr_assert(bin && fx, "SAMLAST_BIN / SL_FIXTURES not set");
	unlink(db);
	snprintf(cmd, sizeof cmd, "'%s' init --db '%s' >/dev/null", bin, db);
	cr_assert_eq(sh(cmd), 0);
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		int rc;
		snprintf(cmd, sizeof cmd,
		         "%s '%s' import --db '%s' --kind %s '%s/emissions/import/%s.csv' "
		         ">/dev/null 2>/tmp/sl_em_imp_err_%d.txt",
		         env ? env : "", bin, db, kinds[i], fx, kinds[i], (int)getpid());
		if ((rc = sh(cmd)) != 0)
			return rc;
		if (upto && !strcmp(kinds[i], upto))
			break;
	}
	return 0;
}

static int64_t q(sl_store *st, const char *sql)
{
	int64_t v = -1;
	sl_error e;
	cr_assert_eq(sl_store_query_int64(st, sql, &v, &e), 0, "%s: %s", sql, e.message);
	return v;
}

static int64_t wtw_of(sl_store *st, const char *ext)
{
	char sql[256];
	snprintf(sql, sizeof sql,
	         "SELECT e.wtw_g FROM delivery_emissions e JOIN deliveries d ON d.id = "
	         "e.delivery_id WHERE d.ext_id = '%s'",
	         ext);
	return q(st, sql);
}

static int64_t has_quality(sl_store *st, const char *ext, const char *quality, const char *method)
{
	char sql[320];
	snprintf(sql, sizeof sql,
	         "SELECT COUNT(*) FROM delivery_emissions e JOIN deliveries d ON d.id = "
	         "e.delivery_id WHERE d.ext_id = '%s' AND e.quality = '%s' AND e.method = '%s'",
	         ext, quality, method);
	return q(st, sql);
}

/* Each trip's deliveries add up to the trip exactly. */
static void parts_sum_to_trips(sl_store *st)
{
	cr_assert_eq(q(st, "SELECT COUNT(*) FROM trip_emissions t WHERE t.wtw_g <>"
	                   " (SELECT COALESCE(SUM(d.wtw_g), 0) FROM delivery_emissions d"
	                   "  WHERE d.trip_id = t.trip_id) AND EXISTS (SELECT 1 FROM"
	                   "  delivery_emissions d WHERE d.trip_id = t.trip_id)"),
	             0);
}

/* Import one fixture file into an existing database. */
static int import_one(const char *db, const char *env, const char *kind)
{
	const char *bin = getenv("SAMLAST_BIN"), *fx = getenv("SL_FIXTURES");
	char cmd[2048];
	snprintf(cmd, sizeof cmd,
	         "%s '%s' import --db '%s' --kind %s '%s/emissions/import/%s.csv' "
	         ">/dev/null 2>/tmp/sl_em_imp_err_%d.txt",
	         env ? env : "", bin, db, kind, fx, kind, (int)getpid());
	return sh(cmd);
}

static sl_store *open_db(const char *db)
{
	sl_store *st = NULL;
	sl_error e;
	cr_assert_eq(sl_store_open(db, &st, &e), 0, "%s", e.message);
	return st;
}

Test(import, computes_emissions_of_the_batch)
{
	char db[128];
	sl_store *st;
	snprintf(db, sizeof db, "/tmp/sl_em_imp_%d.db", (int)getpid());
	cr_assert_eq(import_fixture(db, NULL, NULL), 0);
	st = open_db(db);
	/* every delivered delivery has a figure; the cancelled one has none */
	cr_assert_eq(q(st, "SELECT COUNT(*) FROM deliveries d LEFT JOIN delivery_emissions e"
	                   " ON e.delivery_id = d.id WHERE d.status <> 'cancelled'"
	                   " AND e.delivery_id IS NULL"),
	             0);
	cr_assert_eq(q(st, "SELECT COUNT(*) FROM delivery_emissions e JOIN deliveries d"
	                   " ON d.id = e.delivery_id WHERE d.ext_id = 'D8'"),
	             0);
	cr_assert_eq(q(st, "SELECT COUNT(*) FROM trip_emissions"), 4);
	/* T1: 7.8 l diesel_b7 -> sea2016_diesel_mk1_l 2.853 kg/l = 22253.4 g,
	 * split by tonne-km between D1 and D2 */
	cr_assert_eq(q(st, "SELECT wtw_g FROM trip_emissions t JOIN trips r ON r.id = t.trip_id"
	                   " WHERE r.ext_id = 'T1'"),
	             22253);
	cr_assert_eq(wtw_of(st, "D1") + wtw_of(st, "D2"), 22253);
	cr_assert_eq(has_quality(st, "D1", "primary", "measured_fuel"), 1);
	/* T2: 30 km x (6.422 + 1.117 x 0.43) MJ/km = 207.0693 MJ / 35.5 MJ/l
	 * x 2.853 kg/l = 16641.3 g (D8 is cancelled, so D3 carries all) */
	cr_assert_eq(wtw_of(st, "D3"), 16641);
	cr_assert_eq(has_quality(st, "D3", "modelled", "distance_x_modelled_consumption"), 1);
	/* T3: electric van, 12 km x 0.394 kWh/km x 0.46764 kg/kWh = 2211.0 g */
	cr_assert_eq(wtw_of(st, "D4"), 2211);
	cr_assert_eq(has_quality(st, "D4", "modelled", "distance_x_modelled_consumption"), 1);
	/* T4: rigid_12_20t is mapped to DESNZ's >7.5-17 t band: 25 km x
	 * (7.692 + 2.198 x 0.33) MJ/km = 210.4335 MJ / 34.2 MJ/l x 0.35 kg/l
	 * (preem_hvo100_l) = 2153.6 g, by consumption but default quality */
	cr_assert_eq(wtw_of(st, "D5"), 2154);
	cr_assert_eq(has_quality(st, "D5", "default", "distance_x_modelled_consumption"), 1);
	/* trip-less: D6 without a vehicle (class "unknown"), D7 an electric van */
	cr_assert_eq(has_quality(st, "D6", "default", "tkm_x_default_intensity"), 1);
	cr_assert_eq(has_quality(st, "D7", "default", "tkm_x_default_intensity"), 1);
	cr_assert_eq(q(st, "SELECT COUNT(*) FROM delivery_emissions e JOIN deliveries d ON"
	                   " d.id = e.delivery_id WHERE d.ext_id = 'D6' AND e.factor_id LIKE"
	                   " 'unknown/%mapped_assumption%' AND e.trip_id IS NULL"),
	             1);
	parts_sum_to_trips(st);
	sl_store_close(st);
	unlink(db);
}

Test(import, a_broken_factor_set_undoes_the_import)
{
	char db[128], dir[128], cmd[512], env[200];
	FILE *f;
	sl_store *st;
	snprintf(db, sizeof db, "/tmp/sl_em_imp_b_%d.db", (int)getpid());
	snprintf(dir, sizeof dir, "/tmp/sl_em_data_%d", (int)getpid());
	snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s/emissions/se-seed'", dir, dir);
	cr_assert_eq(sh(cmd), 0);
	snprintf(cmd, sizeof cmd, "%s/emissions/se-seed/VERSION", dir);
	cr_assert((f = fopen(cmd, "w")));
	fputs("broken\n", f);
	fclose(f);
	snprintf(cmd, sizeof cmd, "%s/emissions/se-seed/factors.csv", dir);
	cr_assert((f = fopen(cmd, "w")));
	fputs("id,energy_carrier\nx,diesel\n", f); /* columns missing */
	fclose(f);
	snprintf(env, sizeof env, "SAMLAST_DATA='%s'", dir);
	/* master data with the real set, then trips with the broken one: the
	 * trips import fails as a whole */
	cr_assert_eq(import_fixture(db, NULL, "vehicles"), 0);
	cr_assert_eq(import_one(db, env, "trips"), 1);
	st = open_db(db);
	cr_assert_eq(q(st, "SELECT COUNT(*) FROM trips"), 0);
	cr_assert_eq(q(st, "SELECT COUNT(*) FROM trip_emissions"), 0);
	/* no factor set at all: SL_ENOTFOUND and nothing changed (the importers
	 * then warn and commit; a later recompute catches up) */
	{
		sl_em_recompute_stats rs;
		sl_error e;
		cr_assert_eq(sl_emissions_refresh(st, "no-such-set", &rs, &e), SL_ENOTFOUND);
		cr_assert_eq(q(st, "SELECT COUNT(*) FROM trip_emissions"), 0);
	}
	sl_store_close(st);
	snprintf(cmd, sizeof cmd, "rm -rf '%s' /tmp/sl_em_imp_err_%d.txt", dir, (int)getpid());
	sh(cmd);
	unlink(db);
}

Test(stale, recomputes_changed_moved_and_cancelled)
{
	char db[128];
	sl_store *st;
	sl_emissions_set *set = NULL;
	sl_em_recompute_stats rs;
	sl_error e;
	int64_t t1_before, d1_before;
	snprintf(db, sizeof db, "/tmp/sl_em_stale_%d.db", (int)getpid());
	cr_assert_eq(import_fixture(db, NULL, NULL), 0);
	st = open_db(db);
	cr_assert_eq(sl_emissions_set_load(NULL, &set, &e), 0, "%s", e.message);
	/* settle: what the import computed in its own second is stale once more */
	sleep(1);
	cr_assert_eq(sl_emissions_recompute_stale(st, set, &rs, &e), 0, "%s", e.message);
	t1_before = q(st, "SELECT wtw_g FROM trip_emissions t JOIN trips r ON r.id = t.trip_id"
	                  " WHERE r.ext_id = 'T1'");
	d1_before = wtw_of(st, "D1");
	/* every recompute moves data_version, so running servers drop cached CO2e */
	int64_t dv = q(st, "SELECT n FROM data_version");
	cr_assert_eq(sl_emissions_recompute_stale(st, set, &rs, &e), 0, "%s", e.message);
	cr_assert_eq(q(st, "SELECT n FROM data_version"), dv + 1);
	/* a heavier D1: only T1 is recomputed; its total stays (measured fuel),
	 * D1's share grows */
	cr_assert_eq(sl_store_exec(st,
	                           "UPDATE deliveries SET mass_kg = 1600, updated_at ="
	                           " (SELECT MAX(computed_at) FROM trip_emissions)"
	                           " WHERE ext_id = 'D1'",
	                           &e),
	             0, "%s", e.message);
	cr_assert_eq(sl_emissions_recompute_stale(st, set, &rs, &e), 0, "%s", e.message);
	cr_assert_eq(rs.trips_done, 1);
	cr_assert_eq(rs.deliveries_on_trips, 2);
	cr_assert_eq(rs.deliveries_default, 0);
	cr_assert_eq(q(st, "SELECT wtw_g FROM trip_emissions t JOIN trips r ON r.id = t.trip_id"
	                   " WHERE r.ext_id = 'T1'"),
	             t1_before);
	cr_assert_gt(wtw_of(st, "D1"), d1_before);
	parts_sum_to_trips(st);
	/* D2 leaves T1 (no trip any more), D3 is cancelled */
	cr_assert_eq(sl_store_exec(st,
	                           "UPDATE deliveries SET trip_id = NULL, stop_seq = NULL,"
	                           " updated_at = (SELECT MAX(computed_at) FROM trip_emissions)"
	                           " WHERE ext_id = 'D2';"
	                           "UPDATE deliveries SET status = 'cancelled', updated_at ="
	                           " (SELECT MAX(computed_at) FROM trip_emissions)"
	                           " WHERE ext_id = 'D3';",
	                           &e),
	             0, "%s", e.message);
	cr_assert_eq(sl_emissions_recompute_stale(st, set, &rs, &e), 0, "%s", e.message);
	cr_assert_geq(rs.trips_done, 2);           /* T1 and T2 (T1 again if in the same second) */
	cr_assert_eq(wtw_of(st, "D1"), t1_before); /* D1 now carries all of T1 */
	cr_assert_eq(has_quality(st, "D2", "default", "tkm_x_default_intensity"), 1);
	cr_assert_eq(q(st, "SELECT COUNT(*) FROM delivery_emissions e JOIN deliveries d ON"
	                   " d.id = e.delivery_id WHERE d.ext_id = 'D3'"),
	             0);
	cr_assert_eq(q(st, "SELECT COUNT(*) FROM deliveries d LEFT JOIN delivery_emissions e"
	                   " ON e.delivery_id = d.id WHERE d.status <> 'cancelled'"
	                   " AND e.delivery_id IS NULL"),
	             0);
	parts_sum_to_trips(st);
	/* once everything is newer than its inputs, nothing is stale */
	sleep(1);
	cr_assert_eq(sl_emissions_recompute_stale(st, set, &rs, &e), 0, "%s", e.message);
	sleep(1);
	cr_assert_eq(sl_emissions_recompute_stale(st, set, &rs, &e), 0, "%s", e.message);
	cr_assert_eq(rs.trips_done + rs.trips_failed, 0);
	cr_assert_eq(rs.deliveries_on_trips + rs.deliveries_default, 0);
	sl_emissions_set_free(set);
	sl_store_close(st);
	unlink(db);
}

Test(cli, recompute_prints_counts_per_quality_and_path)
{
	char db[128], cmd[512], out[4096] = "";
	const char *bin = getenv("SAMLAST_BIN");
	FILE *p;
	size_t n;
	snprintf(db, sizeof db, "/tmp/sl_em_cli_%d.db", (int)getpid());
	cr_assert_eq(import_fixture(db, NULL, NULL), 0);
	snprintf(cmd, sizeof cmd, "'%s' emissions recompute --db '%s'", bin, db);
	cr_assert((p = popen(cmd, "r")));
	n = fread(out, 1, sizeof out - 1, p);
	out[n] = 0;
	cr_assert_eq(pclose(p), 0);
	/* D1 D2 primary; D3 D4 modelled; D5 (mapped class), D6, D7 default */
	cr_assert(strstr(out, "deliveries by quality: primary 2, modelled 2, default 3"), "%s",
	          out);
	cr_assert(strstr(out, "measured fuel 2, distance x modelled consumption 3, tkm x default "
	                      "intensity 2; 2 of them through a mapped vehicle class"),
	          "%s", out);
	cr_assert(strstr(out, "1 without a vehicle"), "%s", out);
	unlink(db);
}

Test(defaults, se_seed_paths_through_the_compact_api)
{
	sl_emissions_set *s = NULL;
	sl_error e;
	double mass[] = {500}, sfd[] = {10000};
	sl_em_trip_in in = {"rigid_20_26t", "cbg", -1, NULL, 40000, 1, mass, sfd};
	sl_em_figures t;
	char fid[160];
	cr_assert_eq(sl_emissions_set_load(NULL, &s, &e), 0, "%s", e.message);
	/* a gas truck has no figure of its own: the diesel class's energy, as an
	 * assumption reported as default quality.  40 km x (10.584 + 4.646 x
	 * 0.70) MJ/km = 553.448 MJ x 20.6 g/MJ (sea2016_biogas100_mj) = 11401.0 g */
	cr_assert_eq(sl_emissions_trip(s, &in, &t, NULL, fid, sizeof fid, &e), 0, "%s", e.message);
	cr_assert_eq(t.quality, SL_EM_DEFAULT);
	cr_assert_eq(t.method, SL_EM_BY_CONSUMPTION);
	cr_assert_eq(t.assumption, 1);
	cr_assert_eq(t.energy_kj, 553448);
	cr_assert_eq(t.wtw_g, 11401);
	cr_assert(strstr(fid, "mapped_assumption"), "%s", fid);
	/* the same class on HVO is modelled (drop-in fuel, same energy per km):
	 * 553.448 MJ / 34.2 MJ/l x 0.35 kg/l = 5663.9 g */
	in.energy_carrier = "hvo100";
	cr_assert_eq(sl_emissions_trip(s, &in, &t, NULL, fid, sizeof fid, &e), 0, "%s", e.message);
	cr_assert_eq(t.quality, SL_EM_MODELLED);
	cr_assert_eq(t.assumption, 0);
	cr_assert_eq(t.wtw_g, 5664);
	/* no distance: tonne-km x the class's DESNZ default intensity,
	 * 0.5 t x 10 km x 208.82 g/tkm = 1044.1 g, TTW 171.46 -> 857.3 g */
	in.distance_m = -1;
	cr_assert_eq(sl_emissions_trip(s, &in, &t, NULL, fid, sizeof fid, &e), 0, "%s", e.message);
	cr_assert_eq(t.quality, SL_EM_DEFAULT);
	cr_assert_eq(t.method, SL_EM_BY_INTENSITY);
	cr_assert_eq(t.wtw_g, 1044);
	cr_assert_eq(t.ttw_g, 857);
	/* a class nobody documents still has no default */
	in.vehicle_class = "tractor_other";
	cr_assert_eq(sl_emissions_trip(s, &in, &t, NULL, NULL, 0, &e), SL_EINVAL);
	cr_assert(strstr(e.message, "no default available"), "%s", e.message);
	sl_emissions_set_free(s);
}

Test(hubs, measured_energy_charged_per_tonne_handled)
{
	char db[128], cmd[1024];
	const char *bin = getenv("SAMLAST_BIN");
	sl_store *st;
	snprintf(db, sizeof db, "/tmp/sl_em_hub_%d.db", (int)getpid());
	cr_assert_eq(import_fixture(db, NULL, NULL), 0);
	/* January at the carrier's terminal D-CAR1: 1200 kWh, 80 t handled */
	snprintf(cmd, sizeof cmd,
	         "'%s' emissions hub --db '%s' --site D-CAR1 --from 2025-01-01 --to 2025-01-31"
	         " --carrier electricity --energy 1200 --unit kWh --handled-t 80 >/dev/null",
	         bin, db);
	cr_assert_eq(sh(cmd), 0);
	st = open_db(db);
	cr_assert_gt(q(st, "SELECT n FROM data_version"), 0); /* the import and the hub bumped it */
	/* 1200 kWh x 467.64 g/kWh (Nordic residual mix 2022) = 561168 g;
	 * ÷ 80 t = 7014.6 g/t */
	cr_assert_eq(q(st, "SELECT wtw_g FROM hub_emissions"), 561168);
	cr_assert_eq(q(st, "SELECT COUNT(*) FROM hub_emissions WHERE abs(wtw_g_per_t - 7014.6)"
	                   " < 1e-9 AND factor_id = 'se_el_residual_mix_2022_kwh'"),
	             1);
	/* D1 0.8 t -> 5611.68 -> 5612 g; D5 2 t -> 14029.2 -> 14029 g; the
	 * cancelled D8 and the trip-less D6, D7 are not charged */
	cr_assert_eq(q(st, "SELECT h.wtw_g FROM delivery_hub_emissions h JOIN deliveries d"
	                   " ON d.id = h.delivery_id WHERE d.ext_id = 'D1'"),
	             5612);
	cr_assert_eq(q(st, "SELECT h.wtw_g FROM delivery_hub_emissions h JOIN deliveries d"
	                   " ON d.id = h.delivery_id WHERE d.ext_id = 'D5'"),
	             14029);
	cr_assert_eq(q(st, "SELECT COUNT(*) FROM delivery_hub_emissions"), 5);
	sl_store_close(st);
	/* bad input: unknown site, --to before --from, non-positive tonnes */
	snprintf(cmd, sizeof cmd,
	         "'%s' emissions hub --db '%s' --site NOPE --from 2025-01-01 --to 2025-01-31"
	         " --carrier electricity --energy 1 --unit kWh --handled-t 1 2>/dev/null",
	         bin, db);
	cr_assert_eq(sh(cmd), 1);
	snprintf(cmd, sizeof cmd,
	         "'%s' emissions hub --db '%s' --site D-CAR1 --from 2025-02-01 --to 2025-01-31"
	         " --carrier electricity --energy 1 --unit kWh --handled-t 1 2>/dev/null",
	         bin, db);
	cr_assert_eq(sh(cmd), 1);
	snprintf(cmd, sizeof cmd,
	         "'%s' emissions hub --db '%s' --site D-CAR1 --from 2025-01-01 --to 2025-01-31"
	         " --carrier electricity --energy 1 --unit kWh --handled-t 0 2>/dev/null",
	         bin, db);
	cr_assert_eq(sh(cmd), 1);
	/* a full recompute keeps the hub figures */
	snprintf(cmd, sizeof cmd, "'%s' emissions recompute --db '%s' >/dev/null", bin, db);
	cr_assert_eq(sh(cmd), 0);
	st = open_db(db);
	cr_assert_eq(q(st, "SELECT wtw_g FROM hub_emissions"), 561168);
	sl_store_close(st);
	unlink(db);
}

Test(upload, http_upload_computes_emissions_in_its_transaction)
{
	char db[128], cmd[2048], tok[256] = "", logf[128];
	const char *bin = getenv("SAMLAST_BIN"), *fx = getenv("SL_FIXTURES");
	int port = 20000 + (int)(getpid() % 20000);
	FILE *p;
	pid_t pid;
	sl_store *st;
	if (sh("command -v curl >/dev/null 2>&1") != 0)
		cr_skip_test("curl is not installed: the HTTP upload is not exercised");
	snprintf(db, sizeof db, "/tmp/sl_em_up_%d.db", (int)getpid());
	snprintf(logf, sizeof logf, "/tmp/sl_em_up_%d.log", (int)getpid());
	cr_assert_eq(import_fixture(db, NULL, "vehicles"), 0);
	snprintf(cmd, sizeof cmd, "'%s' token create --db '%s' --role admin --label t 2>/dev/null",
	         bin, db);
	cr_assert((p = popen(cmd, "r")));
	cr_assert(fgets(tok, sizeof tok, p));
	pclose(p);
	tok[strcspn(tok, "\r\n")] = 0;
	snprintf(cmd, sizeof cmd, "127.0.0.1:%d", port);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		if (!freopen(logf, "w", stdout) || !freopen(logf, "a", stderr))
			_exit(127);
		execl(bin, bin, "serve", "--db", db, "--listen", cmd, (char *)NULL);
		_exit(127);
	}
	for (const char *k = "trips"; k; k = strcmp(k, "trips") ? NULL : "deliveries") {
		snprintf(cmd, sizeof cmd,
		         "curl -s --retry 20 --retry-connrefused --retry-delay 1 -o /dev/null"
		         " -w '%%{http_code}' -X POST -H 'Authorization: Bearer %s'"
		         " -H 'Content-Type: text/csv' --data-binary @'%s/emissions/import/%s.csv'"
		         " http://127.0.0.1:%d/api/v1/imports/%s | grep -q 200",
		         tok, fx, k, port, k);
		cr_expect_eq(sh(cmd), 0, "upload of %s failed (see %s)", k, logf);
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	st = open_db(db);
	cr_assert_eq(q(st, "SELECT COUNT(*) FROM trip_emissions"), 4);
	cr_assert_eq(q(st, "SELECT COUNT(*) FROM deliveries d LEFT JOIN delivery_emissions e"
	                   " ON e.delivery_id = d.id WHERE d.status <> 'cancelled'"
	                   " AND e.delivery_id IS NULL"),
	             0);
	cr_assert_eq(wtw_of(st, "D4"), 2211); /* as through the CLI importer */
	parts_sum_to_trips(st);
	sl_store_close(st);
	unlink(db);
	unlink(logf);
}

Test(defaults, calc_json_names_the_default_and_flags_assumptions)
{
	static const char in[] = "{\"trips\": [{\"vehicle_class\": \"rigid_12_20t\","
	                         " \"energy_carrier\": \"hvo100\", \"distance_km\": 25,"
	                         " \"shipments\": [{\"mass_kg\": 2000, \"distance_km\": 7}]},"
	                         " {\"vehicle_class\": \"rigid_7.5_12t\", \"energy_carrier\":"
	                         " \"hvo100\", \"distance_km\": 25,"
	                         " \"shipments\": [{\"mass_kg\": 2000, \"distance_km\": 7}]}]}";
	sl_emissions_set *s = NULL;
	sl_buf out = {0};
	sl_error e;
	const char *second;
	cr_assert_eq(sl_emissions_set_load(NULL, &s, &e), 0, "%s", e.message);
	cr_assert_eq(sl_emissions_calc_json(s, in, strlen(in), "in.json", &out, &e), 0, "%s",
	             e.message);
	cr_assert_eq(sl_buf_append(&out, "", 1), 0);
	second = strstr(out.data, "rigid_7.5_12t");
	cr_assert(second, "%s", out.data);
	/* the 12-20 t trip: by consumption, default quality, an assumption,
	 * 2153.6 g as in the import test */
	cr_assert(strstr(out.data, "\"method\":\"distance_x_modelled_consumption\",\"quality\":"
	                           "\"default\",\"assumption\":true"),
	          "%s", out.data);
	cr_assert(strstr(out.data, "\"status\":\"mapped_assumption\""), "%s", out.data);
	cr_assert(strstr(out.data, "\"wtw_g\":2154"), "%s", out.data);
	/* the 7.5-12 t trip is modelled data (DESNZ >7.5-17 t band) */
	cr_assert(strstr(second, "\"quality\":\"modelled\",\"factor\""), "%s", second);
	cr_assert(strstr(second, "\"status\":\"modelled_consumption\""), "%s", second);
	sl_buf_free(&out);
	sl_emissions_set_free(s);
}

/* Measured fuel the factor set cannot use (kg of biogas, whose factor is per
 * MJ with no energy content) is no data: the trip falls to the modelled tier
 * (V1 has a distance and a modelled class), the report says so, and no
 * delivery is left without a figure. */
Test(cli, unusable_measured_fuel_falls_to_the_next_tier)
{
	char db[128], cmd[512], out[4096] = "";
	const char *bin = getenv("SAMLAST_BIN");
	FILE *p;
	size_t n;
	sl_store *st;
	sl_error e;
	snprintf(db, sizeof db, "/tmp/sl_em_fuel_%d.db", (int)getpid());
	cr_assert_eq(import_fixture(db, NULL, NULL), 0);
	st = open_db(db);
	cr_assert_eq(sl_store_exec(st,
	                           "UPDATE vehicles SET energy_carrier = 'cbg' WHERE ext_id = 'V1';"
	                           "UPDATE trips SET fuel_used = 20, fuel_unit = 'kg' WHERE ext_id = 'T1';",
	                           &e),
	             0, "%s", e.message);
	sl_store_close(st);
	snprintf(cmd, sizeof cmd, "'%s' emissions recompute --db '%s'", bin, db);
	cr_assert((p = popen(cmd, "r")));
	n = fread(out, 1, sizeof out - 1, p);
	out[n] = 0;
	cr_assert_eq(pclose(p), 0);
	cr_assert(strstr(out, "warning: 1 trips had measured fuel the factor set cannot use"), "%s", out);
	cr_assert(strstr(out, "cannot convert kg into MJ"), "%s", out);
	st = open_db(db);
	cr_assert_eq(has_quality(st, "D1", "primary", "measured_fuel"), 0);
	cr_assert_eq(q(st, "SELECT COUNT(*) FROM delivery_emissions e JOIN deliveries d ON d.id = "
	                   "e.delivery_id WHERE d.ext_id IN ('D1', 'D2') AND e.quality <> 'primary'"),
	             2);
	cr_assert_eq(q(st, "SELECT COUNT(*) FROM deliveries d WHERE d.status = 'delivered' AND NOT "
	                   "EXISTS (SELECT 1 FROM delivery_emissions e WHERE e.delivery_id = d.id)"),
	             0);
	parts_sum_to_trips(st);
	sl_store_close(st);
	unlink(db);
}
