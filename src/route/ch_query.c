/* ch_query.c — queries on a contracted graph: point-to-point routes
 * (bidirectional upward search with stall-on-demand, Geisberger et al.
 * 2008), path unpacking through shortcut middle nodes, many-to-many
 * matrices by the bucket method (Knopp, Sanders, Schultes, Schulz, Wagner:
 * "Computing Many-to-Many Shortest Paths Using Highway Hierarchies",
 * ALENEX 2007, applied to CH), and a plain Dijkstra on the original
 * edge-based graph that the tests use as the reference.
 *
 * Phantom costs.  The forward search starts at each directed edge the
 * source lies on with the cost left to its end; the backward search
 * starts at each directed edge of the target with the cost from its start
 * to the point.  Every arc charges the full cost of the edge it enters, so
 * a meeting overcounts the target edge's cost once, which is subtracted at
 * the end.  When source and target lie on the same directed edge with the
 * target behind, that trivial meeting is not a path: the source side then
 * starts from the edge's successors instead. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* arc marks of nodes seeded as successors of source phantom node i */
#define SEED_ARC0      (RG_NONE - 1 - RG_PH_MAX)
#define IS_SEED_ARC(a) ((a) >= SEED_ARC0 && (a) < SEED_ARC0 + RG_PH_MAX)

typedef struct side {
	uint64_t *key;
	uint32_t *dur, *par, *arc, *stamp;
	uint32_t cur;
	rg_heap h;
} side;

struct sl_route_ctx {
	const sl_graph *g;
	uint32_t n;
	side f, b;
	uint32_t *stack;
	size_t stack_cap;
};

static int side_init(side *s, uint32_t n)
{
	size_t m = (size_t)n + 1;
	s->key = malloc(m * sizeof *s->key);
	s->dur = malloc(m * sizeof *s->dur);
	s->par = malloc(m * sizeof *s->par);
	s->arc = malloc(m * sizeof *s->arc);
	s->stamp = calloc(m, sizeof *s->stamp);
	return s->key && s->dur && s->par && s->arc && s->stamp ? 0 : SL_ENOMEM;
}

static void side_free(side *s)
{
	free(s->key);
	free(s->dur);
	free(s->par);
	free(s->arc);
	free(s->stamp);
	rg_heap_free(&s->h);
}

static void side_reset(side *s, uint32_t n)
{
	s->h.n = 0;
	if (++s->cur == 0) {
		memset(s->stamp, 0, ((size_t)n + 1) * sizeof *s->stamp);
		s->cur = 1;
	}
}

static inline uint64_t side_key(const side *s, uint32_t v)
{
	return s->stamp[v] == s->cur ? s->key[v] : RG_INF;
}

static inline int side_set(side *s, uint32_t v, uint64_t key, uint32_t dur, uint32_t par,
                           uint32_t arc)
{
	if (s->stamp[v] == s->cur && s->key[v] <= key)
		return 0;
	s->stamp[v] = s->cur;
	s->key[v] = key;
	s->dur[v] = dur;
	s->par[v] = par;
	s->arc[v] = arc;
	return rg_heap_push(&s->h, key, v);
}

sl_route_ctx *sl_route_ctx_new(const sl_graph *g)
{
	sl_route_ctx *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->g = g;
	c->n = g->d.n_nodes;
	if (side_init(&c->f, c->n) < 0 || side_init(&c->b, c->n) < 0) {
		sl_route_ctx_free(c);
		return NULL;
	}
	return c;
}

void sl_route_ctx_free(sl_route_ctx *c)
{
	if (!c)
		return;
	side_free(&c->f);
	side_free(&c->b);
	free(c->stack);
	free(c);
}

sl_route_ctx *rg_ctx_borrow(const sl_graph *cg)
{
	sl_graph *g = (sl_graph *)(uintptr_t)cg; /* only the pool changes */
	sl_route_ctx *c = NULL;
	pthread_mutex_lock(&g->pool_lock);
	if (g->n_pool)
		c = g->pool[--g->n_pool];
	pthread_mutex_unlock(&g->pool_lock);
	return c ? c : sl_route_ctx_new(cg);
}

void rg_ctx_return(const sl_graph *cg, sl_route_ctx *c)
{
	sl_graph *g = (sl_graph *)(uintptr_t)cg;
	if (!c)
		return;
	pthread_mutex_lock(&g->pool_lock);
	if (g->n_pool < RG_POOL) {
		g->pool[g->n_pool++] = c;
		c = NULL;
	}
	pthread_mutex_unlock(&g->pool_lock);
	sl_route_ctx_free(c);
}

void sl_route_result_free(sl_route_result *res)
{
	if (!res)
		return;
	free(res->coords);
	memset(res, 0, sizeof *res);
}

/* Is target phantom tk behind source phantom si on the same directed edge? */
static int behind(const rg_phantom *s, int si, const rg_phantom *t, int tk)
{
	return s->node[si] == t->node[tk] &&
	       !(t->pre_dur[tk] >= s->pre_dur[si] && t->pre_dist[tk] >= s->pre_dist[si]);
}

static int same_ahead(const rg_phantom *s, int si, const rg_phantom *t, int tk)
{
	return s->node[si] == t->node[tk] && !behind(s, si, t, tk);
}

/* Seed the forward side with the source phantom (for one target phantom
 * set, or none for a matrix). */
static int seed_forward(const rg_data *d, side *f, const rg_phantom *s, const rg_phantom *t)
{
	for (int i = 0; i < s->n; i++) {
		uint64_t k = rg_key(s->rem_w[i], s->rem_dist[i]);
		int bh = 0;
		for (int j = 0; t && j < t->n; j++)
			bh |= behind(s, i, t, j);
		if (!bh) {
			if (side_set(f, s->node[i], k, s->rem_dur[i], RG_NONE, RG_NONE) < 0)
				return SL_ENOMEM;
			continue;
		}
		uint32_t v = s->node[i];
		for (uint32_t a = d->orig_off[v]; a < d->orig_off[v + 1]; a++) {
			uint32_t x = d->orig_tgt[a], w, dur, dist;
			rg_arc_cost(d, v, x, &w, &dur, &dist);
			if (side_set(f, x, k + rg_key(w, dist), s->rem_dur[i] + dur, RG_NONE,
			             SEED_ARC0 + (uint32_t)i) < 0)
				return SL_ENOMEM;
		}
	}
	return 0;
}

static int seed_backward(side *b, const rg_phantom *t)
{
	for (int i = 0; i < t->n; i++)
		if (side_set(b, t->node[i], rg_key(t->pre_w[i], t->pre_dist[i]), t->pre_dur[i],
		             RG_NONE, RG_NONE) < 0)
			return SL_ENOMEM;
	return 0;
}

/* One step of an upward search.  `up` are the arcs to relax, `down` the
 * arcs used for the stall test.  Returns the settled node or RG_NONE when
 * the popped entry was stale or stalled (*settled tells which). */
static int step(side *s, const side *other, const uint32_t *up_off, const rg_arc *up,
                const uint32_t *down_off, const rg_arc *down, uint64_t *best, uint32_t *meet,
                int stall)
{
	rg_heap_item it = rg_heap_pop(&s->h);
	uint32_t v = it.node;
	if (it.key != s->key[v])
		return 0;
	if (other) {
		uint64_t ok = side_key(other, v);
		if (ok != RG_INF && it.key + ok < *best) {
			*best = it.key + ok;
			*meet = v;
		}
	}
	if (stall)
		for (uint32_t a = down_off[v]; a < down_off[v + 1]; a++) {
			uint64_t ku = side_key(s, down[a].other);
			if (ku != RG_INF && ku + down[a].key < it.key)
				return 0;
		}
	for (uint32_t a = up_off[v]; a < up_off[v + 1]; a++)
		if (side_set(s, up[a].other, it.key + up[a].key, s->dur[v] + up[a].dur, v, a) < 0)
			return SL_ENOMEM;
	return 1;
}

/* Append the original nodes of arc from→to (excluding `from`) to out. */
static int unpack(sl_route_ctx *c, uint32_t from, uint32_t to, uint32_t middle, sl_buf *out)
{
	const rg_data *d = &c->g->d;
	size_t sp = 0;
#define PUSH3(a, b, m)                                                                             \
	do {                                                                                       \
		if (sp + 3 > c->stack_cap) {                                                       \
			size_t nc = c->stack_cap ? c->stack_cap * 2 : 1024;                        \
			uint32_t *ns = realloc(c->stack, nc * sizeof *ns);                         \
			if (!ns)                                                                   \
				return SL_ENOMEM;                                                  \
			c->stack = ns;                                                             \
			c->stack_cap = nc;                                                         \
		}                                                                                  \
		c->stack[sp++] = (a);                                                              \
		c->stack[sp++] = (b);                                                              \
		c->stack[sp++] = (m);                                                              \
	} while (0)
	PUSH3(from, to, middle);
	while (sp) {
		uint32_t m = c->stack[--sp], b = c->stack[--sp], a = c->stack[--sp];
		if (m == RG_NONE) {
			if (sl_buf_append(out, &b, sizeof b) < 0)
				return SL_ENOMEM;
			continue;
		}
		uint32_t m1 = RG_NONE, m2 = RG_NONE;
		int f1 = 0, f2 = 0;
		for (uint32_t i = d->bwd_off[m]; i < d->bwd_off[m + 1]; i++)
			if (d->bwd[i].other == a) {
				m1 = d->bwd[i].middle;
				f1 = 1;
				break;
			}
		for (uint32_t i = d->fwd_off[m]; i < d->fwd_off[m + 1]; i++)
			if (d->fwd[i].other == b) {
				m2 = d->fwd[i].middle;
				f2 = 1;
				break;
			}
		if (!f1 || !f2)
			return SL_ECORRUPT;
		PUSH3(m, b, m2); /* second half, processed after the first */
		PUSH3(a, m, m1);
	}
#undef PUSH3
	return 0;
}

/* Geometry of directed edge-based node v from point position (seg, t) on:
 * part 0 = whole, 1 = from the snap to the end, 2 = from the start to the
 * snap, 3 = between two snaps (s to t). */
static int put_point(sl_buf *out, double lon, double lat)
{
	double p[2] = {lon, lat};
	if (out->len >= 2 * sizeof p) {
		const double *q = (const double *)(void *)(out->data + out->len - sizeof p);
		if (q[0] == lon && q[1] == lat)
			return 0;
	}
	return sl_buf_append(out, p, sizeof p);
}

static int put_index(const rg_data *d, sl_buf *out, uint32_t i)
{
	return put_point(out, d->pts[2 * i] / 1e7, d->pts[2 * i + 1] / 1e7);
}

/* points of node v strictly after position (seg,t) in travel direction,
 * up to and including the end (or up to the position `until`). */
static int node_points(const rg_data *d, uint32_t v, const sl_route_snap *from,
                       const sl_route_snap *to, sl_buf *out)
{
	const rg_edge *e = &d->edges[d->node_edge[v] >> 1];
	int rev = d->node_edge[v] & 1;
	uint32_t first = e->first, last = e->first + e->count - 1;
	if (from && put_point(out, from->lon, from->lat) < 0)
		return SL_ENOMEM;
	if (!rev) {
		uint32_t i0 = from ? from->segment + 1 : first;
		uint32_t i1 = to ? to->segment : last;
		for (uint32_t i = i0; i <= i1 && i <= last; i++)
			if (put_index(d, out, i) < 0)
				return SL_ENOMEM;
	} else {
		/* travelling from last to first; segment s spans points s, s+1 */
		long i0 = from ? (long)from->segment : (long)last;
		long i1 = to ? (long)to->segment + 1 : (long)first;
		for (long i = i0; i >= i1 && i >= (long)first; i--)
			if (put_index(d, out, (uint32_t)i) < 0)
				return SL_ENOMEM;
	}
	if (to && put_point(out, to->lon, to->lat) < 0)
		return SL_ENOMEM;
	return 0;
}

static int build_geometry(sl_route_ctx *c, const uint32_t *nodes, size_t n,
                          const sl_route_snap *from, const sl_route_snap *to, sl_route_result *res)
{
	const rg_data *d = &c->g->d;
	sl_buf out = {0};
	int rc = 0;
	if (n == 1)
		rc = node_points(d, nodes[0], from, to, &out);
	else
		for (size_t i = 0; i < n && rc == 0; i++)
			rc = node_points(d, nodes[i], i == 0 ? from : NULL, i == n - 1 ? to : NULL,
			                 &out);
	if (rc < 0) {
		sl_buf_free(&out);
		return SL_ENOMEM;
	}
	if (out.len == 2 * sizeof(double)) {
		/* a zero-length route is still a line of two points */
		double p[2] = {to->lon, to->lat};
		if (sl_buf_append(&out, p, sizeof p) < 0) {
			sl_buf_free(&out);
			return SL_ENOMEM;
		}
	}
	res->n_coords = out.len / (2 * sizeof(double));
	res->coords = (double *)(void *)sl_buf_take(&out);
	return res->coords ? 0 : SL_ENOMEM;
}

static uint32_t target_cost_key(const rg_data *d, const rg_phantom *t, uint64_t *key)
{
	uint32_t w, dur, dist;
	rg_node_cost(d, t->node[0], &w, &dur, &dist);
	*key = rg_key(w, dist);
	return dur;
}

/* Append the original path through `meet` to `path`: the forward chain
 * from the source (ps) to meet, then the backward chain to the target,
 * shortcuts unpacked.  0, SL_ENOMEM or SL_ECORRUPT. */
static int extract_path(sl_route_ctx *c, const rg_phantom *ps, uint32_t meet, sl_buf *path)
{
	const rg_data *d = &c->g->d;
	size_t nf = 0;
	uint32_t first = meet;
	for (uint32_t v = meet; v != RG_NONE; v = c->f.par[v])
		nf++, first = v;
	int seeded = IS_SEED_ARC(c->f.arc[first]);
	uint32_t *chain = malloc((nf + 2) * sizeof *chain);
	if (!chain)
		return SL_ENOMEM;
	size_t k = nf + (size_t)seeded;
	for (uint32_t v = meet; v != RG_NONE; v = c->f.par[v])
		chain[--k] = v;
	if (seeded)
		chain[0] = ps->node[c->f.arc[first] - SEED_ARC0];
	nf += (size_t)seeded;
	int rc = sl_buf_append(path, &chain[0], sizeof chain[0]);
	for (size_t i = 1; i < nf && rc == 0; i++) {
		uint32_t v = chain[i], a = c->f.arc[v];
		rc =
		    unpack(c, chain[i - 1], v, IS_SEED_ARC(a) ? RG_NONE : d->fwd[a].middle, path);
	}
	free(chain);
	for (uint32_t v = meet; rc == 0 && c->b.par[v] != RG_NONE; v = c->b.par[v]) {
		uint32_t a = c->b.arc[v];
		rc = unpack(c, v, c->b.par[v], d->bwd[a].middle, path);
	}
	return rc;
}

/* The query itself; with `path` non-NULL the edge-based nodes of the
 * best path are appended to it (in travel order). */
static int query(sl_route_ctx *c, const sl_route_snap *from, const sl_route_snap *to,
                 uint32_t depart_only, uint32_t *arrive, sl_route_result *res, sl_buf *path,
                 sl_error *err)
{
	const rg_data *d = &c->g->d;
	memset(res, 0, sizeof *res);
	rg_phantom ps, pt;
	rg_phantom_make(d, from, &ps);
	rg_phantom_make(d, to, &pt);
	if (depart_only != RG_NONE)
		for (int i = 0; i < ps.n; i++)
			if (ps.node[i] == depart_only) {
				rg_phantom one = ps;
				one.n = 1;
				one.node[0] = ps.node[i];
				one.rem_w[0] = ps.rem_w[i], one.rem_dur[0] = ps.rem_dur[i];
				one.rem_dist[0] = ps.rem_dist[i], one.pre_w[0] = ps.pre_w[i];
				one.pre_dur[0] = ps.pre_dur[i], one.pre_dist[0] = ps.pre_dist[i];
				ps = one;
				break;
			}
	if (ps.n == 0 || pt.n == 0)
		return sl_error_set(err, SL_ENOROUTE, "no route");
	side_reset(&c->f, c->n);
	side_reset(&c->b, c->n);
	if (seed_forward(d, &c->f, &ps, &pt) < 0 || seed_backward(&c->b, &pt) < 0)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	uint64_t best = RG_INF;
	uint32_t meet = RG_NONE;
	while (c->f.h.n || c->b.h.n) {
		int fwd_ok = c->f.h.n && c->f.h.a[0].key < best;
		int bwd_ok = c->b.h.n && c->b.h.a[0].key < best;
		if (!fwd_ok && !bwd_ok)
			break;
		int r;
		if (fwd_ok && (!bwd_ok || c->f.h.a[0].key <= c->b.h.a[0].key))
			r = step(&c->f, &c->b, d->fwd_off, d->fwd, d->bwd_off, d->bwd, &best, &meet,
			         1);
		else
			r = step(&c->b, &c->f, d->bwd_off, d->bwd, d->fwd_off, d->fwd, &best, &meet,
			         1);
		if (r < 0)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	if (meet == RG_NONE)
		return sl_error_set(err, SL_ENOROUTE, "no route between the points");
	uint64_t tk;
	uint32_t tdur = target_cost_key(d, &pt, &tk);
	uint64_t total = best - tk;
	uint32_t dur = c->f.dur[meet] + c->b.dur[meet] - tdur;
	res->weight = (double)(total >> 32) / 10;
	res->distance_m = (double)(uint32_t)total / 10;
	res->duration_s = dur / 10.0;
	if (arrive) {
		uint32_t v = meet;
		while (c->b.par[v] != RG_NONE)
			v = c->b.par[v];
		*arrive = v;
	}
	if (!path)
		return 0;
	int rc = extract_path(c, &ps, meet, path);
	if (rc < 0)
		return sl_error_set(err, rc,
		                    rc == SL_ECORRUPT ? "graph cannot unpack a shortcut"
		                                      : "out of memory");
	return 0;
}

int rg_query_path(sl_route_ctx *c, const sl_route_snap *from, const sl_route_snap *to,
                  uint32_t depart_only, uint32_t *arrive, sl_route_result *res, sl_buf *path,
                  sl_error *err)
{
	return query(c, from, to, depart_only, arrive, res, path, err);
}

/* ---- alternative routes ------------------------------------------------------ */

/* Via-node alternatives (Abraham, Delling, Goldberg and Werneck,
 * "Alternative Routes in Road Networks", SEA 2010) on the CH search
 * spaces: both upward searches run to exhaustion; every node v reached by
 * both is a candidate path s → v → t of cost kf(v) + kb(v).  Candidates are
 * taken by increasing cost if they are at most 25 % longer (by weight)
 * than the best, share at most 75 % of its weight with the best and with
 * every alternative already taken, and neither turn back nor visit an edge
 * twice (a cheap stand-in for the paper's local-optimality test). */
typedef struct alt_cand {
	uint64_t cost;
	uint32_t node;
} alt_cand;

static int cmp_cand(const void *a, const void *b)
{
	const alt_cand *x = a, *y = b;
	return x->cost != y->cost ? (x->cost > y->cost) - (x->cost < y->cost)
	                          : (x->node > y->node) - (x->node < y->node);
}

static int run_out(side *s, const uint32_t *up_off, const rg_arc *up, const uint32_t *down_off,
                   const rg_arc *down)
{
	uint64_t dummy = RG_INF;
	uint32_t meet;
	while (s->h.n)
		if (step(s, NULL, up_off, up, down_off, down, &dummy, &meet, 1) < 0)
			return SL_ENOMEM;
	return 0;
}

int rg_alternatives(sl_route_ctx *c, const sl_route_snap *from, const sl_route_snap *to,
                    const uint32_t *best_path, size_t best_n, int max_alt, sl_buf *out,
                    int *n_found)
{
	const rg_data *d = &c->g->d;
	*n_found = 0;
	rg_phantom ps, pt;
	rg_phantom_make(d, from, &ps);
	rg_phantom_make(d, to, &pt);
	if (ps.n == 0 || pt.n == 0 || best_n == 0 || max_alt <= 0)
		return 0;
	side_reset(&c->f, c->n);
	side_reset(&c->b, c->n);
	if (seed_forward(d, &c->f, &ps, &pt) < 0 || seed_backward(&c->b, &pt) < 0 ||
	    run_out(&c->f, d->fwd_off, d->fwd, d->bwd_off, d->bwd) < 0 ||
	    run_out(&c->b, d->bwd_off, d->bwd, d->fwd_off, d->fwd) < 0)
		return SL_ENOMEM;
	/* the weight of each node of the paths taken so far, by node */
	uint8_t *taken = calloc((size_t)c->n + 1, 1);
	uint8_t *seen = calloc((size_t)c->n + 1, 1);
	alt_cand *cand = NULL;
	sl_buf path = {0};
	int rc = SL_ENOMEM;
	if (!taken || !seen)
		goto out;
	uint64_t best_w = 0;
	for (size_t i = 0; i < best_n; i++) {
		uint32_t w, du, di;
		rg_node_cost(d, best_path[i], &w, &du, &di);
		best_w += w;
		taken[best_path[i]] = 1;
	}
	size_t nc = 0, cap = 0;
	uint64_t best = RG_INF;
	for (uint32_t v = 0; v < c->n; v++) {
		uint64_t kf = side_key(&c->f, v), kb = side_key(&c->b, v);
		if (kf == RG_INF || kb == RG_INF)
			continue;
		if (nc == cap) {
			cap = cap ? 2 * cap : 256;
			alt_cand *nc2 = realloc(cand, cap * sizeof *cand);
			if (!nc2)
				goto out;
			cand = nc2;
		}
		cand[nc++] = (alt_cand){kf + kb, v};
		if (kf + kb < best)
			best = kf + kb;
	}
	qsort(cand, nc, sizeof *cand, cmp_cand);
	/* keys count the target's edge in full once too much: take it off
	 * before comparing lengths */
	uint64_t tk;
	target_cost_key(d, &pt, &tk);
	uint64_t best_true = (best >> 32) - (tk >> 32);
	uint64_t limit_w = best_true + best_true / 4 + (tk >> 32);
	int tried = 0;
	for (size_t i = 0; i < nc && *n_found < max_alt && tried < 64; i++) {
		if ((cand[i].cost >> 32) > limit_w)
			break;
		if (taken[cand[i].node])
			continue; /* on the best path or on one taken */
		tried++;
		sl_buf_reset(&path);
		int er = extract_path(c, &ps, cand[i].node, &path);
		if (er == SL_ENOMEM)
			goto out;
		if (er < 0)
			continue;
		const uint32_t *p = (const uint32_t *)(void *)path.data;
		size_t n = path.len / sizeof *p;
		uint64_t shared = 0;
		int ok = 1;
		for (size_t k = 0; k < n && ok; k++) {
			uint32_t w, du, di;
			if (seen[p[k]] || (k && (d->node_edge[p[k - 1]] ^ d->node_edge[p[k]]) == 1))
				ok = 0; /* turns back or loops */
			seen[p[k]] = 1;
			rg_node_cost(d, p[k], &w, &du, &di);
			if (taken[p[k]])
				shared += w;
		}
		for (size_t k = 0; k < n; k++)
			seen[p[k]] = 0;
		if (!ok || shared * 4 > best_w * 3)
			continue;
		for (size_t k = 0; k < n; k++)
			taken[p[k]] = 1;
		uint32_t cnt = (uint32_t)n;
		if (sl_buf_append(out, &cnt, sizeof cnt) < 0 || sl_buf_append(out, p, n * sizeof *p) < 0)
			goto out;
		(*n_found)++;
	}
	rc = 0;
out:
	free(taken);
	free(seen);
	free(cand);
	sl_buf_free(&path);
	return rc;
}

int sl_route_query(sl_route_ctx *c, const sl_route_snap *from, const sl_route_snap *to,
                   unsigned flags, sl_route_result *res, sl_error *err)
{
	if (!(flags & SL_ROUTE_GEOMETRY))
		return query(c, from, to, RG_NONE, NULL, res, NULL, err);
	sl_buf nodes = {0};
	int rc = query(c, from, to, RG_NONE, NULL, res, &nodes, err);
	if (rc == 0) {
		rc = build_geometry(c, (const uint32_t *)(void *)nodes.data,
		                    nodes.len / sizeof(uint32_t), from, to, res);
		if (rc < 0) {
			sl_route_result_free(res);
			rc = sl_error_set(err, rc, "out of memory");
		}
	}
	sl_buf_free(&nodes);
	return rc;
}

/* ---- reference Dijkstra ------------------------------------------------------ */

int sl_route_dijkstra(sl_route_ctx *c, const sl_route_snap *from, const sl_route_snap *to,
                      size_t n_to, double *durations_s, double *distances_m, double *weights,
                      sl_error *err)
{
	const rg_data *d = &c->g->d;
	rg_phantom ps;
	rg_phantom_make(d, from, &ps);
	side *f = &c->f;
	side_reset(f, c->n);
	/* paths that leave the source edge: start from its successors */
	for (int i = 0; i < ps.n; i++) {
		uint32_t v = ps.node[i];
		uint64_t k = rg_key(ps.rem_w[i], ps.rem_dist[i]);
		for (uint32_t a = d->orig_off[v]; a < d->orig_off[v + 1]; a++) {
			uint32_t x = d->orig_tgt[a], w, dur, dist;
			rg_arc_cost(d, v, x, &w, &dur, &dist);
			if (side_set(f, x, k + rg_key(w, dist), ps.rem_dur[i] + dur, v, 0) < 0)
				return sl_error_set(err, SL_ENOMEM, "out of memory");
		}
	}
	while (f->h.n) {
		rg_heap_item it = rg_heap_pop(&f->h);
		uint32_t v = it.node;
		if (it.key != f->key[v])
			continue;
		for (uint32_t a = d->orig_off[v]; a < d->orig_off[v + 1]; a++) {
			uint32_t x = d->orig_tgt[a], w, dur, dist;
			rg_arc_cost(d, v, x, &w, &dur, &dist);
			if (side_set(f, x, it.key + rg_key(w, dist), f->dur[v] + dur, v, 0) < 0)
				return sl_error_set(err, SL_ENOMEM, "out of memory");
		}
	}
	for (size_t j = 0; j < n_to; j++) {
		rg_phantom pt;
		rg_phantom_make(d, &to[j], &pt);
		uint64_t best = RG_INF;
		uint32_t bdur = 0;
		for (int k = 0; k < pt.n; k++) {
			uint32_t t = pt.node[k], w, dur, dist;
			uint64_t kt = side_key(f, t);
			rg_node_cost(d, t, &w, &dur, &dist);
			if (kt != RG_INF) {
				uint64_t v =
				    kt - rg_key(w, dist) + rg_key(pt.pre_w[k], pt.pre_dist[k]);
				if (v < best)
					best = v, bdur = f->dur[t] - dur + pt.pre_dur[k];
			}
			for (int i = 0; i < ps.n; i++)
				if (same_ahead(&ps, i, &pt, k)) {
					uint64_t v = rg_key(pt.pre_w[k] - ps.pre_w[i],
					                    pt.pre_dist[k] - ps.pre_dist[i]);
					if (v < best)
						best = v, bdur = pt.pre_dur[k] - ps.pre_dur[i];
				}
		}
		int ok = best != RG_INF;
		if (durations_s)
			durations_s[j] = ok ? bdur / 10.0 : -1;
		if (distances_m)
			distances_m[j] = ok ? (double)(uint32_t)best / 10 : -1;
		if (weights)
			weights[j] = ok ? (double)(best >> 32) / 10 : -1;
	}
	return 0;
}

/* ---- many-to-many --------------------------------------------------------------- */

typedef struct bucket {
	uint32_t node, target;
	uint32_t dur;
	uint64_t key;
} bucket;

static int upward_all(side *s, const uint32_t *up_off, const rg_arc *up, const uint32_t *down_off,
                      const rg_arc *down, bucket **items, size_t *n, size_t *cap, uint32_t target)
{
	uint64_t dummy = RG_INF;
	uint32_t meet;
	while (s->h.n) {
		uint32_t v = s->h.a[0].node;
		uint64_t k = s->h.a[0].key;
		int r = step(s, NULL, up_off, up, down_off, down, &dummy, &meet, 1);
		if (r < 0)
			return SL_ENOMEM;
		if (r == 0 || items == NULL || k != s->key[v])
			continue;
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 4096;
			bucket *p = realloc(*items, nc * sizeof *p);
			if (!p)
				return SL_ENOMEM;
			*items = p;
			*cap = nc;
		}
		(*items)[(*n)++] = (bucket){v, target, s->dur[v], k};
	}
	return 0;
}

int sl_route_matrix(sl_route_ctx *c, const sl_route_snap *from, size_t n_from,
                    const sl_route_snap *to, size_t n_to, double *durations_s, double *distances_m,
                    sl_error *err)
{
	const rg_data *d = &c->g->d;
	if (n_from > 100000 || n_to > 100000)
		return sl_error_set(err, SL_ELIMIT, "matrix too large (at most 100000 per side)");
	int rc = SL_ENOMEM;
	bucket *items = NULL, *sorted = NULL;
	size_t n_items = 0, cap = 0;
	uint32_t *boff = calloc((size_t)c->n + 2, sizeof *boff);
	rg_phantom *pts = malloc((n_to + 1) * sizeof *pts);
	uint64_t *row_key = malloc((n_to + 1) * sizeof *row_key), *tkey = malloc((n_to + 1) * 8);
	uint32_t *row_dur = malloc((n_to + 1) * sizeof *row_dur), *tdur = malloc((n_to + 1) * 4);
	if (!boff || !pts || !row_key || !row_dur || !tkey || !tdur)
		goto out;
	for (size_t j = 0; j < n_to; j++) {
		rg_phantom_make(d, &to[j], &pts[j]);
		if (pts[j].n == 0)
			continue;
		tdur[j] = target_cost_key(d, &pts[j], &tkey[j]);
		side_reset(&c->b, c->n);
		if (seed_backward(&c->b, &pts[j]) < 0 ||
		    upward_all(&c->b, d->bwd_off, d->bwd, d->fwd_off, d->fwd, &items, &n_items,
		               &cap, (uint32_t)j) < 0)
			goto out;
	}
	/* counting sort of the bucket entries by node */
	sorted = malloc((n_items + 1) * sizeof *sorted);
	if (!sorted)
		goto out;
	for (size_t i = 0; i < n_items; i++)
		boff[items[i].node + 1]++;
	for (uint32_t v = 0; v < c->n; v++)
		boff[v + 1] += boff[v];
	for (size_t i = 0; i < n_items; i++)
		sorted[boff[items[i].node]++] = items[i];
	memmove(boff + 1, boff, (size_t)c->n * sizeof *boff);
	boff[0] = 0;
	free(items);
	items = NULL;
	for (size_t i = 0; i < n_from; i++) {
		rg_phantom ps;
		rg_phantom_make(d, &from[i], &ps);
		for (size_t j = 0; j < n_to; j++)
			row_key[j] = RG_INF;
		side *f = &c->f;
		side_reset(f, c->n);
		if (seed_forward(d, f, &ps, NULL) < 0)
			goto out;
		uint64_t dummy = RG_INF;
		uint32_t meet;
		while (f->h.n) {
			uint32_t v = f->h.a[0].node;
			uint64_t k = f->h.a[0].key;
			int r =
			    step(f, NULL, d->fwd_off, d->fwd, d->bwd_off, d->bwd, &dummy, &meet, 1);
			if (r < 0)
				goto out;
			if (r == 0 || k != f->key[v])
				continue;
			for (uint32_t b = boff[v]; b < boff[v + 1]; b++) {
				const bucket *e = &sorted[b];
				uint64_t cand = k + e->key;
				if (cand < row_key[e->target]) {
					row_key[e->target] = cand;
					row_dur[e->target] = f->dur[v] + e->dur;
				}
			}
		}
		for (size_t j = 0; j < n_to; j++) {
			int fix = 0;
			for (int a = 0; a < ps.n; a++)
				for (int b = 0; b < pts[j].n; b++)
					fix |= behind(&ps, a, &pts[j], b);
			double du = -1, di = -1;
			if (fix) {
				/* same directed edge, target behind: a real query */
				sl_route_result res;
				if (sl_route_query(c, &from[i], &to[j], 0, &res, NULL) == 0)
					du = res.duration_s, di = res.distance_m;
			} else if (row_key[j] != RG_INF && pts[j].n) {
				uint64_t t = row_key[j] - tkey[j];
				du = (row_dur[j] - tdur[j]) / 10.0;
				di = (double)(uint32_t)t / 10;
			}
			if (durations_s)
				durations_s[i * n_to + j] = du;
			if (distances_m)
				distances_m[i * n_to + j] = di;
		}
	}
	rc = 0;
out:
	free(items);
	free(sorted);
	free(boff);
	free(pts);
	free(row_key);
	free(row_dur);
	free(tkey);
	free(tdur);
	if (rc)
		sl_error_set(err, rc, "out of memory");
	return rc;
}
