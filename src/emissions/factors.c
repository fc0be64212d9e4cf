/* factors.c — loading a factor set: energy-carrier factors, vehicle-class
 * defaults and the default row per energy carrier (data/emissions/NAME/).
 *
 * Empty cells stay "not available" (has_* = 0), never 0: the seed README
 * requires that a missing TTW is reported absent and a gap row gives "no
 * default available" rather than a number.  The set's version is the first
 * line of its VERSION file; results quote name, version and row id. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_ROWS 4096

typedef struct {
	sl_csv *csv;
	const char *cols[32];
	size_t ncols;
	int idx[32];
} table;

static int open_table(const char *path, sl_csv **csv, FILE **fp, sl_error *err)
{
	*fp = fopen(path, "rb");
	if (!*fp)
		return sl_error_set(err, SL_EIO, "%s: cannot open", path);
	*csv = sl_csv_new_file(*fp, path);
	if (!*csv) {
		fclose(*fp);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	return 0;
}

/* Map header names to column numbers; missing required column = error. */
static int header(table *t, const char *path, sl_error *err)
{
	int rc = sl_csv_next(t->csv, err);
	size_t i, j;
	if (rc < 0)
		return rc;
	if (rc == 0)
		return sl_error_at(err, SL_EINVAL, path, 1, 1, "empty file, expected a header");
	for (i = 0; i < t->ncols; i++) {
		t->idx[i] = -1;
		for (j = 0; j < sl_csv_count(t->csv); j++)
			if (strcmp(sl_csv_field(t->csv, j), t->cols[i]) == 0)
				t->idx[i] = (int)j;
		if (t->idx[i] < 0)
			return sl_error_at(err, SL_EINVAL, path, 1, 1, "missing column '%s'",
			                   t->cols[i]);
	}
	return 0;
}

static const char *cell(const table *t, size_t col)
{
	size_t j = (size_t)t->idx[col];
	return j < sl_csv_count(t->csv) ? sl_csv_field(t->csv, j) : "";
}

static int num_cell(const table *t, size_t col, int *has, em_q *q, sl_error *err)
{
	const char *s = cell(t, col);
	size_t j = (size_t)t->idx[col];
	*has = 0;
	if (!*s)
		return 0;
	if (em_q_parse(s, strlen(s), sl_csv_separator(t->csv) == ';', q) != 0 || em_q_sign(*q) < 0)
		return sl_error_at(err, SL_EINVAL, sl_csv_name(t->csv),
		                   sl_csv_field_line(t->csv, j), sl_csv_field_column(t->csv, j),
		                   "'%s' is not a non-negative decimal number", s);
	*has = 1;
	return 0;
}

static char *dup(sl_emissions_set *s, const char *v)
{
	return sl_arena_strdup(s->arena, v);
}

static int load_factors(sl_emissions_set *s, const char *dir, sl_error *err)
{
	char path[1024];
	table t = {0};
	FILE *fp;
	int rc;
	static const char *cols[] = {"id",
	                             "energy_carrier",
	                             "region",
	                             "unit",
	                             "wtt_kgco2e_per_unit",
	                             "ttw_kgco2e_per_unit",
	                             "wtw_kgco2e_per_unit",
	                             "energy_mj_per_unit",
	                             "source"};
	snprintf(path, sizeof path, "%s/factors.csv", dir);
	memcpy(t.cols, cols, sizeof cols);
	t.ncols = 9;
	if ((rc = open_table(path, &t.csv, &fp, err)) != 0)
		return rc;
	if ((rc = header(&t, path, err)) != 0)
		goto out;
	s->f = sl_arena_alloc(s->arena, MAX_ROWS * sizeof *s->f);
	if (!s->f) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	while ((rc = sl_csv_next(t.csv, err)) == 1) {
		em_factor *f;
		if (s->nf == MAX_ROWS) {
			rc = sl_error_set(err, SL_ELIMIT, "%s: more than %d rows", path, MAX_ROWS);
			goto out;
		}
		f = &s->f[s->nf];
		memset(f, 0, sizeof *f);
		if (!*cell(&t, 0) || em_factor_by_id(s, cell(&t, 0))) {
			rc = sl_error_at(err, SL_EINVAL, path, sl_csv_record_line(t.csv), 1,
			                 "empty or duplicate id '%s'", cell(&t, 0));
			goto out;
		}
		f->id = dup(s, cell(&t, 0));
		f->carrier = dup(s, cell(&t, 1));
		f->region = dup(s, cell(&t, 2));
		f->unit = dup(s, cell(&t, 3));
		f->source = dup(s, cell(&t, 8));
		if (!f->id || !f->carrier || !f->region || !f->unit || !f->source) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			goto out;
		}
		if ((rc = num_cell(&t, 4, &f->has_wtt, &f->wtt, err)) != 0 ||
		    (rc = num_cell(&t, 5, &f->has_ttw, &f->ttw, err)) != 0 ||
		    (rc = num_cell(&t, 6, &f->has_wtw, &f->wtw, err)) != 0 ||
		    (rc = num_cell(&t, 7, &f->has_mj, &f->mj, err)) != 0)
			goto out;
		s->nf++;
	}
out:
	sl_csv_free(t.csv);
	fclose(fp);
	return rc < 0 ? rc : 0;
}

static int load_vdefaults(sl_emissions_set *s, const char *dir, sl_error *err)
{
	char path[1024];
	table t = {0};
	FILE *fp;
	int rc;
	static const char *cols[] = {"vehicle_class",
	                             "fuel",
	                             "consumption_loaded_per_km",
	                             "consumption_empty_per_km",
	                             "consumption_unit",
	                             "default_load_factor",
	                             "gco2e_per_tkm_wtw",
	                             "gco2e_per_tkm_ttw",
	                             "gco2e_per_tkm_wtt",
	                             "status",
	                             "source"};
	snprintf(path, sizeof path, "%s/vehicle_defaults.csv", dir);
	memcpy(t.cols, cols, sizeof cols);
	t.ncols = 11;
	if ((rc = open_table(path, &t.csv, &fp, err)) != 0)
		return rc;
	if ((rc = header(&t, path, err)) != 0)
		goto out;
	s->v = sl_arena_alloc(s->arena, MAX_ROWS * sizeof *s->v);
	if (!s->v) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	while ((rc = sl_csv_next(t.csv, err)) == 1) {
		em_vdefault *v;
		if (s->nv == MAX_ROWS) {
			rc = sl_error_set(err, SL_ELIMIT, "%s: more than %d rows", path, MAX_ROWS);
			goto out;
		}
		v = &s->v[s->nv];
		memset(v, 0, sizeof *v);
		v->vclass = dup(s, cell(&t, 0));
		v->fuel = dup(s, cell(&t, 1));
		v->unit = dup(s, cell(&t, 4));
		v->status = dup(s, cell(&t, 9));
		v->source = dup(s, cell(&t, 10));
		if (!v->vclass || !v->fuel || !v->unit || !v->status || !v->source) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			goto out;
		}
		if ((rc = num_cell(&t, 2, &v->has_c_loaded, &v->c_loaded, err)) != 0 ||
		    (rc = num_cell(&t, 3, &v->has_c_empty, &v->c_empty, err)) != 0 ||
		    (rc = num_cell(&t, 5, &v->has_lf, &v->lf, err)) != 0 ||
		    (rc = num_cell(&t, 6, &v->has_wtw, &v->wtw, err)) != 0 ||
		    (rc = num_cell(&t, 7, &v->has_ttw, &v->ttw, err)) != 0 ||
		    (rc = num_cell(&t, 8, &v->has_wtt, &v->wtt, err)) != 0)
			goto out;
		s->nv++;
	}
out:
	sl_csv_free(t.csv);
	fclose(fp);
	return rc < 0 ? rc : 0;
}

static int load_cdefaults(sl_emissions_set *s, const char *dir, sl_error *err)
{
	char path[1024];
	table t = {0};
	FILE *fp;
	int rc;
	static const char *cols[] = {"energy_carrier", "unit", "factor_id"};
	snprintf(path, sizeof path, "%s/carrier_defaults.csv", dir);
	fp = fopen(path, "rb");
	if (!fp)
		return 0; /* optional */
	fclose(fp);
	memcpy(t.cols, cols, sizeof cols);
	t.ncols = 3;
	if ((rc = open_table(path, &t.csv, &fp, err)) != 0)
		return rc;
	if ((rc = header(&t, path, err)) != 0)
		goto out;
	s->c = sl_arena_alloc(s->arena, MAX_ROWS * sizeof *s->c);
	if (!s->c) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	while ((rc = sl_csv_next(t.csv, err)) == 1) {
		em_cdefault *c;
		if (s->nc == MAX_ROWS) {
			rc = sl_error_set(err, SL_ELIMIT, "%s: more than %d rows", path, MAX_ROWS);
			goto out;
		}
		if (!em_factor_by_id(s, cell(&t, 2))) {
			rc = sl_error_at(err, SL_EINVAL, path, sl_csv_record_line(t.csv), 1,
			                 "factor '%s' is not in factors.csv", cell(&t, 2));
			goto out;
		}
		c = &s->c[s->nc];
		c->carrier = dup(s, cell(&t, 0));
		c->unit = dup(s, cell(&t, 1));
		c->factor_id = dup(s, cell(&t, 2));
		if (!c->carrier || !c->unit || !c->factor_id) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			goto out;
		}
		s->nc++;
	}
out:
	sl_csv_free(t.csv);
	fclose(fp);
	return rc < 0 ? rc : 0;
}

const em_factor *em_factor_by_id(const sl_emissions_set *s, const char *id)
{
	size_t i;
	for (i = 0; i < s->nf; i++)
		if (strcmp(s->f[i].id, id) == 0)
			return &s->f[i];
	return NULL;
}

int sl_emissions_set_load(const char *name_or_dir, sl_emissions_set **out, sl_error *err)
{
	char dir[1024], path[1100], ver[128] = "";
	const char *name = name_or_dir ? name_or_dir : "se-seed", *base;
	sl_emissions_set *s;
	FILE *fp;
	int rc;
	*out = NULL;
	if (strchr(name, '/')) {
		snprintf(dir, sizeof dir, "%s", name);
	} else {
		char rel[600];
		snprintf(rel, sizeof rel, "emissions/%s/factors.csv", name);
		if (sl_data_path(rel, path, sizeof path) != 0)
			return sl_error_set(err, SL_ENOTFOUND, "no factor set '%s' (looked for %s)",
			                    name, rel);
		snprintf(dir, sizeof dir, "%.*s", (int)(strlen(path) - strlen("/factors.csv")),
		         path);
	}
	while (strlen(dir) > 1 && dir[strlen(dir) - 1] == '/')
		dir[strlen(dir) - 1] = 0;
	base = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
	snprintf(path, sizeof path, "%s/VERSION", dir);
	fp = fopen(path, "rb");
	if (!fp)
		return sl_error_set(err, SL_ENOTFOUND, "factor set %s: no VERSION file", dir);
	if (!fgets(ver, sizeof ver, fp))
		ver[0] = 0;
	fclose(fp);
	ver[strcspn(ver, "\r\n")] = 0;
	s = calloc(1, sizeof *s);
	if (!s || !(s->arena = sl_arena_new(1 << 16))) {
		free(s);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	s->name = dup(s, base);
	s->version = dup(s, ver[0] ? ver : "unversioned");
	if (!s->name || !s->version) {
		sl_emissions_set_free(s);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	if ((rc = load_factors(s, dir, err)) != 0 || (rc = load_vdefaults(s, dir, err)) != 0 ||
	    (rc = load_cdefaults(s, dir, err)) != 0) {
		sl_emissions_set_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void sl_emissions_set_free(sl_emissions_set *set)
{
	if (!set)
		return;
	sl_arena_free(set->arena);
	free(set);
}

const char *sl_emissions_set_name(const sl_emissions_set *set)
{
	return set->name;
}

const char *sl_emissions_set_version(const sl_emissions_set *set)
{
	return set->version;
}

const char *sl_emissions_quality_name(sl_em_quality q)
{
	return q == SL_EM_PRIMARY ? "primary" : q == SL_EM_MODELLED ? "modelled" : "default";
}
