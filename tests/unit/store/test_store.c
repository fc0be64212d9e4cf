/* test_store.c — the SQLite backend: migrations, statements, transactions. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "samlast/store.h"

static char path[64];

static void setup(void)
{
	snprintf(path, sizeof path, "/tmp/sl_store_test_%d.db", (int)getpid());
	unlink(path);
}

static void teardown(void)
{
	char p[80];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

TestSuite(store, .init = setup, .fini = teardown);

Test(store, migrate_is_idempotent)
{
	sl_store *st;
	sl_error e;
	cr_assert_eq(sl_store_open(path, &st, &e), 0, "%s", e.message);
	int v = -1;
	cr_assert_eq(sl_store_schema_version(st, &v, &e), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(sl_store_migrate(st, &e), 0, "%s", e.message);
	cr_assert_eq(sl_store_schema_version(st, &v, &e), 0);
	cr_assert_eq(v, sl_store_schema_latest());
	cr_assert_eq(sl_store_migrate(st, &e), 0);
	int64_t n;
	cr_assert_eq(sl_store_query_int64(st, "SELECT COUNT(*) FROM schema_version", &n, &e), 0);
	cr_assert_geq(n, 1);
	sl_store_close(st);
}

Test(store, data_version_counts_changes_outside_imports)
{
	sl_store *st;
	sl_error e;
	int64_t n = -1;
	cr_assert_eq(sl_store_open(path, &st, &e), 0, "%s", e.message);
	/* not migrated yet: no counter, nothing to do, no error */
	cr_assert_eq(sl_store_bump_data_version(st, &e), 0, "%s", e.message);
	cr_assert_eq(sl_store_migrate(st, &e), 0, "%s", e.message);
	cr_assert_eq(sl_store_query_int64(st, "SELECT n FROM data_version", &n, &e), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(sl_store_bump_data_version(st, &e), 0, "%s", e.message);
	cr_assert_eq(sl_store_bump_data_version(st, &e), 0, "%s", e.message);
	cr_assert_eq(sl_store_query_int64(st, "SELECT n FROM data_version", &n, &e), 0);
	cr_assert_eq(n, 2);
	/* inside a rolled-back transaction the bump is undone with the rest */
	cr_assert_eq(sl_store_begin(st, &e), 0);
	cr_assert_eq(sl_store_bump_data_version(st, &e), 0, "%s", e.message);
	sl_store_rollback(st);
	cr_assert_eq(sl_store_query_int64(st, "SELECT n FROM data_version", &n, &e), 0);
	cr_assert_eq(n, 2);
	sl_store_close(st);
}

Test(store, statements_and_rollback)
{
	sl_store *st;
	sl_error e;
	cr_assert_eq(sl_store_open(path, &st, &e), 0);
	cr_assert_eq(sl_store_exec(st, "CREATE TABLE t(k TEXT PRIMARY KEY, v REAL, n INTEGER)", &e), 0);
	sl_stmt *s;
	cr_assert_eq(sl_store_prepare(st, "INSERT INTO t VALUES (?1, ?2, ?3)", &s, &e), 0);
	cr_assert_eq(sl_store_begin(st, &e), 0);
	sl_stmt_bind_text(s, 1, "a");
	sl_stmt_bind_double(s, 2, 1.5);
	sl_stmt_bind_int64(s, 3, 7);
	cr_assert_eq(sl_stmt_step(s, &e), 0);
	sl_stmt_reset(s);
	sl_stmt_bind_text(s, 1, "a");
	cr_assert_eq(sl_stmt_step(s, &e), SL_ECONFLICT);
	sl_stmt_reset(s);
	/* nested rollback poisons the outer transaction */
	cr_assert_eq(sl_store_begin(st, &e), 0);
	sl_store_rollback(st);
	cr_assert_eq(sl_store_commit(st, &e), SL_ESTORE);
	int64_t n = -1;
	cr_assert_eq(sl_store_query_int64(st, "SELECT COUNT(*) FROM t", &n, &e), 0);
	cr_assert_eq(n, 0);
	/* a clean transaction commits */
	cr_assert_eq(sl_store_begin(st, &e), 0);
	sl_stmt_bind_text(s, 1, "b");
	sl_stmt_bind_null(s, 2);
	sl_stmt_bind_int64(s, 3, 3);
	cr_assert_eq(sl_stmt_step(s, &e), 0);
	cr_assert_eq(sl_store_commit(st, &e), 0);
	sl_stmt_free(s);
	cr_assert_eq(sl_store_prepare(st, "SELECT k, v, n FROM t", &s, &e), 0);
	cr_assert_eq(sl_stmt_step(s, &e), 1);
	cr_assert_str_eq(sl_stmt_text(s, 0), "b");
	cr_assert(sl_stmt_is_null(s, 1));
	cr_assert_eq(sl_stmt_int64(s, 2), 3);
	cr_assert_eq(sl_stmt_step(s, &e), 0);
	sl_stmt_free(s);
	sl_store_close(st);
}

Test(store, refuses_foreign_files_and_postgres)
{
	sl_store *st;
	sl_error e;
	FILE *f = fopen(path, "w");
	fputs("this is not a database, just text that is long enough to fill a header page...", f);
	fclose(f);
	int rc = sl_store_open(path, &st, &e);
	if (rc == 0) {
		rc = sl_store_migrate(st, &e);
		sl_store_close(st);
	}
	cr_assert_neq(rc, 0);
	cr_assert_eq(sl_store_open("postgresql://localhost/x", &st, &e), SL_EUNSUPPORTED);
	cr_assert_eq(sl_store_open("/nonexistent-dir/x.db", &st, &e), SL_EIO);
}
