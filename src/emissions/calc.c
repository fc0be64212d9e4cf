/* calc.c — emissions of trips (transport chain elements) and hubs, and
 * their allocation to shipments (ISO 14083:2023; GLEC Framework).
 *
 * Per trip the best data available is used: measured fuel or energy
 * (primary), else distance x modelled consumption (modelled), else tonne-km x
 * the vehicle class's default intensity (default).  Empty running belongs to
 * the trip.  The trip is allocated to its shipments by tonne-km (mass x
 * shortest feasible distance from the trip origin) with the largest-remainder
 * method so the parts add up exactly; hubs are charged per tonne handled.
 * Rounding rules: data/emissions/README.md ("Rounding conventions"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* A trip, as read from JSON or from the store. */
typedef struct {
	const char *id;
	const char *vclass, *carrier;
	long line, col;   /* of the trip (for errors) */
	long fline, fcol; /* of the fuel/factor (for errors) */
	em_factor fac;    /* resolved energy-carrier factor */
	int has_fac;
	int has_fuel;
	em_q fuel;
	char fuel_unit[8];
	int has_density;
	em_q density;
	int has_direct, has_dwtw, has_dttw, has_dmj;
	em_q dwtw, dttw, dmj; /* g, g, MJ */
	size_t nlegs;
	em_q *leg_km, *leg_load;
	int has_cons;
	em_q c_empty, c_loaded, capacity;
	char cons_unit[8];
	int has_dist, has_lf, temp;
	em_q dist_km, lf;
	size_t ns;
	const char **sid;
	em_q *mass_t, *sfd_km;
} em_trip;

typedef struct {
	int has_wtw, has_ttw, has_mj;
	int64_t wtw, ttw, kj;
	em_q tkm;
	sl_em_quality q;
	sl_em_method method;
	int assumption; /* a mapped_assumption vehicle default was used */
	char label[160];
	const char *status;
	const em_vdefault *vd; /* vehicle default used (modelled or default), or NULL */
} em_res;

static int unit_ok(const char *u)
{
	return !strcmp(u, "l") || !strcmp(u, "kg") || !strcmp(u, "kWh") || !strcmp(u, "MJ");
}

/* Convert `amount` in unit `u` into the factor's unit. */
static int convert(const em_trip *t, const em_factor *f, em_q amount, const char *u, em_q *out,
                   const char *name, sl_error *err)
{
	int ovf = 0;
	const char *fu = f->unit;
	if (!strcmp(u, fu)) {
		*out = amount;
	} else if (!strcmp(u, "kWh") && !strcmp(fu, "MJ")) {
		*out = em_q_mul(amount, em_q_int(36), &ovf);
		*out = em_q_div(*out, em_q_int(10), &ovf);
	} else if (!strcmp(u, "MJ") && !strcmp(fu, "kWh")) {
		*out = em_q_mul(amount, em_q_int(10), &ovf);
		*out = em_q_div(*out, em_q_int(36), &ovf);
	} else if (!strcmp(u, "l") && !strcmp(fu, "kg")) {
		if (!t->has_density)
			return sl_error_at(err, SL_EINVAL, name, t->fline, t->fcol,
			                   "fuel is in litres but factor '%s' is per kg: give "
			                   "density_kg_per_l (no density is assumed)",
			                   f->id);
		*out = em_q_mul(amount, t->density, &ovf);
	} else if (!strcmp(u, "kg") && !strcmp(fu, "l")) {
		if (!t->has_density)
			return sl_error_at(err, SL_EINVAL, name, t->fline, t->fcol,
			                   "fuel is in kg but factor '%s' is per litre: give "
			                   "density_kg_per_l (no density is assumed)",
			                   f->id);
		*out = em_q_div(amount, t->density, &ovf);
	} else if ((!strcmp(u, "MJ") || !strcmp(u, "kWh")) && f->has_mj && em_q_sign(f->mj) > 0) {
		em_q mj = amount;
		if (!strcmp(u, "kWh"))
			mj = em_q_div(em_q_mul(amount, em_q_int(36), &ovf), em_q_int(10), &ovf);
		*out = em_q_div(mj, f->mj, &ovf);
	} else {
		return sl_error_at(err, SL_EINVAL, name, t->fline, t->fcol,
		                   "cannot convert %s into %s for factor '%s'", u, fu, f->id);
	}
	if (ovf)
		return sl_error_at(err, SL_EINVAL, name, t->fline, t->fcol, "numbers too large");
	return 0;
}

/* Resolve the default factor row for an energy carrier and a unit. */
static const em_factor *carrier_row(const sl_emissions_set *s, const char *carrier,
                                    const char *unit)
{
	size_t i;
	const em_factor *f = em_factor_by_id(s, carrier);
	if (f)
		return f;
	for (i = 0; i < s->nc; i++)
		if (!strcmp(s->c[i].carrier, carrier) && (!unit || !strcmp(s->c[i].unit, unit)))
			return em_factor_by_id(s, s->c[i].factor_id);
	for (i = 0; i < s->nc; i++) /* another unit of the same carrier (kWh<->MJ, density) */
		if (!strcmp(s->c[i].carrier, carrier))
			return em_factor_by_id(s, s->c[i].factor_id);
	return NULL;
}

static int factor_figures(const em_trip *t, em_q units, em_res *r, const char *name, sl_error *err)
{
	int ovf = 0;
	em_q k = em_q_int(1000);
	const em_factor *f = &t->fac;
	r->has_wtw = f->has_wtw;
	r->has_ttw = f->has_ttw;
	r->has_mj = f->has_mj;
	if (f->has_wtw)
		r->wtw = em_q_round(em_q_mul(em_q_mul(units, f->wtw, &ovf), k, &ovf), &ovf);
	if (f->has_ttw)
		r->ttw = em_q_round(em_q_mul(em_q_mul(units, f->ttw, &ovf), k, &ovf), &ovf);
	if (f->has_mj)
		r->kj = em_q_round(em_q_mul(em_q_mul(units, f->mj, &ovf), k, &ovf), &ovf);
	if (ovf)
		return sl_error_at(err, SL_EINVAL, name, t->fline, t->fcol, "numbers too large");
	snprintf(r->label, sizeof r->label, "%s", f->id);
	return 0;
}

static const em_vdefault *vdefault(const sl_emissions_set *s, const em_trip *t,
                                   int want_consumption)
{
	size_t i;
	for (i = 0; i < s->nv; i++) {
		const em_vdefault *v = &s->v[i];
		size_t fl = strlen(v->fuel);
		if (!t->vclass || strcmp(v->vclass, t->vclass) != 0)
			continue;
		if (t->carrier && fl && strncmp(t->carrier, v->fuel, fl) != 0 &&
		    strncmp(v->fuel, t->carrier, strlen(t->carrier)) != 0)
			continue;
		if (!strcmp(v->status, "gap") || !strcmp(v->status, "non_eu_uplifted"))
			continue;
		if (!strcmp(v->status, "temp_controlled") && !t->temp)
			continue;
		if (want_consumption ? (v->has_c_loaded && v->has_c_empty && v->unit[0])
		                     : v->has_wtw)
			return v;
	}
	return NULL;
}

static int trip_tkm(const em_trip *t, em_q *tkm)
{
	int ovf = 0;
	size_t i;
	*tkm = em_q_int(0);
	for (i = 0; i < t->ns; i++)
		*tkm = em_q_add(*tkm, em_q_mul(t->mass_t[i], t->sfd_km[i], &ovf), &ovf);
	return ovf;
}

/* The trip's total figures. */
static int compute_trip(const sl_emissions_set *s, em_trip *t, em_res *r, const char *name,
                        sl_error *err)
{
	int ovf = 0, rc;
	memset(r, 0, sizeof *r);
	if (trip_tkm(t, &r->tkm))
		return sl_error_at(err, SL_EINVAL, name, t->line, t->col, "numbers too large");
	if (t->has_direct) {
		r->q = SL_EM_PRIMARY;
		r->has_wtw = t->has_dwtw;
		r->has_ttw = t->has_dttw;
		r->has_mj = t->has_dmj;
		if (t->has_dwtw)
			r->wtw = em_q_round(t->dwtw, &ovf);
		if (t->has_dttw)
			r->ttw = em_q_round(t->dttw, &ovf);
		if (t->has_dmj)
			r->kj = em_q_round(em_q_mul(t->dmj, em_q_int(1000), &ovf), &ovf);
		snprintf(r->label, sizeof r->label, "given");
		return ovf ? sl_error_at(err, SL_EINVAL, name, t->line, t->col, "numbers too large")
		           : 0;
	}
	if (t->has_fuel) {
		em_q units;
		if (!t->has_fac)
			return sl_error_at(err, SL_EINVAL, name, t->fline, t->fcol,
			                   "no energy carrier or factor for the fuel");
		if ((rc = convert(t, &t->fac, t->fuel, t->fuel_unit, &units, name, err)) != 0)
			return rc;
		r->q = SL_EM_PRIMARY;
		return factor_figures(t, units, r, name, err);
	}
	if (t->nlegs || t->has_dist) {
		/* modelled: litres (or kWh...) = sum km x (c_empty + (c_loaded - c_empty) x load)
		 */
		em_q ce, cl, cap = em_q_int(1), fuel = em_q_int(0), units;
		const char *cu;
		size_t i;
		if (t->has_cons) {
			ce = t->c_empty;
			cl = t->c_loaded;
			cap = t->capacity;
			cu = t->cons_unit;
		} else {
			const em_vdefault *v = vdefault(s, t, 1);
			if (!v)
				goto fallback;
			r->vd = v;
			ce = v->c_empty;
			cl = v->c_loaded;
			cu = v->unit;
			if (!t->has_lf && !v->has_lf && !t->nlegs)
				goto fallback;
			if (!t->nlegs) {
				em_q lf = t->has_lf ? t->lf : v->lf;
				fuel = em_q_mul(
				    t->dist_km,
				    em_q_add(ce, em_q_mul(em_q_sub(cl, ce, &ovf), lf, &ovf), &ovf),
				    &ovf);
			}
		}
		if (t->nlegs) {
			for (i = 0; i < t->nlegs; i++) {
				em_q share = em_q_div(t->leg_load[i], cap, &ovf);
				em_q per_km = em_q_add(
				    ce, em_q_mul(em_q_sub(cl, ce, &ovf), share, &ovf), &ovf);
				fuel = em_q_add(fuel, em_q_mul(t->leg_km[i], per_km, &ovf), &ovf);
			}
		} else if (t->has_cons) {
			em_q lf = t->has_lf ? t->lf : em_q_int(0);
			if (!t->has_lf)
				return sl_error_at(err, SL_EINVAL, name, t->line, t->col,
				                   "modelled consumption needs legs with loads or "
				                   "a load_factor");
			fuel = em_q_mul(
			    t->dist_km,
			    em_q_add(ce, em_q_mul(em_q_sub(cl, ce, &ovf), lf, &ovf), &ovf), &ovf);
		}
		if (ovf)
			return sl_error_at(err, SL_EINVAL, name, t->line, t->col,
			                   "numbers too large");
		if (!t->has_fac) {
			const em_factor *f = t->carrier ? carrier_row(s, t->carrier, cu) : NULL;
			if (!f)
				return sl_error_at(
				    err, SL_EINVAL, name, t->line, t->col,
				    "no energy carrier or factor for the modelled fuel");
			t->fac = *f;
			t->has_fac = 1;
		}
		if ((rc = convert(t, &t->fac, fuel, cu, &units, name, err)) != 0)
			return rc;
		r->q = SL_EM_MODELLED;
		r->method = SL_EM_BY_CONSUMPTION;
		if ((rc = factor_figures(t, units, r, name, err)) != 0)
			return rc;
		if (r->vd) {
			/* a class mapped to another class's consumption is an assumption:
			 * its figure is reported as default-quality data */
			r->status = r->vd->status;
			r->assumption = !strcmp(r->vd->status, "mapped_assumption");
			if (r->assumption)
				r->q = SL_EM_DEFAULT;
			snprintf(r->label, sizeof r->label, "%s x %s/%s (%s)", t->fac.id,
			         r->vd->vclass, r->vd->fuel[0] ? r->vd->fuel : "any",
			         r->vd->status);
		}
		return 0;
	}
fallback : {
	const em_vdefault *v = vdefault(s, t, 0);
	em_q up = em_q_int(1);
	if (!v)
		return sl_error_at(err, SL_EINVAL, name, t->line, t->col,
		                   "no default available: vehicle class '%s'%s%s has no usable "
		                   "default intensity in factor set %s %s, and the trip has no "
		                   "fuel, energy or modelled consumption",
		                   t->vclass ? t->vclass : "(none)", t->carrier ? " with " : "",
		                   t->carrier ? t->carrier : "", s->name, s->version);
	if (t->ns == 0)
		return sl_error_at(err, SL_EINVAL, name, t->line, t->col,
		                   "no fuel, energy or modelled consumption, and no shipments to "
		                   "apply a default intensity to");
	if (t->temp && strcmp(v->status, "temp_controlled") != 0)
		up = em_q_div(em_q_int(112), em_q_int(100), &ovf); /* GLEC +12 % reefer */
	r->q = SL_EM_DEFAULT;
	r->method = SL_EM_BY_INTENSITY;
	r->vd = v;
	r->assumption = !strcmp(v->status, "mapped_assumption");
	r->has_wtw = 1;
	r->wtw = em_q_round(em_q_mul(em_q_mul(r->tkm, v->wtw, &ovf), up, &ovf), &ovf);
	if (v->has_ttw) {
		r->has_ttw = 1;
		r->ttw = em_q_round(em_q_mul(em_q_mul(r->tkm, v->ttw, &ovf), up, &ovf), &ovf);
	}
	r->status = v->status;
	snprintf(r->label, sizeof r->label, "%s/%s (%s)", v->vclass, v->fuel[0] ? v->fuel : "any",
	         v->status);
	return ovf ? sl_error_at(err, SL_EINVAL, name, t->line, t->col, "numbers too large") : 0;
}
}

typedef struct {
	em_i128 rem;
	size_t i;
} lr_item;

static int lr_cmp(const void *a, const void *b)
{
	const lr_item *x = a, *y = b;
	if (x->rem != y->rem)
		return x->rem > y->rem ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Largest-remainder split of `total` by integer weights w (sum S > 0). */
static int lr_split(int64_t total, const em_i128 *w, size_t n, em_i128 S, int64_t *out)
{
	lr_item *it = malloc((n ? n : 1) * sizeof *it);
	int64_t left = total;
	size_t i;
	if (!it)
		return SL_ENOMEM;
	for (i = 0; i < n; i++) {
		em_i128 p = (em_i128)total * w[i];
		out[i] = (int64_t)(p / S);
		it[i].rem = p % S;
		it[i].i = i;
		left -= out[i];
	}
	qsort(it, n, sizeof *it, lr_cmp);
	for (i = 0; left > 0 && i < n; i++, left--)
		out[it[i].i]++;
	free(it);
	return 0;
}

/* Integer weights proportional to tkm_i (common denominator). */
static int int_weights(const em_trip *t, em_i128 *w, em_i128 *S)
{
	em_i128 L = 1;
	size_t i;
	int ovf = 0;
	em_q *q = malloc((t->ns ? t->ns : 1) * sizeof *q);
	if (!q)
		return SL_ENOMEM;
	for (i = 0; i < t->ns; i++) {
		em_i128 a = L, b;
		q[i] = em_q_mul(t->mass_t[i], t->sfd_km[i], &ovf);
		b = q[i].d;
		while (b) {
			em_i128 r = a % b;
			a = b;
			b = r;
		}
		if (__builtin_mul_overflow(L / a, q[i].d, &L))
			ovf = 1;
	}
	*S = 0;
	for (i = 0; i < t->ns && !ovf; i++) {
		if (__builtin_mul_overflow(q[i].n, L / q[i].d, &w[i]) ||
		    __builtin_add_overflow(*S, w[i], S))
			ovf = 1;
		if (w[i] > ((em_i128)1 << 80))
			ovf = 1;
	}
	free(q);
	return ovf ? SL_ELIMIT : 0;
}

/* Allocate r to the trip's shipments. */
static int allocate(const em_trip *t, const em_res *r, sl_em_figures *sh, const char *name,
                    sl_error *err)
{
	em_i128 *w, S = 0;
	int64_t *tmp;
	size_t i;
	int rc;
	if (!t->ns)
		return 0;
	w = malloc(t->ns * sizeof *w);
	tmp = malloc(t->ns * sizeof *tmp);
	if (!w || !tmp) {
		free(w);
		free(tmp);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	rc = int_weights(t, w, &S);
	if (rc == 0 && S == 0)
		rc = sl_error_at(err, SL_EINVAL, name, t->line, t->col,
		                 "the shipments have no tonne-km (zero masses or distances): "
		                 "nothing to allocate by");
	else if (rc == SL_ELIMIT)
		rc = sl_error_at(err, SL_EINVAL, name, t->line, t->col,
		                 "masses or distances too precise to allocate exactly");
	else if (rc == SL_ENOMEM)
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
	for (i = 0; rc == 0 && i < t->ns; i++) {
		int ovf = 0;
		memset(&sh[i], 0, sizeof sh[i]);
		sh[i].quality = r->q;
		sh[i].method = r->method;
		sh[i].assumption = r->assumption;
		sh[i].has_wtw = r->has_wtw;
		sh[i].has_ttw = r->has_ttw;
		sh[i].has_energy = r->has_mj;
		sh[i].tkm = (double)em_q_mul(t->mass_t[i], t->sfd_km[i], &ovf).n /
		            (double)em_q_mul(t->mass_t[i], t->sfd_km[i], &ovf).d;
	}
#define SPLIT(flag, total, field)                                                                  \
	if (rc == 0 && r->flag) {                                                                  \
		rc = lr_split(r->total, w, t->ns, S, tmp);                                         \
		for (i = 0; rc == 0 && i < t->ns; i++)                                             \
			sh[i].field = tmp[i];                                                      \
	}
	SPLIT(has_wtw, wtw, wtw_g)
	SPLIT(has_ttw, ttw, ttw_g)
	SPLIT(has_mj, kj, energy_kj)
#undef SPLIT
	for (i = 0; rc == 0 && i < t->ns; i++)
		sh[i].wtt_g = sh[i].wtw_g - sh[i].ttw_g;
	if (rc == SL_ENOMEM)
		sl_error_set(err, SL_ENOMEM, "out of memory");
	free(w);
	free(tmp);
	return rc;
}

/* ---- JSON input ------------------------------------------------------- */

typedef struct {
	const sl_emissions_set *set;
	const char *name;
	sl_arena *a;
	sl_error *err;
} ctx;

static int bad(ctx *c, const ej *n, const char *fmt, const char *arg)
{
	return sl_error_at(c->err, SL_EINVAL, c->name, n->line, n->col, fmt, arg);
}

/* A number member; *has = 0 when absent.  Negative values refused. */
static int num(ctx *c, const ej *obj, const char *key, int *has, em_q *q)
{
	const ej *n = ej_get(obj, key);
	*has = 0;
	if (!n || n->type == EJ_NULL)
		return 0;
	if (n->type == EJ_STR) {
		if (em_q_parse(n->s, n->slen, 1, q) != 0)
			return bad(c, n, "'%s' is not a number", key);
	} else if (n->type != EJ_NUM || em_q_parse(n->s, n->slen, 0, q) != 0) {
		return bad(c, n, "'%s' is not a number (or has too many digits)", key);
	}
	if (em_q_sign(*q) < 0)
		return bad(c, n, "negative %s", key);
	*has = 1;
	return 0;
}

static int string(ctx *c, const ej *obj, const char *key, const char **out)
{
	const ej *n = ej_get(obj, key);
	*out = NULL;
	if (!n || n->type == EJ_NULL)
		return 0;
	if (n->type != EJ_STR)
		return bad(c, n, "'%s' must be a string", key);
	*out = n->s;
	return 0;
}

/* A mass (mass_kg or mass_t) in tonnes, or a distance (_km or _m) in km. */
static int measure(ctx *c, const ej *obj, const char *k1, const char *k2, int scale2_div, int *has,
                   em_q *q, const char *what)
{
	int h1, h2, ovf = 0, rc;
	em_q a, b;
	if ((rc = num(c, obj, k1, &h1, &a)) != 0 || (rc = num(c, obj, k2, &h2, &b)) != 0)
		return rc;
	if (h1 && h2)
		return bad(c, obj, "give %s only once", what);
	*has = h1 || h2;
	if (h1)
		*q = a;
	else if (h2)
		*q = em_q_div(b, em_q_int(scale2_div), &ovf);
	return 0;
}

static int unit_member(ctx *c, const ej *obj, const char *key, char *out)
{
	const char *u;
	int rc = string(c, obj, key, &u);
	if (rc)
		return rc;
	if (!u)
		return bad(c, obj, "missing '%s' (l, kg, kWh or MJ)", key);
	if (!unit_ok(u))
		return bad(c, ej_get(obj, key), "unknown unit '%s' (l, kg, kWh or MJ)", u);
	snprintf(out, 8, "%s", u);
	return 0;
}

/* "factor": "row_id" | {"id", "unit", "wtw_kg_per_unit", ...} | {"mix": [...]} */
static int read_factor(ctx *c, const ej *fn, em_factor *f)
{
	int rc, h;
	size_t i;
	memset(f, 0, sizeof *f);
	if (fn->type == EJ_STR) {
		const em_factor *row = em_factor_by_id(c->set, fn->s);
		if (!row)
			return bad(c, fn, "unknown factor '%s'", fn->s);
		*f = *row;
		return 0;
	}
	if (fn->type != EJ_OBJ)
		return bad(c, fn, "%s", "'factor' must be a row id or an object");
	if (ej_get(fn, "mix")) {
		const ej *m = ej_get(fn, "mix");
		em_q tot = em_q_int(0), wtw = em_q_int(0), ttw = em_q_int(0), mj = em_q_int(0);
		int ovf = 0, allttw = 1, allmj = 1;
		const char *id;
		if (m->type != EJ_ARR || m->n == 0)
			return bad(c, m, "%s", "'mix' must be a non-empty array");
		for (i = 0; i < m->n; i++) {
			em_factor part;
			em_q amt;
			const ej *pf = ej_get(m->kids[i], "factor");
			if (m->kids[i]->type != EJ_OBJ || !pf)
				return bad(c, m->kids[i], "%s",
				           "each mix part needs 'factor' and 'amount'");
			if ((rc = read_factor(c, pf, &part)) != 0)
				return rc;
			if ((rc = num(c, m->kids[i], "amount", &h, &amt)) != 0)
				return rc;
			if (!h)
				return bad(c, m->kids[i], "%s", "mix part without 'amount'");
			if (i == 0) {
				f->unit = sl_arena_strdup(c->a, part.unit);
				f->carrier = sl_arena_strdup(c->a, part.carrier);
				f->region = sl_arena_strdup(c->a, part.region);
			} else if (strcmp(f->unit, part.unit) != 0) {
				return bad(c, pf, "mix parts must share a unit (%s)", f->unit);
			}
			if (!part.has_wtw)
				return bad(c, pf, "%s", "mix part without a WTW factor");
			tot = em_q_add(tot, amt, &ovf);
			wtw = em_q_add(wtw, em_q_mul(amt, part.wtw, &ovf), &ovf);
			if (part.has_ttw)
				ttw = em_q_add(ttw, em_q_mul(amt, part.ttw, &ovf), &ovf);
			else
				allttw = 0;
			if (part.has_mj)
				mj = em_q_add(mj, em_q_mul(amt, part.mj, &ovf), &ovf);
			else
				allmj = 0;
		}
		if (em_q_sign(tot) == 0 || ovf)
			return bad(c, m, "%s", "mix amounts are zero or too large");
		f->has_wtw = 1;
		f->wtw = em_q_div(wtw, tot, &ovf);
		f->has_ttw = allttw;
		f->ttw = em_q_div(ttw, tot, &ovf);
		f->has_wtt = allttw;
		f->wtt = em_q_sub(f->wtw, f->ttw, &ovf);
		f->has_mj = allmj;
		f->mj = em_q_div(mj, tot, &ovf);
		if ((rc = string(c, fn, "id", &id)) != 0)
			return rc;
		f->id = sl_arena_strdup(c->a, id ? id : "contract_mix");
		f->source = "input (contract-specific mix)";
		return f->id && f->unit ? 0 : sl_error_set(c->err, SL_ENOMEM, "out of memory");
	}
	{
		const char *id;
		char unit[8];
		if ((rc = string(c, fn, "id", &id)) != 0 ||
		    (rc = unit_member(c, fn, "unit", unit)) != 0)
			return rc;
		if ((rc = num(c, fn, "wtw_kg_per_unit", &f->has_wtw, &f->wtw)) != 0 ||
		    (rc = num(c, fn, "ttw_kg_per_unit", &f->has_ttw, &f->ttw)) != 0 ||
		    (rc = num(c, fn, "energy_mj_per_unit", &f->has_mj, &f->mj)) != 0)
			return rc;
		if (!f->has_wtw)
			return bad(c, fn, "%s", "a given factor needs wtw_kg_per_unit");
		f->id = sl_arena_strdup(c->a, id ? id : "given");
		f->unit = sl_arena_strdup(c->a, unit);
		f->carrier = f->region = (char *)"";
		f->source = (char *)"input (contract-specific)";
		return f->id && f->unit ? 0 : sl_error_set(c->err, SL_ENOMEM, "out of memory");
	}
}

static int read_shipments(ctx *c, const ej *arr, size_t *ns, const char ***sid, em_q **mass,
                          em_q **sfd, int need_distance)
{
	size_t i;
	int rc, h;
	*ns = 0;
	if (!arr)
		return 0;
	if (arr->type != EJ_ARR)
		return bad(c, arr, "%s", "'shipments' must be an array");
	*sid = sl_arena_alloc(c->a, (arr->n + 1) * sizeof **sid);
	*mass = sl_arena_alloc(c->a, (arr->n + 1) * sizeof **mass);
	*sfd = sl_arena_alloc(c->a, (arr->n + 1) * sizeof **sfd);
	if (!*sid || !*mass || !*sfd)
		return sl_error_set(c->err, SL_ENOMEM, "out of memory");
	for (i = 0; i < arr->n; i++) {
		const ej *s = arr->kids[i];
		char def[32];
		if (s->type != EJ_OBJ)
			return bad(c, s, "%s", "a shipment must be an object");
		if ((rc = string(c, s, "id", &(*sid)[i])) != 0)
			return rc;
		if (!(*sid)[i]) {
			snprintf(def, sizeof def, "S%zu", i + 1);
			if (!((*sid)[i] = sl_arena_strdup(c->a, def)))
				return sl_error_set(c->err, SL_ENOMEM, "out of memory");
		}
		if ((rc = measure(c, s, "mass_t", "mass_kg", 1000, &h, &(*mass)[i], "the mass")) !=
		    0)
			return rc;
		if (!h)
			return bad(c, s, "shipment '%s' has no mass (mass_kg or mass_t)",
			           (*sid)[i]);
		if ((rc = measure(c, s, "distance_km", "distance_m", 1000, &h, &(*sfd)[i],
		                  "the distance")) != 0)
			return rc;
		if (!h && need_distance)
			return bad(c, s,
			           "shipment '%s' has no distance (distance_km or distance_m: the "
			           "shortest feasible distance from the trip origin)",
			           (*sid)[i]);
		if (!h)
			(*sfd)[i] = em_q_int(0);
	}
	*ns = arr->n;
	return 0;
}

static int read_trip(ctx *c, const ej *tn, size_t k, em_trip *t)
{
	int rc, h;
	const ej *fuel, *fac, *legs, *em, *cons;
	char def[32];
	memset(t, 0, sizeof *t);
	t->line = t->fline = tn->line;
	t->col = t->fcol = tn->col;
	if (tn->type != EJ_OBJ)
		return bad(c, tn, "%s", "a trip must be an object");
	if ((rc = string(c, tn, "id", &t->id)) != 0 ||
	    (rc = string(c, tn, "vehicle_class", &t->vclass)) != 0 ||
	    (rc = string(c, tn, "energy_carrier", &t->carrier)) != 0)
		return rc;
	if (!t->id) {
		snprintf(def, sizeof def, "T%zu", k + 1);
		if (!(t->id = sl_arena_strdup(c->a, def)))
			return sl_error_set(c->err, SL_ENOMEM, "out of memory");
	}
	if (ej_get(tn, "temperature_controlled"))
		t->temp = ej_get(tn, "temperature_controlled")->type == EJ_BOOL &&
		          ej_get(tn, "temperature_controlled")->b;
	if ((fac = ej_get(tn, "factor")) != NULL) {
		if ((rc = read_factor(c, fac, &t->fac)) != 0)
			return rc;
		t->has_fac = 1;
		t->fline = fac->line;
		t->fcol = fac->col;
	}
	if ((em = ej_get(tn, "emissions")) != NULL) {
		if (em->type != EJ_OBJ)
			return bad(c, em, "%s", "'emissions' must be an object");
		t->has_direct = 1;
		if ((rc = num(c, em, "wtw_g", &t->has_dwtw, &t->dwtw)) != 0 ||
		    (rc = num(c, em, "ttw_g", &t->has_dttw, &t->dttw)) != 0 ||
		    (rc = num(c, em, "energy_mj", &t->has_dmj, &t->dmj)) != 0)
			return rc;
		if (!t->has_dwtw)
			return bad(c, em, "%s", "'emissions' needs wtw_g");
	}
	if ((fuel = ej_get(tn, "fuel")) != NULL) {
		if (fuel->type != EJ_OBJ)
			return bad(c, fuel, "%s", "'fuel' must be an object {amount, unit}");
		t->fline = fuel->line;
		t->fcol = fuel->col;
		if ((rc = num(c, fuel, "amount", &t->has_fuel, &t->fuel)) != 0)
			return rc;
		if (!t->has_fuel)
			return bad(c, fuel, "%s", "'fuel' needs 'amount'");
		if ((rc = unit_member(c, fuel, "unit", t->fuel_unit)) != 0 ||
		    (rc = num(c, fuel, "density_kg_per_l", &t->has_density, &t->density)) != 0)
			return rc;
		if (t->has_density && em_q_sign(t->density) == 0)
			return bad(c, fuel, "%s", "density_kg_per_l must be positive");
		if (!t->has_fac) {
			const em_factor *f;
			if (!t->carrier)
				return bad(c, fuel, "%s",
				           "measured fuel needs 'energy_carrier' or 'factor'");
			f = carrier_row(c->set, t->carrier, t->fuel_unit);
			if (!f)
				return bad(
				    c, ej_get(tn, "energy_carrier"),
				    "unknown energy carrier '%s' (no factor row for it in the "
				    "factor set)",
				    t->carrier);
			t->fac = *f;
			t->has_fac = 1;
		}
	} else if (t->carrier && !t->has_fac && !carrier_row(c->set, t->carrier, NULL)) {
		return bad(c, ej_get(tn, "energy_carrier"),
		           "unknown energy carrier '%s' (no factor row for it in the factor set)",
		           t->carrier);
	}
	if ((legs = ej_get(tn, "legs")) != NULL) {
		size_t i;
		if (legs->type != EJ_ARR || legs->n == 0)
			return bad(c, legs, "%s", "'legs' must be a non-empty array");
		t->leg_km = sl_arena_alloc(c->a, legs->n * sizeof *t->leg_km);
		t->leg_load = sl_arena_alloc(c->a, legs->n * sizeof *t->leg_load);
		if (!t->leg_km || !t->leg_load)
			return sl_error_set(c->err, SL_ENOMEM, "out of memory");
		for (i = 0; i < legs->n; i++) {
			const ej *l = legs->kids[i];
			if (l->type != EJ_OBJ)
				return bad(c, l, "%s", "a leg must be an object");
			if ((rc = measure(c, l, "distance_km", "distance_m", 1000, &h,
			                  &t->leg_km[i], "the distance")) != 0)
				return rc;
			if (!h)
				return bad(c, l, "%s", "a leg needs distance_km or distance_m");
			if ((rc = measure(c, l, "load_t", "load_kg", 1000, &h, &t->leg_load[i],
			                  "the load")) != 0)
				return rc;
			if (!h)
				t->leg_load[i] = em_q_int(0);
		}
		t->nlegs = legs->n;
	}
	if ((rc = measure(c, tn, "distance_km", "distance_m", 1000, &t->has_dist, &t->dist_km,
	                  "the distance")) != 0 ||
	    (rc = num(c, tn, "load_factor", &t->has_lf, &t->lf)) != 0)
		return rc;
	if ((cons = ej_get(tn, "consumption")) != NULL) {
		if (cons->type != EJ_OBJ)
			return bad(c, cons, "%s", "'consumption' must be an object");
		if ((rc = num(c, cons, "empty_per_km", &h, &t->c_empty)) != 0)
			return rc;
		if (!h)
			return bad(c, cons, "%s", "'consumption' needs empty_per_km");
		if ((rc = num(c, cons, "loaded_per_km", &h, &t->c_loaded)) != 0)
			return rc;
		if (!h)
			return bad(c, cons, "%s", "'consumption' needs loaded_per_km");
		if ((rc = num(c, cons, "capacity_t", &h, &t->capacity)) != 0)
			return rc;
		if (!h && t->nlegs)
			return bad(c, cons, "%s", "'consumption' with legs needs capacity_t");
		if (h && em_q_sign(t->capacity) == 0)
			return bad(c, cons, "%s", "capacity_t must be positive");
		if ((rc = unit_member(c, cons, "unit", t->cons_unit)) != 0)
			return rc;
		t->has_cons = 1;
	}
	return read_shipments(c, ej_get(tn, "shipments"), &t->ns, &t->sid, &t->mass_t, &t->sfd_km,
	                      1);
}

/* ---- output ------------------------------------------------------------ */

static void put_g(sl_buf *b, const char *key, int has, int64_t v)
{
	if (has)
		sl_buf_printf(b, ",\"%s\":%lld", key, (long long)v);
	else
		sl_buf_printf(b, ",\"%s\":null", key);
}

static void put_mj(sl_buf *b, int has, int64_t kj)
{
	if (has)
		sl_buf_printf(b, ",\"energy_mj\":%s%lld.%03lld", kj < 0 ? "-" : "",
		              (long long)(kj < 0 ? -kj : kj) / 1000,
		              (long long)(kj < 0 ? -kj : kj) % 1000);
	else
		sl_buf_puts(b, ",\"energy_mj\":null");
}

static void put_ratio(sl_buf *b, const char *key, int has, int64_t g, em_q per, int dec)
{
	int ovf = 0;
	sl_buf_printf(b, ",\"%s\":", key);
	if (!has || em_q_sign(per) == 0) {
		sl_buf_puts(b, "null");
		return;
	}
	em_q_print(b, em_q_div(em_q_int(g), per, &ovf), dec);
}

static void put_factor(sl_buf *b, const em_factor *f)
{
	sl_buf_puts(b, "{\"id\":");
	sl_buf_json_string(b, f->id);
	sl_buf_puts(b, ",\"energy_carrier\":");
	sl_buf_json_string(b, f->carrier ? f->carrier : "");
	sl_buf_puts(b, ",\"region\":");
	sl_buf_json_string(b, f->region ? f->region : "");
	sl_buf_puts(b, ",\"unit\":");
	sl_buf_json_string(b, f->unit);
	sl_buf_puts(b, ",\"source\":");
	sl_buf_json_string(b, f->source ? f->source : "");
	sl_buf_puts(b, "}");
}

static int do_trip(ctx *c, em_trip *t, sl_buf *b)
{
	em_res r;
	sl_em_figures *sh;
	size_t i;
	int rc = compute_trip(c->set, t, &r, c->name, c->err);
	int ovf = 0;
	if (rc)
		return rc;
	sh = sl_arena_alloc(c->a, (t->ns + 1) * sizeof *sh);
	if (!sh)
		return sl_error_set(c->err, SL_ENOMEM, "out of memory");
	if ((rc = allocate(t, &r, sh, c->name, c->err)) != 0)
		return rc;
	sl_buf_puts(b, "{\"id\":");
	sl_buf_json_string(b, t->id);
	sl_buf_puts(b, ",\"vehicle_class\":");
	if (t->vclass)
		sl_buf_json_string(b, t->vclass);
	else
		sl_buf_puts(b, "null");
	sl_buf_printf(b, ",\"method\":\"%s\",\"quality\":\"%s\"",
	              r.method == SL_EM_BY_INTENSITY     ? "tkm_x_default_intensity"
	              : r.method == SL_EM_BY_CONSUMPTION ? "distance_x_modelled_consumption"
	              : t->has_direct                    ? "given_totals"
	                                                 : "measured_fuel",
	              sl_emissions_quality_name(r.q));
	if (r.assumption)
		sl_buf_puts(b, ",\"assumption\":true");
	sl_buf_puts(b, ",\"factor\":");
	if (r.method == SL_EM_BY_INTENSITY) {
		sl_buf_puts(b, "{\"vehicle_default\":");
		sl_buf_json_string(b, r.label);
		sl_buf_puts(b, ",\"status\":");
		sl_buf_json_string(b, r.status);
		sl_buf_printf(b, ",\"for_reporting\":%s",
		              strcmp(r.status, "vendor_example") == 0 ? "false" : "true");
		sl_buf_puts(b, "}");
	} else if (t->has_direct) {
		sl_buf_puts(b, "null");
	} else {
		put_factor(b, &t->fac);
	}
	if (r.method == SL_EM_BY_CONSUMPTION && r.vd) {
		sl_buf_puts(b, ",\"vehicle_default\":{\"class\":");
		sl_buf_json_string(b, r.vd->vclass);
		sl_buf_puts(b, ",\"fuel\":");
		sl_buf_json_string(b, r.vd->fuel);
		sl_buf_puts(b, ",\"status\":");
		sl_buf_json_string(b, r.vd->status);
		sl_buf_puts(b, ",\"source\":");
		sl_buf_json_string(b, r.vd->source);
		sl_buf_puts(b, "}");
	}
	put_g(b, "wtw_g", r.has_wtw, r.wtw);
	put_g(b, "ttw_g", r.has_ttw, r.ttw);
	put_g(b, "wtt_g", r.has_wtw && r.has_ttw, r.wtw - r.ttw);
	put_mj(b, r.has_mj, r.kj);
	sl_buf_puts(b, ",\"tkm\":");
	em_q_print(b, r.tkm, 3);
	put_ratio(b, "wtw_g_per_tkm", r.has_wtw, r.wtw, r.tkm, 2);
	put_ratio(b, "ttw_g_per_tkm", r.has_ttw, r.ttw, r.tkm, 2);
	put_ratio(b, "wtw_g_per_shipment", r.has_wtw && t->ns, r.wtw, em_q_int((int64_t)t->ns), 2);
	sl_buf_puts(b, ",\"shipments\":[");
	for (i = 0; i < t->ns; i++) {
		em_q tkm = em_q_mul(t->mass_t[i], t->sfd_km[i], &ovf);
		sl_buf_puts(b, i ? ",{\"id\":" : "{\"id\":");
		sl_buf_json_string(b, t->sid[i]);
		sl_buf_puts(b, ",\"mass_t\":");
		em_q_print(b, t->mass_t[i], 3);
		sl_buf_puts(b, ",\"sfd_km\":");
		em_q_print(b, t->sfd_km[i], 3);
		sl_buf_puts(b, ",\"tkm\":");
		em_q_print(b, tkm, 3);
		put_g(b, "wtw_g", sh[i].has_wtw, sh[i].wtw_g);
		put_g(b, "ttw_g", sh[i].has_ttw, sh[i].ttw_g);
		put_g(b, "wtt_g", sh[i].has_wtw && sh[i].has_ttw, sh[i].wtt_g);
		put_mj(b, sh[i].has_energy, sh[i].energy_kj);
		put_ratio(b, "wtw_g_per_tkm", sh[i].has_wtw, sh[i].wtw_g, tkm, 2);
		sl_buf_printf(b, ",\"quality\":\"%s\"}", sl_emissions_quality_name(sh[i].quality));
	}
	sl_buf_puts(b, "]}");
	return 0;
}

static int do_hub(ctx *c, const ej *hn, size_t k, sl_buf *b)
{
	em_trip t;
	em_q handled, units;
	const ej *en, *fac;
	const char *id;
	size_t ns, i;
	const char **sid;
	em_q *mass, *dist;
	em_res r;
	int rc, h, ovf = 0;
	memset(&t, 0, sizeof t);
	if (hn->type != EJ_OBJ)
		return bad(c, hn, "%s", "a hub must be an object");
	t.line = t.fline = hn->line;
	t.col = t.fcol = hn->col;
	if ((rc = string(c, hn, "id", &id)) != 0 ||
	    (rc = string(c, hn, "energy_carrier", &t.carrier)))
		return rc;
	if ((rc = num(c, hn, "handled_t", &h, &handled)) != 0)
		return rc;
	if (!h || em_q_sign(handled) == 0)
		return bad(c, hn, "%s", "a hub needs handled_t > 0 (tonnes handled in the period)");
	if (!(en = ej_get(hn, "energy")) || en->type != EJ_OBJ)
		return bad(c, hn, "%s", "a hub needs 'energy': {amount, unit}");
	t.fline = en->line;
	t.fcol = en->col;
	if ((rc = num(c, en, "amount", &h, &t.fuel)) != 0)
		return rc;
	if (!h)
		return bad(c, en, "%s", "'energy' needs 'amount'");
	if ((rc = unit_member(c, en, "unit", t.fuel_unit)) != 0)
		return rc;
	if ((fac = ej_get(hn, "factor")) != NULL) {
		if ((rc = read_factor(c, fac, &t.fac)) != 0)
			return rc;
	} else {
		const em_factor *f = t.carrier ? carrier_row(c->set, t.carrier, t.fuel_unit) : NULL;
		if (!f)
			return bad(c, hn, "%s", "a hub needs 'factor' or a known 'energy_carrier'");
		t.fac = *f;
	}
	if ((rc = convert(&t, &t.fac, t.fuel, t.fuel_unit, &units, c->name, c->err)) != 0)
		return rc;
	memset(&r, 0, sizeof r);
	if ((rc = factor_figures(&t, units, &r, c->name, c->err)) != 0)
		return rc;
	if ((rc = read_shipments(c, ej_get(hn, "shipments"), &ns, &sid, &mass, &dist, 0)) != 0)
		return rc;
	sl_buf_puts(b, "{\"id\":");
	if (id)
		sl_buf_json_string(b, id);
	else
		sl_buf_printf(b, "\"H%zu\"", k + 1);
	sl_buf_puts(b, ",\"method\":\"measured_energy_per_tonne_handled\",\"quality\":\"primary\","
	               "\"factor\":");
	put_factor(b, &t.fac);
	put_g(b, "wtw_g", r.has_wtw, r.wtw);
	put_g(b, "ttw_g", r.has_ttw, r.ttw);
	put_g(b, "wtt_g", r.has_wtw && r.has_ttw, r.wtw - r.ttw);
	put_mj(b, r.has_mj, r.kj);
	sl_buf_puts(b, ",\"handled_t\":");
	em_q_print(b, handled, 3);
	put_ratio(b, "wtw_g_per_t", r.has_wtw, r.wtw, handled, 2);
	sl_buf_puts(b, ",\"energy_mj_per_t\":");
	if (r.has_mj)
		em_q_print(
		    b, em_q_div(em_q_div(em_q_int(r.kj), em_q_int(1000), &ovf), handled, &ovf), 3);
	else
		sl_buf_puts(b, "null");
	sl_buf_puts(b, ",\"shipments\":[");
	for (i = 0; i < ns; i++) {
		em_q share = em_q_div(mass[i], handled, &ovf);
		int64_t w = em_q_round(em_q_mul(share, em_q_int(r.wtw), &ovf), &ovf);
		int64_t tt = em_q_round(em_q_mul(share, em_q_int(r.ttw), &ovf), &ovf);
		int64_t kj = em_q_round(em_q_mul(share, em_q_int(r.kj), &ovf), &ovf);
		sl_buf_puts(b, i ? ",{\"id\":" : "{\"id\":");
		sl_buf_json_string(b, sid[i]);
		sl_buf_puts(b, ",\"mass_t\":");
		em_q_print(b, mass[i], 3);
		put_g(b, "wtw_g", r.has_wtw, w);
		put_g(b, "ttw_g", r.has_ttw, tt);
		put_g(b, "wtt_g", r.has_wtw && r.has_ttw, w - tt);
		put_mj(b, r.has_mj, kj);
		sl_buf_puts(b, ",\"quality\":\"primary\"}");
	}
	sl_buf_puts(b, "]}");
	if (ovf)
		return bad(c, hn, "%s", "numbers too large");
	return 0;
}

int sl_emissions_calc_json(const sl_emissions_set *set, const char *text, size_t len,
                           const char *name, sl_buf *out, sl_error *err)
{
	ctx c;
	ej *root;
	const ej *trips, *hubs;
	size_t i;
	int rc;
	sl_buf b = {0};
	c.set = set;
	c.name = name;
	c.err = err;
	c.a = sl_arena_new(1 << 16);
	if (!c.a)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	if ((rc = ej_parse(c.a, text, len, name, &root, err)) != 0)
		goto out;
	if (root->type != EJ_OBJ) {
		rc = bad(&c, root, "%s", "expected an object with \"trips\" and/or \"hubs\"");
		goto out;
	}
	trips = ej_get(root, "trips");
	hubs = ej_get(root, "hubs");
	if ((trips && trips->type != EJ_ARR) || (hubs && hubs->type != EJ_ARR) ||
	    (!trips && !hubs)) {
		rc = bad(&c, root, "%s",
		         "\"trips\" and \"hubs\" must be arrays (at least one given)");
		goto out;
	}
	sl_buf_puts(&b, "{\"factor_set\":{\"name\":");
	sl_buf_json_string(&b, set->name);
	sl_buf_puts(&b, ",\"version\":");
	sl_buf_json_string(&b, set->version);
	sl_buf_puts(&b, "},\"trips\":[");
	for (i = 0; trips && i < trips->n; i++) {
		em_trip t;
		if ((rc = read_trip(&c, trips->kids[i], i, &t)) != 0)
			goto out;
		if (i)
			sl_buf_putc(&b, ',');
		if ((rc = do_trip(&c, &t, &b)) != 0)
			goto out;
	}
	sl_buf_puts(&b, "],\"hubs\":[");
	for (i = 0; hubs && i < hubs->n; i++) {
		if (i)
			sl_buf_putc(&b, ',');
		if ((rc = do_hub(&c, hubs->kids[i], i, &b)) != 0)
			goto out;
	}
	if (sl_buf_puts(&b, "]}\n") != 0 || sl_buf_append(out, b.data, b.len) != 0)
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
out:
	sl_buf_free(&b);
	sl_arena_free(c.a);
	return rc;
}

/* ---- compact form for the store --------------------------------------- */

static int dbl_q(double v, em_q *q)
{
	char s[64];
	snprintf(s, sizeof s, "%.6f", v);
	return em_q_parse(s, strlen(s), 0, q);
}

int sl_emissions_trip(const sl_emissions_set *set, const sl_em_trip_in *in, sl_em_figures *trip_out,
                      sl_em_figures *ship_out, char *factor_id, size_t factor_id_size,
                      sl_error *err)
{
	em_trip t;
	em_res r;
	sl_em_figures *sh = ship_out;
	size_t i;
	int rc = 0, ovf = 0;
	memset(&t, 0, sizeof t);
	t.id = "trip";
	t.vclass = in->vehicle_class;
	t.carrier = in->energy_carrier;
	t.ns = in->n_shipments;
	t.mass_t = malloc((t.ns + 1) * sizeof *t.mass_t);
	t.sfd_km = malloc((t.ns + 1) * sizeof *t.sfd_km);
	if (!ship_out)
		sh = malloc((t.ns + 1) * sizeof *sh);
	if (!t.mass_t || !t.sfd_km || !sh) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < t.ns; i++) {
		if (!(in->mass_kg[i] >= 0) || !(in->sfd_m[i] >= 0) ||
		    dbl_q(in->mass_kg[i] / 1000.0, &t.mass_t[i]) ||
		    dbl_q(in->sfd_m[i] / 1000.0, &t.sfd_km[i])) {
			rc = sl_error_set(err, SL_EINVAL, "shipment %zu: bad mass or distance",
			                  i + 1);
			goto out;
		}
	}
	if (in->fuel_amount >= 0 && in->fuel_unit && in->energy_carrier) {
		const em_factor *f;
		if (!unit_ok(in->fuel_unit)) {
			rc = sl_error_set(err, SL_EINVAL, "unknown fuel unit '%s'", in->fuel_unit);
			goto out;
		}
		snprintf(t.fuel_unit, sizeof t.fuel_unit, "%s", in->fuel_unit);
		f = carrier_row(set, in->energy_carrier, in->fuel_unit);
		if (!f) {
			rc = sl_error_set(err, SL_EINVAL, "unknown energy carrier '%s'",
			                  in->energy_carrier);
			goto out;
		}
		t.fac = *f;
		t.has_fac = 1;
		t.has_fuel = dbl_q(in->fuel_amount, &t.fuel) == 0;
	}
	if (in->distance_m >= 0)
		t.has_dist = dbl_q(in->distance_m / 1000.0, &t.dist_km) == 0;
	{
		sl_error e2;
		sl_error_clear(&e2);
		rc = compute_trip(set, &t, &r, NULL, &e2);
		if (rc == SL_EINVAL && t.has_dist && !t.has_fuel) {
			/* distance but no consumption model: fall back to the default */
			t.has_dist = 0;
			rc = compute_trip(set, &t, &r, NULL, err);
		} else if (rc && err) {
			*err = e2;
		}
	}
	if (rc)
		goto out;
	if ((rc = allocate(&t, &r, sh, NULL, err)) != 0)
		goto out;
	memset(trip_out, 0, sizeof *trip_out);
	trip_out->has_wtw = r.has_wtw;
	trip_out->has_ttw = r.has_ttw;
	trip_out->has_energy = r.has_mj;
	trip_out->wtw_g = r.wtw;
	trip_out->ttw_g = r.ttw;
	trip_out->wtt_g = r.wtw - r.ttw;
	trip_out->energy_kj = r.kj;
	trip_out->tkm = (double)r.tkm.n / (double)r.tkm.d;
	trip_out->quality = r.q;
	trip_out->method = r.method;
	trip_out->assumption = r.assumption;
	if (factor_id && factor_id_size)
		snprintf(factor_id, factor_id_size, "%s", r.label);
	(void)ovf;
out:
	free(t.mass_t);
	free(t.sfd_km);
	if (!ship_out)
		free(sh);
	return rc;
}
