/* fuzz_params.c — libFuzzer target for the server's query-parameter parsing.
 *
 * The input is split into a resource selector (first byte) and a query
 * string "k=v&k=v…" that is cut into pairs (no URL decoding: MHD does that
 * before the server sees them) and handed to sl_server_check_params, the
 * same validation the list endpoints run (dates, limits, sorts, opaque
 * cursors, formats).  Any crash, leak or UB is a bug. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "samlast/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const res[] = {"organisations", "sites", "contracts", "vehicles",
					  "trips", "orders", "deliveries", "bogus"};
	if (size < 1 || size > 4096)
		return 0;
	const char *resource = res[data[0] % 8];
	char *q = malloc(size);
	if (!q)
		return 0;
	memcpy(q, data + 1, size - 1);
	q[size - 1] = 0;
	const char *keys[24], *vals[24];
	size_t n = 0;
	char *save = NULL;
	for (char *tok = strtok_r(q, "&", &save); tok && n < 24; tok = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(tok, '=');
		if (eq)
			*eq = 0;
		keys[n] = tok;
		vals[n] = eq ? eq + 1 : "";
		n++;
	}
	sl_error err;
	(void)sl_server_check_params(resource, n, keys, vals, &err);
	free(q);
	return 0;
}
