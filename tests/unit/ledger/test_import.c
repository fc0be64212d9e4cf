/* test_import.c — the ledger importer: every kind, idempotency, history,
 * atomicity, each error class with its location, JSON = CSV, accept-valid,
 * and rows restricted to one supplier. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "samlast/ledger.h"

static char dbpath[128];
static sl_store *st;

static void fx(char *out, size_t n, const char *name)
{
	const char *dir = getenv("SL_FIXTURES");
	snprintf(out, n, "%s/ledger/%s", dir ? dir : "tests/fixtures", name);
}

static void setup(void)
{
	static int seq;
	snprintf(dbpath, sizeof dbpath, "/tmp/sl_ledger_%d_%d.db", (int)getpid(), seq++);
	unlink(dbpath);
	sl_error e;
	cr_assert_eq(sl_store_open(dbpath, &st, &e), 0, "%s", e.message);
	cr_assert_eq(sl_store_migrate(st, &e), 0, "%s", e.message);
}

static void teardown(void)
{
	sl_store_close(st);
	char p[160];
	unlink(dbpath);
	snprintf(p, sizeof p, "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", dbpath);
	unlink(p);
}

TestSuite(import, .init = setup, .fini = teardown);

static int import_file(sl_ledger_kind kind, const char *name, sl_import_result *res, int accept)
{
	char path[512];
	fx(path, sizeof path, name);
	sl_import_opts o = {.kind = kind, .accept_valid = accept};
	sl_error e;
	return sl_ledger_import_file(st, &o, path, res, &e);
}

struct memsrc {
	const char *s;
	size_t pos, len;
};

static size_t mem_read(void *ctx, char *buf, size_t cap)
{
	struct memsrc *m = ctx;
	size_t n = m->len - m->pos < cap ? m->len - m->pos : cap;
	memcpy(buf, m->s + m->pos, n);
	m->pos += n;
	return n;
}

static int import_text(sl_ledger_kind kind, const char *text, sl_import_result *res,
		       const sl_import_opts *base)
{
	struct memsrc m = {text, 0, strlen(text)};
	sl_import_opts o = base ? *base : (sl_import_opts){0};
	o.kind = kind;
	o.source_name = "t.csv";
	sl_error e;
	return sl_ledger_import(st, &o, mem_read, &m, res, &e);
}

static void ok(sl_ledger_kind kind, const char *name)
{
	sl_import_result r;
	int rc = import_file(kind, name, &r, 0);
	cr_assert_eq(rc, 0, "%s: rc %d, first error: %s", name, rc,
		     r.error_count ? r.errors[0].message : "-");
	cr_assert_eq(r.error_total, 0);
	sl_import_result_free(&r);
}

static void load_master(void)
{
	ok(SL_KIND_ORGANISATIONS, "organisations.csv");
	ok(SL_KIND_SITES, "sites.csv");
	ok(SL_KIND_CONTRACTS, "contracts.csv");
	ok(SL_KIND_VEHICLES, "vehicles.csv");
	ok(SL_KIND_TRIPS, "trips.csv");
	ok(SL_KIND_ORDERS, "orders.csv");
}

static int64_t q(const char *sql)
{
	int64_t v = -1;
	sl_error e;
	cr_assert_eq(sl_store_query_int64(st, sql, &v, &e), 0, "%s: %s", sql, e.message);
	return v;
}

/* A fingerprint of everything in the ledger, to prove "unchanged". */
static void fingerprint(char *out, size_t n)
{
	static const char *const tables[] = {"organisations", "sites", "contracts", "vehicles", "trips",
					     "orders", "order_lines", "deliveries", "delivery_orders",
					     "row_history", "imports"};
	size_t k = 0;
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		char sql[128];
		snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", tables[i]);
		k += (size_t)snprintf(out + k, n - k, "%s=%lld ", tables[i], (long long)q(sql));
	}
	k += (size_t)snprintf(out + k, n - k, "rev=%lld",
			      (long long)q("SELECT COALESCE(SUM(revision),0) FROM deliveries"));
}

Test(import, all_kinds_and_values)
{
	load_master();
	ok(SL_KIND_DELIVERIES, "deliveries.csv");
	cr_assert_eq(q("SELECT COUNT(*) FROM organisations"), 7);
	cr_assert_eq(q("SELECT COUNT(*) FROM orders"), 3);
	cr_assert_eq(q("SELECT value_ore FROM orders WHERE ext_id = 'O1'"), 82050);
	cr_assert_eq(q("SELECT line_count FROM orders WHERE ext_id = 'O1'"), 2);
	cr_assert_eq(q("SELECT recv_days FROM sites WHERE ext_id = 'ELF'"), 1 | 4 | 16);
	cr_assert_eq(q("SELECT recv_from_min FROM sites WHERE ext_id = 'RON'"), 390);
	cr_assert_eq(q("SELECT distance_m FROM trips WHERE ext_id = 'T1'"), 62400);
	cr_assert_eq(q("SELECT local_min FROM deliveries WHERE ext_id = 'D1'"), 7 * 60 + 5);
	cr_assert_eq(q("SELECT COUNT(*) FROM delivery_orders"), 3);
	cr_assert_eq(q("SELECT COUNT(*) FROM deliveries WHERE ext_id = 'D3' AND temp_class = 'ambient' "
		       "AND status = 'delivered' AND carrier_id IS NULL"), 1);
	cr_assert_eq(q("SELECT COUNT(*) FROM imports"), 7);
	/* the importer checks references itself (SQLite's checks are off
	 * during a batch): the result must still satisfy every foreign key */
	cr_assert_eq(q("SELECT COUNT(*) FROM pragma_foreign_key_check"), 0);
	int64_t fk = -1;
	cr_assert_eq(sl_store_query_int64(st, "PRAGMA foreign_keys", &fk, NULL), 0);
	cr_assert_eq(fk, 1, "foreign keys must be on again after an import");
}

Test(import, twice_is_a_no_op)
{
	load_master();
	ok(SL_KIND_DELIVERIES, "deliveries.csv");
	char before[1024], after[1024];
	fingerprint(before, sizeof before);
	sl_import_result r;
	cr_assert_eq(import_file(SL_KIND_DELIVERIES, "deliveries.csv", &r, 0), 0);
	cr_assert_eq(r.unchanged, 3);
	cr_assert_eq(r.inserted + r.updated, 0);
	cr_assert_eq(r.committed, 0);
	sl_import_result_free(&r);
	cr_assert_eq(import_file(SL_KIND_ORDERS, "orders.csv", &r, 0), 0);
	cr_assert_eq(r.unchanged, 3);
	sl_import_result_free(&r);
	fingerprint(after, sizeof after);
	/* only the imports log grows */
	cr_assert_str_neq(before, after);
	cr_assert_eq(q("SELECT COUNT(*) FROM row_history"), 0);
	cr_assert_eq(q("SELECT SUM(revision) FROM deliveries"), 3);
}

Test(import, changed_row_updates_and_keeps_history)
{
	load_master();
	ok(SL_KIND_DELIVERIES, "deliveries.csv");
	sl_import_result r;
	const char *changed = "id,supplier,site,delivered_at,mass_kg\n"
			      "D3,S-OFF,RON,2025-03-03T10:15:00+01:00,14.5\n";
	cr_assert_eq(import_text(SL_KIND_DELIVERIES, changed, &r, NULL), 0);
	cr_assert_eq(r.updated, 1);
	sl_import_result_free(&r);
	cr_assert_eq(q("SELECT revision FROM deliveries WHERE ext_id = 'D3'"), 2);
	cr_assert_eq(q("SELECT COUNT(*) FROM row_history WHERE tbl = 'deliveries' AND revision = 1 "
		       "AND data LIKE '%\"mass_kg\":\"12.0\"%'"), 1);
	/* the order link was part of the old row and is gone with the change */
	cr_assert_eq(q("SELECT COUNT(*) FROM delivery_orders d JOIN deliveries x ON x.id = d.delivery_id "
		       "WHERE x.ext_id = 'D3'"), 0);
	/* an order changes: lines are replaced, value recomputed */
	const char *order = "id,supplier,site,category,ordered_at,line_id,quantity,line_value_sek\n"
			    "O3,S-OFF,RON,office,2025-02-20T09:00,1,10,650\n"
			    "O3,S-OFF,RON,office,2025-02-20T09:00,2,1,99.90\n";
	cr_assert_eq(import_text(SL_KIND_ORDERS, order, &r, NULL), 0);
	cr_assert_eq(r.updated, 1);
	sl_import_result_free(&r);
	cr_assert_eq(q("SELECT value_ore FROM orders WHERE ext_id = 'O3'"), 65000 + 9990);
	cr_assert_eq(q("SELECT COUNT(*) FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.ext_id = 'O3'"), 2);
}

/* Run a bad import and check: rejected, error text and location, store unchanged. */
static void bad(sl_ledger_kind kind, const char *text, long line, long col, const char *needle)
{
	char before[1024], after[1024];
	fingerprint(before, sizeof before);
	sl_import_result r;
	int rc = import_text(kind, text, &r, NULL);
	cr_assert_eq(rc, SL_EINVAL, "expected the batch to be rejected (rc %d)", rc);
	cr_assert_geq(r.error_count, 1);
	int found = 0;
	for (size_t i = 0; i < r.error_count; i++)
		if (strstr(r.errors[i].message, needle) && r.errors[i].line == line &&
		    (col == 0 || r.errors[i].column == col))
			found = 1;
	cr_assert(found, "no error '%s' at %ld:%ld; first: %ld:%ld %s", needle, line, col,
		  r.errors[0].line, r.errors[0].column, r.errors[0].message);
	sl_import_result_free(&r);
	fingerprint(after, sizeof after);
	cr_assert_str_eq(before, after, "the store changed");
}

#define DHDR "id,supplier,carrier,site,delivered_at,mass_kg\n"
#define DOK "D10,S-FOOD,C-TRANS,RON,2025-03-05T08:00,10\n"

Test(import, error_bad_date)
{
	load_master();
	bad(SL_KIND_CONTRACTS, "id,supplier,category,valid_from\nK9,S-FOOD,food,2025-02-30\n", 2, 16,
	    "does not exist");
	bad(SL_KIND_DELIVERIES, DHDR DOK "D11,S-FOOD,C-TRANS,RON,2025-13-05T08:00,10\n", 3, 24,
	    "month 13");
}

Test(import, error_unknown_site)
{
	load_master();
	bad(SL_KIND_DELIVERIES, DHDR DOK "D11,S-FOOD,C-TRANS,NOPE,2025-03-05T08:00,10\n", 3, 20,
	    "unknown site 'NOPE'");
}

Test(import, error_negative_weight)
{
	load_master();
	bad(SL_KIND_DELIVERIES, DHDR DOK "D11,S-FOOD,C-TRANS,RON,2025-03-05T08:00,-5\n", 3, 41,
	    "must not be negative");
}

Test(import, error_duplicate_id_in_batch)
{
	load_master();
	bad(SL_KIND_DELIVERIES, DHDR DOK DOK, 3, 1, "duplicate id 'D10'");
}

Test(import, error_wrong_column_count)
{
	load_master();
	bad(SL_KIND_DELIVERIES, DHDR DOK "D11,S-FOOD,C-TRANS,RON\n", 3, 1, "expected 6 fields");
}

Test(import, error_invalid_utf8)
{
	load_master();
	bad(SL_KIND_ORGANISATIONS, "id,kind,name\nX1,other,Bad \xff name\n", 2, 10, "invalid UTF-8");
}

Test(import, error_overlong_field)
{
	load_master();
	size_t n = SL_CSV_MAX_FIELD + 100;
	char *s = malloc(n + 64);
	if (!s)
		cr_assert_fail("out of memory");
	strcpy(s, "id,kind,name\nX1,other,");
	size_t k = strlen(s);
	memset(s + k, 'a', n);
	strcpy(s + k + n, "\n");
	bad(SL_KIND_ORGANISATIONS, s, 2, 10, "longer than");
	free(s);
}

Test(import, error_empty_and_header_only)
{
	load_master();
	bad(SL_KIND_DELIVERIES, "", 1, 1, "empty file");
	bad(SL_KIND_DELIVERIES, DHDR, 2, 1, "no data rows");
	bad(SL_KIND_DELIVERIES, "[]", 1, 1, "no objects");
}

Test(import, error_header_problems)
{
	load_master();
	bad(SL_KIND_DELIVERIES, "id,supplier,site,delivered_at,colour\n", 1, 31, "unknown column 'colour'");
	bad(SL_KIND_DELIVERIES, "id,supplier,delivered_at\nD1,S-FOOD,2025-03-05\n", 1, 1,
	    "missing required column 'site'");
}

Test(import, error_order_lines_must_agree_and_be_adjacent)
{
	load_master();
	bad(SL_KIND_ORDERS,
	    "id,supplier,site,category,ordered_at,line_id,quantity,line_value_sek\n"
	    "O7,S-FOOD,RON,food,2025-03-01T08:00,1,1,10\n"
	    "O7,S-FOOD,ELF,food,2025-03-01T08:00,2,1,10\n",
	    3, 11, "differs from the order's first line");
	bad(SL_KIND_ORDERS,
	    "id,supplier,site,category,ordered_at,line_id,quantity,line_value_sek\n"
	    "O7,S-FOOD,RON,food,2025-03-01T08:00,1,1,10\n"
	    "O8,S-FOOD,RON,food,2025-03-01T08:00,1,1,10\n"
	    "O7,S-FOOD,RON,food,2025-03-01T08:00,2,1,10\n",
	    4, 1, "must be adjacent");
}

Test(import, errors_all_reported_at_once)
{
	load_master();
	sl_import_result r;
	const char *text = DHDR "A,S-FOOD,C-TRANS,X1,2025-03-05T08:00,1\n"
				"B,S-FOOD,C-TRANS,X2,2025-03-05T08:00,1\n"
				"C,S-NONE,C-TRANS,RON,2025-03-05T08:00,1\n";
	cr_assert_eq(import_text(SL_KIND_DELIVERIES, text, &r, NULL), SL_EINVAL);
	cr_assert_eq(r.error_total, 3);
	cr_assert_eq(r.rejected, 3);
	cr_assert(strstr(r.errors[2].message, "unknown supplier 'S-NONE'"));
	sl_import_result_free(&r);
}

Test(import, swedish_csv)
{
	load_master();
	ok(SL_KIND_DELIVERIES, "deliveries_swedish_bom_crlf.csv");
	cr_assert_eq(q("SELECT CAST(mass_kg * 100 AS INTEGER) FROM deliveries WHERE ext_id = 'D9'"), 1225);
	cr_assert_eq(q("SELECT CAST(volume_m3 * 10 AS INTEGER) FROM deliveries WHERE ext_id = 'D1'"), 12);
}

Test(import, json_equals_csv)
{
	load_master();
	ok(SL_KIND_DELIVERIES, "deliveries.json");
	sl_import_result r;
	cr_assert_eq(import_file(SL_KIND_DELIVERIES, "deliveries.csv", &r, 0), 0);
	cr_assert_eq(r.unchanged, 3, "the CSV form of the same rows changed %ld", r.updated);
	sl_import_result_free(&r);
}

Test(import, json_errors)
{
	load_master();
	bad(SL_KIND_DELIVERIES, "[\n {\"id\": \"D1\", \"supplier\": \"S-FOOD\",\n  \"site\": \"RON\", \"mass_kg\": 1,,}\n]",
	    3, 0, "invalid JSON");
	bad(SL_KIND_DELIVERIES, "[{\"id\": \"D1\", \"supplier\": \"S-FOOD\", \"site\": \"RON\", \"colour\": 1,"
				" \"delivered_at\": \"2025-03-05\"}]",
	    1, 0, "unknown key 'colour'");
	bad(SL_KIND_DELIVERIES, "[{\"id\": \"D1\", \"supplier\": \"S-FOOD\", \"site\": {\"x\": 1},"
				" \"delivered_at\": \"2025-03-05\"}]",
	    1, 0, "nested objects");
	bad(SL_KIND_DELIVERIES, "[\n{\"id\": \"D1\", \"supplier\": \"S-FOOD\",\n \"site\": \"RON\", "
				"\"delivered_at\": \"2025-03-05\", \"mass_kg\": -1}]",
	    3, 0, "must not be negative");
}

Test(import, accept_valid_commits_the_rest)
{
	load_master();
	sl_import_result r;
	sl_import_opts o = {.accept_valid = 1};
	const char *text = DHDR DOK "D11,S-FOOD,C-TRANS,NOPE,2025-03-05T08:00,10\n";
	cr_assert_eq(import_text(SL_KIND_DELIVERIES, text, &r, &o), 0);
	cr_assert_eq(r.inserted, 1);
	cr_assert_eq(r.rejected, 1);
	cr_assert_eq(r.error_count, 1);
	cr_assert_str_eq(r.errors[0].record, "D11,S-FOOD,C-TRANS,NOPE,2025-03-05T08:00,10");
	cr_assert_str_eq(r.errors[0].field, "site");
	sl_import_result_free(&r);
	cr_assert_eq(q("SELECT COUNT(*) FROM deliveries WHERE ext_id = 'D10'"), 1);
}

Test(import, restricted_to_one_supplier)
{
	load_master();
	sl_import_result r;
	sl_import_opts o = {.restrict_org = "S-OFF"};
	cr_assert_eq(import_text(SL_KIND_DELIVERIES, DHDR DOK, &r, &o), SL_EINVAL);
	cr_assert(strstr(r.errors[0].message, "belongs to 'S-FOOD', not to 'S-OFF'"));
	sl_import_result_free(&r);
	cr_assert_eq(import_text(SL_KIND_DELIVERIES, DHDR "D12,S-OFF,,RON,2025-03-05T08:00,3\n", &r, &o), 0);
	cr_assert_eq(r.inserted, 1);
	sl_import_result_free(&r);
	cr_assert_eq(import_text(SL_KIND_SITES, "id,org,name,unit_type,lon,lat\nX,S-OFF,X,depot,12,56\n", &r, &o),
		     SL_EPERM);
	sl_import_result_free(&r);
}

Test(import, checks_gln_orgnr_ranges)
{
	load_master();
	bad(SL_KIND_ORGANISATIONS, "id,kind,name,gln\nX1,other,X,7350000000018\n", 2, 12, "not a valid GLN");
	bad(SL_KIND_ORGANISATIONS, "id,kind,name,org_number\nX1,other,X,556677-8898\n", 2, 12,
	    "organisation number");
	bad(SL_KIND_SITES, "id,org,name,unit_type,lon,lat\nX,U-RON,X,school,12.7,95\n", 2, 23, "out of range");
	bad(SL_KIND_SITES, "id,org,name,unit_type,lon,lat\nX,U-RON,X,castle,12.7,56\n", 2, 11,
	    "unknown unit_type 'castle'");
	bad(SL_KIND_VEHICLES, "id,carrier,vehicle_class,energy_carrier\nV9,C-TRANS,rigid_12_20t,coal\n", 2, 25,
	    "unknown energy_carrier 'coal'");
	bad(SL_KIND_TRIPS, "id,carrier,start_at,fuel_used\nT9,C-TRANS,2025-03-03T06:00,12\n", 2, 1,
	    "fuel_unit is required");
}

/* ---- PEPPOL UBL ---------------------------------------------------------- */

Test(import, ubl_order_and_despatch_advice)
{
	load_master();
	ok(SL_KIND_ORDERS, "order_sek.xml");
	cr_assert_eq(q("SELECT value_ore FROM orders WHERE ext_id = 'PO-2025-0042'"), 52000 + 30050);
	cr_assert_eq(q("SELECT line_count FROM orders WHERE ext_id = 'PO-2025-0042' AND category = 'food'"), 2);
	cr_assert_eq(q("SELECT COUNT(*) FROM order_lines WHERE gtin = '07350000000101' AND unit_code = 'KGM'"), 1);
	ok(SL_KIND_DELIVERIES, "despatch_sek.xml");
	cr_assert_eq(q("SELECT COUNT(*) FROM deliveries d JOIN sites s ON s.id = d.site_id "
		       "JOIN organisations c ON c.id = d.carrier_id WHERE d.ext_id = 'DA-77' AND s.ext_id = 'RON' "
		       "AND c.ext_id = 'C-TRANS' AND d.status = 'delivered' AND d.parcels = 2 "
		       "AND d.local_min = 440 AND d.window_from_min = 420 AND d.window_to_min = 480 "
		       "AND ABS(d.mass_kg - 65.5) < 1e-9 AND ABS(d.volume_m3 - 0.3) < 1e-9"), 1);
	cr_assert_eq(q("SELECT COUNT(*) FROM delivery_orders"), 1);
	/* the same documents again change nothing */
	sl_import_result r;
	cr_assert_eq(import_file(SL_KIND_DELIVERIES, "despatch_sek.xml", &r, 0), 0);
	cr_assert_eq(r.unchanged, 1);
	sl_import_result_free(&r);
}

Test(import, ubl_errors)
{
	load_master();
	bad(SL_KIND_DELIVERIES, "<?xml version=\"1.0\"?>\n<Order xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Order-2\"/>\n",
	    2, 0, "cannot be imported as deliveries");
	bad(SL_KIND_ORDERS, "<?xml version=\"1.0\"?>\n<Order>\n  <unclosed>\n</Order>\n", 5, 0, "invalid XML");
	bad(SL_KIND_ORDERS,
	    "<Order xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Order-2\"\n"
	    " xmlns:b=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">\n"
	    "<b:ID>X</b:ID>\n<b:DocumentCurrencyCode>EUR</b:DocumentCurrencyCode>\n</Order>\n",
	    4, 0, "amounts are in EUR");
	sl_import_result r;
	struct memsrc m = {"<x/>", 0, 4};
	sl_import_opts o = {.kind = SL_KIND_SITES};
	sl_error e;
	cr_assert_eq(sl_ledger_import(st, &o, mem_read, &m, &r, &e), SL_EUSAGE);
	sl_import_result_free(&r);
}

/* Every official PEPPOL example is imported or refused with located errors;
 * none crashes or half-imports.  They are read from ../shared/data only. */
Test(import, ubl_shared_examples_are_handled)
{
	const char *shared = getenv("SL_SHARED_DATA");
	char dir[512];
	snprintf(dir, sizeof dir, "%s/peppol", shared ? shared : "../shared/data");
	if (access(dir, R_OK) != 0)
		cr_skip_test("PEPPOL examples not found in %s (../shared/data is absent)", dir);
	load_master();
	static const char *const sub[] = {"order", "despatch_advice"};
	int seen = 0;
	for (int k = 0; k < 2; k++) {
		char sub_dir[560];
		snprintf(sub_dir, sizeof sub_dir, "%s/%s", dir, sub[k]);
		DIR *d = opendir(sub_dir);
		for (struct dirent *de; d && (de = readdir(d));) {
			size_t n = strlen(de->d_name);
			if (n < 5 || strcmp(de->d_name + n - 4, ".xml") != 0)
				continue;
			char path[1024];
			snprintf(path, sizeof path, "%s/%s", sub_dir, de->d_name);
			char before[1024], after[1024];
			fingerprint(before, sizeof before);
			sl_import_opts o = {.kind = k == 0 ? SL_KIND_ORDERS : SL_KIND_DELIVERIES};
			sl_import_result r;
			sl_error e;
			int rc = sl_ledger_import_file(st, &o, path, &r, &e);
			cr_assert(rc == 0 || rc == SL_EINVAL, "%s: rc %d", path, rc);
			for (size_t i = 0; i < r.error_count; i++)
				cr_assert_geq(r.errors[i].line, 1, "%s: unlocated error %s", path, r.errors[i].message);
			if (rc) {
				fingerprint(after, sizeof after);
				cr_assert_str_eq(before, after, "%s changed the store", path);
			}
			sl_import_result_free(&r);
			seen++;
		}
		if (d)
			closedir(d);
	}
	cr_assert_geq(seen, 10, "expected the PEPPOL examples, found %d", seen);
}

/* Regressions found by the ledger-2 review (see docs/formats.md). */
Test(import, review_regressions)
{
	load_master();
	sl_import_result r;
	/* a JSON file with a byte-order mark */
	cr_assert_eq(import_text(SL_KIND_DELIVERIES, "\xEF\xBB\xBF[{\"id\": \"B1\", \"supplier\": \"S-FOOD\", "
						     "\"site\": \"RON\", \"delivered_at\": \"2025-03-05T08:00\"}]",
				 &r, NULL), 0);
	cr_assert_eq(r.inserted, 1);
	sl_import_result_free(&r);
	/* a nested value rejects its row, also with accept_valid */
	sl_import_opts o = {.accept_valid = 1};
	cr_assert_eq(import_text(SL_KIND_DELIVERIES, "[{\"id\": \"N1\", \"supplier\": \"S-FOOD\", \"site\": \"RON\", "
						     "\"delivered_at\": \"2025-03-05T08:00\", \"orders\": [\"O1\"]}]",
				 &r, &o), 0);
	cr_assert_eq(r.inserted, 0);
	cr_assert_eq(r.rejected, 1);
	sl_import_result_free(&r);
	cr_assert_eq(q("SELECT COUNT(*) FROM deliveries WHERE ext_id = 'N1'"), 0);
	/* times of day are exactly HH:MM */
	bad(SL_KIND_SITES, "id,org,name,unit_type,lon,lat,receiving_from,receiving_to\n"
			   "X,U-RON,X,school,12.7,56,\" 7:00\",14:00\n", 2, 26, "not a time of day");
	/* a unit is not a supplier; a carrier may be a supplier carrying its own goods */
	bad(SL_KIND_DELIVERIES, DHDR "D20,U-RON,,RON,2025-03-05T08:00,1\n", 2, 5, "not a supplier");
	cr_assert_eq(import_text(SL_KIND_DELIVERIES, DHDR "D21,S-OFF,S-OFF,RON,2025-03-05T08:00,1\n", &r, NULL), 0);
	sl_import_result_free(&r);
	/* a long list of orders is not cut */
	sl_buf b = {0};
	sl_buf_puts(&b, "id,supplier,site,category,ordered_at,line_id,quantity,line_value_sek\n");
	for (int i = 0; i < 40; i++)
		sl_buf_printf(&b, "ORDER-%03d-%0100d,S-FOOD,RON,food,2025-03-01T08:00,1,1,10\n", i, i);
	cr_assert_eq(import_text(SL_KIND_ORDERS, b.data, &r, NULL), 0);
	sl_import_result_free(&r);
	sl_buf_reset(&b);
	sl_buf_puts(&b, "id,supplier,site,delivered_at,orders\nL1,S-FOOD,RON,2025-03-05T08:00,");
	for (int i = 0; i < 40; i++)
		sl_buf_printf(&b, "%sORDER-%03d-%0100d", i ? "|" : "", i, i);
	sl_buf_puts(&b, "\n");
	cr_assert_eq(import_text(SL_KIND_DELIVERIES, b.data, &r, NULL), 0, "%s",
		     r.error_count ? r.errors[0].message : "");
	sl_import_result_free(&r);
	sl_buf_free(&b);
	cr_assert_eq(q("SELECT COUNT(*) FROM delivery_orders d JOIN deliveries x ON x.id = d.delivery_id "
		       "WHERE x.ext_id = 'L1'"), 40);
}
