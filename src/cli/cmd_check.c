/* cmd_check.c — `samlast check` (not built yet). */
#include "commands.h"

#include <stdio.h>

int cmd_check(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "samlast: 'check' is not available in this build yet\n");
	return EX_USAGE_;
}
