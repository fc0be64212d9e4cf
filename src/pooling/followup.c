/* followup.c — baselines and the week-by-week follow-up of the pilot targets
 * (issue 7, item 5; include/samlast/pooling.h section 4, docs/followup.md).
 *
 * Idea: no KPI is re-defined here.  Deliveries, orders, contract fidelity
 * and the small-order share come from sl_kpi_compute (docs/kpi.md), called
 * once per ISO week grouped by receiving unit, once per distinct baseline
 * period, once for the whole period and once for the status window (the
 * last few weeks).  A unit's baseline is its own current row of
 * followup_baselines, else the city-wide default; its weekly average is the
 * KPI count over the baseline divided by the baseline's days / 7, so weeks
 * and baselines of any length compare per day.  The targets are those of
 * Helsingborg's Rönnowska pilot (DOMAIN.md): deliveries at least 20 % below
 * the baseline, contract fidelity at least 80 %; both configurable.
 *
 * The only figure counted here is realised pooling, which the KPI module
 * does not have: a delivery (one supplier at one site on one day, the KPI
 * module's unit of counting) whose trip also carried delivered rows of
 * another supplier, or that confirmed an announcement the board marked as
 * pooled (ISSUE7.md).
 *
 * Visibility: the KPI module's supplier filter gives a supplier only its own
 * deliveries and orders; a unit sees its own sites; the city everything.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "samlast/kpi.h"
#include "samlast/pooling.h"

#define FU_KPIS "deliveries,orders,contract_fidelity_pct,small_order_share_pct"
#define FU_MAX_DAY 2932896 /* 9999-12-31 */
#define FU_MIN_DAY (-719162) /* 0001-01-01 */

void sl_followup_query_init(sl_followup_query *q)
{
	memset(q, 0, sizeof *q);
	q->from_day = q->to_day = SL_FOLLOWUP_NO_DAY;
	q->target_deliveries_pct = NAN;
	q->target_fidelity_pct = NAN;
	q->status_weeks = SL_FOLLOWUP_STATUS_WEEKS_DEFAULT;
	q->small_order_ore = -1;
	q->viewer.kind = SL_VIEWER_CITY;
}

const char *sl_followup_status_name(sl_followup_status s)
{
	switch (s) {
	case SL_FOLLOWUP_ON_TRACK: return "on_track";
	case SL_FOLLOWUP_NOT_YET: return "not_yet";
	default: return "no_baseline";
	}
}

static int64_t floor_div7(int64_t a)
{
	return a >= 0 ? a / 7 : -((-a + 6) / 7);
}

/* The week number the KPI module uses: weeks start on Monday. */
static int64_t week_of(int64_t day)
{
	return floor_div7(day + 3);
}

static int day_ok(int64_t d)
{
	return d >= FU_MIN_DAY && d <= FU_MAX_DAY;
}

/* The id of receiving unit `ext` (a site of an organisation of kind
 * 'unit'), its organisation in *org; SL_ENOTFOUND when there is none. */
static int unit_lookup(sl_store *st, const char *ext, int64_t *id, int64_t *org, sl_error *err)
{
	sl_stmt *s;
	int rc = sl_store_prepare(st,
	                          "SELECT s.id, s.org_id FROM sites s JOIN organisations o ON o.id = s.org_id "
	                          "WHERE s.ext_id = ?1 AND o.kind = 'unit'",
	                          &s, err);
	if (rc)
		return rc;
	sl_stmt_bind_text(s, 1, ext);
	rc = sl_stmt_step(s, err);
	if (rc == 1) {
		*id = sl_stmt_int64(s, 0);
		if (org)
			*org = sl_stmt_int64(s, 1);
		rc = 0;
	} else if (rc == 0) {
		rc = sl_error_set(err, SL_ENOTFOUND, "unknown unit '%.60s' (no receiving site with that id)", ext);
	}
	sl_stmt_free(s);
	return rc;
}

/* ---- baselines --------------------------------------------------------- */

int sl_followup_baseline_set(sl_store *st, const char *unit, int64_t from_day, int64_t to_day,
                             const char *note, const sl_followup_actor *actor, int64_t *id_out,
                             sl_error *err)
{
	char a[16], b[16];
	if (!day_ok(from_day) || !day_ok(to_day))
		return sl_error_set(err, SL_EINVAL, "baseline day out of range");
	if (to_day < from_day)
		return sl_error_set(err, SL_EINVAL, "baseline ends (%s) before it starts (%s)",
		                    sl_date_format(to_day, b, sizeof b), sl_date_format(from_day, a, sizeof a));
	if (note && strlen(note) >= sizeof ((sl_followup_baseline *)0)->note)
		return sl_error_set(err, SL_EINVAL, "baseline note longer than %zu bytes",
		                    sizeof ((sl_followup_baseline *)0)->note - 1);
	int64_t site = 0;
	int rc = 0;
	if (unit && *unit && (rc = unit_lookup(st, unit, &site, NULL, err)))
		return rc;
	if ((rc = sl_store_begin(st, err)))
		return rc;
	int64_t now = (int64_t)time(NULL);
	char set_by[64];
	snprintf(set_by, sizeof set_by, "%s#%lld", actor && actor->role ? actor->role : "cli",
	         (long long)(actor ? actor->token_id : 0));
	sl_stmt *s = NULL;
	rc = sl_store_prepare(st,
	                      site ? "UPDATE followup_baselines SET superseded_at = ?1 "
	                             "WHERE site_id = ?2 AND superseded_at IS NULL"
	                           : "UPDATE followup_baselines SET superseded_at = ?1 "
	                             "WHERE site_id IS NULL AND superseded_at IS NULL",
	                      &s, err);
	if (!rc) {
		sl_stmt_bind_int64(s, 1, now);
		if (site)
			sl_stmt_bind_int64(s, 2, site);
		rc = sl_stmt_step(s, err);
		rc = rc < 0 ? rc : 0;
		sl_stmt_free(s);
	}
	int64_t id = 0;
	if (!rc && !(rc = sl_store_prepare(st,
	                                   "INSERT INTO followup_baselines(site_id, from_day, to_day, set_at, "
	                                   "set_by, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	                                   &s, err))) {
		if (site)
			sl_stmt_bind_int64(s, 1, site);
		else
			sl_stmt_bind_null(s, 1);
		sl_stmt_bind_int64(s, 2, from_day);
		sl_stmt_bind_int64(s, 3, to_day);
		sl_stmt_bind_int64(s, 4, now);
		sl_stmt_bind_text(s, 5, set_by);
		sl_stmt_bind_text(s, 6, note && *note ? note : NULL);
		rc = sl_stmt_step(s, err);
		rc = rc < 0 ? rc : 0;
		sl_stmt_free(s);
		id = sl_store_last_insert_id(st);
	}
	if (!rc && !(rc = sl_store_prepare(st,
	                                   "INSERT INTO audit_log(at, token_id, role, org_id, action, target, "
	                                   "row_ids, detail) VALUES (?1, ?2, ?3, ?4, 'baseline.set', "
	                                   "'followup_baselines', ?5, ?6)",
	                                   &s, err))) {
		char ids[64];
		sl_buf d = {0};
		snprintf(ids, sizeof ids, "{\"baseline_id\":%lld}", (long long)id);
		int brc = sl_buf_puts(&d, "{\"unit\":");
		brc |= unit && *unit ? sl_buf_json_string(&d, unit) : sl_buf_puts(&d, "null");
		brc |= sl_buf_printf(&d, ",\"from\":\"%s\",\"to\":\"%s\",\"via\":",
		                     sl_date_format(from_day, a, sizeof a), sl_date_format(to_day, b, sizeof b));
		brc |= sl_buf_json_string(&d, actor && actor->via ? actor->via : "cli");
		brc |= sl_buf_puts(&d, "}");
		sl_stmt_bind_int64(s, 1, now);
		if (actor && actor->token_id)
			sl_stmt_bind_int64(s, 2, actor->token_id);
		else
			sl_stmt_bind_null(s, 2);
		sl_stmt_bind_text(s, 3, actor && actor->role ? actor->role : "cli");
		if (actor && actor->org_id)
			sl_stmt_bind_int64(s, 4, actor->org_id);
		else
			sl_stmt_bind_null(s, 4);
		sl_stmt_bind_text(s, 5, ids);
		sl_stmt_bind_text(s, 6, d.data ? d.data : "{}");
		rc = brc ? sl_error_set(err, SL_ENOMEM, "out of memory") : sl_stmt_step(s, err);
		rc = rc < 0 ? rc : 0;
		sl_stmt_free(s);
		sl_buf_free(&d);
	}
	if (!rc)
		rc = sl_store_commit(st, err);
	if (rc) {
		sl_store_rollback(st);
		return rc;
	}
	if (id_out)
		*id_out = id;
	return 0;
}

int sl_followup_baseline_list(sl_store *st, const char *unit, int history,
                              sl_followup_baseline **out, size_t *n, sl_error *err)
{
	*out = NULL;
	*n = 0;
	int64_t site = -1;
	int rc;
	if (unit && *unit && (rc = unit_lookup(st, unit, &site, NULL, err)))
		return rc;
	char sql[600];
	snprintf(sql, sizeof sql,
	         "SELECT b.id, COALESCE(s.ext_id, ''), b.from_day, b.to_day, b.set_at, "
	         "COALESCE(b.set_by, ''), COALESCE(b.note, ''), COALESCE(b.superseded_at, 0) "
	         "FROM followup_baselines b LEFT JOIN sites s ON s.id = b.site_id WHERE 1 = 1 %s %s "
	         "ORDER BY COALESCE(s.ext_id, ''), b.id DESC",
	         !unit ? "" : *unit ? "AND b.site_id = ?1" : "AND b.site_id IS NULL",
	         history ? "" : "AND b.superseded_at IS NULL");
	sl_stmt *s;
	if ((rc = sl_store_prepare(st, sql, &s, err)))
		return rc;
	if (unit && *unit)
		sl_stmt_bind_int64(s, 1, site);
	size_t cap = 0;
	while ((rc = sl_stmt_step(s, err)) == 1) {
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			sl_followup_baseline *g = realloc(*out, nc * sizeof *g);
			if (!g) {
				rc = sl_error_set(err, SL_ENOMEM, "out of memory");
				break;
			}
			*out = g;
			cap = nc;
		}
		sl_followup_baseline *b = &(*out)[(*n)++];
		memset(b, 0, sizeof *b);
		b->id = sl_stmt_int64(s, 0);
		snprintf(b->unit, sizeof b->unit, "%s", sl_stmt_text(s, 1));
		b->from_day = sl_stmt_int64(s, 2);
		b->to_day = sl_stmt_int64(s, 3);
		b->set_at = sl_stmt_int64(s, 4);
		snprintf(b->set_by, sizeof b->set_by, "%s", sl_stmt_text(s, 5));
		snprintf(b->note, sizeof b->note, "%s", sl_stmt_text(s, 6));
		b->superseded_at = sl_stmt_int64(s, 7);
	}
	sl_stmt_free(s);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return rc;
	}
	return 0;
}

/* ---- the follow-up ------------------------------------------------------ */

typedef struct fu_unit_in {
	int64_t site_id;
	int has_base, base_default;
	int64_t bfrom, bto;
} fu_unit_in;

typedef struct fu_ctx {
	sl_store *st;
	const sl_followup_query *q;
	char supplier[64];  /* supplier viewer's ext id, or "" */
	const char *kunit;  /* unit filter passed to the KPI module, or NULL */
	sl_followup_result *r;
	fu_unit_in *in;
	int64_t week0;      /* week_of(from_day) */
} fu_ctx;

static int cmp_unit(const void *a, const void *b)
{
	return strcmp(((const sl_followup_unit *)a)->unit, ((const sl_followup_unit *)b)->unit);
}

static sl_followup_unit *find_unit(sl_followup_result *r, const char *key)
{
	sl_followup_unit k;
	size_t n = strlen(key);
	if (n >= sizeof k.unit)
		return NULL;
	memcpy(k.unit, key, n + 1);
	return bsearch(&k, r->units, r->n_units, sizeof *r->units, cmp_unit);
}

/* One KPI call over [from, to] grouped by unit, with the follow-up's
 * filters; `unit` overrides the unit filter when not NULL. */
static int kpi_call(fu_ctx *c, int64_t from, int64_t to, const char *unit, sl_kpi_result **res,
                    int *ix, sl_error *err)
{
	sl_kpi_query kq;
	sl_kpi_query_init(&kq);
	kq.from_day = from;
	kq.to_day = to;
	kq.by = SL_KPI_BY_UNIT;
	kq.unit = unit ? unit : c->kunit;
	kq.supplier = c->supplier[0] ? c->supplier : NULL;
	kq.small_order_ore = c->q->small_order_ore;
	kq.only = FU_KPIS;
	int rc = sl_kpi_compute(c->st, &kq, res, err);
	if (rc)
		return rc;
	ix[0] = sl_kpi_result_index(*res, "deliveries");
	ix[1] = sl_kpi_result_index(*res, "orders");
	ix[2] = sl_kpi_result_index(*res, "contract_fidelity_pct");
	ix[3] = sl_kpi_result_index(*res, "small_order_share_pct");
	if (ix[0] < 0 || ix[1] < 0 || ix[2] < 0 || ix[3] < 0) {
		sl_kpi_result_free(*res);
		*res = NULL;
		return sl_error_set(err, SL_ESTORE, "the KPI module did not return the follow-up's KPIs");
	}
	return 0;
}

static int64_t count_of(double v)
{
	return isnan(v) ? 0 : llround(v);
}

static int64_t small_of(const sl_kpi_row *row, const int *ix)
{
	double orders = row->value[ix[1]], share = row->value[ix[3]];
	if (isnan(orders) || isnan(share))
		return 0;
	return llround(orders * share / 100.0);
}

static double per_week(double count, int64_t from, int64_t to)
{
	return count * 7.0 / (double)(to - from + 1);
}

static double change_pct(double now_per_week, double base_per_week)
{
	if (isnan(now_per_week) || isnan(base_per_week) || base_per_week <= 0)
		return NAN;
	return 100.0 * (now_per_week - base_per_week) / base_per_week;
}

static int read_setting(sl_store *st, const char *key, double *out)
{
	sl_stmt *s;
	if (sl_store_prepare(st, "SELECT value FROM settings WHERE key = ?1", &s, NULL))
		return 0;
	sl_stmt_bind_text(s, 1, key);
	int found = 0;
	if (sl_stmt_step(s, NULL) == 1) {
		char *end;
		const char *t = sl_stmt_text(s, 0);
		double v = strtod(t, &end);
		if (end != t && !*end && isfinite(v)) {
			*out = v;
			found = 1;
		}
	}
	sl_stmt_free(s);
	return found;
}

/* The visible receiving units, sorted by ext id. */
static int load_units(fu_ctx *c, sl_error *err)
{
	const sl_followup_query *q = c->q;
	sl_followup_result *r = c->r;
	char sql[400];
	snprintf(sql, sizeof sql,
	         "SELECT s.id, s.ext_id, s.name FROM sites s JOIN organisations o ON o.id = s.org_id "
	         "WHERE o.kind = 'unit' %s %s ORDER BY s.ext_id",
	         q->viewer.kind == SL_VIEWER_UNIT ? "AND s.org_id = ?1" : "",
	         q->unit ? "AND s.ext_id = ?2" : "");
	sl_stmt *s;
	int rc = sl_store_prepare(c->st, sql, &s, err);
	if (rc)
		return rc;
	if (q->viewer.kind == SL_VIEWER_UNIT)
		sl_stmt_bind_int64(s, 1, q->viewer.org_id);
	if (q->unit)
		sl_stmt_bind_text(s, 2, q->unit);
	size_t cap = 0;
	while ((rc = sl_stmt_step(s, err)) == 1) {
		if (r->n_units == cap) {
			size_t nc = cap ? cap * 2 : 64;
			sl_followup_unit *u = realloc(r->units, nc * sizeof *u);
			fu_unit_in *in = realloc(c->in, nc * sizeof *in);
			if (u)
				r->units = u;
			if (in)
				c->in = in;
			if (!u || !in) {
				rc = sl_error_set(err, SL_ENOMEM, "out of memory");
				break;
			}
			cap = nc;
		}
		sl_followup_unit *u = &r->units[r->n_units];
		memset(u, 0, sizeof *u);
		memset(&c->in[r->n_units], 0, sizeof c->in[0]);
		c->in[r->n_units].site_id = sl_stmt_int64(s, 0);
		snprintf(u->unit, sizeof u->unit, "%s", sl_stmt_text(s, 1));
		snprintf(u->name, sizeof u->name, "%s", sl_stmt_text(s, 2));
		r->n_units++;
	}
	sl_stmt_free(s);
	if (rc < 0)
		return rc;
	/* strcmp order for bsearch (SQLite's BINARY collation is the same,
	 * but do not rely on a store's collation) */
	for (size_t i = 1; i < r->n_units; i++)
		for (size_t j = i; j > 0 && strcmp(r->units[j - 1].unit, r->units[j].unit) > 0; j--) {
			sl_followup_unit t = r->units[j];
			r->units[j] = r->units[j - 1];
			r->units[j - 1] = t;
			fu_unit_in ti = c->in[j];
			c->in[j] = c->in[j - 1];
			c->in[j - 1] = ti;
		}
	if (q->unit && !r->n_units)
		return sl_error_set(err, SL_ENOTFOUND, "unknown unit '%.60s'%s", q->unit,
		                    q->viewer.kind == SL_VIEWER_UNIT ? " (or not one of yours)" : "");
	return 0;
}

/* Current baselines: each unit's own, else the default. */
static int load_baselines(fu_ctx *c, int *has_default, int64_t *dfrom, int64_t *dto, sl_error *err)
{
	sl_stmt *s;
	int rc = sl_store_prepare(c->st,
	                          "SELECT site_id, from_day, to_day FROM followup_baselines "
	                          "WHERE superseded_at IS NULL ORDER BY id",
	                          &s, err);
	if (rc)
		return rc;
	*has_default = 0;
	while ((rc = sl_stmt_step(s, err)) == 1) {
		int64_t f = sl_stmt_int64(s, 1), t = sl_stmt_int64(s, 2);
		if (sl_stmt_is_null(s, 0)) {
			*has_default = 1;
			*dfrom = f;
			*dto = t;
			continue;
		}
		int64_t site = sl_stmt_int64(s, 0);
		for (size_t i = 0; i < c->r->n_units; i++)
			if (c->in[i].site_id == site) {
				c->in[i].has_base = 1;
				c->in[i].bfrom = f;
				c->in[i].bto = t;
			}
	}
	sl_stmt_free(s);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < c->r->n_units; i++)
		if (!c->in[i].has_base && *has_default) {
			c->in[i].has_base = c->in[i].base_default = 1;
			c->in[i].bfrom = *dfrom;
			c->in[i].bto = *dto;
		}
	return 0;
}

static void set_baseline(sl_followup_unit *u, const sl_kpi_row *row, const int *ix, int64_t f,
                         int64_t t, int is_default)
{
	u->has_baseline = 1;
	u->baseline_is_default = is_default;
	u->baseline_from_day = f;
	u->baseline_to_day = t;
	u->baseline_deliveries_per_week = row ? per_week((double)count_of(row->value[ix[0]]), f, t) : 0;
	u->baseline_fidelity_pct = row ? row->value[ix[2]] : NAN;
	u->baseline_small_orders_per_week = row ? per_week((double)small_of(row, ix), f, t) : 0;
}

/* Baseline figures: one KPI call per distinct baseline period (with the
 * unit filter when only one unit uses it). */
static int compute_baselines(fu_ctx *c, int has_default, int64_t dfrom, int64_t dto, sl_error *err)
{
	sl_followup_result *r = c->r;
	size_t n = r->n_units;
	char *done = calloc(n ? n : 1, 1);
	if (!done)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		if (done[i] || !c->in[i].has_base)
			continue;
		int64_t f = c->in[i].bfrom, t = c->in[i].bto;
		size_t users = 0;
		for (size_t j = i; j < n; j++)
			users += c->in[j].has_base && c->in[j].bfrom == f && c->in[j].bto == t;
		sl_kpi_result *kr = NULL;
		int ix[4];
		if ((rc = kpi_call(c, f, t, users == 1 ? r->units[i].unit : NULL, &kr, ix, err)))
			break;
		for (size_t j = i; j < n; j++) {
			if (!c->in[j].has_base || c->in[j].bfrom != f || c->in[j].bto != t)
				continue;
			done[j] = 1;
			const sl_kpi_row *row = NULL;
			for (size_t k = 0; k < kr->n_rows && !row; k++)
				if (!strcmp(kr->rows[k].key, r->units[j].unit))
					row = &kr->rows[k];
			set_baseline(&r->units[j], row, ix, f, t, c->in[j].base_default);
		}
		sl_kpi_result_free(kr);
	}
	free(done);
	if (!rc && r->has_total && has_default) {
		sl_kpi_result *kr = NULL;
		int ix[4];
		if (!(rc = kpi_call(c, dfrom, dto, NULL, &kr, ix, err))) {
			set_baseline(&r->total, &kr->total, ix, dfrom, dto, 1);
			sl_kpi_result_free(kr);
		}
	}
	return rc;
}

/* Realised pooling per unit and week: deliveries (supplier, site, day) of
 * which a row travelled on a trip that also carried another supplier's
 * delivered rows, or confirmed an announcement that the board marked as
 * pooled (announcement_matches.pooled, schema/0006_pooling.sql). */
static int compute_pooled(fu_ctx *c, sl_error *err)
{
	sl_followup_result *r = c->r;
	char sql[900];
	snprintf(sql, sizeof sql,
	         "SELECT site_id, wk, COUNT(*) FROM ("
	         " SELECT d.site_id, (d.local_day + 3) / 7 AS wk"
	         " FROM deliveries d WHERE d.status = 'delivered' AND d.local_day BETWEEN ?1 AND ?2 %s"
	         " AND (d.trip_id IN (SELECT x.trip_id FROM deliveries x WHERE x.status = 'delivered'"
	         "  AND x.trip_id IS NOT NULL AND x.local_day BETWEEN ?1 - 1 AND ?2 + 1"
	         "  GROUP BY x.trip_id HAVING COUNT(DISTINCT x.supplier_id) >= 2)"
	         "  OR d.id IN (SELECT m.delivery_id FROM announcement_matches m WHERE m.pooled = 1))"
	         " GROUP BY d.site_id, d.supplier_id, d.local_day) GROUP BY site_id, wk",
	         c->supplier[0] ? "AND d.supplier_id = (SELECT id FROM organisations WHERE ext_id = ?3)" : "");
	sl_stmt *s;
	int rc = sl_store_prepare(c->st, sql, &s, err);
	if (rc)
		return rc;
	sl_stmt_bind_int64(s, 1, r->from_day);
	sl_stmt_bind_int64(s, 2, r->to_day);
	if (c->supplier[0])
		sl_stmt_bind_text(s, 3, c->supplier);
	while ((rc = sl_stmt_step(s, err)) == 1) {
		int64_t site = sl_stmt_int64(s, 0), w = sl_stmt_int64(s, 1) - c->week0;
		int64_t cnt = sl_stmt_int64(s, 2);
		if (w < 0 || (size_t)w >= r->n_weeks)
			continue;
		if (r->has_total) {
			r->total.weeks[w].pooled += cnt;
			r->total.pooled += cnt;
		}
		for (size_t i = 0; i < r->n_units; i++)
			if (c->in[i].site_id == site) {
				r->units[i].weeks[w].pooled += cnt;
				r->units[i].pooled += cnt;
				break;
			}
	}
	sl_stmt_free(s);
	return rc < 0 ? rc : 0;
}

static void fill_week(sl_followup_week *w, const sl_kpi_row *row, const int *ix)
{
	w->deliveries = count_of(row->value[ix[0]]);
	w->orders = count_of(row->value[ix[1]]);
	w->fidelity_pct = row->value[ix[2]];
	w->small_orders = small_of(row, ix);
}

static void fill_period(sl_followup_unit *u, const sl_kpi_row *row, const int *ix, int64_t f, int64_t t)
{
	u->deliveries = row ? count_of(row->value[ix[0]]) : 0;
	u->orders = row ? count_of(row->value[ix[1]]) : 0;
	u->small_orders = row ? small_of(row, ix) : 0;
	u->fidelity_pct = row ? row->value[ix[2]] : NAN;
	u->deliveries_per_week = per_week((double)u->deliveries, f, t);
}

static void fill_recent(sl_followup_unit *u, const sl_kpi_row *row, const int *ix, int64_t f, int64_t t)
{
	u->recent_deliveries_per_week = per_week(row ? (double)count_of(row->value[ix[0]]) : 0, f, t);
	u->recent_fidelity_pct = row ? row->value[ix[2]] : NAN;
}

static void judge(sl_followup_unit *u, const sl_followup_result *r)
{
	for (size_t w = 0; w < r->n_weeks; w++) {
		sl_followup_week *wk = &u->weeks[w];
		wk->deliveries_change_pct =
		    u->has_baseline ? change_pct(per_week((double)wk->deliveries, wk->from_day, wk->to_day),
		                                 u->baseline_deliveries_per_week)
		                    : NAN;
	}
	u->target_deliveries_per_week =
	    u->has_baseline ? u->baseline_deliveries_per_week * (1.0 + r->target_deliveries_pct / 100.0) : NAN;
	u->deliveries_change_pct =
	    u->has_baseline ? change_pct(u->deliveries_per_week, u->baseline_deliveries_per_week) : NAN;
	u->recent_change_pct =
	    u->has_baseline ? change_pct(u->recent_deliveries_per_week, u->baseline_deliveries_per_week) : NAN;
	u->fidelity_met = !isnan(u->recent_fidelity_pct) && u->recent_fidelity_pct >= r->target_fidelity_pct;
	u->deliveries_met = !isnan(u->recent_change_pct) && u->recent_change_pct <= r->target_deliveries_pct;
	if (!u->has_baseline || !(u->baseline_deliveries_per_week > 0))
		u->status = SL_FOLLOWUP_NO_BASELINE;
	else if (u->deliveries_met && u->fidelity_met)
		u->status = SL_FOLLOWUP_ON_TRACK;
	else
		u->status = SL_FOLLOWUP_NOT_YET;
}

static int viewer_setup(fu_ctx *c, sl_error *err)
{
	const sl_followup_query *q = c->q;
	switch (q->viewer.kind) {
	case SL_VIEWER_CITY:
		c->r->has_total = q->unit == NULL;
		return 0;
	case SL_VIEWER_UNIT:
		return 0;
	case SL_VIEWER_SUPPLIER: {
		sl_stmt *s;
		int rc = sl_store_prepare(c->st,
		                          "SELECT ext_id FROM organisations WHERE id = ?1 AND kind = 'supplier'",
		                          &s, err);
		if (rc)
			return rc;
		sl_stmt_bind_int64(s, 1, q->viewer.org_id);
		rc = sl_stmt_step(s, err);
		if (rc == 1)
			snprintf(c->supplier, sizeof c->supplier, "%s", sl_stmt_text(s, 0));
		sl_stmt_free(s);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return sl_error_set(err, SL_EPERM, "the supplier viewer is not a supplier organisation");
		c->r->has_total = q->unit == NULL;
		return 0;
	}
	default:
		return sl_error_set(err, SL_EPERM, "the follow-up is for the city, units and suppliers");
	}
}

static int resolve_period(fu_ctx *c, sl_error *err)
{
	const sl_followup_query *q = c->q;
	sl_followup_result *r = c->r;
	char a[16], b[16];
	if ((q->from_day == SL_FOLLOWUP_NO_DAY) != (q->to_day == SL_FOLLOWUP_NO_DAY))
		return sl_error_set(err, SL_EINVAL, "give both the first and the last day, or neither");
	if (q->from_day == SL_FOLLOWUP_NO_DAY) {
		sl_stmt *s;
		int rc = sl_store_prepare(c->st,
		                          "SELECT MIN(local_day), MAX(local_day) FROM deliveries "
		                          "WHERE status = 'delivered'",
		                          &s, err);
		if (rc)
			return rc;
		rc = sl_stmt_step(s, err);
		if (rc == 1 && !sl_stmt_is_null(s, 0)) {
			r->from_day = sl_stmt_int64(s, 0);
			r->to_day = sl_stmt_int64(s, 1);
			rc = 0;
		} else if (rc >= 0) {
			/* nothing delivered yet: the current week, empty */
			int64_t today = floor_div7((int64_t)time(NULL) / 86400 + 3) * 7 - 3;
			r->from_day = today;
			r->to_day = today + 6;
			rc = 0;
		}
		sl_stmt_free(s);
		return rc;
	}
	if (!day_ok(q->from_day) || !day_ok(q->to_day))
		return sl_error_set(err, SL_EINVAL, "day out of range");
	if (q->to_day < q->from_day)
		return sl_error_set(err, SL_EINVAL, "the period ends (%s) before it starts (%s)",
		                    sl_date_format(q->to_day, b, sizeof b), sl_date_format(q->from_day, a, sizeof a));
	if (q->to_day - q->from_day > 366 * 5)
		return sl_error_set(err, SL_EINVAL, "the period is longer than five years");
	r->from_day = q->from_day;
	r->to_day = q->to_day;
	return 0;
}

static int alloc_weeks(sl_followup_unit *u, size_t n, const sl_followup_result *r)
{
	u->weeks = calloc(n ? n : 1, sizeof *u->weeks);
	if (!u->weeks)
		return -1;
	int64_t w0 = week_of(r->from_day);
	for (size_t w = 0; w < n; w++) {
		sl_followup_week *wk = &u->weeks[w];
		int64_t mon = (w0 + (int64_t)w) * 7 - 3;
		wk->from_day = mon < r->from_day ? r->from_day : mon;
		wk->to_day = mon + 6 > r->to_day ? r->to_day : mon + 6;
		int y, k;
		sl_iso_week(mon, &y, &k);
		snprintf(wk->week, sizeof wk->week, "%04d-W%02d", y, k);
		wk->fidelity_pct = NAN;
		wk->deliveries_change_pct = NAN;
	}
	return 0;
}

int sl_followup_compute(sl_store *st, const sl_followup_query *q, sl_followup_result **out,
                        sl_error *err)
{
	*out = NULL;
	sl_followup_result *r = calloc(1, sizeof *r);
	if (!r)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	fu_ctx c = {.st = st, .q = q, .r = r};
	int rc = viewer_setup(&c, err);
	if (!rc)
		rc = resolve_period(&c, err);
	if (rc)
		goto fail;
	r->target_deliveries_pct = q->target_deliveries_pct;
	if (isnan(r->target_deliveries_pct) &&
	    !read_setting(st, "followup.target_deliveries_pct", &r->target_deliveries_pct))
		r->target_deliveries_pct = SL_FOLLOWUP_TARGET_DELIVERIES_PCT_DEFAULT;
	r->target_fidelity_pct = q->target_fidelity_pct;
	if (isnan(r->target_fidelity_pct) &&
	    !read_setting(st, "followup.target_fidelity_pct", &r->target_fidelity_pct))
		r->target_fidelity_pct = SL_FOLLOWUP_TARGET_FIDELITY_PCT_DEFAULT;
	if (!isfinite(r->target_deliveries_pct) || !isfinite(r->target_fidelity_pct) ||
	    r->target_deliveries_pct <= -100 || r->target_fidelity_pct < 0 || r->target_fidelity_pct > 100) {
		rc = sl_error_set(err, SL_EINVAL,
		                  "targets out of range (deliveries change above -100 %%, fidelity 0..100 %%)");
		goto fail;
	}
	if ((rc = load_units(&c, err)))
		goto fail;
	c.kunit = q->unit;
	if (!c.kunit && q->viewer.kind == SL_VIEWER_UNIT && r->n_units == 1)
		c.kunit = r->units[0].unit;
	c.week0 = week_of(r->from_day);
	r->n_weeks = (size_t)(week_of(r->to_day) - c.week0 + 1);
	for (size_t i = 0; i < r->n_units && !rc; i++)
		if (alloc_weeks(&r->units[i], r->n_weeks, r))
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
	if (!rc && alloc_weeks(&r->total, r->n_weeks, r))
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
	if (rc)
		goto fail;
	snprintf(r->total.unit, sizeof r->total.unit, "all");
	snprintf(r->total.name, sizeof r->total.name, "%s", c.supplier[0] ? c.supplier : "All units");

	/* the weeks */
	for (size_t w = 0; w < r->n_weeks && r->n_units; w++) {
		sl_kpi_result *kr = NULL;
		int ix[4];
		const sl_followup_week *wk = &r->total.weeks[w];
		if ((rc = kpi_call(&c, wk->from_day, wk->to_day, NULL, &kr, ix, err)))
			goto fail;
		if (w == 0)
			r->small_order_ore = kr->small_order_ore;
		for (size_t k = 0; k < kr->n_rows; k++) {
			sl_followup_unit *u = find_unit(r, kr->rows[k].key);
			if (u)
				fill_week(&u->weeks[w], &kr->rows[k], ix);
		}
		if (r->has_total)
			fill_week(&r->total.weeks[w], &kr->total, ix);
		sl_kpi_result_free(kr);
	}
	/* the whole period and the status window */
	int sw = q->status_weeks > 0 ? q->status_weeks : SL_FOLLOWUP_STATUS_WEEKS_DEFAULT;
	int64_t sfrom = (week_of(r->to_day) - sw + 1) * 7 - 3;
	r->status_from_day = sfrom < r->from_day ? r->from_day : sfrom;
	for (int pass = 0; pass < 2 && r->n_units; pass++) {
		int64_t f = pass ? r->status_from_day : r->from_day, t = r->to_day;
		sl_kpi_result *kr = NULL;
		int ix[4];
		if ((rc = kpi_call(&c, f, t, NULL, &kr, ix, err)))
			goto fail;
		for (size_t i = 0; i < r->n_units; i++) {
			const sl_kpi_row *row = NULL;
			for (size_t k = 0; k < kr->n_rows && !row; k++)
				if (!strcmp(kr->rows[k].key, r->units[i].unit))
					row = &kr->rows[k];
			if (pass)
				fill_recent(&r->units[i], row, ix, f, t);
			else
				fill_period(&r->units[i], row, ix, f, t);
		}
		if (r->has_total) {
			if (pass)
				fill_recent(&r->total, &kr->total, ix, f, t);
			else
				fill_period(&r->total, &kr->total, ix, f, t);
		}
		sl_kpi_result_free(kr);
	}
	int has_default = 0;
	int64_t dfrom = 0, dto = 0;
	if ((rc = load_baselines(&c, &has_default, &dfrom, &dto, err)) ||
	    (rc = compute_baselines(&c, has_default, dfrom, dto, err)) || (rc = compute_pooled(&c, err)))
		goto fail;
	/* a supplier sees only the units it delivers to or orders for */
	if (c.supplier[0]) {
		size_t k = 0;
		for (size_t i = 0; i < r->n_units; i++) {
			sl_followup_unit *u = &r->units[i];
			int active = u->deliveries || u->orders || u->baseline_deliveries_per_week > 0 ||
			             u->baseline_small_orders_per_week > 0 || !isnan(u->baseline_fidelity_pct);
			if (active) {
				r->units[k] = *u;
				c.in[k++] = c.in[i];
			} else {
				free(u->weeks);
			}
		}
		r->n_units = k;
	}
	for (size_t i = 0; i < r->n_units; i++) {
		judge(&r->units[i], r);
		r->n_on_track += r->units[i].status == SL_FOLLOWUP_ON_TRACK;
		r->n_not_yet += r->units[i].status == SL_FOLLOWUP_NOT_YET;
		r->n_no_baseline += r->units[i].status == SL_FOLLOWUP_NO_BASELINE;
	}
	if (r->has_total)
		judge(&r->total, r);
	free(c.in);
	*out = r;
	return 0;
fail:
	free(c.in);
	sl_followup_result_free(r);
	return rc;
}

void sl_followup_result_free(sl_followup_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_units; i++)
		free(r->units[i].weeks);
	free(r->units);
	free(r->total.weeks);
	free(r);
}

/* ---- output ------------------------------------------------------------- */

static int put_num(sl_buf *b, double v, int dec)
{
	if (isnan(v) || isinf(v))
		return sl_buf_puts(b, "null");
	return sl_buf_printf(b, "%.*f", dec, v);
}

static int put_day(sl_buf *b, int64_t d)
{
	char s[16];
	return sl_buf_printf(b, "\"%s\"", sl_date_format(d, s, sizeof s));
}

static int unit_json(const sl_followup_unit *u, const sl_followup_result *r, int with_weeks, sl_buf *b)
{
	int rc = sl_buf_puts(b, "{\"unit\":");
	rc |= sl_buf_json_string(b, u->unit);
	rc |= sl_buf_puts(b, ",\"name\":");
	rc |= sl_buf_json_string(b, u->name);
	rc |= sl_buf_printf(b, ",\"status\":\"%s\",\"baseline\":", sl_followup_status_name(u->status));
	if (u->has_baseline) {
		rc |= sl_buf_puts(b, "{\"from\":");
		rc |= put_day(b, u->baseline_from_day);
		rc |= sl_buf_puts(b, ",\"to\":");
		rc |= put_day(b, u->baseline_to_day);
		rc |= sl_buf_printf(b, ",\"default\":%s,\"deliveries_per_week\":",
		                    u->baseline_is_default ? "true" : "false");
		rc |= put_num(b, u->baseline_deliveries_per_week, 2);
		rc |= sl_buf_puts(b, ",\"fidelity_pct\":");
		rc |= put_num(b, u->baseline_fidelity_pct, 1);
		rc |= sl_buf_puts(b, ",\"small_orders_per_week\":");
		rc |= put_num(b, u->baseline_small_orders_per_week, 2);
		rc |= sl_buf_puts(b, "}");
	} else {
		rc |= sl_buf_puts(b, "null");
	}
	rc |= sl_buf_puts(b, ",\"target_deliveries_per_week\":");
	rc |= put_num(b, u->target_deliveries_per_week, 2);
	rc |= sl_buf_printf(b, ",\"deliveries\":%lld,\"orders\":%lld,\"small_orders\":%lld,\"pooled\":%lld",
	                    (long long)u->deliveries, (long long)u->orders, (long long)u->small_orders,
	                    (long long)u->pooled);
	rc |= sl_buf_puts(b, ",\"deliveries_per_week\":");
	rc |= put_num(b, u->deliveries_per_week, 2);
	rc |= sl_buf_puts(b, ",\"fidelity_pct\":");
	rc |= put_num(b, u->fidelity_pct, 1);
	rc |= sl_buf_puts(b, ",\"deliveries_change_pct\":");
	rc |= put_num(b, u->deliveries_change_pct, 1);
	rc |= sl_buf_puts(b, ",\"recent\":{\"deliveries_per_week\":");
	rc |= put_num(b, u->recent_deliveries_per_week, 2);
	rc |= sl_buf_puts(b, ",\"fidelity_pct\":");
	rc |= put_num(b, u->recent_fidelity_pct, 1);
	rc |= sl_buf_puts(b, ",\"deliveries_change_pct\":");
	rc |= put_num(b, u->recent_change_pct, 1);
	rc |= sl_buf_printf(b, ",\"deliveries_met\":%s,\"fidelity_met\":%s}",
	                    u->deliveries_met ? "true" : "false", u->fidelity_met ? "true" : "false");
	if (with_weeks) {
		rc |= sl_buf_puts(b, ",\"weeks\":[");
		for (size_t w = 0; w < r->n_weeks; w++) {
			const sl_followup_week *k = &u->weeks[w];
			rc |= sl_buf_printf(b, "%s{\"week\":\"%s\",\"from\":", w ? "," : "", k->week);
			rc |= put_day(b, k->from_day);
			rc |= sl_buf_puts(b, ",\"to\":");
			rc |= put_day(b, k->to_day);
			rc |= sl_buf_printf(b,
			                    ",\"deliveries\":%lld,\"orders\":%lld,\"small_orders\":%lld,"
			                    "\"pooled\":%lld,\"fidelity_pct\":",
			                    (long long)k->deliveries, (long long)k->orders,
			                    (long long)k->small_orders, (long long)k->pooled);
			rc |= put_num(b, k->fidelity_pct, 1);
			rc |= sl_buf_puts(b, ",\"deliveries_change_pct\":");
			rc |= put_num(b, k->deliveries_change_pct, 1);
			rc |= sl_buf_puts(b, "}");
		}
		rc |= sl_buf_puts(b, "]");
	}
	rc |= sl_buf_puts(b, "}");
	return rc ? SL_ENOMEM : 0;
}

int sl_followup_write_json(const sl_followup_result *r, int with_weeks, sl_buf *b)
{
	int rc = sl_buf_puts(b, "{\"period\":{\"from\":");
	rc |= put_day(b, r->from_day);
	rc |= sl_buf_puts(b, ",\"to\":");
	rc |= put_day(b, r->to_day);
	rc |= sl_buf_puts(b, "},\"status_window\":{\"from\":");
	rc |= put_day(b, r->status_from_day);
	rc |= sl_buf_puts(b, ",\"to\":");
	rc |= put_day(b, r->to_day);
	rc |= sl_buf_puts(b, "},\"targets\":{\"deliveries_change_pct\":");
	rc |= put_num(b, r->target_deliveries_pct, 1);
	rc |= sl_buf_puts(b, ",\"fidelity_pct\":");
	rc |= put_num(b, r->target_fidelity_pct, 1);
	rc |= sl_buf_printf(b,
	                    "},\"small_order_sek\":%.2f,\"pooled_definition\":\"deliveries on a trip that "
	                    "also carried another supplier's deliveries\","
	                    "\"summary\":{\"units\":%zu,\"on_track\":%zu,\"not_yet\":%zu,\"no_baseline\":%zu},"
	                    "\"weeks\":[",
	                    (double)r->small_order_ore / 100.0, r->n_units, r->n_on_track, r->n_not_yet,
	                    r->n_no_baseline);
	for (size_t w = 0; w < r->n_weeks; w++)
		rc |= sl_buf_printf(b, "%s\"%s\"", w ? "," : "", r->total.weeks[w].week);
	rc |= sl_buf_puts(b, "],\"units\":[");
	for (size_t i = 0; i < r->n_units && !rc; i++) {
		rc |= i ? sl_buf_putc(b, ',') : 0;
		rc |= unit_json(&r->units[i], r, with_weeks, b);
	}
	rc |= sl_buf_puts(b, "],\"total\":");
	if (r->has_total)
		rc |= unit_json(&r->total, r, 1, b);
	else
		rc |= sl_buf_puts(b, "null");
	rc |= sl_buf_puts(b, "}\n");
	return rc ? SL_ENOMEM : 0;
}

static int csv_num(sl_buf *b, char sep, double v, int dec)
{
	if (isnan(v))
		return sl_buf_putc(b, sep);
	char s[64];
	snprintf(s, sizeof s, "%.*f", dec, v);
	if (sep == ';')
		for (char *p = s; *p; p++)
			if (*p == '.')
				*p = ',';
	return sl_buf_printf(b, "%c%s", sep, s);
}

static int csv_text(sl_buf *b, const char *s)
{
	int rc = sl_buf_putc(b, '"');
	for (; *s; s++)
		rc |= *s == '"' ? sl_buf_puts(b, "\"\"") : sl_buf_putc(b, *s);
	return rc | sl_buf_putc(b, '"');
}

static int csv_unit(const sl_followup_unit *u, const sl_followup_result *r, char sep, sl_buf *b)
{
	int rc = 0;
	char f[16], t[16];
	for (size_t w = 0; w < r->n_weeks; w++) {
		const sl_followup_week *k = &u->weeks[w];
		rc |= csv_text(b, u->unit);
		rc |= sl_buf_putc(b, sep);
		rc |= csv_text(b, u->name);
		rc |= sl_buf_printf(b, "%c%s%c%s%c%s%c%lld%c%lld%c%lld%c%lld", sep, k->week, sep,
		                    sl_date_format(k->from_day, f, sizeof f), sep,
		                    sl_date_format(k->to_day, t, sizeof t), sep, (long long)k->deliveries, sep,
		                    (long long)k->orders, sep, (long long)k->small_orders, sep,
		                    (long long)k->pooled);
		rc |= csv_num(b, sep, k->fidelity_pct, 1);
		rc |= csv_num(b, sep, u->has_baseline ? u->baseline_deliveries_per_week : NAN, 2);
		rc |= csv_num(b, sep, u->target_deliveries_per_week, 2);
		rc |= csv_num(b, sep, k->deliveries_change_pct, 1);
		rc |= sl_buf_printf(b, "%c%s\r\n", sep, sl_followup_status_name(u->status));
	}
	return rc;
}

int sl_followup_write_csv(const sl_followup_result *r, char sep, sl_buf *b)
{
	int rc = 0;
	if (sep == ';')
		rc |= sl_buf_puts(b, "\xEF\xBB\xBF");
	const char *h[] = {"unit", "name", "week", "from", "to", "deliveries", "orders", "small_orders",
	                   "pooled", "fidelity_pct", "baseline_deliveries_per_week",
	                   "target_deliveries_per_week", "deliveries_change_pct", "status"};
	for (size_t i = 0; i < sizeof h / sizeof h[0]; i++)
		rc |= sl_buf_printf(b, "%s%s", i ? (sep == ';' ? ";" : ",") : "", h[i]);
	rc |= sl_buf_puts(b, "\r\n");
	for (size_t i = 0; i < r->n_units; i++)
		rc |= csv_unit(&r->units[i], r, sep, b);
	if (r->has_total)
		rc |= csv_unit(&r->total, r, sep, b);
	return rc ? SL_ENOMEM : 0;
}

static int table_num(sl_buf *b, double v, int width, int dec)
{
	if (isnan(v))
		return sl_buf_printf(b, " %*s", width, "n/a");
	return sl_buf_printf(b, " %*.*f", width, dec, v);
}

/* Append s cut and padded to `width` characters (UTF-8 aware: never cuts
 * a character in two). */
static int put_cell(sl_buf *b, const char *s, int width)
{
	size_t bytes = 0;
	int chars = 0;
	while (s[bytes] && chars < width) {
		bytes++;
		while (((unsigned char)s[bytes] & 0xC0) == 0x80)
			bytes++;
		chars++;
	}
	int rc = sl_buf_append(b, s, bytes);
	for (; chars < width; chars++)
		rc |= sl_buf_putc(b, ' ');
	return rc;
}

static int table_row(const sl_followup_unit *u, sl_buf *b)
{
	int rc = put_cell(b, u->unit, 12);
	rc |= sl_buf_putc(b, ' ');
	rc |= put_cell(b, u->name, 28);
	rc |= sl_buf_printf(b, " %-11s", sl_followup_status_name(u->status));
	rc |= table_num(b, u->has_baseline ? u->baseline_deliveries_per_week : NAN, 8, 2);
	rc |= table_num(b, u->recent_deliveries_per_week, 8, 2);
	rc |= table_num(b, u->recent_change_pct, 8, 1);
	rc |= table_num(b, u->recent_fidelity_pct, 8, 1);
	rc |= sl_buf_printf(b, " %8lld %8lld\n", (long long)u->small_orders, (long long)u->pooled);
	return rc;
}

int sl_followup_write_table(const sl_followup_result *r, sl_buf *b)
{
	char f[16], t[16], s[16];
	int rc = sl_buf_printf(b,
	                       "Follow-up %s..%s (status over %s..%s); targets: deliveries %+.0f %% vs "
	                       "baseline, contract fidelity >= %.0f %%\n",
	                       sl_date_format(r->from_day, f, sizeof f), sl_date_format(r->to_day, t, sizeof t),
	                       sl_date_format(r->status_from_day, s, sizeof s), t, r->target_deliveries_pct,
	                       r->target_fidelity_pct);
	rc |= sl_buf_printf(b, "%-12s %-28s %-11s %8s %8s %8s %8s %8s %8s\n", "unit", "name", "status",
	                    "base/wk", "now/wk", "change%", "fidel%", "small", "pooled");
	for (size_t i = 0; i < r->n_units; i++)
		rc |= table_row(&r->units[i], b);
	if (r->has_total)
		rc |= table_row(&r->total, b);
	rc |= sl_buf_printf(b, "%zu units: %zu on track, %zu not yet, %zu without baseline\n", r->n_units,
	                    r->n_on_track, r->n_not_yet, r->n_no_baseline);
	return rc ? SL_ENOMEM : 0;
}

int sl_followup_baselines_json(const sl_followup_baseline *bl, size_t n, sl_buf *b)
{
	int rc = sl_buf_puts(b, "{\"baselines\":[");
	for (size_t i = 0; i < n; i++) {
		const sl_followup_baseline *x = &bl[i];
		rc |= sl_buf_printf(b, "%s{\"id\":%lld,\"unit\":", i ? "," : "", (long long)x->id);
		rc |= x->unit[0] ? sl_buf_json_string(b, x->unit) : sl_buf_puts(b, "null");
		rc |= sl_buf_puts(b, ",\"from\":");
		rc |= put_day(b, x->from_day);
		rc |= sl_buf_puts(b, ",\"to\":");
		rc |= put_day(b, x->to_day);
		rc |= sl_buf_printf(b, ",\"set_at\":%lld,\"set_by\":", (long long)x->set_at);
		rc |= sl_buf_json_string(b, x->set_by);
		rc |= sl_buf_puts(b, ",\"note\":");
		rc |= sl_buf_json_string(b, x->note);
		rc |= sl_buf_printf(b, ",\"current\":%s}", x->superseded_at ? "false" : "true");
	}
	rc |= sl_buf_puts(b, "]}\n");
	return rc ? SL_ENOMEM : 0;
}
