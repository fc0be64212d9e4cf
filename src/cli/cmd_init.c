/* cmd_init.c — `samlast init` (not built yet). */
#include "commands.h"

#include <stdio.h>

int cmd_init(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "samlast: 'init' is not available in this build yet\n");
	return EX_USAGE_;
}
