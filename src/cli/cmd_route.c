/* cmd_route.c — `samlast route` (not built yet). */
#include "commands.h"

#include <stdio.h>

int cmd_route(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "samlast: 'route' is not available in this build yet\n");
	return EX_USAGE_;
}
