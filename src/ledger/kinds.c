/* kinds.c — the seven importable kinds: their columns, checks and upserts.
 *
 * Each kind is a field table (name, type, required) plus an apply function
 * that converts a row, checks ranges and references, and upserts it keyed
 * by (owner, ext_id).  Orders are special: the file has one row per order
 * line, and the lines of one order must be adjacent; they are buffered and
 * written as one order when the next order starts or the input ends. */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const ORG_KINDS[] = {"city", "unit", "supplier", "carrier", "other", NULL};
static const char *const UNIT_TYPES[] = {"school", "preschool", "care_home", "central_kitchen",
					 "office", "depot", "hub", "other", NULL};
static const char *const VEHICLE_CLASSES[] = {"van_lt_3.5t", "rigid_3.5_7.5t", "rigid_7.5_12t",
					      "rigid_12_20t", "rigid_20_26t", "articulated_34_40t", NULL};
static const char *const ENERGY[] = {"diesel_b7", "hvo100", "fame100", "petrol", "cng", "cbg",
				     "lng", "lbg", "electricity", "hydrogen", "ed95", NULL};
static const char *const FUEL_UNITS[] = {"l", "kg", "kWh", "MJ", NULL};
static const char *const TEMP[] = {"ambient", "chilled", "frozen", "mixed", NULL};
static const char *const STATUS[] = {"delivered", "announced", "cancelled", NULL};

#define FIELDS(a) a, (int)(sizeof a / sizeof a[0])

/* Does a value of column fi exist (non-empty)? */
static int has(const struct lrow *r, int fi)
{
	return r->v[fi] && *r->v[fi];
}

/* Resolve an organisation reference in column fi; 0 and an error if unknown
 * or of the wrong kind: a "supplier" must be a supplier, a "carrier" a
 * carrier or a supplier that carries its own goods. */
static int64_t need_org(struct lctx *c, struct lrow *r, int fi, const char *what)
{
	if (!has(r, fi))
		return 0;
	int64_t id = ref_org(c, r->v[fi]);
	if (!id) {
		lrow_error(c, r, fi, "unknown %s '%s' (import it under organisations first)", what, r->v[fi]);
		return 0;
	}
	const char *k = strcmp(what, "supplier") == 0 || strcmp(what, "carrier") == 0 ? org_kind(c, id) : NULL;
	if (k && strcmp(k, "supplier") != 0 && (strcmp(what, "supplier") == 0 || strcmp(k, "carrier") != 0)) {
		lrow_error(c, r, fi, "'%s' is a %s organisation, not a %s", r->v[fi], *k ? k : "?", what);
		return 0;
	}
	return id;
}

/* Convert every column of a row; 1 when any had an error. */
static int conv_all(struct lctx *c, struct lrow *r, struct val *v, int n)
{
	int bad = 0;
	for (int i = 0; i < n; i++)
		bad |= conv(c, r, i, &v[i]) != 0;
	return bad;
}

/* A from/to pair of times of day: both or neither, and from before to. */
static int check_window(struct lctx *c, struct lrow *r, const struct val *v, int from, int to)
{
	const struct field *f = ledger_kind_spec(c->o->kind)->fields;
	if ((v[from].t == V_NULL) != (v[to].t == V_NULL)) {
		lrow_error(c, r, v[from].t == V_NULL ? from : to, "give both %s and %s, or neither",
			   f[from].name, f[to].name);
		return 1;
	}
	if (v[from].t == V_INT && v[from].i >= v[to].i) {
		lrow_error(c, r, to, "%s must be after %s", f[to].name, f[from].name);
		return 1;
	}
	return 0;
}

/* Resolve a carrier-owned vehicle or trip in column fi into *out (V_NULL when
 * the column is empty); 1 and an error when unknown. */
static int owned_ref(struct lctx *c, struct lrow *r, int fi, int carrier_fi, int64_t carrier,
		     const char *table, struct val *out)
{
	*out = (struct val){V_NULL, 0, 0, NULL};
	if (!carrier || !has(r, fi))
		return 0;
	int64_t id = ref_owned(c, table, carrier, r->v[fi]);
	if (!id) {
		lrow_error(c, r, fi, "unknown %.*s '%s' of carrier '%s'", (int)strlen(table) - 1, table,
			   r->v[fi], r->v[carrier_fi]);
		return 1;
	}
	*out = (struct val){V_INT, id, 0, NULL};
	return 0;
}

static int check_nonneg(struct lctx *c, struct lrow *r, int fi, const struct val *v)
{
	if ((v->t == V_REAL && v->d < 0) || (v->t == V_INT && v->i < 0)) {
		lrow_error(c, r, fi, "%s must not be negative", ledger_kind_spec(c->o->kind)->fields[fi].name);
		return -1;
	}
	return 0;
}

static int restricted(struct lctx *c, struct lrow *r, int fi, int64_t owner)
{
	if (c->restrict_org_id && owner && owner != c->restrict_org_id) {
		lrow_error(c, r, fi, "row belongs to '%s', not to '%s'", r->v[fi], c->o->restrict_org);
		return 1;
	}
	return 0;
}

static void count(struct lctx *c, int up)
{
	if (up == UP_INSERTED)
		c->res->inserted++;
	else if (up == UP_UPDATED)
		c->res->updated++;
	else if (up == UP_UNCHANGED)
		c->res->unchanged++;
}

/* Store failures during an upsert are reported on the row (a constraint the
 * checks missed) so the batch is rejected rather than half-written. */
static int finish_upsert(struct lctx *c, struct lrow *r, int up, const sl_error *e)
{
	if (up < 0) {
		lrow_error(c, r, -1, "could not store the row: %s", e->message);
		return up == SL_ECONFLICT ? 0 : up;
	}
	count(c, up);
	return 0;
}

static int dup_check(struct lctx *c, struct lrow *r, int fi, int64_t owner)
{
	if (batch_seen(c, ledger_kind_spec(c->o->kind)->name, owner, r->v[fi])) {
		lrow_error(c, r, fi, "duplicate id '%s' in this batch", r->v[fi]);
		return -1;
	}
	return 0;
}

/* ---- organisations ------------------------------------------------------ */

enum { O_ID, O_KIND, O_NAME, O_ORGNR, O_GLN, O_CAT, O_LOCAL, O_PARENT };
static const struct field org_fields[] = {
	{"id", F_ID, 1, NULL}, {"kind", F_ENUM, 1, ORG_KINDS}, {"name", F_TEXT, 1, NULL},
	{"org_number", F_TEXT, 0, NULL}, {"gln", F_GLN, 0, NULL}, {"category", F_TEXT, 0, NULL},
	{"is_local", F_BOOL, 0, NULL}, {"parent", F_ID, 0, NULL},
};

static int org_number_ok(const char *s)
{
	/* NNNNNN-NNNN (Swedish organisationsnummer), Luhn-checked */
	if (strlen(s) != 11 || s[6] != '-')
		return 0;
	int sum = 0;
	for (int i = 0, k = 0; i < 11; i++) {
		if (i == 6)
			continue;
		if (s[i] < '0' || s[i] > '9')
			return 0;
		int d = (s[i] - '0') * (k % 2 == 0 ? 2 : 1);
		sum += d > 9 ? d - 9 : d;
		k++;
	}
	return sum % 10 == 0;
}

static int apply_org(struct lctx *c, struct lrow *r)
{
	struct val v[8];
	int bad = conv_all(c, r, v, 8);
	if (v[O_ORGNR].t == V_TEXT && !org_number_ok(v[O_ORGNR].s)) {
		lrow_error(c, r, O_ORGNR, "'%s' is not a valid organisation number NNNNNN-NNNN", v[O_ORGNR].s);
		bad = 1;
	}
	struct val parent = {V_NULL, 0, 0, NULL};
	if (has(r, O_PARENT)) {
		int64_t p = need_org(c, r, O_PARENT, "parent organisation");
		if (!p)
			bad = 1;
		parent = (struct val){V_INT, p, 0, NULL};
	}
	if (v[O_LOCAL].t == V_NULL)
		v[O_LOCAL] = (struct val){V_INT, 0, 0, NULL};
	if (bad || dup_check(c, r, O_ID, 0))
		return 0;
	static const char *const cols[] = {"ext_id", "kind", "name", "org_number", "gln", "category",
					   "is_local", "parent_id"};
	struct val vals[] = {v[O_ID], v[O_KIND], v[O_NAME], v[O_ORGNR], v[O_GLN], v[O_CAT], v[O_LOCAL], parent};
	int64_t id;
	sl_error e;
	return finish_upsert(c, r, upsert(c, "organisations", cols, vals, 1, 8, NULL, &id, &e), &e);
}

/* ---- sites -------------------------------------------------------------- */

enum { S_ID, S_ORG, S_NAME, S_TYPE, S_ADDR, S_POST, S_CITY, S_LON, S_LAT, S_GLN, S_DAYS, S_FROM, S_TO };
static const struct field site_fields[] = {
	{"id", F_ID, 1, NULL}, {"org", F_ID, 1, NULL}, {"name", F_TEXT, 1, NULL},
	{"unit_type", F_ENUM, 1, UNIT_TYPES}, {"address", F_TEXT, 0, NULL}, {"postcode", F_TEXT, 0, NULL},
	{"city", F_TEXT, 0, NULL}, {"lon", F_REAL, 1, NULL}, {"lat", F_REAL, 1, NULL},
	{"gln", F_GLN, 0, NULL}, {"receiving_days", F_DAYS, 0, NULL},
	{"receiving_from", F_HHMM, 0, NULL}, {"receiving_to", F_HHMM, 0, NULL},
};

static int apply_site(struct lctx *c, struct lrow *r)
{
	struct val v[13];
	int bad = conv_all(c, r, v, 13);
	if (v[S_LON].t == V_REAL && (v[S_LON].d < -180 || v[S_LON].d > 180)) {
		lrow_error(c, r, S_LON, "longitude %g is out of range -180..180", v[S_LON].d);
		bad = 1;
	}
	if (v[S_LAT].t == V_REAL && (v[S_LAT].d < -90 || v[S_LAT].d > 90)) {
		lrow_error(c, r, S_LAT, "latitude %g is out of range -90..90", v[S_LAT].d);
		bad = 1;
	}
	bad |= check_window(c, r, v, S_FROM, S_TO);
	int64_t org = need_org(c, r, S_ORG, "organisation");
	if (!org)
		bad = 1;
	if (v[S_DAYS].t == V_NULL)
		v[S_DAYS] = (struct val){V_INT, 31, 0, NULL};
	if (bad || dup_check(c, r, S_ID, 0))
		return 0;
	static const char *const cols[] = {"ext_id", "org_id", "name", "unit_type", "address", "postcode",
					   "city", "lon", "lat", "gln", "recv_days", "recv_from_min",
					   "recv_to_min"};
	struct val vals[13];
	memcpy(vals, v, sizeof vals);
	vals[S_ORG] = (struct val){V_INT, org, 0, NULL};
	int64_t id;
	sl_error e;
	return finish_upsert(c, r, upsert(c, "sites", cols, vals, 1, 13, NULL, &id, &e), &e);
}

/* ---- contracts ---------------------------------------------------------- */

enum { C_ID, C_SUP, C_CAT, C_TITLE, C_FROM, C_TO };
static const struct field contract_fields[] = {
	{"id", F_ID, 1, NULL}, {"supplier", F_ID, 1, NULL}, {"category", F_TEXT, 1, NULL},
	{"title", F_TEXT, 0, NULL}, {"valid_from", F_DATE, 1, NULL}, {"valid_to", F_DATE, 0, NULL},
};

static int apply_contract(struct lctx *c, struct lrow *r)
{
	struct val v[6];
	int bad = conv_all(c, r, v, 6);
	if (v[C_FROM].t == V_INT && v[C_TO].t == V_INT && v[C_TO].i < v[C_FROM].i) {
		lrow_error(c, r, C_TO, "valid_to is before valid_from");
		bad = 1;
	}
	int64_t sup = need_org(c, r, C_SUP, "supplier");
	if (!sup)
		bad = 1;
	if (bad || dup_check(c, r, C_ID, 0))
		return 0;
	static const char *const cols[] = {"ext_id", "supplier_id", "category", "title", "valid_from_day",
					   "valid_to_day"};
	struct val vals[6];
	memcpy(vals, v, sizeof vals);
	vals[C_SUP] = (struct val){V_INT, sup, 0, NULL};
	int64_t id;
	sl_error e;
	return finish_upsert(c, r, upsert(c, "contracts", cols, vals, 1, 6, NULL, &id, &e), &e);
}

/* ---- vehicles ----------------------------------------------------------- */

enum { V_ID, V_CARRIER, V_PLATE, V_CLASS, V_ENERGY, V_EURO, V_KG, V_M3, V_PAL, V_TEMPS };
static const struct field vehicle_fields[] = {
	{"id", F_ID, 1, NULL}, {"carrier", F_ID, 1, NULL}, {"reg_plate", F_TEXT, 0, NULL},
	{"vehicle_class", F_ENUM, 1, VEHICLE_CLASSES}, {"energy_carrier", F_ENUM, 1, ENERGY},
	{"euro_class", F_INT, 0, NULL}, {"capacity_kg", F_REAL, 0, NULL}, {"capacity_m3", F_REAL, 0, NULL},
	{"capacity_pallets", F_INT, 0, NULL}, {"temp_classes", F_TEXT, 0, NULL},
};

static int temps_ok(const char *s)
{
	for (const char *p = s;;) {
		size_t n = strcspn(p, "|");
		int ok = 0;
		for (const char *const *v = TEMP; *v; v++)
			ok |= strlen(*v) == n && strncmp(p, *v, n) == 0 && strcmp(*v, "mixed") != 0;
		if (!ok)
			return 0;
		if (!p[n])
			return 1;
		p += n + 1;
	}
}

static int apply_vehicle(struct lctx *c, struct lrow *r)
{
	struct val v[10];
	int bad = conv_all(c, r, v, 10);
	if (v[V_EURO].t == V_INT && (v[V_EURO].i < 0 || v[V_EURO].i > 7)) {
		lrow_error(c, r, V_EURO, "euro_class must be 0-7 (empty for zero-emission or unknown)");
		bad = 1;
	}
	bad |= check_nonneg(c, r, V_KG, &v[V_KG]) | check_nonneg(c, r, V_M3, &v[V_M3]) |
	       check_nonneg(c, r, V_PAL, &v[V_PAL]);
	if (v[V_TEMPS].t == V_TEXT && !temps_ok(v[V_TEMPS].s)) {
		lrow_error(c, r, V_TEMPS, "temp_classes must be ambient, chilled and/or frozen separated by '|'");
		bad = 1;
	}
	int64_t car = need_org(c, r, V_CARRIER, "carrier");
	if (!car || restricted(c, r, V_CARRIER, car))
		bad = 1;
	if (bad || dup_check(c, r, V_ID, car))
		return 0;
	static const char *const cols[] = {"carrier_id", "ext_id", "reg_plate", "vehicle_class",
					   "energy_carrier", "euro_class", "capacity_kg", "capacity_m3",
					   "capacity_pallets", "temp_classes"};
	struct val vals[] = {{V_INT, car, 0, NULL}, v[V_ID], v[V_PLATE], v[V_CLASS], v[V_ENERGY],
			     v[V_EURO], v[V_KG], v[V_M3], v[V_PAL], v[V_TEMPS]};
	int64_t id;
	sl_error e;
	return finish_upsert(c, r, upsert(c, "vehicles", cols, vals, 2, 10, NULL, &id, &e), &e);
}

/* ---- trips -------------------------------------------------------------- */

enum { T_ID, T_CARRIER, T_VEH, T_ORIGIN, T_START, T_END, T_KM, T_FUEL, T_UNIT, T_ENERGY };
static const struct field trip_fields[] = {
	{"id", F_ID, 1, NULL}, {"carrier", F_ID, 1, NULL}, {"vehicle", F_ID, 0, NULL},
	{"origin_site", F_ID, 0, NULL}, {"start_at", F_TIME, 1, NULL}, {"end_at", F_TIME, 0, NULL},
	{"distance_km", F_REAL, 0, NULL}, {"fuel_used", F_REAL, 0, NULL},
	{"fuel_unit", F_ENUM, 0, FUEL_UNITS}, {"energy_carrier", F_ENUM, 0, ENERGY},
};

static int apply_trip(struct lctx *c, struct lrow *r)
{
	struct val v[10];
	int bad = conv_all(c, r, v, 10);
	bad |= check_nonneg(c, r, T_KM, &v[T_KM]) | check_nonneg(c, r, T_FUEL, &v[T_FUEL]);
	if (v[T_START].t == V_INT && v[T_END].t == V_INT && v[T_END].i < v[T_START].i) {
		lrow_error(c, r, T_END, "end_at is before start_at");
		bad = 1;
	}
	if (v[T_FUEL].t != V_NULL && v[T_UNIT].t == V_NULL) {
		lrow_error(c, r, T_UNIT, "fuel_unit is required when fuel_used is given");
		bad = 1;
	}
	int64_t car = need_org(c, r, T_CARRIER, "carrier");
	if (!car || restricted(c, r, T_CARRIER, car))
		bad = 1;
	struct val veh, origin = {V_NULL, 0, 0, NULL};
	bad |= owned_ref(c, r, T_VEH, T_CARRIER, car, "vehicles", &veh);
	if (has(r, T_ORIGIN)) {
		int64_t id = ref_site(c, r->v[T_ORIGIN]);
		if (!id) {
			lrow_error(c, r, T_ORIGIN, "unknown site '%s'", r->v[T_ORIGIN]);
			bad = 1;
		}
		origin = (struct val){V_INT, id, 0, NULL};
	}
	if (bad || dup_check(c, r, T_ID, car))
		return 0;
	struct val dist = {V_NULL, 0, 0, NULL};
	if (v[T_KM].t == V_REAL)
		dist = (struct val){V_INT, llround(v[T_KM].d * 1000.0), 0, NULL};
	struct val day = {V_INT, sl_local_day(v[T_START].i), 0, NULL};
	static const char *const cols[] = {"carrier_id", "ext_id", "vehicle_id", "origin_site_id",
					   "start_at", "end_at", "local_day", "distance_m", "fuel_used",
					   "fuel_unit", "energy_carrier"};
	struct val vals[] = {{V_INT, car, 0, NULL}, v[T_ID], veh, origin, v[T_START], v[T_END], day,
			     dist, v[T_FUEL], v[T_UNIT], v[T_ENERGY]};
	int64_t id;
	sl_error e;
	return finish_upsert(c, r, upsert(c, "trips", cols, vals, 2, 11, NULL, &id, &e), &e);
}

/* ---- deliveries --------------------------------------------------------- */

enum { D_ID, D_SUP, D_CAR, D_SITE, D_VEH, D_TRIP, D_SEQ, D_AT, D_PARCELS, D_KG, D_M3, D_TEMP,
       D_ORDERS, D_WFROM, D_WTO, D_STATUS };
static const struct field delivery_fields[] = {
	{"id", F_ID, 1, NULL}, {"supplier", F_ID, 1, NULL}, {"carrier", F_ID, 0, NULL},
	{"site", F_ID, 1, NULL}, {"vehicle", F_ID, 0, NULL}, {"trip", F_ID, 0, NULL},
	{"stop_seq", F_INT, 0, NULL}, {"delivered_at", F_TIME, 1, NULL}, {"parcels", F_INT, 0, NULL},
	{"mass_kg", F_REAL, 0, NULL}, {"volume_m3", F_REAL, 0, NULL}, {"temp_class", F_ENUM, 0, TEMP},
	{"orders", F_TEXT, 0, NULL}, {"window_from", F_HHMM, 0, NULL}, {"window_to", F_HHMM, 0, NULL},
	{"status", F_ENUM, 0, STATUS},
};

#define MAX_LINKS 64

static int apply_delivery(struct lctx *c, struct lrow *r)
{
	struct val v[16];
	int bad = conv_all(c, r, v, 16);
	bad |= check_nonneg(c, r, D_PARCELS, &v[D_PARCELS]) | check_nonneg(c, r, D_KG, &v[D_KG]) |
	       check_nonneg(c, r, D_M3, &v[D_M3]);
	if (v[D_SEQ].t == V_INT && v[D_SEQ].i < 1) {
		lrow_error(c, r, D_SEQ, "stop_seq starts at 1");
		bad = 1;
	}
	bad |= check_window(c, r, v, D_WFROM, D_WTO);
	int64_t sup = need_org(c, r, D_SUP, "supplier");
	if (!sup || restricted(c, r, D_SUP, sup))
		bad = 1;
	int64_t car = 0;
	if (has(r, D_CAR) && !(car = need_org(c, r, D_CAR, "carrier")))
		bad = 1;
	int64_t site = 0;
	if (has(r, D_SITE) && !(site = ref_site(c, r->v[D_SITE]))) {
		lrow_error(c, r, D_SITE, "unknown site '%s'", r->v[D_SITE]);
		bad = 1;
	}
	struct val veh = {V_NULL, 0, 0, NULL}, trip = {V_NULL, 0, 0, NULL};
	if ((has(r, D_VEH) || has(r, D_TRIP)) && !has(r, D_CAR)) {
		lrow_error(c, r, has(r, D_VEH) ? D_VEH : D_TRIP, "a vehicle or trip needs the carrier column");
		bad = 1;
	}
	bad |= owned_ref(c, r, D_VEH, D_CAR, car, "vehicles", &veh);
	bad |= owned_ref(c, r, D_TRIP, D_CAR, car, "trips", &trip);
	int64_t links[MAX_LINKS];
	int nlinks = 0;
	char *buf = sup && has(r, D_ORDERS) ? strdup(r->v[D_ORDERS]) : NULL;
	if (buf) {
		for (char *save = NULL, *t = strtok_r(buf, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
			if (nlinks == MAX_LINKS) {
				lrow_error(c, r, D_ORDERS, "more than %d orders in one delivery", MAX_LINKS);
				bad = 1;
				break;
			}
			int64_t id = ref_owned(c, "orders", sup, t);
			if (!id) {
				lrow_error(c, r, D_ORDERS, "unknown order '%s' of supplier '%s'", t, r->v[D_SUP]);
				bad = 1;
			}
			links[nlinks++] = id;
		}
		free(buf);
	}
	if (bad || dup_check(c, r, D_ID, sup))
		return 0;
	if (v[D_TEMP].t == V_NULL)
		v[D_TEMP] = (struct val){V_TEXT, 0, 0, "ambient"};
	if (v[D_STATUS].t == V_NULL)
		v[D_STATUS] = (struct val){V_TEXT, 0, 0, "delivered"};
	int64_t at = v[D_AT].i;
	static const char *const cols[] = {"supplier_id", "ext_id", "carrier_id", "site_id", "vehicle_id",
					   "trip_id", "stop_seq", "status", "delivered_at", "local_day",
					   "local_min", "window_from_min", "window_to_min", "parcels",
					   "mass_kg", "volume_m3", "temp_class"};
	struct val vals[] = {{V_INT, sup, 0, NULL}, v[D_ID],
			     car ? (struct val){V_INT, car, 0, NULL} : (struct val){V_NULL, 0, 0, NULL},
			     {V_INT, site, 0, NULL}, veh, trip, v[D_SEQ], v[D_STATUS], v[D_AT],
			     {V_INT, sl_local_day(at), 0, NULL}, {V_INT, sl_local_seconds_of_day(at) / 60, 0, NULL},
			     v[D_WFROM], v[D_WTO], v[D_PARCELS], v[D_KG], v[D_M3], v[D_TEMP]};
	int64_t id;
	sl_error e;
	int up = upsert(c, "deliveries", cols, vals, 2, 17, has(r, D_ORDERS) ? r->v[D_ORDERS] : "", &id, &e);
	if (up == UP_INSERTED || up == UP_UPDATED) {
		static const char del[] = "DELETE FROM delivery_orders WHERE delivery_id = ?1";
		static const char ins[] = "INSERT OR IGNORE INTO delivery_orders (delivery_id, order_id) VALUES (?1, ?2)";
		sl_stmt *s;
		if (up == UP_UPDATED && (s = cached_stmt(c, del, &e))) {
			sl_stmt_bind_int64(s, 1, id);
			if (sl_stmt_step(s, &e) < 0)
				up = e.code;
			sl_stmt_reset(s);
		}
		for (int i = 0; i < nlinks && up >= 0; i++) {
			if (!(s = cached_stmt(c, ins, &e))) {
				up = e.code;
				break;
			}
			sl_stmt_bind_int64(s, 1, id);
			sl_stmt_bind_int64(s, 2, links[i]);
			if (sl_stmt_step(s, &e) < 0)
				up = e.code;
			sl_stmt_reset(s);
		}
	}
	return finish_upsert(c, r, up, &e);
}

/* ---- orders ------------------------------------------------------------- */

enum { R_ID, R_SUP, R_SITE, R_CAT, R_AT, R_REQ, R_CONTRACT, R_LINE, R_ITEM, R_GTIN, R_QTY, R_UNIT, R_VALUE };
static const struct field order_fields[] = {
	{"id", F_ID, 1, NULL}, {"supplier", F_ID, 1, NULL}, {"site", F_ID, 1, NULL},
	{"category", F_TEXT, 1, NULL}, {"ordered_at", F_TIME, 1, NULL}, {"requested_date", F_DATE, 0, NULL},
	{"contract", F_ID, 0, NULL}, {"line_id", F_ID, 1, NULL}, {"item", F_TEXT, 0, NULL},
	{"gtin", F_TEXT, 0, NULL}, {"quantity", F_REAL, 1, NULL}, {"unit_code", F_TEXT, 0, NULL},
	{"line_value_sek", F_MONEY, 1, NULL},
};
#define HDR_FIELDS 7 /* id … contract must agree across an order's lines */

struct oline {
	char *line_id, *item, *gtin, *unit;
	double qty;
	int64_t value_ore;
};

struct order_state {
	int active;
	int bad;
	struct lrow first; /* header values of the first line (strings owned) */
	char *hdr[HDR_FIELDS];
	int64_t sup, site, contract, at, req;
	struct oline *lines;
	size_t n, cap;
	sl_buf hash_extra;
};

static void order_reset(struct order_state *os)
{
	for (int i = 0; i < HDR_FIELDS; i++) {
		free(os->hdr[i]);
		os->hdr[i] = NULL;
	}
	for (size_t i = 0; i < os->n; i++) {
		free(os->lines[i].line_id);
		free(os->lines[i].item);
		free(os->lines[i].gtin);
		free(os->lines[i].unit);
	}
	os->n = 0;
	os->active = 0;
	os->bad = 0;
	sl_buf_reset(&os->hash_extra);
}

static char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

static int order_flush(struct lctx *c)
{
	struct order_state *os = c->kind_state;
	if (!os || !os->active)
		return 0;
	int rc = 0;
	if (os->bad) {
		order_reset(os);
		return 0;
	}
	int64_t value = 0;
	sl_buf_reset(&os->hash_extra);
	for (size_t i = 0; i < os->n; i++) {
		value += os->lines[i].value_ore;
		sl_buf_printf(&os->hash_extra, "%s\x1f%s\x1f%s\x1f%.17g\x1f%s\x1f%lld\x1e", os->lines[i].line_id,
			      os->lines[i].item ? os->lines[i].item : "", os->lines[i].gtin ? os->lines[i].gtin : "",
			      os->lines[i].qty, os->lines[i].unit ? os->lines[i].unit : "",
			      (long long)os->lines[i].value_ore);
	}
	static const char *const cols[] = {"supplier_id", "ext_id", "site_id", "category", "ordered_at",
					   "order_day", "requested_day", "value_ore", "line_count",
					   "contract_id"};
	struct val vals[] = {{V_INT, os->sup, 0, NULL}, {V_TEXT, 0, 0, os->hdr[R_ID]},
			     {V_INT, os->site, 0, NULL}, {V_TEXT, 0, 0, os->hdr[R_CAT]},
			     {V_INT, os->at, 0, NULL}, {V_INT, sl_local_day(os->at), 0, NULL},
			     os->req != INT64_MIN ? (struct val){V_INT, os->req, 0, NULL} : (struct val){V_NULL, 0, 0, NULL},
			     {V_INT, value, 0, NULL}, {V_INT, (int64_t)os->n, 0, NULL},
			     os->contract ? (struct val){V_INT, os->contract, 0, NULL} : (struct val){V_NULL, 0, 0, NULL}};
	int64_t id;
	sl_error e;
	int up = upsert(c, "orders", cols, vals, 2, 10, os->hash_extra.data, &id, &e);
	if (up == UP_INSERTED || up == UP_UPDATED) {
		static const char del[] = "DELETE FROM order_lines WHERE order_id = ?1";
		static const char ins[] = "INSERT INTO order_lines (order_id, line_id, item, gtin, quantity, unit_code, value_ore) "
					  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
		sl_stmt *s;
		if (up == UP_UPDATED && (s = cached_stmt(c, del, &e))) {
			sl_stmt_bind_int64(s, 1, id);
			if (sl_stmt_step(s, &e) < 0)
				up = e.code;
			sl_stmt_reset(s);
		}
		for (size_t i = 0; i < os->n && up >= 0; i++) {
			if (!(s = cached_stmt(c, ins, &e))) {
				up = e.code;
				break;
			}
			sl_stmt_bind_int64(s, 1, id);
			sl_stmt_bind_text(s, 2, os->lines[i].line_id);
			sl_stmt_bind_text(s, 3, os->lines[i].item);
			sl_stmt_bind_text(s, 4, os->lines[i].gtin);
			sl_stmt_bind_double(s, 5, os->lines[i].qty);
			sl_stmt_bind_text(s, 6, os->lines[i].unit);
			sl_stmt_bind_int64(s, 7, os->lines[i].value_ore);
			if (sl_stmt_step(s, &e) < 0)
				up = e.code;
			sl_stmt_reset(s);
		}
	}
	if (up < 0) {
		struct lrow r = {0};
		r.rec_line = os->first.rec_line;
		r.rec_col = 1;
		lrow_error(c, &r, -1, "could not store order '%s': %s", os->hdr[R_ID], e.message);
		rc = up == SL_ECONFLICT ? 0 : up;
	} else {
		count(c, up);
	}
	order_reset(os);
	return rc;
}

static int apply_order(struct lctx *c, struct lrow *r)
{
	struct order_state *os = c->kind_state;
	if (!os) {
		os = calloc(1, sizeof *os);
		if (!os)
			return SL_ENOMEM;
		c->kind_state = os;
	}
	/* a new order starts when id or supplier differ from the buffered one */
	if (os->active && (strcmp(os->hdr[R_ID] ? os->hdr[R_ID] : "", r->v[R_ID] ? r->v[R_ID] : "") != 0 ||
			   strcmp(os->hdr[R_SUP] ? os->hdr[R_SUP] : "", r->v[R_SUP] ? r->v[R_SUP] : "") != 0)) {
		int rc = order_flush(c);
		if (rc)
			return rc;
	}
	struct val v[13];
	int bad = conv_all(c, r, v, 13);
	bad |= check_nonneg(c, r, R_QTY, &v[R_QTY]) | check_nonneg(c, r, R_VALUE, &v[R_VALUE]);
	if (!os->active) {
		if (!has(r, R_ID) || !has(r, R_SUP)) {
			return 0; /* errors already reported by conv */
		}
		os->active = 1;
		os->first.rec_line = r->rec_line;
		for (int i = 0; i < HDR_FIELDS; i++)
			os->hdr[i] = dup_or_null(r->v[i]);
		os->sup = need_org(c, r, R_SUP, "supplier");
		if (!os->sup || restricted(c, r, R_SUP, os->sup))
			bad = 1;
		if (has(r, R_SITE) && !(os->site = ref_site(c, r->v[R_SITE]))) {
			lrow_error(c, r, R_SITE, "unknown site '%s'", r->v[R_SITE]);
			bad = 1;
		}
		os->contract = 0;
		if (has(r, R_CONTRACT) && !(os->contract = ref_contract(c, r->v[R_CONTRACT]))) {
			lrow_error(c, r, R_CONTRACT, "unknown contract '%s'", r->v[R_CONTRACT]);
			bad = 1;
		}
		os->at = v[R_AT].t == V_INT ? v[R_AT].i : 0;
		os->req = v[R_REQ].t == V_INT ? v[R_REQ].i : INT64_MIN;
		if (os->sup && batch_seen(c, "orders", os->sup, r->v[R_ID])) {
			lrow_error(c, r, R_ID, "order '%s' appears again: its lines must be adjacent and its id unique in the batch",
				   r->v[R_ID]);
			bad = 1;
		}
	} else {
		for (int i = 0; i < HDR_FIELDS; i++) {
			const char *a = os->hdr[i] ? os->hdr[i] : "", *b = r->v[i] ? r->v[i] : "";
			if (strcmp(a, b) != 0) {
				lrow_error(c, r, i, "%s '%s' differs from the order's first line ('%s')",
					   order_fields[i].name, b, a);
				bad = 1;
			}
		}
	}
	for (size_t i = 0; i < os->n && has(r, R_LINE); i++)
		if (strcmp(os->lines[i].line_id, r->v[R_LINE]) == 0) {
			lrow_error(c, r, R_LINE, "duplicate line_id '%s' in order '%s'", r->v[R_LINE], os->hdr[R_ID]);
			bad = 1;
		}
	if (bad) {
		os->bad = 1;
		return 0;
	}
	if (os->n == os->cap) {
		size_t cap = os->cap ? os->cap * 2 : 8;
		struct oline *l = realloc(os->lines, cap * sizeof *l);
		if (!l)
			return SL_ENOMEM;
		os->lines = l;
		os->cap = cap;
	}
	struct oline *l = &os->lines[os->n++];
	l->line_id = strdup(r->v[R_LINE]);
	l->item = dup_or_null(r->v[R_ITEM]);
	l->gtin = dup_or_null(r->v[R_GTIN]);
	l->unit = dup_or_null(r->v[R_UNIT]);
	l->qty = v[R_QTY].d;
	l->value_ore = v[R_VALUE].i;
	if (!l->line_id)
		return SL_ENOMEM;
	return 0;
}

static void order_free(struct lctx *c)
{
	struct order_state *os = c->kind_state;
	if (!os)
		return;
	order_reset(os);
	free(os->lines);
	sl_buf_free(&os->hash_extra);
	free(os);
	c->kind_state = NULL;
}

/* ---- the table ----------------------------------------------------------- */

static const struct kind_spec specs[SL_KIND_COUNT_] = {
	[SL_KIND_ORGANISATIONS] = {"organisations", FIELDS(org_fields), apply_org, NULL, NULL},
	[SL_KIND_SITES] = {"sites", FIELDS(site_fields), apply_site, NULL, NULL},
	[SL_KIND_CONTRACTS] = {"contracts", FIELDS(contract_fields), apply_contract, NULL, NULL},
	[SL_KIND_VEHICLES] = {"vehicles", FIELDS(vehicle_fields), apply_vehicle, NULL, NULL},
	[SL_KIND_TRIPS] = {"trips", FIELDS(trip_fields), apply_trip, NULL, NULL},
	[SL_KIND_ORDERS] = {"orders", FIELDS(order_fields), apply_order, order_flush, order_free},
	[SL_KIND_DELIVERIES] = {"deliveries", FIELDS(delivery_fields), apply_delivery, NULL, NULL},
};

const struct kind_spec *ledger_kind_spec(sl_ledger_kind k)
{
	return (unsigned)k < SL_KIND_COUNT_ ? &specs[k] : NULL;
}

const char *sl_ledger_kind_name(sl_ledger_kind k)
{
	return (unsigned)k < SL_KIND_COUNT_ ? specs[k].name : "?";
}

int sl_ledger_kind_parse(const char *s, sl_ledger_kind *out, sl_error *err)
{
	for (int k = 0; k < SL_KIND_COUNT_; k++)
		if (strcmp(s, specs[k].name) == 0) {
			*out = (sl_ledger_kind)k;
			return 0;
		}
	return sl_error_set(err, SL_EUSAGE,
			    "unknown kind '%s' (expected organisations, sites, contracts, vehicles, trips, orders or deliveries)",
			    s);
}
