/* ledger.h — the delivery-data ledger: validated, idempotent, atomic imports.
 *
 * Suppliers, carriers and the city load organisations, sites, contracts,
 * vehicles, trips, orders and deliveries from CSV (',' or ';', decimal comma,
 * BOM, CRLF) or JSON arrays of objects, and orders and deliveries also from
 * PEPPOL BIS 3 Order and Despatch Advice documents; the formats are in
 * docs/formats.md.
 * An import is one batch in one transaction: by default any invalid row
 * rejects the whole batch and leaves the store exactly as it was, with every
 * error reported as FILE:LINE:COLUMN and a reason; with accept_valid the valid
 * rows are committed and the rejected ones returned.  Rows are upserted by
 * (owner, external id): importing the same data twice changes nothing, and a
 * changed row is updated with its previous version kept in row_history.
 *
 * Input is read through a callback in constant memory (apart from one 8-byte
 * key hash per row for duplicate detection), so the HTTP server can stream
 * uploads and the CLI can import files of any size.
 */
#ifndef SAMLAST_LEDGER_H
#define SAMLAST_LEDGER_H

#include "samlast/base.h"
#include "samlast/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sl_ledger_kind {
	SL_KIND_ORGANISATIONS,
	SL_KIND_SITES,
	SL_KIND_CONTRACTS,
	SL_KIND_VEHICLES,
	SL_KIND_TRIPS,
	SL_KIND_ORDERS,
	SL_KIND_DELIVERIES,
	SL_KIND_COUNT_
} sl_ledger_kind;

/* Parse a kind name ("deliveries"); 0 or SL_EUSAGE naming the valid kinds. */
int sl_ledger_kind_parse(const char *s, sl_ledger_kind *out, sl_error *err);
/* The name of a kind ("deliveries"). */
const char *sl_ledger_kind_name(sl_ledger_kind k);

typedef enum sl_import_format {
	SL_FORMAT_AUTO, /* JSON if the first non-blank byte is '[', UBL XML if '<', else CSV */
	SL_FORMAT_CSV,
	SL_FORMAT_JSON,
	SL_FORMAT_UBL,  /* PEPPOL BIS 3: an Order (kind orders) or a Despatch Advice
	                 * (kind deliveries), one document per input */
} sl_import_format;

typedef struct sl_import_opts {
	sl_ledger_kind kind;
	sl_import_format format;
	const char *source_name; /* shown as FILE in errors ("-" if NULL) */
	int accept_valid;        /* commit valid rows, return rejected ones */
	size_t max_errors;       /* errors kept in the result (0: 1000) */
	/* When set (an organisation ext id), every row must belong to that
	 * supplier (orders, deliveries) or carrier (vehicles, trips); master
	 * data (organisations, sites, contracts) is refused with SL_EPERM.  The
	 * server sets it for supplier tokens. */
	const char *restrict_org;
	const char *actor; /* recorded in the imports table (may be NULL) */
	/* Called about every 10,000 rows with the rows read so far (may be
	 * NULL); the CLI draws a progress line with it. */
	void (*progress)(void *ctx, long rows);
	void *progress_ctx;
} sl_import_opts;

/* One rejected row's problem.  `record` is the row as read (CSV fields
 * joined by the file's separator, or the JSON object re-serialised); may be
 * NULL. */
typedef struct sl_row_error {
	long line;
	long column;
	char field[48];
	char message[320];
	char *record;
} sl_row_error;

typedef struct sl_import_result {
	long rows;      /* data rows read (order lines count as rows) */
	long inserted;  /* logical rows: an order with 3 lines is one */
	long updated;
	long unchanged;
	long rejected;  /* rows with at least one error */
	size_t error_total;    /* all errors found */
	size_t error_count;    /* errors kept in `errors` (capped) */
	sl_row_error *errors;
	int committed;         /* 1 when the batch changed the store */
	int64_t import_id;     /* the imports row, when committed */
} sl_import_result;

/* Read up to cap bytes; return the count, 0 at end, (size_t)-1 on error. */
typedef size_t (*sl_ledger_read_fn)(void *ctx, char *buf, size_t cap);

/* Import one batch from a reader.  Returns 0 when the batch was committed
 * (with accept_valid, possibly with rejected rows listed in res), SL_EINVAL
 * when invalid rows rejected the whole batch (store unchanged; errors in
 * res), SL_EPERM for restrict_org on master data, SL_EIO/SL_ESTORE/SL_ENOMEM
 * otherwise (store unchanged).  The store must be migrated.  If the caller
 * has an open transaction (sl_store_begin), the batch joins it and is only
 * made durable by the caller's commit.  res is always initialised; free it
 * with sl_import_result_free. */
int sl_ledger_import(sl_store *st, const sl_import_opts *opts, sl_ledger_read_fn read,
		     void *ctx, sl_import_result *res, sl_error *err);

/* As sl_ledger_import, reading a file ("-" is standard input). */
int sl_ledger_import_file(sl_store *st, const sl_import_opts *opts, const char *path,
			  sl_import_result *res, sl_error *err);

/* Release what a result holds (not the struct itself). */
void sl_import_result_free(sl_import_result *res);

#ifdef __cplusplus
}
#endif
#endif
