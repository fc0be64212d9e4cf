/* cmd_emissions.c — `samlast emissions` (not built yet). */
#include "commands.h"

#include <stdio.h>

int cmd_emissions(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "samlast: 'emissions' is not available in this build yet\n");
	return EX_USAGE_;
}
