/* osrm.h — the route module's private view of one OSRM v5 request: what
 * osrm_parse.c reads out of a request target and osrm_api.c answers.
 *
 * Errors follow OSRM's server: a target that is not
 * /{service}/{version}/{profile}/{coordinates} is InvalidUrl, an unknown
 * service InvalidService, a version other than v1 InvalidVersion, a query
 * that does not parse (bad coordinates, an unknown option, a value of the
 * wrong form) InvalidQuery, options that parse but do not fit (list lengths,
 * indices out of range, ranges) InvalidOptions, a coordinate outside
 * WGS 84 InvalidValue; all with HTTP status 400. */
#ifndef SL_ROUTE_OSRM_H
#define SL_ROUTE_OSRM_H

#include "internal.h"

enum { OS_ROUTE = 1, OS_TABLE, OS_NEAREST };

/* annotations of the route service */
enum {
	ANN_DURATION = 1,
	ANN_DISTANCE = 2,
	ANN_WEIGHT = 4,
	ANN_SPEED = 8,
	ANN_NODES = 16,
	ANN_DATASOURCES = 32,
	ANN_ALL = 63
};

enum { APPROACH_ANY = 0, APPROACH_CURB, APPROACH_OPPOSITE };

typedef struct osrm_req {
	int service; /* OS_* */
	int n;       /* coordinates */
	double *lon, *lat, *radius;
	int *bearing, *brange; /* per coordinate; bearing -1 = none */
	int *approach;         /* per coordinate: APPROACH_* */
	int generate_hints, skip_waypoints;
	/* route */
	int geometries;        /* 5, 6 or 0 = GeoJSON */
	int overview;          /* 0 false, 1 simplified, 2 full */
	int steps;             /* 0/1 */
	int annotations;       /* ANN_* bits */
	int continue_straight; /* 1 (default for this vehicle), 0 */
	int alternatives;      /* how many alternatives to look for (0..3) */
	int *waypoints;        /* indices, NULL = every coordinate */
	int n_waypoints;
	/* table */
	int *sources, *dests; /* NULL = all */
	int n_sources, n_dests;
	int want_dur, want_dist;
	double fallback_speed; /* m/s, 0 = none */
	int fallback_snapped;  /* fallback_coordinate=snapped */
	double scale_factor;
	/* nearest */
	int number;
} osrm_req;

/* Parse `target` into *q (which the caller zeroes first and releases with
 * osrm_req_free).  Returns 0 when the request is well-formed; 1 when it is
 * not, with *code (an OSRM code) and msg (<= msg_size bytes) set; SL_ENOMEM. */
int osrm_parse(const char *target, osrm_req *q, const char **code, char *msg, size_t msg_size);
void osrm_req_free(osrm_req *q);

#endif
