/* support.c — value conversion, reference look-ups, duplicate detection and
 * the generic idempotent upsert used by every kind.
 *
 * Idempotency: each row's canonical values are hashed (FNV-1a, 64 bits);
 * a row whose key exists with the same hash is "unchanged" and not written.
 * A changed row's previous version is copied, as JSON, into row_history
 * before the update, and its revision goes up by one.
 *
 * Look-ups go through prepared statements with a small per-batch cache, so
 * a reference to a row inserted earlier in the same batch resolves too. */
#include "internal.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- hashing and a string → int64 map ---------------------------------- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}
#define FNV0 0xcbf29ce484222325ULL

struct mslot {
	uint64_t h;
	int64_t v;
	char *k;
};

struct map {
	struct mslot *s;
	size_t cap, n;
};

static void map_clear(struct map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->s[i].k);
	free(m->s);
	m->s = NULL;
	m->cap = m->n = 0;
}

static int64_t map_get(const struct map *m, const char *k, uint64_t h)
{
	if (!m->cap)
		return 0;
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->s[i].k)
			return 0;
		if (m->s[i].h == h && strcmp(m->s[i].k, k) == 0)
			return m->s[i].v;
	}
}

static void map_put(struct map *m, const char *k, uint64_t h, int64_t v)
{
	if (m->n > 1000000)
		map_clear(m); /* bound memory on huge batches */
	if ((m->n + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 1024;
		struct mslot *s = calloc(cap, sizeof *s);
		if (!s)
			return; /* a cache miss later is harmless */
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->s[i].k)
				continue;
			size_t j = m->s[i].h & (cap - 1);
			while (s[j].k)
				j = (j + 1) & (cap - 1);
			s[j] = m->s[i];
		}
		free(m->s);
		m->s = s;
		m->cap = cap;
	}
	char *dup = strdup(k);
	if (!dup)
		return;
	size_t i = h & (m->cap - 1);
	while (m->s[i].k)
		i = (i + 1) & (m->cap - 1);
	m->s[i] = (struct mslot){h, v, dup};
	m->n++;
}

/* A set of 64-bit hashes (duplicate keys within a batch). */
struct hset {
	uint64_t *s;
	size_t cap, n;
};

static int hset_add(struct hset *hs, uint64_t h)
{
	if (h == 0)
		h = 1;
	if ((hs->n + 1) * 2 > hs->cap) {
		size_t cap = hs->cap ? hs->cap * 2 : 4096;
		uint64_t *s = calloc(cap, sizeof *s);
		if (!s)
			return 0;
		for (size_t i = 0; i < hs->cap; i++) {
			if (!hs->s[i])
				continue;
			size_t j = hs->s[i] & (cap - 1);
			while (s[j])
				j = (j + 1) & (cap - 1);
			s[j] = hs->s[i];
		}
		free(hs->s);
		hs->s = s;
		hs->cap = cap;
	}
	size_t i = h & (hs->cap - 1);
	while (hs->s[i]) {
		if (hs->s[i] == h)
			return 1;
		i = (i + 1) & (hs->cap - 1);
	}
	hs->s[i] = h;
	hs->n++;
	return 0;
}

#define NSTMT 64
#define NTABLE 8
/* The three statements of an upsert, per table, built once per batch. */
struct table_stmts {
	const char *table;
	sl_stmt *sel, *ins, *upd;
};

struct ledger_cache {
	struct table_stmts tables[NTABLE];
	struct map orgs, sites, contracts, owned, org_kinds;
	struct hset seen;
	struct {
		char *sql;
		sl_stmt *s;
	} stmts[NSTMT];
};

struct ledger_cache *ledger_cache_new(void)
{
	return calloc(1, sizeof(struct ledger_cache));
}

void ledger_cache_free(struct ledger_cache *lc)
{
	if (!lc)
		return;
	map_clear(&lc->orgs);
	map_clear(&lc->sites);
	map_clear(&lc->contracts);
	map_clear(&lc->owned);
	map_clear(&lc->org_kinds);
	free(lc->seen.s);
	for (int i = 0; i < NSTMT; i++) {
		sl_stmt_free(lc->stmts[i].s);
		free(lc->stmts[i].sql);
	}
	for (int i = 0; i < NTABLE; i++) {
		sl_stmt_free(lc->tables[i].sel);
		sl_stmt_free(lc->tables[i].ins);
		sl_stmt_free(lc->tables[i].upd);
	}
	free(lc);
}

/* Prepared statements are cached per batch by their SQL text (a batch uses
 * a dozen or so).  The statement stays owned by the cache. */
sl_stmt *cached_stmt(struct lctx *c, const char *sql, sl_error *err)
{
	struct ledger_cache *lc = c->cache;
	int i;
	for (i = 0; i < NSTMT && lc->stmts[i].sql; i++)
		if (strcmp(lc->stmts[i].sql, sql) == 0) {
			sl_stmt_reset(lc->stmts[i].s);
			return lc->stmts[i].s;
		}
	if (i == NSTMT) {
		sl_error_set(err, SL_ELIMIT, "too many distinct statements in one import");
		return NULL;
	}
	sl_stmt *s;
	char *copy = strdup(sql);
	if (!copy) {
		sl_error_set(err, SL_ENOMEM, "out of memory");
		return NULL;
	}
	if (sl_store_prepare(c->st, sql, &s, err)) {
		free(copy);
		return NULL;
	}
	lc->stmts[i].sql = copy;
	lc->stmts[i].s = s;
	return s;
}

int batch_seen(struct lctx *c, const char *kind, int64_t owner, const char *ext)
{
	uint64_t h = fnv(FNV0, kind, strlen(kind) + 1);
	h = fnv(h, &owner, sizeof owner);
	h = fnv(h, ext, strlen(ext));
	return hset_add(&c->cache->seen, h);
}

/* ---- references --------------------------------------------------------- */

static int64_t lookup(struct lctx *c, struct map *m, const char *sql, const char *key,
		      int64_t owner, const char *ext)
{
	uint64_t h = fnv(FNV0, key, strlen(key));
	int64_t v = map_get(m, key, h);
	if (v)
		return v;
	sl_stmt *s = cached_stmt(c, sql, NULL);
	if (!s)
		return 0;
	if (owner) {
		sl_stmt_bind_int64(s, 1, owner);
		sl_stmt_bind_text(s, 2, ext);
	} else {
		sl_stmt_bind_text(s, 1, ext);
	}
	if (sl_stmt_step(s, NULL) == 1)
		v = sl_stmt_int64(s, 0);
	sl_stmt_reset(s);
	if (v)
		map_put(m, key, h, v);
	return v;
}

static const char SQL_ORG[] = "SELECT id FROM organisations WHERE ext_id = ?1";
static const char SQL_SITE[] = "SELECT id FROM sites WHERE ext_id = ?1";
static const char SQL_CONTRACT[] = "SELECT id FROM contracts WHERE ext_id = ?1";
static const char SQL_VEHICLE[] = "SELECT id FROM vehicles WHERE carrier_id = ?1 AND ext_id = ?2";
static const char SQL_TRIP[] = "SELECT id FROM trips WHERE carrier_id = ?1 AND ext_id = ?2";
static const char SQL_ORDER[] = "SELECT id FROM orders WHERE supplier_id = ?1 AND ext_id = ?2";
static const char SQL_ORG_KIND[] = "SELECT kind FROM organisations WHERE id = ?1";

int64_t ref_org(struct lctx *c, const char *ext)
{
	return lookup(c, &c->cache->orgs, SQL_ORG, ext, 0, ext);
}

int64_t ref_site(struct lctx *c, const char *ext)
{
	return lookup(c, &c->cache->sites, SQL_SITE, ext, 0, ext);
}

int64_t ref_contract(struct lctx *c, const char *ext)
{
	return lookup(c, &c->cache->contracts, SQL_CONTRACT, ext, 0, ext);
}

int64_t ref_owned(struct lctx *c, const char *table, int64_t owner, const char *ext)
{
	const char *sql = strcmp(table, "vehicles") == 0 ? SQL_VEHICLE
			: strcmp(table, "trips") == 0  ? SQL_TRIP
						       : SQL_ORDER;
	/* key: table's first letter, the owner id in hex, the ext id */
	char key[300];
	size_t n = 0;
	key[n++] = table[0];
	for (uint64_t o = (uint64_t)owner; o; o >>= 4)
		key[n++] = "0123456789abcdef"[o & 15];
	key[n++] = '\x1f';
	size_t el = strlen(ext);
	if (el > sizeof key - n - 1)
		el = sizeof key - n - 1;
	memcpy(key + n, ext, el);
	key[n + el] = '\0';
	return lookup(c, &c->cache->owned, sql, key, owner, ext);
}

const char *org_kind(struct lctx *c, int64_t id)
{
	static const char *const kinds[] = {"city", "unit", "supplier", "carrier", "other"};
	char key[24];
	snprintf(key, sizeof key, "%lld", (long long)id);
	uint64_t h = fnv(FNV0, key, strlen(key));
	int64_t cached = map_get(&c->cache->org_kinds, key, h);
	if (cached)
		return kinds[cached - 1];
	sl_stmt *s = cached_stmt(c, SQL_ORG_KIND, NULL);
	if (!s)
		return "";
	sl_stmt_bind_int64(s, 1, id);
	const char *k = "";
	if (sl_stmt_step(s, NULL) == 1) {
		const char *t = sl_stmt_text(s, 0);
		for (size_t i = 0; t && i < sizeof kinds / sizeof kinds[0]; i++)
			if (strcmp(t, kinds[i]) == 0) {
				k = kinds[i];
				map_put(&c->cache->org_kinds, key, h, (int64_t)i + 1);
			}
	}
	sl_stmt_reset(s);
	return k;
}

/* ---- conversions -------------------------------------------------------- */

static int gln_ok(const char *s)
{
	size_t n = strlen(s);
	if (n != 13)
		return 0;
	int sum = 0;
	for (size_t i = 0; i < 12; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
		sum += (s[i] - '0') * ((i % 2) ? 3 : 1);
	}
	return isdigit((unsigned char)s[12]) && (10 - sum % 10) % 10 == s[12] - '0';
}

/* "Mon-Fri", "Mon,Wed,Fri", "mån-fre", "1-5" → bit mask (bit 0 Monday). */
static int parse_days(const char *s, int64_t *mask)
{
	static const char *const en[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
	static const char *const sv[] = {"mån", "tis", "ons", "tor", "fre", "lör", "sön"};
	int64_t m = 0;
	const char *p = s;
	while (*p) {
		int a = -1, b = -1;
		for (int part = 0; part < 2; part++) {
			int d = -1;
			while (*p == ' ')
				p++;
			if (*p >= '1' && *p <= '7') {
				d = *p - '1';
				p++;
			} else {
				for (int i = 0; i < 7 && d < 0; i++) {
					size_t le = strlen(en[i]), ls = strlen(sv[i]);
					if (strncasecmp(p, en[i], le) == 0) {
						d = i;
						p += le;
					} else if (strncmp(p, sv[i], ls) == 0) {
						d = i;
						p += ls;
					}
				}
			}
			if (d < 0)
				return -1;
			while (isalpha((unsigned char)*p))
				p++; /* "Monday" */
			while (*p == ' ')
				p++;
			if (part == 0) {
				a = b = d;
				if (*p != '-')
					break;
				p++;
			} else {
				b = d;
			}
		}
		for (int d = a;; d = (d + 1) % 7) {
			m |= (int64_t)1 << d;
			if (d == b)
				break;
		}
		if (*p == ',')
			p++;
		else if (*p)
			return -1;
	}
	if (!m)
		return -1;
	*mask = m;
	return 0;
}

int conv(struct lctx *c, struct lrow *r, int fi, struct val *out)
{
	const struct field *f = &ledger_kind_spec(c->o->kind)->fields[fi];
	const char *s = r->v[fi];
	sl_error e;
	*out = (struct val){V_NULL, 0, 0, NULL};
	if (!s || !*s) {
		if (f->required) {
			lrow_error(c, r, fi, "'%s' is required", f->name);
			return -1;
		}
		return 0;
	}
	switch (f->type) {
	case F_TEXT:
	case F_ID:
		if (f->type == F_ID && strlen(s) > 128) {
			lrow_error(c, r, fi, "identifier is longer than 128 characters");
			return -1;
		}
		out->t = V_TEXT;
		out->s = s;
		return 0;
	case F_INT:
		out->t = V_INT;
		if (sl_parse_int64(s, &out->i, &e) == 0)
			return 0;
		break;
	case F_REAL:
		out->t = V_REAL;
		if (sl_parse_double(s, c->decimal_comma, &out->d, &e) == 0)
			return 0;
		break;
	case F_MONEY:
		out->t = V_INT;
		if (sl_parse_money_ore(s, c->decimal_comma, &out->i, &e) == 0)
			return 0;
		break;
	case F_DATE:
		out->t = V_INT;
		if (sl_date_parse(s, &out->i, &e) == 0)
			return 0;
		break;
	case F_TIME:
		out->t = V_INT;
		if (sl_time_parse(s, &out->i, &e) == 0)
			return 0;
		break;
	case F_HHMM: {
		int ok = strlen(s) == 5 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
			 s[2] == ':' && isdigit((unsigned char)s[3]) && isdigit((unsigned char)s[4]);
		int hh = ok ? (s[0] - '0') * 10 + (s[1] - '0') : 0;
		int mm = ok ? (s[3] - '0') * 10 + (s[4] - '0') : 0;
		if (ok && mm < 60 && hh * 60 + mm <= 1440) {
			out->t = V_INT;
			out->i = hh * 60 + mm;
			return 0;
		}
		lrow_error(c, r, fi, "'%s' is not a time of day HH:MM", s);
		return -1;
	}
	case F_BOOL:
		out->t = V_INT;
		if (!strcmp(s, "1") || !strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "ja")) {
			out->i = 1;
			return 0;
		}
		if (!strcmp(s, "0") || !strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "nej")) {
			out->i = 0;
			return 0;
		}
		lrow_error(c, r, fi, "'%s' is not a yes/no value (use 1/0 or true/false)", s);
		return -1;
	case F_ENUM:
		for (const char *const *v = f->values; *v; v++)
			if (strcmp(s, *v) == 0) {
				out->t = V_TEXT;
				out->s = *v;
				return 0;
			}
		{
			sl_buf b = {0};
			for (const char *const *v = f->values; *v; v++)
				sl_buf_printf(&b, "%s%s", v == f->values ? "" : ", ", *v);
			lrow_error(c, r, fi, "unknown %s '%s' (expected one of: %s)", f->name, s,
				   b.data ? b.data : "");
			sl_buf_free(&b);
		}
		return -1;
	case F_GLN:
		if (gln_ok(s)) {
			out->t = V_TEXT;
			out->s = s;
			return 0;
		}
		lrow_error(c, r, fi, "'%s' is not a valid GLN (13 digits with a correct check digit)", s);
		return -1;
	case F_DAYS:
		out->t = V_INT;
		if (parse_days(s, &out->i) == 0)
			return 0;
		lrow_error(c, r, fi, "'%s' is not a list of weekdays (e.g. Mon-Fri or Mon,Wed,Fri)", s);
		return -1;
	}
	lrow_error(c, r, fi, "%s", e.message); /* the field's name travels separately */
	return -1;
}

/* ---- upsert with history ----------------------------------------------- */

static uint64_t hash_vals(const struct val *v, int n, const char *extra)
{
	uint64_t h = FNV0;
	for (int i = 0; i < n; i++) {
		h = fnv(h, &v[i].t, sizeof v[i].t);
		if (v[i].t == V_INT)
			h = fnv(h, &v[i].i, sizeof v[i].i);
		else if (v[i].t == V_REAL)
			h = fnv(h, &v[i].d, sizeof v[i].d);
		else if (v[i].t == V_TEXT)
			h = fnv(h, v[i].s, strlen(v[i].s) + 1);
	}
	if (extra)
		h = fnv(h, extra, strlen(extra) + 1);
	return h;
}

static void bind(sl_stmt *s, int idx, const struct val *v)
{
	switch (v->t) {
	case V_NULL: sl_stmt_bind_null(s, idx); break;
	case V_INT: sl_stmt_bind_int64(s, idx, v->i); break;
	case V_REAL: sl_stmt_bind_double(s, idx, v->d); break;
	case V_TEXT: sl_stmt_bind_text(s, idx, v->s); break;
	}
}

/* Copy the current version of a row, as JSON, into row_history. */
static int save_history(struct lctx *c, const char *table, int64_t id, int64_t revision,
			sl_error *err)
{
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT * FROM %s WHERE id = ?1", table);
	sl_stmt *s = cached_stmt(c, sql, err);
	if (!s)
		return err ? err->code : SL_ESTORE;
	sl_stmt_bind_int64(s, 1, id);
	int rc = sl_stmt_step(s, err);
	if (rc != 1) {
		sl_stmt_reset(s);
		return rc < 0 ? rc : sl_error_set(err, SL_ESTORE, "row %lld vanished", (long long)id);
	}
	sl_buf js = {0};
	int bad = sl_buf_putc(&js, '{');
	for (int i = 0; i < sl_stmt_column_count(s); i++) {
		if (i)
			bad |= sl_buf_putc(&js, ',');
		bad |= sl_buf_json_string(&js, sl_stmt_column_name(s, i));
		bad |= sl_buf_putc(&js, ':');
		if (sl_stmt_is_null(s, i)) {
			bad |= sl_buf_puts(&js, "null");
		} else {
			const char *t = sl_stmt_text(s, i);
			bad |= sl_buf_json_string(&js, t ? t : "");
		}
	}
	bad |= sl_buf_putc(&js, '}');
	sl_stmt_reset(s);
	if (bad) {
		sl_buf_free(&js);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	static const char ins[] = "INSERT INTO row_history (tbl, row_id, revision, data, superseded_at, import_id) "
				  "VALUES (?1, ?2, ?3, ?4, ?5, NULL)";
	s = cached_stmt(c, ins, err);
	if (!s) {
		sl_buf_free(&js);
		return err ? err->code : SL_ESTORE;
	}
	sl_stmt_bind_text(s, 1, table);
	sl_stmt_bind_int64(s, 2, id);
	sl_stmt_bind_int64(s, 3, revision);
	sl_stmt_bind_text(s, 4, js.data);
	sl_stmt_bind_int64(s, 5, c->now);
	rc = sl_stmt_step(s, err);
	sl_stmt_reset(s);
	sl_buf_free(&js);
	return rc < 0 ? rc : 0;
}

static struct table_stmts *table_stmts(struct lctx *c, const char *table,
				       const char *const *cols, int nkey, int ncols, sl_error *err)
{
	struct ledger_cache *lc = c->cache;
	int i;
	for (i = 0; i < NTABLE && lc->tables[i].table; i++)
		if (lc->tables[i].table == table || strcmp(lc->tables[i].table, table) == 0)
			return &lc->tables[i];
	if (i == NTABLE) {
		sl_error_set(err, SL_ELIMIT, "too many tables in one import");
		return NULL;
	}
	struct table_stmts *t = &lc->tables[i];
	char sql[2048];
	size_t n = (size_t)snprintf(sql, sizeof sql, "SELECT id, row_hash, revision FROM %s WHERE ", table);
	for (int k = 0; k < nkey; k++)
		n += (size_t)snprintf(sql + n, sizeof sql - n, "%s%s = ?%d", k ? " AND " : "", cols[k], k + 1);
	if (sl_store_prepare(c->st, sql, &t->sel, err))
		return NULL;
	n = (size_t)snprintf(sql, sizeof sql, "UPDATE %s SET ", table);
	for (int k = nkey; k < ncols; k++)
		n += (size_t)snprintf(sql + n, sizeof sql - n, "%s = ?%d, ", cols[k], k + 1);
	snprintf(sql + n, sizeof sql - n,
		 "revision = revision + 1, updated_at = ?%d, row_hash = ?%d WHERE id = ?%d",
		 ncols + 1, ncols + 2, ncols + 3);
	if (sl_store_prepare(c->st, sql, &t->upd, err))
		return NULL;
	n = (size_t)snprintf(sql, sizeof sql, "INSERT INTO %s (", table);
	for (int k = 0; k < ncols; k++)
		n += (size_t)snprintf(sql + n, sizeof sql - n, "%s, ", cols[k]);
	n += (size_t)snprintf(sql + n, sizeof sql - n, "revision, updated_at, row_hash) VALUES (");
	for (int k = 0; k < ncols; k++)
		n += (size_t)snprintf(sql + n, sizeof sql - n, "?%d, ", k + 1);
	n += (size_t)snprintf(sql + n, sizeof sql - n, "1, ?%d, ?%d) ON CONFLICT (", ncols + 1, ncols + 2);
	for (int k = 0; k < nkey; k++)
		n += (size_t)snprintf(sql + n, sizeof sql - n, "%s%s", k ? ", " : "", cols[k]);
	snprintf(sql + n, sizeof sql - n, ") DO NOTHING");
	if (sl_store_prepare(c->st, sql, &t->ins, err))
		return NULL;
	t->table = table;
	return t;
}

int upsert(struct lctx *c, const char *table, const char *const *cols, const struct val *vals,
	   int nkey, int ncols, const char *extra_hash, int64_t *id, sl_error *err)
{
	char hash[17];
	static const char hex[] = "0123456789abcdef";
	uint64_t hv = hash_vals(vals, ncols, extra_hash);
	for (int i = 15; i >= 0; i--, hv >>= 4)
		hash[i] = hex[hv & 15];
	hash[16] = '\0';

	struct table_stmts *t = table_stmts(c, table, cols, nkey, ncols, err);
	if (!t)
		return err ? err->code : SL_ESTORE;
	/* Insert first (the common case in a bulk load costs one statement);
	 * a key that exists already makes the insert a no-op, and only then is
	 * the stored row compared. */
	sl_stmt *s = t->ins;
	for (int i = 0; i < ncols; i++)
		bind(s, i + 1, &vals[i]);
	sl_stmt_bind_int64(s, ncols + 1, c->now);
	sl_stmt_bind_text(s, ncols + 2, hash);
	int rc = sl_stmt_step(s, err);
	sl_stmt_reset(s);
	if (rc < 0)
		return rc;
	if (sl_store_changes(c->st) == 1) {
		*id = sl_store_last_insert_id(c->st);
		return UP_INSERTED;
	}
	s = t->sel;
	for (int i = 0; i < nkey; i++)
		bind(s, i + 1, &vals[i]);
	rc = sl_stmt_step(s, err);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		sl_stmt_reset(s);
		return sl_error_set(err, SL_ESTORE, "%s: row neither inserted nor found", table);
	}
	*id = sl_stmt_int64(s, 0);
	const char *old = sl_stmt_text(s, 1);
	int64_t revision = sl_stmt_int64(s, 2);
	int same = old && strcmp(old, hash) == 0;
	sl_stmt_reset(s);
	if (same)
		return UP_UNCHANGED;
	if ((rc = save_history(c, table, *id, revision, err)))
		return rc;
	s = t->upd;
	for (int i = nkey; i < ncols; i++)
		bind(s, i + 1, &vals[i]);
	sl_stmt_bind_int64(s, ncols + 1, c->now);
	sl_stmt_bind_text(s, ncols + 2, hash);
	sl_stmt_bind_int64(s, ncols + 3, *id);
	rc = sl_stmt_step(s, err);
	sl_stmt_reset(s);
	return rc < 0 ? rc : UP_UPDATED;
}
