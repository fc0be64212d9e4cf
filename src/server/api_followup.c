/* api_followup.c — HTTP endpoints under /api/v1/followup (issue 7, item 5:
 * baseline and follow-up of the pilot targets; docs/followup.md).
 *
 *   GET  /api/v1/followup[?from&to&unit&weeks=0|1&format=json|csv|csv-sv
 *                        &target_deliveries&target_fidelity&status_weeks]
 *   GET  /api/v1/followup/baselines[?unit=ID|default&history=1]
 *   POST /api/v1/followup/baselines  {"unit":ID|null,"from":D,"to":D,"note":…}
 *
 * The figures and their visibility come from sl_followup_compute with the
 * caller as viewer: the city and admins see every unit and the city total,
 * a unit token its own sites, a supplier token only its own deliveries and
 * orders (the units it serves and its own total).  Answers are kept in the
 * server's answer cache until the next import or baseline change.  Baselines are set by the
 * city and admins only; the library writes the audit_log row in the same
 * transaction as the change.  Bad input is a 400/404 problem, never a 500.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "samlast/pooling.h"
#include "internal.h"

#define MAX_FU_ARGS 10

static int followup_viewer(const sv_req *r, sl_pooling_viewer *v)
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
		v->kind = SL_VIEWER_SUPPLIER;
		return r->org_id ? 0 : -1;
	default:
		v->kind = SL_VIEWER_PUBLIC;
		return -1;
	}
}

static int is_city(const sv_req *r)
{
	return r->role == SL_ROLE_CITY || r->role == SL_ROLE_ADMIN;
}

static enum MHD_Result refuse_role(sv_req *r, const char *what)
{
	char msg[160];
	if (!r->token_id) {
		snprintf(msg, sizeof msg, "%s needs a bearer token", what);
		return sv_problem(r, 401, msg, NULL);
	}
	snprintf(msg, sizeof msg, "%s is for the city and administrators", what);
	return sv_problem(r, 403, msg, NULL);
}

static int parse_pct(const char *s, double *v)
{
	char *end;
	*v = strtod(s, &end);
	return end != s && !*end && isfinite(*v) ? 0 : -1;
}

/* The answer cache (the server's, shared with the KPIs and ordering): a
 * city answer for the whole year takes about 2 s.  Keyed by role,
 * organisation and query; valid while no import has been committed and no
 * baseline set (the version combines both newest ids). */
static int cache_key(sv_req *r, char *key, size_t size)
{
	const char *keys[MAX_FU_ARGS + 1], *vals[MAX_FU_ARGS + 1];
	size_t n = sv_args(r, keys, vals, MAX_FU_ARGS);
	size_t kl = (size_t)snprintf(key, size, "followup|%d|%lld", (int)r->role, (long long)r->org_id);
	for (size_t i = 0; i < n && i < MAX_FU_ARGS && kl < size; i++)
		kl += (size_t)snprintf(key + kl, size - kl, "|%s=%s", keys[i], vals[i]);
	return kl < size - 1;
}

static int64_t store_version(sl_store *st)
{
	int64_t v = -1;
	if (sl_store_query_int64(st,
	                         "SELECT ((SELECT COALESCE(MAX(id), 0) FROM imports) * 4294967296 + "
	                         "(SELECT COALESCE(MAX(id), 0) FROM followup_baselines)) * 31 + "
	                         "(SELECT n FROM data_version WHERE id = 1)",
	                         &v, NULL))
		return -1;
	return v;
}

static int cache_get(sl_server *srv, const char *key, int64_t version, sl_buf *out, int *csv)
{
	int found = 0;
	pthread_mutex_lock(&srv->c_mu);
	for (size_t i = 0; i < sizeof srv->cache / sizeof srv->cache[0]; i++) {
		struct sv_cache_entry *e = &srv->cache[i];
		if (e->body && e->version == version && !strcmp(e->key, key)) {
			found = !sl_buf_append(out, e->body, e->len);
			*csv = e->csv;
			e->used = ++srv->cache_clock;
			break;
		}
	}
	pthread_mutex_unlock(&srv->c_mu);
	return found;
}

static void cache_put(sl_server *srv, const char *key, int64_t version, const sl_buf *b, int csv)
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
	victim->csv = csv;
	victim->used = ++srv->cache_clock;
	pthread_mutex_unlock(&srv->c_mu);
}

static enum MHD_Result followup_get(sv_req *r)
{
	sl_followup_query q;
	sl_followup_query_init(&q);
	if (followup_viewer(r, &q.viewer) < 0) {
		if (!r->token_id)
			return sv_problem(r, 401, "the follow-up needs a bearer token", NULL);
		return sv_problem(r, 403, "the follow-up is for the city, units and suppliers", NULL);
	}
	const char *keys[MAX_FU_ARGS + 1], *vals[MAX_FU_ARGS + 1];
	size_t n = sv_args(r, keys, vals, MAX_FU_ARGS);
	if (n > MAX_FU_ARGS)
		return sv_problem(r, 400, "too many query parameters", NULL);
	int weeks = 1;
	const char *format = "json";
	for (size_t i = 0; i < n; i++) {
		const char *k = keys[i], *v = vals[i];
		char msg[200];
		if (!k || !v || strlen(v) > 100)
			return sv_problem(r, 400, "malformed or too long query parameter", NULL);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(keys[j], k))
				return sv_problem(r, 400, "a parameter is given twice", NULL);
		if (!strcmp(k, "from") || !strcmp(k, "to")) {
			int64_t *day = !strcmp(k, "from") ? &q.from_day : &q.to_day;
			if (sl_date_parse(v, day, NULL)) {
				snprintf(msg, sizeof msg, "%s: '%.40s' is not a date YYYY-MM-DD", k, v);
				return sv_problem(r, 400, msg, NULL);
			}
		} else if (!strcmp(k, "unit")) {
			if (!*v)
				return sv_problem(r, 400, "unit: empty", NULL);
			q.unit = v;
		} else if (!strcmp(k, "weeks")) {
			if (strcmp(v, "0") && strcmp(v, "1"))
				return sv_problem(r, 400, "weeks must be 0 or 1", NULL);
			weeks = v[0] == '1';
		} else if (!strcmp(k, "format")) {
			if (strcmp(v, "json") && strcmp(v, "csv") && strcmp(v, "csv-sv"))
				return sv_problem(r, 400, "format must be json, csv or csv-sv", NULL);
			format = v;
		} else if (!strcmp(k, "target_deliveries") || !strcmp(k, "target_fidelity")) {
			double *t = k[7] == 'd' ? &q.target_deliveries_pct : &q.target_fidelity_pct;
			if (parse_pct(v, t)) {
				snprintf(msg, sizeof msg, "%s: '%.40s' is not a number", k, v);
				return sv_problem(r, 400, msg, NULL);
			}
		} else if (!strcmp(k, "status_weeks")) {
			int64_t w;
			if (sl_parse_int64(v, &w, NULL) || w < 1 || w > 52)
				return sv_problem(r, 400, "status_weeks must be 1..52", NULL);
			q.status_weeks = (int)w;
		} else {
			snprintf(msg, sizeof msg, "unknown parameter '%.40s' for the follow-up", k);
			return sv_problem(r, 400, msg, NULL);
		}
	}
	if ((q.from_day == SL_FOLLOWUP_NO_DAY) != (q.to_day == SL_FOLLOWUP_NO_DAY))
		return sv_problem(r, 400, "give both from and to, or neither", NULL);
	sl_store *st = sv_store_borrow(r->srv, 1);
	if (!st)
		return sv_problem(r, 503, "the database is busy or unavailable; retry later", NULL);
	char key[600];
	int cacheable = cache_key(r, key, sizeof key);
	int64_t version = cacheable ? store_version(st) : -1;
	sl_buf b = {0};
	int csv = strcmp(format, "json") != 0, cached_csv = 0;
	if (version >= 0 && cache_get(r->srv, key, version, &b, &cached_csv)) {
		sv_store_return(r->srv, st);
		return sv_respond(r, 200, cached_csv ? "text/csv; charset=utf-8" : "application/json", &b);
	}
	sl_error err = {0};
	sl_followup_result *res = NULL;
	int rc = sl_followup_compute(st, &q, &res, &err);
	sv_store_return(r->srv, st);
	if (rc)
		return sv_problem_code(r, rc, &err);
	rc = csv ? sl_followup_write_csv(res, !strcmp(format, "csv-sv") ? ';' : ',', &b)
	         : sl_followup_write_json(res, weeks, &b);
	sl_followup_result_free(res);
	if (rc) {
		sl_buf_free(&b);
		return sv_problem_code(r, rc, &err);
	}
	if (version >= 0)
		cache_put(r->srv, key, version, &b, csv);
	return sv_respond(r, 200, csv ? "text/csv; charset=utf-8" : "application/json", &b);
}

static enum MHD_Result baselines_get(sv_req *r)
{
	if (!is_city(r))
		return refuse_role(r, "the baselines list");
	const char *keys[MAX_FU_ARGS + 1], *vals[MAX_FU_ARGS + 1];
	size_t n = sv_args(r, keys, vals, MAX_FU_ARGS);
	if (n > 2)
		return sv_problem(r, 400, "too many query parameters (unit, history)", NULL);
	const char *unit = NULL;
	int history = 0;
	for (size_t i = 0; i < n; i++) {
		const char *k = keys[i], *v = vals[i];
		char msg[200];
		if (!k || !v || strlen(v) > 100)
			return sv_problem(r, 400, "malformed or too long query parameter", NULL);
		if (!strcmp(k, "unit"))
			unit = !strcmp(v, "default") ? "" : v;
		else if (!strcmp(k, "history")) {
			if (strcmp(v, "0") && strcmp(v, "1"))
				return sv_problem(r, 400, "history must be 0 or 1", NULL);
			history = v[0] == '1';
		} else {
			snprintf(msg, sizeof msg, "unknown parameter '%.40s' (use unit, history)", k);
			return sv_problem(r, 400, msg, NULL);
		}
	}
	sl_store *st = sv_store_borrow(r->srv, 1);
	if (!st)
		return sv_problem(r, 503, "the database is busy or unavailable; retry later", NULL);
	sl_error err = {0};
	sl_followup_baseline *bl = NULL;
	size_t nb = 0;
	int rc = sl_followup_baseline_list(st, unit, history, &bl, &nb, &err);
	sv_store_return(r->srv, st);
	if (rc)
		return sv_problem_code(r, rc, &err);
	sl_buf b = {0};
	rc = sl_followup_baselines_json(bl, nb, &b);
	free(bl);
	if (rc) {
		sl_buf_free(&b);
		return sv_problem_code(r, rc, &err);
	}
	return sv_respond(r, 200, "application/json", &b);
}

static enum MHD_Result baselines_post(sv_req *r)
{
	if (!is_city(r))
		return refuse_role(r, "setting a baseline");
	json_error_t jerr;
	json_t *j = r->body.len ? json_loadb(r->body.data, r->body.len, 0, &jerr) : NULL;
	if (!j || !json_is_object(j)) {
		json_decref(j);
		return sv_problem(r, 400,
		                  "the body must be a JSON object {\"unit\":ID|null,\"from\":\"YYYY-MM-DD\","
		                  "\"to\":\"YYYY-MM-DD\",\"note\":…}",
		                  NULL);
	}
	const char *key;
	json_t *val;
	char msg[300] = "";
	json_object_foreach(j, key, val)
	{
		if (msg[0])
			break;
		if (strcmp(key, "unit") && strcmp(key, "from") && strcmp(key, "to") && strcmp(key, "note"))
			snprintf(msg, sizeof msg, "unknown member '%.40s' (use unit, from, to, note)", key);
		else if (!json_is_string(val) && !json_is_null(val))
			snprintf(msg, sizeof msg, "member '%.40s' must be a string or null", key);
	}
	const char *unit = json_string_value(json_object_get(j, "unit"));
	const char *from_s = json_string_value(json_object_get(j, "from"));
	const char *to_s = json_string_value(json_object_get(j, "to"));
	const char *note = json_string_value(json_object_get(j, "note"));
	int64_t from = 0, to = 0;
	if (!msg[0] && (!from_s || !to_s))
		snprintf(msg, sizeof msg, "from and to are required (YYYY-MM-DD)");
	if (!msg[0] && sl_date_parse(from_s, &from, NULL))
		snprintf(msg, sizeof msg, "from: '%.40s' is not a date YYYY-MM-DD", from_s);
	if (!msg[0] && sl_date_parse(to_s, &to, NULL))
		snprintf(msg, sizeof msg, "to: '%.40s' is not a date YYYY-MM-DD", to_s);
	if (!msg[0] && unit && !*unit)
		snprintf(msg, sizeof msg, "unit: empty (use null for the city-wide default)");
	if (msg[0]) {
		json_decref(j);
		return sv_problem(r, 400, msg, NULL);
	}
	sl_store *st = sv_store_borrow(r->srv, 1);
	if (!st) {
		json_decref(j);
		return sv_problem(r, 503, "the database is busy or unavailable; retry later", NULL);
	}
	sl_error err = {0};
	sl_followup_actor actor = {.role = sl_role_name(r->role), .token_id = r->token_id,
	                           .org_id = r->org_id, .via = "api"};
	int64_t id = 0;
	int rc = sl_followup_baseline_set(st, unit, from, to, note, &actor, &id, &err);
	sl_followup_baseline *bl = NULL;
	size_t nb = 0;
	if (!rc)
		rc = sl_followup_baseline_list(st, unit ? unit : "", 0, &bl, &nb, &err);
	sv_store_return(r->srv, st);
	json_decref(j);
	if (rc)
		return sv_problem_code(r, rc, &err);
	sl_buf b = {0};
	rc = sl_followup_baselines_json(bl, nb, &b);
	free(bl);
	if (rc) {
		sl_buf_free(&b);
		return sv_problem_code(r, rc, &err);
	}
	return sv_respond(r, 201, "application/json", &b);
}

enum MHD_Result sv_api_followup(sv_req *r, const char *sub)
{
	int get = !strcmp(r->method, "GET") || !strcmp(r->method, "HEAD");
	if (!*sub) {
		if (!get)
			return sv_problem(r, 405, "use GET", NULL);
		return followup_get(r);
	}
	if (!strcmp(sub, "baselines")) {
		if (get)
			return baselines_get(r);
		if (!strcmp(r->method, "POST"))
			return baselines_post(r);
		return sv_problem(r, 405, "baselines are listed with GET and set with POST", NULL);
	}
	return sv_problem(r, 404, "no such resource", NULL);
}
