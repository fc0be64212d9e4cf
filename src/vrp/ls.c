/* ls.c — local search for the vrp solver: relocate, swap, 2-opt* (tail
 * exchange between two routes) and or-opt (strings of 2–3 consecutive
 * tasks moved within or between routes), first improvement over granular
 * neighbourhoods (each task's k nearest tasks; Toth & Vigo 2003, as used by
 * Vidal et al. 2013).
 *
 * Feasibility and cost of a move are evaluated in constant time by
 * concatenating route segments (Vidal, Crainic, Gendreau & Prins 2013, "A
 * hybrid genetic algorithm with adaptive diversity management for a large
 * class of vehicle routing problems with time-windows", Computers &
 * Operations Research 40(1), section 4 — the same idea as Savelsbergh's 1992
 * forward/backward time slack): every prefix and suffix of a route keeps
 * its duration D, time warp TW, earliest and latest start E/L, distance and
 * travel time, and, per capacity dimension, the load it needs at the route
 * start S (deliveries of jobs), its net load change N and the peak P of the
 * running load change (pickups of jobs and shipments); a route is feasible
 * iff TW = 0, S + P <= capacity in every dimension, distance and travel
 * time within the vehicle's limits, and the vehicle has every skill of the
 * union of the segments.  Moves that would separate a shipment or put its
 * delivery before its pickup are never generated: relocate, swap and or-opt
 * move jobs only, and 2-opt* cuts only where no shipment is open.  Tasks
 * with several time windows make the segment test a relaxation (the hull of
 * the windows); the exact answer then comes from a full simulation of the
 * candidate routes.  Every applied move is re-simulated in full, so the
 * search can never produce an infeasible plan. */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BIG 1e12
#define TW_EPS 1e-9
#define CAP_EPS 1e-9

typedef struct seg {
	int present, n, first, last, ship;
	double E, L, D, TW, dist, travel;
	double S[SL_VRP_MAX_DIMS], N[SL_VRP_MAX_DIMS], P[SL_VRP_MAX_DIMS];
	uint64_t skills;
} seg;

typedef struct lroute {
	int n, cap;
	int *t;
	seg *fwd;  /* fwd[i]: start depot + tasks [0, i) */
	seg *bwd;  /* bwd[i]: tasks [i, n) (no end depot); bwd[n] empty */
	int *open; /* open[i]: shipments picked up but not delivered after i tasks */
	double cost;
	int changed;
	long mod;
} lroute;

struct sl_vrp_ls {
	const sl_vrp_problem *p;
	int objective, nd, n, nv, K, exact;
	seg *node, *vstart, *vend;
	int *nbr;
	lroute *r;
	int *where, *pos, *order;
	long *tested;
	int *buf1, *buf2;
	long clock;
};

static inline double DIST(const sl_vrp_problem *p, int a, int b)
{
	return (a < 0 || b < 0) ? 0 : p->dist[(size_t)a * p->n_locations + b];
}
static inline double DUR(const sl_vrp_problem *p, int a, int b)
{
	return (a < 0 || b < 0) ? 0 : p->dur[(size_t)a * p->n_locations + b];
}

/* ---- shared evaluation -------------------------------------------------- */

int sl_vrp_internal_simulate(const sl_vrp_problem *p, int v, const int *seq, int n, double *dist_out, double *travel_out)
{
	const sl_vrp_vehicle *ve = &p->vehicles[v];
	int nd = p->n_dims;
	double load[SL_VRP_MAX_DIMS] = {0};
	for (int i = 0; i < n; i++) {
		const sl_vrp_task *t = &p->tasks[seq[i]];
		if (t->kind == SL_VRP_JOB)
			for (int d = 0; d < nd; d++)
				load[d] += t->delivery[d];
	}
	for (int d = 0; d < nd; d++)
		if (load[d] > ve->capacity[d] + CAP_EPS)
			return 0;
	double tm = ve->tw_start_s, dist = 0, travel = 0;
	int loc = ve->start_loc;
	for (int i = 0; i < n; i++) {
		const sl_vrp_task *t = &p->tasks[seq[i]];
		for (int d = 0; d < nd; d++) {
			if (t->kind == SL_VRP_JOB)
				load[d] += t->pickup[d] - t->delivery[d];
			else if (t->kind == SL_VRP_SHIP_PICKUP)
				load[d] += t->pickup[d];
			else
				load[d] -= t->pickup[d];
			if (load[d] > ve->capacity[d] + CAP_EPS)
				return 0;
		}
		double dd = DUR(p, loc, t->location);
		tm += dd;
		travel += dd;
		dist += DIST(p, loc, t->location);
		if (t->n_tw) {
			int ok = 0;
			for (int w = 0; w < t->n_tw; w++)
				if (tm <= t->tw[w].end_s + 1e-9) {
					if (tm < t->tw[w].start_s)
						tm = t->tw[w].start_s;
					ok = 1;
					break;
				}
			if (!ok)
				return 0;
		}
		tm += t->service_s;
		loc = t->location;
	}
	if (ve->end_loc >= 0) {
		tm += DUR(p, loc, ve->end_loc);
		travel += DUR(p, loc, ve->end_loc);
		dist += DIST(p, loc, ve->end_loc);
	}
	if (tm > ve->tw_end_s + 1e-9 || travel > ve->max_travel_s + 1e-9 || dist > ve->max_distance_m + 1e-9)
		return 0;
	*dist_out = dist;
	*travel_out = travel;
	return 1;
}

double sl_vrp_internal_route_cost(const sl_vrp_problem *p, int objective, int v, int n, double dist, double travel)
{
	if (n == 0)
		return 0;
	const sl_vrp_vehicle *ve = &p->vehicles[v];
	switch (objective) {
	case SL_VRP_OBJ_DISTANCE: return dist;
	case SL_VRP_OBJ_VEHICLES_THEN_DISTANCE: return dist + SL_VRP_VEHICLE_PENALTY;
	case SL_VRP_OBJ_CO2E: return ve->co2e_g_per_km * dist / 1000.0;
	default: return ve->fixed_cost + ve->cost_per_km * dist / 1000.0 + ve->cost_per_hour * travel / 3600.0;
	}
}

/* ---- segments ------------------------------------------------------------ */

static inline double clampd(double x)
{
	return x > BIG ? BIG : x < -BIG ? -BIG : x;
}

/* out = a ⊕ b (out may alias a or b). */
static void cat(const sl_vrp_ls *ls, seg *out, const seg *a, const seg *b)
{
	if (!a->present) {
		if (out != b)
			*out = *b;
		return;
	}
	if (!b->present) {
		if (out != a)
			*out = *a;
		return;
	}
	const sl_vrp_problem *p = ls->p;
	double t = DUR(p, a->last, b->first);
	double delta = a->D - a->TW + t;
	double wt = b->E - delta - a->L;
	if (wt < 0)
		wt = 0;
	double tw = a->E + delta - b->L;
	if (tw < 0)
		tw = 0;
	seg r;
	r.present = 1;
	r.n = a->n + b->n;
	r.ship = a->ship + b->ship;
	r.first = a->first;
	r.last = b->last;
	r.D = a->D + b->D + t + wt;
	r.TW = a->TW + b->TW + tw;
	double e = b->E - delta, l = b->L - delta;
	r.E = (e > a->E ? e : a->E) - wt;
	r.L = (l < a->L ? l : a->L) + tw;
	r.dist = a->dist + b->dist + DIST(p, a->last, b->first);
	r.travel = a->travel + b->travel + t;
	for (int d = 0; d < ls->nd; d++) {
		r.S[d] = a->S[d] + b->S[d];
		r.N[d] = a->N[d] + b->N[d];
		double x = a->N[d] + b->P[d];
		r.P[d] = x > a->P[d] ? x : a->P[d];
	}
	r.skills = a->skills | b->skills;
	*out = r;
}

static int feasible(const sl_vrp_ls *ls, const seg *R, int v)
{
	const sl_vrp_vehicle *ve = &ls->p->vehicles[v];
	if (R->TW > TW_EPS)
		return 0;
	for (int d = 0; d < ls->nd; d++)
		if (R->S[d] + R->P[d] > ve->capacity[d] + CAP_EPS)
			return 0;
	if (R->dist > ve->max_distance_m + 1e-9 || R->travel > ve->max_travel_s + 1e-9)
		return 0;
	return (ve->skills & R->skills) == R->skills;
}

static double seg_cost(const sl_vrp_ls *ls, const seg *R, int v)
{
	return sl_vrp_internal_route_cost(ls->p, ls->objective, v, R->n, R->dist, R->travel);
}

/* Tasks [a, b) of route r as one segment. */
static void mid(const sl_vrp_ls *ls, seg *out, const lroute *r, int a, int b)
{
	out->present = 0;
	for (int q = a; q < b; q++)
		cat(ls, out, out, &ls->node[r->t[q]]);
}

static int route_reserve(lroute *r, int n)
{
	if (n <= r->cap)
		return 0;
	int nc = r->cap ? r->cap : 8;
	while (nc < n)
		nc *= 2;
	int *t = realloc(r->t, (size_t)nc * sizeof *t);
	if (!t)
		return -1;
	r->t = t;
	seg *f = realloc(r->fwd, (size_t)(nc + 1) * sizeof *f);
	if (!f)
		return -1;
	r->fwd = f;
	seg *b = realloc(r->bwd, (size_t)(nc + 1) * sizeof *b);
	if (!b)
		return -1;
	r->bwd = b;
	int *o = realloc(r->open, (size_t)(nc + 1) * sizeof *o);
	if (!o)
		return -1;
	r->open = o;
	r->cap = nc;
	return 0;
}

static void route_build(sl_vrp_ls *ls, int v)
{
	lroute *r = &ls->r[v];
	const sl_vrp_problem *p = ls->p;
	r->fwd[0] = ls->vstart[v];
	r->open[0] = 0;
	for (int i = 0; i < r->n; i++) {
		int t = r->t[i];
		cat(ls, &r->fwd[i + 1], &r->fwd[i], &ls->node[t]);
		r->open[i + 1] = r->open[i] + (p->tasks[t].kind == SL_VRP_SHIP_PICKUP) -
			(p->tasks[t].kind == SL_VRP_SHIP_DELIVERY);
		ls->where[t] = v;
		ls->pos[t] = i;
	}
	r->bwd[r->n].present = 0;
	for (int i = r->n - 1; i >= 0; i--)
		cat(ls, &r->bwd[i], &ls->node[r->t[i]], &r->bwd[i + 1]);
	seg full;
	cat(ls, &full, &r->fwd[r->n], &ls->vend[v]);
	r->cost = seg_cost(ls, &full, v);
}

/* ---- workspace ------------------------------------------------------------ */

typedef struct nbd {
	double d;
	int u;
} nbd;

static int cmp_nbd(const void *a, const void *b)
{
	const nbd *x = a, *y = b;
	if (x->d != y->d)
		return x->d < y->d ? -1 : 1;
	return (x->u > y->u) - (x->u < y->u);
}

void sl_vrp_ls_free(sl_vrp_ls *ls)
{
	if (!ls)
		return;
	for (int v = 0; ls->r && v < ls->nv; v++) {
		free(ls->r[v].t);
		free(ls->r[v].fwd);
		free(ls->r[v].bwd);
		free(ls->r[v].open);
	}
	free(ls->r);
	free(ls->node);
	free(ls->vstart);
	free(ls->vend);
	free(ls->nbr);
	free(ls->where);
	free(ls->pos);
	free(ls->order);
	free(ls->tested);
	free(ls->buf1);
	free(ls->buf2);
	free(ls);
}

sl_vrp_ls *sl_vrp_ls_new(const sl_vrp_problem *p, int objective, int granularity)
{
	sl_vrp_ls *ls = calloc(1, sizeof *ls);
	if (!ls)
		return NULL;
	int n = p->n_tasks, nv = p->n_vehicles, n1 = n ? n : 1;
	ls->p = p;
	ls->objective = objective;
	ls->nd = p->n_dims;
	ls->n = n;
	ls->nv = nv;
	ls->K = granularity < n - 1 ? granularity : n - 1;
	if (ls->K < 0)
		ls->K = 0;
	ls->exact = 1;
	ls->node = calloc((size_t)n1, sizeof *ls->node);
	ls->vstart = calloc((size_t)(nv ? nv : 1), sizeof *ls->vstart);
	ls->vend = calloc((size_t)(nv ? nv : 1), sizeof *ls->vend);
	ls->nbr = malloc((size_t)n1 * (size_t)(ls->K ? ls->K : 1) * sizeof *ls->nbr);
	ls->r = calloc((size_t)(nv ? nv : 1), sizeof *ls->r);
	ls->where = malloc((size_t)n1 * sizeof *ls->where);
	ls->pos = malloc((size_t)n1 * sizeof *ls->pos);
	ls->order = malloc((size_t)n1 * sizeof *ls->order);
	ls->tested = calloc((size_t)n1, sizeof *ls->tested);
	ls->buf1 = malloc((size_t)(n + 4) * sizeof *ls->buf1);
	ls->buf2 = malloc((size_t)(n + 4) * sizeof *ls->buf2);
	nbd *tmp = malloc((size_t)n1 * sizeof *tmp);
	if (!ls->node || !ls->vstart || !ls->vend || !ls->nbr || !ls->r || !ls->where || !ls->pos || !ls->order ||
			!ls->tested || !ls->buf1 || !ls->buf2 || !tmp) {
		free(tmp);
		sl_vrp_ls_free(ls);
		return NULL;
	}
	for (int t = 0; t < n; t++) {
		const sl_vrp_task *tk = &p->tasks[t];
		seg *s = &ls->node[t];
		s->present = 1;
		s->n = 1;
		s->first = s->last = tk->location;
		s->ship = tk->kind != SL_VRP_JOB;
		s->E = tk->n_tw ? clampd(tk->tw[0].start_s) : -BIG;
		s->L = tk->n_tw ? clampd(tk->tw[tk->n_tw - 1].end_s) : BIG;
		if (tk->n_tw > 1)
			ls->exact = 0;
		s->D = tk->service_s;
		s->skills = tk->skills;
		for (int d = 0; d < ls->nd; d++) {
			double net = tk->kind == SL_VRP_JOB ? tk->pickup[d] - tk->delivery[d] :
				tk->kind == SL_VRP_SHIP_PICKUP ? tk->pickup[d] : -tk->pickup[d];
			s->S[d] = tk->kind == SL_VRP_JOB ? tk->delivery[d] : 0;
			s->N[d] = net;
			s->P[d] = net > 0 ? net : 0;
		}
		int k = 0;
		for (int u = 0; u < n; u++)
			if (u != t) {
				tmp[k].d = DIST(p, tk->location, p->tasks[u].location);
				tmp[k++].u = u;
			}
		qsort(tmp, (size_t)k, sizeof *tmp, cmp_nbd);
		for (int q = 0; q < ls->K; q++)
			ls->nbr[(size_t)t * ls->K + q] = tmp[q].u;
	}
	free(tmp);
	for (int v = 0; v < nv; v++) {
		const sl_vrp_vehicle *ve = &p->vehicles[v];
		seg *s = &ls->vstart[v];
		s->present = 1;
		s->first = s->last = ve->start_loc;
		s->E = s->L = clampd(ve->tw_start_s);
		s = &ls->vend[v];
		s->present = 1;
		s->first = s->last = ve->end_loc;
		s->E = -BIG;
		s->L = clampd(ve->tw_end_s);
		if (route_reserve(&ls->r[v], 8)) {
			sl_vrp_ls_free(ls);
			return NULL;
		}
	}
	sl_vrp_ls_clear(ls);
	return ls;
}

void sl_vrp_ls_clear(sl_vrp_ls *ls)
{
	for (int t = 0; t < ls->n; t++) {
		ls->where[t] = -1;
		ls->pos[t] = -1;
		ls->tested[t] = 0;
	}
	for (int v = 0; v < ls->nv; v++) {
		ls->r[v].n = 0;
		ls->r[v].mod = 0;
		ls->r[v].changed = 0;
		route_build(ls, v);
	}
	ls->clock = 1;
}

int sl_vrp_ls_set_route(sl_vrp_ls *ls, int v, const int *tasks, int n, int dirty)
{
	lroute *r = &ls->r[v];
	if (route_reserve(r, n))
		return SL_ENOMEM;
	memcpy(r->t, tasks, (size_t)n * sizeof *r->t);
	r->n = n;
	r->mod = dirty ? ls->clock : 0;
	r->changed = 0;
	route_build(ls, v);
	return 0;
}

const int *sl_vrp_ls_route(const sl_vrp_ls *ls, int v, int *n, int *changed)
{
	*n = ls->r[v].n;
	if (changed)
		*changed = ls->r[v].changed;
	return ls->r[v].t;
}

double sl_vrp_ls_cost(const sl_vrp_ls *ls)
{
	double c = 0;
	for (int v = 0; v < ls->nv; v++)
		c += ls->r[v].cost;
	return c;
}

/* ---- moves ---------------------------------------------------------------- */

typedef struct move {
	int op, r1, i, k, r2, j;
} move;

/* Is the move well formed?  (positions, no-ops, shipments) */
static int valid(const sl_vrp_ls *ls, const move *m)
{
	if (m->r1 < 0 || m->r1 >= ls->nv || m->r2 < 0 || m->r2 >= ls->nv)
		return 0;
	const lroute *a = &ls->r[m->r1], *b = &ls->r[m->r2];
	const sl_vrp_problem *p = ls->p;
	switch (m->op) {
	case SL_VRP_LS_RELOCATE:
	case SL_VRP_LS_OR_OPT:
		if (m->k < 1 || m->i < 0 || m->i + m->k > a->n || m->j < 0 || m->j > b->n)
			return 0;
		if (m->r1 == m->r2 && m->j >= m->i && m->j <= m->i + m->k)
			return 0;
		for (int q = m->i; q < m->i + m->k; q++)
			if (p->tasks[a->t[q]].kind != SL_VRP_JOB)
				return 0;
		return 1;
	case SL_VRP_LS_SWAP:
		if (m->i < 0 || m->i >= a->n || m->j < 0 || m->j >= b->n || (m->r1 == m->r2 && m->i == m->j))
			return 0;
		return p->tasks[a->t[m->i]].kind == SL_VRP_JOB && p->tasks[b->t[m->j]].kind == SL_VRP_JOB;
	case SL_VRP_LS_TWO_OPT_STAR:
		if (m->r1 == m->r2 || m->i < 0 || m->i > a->n || m->j < 0 || m->j > b->n)
			return 0;
		if (m->i == a->n && m->j == b->n)
			return 0;
		return a->open[m->i] == 0 && b->open[m->j] == 0;
	}
	return 0;
}

/* Constant-time evaluation (plus O(distance between positions) for moves
 * inside one route): full segments of the new route(s) into A (and B). */
static void compose(const sl_vrp_ls *ls, const move *m, seg *A, seg *B)
{
	const lroute *a = &ls->r[m->r1], *b = &ls->r[m->r2];
	const seg *end1 = &ls->vend[m->r1], *end2 = &ls->vend[m->r2];
	seg M, X;
	switch (m->op) {
	case SL_VRP_LS_RELOCATE:
	case SL_VRP_LS_OR_OPT:
		mid(ls, &M, a, m->i, m->i + m->k);
		if (m->r1 != m->r2) {
			cat(ls, A, &a->fwd[m->i], &a->bwd[m->i + m->k]);
			cat(ls, A, A, end1);
			cat(ls, B, &b->fwd[m->j], &M);
			cat(ls, B, B, &b->bwd[m->j]);
			cat(ls, B, B, end2);
		} else if (m->j < m->i) {
			mid(ls, &X, a, m->j, m->i);
			cat(ls, A, &a->fwd[m->j], &M);
			cat(ls, A, A, &X);
			cat(ls, A, A, &a->bwd[m->i + m->k]);
			cat(ls, A, A, end1);
		} else {
			mid(ls, &X, a, m->i + m->k, m->j);
			cat(ls, A, &a->fwd[m->i], &X);
			cat(ls, A, A, &M);
			cat(ls, A, A, &a->bwd[m->j]);
			cat(ls, A, A, end1);
		}
		break;
	case SL_VRP_LS_SWAP:
		if (m->r1 != m->r2) {
			cat(ls, A, &a->fwd[m->i], &ls->node[b->t[m->j]]);
			cat(ls, A, A, &a->bwd[m->i + 1]);
			cat(ls, A, A, end1);
			cat(ls, B, &b->fwd[m->j], &ls->node[a->t[m->i]]);
			cat(ls, B, B, &b->bwd[m->j + 1]);
			cat(ls, B, B, end2);
		} else {
			int i = m->i < m->j ? m->i : m->j, j = m->i < m->j ? m->j : m->i;
			mid(ls, &X, a, i + 1, j);
			cat(ls, A, &a->fwd[i], &ls->node[a->t[j]]);
			cat(ls, A, A, &X);
			cat(ls, A, A, &ls->node[a->t[i]]);
			cat(ls, A, A, &a->bwd[j + 1]);
			cat(ls, A, A, end1);
		}
		break;
	case SL_VRP_LS_TWO_OPT_STAR:
		cat(ls, A, &a->fwd[m->i], &b->bwd[m->j]);
		cat(ls, A, A, end1);
		cat(ls, B, &b->fwd[m->j], &a->bwd[m->i]);
		cat(ls, B, B, end2);
		break;
	}
}

/* The resulting task sequences. */
static void build(const sl_vrp_ls *ls, const move *m, int *s1, int *n1, int *s2, int *n2)
{
	const lroute *a = &ls->r[m->r1], *b = &ls->r[m->r2];
	int k = 0, h = 0;
	switch (m->op) {
	case SL_VRP_LS_RELOCATE:
	case SL_VRP_LS_OR_OPT:
		if (m->r1 != m->r2) {
			for (int q = 0; q < a->n; q++)
				if (q < m->i || q >= m->i + m->k)
					s1[k++] = a->t[q];
			for (int q = 0; q <= b->n; q++) {
				if (q == m->j)
					for (int z = m->i; z < m->i + m->k; z++)
						s2[h++] = a->t[z];
				if (q < b->n)
					s2[h++] = b->t[q];
			}
		} else {
			for (int q = 0; q <= a->n; q++) {
				if (q == m->j)
					for (int z = m->i; z < m->i + m->k; z++)
						s1[k++] = a->t[z];
				if (q < a->n && (q < m->i || q >= m->i + m->k))
					s1[k++] = a->t[q];
			}
		}
		break;
	case SL_VRP_LS_SWAP:
		memcpy(s1, a->t, (size_t)a->n * sizeof *s1);
		k = a->n;
		if (m->r1 != m->r2) {
			memcpy(s2, b->t, (size_t)b->n * sizeof *s2);
			h = b->n;
			s1[m->i] = b->t[m->j];
			s2[m->j] = a->t[m->i];
		} else {
			s1[m->i] = a->t[m->j];
			s1[m->j] = a->t[m->i];
		}
		break;
	case SL_VRP_LS_TWO_OPT_STAR:
		for (int q = 0; q < m->i; q++)
			s1[k++] = a->t[q];
		for (int q = m->j; q < b->n; q++)
			s1[k++] = b->t[q];
		for (int q = 0; q < m->j; q++)
			s2[h++] = b->t[q];
		for (int q = m->i; q < a->n; q++)
			s2[h++] = a->t[q];
		break;
	}
	*n1 = k;
	*n2 = h;
}

/* Cost screen: distance and travel time of the new route(s) from the arcs
 * that change and the cached prefix/suffix totals — no time-window or load
 * work, so most non-improving moves are rejected after a few matrix
 * look-ups. */
typedef struct lite {
	int n, first, last;
	double dist, travel;
} lite;

static inline lite L_seg(const seg *s)
{
	lite l = {s->present ? s->n : -1, s->first, s->last, s->dist, s->travel};
	return l;
}

/* a ⊕ b on totals only (n = -1 marks an absent segment). */
static inline lite L_cat(const sl_vrp_problem *p, lite a, lite b)
{
	if (a.n < 0)
		return b;
	if (b.n < 0)
		return a;
	lite r = {a.n + b.n, a.first, b.last, a.dist + b.dist + DIST(p, a.last, b.first),
		a.travel + b.travel + DUR(p, a.last, b.first)};
	return r;
}

/* Tasks [a, b) of route r, totals only, in O(1) from the prefixes. */
static inline lite L_mid(const sl_vrp_ls *ls, const lroute *r, int a, int b)
{
	lite l = {-1, 0, 0, 0, 0};
	if (b <= a)
		return l;
	const sl_vrp_problem *p = ls->p;
	int fa = ls->node[r->t[a]].first, prev = r->fwd[a].last;
	l.n = b - a;
	l.first = fa;
	l.last = ls->node[r->t[b - 1]].last;
	l.dist = r->fwd[b].dist - r->fwd[a].dist - DIST(p, prev, fa);
	l.travel = r->fwd[b].travel - r->fwd[a].travel - DUR(p, prev, fa);
	return l;
}

static double screen(const sl_vrp_ls *ls, const move *m)
{
	const sl_vrp_problem *p = ls->p;
	const lroute *a = &ls->r[m->r1], *b = &ls->r[m->r2];
	lite A, B = {0, 0, 0, 0, 0}, e1 = L_seg(&ls->vend[m->r1]), e2 = L_seg(&ls->vend[m->r2]);
	switch (m->op) {
	case SL_VRP_LS_RELOCATE:
	case SL_VRP_LS_OR_OPT: {
		lite M = L_mid(ls, a, m->i, m->i + m->k);
		if (m->r1 != m->r2) {
			A = L_cat(p, L_cat(p, L_seg(&a->fwd[m->i]), L_seg(&a->bwd[m->i + m->k])), e1);
			B = L_cat(p, L_cat(p, L_cat(p, L_seg(&b->fwd[m->j]), M), L_seg(&b->bwd[m->j])), e2);
		} else if (m->j < m->i)
			A = L_cat(p, L_cat(p, L_cat(p, L_cat(p, L_seg(&a->fwd[m->j]), M), L_mid(ls, a, m->j, m->i)),
						   L_seg(&a->bwd[m->i + m->k])), e1);
		else
			A = L_cat(p, L_cat(p, L_cat(p, L_cat(p, L_seg(&a->fwd[m->i]), L_mid(ls, a, m->i + m->k, m->j)), M),
						   L_seg(&a->bwd[m->j])), e1);
		break;
	}
	case SL_VRP_LS_SWAP:
		if (m->r1 != m->r2) {
			A = L_cat(p, L_cat(p, L_cat(p, L_seg(&a->fwd[m->i]), L_seg(&ls->node[b->t[m->j]])),
					   L_seg(&a->bwd[m->i + 1])), e1);
			B = L_cat(p, L_cat(p, L_cat(p, L_seg(&b->fwd[m->j]), L_seg(&ls->node[a->t[m->i]])),
					   L_seg(&b->bwd[m->j + 1])), e2);
		} else {
			int i = m->i < m->j ? m->i : m->j, j = m->i < m->j ? m->j : m->i;
			A = L_cat(p, L_seg(&a->fwd[i]), L_seg(&ls->node[a->t[j]]));
			A = L_cat(p, L_cat(p, A, L_mid(ls, a, i + 1, j)), L_seg(&ls->node[a->t[i]]));
			A = L_cat(p, L_cat(p, A, L_seg(&a->bwd[j + 1])), e1);
		}
		break;
	case SL_VRP_LS_TWO_OPT_STAR:
		A = L_cat(p, L_cat(p, L_seg(&a->fwd[m->i]), L_seg(&b->bwd[m->j])), e1);
		B = L_cat(p, L_cat(p, L_seg(&b->fwd[m->j]), L_seg(&a->bwd[m->i])), e2);
		break;
	}
	double d = sl_vrp_internal_route_cost(p, ls->objective, m->r1, A.n, A.dist, A.travel) - a->cost;
	if (m->r1 != m->r2)
		d += sl_vrp_internal_route_cost(p, ls->objective, m->r2, B.n, B.dist, B.travel) - b->cost;
	return d;
}

/* Predicted feasibility and cost change. */
static int evaluate(const sl_vrp_ls *ls, const move *m, double *delta)
{
	seg A, B;
	compose(ls, m, &A, &B);
	if (m->r1 == m->r2) {
		*delta = seg_cost(ls, &A, m->r1) - ls->r[m->r1].cost;
		return feasible(ls, &A, m->r1);
	}
	*delta = seg_cost(ls, &A, m->r1) + seg_cost(ls, &B, m->r2) - ls->r[m->r1].cost - ls->r[m->r2].cost;
	return feasible(ls, &A, m->r1) && feasible(ls, &B, m->r2);
}

int sl_vrp_ls_eval_move(sl_vrp_ls *ls, int op, int r1, int i, int k, int r2, int j, int *o1_feasible,
		double *delta, int *seq1, int *n1, int *seq2, int *n2)
{
	move m = {op, r1, i, op == SL_VRP_LS_SWAP || op == SL_VRP_LS_TWO_OPT_STAR ? 1 : k, r2, j};
	if (!valid(ls, &m))
		return SL_EINVAL;
	*o1_feasible = evaluate(ls, &m, delta);
	if (fabs(screen(ls, &m) - *delta) > 1e-6 * (1 + fabs(*delta)))
		return SL_EIO; /* the two cost evaluations disagree: a bug */
	build(ls, &m, seq1, n1, seq2, n2);
	return 0;
}

/* Try m: apply it when it improves and is feasible (verified by a full
 * simulation).  1 = applied, 0 = not, -1 = ENOMEM. */
static int try_move(sl_vrp_ls *ls, const move *m)
{
	if (!valid(ls, m))
		return 0;
	if (screen(ls, m) > -1e-7)
		return 0;
	double delta;
	seg A, B;
	compose(ls, m, &A, &B);
	if (m->r1 == m->r2)
		delta = seg_cost(ls, &A, m->r1) - ls->r[m->r1].cost;
	else
		delta = seg_cost(ls, &A, m->r1) + seg_cost(ls, &B, m->r2) - ls->r[m->r1].cost - ls->r[m->r2].cost;
	if (delta > -1e-7)
		return 0;
	if (!feasible(ls, &A, m->r1) || (m->r1 != m->r2 && !feasible(ls, &B, m->r2)))
		return 0;
	int n1, n2;
	build(ls, m, ls->buf1, &n1, ls->buf2, &n2);
	double d, t;
	if (!sl_vrp_internal_simulate(ls->p, m->r1, ls->buf1, n1, &d, &t))
		return 0;
	if (m->r1 != m->r2 && !sl_vrp_internal_simulate(ls->p, m->r2, ls->buf2, n2, &d, &t))
		return 0;
	lroute *a = &ls->r[m->r1], *b = &ls->r[m->r2];
	if (route_reserve(a, n1) || (m->r1 != m->r2 && route_reserve(b, n2)))
		return -1;
	ls->clock++;
	memcpy(a->t, ls->buf1, (size_t)n1 * sizeof *a->t);
	a->n = n1;
	a->mod = ls->clock;
	a->changed = 1;
	route_build(ls, m->r1);
	if (m->r1 != m->r2) {
		memcpy(b->t, ls->buf2, (size_t)n2 * sizeof *b->t);
		b->n = n2;
		b->mod = ls->clock;
		b->changed = 1;
		route_build(ls, m->r2);
	}
	return 1;
}

/* All moves between task u and its neighbour w. */
static int moves_pair(sl_vrp_ls *ls, unsigned ops, int u, int w)
{
	int r1 = ls->where[u], r2 = ls->where[w], i = ls->pos[u], j = ls->pos[w];
	int rc;
	if (ops & SL_VRP_LS_RELOCATE) {
		move a = {SL_VRP_LS_RELOCATE, r1, i, 1, r2, j + 1};
		if ((rc = try_move(ls, &a)))
			return rc;
		move b = {SL_VRP_LS_RELOCATE, r1, i, 1, r2, j};
		if ((rc = try_move(ls, &b)))
			return rc;
	}
	if (ops & SL_VRP_LS_SWAP) {
		move a = {SL_VRP_LS_SWAP, r1, i, 1, r2, j};
		if ((rc = try_move(ls, &a)))
			return rc;
	}
	if ((ops & SL_VRP_LS_TWO_OPT_STAR) && r1 != r2) {
		move a = {SL_VRP_LS_TWO_OPT_STAR, r1, i + 1, 1, r2, j};
		if ((rc = try_move(ls, &a)))
			return rc;
		move b = {SL_VRP_LS_TWO_OPT_STAR, r1, i, 1, r2, j + 1};
		if ((rc = try_move(ls, &b)))
			return rc;
	}
	if (ops & SL_VRP_LS_OR_OPT)
		for (int k = 2; k <= 3; k++) {
			move a = {SL_VRP_LS_OR_OPT, r1, i, k, r2, j + 1};
			if ((rc = try_move(ls, &a)))
				return rc;
			move b = {SL_VRP_LS_OR_OPT, r1, i, k, r2, j};
			if ((rc = try_move(ls, &b)))
				return rc;
		}
	return 0;
}

int sl_vrp_ls_run(sl_vrp_ls *ls, unsigned ops, sl_rng *rng, long *moves)
{
	int m = 0;
	long applied = 0;
	for (int t = 0; t < ls->n; t++)
		if (ls->where[t] >= 0)
			ls->order[m++] = t;
	if (rng)
		for (int q = m - 1; q > 0; q--) {
			int z = (int)sl_rng_below(rng, (uint64_t)(q + 1));
			int x = ls->order[q];
			ls->order[q] = ls->order[z];
			ls->order[z] = x;
		}
	int improved = 1;
	for (int pass = 0; improved && pass < 1000; pass++) {
		improved = 0;
		for (int q = 0; q < m; q++) {
			int u = ls->order[q];
			long last = ls->tested[u];
			ls->tested[u] = ls->clock;
			for (int z = 0; z < ls->K; z++) {
				int w = ls->nbr[(size_t)u * ls->K + z];
				if (ls->where[w] < 0 || ls->where[u] < 0)
					continue;
				long mod = ls->r[ls->where[u]].mod > ls->r[ls->where[w]].mod ? ls->r[ls->where[u]].mod :
					ls->r[ls->where[w]].mod;
				if (mod <= last)
					continue;
				int rc = moves_pair(ls, ops, u, w);
				if (rc < 0)
					return SL_ENOMEM;
				if (rc > 0) {
					applied++;
					improved = 1;
				}
			}
		}
	}
	if (moves)
		*moves = applied;
	return 0;
}
