/* model.c — allocation, validation and matrices of the vrp problem model.
 * Euclidean distances follow the benchmark conventions: double precision
 * (modern VRPTW literature) or TSPLIB EUC_2D nearest-integer rounding
 * (CVRPLIB X instances, Uchoa et al. 2017). */
#include "samlast/vrp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void sl_vrp_options_default(sl_vrp_options *o)
{
	memset(o, 0, sizeof *o);
	o->objective = -1;
	o->time_limit_s = 10.0;
	o->iterations = 0;
	o->seed = 1;
	o->threads = 1;
	o->local_search = 1;
}

sl_vrp_problem *sl_vrp_problem_new(int n_locations, int n_tasks, int n_vehicles)
{
	if (n_locations < 0 || n_tasks < 0 || n_vehicles < 0 || n_locations > 20000)
		return NULL;
	sl_vrp_problem *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	size_t nn = (size_t)n_locations * (size_t)n_locations;
	p->n_dims = 1;
	p->n_locations = n_locations;
	p->n_tasks = n_tasks;
	p->n_vehicles = n_vehicles;
	p->dist = calloc(nn ? nn : 1, sizeof(double));
	p->dur = calloc(nn ? nn : 1, sizeof(double));
	p->x = calloc(n_locations ? (size_t)n_locations : 1, sizeof(double));
	p->y = calloc(n_locations ? (size_t)n_locations : 1, sizeof(double));
	p->tasks = calloc(n_tasks ? (size_t)n_tasks : 1, sizeof(sl_vrp_task));
	p->vehicles = calloc(n_vehicles ? (size_t)n_vehicles : 1, sizeof(sl_vrp_vehicle));
	if (!p->dist || !p->dur || !p->x || !p->y || !p->tasks || !p->vehicles) {
		sl_vrp_problem_free(p);
		return NULL;
	}
	for (int i = 0; i < n_tasks; i++) {
		p->tasks[i].partner = -1;
		p->tasks[i].priority = 1.0;
	}
	for (int v = 0; v < n_vehicles; v++) {
		sl_vrp_vehicle *ve = &p->vehicles[v];
		ve->start_loc = ve->end_loc = -1;
		ve->tw_start_s = 0;
		ve->tw_end_s = INFINITY;
		ve->max_travel_s = INFINITY;
		ve->max_distance_m = INFINITY;
		ve->co2e_g_per_km = -1;
		for (int d = 0; d < SL_VRP_MAX_DIMS; d++)
			ve->capacity[d] = INFINITY;
	}
	return p;
}

void sl_vrp_problem_free(sl_vrp_problem *p)
{
	if (!p)
		return;
	free(p->dist);
	free(p->dur);
	free(p->x);
	free(p->y);
	free(p->tasks);
	free(p->vehicles);
	free(p);
}

void sl_vrp_problem_euclidean(sl_vrp_problem *p, int round_nint)
{
	int n = p->n_locations;
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++) {
			double dx = p->x[i] - p->x[j], dy = p->y[i] - p->y[j];
			double d = sqrt(dx * dx + dy * dy);
			if (round_nint)
				d = floor(d + 0.5);
			p->dist[(size_t)i * n + j] = d;
			p->dur[(size_t)i * n + j] = d;
		}
}

int sl_vrp_problem_validate(const sl_vrp_problem *p, sl_error *err)
{
	if (p->n_dims < 1 || p->n_dims > SL_VRP_MAX_DIMS)
		return sl_error_set(err, SL_EINVAL, "between 1 and %d capacity dimensions are supported", SL_VRP_MAX_DIMS);
	for (int i = 0; i < p->n_tasks; i++) {
		const sl_vrp_task *t = &p->tasks[i];
		if (t->location < 0 || t->location >= p->n_locations)
			return sl_error_set(err, SL_EINVAL, "task %s: location index %d out of range", t->id, t->location);
		if (t->n_tw < 0 || t->n_tw > SL_VRP_MAX_TWS)
			return sl_error_set(err, SL_EINVAL, "task %s: bad number of time windows", t->id);
		for (int k = 0; k < t->n_tw; k++) {
			if (!(t->tw[k].start_s <= t->tw[k].end_s))
				return sl_error_set(err, SL_EINVAL, "task %s: time window ends before it starts", t->id);
			if (k > 0 && t->tw[k].start_s < t->tw[k - 1].end_s)
				return sl_error_set(err, SL_EINVAL, "task %s: time windows must be sorted and disjoint", t->id);
		}
		if (t->service_s < 0 || !isfinite(t->service_s))
			return sl_error_set(err, SL_EINVAL, "task %s: negative service time", t->id);
		if (t->kind != SL_VRP_JOB) {
			int q = t->partner;
			if (q < 0 || q >= p->n_tasks || p->tasks[q].partner != i || p->tasks[q].kind == t->kind ||
					p->tasks[q].kind == SL_VRP_JOB)
				return sl_error_set(err, SL_EINVAL, "task %s: inconsistent shipment pair", t->id);
		}
		for (int d = 0; d < p->n_dims; d++)
			if (t->delivery[d] < 0 || t->pickup[d] < 0)
				return sl_error_set(err, SL_EINVAL, "task %s: negative amount", t->id);
	}
	for (int v = 0; v < p->n_vehicles; v++) {
		const sl_vrp_vehicle *ve = &p->vehicles[v];
		if (ve->start_loc < -1 || ve->start_loc >= p->n_locations || ve->end_loc < -1 ||
				ve->end_loc >= p->n_locations)
			return sl_error_set(err, SL_EINVAL, "vehicle %s: depot index out of range", ve->id);
		if (!(ve->tw_start_s <= ve->tw_end_s))
			return sl_error_set(err, SL_EINVAL, "vehicle %s: shift ends before it starts", ve->id);
	}
	size_t nn = (size_t)p->n_locations * (size_t)p->n_locations;
	for (size_t k = 0; k < nn; k++)
		if (!(p->dist[k] >= 0) || !(p->dur[k] >= 0))
			return sl_error_set(err, SL_EINVAL, "matrix entry %zu is negative or not a number", k);
	return 0;
}

const char *sl_vrp_reason_name(int r)
{
	switch (r) {
	case SL_VRP_UNASSIGNED_CAPACITY: return "capacity";
	case SL_VRP_UNASSIGNED_SKILLS: return "skills";
	case SL_VRP_UNASSIGNED_TIME: return "time window";
	case SL_VRP_UNASSIGNED_RANGE: return "range";
	case SL_VRP_UNASSIGNED_NO_ROOM: return "no room";
	default: return "none";
	}
}

void sl_vrp_solution_free(sl_vrp_solution *s)
{
	if (!s)
		return;
	for (int r = 0; r < s->n_routes; r++)
		free(s->routes[r].tasks);
	free(s->routes);
	free(s->unassigned);
	free(s->reason);
	free(s);
}

int sl_vrp_format_parse(const char *name)
{
	return !strcmp(name, "solomon") ? SL_VRP_FMT_SOLOMON
	       : !strcmp(name, "vrplib") ? SL_VRP_FMT_VRPLIB
	       : !strcmp(name, "vroom")  ? SL_VRP_FMT_VROOM
					 : -1;
}

int sl_vrp_objective_parse(const char *name)
{
	return !strcmp(name, "cost")			 ? SL_VRP_OBJ_COST
	       : !strcmp(name, "distance")		 ? SL_VRP_OBJ_DISTANCE
	       : !strcmp(name, "vehicles-then-distance") ? SL_VRP_OBJ_VEHICLES_THEN_DISTANCE
	       : !strcmp(name, "co2e")			 ? SL_VRP_OBJ_CO2E
							 : -1;
}
