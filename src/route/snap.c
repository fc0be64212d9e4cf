/* snap.c — nearest road segment through the graph's uniform grid, and the
 * "phantom" start/end nodes of a snapped point.
 *
 * The grid's cells list every segment whose bounding box touches them.
 * A query scans rings of cells around the point's cell, projecting the
 * point onto each segment in a local equirectangular frame, and stops once
 * the next ring cannot hold anything closer.  A snapped point lies inside
 * an edge; routing starts from the directed edges it lies on, with the
 * part of the edge's cost before or after the point (cf. OSRM's phantom
 * nodes).  An optional bearing filter (OSRM's `bearings`) skips segments
 * that cannot be driven in a direction within the given range and
 * restricts the snap to the matching direction(s). */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define M_PER_DEG 111195.0797 /* 2πR/360 with R = 6371008.8 m */

double sl_route_haversine_m(double lon1, double lat1, double lon2, double lat2)
{
	const double r = 6371008.8, k = 3.14159265358979323846 / 180;
	double dlat = (lat2 - lat1) * k, dlon = (lon2 - lon1) * k;
	double a = sin(dlat / 2) * sin(dlat / 2) +
	           cos(lat1 * k) * cos(lat2 * k) * sin(dlon / 2) * sin(dlon / 2);
	if (a > 1)
		a = 1;
	return 2 * r * asin(sqrt(a));
}

typedef struct cand {
	double d2;
	uint32_t seg, edge;
	double t;
	uint32_t dirs;
} cand;

/* The k closest segments on distinct edges, sorted by distance (ties by
 * segment index, so results are deterministic); with a bearing filter
 * (bearing >= 0) only segments drivable in a matching direction. */
typedef struct best {
	cand c[SL_ROUTE_OSRM_MAX_NEAREST];
	int n, k;
	int bearing, range;
} best;

static void consider(best *b, cand x)
{
	int i;
	for (i = 0; i < b->n; i++)
		if (b->c[i].edge == x.edge)
			break;
	if (i < b->n) { /* the same edge: keep the closer point */
		if (x.d2 > b->c[i].d2 || (x.d2 == b->c[i].d2 && x.seg >= b->c[i].seg))
			return;
		memmove(&b->c[i], &b->c[i + 1], (size_t)(b->n - i - 1) * sizeof x);
		b->n--;
	}
	if (b->n == b->k) {
		cand *w = &b->c[b->n - 1];
		if (x.d2 > w->d2 || (x.d2 == w->d2 && x.seg >= w->seg))
			return;
		b->n--;
	}
	int j = b->n;
	while (j > 0 &&
	       (b->c[j - 1].d2 > x.d2 || (b->c[j - 1].d2 == x.d2 && b->c[j - 1].seg > x.seg))) {
		b->c[j] = b->c[j - 1];
		j--;
	}
	b->c[j] = x;
	b->n++;
}

static void try_segment(const rg_data *d, uint32_t s, double qlon, double qlat, double coslat,
                        best *b)
{
	double ax = (d->pts[2 * s] / 1e7 - qlon) * coslat, ay = d->pts[2 * s + 1] / 1e7 - qlat;
	double bx = (d->pts[2 * s + 2] / 1e7 - qlon) * coslat, by = d->pts[2 * s + 3] / 1e7 - qlat;
	double vx = bx - ax, vy = by - ay, l2 = vx * vx + vy * vy;
	double t = l2 > 0 ? -(ax * vx + ay * vy) / l2 : 0;
	if (t < 0)
		t = 0;
	if (t > 1)
		t = 1;
	double px = ax + t * vx, py = ay + t * vy;
	uint32_t dirs = 0;
	if (b->bearing >= 0) {
		const rg_edge *e = &d->edges[d->pt_edge[s]];
		int fwd = rg_bearing(d->pts[2 * s] / 1e7, d->pts[2 * s + 1] / 1e7,
		                     d->pts[2 * s + 2] / 1e7, d->pts[2 * s + 3] / 1e7);
		int df = abs(((fwd - b->bearing) % 360 + 540) % 360 - 180);
		int db = abs(((fwd + 180 - b->bearing) % 360 + 540) % 360 - 180);
		if (e->ebn[0] != RG_NONE && df <= b->range)
			dirs |= 1;
		if (e->ebn[1] != RG_NONE && db <= b->range)
			dirs |= 2;
		if (!dirs)
			return;
	}
	consider(b, (cand){px * px + py * py, s, d->pt_edge[s], t, dirs});
}

int rg_nearest(const sl_graph *g, double lon, double lat, double max_distance_m, int k,
               int bearing, int range, sl_route_snap *out, int *n_out, sl_error *err)
{
	const rg_data *d = &g->d;
	*n_out = 0;
	if (!isfinite(lon) || !isfinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90)
		return sl_error_set(err, SL_EINVAL, "coordinate out of range: %.7g,%.7g", lon, lat);
	if (k < 1 || k > SL_ROUTE_OSRM_MAX_NEAREST)
		return sl_error_set(err, SL_EINVAL, "between 1 and %d results",
		                    SL_ROUTE_OSRM_MAX_NEAREST);
	if (!(max_distance_m > 0))
		max_distance_m = SL_ROUTE_SNAP_DEFAULT_M;
	if (max_distance_m > SL_ROUTE_SNAP_MAX_M)
		max_distance_m = SL_ROUTE_SNAP_MAX_M;
	double coslat = cos(lat * 3.14159265358979323846 / 180);
	if (coslat < 0.01)
		coslat = 0.01;
	/* quick rejection: farther than the radius from the bounding box */
	double bx = lon < d->min_lon / 1e7   ? d->min_lon / 1e7 - lon
	            : lon > d->max_lon / 1e7 ? lon - d->max_lon / 1e7
	                                     : 0;
	double by = lat < d->min_lat / 1e7   ? d->min_lat / 1e7 - lat
	            : lat > d->max_lat / 1e7 ? lat - d->max_lat / 1e7
	                                     : 0;
	if (hypot(bx * coslat, by) * M_PER_DEG > max_distance_m * 1.01 + 10)
		return sl_error_set(err, SL_ENOTFOUND, "no road within %.0f m of %.7g,%.7g",
		                    max_distance_m, lon, lat);
	double cell_deg = d->cell_e7 / 1e7, cell_m = cell_deg * M_PER_DEG * coslat;
	long cx = (long)floor((lon * 1e7 - d->grid_lon0) / d->cell_e7);
	long cy = (long)floor((lat * 1e7 - d->grid_lat0) / d->cell_e7);
	long rmax = (long)(max_distance_m / cell_m) + 2;
	best b;
	b.n = 0;
	b.k = k;
	b.bearing = bearing;
	b.range = range;
	for (long r = 0; r <= rmax; r++) {
		double ring_min_m = (r - 1) * cell_m;
		if (r > 1 && b.n == b.k && ring_min_m > sqrt(b.c[b.n - 1].d2) * M_PER_DEG)
			break;
		for (long y = cy - r; y <= cy + r; y++) {
			if (y < 0 || y >= (long)d->grid_ny)
				continue;
			long step = (y == cy - r || y == cy + r) ? 1 : 2 * r;
			for (long x = cx - r; x <= cx + r; x += step) {
				if (x < 0 || x >= (long)d->grid_nx)
					continue;
				size_t c = (size_t)y * d->grid_nx + (size_t)x;
				for (uint32_t i = d->cell_off[c]; i < d->cell_off[c + 1]; i++)
					try_segment(d, d->cell_seg[i], lon, lat, coslat, &b);
			}
		}
	}
	for (int i = 0; i < b.n; i++) {
		uint32_t s = b.c[i].seg;
		double t = b.c[i].t;
		double slon =
		    (d->pts[2 * s] + t * ((double)d->pts[2 * s + 2] - d->pts[2 * s])) / 1e7;
		double slat =
		    (d->pts[2 * s + 1] + t * ((double)d->pts[2 * s + 3] - d->pts[2 * s + 1])) / 1e7;
		double dist = sl_route_haversine_m(lon, lat, slon, slat);
		if (dist > max_distance_m)
			break;
		sl_route_snap *o = &out[(*n_out)++];
		o->lon = slon;
		o->lat = slat;
		o->distance_m = dist;
		o->edge = b.c[i].edge;
		o->segment = s;
		o->t = t;
		o->dirs = b.c[i].dirs;
	}
	if (*n_out == 0)
		return sl_error_set(err, SL_ENOTFOUND, "no road within %.0f m of %.7g,%.7g",
		                    max_distance_m, lon, lat);
	return 0;
}

int sl_route_nearest_k(const sl_graph *g, double lon, double lat, double max_distance_m, int k,
                       sl_route_snap *out, int *n_out, sl_error *err)
{
	return rg_nearest(g, lon, lat, max_distance_m, k, -1, 0, out, n_out, err);
}

int sl_route_nearest(const sl_graph *g, double lon, double lat, double max_distance_m,
                     sl_route_snap *out, sl_error *err)
{
	int n;
	return rg_nearest(g, lon, lat, max_distance_m, 1, -1, 0, out, &n, err);
}

int sl_route_nearest_bearing(const sl_graph *g, double lon, double lat, double max_distance_m,
                             int bearing_deg, int range_deg, sl_route_snap *out, sl_error *err)
{
	int n;
	if (bearing_deg >= 0)
		bearing_deg %= 360;
	return rg_nearest(g, lon, lat, max_distance_m, 1, bearing_deg, range_deg, out, &n, err);
}

void rg_phantom_make(const rg_data *d, const sl_route_snap *s, rg_phantom *ph)
{
	ph->n = 0;
	/* a snap from another graph (or garbage) gives no start, not a crash */
	if (s->edge >= d->n_edges || s->segment < d->edges[s->edge].first ||
	    s->segment + 1 >= d->edges[s->edge].first + d->edges[s->edge].count)
		return;
	const rg_edge *e = &d->edges[s->edge];
	uint32_t last = e->first + e->count - 1, i = s->segment;
	double t = s->t >= 0 ? (s->t > 1 ? 1 : s->t) : 0; /* also NaN → 0 */
	uint32_t pd = d->cum_dur[i] + (uint32_t)llround(t * (d->cum_dur[i + 1] - d->cum_dur[i]));
	uint32_t pl = d->cum_dist[i] + (uint32_t)llround(t * (d->cum_dist[i + 1] - d->cum_dist[i]));
	uint32_t td = d->cum_dur[last], tl = d->cum_dist[last];
	for (int k = 0; k < 2; k++) {
		if (e->ebn[k] == RG_NONE || (s->dirs && !(s->dirs & (1u << k))))
			continue;
		/* the directed edge and its duplicates (restrictions via a way) */
		size_t lo = 0, hi = d->n_dups;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (d->dups[2 * mid] < e->ebn[k])
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t x = lo; x <= d->n_dups && ph->n < RG_PH_MAX; x++) {
			uint32_t node = e->ebn[k];
			if (x > lo) {
				if (d->dups[2 * (x - 1)] != e->ebn[k])
					break;
				node = d->dups[2 * (x - 1) + 1];
			}
			int j = ph->n++;
			ph->node[j] = node;
			uint32_t pre_d = k == 0 ? pd : td - pd, pre_l = k == 0 ? pl : tl - pl;
			ph->pre_dur[j] = pre_d;
			ph->pre_dist[j] = pre_l;
			ph->pre_w[j] = pre_d * e->factor;
			ph->rem_dur[j] = td - pre_d;
			ph->rem_dist[j] = tl - pre_l;
			ph->rem_w[j] = (td - pre_d) * e->factor;
		}
	}
}
