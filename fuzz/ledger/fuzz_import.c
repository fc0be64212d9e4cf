/* fuzz_import.c — libFuzzer target for the whole ledger import path.
 *
 * The first byte picks the kind (byte % 7), strict or accept_valid, an
 * optional supplier restriction and the read-chunk size; the rest is the file,
 * read through a callback in small chunks so both the CSV reader's and the
 * line-by-line JSON feeder's buffer joins are exercised.  The store is an
 * in-memory SQLite database migrated once per process and loaded with a
 * little master data (organisations, sites, a contract, a vehicle, a trip, an
 * order) so references resolve and the upsert, history and link paths run.
 * Each input runs inside an outer transaction that is rolled back, so inputs
 * do not influence each other; afterwards the store must be exactly back at
 * the master data (a leak would mean a batch escaped its transaction). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "samlast/ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct src {
	const uint8_t *p;
	size_t n, pos, chunk;
};

static size_t rd(void *ctx, char *buf, size_t cap)
{
	struct src *s = ctx;
	size_t k = s->n - s->pos;
	if (k > cap)
		k = cap;
	if (k > s->chunk)
		k = s->chunk;
	memcpy(buf, s->p + s->pos, k);
	s->pos += k;
	return k;
}

static const char *const master[][2] = {
	{"organisations", "id,kind,name,org_number,gln,is_local,parent\n"
			  "CITY,city,City,212000-1074,,0,\nU1,unit,Unit,,,0,CITY\n"
			  "S1,supplier,Supplier,,7350053850019,1,\nC1,carrier,Carrier,,,,\n"},
	{"sites", "id,org,name,unit_type,lon,lat,receiving_days,receiving_from,receiving_to\n"
		  "R1,U1,School,school,12.7,56.05,Mon-Fri,06:30,14:00\nD1,S1,Depot,depot,12.8,56.1,,,\n"},
	{"contracts", "id,supplier,category,valid_from,valid_to\nK1,S1,food,2025-01-01,2026-12-31\n"},
	{"vehicles", "id,carrier,vehicle_class,energy_carrier,euro_class,temp_classes\n"
		     "V1,C1,rigid_12_20t,hvo100,6,ambient|chilled\n"},
	{"trips", "id,carrier,vehicle,origin_site,start_at,distance_km,fuel_used,fuel_unit\n"
		  "T1,C1,V1,D1,2025-03-03T06:00:00+01:00,62.4,21.5,l\n"},
	{"orders", "id,supplier,site,category,ordered_at,contract,line_id,quantity,line_value_sek\n"
		   "O1,S1,R1,food,2025-02-27T10:00,K1,1,40,520.00\nO1,S1,R1,food,2025-02-27T10:00,K1,2,2,10\n"},
	{"deliveries", "id,supplier,carrier,site,vehicle,trip,stop_seq,delivered_at,orders\n"
		       "X1,S1,C1,R1,V1,T1,1,2025-03-03T07:05:00+01:00,O1\n"},
};

static sl_store *store;
static int64_t baseline;

static int64_t fingerprint(sl_store *st)
{
	int64_t a = -1;
	if (sl_store_query_int64(st,
		"SELECT (SELECT COUNT(*) FROM organisations) + 10 * (SELECT COUNT(*) FROM sites) + "
		"100 * (SELECT COUNT(*) FROM contracts) + 1000 * (SELECT COUNT(*) FROM vehicles) + "
		"10000 * (SELECT COUNT(*) FROM trips) + 100000 * (SELECT COUNT(*) FROM orders) + "
		"1000000 * (SELECT COUNT(*) FROM order_lines) + 10000000 * (SELECT COUNT(*) FROM deliveries) + "
		"100000000 * (SELECT COUNT(*) FROM delivery_orders) + 1000000000 * (SELECT COUNT(*) FROM row_history) + "
		"10000000000 * (SELECT COUNT(*) FROM imports) + "
		"100000000000 * (SELECT COALESCE(SUM(revision), 0) FROM organisations)", &a, NULL))
		__builtin_trap();
	return a;
}

static void setup(void)
{
	if (sl_store_open(":memory:", &store, NULL) || sl_store_migrate(store, NULL))
		abort();
	for (size_t i = 0; i < sizeof master / sizeof master[0]; i++) {
		sl_import_opts o = {0};
		if (sl_ledger_kind_parse(master[i][0], &o.kind, NULL))
			abort();
		struct src s = {(const uint8_t *)master[i][1], strlen(master[i][1]), 0, 4096};
		sl_import_result r;
		int rc = sl_ledger_import(store, &o, rd, &s, &r, NULL);
		sl_import_result_free(&r);
		if (rc)
			abort(); /* the fuzzer's own master data must import */
	}
	baseline = fingerprint(store);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!store)
		setup();
	if (size < 1)
		return 0;
	unsigned b = data[0];
	sl_import_opts o = {0};
	o.kind = (sl_ledger_kind)(b % SL_KIND_COUNT_);
	o.accept_valid = (b / 7) & 1;
	o.restrict_org = (b / 14) & 1 ? "S1" : NULL;
	o.source_name = "fuzz";
	o.max_errors = 50;
	static const size_t chunks[] = {4096, 1, 7, 97, 512, 65536, 3, 4097};
	struct src in = {data + 1, size - 1, 0, chunks[(b / 28) & 7]};
	if (sl_store_begin(store, NULL))
		__builtin_trap();
	sl_import_result r;
	sl_error e;
	int rc = sl_ledger_import(store, &o, rd, &in, &r, &e);
	if (rc != 0 && (r.committed || r.inserted || r.updated))
		__builtin_trap(); /* a refused batch must report nothing written */
	if (rc == 0 && !o.accept_valid && r.error_total)
		__builtin_trap(); /* strict mode committed despite errors */
	if (r.error_count > r.error_total || r.error_count > 50)
		__builtin_trap();
	for (size_t i = 0; i < r.error_count; i++)
		if (r.errors[i].line < 1 || r.errors[i].column < 1 || !r.errors[i].message[0])
			__builtin_trap(); /* every error is located and has a reason */
	sl_import_result_free(&r);
	sl_store_rollback(store);
	if (fingerprint(store) != baseline)
		__builtin_trap(); /* the outer rollback must undo everything */
	return 0;
}
