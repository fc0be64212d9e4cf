/* test_vrp.c — Criterion suite of the vrp module: optimal solutions of tiny
 * random instances against brute force (all giant-tour permutations and
 * splits, evaluated by the independent checker), each constraint type,
 * unassigned reasons, malformed files refused with FILE:LINE, VROOM JSON
 * round trip, the checker catching each kind of broken solution,
 * determinism, and the CLI. */
#include "samlast/vrp.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path_buf[1024];

static const char *fixture(const char *name)
{
	const char *f = getenv("SL_FIXTURES");
	snprintf(path_buf, sizeof path_buf, "%s/vrp/%s", f ? f : "tests/fixtures", name);
	return path_buf;
}

static sl_vrp_solution *solve_it(const sl_vrp_problem *p, int objective, long iters, uint64_t seed, int threads)
{
	sl_vrp_options o;
	sl_vrp_options_default(&o);
	o.objective = objective;
	o.iterations = iters;
	o.time_limit_s = 0;
	o.seed = seed;
	o.threads = threads;
	sl_vrp_solution *s = NULL;
	sl_error err = {0};
	int rc = sl_vrp_solve(p, &o, &s, &err);
	cr_assert_eq(rc, 0, "solve: %s", err.message);
	return s;
}

static void assert_checked(const sl_vrp_problem *p, const sl_vrp_solution *s, int objective)
{
	sl_vrp_check_result r;
	cr_assert_eq(sl_vrp_check_routes(p, s->routes, s->n_routes, objective, &r), 0);
	cr_assert(r.feasible, "checker: %s", r.first_violation);
	cr_assert_float_eq(r.distance, s->distance, 1e-6);
	cr_assert_eq(r.n_unassigned, s->n_unassigned);
	cr_assert_eq(r.vehicles_used, s->vehicles_used);
}

/* A random tiny instance: depot at 0, n customers, Euclidean. */
static sl_vrp_problem *random_tiny(uint64_t seed, int n, int nveh, double cap, int with_tw)
{
	sl_rng r;
	sl_rng_seed(&r, seed);
	sl_vrp_problem *p = sl_vrp_problem_new(n + 1, n, nveh);
	cr_assert_not_null(p);
	for (int i = 0; i <= n; i++) {
		p->x[i] = sl_rng_double(&r) * 100;
		p->y[i] = sl_rng_double(&r) * 100;
	}
	sl_vrp_problem_euclidean(p, 0);
	for (int i = 0; i < n; i++) {
		sl_vrp_task *t = &p->tasks[i];
		snprintf(t->id, sizeof t->id, "%d", i + 1);
		t->ext = i + 1;
		t->location = i + 1;
		t->delivery[0] = 1 + (double)sl_rng_below(&r, 5);
		t->service_s = 5;
		if (with_tw) {
			double a = sl_rng_double(&r) * 200;
			t->n_tw = 1;
			t->tw[0].start_s = a;
			t->tw[0].end_s = a + 60 + sl_rng_double(&r) * 100;
		}
	}
	for (int v = 0; v < nveh; v++) {
		snprintf(p->vehicles[v].id, sizeof p->vehicles[v].id, "%d", v + 1);
		p->vehicles[v].start_loc = p->vehicles[v].end_loc = 0;
		p->vehicles[v].capacity[0] = cap;
		p->vehicles[v].tw_end_s = 1000;
	}
	p->objective = SL_VRP_OBJ_DISTANCE;
	return p;
}

/* Brute force: every permutation, every way to cut it into <= nveh routes.
 * Minimises (unassigned is not allowed) distance via the checker. */
static double brute(const sl_vrp_problem *p)
{
	int n = p->n_tasks, perm[8], best_set = 0;
	double best = INFINITY;
	for (int i = 0; i < n; i++)
		perm[i] = i;
	int c[8] = {0};
	sl_vrp_route routes[8];
	int buf[8][8];
	for (int k = 0; k < 8; k++)
		routes[k].tasks = buf[k];
	/* Heap's algorithm over permutations */
	int i = 0;
	for (;;) {
		for (int cuts = 0; cuts < (1 << (n - 1)); cuts++) {
			int nr = 0, pos = 0;
			routes[0].n = 0;
			routes[0].vehicle = 0;
			for (int k = 0; k < n; k++) {
				routes[nr].tasks[pos++] = perm[k];
				routes[nr].n = pos;
				if (k < n - 1 && (cuts >> k & 1)) {
					nr++;
					if (nr >= p->n_vehicles)
						break;
					routes[nr].vehicle = nr;
					routes[nr].n = 0;
					pos = 0;
				}
			}
			if (nr >= p->n_vehicles)
				continue;
			sl_vrp_check_result r;
			sl_vrp_check_routes(p, routes, nr + 1, SL_VRP_OBJ_DISTANCE, &r);
			if (r.feasible && r.n_unassigned == 0 && r.distance < best) {
				best = r.distance;
				best_set = 1;
			}
		}
		while (i < n && c[i] >= i) {
			c[i] = 0;
			i++;
		}
		if (i >= n)
			break;
		int j = (i % 2 == 0) ? 0 : c[i];
		int t = perm[j];
		perm[j] = perm[i];
		perm[i] = t;
		c[i]++;
		i = 1;
	}
	cr_assert(best_set, "brute force found no feasible solution");
	return best;
}

Test(vrp, brute_force_optimum_cvrp_and_vrptw)
{
	for (int k = 0; k < 4; k++) {
		sl_vrp_problem *p = random_tiny(100 + (uint64_t)k, 6, 3, 8, k & 1);
		double opt = brute(p);
		sl_vrp_solution *s = solve_it(p, SL_VRP_OBJ_DISTANCE, 3000, 7, 1);
		assert_checked(p, s, SL_VRP_OBJ_DISTANCE);
		cr_assert_eq(s->n_unassigned, 0);
		cr_assert_float_eq(s->distance, opt, 1e-6, "instance %d: %f vs optimum %f", k, s->distance, opt);
		sl_vrp_solution_free(s);
		sl_vrp_problem_free(p);
	}
}

Test(vrp, capacity_forces_two_routes_and_reasons)
{
	sl_vrp_problem *p = random_tiny(1, 3, 2, 10, 0);
	p->tasks[0].delivery[0] = 6;
	p->tasks[1].delivery[0] = 6;
	p->tasks[2].delivery[0] = 11; /* larger than every vehicle */
	sl_vrp_solution *s = solve_it(p, -1, 300, 1, 1);
	assert_checked(p, s, -1);
	cr_assert_eq(s->vehicles_used, 2);
	cr_assert_eq(s->n_unassigned, 1);
	cr_assert_eq(s->unassigned[0], 2);
	cr_assert_eq(s->reason[0], SL_VRP_UNASSIGNED_CAPACITY);
	sl_vrp_solution_free(s);
	/* one vehicle: one of the 6s has no room */
	p->n_vehicles = 1;
	s = solve_it(p, -1, 300, 1, 1);
	assert_checked(p, s, -1);
	cr_assert_eq(s->n_unassigned, 2);
	int seen_room = 0;
	for (int i = 0; i < s->n_unassigned; i++)
		seen_room |= s->reason[i] == SL_VRP_UNASSIGNED_NO_ROOM;
	cr_assert(seen_room);
	sl_vrp_solution_free(s);
	sl_vrp_problem_free(p);
}

Test(vrp, second_time_window_and_unreachable_window)
{
	sl_vrp_problem *p = random_tiny(2, 2, 1, 100, 0);
	double d = p->dur[1]; /* depot -> task 0 location 1 */
	p->tasks[0].n_tw = 2;
	p->tasks[0].tw[0] = (sl_vrp_tw){0, d / 2};          /* cannot make it */
	p->tasks[0].tw[1] = (sl_vrp_tw){d + 300, d + 400};  /* waits for this one */
	p->tasks[1].n_tw = 1;
	p->tasks[1].tw[0] = (sl_vrp_tw){0, 0.5}; /* nobody arrives that early */
	sl_vrp_solution *s = solve_it(p, -1, 300, 1, 1);
	assert_checked(p, s, -1);
	cr_assert_eq(s->n_unassigned, 1);
	cr_assert_eq(s->unassigned[0], 1);
	cr_assert_eq(s->reason[0], SL_VRP_UNASSIGNED_TIME);
	sl_buf b = {0};
	cr_assert_eq(sl_vrp_write_json(p, s, SL_VRP_OBJ_DISTANCE, &b), 0);
	char want[64];
	snprintf(want, sizeof want, "\"arrival\":%.2f,\"waiting_time\":%.2f", d, 300.0);
	cr_assert_not_null(strstr(b.data, want), "%s not in %s", want, b.data);
	sl_buf_free(&b);
	sl_vrp_solution_free(s);
	sl_vrp_problem_free(p);
}

Test(vrp, skills_max_distance_and_max_travel)
{
	sl_vrp_problem *p = random_tiny(3, 3, 2, 100, 0);
	p->tasks[0].skills = 2;
	p->vehicles[1].skills = 2 | 4;
	p->tasks[1].skills = 8; /* nobody */
	p->x[3] = 1000; /* task 2 far away */
	sl_vrp_problem_euclidean(p, 0);
	p->vehicles[0].max_distance_m = 1500; /* out of range for vehicle 0 */
	p->vehicles[1].max_travel_s = 1500;   /* and for vehicle 1 by time */
	sl_vrp_solution *s = solve_it(p, -1, 300, 1, 1);
	assert_checked(p, s, -1);
	cr_assert_eq(s->n_unassigned, 2);
	for (int i = 0; i < s->n_unassigned; i++) {
		if (s->unassigned[i] == 1)
			cr_assert_eq(s->reason[i], SL_VRP_UNASSIGNED_SKILLS);
		else
			cr_assert_eq(s->reason[i], SL_VRP_UNASSIGNED_RANGE, "task %d", s->unassigned[i]);
	}
	cr_assert_eq(s->routes[1].n, 1);
	cr_assert_eq(s->routes[1].tasks[0], 0);
	sl_vrp_solution_free(s);
	sl_vrp_problem_free(p);
}

static sl_vrp_problem *read_ok(const char *name)
{
	sl_vrp_problem *p = NULL;
	sl_error err = {0};
	cr_assert_eq(sl_vrp_read(fixture(name), SL_VRP_FMT_AUTO, &p, &err), 0, "%s", err.message);
	return p;
}

Test(vrp, vroom_shipments_same_vehicle_pickup_first_and_round_trip)
{
	sl_vrp_problem *p = read_ok("vroom.json");
	cr_assert_eq(p->n_dims, 2);
	cr_assert_eq(p->n_tasks, 6);
	sl_vrp_solution *s = solve_it(p, -1, 500, 3, 1);
	assert_checked(p, s, -1);
	int pr = -1, pp = -1, dr = -1, dp = -1;
	for (int r = 0; r < s->n_routes; r++)
		for (int i = 0; i < s->routes[r].n; i++) {
			if (s->routes[r].tasks[i] == 4)
				pr = r, pp = i;
			if (s->routes[r].tasks[i] == 5)
				dr = r, dp = i;
		}
	cr_assert(pr >= 0 && pr == dr && pp < dp, "shipment split or reversed");
	cr_assert_eq(s->n_unassigned, 1); /* job 13 needs skill 3 */
	cr_assert_str_eq(p->tasks[s->unassigned[0]].id, "13");
	/* round trip: write JSON, read it back with the checker */
	sl_buf b = {0};
	cr_assert_eq(sl_vrp_write_json(p, s, SL_VRP_OBJ_COST, &b), 0);
	char tmp[128];
	snprintf(tmp, sizeof tmp, "/tmp/test_vrp_%d.json", (int)getpid());
	FILE *f = fopen(tmp, "w");
	cr_assert_not_null(f);
	fwrite(b.data, 1, b.len, f);
	fclose(f);
	sl_vrp_check_result r;
	sl_error err = {0};
	cr_assert_eq(sl_vrp_check_file(p, tmp, SL_VRP_OBJ_COST, &r, &err), 0, "%s", err.message);
	cr_assert(r.feasible, "%s", r.first_violation);
	cr_assert_float_eq(r.cost, s->cost, 1e-6);
	cr_assert_eq(r.n_unassigned, 1);
	remove(tmp);
	sl_buf_free(&b);
	sl_vrp_solution_free(s);
	sl_vrp_problem_free(p);
}

static void expect_error(const char *name, long line)
{
	sl_vrp_problem *p = NULL;
	sl_error err = {0};
	int rc = sl_vrp_read(fixture(name), SL_VRP_FMT_AUTO, &p, &err);
	cr_assert_lt(rc, 0, "%s accepted", name);
	cr_assert_null(p);
	cr_assert_eq(err.line, line, "%s: line %ld, want %ld (%s)", name, err.line, line, err.message);
	cr_assert_not_null(strstr(err.file, name));
}

Test(vrp, malformed_files_refused_with_line)
{
	expect_error("bad_solomon.txt", 9);
	expect_error("bad_vrplib.vrp", 6);
	expect_error("bad_vroom.json", 3);
	const char *cases[][2] = {
		{"T\nVEHICLE\n3 10\n0 0 0 0 0 100 0\n1 1 1 1 50 10 0\n", "5"},  /* ready after due */
		{"T\n0 0 0 0 0 100 0\n", "2"},                                    /* no vehicle line */
		{"T\n3 10\n0 0 0 0 0 100 0\n2 1 1 1 0 10 0\n", "4"},              /* out of sequence */
		{"NAME : a\nTYPE : TSP\n", "2"},
		{"NAME : a\nDIMENSION : 2\nEDGE_WEIGHT_TYPE : GEO\n", "3"},
		{"NAME : a\nDIMENSION : 2\nCAPACITY : 5\nNODE_COORD_SECTION\n1 0 0\n3 1 1\n", "6"},
		{"{\"vehicles\": []}", "1"},
		{"{\"vehicles\": [{\"id\": 1, \"start_index\": 0}], \"jobs\": [{\"id\": 1, \"location_index\": 3}],"
		 "\"matrices\": {\"car\": {\"durations\": [[0]]}}}", "1"},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		sl_vrp_problem *p = NULL;
		sl_error err = {0};
		int rc = sl_vrp_read_mem(cases[k][0], strlen(cases[k][0]), "mem", SL_VRP_FMT_AUTO, &p, &err);
		cr_assert_lt(rc, 0, "case %zu accepted", k);
		cr_assert_eq(err.line, atol(cases[k][1]), "case %zu: line %ld (%s)", k, err.line, err.message);
	}
}

Test(vrp, checker_catches_each_violation)
{
	sl_vrp_problem *p = read_ok("vroom.json");
	int r0[] = {0, 1}, r1[] = {4, 5, 2};
	sl_vrp_route ok[2] = {{0, 2, r0}, {1, 3, r1}};
	sl_vrp_check_result r;
	sl_vrp_check_routes(p, ok, 2, -1, &r);
	cr_assert(r.feasible, "baseline: %s", r.first_violation);
	struct {
		const char *what;
		int v0, n0, t0[4], v1, n1, t1[4];
	} bad[] = {
		{"visited twice", 0, 2, {0, 1}, 1, 2, {1, 3}},
		{"skills", 0, 1, {2}, 1, 1, {0}},
		{"pickup", 1, 2, {5, 4}, 0, 0, {0}},
		{"same vehicle", 0, 1, {4}, 1, 1, {5}},
		{"capacity", 1, 4, {4, 2, 2, 5}, 0, 0, {0}},
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		sl_vrp_route rs[2] = {{bad[k].v0, bad[k].n0, bad[k].t0}, {bad[k].v1, bad[k].n1, bad[k].t1}};
		sl_vrp_check_routes(p, rs, 2, -1, &r);
		cr_assert(!r.feasible, "%s not caught", bad[k].what);
	}
	/* capacity: one dimension over */
	p->vehicles[1].capacity[1] = 0.5;
	sl_vrp_check_routes(p, ok, 2, -1, &r);
	cr_assert(!r.feasible);
	cr_assert_not_null(strstr(r.first_violation, "capacity"), "%s", r.first_violation);
	p->vehicles[1].capacity[1] = 3;
	/* time window: job 11 only in [0,100] */
	p->tasks[1].n_tw = 1;
	sl_vrp_check_routes(p, ok, 2, -1, &r);
	cr_assert(!r.feasible);
	cr_assert_not_null(strstr(r.first_violation, "time window"), "%s", r.first_violation);
	p->tasks[1].n_tw = 2;
	/* shift end, max distance, max travel */
	p->vehicles[0].tw_end_s = 1000;
	sl_vrp_check_routes(p, ok, 2, -1, &r);
	cr_assert(!r.feasible && strstr(r.first_violation, "shift"), "%s", r.first_violation);
	p->vehicles[0].tw_end_s = 10000;
	p->vehicles[1].max_distance_m = 1000;
	sl_vrp_check_routes(p, ok, 2, -1, &r);
	cr_assert(!r.feasible && strstr(r.first_violation, "distance"), "%s", r.first_violation);
	p->vehicles[1].max_distance_m = INFINITY;
	p->vehicles[1].max_travel_s = 100;
	sl_vrp_check_routes(p, ok, 2, -1, &r);
	cr_assert(!r.feasible && strstr(r.first_violation, "travel"), "%s", r.first_violation);
	sl_vrp_problem_free(p);
}

Test(vrp, deterministic_per_seed_and_threads)
{
	sl_vrp_problem *p = random_tiny(9, 30, 8, 15, 1);
	for (int th = 1; th <= 2; th++) {
		sl_vrp_solution *a = solve_it(p, -1, 2000, 5, th), *b = solve_it(p, -1, 2000, 5, th);
		assert_checked(p, a, -1);
		cr_assert_eq(a->cost, b->cost, "threads %d: %f vs %f", th, a->cost, b->cost);
		for (int r = 0; r < a->n_routes; r++) {
			cr_assert_eq(a->routes[r].n, b->routes[r].n);
			cr_assert_eq(memcmp(a->routes[r].tasks, b->routes[r].tasks, (size_t)a->routes[r].n * sizeof(int)), 0);
		}
		sl_vrp_solution_free(a);
		sl_vrp_solution_free(b);
	}
	sl_vrp_problem_free(p);
}

Test(vrp, vehicles_then_distance_uses_fewer_routes)
{
	sl_vrp_problem *p = read_ok("tiny.txt");
	sl_vrp_solution *s = solve_it(p, SL_VRP_OBJ_VEHICLES_THEN_DISTANCE, 500, 1, 1);
	assert_checked(p, s, -1);
	cr_assert_eq(s->vehicles_used, 2); /* 16 units, capacity 10 */
	sl_buf b = {0};
	cr_assert_eq(sl_vrp_write_sol(p, s, &b), 0);
	cr_assert_not_null(strstr(b.data, "Route #2:"));
	cr_assert_null(strstr(b.data, "Route #3:"));
	sl_buf_free(&b);
	sl_vrp_solution_free(s);
	sl_vrp_problem_free(p);
}

Test(vrp, solomon_c101_from_shared_data)
{
	const char *sd = getenv("SL_SHARED_DATA");
	char f[1024];
	snprintf(f, sizeof f, "%s/vrp/solomon/C101.txt", sd ? sd : "");
	if (!sd || access(f, R_OK))
		cr_skip_test("../shared/data/vrp/solomon/C101.txt is absent (SL_SHARED_DATA)");
	sl_vrp_problem *p = NULL;
	sl_error err = {0};
	cr_assert_eq(sl_vrp_read(f, SL_VRP_FMT_AUTO, &p, &err), 0, "%s", err.message);
	cr_assert_eq(p->n_tasks, 100);
	sl_vrp_solution *s = solve_it(p, -1, 1500, 1, 1);
	assert_checked(p, s, -1);
	cr_assert_lt(s->distance, 828.94 * 1.05); /* BKS 828.94 (double precision) */
	sl_vrp_solution_free(s);
	sl_vrp_problem_free(p);
}

Test(vrp, cli_solve_and_check)
{
	const char *bin = getenv("SAMLAST_BIN");
	if (!bin)
		cr_skip_test("SAMLAST_BIN not set");
	char cmd[4096], out[128];
	snprintf(out, sizeof out, "/tmp/test_vrp_cli_%d.sol", (int)getpid());
	snprintf(cmd, sizeof cmd, "'%s' solve '%s' --iterations 200 --output-format vrplib-sol -o %s", bin,
			fixture("tiny.txt"), out);
	cr_assert_eq(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "'%s' check '%s' %s >/dev/null", bin, fixture("tiny.txt"), out);
	cr_assert_eq(system(cmd), 0);
	FILE *f = fopen(out, "w"); /* break it: customer 1 twice */
	fputs("Route #1: 1 2 3\nRoute #2: 4 1\nCost 1\n", f);
	fclose(f);
	snprintf(cmd, sizeof cmd, "'%s' check '%s' %s >/dev/null 2>&1", bin, fixture("tiny.txt"), out);
	int st = system(cmd);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	snprintf(cmd, sizeof cmd, "'%s' solve '%s' 2>/dev/null", bin, fixture("bad_solomon.txt"));
	st = system(cmd);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	snprintf(cmd, sizeof cmd, "'%s' solve '%s' --iterations 100 --no-local-search >/dev/null", bin, fixture("tiny.txt"));
	cr_assert_eq(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "'%s' solve '%s' --iterations 100 --objective co2e | grep -q '\"vehicle\":\"electric\"'", bin,
			fixture("co2e.json"));
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	snprintf(cmd, sizeof cmd, "'%s' solve '%s' --iterations 10 --objective co2e >/dev/null 2>&1", bin, fixture("tiny.txt"));
	st = system(cmd); /* Solomon vehicles carry no co2e figure */
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	snprintf(cmd, sizeof cmd, "'%s' solve --bogus x >/dev/null 2>&1", bin);
	st = system(cmd);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	remove(out);
}

/* Two vehicles: "diesel" is cheaper per km, "electric" emits less per km.
 * The cost objective uses the diesel, the co2e objective the electric van;
 * both plans pass the checker, which recomputes the CO2e. */
Test(vrp, co2e_objective_picks_the_cleaner_vehicle)
{
	sl_vrp_problem *p = read_ok("co2e.json");
	cr_assert_float_eq(p->vehicles[0].co2e_g_per_km, 900, 1e-9);
	const char *want[] = {"diesel", "electric"};
	const int objs[] = {SL_VRP_OBJ_COST, SL_VRP_OBJ_CO2E};
	for (int k = 0; k < 2; k++) {
		sl_vrp_solution *s = solve_it(p, objs[k], 200, 1, 1);
		assert_checked(p, s, objs[k]);
		cr_assert_eq(s->vehicles_used, 1);
		cr_assert_eq(s->n_unassigned, 0);
		int used = s->routes[0].n ? 0 : 1;
		cr_assert_str_eq(p->vehicles[s->routes[used].vehicle].id, want[k], "objective %d used %s", objs[k],
				p->vehicles[s->routes[used].vehicle].id);
		double km = s->distance / 1000.0; /* 3 + 2 + 4 km */
		cr_assert_float_eq(km, 9, 1e-9);
		cr_assert_float_eq(s->co2e_g, km * p->vehicles[s->routes[used].vehicle].co2e_g_per_km, 1e-6);
		sl_vrp_check_result r;
		cr_assert_eq(sl_vrp_check_routes(p, s->routes, s->n_routes, objs[k], &r), 0);
		cr_assert_float_eq(r.cost, s->cost, 1e-6);
		cr_assert_float_eq(r.co2e_g, s->co2e_g, 1e-6);
		sl_buf b = {0};
		cr_assert_eq(sl_vrp_write_json(p, s, objs[k], &b), 0);
		cr_assert_not_null(strstr(b.data, "\"co2e_g\":"));
		sl_buf_free(&b);
		sl_vrp_solution_free(s);
	}
	/* a vehicle without a figure: the co2e objective is refused */
	p->vehicles[1].co2e_g_per_km = -1;
	sl_vrp_options o;
	sl_vrp_options_default(&o);
	o.objective = SL_VRP_OBJ_CO2E;
	o.iterations = 10;
	o.time_limit_s = 0;
	sl_vrp_solution *s = NULL;
	sl_error err = {0};
	cr_assert_eq(sl_vrp_solve(p, &o, &s, &err), SL_EINVAL);
	cr_assert_not_null(strstr(err.message, "co2e_g_per_km"), "%s", err.message);
	sl_vrp_problem_free(p);
	const char *bad = "{\"vehicles\":[{\"id\":1,\"start_index\":0,\"co2e_g_per_km\":-5}],"
			  "\"jobs\":[{\"id\":1,\"location_index\":1}],\"matrix\":[[0,1],[1,0]]}";
	p = NULL;
	cr_assert_eq(sl_vrp_read_mem(bad, strlen(bad), "bad.json", SL_VRP_FMT_VROOM, &p, &err), SL_EINVAL);
	cr_assert_not_null(strstr(err.message, "co2e_g_per_km"), "%s", err.message);
}

/* Road matrices: build a graph of the Monaco extract with the route module,
 * replace a VROOM problem's great-circle matrices by road distances and
 * times, solve and check; a location far from any road is refused. */
#include "samlast/route.h"

Test(vrp, road_matrix_from_monaco_graph, .timeout = 120)
{
	const char *sd = getenv("SL_SHARED_DATA");
	char pbf[1024], graph[256];
	snprintf(pbf, sizeof pbf, "%s/osm/monaco.osm.pbf", sd ? sd : "");
	if (!sd || access(pbf, R_OK))
		cr_skip_test("../shared/data/osm/monaco.osm.pbf is absent (SL_SHARED_DATA): road matrix not tested");
	snprintf(graph, sizeof graph, "/tmp/test_vrp_monaco_%d.graph", (int)getpid());
	sl_route_profile *prof = NULL;
	sl_error err = {0};
	cr_assert_eq(sl_route_profile_load("van", &prof, &err), 0, "%s", err.message);
	cr_assert_eq(sl_route_graph_build(pbf, prof, graph, NULL, NULL, NULL, &err), 0, "%s", err.message);
	sl_route_profile_free(prof);
	sl_graph *g = NULL;
	cr_assert_eq(sl_route_graph_open(graph, &g, &err), 0, "%s", err.message);
	static const double pts[][2] = {{7.4197, 43.7311}, {7.4260, 43.7390}, {7.4128, 43.7275},
		{7.4316, 43.7445}, {7.4230, 43.7355}};
	sl_buf j = {0};
	sl_buf_printf(&j, "{\"vehicles\":[{\"id\":1,\"start\":[%.4f,%.4f],\"end\":[%.4f,%.4f],\"capacity\":[10]}],\"jobs\":[",
			pts[0][0], pts[0][1], pts[0][0], pts[0][1]);
	for (int i = 1; i < 5; i++)
		sl_buf_printf(&j, "%s{\"id\":%d,\"location\":[%.4f,%.4f],\"delivery\":[1],\"service\":120}", i > 1 ? "," : "",
				i, pts[i][0], pts[i][1]);
	sl_buf_puts(&j, "]}");
	sl_vrp_problem *p = NULL;
	cr_assert_eq(sl_vrp_read_mem(j.data, j.len, "monaco.json", SL_VRP_FMT_VROOM, &p, &err), 0, "%s", err.message);
	cr_assert(p->has_lonlat);
	int n = p->n_locations;
	double *gc = malloc((size_t)n * n * sizeof *gc);
	memcpy(gc, p->dist, (size_t)n * n * sizeof *gc);
	cr_assert_eq(sl_vrp_problem_road_matrix(p, g, &err), 0, "%s", err.message);
	int longer = 0;
	for (int a = 0; a < n; a++)
		for (int b = 0; b < n; b++) {
			double d = p->dist[(size_t)a * n + b], t = p->dur[(size_t)a * n + b], h = gc[(size_t)a * n + b];
			if (a == b || h < 1)
				continue;
			/* a road is never much shorter than the straight line (snapping moves a point by metres) */
			cr_assert_gt(d, h - 150, "%d->%d road %f m, straight %f m", a, b, d, h);
			cr_assert_gt(t, 0);
			cr_assert_lt(d / t, 40, "%d->%d faster than 144 km/h", a, b);
			longer += d > 1.05 * h;
		}
	cr_assert_gt(longer, 0, "road distances identical to the great-circle ones");
	sl_vrp_solution *s = solve_it(p, SL_VRP_OBJ_DISTANCE, 300, 1, 1);
	assert_checked(p, s, SL_VRP_OBJ_DISTANCE);
	cr_assert_eq(s->n_unassigned, 0);
	sl_vrp_solution_free(s);
	sl_vrp_problem_free(p);
	/* a job in Paris: no road of the Monaco graph nearby */
	sl_buf_free(&j);
	sl_buf_printf(&j, "{\"vehicles\":[{\"id\":1,\"start\":[7.4197,43.7311]}],\"jobs\":[{\"id\":1,\"location\":[2.35,48.85]}]}");
	cr_assert_eq(sl_vrp_read_mem(j.data, j.len, "paris.json", SL_VRP_FMT_VROOM, &p, &err), 0, "%s", err.message);
	cr_assert_eq(sl_vrp_problem_road_matrix(p, g, &err), SL_EINVAL);
	cr_assert_not_null(strstr(err.message, "location "), "%s", err.message);
	cr_assert_not_null(strstr(err.message, "2.35"), "%s", err.message);
	sl_vrp_problem_free(p);
	/* index-based problems have no coordinates */
	p = read_ok("vroom.json");
	cr_assert_eq(sl_vrp_problem_road_matrix(p, g, &err), SL_EINVAL);
	sl_vrp_problem_free(p);
	/* the CLI: samlast solve FILE --graph G */
	const char *bin = getenv("SAMLAST_BIN");
	if (bin) {
		char in[128], cmd[2048];
		snprintf(in, sizeof in, "/tmp/test_vrp_monaco_%d.json", (int)getpid());
		sl_buf_free(&j);
		sl_buf_printf(&j, "{\"vehicles\":[{\"id\":1,\"start\":[7.4197,43.7311],\"end\":[7.4197,43.7311]}],"
				  "\"jobs\":[{\"id\":1,\"location\":[7.4260,43.7390]},{\"id\":2,\"location\":[7.4128,43.7275]}]}");
		FILE *f = fopen(in, "w");
		cr_assert_not_null(f);
		fwrite(j.data, 1, j.len, f);
		fclose(f);
		snprintf(cmd, sizeof cmd, "'%s' solve %s --graph %s --iterations 50 | grep -q '\"unassigned\":0'", bin, in, graph);
		cr_assert_eq(system(cmd), 0, "%s", cmd);
		remove(in);
	}
	sl_buf_free(&j);
	free(gc);
	sl_route_graph_close(g);
	remove(graph);
}
