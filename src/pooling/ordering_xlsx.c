/* ordering_xlsx.c — the ordering proposal as an Excel workbook a unit
 * manager can read (Swedish headers), written with libxlsxwriter.
 *
 * Four sheets: "Förslag per enhet" (one row per unit and category: today's
 * delivery days, the proposed days, deliveries per week before and after,
 * the order rules), "Enheter" (totals per unit), "Små ordrar" (the small
 * orders that would travel with another order) and "Staden" (the city's
 * totals and how they were computed).  Numbers are written as numbers with
 * Swedish-friendly formats so that Excel can sum and filter them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <xlsxwriter.h>

#include "ordering_internal.h"

static const struct {
	const char *id, *sv;
} cat_sv[] = {
    {"food", "Livsmedel"},
    {"chilled", "Kylvaror (mejeri, chark, fisk)"},
    {"frozen", "Frysvaror"},
    {"bread", "Bröd"},
    {"fruit_veg", "Frukt och grönt"},
    {"office", "Kontorsmaterial"},
    {"cleaning", "Städ och hygien"},
    {"health_care", "Vård- och omsorgsmaterial"},
    {"beverages", "Drycker"},
    {"play_material", "Lekmaterial"},
    {"school_supplies", "Skolmaterial"},
    {"textiles", "Textil"},
    {"other", "Övrigt"},
};

static const struct {
	const char *id, *sv;
} type_sv[] = {
    {"school", "Skola"},
    {"preschool", "Förskola"},
    {"care_home", "Vård- och omsorgsboende"},
    {"central_kitchen", "Centralkök"},
    {"office", "Kontor"},
    {"other", "Övrigt"},
};

static const char *unit_type_sv(const char *id)
{
	for (size_t i = 0; i < sizeof type_sv / sizeof type_sv[0]; i++)
		if (!strcmp(type_sv[i].id, id))
			return type_sv[i].sv;
	return id;
}

static const char *category_sv(const char *id)
{
	for (size_t i = 0; i < sizeof cat_sv / sizeof cat_sv[0]; i++)
		if (!strcmp(cat_sv[i].id, id))
			return cat_sv[i].sv;
	return id;
}

static double change_pct(double before, double after)
{
	return before > 0 ? (after - before) / before : 0;
}

struct fmts {
	lxw_format *head, *dec1, *dec2, *pct, *int0, *wrap, *title;
};

static void header_row(lxw_worksheet *ws, const struct fmts *f, const char *const *h, int n)
{
	for (int i = 0; i < n; i++)
		worksheet_write_string(ws, 0, (lxw_col_t)i, h[i], f->head);
	worksheet_set_row(ws, 0, 32, NULL);
	worksheet_freeze_panes(ws, 1, 0);
}

static void sheet_groups(lxw_worksheet *ws, const sl_ordering_result *r, const struct fmts *f)
{
	static const char *const h[] = {"Enhet (id)",
	                                "Enhet",
	                                "Enhetstyp",
	                                "Varukategori",
	                                "Leveransdagar i dag",
	                                "Föreslagna leveransdagar",
	                                "Leveranser/vecka före",
	                                "Leveranser/vecka efter",
	                                "Förändring",
	                                "Fordonskm före (perioden)",
	                                "Fordonskm efter (perioden)",
	                                "CO2e före (kg)",
	                                "CO2e efter (kg)",
	                                "Minsta ordervärde (kr)",
	                                "Beställ senast",
	                                "Små ordrar",
	                                "Små ordrar som slås ihop",
	                                "Leverantörer",
	                                "Anmärkning"};
	int nh = (int)(sizeof h / sizeof h[0]);
	header_row(ws, f, h, nh);
	worksheet_set_column(ws, 0, 0, 12, NULL);
	worksheet_set_column(ws, 1, 1, 32, NULL);
	worksheet_set_column(ws, 2, 3, 22, NULL);
	worksheet_set_column(ws, 4, 5, 16, NULL);
	worksheet_set_column(ws, 6, 13, 13, NULL);
	worksheet_set_column(ws, 14, 14, 48, NULL);
	worksheet_set_column(ws, 15, 16, 12, NULL);
	worksheet_set_column(ws, 17, 18, 40, NULL);
	for (size_t i = 0; i < r->n_groups; i++) {
		const sl_ordering_group *g = &r->groups[i];
		lxw_row_t row = (lxw_row_t)(i + 1);
		char d[64], cut[400], sup[1024];
		worksheet_write_string(ws, row, 0, g->unit, NULL);
		worksheet_write_string(ws, row, 1, g->unit_name, NULL);
		worksheet_write_string(ws, row, 2, unit_type_sv(g->unit_type), NULL);
		worksheet_write_string(ws, row, 3, category_sv(g->category), NULL);
		worksheet_write_string(
		    ws, row, 4, sl_ordering_days_text(g->current_days, 1, d, sizeof d), NULL);
		worksheet_write_string(
		    ws, row, 5, sl_ordering_days_text(g->proposed_days, 1, d, sizeof d), NULL);
		worksheet_write_number(ws, row, 6, g->per_week_before, f->dec2);
		worksheet_write_number(ws, row, 7, g->per_week_after, f->dec2);
		worksheet_write_number(ws, row, 8,
		                       change_pct(g->per_week_before, g->per_week_after), f->pct);
		worksheet_write_number(ws, row, 9, g->km_before, f->dec1);
		worksheet_write_number(ws, row, 10, g->km_after, f->dec1);
		worksheet_write_number(ws, row, 11, g->co2e_before_g / 1000, f->dec1);
		worksheet_write_number(ws, row, 12, g->co2e_after_g / 1000, f->dec1);
		worksheet_write_number(ws, row, 13, (double)g->rules.min_order_ore / 100, f->int0);
		sl__ordering_cutoff_text(&g->rules, g->proposed_days, 1, cut, sizeof cut);
		worksheet_write_string(ws, row, 14, cut, NULL);
		worksheet_write_number(ws, row, 15, (double)g->small_orders, f->int0);
		worksheet_write_number(ws, row, 16, (double)g->small_merged, f->int0);
		size_t used = 0;
		sup[0] = 0;
		for (size_t k = 0; k < g->n_pairs && used < sizeof sup - 1; k++) {
			int w = snprintf(sup + used, sizeof sup - used, "%s%s", k ? "; " : "",
			                 r->pairs[g->first_pair + k].supplier_name);
			if (w < 0)
				break;
			used += (size_t)w;
		}
		worksheet_write_string(ws, row, 17, sup, NULL);
		worksheet_write_string(
		    ws, row, 18,
		    g->feasible ? "" : "Inget mönster passar enhetens mottagningsdagar: oförändrat",
		    NULL);
	}
	if (r->n_groups)
		worksheet_autofilter(ws, 0, 0, (lxw_row_t)r->n_groups, (lxw_col_t)(nh - 1));
}

static void sheet_units(lxw_worksheet *ws, const sl_ordering_result *r, const struct fmts *f)
{
	static const char *const h[] = {"Enhet (id)",
	                                "Enhet",
	                                "Leveranser/vecka före",
	                                "Leveranser/vecka efter",
	                                "Förändring",
	                                "Fordonskm före",
	                                "Fordonskm efter",
	                                "CO2e före (kg)",
	                                "CO2e efter (kg)",
	                                "Små ordrar",
	                                "Små ordrar som slås ihop"};
	int nh = (int)(sizeof h / sizeof h[0]);
	header_row(ws, f, h, nh);
	worksheet_set_column(ws, 0, 0, 12, NULL);
	worksheet_set_column(ws, 1, 1, 32, NULL);
	worksheet_set_column(ws, 2, 10, 13, NULL);
	for (size_t i = 0; i < r->n_units; i++) {
		const sl_ordering_total *t = &r->units[i];
		lxw_row_t row = (lxw_row_t)(i + 1);
		worksheet_write_string(ws, row, 0, t->unit, NULL);
		worksheet_write_string(ws, row, 1, t->unit_name, NULL);
		worksheet_write_number(ws, row, 2, t->per_week_before, f->dec2);
		worksheet_write_number(ws, row, 3, t->per_week_after, f->dec2);
		worksheet_write_number(ws, row, 4,
		                       change_pct(t->per_week_before, t->per_week_after), f->pct);
		worksheet_write_number(ws, row, 5, t->km_before, f->dec1);
		worksheet_write_number(ws, row, 6, t->km_after, f->dec1);
		worksheet_write_number(ws, row, 7, t->co2e_before_g / 1000, f->dec1);
		worksheet_write_number(ws, row, 8, t->co2e_after_g / 1000, f->dec1);
		worksheet_write_number(ws, row, 9, (double)t->small_orders, f->int0);
		worksheet_write_number(ws, row, 10, (double)t->small_merged, f->int0);
	}
}

static void sheet_small(lxw_worksheet *ws, const sl_ordering_result *r, const struct fmts *f)
{
	static const char *const h[] = {"Enhet (id)",   "Enhet",
	                                "Varukategori", "Leverantör",
	                                "Order",        "Önskad leveransdag",
	                                "Värde (kr)",   "Levereras med annan order"};
	int nh = (int)(sizeof h / sizeof h[0]);
	header_row(ws, f, h, nh);
	worksheet_set_column(ws, 0, 0, 12, NULL);
	worksheet_set_column(ws, 1, 1, 32, NULL);
	worksheet_set_column(ws, 2, 3, 28, NULL);
	worksheet_set_column(ws, 4, 7, 16, NULL);
	lxw_row_t row = 1;
	char d[16];
	for (size_t i = 0; i < r->n_groups; i++) {
		const sl_ordering_group *g = &r->groups[i];
		for (size_t k = 0; k < g->n_small; k++, row++) {
			const sl_ordering_small *sm = &r->small[g->first_small + k];
			const char *sname = sm->supplier;
			for (size_t p = 0; p < g->n_pairs; p++)
				if (!strcmp(r->pairs[g->first_pair + p].supplier, sm->supplier))
					sname = r->pairs[g->first_pair + p].supplier_name;
			worksheet_write_string(ws, row, 0, g->unit, NULL);
			worksheet_write_string(ws, row, 1, g->unit_name, NULL);
			worksheet_write_string(ws, row, 2, category_sv(g->category), NULL);
			worksheet_write_string(ws, row, 3, sname, NULL);
			worksheet_write_string(ws, row, 4, sm->order, NULL);
			worksheet_write_string(ws, row, 5, sl_date_format(sm->day, d, sizeof d),
			                       NULL);
			worksheet_write_number(ws, row, 6, (double)sm->value_ore / 100, f->dec2);
			worksheet_write_string(ws, row, 7,
			                       sl_date_format(sm->delivery_day, d, sizeof d), NULL);
		}
	}
	if (row > 1)
		worksheet_autofilter(ws, 0, 0, row - 1, (lxw_col_t)(nh - 1));
}

static void kv_num(lxw_worksheet *ws, lxw_row_t *row, const char *k, double before, double after,
                   const struct fmts *f, lxw_format *nf)
{
	worksheet_write_string(ws, *row, 0, k, NULL);
	worksheet_write_number(ws, *row, 1, before, nf);
	worksheet_write_number(ws, *row, 2, after, nf);
	worksheet_write_number(ws, *row, 3, change_pct(before, after), f->pct);
	(*row)++;
}

static void kv_text(lxw_worksheet *ws, lxw_row_t *row, const char *k, const char *v,
                    const struct fmts *f)
{
	worksheet_write_string(ws, *row, 0, k, NULL);
	worksheet_write_string(ws, *row, 1, v, f->wrap);
	(*row)++;
}

static void sheet_city(lxw_worksheet *ws, const sl_ordering_result *r, const struct fmts *f)
{
	const sl_ordering_total *t = &r->city;
	char a[16], z[16], buf[512];
	worksheet_set_column(ws, 0, 0, 44, NULL);
	worksheet_set_column(ws, 1, 3, 16, NULL);
	worksheet_write_string(ws, 0, 0, "Smartare beställning: förslag för staden", f->title);
	lxw_row_t row = 2;
	worksheet_write_string(ws, row, 0, "Mått", f->head);
	worksheet_write_string(ws, row, 1, "Före", f->head);
	worksheet_write_string(ws, row, 2, "Efter", f->head);
	worksheet_write_string(ws, row, 3, "Förändring", f->head);
	row++;
	kv_num(ws, &row, "Leveranser per vecka", t->per_week_before, t->per_week_after, f, f->dec1);
	kv_num(ws, &row, "Leveranser under perioden", (double)t->deliveries_before,
	       (double)t->deliveries_after, f, f->int0);
	kv_num(ws, &row, "Fordonskilometer under perioden", t->km_before, t->km_after, f, f->int0);
	kv_num(ws, &row, "CO2e under perioden (kg, well-to-wheel)", t->co2e_before_g / 1000,
	       t->co2e_after_g / 1000, f, f->int0);
	worksheet_write_string(ws, row, 0, "Små ordrar som slås ihop med en annan order", NULL);
	worksheet_write_number(ws, row, 1, (double)t->small_merged, f->int0);
	snprintf(buf, sizeof buf, "av %lld små ordrar (%lld ordrar totalt)",
	         (long long)t->small_orders, (long long)t->orders);
	worksheet_write_string(ws, row, 2, buf, NULL);
	row += 2;
	snprintf(buf, sizeof buf, "%s – %s (%.1f veckor)", sl_date_format(r->from_day, a, sizeof a),
	         sl_date_format(r->to_day, z, sizeof z), r->weeks);
	kv_text(ws, &row, "Period", buf, f);
	kv_text(ws, &row, "Enheter i förslaget", "", f);
	worksheet_write_number(ws, row - 1, 1, (double)r->n_units, f->int0);
	snprintf(buf, sizeof buf, "under %.0f kr", (double)r->small_order_ore / 100);
	kv_text(ws, &row, "Liten order", buf, f);
	kv_text(ws, &row, "Avstånd",
	        strcmp(r->distance_basis, "road_graph")
	            ? "Fågelvägen × omvägsfaktor 1,3 (ingen vägnätsgraf angiven)"
	            : "Vägnätet (ruttmodulens avståndsmatris)",
	        f);
	kv_text(ws, &row, "CO2e-underlag", r->co2e_basis_sv, f);
	snprintf(
	    buf, sizeof buf,
	    "Veckans turer med alla leveransdagar: %.0f km om varje enhet väljer själv, %.0f km "
	    "med gemensam optimering",
	    r->template_km_unit_by_unit, r->template_km_joint);
	kv_text(ws, &row, "Samordning mellan enheter", buf, f);
	kv_text(ws, &row, "Metod",
	        "Leveransdagar väljs per enhet och varukategori inom kategorins gränser för "
	        "färskhet och lagring; enheter som samma leverantör besöker samma dag delar tur. "
	        "Före/efter räknas genom att periodens leveranser flyttas till närmaste föreslagna "
	        "leveransdag (vid lika avstånd den tidigare), högst halva det längsta uppehållet; "
	        "leveranser samma dag slås ihop. Se docs/ordering.md.",
	        f);
}

int sl_ordering_write_xlsx(const sl_ordering_result *r, const char *path, sl_error *err)
{
	/* libxlsxwriter reports a file it cannot create on stderr; find out
	 * first, quietly */
	FILE *probe = fopen(path, "wb");
	if (!probe)
		return sl_error_at(err, SL_EIO, path, 0, 0, "cannot create: %s", strerror(errno));
	fclose(probe);
	lxw_workbook *wb = workbook_new(path);
	if (!wb)
		return sl_error_at(err, SL_EIO, path, 0, 0, "cannot create the workbook");
	struct fmts f;
	f.head = workbook_add_format(wb);
	format_set_bold(f.head);
	format_set_text_wrap(f.head);
	format_set_bg_color(f.head, 0xDDEBF7);
	format_set_align(f.head, LXW_ALIGN_VERTICAL_TOP);
	f.title = workbook_add_format(wb);
	format_set_bold(f.title);
	format_set_font_size(f.title, 14);
	f.dec1 = workbook_add_format(wb);
	format_set_num_format(f.dec1, "0.0");
	f.dec2 = workbook_add_format(wb);
	format_set_num_format(f.dec2, "0.00");
	f.int0 = workbook_add_format(wb);
	format_set_num_format(f.int0, "0");
	f.pct = workbook_add_format(wb);
	format_set_num_format(f.pct, "0%");
	f.wrap = workbook_add_format(wb);
	format_set_text_wrap(f.wrap);
	lxw_worksheet *w1 = workbook_add_worksheet(wb, "Förslag per enhet");
	lxw_worksheet *w2 = workbook_add_worksheet(wb, "Enheter");
	lxw_worksheet *w3 = workbook_add_worksheet(wb, "Små ordrar");
	lxw_worksheet *w4 = workbook_add_worksheet(wb, "Staden");
	if (!w1 || !w2 || !w3 || !w4 || !f.head || !f.dec1 || !f.dec2 || !f.int0 || !f.pct ||
	    !f.wrap || !f.title) {
		workbook_close(wb);
		return sl_error_set(err, SL_ENOMEM, "out of memory building the workbook");
	}
	sheet_groups(w1, r, &f);
	sheet_units(w2, r, &f);
	sheet_small(w3, r, &f);
	sheet_city(w4, r, &f);
	lxw_error e = workbook_close(wb);
	if (e != LXW_NO_ERROR)
		return sl_error_at(err, SL_EIO, path, 0, 0, "cannot write the workbook: %s",
		                   lxw_strerror(e));
	return 0;
}
