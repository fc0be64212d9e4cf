/* cmd_emissions.c — `samlast emissions calc FILE.json` (one transport chain,
 * ISO 14083) and `samlast emissions recompute --db FILE` (every trip and
 * delivery in a database).  Thin: the emissions module does the work. */
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
	    "       samlast emissions recompute --db FILE [--factors NAME] [--stale]\n\n"
	    "ISO 14083 / GLEC emissions (see docs/emissions.md).\n\n"
	    "  calc FILE.json   compute a self-contained transport chain (trips, shipments,\n"
	    "                   hubs; '-' reads stdin) and print the results as JSON\n"
	    "  recompute        compute every trip and delivery of the database\n"
	    "  --stale          only what changed since it was last computed (as after an import)\n"
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

int cmd_emissions(int argc, char **argv)
{
	static const struct option opts[] = {{"factors", required_argument, 0, 'f'},
	                                     {"db", required_argument, 0, 'd'},
	                                     {"help", no_argument, 0, 'h'},
	                                     {"stale", no_argument, 0, 's'},
	                                     {0, 0, 0, 0}};
	const char *factors = NULL, *db = NULL, *sub;
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
		    (rc = (stale ? sl_emissions_recompute_stale : sl_emissions_recompute)(st, set, &rs,
		                                                                         &err)) != 0) {
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
		printf("deliveries by path: measured fuel %lld, distance x modelled consumption %lld, "
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
		if (rs.first_problem[0])
			printf("first problem: %s\n", rs.first_problem);
		sl_store_close(st);
		sl_emissions_set_free(set);
		return EX_OK_;
	}
	usage(stderr);
	return EX_USAGE_;
}
