/* api.c — JSON API v1 reads: the ledger resources, KPIs, token management.
 *
 * Lists use keyset ("seek") pagination: rows are ordered by (sort key, id)
 * and the opaque cursor carries the last row's pair, so a page costs one
 * index range scan however deep it is, and concurrent inserts never shift
 * rows between pages.  Every query is a prepared statement whose WHERE
 * clause is assembled from fixed fragments; user values are only ever bound
 * as parameters.  Visibility is one more fragment chosen by the caller's
 * role, applied to lists and to single rows alike, so a row the caller may
 * not see is indistinguishable from a row that does not exist (404).
 * GeoJSON output follows RFC 7946 (FeatureCollection of Points, [lon, lat]).
 * KPIs come from kpi.h; for callers who may not see single suppliers every
 * row that covers fewer than three suppliers is suppressed (values null).
 */
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "samlast/kpi.h"
#include "internal.h"

#define MIN_SUPPLIERS 3

struct resource {
	const char *name;
	const char *select; /* columns ... FROM ... (main table aliased t) */
	const char *types;  /* one letter per column, see put_value */
	const char *day_col;
	const char *time_col; /* sortable instant column, or NULL */
	const char *time_name;
	const char *supplier_col, *carrier_col, *site_col;
	int geo; /* 1: lon/lat columns make a Point */
};

static const struct resource resources[] = {
	{"organisations",
	 "t.id, t.ext_id, t.kind, t.name, t.org_number, t.gln, t.category, t.is_local, p.ext_id AS parent "
	 "FROM organisations t LEFT JOIN organisations p ON p.id = t.parent_id",
	 "issssssbs", NULL, NULL, NULL, NULL, NULL, NULL, 0},
	{"sites",
	 "t.id, t.ext_id, o.ext_id AS org, t.name, t.unit_type, t.address, t.postcode, t.city, t.lon, t.lat, "
	 "t.gln, t.recv_from_min AS receiving_from, t.recv_to_min AS receiving_to "
	 "FROM sites t JOIN organisations o ON o.id = t.org_id",
	 "isssssssddsmm", NULL, NULL, NULL, NULL, NULL, NULL, 1},
	{"contracts",
	 "t.id, t.ext_id, s.ext_id AS supplier, t.category, t.title, t.valid_from_day AS valid_from, "
	 "t.valid_to_day AS valid_to FROM contracts t JOIN organisations s ON s.id = t.supplier_id",
	 "issssDD", NULL, NULL, NULL, "t.supplier_id", NULL, NULL, 0},
	{"vehicles",
	 "t.id, t.ext_id, c.ext_id AS carrier, t.reg_plate, t.vehicle_class, t.energy_carrier, t.euro_class, "
	 "t.capacity_kg, t.capacity_m3, t.capacity_pallets, t.temp_classes "
	 "FROM vehicles t JOIN organisations c ON c.id = t.carrier_id",
	 "isssssiddis", NULL, NULL, NULL, NULL, "t.carrier_id", NULL, 0},
	{"trips",
	 "t.id, t.ext_id, c.ext_id AS carrier, v.ext_id AS vehicle, os.ext_id AS origin_site, t.start_at, "
	 "t.end_at, t.distance_m, t.fuel_used, t.fuel_unit, t.energy_carrier "
	 "FROM trips t JOIN organisations c ON c.id = t.carrier_id LEFT JOIN vehicles v ON v.id = t.vehicle_id "
	 "LEFT JOIN sites os ON os.id = t.origin_site_id",
	 "issssttidss", "t.local_day", "t.start_at", "start_at", NULL, "t.carrier_id", NULL, 0},
	{"orders",
	 "t.id, t.ext_id, s.ext_id AS supplier, si.ext_id AS site, t.category, t.ordered_at, "
	 "t.requested_day AS requested_date, t.value_ore AS value_sek, t.line_count, k.ext_id AS contract "
	 "FROM orders t JOIN organisations s ON s.id = t.supplier_id JOIN sites si ON si.id = t.site_id "
	 "LEFT JOIN contracts k ON k.id = t.contract_id",
	 "isssstDois", "t.order_day", "t.ordered_at", "ordered_at", "t.supplier_id", NULL, "t.site_id", 0},
	{"deliveries",
	 "t.id, t.ext_id, s.ext_id AS supplier, c.ext_id AS carrier, si.ext_id AS site, v.ext_id AS vehicle, "
	 "tr.ext_id AS trip, t.stop_seq, t.status, t.delivered_at, t.parcels, t.mass_kg, t.volume_m3, "
	 "t.temp_class, t.window_from_min AS window_from, t.window_to_min AS window_to, si.lon, si.lat "
	 "FROM deliveries t JOIN organisations s ON s.id = t.supplier_id "
	 "LEFT JOIN organisations c ON c.id = t.carrier_id JOIN sites si ON si.id = t.site_id "
	 "LEFT JOIN vehicles v ON v.id = t.vehicle_id LEFT JOIN trips tr ON tr.id = t.trip_id",
	 "issssssistiddsmmdd", "t.local_day", "t.delivered_at", "delivered_at", "t.supplier_id",
	 "t.carrier_id", "t.site_id", 1},
};
#define N_RESOURCES (sizeof resources / sizeof resources[0])

static const struct resource *find_resource(const char *name)
{
	for (size_t i = 0; i < N_RESOURCES; i++)
		if (!strcmp(resources[i].name, name))
			return &resources[i];
	return NULL;
}

int sv_resource_known(const char *name)
{
	return find_resource(name) != NULL;
}

struct args_ctx {
	const char **keys, **vals;
	size_t n, cap;
};

static enum MHD_Result arg_it(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct args_ctx *a = cls;
	(void)kind;
	if (a->n < a->cap) {
		a->keys[a->n] = key;
		a->vals[a->n] = value ? value : "";
		a->n++;
	} else {
		a->n = a->cap + 1; /* too many: signalled to the caller */
		return MHD_NO;
	}
	return MHD_YES;
}

size_t sv_args(sv_req *r, const char **keys, const char **vals, size_t cap)
{
	struct args_ctx a = {keys, vals, 0, cap};
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, arg_it, &a);
	return a.n;
}

/* ---- parameters ------------------------------------------------------ */

#define MAX_ARGS 16

struct list_params {
	const char *supplier, *carrier, *site, *status, *kind, *cursor;
	int64_t from_day, to_day;
	int has_from, has_to;
	long limit;
	int sort_time; /* 1: by the time column */
	int desc;
	int geojson;
	const char *sort_text;
};

static int parse_list_params(const struct resource *res, size_t n, const char *const *keys,
			     const char *const *vals, struct list_params *p, sl_error *err)
{
	memset(p, 0, sizeof *p);
	p->limit = 100;
	if (n > MAX_ARGS)
		return sl_error_set(err, SL_EINVAL, "too many query parameters (at most %d)", MAX_ARGS);
	for (size_t i = 0; i < n; i++) {
		const char *k = keys[i], *v = vals[i];
		if (!k || !v)
			return sl_error_set(err, SL_EINVAL, "malformed query parameter");
		if (strlen(v) > 200)
			return sl_error_set(err, SL_EINVAL, "parameter '%.40s' is too long", k);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(keys[j], k))
				return sl_error_set(err, SL_EINVAL, "parameter '%.40s' is given twice", k);
		if (!strcmp(k, "supplier") && res->supplier_col)
			p->supplier = v;
		else if (!strcmp(k, "carrier") && res->carrier_col)
			p->carrier = v;
		else if (!strcmp(k, "site") && res->site_col)
			p->site = v;
		else if (!strcmp(k, "status") && !strcmp(res->name, "deliveries")) {
			if (strcmp(v, "delivered") && strcmp(v, "announced") && strcmp(v, "cancelled"))
				return sl_error_set(err, SL_EINVAL,
						    "status must be delivered, announced or cancelled");
			p->status = v;
		} else if (!strcmp(k, "kind") && !strcmp(res->name, "organisations")) {
			p->kind = v;
		} else if ((!strcmp(k, "from") || !strcmp(k, "to")) && res->day_col) {
			int64_t d;
			sl_error e2 = {0};
			if (sl_date_parse(v, &d, &e2))
				return sl_error_set(err, SL_EINVAL, "%s: '%.40s' is not a date YYYY-MM-DD (%s)",
						    k, v, e2.message);
			if (k[0] == 'f') {
				p->from_day = d;
				p->has_from = 1;
			} else {
				p->to_day = d;
				p->has_to = 1;
			}
		} else if (!strcmp(k, "limit")) {
			int64_t l;
			if (sl_parse_int64(v, &l, NULL) || l < 1 || l > 1000)
				return sl_error_set(err, SL_EINVAL, "limit must be an integer from 1 to 1000");
			p->limit = (long)l;
		} else if (!strcmp(k, "cursor")) {
			p->cursor = v;
		} else if (!strcmp(k, "sort")) {
			const char *s = v;
			p->desc = *s == '-';
			if (*s == '-')
				s++;
			if (!strcmp(s, "id"))
				p->sort_time = 0;
			else if (res->time_name && !strcmp(s, res->time_name))
				p->sort_time = 1;
			else
				return sl_error_set(err, SL_EINVAL, "sort must be id%s%s (prefix - for descending)",
						    res->time_name ? " or " : "",
						    res->time_name ? res->time_name : "");
			p->sort_text = v;
		} else if (!strcmp(k, "format")) {
			if (!strcmp(v, "geojson") && res->geo)
				p->geojson = 1;
			else if (strcmp(v, "json"))
				return sl_error_set(err, SL_EINVAL, "format must be json%s",
						    res->geo ? " or geojson" : "");
		} else {
			return sl_error_set(err, SL_EINVAL, "unknown parameter '%.40s' for %s", k, res->name);
		}
	}
	if (p->has_from && p->has_to && p->to_day < p->from_day)
		return sl_error_set(err, SL_EINVAL, "to is before from");
	return 0;
}

int sl_server_check_params(const char *resource, size_t n, const char *const *keys,
			   const char *const *values, sl_error *err)
{
	const struct resource *res = resource ? find_resource(resource) : NULL;
	if (!res)
		return sl_error_set(err, SL_EINVAL, "unknown resource");
	struct list_params p;
	return parse_list_params(res, n, keys, values, &p, err);
}

/* Cursor: URL-safe base64 of "<sort>|<key>|<id>". */
static int cursor_encode(const char *sort, int64_t key, int64_t id, char *out, size_t cap)
{
	char raw[96];
	int n = snprintf(raw, sizeof raw, "%s|%lld|%lld", sort, (long long)key, (long long)id);
	if (n < 0 || (size_t)n >= sizeof raw || cap < sodium_base64_ENCODED_LEN(
			(size_t)n, sodium_base64_VARIANT_URLSAFE_NO_PADDING))
		return -1;
	sodium_bin2base64(out, cap, (const unsigned char *)raw, (size_t)n,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return 0;
}

static int cursor_decode(const char *c, const char *sort, int64_t *key, int64_t *id)
{
	unsigned char raw[97];
	size_t len;
	if (strlen(c) > 128 || sodium_base642bin(raw, sizeof raw - 1, c, strlen(c), NULL, &len, NULL,
						 sodium_base64_VARIANT_URLSAFE_NO_PADDING))
		return -1;
	raw[len] = 0;
	char *s = (char *)raw;
	char *b1 = strchr(s, '|');
	if (!b1)
		return -1;
	*b1 = 0;
	if (strcmp(s, sort))
		return -1;
	char *b2 = strchr(b1 + 1, '|');
	if (!b2)
		return -1;
	*b2 = 0;
	if (sl_parse_int64(b1 + 1, key, NULL) || sl_parse_int64(b2 + 1, id, NULL))
		return -1;
	return 0;
}

/* ---- visibility ------------------------------------------------------ */

/* The WHERE fragment limiting `res` to what the caller may see (bound with
 * ?1 = org id), "" for everything, or NULL when the role may not read the
 * resource at all. */
static const char *visibility(const sv_req *r, const struct resource *res)
{
	switch (r->role) {
	case SL_ROLE_ADMIN:
	case SL_ROLE_CITY:
		return "";
	case SL_ROLE_SUPPLIER:
		if (!strcmp(res->name, "organisations"))
			return "(t.kind <> 'supplier' OR t.id = ?1)";
		if (!strcmp(res->name, "sites"))
			return "(o.kind <> 'supplier' OR t.org_id = ?1)";
		if (!strcmp(res->name, "contracts") || !strcmp(res->name, "orders"))
			return "t.supplier_id = ?1";
		if (!strcmp(res->name, "deliveries"))
			return "(t.supplier_id = ?1 OR t.carrier_id = ?1)";
		if (!strcmp(res->name, "vehicles") || !strcmp(res->name, "trips"))
			return "t.carrier_id = ?1";
		return NULL;
	case SL_ROLE_UNIT:
		if (!strcmp(res->name, "organisations"))
			return "(t.kind <> 'supplier' OR t.id IN (SELECT supplier_id FROM deliveries WHERE site_id IN (SELECT id FROM sites WHERE org_id = ?1)))";
		if (!strcmp(res->name, "sites"))
			return "t.org_id = ?1";
		if (!strcmp(res->name, "orders") || !strcmp(res->name, "deliveries"))
			return "t.site_id IN (SELECT id FROM sites WHERE org_id = ?1)";
		return NULL;
	default:
		return NULL;
	}
}

/* ---- output ---------------------------------------------------------- */

static int put_value(sl_buf *b, sl_stmt *q, int col, char type)
{
	if (sl_stmt_is_null(q, col))
		return sl_buf_puts(b, "null");
	char tmp[40];
	switch (type) {
	case 'i':
		return sl_buf_printf(b, "%lld", (long long)sl_stmt_int64(q, col));
	case 'b':
		return sl_buf_puts(b, sl_stmt_int64(q, col) ? "true" : "false");
	case 'd': {
		double d = sl_stmt_double(q, col);
		return isfinite(d) ? sl_buf_printf(b, "%.15g", d) : sl_buf_puts(b, "null");
	}
	case 'o': {
		int64_t ore = sl_stmt_int64(q, col);
		return sl_buf_printf(b, "%s%lld.%02lld", ore < 0 ? "-" : "",
				     (long long)(ore < 0 ? -ore : ore) / 100,
				     (long long)(ore < 0 ? -ore : ore) % 100);
	}
	case 't':
		return sl_buf_json_string(b, sl_time_format_local(sl_stmt_int64(q, col), tmp, sizeof tmp));
	case 'D':
		return sl_buf_json_string(b, sl_date_format(sl_stmt_int64(q, col), tmp, sizeof tmp));
	case 'm': {
		int64_t m = sl_stmt_int64(q, col);
		snprintf(tmp, sizeof tmp, "%02lld:%02lld", (long long)(m / 60), (long long)(m % 60));
		return sl_buf_json_string(b, tmp);
	}
	default:
		return sl_buf_json_string(b, sl_stmt_text(q, col));
	}
}

static int put_row(sl_buf *b, sl_stmt *q, const struct resource *res, int geo)
{
	int nc = (int)strlen(res->types);
	int rc = 0;
	if (geo) {
		int ilon = -1, ilat = -1;
		for (int c = 0; c < nc; c++) {
			const char *nm = sl_stmt_column_name(q, c);
			if (!strcmp(nm, "lon"))
				ilon = c;
			else if (!strcmp(nm, "lat"))
				ilat = c;
		}
		rc |= sl_buf_printf(b, "{\"type\":\"Feature\",\"id\":%lld,\"geometry\":{\"type\":\"Point\","
				       "\"coordinates\":[%.7f,%.7f]},\"properties\":{",
				    (long long)sl_stmt_int64(q, 0), sl_stmt_double(q, ilon),
				    sl_stmt_double(q, ilat));
		int first = 1;
		for (int c = 0; c < nc && !rc; c++) {
			if (c == ilon || c == ilat)
				continue;
			rc |= sl_buf_printf(b, "%s\"%s\":", first ? "" : ",", sl_stmt_column_name(q, c));
			rc |= put_value(b, q, c, res->types[c]);
			first = 0;
		}
		rc |= sl_buf_puts(b, "}}");
		return rc;
	}
	rc |= sl_buf_putc(b, '{');
	for (int c = 0; c < nc && !rc; c++) {
		rc |= sl_buf_printf(b, "%s\"%s\":", c ? "," : "", sl_stmt_column_name(q, c));
		rc |= put_value(b, q, c, res->types[c]);
	}
	rc |= sl_buf_putc(b, '}');
	return rc;
}

/* ---- lists and single rows ------------------------------------------- */

enum { P_TEXT, P_INT };
struct bind {
	int type;
	const char *text;
	int64_t i;
};

enum MHD_Result sv_api_list(sv_req *r, const char *resource, const char *id)
{
	const struct resource *res = find_resource(resource);
	if (!res)
		return sv_problem(r, 404, "no such resource", NULL);
	const char *vis = visibility(r, res);
	if (!vis) {
		if (!r->token_id)
			return sv_problem(r, 401, "this resource needs a bearer token", NULL);
		return sv_problem(r, 403, "this token may not read this resource", NULL);
	}
	const char *keys[MAX_ARGS + 1], *vals[MAX_ARGS + 1];
	size_t n = sv_args(r, keys, vals, MAX_ARGS);
	struct list_params p;
	sl_error err = {0};
	if (parse_list_params(res, n, keys, vals, &p, &err))
		return sv_problem(r, 400, err.message, NULL);
	int64_t item_id = 0;
	if (id) {
		if (sl_parse_int64(id, &item_id, NULL) || item_id <= 0)
			return sv_problem(r, 404, "no such row", NULL);
	}
	const char *accept = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	if (accept && strstr(accept, "application/geo+json") && res->geo)
		p.geojson = 1;

	const char *sort_expr = p.sort_time ? res->time_col : "t.id";
	const char *sort_name = p.sort_text ? p.sort_text : "id";
	struct bind binds[16];
	int nb = 0;
	sl_buf sql = {0};
	int mrc = sl_buf_printf(&sql, "SELECT %s, %s AS _k FROM %s WHERE 1=1", res->select, sort_expr,
				"");
	/* res->select already has FROM: rebuild properly. */
	sl_buf_reset(&sql);
	const char *from = strstr(res->select, " FROM ");
	mrc = sl_buf_append(&sql, "SELECT ", 7);
	mrc |= sl_buf_append(&sql, res->select, (size_t)(from - res->select));
	mrc |= sl_buf_printf(&sql, ", %s AS _k%s WHERE 1=1", sort_expr, from);
	binds[nb++] = (struct bind){P_INT, NULL, r->org_id}; /* ?1 */
	if (*vis)
		mrc |= sl_buf_printf(&sql, " AND %s", vis);
	else
		mrc |= sl_buf_puts(&sql, " AND ?1 IS NOT NULL");
#define ADD_TEXT(fmt, val)                                                       \
	do {                                                                     \
		binds[nb] = (struct bind){P_TEXT, (val), 0};                     \
		nb++;                                                            \
		mrc |= sl_buf_printf(&sql, fmt, nb);                             \
	} while (0)
#define ADD_INT(fmt, val)                                                        \
	do {                                                                     \
		binds[nb] = (struct bind){P_INT, NULL, (val)};                   \
		nb++;                                                            \
		mrc |= sl_buf_printf(&sql, fmt, nb);                             \
	} while (0)
	if (item_id)
		ADD_INT(" AND t.id = ?%d", item_id);
	if (p.supplier) {
		mrc |= sl_buf_printf(&sql, " AND %s", res->supplier_col);
		ADD_TEXT(" = (SELECT id FROM organisations WHERE ext_id = ?%d)", p.supplier);
	}
	if (p.carrier) {
		mrc |= sl_buf_printf(&sql, " AND %s", res->carrier_col);
		ADD_TEXT(" = (SELECT id FROM organisations WHERE ext_id = ?%d)", p.carrier);
	}
	if (p.site) {
		mrc |= sl_buf_printf(&sql, " AND %s", res->site_col);
		ADD_TEXT(" = (SELECT id FROM sites WHERE ext_id = ?%d)", p.site);
	}
	if (p.status)
		ADD_TEXT(" AND t.status = ?%d", p.status);
	if (p.kind)
		ADD_TEXT(" AND t.kind = ?%d", p.kind);
	if (p.has_from) {
		mrc |= sl_buf_printf(&sql, " AND %s", res->day_col);
		ADD_INT(" >= ?%d", p.from_day);
	}
	if (p.has_to) {
		mrc |= sl_buf_printf(&sql, " AND %s", res->day_col);
		ADD_INT(" <= ?%d", p.to_day);
	}
	if (p.cursor) {
		int64_t ck, cid;
		if (cursor_decode(p.cursor, sort_name, &ck, &cid)) {
			sl_buf_free(&sql);
			return sv_problem(r, 400, "the cursor is not valid for this query", NULL);
		}
		const char *op = p.desc ? "<" : ">";
		binds[nb++] = (struct bind){P_INT, NULL, ck};
		binds[nb++] = (struct bind){P_INT, NULL, cid};
		mrc |= sl_buf_printf(&sql, " AND (%s %s ?%d OR (%s = ?%d AND t.id %s ?%d))", sort_expr, op,
				     nb - 1, sort_expr, nb - 1, op, nb);
	}
	/* ORDER BY the expression, not the alias, so SQLite walks an index */
	if (p.sort_time)
		mrc |= sl_buf_printf(&sql, " ORDER BY %s %s, t.id %s", sort_expr, p.desc ? "DESC" : "ASC",
				     p.desc ? "DESC" : "ASC");
	else
		mrc |= sl_buf_printf(&sql, " ORDER BY t.id %s", p.desc ? "DESC" : "ASC");
	mrc |= sl_buf_printf(&sql, " LIMIT %ld", id ? 1 : p.limit + 1);
	if (mrc) {
		sl_buf_free(&sql);
		return MHD_NO;
	}
	sl_store *st = sv_store_borrow(r->srv, 1);
	sl_stmt *q = NULL;
	int rc = sl_store_prepare(st, sql.data, &q, &err);
	sl_buf_free(&sql);
	if (rc) {
		sv_store_return(r->srv, st);
		return sv_problem_code(r, rc, &err);
	}
	for (int i = 0; i < nb; i++) {
		if (binds[i].type == P_TEXT)
			sl_stmt_bind_text(q, i + 1, binds[i].text);
		else
			sl_stmt_bind_int64(q, i + 1, binds[i].i);
	}
	sl_buf b = {0};
	long count = 0;
	int64_t last_k = 0, last_id = 0;
	int more = 0;
	int nc = (int)strlen(res->types);
	if (!id)
		mrc |= sl_buf_puts(&b, p.geojson ? "{\"type\":\"FeatureCollection\",\"features\":["
						 : "{\"items\":[");
	while ((rc = sl_stmt_step(q, &err)) == 1) {
		if (!id && count == p.limit) {
			more = 1;
			break;
		}
		if (count)
			mrc |= sl_buf_putc(&b, ',');
		mrc |= put_row(&b, q, res, p.geojson);
		last_k = sl_stmt_int64(q, nc);
		last_id = sl_stmt_int64(q, 0);
		count++;
	}
	sl_stmt_free(q);
	sv_store_return(r->srv, st);
	if (rc < 0) {
		sl_buf_free(&b);
		return sv_problem_code(r, rc, &err);
	}
	if (id) {
		if (count == 0) {
			sl_buf_free(&b);
			return sv_problem(r, 404, "no such row", NULL);
		}
		mrc |= sl_buf_putc(&b, '\n');
	} else {
		mrc |= sl_buf_printf(&b, "],\"count\":%ld,\"next_cursor\":", count);
		if (more) {
			char cur[200];
			if (cursor_encode(sort_name, last_k, last_id, cur, sizeof cur))
				mrc |= sl_buf_puts(&b, "null");
			else
				mrc |= sl_buf_json_string(&b, cur);
		} else {
			mrc |= sl_buf_puts(&b, "null");
		}
		mrc |= sl_buf_puts(&b, "}\n");
	}
	if (mrc) {
		sl_buf_free(&b);
		return MHD_NO;
	}
	return sv_respond(r, 200, p.geojson ? "application/geo+json" : "application/json", &b);
}

/* ---- KPIs ------------------------------------------------------------ */

enum MHD_Result sv_api_kpi_defs(sv_req *r)
{
	size_t n;
	const sl_kpi_def *d = sl_kpi_defs(&n);
	sl_buf b = {0};
	int mrc = sl_buf_putc(&b, '[');
	for (size_t i = 0; i < n; i++) {
		mrc |= sl_buf_printf(&b, "%s{\"id\":", i ? "," : "");
		mrc |= sl_buf_json_string(&b, d[i].id);
		mrc |= sl_buf_puts(&b, ",\"name_en\":");
		mrc |= sl_buf_json_string(&b, d[i].name_en);
		mrc |= sl_buf_puts(&b, ",\"name_sv\":");
		mrc |= sl_buf_json_string(&b, d[i].name_sv);
		mrc |= sl_buf_puts(&b, ",\"unit\":");
		mrc |= sl_buf_json_string(&b, d[i].unit);
		mrc |= sl_buf_puts(&b, ",\"description\":");
		mrc |= sl_buf_json_string(&b, d[i].description);
		mrc |= sl_buf_printf(&b, ",\"decimals\":%d,\"higher_is_better\":%d}", d[i].decimals,
				     d[i].higher_is_better);
	}
	mrc |= sl_buf_puts(&b, "]\n");
	if (mrc) {
		sl_buf_free(&b);
		return MHD_NO;
	}
	return sv_respond(r, 200, "application/json", &b);
}

/* Distinct suppliers delivering in [from, to] (to one site when site_ext). */
static int64_t suppliers_in(sl_stmt *q, int64_t from, int64_t to, const char *site_ext)
{
	sl_stmt_reset(q);
	sl_stmt_bind_int64(q, 1, from);
	sl_stmt_bind_int64(q, 2, to);
	sl_stmt_bind_text(q, 3, site_ext);
	int64_t n = 0;
	if (sl_stmt_step(q, NULL) == 1)
		n = sl_stmt_int64(q, 0);
	return n;
}

static void suppress(sl_kpi_row *row, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		row->value[i] = NAN;
		if (row->baseline)
			row->baseline[i] = NAN;
		if (row->change_pct)
			row->change_pct[i] = NAN;
	}
}

enum MHD_Result sv_api_kpis(sv_req *r)
{
	const char *keys[MAX_ARGS + 1], *vals[MAX_ARGS + 1];
	size_t n = sv_args(r, keys, vals, MAX_ARGS);
	if (n > MAX_ARGS)
		return sv_problem(r, 400, "too many query parameters", NULL);
	sl_kpi_query q;
	sl_kpi_query_init(&q);
	sl_error err = {0};
	int csv = 0;
	char sep = ',';
	int has_bf = 0, has_bt = 0;
	for (size_t i = 0; i < n; i++) {
		const char *k = keys[i], *v = vals[i];
		if (strlen(v) > 400)
			return sv_problem(r, 400, "a parameter is too long", NULL);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(keys[j], k))
				return sv_problem(r, 400, "a parameter is given twice", NULL);
		int64_t *day = NULL;
		if (!strcmp(k, "from"))
			day = &q.from_day;
		else if (!strcmp(k, "to"))
			day = &q.to_day;
		else if (!strcmp(k, "baseline_from")) {
			day = &q.baseline_from_day;
			has_bf = 1;
		} else if (!strcmp(k, "baseline_to")) {
			day = &q.baseline_to_day;
			has_bt = 1;
		}
		if (day) {
			sl_error e2 = {0};
			if (sl_date_parse(v, day, &e2)) {
				char msg[300];
				snprintf(msg, sizeof msg, "%s: '%.40s' is not a date YYYY-MM-DD", k, v);
				return sv_problem(r, 400, msg, NULL);
			}
		} else if (!strcmp(k, "unit")) {
			q.unit = v;
		} else if (!strcmp(k, "supplier")) {
			q.supplier = v;
		} else if (!strcmp(k, "by")) {
			if (sl_kpi_group_parse(v, &q.by, &err))
				return sv_problem(r, 400, err.message, NULL);
		} else if (!strcmp(k, "kpi")) {
			q.only = v;
		} else if (!strcmp(k, "small_order_sek")) {
			int64_t ore;
			if (sl_parse_money_ore(v, 0, &ore, NULL) || ore < 0)
				return sv_problem(r, 400, "small_order_sek must be an amount in SEK", NULL);
			q.small_order_ore = ore;
		} else if (!strcmp(k, "tolerance_min")) {
			int64_t t;
			if (sl_parse_int64(v, &t, NULL) || t < 0 || t > 1440)
				return sv_problem(r, 400, "tolerance_min must be 0..1440", NULL);
			q.punctuality_tolerance_min = (int)t;
		} else if (!strcmp(k, "format")) {
			if (!strcmp(v, "csv"))
				csv = 1;
			else if (!strcmp(v, "csv-sv")) {
				csv = 1;
				sep = ';';
			} else if (strcmp(v, "json"))
				return sv_problem(r, 400, "format must be json, csv or csv-sv", NULL);
		} else {
			char msg[200];
			snprintf(msg, sizeof msg, "unknown parameter '%.40s' for kpis", k);
			return sv_problem(r, 400, msg, NULL);
		}
	}
	if (has_bf != has_bt)
		return sv_problem(r, 400, "give both baseline_from and baseline_to, or neither", NULL);

	/* Who may see single suppliers? */
	int restricted = 1;
	if (r->role == SL_ROLE_ADMIN || r->role == SL_ROLE_CITY)
		restricted = 0;
	else if (r->role == SL_ROLE_SUPPLIER && q.supplier && !strcmp(q.supplier, r->org_ext))
		restricted = 0;
	if (restricted && (q.supplier || q.by == SL_KPI_BY_SUPPLIER)) {
		if (!r->token_id)
			return sv_problem(r, 401, "KPIs per supplier need a bearer token", NULL);
		return sv_problem(r, 403,
				  "this token may see single suppliers' KPIs only for its own organisation",
				  NULL);
	}
	sl_server *srv = r->srv;
	char key[600];
	size_t kl = (size_t)snprintf(key, sizeof key, "%d", restricted);
	for (size_t i = 0; i < n && kl < sizeof key; i++)
		kl += (size_t)snprintf(key + kl, sizeof key - kl, "|%s=%s", keys[i], vals[i]);
	int cacheable = kl < sizeof key - 1;
	sl_store *st = sv_store_borrow(srv, 1);
	int64_t version = -1;
	if (cacheable) {
		sl_stmt *vq = sv_cached_stmt(srv, st, SV_STMT_VERSION, SV_VERSION_SQL);
		if (vq && sl_stmt_step(vq, NULL) == 1)
			version = sl_stmt_int64(vq, 0);
		else
			cacheable = 0;
		if (vq)
			sl_stmt_reset(vq);
	}
	if (cacheable) {
		sl_buf hit = {0};
		int found = 0, hit_csv = 0;
		pthread_mutex_lock(&srv->c_mu);
		for (size_t i = 0; i < sizeof srv->cache / sizeof srv->cache[0]; i++) {
			struct sv_cache_entry *e = &srv->cache[i];
			if (e->body && e->version == version && !strcmp(e->key, key)) {
				found = !sl_buf_append(&hit, e->body, e->len);
				hit_csv = e->csv;
				e->used = ++srv->cache_clock;
				break;
			}
		}
		pthread_mutex_unlock(&srv->c_mu);
		if (found) {
			sv_store_return(srv, st);
			return sv_respond(r, 200, hit_csv ? "text/csv; charset=utf-8" : "application/json", &hit);
		}
		sl_buf_free(&hit);
	}
	sl_kpi_result *res = NULL;
	int rc = sl_kpi_compute(st, &q, &res, &err);
	if (rc) {
		sv_store_return(r->srv, st);
		if (rc == SL_ENOTFOUND)
			return sv_problem(r, 400, err.message, NULL);
		return sv_problem_code(r, rc, &err);
	}
	if (restricted) {
		sl_stmt *cq = NULL;
		rc = sl_store_prepare(st,
				      "SELECT COUNT(DISTINCT d.supplier_id) FROM deliveries d "
				      "WHERE d.local_day BETWEEN ?1 AND ?2 AND (?3 IS NULL OR d.site_id = "
				      "(SELECT id FROM sites WHERE ext_id = ?3))",
				      &cq, &err);
		if (rc) {
			sv_store_return(r->srv, st);
			sl_kpi_result_free(res);
			return sv_problem_code(r, rc, &err);
		}
		for (size_t i = 0; i < res->n_rows; i++) {
			sl_kpi_row *row = &res->rows[i];
			const char *site = q.by == SL_KPI_BY_UNIT ? row->key : q.unit;
			if (suppliers_in(cq, row->from_day, row->to_day, site) < MIN_SUPPLIERS)
				suppress(row, res->n_kpis);
		}
		if (suppliers_in(cq, res->total.from_day, res->total.to_day, q.unit) < MIN_SUPPLIERS)
			suppress(&res->total, res->n_kpis);
		sl_stmt_free(cq);
	}
	sv_store_return(r->srv, st);
	sl_buf b = {0};
	int mrc = csv ? sl_kpi_write_csv(res, sep, &b) : sl_kpi_write_json(res, &b);
	sl_kpi_result_free(res);
	if (mrc) {
		sl_buf_free(&b);
		return MHD_NO;
	}
	if (cacheable) {
		char *copy = malloc(b.len + 1);
		if (copy) {
			memcpy(copy, b.data, b.len + 1);
			pthread_mutex_lock(&srv->c_mu);
			struct sv_cache_entry *victim = &srv->cache[0];
			for (size_t i = 0; i < sizeof srv->cache / sizeof srv->cache[0]; i++) {
				if (!srv->cache[i].body) {
					victim = &srv->cache[i];
					break;
				}
				if (srv->cache[i].used < victim->used)
					victim = &srv->cache[i];
			}
			free(victim->body);
			snprintf(victim->key, sizeof victim->key, "%s", key);
			victim->version = version;
			victim->body = copy;
			victim->len = b.len;
			victim->csv = csv;
			victim->used = ++srv->cache_clock;
			pthread_mutex_unlock(&srv->c_mu);
		}
	}
	return sv_respond(r, 200, csv ? "text/csv; charset=utf-8" : "application/json", &b);
}

/* ---- token management ------------------------------------------------ */

enum MHD_Result sv_api_tokens(sv_req *r, const char *id)
{
	if (r->role != SL_ROLE_ADMIN) {
		if (!r->token_id)
			return sv_problem(r, 401, "token management needs an admin token", NULL);
		return sv_problem(r, 403, "token management needs an admin token", NULL);
	}
	sl_error err = {0};
	int rc;
	if (id) {
		if (strcmp(r->method, "DELETE"))
			return sv_problem(r, 405, "a token is revoked with DELETE", NULL);
		int64_t tid;
		if (sl_parse_int64(id, &tid, NULL) || tid <= 0)
			return sv_problem(r, 404, "no such token", NULL);
		sl_store *st = sv_store_borrow(r->srv, 1);
		rc = sl_store_begin(st, &err);
		if (!rc)
			rc = sl_server_token_revoke(st, tid, &err);
		if (!rc) {
			char ids[64];
			snprintf(ids, sizeof ids, "{\"token_id\":%lld}", (long long)tid);
			rc = sv_audit(st, r, "token.revoke", "api_tokens", ids, NULL, &err);
		}
		if (!rc)
			rc = sl_store_commit(st, &err);
		else
			sl_store_rollback(st);
		sv_store_return(r->srv, st);
		if (rc)
			return sv_problem_code(r, rc, &err);
		return sv_respond(r, 204, NULL, NULL);
	}
	if (!strcmp(r->method, "GET")) {
		sl_buf b = {0};
		sl_store *st = sv_store_borrow(r->srv, 1);
		rc = sl_server_token_list_json(st, &b, &err);
		sv_store_return(r->srv, st);
		if (rc) {
			sl_buf_free(&b);
			return sv_problem_code(r, rc, &err);
		}
		return sv_respond(r, 200, "application/json", &b);
	}
	if (strcmp(r->method, "POST"))
		return sv_problem(r, 405, "tokens are listed with GET and created with POST", NULL);
	json_error_t jerr;
	json_t *j = r->body.len ? json_loadb(r->body.data, r->body.len, 0, &jerr) : NULL;
	if (!j || !json_is_object(j)) {
		json_decref(j);
		return sv_problem(r, 400, "the body must be a JSON object {\"role\":…,\"org\":…}", NULL);
	}
	const char *role_s = json_string_value(json_object_get(j, "role"));
	const char *org = json_string_value(json_object_get(j, "org"));
	const char *label = json_string_value(json_object_get(j, "label"));
	const char *expires = json_string_value(json_object_get(j, "expires"));
	const char *key;
	json_t *val;
	char msg[300] = "";
	json_object_foreach(j, key, val)
	{
		if (strcmp(key, "role") && strcmp(key, "org") && strcmp(key, "label") &&
		    strcmp(key, "expires") && !msg[0])
			snprintf(msg, sizeof msg, "unknown member '%.40s' (use role, org, label, expires)", key);
		else if (!json_is_string(val) && !json_is_null(val) && !msg[0])
			snprintf(msg, sizeof msg, "member '%.40s' must be a string", key);
	}
	sl_role role;
	int64_t exp_day = 0;
	if (!msg[0] && sl_role_parse(role_s, &role, &err))
		snprintf(msg, sizeof msg, "%.250s", err.message);
	if (!msg[0] && expires && sl_date_parse(expires, &exp_day, NULL))
		snprintf(msg, sizeof msg, "expires must be a date YYYY-MM-DD");
	if (msg[0]) {
		json_decref(j);
		return sv_problem(r, 400, msg, NULL);
	}
	char token[96];
	int64_t tid = 0;
	sl_store *st = sv_store_borrow(r->srv, 1);
	rc = sl_store_begin(st, &err);
	if (!rc)
		rc = sl_server_token_create(st, org, role, expires ? sl_local_to_utc(exp_day, 0) : 0,
					    label, token, sizeof token, &tid, &err);
	if (!rc) {
		char ids[64];
		snprintf(ids, sizeof ids, "{\"token_id\":%lld}", (long long)tid);
		rc = sv_audit(st, r, "token.create", "api_tokens", ids, NULL, &err);
	}
	if (!rc)
		rc = sl_store_commit(st, &err);
	else
		sl_store_rollback(st);
	sv_store_return(r->srv, st);
	json_decref(j);
	if (rc)
		return sv_problem(r, rc == SL_ESTORE ? 503 : 400, err.message, NULL);
	sl_buf b = {0};
	if (sl_buf_printf(&b, "{\"id\":%lld,\"role\":\"%s\",\"token\":\"%s\"}\n", (long long)tid,
			  sl_role_name(role), token)) {
		sl_buf_free(&b);
		return MHD_NO;
	}
	sodium_memzero(token, sizeof token);
	return sv_respond(r, 201, "application/json", &b);
}
