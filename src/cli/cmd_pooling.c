/* cmd_pooling.c — `samlast pooling`: the pooling opportunities of a day or
 * a few days with their routed savings (site visits, vehicle-km, CO2e), as
 * a table or JSON, seen as the city or as one organisation (--as ORG).
 * All computing and the role rules are in src/pooling/opportunities.c. */
#include "commands.h"

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
	        "usage: samlast pooling --db FILE [--graph FILE] --date DATE [--days N]\n"
	        "                       [--format table|json] [--as ORG] [--radius M]\n"
	        "                       [--slack MIN] [--iterations N] [--seed N]\n\n"
	        "Find deliveries that several suppliers could pool (same unit, or units within\n"
	        "a radius, in overlapping time windows) and compute with the route matrix and\n"
	        "the VRP solver what shared tours would save (docs/pooling.md).\n\n"
	        "  --db FILE        the database (default $SAMLAST_DB)\n"
	        "  --graph FILE     road graph for distances (default: great circle x 1.3)\n"
	        "  --date DATE      first day, YYYY-MM-DD\n"
	        "  --days N         number of days, 1..31 (default 1)\n"
	        "  --format F       table (default) or json\n"
	        "  --as ORG         see it as organisation ORG (ext id): a supplier sees the\n"
	        "                   opportunities it is part of, a unit those at its sites\n"
	        "                   (default: the city, everything)\n"
	        "  --radius M       neighbouring units within M metres (default 1000)\n"
	        "  --slack MIN      windows this close count as overlapping (default 60)\n"
	        "  --iterations N   VRP iterations per plan (default 500)\n"
	        "  --seed N         VRP seed (default 1)\n");
}

static int num(const char *opt, const char *s, int64_t lo, int64_t hi, int64_t *v)
{
	if (sl_parse_int64(s, v, NULL) < 0 || *v < lo || *v > hi) {
		fprintf(stderr, "samlast pooling: %s: a whole number %lld..%lld\n", opt, (long long)lo,
		        (long long)hi);
		return -1;
	}
	return 0;
}

/* Resolve --as ORG into a viewer. */
static int viewer_of(sl_store *st, const char *ext, sl_pooling_viewer *v, sl_error *err)
{
	sl_stmt *s = NULL;
	int rc = sl_store_prepare(st, "SELECT id, kind FROM organisations WHERE ext_id = ?1", &s, err);
	if (rc < 0)
		return rc;
	sl_stmt_bind_text(s, 1, ext);
	rc = sl_stmt_step(s, err);
	if (rc == 1) {
		const char *kind = sl_stmt_text(s, 1);
		v->org_id = sl_stmt_int64(s, 0);
		v->kind = !strcmp(kind, "city")       ? SL_VIEWER_CITY
		          : !strcmp(kind, "supplier") ? SL_VIEWER_SUPPLIER
		          : !strcmp(kind, "carrier")  ? SL_VIEWER_CARRIER
		          : !strcmp(kind, "unit")     ? SL_VIEWER_UNIT
		                                      : SL_VIEWER_PUBLIC;
		if (v->kind == SL_VIEWER_CITY)
			v->org_id = 0;
		rc = 0;
	} else if (rc == 0) {
		rc = sl_error_set(err, SL_EINVAL, "--as: no organisation '%s'", ext);
	}
	sl_stmt_free(s);
	return rc;
}

int cmd_pooling(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, 'd'},     {"graph", required_argument, NULL, 'g'},
	    {"date", required_argument, NULL, 'D'},   {"days", required_argument, NULL, 'n'},
	    {"format", required_argument, NULL, 'F'}, {"as", required_argument, NULL, 'a'},
	    {"radius", required_argument, NULL, 'r'}, {"slack", required_argument, NULL, 'w'},
	    {"iterations", required_argument, NULL, 'i'}, {"seed", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
	const char *db = NULL, *graph_path = NULL, *as = NULL;
	int json = 0, c;
	sl_opp_query q;
	sl_opp_query_init(&q);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int64_t v;
		sl_error e;
		switch (c) {
		case 'd': db = optarg; break;
		case 'g': graph_path = optarg; break;
		case 'a': as = optarg; break;
		case 'D':
			if (sl_date_parse(optarg, &q.day, &e) != 0) {
				fprintf(stderr, "samlast pooling: --date: %s\n", e.message);
				return EX_USAGE_;
			}
			break;
		case 'n':
			if (num("--days", optarg, 1, 31, &v) < 0)
				return EX_USAGE_;
			q.days = (int)v;
			break;
		case 'r':
			if (num("--radius", optarg, 0, 50000, &v) < 0)
				return EX_USAGE_;
			q.radius_m = (double)v;
			break;
		case 'w':
			if (num("--slack", optarg, 0, 1440, &v) < 0)
				return EX_USAGE_;
			q.window_slack_min = (int)v;
			break;
		case 'i':
			if (num("--iterations", optarg, 1, 1000000, &v) < 0)
				return EX_USAGE_;
			q.iterations = (long)v;
			break;
		case 's':
			if (num("--seed", optarg, 0, INT64_MAX, &v) < 0)
				return EX_USAGE_;
			q.seed = (uint64_t)v;
			break;
		case 'F':
			if (!strcmp(optarg, "json"))
				json = 1;
			else if (strcmp(optarg, "table")) {
				fprintf(stderr, "samlast pooling: --format: 'table' or 'json'\n");
				return EX_USAGE_;
			}
			break;
		case 'h': usage(stdout); return EX_OK_;
		default:
			fprintf(stderr, "samlast pooling: unknown or incomplete option '%s'\n",
			        argv[optind - 1]);
			usage(stderr);
			return EX_USAGE_;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "samlast pooling: unexpected argument '%s'\n", argv[optind]);
		return EX_USAGE_;
	}
	db = cli_db_path(db);
	if (!db || q.day == INT64_MIN) {
		fprintf(stderr, "samlast pooling: --db FILE and --date DATE are required\n");
		usage(stderr);
		return EX_USAGE_;
	}
	sl_error err;
	sl_error_clear(&err);
	sl_graph *graph = NULL;
	sl_store *st = NULL;
	sl_pooling_opportunities *res = NULL;
	int rc = 0;
	if (graph_path)
		rc = sl_route_graph_open(graph_path, &graph, &err);
	if (!rc)
		rc = sl_store_open_readonly(db, &st, &err);
	if (!rc && as)
		rc = viewer_of(st, as, &q.viewer, &err);
	if (!rc) {
		q.graph = graph;
		rc = sl_pooling_opportunities_compute(st, &q, &res, &err);
	}
	if (!rc) {
		sl_buf out = {0};
		rc = json ? sl_pooling_opportunities_json(res, &out)
		          : sl_pooling_opportunities_table(res, &out);
		if (rc < 0)
			sl_error_set(&err, rc, "out of memory");
		else
			fputs(out.data, stdout);
		sl_buf_free(&out);
	}
	if (rc < 0)
		cli_print_error(&err);
	sl_pooling_opportunities_free(res);
	sl_store_close(st);
	sl_route_graph_close(graph);
	return rc < 0 ? cli_exit_code(rc) : EX_OK_;
}
