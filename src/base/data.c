/* data.c — find run-time data files (factor sets, profiles, demo parameters).
 *
 * A program run from the build tree uses the source tree's data/, an
 * installed one uses PREFIX/share/samlast; $SAMLAST_DATA overrides both so
 * tests and deployments can point elsewhere. */
#include "samlast/base.h"
#include "sl_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int try_path(const char *dir, const char *rel, char *out, size_t n)
{
	if (!dir || !*dir)
		return 0;
	int len = snprintf(out, n, "%s/%s", dir, rel);
	return len > 0 && (size_t)len < n && access(out, R_OK) == 0;
}

int sl_data_path(const char *relative, char *out, size_t out_size)
{
	if (try_path(getenv("SAMLAST_DATA"), relative, out, out_size) ||
	    try_path(SL_DATADIR_SOURCE, relative, out, out_size) ||
	    try_path(SL_DATADIR_INSTALLED, relative, out, out_size))
		return 0;
	if (out_size)
		snprintf(out, out_size, "%s", relative);
	return SL_ENOTFOUND;
}
