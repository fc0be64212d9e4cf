/* internal.h — declarations shared by the vrp module's sources (solver,
 * local search) and its unit tests; not part of the public API.  The
 * local search is the granular neighbourhood search of Vidal et al. (2013)
 * with Savelsbergh-style (1992) constant-time feasibility by route-segment
 * concatenation; see ls.c. */
#ifndef SAMLAST_VRP_INTERNAL_H
#define SAMLAST_VRP_INTERNAL_H

#include "samlast/vrp.h"

/* Cost added per used route under SL_VRP_OBJ_VEHICLES_THEN_DISTANCE. */
#define SL_VRP_VEHICLE_PENALTY 1e5

/* Full simulation of vehicle v serving seq[0..n): loads in every dimension,
 * windows (earliest feasible window, waiting allowed), shift end, travel
 * and distance limits.  Returns 1 and fills dist and travel when feasible,
 * 0 otherwise.  Skills are not checked here. */
int sl_vrp_internal_simulate(const sl_vrp_problem *p, int v, const int *seq, int n, double *dist, double *travel);

/* Cost of a route of n tasks for vehicle v under `objective` (0 when n = 0). */
double sl_vrp_internal_route_cost(const sl_vrp_problem *p, int objective, int v, int n, double dist, double travel);

/* Local-search operators (bit set). */
enum {
	SL_VRP_LS_RELOCATE = 1,   /* move one task to another position/route */
	SL_VRP_LS_SWAP = 2,       /* exchange two tasks */
	SL_VRP_LS_TWO_OPT_STAR = 4, /* exchange the tails of two routes */
	SL_VRP_LS_OR_OPT = 8,     /* move a string of 2-3 consecutive tasks */
	SL_VRP_LS_ALL = 15,
};

typedef struct sl_vrp_ls sl_vrp_ls;

/* A local-search workspace for problem p (which must outlive it):
 * `granularity` nearest neighbours per task are the candidate partners.
 * NULL on ENOMEM. */
sl_vrp_ls *sl_vrp_ls_new(const sl_vrp_problem *p, int objective, int granularity);
void sl_vrp_ls_free(sl_vrp_ls *ls);

/* Load the route of vehicle v (tasks copied); `dirty` marks it as changed
 * since the last local optimum (only moves touching a dirty route are
 * examined first).  Tasks not in any route are left alone.  Call
 * sl_vrp_ls_clear first to empty every route.  SL_ENOMEM on failure. */
void sl_vrp_ls_clear(sl_vrp_ls *ls);
int sl_vrp_ls_set_route(sl_vrp_ls *ls, int v, const int *tasks, int n, int dirty);

/* Improve the loaded routes with the operators in `ops` (first improvement,
 * until no move improves).  `rng` (may be NULL) shuffles the order in which
 * tasks are examined.  *moves gets the number of applied moves.  Every
 * applied move is verified by sl_vrp_internal_simulate.  SL_ENOMEM on
 * failure. */
int sl_vrp_ls_run(sl_vrp_ls *ls, unsigned ops, sl_rng *rng, long *moves);

/* The current tasks of vehicle v's route (owned by ls); *changed (may be
 * NULL) is 1 when the last run changed it. */
const int *sl_vrp_ls_route(const sl_vrp_ls *ls, int v, int *n, int *changed);

/* Sum of the route costs. */
double sl_vrp_ls_cost(const sl_vrp_ls *ls);

/* Testing aid: evaluate one move on the loaded routes without applying it.
 * op: SL_VRP_LS_RELOCATE / OR_OPT (move tasks [i, i+k) of route r1 before
 * position j of route r2, positions as before the move), SWAP (task i of r1
 * with task j of r2; k ignored), TWO_OPT_STAR (r1 keeps its first i tasks
 * followed by r2's tasks from j, r2 keeps its first j followed by r1's from
 * i).  *o1_feasible gets the constant-time (segment concatenation) answer,
 * *delta the cost change it predicts; seq1/seq2 (room for n_tasks each) get
 * the resulting routes (seq2 unused when r1 == r2).  Returns SL_EINVAL for a
 * malformed move (out of range, no-op, a moved shipment task, a tail cut
 * splitting a shipment; a task the vehicle lacks skills for still gives an
 * answer), SL_EIO when the quick cost screen and the segment cost disagree
 * (a bug). */
int sl_vrp_ls_eval_move(sl_vrp_ls *ls, int op, int r1, int i, int k, int r2, int j, int *o1_feasible,
		double *delta, int *seq1, int *n1, int *seq2, int *n2);

#endif
