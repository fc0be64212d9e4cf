/* csv.c — streaming RFC 4180 CSV reader.
 *
 * A byte-at-a-time state machine over a refillable 64 KiB window, so memory
 * does not grow with the file: only the current record is held.  The field
 * bytes of a record are appended to one buffer, separated by NULs, with an
 * offset, line and column per field.  Errors resynchronise at the next
 * unquoted line end, so one bad line does not hide the errors after it.
 */
#include "samlast/base.h"

#include <stdlib.h>
#include <string.h>

#define WINDOW (64 * 1024)

struct sl_csv {
	sl_csv_read_fn read;
	void *ctx;
	FILE *file;
	const char *mem;
	size_t mem_len, mem_pos;
	char name[256];

	char win[WINDOW];
	size_t win_len, win_pos;
	int eof;
	int io_error;
	int started; /* BOM and separator handled */
	char sep;

	long line, col; /* position of the next byte */

	sl_buf data;
	size_t *off;
	long *fline, *fcol;
	size_t nfields, cap_fields;
	long rec_line;
};

static size_t read_file(void *ctx, char *buf, size_t cap)
{
	FILE *f = ctx;
	size_t n = fread(buf, 1, cap, f);
	if (n == 0 && ferror(f))
		return (size_t)-1;
	return n;
}

static size_t read_mem(void *ctx, char *buf, size_t cap)
{
	sl_csv *c = ctx;
	size_t n = c->mem_len - c->mem_pos;
	if (n > cap)
		n = cap;
	memcpy(buf, c->mem + c->mem_pos, n);
	c->mem_pos += n;
	return n;
}

sl_csv *sl_csv_new(sl_csv_read_fn read, void *ctx, const char *name)
{
	sl_csv *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->read = read;
	c->ctx = ctx;
	snprintf(c->name, sizeof c->name, "%s", name ? name : "-");
	c->line = 1;
	c->col = 1;
	c->sep = ',';
	return c;
}

sl_csv *sl_csv_new_file(FILE *f, const char *name)
{
	return sl_csv_new(read_file, f, name);
}

sl_csv *sl_csv_new_mem(const char *data, size_t len, const char *name)
{
	sl_csv *c = sl_csv_new(read_mem, NULL, name);
	if (!c)
		return NULL;
	c->ctx = c;
	c->mem = data;
	c->mem_len = len;
	return c;
}

void sl_csv_free(sl_csv *c)
{
	if (!c)
		return;
	sl_buf_free(&c->data);
	free(c->off);
	free(c->fline);
	free(c->fcol);
	free(c);
}

static int fill(sl_csv *c)
{
	if (c->eof)
		return 0;
	size_t n = c->read(c->ctx, c->win, sizeof c->win);
	if (n == (size_t)-1) {
		c->io_error = 1;
		c->eof = 1;
		return 0;
	}
	if (n == 0) {
		c->eof = 1;
		return 0;
	}
	c->win_len = n;
	c->win_pos = 0;
	return 1;
}

/* Next byte, or -1 at end of input. */
static int peek(sl_csv *c)
{
	if (c->win_pos >= c->win_len && !fill(c))
		return -1;
	return (unsigned char)c->win[c->win_pos];
}

static int take(sl_csv *c)
{
	int ch = peek(c);
	if (ch < 0)
		return ch;
	c->win_pos++;
	if (ch == '\n') {
		c->line++;
		c->col = 1;
	} else if ((ch & 0xc0) != 0x80) {
		c->col++; /* count characters, not continuation bytes */
	}
	return ch;
}

/* Skip a BOM and pick the separator by counting ',' and ';' outside quotes
 * on the first line (which must fit in the window). */
static void start(sl_csv *c)
{
	c->started = 1;
	if (peek(c) < 0)
		return;
	/* A streamed source may hand over a few bytes at a time: read on until
	 * the first line end (or a full window) before deciding. */
	while (!c->eof && c->win_len < sizeof c->win &&
	       !memchr(c->win + c->win_pos, '\n', c->win_len - c->win_pos)) {
		size_t n = c->read(c->ctx, c->win + c->win_len, sizeof c->win - c->win_len);
		if (n == (size_t)-1) {
			c->io_error = 1;
			c->eof = 1;
		} else if (n == 0) {
			c->eof = 1;
		} else {
			c->win_len += n;
		}
	}
	if (c->win_len - c->win_pos >= 3 && memcmp(c->win + c->win_pos, "\xEF\xBB\xBF", 3) == 0)
		c->win_pos += 3;
	int commas = 0, semis = 0, quoted = 0;
	for (size_t i = c->win_pos; i < c->win_len; i++) {
		char ch = c->win[i];
		if (ch == '"')
			quoted = !quoted;
		else if (!quoted && (ch == '\n' || ch == '\r'))
			break;
		else if (!quoted && ch == ',')
			commas++;
		else if (!quoted && ch == ';')
			semis++;
	}
	c->sep = semis > commas ? ';' : ',';
}

static int add_field(sl_csv *c, long line, long col)
{
	if (c->nfields == c->cap_fields) {
		size_t cap = c->cap_fields ? c->cap_fields * 2 : 16;
		size_t *off = realloc(c->off, cap * sizeof *off);
		if (!off)
			return SL_ENOMEM;
		c->off = off;
		long *fl = realloc(c->fline, cap * sizeof *fl);
		if (!fl)
			return SL_ENOMEM;
		c->fline = fl;
		long *fc = realloc(c->fcol, cap * sizeof *fc);
		if (!fc)
			return SL_ENOMEM;
		c->fcol = fc;
		c->cap_fields = cap;
	}
	c->off[c->nfields] = c->data.len;
	c->fline[c->nfields] = line;
	c->fcol[c->nfields] = col;
	c->nfields++;
	return 0;
}

/* Skip to just after the next unquoted line end (error recovery). */
static void resync(sl_csv *c, int quoted)
{
	for (;;) {
		int ch = take(c);
		if (ch < 0)
			return;
		if (ch == '"')
			quoted = !quoted;
		else if (ch == '\n' && !quoted)
			return;
	}
}

static int fail(sl_csv *c, sl_error *err, long line, long col, int quoted, const char *msg)
{
	sl_error_at(err, SL_EINVAL, c->name, line, col, "%s", msg);
	resync(c, quoted);
	return SL_EINVAL;
}

/* Append the longest run of plain bytes at the read position to the
 * current field: up to a separator, quote or line end (unquoted), or up to
 * a quote or line end (quoted; the line end is then taken by the caller so
 * lines are counted).  Returns 0, or -2 when out of memory. */
static int take_run(sl_csv *c, int quoted)
{
	for (;;) {
		if (c->win_pos >= c->win_len && !fill(c))
			return 0;
		const char *p = c->win + c->win_pos, *end = c->win + c->win_len, *q = p;
		long chars = 0;
		if (quoted) {
			while (q < end && *q != '"' && *q != '\n')
				chars += (*q++ & 0xc0) != 0x80;
		} else {
			char sep = c->sep;
			while (q < end && *q != sep && *q != '\n' && *q != '\r' && *q != '"')
				chars += (*q++ & 0xc0) != 0x80;
		}
		if (q > p) {
			if (sl_buf_append(&c->data, p, (size_t)(q - p)))
				return -2;
			c->win_pos += (size_t)(q - p);
			c->col += chars;
		}
		if (q < end || c->data.len > SL_CSV_MAX_FIELD + c->off[c->nfields - 1])
			return 0;
	}
}

static int end_field(sl_csv *c, sl_error *err)
{
	size_t i = c->nfields - 1;
	size_t len = c->data.len - c->off[i];
	const char *s = len ? c->data.data + c->off[i] : "";
	long bad = sl_utf8_invalid_at(s, len);
	if (bad >= 0) {
		sl_error_at(err, SL_EINVAL, c->name, c->fline[i], c->fcol[i],
			    "invalid UTF-8 in field %zu (byte %ld of the field); save the file as UTF-8",
			    i + 1, bad + 1);
		return SL_EINVAL;
	}
	return sl_buf_putc(&c->data, '\0');
}

int sl_csv_next(sl_csv *c, sl_error *err)
{
	if (!c->started)
		start(c);
	for (;;) {
		sl_buf_reset(&c->data);
		c->nfields = 0;
		int ch = peek(c);
		if (ch < 0)
			return c->io_error ? sl_error_set(err, SL_EIO, "%s: read error", c->name) : 0;
		if (ch == '\n' || ch == '\r') { /* blank line */
			take(c);
			if (ch == '\r' && peek(c) == '\n')
				take(c);
			continue;
		}
		break;
	}
	c->rec_line = c->line;
	for (;;) { /* one field per iteration */
		if (c->nfields >= SL_CSV_MAX_FIELDS)
			return fail(c, err, c->line, c->col, 0, "too many fields in one record");
		if (add_field(c, c->line, c->col))
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		long fline = c->line, fcol = c->col;
		int ch = peek(c);
		if (ch == '"') {
			take(c);
			for (;;) {
				if (take_run(c, 1) == -2)
					return sl_error_set(err, SL_ENOMEM, "out of memory");
				if (c->data.len - c->off[c->nfields - 1] > SL_CSV_MAX_FIELD)
					return fail(c, err, fline, fcol, 1, "field is longer than 65536 bytes");
				ch = take(c);
				if (ch < 0)
					return fail(c, err, fline, fcol, 1,
						    "unterminated quoted field (missing closing '\"')");
				if (ch == '"') {
					if (peek(c) == '"') {
						take(c);
					} else {
						break;
					}
				}
				if (c->data.len - c->off[c->nfields - 1] >= SL_CSV_MAX_FIELD)
					return fail(c, err, fline, fcol, 1, "field is longer than 65536 bytes");
				if (sl_buf_putc(&c->data, (char)ch))
					return sl_error_set(err, SL_ENOMEM, "out of memory");
			}
			ch = peek(c);
			if (ch >= 0 && ch != c->sep && ch != '\n' && ch != '\r')
				return fail(c, err, c->line, c->col, 0,
					    "unexpected text after a closing quote");
		} else {
			for (;;) {
				int rc = take_run(c, 0);
				if (rc == -2)
					return sl_error_set(err, SL_ENOMEM, "out of memory");
				if (c->data.len - c->off[c->nfields - 1] > SL_CSV_MAX_FIELD)
					return fail(c, err, fline, fcol, 0, "field is longer than 65536 bytes");
				ch = peek(c);
				if (ch < 0 || ch == c->sep || ch == '\n' || ch == '\r')
					break;
				if (ch == '"')
					return fail(c, err, c->line, c->col, 0,
						    "a quote inside an unquoted field (quote the whole field and double the quote)");
			}
		}
		int rc = end_field(c, err);
		if (rc) {
			if (rc == SL_EINVAL)
				resync(c, 0);
			return rc;
		}
		ch = take(c);
		if (ch == c->sep)
			continue;
		if (ch == '\r') {
			if (peek(c) == '\n')
				take(c);
			return 1;
		}
		return 1; /* '\n' or end of input */
	}
}

size_t sl_csv_count(const sl_csv *c)
{
	return c->nfields;
}

const char *sl_csv_field(const sl_csv *c, size_t i)
{
	return c->data.data + c->off[i];
}

size_t sl_csv_field_len(const sl_csv *c, size_t i)
{
	size_t end = i + 1 < c->nfields ? c->off[i + 1] - 1 : c->data.len - 1;
	return end - c->off[i];
}

long sl_csv_field_line(const sl_csv *c, size_t i)
{
	return c->fline[i];
}

long sl_csv_field_column(const sl_csv *c, size_t i)
{
	return c->fcol[i];
}

long sl_csv_record_line(const sl_csv *c)
{
	return c->rec_line;
}

char sl_csv_separator(const sl_csv *c)
{
	return c->sep;
}

const char *sl_csv_name(const sl_csv *c)
{
	return c->name;
}
