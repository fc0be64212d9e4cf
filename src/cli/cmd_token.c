/* cmd_token.c — `samlast token` (not built yet). */
#include "commands.h"

#include <stdio.h>

int cmd_token(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "samlast: 'token' is not available in this build yet\n");
	return EX_USAGE_;
}
