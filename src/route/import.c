/* import.c — OpenStreetMap (PBF or XML, via libreadosm) to an edge-based
 * road graph for one vehicle profile.
 *
 * One parse keeps every node's coordinates, the routable ways (after the
 * profile's highway, access, oneway and dimension rules) and the turn
 * restrictions.  Ways are cut at junctions into edges; each direction of an
 * edge becomes a node of the edge-based graph and each allowed turn an arc
 * (see internal.h).  Blocking barriers allow only turning back; U-turns are
 * otherwise allowed only where nothing else is.  Finally only the largest
 * strongly connected component (Tarjan 1972) is kept, so every snapped
 * point can reach every other.
 *
 * libreadosm 1.1 dereferences missing XML attributes (a <tag> without k or
 * v, a <member> without role), so an .osm XML file is first checked with
 * libxml2's streaming reader and such a file is refused with its line; and
 * it allocates the block sizes a PBF file declares, so the PBF framing is
 * walked first and absurd sizes are refused (both found by fuzzing). */
#include "internal.h"

#include <libxml/xmlreader.h>
#include <readosm.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <math.h>
#include <stdio.h>

typedef struct onode {
	int64_t id;
	int32_t lon, lat;
} onode;

typedef struct oway {
	int64_t id;
	uint32_t ref_first, ref_count;
	uint32_t name, ref; /* string ids of the name and ref tags (0 = none) */
	float speed_kmh;
	uint8_t fwd, bwd, flags;
} oway;

typedef struct orestr {
	int64_t from, via, to;
	int only;
	int via_way; /* via is a way id (else a node id) */
} orestr;

#define VEC(T)                                                                                     \
	struct {                                                                                   \
		T *a;                                                                              \
		size_t n, cap;                                                                     \
	}

#define VEC_PUSH(v, x)                                                                             \
	((((v).n == (v).cap ? vec_grow((void **)&(v).a, &(v).cap, sizeof *(v).a) : 0) == 0)        \
	     ? ((v).a[(v).n++] = (x), 0)                                                           \
	     : SL_ENOMEM)

static int vec_grow(void **a, size_t *cap, size_t elem)
{
	size_t nc = *cap ? *cap * 2 : 256;
	void *p = realloc(*a, nc * elem);
	if (!p)
		return SL_ENOMEM;
	*a = p;
	*cap = nc;
	return 0;
}

typedef struct reader {
	const sl_route_profile *p;
	VEC(onode) nodes;
	VEC(int64_t) blocked;
	VEC(oway) ways;
	VEC(int64_t) refs;
	VEC(orestr) restr;
	/* interned street names and refs: string i is chars[soff[i]..] */
	VEC(char) chars;
	VEC(uint32_t) soff;
	uint32_t *ht; /* open addressing: string id + 1, 0 = empty */
	size_t ht_cap;
	sl_route_build_stats *st;
	int oom;
	int unsorted;
	sl_route_progress_fn prog;
	void *pu;
} reader;

#define MAX_TAGS 256

static int tags_of(const readosm_tag *t, int n, const char **k, const char **v)
{
	if (n > MAX_TAGS)
		n = MAX_TAGS;
	for (int i = 0; i < n; i++) {
		k[i] = t[i].key ? t[i].key : "";
		v[i] = t[i].value ? t[i].value : "";
	}
	return n;
}

static const char *find(const char **k, const char **v, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (strcmp(k[i], key) == 0)
			return v[i];
	return NULL;
}

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The id of string s in the name table, adding it; 0 for NULL or "".
 * Returns RG_NONE on ENOMEM. */
static uint32_t intern(reader *r, const char *s)
{
	if (!s || !*s)
		return 0;
	if (r->soff.n == 0) { /* string 0 is "" */
		if (VEC_PUSH(r->soff, 0) < 0 || VEC_PUSH(r->chars, '\0') < 0)
			return RG_NONE;
	}
	if (2 * (r->soff.n + 1) > r->ht_cap) {
		size_t nc = r->ht_cap ? 2 * r->ht_cap : 1024;
		uint32_t *nt = calloc(nc, sizeof *nt);
		if (!nt)
			return RG_NONE;
		for (size_t i = 0; i < r->ht_cap; i++)
			if (r->ht[i]) {
				size_t j = str_hash(r->chars.a + r->soff.a[r->ht[i] - 1]) & (nc - 1);
				while (nt[j])
					j = (j + 1) & (nc - 1);
				nt[j] = r->ht[i];
			}
		free(r->ht);
		r->ht = nt;
		r->ht_cap = nc;
	}
	size_t len = strlen(s);
	if (len > 255)
		len = 255; /* names are for display; cut overlong junk */
	char tmp[256];
	memcpy(tmp, s, len);
	tmp[len] = 0;
	/* names go into JSON answers: keep them valid UTF-8 (the cut above or a
	 * damaged file may split a character) */
	for (long bad; (bad = sl_utf8_invalid_at(tmp, len)) >= 0;)
		tmp[bad] = '?';
	size_t j = str_hash(tmp) & (r->ht_cap - 1);
	while (r->ht[j]) {
		if (strcmp(r->chars.a + r->soff.a[r->ht[j] - 1], tmp) == 0)
			return r->ht[j] - 1;
		j = (j + 1) & (r->ht_cap - 1);
	}
	if (r->chars.n + len + 1 >= UINT32_MAX / 2)
		return 0; /* absurdly many names: drop the rest */
	uint32_t id = (uint32_t)r->soff.n;
	if (VEC_PUSH(r->soff, (uint32_t)r->chars.n) < 0)
		return RG_NONE;
	for (size_t i = 0; i <= len; i++)
		if (VEC_PUSH(r->chars, tmp[i]) < 0)
			return RG_NONE;
	r->ht[j] = id + 1;
	return id;
}

static int on_node(const void *user, const readosm_node *nd)
{
	reader *r = (reader *)user;
	r->st->osm_nodes++;
	if (!isfinite(nd->latitude) || !isfinite(nd->longitude) || fabs(nd->latitude) > 90 ||
	    fabs(nd->longitude) > 180)
		return READOSM_OK; /* a node without a usable position is ignored */
	onode o = {nd->id, (int32_t)lround(nd->longitude * 1e7),
	           (int32_t)lround(nd->latitude * 1e7)};
	if (r->nodes.n && r->nodes.a[r->nodes.n - 1].id >= o.id)
		r->unsorted = 1;
	if (VEC_PUSH(r->nodes, o) < 0)
		goto oom;
	if (nd->tag_count > 0) {
		const char *k[MAX_TAGS], *v[MAX_TAGS];
		int n = tags_of(nd->tags, nd->tag_count, k, v);
		if (rp_node_blocks(r->p, k, v, n)) {
			if (VEC_PUSH(r->blocked, nd->id) < 0)
				goto oom;
		}
	}
	if ((r->st->osm_nodes & 0xffff) == 0 && r->prog)
		r->prog(r->pu, "read", 0.0);
	return READOSM_OK;
oom:
	r->oom = 1;
	return READOSM_ABORT;
}

static int on_way(const void *user, const readosm_way *w)
{
	reader *r = (reader *)user;
	const sl_route_profile *p = r->p;
	r->st->osm_ways++;
	if (w->node_ref_count < 2 || w->tag_count <= 0)
		return READOSM_OK;
	const char *k[MAX_TAGS], *v[MAX_TAGS];
	int n = tags_of(w->tags, w->tag_count, k, v);
	double speed = rp_way_speed(p, k, v, n);
	if (speed <= 0)
		return READOSM_OK;
	int acc = rp_access(p, k, v, n);
	if (acc == 0 || rp_dimension_blocked(p, k, v, n))
		return READOSM_OK;
	int fwd = 1, bwd = 1;
	const char *hw = find(k, v, n, "highway");
	const char *junction = find(k, v, n, "junction");
	if ((junction &&
	     (strcmp(junction, "roundabout") == 0 || strcmp(junction, "circular") == 0)) ||
	    (hw && (strcmp(hw, "motorway") == 0 || strcmp(hw, "motorway_link") == 0)))
		bwd = 0;
	const char *ow = find(k, v, n, "oneway");
	if (ow) {
		if (!strcmp(ow, "yes") || !strcmp(ow, "true") || !strcmp(ow, "1"))
			fwd = 1, bwd = 0;
		else if (!strcmp(ow, "-1") || !strcmp(ow, "reverse"))
			fwd = 0, bwd = 1;
		else if (!strcmp(ow, "no") || !strcmp(ow, "false") || !strcmp(ow, "0"))
			fwd = 1, bwd = 1;
		else if (!strcmp(ow, "reversible") || !strcmp(ow, "alternating"))
			return READOSM_OK; /* direction changes by time: not routable */
	}
	int flags = acc == 2 ? RG_EF_DEST : 0;
	if (junction && (strcmp(junction, "roundabout") == 0 || strcmp(junction, "circular") == 0))
		flags |= RG_EF_ROUNDABOUT;
	if (hw && (strcmp(hw, "motorway") == 0 || strcmp(hw, "trunk") == 0))
		flags |= RG_EF_MOTORWAY;
	size_t hl = hw ? strlen(hw) : 0;
	if (hl > 5 && strcmp(hw + hl - 5, "_link") == 0)
		flags |= RG_EF_LINK;
	uint32_t name = intern(r, find(k, v, n, "name"));
	uint32_t ref = intern(r, find(k, v, n, "ref"));
	if (name == RG_NONE || ref == RG_NONE)
		goto oom;
	oway o = {w->id,
	          (uint32_t)r->refs.n,
	          (uint32_t)w->node_ref_count,
	          name,
	          ref,
	          (float)speed,
	          (uint8_t)fwd,
	          (uint8_t)bwd,
	          (uint8_t)flags};
	for (int i = 0; i < w->node_ref_count; i++)
		if (VEC_PUSH(r->refs, (int64_t)w->node_refs[i]) < 0)
			goto oom;
	if (VEC_PUSH(r->ways, o) < 0)
		goto oom;
	r->st->routable_ways++;
	return READOSM_OK;
oom:
	r->oom = 1;
	return READOSM_ABORT;
}

static int on_relation(const void *user, const readosm_relation *rel)
{
	reader *r = (reader *)user;
	const sl_route_profile *p = r->p;
	r->st->osm_relations++;
	if (rel->tag_count <= 0)
		return READOSM_OK;
	const char *k[MAX_TAGS], *v[MAX_TAGS];
	int n = tags_of(rel->tags, rel->tag_count, k, v);
	const char *type = find(k, v, n, "type");
	if (!type || strncmp(type, "restriction", 11) != 0 || (type[11] && type[11] != ':'))
		return READOSM_OK;
	const char *val = NULL;
	if (type[11] == ':') {
		/* older tagging, type=restriction:hgv with restriction=*: only for
		 * vehicles whose profile reads restriction:hgv */
		int mine = 0;
		for (int i = 0; i < p->n_restriction_tags; i++)
			mine |= strcmp(p->restriction_tags[i], type) == 0;
		if (!mine)
			return READOSM_OK;
		val = find(k, v, n, type);
		if (!val)
			val = find(k, v, n, "restriction");
	} else
		for (int i = 0; i < p->n_restriction_tags && !val; i++)
			val = find(k, v, n, p->restriction_tags[i]);
	if (!val)
		return READOSM_OK;
	int only;
	if (strncmp(val, "no_", 3) == 0)
		only = 0;
	else if (strncmp(val, "only_", 5) == 0)
		only = 1;
	else
		return READOSM_OK;
	const char *exc = find(k, v, n, "except");
	if (exc) {
		for (int i = 0; i < p->n_except; i++) {
			const char *s = exc;
			size_t len = strlen(p->except[i]);
			while ((s = strstr(s, p->except[i])) != NULL) {
				int start = s == exc || s[-1] == ';' || s[-1] == ' ';
				int end = s[len] == 0 || s[len] == ';' || s[len] == ' ';
				if (start && end) {
					r->st->restrictions_skipped++;
					return READOSM_OK;
				}
				s += len;
			}
		}
	}
	orestr o = {0, 0, 0, only, 0};
	int nf = 0, nv = 0, nt = 0, nvw = 0;
	for (int i = 0; i < rel->member_count; i++) {
		const readosm_member *m = &rel->members[i];
		const char *role = m->role ? m->role : "";
		if (!strcmp(role, "from") && m->member_type == READOSM_MEMBER_WAY)
			o.from = m->id, nf++;
		else if (!strcmp(role, "to") && m->member_type == READOSM_MEMBER_WAY)
			o.to = m->id, nt++;
		else if (!strcmp(role, "via")) {
			if (m->member_type == READOSM_MEMBER_NODE)
				o.via = m->id, nv++;
			else if (m->member_type == READOSM_MEMBER_WAY)
				o.via = m->id, o.via_way = 1, nvw++;
			else
				nvw += 2; /* a relation as via: not supported */
		}
	}
	/* one from way, one to way, and one via node or one via way */
	if (nf != 1 || nt != 1 || nv + nvw != 1) {
		r->st->restrictions_skipped++;
		return READOSM_OK;
	}
	if (VEC_PUSH(r->restr, o) < 0) {
		r->oom = 1;
		return READOSM_ABORT;
	}
	return READOSM_OK;
}

/* ---- graph construction --------------------------------------------------------- */

static int cmp_node(const void *a, const void *b)
{
	const onode *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint32_t node_index(const reader *r, int64_t id)
{
	size_t lo = 0, hi = r->nodes.n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (r->nodes.a[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->nodes.n && r->nodes.a[lo].id == id ? (uint32_t)lo : RG_NONE;
}

typedef struct bedge {
	uint32_t u, v; /* junction ids */
	uint32_t first, count;
	uint32_t way;
} bedge;

typedef struct ebn_info {
	uint32_t edge, rev, tail, head;
} ebn_info;

typedef struct only_rule {
	uint32_t in;
	uint32_t to_way;
} only_rule;

static int cmp_only(const void *a, const void *b)
{
	const only_rule *x = a, *y = b;
	return x->in != y->in ? (x->in < y->in ? -1 : 1)
	                      : (x->to_way > y->to_way) - (x->to_way < y->to_way);
}

static uint32_t way_index(const oway *ways, const uint32_t *order, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ways[order[mid]].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ways[order[lo]].id == id ? order[lo] : RG_NONE;
}

/* Way indices ordered by OSM id (a merge sort: qsort has no context
 * argument and the library keeps no global state). */
static void sort_way_order(const oway *ways, uint32_t *order, uint32_t *tmp, size_t n)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	sort_way_order(ways, order, tmp, h);
	sort_way_order(ways, order + h, tmp, n - h);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = ways[order[i]].id <= ways[order[j]].id ? order[i++] : order[j++];
	while (i < h)
		tmp[k++] = order[i++];
	while (j < n)
		tmp[k++] = order[j++];
	memcpy(order, tmp, n * sizeof *order);
}

/* Tarjan's strongly connected components, iterative.  comp[v] gets a
 * component id; returns the id of the largest, or RG_NONE on ENOMEM. */
static uint32_t largest_scc(uint32_t n, const uint32_t *off, const uint32_t *tgt, uint32_t *comp)
{
	uint32_t *idx = malloc((size_t)n * sizeof *idx), *low = malloc((size_t)n * sizeof *low);
	uint32_t *stk = malloc((size_t)n * sizeof *stk), *cs = malloc((size_t)n * sizeof *cs);
	uint32_t *cpos = malloc((size_t)n * sizeof *cpos);
	uint8_t *on = calloc(n ? n : 1, 1);
	uint32_t *size = NULL;
	uint32_t best = RG_NONE;
	if (!idx || !low || !stk || !cs || !cpos || !on)
		goto out;
	for (uint32_t i = 0; i < n; i++)
		idx[i] = RG_NONE;
	uint32_t counter = 0, sp = 0, ncomp = 0;
	for (uint32_t s = 0; s < n; s++) {
		if (idx[s] != RG_NONE)
			continue;
		uint32_t csp = 0;
		cs[csp] = s;
		cpos[csp++] = off[s];
		idx[s] = low[s] = counter++;
		stk[sp++] = s;
		on[s] = 1;
		while (csp) {
			uint32_t v = cs[csp - 1];
			if (cpos[csp - 1] < off[v + 1]) {
				uint32_t w = tgt[cpos[csp - 1]++];
				if (idx[w] == RG_NONE) {
					idx[w] = low[w] = counter++;
					stk[sp++] = w;
					on[w] = 1;
					cs[csp] = w;
					cpos[csp++] = off[w];
				} else if (on[w] && idx[w] < low[v])
					low[v] = idx[w];
				continue;
			}
			if (low[v] == idx[v]) {
				uint32_t w;
				do {
					w = stk[--sp];
					on[w] = 0;
					comp[w] = ncomp;
				} while (w != v);
				ncomp++;
			}
			csp--;
			if (csp) {
				uint32_t u = cs[csp - 1];
				if (low[v] < low[u])
					low[u] = low[v];
			}
		}
	}
	size = calloc(ncomp ? ncomp : 1, sizeof *size);
	if (!size)
		goto out;
	for (uint32_t i = 0; i < n; i++)
		size[comp[i]]++;
	uint32_t bs = 0;
	for (uint32_t c = 0; c < ncomp; c++)
		if (size[c] > bs)
			bs = size[c], best = c;
out:
	free(idx);
	free(low);
	free(stk);
	free(cs);
	free(cpos);
	free(on);
	free(size);
	return best;
}

/* Cut ways into edges and write geometry and costs. */
typedef struct builder {
	reader *r;
	const sl_route_profile *p;
	uint32_t *ref_node; /* per ref: node index or RG_NONE */
	uint32_t *junction; /* per node: junction id or RG_NONE */
	uint8_t *use;       /* per node: how often used (saturating) */
	uint32_t n_junctions;
	VEC(bedge) edges;
	VEC(int32_t) pts;
	VEC(uint32_t) cdur;
	VEC(uint32_t) cdist;
	VEC(int64_t) pid; /* OSM node id per point */
} builder;

static int emit_edge(builder *b, uint32_t way, const uint32_t *nodes, uint32_t cnt)
{
	const oway *w = &b->r->ways.a[way];
	bedge e = {b->junction[nodes[0]], b->junction[nodes[cnt - 1]], (uint32_t)b->cdur.n, cnt,
	           way};
	double dur = 0, dist = 0;
	double mps = w->speed_kmh / 3.6;
	for (uint32_t i = 0; i < cnt; i++) {
		const onode *nd = &b->r->nodes.a[nodes[i]];
		if (i > 0) {
			const onode *pv = &b->r->nodes.a[nodes[i - 1]];
			double m = sl_route_haversine_m(pv->lon / 1e7, pv->lat / 1e7, nd->lon / 1e7,
			                                nd->lat / 1e7);
			dist += m * 10;
			dur += m / mps * 10;
		}
		uint32_t cd = (uint32_t)llround(dur), cl = (uint32_t)llround(dist);
		if (i == cnt - 1 && cd == 0)
			cd = 1; /* every edge costs something */
		if (VEC_PUSH(b->pts, nd->lon) < 0 || VEC_PUSH(b->pts, nd->lat) < 0 ||
		    VEC_PUSH(b->cdur, cd) < 0 || VEC_PUSH(b->cdist, cl) < 0 ||
		    VEC_PUSH(b->pid, nd->id) < 0)
			return SL_ENOMEM;
	}
	if (dur > 4e8 || dist > 4e8)
		return SL_EINVAL;
	return VEC_PUSH(b->edges, e);
}

static int cut_ways(builder *b)
{
	reader *r = b->r;
	uint32_t *run = NULL;
	size_t run_cap = 0;
	int rc = 0;
	for (size_t wi = 0; wi < r->ways.n && rc == 0; wi++) {
		const oway *w = &r->ways.a[wi];
		uint32_t n = 0;
		if (w->ref_count > run_cap) {
			free(run);
			run_cap = w->ref_count;
			run = malloc(run_cap * sizeof *run);
			if (!run)
				return SL_ENOMEM;
		}
		for (uint32_t i = 0; i <= w->ref_count && rc == 0; i++) {
			uint32_t nd = i < w->ref_count ? b->ref_node[w->ref_first + i] : RG_NONE;
			if (nd != RG_NONE && n > 0 && run[n - 1] == nd)
				continue; /* a repeated node adds nothing */
			if (nd != RG_NONE) {
				run[n++] = nd;
				if (n >= 2 && b->junction[nd] != RG_NONE) {
					rc = emit_edge(b, (uint32_t)wi, run, n);
					run[0] = nd;
					n = 1;
				}
				continue;
			}
			n = 0; /* a missing node or the way's end */
		}
	}
	free(run);
	return rc;
}

/* Write the kept part (the largest component) into d, renumbered. */
static int cmp_pair(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;
	return x[0] != y[0] ? (x[0] > y[0]) - (x[0] < y[0]) : (x[1] > y[1]) - (x[1] < y[1]);
}

/* eb[0..neb) are the directed edges, eb[neb..neb_all) their duplicates
 * for restrictions via a way. */
static int emit_data(const builder *b, const ebn_info *eb, uint32_t neb_orig, uint32_t neb,
                     const uint32_t *newid, uint32_t nk, const uint32_t *eb_off,
                     const uint32_t *eb_tgt, rg_data *d)
{
	const sl_route_profile *p = b->p;
	size_t ne = b->edges.n;
	uint32_t *edge_new = malloc((ne + 1) * sizeof *edge_new);
	if (!edge_new)
		return SL_ENOMEM;
	for (size_t i = 0; i < ne; i++)
		edge_new[i] = RG_NONE;
	uint32_t n_edges = 0, n_points = 0;
	for (uint32_t i = 0; i < neb; i++)
		if (newid[i] != RG_NONE && edge_new[eb[i].edge] == RG_NONE) {
			edge_new[eb[i].edge] = 0;
		}
	for (size_t i = 0; i < ne; i++)
		if (edge_new[i] == 0) {
			edge_new[i] = n_edges++;
			n_points += b->edges.a[i].count;
		}
	uint32_t n_arcs = 0;
	for (uint32_t i = 0; i < neb; i++)
		if (newid[i] != RG_NONE)
			for (uint32_t a = eb_off[i]; a < eb_off[i + 1]; a++)
				n_arcs += newid[eb_tgt[a]] != RG_NONE;
	memset(d, 0, sizeof *d);
	d->n_nodes = nk;
	d->n_edges = n_edges;
	d->n_points = n_points;
	d->n_arcs = n_arcs;
	d->pts = malloc(2 * (size_t)n_points * sizeof *d->pts + 8);
	d->cum_dur = malloc((size_t)n_points * sizeof *d->cum_dur + 4);
	d->cum_dist = malloc((size_t)n_points * sizeof *d->cum_dist + 4);
	d->pt_edge = malloc((size_t)n_points * sizeof *d->pt_edge + 4);
	d->edges = malloc((size_t)n_edges * sizeof *d->edges + 4);
	d->node_edge = malloc((size_t)nk * sizeof *d->node_edge + 4);
	d->orig_off = malloc(((size_t)nk + 1) * sizeof *d->orig_off);
	d->orig_tgt = malloc((size_t)n_arcs * sizeof *d->orig_tgt + 4);
	d->pt_osm = malloc((size_t)n_points * sizeof *d->pt_osm + 8);
	d->edge_name = malloc(2 * (size_t)n_edges * sizeof *d->edge_name + 8);
	const reader *r = b->r;
	d->n_strings = r->soff.n ? (uint32_t)r->soff.n : 1;
	d->n_chars = r->soff.n ? (uint32_t)r->chars.n : 1;
	d->str_off = malloc(((size_t)d->n_strings + 1) * sizeof *d->str_off);
	d->str = malloc((size_t)d->n_chars + 8);
	if (!d->pts || !d->cum_dur || !d->cum_dist || !d->pt_edge || !d->edges || !d->node_edge ||
	    !d->orig_off || !d->orig_tgt || !d->pt_osm || !d->edge_name || !d->str_off ||
	    !d->str) {
		free(edge_new);
		rg_data_free(d);
		return SL_ENOMEM;
	}
	if (r->soff.n) {
		memcpy(d->str_off, r->soff.a, r->soff.n * sizeof *d->str_off);
		memcpy(d->str, r->chars.a, r->chars.n);
	} else
		d->str_off[0] = 0, d->str[0] = 0;
	d->str_off[d->n_strings] = d->n_chars;
	d->min_lon = d->min_lat = INT32_MAX;
	d->max_lon = d->max_lat = INT32_MIN;
	uint32_t pt = 0;
	for (size_t i = 0; i < ne; i++) {
		if (edge_new[i] == RG_NONE)
			continue;
		const bedge *e = &b->edges.a[i];
		rg_edge *o = &d->edges[edge_new[i]];
		o->first = pt;
		o->count = e->count;
		o->ebn[0] = o->ebn[1] = RG_NONE;
		const oway *w = &b->r->ways.a[e->way];
		o->factor = w->flags & RG_EF_DEST ? (uint32_t)p->destination_factor : 1;
		o->flags = w->flags;
		d->edge_name[2 * edge_new[i]] = w->name;
		d->edge_name[2 * edge_new[i] + 1] = w->ref;
		for (uint32_t k = 0; k < e->count; k++, pt++) {
			int32_t lon = b->pts.a[2 * (e->first + k)],
			        lat = b->pts.a[2 * (e->first + k) + 1];
			d->pts[2 * pt] = lon;
			d->pts[2 * pt + 1] = lat;
			d->cum_dur[pt] = b->cdur.a[e->first + k];
			d->cum_dist[pt] = b->cdist.a[e->first + k];
			d->pt_edge[pt] = edge_new[i];
			d->pt_osm[pt] = b->pid.a[e->first + k];
			if (lon < d->min_lon)
				d->min_lon = lon;
			if (lon > d->max_lon)
				d->max_lon = lon;
			if (lat < d->min_lat)
				d->min_lat = lat;
			if (lat > d->max_lat)
				d->max_lat = lat;
		}
	}
	d->dups = malloc(2 * (size_t)(neb - neb_orig) * sizeof *d->dups + 8);
	if (!d->dups) {
		free(edge_new);
		rg_data_free(d);
		return SL_ENOMEM;
	}
	uint32_t na = 0;
	for (uint32_t i = 0; i < neb; i++) {
		uint32_t id = newid[i];
		if (id == RG_NONE)
			continue;
		uint32_t en = edge_new[eb[i].edge];
		/* a duplicate is listed against the kept original (or becomes the
		 * edge's node when the original was dropped) */
		if (i < neb_orig || d->edges[en].ebn[eb[i].rev] == RG_NONE)
			d->edges[en].ebn[eb[i].rev] = id;
		else {
			d->dups[2 * d->n_dups] = d->edges[en].ebn[eb[i].rev];
			d->dups[2 * d->n_dups + 1] = id;
			d->n_dups++;
		}
		d->node_edge[id] = en << 1 | eb[i].rev;
		d->orig_off[id] = na;
		for (uint32_t a = eb_off[i]; a < eb_off[i + 1]; a++)
			if (newid[eb_tgt[a]] != RG_NONE)
				d->orig_tgt[na++] = newid[eb_tgt[a]];
	}
	d->orig_off[nk] = na;
	qsort(d->dups, d->n_dups, 2 * sizeof *d->dups, cmp_pair);
	snprintf(d->profile, sizeof d->profile, "%s", p->name);
	d->uturn_ds = (uint32_t)llround(p->u_turn_penalty_s * 10);
	free(edge_new);
	return 0;
}

/* Restrictions via a way ("from" way F, "via" way V, "to" way T).  Turn
 * arcs only see two directed edges, so a rule about three needs state: the
 * directed edge v of V that joins F to T gets a duplicate v', the turns
 * from F into v go to v' instead, and v' has v's turns minus those into T
 * (no_*) or only those into T (only_*).  A route that reaches v from
 * elsewhere keeps every turn.  Supported when V is one edge between the
 * junction with F and the junction with T; others are counted as skipped. */
typedef struct vw_rule {
	uint32_t dup, to_way;
	int only;
} vw_rule;

typedef struct vw_redirect {
	uint64_t key; /* in << 32 | original */
	uint32_t dup;
} vw_redirect;

static int cmp_rule(const void *a, const void *b)
{
	const vw_rule *x = a, *y = b;
	return (x->dup > y->dup) - (x->dup < y->dup);
}

static int cmp_redirect(const void *a, const void *b)
{
	const vw_redirect *x = a, *y = b;
	return (x->key > y->key) - (x->key < y->key);
}

typedef struct vw_state {
	vw_rule *rules;
	size_t n_rules;
	vw_redirect *red;
	size_t n_red;
	uint32_t *dup_orig; /* per duplicate: its original */
	uint32_t n_dups;
} vw_state;

static int via_ways(const reader *r, const builder *b, const uint32_t *worder, ebn_info *eb,
                    uint32_t neb, const uint32_t *in_off, const uint32_t *in_l,
                    const uint32_t *out_off, const uint32_t *out_l, vw_state *vs,
                    sl_route_build_stats *st)
{
	size_t ne = b->edges.n, nw = r->ways.n, nr = r->restr.n;
	uint32_t *wedge = calloc(nw + 2, sizeof *wedge), *edge_eb = malloc((2 * ne + 1) * 4);
	vs->rules = malloc((nr + 1) * sizeof *vs->rules);
	vs->red = malloc((4 * nr + 1) * sizeof *vs->red);
	vs->dup_orig = malloc((nr + 1) * sizeof *vs->dup_orig);
	int rc = SL_ENOMEM;
	if (!wedge || !edge_eb || !vs->rules || !vs->red || !vs->dup_orig)
		goto out;
	/* edges are cut way by way, so a way's edges are contiguous */
	for (size_t i = 0; i < ne; i++)
		wedge[b->edges.a[i].way + 1]++;
	for (size_t w = 0; w < nw; w++)
		wedge[w + 1] += wedge[w];
	for (size_t i = 0; i < 2 * ne; i++)
		edge_eb[i] = RG_NONE;
	for (uint32_t i = 0; i < neb; i++)
		edge_eb[2 * eb[i].edge + eb[i].rev] = i;
#define WAY_OF(n) (b->edges.a[eb[n].edge].way)
	for (size_t ri = 0; ri < nr; ri++) {
		const orestr *o = &r->restr.a[ri];
		if (!o->via_way)
			continue;
		uint32_t fw = way_index(r->ways.a, worder, nw, o->from);
		uint32_t vw = way_index(r->ways.a, worder, nw, o->via);
		uint32_t tw = way_index(r->ways.a, worder, nw, o->to);
		int used = 0;
		if (fw == RG_NONE || vw == RG_NONE || tw == RG_NONE || fw == vw || tw == vw)
			goto done;
		for (uint32_t e = wedge[vw]; e < wedge[vw + 1] && !used; e++)
			for (int rev = 0; rev < 2 && !used; rev++) {
				uint32_t v = edge_eb[2 * e + (uint32_t)rev];
				if (v == RG_NONE)
					continue;
				uint32_t jt = eb[v].tail, jh = eb[v].head, dup = RG_NONE;
				int to_ok = 0;
				for (uint32_t c = out_off[jh]; c < out_off[jh + 1]; c++)
					to_ok |= WAY_OF(out_l[c]) == tw;
				if (!to_ok)
					continue;
				for (uint32_t a = in_off[jt]; a < in_off[jt + 1]; a++) {
					uint32_t f = in_l[a];
					if (WAY_OF(f) != fw || eb[f].edge == e)
						continue;
					uint64_t key = (uint64_t)f << 32 | v;
					size_t k;
					for (k = 0; k < vs->n_red && vs->red[k].key != key; k++)
						;
					if (k < vs->n_red) { /* F into v already duplicated */
						if (dup == RG_NONE)
							dup = vs->red[k].dup;
						continue;
					}
					if (dup == RG_NONE) {
						dup = neb + vs->n_dups;
						vs->dup_orig[vs->n_dups++] = v;
						eb[dup] = eb[v];
					}
					if (vs->n_red < 4 * nr)
						vs->red[vs->n_red++] = (vw_redirect){key, dup};
				}
				if (dup != RG_NONE) {
					vs->rules[vs->n_rules++] = (vw_rule){dup, tw, o->only};
					used = 1;
				}
			}
	done:
		if (used)
			st->restrictions_used++;
		else
			st->restrictions_skipped++;
	}
#undef WAY_OF
	qsort(vs->rules, vs->n_rules, sizeof *vs->rules, cmp_rule);
	qsort(vs->red, vs->n_red, sizeof *vs->red, cmp_redirect);
	rc = 0;
out:
	free(wedge);
	free(edge_eb);
	return rc;
}

/* May the duplicate `in` turn into `o` (its via-way rules)? */
static int vw_allows(const vw_state *vs, uint32_t in, uint32_t to_way)
{
	vw_rule key = {in, 0, 0};
	const vw_rule *x = bsearch(&key, vs->rules, vs->n_rules, sizeof key, cmp_rule);
	if (!x)
		return 1;
	while (x > vs->rules && x[-1].dup == in)
		x--;
	int any_only = 0, ok_only = 0;
	for (; x < vs->rules + vs->n_rules && x->dup == in; x++) {
		if (x->only) {
			any_only = 1;
			ok_only |= x->to_way == to_way;
		} else if (x->to_way == to_way)
			return 0;
	}
	return !any_only || ok_only;
}

static int build_graph(reader *r, rg_data *d, sl_error *err)
{
	const sl_route_profile *p = r->p;
	sl_route_build_stats *st = r->st;
	builder b = {0};
	b.r = r;
	b.p = p;
	int rc = SL_ENOMEM;
	uint32_t *worder = NULL, *wtmp = NULL, *out_off = NULL, *in_off = NULL, *out_l = NULL,
	         *in_l = NULL, *comp = NULL, *newid = NULL, *eb_off = NULL, *eb_tgt = NULL,
	         *fill = NULL;
	uint8_t *jblocked = NULL;
	ebn_info *eb = NULL;
	uint64_t *forbid = NULL;
	only_rule *only = NULL;
	size_t n_forbid = 0, n_only = 0;
	vw_state vs = {0};

	if (r->unsorted)
		qsort(r->nodes.a, r->nodes.n, sizeof *r->nodes.a, cmp_node);
	if (r->blocked.n)
		qsort(r->blocked.a, r->blocked.n, sizeof(int64_t), cmp_i64);
	size_t nn = r->nodes.n;
	b.ref_node = malloc((r->refs.n + 1) * sizeof *b.ref_node);
	b.junction = malloc((nn + 1) * sizeof *b.junction);
	b.use = calloc(nn + 1, 1);
	if (!b.ref_node || !b.junction || !b.use)
		goto out;
	for (size_t i = 0; i < r->refs.n; i++)
		b.ref_node[i] = node_index(r, r->refs.a[i]);
	for (size_t wi = 0; wi < r->ways.n; wi++) {
		const oway *w = &r->ways.a[wi];
		for (uint32_t i = 0; i < w->ref_count; i++) {
			uint32_t nd = b.ref_node[w->ref_first + i];
			if (nd == RG_NONE)
				continue;
			int end = i == 0 || i == w->ref_count - 1 ||
			          b.ref_node[w->ref_first + i - 1] == RG_NONE ||
			          b.ref_node[w->ref_first + i + 1] == RG_NONE;
			unsigned u = b.use[nd] + (end ? 2u : 1u);
			b.use[nd] = (uint8_t)(u > 200 ? 200 : u);
		}
	}
	for (size_t i = 0; i < r->blocked.n; i++) {
		uint32_t nd = node_index(r, r->blocked.a[i]);
		if (nd != RG_NONE && b.use[nd]) {
			b.use[nd] = 255; /* marks a blocking barrier; also a junction */
			st->barriers_blocking++;
		}
	}
	for (size_t i = 0; i < r->restr.n; i++) {
		if (r->restr.a[i].via_way)
			continue;
		uint32_t nd = node_index(r, r->restr.a[i].via);
		if (nd != RG_NONE && b.use[nd])
			b.use[nd] = b.use[nd] < 2 ? 2 : b.use[nd];
	}
	for (size_t i = 0; i < nn; i++)
		b.junction[i] = b.use[i] >= 2 ? b.n_junctions++ : RG_NONE;
	jblocked = calloc(b.n_junctions + 1, 1);
	if (!jblocked)
		goto out;
	for (size_t i = 0; i < nn; i++)
		if (b.use[i] == 255)
			jblocked[b.junction[i]] = 1;
	rc = cut_ways(&b);
	if (rc)
		goto out;
	if (b.edges.n == 0) {
		rc = sl_error_set(err, SL_EINVAL, "no routable road for profile '%s' in this file",
		                  p->name);
		goto out;
	}
	st->edges = b.edges.n;
	rc = SL_ENOMEM;

	/* edge-based nodes */
	size_t ne = b.edges.n;
	size_t n_viaway = 0;
	for (size_t i = 0; i < r->restr.n; i++)
		n_viaway += r->restr.a[i].via_way != 0;
	eb = malloc((2 * ne + n_viaway + 1) * sizeof *eb);
	if (!eb)
		goto out;
	uint32_t neb = 0;
	for (size_t i = 0; i < ne; i++) {
		const bedge *e = &b.edges.a[i];
		const oway *w = &r->ways.a[e->way];
		if (w->fwd)
			eb[neb++] = (ebn_info){(uint32_t)i, 0, e->u, e->v};
		if (w->bwd)
			eb[neb++] = (ebn_info){(uint32_t)i, 1, e->v, e->u};
	}
	/* out/in lists per junction */
	uint32_t nj = b.n_junctions;
	out_off = calloc(nj + 2, sizeof *out_off);
	in_off = calloc(nj + 2, sizeof *in_off);
	out_l = malloc((neb + 1) * sizeof *out_l);
	in_l = malloc((neb + 1) * sizeof *in_l);
	fill = malloc((nj + 1) * sizeof *fill);
	if (!out_off || !in_off || !out_l || !in_l || !fill)
		goto out;
	for (uint32_t i = 0; i < neb; i++) {
		out_off[eb[i].tail + 1]++;
		in_off[eb[i].head + 1]++;
	}
	for (uint32_t j = 0; j < nj; j++) {
		out_off[j + 1] += out_off[j];
		in_off[j + 1] += in_off[j];
	}
	memcpy(fill, out_off, nj * sizeof *fill);
	for (uint32_t i = 0; i < neb; i++)
		out_l[fill[eb[i].tail]++] = i;
	memcpy(fill, in_off, nj * sizeof *fill);
	for (uint32_t i = 0; i < neb; i++)
		in_l[fill[eb[i].head]++] = i;

	/* restrictions → forbidden (in, out) pairs and only-rules */
	worder = malloc((r->ways.n + 1) * sizeof *worder);
	wtmp = malloc((r->ways.n + 1) * sizeof *wtmp);
	forbid = malloc((r->restr.n * 16 + 1) * sizeof *forbid);
	only = malloc((r->restr.n * 4 + 1) * sizeof *only);
	if (!worder || !wtmp || !forbid || !only)
		goto out;
	for (uint32_t i = 0; i < r->ways.n; i++)
		worder[i] = i;
	sort_way_order(r->ways.a, worder, wtmp, r->ways.n);
	for (size_t i = 0; i < r->restr.n; i++) {
		const orestr *o = &r->restr.a[i];
		if (o->via_way)
			continue;
		uint32_t nd = node_index(r, o->via);
		uint32_t fw = way_index(r->ways.a, worder, r->ways.n, o->from);
		uint32_t tw = way_index(r->ways.a, worder, r->ways.n, o->to);
		uint32_t j = nd == RG_NONE ? RG_NONE : b.junction[nd];
		if (j == RG_NONE || fw == RG_NONE || tw == RG_NONE) {
			st->restrictions_skipped++;
			continue;
		}
		int used = 0;
		for (uint32_t a = in_off[j]; a < in_off[j + 1]; a++) {
			uint32_t in = in_l[a];
			if (b.edges.a[eb[in].edge].way != fw)
				continue;
			if (o->only) {
				if (n_only < r->restr.n * 4) {
					only[n_only++] = (only_rule){in, tw};
					used = 1;
				}
				continue;
			}
			for (uint32_t c = out_off[j]; c < out_off[j + 1]; c++) {
				uint32_t outn = out_l[c];
				if (b.edges.a[eb[outn].edge].way == tw &&
				    n_forbid < r->restr.n * 16) {
					forbid[n_forbid++] = (uint64_t)in << 32 | outn;
					used = 1;
				}
			}
		}
		if (used)
			st->restrictions_used++;
		else
			st->restrictions_skipped++;
	}
	qsort(forbid, n_forbid, sizeof *forbid, cmp_u64);
	qsort(only, n_only, sizeof *only, cmp_only);
	if (n_viaway && via_ways(r, &b, worder, eb, neb, in_off, in_l, out_off, out_l, &vs, st) < 0)
		goto out;
	uint32_t neb_all = neb + vs.n_dups;

	/* turns; a duplicate (in >= neb) turns as its original, minus its
	 * via-way rules */
	VEC(uint64_t) arcs = {0};
	for (uint32_t in = 0; in < neb_all; in++) {
		uint32_t j = eb[in].head, base = in < neb ? in : vs.dup_orig[in - neb];
		size_t before = arcs.n;
		uint32_t uturn = RG_NONE;
		size_t ol = 0, oh = n_only;
		while (ol < oh) {
			size_t m = (ol + oh) / 2;
			if (only[m].in < base)
				ol = m + 1;
			else
				oh = m;
		}
		int has_only = ol < n_only && only[ol].in == base;
		for (uint32_t c = out_off[j]; c < out_off[j + 1]; c++) {
			uint32_t o = out_l[c];
			int is_uturn = eb[o].edge == eb[in].edge && eb[o].rev != eb[in].rev;
			if (is_uturn)
				uturn = o;
			/* (the same edge in the same direction: round a closed way) */
			if (jblocked[j] && !is_uturn)
				continue; /* a barrier: only turning back */
			uint64_t key = (uint64_t)base << 32 | o;
			if (n_forbid && bsearch(&key, forbid, n_forbid, sizeof *forbid, cmp_u64))
				continue;
			if (has_only && !(is_uturn && jblocked[j])) {
				int ok = 0;
				for (size_t q = ol; q < n_only && only[q].in == base; q++)
					if (b.edges.a[eb[o].edge].way == only[q].to_way)
						ok = 1;
				if (!ok)
					continue;
			}
			if (in >= neb && !vw_allows(&vs, in, b.edges.a[eb[o].edge].way) &&
			    !(is_uturn && jblocked[j]))
				continue;
			uint32_t target = o;
			if (vs.n_red) { /* from F into v: into v' instead */
				vw_redirect rk = {(uint64_t)in << 32 | o, 0};
				const vw_redirect *x =
				    bsearch(&rk, vs.red, vs.n_red, sizeof rk, cmp_redirect);
				if (x)
					target = x->dup;
			}
			if (VEC_PUSH(arcs, (uint64_t)in << 32 | target) < 0)
				goto out_arcs;
		}
		if (arcs.n == before && uturn != RG_NONE &&
		    VEC_PUSH(arcs, (uint64_t)in << 32 | uturn) < 0)
			goto out_arcs;
	}
	/* CSR of the edge-based graph */
	eb_off = calloc((size_t)neb_all + 2, sizeof *eb_off);
	eb_tgt = malloc((arcs.n + 1) * sizeof *eb_tgt);
	comp = malloc(((size_t)neb_all + 1) * sizeof *comp);
	newid = malloc(((size_t)neb_all + 1) * sizeof *newid);
	if (!eb_off || !eb_tgt || !comp || !newid)
		goto out_arcs;
	for (size_t i = 0; i < arcs.n; i++) {
		eb_off[(arcs.a[i] >> 32) + 1]++;
		eb_tgt[i] = (uint32_t)arcs.a[i];
	}
	for (uint32_t i = 0; i < neb_all; i++)
		eb_off[i + 1] += eb_off[i];
	free(arcs.a);
	arcs.a = NULL;
	if (r->prog)
		r->prog(r->pu, "graph", 0.5);
	uint32_t best = largest_scc(neb_all, eb_off, eb_tgt, comp);
	if (best == RG_NONE)
		goto out;
	uint32_t nk = 0;
	for (uint32_t i = 0; i < neb_all; i++)
		newid[i] = comp[i] == best ? nk++ : RG_NONE;
	st->nodes = nk;
	st->nodes_dropped = neb_all - nk;
	rc = emit_data(&b, eb, neb, neb_all, newid, nk, eb_off, eb_tgt, d);
	st->arcs = d->n_arcs;
	goto out;
out_arcs:
	free(arcs.a);
	rc = SL_ENOMEM;
out:
	free(b.ref_node);
	free(b.junction);
	free(b.use);
	free(jblocked);
	free(worder);
	free(wtmp);
	free(out_off);
	free(in_off);
	free(out_l);
	free(in_l);
	free(comp);
	free(newid);
	free(eb_off);
	free(eb_tgt);
	free(fill);
	free(eb);
	free(forbid);
	free(only);
	free(vs.rules);
	free(vs.red);
	free(vs.dup_orig);
	free(b.edges.a);
	free(b.pts.a);
	free(b.cdur.a);
	free(b.cdist.a);
	free(b.pid.a);
	if (rc == SL_ENOMEM)
		sl_error_set(err, rc, "out of memory while building the graph");
	return rc;
}

static const char *readosm_reason(int rc)
{
	switch (rc) {
	case READOSM_INVALID_SUFFIX: return "the file name must end in .osm or .pbf";
	case READOSM_FILE_NOT_FOUND: return "cannot open the file";
	case READOSM_INSUFFICIENT_MEMORY: return "out of memory";
	case READOSM_READ_ERROR: return "read error (truncated file?)";
	case READOSM_XML_ERROR: return "not a valid OSM XML file";
	case READOSM_INVALID_PBF_HEADER: return "not a valid OSM PBF file (bad block header)";
	case READOSM_UNZIP_ERROR: return "damaged PBF block (cannot decompress)";
	default: return "cannot parse the OSM file";
	}
}

static int xml_precheck(const char *path, sl_error *err)
{
	xmlTextReaderPtr r = xmlReaderForFile(path, NULL, XML_PARSE_NONET);
	if (!r)
		return sl_error_set(err, SL_EIO, "%s: cannot open", path);
	int rc = 0, ret, checked_encoding = 0;
	while ((ret = xmlTextReaderRead(r)) == 1 && rc == 0) {
		if (!checked_encoding) {
			/* libreadosm's expat knows UTF-8, UTF-16, Latin-1 and ASCII and
			 * leaks its parser on anything else (UTF-7 found by fuzzing);
			 * OSM XML is UTF-8 */
			const char *enc = (const char *)xmlTextReaderConstEncoding(r);
			checked_encoding = 1;
			if (enc && strcasecmp(enc, "UTF-8") && strcasecmp(enc, "UTF8") &&
			    strcasecmp(enc, "US-ASCII") && strcasecmp(enc, "ASCII") &&
			    strcasecmp(enc, "ISO-8859-1")) {
				rc = sl_error_at(err, SL_EINVAL, path, 1, 0,
				                 "XML encoding '%.30s' is not supported (OSM XML is "
				                 "UTF-8)",
				                 enc);
				break;
			}
		}
		if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT)
			continue;
		const char *name = (const char *)xmlTextReaderConstLocalName(r);
		const char *need[3] = {NULL, NULL, NULL};
		if (strcmp(name, "tag") == 0)
			need[0] = "k", need[1] = "v";
		else if (strcmp(name, "member") == 0)
			need[0] = "type", need[1] = "ref", need[2] = "role";
		else if (strcmp(name, "nd") == 0)
			need[0] = "ref";
		for (int i = 0; i < 3 && need[i] && rc == 0; i++) {
			xmlChar *v = xmlTextReaderGetAttribute(r, (const xmlChar *)need[i]);
			if (!v)
				rc = sl_error_at(err, SL_EINVAL, path,
				                 xmlTextReaderGetParserLineNumber(r),
				                 xmlTextReaderGetParserColumnNumber(r),
				                 "<%s> without the '%s' attribute", name, need[i]);
			xmlFree(v);
		}
	}
	if (rc == 0 && ret < 0)
		rc = sl_error_at(err, SL_EINVAL, path, xmlTextReaderGetParserLineNumber(r), 0,
		                 "not a well-formed OSM XML file");
	xmlFreeTextReader(r);
	return rc;
}

static int varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; *p < end && shift < 64; shift += 7) {
		unsigned char c = *(*p)++;
		*v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return 0;
	}
	return -1;
}

/* Walk the PBF framing (OSM wiki, "PBF Format": a 4-byte big-endian
 * BlobHeader length, at most 64 KiB; the BlobHeader's datasize, at most
 * 32 MiB) before libreadosm sees the file: libreadosm allocates whatever
 * sizes a file declares, so a damaged file could ask for gigabytes. */
static int pbf_precheck(const char *path, sl_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return sl_error_set(err, SL_EIO, "%s: cannot open", path);
	unsigned char hb[65536];
	int rc = 0;
	long pos = 0;
	for (int blocks = 0;; blocks++) {
		unsigned char l4[4];
		size_t got = fread(l4, 1, 4, f);
		if (got == 0 && blocks > 0)
			break;
		if (got != 4) {
			rc = sl_error_set(err, SL_EINVAL, "%s: not a valid OSM PBF file (%s at byte %ld)",
			                  path, blocks ? "truncated block" : "empty file", pos);
			break;
		}
		uint32_t hl = (uint32_t)l4[0] << 24 | (uint32_t)l4[1] << 16 | (uint32_t)l4[2] << 8 | l4[3];
		if (hl == 0 || hl > sizeof hb || fread(hb, 1, hl, f) != hl) {
			rc = sl_error_set(err, SL_EINVAL,
			                  "%s: not a valid OSM PBF file (bad block header at byte %ld)",
			                  path, pos);
			break;
		}
		const unsigned char *p = hb, *end = hb + hl;
		uint64_t datasize = UINT64_MAX, key, v;
		while (p < end && rc == 0) {
			if (varint(&p, end, &key) < 0)
				rc = -1;
			else if ((key & 7) == 0) {
				if (varint(&p, end, &v) < 0)
					rc = -1;
				else if (key >> 3 == 3)
					datasize = v;
			} else if ((key & 7) == 2) {
				if (varint(&p, end, &v) < 0 || v > (uint64_t)(end - p))
					rc = -1;
				else
					p += v;
			} else
				rc = -1;
		}
		if (rc || datasize > 32u * 1024 * 1024 ||
		    fseek(f, (long)datasize, SEEK_CUR) != 0) {
			rc = sl_error_set(err, SL_EINVAL,
			                  "%s: not a valid OSM PBF file (bad block header at byte %ld)",
			                  path, pos);
			break;
		}
		pos += 4 + (long)hl + (long)datasize;
	}
	if (rc == 0) {
		fseek(f, 0, SEEK_END);
		if (ftell(f) != pos)
			rc = sl_error_set(err, SL_EINVAL, "%s: truncated OSM PBF file (%ld of %ld bytes)",
			                  path, ftell(f), pos);
	}
	fclose(f);
	return rc;
}

int rg_import(const char *path, const sl_route_profile *p, rg_data *d, sl_route_build_stats *st,
              sl_route_progress_fn prog, void *pu, sl_error *err)
{
	reader r = {0};
	r.p = p;
	r.st = st;
	r.prog = prog;
	r.pu = pu;
	const void *h = NULL;
	size_t plen = strlen(path);
	if (plen > 4 && strcmp(path + plen - 4, ".osm") == 0) {
		int xr = xml_precheck(path, err);
		if (xr)
			return xr;
	} else if (plen > 4 && strcmp(path + plen - 4, ".pbf") == 0) {
		int pr = pbf_precheck(path, err);
		if (pr)
			return pr;
	}
	int rc = readosm_open(path, &h);
	if (rc == READOSM_OK)
		rc = readosm_parse(h, &r, on_node, on_way, on_relation);
	if (h)
		readosm_close(h);
	if (r.oom || rc == READOSM_INSUFFICIENT_MEMORY)
		rc = sl_error_set(err, SL_ENOMEM, "%s: out of memory", path);
	else if (rc == READOSM_FILE_NOT_FOUND)
		rc = sl_error_set(err, SL_EIO, "%s: %s", path, readosm_reason(rc));
	else if (rc != READOSM_OK)
		rc = sl_error_set(err, SL_EINVAL, "%s: %s", path, readosm_reason(rc));
	else if (r.ways.n == 0)
		rc = sl_error_set(err, SL_EINVAL, "%s: no routable way for profile '%s'", path,
		                  p->name);
	if (rc == 0) {
		if (prog)
			prog(pu, "read", 1.0);
		rc = build_graph(&r, d, err);
		if (rc == 0 && prog)
			prog(pu, "graph", 1.0);
	}
	free(r.nodes.a);
	free(r.blocked.a);
	free(r.ways.a);
	free(r.refs.a);
	free(r.restr.a);
	free(r.chars.a);
	free(r.soff.a);
	free(r.ht);
	return rc;
}
