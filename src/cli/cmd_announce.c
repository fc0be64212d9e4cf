/* cmd_announce.c — `samlast announce` and `samlast board` (issue 7, items 1
 * and 2): import announced deliveries, confirm them against the actual
 * delivery, and print one day's groupage board as a given organisation
 * sees it.  Thin: options in, library call, text or JSON out. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samlast/pooling.h"
#include "commands.h"

static void announce_usage(FILE *out)
{
	fputs("usage: samlast announce --db FILE [--accept-valid] FILE\n"
	      "       samlast announce confirm --db FILE --supplier ORG --id ID [--delivery ID] [--pooled]\n"
	      "\n"
	      "Import announced (planned) deliveries: the deliveries format of docs/formats.md,\n"
	      "CSV (',' or ';') or JSON, where every row has status 'announced' (or 'cancelled'\n"
	      "to withdraw one).  Validation, idempotency and history are the ledger's.\n"
	      "'confirm' marks an announcement as delivered: either it was re-imported with\n"
	      "status delivered, or --delivery names the delivered row that fulfilled it\n"
	      "(without --delivery the single unmatched delivered row of the same supplier,\n"
	      "site and day is taken).  --pooled marks it as carried together with other\n"
	      "suppliers' goods.  See docs/pooling.md.\n",
	      out);
}

static void board_usage(FILE *out)
{
	fputs("usage: samlast board --db FILE --date YYYY-MM-DD [--as ORG] [--site SITE]\n"
	      "                     [--radius-m M] [--small-kg KG] [--json]\n"
	      "\n"
	      "The groupage board of one day: announced and delivered deliveries per site,\n"
	      "pooling candidates flagged ('*': several suppliers with small loads at the\n"
	      "site; '~': a neighbouring site within --radius-m, default 1000, in an\n"
	      "overlapping window).  --as ORG shows what that organisation may see\n"
	      "(supplier, carrier, unit or city); without it, the city's view.\n",
	      out);
}

static int open_store(const char *db, sl_store **st, sl_error *err)
{
	int rc = sl_store_open(db, st, err);
	if (!rc && (rc = sl_store_migrate(*st, err)) != 0) {
		sl_store_close(*st);
		*st = NULL;
	}
	return rc;
}

static char *read_all(const char *path, size_t *len, sl_error *err)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f) {
		sl_error_set(err, SL_EIO, "cannot open '%s'", path);
		return NULL;
	}
	sl_buf b = {0};
	char chunk[65536];
	size_t n;
	int rc = 0;
	while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		rc = sl_buf_append(&b, chunk, n);
	int bad = ferror(f);
	if (f != stdin)
		fclose(f);
	if (rc || bad) {
		sl_buf_free(&b);
		sl_error_set(err, rc ? SL_ENOMEM : SL_EIO, "cannot read '%s'", path);
		return NULL;
	}
	*len = b.len;
	char *s = sl_buf_take(&b);
	if (!s)
		sl_error_set(err, SL_ENOMEM, "out of memory");
	return s;
}

static int confirm(int argc, char **argv)
{
	static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
	                                         {"supplier", required_argument, NULL, 's'},
	                                         {"id", required_argument, NULL, 'i'},
	                                         {"delivery", required_argument, NULL, 'D'},
	                                         {"pooled", no_argument, NULL, 'p'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	const char *db = NULL, *sup = NULL, *id = NULL, *del = NULL;
	int pooled = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 's': sup = optarg; break;
		case 'i': id = optarg; break;
		case 'D': del = optarg; break;
		case 'p': pooled = 1; break;
		case 'h': announce_usage(stdout); return EX_OK_;
		default:
			fprintf(stderr, "samlast announce confirm: unknown or incomplete option '%s'\n",
			        argv[optind - 1]);
			announce_usage(stderr);
			return EX_USAGE_;
		}
	}
	db = cli_db_path(db);
	if (!db || !sup || !id || optind < argc) {
		fprintf(stderr, "samlast announce confirm: --db, --supplier and --id are required\n");
		announce_usage(stderr);
		return EX_USAGE_;
	}
	sl_error err;
	sl_error_clear(&err);
	sl_store *st = NULL;
	char matched[64] = "";
	int rc = open_store(db, &st, &err);
	if (!rc)
		rc = sl_announce_confirm(st, sup, id, del, pooled, NULL, matched, &err);
	sl_store_close(st);
	if (rc) {
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	printf("announcement %s of %s confirmed by delivery %s%s\n", id, sup, matched,
	       pooled ? " (pooled)" : "");
	return EX_OK_;
}

int cmd_announce(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "confirm"))
		return confirm(argc - 1, argv + 1);
	static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
	                                         {"accept-valid", no_argument, NULL, 'a'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	const char *db = NULL;
	int accept = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'a': accept = 1; break;
		case 'h': announce_usage(stdout); return EX_OK_;
		default:
			fprintf(stderr, "samlast announce: unknown or incomplete option '%s'\n", argv[optind - 1]);
			announce_usage(stderr);
			return EX_USAGE_;
		}
	}
	db = cli_db_path(db);
	if (!db || optind != argc - 1) {
		fprintf(stderr, "samlast announce: --db FILE and one input FILE are required\n");
		announce_usage(stderr);
		return EX_USAGE_;
	}
	const char *path = argv[optind];
	sl_error err;
	sl_error_clear(&err);
	size_t len = 0;
	char *data = read_all(path, &len, &err);
	if (!data) {
		cli_print_error(&err);
		return cli_exit_code(err.code);
	}
	sl_store *st = NULL;
	sl_import_result res;
	memset(&res, 0, sizeof res);
	int rc = open_store(db, &st, &err);
	if (!rc) {
		sl_import_opts o;
		memset(&o, 0, sizeof o);
		o.kind = SL_KIND_DELIVERIES;
		o.source_name = path;
		o.accept_valid = accept;
		o.actor = "cli:announce";
		rc = sl_announce_import(st, &o, data, len, &res, &err);
	}
	sl_store_close(st);
	free(data);
	for (size_t i = 0; i < res.error_count; i++) {
		const sl_row_error *e = &res.errors[i];
		fprintf(stderr, "%s:%ld:%ld: error: %s%s%s\n", path, e->line, e->column, e->field,
		        e->field[0] ? ": " : "", e->message);
	}
	if (rc) {
		if (!res.error_count)
			cli_print_error(&err);
		else
			fprintf(stderr, "samlast announce: %zu error(s); nothing was imported\n", res.error_total);
		sl_import_result_free(&res);
		return cli_exit_code(rc);
	}
	printf("announcements: %ld inserted, %ld updated, %ld unchanged, %ld rejected\n", res.inserted,
	       res.updated, res.unchanged, res.rejected);
	sl_import_result_free(&res);
	return EX_OK_;
}

static void print_min(int m)
{
	if (m < 0)
		printf("  -  ");
	else
		printf("%02d:%02d", m / 60, m % 60);
}

static void print_board(const sl_board *b)
{
	char day[16];
	printf("board %s: %zu site(s), %zu visible deliveries, %d candidate site(s)\n",
	       sl_date_format(b->day, day, sizeof day), b->n_sites, b->n_rows, b->candidates);
	for (size_t i = 0; i < b->n_sites; i++) {
		const sl_board_site *s = &b->sites[i];
		printf("\n%s%s %s (%s)\n", s->same_site ? "*" : " ", s->n_nb ? "~" : " ", s->ext, s->name);
		for (size_t k = 0; k < s->n_rows; k++) {
			const sl_board_row *r = &b->rows[s->first_row + k];
			printf("    ");
			print_min(r->minute);
			printf(" %-9s %-12s %-14s", r->status, r->supplier, r->id);
			if (r->mass_kg >= 0)
				printf(" %7.1f kg", r->mass_kg);
			else
				printf("      ? kg");
			if (r->parcels >= 0)
				printf(" %4lld parcels", (long long)r->parcels);
			printf(" %s%s%s\n", r->temp_class, r->small ? " small" : "",
			       r->own ? " (own)" : r->shared ? " (shared)" : "");
		}
		if (s->others.shown) {
			printf("    + %lld other deliveries from %d suppliers, %.0f kg, %lld parcels, ",
			       (long long)s->others.deliveries, s->others.suppliers, s->others.mass_kg,
			       (long long)s->others.parcels);
			print_min(s->others.from_min);
			printf("-");
			print_min(s->others.to_min);
			printf("\n");
		}
		for (size_t k = 0; k < s->n_nb; k++) {
			const sl_board_neighbour *n = &b->neighbours[s->first_nb + k];
			printf("    ~ near %s (%s), %.0f m\n", n->ext, n->name, n->distance_m);
		}
	}
}

int cmd_board(int argc, char **argv)
{
	static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
	                                         {"date", required_argument, NULL, 'D'},
	                                         {"as", required_argument, NULL, 'a'},
	                                         {"site", required_argument, NULL, 's'},
	                                         {"radius-m", required_argument, NULL, 'r'},
	                                         {"small-kg", required_argument, NULL, 'k'},
	                                         {"json", no_argument, NULL, 'j'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	const char *db = NULL, *as = NULL;
	int json = 0, have_day = 0, c;
	sl_board_query q;
	sl_board_query_init(&q);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'D':
			if (sl_date_parse(optarg, &q.day, NULL)) {
				fprintf(stderr, "samlast board: --date: '%s' is not YYYY-MM-DD\n", optarg);
				return EX_USAGE_;
			}
			have_day = 1;
			break;
		case 'a': as = optarg; break;
		case 's': q.site = optarg; break;
		case 'r':
		case 'k': {
			double x;
			if (sl_parse_double(optarg, 0, &x, NULL) || x < 0 || x > 50000) {
				fprintf(stderr, "samlast board: %s: a number 0..50000\n", c == 'r' ? "--radius-m" : "--small-kg");
				return EX_USAGE_;
			}
			if (c == 'r')
				q.radius_m = x;
			else
				q.small_kg = x;
			break;
		}
		case 'j': json = 1; break;
		case 'h': board_usage(stdout); return EX_OK_;
		default:
			fprintf(stderr, "samlast board: unknown or incomplete option '%s'\n", argv[optind - 1]);
			board_usage(stderr);
			return EX_USAGE_;
		}
	}
	db = cli_db_path(db);
	if (!db || !have_day || optind < argc) {
		fprintf(stderr, "samlast board: --db FILE and --date YYYY-MM-DD are required\n");
		board_usage(stderr);
		return EX_USAGE_;
	}
	sl_error err;
	sl_error_clear(&err);
	sl_store *st = NULL;
	sl_board *b = NULL;
	int rc = open_store(db, &st, &err);
	if (!rc && as)
		rc = sl_board_viewer_for(st, as, &q.viewer, &err);
	if (!rc)
		rc = sl_board_compute(st, &q, &b, &err);
	sl_store_close(st);
	if (rc) {
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	if (json) {
		sl_buf o = {0};
		rc = sl_board_write_json(b, &o);
		if (!rc && fwrite(o.data, 1, o.len, stdout) != o.len)
			rc = SL_EIO;
		sl_buf_free(&o);
	} else {
		print_board(b);
	}
	sl_board_free(b);
	if (rc) {
		fprintf(stderr, "samlast board: cannot write the output\n");
		return cli_exit_code(rc);
	}
	return EX_OK_;
}
