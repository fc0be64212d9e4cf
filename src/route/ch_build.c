/* ch_build.c — contraction hierarchies preprocessing.
 *
 * Geisberger, Sanders, Schultes, Delling: "Contraction Hierarchies: Faster
 * and Simpler Hierarchical Routing in Road Networks", WEA 2008.  Nodes are
 * removed one by one in order of a priority — twice the edge difference
 * (shortcuts added minus arcs removed) plus the number of already
 * contracted neighbours, which spreads contraction evenly — kept in a heap
 * with lazy updates (a popped node's priority is recomputed and it goes
 * back if it got worse than the next one) and refreshed for the
 * neighbours of every contracted node.  Removing v adds a shortcut u→x for
 * each pair of arcs u→v→x unless a witness search — a Dijkstra from u that
 * avoids v, bounded by the candidate's cost and by a number of settled
 * nodes — finds a path no longer.  A shortcut remembers v (its middle
 * node), so a query can unpack it into original arcs.
 *
 * The arcs a node has when it is contracted all lead to nodes contracted
 * later (higher rank): they are exactly the upward search graph, stored
 * as fwd (v→x) and bwd (u→v, kept at v) lists. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct carc {
	uint64_t key;
	uint32_t dur;
	uint32_t other;
	uint32_t middle;
} carc;

typedef struct alist {
	carc *a;
	uint32_t n, cap;
} alist;

typedef struct ctx {
	uint32_t n;
	alist *out, *in;
	uint8_t *done;
	uint32_t *deleted; /* contracted neighbours */
	int64_t *prio;
	/* witness search */
	uint64_t *dist;
	uint32_t *stamp;
	uint32_t cur;
	rg_heap wh;
	/* upward arcs collected in contraction order */
	carc *up_f, *up_b;
	size_t nf, capf, nb, capb;
	uint32_t *f_start, *f_cnt, *b_start, *b_cnt;
	uint64_t shortcuts;
} ctx;

#define WITNESS_SETTLED 400

static int alist_push(alist *l, carc a)
{
	if (l->n == l->cap) {
		uint32_t nc = l->cap ? l->cap * 2 : 4;
		carc *p = realloc(l->a, nc * sizeof *p);
		if (!p)
			return SL_ENOMEM;
		l->a = p;
		l->cap = nc;
	}
	l->a[l->n++] = a;
	return 0;
}

static void alist_remove(alist *l, uint32_t other)
{
	for (uint32_t i = 0; i < l->n; i++)
		if (l->a[i].other == other) {
			l->a[i] = l->a[--l->n];
			return;
		}
}

static carc *alist_find(alist *l, uint32_t other)
{
	for (uint32_t i = 0; i < l->n; i++)
		if (l->a[i].other == other)
			return &l->a[i];
	return NULL;
}

/* Dijkstra from s over uncontracted nodes avoiding `skip`, up to `bound`. */
static int witness(ctx *c, uint32_t s, uint32_t skip, uint64_t bound)
{
	c->cur++;
	if (c->cur == 0) {
		memset(c->stamp, 0, c->n * sizeof *c->stamp);
		c->cur = 1;
	}
	c->wh.n = 0;
	c->stamp[s] = c->cur;
	c->dist[s] = 0;
	if (rg_heap_push(&c->wh, 0, s) < 0)
		return SL_ENOMEM;
	int settled = 0;
	while (c->wh.n) {
		rg_heap_item it = rg_heap_pop(&c->wh);
		if (it.key > c->dist[it.node])
			continue;
		if (it.key > bound || ++settled > WITNESS_SETTLED)
			break;
		const alist *l = &c->out[it.node];
		for (uint32_t i = 0; i < l->n; i++) {
			uint32_t x = l->a[i].other;
			if (x == skip)
				continue;
			uint64_t nd = it.key + l->a[i].key;
			if (c->stamp[x] != c->cur || nd < c->dist[x]) {
				c->stamp[x] = c->cur;
				c->dist[x] = nd;
				if (rg_heap_push(&c->wh, nd, x) < 0)
					return SL_ENOMEM;
			}
		}
	}
	return 0;
}

static uint64_t wdist(const ctx *c, uint32_t x)
{
	return c->stamp[x] == c->cur ? c->dist[x] : RG_INF;
}

static int add_shortcut(ctx *c, uint32_t u, uint32_t x, uint64_t key, uint32_t dur, uint32_t mid)
{
	carc *e = alist_find(&c->out[u], x);
	if (e) {
		if (e->key <= key)
			return 0;
		e->key = key;
		e->dur = dur;
		e->middle = mid;
		carc *f = alist_find(&c->in[x], u);
		if (f) {
			f->key = key;
			f->dur = dur;
			f->middle = mid;
		}
		return 0;
	}
	c->shortcuts++;
	if (alist_push(&c->out[u], (carc){key, dur, x, mid}) < 0 ||
	    alist_push(&c->in[x], (carc){key, dur, u, mid}) < 0)
		return SL_ENOMEM;
	return 0;
}

/* Contract v (really, or only count the shortcuts when !apply). */
static int contract(ctx *c, uint32_t v, int apply, int *n_short)
{
	*n_short = 0;
	alist *in = &c->in[v], *out = &c->out[v];
	for (uint32_t i = 0; i < in->n; i++) {
		uint32_t u = in->a[i].other;
		uint64_t w1 = in->a[i].key, bound = 0;
		for (uint32_t j = 0; j < out->n; j++)
			if (out->a[j].other != u && w1 + out->a[j].key > bound)
				bound = w1 + out->a[j].key;
		if (bound == 0)
			continue;
		if (witness(c, u, v, bound) < 0)
			return SL_ENOMEM;
		for (uint32_t j = 0; j < out->n; j++) {
			uint32_t x = out->a[j].other;
			if (x == u)
				continue;
			uint64_t k = w1 + out->a[j].key;
			if (wdist(c, x) <= k)
				continue;
			(*n_short)++;
			if (apply && add_shortcut(c, u, x, k, in->a[i].dur + out->a[j].dur, v) < 0)
				return SL_ENOMEM;
		}
	}
	return 0;
}

static int priority(ctx *c, uint32_t v, int64_t *p)
{
	int ns;
	if (contract(c, v, 0, &ns) < 0)
		return SL_ENOMEM;
	int64_t ed = (int64_t)ns - (int64_t)c->in[v].n - (int64_t)c->out[v].n;
	*p = 2 * ed + (int64_t)c->deleted[v];
	return 0;
}

static uint64_t pkey(int64_t p)
{
	return (uint64_t)(p + ((int64_t)1 << 40));
}

static int push_up(carc **arr, size_t *n, size_t *cap, carc a)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4096;
		carc *p = realloc(*arr, nc * sizeof *p);
		if (!p)
			return SL_ENOMEM;
		*arr = p;
		*cap = nc;
	}
	(*arr)[(*n)++] = a;
	return 0;
}

static int finish_node(ctx *c, uint32_t v, rg_heap *pq)
{
	alist *in = &c->in[v], *out = &c->out[v];
	c->f_start[v] = (uint32_t)c->nf;
	c->f_cnt[v] = out->n;
	for (uint32_t j = 0; j < out->n; j++)
		if (push_up(&c->up_f, &c->nf, &c->capf, out->a[j]) < 0)
			return SL_ENOMEM;
	c->b_start[v] = (uint32_t)c->nb;
	c->b_cnt[v] = in->n;
	for (uint32_t i = 0; i < in->n; i++)
		if (push_up(&c->up_b, &c->nb, &c->capb, in->a[i]) < 0)
			return SL_ENOMEM;
	c->done[v] = 1;
	for (uint32_t j = 0; j < out->n; j++) {
		uint32_t x = out->a[j].other;
		alist_remove(&c->in[x], v);
		c->deleted[x]++;
	}
	for (uint32_t i = 0; i < in->n; i++) {
		uint32_t u = in->a[i].other;
		alist_remove(&c->out[u], v);
		c->deleted[u]++;
	}
	/* refresh the neighbours' priorities */
	alist *lists[2] = {out, in};
	for (int s = 0; s < 2; s++)
		for (uint32_t j = 0; j < lists[s]->n; j++) {
			uint32_t x = lists[s]->a[j].other;
			int64_t p;
			if (c->done[x])
				continue;
			if (priority(c, x, &p) < 0)
				return SL_ENOMEM;
			if (p != c->prio[x]) {
				c->prio[x] = p;
				if (rg_heap_push(pq, pkey(p), x) < 0)
					return SL_ENOMEM;
			}
		}
	free(in->a);
	free(out->a);
	memset(in, 0, sizeof *in);
	memset(out, 0, sizeof *out);
	return 0;
}

static int make_csr(const carc *up, const uint32_t *start, const uint32_t *cnt, uint32_t n,
                    uint32_t **off_out, rg_arc **arcs_out, uint32_t *total)
{
	uint32_t *off = malloc(((size_t)n + 1) * sizeof *off);
	size_t m = 0;
	for (uint32_t v = 0; v < n; v++)
		m += cnt[v];
	rg_arc *arcs = malloc((m + 1) * sizeof *arcs);
	if (!off || !arcs) {
		free(off);
		free(arcs);
		return SL_ENOMEM;
	}
	size_t k = 0;
	for (uint32_t v = 0; v < n; v++) {
		off[v] = (uint32_t)k;
		for (uint32_t i = 0; i < cnt[v]; i++, k++) {
			const carc *a = &up[start[v] + i];
			arcs[k] = (rg_arc){a->key, a->dur, a->other, a->middle, 0};
		}
	}
	off[n] = (uint32_t)k;
	*off_out = off;
	*arcs_out = arcs;
	*total = (uint32_t)k;
	return 0;
}

int rg_contract(rg_data *d, sl_route_progress_fn prog, void *pu, sl_error *err)
{
	ctx c = {0};
	uint32_t n = d->n_nodes;
	int rc = SL_ENOMEM;
	rg_heap pq = {0};
	c.n = n;
	size_t nn = (size_t)n + 1;
	c.out = calloc(nn, sizeof *c.out);
	c.in = calloc(nn, sizeof *c.in);
	c.done = calloc(nn, 1);
	c.deleted = calloc(nn, sizeof *c.deleted);
	c.prio = calloc(nn, sizeof *c.prio);
	c.dist = calloc(nn, sizeof *c.dist);
	c.stamp = calloc(nn, sizeof *c.stamp);
	c.f_start = calloc(nn, sizeof *c.f_start);
	c.f_cnt = calloc(nn, sizeof *c.f_cnt);
	c.b_start = calloc(nn, sizeof *c.b_start);
	c.b_cnt = calloc(nn, sizeof *c.b_cnt);
	if (!c.out || !c.in || !c.done || !c.deleted || !c.prio || !c.dist || !c.stamp ||
	    !c.f_start || !c.f_cnt || !c.b_start || !c.b_cnt)
		goto out;
	for (uint32_t v = 0; v < n; v++)
		for (uint32_t a = d->orig_off[v]; a < d->orig_off[v + 1]; a++) {
			uint32_t x = d->orig_tgt[a], w, dur, dist;
			if (x == v)
				continue;
			rg_arc_cost(d, v, x, &w, &dur, &dist);
			uint64_t k = rg_key(w, dist);
			carc *e = alist_find(&c.out[v], x);
			if (e)
				continue; /* one arc per pair */
			if (alist_push(&c.out[v], (carc){k, dur, x, RG_NONE}) < 0 ||
			    alist_push(&c.in[x], (carc){k, dur, v, RG_NONE}) < 0)
				goto out;
		}
	for (uint32_t v = 0; v < n; v++) {
		if (priority(&c, v, &c.prio[v]) < 0 || rg_heap_push(&pq, pkey(c.prio[v]), v) < 0)
			goto out;
		if (prog && (v & 4095) == 0)
			prog(pu, "order", (double)v / n);
	}
	uint32_t ndone = 0;
	while (pq.n) {
		rg_heap_item it = rg_heap_pop(&pq);
		uint32_t v = it.node;
		if (c.done[v] || it.key != pkey(c.prio[v]))
			continue;
		/* lazy update: recompute; if no longer the best, requeue */
		int64_t p;
		if (priority(&c, v, &p) < 0)
			goto out;
		if (p != c.prio[v]) {
			c.prio[v] = p;
			if (pq.n && pkey(p) > pq.a[0].key) {
				if (rg_heap_push(&pq, pkey(p), v) < 0)
					goto out;
				continue;
			}
		}
		int ns;
		if (contract(&c, v, 1, &ns) < 0 || finish_node(&c, v, &pq) < 0)
			goto out;
		ndone++;
		if (prog && (ndone & 1023) == 0)
			prog(pu, "contract", (double)ndone / n);
	}
	if (make_csr(c.up_f, c.f_start, c.f_cnt, n, &d->fwd_off, &d->fwd, &d->n_fwd) < 0 ||
	    make_csr(c.up_b, c.b_start, c.b_cnt, n, &d->bwd_off, &d->bwd, &d->n_bwd) < 0)
		goto out;
	d->n_shortcuts = (uint32_t)c.shortcuts;
	if (prog)
		prog(pu, "contract", 1.0);
	rc = 0;
out:
	if (c.out)
		for (uint32_t v = 0; v < n; v++) {
			free(c.out[v].a);
			free(c.in[v].a);
		}
	free(c.out);
	free(c.in);
	free(c.done);
	free(c.deleted);
	free(c.prio);
	free(c.dist);
	free(c.stamp);
	free(c.f_start);
	free(c.f_cnt);
	free(c.b_start);
	free(c.b_cnt);
	free(c.up_f);
	free(c.up_b);
	rg_heap_free(&c.wh);
	rg_heap_free(&pq);
	if (rc)
		sl_error_set(err, rc, "out of memory during contraction");
	return rc;
}
