/* cmd_kpi.c — `samlast kpi`: compute the city's delivery KPIs and print them
 * as a table (what a logistics coordinator reads), CSV (Excel) or JSON.  All
 * computing is in the kpi module; this file parses options and formats. */
#include "commands.h"

#include "samlast/kpi.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Columns of the grouped table when --kpi is not given. */
static const char *const grouped_default =
    "deliveries,deliveries_per_unit_week,stops,contract_fidelity_pct,small_order_share_pct,"
    "fill_rate_mass_pct,fossil_free_share_pct,pooling_potential";

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: samlast kpi --db FILE [--from DATE --to DATE] [--unit ID] [--supplier ID]\n"
	    "                   [--by none|week|month|unit|supplier|\n"
	    "                         vehicle_class|energy_carrier]\n"
	    "                   [--baseline-from DATE --baseline-to DATE]\n"
	    "                   [--small-order-sek N] [--tolerance-min N] [--kpi ID,...]\n"
	    "                   [--format table|csv|csv-sv|json]\n\n"
	    "Compute the delivery KPIs of docs/kpi.md over a samlast database.\n\n"
	    "  --db FILE            the database (default $SAMLAST_DB)\n"
	    "  --from/--to DATE     period, YYYY-MM-DD, inclusive (default: all data)\n"
	    "  --unit ID            only this receiving site (site id)\n"
	    "  --supplier ID        only this supplier (organisation id)\n"
	    "  --by G               group rows by week, month, unit, supplier,\n"
	    "                       vehicle class or energy carrier\n"
	    "  --baseline-from/--baseline-to DATE\n"
	    "                       compare with a baseline period (change in %%)\n"
	    "  --small-order-sek N  small-order threshold (default: settings or 1000 SEK)\n"
	    "  --tolerance-min N    punctuality tolerance around the window (default 20)\n"
	    "  --kpi ID,...         only these KPIs (see --list)\n"
	    "  --list               list the KPI definitions and exit\n"
	    "  --format F           table (default), csv, csv-sv (';' and decimal comma), json\n");
}

static int parse_day(const char *opt, const char *s, int64_t *day)
{
	sl_error e;
	if (sl_date_parse(s, day, &e) != 0) {
		fprintf(stderr, "samlast kpi: %s: %s\n", opt, e.message);
		return -1;
	}
	return 0;
}

/* "12345.6" → "12 345.6": thin grouping for the table only. */
static void fmt_num(double v, int dec, char *out, size_t n)
{
	if (isnan(v)) {
		snprintf(out, n, "n/a");
		return;
	}
	char raw[64];
	snprintf(raw, sizeof raw, "%.*f", dec, v);
	const char *dot = strchr(raw, '.');
	size_t intlen = dot ? (size_t)(dot - raw) : strlen(raw);
	size_t start = raw[0] == '-' ? 1 : 0, o = 0;
	for (size_t i = 0; raw[i] && o + 2 < n; i++) {
		if (i > start && i < intlen && (intlen - i) % 3 == 0)
			out[o++] = ' ';
		out[o++] = raw[i];
	}
	out[o] = 0;
}

static void print_single(const sl_kpi_result *r)
{
	char f[16], t[16], a[48], b[48], c[48];
	printf("samlast KPIs  %s .. %s  (%lld days, %lld receiving units",
	       sl_date_format(r->from_day, f, sizeof f), sl_date_format(r->to_day, t, sizeof t),
	       (long long)(r->to_day - r->from_day + 1), (long long)r->receiving_units);
	printf(", small order < %lld SEK, punctuality ±%d min)\n",
	       (long long)(r->small_order_ore / 100), r->punctuality_tolerance_min);
	if (r->has_baseline)
		printf("baseline       %s .. %s\n",
		       sl_date_format(r->baseline_from_day, f, sizeof f),
		       sl_date_format(r->baseline_to_day, t, sizeof t));
	printf("\n%-34s %14s", "KPI", "value");
	if (r->has_baseline)
		printf(" %14s %9s", "baseline", "change");
	printf("  %s\n", "unit");
	const sl_kpi_row *row = &r->total;
	for (size_t i = 0; i < r->n_kpis; i++) {
		const sl_kpi_def *d = r->kpis[i];
		fmt_num(row->value[i], d->decimals, a, sizeof a);
		printf("%-34s %14s", d->name_en, a);
		if (r->has_baseline) {
			fmt_num(row->baseline[i], d->decimals, b, sizeof b);
			if (isnan(row->change_pct[i]))
				snprintf(c, sizeof c, "n/a");
			else
				snprintf(c, sizeof c, "%+.1f %%", row->change_pct[i]);
			printf(" %14s %9s", b, c);
		}
		printf("  %s\n", d->unit);
	}
	/* Helsingborg's Rönnowska pilot targets (docs/kpi.md) */
	int cf = sl_kpi_result_index(r, "contract_fidelity_pct");
	int dl = sl_kpi_result_index(r, "deliveries_per_unit_week");
	printf("\nPilot targets (Rönnowska): contract fidelity >= 80 %%: ");
	if (cf < 0 || isnan(row->value[cf]))
		printf("n/a");
	else
		printf("%s (%.1f %%)", row->value[cf] >= 80 ? "met" : "not met", row->value[cf]);
	printf("; deliveries -20 %% against a baseline: ");
	if (!r->has_baseline || dl < 0 || isnan(row->change_pct[dl]))
		printf("give --baseline-from/--baseline-to\n");
	else
		printf("%s (%+.1f %% per unit and week)\n",
		       row->change_pct[dl] <= -20 ? "met" : "not met", row->change_pct[dl]);
}

static void print_grouped(const sl_kpi_result *r)
{
	char f[16], t[16], a[48];
	printf("samlast KPIs by %s  %s .. %s  (%lld receiving units)\n\n", sl_kpi_group_name(r->by),
	       sl_date_format(r->from_day, f, sizeof f), sl_date_format(r->to_day, t, sizeof t),
	       (long long)r->receiving_units);
	printf("%-12s %-28s", "key", "label");
	for (size_t i = 0; i < r->n_kpis; i++)
		printf(" %12.12s", r->kpis[i]->id);
	printf("\n");
	for (size_t k = 0; k <= r->n_rows; k++) {
		const sl_kpi_row *row = k < r->n_rows ? &r->rows[k] : &r->total;
		printf("%-12.12s %-28.28s", row->key, row->label);
		for (size_t i = 0; i < r->n_kpis; i++) {
			fmt_num(row->value[i], r->kpis[i]->decimals, a, sizeof a);
			printf(" %12s", a);
		}
		if (r->has_baseline && k == r->n_rows) {
			printf("\n%-12s %-28s", "baseline", "");
			for (size_t i = 0; i < r->n_kpis; i++) {
				fmt_num(row->baseline[i], r->kpis[i]->decimals, a, sizeof a);
				printf(" %12s", a);
			}
			printf("\n%-12s %-28s", "change %", "");
			for (size_t i = 0; i < r->n_kpis; i++) {
				fmt_num(row->change_pct[i], 1, a, sizeof a);
				printf(" %12s", a);
			}
		}
		printf("\n");
	}
	printf("\nNames and units: samlast kpi --list.  Change is against the baseline total.\n");
}

static void print_list(void)
{
	size_t n;
	const sl_kpi_def *d = sl_kpi_defs(&n);
	for (size_t i = 0; i < n; i++)
		printf("%-26s %-34s %-18s %s%s\n", d[i].id, d[i].name_en, d[i].unit,
		       d[i].description, d[i].needs_emissions ? " (needs emissions)" : "");
}

int cmd_kpi(int argc, char **argv)
{
	enum { O_BF = 1000, O_BT, O_SMALL, O_TOL, O_LIST };
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"from", required_argument, NULL, 'f'},
	    {"to", required_argument, NULL, 't'},
	    {"unit", required_argument, NULL, 'u'},
	    {"supplier", required_argument, NULL, 's'},
	    {"by", required_argument, NULL, 'b'},
	    {"baseline-from", required_argument, NULL, O_BF},
	    {"baseline-to", required_argument, NULL, O_BT},
	    {"small-order-sek", required_argument, NULL, O_SMALL},
	    {"tolerance-min", required_argument, NULL, O_TOL},
	    {"kpi", required_argument, NULL, 'k'},
	    {"format", required_argument, NULL, 'F'},
	    {"list", no_argument, NULL, O_LIST},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	sl_kpi_query q;
	sl_kpi_query_init(&q);
	const char *db = NULL, *format = "table";
	int c;
	sl_error err;
	sl_error_clear(&err);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'f':
			if (parse_day("--from", optarg, &q.from_day))
				return EX_USAGE_;
			break;
		case 't':
			if (parse_day("--to", optarg, &q.to_day))
				return EX_USAGE_;
			break;
		case O_BF:
			if (parse_day("--baseline-from", optarg, &q.baseline_from_day))
				return EX_USAGE_;
			break;
		case O_BT:
			if (parse_day("--baseline-to", optarg, &q.baseline_to_day))
				return EX_USAGE_;
			break;
		case 'u': q.unit = optarg; break;
		case 's': q.supplier = optarg; break;
		case 'k': q.only = optarg; break;
		case 'b':
			if (sl_kpi_group_parse(optarg, &q.by, &err)) {
				fprintf(stderr, "samlast kpi: --by: %s\n", err.message);
				return EX_USAGE_;
			}
			break;
		case O_SMALL: {
			int64_t ore;
			if (sl_parse_money_ore(optarg, 0, &ore, NULL) || ore < 0) {
				fprintf(stderr,
				        "samlast kpi: --small-order-sek expects an amount in SEK, "
				        "got '%s'\n",
				        optarg);
				return EX_USAGE_;
			}
			q.small_order_ore = ore;
			break;
		}
		case O_TOL: {
			int64_t v;
			if (sl_parse_int64(optarg, &v, NULL) || v < 0 || v > 1440) {
				fprintf(stderr,
				        "samlast kpi: --tolerance-min expects 0..1440, got '%s'\n",
				        optarg);
				return EX_USAGE_;
			}
			q.punctuality_tolerance_min = (int)v;
			break;
		}
		case 'F': format = optarg; break;
		case O_LIST: print_list(); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE_;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "samlast kpi: unexpected argument '%s'\n", argv[optind]);
		return EX_USAGE_;
	}
	if (strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "csv-sv") &&
	    strcmp(format, "json")) {
		fprintf(stderr, "samlast kpi: --format must be table, csv, csv-sv or json\n");
		return EX_USAGE_;
	}
	if ((q.baseline_from_day == SL_KPI_NO_DAY) != (q.baseline_to_day == SL_KPI_NO_DAY)) {
		fprintf(stderr, "samlast kpi: --baseline-from and --baseline-to go together\n");
		return EX_USAGE_;
	}
	db = cli_db_path(db);
	if (!db) {
		fprintf(stderr, "samlast kpi: no database: give --db FILE or set SAMLAST_DB\n");
		return EX_USAGE_;
	}
	if (!strcmp(format, "table") && q.by != SL_KPI_BY_NONE && !q.only)
		q.only = grouped_default;
	sl_store *st;
	int rc = sl_store_open_readonly(db, &st, &err);
	if (rc) {
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	sl_kpi_result *r = NULL;
	rc = sl_kpi_compute(st, &q, &r, &err);
	if (rc) {
		cli_print_error(&err);
		sl_store_close(st);
		return cli_exit_code(rc);
	}
	if (!strcmp(format, "table")) {
		if (r->by == SL_KPI_BY_NONE)
			print_single(r);
		else {
			/* show only the chosen columns */
			size_t k = 0;
			for (size_t i = 0; i < r->n_kpis; i++) {
				int in = 0;
				const char *p = q.only, *id = r->kpis[i]->id;
				size_t len = strlen(id);
				while (p && *p) {
					if (!strncmp(p, id, len) && (p[len] == ',' || !p[len]))
						in = 1;
					p = strchr(p, ',');
					p = p ? p + 1 : NULL;
				}
				if (in) {
					r->kpis[k] = r->kpis[i];
					for (size_t j = 0; j <= r->n_rows; j++) {
						sl_kpi_row *row =
						    j < r->n_rows ? &r->rows[j] : &r->total;
						row->value[k] = row->value[i];
						if (r->has_baseline) {
							row->baseline[k] = row->baseline[i];
							row->change_pct[k] = row->change_pct[i];
						}
					}
					k++;
				}
			}
			r->n_kpis = k;
			print_grouped(r);
		}
	} else {
		sl_buf b = {0};
		rc = !strcmp(format, "json")
		         ? sl_kpi_write_json(r, &b)
		         : sl_kpi_write_csv(r, !strcmp(format, "csv") ? ',' : ';', &b);
		if (!rc && !strcmp(format, "json"))
			rc = sl_buf_putc(&b, '\n');
		if (rc) {
			fprintf(stderr, "samlast kpi: out of memory\n");
			sl_buf_free(&b);
			sl_kpi_result_free(r);
			sl_store_close(st);
			return EX_IOSTORE;
		}
		if (!strcmp(format, "csv-sv"))
			fputs("\xEF\xBB\xBF", stdout);
		fwrite(b.data, 1, b.len, stdout);
		sl_buf_free(&b);
	}
	sl_kpi_result_free(r);
	sl_store_close(st);
	return fflush(stdout) ? EX_IOSTORE : 0;
}
