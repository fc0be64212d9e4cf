/* route.h — road routing on OpenStreetMap: profiles, graph import,
 * contraction hierarchies, snapping, routes, matrices and an
 * OSRM v5-compatible request handler.
 *
 * The pipeline is extract → contract → query, with a file between them:
 * sl_route_graph_build() reads an OSM file (PBF or XML) with a vehicle
 * profile, builds an edge-based graph (so turn restrictions are exact),
 * keeps its largest strongly connected component, contracts it
 * (Geisberger et al. 2008) and writes one versioned, checksummed file.
 * sl_route_graph_open() maps that file read-only; a graph is immutable
 * after opening and may be shared by threads, each with its own
 * sl_route_ctx (query workspace).
 *
 * Units: durations in seconds, distances in metres, coordinates WGS 84
 * longitude/latitude in degrees at this interface (1e-7 degree fixed point
 * inside the graph).  See docs/routing.md.
 */
#ifndef SAMLAST_ROUTE_H
#define SAMLAST_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "samlast/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- profiles --------------------------------------------------------- */

/* A vehicle profile: speeds by highway class, which access tags apply, the
 * vehicle's dimensions and barrier rules.  Parsed from the INI-like text
 * format of data/profiles/NAME.ini (documented in docs/routing.md). */
typedef struct sl_route_profile sl_route_profile;

/* Parse profile text (`len` bytes, need not be NUL-terminated).  `name` is
 * used in error locations.  On success *out is owned by the caller (free
 * with sl_route_profile_free).  Errors: SL_EINVAL with file:line:column
 * for a syntax error, an unknown key or a bad value; SL_ENOMEM. */
int sl_route_profile_parse(const char *text, size_t len, const char *name, sl_route_profile **out,
                           sl_error *err);

/* Load a profile from a file, or — when `name_or_path` has no '/' and no
 * ".ini" — the shipped profile data/profiles/NAME.ini (van, truck, car).
 * Errors as sl_route_profile_parse, plus SL_EIO / SL_ENOTFOUND. */
int sl_route_profile_load(const char *name_or_path, sl_route_profile **out, sl_error *err);

/* Free a profile (NULL is fine). */
void sl_route_profile_free(sl_route_profile *p);

/* The profile's name (borrowed). */
const char *sl_route_profile_name(const sl_route_profile *p);

/* Interpret an OSM maxspeed value with the profile's zone table:
 * "50" (km/h), "50 mph", "10 knots", "SE:urban", "none" (the vehicle's top
 * speed), "walk"; a list "50;70" gives the lowest.  Returns 0 and sets
 * *kmh, or SL_EINVAL when the value carries no usable speed ("signals",
 * "variable", an unknown zone, junk). */
int sl_route_parse_maxspeed(const sl_route_profile *p, const char *value, double *kmh);

/* Parse an OSM length such as maxheight/maxwidth/maxlength: "3.8",
 * "3.8 m", "380 cm", "12 ft", "4'6\"", "4 ft 6 in", decimal comma allowed.
 * Returns 0 and *m, or SL_EINVAL ("none", "default", junk). */
int sl_route_parse_length_m(const char *value, double *m);

/* Parse an OSM weight such as maxweight: "3.5", "3.5 t", "3500 kg",
 * "7 st" (short tons), "8000 lbs".  Returns 0 and *t (metric tonnes) or
 * SL_EINVAL. */
int sl_route_parse_weight_t(const char *value, double *t);

/* ---- building a graph ------------------------------------------------- */

/* Called during a build with a stage name ("read", "graph", "contract",
 * "write") and the fraction done in [0, 1].  The library never prints;
 * the CLI draws a progress line from this. */
typedef void (*sl_route_progress_fn)(void *user, const char *stage, double fraction);

typedef struct sl_route_build_stats {
	uint64_t osm_nodes, osm_ways, osm_relations;
	uint64_t routable_ways;
	uint64_t restrictions_used;    /* turn restrictions applied */
	uint64_t restrictions_skipped; /* via-way, unmatched or excepted */
	uint64_t barriers_blocking;
	uint64_t edges;         /* road pieces between intersections */
	uint64_t nodes;         /* edge-based nodes (directed edges) kept */
	uint64_t nodes_dropped; /* outside the largest component */
	uint64_t arcs;          /* turns in the edge-based graph */
	uint64_t shortcuts;     /* added by contraction */
	double read_s, graph_s, contract_s, write_s;
} sl_route_build_stats;

/* Read `osm_path` (.osm.pbf or .osm XML), apply `profile`, contract and
 * write the graph to `out_path` (written to a temporary name and renamed,
 * so a failed build never leaves a half file).  `progress` may be NULL;
 * `stats` may be NULL.  Errors: SL_EIO (cannot read/write), SL_EINVAL
 * (not an OSM file, truncated or corrupt input, no routable road),
 * SL_ENOMEM. */
int sl_route_graph_build(const char *osm_path, const sl_route_profile *profile,
                         const char *out_path, sl_route_progress_fn progress, void *progress_user,
                         sl_route_build_stats *stats, sl_error *err);

/* ---- a loaded graph --------------------------------------------------- */

typedef struct sl_graph sl_graph;

/* Map a graph file read-only.  The file is checked completely before use:
 * magic, version (this library reads format 4: format 3 added street names
 * and OSM node ids, format 4 edge copies for turn restrictions via a way;
 * older files are refused with SL_EUNSUPPORTED and a
 * message to rebuild them), section bounds and a CRC-32 of the whole
 * content.
 * Errors: SL_EIO (cannot open or map), SL_ECORRUPT (not a samlast graph,
 * truncated or damaged — the message says which), SL_EUNSUPPORTED (a
 * graph file of another format version), SL_ENOMEM. */
int sl_route_graph_open(const char *path, sl_graph **out, sl_error *err);

/* Unmap and free (NULL is fine). */
void sl_route_graph_close(sl_graph *g);

typedef struct sl_route_graph_info {
	char profile[32];
	uint32_t version;
	uint64_t nodes, arcs, shortcuts, edges, points;
	uint64_t names;              /* distinct street names and refs */
	uint64_t restriction_copies; /* directed edges copied for via-way restrictions */
	double min_lon, min_lat, max_lon, max_lat;
	uint64_t file_bytes;
} sl_route_graph_info;

/* Describe a loaded graph. */
void sl_route_graph_get_info(const sl_graph *g, sl_route_graph_info *info);

/* ---- queries ---------------------------------------------------------- */

/* Query workspace: search arrays sized for one graph.  One per thread;
 * create with sl_route_ctx_new (NULL on ENOMEM), free with
 * sl_route_ctx_free.  The graph must outlive the context. */
typedef struct sl_route_ctx sl_route_ctx;
sl_route_ctx *sl_route_ctx_new(const sl_graph *g);
void sl_route_ctx_free(sl_route_ctx *c);

/* Where a coordinate lands on the road network. */
typedef struct sl_route_snap {
	double lon, lat;   /* the point on the road */
	double distance_m; /* from the input coordinate */
	uint32_t edge;     /* internal: road piece */
	uint32_t segment;  /* internal: geometry point index of the segment start */
	double t;          /* internal: position on the segment, 0..1 */
	uint32_t dirs;     /* internal: directions allowed from/to the point: bit 0
	                    * along the road's way, bit 1 against it; 0 = any */
} sl_route_snap;

/* The default and largest snapping radius, metres. */
#define SL_ROUTE_SNAP_DEFAULT_M 2000.0
#define SL_ROUTE_SNAP_MAX_M     50000.0

/* Snap (lon, lat) to the closest segment of the network within
 * `max_distance_m` (<= 0: SL_ROUTE_SNAP_DEFAULT_M), using the graph's
 * grid index.  Every segment in a graph belongs to the kept strongly
 * connected component, so a snap never lands on an island.  Errors:
 * SL_EINVAL (coordinate out of range or not finite), SL_ENOTFOUND (no
 * road within the radius). */
int sl_route_nearest(const sl_graph *g, double lon, double lat, double max_distance_m,
                     sl_route_snap *out, sl_error *err);

/* Like sl_route_nearest, but only onto a road that can be driven in a
 * direction within `range_deg` of `bearing_deg` (degrees clockwise from
 * north, as OSRM's `bearings`); the snap is then restricted to the
 * matching direction(s), so a route leaves or arrives that way.  A
 * negative bearing means no filter.  Errors as sl_route_nearest
 * (SL_ENOTFOUND also when no road in range has a matching direction). */
int sl_route_nearest_bearing(const sl_graph *g, double lon, double lat, double max_distance_m,
                             int bearing_deg, int range_deg, sl_route_snap *out, sl_error *err);

/* Up to `k` (1..SL_ROUTE_OSRM_MAX_NEAREST) snaps on distinct edges, closest
 * first, into out[0..*n_out).  Errors as sl_route_nearest, plus SL_EINVAL
 * for a bad k. */
int sl_route_nearest_k(const sl_graph *g, double lon, double lat, double max_distance_m, int k,
                       sl_route_snap *out, int *n_out, sl_error *err);

/* A route between two snapped points. */
typedef struct sl_route_result {
	double duration_s;
	double distance_m;
	double weight;   /* what was minimised (duration plus penalties), s */
	double *coords;  /* lon,lat pairs, malloc'd; NULL unless asked */
	size_t n_coords; /* number of points (pairs) */
} sl_route_result;

enum { SL_ROUTE_GEOMETRY = 1 };

/* Shortest route (by weight, ties by distance) from `from` to `to` with a
 * bidirectional CH search with stall-on-demand; with SL_ROUTE_GEOMETRY
 * the full path is unpacked into res->coords (free with
 * sl_route_result_free).  Errors: SL_ENOROUTE, SL_ENOMEM. */
int sl_route_query(sl_route_ctx *c, const sl_route_snap *from, const sl_route_snap *to,
                   unsigned flags, sl_route_result *res, sl_error *err);

/* The same answer by a plain Dijkstra search on the uncontracted
 * edge-based graph, one source to `n_to` targets (the reference the tests
 * compare CH with).  durations_s / distances_m / weights get `n_to`
 * values each (any may be NULL); unreachable targets get -1.  Errors:
 * SL_ENOMEM. */
int sl_route_dijkstra(sl_route_ctx *c, const sl_route_snap *from, const sl_route_snap *to,
                      size_t n_to, double *durations_s, double *distances_m, double *weights,
                      sl_error *err);

/* Release res->coords and zero the result. */
void sl_route_result_free(sl_route_result *res);

/* Many-to-many durations and distances by the bucket method (Knopp et
 * al. 2007): one backward upward search per target fills buckets, one
 * forward search per source scans them.  durations_s and distances_m are
 * n_from × n_to row-major arrays supplied by the caller (either may be
 * NULL); unreachable pairs get -1.  Errors: SL_ENOMEM, SL_ELIMIT (more
 * than 100000 points on a side). */
int sl_route_matrix(sl_route_ctx *c, const sl_route_snap *from, size_t n_from,
                    const sl_route_snap *to, size_t n_to, double *durations_s, double *distances_m,
                    sl_error *err);

/* ---- geometry helpers --------------------------------------------------- */

/* Great-circle distance in metres (haversine, R = 6371008.8 m). */
double sl_route_haversine_m(double lon1, double lat1, double lon2, double lat2);

/* Append the Google polyline encoding of `n` lon,lat pairs at
 * 10^precision (5 or 6) to `out`.  Returns 0 or SL_ENOMEM. */
int sl_route_polyline_encode(const double *coords, size_t n, int precision, sl_buf *out);

/* ---- OSRM v5-compatible HTTP API ---------------------------------------- */

/* Limits of the OSRM-compatible services. */
#define SL_ROUTE_OSRM_MAX_ROUTE_POINTS 500
#define SL_ROUTE_OSRM_MAX_TABLE_POINTS 2000
#define SL_ROUTE_OSRM_MAX_NEAREST      100

/* Answer one OSRM v5 request.  `path_query` is the request target as sent
 * ("/route/v1/driving/7.41,43.73;7.42,43.74?overview=full&steps=true");
 * services route (with steps, annotations, overview, waypoints, ...),
 * table and nearest are supported (see docs/routing.md for the subset).
 * Sets *http_status (200, or 400 with an OSRM error code in the body:
 * InvalidUrl, InvalidService, InvalidVersion, InvalidQuery, InvalidValue,
 * InvalidOptions, NoSegment, NoRoute, TooBig) and *body to a malloc'd
 * NUL-terminated JSON document the caller frees.  `ctx` may be NULL: a
 * context is then borrowed from a small pool kept with the graph (safe
 * from any number of threads), so repeated calls allocate no search
 * arrays.  Returns 0 whenever a response was produced (including OSRM
 * errors); SL_ENOMEM otherwise. */
int sl_route_osrm_handle(const sl_graph *g, sl_route_ctx *ctx, const char *path_query,
                         int *http_status, char **body, sl_error *err);

#ifdef __cplusplus
}
#endif
#endif
