/* internal.h — the server module's private structures (core, API, auth).
 *
 * One sl_server owns the libmicrohttpd daemon, a pool of store connections
 * (a worker borrows one per request; the idea is SQLite's "one connection per
 * thread at a time") and the Prometheus counters.  Each connection carries a
 * request context (sv_req) from the first access-handler call to the
 * completion callback.
 */
#ifndef SL_SERVER_INTERNAL_H
#define SL_SERVER_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>

#include "samlast/pooling.h"
#include "samlast/route.h"
#include "samlast/server.h"

enum sv_route {
	RT_HEALTHZ,
	RT_METRICS,
	RT_OPENAPI,
	RT_LIST,
	RT_ITEM,
	RT_KPIS,
	RT_KPI_DEFS,
	RT_IMPORTS,
	RT_TOKENS,
	RT_OSRM,
	RT_POOLING,
	RT_ORDERING,
	RT_FOLLOWUP,
	RT_STATIC,
	RT_OTHER,
	RT_COUNT_
};

#define SV_NSTATUS 16
#define SV_NBUCKETS 12

struct sv_upload;

struct sl_server {
	struct MHD_Daemon *daemon;
	char *db_uri;
	char *web_dir;
	sl_graph *graph;
	uint16_t port;
	size_t max_body, max_upload;
	sl_server_log_fn log;
	void *log_ctx;

	pthread_mutex_t pool_mu;
	pthread_cond_t pool_cv;
	sl_store **pool;      /* every store */
	sl_store **free_list; /* the ones not borrowed */
	sl_stmt **stmts;      /* per store: SV_NSTMTS statements prepared once */
	size_t pool_n, free_n;

	pthread_mutex_t m_mu;
	unsigned long long req_count[RT_COUNT_][SV_NSTATUS];
	unsigned long long hist[RT_COUNT_][SV_NBUCKETS + 1];
	double lat_sum[RT_COUNT_];
	unsigned long long lat_n[RT_COUNT_];
	unsigned long long imports_committed, imports_rejected;
	unsigned long long rows_accepted, rows_rejected;
	long active; /* requests between first call and completion */

	/* KPI answers keyed by (role, org, query), valid while the store's
	 * newest import id is unchanged; least recently used is replaced. */
	pthread_mutex_t c_mu;
	struct sv_cache_entry {
		char key[600];
		int64_t version;
		char *body;
		size_t len;
		int csv;
		unsigned long long used;
	} cache[32];
	unsigned long long cache_clock;
};

typedef struct sv_req {
	sl_server *srv;
	struct MHD_Connection *conn;
	int route;
	int status;
	double t0;
	char method[12];
	char *path;
	int started;    /* handler saw the first call */
	int authed;     /* auth resolved */
	int bad_token;  /* a token was presented but is not valid */
	sl_role role;
	int64_t token_id;
	int64_t org_id;
	char org_ext[128];
	int org_is_carrier; /* the token's organisation is a carrier (a supplier-role
			     * token may be issued to one: it acts for its customers) */
	sl_buf body;    /* small request bodies */
	int too_large;
	int refused;          /* an upload refused before its body was read */
	sl_error refused_err;
	struct sv_upload *up;
} sv_req;

/* Core helpers (server.c). */
sl_store *sv_store_borrow(sl_server *s, int wait);
/* Statement `slot` (SV_STMT_…) of pooled store st, prepared on first use
 * from sql and reset; NULL on failure. */
enum { SV_STMT_AUTH, SV_STMT_VERSION, SV_NSTMTS };

/* The version every answer cache compares with: the newest import and the
 * data_version counter (derived data recomputed without an import, schema
 * 0009).  Every component only grows and the coefficients are positive, so a
 * change always gives a larger value.  One text for every caller of
 * SV_STMT_VERSION (the prepared statement is shared). */
#define SV_VERSION_SQL                                                                           \
	"SELECT (SELECT COALESCE(MAX(id), 0) FROM imports) * 1000003 + "                         \
	"(SELECT n FROM data_version WHERE id = 1)"
sl_stmt *sv_cached_stmt(sl_server *s, sl_store *st, int slot, const char *sql);
void sv_store_return(sl_server *s, sl_store *st);
enum MHD_Result sv_respond(sv_req *r, int status, const char *ctype, sl_buf *body);
enum MHD_Result sv_problem(sv_req *r, int status, const char *detail, const char *ext_json);
enum MHD_Result sv_problem_code(sv_req *r, int code, const sl_error *err);
/* As sv_problem_code, but SL_EPERM without a token is 401. */
enum MHD_Result sv_refuse(sv_req *r, int code, const sl_error *err);

/* API (api.c). */
enum MHD_Result sv_api_list(sv_req *r, const char *resource, const char *id);
enum MHD_Result sv_api_kpis(sv_req *r);
enum MHD_Result sv_api_kpi_defs(sv_req *r);
enum MHD_Result sv_api_tokens(sv_req *r, const char *id);
int sv_resource_known(const char *name);

/* The groupage place (issue 7).  Each is called for every method on its
 * prefix; `sub` is the path after the prefix ("" for the prefix itself, else
 * without the leading '/').  A small request body is in r->body.
 *   /api/v1/pooling[/...]   api_pooling.c  (board, announcements, sharing,
 *                                           opportunities)
 *   /api/v1/ordering[/...]  api_ordering.c (delivery-day patterns, XLSX)
 *   /api/v1/followup[/...]  api_followup.c (baseline and follow-up)
 */
enum MHD_Result sv_api_pooling(sv_req *r, const char *sub);
enum MHD_Result sv_api_ordering(sv_req *r, const char *sub);
enum MHD_Result sv_api_followup(sv_req *r, const char *sub);
/* /api/v1/pooling/opportunities[/...] (api_opportunities.c), called by
 * sv_api_pooling's dispatcher. */
enum MHD_Result sv_api_opportunities(sv_req *r);
/* The board's viewer for the caller's role (admin/city -> city, unit,
 * supplier; carrier has no token role yet).  -1 (v->kind public) when the
 * caller may not see the groupage place at all (public, or a unit/supplier
 * token without an organisation). */
int sv_viewer(const sv_req *r, sl_pooling_viewer *v);

/* Uploads (upload.c). */
int sv_upload_begin(sv_req *r, const char *kind, sl_error *err);
int sv_upload_push(sv_req *r, const char *data, size_t len);
enum MHD_Result sv_upload_finish(sv_req *r);
void sv_upload_abort(sv_req *r);

/* Auth (auth.c). */
int sv_auth(sv_req *r, sl_store *st);
void sv_hash_token(const char *token, char out_hex[65]);
int sv_audit(sl_store *st, const sv_req *r, const char *action, const char *target,
	     const char *row_ids, const char *detail, sl_error *err);

/* Collect the query arguments of the connection (keys/values borrowed from
 * MHD; at most `cap`). */
size_t sv_args(sv_req *r, const char **keys, const char **vals, size_t cap);

#endif
