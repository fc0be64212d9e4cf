/* ordering_config.c — the INI file of category limits and order rules for
 * smarter ordering (data/ordering/categories.ini, docs/ordering.md).
 *
 * The format is the plain INI most spreadsheet users know: "[section]"
 * headers, "key = value" lines, "#" or ";" comments.  [general] holds run
 * settings, [*] the rules of any category the file does not name, and every
 * other section one category, which inherits the keys it leaves out from
 * [*].  Every error names file:line:column and the reason; a category that
 * no delivery-day pattern can satisfy is refused at load time, so the
 * optimiser never meets an impossible rule set.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ordering_internal.h"

enum {
	K_MIN = 1u << 0,
	K_GAP = 1u << 1,
	K_STORE = 1u << 2,
	K_DAYS = 1u << 3,
	K_ORDER = 1u << 4,
	K_LEAD = 1u << 5,
	K_CUT = 1u << 6,
};

struct cat {
	char name[48];
	long line; /* of its header, for later errors */
	unsigned set;
	sl_ordering_rules r;
};

struct sl_ordering_config {
	double capacity_kg;
	double fuel_l_per_100km;
	char energy_carrier[40];
	struct cat star;
	struct cat *cats;
	size_t n, cap;
	char name[256];
};

static const char *const day_en[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
static const char *const day_sv[7] = {"mån", "tis", "ons", "tor", "fre", "lör", "sön"};

static void rules_default(sl_ordering_rules *r)
{
	r->min_per_week = 1;
	r->max_days_between = 7;
	r->storage_days = 14;
	r->weekdays = 0x1f;
	r->min_order_ore = -1;
	r->lead_days = 2;
	r->cutoff_min = 12 * 60;
}

void sl_ordering_config_free(sl_ordering_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->cats);
	free(cfg);
}

/* Longest cyclic gap (days) between consecutive days of a weekday mask. */
static int max_gap(unsigned days)
{
	int first = -1, prev = -1, gap = 0;
	for (int d = 0; d < 7; d++) {
		if (!(days & (1u << d)))
			continue;
		if (first < 0)
			first = d;
		else if (d - prev > gap)
			gap = d - prev;
		prev = d;
	}
	if (first < 0)
		return 99;
	if (first + 7 - prev > gap)
		gap = first + 7 - prev;
	return gap;
}

static int popcount7(unsigned m)
{
	int n = 0;
	for (int d = 0; d < 7; d++)
		n += (m >> d) & 1u;
	return n;
}

int sl_ordering_pattern_ok(const sl_ordering_rules *rules, unsigned recv_days, unsigned days)
{
	if (!days || (days & ~(rules->weekdays & recv_days & 0x7fu)))
		return 0;
	if (popcount7(days) < rules->min_per_week)
		return 0;
	int g = max_gap(days);
	return g <= rules->max_days_between && g <= rules->storage_days;
}

void sl_ordering_config_rules(const sl_ordering_config *cfg, const char *category,
                              sl_ordering_rules *out)
{
	for (size_t i = 0; cfg && category && i < cfg->n; i++)
		if (!strcmp(cfg->cats[i].name, category)) {
			*out = cfg->cats[i].r;
			return;
		}
	if (cfg)
		*out = cfg->star.r;
	else
		rules_default(out);
}

/* ---- value parsers (0 or a reason) -------------------------------------- */

static const char *parse_int(const char *v, long lo, long hi, int *out)
{
	int64_t x;
	if (sl_parse_int64(v, &x, NULL) < 0)
		return "expected a whole number";
	if (x < lo || x > hi)
		return "number out of range";
	*out = (int)x;
	return NULL;
}

static const char *parse_days(const char *v, unsigned *out)
{
	unsigned m = 0;
	const char *p = v;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *q = p;
		while (*q && *q != ',')
			q++;
		const char *e = q;
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		size_t n = (size_t)(e - p);
		int found = -1;
		for (int d = 0; d < 7 && found < 0; d++)
			if ((n == strlen(day_en[d]) && !strncmp(p, day_en[d], n)) ||
			    (n == strlen(day_sv[d]) && !strncmp(p, day_sv[d], n)))
				found = d;
		if (found < 0)
			return "expected weekdays such as mon,tue,wed,thu,fri (or "
			       "mån,tis,ons,tor,fre)";
		m |= 1u << found;
		p = *q ? q + 1 : q;
	}
	if (!m)
		return "at least one weekday is needed";
	*out = m;
	return NULL;
}

static const char *parse_time(const char *v, int *out)
{
	if (strlen(v) != 5 || !isdigit((unsigned char)v[0]) || !isdigit((unsigned char)v[1]) ||
	    v[2] != ':' || !isdigit((unsigned char)v[3]) || !isdigit((unsigned char)v[4]))
		return "expected a time HH:MM";
	int h = (v[0] - '0') * 10 + v[1] - '0', m = (v[3] - '0') * 10 + v[4] - '0';
	if (h > 23 || m > 59)
		return "time out of range";
	*out = h * 60 + m;
	return NULL;
}

static const char *parse_pos(const char *v, double lo, double *out)
{
	double x;
	if (sl_parse_double(v, 1, &x, NULL) < 0)
		return "expected a number";
	if (x < lo || x > 1e9)
		return "number out of range";
	*out = x;
	return NULL;
}

static const char *set_cat_key(struct cat *c, const char *k, const char *v)
{
	sl_ordering_rules *r = &c->r;
	const char *why;
	if (!strcmp(k, "min_per_week")) {
		if (!(why = parse_int(v, 1, 7, &r->min_per_week)))
			c->set |= K_MIN;
	} else if (!strcmp(k, "max_days_between")) {
		if (!(why = parse_int(v, 1, 28, &r->max_days_between)))
			c->set |= K_GAP;
	} else if (!strcmp(k, "storage_days")) {
		if (!(why = parse_int(v, 1, 365, &r->storage_days)))
			c->set |= K_STORE;
	} else if (!strcmp(k, "weekdays")) {
		if (!(why = parse_days(v, &r->weekdays)))
			c->set |= K_DAYS;
	} else if (!strcmp(k, "min_order_sek")) {
		int64_t ore;
		why = NULL;
		if (!strcmp(v, "kpi"))
			r->min_order_ore = -1;
		else if (sl_parse_money_ore(v, 1, &ore, NULL) < 0 || ore < 0)
			why = "expected an amount in SEK or 'kpi'";
		else
			r->min_order_ore = ore;
		if (!why)
			c->set |= K_ORDER;
	} else if (!strcmp(k, "lead_days")) {
		if (!(why = parse_int(v, 0, 14, &r->lead_days)))
			c->set |= K_LEAD;
	} else if (!strcmp(k, "cutoff")) {
		if (!(why = parse_time(v, &r->cutoff_min)))
			c->set |= K_CUT;
	} else {
		return NULL; /* unknown: told apart by the caller */
	}
	return why ? why : "";
}

static const char *set_general_key(sl_ordering_config *cfg, const char *k, const char *v)
{
	const char *why;
	if (!strcmp(k, "vehicle_capacity_kg")) {
		why = parse_pos(v, 1, &cfg->capacity_kg);
	} else if (!strcmp(k, "fuel_l_per_100km")) {
		why = parse_pos(v, 0, &cfg->fuel_l_per_100km);
	} else if (!strcmp(k, "energy_carrier")) {
		size_t n = strlen(v);
		why = NULL;
		if (!n || n >= sizeof cfg->energy_carrier)
			why = "expected an energy carrier name (e.g. diesel)";
		for (size_t i = 0; !why && i < n; i++)
			if (!isalnum((unsigned char)v[i]) && v[i] != '_' && v[i] != '-' &&
			    v[i] != '.')
				why = "an energy carrier name has letters, digits, '_', '-' and "
				      "'.' only";
		if (!why)
			memcpy(cfg->energy_carrier, v, n + 1);
	} else {
		return NULL;
	}
	return why ? why : "";
}

/* Does any pattern within the category's weekdays satisfy its limits? */
static int satisfiable(const sl_ordering_rules *r)
{
	for (unsigned m = 1; m < 128; m++)
		if (sl_ordering_pattern_ok(r, 0x7f, m))
			return 1;
	return 0;
}

static void inherit(struct cat *c, const struct cat *star)
{
	if (!(c->set & K_MIN))
		c->r.min_per_week = star->r.min_per_week;
	if (!(c->set & K_GAP))
		c->r.max_days_between = star->r.max_days_between;
	if (!(c->set & K_STORE))
		c->r.storage_days = star->r.storage_days;
	if (!(c->set & K_DAYS))
		c->r.weekdays = star->r.weekdays;
	if (!(c->set & K_ORDER))
		c->r.min_order_ore = star->r.min_order_ore;
	if (!(c->set & K_LEAD))
		c->r.lead_days = star->r.lead_days;
	if (!(c->set & K_CUT))
		c->r.cutoff_min = star->r.cutoff_min;
}

static int check_cat(const struct cat *c, const char *name, sl_error *err)
{
	if (satisfiable(&c->r))
		return 0;
	return sl_error_at(
	    err, SL_EINVAL, name, c->line, 1,
	    "category '%s': no delivery-day pattern within its weekdays gives "
	    "min_per_week=%d with at most %d days between deliveries and %d storage days",
	    c->name, c->r.min_per_week, c->r.max_days_between, c->r.storage_days);
}

int sl_ordering_config_parse(const char *text, size_t len, const char *name,
                             sl_ordering_config **out, sl_error *err)
{
	*out = NULL;
	if (!name)
		name = "<config>";
	sl_ordering_config *cfg = calloc(1, sizeof *cfg);
	if (!cfg)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	snprintf(cfg->name, sizeof cfg->name, "%s", name);
	cfg->capacity_kg = 2500;
	cfg->fuel_l_per_100km = 15;
	strcpy(cfg->energy_carrier, "diesel");
	strcpy(cfg->star.name, "*");
	rules_default(&cfg->star.r);

	enum { S_NONE, S_GENERAL, S_STAR, S_CAT } sect = S_NONE;
	int seen_general = 0, seen_star = 0;
	struct cat *cur = NULL;
	size_t pos = 0;
	long line = 0;
	int rc = 0;
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		pos = 3;
	while (pos < len && !rc) {
		line++;
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		char buf[1024];
		size_t n = end - pos;
		if (n && text[pos + n - 1] == '\r')
			n--;
		if (n >= sizeof buf) {
			rc = sl_error_at(err, SL_EINVAL, name, line, 1,
			                 "line longer than %zu bytes", sizeof buf - 1);
			break;
		}
		memcpy(buf, text + pos, n);
		buf[n] = 0;
		pos = end < len ? end + 1 : end;
		if (memchr(buf, 0, n)) {
			rc = sl_error_at(err, SL_EINVAL, name, line, 1, "NUL byte in the line");
			break;
		}
		long bad = sl_utf8_invalid_at(buf, n);
		if (bad >= 0) {
			rc = sl_error_at(err, SL_EINVAL, name, line, bad + 1, "invalid UTF-8");
			break;
		}
		char *p = buf;
		while (*p == ' ' || *p == '\t')
			p++;
		char *e = p + strlen(p);
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = 0;
		if (!*p || *p == '#' || *p == ';')
			continue;
		long col = (long)(p - buf) + 1;
		if (*p == '[') {
			char *close = strchr(p, ']');
			if (!close || close[1]) {
				rc = sl_error_at(err, SL_EINVAL, name, line, col,
				                 "a section header is '[name]' alone on its line");
				break;
			}
			*close = 0;
			char *sn = p + 1;
			while (*sn == ' ')
				sn++;
			char *se = sn + strlen(sn);
			while (se > sn && se[-1] == ' ')
				*--se = 0;
			if (!*sn || strlen(sn) >= sizeof cfg->star.name) {
				rc = sl_error_at(err, SL_EINVAL, name, line, col + 1,
				                 "a section name is 1 to %zu bytes",
				                 sizeof cfg->star.name - 1);
				break;
			}
			int dup = 0;
			if (!strcmp(sn, "general")) {
				dup = seen_general++;
				sect = S_GENERAL;
			} else if (!strcmp(sn, "*")) {
				dup = seen_star++;
				sect = S_STAR;
				cur = &cfg->star;
				cur->line = line;
			} else {
				for (size_t i = 0; i < cfg->n; i++)
					if (!strcmp(cfg->cats[i].name, sn))
						dup = 1;
				if (!dup) {
					if (cfg->n == cfg->cap) {
						size_t nc = cfg->cap ? cfg->cap * 2 : 16;
						struct cat *nv =
						    realloc(cfg->cats, nc * sizeof *nv);
						if (!nv) {
							rc = sl_error_set(err, SL_ENOMEM,
							                  "out of memory");
							break;
						}
						cfg->cats = nv;
						cfg->cap = nc;
					}
					cur = &cfg->cats[cfg->n++];
					memset(cur, 0, sizeof *cur);
					snprintf(cur->name, sizeof cur->name, "%s", sn);
					cur->line = line;
					rules_default(&cur->r);
				}
				sect = S_CAT;
			}
			if (dup)
				rc = sl_error_at(err, SL_EINVAL, name, line, col + 1,
				                 "section [%s] appears twice", sn);
			continue;
		}
		char *eq = strchr(p, '=');
		if (!eq) {
			rc = sl_error_at(err, SL_EINVAL, name, line, col, "expected 'key = value'");
			break;
		}
		char *k = p, *ke = eq;
		while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t'))
			ke--;
		*ke = 0;
		char *v = eq + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		long vcol = (long)(v - buf) + 1;
		if (!*k) {
			rc = sl_error_at(err, SL_EINVAL, name, line, col,
			                 "a key is missing before '='");
			break;
		}
		if (sect == S_NONE) {
			rc = sl_error_at(
			    err, SL_EINVAL, name, line, col,
			    "key '%s' outside a section ([general], [*] or [category])", k);
			break;
		}
		const char *why =
		    sect == S_GENERAL ? set_general_key(cfg, k, v) : set_cat_key(cur, k, v);
		if (!why)
			rc =
			    sl_error_at(err, SL_EINVAL, name, line, col, "unknown key '%s' in [%s]",
			                k, sect == S_GENERAL ? "general" : cur->name);
		else if (*why)
			rc = sl_error_at(err, SL_EINVAL, name, line, vcol, "%s: %s", k, why);
	}
	if (!rc) {
		cfg->star.set = ~0u;
		rc = check_cat(&cfg->star, name, err);
	}
	for (size_t i = 0; !rc && i < cfg->n; i++) {
		inherit(&cfg->cats[i], &cfg->star);
		rc = check_cat(&cfg->cats[i], name, err);
	}
	if (rc) {
		sl_ordering_config_free(cfg);
		return rc;
	}
	*out = cfg;
	return 0;
}

int sl_ordering_config_load(const char *path, sl_ordering_config **out, sl_error *err)
{
	char def[4096];
	*out = NULL;
	if (!path) {
		if (sl_data_path("ordering/categories.ini", def, sizeof def) < 0)
			return sl_error_set(
			    err, SL_ENOTFOUND,
			    "the default ordering/categories.ini was not found in the data "
			    "directory (set SAMLAST_DATA)");
		path = def;
	}
	FILE *f = fopen(path, "rb");
	if (!f)
		return sl_error_at(err, errno == ENOENT ? SL_ENOTFOUND : SL_EIO, path, 0, 0,
		                   "cannot open: %s", strerror(errno));
	sl_buf b = {0};
	char chunk[8192];
	size_t n;
	int rc = 0;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (sl_buf_append(&b, chunk, n) < 0) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			break;
		}
	if (!rc && ferror(f))
		rc = sl_error_at(err, SL_EIO, path, 0, 0, "read error");
	fclose(f);
	if (!rc && b.len > (1u << 20))
		rc = sl_error_at(err, SL_ELIMIT, path, 0, 0, "a config file is at most 1 MiB");
	if (!rc)
		rc = sl_ordering_config_parse(b.data ? b.data : "", b.len, path, out, err);
	sl_buf_free(&b);
	return rc;
}

void sl__ordering_config_general(const sl_ordering_config *cfg, double *capacity_kg,
                                 double *fuel_l_per_100km, const char **energy_carrier)
{
	*capacity_kg = cfg->capacity_kg;
	*fuel_l_per_100km = cfg->fuel_l_per_100km;
	*energy_carrier = cfg->energy_carrier;
}

char *sl_ordering_days_text(unsigned days, int sv, char *out, size_t out_size)
{
	static const char *const en[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
	size_t used = 0;
	if (!out_size)
		return out;
	out[0] = 0;
	for (int d = 0; d < 7; d++) {
		if (!(days & (1u << d)))
			continue;
		int w = snprintf(out + used, out_size - used, "%s%s", used ? "+" : "",
		                 sv ? day_sv[d] : en[d]);
		if (w < 0 || (size_t)w >= out_size - used)
			break;
		used += (size_t)w;
	}
	if (!used)
		snprintf(out, out_size, "-");
	return out;
}

void sl__ordering_cutoff_text(const sl_ordering_rules *r, unsigned days, int sv, char *out,
                              size_t out_size)
{
	static const char *const en[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
	size_t used = 0;
	if (!out_size)
		return;
	out[0] = 0;
	for (int d = 0; d < 7; d++) {
		if (!(days & (1u << d)))
			continue;
		/* the order day: lead_days before, moved back off a weekend */
		int od = ((d - r->lead_days) % 7 + 7) % 7;
		while (od >= 5)
			od--;
		int w =
		    snprintf(out + used, out_size - used, "%s%s: %s %s %02d:%02d", used ? "; " : "",
		             sv ? day_sv[d] : en[d], sv ? "beställ senast" : "order by",
		             sv ? day_sv[od] : en[od], r->cutoff_min / 60, r->cutoff_min % 60);
		if (w < 0 || (size_t)w >= out_size - used)
			break;
		used += (size_t)w;
	}
}
