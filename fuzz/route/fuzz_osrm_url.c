/* fuzz_osrm_url.c — libFuzzer target for the OSRM request parser
 * (osrm_parse.c) and handler (steps, annotations, tables): any request
 * target must give a JSON answer with status 200 or 400 (never a crash), on
 * a small graph built once from the steps fixture (names, refs, a
 * roundabout, a motorway link), and the body must parse as JSON with a
 * "code".  Seeds: fuzz/route/osrm_url.dict. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "samlast/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sl_graph *graph(void)
{
	static sl_graph *g; /* built once per fuzzing process */
	if (g)
		return g;
	const char *fx = getenv("SL_FIXTURES");
	char in[1024], out[128];
	snprintf(in, sizeof in, "%s/route/steps.osm", fx ? fx : "tests/fixtures");
	snprintf(out, sizeof out, "/tmp/sl_fuzz_osrm_%d.graph", (int)getpid());
	sl_route_profile *p;
	if (sl_route_profile_load("van", &p, NULL) != 0)
		abort();
	if (sl_route_graph_build(in, p, out, NULL, NULL, NULL, NULL) != 0 ||
	    sl_route_graph_open(out, &g, NULL) != 0)
		abort();
	unlink(out);
	sl_route_profile_free(p);
	return g;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sl_graph *g = graph();
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	int status = 0;
	char *body = NULL;
	if (sl_route_osrm_handle(g, NULL, s, &status, &body, NULL) == 0) {
		if (!body || body[0] != '{' || (status != 200 && status != 400))
			abort();
		json_t *j = json_loads(body, 0, NULL); /* valid JSON, no NaN/inf */
		if (!j || !json_is_string(json_object_get(j, "code")))
			abort();
		json_decref(j);
		free(body);
	}
	free(s);
	return 0;
}
