/* osrm_api.c — answers to OSRM v5 requests (route, table, nearest) with
 * OSRM's response objects, and the polyline encoder.
 *
 * The HTTP API of OSRM (Project-OSRM, "HTTP API" documentation, v5) is
 * the lingua franca of routing clients (VROOM's -r osrm, Leaflet Routing
 * Machine, osrm-text-instructions, many GIS plug-ins).  osrm_parse.c reads
 * the request target; this file runs the queries on a loaded graph and
 * writes the JSON documents: Route, RouteLeg, RouteStep, StepManeuver,
 * Intersection, Annotation and Waypoint objects with OSRM's field names.
 * It knows nothing about HTTP itself: the server passes the target in and
 * sends back the status and body.  See docs/routing.md for the supported
 * subset and the differences. */
#include "osrm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *enc_value(char *w, long long v)
{
	unsigned long long u = v < 0 ? ~((unsigned long long)v << 1) : (unsigned long long)v << 1;
	while (u >= 0x20) {
		*w++ = (char)((0x20 | (u & 0x1f)) + 63);
		u >>= 5;
	}
	*w++ = (char)(u + 63);
	return w;
}

int sl_route_polyline_encode(const double *coords, size_t n, int precision, sl_buf *out)
{
	double f = precision == 6 ? 1e6 : 1e5;
	long long plat = 0, plon = 0;
	for (size_t i = 0; i < n; i++) {
		/* a value takes at most 13 characters (64-bit zig-zag, 5 bits each) */
		if (sl_buf_reserve(out, 26) < 0)
			return SL_ENOMEM;
		long long lat = llround(coords[2 * i + 1] * f), lon = llround(coords[2 * i] * f);
		char *w = out->data + out->len;
		w = enc_value(w, lat - plat);
		w = enc_value(w, lon - plon);
		out->len = (size_t)(w - out->data);
		out->data[out->len] = 0;
		plat = lat;
		plon = lon;
	}
	return 0;
}

/* ---- building blocks ------------------------------------------------------------- */

typedef struct resp {
	int status;
	sl_buf body;
} resp;

static int fail(resp *r, const char *code, const char *msg)
{
	r->status = 400;
	sl_buf_reset(&r->body);
	sl_buf_puts(&r->body, "{\"code\":");
	sl_buf_json_string(&r->body, code);
	sl_buf_puts(&r->body, ",\"message\":");
	sl_buf_json_string(&r->body, msg);
	return sl_buf_puts(&r->body, "}");
}

/* A hint names the snapped segment: base64url of (edge, segment, position,
 * graph size).  Clients hand hints back; this engine accepts and ignores
 * them (snapping is cheap). */
static void put_hint(sl_buf *b, const rg_data *d, const sl_route_snap *s)
{
	static const char al[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint32_t w[3] = {s->edge, s->segment,
	                 (uint32_t)llround(s->t * 65535) << 16 | (d->n_nodes & 0xffff)};
	unsigned char by[12];
	for (int i = 0; i < 3; i++)
		for (int k = 0; k < 4; k++)
			by[4 * i + k] = (unsigned char)(w[i] >> (8 * k));
	char out[17];
	for (int i = 0; i < 4; i++) {
		uint32_t x = (uint32_t)by[3 * i] << 16 | (uint32_t)by[3 * i + 1] << 8 | by[3 * i + 2];
		for (int k = 0; k < 4; k++)
			out[4 * i + k] = al[(x >> (18 - 6 * k)) & 63];
	}
	out[16] = 0;
	sl_buf_printf(b, "\"hint\":\"%s\",", out);
}

static void waypoint(sl_buf *b, const rg_data *d, const osrm_req *q, const sl_route_snap *s,
                     int nodes)
{
	sl_buf_putc(b, '{');
	if (q->generate_hints)
		put_hint(b, d, s);
	sl_buf_printf(b, "\"distance\":%.3f,\"name\":", s->distance_m);
	sl_buf_json_string(b, rg_string(d, d->edge_name[2 * s->edge]));
	sl_buf_printf(b, ",\"location\":[%.6f,%.6f]", s->lon, s->lat);
	if (nodes)
		sl_buf_printf(b, ",\"nodes\":[%lld,%lld]", (long long)d->pt_osm[s->segment],
		              (long long)d->pt_osm[s->segment + 1]);
	sl_buf_putc(b, '}');
}

/* approaches: keep the direction that has the input point on its right
 * (curb, for right-hand traffic) or on its left (opposite), when the road
 * can be driven that way. */
static void approach(const rg_data *d, double lon, double lat, int a, sl_route_snap *s)
{
	if (a == APPROACH_ANY)
		return;
	uint32_t k = s->segment;
	double c = cos(lat * 3.14159265358979323846 / 180);
	double vx = (d->pts[2 * k + 2] - d->pts[2 * k]) / 1e7 * c;
	double vy = (d->pts[2 * k + 3] - d->pts[2 * k + 1]) / 1e7;
	double px = (lon - d->pts[2 * k] / 1e7) * c, py = lat - d->pts[2 * k + 1] / 1e7;
	double cross = vx * py - vy * px; /* < 0: the point is right of the way's direction */
	if (cross == 0)
		return;
	uint32_t want = (cross < 0) == (a == APPROACH_CURB) ? 1u : 2u;
	const rg_edge *e = &d->edges[s->edge];
	uint32_t have = s->dirs ? s->dirs : 3u;
	if (e->ebn[0] == RG_NONE)
		have &= 2u;
	if (e->ebn[1] == RG_NONE)
		have &= 1u;
	if (have & want)
		s->dirs = want;
}

static int snap_all(const sl_graph *g, const osrm_req *q, sl_route_snap *s, resp *r)
{
	for (int i = 0; i < q->n; i++) {
		if (sl_route_nearest_bearing(g, q->lon[i], q->lat[i], q->radius[i], q->bearing[i],
		                             q->brange[i], &s[i], NULL) != 0) {
			char msg[96];
			snprintf(msg, sizeof msg,
			         "Could not find a matching segment for coordinate %d", i);
			fail(r, "NoSegment", msg);
			return 1;
		}
		approach(&g->d, q->lon[i], q->lat[i], q->approach[i], &s[i]);
	}
	return 0;
}

/* A geometry of n lon,lat pairs (a single point is drawn as two). */
static void geometry(sl_buf *b, const double *c, size_t n, int kind)
{
	double two[4];
	if (n == 1) {
		two[0] = two[2] = c[0], two[1] = two[3] = c[1];
		c = two, n = 2;
	}
	if (kind == 0) {
		sl_buf_puts(b, "{\"type\":\"LineString\",\"coordinates\":[");
		for (size_t i = 0; i < n; i++)
			sl_buf_printf(b, "%s[%.6f,%.6f]", i ? "," : "", c[2 * i], c[2 * i + 1]);
		sl_buf_puts(b, "]}");
	} else {
		sl_buf pl = {0};
		sl_route_polyline_encode(c, n, kind, &pl);
		sl_buf_json_string(b, pl.data ? pl.data : "");
		sl_buf_free(&pl);
	}
}

/* Trace points [a..b] as lon,lat pairs into `out` (cleared first). */
static int trace_coords(const rg_trace *t, size_t a, size_t b, sl_buf *out)
{
	sl_buf_reset(out);
	for (size_t i = a; i <= b && i < t->n; i++) {
		double p[2] = {t->p[i].lon, t->p[i].lat};
		if (sl_buf_append(out, p, sizeof p) < 0)
			return SL_ENOMEM;
	}
	return 0;
}

/* ---- route ------------------------------------------------------------------------------ */

static void put_step(sl_buf *b, const rg_data *d, const rg_trace *t, const rg_step *s, int kind,
                     sl_buf *tmp)
{
	const rg_tpt *p0 = &t->p[s->first], *p1 = &t->p[s->last];
	sl_buf_puts(b, "{\"geometry\":");
	trace_coords(t, s->first, s->last, tmp);
	geometry(b, (const double *)(void *)tmp->data, tmp->len / (2 * sizeof(double)), kind);
	sl_buf_printf(b, ",\"maneuver\":{\"bearing_after\":%d,\"bearing_before\":%d,"
	                 "\"location\":[%.6f,%.6f],\"type\":\"%s\"",
	              s->bearing_after, s->bearing_before, p0->lon, p0->lat, s->type);
	if (s->modifier)
		sl_buf_printf(b, ",\"modifier\":\"%s\"", s->modifier);
	if (s->exit > 0 && strcmp(s->type, "roundabout") == 0)
		sl_buf_printf(b, ",\"exit\":%d", s->exit);
	sl_buf_puts(b, "},\"mode\":\"driving\",\"driving_side\":\"right\",\"name\":");
	sl_buf_json_string(b, rg_string(d, s->name));
	if (s->ref) {
		sl_buf_puts(b, ",\"ref\":");
		sl_buf_json_string(b, rg_string(d, s->ref));
	}
	/* the intersection at the maneuver: every road there, in and out */
	sl_buf_printf(b, ",\"intersections\":[{\"location\":[%.6f,%.6f],\"bearings\":[", p0->lon,
	              p0->lat);
	for (int i = 0; i < s->n_bearings; i++)
		sl_buf_printf(b, "%s%d", i ? "," : "", s->bearings[i]);
	sl_buf_puts(b, "],\"entry\":[");
	for (int i = 0; i < s->n_bearings; i++)
		sl_buf_printf(b, "%s%s", i ? "," : "", s->entry[i] ? "true" : "false");
	sl_buf_putc(b, ']');
	if (s->in >= 0)
		sl_buf_printf(b, ",\"in\":%d", s->in);
	if (s->out >= 0)
		sl_buf_printf(b, ",\"out\":%d", s->out);
	sl_buf_puts(b, "}]");
	sl_buf_printf(b, ",\"weight\":%.1f,\"duration\":%.1f,\"distance\":%.1f}",
	              (p1->w - p0->w) / 10.0, (p1->dur - p0->dur) / 10.0,
	              (p1->dist - p0->dist) / 10.0);
}

/* "Names of the two major roads used" (OSRM's leg summary with steps). */
static void put_summary(sl_buf *b, const rg_data *d, const rg_trace *t, const rg_step *st,
                        size_t ns)
{
	uint32_t best[2] = {0, 0};
	uint64_t len[2] = {0, 0};
	size_t at[2] = {0, 0};
	for (size_t i = 0; i < ns; i++) {
		uint32_t nm = st[i].name ? st[i].name : st[i].ref;
		if (!nm || nm == best[0] || nm == best[1])
			continue;
		uint64_t l = 0;
		for (size_t k = i; k < ns; k++)
			if ((st[k].name ? st[k].name : st[k].ref) == nm)
				l += t->p[st[k].last].dist - t->p[st[k].first].dist;
		if (l > len[0]) {
			best[1] = best[0], len[1] = len[0], at[1] = at[0];
			best[0] = nm, len[0] = l, at[0] = i;
		} else if (l > len[1])
			best[1] = nm, len[1] = l, at[1] = i;
	}
	sl_buf summary = {0};
	int first = best[1] && at[1] < at[0] ? 1 : 0;
	if (best[first])
		sl_buf_puts(&summary, rg_string(d, best[first]));
	if (best[1 - first]) {
		if (summary.len)
			sl_buf_puts(&summary, ", ");
		sl_buf_puts(&summary, rg_string(d, best[1 - first]));
	}
	sl_buf_json_string(b, summary.data ? summary.data : "");
	sl_buf_free(&summary);
}

static void put_annotation(sl_buf *b, const rg_trace *t, int ann)
{
	static const struct {
		int bit;
		const char *name;
	} f[] = {{ANN_DISTANCE, "distance"}, {ANN_DURATION, "duration"},
	         {ANN_DATASOURCES, "datasources"}, {ANN_NODES, "nodes"},
	         {ANN_WEIGHT, "weight"},     {ANN_SPEED, "speed"}};
	sl_buf_puts(b, ",\"annotation\":{");
	int any = 0;
	for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) {
		if (!(ann & f[k].bit))
			continue;
		sl_buf_printf(b, "%s\"%s\":[", any++ ? "," : "", f[k].name);
		int m = 0;
		if (f[k].bit == ANN_NODES) {
			for (size_t i = 0; i < t->n; i++)
				if (t->p[i].osm)
					sl_buf_printf(b, "%s%lld", m++ ? "," : "",
					              (long long)t->p[i].osm);
		} else
			for (size_t i = 1; i < t->n; i++) {
				const rg_tpt *a = &t->p[i - 1], *c = &t->p[i];
				double du = (c->dur - a->dur) / 10.0, di = (c->dist - a->dist) / 10.0;
				if (i > 1)
					sl_buf_putc(b, ',');
				if (f[k].bit == ANN_DISTANCE)
					sl_buf_printf(b, "%.1f", di);
				else if (f[k].bit == ANN_DURATION)
					sl_buf_printf(b, "%.1f", du);
				else if (f[k].bit == ANN_WEIGHT)
					sl_buf_printf(b, "%.1f", (c->w - a->w) / 10.0);
				else if (f[k].bit == ANN_SPEED)
					sl_buf_printf(b, "%.1f", du > 0 ? round(di / du * 10) / 10 : 0);
				else
					sl_buf_putc(b, '0');
			}
		sl_buf_putc(b, ']');
	}
	if (ann & ANN_DATASOURCES)
		sl_buf_puts(b, ",\"metadata\":{\"datasource_names\":[\"profile\"]}");
	sl_buf_putc(b, '}');
}

/* The overview: the legs' traces joined, simplified unless overview=full. */
static int put_overview(sl_buf *b, const rg_trace *legs, size_t nl, const osrm_req *q)
{
	sl_buf c = {0};
	for (size_t l = 0; l < nl; l++)
		for (size_t i = c.len && legs[l].n ? 1 : 0; i < legs[l].n; i++) {
			double p[2] = {legs[l].p[i].lon, legs[l].p[i].lat};
			if (sl_buf_append(&c, p, sizeof p) < 0) {
				sl_buf_free(&c);
				return SL_ENOMEM;
			}
		}
	double *pts = (double *)(void *)c.data;
	size_t n = c.len / (2 * sizeof(double));
	if (q->overview == 1 && n > 2) {
		/* tolerance from the route's extent: about a pixel when the whole
		 * route fills a 2000-pixel-wide map, within 1..100 m */
		double lo0 = pts[0], lo1 = pts[0], la0 = pts[1], la1 = pts[1];
		for (size_t i = 1; i < n; i++) {
			lo0 = fmin(lo0, pts[2 * i]), lo1 = fmax(lo1, pts[2 * i]);
			la0 = fmin(la0, pts[2 * i + 1]), la1 = fmax(la1, pts[2 * i + 1]);
		}
		double tol = sl_route_haversine_m(lo0, la0, lo1, la1) / 2000;
		tol = tol < 1 ? 1 : tol > 100 ? 100 : tol;
		unsigned char *keep = malloc(n);
		if (!keep || rg_simplify(pts, n, tol, keep) == 0) {
			free(keep);
			sl_buf_free(&c);
			return SL_ENOMEM;
		}
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			if (keep[i]) {
				pts[2 * m] = pts[2 * i], pts[2 * m + 1] = pts[2 * i + 1];
				m++;
			}
		n = m;
		free(keep);
	}
	sl_buf_puts(b, "\"geometry\":");
	if (n)
		geometry(b, pts, n, q->geometries);
	else
		sl_buf_puts(b, "null");
	sl_buf_putc(b, ',');
	sl_buf_free(&c);
	return 0;
}

/* One RouteLeg object for trace t (steps, summary, annotation, totals). */
static int put_leg(sl_buf *legs, const rg_data *d, const osrm_req *q, const rg_trace *t, double lw,
                   double ld, double ll, int first, sl_buf *tmp)
{
	rg_step *st = NULL;
	size_t ns = 0;
	sl_buf_puts(legs, first ? "{\"steps\":[" : ",{\"steps\":[");
	if (q->steps) {
		if (rg_steps(d, t, &st, &ns) < 0)
			return SL_ENOMEM;
		for (size_t k = 0; k < ns; k++) {
			if (k)
				sl_buf_putc(legs, ',');
			put_step(legs, d, t, &st[k], q->geometries, tmp);
		}
	}
	sl_buf_puts(legs, "],\"summary\":");
	if (q->steps)
		put_summary(legs, d, t, st, ns);
	else
		sl_buf_puts(legs, "\"\"");
	free(st);
	if (q->annotations)
		put_annotation(legs, t, q->annotations);
	return sl_buf_printf(legs, ",\"weight\":%.1f,\"duration\":%.1f,\"distance\":%.1f}", lw, ld,
	                     ll) < 0
	           ? SL_ENOMEM
	           : 0;
}

/* Alternatives to a two-point route (OSRM: only for two coordinates), as
 * further Route objects appended to b. */
static int put_alternatives(sl_buf *b, const rg_data *d, sl_route_ctx *ctx, const osrm_req *q,
                            const sl_route_snap *s, const sl_buf *best_path, sl_buf *tmp)
{
	sl_buf alts = {0}, legs = {0};
	int found = 0, rc = rg_alternatives(ctx, &s[0], &s[1], (const uint32_t *)(void *)best_path->data,
	                                    best_path->len / sizeof(uint32_t), q->alternatives,
	                                    &alts, &found);
	size_t off = 0;
	for (int i = 0; i < found && rc == 0; i++) {
		uint32_t cnt;
		memcpy(&cnt, alts.data + off, sizeof cnt);
		const uint32_t *nodes = (const uint32_t *)(void *)(alts.data + off + sizeof cnt);
		off += sizeof cnt + cnt * sizeof(uint32_t);
		rg_trace t = {0};
		rc = rg_trace_append(d, &t, nodes, cnt, &s[0], &s[1]);
		if (rc == 0 && t.n) {
			const rg_tpt *e = &t.p[t.n - 1];
			double w = e->w / 10.0, du = e->dur / 10.0, di = e->dist / 10.0;
			sl_buf_reset(&legs);
			rc = put_leg(&legs, d, q, &t, w, du, di, 1, tmp);
			sl_buf_puts(b, ",{");
			if (rc == 0 && q->overview)
				rc = put_overview(b, &t, 1, q);
			if (rc == 0)
				sl_buf_printf(b,
				              "\"legs\":[%s],\"weight_name\":\"routability\","
				              "\"weight\":%.1f,\"duration\":%.1f,\"distance\":%.1f}",
				              legs.data ? legs.data : "", w, du, di);
		}
		rg_trace_free(&t);
	}
	sl_buf_free(&alts);
	sl_buf_free(&legs);
	return rc;
}

static int do_route(const sl_graph *g, sl_route_ctx *ctx, const osrm_req *q, resp *r)
{
	const rg_data *d = &g->d;
	if (q->n < 2)
		return fail(r, "InvalidOptions", "Number of coordinates needs to be at least two.");
	if (q->n > SL_ROUTE_OSRM_MAX_ROUTE_POINTS)
		return fail(r, "TooBig", "Too many coordinates");
	int nw = q->waypoints ? q->n_waypoints : q->n;
	sl_route_snap *s = calloc((size_t)q->n, sizeof *s);
	rg_trace *tr = calloc((size_t)nw, sizeof *tr);
	sl_buf legs = {0}, path = {0}, tmp = {0};
	int rc = SL_ENOMEM;
	if (!s || !tr)
		goto out;
	rc = 0;
	if (snap_all(g, q, s, r))
		goto out;
	/* alternatives only for two coordinates, as OSRM; they need the path */
	int alternatives = q->alternatives > 0 && q->n == 2 && !q->waypoints;
	int need_trace = q->overview || q->steps || q->annotations || alternatives;
	double tw = 0, td = 0, tl = 0;
	uint32_t arrive = RG_NONE;
	for (int l = 0; l + 1 < nw; l++) {
		int a = q->waypoints ? q->waypoints[l] : l, z = q->waypoints ? q->waypoints[l + 1] : l + 1;
		double lw = 0, ld = 0, ll = 0;
		for (int i = a; i < z; i++) {
			sl_route_result res;
			sl_buf_reset(&path);
			uint32_t only = q->continue_straight && i > 0 ? arrive : RG_NONE;
			int qr = rg_query_path(ctx, &s[i], &s[i + 1], only, &arrive, &res,
			                       need_trace ? &path : NULL, NULL);
			if (qr == SL_ENOROUTE && only != RG_NONE) { /* a dead end: turn back */
				sl_buf_reset(&path);
				qr = rg_query_path(ctx, &s[i], &s[i + 1], RG_NONE, &arrive, &res,
				                   need_trace ? &path : NULL, NULL);
			}
			if (qr == SL_ENOROUTE) {
				fail(r, "NoRoute", "Impossible route between points");
				goto out;
			}
			if (qr) {
				rc = qr == SL_ENOMEM ? SL_ENOMEM : 0;
				if (!rc)
					fail(r, "NoRoute", "Impossible route between points");
				goto out;
			}
			lw += res.weight, ld += res.duration_s, ll += res.distance_m;
			if (need_trace &&
			    rg_trace_append(d, &tr[l], (const uint32_t *)(void *)path.data,
			                    path.len / sizeof(uint32_t), &s[i], &s[i + 1]) < 0) {
				rc = SL_ENOMEM;
				goto out;
			}
		}
		tw += lw, td += ld, tl += ll;
		if (put_leg(&legs, d, q, &tr[l], lw, ld, ll, l == 0, &tmp) < 0) {
			rc = SL_ENOMEM;
			goto out;
		}
	}
	sl_buf *b = &r->body;
	sl_buf_puts(b, "{\"code\":\"Ok\",\"routes\":[{");
	if (q->overview && put_overview(b, tr, (size_t)nw - 1, q) < 0) {
		rc = SL_ENOMEM;
		goto out;
	}
	sl_buf_printf(b,
	              "\"legs\":[%s],\"weight_name\":\"routability\",\"weight\":%.1f,"
	              "\"duration\":%.1f,\"distance\":%.1f}",
	              legs.data ? legs.data : "", tw, td, tl);
	if (alternatives && put_alternatives(b, d, ctx, q, s, &path, &tmp) < 0) {
		rc = SL_ENOMEM;
		goto out;
	}
	sl_buf_putc(b, ']');
	if (!q->skip_waypoints) {
		sl_buf_puts(b, ",\"waypoints\":[");
		for (int i = 0; i < nw; i++) {
			if (i)
				sl_buf_putc(b, ',');
			waypoint(b, d, q, &s[q->waypoints ? q->waypoints[i] : i], 0);
		}
		sl_buf_putc(b, ']');
	}
	sl_buf_putc(b, '}');
	r->status = 200;
out:
	if (tr)
		for (int l = 0; l < nw; l++)
			rg_trace_free(&tr[l]);
	free(tr);
	free(s);
	sl_buf_free(&legs);
	sl_buf_free(&path);
	sl_buf_free(&tmp);
	return rc;
}

/* ---- table ------------------------------------------------------------------------------ */

/* Append v >= 0 with one decimal ("12.3"), as %.1f would, without printf
 * (a 1000×1000 table has a million of them). */
static char *dec1(char *w, double v)
{
	unsigned long long x = (unsigned long long)llround(v * 10);
	char tmp[24];
	int n = 0;
	tmp[n++] = (char)('0' + x % 10);
	tmp[n++] = '.';
	x /= 10;
	do {
		tmp[n++] = (char)('0' + x % 10);
		x /= 10;
	} while (x);
	while (n)
		*w++ = tmp[--n];
	return w;
}

static void matrix_json(sl_buf *b, const char *name, const double *m, int ns, int nd)
{
	sl_buf_printf(b, ",\"%s\":[", name);
	for (int i = 0; i < ns; i++) {
		/* at most 21 bytes per value ("null," or digits) plus brackets */
		if (sl_buf_reserve(b, (size_t)nd * 22 + 4) < 0)
			return;
		char *w = b->data + b->len;
		*w++ = i ? ',' : '[';
		if (i)
			*w++ = '[';
		for (int j = 0; j < nd; j++) {
			double v = m[(size_t)i * (size_t)nd + (size_t)j];
			if (j)
				*w++ = ',';
			if (v < 0 || v > 1e15) {
				memcpy(w, "null", 4);
				w += 4;
			} else
				w = dec1(w, v);
		}
		*w++ = ']';
		b->len = (size_t)(w - b->data);
		b->data[b->len] = 0;
	}
	sl_buf_putc(b, ']');
}

static int do_table(const sl_graph *g, sl_route_ctx *ctx, const osrm_req *q, resp *r)
{
	const rg_data *d = &g->d;
	if (q->n > SL_ROUTE_OSRM_MAX_TABLE_POINTS)
		return fail(r, "TooBig", "Too many table coordinates");
	if (q->n < 1)
		return fail(r, "InvalidOptions", "Number of coordinates needs to be at least one.");
	int ns = q->sources ? q->n_sources : q->n;
	int nd = q->dests ? q->n_dests : q->n;
	sl_route_snap *s = calloc((size_t)q->n, sizeof *s);
	sl_route_snap *a = calloc((size_t)ns + 1, sizeof *a),
	              *b = calloc((size_t)nd + 1, sizeof *b);
	int *ai = calloc((size_t)ns + 1, sizeof *ai), *bi = calloc((size_t)nd + 1, sizeof *bi);
	double *dur = malloc(((size_t)ns * (size_t)nd + 1) * sizeof *dur);
	double *dist = malloc(((size_t)ns * (size_t)nd + 1) * sizeof *dist);
	sl_buf fb = {0};
	int rc = 0;
	if (!s || !a || !b || !ai || !bi || !dur || !dist) {
		rc = SL_ENOMEM;
		goto out;
	}
	if (snap_all(g, q, s, r))
		goto out;
	for (int i = 0; i < ns; i++)
		a[i] = s[ai[i] = q->sources ? q->sources[i] : i];
	for (int j = 0; j < nd; j++)
		b[j] = s[bi[j] = q->dests ? q->dests[j] : j];
	if (sl_route_matrix(ctx, a, (size_t)ns, b, (size_t)nd, dur, dist, NULL) != 0) {
		rc = SL_ENOMEM;
		goto out;
	}
	/* unreachable pairs: the straight line at fallback_speed, when asked */
	for (int i = 0; i < ns && q->fallback_speed > 0; i++)
		for (int j = 0; j < nd; j++) {
			size_t k = (size_t)i * (size_t)nd + (size_t)j;
			if (dur[k] >= 0)
				continue;
			double m = q->fallback_snapped
			               ? sl_route_haversine_m(a[i].lon, a[i].lat, b[j].lon, b[j].lat)
			               : sl_route_haversine_m(q->lon[ai[i]], q->lat[ai[i]],
			                                      q->lon[bi[j]], q->lat[bi[j]]);
			dist[k] = m;
			dur[k] = m / q->fallback_speed;
			sl_buf_printf(&fb, "%s[%d,%d]", fb.len ? "," : "", i, j);
		}
	if (q->scale_factor != 1)
		for (size_t k = 0; k < (size_t)ns * (size_t)nd; k++)
			if (dur[k] >= 0)
				dur[k] = round(dur[k] * q->scale_factor * 10) / 10;
	sl_buf *o = &r->body;
	sl_buf_puts(o, "{\"code\":\"Ok\"");
	if (q->want_dur)
		matrix_json(o, "durations", dur, ns, nd);
	if (q->want_dist)
		matrix_json(o, "distances", dist, ns, nd);
	if (fb.len)
		sl_buf_printf(o, ",\"fallback_speed_cells\":[%s]", fb.data);
	if (!q->skip_waypoints) {
		sl_buf_puts(o, ",\"sources\":[");
		for (int i = 0; i < ns; i++) {
			if (i)
				sl_buf_putc(o, ',');
			waypoint(o, d, q, &a[i], 0);
		}
		sl_buf_puts(o, "],\"destinations\":[");
		for (int j = 0; j < nd; j++) {
			if (j)
				sl_buf_putc(o, ',');
			waypoint(o, d, q, &b[j], 0);
		}
		sl_buf_putc(o, ']');
	}
	sl_buf_putc(o, '}');
	r->status = 200;
out:
	free(s);
	free(a);
	free(b);
	free(ai);
	free(bi);
	free(dur);
	free(dist);
	sl_buf_free(&fb);
	return rc;
}

/* ---- nearest ---------------------------------------------------------------------------- */

static int do_nearest(const sl_graph *g, const osrm_req *q, resp *r)
{
	if (q->n != 1)
		return fail(r, "InvalidOptions", "Only one input coordinate is supported");
	if (q->number > SL_ROUTE_OSRM_MAX_NEAREST)
		return fail(r, "TooBig", "Too many results requested");
	sl_route_snap s[SL_ROUTE_OSRM_MAX_NEAREST];
	int n = 0;
	if (rg_nearest(g, q->lon[0], q->lat[0], q->radius[0], q->number, q->bearing[0], q->brange[0],
	               s, &n, NULL) != 0)
		return fail(r, "NoSegment", "Could not find a matching segment for coordinate 0");
	sl_buf *b = &r->body;
	sl_buf_puts(b, "{\"code\":\"Ok\",\"waypoints\":[");
	for (int i = 0; i < n; i++) {
		if (i)
			sl_buf_putc(b, ',');
		waypoint(b, &g->d, q, &s[i], 1);
	}
	sl_buf_puts(b, "]}");
	r->status = 200;
	return 0;
}

int sl_route_osrm_handle(const sl_graph *g, sl_route_ctx *ctx, const char *path_query,
                         int *http_status, char **body, sl_error *err)
{
	osrm_req q;
	memset(&q, 0, sizeof q);
	resp r = {400, {0}};
	int rc = 0;
	sl_route_ctx *own = NULL;
	const char *code = NULL;
	char msg[200];
	int pr = osrm_parse(path_query, &q, &code, msg, sizeof msg);
	if (pr == SL_ENOMEM)
		rc = SL_ENOMEM;
	else if (pr)
		fail(&r, code, msg);
	else if (!ctx && !(ctx = own = rg_ctx_borrow(g)))
		rc = SL_ENOMEM;
	else if (q.service == OS_ROUTE)
		rc = do_route(g, ctx, &q, &r);
	else if (q.service == OS_TABLE)
		rc = do_table(g, ctx, &q, &r);
	else
		rc = do_nearest(g, &q, &r);
	osrm_req_free(&q);
	rg_ctx_return(g, own);
	if (rc == 0 && !r.body.data)
		rc = SL_ENOMEM;
	if (rc) {
		sl_buf_free(&r.body);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	*http_status = r.status;
	*body = sl_buf_take(&r.body);
	return *body ? 0 : sl_error_set(err, SL_ENOMEM, "out of memory");
}
