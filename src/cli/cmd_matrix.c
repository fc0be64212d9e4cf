/* cmd_matrix.c — `samlast matrix` (not built yet). */
#include "commands.h"

#include <stdio.h>

int cmd_matrix(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "samlast: 'matrix' is not available in this build yet\n");
	return EX_USAGE_;
}
