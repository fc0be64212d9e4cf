/* api_ordering.c — HTTP endpoints under /api/v1/ordering (issue 7, smarter
 * ordering): the delivery-day proposal per receiving unit and category as
 * JSON, and the same as an XLSX workbook for the units.
 *
 *   GET /api/v1/ordering[?from=D&to=D&joint=0|1]      application/json
 *   GET /api/v1/ordering/export.xlsx[?from=D&to=D]    the workbook
 *
 * The computing and the visibility are in the library (sl_ordering_compute
 * with the caller as viewer): the city and admins see every unit, a unit
 * token its own sites, a supplier token its own relations in its own
 * category; public callers get 401 and other roles 403.  The server's road
 * graph is used when it was started with one.  The workbook is written by
 * libxlsxwriter to a private temporary file, read back and removed.
 *
 * A JSON answer takes about half a second on the demo city, so it is kept in
 * the server's answer cache (the one the KPIs use) under the caller's role,
 * organisation and query, valid while no new import has been committed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "samlast/pooling.h"
#include "internal.h"

#define XLSX_TYPE    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define MAX_ORD_ARGS 8

/* The caller as a viewer of the proposal; 0, or -1 when the role may not
 * see proposals at all. */
static int ordering_viewer(const sv_req *r, sl_pooling_viewer *v)
{
	v->org_id = r->org_id;
	switch (r->role) {
	case SL_ROLE_ADMIN:
	case SL_ROLE_CITY:
		v->kind = SL_VIEWER_CITY;
		v->org_id = 0;
		return 0;
	case SL_ROLE_UNIT: v->kind = SL_VIEWER_UNIT; return r->org_id ? 0 : -1;
	case SL_ROLE_SUPPLIER: v->kind = SL_VIEWER_SUPPLIER; return r->org_id ? 0 : -1;
	default: v->kind = SL_VIEWER_PUBLIC; return -1;
	}
}

static enum MHD_Result parse_args(sv_req *r, sl_ordering_query *q, int *refused)
{
	const char *keys[MAX_ORD_ARGS + 1], *vals[MAX_ORD_ARGS + 1];
	size_t n = sv_args(r, keys, vals, MAX_ORD_ARGS);
	*refused = 1;
	if (n > MAX_ORD_ARGS)
		return sv_problem(r, 400, "too many query parameters", NULL);
	for (size_t i = 0; i < n; i++) {
		const char *k = keys[i], *v = vals[i];
		char msg[200];
		if (!k || !v || strlen(v) > 100)
			return sv_problem(r, 400, "malformed or too long query parameter", NULL);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(keys[j], k))
				return sv_problem(r, 400, "a parameter is given twice", NULL);
		if (!strcmp(k, "from") || !strcmp(k, "to")) {
			int64_t *day = !strcmp(k, "from") ? &q->from_day : &q->to_day;
			if (sl_date_parse(v, day, NULL)) {
				snprintf(msg, sizeof msg, "%s: '%.40s' is not a date YYYY-MM-DD", k,
				         v);
				return sv_problem(r, 400, msg, NULL);
			}
		} else if (!strcmp(k, "joint")) {
			if (strcmp(v, "0") && strcmp(v, "1"))
				return sv_problem(r, 400, "joint must be 0 or 1", NULL);
			q->joint = v[0] == '1';
		} else {
			snprintf(msg, sizeof msg, "unknown parameter '%.40s' for ordering", k);
			return sv_problem(r, 400, msg, NULL);
		}
	}
	if ((q->from_day == SL_ORDERING_NO_DAY) != (q->to_day == SL_ORDERING_NO_DAY))
		return sv_problem(r, 400, "give both from and to, or neither", NULL);
	*refused = 0;
	return MHD_YES;
}

/* Write the workbook to a temporary file and read it into out. */
static int xlsx_bytes(const sl_ordering_result *res, sl_buf *out, sl_error *err)
{
	char path[] = "/tmp/samlast-ordering-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return sl_error_set(err, SL_EIO, "cannot create a temporary file: %s",
		                    strerror(errno));
	close(fd);
	int rc = sl_ordering_write_xlsx(res, path, err);
	FILE *f = rc ? NULL : fopen(path, "rb");
	if (!rc && !f)
		rc = sl_error_set(err, SL_EIO, "cannot read the workbook back");
	if (f) {
		char chunk[16384];
		size_t n;
		while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
			if (sl_buf_append(out, chunk, n) < 0)
				rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		fclose(f);
	}
	unlink(path);
	return rc;
}

/* The cache key of a JSON answer, or 0 when the query is too long to key. */
static int cache_key(sv_req *r, char *key, size_t size)
{
	const char *keys[MAX_ORD_ARGS + 1], *vals[MAX_ORD_ARGS + 1];
	size_t n = sv_args(r, keys, vals, MAX_ORD_ARGS);
	size_t kl =
	    (size_t)snprintf(key, size, "ordering|%d|%lld", (int)r->role, (long long)r->org_id);
	for (size_t i = 0; i < n && i < MAX_ORD_ARGS && kl < size; i++)
		kl += (size_t)snprintf(key + kl, size - kl, "|%s=%s", keys[i], vals[i]);
	return kl < size - 1;
}

static int64_t store_version(sl_server *srv, sl_store *st)
{
	int64_t v = -1;
	sl_stmt *q =
	    sv_cached_stmt(srv, st, SV_STMT_VERSION, SV_VERSION_SQL);
	if (q && sl_stmt_step(q, NULL) == 1)
		v = sl_stmt_int64(q, 0);
	if (q)
		sl_stmt_reset(q);
	return v;
}

static int cache_get(sl_server *srv, const char *key, int64_t version, sl_buf *out)
{
	int found = 0;
	pthread_mutex_lock(&srv->c_mu);
	for (size_t i = 0; i < sizeof srv->cache / sizeof srv->cache[0]; i++) {
		struct sv_cache_entry *e = &srv->cache[i];
		if (e->body && e->version == version && !strcmp(e->key, key)) {
			found = !sl_buf_append(out, e->body, e->len);
			e->used = ++srv->cache_clock;
			break;
		}
	}
	pthread_mutex_unlock(&srv->c_mu);
	return found;
}

static void cache_put(sl_server *srv, const char *key, int64_t version, const sl_buf *b)
{
	char *copy = malloc(b->len + 1);
	if (!copy)
		return; /* only a missed cache */
	memcpy(copy, b->data, b->len + 1);
	pthread_mutex_lock(&srv->c_mu);
	struct sv_cache_entry *victim = &srv->cache[0];
	for (size_t i = 0; i < sizeof srv->cache / sizeof srv->cache[0]; i++) {
		if (!srv->cache[i].body) {
			victim = &srv->cache[i];
			break;
		}
		if (srv->cache[i].used < victim->used)
			victim = &srv->cache[i];
	}
	free(victim->body);
	snprintf(victim->key, sizeof victim->key, "%s", key);
	victim->version = version;
	victim->body = copy;
	victim->len = b->len;
	victim->csv = 0;
	victim->used = ++srv->cache_clock;
	pthread_mutex_unlock(&srv->c_mu);
}

enum MHD_Result sv_api_ordering(sv_req *r, const char *sub)
{
	int xlsx = 0;
	if (!strcmp(sub, "export.xlsx"))
		xlsx = 1;
	else if (*sub)
		return sv_problem(r, 404, "no such resource", NULL);
	if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD"))
		return sv_problem(r, 405, "use GET", NULL);
	sl_ordering_query q;
	sl_ordering_query_init(&q);
	if (ordering_viewer(r, &q.viewer) < 0) {
		if (!r->token_id)
			return sv_problem(r, 401, "ordering proposals need a bearer token", NULL);
		return sv_problem(r, 403,
		                  "ordering proposals are for the city, units and suppliers", NULL);
	}
	int refused;
	enum MHD_Result ret = parse_args(r, &q, &refused);
	if (refused)
		return ret;
	q.graph = r->srv->graph;
	sl_store *st = sv_store_borrow(r->srv, 1);
	if (!st)
		return sv_problem(r, 503, "the database is busy or unavailable; retry later", NULL);
	char key[600];
	int cacheable = !xlsx && cache_key(r, key, sizeof key);
	int64_t version = cacheable ? store_version(r->srv, st) : -1;
	if (version < 0)
		cacheable = 0;
	sl_buf b = {0};
	if (cacheable && cache_get(r->srv, key, version, &b)) {
		sv_store_return(r->srv, st);
		return sv_respond(r, 200, "application/json", &b);
	}
	sl_error err = {0};
	sl_ordering_result *res = NULL;
	int rc = sl_ordering_compute(st, &q, &res, &err);
	sv_store_return(r->srv, st);
	if (rc)
		return sv_problem_code(r, rc, &err);
	rc = xlsx ? xlsx_bytes(res, &b, &err) : sl_ordering_write_json(res, &b);
	sl_ordering_result_free(res);
	if (rc) {
		sl_buf_free(&b);
		return sv_problem_code(r, rc, &err);
	}
	if (cacheable)
		cache_put(r->srv, key, version, &b);
	return sv_respond(r, 200, xlsx ? XLSX_TYPE : "application/json", &b);
}
