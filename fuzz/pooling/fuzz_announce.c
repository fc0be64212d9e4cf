/* fuzz_announce.c — libFuzzer target for announcements
 * (src/pooling/announce.c): arbitrary bytes as a batch of announced
 * deliveries (the status pre-check of CSV and JSON, then the ledger's
 * importer) against an in-memory store with two suppliers and a site, inside
 * a transaction that is rolled back, so every input starts from the same
 * store.  Any result is fine except a crash, a sanitizer report, or a
 * rejection (SL_EINVAL) without a located error.  Seeds: fuzz/pooling/corpus. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "samlast/pooling.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sl_store *store(void)
{
	static sl_store *st;
	if (st)
		return st;
	sl_error e;
	if (sl_store_open(":memory:", &st, &e) || sl_store_migrate(st, &e) ||
	    sl_store_exec(st,
	                  "INSERT INTO organisations(id, ext_id, kind, name, updated_at, row_hash) VALUES "
	                  "(1, 'U1', 'unit', 'u', 0, 'x'), (4, 'S1', 'supplier', 's', 0, 'x'), "
	                  "(5, 'S2', 'supplier', 't', 0, 'x');"
	                  "INSERT INTO sites(id, ext_id, org_id, name, unit_type, lon, lat, updated_at, "
	                  "row_hash) VALUES (1, 'A', 1, 'a', 'school', 12.7, 56.0, 0, 'x')",
	                  &e))
		abort();
	return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sl_store *st = store();
	sl_error e;
	sl_error_clear(&e);
	if (sl_store_begin(st, &e))
		abort();
	sl_import_opts o;
	memset(&o, 0, sizeof o);
	o.source_name = "fuzz.csv";
	o.restrict_org = (size & 1) ? "S1" : NULL;
	sl_import_result res;
	int rc = sl_announce_import(st, &o, (const char *)data, size, &res, &e);
	if (rc == SL_EINVAL && res.error_count == 0 && e.message[0] == 0)
		abort();
	for (size_t i = 0; i < res.error_count; i++)
		if (res.errors[i].line < 0 || !res.errors[i].message[0])
			abort();
	sl_import_result_free(&res);
	sl_store_rollback(st);
	return 0;
}
