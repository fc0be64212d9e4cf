/* vrp.h — samlast's vehicle-routing module: a rich VRP model (multi-dimensional
 * capacities, skills, time windows, pickups and deliveries, heterogeneous
 * fleet with costs, shift windows, range limits), readers for Solomon /
 * Gehring–Homberger, VRPLIB CVRP and VROOM JSON, writers for VROOM JSON and
 * the CVRPLIB `.sol` text, a ruin-and-recreate solver (SISR, Christiaens &
 * Vanden Berghe 2020, Transportation Science 54(2)) and an independent
 * solution checker.
 *
 * Units: the matrices hold distances (metres for real data; plain Euclidean
 * units for benchmarks) and durations (seconds; for Solomon-type benchmarks
 * the duration equals the distance).  Times are seconds from an arbitrary
 * origin.  Demands and capacities are dimensionless per dimension (kg, m³,
 * pallets … as the caller decides). */
#ifndef SAMLAST_VRP_H
#define SAMLAST_VRP_H

#include "samlast/base.h"

#include <stdint.h>

#define SL_VRP_MAX_DIMS 4
#define SL_VRP_MAX_TWS 8

/* The kind of a task (one stop).  A VROOM "job" is SL_VRP_JOB: its
 * `delivery` amount is loaded at the start depot and dropped at the stop, its
 * `pickup` amount is collected at the stop and brought back.  A shipment is
 * two tasks (SHIP_PICKUP then SHIP_DELIVERY) on the same vehicle. */
enum { SL_VRP_JOB = 0, SL_VRP_SHIP_PICKUP = 1, SL_VRP_SHIP_DELIVERY = 2 };

/* Objective modes.  All modes first minimise the priority-weighted number of
 * unassigned tasks.  COST: fixed + per-km + per-hour (travel time) costs.
 * DISTANCE: total distance.  VEHICLES_THEN_DISTANCE: number of routes, then
 * total distance (the classic VRPTW objective).  CO2E: the vehicles'
 * emissions, co2e_g_per_km × distance (m) / 1000, in g CO2e. */
enum { SL_VRP_OBJ_COST = 0, SL_VRP_OBJ_DISTANCE = 1, SL_VRP_OBJ_VEHICLES_THEN_DISTANCE = 2, SL_VRP_OBJ_CO2E = 3 };

/* Reasons a task may be left unassigned (reported by the solver). */
enum {
	SL_VRP_UNASSIGNED_NONE = 0,
	SL_VRP_UNASSIGNED_CAPACITY,   /* demand exceeds every compatible vehicle */
	SL_VRP_UNASSIGNED_SKILLS,     /* no vehicle has the required skills */
	SL_VRP_UNASSIGNED_TIME,       /* no vehicle can reach it within its windows */
	SL_VRP_UNASSIGNED_RANGE,      /* out-and-back exceeds every range/travel limit */
	SL_VRP_UNASSIGNED_NO_ROOM,    /* feasible alone, but no room in the plan */
};

typedef struct sl_vrp_tw {
	double start_s, end_s; /* arrival must be in [start, end]; wait if early */
} sl_vrp_tw;

typedef struct sl_vrp_task {
	char id[64];         /* external id (VROOM id, Solomon customer number) */
	long ext;            /* external number (customer number for .sol output) */
	int kind;            /* SL_VRP_JOB, SL_VRP_SHIP_PICKUP, SL_VRP_SHIP_DELIVERY */
	int partner;         /* index of the other shipment task, or -1 */
	int location;        /* row/column in the matrices */
	double delivery[SL_VRP_MAX_DIMS]; /* JOB: loaded at the depot, dropped here */
	double pickup[SL_VRP_MAX_DIMS];   /* JOB: collected here; SHIP_*: the amount */
	double service_s;
	int n_tw;            /* 0 = no window */
	sl_vrp_tw tw[SL_VRP_MAX_TWS];
	uint64_t skills;     /* bit set of required skills */
	double priority;     /* weight of leaving it unassigned (>= 1) */
} sl_vrp_task;

typedef struct sl_vrp_vehicle {
	char id[64];
	int start_loc, end_loc;    /* matrix index, or -1 for none */
	double capacity[SL_VRP_MAX_DIMS];
	uint64_t skills;
	double fixed_cost, cost_per_km, cost_per_hour;
	double tw_start_s, tw_end_s;   /* shift window */
	double max_travel_s;           /* total travel time limit (INFINITY = none) */
	double max_distance_m;         /* total distance limit, e.g. EV range */
	double co2e_g_per_km;          /* g CO2e per km driven (well-to-wheel, the vehicle's typical
	                                * load); < 0 = unknown (the default).  SL_VRP_OBJ_CO2E needs
	                                * it for every vehicle. */
} sl_vrp_vehicle;

typedef struct sl_vrp_problem {
	char name[128];
	int n_dims;
	int n_locations;
	double *dist;            /* n_locations², row-major, owned */
	double *dur;             /* n_locations², row-major, owned */
	double *x, *y;           /* coordinates (benchmarks) or NULL, owned */
	int has_lonlat;          /* 1: x/y are longitude/latitude in degrees (VROOM "location") */
	int n_tasks;
	sl_vrp_task *tasks;      /* owned */
	int n_vehicles;
	sl_vrp_vehicle *vehicles; /* owned */
	int objective;           /* default objective of the format */
	int source_format;       /* SL_VRP_FMT_* it was read from */
} sl_vrp_problem;

enum { SL_VRP_FMT_AUTO = 0, SL_VRP_FMT_SOLOMON, SL_VRP_FMT_VRPLIB, SL_VRP_FMT_VROOM };

/* Parse a format name ("solomon", "vrplib", "vroom") or an objective name
 * ("cost", "distance", "vehicles-then-distance") as the CLI and the server
 * spell them; -1 for an unknown name. */
int sl_vrp_format_parse(const char *name);
int sl_vrp_objective_parse(const char *name);

/* A solution: one route (task index list) per vehicle, plus unassigned
 * tasks with reasons and the evaluated totals. */
typedef struct sl_vrp_route {
	int vehicle;
	int n;
	int *tasks;              /* owned */
} sl_vrp_route;

typedef struct sl_vrp_solution {
	int n_routes;            /* == problem's n_vehicles; empty routes allowed */
	sl_vrp_route *routes;    /* owned */
	int n_unassigned;
	int *unassigned;         /* task indices, owned */
	int *reason;             /* SL_VRP_UNASSIGNED_* per unassigned entry, owned */
	double cost, distance, travel_s;
	double co2e_g;           /* sum of co2e_g_per_km x km over used vehicles; < 0 when a
	                          * used vehicle has no figure */
	int vehicles_used;
	long iterations;
} sl_vrp_solution;

typedef struct sl_vrp_options {
	int objective;           /* SL_VRP_OBJ_*, or -1 for the problem's default */
	double time_limit_s;     /* <= 0: none (then iterations must be > 0) */
	long iterations;         /* <= 0: none */
	uint64_t seed;
	int threads;             /* independent searches, >= 1 */
	int local_search;        /* 1: improve candidates by local search (relocate, swap,
	                          * 2-opt*, or-opt); 0: ruin & recreate only */
} sl_vrp_options;

/* Default options: problem objective, 10 s, no iteration limit, seed 1, 1 thread,
 * local search on. */
void sl_vrp_options_default(sl_vrp_options *o);

/* Allocate an empty problem with room for the given counts (arrays zeroed,
 * matrices n_locations²).  Returns NULL on ENOMEM.  Free with
 * sl_vrp_problem_free. */
sl_vrp_problem *sl_vrp_problem_new(int n_locations, int n_tasks, int n_vehicles);

/* Free a problem and everything it owns (NULL is fine). */
void sl_vrp_problem_free(sl_vrp_problem *p);

/* Fill dist and dur with double-precision Euclidean distances from x/y
 * (rounded to the nearest integer when `round_nint`, the TSPLIB EUC_2D rule). */
void sl_vrp_problem_euclidean(sl_vrp_problem *p, int round_nint);

struct sl_graph; /* a road graph, include/samlast/route.h */

/* Replace the distance (m) and duration (s) matrices of a problem whose
 * locations are longitude/latitude (has_lonlat) by the road network's:
 * every location is snapped to the nearest road of `g` (within the route
 * module's default radius) and the many-to-many matrix is computed with
 * sl_route_matrix.  Errors: SL_EINVAL (no coordinates; a location with no
 * road nearby, or unreachable — the message names the location), SL_ENOMEM. */
int sl_vrp_problem_road_matrix(sl_vrp_problem *p, const struct sl_graph *g, sl_error *err);

/* Guess the format of `path` from its content. Returns SL_VRP_FMT_* (never AUTO
 * on success) or SL_EIO / SL_EINVAL. */
int sl_vrp_detect_format(const char *path, sl_error *err);

/* Read an instance.  `format` may be SL_VRP_FMT_AUTO.  On success *out owns a
 * new problem.  Malformed input gives SL_EINVAL with FILE:LINE in err; a file
 * that cannot be read gives SL_EIO. */
int sl_vrp_read(const char *path, int format, sl_vrp_problem **out, sl_error *err);

/* As sl_vrp_read, from memory (`name` is used in error locations). */
int sl_vrp_read_mem(const char *data, size_t len, const char *name, int format,
		sl_vrp_problem **out, sl_error *err);

/* Validate a problem's internal consistency (indices in range, windows
 * ordered, partners consistent).  SL_EINVAL with a reason if not. */
int sl_vrp_problem_validate(const sl_vrp_problem *p, sl_error *err);

/* Solve.  On success *out owns a new solution (free with
 * sl_vrp_solution_free).  Deterministic for a given seed, thread count and
 * iteration limit (a time limit stops the search wherever it is).  Errors:
 * SL_EINVAL (bad problem/options), SL_ENOMEM. */
int sl_vrp_solve(const sl_vrp_problem *p, const sl_vrp_options *opt,
		sl_vrp_solution **out, sl_error *err);

/* Free a solution (NULL is fine). */
void sl_vrp_solution_free(sl_vrp_solution *s);

/* Human-readable name of an unassigned reason. */
const char *sl_vrp_reason_name(int reason);

/* Append the solution as VROOM-style JSON (code, summary, unassigned, routes
 * with steps and arrival times) to `out`.  SL_ENOMEM on failure. */
int sl_vrp_write_json(const sl_vrp_problem *p, const sl_vrp_solution *s, int objective, sl_buf *out);

/* Append the CVRPLIB solution text ("Route #1: 3 5 …", "Cost 1234.56"),
 * non-empty routes only, tasks numbered by their `ext` field. */
int sl_vrp_write_sol(const sl_vrp_problem *p, const sl_vrp_solution *s, sl_buf *out);

/* The result of an independent check. */
typedef struct sl_vrp_check_result {
	int feasible;            /* 1 if every constraint holds */
	int n_violations;
	char first_violation[512];
	double cost, distance, travel_s;
	double co2e_g;           /* as in sl_vrp_solution */
	int vehicles_used;
	int n_unassigned;
} sl_vrp_check_result;

/* Independently check a solution file (our JSON output or CVRPLIB `.sol`)
 * against `p`: every task at most once, shipments on one vehicle with the
 * pickup first, capacities at every stop, time windows, shift windows,
 * skills, travel-time and distance limits; recomputes cost, distance and
 * the vehicle count under `objective`.  Returns 0 when the file could be
 * read (violations are in *res), SL_EINVAL/SL_EIO otherwise.  This code does
 * not call the solver. */
int sl_vrp_check_file(const sl_vrp_problem *p, const char *solution_path, int objective,
		sl_vrp_check_result *res, sl_error *err);

/* As sl_vrp_check_file, for routes given in memory (task indices per
 * vehicle, as in sl_vrp_solution). */
int sl_vrp_check_routes(const sl_vrp_problem *p, const sl_vrp_route *routes, int n_routes,
		int objective, sl_vrp_check_result *res);

#endif
