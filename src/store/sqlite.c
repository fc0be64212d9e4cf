/* sqlite.c — the SQLite backend of the storage interface.
 *
 * Settings chosen for an import-heavy ledger on one machine: WAL journal (one
 * writer, concurrent readers for the server), synchronous=NORMAL (durable at
 * checkpoint, safe against corruption), foreign keys on, a 5 s busy timeout
 * and a 256 MB page cache (an upsert-heavy import runs ~4× faster than with
 * the default 2 MB).  Parameters in the neutral SQL are ?1, ?2, …, which
 * SQLite understands natively. */
#include "samlast/store.h"

#include "migrations.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sl_store {
	sqlite3 *db;
	int depth;     /* transaction nesting */
	int failed;    /* a nested rollback happened */
};

struct sl_stmt {
	sl_store *st;
	sqlite3_stmt *s;
};

static int db_error(sl_store *st, sl_error *err, const char *what)
{
	int ext = sqlite3_extended_errcode(st->db);
	int code = (ext & 0xff) == SQLITE_CONSTRAINT ? SL_ECONFLICT : SL_ESTORE;
	return sl_error_set(err, code, "%s: %s", what, sqlite3_errmsg(st->db));
}

static int open_common(const char *uri, int flags, sl_store **out, sl_error *err)
{
	*out = NULL;
	if (strncmp(uri, "postgresql:", 11) == 0 || strncmp(uri, "postgres:", 9) == 0)
		return sl_error_set(err, SL_EUNSUPPORTED,
				    "the PostgreSQL backend is not built yet; use a SQLite file");
	if (strncmp(uri, "sqlite:", 7) == 0)
		uri += 7;
	if (!*uri)
		return sl_error_set(err, SL_EUSAGE, "no database file given");
	sl_store *st = calloc(1, sizeof *st);
	if (!st)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	int rc = sqlite3_open_v2(uri, &st->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		sl_error_set(err, SL_EIO, "cannot open database '%s': %s", uri,
			     st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		sqlite3_close(st->db);
		free(st);
		return SL_EIO;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 5000);
	const char *pragmas = (flags & SQLITE_OPEN_READWRITE)
		? "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
		  "PRAGMA foreign_keys=ON; PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY;"
		: "PRAGMA foreign_keys=ON; PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY;";
	char *msg = NULL;
	if (sqlite3_exec(st->db, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
		int code = sqlite3_errcode(st->db) == SQLITE_NOTADB ? SL_ECORRUPT : SL_EIO;
		sl_error_set(err, code, "cannot use database '%s': %s", uri,
			     msg ? msg : "unknown error");
		sqlite3_free(msg);
		sqlite3_close(st->db);
		free(st);
		return code;
	}
	*out = st;
	return 0;
}

int sl_store_open(const char *uri, sl_store **out, sl_error *err)
{
	return open_common(uri, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, out, err);
}

int sl_store_open_readonly(const char *uri, sl_store **out, sl_error *err)
{
	return open_common(uri, SQLITE_OPEN_READONLY, out, err);
}

void sl_store_close(sl_store *st)
{
	if (!st)
		return;
	sqlite3_close(st->db);
	free(st);
}

int sl_store_exec(sl_store *st, const char *sql, sl_error *err)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int ext = sqlite3_extended_errcode(st->db);
		int code = (ext & 0xff) == SQLITE_CONSTRAINT ? SL_ECONFLICT : SL_ESTORE;
		sl_error_set(err, code, "%s", msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return code;
	}
	return 0;
}

int sl_store_in_transaction(const sl_store *st)
{
	return st->depth > 0;
}

int sl_store_set_foreign_keys(sl_store *st, int on, sl_error *err)
{
	if (st->depth > 0)
		return sl_error_set(err, SL_EUSAGE, "foreign keys cannot be switched inside a transaction");
	return sl_store_exec(st, on ? "PRAGMA foreign_keys=ON" : "PRAGMA foreign_keys=OFF", err);
}

int sl_store_begin(sl_store *st, sl_error *err)
{
	if (st->depth++ > 0)
		return 0;
	st->failed = 0;
	int rc = sl_store_exec(st, "BEGIN IMMEDIATE", err);
	if (rc)
		st->depth = 0;
	return rc;
}

int sl_store_commit(sl_store *st, sl_error *err)
{
	if (st->depth <= 0)
		return sl_error_set(err, SL_EUSAGE, "commit without begin");
	if (--st->depth > 0)
		return 0;
	if (st->failed) {
		sl_store_exec(st, "ROLLBACK", NULL);
		return sl_error_set(err, SL_ESTORE, "transaction was rolled back");
	}
	int rc = sl_store_exec(st, "COMMIT", err);
	if (rc)
		sl_store_exec(st, "ROLLBACK", NULL);
	return rc;
}

int sl_store_rollback(sl_store *st)
{
	if (st->depth <= 0)
		return 0;
	if (--st->depth > 0) {
		st->failed = 1;
		return 0;
	}
	return sl_store_exec(st, "ROLLBACK", NULL);
}

int sl_store_prepare(sl_store *st, const char *sql, sl_stmt **out, sl_error *err)
{
	*out = NULL;
	sl_stmt *s = calloc(1, sizeof *s);
	if (!s)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(st->db, sql, -1, &s->s, NULL) != SQLITE_OK) {
		int rc = db_error(st, err, "prepare");
		free(s);
		return rc;
	}
	s->st = st;
	*out = s;
	return 0;
}

static int bind_rc(sl_stmt *s, int rc)
{
	(void)s;
	return rc == SQLITE_OK ? 0 : SL_ESTORE;
}

int sl_stmt_bind_int64(sl_stmt *s, int idx, int64_t v)
{
	return bind_rc(s, sqlite3_bind_int64(s->s, idx, v));
}

int sl_stmt_bind_double(sl_stmt *s, int idx, double v)
{
	return bind_rc(s, sqlite3_bind_double(s->s, idx, v));
}

int sl_stmt_bind_text(sl_stmt *s, int idx, const char *v)
{
	if (!v)
		return sl_stmt_bind_null(s, idx);
	return bind_rc(s, sqlite3_bind_text(s->s, idx, v, -1, SQLITE_TRANSIENT));
}

int sl_stmt_bind_null(sl_stmt *s, int idx)
{
	return bind_rc(s, sqlite3_bind_null(s->s, idx));
}

int sl_stmt_step(sl_stmt *s, sl_error *err)
{
	int rc = sqlite3_step(s->s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	int code = db_error(s->st, err, "step");
	sqlite3_reset(s->s);
	return code;
}

int sl_stmt_column_count(sl_stmt *s)
{
	return sqlite3_column_count(s->s);
}

int sl_stmt_is_null(sl_stmt *s, int col)
{
	return sqlite3_column_type(s->s, col) == SQLITE_NULL;
}

int64_t sl_stmt_int64(sl_stmt *s, int col)
{
	return sqlite3_column_int64(s->s, col);
}

double sl_stmt_double(sl_stmt *s, int col)
{
	return sqlite3_column_double(s->s, col);
}

const char *sl_stmt_text(sl_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(s->s, col);
}

const char *sl_stmt_column_name(sl_stmt *s, int col)
{
	return sqlite3_column_name(s->s, col);
}

int sl_stmt_reset(sl_stmt *s)
{
	sqlite3_reset(s->s);
	sqlite3_clear_bindings(s->s);
	return 0;
}

void sl_stmt_free(sl_stmt *s)
{
	if (!s)
		return;
	sqlite3_finalize(s->s);
	free(s);
}

int sl_store_optimize(sl_store *st, sl_error *err)
{
	return sl_store_exec(st, "PRAGMA analysis_limit=1000; ANALYZE", err);
}

int64_t sl_store_changes(sl_store *st)
{
	return sqlite3_changes64(st->db);
}

int64_t sl_store_last_insert_id(sl_store *st)
{
	return sqlite3_last_insert_rowid(st->db);
}

int sl_store_query_int64(sl_store *st, const char *sql, int64_t *out, sl_error *err)
{
	sl_stmt *s;
	int rc = sl_store_prepare(st, sql, &s, err);
	if (rc)
		return rc;
	rc = sl_stmt_step(s, err);
	if (rc == 1) {
		*out = sl_stmt_int64(s, 0);
		rc = 0;
	} else if (rc == 0) {
		rc = sl_error_set(err, SL_ENOTFOUND, "query returned no row");
	}
	sl_stmt_free(s);
	return rc;
}

int sl_store_bump_data_version(sl_store *st, sl_error *err)
{
	int64_t has = 0;
	int rc = sl_store_query_int64(st,
	                              "SELECT EXISTS (SELECT 1 FROM sqlite_master"
	                              " WHERE type = 'table' AND name = 'data_version')",
	                              &has, err);
	if (rc || !has)
		return rc;
	return sl_store_exec(st, "UPDATE data_version SET n = n + 1 WHERE id = 1", err);
}

int sl_store_schema_latest(void)
{
	return sl_migrations[sl_migration_count - 1].number;
}

int sl_store_schema_version(sl_store *st, int *version, sl_error *err)
{
	int64_t exists = 0;
	int rc = sl_store_query_int64(st,
		"SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='schema_version'",
		&exists, err);
	if (rc)
		return rc;
	if (!exists) {
		*version = 0;
		return 0;
	}
	int64_t v = 0;
	rc = sl_store_query_int64(st, "SELECT COALESCE(MAX(version), 0) FROM schema_version", &v, err);
	if (rc)
		return rc;
	*version = (int)v;
	return 0;
}

static int apply_migration(sl_store *st, const struct sl_migration *m, sl_error *err)
{
	int rc;
	if ((rc = sl_store_begin(st, err)))
		return rc;
	sl_error e2;
	if ((rc = sl_store_exec(st, m->sql, &e2))) {
		sl_store_rollback(st);
		return sl_error_set(err, SL_ESTORE, "migration %s failed: %s", m->name, e2.message);
	}
	sl_stmt *s;
	if ((rc = sl_store_prepare(st,
		"INSERT INTO schema_version(version, name, applied_at) VALUES (?1, ?2, ?3)",
		&s, err))) {
		sl_store_rollback(st);
		return rc;
	}
	sl_stmt_bind_int64(s, 1, m->number);
	sl_stmt_bind_text(s, 2, m->name);
	sl_stmt_bind_int64(s, 3, (int64_t)time(NULL));
	rc = sl_stmt_step(s, err);
	sl_stmt_free(s);
	if (rc < 0) {
		sl_store_rollback(st);
		return rc;
	}
	return sl_store_commit(st, err);
}

int sl_store_migrate(sl_store *st, sl_error *err)
{
	int rc = sl_store_exec(st,
		"CREATE TABLE IF NOT EXISTS schema_version ("
		" version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
		err);
	if (rc)
		return rc;
	int have;
	if ((rc = sl_store_schema_version(st, &have, err)))
		return rc;
	if (have > sl_store_schema_latest())
		return sl_error_set(err, SL_EUNSUPPORTED,
				    "database schema version %d is newer than this program's (%d)",
				    have, sl_store_schema_latest());
	sl_stmt *q;
	if ((rc = sl_store_prepare(st, "SELECT 1 FROM schema_version WHERE version = ?1", &q, err)))
		return rc;
	for (int i = 0; i < sl_migration_count; i++) {
		const struct sl_migration *m = &sl_migrations[i];
		sl_stmt_reset(q);
		sl_stmt_bind_int64(q, 1, m->number);
		rc = sl_stmt_step(q, err);
		sl_stmt_reset(q);
		if (rc < 0)
			break;
		if (rc == 1) {
			rc = 0;
			continue; /* applied before */
		}
		if ((rc = apply_migration(st, m, err)))
			break;
	}
	sl_stmt_free(q);
	return rc;
}
