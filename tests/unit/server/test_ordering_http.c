/* test_ordering_http.c — GET /api/v1/ordering and /ordering/export.xlsx
 * in-process over loopback (src/server/api_ordering.c): what each role
 * gets (city everything, a supplier its own category and relations, a unit
 * its own site, public refused), problem+json for bad parameters (never
 * 500), the workbook's media type and zip signature, an empty period.
 * The store is the server fixture plus eight weeks of deliveries in
 * Nov–Dec 2025 with supplier categories. */
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
static char tok_city[96], tok_s3[96], tok_u2[96], tok_pub[96];
static int64_t n_rows;

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

static void exec_ok(sl_store *st, const char *sql)
{
	sl_error e;
	cr_assert_eq(sl_store_exec(st, sql, &e), 0, "%s: %s", sql, e.message);
}

static void setup(void)
{
	snprintf(db_path, sizeof db_path, "/tmp/sl_ordering_http_%d.db", (int)getpid());
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
	exec_ok(st, sql);
	free(sql);
	exec_ok(st, "UPDATE organisations SET category = 'food' WHERE ext_id IN ('S1', 'S2');"
	            "UPDATE organisations SET category = 'chilled' WHERE ext_id = 'S3';"
	            "UPDATE organisations SET category = 'fruit_veg' WHERE ext_id = 'S4';");
	/* [supplier org, site, weekday mask]: 2025-11-03 (day 20395) is a Monday */
	static const int rel[][3] = {{4, 1, 0x09}, {4, 3, 0x15}, {5, 1, 0x04}, {6, 1, 0x0b},
	                             {6, 3, 0x12}, {7, 2, 0x04}, {7, 3, 0x09}};
	exec_ok(st, "BEGIN");
	int id = 100;
	n_rows = 0;
	for (int w = 0; w < 8; w++)
		for (size_t k = 0; k < sizeof rel / sizeof rel[0]; k++)
			for (int d = 0; d < 7; d++) {
				if (!(rel[k][2] & (1 << d)))
					continue;
				int day = 20395 + 7 * w + d;
				char ins[600];
				id++;
				snprintf(ins, sizeof ins,
				         "INSERT INTO deliveries(id, supplier_id, ext_id, site_id, "
				         "delivered_at, "
				         "local_day, local_min, mass_kg, updated_at, row_hash) "
				         "VALUES (%d, %d, 'X%d', "
				         "%d, %lld, %d, 540, 40, 0, 'x')",
				         id, rel[k][0], id, rel[k][1],
				         (long long)day * 86400 + 28800, day);
				exec_ok(st, ins);
				n_rows++;
			}
	exec_ok(st, "COMMIT");
	cr_assert_eq(sl_server_token_create(st, "CITY", SL_ROLE_CITY, 0, NULL, tok_city,
	                                    sizeof tok_city, NULL, &err),
	             0);
	cr_assert_eq(sl_server_token_create(st, "S3", SL_ROLE_SUPPLIER, 0, NULL, tok_s3,
	                                    sizeof tok_s3, NULL, &err),
	             0);
	cr_assert_eq(sl_server_token_create(st, "U2", SL_ROLE_UNIT, 0, NULL, tok_u2, sizeof tok_u2,
	                                    NULL, &err),
	             0);
	cr_assert_eq(sl_server_token_create(st, NULL, SL_ROLE_PUBLIC, 0, NULL, tok_pub,
	                                    sizeof tok_pub, NULL, &err),
	             0);
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

TestSuite(ordering_http, .init = setup, .fini = teardown, .timeout = 60);

static resp_t http(const char *method, const char *path, const char *token)
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
	int n = snprintf(head, sizeof head,
	                 "%s %s HTTP/1.1\r\nHost: test\r\nConnection: close\r\n%s%s%s\r\n", method,
	                 path, token ? "Authorization: Bearer " : "", token ? token : "",
	                 token ? "\r\n" : "");
	cr_assert_eq(send(fd, head, (size_t)n, MSG_NOSIGNAL), n);
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

static json_t *get_json(const char *path, const char *token)
{
	resp_t r = http("GET", path, token);
	cr_assert_eq(r.status, 200, "GET %s: %d %s", path, r.status, r.body);
	json_error_t e;
	json_t *j = json_loads(r.body, 0, &e);
	cr_assert(j, "not JSON (%s): %s", e.text, r.body);
	free(r.body);
	return j;
}

static int problem(const char *method, const char *path, const char *token)
{
	resp_t r = http(method, path, token);
	cr_expect(r.status >= 400 && r.status < 500, "%s %s: %d", method, path, r.status);
	cr_expect(strstr(r.ctype, "application/problem+json"), "%s %s: %s", method, path, r.ctype);
	free(r.body);
	return r.status;
}

Test(ordering_http, city_sees_every_unit_with_the_ledger_counts)
{
	json_t *j = get_json("/api/v1/ordering", tok_city);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "period"), "to")),
	                 "2025-12-28");
	json_t *city = json_object_get(j, "city");
	cr_assert_eq(json_integer_value(json_object_get(city, "deliveries_before")), n_rows);
	cr_assert_lt(json_integer_value(json_object_get(city, "deliveries_after")), n_rows);
	cr_assert_eq(json_array_size(json_object_get(j, "units")), 3);
	cr_assert_str_eq(json_string_value(json_object_get(j, "distance_basis")),
	                 "great_circle_x1.3");
	json_decref(j);
}

Test(ordering_http, supplier_sees_its_own_category_and_relations_only)
{
	json_t *j = get_json("/api/v1/ordering", tok_s3);
	json_t *groups = json_object_get(j, "groups");
	cr_assert_eq(json_array_size(groups), 2); /* S3 serves sites A and C */
	size_t i, k;
	json_t *g, *s;
	json_array_foreach(groups, i, g)
	{
		cr_assert_str_eq(json_string_value(json_object_get(g, "category")), "chilled");
		json_array_foreach(json_object_get(g, "suppliers"), k, s)
		    cr_assert_str_eq(json_string_value(json_object_get(s, "supplier")), "S3");
	}
	/* its totals are its own: 8 weeks × (3 + 2) rows */
	cr_assert_eq(
	    json_integer_value(json_object_get(json_object_get(j, "city"), "deliveries_before")),
	    40);
	json_decref(j);
}

Test(ordering_http, unit_sees_its_own_site_only)
{
	json_t *j = get_json("/api/v1/ordering", tok_u2);
	size_t i;
	json_t *g;
	cr_assert_gt(json_array_size(json_object_get(j, "groups")), 0);
	json_array_foreach(json_object_get(j, "groups"), i, g)
	    cr_assert_str_eq(json_string_value(json_object_get(g, "unit")), "C");
	cr_assert_eq(json_array_size(json_object_get(j, "units")), 1);
	json_decref(j);
}

Test(ordering_http, public_and_bad_requests_are_problems)
{
	cr_assert_eq(problem("GET", "/api/v1/ordering", NULL), 401);
	cr_assert_eq(problem("GET", "/api/v1/ordering/export.xlsx", NULL), 401);
	cr_assert_eq(problem("GET", "/api/v1/ordering", tok_pub), 403);
	cr_assert_eq(problem("GET", "/api/v1/ordering?from=2025-11-01", tok_city), 400);
	cr_assert_eq(problem("GET", "/api/v1/ordering?from=2025-11-31&to=2025-12-01", tok_city),
	             400);
	cr_assert_eq(problem("GET", "/api/v1/ordering?from=2025-12-01&to=2025-11-01", tok_city),
	             400);
	cr_assert_eq(problem("GET", "/api/v1/ordering?from=2024-01-01&to=2025-12-01", tok_city),
	             400);
	cr_assert_eq(problem("GET", "/api/v1/ordering?joint=2", tok_city), 400);
	cr_assert_eq(problem("GET", "/api/v1/ordering?colour=red", tok_city), 400);
	cr_assert_eq(problem("GET", "/api/v1/ordering?joint=1&joint=0", tok_city), 400);
	cr_assert_eq(problem("POST", "/api/v1/ordering", tok_city), 405);
	cr_assert_eq(problem("GET", "/api/v1/ordering/nope", tok_city), 404);
}

Test(ordering_http, xlsx_export_and_empty_period)
{
	resp_t r = http("GET", "/api/v1/ordering/export.xlsx?joint=0", tok_u2);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_str_eq(r.ctype,
	                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
	cr_assert_gt(r.body_len, 1000);
	cr_assert(r.body[0] == 'P' && r.body[1] == 'K' && r.body[2] == 3 && r.body[3] == 4);
	free(r.body);
	json_t *j = get_json("/api/v1/ordering?from=2024-01-01&to=2024-01-31", tok_city);
	cr_assert_eq(json_array_size(json_object_get(j, "groups")), 0);
	cr_assert_eq(
	    json_integer_value(json_object_get(json_object_get(j, "city"), "deliveries_before")),
	    0);
	json_decref(j);
}

Test(ordering_http, cached_answers_are_per_viewer)
{
	resp_t a = http("GET", "/api/v1/ordering", tok_s3);
	resp_t c = http("GET", "/api/v1/ordering", tok_city);
	resp_t b = http("GET", "/api/v1/ordering", tok_s3); /* from the cache */
	resp_t u = http("GET", "/api/v1/ordering", tok_u2);
	cr_assert_eq(a.status, 200);
	cr_assert_eq(b.status, 200);
	cr_assert_str_eq(a.body, b.body);
	cr_assert_str_eq(b.ctype, "application/json");
	cr_assert_str_neq(a.body, c.body);
	cr_assert_str_neq(a.body, u.body);
	cr_assert_null(strstr(b.body, "\"supplier\":\"S1\""),
	               "the cache must not leak another viewer's rows");
	free(a.body);
	free(b.body);
	free(c.body);
	free(u.body);
}
