/* solve.c — the vrp solver: Slack Induction by String Removals (SISR;
 * Christiaens & Vanden Berghe 2020, Transportation Science 54(2):417–433),
 * i.e. ruin by removing strings of consecutive stops from routes near a seed
 * stop, recreate by greedy insertion with blinks, accepted by simulated
 * annealing.  Feasibility of an insertion is tested in O(1) on "simple"
 * problems (single windows, deliveries only) from cached forward earliest
 * departure and backward latest arrival times (the segment idea of Savelsbergh
 * 1992 and Vidal et al. 2013), otherwise by a full O(n) route simulation that
 * is only run when the insertion would beat the best one found so far.
 * Candidates are then improved by the local search of ls.c (relocate, swap,
 * 2-opt*, or-opt over granular neighbourhoods with constant-time segment
 * checks, Vidal et al. 2013) before the acceptance test.
 * Parallel mode: independent searches resynchronised on the best solution at
 * fixed points (epochs), so results depend only on seed, threads and the
 * iteration limit. */
#include "internal.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BIG_UNASSIGNED 1e9
#define VEHICLE_PENALTY SL_VRP_VEHICLE_PENALTY
#define EPOCHS 16

typedef struct route {
	int n, cap;
	int *t;
	double *fwd;   /* earliest departure after position i (index i+1; 0 = start) */
	double *bwd;   /* latest arrival at position i (index i; n = end depot) */
	double load[SL_VRP_MAX_DIMS];
	double dist, travel, cost;
} route;

typedef struct sol {
	int nr;
	route *r;
	int *where; /* task -> route or -1 */
	double cost;
	int max_routes; /* limit on non-empty routes (fleet minimisation), or -1 */
	unsigned char *dirty; /* per route: changed by this iteration's ruin & recreate */
} sol;

typedef struct ctx {
	const sl_vrp_problem *p;
	int objective;
	int simple;
	int n;            /* tasks */
	int *vclass;      /* vehicle -> class id (identical vehicles share it) */
	unsigned char *compat; /* vehicle * n + task: skills and capacity allow it */
	int *adj;         /* n * n neighbours by distance (task indices) */
	double *depot_dist; /* per task, from the first vehicle's start */
} ctx;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static inline double DIST(const sl_vrp_problem *p, int a, int b)
{
	return (a < 0 || b < 0) ? 0 : p->dist[(size_t)a * p->n_locations + b];
}
static inline double DUR(const sl_vrp_problem *p, int a, int b)
{
	return (a < 0 || b < 0) ? 0 : p->dur[(size_t)a * p->n_locations + b];
}

static double route_cost_of(const ctx *c, int v, int n, double dist, double travel)
{
	return sl_vrp_internal_route_cost(c->p, c->objective, v, n, dist, travel);
}

/* Full simulation of vehicle v serving seq[0..n).  Returns 1 if feasible. */
static int simulate(const ctx *c, int v, const int *seq, int n, double *dist_out, double *travel_out)
{
	return sl_vrp_internal_simulate(c->p, v, seq, n, dist_out, travel_out);
}

static int route_reserve(route *r, int n)
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
	double *f = realloc(r->fwd, (size_t)(nc + 2) * sizeof *f);
	if (!f)
		return -1;
	r->fwd = f;
	double *b = realloc(r->bwd, (size_t)(nc + 2) * sizeof *b);
	if (!b)
		return -1;
	r->bwd = b;
	r->cap = nc;
	return 0;
}

/* Recompute the caches of route ri (v = its vehicle). */
static void route_update(const ctx *c, route *r, int v)
{
	const sl_vrp_problem *p = c->p;
	const sl_vrp_vehicle *ve = &p->vehicles[v];
	int n = r->n;
	memset(r->load, 0, sizeof r->load);
	double tm = ve->tw_start_s, dist = 0, travel = 0;
	int loc = ve->start_loc;
	r->fwd[0] = tm;
	for (int i = 0; i < n; i++) {
		const sl_vrp_task *t = &p->tasks[r->t[i]];
		for (int d = 0; d < p->n_dims; d++)
			r->load[d] += t->delivery[d];
		double dd = DUR(p, loc, t->location);
		tm += dd;
		travel += dd;
		dist += DIST(p, loc, t->location);
		if (t->n_tw == 1 && tm < t->tw[0].start_s)
			tm = t->tw[0].start_s;
		tm += t->service_s;
		r->fwd[i + 1] = tm;
		loc = t->location;
	}
	travel += DUR(p, loc, ve->end_loc);
	dist += DIST(p, loc, ve->end_loc);
	r->bwd[n] = ve->tw_end_s;
	int next = ve->end_loc;
	for (int i = n - 1; i >= 0; i--) {
		const sl_vrp_task *t = &p->tasks[r->t[i]];
		double l = r->bwd[i + 1] - DUR(p, t->location, next) - t->service_s;
		if (t->n_tw == 1 && t->tw[0].end_s < l)
			l = t->tw[0].end_s;
		r->bwd[i] = l;
		next = t->location;
	}
	r->dist = dist;
	r->travel = travel;
	r->cost = route_cost_of(c, v, n, dist, travel);
}

static void sol_cost(const ctx *c, sol *s)
{
	double cost = 0;
	for (int i = 0; i < s->nr; i++)
		cost += s->r[i].cost;
	for (int t = 0; t < c->n; t++)
		if (s->where[t] < 0 && c->p->tasks[t].kind != SL_VRP_SHIP_DELIVERY)
			cost += BIG_UNASSIGNED * c->p->tasks[t].priority;
	s->cost = cost;
}

static void sol_free(sol *s)
{
	if (!s->r)
		return;
	for (int i = 0; i < s->nr; i++) {
		free(s->r[i].t);
		free(s->r[i].fwd);
		free(s->r[i].bwd);
	}
	free(s->r);
	free(s->where);
	free(s->dirty);
	s->r = NULL;
}

static int sol_init(const ctx *c, sol *s)
{
	s->nr = c->p->n_vehicles;
	s->max_routes = -1;
	s->r = calloc((size_t)s->nr, sizeof *s->r);
	s->where = malloc((size_t)(c->n ? c->n : 1) * sizeof *s->where);
	s->dirty = calloc((size_t)s->nr, 1);
	if (!s->r || !s->where || !s->dirty)
		return -1;
	for (int i = 0; i < c->n; i++)
		s->where[i] = -1;
	for (int i = 0; i < s->nr; i++) {
		if (route_reserve(&s->r[i], 8))
			return -1;
		route_update(c, &s->r[i], i);
	}
	sol_cost(c, s);
	return 0;
}

static int sol_copy(const ctx *c, sol *dst, const sol *src)
{
	for (int i = 0; i < src->nr; i++) {
		route *d = &dst->r[i];
		const route *r = &src->r[i];
		if (route_reserve(d, r->n))
			return -1;
		d->n = r->n;
		memcpy(d->t, r->t, (size_t)r->n * sizeof *d->t);
		memcpy(d->fwd, r->fwd, (size_t)(r->n + 1) * sizeof(double));
		memcpy(d->bwd, r->bwd, (size_t)(r->n + 1) * sizeof(double));
		memcpy(d->load, r->load, sizeof d->load);
		d->dist = r->dist;
		d->travel = r->travel;
		d->cost = r->cost;
	}
	memcpy(dst->where, src->where, (size_t)c->n * sizeof *dst->where);
	dst->cost = src->cost;
	return 0;
}

/* ---- insertion --------------------------------------------------------- */

typedef struct ins {
	double delta;
	int route, pos, pos2;
} ins;

static double arc_delta(const ctx *c, int v, int prev_loc, int loc, int next_loc, double *dd, double *dt)
{
	const sl_vrp_problem *p = c->p;
	(void)v;
	*dd = DIST(p, prev_loc, loc) + DIST(p, loc, next_loc) - DIST(p, prev_loc, next_loc);
	*dt = DUR(p, prev_loc, loc) + DUR(p, loc, next_loc) - DUR(p, prev_loc, next_loc);
	return 0;
}

static double delta_cost(const ctx *c, int v, const route *r, double dd, double dt)
{
	const sl_vrp_vehicle *ve = &c->p->vehicles[v];
	double base = r->n ? 0 : (c->objective == SL_VRP_OBJ_COST ? ve->fixed_cost :
			c->objective == SL_VRP_OBJ_VEHICLES_THEN_DISTANCE ? VEHICLE_PENALTY : 0);
	if (c->objective == SL_VRP_OBJ_COST)
		return base + ve->cost_per_km * dd / 1000.0 + ve->cost_per_hour * dt / 3600.0;
	if (c->objective == SL_VRP_OBJ_CO2E)
		return ve->co2e_g_per_km * dd / 1000.0;
	return base + dd;
}

static inline int loc_at(const ctx *c, const route *r, int v, int i)
{
	if (i < 0)
		return c->p->vehicles[v].start_loc;
	if (i >= r->n)
		return c->p->vehicles[v].end_loc;
	return c->p->tasks[r->t[i]].location;
}

/* Best insertion of task t (and its partner when a shipment pickup). */
/* A candidate route `seq` (len tasks) for route ri, already known to beat
 * best on its cost estimate: simulate it fully and keep it when feasible and
 * not skipped by a blink (SISR's randomised greedy insertion). */
static void keep_if_feasible(const ctx *c, int ri, const route *r, const int *seq, int len, sl_rng *rng,
			     double blink, int pos, int pos2, ins *best)
{
	double dist, travel;
	if (!simulate(c, ri, seq, len, &dist, &travel))
		return;
	if (blink > 0 && sl_rng_double(rng) < blink)
		return;
	best->delta = route_cost_of(c, ri, len, dist, travel) - r->cost;
	best->route = ri;
	best->pos = pos;
	best->pos2 = pos2;
}

static void best_insertion(const ctx *c, sol *s, int t, sl_rng *rng, double blink, int *buf, ins *best)
{
	const sl_vrp_problem *p = c->p;
	const sl_vrp_task *tk = &p->tasks[t];
	best->route = -1;
	best->delta = INFINITY;
	int nc = 0, nonempty = 0;
	int seen_empty[64];
	if (s->max_routes >= 0)
		for (int ri = 0; ri < s->nr; ri++)
			nonempty += s->r[ri].n > 0;
	for (int ri = 0; ri < s->nr; ri++) {
		route *r = &s->r[ri];
		if (!c->compat[(size_t)ri * c->n + t])
			continue;
		if (r->n == 0 && s->max_routes >= 0 && nonempty >= s->max_routes)
			continue;
		if (r->n == 0) { /* only one empty vehicle per class */
			int cl = c->vclass[ri], dup = 0;
			for (int k = 0; k < nc; k++)
				if (seen_empty[k] == cl)
					dup = 1;
			if (dup)
				continue;
			if (nc < 64)
				seen_empty[nc++] = cl;
		}
		const sl_vrp_vehicle *ve = &p->vehicles[ri];
		if (c->simple) {
			int ok = 1;
			for (int d = 0; d < p->n_dims; d++)
				if (r->load[d] + tk->delivery[d] > ve->capacity[d] + 1e-9)
					ok = 0;
			if (!ok)
				continue;
			for (int i = 0; i <= r->n; i++) {
				double dd, dt;
				int a = loc_at(c, r, ri, i - 1), b = loc_at(c, r, ri, i);
				arc_delta(c, ri, a, tk->location, b, &dd, &dt);
				double del = delta_cost(c, ri, r, dd, dt);
				if (del >= best->delta)
					continue;
				if (r->dist + dd > ve->max_distance_m + 1e-9 || r->travel + dt > ve->max_travel_s + 1e-9)
					continue;
				double arr = r->fwd[i] + DUR(p, a, tk->location);
				if (tk->n_tw) {
					if (arr > tk->tw[0].end_s + 1e-9)
						continue;
					if (arr < tk->tw[0].start_s)
						arr = tk->tw[0].start_s;
				}
				double nxt = arr + tk->service_s + DUR(p, tk->location, b);
				if (nxt > r->bwd[i] + 1e-9)
					continue;
				if (blink > 0 && sl_rng_double(rng) < blink)
					continue;
				best->delta = del;
				best->route = ri;
				best->pos = i;
				best->pos2 = -1;
			}
			continue;
		}
		if (tk->kind == SL_VRP_JOB) {
			for (int i = 0; i <= r->n; i++) {
				double dd, dt;
				int a = loc_at(c, r, ri, i - 1), b = loc_at(c, r, ri, i);
				arc_delta(c, ri, a, tk->location, b, &dd, &dt);
				double del = delta_cost(c, ri, r, dd, dt);
				if (del >= best->delta)
					continue;
				memcpy(buf, r->t, (size_t)i * sizeof *buf);
				buf[i] = t;
				memcpy(buf + i + 1, r->t + i, (size_t)(r->n - i) * sizeof *buf);
				keep_if_feasible(c, ri, r, buf, r->n + 1, rng, blink, i, -1, best);
			}
		} else { /* shipment: pickup at i, delivery at j (positions in the new route) */
			const sl_vrp_task *dk = &p->tasks[tk->partner];
			for (int i = 0; i <= r->n; i++) {
				double dd1, dt1;
				int a = loc_at(c, r, ri, i - 1), b = loc_at(c, r, ri, i);
				arc_delta(c, ri, a, tk->location, b, &dd1, &dt1);
				for (int j = i; j <= r->n; j++) {
					double dd2, dt2;
					if (j == i) {
						dd2 = DIST(p, tk->location, dk->location) + DIST(p, dk->location, b) - DIST(p, tk->location, b);
						dt2 = DUR(p, tk->location, dk->location) + DUR(p, dk->location, b) - DUR(p, tk->location, b);
					} else
						arc_delta(c, ri, loc_at(c, r, ri, j - 1), dk->location, loc_at(c, r, ri, j), &dd2, &dt2);
					double del = delta_cost(c, ri, r, dd1 + dd2, dt1 + dt2);
					if (del >= best->delta)
						continue;
					int k = 0;
					for (int q = 0; q <= r->n; q++) {
						if (q == i)
							buf[k++] = t;
						if (q == j)
							buf[k++] = tk->partner;
						if (q < r->n)
							buf[k++] = r->t[q];
					}
					keep_if_feasible(c, ri, r, buf, r->n + 2, rng, blink, i, j, best);
				}
			}
		}
	}
}

static int do_insert(const ctx *c, sol *s, int t, const ins *in)
{
	route *r = &s->r[in->route];
	int add = in->pos2 >= 0 ? 2 : 1;
	if (route_reserve(r, r->n + add))
		return -1;
	if (add == 1) {
		memmove(r->t + in->pos + 1, r->t + in->pos, (size_t)(r->n - in->pos) * sizeof *r->t);
		r->t[in->pos] = t;
		r->n++;
	} else {
		int q = c->p->tasks[t].partner;
		memmove(r->t + in->pos2 + 1, r->t + in->pos2, (size_t)(r->n - in->pos2) * sizeof *r->t);
		r->t[in->pos2] = q;
		r->n++;
		memmove(r->t + in->pos + 1, r->t + in->pos, (size_t)(r->n - in->pos) * sizeof *r->t);
		r->t[in->pos] = t;
		r->n++;
		s->where[q] = in->route;
	}
	s->where[t] = in->route;
	s->dirty[in->route] = 1;
	route_update(c, r, in->route);
	return 0;
}

/* ---- ruin & recreate --------------------------------------------------- */

static void remove_task(const ctx *c, sol *s, int t, int *removed, int *nrem)
{
	int ri = s->where[t];
	if (ri < 0)
		return;
	route *r = &s->r[ri];
	s->dirty[ri] = 1;
	for (int i = 0; i < r->n; i++)
		if (r->t[i] == t) {
			memmove(r->t + i, r->t + i + 1, (size_t)(r->n - i - 1) * sizeof *r->t);
			r->n--;
			break;
		}
	s->where[t] = -1;
	const sl_vrp_task *tk = &c->p->tasks[t];
	if (tk->kind == SL_VRP_SHIP_DELIVERY) {
		remove_task(c, s, tk->partner, removed, nrem);
		return;
	}
	removed[(*nrem)++] = t;
	if (tk->kind == SL_VRP_SHIP_PICKUP && s->where[tk->partner] >= 0) {
		int q = tk->partner;
		for (int i = 0; i < r->n; i++)
			if (r->t[i] == q) {
				memmove(r->t + i, r->t + i + 1, (size_t)(r->n - i - 1) * sizeof *r->t);
				r->n--;
				break;
			}
		s->where[q] = -1;
	}
}

typedef struct search {
	const ctx *c;
	sl_rng rng;
	sol cur, best, work, fm;
	long *absences;
	int fm_active, fm_done;
	double fm_start; /* schedule fraction when the current attempt started */
	int *removed, *buf, *ruined, *strbuf;
	double *key;
	long iters;
	int err;
	sl_vrp_ls *ls;   /* local-search workspace, or NULL when off */
	long ls_moves;
} search;

static double rnd(search *S, double a, double b)
{
	return a + (b - a) * sl_rng_double(&S->rng);
}

static void ruin(search *S, sol *s, int *nrem)
{
	const ctx *c = S->c;
	const int Lmax = 10;
	const double cbar = 10;
	int nonempty = 0, assigned = 0;
	for (int i = 0; i < s->nr; i++)
		if (s->r[i].n) {
			nonempty++;
			assigned += s->r[i].n;
		}
	*nrem = 0;
	if (!nonempty)
		return;
	double avg = (double)assigned / nonempty;
	double lsmax = avg < Lmax ? avg : Lmax;
	double ksmax = 4.0 * cbar / (1.0 + lsmax) - 1.0;
	int ks = (int)floor(rnd(S, 1, ksmax + 1));
	int seed = (int)sl_rng_below(&S->rng, (uint64_t)c->n);
	int nruined = 0;
	for (int k = -1; k < c->n - 1 && nruined < ks; k++) {
		int t = k < 0 ? seed : c->adj[(size_t)seed * c->n + k];
		int ri = s->where[t];
		if (ri < 0)
			continue;
		int done = 0;
		for (int q = 0; q < nruined; q++)
			if (S->ruined[q] == ri)
				done = 1;
		if (done)
			continue;
		S->ruined[nruined++] = ri;
		route *r = &s->r[ri];
		double lmax = r->n < lsmax ? r->n : lsmax;
		int l = (int)floor(rnd(S, 1, lmax + 1));
		if (l > r->n)
			l = r->n;
		int pos = 0;
		for (int i = 0; i < r->n; i++)
			if (r->t[i] == t)
				pos = i;
		int m = 0;
		if (sl_rng_double(&S->rng) < 0.5 && l < r->n) { /* split string: keep m inside */
			m = 1;
			while (l + m < r->n && sl_rng_double(&S->rng) < 0.5)
				m++;
		}
		int len = l + m;
		int lo = pos - len + 1 < 0 ? 0 : pos - len + 1;
		int hi = pos + len > r->n ? r->n - len : pos;
		int start = lo + (int)sl_rng_below(&S->rng, (uint64_t)(hi - lo + 1));
		int keep = m ? start + (int)sl_rng_below(&S->rng, (uint64_t)(len - m + 1)) : -1;
		int ns = 0;
		for (int i = start; i < start + len; i++)
			if (!(m && i >= keep && i < keep + m))
				S->strbuf[ns++] = r->t[i];
		for (int i = 0; i < ns; i++)
			if (s->where[S->strbuf[i]] >= 0)
				remove_task(c, s, S->strbuf[i], S->removed, nrem);
		route_update(c, r, ri);
	}
}

static void sort_removed(search *S, int n)
{
	const ctx *c = S->c;
	int mode = (int)sl_rng_below(&S->rng, 11);
	for (int i = n - 1; i > 0; i--) { /* shuffle */
		int j = (int)sl_rng_below(&S->rng, (uint64_t)(i + 1));
		int x = S->removed[i];
		S->removed[i] = S->removed[j];
		S->removed[j] = x;
	}
	if (mode < 4)
		return;
	for (int i = 0; i < n; i++) {
		int t = S->removed[i];
		const sl_vrp_task *tk = &c->p->tasks[t];
		double dem = 0;
		for (int d = 0; d < c->p->n_dims; d++)
			dem += tk->delivery[d] + tk->pickup[d];
		S->key[i] = mode < 8 ? -dem : mode < 10 ? -c->depot_dist[t] : c->depot_dist[t];
	}
	for (int i = 1; i < n; i++) { /* stable insertion sort on key */
		int t = S->removed[i];
		double k = S->key[i];
		int j = i - 1;
		while (j >= 0 && S->key[j] > k) {
			S->removed[j + 1] = S->removed[j];
			S->key[j + 1] = S->key[j];
			j--;
		}
		S->removed[j + 1] = t;
		S->key[j + 1] = k;
	}
}

static int recreate(search *S, sol *s, int n, double blink)
{
	sort_removed(S, n);
	for (int i = 0; i < n; i++) {
		ins in;
		best_insertion(S->c, s, S->removed[i], &S->rng, blink, S->buf, &in);
		if (in.route >= 0 && do_insert(S->c, s, S->removed[i], &in))
			return -1;
	}
	sol_cost(S->c, s);
	return 0;
}

static void unassigned_stats(const ctx *c, const sol *s, const long *abs_, int *nu, long *sum)
{
	*nu = 0;
	*sum = 0;
	for (int t = 0; t < c->n; t++)
		if (s->where[t] < 0 && c->p->tasks[t].kind != SL_VRP_SHIP_DELIVERY) {
			(*nu)++;
			*sum += abs_[t];
		}
}

static int collect_removed(search *S, const sol *s, int nrem)
{
	for (int t = 0; t < S->c->n; t++)
		if (s->where[t] < 0 && S->c->p->tasks[t].kind != SL_VRP_SHIP_DELIVERY) {
			int dup = 0;
			for (int q = 0; q < nrem; q++)
				if (S->removed[q] == t)
					dup = 1;
			if (!dup)
				S->removed[nrem++] = t;
		}
	return nrem;
}

/* Should this candidate be improved by local search?  Only one that already
 * beats the best plan: SISR iterations are cheap (tens of microseconds) and a
 * local-search descent costs as much as tens to hundreds of them, so applying
 * it to every candidate, or to every accepted one, lost more search than it
 * gained in our measurements (bench/RESULTS-vrp.md); polishing the
 * improving candidates lets each new best reach its local optimum. */
static int ls_wanted(const search *S)
{
	return S->work.cost < S->best.cost;
}

/* Improve s by local search; only moves touching a route marked dirty are
 * examined first (then whatever they change). */
static int apply_ls(search *S, sol *s)
{
	const ctx *c = S->c;
	sl_vrp_ls_clear(S->ls);
	for (int v = 0; v < s->nr; v++)
		if (s->r[v].n && sl_vrp_ls_set_route(S->ls, v, s->r[v].t, s->r[v].n, s->dirty[v]))
			return -1;
	long mv = 0;
	if (sl_vrp_ls_run(S->ls, SL_VRP_LS_ALL, &S->rng, &mv))
		return -1;
	S->ls_moves += mv;
	if (!mv)
		return 0;
	for (int v = 0; v < s->nr; v++) {
		int n, changed;
		const int *t = sl_vrp_ls_route(S->ls, v, &n, &changed);
		if (!changed)
			continue;
		route *r = &s->r[v];
		if (route_reserve(r, n))
			return -1;
		memcpy(r->t, t, (size_t)n * sizeof *r->t);
		r->n = n;
		for (int i = 0; i < n; i++)
			s->where[t[i]] = v;
		route_update(c, r, v);
	}
	sol_cost(c, s);
	return 0;
}

/* One iteration of route minimisation (after Christiaens & Vanden Berghe
 * 2020, section 5): drop the smallest route, then ruin & recreate with one
 * route fewer allowed, accepting a candidate that leaves fewer tasks out or
 * whose left-out tasks have a smaller sum of absence counts. */
static void fleet_step(search *S)
{
	const ctx *c = S->c;
	if (!S->fm_active) {
		int k = 0, small = -1;
		for (int i = 0; i < S->best.nr; i++)
			if (S->best.r[i].n) {
				k++;
				if (small < 0 || S->best.r[i].n < S->best.r[small].n ||
						(S->best.r[i].n == S->best.r[small].n && sl_rng_double(&S->rng) < 0.5))
					small = i;
			}
		if (k <= 1) {
			S->fm_done = 1;
			return;
		}
		if (sol_copy(c, &S->fm, &S->best)) {
			S->err = 1;
			return;
		}
		route *r = &S->fm.r[small];
		for (int i = 0; i < r->n; i++)
			S->fm.where[r->t[i]] = -1;
		r->n = 0;
		route_update(c, r, small);
		S->fm.max_routes = k - 1;
		sol_cost(c, &S->fm);
		S->fm_active = 1;
	}
	if (sol_copy(c, &S->work, &S->fm)) {
		S->err = 1;
		return;
	}
	S->work.max_routes = S->fm.max_routes;
	int nrem;
	ruin(S, &S->work, &nrem);
	nrem = collect_removed(S, &S->work, nrem);
	if (recreate(S, &S->work, nrem, 0.01)) {
		S->err = 1;
		return;
	}
	S->iters++;
	int nu_w, nu_f;
	long sa_w, sa_f;
	unassigned_stats(c, &S->work, S->absences, &nu_w, &sa_w);
	unassigned_stats(c, &S->fm, S->absences, &nu_f, &sa_f);
	if (nu_w < nu_f || sa_w < sa_f) {
		sol tmp = S->fm;
		S->fm = S->work;
		S->work = tmp;
		nu_f = nu_w;
	}
	for (int t = 0; t < c->n; t++)
		if (S->fm.where[t] < 0)
			S->absences[t]++;
	if (nu_f == 0) {
		S->fm_active = 0;
		if (S->fm.cost < S->best.cost && (sol_copy(c, &S->best, &S->fm) || sol_copy(c, &S->cur, &S->fm)))
			S->err = 1;
	}
}

/* Run iterations [it0, it1) or until wall time t_end; `frac` of the schedule
 * is derived from the global iteration count or time. */
static void run_epoch(search *S, long it0, long it1, long it_total, double t0, double t_end, double t_total)
{
	const double T0 = 100.0, Tf = 1.0;
	for (long it = it0; it < it1; it++) {
		double frac;
		if (it_total > 0)
			frac = (double)it / (double)it_total;
		else {
			if ((it & 15) == 0 && now_s() >= t_end)
				break;
			frac = (now_s() - t0) / t_total;
		}
		if (frac > 1)
			frac = 1;
		if (S->fm_active && frac - S->fm_start > 0.2)
			S->fm_done = 1; /* this route will not go: give the time to distance */
		if (S->c->objective == SL_VRP_OBJ_VEHICLES_THEN_DISTANCE && frac < 0.5 && !S->fm_done) {
			if (!S->fm_active)
				S->fm_start = frac;
			fleet_step(S);
			if (S->err)
				return;
			continue;
		}
		if (S->fm_active) { /* the search phase starts from the best complete plan */
			S->fm_active = 0;
			S->fm_done = 1;
			if (sol_copy(S->c, &S->cur, &S->best)) {
				S->err = 1;
				return;
			}
		}
		double T = T0 * pow(Tf / T0, frac);
		if (sol_copy(S->c, &S->work, &S->cur)) {
			S->err = 1;
			return;
		}
		int nrem;
		memset(S->work.dirty, 0, (size_t)S->work.nr);
		ruin(S, &S->work, &nrem);
		/* also retry unassigned tasks */
		for (int t = 0; t < S->c->n; t++)
			if (S->work.where[t] < 0 && S->c->p->tasks[t].kind != SL_VRP_SHIP_DELIVERY) {
				int dup = 0;
				for (int q = 0; q < nrem; q++)
					if (S->removed[q] == t)
						dup = 1;
				if (!dup)
					S->removed[nrem++] = t;
			}
		if (recreate(S, &S->work, nrem, 0.01)) {
			S->err = 1;
			return;
		}
		S->iters++;
		double thr = S->cur.cost - T * log(sl_rng_double(&S->rng) + 1e-300);
		if (S->ls && ls_wanted(S) && apply_ls(S, &S->work)) {
			S->err = 1;
			return;
		}
		if (S->work.cost < thr) {
			sol tmp = S->cur;
			S->cur = S->work;
			S->work = tmp;
			if (S->cur.cost < S->best.cost - 1e-9 && sol_copy(S->c, &S->best, &S->cur)) {
				S->err = 1;
				return;
			}
		}
	}
}

typedef struct job {
	search *S;
	long it0, it1, it_total;
	double t0, t_end, t_total;
} job;

static void *thread_main(void *arg)
{
	job *j = arg;
	run_epoch(j->S, j->it0, j->it1, j->it_total, j->t0, j->t_end, j->t_total);
	return NULL;
}

static int reason_for(const ctx *c, int t)
{
	const sl_vrp_problem *p = c->p;
	int any_skill = 0, any_cap = 0, any_time = 0;
	int q = p->tasks[t].partner;
	for (int v = 0; v < p->n_vehicles; v++) {
		const sl_vrp_vehicle *ve = &p->vehicles[v];
		uint64_t need = p->tasks[t].skills | (q >= 0 ? p->tasks[q].skills : 0);
		if ((ve->skills & need) != need)
			continue;
		any_skill = 1;
		int ok = 1;
		for (int d = 0; d < p->n_dims; d++)
			if (p->tasks[t].delivery[d] > ve->capacity[d] || p->tasks[t].pickup[d] > ve->capacity[d])
				ok = 0;
		if (!ok)
			continue;
		any_cap = 1;
		int seq[2] = {t, q};
		double dist, travel;
		ctx cc = *c;
		if (simulate(&cc, v, seq, q >= 0 ? 2 : 1, &dist, &travel))
			return SL_VRP_UNASSIGNED_NO_ROOM;
		/* range or time? retry without range limits */
		sl_vrp_vehicle tmp = *ve;
		(void)tmp;
		any_time = 1;
	}
	if (!any_skill)
		return SL_VRP_UNASSIGNED_SKILLS;
	if (!any_cap)
		return SL_VRP_UNASSIGNED_CAPACITY;
	/* distinguish range from time: can any vehicle's range cover the trip? */
	for (int v = 0; v < p->n_vehicles && any_time; v++) {
		const sl_vrp_vehicle *ve = &p->vehicles[v];
		int loc = p->tasks[t].location;
		double d = DIST(p, ve->start_loc, loc) + DIST(p, loc, ve->end_loc);
		double tt = DUR(p, ve->start_loc, loc) + DUR(p, loc, ve->end_loc);
		if (d <= ve->max_distance_m && tt <= ve->max_travel_s)
			return SL_VRP_UNASSIGNED_TIME;
	}
	return SL_VRP_UNASSIGNED_RANGE;
}

typedef struct nb {
	double d;
	int u;
} nb;

static int cmp_nb(const void *a, const void *b)
{
	const nb *x = a, *y = b;
	if (x->d != y->d)
		return x->d < y->d ? -1 : 1;
	return (x->u > y->u) - (x->u < y->u);
}

int sl_vrp_solve(const sl_vrp_problem *p, const sl_vrp_options *opt, sl_vrp_solution **out, sl_error *err)
{
	*out = NULL;
	int rc = sl_vrp_problem_validate(p, err);
	if (rc)
		return rc;
	if (opt->threads < 1 || opt->threads > 64)
		return sl_error_set(err, SL_EINVAL, "threads must be in 1..64");
	if (opt->time_limit_s <= 0 && opt->iterations <= 0)
		return sl_error_set(err, SL_EINVAL, "give a time limit or an iteration limit");
	if (p->n_vehicles < 1)
		return sl_error_set(err, SL_EINVAL, "no vehicles");
	if ((opt->objective >= 0 ? opt->objective : p->objective) == SL_VRP_OBJ_CO2E)
		for (int v = 0; v < p->n_vehicles; v++)
			if (!(p->vehicles[v].co2e_g_per_km >= 0))
				return sl_error_set(err, SL_EINVAL, "vehicle %s has no co2e_g_per_km (needed by the co2e objective)",
						p->vehicles[v].id);
	ctx c = {.p = p, .n = p->n_tasks};
	c.objective = opt->objective >= 0 ? opt->objective : p->objective;
	int n = p->n_tasks, nv = p->n_vehicles, T = opt->threads;
	c.simple = 1;
	for (int t = 0; t < n; t++) {
		const sl_vrp_task *tk = &p->tasks[t];
		if (tk->kind != SL_VRP_JOB || tk->n_tw > 1)
			c.simple = 0;
		for (int d = 0; d < p->n_dims; d++)
			if (tk->pickup[d] > 0)
				c.simple = 0;
	}
	c.vclass = malloc((size_t)nv * sizeof *c.vclass);
	c.compat = malloc((size_t)nv * (size_t)(n ? n : 1));
	c.adj = malloc((size_t)(n ? n : 1) * (size_t)(n ? n : 1) * sizeof *c.adj);
	c.depot_dist = malloc((size_t)(n ? n : 1) * sizeof *c.depot_dist);
	search *S = calloc((size_t)T, sizeof *S);
	pthread_t *th = calloc((size_t)T, sizeof *th);
	job *jobs = calloc((size_t)T, sizeof *jobs);
	sl_vrp_solution *res = calloc(1, sizeof *res);
	if (!c.vclass || !c.compat || !c.adj || !c.depot_dist || !S || !th || !jobs || !res) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto done;
	}
	for (int v = 0; v < nv; v++) {
		c.vclass[v] = v;
		for (int w = 0; w < v; w++) {
			sl_vrp_vehicle a = p->vehicles[v], b = p->vehicles[w];
			memset(a.id, 0, sizeof a.id);
			memset(b.id, 0, sizeof b.id);
			if (!memcmp(&a, &b, sizeof a)) {
				c.vclass[v] = c.vclass[w];
				break;
			}
		}
		for (int t = 0; t < n; t++) {
			const sl_vrp_task *tk = &p->tasks[t];
			uint64_t need = tk->skills | (tk->partner >= 0 ? p->tasks[tk->partner].skills : 0);
			int ok = (p->vehicles[v].skills & need) == need;
			for (int d = 0; d < p->n_dims; d++)
				if (tk->delivery[d] > p->vehicles[v].capacity[d] || tk->pickup[d] > p->vehicles[v].capacity[d])
					ok = 0;
			c.compat[(size_t)v * n + t] = (unsigned char)ok;
		}
	}
	{
		nb *dk = malloc((size_t)(n ? n : 1) * sizeof *dk);
		if (!dk) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			goto done;
		}
		for (int t = 0; t < n; t++) {
			int *row = c.adj + (size_t)t * n, k = 0;
			for (int u = 0; u < n; u++)
				if (u != t) {
					dk[k].d = DIST(p, p->tasks[t].location, p->tasks[u].location);
					dk[k++].u = u;
				}
			qsort(dk, (size_t)k, sizeof *dk, cmp_nb);
			for (int i = 0; i < k; i++)
				row[i] = dk[i].u;
			c.depot_dist[t] = DIST(p, p->vehicles[0].start_loc >= 0 ? p->vehicles[0].start_loc : p->vehicles[0].end_loc,
					p->tasks[t].location);
		}
		free(dk);
	}
	int maxlen = 2 * n + 4;
	for (int k = 0; k < T; k++) {
		search *s = &S[k];
		s->c = &c;
		sl_rng_seed(&s->rng, opt->seed * 1000003ULL + (uint64_t)k * 7919ULL);
		s->removed = malloc((size_t)maxlen * sizeof(int));
		s->buf = malloc((size_t)maxlen * sizeof(int));
		s->strbuf = malloc((size_t)maxlen * sizeof(int));
		s->ruined = malloc((size_t)(nv + 1) * sizeof(int));
		s->key = malloc((size_t)maxlen * sizeof(double));
		s->absences = calloc((size_t)(n ? n : 1), sizeof(long));
		if (opt->local_search && !(s->ls = sl_vrp_ls_new(p, c.objective, 20))) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			goto done;
		}
		if (!s->removed || !s->buf || !s->strbuf || !s->ruined || !s->key || !s->absences ||
				sol_init(&c, &s->cur) || sol_init(&c, &s->best) || sol_init(&c, &s->work) ||
				sol_init(&c, &s->fm)) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			goto done;
		}
		int nrem = 0;
		for (int t = 0; t < n; t++)
			if (p->tasks[t].kind != SL_VRP_SHIP_DELIVERY)
				s->removed[nrem++] = t;
		if (recreate(s, &s->cur, nrem, 0) || (s->ls && c.objective != SL_VRP_OBJ_VEHICLES_THEN_DISTANCE &&
				(memset(s->cur.dirty, 1, (size_t)s->cur.nr), apply_ls(s, &s->cur))) ||
				sol_copy(&c, &s->best, &s->cur)) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			goto done;
		}
	}
	double t0 = now_s();
	long itot = opt->iterations > 0 ? opt->iterations : 0;
	double ttot = opt->time_limit_s > 0 ? opt->time_limit_s : 1e30;
	for (int e = 0; e < EPOCHS; e++) {
		for (int k = 0; k < T; k++) {
			jobs[k].S = &S[k];
			jobs[k].it_total = itot;
			jobs[k].it0 = itot ? itot * e / EPOCHS : 0;
			jobs[k].it1 = itot ? itot * (e + 1) / EPOCHS : (long)4e18;
			jobs[k].t0 = t0;
			jobs[k].t_total = ttot;
			jobs[k].t_end = opt->time_limit_s > 0 ? t0 + ttot * (e + 1) / EPOCHS : 1e300;
			if (itot && opt->time_limit_s > 0) { /* both limits: iterations drive the schedule */
				jobs[k].t_end = t0 + ttot;
			}
		}
		int started = 0;
		for (int k = 1; k < T; k++)
			if (pthread_create(&th[k], NULL, thread_main, &jobs[k]) == 0)
				started = k;
			else
				break;
		thread_main(&jobs[0]);
		for (int k = 1; k <= started; k++)
			pthread_join(th[k], NULL);
		for (int k = started + 1; k < T; k++)
			thread_main(&jobs[k]);
		int bk = 0;
		for (int k = 0; k < T; k++) {
			if (S[k].err) {
				rc = sl_error_set(err, SL_ENOMEM, "out of memory");
				goto done;
			}
			if (S[k].best.cost < S[bk].best.cost - 1e-9)
				bk = k;
		}
		for (int k = 0; k < T && T > 1; k++)
			if (k != bk && (sol_copy(&c, &S[k].best, &S[bk].best) || sol_copy(&c, &S[k].cur, &S[bk].best))) {
				rc = sl_error_set(err, SL_ENOMEM, "out of memory");
				goto done;
			}
		if (opt->time_limit_s > 0 && now_s() - t0 >= ttot)
			break;
	}
	/* export the best */
	const sol *b = &S[0].best;
	res->n_routes = nv;
	res->routes = calloc((size_t)nv, sizeof *res->routes);
	res->unassigned = malloc((size_t)(n ? n : 1) * sizeof(int));
	res->reason = malloc((size_t)(n ? n : 1) * sizeof(int));
	if (!res->routes || !res->unassigned || !res->reason) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto done;
	}
	for (int v = 0; v < nv; v++) {
		sl_vrp_route *ro = &res->routes[v];
		ro->vehicle = v;
		ro->n = b->r[v].n;
		ro->tasks = malloc((size_t)(ro->n ? ro->n : 1) * sizeof(int));
		if (!ro->tasks) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			goto done;
		}
		memcpy(ro->tasks, b->r[v].t, (size_t)ro->n * sizeof(int));
		if (ro->n) {
			res->vehicles_used++;
			res->distance += b->r[v].dist;
			res->travel_s += b->r[v].travel;
			res->cost += b->r[v].cost - (c.objective == SL_VRP_OBJ_VEHICLES_THEN_DISTANCE ? VEHICLE_PENALTY : 0);
			if (p->vehicles[v].co2e_g_per_km < 0 || res->co2e_g < 0)
				res->co2e_g = -1;
			else
				res->co2e_g += p->vehicles[v].co2e_g_per_km * b->r[v].dist / 1000.0;
		}
	}
	for (int t = 0; t < n; t++)
		if (b->where[t] < 0) {
			res->reason[res->n_unassigned] = reason_for(&c, t);
			res->unassigned[res->n_unassigned++] = t;
		}
	for (int k = 0; k < T; k++)
		res->iterations += S[k].iters;
	*out = res;
	res = NULL;
	rc = 0;
done:
	for (int k = 0; S && k < T; k++) {
		sol_free(&S[k].cur);
		sol_free(&S[k].best);
		sol_free(&S[k].work);
		sol_free(&S[k].fm);
		free(S[k].absences);
		free(S[k].removed);
		free(S[k].buf);
		free(S[k].strbuf);
		free(S[k].ruined);
		free(S[k].key);
		sl_vrp_ls_free(S[k].ls);
	}
	free(S);
	free(th);
	free(jobs);
	free(c.vclass);
	free(c.compat);
	free(c.adj);
	free(c.depot_dist);
	sl_vrp_solution_free(res);
	return rc;
}
