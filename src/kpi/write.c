/* write.c — KPI results as JSON and CSV, shared by the CLI and the server.
 *
 * NAN ("not available") becomes JSON null and an empty CSV field.  With ';'
 * as the CSV separator numbers get a decimal comma, which is what Swedish
 * Excel expects; with ',' they keep the point. */
#include "kpi_internal.h"

#include <math.h>
#include <string.h>

static int json_num(sl_buf *b, double v)
{
	if (isnan(v) || isinf(v))
		return sl_buf_puts(b, "null");
	if (v == floor(v) && fabs(v) < 1e15)
		return sl_buf_printf(b, "%.0f", v);
	return sl_buf_printf(b, "%.6g", v);
}

static int json_values(sl_buf *b, const sl_kpi_result *r, const double *v)
{
	int rc = sl_buf_putc(b, '{');
	for (size_t i = 0; !rc && i < r->n_kpis; i++) {
		rc = (i && sl_buf_putc(b, ',')) || sl_buf_json_string(b, r->kpis[i]->id) ||
		     sl_buf_putc(b, ':') || json_num(b, v[i]);
	}
	return rc || sl_buf_putc(b, '}') ? SL_ENOMEM : 0;
}

static int json_row(sl_buf *b, const sl_kpi_result *r, const sl_kpi_row *row)
{
	char f[16], t[16];
	int rc = sl_buf_puts(b, "{\"key\":") || sl_buf_json_string(b, row->key) ||
	         sl_buf_puts(b, ",\"label\":") || sl_buf_json_string(b, row->label) ||
	         sl_buf_printf(b, ",\"from\":\"%s\",\"to\":\"%s\",\"values\":",
	                       sl_date_format(row->from_day, f, sizeof f),
	                       sl_date_format(row->to_day, t, sizeof t)) ||
	         json_values(b, r, row->value);
	if (!rc && r->has_baseline)
		rc = sl_buf_puts(b, ",\"baseline\":") || json_values(b, r, row->baseline) ||
		     sl_buf_puts(b, ",\"change_pct\":") || json_values(b, r, row->change_pct);
	return rc || sl_buf_putc(b, '}') ? SL_ENOMEM : 0;
}

int sl_kpi_write_json(const sl_kpi_result *r, sl_buf *b)
{
	char f[16], t[16];
	int rc = sl_buf_printf(b, "{\"period\":{\"from\":\"%s\",\"to\":\"%s\"},\"by\":\"%s\",",
	                       sl_date_format(r->from_day, f, sizeof f),
	                       sl_date_format(r->to_day, t, sizeof t), sl_kpi_group_name(r->by));
	if (!rc && r->has_baseline)
		rc = sl_buf_printf(b, "\"baseline\":{\"from\":\"%s\",\"to\":\"%s\"},",
		                   sl_date_format(r->baseline_from_day, f, sizeof f),
		                   sl_date_format(r->baseline_to_day, t, sizeof t));
	else if (!rc)
		rc = sl_buf_puts(b, "\"baseline\":null,");
	if (!rc)
		rc = sl_buf_printf(
		    b,
		    "\"small_order_sek\":%lld.%02lld,\"punctuality_tolerance_min\":%d,"
		    "\"receiving_units\":%lld,\"has_emissions\":%s,\"has_hub_emissions\":%s,"
		    "\"kpis\":[",
		    (long long)(r->small_order_ore / 100), (long long)(r->small_order_ore % 100),
		    r->punctuality_tolerance_min, (long long)r->receiving_units,
		    r->has_emissions ? "true" : "false", r->has_hub_emissions ? "true" : "false");
	for (size_t i = 0; !rc && i < r->n_kpis; i++) {
		const sl_kpi_def *d = r->kpis[i];
		rc = (i && sl_buf_putc(b, ',')) || sl_buf_puts(b, "{\"id\":") ||
		     sl_buf_json_string(b, d->id) || sl_buf_puts(b, ",\"name_en\":") ||
		     sl_buf_json_string(b, d->name_en) || sl_buf_puts(b, ",\"name_sv\":") ||
		     sl_buf_json_string(b, d->name_sv) || sl_buf_puts(b, ",\"unit\":") ||
		     sl_buf_json_string(b, d->unit) || sl_buf_puts(b, ",\"description\":") ||
		     sl_buf_json_string(b, d->description) ||
		     sl_buf_printf(b, ",\"decimals\":%d,\"higher_is_better\":%d}", d->decimals,
		                   d->higher_is_better);
	}
	if (!rc)
		rc = sl_buf_puts(b, "],\"rows\":[");
	for (size_t i = 0; !rc && i < r->n_rows; i++)
		rc = (i && sl_buf_putc(b, ',')) || json_row(b, r, &r->rows[i]);
	if (!rc)
		rc = sl_buf_puts(b, "],\"total\":") || json_row(b, r, &r->total) ||
		     sl_buf_putc(b, '}');
	return rc ? SL_ENOMEM : 0;
}

static int csv_text(sl_buf *b, const char *s, char sep)
{
	if (!strchr(s, sep) && !strpbrk(s, "\"\r\n"))
		return sl_buf_puts(b, s);
	int rc = sl_buf_putc(b, '"');
	for (; !rc && *s; s++)
		rc = (*s == '"' && sl_buf_putc(b, '"')) || sl_buf_putc(b, *s);
	return rc || sl_buf_putc(b, '"') ? SL_ENOMEM : 0;
}

static int csv_num(sl_buf *b, double v, int decimals, char sep)
{
	if (isnan(v) || isinf(v))
		return 0;
	size_t at = b->len;
	if (sl_buf_printf(b, "%.*f", decimals + 1, v))
		return SL_ENOMEM;
	if (sep == ';')
		for (size_t i = at; i < b->len; i++)
			if (b->data[i] == '.')
				b->data[i] = ',';
	return 0;
}

static int csv_row(sl_buf *b, const sl_kpi_result *r, const sl_kpi_row *row, char sep)
{
	char f[16], t[16];
	int rc = csv_text(b, row->key, sep) || sl_buf_putc(b, sep) ||
	         csv_text(b, row->label, sep) ||
	         sl_buf_printf(b, "%c%s%c%s", sep, sl_date_format(row->from_day, f, sizeof f), sep,
	                       sl_date_format(row->to_day, t, sizeof t));
	for (size_t i = 0; !rc && i < r->n_kpis; i++) {
		int dec = r->kpis[i]->decimals;
		rc = sl_buf_putc(b, sep) || csv_num(b, row->value[i], dec, sep);
		if (!rc && r->has_baseline)
			rc = sl_buf_putc(b, sep) || csv_num(b, row->baseline[i], dec, sep) ||
			     sl_buf_putc(b, sep) || csv_num(b, row->change_pct[i], 1, sep);
	}
	return rc || sl_buf_puts(b, "\r\n") ? SL_ENOMEM : 0;
}

int sl_kpi_write_csv(const sl_kpi_result *r, char sep, sl_buf *b)
{
	int rc = sl_buf_printf(b, "key%clabel%cfrom%cto", sep, sep, sep);
	for (size_t i = 0; !rc && i < r->n_kpis; i++) {
		rc = sl_buf_printf(b, "%c%s", sep, r->kpis[i]->id);
		if (!rc && r->has_baseline)
			rc = sl_buf_printf(b, "%c%s_baseline%c%s_change_pct", sep, r->kpis[i]->id,
			                   sep, r->kpis[i]->id);
	}
	if (!rc)
		rc = sl_buf_puts(b, "\r\n");
	for (size_t i = 0; !rc && i < r->n_rows; i++)
		rc = csv_row(b, r, &r->rows[i], sep);
	if (!rc && r->by != SL_KPI_BY_NONE)
		rc = csv_row(b, r, &r->total, sep);
	return rc ? SL_ENOMEM : 0;
}
