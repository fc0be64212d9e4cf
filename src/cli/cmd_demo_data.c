/* cmd_demo_data.c — `samlast demo-data` (not built yet). */
#include "commands.h"

#include <stdio.h>

int cmd_demo_data(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "samlast: 'demo-data' is not available in this build yet\n");
	return EX_USAGE_;
}
