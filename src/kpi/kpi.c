/* kpi.c — compute the KPIs of docs/kpi.md over the store.
 *
 * Design: a handful of SQL queries ("families"), each returning, per group,
 * the raw components of several KPIs (counts and sums).  The group is a SQL
 * expression G computed inside the query — 0 (no grouping), the week number
 * (local_day + 3) / 7 (weeks since the Monday before 1970-01-01), an index of
 * the calendar month (a CASE over the month boundaries of the period), the
 * site id or the supplier id — so that COUNT(DISTINCT …) is exact per group.
 * Only integers (internal ids, day numbers, öre) are written into the SQL
 * text, never user strings: the ext ids of --unit/--supplier are bound and
 * resolved to ids first.  The ratios are formed in C from the components,
 * which keeps division by zero (→ NAN, "not available") in one place.
 *
 * Components are kept per group in a small array found by linear search: a
 * query returns at most a few hundred groups (weeks, months, units). */
#include "kpi_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
	K_STOPS,
	K_MASS,
	K_VOL,
	K_VKNOWN,
	K_EURO6,
	K_FF,
	K_RECV_N,
	K_RECV_OK,
	K_WIN_N,
	K_WIN_OK,
	K_DELIV,
	K_SHARED,
	K_POOL,
	K_VISITS,
	K_UNITS,
	K_ORDERS,
	K_LINES,
	K_VALUE,
	K_SMALL,
	K_ONCON,
	K_FM_SUM,
	K_FM_N,
	K_FV_SUM,
	K_FV_N,
	K_KM,
	K_SUPP,
	K_LOCAL,
	K_EM_WTW,
	K_EM_N,
	K_EM_PRIM,
	K_EM_MASS,
	K_HUB_WTW,
	K_FLEET_N,
	K_N
};

struct group {
	int64_t g;
	double c[K_N];
};

struct gset {
	struct group *v;
	size_t n, cap;
};

struct ctx {
	sl_store *st;
	int64_t site_id, supplier_id; /* -1: no filter */
	int64_t small_ore;
	int tol_min;
	int has_em;
	int has_hub; /* hub periods are recorded: hub CO2e has a value */
	int ungrouped; /* the current computation has no grouping */
	unsigned fam;
	/* month grouping: the first day of each month of the current range */
	int64_t *month_start;
	size_t n_months;
	/* vehicle class / energy carrier grouping: group g is vkeys[g]; g ==
	 * n_vkeys is "unknown" */
	char **vkeys;
	size_t n_vkeys;
};

static int veh_group(sl_kpi_group by)
{
	return by == SL_KPI_BY_VEHICLE_CLASS || by == SL_KPI_BY_ENERGY_CARRIER;
}

/* The distinct values a vehicle grouping can take, sorted. */
static int load_vkeys(struct ctx *cx, sl_kpi_group by, sl_error *err)
{
	const char *sql = by == SL_KPI_BY_VEHICLE_CLASS
	                      ? "SELECT DISTINCT vehicle_class FROM vehicles ORDER BY 1"
	                      : "SELECT energy_carrier FROM vehicles UNION SELECT energy_carrier"
	                        " FROM trips WHERE energy_carrier IS NOT NULL ORDER BY 1";
	sl_stmt *s;
	int rc = sl_store_prepare(cx->st, sql, &s, err);
	size_t cap = 0;
	if (rc)
		return rc;
	while ((rc = sl_stmt_step(s, err)) == 1) {
		if (cx->n_vkeys == cap) {
			size_t nc = cap ? cap * 2 : 16;
			char **p = realloc(cx->vkeys, nc * sizeof *p);
			if (!p) {
				rc = sl_error_set(err, SL_ENOMEM, "out of memory");
				break;
			}
			cx->vkeys = p;
			cap = nc;
		}
		if (!(cx->vkeys[cx->n_vkeys] =
		          strdup(sl_stmt_text(s, 0) ? sl_stmt_text(s, 0) : ""))) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			break;
		}
		cx->n_vkeys++;
	}
	sl_stmt_free(s);
	return rc < 0 ? rc : 0;
}

static void free_vkeys(struct ctx *cx)
{
	for (size_t i = 0; i < cx->n_vkeys; i++)
		free(cx->vkeys[i]);
	free(cx->vkeys);
	cx->vkeys = NULL;
	cx->n_vkeys = 0;
}

/* CASE <value> WHEN 'k0' THEN 0 ... ELSE n END over the vehicle keys. */
static int vcase(sl_buf *b, const struct ctx *cx, const char *value)
{
	int rc = sl_buf_printf(b, "CASE %s", value);
	for (size_t i = 0; !rc && i < cx->n_vkeys; i++) {
		rc = sl_buf_puts(b, " WHEN '");
		for (const char *c = cx->vkeys[i]; !rc && *c; c++)
			rc = *c == '\'' ? sl_buf_puts(b, "''") : sl_buf_append(b, c, 1);
		if (!rc)
			rc = sl_buf_printf(b, "' THEN %zu", i);
	}
	return rc ? rc : sl_buf_printf(b, " ELSE %zu END", cx->n_vkeys);
}

/* The vehicle group of a delivery row `d` or a trip row `t` (scalar
 * subqueries with their own aliases, so any query over d or t can use it). */
static int vexpr(sl_buf *b, const struct ctx *cx, sl_kpi_group by, int trip)
{
	const char *v;
	if (by == SL_KPI_BY_VEHICLE_CLASS)
		v = trip ? "(SELECT gv.vehicle_class FROM vehicles gv WHERE gv.id = t.vehicle_id)"
		         : "(SELECT gv.vehicle_class FROM vehicles gv WHERE gv.id = COALESCE("
		           "d.vehicle_id, (SELECT gt.vehicle_id FROM trips gt WHERE gt.id = "
		           "d.trip_id)))";
	else
		v = trip ? "COALESCE(t.energy_carrier, (SELECT gv.energy_carrier FROM vehicles gv"
		           " WHERE gv.id = t.vehicle_id))"
		         : "COALESCE((SELECT gt.energy_carrier FROM trips gt WHERE gt.id = "
		           "d.trip_id),"
		           " (SELECT gv.energy_carrier FROM vehicles gv WHERE gv.id = COALESCE("
		           "d.vehicle_id, (SELECT gt.vehicle_id FROM trips gt WHERE gt.id = "
		           "d.trip_id))))";
	return vcase(b, cx, v);
}

static struct group *gset_get(struct gset *s, int64_t g)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].g == g)
			return &s->v[i];
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		struct group *p = realloc(s->v, nc * sizeof *p);
		if (!p)
			return NULL;
		s->v = p;
		s->cap = nc;
	}
	struct group *x = &s->v[s->n++];
	memset(x, 0, sizeof *x);
	x->g = g;
	return x;
}

static struct group *gset_find(const struct gset *s, int64_t g)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].g == g)
			return &s->v[i];
	return NULL;
}

/* ---- SQL building ------------------------------------------------------- */

static int months_for(struct ctx *cx, int64_t from, int64_t to)
{
	free(cx->month_start);
	cx->month_start = NULL;
	cx->n_months = 0;
	int y, m, d;
	sl_civil_from_days(from, &y, &m, &d);
	size_t cap = 16;
	cx->month_start = malloc(cap * sizeof *cx->month_start);
	if (!cx->month_start)
		return SL_ENOMEM;
	for (int64_t day = sl_days_from_civil(y, m, 1); day <= to;) {
		if (cx->n_months == cap) {
			if (cap >= 2400)
				return SL_ELIMIT;
			int64_t *p = realloc(cx->month_start, cap * 2 * sizeof *p);
			if (!p)
				return SL_ENOMEM;
			cx->month_start = p;
			cap *= 2;
		}
		cx->month_start[cx->n_months++] = day;
		if (++m > 12) {
			m = 1;
			y++;
		}
		day = sl_days_from_civil(y, m, 1);
	}
	return 0;
}

/* Append the group expression for columns (day, site, supplier). */
static int gexpr(sl_buf *b, const struct ctx *cx, sl_kpi_group by, const char *day,
                 const char *site, const char *sup)
{
	switch (by) {
	case SL_KPI_BY_WEEK: return sl_buf_printf(b, "((%s + 3) / 7)", day);
	case SL_KPI_BY_UNIT: return sl_buf_puts(b, site);
	case SL_KPI_BY_SUPPLIER: return sl_buf_puts(b, sup);
	case SL_KPI_BY_VEHICLE_CLASS:
	case SL_KPI_BY_ENERGY_CARRIER:
		/* deliveries and trips know their vehicle; orders do not ("unknown");
		 * the site-day subqueries carry it in their sup column */
		if (!strcmp(day, "d.local_day"))
			return vexpr(b, cx, by, 0);
		if (!strcmp(day, "t.local_day"))
			return vexpr(b, cx, by, 1);
		if (!strcmp(day, "x.day"))
			return sl_buf_puts(b, "x.sup");
		return sl_buf_printf(b, "%zu", cx->n_vkeys);
	case SL_KPI_BY_MONTH:
		if (cx->n_months <= 1)
			return sl_buf_puts(b, "0");
		if (sl_buf_puts(b, "CASE"))
			return SL_ENOMEM;
		for (size_t i = 1; i < cx->n_months; i++)
			if (sl_buf_printf(b, " WHEN %s < %lld THEN %zu", day,
			                  (long long)cx->month_start[i], i - 1))
				return SL_ENOMEM;
		return sl_buf_printf(b, " ELSE %zu END", cx->n_months - 1);
	default: return sl_buf_puts(b, "0");
	}
}

static int filter(sl_buf *b, const struct ctx *cx, const char *a, int deliveries, int64_t from,
                  int64_t to)
{
	int rc =
	    deliveries
	        ? sl_buf_printf(b, "%s.status = 'delivered' AND %s.local_day BETWEEN %lld AND %lld",
	                        a, a, (long long)from, (long long)to)
	        : sl_buf_printf(b, "%s.order_day BETWEEN %lld AND %lld", a, (long long)from,
	                        (long long)to);
	if (!rc && cx->site_id >= 0)
		rc = sl_buf_printf(b, " AND %s.site_id = %lld", a, (long long)cx->site_id);
	if (!rc && cx->supplier_id >= 0)
		rc = sl_buf_printf(b, " AND %s.supplier_id = %lld", a, (long long)cx->supplier_id);
	return rc;
}

/* Run `sql`; column 0 is the group, columns 1..k go to components map[]. */
static int run(struct ctx *cx, char *sql, const int *map, int k, struct gset *out, sl_error *err)
{
	/* Ungrouped, the group is a constant: drop the final GROUP BY, which
	 * would only make SQLite sort every row (the query still returns one
	 * row, with zero counts when nothing matches). */
	static const char *const tails[] = {" GROUP BY 1", " GROUP BY x.g"};
	size_t len = strlen(sql);
	for (int i = 0; cx->ungrouped && i < 2; i++) {
		size_t tl = strlen(tails[i]);
		if (len > tl && strcmp(sql + len - tl, tails[i]) == 0)
			sql[len - tl] = 0;
	}
	sl_stmt *s;
	int rc = sl_store_prepare(cx->st, sql, &s, err);
	if (rc)
		return rc;
	while ((rc = sl_stmt_step(s, err)) == 1) {
		struct group *g = gset_get(out, sl_stmt_int64(s, 0));
		if (!g) {
			sl_stmt_free(s);
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		}
		for (int i = 0; i < k; i++)
			g->c[map[i]] += sl_stmt_is_null(s, i + 1) ? 0 : sl_stmt_double(s, i + 1);
	}
	sl_stmt_free(s);
	return rc < 0 ? rc : 0;
}

#define FOSSIL_FREE "('hvo100', 'fame100', 'cbg', 'lbg', 'electricity', 'hydrogen', 'ed95')"

/* Strings shared by the queries of one computation. */
struct parts {
	sl_buf gd, go, gt, gx, fd, fo, fall, fday;
	const char *sup_col; /* "d.supplier_id" when grouping by supplier, else "0" */
	const char *sup_grp; /* ", d.supplier_id" or "" */
};

static void parts_free(struct parts *p)
{
	sl_buf_free(&p->gd);
	sl_buf_free(&p->go);
	sl_buf_free(&p->gt);
	sl_buf_free(&p->gx);
	sl_buf_free(&p->fd);
	sl_buf_free(&p->fo);
	sl_buf_free(&p->fall);
	sl_buf_free(&p->fday);
}

static int q_stops(struct ctx *cx, struct parts *p, sl_buf *q, struct gset *out, sl_error *err)
{
	static const int map[] = {K_STOPS, K_MASS, K_VOL, K_WIN_N, K_WIN_OK};
	sl_buf_reset(q);
	/* index-only: every column read is in deliveries_kpi */
	if (sl_buf_printf(
	        q,
	        "SELECT %s, COUNT(*), SUM(d.mass_kg), SUM(d.volume_m3),"
	        " SUM(CASE WHEN d.window_from_min IS NOT NULL AND d.window_to_min IS NOT NULL"
	        "  THEN 1 ELSE 0 END),"
	        " SUM(CASE WHEN d.window_from_min IS NOT NULL AND d.window_to_min IS NOT NULL"
	        "  AND d.local_min >= d.window_from_min - %d AND d.local_min <= d.window_to_min + "
	        "%d"
	        "  THEN 1 ELSE 0 END)"
	        " FROM deliveries d WHERE %s GROUP BY 1",
	        p->gd.data, cx->tol_min, cx->tol_min, p->fd.data))
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return run(cx, q->data, map, 5, out, err);
}

static int q_hours(struct ctx *cx, struct parts *p, sl_buf *q, struct gset *out, sl_error *err)
{
	static const int map[] = {K_RECV_N, K_RECV_OK};
	sl_buf_reset(q);
	/* weekday bit: day 0 (1970-01-01) was a Thursday, bit 0 is Monday */
	if (sl_buf_printf(
	        q,
	        "SELECT %s,"
	        " SUM(CASE WHEN s.recv_from_min IS NOT NULL AND s.recv_to_min IS NOT NULL"
	        "  THEN 1 ELSE 0 END),"
	        " SUM(CASE WHEN s.recv_from_min IS NOT NULL AND s.recv_to_min IS NOT NULL"
	        "  AND d.local_min >= s.recv_from_min AND d.local_min <= s.recv_to_min"
	        "  AND ((s.recv_days >> ((d.local_day + 3) %% 7)) & 1) = 1 THEN 1 ELSE 0 END)"
	        " FROM deliveries d LEFT JOIN sites s ON s.id = d.site_id WHERE %s GROUP BY 1",
	        p->gd.data, p->fd.data))
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return run(cx, q->data, map, 2, out, err);
}

static int q_fleet(struct ctx *cx, struct parts *p, sl_buf *q, struct gset *out, sl_error *err)
{
	static const int map[] = {K_FLEET_N, K_VKNOWN, K_EURO6, K_FF};
	sl_buf_reset(q);
	/* the trip's energy carrier overrides the vehicle's, and the trip's
	 * vehicle stands in for a missing one.  Two primary-key probes per stop
	 * measured faster than grouping by (vehicle, trip) first, which sorts. */
	if (sl_buf_printf(
	        q,
	        "SELECT %s, COUNT(*), SUM(CASE WHEN v.id IS NOT NULL THEN 1 ELSE 0 END),"
	        " SUM(CASE WHEN v.id IS NOT NULL AND (v.euro_class >= 6 OR"
	        "  COALESCE(t.energy_carrier, v.energy_carrier) IN ('electricity', 'hydrogen'))"
	        "  THEN 1 ELSE 0 END),"
	        " SUM(CASE WHEN v.id IS NOT NULL AND COALESCE(t.energy_carrier, v.energy_carrier)"
	        "  IN " FOSSIL_FREE " THEN 1 ELSE 0 END)"
	        " FROM deliveries d LEFT JOIN trips t ON t.id = d.trip_id"
	        " LEFT JOIN vehicles v ON v.id = COALESCE(d.vehicle_id, t.vehicle_id)"
	        " WHERE %s GROUP BY 1",
	        p->gd.data, p->fd.data))
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return run(cx, q->data, map, 4, out, err);
}

static int q_deliv(struct ctx *cx, struct parts *p, sl_kpi_group by, sl_buf *q, struct gset *out,
                   sl_error *err)
{
	static const int map[] = {K_DELIV, K_SHARED, K_POOL};
	sl_buf_reset(q);
	int rc;
	if (cx->supplier_id < 0 && by != SL_KPI_BY_SUPPLIER && !veh_group(by))
		/* every group is a union of whole site-days: one pass in index
		 * order, n = the site-day's distinct suppliers, Σ(n − 1) is the
		 * potential; the group is computed outside from the site-day */
		rc = sl_buf_printf(
		    q,
		    "SELECT %s, SUM(x.n), SUM(CASE WHEN x.n > 1 THEN x.n ELSE 0 END),"
		    " SUM(x.n - 1) FROM (SELECT d.local_day AS day, d.site_id AS site,"
		    " 0 AS sup, COUNT(DISTINCT d.supplier_id) AS n FROM deliveries d WHERE %s"
		    " GROUP BY d.local_day, d.site_id) x GROUP BY 1",
		    p->gx.data, p->fd.data);
	else
		/* a supplier's share of a site-day's potential is (n − 1) / n, so
		 * that the shares of all suppliers add up to n − 1.  n is a
		 * correlated count over the covering index, in a MATERIALIZED
		 * CTE so it is evaluated once per row (joining two derived tables
		 * instead made SQLite nest scans without ANALYZE statistics) */
		rc = sl_buf_printf(
		    q,
		    "WITH x AS MATERIALIZED (SELECT y.g AS g,"
		    " (SELECT COUNT(DISTINCT d2.supplier_id) FROM deliveries d2"
		    "  WHERE d2.status = 'delivered' AND d2.local_day = y.day AND d2.site_id = "
		    "y.site) AS n"
		    " FROM (SELECT DISTINCT %s AS g, d.local_day AS day, d.site_id AS site,"
		    "  d.supplier_id AS sup FROM deliveries d WHERE %s) y)"
		    " SELECT x.g, COUNT(*), SUM(CASE WHEN x.n > 1 THEN 1 ELSE 0 END),"
		    " SUM((x.n - 1.0) / x.n) FROM x GROUP BY x.g",
		    p->gd.data, p->fd.data);
	if (rc)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return run(cx, q->data, map, 3, out, err);
}

static int q_veh(struct ctx *cx, struct parts *p, sl_buf *q, struct gset *out, sl_error *err)
{
	static const int map[] = {K_VISITS};
	sl_buf_reset(q);
	/* distinct vehicles per (day, site[, supplier]); the trip's vehicle
	 * is looked up only when the delivery names none (COALESCE stops at
	 * the first non-NULL), and a stop without any known vehicle is its
	 * own visit (-d.id never equals a vehicle id) */
	if (sl_buf_printf(
	        q,
	        "SELECT %s, SUM(x.nv) FROM (SELECT d.local_day AS day, d.site_id AS site, %s AS "
	        "sup,"
	        " COUNT(DISTINCT COALESCE(d.vehicle_id,"
	        "  (SELECT t.vehicle_id FROM trips t WHERE t.id = d.trip_id), -d.id)) AS nv"
	        " FROM deliveries d WHERE %s GROUP BY d.local_day, d.site_id%s) x GROUP BY 1",
	        p->gx.data, p->sup_col, p->fd.data, p->sup_grp))
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return run(cx, q->data, map, 1, out, err);
}

static int q_units(struct ctx *cx, struct parts *p, sl_buf *q, struct gset *out, sl_error *err)
{
	static const int map[] = {K_UNITS};
	sl_buf_reset(q);
	if (sl_buf_printf(q,
	                  "SELECT %s, COUNT(DISTINCT d.site_id) FROM deliveries d WHERE %s"
	                  " GROUP BY 1",
	                  p->gd.data, p->fd.data))
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return run(cx, q->data, map, 1, out, err);
}

static int q_orders(struct ctx *cx, struct parts *p, sl_buf *q, struct gset *out, sl_error *err)
{
	static const int map[] = {K_ORDERS, K_LINES, K_VALUE, K_SMALL, K_ONCON};
	sl_buf_reset(q);
	/* the contract test is the expensive part: only when asked for */
	const char *oncon =
	    (cx->fam & F_CONTRACT)
	        ? "SUM(CASE WHEN EXISTS (SELECT 1 FROM contracts c WHERE"
	          "  c.supplier_id = o.supplier_id AND c.category = o.category"
	          "  AND c.valid_from_day <= o.order_day"
	          "  AND (c.valid_to_day IS NULL OR c.valid_to_day >= o.order_day))"
	          "  OR (o.contract_id IS NOT NULL AND EXISTS (SELECT 1 FROM contracts c"
	          "  WHERE c.id = o.contract_id AND c.valid_from_day <= o.order_day"
	          "  AND (c.valid_to_day IS NULL OR c.valid_to_day >= o.order_day)))"
	          "  THEN o.value_ore ELSE 0 END)"
	        : "0";
	if (sl_buf_printf(q,
	                  "SELECT %s, COUNT(*), SUM(o.line_count), SUM(o.value_ore),"
	                  " SUM(CASE WHEN o.value_ore < %lld THEN 1 ELSE 0 END), %s"
	                  " FROM orders o WHERE %s GROUP BY 1",
	                  p->go.data, (long long)cx->small_ore, oncon, p->fo.data))
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return run(cx, q->data, map, 5, out, err);
}

struct trip_fill {
	int64_t trip_id;
	double fm, fv; /* NAN: unknown */
};

static int cmp_trip_fill(const void *a, const void *b)
{
	int64_t x = ((const struct trip_fill *)a)->trip_id,
	        y = ((const struct trip_fill *)b)->trip_id;
	return (x > y) - (x < y);
}

/* Fill rate with a unit/supplier scope: a trip counts in every group it
 * serves, with all its stops.  Done in two plain queries joined in C — the
 * per-trip ratios (a few thousand) and the (group, trip) pairs in scope —
 * because SQLite, without ANALYZE statistics, may join the two derived
 * tables by nested scans (measured: minutes). */
static int fill_scoped(struct ctx *cx, struct parts *p, sl_buf *q, struct gset *out, sl_error *err)
{
	sl_buf_reset(q);
	if (sl_buf_printf(
	        q,
	        "SELECT a.tid, a.m / NULLIF(v.capacity_kg, 0), a.vol / NULLIF(v.capacity_m3, 0)"
	        " FROM (SELECT d.trip_id AS tid, SUM(d.mass_kg) AS m, SUM(d.volume_m3) AS vol,"
	        "  MIN(d.vehicle_id) AS vid FROM deliveries d"
	        "  WHERE %s AND d.trip_id IS NOT NULL GROUP BY d.trip_id) a"
	        " JOIN trips t ON t.id = a.tid"
	        " JOIN vehicles v ON v.id = COALESCE(t.vehicle_id, a.vid)",
	        p->fday.data))
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	struct trip_fill *tf = NULL;
	size_t n = 0, cap = 0;
	sl_stmt *s;
	int rc = sl_store_prepare(cx->st, q->data, &s, err);
	if (rc)
		return rc;
	while ((rc = sl_stmt_step(s, err)) == 1) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 1024;
			struct trip_fill *x = realloc(tf, nc * sizeof *x);
			if (!x) {
				rc = sl_error_set(err, SL_ENOMEM, "out of memory");
				break;
			}
			tf = x;
			cap = nc;
		}
		tf[n].trip_id = sl_stmt_int64(s, 0);
		tf[n].fm = sl_stmt_is_null(s, 1) ? NAN : sl_stmt_double(s, 1);
		tf[n].fv = sl_stmt_is_null(s, 2) ? NAN : sl_stmt_double(s, 2);
		n++;
	}
	sl_stmt_free(s);
	if (rc < 0) {
		free(tf);
		return rc;
	}
	if (n) /* qsort and bsearch want a non-null array, even when empty */
		qsort(tf, n, sizeof *tf, cmp_trip_fill);
	sl_buf_reset(q);
	if (sl_buf_printf(q,
	                  "SELECT DISTINCT %s AS g, d.trip_id FROM deliveries d"
	                  " WHERE %s AND d.trip_id IS NOT NULL",
	                  p->gd.data, p->fd.data)) {
		free(tf);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	if ((rc = sl_store_prepare(cx->st, q->data, &s, err)) != 0) {
		free(tf);
		return rc;
	}
	while ((rc = sl_stmt_step(s, err)) == 1) {
		struct trip_fill key = {sl_stmt_int64(s, 1), 0, 0};
		const struct trip_fill *t =
		    n ? bsearch(&key, tf, n, sizeof *tf, cmp_trip_fill) : NULL;
		if (!t)
			continue;
		struct group *g = gset_get(out, sl_stmt_int64(s, 0));
		if (!g) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			break;
		}
		if (!isnan(t->fm)) {
			g->c[K_FM_SUM] += t->fm;
			g->c[K_FM_N] += 1;
		}
		if (!isnan(t->fv)) {
			g->c[K_FV_SUM] += t->fv;
			g->c[K_FV_N] += 1;
		}
	}
	sl_stmt_free(s);
	free(tf);
	return rc < 0 ? rc : 0;
}

static int q_fill(struct ctx *cx, struct parts *p, sl_kpi_group by, sl_buf *q, struct gset *out,
                  sl_error *err)
{
	static const int map[] = {K_FM_SUM, K_FM_N, K_FV_SUM, K_FV_N};
	sl_buf_reset(q);
	int rc;
	if (cx->site_id < 0 && cx->supplier_id < 0 && by != SL_KPI_BY_UNIT &&
	    by != SL_KPI_BY_SUPPLIER && !veh_group(by))
		/* every trip is wholly in scope: sum per trip from the index
		 * first, then look up the few thousand trips and vehicles */
		rc = sl_buf_printf(
		    q,
		    "SELECT %s, SUM(x.fm), COUNT(x.fm), SUM(x.fv), COUNT(x.fv)"
		    " FROM (SELECT a.day AS day, 0 AS site, 0 AS sup,"
		    "  a.m / NULLIF(v.capacity_kg, 0) AS fm, a.vol / NULLIF(v.capacity_m3, 0) AS fv"
		    "  FROM (SELECT d.trip_id AS tid, MIN(d.local_day) AS day, SUM(d.mass_kg) AS m,"
		    "   SUM(d.volume_m3) AS vol, MIN(d.vehicle_id) AS vid FROM deliveries d"
		    "   WHERE %s AND d.trip_id IS NOT NULL GROUP BY d.trip_id) a"
		    "  JOIN trips t ON t.id = a.tid"
		    "  JOIN vehicles v ON v.id = COALESCE(t.vehicle_id, a.vid)) x GROUP BY 1",
		    p->gx.data, p->fd.data);
	else
		return fill_scoped(cx, p, q, out, err);
	if (rc)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return run(cx, q->data, map, 4, out, err);
}

static int q_km(struct ctx *cx, struct parts *p, sl_kpi_group by, sl_buf *q, struct gset *out,
                sl_error *err, int64_t from, int64_t to)
{
	static const int map[] = {K_KM};
	sl_buf_reset(q);
	int plain = cx->site_id < 0 && cx->supplier_id < 0 && by != SL_KPI_BY_UNIT &&
	            by != SL_KPI_BY_SUPPLIER;
	int rc = plain ? sl_buf_printf(q,
	                               "SELECT %s, SUM(t.distance_m) / 1000.0 FROM trips t"
	                               " WHERE t.local_day BETWEEN %lld AND %lld GROUP BY 1",
	                               p->gt.data, (long long)from, (long long)to)
	               : sl_buf_printf(
	                     q,
	                     /* each stop in scope takes distance ÷ its trip's stops */
	                     "SELECT %s, SUM(tt.share) FROM deliveries d"
	                     " JOIN (SELECT a.tid AS trip_id, t.distance_m / 1000.0 / a.n AS share"
	                     "  FROM (SELECT d.trip_id AS tid, COUNT(*) AS n FROM deliveries d"
	                     "   WHERE %s AND d.trip_id IS NOT NULL GROUP BY d.trip_id) a"
	                     "  JOIN trips t ON t.id = a.tid) tt ON tt.trip_id = d.trip_id"
	                     " WHERE %s GROUP BY 1",
	                     p->gd.data, p->fday.data, p->fd.data);
	if (rc)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return run(cx, q->data, map, 1, out, err);
}

static int q_supp(struct ctx *cx, struct parts *p, sl_buf *q, struct gset *out, sl_error *err)
{
	static const int map[] = {K_SUPP, K_LOCAL};
	sl_buf_reset(q);
	if (sl_buf_printf(q,
	                  "SELECT x.g, COUNT(DISTINCT x.sup),"
	                  " COUNT(DISTINCT CASE WHEN org.is_local = 1 THEN x.sup END)"
	                  " FROM (SELECT %s AS g, d.supplier_id AS sup FROM deliveries d WHERE %s"
	                  "  UNION SELECT %s AS g, o.supplier_id AS sup FROM orders o WHERE %s) x"
	                  " JOIN organisations org ON org.id = x.sup GROUP BY x.g",
	                  p->gd.data, p->fd.data, p->go.data, p->fo.data))
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return run(cx, q->data, map, 2, out, err);
}

static int q_emis(struct ctx *cx, struct parts *p, sl_buf *q, struct gset *out, sl_error *err)
{
	static const int map[] = {K_EM_WTW, K_EM_N, K_EM_PRIM, K_EM_MASS};
	sl_buf_reset(q);
	if (sl_buf_printf(q,
	                  "SELECT %s, SUM(e.wtw_g), COUNT(*),"
	                  " SUM(CASE WHEN e.quality = 'primary' THEN 1 ELSE 0 END),"
	                  " SUM(CASE WHEN d.mass_kg > 0 THEN d.mass_kg ELSE 0 END)"
	                  " FROM deliveries d JOIN delivery_emissions e ON e.delivery_id = d.id"
	                  " WHERE %s GROUP BY 1",
	                  p->gd.data, p->fd.data))
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return run(cx, q->data, map, 4, out, err);
}

/* Hub-operation charges (ISO 14083 hub operation category) of the stops in
 * scope; the rows are kept apart from the transport figures by the emissions
 * module, so they are summed on their own. */
static int q_hub(struct ctx *cx, struct parts *p, sl_buf *q, struct gset *out, sl_error *err)
{
	static const int map[] = {K_HUB_WTW};
	sl_buf_reset(q);
	if (sl_buf_printf(q,
	                  "SELECT %s, SUM(h.wtw_g)"
	                  " FROM deliveries d JOIN delivery_hub_emissions h ON h.delivery_id = d.id"
	                  " WHERE %s GROUP BY 1",
	                  p->gd.data, p->fd.data))
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return run(cx, q->data, map, 1, out, err);
}

/* Run every needed family for days [from, to] grouped by `by`. */
static int compute_groups(struct ctx *cx, int64_t from, int64_t to, sl_kpi_group by,
                          struct gset *out, sl_error *err)
{
	struct parts p;
	memset(&p, 0, sizeof p);
	p.sup_col = by == SL_KPI_BY_SUPPLIER ? "d.supplier_id" : "0";
	p.sup_grp = by == SL_KPI_BY_SUPPLIER ? ", d.supplier_id" : "";
	sl_buf q = {0}, vcol = {0}, vgrp = {0};
	int rc = 0;
	if (veh_group(by)) {
		/* the site-day subquery (visits) is split by vehicle group too */
		if (vexpr(&vcol, cx, by, 0) || sl_buf_puts(&vgrp, ", ") ||
		    vexpr(&vgrp, cx, by, 0)) {
			sl_buf_free(&vcol);
			sl_buf_free(&vgrp);
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		}
		p.sup_col = vcol.data;
		p.sup_grp = vgrp.data;
	}
	if (by == SL_KPI_BY_MONTH && (rc = months_for(cx, from, to)) != 0) {
		sl_error_set(err, rc,
		             rc == SL_ELIMIT ? "period too long for monthly grouping"
		                             : "out of memory");
		return rc;
	}
	if (gexpr(&p.gd, cx, by, "d.local_day", "d.site_id", "d.supplier_id") ||
	    gexpr(&p.go, cx, by, "o.order_day", "o.site_id", "o.supplier_id") ||
	    gexpr(&p.gt, cx, by, "t.local_day", "0", "0") ||
	    gexpr(&p.gx, cx, by, "x.day", "x.site", "x.sup") ||
	    filter(&p.fd, cx, "d", 1, from, to) || filter(&p.fo, cx, "o", 0, from, to) ||
	    sl_buf_printf(&p.fall, "d.status = 'delivered' AND d.local_day BETWEEN %lld AND %lld",
	                  (long long)from, (long long)to) ||
	    (cx->site_id >= 0 &&
	     sl_buf_printf(&p.fall, " AND d.site_id = %lld", (long long)cx->site_id)) ||
	    /* all stops of the trips of the period (a trip may cross midnight) */
	    sl_buf_printf(&p.fday, "d.status = 'delivered' AND d.local_day BETWEEN %lld AND %lld",
	                  (long long)from - 1, (long long)to + 1)) {
		parts_free(&p);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	unsigned f = cx->fam;
	cx->ungrouped = by == SL_KPI_BY_NONE;
	if (!rc && (f & F_STOPS))
		rc = q_stops(cx, &p, &q, out, err);
	if (!rc && (f & F_FLEET))
		rc = q_fleet(cx, &p, &q, out, err);
	if (!rc && (f & F_HOURS))
		rc = q_hours(cx, &p, &q, out, err);
	if (!rc && (f & F_DELIV))
		rc = q_deliv(cx, &p, by, &q, out, err);
	if (!rc && (f & F_VEH))
		rc = q_veh(cx, &p, &q, out, err);
	if (!rc && (f & F_UNITS))
		rc = q_units(cx, &p, &q, out, err);
	if (!rc && (f & F_ORDERS))
		rc = q_orders(cx, &p, &q, out, err);
	if (!rc && (f & F_FILL))
		rc = q_fill(cx, &p, by, &q, out, err);
	if (!rc && (f & F_KM))
		rc = q_km(cx, &p, by, &q, out, err, from, to);
	if (!rc && (f & F_SUPP))
		rc = q_supp(cx, &p, &q, out, err);
	if (!rc && (f & F_EMIS) && cx->has_em)
		rc = q_emis(cx, &p, &q, out, err);
	if (!rc && (f & F_HUB) && cx->has_hub)
		rc = q_hub(cx, &p, &q, out, err);
	sl_buf_free(&q);
	sl_buf_free(&vcol);
	sl_buf_free(&vgrp);
	parts_free(&p);
	return rc;
}

/* ---- from components to KPI values --------------------------------------- */

static double ratio(double a, double b, double scale)
{
	return b > 0 ? scale * a / b : NAN;
}

static double kpi_value(const char *id, const double *c, double units, double days, int has_hub)
{
	double unit_weeks = units * days / 7.0;
	if (!strcmp(id, "deliveries"))
		return c[K_DELIV];
	if (!strcmp(id, "deliveries_per_unit_week"))
		return ratio(c[K_DELIV], unit_weeks, 1);
	if (!strcmp(id, "stops"))
		return c[K_STOPS];
	if (!strcmp(id, "stops_per_unit_week"))
		return ratio(c[K_STOPS], unit_weeks, 1);
	if (!strcmp(id, "vehicles_per_unit_week"))
		return ratio(c[K_VISITS], unit_weeks, 1);
	if (!strcmp(id, "receiving_units"))
		return c[K_UNITS];
	if (!strcmp(id, "orders"))
		return c[K_ORDERS];
	if (!strcmp(id, "order_lines"))
		return c[K_LINES];
	if (!strcmp(id, "order_value_sek"))
		return c[K_VALUE] / 100.0;
	if (!strcmp(id, "contract_fidelity_pct"))
		return ratio(c[K_ONCON], c[K_VALUE], 100);
	if (!strcmp(id, "small_order_share_pct"))
		return ratio(c[K_SMALL], c[K_ORDERS], 100);
	if (!strcmp(id, "deliveries_per_order"))
		return ratio(c[K_DELIV], c[K_ORDERS], 1);
	if (!strcmp(id, "mass_kg"))
		return c[K_MASS];
	if (!strcmp(id, "volume_m3"))
		return c[K_VOL];
	if (!strcmp(id, "fill_rate_mass_pct"))
		return ratio(c[K_FM_SUM], c[K_FM_N], 100);
	if (!strcmp(id, "fill_rate_volume_pct"))
		return ratio(c[K_FV_SUM], c[K_FV_N], 100);
	if (!strcmp(id, "vehicle_known_pct"))
		return ratio(c[K_VKNOWN], c[K_FLEET_N], 100);
	if (!strcmp(id, "euro6_share_pct"))
		return ratio(c[K_EURO6], c[K_VKNOWN], 100);
	if (!strcmp(id, "fossil_free_share_pct"))
		return ratio(c[K_FF], c[K_VKNOWN], 100);
	if (!strcmp(id, "receiving_hours_pct"))
		return ratio(c[K_RECV_OK], c[K_RECV_N], 100);
	if (!strcmp(id, "punctuality_pct"))
		return ratio(c[K_WIN_OK], c[K_WIN_N], 100);
	if (!strcmp(id, "pooling_potential"))
		return c[K_POOL];
	if (!strcmp(id, "pooling_potential_pct"))
		return ratio(c[K_POOL], c[K_DELIV], 100);
	if (!strcmp(id, "pooling_share_pct"))
		return ratio(c[K_SHARED], c[K_DELIV], 100);
	if (!strcmp(id, "suppliers"))
		return c[K_SUPP];
	if (!strcmp(id, "local_suppliers"))
		return c[K_LOCAL];
	if (!strcmp(id, "vehicle_km"))
		return c[K_KM];
	if (!strcmp(id, "co2e_wtw_kg"))
		return c[K_EM_WTW] / 1000.0;
	if (!strcmp(id, "co2e_per_stop_kg"))
		return ratio(c[K_EM_WTW] / 1000.0, c[K_EM_N], 1);
	if (!strcmp(id, "co2e_kg_per_t"))
		return ratio(c[K_EM_WTW], c[K_EM_MASS], 1);
	if (!strcmp(id, "co2e_primary_pct"))
		return ratio(c[K_EM_PRIM], c[K_EM_N], 100);
	if (!strcmp(id, "co2e_hub_kg"))
		return has_hub ? c[K_HUB_WTW] / 1000.0 : NAN;
	if (!strcmp(id, "co2e_chain_kg"))
		return (c[K_EM_WTW] + c[K_HUB_WTW]) / 1000.0;
	return NAN;
}

static void fill_values(const sl_kpi_result *r, const unsigned char *want, const double *c,
                        double units, int64_t from, int64_t to, double *out)
{
	double days = (double)(to - from + 1);
	for (size_t i = 0; i < r->n_kpis; i++)
		out[i] = want[i] ? kpi_value(r->kpis[i]->id, c, units, days, r->has_hub_emissions)
		                  : NAN;
}

static void fill_change(const sl_kpi_result *r, sl_kpi_row *row, double base_days)
{
	double days = (double)(row->to_day - row->from_day + 1);
	for (size_t i = 0; i < r->n_kpis; i++) {
		double v = row->value[i], b = row->baseline[i];
		if (isnan(v) || isnan(b) || b == 0 || days <= 0 || base_days <= 0) {
			row->change_pct[i] = NAN;
			continue;
		}
		if (r->kpis[i]->extensive)
			row->change_pct[i] = 100.0 * ((v / days) / (b / base_days) - 1.0);
		else
			row->change_pct[i] = 100.0 * (v / b - 1.0);
	}
}

/* ---- public API ----------------------------------------------------------- */

int sl_kpi_group_parse(const char *s, sl_kpi_group *out, sl_error *err)
{
	static const char *const names[] = {"none",     "week",          "month",         "unit",
	                                    "supplier", "vehicle_class", "energy_carrier"};
	for (int i = 0; s && i < 7; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (sl_kpi_group)i;
			return 0;
		}
	return sl_error_set(err, SL_EUSAGE,
	                    "unknown grouping '%s' (use none, week, month, unit, supplier, "
	                    "vehicle_class or energy_carrier)",
	                    s ? s : "");
}

const char *sl_kpi_group_name(sl_kpi_group g)
{
	switch (g) {
	case SL_KPI_BY_NONE: return "none";
	case SL_KPI_BY_WEEK: return "week";
	case SL_KPI_BY_MONTH: return "month";
	case SL_KPI_BY_UNIT: return "unit";
	case SL_KPI_BY_SUPPLIER: return "supplier";
	case SL_KPI_BY_VEHICLE_CLASS: return "vehicle_class";
	case SL_KPI_BY_ENERGY_CARRIER: return "energy_carrier";
	}
	return "?";
}

void sl_kpi_query_init(sl_kpi_query *q)
{
	memset(q, 0, sizeof *q);
	q->from_day = q->to_day = SL_KPI_NO_DAY;
	q->baseline_from_day = q->baseline_to_day = SL_KPI_NO_DAY;
	q->by = SL_KPI_BY_NONE;
	q->small_order_ore = -1;
	q->punctuality_tolerance_min = -1;
}

static int lookup_id(sl_store *st, const char *sql, const char *ext, const char *what, int64_t *id,
                     sl_error *err)
{
	sl_stmt *s;
	int rc = sl_store_prepare(st, sql, &s, err);
	if (rc)
		return rc;
	sl_stmt_bind_text(s, 1, ext);
	rc = sl_stmt_step(s, err);
	if (rc == 1)
		*id = sl_stmt_int64(s, 0);
	sl_stmt_free(s);
	if (rc == 0)
		return sl_error_set(err, SL_ENOTFOUND, "unknown %s '%s'", what, ext);
	return rc < 0 ? rc : 0;
}

static int setting_int(sl_store *st, const char *key, int64_t *out, sl_error *err)
{
	sl_stmt *s;
	int rc = sl_store_prepare(st, "SELECT value FROM settings WHERE key = ?1", &s, err);
	if (rc)
		return rc;
	sl_stmt_bind_text(s, 1, key);
	rc = sl_stmt_step(s, err);
	int found = 0;
	if (rc == 1) {
		const char *v = sl_stmt_text(s, 0);
		int64_t x;
		if (v && sl_parse_int64(v, &x, NULL) == 0 && x >= 0) {
			*out = x;
			found = 1;
		}
	}
	sl_stmt_free(s);
	return rc < 0 ? rc : found;
}

static int has_table(sl_store *st, const char *name)
{
	char sql[128];
	sl_stmt *s;
	snprintf(sql, sizeof sql, "SELECT 1 FROM %s WHERE 1 = 0", name);
	if (sl_store_prepare(st, sql, &s, NULL) != 0)
		return 0;
	sl_stmt_free(s);
	return 1;
}

static int has_columns(sl_store *st, const char *sql)
{
	sl_stmt *s;
	if (sl_store_prepare(st, sql, &s, NULL) != 0)
		return 0;
	sl_stmt_free(s);
	return 1;
}

static int data_range(sl_store *st, int64_t *from, int64_t *to, sl_error *err)
{
	sl_stmt *s;
	/* separate MIN and MAX subqueries so that each is an index walk that
	 * stops at the first row that is not a plan: announced deliveries (the
	 * groupage board's future) do not stretch the default period */
	int rc = sl_store_prepare(st,
	                          "SELECT COALESCE((SELECT MIN(local_day) FROM deliveries"
	                          " WHERE status <> 'announced'),"
	                          " (SELECT MIN(order_day) FROM orders)),"
	                          " COALESCE((SELECT MAX(local_day) FROM deliveries"
	                          " WHERE status <> 'announced'),"
	                          " (SELECT MAX(order_day) FROM orders))",
	                          &s, err);
	if (rc)
		return rc;
	rc = sl_stmt_step(s, err);
	if (rc == 1 && !sl_stmt_is_null(s, 0)) {
		if (*from == SL_KPI_NO_DAY)
			*from = sl_stmt_int64(s, 0);
		if (*to == SL_KPI_NO_DAY)
			*to = sl_stmt_int64(s, 1);
	}
	sl_stmt_free(s);
	if (rc < 0)
		return rc;
	/* an empty store: a one-day period at the given or the epoch day */
	if (*from == SL_KPI_NO_DAY)
		*from = *to != SL_KPI_NO_DAY ? *to : 0;
	if (*to == SL_KPI_NO_DAY)
		*to = *from;
	return 0;
}

static int row_alloc(sl_kpi_row *row, size_t n, int with_baseline)
{
	row->value = calloc(n * (with_baseline ? 3 : 1) + 1, sizeof(double));
	if (!row->value)
		return SL_ENOMEM;
	if (with_baseline) {
		row->baseline = row->value + n;
		row->change_pct = row->value + 2 * n;
	}
	return 0;
}

static void label_row(sl_store *st, sl_kpi_result *r, const struct ctx *cx, sl_kpi_row *row,
                      int64_t g)
{
	char a[16], b[16];
	if (r->by == SL_KPI_BY_WEEK) {
		int64_t monday = g * 7 - 3;
		int iy, w;
		sl_iso_week(monday, &iy, &w);
		snprintf(row->key, sizeof row->key, "%04d-W%02d", iy, w);
		row->from_day = monday < r->from_day ? r->from_day : monday;
		row->to_day = monday + 6 > r->to_day ? r->to_day : monday + 6;
	} else if (r->by == SL_KPI_BY_MONTH) {
		int y, m, d;
		int64_t start = cx->month_start[g];
		int64_t next =
		    (size_t)g + 1 < cx->n_months ? cx->month_start[g + 1] : r->to_day + 1;
		sl_civil_from_days(start, &y, &m, &d);
		snprintf(row->key, sizeof row->key, "%04d-%02d", y, m);
		row->from_day = start < r->from_day ? r->from_day : start;
		row->to_day = next - 1 > r->to_day ? r->to_day : next - 1;
	} else if (veh_group(r->by)) {
		row->from_day = r->from_day;
		row->to_day = r->to_day;
		snprintf(row->key, sizeof row->key, "%s",
		         g >= 0 && (size_t)g < cx->n_vkeys ? cx->vkeys[g] : "unknown");
		snprintf(row->label, sizeof row->label, "%s", row->key);
		return;
	} else if (r->by == SL_KPI_BY_UNIT || r->by == SL_KPI_BY_SUPPLIER) {
		row->from_day = r->from_day;
		row->to_day = r->to_day;
		sl_stmt *s;
		const char *sql = r->by == SL_KPI_BY_UNIT
		                      ? "SELECT ext_id, name FROM sites WHERE id = ?1"
		                      : "SELECT ext_id, name FROM organisations WHERE id = ?1";
		snprintf(row->key, sizeof row->key, "#%lld", (long long)g);
		if (sl_store_prepare(st, sql, &s, NULL) == 0) {
			sl_stmt_bind_int64(s, 1, g);
			if (sl_stmt_step(s, NULL) == 1) {
				snprintf(row->key, sizeof row->key, "%s", sl_stmt_text(s, 0));
				snprintf(row->label, sizeof row->label, "%s", sl_stmt_text(s, 1));
			}
			sl_stmt_free(s);
		}
		return;
	} else {
		row->from_day = r->from_day;
		row->to_day = r->to_day;
		snprintf(row->key, sizeof row->key, "all");
		snprintf(row->label, sizeof row->label, "All");
		return;
	}
	snprintf(row->label, sizeof row->label, "%s..%s",
	         sl_date_format(row->from_day, a, sizeof a),
	         sl_date_format(row->to_day, b, sizeof b));
}

static int cmp_rows_key(const void *a, const void *b)
{
	return strcmp(((const sl_kpi_row *)a)->key, ((const sl_kpi_row *)b)->key);
}

static int cmp_rows_day(const void *a, const void *b)
{
	int64_t x = ((const sl_kpi_row *)a)->from_day, y = ((const sl_kpi_row *)b)->from_day;
	return (x > y) - (x < y);
}

int sl_kpi_result_index(const sl_kpi_result *r, const char *id)
{
	for (size_t i = 0; r && id && i < r->n_kpis; i++)
		if (strcmp(r->kpis[i]->id, id) == 0)
			return (int)i;
	return -1;
}

void sl_kpi_result_free(sl_kpi_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_rows; i++)
		free(r->rows[i].value);
	free(r->rows);
	free(r->total.value);
	free(r->kpis);
	free(r);
}

static int parse_only(const char *only, unsigned char *want, unsigned *fam, sl_error *err)
{
	size_t n;
	const sl_kpi_def *defs = sl_kpi_defs(&n);
	if (!only) {
		memset(want, 1, n);
		*fam = ~0u;
		return 0;
	}
	memset(want, 0, n);
	*fam = 0;
	const char *p = only;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		size_t i;
		for (i = 0; i < n; i++)
			if (strlen(defs[i].id) == len && strncmp(defs[i].id, p, len) == 0)
				break;
		if (i == n)
			return sl_error_set(err, SL_EUSAGE, "unknown KPI '%.*s'", (int)len, p);
		want[i] = 1;
		*fam |= kpi_family[i];
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

int sl_kpi_compute(sl_store *st, const sl_kpi_query *q, sl_kpi_result **out, sl_error *err)
{
	*out = NULL;
	size_t ndefs;
	const sl_kpi_def *defs = sl_kpi_defs(&ndefs);
	unsigned char want_all[64];
	unsigned char want[64];
	struct ctx cx;
	memset(&cx, 0, sizeof cx);
	cx.st = st;
	cx.site_id = cx.supplier_id = -1;
	if (ndefs > sizeof want_all)
		return sl_error_set(err, SL_ELIMIT, "too many KPI definitions");
	int rc = parse_only(q->only, want_all, &cx.fam, err);
	if (rc)
		return rc;
	if ((q->baseline_from_day == SL_KPI_NO_DAY) != (q->baseline_to_day == SL_KPI_NO_DAY))
		return sl_error_set(err, SL_EUSAGE, "a baseline needs both its first and last day");
	if (q->baseline_from_day != SL_KPI_NO_DAY && q->baseline_to_day < q->baseline_from_day)
		return sl_error_set(err, SL_EUSAGE, "the baseline ends before it starts");
	if (q->from_day != SL_KPI_NO_DAY && q->to_day != SL_KPI_NO_DAY && q->to_day < q->from_day)
		return sl_error_set(err, SL_EUSAGE, "the period ends before it starts");
	if ((unsigned)q->by > SL_KPI_BY_ENERGY_CARRIER)
		return sl_error_set(err, SL_EUSAGE, "unknown grouping");
	if (q->unit && (rc = lookup_id(st, "SELECT id FROM sites WHERE ext_id = ?1", q->unit,
	                               "unit (site)", &cx.site_id, err)) != 0)
		return rc;
	if (q->supplier && (rc = lookup_id(st, "SELECT id FROM organisations WHERE ext_id = ?1",
	                                   q->supplier, "supplier", &cx.supplier_id, err)) != 0)
		return rc;
	cx.small_ore = q->small_order_ore;
	if (cx.small_ore < 0) {
		cx.small_ore = SL_KPI_SMALL_ORDER_ORE_DEFAULT;
		if ((rc = setting_int(st, "kpi.small_order_ore", &cx.small_ore, err)) < 0)
			return rc;
	}
	int64_t tol = q->punctuality_tolerance_min;
	if (tol < 0) {
		tol = SL_KPI_PUNCTUALITY_TOLERANCE_MIN_DEFAULT;
		if ((rc = setting_int(st, "kpi.punctuality_tolerance_min", &tol, err)) < 0)
			return rc;
		if (tol > 1440)
			tol = 1440;
	}
	cx.tol_min = (int)tol;
	/* the columns this module reads, not just the table: a differently
	 * shaped table leaves the CO2e KPIs out instead of failing them all */
	cx.has_em = has_table(st, "delivery_emissions") &&
	            has_columns(st, "SELECT delivery_id, wtw_g, quality FROM delivery_emissions"
	                            " WHERE 1 = 0");
	/* an empty table (the migration made it, nothing was computed yet)
	 * would read as 0 kg: leave the CO2e KPIs out until there is data */
	if (cx.has_em) {
		int64_t any = 0;
		cx.has_em =
		    sl_store_query_int64(st, "SELECT EXISTS (SELECT 1 FROM delivery_emissions)",
		                         &any, NULL) == 0 &&
		    any;
	}
	/* hub operations: only where a hub period is recorded (no period is
	 * "not reported", not 0 kg) */
	if (cx.has_em && has_table(st, "hub_periods") && has_table(st, "delivery_hub_emissions") &&
	    has_columns(st, "SELECT delivery_id, wtw_g FROM delivery_hub_emissions WHERE 1 = 0")) {
		int64_t any = 0;
		cx.has_hub = sl_store_query_int64(st, "SELECT EXISTS (SELECT 1 FROM hub_periods)",
		                                  &any, NULL) == 0 &&
		             any;
	}

	sl_kpi_result *r = calloc(1, sizeof *r);
	if (!r)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	r->by = q->by;
	r->from_day = q->from_day;
	r->to_day = q->to_day;
	r->small_order_ore = cx.small_ore;
	r->punctuality_tolerance_min = cx.tol_min;
	r->has_emissions = cx.has_em;
	r->has_hub_emissions = cx.has_hub;
	r->has_baseline = q->baseline_from_day != SL_KPI_NO_DAY;
	r->baseline_from_day = q->baseline_from_day;
	r->baseline_to_day = q->baseline_to_day;
	struct gset main = {0}, total = {0}, btotal = {0}, bmain = {0};
	r->kpis = calloc(ndefs, sizeof *r->kpis);
	if (!r->kpis) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < ndefs; i++)
		if (cx.has_em || !defs[i].needs_emissions) {
			want[r->n_kpis] = want_all[i];
			r->kpis[r->n_kpis++] = &defs[i];
		}
	if ((rc = data_range(st, &r->from_day, &r->to_day, err)) != 0)
		goto fail;
	if (r->to_day < r->from_day) {
		/* only one end was given and the data lie on the other side of
		 * it: an empty one-day period, not an error */
		if (q->to_day == SL_KPI_NO_DAY)
			r->to_day = r->from_day;
		else
			r->from_day = r->to_day;
	}

	/* the whole period, then the groups */
	if ((rc = compute_groups(&cx, r->from_day, r->to_day, SL_KPI_BY_NONE, &total, err)) != 0)
		goto fail;
	struct group *tg = gset_get(&total, 0);
	if (!tg) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto fail;
	}
	r->receiving_units = (int64_t)tg->c[K_UNITS];
	double units = (double)r->receiving_units;
	if ((rc = row_alloc(&r->total, r->n_kpis, r->has_baseline)) != 0) {
		sl_error_set(err, rc, "out of memory");
		goto fail;
	}
	snprintf(r->total.key, sizeof r->total.key, "all");
	snprintf(r->total.label, sizeof r->total.label, "All");
	r->total.from_day = r->from_day;
	r->total.to_day = r->to_day;
	fill_values(r, want, tg->c, units, r->from_day, r->to_day, r->total.value);

	if (r->by != SL_KPI_BY_NONE) {
		/* pre-create the groups that must show even when empty */
		int ok = 1;
		if (r->by == SL_KPI_BY_WEEK)
			for (int64_t g = (r->from_day + 3) / 7; ok && g <= (r->to_day + 3) / 7; g++)
				ok = gset_get(&main, g) != NULL;
		if (r->by == SL_KPI_BY_UNIT && cx.site_id >= 0)
			ok = gset_get(&main, cx.site_id) != NULL;
		if (r->by == SL_KPI_BY_SUPPLIER && cx.supplier_id >= 0)
			ok = gset_get(&main, cx.supplier_id) != NULL;
		if (!ok) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			goto fail;
		}
		if (veh_group(r->by) && (rc = load_vkeys(&cx, r->by, err)) != 0)
			goto fail;
		if ((rc = compute_groups(&cx, r->from_day, r->to_day, r->by, &main, err)) != 0)
			goto fail;
		if (r->by == SL_KPI_BY_MONTH)
			for (size_t i = 0; i < cx.n_months; i++)
				if (!gset_get(&main, (int64_t)i)) {
					rc = sl_error_set(err, SL_ENOMEM, "out of memory");
					goto fail;
				}
		r->rows = calloc(main.n ? main.n : 1, sizeof *r->rows);
		if (!r->rows) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			goto fail;
		}
		for (size_t i = 0; i < main.n; i++) {
			sl_kpi_row *row = &r->rows[r->n_rows++];
			if ((rc = row_alloc(row, r->n_kpis, r->has_baseline)) != 0) {
				sl_error_set(err, rc, "out of memory");
				goto fail;
			}
			label_row(st, r, &cx, row, main.v[i].g);
			double u = r->by == SL_KPI_BY_UNIT ? 1.0 : units;
			fill_values(r, want, main.v[i].c, u, row->from_day, row->to_day,
			            row->value);
			/* remember the group id for the baseline match */
			row->value[r->n_kpis * (r->has_baseline ? 3 : 1)] = (double)main.v[i].g;
		}
	} else {
		r->rows = calloc(1, sizeof *r->rows);
		if (!r->rows || row_alloc(&r->rows[0], r->n_kpis, r->has_baseline)) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			goto fail;
		}
		r->n_rows = 1;
		sl_kpi_row *row = &r->rows[0];
		double *v = row->value;
		*row = r->total;
		row->value = v;
		if (r->has_baseline) {
			row->baseline = v + r->n_kpis;
			row->change_pct = v + 2 * r->n_kpis;
		}
		memcpy(row->value, r->total.value, r->n_kpis * sizeof(double));
	}

	if (r->has_baseline) {
		int64_t bf = r->baseline_from_day, bt = r->baseline_to_day;
		double bdays = (double)(bt - bf + 1);
		if ((rc = compute_groups(&cx, bf, bt, SL_KPI_BY_NONE, &btotal, err)) != 0)
			goto fail;
		struct group *bg = gset_get(&btotal, 0);
		if (!bg) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			goto fail;
		}
		double bunits = bg->c[K_UNITS];
		fill_values(r, want, bg->c, bunits, bf, bt, r->total.baseline);
		fill_change(r, &r->total, bdays);
		int keyed = r->by == SL_KPI_BY_UNIT || r->by == SL_KPI_BY_SUPPLIER;
		if (keyed && (rc = compute_groups(&cx, bf, bt, r->by, &bmain, err)) != 0)
			goto fail;
		static const double zero[K_N];
		for (size_t i = 0; i < r->n_rows; i++) {
			sl_kpi_row *row = &r->rows[i];
			if (keyed) {
				int64_t g = (int64_t)row->value[r->n_kpis * 3];
				const struct group *x = gset_find(&bmain, g);
				fill_values(r, want, x ? x->c : zero,
				            r->by == SL_KPI_BY_UNIT ? 1.0 : bunits, bf, bt,
				            row->baseline);
			} else {
				memcpy(row->baseline, r->total.baseline,
				       r->n_kpis * sizeof(double));
			}
			fill_change(r, row, bdays);
		}
	}
	if (r->n_rows &&
	    (r->by == SL_KPI_BY_UNIT || r->by == SL_KPI_BY_SUPPLIER || veh_group(r->by)))
		qsort(r->rows, r->n_rows, sizeof *r->rows, cmp_rows_key);
	else if (r->n_rows)
		qsort(r->rows, r->n_rows, sizeof *r->rows, cmp_rows_day);
	free(main.v);
	free(total.v);
	free(btotal.v);
	free(bmain.v);
	free(cx.month_start);
	free_vkeys(&cx);
	*out = r;
	return 0;
fail:
	free(main.v);
	free(total.v);
	free(btotal.v);
	free(bmain.v);
	free(cx.month_start);
	free_vkeys(&cx);
	sl_kpi_result_free(r);
	return rc;
}
