/* main.c — the `samlast` program: dispatch to a subcommand.
 *
 * Each subcommand lives in its own cmd_<name>.c; this file only knows their
 * names and one-line summaries for `samlast --help`. */
#include "commands.h"

#include <stdio.h>
#include <string.h>

struct command {
	const char *name;
	cli_command_fn fn;
	const char *summary;
};

static const struct command commands[] = {
	{"init", cmd_init, "create or upgrade a samlast database"},
	{"import", cmd_import, "import sites, organisations, contracts, vehicles, orders, deliveries, trips"},
	{"kpi", cmd_kpi, "compute the city's delivery KPIs"},
	{"demo-data", cmd_demo_data, "generate the Helsingborg demo city as CSV files"},
	{"token", cmd_token, "create, list and revoke API tokens"},
	{"serve", cmd_serve, "run the HTTP server (JSON API, OSRM-compatible API, dashboard)"},
	{"emissions", cmd_emissions, "ISO 14083 emissions: calc FILE.json, recompute"},
	{"graph", cmd_graph, "build a routing graph from OpenStreetMap PBF"},
	{"route", cmd_route, "route between coordinates on a graph"},
	{"matrix", cmd_matrix, "many-to-many duration and distance matrix"},
	{"solve", cmd_solve, "solve a vehicle-routing problem (Solomon, VRPLIB, VROOM JSON)"},
	{"check", cmd_check, "independently check a VRP solution against its instance"},
	{"ordering", cmd_ordering, "propose delivery-day patterns and order rules per unit (joint)"},
	{"pooling", cmd_pooling, "pooling opportunities with routed savings (visits, km, CO2e)"},
	{"followup", cmd_followup, "follow the pilot targets week by week per unit against the baseline"},
	{"baseline", cmd_baseline, "set or show the follow-up's baseline periods (per unit, city default)"},
	{"announce", cmd_announce, "announce planned deliveries; confirm them against the actual delivery"},
	{"board", cmd_board, "the groupage board of a day: deliveries per site, pooling candidates"},
	{"share", cmd_share, "opt-in sharing on the board: grant, revoke, list"},
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: samlast COMMAND [OPTIONS]\n"
		"       samlast --version | --help\n\n"
		"samlast makes a city's goods deliveries and their climate impact transparent.\n\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-10s  %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nRun 'samlast COMMAND --help' for a command's options.\n"
		     "SAMLAST_DB sets the default for --db.  See samlast(1).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EX_USAGE_;
	}
	if (cli_is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("samlast %s\n", SL_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "samlast: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EX_USAGE_;
}
