/* store.h — the storage interface.
 *
 * Callers speak a small, backend-neutral SQL subset through prepared
 * statements: parameters are written ?1, ?2, … (the PostgreSQL backend
 * rewrites them to $1, $2, …); types are INTEGER (int64), REAL (double),
 * TEXT (UTF-8) and NULL.  SQLite is the embedded default (WAL, foreign keys,
 * a busy timeout, a large page cache); a PostgreSQL backend can implement the
 * same functions later without touching callers.
 *
 * Migrations are the numbered files in schema/ (0001_init.sql, …), compiled
 * into the library; sl_store_migrate applies those not yet recorded in the
 * schema_version table, each in its own transaction.
 *
 * An sl_store is used by one thread at a time; the server opens one per
 * worker thread.  Statements belong to the store that prepared them and must
 * be freed before it is closed.
 */
#ifndef SAMLAST_STORE_H
#define SAMLAST_STORE_H

#include "samlast/base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sl_store sl_store;
typedef struct sl_stmt sl_stmt;

/* Open a store.  `uri` is a file path or "sqlite:PATH" (SQLite; the file is
 * created if missing), or "postgresql://…" (reserved; SL_EUNSUPPORTED until
 * that backend exists).  The caller owns *out and closes it with
 * sl_store_close.  Errors: SL_EIO (cannot open), SL_ESTORE, SL_EUNSUPPORTED. */
int sl_store_open(const char *uri, sl_store **out, sl_error *err);

/* As sl_store_open, read-only (a SQLite file must exist). */
int sl_store_open_readonly(const char *uri, sl_store **out, sl_error *err);

/* Close the store; NULL is a no-op. */
void sl_store_close(sl_store *st);

/* Apply pending migrations.  Returns 0, or SL_ESTORE with the failing
 * migration's name in err (the store keeps the last complete version). */
int sl_store_migrate(sl_store *st, sl_error *err);

/* The highest applied migration number (0 for an empty store). */
int sl_store_schema_version(sl_store *st, int *version, sl_error *err);

/* The highest migration number this build knows. */
int sl_store_schema_latest(void);

/* Transactions.  begin/commit/rollback nest by counting: only the outermost
 * pair touches the database, and a rollback at any depth makes the outermost
 * commit fail with SL_ESTORE (the whole batch is undone). */
int sl_store_begin(sl_store *st, sl_error *err);
int sl_store_commit(sl_store *st, sl_error *err);
int sl_store_rollback(sl_store *st);

/* Is a transaction open (sl_store_begin without its commit/rollback)? */
int sl_store_in_transaction(const sl_store *st);

/* Turn the database's own foreign-key enforcement on or off for this
 * connection; only outside a transaction (SL_EUSAGE otherwise).  The
 * importer turns it off for a batch whose every reference it has resolved
 * itself, which saves about an eighth of the work per row. */
int sl_store_set_foreign_keys(sl_store *st, int on, sl_error *err);

/* Run one or more statements without results (DDL, pragmas). */
int sl_store_exec(sl_store *st, const char *sql, sl_error *err);

/* Prepare a statement; the caller frees it with sl_stmt_free. */
int sl_store_prepare(sl_store *st, const char *sql, sl_stmt **out, sl_error *err);

/* Bind parameter `idx` (1-based).  Text is copied.  Return 0 or SL_ESTORE. */
int sl_stmt_bind_int64(sl_stmt *s, int idx, int64_t v);
int sl_stmt_bind_double(sl_stmt *s, int idx, double v);
int sl_stmt_bind_text(sl_stmt *s, int idx, const char *v); /* NULL binds NULL */
int sl_stmt_bind_null(sl_stmt *s, int idx);

/* Advance: 1 when a row is available, 0 when done, < 0 on error (SL_ESTORE,
 * or SL_ECONFLICT for a uniqueness/foreign-key violation). */
int sl_stmt_step(sl_stmt *s, sl_error *err);

/* Column accessors for the current row (0-based).  Text is borrowed until the
 * next step/reset/free; NULL text reads as NULL. */
int sl_stmt_column_count(sl_stmt *s);
int sl_stmt_is_null(sl_stmt *s, int col);
int64_t sl_stmt_int64(sl_stmt *s, int col);
double sl_stmt_double(sl_stmt *s, int col);
const char *sl_stmt_text(sl_stmt *s, int col);
const char *sl_stmt_column_name(sl_stmt *s, int col);

/* Reset for re-execution and clear bindings. */
int sl_stmt_reset(sl_stmt *s);
void sl_stmt_free(sl_stmt *s);

/* Refresh the query planner's statistics (SQLite: ANALYZE with an
 * analysis limit, a few milliseconds).  Call after a large import; errors
 * are reported but harmless to the data. */
int sl_store_optimize(sl_store *st, sl_error *err);

/* Rows changed by the last completed statement. */
int64_t sl_store_changes(sl_store *st);
/* Row id of the last insert (SQLite rowid / PostgreSQL RETURNING emulation). */
int64_t sl_store_last_insert_id(sl_store *st);

/* Convenience: run a query that returns one integer (e.g. COUNT(*)).
 * Returns 0 and sets *out, SL_ENOTFOUND when there is no row. */
int sl_store_query_int64(sl_store *st, const char *sql, int64_t *out, sl_error *err);

/* Record that derived data changed without an import (emissions recomputed,
 * a hub period recorded): bumps data_version.n (schema 0009), which the
 * server's answer caches read.  A store without that table (not migrated to
 * 0009) has no such cache to invalidate: 0 and nothing done.  Call it inside
 * the writer's transaction. */
int sl_store_bump_data_version(sl_store *st, sl_error *err);

#ifdef __cplusplus
}
#endif
#endif
