/* import.c — the import driver: read CSV or JSON rows, hand them to the
 * kind's handler, and make the batch atomic.
 *
 * The whole batch runs in one transaction.  Strict mode rolls it back if any
 * row had an error (after reading the whole input, so every error of the
 * file is reported at once); accept_valid commits the valid rows.  Rows are
 * written as they are read, so a row may refer to one earlier in the batch.
 *
 * JSON is parsed with yajl, fed one input line at a time so that every row
 * knows its line; columns in JSON errors are those of the line's start or of
 * yajl's error offset. */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_parse.h>

void lrow_error(struct lctx *c, struct lrow *r, int fi, const char *fmt, ...)
{
	sl_import_result *res = c->res;
	if (!r->bad) {
		r->bad = 1;
		res->rejected++;
	}
	res->error_total++;
	size_t cap = c->o->max_errors ? c->o->max_errors : 1000;
	if (res->error_count >= cap)
		return;
	if ((res->error_count & (res->error_count - 1)) == 0 || res->error_count == 0) {
		size_t n = res->error_count ? res->error_count * 2 : 16;
		sl_row_error *e = realloc(res->errors, n * sizeof *e);
		if (!e)
			return;
		res->errors = e;
	}
	sl_row_error *e = &res->errors[res->error_count++];
	memset(e, 0, sizeof *e);
	const struct kind_spec *ks = ledger_kind_spec(c->o->kind);
	if (fi >= 0) {
		snprintf(e->field, sizeof e->field, "%s", ks->fields[fi].name);
		e->line = r->line[fi] ? r->line[fi] : r->rec_line;
		e->column = r->line[fi] ? r->col[fi] : r->rec_col;
	} else {
		e->line = r->rec_line;
		e->column = r->rec_col;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
	e->record = r->record ? strdup(r->record) : NULL;
}

void sl_import_result_free(sl_import_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->error_count; i++)
		free(res->errors[i].record);
	free(res->errors);
	memset(res, 0, sizeof *res);
}

/* A batch-level error (header, syntax) at a position. */
static void pos_error(struct lctx *c, long line, long col, const char *fmt, const char *arg)
{
	struct lrow r;
	memset(&r, 0, sizeof r);
	r.rec_line = line;
	r.rec_col = col;
	r.bad = 1; /* not a data row: do not count it as rejected */
	lrow_error(c, &r, -1, fmt, arg);
}

static int field_index(const struct kind_spec *ks, const char *name)
{
	for (int i = 0; i < ks->nfields; i++)
		if (strcmp(ks->fields[i].name, name) == 0)
			return i;
	return -1;
}

static int run_row(struct lctx *c, struct lrow *r)
{
	if (++c->res->rows % 10000 == 0 && c->o->progress)
		c->o->progress(c->o->progress_ctx, c->res->rows);
	int rc = ledger_kind_spec(c->o->kind)->apply(c, r);
	free(r->record);
	r->record = NULL;
	return rc;
}

/* ---- CSV ---------------------------------------------------------------- */

static int import_csv(struct lctx *c, sl_ledger_read_fn read, void *ctx)
{
	const struct kind_spec *ks = ledger_kind_spec(c->o->kind);
	sl_csv *csv = sl_csv_new(read, ctx, c->name);
	if (!csv)
		return SL_ENOMEM;
	int map[SL_CSV_MAX_FIELDS];
	size_t ncols = 0;
	sl_error e;
	int rc = sl_csv_next(csv, &e);
	if (rc == 0) {
		pos_error(c, 1, 1, "%s", "empty file: expected a header line naming the columns");
		sl_csv_free(csv);
		return 0;
	}
	if (rc < 0) {
		if (rc == SL_EINVAL)
			pos_error(c, e.line, e.column, "%s", e.message);
		sl_csv_free(csv);
		return rc == SL_EINVAL ? 0 : rc;
	}
	c->decimal_comma = sl_csv_separator(csv) == ';';
	ncols = sl_csv_count(csv);
	int seen[LF_MAX] = {0};
	int header_bad = 0;
	for (size_t i = 0; i < ncols; i++) {
		const char *h = sl_csv_field(csv, i);
		int fi = field_index(ks, h);
		map[i] = fi;
		char msg[200];
		if (fi < 0) {
			snprintf(msg, sizeof msg, "unknown column '%.80s' for %s", h, ks->name);
			pos_error(c, 1, sl_csv_field_column(csv, i), "%s", msg);
			header_bad = 1;
		} else if (seen[fi]++) {
			snprintf(msg, sizeof msg, "column '%.80s' appears twice", h);
			pos_error(c, 1, sl_csv_field_column(csv, i), "%s", msg);
			header_bad = 1;
		}
	}
	for (int fi = 0; fi < ks->nfields; fi++)
		if (ks->fields[fi].required && !seen[fi]) {
			char msg[160];
			snprintf(msg, sizeof msg, "missing required column '%s'", ks->fields[fi].name);
			pos_error(c, 1, 1, "%s", msg);
			header_bad = 1;
		}
	if (header_bad) {
		sl_csv_free(csv);
		return 0;
	}
	long data_rows = 0;
	for (;;) {
		rc = sl_csv_next(csv, &e);
		if (rc == 0)
			break;
		if (rc == SL_EINVAL) {
			c->res->rows++;
			struct lrow r;
			memset(&r, 0, sizeof r);
			r.rec_line = e.line;
			r.rec_col = e.column;
			lrow_error(c, &r, -1, "%s", e.message);
			data_rows++;
			continue;
		}
		if (rc < 0)
			break;
		data_rows++;
		struct lrow r;
		memset(&r, 0, sizeof r);
		r.rec_line = sl_csv_record_line(csv);
		r.rec_col = 1;
		if (sl_csv_count(csv) != ncols) {
			c->res->rows++;
			char msg[120];
			snprintf(msg, sizeof msg, "expected %zu fields as in the header, found %zu", ncols,
				 sl_csv_count(csv));
			lrow_error(c, &r, -1, "%s", msg);
			continue;
		}
		sl_buf rec = {0};
		for (size_t i = 0; i < ncols; i++) {
			if (c->o->accept_valid)
				sl_buf_printf(&rec, "%s%s", i ? (c->decimal_comma ? ";" : ",") : "", sl_csv_field(csv, i));
			if (map[i] < 0)
				continue;
			r.v[map[i]] = sl_csv_field(csv, i);
			r.line[map[i]] = sl_csv_field_line(csv, i);
			r.col[map[i]] = sl_csv_field_column(csv, i);
		}
		r.record = c->o->accept_valid ? sl_buf_take(&rec) : NULL;
		if ((rc = run_row(c, &r)))
			break;
	}
	sl_csv_free(csv);
	if (rc < 0 && rc != SL_EINVAL)
		return rc;
	if (data_rows == 0)
		pos_error(c, 2, 1, "%s", "no data rows after the header");
	return 0;
}

/* ---- JSON --------------------------------------------------------------- */

struct jstate {
	struct lctx *c;
	int depth;      /* 1 inside the array, 2 inside an object */
	int key;        /* current key's field index, -1 unknown, -2 none */
	int nested;     /* depth of a nested value being skipped */
	struct lrow r;
	char *vals[LF_MAX];
	long line, col;
	int rc;
	int objects;
	int top_ok;
};

static void js_clear(struct jstate *j)
{
	for (int i = 0; i < LF_MAX; i++) {
		free(j->vals[i]);
		j->vals[i] = NULL;
	}
	memset(&j->r, 0, sizeof j->r);
}

static int js_value(struct jstate *j, const char *s, size_t len)
{
	if (j->nested)
		return 1;
	if (j->depth != 2) {
		pos_error(j->c, j->line, j->col, "%s", "expected an array of objects");
		return 0;
	}
	if (j->key >= 0) {
		free(j->vals[j->key]);
		j->vals[j->key] = s ? strndup(s, len) : NULL;
		j->r.line[j->key] = j->line;
		j->r.col[j->key] = j->col;
	}
	return 1;
}

static int cb_null(void *ctx)
{
	return js_value(ctx, NULL, 0);
}

static int cb_bool(void *ctx, int b)
{
	return js_value(ctx, b ? "1" : "0", 1);
}

static int cb_number(void *ctx, const char *s, size_t len)
{
	return js_value(ctx, s, len);
}

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
	return js_value(ctx, (const char *)s, len);
}

/* A value that is an object or array: the current row is rejected. */
static void nested_error(struct jstate *j, const char *msg)
{
	long line = j->r.rec_line, col = j->r.rec_col;
	j->r.rec_line = j->line;
	j->r.rec_col = j->col;
	lrow_error(j->c, &j->r, j->key >= 0 ? j->key : -1, "%s", msg);
	j->r.rec_line = line;
	j->r.rec_col = col;
}

static int cb_start_map(void *ctx)
{
	struct jstate *j = ctx;
	if (j->nested || j->depth == 2) {
		j->nested++;
		if (j->nested == 1)
			nested_error(j, "nested objects are not allowed as values");
		return 1;
	}
	if (j->depth != 1) {
		pos_error(j->c, j->line, j->col, "%s", "expected an array of objects");
		return 0;
	}
	j->depth = 2;
	js_clear(j);
	j->r.rec_line = j->line;
	j->r.rec_col = j->col;
	return 1;
}

static int cb_map_key(void *ctx, const unsigned char *k, size_t len)
{
	struct jstate *j = ctx;
	if (j->nested)
		return 1;
	char name[64];
	snprintf(name, sizeof name, "%.*s", (int)(len < 63 ? len : 63), (const char *)k);
	const struct kind_spec *ks = ledger_kind_spec(j->c->o->kind);
	j->key = field_index(ks, name);
	if (j->key < 0) {
		char msg[120];
		snprintf(msg, sizeof msg, "unknown key '%.60s' for %s", name, ks->name);
		j->r.bad = 0;
		struct lrow tmp = j->r;
		lrow_error(j->c, &tmp, -1, "%s", msg);
		j->r.bad = tmp.bad;
		tmp.record = NULL;
	}
	return 1;
}

static int cb_end_map(void *ctx)
{
	struct jstate *j = ctx;
	if (j->nested) {
		j->nested--;
		return 1;
	}
	j->depth = 1;
	j->objects++;
	for (int i = 0; i < LF_MAX; i++)
		j->r.v[i] = j->vals[i];
	if (j->r.bad) { /* unknown keys: already counted as rejected */
		j->c->res->rows++;
		js_clear(j);
		return 1;
	}
	if (j->c->o->accept_valid) { /* the row as an object, for the rejects file */
		const struct kind_spec *ks = ledger_kind_spec(j->c->o->kind);
		sl_buf rec = {0};
		sl_buf_putc(&rec, '{');
		for (int i = 0; i < ks->nfields; i++) {
			if (!j->vals[i])
				continue;
			sl_buf_puts(&rec, rec.len > 1 ? ", " : "");
			sl_buf_json_string(&rec, ks->fields[i].name);
			sl_buf_puts(&rec, ": ");
			sl_buf_json_string(&rec, j->vals[i]);
		}
		sl_buf_putc(&rec, '}');
		j->r.record = sl_buf_take(&rec);
	}
	j->rc = run_row(j->c, &j->r);
	js_clear(j);
	return j->rc == 0;
}

static int cb_start_array(void *ctx)
{
	struct jstate *j = ctx;
	if (j->depth == 0) {
		j->depth = 1;
		j->top_ok = 1;
		return 1;
	}
	if (j->depth == 2) {
		j->nested++;
		if (j->nested == 1)
			nested_error(j, "arrays are not allowed as values");
		return 1;
	}
	if (j->nested) {
		j->nested++;
		return 1;
	}
	pos_error(j->c, j->line, j->col, "%s", "expected an array of objects, found nested arrays");
	return 0;
}

static int cb_end_array(void *ctx)
{
	struct jstate *j = ctx;
	if (j->nested) {
		j->nested--;
		return 1;
	}
	j->depth = 0;
	return 1;
}

static const yajl_callbacks callbacks = {
	cb_null, cb_bool, NULL, NULL, cb_number, cb_string,
	cb_start_map, cb_map_key, cb_end_map, cb_start_array, cb_end_array,
};

static void json_syntax_error(struct jstate *j, yajl_handle h, const unsigned char *chunk, size_t len)
{
	unsigned char *msg = yajl_get_error(h, 0, chunk, len);
	size_t off = yajl_get_bytes_consumed(h);
	pos_error(j->c, j->line, j->col + (long)off, "invalid JSON: %s", (const char *)msg);
	yajl_free_error(h, msg);
}

static int import_json(struct lctx *c, sl_ledger_read_fn read, void *ctx)
{
	struct jstate j;
	memset(&j, 0, sizeof j);
	j.c = c;
	j.key = -2;
	j.line = 1;
	j.col = 1;
	yajl_handle h = yajl_alloc(&callbacks, NULL, &j);
	if (!h)
		return SL_ENOMEM;
	char buf[65536];
	sl_buf line = {0};
	int failed = 0, io = 0;
	for (;;) {
		size_t n = read(ctx, buf, sizeof buf);
		if (n == (size_t)-1) {
			io = 1;
			break;
		}
		size_t start = 0;
		for (size_t i = 0; i <= n && !failed; i++) {
			int at_end = i == n;
			if (!at_end && buf[i] != '\n')
				continue;
			size_t len = i - start + (at_end ? 0 : 1);
			if (line.len) { /* a line split across reads */
				sl_buf_append(&line, buf + start, len);
				if (at_end && n)
					break;
			} else if (at_end && n) {
				sl_buf_append(&line, buf + start, len);
				break;
			}
			const unsigned char *p = line.len ? (const unsigned char *)line.data : (const unsigned char *)buf + start;
			size_t plen = line.len ? line.len : len;
			if (j.line == 1 && plen >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
				p += 3; /* a UTF-8 byte-order mark */
				plen -= 3;
			}
			if (plen && yajl_parse(h, p, plen) != yajl_status_ok) {
				if (j.rc)
					failed = 2;
				else {
					json_syntax_error(&j, h, p, plen);
					failed = 1;
				}
			}
			sl_buf_reset(&line);
			j.line++;
			j.col = 1;
			start = i + 1;
		}
		if (n == 0 || failed)
			break;
	}
	if (!failed && !io && yajl_complete_parse(h) != yajl_status_ok) {
		json_syntax_error(&j, h, (const unsigned char *)"", 0);
		failed = 1;
	}
	if (!failed && !io && !j.top_ok)
		pos_error(c, 1, 1, "%s", "empty input: expected a JSON array of objects");
	else if (!failed && !io && j.objects == 0)
		pos_error(c, 1, 1, "%s", "the JSON array has no objects");
	js_clear(&j);
	sl_buf_free(&line);
	yajl_free(h);
	if (io)
		return SL_EIO;
	return failed == 2 ? j.rc : 0;
}

/* ---- the batch ---------------------------------------------------------- */

struct peek_src {
	sl_ledger_read_fn read;
	void *ctx;
	char head[4096];
	size_t hlen, hpos;
};

static size_t peek_read(void *ctx, char *buf, size_t cap)
{
	struct peek_src *p = ctx;
	if (p->hpos < p->hlen) {
		size_t n = p->hlen - p->hpos;
		if (n > cap)
			n = cap;
		memcpy(buf, p->head + p->hpos, n);
		p->hpos += n;
		return n;
	}
	return p->read(p->ctx, buf, cap);
}

static int write_import_row(struct lctx *c, sl_error *err)
{
	sl_stmt *s;
	int rc = sl_store_prepare(c->st,
		"INSERT INTO imports (kind, source_name, actor, started_at, rows_inserted, rows_updated, "
		"rows_unchanged, rows_rejected) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", &s, err);
	if (rc)
		return rc;
	sl_stmt_bind_text(s, 1, sl_ledger_kind_name(c->o->kind));
	sl_stmt_bind_text(s, 2, c->name);
	sl_stmt_bind_text(s, 3, c->o->actor);
	sl_stmt_bind_int64(s, 4, c->now);
	sl_stmt_bind_int64(s, 5, c->res->inserted);
	sl_stmt_bind_int64(s, 6, c->res->updated);
	sl_stmt_bind_int64(s, 7, c->res->unchanged);
	sl_stmt_bind_int64(s, 8, c->res->rejected);
	rc = sl_stmt_step(s, err);
	sl_stmt_free(s);
	if (rc < 0)
		return rc;
	c->res->import_id = sl_store_last_insert_id(c->st);
	return 0;
}

int sl_ledger_import(sl_store *st, const sl_import_opts *o, sl_ledger_read_fn read, void *ctx,
		     sl_import_result *res, sl_error *err)
{
	memset(res, 0, sizeof *res);
	const struct kind_spec *ks = ledger_kind_spec(o->kind);
	if (!ks)
		return sl_error_set(err, SL_EUSAGE, "unknown import kind");
	struct lctx c;
	memset(&c, 0, sizeof c);
	c.st = st;
	c.o = o;
	c.res = res;
	c.name = o->source_name ? o->source_name : "-";
	c.now = (int64_t)time(NULL);
	if (o->restrict_org) {
		if (o->kind == SL_KIND_ORGANISATIONS || o->kind == SL_KIND_SITES || o->kind == SL_KIND_CONTRACTS)
			return sl_error_set(err, SL_EPERM, "only the city may import %s", ks->name);
	}
	c.cache = ledger_cache_new();
	if (!c.cache)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	if (o->restrict_org && !(c.restrict_org_id = ref_org(&c, o->restrict_org))) {
		ledger_cache_free(c.cache);
		return sl_error_set(err, SL_EPERM, "unknown organisation '%s'", o->restrict_org);
	}
	/* Every reference is resolved by the importer itself, in this
	 * transaction: SQLite's own foreign-key checks would repeat that work. */
	int own_tx = !sl_store_in_transaction(st);
	if (own_tx)
		sl_store_set_foreign_keys(st, 0, NULL);
	int rc = sl_store_begin(st, err);
	if (rc) {
		if (own_tx)
			sl_store_set_foreign_keys(st, 1, NULL);
		ledger_cache_free(c.cache);
		return rc;
	}
	/* detect the format from the first non-blank byte */
	struct peek_src ps = {.read = read, .ctx = ctx};
	sl_import_format fmt = o->format;
	size_t n = read(ctx, ps.head, sizeof ps.head);
	if (n == (size_t)-1) {
		rc = sl_error_set(err, SL_EIO, "%s: read error", c.name);
		goto fail;
	}
	ps.hlen = n;
	if (fmt == SL_FORMAT_AUTO) {
		size_t i = 0;
		if (n >= 3 && memcmp(ps.head, "\xEF\xBB\xBF", 3) == 0)
			i = 3;
		while (i < n && (ps.head[i] == ' ' || ps.head[i] == '\t' || ps.head[i] == '\r' || ps.head[i] == '\n'))
			i++;
		fmt = i < n && ps.head[i] == '[' ? SL_FORMAT_JSON
		    : i < n && ps.head[i] == '<' ? SL_FORMAT_UBL
						 : SL_FORMAT_CSV;
	}
	if (fmt == SL_FORMAT_UBL && o->kind != SL_KIND_ORDERS && o->kind != SL_KIND_DELIVERIES) {
		rc = sl_error_set(err, SL_EUSAGE, "%s: UBL documents import as orders or deliveries only", c.name);
		goto fail;
	}
	rc = fmt == SL_FORMAT_JSON  ? import_json(&c, peek_read, &ps)
	     : fmt == SL_FORMAT_UBL ? ledger_import_ubl(&c, peek_read, &ps)
				    : import_csv(&c, peek_read, &ps);
	if (rc == 0 && ks->finish)
		rc = ks->finish(&c);
	if (rc) {
		sl_error_set(err, rc, "%s: %s", c.name, rc == SL_EIO ? "read error" : sl_strerror(rc));
		goto fail;
	}
	if (res->error_total && !o->accept_valid) {
		sl_error_set(err, SL_EINVAL, "%s: %zu error%s; nothing was imported", c.name,
			     res->error_total, res->error_total == 1 ? "" : "s");
		rc = SL_EINVAL;
		goto fail;
	}
	if ((rc = write_import_row(&c, err)))
		goto fail;
	if (ks->free_state)
		ks->free_state(&c);
	ledger_cache_free(c.cache);
	c.cache = NULL;
	rc = sl_store_commit(st, err);
	if (own_tx)
		sl_store_set_foreign_keys(st, 1, NULL);
	if (rc)
		return rc;
	res->committed = res->inserted + res->updated > 0;
	return 0;
fail:
	if (ks->free_state)
		ks->free_state(&c);
	ledger_cache_free(c.cache);
	sl_store_rollback(st);
	if (own_tx)
		sl_store_set_foreign_keys(st, 1, NULL);
	res->inserted = res->updated = res->unchanged = 0;
	res->committed = 0;
	return rc;
}

static size_t file_read(void *ctx, char *buf, size_t cap)
{
	FILE *f = ctx;
	size_t n = fread(buf, 1, cap, f);
	return n == 0 && ferror(f) ? (size_t)-1 : n;
}

int sl_ledger_import_file(sl_store *st, const sl_import_opts *o, const char *path,
			  sl_import_result *res, sl_error *err)
{
	memset(res, 0, sizeof *res);
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f)
		return sl_error_set(err, SL_EIO, "cannot open '%s': %s", path, strerror(errno));
	sl_import_opts oo = *o;
	if (!oo.source_name)
		oo.source_name = path;
	int rc = sl_ledger_import(st, &oo, file_read, f, res, err);
	if (f != stdin)
		fclose(f);
	return rc;
}
