/* api_opportunities.c — GET /api/v1/pooling/opportunities (issue 7, item 3):
 * the pooling opportunities of a day or a few days with their routed
 * savings, as JSON, for the caller's role.
 *
 *   GET /api/v1/pooling/opportunities?date=YYYY-MM-DD[&days=N][&radius=M]
 *
 * The board's dispatcher (api_pooling.c) calls sv_api_opportunities for the
 * sub-path "opportunities".  The computing and the visibility are in the
 * library (sl_pooling_opportunities_compute with the caller as viewer):
 * city and admin tokens see everything, a supplier token the opportunities
 * it is part of (others anonymised unless they opted in), a unit token those
 * at its sites, a token of a carrier organisation those of the suppliers
 * that share with it (the role mapping is the board's sv_viewer); callers
 * without a token get 401.  The server's road graph is
 * used when it was started with one, else great circle x 1.3 (the answer
 * says which).  A week takes seconds, so answers are kept in the server's
 * answer cache per role, organisation and query until the next import.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samlast/pooling.h"
#include "internal.h"

#define MAX_OPP_ARGS 6

static enum MHD_Result parse_args(sv_req *r, sl_opp_query *q, int *refused)
{
	const char *keys[MAX_OPP_ARGS + 1], *vals[MAX_OPP_ARGS + 1];
	size_t n = sv_args(r, keys, vals, MAX_OPP_ARGS);
	*refused = 1;
	if (n > MAX_OPP_ARGS)
		return sv_problem(r, 400, "too many query parameters", NULL);
	for (size_t i = 0; i < n; i++) {
		const char *k = keys[i], *v = vals[i];
		char msg[200];
		int64_t x;
		if (!k || !v || strlen(v) > 40)
			return sv_problem(r, 400, "malformed or too long query parameter", NULL);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(keys[j], k))
				return sv_problem(r, 400, "a parameter is given twice", NULL);
		if (!strcmp(k, "date")) {
			if (sl_date_parse(v, &q->day, NULL)) {
				snprintf(msg, sizeof msg, "date: '%.40s' is not a date YYYY-MM-DD", v);
				return sv_problem(r, 400, msg, NULL);
			}
		} else if (!strcmp(k, "days")) {
			if (sl_parse_int64(v, &x, NULL) || x < 1 || x > 7)
				return sv_problem(r, 400, "days must be a whole number 1..7", NULL);
			q->days = (int)x;
		} else if (!strcmp(k, "radius")) {
			if (sl_parse_int64(v, &x, NULL) || x < 0 || x > 50000)
				return sv_problem(r, 400, "radius must be 0..50000 (metres)", NULL);
			q->radius_m = (double)x;
		} else {
			snprintf(msg, sizeof msg, "unknown parameter '%.40s' for opportunities", k);
			return sv_problem(r, 400, msg, NULL);
		}
	}
	if (q->day == INT64_MIN)
		return sv_problem(r, 400, "date is required (YYYY-MM-DD)", NULL);
	*refused = 0;
	return MHD_YES;
}

static int cache_key(sv_req *r, char *key, size_t size)
{
	const char *keys[MAX_OPP_ARGS + 1], *vals[MAX_OPP_ARGS + 1];
	size_t n = sv_args(r, keys, vals, MAX_OPP_ARGS);
	size_t kl = (size_t)snprintf(key, size, "opportunities|%d|%d|%lld", (int)r->role,
	                             r->org_is_carrier, (long long)r->org_id);
	for (size_t i = 0; i < n && i < MAX_OPP_ARGS && kl < size; i++)
		kl += (size_t)snprintf(key + kl, size - kl, "|%s=%s", keys[i], vals[i]);
	return kl < size - 1;
}

/* The store version (imports and recomputed data) and the newest grant
 * change: an answer is valid while neither moves (a revoked grant must stop
 * showing at once). */
static int64_t store_version(sl_store *st)
{
	int64_t v = -1, g = 0;
	if (sl_store_query_int64(st, SV_VERSION_SQL, &v, NULL) < 0)
		return -1;
	if (sl_store_query_int64(st,
	                         "SELECT COALESCE(MAX(MAX(granted_at, COALESCE(revoked_at, 0))), 0) "
	                         "+ COUNT(*) FROM pooling_shares", &g, NULL) < 0)
		g = 0;
	return v * 1000003 + g;
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

enum MHD_Result sv_api_opportunities(sv_req *r)
{
	if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD"))
		return sv_problem(r, 405, "use GET", NULL);
	sl_opp_query q;
	sl_opp_query_init(&q);
	if (sv_viewer(r, &q.viewer) < 0) {
		if (!r->token_id)
			return sv_problem(r, 401, "pooling opportunities need a bearer token", NULL);
		return sv_problem(r, 403,
		                  "pooling opportunities are for the city, units, suppliers and carriers",
		                  NULL);
	}
	int refused;
	enum MHD_Result ret = parse_args(r, &q, &refused);
	if (refused)
		return ret;
	q.graph = r->srv->graph;
	sl_store *st = sv_store_borrow(r->srv, 1);
	if (!st)
		return sv_problem(r, 503, "the database is busy or unavailable; retry later", NULL);
	char key[400];
	/* the viewer kind is part of the key: a carrier's supplier-role token */
	int cacheable = cache_key(r, key, sizeof key);
	int64_t version = cacheable ? store_version(st) : -1;
	if (version < 0)
		cacheable = 0;
	sl_buf b = {0};
	if (cacheable && cache_get(r->srv, key, version, &b)) {
		sv_store_return(r->srv, st);
		return sv_respond(r, 200, "application/json", &b);
	}
	sl_error err = {0};
	sl_pooling_opportunities *res = NULL;
	int rc = sl_pooling_opportunities_compute(st, &q, &res, &err);
	sv_store_return(r->srv, st);
	if (rc)
		return sv_problem_code(r, rc, &err);
	rc = sl_pooling_opportunities_json(res, &b);
	sl_pooling_opportunities_free(res);
	if (rc) {
		sl_buf_free(&b);
		sl_error_set(&err, rc, "out of memory");
		return sv_problem_code(r, rc, &err);
	}
	if (cacheable)
		cache_put(r->srv, key, version, &b);
	return sv_respond(r, 200, "application/json", &b);
}
