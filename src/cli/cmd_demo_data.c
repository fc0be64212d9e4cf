/* cmd_demo_data.c — `samlast demo-data --seed N --out DIR`: write the
 * Helsingborg demo city as one import CSV per kind (see docs/demo.md).  The
 * generator itself is the library part in src/demo/. */
#include "commands.h"

#include "../demo/demo_city.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: samlast demo-data --out DIR [--seed N] [--year YYYY] [--units N] [--days N]\n"
	    "                         [--announce-days N]\n\n"
	    "Generate the Helsingborg demo city: organisations.csv, sites.csv, contracts.csv,\n"
	    "vehicles.csv, trips.csv, orders.csv and deliveries.csv in DIR, ready for\n"
	    "'samlast import', and announcements.csv (planned deliveries after the period,\n"
	    "for 'samlast announce').  The same seed always gives the same files.\n\n"
	    "  --out DIR     output directory (created if missing)\n"
	    "  --seed N      random seed (default 1)\n"
	    "  --year YYYY   calendar year of the orders and deliveries (default 2025)\n"
	    "  --units N     receiving units (default 300)\n"
	    "  --days N      only the first N days of the year (default: all)\n"
	    "  --announce-days N  working days after the period announced (default 10; 0: none)\n"
	    "  --quiet       no summary on stderr\n");
}

static int parse_int(const char *opt, const char *s, long long lo, long long hi, long long *out)
{
	int64_t v;
	if (sl_parse_int64(s, &v, NULL) != 0 || v < lo || v > hi) {
		fprintf(stderr,
		        "samlast demo-data: %s expects an integer in %lld..%lld, got '%s'\n", opt,
		        lo, hi, s);
		return -1;
	}
	*out = v;
	return 0;
}

int cmd_demo_data(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"out", required_argument, NULL, 'o'},  {"seed", required_argument, NULL, 's'},
	    {"year", required_argument, NULL, 'y'}, {"units", required_argument, NULL, 'u'},
	    {"days", required_argument, NULL, 'd'}, {"quiet", no_argument, NULL, 'q'},
	    {"announce-days", required_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
	};
	sl_demo_options o;
	sl_demo_options_init(&o);
	const char *out = NULL;
	int quiet = 0, c;
	long long v;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:s:y:u:d:a:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 's':
			if (parse_int("--seed", optarg, 0, INT64_MAX, &v))
				return EX_USAGE_;
			o.seed = (uint64_t)v;
			break;
		case 'y':
			if (parse_int("--year", optarg, 2000, 2100, &v))
				return EX_USAGE_;
			o.year = (int)v;
			break;
		case 'u':
			if (parse_int("--units", optarg, 10, 2000, &v))
				return EX_USAGE_;
			o.units = (int)v;
			break;
		case 'd':
			if (parse_int("--days", optarg, 1, 366, &v))
				return EX_USAGE_;
			o.days = (int)v;
			break;
		case 'a':
			if (parse_int("--announce-days", optarg, 0, 60, &v))
				return EX_USAGE_;
			o.announce_days = (int)v;
			break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE_;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "samlast demo-data: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return EX_USAGE_;
	}
	if (!out) {
		fprintf(stderr, "samlast demo-data: --out DIR is required\n");
		usage(stderr);
		return EX_USAGE_;
	}
	sl_error err;
	sl_error_clear(&err);
	sl_demo_stats st;
	int rc = sl_demo_write(out, &o, &st, &err);
	if (rc) {
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	if (!quiet)
		fprintf(stderr,
		        "samlast demo-data: wrote %s: %ld organisations, %ld sites, %ld contracts, "
		        "%ld vehicles, %ld trips, %ld orders (%ld lines), %ld deliveries, "
		        "%ld announcements\n",
		        out, st.organisations, st.sites, st.contracts, st.vehicles, st.trips,
		        st.orders, st.order_lines, st.deliveries, st.announcements);
	return 0;
}
