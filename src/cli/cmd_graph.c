/* cmd_graph.c — `samlast graph` (not built yet). */
#include "commands.h"

#include <stdio.h>

int cmd_graph(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "samlast: 'graph' is not available in this build yet\n");
	return EX_USAGE_;
}
