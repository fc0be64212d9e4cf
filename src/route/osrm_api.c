/* osrm_api.c — OSRM v5-compatible request handler (route, table, nearest)
 * and the polyline encoder. */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int enc_value(sl_buf *out, long long v)
{
	unsigned long long u = v < 0 ? ~((unsigned long long)v << 1) : (unsigned long long)v << 1;
	while (u >= 0x20) {
		if (sl_buf_putc(out, (char)((0x20 | (u & 0x1f)) + 63)) < 0)
			return SL_ENOMEM;
		u >>= 5;
	}
	return sl_buf_putc(out, (char)(u + 63));
}

int sl_route_polyline_encode(const double *coords, size_t n, int precision, sl_buf *out)
{
	double f = precision == 6 ? 1e6 : 1e5;
	long long plat = 0, plon = 0;
	for (size_t i = 0; i < n; i++) {
		long long lat = llround(coords[2 * i + 1] * f), lon = llround(coords[2 * i] * f);
		if (enc_value(out, lat - plat) < 0 || enc_value(out, lon - plon) < 0)
			return SL_ENOMEM;
		plat = lat;
		plon = lon;
	}
	return 0;
}

int sl_route_osrm_handle(const sl_graph *g, sl_route_ctx *ctx, const char *path_query,
			 int *http_status, char **body, sl_error *err)
{
	(void)g;
	(void)ctx;
	(void)path_query;
	*http_status = 400;
	*body = strdup("{\"code\":\"InvalidService\",\"message\":\"not yet\"}");
	return *body ? 0 : sl_error_set(err, SL_ENOMEM, "out of memory");
}
