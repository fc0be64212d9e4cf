/* cmd_followup.c — `samlast followup` (the week-by-week follow-up of the
 * pilot targets per receiving unit) and `samlast baseline set|show` (the
 * baseline periods it compares with).  All computing is in
 * src/pooling/followup.c; see docs/followup.md. */
#include "commands.h"

#include "samlast/pooling.h"
#include "samlast/store.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: samlast followup --db FILE [--unit ID] [--from DATE --to DATE]\n"
	        "                        [--target-deliveries PCT] [--target-fidelity PCT]\n"
	        "                        [--status-weeks N] [--format table|csv|csv-sv|json]\n\n"
	        "Week by week, per receiving unit and for the city: deliveries, contract fidelity,\n"
	        "small orders and realised pooled deliveries against the unit's baseline and the\n"
	        "pilot targets (-20 %% deliveries, >= 80 %% contract fidelity), with a status per\n"
	        "unit (on_track, not_yet, no_baseline) over the last weeks (docs/followup.md).\n\n"
	        "  --db FILE                the database (default $SAMLAST_DB)\n"
	        "  --unit ID                one receiving unit (site id)\n"
	        "  --from/--to DATE         period, YYYY-MM-DD, inclusive (default: all data)\n"
	        "  --target-deliveries PCT  change of deliveries vs baseline to reach (default -20,\n"
	        "                           or settings key followup.target_deliveries_pct)\n"
	        "  --target-fidelity PCT    contract fidelity to reach (default 80, or\n"
	        "                           followup.target_fidelity_pct)\n"
	        "  --status-weeks N         weeks at the end of the period that decide the status (4)\n"
	        "  --format F               table (default; units), csv / csv-sv (unit x week) or json\n");
}

static void baseline_usage(FILE *out)
{
	fprintf(out,
	        "usage: samlast baseline set --db FILE [--unit ID | --default] --from DATE --to DATE\n"
	        "                            [--note TEXT]\n"
	        "       samlast baseline show --db FILE [--unit ID | --default] [--history]\n\n"
	        "Set or show the baseline period that the follow-up compares each receiving unit\n"
	        "with.  Without --unit, `set` changes the city-wide default used by every unit\n"
	        "without its own baseline.  A new baseline supersedes the current one, which is\n"
	        "kept (--history shows it); every change is written to audit_log.\n");
}

static int parse_day(const char *cmd, const char *opt, const char *s, int64_t *day)
{
	sl_error e;
	if (sl_date_parse(s, day, &e) != 0) {
		fprintf(stderr, "samlast %s: %s: '%s' is not a date YYYY-MM-DD\n", cmd, opt, s);
		return -1;
	}
	return 0;
}

static int parse_pct(const char *opt, const char *s, double *v)
{
	char *end;
	*v = strtod(s, &end);
	if (end == s || *end || !isfinite(*v)) {
		fprintf(stderr, "samlast followup: %s: '%s' is not a number\n", opt, s);
		return -1;
	}
	return 0;
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

int cmd_followup(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"unit", required_argument, NULL, 'u'},
	    {"from", required_argument, NULL, 'f'},
	    {"to", required_argument, NULL, 't'},
	    {"target-deliveries", required_argument, NULL, 'D'},
	    {"target-fidelity", required_argument, NULL, 'C'},
	    {"status-weeks", required_argument, NULL, 'w'},
	    {"format", required_argument, NULL, 'F'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *db = NULL;
	const char *format = "table";
	sl_followup_query q;
	sl_followup_query_init(&q);
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int64_t v;
		switch (c) {
		case 'd': db = optarg; break;
		case 'u': q.unit = optarg; break;
		case 'f':
			if (parse_day("followup", "--from", optarg, &q.from_day) < 0)
				return EX_USAGE_;
			break;
		case 't':
			if (parse_day("followup", "--to", optarg, &q.to_day) < 0)
				return EX_USAGE_;
			break;
		case 'D':
			if (parse_pct("--target-deliveries", optarg, &q.target_deliveries_pct) < 0)
				return EX_USAGE_;
			break;
		case 'C':
			if (parse_pct("--target-fidelity", optarg, &q.target_fidelity_pct) < 0)
				return EX_USAGE_;
			break;
		case 'w':
			if (sl_parse_int64(optarg, &v, NULL) < 0 || v < 1 || v > 52) {
				fprintf(stderr, "samlast followup: --status-weeks: 1..52\n");
				return EX_USAGE_;
			}
			q.status_weeks = (int)v;
			break;
		case 'F':
			if (strcmp(optarg, "table") && strcmp(optarg, "json") && strcmp(optarg, "csv") &&
			    strcmp(optarg, "csv-sv")) {
				fprintf(stderr, "samlast followup: --format: table, csv, csv-sv or json\n");
				return EX_USAGE_;
			}
			format = optarg;
			break;
		case 'h': usage(stdout); return EX_OK_;
		default:
			fprintf(stderr, "samlast followup: unknown or incomplete option '%s'\n", argv[optind - 1]);
			usage(stderr);
			return EX_USAGE_;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "samlast followup: unexpected argument '%s'\n", argv[optind]);
		return EX_USAGE_;
	}
	if ((q.from_day == SL_FOLLOWUP_NO_DAY) != (q.to_day == SL_FOLLOWUP_NO_DAY)) {
		fprintf(stderr, "samlast followup: give both --from and --to, or neither\n");
		return EX_USAGE_;
	}
	db = cli_db_path(db);
	if (!db) {
		fprintf(stderr, "samlast followup: --db FILE is required\n");
		usage(stderr);
		return EX_USAGE_;
	}
	sl_error err;
	sl_error_clear(&err);
	sl_store *st = NULL;
	sl_followup_result *res = NULL;
	int rc = open_store(db, &st, &err);
	if (!rc)
		rc = sl_followup_compute(st, &q, &res, &err);
	sl_store_close(st);
	if (rc) {
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	sl_buf out = {0};
	if (!strcmp(format, "json"))
		rc = sl_followup_write_json(res, 1, &out);
	else if (!strcmp(format, "csv"))
		rc = sl_followup_write_csv(res, ',', &out);
	else if (!strcmp(format, "csv-sv"))
		rc = sl_followup_write_csv(res, ';', &out);
	else
		rc = sl_followup_write_table(res, &out);
	sl_followup_result_free(res);
	if (!rc && out.len && fwrite(out.data, 1, out.len, stdout) != out.len)
		rc = SL_EIO;
	sl_buf_free(&out);
	if (rc) {
		fprintf(stderr, "samlast followup: cannot write the output\n");
		return cli_exit_code(rc);
	}
	return EX_OK_;
}

int cmd_baseline(int argc, char **argv)
{
	if (argc < 2 || cli_is_help(argv[1])) {
		baseline_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EX_USAGE_ : EX_OK_;
	}
	const char *sub = argv[1];
	int set = !strcmp(sub, "set");
	if (!set && strcmp(sub, "show")) {
		fprintf(stderr, "samlast baseline: unknown subcommand '%s' (set or show)\n", sub);
		baseline_usage(stderr);
		return EX_USAGE_;
	}
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, 'd'},   {"unit", required_argument, NULL, 'u'},
	    {"default", no_argument, NULL, 'D'},    {"from", required_argument, NULL, 'f'},
	    {"to", required_argument, NULL, 't'},   {"note", required_argument, NULL, 'n'},
	    {"history", no_argument, NULL, 'H'},    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *db = NULL, *unit = NULL, *note = NULL;
	int is_default = 0, history = 0, c;
	int64_t from = SL_FOLLOWUP_NO_DAY, to = SL_FOLLOWUP_NO_DAY;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc - 1, argv + 1, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'u': unit = optarg; break;
		case 'D': is_default = 1; break;
		case 'n': note = optarg; break;
		case 'H': history = 1; break;
		case 'f':
			if (parse_day("baseline", "--from", optarg, &from) < 0)
				return EX_USAGE_;
			break;
		case 't':
			if (parse_day("baseline", "--to", optarg, &to) < 0)
				return EX_USAGE_;
			break;
		case 'h': baseline_usage(stdout); return EX_OK_;
		default:
			fprintf(stderr, "samlast baseline: unknown or incomplete option '%s'\n", argv[optind]);
			baseline_usage(stderr);
			return EX_USAGE_;
		}
	}
	if (optind < argc - 1) {
		fprintf(stderr, "samlast baseline: unexpected argument '%s'\n", argv[optind + 1]);
		return EX_USAGE_;
	}
	if (unit && is_default) {
		fprintf(stderr, "samlast baseline: --unit and --default exclude each other\n");
		return EX_USAGE_;
	}
	if (set && (from == SL_FOLLOWUP_NO_DAY || to == SL_FOLLOWUP_NO_DAY)) {
		fprintf(stderr, "samlast baseline set: --from and --to are required\n");
		return EX_USAGE_;
	}
	if (!set && (from != SL_FOLLOWUP_NO_DAY || to != SL_FOLLOWUP_NO_DAY || note)) {
		fprintf(stderr, "samlast baseline show: --from, --to and --note are for 'set'\n");
		return EX_USAGE_;
	}
	db = cli_db_path(db);
	if (!db) {
		fprintf(stderr, "samlast baseline: --db FILE is required\n");
		return EX_USAGE_;
	}
	sl_error err;
	sl_error_clear(&err);
	sl_store *st = NULL;
	int rc = open_store(db, &st, &err);
	if (!rc && set) {
		sl_followup_actor actor = {.role = "cli", .via = "cli"};
		int64_t id = 0;
		rc = sl_followup_baseline_set(st, unit, from, to, note, &actor, &id, &err);
		if (!rc) {
			char a[16], b[16];
			printf("baseline %lld for %s: %s..%s\n", (long long)id, unit ? unit : "the city (default)",
			       sl_date_format(from, a, sizeof a), sl_date_format(to, b, sizeof b));
		}
	} else if (!rc) {
		sl_followup_baseline *bl = NULL;
		size_t n = 0;
		rc = sl_followup_baseline_list(st, unit ? unit : is_default ? "" : NULL, history, &bl, &n, &err);
		if (!rc) {
			printf("%-6s %-14s %-10s %-10s %-8s %-16s %s\n", "id", "unit", "from", "to", "current",
			       "set by", "note");
			for (size_t i = 0; i < n; i++) {
				char a[16], b[16];
				printf("%-6lld %-14s %-10s %-10s %-8s %-16s %s\n", (long long)bl[i].id,
				       bl[i].unit[0] ? bl[i].unit : "(default)",
				       sl_date_format(bl[i].from_day, a, sizeof a),
				       sl_date_format(bl[i].to_day, b, sizeof b), bl[i].superseded_at ? "no" : "yes",
				       bl[i].set_by, bl[i].note);
			}
			if (!n)
				printf("(no baseline set)\n");
		}
		free(bl);
	}
	sl_store_close(st);
	if (rc) {
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	return EX_OK_;
}
