/* announce.c — announced deliveries and their confirmation (issue 7,
 * item 1).  An announcement is a deliveries row with status 'announced'
 * that enters through the ledger's importer, so validation, idempotency
 * (supplier, id) and row_history are the ledger's; this file only adds a
 * pre-check that a batch sent as announcements holds nothing but
 * announcements (or cancellations), and the explicit match of an
 * announcement to the delivered row that fulfilled it when the supplier's
 * delivery record has another id (the "advance ship notice → receipt"
 * reconciliation of EDI practice, e.g. GS1 DESADV vs RECADV). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "board_internal.h"

static int status_ok(const char *v, size_t len)
{
	while (len && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	return (len == 9 && !memcmp(v, "announced", 9)) || (len == 9 && !memcmp(v, "cancelled", 9));
}

static int add_error(sl_import_result *res, size_t max, long line, long col, const char *msg)
{
	res->error_total++;
	if (res->error_count >= max)
		return 0;
	sl_row_error *g = realloc(res->errors, (res->error_count + 1) * sizeof *g);
	if (!g)
		return SL_ENOMEM;
	res->errors = g;
	sl_row_error *e = &g[res->error_count++];
	memset(e, 0, sizeof *e);
	e->line = line;
	e->column = col;
	snprintf(e->field, sizeof e->field, "status");
	snprintf(e->message, sizeof e->message, "%s", msg);
	return 0;
}

static const char BAD_STATUS[] =
    "an announcement must have status 'announced' (or 'cancelled' to withdraw it); "
    "delivered rows are imported as deliveries";

static int check_csv(const char *data, size_t len, const char *name, sl_import_result *res,
                     size_t max)
{
	sl_csv *c = sl_csv_new_mem(data, len, name);
	if (!c)
		return SL_ENOMEM;
	sl_error e = {0};
	int rc = sl_csv_next(c, &e);
	long col = -1;
	if (rc == 1) {
		for (size_t i = 0; i < sl_csv_count(c); i++)
			if (!strcmp(sl_csv_field(c, i), "status"))
				col = (long)i;
		if (col < 0) {
			rc = add_error(res, max, sl_csv_record_line(c), 1,
			               "announcements need a 'status' column with the value 'announced'");
			sl_csv_free(c);
			return rc;
		}
		while ((rc = sl_csv_next(c, &e)) != 0) {
			if (rc == SL_EINVAL)
				continue; /* malformed: the ledger reports it */
			if (rc < 0)
				break;
			res->rows++;
			if ((size_t)col >= sl_csv_count(c)) {
				if ((rc = add_error(res, max, sl_csv_record_line(c), 1, BAD_STATUS)))
					break;
				res->rejected++;
				continue;
			}
			if (!status_ok(sl_csv_field(c, (size_t)col), sl_csv_field_len(c, (size_t)col))) {
				if ((rc = add_error(res, max, sl_csv_field_line(c, (size_t)col),
				                    sl_csv_field_column(c, (size_t)col), BAD_STATUS)))
					break;
				res->rejected++;
			}
		}
	}
	sl_csv_free(c);
	return rc < 0 && rc != SL_EINVAL ? rc : 0;
}

/* Line of each top-level element of a JSON array (1-based). */
static long *element_lines(const char *d, size_t len, size_t *n)
{
	long line = 1, *out = NULL;
	size_t cap = 0;
	int depth = 0, in_str = 0, esc = 0;
	*n = 0;
	for (size_t i = 0; i < len; i++) {
		char ch = d[i];
		if (ch == '\n')
			line++;
		if (in_str) {
			if (esc)
				esc = 0;
			else if (ch == '\\')
				esc = 1;
			else if (ch == '"')
				in_str = 0;
			continue;
		}
		if (ch == '"')
			in_str = 1;
		if ((ch == '{' || ch == '[') && depth++ == 1) {
			if (*n == cap) {
				size_t nc = cap ? cap * 2 : 64;
				long *g = realloc(out, nc * sizeof *g);
				if (!g) {
					free(out);
					*n = 0;
					return NULL;
				}
				out = g;
				cap = nc;
			}
			out[(*n)++] = line;
		} else if (ch == '}' || ch == ']') {
			depth--;
		}
	}
	return out;
}

static int check_json(const char *data, size_t len, sl_import_result *res, size_t max)
{
	json_error_t je;
	json_t *j = json_loadb(data, len, 0, &je);
	if (!j || !json_is_array(j)) {
		json_decref(j);
		return 0; /* the ledger reports the syntax error */
	}
	size_t nl = 0;
	long *lines = element_lines(data, len, &nl);
	int rc = 0;
	size_t i;
	json_t *v;
	json_array_foreach(j, i, v)
	{
		res->rows++;
		json_t *s = json_is_object(v) ? json_object_get(v, "status") : NULL;
		const char *t = json_string_value(s);
		if (!json_is_object(v))
			continue; /* the ledger reports it */
		if (!t || !status_ok(t, strlen(t))) {
			if ((rc = add_error(res, max, i < nl ? lines[i] : 1, 1, BAD_STATUS)))
				break;
			res->rejected++;
		}
	}
	free(lines);
	json_decref(j);
	return rc;
}

struct mem_reader {
	const char *p;
	size_t left;
};

static size_t mem_read(void *ctx, char *buf, size_t cap)
{
	struct mem_reader *m = ctx;
	size_t n = m->left < cap ? m->left : cap;
	memcpy(buf, m->p, n);
	m->p += n;
	m->left -= n;
	return n;
}

int sl_announce_import(sl_store *st, const sl_import_opts *opts, const char *data, size_t len,
                       sl_import_result *res, sl_error *err)
{
	memset(res, 0, sizeof *res);
	sl_import_opts o = *opts;
	o.kind = SL_KIND_DELIVERIES;
	size_t max = o.max_errors ? o.max_errors : 1000;
	const char *name = o.source_name ? o.source_name : "-";
	size_t k = 0;
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		k = 3;
	while (k < len && (data[k] == ' ' || data[k] == '\t' || data[k] == '\r' || data[k] == '\n'))
		k++;
	int json = o.format == SL_FORMAT_JSON || (o.format == SL_FORMAT_AUTO && k < len && data[k] == '[');
	if (o.format == SL_FORMAT_UBL || (o.format == SL_FORMAT_AUTO && k < len && data[k] == '<')) {
		if (add_error(res, max, 1, 1, "announcements are CSV or JSON (a Despatch Advice is a delivery)"))
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		res->errors[0].field[0] = 0;
		return sl_error_at(err, SL_EINVAL, name, 1, 1, "announcements are CSV or JSON");
	}
	int rc = json ? check_json(data, len, res, max) : check_csv(data, len, name, res, max);
	if (rc)
		return sl_error_set(err, rc, "out of memory");
	if (res->error_total) {
		long line = res->errors[0].line, col = res->errors[0].column;
		return sl_error_at(err, SL_EINVAL, name, line, col, "%zu announcement row(s) are not announcements",
		                       res->error_total);
	}
	memset(res, 0, sizeof *res);
	struct mem_reader m = {data, len};
	return sl_ledger_import(st, &o, mem_read, &m, res, err);
}

/* The delivery (supplier sup, ext) : id, site, day, status. */
static int find_delivery(sl_store *st, int64_t sup, const char *ext, int64_t *id, int64_t *site,
                         int64_t *day, char status[16], sl_error *err)
{
	sl_stmt *s;
	int rc = sl_store_prepare(st,
	                          "SELECT id, site_id, local_day, status FROM deliveries "
	                          "WHERE supplier_id = ?1 AND ext_id = ?2",
	                          &s, err);
	if (rc)
		return rc;
	sl_stmt_bind_int64(s, 1, sup);
	sl_stmt_bind_text(s, 2, ext);
	rc = sl_stmt_step(s, err);
	if (rc == 1) {
		*id = sl_stmt_int64(s, 0);
		*site = sl_stmt_int64(s, 1);
		*day = sl_stmt_int64(s, 2);
		snprintf(status, 16, "%s", sl_stmt_text(s, 3));
		rc = 0;
	} else if (rc == 0) {
		rc = sl_error_set(err, SL_ENOTFOUND, "no delivery '%.64s' of this supplier", ext);
	}
	sl_stmt_free(s);
	return rc;
}

static int is_matched(sl_store *st, const char *col, int64_t id, int *yes, sl_error *err)
{
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM announcement_matches WHERE %s = ?1", col);
	sl_stmt *s;
	int rc = sl_store_prepare(st, sql, &s, err);
	if (rc)
		return rc;
	sl_stmt_bind_int64(s, 1, id);
	rc = sl_stmt_step(s, err);
	*yes = rc == 1 && sl_stmt_int64(s, 0) > 0;
	sl_stmt_free(s);
	return rc < 0 ? rc : 0;
}

int sl_announce_confirm(sl_store *st, const char *supplier_ext, const char *announcement_ext,
                        const char *delivery_ext, int pooled, const sl_board_actor *actor,
                        char matched_out[64], sl_error *err)
{
	int64_t sup, aid, asite, aday;
	char kind[16], ast[16];
	int rc;
	if (!announcement_ext || !*announcement_ext)
		return sl_error_set(err, SL_EINVAL, "the announcement's id is required");
	if ((rc = sl_board_org(st, supplier_ext, &sup, kind, err)))
		return rc;
	if ((rc = find_delivery(st, sup, announcement_ext, &aid, &asite, &aday, ast, err)))
		return rc;
	int matched;
	if ((rc = is_matched(st, "announcement_id", aid, &matched, err)))
		return rc;
	if (matched)
		return sl_error_set(err, SL_ECONFLICT, "announcement '%.64s' is already confirmed",
		                    announcement_ext);
	if (!delivery_ext || !strcmp(delivery_ext, announcement_ext)) {
		if (!strcmp(ast, "delivered")) {
			if (matched_out)
				snprintf(matched_out, 64, "%s", announcement_ext);
			return 0; /* confirmed by re-import: the ledger holds the history */
		}
		if (strcmp(ast, "announced"))
			return sl_error_set(err, SL_EINVAL, "'%.64s' is %s, not an announcement",
			                    announcement_ext, ast);
		if (delivery_ext)
			return sl_error_set(err, SL_EINVAL,
			                    "'%.64s' is still announced; re-import it with status delivered "
			                    "or name the delivery that fulfilled it",
			                    announcement_ext);
	} else if (strcmp(ast, "announced")) {
		return sl_error_set(err, SL_EINVAL, "'%.64s' is %s, not an announcement", announcement_ext,
		                    ast);
	}
	int64_t did = 0, dsite = 0, dday = 0;
	char dst[16] = "", dext[64] = "";
	if (delivery_ext) {
		if ((rc = find_delivery(st, sup, delivery_ext, &did, &dsite, &dday, dst, err)))
			return rc;
		if (strcmp(dst, "delivered"))
			return sl_error_set(err, SL_EINVAL, "'%.64s' is %s, not a delivered row", delivery_ext,
			                    dst);
		if (dsite != asite)
			return sl_error_set(err, SL_EINVAL, "'%.64s' went to another site than the announcement",
			                    delivery_ext);
		if (dday < aday - 3 || dday > aday + 3)
			return sl_error_set(err, SL_EINVAL,
			                    "'%.64s' is more than 3 days from the announced day", delivery_ext);
		snprintf(dext, sizeof dext, "%s", delivery_ext);
	} else {
		sl_stmt *s;
		rc = sl_store_prepare(st,
		                      "SELECT d.id, d.ext_id FROM deliveries d WHERE d.supplier_id = ?1 AND "
		                      "d.site_id = ?2 AND d.local_day = ?3 AND d.status = 'delivered' AND "
		                      "NOT EXISTS (SELECT 1 FROM announcement_matches m WHERE m.delivery_id = d.id) "
		                      "LIMIT 2",
		                      &s, err);
		if (rc)
			return rc;
		sl_stmt_bind_int64(s, 1, sup);
		sl_stmt_bind_int64(s, 2, asite);
		sl_stmt_bind_int64(s, 3, aday);
		int n = 0;
		while ((rc = sl_stmt_step(s, err)) == 1) {
			if (!n++) {
				did = sl_stmt_int64(s, 0);
				snprintf(dext, sizeof dext, "%s", sl_stmt_text(s, 1));
			}
		}
		sl_stmt_free(s);
		if (rc < 0)
			return rc;
		if (n == 0)
			return sl_error_set(err, SL_ENOTFOUND,
			                    "no unmatched delivered row of this supplier at the site on that day");
		if (n > 1)
			return sl_error_set(err, SL_ECONFLICT,
			                    "several delivered rows could confirm '%.64s'; name one with --delivery",
			                    announcement_ext);
	}
	if ((rc = is_matched(st, "delivery_id", did, &matched, err)))
		return rc;
	if (matched)
		return sl_error_set(err, SL_ECONFLICT, "delivery '%.64s' already confirms another announcement",
		                    dext);
	int own_tx = !sl_store_in_transaction(st);
	if (own_tx && (rc = sl_store_begin(st, err)))
		return rc;
	char by[96];
	sl_board_actor_label(actor, by, sizeof by);
	sl_stmt *s;
	rc = sl_store_prepare(st,
	                      "INSERT INTO announcement_matches(announcement_id, delivery_id, matched_at, "
	                      "matched_by, pooled) VALUES (?1, ?2, ?3, ?4, ?5)",
	                      &s, err);
	if (!rc) {
		sl_stmt_bind_int64(s, 1, aid);
		sl_stmt_bind_int64(s, 2, did);
		sl_stmt_bind_int64(s, 3, (int64_t)time(NULL));
		sl_stmt_bind_text(s, 4, by);
		sl_stmt_bind_int64(s, 5, pooled ? 1 : 0);
		rc = sl_stmt_step(s, err);
		rc = rc < 0 ? rc : 0;
		sl_stmt_free(s);
	}
	if (!rc) {
		char ids[96];
		sl_buf d = {0};
		snprintf(ids, sizeof ids, "{\"announcement_id\":%lld,\"delivery_id\":%lld}", (long long)aid,
		         (long long)did);
		int brc = sl_buf_puts(&d, "{\"supplier\":");
		brc |= sl_buf_json_string(&d, supplier_ext);
		brc |= sl_buf_puts(&d, ",\"announcement\":");
		brc |= sl_buf_json_string(&d, announcement_ext);
		brc |= sl_buf_puts(&d, ",\"delivery\":");
		brc |= sl_buf_json_string(&d, dext);
		brc |= sl_buf_printf(&d, ",\"pooled\":%s}", pooled ? "true" : "false");
		rc = brc ? sl_error_set(err, SL_ENOMEM, "out of memory")
		         : sl_board_audit(st, actor, "announcement.confirm", "announcement_matches", ids,
		                          d.data, err);
		sl_buf_free(&d);
	}
	if (own_tx) {
		if (!rc)
			rc = sl_store_commit(st, err);
		else
			sl_store_rollback(st);
	}
	if (!rc && matched_out)
		snprintf(matched_out, 64, "%s", dext);
	return rc;
}
