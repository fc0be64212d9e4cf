/* cmd_check.c — `samlast check INSTANCE SOLUTION`: verify a VRP solution
 * (our JSON output or a CVRPLIB `.sol` file) with the vrp module's
 * independent checker and print the recomputed totals.  Exit 0 when
 * feasible, 1 when a constraint is violated or a file is malformed. */
#include "commands.h"
#include "samlast/vrp.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out, "usage: samlast check INSTANCE SOLUTION [--format solomon|vrplib|vroom]\n"
	             "                     [--objective cost|distance|vehicles-then-distance|co2e]\n\n"
	             "Check every constraint of SOLUTION (JSON or .sol) and recompute its cost.\n");
}

int cmd_check(int argc, char **argv)
{
	static const struct option lo[] = {{"format", required_argument, 0, 'f'},
		{"objective", required_argument, 0, 'O'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	int fmt = SL_VRP_FMT_AUTO, obj = -1, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'f':
			fmt = sl_vrp_format_parse(optarg);
			if (fmt < 0) {
				usage(stderr);
				return EX_USAGE_;
			}
			break;
		case 'O':
			obj = sl_vrp_objective_parse(optarg);
			if (obj < 0) {
				usage(stderr);
				return EX_USAGE_;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE_;
		}
	}
	if (optind != argc - 2) {
		usage(stderr);
		return EX_USAGE_;
	}
	sl_error err = {0};
	sl_vrp_problem *p = NULL;
	int rc = sl_vrp_read(argv[optind], fmt, &p, &err);
	if (rc) {
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	sl_vrp_check_result r;
	rc = sl_vrp_check_file(p, argv[optind + 1], obj, &r, &err);
	sl_vrp_problem_free(p);
	if (rc) {
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	printf("%s vehicles=%d unassigned=%d distance=%.2f travel=%.2f cost=%.2f violations=%d\n",
			r.feasible ? "FEASIBLE" : "INFEASIBLE", r.vehicles_used, r.n_unassigned, r.distance, r.travel_s,
			r.cost, r.n_violations);
	if (r.co2e_g >= 0 && r.vehicles_used)
		printf("co2e_g=%.2f\n", r.co2e_g);
	if (!r.feasible)
		fprintf(stderr, "samlast: %s: error: %s\n", argv[optind + 1], r.first_violation);
	return r.feasible ? 0 : EX_INVALID;
}
