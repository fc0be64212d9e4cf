/* board.c — the groupage board (issue 7, item 2): one day's announced and
 * past deliveries per receiving site, with pooling candidates flagged and
 * everything filtered by who is asking.
 *
 * The idea is the "digital consolidation" of city-logistics practice (e.g.
 * the CIVITAS/Trendsetter and Stockholm "samordnad varudistribution"
 * evaluations): instead of a physical consolidation centre, make visible
 * where several suppliers bring small loads to the same unit, or to units
 * close to each other in overlapping time windows, so that they can pool.
 * Visibility follows the role rules of docs/pooling.md; aggregates of rows
 * a viewer may not see are only given over at least
 * SL_POOLING_MIN_SUPPLIERS suppliers (the "minimum cell size" rule of
 * statistical disclosure control), and candidates are computed only from
 * what the viewer may know, so a flag never reveals a hidden party.
 * Reading is one indexed query on deliveries(local_day) plus the day's
 * sites and the viewer's open grants; neighbours are all pairs of the
 * day's sites (a few hundred), great-circle distance (route module). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samlast/route.h"
#include "board_internal.h"

void sl_board_query_init(sl_board_query *q)
{
	memset(q, 0, sizeof *q);
	q->radius_m = 1000;
	q->window_slack_min = 30;
	q->small_kg = 50;
	q->small_parcels = 5;
	q->viewer.kind = SL_VIEWER_CITY;
}

struct drow {
	int64_t supplier_id, carrier_id, site_id;
	int vis, own, shared, confirms, small;
	int lo, hi; /* time window with slack, for the neighbour test */
	sl_board_row r;
};

struct dsite {
	int64_t id, org_id;
	char ext[64], name[160], unit_type[24];
	double lon, lat;
	size_t first, n; /* into the drow array */
	int listed;
	sl_board_others others;
	int small_suppliers, same_site;
	sl_board_neighbour *nb;
	size_t n_nb, cap_nb;
};

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static int distinct(int64_t *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof *v, cmp_i64);
	int k = 1;
	for (size_t i = 1; i < n; i++)
		k += v[i] != v[i - 1];
	return k;
}

static int known(const struct drow *d, const struct dsite *s)
{
	return d->vis || s->others.shown;
}

static int add_nb(struct dsite *s, const struct dsite *o, double dist)
{
	if (s->n_nb == s->cap_nb) {
		size_t nc = s->cap_nb ? s->cap_nb * 2 : 4;
		sl_board_neighbour *g = realloc(s->nb, nc * sizeof *g);
		if (!g)
			return SL_ENOMEM;
		s->nb = g;
		s->cap_nb = nc;
	}
	sl_board_neighbour *x = &s->nb[s->n_nb++];
	snprintf(x->ext, sizeof x->ext, "%s", o->ext);
	snprintf(x->name, sizeof x->name, "%s", o->name);
	x->distance_m = dist;
	return 0;
}

/* Two sites pool: a known small row at each, of different suppliers, in
 * overlapping (widened) windows. */
static int pair_pools(const struct drow *rows, const struct dsite *a, const struct dsite *b)
{
	for (size_t i = a->first; i < a->first + a->n; i++) {
		const struct drow *x = &rows[i];
		if (!x->small || !known(x, a))
			continue;
		for (size_t j = b->first; j < b->first + b->n; j++) {
			const struct drow *y = &rows[j];
			if (!y->small || !known(y, b) || y->supplier_id == x->supplier_id)
				continue;
			if (x->lo <= y->hi && y->lo <= x->hi)
				return 1;
		}
	}
	return 0;
}

static int load_grants(sl_store *st, int64_t grantee, int64_t **out, size_t *n, sl_error *err)
{
	*out = NULL;
	*n = 0;
	sl_stmt *s;
	int rc = sl_store_prepare(st,
	                          "SELECT owner_id FROM pooling_shares WHERE grantee_id = ?1 AND "
	                          "revoked_at IS NULL",
	                          &s, err);
	if (rc)
		return rc;
	sl_stmt_bind_int64(s, 1, grantee);
	size_t cap = 0;
	while ((rc = sl_stmt_step(s, err)) == 1) {
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			int64_t *g = realloc(*out, nc * sizeof *g);
			if (!g) {
				rc = sl_error_set(err, SL_ENOMEM, "out of memory");
				break;
			}
			*out = g;
			cap = nc;
		}
		(*out)[(*n)++] = sl_stmt_int64(s, 0);
	}
	sl_stmt_free(s);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return rc;
	}
	if (*n)
		qsort(*out, *n, sizeof **out, cmp_i64);
	return 0;
}

static const char ROWS_SQL[] =
    "SELECT d.supplier_id, o.ext_id, o.name, d.ext_id, COALESCE(d.carrier_id, 0), "
    "COALESCE(c.ext_id, ''), d.site_id, d.status, d.local_min, COALESCE(d.window_from_min, -1), "
    "COALESCE(d.window_to_min, -1), COALESCE(d.parcels, -1), COALESCE(d.mass_kg, -1), "
    "COALESCE(d.volume_m3, -1), d.temp_class, "
    "EXISTS (SELECT 1 FROM announcement_matches m WHERE m.announcement_id = d.id), "
    "EXISTS (SELECT 1 FROM announcement_matches m WHERE m.delivery_id = d.id), "
    "s.ext_id, s.name, s.unit_type, s.lon, s.lat, s.org_id "
    "FROM deliveries d JOIN organisations o ON o.id = d.supplier_id "
    "JOIN sites s ON s.id = d.site_id LEFT JOIN organisations c ON c.id = d.carrier_id "
    "WHERE d.local_day = ?1 AND d.status <> 'cancelled' ORDER BY d.site_id, d.local_min, d.id";

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 64;
	while (nc < need)
		nc *= 2;
	void *g = realloc(*p, nc * size);
	if (!g)
		return SL_ENOMEM;
	*p = g;
	*cap = nc;
	return 0;
}

int sl_board_compute(sl_store *st, const sl_board_query *q, sl_board **out, sl_error *err)
{
	*out = NULL;
	const sl_pooling_viewer *v = &q->viewer;
	if (v->kind == SL_VIEWER_PUBLIC)
		return sl_error_set(err, SL_EPERM, "the board is not public");
	if (v->kind != SL_VIEWER_CITY && v->org_id <= 0)
		return sl_error_set(err, SL_EPERM, "this viewer has no organisation");
	if (!(q->radius_m >= 0 && q->radius_m <= 50000))
		return sl_error_set(err, SL_EINVAL, "radius_m must be 0..50000");
	if (q->window_slack_min < 0 || q->window_slack_min > 720)
		return sl_error_set(err, SL_EINVAL, "window slack must be 0..720 minutes");
	if (q->day < -100000 || q->day > 200000)
		return sl_error_set(err, SL_EINVAL, "day out of range");
	int rc;
	if (q->site) {
		int64_t n = 0;
		sl_stmt *s;
		if ((rc = sl_store_prepare(st, "SELECT COUNT(*) FROM sites WHERE ext_id = ?1", &s, err)))
			return rc;
		sl_stmt_bind_text(s, 1, q->site);
		rc = sl_stmt_step(s, err);
		n = rc == 1 ? sl_stmt_int64(s, 0) : 0;
		sl_stmt_free(s);
		if (rc < 0)
			return rc;
		if (!n)
			return sl_error_set(err, SL_ENOTFOUND, "no site '%.64s'", q->site);
	}
	int64_t *grants = NULL;
	size_t n_grants = 0;
	if ((v->kind == SL_VIEWER_SUPPLIER || v->kind == SL_VIEWER_CARRIER) &&
	    (rc = load_grants(st, v->org_id, &grants, &n_grants, err)))
		return rc;

	struct drow *rows = NULL;
	struct dsite *sites = NULL;
	size_t nr = 0, cr = 0, ns = 0, cs = 0;
	int64_t *tmp = NULL;
	sl_board *b = NULL;
	sl_stmt *s = NULL;
	if ((rc = sl_store_prepare(st, ROWS_SQL, &s, err)))
		goto done;
	sl_stmt_bind_int64(s, 1, q->day);
	int slack = q->window_slack_min;
	while ((rc = sl_stmt_step(s, err)) == 1) {
		if (sl_stmt_int64(s, 15))
			continue; /* announcement confirmed by another row */
		if (grow((void **)&rows, &cr, nr + 1, sizeof *rows)) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			goto done;
		}
		struct drow *d = &rows[nr++];
		memset(d, 0, sizeof *d);
		d->supplier_id = sl_stmt_int64(s, 0);
		snprintf(d->r.supplier, sizeof d->r.supplier, "%s", sl_stmt_text(s, 1));
		snprintf(d->r.supplier_name, sizeof d->r.supplier_name, "%s", sl_stmt_text(s, 2));
		snprintf(d->r.id, sizeof d->r.id, "%s", sl_stmt_text(s, 3));
		d->carrier_id = sl_stmt_int64(s, 4);
		snprintf(d->r.carrier, sizeof d->r.carrier, "%s", sl_stmt_text(s, 5));
		d->site_id = sl_stmt_int64(s, 6);
		snprintf(d->r.status, sizeof d->r.status, "%s", sl_stmt_text(s, 7));
		d->r.minute = (int)sl_stmt_int64(s, 8);
		d->r.window_from_min = (int)sl_stmt_int64(s, 9);
		d->r.window_to_min = (int)sl_stmt_int64(s, 10);
		d->r.parcels = sl_stmt_int64(s, 11);
		d->r.mass_kg = sl_stmt_double(s, 12);
		d->r.volume_m3 = sl_stmt_double(s, 13);
		snprintf(d->r.temp_class, sizeof d->r.temp_class, "%s", sl_stmt_text(s, 14));
		d->r.confirms = (int)sl_stmt_int64(s, 16);
		d->r.small = d->r.mass_kg >= 0 ? d->r.mass_kg <= q->small_kg
		                               : (d->r.parcels >= 0 && d->r.parcels <= q->small_parcels);
		d->small = d->r.small;
		int lo = d->r.window_from_min >= 0 ? d->r.window_from_min : d->r.minute;
		int hi = d->r.window_to_min >= 0 ? d->r.window_to_min : d->r.minute;
		d->lo = lo - slack;
		d->hi = hi + slack;
		int64_t site_org = sl_stmt_int64(s, 22);
		switch (v->kind) {
		case SL_VIEWER_CITY:
			d->vis = 1;
			break;
		case SL_VIEWER_UNIT:
			d->vis = site_org == v->org_id; /* to its own site: not "own" */
			break;
		case SL_VIEWER_SUPPLIER:
		case SL_VIEWER_CARRIER:
			d->own = v->kind == SL_VIEWER_SUPPLIER ? d->supplier_id == v->org_id
			                                       : d->carrier_id == v->org_id;
			d->shared = !d->own && n_grants &&
			            bsearch(&d->supplier_id, grants, n_grants, sizeof *grants, cmp_i64) != NULL;
			d->vis = d->own || d->shared;
			break;
		default:
			break;
		}
		d->r.own = d->own;
		d->r.shared = d->shared;
		if (!ns || sites[ns - 1].id != d->site_id) {
			if (grow((void **)&sites, &cs, ns + 1, sizeof *sites)) {
				rc = sl_error_set(err, SL_ENOMEM, "out of memory");
				goto done;
			}
			struct dsite *x = &sites[ns++];
			memset(x, 0, sizeof *x);
			x->id = d->site_id;
			snprintf(x->ext, sizeof x->ext, "%s", sl_stmt_text(s, 17));
			snprintf(x->name, sizeof x->name, "%s", sl_stmt_text(s, 18));
			snprintf(x->unit_type, sizeof x->unit_type, "%s", sl_stmt_text(s, 19));
			x->lon = sl_stmt_double(s, 20);
			x->lat = sl_stmt_double(s, 21);
			x->org_id = site_org;
			x->first = nr - 1;
		}
		sites[ns - 1].n++;
	}
	if (rc < 0)
		goto done;
	rc = 0;
	tmp = malloc((nr ? nr : 1) * sizeof *tmp);
	if (!tmp) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto done;
	}
	/* Per site: the hidden rows' aggregate, who is known, same-site flag. */
	for (size_t i = 0; i < ns; i++) {
		struct dsite *x = &sites[i];
		size_t nh = 0, nvis = 0;
		sl_board_others o = {0};
		o.from_min = 24 * 60;
		o.to_min = -1;
		for (size_t k = x->first; k < x->first + x->n; k++) {
			const struct drow *d = &rows[k];
			if (d->vis) {
				nvis++;
				continue;
			}
			tmp[nh++] = d->supplier_id;
			o.deliveries++;
			o.parcels += d->r.parcels > 0 ? d->r.parcels : 0;
			o.mass_kg += d->r.mass_kg > 0 ? d->r.mass_kg : 0;
			int lo = d->r.window_from_min >= 0 ? d->r.window_from_min : d->r.minute;
			int hi = d->r.window_to_min >= 0 ? d->r.window_to_min : d->r.minute;
			if (lo < o.from_min)
				o.from_min = lo;
			if (hi > o.to_min)
				o.to_min = hi;
		}
		o.suppliers = distinct(tmp, nh);
		if (v->kind != SL_VIEWER_UNIT && o.suppliers >= SL_POOLING_MIN_SUPPLIERS) {
			o.shown = 1;
			x->others = o;
		}
		x->listed = nvis > 0 || x->others.shown;
		size_t nk = 0;
		for (size_t k = x->first; k < x->first + x->n; k++)
			if (rows[k].small && known(&rows[k], x))
				tmp[nk++] = rows[k].supplier_id;
		x->small_suppliers = distinct(tmp, nk);
		x->same_site = x->listed && x->small_suppliers >= 2;
	}
	/* Neighbours: pairs of listed sites within the radius that pool. */
	for (size_t i = 0; i < ns; i++) {
		if (!sites[i].listed)
			continue;
		for (size_t j = i + 1; j < ns; j++) {
			if (!sites[j].listed)
				continue;
			double dist = sl_route_haversine_m(sites[i].lon, sites[i].lat, sites[j].lon, sites[j].lat);
			if (dist > q->radius_m || !pair_pools(rows, &sites[i], &sites[j]))
				continue;
			if (add_nb(&sites[i], &sites[j], dist) || add_nb(&sites[j], &sites[i], dist)) {
				rc = sl_error_set(err, SL_ENOMEM, "out of memory");
				goto done;
			}
		}
	}
	/* Hand over what the viewer may see. */
	b = calloc(1, sizeof *b);
	if (!b) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto done;
	}
	b->day = q->day;
	b->viewer = *v;
	b->radius_m = q->radius_m;
	size_t out_sites = 0, out_rows = 0, out_nb = 0;
	for (size_t i = 0; i < ns; i++) {
		if (!sites[i].listed || (q->site && strcmp(q->site, sites[i].ext)))
			continue;
		out_sites++;
		out_nb += sites[i].n_nb;
		for (size_t k = sites[i].first; k < sites[i].first + sites[i].n; k++)
			out_rows += rows[k].vis;
	}
	b->sites = calloc(out_sites ? out_sites : 1, sizeof *b->sites);
	b->rows = calloc(out_rows ? out_rows : 1, sizeof *b->rows);
	b->neighbours = calloc(out_nb ? out_nb : 1, sizeof *b->neighbours);
	if (!b->sites || !b->rows || !b->neighbours) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < ns; i++) {
		struct dsite *x = &sites[i];
		if (!x->listed || (q->site && strcmp(q->site, x->ext)))
			continue;
		sl_board_site *o = &b->sites[b->n_sites++];
		snprintf(o->ext, sizeof o->ext, "%s", x->ext);
		snprintf(o->name, sizeof o->name, "%s", x->name);
		snprintf(o->unit_type, sizeof o->unit_type, "%s", x->unit_type);
		o->lon = x->lon;
		o->lat = x->lat;
		o->others = x->others;
		o->small_suppliers = x->small_suppliers;
		o->same_site = x->same_site;
		o->first_row = b->n_rows;
		for (size_t k = x->first; k < x->first + x->n; k++)
			if (rows[k].vis)
				b->rows[b->n_rows++] = rows[k].r;
		o->n_rows = b->n_rows - o->first_row;
		o->first_nb = b->n_neighbours;
		for (size_t k = 0; k < x->n_nb; k++)
			b->neighbours[b->n_neighbours++] = x->nb[k];
		o->n_nb = x->n_nb;
		o->candidate = o->same_site || o->n_nb > 0;
		b->candidates += o->candidate;
	}
	*out = b;
	b = NULL;
done:
	sl_stmt_free(s);
	for (size_t i = 0; i < ns; i++)
		free(sites[i].nb);
	free(sites);
	free(rows);
	free(tmp);
	free(grants);
	sl_board_free(b);
	return rc;
}

void sl_board_free(sl_board *b)
{
	if (!b)
		return;
	free(b->sites);
	free(b->rows);
	free(b->neighbours);
	free(b);
}

static const char *viewer_name(sl_pooling_viewer_kind k)
{
	switch (k) {
	case SL_VIEWER_UNIT:
		return "unit";
	case SL_VIEWER_SUPPLIER:
		return "supplier";
	case SL_VIEWER_CARRIER:
		return "carrier";
	case SL_VIEWER_CITY:
		return "city";
	default:
		return "public";
	}
}

static int put_min(sl_buf *o, int m)
{
	if (m < 0)
		return sl_buf_puts(o, "null");
	return sl_buf_printf(o, "\"%02d:%02d\"", m / 60, m % 60);
}

static int put_num(sl_buf *o, double x)
{
	if (x < 0 || !isfinite(x))
		return sl_buf_puts(o, "null");
	return sl_buf_printf(o, "%.3f", x);
}

int sl_board_write_json(const sl_board *b, sl_buf *o)
{
	char day[16];
	int rc = sl_buf_printf(o, "{\"date\":\"%s\",\"viewer\":\"%s\",\"radius_m\":%.0f,"
	                          "\"min_suppliers\":%d,\"candidates\":%d,\"sites\":[",
	                       sl_date_format(b->day, day, sizeof day), viewer_name(b->viewer.kind),
	                       b->radius_m, SL_POOLING_MIN_SUPPLIERS, b->candidates);
	for (size_t i = 0; i < b->n_sites && !rc; i++) {
		const sl_board_site *x = &b->sites[i];
		rc |= sl_buf_puts(o, i ? ",{\"site\":" : "{\"site\":");
		rc |= sl_buf_json_string(o, x->ext);
		rc |= sl_buf_puts(o, ",\"name\":");
		rc |= sl_buf_json_string(o, x->name);
		rc |= sl_buf_printf(o, ",\"unit_type\":\"%s\",\"lon\":%.6f,\"lat\":%.6f,\"candidate\":%s,"
		                       "\"same_site\":%s,\"small_suppliers\":%d,\"deliveries\":[",
		                    x->unit_type, x->lon, x->lat, x->candidate ? "true" : "false",
		                    x->same_site ? "true" : "false", x->small_suppliers);
		for (size_t k = 0; k < x->n_rows && !rc; k++) {
			const sl_board_row *r = &b->rows[x->first_row + k];
			rc |= sl_buf_puts(o, k ? ",{\"id\":" : "{\"id\":");
			rc |= sl_buf_json_string(o, r->id);
			rc |= sl_buf_puts(o, ",\"supplier\":");
			rc |= sl_buf_json_string(o, r->supplier);
			rc |= sl_buf_puts(o, ",\"supplier_name\":");
			rc |= sl_buf_json_string(o, r->supplier_name);
			rc |= sl_buf_puts(o, ",\"carrier\":");
			rc |= r->carrier[0] ? sl_buf_json_string(o, r->carrier) : sl_buf_puts(o, "null");
			rc |= sl_buf_printf(o, ",\"status\":\"%s\",\"own\":%s,\"shared\":%s,\"confirms\":%s,"
			                       "\"time\":",
			                    r->status, r->own ? "true" : "false", r->shared ? "true" : "false",
			                    r->confirms ? "true" : "false");
			rc |= put_min(o, r->minute);
			rc |= sl_buf_puts(o, ",\"window_from\":");
			rc |= put_min(o, r->window_from_min);
			rc |= sl_buf_puts(o, ",\"window_to\":");
			rc |= put_min(o, r->window_to_min);
			if (r->parcels >= 0)
				rc |= sl_buf_printf(o, ",\"parcels\":%lld", (long long)r->parcels);
			else
				rc |= sl_buf_puts(o, ",\"parcels\":null");
			rc |= sl_buf_puts(o, ",\"mass_kg\":");
			rc |= put_num(o, r->mass_kg);
			rc |= sl_buf_puts(o, ",\"volume_m3\":");
			rc |= put_num(o, r->volume_m3);
			rc |= sl_buf_printf(o, ",\"temp_class\":\"%s\",\"small\":%s}", r->temp_class,
			                    r->small ? "true" : "false");
		}
		rc |= sl_buf_puts(o, "],\"others\":");
		if (x->others.shown) {
			rc |= sl_buf_printf(o, "{\"deliveries\":%lld,\"suppliers\":%d,\"parcels\":%lld,"
			                       "\"mass_kg\":%.1f,\"window_from\":",
			                    (long long)x->others.deliveries, x->others.suppliers,
			                    (long long)x->others.parcels, x->others.mass_kg);
			rc |= put_min(o, x->others.from_min);
			rc |= sl_buf_puts(o, ",\"window_to\":");
			rc |= put_min(o, x->others.to_min);
			rc |= sl_buf_putc(o, '}');
		} else {
			rc |= sl_buf_puts(o, "null");
		}
		rc |= sl_buf_puts(o, ",\"nearby\":[");
		for (size_t k = 0; k < x->n_nb && !rc; k++) {
			const sl_board_neighbour *n = &b->neighbours[x->first_nb + k];
			rc |= sl_buf_puts(o, k ? ",{\"site\":" : "{\"site\":");
			rc |= sl_buf_json_string(o, n->ext);
			rc |= sl_buf_puts(o, ",\"name\":");
			rc |= sl_buf_json_string(o, n->name);
			rc |= sl_buf_printf(o, ",\"distance_m\":%.0f}", n->distance_m);
		}
		rc |= sl_buf_puts(o, "]}");
	}
	rc |= sl_buf_puts(o, "]}\n");
	return rc ? SL_ENOMEM : 0;
}
