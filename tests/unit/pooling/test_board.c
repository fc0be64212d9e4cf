/* test_board.c — the groupage board (src/pooling/board.c, sharing.c,
 * announce.c): the role rules (a supplier never sees another's identity or
 * rows without opt-in; aggregates over fewer than 3 suppliers suppressed; a
 * revoked grant stops at once; a carrier sees what its customers shared; a
 * unit its own sites; public nothing), pooling candidates, an empty day,
 * announcement validation, idempotency, history and confirmation, and the
 * CLI.  Store: tests/fixtures/server/fixture.sql (site A gets S1..S4 on
 * 2026-01-01 = day 20454, site C only S1; site B gets S1 and S2 on 20455). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "samlast/pooling.h"

static char db_path[256];
static sl_store *st;

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

static void exec_ok(const char *sql)
{
	sl_error e = {0};
	cr_assert_eq(sl_store_exec(st, sql, &e), 0, "%s: %s", sql, e.message);
}

static int64_t q1(const char *sql)
{
	int64_t v = -1;
	sl_error e = {0};
	cr_assert_eq(sl_store_query_int64(st, sql, &v, &e), 0, "%s: %s", sql, e.message);
	return v;
}

static void setup(void)
{
	snprintf(db_path, sizeof db_path, "/tmp/sl_board_%d.db", (int)getpid());
	unlink(db_path);
	sl_error err = {0};
	cr_assert_eq(sl_store_open(db_path, &st, &err), 0, "%s", err.message);
	cr_assert_eq(sl_store_migrate(st, &err), 0, "%s", err.message);
	const char *fx = getenv("SL_FIXTURES");
	cr_assert(fx, "SL_FIXTURES is not set");
	char path[512];
	snprintf(path, sizeof path, "%s/server/fixture.sql", fx);
	char *sql = read_text(path);
	cr_assert(sql, "cannot read %s", path);
	exec_ok(sql);
	free(sql);
}

static void teardown(void)
{
	sl_store_close(st);
	st = NULL;
	char p[300];
	unlink(db_path);
	snprintf(p, sizeof p, "%s-wal", db_path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", db_path);
	unlink(p);
}

TestSuite(board, .init = setup, .fini = teardown, .timeout = 60);

static sl_board *board_as(const char *org, int64_t day)
{
	sl_board_query q;
	sl_board_query_init(&q);
	q.day = day;
	sl_error e = {0};
	if (org)
		cr_assert_eq(sl_board_viewer_for(st, org, &q.viewer, &e), 0, "%s", e.message);
	sl_board *b = NULL;
	cr_assert_eq(sl_board_compute(st, &q, &b, &e), 0, "%s", e.message);
	return b;
}

static const sl_board_site *site_of(const sl_board *b, const char *ext)
{
	for (size_t i = 0; i < b->n_sites; i++)
		if (!strcmp(b->sites[i].ext, ext))
			return &b->sites[i];
	return NULL;
}

static char *json_of(const sl_board *b)
{
	sl_buf o = {0};
	cr_assert_eq(sl_board_write_json(b, &o), 0);
	return sl_buf_take(&o);
}

/* Nothing in the supplier's view names or identifies another supplier. */
static void assert_no_foreign(const sl_board *b, const char *self, const char *const *others)
{
	for (size_t i = 0; i < b->n_rows; i++)
		cr_assert(b->rows[i].own || b->rows[i].shared, "a row of %s leaked", b->rows[i].supplier);
	char *j = json_of(b);
	for (size_t k = 0; others[k]; k++)
		cr_assert_null(strstr(j, others[k]), "%s's view names %s: %s", self, others[k], j);
	free(j);
}

Test(board, city_sees_every_row_by_name)
{
	sl_board *b = board_as(NULL, 20454);
	cr_assert_eq(b->n_rows, 5);
	cr_assert_eq(b->n_sites, 2);
	const sl_board_site *a = site_of(b, "A");
	cr_assert(a);
	cr_assert_eq(a->n_rows, 4);
	cr_assert_eq(a->others.shown, 0);
	/* D2 (50 kg), D3, D4 are small (<= 50 kg): three suppliers -> same site */
	cr_assert_eq(a->small_suppliers, 3);
	cr_assert(a->same_site && a->candidate);
	char *j = json_of(b);
	cr_assert(strstr(j, "Beta Grossist") && strstr(j, "\"D4\""));
	free(j);
	sl_board_free(b);
}

Test(board, supplier_sees_own_rows_and_only_aggregates_over_three)
{
	sl_board *b = board_as("S1", 20454);
	static const char *const others[] = {"S2", "S3", "S4", "Beta", "Gamma", "Delta", "\"D2\"", NULL};
	assert_no_foreign(b, "S1", others);
	const sl_board_site *a = site_of(b, "A");
	cr_assert(a);
	cr_assert_eq(a->n_rows, 1);
	cr_assert_str_eq(b->rows[a->first_row].id, "D1");
	cr_assert_eq(a->others.shown, 1);
	cr_assert_eq(a->others.deliveries, 3);
	cr_assert_eq(a->others.suppliers, 3);
	cr_assert_float_eq(a->others.mass_kg, 100.0, 1e-9);
	cr_assert_eq(a->others.from_min, 480);
	cr_assert_eq(a->others.to_min, 600);
	cr_assert(a->same_site);
	sl_board_free(b);
	/* S2 at A: the others are S1, S3, S4 — still three */
	b = board_as("S2", 20454);
	a = site_of(b, "A");
	cr_assert(a && a->others.shown && a->others.suppliers == 3);
	/* site C has only S1: S2 must not even see that the site had a delivery */
	cr_assert_null(site_of(b, "C"));
	sl_board_free(b);
}

Test(board, fewer_than_three_others_are_suppressed_and_flag_nothing)
{
	/* day 20455: site B gets S1 (10 kg) and S2 (15 kg) */
	sl_board *city = board_as(NULL, 20455);
	const sl_board_site *bc = site_of(city, "B");
	cr_assert(bc && bc->same_site, "the city sees the candidate");
	sl_board_free(city);
	sl_board *b = board_as("S2", 20455);
	const sl_board_site *x = site_of(b, "B");
	cr_assert(x);
	cr_assert_eq(x->n_rows, 1);
	cr_assert_eq(x->others.shown, 0);
	cr_assert_eq(x->others.deliveries, 0);
	cr_assert_eq(x->small_suppliers, 1);
	cr_assert_eq(x->candidate, 0, "a flag would reveal the hidden supplier");
	static const char *const others[] = {"S1", "Alfa", "\"D6\"", NULL};
	assert_no_foreign(b, "S2", others);
	sl_board_free(b);
}

Test(board, opt_in_shows_names_and_revocation_stops_at_once)
{
	sl_error e = {0};
	int64_t id = 0, id2 = 0;
	cr_assert_eq(sl_share_grant(st, "S1", "S2", "pilot", NULL, &id, &e), 0, "%s", e.message);
	cr_assert_gt(id, 0);
	cr_assert_eq(sl_share_grant(st, "S1", "S2", NULL, NULL, &id2, &e), 0, "%s", e.message);
	cr_assert_eq(id2, id, "granting twice is idempotent");
	sl_board *b = board_as("S2", 20455);
	const sl_board_site *x = site_of(b, "B");
	cr_assert_eq(x->n_rows, 2);
	int seen = 0;
	for (size_t i = 0; i < x->n_rows; i++) {
		const sl_board_row *r = &b->rows[x->first_row + i];
		if (!strcmp(r->id, "D6")) {
			seen = 1;
			cr_assert(r->shared && !r->own);
			cr_assert_str_eq(r->supplier_name, "Alfa Livs");
		}
	}
	cr_assert(seen);
	cr_assert(x->same_site, "shared rows make the candidate visible");
	sl_board_free(b);
	/* the grant is one-way: S1 does not see S2 */
	b = board_as("S1", 20455);
	static const char *const hide2[] = {"S2", "Beta", NULL};
	assert_no_foreign(b, "S1", hide2);
	sl_board_free(b);
	cr_assert_eq(q1("SELECT COUNT(*) FROM audit_log WHERE action = 'share.grant'"), 1);
	cr_assert_eq(sl_share_revoke(st, "S1", "S2", NULL, &e), 0, "%s", e.message);
	b = board_as("S2", 20455);
	static const char *const hide1[] = {"S1", "Alfa", "\"D6\"", NULL};
	assert_no_foreign(b, "S2", hide1);
	sl_board_free(b);
	cr_assert_eq(q1("SELECT COUNT(*) FROM audit_log WHERE action = 'share.revoke'"), 1);
	cr_assert_eq(q1("SELECT COUNT(*) FROM pooling_shares WHERE revoked_at IS NOT NULL"), 1);
	cr_assert_eq(sl_share_revoke(st, "S1", "S2", NULL, &e), SL_ENOTFOUND);
	sl_share *list;
	size_t n;
	cr_assert_eq(sl_share_list(st, "S2", 0, &list, &n, &e), 0);
	cr_assert_eq(n, 0);
	free(list);
	cr_assert_eq(sl_share_list(st, "S2", 1, &list, &n, &e), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(list[0].owner, "S1");
	cr_assert_neq(list[0].revoked_at, 0);
	free(list);
}

Test(board, share_refuses_wrong_parties)
{
	sl_error e = {0};
	cr_assert_eq(sl_share_grant(st, "U1", "S2", NULL, NULL, NULL, &e), SL_EINVAL);
	cr_assert_eq(sl_share_grant(st, "S1", "U1", NULL, NULL, NULL, &e), SL_EINVAL);
	cr_assert_eq(sl_share_grant(st, "S1", "S1", NULL, NULL, NULL, &e), SL_EINVAL);
	cr_assert_eq(sl_share_grant(st, "S1", "NOPE", NULL, NULL, NULL, &e), SL_ENOTFOUND);
	cr_assert_eq(q1("SELECT COUNT(*) FROM pooling_shares"), 0);
	cr_assert_eq(q1("SELECT COUNT(*) FROM audit_log"), 0);
}

Test(board, carrier_sees_what_its_customers_shared)
{
	sl_board *b = board_as("K1", 20454);
	cr_assert_eq(b->n_rows, 0);
	static const char *const all[] = {"S1", "S2", "S3", "S4", "Alfa", NULL};
	assert_no_foreign(b, "K1", all);
	/* the aggregate at A is over four suppliers: shown, without names */
	const sl_board_site *a = site_of(b, "A");
	cr_assert(a && a->others.shown && a->others.suppliers == 4);
	sl_board_free(b);
	sl_error e = {0};
	cr_assert_eq(sl_share_grant(st, "S1", "K1", NULL, NULL, NULL, &e), 0, "%s", e.message);
	b = board_as("K1", 20454);
	cr_assert_eq(b->n_rows, 2); /* D1 at A, D5 at C */
	for (size_t i = 0; i < b->n_rows; i++)
		cr_assert_str_eq(b->rows[i].supplier, "S1");
	a = site_of(b, "A");
	cr_assert_eq(a->others.suppliers, 3);
	sl_board_free(b);
}

Test(board, unit_sees_its_own_sites_only_and_public_nothing)
{
	sl_board *b = board_as("U2", 20454);
	cr_assert_eq(b->n_sites, 1);
	cr_assert_str_eq(b->sites[0].ext, "C");
	cr_assert_eq(b->n_rows, 1);
	cr_assert_eq(b->sites[0].others.shown, 0);
	sl_board_free(b);
	sl_board_query q;
	sl_board_query_init(&q);
	q.day = 20454;
	q.viewer.kind = SL_VIEWER_PUBLIC;
	sl_error e = {0};
	sl_board *x = NULL;
	cr_assert_eq(sl_board_compute(st, &q, &x, &e), SL_EPERM);
	cr_assert_null(x);
	q.viewer.kind = SL_VIEWER_SUPPLIER;
	q.viewer.org_id = 0;
	cr_assert_eq(sl_board_compute(st, &q, &x, &e), SL_EPERM);
}

Test(board, empty_day_gives_an_empty_board)
{
	sl_board *b = board_as(NULL, 20460);
	cr_assert_eq(b->n_sites, 0);
	cr_assert_eq(b->n_rows, 0);
	cr_assert_eq(b->candidates, 0);
	char *j = json_of(b);
	cr_assert(strstr(j, "\"sites\":[]"), "%s", j);
	free(j);
	sl_board_free(b);
}

Test(board, neighbours_within_the_radius_with_overlapping_windows)
{
	/* a second small delivery near A (site B is ~2.9 km away) */
	exec_ok("UPDATE sites SET lon = 12.705, lat = 56.041 WHERE ext_id = 'B';"
	        "INSERT INTO deliveries(id, supplier_id, ext_id, site_id, delivered_at, local_day, "
	        "local_min, mass_kg, updated_at, row_hash) VALUES (50, 8, 'DB', 2, 0, 20454, 530, 5, 0, 'x')");
	exec_ok("UPDATE organisations SET kind = 'supplier' WHERE ext_id = 'K1'");
	sl_board *b = board_as(NULL, 20454);
	const sl_board_site *bb = site_of(b, "B");
	cr_assert(bb);
	cr_assert_eq(bb->n_nb, 1);
	cr_assert_str_eq(b->neighbours[bb->first_nb].ext, "A");
	cr_assert_lt(b->neighbours[bb->first_nb].distance_m, 1000);
	cr_assert(bb->candidate && !bb->same_site);
	sl_board_free(b);
	/* a radius below the distance: no neighbour */
	sl_board_query q;
	sl_board_query_init(&q);
	q.day = 20454;
	q.radius_m = 100;
	sl_error e = {0};
	cr_assert_eq(sl_board_compute(st, &q, &b, &e), 0);
	cr_assert_eq(site_of(b, "B")->n_nb, 0);
	sl_board_free(b);
	/* windows far apart: no neighbour either */
	exec_ok("UPDATE deliveries SET local_min = 1200 WHERE ext_id = 'DB'");
	b = board_as(NULL, 20454);
	cr_assert_eq(site_of(b, "B")->n_nb, 0);
	sl_board_free(b);
}

Test(board, site_filter_and_unknown_site)
{
	sl_board_query q;
	sl_board_query_init(&q);
	q.day = 20454;
	q.site = "C";
	sl_error e = {0};
	sl_board *b = NULL;
	cr_assert_eq(sl_board_compute(st, &q, &b, &e), 0);
	cr_assert_eq(b->n_sites, 1);
	cr_assert_str_eq(b->sites[0].ext, "C");
	sl_board_free(b);
	q.site = "ZZ";
	cr_assert_eq(sl_board_compute(st, &q, &b, &e), SL_ENOTFOUND);
	q.site = NULL;
	q.radius_m = -1;
	cr_assert_eq(sl_board_compute(st, &q, &b, &e), SL_EINVAL);
}

/* ---- announcements ---------------------------------------------------- */

static int announce(const char *text, sl_import_result *res, const char *restrict_org)
{
	sl_import_opts o;
	memset(&o, 0, sizeof o);
	o.source_name = "a.csv";
	o.restrict_org = restrict_org;
	sl_error e = {0};
	return sl_announce_import(st, &o, text, strlen(text), res, &e);
}

static const char ANN[] = "id,supplier,site,delivered_at,parcels,mass_kg,window_from,window_to,status\n"
                          "A1,S1,B,2026-01-05T08:00,3,20,07:30,09:00,announced\n"
                          "A2,S2,B,2026-01-05T08:30,2,12,08:00,09:30,announced\n";

Test(board, announcements_import_idempotent_with_history)
{
	sl_import_result res;
	cr_assert_eq(announce(ANN, &res, NULL), 0);
	cr_assert_eq(res.inserted, 2);
	sl_import_result_free(&res);
	cr_assert_eq(q1("SELECT COUNT(*) FROM deliveries WHERE status = 'announced'"), 2);
	cr_assert_eq(announce(ANN, &res, NULL), 0);
	cr_assert_eq(res.unchanged, 2, "re-sending is idempotent");
	sl_import_result_free(&res);
	const char *changed = "id,supplier,site,delivered_at,parcels,mass_kg,status\n"
	                      "A1,S1,B,2026-01-05T08:00,4,25,announced\n";
	cr_assert_eq(announce(changed, &res, NULL), 0);
	cr_assert_eq(res.updated, 1);
	sl_import_result_free(&res);
	cr_assert_eq(q1("SELECT COUNT(*) FROM row_history h JOIN deliveries d ON d.id = h.row_id "
	                "WHERE h.tbl = 'deliveries' AND d.ext_id = 'A1'"),
	             1);
	/* the board of that day shows the announcements */
	sl_board *b = board_as(NULL, 20458);
	cr_assert_eq(b->n_rows, 2);
	cr_assert_str_eq(b->rows[0].status, "announced");
	cr_assert(site_of(b, "B")->same_site);
	sl_board_free(b);
}

Test(board, announcements_reject_other_statuses_with_line_and_column)
{
	const char *bad = "id,supplier,site,delivered_at,status\n"
	                  "A1,S1,B,2026-01-05T08:00,announced\n"
	                  "A2,S1,B,2026-01-05T09:00,delivered\n";
	sl_import_result res;
	int64_t before = q1("SELECT COUNT(*) FROM deliveries");
	cr_assert_eq(announce(bad, &res, NULL), SL_EINVAL);
	cr_assert_eq(res.error_count, 1);
	cr_assert_eq(res.errors[0].line, 3);
	cr_assert_eq(res.errors[0].column, 26);
	cr_assert_str_eq(res.errors[0].field, "status");
	sl_import_result_free(&res);
	cr_assert_eq(q1("SELECT COUNT(*) FROM deliveries"), before, "store unchanged");
	/* no status column at all */
	cr_assert_eq(announce("id,supplier,site,delivered_at\nA1,S1,B,2026-01-05T08:00\n", &res, NULL),
	             SL_EINVAL);
	cr_assert_eq(res.errors[0].line, 1);
	sl_import_result_free(&res);
	/* JSON: the line of the offending object */
	const char *json = "[\n {\"id\":\"J1\",\"supplier\":\"S1\",\"site\":\"B\",\"delivered_at\":"
	                   "\"2026-01-05T08:00\",\"status\":\"announced\"},\n"
	                   " {\"id\":\"J2\",\"supplier\":\"S1\",\"site\":\"B\",\"delivered_at\":"
	                   "\"2026-01-05T08:00\"}\n]\n";
	cr_assert_eq(announce(json, &res, NULL), SL_EINVAL);
	cr_assert_eq(res.error_count, 1);
	cr_assert_eq(res.errors[0].line, 3);
	sl_import_result_free(&res);
	/* the ledger's own validation applies: an unknown site */
	cr_assert_eq(announce("id,supplier,site,delivered_at,status\nA9,S1,NOPE,2026-01-05T08:00,announced\n",
	                      &res, NULL),
	             SL_EINVAL);
	cr_assert_geq(res.error_count, 1);
	cr_assert_eq(res.errors[0].line, 2);
	sl_import_result_free(&res);
	/* a supplier may only announce its own */
	cr_assert_eq(announce(ANN, &res, "S1"), SL_EINVAL);
	cr_assert_geq(res.error_count, 1);
	cr_assert_eq(res.errors[0].line, 3);
	sl_import_result_free(&res);
	cr_assert_eq(q1("SELECT COUNT(*) FROM deliveries"), before, "store unchanged");
	/* UBL is not an announcement format */
	cr_assert_eq(announce("<?xml version=\"1.0\"?><DespatchAdvice/>", &res, NULL), SL_EINVAL);
	sl_import_result_free(&res);
}

Test(board, confirmation_by_reimport_and_by_explicit_match)
{
	sl_import_result res;
	cr_assert_eq(announce(ANN, &res, NULL), 0);
	sl_import_result_free(&res);
	sl_error e = {0};
	char m[64];
	/* still announced and nothing delivered: nothing to match */
	cr_assert_eq(sl_announce_confirm(st, "S1", "A1", NULL, 0, NULL, m, &e), SL_ENOTFOUND);
	/* A1 re-imported as delivered: confirmed by itself (a deliveries import) */
	sl_import_opts o;
	memset(&o, 0, sizeof o);
	o.kind = SL_KIND_DELIVERIES;
	o.source_name = "d.csv";
	const char *del = "id,supplier,site,delivered_at,mass_kg,status\n"
	                  "A1,S1,B,2026-01-05T08:12,20,delivered\n"
	                  "R7,S2,B,2026-01-05T08:40,12,delivered\n";
	char tmp[300];
	snprintf(tmp, sizeof tmp, "/tmp/sl_board_del_%d.csv", (int)getpid());
	FILE *w = fopen(tmp, "w");
	fputs(del, w);
	fclose(w);
	cr_assert_eq(sl_ledger_import_file(st, &o, tmp, &res, &e), 0, "%s", e.message);
	sl_import_result_free(&res);
	unlink(tmp);
	cr_assert_eq(q1("SELECT COUNT(*) FROM row_history h JOIN deliveries d ON d.id = h.row_id "
	                "WHERE h.tbl = 'deliveries' AND d.ext_id = 'A1' AND h.data LIKE '%announced%'"),
	             1, "the announced version is kept in the history");
	cr_assert_eq(sl_announce_confirm(st, "S1", "A1", NULL, 0, NULL, m, &e), 0, "%s", e.message);
	cr_assert_str_eq(m, "A1");
	/* A2 fulfilled by R7 (another id): found automatically, stored, audited */
	cr_assert_eq(sl_announce_confirm(st, "S2", "A2", "A1", 0, NULL, m, &e), SL_ENOTFOUND);
	cr_assert_eq(sl_announce_confirm(st, "S2", "A2", NULL, 1, NULL, m, &e), 0, "%s", e.message);
	cr_assert_str_eq(m, "R7");
	cr_assert_eq(q1("SELECT pooled FROM announcement_matches"), 1);
	cr_assert_eq(q1("SELECT COUNT(*) FROM audit_log WHERE action = 'announcement.confirm'"), 1);
	cr_assert_eq(sl_announce_confirm(st, "S2", "A2", "R7", 0, NULL, m, &e), SL_ECONFLICT);
	/* the board shows the delivered rows, not the confirmed announcement */
	sl_board *b = board_as(NULL, 20458);
	cr_assert_eq(b->n_rows, 2);
	for (size_t i = 0; i < b->n_rows; i++)
		cr_assert_str_eq(b->rows[i].status, "delivered");
	sl_board_free(b);
	/* a delivered row is not an announcement */
	cr_assert_eq(sl_announce_confirm(st, "S1", "D1", "D6", 0, NULL, m, &e), SL_EINVAL);
	cr_assert_eq(sl_announce_confirm(st, "S9", "A1", NULL, 0, NULL, m, &e), SL_ENOTFOUND);
}

/* ---- CLI -------------------------------------------------------------- */

static int run(const char *args, char *out, size_t cap)
{
	const char *bin = getenv("SAMLAST_BIN");
	cr_assert(bin, "SAMLAST_BIN is not set");
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "%s %s 2>&1", bin, args);
	FILE *p = popen(cmd, "r");
	cr_assert(p);
	size_t n = fread(out, 1, cap - 1, p);
	out[n] = 0;
	int rc = pclose(p);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

Test(board, cli_share_board_announce)
{
	sl_store_close(st);
	st = NULL;
	char out[16384], args[800];
	snprintf(args, sizeof args, "board --db %s --date 2026-01-01 --as S1", db_path);
	cr_assert_eq(run(args, out, sizeof out), 0, "%s", out);
	cr_assert(strstr(out, "D1") && strstr(out, "3 other deliveries from 3 suppliers"), "%s", out);
	cr_assert_null(strstr(out, "D2"));
	snprintf(args, sizeof args, "share grant --db %s --owner S2 --to S1 --note test", db_path);
	cr_assert_eq(run(args, out, sizeof out), 0, "%s", out);
	snprintf(args, sizeof args, "board --db %s --date 2026-01-01 --as S1 --json", db_path);
	cr_assert_eq(run(args, out, sizeof out), 0, "%s", out);
	cr_assert(strstr(out, "\"D2\"") && strstr(out, "\"shared\":true"), "%s", out);
	snprintf(args, sizeof args, "share list --db %s", db_path);
	cr_assert_eq(run(args, out, sizeof out), 0, "%s", out);
	cr_assert(strstr(out, "S2\tS1"), "%s", out);
	snprintf(args, sizeof args, "share revoke --db %s --owner S2 --to S1", db_path);
	cr_assert_eq(run(args, out, sizeof out), 0, "%s", out);
	snprintf(args, sizeof args, "board --db %s --date 2026-01-01 --as S1 --json", db_path);
	cr_assert_eq(run(args, out, sizeof out), 0, "%s", out);
	cr_assert_null(strstr(out, "\"D2\""), "%s", out);
	/* bad input: exit 1 for invalid data, 2 for usage */
	snprintf(args, sizeof args, "board --db %s --date 2026-13-01", db_path);
	cr_assert_eq(run(args, out, sizeof out), 2, "%s", out);
	snprintf(args, sizeof args, "share grant --db %s --owner U1 --to S1", db_path);
	cr_assert_eq(run(args, out, sizeof out), 1, "%s", out);
	cr_assert_eq(run("board --help", out, sizeof out), 0);
	cr_assert(strstr(out, "usage: samlast board"));
	char path[300];
	snprintf(path, sizeof path, "/tmp/sl_board_ann_%d.csv", (int)getpid());
	FILE *f = fopen(path, "w");
	fputs("id;supplier;site;delivered_at;mass_kg;status\nA5;S3;C;2026-01-07T10:00;12,5;delivered\n", f);
	fclose(f);
	snprintf(args, sizeof args, "announce --db %s %s", db_path, path);
	cr_assert_eq(run(args, out, sizeof out), 1, "%s", out);
	cr_assert(strstr(out, ":2:") && strstr(out, "status"), "FILE:LINE:COLUMN expected: %s", out);
	f = fopen(path, "w");
	fputs("id;supplier;site;delivered_at;mass_kg;status\nA5;S3;C;2026-01-07T10:00;12,5;announced\n", f);
	fclose(f);
	cr_assert_eq(run(args, out, sizeof out), 0, "%s", out);
	cr_assert(strstr(out, "1 inserted"), "%s", out);
	unlink(path);
	snprintf(args, sizeof args, "announce confirm --db %s --supplier S3 --id A5", db_path);
	cr_assert_eq(run(args, out, sizeof out), 1, "no delivered row yet -> not found: %s", out);
	cr_assert(strstr(out, "no unmatched delivered row"), "%s", out);
}
