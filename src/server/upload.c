/* upload.c — streamed imports: POST /api/v1/imports/{kind}.
 *
 * libmicrohttpd pushes body chunks into the access handler; the ledger
 * importer pulls its input through a read callback.  The two meet in a
 * bounded ring buffer: an import thread runs sl_ledger_import reading from
 * the ring while the connection's worker thread writes each chunk into it,
 * waiting while the ring is full.  Memory stays constant whatever the upload
 * size.  The import runs inside a transaction that also writes the audit row,
 * so a batch and its audit record are committed together or not at all.
 */
#include <stdlib.h>
#include <string.h>

#include "samlast/emissions.h"
#include "samlast/ledger.h"
#include "internal.h"

#define RING_CAP (256 * 1024)

struct sv_upload {
	pthread_t th;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *ring;
	size_t head, len;
	int eof, abort, done;
	size_t total;
	sl_store *st;
	sl_import_opts opts;
	sl_import_result res;
	int rc;
	sl_error err;
	char kind[32];
	char source[64];
	char actor[160];
	sv_req *req;
};

static size_t ring_read(void *ctx, char *buf, size_t cap)
{
	struct sv_upload *u = ctx;
	pthread_mutex_lock(&u->mu);
	while (u->len == 0 && !u->eof && !u->abort)
		pthread_cond_wait(&u->cv, &u->mu);
	if (u->abort) {
		pthread_mutex_unlock(&u->mu);
		return (size_t)-1;
	}
	size_t n = 0;
	while (n < cap && u->len > 0) {
		size_t chunk = RING_CAP - u->head;
		if (chunk > u->len)
			chunk = u->len;
		if (chunk > cap - n)
			chunk = cap - n;
		memcpy(buf + n, u->ring + u->head, chunk);
		u->head = (u->head + chunk) % RING_CAP;
		u->len -= chunk;
		n += chunk;
	}
	pthread_cond_broadcast(&u->cv);
	pthread_mutex_unlock(&u->mu);
	return n;
}

static void *import_thread(void *arg)
{
	struct sv_upload *u = arg;
	sl_error e2 = {0};
	int rc = sl_store_begin(u->st, &u->err);
	if (!rc) {
		rc = sl_ledger_import(u->st, &u->opts, ring_read, u, &u->res, &u->err);
		if (!rc && u->res.committed) {
			char ids[64], detail[200];
			snprintf(ids, sizeof ids, "{\"import_id\":%lld}", (long long)u->res.import_id);
			snprintf(detail, sizeof detail,
				 "{\"rows\":%ld,\"inserted\":%ld,\"updated\":%ld,\"unchanged\":%ld,\"rejected\":%ld}",
				 u->res.rows, u->res.inserted, u->res.updated, u->res.unchanged,
				 u->res.rejected);
			rc = sv_audit(u->st, u->req, "import", u->kind, ids, detail, &u->err);
		}
		/* emissions of what the batch touched, in the same transaction
		 * (no factor set installed: committed without, a recompute catches up) */
		if (!rc && u->res.committed &&
		    (u->opts.kind == SL_KIND_SITES || u->opts.kind == SL_KIND_VEHICLES ||
		     u->opts.kind == SL_KIND_TRIPS || u->opts.kind == SL_KIND_DELIVERIES)) {
			sl_em_recompute_stats es;
			rc = sl_emissions_refresh(u->st, NULL, &es, &e2);
			if (rc == SL_ENOTFOUND)
				rc = 0;
			else if (rc)
				u->err = e2;
		}
		if (!rc)
			rc = sl_store_commit(u->st, &u->err);
		else
			sl_store_rollback(u->st);
	}
	(void)e2;
	pthread_mutex_lock(&u->mu);
	u->rc = rc;
	u->done = 1;
	pthread_cond_broadcast(&u->cv);
	pthread_mutex_unlock(&u->mu);
	return NULL;
}

static void upload_free(struct sv_upload *u)
{
	sv_store_return(u->req->srv, u->st);
	sl_import_result_free(&u->res);
	pthread_mutex_destroy(&u->mu);
	pthread_cond_destroy(&u->cv);
	free(u->ring);
	free(u);
}

int sv_upload_begin(sv_req *r, const char *kind, sl_error *err)
{
	sl_ledger_kind k;
	if (r->role != SL_ROLE_ADMIN && r->role != SL_ROLE_SUPPLIER) {
		r->status = 0;
		return sl_error_set(err, r->role == SL_ROLE_PUBLIC && !r->token_id ? SL_EPERM : SL_EPERM,
				    "this token may not upload data");
	}
	if (sl_ledger_kind_parse(kind, &k, err))
		return SL_ENOTFOUND;
	if (r->role == SL_ROLE_SUPPLIER &&
	    (k == SL_KIND_ORGANISATIONS || k == SL_KIND_SITES || k == SL_KIND_CONTRACTS))
		return sl_error_set(err, SL_EPERM, "suppliers may not upload %s (master data)", kind);
	const char *accept = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "accept_valid");
	int accept_valid = 0;
	if (accept) {
		if (!strcmp(accept, "true") || !strcmp(accept, "1"))
			accept_valid = 1;
		else if (strcmp(accept, "false") && strcmp(accept, "0"))
			return sl_error_set(err, SL_EINVAL, "accept_valid must be true or false");
	}
	const char *keys[16], *vals[16];
	size_t n = sv_args(r, keys, vals, 16);
	for (size_t i = 0; i < n; i++)
		if (strcmp(keys[i], "accept_valid"))
			return sl_error_set(err, SL_EINVAL, "unknown parameter '%s' (imports take accept_valid)",
					    keys[i]);
	sl_import_format fmt = SL_FORMAT_AUTO;
	const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (ct) {
		if (!strncmp(ct, "text/csv", 8))
			fmt = SL_FORMAT_CSV;
		else if (!strncmp(ct, "application/json", 16))
			fmt = SL_FORMAT_JSON;
		else if (strncmp(ct, "text/plain", 10) && strncmp(ct, "application/octet-stream", 24))
			return sl_error_set(err, SL_EUNSUPPORTED,
					    "Content-Type '%.60s' is not accepted (use text/csv or application/json)",
					    ct);
	}
	struct sv_upload *u = calloc(1, sizeof *u);
	if (!u)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	u->ring = malloc(RING_CAP);
	if (!u->ring) {
		free(u);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	pthread_mutex_init(&u->mu, NULL);
	pthread_cond_init(&u->cv, NULL);
	u->req = r;
	u->st = sv_store_borrow(r->srv, 0);
	if (!u->st) {
		upload_free(u);
		return sl_error_set(err, SL_ESTORE, "too many uploads at once");
	}
	snprintf(u->kind, sizeof u->kind, "%s", sl_ledger_kind_name(k));
	snprintf(u->source, sizeof u->source, "upload");
	snprintf(u->actor, sizeof u->actor, "api:%s:%s:token%lld", sl_role_name(r->role),
		 r->org_ext[0] ? r->org_ext : "-", (long long)r->token_id);
	u->opts.kind = k;
	u->opts.format = fmt;
	u->opts.source_name = u->source;
	u->opts.accept_valid = accept_valid;
	u->opts.max_errors = 1000;
	u->opts.restrict_org = r->role == SL_ROLE_SUPPLIER ? r->org_ext : NULL;
	u->opts.actor = u->actor;
	if (pthread_create(&u->th, NULL, import_thread, u)) {
		upload_free(u);
		return sl_error_set(err, SL_ENOMEM, "cannot start the import thread");
	}
	u->started = 1;
	r->up = u;
	return 0;
}

/* Copy a chunk into the ring, waiting for room.  1 when the upload limit is
 * exceeded (the import is then aborted). */
int sv_upload_push(sv_req *r, const char *data, size_t len)
{
	struct sv_upload *u = r->up;
	pthread_mutex_lock(&u->mu);
	u->total += len;
	if (u->total > r->srv->max_upload) {
		u->abort = 1;
		pthread_cond_broadcast(&u->cv);
		pthread_mutex_unlock(&u->mu);
		return 1;
	}
	while (len > 0 && !u->done && !u->abort) {
		while (u->len == RING_CAP && !u->done && !u->abort)
			pthread_cond_wait(&u->cv, &u->mu);
		if (u->done || u->abort)
			break;
		size_t tail = (u->head + u->len) % RING_CAP;
		size_t room = RING_CAP - u->len;
		size_t chunk = RING_CAP - tail;
		if (chunk > room)
			chunk = room;
		if (chunk > len)
			chunk = len;
		memcpy(u->ring + tail, data, chunk);
		u->len += chunk;
		data += chunk;
		len -= chunk;
		pthread_cond_broadcast(&u->cv);
	}
	pthread_mutex_unlock(&u->mu);
	return 0;
}

static void join(struct sv_upload *u, int abort)
{
	pthread_mutex_lock(&u->mu);
	if (abort)
		u->abort = 1;
	u->eof = 1;
	pthread_cond_broadcast(&u->cv);
	pthread_mutex_unlock(&u->mu);
	if (u->started)
		pthread_join(u->th, NULL);
	u->started = 0;
}

void sv_upload_abort(sv_req *r)
{
	if (!r->up)
		return;
	join(r->up, 1);
	upload_free(r->up);
	r->up = NULL;
}

static int write_errors(sl_buf *b, const sl_import_result *res)
{
	int rc = sl_buf_puts(b, "\"errors\":[");
	for (size_t i = 0; i < res->error_count && !rc; i++) {
		const sl_row_error *e = &res->errors[i];
		rc |= sl_buf_printf(b, "%s{\"line\":%ld,\"column\":%ld,\"field\":", i ? "," : "", e->line,
				    e->column);
		rc |= e->field[0] ? sl_buf_json_string(b, e->field) : sl_buf_puts(b, "null");
		rc |= sl_buf_puts(b, ",\"reason\":");
		rc |= sl_buf_json_string(b, e->message);
		rc |= sl_buf_putc(b, '}');
	}
	rc |= sl_buf_putc(b, ']');
	return rc;
}

enum MHD_Result sv_upload_finish(sv_req *r)
{
	struct sv_upload *u = r->up;
	sl_server *s = r->srv;
	join(u, 0);
	int rc = u->rc;
	sl_import_result *res = &u->res;
	pthread_mutex_lock(&s->m_mu);
	if (rc == 0 && res->committed) {
		s->imports_committed++;
		s->rows_accepted += (unsigned long long)(res->rows - res->rejected);
		s->rows_rejected += (unsigned long long)res->rejected;
	} else if (rc == 0 || rc == SL_EINVAL) {
		if (rc)
			s->imports_rejected++;
		s->rows_rejected += (unsigned long long)res->rejected;
	}
	pthread_mutex_unlock(&s->m_mu);
	sl_buf b = {0};
	enum MHD_Result ret;
	int mrc = 0;
	char counts[300];
	snprintf(counts, sizeof counts,
		 "\"kind\":\"%s\",\"rows\":%ld,\"inserted\":%ld,\"updated\":%ld,\"unchanged\":%ld,"
		 "\"rejected\":%ld,\"error_total\":%zu,",
		 u->kind, res->rows, res->inserted, res->updated, res->unchanged, res->rejected,
		 res->error_total);
	if (rc == 0) {
		mrc |= sl_buf_printf(&b, "{\"committed\":%s,", res->committed ? "true" : "false");
		if (res->committed)
			mrc |= sl_buf_printf(&b, "\"import_id\":%lld,", (long long)res->import_id);
		mrc |= sl_buf_puts(&b, counts);
		mrc |= write_errors(&b, res);
		mrc |= sl_buf_puts(&b, "}\n");
		ret = mrc ? MHD_NO : sv_respond(r, 200, "application/json", &b);
	} else if (rc == SL_EINVAL) {
		mrc |= sl_buf_puts(&b, "\"committed\":false,");
		mrc |= sl_buf_puts(&b, counts);
		mrc |= write_errors(&b, res);
		char detail[900];
		snprintf(detail, sizeof detail,
			 "%zu error(s) in the upload; nothing was imported%s%.700s",
			 res->error_total, u->err.message[0] ? ": " : "", u->err.message);
		ret = mrc ? MHD_NO : sv_problem(r, 422, detail, b.data);
	} else if (rc == SL_EIO && u->total > s->max_upload) {
		ret = sv_problem(r, 413, "the upload is larger than the server accepts", NULL);
	} else {
		ret = sv_problem_code(r, rc, &u->err);
	}
	sl_buf_free(&b);
	upload_free(u);
	r->up = NULL;
	return ret;
}
