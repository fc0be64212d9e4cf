/* fuzz_osm_import.c — libFuzzer target for the OSM import: the input is
 * written as an .osm (XML) or .osm.pbf file (first byte chooses) and built
 * with the van profile; a bad file must give an error, never a crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "samlast/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static sl_route_profile *p;
	if (!p && sl_route_profile_load("van", &p, NULL) != 0)
		abort();
	if (size < 1)
		return 0;
	char in[128], out[128];
	snprintf(in, sizeof in, "/tmp/sl_fuzz_osm_%d.%s", (int)getpid(),
	         data[0] & 1 ? "osm.pbf" : "osm");
	snprintf(out, sizeof out, "/tmp/sl_fuzz_osm_%d.graph", (int)getpid());
	FILE *f = fopen(in, "wb");
	if (!f)
		return 0;
	fwrite(data + 1, 1, size - 1, f);
	fclose(f);
	sl_graph *g = NULL;
	if (sl_route_graph_build(in, p, out, NULL, NULL, NULL, NULL) == 0 &&
	    sl_route_graph_open(out, &g, NULL) == 0)
		sl_route_graph_close(g);
	unlink(in);
	unlink(out);
	return 0;
}
