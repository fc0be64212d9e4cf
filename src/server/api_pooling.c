/* api_pooling.c — HTTP endpoints under /api/v1/pooling (issue 7, the
 * groupage place; docs/pooling.md):
 *
 *   GET    /pooling/board?date=D[&site=S][&radius_m=R][&small_kg=K]
 *   POST   /pooling/announcements          (deliveries CSV/JSON, status announced)
 *   POST   /pooling/announcements/confirm  {"supplier","id","delivery"?,"pooled"?}
 *   GET    /pooling/shares[?history=1]
 *   POST   /pooling/shares                 {"owner"?,"grantee","note"?}
 *   DELETE /pooling/shares/{id}
 *   *      /pooling/opportunities...       sv_api_opportunities (api_opportunities.c)
 *
 * What a caller sees is decided by the library from the viewer sv_viewer
 * gives (role rules of docs/pooling.md).  Announcements get the uploads'
 * rules: admin or supplier tokens, a supplier only its own rows (the
 * ledger's restrict_org), errors as line/field/reason with the store
 * unchanged, and an audit_log row in the same transaction as the batch.
 * Bad input is a 4xx problem, never a 500.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "samlast/pooling.h"
#include "internal.h"

int sv_viewer(const sv_req *r, sl_pooling_viewer *v)
{
	v->org_id = r->org_id;
	switch (r->role) {
	case SL_ROLE_ADMIN:
	case SL_ROLE_CITY:
		v->kind = SL_VIEWER_CITY;
		v->org_id = 0;
		return 0;
	case SL_ROLE_UNIT:
		v->kind = SL_VIEWER_UNIT;
		return r->org_id ? 0 : -1;
	case SL_ROLE_SUPPLIER:
		/* A supplier-role token issued to a carrier organisation sees
		 * what a carrier may: the rows it carried and what its
		 * customers shared with it. */
		v->kind = r->org_is_carrier ? SL_VIEWER_CARRIER : SL_VIEWER_SUPPLIER;
		return r->org_id ? 0 : -1;
	default:
		v->kind = SL_VIEWER_PUBLIC;
		return -1;
	}
}

static enum MHD_Result need_token(sv_req *r, const char *what, const char *who)
{
	char msg[200];
	if (!r->token_id) {
		snprintf(msg, sizeof msg, "%s needs a bearer token", what);
		return sv_problem(r, 401, msg, NULL);
	}
	snprintf(msg, sizeof msg, "%s is for %s", what, who);
	return sv_problem(r, 403, msg, NULL);
}

static void actor_of(const sv_req *r, sl_board_actor *a)
{
	a->role = sl_role_name(r->role);
	a->token_id = r->token_id;
	a->org_id = r->org_id;
	a->via = "api";
}

static enum MHD_Result board_get(sv_req *r)
{
	sl_board_query q;
	sl_board_query_init(&q);
	if (sv_viewer(r, &q.viewer) < 0)
		return need_token(r, "the board", "the city, units and suppliers");
	const char *keys[9], *vals[9];
	size_t n = sv_args(r, keys, vals, 8);
	if (n > 8)
		return sv_problem(r, 400, "too many query parameters", NULL);
	int have_day = 0;
	char msg[200];
	for (size_t i = 0; i < n; i++) {
		const char *k = keys[i], *v = vals[i];
		if (!k || !v || strlen(v) > 100)
			return sv_problem(r, 400, "malformed or too long query parameter", NULL);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(keys[j], k))
				return sv_problem(r, 400, "a parameter is given twice", NULL);
		if (!strcmp(k, "date")) {
			if (sl_date_parse(v, &q.day, NULL)) {
				snprintf(msg, sizeof msg, "date: '%.40s' is not a date YYYY-MM-DD", v);
				return sv_problem(r, 400, msg, NULL);
			}
			have_day = 1;
		} else if (!strcmp(k, "site")) {
			if (!*v)
				return sv_problem(r, 400, "site: empty", NULL);
			q.site = v;
		} else if (!strcmp(k, "radius_m") || !strcmp(k, "small_kg")) {
			double x;
			if (sl_parse_double(v, 0, &x, NULL) || !(x >= 0 && x <= 50000)) {
				snprintf(msg, sizeof msg, "%s must be a number 0..50000", k);
				return sv_problem(r, 400, msg, NULL);
			}
			if (k[0] == 'r')
				q.radius_m = x;
			else
				q.small_kg = x;
		} else {
			snprintf(msg, sizeof msg,
			         "unknown parameter '%.40s' for the board (date, site, radius_m, small_kg)", k);
			return sv_problem(r, 400, msg, NULL);
		}
	}
	if (!have_day)
		return sv_problem(r, 400, "date=YYYY-MM-DD is required", NULL);
	sl_store *st = sv_store_borrow(r->srv, 1);
	if (!st)
		return sv_problem(r, 503, "the database is busy or unavailable; retry later", NULL);
	sl_error err = {0};
	sl_board *b = NULL;
	int rc = sl_board_compute(st, &q, &b, &err);
	sv_store_return(r->srv, st);
	if (rc)
		return sv_problem_code(r, rc, &err);
	sl_buf o = {0};
	rc = sl_board_write_json(b, &o);
	sl_board_free(b);
	if (rc) {
		sl_buf_free(&o);
		return sv_problem(r, 503, "out of memory", NULL);
	}
	return sv_respond(r, 200, "application/json", &o);
}

static int write_errors(sl_buf *b, const sl_import_result *res)
{
	int rc = sl_buf_puts(b, "\"errors\":[");
	for (size_t i = 0; i < res->error_count && !rc; i++) {
		const sl_row_error *e = &res->errors[i];
		rc |= sl_buf_printf(b, "%s{\"line\":%ld,\"column\":%ld,\"field\":", i ? "," : "", e->line,
		                    e->column);
		rc |= e->field[0] ? sl_buf_json_string(b, e->field) : sl_buf_puts(b, "null");
		rc |= sl_buf_puts(b, ",\"reason\":");
		rc |= sl_buf_json_string(b, e->message);
		rc |= sl_buf_putc(b, '}');
	}
	rc |= sl_buf_putc(b, ']');
	return rc;
}

static enum MHD_Result announcements_post(sv_req *r)
{
	if (strcmp(r->method, "POST"))
		return sv_problem(r, 405, "announcements are sent with POST", NULL);
	if (r->role != SL_ROLE_ADMIN && r->role != SL_ROLE_SUPPLIER)
		return need_token(r, "announcing deliveries", "suppliers and administrators");
	if (r->role == SL_ROLE_SUPPLIER && !r->org_ext[0])
		return sv_problem(r, 403, "this supplier token has no organisation", NULL);
	if (r->too_large)
		return sv_problem(r, 413, "the body is larger than the server accepts for announcements", NULL);
	const char *keys[5], *vals[5];
	size_t n = sv_args(r, keys, vals, 4);
	int accept = 0;
	for (size_t i = 0; i < n; i++) {
		if (!keys[i] || strcmp(keys[i], "accept_valid") || !vals[i])
			return sv_problem(r, 400, "unknown parameter (announcements take accept_valid)", NULL);
		if (!strcmp(vals[i], "true") || !strcmp(vals[i], "1"))
			accept = 1;
		else if (strcmp(vals[i], "false") && strcmp(vals[i], "0"))
			return sv_problem(r, 400, "accept_valid must be true or false", NULL);
	}
	sl_import_opts o;
	memset(&o, 0, sizeof o);
	o.kind = SL_KIND_DELIVERIES;
	o.format = SL_FORMAT_AUTO;
	const char *ct =
	    MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (ct) {
		if (!strncmp(ct, "text/csv", 8))
			o.format = SL_FORMAT_CSV;
		else if (!strncmp(ct, "application/json", 16))
			o.format = SL_FORMAT_JSON;
		else if (strncmp(ct, "text/plain", 10) && strncmp(ct, "application/octet-stream", 24))
			return sv_problem(r, 415, "use text/csv or application/json", NULL);
	}
	if (!r->body.len)
		return sv_problem(r, 400, "the body is empty (deliveries CSV or JSON with status announced)",
		                  NULL);
	char actor[160];
	snprintf(actor, sizeof actor, "api:%s:%s:token%lld", sl_role_name(r->role),
	         r->org_ext[0] ? r->org_ext : "-", (long long)r->token_id);
	o.source_name = "announcements";
	o.accept_valid = accept;
	o.max_errors = 1000;
	o.restrict_org = r->role == SL_ROLE_SUPPLIER ? r->org_ext : NULL;
	o.actor = actor;
	sl_store *st = sv_store_borrow(r->srv, 1);
	if (!st)
		return sv_problem(r, 503, "the database is busy or unavailable; retry later", NULL);
	sl_error err = {0};
	sl_import_result res;
	memset(&res, 0, sizeof res);
	int rc = sl_store_begin(st, &err);
	if (!rc) {
		rc = sl_announce_import(st, &o, r->body.data, r->body.len, &res, &err);
		if (!rc && res.committed) {
			char ids[64], detail[200];
			snprintf(ids, sizeof ids, "{\"import_id\":%lld}", (long long)res.import_id);
			snprintf(detail, sizeof detail,
			         "{\"rows\":%ld,\"inserted\":%ld,\"updated\":%ld,\"unchanged\":%ld,"
			         "\"rejected\":%ld}",
			         res.rows, res.inserted, res.updated, res.unchanged, res.rejected);
			rc = sv_audit(st, r, "import", "announcements", ids, detail, &err);
		}
		if (!rc)
			rc = sl_store_commit(st, &err);
		else
			sl_store_rollback(st);
	}
	sv_store_return(r->srv, st);
	sl_buf b = {0};
	int mrc = 0;
	char counts[300];
	snprintf(counts, sizeof counts,
	         "\"kind\":\"announcements\",\"rows\":%ld,\"inserted\":%ld,\"updated\":%ld,"
	         "\"unchanged\":%ld,\"rejected\":%ld,\"error_total\":%zu,",
	         res.rows, res.inserted, res.updated, res.unchanged, res.rejected, res.error_total);
	enum MHD_Result ret;
	if (rc == 0) {
		mrc |= sl_buf_printf(&b, "{\"committed\":%s,", res.committed ? "true" : "false");
		if (res.committed)
			mrc |= sl_buf_printf(&b, "\"import_id\":%lld,", (long long)res.import_id);
		mrc |= sl_buf_puts(&b, counts);
		mrc |= write_errors(&b, &res);
		mrc |= sl_buf_puts(&b, "}\n");
		ret = mrc ? sv_problem(r, 503, "out of memory", NULL) : sv_respond(r, 200, "application/json", &b);
	} else if (rc == SL_EINVAL && res.error_total) {
		mrc |= sl_buf_puts(&b, "\"committed\":false,");
		mrc |= sl_buf_puts(&b, counts);
		mrc |= write_errors(&b, &res);
		char detail[900];
		snprintf(detail, sizeof detail, "%zu error(s) in the announcements; nothing was imported",
		         res.error_total);
		ret = mrc ? sv_problem(r, 503, "out of memory", NULL) : sv_problem(r, 422, detail, b.data);
	} else {
		ret = sv_problem_code(r, rc, &err);
	}
	sl_buf_free(&b);
	sl_import_result_free(&res);
	return ret;
}

static json_t *body_object(sv_req *r)
{
	json_error_t jerr;
	json_t *j = r->body.len ? json_loadb(r->body.data, r->body.len, 0, &jerr) : NULL;
	if (j && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

/* Members of j must be among `allowed` (NULL-terminated) and strings or,
 * for `flag`, booleans.  0 or a message in msg. */
static int check_members(json_t *j, const char *const *allowed, const char *flag, char *msg,
                         size_t cap)
{
	const char *key;
	json_t *val;
	json_object_foreach(j, key, val)
	{
		int ok = 0;
		for (size_t i = 0; allowed[i]; i++)
			ok |= !strcmp(key, allowed[i]);
		if (!ok) {
			snprintf(msg, cap, "unknown member '%.40s'", key);
			return -1;
		}
		if (flag && !strcmp(key, flag) ? !json_is_boolean(val) : !json_is_string(val)) {
			snprintf(msg, cap, "member '%.40s' has the wrong type", key);
			return -1;
		}
		if (json_is_string(val) && strlen(json_string_value(val)) > 200) {
			snprintf(msg, cap, "member '%.40s' is too long", key);
			return -1;
		}
	}
	return 0;
}

static enum MHD_Result confirm_post(sv_req *r)
{
	if (strcmp(r->method, "POST"))
		return sv_problem(r, 405, "confirmations are sent with POST", NULL);
	if (r->role != SL_ROLE_ADMIN && r->role != SL_ROLE_CITY && r->role != SL_ROLE_SUPPLIER)
		return need_token(r, "confirming an announcement", "suppliers, the city and administrators");
	json_t *j = body_object(r);
	static const char *const allowed[] = {"supplier", "id", "delivery", "pooled", NULL};
	char msg[200] = "";
	if (!j)
		snprintf(msg, sizeof msg,
		         "the body must be a JSON object {\"supplier\",\"id\",\"delivery\"?,\"pooled\"?}");
	else
		check_members(j, allowed, "pooled", msg, sizeof msg);
	const char *sup = json_string_value(json_object_get(j, "supplier"));
	const char *id = json_string_value(json_object_get(j, "id"));
	const char *del = json_string_value(json_object_get(j, "delivery"));
	int pooled = json_is_true(json_object_get(j, "pooled"));
	if (!msg[0] && r->role == SL_ROLE_SUPPLIER && !sup)
		sup = r->org_ext;
	if (!msg[0] && (!sup || !id || !*sup || !*id))
		snprintf(msg, sizeof msg, "supplier and id are required");
	if (msg[0]) {
		json_decref(j);
		return sv_problem(r, 400, msg, NULL);
	}
	if (r->role == SL_ROLE_SUPPLIER && strcmp(sup, r->org_ext)) {
		json_decref(j);
		return sv_problem(r, 403, "a supplier confirms only its own announcements", NULL);
	}
	sl_store *st = sv_store_borrow(r->srv, 1);
	if (!st) {
		json_decref(j);
		return sv_problem(r, 503, "the database is busy or unavailable; retry later", NULL);
	}
	sl_board_actor a;
	actor_of(r, &a);
	sl_error err = {0};
	char matched[64] = "";
	int rc = sl_announce_confirm(st, sup, id, del, pooled, &a, matched, &err);
	sv_store_return(r->srv, st);
	if (rc) {
		json_decref(j);
		return sv_problem_code(r, rc, &err);
	}
	sl_buf b = {0};
	int mrc = sl_buf_puts(&b, "{\"supplier\":");
	mrc |= sl_buf_json_string(&b, sup);
	mrc |= sl_buf_puts(&b, ",\"announcement\":");
	mrc |= sl_buf_json_string(&b, id);
	mrc |= sl_buf_puts(&b, ",\"delivery\":");
	mrc |= sl_buf_json_string(&b, matched);
	mrc |= sl_buf_printf(&b, ",\"pooled\":%s}\n", pooled ? "true" : "false");
	json_decref(j);
	if (mrc) {
		sl_buf_free(&b);
		return sv_problem(r, 503, "out of memory", NULL);
	}
	return sv_respond(r, 200, "application/json", &b);
}

static int shares_json(sl_buf *b, const sl_share *s, size_t n)
{
	int rc = sl_buf_puts(b, "{\"shares\":[");
	for (size_t i = 0; i < n && !rc; i++) {
		rc |= sl_buf_printf(b, "%s{\"id\":%lld,\"owner\":", i ? "," : "", (long long)s[i].id);
		rc |= sl_buf_json_string(b, s[i].owner);
		rc |= sl_buf_puts(b, ",\"grantee\":");
		rc |= sl_buf_json_string(b, s[i].grantee);
		rc |= sl_buf_printf(b, ",\"granted_at\":%lld,\"granted_by\":", (long long)s[i].granted_at);
		rc |= sl_buf_json_string(b, s[i].granted_by);
		if (s[i].revoked_at) {
			rc |= sl_buf_printf(b, ",\"revoked_at\":%lld,\"revoked_by\":", (long long)s[i].revoked_at);
			rc |= sl_buf_json_string(b, s[i].revoked_by);
		} else {
			rc |= sl_buf_puts(b, ",\"revoked_at\":null,\"revoked_by\":null");
		}
		rc |= sl_buf_puts(b, ",\"note\":");
		rc |= sl_buf_json_string(b, s[i].note);
		rc |= sl_buf_putc(b, '}');
	}
	rc |= sl_buf_puts(b, "]}\n");
	return rc;
}

static int is_city(const sv_req *r)
{
	return r->role == SL_ROLE_ADMIN || r->role == SL_ROLE_CITY;
}

static enum MHD_Result shares(sv_req *r, const char *id)
{
	if (!is_city(r) && r->role != SL_ROLE_SUPPLIER)
		return need_token(r, "sharing", "suppliers, the city and administrators");
	if (r->role == SL_ROLE_SUPPLIER && !r->org_ext[0])
		return sv_problem(r, 403, "this supplier token has no organisation", NULL);
	const char *org = is_city(r) ? NULL : r->org_ext;
	sl_error err = {0};
	int rc;
	if (id) {
		if (strcmp(r->method, "DELETE"))
			return sv_problem(r, 405, "a share is revoked with DELETE", NULL);
		int64_t sid;
		if (sl_parse_int64(id, &sid, NULL) || sid <= 0)
			return sv_problem(r, 404, "no such row: share ids are positive integers", NULL);
		sl_store *st = sv_store_borrow(r->srv, 1);
		if (!st)
			return sv_problem(r, 503, "the database is busy or unavailable; retry later", NULL);
		sl_share *list = NULL;
		size_t n = 0;
		rc = sl_share_list(st, org, 0, &list, &n, &err);
		const sl_share *hit = NULL;
		for (size_t i = 0; !rc && i < n; i++)
			if (list[i].id == sid)
				hit = &list[i];
		if (!rc && !hit)
			rc = sl_error_set(&err, SL_ENOTFOUND, "no such row: no open share %lld of yours",
			                  (long long)sid);
		if (!rc && org && strcmp(hit->owner, org))
			rc = sl_error_set(&err, SL_EPERM, "only the owner revokes a share");
		if (!rc) {
			sl_board_actor a;
			actor_of(r, &a);
			rc = sl_share_revoke(st, hit->owner, hit->grantee, &a, &err);
		}
		free(list);
		sv_store_return(r->srv, st);
		if (rc)
			return sv_problem_code(r, rc, &err);
		return sv_respond(r, 204, NULL, NULL);
	}
	if (!strcmp(r->method, "GET")) {
		const char *keys[3], *vals[3];
		size_t n = sv_args(r, keys, vals, 2);
		int history = 0;
		for (size_t i = 0; i < n; i++) {
			if (!keys[i] || strcmp(keys[i], "history") || !vals[i] ||
			    (strcmp(vals[i], "0") && strcmp(vals[i], "1")))
				return sv_problem(r, 400, "shares take history=0|1 only", NULL);
			history = vals[i][0] == '1';
		}
		sl_store *st = sv_store_borrow(r->srv, 1);
		if (!st)
			return sv_problem(r, 503, "the database is busy or unavailable; retry later", NULL);
		sl_share *list = NULL;
		size_t cnt = 0;
		rc = sl_share_list(st, org, history, &list, &cnt, &err);
		sv_store_return(r->srv, st);
		if (rc)
			return sv_problem_code(r, rc, &err);
		sl_buf b = {0};
		rc = shares_json(&b, list, cnt);
		free(list);
		if (rc) {
			sl_buf_free(&b);
			return sv_problem(r, 503, "out of memory", NULL);
		}
		return sv_respond(r, 200, "application/json", &b);
	}
	if (strcmp(r->method, "POST"))
		return sv_problem(r, 405, "shares are listed with GET and granted with POST", NULL);
	json_t *j = body_object(r);
	static const char *const allowed[] = {"owner", "grantee", "note", NULL};
	char msg[200] = "";
	if (!j)
		snprintf(msg, sizeof msg, "the body must be a JSON object {\"owner\"?,\"grantee\",\"note\"?}");
	else
		check_members(j, allowed, NULL, msg, sizeof msg);
	const char *owner = json_string_value(json_object_get(j, "owner"));
	const char *grantee = json_string_value(json_object_get(j, "grantee"));
	const char *note = json_string_value(json_object_get(j, "note"));
	if (!msg[0] && !owner)
		owner = org;
	if (!msg[0] && (!owner || !grantee || !*owner || !*grantee))
		snprintf(msg, sizeof msg, "owner and grantee are required");
	if (msg[0]) {
		json_decref(j);
		return sv_problem(r, 400, msg, NULL);
	}
	if (org && strcmp(owner, org)) {
		json_decref(j);
		return sv_problem(r, 403, "a supplier shares only its own deliveries", NULL);
	}
	sl_store *st = sv_store_borrow(r->srv, 1);
	if (!st) {
		json_decref(j);
		return sv_problem(r, 503, "the database is busy or unavailable; retry later", NULL);
	}
	sl_board_actor a;
	actor_of(r, &a);
	int64_t sid = 0;
	rc = sl_share_grant(st, owner, grantee, note, &a, &sid, &err);
	sv_store_return(r->srv, st);
	sl_buf b = {0};
	int mrc = 0;
	if (!rc) {
		mrc |= sl_buf_printf(&b, "{\"id\":%lld,\"owner\":", (long long)sid);
		mrc |= sl_buf_json_string(&b, owner);
		mrc |= sl_buf_puts(&b, ",\"grantee\":");
		mrc |= sl_buf_json_string(&b, grantee);
		mrc |= sl_buf_puts(&b, "}\n");
	}
	json_decref(j);
	if (rc) {
		sl_buf_free(&b);
		return sv_problem_code(r, rc, &err);
	}
	if (mrc) {
		sl_buf_free(&b);
		return sv_problem(r, 503, "out of memory", NULL);
	}
	return sv_respond(r, 201, "application/json", &b);
}

enum MHD_Result sv_api_pooling(sv_req *r, const char *sub)
{
	if (!sub)
		sub = "";
	if (!strcmp(sub, "opportunities") || !strncmp(sub, "opportunities/", 14))
		return sv_api_opportunities(r);
	if (!strcmp(sub, "board")) {
		if (strcmp(r->method, "GET"))
			return sv_problem(r, 405, "the board is read with GET", NULL);
		return board_get(r);
	}
	if (!strcmp(sub, "announcements"))
		return announcements_post(r);
	if (!strcmp(sub, "announcements/confirm"))
		return confirm_post(r);
	if (!strcmp(sub, "shares"))
		return shares(r, NULL);
	if (!strncmp(sub, "shares/", 7) && sub[7] && !strchr(sub + 7, '/'))
		return shares(r, sub + 7);
	return sv_problem(r, 404, "no such resource", NULL);
}
