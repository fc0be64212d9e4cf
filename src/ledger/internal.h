/* internal.h — what the ledger's import driver and its kind handlers share.
 *
 * The driver (import.c) reads CSV or JSON into `lrow`s: one raw string per
 * column of the kind's field table, with where it came from.  A kind handler
 * (kinds.c) converts and checks the values, resolves references and upserts
 * through upsert.c.  Errors are added to the import result by lrow_error. */
#ifndef SL_LEDGER_INTERNAL_H
#define SL_LEDGER_INTERNAL_H

#include "samlast/ledger.h"

#define LF_MAX 24 /* most columns of any kind */

enum ftype { F_TEXT, F_INT, F_REAL, F_MONEY, F_DATE, F_TIME, F_HHMM, F_BOOL, F_ENUM, F_GLN, F_DAYS, F_ID };

struct field {
	const char *name;
	enum ftype type;
	int required;
	const char *const *values; /* F_ENUM: NULL-terminated */
};

/* A typed value ready to bind. */
enum vtype { V_NULL, V_INT, V_REAL, V_TEXT };
struct val {
	enum vtype t;
	int64_t i;
	double d;
	const char *s;
};

struct lrow {
	const char *v[LF_MAX]; /* raw text, NULL when the column is absent */
	long line[LF_MAX], col[LF_MAX];
	long rec_line, rec_col;
	int bad; /* an error was reported for this row */
	char *record; /* the raw record, for rejects (owned by the driver) */
};

struct ledger_cache;

/* The state of one import batch. */
struct lctx {
	sl_store *st;
	const sl_import_opts *o;
	sl_import_result *res;
	const char *name;
	int decimal_comma;
	int64_t now;
	int64_t restrict_org_id; /* 0 when none */
	struct ledger_cache *cache;
	void *kind_state; /* the kind handler's own state (orders buffer) */
	sl_arena *arena;  /* reset after each row */
};

struct kind_spec {
	const char *name;
	const struct field *fields;
	int nfields;
	int (*apply)(struct lctx *c, struct lrow *r);
	int (*finish)(struct lctx *c); /* end of input (may be NULL) */
	void (*free_state)(struct lctx *c);
};

const struct kind_spec *ledger_kind_spec(sl_ledger_kind k);

/* Report an error for column `fi` (-1: the whole row) of r. */
void lrow_error(struct lctx *c, struct lrow *r, int fi, const char *fmt, ...) SL_PRINTF(4, 5);

/* Conversions: each returns 0, or reports an error on r and returns -1.
 * An absent or empty optional value gives V_NULL. */
int conv(struct lctx *c, struct lrow *r, int fi, struct val *out);

/* Reference lookups (0 = not found).  Results are cached per batch. */
int64_t ref_org(struct lctx *c, const char *ext);
int64_t ref_site(struct lctx *c, const char *ext);
int64_t ref_contract(struct lctx *c, const char *ext);
int64_t ref_owned(struct lctx *c, const char *table, int64_t owner, const char *ext);
const char *org_kind(struct lctx *c, int64_t id);

/* Duplicate detection inside a batch: returns 1 if the key was seen. */
int batch_seen(struct lctx *c, const char *kind, int64_t owner, const char *ext);

/* Upsert a row of `table` keyed by key columns.  cols/vals are the key
 * columns first (nkey of them), then the data columns.  *id receives the
 * row id; the return is 0 inserted, 1 updated, 2 unchanged, or < 0. */
enum { UP_INSERTED = 0, UP_UPDATED = 1, UP_UNCHANGED = 2 };
int upsert(struct lctx *c, const char *table, const char *const *cols, const struct val *vals,
	   int nkey, int ncols, const char *extra_hash, int64_t *id, sl_error *err);

/* PEPPOL UBL: an Order as orders rows, a Despatch Advice as a delivery. */
int ledger_import_ubl(struct lctx *c, sl_ledger_read_fn read, void *ctx);

struct ledger_cache *ledger_cache_new(void);
void ledger_cache_free(struct ledger_cache *lc);
sl_stmt *cached_stmt(struct lctx *c, const char *sql, sl_error *err);

#endif
