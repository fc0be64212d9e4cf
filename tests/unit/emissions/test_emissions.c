/* test_emissions.c — Criterion suite of the emissions module: the worked
 * examples of ../shared/data/emissions/worked_examples.md (copied as fixtures
 * in tests/fixtures/emissions) to the gram through the library and through
 * `samlast emissions calc`; parts summing to totals; every step of the
 * data-quality hierarchy; unit conversions; each class of bad input with
 * its location; the compact per-trip API used by recompute. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "samlast/emissions.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;
	cr_assert(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = malloc((size_t)n + 1);
	cr_assert(s);
	cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = 0;
	fclose(f);
	if (len)
		*len = (size_t)n;
	return s;
}

static void fixture(char *out, size_t n, const char *rel)
{
	const char *d = getenv("SL_FIXTURES");
	cr_assert(d, "SL_FIXTURES not set");
	snprintf(out, n, "%s/emissions/%s", d, rel);
}

static sl_emissions_set *load_set(const char *name)
{
	sl_emissions_set *s = NULL;
	sl_error e;
	int rc = sl_emissions_set_load(name, &s, &e);
	cr_assert_eq(rc, 0, "load %s: %s", name ? name : "default", e.message);
	return s;
}

/* Run the calculator over a JSON text; returns the parsed output. */
static json_t *calc_text(const char *setname, const char *text, int *rc_out, sl_error *e)
{
	sl_emissions_set *s = load_set(setname);
	sl_buf out = {0};
	json_t *j = NULL;
	int rc = sl_emissions_calc_json(s, text, strlen(text), "in.json", &out, e);
	if (rc_out)
		*rc_out = rc;
	if (rc == 0) {
		json_error_t je;
		j = json_loadb(out.data, out.len, 0, &je);
		cr_assert(j, "output is not JSON: %s", je.text);
	}
	sl_buf_free(&out);
	sl_emissions_set_free(s);
	return j;
}

static json_t *path_get(json_t *j, const char *path)
{
	char buf[256], *tok, *save = NULL;
	snprintf(buf, sizeof buf, "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && j; tok = strtok_r(NULL, ".", &save)) {
		if (json_is_array(j))
			j = json_array_get(j, (size_t)atoi(tok));
		else
			j = json_object_get(j, tok);
	}
	return j;
}

/* Compare every "path value" line of NAME.expected with j. */
static void check_expected(json_t *j, const char *name)
{
	char path[512], line[512];
	FILE *f;
	int lines = 0;
	fixture(path, sizeof path, name);
	strcat(path, ".expected");
	f = fopen(path, "r");
	cr_assert(f, "no %s", path);
	while (fgets(line, sizeof line, f)) {
		char key[256], want[128], got[128];
		json_t *v;
		if (sscanf(line, "%255s %127s", key, want) != 2)
			continue;
		v = path_get(j, key);
		cr_assert(v, "%s: %s missing in output", name, key);
		if (json_is_null(v))
			snprintf(got, sizeof got, "null");
		else if (json_is_integer(v))
			snprintf(got, sizeof got, "%lld", (long long)json_integer_value(v));
		else if (json_is_string(v))
			snprintf(got, sizeof got, "%s", json_string_value(v));
		else if (json_is_real(v)) {
			int dec = strchr(want, '.') ? (int)strlen(strchr(want, '.') + 1) : 0;
			snprintf(got, sizeof got, "%.*f", dec, json_real_value(v));
		} else
			snprintf(got, sizeof got, "?");
		cr_expect_str_eq(got, want, "%s: %s = %s, expected %s", name, key, got, want);
		lines++;
	}
	fclose(f);
	cr_assert_gt(lines, 0);
}

/* Every trip's shipments add up exactly to the trip (WTW, TTW, WTT, kJ). */
static void check_sums(json_t *j)
{
	size_t i, k;
	json_t *trip, *sh;
	json_array_foreach(json_object_get(j, "trips"), i, trip)
	{
		static const char *keys[] = {"wtw_g", "ttw_g", "wtt_g"};
		json_t *ships = json_object_get(trip, "shipments");
		if (json_array_size(ships) == 0)
			continue;
		for (k = 0; k < 3; k++) {
			long long sum = 0;
			json_t *tot = json_object_get(trip, keys[k]);
			size_t m;
			json_array_foreach(ships, m, sh)
			{
				json_t *v = json_object_get(sh, keys[k]);
				cr_assert_eq(json_is_null(v), json_is_null(tot));
				sum += json_integer_value(v);
			}
			if (!json_is_null(tot))
				cr_expect_eq(sum, json_integer_value(tot), "%s parts %lld != %lld",
				             keys[k], sum, (long long)json_integer_value(tot));
		}
		if (!json_is_null(json_object_get(trip, "energy_mj"))) {
			long long kj = 0;
			size_t m;
			json_array_foreach(ships, m, sh) kj +=
			    (long long)(json_real_value(json_object_get(sh, "energy_mj")) * 1000 +
			                0.5);
			cr_expect_eq(
			    kj,
			    (long long)(json_real_value(json_object_get(trip, "energy_mj")) * 1000 +
			                0.5));
		}
	}
}

static const char *examples[] = {"e1",           "e2", "e3", "e4", "e4_sea2016",
                                 "e4_renewable", "e5", "e6", "e7"};

Test(worked, library_to_the_gram)
{
	for (size_t i = 0; i < sizeof examples / sizeof *examples; i++) {
		char path[512];
		sl_error e;
		int rc;
		char *text;
		json_t *j;
		fixture(path, sizeof path, examples[i]);
		strcat(path, ".json");
		text = slurp(path, NULL);
		j = calc_text(NULL, text, &rc, &e);
		cr_assert_eq(rc, 0, "%s: %s", examples[i], e.message);
		check_expected(j, examples[i]);
		check_sums(j);
		cr_assert_str_eq(json_string_value(path_get(j, "factor_set.name")), "se-seed");
		cr_assert(json_is_string(path_get(j, "factor_set.version")));
		json_decref(j);
		free(text);
	}
}

Test(worked, cli_to_the_gram)
{
	const char *bin = getenv("SAMLAST_BIN");
	cr_assert(bin, "SAMLAST_BIN not set");
	for (size_t i = 0; i < sizeof examples / sizeof *examples; i++) {
		char path[512], cmd[1200], out[1 << 16];
		size_t n;
		FILE *p;
		json_t *j;
		json_error_t je;
		fixture(path, sizeof path, examples[i]);
		strcat(path, ".json");
		snprintf(cmd, sizeof cmd, "'%s' emissions calc '%s' --factors se-seed", bin, path);
		p = popen(cmd, "r");
		cr_assert(p);
		n = fread(out, 1, sizeof out - 1, p);
		out[n] = 0;
		cr_assert_eq(pclose(p), 0, "%s failed", cmd);
		j = json_loads(out, 0, &je);
		cr_assert(j, "%s: %s", examples[i], je.text);
		check_expected(j, examples[i]);
		json_decref(j);
	}
}

Test(allocation, random_trips_sum_exactly)
{
	/* 200 pseudo-random trips of 1..12 shipments: parts always add up. */
	uint64_t x = 0x9E3779B97F4A7C15u;
	for (int t = 0; t < 200; t++) {
		char text[8192];
		size_t o = 0;
		int n, rc;
		sl_error e;
		json_t *j;
		x = x * 6364136223846793005u + 1442695040888963407u;
		n = 1 + (int)((x >> 33) % 12);
		o += (size_t)snprintf(text + o, sizeof text - o,
		                      "{\"trips\":[{\"factor\":\"preem_evolution_diesel_l\","
		                      "\"fuel\":{\"amount\":%d.%d,\"unit\":\"l\"},\"shipments\":[",
		                      (int)((x >> 20) % 90) + 1, (int)((x >> 8) % 10));
		for (int i = 0; i < n; i++) {
			x = x * 6364136223846793005u + 1442695040888963407u;
			o += (size_t)snprintf(text + o, sizeof text - o,
			                      "%s{\"mass_kg\":%d,\"distance_km\":%d.%02d}",
			                      i ? "," : "", (int)((x >> 40) % 5000) + 1,
			                      (int)((x >> 20) % 60), (int)((x >> 10) % 100) + 1);
		}
		snprintf(text + o, sizeof text - o, "]}]}");
		j = calc_text(NULL, text, &rc, &e);
		cr_assert_eq(rc, 0, "%s: %s", text, e.message);
		check_sums(j);
		json_decref(j);
	}
}

Test(allocation, ties_go_to_the_first_listed)
{
	sl_error e;
	int rc;
	json_t *j = calc_text(NULL,
	                      "{\"trips\":[{\"emissions\":{\"wtw_g\":10},\"shipments\":["
	                      "{\"mass_t\":1,\"distance_km\":1},{\"mass_t\":1,\"distance_km\":1},"
	                      "{\"mass_t\":1,\"distance_km\":1}]}]}",
	                      &rc, &e);
	cr_assert_eq(rc, 0, "%s", e.message);
	cr_assert_eq(json_integer_value(path_get(j, "trips.0.shipments.0.wtw_g")), 4);
	cr_assert_eq(json_integer_value(path_get(j, "trips.0.shipments.1.wtw_g")), 3);
	cr_assert_eq(json_integer_value(path_get(j, "trips.0.shipments.2.wtw_g")), 3);
	json_decref(j);
}

static void set_path(char *out, size_t n)
{
	fixture(out, n, "modelled_set");
}

Test(quality, modelled_from_vehicle_defaults)
{
	/* 0.20 + (0.30-0.20) x 0.5 = 0.25 l/km x 40 km = 10 l x 3.0 kg/l = 30 000 g */
	char set[512];
	sl_error e;
	int rc;
	json_t *j;
	set_path(set, sizeof set);
	j = calc_text(
	    set,
	    "{\"trips\":[{\"vehicle_class\":\"rigid_12_20t\",\"energy_carrier\":\"diesel\","
	    "\"distance_km\":40,\"shipments\":[{\"mass_t\":2,\"distance_km\":10}]}]}",
	    &rc, &e);
	cr_assert_eq(rc, 0, "%s", e.message);
	cr_assert_str_eq(json_string_value(path_get(j, "trips.0.quality")), "modelled");
	cr_assert_eq(json_integer_value(path_get(j, "trips.0.wtw_g")), 30000);
	cr_assert_eq(json_integer_value(path_get(j, "trips.0.ttw_g")), 25000);
	cr_assert_eq(json_integer_value(path_get(j, "trips.0.wtt_g")), 5000);
	cr_assert_str_eq(json_string_value(path_get(j, "factor_set.version")), "test-1");
	json_decref(j);
	/* an explicit load factor overrides the class default: 0.2+0.1x1 = 0.3 l/km */
	j = calc_text(
	    set,
	    "{\"trips\":[{\"vehicle_class\":\"rigid_12_20t\",\"energy_carrier\":\"diesel\","
	    "\"distance_km\":40,\"load_factor\":1,\"shipments\":[{\"mass_t\":2,"
	    "\"distance_km\":10}]}]}",
	    &rc, &e);
	cr_assert_eq(rc, 0, "%s", e.message);
	cr_assert_eq(json_integer_value(path_get(j, "trips.0.wtw_g")), 36000);
	json_decref(j);
}

Test(quality, hierarchy_primary_beats_modelled_beats_default)
{
	char set[512];
	sl_error e;
	int rc;
	json_t *j;
	set_path(set, sizeof set);
	/* fuel + distance: primary wins */
	j = calc_text(
	    set,
	    "{\"trips\":[{\"vehicle_class\":\"rigid_12_20t\",\"energy_carrier\":\"diesel\","
	    "\"fuel\":{\"amount\":2,\"unit\":\"l\"},\"distance_km\":40,"
	    "\"shipments\":[{\"mass_t\":2,\"distance_km\":10}]}]}",
	    &rc, &e);
	cr_assert_eq(rc, 0, "%s", e.message);
	cr_assert_str_eq(json_string_value(path_get(j, "trips.0.quality")), "primary");
	cr_assert_eq(json_integer_value(path_get(j, "trips.0.wtw_g")), 6000);
	json_decref(j);
	/* van: no consumption in the set -> default 100 g/tkm (TTW 80) */
	j = calc_text(
	    set,
	    "{\"trips\":[{\"vehicle_class\":\"van_lt_3.5t\",\"energy_carrier\":\"diesel\","
	    "\"distance_km\":40,\"shipments\":[{\"mass_kg\":500,\"distance_km\":10},"
	    "{\"mass_kg\":250,\"distance_km\":3}]}]}",
	    &rc, &e);
	cr_assert_eq(rc, 0, "%s", e.message);
	cr_assert_str_eq(json_string_value(path_get(j, "trips.0.quality")), "default");
	cr_assert_eq(json_integer_value(path_get(j, "trips.0.wtw_g")), 575);
	cr_assert_eq(json_integer_value(path_get(j, "trips.0.ttw_g")), 460);
	cr_assert_eq(json_integer_value(path_get(j, "trips.0.wtt_g")), 115);
	cr_assert(json_is_null(path_get(j, "trips.0.energy_mj")));
	cr_assert_str_eq(json_string_value(path_get(j, "trips.0.shipments.1.quality")), "default");
	json_decref(j);
	/* gap row: no default, a clear message */
	j = calc_text(
	    set,
	    "{\"trips\":[{\"vehicle_class\":\"rigid_3.5_7.5t\",\"energy_carrier\":\"diesel\","
	    "\"shipments\":[{\"mass_t\":2,\"distance_km\":10}]}]}",
	    &rc, &e);
	cr_assert_eq(rc, SL_EINVAL);
	cr_assert(strstr(e.message, "no default available"), "%s", e.message);
	cr_assert_null(j);
}

Test(quality, temperature_controlled_uplift)
{
	char set[512];
	sl_error e;
	int rc;
	json_t *j;
	set_path(set, sizeof set);
	j = calc_text(
	    set,
	    "{\"trips\":[{\"vehicle_class\":\"van_lt_3.5t\",\"temperature_controlled\":true,"
	    "\"shipments\":[{\"mass_t\":1,\"distance_km\":10}]}]}",
	    &rc, &e);
	cr_assert_eq(rc, 0, "%s", e.message);
	cr_assert_eq(json_integer_value(path_get(j, "trips.0.wtw_g")), 1120);
	json_decref(j);
}

static int64_t wtw_of(const char *text)
{
	sl_error e;
	int rc;
	json_t *j = calc_text(NULL, text, &rc, &e);
	int64_t v;
	cr_assert_eq(rc, 0, "%s: %s", text, e.message);
	v = json_integer_value(path_get(j, "trips.0.wtw_g"));
	json_decref(j);
	return v;
}

Test(units, conversions)
{
	/* litres -> kg with a density: 10 l x 0.84 = 8.4 kg x 3.76 = 31 584 g */
	cr_assert_eq(wtw_of("{\"trips\":[{\"factor\":\"en16258_diesel_b7_kg\",\"fuel\":"
	                    "{\"amount\":10,\"unit\":\"l\",\"density_kg_per_l\":0.84}}]}"),
	             31584);
	/* kg -> litres: 8.4 kg / 0.84 = 10 l x 2.51 = 25 100 g */
	cr_assert_eq(wtw_of("{\"trips\":[{\"factor\":\"preem_evolution_diesel_l\",\"fuel\":"
	                    "{\"amount\":8.4,\"unit\":\"kg\",\"density_kg_per_l\":0.84}}]}"),
	             25100);
	/* MJ -> kWh: 360 MJ = 100 kWh x 0.24012 = 24 012 g */
	cr_assert_eq(wtw_of("{\"trips\":[{\"factor\":\"se_el_nordic_mix_2022_kwh\",\"fuel\":"
	                    "{\"amount\":360,\"unit\":\"MJ\"}}]}"),
	             24012);
	/* kWh -> MJ: 10 kWh = 36 MJ x 0.0206 = 741.6 -> 742 g */
	cr_assert_eq(wtw_of("{\"trips\":[{\"factor\":\"sea2016_biogas100_mj\",\"fuel\":"
	                    "{\"amount\":10,\"unit\":\"kWh\"}}]}"),
	             742);
	/* MJ -> litres via energy content: 354 MJ / 35.4 = 10 l -> 25 100 g */
	cr_assert_eq(wtw_of("{\"trips\":[{\"factor\":\"preem_evolution_diesel_l\",\"fuel\":"
	                    "{\"amount\":354,\"unit\":\"MJ\"}}]}"),
	             25100);
	/* mass in kg and distance in m equal t and km */
	cr_assert_eq(
	    wtw_of("{\"trips\":[{\"vehicle_class\":\"rigid_26_32t\",\"energy_carrier\":"
	           "\"diesel\",\"shipments\":[{\"mass_kg\":5000,\"distance_m\":203000}]}]}"),
	    164430);
	/* Swedish default rows: diesel in litres -> MJ1 average, WTW only */
	{
		sl_error e;
		int rc;
		json_t *j =
		    calc_text(NULL,
		              "{\"trips\":[{\"energy_carrier\":\"diesel\",\"fuel\":"
		              "{\"amount\":10,\"unit\":\"l\"}},{\"energy_carrier\":"
		              "\"electricity\",\"fuel\":{\"amount\":10,\"unit\":\"kWh\"}}]}",
		              &rc, &e);
		cr_assert_eq(rc, 0, "%s", e.message);
		cr_assert_str_eq(json_string_value(path_get(j, "trips.0.factor.id")),
		                 "sea2016_diesel_mk1_l");
		cr_assert_eq(json_integer_value(path_get(j, "trips.0.wtw_g")), 28530);
		cr_assert(json_is_null(path_get(j, "trips.0.ttw_g")));
		cr_assert(json_is_null(path_get(j, "trips.0.wtt_g")));
		cr_assert_str_eq(json_string_value(path_get(j, "trips.1.factor.id")),
		                 "se_el_residual_mix_2022_kwh");
		cr_assert_eq(json_integer_value(path_get(j, "trips.1.wtw_g")), 4676);
		json_decref(j);
	}
}

static const char *bad_inputs[] = {
    "unknown_fuel",  "negative_distance",      "missing_mass", "bad_json", "unknown_factor",
    "negative_fuel", "litres_without_density", "gap_default",  "bad_unit", "trailing"};

Test(bad_input, library_locations)
{
	for (size_t i = 0; i < sizeof bad_inputs / sizeof *bad_inputs; i++) {
		char path[512], *text, *want;
		long line, col;
		char frag[128];
		sl_error e;
		int rc;
		fixture(path, sizeof path, "bad/");
		strcat(path, bad_inputs[i]);
		strcat(path, ".err");
		want = slurp(path, NULL);
		cr_assert_eq(sscanf(want, "%ld:%ld %127[^\n]", &line, &col, frag), 3);
		fixture(path, sizeof path, "bad/");
		strcat(path, bad_inputs[i]);
		strcat(path, ".json");
		text = slurp(path, NULL);
		sl_error_clear(&e);
		cr_assert_null(calc_text(NULL, text, &rc, &e));
		cr_assert_eq(rc, SL_EINVAL, "%s", bad_inputs[i]);
		cr_expect_eq(e.line, line, "%s: line %ld", bad_inputs[i], e.line);
		cr_expect_eq(e.column, col, "%s: column %ld", bad_inputs[i], e.column);
		cr_expect(strstr(e.message, frag), "%s: '%s' lacks '%s'", bad_inputs[i], e.message,
		          frag);
		free(text);
		free(want);
	}
}

Test(bad_input, cli_exit_1_with_location)
{
	const char *bin = getenv("SAMLAST_BIN");
	char path[512], cmd[1200], out[4096];
	size_t n;
	FILE *p;
	cr_assert(bin);
	fixture(path, sizeof path, "bad/negative_distance.json");
	snprintf(cmd, sizeof cmd, "'%s' emissions calc '%s' 2>&1", bin, path);
	p = popen(cmd, "r");
	cr_assert(p);
	n = fread(out, 1, sizeof out - 1, p);
	out[n] = 0;
	cr_assert_eq(WEXITSTATUS(pclose(p)), 1);
	cr_assert(strstr(out, "negative_distance.json:3:49: error: negative distance_km"), "%s",
	          out);
	snprintf(cmd, sizeof cmd, "'%s' emissions calc >/dev/null 2>&1", bin);
	cr_assert_eq(WEXITSTATUS(system(cmd)), 2);
	snprintf(cmd, sizeof cmd, "'%s' emissions --help >/dev/null", bin);
	cr_assert_eq(WEXITSTATUS(system(cmd)), 0);
	snprintf(cmd, sizeof cmd, "'%s' emissions calc '%s' --factors no-such-set >/dev/null 2>&1",
	         bin, path);
	cr_assert_eq(WEXITSTATUS(system(cmd)), 1);
}

/* shipments with no tonne-km: nothing to allocate by */
static const char zero_tkm[] = "{\"trips\":[{\"emissions\":{\"wtw_g\":1},\"shipments\":[{"
                               "\"mass_t\":0,\"distance_km\":1}]}]}";

Test(bad_input, garbage_never_crashes)
{
	static const char *cases[] = {"",
	                              "{",
	                              "[1,2]",
	                              "{\"trips\":5}",
	                              "{\"trips\":[1]}",
	                              "{\"trips\":[{\"fuel\":{}}]}",
	                              "\"\\u12",
	                              "{\"a\":1e999999}",
	                              zero_tkm,
	                              "{\"trips\":[{\"emissions\":{\"wtw_g\":1e30}}]}"};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		sl_error e;
		int rc;
		json_t *j = calc_text(NULL, cases[i], &rc, &e);
		cr_expect_eq(rc, SL_EINVAL, "case %zu accepted", i);
		cr_expect(e.line >= 1, "case %zu: no line", i);
		json_decref(j);
	}
}

Test(factors, empty_cells_are_absent_and_sets_are_named)
{
	char dir[512];
	sl_emissions_set *s = load_set(NULL);
	cr_assert_str_eq(sl_emissions_set_name(s), "se-seed");
	cr_assert_str_eq(sl_emissions_set_version(s), "2026-11-29");
	sl_emissions_set_free(s);
	set_path(dir, sizeof dir);
	s = load_set(dir);
	cr_assert_str_eq(sl_emissions_set_name(s), "modelled_set");
	sl_emissions_set_free(s);
	{
		sl_error e;
		cr_assert_eq(sl_emissions_set_load("no-such-set", &s, &e), SL_ENOTFOUND);
		cr_assert_null(s);
	}
}

Test(compact, trip_api_matches_json)
{
	/* E1 through the store's compact form (doubles in m and kg) */
	sl_emissions_set *s = load_set(NULL);
	double mass[] = {800, 1250, 400, 2100}, sfd[] = {6200, 9800, 14500, 4300};
	sl_em_trip_in in = {
	    "rigid_12_20t", "preem_evolution_diesel_l", 12.6, "l", -1, 4, mass, sfd};
	sl_em_figures trip, sh[4];
	char fid[64];
	sl_error e;
	cr_assert_eq(sl_emissions_trip(s, &in, &trip, sh, fid, sizeof fid, &e), 0, "%s", e.message);
	cr_assert_str_eq(fid, "preem_evolution_diesel_l");
	cr_assert_eq(trip.wtw_g, 31626);
	cr_assert_eq(trip.ttw_g, 26208);
	cr_assert_eq(trip.energy_kj, 446040);
	cr_assert_eq(trip.quality, SL_EM_PRIMARY);
	cr_assert_eq(sh[0].wtw_g, 4896);
	cr_assert_eq(sh[3].ttw_g, 7387);
	/* no fuel: default for the class (E3) */
	in.vehicle_class = "rigid_26_32t";
	in.energy_carrier = "diesel";
	in.fuel_amount = -1;
	in.n_shipments = 1;
	mass[0] = 5000;
	sfd[0] = 203000;
	cr_assert_eq(sl_emissions_trip(s, &in, &trip, sh, NULL, 0, &e), 0, "%s", e.message);
	cr_assert_eq(trip.quality, SL_EM_DEFAULT);
	cr_assert_eq(trip.wtw_g, 164430);
	cr_assert_eq(trip.has_ttw, 0);
	sl_emissions_set_free(s);
}

#include "samlast/store.h"

Test(recompute, small_store_idempotent)
{
	char path[128];
	sl_store *st = NULL;
	sl_emissions_set *set = load_set(NULL);
	sl_em_recompute_stats rs;
	sl_error e;
	int64_t v, first_sum = -1;
	snprintf(path, sizeof path, "/tmp/sl_em_test_%d.db", (int)getpid());
	unlink(path);
	cr_assert_eq(sl_store_open(path, &st, &e), 0, "%s", e.message);
	cr_assert_eq(sl_store_migrate(st, &e), 0, "%s", e.message);
	cr_assert_eq(
	    sl_store_exec(
	        st,
	        "INSERT INTO organisations(id, ext_id, kind, name, updated_at, row_hash) VALUES"
	        " (1,'sup','supplier','Supplier',0,''),(2,'car','carrier','Carrier',0,''),"
	        " (3,'city','unit','School',0,'');"
	        "INSERT INTO sites(id, ext_id, org_id, name, unit_type, lon, lat, updated_at, "
	        "row_hash)"
	        " VALUES (1,'depot',1,'Depot','depot',12.70,56.04,0,''),"
	        " (2,'a',3,'A','school',12.72,56.05,0,''),(3,'b',3,'B','school',12.69,56.07,0,'');"
	        "INSERT INTO vehicles(id, carrier_id, ext_id, vehicle_class, energy_carrier,"
	        " updated_at, row_hash) VALUES (1,2,'v1','rigid_12_20t','diesel',0,''),"
	        " (2,2,'v2','van_lt_3.5t','diesel',0,''),(3,2,'v3','rigid_3.5_7.5t','diesel',0,'');"
	        "INSERT INTO trips(id, carrier_id, ext_id, vehicle_id, origin_site_id, start_at,"
	        " local_day, distance_m, fuel_used, fuel_unit, energy_carrier, updated_at, "
	        "row_hash)"
	        " VALUES (1,2,'t1',1,1,0,0,30000,12.6,'l','preem_evolution_diesel_l',0,''),"
	        " (2,2,'t2',3,1,0,0,30000,NULL,NULL,NULL,0,'');"
	        "INSERT INTO deliveries(id, supplier_id, ext_id, site_id, vehicle_id, trip_id,"
	        " stop_seq, delivered_at, local_day, local_min, mass_kg, updated_at, row_hash) "
	        "VALUES"
	        " (1,1,'d1',2,1,1,1,0,0,0,800,0,''),(2,1,'d2',3,1,1,2,0,0,0,1250,0,''),"
	        " (3,1,'d3',2,2,NULL,NULL,0,0,0,500,0,''),(4,1,'d4',3,NULL,NULL,NULL,0,0,0,100,0,''"
	        "),"
	        " (5,1,'d5',2,3,2,1,0,0,0,300,0,'');",
	        &e),
	    0, "%s", e.message);
	for (int run = 0; run < 2; run++) {
		cr_assert_eq(sl_emissions_recompute(st, set, &rs, &e), 0, "%s", e.message);
		cr_assert_eq(rs.trips_done, 2);
		cr_assert_eq(rs.trips_failed, 0);
		cr_assert_eq(rs.by_quality[SL_EM_PRIMARY], 1);
		/* t2: no fuel, 30 km x the DESNZ-derived rigid 3.5-7.5 t consumption */
		cr_assert_eq(rs.by_quality[SL_EM_MODELLED], 1);
		cr_assert_eq(rs.deliveries_on_trips, 3);
		cr_assert_eq(rs.deliveries_default, 2); /* d3: van default; d4: class "unknown" */
		cr_assert_eq(rs.deliveries_unknown_class, 1);
		cr_assert_eq(rs.deliveries_unresolved, 0);
		cr_assert_eq(rs.deliveries_by_quality[SL_EM_PRIMARY], 2);
		cr_assert_eq(rs.deliveries_by_quality[SL_EM_MODELLED], 1);
		cr_assert_eq(rs.deliveries_by_quality[SL_EM_DEFAULT], 2);
		cr_assert_eq(rs.first_problem[0], 0, "%s", rs.first_problem);
		cr_assert_eq(sl_store_query_int64(
		                 st, "SELECT wtw_g FROM trip_emissions WHERE trip_id=1", &v, &e),
		             0);
		cr_assert_eq(v, 31626);
		cr_assert_eq(
		    sl_store_query_int64(
		        st, "SELECT SUM(wtw_g) FROM delivery_emissions WHERE trip_id=1", &v, &e),
		    0);
		cr_assert_eq(v, 31626);
		cr_assert_eq(
		    sl_store_query_int64(
		        st, "SELECT SUM(ttw_g) FROM delivery_emissions WHERE trip_id=1", &v, &e),
		    0);
		cr_assert_eq(v, 26208);
		cr_assert_eq(sl_store_query_int64(st,
		                                  "SELECT COUNT(*) FROM delivery_emissions"
		                                  " WHERE delivery_id=3 AND quality='default'"
		                                  " AND ttw_g IS NULL AND sfd_m > 0",
		                                  &v, &e),
		             0);
		cr_assert_eq(v, 1);
		cr_assert_eq(sl_store_query_int64(st,
		                                  "SELECT wtw_g FROM delivery_emissions"
		                                  " WHERE delivery_id=1",
		                                  &v, &e),
		             0);
		if (run == 0)
			first_sum = v;
		else
			cr_assert_eq(v, first_sum, "recompute is not idempotent");
		cr_assert_eq(
		    sl_store_query_int64(st, "SELECT COUNT(*) FROM delivery_emissions", &v, &e), 0);
		cr_assert_eq(v, 5);
		/* by hand: 30 km x (6.422 + (7.539 - 6.422) x 0.43) MJ/km = 207.0693 MJ
		 * x 80.4 g/MJ (sea2016_diesel_mk1_mj) = 16648.37 g */
		cr_assert_eq(sl_store_query_int64(st,
		                                  "SELECT wtw_g FROM trip_emissions WHERE trip_id=2"
		                                  " AND quality='modelled'"
		                                  " AND method='distance_x_modelled_consumption'"
		                                  " AND abs(energy_mj - 207.069) < 0.0005",
		                                  &v, &e),
		             0, "%s", e.message);
		cr_assert_eq(v, 16648);
		cr_assert_eq(
		    sl_store_query_int64(st,
		                         "SELECT COUNT(*) FROM delivery_emissions"
		                         " WHERE delivery_id=4 AND quality='default'"
		                         " AND factor_id LIKE 'unknown/%mapped_assumption%'",
		                         &v, &e),
		    0);
		cr_assert_eq(v, 1);
	}
	sl_store_close(st);
	sl_emissions_set_free(set);
	unlink(path);
}

Test(bad_input, number_grammar)
{
	static const char *cases[] = {"{\"trips\":[],\"x\":1-2}", "{\"trips\":[],\"x\":01}",
	                              "{\"trips\":[],\"x\":1.}", "{\"trips\":[],\"x\":1e}",
	                              "{\"trips\":[],\"x\":-}"};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		sl_error e;
		int rc;
		json_t *j = calc_text(NULL, cases[i], &rc, &e);
		cr_expect_eq(rc, SL_EINVAL, "case %zu accepted", i);
		cr_expect_eq(e.line, 1);
		cr_expect_eq(e.column, 17, "case %zu: column %ld", i, e.column);
		json_decref(j);
	}
}

Test(quality, vendor_example_is_not_for_reporting)
{
	char path[512];
	sl_error e;
	int rc;
	char *text;
	json_t *j;
	fixture(path, sizeof path, "e3.json");
	text = slurp(path, NULL);
	j = calc_text(NULL, text, &rc, &e);
	cr_assert_eq(rc, 0, "%s", e.message);
	cr_assert_str_eq(json_string_value(path_get(j, "trips.0.factor.status")), "vendor_example");
	cr_assert(json_is_false(path_get(j, "trips.0.factor.for_reporting")));
	json_decref(j);
	free(text);
}
