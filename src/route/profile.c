/* profile.c — vehicle profiles and the OSM tag rules that use them.
 *
 * A profile is a small INI-like text (data/profiles/NAME.ini): sections
 * [vehicle], [highway] (km/h per highway class; an unlisted class is not
 * routable), [maxspeed] (implicit zone values such as SE:urban) and
 * [barrier] (which barrier=* values let the vehicle through).  Tag rules
 * follow the OSM wiki's conventions: access tags from most specific
 * (hgv, goods) to least (access), maxspeed with units, maxweight/maxheight
 * /maxwidth/maxlength against the vehicle's size.  No global state: a
 * profile is a value the import reads. */
#include "internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small string helpers -------------------------------------------------- */

static void trim(char **s, char **e)
{
	while (*s < *e && isspace((unsigned char)**s))
		(*s)++;
	while (*e > *s && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

static int copy_word(char *dst, size_t cap, const char *s, size_t n)
{
	if (n == 0 || n >= cap)
		return -1;
	memcpy(dst, s, n);
	dst[n] = 0;
	return 0;
}

/* Parse a number that may use a decimal comma; *end gets the rest. */
static int parse_num(const char *s, double *v, const char **end)
{
	char tmp[64];
	size_t i = 0;
	while (*s == ' ')
		s++;
	while ((isdigit((unsigned char)s[i]) || s[i] == '.' || s[i] == ',') && i < sizeof tmp - 1) {
		tmp[i] = s[i] == ',' ? '.' : s[i];
		i++;
	}
	tmp[i] = 0;
	if (i == 0 || !isdigit((unsigned char)tmp[0]))
		return -1;
	char *e;
	double x = strtod(tmp, &e);
	if (*e || !isfinite(x))
		return -1;
	*v = x;
	*end = s + i;
	while (**end == ' ')
		(*end)++;
	return 0;
}

static int ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
	return *a == *b;
}

/* ---- value parsers ----------------------------------------------------------- */

static int maxspeed_one(const sl_route_profile *p, const char *s, double *kmh)
{
	while (*s == ' ')
		s++;
	if (!*s)
		return SL_EINVAL;
	if (ieq(s, "none") || ieq(s, "unlimited")) {
		*kmh = p ? p->max_speed_kmh : 130;
		return 0;
	}
	if (p)
		for (int i = 0; i < p->n_zones; i++)
			if (ieq(s, p->zones[i].key)) {
				*kmh = p->zones[i].kmh;
				return 0;
			}
	if (ieq(s, "walk")) {
		*kmh = 7;
		return 0;
	}
	const char *rest;
	double v;
	if (parse_num(s, &v, &rest) < 0)
		return SL_EINVAL;
	if (!*rest || ieq(rest, "km/h") || ieq(rest, "kmh") || ieq(rest, "kph"))
		;
	else if (ieq(rest, "mph"))
		v *= 1.609344;
	else if (ieq(rest, "knots"))
		v *= 1.852;
	else
		return SL_EINVAL;
	if (v <= 0 || v > 400)
		return SL_EINVAL;
	*kmh = v;
	return 0;
}

int sl_route_parse_maxspeed(const sl_route_profile *p, const char *value, double *kmh)
{
	if (!value)
		return SL_EINVAL;
	char buf[128];
	if (strlen(value) >= sizeof buf)
		return SL_EINVAL;
	strcpy(buf, value);
	double best = 0;
	int found = 0;
	for (char *tok = buf, *next; tok; tok = next) {
		next = strchr(tok, ';');
		if (next)
			*next++ = 0;
		char *e = tok + strlen(tok);
		trim(&tok, &e);
		*e = 0;
		double v;
		if (maxspeed_one(p, tok, &v) == 0 && (!found || v < best)) {
			best = v;
			found = 1;
		}
	}
	if (!found)
		return SL_EINVAL;
	*kmh = best;
	return 0;
}

int sl_route_parse_length_m(const char *value, double *m)
{
	if (!value)
		return SL_EINVAL;
	const char *s = value, *rest;
	double v;
	if (parse_num(s, &v, &rest) < 0)
		return SL_EINVAL;
	if (!*rest || ieq(rest, "m"))
		;
	else if (ieq(rest, "cm"))
		v /= 100;
	else if (ieq(rest, "mm"))
		v /= 1000;
	else if (ieq(rest, "ft"))
		v *= 0.3048;
	else if (*rest == '\'' || strncmp(rest, "ft ", 3) == 0) {
		/* feet and inches: 4'6", 4'6'', 4 ft 6 in, 4' */
		rest += *rest == '\'' ? 1 : 3;
		double inch = 0;
		while (*rest == ' ')
			rest++;
		if (*rest) {
			if (parse_num(rest, &inch, &rest) < 0)
				return SL_EINVAL;
			if (!(strcmp(rest, "\"") == 0 || strcmp(rest, "''") == 0 ||
			      ieq(rest, "in") || !*rest))
				return SL_EINVAL;
			if (inch >= 12)
				return SL_EINVAL;
		}
		v = v * 0.3048 + inch * 0.0254;
	} else
		return SL_EINVAL;
	if (!(v > 0) || v > 1000)
		return SL_EINVAL;
	*m = v;
	return 0;
}

int sl_route_parse_weight_t(const char *value, double *t)
{
	if (!value)
		return SL_EINVAL;
	const char *rest;
	double v;
	if (parse_num(value, &v, &rest) < 0)
		return SL_EINVAL;
	if (!*rest || ieq(rest, "t"))
		;
	else if (ieq(rest, "kg"))
		v /= 1000;
	else if (ieq(rest, "st"))
		v *= 0.90718474;
	else if (ieq(rest, "lbs") || ieq(rest, "lb"))
		v *= 0.00045359237;
	else if (ieq(rest, "lt"))
		v *= 1.0160469;
	else
		return SL_EINVAL;
	if (!(v > 0) || v > 10000)
		return SL_EINVAL;
	*t = v;
	return 0;
}

/* ---- tag rules ------------------------------------------------------------- */

static const char *tag(const char *const *k, const char *const *v, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (strcmp(k[i], key) == 0)
			return v[i];
	return NULL;
}

static int in_list(const char (*list)[24], int n, const char *v, size_t len)
{
	for (int i = 0; i < n; i++)
		if (strlen(list[i]) == len && strncmp(list[i], v, len) == 0)
			return 1;
	return 0;
}

int rp_access(const sl_route_profile *p, const char *const *keys, const char *const *vals, int n)
{
	for (int i = 0; i < p->n_access_tags; i++) {
		const char *v = tag(keys, vals, n, p->access_tags[i]);
		if (!v)
			continue;
		size_t len = strcspn(v, ";"); /* the first value of a list decides */
		while (len && v[len - 1] == ' ')
			len--;
		if (in_list(p->allowed, p->n_allowed, v, len))
			return 1;
		if (in_list(p->dest, p->n_dest, v, len))
			return 2;
		return 0;
	}
	return -1;
}

double rp_way_speed(const sl_route_profile *p, const char *const *keys, const char *const *vals,
                    int n)
{
	const char *hw = tag(keys, vals, n, "highway");
	if (!hw)
		return 0;
	const char *area = tag(keys, vals, n, "area");
	if (area && strcmp(area, "yes") == 0)
		return 0;
	double base = 0;
	for (int i = 0; i < p->n_classes; i++)
		if (strcmp(p->classes[i].key, hw) == 0)
			base = p->classes[i].kmh;
	if (base <= 0)
		return 0;
	double v = base, ms;
	int have = 0;
	for (int i = 0; i < p->n_maxspeed_tags && !have; i++) {
		const char *m = tag(keys, vals, n, p->maxspeed_tags[i]);
		if (m && sl_route_parse_maxspeed(p, m, &ms) == 0)
			have = 1;
	}
	/* an implicit limit written as maxspeed:type=SE:urban or
	 * source:maxspeed=SE:rural */
	const char *implicit[] = {"maxspeed:type", "source:maxspeed", "zone:maxspeed"};
	for (int i = 0; i < 3 && !have; i++) {
		const char *m = tag(keys, vals, n, implicit[i]);
		if (m && strchr(m, ':') && sl_route_parse_maxspeed(p, m, &ms) == 0)
			have = 1;
	}
	if (have)
		v = ms;
	if (v > p->max_speed_kmh)
		v = p->max_speed_kmh;
	return v;
}

static int over(const char *const *k, const char *const *v, int n, const char *key, double size,
                int weight)
{
	const char *s = tag(k, v, n, key);
	double lim;
	if (!s || size <= 0)
		return 0;
	if ((weight ? sl_route_parse_weight_t(s, &lim) : sl_route_parse_length_m(s, &lim)) < 0)
		return 0; /* "none", "default" or junk: no usable limit */
	return size > lim + 1e-9;
}

int rp_dimension_blocked(const sl_route_profile *p, const char *const *keys,
                         const char *const *vals, int n)
{
	return over(keys, vals, n, "maxweight", p->weight_t, 1) ||
	       over(keys, vals, n, "maxweight:hgv", p->weight_t >= 3.5 ? p->weight_t : 0, 1) ||
	       over(keys, vals, n, "maxheight", p->height_m, 0) ||
	       over(keys, vals, n, "maxheight:physical", p->height_m, 0) ||
	       over(keys, vals, n, "maxwidth", p->width_m, 0) ||
	       over(keys, vals, n, "maxwidth:physical", p->width_m, 0) ||
	       over(keys, vals, n, "maxlength", p->length_m, 0);
}

int rp_node_blocks(const sl_route_profile *p, const char *const *keys, const char *const *vals,
                   int n)
{
	if (rp_dimension_blocked(p, keys, vals, n))
		return 1;
	const char *b = tag(keys, vals, n, "barrier");
	if (!b)
		return 0;
	int pass = p->barrier_default_passable;
	for (int i = 0; i < p->n_barriers; i++)
		if (strcmp(p->barriers[i].key, b) == 0)
			pass = p->barriers[i].passable;
	int acc = rp_access(p, keys, vals, n);
	if (acc == 0)
		return 1;
	if (acc > 0)
		return 0;
	return !pass;
}

/* ---- the profile file ------------------------------------------------------- */

static int set_list(char (*list)[24], int *n, int max, char *v)
{
	*n = 0;
	for (char *tok = strtok(v, " ,\t"); tok; tok = strtok(NULL, " ,\t")) {
		if (*n >= max || strlen(tok) >= 24)
			return -1;
		strcpy(list[(*n)++], tok);
	}
	return 0;
}

static int parse_double_val(const char *v, double *out, double lo, double hi)
{
	char *e;
	double x = strtod(v, &e);
	if (e == v || *e || !isfinite(x) || x < lo || x > hi)
		return -1;
	*out = x;
	return 0;
}

static int vehicle_key(sl_route_profile *p, const char *k, char *v)
{
	double x;
	if (strcmp(k, "name") == 0)
		return copy_word(p->name, sizeof p->name, v, strlen(v));
	if (strcmp(k, "max_speed_kmh") == 0)
		return parse_double_val(v, &p->max_speed_kmh, 1, 400);
	if (strcmp(k, "weight_t") == 0)
		return parse_double_val(v, &p->weight_t, 0, 1000);
	if (strcmp(k, "height_m") == 0)
		return parse_double_val(v, &p->height_m, 0, 100);
	if (strcmp(k, "width_m") == 0)
		return parse_double_val(v, &p->width_m, 0, 100);
	if (strcmp(k, "length_m") == 0)
		return parse_double_val(v, &p->length_m, 0, 1000);
	if (strcmp(k, "u_turn_penalty_s") == 0)
		return parse_double_val(v, &p->u_turn_penalty_s, 0, 3600);
	if (strcmp(k, "destination_factor") == 0) {
		if (parse_double_val(v, &x, 1, 100) < 0 || x != floor(x))
			return -1;
		p->destination_factor = (int)x;
		return 0;
	}
	if (strcmp(k, "access_tags") == 0)
		return set_list(p->access_tags, &p->n_access_tags, RP_MAX_TAGS, v);
	if (strcmp(k, "maxspeed_tags") == 0)
		return set_list(p->maxspeed_tags, &p->n_maxspeed_tags, RP_MAX_TAGS, v);
	if (strcmp(k, "restriction_tags") == 0)
		return set_list(p->restriction_tags, &p->n_restriction_tags, RP_MAX_TAGS, v);
	if (strcmp(k, "except") == 0)
		return set_list(p->except, &p->n_except, RP_MAX_VALUES, v);
	if (strcmp(k, "allowed") == 0)
		return set_list(p->allowed, &p->n_allowed, RP_MAX_VALUES, v);
	if (strcmp(k, "destination") == 0)
		return set_list(p->dest, &p->n_dest, RP_MAX_VALUES, v);
	return -2;
}

int sl_route_profile_parse(const char *text, size_t len, const char *name, sl_route_profile **out,
                           sl_error *err)
{
	sl_route_profile *p = calloc(1, sizeof *p);
	char *buf = malloc(len + 1);
	if (!p || !buf) {
		free(p);
		free(buf);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	memcpy(buf, text, len);
	buf[len] = 0;
	p->max_speed_kmh = 130;
	p->destination_factor = 1;
	p->u_turn_penalty_s = 20;
	enum { NONE, VEHICLE, HIGHWAY, MAXSPEED, BARRIER } sec = NONE;
	long lineno = 0;
	int rc = 0;
	char *line = buf;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		line += 3;
	while (line && rc == 0) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		lineno++;
		char *raw = line, *s = line, *e = line + strlen(line);
		char *hash = strchr(s, '#');
		if (hash)
			e = hash;
		trim(&s, &e);
		*e = 0;
		line = nl ? nl + 1 : NULL;
		if (!*s)
			continue;
		if (strlen(s) != (size_t)(e - s) || sl_utf8_invalid_at(s, strlen(s)) >= 0) {
			rc = sl_error_at(err, SL_EINVAL, name, lineno, 1, "invalid UTF-8");
			break;
		}
		if (*s == '[') {
			if (strcmp(s, "[vehicle]") == 0)
				sec = VEHICLE;
			else if (strcmp(s, "[highway]") == 0)
				sec = HIGHWAY;
			else if (strcmp(s, "[maxspeed]") == 0)
				sec = MAXSPEED;
			else if (strcmp(s, "[barrier]") == 0)
				sec = BARRIER;
			else
				rc = sl_error_at(err, SL_EINVAL, name, lineno, 1,
				                 "unknown section '%.64s'", s);
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq) {
			rc = sl_error_at(err, SL_EINVAL, name, lineno, 1, "expected 'key = value'");
			break;
		}
		char *ks = s, *ke = eq, *vs = eq + 1, *ve = e;
		trim(&ks, &ke);
		trim(&vs, &ve);
		*ke = 0;
		*ve = 0;
		long vcol = (long)(vs - raw) + 1;
		if (!*ks) {
			rc = sl_error_at(err, SL_EINVAL, name, lineno, 1, "empty key");
			break;
		}
		double x;
		int bad = 0;
		switch (sec) {
		case NONE:
			rc = sl_error_at(err, SL_EINVAL, name, lineno, 1,
			                 "'%.64s' outside a section", ks);
			break;
		case VEHICLE:
			bad = vehicle_key(p, ks, vs);
			if (bad == -2)
				rc = sl_error_at(err, SL_EINVAL, name, lineno, 1,
				                 "unknown key '%.64s' in [vehicle]", ks);
			break;
		case HIGHWAY:
		case MAXSPEED:
			if (parse_double_val(vs, &x, 1, 400) < 0) {
				bad = -1;
				break;
			}
			if (sec == HIGHWAY) {
				if (p->n_classes >= RP_MAX_CLASSES ||
				    copy_word(p->classes[p->n_classes].key, 32, ks, strlen(ks)) < 0)
					bad = -1;
				else
					p->classes[p->n_classes++].kmh = x;
			} else {
				if (p->n_zones >= RP_MAX_ZONES ||
				    copy_word(p->zones[p->n_zones].key, 32, ks, strlen(ks)) < 0)
					bad = -1;
				else
					p->zones[p->n_zones++].kmh = x;
			}
			break;
		case BARRIER: {
			int pass = strcmp(vs, "yes") == 0 ? 1 : strcmp(vs, "no") == 0 ? 0 : -1;
			if (pass < 0)
				bad = -1;
			else if (strcmp(ks, "default") == 0)
				p->barrier_default_passable = pass;
			else if (p->n_barriers >= RP_MAX_BARRIERS ||
			         copy_word(p->barriers[p->n_barriers].key, 32, ks, strlen(ks)) < 0)
				bad = -1;
			else
				p->barriers[p->n_barriers++].passable = pass;
			break;
		}
		}
		if (rc == 0 && bad == -1)
			rc = sl_error_at(err, SL_EINVAL, name, lineno, vcol,
			                 "bad value '%.64s' for '%.64s'", vs, ks);
	}
	if (rc == 0 && !p->name[0])
		rc = sl_error_at(err, SL_EINVAL, name, 0, 0, "profile has no [vehicle] name");
	if (rc == 0 && p->n_classes == 0)
		rc = sl_error_at(err, SL_EINVAL, name, 0, 0, "profile has no [highway] speeds");
	if (rc == 0 && p->n_access_tags == 0)
		rc = sl_error_at(err, SL_EINVAL, name, 0, 0, "profile has no access_tags");
	if (rc == 0 && p->n_allowed == 0)
		rc = sl_error_at(err, SL_EINVAL, name, 0, 0, "profile has no allowed values");
	if (rc == 0 && p->n_restriction_tags == 0) {
		strcpy(p->restriction_tags[0], "restriction");
		p->n_restriction_tags = 1;
	}
	if (rc == 0 && p->n_maxspeed_tags == 0) {
		strcpy(p->maxspeed_tags[0], "maxspeed");
		p->n_maxspeed_tags = 1;
	}
	free(buf);
	if (rc) {
		free(p);
		return rc;
	}
	*out = p;
	return 0;
}

int sl_route_profile_load(const char *name_or_path, sl_route_profile **out, sl_error *err)
{
	char path[1024];
	if (!strchr(name_or_path, '/') && !strstr(name_or_path, ".ini")) {
		char rel[128];
		if (strlen(name_or_path) > 64)
			return sl_error_set(err, SL_EINVAL, "bad profile name");
		snprintf(rel, sizeof rel, "profiles/%s.ini", name_or_path);
		if (sl_data_path(rel, path, sizeof path) < 0)
			return sl_error_set(err, SL_ENOTFOUND,
			                    "no profile '%s' (looked for data/%s)", name_or_path,
			                    rel);
	} else if (snprintf(path, sizeof path, "%s", name_or_path) >= (int)sizeof path)
		return sl_error_set(err, SL_EINVAL, "profile path too long");
	FILE *f = fopen(path, "rb");
	if (!f)
		return sl_error_set(err, SL_EIO, "%s: cannot open profile", path);
	sl_buf b = {0};
	char chunk[4096];
	size_t n;
	int rc = 0;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && rc == 0) {
		rc = sl_buf_append(&b, chunk, n);
		if (b.len > (1u << 20))
			rc = sl_error_set(err, SL_EINVAL, "%s: profile too large", path);
	}
	if (ferror(f))
		rc = sl_error_set(err, SL_EIO, "%s: read error", path);
	fclose(f);
	if (rc == 0)
		rc = sl_route_profile_parse(b.data ? b.data : "", b.len, path, out, err);
	else if (rc == SL_ENOMEM)
		sl_error_set(err, rc, "out of memory");
	sl_buf_free(&b);
	return rc;
}

void sl_route_profile_free(sl_route_profile *p)
{
	free(p);
}

const char *sl_route_profile_name(const sl_route_profile *p)
{
	return p->name;
}
