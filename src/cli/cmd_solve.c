/* cmd_solve.c — `samlast solve FILE`: read a Solomon / Gehring–Homberger,
 * VRPLIB CVRP or VROOM JSON instance, optionally replace its matrices by a
 * road graph's (--graph), run the vrp module's SISR solver and print the
 * plan as VROOM-style JSON or CVRPLIB `.sol` text. */
#include "commands.h"
#include "samlast/route.h"
#include "samlast/vrp.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out, "usage: samlast solve FILE [--format solomon|vrplib|vroom] [--time-limit S]\n"
	             "                     [--iterations N] [--seed N] [--threads N]\n"
	             "                     [--objective cost|distance|vehicles-then-distance|co2e]\n"
	             "                     [--no-local-search] [--graph FILE.graph]\n"
	             "                     [--output FILE] [--output-format json|vrplib-sol]\n\n"
	             "Solve a vehicle-routing problem (format detected when not given).  Default\n"
	             "time limit 10 s; with --iterations only, the result is reproducible.\n"
	             "--no-local-search: ruin & recreate only (no relocate/swap/2-opt*/or-opt).\n"
	             "--graph: compute the distance and duration matrices of a VROOM problem from\n"
	             "its coordinates on a road graph (`samlast graph build`).\n");
}

int cmd_solve(int argc, char **argv)
{
	static const struct option lo[] = {
		{"format", required_argument, 0, 'f'}, {"time-limit", required_argument, 0, 't'},
		{"iterations", required_argument, 0, 'i'}, {"seed", required_argument, 0, 's'},
		{"threads", required_argument, 0, 'j'}, {"objective", required_argument, 0, 'O'},
		{"output", required_argument, 0, 'o'}, {"output-format", required_argument, 0, 'F'},
		{"no-local-search", no_argument, 0, 'L'}, {"graph", required_argument, 0, 'g'},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	sl_vrp_options o;
	sl_vrp_options_default(&o);
	int fmt = SL_VRP_FMT_AUTO, sol_out = 0, tl_given = 0;
	const char *outpath = NULL, *graph = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", lo, NULL)) != -1) {
		char *e = NULL;
		switch (c) {
		case 'f':
			fmt = sl_vrp_format_parse(optarg);
			if (fmt < 0) {
				usage(stderr);
				return EX_USAGE_;
			}
			break;
		case 't':
			o.time_limit_s = strtod(optarg, &e);
			tl_given = 1;
			if (*e || o.time_limit_s < 0) {
				usage(stderr);
				return EX_USAGE_;
			}
			break;
		case 'i':
			o.iterations = strtol(optarg, &e, 10);
			if (*e || o.iterations < 0) {
				usage(stderr);
				return EX_USAGE_;
			}
			break;
		case 's': o.seed = strtoull(optarg, &e, 10); if (*e) { usage(stderr); return EX_USAGE_; } break;
		case 'j':
			o.threads = (int)strtol(optarg, &e, 10);
			if (*e || o.threads < 1 || o.threads > 64) {
				usage(stderr);
				return EX_USAGE_;
			}
			break;
		case 'O':
			o.objective = sl_vrp_objective_parse(optarg);
			if (o.objective < 0) {
				usage(stderr);
				return EX_USAGE_;
			}
			break;
		case 'o': outpath = optarg; break;
		case 'L': o.local_search = 0; break;
		case 'g': graph = optarg; break;
		case 'F':
			if (!strcmp(optarg, "vrplib-sol"))
				sol_out = 1;
			else if (strcmp(optarg, "json")) {
				usage(stderr);
				return EX_USAGE_;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE_;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return EX_USAGE_;
	}
	if (o.iterations > 0 && !tl_given)
		o.time_limit_s = 0;
	sl_error err = {0};
	sl_vrp_problem *p = NULL;
	int rc = sl_vrp_read(argv[optind], fmt, &p, &err);
	if (rc) {
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	if (graph) { /* road-network matrices instead of the file's or great-circle ones */
		sl_graph *g = NULL;
		rc = sl_route_graph_open(graph, &g, &err);
		if (!rc)
			rc = sl_vrp_problem_road_matrix(p, g, &err);
		sl_route_graph_close(g);
		if (rc) {
			cli_print_error(&err);
			sl_vrp_problem_free(p);
			return cli_exit_code(rc);
		}
	}
	sl_vrp_solution *s = NULL;
	rc = sl_vrp_solve(p, &o, &s, &err);
	if (rc) {
		cli_print_error(&err);
		sl_vrp_problem_free(p);
		return cli_exit_code(rc);
	}
	sl_buf b = {0};
	rc = sol_out ? sl_vrp_write_sol(p, s, &b) : sl_vrp_write_json(p, s, o.objective >= 0 ? o.objective : p->objective, &b);
	if (!rc) {
		FILE *f = outpath ? fopen(outpath, "w") : stdout;
		if (!f || fwrite(b.data, 1, b.len, f) != b.len || (outpath && fclose(f))) {
			fprintf(stderr, "samlast: %s: cannot write\n", outpath ? outpath : "stdout");
			rc = SL_EIO;
		}
	}
	sl_buf_free(&b);
	sl_vrp_solution_free(s);
	sl_vrp_problem_free(p);
	return rc ? cli_exit_code(rc) : 0;
}
