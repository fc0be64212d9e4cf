/* csv.h — a streaming CSV reader (part of the base module).
 *
 * Reads RFC 4180 CSV from any byte source in constant memory: quoted fields
 * with doubled quotes and embedded newlines, CRLF or LF line ends, an
 * optional UTF-8 byte-order mark.  The separator (',' or ';') is detected
 * from the first line: Swedish Excel writes ';' and a decimal comma, so a
 * ';' file tells number parsers to accept the decimal comma.
 *
 * Every field carries the line and column (1-based; the column counts UTF-8
 * characters) where it starts, so importers can report FILE:LINE:COLUMN.
 * After an error the reader resynchronises at the next line so a caller can
 * go on and report every error of a file at once.
 */
#ifndef SAMLAST_CSV_H
#define SAMLAST_CSV_H

#include <stddef.h>
#include <stdio.h>

struct sl_error;

/* Largest field accepted (bytes); longer fields are an error. */
#define SL_CSV_MAX_FIELD 65536
/* Most fields accepted in one record. */
#define SL_CSV_MAX_FIELDS 1024

typedef struct sl_csv sl_csv;

/* Read up to `cap` bytes into buf; return the number read, 0 at end of input,
 * or (size_t)-1 on a read error. */
typedef size_t (*sl_csv_read_fn)(void *ctx, char *buf, size_t cap);

/* A reader over a callback.  `name` (copied) is used as FILE in errors.
 * Returns NULL when out of memory.  Free with sl_csv_free. */
sl_csv *sl_csv_new(sl_csv_read_fn read, void *ctx, const char *name);

/* A reader over an open FILE (borrowed; not closed by sl_csv_free). */
sl_csv *sl_csv_new_file(FILE *f, const char *name);

/* A reader over a memory buffer (borrowed; must outlive the reader). */
sl_csv *sl_csv_new_mem(const char *data, size_t len, const char *name);

void sl_csv_free(sl_csv *c);

/* Read the next record.  Returns 1 when a record is available, 0 at the end
 * of input, SL_EINVAL for a malformed record (err has FILE:LINE:COLUMN and a
 * reason; the next call continues at the following line), SL_EIO for a read
 * error, SL_ENOMEM.  Blank lines are skipped. */
int sl_csv_next(sl_csv *c, struct sl_error *err);

/* Fields of the current record (valid until the next sl_csv_next). */
size_t sl_csv_count(const sl_csv *c);
const char *sl_csv_field(const sl_csv *c, size_t i);
size_t sl_csv_field_len(const sl_csv *c, size_t i);
long sl_csv_field_line(const sl_csv *c, size_t i);
long sl_csv_field_column(const sl_csv *c, size_t i);
/* Line on which the current record starts. */
long sl_csv_record_line(const sl_csv *c);

/* The separator in use (',' or ';'); known after the first record. */
char sl_csv_separator(const sl_csv *c);
/* The name given at creation. */
const char *sl_csv_name(const sl_csv *c);

#endif
