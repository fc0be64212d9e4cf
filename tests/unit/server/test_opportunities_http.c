/* test_opportunities_http.c — GET /api/v1/pooling/opportunities in-process
 * over loopback (src/server/api_opportunities.c): the city gets every
 * opportunity with names and tours, a supplier token itself only (others
 * suppressed below three), a unit token its own site, public refused;
 * problem+json for bad parameters (never 500); a day without candidates
 * answers an empty list.  The store is a small hand case: three suppliers
 * with depots on the equator, two units 0.1° east. */
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
static char tok_city[96], tok_a[96], tok_u2[96], tok_pub[96], tok_car[96];

static void exec_ok(sl_store *st, const char *sql)
{
	sl_error e;
	cr_assert_eq(sl_store_exec(st, sql, &e), 0, "%s: %s", sql, e.message);
}

static void setup(void)
{
	snprintf(db_path, sizeof db_path, "/tmp/sl_opp_http_%d.db", (int)getpid());
	unlink(db_path);
	sl_store *st;
	sl_error err = {0};
	cr_assert_eq(sl_store_open(db_path, &st, &err), 0, "%s", err.message);
	cr_assert_eq(sl_store_migrate(st, &err), 0, "%s", err.message);
	exec_ok(st,
	        "BEGIN;"
	        "INSERT INTO organisations(id, ext_id, kind, name, updated_at, row_hash) VALUES "
	        "(1, 'CITY', 'city', 'Staden', 0, 'h'), (10, 'SUP-A', 'supplier', 'Alfa AB', 0, 'h'),"
	        "(11, 'SUP-B', 'supplier', 'Beta AB', 0, 'h'), (12, 'SUP-C', 'supplier', 'Gamma AB', 0, 'h'),"
	        "(20, 'UNIT-1', 'unit', 'Skolan', 0, 'h'), (21, 'UNIT-2', 'unit', 'Förskolan', 0, 'h'),"
	        "(30, 'CAR-1', 'carrier', 'Kappa Frakt', 0, 'h');"
	        "INSERT INTO sites(id, ext_id, org_id, name, unit_type, lon, lat, updated_at, row_hash) "
	        "VALUES (100, 'D-A', 10, 'Depå A', 'depot', 0, 0, 0, 'h'),"
	        "(101, 'D-B', 11, 'Depå B', 'depot', 0.001, 0, 0, 'h'),"
	        "(102, 'D-C', 12, 'Depå C', 'depot', 0.002, 0, 0, 'h'),"
	        "(200, 'U1', 20, 'Skolan', 'school', 0.1, 0, 0, 'h'),"
	        "(201, 'U2', 21, 'Förskolan', 'preschool', 0.101, 0, 0, 'h');"
	        "INSERT INTO deliveries(id, supplier_id, ext_id, site_id, delivered_at, local_day, "
	        "local_min, window_from_min, window_to_min, mass_kg, updated_at, row_hash) VALUES "
	        "(1, 10, 'a1', 200, 0, 20158, 480, 480, 720, 10, 0, 'h'),"
	        "(2, 10, 'a2', 201, 0, 20158, 480, 480, 720, 10, 0, 'h'),"
	        "(3, 11, 'b1', 200, 0, 20158, 480, 480, 720, 10, 0, 'h'),"
	        "(4, 12, 'c1', 201, 0, 20158, 480, 480, 720, 10, 0, 'h');"
	        "COMMIT;");
	cr_assert_eq(sl_server_token_create(st, "CITY", SL_ROLE_CITY, 0, NULL, tok_city,
	                                    sizeof tok_city, NULL, &err), 0, "%s", err.message);
	cr_assert_eq(sl_server_token_create(st, "SUP-A", SL_ROLE_SUPPLIER, 0, NULL, tok_a,
	                                    sizeof tok_a, NULL, &err), 0, "%s", err.message);
	cr_assert_eq(sl_server_token_create(st, "UNIT-2", SL_ROLE_UNIT, 0, NULL, tok_u2,
	                                    sizeof tok_u2, NULL, &err), 0, "%s", err.message);
	cr_assert_eq(sl_server_token_create(st, "CAR-1", SL_ROLE_SUPPLIER, 0, NULL, tok_car,
	                                    sizeof tok_car, NULL, &err), 0, "%s", err.message);
	cr_assert_eq(sl_server_token_create(st, NULL, SL_ROLE_PUBLIC, 0, NULL, tok_pub,
	                                    sizeof tok_pub, NULL, &err), 0, "%s", err.message);
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

TestSuite(opportunities_http, .init = setup, .fini = teardown, .timeout = 60);

typedef struct {
	int status;
	char ctype[128];
	char *body;
} resp_t;

static resp_t get(const char *path, const char *token)
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
	int n = snprintf(head, sizeof head, "GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n%s%s%s\r\n",
	                 path, token ? "Authorization: Bearer " : "", token ? token : "",
	                 token ? "\r\n" : "");
	cr_assert_eq(send(fd, head, (size_t)n, MSG_NOSIGNAL), n);
	size_t cap = 1 << 16, len = 0;
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
	cr_assert(len > 12, "no answer to %s", path);
	r.status = atoi(buf + 9);
	char *sep = strstr(buf, "\r\n\r\n");
	cr_assert(sep);
	*sep = 0;
	char *ct = strstr(buf, "\r\nContent-Type: ");
	if (ct)
		sscanf(ct + 16, "%127[^\r]", r.ctype);
	r.body = strdup(sep + 4);
	cr_assert(r.body);
	free(buf);
	return r;
}

static json_t *get_json(const char *path, const char *token)
{
	resp_t r = get(path, token);
	cr_assert_eq(r.status, 200, "GET %s: %d %s", path, r.status, r.body);
	json_error_t e;
	json_t *j = json_loads(r.body, 0, &e);
	cr_assert(j, "not JSON (%s): %s", e.text, r.body);
	free(r.body);
	return j;
}

static void problem(const char *path, const char *token, int status)
{
	resp_t r = get(path, token);
	cr_expect_eq(r.status, status, "%s: %d %s", path, r.status, r.body);
	cr_expect(strstr(r.ctype, "application/problem+json"), "%s: %s", path, r.ctype);
	free(r.body);
}

#define P "/api/v1/pooling/opportunities"

Test(opportunities_http, city_supplier_unit_public)
{
	/* 2025-03-11 is day 20158 */
	json_t *j = get_json(P "?date=2025-03-11", tok_city);
	json_t *ops = json_object_get(j, "opportunities");
	cr_assert_eq(json_array_size(ops), 1);
	json_t *o = json_array_get(ops, 0);
	cr_assert_eq(json_integer_value(json_object_get(o, "visits_removed")), 2);
	cr_assert_float_eq(json_real_value(json_object_get(o, "km_saved")), 0.396 * 144.5536, 0.01);
	cr_assert_str_eq(json_string_value(json_object_get(j, "distance_basis")), "great_circle_x1.3");
	cr_assert_eq(json_array_size(json_object_get(o, "parties")), 3);
	cr_assert(json_array_size(json_object_get(o, "tours")) >= 1);
	json_decref(j);

	resp_t r = get(P "?date=2025-03-11", tok_a);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert(strstr(r.body, "SUP-A") && !strstr(r.body, "SUP-B") && !strstr(r.body, "Gamma"),
	          "%s", r.body);
	cr_assert(strstr(r.body, "\"suppressed\":true") && !strstr(r.body, "\"tours\""), "%s", r.body);
	free(r.body);

	r = get(P "?date=2025-03-11", tok_u2);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert(strstr(r.body, "\"U2\"") && !strstr(r.body, "\"U1\"") && !strstr(r.body, "SUP-"),
	          "%s", r.body);
	free(r.body);

	/* a carrier: nothing until a customer shares with it, then that one */
	j = get_json(P "?date=2025-03-11", tok_car);
	cr_assert_eq(json_array_size(json_object_get(j, "opportunities")), 0);
	json_decref(j);
	sl_store *st;
	sl_error err = {0};
	cr_assert_eq(sl_store_open(db_path, &st, &err), 0, "%s", err.message);
	cr_assert_eq(sl_store_exec(st, "INSERT INTO pooling_shares(owner_id, grantee_id, granted_at, "
	                               "granted_by) VALUES (12, 30, 1, 'test')", &err), 0, "%s",
	             err.message);
	sl_store_close(st);
	r = get(P "?date=2025-03-11", tok_car);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert(strstr(r.body, "SUP-C") && !strstr(r.body, "SUP-A") && !strstr(r.body, "SUP-B"),
	          "%s", r.body);
	free(r.body);

	problem(P "?date=2025-03-11", NULL, 401);
	problem(P "?date=2025-03-11", tok_pub, 403);
}

Test(opportunities_http, bad_parameters_and_empty_day)
{
	problem(P, tok_city, 400);
	problem(P "?date=2025-02-30", tok_city, 400);
	problem(P "?date=2025-03-11&days=0", tok_city, 400);
	problem(P "?date=2025-03-11&days=8", tok_city, 400);
	problem(P "?date=2025-03-11&radius=-5", tok_city, 400);
	problem(P "?date=2025-03-11&colour=red", tok_city, 400);
	problem(P "?date=2025-03-11&date=2025-03-12", tok_city, 400);
	json_t *j = get_json(P "?date=2025-03-12&days=7", tok_city);
	cr_assert_eq(json_array_size(json_object_get(j, "opportunities")), 0);
	json_decref(j);
	/* the cached answer is the same */
	j = get_json(P "?date=2025-03-11", tok_city);
	json_t *k = get_json(P "?date=2025-03-11", tok_city);
	cr_assert(json_equal(j, k));
	json_decref(j);
	json_decref(k);
}
