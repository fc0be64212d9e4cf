/* cmd_solve.c — `samlast solve` (not built yet). */
#include "commands.h"

#include <stdio.h>

int cmd_solve(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "samlast: 'solve' is not available in this build yet\n");
	return EX_USAGE_;
}
