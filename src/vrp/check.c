/* check.c — the independent solution checker.  It shares only the problem
 * model and the instance readers with the solver; the route simulation here
 * is written separately (no solver code is called), so a solver bug cannot
 * hide itself.  It re-derives loads, arrival times, waiting, travel and
 * distance from the matrices, checks every constraint and recomputes the
 * cost. */
#include "samlast/vrp.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EPS 1e-6

static void violation(sl_vrp_check_result *res, const char *fmt, ...) SL_PRINTF(2, 3);
static void violation(sl_vrp_check_result *res, const char *fmt, ...)
{
	if (res->n_violations++ == 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(res->first_violation, sizeof res->first_violation, fmt, ap);
		va_end(ap);
	}
	res->feasible = 0;
}

static double mat(const sl_vrp_problem *p, const double *m, int a, int b)
{
	return (a < 0 || b < 0) ? 0.0 : m[(size_t)a * (size_t)p->n_locations + (size_t)b];
}

int sl_vrp_check_routes(const sl_vrp_problem *p, const sl_vrp_route *routes, int n_routes, int objective,
		sl_vrp_check_result *res)
{
	memset(res, 0, sizeof *res);
	res->feasible = 1;
	int n = p->n_tasks;
	int *route_of = malloc((size_t)(n ? n : 1) * sizeof *route_of);
	int *pos_of = malloc((size_t)(n ? n : 1) * sizeof *pos_of);
	char *vused = calloc((size_t)(p->n_vehicles ? p->n_vehicles : 1), 1);
	if (!route_of || !pos_of || !vused) {
		free(route_of);
		free(pos_of);
		free(vused);
		return SL_ENOMEM;
	}
	for (int i = 0; i < n; i++)
		route_of[i] = -1;
	if (objective < 0)
		objective = p->objective;
	for (int r = 0; r < n_routes; r++) {
		const sl_vrp_route *ro = &routes[r];
		if (ro->n == 0)
			continue;
		if (ro->vehicle < 0 || ro->vehicle >= p->n_vehicles) {
			violation(res, "route %d: unknown vehicle", r + 1);
			continue;
		}
		if (vused[ro->vehicle]++) {
			violation(res, "vehicle %s used by two routes", p->vehicles[ro->vehicle].id);
			continue;
		}
		const sl_vrp_vehicle *ve = &p->vehicles[ro->vehicle];
		double load[SL_VRP_MAX_DIMS] = {0};
		for (int i = 0; i < ro->n; i++) {
			int t = ro->tasks[i];
			if (t < 0 || t >= n) {
				violation(res, "route %d: unknown task", r + 1);
				goto next_route;
			}
			if (route_of[t] >= 0) {
				violation(res, "task %s visited twice", p->tasks[t].id);
				goto next_route;
			}
			route_of[t] = r;
			pos_of[t] = i;
			if (p->tasks[t].kind == SL_VRP_JOB)
				for (int d = 0; d < p->n_dims; d++)
					load[d] += p->tasks[t].delivery[d];
		}
		for (int d = 0; d < p->n_dims; d++)
			if (load[d] > ve->capacity[d] + EPS)
				violation(res, "vehicle %s: start load %g exceeds capacity %g (dimension %d)", ve->id, load[d],
						ve->capacity[d], d + 1);
		double clock = ve->tw_start_s, dist = 0, travel = 0;
		int here = ve->start_loc;
		for (int i = 0; i < ro->n; i++) {
			const sl_vrp_task *tk = &p->tasks[ro->tasks[i]];
			if ((ve->skills & tk->skills) != tk->skills)
				violation(res, "task %s needs skills vehicle %s lacks", tk->id, ve->id);
			if (tk->kind == SL_VRP_SHIP_DELIVERY) {
				int pk = tk->partner;
				if (route_of[pk] != r || pos_of[pk] > i)
					violation(res, "shipment delivery %s not preceded by its pickup on the same vehicle", tk->id);
			}
			for (int d = 0; d < p->n_dims; d++) {
				if (tk->kind == SL_VRP_JOB)
					load[d] = load[d] - tk->delivery[d] + tk->pickup[d];
				else if (tk->kind == SL_VRP_SHIP_PICKUP)
					load[d] += tk->pickup[d];
				else
					load[d] -= tk->pickup[d];
				if (load[d] > ve->capacity[d] + EPS)
					violation(res, "vehicle %s: load %g exceeds capacity %g after task %s", ve->id, load[d],
							ve->capacity[d], tk->id);
			}
			double leg = mat(p, p->dur, here, tk->location);
			travel += leg;
			dist += mat(p, p->dist, here, tk->location);
			clock += leg;
			if (tk->n_tw > 0) {
				int w = 0;
				while (w < tk->n_tw && clock > tk->tw[w].end_s + EPS)
					w++;
				if (w == tk->n_tw)
					violation(res, "task %s: arrival %.2f after its last time window", tk->id, clock);
				else if (clock < tk->tw[w].start_s)
					clock = tk->tw[w].start_s;
			}
			clock += tk->service_s;
			here = tk->location;
		}
		{
			double leg = mat(p, p->dur, here, ve->end_loc);
			travel += leg;
			clock += leg;
			dist += mat(p, p->dist, here, ve->end_loc);
		}
		if (clock > ve->tw_end_s + EPS)
			violation(res, "vehicle %s: back at %.2f, after its shift ends at %.2f", ve->id, clock, ve->tw_end_s);
		if (travel > ve->max_travel_s + EPS)
			violation(res, "vehicle %s: travel time %.2f exceeds %.2f", ve->id, travel, ve->max_travel_s);
		if (dist > ve->max_distance_m + EPS)
			violation(res, "vehicle %s: distance %.2f exceeds %.2f", ve->id, dist, ve->max_distance_m);
		res->vehicles_used++;
		res->distance += dist;
		res->travel_s += travel;
		if (objective == SL_VRP_OBJ_COST)
			res->cost += ve->fixed_cost + ve->cost_per_km * dist / 1000.0 + ve->cost_per_hour * travel / 3600.0;
		else if (objective == SL_VRP_OBJ_CO2E)
			res->cost += ve->co2e_g_per_km * dist / 1000.0;
		else
			res->cost += dist;
		if (ve->co2e_g_per_km < 0 || res->co2e_g < 0)
			res->co2e_g = -1;
		else
			res->co2e_g += ve->co2e_g_per_km * dist / 1000.0;
	next_route:;
	}
	for (int t = 0; t < n; t++) {
		if (route_of[t] < 0) {
			res->n_unassigned++;
			int q = p->tasks[t].partner;
			if (q >= 0 && route_of[q] >= 0)
				violation(res, "shipment task %s unassigned while its partner %s is served", p->tasks[t].id,
						p->tasks[q].id);
		}
	}
	free(route_of);
	free(pos_of);
	free(vused);
	return 0;
}

/* ---- solution files ---------------------------------------------------- */

static int find_task(const sl_vrp_problem *p, const char *type, const char *id)
{
	int kind = !strcmp(type, "pickup") ? SL_VRP_SHIP_PICKUP : !strcmp(type, "delivery") ? SL_VRP_SHIP_DELIVERY : SL_VRP_JOB;
	for (int t = 0; t < p->n_tasks; t++)
		if (p->tasks[t].kind == kind && !strcmp(p->tasks[t].id, id))
			return t;
	return -1;
}

static void id_text(json_t *v, char *out, size_t n)
{
	if (json_is_integer(v))
		snprintf(out, n, "%lld", (long long)json_integer_value(v));
	else if (json_is_string(v))
		snprintf(out, n, "%s", json_string_value(v));
	else
		snprintf(out, n, "?");
}

static void free_routes(sl_vrp_route *r, int n)
{
	for (int i = 0; i < n; i++)
		free(r[i].tasks);
	free(r);
}

static int read_json_solution(const sl_vrp_problem *p, const char *path, sl_vrp_route **out, int *nout, sl_error *err)
{
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	if (!root)
		return sl_error_at(err, je.line > 0 ? SL_EINVAL : SL_EIO, path, je.line, je.column, "JSON: %s", je.text);
	json_t *routes = json_object_get(root, "routes");
	int rc = 0;
	if (!json_is_array(routes)) {
		json_decref(root);
		return sl_error_at(err, SL_EINVAL, path, 1, 0, "no 'routes' array");
	}
	int nr = (int)json_array_size(routes);
	sl_vrp_route *rs = calloc((size_t)(nr ? nr : 1), sizeof *rs);
	if (!rs) {
		json_decref(root);
		return SL_ENOMEM;
	}
	for (int r = 0; r < nr; r++) {
		json_t *ro = json_array_get(routes, (size_t)r), *steps = json_object_get(ro, "steps");
		char vid[64];
		id_text(json_object_get(ro, "vehicle"), vid, sizeof vid);
		rs[r].vehicle = -1;
		for (int v = 0; v < p->n_vehicles; v++)
			if (!strcmp(p->vehicles[v].id, vid))
				rs[r].vehicle = v;
		if (rs[r].vehicle < 0 || !json_is_array(steps)) {
			rc = sl_error_at(err, SL_EINVAL, path, 1, 0, "routes[%d]: unknown vehicle '%s' or no steps", r, vid);
			goto fail;
		}
		rs[r].tasks = malloc((json_array_size(steps) + 1) * sizeof(int));
		if (!rs[r].tasks) {
			rc = SL_ENOMEM;
			goto fail;
		}
		for (size_t s = 0; s < json_array_size(steps); s++) {
			json_t *st = json_array_get(steps, s);
			const char *type = json_string_value(json_object_get(st, "type"));
			if (!type) {
				rc = sl_error_at(err, SL_EINVAL, path, 1, 0, "routes[%d].steps[%zu]: no type", r, s);
				goto fail;
			}
			if (!strcmp(type, "start") || !strcmp(type, "end") || !strcmp(type, "break"))
				continue;
			char id[64];
			id_text(json_object_get(st, "id"), id, sizeof id);
			int t = find_task(p, type, id);
			if (t < 0) {
				rc = sl_error_at(err, SL_EINVAL, path, 1, 0, "routes[%d].steps[%zu]: unknown %s '%s'", r, s, type, id);
				goto fail;
			}
			rs[r].tasks[rs[r].n++] = t;
		}
	}
	json_decref(root);
	*out = rs;
	*nout = nr;
	return 0;
fail:
	json_decref(root);
	free_routes(rs, nr);
	return rc;
}

static int read_sol_solution(const sl_vrp_problem *p, const char *path, sl_vrp_route **out, int *nout, sl_error *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return sl_error_at(err, SL_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
	sl_vrp_route *rs = calloc((size_t)p->n_vehicles + 1, sizeof *rs);
	if (!rs) {
		fclose(f);
		return SL_ENOMEM;
	}
	int nr = 0, rc = 0;
	long line = 0;
	char buf[65536];
	while (fgets(buf, sizeof buf, f)) {
		line++;
		char *s = buf;
		while (isspace((unsigned char)*s))
			s++;
		if (!*s || !strncmp(s, "Cost", 4) || !strncmp(s, "Time", 4))
			continue;
		if (strncmp(s, "Route", 5)) {
			rc = sl_error_at(err, SL_EINVAL, path, line, 1, "expected 'Route #k:' or 'Cost'");
			goto fail;
		}
		char *colon = strchr(s, ':');
		if (!colon) {
			rc = sl_error_at(err, SL_EINVAL, path, line, 1, "missing ':' after Route #k");
			goto fail;
		}
		if (nr == p->n_vehicles) {
			rc = sl_error_at(err, SL_EINVAL, path, line, 1, "more routes than vehicles (%d)", p->n_vehicles);
			goto fail;
		}
		sl_vrp_route *ro = &rs[nr];
		ro->vehicle = nr++;
		ro->tasks = malloc((size_t)(p->n_tasks + 1) * sizeof(int));
		if (!ro->tasks) {
			rc = SL_ENOMEM;
			goto fail;
		}
		char *q = colon + 1;
		for (;;) {
			while (*q == ' ' || *q == '\t')
				q++;
			if (!*q || *q == '\n' || *q == '\r')
				break;
			char *e;
			errno = 0;
			long v = strtol(q, &e, 10);
			if (e == q || errno) {
				rc = sl_error_at(err, SL_EINVAL, path, line, (long)(q - buf) + 1, "expected a customer number");
				goto fail;
			}
			int t = -1;
			for (int k = 0; k < p->n_tasks; k++)
				if (p->tasks[k].ext == v)
					t = k;
			if (t < 0) {
				rc = sl_error_at(err, SL_EINVAL, path, line, (long)(q - buf) + 1, "no customer %ld", v);
				goto fail;
			}
			if (ro->n >= p->n_tasks) {
				rc = sl_error_at(err, SL_EINVAL, path, line, 1, "route too long");
				goto fail;
			}
			ro->tasks[ro->n++] = t;
			q = e;
		}
	}
	fclose(f);
	*out = rs;
	*nout = nr;
	return 0;
fail:
	fclose(f);
	free_routes(rs, nr);
	return rc;
}

int sl_vrp_check_file(const sl_vrp_problem *p, const char *path, int objective, sl_vrp_check_result *res,
		sl_error *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return sl_error_at(err, SL_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
	int ch;
	while ((ch = fgetc(f)) != EOF && isspace(ch))
		;
	fclose(f);
	sl_vrp_route *rs = NULL;
	int nr = 0;
	int rc = ch == '{' ? read_json_solution(p, path, &rs, &nr, err) : read_sol_solution(p, path, &rs, &nr, err);
	if (rc)
		return rc;
	rc = sl_vrp_check_routes(p, rs, nr, objective, res);
	free_routes(rs, nr);
	return rc;
}
