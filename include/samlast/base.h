/* base.h — the foundation every samlast module stands on.
 *
 * Errors with a source location, growable string buffers, arenas, a seeded
 * random generator, ISO 8601 dates and times with Europe/Stockholm calendar
 * logic, and the streaming CSV reader used by every importer.  Nothing here
 * keeps global state: every function gets what it needs from its arguments.
 */
#ifndef SAMLAST_BASE_H
#define SAMLAST_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SL_VERSION "0.1.0"

#if defined(__GNUC__) || defined(__clang__)
#define SL_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define SL_PRINTF(fmt, args)
#endif

/* ---- errors ------------------------------------------------------------ */

/* Error codes.  Every fallible function returns 0 or one of these (< 0). */
enum {
	SL_OK = 0,
	SL_EINVAL = -1,     /* invalid input (a bad file, a bad argument) */
	SL_ENOMEM = -2,     /* out of memory */
	SL_EIO = -3,        /* I/O failure (open, read, write, mmap) */
	SL_ESTORE = -4,     /* the database failed */
	SL_ENOTFOUND = -5,  /* a referenced thing does not exist */
	SL_EUSAGE = -6,     /* the caller used an API or command wrongly */
	SL_ECONFLICT = -7,  /* a uniqueness or concurrency conflict */
	SL_EUNSUPPORTED = -8, /* a format, version or feature we do not handle */
	SL_ECORRUPT = -9,   /* a file is damaged or foreign (bad magic/checksum) */
	SL_EPERM = -10,     /* refused by access control */
	SL_ELIMIT = -11,    /* a size or count limit was exceeded */
	SL_ENOROUTE = -12,  /* no path exists between the given points */
};

/* An error with an optional input location.  `line` and `column` are
 * 1-based; 0 means "not known".  Functions accept a NULL sl_error * when the
 * caller only wants the code. */
typedef struct sl_error {
	int code;
	long line;
	long column;
	char file[256];
	char message[768];
} sl_error;

/* A short, static English text for an error code ("invalid input"). */
const char *sl_strerror(int code);

/* Clear `err` (no-op on NULL). */
void sl_error_clear(sl_error *err);

/* Fill `err` (if not NULL) with `code` and a printf-style message, without a
 * location; returns `code` so callers can `return sl_error_set(...)`. */
int sl_error_set(sl_error *err, int code, const char *fmt, ...) SL_PRINTF(3, 4);

/* As sl_error_set, with an input location (`file` may be NULL). */
int sl_error_at(sl_error *err, int code, const char *file, long line,
		long column, const char *fmt, ...) SL_PRINTF(6, 7);

/* Write "FILE:LINE:COLUMN: error: MESSAGE" (parts that are unknown are left
 * out) into `out`, always NUL-terminated.  Returns `out`. */
char *sl_error_format(const sl_error *err, char *out, size_t out_size);

/* ---- string buffer ----------------------------------------------------- */

/* A growable, always NUL-terminated byte string.  Zero-initialise it
 * (`sl_buf b = {0};`) and release it with sl_buf_free.  Appends return 0 or
 * SL_ENOMEM; after SL_ENOMEM the buffer keeps its previous contents. */
typedef struct sl_buf {
	char *data;
	size_t len;
	size_t cap;
} sl_buf;

int sl_buf_reserve(sl_buf *b, size_t extra);
int sl_buf_append(sl_buf *b, const void *data, size_t len);
int sl_buf_puts(sl_buf *b, const char *s);
int sl_buf_putc(sl_buf *b, char c);
int sl_buf_printf(sl_buf *b, const char *fmt, ...) SL_PRINTF(2, 3);
int sl_buf_vprintf(sl_buf *b, const char *fmt, va_list ap);
/* Append `s` as a JSON string literal, quotes included. */
int sl_buf_json_string(sl_buf *b, const char *s);
void sl_buf_reset(sl_buf *b);
void sl_buf_free(sl_buf *b);
/* Hand over the string (never NULL on success: "" for an empty buffer); the
 * caller frees it with free(); the buffer is left empty. */
char *sl_buf_take(sl_buf *b);

/* ---- arena ------------------------------------------------------------- */

/* A bump allocator for per-request and per-import memory, freed in one
 * call.  Allocations are aligned for any type. */
typedef struct sl_arena sl_arena;

sl_arena *sl_arena_new(size_t block_size);
void *sl_arena_alloc(sl_arena *a, size_t size);        /* NULL on ENOMEM */
char *sl_arena_strdup(sl_arena *a, const char *s);
char *sl_arena_strndup(sl_arena *a, const char *s, size_t n);
void sl_arena_reset(sl_arena *a);                     /* keep first block */
size_t sl_arena_used(const sl_arena *a);
void sl_arena_free(sl_arena *a);

/* ---- random numbers ---------------------------------------------------- */

/* A small, fast, seeded generator (xoshiro256**).  Deterministic per seed on
 * every platform; not for secrets (use libsodium for those). */
typedef struct sl_rng {
	uint64_t s[4];
} sl_rng;

void sl_rng_seed(sl_rng *r, uint64_t seed);
uint64_t sl_rng_next(sl_rng *r);
/* Uniform integer in [0, n); n must be > 0. */
uint64_t sl_rng_below(sl_rng *r, uint64_t n);
/* Uniform double in [0, 1). */
double sl_rng_double(sl_rng *r);
/* Standard normal deviate (Box–Muller). */
double sl_rng_normal(sl_rng *r);

/* ---- dates and times --------------------------------------------------- */

/* Days since 1970-01-01 for a proleptic Gregorian civil date. */
int64_t sl_days_from_civil(int y, int m, int d);
/* The inverse of sl_days_from_civil. */
void sl_civil_from_days(int64_t days, int *y, int *m, int *d);
/* ISO weekday of a day number: 1 = Monday … 7 = Sunday. */
int sl_weekday(int64_t days);
/* ISO 8601 week: sets *iso_year and *week (1..53). */
void sl_iso_week(int64_t days, int *iso_year, int *week);

/* Parse "YYYY-MM-DD" (exactly) into a day number.  Returns 0 or SL_EINVAL
 * with a reason in `err` (no location: the caller adds it). */
int sl_date_parse(const char *s, int64_t *days, sl_error *err);
/* Format a day number as "YYYY-MM-DD" into out (>= 11 bytes). */
char *sl_date_format(int64_t days, char *out, size_t out_size);

/* Parse an ISO 8601 timestamp into UTC seconds.  Accepts
 * "YYYY-MM-DDTHH:MM[:SS[.fff]]" with "Z", "+HH:MM", "+HHMM" or "+HH", and
 * a space instead of "T".  Without an offset the time is taken as local
 * Europe/Stockholm time.  A bare date means local midnight. */
int sl_time_parse(const char *s, int64_t *utc_s, sl_error *err);
/* Format UTC seconds as local Europe/Stockholm time with its offset,
 * "YYYY-MM-DDTHH:MM:SS+01:00", into out (>= 26 bytes). */
char *sl_time_format_local(int64_t utc_s, char *out, size_t out_size);
/* Format UTC seconds as "YYYY-MM-DDTHH:MM:SSZ" into out (>= 21 bytes). */
char *sl_time_format_utc(int64_t utc_s, char *out, size_t out_size);
/* Europe/Stockholm's UTC offset in seconds at instant utc_s (3600 or 7200;
 * EU rule: summer time from 01:00 UTC on the last Sunday of March to 01:00
 * UTC on the last Sunday of October). */
int sl_stockholm_offset_s(int64_t utc_s);
/* The local (Europe/Stockholm) calendar day of an instant. */
int64_t sl_local_day(int64_t utc_s);
/* Seconds since local midnight of an instant. */
int sl_local_seconds_of_day(int64_t utc_s);
/* UTC instant of local time `sec_of_day` on local day `days`. */
int64_t sl_local_to_utc(int64_t days, int sec_of_day);

/* ---- numbers ----------------------------------------------------------- */

/* Parse a decimal number, accepting '.' or (when decimal_comma is set) ','
 * as the decimal separator; no thousands separators; rejects empty input,
 * trailing junk, NaN and infinities. */
int sl_parse_double(const char *s, int decimal_comma, double *out, sl_error *err);
/* Parse a signed 64-bit integer (decimal, optional sign) strictly. */
int sl_parse_int64(const char *s, int64_t *out, sl_error *err);
/* Parse an amount of money in SEK ("1234", "1234.5", "1234,50" with
 * decimal_comma) into öre, exactly (no floating point).  At most two
 * decimals. */
int sl_parse_money_ore(const char *s, int decimal_comma, int64_t *ore, sl_error *err);
/* Check that s[0..len) is valid UTF-8 (no overlongs, no surrogates).
 * Returns the byte offset of the first invalid byte, or -1 when valid. */
long sl_utf8_invalid_at(const char *s, size_t len);

/* ---- run-time data ---------------------------------------------------- */

/* Resolve `relative` (e.g. "emissions/factors.csv") against samlast's data
 * directory: $SAMLAST_DATA if set, else the source tree's data/ when it
 * exists (a build-tree run), else the installed share/samlast.  Writes the
 * path into out; returns 0, or SL_ENOTFOUND when no such file exists. */
int sl_data_path(const char *relative, char *out, size_t out_size);

/* ---- CSV reader -------------------------------------------------------- */
/* (section owned by the ledger work: streaming RFC 4180 reader with BOM,
 * CRLF, quotes and embedded newlines, ';' or ',' auto-detected.) */
#include "samlast/csv.h"

#ifdef __cplusplus
}
#endif
#endif
