/* fuzz_graph_file.c — libFuzzer target for the graph file loader: any
 * bytes must be refused cleanly or, if accepted, be safe to query. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "samlast/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[128];
	snprintf(path, sizeof path, "/tmp/sl_fuzz_graph_%d.graph", (int)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	sl_graph *g = NULL;
	if (sl_route_graph_open(path, &g, NULL) == 0) {
		sl_route_snap s;
		sl_route_graph_info in;
		sl_route_graph_get_info(g, &in);
		if (sl_route_nearest(g, in.min_lon, in.min_lat, 0, &s, NULL) == 0) {
			sl_route_ctx *c = sl_route_ctx_new(g);
			sl_route_result r;
			if (c && sl_route_query(c, &s, &s, SL_ROUTE_GEOMETRY, &r, NULL) == 0)
				sl_route_result_free(&r);
			sl_route_ctx_free(c);
		}
		sl_route_graph_close(g);
	}
	unlink(path);
	return 0;
}
