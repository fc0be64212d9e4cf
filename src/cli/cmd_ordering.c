/* cmd_ordering.c — `samlast ordering`: the smarter-ordering proposal
 * (delivery-day patterns and order rules per unit and category, optimised
 * across units) as a table, JSON, and optionally an XLSX workbook for the
 * units.  All computing is in src/pooling/ordering.c. */
#include "commands.h"

#include "samlast/emissions.h"
#include "samlast/pooling.h"
#include "samlast/route.h"
#include "samlast/store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: samlast ordering --db FILE [--graph FILE] [--from DATE --to DATE]\n"
	        "                        [--config FILE] [--format table|json] [--xlsx FILE]\n"
	        "                        [--unit-by-unit] [--seed N] [--rounds N]\n\n"
	        "Propose delivery-day patterns and order rules per receiving unit and supplier\n"
	        "category that cut deliveries within each category's freshness and storage\n"
	        "limits, optimised across units (docs/ordering.md).\n\n"
	        "  --db FILE          the database (default $SAMLAST_DB)\n"
	        "  --graph FILE       road graph for distances (default: great circle x 1.3)\n"
	        "  --from/--to DATE   period, YYYY-MM-DD, inclusive (default: the last 12 whole\n"
	        "                     weeks with deliveries)\n"
	        "  --config FILE      category limits (default: data/ordering/categories.ini)\n"
	        "  --format F         table (default) or json\n"
	        "  --xlsx FILE        also write the proposal as an Excel workbook (Swedish)\n"
	        "  --unit-by-unit     choose each unit's days alone (for comparison)\n"
	        "  --seed N           local-search seed (default 1)\n"
	        "  --rounds N         local-search rounds (default 20)\n");
}

static int parse_day(const char *opt, const char *s, int64_t *day)
{
	sl_error e;
	if (sl_date_parse(s, day, &e) != 0) {
		fprintf(stderr, "samlast ordering: %s: %s\n", opt, e.message);
		return -1;
	}
	return 0;
}

int cmd_ordering(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, 'd'},     {"graph", required_argument, NULL, 'g'},
	    {"from", required_argument, NULL, 'f'},   {"to", required_argument, NULL, 't'},
	    {"config", required_argument, NULL, 'c'}, {"format", required_argument, NULL, 'F'},
	    {"xlsx", required_argument, NULL, 'x'},   {"unit-by-unit", no_argument, NULL, 'u'},
	    {"seed", required_argument, NULL, 's'},   {"rounds", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
	const char *db = NULL, *graph_path = NULL, *config_path = NULL, *xlsx = NULL;
	int json = 0, c;
	sl_ordering_query q;
	sl_ordering_query_init(&q);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int64_t v;
		switch (c) {
		case 'd': db = optarg; break;
		case 'g': graph_path = optarg; break;
		case 'c': config_path = optarg; break;
		case 'x': xlsx = optarg; break;
		case 'u': q.joint = 0; break;
		case 'f':
			if (parse_day("--from", optarg, &q.from_day) < 0)
				return EX_USAGE_;
			break;
		case 't':
			if (parse_day("--to", optarg, &q.to_day) < 0)
				return EX_USAGE_;
			break;
		case 'F':
			if (!strcmp(optarg, "json"))
				json = 1;
			else if (strcmp(optarg, "table")) {
				fprintf(stderr, "samlast ordering: --format: 'table' or 'json'\n");
				return EX_USAGE_;
			}
			break;
		case 's':
			if (sl_parse_int64(optarg, &v, NULL) < 0 || v < 0) {
				fprintf(stderr, "samlast ordering: --seed: a whole number >= 0\n");
				return EX_USAGE_;
			}
			q.seed = (uint64_t)v;
			break;
		case 'r':
			if (sl_parse_int64(optarg, &v, NULL) < 0 || v < 1 || v > 10000) {
				fprintf(stderr, "samlast ordering: --rounds: 1..10000\n");
				return EX_USAGE_;
			}
			q.max_rounds = (int)v;
			break;
		case 'h': usage(stdout); return EX_OK_;
		default:
			fprintf(stderr, "samlast ordering: unknown or incomplete option '%s'\n",
			        argv[optind - 1]);
			usage(stderr);
			return EX_USAGE_;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "samlast ordering: unexpected argument '%s'\n", argv[optind]);
		return EX_USAGE_;
	}
	if ((q.from_day == SL_ORDERING_NO_DAY) != (q.to_day == SL_ORDERING_NO_DAY)) {
		fprintf(stderr, "samlast ordering: give both --from and --to, or neither\n");
		return EX_USAGE_;
	}
	db = cli_db_path(db);
	if (!db) {
		fprintf(stderr, "samlast ordering: --db FILE is required\n");
		usage(stderr);
		return EX_USAGE_;
	}
	sl_error err;
	sl_error_clear(&err);
	sl_ordering_config *cfg = NULL;
	sl_graph *graph = NULL;
	sl_store *st = NULL;
	sl_ordering_result *res = NULL;
	int rc = sl_ordering_config_load(config_path, &cfg, &err);
	if (!rc && graph_path)
		rc = sl_route_graph_open(graph_path, &graph, &err);
	if (!rc)
		rc = sl_store_open_readonly(db, &st, &err);
	if (!rc) {
		q.config = cfg;
		q.graph = graph;
		rc = sl_ordering_compute(st, &q, &res, &err);
	}
	if (!rc) {
		sl_buf out = {0};
		rc = json ? sl_ordering_write_json(res, &out) : sl_ordering_write_table(res, &out);
		if (rc < 0)
			sl_error_set(&err, rc, "out of memory");
		else
			fputs(out.data, stdout);
		sl_buf_free(&out);
	}
	if (!rc && xlsx) {
		rc = sl_ordering_write_xlsx(res, xlsx, &err);
		if (!rc && !json)
			printf("\nWorkbook written: %s\n", xlsx);
	}
	if (rc < 0)
		cli_print_error(&err);
	sl_ordering_result_free(res);
	sl_store_close(st);
	sl_route_graph_close(graph);
	sl_ordering_config_free(cfg);
	return rc < 0 ? cli_exit_code(rc) : EX_OK_;
}
