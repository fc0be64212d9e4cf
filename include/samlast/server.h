/* server.h — samlast's HTTP server: JSON API v1, access control, dashboard.
 *
 * An embedded libmicrohttpd daemon (internal thread pool, keep-alive, a
 * request body limit, a connection timeout) serves /healthz, /metrics
 * (Prometheus text exposition format), the JSON API under /api/v1/ (reads,
 * KPIs, streamed imports, token management; errors as RFC 9457
 * application/problem+json) and static files of the dashboard.  Each worker
 * borrows a store connection from a small pool owned by the server, so no
 * state is shared between threads except through that pool and the metrics
 * (both locked).
 *
 * Access control: API tokens (sl_server_token_create) with a role (admin,
 * city, supplier, unit, public) and an organisation, presented as
 * "Authorization: Bearer <token>".  The library never prints: access log
 * lines go to the config's log callback.
 */
#ifndef SAMLAST_SERVER_H
#define SAMLAST_SERVER_H

#include <stdint.h>

#include "samlast/base.h"
#include "samlast/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sl_server sl_server;

/* Called once per finished request with one access-log line (no newline);
 * may be called from any worker thread concurrently. */
typedef void (*sl_server_log_fn)(void *ctx, const char *line);

typedef struct sl_server_config {
	const char *db_uri;        /* store to serve (must be migrated) */
	const char *host;          /* listen address, "127.0.0.1" (IPv4 only) */
	uint16_t port;             /* 0: pick a free port (see sl_server_port) */
	const char *web_dir;       /* static files served at /, or NULL */
	unsigned threads;          /* worker threads (0: 2) */
	unsigned timeout_s;        /* idle connection timeout (0: 30) */
	size_t max_body;           /* largest non-upload body (0: 64 KiB) */
	size_t max_upload;         /* largest upload body (0: 256 MiB) */
	sl_server_log_fn log;      /* access log, or NULL */
	void *log_ctx;
	const char *graph_path;    /* routing graph (samlast graph) served as the
	                            * OSRM v5 subset at /route/v1/, /table/v1/ and
	                            * /nearest/v1/, or NULL */
} sl_server_config;

/* Fill *c with defaults (port 8080 on 127.0.0.1, no web dir, no log). */
void sl_server_config_init(sl_server_config *c);

/* Open the store pool (and the routing graph, if any), check the schema
 * has the access tables, and start listening.  On success *out is a running server the caller stops with
 * sl_server_stop.  Errors: SL_EIO (cannot bind), SL_ESTORE (store cannot be
 * opened or is not migrated), SL_EUSAGE (bad config), SL_ENOMEM. */
int sl_server_start(const sl_server_config *c, sl_server **out, sl_error *err);

/* The port actually listened on. */
uint16_t sl_server_port(const sl_server *s);

/* Stop accepting, finish requests in flight, close the stores, free.  NULL
 * is a no-op. */
void sl_server_stop(sl_server *s);

/* ---- tokens ---------------------------------------------------------- */

typedef enum sl_role {
	SL_ROLE_PUBLIC = 0,
	SL_ROLE_UNIT,
	SL_ROLE_SUPPLIER,
	SL_ROLE_CITY,
	SL_ROLE_ADMIN,
} sl_role;

/* Parse "admin", "city", "supplier", "unit", "public"; 0 or SL_EUSAGE. */
int sl_role_parse(const char *s, sl_role *out, sl_error *err);
/* The name of a role. */
const char *sl_role_name(sl_role r);

/* Create a token for organisation `org_ext_id` (required for supplier and
 * unit; optional otherwise) with `role`, expiring at UTC second expires_at
 * (0: never), with an optional label.  Writes the token text (printed once,
 * never stored) into token_out (>= 64 bytes) and its row id into *id_out
 * (may be NULL).  Errors: SL_ENOTFOUND (unknown organisation), SL_EUSAGE
 * (role needs an organisation), SL_ESTORE. */
int sl_server_token_create(sl_store *st, const char *org_ext_id, sl_role role,
			   int64_t expires_at, const char *label, char *token_out,
			   size_t token_out_size, int64_t *id_out, sl_error *err);

/* Revoke token `id` (idempotent).  SL_ENOTFOUND when there is no such token. */
int sl_server_token_revoke(sl_store *st, int64_t id, sl_error *err);

/* Append the tokens (never their hashes) as a JSON array to `out`:
 * [{"id":1,"org":"S1","role":"supplier","created_at":…,"expires_at":…|null,
 *   "revoked_at":…|null,"label":…|null}].  0, SL_ESTORE or SL_ENOMEM. */
int sl_server_token_list_json(sl_store *st, sl_buf *out, sl_error *err);

/* ---- helpers exposed for tests and fuzzing --------------------------- */

/* Validate and parse the query parameters of a list request for resource
 * `resource` ("deliveries", …): `n` key/value pairs.  Returns 0 when every
 * parameter is known and well-formed, else SL_EINVAL with a message naming
 * the parameter.  Never crashes on any input. */
int sl_server_check_params(const char *resource, size_t n, const char *const *keys,
			   const char *const *values, sl_error *err);

#ifdef __cplusplus
}
#endif
#endif
