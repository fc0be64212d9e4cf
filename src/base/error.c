/* error.c — error codes, their texts, and errors that carry a location.
 *
 * Library functions never print: they fill an sl_error, and the CLI or the
 * server decides how to show it.  Input errors carry FILE:LINE:COLUMN so a
 * user can jump straight to the offending cell. */
#include "samlast/base.h"

#include <stdio.h>
#include <string.h>

const char *sl_strerror(int code)
{
	switch (code) {
	case SL_OK: return "success";
	case SL_EINVAL: return "invalid input";
	case SL_ENOMEM: return "out of memory";
	case SL_EIO: return "input/output error";
	case SL_ESTORE: return "database error";
	case SL_ENOTFOUND: return "not found";
	case SL_EUSAGE: return "usage error";
	case SL_ECONFLICT: return "conflict";
	case SL_EUNSUPPORTED: return "not supported";
	case SL_ECORRUPT: return "corrupt or foreign file";
	case SL_EPERM: return "permission denied";
	case SL_ELIMIT: return "limit exceeded";
	case SL_ENOROUTE: return "no route";
	default: return "unknown error";
	}
}

void sl_error_clear(sl_error *err)
{
	if (err)
		memset(err, 0, sizeof *err);
}

static void fill(sl_error *err, int code, const char *file, long line,
		 long column, const char *fmt, va_list ap)
{
	err->code = code;
	err->line = line;
	err->column = column;
	if (file)
		snprintf(err->file, sizeof err->file, "%s", file);
	else
		err->file[0] = '\0';
	vsnprintf(err->message, sizeof err->message, fmt, ap);
}

int sl_error_set(sl_error *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		fill(err, code, NULL, 0, 0, fmt, ap);
		va_end(ap);
	}
	return code;
}

int sl_error_at(sl_error *err, int code, const char *file, long line,
		long column, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		fill(err, code, file, line, column, fmt, ap);
		va_end(ap);
	}
	return code;
}

char *sl_error_format(const sl_error *err, char *out, size_t out_size)
{
	char loc[320] = "";
	size_t n = 0;

	if (out_size == 0)
		return out;
	if (err->file[0])
		n += (size_t)snprintf(loc + n, sizeof loc - n, "%s:", err->file);
	if (err->line > 0 && n < sizeof loc)
		n += (size_t)snprintf(loc + n, sizeof loc - n, "%ld:", err->line);
	if (err->line > 0 && err->column > 0 && n < sizeof loc)
		n += (size_t)snprintf(loc + n, sizeof loc - n, "%ld:", err->column);
	snprintf(out, out_size, "%s%serror: %s", loc, n ? " " : "",
		 err->message[0] ? err->message : sl_strerror(err->code));
	return out;
}
