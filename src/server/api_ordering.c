/* api_ordering.c — HTTP endpoints under /api/v1/ordering (issue 7, the groupage place).
 * Owned by the engineer building this part; until it lands every path
 * answers 404 so that the route table, metrics and tests stay consistent. */
#include "internal.h"

enum MHD_Result sv_api_ordering(sv_req *r, const char *sub)
{
	(void)sub;
	return sv_problem(r, 404, "no such resource", NULL);
}
