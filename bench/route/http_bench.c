/* http_bench.c — latency of the OSRM-compatible API over HTTP, next to the
 * same requests answered in-process by sl_route_osrm_handle.
 *
 *   http_bench FILE.graph HOST:PORT [PAIRS=10000] [SEED=1]
 *
 * Start the server first: samlast serve --db DB --graph FILE.graph
 * --listen HOST:PORT.  The points are drawn as in bench_route (uniform in
 * the graph's bounding box, snapped within 500 m, same seed → same points)
 * and sent as their snapped positions.  One keep-alive connection, one
 * request at a time (latency, not throughput): a raw HTTP/1.1 client on a
 * socket, reading each answer by its Content-Length and checking that it
 * is a 200 with "code":"Ok".
 *
 * Measured: single routes (overview=false; overview=full; steps=true;
 * alternatives=true),
 * median and p99 over PAIRS; tables of 100 and 1000 points (all × all),
 * median of several requests.  Each figure also in-process (handler only:
 * parsing, query, JSON) to separate the engine from HTTP. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "samlast/route.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

typedef struct conn {
	int fd;
	char *buf;
	size_t cap, len; /* bytes read and not yet consumed */
} conn;

static int conn_open(conn *c, const char *hostport)
{
	char host[64];
	const char *colon = strrchr(hostport, ':');
	if (!colon || (size_t)(colon - hostport) >= sizeof host)
		return -1;
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = 0;
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
		return -1;
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0)
		return -1;
	c->cap = 1 << 20;
	c->len = 0;
	c->buf = malloc(c->cap);
	return c->buf ? 0 : -1;
}

/* Send GET target on the kept-alive connection; read the whole answer.
 * Returns the HTTP status (body must contain "code":"Ok" for 200), or -1. */
static int request(conn *c, const char *target, size_t *body_bytes)
{
	size_t tl = strlen(target);
	char *req = malloc(tl + 64);
	if (!req)
		return -1;
	int n = snprintf(req, tl + 64, "GET %s HTTP/1.1\r\nHost: bench\r\n\r\n", target);
	for (int off = 0; off < n;) {
		ssize_t w = send(c->fd, req + off, (size_t)(n - off), MSG_NOSIGNAL);
		if (w <= 0) {
			free(req);
			return -1;
		}
		off += (int)w;
	}
	free(req);
	size_t head_end = 0, clen = 0;
	for (;;) {
		if (!head_end) {
			c->buf[c->len] = 0;
			char *e = strstr(c->buf, "\r\n\r\n");
			if (e) {
				head_end = (size_t)(e - c->buf) + 4;
				char *cl = strstr(c->buf, "Content-Length: ");
				if (!cl || cl > e)
					cl = strstr(c->buf, "content-length: ");
				if (!cl || cl > e)
					return -1;
				clen = (size_t)atol(cl + 16);
			}
		}
		if (head_end && c->len >= head_end + clen)
			break;
		if (c->len + 65536 + 1 > c->cap) {
			size_t nc = c->cap * 2;
			char *nb = realloc(c->buf, nc);
			if (!nb)
				return -1;
			c->buf = nb;
			c->cap = nc;
		}
		ssize_t got = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, 0);
		if (got <= 0)
			return -1;
		c->len += (size_t)got;
	}
	int status = atoi(c->buf + 9);
	char save = c->buf[head_end + clen];
	c->buf[head_end + clen] = 0;
	if (status == 200 && !strstr(c->buf + head_end, "\"code\":\"Ok\""))
		status = -1;
	if (status != 200)
		fprintf(stderr, "http_bench: %d: %.300s\n", status, c->buf + head_end);
	c->buf[head_end + clen] = save;
	size_t used = head_end + clen;
	memmove(c->buf, c->buf + used, c->len - used);
	c->len -= used;
	if (body_bytes)
		*body_bytes = clen;
	return status;
}

static int in_process(const sl_graph *g, sl_route_ctx *ctx, const char *target,
                      size_t *body_bytes)
{
	int st;
	char *body;
	if (sl_route_osrm_handle(g, ctx, target, &st, &body, NULL) != 0)
		return -1;
	if (body_bytes)
		*body_bytes = strlen(body);
	if (st != 200)
		fprintf(stderr, "http_bench: in-process %d: %.300s\n", st, body);
	free(body);
	return st;
}

static void snaps(sl_graph *g, sl_rng *r, sl_route_snap *s, size_t n)
{
	sl_route_graph_info in;
	sl_route_graph_get_info(g, &in);
	for (size_t i = 0; i < n;) {
		double lon = in.min_lon + sl_rng_double(r) * (in.max_lon - in.min_lon);
		double lat = in.min_lat + sl_rng_double(r) * (in.max_lat - in.min_lat);
		if (sl_route_nearest(g, lon, lat, 500, &s[i], NULL) == 0)
			i++;
	}
}

static void report(const char *what, double *lat, size_t n, size_t bytes)
{
	qsort(lat, n, sizeof *lat, cmp);
	printf("%-44s median %8.1f us  p99 %8.1f us  max %8.1f us  (%zu requests, %zu-byte answer)\n",
	       what, lat[n / 2] * 1e6, lat[n * 99 / 100] * 1e6, lat[n - 1] * 1e6, n, bytes);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: http_bench FILE.graph HOST:PORT [PAIRS] [SEED]\n");
		return 2;
	}
	size_t pairs = argc > 3 ? (size_t)atol(argv[3]) : 10000;
	if (pairs < 1000)
		pairs = 1000;
	sl_rng rng;
	sl_rng_seed(&rng, argc > 4 ? (uint64_t)atol(argv[4]) : 1);
	sl_error e;
	sl_graph *g;
	if (sl_route_graph_open(argv[1], &g, &e)) {
		fprintf(stderr, "%s\n", e.message);
		return 1;
	}
	conn c;
	if (conn_open(&c, argv[2]) < 0) {
		fprintf(stderr, "http_bench: cannot connect to %s\n", argv[2]);
		return 1;
	}
	sl_route_ctx *ctx = sl_route_ctx_new(g);
	sl_route_snap *s = malloc(2 * pairs * sizeof *s);
	double *lat = malloc(pairs * sizeof *lat);
	char *target = malloc(64 * 1024);
	if (!ctx || !s || !lat || !target)
		return 1;
	snaps(g, &rng, s, 2 * pairs);
	static const char *variants[] = {"overview=false", "overview=full", "steps=true",
	                                 "alternatives=true&overview=false"};
	for (int v = 0; v < 4; v++)
		for (int http = 0; http < 2; http++) {
			size_t bytes = 0;
			for (size_t i = 0; i < pairs; i++) {
				snprintf(target, 64 * 1024, "/route/v1/driving/%.6f,%.6f;%.6f,%.6f?%s",
				         s[2 * i].lon, s[2 * i].lat, s[2 * i + 1].lon,
				         s[2 * i + 1].lat, variants[v]);
				double t0 = now();
				int st = http ? request(&c, target, &bytes)
				              : in_process(g, ctx, target, &bytes);
				lat[i] = now() - t0;
				if (st != 200)
					return 1;
			}
			char what[96];
			snprintf(what, sizeof what, "route ?%s %s", variants[v],
			         http ? "HTTP" : "in-process");
			report(what, lat, pairs, bytes);
		}
	size_t sizes[] = {100, 1000};
	for (int k = 0; k < 2; k++) {
		size_t n = sizes[k], len = 0;
		len += (size_t)snprintf(target, 64 * 1024, "/table/v1/driving/");
		for (size_t i = 0; i < n; i++)
			len += (size_t)snprintf(target + len, 64 * 1024 - len, "%s%.6f,%.6f",
			                        i ? ";" : "", s[i].lon, s[i].lat);
		size_t reps = n == 100 ? 50 : 7;
		for (int http = 0; http < 2; http++) {
			size_t bytes = 0;
			for (size_t r = 0; r < reps; r++) {
				double t0 = now();
				int st = http ? request(&c, target, &bytes)
				              : in_process(g, ctx, target, &bytes);
				lat[r] = now() - t0;
				if (st != 200)
					return 1;
			}
			char what[96];
			snprintf(what, sizeof what, "table %zux%zu durations %s", n, n,
			         http ? "HTTP" : "in-process");
			report(what, lat, reps, bytes);
		}
	}
	free(target);
	free(s);
	free(lat);
	free(c.buf);
	close(c.fd);
	sl_route_ctx_free(ctx);
	sl_route_graph_close(g);
	return 0;
}
