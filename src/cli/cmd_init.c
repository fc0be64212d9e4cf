/* cmd_init.c — `samlast init`: create or upgrade a database. */
#include "commands.h"

#include <getopt.h>
#include <stdio.h>

#include "samlast/store.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: samlast init --db FILE\n\n"
		     "Create the database (SQLite) if it does not exist and apply every pending\n"
		     "schema migration.  Safe to run again.  SAMLAST_DB is the default for --db.\n");
}

int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}};
	const char *db = NULL;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE_;
		}
	}
	db = cli_db_path(db);
	if (!db || optind != argc) {
		usage(stderr);
		return EX_USAGE_;
	}
	sl_error err;
	sl_store *st;
	int rc = sl_store_open(db, &st, &err);
	if (!rc)
		rc = sl_store_migrate(st, &err);
	int version = 0;
	if (!rc)
		rc = sl_store_schema_version(st, &version, &err);
	sl_store_close(st);
	if (rc) {
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	printf("%s: schema version %d\n", db, version);
	return 0;
}
