/* internal.h — the route module's private structures: the profile, the
 * in-memory graph being built, the graph file layout and the mapped graph.
 *
 * Model: an OSM way is cut at every "junction" node (a node used twice or
 * more, a way end, a barrier, a restriction's via node) into *edges* that
 * keep their full geometry.  Each direction of travel of an edge is one
 * node of the *edge-based graph*; a turn from one directed edge into the
 * next is an arc, weighted by the cost of the edge entered.  Forbidden
 * turns are simply absent arcs, which makes turn restrictions exact, and
 * contraction hierarchies work on this graph unchanged.
 *
 * Costs are integers: weight and duration in deciseconds, distance in
 * decimetres.  The order of paths is by the 64-bit key
 * (weight << 32 | distance), so ties in weight are broken by distance and
 * CH and Dijkstra pick the same optimum. */
#ifndef SL_ROUTE_INTERNAL_H
#define SL_ROUTE_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "samlast/route.h"

#define RG_NONE UINT32_MAX
#define RG_INF  UINT64_MAX

/* ---- profile ---------------------------------------------------------- */

#define RP_MAX_CLASSES  48
#define RP_MAX_ZONES    64
#define RP_MAX_TAGS     8
#define RP_MAX_VALUES   24
#define RP_MAX_BARRIERS 48

struct sl_route_profile {
	char name[32];
	double max_speed_kmh;
	double weight_t, height_m, width_m, length_m; /* 0 = not checked */
	int destination_factor;                       /* weight multiplier */
	double u_turn_penalty_s;
	int n_classes;
	struct {
		char key[32];
		double kmh;
	} classes[RP_MAX_CLASSES];
	int n_zones;
	struct {
		char key[32];
		double kmh;
	} zones[RP_MAX_ZONES];
	int n_access_tags;
	char access_tags[RP_MAX_TAGS][24]; /* most specific first */
	int n_maxspeed_tags;
	char maxspeed_tags[RP_MAX_TAGS][24];
	int n_restriction_tags;
	char restriction_tags[RP_MAX_TAGS][24];
	int n_except;
	char except[RP_MAX_VALUES][24]; /* values of except= that exempt us */
	int n_allowed;
	char allowed[RP_MAX_VALUES][24];
	int n_dest;
	char dest[RP_MAX_VALUES][24];
	int n_barriers;
	struct {
		char key[32];
		int passable;
	} barriers[RP_MAX_BARRIERS];
	int barrier_default_passable;
};

/* Access verdict for a tag list: 1 allowed, 2 destination-only, 0 denied,
 * -1 when no applicable tag is present. */
int rp_access(const sl_route_profile *p, const char *const *keys, const char *const *vals, int n);
/* Speed in km/h for a way, or <= 0 when the way is not routable. */
double rp_way_speed(const sl_route_profile *p, const char *const *keys, const char *const *vals,
                    int n);
/* Do the way/node dimension limits (maxweight, …) exclude this vehicle? */
int rp_dimension_blocked(const sl_route_profile *p, const char *const *keys,
                         const char *const *vals, int n);
/* Is a node with these tags a barrier that blocks this profile? */
int rp_node_blocks(const sl_route_profile *p, const char *const *keys, const char *const *vals,
                   int n);

/* ---- costs ------------------------------------------------------------- */

static inline uint64_t rg_key(uint32_t weight, uint32_t dist)
{
	return (uint64_t)weight << 32 | dist;
}

/* ---- graph data (build side and mapped side share this view) ----------- */

typedef struct rg_edge {
	uint32_t first;  /* first geometry point */
	uint32_t count;  /* number of points (>= 2) */
	uint32_t ebn[2]; /* edge-based node forward / backward, or RG_NONE */
	uint32_t factor; /* weight = duration * factor */
	uint32_t flags;  /* RG_EF_* */
} rg_edge;

/* rg_edge.flags: what turn-by-turn guidance needs to know about a road. */
enum {
	RG_EF_DEST = 1,       /* destination-only access */
	RG_EF_ROUNDABOUT = 2, /* junction=roundabout|circular */
	RG_EF_MOTORWAY = 4,   /* highway=motorway|trunk */
	RG_EF_LINK = 8,       /* highway=*_link */
};

typedef struct rg_arc {
	uint64_t key;
	uint32_t dur;
	uint32_t other;
	uint32_t middle; /* RG_NONE for an original arc */
	uint32_t pad;
} rg_arc;

/* Every array of a graph.  In a built graph they are malloc'd; in an opened
 * graph they point into the mapping. */
typedef struct rg_data {
	uint32_t n_nodes, n_edges, n_points, n_arcs, n_fwd, n_bwd, n_shortcuts;
	int32_t *pts;        /* 2 * n_points: lon, lat (1e-7 degrees) */
	uint32_t *cum_dur;   /* n_points: ds from the edge's first point */
	uint32_t *cum_dist;  /* n_points: dm from the edge's first point */
	uint32_t *pt_edge;   /* n_points: the edge of each point */
	rg_edge *edges;      /* n_edges */
	uint32_t *node_edge; /* n_nodes: edge << 1 | reversed */
	uint32_t *orig_off;  /* n_nodes + 1 */
	uint32_t *orig_tgt;  /* n_arcs */
	uint32_t *fwd_off;   /* n_nodes + 1: upward arcs, forward search */
	rg_arc *fwd;
	uint32_t *bwd_off; /* n_nodes + 1: upward arcs, backward search */
	rg_arc *bwd;
	/* spatial grid over segments */
	int32_t grid_lon0, grid_lat0, cell_e7;
	uint32_t grid_nx, grid_ny;
	uint32_t *cell_off; /* nx * ny + 1 */
	uint32_t *cell_seg; /* segment = index of its first point */
	uint32_t n_cellsegs;
	int32_t min_lon, min_lat, max_lon, max_lat;
	uint32_t uturn_ds; /* penalty (weight and duration) of turning back */
	char profile[32];
	/* since format 3: OSM node id of every point, and street names */
	int64_t *pt_osm;     /* n_points */
	uint32_t *edge_name; /* 2 * n_edges: name and ref string ids (0 = none) */
	uint32_t n_strings;  /* string 0 is "" */
	uint32_t n_chars;
	uint32_t *str_off; /* n_strings + 1 */
	char *str;         /* n_chars, every string NUL-terminated */
	/* since format 4: duplicated directed edges for turn restrictions via a
	 * way.  A duplicate is entered only from the restriction's `from` way
	 * and lacks the forbidden turns at the end of the via way; it shares
	 * the original's edge (node_edge), but edges[].ebn names the original. */
	uint32_t n_dups;
	uint32_t *dups; /* 2 * n_dups: (original, duplicate), sorted */
} rg_data;

/* String `id` of the name table ("" for 0 or out of range). */
static inline const char *rg_string(const rg_data *d, uint32_t id)
{
	return id < d->n_strings ? d->str + d->str_off[id] : "";
}

#define RG_POOL 16

/* A mapped graph.  The data never changes after opening; the only mutable
 * part is a small lock-protected pool of idle query contexts, lent to
 * calls that pass no context of their own (the OSRM handler in the
 * server), so a request does not allocate search arrays sized for the
 * whole graph. */
struct sl_graph {
	rg_data d;
	void *map;
	size_t map_len;
	uint32_t version;
	pthread_mutex_t pool_lock;
	sl_route_ctx *pool[RG_POOL];
	int n_pool;
};

/* ch_query.c: borrow a context from g's pool (or a new one; NULL on
 * ENOMEM) and give it back (freed when the pool is full). */
sl_route_ctx *rg_ctx_borrow(const sl_graph *g);
void rg_ctx_return(const sl_graph *g, sl_route_ctx *c);

/* Cost of entering edge-based node n. */
static inline void rg_node_cost(const rg_data *d, uint32_t n, uint32_t *w, uint32_t *dur,
                                uint32_t *dist)
{
	const rg_edge *e = &d->edges[d->node_edge[n] >> 1];
	uint32_t last = e->first + e->count - 1;
	*dur = d->cum_dur[last];
	*dist = d->cum_dist[last];
	*w = *dur * e->factor;
}

/* Cost of the original arc from -> to: entering `to`, plus the U-turn
 * penalty when `to` is the same edge travelled back. */
static inline void rg_arc_cost(const rg_data *d, uint32_t from, uint32_t to, uint32_t *w,
                               uint32_t *dur, uint32_t *dist)
{
	rg_node_cost(d, to, w, dur, dist);
	if ((d->node_edge[from] ^ d->node_edge[to]) == 1) {
		*w += d->uturn_ds;
		*dur += d->uturn_ds;
	}
}

void rg_data_free(rg_data *d);

/* import.c: read OSM and build the edge-based graph (no CH, no grid). */
int rg_import(const char *path, const sl_route_profile *p, rg_data *d, sl_route_build_stats *st,
              sl_route_progress_fn prog, void *pu, sl_error *err);
/* ch_build.c: contract d's original graph into d->fwd / d->bwd. */
int rg_contract(rg_data *d, sl_route_progress_fn prog, void *pu, sl_error *err);
/* graph_file.c */
int rg_grid_build(rg_data *d, sl_error *err);
int rg_write(const rg_data *d, const char *path, sl_error *err);
uint32_t rg_crc32(uint32_t crc, const void *data, size_t len);

/* ---- binary heap of (key, node), lazy deletion ---------------------------- */

typedef struct rg_heap_item {
	uint64_t key;
	uint32_t node;
} rg_heap_item;

typedef struct rg_heap {
	rg_heap_item *a;
	size_t n, cap;
} rg_heap;

int rg_heap_push(rg_heap *h, uint64_t key, uint32_t node);
rg_heap_item rg_heap_pop(rg_heap *h);
void rg_heap_free(rg_heap *h);

/* Snapped point → the edge-based nodes of the directed edges it lies on
 * (one or two, plus their via-way duplicates) with partial costs. */
#define RG_PH_MAX 8
typedef struct rg_phantom {
	int n;
	uint32_t node[RG_PH_MAX];
	/* cost from the point to the end of the directed edge (source side)
	 * and from its start to the point (target side) */
	uint32_t rem_w[RG_PH_MAX], rem_dur[RG_PH_MAX], rem_dist[RG_PH_MAX];
	uint32_t pre_w[RG_PH_MAX], pre_dur[RG_PH_MAX], pre_dist[RG_PH_MAX];
} rg_phantom;

void rg_phantom_make(const rg_data *d, const sl_route_snap *s, rg_phantom *ph);

/* snap.c: sl_route_nearest_k with an optional bearing filter (bearing < 0:
 * none; see sl_route_nearest_bearing). */
int rg_nearest(const sl_graph *g, double lon, double lat, double max_distance_m, int k,
               int bearing, int range, sl_route_snap *out, int *n_out, sl_error *err);

/* ch_query.c: sl_route_query that also appends the path's edge-based nodes
 * (uint32_t, travel order) to `path` (may be NULL).  With depart_only not
 * RG_NONE the route must start on that directed edge if the source lies on
 * it; *arrive (may be NULL) gets the directed edge the route ends on. */
int rg_query_path(sl_route_ctx *c, const sl_route_snap *from, const sl_route_snap *to,
                  uint32_t depart_only, uint32_t *arrive, sl_route_result *res, sl_buf *path,
                  sl_error *err);

/* ch_query.c: up to max_alt alternatives to the best path best_path[0..
 * best_n) from `from` to `to` (see the comment there); each is appended to
 * `out` as a uint32_t node count followed by the nodes.  0 or SL_ENOMEM. */
int rg_alternatives(sl_route_ctx *c, const sl_route_snap *from, const sl_route_snap *to,
                    const uint32_t *best_path, size_t best_n, int max_alt, sl_buf *out,
                    int *n_found);

/* ---- guidance.c: a route as a trace of points with costs, and its steps ---- */

typedef struct rg_tpt {
	double lon, lat;
	uint32_t dur, dist, w; /* cumulative from the trace's start: ds, dm, weight ds */
	int64_t osm;           /* OSM node id, 0 for a snapped point */
} rg_tpt;

/* Travel along one directed edge, from trace point `first` to `last`. */
typedef struct rg_piece {
	uint32_t node;
	uint32_t first, last;
} rg_piece;

typedef struct rg_trace {
	rg_tpt *p;
	size_t n, cap;
	rg_piece *pc;
	size_t npc, pccap;
} rg_trace;

/* Append the path nodes[0..n) from snap `from` to snap `to` (as returned by
 * rg_query_path) to the trace; costs continue from its last point, and a
 * first point equal to the last one is shared.  0 or SL_ENOMEM. */
int rg_trace_append(const rg_data *d, rg_trace *t, const uint32_t *nodes, size_t n,
                    const sl_route_snap *from, const sl_route_snap *to);
void rg_trace_free(rg_trace *t);

/* One turn-by-turn step: travel from trace point `first` to `last` after a
 * maneuver at `first` (OSRM's RouteStep / StepManeuver). */
#define RG_MAX_BEARINGS 8
typedef struct rg_step {
	size_t first, last;
	const char *type;     /* "depart", "turn", "new name", "continue", ... */
	const char *modifier; /* "left", "slight right", ..., or NULL */
	int exit;             /* roundabout exit number, 0 = none */
	int bearing_before, bearing_after;
	uint32_t name, ref; /* string ids */
	/* the intersection at the maneuver (OSRM's Intersection object): the
	 * roads' bearings ascending, whether each may be entered, the index of
	 * the road we come in on (-1 at depart) and of the one taken (-1 at
	 * arrive) */
	int n_bearings;
	int bearings[RG_MAX_BEARINGS];
	unsigned char entry[RG_MAX_BEARINGS];
	int in, out;
} rg_step;

/* The steps of a trace, ending with an "arrive" step; *out is malloc'd.
 * 0 or SL_ENOMEM. */
int rg_steps(const rg_data *d, const rg_trace *t, rg_step **out, size_t *n);

/* Initial bearing from (lon1, lat1) to (lon2, lat2), degrees 0..359. */
int rg_bearing(double lon1, double lat1, double lon2, double lat2);

/* Douglas-Peucker: keep[i] = 1 for the points of coords[0..n) (lon,lat
 * pairs) kept at tolerance tol_m; the ends are always kept.  Returns the
 * number kept, or 0 on ENOMEM. */
size_t rg_simplify(const double *coords, size_t n, double tol_m, unsigned char *keep);

#endif
