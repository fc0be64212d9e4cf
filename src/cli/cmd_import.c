/* cmd_import.c — `samlast import`: load ledger files into the store.
 *
 * All files of one invocation form one transaction: in strict mode (the
 * default) any error anywhere leaves the store exactly as it was. */
#include "commands.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "samlast/emissions.h"
#include "samlast/ledger.h"

#define SHOW_ERRORS 100

/* The progress line on a terminal: rows so far and the share of the file. */
struct progress {
	const char *name;
	FILE *f;
	long size;
};

static void show_progress(void *ctx, long rows)
{
	struct progress *p = ctx;
	long at = p->f ? ftell(p->f) : -1;
	if (p->size > 0 && at >= 0)
		fprintf(stderr, "\r%s: %ld rows (%ld %%)", p->name, rows, at * 100 / p->size);
	else
		fprintf(stderr, "\r%s: %ld rows", p->name, rows);
	fflush(stderr);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: samlast import --db FILE --kind KIND [--format csv|json|ubl]\n"
		"                      [--accept-valid --rejects FILE] FILE...\n\n"
		"KIND is organisations, sites, contracts, vehicles, trips, orders or deliveries.\n"
		"Files are CSV (',' or ';' with decimal comma) or JSON arrays of objects; '-' is stdin.\n"
		"Orders and deliveries may also be PEPPOL BIS 3 Order / Despatch Advice XML files.\n"
		"Strict by default: every error is reported as FILE:LINE:COLUMN and nothing is\n"
		"imported.  --accept-valid commits the valid rows and writes the rejected ones,\n"
		"with their reasons, to --rejects FILE.  Importing the same data twice changes\n"
		"nothing.  Exit status: 0 ok, 1 invalid input, 2 usage, 3 I/O or store failure.\n");
}

static size_t read_file(void *ctx, char *buf, size_t cap)
{
	FILE *f = ctx;
	size_t n = fread(buf, 1, cap, f);
	return n == 0 && ferror(f) ? (size_t)-1 : n;
}

static void csv_cell(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void write_rejects(FILE *f, const sl_import_result *res, const char *name)
{
	for (size_t i = 0; i < res->error_count; i++) {
		const sl_row_error *e = &res->errors[i];
		csv_cell(f, name);
		fprintf(f, ",%ld,%ld,", e->line, e->column);
		csv_cell(f, e->field);
		fputc(',', f);
		csv_cell(f, e->message);
		fputc(',', f);
		csv_cell(f, e->record);
		fputc('\n', f);
	}
}

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},     {"kind", required_argument, NULL, 'k'},
		{"format", required_argument, NULL, 'f'}, {"accept-valid", no_argument, NULL, 'a'},
		{"rejects", required_argument, NULL, 'r'}, {"actor", required_argument, NULL, 'A'},
		{"help", no_argument, NULL, 'h'},         {0, 0, 0, 0}};
	const char *db = NULL, *kind = NULL, *rejects = NULL;
	sl_import_opts o = {0};
	sl_error err;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:k:f:ar:A:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'k': kind = optarg; break;
		case 'f':
			if (strcmp(optarg, "csv") == 0)
				o.format = SL_FORMAT_CSV;
			else if (strcmp(optarg, "json") == 0)
				o.format = SL_FORMAT_JSON;
			else if (strcmp(optarg, "ubl") == 0)
				o.format = SL_FORMAT_UBL;
			else {
				fprintf(stderr, "samlast import: --format must be csv, json or ubl\n");
				return EX_USAGE_;
			}
			break;
		case 'a': o.accept_valid = 1; break;
		case 'r': rejects = optarg; break;
		case 'A': o.actor = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE_;
		}
	}
	db = cli_db_path(db);
	if (!db || !kind || optind >= argc) {
		usage(stderr);
		return EX_USAGE_;
	}
	if (sl_ledger_kind_parse(kind, &o.kind, &err)) {
		fprintf(stderr, "samlast import: %s\n", err.message);
		return EX_USAGE_;
	}
	if (rejects && !o.accept_valid) {
		fprintf(stderr, "samlast import: --rejects needs --accept-valid\n");
		return EX_USAGE_;
	}
	FILE *rf = NULL;
	if (rejects) {
		if (!(rf = fopen(rejects, "w"))) {
			perror(rejects);
			return EX_IOSTORE;
		}
		fputs("file,line,column,field,reason,record\n", rf);
	}
	sl_store *st;
	int rc = sl_store_open(db, &st, &err);
	if (!rc)
		rc = sl_store_migrate(st, &err);
	/* one transaction for all files; the importer resolves every
	 * reference itself, so SQLite's foreign-key checks are off meanwhile */
	if (!rc)
		rc = sl_store_set_foreign_keys(st, 0, &err);
	if (!rc)
		rc = sl_store_begin(st, &err);
	if (rc) {
		cli_print_error(&err);
		sl_store_close(st);
		if (rf)
			fclose(rf);
		return cli_exit_code(rc);
	}
	int status = 0;
	long ins = 0, upd = 0, same = 0, rej = 0;
	int tty = isatty(STDERR_FILENO);
	for (int i = optind; i < argc; i++) {
		sl_import_result res;
		struct progress pr = {argv[i], NULL, -1};
		FILE *f = strcmp(argv[i], "-") == 0 ? NULL : fopen(argv[i], "rb");
		if (f) {
			if (fseek(f, 0, SEEK_END) == 0)
				pr.size = ftell(f);
			rewind(f);
			pr.f = f;
		}
		if (tty) {
			o.progress = show_progress;
			o.progress_ctx = &pr;
		}
		o.source_name = argv[i];
		if (f) {
			rc = sl_ledger_import(st, &o, read_file, f, &res, &err);
			fclose(f);
		} else {
			rc = sl_ledger_import_file(st, &o, argv[i], &res, &err);
		}
		if (tty && res.rows >= 10000)
			fprintf(stderr, "\r%*s\r", 60, "");
		for (size_t k = 0; k < res.error_count && k < SHOW_ERRORS; k++) {
			const sl_row_error *e = &res.errors[k];
			fprintf(stderr, "%s:%ld:%ld: error: %s%s%s\n", argv[i], e->line, e->column,
				e->field[0] ? e->field : "", e->field[0] ? ": " : "", e->message);
		}
		if (res.error_total > SHOW_ERRORS)
			fprintf(stderr, "%s: … and %zu more errors\n", argv[i], res.error_total - SHOW_ERRORS);
		if (rf)
			write_rejects(rf, &res, argv[i]);
		ins += res.inserted;
		upd += res.updated;
		same += res.unchanged;
		rej += res.rejected;
		sl_import_result_free(&res);
		if (rc) {
			if (rc != SL_EINVAL)
				cli_print_error(&err);
			status = cli_exit_code(rc);
			break;
		}
	}
	/* emissions of what the batch touched, in the same transaction */
	sl_em_recompute_stats es = {0};
	int em_ran = 0;
	if (!status && (o.kind == SL_KIND_SITES || o.kind == SL_KIND_VEHICLES ||
	                o.kind == SL_KIND_TRIPS || o.kind == SL_KIND_DELIVERIES)) {
		rc = sl_emissions_refresh(st, NULL, &es, &err);
		if (rc == SL_ENOTFOUND)
			fprintf(stderr, "samlast import: warning: emissions not computed: %s\n", err.message);
		else if (rc) {
			cli_print_error(&err);
			status = cli_exit_code(rc);
		} else
			em_ran = 1;
	}
	if (status) {
		sl_store_rollback(st);
		fprintf(stderr, "samlast import: nothing was imported; the database is unchanged\n");
	} else if ((rc = sl_store_commit(st, &err))) {
		cli_print_error(&err);
		status = cli_exit_code(rc);
	} else {
		printf("%s: %ld inserted, %ld updated, %ld unchanged, %ld rejected\n", kind, ins, upd,
		       same, rej);
		if (em_ran)
			printf("emissions: %lld trips and %lld deliveries recomputed, %lld without a figure\n",
			       (long long)(es.trips_done + es.trips_failed),
			       (long long)(es.deliveries_on_trips + es.deliveries_default),
			       (long long)es.deliveries_unresolved);
		/* keep the planner's statistics fresh after a large batch */
		if (ins + upd >= 1000 && sl_store_optimize(st, &err))
			fprintf(stderr, "samlast import: warning: statistics not refreshed: %s\n", err.message);
	}
	sl_store_close(st);
	if (rf && fclose(rf) != 0 && !status) {
		perror(rejects);
		status = EX_IOSTORE;
	}
	return status;
}
