/* test_board_http.c — /api/v1/pooling/{board,announcements,shares} over
 * loopback (src/server/api_pooling.c): the role rules through the API
 * (city, supplier with and without a grant, unit, public), announcements
 * with the uploads' rules (own rows only, line/field/reason errors, store
 * unchanged, audit row), confirmation, and bad input answered with a 4xx
 * problem, never a 500.  Store: tests/fixtures/server/fixture.sql. */
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
static char tok_city[96], tok_s1[96], tok_s2[96], tok_u2[96], tok_pub[96], tok_admin[96], tok_k1[96];

typedef struct {
	int status;
	char ctype[128];
	char *body;
} resp_t;

static char *read_text(const char *path)
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

static int64_t q1(const char *sql)
{
	sl_store *st;
	sl_error e = {0};
	cr_assert_eq(sl_store_open(db_path, &st, &e), 0);
	int64_t v = -1;
	cr_assert_eq(sl_store_query_int64(st, sql, &v, &e), 0, "%s", e.message);
	sl_store_close(st);
	return v;
}

static void setup(void)
{
	snprintf(db_path, sizeof db_path, "/tmp/sl_board_http_%d.db", (int)getpid());
	unlink(db_path);
	sl_store *st;
	sl_error err = {0};
	cr_assert_eq(sl_store_open(db_path, &st, &err), 0, "%s", err.message);
	cr_assert_eq(sl_store_migrate(st, &err), 0, "%s", err.message);
	const char *fx = getenv("SL_FIXTURES");
	cr_assert(fx, "SL_FIXTURES is not set");
	char path[512];
	snprintf(path, sizeof path, "%s/server/fixture.sql", fx);
	char *sql = read_text(path);
	cr_assert(sql);
	cr_assert_eq(sl_store_exec(st, sql, &err), 0, "%s", err.message);
	free(sql);
	struct {
		const char *org;
		sl_role role;
		char *tok;
	} t[] = {{"CITY", SL_ROLE_CITY, tok_city}, {"S1", SL_ROLE_SUPPLIER, tok_s1},
	         {"S2", SL_ROLE_SUPPLIER, tok_s2}, {"U2", SL_ROLE_UNIT, tok_u2},
	         {NULL, SL_ROLE_PUBLIC, tok_pub},  {NULL, SL_ROLE_ADMIN, tok_admin},
	         {"K1", SL_ROLE_SUPPLIER, tok_k1}};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		cr_assert_eq(sl_server_token_create(st, t[i].org, t[i].role, 0, NULL, t[i].tok, 96, NULL,
		                                    &err),
		             0, "%s", err.message);
	sl_store_close(st);
	sl_server_config c;
	sl_server_config_init(&c);
	c.db_uri = db_path;
	c.port = 0;
	c.threads = 2;
	cr_assert_eq(sl_server_start(&c, &srv, &err), 0, "%s", err.message);
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

TestSuite(board_http, .init = setup, .fini = teardown, .timeout = 60);

static resp_t http(const char *method, const char *path, const char *token, const char *ctype,
                   const char *body)
{
	resp_t r = {0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(fd >= 0);
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET;
	a.sin_port = htons(sl_server_port(srv));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	char head[1024];
	size_t blen = body ? strlen(body) : 0;
	int n = snprintf(head, sizeof head,
	                 "%s %s HTTP/1.1\r\nHost: test\r\nConnection: close\r\n%s%s%s"
	                 "%s%s%sContent-Length: %zu\r\n\r\n",
	                 method, path, token ? "Authorization: Bearer " : "", token ? token : "",
	                 token ? "\r\n" : "", ctype ? "Content-Type: " : "", ctype ? ctype : "",
	                 ctype ? "\r\n" : "", blen);
	cr_assert_eq(send(fd, head, (size_t)n, MSG_NOSIGNAL), n);
	if (blen)
		cr_assert_eq(send(fd, body, blen, MSG_NOSIGNAL), (ssize_t)blen);
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
	r.body = strdup(sep + 4);
	free(buf);
	return r;
}

static json_t *get_json(const char *path, const char *token)
{
	resp_t r = http("GET", path, token, NULL, NULL);
	cr_assert_eq(r.status, 200, "GET %s: %d %s", path, r.status, r.body);
	json_error_t e;
	json_t *j = json_loads(r.body, 0, &e);
	cr_assert(j, "not JSON (%s): %s", e.text, r.body);
	free(r.body);
	return j;
}

static int problem(const char *method, const char *path, const char *token, const char *ctype,
                   const char *body)
{
	resp_t r = http(method, path, token, ctype, body);
	cr_expect(r.status >= 400 && r.status < 500, "%s %s: %d %s", method, path, r.status, r.body);
	cr_expect(strstr(r.ctype, "application/problem+json"), "%s %s: %s", method, path, r.ctype);
	free(r.body);
	return r.status;
}

static json_t *site_in(json_t *board, const char *ext)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(board, "sites"), i, s)
	{
		if (!strcmp(json_string_value(json_object_get(s, "site")), ext))
			return s;
	}
	return NULL;
}

Test(board_http, roles_on_the_board)
{
	json_t *j = get_json("/api/v1/pooling/board?date=2026-01-01", tok_city);
	json_t *a = site_in(j, "A");
	cr_assert(a);
	cr_assert_eq(json_array_size(json_object_get(a, "deliveries")), 4);
	cr_assert(json_is_true(json_object_get(a, "candidate")));
	json_decref(j);
	resp_t r = http("GET", "/api/v1/pooling/board?date=2026-01-01", tok_s1, NULL, NULL);
	cr_assert_eq(r.status, 200);
	cr_assert_null(strstr(r.body, "Beta"), "%s", r.body);
	cr_assert_null(strstr(r.body, "\"S2\""), "%s", r.body);
	j = json_loads(r.body, 0, NULL);
	free(r.body);
	a = site_in(j, "A");
	cr_assert_eq(json_array_size(json_object_get(a, "deliveries")), 1);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(a, "others"), "suppliers")), 3);
	json_decref(j);
	/* S2 on 2026-01-02: only S1 besides -> no aggregate, no flag */
	j = get_json("/api/v1/pooling/board?date=2026-01-02", tok_s2);
	json_t *b = site_in(j, "B");
	cr_assert(json_is_null(json_object_get(b, "others")));
	cr_assert(json_is_false(json_object_get(b, "candidate")));
	json_decref(j);
	j = get_json("/api/v1/pooling/board?date=2026-01-01", tok_u2);
	cr_assert_eq(json_array_size(json_object_get(j, "sites")), 1);
	cr_assert(site_in(j, "C"));
	json_decref(j);
	cr_assert_eq(problem("GET", "/api/v1/pooling/board?date=2026-01-01", tok_pub, NULL, NULL), 403);
	cr_assert_eq(problem("GET", "/api/v1/pooling/board?date=2026-01-01", NULL, NULL, NULL), 401);
	j = get_json("/api/v1/pooling/board?date=2026-02-01", tok_city);
	cr_assert_eq(json_array_size(json_object_get(j, "sites")), 0);
	json_decref(j);
}

Test(board_http, bad_input_is_a_problem_never_a_500)
{
	static const char *bad[] = {"/api/v1/pooling/board",
	                            "/api/v1/pooling/board?date=2026-02-30",
	                            "/api/v1/pooling/board?date=x&date=y",
	                            "/api/v1/pooling/board?date=2026-01-01&radius_m=-5",
	                            "/api/v1/pooling/board?date=2026-01-01&radius_m=abc",
	                            "/api/v1/pooling/board?date=2026-01-01&site=",
	                            "/api/v1/pooling/board?date=2026-01-01&site=NOPE",
	                            "/api/v1/pooling/board?date=2026-01-01&bogus=1",
	                            "/api/v1/pooling/nothing",
	                            "/api/v1/pooling/shares?history=7",
	                            "/api/v1/pooling/shares/abc"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		problem("GET", bad[i], tok_city, NULL, NULL);
	cr_assert_eq(problem("POST", "/api/v1/pooling/board?date=2026-01-01", tok_city, NULL, NULL), 405);
	problem("POST", "/api/v1/pooling/shares", tok_s1, "application/json", "{\"grantee\":1}");
	problem("POST", "/api/v1/pooling/shares", tok_s1, "application/json", "not json");
	problem("POST", "/api/v1/pooling/shares", tok_s1, "application/json", "{\"grantee\":\"S2\",\"x\":\"y\"}");
	problem("POST", "/api/v1/pooling/announcements/confirm", tok_s1, "application/json", "[]");
	problem("POST", "/api/v1/pooling/announcements", tok_s1, "text/csv", "");
	problem("POST", "/api/v1/pooling/announcements", tok_s1, "image/png", "x");
	cr_assert_eq(problem("DELETE", "/api/v1/pooling/shares/99", tok_city, NULL, NULL), 404);
}

Test(board_http, sharing_grant_list_revoke)
{
	/* a supplier may only share its own */
	cr_assert_eq(problem("POST", "/api/v1/pooling/shares", tok_s2, "application/json",
	                     "{\"owner\":\"S1\",\"grantee\":\"S2\"}"),
	             403);
	resp_t r = http("POST", "/api/v1/pooling/shares", tok_s1, "application/json",
	                "{\"grantee\":\"S2\",\"note\":\"pilot\"}");
	cr_assert_eq(r.status, 201, "%s", r.body);
	json_t *j = json_loads(r.body, 0, NULL);
	free(r.body);
	int64_t id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	cr_assert_gt(id, 0);
	j = get_json("/api/v1/pooling/board?date=2026-01-02", tok_s2);
	json_t *b = site_in(j, "B");
	cr_assert_eq(json_array_size(json_object_get(b, "deliveries")), 2);
	cr_assert(json_is_true(json_object_get(b, "candidate")));
	json_decref(j);
	j = get_json("/api/v1/pooling/shares", tok_s2);
	cr_assert_eq(json_array_size(json_object_get(j, "shares")), 1);
	json_decref(j);
	char path[80];
	snprintf(path, sizeof path, "/api/v1/pooling/shares/%lld", (long long)id);
	cr_assert_eq(problem("DELETE", path, tok_s2, NULL, NULL), 403, "only the owner revokes");
	r = http("DELETE", path, tok_s1, NULL, NULL);
	cr_assert_eq(r.status, 204, "%s", r.body);
	free(r.body);
	r = http("GET", "/api/v1/pooling/board?date=2026-01-02", tok_s2, NULL, NULL);
	cr_assert_null(strstr(r.body, "Alfa"), "revoked at once: %s", r.body);
	free(r.body);
	cr_assert_eq(q1("SELECT COUNT(*) FROM audit_log WHERE action IN ('share.grant', 'share.revoke') "
	                "AND token_id IS NOT NULL"),
	             2);
}

Test(board_http, announcements_like_uploads)
{
	const char *csv = "id,supplier,site,delivered_at,mass_kg,status\n"
	                  "N1,S1,A,2026-01-08T09:00,12,announced\n";
	resp_t r = http("POST", "/api/v1/pooling/announcements", tok_s1, "text/csv", csv);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert(strstr(r.body, "\"inserted\":1"), "%s", r.body);
	free(r.body);
	cr_assert_eq(q1("SELECT COUNT(*) FROM audit_log WHERE target = 'announcements'"), 1);
	/* another supplier's row: 422 with line/field/reason, nothing stored */
	int64_t before = q1("SELECT COUNT(*) FROM deliveries");
	const char *other = "id,supplier,site,delivered_at,mass_kg,status\n"
	                    "N2,S1,A,2026-01-08T09:00,12,announced\n"
	                    "N3,S2,A,2026-01-08T09:00,12,announced\n";
	r = http("POST", "/api/v1/pooling/announcements", tok_s1, "text/csv", other);
	cr_assert_eq(r.status, 422, "%s", r.body);
	cr_assert(strstr(r.body, "\"line\":3"), "%s", r.body);
	free(r.body);
	const char *delivered = "id,supplier,site,delivered_at,status\nN4,S1,A,2026-01-08T09:00,delivered\n";
	r = http("POST", "/api/v1/pooling/announcements", tok_s1, "text/csv", delivered);
	cr_assert_eq(r.status, 422, "%s", r.body);
	cr_assert(strstr(r.body, "\"field\":\"status\"") && strstr(r.body, "\"line\":2"), "%s", r.body);
	free(r.body);
	cr_assert_eq(q1("SELECT COUNT(*) FROM deliveries"), before, "store unchanged");
	/* a unit or the city may not announce */
	cr_assert_eq(problem("POST", "/api/v1/pooling/announcements", tok_u2, "text/csv", csv), 403);
	/* the board of that day shows it, as announced */
	json_t *j = get_json("/api/v1/pooling/board?date=2026-01-08", tok_s1);
	json_t *a = site_in(j, "A");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(a, "deliveries"), 0), "status")),
	                 "announced");
	json_decref(j);
	/* confirmation: S2 may not confirm S1's; S1 has no delivered row yet */
	cr_assert_eq(problem("POST", "/api/v1/pooling/announcements/confirm", tok_s2, "application/json",
	                     "{\"supplier\":\"S1\",\"id\":\"N1\"}"),
	             403);
	cr_assert_eq(problem("POST", "/api/v1/pooling/announcements/confirm", tok_s1, "application/json",
	                     "{\"id\":\"N1\"}"),
	             404);
	cr_assert_eq(problem("POST", "/api/v1/pooling/announcements/confirm", tok_s1, "application/json",
	                     "{\"id\":\"N1\",\"delivery\":\"D1\"}"),
	             400, "D1 is on another day's... site A but 7 days away");
}

/* A supplier-role token issued to a carrier (K1) is a carrier viewer: no
 * rows until a customer shares with it, then that customer's rows only. */
Test(board_http, carrier_token_sees_what_customers_shared)
{
	resp_t r = http("GET", "/api/v1/pooling/board?date=2026-01-01", tok_k1, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_null(strstr(r.body, "\"S1\""), "%s", r.body);
	cr_assert_null(strstr(r.body, "Alfa"), "%s", r.body);
	json_t *j = json_loads(r.body, 0, NULL);
	free(r.body);
	cr_assert_str_eq(json_string_value(json_object_get(j, "viewer")), "carrier");
	json_t *a = site_in(j, "A");
	cr_assert(a);
	cr_assert_eq(json_array_size(json_object_get(a, "deliveries")), 0);
	json_decref(j);
	r = http("POST", "/api/v1/pooling/shares", tok_s1, "application/json", "{\"grantee\":\"K1\"}");
	cr_assert_eq(r.status, 201, "%s", r.body);
	free(r.body);
	j = get_json("/api/v1/pooling/board?date=2026-01-01", tok_k1);
	a = site_in(j, "A");
	json_t *rows = json_object_get(a, "deliveries");
	cr_assert_eq(json_array_size(rows), 1);
	json_decref(j);
}
