/* opportunities.c — pooling opportunities with routed savings (issue 7,
 * item 3).
 *
 * The model, per day.
 *  1. The day's deliveries (status delivered or announced) whose supplier
 *     has a site (its depot: a site of type depot, else its first site).
 *  2. Each supplier's tours as they are: one vrp problem per supplier, its
 *     deliveries as jobs loaded at its depot (kg and m³ against its day's
 *     vehicle, time windows from the delivery, else the site's receiving
 *     hours), as many vehicles of that kind as its load needs plus one,
 *     objective distance.  (If the windows cannot all be met under our
 *     travel-time estimate, the windows are dropped: it did happen.)
 *  3. Candidate groups: receiving sites are clustered greedily — the site
 *     with the most suppliers first takes every not yet clustered site
 *     within radius_m (great circle) of itself, so clusters do not chain —
 *     and within a cluster the deliveries, ordered by window start, are cut
 *     into runs whose windows overlap (within window_slack_min).  A run with
 *     two or more suppliers is a candidate.  Temperature classes are not
 *     split here: the vrp model enforces them (skills), see 4.
 *  4. The pooled plan, the better of two models on top of the tours of 2:
 *     handover — each group delivery (in window order) may leave its own
 *     tour and ride on another involved supplier's tour, which picks it up
 *     at its supplier's depot and drops it at its site, at the cheapest
 *     feasible positions, when that costs less than removing it saves (a
 *     greedy remove-and-reinsert of pickup-delivery pairs); shared trip —
 *     the group's deliveries leave their tours (short-cut, an upper bound
 *     of the re-planned tour) and separate shared tours are planned by the
 *     vrp solver as pickup-and-delivery shipments: picked up at each
 *     supplier's depot and delivered in the window, by the involved
 *     suppliers' vehicles (one per load they carried) from and back to
 *     their own depots.  Both respect capacities (kg, m³), time windows and
 *     temperature classes (chilled, frozen; mixed needs both; a vehicle
 *     carries what its temp_classes list, and always what it carried that
 *     day).  Everybody carrying its own is a feasible plan of both, so an
 *     opportunity is only reported when pooling is shorter.
 *  5. Savings: vehicle-km before − after; site visits before − after; CO2e
 *     as km × the vehicle's well-to-wheel intensity: its own trips'
 *     trip_emissions over their distance, else the average of vehicles of
 *     its class and energy carrier, else the city's average, else an
 *     assumption (15 l diesel per 100 km, the ordering config's default)
 *     through the emissions module; the worst basis used is reported.
 *  6. The joint plan: the day's opportunities, best saving first, applied
 *     to one evolving copy of the tours, each re-priced against the tours
 *     as already changed and accepted only when it still saves (see "the
 *     joint plan" below), so that the day's total counts no change twice.
 *
 * Travel times: the route matrix's durations with a graph; otherwise
 * distance at 30 km/h.  Service: 5 min per delivery, 2 min per pickup.
 * Pickup-and-delivery with shipments is the classic PDPTW (Savelsbergh &
 * Sol 1995, "The general pickup and delivery problem", Transportation
 * Science 29(1)); the solver is the vrp module's SISR (docs/vrp.md) with an
 * iteration limit and a fixed seed, so the answer is deterministic.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samlast/emissions.h"
#include "samlast/pooling.h"
#include "samlast/route.h"
#include "samlast/vrp.h"

#define SPEED_MS (30.0 / 3.6)
#define SERVICE_DELIVERY_S 300.0
#define SERVICE_PICKUP_S 120.0
#define DEFAULT_CAP_KG 900.0
#define DEFAULT_CAP_M3 10.0
#define ASSUMED_L_100KM 15.0
#define MAX_SUPPLIERS_PER_GROUP 60
#define SK_CHILLED 1u
#define SK_FROZEN 2u

enum { Q_VEHICLE = 0, Q_CLASS, Q_CITY, Q_ASSUMED };
static const char *const QNAME[] = {"vehicle", "class_average", "city_average", "assumed"};

/* ---- data ---------------------------------------------------------------- */

struct veh {
	int64_t id;
	char cls[48], energy[48];
	double cap_kg, cap_m3;
	unsigned skills;
	double g_km;
	int quality;
};

struct sup {
	int64_t id;
	char ext[64], name[160], depot_ext[64];
	double lon, lat;
	int has_depot;
};

struct site {
	int64_t id, org_id;
	char ext[64], name[160];
	double lon, lat;
	int receiving;
};

struct del {
	int64_t id;
	int sup, site;      /* indices */
	int pt;             /* point index in the day matrix */
	int tw_from, tw_to; /* minutes */
	double kg, m3;
	int64_t parcels;
	int temp;           /* 0 ambient, 1 chilled, 2 frozen, 3 mixed */
	int64_t vehicle_id;
	/* as planned */
	int route;          /* route index in its supplier's plan, -1 */
	int group;          /* candidate index, -1 */
};

/* A supplier's day. */
struct sday {
	int active;
	int first, n;       /* its deliveries: dels[first .. first+n) (sorted) */
	int depot_pt;
	int veh;            /* index into vehicles, -1 default */
	double cap_kg, cap_m3;
	unsigned skills;
	double g_km;
	int quality;
	int windows;        /* planned with the time windows */
	double km;          /* its tours as they are */
	int n_routes;
	int *route_start, *route_len; /* into seq */
	int *seq;           /* delivery indices (global) in route order */
};

struct priced;

typedef struct ctx {
	sl_store *st;
	const sl_opp_query *q;
	sl_error *err;
	size_t nv, ns, nsite;
	struct veh *v;
	struct sup *s;
	struct site *site;
	double city_g_km;
	int city_quality;
	double assumed_g_km;
	/* the day */
	size_t nd;
	struct del *d;
	struct sday *sd;
	int npts;
	double *dist, *dur;
	int *pt_of_site;      /* per site index, -1 */
	int *pt_of_sup;
	int64_t off_graph;
	int64_t candidates;
	/* output */
	size_t nout, capout;
	sl_pooling_opportunity *out;
	int64_t *out_sup;     /* per output item: first index into out_members */
	size_t nmem, capmem;
	struct member { size_t item; int sup; int site; int64_t dels, parcels; double kg; } *mem;
	/* pooled tours of the items (item index in the tour) */
	size_t ntour, captour, nstop, capstop;
	struct ctour { size_t item; sl_opp_tour t; } *tour;
	sl_opp_stop *stop;
	/* the day's priced opportunities, for the joint plan */
	size_t npriced, cappriced;
	struct priced *priced;
	int has_matches;      /* the board's announcement_matches exists */
	int64_t *sharers;     /* organisations sharing with the viewer */
	size_t nsharers;
} ctx;

static int oom(sl_error *err)
{
	return sl_error_set(err, SL_ENOMEM, "out of memory");
}

static void cpy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

/* A grown copy of the array `arr` of *cap elements of `elem` bytes: twice
 * the capacity (`first` when empty), *cap updated; NULL (and *cap and `arr`
 * unchanged) when memory runs out. */
static void *grow(void *arr, size_t *cap, size_t elem, size_t first)
{
	size_t nc = *cap ? 2 * *cap : first;
	void *x = realloc(arr, nc * elem);
	if (x)
		*cap = nc;
	return x;
}

static int temp_code(const char *t)
{
	if (!t)
		return 0;
	if (!strcmp(t, "chilled"))
		return 1;
	if (!strcmp(t, "frozen"))
		return 2;
	if (!strcmp(t, "mixed"))
		return 3;
	return 0;
}

static unsigned temp_skills(int temp)
{
	return temp == 1 ? SK_CHILLED : temp == 2 ? SK_FROZEN : temp == 3 ? SK_CHILLED | SK_FROZEN : 0;
}

void sl_opp_query_init(sl_opp_query *q)
{
	memset(q, 0, sizeof *q);
	q->day = INT64_MIN;
	q->days = 1;
	q->radius_m = 1000;
	q->window_slack_min = 60;
	q->iterations = 500;
	q->seed = 1;
	q->viewer.kind = SL_VIEWER_CITY;
}

/* ---- loading ------------------------------------------------------------- */

static int load_static(ctx *c)
{
	sl_stmt *s = NULL;
	int rc;
	int64_t n = 0;
	/* suppliers and their depots */
	if ((rc = sl_store_query_int64(c->st, "SELECT COUNT(*) FROM organisations", &n, c->err)) < 0)
		return rc;
	c->s = calloc((size_t)n + 1, sizeof *c->s);
	if (!c->s)
		return oom(c->err);
	rc = sl_store_prepare(c->st,
	    "SELECT o.id, o.ext_id, o.name, "
	    "(SELECT x.lon FROM sites x WHERE x.org_id = o.id ORDER BY x.unit_type <> 'depot', x.id LIMIT 1), "
	    "(SELECT x.lat FROM sites x WHERE x.org_id = o.id ORDER BY x.unit_type <> 'depot', x.id LIMIT 1), "
	    "(SELECT x.ext_id FROM sites x WHERE x.org_id = o.id ORDER BY x.unit_type <> 'depot', x.id LIMIT 1) "
	    "FROM organisations o ORDER BY o.id", &s, c->err);
	if (rc < 0)
		return rc;
	while ((rc = sl_stmt_step(s, c->err)) == 1 && c->ns < (size_t)n) {
		struct sup *p = &c->s[c->ns++];
		p->id = sl_stmt_int64(s, 0);
		cpy(p->ext, sizeof p->ext, sl_stmt_text(s, 1));
		cpy(p->name, sizeof p->name, sl_stmt_text(s, 2));
		p->has_depot = !sl_stmt_is_null(s, 3);
		p->lon = sl_stmt_double(s, 3);
		p->lat = sl_stmt_double(s, 4);
		cpy(p->depot_ext, sizeof p->depot_ext, sl_stmt_text(s, 5));
	}
	sl_stmt_free(s);
	if (rc < 0)
		return rc;
	/* sites */
	if ((rc = sl_store_query_int64(c->st, "SELECT COUNT(*) FROM sites", &n, c->err)) < 0)
		return rc;
	c->site = calloc((size_t)n + 1, sizeof *c->site);
	if (!c->site)
		return oom(c->err);
	rc = sl_store_prepare(c->st,
	    "SELECT id, org_id, ext_id, name, lon, lat, unit_type <> 'depot' AND unit_type <> 'hub' "
	    "FROM sites ORDER BY id", &s, c->err);
	if (rc < 0)
		return rc;
	while ((rc = sl_stmt_step(s, c->err)) == 1 && c->nsite < (size_t)n) {
		struct site *p = &c->site[c->nsite++];
		p->id = sl_stmt_int64(s, 0);
		p->org_id = sl_stmt_int64(s, 1);
		cpy(p->ext, sizeof p->ext, sl_stmt_text(s, 2));
		cpy(p->name, sizeof p->name, sl_stmt_text(s, 3));
		p->lon = sl_stmt_double(s, 4);
		p->lat = sl_stmt_double(s, 5);
		p->receiving = (int)sl_stmt_int64(s, 6);
	}
	sl_stmt_free(s);
	if (rc < 0)
		return rc;
	int64_t hm = 0;
	if ((rc = sl_store_query_int64(c->st,
	                               "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND "
	                               "name = 'announcement_matches'", &hm, c->err)) < 0)
		return rc;
	c->has_matches = hm > 0;
	/* vehicles with their measured intensity */
	if ((rc = sl_store_query_int64(c->st, "SELECT COUNT(*) FROM vehicles", &n, c->err)) < 0)
		return rc;
	c->v = calloc((size_t)n + 1, sizeof *c->v);
	if (!c->v)
		return oom(c->err);
	rc = sl_store_prepare(c->st,
	    "SELECT v.id, v.vehicle_class, v.energy_carrier, v.capacity_kg, v.capacity_m3, "
	    "COALESCE(v.temp_classes, ''), e.g, e.m FROM vehicles v LEFT JOIN "
	    "(SELECT t.vehicle_id AS vid, SUM(te.wtw_g) AS g, SUM(t.distance_m) AS m FROM trips t "
	    " JOIN trip_emissions te ON te.trip_id = t.id WHERE t.distance_m > 0 "
	    " GROUP BY t.vehicle_id) e ON e.vid = v.id ORDER BY v.id", &s, c->err);
	if (rc < 0)
		return rc;
	double city_g = 0, city_m = 0;
	while ((rc = sl_stmt_step(s, c->err)) == 1 && c->nv < (size_t)n) {
		struct veh *p = &c->v[c->nv++];
		p->id = sl_stmt_int64(s, 0);
		cpy(p->cls, sizeof p->cls, sl_stmt_text(s, 1));
		cpy(p->energy, sizeof p->energy, sl_stmt_text(s, 2));
		p->cap_kg = sl_stmt_is_null(s, 3) ? DEFAULT_CAP_KG : sl_stmt_double(s, 3);
		p->cap_m3 = sl_stmt_is_null(s, 4) ? DEFAULT_CAP_M3 : sl_stmt_double(s, 4);
		const char *tc = sl_stmt_text(s, 5);
		p->skills = (tc && strstr(tc, "chilled") ? SK_CHILLED : 0) |
		            (tc && strstr(tc, "frozen") ? SK_FROZEN : 0);
		p->quality = Q_ASSUMED;
		if (!sl_stmt_is_null(s, 6) && sl_stmt_double(s, 7) > 0) {
			double g = sl_stmt_double(s, 6), m = sl_stmt_double(s, 7);
			p->g_km = g / (m / 1000.0);
			p->quality = Q_VEHICLE;
			city_g += g;
			city_m += m;
		}
	}
	sl_stmt_free(s);
	if (rc < 0)
		return rc;
	/* class averages for the vehicles without their own trips */
	for (size_t i = 0; i < c->nv; i++) {
		if (c->v[i].quality == Q_VEHICLE)
			continue;
		double sum = 0;
		int k = 0;
		for (size_t j = 0; j < c->nv; j++)
			if (c->v[j].quality == Q_VEHICLE && !strcmp(c->v[j].cls, c->v[i].cls) &&
			    !strcmp(c->v[j].energy, c->v[i].energy)) {
				sum += c->v[j].g_km;
				k++;
			}
		if (k) {
			c->v[i].g_km = sum / k;
			c->v[i].quality = Q_CLASS;
		}
	}
	/* the assumption, through the emissions module */
	sl_emissions_set *own = NULL;
	const sl_emissions_set *set = c->q->emissions;
	if (!set) {
		if ((rc = sl_emissions_set_load(NULL, &own, c->err)) < 0)
			return rc;
		set = own;
	}
	sl_em_trip_in in = {0};
	in.energy_carrier = "diesel";
	in.fuel_amount = ASSUMED_L_100KM;
	in.fuel_unit = "l";
	in.distance_m = 100000;
	sl_em_figures fig;
	rc = sl_emissions_trip(set, &in, &fig, NULL, NULL, 0, c->err);
	sl_emissions_set_free(own);
	if (rc < 0)
		return rc;
	c->assumed_g_km = (double)fig.wtw_g / 100.0;
	if (city_m > 0) {
		c->city_g_km = city_g / (city_m / 1000.0);
		c->city_quality = Q_CITY;
	} else {
		c->city_g_km = c->assumed_g_km;
		c->city_quality = Q_ASSUMED;
	}
	for (size_t i = 0; i < c->nv; i++)
		if (c->v[i].quality == Q_ASSUMED) {
			c->v[i].g_km = c->city_g_km;
			c->v[i].quality = c->city_quality;
		}
	return 0;
}

static int find_by_id64(const void *arr, size_t n, size_t stride, int64_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int64_t x = *(const int64_t *)((const char *)arr + mid * stride);
		if (x == id)
			return (int)mid;
		if (x < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int load_day(ctx *c, int64_t day)
{
	sl_stmt *s = NULL;
	int64_t n = 0;
	int rc;
	sl_stmt *cnt = NULL;
	if ((rc = sl_store_prepare(c->st, "SELECT COUNT(*) FROM deliveries WHERE local_day = ?1", &cnt,
	                           c->err)) < 0)
		return rc;
	sl_stmt_bind_int64(cnt, 1, day);
	if ((rc = sl_stmt_step(cnt, c->err)) == 1)
		n = sl_stmt_int64(cnt, 0);
	sl_stmt_free(cnt);
	if (rc < 0)
		return rc;
	c->d = calloc((size_t)n + 1, sizeof *c->d);
	if (!c->d)
		return oom(c->err);
	c->nd = 0;
	/* an announcement confirmed by another delivered row (the board's
	 * announcement_matches) is that row: leave it out */
	char sql[1024];
	snprintf(sql, sizeof sql,
	    "SELECT d.id, d.supplier_id, d.site_id, COALESCE(d.window_from_min, s.recv_from_min, 0), "
	    "COALESCE(d.window_to_min, s.recv_to_min, 1440), COALESCE(d.parcels, 0), "
	    "COALESCE(d.mass_kg, 0), COALESCE(d.volume_m3, 0), d.temp_class, COALESCE(d.vehicle_id, 0) "
	    "FROM deliveries d JOIN sites s ON s.id = d.site_id WHERE d.local_day = ?1 AND "
	    "d.status <> 'cancelled' %s ORDER BY d.supplier_id, d.id",
	    c->has_matches ? "AND NOT EXISTS (SELECT 1 FROM announcement_matches m WHERE "
	                     "m.announcement_id = d.id)" : "");
	rc = sl_store_prepare(c->st, sql, &s, c->err);
	if (rc < 0)
		return rc;
	sl_stmt_bind_int64(s, 1, day);
	while ((rc = sl_stmt_step(s, c->err)) == 1 && c->nd < (size_t)n) {
		struct del *p = &c->d[c->nd];
		p->id = sl_stmt_int64(s, 0);
		p->sup = find_by_id64(c->s, c->ns, sizeof *c->s, sl_stmt_int64(s, 1));
		p->site = find_by_id64(c->site, c->nsite, sizeof *c->site, sl_stmt_int64(s, 2));
		if (p->sup < 0 || p->site < 0 || !c->s[p->sup].has_depot)
			continue; /* no depot to start from: not plannable */
		p->tw_from = (int)sl_stmt_int64(s, 3);
		p->tw_to = (int)sl_stmt_int64(s, 4);
		if (p->tw_from < 0)
			p->tw_from = 0;
		if (p->tw_to > 1440 || p->tw_to < p->tw_from)
			p->tw_to = 1440;
		p->parcels = sl_stmt_int64(s, 5);
		p->kg = fmax(0, sl_stmt_double(s, 6));
		p->m3 = fmax(0, sl_stmt_double(s, 7));
		p->temp = temp_code(sl_stmt_text(s, 8));
		p->vehicle_id = sl_stmt_int64(s, 9);
		p->route = -1;
		p->group = -1;
		c->nd++;
	}
	sl_stmt_free(s);
	return rc < 0 ? rc : 0;
}

/* ---- the day's matrix ---------------------------------------------------- */

static void pt_coord(const ctx *c, const int *pts_src, int i, double *lon, double *lat)
{
	int src = pts_src[i];
	if (src >= 0) {
		*lon = c->site[src].lon;
		*lat = c->site[src].lat;
	} else {
		*lon = c->s[-src - 1].lon;
		*lat = c->s[-src - 1].lat;
	}
}

static int build_matrix(ctx *c)
{
	int rc = 0;
	c->pt_of_site = malloc((c->nsite + 1) * sizeof *c->pt_of_site);
	c->pt_of_sup = malloc((c->ns + 1) * sizeof *c->pt_of_sup);
	int *src = malloc((c->nsite + c->ns + 1) * sizeof *src);
	if (!c->pt_of_site || !c->pt_of_sup || !src) {
		free(src);
		return oom(c->err);
	}
	for (size_t i = 0; i < c->nsite; i++)
		c->pt_of_site[i] = -1;
	for (size_t i = 0; i < c->ns; i++)
		c->pt_of_sup[i] = -1;
	int n = 0;
	for (size_t i = 0; i < c->nd; i++) {
		struct del *d = &c->d[i];
		if (c->pt_of_sup[d->sup] < 0) {
			c->pt_of_sup[d->sup] = n;
			src[n++] = -d->sup - 1;
		}
		if (c->pt_of_site[d->site] < 0) {
			c->pt_of_site[d->site] = n;
			src[n++] = d->site;
		}
		d->pt = c->pt_of_site[d->site];
	}
	c->npts = n;
	size_t nn = (size_t)n * (size_t)n;
	c->dist = malloc((nn + 1) * sizeof *c->dist);
	c->dur = malloc((nn + 1) * sizeof *c->dur);
	if (!c->dist || !c->dur) {
		free(src);
		return oom(c->err);
	}
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++) {
			double a, b, x, y;
			pt_coord(c, src, i, &a, &b);
			pt_coord(c, src, j, &x, &y);
			double d = i == j ? 0 : sl_route_haversine_m(a, b, x, y) * SL_EM_DETOUR_FACTOR;
			c->dist[(size_t)i * n + j] = d;
			c->dur[(size_t)i * n + j] = d / SPEED_MS;
		}
	if (c->q->graph && n > 1) {
		sl_route_snap *snap = calloc((size_t)n, sizeof *snap);
		int *idx = malloc((size_t)n * sizeof *idx);
		double *md = NULL, *mt = NULL;
		sl_route_ctx *rctx = NULL;
		int k = 0;
		if (!snap || !idx) {
			rc = oom(c->err);
			goto gout;
		}
		for (int i = 0; i < n; i++) {
			double lon, lat;
			pt_coord(c, src, i, &lon, &lat);
			if (sl_route_nearest(c->q->graph, lon, lat, 0, &snap[k], NULL) == 0)
				idx[k++] = i;
			else
				c->off_graph++;
		}
		if (k > 1) {
			md = malloc((size_t)k * (size_t)k * sizeof *md);
			mt = malloc((size_t)k * (size_t)k * sizeof *mt);
			rctx = sl_route_ctx_new(c->q->graph);
			if (!md || !mt || !rctx) {
				rc = oom(c->err);
				goto gout;
			}
			if ((rc = sl_route_matrix(rctx, snap, (size_t)k, snap, (size_t)k, mt, md, c->err)) < 0)
				goto gout;
			for (int a = 0; a < k; a++)
				for (int b = 0; b < k; b++) {
					double x = md[(size_t)a * k + b], t = mt[(size_t)a * k + b];
					if (a == b || x < 0 || t < 0)
						continue; /* unreachable: keep the fallback */
					c->dist[(size_t)idx[a] * n + idx[b]] = x;
					c->dur[(size_t)idx[a] * n + idx[b]] = t;
				}
		}
	gout:
		free(snap);
		free(idx);
		free(md);
		free(mt);
		sl_route_ctx_free(rctx);
	}
	free(src);
	return rc;
}

static double DIST(const ctx *c, int a, int b)
{
	return c->dist[(size_t)a * (size_t)c->npts + (size_t)b];
}

/* ---- vrp problems -------------------------------------------------------- */

/* A vrp problem over the day points `pts[0..np)` (its locations). */
static sl_vrp_problem *problem(const ctx *c, const int *pts, int np, int ntasks, int nveh)
{
	sl_vrp_problem *p = sl_vrp_problem_new(np, ntasks, nveh);
	if (!p)
		return NULL;
	p->n_dims = 2;
	p->objective = SL_VRP_OBJ_DISTANCE;
	for (int i = 0; i < np; i++)
		for (int j = 0; j < np; j++) {
			p->dist[(size_t)i * np + j] = c->dist[(size_t)pts[i] * c->npts + pts[j]];
			p->dur[(size_t)i * np + j] = c->dur[(size_t)pts[i] * c->npts + pts[j]];
		}
	for (int v = 0; v < nveh; v++) {
		sl_vrp_vehicle *w = &p->vehicles[v];
		w->tw_start_s = 0;
		w->tw_end_s = 2 * 86400.0;
		w->max_travel_s = INFINITY;
		w->max_distance_m = INFINITY;
		w->cost_per_km = 1;
	}
	return p;
}

static int local_index(int *pts, int *np, int pt)
{
	for (int i = 0; i < *np; i++)
		if (pts[i] == pt)
			return i;
	pts[*np] = pt;
	return (*np)++;
}

static void set_window(sl_vrp_task *t, const struct del *d, int windows)
{
	t->n_tw = 0;
	if (windows && (d->tw_from > 0 || d->tw_to < 1440)) {
		t->n_tw = 1;
		t->tw[0].start_s = d->tw_from * 60.0;
		t->tw[0].end_s = d->tw_to * 60.0;
	}
}

static int solve(const ctx *c, const sl_vrp_problem *p, sl_vrp_solution **sol)
{
	sl_vrp_options o;
	sl_vrp_options_default(&o);
	o.objective = SL_VRP_OBJ_DISTANCE;
	o.time_limit_s = 0;
	o.iterations = c->q->iterations;
	o.seed = c->q->seed;
	o.threads = 1;
	return sl_vrp_solve(p, &o, sol, c->err);
}

/* Supplier `si`'s tours as they are. */
static int plan_supplier(ctx *c, int si)
{
	struct sday *sd = &c->sd[si];
	int n = sd->n;
	int *pts = malloc((size_t)(n + 1) * sizeof *pts);
	if (!pts)
		return oom(c->err);
	int np = 0;
	local_index(pts, &np, c->pt_of_sup[si]);
	double kg = 0, m3 = 0, maxkg = 0, maxm3 = 0;
	for (int i = 0; i < n; i++) {
		const struct del *d = &c->d[sd->first + i];
		kg += d->kg;
		m3 += d->m3;
		maxkg = fmax(maxkg, d->kg);
		maxm3 = fmax(maxm3, d->m3);
	}
	sd->cap_kg = fmax(sd->cap_kg, maxkg);
	sd->cap_m3 = fmax(sd->cap_m3, maxm3);
	int nveh = 1 + (int)fmax(ceil(kg / sd->cap_kg), ceil(m3 / sd->cap_m3));
	if (nveh < 2)
		nveh = 2;
	int rc = 0;
	sl_vrp_solution *sol = NULL;
	int windows;
	for (windows = 1; windows >= 0; windows--) {
		np = 1;
		sl_vrp_problem *p = NULL;
		int *loc = malloc((size_t)n * sizeof *loc);
		if (!loc) {
			free(pts);
			return oom(c->err);
		}
		for (int i = 0; i < n; i++)
			loc[i] = local_index(pts, &np, c->d[sd->first + i].pt);
		p = problem(c, pts, np, n, nveh);
		if (!p) {
			free(loc);
			free(pts);
			return oom(c->err);
		}
		for (int i = 0; i < n; i++) {
			const struct del *d = &c->d[sd->first + i];
			sl_vrp_task *t = &p->tasks[i];
			snprintf(t->id, sizeof t->id, "%lld", (long long)d->id);
			t->kind = SL_VRP_JOB;
			t->partner = -1;
			t->location = loc[i];
			t->delivery[0] = d->kg;
			t->delivery[1] = d->m3;
			t->service_s = SERVICE_DELIVERY_S;
			t->priority = 1;
			set_window(t, d, windows);
		}
		free(loc);
		for (int v = 0; v < nveh; v++) {
			sl_vrp_vehicle *w = &p->vehicles[v];
			snprintf(w->id, sizeof w->id, "%d", v);
			w->start_loc = w->end_loc = 0;
			w->capacity[0] = sd->cap_kg;
			w->capacity[1] = sd->cap_m3;
		}
		rc = solve(c, p, &sol);
		sl_vrp_problem_free(p);
		if (rc < 0) {
			free(pts);
			return rc;
		}
		if (sol->n_unassigned == 0)
			break;
		sl_vrp_solution_free(sol);
		sol = NULL;
	}
	free(pts);
	if (!sol)
		return 0; /* not plannable: stays inactive */
	sd->route_start = calloc((size_t)sol->n_routes + 1, sizeof *sd->route_start);
	sd->route_len = calloc((size_t)sol->n_routes + 1, sizeof *sd->route_len);
	sd->seq = calloc((size_t)n + 1, sizeof *sd->seq);
	if (!sd->route_start || !sd->route_len || !sd->seq) {
		sl_vrp_solution_free(sol);
		return oom(c->err);
	}
	int k = 0;
	sd->km = 0;
	for (int r = 0; r < sol->n_routes; r++) {
		const sl_vrp_route *ro = &sol->routes[r];
		if (!ro->n)
			continue;
		sd->route_start[sd->n_routes] = k;
		sd->route_len[sd->n_routes] = ro->n;
		int prev = sd->depot_pt;
		for (int i = 0; i < ro->n; i++) {
			int di = sd->first + ro->tasks[i];
			c->d[di].route = sd->n_routes;
			sd->seq[k++] = di;
			sd->km += DIST(c, prev, c->d[di].pt) / 1000.0;
			prev = c->d[di].pt;
		}
		sd->km += DIST(c, prev, sd->depot_pt) / 1000.0;
		sd->n_routes++;
	}
	sl_vrp_solution_free(sol);
	sd->active = 1;
	sd->windows = windows;
	return 0;
}

/* Supplier si's tours without the deliveries of group g (short-cut), km;
 * and its site visits of the group in its tours as they are. */
static double tours_without(const ctx *c, int si, int g, int64_t *visits)
{
	const struct sday *sd = &c->sd[si];
	double km = 0;
	*visits = 0;
	for (int r = 0; r < sd->n_routes; r++) {
		int prev = sd->depot_pt, prev_g_pt = -1;
		for (int i = 0; i < sd->route_len[r]; i++) {
			const struct del *d = &c->d[sd->seq[sd->route_start[r] + i]];
			if (d->group == g) {
				if (d->pt != prev_g_pt)
					(*visits)++;
				prev_g_pt = d->pt;
				continue;
			}
			prev_g_pt = -1;
			km += DIST(c, prev, d->pt) / 1000.0;
			prev = d->pt;
		}
		if (prev != sd->depot_pt)
			km += DIST(c, prev, sd->depot_pt) / 1000.0;
	}
	return km;
}

/* ---- candidates ---------------------------------------------------------- */

struct sitekey { int site, suppliers, dels; };

static int cmp_sitekey(const void *a, const void *b)
{
	const struct sitekey *x = a, *y = b;
	if (x->suppliers != y->suppliers)
		return y->suppliers - x->suppliers;
	if (x->dels != y->dels)
		return y->dels - x->dels;
	return x->site - y->site;
}

struct delkey { int from, to; int64_t id; int idx; };

static int cmp_delkey(const void *a, const void *b)
{
	const struct delkey *x = a, *y = b;
	if (x->from != y->from)
		return x->from - y->from;
	if (x->to != y->to)
		return x->to - y->to;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Sort delivery indices by window start, window end, id. */
static int sort_by_window(const ctx *c, int *members, int n)
{
	struct delkey *k = malloc(((size_t)n + 1) * sizeof *k);
	if (!k)
		return oom(c->err);
	for (int i = 0; i < n; i++) {
		const struct del *d = &c->d[members[i]];
		k[i] = (struct delkey){d->tw_from, d->tw_to, d->id, members[i]};
	}
	qsort(k, (size_t)n, sizeof *k, cmp_delkey);
	for (int i = 0; i < n; i++)
		members[i] = k[i].idx;
	free(k);
	return 0;
}

/* ---- handover: a group delivery rides on another supplier's tour -------- */

struct lstop {
	int del;  /* delivery index */
	int pick; /* 1: its pickup at its supplier's depot */
};

struct lroute {
	int sup;
	int n;
	struct lstop *s;
	double km;
};

/* The plan's outcome for one candidate. */
struct outcome {
	double km_before, km_after, co2_before, co2_after;
	int64_t vis_before, vis_after;
	int shared, moved, quality;
	/* the tours that carry others' goods: host supplier and stops */
	int ntours, nst;
	int *host, *start, *len;
	struct lstop *st;
};

static void outcome_free(struct outcome *o)
{
	free(o->host);
	free(o->start);
	free(o->len);
	free(o->st);
}

/* Keep a tour of the plan in *o (copied). */
static int outcome_tour(ctx *c, struct outcome *o, int host, const struct lstop *s, int n)
{
	int *h = realloc(o->host, (size_t)(o->ntours + 1) * sizeof *h);
	if (h)
		o->host = h;
	int *a = realloc(o->start, (size_t)(o->ntours + 1) * sizeof *a);
	if (a)
		o->start = a;
	int *l = realloc(o->len, (size_t)(o->ntours + 1) * sizeof *l);
	if (l)
		o->len = l;
	struct lstop *x = realloc(o->st, (size_t)(o->nst + n + 1) * sizeof *x);
	if (x)
		o->st = x;
	if (!h || !a || !l || !x)
		return oom(c->err);
	o->host[o->ntours] = host;
	o->start[o->ntours] = o->nst;
	o->len[o->ntours] = n;
	memcpy(o->st + o->nst, s, (size_t)n * sizeof *s);
	o->nst += n;
	o->ntours++;
	return 0;
}

static int stop_pt(const ctx *c, const struct lstop *x)
{
	const struct del *d = &c->d[x->del];
	return x->pick ? c->pt_of_sup[d->sup] : d->pt;
}

/* Simulate a tour of `host`'s vehicle over s[0..n): loads (its own
 * deliveries loaded at its depot, others' picked up on the way) against its
 * capacity, arrival times against windows (the host's own only when it was
 * planned with windows; a handed-over delivery's always).  Returns 1 and
 * *km when feasible. */
static int has_pick(const struct lstop *s, int n, int del)
{
	for (int i = 0; i < n; i++)
		if (s[i].pick && s[i].del == del)
			return 1;
	return 0;
}

/* Simulate a tour of `host`'s vehicle over s[0..n): loads (its own
 * deliveries without a pickup stop are loaded at its depot, the rest picked
 * up on the way) against its capacity, arrival times against windows (the
 * host's own only when it was planned with windows; a handed-over or
 * picked-up delivery's always) and the temperature classes it may carry.
 * Returns 1 and *km when feasible.  With `rec`, the stops are appended to
 * the context's tour record (arrival and load after each). */
static int route_eval_rec(ctx *c, int host, const struct lstop *s, int n, double *km, int rec)
{
	const struct sday *sd = &c->sd[host];
	double kg = 0, m3 = 0, t = 0, len = 0;
	for (int i = 0; i < n; i++) {
		const struct del *d = &c->d[s[i].del];
		if (!s[i].pick && d->sup == host && !has_pick(s, n, s[i].del)) {
			kg += d->kg;
			m3 += d->m3;
		}
		unsigned need = temp_skills(d->temp);
		if ((sd->skills & need) != need)
			return 0;
	}
	if (kg > sd->cap_kg + 1e-9 || m3 > sd->cap_m3 + 1e-9)
		return 0;
	int prev = sd->depot_pt;
	/* for the record: leave as late as the first wait allows, so that the
	 * times shown are not a midnight departure followed by a long wait */
	size_t base = c->nstop;
	int first_wait = -1;
	double wait_s = 0, slack_s = INFINITY;
	for (int i = 0; i < n; i++) {
		const struct del *d = &c->d[s[i].del];
		int pt = stop_pt(c, &s[i]);
		len += DIST(c, prev, pt);
		t += c->dur[(size_t)prev * (size_t)c->npts + (size_t)pt];
		prev = pt;
		if (s[i].pick) {
			kg += d->kg;
			m3 += d->m3;
			if (kg > sd->cap_kg + 1e-9 || m3 > sd->cap_m3 + 1e-9)
				return 0;
		} else {
			int checked = sd->windows || d->sup != host || has_pick(s, n, s[i].del);
			if (checked && (d->tw_from > 0 || d->tw_to < 1440)) {
				if (first_wait < 0 && t < d->tw_from * 60.0) {
					first_wait = i;
					wait_s = d->tw_from * 60.0 - t;
				} else if (first_wait < 0 && d->tw_to * 60.0 - t < slack_s) {
					slack_s = d->tw_to * 60.0 - t;
				}
				if (t < d->tw_from * 60.0)
					t = d->tw_from * 60.0;
				if (t > d->tw_to * 60.0 + 1e-6)
					return 0;
			}
			kg -= d->kg;
			m3 -= d->m3;
		}
		if (rec) {
			if (c->nstop == c->capstop) {
				void *x = grow(c->stop, &c->capstop, sizeof *c->stop, 256);
				if (!x)
					return -1;
				c->stop = x;
			}
			sl_opp_stop *o = &c->stop[c->nstop++];
			memset(o, 0, sizeof *o);
			o->pickup = s[i].pick;
			cpy(o->place, sizeof o->place,
			    s[i].pick ? c->s[d->sup].depot_ext : c->site[d->site].ext);
			cpy(o->supplier, sizeof o->supplier, c->s[d->sup].ext);
			o->delivery_id = d->id;
			o->temp = d->temp;
			o->arrival_min = (int)floor(t / 60.0 + 1e-9);
			o->window_from_min = d->tw_from;
			o->window_to_min = d->tw_to;
			o->load_kg = kg;
			o->load_m3 = m3;
		}
		t += s[i].pick ? SERVICE_PICKUP_S : SERVICE_DELIVERY_S;
	}
	if (rec && first_wait > 0) {
		int shift_min = (int)floor(fmin(wait_s, slack_s) / 60.0);
		for (int i = 0; i < first_wait; i++)
			c->stop[base + (size_t)i].arrival_min += shift_min;
	}
	len += DIST(c, prev, sd->depot_pt);
	*km = len / 1000.0;
	return 1;
}

static int route_eval(const ctx *c, int host, const struct lstop *s, int n, double *km)
{
	return route_eval_rec((ctx *)c, host, s, n, km, 0);
}

/* Record a pooled tour of item `item` (the next output item). */
static int record_tour(ctx *c, size_t item, int host, const struct lstop *s, int n)
{
	if (c->ntour == c->captour) {
		void *x = grow(c->tour, &c->captour, sizeof *c->tour, 64);
		if (!x)
			return oom(c->err);
		c->tour = x;
	}
	struct ctour *ct = &c->tour[c->ntour];
	memset(ct, 0, sizeof *ct);
	ct->item = item;
	const struct sday *sd = &c->sd[host];
	cpy(ct->t.supplier, sizeof ct->t.supplier, c->s[host].ext);
	ct->t.cap_kg = sd->cap_kg;
	ct->t.cap_m3 = sd->cap_m3;
	ct->t.temp_ok = 1u | (sd->skills & SK_CHILLED ? 2u : 0) | (sd->skills & SK_FROZEN ? 4u : 0) |
	                ((sd->skills & (SK_CHILLED | SK_FROZEN)) == (SK_CHILLED | SK_FROZEN) ? 8u : 0);
	ct->t.first_stop = c->nstop;
	int ok = route_eval_rec(c, host, s, n, &ct->t.km, 1);
	if (ok < 0)
		return oom(c->err);
	ct->t.n_stops = c->nstop - ct->t.first_stop;
	c->ntour++;
	return 0;
}

/* Site visits of group g on a tour: maximal runs of deliveries (pickups
 * skipped) at one site that hold a group delivery. */
static int64_t group_visits(const ctx *c, const struct lroute *r, int g)
{
	int64_t v = 0;
	int run_pt = -1, run_g = 0;
	for (int i = 0; i <= r->n; i++) {
		if (i < r->n && r->s[i].pick)
			continue;
		int pt = i < r->n ? c->d[r->s[i].del].pt : -2;
		if (pt != run_pt) {
			v += run_g;
			run_pt = pt;
			run_g = 0;
		}
		if (i < r->n && c->d[r->s[i].del].group == g)
			run_g = 1;
	}
	return v;
}

/* Plain length of a tour of `host`'s vehicle over s[0..n), depot to depot. */
static double stops_km(const ctx *c, int host, const struct lstop *s, int n)
{
	int dep = c->sd[host].depot_pt, prev = dep;
	double len = 0;
	for (int i = 0; i < n; i++) {
		len += DIST(c, prev, stop_pt(c, &s[i]));
		prev = stop_pt(c, &s[i]);
	}
	return (len + DIST(c, prev, dep)) / 1000.0;
}

/* The involved suppliers' tours a plan starts from: r[0..nr), each with
 * room for `room` stops (in `pool`); `from` is each route's index in the
 * joint plan (joint mode only). */
struct routeset {
	int nr, room;
	struct lroute *r;
	struct lstop *pool;
	int *from;
};

static void routeset_free(struct routeset *rs)
{
	free(rs->r);
	free(rs->pool);
	free(rs->from);
	memset(rs, 0, sizeof *rs);
}

static int routeset_alloc(ctx *c, struct routeset *rs, int nr, int room)
{
	rs->nr = nr;
	rs->room = room;
	rs->r = calloc((size_t)nr + 1, sizeof *rs->r);
	rs->pool = calloc((size_t)(nr + 1) * (size_t)room, sizeof *rs->pool);
	rs->from = calloc((size_t)nr + 1, sizeof *rs->from);
	if (!rs->r || !rs->pool || !rs->from) {
		routeset_free(rs);
		return oom(c->err);
	}
	for (int q = 0; q < nr; q++)
		rs->r[q].s = rs->pool + (size_t)q * (size_t)room;
	return 0;
}

/* A route's km: its simulated length (a solver plan or an accepted change
 * is feasible; should it not be, its plain length). */
static double route_km(const ctx *c, const struct lroute *r)
{
	double km;
	if (!route_eval(c, r->sup, r->s, r->n, &km))
		km = stops_km(c, r->sup, r->s, r->n);
	return km;
}

/* The involved suppliers' tours as they are (step 2), with room for the
 * nm group deliveries' pickups and drops. */
static int routes_alone(ctx *c, const int *sups, int ns, int nm, struct routeset *rs)
{
	int nr = 0, total = 0;
	for (int k = 0; k < ns; k++) {
		nr += c->sd[sups[k]].n_routes;
		total += c->sd[sups[k]].n;
	}
	int rc = routeset_alloc(c, rs, nr, total + 2 * nm + 2);
	if (rc < 0)
		return rc;
	int ri = 0;
	for (int k = 0; k < ns; k++) {
		const struct sday *sd = &c->sd[sups[k]];
		for (int q = 0; q < sd->n_routes; q++, ri++) {
			struct lroute *r = &rs->r[ri];
			r->sup = sups[k];
			r->n = sd->route_len[q];
			for (int i = 0; i < r->n; i++)
				r->s[i] = (struct lstop){sd->seq[sd->route_start[q] + i], 0};
			r->km = route_km(c, r);
			rs->from[ri] = -1;
		}
	}
	return 0;
}

/* Hand the group's deliveries one by one (by window) to the involved
 * supplier tour where picking them up at their depot and dropping them
 * costs least, when that is less than what removing them from their own
 * tour saves, keeping every tour feasible.  A greedy
 * remove-and-reinsert on the tours `rs` (changed in place; cheapest
 * insertion of a pickup-delivery pair, as in the insertion heuristics for
 * the PDPTW). */
static int handover(ctx *c, int g, struct routeset *rs, const int *members, int nm,
                    struct outcome *oc)
{
	int nr = rs->nr;
	struct lroute *r = rs->r;
	struct lstop *tmp = calloc((size_t)rs->room + 1, sizeof *tmp);
	int rc = 0;
	if (!tmp)
		return oom(c->err);
	for (int q = 0; q < nr; q++) {
		oc->km_before += r[q].km;
		oc->co2_before += r[q].km * c->sd[r[q].sup].g_km;
		oc->vis_before += group_visits(c, &r[q], g);
	}
	for (int m = 0; m < nm; m++) {
		int di = members[m];
		const struct del *d = &c->d[di];
		/* where it is now (it has not moved yet) */
		int ra = -1, pa = -1;
		for (int q = 0; q < nr && ra < 0; q++)
			for (int i = 0; i < r[q].n; i++)
				if (r[q].s[i].del == di && !r[q].s[i].pick) {
					ra = q;
					pa = i;
					break;
				}
		if (ra < 0)
			continue;
		int nt = 0;
		for (int i = 0; i < r[ra].n; i++)
			if (i != pa)
				tmp[nt++] = r[ra].s[i];
		double km_without;
		if (!route_eval(c, r[ra].sup, tmp, nt, &km_without))
			continue;
		double gain = r[ra].km - km_without, best = gain - 1e-6;
		int bq = -1, bi = -1, bj = -1;
		double bkm = 0;
		unsigned need = temp_skills(d->temp);
		int ppt = c->pt_of_sup[d->sup], dpt = d->pt;
		for (int q = 0; q < nr; q++) {
			const struct lroute *h = &r[q];
			if (h->sup == d->sup || (c->sd[h->sup].skills & need) != need)
				continue;
			int dep = c->sd[h->sup].depot_pt;
			for (int i = 0; i <= h->n; i++) {
				int a = i ? stop_pt(c, &h->s[i - 1]) : dep, b = i < h->n ? stop_pt(c, &h->s[i]) : dep;
				for (int j = i; j <= h->n; j++) {
					double delta;
					if (i == j) {
						delta = DIST(c, a, ppt) + DIST(c, ppt, dpt) + DIST(c, dpt, b) - DIST(c, a, b);
					} else {
						int x = stop_pt(c, &h->s[j - 1]), y = j < h->n ? stop_pt(c, &h->s[j]) : dep;
						delta = DIST(c, a, ppt) + DIST(c, ppt, b) - DIST(c, a, b) +
						        DIST(c, x, dpt) + DIST(c, dpt, y) - DIST(c, x, y);
					}
					if (delta / 1000.0 - 2e-7 >= best)
						continue;
					nt = 0;
					for (int k = 0; k <= h->n; k++) {
						if (k == i)
							tmp[nt++] = (struct lstop){di, 1};
						if (k == j)
							tmp[nt++] = (struct lstop){di, 0};
						if (k < h->n)
							tmp[nt++] = h->s[k];
					}
					/* on a tie, prefer dropping next to another delivery at
					 * the same site (one visit instead of two) */
					int at = i == j ? i + 1 : j + 1, same = 0;
					if (at > 0 && !tmp[at - 1].pick && c->d[tmp[at - 1].del].pt == dpt)
						same = 1;
					if (at + 1 < nt && !tmp[at + 1].pick && c->d[tmp[at + 1].del].pt == dpt)
						same = 1;
					double km;
					if (route_eval(c, h->sup, tmp, nt, &km) && km - h->km - same * 1e-7 < best) {
						best = km - h->km - same * 1e-7;
						bq = q;
						bi = i;
						bj = j;
						bkm = km;
					}
				}
			}
		}
		if (bq < 0)
			continue;
		/* apply: remove from ra, insert into bq */
		memmove(&r[ra].s[pa], &r[ra].s[pa + 1], (size_t)(r[ra].n - pa - 1) * sizeof *r[ra].s);
		r[ra].n--;
		r[ra].km = km_without;
		struct lroute *h = &r[bq];
		nt = 0;
		for (int k = 0; k <= h->n; k++) {
			if (k == bi)
				tmp[nt++] = (struct lstop){di, 1};
			if (k == bj)
				tmp[nt++] = (struct lstop){di, 0};
			if (k < h->n)
				tmp[nt++] = h->s[k];
		}
		memcpy(h->s, tmp, (size_t)nt * sizeof *tmp);
		h->n = nt;
		h->km = bkm;
		oc->moved++;
	}
	for (int q = 0; q < nr; q++) {
		oc->km_after += r[q].km;
		oc->co2_after += r[q].km * c->sd[r[q].sup].g_km;
		oc->vis_after += group_visits(c, &r[q], g);
		int carries = 0;
		for (int i = 0; i < r[q].n; i++)
			carries |= r[q].s[i].pick;
		if (carries && (rc = outcome_tour(c, oc, r[q].sup, r[q].s, r[q].n)) < 0)
			break;
	}
	free(tmp);
	return rc;
}

/* ---- pooling one group --------------------------------------------------- */

static int push_member(ctx *c, size_t item, int sup, int site, const struct del *d)
{
	for (size_t i = c->nmem; i-- > 0 && c->mem[i].item == item;)
		if (c->mem[i].sup == sup && c->mem[i].site == site) {
			c->mem[i].dels++;
			c->mem[i].parcels += d->parcels;
			c->mem[i].kg += d->kg;
			return 0;
		}
	if (c->nmem == c->capmem) {
		void *x = grow(c->mem, &c->capmem, sizeof *c->mem, 256);
		if (!x)
			return oom(c->err);
		c->mem = x;
	}
	c->mem[c->nmem++] = (struct member){item, sup, site, 1, d->parcels, d->kg};
	return 0;
}

/* The shared-trip plan: the group's deliveries leave their suppliers'
 * tours (short-cut) and are carried on separate shared tours planned by the
 * vrp solver as pickup-delivery shipments. */
static int shared_trip(ctx *c, int g, const int *sups, int ns, const int *members, int nm,
                       struct outcome *oc, int *ok)
{
	*ok = 0;
	int nveh = 0, vcount[MAX_SUPPLIERS_PER_GROUP];
	for (int k = 0; k < ns; k++) {
		const struct sday *sd = &c->sd[sups[k]];
		double kg = 0, m3 = 0;
		for (int i = 0; i < nm; i++)
			if (c->d[members[i]].sup == sups[k]) {
				kg += c->d[members[i]].kg;
				m3 += c->d[members[i]].m3;
			}
		vcount[k] = (int)fmax(1, fmax(ceil(kg / sd->cap_kg), ceil(m3 / sd->cap_m3)));
		nveh += vcount[k];
	}
	int *pts = malloc((size_t)(2 * nm + ns + 1) * sizeof *pts);
	int *loc = malloc((size_t)(nm + 1) * sizeof *loc);
	if (!pts || !loc) {
		free(pts);
		free(loc);
		return oom(c->err);
	}
	int np = 0;
	for (int k = 0; k < ns; k++)
		local_index(pts, &np, c->pt_of_sup[sups[k]]);
	for (int i = 0; i < nm; i++)
		loc[i] = local_index(pts, &np, c->d[members[i]].pt);
	sl_vrp_problem *p = problem(c, pts, np, 2 * nm, nveh);
	sl_vrp_solution *sol = NULL;
	int rc = 0;
	if (!p) {
		rc = oom(c->err);
		goto out;
	}
	for (int i = 0; i < nm; i++) {
		const struct del *d = &c->d[members[i]];
		int k;
		for (k = 0; sups[k] != d->sup; k++)
			;
		sl_vrp_task *pu = &p->tasks[2 * i], *de = &p->tasks[2 * i + 1];
		snprintf(pu->id, sizeof pu->id, "p%lld", (long long)d->id);
		snprintf(de->id, sizeof de->id, "d%lld", (long long)d->id);
		pu->kind = SL_VRP_SHIP_PICKUP;
		de->kind = SL_VRP_SHIP_DELIVERY;
		pu->partner = 2 * i + 1;
		de->partner = 2 * i;
		pu->location = k; /* the depots are the first ns points */
		de->location = loc[i];
		pu->pickup[0] = de->pickup[0] = d->kg;
		pu->pickup[1] = de->pickup[1] = d->m3;
		pu->service_s = SERVICE_PICKUP_S;
		de->service_s = SERVICE_DELIVERY_S;
		pu->skills = de->skills = temp_skills(d->temp);
		pu->priority = de->priority = 1;
		set_window(de, d, 1);
	}
	int v = 0;
	for (int k = 0; k < ns; k++) {
		const struct sday *sd = &c->sd[sups[k]];
		for (int j = 0; j < vcount[k]; j++, v++) {
			sl_vrp_vehicle *w = &p->vehicles[v];
			snprintf(w->id, sizeof w->id, "%d", k);
			w->start_loc = w->end_loc = k;
			w->capacity[0] = sd->cap_kg;
			w->capacity[1] = sd->cap_m3;
			w->skills = sd->skills;
		}
	}
	if ((rc = solve(c, p, &sol)) < 0 || sol->n_unassigned > 0)
		goto out; /* not plannable together */
	for (int k = 0; k < ns; k++) {
		const struct sday *sd = &c->sd[sups[k]];
		int64_t vb;
		double rest = tours_without(c, sups[k], g, &vb);
		oc->km_before += sd->km;
		oc->km_after += rest;
		oc->co2_before += sd->km * sd->g_km;
		oc->co2_after += rest * sd->g_km;
		oc->vis_before += vb;
	}
	for (int r = 0; r < sol->n_routes; r++) {
		const sl_vrp_route *ro = &sol->routes[r];
		if (!ro->n)
			continue;
		oc->shared++;
		const sl_vrp_vehicle *w = &p->vehicles[ro->vehicle];
		const struct sday *sd = &c->sd[sups[w->start_loc]];
		double km = 0;
		int prev = w->start_loc, prev_site = -1;
		for (int i = 0; i < ro->n; i++) {
			const sl_vrp_task *t = &p->tasks[ro->tasks[i]];
			km += p->dist[(size_t)prev * np + t->location] / 1000.0;
			prev = t->location;
			if (t->kind == SL_VRP_SHIP_DELIVERY) {
				if (t->location != prev_site)
					oc->vis_after++;
				prev_site = t->location;
			}
		}
		km += p->dist[(size_t)prev * np + w->end_loc] / 1000.0;
		oc->km_after += km;
		oc->co2_after += km * sd->g_km;
		struct lstop *ls = malloc((size_t)ro->n * sizeof *ls);
		if (!ls) {
			rc = oom(c->err);
			goto out;
		}
		for (int i = 0; i < ro->n; i++)
			ls[i] = (struct lstop){members[ro->tasks[i] / 2], ro->tasks[i] % 2 == 0};
		rc = outcome_tour(c, oc, sups[w->start_loc], ls, ro->n);
		free(ls);
		if (rc < 0)
			goto out;
	}
	oc->moved = nm;
	*ok = 1;
out:
	sl_vrp_solution_free(sol);
	sl_vrp_problem_free(p);
	free(pts);
	free(loc);
	return rc;
}

static int record(ctx *c, int64_t day, int g, const int *sups, int ns, const int *members, int nm,
                  const struct outcome *best, int is_handover);

/* ---- the joint plan ------------------------------------------------------
 *
 * Each opportunity above is priced alone against the tours as they are.
 * Two opportunities of a day may involve the same supplier's tour, so the
 * sum of their savings can count an overlapping change twice.  The joint
 * plan applies the day's opportunities, best saving first (ties in
 * candidate order), to one evolving copy of the day's tours: each is
 * re-priced with the same models and feasibility rules against the tours
 * as already changed, accepted only when it still strictly saves, and then
 * changes its suppliers' tours.  Its savings are those of one real plan.
 *
 * Handover is re-run on the changed tours.  A shared trip's own tours do
 * not depend on the other tours (separate vehicles, solved from the group's
 * deliveries alone), so the alone solve is kept and only the short-cut
 * rest of the suppliers' tours is re-priced; a handover opportunity is not
 * offered the shared-trip model here (its alone bound may no longer hold)
 * — that can only find less, never count more. */

/* An opportunity of the day as priced alone. */
struct priced {
	int g;       /* candidate index: the order on ties */
	size_t item; /* its output item */
	int *members, nm;
	double km_saved;       /* alone */
	struct outcome shared; /* its shared tours, when that was its model */
	int has_shared;
};

static int remember_priced(ctx *c, int g, size_t item, const int *members, int nm,
                           struct outcome *shared)
{
	if (c->npriced == c->cappriced) {
		void *x = grow(c->priced, &c->cappriced, sizeof *c->priced, 64);
		if (!x)
			return oom(c->err);
		c->priced = x;
	}
	struct priced *p = &c->priced[c->npriced];
	memset(p, 0, sizeof *p);
	p->members = malloc((size_t)nm * sizeof *p->members);
	if (!p->members)
		return oom(c->err);
	memcpy(p->members, members, (size_t)nm * sizeof *members);
	p->g = g;
	p->item = item;
	p->nm = nm;
	p->km_saved = c->out[item].km_saved;
	if (shared) { /* ownership of its tours moves here */
		p->shared = *shared;
		p->has_shared = 1;
		memset(shared, 0, sizeof *shared);
	}
	c->npriced++;
	return 0;
}

static void free_priced(ctx *c)
{
	for (size_t i = 0; i < c->npriced; i++) {
		free(c->priced[i].members);
		outcome_free(&c->priced[i].shared);
	}
	c->npriced = 0;
}

/* The day's tours as they evolve: every active supplier's routes, each
 * stop array owned. */
struct jplan {
	int nr;
	struct lroute *r;
};

static void jplan_free(struct jplan *jp)
{
	for (int q = 0; q < jp->nr; q++)
		free(jp->r[q].s);
	free(jp->r);
	jp->r = NULL;
	jp->nr = 0;
}

static int jplan_init(ctx *c, struct jplan *jp)
{
	int nr = 0;
	for (size_t si = 0; si < c->ns; si++)
		nr += c->sd[si].active ? c->sd[si].n_routes : 0;
	jp->r = calloc((size_t)nr + 1, sizeof *jp->r);
	if (!jp->r)
		return oom(c->err);
	for (size_t si = 0; si < c->ns; si++) {
		const struct sday *sd = &c->sd[si];
		for (int q = 0; sd->active && q < sd->n_routes; q++) {
			struct lroute *r = &jp->r[jp->nr];
			r->s = malloc(((size_t)sd->route_len[q] + 1) * sizeof *r->s);
			if (!r->s)
				return oom(c->err);
			jp->nr++;
			r->sup = (int)si;
			r->n = sd->route_len[q];
			for (int i = 0; i < r->n; i++)
				r->s[i] = (struct lstop){sd->seq[sd->route_start[q] + i], 0};
			r->km = route_km(c, r);
		}
	}
	return 0;
}

static double jplan_km(const struct jplan *jp)
{
	double km = 0;
	for (int q = 0; q < jp->nr; q++)
		km += jp->r[q].km;
	return km;
}

static int in_list(const int *a, int n, int x)
{
	for (int i = 0; i < n; i++)
		if (a[i] == x)
			return 1;
	return 0;
}

/* The involved suppliers' tours as the joint plan has them now. */
static int routes_joint(ctx *c, const struct jplan *jp, const int *sups, int ns, int nm,
                        struct routeset *rs)
{
	int nr = 0, total = 0;
	for (int q = 0; q < jp->nr; q++)
		if (in_list(sups, ns, jp->r[q].sup)) {
			nr++;
			total += jp->r[q].n;
		}
	int rc = routeset_alloc(c, rs, nr, total + 2 * nm + 2);
	if (rc < 0)
		return rc;
	int ri = 0;
	for (int q = 0; q < jp->nr; q++) {
		const struct lroute *src = &jp->r[q];
		if (!in_list(sups, ns, src->sup))
			continue;
		struct lroute *r = &rs->r[ri];
		r->sup = src->sup;
		r->n = src->n;
		r->km = src->km;
		memcpy(r->s, src->s, (size_t)src->n * sizeof *src->s);
		rs->from[ri++] = q;
	}
	return 0;
}

/* Replace the joint plan's route q by s[0..n) of km. */
static int jplan_set(ctx *c, struct jplan *jp, int q, const struct lstop *s, int n, double km)
{
	struct lstop *x = malloc(((size_t)n + 1) * sizeof *x);
	if (!x)
		return oom(c->err);
	memcpy(x, s, (size_t)n * sizeof *s);
	free(jp->r[q].s);
	jp->r[q].s = x;
	jp->r[q].n = n;
	jp->r[q].km = km;
	return 0;
}

static int jplan_add(ctx *c, struct jplan *jp, int host, const struct lstop *s, int n)
{
	struct lroute *r = realloc(jp->r, ((size_t)jp->nr + 2) * sizeof *r);
	if (!r)
		return oom(c->err);
	jp->r = r;
	memset(&jp->r[jp->nr], 0, sizeof *jp->r);
	jp->r[jp->nr].sup = host;
	jp->nr++;
	return jplan_set(c, jp, jp->nr - 1, s, n, stops_km(c, host, s, n));
}

/* Remove group g's stops from route r (short-cut) into out; returns n. */
static int without_group(const ctx *c, const struct lroute *r, int g, struct lstop *out)
{
	int n = 0;
	for (int i = 0; i < r->n; i++)
		if (c->d[r->s[i].del].group != g)
			out[n++] = r->s[i];
	return n;
}

/* The shared-trip model against the tours `rs`: the group leaves them
 * (short-cut) and rides on the shared tours of the alone solve. */
static int shared_on(ctx *c, int g, const struct routeset *rs, const struct outcome *alone,
                     struct outcome *oc)
{
	struct lstop *tmp = malloc(((size_t)rs->room + 1) * sizeof *tmp);
	if (!tmp)
		return oom(c->err);
	for (int q = 0; q < rs->nr; q++) {
		const struct lroute *r = &rs->r[q];
		double g_km = c->sd[r->sup].g_km;
		double rest = stops_km(c, r->sup, tmp, without_group(c, r, g, tmp));
		oc->km_before += r->km;
		oc->co2_before += r->km * g_km;
		oc->vis_before += group_visits(c, r, g);
		oc->km_after += rest;
		oc->co2_after += rest * g_km;
	}
	free(tmp);
	for (int t = 0; t < alone->ntours; t++) {
		struct lroute tour = {0};
		tour.sup = alone->host[t];
		tour.n = alone->len[t];
		tour.s = alone->st + alone->start[t];
		double km = stops_km(c, tour.sup, tour.s, tour.n);
		oc->km_after += km;
		oc->co2_after += km * c->sd[tour.sup].g_km;
		oc->vis_after += group_visits(c, &tour, g);
	}
	return 0;
}

/* Make the joint plan carry the chosen plan: the changed routes of a
 * handover, or the short-cut routes and the shared tours. */
static int joint_apply(ctx *c, struct jplan *jp, int g, const struct routeset *rs,
                       const struct outcome *shared)
{
	int rc = 0;
	for (int q = 0; !rc && q < rs->nr; q++) {
		const struct lroute *r = &rs->r[q];
		if (!shared) {
			rc = jplan_set(c, jp, rs->from[q], r->s, r->n, r->km);
			continue;
		}
		const struct lroute *now = &jp->r[rs->from[q]];
		struct lstop *tmp = malloc(((size_t)now->n + 1) * sizeof *tmp);
		if (!tmp)
			return oom(c->err);
		int n = without_group(c, now, g, tmp);
		rc = jplan_set(c, jp, rs->from[q], tmp, n, stops_km(c, now->sup, tmp, n));
		free(tmp);
	}
	for (int t = 0; !rc && shared && t < shared->ntours; t++)
		rc = jplan_add(c, jp, shared->host[t], shared->st + shared->start[t],
		               shared->len[t]);
	return rc;
}

static int group_suppliers(const ctx *c, const int *members, int nm, int *sups)
{
	int ns = 0;
	for (int i = 0; i < nm; i++) {
		int s = c->d[members[i]].sup;
		if (!in_list(sups, ns, s))
			sups[ns++] = s;
	}
	return ns;
}

/* Credit an accepted opportunity with what it saves in the joint plan, but
 * never more than it saved alone (each figure separately).  On changed
 * tours an opportunity can save more than alone — a depot its goods are
 * picked up at is already on the host's tour, or the greedy handover finds
 * a better move from a different start — so the joint plan itself may
 * save more than the sum; the credited totals stay a lower bound of the
 * plan that never exceeds the sum of the items shown. */
static void credit(sl_pooling_opportunity *o, const struct outcome *joint)
{
	o->joint_accepted = 1;
	o->joint_visits_removed = joint->vis_before - joint->vis_after;
	if (o->joint_visits_removed > o->visits_removed)
		o->joint_visits_removed = o->visits_removed;
	o->joint_km_saved = fmin(joint->km_before - joint->km_after, o->km_saved);
	o->joint_co2e_saved_g = fmin(joint->co2_before - joint->co2_after, o->co2e_saved_g);
}

/* Re-price opportunity p against the joint plan; accept it when it still
 * strictly saves, adding what it saves to *plan_km_saved. */
static int joint_try(ctx *c, struct jplan *jp, const struct priced *p, double *plan_km_saved)
{
	int sups[MAX_SUPPLIERS_PER_GROUP];
	int ns = group_suppliers(c, p->members, p->nm, sups);
	struct routeset rs = {0};
	struct outcome ho = {0}, sh = {0};
	int rc = routes_joint(c, jp, sups, ns, p->nm, &rs);
	for (int i = 0; i < p->nm; i++)
		c->d[p->members[i]].group = p->g;
	if (!rc && p->has_shared)
		rc = shared_on(c, p->g, &rs, &p->shared, &sh);
	if (!rc)
		rc = handover(c, p->g, &rs, p->members, p->nm, &ho);
	if (!rc) {
		int use_shared = p->has_shared && sh.km_after < ho.km_after - 1e-6;
		const struct outcome *best = use_shared ? &sh : &ho;
		if (best->km_after < best->km_before - 1e-6) {
			credit(&c->out[p->item], best);
			*plan_km_saved += best->km_before - best->km_after;
			rc = joint_apply(c, jp, p->g, &rs, use_shared ? &p->shared : NULL);
		}
	}
	for (int i = 0; i < p->nm; i++)
		c->d[p->members[i]].group = -1;
	routeset_free(&rs);
	outcome_free(&ho);
	outcome_free(&sh);
	return rc;
}

/* Best saving first; ties in candidate order. */
static int cmp_priced(const void *a, const void *b)
{
	const struct priced *x = a, *y = b;
	if (x->km_saved != y->km_saved)
		return x->km_saved > y->km_saved ? -1 : 1;
	return x->g - y->g;
}

static int joint_day(ctx *c)
{
	if (!c->npriced)
		return 0;
	qsort(c->priced, c->npriced, sizeof *c->priced, cmp_priced);
	struct jplan jp = {0};
	int rc = jplan_init(c, &jp);
	double before = jplan_km(&jp), saved = 0;
	for (size_t i = 0; !rc && i < c->npriced; i++)
		rc = joint_try(c, &jp, &c->priced[i], &saved);
	/* the accepted changes add up to the plan's change: nothing counted
	 * twice (and no route lost or double-booked on the way) */
	assert(rc || fabs(before - jplan_km(&jp) - saved) < 1e-6 * (1 + before));
	(void)before;
	jplan_free(&jp);
	return rc;
}

static int pool_group(ctx *c, int64_t day, int g, const int *members, int nm)
{
	/* the involved suppliers */
	int sups[MAX_SUPPLIERS_PER_GROUP], ns = 0;
	for (int i = 0; i < nm; i++) {
		int s = c->d[members[i]].sup, k;
		for (k = 0; k < ns && sups[k] != s; k++)
			;
		if (k == ns)
			sups[ns++] = s;
	}
	struct outcome ho = {0}, sh = {0}, *best;
	int rc, ok;
	/* A shared trip leaves the rest of the suppliers' tours and adds at
	 * least one round trip from a depot to a group site: when that bound
	 * cannot beat the handover plan, the vrp solve is skipped. */
	double rest = 0, round = INFINITY;
	for (int k = 0; k < ns; k++) {
		int64_t vb;
		rest += tours_without(c, sups[k], g, &vb);
		for (int i = 0; i < nm; i++) {
			int dp = c->pt_of_sup[sups[k]], sp = c->d[members[i]].pt;
			double x = (DIST(c, dp, sp) + DIST(c, sp, dp)) / 1000.0;
			if (x < round)
				round = x;
		}
	}
	ok = 0;
	struct routeset rs = {0};
	if ((rc = routes_alone(c, sups, ns, nm, &rs)) < 0)
		return rc;
	rc = handover(c, g, &rs, members, nm, &ho);
	routeset_free(&rs);
	if (rc < 0 || (rest + round < ho.km_after - 1e-6 &&
	               (rc = shared_trip(c, g, sups, ns, members, nm, &sh, &ok)) < 0)) {
		outcome_free(&ho);
		outcome_free(&sh);
		return rc;
	}
	best = ok && sh.km_after < ho.km_after - 1e-6 ? &sh : &ho;
	if (best->km_after < best->km_before - 1e-6) {
		size_t item = c->nout;
		rc = record(c, day, g, sups, ns, members, nm, best, best == &ho);
		if (!rc)
			rc = remember_priced(c, g, item, members, nm, best == &sh ? &sh : NULL);
	}
	outcome_free(&ho);
	outcome_free(&sh);
	return rc;
}

/* Add an output item for the candidate with the chosen plan. */
static int record(ctx *c, int64_t day, int g, const int *sups, int ns, const int *members, int nm,
                  const struct outcome *best, int is_handover)
{
	int rc;
	(void)g;
	int quality = Q_VEHICLE;
	for (int k = 0; k < ns; k++)
		if (c->sd[sups[k]].quality > quality)
			quality = c->sd[sups[k]].quality;
	if (c->nout == c->capout) {
		void *x = grow(c->out, &c->capout, sizeof *c->out, 64);
		if (!x)
			return oom(c->err);
		c->out = x;
	}
	sl_pooling_opportunity *o = &c->out[c->nout];
	memset(o, 0, sizeof *o);
	o->day = day;
	o->window_from_min = 0;
	o->window_to_min = 1440;
	for (int i = 0; i < nm; i++) {
		const struct del *d = &c->d[members[i]];
		if (d->tw_from > o->window_from_min)
			o->window_from_min = d->tw_from;
		if (d->tw_to < o->window_to_min)
			o->window_to_min = d->tw_to;
		o->temp_mask |= 1u << d->temp;
		o->deliveries++;
		o->parcels += d->parcels;
		o->mass_kg += d->kg;
		o->volume_m3 += d->m3;
		if ((rc = push_member(c, c->nout, d->sup, d->site, d)) < 0)
			return rc;
	}
	if (o->window_to_min < o->window_from_min) { /* overlapping only within the slack */
		int t = o->window_to_min;
		o->window_to_min = o->window_from_min;
		o->window_from_min = t;
	}
	o->n_suppliers = ns;
	int sites = 0;
	for (int i = 0; i < nm; i++) {
		int seen = 0;
		for (int j = 0; j < i && !seen; j++)
			seen = c->d[members[j]].site == c->d[members[i]].site;
		sites += !seen;
	}
	o->n_sites = sites;
	o->visits_before = best->vis_before;
	o->visits_after = best->vis_after;
	o->shared_tours = best->shared;
	o->handed_over = is_handover ? best->moved : 0;
	snprintf(o->model, sizeof o->model, "%s", is_handover ? "handover" : "shared_trip");
	for (int t = 0; t < best->ntours; t++)
		if ((rc = record_tour(c, c->nout, best->host[t], best->st + best->start[t], best->len[t])) < 0)
			return rc;
	o->km_before = best->km_before;
	o->km_after = best->km_after;
	o->co2e_before_g = best->co2_before;
	o->co2e_after_g = best->co2_after;
	o->visits_removed = o->visits_before - o->visits_after;
	o->km_saved = o->km_before - o->km_after;
	o->co2e_saved_g = o->co2e_before_g - o->co2e_after_g;
	cpy(o->co2e_quality, sizeof o->co2e_quality, QNAME[quality]);
	c->nout++;
	return 0;
}

static int candidates(ctx *c, int64_t day)
{
	/* receiving sites of the day with their supplier counts */
	struct sitekey *keys = calloc(c->nsite + 1, sizeof *keys);
	int *clu = malloc((c->nsite + 1) * sizeof *clu);
	int *members = malloc((c->nd + 1) * sizeof *members);
	unsigned char *seen = calloc(c->ns + 1, 1);
	int rc = 0, nk = 0;
	if (!keys || !clu || !members || !seen) {
		rc = oom(c->err);
		goto out;
	}
	for (size_t i = 0; i < c->nsite; i++)
		clu[i] = -2; /* not a candidate site */
	for (size_t i = 0; i < c->nd; i++) {
		const struct del *d = &c->d[i];
		if (!c->sd[d->sup].active || !c->site[d->site].receiving)
			continue;
		if (clu[d->site] == -2) {
			clu[d->site] = -1;
			keys[nk++].site = d->site;
		}
	}
	for (int k = 0; k < nk; k++) {
		memset(seen, 0, c->ns + 1);
		for (size_t i = 0; i < c->nd; i++)
			if (c->d[i].site == keys[k].site && c->sd[c->d[i].sup].active) {
				keys[k].dels++;
				if (!seen[c->d[i].sup]) {
					seen[c->d[i].sup] = 1;
					keys[k].suppliers++;
				}
			}
	}
	qsort(keys, (size_t)nk, sizeof *keys, cmp_sitekey);
	int ncl = 0;
	for (int k = 0; k < nk; k++) {
		int seed = keys[k].site;
		if (clu[seed] >= 0)
			continue;
		for (int j = k; j < nk; j++) {
			int s = keys[j].site;
			if (clu[s] < 0 &&
			    sl_route_haversine_m(c->site[seed].lon, c->site[seed].lat, c->site[s].lon,
			                         c->site[s].lat) <= c->q->radius_m)
				clu[s] = ncl;
		}
		/* the cluster's deliveries, by window, cut into overlapping runs */
		int n = 0;
		for (size_t i = 0; i < c->nd; i++)
			if (c->sd[c->d[i].sup].active && clu[c->d[i].site] == ncl)
				members[n++] = (int)i;
		ncl++;
		if ((rc = sort_by_window(c, members, n)) < 0)
			goto out;
		int start = 0;
		while (start < n) {
			int end = start + 1, hi = c->d[members[start]].tw_to;
			while (end < n && c->d[members[end]].tw_from <= hi + c->q->window_slack_min) {
				if (c->d[members[end]].tw_to < hi)
					hi = c->d[members[end]].tw_to;
				end++;
			}
			/* suppliers in the run (at most MAX_SUPPLIERS_PER_GROUP: the
			 * run is cut there) */
			memset(seen, 0, c->ns + 1);
			int nsup = 0, cut = end;
			for (int i = start; i < end; i++) {
				int s = c->d[members[i]].sup;
				if (!seen[s]) {
					if (nsup == MAX_SUPPLIERS_PER_GROUP) {
						cut = i;
						break;
					}
					seen[s] = 1;
					nsup++;
				}
			}
			end = cut;
			if (nsup >= 2) {
				int g = (int)c->candidates++;
				for (int i = start; i < end; i++)
					c->d[members[i]].group = g;
				rc = pool_group(c, day, g, members + start, end - start);
				for (int i = start; i < end; i++)
					c->d[members[i]].group = -1;
				if (rc < 0)
					goto out;
			}
			start = end;
		}
	}
out:
	free(keys);
	free(clu);
	free(members);
	free(seen);
	return rc;
}

/* ---- one day ------------------------------------------------------------- */

static void free_day(ctx *c)
{
	free_priced(c);
	if (c->sd)
		for (size_t i = 0; i < c->ns; i++) {
			free(c->sd[i].route_start);
			free(c->sd[i].route_len);
			free(c->sd[i].seq);
		}
	free(c->sd);
	free(c->d);
	free(c->dist);
	free(c->dur);
	free(c->pt_of_site);
	free(c->pt_of_sup);
	c->sd = NULL;
	c->d = NULL;
	c->dist = c->dur = NULL;
	c->pt_of_site = c->pt_of_sup = NULL;
	c->nd = 0;
}

static int do_day(ctx *c, int64_t day)
{
	int rc;
	if ((rc = load_day(c, day)) < 0)
		return rc;
	if (!c->nd)
		return 0;
	c->sd = calloc(c->ns + 1, sizeof *c->sd);
	if (!c->sd)
		return oom(c->err);
	if ((rc = build_matrix(c)) < 0)
		return rc;
	/* per supplier: its deliveries (rows are sorted by supplier), its
	 * vehicle (the one most of its rows name), skills and intensity */
	for (size_t i = 0; i < c->nd;) {
		int si = c->d[i].sup;
		struct sday *sd = &c->sd[si];
		sd->first = (int)i;
		while (i < c->nd && c->d[i].sup == si)
			i++;
		sd->n = (int)i - sd->first;
		sd->depot_pt = c->pt_of_sup[si];
		int best = -1, bestn = 0;
		for (int a = sd->first; a < sd->first + sd->n; a++) {
			sd->skills |= temp_skills(c->d[a].temp);
			if (!c->d[a].vehicle_id)
				continue;
			int k = 0;
			for (int b = sd->first; b < sd->first + sd->n; b++)
				k += c->d[b].vehicle_id == c->d[a].vehicle_id;
			if (k > bestn) {
				bestn = k;
				best = find_by_id64(c->v, c->nv, sizeof *c->v, c->d[a].vehicle_id);
			}
		}
		sd->veh = best;
		if (best >= 0) {
			sd->cap_kg = c->v[best].cap_kg > 0 ? c->v[best].cap_kg : DEFAULT_CAP_KG;
			sd->cap_m3 = c->v[best].cap_m3 > 0 ? c->v[best].cap_m3 : DEFAULT_CAP_M3;
			sd->skills |= c->v[best].skills;
			sd->g_km = c->v[best].g_km;
			sd->quality = c->v[best].quality;
		} else {
			sd->cap_kg = DEFAULT_CAP_KG;
			sd->cap_m3 = DEFAULT_CAP_M3;
			sd->g_km = c->city_g_km;
			sd->quality = c->city_quality;
		}
		if ((rc = plan_supplier(c, si)) < 0)
			return rc;
	}
	if ((rc = candidates(c, day)) < 0)
		return rc;
	return joint_day(c);
}

/* ---- the viewer ---------------------------------------------------------- */

/* Load who has opted in to share with the viewer: open grants in the
 * board's pooling_shares (schema/0006_pooling.sql), read on every call so a
 * revoked grant stops counting at once.  A store without the table (older
 * schema) has no grants. */
static int load_sharers(ctx *c)
{
	const sl_pooling_viewer *v = &c->q->viewer;
	if (v->kind != SL_VIEWER_SUPPLIER && v->kind != SL_VIEWER_CARRIER)
		return 0;
	int64_t has = 0;
	int rc = sl_store_query_int64(c->st,
	                              "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND "
	                              "name = 'pooling_shares'", &has, c->err);
	if (rc < 0 || !has)
		return rc < 0 ? rc : 0;
	sl_stmt *s = NULL;
	if ((rc = sl_store_prepare(c->st,
	                           "SELECT DISTINCT owner_id FROM pooling_shares WHERE grantee_id = ?1 "
	                           "AND revoked_at IS NULL ORDER BY owner_id", &s, c->err)) < 0)
		return rc;
	sl_stmt_bind_int64(s, 1, v->org_id);
	while ((rc = sl_stmt_step(s, c->err)) == 1) {
		int64_t *x = realloc(c->sharers, (c->nsharers + 1) * sizeof *x);
		if (!x) {
			sl_stmt_free(s);
			return oom(c->err);
		}
		c->sharers = x;
		c->sharers[c->nsharers++] = sl_stmt_int64(s, 0);
	}
	sl_stmt_free(s);
	return rc < 0 ? rc : 0;
}

/* Has `owner` opted in to share its identity and rows with the viewer? */
static int shared_with(const ctx *c, int64_t owner)
{
	for (size_t i = 0; i < c->nsharers; i++)
		if (c->sharers[i] == owner)
			return 1;
	return 0;
}

static int cmp_out(const void *a, const void *b)
{
	const sl_pooling_opportunity *x = a, *y = b;
	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	double sx = x->km_saved, sy = y->km_saved;
	if (sx != sy)
		return sx > sy ? -1 : 1;
	return 0;
}

/* Count a visible item in the result's totals and its day's.  The joint
 * figures are summed over the visible items too, so a viewer learns no more
 * from them than from the items it sees. */
static void add_to_totals(sl_pooling_opportunities *res, const sl_pooling_opportunity *o)
{
	res->visits_removed += o->visits_removed;
	res->km_saved += o->km_saved;
	res->co2e_saved_g += o->co2e_saved_g;
	res->joint_opportunities += o->joint_accepted;
	res->joint_visits_removed += o->joint_visits_removed;
	res->joint_km_saved += o->joint_km_saved;
	res->joint_co2e_saved_g += o->joint_co2e_saved_g;
	int64_t k = o->day - res->from_day;
	assert(k >= 0 && (size_t)k < res->n_days);
	sl_opp_day *d = &res->days[k];
	d->opportunities++;
	d->visits_removed += o->visits_removed;
	d->km_saved += o->km_saved;
	d->co2e_saved_g += o->co2e_saved_g;
	d->joint_opportunities += o->joint_accepted;
	d->joint_visits_removed += o->joint_visits_removed;
	d->joint_km_saved += o->joint_km_saved;
	d->joint_co2e_saved_g += o->joint_co2e_saved_g;
}

/* Fill the visible sites and parties of every item for the viewer and drop
 * the items it may not see. */
static int apply_viewer(ctx *c, sl_pooling_opportunities *res)
{
	const sl_pooling_viewer *vw = &c->q->viewer;
	size_t keep = 0, m = 0, tt = 0;
	for (size_t it = 0; it < c->nout; it++) {
		sl_pooling_opportunity o = c->out[it];
		size_t m0 = m, t0 = tt;
		while (m < c->nmem && c->mem[m].item == it)
			m++;
		while (tt < c->ntour && c->tour[tt].item == it)
			tt++;
		int visible = 0, self_sup = -1;
		if (vw->kind == SL_VIEWER_CITY) {
			visible = 1;
		} else if (vw->kind == SL_VIEWER_SUPPLIER) {
			for (size_t k = m0; k < m; k++)
				if (c->s[c->mem[k].sup].id == vw->org_id) {
					visible = 1;
					self_sup = c->mem[k].sup;
				}
		} else if (vw->kind == SL_VIEWER_UNIT) {
			for (size_t k = m0; k < m; k++)
				visible |= c->site[c->mem[k].site].org_id == vw->org_id;
		} else if (vw->kind == SL_VIEWER_CARRIER) {
			for (size_t k = m0; k < m; k++)
				visible |= shared_with(c, c->s[c->mem[k].sup].id);
		}
		if (!visible)
			continue;
		o.sites = calloc(m - m0 + 1, sizeof *o.sites);
		o.parties = calloc(m - m0 + 1, sizeof *o.parties);
		if (!o.sites || !o.parties) {
			free(o.sites);
			free(o.parties);
			return oom(c->err);
		}
		res->items[keep] = o; /* owns the arrays from here */
		sl_pooling_opportunity *r = &res->items[keep++];
		res->n = keep; /* freed with the result even if a later step fails */
		if (vw->kind == SL_VIEWER_CITY && tt > t0) {
			size_t ns = 0;
			for (size_t k = t0; k < tt; k++)
				ns += c->tour[k].t.n_stops;
			r->tours = calloc(tt - t0, sizeof *r->tours);
			r->stops = calloc(ns + 1, sizeof *r->stops);
			if (!r->tours || !r->stops)
				return oom(c->err);
			for (size_t k = t0; k < tt; k++) {
				sl_opp_tour *x = &r->tours[r->n_tours++];
				*x = c->tour[k].t;
				memcpy(r->stops + r->n_stops, c->stop + x->first_stop, x->n_stops * sizeof *r->stops);
				x->first_stop = r->n_stops;
				r->n_stops += x->n_stops;
			}
		}
		for (size_t k = m0; k < m; k++) {
			const struct member *e = &c->mem[k];
			const struct site *si = &c->site[e->site];
			const struct sup *su = &c->s[e->sup];
			int sharing = (vw->kind == SL_VIEWER_SUPPLIER || vw->kind == SL_VIEWER_CARRIER) &&
			              shared_with(c, su->id);
			int site_ok = vw->kind == SL_VIEWER_CITY ||
			              (vw->kind == SL_VIEWER_UNIT && si->org_id == vw->org_id) ||
			              (vw->kind == SL_VIEWER_SUPPLIER && e->sup == self_sup) || sharing;
			if (site_ok) {
				size_t j;
				for (j = 0; j < r->n_visible_sites && strcmp(r->sites[j].ext, si->ext); j++)
					;
				if (j == r->n_visible_sites) {
					cpy(r->sites[j].ext, sizeof r->sites[j].ext, si->ext);
					cpy(r->sites[j].name, sizeof r->sites[j].name, si->name);
					r->n_visible_sites++;
				}
				r->sites[j].deliveries += e->dels;
			}
			int named = vw->kind == SL_VIEWER_CITY || e->sup == self_sup || sharing;
			if (named) {
				size_t j;
				for (j = 0; j < r->n_parties && strcmp(r->parties[j].ext, su->ext); j++)
					;
				if (j == r->n_parties) {
					cpy(r->parties[j].ext, sizeof r->parties[j].ext, su->ext);
					cpy(r->parties[j].name, sizeof r->parties[j].name, su->name);
					r->parties[j].self = e->sup == self_sup;
					r->n_parties++;
				}
				r->parties[j].deliveries += e->dels;
				r->parties[j].parcels += e->parcels;
				r->parties[j].mass_kg += e->kg;
			} else {
				int first = 1;
				for (size_t x = m0; x < k && first; x++)
					first = c->mem[x].sup != e->sup;
				r->others_suppliers += first;
				r->others_deliveries += e->dels;
				r->others_parcels += e->parcels;
				r->others_mass_kg += e->kg;
			}
		}
		if (r->others_suppliers > 0 && r->others_suppliers < SL_POOLING_MIN_SUPPLIERS) {
			r->others_suppressed = 1;
			r->others_suppliers = r->others_deliveries = r->others_parcels = 0;
			r->others_mass_kg = 0;
			/* the group's totals would tell about those few suppliers:
			 * keep only the savings and the viewer's own share */
			r->figures_hidden = 1;
			r->n_suppliers = 0;
			r->n_sites = (int)r->n_visible_sites;
			r->deliveries = r->parcels = 0;
			r->mass_kg = r->volume_m3 = 0;
			for (size_t k = 0; k < r->n_parties; k++) {
				r->deliveries += r->parties[k].deliveries;
				r->parcels += r->parties[k].parcels;
				r->mass_kg += r->parties[k].mass_kg;
			}
			r->visits_before = r->visits_after = 0;
			r->km_before = r->km_after = r->co2e_before_g = r->co2e_after_g = 0;
			r->window_from_min = 0;
			r->window_to_min = 1440;
			r->temp_mask = 0;
		}
		add_to_totals(res, r);
	}
	res->n = keep;
	return 0;
}

/* ---- entry --------------------------------------------------------------- */

int sl_pooling_opportunities_compute(sl_store *st, const sl_opp_query *q,
                                     sl_pooling_opportunities **out, sl_error *err)
{
	*out = NULL;
	if (!st || !q || q->day == INT64_MIN)
		return sl_error_set(err, SL_EINVAL, "a first day is required");
	if (q->days < 1 || q->days > 31)
		return sl_error_set(err, SL_EINVAL, "days must be 1..31 (got %d)", q->days);
	if (!(q->radius_m >= 0 && q->radius_m <= 50000))
		return sl_error_set(err, SL_EINVAL, "radius must be 0..50000 m");
	if (q->window_slack_min < 0 || q->window_slack_min > 1440)
		return sl_error_set(err, SL_EINVAL, "window slack must be 0..1440 min");
	if (q->iterations < 1 || q->iterations > 1000000)
		return sl_error_set(err, SL_EINVAL, "iterations must be 1..1000000");
	ctx c;
	memset(&c, 0, sizeof c);
	c.st = st;
	c.q = q;
	c.err = err;
	sl_pooling_opportunities *res = calloc(1, sizeof *res);
	int rc = res ? 0 : oom(err);
	if (!rc)
		rc = load_static(&c);
	/* carriers and the public see nothing: compute nothing for them */
	if (!rc)
		rc = load_sharers(&c);
	int sees = q->viewer.kind == SL_VIEWER_CITY || q->viewer.kind == SL_VIEWER_SUPPLIER ||
	           q->viewer.kind == SL_VIEWER_UNIT || (q->viewer.kind == SL_VIEWER_CARRIER && c.nsharers);
	for (int64_t d = q->day; !rc && sees && d < q->day + q->days; d++) {
		rc = do_day(&c, d);
		free_day(&c);
	}
	if (!rc) {
		/* stable order: by day, then km saved; members follow their item */
		for (size_t i = 0; i < c.nout; i++)
			c.out[i].n_parties = i; /* remember the original index */
		if (c.nout)
			qsort(c.out, c.nout, sizeof *c.out, cmp_out);
		size_t *newpos = malloc((c.nout + 1) * sizeof *newpos);
		if (!newpos)
			rc = oom(err);
		for (size_t i = 0; !rc && i < c.nout; i++) {
			newpos[c.out[i].n_parties] = i;
			c.out[i].n_parties = 0;
		}
		for (size_t k = 0; !rc && k < c.nmem; k++)
			c.mem[k].item = newpos[c.mem[k].item];
		for (size_t k = 0; !rc && k < c.ntour; k++)
			c.tour[k].item = newpos[c.tour[k].item];
		free(newpos);
		/* members sorted by item (stable by insertion) */
		if (!rc) {
			struct member *sorted = malloc((c.nmem + 1) * sizeof *sorted);
			size_t *start = calloc(c.nout + 1, sizeof *start);
			if (!sorted || !start) {
				rc = oom(err);
			} else {
				for (size_t k = 0; k < c.nmem; k++)
					start[c.mem[k].item + 1]++;
				for (size_t i = 0; i < c.nout; i++)
					start[i + 1] += start[i];
				for (size_t k = 0; k < c.nmem; k++)
					sorted[start[c.mem[k].item]++] = c.mem[k];
				free(c.mem);
				c.mem = sorted;
				sorted = NULL;
			}
			free(sorted);
			free(start);
		}
		if (!rc && c.ntour) {
			struct ctour *sorted = malloc(c.ntour * sizeof *sorted);
			size_t *start = calloc(c.nout + 1, sizeof *start);
			if (!sorted || !start) {
				rc = oom(err);
			} else {
				for (size_t k = 0; k < c.ntour; k++)
					start[c.tour[k].item + 1]++;
				for (size_t i = 0; i < c.nout; i++)
					start[i + 1] += start[i];
				for (size_t k = 0; k < c.ntour; k++)
					sorted[start[c.tour[k].item]++] = c.tour[k];
				free(c.tour);
				c.tour = sorted;
				sorted = NULL;
			}
			free(sorted);
			free(start);
		}
	}
	if (!rc) {
		res->items = calloc(c.nout + 1, sizeof *res->items);
		res->days = calloc((size_t)q->days, sizeof *res->days);
		if (!res->items || !res->days)
			rc = oom(err);
	}
	if (!rc) {
		res->from_day = q->day;
		res->n_days = (size_t)q->days;
		for (int k = 0; k < q->days; k++)
			res->days[k].day = q->day + k;
	}
	if (!rc)
		rc = apply_viewer(&c, res);
	if (!rc) {
		res->from_day = q->day;
		res->to_day = q->day + q->days - 1;
		if (q->graph)
			snprintf(res->distance_basis, sizeof res->distance_basis, "road_graph");
		else
			snprintf(res->distance_basis, sizeof res->distance_basis, "great_circle_x%.1f",
			         SL_EM_DETOUR_FACTOR);
		snprintf(res->co2e_basis, sizeof res->co2e_basis,
		         "vehicle-km x well-to-wheel g/km of the vehicle's own trips, else its class "
		         "and energy carrier's average, else the city's (%.0f g/km), else %.0f l "
		         "diesel/100 km (%.0f g/km)",
		         c.city_g_km, ASSUMED_L_100KM, c.assumed_g_km);
		res->speed_kmh = q->graph ? 0 : SPEED_MS * 3.6;
		res->candidates = c.candidates;
		res->points_off_graph = c.off_graph;
	}
	free_day(&c);
	free(c.v);
	free(c.s);
	free(c.site);
	free(c.out);
	free(c.mem);
	free(c.tour);
	free(c.stop);
	free(c.sharers);
	free(c.priced);
	if (rc) {
		sl_pooling_opportunities_free(res);
		return rc;
	}
	*out = res;
	return 0;
}

void sl_pooling_opportunities_free(sl_pooling_opportunities *r)
{
	if (!r)
		return;
	if (r->items)
		for (size_t i = 0; i < r->n; i++) {
			free(r->items[i].sites);
			free(r->items[i].parties);
			free(r->items[i].tours);
			free(r->items[i].stops);
		}
	free(r->items);
	free(r->days);
	free(r);
}

/* ---- output -------------------------------------------------------------- */

static const char *const TEMP[] = {"ambient", "chilled", "frozen", "mixed"};

int sl_pooling_opportunities_json(const sl_pooling_opportunities *r, sl_buf *b)
{
	char d1[16], d2[16];
	int rc = 0;
	rc |= sl_buf_printf(b, "{\"from\":\"%s\",\"to\":\"%s\",\"distance_basis\":",
	                    sl_date_format(r->from_day, d1, sizeof d1),
	                    sl_date_format(r->to_day, d2, sizeof d2));
	rc |= sl_buf_json_string(b, r->distance_basis);
	rc |= sl_buf_printf(b, ",\"detour_factor\":%.2f,\"speed_kmh\":%.0f,\"co2e_basis\":",
	                    r->distance_basis[0] == 'g' ? SL_EM_DETOUR_FACTOR : 1.0, r->speed_kmh);
	rc |= sl_buf_json_string(b, r->co2e_basis);
	rc |= sl_buf_printf(b,
	                    ",\"candidates\":%lld,\"points_off_graph\":%lld,"
	                    "\"totals\":{\"opportunities\":%zu,\"visits_removed\":%lld,"
	                    "\"km_saved\":%.3f,\"co2e_saved_kg\":%.3f,\"joint_opportunities\":%lld,"
	                    "\"joint_visits_removed\":%lld,\"joint_km_saved\":%.3f,"
	                    "\"joint_co2e_saved_kg\":%.3f},\"opportunities\":[",
	                    (long long)r->candidates, (long long)r->points_off_graph, r->n,
	                    (long long)r->visits_removed, r->km_saved, r->co2e_saved_g / 1000.0,
	                    (long long)r->joint_opportunities, (long long)r->joint_visits_removed,
	                    r->joint_km_saved, r->joint_co2e_saved_g / 1000.0);
	for (size_t i = 0; i < r->n; i++) {
		const sl_pooling_opportunity *o = &r->items[i];
		rc |= sl_buf_printf(b, "%s{\"day\":\"%s\",", i ? "," : "",
		                    sl_date_format(o->day, d1, sizeof d1));
		if (o->figures_hidden) {
			rc |= sl_buf_printf(
			    b,
			    "\"figures_hidden\":true,\"window\":null,\"temp\":null,\"deliveries\":null,"
			    "\"parcels\":null,\"mass_kg\":null,\"volume_m3\":null,\"suppliers\":null,"
			    "\"sites\":null,\"visits_before\":null,\"visits_after\":null,\"km_before\":null,"
			    "\"km_after\":null,\"co2e_before_kg\":null,\"co2e_after_kg\":null,");
		} else {
			rc |= sl_buf_printf(b, "\"window\":\"%02d:%02d-%02d:%02d\",\"temp\":[",
			                    o->window_from_min / 60, o->window_from_min % 60,
			                    o->window_to_min / 60, o->window_to_min % 60);
			int first = 1;
			for (int t = 0; t < 4; t++)
				if (o->temp_mask & (1u << t)) {
					rc |= sl_buf_printf(b, "%s\"%s\"", first ? "" : ",", TEMP[t]);
					first = 0;
				}
			rc |= sl_buf_printf(
			    b,
			    "],\"deliveries\":%lld,\"parcels\":%lld,\"mass_kg\":%.1f,\"volume_m3\":%.2f,"
			    "\"suppliers\":%d,\"sites\":%d,\"visits_before\":%lld,\"visits_after\":%lld,"
			    "\"km_before\":%.3f,\"km_after\":%.3f,\"co2e_before_kg\":%.3f,"
			    "\"co2e_after_kg\":%.3f,",
			    (long long)o->deliveries, (long long)o->parcels, o->mass_kg, o->volume_m3,
			    o->n_suppliers, o->n_sites, (long long)o->visits_before,
			    (long long)o->visits_after, o->km_before, o->km_after,
			    o->co2e_before_g / 1000.0, o->co2e_after_g / 1000.0);
		}
		rc |= sl_buf_printf(b,
		                    "\"visits_removed\":%lld,\"model\":\"%s\",\"handed_over\":%d,"
		                    "\"shared_tours\":%d,\"km_saved\":%.3f,\"co2e_saved_kg\":%.3f,"
		                    "\"co2e_quality\":\"%s\",\"visible_sites\":[",
		                    (long long)o->visits_removed, o->model, o->handed_over,
		                    o->shared_tours, o->km_saved, o->co2e_saved_g / 1000.0,
		                    o->co2e_quality);
		for (size_t k = 0; k < o->n_visible_sites; k++) {
			rc |= sl_buf_printf(b, "%s{\"site\":", k ? "," : "");
			rc |= sl_buf_json_string(b, o->sites[k].ext);
			rc |= sl_buf_puts(b, ",\"name\":");
			rc |= sl_buf_json_string(b, o->sites[k].name);
			rc |= sl_buf_printf(b, ",\"deliveries\":%lld}", (long long)o->sites[k].deliveries);
		}
		rc |= sl_buf_puts(b, "],\"parties\":[");
		for (size_t k = 0; k < o->n_parties; k++) {
			const sl_opp_party *p = &o->parties[k];
			rc |= sl_buf_printf(b, "%s{\"supplier\":", k ? "," : "");
			rc |= sl_buf_json_string(b, p->ext);
			rc |= sl_buf_puts(b, ",\"name\":");
			rc |= sl_buf_json_string(b, p->name);
			rc |= sl_buf_printf(b, ",\"self\":%s,\"deliveries\":%lld,\"parcels\":%lld,"
			                       "\"mass_kg\":%.1f}",
			                    p->self ? "true" : "false", (long long)p->deliveries,
			                    (long long)p->parcels, p->mass_kg);
		}
		rc |= sl_buf_puts(b, "],\"others\":");
		if (o->others_suppressed)
			rc |= sl_buf_puts(b, "{\"suppressed\":true}");
		else if (o->others_suppliers)
			rc |= sl_buf_printf(b, "{\"suppliers\":%lld,\"deliveries\":%lld,\"parcels\":%lld,"
			                       "\"mass_kg\":%.1f}",
			                    (long long)o->others_suppliers, (long long)o->others_deliveries,
			                    (long long)o->others_parcels, o->others_mass_kg);
		else
			rc |= sl_buf_puts(b, "null");
		if (o->n_tours) {
			rc |= sl_buf_puts(b, ",\"tours\":[");
			for (size_t t = 0; t < o->n_tours; t++) {
				const sl_opp_tour *x = &o->tours[t];
				rc |= sl_buf_printf(b, "%s{\"vehicle_of\":", t ? "," : "");
				rc |= sl_buf_json_string(b, x->supplier);
				rc |= sl_buf_printf(b, ",\"km\":%.3f,\"capacity_kg\":%.1f,\"stops\":[", x->km,
				                    x->cap_kg);
				for (size_t k = 0; k < x->n_stops; k++) {
					const sl_opp_stop *st = &o->stops[x->first_stop + k];
					rc |= sl_buf_printf(b, "%s{\"%s\":", k ? "," : "",
					                    st->pickup ? "pickup_at" : "deliver_to");
					rc |= sl_buf_json_string(b, st->place);
					rc |= sl_buf_puts(b, ",\"supplier\":");
					rc |= sl_buf_json_string(b, st->supplier);
					rc |= sl_buf_printf(b, ",\"delivery_id\":%lld,\"temp\":\"%s\","
					                       "\"arrival\":\"%02d:%02d\",\"load_kg\":%.1f}",
					                    (long long)st->delivery_id, TEMP[st->temp & 3],
					                    st->arrival_min / 60, st->arrival_min % 60, st->load_kg);
				}
				rc |= sl_buf_puts(b, "]}");
			}
			rc |= sl_buf_putc(b, ']');
		}
		rc |= sl_buf_putc(b, '}');
	}
	rc |= sl_buf_puts(b, "]}\n");
	return rc ? SL_ENOMEM : 0;
}

int sl_pooling_opportunities_table(const sl_pooling_opportunities *r, sl_buf *b)
{
	char d1[16], d2[16];
	int rc = 0;
	rc |= sl_buf_printf(b, "pooling opportunities %s..%s  (distances: %s; %lld candidate groups)\n",
	                    sl_date_format(r->from_day, d1, sizeof d1),
	                    sl_date_format(r->to_day, d2, sizeof d2), r->distance_basis,
	                    (long long)r->candidates);
	if (!r->n)
		return sl_buf_puts(b, "no pooling opportunities\n") ? SL_ENOMEM : rc ? SL_ENOMEM : 0;
	rc |= sl_buf_printf(b, "%-10s %-11s %4s %4s %6s %9s %9s %9s %10s  %s\n", "day", "window",
	                    "sup", "dels", "visits", "km before", "km after", "km saved",
	                    "CO2e kg", "parties / sites");
	for (size_t i = 0; i < r->n; i++) {
		const sl_pooling_opportunity *o = &r->items[i];
		char win[48];
		snprintf(win, sizeof win, "%02d:%02d-%02d:%02d", o->window_from_min / 60,
		         o->window_from_min % 60, o->window_to_min / 60, o->window_to_min % 60);
		if (o->figures_hidden)
			rc |= sl_buf_printf(b, "%-10s %-11s %4s %4s   -%-3lld %9s %9s %9.1f %10.2f  ",
			                    sl_date_format(o->day, d1, sizeof d1), "-", "-", "-",
			                    (long long)o->visits_removed, "-", "-", o->km_saved,
			                    o->co2e_saved_g / 1000.0);
		else
			rc |= sl_buf_printf(b, "%-10s %-11s %4d %4lld %2lld->%-2lld %9.1f %9.1f %9.1f %10.2f  ",
			                    sl_date_format(o->day, d1, sizeof d1), win, o->n_suppliers,
			                    (long long)o->deliveries, (long long)o->visits_before,
			                    (long long)o->visits_after, o->km_before, o->km_after,
			                    o->km_saved, o->co2e_saved_g / 1000.0);
		for (size_t k = 0; k < o->n_parties; k++)
			rc |= sl_buf_printf(b, "%s%s", k ? "," : "", o->parties[k].ext);
		if (o->others_suppressed)
			rc |= sl_buf_puts(b, " +others (suppressed)");
		else if (o->others_suppliers)
			rc |= sl_buf_printf(b, " +%lld other suppliers", (long long)o->others_suppliers);
		rc |= sl_buf_puts(b, " @ ");
		for (size_t k = 0; k < o->n_visible_sites; k++)
			rc |= sl_buf_printf(b, "%s%s", k ? "," : "", o->sites[k].ext);
		rc |= sl_buf_putc(b, '\n');
	}
	rc |= sl_buf_printf(b,
	                    "total: %zu opportunities, %lld site visits removed, %.1f vehicle-km "
	                    "and %.1f kg CO2e saved; ",
	                    r->n, (long long)r->visits_removed, r->km_saved,
	                    r->co2e_saved_g / 1000.0);
	rc |= sl_buf_printf(b,
	                    "joint plan: %lld opportunities, %lld visits removed, %.1f vehicle-km "
	                    "and %.1f kg CO2e saved (CO2e: %s)\n",
	                    (long long)r->joint_opportunities, (long long)r->joint_visits_removed,
	                    r->joint_km_saved, r->joint_co2e_saved_g / 1000.0, r->co2e_basis);
	return rc ? SL_ENOMEM : 0;
}
