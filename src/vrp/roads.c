/* roads.c — road-network matrices for vrp problems: snap every
 * longitude/latitude location to the route module's graph and fill the
 * distance and duration matrices from its many-to-many search (the bucket
 * method of Knopp et al. 2007, implemented in src/route), so that plans are
 * made on real driving distances and times instead of great-circle
 * estimates. */
#include "samlast/route.h"
#include "samlast/vrp.h"

#include <stdlib.h>
#include <string.h>

int sl_vrp_problem_road_matrix(sl_vrp_problem *p, const sl_graph *g, sl_error *err)
{
	if (!p->has_lonlat)
		return sl_error_set(err, SL_EINVAL,
				"the problem has no coordinates (give every job and vehicle a \"location\": [lon, lat])");
	int n = p->n_locations;
	if (n == 0)
		return 0;
	sl_route_snap *snaps = malloc((size_t)n * sizeof *snaps);
	double *dur = malloc((size_t)n * (size_t)n * sizeof *dur);
	double *dist = malloc((size_t)n * (size_t)n * sizeof *dist);
	sl_route_ctx *ctx = sl_route_ctx_new(g);
	int rc = 0;
	if (!snaps || !dur || !dist || !ctx) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto done;
	}
	for (int i = 0; i < n; i++) {
		sl_error e = {0};
		rc = sl_route_nearest(g, p->x[i], p->y[i], 0, &snaps[i], &e);
		if (rc) {
			rc = sl_error_set(err, rc == SL_ENOMEM ? SL_ENOMEM : SL_EINVAL, "location %d (%.6f, %.6f): %s", i,
					p->x[i], p->y[i], e.message);
			goto done;
		}
	}
	rc = sl_route_matrix(ctx, snaps, (size_t)n, snaps, (size_t)n, dur, dist, err);
	if (rc)
		goto done;
	for (int a = 0; a < n; a++)
		for (int b = 0; b < n; b++)
			if (dur[(size_t)a * n + b] < 0 || dist[(size_t)a * n + b] < 0) {
				rc = sl_error_set(err, SL_EINVAL, "location %d cannot reach location %d on the road graph", a, b);
				goto done;
			}
	memcpy(p->dur, dur, (size_t)n * (size_t)n * sizeof *dur);
	memcpy(p->dist, dist, (size_t)n * (size_t)n * sizeof *dist);
done:
	sl_route_ctx_free(ctx);
	free(snaps);
	free(dur);
	free(dist);
	return rc;
}
