/* cmd_serve.c — `samlast serve` (not built yet). */
#include "commands.h"

#include <stdio.h>

int cmd_serve(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "samlast: 'serve' is not available in this build yet\n");
	return EX_USAGE_;
}
