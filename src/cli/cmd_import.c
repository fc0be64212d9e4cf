/* cmd_import.c — `samlast import` (not built yet). */
#include "commands.h"

#include <stdio.h>

int cmd_import(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "samlast: 'import' is not available in this build yet\n");
	return EX_USAGE_;
}
