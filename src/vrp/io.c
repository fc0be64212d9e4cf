/* io.c — readers for Solomon / Gehring–Homberger VRPTW text, VRPLIB CVRP
 * (TSPLIB-style keys and sections, Reinelt 1991; Uchoa et al. 2017) and VROOM
 * JSON input (github.com/VROOM-Project/vroom docs/API.md), and writers for
 * VROOM-style JSON output and CVRPLIB `.sol` text.  Every malformed input is
 * refused with FILE:LINE and a reason; nothing here trusts the input. */
#include "samlast/vrp.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOK 16

/* ---- line tokenizer ---------------------------------------------------- */

typedef struct lines {
	const char *p, *end;
	long line;
	char buf[4096];
	char *tok[MAX_TOK];
	int ntok;
	int too_long;
} lines;

/* Next line split on blanks (and ':' when `colon`); 0 at end of input. */
static int next_line(lines *L)
{
	if (L->p >= L->end)
		return 0;
	const char *s = L->p;
	const char *e = memchr(s, '\n', (size_t)(L->end - s));
	if (!e)
		e = L->end;
	size_t n = (size_t)(e - s);
	L->too_long = n >= sizeof L->buf;
	if (L->too_long)
		n = sizeof L->buf - 1;
	memcpy(L->buf, s, n);
	L->buf[n] = 0;
	L->p = e < L->end ? e + 1 : e;
	L->line++;
	L->ntok = 0;
	char *q = L->buf;
	while (*q) {
		while (*q && (isspace((unsigned char)*q)))
			q++;
		if (!*q)
			break;
		if (L->ntok == MAX_TOK) {
			L->ntok++;
			break;
		}
		L->tok[L->ntok++] = q;
		while (*q && !isspace((unsigned char)*q))
			q++;
		if (*q)
			*q++ = 0;
	}
	return 1;
}

static int num(const char *s, double *out)
{
	char *e;
	errno = 0;
	double v = strtod(s, &e);
	if (e == s || *e || errno || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

static int is_num(const char *s)
{
	double v;
	return num(s, &v) == 0;
}

/* ---- Solomon ----------------------------------------------------------- */

static int read_solomon(const char *data, size_t len, const char *name, sl_vrp_problem **out, sl_error *err)
{
	lines L = {.p = data, .end = data + len};
	char pname[128] = "";
	double nveh = -1, cap = -1;
	size_t ncap = 128, nrow = 0;
	double (*rows)[7] = malloc(ncap * sizeof *rows);
	if (!rows)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	int rc = 0;
	while (next_line(&L)) {
		if (L.too_long) {
			rc = sl_error_at(err, SL_EINVAL, name, L.line, 0, "line too long");
			goto fail;
		}
		if (L.ntok == 0)
			continue;
		if (!pname[0] && !is_num(L.tok[0])) {
			snprintf(pname, sizeof pname, "%s", L.tok[0]);
			continue;
		}
		if (!is_num(L.tok[0])) {
			const char *w = L.tok[0];
			if (strcmp(w, "VEHICLE") && strcmp(w, "NUMBER") && strcmp(w, "CUSTOMER") && strcmp(w, "CUST")) {
				rc = sl_error_at(err, SL_EINVAL, name, L.line, 0, "unexpected text '%.40s'", w);
				goto fail;
			}
			continue;
		}
		double v[7];
		if (L.ntok != 2 && L.ntok != 7) {
			rc = sl_error_at(err, SL_EINVAL, name, L.line, 0,
					"expected 2 numbers (vehicles, capacity) or 7 (customer row), got %d fields", L.ntok);
			goto fail;
		}
		for (int k = 0; k < L.ntok; k++)
			if (num(L.tok[k], &v[k])) {
				rc = sl_error_at(err, SL_EINVAL, name, L.line, 0, "field %d is not a number: '%.40s'", k + 1, L.tok[k]);
				goto fail;
			}
		if (L.ntok == 2) {
			if (nveh >= 0 || nrow) {
				rc = sl_error_at(err, SL_EINVAL, name, L.line, 0, "vehicle line repeated or after customers");
				goto fail;
			}
			if (v[0] < 1 || v[0] > 100000 || v[0] != floor(v[0]) || v[1] < 0) {
				rc = sl_error_at(err, SL_EINVAL, name, L.line, 0, "bad vehicle count or capacity");
				goto fail;
			}
			nveh = v[0];
			cap = v[1];
			continue;
		}
		if (nveh < 0) {
			rc = sl_error_at(err, SL_EINVAL, name, L.line, 0, "customer row before the vehicle section");
			goto fail;
		}
		if (v[0] != (double)nrow) {
			rc = sl_error_at(err, SL_EINVAL, name, L.line, 0, "customer number %g out of sequence (expected %zu)", v[0], nrow);
			goto fail;
		}
		if (v[3] < 0 || v[4] > v[5] || v[6] < 0) {
			rc = sl_error_at(err, SL_EINVAL, name, L.line, 0, "negative demand or service, or ready time after due date");
			goto fail;
		}
		if (nrow == 10000) {
			rc = sl_error_at(err, SL_EINVAL, name, L.line, 0, "too many customers");
			goto fail;
		}
		if (nrow == ncap) {
			ncap *= 2;
			void *nr = realloc(rows, ncap * sizeof *rows);
			if (!nr) {
				rc = sl_error_set(err, SL_ENOMEM, "out of memory");
				goto fail;
			}
			rows = nr;
		}
		memcpy(rows[nrow++], v, sizeof v);
	}
	if (nrow < 1 || nveh < 0) {
		rc = sl_error_at(err, SL_EINVAL, name, L.line ? L.line : 1, 0, "no vehicle line or no depot row");
		goto fail;
	}
	sl_vrp_problem *p = sl_vrp_problem_new((int)nrow, (int)nrow - 1, (int)nveh);
	if (!p) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto fail;
	}
	snprintf(p->name, sizeof p->name, "%s", pname);
	for (size_t i = 0; i < nrow; i++) {
		p->x[i] = rows[i][1];
		p->y[i] = rows[i][2];
	}
	for (size_t i = 1; i < nrow; i++) {
		sl_vrp_task *t = &p->tasks[i - 1];
		snprintf(t->id, sizeof t->id, "%zu", i);
		t->ext = (long)i;
		t->location = (int)i;
		t->delivery[0] = rows[i][3];
		t->n_tw = 1;
		t->tw[0].start_s = rows[i][4];
		t->tw[0].end_s = rows[i][5];
		t->service_s = rows[i][6];
	}
	for (int k = 0; k < p->n_vehicles; k++) {
		sl_vrp_vehicle *ve = &p->vehicles[k];
		snprintf(ve->id, sizeof ve->id, "%d", k + 1);
		ve->start_loc = ve->end_loc = 0;
		ve->capacity[0] = cap;
		ve->tw_start_s = rows[0][4];
		ve->tw_end_s = rows[0][5];
		ve->cost_per_km = 1000.0;
		ve->cost_per_hour = 0;
	}
	sl_vrp_problem_euclidean(p, 0);
	p->objective = SL_VRP_OBJ_DISTANCE;
	p->source_format = SL_VRP_FMT_SOLOMON;
	free(rows);
	*out = p;
	return 0;
fail:
	free(rows);
	return rc;
}

/* ---- VRPLIB ------------------------------------------------------------ */

static int read_vrplib(const char *data, size_t len, const char *name, sl_vrp_problem **out, sl_error *err)
{
	lines L = {.p = data, .end = data + len};
	long dim = -1, nveh = -1;
	double cap = -1;
	char pname[128] = "";
	int section = 0; /* 1 coord, 2 demand, 3 depot */
	double *x = NULL, *y = NULL, *dem = NULL;
	char *seen_c = NULL, *seen_d = NULL;
	long depot = -1;
	int rc = 0, depot_done = 0;
	while (next_line(&L)) {
		if (L.too_long) {
			rc = sl_error_at(err, SL_EINVAL, name, L.line, 0, "line too long");
			goto fail;
		}
		if (L.ntok == 0)
			continue;
		/* split "KEY : VALUE" / "KEY: VALUE" / "KEY :VALUE" */
		char key[64] = "", val[128] = "";
		if (!is_num(L.tok[0]) && strcmp(L.tok[0], "-1") != 0) {
			char line[4096] = "";
			for (int k = 0; k < L.ntok && k < MAX_TOK; k++) {
				if (k)
					strcat(line, " ");
				strncat(line, L.tok[k], sizeof line - strlen(line) - 2);
			}
			char *c = strchr(line, ':');
			if (c) {
				*c = 0;
				sscanf(line, "%63s", key);
				const char *vs = c + 1;
				while (*vs == ' ')
					vs++;
				snprintf(val, sizeof val, "%s", vs);
			} else {
				snprintf(key, sizeof key, "%s", L.tok[0]);
			}
			section = 0;
			if (!strcmp(key, "EOF"))
				break;
			if (!strcmp(key, "NAME"))
				snprintf(pname, sizeof pname, "%s", val);
			else if (!strcmp(key, "TYPE")) {
				if (strncmp(val, "CVRP", 4)) {
					rc = sl_error_at(err, SL_EUNSUPPORTED, name, L.line, 0, "TYPE %.40s is not supported (CVRP only)", val);
					goto fail;
				}
			} else if (!strcmp(key, "EDGE_WEIGHT_TYPE")) {
				if (strcmp(val, "EUC_2D")) {
					rc = sl_error_at(err, SL_EUNSUPPORTED, name, L.line, 0, "EDGE_WEIGHT_TYPE %.40s is not supported (EUC_2D only)", val);
					goto fail;
				}
			} else if (!strcmp(key, "DIMENSION") || !strcmp(key, "CAPACITY") || !strcmp(key, "VEHICLES")) {
				double v;
				if (num(val, &v) || v < 1 || v > 20000 || (key[0] != 'C' && v != floor(v))) {
					rc = sl_error_at(err, SL_EINVAL, name, L.line, 0, "%s needs a positive number", key);
					goto fail;
				}
				if (key[0] == 'D') {
					if (dim >= 0) {
						rc = sl_error_at(err, SL_EINVAL, name, L.line, 0, "DIMENSION repeated");
						goto fail;
					}
					dim = (long)v;
					x = calloc((size_t)dim, sizeof *x);
					y = calloc((size_t)dim, sizeof *y);
					dem = calloc((size_t)dim, sizeof *dem);
					seen_c = calloc((size_t)dim, 1);
					seen_d = calloc((size_t)dim, 1);
					if (!x || !y || !dem || !seen_c || !seen_d) {
						rc = sl_error_set(err, SL_ENOMEM, "out of memory");
						goto fail;
					}
				} else if (key[0] == 'C')
					cap = v;
				else
					nveh = (long)v;
			} else if (!strcmp(key, "NODE_COORD_SECTION") || !strcmp(key, "DEMAND_SECTION") || !strcmp(key, "DEPOT_SECTION")) {
				if (dim < 0) {
					rc = sl_error_at(err, SL_EINVAL, name, L.line, 0, "%s before DIMENSION", key);
					goto fail;
				}
				section = key[1] == 'O' ? 1 : key[1] == 'E' && key[2] == 'M' ? 2 : 3;
			} else if (!strcmp(key, "COMMENT") || !strcmp(key, "SERVICE_TIME") || !strcmp(key, "DISTANCE")) {
				if (strcmp(key, "COMMENT")) {
					rc = sl_error_at(err, SL_EUNSUPPORTED, name, L.line, 0, "%s is not supported", key);
					goto fail;
				}
			} else {
				rc = sl_error_at(err, SL_EINVAL, name, L.line, 0, "unknown keyword '%.40s'", key);
				goto fail;
			}
			continue;
		}
		double v[3];
		for (int k = 0; k < L.ntok && k < 3; k++)
			if (num(L.tok[k], &v[k])) {
				rc = sl_error_at(err, SL_EINVAL, name, L.line, 0, "field %d is not a number", k + 1);
				goto fail;
			}
		if (section == 1 || section == 2) {
			int want = section == 1 ? 3 : 2;
			if (L.ntok != want) {
				rc = sl_error_at(err, SL_EINVAL, name, L.line, 0, "expected %d fields, got %d", want, L.ntok);
				goto fail;
			}
			if (v[0] < 1 || v[0] > dim || v[0] != floor(v[0])) {
				rc = sl_error_at(err, SL_EINVAL, name, L.line, 0, "node %g out of range 1..%ld", v[0], dim);
				goto fail;
			}
			long id = (long)v[0] - 1;
			if (section == 1) {
				x[id] = v[1];
				y[id] = v[2];
				seen_c[id] = 1;
			} else {
				if (v[1] < 0) {
					rc = sl_error_at(err, SL_EINVAL, name, L.line, 0, "negative demand");
					goto fail;
				}
				dem[id] = v[1];
				seen_d[id] = 1;
			}
		} else if (section == 3) {
			if (L.ntok != 1) {
				rc = sl_error_at(err, SL_EINVAL, name, L.line, 0, "expected one depot number");
				goto fail;
			}
			if (v[0] == -1) {
				depot_done = 1;
				continue;
			}
			if (depot_done || depot >= 0) {
				rc = sl_error_at(err, SL_EUNSUPPORTED, name, L.line, 0, "only one depot is supported");
				goto fail;
			}
			if (v[0] < 1 || v[0] > dim || v[0] != floor(v[0])) {
				rc = sl_error_at(err, SL_EINVAL, name, L.line, 0, "depot %g out of range", v[0]);
				goto fail;
			}
			depot = (long)v[0] - 1;
		} else {
			rc = sl_error_at(err, SL_EINVAL, name, L.line, 0, "numbers outside a section");
			goto fail;
		}
	}
	if (dim < 2 || cap < 0 || depot < 0) {
		rc = sl_error_at(err, SL_EINVAL, name, L.line ? L.line : 1, 0, "missing DIMENSION, CAPACITY or DEPOT_SECTION");
		goto fail;
	}
	for (long i = 0; i < dim; i++)
		if (!seen_c[i] || !seen_d[i]) {
			rc = sl_error_at(err, SL_EINVAL, name, L.line, 0, "node %ld has no coordinates or no demand", i + 1);
			goto fail;
		}
	if (nveh < 0)
		nveh = dim - 1;
	sl_vrp_problem *p = sl_vrp_problem_new((int)dim, (int)dim - 1, (int)nveh);
	if (!p) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto fail;
	}
	snprintf(p->name, sizeof p->name, "%s", pname);
	for (long i = 0; i < dim; i++) {
		p->x[i] = x[i];
		p->y[i] = y[i];
	}
	int k = 0;
	for (long i = 0; i < dim; i++) {
		if (i == depot)
			continue;
		sl_vrp_task *t = &p->tasks[k++];
		t->ext = k; /* CVRPLIB .sol numbering: customers 1..n-1 */
		snprintf(t->id, sizeof t->id, "%ld", i + 1);
		t->location = (int)i;
		t->delivery[0] = dem[i];
	}
	for (int v = 0; v < p->n_vehicles; v++) {
		sl_vrp_vehicle *ve = &p->vehicles[v];
		snprintf(ve->id, sizeof ve->id, "%d", v + 1);
		ve->start_loc = ve->end_loc = (int)depot;
		ve->capacity[0] = cap;
		ve->cost_per_km = 1000.0;
	}
	sl_vrp_problem_euclidean(p, 1);
	p->objective = SL_VRP_OBJ_DISTANCE;
	p->source_format = SL_VRP_FMT_VRPLIB;
	*out = p;
fail:
	free(x);
	free(y);
	free(dem);
	free(seen_c);
	free(seen_d);
	return rc;
}

/* ---- VROOM JSON -------------------------------------------------------- */

static int jnum(json_t *o, const char *k, double def, double *out)
{
	json_t *v = json_object_get(o, k);
	if (!v) {
		*out = def;
		return 0;
	}
	if (!json_is_number(v))
		return -1;
	*out = json_number_value(v);
	return isfinite(*out) ? 0 : -1;
}

static int jid(json_t *o, char *out, size_t n)
{
	json_t *v = json_object_get(o, "id");
	if (json_is_integer(v))
		snprintf(out, n, "%lld", (long long)json_integer_value(v));
	else if (json_is_string(v))
		snprintf(out, n, "%s", json_string_value(v));
	else
		return -1;
	return 0;
}

static int jamounts(json_t *a, double *out, int *ndims)
{
	if (!a)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > SL_VRP_MAX_DIMS)
		return -1;
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *v = json_array_get(a, i);
		if (!json_is_number(v) || json_number_value(v) < 0)
			return -1;
		out[i] = json_number_value(v);
	}
	if ((int)json_array_size(a) > *ndims)
		*ndims = (int)json_array_size(a);
	return 0;
}

static int jskills(json_t *a, uint64_t *out)
{
	*out = 0;
	if (!a)
		return 0;
	if (!json_is_array(a))
		return -1;
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *v = json_array_get(a, i);
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 63)
			return -1;
		*out |= (uint64_t)1 << json_integer_value(v);
	}
	return 0;
}

static int jtws(json_t *a, sl_vrp_task *t)
{
	t->n_tw = 0;
	if (!a)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > SL_VRP_MAX_TWS)
		return -1;
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *w = json_array_get(a, i);
		if (!json_is_array(w) || json_array_size(w) != 2 || !json_is_number(json_array_get(w, 0)) ||
				!json_is_number(json_array_get(w, 1)))
			return -1;
		t->tw[i].start_s = json_number_value(json_array_get(w, 0));
		t->tw[i].end_s = json_number_value(json_array_get(w, 1));
		if (t->tw[i].start_s > t->tw[i].end_s)
			return -1;
	}
	t->n_tw = (int)json_array_size(a);
	return 0;
}

/* Location: "location_index" (with a matrix) or "location" [lon, lat]. */
typedef struct locs {
	int n, cap;
	double *lon, *lat;
	int use_index;
	int max_index;
} locs;

static int jloc(json_t *o, const char *ik, const char *ck, locs *lc, int *out, int optional)
{
	json_t *i = json_object_get(o, ik), *c = json_object_get(o, ck);
	if (json_is_integer(i)) {
		long long v = json_integer_value(i);
		if (v < 0 || v > 20000)
			return -1;
		lc->use_index |= 1;
		if (v > lc->max_index)
			lc->max_index = (int)v;
		*out = (int)v;
		return 0;
	}
	if (i)
		return -1;
	if (json_is_array(c) && json_array_size(c) == 2 && json_is_number(json_array_get(c, 0)) &&
			json_is_number(json_array_get(c, 1))) {
		lc->use_index |= 2;
		if (lc->n == lc->cap) {
			int nc = lc->cap ? lc->cap * 2 : 64;
			double *a = realloc(lc->lon, (size_t)nc * sizeof(double));
			if (!a)
				return -1;
			lc->lon = a;
			double *b = realloc(lc->lat, (size_t)nc * sizeof(double));
			if (!b)
				return -1;
			lc->lat = b;
			lc->cap = nc;
		}
		lc->lon[lc->n] = json_number_value(json_array_get(c, 0));
		lc->lat[lc->n] = json_number_value(json_array_get(c, 1));
		*out = lc->n++;
		return 0;
	}
	if (c)
		return -1;
	*out = -1;
	return optional ? 0 : -1;
}

static int jmatrix(json_t *m, int n, double *dst, double scale)
{
	if (!json_is_array(m) || (int)json_array_size(m) != n)
		return -1;
	for (int i = 0; i < n; i++) {
		json_t *row = json_array_get(m, (size_t)i);
		if (!json_is_array(row) || (int)json_array_size(row) != n)
			return -1;
		for (int j = 0; j < n; j++) {
			json_t *v = json_array_get(row, (size_t)j);
			if (!json_is_number(v) || json_number_value(v) < 0)
				return -1;
			dst[(size_t)i * n + j] = json_number_value(v) * scale;
		}
	}
	return 0;
}

#define JFAIL(...)                                                        \
	do {                                                                  \
		rc = sl_error_at(err, SL_EINVAL, name, 1, 0, __VA_ARGS__); \
		goto fail;                                                        \
	} while (0)

static int read_vroom(const char *data, size_t len, const char *name, sl_vrp_problem **out, sl_error *err)
{
	json_error_t je;
	json_t *root = json_loadb(data, len, 0, &je);
	if (!root)
		return sl_error_at(err, SL_EINVAL, name, je.line, je.column, "JSON: %s", je.text);
	int rc = 0;
	sl_vrp_problem *p = NULL;
	locs lc = {0};
	lc.max_index = -1;
	json_t *jobs = json_object_get(root, "jobs"), *ships = json_object_get(root, "shipments");
	json_t *vehs = json_object_get(root, "vehicles");
	if (!json_is_object(root))
		JFAIL("the top level must be an object");
	if ((jobs && !json_is_array(jobs)) || (ships && !json_is_array(ships)) || !json_is_array(vehs) ||
			json_array_size(vehs) == 0)
		JFAIL("'jobs'/'shipments' must be arrays and 'vehicles' a non-empty array");
	size_t nj = jobs ? json_array_size(jobs) : 0, ns = ships ? json_array_size(ships) : 0;
	size_t nv = json_array_size(vehs);
	if (nj + 2 * ns > 100000 || nv > 10000)
		JFAIL("too many jobs or vehicles");
	p = sl_vrp_problem_new(0, (int)(nj + 2 * ns), (int)nv);
	if (!p) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto fail;
	}
	int nd = 1, k = 0;
	for (size_t i = 0; i < nj; i++) {
		json_t *j = json_array_get(jobs, i);
		sl_vrp_task *t = &p->tasks[k++];
		double pr;
		if (!json_is_object(j) || jid(j, t->id, sizeof t->id))
			JFAIL("jobs[%zu]: missing id", i);
		t->ext = (long)(i + 1);
		if (jloc(j, "location_index", "location", &lc, &t->location, 0))
			JFAIL("jobs[%zu]: needs location_index or location [lon, lat]", i);
		if (jnum(j, "service", 0, &t->service_s) || t->service_s < 0)
			JFAIL("jobs[%zu]: bad service", i);
		json_t *amt = json_object_get(j, "amount");
		if (jamounts(json_object_get(j, "delivery"), t->delivery, &nd) ||
				jamounts(json_object_get(j, "pickup"), t->pickup, &nd) || jamounts(amt, t->delivery, &nd))
			JFAIL("jobs[%zu]: bad delivery/pickup amounts", i);
		if (jskills(json_object_get(j, "skills"), &t->skills))
			JFAIL("jobs[%zu]: bad skills", i);
		if (jtws(json_object_get(j, "time_windows"), t))
			JFAIL("jobs[%zu]: bad time_windows", i);
		if (jnum(j, "priority", 0, &pr) || pr < 0 || pr > 100)
			JFAIL("jobs[%zu]: priority must be in 0..100", i);
		t->priority = 1.0 + pr;
	}
	for (size_t i = 0; i < ns; i++) {
		json_t *s = json_array_get(ships, i);
		json_t *pk = json_object_get(s, "pickup"), *dl = json_object_get(s, "delivery");
		if (!json_is_object(pk) || !json_is_object(dl))
			JFAIL("shipments[%zu]: needs pickup and delivery objects", i);
		double amount[SL_VRP_MAX_DIMS] = {0}, pr;
		uint64_t sk;
		if (jamounts(json_object_get(s, "amount"), amount, &nd))
			JFAIL("shipments[%zu]: bad amount", i);
		if (jskills(json_object_get(s, "skills"), &sk))
			JFAIL("shipments[%zu]: bad skills", i);
		if (jnum(s, "priority", 0, &pr) || pr < 0 || pr > 100)
			JFAIL("shipments[%zu]: priority must be in 0..100", i);
		for (int side = 0; side < 2; side++) {
			json_t *o = side ? dl : pk;
			sl_vrp_task *t = &p->tasks[k];
			t->kind = side ? SL_VRP_SHIP_DELIVERY : SL_VRP_SHIP_PICKUP;
			t->partner = side ? k - 1 : k + 1;
			t->ext = (long)(nj + 2 * i + (size_t)side + 1);
			if (jid(o, t->id, sizeof t->id))
				JFAIL("shipments[%zu]: missing id", i);
			if (jloc(o, "location_index", "location", &lc, &t->location, 0))
				JFAIL("shipments[%zu]: needs location_index or location", i);
			if (jnum(o, "service", 0, &t->service_s) || t->service_s < 0)
				JFAIL("shipments[%zu]: bad service", i);
			if (jtws(json_object_get(o, "time_windows"), t))
				JFAIL("shipments[%zu]: bad time_windows", i);
			memcpy(t->pickup, amount, sizeof amount);
			t->skills = sk;
			t->priority = 1.0 + pr;
			k++;
		}
	}
	for (size_t i = 0; i < nv; i++) {
		json_t *v = json_array_get(vehs, i);
		sl_vrp_vehicle *ve = &p->vehicles[i];
		if (!json_is_object(v) || jid(v, ve->id, sizeof ve->id))
			JFAIL("vehicles[%zu]: missing id", i);
		if (jloc(v, "start_index", "start", &lc, &ve->start_loc, 1) ||
				jloc(v, "end_index", "end", &lc, &ve->end_loc, 1))
			JFAIL("vehicles[%zu]: bad start or end", i);
		if (ve->start_loc < 0 && ve->end_loc < 0)
			JFAIL("vehicles[%zu]: needs a start or an end", i);
		double cap[SL_VRP_MAX_DIMS];
		for (int d = 0; d < SL_VRP_MAX_DIMS; d++)
			cap[d] = INFINITY;
		json_t *ca = json_object_get(v, "capacity");
		if (ca) {
			for (int d = 0; d < SL_VRP_MAX_DIMS; d++)
				cap[d] = 0;
			if (jamounts(ca, cap, &nd))
				JFAIL("vehicles[%zu]: bad capacity", i);
		}
		memcpy(ve->capacity, cap, sizeof cap);
		if (jskills(json_object_get(v, "skills"), &ve->skills))
			JFAIL("vehicles[%zu]: bad skills", i);
		json_t *tw = json_object_get(v, "time_window");
		if (tw) {
			if (!json_is_array(tw) || json_array_size(tw) != 2 || !json_is_number(json_array_get(tw, 0)) ||
					!json_is_number(json_array_get(tw, 1)))
				JFAIL("vehicles[%zu]: bad time_window", i);
			ve->tw_start_s = json_number_value(json_array_get(tw, 0));
			ve->tw_end_s = json_number_value(json_array_get(tw, 1));
			if (ve->tw_start_s > ve->tw_end_s)
				JFAIL("vehicles[%zu]: time_window ends before it starts", i);
		}
		json_t *co = json_object_get(v, "costs");
		if (co && !json_is_object(co))
			JFAIL("vehicles[%zu]: costs must be an object", i);
		if (jnum(co, "fixed", 0, &ve->fixed_cost) || jnum(co, "per_hour", 3600, &ve->cost_per_hour) ||
				jnum(co, "per_km", 0, &ve->cost_per_km) || ve->fixed_cost < 0 || ve->cost_per_hour < 0 ||
				ve->cost_per_km < 0)
			JFAIL("vehicles[%zu]: bad costs", i);
		if (jnum(v, "max_travel_time", INFINITY, &ve->max_travel_s) ||
				jnum(v, "max_distance", INFINITY, &ve->max_distance_m) || ve->max_travel_s < 0 ||
				ve->max_distance_m < 0)
			JFAIL("vehicles[%zu]: bad max_travel_time or max_distance", i);
		if (jnum(v, "co2e_g_per_km", -1, &ve->co2e_g_per_km) ||
				(json_object_get(v, "co2e_g_per_km") && ve->co2e_g_per_km < 0))
			JFAIL("vehicles[%zu]: bad co2e_g_per_km", i);
	}
	p->n_dims = nd;
	if (lc.use_index == 3)
		JFAIL("mixing location_index and location coordinates is not supported");
	int n;
	if (lc.use_index & 1) {
		json_t *ms = json_object_get(root, "matrices"), *m = NULL;
		json_t *dm = NULL, *durm = json_object_get(root, "matrix");
		if (ms) {
			const char *key;
			json_object_foreach(ms, key, m)
			{
				durm = json_object_get(m, "durations");
				dm = json_object_get(m, "distances");
				break;
			}
		}
		if (!durm && !dm)
			JFAIL("location_index needs 'matrices' (durations and/or distances)");
		json_t *any = durm ? durm : dm;
		n = json_is_array(any) ? (int)json_array_size(any) : 0;
		if (n <= lc.max_index || n > 20000)
			JFAIL("matrix is %d×%d but location index %d is used", n, n, lc.max_index);
		free(p->dist);
		free(p->dur);
		p->dist = calloc((size_t)n * n, sizeof(double));
		p->dur = calloc((size_t)n * n, sizeof(double));
		if (!p->dist || !p->dur) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			goto fail;
		}
		p->n_locations = n;
		if (durm && jmatrix(durm, n, p->dur, 1.0))
			JFAIL("durations matrix must be %d×%d non-negative numbers", n, n);
		if (dm && jmatrix(dm, n, p->dist, 1.0))
			JFAIL("distances matrix must be %d×%d non-negative numbers", n, n);
		if (!dm)
			memcpy(p->dist, p->dur, (size_t)n * n * sizeof(double));
		if (!durm)
			memcpy(p->dur, p->dist, (size_t)n * n * sizeof(double));
	} else {
		/* No matrix: great-circle distance and 50 km/h until the routing
		 * engine's matrix is plugged in. */
		n = lc.n;
		free(p->dist);
		free(p->dur);
		p->dist = calloc((size_t)n * n + 1, sizeof(double));
		p->dur = calloc((size_t)n * n + 1, sizeof(double));
		if (!p->dist || !p->dur) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			goto fail;
		}
		p->n_locations = n;
		double *nx = realloc(p->x, (size_t)(n ? n : 1) * sizeof(double));
		if (nx)
			p->x = nx;
		double *ny = realloc(p->y, (size_t)(n ? n : 1) * sizeof(double));
		if (ny)
			p->y = ny;
		if (!nx || !ny) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			goto fail;
		}
		memcpy(p->x, lc.lon, (size_t)n * sizeof(double));
		memcpy(p->y, lc.lat, (size_t)n * sizeof(double));
		p->has_lonlat = 1;
		for (int a = 0; a < n; a++)
			for (int b = 0; b < n; b++) {
				double la1 = lc.lat[a] * M_PI / 180, la2 = lc.lat[b] * M_PI / 180;
				double dl = (lc.lon[b] - lc.lon[a]) * M_PI / 180, dp = la2 - la1;
				double h = sin(dp / 2) * sin(dp / 2) + cos(la1) * cos(la2) * sin(dl / 2) * sin(dl / 2);
				double d = 2 * 6371008.8 * asin(sqrt(h < 1 ? h : 1));
				p->dist[(size_t)a * n + b] = d;
				p->dur[(size_t)a * n + b] = d / (50.0 / 3.6);
			}
	}
	p->objective = SL_VRP_OBJ_COST;
	p->source_format = SL_VRP_FMT_VROOM;
	snprintf(p->name, sizeof p->name, "%s", name);
	if ((rc = sl_vrp_problem_validate(p, err)) != 0) {
		err->line = 1;
		snprintf(err->file, sizeof err->file, "%s", name);
		goto fail;
	}
	json_decref(root);
	free(lc.lon);
	free(lc.lat);
	*out = p;
	return 0;
fail:
	json_decref(root);
	free(lc.lon);
	free(lc.lat);
	sl_vrp_problem_free(p);
	return rc;
}

/* ---- dispatch ---------------------------------------------------------- */

static int detect_mem(const char *d, size_t n)
{
	size_t i = 0;
	while (i < n && isspace((unsigned char)d[i]))
		i++;
	if (i < n && d[i] == '{')
		return SL_VRP_FMT_VROOM;
	for (size_t k = 0; k + 10 < n && k < 4096; k++)
		if (!memcmp(d + k, "DIMENSION", 9) || !memcmp(d + k, "NODE_COORD", 10))
			return SL_VRP_FMT_VRPLIB;
	return SL_VRP_FMT_SOLOMON;
}

static int slurp(const char *path, char **out, size_t *len, sl_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return sl_error_at(err, SL_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
	sl_buf b = {0};
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		if (sl_buf_append(&b, tmp, n)) {
			fclose(f);
			sl_buf_free(&b);
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		sl_buf_free(&b);
		return sl_error_at(err, SL_EIO, path, 0, 0, "read error");
	}
	*len = b.len;
	*out = sl_buf_take(&b);
	return *out ? 0 : sl_error_set(err, SL_ENOMEM, "out of memory");
}

int sl_vrp_detect_format(const char *path, sl_error *err)
{
	char *d;
	size_t n;
	int rc = slurp(path, &d, &n, err);
	if (rc)
		return rc;
	rc = detect_mem(d, n);
	free(d);
	return rc;
}

int sl_vrp_read_mem(const char *data, size_t len, const char *name, int format, sl_vrp_problem **out, sl_error *err)
{
	*out = NULL;
	if (format == SL_VRP_FMT_AUTO)
		format = detect_mem(data, len);
	switch (format) {
	case SL_VRP_FMT_SOLOMON: return read_solomon(data, len, name, out, err);
	case SL_VRP_FMT_VRPLIB: return read_vrplib(data, len, name, out, err);
	case SL_VRP_FMT_VROOM: return read_vroom(data, len, name, out, err);
	default: return sl_error_set(err, SL_EUSAGE, "unknown format");
	}
}

int sl_vrp_read(const char *path, int format, sl_vrp_problem **out, sl_error *err)
{
	char *d;
	size_t n;
	*out = NULL;
	int rc = slurp(path, &d, &n, err);
	if (rc)
		return rc;
	rc = sl_vrp_read_mem(d, n, path, format, out, err);
	free(d);
	return rc;
}

/* ---- writers ----------------------------------------------------------- */

static double D(const sl_vrp_problem *p, const double *m, int a, int b)
{
	if (a < 0 || b < 0)
		return 0;
	return m[(size_t)a * p->n_locations + b];
}

static const char *step_type(int kind)
{
	return kind == SL_VRP_JOB ? "job" : kind == SL_VRP_SHIP_PICKUP ? "pickup" : "delivery";
}

static int put_id(sl_buf *out, const char *id)
{
	char *e;
	strtoll(id, &e, 10);
	if (*id && !*e && (isdigit((unsigned char)id[0]) || id[0] == '-'))
		return sl_buf_puts(out, id);
	return sl_buf_json_string(out, id);
}

int sl_vrp_write_json(const sl_vrp_problem *p, const sl_vrp_solution *s, int objective, sl_buf *out)
{
	int rc = 0;
	rc |= sl_buf_printf(out, "{\"code\":0,\"summary\":{\"cost\":%.2f,\"routes\":%d,\"unassigned\":%d,"
			"\"distance\":%.2f,\"duration\":%.2f,\"iterations\":%ld,\"objective\":\"%s\"",
			s->cost, s->vehicles_used, s->n_unassigned, s->distance, s->travel_s, s->iterations,
			objective == SL_VRP_OBJ_DISTANCE ? "distance" :
			objective == SL_VRP_OBJ_VEHICLES_THEN_DISTANCE ? "vehicles-then-distance" :
			objective == SL_VRP_OBJ_CO2E ? "co2e" : "cost");
	if (s->co2e_g >= 0) /* samlast extension: only when every used vehicle has a figure */
		rc |= sl_buf_printf(out, ",\"co2e_g\":%.2f", s->co2e_g);
	rc |= sl_buf_puts(out, "},\"unassigned\":[");
	for (int i = 0; i < s->n_unassigned; i++) {
		const sl_vrp_task *t = &p->tasks[s->unassigned[i]];
		rc |= sl_buf_puts(out, i ? ",{\"id\":" : "{\"id\":");
		rc |= put_id(out, t->id);
		rc |= sl_buf_printf(out, ",\"type\":\"%s\",\"reason\":\"%s\"}", step_type(t->kind),
				sl_vrp_reason_name(s->reason ? s->reason[i] : 0));
	}
	rc |= sl_buf_puts(out, "],\"routes\":[");
	int first = 1;
	for (int r = 0; r < s->n_routes; r++) {
		const sl_vrp_route *ro = &s->routes[r];
		if (ro->n == 0)
			continue;
		const sl_vrp_vehicle *ve = &p->vehicles[ro->vehicle];
		rc |= sl_buf_puts(out, first ? "{\"vehicle\":" : ",{\"vehicle\":");
		first = 0;
		rc |= put_id(out, ve->id);
		rc |= sl_buf_puts(out, ",\"steps\":[");
		double t = ve->tw_start_s, dist = 0, travel = 0;
		int loc = ve->start_loc;
		if (loc >= 0)
			rc |= sl_buf_printf(out, "{\"type\":\"start\",\"location_index\":%d,\"arrival\":%.2f,\"distance\":0},", loc, t);
		for (int i = 0; i < ro->n; i++) {
			const sl_vrp_task *tk = &p->tasks[ro->tasks[i]];
			double dd = D(p, p->dur, loc, tk->location);
			t += dd;
			travel += dd;
			dist += D(p, p->dist, loc, tk->location);
			double arr = t, wait = 0;
			for (int w = 0; w < tk->n_tw; w++)
				if (t <= tk->tw[w].end_s) {
					if (t < tk->tw[w].start_s)
						wait = tk->tw[w].start_s - t;
					break;
				}
			t += wait;
			rc |= sl_buf_printf(out, "{\"type\":\"%s\",\"id\":", step_type(tk->kind));
			rc |= put_id(out, tk->id);
			rc |= sl_buf_printf(out, ",\"location_index\":%d,\"arrival\":%.2f,\"waiting_time\":%.2f,"
					"\"service\":%.2f,\"distance\":%.2f},", tk->location, arr, wait, tk->service_s, dist);
			t += tk->service_s;
			loc = tk->location;
		}
		if (ve->end_loc >= 0) {
			travel += D(p, p->dur, loc, ve->end_loc);
			t += D(p, p->dur, loc, ve->end_loc);
			dist += D(p, p->dist, loc, ve->end_loc);
			rc |= sl_buf_printf(out, "{\"type\":\"end\",\"location_index\":%d,\"arrival\":%.2f,\"distance\":%.2f},",
					ve->end_loc, t, dist);
		}
		out->data[--out->len] = 0; /* trailing comma */
		rc |= sl_buf_printf(out, "],\"distance\":%.2f,\"duration\":%.2f}", dist, travel);
	}
	rc |= sl_buf_puts(out, "]}\n");
	return rc ? SL_ENOMEM : 0;
}

int sl_vrp_write_sol(const sl_vrp_problem *p, const sl_vrp_solution *s, sl_buf *out)
{
	int rc = 0, k = 0;
	for (int r = 0; r < s->n_routes; r++) {
		const sl_vrp_route *ro = &s->routes[r];
		if (ro->n == 0)
			continue;
		rc |= sl_buf_printf(out, "Route #%d:", ++k);
		for (int i = 0; i < ro->n; i++)
			rc |= sl_buf_printf(out, " %ld", p->tasks[ro->tasks[i]].ext);
		rc |= sl_buf_puts(out, "\n");
	}
	if (p->source_format == SL_VRP_FMT_VRPLIB)
		rc |= sl_buf_printf(out, "Cost %.0f\n", s->distance);
	else
		rc |= sl_buf_printf(out, "Cost %.2f\n", s->distance);
	return rc ? SL_ENOMEM : 0;
}
