/* test_cli.c — `samlast init` and `samlast import` as a user runs them:
 * messages on stderr as FILE:LINE:COLUMN, exit codes, rejects file. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char out[65536];

/* Run a shell command, capture stdout+stderr into out, return exit status. */
static int run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	char full[4200];
	snprintf(full, sizeof full, "%s 2>&1", cmd);
	FILE *p = popen(full, "r");
	cr_assert_not_null(p);
	size_t n = fread(out, 1, sizeof out - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char *bin(void)
{
	const char *b = getenv("SAMLAST_BIN");
	return b ? b : "build/samlast";
}

static const char *fxdir(void)
{
	static char d[512];
	snprintf(d, sizeof d, "%s/ledger", getenv("SL_FIXTURES") ? getenv("SL_FIXTURES") : "tests/fixtures");
	return d;
}

Test(cli, init_import_errors_and_exit_codes)
{
	char db[64], tmp[64], rej[64];
	snprintf(db, sizeof db, "/tmp/sl_cli_%d.db", (int)getpid());
	snprintf(tmp, sizeof tmp, "/tmp/sl_cli_%d.csv", (int)getpid());
	snprintf(rej, sizeof rej, "/tmp/sl_cli_%d_rej.csv", (int)getpid());
	unlink(db);
	cr_assert_eq(run("%s init --db %s", bin(), db), 0, "%s", out);
	cr_assert(strstr(out, "schema version"));
	static const char *const kinds[] = {"organisations", "sites", "contracts", "vehicles", "trips", "orders"};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		cr_assert_eq(run("%s import --db %s --kind %s %s/%s.csv", bin(), db, kinds[i], fxdir(), kinds[i]), 0,
			     "%s", out);
	FILE *f = fopen(tmp, "w");
	fputs("id,supplier,carrier,site,delivered_at,mass_kg\n"
	      "D10,S-FOOD,C-TRANS,RON,2025-03-05T08:00,10\n"
	      "D11,S-FOOD,C-TRANS,NOPE,2025-03-05T08:00,-1\n", f);
	fclose(f);
	cr_assert_eq(run("%s import --db %s --kind deliveries %s", bin(), db, tmp), 1);
	char want[256];
	snprintf(want, sizeof want, "%s:3:20: error: site: unknown site 'NOPE'", tmp);
	cr_assert(strstr(out, want), "missing '%s' in:\n%s", want, out);
	snprintf(want, sizeof want, "%s:3:42: error: mass_kg: mass_kg must not be negative", tmp);
	cr_assert(strstr(out, want), "missing '%s' in:\n%s", want, out);
	cr_assert(strstr(out, "database is unchanged"));
	cr_assert_eq(run("sqlite3 %s 'SELECT COUNT(*) FROM deliveries' 2>/dev/null || echo 0", db), 0);
	cr_assert_eq(atoi(out), 0);
	/* accept-valid writes the rejected row */
	cr_assert_eq(run("%s import --db %s --kind deliveries --accept-valid --rejects %s %s", bin(), db, rej, tmp), 0,
		     "%s", out);
	cr_assert(strstr(out, "1 inserted"), "%s", out);
	f = fopen(rej, "r");
	cr_assert_not_null(f);
	char buf[2048];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	cr_assert(strstr(buf, "file,line,column,field,reason,record"));
	cr_assert(strstr(buf, "\"unknown site 'NOPE'\""), "%s", buf);
	cr_assert(strstr(buf, "\"D11,S-FOOD,C-TRANS,NOPE,2025-03-05T08:00,-1\""), "%s", buf);
	/* usage errors */
	cr_assert_eq(run("%s import --db %s --kind parcels %s", bin(), db, tmp), 2);
	cr_assert(strstr(out, "unknown kind 'parcels'"));
	cr_assert_eq(run("%s import --db %s %s", bin(), db, tmp), 2);
	cr_assert_eq(run("%s import --db %s --kind deliveries /nonexistent.csv", bin(), db), 3);
	cr_assert(strstr(out, "cannot open"));
	cr_assert_eq(run("%s import --help", bin()), 0);
	cr_assert(strstr(out, "usage: samlast import"));
	unlink(tmp);
	unlink(rej);
	unlink(db);
	char side[96];
	snprintf(side, sizeof side, "%s-wal", db);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", db);
	unlink(side);
}
