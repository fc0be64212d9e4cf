/* test_server.c — the HTTP server in-process: real requests over loopback.
 *
 * Each test builds a fixture store (schema migrations + the SQL of
 * tests/fixtures/server/fixture.sql) in /tmp, creates one token per role,
 * starts the server on a free port and talks HTTP/1.1 through a tiny socket
 * client.  Covered: health and metrics, the role × endpoint matrix, that a
 * supplier cannot read, overwrite or upload as another supplier, problem+json
 * for bad input (never 500), cursor paging, GeoJSON, KPI suppression of
 * aggregates covering fewer than three suppliers, streamed imports with
 * row-level errors, the audit log, and the OpenAPI document against the
 * routes.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "samlast/server.h"
#include "samlast/store.h"

static char db_path[256];
static sl_server *srv;
static char tok_admin[96], tok_city[96], tok_s1[96], tok_s2[96], tok_u1[96], tok_pub[96];

typedef struct {
	int status;
	char ctype[128];
	char *body;
	size_t body_len;
} resp_t;

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	cr_assert(s);
	size_t got = fread(s, 1, (size_t)n, f);
	s[got] = 0;
	fclose(f);
	return s;
}

static void setup(void)
{
	snprintf(db_path, sizeof db_path, "/tmp/sl_server_test_%d.db", (int)getpid());
	unlink(db_path);
	sl_store *st;
	sl_error err = {0};
	cr_assert_eq(sl_store_open(db_path, &st, &err), 0, "%s", err.message);
	cr_assert_eq(sl_store_migrate(st, &err), 0, "%s", err.message);
	const char *fx = getenv("SL_FIXTURES");
	cr_assert(fx, "SL_FIXTURES is not set");
	char path[512];
	snprintf(path, sizeof path, "%s/server/fixture.sql", fx);
	char *sql = read_file(path);
	cr_assert(sql, "cannot read %s", path);
	cr_assert_eq(sl_store_exec(st, sql, &err), 0, "%s", err.message);
	free(sql);
	cr_assert_eq(sl_server_token_create(st, NULL, SL_ROLE_ADMIN, 0, "t", tok_admin, sizeof tok_admin, NULL, &err), 0);
	cr_assert_eq(sl_server_token_create(st, "CITY", SL_ROLE_CITY, 0, NULL, tok_city, sizeof tok_city, NULL, &err), 0);
	cr_assert_eq(sl_server_token_create(st, "S1", SL_ROLE_SUPPLIER, 0, NULL, tok_s1, sizeof tok_s1, NULL, &err), 0);
	cr_assert_eq(sl_server_token_create(st, "S2", SL_ROLE_SUPPLIER, 0, NULL, tok_s2, sizeof tok_s2, NULL, &err), 0);
	cr_assert_eq(sl_server_token_create(st, "U1", SL_ROLE_UNIT, 0, NULL, tok_u1, sizeof tok_u1, NULL, &err), 0);
	cr_assert_eq(sl_server_token_create(st, NULL, SL_ROLE_PUBLIC, 0, NULL, tok_pub, sizeof tok_pub, NULL, &err), 0);
	sl_store_close(st);
	sl_server_config c;
	sl_server_config_init(&c);
	c.db_uri = db_path;
	c.port = 0;
	c.threads = 2;
	c.max_body = 4096;
	c.max_upload = 1024 * 1024;
	cr_assert_eq(sl_server_start(&c, &srv, &err), 0, "%s", err.message);
	cr_assert_gt(sl_server_port(srv), 0);
}

static void teardown(void)
{
	sl_server_stop(srv);
	srv = NULL;
	char p[300];
	unlink(db_path);
	snprintf(p, sizeof p, "%s-wal", db_path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", db_path);
	unlink(p);
}

TestSuite(server, .init = setup, .fini = teardown, .timeout = 30);

static void resp_free(resp_t *r)
{
	free(r->body);
	r->body = NULL;
}

/* One request over a fresh connection; the whole answer is read. */
static resp_t http(const char *method, const char *path, const char *token, const char *ctype,
		   const char *body, size_t body_len)
{
	resp_t r = {0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(fd >= 0);
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET;
	a.sin_port = htons(sl_server_port(srv));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	char head[2048];
	int n = snprintf(head, sizeof head,
			 "%s %s HTTP/1.1\r\nHost: test\r\nConnection: close\r\n%s%s%s%s%s%s",
			 method, path, token ? "Authorization: Bearer " : "", token ? token : "",
			 token ? "\r\n" : "", ctype ? "Content-Type: " : "", ctype ? ctype : "",
			 ctype ? "\r\n" : "");
	if (body)
		n += snprintf(head + n, sizeof head - (size_t)n, "Content-Length: %zu\r\n", body_len);
	n += snprintf(head + n, sizeof head - (size_t)n, "\r\n");
	cr_assert_eq(send(fd, head, (size_t)n, MSG_NOSIGNAL), n);
	size_t off = 0;
	while (body && off < body_len) {
		ssize_t w = send(fd, body + off, body_len - off, MSG_NOSIGNAL);
		if (w <= 0)
			break; /* the server may refuse early (413) */
		off += (size_t)w;
	}
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	cr_assert(buf);
	for (;;) {
		if (len + 4096 > cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			cr_assert(buf);
		}
		ssize_t got = recv(fd, buf + len, cap - len - 1, 0);
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	buf[len] = 0;
	cr_assert(len > 12, "no answer to %s %s", method, path);
	r.status = atoi(buf + 9);
	char *sep = strstr(buf, "\r\n\r\n");
	cr_assert(sep);
	*sep = 0;
	char *ct = strstr(buf, "\r\nContent-Type: ");
	if (ct)
		sscanf(ct + 16, "%127[^\r]", r.ctype);
	r.body_len = len - (size_t)(sep + 4 - buf);
	r.body = malloc(r.body_len + 1);
	cr_assert(r.body);
	memcpy(r.body, sep + 4, r.body_len);
	r.body[r.body_len] = 0;
	free(buf);
	return r;
}

static resp_t get(const char *path, const char *token)
{
	return http("GET", path, token, NULL, NULL, 0);
}

static int status_of(const char *method, const char *path, const char *token)
{
	resp_t r = http(method, path, token, NULL, NULL, 0);
	int s = r.status;
	cr_expect(s < 500, "%s %s gave %d: %s", method, path, s, r.body);
	if (s >= 400)
		cr_expect(strstr(r.ctype, "application/problem+json"), "%s %s: %d as %s", method, path, s,
			  r.ctype);
	resp_free(&r);
	return s;
}

static json_t *json_of(const resp_t *r)
{
	json_error_t e;
	json_t *j = json_loads(r->body, 0, &e);
	cr_assert(j, "not JSON (%s): %s", e.text, r->body);
	return j;
}

static int64_t count_sql(const char *sql)
{
	sl_store *st;
	cr_assert_eq(sl_store_open(db_path, &st, NULL), 0);
	int64_t n = -1;
	cr_assert_eq(sl_store_query_int64(st, sql, &n, NULL), 0, "%s", sql);
	sl_store_close(st);
	return n;
}

Test(server, healthz_and_metrics)
{
	resp_t r = get("/healthz", NULL);
	cr_assert_eq(r.status, 200);
	cr_assert(strstr(r.body, "\"ok\""));
	resp_free(&r);
	cr_assert_eq(status_of("GET", "/api/v1/nothing-here", tok_admin), 404);
	r = get("/metrics", NULL);
	cr_assert_eq(r.status, 200);
	cr_assert(strstr(r.body, "samlast_http_requests_total{route=\"healthz\",status=\"200\"} 1"), "%s", r.body);
	cr_assert(strstr(r.body, "samlast_http_request_duration_seconds_bucket{route=\"healthz\",le=\"+Inf\"} 1"));
	cr_assert(strstr(r.body, "status=\"404\""));
	resp_free(&r);
}

struct cell {
	const char *path;
	int want[6]; /* admin, city, s1, u1, public token, no token */
};

Test(server, role_matrix)
{
	static const struct cell m[] = {
		{"/api/v1/organisations", {200, 200, 200, 200, 403, 401}},
		{"/api/v1/sites", {200, 200, 200, 200, 403, 401}},
		{"/api/v1/contracts", {200, 200, 200, 403, 403, 401}},
		{"/api/v1/vehicles", {200, 200, 200, 403, 403, 401}},
		{"/api/v1/trips", {200, 200, 200, 403, 403, 401}},
		{"/api/v1/orders", {200, 200, 200, 200, 403, 401}},
		{"/api/v1/deliveries", {200, 200, 200, 200, 403, 401}},
		{"/api/v1/deliveries/2", {200, 200, 404, 200, 403, 401}}, /* D2 is S2's, at U1's site A */
		{"/api/v1/deliveries/5", {200, 200, 200, 404, 403, 401}}, /* D5 is S1's, at U2's site C */
		{"/api/v1/contracts/2", {200, 200, 404, 403, 403, 401}},
		{"/api/v1/kpis", {200, 200, 200, 200, 200, 200}},
		{"/api/v1/kpis?supplier=S1", {200, 200, 200, 403, 403, 401}},
		{"/api/v1/kpis?supplier=S2", {200, 200, 403, 403, 403, 401}},
		{"/api/v1/kpis?by=supplier", {200, 200, 403, 403, 403, 401}},
		{"/api/v1/kpis/definitions", {200, 200, 200, 200, 200, 200}},
		{"/api/v1/tokens", {200, 403, 403, 403, 403, 401}},
	};
	const char *toks[6] = {tok_admin, tok_city, tok_s1, tok_u1, tok_pub, NULL};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		for (int k = 0; k < 6; k++) {
			int s = status_of("GET", m[i].path, toks[k]);
			cr_expect_eq(s, m[i].want[k], "GET %s as role #%d: %d, expected %d", m[i].path, k, s,
				     m[i].want[k]);
		}
	/* uploads: only admin and suppliers */
	const char *csv = "id,supplier,site,delivered_at\nDX,S1,A,2026-01-03T08:00:00+01:00\n";
	const int want_up[6] = {200, 403, 200, 403, 403, 401};
	for (int k = 0; k < 6; k++) {
		resp_t r = http("POST", "/api/v1/imports/deliveries", toks[k], "text/csv", csv, strlen(csv));
		cr_expect_eq(r.status, want_up[k], "upload as role #%d: %d %s", k, r.status, r.body);
		resp_free(&r);
	}
}

Test(server, supplier_cannot_see_or_touch_another)
{
	/* reading: another's delivery by id is the same 404 as a missing one */
	resp_t a = get("/api/v1/deliveries/2", tok_s1);
	resp_t b = get("/api/v1/deliveries/99999", tok_s1);
	cr_assert_eq(a.status, 404);
	cr_assert_eq(b.status, 404);
	json_t *ja = json_of(&a), *jb = json_of(&b);
	cr_assert_str_eq(json_string_value(json_object_get(ja, "detail")),
			 json_string_value(json_object_get(jb, "detail")));
	json_decref(ja);
	json_decref(jb);
	resp_free(&a);
	resp_free(&b);
	/* lists hold only its own rows, even when asking for another supplier */
	resp_t l = get("/api/v1/deliveries?supplier=S2", tok_s1);
	cr_assert_eq(l.status, 200);
	json_t *j = json_of(&l);
	cr_assert_eq(json_array_size(json_object_get(j, "items")), 0);
	json_decref(j);
	resp_free(&l);
	l = get("/api/v1/deliveries?limit=1000", tok_s1);
	j = json_of(&l);
	size_t idx;
	json_t *it;
	json_array_foreach(json_object_get(j, "items"), idx, it)
		cr_assert_str_eq(json_string_value(json_object_get(it, "supplier")), "S1");
	cr_assert_eq(json_array_size(json_object_get(j, "items")), 3);
	json_decref(j);
	resp_free(&l);
	/* organisations: competitors are hidden */
	l = get("/api/v1/organisations?kind=supplier", tok_s1);
	j = json_of(&l);
	cr_assert_eq(json_array_size(json_object_get(j, "items")), 1);
	json_decref(j);
	resp_free(&l);

	/* overwriting another's delivery D2 / uploading as S2: refused, store unchanged */
	int64_t before = count_sql("SELECT COUNT(*) FROM deliveries WHERE supplier_id = 5");
	int64_t mass = count_sql("SELECT CAST(mass_kg AS INTEGER) FROM deliveries WHERE id = 2");
	const char *csv = "id,supplier,site,delivered_at,mass_kg\nD2,S2,A,2026-01-01T09:00:00+01:00,999\n"
			  "D9,S2,A,2026-01-01T09:00:00+01:00,1\n";
	resp_t u = http("POST", "/api/v1/imports/deliveries", tok_s1, "text/csv", csv, strlen(csv));
	cr_assert(u.status == 422 || u.status == 403, "%d %s", u.status, u.body);
	resp_free(&u);
	cr_assert_eq(count_sql("SELECT COUNT(*) FROM deliveries WHERE supplier_id = 5"), before);
	cr_assert_eq(count_sql("SELECT CAST(mass_kg AS INTEGER) FROM deliveries WHERE id = 2"), mass);
	/* master data is refused for suppliers */
	const char *org = "id,kind,name\nS9,supplier,Fake\n";
	u = http("POST", "/api/v1/imports/organisations", tok_s1, "text/csv", org, strlen(org));
	cr_assert_eq(u.status, 403, "%d %s", u.status, u.body);
	resp_free(&u);
	cr_assert_eq(count_sql("SELECT COUNT(*) FROM organisations WHERE ext_id = 'S9'"), 0);
	/* trips/vehicles: only the supplier's own as carrier */
	cr_assert_eq(status_of("GET", "/api/v1/trips/2", tok_s1), 404);
	cr_assert_eq(status_of("GET", "/api/v1/trips/1", tok_s1), 200);
}

Test(server, bad_input_is_4xx_problem)
{
	static const char *bad[] = {
		"/api/v1/deliveries?bogus=1",
		"/api/v1/deliveries?from=2026-13-01",
		"/api/v1/deliveries?from=yesterday",
		"/api/v1/deliveries?from=2026-02-01&to=2026-01-01",
		"/api/v1/deliveries?limit=0",
		"/api/v1/deliveries?limit=abc",
		"/api/v1/deliveries?sort=mass_kg",
		"/api/v1/deliveries?cursor=garbage!!",
		"/api/v1/deliveries?format=xml",
		"/api/v1/deliveries?status=lost",
		"/api/v1/deliveries?limit=5&limit=6",
		"/api/v1/organisations?format=geojson",
		"/api/v1/kpis?from=2026-02-30",
		"/api/v1/kpis?by=year",
		"/api/v1/kpis?baseline_from=2025-01-01",
		"/api/v1/kpis?kpi=no_such_kpi",
		"/api/v1/kpis?unit=NOPE",
		"/api/v1/kpis?format=pdf",
		"/api/v1/kpis?x=1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		resp_t r = get(bad[i], tok_admin);
		cr_expect_eq(r.status, 400, "%s: %d %s", bad[i], r.status, r.body);
		cr_expect(strstr(r.ctype, "application/problem+json"), "%s: %s", bad[i], r.ctype);
		json_t *j = json_of(&r);
		cr_expect_eq(json_integer_value(json_object_get(j, "status")), 400);
		cr_expect(json_string_length(json_object_get(j, "detail")) > 5, "%s", bad[i]);
		json_decref(j);
		resp_free(&r);
	}
	/* a bad token is 401, not a silent downgrade to public */
	cr_assert_eq(status_of("GET", "/api/v1/kpis", "slt_not_a_real_token"), 401);
	/* token creation: bad JSON, unknown role, body over the limit */
	resp_t r = http("POST", "/api/v1/tokens", tok_admin, "application/json", "{\"role\":", 8);
	cr_assert_eq(r.status, 400, "%s", r.body);
	resp_free(&r);
	r = http("POST", "/api/v1/tokens", tok_admin, "application/json", "{\"role\":\"king\"}", 15);
	cr_assert_eq(r.status, 400, "%s", r.body);
	resp_free(&r);
	size_t big = 10000;
	char *huge = malloc(big);
	cr_assert(huge);
	memset(huge, ' ', big);
	r = http("POST", "/api/v1/tokens", tok_admin, "application/json", huge, big);
	cr_assert_eq(r.status, 413, "%d %s", r.status, r.body);
	resp_free(&r);
	free(huge);
	/* an upload larger than max_upload */
	big = 2 * 1024 * 1024;
	huge = malloc(big);
	cr_assert(huge);
	memset(huge, 'a', big);
	r = http("POST", "/api/v1/imports/deliveries", tok_admin, "text/csv", huge, big);
	cr_assert_eq(r.status, 413, "%d %s", r.status, r.body);
	resp_free(&r);
	free(huge);
	/* unknown import kind, wrong media type, wrong method */
	cr_assert_eq(status_of("POST", "/api/v1/imports/planets", tok_admin), 404);
	r = http("POST", "/api/v1/imports/deliveries", tok_admin, "image/png", "x", 1);
	cr_assert_eq(r.status, 415, "%d %s", r.status, r.body);
	resp_free(&r);
	cr_assert_eq(status_of("DELETE", "/api/v1/deliveries", tok_admin), 405);
	cr_assert_eq(status_of("GET", "/api/v1/imports/deliveries", tok_admin), 405);
	cr_assert_eq(status_of("GET", "/api/v1/deliveries/abc", tok_admin), 404);
	cr_assert_eq(status_of("GET", "/../../etc/passwd", NULL), 404);
}

Test(server, upload_rows_errors_and_audit)
{
	const char *csv = "id,supplier,site,delivered_at,mass_kg\n"
			  "N1,S1,A,2026-01-05T08:00:00+01:00,12\n"
			  "N2,S1,NOSITE,2026-01-05T09:00:00+01:00,5\n"
			  "N3,S1,A,2026-01-05T10:00:00+01:00,-4\n";
	int64_t before = count_sql("SELECT COUNT(*) FROM deliveries");
	resp_t r = http("POST", "/api/v1/imports/deliveries", tok_s1, "text/csv", csv, strlen(csv));
	cr_assert_eq(r.status, 422, "%d %s", r.status, r.body);
	json_t *j = json_of(&r);
	json_t *errs = json_object_get(j, "errors");
	cr_assert_geq(json_array_size(errs), 2, "%s", r.body);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(errs, 0), "line")), 3, "%s", r.body);
	cr_assert_gt(json_integer_value(json_object_get(json_array_get(errs, 0), "column")), 0);
	cr_assert(json_string_length(json_object_get(json_array_get(errs, 0), "reason")) > 0);
	json_decref(j);
	resp_free(&r);
	cr_assert_eq(count_sql("SELECT COUNT(*) FROM deliveries"), before, "atomic: nothing imported");
	cr_assert_eq(count_sql("SELECT COUNT(*) FROM audit_log"), 0);
	/* accept_valid: the valid row goes in, the others are listed */
	r = http("POST", "/api/v1/imports/deliveries?accept_valid=true", tok_s1, "text/csv", csv, strlen(csv));
	cr_assert_eq(r.status, 200, "%d %s", r.status, r.body);
	j = json_of(&r);
	cr_assert(json_is_true(json_object_get(j, "committed")));
	cr_assert_eq(json_integer_value(json_object_get(j, "inserted")), 1);
	cr_assert_eq(json_integer_value(json_object_get(j, "rejected")), 2);
	json_decref(j);
	resp_free(&r);
	cr_assert_eq(count_sql("SELECT COUNT(*) FROM deliveries"), before + 1);
	cr_assert_eq(count_sql("SELECT COUNT(*) FROM audit_log WHERE action = 'import' AND role = 'supplier' "
			       "AND org_id = 4 AND row_ids LIKE '{\"import_id\":%'"), 1);
	/* idempotent: the same JSON upload twice changes nothing the second time */
	const char *js = "[{\"id\":\"N7\",\"supplier\":\"S1\",\"site\":\"B\",\"delivered_at\":\"2026-01-06T08:00:00+01:00\"}]";
	r = http("POST", "/api/v1/imports/deliveries", tok_s1, "application/json", js, strlen(js));
	cr_assert_eq(r.status, 200, "%s", r.body);
	resp_free(&r);
	r = http("POST", "/api/v1/imports/deliveries", tok_s1, "application/json", js, strlen(js));
	cr_assert_eq(r.status, 200, "%s", r.body);
	j = json_of(&r);
	cr_assert_eq(json_integer_value(json_object_get(j, "unchanged")), 1, "%s", r.body);
	json_decref(j);
	resp_free(&r);
	r = get("/metrics", NULL);
	cr_assert(strstr(r.body, "samlast_imports_total{outcome=\"committed\"} 2"), "%s", r.body);
	resp_free(&r);
}

Test(server, paging_walks_every_row_once)
{
	const char *sorts[] = {"id", "-id", "delivered_at", "-delivered_at"};
	for (int s = 0; s < 4; s++) {
		char path[600];
		snprintf(path, sizeof path, "/api/v1/deliveries?limit=2&sort=%s", sorts[s]);
		int seen[16] = {0};
		int pages = 0, total = 0;
		int64_t prev_key = s % 2 ? INT64_MAX : INT64_MIN;
		for (;;) {
			resp_t r = get(path, tok_city);
			cr_assert_eq(r.status, 200, "%s: %s", path, r.body);
			json_t *j = json_of(&r);
			size_t i;
			json_t *it;
			json_array_foreach(json_object_get(j, "items"), i, it)
			{
				int64_t id = json_integer_value(json_object_get(it, "id"));
				cr_assert(id > 0 && id < 16);
				cr_assert_eq(seen[id], 0, "row %lld twice", (long long)id);
				seen[id] = 1;
				total++;
				if (s < 2) {
					cr_assert(s == 0 ? id > prev_key : id < prev_key);
					prev_key = id;
				}
			}
			pages++;
			const char *cur = json_string_value(json_object_get(j, "next_cursor"));
			if (!cur) {
				json_decref(j);
				resp_free(&r);
				break;
			}
			snprintf(path, sizeof path, "/api/v1/deliveries?limit=2&sort=%s&cursor=%s", sorts[s], cur);
			json_decref(j);
			resp_free(&r);
		}
		cr_assert_eq(total, 7, "sort %s", sorts[s]);
		cr_assert_eq(pages, 4);
	}
	/* a cursor from one sort is refused for another */
	resp_t r = get("/api/v1/deliveries?limit=2&sort=id", tok_city);
	json_t *j = json_of(&r);
	char path[400];
	snprintf(path, sizeof path, "/api/v1/deliveries?limit=2&sort=-id&cursor=%s",
		 json_string_value(json_object_get(j, "next_cursor")));
	json_decref(j);
	resp_free(&r);
	cr_assert_eq(status_of("GET", path, tok_city), 400);
	/* filters */
	r = get("/api/v1/deliveries?site=A&from=2026-01-01&to=2026-01-01&supplier=S1", tok_city);
	j = json_of(&r);
	cr_assert_eq(json_integer_value(json_object_get(j, "count")), 1);
	json_decref(j);
	resp_free(&r);
}

Test(server, geojson_is_rfc7946)
{
	const char *paths[] = {"/api/v1/sites?format=geojson", "/api/v1/deliveries?format=geojson"};
	for (int p = 0; p < 2; p++) {
		resp_t r = get(paths[p], tok_city);
		cr_assert_eq(r.status, 200);
		cr_assert_str_eq(r.ctype, "application/geo+json");
		json_t *j = json_of(&r);
		cr_assert_str_eq(json_string_value(json_object_get(j, "type")), "FeatureCollection");
		json_t *f = json_object_get(j, "features");
		cr_assert(json_array_size(f) > 0);
		size_t i;
		json_t *it;
		json_array_foreach(f, i, it)
		{
			cr_assert_str_eq(json_string_value(json_object_get(it, "type")), "Feature");
			json_t *g = json_object_get(it, "geometry");
			cr_assert_str_eq(json_string_value(json_object_get(g, "type")), "Point");
			json_t *c = json_object_get(g, "coordinates");
			cr_assert_eq(json_array_size(c), 2);
			double lon = json_number_value(json_array_get(c, 0));
			double lat = json_number_value(json_array_get(c, 1));
			cr_assert(lon > 12 && lon < 13 && lat > 55 && lat < 57, "[lon, lat] order");
			cr_assert(json_is_object(json_object_get(it, "properties")));
		}
		json_decref(j);
		resp_free(&r);
	}
}

static json_t *kpi_rows(const char *path, const char *token)
{
	resp_t r = get(path, token);
	cr_assert_eq(r.status, 200, "%s: %s", path, r.body);
	json_t *j = json_of(&r);
	resp_free(&r);
	return j;
}

Test(server, kpi_aggregates_hide_single_suppliers)
{
	/* by unit: site A has 4 suppliers (visible), C has one (suppressed for
	 * the public and for a supplier), B has 2 (suppressed) */
	const char *path = "/api/v1/kpis?by=unit&kpi=deliveries";
	json_t *pub = kpi_rows(path, NULL), *city = kpi_rows(path, tok_city);
	json_t *prow = json_object_get(pub, "rows"), *crow = json_object_get(city, "rows");
	cr_assert_eq(json_array_size(prow), json_array_size(crow));
	int checked = 0;
	for (size_t i = 0; i < json_array_size(prow); i++) {
		json_t *pr = json_array_get(prow, i), *cr = json_array_get(crow, i);
		const char *key = json_string_value(json_object_get(pr, "key"));
		json_t *pv = json_object_get(json_object_get(pr, "values"), "deliveries");
		json_t *cv = json_object_get(json_object_get(cr, "values"), "deliveries");
		cr_assert(json_is_number(cv), "city sees %s", key);
		if (!strcmp(key, "A")) {
			cr_assert(json_is_number(pv));
			cr_assert_eq(json_number_value(pv), json_number_value(cv));
			checked++;
		} else if (!strcmp(key, "C") || !strcmp(key, "B")) {
			cr_assert(json_is_null(pv), "public must not see %s", key);
			checked++;
		}
	}
	cr_assert_eq(checked, 3);
	cr_assert_eq(json_number_value(json_object_get(json_object_get(json_object_get(pub, "total"), "values"),
						       "deliveries")),
		     7);
	json_decref(pub);
	json_decref(city);
	/* a supplier sees its own numbers exactly */
	json_t *own = kpi_rows("/api/v1/kpis?supplier=S1&kpi=deliveries", tok_s1);
	cr_assert_eq(json_number_value(json_object_get(json_object_get(json_object_get(own, "total"), "values"),
						       "deliveries")),
		     3);
	json_decref(own);
	/* emissions computed outside an import (`samlast emissions recompute` on
	 * the live store) reach the cached answers through data_version */
	const char *epath = "/api/v1/kpis?kpi=deliveries,co2e_wtw_kg";
	json_t *k0 = kpi_rows(epath, tok_city);
	cr_assert(json_is_false(json_object_get(k0, "has_emissions")));
	json_decref(k0);
	sl_store *st;
	sl_error err = {0};
	cr_assert_eq(sl_store_open(db_path, &st, &err), 0, "%s", err.message);
	cr_assert_eq(sl_store_begin(st, &err), 0, "%s", err.message);
	cr_assert_eq(sl_store_exec(st,
	                           "INSERT INTO delivery_emissions (delivery_id, wtw_g, ttw_g, quality,"
	                           " factor_set, factor_version, factor_id, method, tkm, sfd_m,"
	                           " computed_at) SELECT id, 1000, 800, 'primary', 't', '1', 'f', 'm',"
	                           " 0, 0, 0 FROM deliveries",
	                           &err),
	             0, "%s", err.message);
	cr_assert_eq(sl_store_bump_data_version(st, &err), 0, "%s", err.message);
	cr_assert_eq(sl_store_commit(st, &err), 0, "%s", err.message);
	sl_store_close(st);
	k0 = kpi_rows(epath, tok_city);
	cr_assert(json_is_true(json_object_get(k0, "has_emissions")), "a recompute must not be hidden by the cache");
	cr_assert_gt(json_number_value(json_object_get(json_object_get(json_object_get(k0, "total"), "values"),
	                                               "co2e_wtw_kg")),
	             0);
	json_decref(k0);
	/* cached answers follow new imports */
	const char *kpath = "/api/v1/kpis?kpi=deliveries&from=2026-01-01&to=2026-01-02";
	json_t *k1 = kpi_rows(kpath, tok_city);
	double before = json_number_value(json_object_get(json_object_get(json_object_get(k1, "total"), "values"), "deliveries"));
	json_decref(k1);
	const char *csv1 = "id,supplier,site,delivered_at\nNEW1,S3,B,2026-01-02T10:00:00+01:00\n";
	resp_t up = http("POST", "/api/v1/imports/deliveries", tok_admin, "text/csv", csv1, strlen(csv1));
	cr_assert_eq(up.status, 200, "%s", up.body);
	resp_free(&up);
	k1 = kpi_rows(kpath, tok_city);
	cr_assert_eq(json_number_value(json_object_get(json_object_get(json_object_get(k1, "total"), "values"), "deliveries")),
		     before + 1);
	json_decref(k1);
	/* CSV as the CLI writes it */
	resp_t r = get("/api/v1/kpis?format=csv&kpi=deliveries", tok_city);
	cr_assert_eq(r.status, 200);
	cr_assert(strstr(r.ctype, "text/csv"));
	cr_assert(strstr(r.body, "deliveries"));
	resp_free(&r);
}

Test(server, tokens_via_api_are_audited)
{
	const char *body = "{\"role\":\"supplier\",\"org\":\"S3\",\"label\":\"api\"}";
	resp_t r = http("POST", "/api/v1/tokens", tok_admin, "application/json", body, strlen(body));
	cr_assert_eq(r.status, 201, "%s", r.body);
	json_t *j = json_of(&r);
	const char *t = json_string_value(json_object_get(j, "token"));
	char tok[96];
	snprintf(tok, sizeof tok, "%s", t);
	int64_t id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	resp_free(&r);
	cr_assert_eq(status_of("GET", "/api/v1/contracts", tok), 200);
	char path[64];
	snprintf(path, sizeof path, "/api/v1/tokens/%lld", (long long)id);
	cr_assert_eq(status_of("DELETE", path, tok_city), 403);
	cr_assert_eq(status_of("DELETE", path, tok_admin), 204);
	cr_assert_eq(status_of("GET", "/api/v1/contracts", tok), 401);
	cr_assert_eq(status_of("DELETE", "/api/v1/tokens/9999", tok_admin), 404);
	cr_assert_eq(count_sql("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'token.%'"), 2);
	/* the list never shows hashes or secrets */
	r = get("/api/v1/tokens", tok_admin);
	cr_assert(!strstr(r.body, tok));
	cr_assert(!strstr(r.body, "hash"));
	resp_free(&r);
	/* the stored form is a hash */
	cr_assert_eq(count_sql("SELECT COUNT(*) FROM api_tokens WHERE length(token_hash) = 64"), 7);
}

/* Every path and method of docs/openapi.yaml answers (not 404 for a missing
 * route, not 405), and every route of the server is documented. */
Test(server, openapi_matches_routes)
{
	resp_t r = get("/api/v1/openapi.yaml", NULL);
	cr_assert_eq(r.status, 200);
	char *doc = r.body;
	char *in_paths = strstr(doc, "\npaths:\n");
	cr_assert(in_paths);
	char cur[200] = "";
	int n_ops = 0;
	for (char *line = strtok(in_paths + 8, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strncmp(line, "  /", 3)) {
			sscanf(line + 2, "%199[^:]", cur);
			continue;
		}
		char method[16];
		if (strncmp(line, "    ", 4) || line[4] == ' ' || sscanf(line + 4, "%15[a-z]:", method) != 1)
			continue;
		if (strcmp(method, "get") && strcmp(method, "post") && strcmp(method, "delete"))
			continue;
		char path[256];
		const char *br = strchr(cur, '{');
		if (br) {
			const char *sub = strstr(cur, "{kind}") ? "deliveries" : "1";
			snprintf(path, sizeof path, "%.*s%s", (int)(br - cur), cur, sub);
		} else {
			snprintf(path, sizeof path, "%s", cur);
		}
		char up[16];
		for (int i = 0; method[i]; i++)
			up[i] = (char)(method[i] - 32), up[i + 1] = 0;
		const char *tok = strstr(path, "/tokens/") ? tok_pub : tok_admin; /* do not revoke admin */
		resp_t a = http(up, path, tok, !strcmp(up, "POST") ? "application/json" : NULL,
				!strcmp(up, "POST") ? "[]" : NULL, 2);
		cr_expect(a.status != 405 && a.status < 500, "%s %s: %d", up, path, a.status);
		cr_expect(a.status != 404 || strstr(a.body, "no such row") || strstr(a.body, "no such token"),
			  "%s %s: 404 %s", up, path, a.body);
		resp_free(&a);
		n_ops++;
	}
	cr_assert_geq(n_ops, 22);
	/* and vice versa: the server's routes are all documented */
	static const char *routes[] = {"/healthz:", "/metrics:", "/api/v1/openapi.yaml:", "/api/v1/kpis:",
				       "/api/v1/kpis/definitions:", "/api/v1/imports/{kind}:",
				       "/api/v1/tokens:", "/api/v1/tokens/{id}:"};
	resp_t r2 = get("/api/v1/openapi.yaml", NULL);
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
		cr_expect(strstr(r2.body, routes[i]), "%s undocumented", routes[i]);
	static const char *res[] = {"organisations", "sites", "contracts", "vehicles", "trips", "orders", "deliveries"};
	for (size_t i = 0; i < 7; i++) {
		char p[80];
		snprintf(p, sizeof p, "  /api/v1/%s:", res[i]);
		cr_expect(strstr(r2.body, p), "%s undocumented", p);
		snprintf(p, sizeof p, "  /api/v1/%s/{id}:", res[i]);
		cr_expect(strstr(r2.body, p), "%s undocumented", p);
		const char *k[1] = {"limit"}, *v[1] = {"5"};
		cr_expect_eq(sl_server_check_params(res[i], 1, k, v, NULL), 0);
	}
	/* a resource that is not documented is not routed */
	cr_assert_eq(status_of("GET", "/api/v1/row_history", tok_admin), 404);
	cr_assert_eq(status_of("GET", "/api/v1/api_tokens", tok_admin), 404);
	resp_free(&r2);
	resp_free(&r);
}

Test(server, keep_alive_two_requests_one_connection)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET;
	a.sin_port = htons(sl_server_port(srv));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	const char *req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	char buf[4096];
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
		size_t len = 0;
		while (!strstr(buf, "\"ok\"")) {
			ssize_t g = recv(fd, buf + len, sizeof buf - len - 1, 0);
			cr_assert(g > 0, "connection closed after request %d", i);
			len += (size_t)g;
			buf[len] = 0;
		}
		cr_assert(!strncmp(buf, "HTTP/1.1 200", 12));
		buf[0] = 0;
	}
	close(fd);
}

Test(server, osrm_mount)
{
	/* without --graph the OSRM paths are a clear 404 */
	resp_t r = get("/route/v1/driving/12.7,56.04;12.701,56.041", NULL);
	cr_assert_eq(r.status, 404);
	cr_assert(strstr(r.body, "--graph"));
	resp_free(&r);
	const char *bin = getenv("SAMLAST_BIN"), *fx = getenv("SL_FIXTURES");
	if (!bin || access(bin, X_OK))
		cr_skip_test("SAMLAST_BIN is not available to build a graph");
	char graph[128], cmd[1024];
	snprintf(graph, sizeof graph, "/tmp/sl_server_graph_%d.graph", (int)getpid());
	snprintf(cmd, sizeof cmd, "'%s' graph build --profile van '%s/route/oneway.osm' -o '%s' >/dev/null 2>&1",
		 bin, fx, graph);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	sl_server_stop(srv);
	sl_server_config c;
	sl_server_config_init(&c);
	c.db_uri = db_path;
	c.port = 0;
	c.graph_path = graph;
	sl_error err = {0};
	cr_assert_eq(sl_server_start(&c, &srv, &err), 0, "%s", err.message);
	r = get("/nearest/v1/driving/12.7005,56.0405?number=1", NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert(strstr(r.body, "\"Ok\""), "%s", r.body);
	resp_free(&r);
	r = get("/route/v1/driving/nonsense", NULL);
	cr_assert_eq(r.status, 400, "%s", r.body);
	resp_free(&r);
	unlink(graph);
}
