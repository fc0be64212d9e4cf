/* cmd_graph.c — `samlast graph build|info`: import OSM into a contracted
 * routing graph file, or describe one.  A thin client of the route module;
 * it only draws the progress line (when stderr is a terminal). */
#include "commands.h"
#include "samlast/route.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: samlast graph build --profile van|truck|car|FILE.ini FILE.osm.pbf -o "
	    "FILE.graph\n"
	    "       samlast graph info FILE.graph\n\n"
	    "build  read OpenStreetMap (.osm.pbf or .osm), apply the vehicle profile, keep the\n"
	    "       largest strongly connected part, contract it and write the graph file\n"
	    "info   print a graph file's profile, size and bounding box as JSON\n");
}

static void progress(void *user, const char *stage, double fraction)
{
	(void)user;
	fprintf(stderr, "\rsamlast graph: %-8s %3.0f%%", stage, fraction * 100);
	fflush(stderr);
}

static int build(int argc, char **argv)
{
	const char *profile = NULL, *out = NULL;
	static const struct option opts[] = {
	    {"profile", required_argument, NULL, 'p'},
	    {"output", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': profile = optarg; break;
		case 'o': out = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE_;
		}
	}
	if (!profile || !out || optind != argc - 1) {
		usage(stderr);
		return EX_USAGE_;
	}
	sl_error err;
	sl_error_clear(&err);
	sl_route_profile *p;
	int rc = sl_route_profile_load(profile, &p, &err);
	if (rc) {
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	sl_route_build_stats st;
	int tty = isatty(2);
	rc = sl_route_graph_build(argv[optind], p, out, tty ? progress : NULL, NULL, &st, &err);
	if (tty)
		fprintf(stderr, "\r%40s\r", "");
	sl_route_profile_free(p);
	if (rc) {
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	fprintf(stderr,
	        "samlast graph: %s: %llu routable ways, %llu edges, %llu nodes (%llu dropped "
	        "outside the largest component), %llu turns, %llu shortcuts, %llu restrictions "
	        "(%llu skipped), %llu blocking barriers; read+graph %.2f s, contract %.2f s, "
	        "write %.2f s\n",
	        out, (unsigned long long)st.routable_ways, (unsigned long long)st.edges,
	        (unsigned long long)st.nodes, (unsigned long long)st.nodes_dropped,
	        (unsigned long long)st.arcs, (unsigned long long)st.shortcuts,
	        (unsigned long long)st.restrictions_used,
	        (unsigned long long)st.restrictions_skipped,
	        (unsigned long long)st.barriers_blocking, st.read_s, st.contract_s, st.write_s);
	return 0;
}

static int info(int argc, char **argv)
{
	if (argc != 2) {
		usage(stderr);
		return EX_USAGE_;
	}
	sl_error err;
	sl_error_clear(&err);
	sl_graph *g;
	int rc = sl_route_graph_open(argv[1], &g, &err);
	if (rc) {
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	sl_route_graph_info in;
	sl_route_graph_get_info(g, &in);
	printf("{\"profile\":\"%s\",\"format_version\":%u,\"nodes\":%llu,\"arcs\":%llu,"
	       "\"shortcuts\":%llu,\"edges\":%llu,\"points\":%llu,\"names\":%llu,"
	       "\"restriction_copies\":%llu,\"bytes\":%llu,\"bbox\":[%.7f,%.7f,%.7f,%.7f]}\n",
	       in.profile, in.version, (unsigned long long)in.nodes, (unsigned long long)in.arcs,
	       (unsigned long long)in.shortcuts, (unsigned long long)in.edges,
	       (unsigned long long)in.points, (unsigned long long)in.names,
	       (unsigned long long)in.restriction_copies, (unsigned long long)in.file_bytes,
	       in.min_lon, in.min_lat, in.max_lon, in.max_lat);
	sl_route_graph_close(g);
	return 0;
}

int cmd_graph(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EX_USAGE_;
	}
	if (cli_is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "build") == 0)
		return build(argc - 1, argv + 1);
	if (strcmp(argv[1], "info") == 0)
		return info(argc - 1, argv + 1);
	fprintf(stderr, "samlast graph: unknown subcommand '%s'\n", argv[1]);
	usage(stderr);
	return EX_USAGE_;
}
