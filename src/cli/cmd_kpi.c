/* cmd_kpi.c — `samlast kpi` (not built yet). */
#include "commands.h"

#include <stdio.h>

int cmd_kpi(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "samlast: 'kpi' is not available in this build yet\n");
	return EX_USAGE_;
}
