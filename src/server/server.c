/* server.c — the HTTP core: libmicrohttpd daemon, routing, store pool,
 * Prometheus metrics, access log, RFC 9457 problem responses, static files.
 *
 * libmicrohttpd calls the access handler several times per request: the
 * first call only sets up the request context (answering there would break
 * keep-alive for requests with a body), later calls deliver body chunks and
 * the final call (no more data) queues the answer.  Metrics follow the
 * Prometheus text exposition format (counters, a latency histogram with
 * cumulative buckets).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "internal.h"

static const char *const route_names[RT_COUNT_] = {
	"healthz", "metrics", "openapi", "list", "item", "kpis", "kpi_defs", "imports", "tokens",
	"osrm", "pooling", "ordering", "followup", "static", "other",
};
static const int status_codes[SV_NSTATUS] = {200, 201, 204, 304, 400, 401, 403, 404,
					     405, 406, 413, 415, 422, 500, 503, 0};
static const double buckets_s[SV_NBUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
					      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

extern const char sv_openapi_yaml[];

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sl_server_config_init(sl_server_config *c)
{
	memset(c, 0, sizeof *c);
	c->host = "127.0.0.1";
	c->port = 8080;
}

/* ---- store pool ------------------------------------------------------ */

sl_stmt *sv_cached_stmt(sl_server *s, sl_store *st, int slot, const char *sql)
{
	for (size_t i = 0; i < s->pool_n; i++)
		if (s->pool[i] == st) {
			sl_stmt **p = &s->stmts[i * SV_NSTMTS + (size_t)slot];
			if (!*p && sl_store_prepare(st, sql, p, NULL))
				return NULL;
			sl_stmt_reset(*p);
			return *p;
		}
	return NULL;
}

sl_store *sv_store_borrow(sl_server *s, int wait)
{
	sl_store *st = NULL;
	pthread_mutex_lock(&s->pool_mu);
	while (s->free_n == 0 && wait)
		pthread_cond_wait(&s->pool_cv, &s->pool_mu);
	if (s->free_n > 0)
		st = s->free_list[--s->free_n];
	pthread_mutex_unlock(&s->pool_mu);
	return st;
}

void sv_store_return(sl_server *s, sl_store *st)
{
	if (!st)
		return;
	pthread_mutex_lock(&s->pool_mu);
	s->free_list[s->free_n++] = st;
	pthread_cond_signal(&s->pool_cv);
	pthread_mutex_unlock(&s->pool_mu);
}

/* ---- responses ------------------------------------------------------- */

enum MHD_Result sv_respond(sv_req *r, int status, const char *ctype, sl_buf *body)
{
	size_t len = body ? body->len : 0;
	char *data = body ? sl_buf_take(body) : NULL;
	struct MHD_Response *resp;
	if (data)
		resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	else
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		free(data);
		return MHD_NO;
	}
	if (ctype)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (r->route != RT_STATIC)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (status == 401)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Bearer realm=\"samlast\"");
	r->status = status;
	enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static const char *status_title(int status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

enum MHD_Result sv_problem(sv_req *r, int status, const char *detail, const char *ext_json)
{
	sl_buf b = {0};
	int rc = sl_buf_printf(&b, "{\"type\":\"about:blank\",\"title\":\"%s\",\"status\":%d,\"detail\":",
			       status_title(status), status);
	rc = rc ? rc : sl_buf_json_string(&b, detail ? detail : status_title(status));
	rc = rc ? rc : sl_buf_puts(&b, ",\"instance\":");
	rc = rc ? rc : sl_buf_json_string(&b, r->path ? r->path : "/");
	if (!rc && ext_json && *ext_json) {
		rc = sl_buf_putc(&b, ',');
		rc = rc ? rc : sl_buf_puts(&b, ext_json);
	}
	rc = rc ? rc : sl_buf_puts(&b, "}\n");
	if (rc) {
		sl_buf_free(&b);
		return MHD_NO;
	}
	return sv_respond(r, status, "application/problem+json", &b);
}

enum MHD_Result sv_problem_code(sv_req *r, int code, const sl_error *err)
{
	int status;
	switch (code) {
	case SL_EINVAL:
	case SL_EUSAGE: status = 400; break;
	case SL_ENOTFOUND: status = 404; break;
	case SL_EPERM: status = 403; break;
	case SL_ELIMIT: status = 413; break;
	case SL_ECONFLICT: status = 422; break;
	case SL_EUNSUPPORTED: status = 415; break;
	case SL_ECORRUPT:
	case SL_EIO: status = 400; break;
	case SL_ESTORE:
	case SL_ENOMEM: status = 503; break;
	default: status = 500; break;
	}
	const char *msg = err && err->message[0] ? err->message : sl_strerror(code);
	if (status >= 500)
		msg = code == SL_ESTORE ? "the database is busy or unavailable; retry later"
					: "internal error";
	return sv_problem(r, status, msg, NULL);
}

enum MHD_Result sv_refuse(sv_req *r, int code, const sl_error *err)
{
	if (code == SL_EPERM && !r->token_id)
		return sv_problem(r, 401, "this resource needs a bearer token", NULL);
	return sv_problem_code(r, code, err);
}

/* ---- metrics --------------------------------------------------------- */

static void metrics_record(sl_server *s, int route, int status, double dt)
{
	int si = SV_NSTATUS - 1;
	for (int i = 0; i < SV_NSTATUS - 1; i++)
		if (status_codes[i] == status)
			si = i;
	int bi = SV_NBUCKETS;
	for (int i = 0; i < SV_NBUCKETS; i++)
		if (dt <= buckets_s[i]) {
			bi = i;
			break;
		}
	pthread_mutex_lock(&s->m_mu);
	s->req_count[route][si]++;
	s->hist[route][bi]++;
	s->lat_sum[route] += dt;
	s->lat_n[route]++;
	pthread_mutex_unlock(&s->m_mu);
}

static enum MHD_Result serve_metrics(sv_req *r)
{
	sl_server *s = r->srv;
	sl_buf b = {0};
	int rc = 0;
	pthread_mutex_lock(&s->m_mu);
	rc |= sl_buf_puts(&b, "# HELP samlast_http_requests_total HTTP requests by route and status.\n"
			      "# TYPE samlast_http_requests_total counter\n");
	for (int rt = 0; rt < RT_COUNT_; rt++)
		for (int i = 0; i < SV_NSTATUS; i++)
			if (s->req_count[rt][i])
				rc |= sl_buf_printf(&b,
						    "samlast_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
						    route_names[rt], status_codes[i],
						    s->req_count[rt][i]);
	rc |= sl_buf_puts(&b, "# HELP samlast_http_request_duration_seconds Request latency.\n"
			      "# TYPE samlast_http_request_duration_seconds histogram\n");
	for (int rt = 0; rt < RT_COUNT_; rt++) {
		if (!s->lat_n[rt])
			continue;
		unsigned long long cum = 0;
		for (int i = 0; i < SV_NBUCKETS; i++) {
			cum += s->hist[rt][i];
			rc |= sl_buf_printf(&b,
					    "samlast_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
					    route_names[rt], buckets_s[i], cum);
		}
		cum += s->hist[rt][SV_NBUCKETS];
		rc |= sl_buf_printf(&b,
				    "samlast_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
				    "samlast_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
				    "samlast_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
				    route_names[rt], cum, route_names[rt], s->lat_sum[rt],
				    route_names[rt], s->lat_n[rt]);
	}
	rc |= sl_buf_printf(&b,
			    "# HELP samlast_imports_total Import batches by outcome.\n"
			    "# TYPE samlast_imports_total counter\n"
			    "samlast_imports_total{outcome=\"committed\"} %llu\n"
			    "samlast_imports_total{outcome=\"rejected\"} %llu\n"
			    "# HELP samlast_import_rows_total Imported rows by outcome.\n"
			    "# TYPE samlast_import_rows_total counter\n"
			    "samlast_import_rows_total{outcome=\"accepted\"} %llu\n"
			    "samlast_import_rows_total{outcome=\"rejected\"} %llu\n"
			    "# HELP samlast_http_requests_in_flight Requests being handled.\n"
			    "# TYPE samlast_http_requests_in_flight gauge\n"
			    "samlast_http_requests_in_flight %ld\n",
			    s->imports_committed, s->imports_rejected, s->rows_accepted,
			    s->rows_rejected, s->active);
	pthread_mutex_unlock(&s->m_mu);
	if (rc) {
		sl_buf_free(&b);
		return MHD_NO;
	}
	return sv_respond(r, 200, "text/plain; version=0.0.4; charset=utf-8", &b);
}

/* ---- static files ---------------------------------------------------- */

static const char *mime_for(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (!dot)
		return "application/octet-stream";
	static const char *const map[][2] = {
		{".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},   {".json", "application/json"},
		{".svg", "image/svg+xml"},             {".png", "image/png"},
		{".ico", "image/x-icon"},              {".map", "application/json"},
		{".txt", "text/plain; charset=utf-8"}, {".woff2", "font/woff2"},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(dot, map[i][0]))
			return map[i][1];
	return "application/octet-stream";
}

static enum MHD_Result serve_static(sv_req *r)
{
	const char *p = r->path;
	if (!r->srv->web_dir)
		return sv_problem(r, 404, "no such resource (the server runs without --web)", NULL);
	if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD"))
		return sv_problem(r, 405, "static files are read with GET", NULL);
	if (strstr(p, "..") || strchr(p, '\\') || strlen(p) > 512)
		return sv_problem(r, 404, "no such file", NULL);
	char full[1200];
	if (!strcmp(p, "/") || p[strlen(p) - 1] == '/')
		snprintf(full, sizeof full, "%s%sindex.html", r->srv->web_dir, p);
	else
		snprintf(full, sizeof full, "%s%s", r->srv->web_dir, p);
	int fd = open(full, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		if (fd >= 0)
			close(fd);
		return sv_problem(r, 404, "no such file", NULL);
	}
	struct MHD_Response *resp = MHD_create_response_from_fd((size_t)sb.st_size, fd);
	if (!resp) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, mime_for(full));
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'");
	r->status = 200;
	enum MHD_Result ret = MHD_queue_response(r->conn, 200, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* ---- OSRM-compatible routing (route module) ---------------------------- */

static enum MHD_Result serve_osrm(sv_req *r)
{
	if (!r->srv->graph)
		return sv_problem(r, 404, "no routing graph is loaded (start the server with --graph)", NULL);
	if (strcmp(r->method, "GET"))
		return sv_problem(r, 405, "use GET", NULL);
	const char *keys[64], *vals[64];
	size_t n = sv_args(r, keys, vals, 64);
	if (n > 64)
		return sv_problem(r, 400, "too many query parameters", NULL);
	sl_buf pq = {0};
	int mrc = sl_buf_puts(&pq, r->path);
	for (size_t i = 0; i < n; i++)
		mrc |= sl_buf_printf(&pq, "%c%s=%s", i ? '&' : '?', keys[i], vals[i]);
	if (mrc) {
		sl_buf_free(&pq);
		return MHD_NO;
	}
	int status = 500;
	char *body = NULL;
	sl_error err = {0};
	int rc = sl_route_osrm_handle(r->srv->graph, NULL, pq.data, &status, &body, &err);
	sl_buf_free(&pq);
	if (rc || !body) {
		free(body);
		return sv_problem_code(r, rc ? rc : SL_ENOMEM, &err);
	}
	sl_buf b = {body, strlen(body), strlen(body) + 1};
	return sv_respond(r, status, "application/json", &b);
}

/* ---- routing --------------------------------------------------------- */

/* The part of path p after prefix ("" for the prefix itself, else without
 * its leading '/'), or NULL when p is not under prefix. */
static const char *sub_path(const char *p, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(p, prefix, n))
		return NULL;
	if (!p[n])
		return p + n;
	return p[n] == '/' ? p + n + 1 : NULL;
}

static enum MHD_Result handle(sv_req *r)
{
	const char *p = r->path;
	const char *m = r->method;
	int get = !strcmp(m, "GET") || !strcmp(m, "HEAD");

	if (r->bad_token)
		return sv_problem(r, 401, "the bearer token is unknown, expired or revoked", NULL);
	if (r->too_large)
		return sv_problem(r, 413, "the request body is larger than the server accepts", NULL);

	switch (r->route) {
	case RT_HEALTHZ: {
		if (!get)
			return sv_problem(r, 405, "use GET", NULL);
		sl_buf b = {0};
		if (sl_buf_puts(&b, "{\"status\":\"ok\"}\n"))
			return MHD_NO;
		return sv_respond(r, 200, "application/json", &b);
	}
	case RT_METRICS:
		if (!get)
			return sv_problem(r, 405, "use GET", NULL);
		return serve_metrics(r);
	case RT_OPENAPI: {
		if (!get)
			return sv_problem(r, 405, "use GET", NULL);
		sl_buf b = {0};
		if (sl_buf_puts(&b, sv_openapi_yaml))
			return MHD_NO;
		return sv_respond(r, 200, "application/yaml", &b);
	}
	case RT_KPIS:
		if (!get)
			return sv_problem(r, 405, "use GET", NULL);
		return sv_api_kpis(r);
	case RT_KPI_DEFS:
		if (!get)
			return sv_problem(r, 405, "use GET", NULL);
		return sv_api_kpi_defs(r);
	case RT_IMPORTS:
		if (strcmp(m, "POST"))
			return sv_problem(r, 405, "imports are sent with POST", NULL);
		if (r->refused)
			return sv_refuse(r, r->refused, &r->refused_err);
		if (!r->up) {
			sl_error err = {0};
			int rc = sv_upload_begin(r, r->path + 16, &err);
			if (rc)
				return sv_refuse(r, rc, &err);
		}
		return sv_upload_finish(r);
	case RT_TOKENS: {
		const char *id = p + strlen("/api/v1/tokens");
		return sv_api_tokens(r, *id == '/' ? id + 1 : NULL);
	}
	case RT_LIST:
	case RT_ITEM: {
		if (!get)
			return sv_problem(r, 405, "resources are read with GET", NULL);
		char res[32];
		const char *rest = p + strlen("/api/v1/");
		const char *slash = strchr(rest, '/');
		size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
		if (n >= sizeof res)
			n = sizeof res - 1;
		memcpy(res, rest, n);
		res[n] = 0;
		return sv_api_list(r, res, slash ? slash + 1 : NULL);
	}
	case RT_OSRM:
		return serve_osrm(r);
	case RT_POOLING:
		return sv_api_pooling(r, sub_path(p, "/api/v1/pooling"));
	case RT_ORDERING:
		return sv_api_ordering(r, sub_path(p, "/api/v1/ordering"));
	case RT_FOLLOWUP:
		return sv_api_followup(r, sub_path(p, "/api/v1/followup"));
	case RT_STATIC:
		return serve_static(r);
	default:
		return sv_problem(r, 404, "no such resource", NULL);
	}
}

/* An OSRM-style path "/{service}/v{N}/..." (lower-case service, a version
 * number): handed to the OSRM handler, which answers unknown services and
 * versions with OSRM's InvalidService / InvalidVersion. */
static int osrm_like(const char *p)
{
	const char *q = p + 1;
	while (*q >= 'a' && *q <= 'z')
		q++;
	if (q == p + 1 || q[0] != '/' || q[1] != 'v' || q[2] < '0' || q[2] > '9')
		return 0;
	q += 2;
	while (*q >= '0' && *q <= '9')
		q++;
	return *q == '/';
}

static int classify(const char *p)
{
	if (!strcmp(p, "/healthz"))
		return RT_HEALTHZ;
	if (!strcmp(p, "/metrics"))
		return RT_METRICS;
	if (!strcmp(p, "/api/v1/openapi.yaml"))
		return RT_OPENAPI;
	if (!strcmp(p, "/api/v1/kpis"))
		return RT_KPIS;
	if (!strcmp(p, "/api/v1/kpis/definitions"))
		return RT_KPI_DEFS;
	if (!strncmp(p, "/api/v1/imports/", 16) && p[16] && !strchr(p + 16, '/'))
		return RT_IMPORTS;
	if (!strcmp(p, "/api/v1/tokens") ||
	    (!strncmp(p, "/api/v1/tokens/", 15) && p[15] && !strchr(p + 15, '/')))
		return RT_TOKENS;
	if (sub_path(p, "/api/v1/pooling"))
		return RT_POOLING;
	if (sub_path(p, "/api/v1/ordering"))
		return RT_ORDERING;
	if (sub_path(p, "/api/v1/followup"))
		return RT_FOLLOWUP;
	if (!strncmp(p, "/api/v1/", 8)) {
		const char *rest = p + 8;
		const char *slash = strchr(rest, '/');
		char res[32];
		size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
		if (n == 0 || n >= sizeof res)
			return RT_OTHER;
		memcpy(res, rest, n);
		res[n] = 0;
		if (!sv_resource_known(res))
			return RT_OTHER;
		if (!slash)
			return RT_LIST;
		if (slash[1] && !strchr(slash + 1, '/'))
			return RT_ITEM;
		return RT_OTHER;
	}
	if (!strncmp(p, "/api/", 5))
		return RT_OTHER;
	if (osrm_like(p))
		return RT_OSRM;
	return RT_STATIC;
}

static int resolve_auth(sv_req *r)
{
	r->role = SL_ROLE_PUBLIC;
	if (!MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION))
		return 0; /* public: no store needed */
	sl_store *st = sv_store_borrow(r->srv, 1);
	if (!st)
		return -1;
	int rc = sv_auth(r, st);
	sv_store_return(r->srv, st);
	return rc;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url,
				      const char *method, const char *version,
				      const char *upload_data, size_t *upload_data_size,
				      void **con_cls)
{
	sl_server *s = cls;
	sv_req *r = *con_cls;
	if (!r) {
		r = calloc(1, sizeof *r);
		if (!r)
			return MHD_NO;
		r->srv = s;
		r->conn = conn;
		r->t0 = now_s();
		r->status = 0;
		snprintf(r->method, sizeof r->method, "%s", method);
		r->path = strdup(url ? url : "/");
		if (!r->path) {
			free(r);
			return MHD_NO;
		}
		r->route = classify(r->path);
		*con_cls = r;
		pthread_mutex_lock(&s->m_mu);
		s->active++;
		pthread_mutex_unlock(&s->m_mu);
		if (resolve_auth(r))
			r->bad_token = 1;
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);
		size_t limit = r->route == RT_IMPORTS ? s->max_upload : s->max_body;
		if (cl && strtoull(cl, NULL, 10) > limit)
			r->too_large = 1; /* answered after the body is drained:
					   * closing on unread data would make
					   * the client see a reset, not a 413 */
		return MHD_YES;
	}
	if (r->status) { /* already answered (early 413): drop the body */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (r->bad_token || r->too_large || r->refused)
			return MHD_YES;
		if (r->route == RT_IMPORTS && !strcmp(r->method, "POST")) {
			if (!r->up) {
				sl_error err = {0};
				const char *kind = r->path + 16;
				int rc = sv_upload_begin(r, kind, &err);
				if (rc) { /* answered when the body has been drained */
					r->refused = rc;
					r->refused_err = err;
					return MHD_YES;
				}
			}
			if (sv_upload_push(r, upload_data, n))
				r->too_large = 1;
			return MHD_YES;
		}
		if (r->body.len + n > s->max_body) {
			r->too_large = 1;
			sl_buf_free(&r->body);
			return MHD_YES;
		}
		if (sl_buf_append(&r->body, upload_data, n))
			r->too_large = 1;
		return MHD_YES;
	}
	(void)version;
	return handle(r);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	sl_server *s = cls;
	sv_req *r = *con_cls;
	(void)conn;
	if (!r)
		return;
	*con_cls = NULL;
	if (r->up)
		sv_upload_abort(r);
	double dt = now_s() - r->t0;
	int status = r->status ? r->status : (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? 200 : 499);
	metrics_record(s, r->route, status, dt);
	pthread_mutex_lock(&s->m_mu);
	s->active--;
	pthread_mutex_unlock(&s->m_mu);
	if (s->log) {
		char line[900], ts[32];
		time_t t = time(NULL);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
		snprintf(line, sizeof line, "%s %s %.300s %d %.3fms role=%s org=%s%s", ts, r->method,
			 r->path, status, dt * 1000.0, sl_role_name(r->role),
			 r->org_ext[0] ? r->org_ext : "-",
			 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
		s->log(s->log_ctx, line);
	}
	sl_buf_free(&r->body);
	free(r->path);
	free(r);
}

static void mhd_logger(void *cls, const char *fm, va_list ap)
{
	sl_server *s = cls;
	if (!s->log)
		return;
	char line[600];
	vsnprintf(line, sizeof line, fm, ap);
	size_t n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = 0;
	s->log(s->log_ctx, line);
}

/* ---- life cycle ------------------------------------------------------ */

static void free_server(sl_server *s)
{
	for (size_t i = 0; i < s->pool_n; i++) {
		for (size_t k = 0; s->stmts && k < SV_NSTMTS; k++)
			sl_stmt_free(s->stmts[i * SV_NSTMTS + k]);
		sl_store_close(s->pool[i]);
	}
	free(s->stmts);
	free(s->pool);
	free(s->free_list);
	free(s->db_uri);
	free(s->web_dir);
	sl_route_graph_close(s->graph);
	pthread_mutex_destroy(&s->pool_mu);
	pthread_cond_destroy(&s->pool_cv);
	pthread_mutex_destroy(&s->m_mu);
	pthread_mutex_destroy(&s->c_mu);
	for (size_t i = 0; i < sizeof s->cache / sizeof s->cache[0]; i++)
		free(s->cache[i].body);
	free(s);
}

int sl_server_start(const sl_server_config *c, sl_server **out, sl_error *err)
{
	*out = NULL;
	if (!c || !c->db_uri)
		return sl_error_set(err, SL_EUSAGE, "the server needs a database");
	struct sockaddr_in addr;
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_port = htons(c->port);
	if (inet_pton(AF_INET, c->host ? c->host : "127.0.0.1", &addr.sin_addr) != 1)
		return sl_error_set(err, SL_EUSAGE, "'%s' is not an IPv4 address", c->host);
	sl_server *s = calloc(1, sizeof *s);
	if (!s)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	pthread_mutex_init(&s->pool_mu, NULL);
	pthread_cond_init(&s->pool_cv, NULL);
	pthread_mutex_init(&s->m_mu, NULL);
	pthread_mutex_init(&s->c_mu, NULL);
	unsigned threads = c->threads ? c->threads : 2;
	s->max_body = c->max_body ? c->max_body : 64 * 1024;
	s->max_upload = c->max_upload ? c->max_upload : (size_t)256 * 1024 * 1024;
	s->log = c->log;
	s->log_ctx = c->log_ctx;
	s->db_uri = strdup(c->db_uri);
	s->web_dir = c->web_dir ? strdup(c->web_dir) : NULL;
	s->pool_n = threads + 2;
	s->pool = calloc(s->pool_n, sizeof *s->pool);
	s->free_list = calloc(s->pool_n, sizeof *s->free_list);
	s->stmts = calloc(s->pool_n * SV_NSTMTS, sizeof *s->stmts);
	if (!s->db_uri || (c->web_dir && !s->web_dir) || !s->pool || !s->free_list || !s->stmts) {
		s->pool_n = 0;
		free_server(s);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < s->pool_n; i++) {
		int rc = sl_store_open(s->db_uri, &s->pool[i], err);
		if (rc) {
			s->pool_n = i;
			free_server(s);
			return rc;
		}
		s->free_list[s->free_n++] = s->pool[i];
	}
	if (c->graph_path) {
		int grc = sl_route_graph_open(c->graph_path, &s->graph, err);
		if (grc) {
			free_server(s);
			return grc;
		}
	}
	int64_t n;
	if (sl_store_query_int64(s->pool[0], "SELECT COUNT(*) FROM api_tokens", &n, NULL)) {
		free_server(s);
		return sl_error_set(err, SL_ESTORE,
				    "%s has no access tables: run 'samlast init --db %s' first",
				    c->db_uri, c->db_uri);
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_ITC;
	s->daemon = MHD_start_daemon(
		flags, c->port, NULL, NULL, access_handler, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_logger,
		s, MHD_OPTION_SOCK_ADDR,
		(struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_TIMEOUT, c->timeout_s ? c->timeout_s : 30u,
		MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_NOTIFY_COMPLETED, completed, s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)128 * 1024, MHD_OPTION_END);
	if (!s->daemon) {
		free_server(s);
		return sl_error_set(err, SL_EIO, "cannot listen on %s:%u (%s)",
				    c->host ? c->host : "127.0.0.1", (unsigned)c->port,
				    errno ? strerror(errno) : "address in use?");
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : c->port;
	*out = s;
	return 0;
}

uint16_t sl_server_port(const sl_server *s)
{
	return s ? s->port : 0;
}

void sl_server_stop(sl_server *s)
{
	if (!s)
		return;
	/* Stop accepting, then let requests in flight finish (up to 10 s). */
	MHD_socket fd = MHD_quiesce_daemon(s->daemon);
	for (int i = 0; i < 1000; i++) {
		pthread_mutex_lock(&s->m_mu);
		long active = s->active;
		pthread_mutex_unlock(&s->m_mu);
		if (active <= 0)
			break;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(s->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	free_server(s);
}
