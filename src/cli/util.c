/* util.c — small helpers shared by the subcommands. */
#include "commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_exit_code(int code)
{
	switch (code) {
	case SL_OK: return EX_OK_;
	case SL_EINVAL:
	case SL_ENOTFOUND:
	case SL_ECONFLICT:
	case SL_ENOROUTE:
	case SL_ECORRUPT:
	case SL_ELIMIT:
	case SL_EUNSUPPORTED: return EX_INVALID;
	case SL_EUSAGE: return EX_USAGE_;
	default: return EX_IOSTORE;
	}
}

void cli_print_error(const sl_error *err)
{
	char msg[1200];
	fprintf(stderr, "samlast: %s\n", sl_error_format(err, msg, sizeof msg));
}

const char *cli_db_path(const char *opt)
{
	if (opt && *opt)
		return opt;
	const char *env = getenv("SAMLAST_DB");
	return env && *env ? env : NULL;
}

int cli_is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}
