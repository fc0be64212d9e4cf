/* cmd_emissions.c — `samlast emissions calc FILE.json` (one transport chain,
 * ISO 14083), `samlast emissions recompute --db FILE` (every trip, delivery
 * and hub period in a database) and `samlast emissions hub` (record a hub's
 * measured energy for a period).  Thin: the emissions module does the work. */
#include "commands.h"

#include "samlast/emissions.h"
#include "samlast/store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: samlast emissions calc FILE.json [--factors NAME]\n"
	    "       samlast emissions recompute --db FILE [--factors NAME] [--stale]\n"
	    "       samlast emissions hub --db FILE --site ID --from DATE --to DATE\n"
	    "                             --carrier C --energy AMOUNT --unit U --handled-t T\n\n"
	    "ISO 14083 / GLEC emissions (see docs/emissions.md).\n\n"
	    "  calc FILE.json   compute a self-contained transport chain (trips, shipments,\n"
	    "                   hubs; '-' reads stdin) and print the results as JSON\n"
	    "  recompute        compute every trip and delivery of the database\n"
	    "  --stale          only what changed since it was last computed (as after an import)\n"
	    "  hub              record (or replace) a hub's measured energy use and tonnes\n"
	    "                   handled for a period (site ID of the hub, dates inclusive,\n"
	    "                   unit l|kg|kWh|MJ) and recompute the hub figures\n"
	    "  --factors NAME   factor set: data/emissions/NAME or a directory (default se-seed)\n"
	    "  --db FILE        the database (default $SAMLAST_DB)\n");
}

static int read_all(const char *path, sl_buf *b)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char tmp[65536];
	size_t n;
	if (!f)
		return -1;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		if (sl_buf_append(b, tmp, n) != 0)
			break;
	n = (size_t)ferror(f);
	if (f != stdin)
		fclose(f);
	return n ? -1 : 0;
}

/* Recompute the hub figures and print one line (nothing without periods). */
static int print_hubs(sl_store *st, const sl_emissions_set *set, sl_error *err)
{
	sl_em_hub_stats hs;
	int rc = sl_emissions_recompute_hubs(st, set, &hs, err);
	if (rc) {
		cli_print_error(err);
		return rc;
	}
	if (hs.periods_done || hs.periods_failed)
		printf("hubs: %lld periods computed (primary: measured energy), %lld without a "
		       "figure, "
		       "%lld deliveries charged per tonne handled\n",
		       (long long)hs.periods_done, (long long)hs.periods_failed,
		       (long long)hs.deliveries_charged);
	if (hs.first_problem[0])
		printf("first hub problem: %s\n", hs.first_problem);
	return 0;
}

static int cmd_hub(const char *db, const char *factors, const char *site, const char *from,
                   const char *to, const char *carrier, const char *energy, const char *unit,
                   const char *handled, int extra)
{
	sl_emissions_set *set = NULL;
	sl_store *st = NULL;
	sl_stmt *s = NULL;
	sl_error err;
	int64_t site_id = -1, d0, d1;
	double amount, tonnes;
	int rc;
	db = cli_db_path(db);
	if (!db || !site || !from || !to || !carrier || !energy || !unit || !handled || extra) {
		usage(stderr);
		return EX_USAGE_;
	}
	sl_error_clear(&err);
	if ((rc = sl_date_parse(from, &d0, &err)) != 0 ||
	    (rc = sl_date_parse(to, &d1, &err)) != 0 ||
	    (rc = sl_parse_double(energy, 0, &amount, &err)) != 0 ||
	    (rc = sl_parse_double(handled, 0, &tonnes, &err)) != 0) {
		fprintf(stderr, "samlast emissions hub: error: %s\n", err.message);
		return EX_INVALID;
	}
	if (d1 < d0 || !(amount >= 0) || !(tonnes > 0) ||
	    (strcmp(unit, "l") && strcmp(unit, "kg") && strcmp(unit, "kWh") &&
	     strcmp(unit, "MJ"))) {
		fprintf(stderr, "samlast emissions hub: error: need --to >= --from, --energy >= 0, "
		                "--handled-t > 0 and --unit l, kg, kWh or MJ\n");
		return EX_INVALID;
	}
	if ((rc = sl_emissions_set_load(factors, &set, &err)) != 0 ||
	    (rc = sl_store_open(db, &st, &err)) != 0 || (rc = sl_store_migrate(st, &err)) != 0 ||
	    (rc = sl_store_begin(st, &err)) != 0) {
		cli_print_error(&err);
		sl_store_close(st);
		sl_emissions_set_free(set);
		return cli_exit_code(rc);
	}
	if ((rc = sl_store_prepare(st, "SELECT id FROM sites WHERE ext_id = ?1", &s, &err)) == 0) {
		sl_stmt_bind_text(s, 1, site);
		if ((rc = sl_stmt_step(s, &err)) == 1)
			site_id = sl_stmt_int64(s, 0);
		sl_stmt_free(s);
		s = NULL;
		if (rc == 0)
			rc = sl_error_set(&err, SL_EINVAL, "no site '%s'", site);
		else if (rc == 1)
			rc = 0;
	}
	if (!rc &&
	    (rc = sl_store_prepare(
	         st,
	         "INSERT INTO hub_periods(site_id, from_day, to_day, energy_carrier,"
	         " energy_amount, energy_unit, handled_t, updated_at)"
	         " VALUES (?1,?2,?3,?4,?5,?6,?7,strftime('%s','now'))"
	         " ON CONFLICT(site_id, from_day) DO UPDATE SET to_day = excluded.to_day,"
	         " energy_carrier = excluded.energy_carrier,"
	         " energy_amount = excluded.energy_amount, energy_unit = excluded.energy_unit,"
	         " handled_t = excluded.handled_t, updated_at = excluded.updated_at",
	         &s, &err)) == 0) {
		sl_stmt_bind_int64(s, 1, site_id);
		sl_stmt_bind_int64(s, 2, d0);
		sl_stmt_bind_int64(s, 3, d1);
		sl_stmt_bind_text(s, 4, carrier);
		sl_stmt_bind_double(s, 5, amount);
		sl_stmt_bind_text(s, 6, unit);
		sl_stmt_bind_double(s, 7, tonnes);
		rc = sl_stmt_step(s, &err);
		rc = rc < 0 ? rc : 0;
		sl_stmt_free(s);
	}
	if (!rc)
		rc = print_hubs(st, set, &err);
	else
		cli_print_error(&err);
	if (!rc)
		rc = sl_store_commit(st, &err);
	else
		sl_store_rollback(st);
	sl_store_close(st);
	sl_emissions_set_free(set);
	return cli_exit_code(rc);
}

int cmd_emissions(int argc, char **argv)
{
	static const struct option opts[] = {{"factors", required_argument, 0, 'f'},
	                                     {"db", required_argument, 0, 'd'},
	                                     {"help", no_argument, 0, 'h'},
	                                     {"stale", no_argument, 0, 's'},
	                                     {"site", required_argument, 0, 'S'},
	                                     {"from", required_argument, 0, 'F'},
	                                     {"to", required_argument, 0, 'T'},
	                                     {"carrier", required_argument, 0, 'c'},
	                                     {"energy", required_argument, 0, 'e'},
	                                     {"unit", required_argument, 0, 'u'},
	                                     {"handled-t", required_argument, 0, 't'},
	                                     {0, 0, 0, 0}};
	const char *factors = NULL, *db = NULL, *sub;
	const char *site = NULL, *from = NULL, *to = NULL, *carrier = NULL, *energy = NULL,
	           *unit = NULL, *handled = NULL;
	int c, stale = 0;
	if (argc < 2 || cli_is_help(argv[1])) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EX_USAGE_ : EX_OK_;
	}
	sub = argv[1];
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "f:d:hs", opts, NULL)) != -1) {
		switch (c) {
		case 's': stale = 1; break;
		case 'S': site = optarg; break;
		case 'F': from = optarg; break;
		case 'T': to = optarg; break;
		case 'c': carrier = optarg; break;
		case 'e': energy = optarg; break;
		case 'u': unit = optarg; break;
		case 't': handled = optarg; break;
		case 'f': factors = optarg; break;
		case 'd': db = optarg; break;
		case 'h': usage(stdout); return EX_OK_;
		default: usage(stderr); return EX_USAGE_;
		}
	}
	if (!strcmp(sub, "calc")) {
		sl_emissions_set *set = NULL;
		sl_error err;
		sl_buf in = {0}, out = {0};
		int rc;
		const char *file;
		if (argc - 1 - optind != 1) {
			usage(stderr);
			return EX_USAGE_;
		}
		file = argv[1 + optind];
		sl_error_clear(&err);
		if ((rc = sl_emissions_set_load(factors, &set, &err)) != 0) {
			cli_print_error(&err);
			return cli_exit_code(rc);
		}
		if (read_all(file, &in) != 0) {
			fprintf(stderr, "samlast: %s: error: cannot read the file\n", file);
			sl_emissions_set_free(set);
			sl_buf_free(&in);
			return EX_IOSTORE;
		}
		rc = sl_emissions_calc_json(set, in.data ? in.data : "", in.len,
		                            strcmp(file, "-") ? file : "<stdin>", &out, &err);
		if (rc)
			cli_print_error(&err);
		else
			fwrite(out.data, 1, out.len, stdout);
		sl_emissions_set_free(set);
		sl_buf_free(&in);
		sl_buf_free(&out);
		return cli_exit_code(rc);
	}
	if (!strcmp(sub, "recompute")) {
		sl_emissions_set *set = NULL;
		sl_store *st = NULL;
		sl_em_recompute_stats rs;
		sl_error err;
		int rc;
		db = cli_db_path(db);
		if (!db || argc - 1 != optind) {
			usage(stderr);
			return EX_USAGE_;
		}
		sl_error_clear(&err);
		if ((rc = sl_emissions_set_load(factors, &set, &err)) != 0 ||
		    (rc = sl_store_open(db, &st, &err)) != 0 ||
		    (rc = sl_store_migrate(st, &err)) != 0 ||
		    (rc = (stale ? sl_emissions_recompute_stale
		                 : sl_emissions_recompute)(st, set, &rs, &err)) != 0) {
			cli_print_error(&err);
			sl_store_close(st);
			sl_emissions_set_free(set);
			return cli_exit_code(rc);
		}
		printf("factor set %s %s\n", sl_emissions_set_name(set),
		       sl_emissions_set_version(set));
		printf("trips: %lld computed (primary %lld, modelled %lld, default %lld), %lld "
		       "without "
		       "a figure\n",
		       (long long)rs.trips_done, (long long)rs.by_quality[0],
		       (long long)rs.by_quality[1], (long long)rs.by_quality[2],
		       (long long)rs.trips_failed);
		printf("deliveries: %lld allocated from trips, %lld by default intensity without a "
		       "trip, %lld without a figure\n",
		       (long long)rs.deliveries_on_trips, (long long)rs.deliveries_default,
		       (long long)rs.deliveries_unresolved);
		printf("deliveries by quality: primary %lld, modelled %lld, default %lld\n",
		       (long long)rs.deliveries_by_quality[SL_EM_PRIMARY],
		       (long long)rs.deliveries_by_quality[SL_EM_MODELLED],
		       (long long)rs.deliveries_by_quality[SL_EM_DEFAULT]);
		printf(
		    "deliveries by path: measured fuel %lld, distance x modelled consumption %lld, "
		    "tkm x default intensity %lld; %lld of them through a mapped vehicle class "
		    "(assumption, reported as default), %lld without a vehicle (class "
		    "\"unknown\")\n",
		    (long long)rs.deliveries_by_method[SL_EM_BY_FUEL],
		    (long long)rs.deliveries_by_method[SL_EM_BY_CONSUMPTION],
		    (long long)rs.deliveries_by_method[SL_EM_BY_INTENSITY],
		    (long long)rs.deliveries_assumption, (long long)rs.deliveries_unknown_class);
		printf("distances: no road graph used; shortest feasible distance = great-circle "
		       "x %.1f detour factor\n",
		       SL_EM_DETOUR_FACTOR);
		if (rs.trips_vendor_example)
			printf(
			    "warning: %lld trips used a vendor-example default intensity (fine for "
			    "tests, not for reporting; fill the factor set's defaults)\n",
			    (long long)rs.trips_vendor_example);
		if (rs.trips_fuel_unusable)
			printf("warning: %lld trips had measured fuel the factor set cannot use; they "
			       "got the modelled or default figure instead (first: %s)\n",
			       (long long)rs.trips_fuel_unusable, rs.first_fuel_problem);
		if (rs.first_problem[0])
			printf("first problem: %s\n", rs.first_problem);
		rc = print_hubs(st, set, &err);
		sl_store_close(st);
		sl_emissions_set_free(set);
		return cli_exit_code(rc);
	}
	if (!strcmp(sub, "hub"))
		return cmd_hub(db, factors, site, from, to, carrier, energy, unit, handled,
		               argc - 1 != optind);
	usage(stderr);
	return EX_USAGE_;
}
