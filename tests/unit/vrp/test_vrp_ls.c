/* test_vrp_ls.c — the vrp local search (src/vrp/ls.c): each operator
 * (relocate, swap, 2-opt*, or-opt) finds the improvement of a small
 * constructed case where only it (or it among others) can; the search never
 * turns a feasible plan into an infeasible one (verified by the independent
 * checker), also with shipments, skills, several windows and range limits;
 * and a random stress test compares the constant-time segment answer
 * (feasibility and cost change) with the checker's full re-simulation of
 * the resulting routes. */
#include "internal.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Depot at (0,0) = location 0; task i at location i+1 = pts[i]. */
static sl_vrp_problem *line_problem(int n, const double (*pts)[2], int nveh, double cap)
{
	sl_vrp_problem *p = sl_vrp_problem_new(n + 1, n, nveh);
	cr_assert_not_null(p);
	for (int i = 0; i < n; i++) {
		p->x[i + 1] = pts[i][0];
		p->y[i + 1] = pts[i][1];
		sl_vrp_task *t = &p->tasks[i];
		snprintf(t->id, sizeof t->id, "%d", i + 1);
		t->ext = i + 1;
		t->location = i + 1;
		t->delivery[0] = 1;
	}
	sl_vrp_problem_euclidean(p, 0);
	for (int v = 0; v < nveh; v++) {
		snprintf(p->vehicles[v].id, sizeof p->vehicles[v].id, "%d", v + 1);
		p->vehicles[v].start_loc = p->vehicles[v].end_loc = 0;
		p->vehicles[v].capacity[0] = cap;
	}
	p->objective = SL_VRP_OBJ_DISTANCE;
	return p;
}

/* Checker distance of routes (vehicle v = index v); asserts feasibility. */
static double checked_distance(const sl_vrp_problem *p, int nr, int **seqs, const int *lens, int *feasible)
{
	sl_vrp_route ro[16];
	for (int v = 0; v < nr; v++) {
		ro[v].vehicle = v;
		ro[v].n = lens[v];
		ro[v].tasks = seqs[v];
	}
	sl_vrp_check_result r;
	cr_assert_eq(sl_vrp_check_routes(p, ro, nr, SL_VRP_OBJ_DISTANCE, &r), 0);
	if (feasible)
		*feasible = r.feasible;
	else
		cr_assert(r.feasible, "checker: %s", r.first_violation);
	return r.distance;
}

/* Load routes, run ops, return the new checked distance (and the old). */
static double run_ops(sl_vrp_problem *p, int nr, int **seqs, const int *lens, unsigned ops, double *before)
{
	*before = checked_distance(p, nr, seqs, lens, NULL);
	sl_vrp_ls *ls = sl_vrp_ls_new(p, SL_VRP_OBJ_DISTANCE, 10);
	cr_assert_not_null(ls);
	for (int v = 0; v < nr; v++)
		cr_assert_eq(sl_vrp_ls_set_route(ls, v, seqs[v], lens[v], 1), 0);
	cr_assert_float_eq(sl_vrp_ls_cost(ls), *before, 1e-9);
	long moves = 0;
	cr_assert_eq(sl_vrp_ls_run(ls, ops, NULL, &moves), 0);
	int *out[16], nout[16];
	for (int v = 0; v < nr; v++) {
		int n;
		const int *t = sl_vrp_ls_route(ls, v, &n, NULL);
		out[v] = malloc((size_t)(n ? n : 1) * sizeof(int));
		memcpy(out[v], t, (size_t)n * sizeof(int));
		nout[v] = n;
	}
	double after = checked_distance(p, nr, out, nout, NULL);
	cr_assert_float_eq(sl_vrp_ls_cost(ls), after, 1e-6, "ls cost %f vs checker %f", sl_vrp_ls_cost(ls), after);
	if (after < *before - 1e-9)
		cr_assert_gt(moves, 0);
	for (int v = 0; v < nr; v++)
		free(out[v]);
	sl_vrp_ls_free(ls);
	return after;
}

Test(vrp_ls, relocate_moves_a_stop_to_the_nearer_route)
{
	/* A(10,0) B(11,0) C(-10,0): routes [A,C] and [B] cost 62; moving A next
	 * to B (or C away) gives 42. */
	const double pts[][2] = {{10, 0}, {11, 0}, {-10, 0}};
	sl_vrp_problem *p = line_problem(3, pts, 2, 10);
	int r0[] = {0, 2}, r1[] = {1};
	int *seqs[] = {r0, r1}, lens[] = {2, 1};
	double before, after = run_ops(p, 2, seqs, lens, SL_VRP_LS_RELOCATE, &before);
	cr_assert_float_eq(before, 62, 1e-9);
	cr_assert_float_eq(after, 42, 1e-9, "relocate gave %f", after);
	sl_vrp_problem_free(p);
}

/* Two full routes (capacity 2) that each cross the depot: relocate cannot
 * help (no room), swap and 2-opt* can. */
static sl_vrp_problem *crossing(int **seqs, int *lens)
{
	static const double pts[][2] = {{10, 0}, {10, 1}, {-10, 0}, {-10, 1}};
	sl_vrp_problem *p = line_problem(4, pts, 2, 2);
	static int r0[2], r1[2];
	r0[0] = 0, r0[1] = 3; /* A(10,0) then D(-10,1) */
	r1[0] = 2, r1[1] = 1; /* C(-10,0) then B(10,1) */
	seqs[0] = r0, seqs[1] = r1;
	lens[0] = lens[1] = 2;
	return p;
}

Test(vrp_ls, relocate_alone_cannot_fix_full_routes)
{
	int *seqs[2], lens[2];
	sl_vrp_problem *p = crossing(seqs, lens);
	double before, after = run_ops(p, 2, seqs, lens, SL_VRP_LS_RELOCATE, &before);
	cr_assert_float_eq(after, before, 1e-9);
	sl_vrp_problem_free(p);
}

Test(vrp_ls, swap_exchanges_stops_between_full_routes)
{
	int *seqs[2], lens[2];
	sl_vrp_problem *p = crossing(seqs, lens);
	double before, after = run_ops(p, 2, seqs, lens, SL_VRP_LS_SWAP, &before);
	double opt = 2 * (10 + 1 + sqrt(101));
	cr_assert_float_eq(after, opt, 1e-9, "swap gave %f, before %f", after, before);
	sl_vrp_problem_free(p);
}

Test(vrp_ls, two_opt_star_exchanges_tails)
{
	int *seqs[2], lens[2];
	sl_vrp_problem *p = crossing(seqs, lens);
	double before, after = run_ops(p, 2, seqs, lens, SL_VRP_LS_TWO_OPT_STAR, &before);
	double opt = 2 * (10 + 1 + sqrt(101));
	cr_assert_float_eq(after, opt, 1e-9, "2-opt* gave %f, before %f", after, before);
	sl_vrp_problem_free(p);
}

Test(vrp_ls, or_opt_moves_a_string)
{
	/* P(-10,0) Q(-10,1) A(10,0) in one route, R(-10,2) alone: moving the
	 * string P,Q next to R saves most. */
	const double pts[][2] = {{-10, 0}, {-10, 1}, {10, 0}, {-10, 2}};
	sl_vrp_problem *p = line_problem(4, pts, 2, 3);
	int r0[] = {0, 1, 2}, r1[] = {3};
	int *seqs[] = {r0, r1}, lens[] = {3, 1};
	double before, after = run_ops(p, 2, seqs, lens, SL_VRP_LS_OR_OPT, &before);
	cr_assert_lt(after, before - 15, "or-opt gave %f, before %f", after, before);
	sl_vrp_problem_free(p);
}

Test(vrp_ls, or_opt_within_one_route)
{
	/* One route visits (5,0) (6,0) between two far stops on the other side. */
	const double pts[][2] = {{-10, 0}, {5, 0}, {6, 0}, {-10, 1}};
	sl_vrp_problem *p = line_problem(4, pts, 1, 10);
	int r0[] = {0, 1, 2, 3};
	int *seqs[] = {r0}, lens[] = {4};
	double before, after = run_ops(p, 1, seqs, lens, SL_VRP_LS_OR_OPT, &before);
	cr_assert_lt(after, before - 1, "or-opt gave %f, before %f", after, before);
	sl_vrp_problem_free(p);
}

/* ---- random rich instances ---------------------------------------------- */

/* n tasks (some shipment pairs), nveh vehicles with two capacity
 * dimensions, skills, windows (several when multi_tw), service times,
 * range limits. */
static sl_vrp_problem *random_rich(sl_rng *r, int n, int nveh, int multi_tw)
{
	sl_vrp_problem *p = sl_vrp_problem_new(n + 1, n, nveh);
	cr_assert_not_null(p);
	p->n_dims = 2;
	for (int i = 0; i <= n; i++) {
		p->x[i] = sl_rng_double(r) * 100;
		p->y[i] = sl_rng_double(r) * 100;
	}
	sl_vrp_problem_euclidean(p, 0);
	for (int i = 0; i < n; i++) {
		sl_vrp_task *t = &p->tasks[i];
		snprintf(t->id, sizeof t->id, "%d", i + 1);
		t->ext = i + 1;
		t->location = i + 1;
		t->service_s = sl_rng_double(r) * 10;
		for (int d = 0; d < 2; d++) {
			t->delivery[d] = (double)sl_rng_below(r, 4);
			t->pickup[d] = sl_rng_below(r, 3) == 0 ? (double)sl_rng_below(r, 4) : 0;
		}
		if (sl_rng_below(r, 4) == 0)
			t->skills = 1u << sl_rng_below(r, 2);
		int ntw = multi_tw ? 1 + (int)sl_rng_below(r, 3) : (int)sl_rng_below(r, 2);
		double a = sl_rng_double(r) * 150;
		for (int w = 0; w < ntw; w++) {
			t->tw[w].start_s = a;
			t->tw[w].end_s = a + 20 + sl_rng_double(r) * 80;
			a = t->tw[w].end_s + 10 + sl_rng_double(r) * 50;
		}
		t->n_tw = ntw;
	}
	/* shipment pairs: tasks (0,1), (2,3) when n >= 6 */
	for (int q = 0; q + 1 < n && q < 4; q += 2) {
		sl_vrp_task *a = &p->tasks[q], *b = &p->tasks[q + 1];
		a->kind = SL_VRP_SHIP_PICKUP;
		b->kind = SL_VRP_SHIP_DELIVERY;
		a->partner = q + 1;
		b->partner = q;
		for (int d = 0; d < 2; d++) {
			a->pickup[d] = b->pickup[d] = 1 + (double)sl_rng_below(r, 3);
			a->delivery[d] = b->delivery[d] = 0;
		}
	}
	for (int v = 0; v < nveh; v++) {
		sl_vrp_vehicle *ve = &p->vehicles[v];
		snprintf(ve->id, sizeof ve->id, "%d", v + 1);
		ve->start_loc = 0;
		ve->end_loc = sl_rng_below(r, 4) ? 0 : -1;
		ve->capacity[0] = 6 + (double)sl_rng_below(r, 8);
		ve->capacity[1] = 6 + (double)sl_rng_below(r, 8);
		ve->skills = sl_rng_below(r, 2) ? 3 : 1;
		ve->tw_start_s = sl_rng_double(r) * 20;
		ve->tw_end_s = 300 + sl_rng_double(r) * 300;
		if (sl_rng_below(r, 3) == 0)
			ve->max_distance_m = 150 + sl_rng_double(r) * 250;
		if (sl_rng_below(r, 3) == 0)
			ve->max_travel_s = 150 + sl_rng_double(r) * 250;
	}
	p->objective = SL_VRP_OBJ_DISTANCE;
	return p;
}

/* Random routes: a shuffled task list dealt to vehicles, each shipment's
 * delivery placed after its pickup in the same route. */
static void random_routes(sl_rng *r, const sl_vrp_problem *p, int **seqs, int *lens)
{
	int n = p->n_tasks, nv = p->n_vehicles;
	for (int v = 0; v < nv; v++)
		lens[v] = 0;
	int order[64];
	for (int t = 0; t < n; t++)
		order[t] = t;
	for (int q = n - 1; q > 0; q--) {
		int z = (int)sl_rng_below(r, (uint64_t)q + 1), x = order[q];
		order[q] = order[z];
		order[z] = x;
	}
	for (int q = 0; q < n; q++) {
		int t = order[q];
		if (p->tasks[t].kind == SL_VRP_SHIP_DELIVERY)
			continue;
		int v = (int)sl_rng_below(r, (uint64_t)nv);
		int pos = (int)sl_rng_below(r, (uint64_t)lens[v] + 1);
		memmove(seqs[v] + pos + 1, seqs[v] + pos, (size_t)(lens[v] - pos) * sizeof(int));
		seqs[v][pos] = t;
		lens[v]++;
		if (p->tasks[t].kind == SL_VRP_SHIP_PICKUP) {
			int d = pos + 1 + (int)sl_rng_below(r, (uint64_t)(lens[v] - pos));
			memmove(seqs[v] + d + 1, seqs[v] + d, (size_t)(lens[v] - d) * sizeof(int));
			seqs[v][d] = p->tasks[t].partner;
			lens[v]++;
		}
	}
}

static void stress(int multi_tw)
{
	sl_rng r;
	sl_rng_seed(&r, 4242 + (uint64_t)multi_tw);
	static const int ops[] = {SL_VRP_LS_RELOCATE, SL_VRP_LS_OR_OPT, SL_VRP_LS_SWAP, SL_VRP_LS_TWO_OPT_STAR};
	long checked = 0, feas_seen = 0, infeas_seen = 0;
	for (int inst = 0; inst < 60; inst++) {
		int n = 6 + (int)sl_rng_below(&r, 7), nv = 2 + (int)sl_rng_below(&r, 2);
		sl_vrp_problem *p = random_rich(&r, n, nv, multi_tw);
		sl_vrp_ls *ls = sl_vrp_ls_new(p, SL_VRP_OBJ_DISTANCE, 5);
		cr_assert_not_null(ls);
		int *seqs[4], lens[4], s1[64], s2[64];
		for (int v = 0; v < nv; v++)
			seqs[v] = malloc(64 * sizeof(int));
		for (int rep = 0; rep < 10; rep++) {
			random_routes(&r, p, seqs, lens);
			sl_vrp_ls_clear(ls);
			for (int v = 0; v < nv; v++)
				cr_assert_eq(sl_vrp_ls_set_route(ls, v, seqs[v], lens[v], 1), 0);
			for (int m = 0; m < 60; m++) {
				int op = ops[sl_rng_below(&r, 4)];
				int r1 = (int)sl_rng_below(&r, (uint64_t)nv), r2 = (int)sl_rng_below(&r, (uint64_t)nv);
				int i = (int)sl_rng_below(&r, (uint64_t)lens[r1] + 1), j = (int)sl_rng_below(&r, (uint64_t)lens[r2] + 1);
				int k = op == SL_VRP_LS_OR_OPT ? 2 + (int)sl_rng_below(&r, 2) : 1;
				int feas, n1, n2;
				double delta;
				int rc = sl_vrp_ls_eval_move(ls, op, r1, i, k, r2, j, &feas, &delta, s1, &n1, s2, &n2);
				if (rc == SL_EINVAL)
					continue;
				cr_assert_eq(rc, 0, "inst %d op %d: cost screen and segment cost disagree", inst, op);
				/* the checker on the two routes alone, before and after */
				sl_vrp_route ro[2] = {{r1, lens[r1], seqs[r1]}, {r2, lens[r2], seqs[r2]}};
				int nro = r1 == r2 ? 1 : 2;
				sl_vrp_check_result old, nw;
				cr_assert_eq(sl_vrp_check_routes(p, ro, nro, SL_VRP_OBJ_DISTANCE, &old), 0);
				ro[0].n = n1;
				ro[0].tasks = s1;
				ro[1].n = n2;
				ro[1].tasks = s2;
				cr_assert_eq(sl_vrp_check_routes(p, ro, nro, SL_VRP_OBJ_DISTANCE, &nw), 0);
				int checker_ok = nw.feasible;
				if (multi_tw) /* the segment answer is a relaxation */
					cr_assert(!checker_ok || feas, "inst %d op %d: checker feasible, segments not", inst, op);
				else
					cr_assert_eq(feas, checker_ok, "inst %d op %d (%d,%d,%d,%d,%d): segments %d, checker %d (%s)",
							inst, op, r1, i, k, r2, j, feas, checker_ok, nw.first_violation);
				/* distances are known from the segments even for infeasible routes */
				cr_assert_float_eq(delta, nw.distance - old.distance, 1e-6, "inst %d op %d: delta %f vs %f",
						inst, op, delta, nw.distance - old.distance);
				checked++;
				feas_seen += checker_ok;
				infeas_seen += !checker_ok;
			}
		}
		for (int v = 0; v < nv; v++)
			free(seqs[v]);
		sl_vrp_ls_free(ls);
		sl_vrp_problem_free(p);
	}
	cr_assert_gt(checked, 5000);
	cr_assert_gt(feas_seen, 100, "too few feasible moves (%ld) to test anything", feas_seen);
	cr_assert_gt(infeas_seen, 100);
}

Test(vrp_ls, stress_segments_match_full_simulation)
{
	stress(0);
}

Test(vrp_ls, stress_several_windows_segments_relax)
{
	stress(1);
}

/* The whole search from feasible starting plans (solutions of the solver
 * without local search) keeps every plan feasible and never costs more. */
Test(vrp_ls, search_keeps_rich_plans_feasible)
{
	sl_rng r;
	sl_rng_seed(&r, 77);
	int improved = 0;
	for (int inst = 0; inst < 30; inst++) {
		sl_vrp_problem *p = random_rich(&r, 10 + (int)sl_rng_below(&r, 10), 3, (int)(inst & 1));
		sl_vrp_options o;
		sl_vrp_options_default(&o);
		o.time_limit_s = 0;
		o.iterations = 3;
		o.local_search = 0;
		o.objective = SL_VRP_OBJ_DISTANCE;
		sl_vrp_solution *s = NULL;
		sl_error err = {0};
		cr_assert_eq(sl_vrp_solve(p, &o, &s, &err), 0, "%s", err.message);
		int *seqs[4], lens[4];
		for (int v = 0; v < 3; v++) {
			seqs[v] = s->routes[v].tasks;
			lens[v] = s->routes[v].n;
		}
		double before, after = run_ops(p, 3, seqs, lens, SL_VRP_LS_ALL, &before);
		cr_assert_leq(after, before + 1e-9);
		improved += after < before - 1e-9;
		sl_vrp_solution_free(s);
		sl_vrp_problem_free(p);
	}
	cr_assert_gt(improved, 0, "local search never improved a 3-iteration plan");
}
