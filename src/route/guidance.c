/* guidance.c — what a route looks like to a driver: the trace of points
 * with cumulative costs (for geometry, per-segment annotations and step
 * lengths), turn-by-turn steps, and line simplification.
 *
 * Trace.  A route is a sequence of directed edges (edge-based nodes) from a
 * snapped source to a snapped target.  Each edge is walked in its travel
 * direction and every point gets the cost travelled so far, computed with
 * the same integer arithmetic as the search (partial edges as in
 * rg_phantom_make, the U-turn penalty where a route turns back), so the
 * per-segment costs add up exactly to what the query reported.
 *
 * Steps.  OSRM's model (HTTP API v5, RouteStep and StepManeuver objects):
 * a step is a maneuver followed by travel along one road.  A new step
 * starts where the street name or ref changes, where the route makes a
 * real turn at a junction that offers a choice, at a U-turn, on and off
 * ramps and at roundabouts (one step from the entry, with the exit number,
 * named after the road taken out of it).  The turn's modifier comes from
 * the angle between the bearings before and after the junction.  Our own
 * simple rules, not OSRM's guidance code: no lanes, no "fork" or "use
 * lane", no merging of short steps.
 *
 * Simplification: Douglas and Peucker, "Algorithms for the reduction of
 * the number of points required to represent a digitized line or its
 * caricature", Canadian Cartographer 10(2), 1973, in a local metric frame. */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEG (3.14159265358979323846 / 180)

void rg_trace_free(rg_trace *t)
{
	free(t->p);
	free(t->pc);
	memset(t, 0, sizeof *t);
}

static int add_point(rg_trace *t, double lon, double lat, uint32_t dur, uint32_t dist, uint32_t w,
                     int64_t osm)
{
	if (t->n && t->p[t->n - 1].lon == lon && t->p[t->n - 1].lat == lat) {
		rg_tpt *q = &t->p[t->n - 1]; /* the same place: keep one point */
		q->dur = dur, q->dist = dist, q->w = w;
		if (osm)
			q->osm = osm;
		return 0;
	}
	if (t->n == t->cap) {
		size_t nc = t->cap ? 2 * t->cap : 64;
		rg_tpt *np = realloc(t->p, nc * sizeof *np);
		if (!np)
			return SL_ENOMEM;
		t->p = np;
		t->cap = nc;
	}
	t->p[t->n++] = (rg_tpt){lon, lat, dur, dist, w, osm};
	return 0;
}

static int add_piece(rg_trace *t, uint32_t node, size_t first)
{
	if (t->npc == t->pccap) {
		size_t nc = t->pccap ? 2 * t->pccap : 16;
		rg_piece *np = realloc(t->pc, nc * sizeof *np);
		if (!np)
			return SL_ENOMEM;
		t->pc = np;
		t->pccap = nc;
	}
	t->pc[t->npc++] = (rg_piece){node, (uint32_t)first, (uint32_t)first};
	return 0;
}

/* Offsets (ds, dm) of a snapped point from its edge's first point, as
 * rg_phantom_make computes them. */
static void snap_offset(const rg_data *d, const sl_route_snap *s, uint32_t *dur, uint32_t *dist)
{
	uint32_t i = s->segment;
	double t = s->t >= 0 ? (s->t > 1 ? 1 : s->t) : 0;
	*dur = d->cum_dur[i] + (uint32_t)llround(t * (d->cum_dur[i + 1] - d->cum_dur[i]));
	*dist = d->cum_dist[i] + (uint32_t)llround(t * (d->cum_dist[i + 1] - d->cum_dist[i]));
}

int rg_trace_append(const rg_data *d, rg_trace *t, const uint32_t *nodes, size_t n,
                    const sl_route_snap *from, const sl_route_snap *to)
{
	uint32_t bd = 0, bl = 0, bw = 0; /* cost at the start of the current node */
	if (t->n) {
		bd = t->p[t->n - 1].dur, bl = t->p[t->n - 1].dist, bw = t->p[t->n - 1].w;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t v = nodes[i];
		const rg_edge *e = &d->edges[d->node_edge[v] >> 1];
		int rev = d->node_edge[v] & 1;
		uint32_t first = e->first, last = e->first + e->count - 1;
		uint32_t td = d->cum_dur[last], tl = d->cum_dist[last];
		if (i > 0 && (d->node_edge[nodes[i - 1]] ^ d->node_edge[v]) == 1)
			bd += d->uturn_ds, bw += d->uturn_ds;
		/* travel offsets: a at the start of this piece, b at its end */
		uint32_t ad = 0, al = 0, ed = td, el = tl, sd, sl;
		if (i == 0) {
			snap_offset(d, from, &sd, &sl);
			ad = rev ? td - sd : sd, al = rev ? tl - sl : sl;
		}
		if (i == n - 1) {
			snap_offset(d, to, &sd, &sl);
			ed = rev ? td - sd : sd, el = rev ? tl - sl : sl;
		}
#define OFF_D(k) (rev ? td - d->cum_dur[k] : d->cum_dur[k])
#define OFF_L(k) (rev ? tl - d->cum_dist[k] : d->cum_dist[k])
		size_t start = t->n ? t->n - 1 : 0;
		if (i == 0) {
			if (add_point(t, from->lon, from->lat, bd, bl, bw, 0) < 0)
				return SL_ENOMEM;
			start = t->n - 1;
		}
		if (add_piece(t, v, start) < 0)
			return SL_ENOMEM;
		long k0, k1, step;
		if (!rev) {
			k0 = i == 0 ? (long)from->segment + 1 : (long)first;
			k1 = i == n - 1 ? (long)to->segment : (long)last;
			step = 1;
		} else {
			k0 = i == 0 ? (long)from->segment : (long)last;
			k1 = i == n - 1 ? (long)to->segment + 1 : (long)first;
			step = -1;
		}
		for (long k = k0; step > 0 ? k <= k1 : k >= k1; k += step) {
			uint32_t kk = (uint32_t)k;
			uint32_t od = OFF_D(kk), ol = OFF_L(kk);
			if (od < ad || ol < al || od > ed || ol > el)
				continue; /* (only at a snap exactly on a vertex) */
			if (add_point(t, d->pts[2 * kk] / 1e7, d->pts[2 * kk + 1] / 1e7,
			              bd + od - ad, bl + ol - al, bw + (od - ad) * e->factor,
			              d->pt_osm[kk]) < 0)
				return SL_ENOMEM;
		}
#undef OFF_D
#undef OFF_L
		uint32_t nd = bd + ed - ad, nl = bl + el - al, nw = bw + (ed - ad) * e->factor;
		if (i == n - 1 && add_point(t, to->lon, to->lat, nd, nl, nw, 0) < 0)
			return SL_ENOMEM;
		bd = nd, bl = nl, bw = nw;
		t->pc[t->npc - 1].last = (uint32_t)(t->n - 1);
	}
	return 0;
}

/* ---- steps ---------------------------------------------------------------------- */

int rg_bearing(double lon1, double lat1, double lon2, double lat2)
{
	double y = sin((lon2 - lon1) * DEG) * cos(lat2 * DEG);
	double x = cos(lat1 * DEG) * sin(lat2 * DEG) -
	           sin(lat1 * DEG) * cos(lat2 * DEG) * cos((lon2 - lon1) * DEG);
	double b = atan2(y, x) / DEG;
	int r = (int)lround(b < 0 ? b + 360 : b);
	return r >= 360 ? r - 360 : r;
}

/* Bearing of travel into trace point j (from the nearest distinct point
 * before it, not before `lo`), or -1. */
static int bearing_into(const rg_trace *t, size_t j, size_t lo)
{
	for (size_t i = j; i > lo; i--)
		if (t->p[i - 1].lon != t->p[j].lon || t->p[i - 1].lat != t->p[j].lat)
			return rg_bearing(t->p[i - 1].lon, t->p[i - 1].lat, t->p[j].lon, t->p[j].lat);
	return -1;
}

/* Bearing of travel out of trace point j (to the next distinct point, not
 * after `hi`), or -1. */
static int bearing_out(const rg_trace *t, size_t j, size_t hi)
{
	for (size_t i = j + 1; i <= hi && i < t->n; i++)
		if (t->p[i].lon != t->p[j].lon || t->p[i].lat != t->p[j].lat)
			return rg_bearing(t->p[j].lon, t->p[j].lat, t->p[i].lon, t->p[i].lat);
	return -1;
}

/* Bearing at the start of directed edge-based node v. */
static int node_bearing(const rg_data *d, uint32_t v)
{
	const rg_edge *e = &d->edges[d->node_edge[v] >> 1];
	uint32_t a = e->first, b = e->first + 1;
	if (d->node_edge[v] & 1)
		a = e->first + e->count - 1, b = a - 1;
	return rg_bearing(d->pts[2 * a] / 1e7, d->pts[2 * a + 1] / 1e7, d->pts[2 * b] / 1e7,
	                  d->pts[2 * b + 1] / 1e7);
}

/* Turn angle from bearing a to bearing b in (-180, 180], right positive. */
static int turn_angle(int a, int b)
{
	int x = ((b - a) % 360 + 360) % 360;
	return x > 180 ? x - 360 : x;
}

static const char *modifier_of(int angle, int uturn)
{
	int a = abs(angle);
	if (uturn || a > 170)
		return "uturn";
	if (a <= 20)
		return "straight";
	if (a <= 60)
		return angle > 0 ? "slight right" : "slight left";
	if (a <= 140)
		return angle > 0 ? "right" : "left";
	return angle > 0 ? "sharp right" : "sharp left";
}

static uint32_t edge_flags(const rg_data *d, uint32_t v)
{
	return d->edges[d->node_edge[v] >> 1].flags;
}

static uint32_t name_of(const rg_data *d, uint32_t v, int k)
{
	return d->edge_name[2 * (d->node_edge[v] >> 1) + (uint32_t)k];
}

typedef struct steps_out {
	rg_step *a;
	size_t n, cap;
} steps_out;

static int push_step(steps_out *o, rg_step s)
{
	if (o->n == o->cap) {
		size_t nc = o->cap ? 2 * o->cap : 16;
		rg_step *np = realloc(o->a, nc * sizeof *np);
		if (!np)
			return SL_ENOMEM;
		o->a = np;
		o->cap = nc;
	}
	o->a[o->n++] = s;
	return 0;
}

/* Fill the step's intersection at a junction entered on u and left on v:
 * the road back (enterable when turning back is allowed) and every allowed
 * turn, sorted by bearing. */
static void intersection(const rg_data *d, uint32_t u, uint32_t v, int bb, rg_step *s)
{
	int b[RG_MAX_BEARINGS];
	uint32_t id[RG_MAX_BEARINGS];
	unsigned char en[RG_MAX_BEARINGS];
	int n = 0;
	b[n] = (bb + 180) % 360, id[n] = RG_NONE, en[n] = 0; /* the road we came in on */
	n++;
	for (uint32_t a = d->orig_off[u]; a < d->orig_off[u + 1]; a++) {
		uint32_t x = d->orig_tgt[a];
		if ((d->node_edge[u] ^ d->node_edge[x]) == 1) {
			id[0] = x, en[0] = 1; /* turning back is allowed */
			continue;
		}
		if (n == RG_MAX_BEARINGS)
			continue;
		b[n] = node_bearing(d, x), id[n] = x, en[n] = 1;
		n++;
	}
	/* sort by bearing (insertion: a handful of roads) */
	int in_at = 0;
	for (int i = 1; i < n; i++)
		for (int k = i; k > 0 && b[k - 1] > b[k]; k--) {
			int tb = b[k];
			b[k] = b[k - 1], b[k - 1] = tb;
			uint32_t ti = id[k];
			id[k] = id[k - 1], id[k - 1] = ti;
			unsigned char te = en[k];
			en[k] = en[k - 1], en[k - 1] = te;
			if (in_at == k - 1)
				in_at = k;
			else if (in_at == k)
				in_at = k - 1;
		}
	s->n_bearings = n;
	s->in = in_at;
	s->out = -1;
	for (int i = 0; i < n; i++) {
		s->bearings[i] = b[i];
		s->entry[i] = en[i];
		if (id[i] == v && (s->out < 0 || i == in_at))
			s->out = i;
	}
	if (s->out < 0) /* (a duplicate for a restriction: same road) */
		for (int i = 0; i < n; i++)
			if (id[i] != RG_NONE && d->node_edge[id[i]] == d->node_edge[v])
				s->out = i;
	if (s->out < 0)
		s->out = in_at;
}

int rg_steps(const rg_data *d, const rg_trace *t, rg_step **out, size_t *n_out)
{
	steps_out o = {0};
	*out = NULL;
	*n_out = 0;
	if (t->n == 0 || t->npc == 0)
		return 0;
	uint32_t v0 = t->pc[0].node;
	rg_step dep = {.first = 0,
	               .last = t->n - 1,
	               .type = "depart",
	               .name = name_of(d, v0, 0),
	               .ref = name_of(d, v0, 1)};
	int b = bearing_out(t, 0, t->n - 1);
	dep.bearing_after = b < 0 ? 0 : b;
	dep.n_bearings = 1, dep.bearings[0] = dep.bearing_after, dep.entry[0] = 1;
	dep.in = -1, dep.out = 0;
	if (push_step(&o, dep) < 0)
		return SL_ENOMEM;
	int in_roundabout = (edge_flags(d, v0) & RG_EF_ROUNDABOUT) != 0;
	int rb_entry_bearing = 0;
	for (size_t k = 1; k < t->npc; k++) {
		uint32_t u = t->pc[k - 1].node, v = t->pc[k].node;
		if (u == v)
			continue; /* a via point on the same directed edge */
		size_t j = t->pc[k].first;
		int bb = bearing_into(t, j, t->pc[k - 1].first);
		int ba = bearing_out(t, j, t->pc[k].last);
		if (bb < 0)
			bb = node_bearing(d, u);
		if (ba < 0)
			ba = node_bearing(d, v);
		int angle = turn_angle(bb, ba);
		int uturn = (d->node_edge[u] ^ d->node_edge[v]) == 1;
		uint32_t fu = edge_flags(d, u), fv = edge_flags(d, v);
		int ru = (fu & RG_EF_ROUNDABOUT) != 0, rv = (fv & RG_EF_ROUNDABOUT) != 0;
		/* the junction's choices: allowed turns other than back */
		int choices = 0, exits_here = 0, straight_possible = 0;
		for (uint32_t a = d->orig_off[u]; a < d->orig_off[u + 1]; a++) {
			uint32_t x = d->orig_tgt[a];
			if ((d->node_edge[u] ^ d->node_edge[x]) == 1)
				continue;
			choices++;
			if (!(edge_flags(d, x) & RG_EF_ROUNDABOUT))
				exits_here = 1;
			if (abs(turn_angle(bb, node_bearing(d, x))) < 35)
				straight_possible = 1;
		}
		rg_step *cur = &o.a[o.n - 1];
		if (in_roundabout && ru) {
			cur->exit += exits_here; /* an exit passed (or the one taken) */
			if (!rv) {           /* leaving: the step goes on along the exit road */
				in_roundabout = 0;
				cur->name = name_of(d, v, 0);
				cur->ref = name_of(d, v, 1);
				if (strcmp(cur->type, "roundabout") == 0)
					cur->modifier =
					    modifier_of(turn_angle(rb_entry_bearing, ba), 0);
			}
			continue;
		}
		rg_step s = {.first = j,
		             .last = t->n - 1,
		             .bearing_before = bb,
		             .bearing_after = ba,
		             .name = name_of(d, v, 0),
		             .ref = name_of(d, v, 1)};
		intersection(d, u, v, bb, &s);
		if (rv && !uturn) {
			in_roundabout = 1;
			rb_entry_bearing = bb;
			s.type = "roundabout";
			s.modifier = modifier_of(angle, 0);
		} else {
			int renamed = s.name != cur->name || s.ref != cur->ref;
			int turned = uturn || (abs(angle) >= 35 && choices >= 2) || abs(angle) >= 100;
			if (!(fu & RG_EF_LINK) && (fv & RG_EF_LINK))
				s.type = fu & RG_EF_MOTORWAY ? "off ramp" : "on ramp";
			else if ((fu & RG_EF_LINK) && (fv & RG_EF_MOTORWAY))
				s.type = "merge";
			else if (!renamed && !turned)
				continue;
			else if (uturn)
				s.type = "continue";
			else if (!turned)
				s.type = "new name";
			else if (!renamed)
				s.type = "continue";
			else if (!straight_possible && choices >= 2 && abs(angle) >= 45)
				s.type = "end of road";
			else
				s.type = "turn";
			s.modifier = modifier_of(angle, uturn);
		}
		cur->last = j;
		if (push_step(&o, s) < 0) {
			free(o.a);
			return SL_ENOMEM;
		}
	}
	rg_step *cur = &o.a[o.n - 1];
	cur->last = t->n - 1;
	int bl = bearing_into(t, t->n - 1, 0);
	rg_step arr = {.first = t->n - 1,
	               .last = t->n - 1,
	               .type = "arrive",
	               .bearing_before = bl < 0 ? 0 : bl,
	               .name = cur->name,
	               .ref = cur->ref};
	arr.n_bearings = 1, arr.bearings[0] = (arr.bearing_before + 180) % 360, arr.entry[0] = 1;
	arr.in = 0, arr.out = -1;
	if (push_step(&o, arr) < 0) {
		free(o.a);
		return SL_ENOMEM;
	}
	*out = o.a;
	*n_out = o.n;
	return 0;
}

/* ---- simplification --------------------------------------------------------------- */

size_t rg_simplify(const double *c, size_t n, double tol_m, unsigned char *keep)
{
	if (n == 0)
		return 0;
	memset(keep, 0, n);
	keep[0] = keep[n - 1] = 1;
	if (n <= 2)
		return n;
	size_t *stack = malloc(2 * n * sizeof *stack);
	if (!stack)
		return 0;
	const double m_per_deg = 111195.0797;
	double coslat = cos(c[1] * DEG);
	size_t sp = 0, kept = 2;
	stack[sp++] = 0;
	stack[sp++] = n - 1;
	while (sp) {
		size_t hi = stack[--sp], lo = stack[--sp];
		double ax = c[2 * lo] * coslat, ay = c[2 * lo + 1];
		double vx = c[2 * hi] * coslat - ax, vy = c[2 * hi + 1] - ay;
		double l2 = vx * vx + vy * vy, worst = -1;
		size_t at = lo;
		for (size_t i = lo + 1; i < hi; i++) {
			double px = c[2 * i] * coslat - ax, py = c[2 * i + 1] - ay;
			double tt = l2 > 0 ? (px * vx + py * vy) / l2 : 0;
			tt = tt < 0 ? 0 : tt > 1 ? 1 : tt;
			double dx = px - tt * vx, dy = py - tt * vy, d2 = dx * dx + dy * dy;
			if (d2 > worst)
				worst = d2, at = i;
		}
		if (at > lo && sqrt(worst) * m_per_deg > tol_m) {
			keep[at] = 1;
			kept++;
			stack[sp++] = lo;
			stack[sp++] = at;
			stack[sp++] = at;
			stack[sp++] = hi;
		}
	}
	free(stack);
	return kept;
}
