/* ordering.c — smarter ordering: delivery-day patterns per receiving unit
 * and supplier category, chosen jointly across units (issue 7, item 4).
 *
 * The model.  Each (unit, supplier) pair of the period belongs to the group
 * (unit, supplier category).  A group gets a pattern: a set of weekdays on
 * which its goods arrive.  The feasible patterns of a group are those within
 * the category's allowed weekdays and the unit's receiving days with the
 * fewest days that still meet the category's freshness and storage limits
 * (at least min_per_week days, no cyclic gap above max_days_between or
 * storage_days); fewer days means fewer deliveries, which is the point.
 * On each weekday a supplier drives one tour (split when the load exceeds a
 * vehicle) from its depot through every unit whose pattern holds that day.
 * Choosing the patterns is then the period vehicle routing problem (PVRP):
 * visit frequencies and allowable visit-day combinations per customer,
 * minimise the sum of the daily route lengths.  The classic formulation is
 * Christofides & Beasley (1984, "The period routing problem", Networks 14);
 * we follow the spirit of Cordeau, Gendreau & Laporte (1997, "A tabu search
 * heuristic for periodic and multi-depot vehicle routing problems",
 * Networks 30:105–119): a local search whose move reassigns one customer's
 * visit-day combination, evaluated by removal and cheapest insertion in the
 * affected daily routes — simplified here to a descent (no tabu list) with
 * the route lengths re-optimised by 2-opt after each round.  Every move
 * stays inside the feasible patterns, so no limit is ever broken.
 *
 * Tour length.  A daily tour is estimated by nearest neighbour plus 2-opt on
 * a symmetric distance matrix (road graph distances averaged over both
 * directions, or great circle × the emissions module's detour factor), plus
 * one extra depot round trip per additional vehicle load: 2 × mean radial
 * distance × (⌈load / capacity⌉ − 1), the capacity term of Daganzo (1984,
 * "The distance traveled to visit N points with a maximum of C stops per
 * vehicle", Transportation Science 18).
 *
 * Before → after.  The starting point, "unit by unit", gives every group
 * the feasible pattern that best matches its own delivery weekdays,
 * ignoring the others; the joint search starts there and accepts only
 * improvements, and the better of the two (re-evaluated the same way) is
 * kept.  The effect is measured by replaying the period's ledger: each
 * delivered row moves to the nearest pattern day (the earlier one on a tie),
 * so no goods move by more than half the pattern's longest gap, which is
 * within the freshness and storage limits; rows of one pair that land on the
 * same day merge, and the supplier's tours of
 * each day are estimated before and after with the same estimator.  A tour's
 * km are shared equally by its stops; CO2e is km × the supplier's measured
 * intensity (trip_emissions over trip distance of its trips in the period),
 * else the city's, else the config's fuel assumption through the emissions
 * module.  Small orders (below the KPI threshold) "merge" when they were
 * alone on their pair's day before and share it after.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "samlast/emissions.h"
#include "samlast/kpi.h"
#include "samlast/route.h"
#include "ordering_internal.h"

/* ---- the problem --------------------------------------------------------- */

struct unit {
	int64_t id, org_id;
	char ext[64], name[160], type[24];
	double lon, lat;
	unsigned recv_days;
};

struct supp {
	int64_t id;
	char ext[64], name[160];
	int cat;
	double lon, lat; /* depot */
	double g_per_km; /* CO2e intensity */
};

struct pair {
	int unit, sup, group;
	int64_t before, after;
	double mass_kg; /* over the period */
	unsigned hist[7];
	double km_b, km_a, co2_b, co2_a;
	int64_t orders, small, merged;
	size_t first_ord, n_ord; /* its orders in ctx.o after small_merges */
};

struct group {
	int unit, cat;
	sl_ordering_rules rules;
	unsigned cur, init, chosen;
	int feasible;
	unsigned pats[128];
	int npats;
	int *pairs;
	int npairs, cappairs;
};

struct deliv {
	int pair;
	int64_t day;
	double mass_kg;
};

struct ord {
	int pair;
	int64_t day, slot;
	int64_t value_ore;
	int small, merged;
	char ext[64];
};

struct tour {
	int *stop; /* pair indices */
	int n, cap;
	double len, load, radial;
};

typedef struct ctx {
	sl_store *st;
	const sl_ordering_query *q;
	const sl_ordering_config *cfg;
	double cap_kg;
	struct unit *u;
	int nu;
	struct supp *s;
	int ns;
	char (*cats)[48];
	int ncat;
	struct pair *p;
	int np, capp;
	int *pair_of; /* nu × ns → pair or -1 */
	struct group *g;
	int ng;
	int *group_of; /* nu × ncat → group or -1 */
	struct deliv *d;
	size_t nd, capd;
	struct ord *o;
	size_t no, capo;
	float *dist; /* (nu + ns)², metres, symmetric */
	int npts;
	int64_t off_graph;
	struct tour *tours; /* ns × 7 */
	int *sp_first,
	    *sp_pairs; /* the pairs of supplier s: sp_pairs[sp_first[s]..sp_first[s+1]) */
	char *touched; /* ns × 7 marks for the day-shift move */
	int *scratch;  /* tour estimation */
	int *scratch2;
	char *used;
	int *pscratch;
	int *pscratch_aff, *pscratch_touch;
	int scratch_cap;
} ctx;

void sl_ordering_query_init(sl_ordering_query *q)
{
	memset(q, 0, sizeof *q);
	q->from_day = SL_ORDERING_NO_DAY;
	q->to_day = SL_ORDERING_NO_DAY;
	q->small_order_ore = -1;
	q->joint = 1;
	q->seed = 1;
	q->max_rounds = 20;
	q->viewer.kind = SL_VIEWER_CITY;
}

static int oom(sl_error *err)
{
	return sl_error_set(err, SL_ENOMEM, "out of memory");
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 64;
	while (nc < need)
		nc *= 2;
	void *nv = realloc(*arr, nc * elem);
	if (!nv)
		return SL_ENOMEM;
	*arr = nv;
	*cap = nc;
	return 0;
}

static void cpy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

/* ---- loading ------------------------------------------------------------- */

static int find_unit(const ctx *c, int64_t id)
{
	int lo = 0, hi = c->nu - 1;
	while (lo <= hi) {
		int m = (lo + hi) / 2;
		if (c->u[m].id == id)
			return m;
		if (c->u[m].id < id)
			lo = m + 1;
		else
			hi = m - 1;
	}
	return -1;
}

static int find_sup(const ctx *c, int64_t id)
{
	int lo = 0, hi = c->ns - 1;
	while (lo <= hi) {
		int m = (lo + hi) / 2;
		if (c->s[m].id == id)
			return m;
		if (c->s[m].id < id)
			lo = m + 1;
		else
			hi = m - 1;
	}
	return -1;
}

static int cat_index(ctx *c, const char *name)
{
	if (!name || !*name)
		name = "other";
	for (int i = 0; i < c->ncat; i++)
		if (!strcmp(c->cats[i], name))
			return i;
	void *nv = realloc(c->cats, (size_t)(c->ncat + 1) * sizeof *c->cats);
	if (!nv)
		return SL_ENOMEM;
	c->cats = nv;
	cpy(c->cats[c->ncat], sizeof c->cats[0], name);
	return c->ncat++;
}

static int load_units(ctx *c, sl_error *err)
{
	sl_stmt *s = NULL;
	size_t cap = 0;
	int rc =
	    sl_store_prepare(c->st,
	                     "SELECT s.id, o.id, s.ext_id, s.name, s.unit_type, s.lon, s.lat, "
	                     "s.recv_days FROM sites s JOIN organisations o ON o.id = s.org_id "
	                     "WHERE o.kind = 'unit' ORDER BY s.id",
	                     &s, err);
	while (!rc && (rc = sl_stmt_step(s, err)) == 1) {
		if (grow((void **)&c->u, &cap, (size_t)c->nu + 1, sizeof *c->u)) {
			rc = oom(err);
			break;
		}
		struct unit *u = &c->u[c->nu++];
		u->id = sl_stmt_int64(s, 0);
		u->org_id = sl_stmt_int64(s, 1);
		cpy(u->ext, sizeof u->ext, sl_stmt_text(s, 2));
		cpy(u->name, sizeof u->name, sl_stmt_text(s, 3));
		cpy(u->type, sizeof u->type, sl_stmt_text(s, 4));
		u->lon = sl_stmt_double(s, 5);
		u->lat = sl_stmt_double(s, 6);
		u->recv_days = (unsigned)sl_stmt_int64(s, 7) & 0x7fu;
		rc = 0;
	}
	sl_stmt_free(s);
	return rc < 0 ? rc : 0;
}

static int load_suppliers(ctx *c, sl_error *err)
{
	sl_stmt *s = NULL;
	size_t cap = 0;
	/* the category: the organisation's, else its latest contract's; the
	 * depot: the supplier's depot site, else its first site */
	int rc = sl_store_prepare(c->st,
	                          "SELECT o.id, o.ext_id, o.name, COALESCE(NULLIF(o.category, ''), "
	                          "(SELECT k.category FROM "
	                          "contracts k WHERE k.supplier_id = o.id ORDER BY "
	                          "k.valid_from_day DESC, k.id DESC LIMIT 1)), "
	                          "(SELECT x.lon FROM sites x WHERE x.org_id = o.id ORDER BY "
	                          "x.unit_type <> 'depot', x.id LIMIT 1), "
	                          "(SELECT x.lat FROM sites x WHERE x.org_id = o.id ORDER BY "
	                          "x.unit_type <> 'depot', x.id LIMIT 1) "
	                          "FROM organisations o WHERE o.kind = 'supplier' ORDER BY o.id",
	                          &s, err);
	while (!rc && (rc = sl_stmt_step(s, err)) == 1) {
		if (grow((void **)&c->s, &cap, (size_t)c->ns + 1, sizeof *c->s)) {
			rc = oom(err);
			break;
		}
		struct supp *p = &c->s[c->ns];
		memset(p, 0, sizeof *p);
		p->id = sl_stmt_int64(s, 0);
		cpy(p->ext, sizeof p->ext, sl_stmt_text(s, 1));
		cpy(p->name, sizeof p->name, sl_stmt_text(s, 2));
		int ci = cat_index(c, sl_stmt_text(s, 3));
		if (ci < 0) {
			rc = oom(err);
			break;
		}
		p->cat = ci;
		if (sl_stmt_is_null(s, 4)) {
			p->lon = NAN; /* placed at its units' centroid later */
			p->lat = NAN;
		} else {
			p->lon = sl_stmt_double(s, 4);
			p->lat = sl_stmt_double(s, 5);
		}
		c->ns++;
		rc = 0;
	}
	sl_stmt_free(s);
	return rc < 0 ? rc : 0;
}

static int get_pair(ctx *c, int u, int sp)
{
	int *slot = &c->pair_of[(size_t)u * (size_t)c->ns + (size_t)sp];
	if (*slot >= 0)
		return *slot;
	size_t cap = (size_t)c->capp;
	if (grow((void **)&c->p, &cap, (size_t)c->np + 1, sizeof *c->p))
		return SL_ENOMEM;
	c->capp = (int)cap;
	struct pair *p = &c->p[c->np];
	memset(p, 0, sizeof *p);
	p->unit = u;
	p->sup = sp;
	p->group = -1;
	*slot = c->np;
	return c->np++;
}

static int load_rows(ctx *c, sl_error *err)
{
	sl_stmt *s = NULL;
	int rc = sl_store_prepare(
	    c->st,
	    "SELECT supplier_id, site_id, local_day, COALESCE(mass_kg, 0) "
	    "FROM deliveries WHERE status = 'delivered' AND local_day BETWEEN ?1 AND ?2",
	    &s, err);
	if (!rc) {
		sl_stmt_bind_int64(s, 1, c->q->from_day);
		sl_stmt_bind_int64(s, 2, c->q->to_day);
	}
	while (!rc && (rc = sl_stmt_step(s, err)) == 1) {
		rc = 0;
		int sp = find_sup(c, sl_stmt_int64(s, 0)), u = find_unit(c, sl_stmt_int64(s, 1));
		if (sp < 0 || u < 0)
			continue; /* not a receiving unit (a hub, a depot) */
		int pi = get_pair(c, u, sp);
		if (pi < 0 || grow((void **)&c->d, &c->capd, c->nd + 1, sizeof *c->d)) {
			rc = oom(err);
			break;
		}
		struct deliv *d = &c->d[c->nd++];
		d->pair = pi;
		d->day = sl_stmt_int64(s, 2);
		d->mass_kg = sl_stmt_double(s, 3);
		if (d->mass_kg < 0 || !isfinite(d->mass_kg))
			d->mass_kg = 0;
		struct pair *p = &c->p[pi];
		p->before++;
		p->mass_kg += d->mass_kg;
		p->hist[sl_weekday(d->day) - 1]++;
	}
	sl_stmt_free(s);
	if (rc < 0)
		return rc;
	s = NULL;
	rc = sl_store_prepare(
	    c->st,
	    "SELECT supplier_id, site_id, COALESCE(requested_day, order_day), value_ore, ext_id "
	    "FROM orders WHERE COALESCE(requested_day, order_day) BETWEEN ?1 AND ?2",
	    &s, err);
	if (!rc) {
		sl_stmt_bind_int64(s, 1, c->q->from_day);
		sl_stmt_bind_int64(s, 2, c->q->to_day);
	}
	int64_t small_ore = c->q->small_order_ore;
	while (!rc && (rc = sl_stmt_step(s, err)) == 1) {
		rc = 0;
		int sp = find_sup(c, sl_stmt_int64(s, 0)), u = find_unit(c, sl_stmt_int64(s, 1));
		if (sp < 0 || u < 0)
			continue;
		int pi = c->pair_of[(size_t)u * (size_t)c->ns + (size_t)sp];
		if (pi < 0)
			continue; /* ordered but never delivered in the period */
		if (grow((void **)&c->o, &c->capo, c->no + 1, sizeof *c->o)) {
			rc = oom(err);
			break;
		}
		struct ord *o = &c->o[c->no++];
		o->pair = pi;
		o->day = sl_stmt_int64(s, 2);
		o->value_ore = sl_stmt_int64(s, 3);
		o->small = o->value_ore < small_ore;
		o->merged = 0;
		cpy(o->ext, sizeof o->ext, sl_stmt_text(s, 4));
		c->p[pi].orders++;
		c->p[pi].small += o->small;
	}
	sl_stmt_free(s);
	return rc < 0 ? rc : 0;
}

/* The default period: the last 12 whole ISO weeks up to the latest
 * delivered day. */
static int resolve_period(sl_store *st, sl_ordering_query *q, sl_error *err)
{
	if ((q->from_day == SL_ORDERING_NO_DAY) != (q->to_day == SL_ORDERING_NO_DAY))
		return sl_error_set(err, SL_EINVAL, "give both ends of the period or neither");
	if (q->from_day != SL_ORDERING_NO_DAY) {
		if (q->to_day < q->from_day)
			return sl_error_set(err, SL_EINVAL, "the period ends before it starts");
		if (q->to_day - q->from_day > 366)
			return sl_error_set(err, SL_EINVAL, "the period is at most a year");
		return 0;
	}
	int64_t last;
	int rc = sl_store_query_int64(
	    st, "SELECT MAX(local_day) FROM deliveries WHERE status = 'delivered'", &last, err);
	if (rc == SL_ENOTFOUND || (!rc && last == 0))
		return sl_error_set(err, SL_ENOTFOUND, "no delivered rows in the store");
	if (rc < 0)
		return rc;
	int wd = sl_weekday(last);
	if (wd != 7)
		last -= wd; /* back to the Sunday before */
	q->to_day = last;
	q->from_day = last - 12 * 7 + 1;
	return 0;
}

static int load_small_threshold(sl_store *st, int64_t *ore, sl_error *err)
{
	if (*ore >= 0)
		return 0;
	*ore = SL_KPI_SMALL_ORDER_ORE_DEFAULT;
	sl_stmt *s = NULL;
	int rc = sl_store_prepare(
	    st, "SELECT value FROM settings WHERE key = 'kpi.small_order_ore'", &s, err);
	if (rc < 0)
		return rc;
	if ((rc = sl_stmt_step(s, err)) == 1) {
		int64_t v;
		if (sl_parse_int64(sl_stmt_text(s, 0), &v, NULL) == 0 && v >= 0)
			*ore = v;
		rc = 0;
	}
	sl_stmt_free(s);
	return rc < 0 ? rc : 0;
}

/* ---- distances ----------------------------------------------------------- */

static void point_of(const ctx *c, int i, double *lon, double *lat)
{
	if (i < c->nu) {
		*lon = c->u[i].lon;
		*lat = c->u[i].lat;
	} else {
		*lon = c->s[i - c->nu].lon;
		*lat = c->s[i - c->nu].lat;
	}
}

static int build_matrix(ctx *c, sl_error *err)
{
	int n = c->nu + c->ns;
	c->npts = n;
	if ((size_t)n * (size_t)n > (size_t)200 * 1000 * 1000)
		return sl_error_set(err, SL_ELIMIT, "too many sites for a distance matrix (%d)", n);
	c->dist = malloc((size_t)n * (size_t)n * sizeof *c->dist);
	if (!c->dist)
		return oom(err);
	for (int i = 0; i < n; i++)
		for (int j = i; j < n; j++) {
			double a, b, x, y;
			point_of(c, i, &a, &b);
			point_of(c, j, &x, &y);
			double d =
			    i == j ? 0 : sl_route_haversine_m(a, b, x, y) * SL_EM_DETOUR_FACTOR;
			c->dist[(size_t)i * n + j] = c->dist[(size_t)j * n + i] = (float)d;
		}
	if (!c->q->graph)
		return 0;
	sl_route_snap *snap = calloc((size_t)n, sizeof *snap);
	int *ok = calloc((size_t)n, sizeof *ok);
	double *m = NULL;
	sl_route_ctx *rc_ = NULL;
	int rc = 0;
	if (!snap || !ok) {
		rc = oom(err);
		goto out;
	}
	int k = 0;
	int *idx = malloc((size_t)n * sizeof *idx);
	if (!idx) {
		rc = oom(err);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		double lon, lat;
		point_of(c, i, &lon, &lat);
		if (sl_route_nearest(c->q->graph, lon, lat, 0, &snap[k], NULL) == 0) {
			idx[k++] = i;
			ok[i] = 1;
		} else {
			c->off_graph++;
		}
	}
	if (k > 1) {
		m = malloc((size_t)k * (size_t)k * sizeof *m);
		rc_ = sl_route_ctx_new(c->q->graph);
		if (!m || !rc_) {
			free(idx);
			rc = oom(err);
			goto out;
		}
		if ((rc = sl_route_matrix(rc_, snap, (size_t)k, snap, (size_t)k, NULL, m, err)) <
		    0) {
			free(idx);
			goto out;
		}
		for (int a = 0; a < k; a++)
			for (int b = a + 1; b < k; b++) {
				double x = m[(size_t)a * k + b], y = m[(size_t)b * k + a];
				if (x < 0 || y < 0)
					continue; /* unreachable: keep the fallback */
				float d = (float)((x + y) / 2);
				c->dist[(size_t)idx[a] * n + idx[b]] =
				    c->dist[(size_t)idx[b] * n + idx[a]] = d;
			}
	}
	free(idx);
out:
	free(snap);
	free(ok);
	free(m);
	sl_route_ctx_free(rc_);
	return rc;
}

static double D(const ctx *c, int a, int b)
{
	return c->dist[(size_t)a * (size_t)c->npts + (size_t)b];
}

static int pt_unit(const ctx *c, int pair)
{
	return c->p[pair].unit;
}

static int pt_depot(const ctx *c, int sup)
{
	return c->nu + sup;
}

/* ---- tour estimate ------------------------------------------------------- */

static double cap_term(const ctx *c, int n, double load, double radial)
{
	if (n <= 0 || load <= c->cap_kg)
		return 0;
	double trips = ceil(load / c->cap_kg);
	return 2 * (radial / n) * (trips - 1);
}

/* Length (m) of a closed tour from `depot` through the distinct points
 * pts[0..n) by nearest neighbour and 2-opt; seq (n + 1 entries) receives the
 * order, seq[0] = depot. */
static double tsp(ctx *c, int depot, const int *pts, int n, int *seq)
{
	if (n <= 0)
		return 0;
	char *used = c->used;
	memset(used, 0, (size_t)n);
	seq[0] = depot;
	for (int k = 1; k <= n; k++) {
		int best = -1;
		double bd = INFINITY;
		for (int i = 0; i < n; i++)
			if (!used[i] && D(c, seq[k - 1], pts[i]) < bd) {
				bd = D(c, seq[k - 1], pts[i]);
				best = i;
			}
		used[best] = 1;
		seq[k] = pts[best];
	}
	int m = n + 1; /* nodes in the cycle */
	for (int pass = 0, improved = 1; improved && pass < 50; pass++) {
		improved = 0;
		for (int i = 0; i < m - 2; i++)
			for (int j = i + 2; j < m; j++) {
				int a = seq[i], b = seq[i + 1], x = seq[j], y = seq[(j + 1) % m];
				if (y == a)
					continue;
				double delta = D(c, a, x) + D(c, b, y) - D(c, a, b) - D(c, x, y);
				if (delta < -1e-6) {
					for (int l = i + 1, r = j; l < r; l++, r--) {
						int t = seq[l];
						seq[l] = seq[r];
						seq[r] = t;
					}
					improved = 1;
				}
			}
	}
	double len = 0;
	for (int k = 0; k < m; k++)
		len += D(c, seq[k], seq[(k + 1) % m]);
	return len;
}

static int ensure_scratch(ctx *c, int n)
{
	if (n + 2 <= c->scratch_cap)
		return 0;
	int nc = n + 64;
	int *a = realloc(c->scratch, (size_t)nc * sizeof *a);
	if (a)
		c->scratch = a;
	int *b = realloc(c->scratch2, (size_t)nc * sizeof *b);
	if (b)
		c->scratch2 = b;
	char *u = realloc(c->used, (size_t)nc);
	if (u)
		c->used = u;
	int *l = realloc(c->pscratch, (size_t)nc * sizeof *l);
	if (l)
		c->pscratch = l;
	if (!a || !b || !u || !l)
		return SL_ENOMEM;
	c->scratch_cap = nc;
	return 0;
}

double sl__ordering_tour_m(const float *dist, int n, int depot, const int *pts, int k)
{
	ctx c;
	memset(&c, 0, sizeof c);
	c.dist = (float *)dist; /* read only here */
	c.npts = n;
	double len = -1;
	if (ensure_scratch(&c, k) == 0)
		len = tsp(&c, depot, pts, k, c.scratch2);
	free(c.scratch);
	free(c.scratch2);
	free(c.used);
	free(c.pscratch);
	return len;
}

/* ---- patterns ------------------------------------------------------------ */

static int popcount7(unsigned m)
{
	int n = 0;
	for (int d = 0; d < 7; d++)
		n += (m >> d) & 1u;
	return n;
}

static int build_groups(ctx *c, sl_error *err)
{
	c->group_of = malloc((size_t)c->nu * (size_t)c->ncat * sizeof *c->group_of);
	if (!c->group_of)
		return oom(err);
	for (size_t i = 0; i < (size_t)c->nu * (size_t)c->ncat; i++)
		c->group_of[i] = -1;
	size_t capg = 0;
	for (int pi = 0; pi < c->np; pi++) {
		struct pair *p = &c->p[pi];
		int cat = c->s[p->sup].cat;
		int *slot = &c->group_of[(size_t)p->unit * (size_t)c->ncat + (size_t)cat];
		if (*slot < 0) {
			if (grow((void **)&c->g, &capg, (size_t)c->ng + 1, sizeof *c->g))
				return oom(err);
			struct group *g = &c->g[c->ng];
			memset(g, 0, sizeof *g);
			g->unit = p->unit;
			g->cat = cat;
			sl_ordering_config_rules(c->cfg, c->cats[cat], &g->rules);
			if (g->rules.min_order_ore < 0)
				g->rules.min_order_ore = c->q->small_order_ore;
			*slot = c->ng++;
		}
		struct group *g = &c->g[*slot];
		p->group = *slot;
		if (g->npairs == g->cappairs) {
			int nc = g->cappairs ? g->cappairs * 2 : 2;
			int *nv = realloc(g->pairs, (size_t)nc * sizeof *nv);
			if (!nv)
				return oom(err);
			g->pairs = nv;
			g->cappairs = nc;
		}
		g->pairs[g->npairs++] = pi;
	}
	for (int gi = 0; gi < c->ng; gi++) {
		struct group *g = &c->g[gi];
		unsigned recv = c->u[g->unit].recv_days;
		if (!recv)
			recv = 0x1f;
		int64_t hist[7] = {0}, tot = 0;
		for (int k = 0; k < g->npairs; k++)
			for (int d = 0; d < 7; d++) {
				hist[d] += c->p[g->pairs[k]].hist[d];
				tot += c->p[g->pairs[k]].hist[d];
			}
		for (int d = 0; d < 7; d++)
			if (tot && hist[d] * 10 >= tot)
				g->cur |= 1u << d;
		int best = 8;
		for (unsigned m = 1; m < 128; m++)
			if (sl_ordering_pattern_ok(&g->rules, recv, m) && popcount7(m) < best)
				best = popcount7(m);
		for (unsigned m = 1; m < 128; m++)
			if (popcount7(m) == best && sl_ordering_pattern_ok(&g->rules, recv, m))
				g->pats[g->npats++] = m;
		g->feasible = g->npats > 0;
		/* unit by unit: the pattern that keeps most of its own deliveries
		 * on their weekday (ties: the first in weekday order) */
		int64_t bestkeep = -1;
		for (int k = 0; k < g->npats; k++) {
			int64_t keep = 0;
			for (int d = 0; d < 7; d++)
				if (g->pats[k] & (1u << d))
					keep += hist[d];
			if (keep > bestkeep) {
				bestkeep = keep;
				g->init = g->pats[k];
			}
		}
		g->chosen = g->init;
	}
	return 0;
}

/* ---- the joint local search ---------------------------------------------- */

static double visit_load(const ctx *c, int pair)
{
	const struct pair *p = &c->p[pair];
	const struct group *g = &c->g[p->group];
	int k = popcount7(g->chosen);
	double weeks = (double)(c->q->to_day - c->q->from_day + 1) / 7.0;
	return k ? p->mass_kg / weeks / k : 0;
}

static double tour_cost(const ctx *c, const struct tour *t)
{
	return t->len + cap_term(c, t->n, t->load, t->radial);
}

/* Rebuild the tour of supplier i / 7 on weekday i % 7 from the current
 * patterns: its stops, load, radial sum, and the estimated length with the
 * stops kept in tour order. */
static int rebuild_one(ctx *c, int i)
{
	struct tour *t = &c->tours[i];
	int sp = i / 7;
	unsigned bit = 1u << (i % 7);
	t->n = 0;
	t->load = t->radial = 0;
	for (int k = c->sp_first[sp]; k < c->sp_first[sp + 1]; k++) {
		int pi = c->sp_pairs[k];
		const struct group *g = &c->g[c->p[pi].group];
		if (!g->feasible || !(g->chosen & bit))
			continue;
		if (t->n == t->cap) {
			int nc = t->cap ? t->cap * 2 : 8;
			int *nv = realloc(t->stop, (size_t)nc * sizeof *nv);
			if (!nv)
				return SL_ENOMEM;
			t->stop = nv;
			t->cap = nc;
		}
		t->stop[t->n++] = pi;
		t->load += visit_load(c, pi);
		t->radial += D(c, pt_depot(c, sp), pt_unit(c, pi));
	}
	if (ensure_scratch(c, t->n) < 0)
		return SL_ENOMEM;
	for (int k = 0; k < t->n; k++)
		c->scratch[k] = pt_unit(c, t->stop[k]);
	t->len = tsp(c, pt_depot(c, sp), c->scratch, t->n, c->scratch2);
	/* keep the stops in tour order (seq holds points, one per stop) */
	for (int k = 1; k <= t->n; k++)
		for (int j = k - 1; j < t->n; j++)
			if (pt_unit(c, t->stop[j]) == c->scratch2[k]) {
				int tmp = t->stop[k - 1];
				t->stop[k - 1] = t->stop[j];
				t->stop[j] = tmp;
				break;
			}
	return 0;
}

/* Rebuild every supplier-day tour from the current patterns. */
static int rebuild_tours(ctx *c, sl_error *err)
{
	for (int i = 0; i < c->ns * 7; i++)
		if (rebuild_one(c, i) < 0)
			return oom(err);
	return 0;
}

static double template_cost(const ctx *c)
{
	double sum = 0;
	for (int i = 0; i < c->ns * 7; i++)
		sum += tour_cost(c, &c->tours[i]);
	return sum;
}

/* Cost change of removing `pair` from tour t. */
static double delta_remove(const ctx *c, const struct tour *t, int pair, int *pos)
{
	int dep = pt_depot(c, (int)(t - c->tours) / 7);
	for (int k = 0; k < t->n; k++)
		if (t->stop[k] == pair) {
			int a = k ? pt_unit(c, t->stop[k - 1]) : dep;
			int b = k + 1 < t->n ? pt_unit(c, t->stop[k + 1]) : dep,
			    x = pt_unit(c, pair);
			double dl = D(c, a, b) - D(c, a, x) - D(c, x, b);
			double load = visit_load(c, pair), rad = D(c, dep, x);
			double after =
			    t->len + dl + cap_term(c, t->n - 1, t->load - load, t->radial - rad);
			*pos = k;
			return after - tour_cost(c, t);
		}
	*pos = -1;
	return 0;
}

/* Cost change of inserting `pair` at its cheapest position in tour t. */
static double delta_insert(const ctx *c, const struct tour *t, int pair, int *pos)
{
	int dep = pt_depot(c, (int)(t - c->tours) / 7), x = pt_unit(c, pair);
	double best = INFINITY;
	*pos = 0;
	for (int k = 0; k <= t->n; k++) {
		int a = k ? pt_unit(c, t->stop[k - 1]) : dep,
		    b = k < t->n ? pt_unit(c, t->stop[k]) : dep;
		double dl = D(c, a, x) + D(c, x, b) - D(c, a, b);
		if (dl < best) {
			best = dl;
			*pos = k;
		}
	}
	double load = visit_load(c, pair), rad = D(c, dep, x);
	double after = t->len + best + cap_term(c, t->n + 1, t->load + load, t->radial + rad);
	return after - tour_cost(c, t);
}

static double move_delta(const ctx *c, const struct group *g, unsigned to)
{
	double sum = 0;
	int pos;
	for (int k = 0; k < g->npairs; k++) {
		int pi = g->pairs[k], sp = c->p[pi].sup;
		for (int d = 0; d < 7; d++) {
			unsigned bit = 1u << d;
			if ((g->chosen & bit) && !(to & bit))
				sum += delta_remove(c, &c->tours[sp * 7 + d], pi, &pos);
			else if (!(g->chosen & bit) && (to & bit))
				sum += delta_insert(c, &c->tours[sp * 7 + d], pi, &pos);
		}
	}
	return sum;
}

static int apply_move(ctx *c, struct group *g, unsigned to)
{
	for (int k = 0; k < g->npairs; k++) {
		int pi = g->pairs[k], sp = c->p[pi].sup, x = pt_unit(c, pi);
		double load = visit_load(c, pi), rad = D(c, pt_depot(c, sp), x);
		for (int d = 0; d < 7; d++) {
			unsigned bit = 1u << d;
			struct tour *t = &c->tours[sp * 7 + d];
			int pos;
			if ((g->chosen & bit) && !(to & bit)) {
				double dc = delta_remove(c, t, pi, &pos);
				if (pos < 0)
					continue;
				double oldcap = cap_term(c, t->n, t->load, t->radial);
				double newcap =
				    cap_term(c, t->n - 1, t->load - load, t->radial - rad);
				t->len += dc - (newcap - oldcap);
				memmove(t->stop + pos, t->stop + pos + 1,
				        (size_t)(t->n - pos - 1) * sizeof *t->stop);
				t->n--;
				t->load -= load;
				t->radial -= rad;
			} else if (!(g->chosen & bit) && (to & bit)) {
				double dc = delta_insert(c, t, pi, &pos);
				double oldcap = cap_term(c, t->n, t->load, t->radial);
				double newcap =
				    cap_term(c, t->n + 1, t->load + load, t->radial + rad);
				if (t->n == t->cap) {
					int nc = t->cap ? t->cap * 2 : 8;
					int *nv = realloc(t->stop, (size_t)nc * sizeof *nv);
					if (!nv)
						return SL_ENOMEM;
					t->stop = nv;
					t->cap = nc;
				}
				memmove(t->stop + pos + 1, t->stop + pos,
				        (size_t)(t->n - pos) * sizeof *t->stop);
				t->stop[pos] = pi;
				t->n++;
				t->len += dc - (newcap - oldcap);
				t->load += load;
				t->radial += rad;
			}
		}
	}
	g->chosen = to;
	return 0;
}

/* Descent over pattern reassignments, re-optimising the tours after each
 * round; when a round brings no improvement the best assignment so far is
 * restored and a few random groups are kicked to another pattern (an
 * iterated local search).  The best assignment by rebuilt tour cost wins. */
static int in_pats(const struct group *g, unsigned m)
{
	for (int k = 0; k < g->npats; k++)
		if (g->pats[k] == m)
			return 1;
	return 0;
}

/* The day-shift move: every group served by supplier s that is delivered
 * on weekday d1 but not d2 is moved from d1 to d2 (where its category and
 * the unit allow that pattern), together.  Single-group moves cannot make
 * this step — moving one unit between two long tours gains nothing until
 * the last unit leaves a day — yet emptying a day saves a whole trip from
 * the depot.  The touched tours are rebuilt and the move is undone unless
 * their total falls. */
static int shift_days(ctx *c, long *moves)
{
	int *aff = c->pscratch_aff, *touch = c->pscratch_touch;
	for (int sp = 0; sp < c->ns; sp++)
		for (int d1 = 0; d1 < 7; d1++) {
			if (!c->tours[sp * 7 + d1].n)
				continue;
			for (int d2 = 0; d2 < 7; d2++) {
				unsigned b1 = 1u << d1, b2 = 1u << d2;
				if (d2 == d1)
					continue;
				int naff = 0;
				for (int k = c->sp_first[sp]; k < c->sp_first[sp + 1]; k++) {
					struct group *g = &c->g[c->p[c->sp_pairs[k]].group];
					if (g->feasible && (g->chosen & b1) && !(g->chosen & b2) &&
					    in_pats(g, (g->chosen & ~b1) | b2))
						aff[naff++] = c->p[c->sp_pairs[k]].group;
				}
				if (!naff)
					continue;
				/* the tours of d1 and d2 of every supplier of those groups */
				int ntouch = 0;
				for (int a = 0; a < naff; a++) {
					const struct group *g = &c->g[aff[a]];
					for (int k = 0; k < g->npairs; k++) {
						int s2 = c->p[g->pairs[k]].sup;
						for (int x = 0; x < 2; x++) {
							int ti = s2 * 7 + (x ? d2 : d1);
							if (!c->touched[ti]) {
								c->touched[ti] = 1;
								touch[ntouch++] = ti;
							}
						}
					}
				}
				double before = 0, after = 0;
				for (int k = 0; k < ntouch; k++)
					before += tour_cost(c, &c->tours[touch[k]]);
				for (int a = 0; a < naff; a++)
					c->g[aff[a]].chosen = (c->g[aff[a]].chosen & ~b1) | b2;
				int rc = 0;
				for (int k = 0; k < ntouch && !rc; k++)
					rc = rebuild_one(c, touch[k]);
				for (int k = 0; k < ntouch; k++)
					after += tour_cost(c, &c->tours[touch[k]]);
				if (!rc && after < before - 1.0) {
					(*moves)++;
				} else {
					for (int a = 0; a < naff; a++)
						c->g[aff[a]].chosen =
						    (c->g[aff[a]].chosen & ~b2) | b1;
					for (int k = 0; k < ntouch; k++)
						if (rebuild_one(c, touch[k]) < 0)
							rc = SL_ENOMEM;
				}
				for (int k = 0; k < ntouch; k++)
					c->touched[touch[k]] = 0;
				if (rc < 0)
					return rc;
			}
		}
	return 0;
}

/* The pairs of each supplier (CSR) and the move scratch. */
static int index_suppliers(ctx *c, sl_error *err)
{
	c->sp_first = calloc((size_t)c->ns + 1, sizeof *c->sp_first);
	c->sp_pairs = malloc((size_t)(c->np ? c->np : 1) * sizeof *c->sp_pairs);
	c->touched = calloc((size_t)c->ns * 7, 1);
	c->pscratch_aff = malloc((size_t)(c->np ? c->np : 1) * sizeof *c->pscratch_aff);
	c->pscratch_touch = malloc((size_t)c->ns * 7 * sizeof *c->pscratch_touch);
	if (!c->sp_first || !c->sp_pairs || !c->touched || !c->pscratch_aff || !c->pscratch_touch)
		return oom(err);
	for (int pi = 0; pi < c->np; pi++)
		c->sp_first[c->p[pi].sup + 1]++;
	for (int sp = 0; sp < c->ns; sp++)
		c->sp_first[sp + 1] += c->sp_first[sp];
	int *fill = calloc((size_t)c->ns, sizeof *fill);
	if (!fill)
		return oom(err);
	for (int pi = 0; pi < c->np; pi++) {
		int sp = c->p[pi].sup;
		c->sp_pairs[c->sp_first[sp] + fill[sp]++] = pi;
	}
	free(fill);
	return 0;
}

static int optimise(ctx *c, sl_ordering_result *res, sl_error *err)
{
	c->tours = calloc((size_t)c->ns * 7, sizeof *c->tours);
	if (!c->tours)
		return oom(err);
	int rc = index_suppliers(c, err);
	if (rc < 0 || (rc = rebuild_tours(c, err)) < 0)
		return rc;
	res->template_km_unit_by_unit = template_cost(c) / 1000;
	res->template_km_joint = res->template_km_unit_by_unit;
	if (!c->q->joint || c->ng == 0)
		return 0;
	int *order = malloc((size_t)c->ng * sizeof *order);
	unsigned *best = malloc((size_t)c->ng * sizeof *best);
	if (!order || !best) {
		free(order);
		free(best);
		return oom(err);
	}
	for (int i = 0; i < c->ng; i++) {
		order[i] = i;
		best[i] = c->g[i].chosen;
	}
	double best_cost = template_cost(c);
	sl_rng rng;
	sl_rng_seed(&rng, c->q->seed);
	int rounds = c->q->max_rounds > 0 ? c->q->max_rounds : 20;
	for (int r = 0; r < rounds && !rc; r++) {
		for (int i = c->ng - 1; i > 0; i--) {
			int j = (int)sl_rng_below(&rng, (uint64_t)i + 1), t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		long moves = 0;
		if (shift_days(c, &moves) < 0) {
			rc = oom(err);
			break;
		}
		for (int i = 0; i < c->ng && !rc; i++) {
			struct group *g = &c->g[order[i]];
			if (!g->feasible || g->npats < 2)
				continue;
			double bd = -1e-3;
			unsigned to = 0;
			for (int k = 0; k < g->npats; k++) {
				if (g->pats[k] == g->chosen)
					continue;
				double dl = move_delta(c, g, g->pats[k]);
				if (dl < bd) {
					bd = dl;
					to = g->pats[k];
				}
			}
			if (to) {
				if (apply_move(c, g, to) < 0)
					rc = oom(err);
				moves++;
			}
		}
		res->moves += moves;
		res->rounds = r + 1;
		if (rc || (rc = rebuild_tours(c, err)) < 0)
			break;
		double cost = template_cost(c);
		if (cost < best_cost - 1e-6) {
			best_cost = cost;
			for (int i = 0; i < c->ng; i++)
				best[i] = c->g[i].chosen;
			continue;
		}
		/* no better: back to the best, kick ~5 % of the groups */
		for (int i = 0; i < c->ng; i++)
			c->g[i].chosen = best[i];
		int kicks = c->ng / 20 > 0 ? c->ng / 20 : 1;
		for (int k = 0; k < kicks; k++) {
			struct group *g = &c->g[sl_rng_below(&rng, (uint64_t)c->ng)];
			if (g->feasible && g->npats > 1)
				g->chosen = g->pats[sl_rng_below(&rng, (uint64_t)g->npats)];
		}
		rc = rebuild_tours(c, err);
	}
	for (int i = 0; i < c->ng; i++)
		c->g[i].chosen = best[i];
	free(order);
	free(best);
	if (rc < 0)
		return rc;
	res->template_km_joint = best_cost / 1000;
	return 0;
}

/* ---- replay of the period ----------------------------------------------- */

static int64_t slot_day(const ctx *c, int pair, int64_t day)
{
	const struct group *g = &c->g[c->p[pair].group];
	if (!g->feasible || !g->chosen)
		return day;
	int back = 0, fwd = 0;
	while (back < 7 && !(g->chosen & (1u << (sl_weekday(day - back) - 1))))
		back++;
	while (fwd < 7 && !(g->chosen & (1u << (sl_weekday(day + fwd) - 1))))
		fwd++;
	return back <= fwd ? day - back : day + fwd;
}

struct ev {
	int sup, pair;
	int64_t day;
	double mass;
};

static int cmp_ev(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;
	if (x->sup != y->sup)
		return x->sup - y->sup;
	if (x->day != y->day)
		return (x->day > y->day) - (x->day < y->day);
	return x->pair - y->pair;
}

/* Estimate every supplier-day tour of the events and share the km among
 * the stops; after = 1 also counts the delivery days per pair. */
static int replay(ctx *c, struct ev *ev, size_t n, int after, sl_error *err)
{
	qsort(ev, n, sizeof *ev, cmp_ev);
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && ev[j].sup == ev[i].sup && ev[j].day == ev[i].day)
			j++;
		int k = 0;
		double load = 0, radial = 0;
		int dep = pt_depot(c, ev[i].sup);
		if (ensure_scratch(c, (int)(j - i)) < 0)
			return oom(err);
		for (size_t e = i; e < j; e++) {
			load += ev[e].mass;
			if (e > i && ev[e].pair == ev[e - 1].pair)
				continue;
			c->scratch[k] = pt_unit(c, ev[e].pair);
			c->pscratch[k] = ev[e].pair;
			radial += D(c, dep, c->scratch[k]);
			k++;
		}
		double km =
		    (tsp(c, dep, c->scratch, k, c->scratch2) + cap_term(c, k, load, radial)) / 1000;
		for (int s = 0; s < k; s++) {
			struct pair *p = &c->p[c->pscratch[s]];
			double g = km / k * c->s[p->sup].g_per_km;
			if (after) {
				p->km_a += km / k;
				p->co2_a += g;
				p->after++;
			} else {
				p->km_b += km / k;
				p->co2_b += g;
			}
		}
		i = j;
	}
	return 0;
}

static int cmp_ord(const void *a, const void *b)
{
	const struct ord *x = a, *y = b;
	if (x->pair != y->pair)
		return x->pair - y->pair;
	return (x->day > y->day) - (x->day < y->day);
}

/* Small orders alone on their pair's day before, sharing it after. */
static int small_merges(ctx *c, sl_error *err)
{
	size_t n = c->no;
	if (!n)
		return 0;
	qsort(c->o, n, sizeof *c->o, cmp_ord);
	/* before: runs of the same (pair, day) */
	char *alone = calloc(n, 1);
	if (!alone)
		return oom(err);
	for (size_t i = 0; i < n; i++) {
		struct ord *o = &c->o[i];
		int same_prev = i > 0 && c->o[i - 1].pair == o->pair && c->o[i - 1].day == o->day;
		int same_next =
		    i + 1 < n && c->o[i + 1].pair == o->pair && c->o[i + 1].day == o->day;
		alone[i] = !same_prev && !same_next;
		o->slot = slot_day(c, o->pair, o->day);
		struct pair *p = &c->p[o->pair];
		if (!p->n_ord++)
			p->first_ord = i;
	}
	/* after: within a pair, slots are non-decreasing in day order */
	for (size_t i = 0; i < n; i++) {
		struct ord *o = &c->o[i];
		if (!o->small || !alone[i])
			continue;
		int shared =
		    (i > 0 && c->o[i - 1].pair == o->pair && c->o[i - 1].slot == o->slot) ||
		    (i + 1 < n && c->o[i + 1].pair == o->pair && c->o[i + 1].slot == o->slot);
		if (shared) {
			o->merged = 1;
			c->p[o->pair].merged++;
		}
	}
	free(alone);
	return 0;
}

/* ---- CO2e intensity ------------------------------------------------------ */

static int intensities(ctx *c, sl_ordering_result *res, sl_error *err)
{
	double fuel_l_100, capkg;
	const char *energy;
	sl__ordering_config_general(c->cfg, &capkg, &fuel_l_100, &energy);
	sl_emissions_set *own = NULL;
	const sl_emissions_set *set = c->q->emissions;
	int rc = 0;
	if (!set) {
		if ((rc = sl_emissions_set_load(NULL, &own, err)) < 0)
			return rc;
		set = own;
	}
	/* the assumption, through the emissions module: 100 km at the
	 * configured consumption */
	sl_em_trip_in in = {0};
	in.vehicle_class = NULL;
	in.energy_carrier = energy;
	in.fuel_amount = fuel_l_100;
	in.fuel_unit = "l";
	in.distance_m = 100000;
	sl_em_figures fig;
	double default_g_km = 0;
	if ((rc = sl_emissions_trip(set, &in, &fig, NULL, NULL, 0, err)) < 0) {
		sl_emissions_set_free(own);
		return rc;
	}
	default_g_km = (double)fig.wtw_g / 100.0;
	sl_emissions_set_free(own);

	sl_stmt *s = NULL;
	rc = sl_store_prepare(
	    c->st,
	    "SELECT x.supplier_id, SUM(te.wtw_g), SUM(t.distance_m) FROM "
	    "(SELECT DISTINCT supplier_id, trip_id FROM deliveries WHERE trip_id IS NOT NULL AND "
	    "status = 'delivered' AND local_day BETWEEN ?1 AND ?2) x "
	    "JOIN trips t ON t.id = x.trip_id JOIN trip_emissions te ON te.trip_id = t.id "
	    "WHERE t.distance_m > 0 GROUP BY x.supplier_id",
	    &s, err);
	if (rc < 0)
		return rc;
	sl_stmt_bind_int64(s, 1, c->q->from_day);
	sl_stmt_bind_int64(s, 2, c->q->to_day);
	double city_g = 0, city_m = 0;
	int measured = 0;
	for (int i = 0; i < c->ns; i++)
		c->s[i].g_per_km = -1;
	while ((rc = sl_stmt_step(s, err)) == 1) {
		int sp = find_sup(c, sl_stmt_int64(s, 0));
		double g = sl_stmt_double(s, 1), m = sl_stmt_double(s, 2);
		if (sp < 0 || m <= 0)
			continue;
		c->s[sp].g_per_km = g / (m / 1000);
		city_g += g;
		city_m += m;
		measured++;
	}
	sl_stmt_free(s);
	if (rc < 0)
		return rc;
	double city_g_km = city_m > 0 ? city_g / (city_m / 1000) : default_g_km;
	int fallback = 0;
	for (int i = 0; i < c->ns; i++)
		if (c->s[i].g_per_km < 0) {
			c->s[i].g_per_km = city_g_km;
			fallback++;
		}
	if (city_m > 0) {
		snprintf(res->co2e_basis, sizeof res->co2e_basis,
		         "WTW g CO2e per vehicle-km from trip emissions: %d suppliers measured, %d "
		         "at the city mean %.0f g/km",
		         measured, fallback, city_g_km);
		snprintf(res->co2e_basis_sv, sizeof res->co2e_basis_sv,
		         "g CO2e (well-to-wheel) per fordonskm från resornas beräknade utsläpp: %d "
		         "leverantörer med egna resor, %d med stadens medelvärde %.0f g/km",
		         measured, fallback, city_g_km);
	} else {
		snprintf(res->co2e_basis, sizeof res->co2e_basis,
		         "no trip emissions in the period: %.1f l %s per 100 km assumed, %.0f g "
		         "CO2e/km WTW",
		         fuel_l_100, energy, default_g_km);
		snprintf(
		    res->co2e_basis_sv, sizeof res->co2e_basis_sv,
		    "inga beräknade resor i perioden: antaget %.1f l %s per 100 km, %.0f g CO2e/km "
		    "(well-to-wheel)",
		    fuel_l_100, energy, default_g_km);
	}
	return 0;
}

/* ---- results -------------------------------------------------------------- */

void sl_ordering_result_free(sl_ordering_result *r)
{
	if (!r)
		return;
	free(r->groups);
	free(r->pairs);
	free(r->units);
	free(r->small);
	free(r);
}

static int visible(const ctx *c, const struct pair *p)
{
	const sl_pooling_viewer *v = &c->q->viewer;
	switch (v->kind) {
	case SL_VIEWER_CITY: return 1;
	case SL_VIEWER_UNIT: return c->u[p->unit].org_id == v->org_id;
	case SL_VIEWER_SUPPLIER: return c->s[p->sup].id == v->org_id;
	default: return 0;
	}
}

static void add_total(sl_ordering_total *t, const sl_ordering_group *g)
{
	t->deliveries_before += g->deliveries_before;
	t->deliveries_after += g->deliveries_after;
	t->km_before += g->km_before;
	t->km_after += g->km_after;
	t->co2e_before_g += g->co2e_before_g;
	t->co2e_after_g += g->co2e_after_g;
	t->orders += g->orders;
	t->small_orders += g->small_orders;
	t->small_merged += g->small_merged;
}

static int cmp_group(const void *a, const void *b, const ctx *c)
{
	const struct group *x = a, *y = b;
	int r = strcmp(c->u[x->unit].ext, c->u[y->unit].ext);
	return r ? r : strcmp(c->cats[x->cat], c->cats[y->cat]);
}

static int build_result(ctx *c, sl_ordering_result *res, sl_error *err)
{
	/* groups in (unit ext id, category) order */
	int *gord = malloc((size_t)(c->ng ? c->ng : 1) * sizeof *gord);
	if (!gord)
		return oom(err);
	for (int i = 0; i < c->ng; i++)
		gord[i] = i;
	for (int i = 1; i < c->ng; i++) /* insertion sort: groups arrive nearly sorted */
		for (int j = i; j > 0 && cmp_group(&c->g[gord[j - 1]], &c->g[gord[j]], c) > 0;
		     j--) {
			int t = gord[j];
			gord[j] = gord[j - 1];
			gord[j - 1] = t;
		}
	res->groups = calloc((size_t)(c->ng ? c->ng : 1), sizeof *res->groups);
	res->pairs = calloc((size_t)(c->np ? c->np : 1), sizeof *res->pairs);
	res->units = calloc((size_t)(c->nu ? c->nu : 1), sizeof *res->units);
	size_t nmerged = 0;
	for (int pi = 0; pi < c->np; pi++)
		nmerged += (size_t)c->p[pi].merged;
	res->small = calloc(nmerged ? nmerged : 1, sizeof *res->small);
	if (!res->groups || !res->pairs || !res->units || !res->small) {
		free(gord);
		return oom(err);
	}
	double weeks = res->weeks;
	int last_unit = -1;
	for (int oi = 0; oi < c->ng; oi++) {
		const struct group *g = &c->g[gord[oi]];
		sl_ordering_group *og = &res->groups[res->n_groups];
		memset(og, 0, sizeof *og);
		og->first_pair = res->n_pairs;
		og->first_small = res->n_small;
		for (int k = 0; k < g->npairs; k++) {
			const struct pair *p = &c->p[g->pairs[k]];
			if (!visible(c, p))
				continue;
			for (size_t x = p->first_ord; x < p->first_ord + p->n_ord; x++) {
				const struct ord *o = &c->o[x];
				if (!o->merged)
					continue;
				sl_ordering_small *sm = &res->small[res->n_small++];
				cpy(sm->order, sizeof sm->order, o->ext);
				cpy(sm->supplier, sizeof sm->supplier, c->s[p->sup].ext);
				sm->day = o->day;
				sm->value_ore = o->value_ore;
				sm->delivery_day = o->slot;
			}
			sl_ordering_pair *op = &res->pairs[res->n_pairs++];
			op->group = res->n_groups;
			cpy(op->supplier, sizeof op->supplier, c->s[p->sup].ext);
			cpy(op->supplier_name, sizeof op->supplier_name, c->s[p->sup].name);
			op->deliveries_before = p->before;
			op->deliveries_after = p->after;
			op->km_before = p->km_b;
			op->km_after = p->km_a;
			op->co2e_before_g = p->co2_b;
			op->co2e_after_g = p->co2_a;
			op->orders = p->orders;
			op->small_orders = p->small;
			op->small_merged = p->merged;
			og->deliveries_before += p->before;
			og->deliveries_after += p->after;
			og->km_before += p->km_b;
			og->km_after += p->km_a;
			og->co2e_before_g += p->co2_b;
			og->co2e_after_g += p->co2_a;
			og->orders += p->orders;
			og->small_orders += p->small;
			og->small_merged += p->merged;
		}
		og->n_pairs = res->n_pairs - og->first_pair;
		og->n_small = res->n_small - og->first_small;
		if (!og->n_pairs)
			continue;
		const struct unit *u = &c->u[g->unit];
		cpy(og->unit, sizeof og->unit, u->ext);
		cpy(og->unit_name, sizeof og->unit_name, u->name);
		cpy(og->unit_type, sizeof og->unit_type, u->type);
		cpy(og->category, sizeof og->category, c->cats[g->cat]);
		og->current_days = g->cur;
		og->feasible = g->feasible;
		og->proposed_days = g->feasible ? g->chosen : g->cur;
		og->rules = g->rules;
		og->per_week_before = (double)og->deliveries_before / weeks;
		og->per_week_after = (double)og->deliveries_after / weeks;
		if (g->unit != last_unit) {
			sl_ordering_total *t = &res->units[res->n_units++];
			cpy(t->unit, sizeof t->unit, u->ext);
			cpy(t->unit_name, sizeof t->unit_name, u->name);
			last_unit = g->unit;
		}
		add_total(&res->units[res->n_units - 1], og);
		add_total(&res->city, og);
		res->n_groups++;
	}
	for (size_t i = 0; i < res->n_units; i++) {
		res->units[i].per_week_before = (double)res->units[i].deliveries_before / weeks;
		res->units[i].per_week_after = (double)res->units[i].deliveries_after / weeks;
	}
	res->city.per_week_before = (double)res->city.deliveries_before / weeks;
	res->city.per_week_after = (double)res->city.deliveries_after / weeks;
	cpy(res->city.unit, sizeof res->city.unit, "city");
	cpy(res->city.unit_name, sizeof res->city.unit_name, "Staden / City");
	free(gord);
	return 0;
}

static void ctx_free(ctx *c)
{
	free(c->u);
	free(c->s);
	free(c->cats);
	free(c->p);
	free(c->pair_of);
	for (int i = 0; c->g && i < c->ng; i++)
		free(c->g[i].pairs);
	free(c->g);
	free(c->group_of);
	free(c->d);
	free(c->o);
	free(c->dist);
	for (int i = 0; c->tours && i < c->ns * 7; i++)
		free(c->tours[i].stop);
	free(c->tours);
	free(c->scratch);
	free(c->scratch2);
	free(c->used);
	free(c->pscratch);
	free(c->sp_first);
	free(c->sp_pairs);
	free(c->touched);
	free(c->pscratch_aff);
	free(c->pscratch_touch);
}

/* Suppliers without a site start from the centroid of their units. */
static void place_depotless(ctx *c)
{
	for (int sp = 0; sp < c->ns; sp++) {
		if (!isnan(c->s[sp].lon))
			continue;
		double lon = 0, lat = 0;
		int n = 0;
		for (int pi = 0; pi < c->np; pi++)
			if (c->p[pi].sup == sp) {
				lon += c->u[c->p[pi].unit].lon;
				lat += c->u[c->p[pi].unit].lat;
				n++;
			}
		c->s[sp].lon = n ? lon / n : 0;
		c->s[sp].lat = n ? lat / n : 0;
	}
}

int sl_ordering_compute(sl_store *st, const sl_ordering_query *q_in, sl_ordering_result **out,
                        sl_error *err)
{
	*out = NULL;
	sl_ordering_query q = *q_in;
	if (q.viewer.kind != SL_VIEWER_CITY && q.viewer.kind != SL_VIEWER_UNIT &&
	    q.viewer.kind != SL_VIEWER_SUPPLIER)
		return sl_error_set(err, SL_EPERM,
		                    "ordering proposals are for the city, units and suppliers");
	int rc = resolve_period(st, &q, err);
	if (rc < 0)
		return rc;
	if ((rc = load_small_threshold(st, &q.small_order_ore, err)) < 0)
		return rc;
	sl_ordering_config *own_cfg = NULL;
	if (!q.config) {
		if ((rc = sl_ordering_config_load(NULL, &own_cfg, err)) < 0)
			return rc;
		q.config = own_cfg;
	}
	ctx c;
	memset(&c, 0, sizeof c);
	c.st = st;
	c.q = &q;
	c.cfg = q.config;
	double fuel;
	const char *energy;
	sl__ordering_config_general(c.cfg, &c.cap_kg, &fuel, &energy);
	sl_ordering_result *res = calloc(1, sizeof *res);
	if (!res) {
		rc = oom(err);
		goto out;
	}
	res->from_day = q.from_day;
	res->to_day = q.to_day;
	res->weeks = (double)(q.to_day - q.from_day + 1) / 7.0;
	res->small_order_ore = q.small_order_ore;
	res->joint = q.joint;
	if ((rc = load_units(&c, err)) < 0 || (rc = load_suppliers(&c, err)) < 0)
		goto out;
	if (c.nu == 0 || c.ns == 0) {
		rc =
		    sl_error_set(err, SL_ENOTFOUND, "no receiving units or suppliers in the store");
		goto out;
	}
	if ((size_t)c.nu * (size_t)c.ns > (size_t)50 * 1000 * 1000) {
		rc = sl_error_set(err, SL_ELIMIT, "too many units × suppliers");
		goto out;
	}
	c.pair_of = malloc((size_t)c.nu * (size_t)c.ns * sizeof *c.pair_of);
	if (!c.pair_of) {
		rc = oom(err);
		goto out;
	}
	for (size_t i = 0; i < (size_t)c.nu * (size_t)c.ns; i++)
		c.pair_of[i] = -1;
	if ((rc = load_rows(&c, err)) < 0)
		goto out;
	if (c.nd == 0) {
		/* nothing delivered in the period: an empty proposal */
		snprintf(res->distance_basis, sizeof res->distance_basis, "none");
		snprintf(res->co2e_basis, sizeof res->co2e_basis, "no deliveries in the period");
		snprintf(res->co2e_basis_sv, sizeof res->co2e_basis_sv,
		         "inga leveranser i perioden");
		rc = build_result(&c, res, err);
		goto out;
	}
	place_depotless(&c);
	if ((rc = build_matrix(&c, err)) < 0)
		goto out;
	res->points_off_graph = c.off_graph;
	if (q.graph)
		snprintf(res->distance_basis, sizeof res->distance_basis, "road_graph");
	else
		snprintf(res->distance_basis, sizeof res->distance_basis, "great_circle_x%.1f",
		         SL_EM_DETOUR_FACTOR);
	if ((rc = intensities(&c, res, err)) < 0 || (rc = build_groups(&c, err)) < 0 ||
	    (rc = optimise(&c, res, err)) < 0)
		goto out;
	struct ev *ev = malloc(c.nd * sizeof *ev);
	if (!ev) {
		rc = oom(err);
		goto out;
	}
	for (size_t i = 0; i < c.nd; i++) {
		ev[i].sup = c.p[c.d[i].pair].sup;
		ev[i].pair = c.d[i].pair;
		ev[i].day = c.d[i].day;
		ev[i].mass = c.d[i].mass_kg;
	}
	rc = replay(&c, ev, c.nd, 0, err);
	for (size_t i = 0; !rc && i < c.nd; i++) {
		ev[i].sup = c.p[c.d[i].pair].sup;
		ev[i].pair = c.d[i].pair;
		ev[i].day = slot_day(&c, c.d[i].pair, c.d[i].day);
		ev[i].mass = c.d[i].mass_kg;
	}
	if (!rc)
		rc = replay(&c, ev, c.nd, 1, err);
	free(ev);
	if (rc < 0)
		goto out;
	if ((rc = small_merges(&c, err)) < 0)
		goto out;
	rc = build_result(&c, res, err);
out:
	ctx_free(&c);
	sl_ordering_config_free(own_cfg);
	if (rc < 0) {
		sl_ordering_result_free(res);
		return rc;
	}
	*out = res;
	return 0;
}

/* ---- writers --------------------------------------------------------------- */

static void put_total_json(sl_buf *b, const sl_ordering_total *t)
{
	sl_buf_printf(
	    b,
	    "\"deliveries_before\":%lld,\"deliveries_after\":%lld,"
	    "\"per_week_before\":%.2f,\"per_week_after\":%.2f,"
	    "\"km_before\":%.1f,\"km_after\":%.1f,\"co2e_before_kg\":%.1f,\"co2e_after_kg\":%.1f,"
	    "\"orders\":%lld,\"small_orders\":%lld,\"small_orders_merged\":%lld",
	    (long long)t->deliveries_before, (long long)t->deliveries_after, t->per_week_before,
	    t->per_week_after, t->km_before, t->km_after, t->co2e_before_g / 1000,
	    t->co2e_after_g / 1000, (long long)t->orders, (long long)t->small_orders,
	    (long long)t->small_merged);
}

int sl_ordering_write_json(const sl_ordering_result *r, sl_buf *b)
{
	char a[16], z[16], d1[40], d2[40], cut[400];
	size_t before = b->len;
	sl_buf_printf(b, "{\"period\":{\"from\":\"%s\",\"to\":\"%s\",\"weeks\":%.2f},",
	              sl_date_format(r->from_day, a, sizeof a),
	              sl_date_format(r->to_day, z, sizeof z), r->weeks);
	sl_buf_printf(b, "\"distance_basis\":\"%s\",\"co2e_basis\":", r->distance_basis);
	sl_buf_json_string(b, r->co2e_basis);
	sl_buf_puts(b, ",\"co2e_basis_sv\":");
	sl_buf_json_string(b, r->co2e_basis_sv);
	sl_buf_printf(b,
	              ",\"small_order_sek\":%.2f,\"joint\":%s,\"optimisation\":{"
	              "\"template_km_unit_by_unit\":%.1f,\"template_km_joint\":%.1f,\"moves\":%ld,"
	              "\"rounds\":%ld},\"points_off_graph\":%lld,\"city\":{",
	              (double)r->small_order_ore / 100, r->joint ? "true" : "false",
	              r->template_km_unit_by_unit, r->template_km_joint, r->moves, r->rounds,
	              (long long)r->points_off_graph);
	put_total_json(b, &r->city);
	sl_buf_puts(b, "},\"units\":[");
	for (size_t i = 0; i < r->n_units; i++) {
		const sl_ordering_total *t = &r->units[i];
		sl_buf_puts(b, i ? ",{\"unit\":" : "{\"unit\":");
		sl_buf_json_string(b, t->unit);
		sl_buf_puts(b, ",\"name\":");
		sl_buf_json_string(b, t->unit_name);
		sl_buf_putc(b, ',');
		put_total_json(b, t);
		sl_buf_putc(b, '}');
	}
	sl_buf_puts(b, "],\"groups\":[");
	for (size_t i = 0; i < r->n_groups; i++) {
		const sl_ordering_group *g = &r->groups[i];
		sl_ordering_total t = {0};
		t.deliveries_before = g->deliveries_before;
		t.deliveries_after = g->deliveries_after;
		t.per_week_before = g->per_week_before;
		t.per_week_after = g->per_week_after;
		t.km_before = g->km_before;
		t.km_after = g->km_after;
		t.co2e_before_g = g->co2e_before_g;
		t.co2e_after_g = g->co2e_after_g;
		t.orders = g->orders;
		t.small_orders = g->small_orders;
		t.small_merged = g->small_merged;
		sl_buf_puts(b, i ? ",{\"unit\":" : "{\"unit\":");
		sl_buf_json_string(b, g->unit);
		sl_buf_puts(b, ",\"unit_name\":");
		sl_buf_json_string(b, g->unit_name);
		sl_buf_puts(b, ",\"unit_type\":");
		sl_buf_json_string(b, g->unit_type);
		sl_buf_puts(b, ",\"category\":");
		sl_buf_json_string(b, g->category);
		sl_buf_printf(b,
		              ",\"current_days\":\"%s\",\"proposed_days\":\"%s\",\"feasible\":%s,",
		              sl_ordering_days_text(g->current_days, 0, d1, sizeof d1),
		              sl_ordering_days_text(g->proposed_days, 0, d2, sizeof d2),
		              g->feasible ? "true" : "false");
		sl__ordering_cutoff_text(&g->rules, g->proposed_days, 0, cut, sizeof cut);
		sl_buf_printf(
		    b,
		    "\"rules\":{\"min_per_week\":%d,\"max_days_between\":%d,\"storage_days\":%d,"
		    "\"min_order_sek\":%.2f,\"lead_days\":%d,\"cutoff\":\"%02d:%02d\",\"order_"
		    "by\":",
		    g->rules.min_per_week, g->rules.max_days_between, g->rules.storage_days,
		    (double)g->rules.min_order_ore / 100, g->rules.lead_days,
		    g->rules.cutoff_min / 60, g->rules.cutoff_min % 60);
		sl_buf_json_string(b, cut);
		sl__ordering_cutoff_text(&g->rules, g->proposed_days, 1, cut, sizeof cut);
		sl_buf_puts(b, ",\"order_by_sv\":");
		sl_buf_json_string(b, cut);
		sl_buf_puts(b, "},");
		put_total_json(b, &t);
		sl_buf_puts(b, ",\"suppliers\":[");
		for (size_t k = 0; k < g->n_pairs; k++) {
			const sl_ordering_pair *p = &r->pairs[g->first_pair + k];
			sl_buf_puts(b, k ? ",{\"supplier\":" : "{\"supplier\":");
			sl_buf_json_string(b, p->supplier);
			sl_buf_puts(b, ",\"name\":");
			sl_buf_json_string(b, p->supplier_name);
			sl_buf_printf(
			    b,
			    ",\"deliveries_before\":%lld,\"deliveries_after\":%lld,\"km_before\":%."
			    "1f,"
			    "\"km_after\":%.1f,\"small_orders\":%lld,\"small_orders_merged\":%lld}",
			    (long long)p->deliveries_before, (long long)p->deliveries_after,
			    p->km_before, p->km_after, (long long)p->small_orders,
			    (long long)p->small_merged);
		}
		sl_buf_puts(b, "],\"small_orders_merging\":[");
		for (size_t k = 0; k < g->n_small; k++) {
			const sl_ordering_small *sm = &r->small[g->first_small + k];
			sl_buf_puts(b, k ? ",{\"order\":" : "{\"order\":");
			sl_buf_json_string(b, sm->order);
			sl_buf_puts(b, ",\"supplier\":");
			sl_buf_json_string(b, sm->supplier);
			sl_buf_printf(b, ",\"day\":\"%s\",\"value_sek\":%.2f,\"delivered\":\"%s\"}",
			              sl_date_format(sm->day, a, sizeof a),
			              (double)sm->value_ore / 100,
			              sl_date_format(sm->delivery_day, z, sizeof z));
		}
		sl_buf_puts(b, "]}");
	}
	int rc = sl_buf_puts(b, "]}\n");
	if (rc < 0) {
		b->len = before;
		if (b->data)
			b->data[before] = 0;
	}
	return rc;
}

static double pct(double before, double after)
{
	return before > 0 ? 100.0 * (after - before) / before : 0;
}

int sl_ordering_write_table(const sl_ordering_result *r, sl_buf *b)
{
	char a[16], z[16], d1[40], d2[40];
	sl_buf_printf(b, "Ordering proposal %s..%s (%.1f weeks), distances %s\n",
	              sl_date_format(r->from_day, a, sizeof a),
	              sl_date_format(r->to_day, z, sizeof z), r->weeks, r->distance_basis);
	sl_buf_printf(b, "CO2e: %s\n", r->co2e_basis);
	sl_buf_printf(b,
	              "Small order: below %.0f SEK.  Weekly template tours: unit by unit %.0f km, "
	              "joint %.0f km (%ld moves, %ld rounds)\n\n",
	              (double)r->small_order_ore / 100, r->template_km_unit_by_unit,
	              r->template_km_joint, r->moves, r->rounds);
	sl_buf_printf(b, "%-12s %-16s %-12s %-12s %17s %19s %15s\n", "unit", "category", "current",
	              "proposed", "deliveries/week", "vehicle-km", "small merged");
	for (size_t i = 0; i < r->n_groups; i++) {
		const sl_ordering_group *g = &r->groups[i];
		char pw[40], km[40], sm[40];
		snprintf(pw, sizeof pw, "%.2f -> %.2f", g->per_week_before, g->per_week_after);
		snprintf(km, sizeof km, "%.1f -> %.1f", g->km_before, g->km_after);
		snprintf(sm, sizeof sm, "%lld/%lld", (long long)g->small_merged,
		         (long long)g->small_orders);
		sl_buf_printf(b, "%-12s %-16s %-12s %-12s %17s %19s %15s%s\n", g->unit, g->category,
		              sl_ordering_days_text(g->current_days, 0, d1, sizeof d1),
		              sl_ordering_days_text(g->proposed_days, 0, d2, sizeof d2), pw, km, sm,
		              g->feasible ? "" : "  (no pattern fits: unchanged)");
	}
	const sl_ordering_total *t = &r->city;
	sl_buf_printf(
	    b,
	    "\nCity: deliveries/week %.1f -> %.1f (%+.1f %%), vehicle-km %.0f -> %.0f (%+.1f %%), "
	    "CO2e %.0f -> %.0f kg (%+.1f %%), small orders merged %lld of %lld\n",
	    t->per_week_before, t->per_week_after, pct(t->per_week_before, t->per_week_after),
	    t->km_before, t->km_after, pct(t->km_before, t->km_after), t->co2e_before_g / 1000,
	    t->co2e_after_g / 1000, pct(t->co2e_before_g, t->co2e_after_g),
	    (long long)t->small_merged, (long long)t->small_orders);
	return sl_buf_puts(b, "");
}
