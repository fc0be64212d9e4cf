/* auth.c — API tokens, bearer authentication and the audit log.
 *
 * A token is "slt_" followed by 32 random bytes from libsodium in URL-safe
 * base64.  Only its BLAKE2b-256 hash (crypto_generichash, hex) is stored:
 * with 256 bits of entropy a fast unsalted hash is as safe as a slow one,
 * and lets every request be checked with one indexed lookup.  Role and
 * organisation come from the token's row; no token means the public role.
 */
#include <sodium.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

static const char *const role_names[] = {"public", "unit", "supplier", "city", "admin"};

int sl_role_parse(const char *s, sl_role *out, sl_error *err)
{
	for (int i = 0; i < 5; i++)
		if (s && !strcmp(s, role_names[i])) {
			*out = (sl_role)i;
			return 0;
		}
	return sl_error_set(err, SL_EUSAGE,
			    "unknown role '%s' (use admin, city, supplier, unit or public)",
			    s ? s : "");
}

const char *sl_role_name(sl_role r)
{
	return (unsigned)r < 5 ? role_names[r] : "?";
}

void sv_hash_token(const char *token, char out_hex[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out_hex, 65, h, sizeof h);
}

int sl_server_token_create(sl_store *st, const char *org_ext_id, sl_role role,
			   int64_t expires_at, const char *label, char *token_out,
			   size_t token_out_size, int64_t *id_out, sl_error *err)
{
	if (sodium_init() < 0)
		return sl_error_set(err, SL_EIO, "libsodium cannot be initialised");
	if (token_out_size < 64)
		return sl_error_set(err, SL_EUSAGE, "token buffer too small");
	if ((role == SL_ROLE_SUPPLIER || role == SL_ROLE_UNIT) && (!org_ext_id || !*org_ext_id))
		return sl_error_set(err, SL_EUSAGE, "a %s token needs an organisation (--org)",
				    sl_role_name(role));
	int64_t org_id = 0;
	int rc;
	if (org_ext_id && *org_ext_id) {
		sl_stmt *q;
		if ((rc = sl_store_prepare(st, "SELECT id, kind FROM organisations WHERE ext_id = ?1", &q, err)))
			return rc;
		sl_stmt_bind_text(q, 1, org_ext_id);
		rc = sl_stmt_step(q, err);
		if (rc == 1) {
			org_id = sl_stmt_int64(q, 0);
			const char *kind = sl_stmt_text(q, 1);
			if (role == SL_ROLE_SUPPLIER && kind && strcmp(kind, "supplier") && strcmp(kind, "carrier"))
				rc = sl_error_set(err, SL_EUSAGE, "organisation '%s' is a %s, not a supplier",
						  org_ext_id, kind);
			else if (role == SL_ROLE_UNIT && kind && strcmp(kind, "unit"))
				rc = sl_error_set(err, SL_EUSAGE, "organisation '%s' is a %s, not a unit",
						  org_ext_id, kind);
			else
				rc = 0;
		} else if (rc == 0) {
			rc = sl_error_set(err, SL_ENOTFOUND, "no organisation '%s'", org_ext_id);
		}
		sl_stmt_free(q);
		if (rc)
			return rc;
	}
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	char b64[64];
	sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(token_out, token_out_size, "slt_%s", b64);
	char hex[65];
	sv_hash_token(token_out, hex);
	sl_stmt *ins;
	if ((rc = sl_store_prepare(st,
				   "INSERT INTO api_tokens(org_id, role, token_hash, created_at, expires_at, label) "
				   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
				   &ins, err)))
		return rc;
	if (org_id)
		sl_stmt_bind_int64(ins, 1, org_id);
	else
		sl_stmt_bind_null(ins, 1);
	sl_stmt_bind_text(ins, 2, sl_role_name(role));
	sl_stmt_bind_text(ins, 3, hex);
	sl_stmt_bind_int64(ins, 4, (int64_t)time(NULL));
	if (expires_at)
		sl_stmt_bind_int64(ins, 5, expires_at);
	else
		sl_stmt_bind_null(ins, 5);
	sl_stmt_bind_text(ins, 6, label);
	rc = sl_stmt_step(ins, err);
	sl_stmt_free(ins);
	sodium_memzero(raw, sizeof raw);
	if (rc < 0) {
		sodium_memzero(token_out, token_out_size);
		return rc;
	}
	if (id_out)
		*id_out = sl_store_last_insert_id(st);
	return 0;
}

int sl_server_token_revoke(sl_store *st, int64_t id, sl_error *err)
{
	sl_stmt *q;
	int rc = sl_store_prepare(st,
				  "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1",
				  &q, err);
	if (rc)
		return rc;
	sl_stmt_bind_int64(q, 1, id);
	sl_stmt_bind_int64(q, 2, (int64_t)time(NULL));
	rc = sl_stmt_step(q, err);
	sl_stmt_free(q);
	if (rc < 0)
		return rc;
	if (sl_store_changes(st) == 0)
		return sl_error_set(err, SL_ENOTFOUND, "no token %lld", (long long)id);
	return 0;
}

int sl_server_token_list_json(sl_store *st, sl_buf *out, sl_error *err)
{
	sl_stmt *q;
	int rc = sl_store_prepare(st,
				  "SELECT t.id, o.ext_id, t.role, t.created_at, t.expires_at, t.revoked_at, t.label "
				  "FROM api_tokens t LEFT JOIN organisations o ON o.id = t.org_id ORDER BY t.id",
				  &q, err);
	if (rc)
		return rc;
	int first = 1, mrc = sl_buf_putc(out, '[');
	while ((rc = sl_stmt_step(q, err)) == 1 && !mrc) {
		char t1[32], t2[32], t3[32];
		mrc |= sl_buf_printf(out, "%s{\"id\":%lld,\"org\":", first ? "" : ",",
				     (long long)sl_stmt_int64(q, 0));
		mrc |= sl_stmt_is_null(q, 1) ? sl_buf_puts(out, "null") : sl_buf_json_string(out, sl_stmt_text(q, 1));
		mrc |= sl_buf_puts(out, ",\"role\":");
		mrc |= sl_buf_json_string(out, sl_stmt_text(q, 2));
		mrc |= sl_buf_printf(out, ",\"created_at\":\"%s\"",
				     sl_time_format_utc(sl_stmt_int64(q, 3), t1, sizeof t1));
		if (sl_stmt_is_null(q, 4))
			mrc |= sl_buf_puts(out, ",\"expires_at\":null");
		else
			mrc |= sl_buf_printf(out, ",\"expires_at\":\"%s\"",
					     sl_time_format_utc(sl_stmt_int64(q, 4), t2, sizeof t2));
		if (sl_stmt_is_null(q, 5))
			mrc |= sl_buf_puts(out, ",\"revoked_at\":null");
		else
			mrc |= sl_buf_printf(out, ",\"revoked_at\":\"%s\"",
					     sl_time_format_utc(sl_stmt_int64(q, 5), t3, sizeof t3));
		mrc |= sl_buf_puts(out, ",\"label\":");
		mrc |= sl_stmt_is_null(q, 6) ? sl_buf_puts(out, "null") : sl_buf_json_string(out, sl_stmt_text(q, 6));
		mrc |= sl_buf_putc(out, '}');
		first = 0;
	}
	sl_stmt_free(q);
	if (rc < 0)
		return rc;
	if (mrc || sl_buf_putc(out, ']'))
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return 0;
}

/* Resolve the Authorization header.  0 (role set; public without a token),
 * or -1 when a token was presented but is not valid (or the store failed:
 * also refused, never let through). */
int sv_auth(sv_req *r, sl_store *st)
{
	r->role = SL_ROLE_PUBLIC;
	r->token_id = 0;
	r->org_id = 0;
	r->org_ext[0] = 0;
	r->org_is_carrier = 0;
	const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_AUTHORIZATION);
	if (!h)
		return 0;
	if (strncasecmp(h, "Bearer ", 7))
		return -1;
	const char *tok = h + 7;
	while (*tok == ' ')
		tok++;
	if (!*tok || strlen(tok) > 200)
		return -1;
	char hex[65];
	sv_hash_token(tok, hex);
	sl_stmt *q = sv_cached_stmt(r->srv, st, SV_STMT_AUTH,
				    "SELECT t.id, t.role, COALESCE(t.org_id, 0), o.ext_id, o.kind FROM api_tokens t "
				    "LEFT JOIN organisations o ON o.id = t.org_id "
				    "WHERE t.token_hash = ?1 AND t.revoked_at IS NULL "
				    "AND (t.expires_at IS NULL OR t.expires_at > ?2)");
	if (!q)
		return -1;
	sl_stmt_bind_text(q, 1, hex);
	sl_stmt_bind_int64(q, 2, (int64_t)time(NULL));
	int rc = sl_stmt_step(q, NULL);
	int ret = -1;
	if (rc == 1) {
		sl_role role;
		if (!sl_role_parse(sl_stmt_text(q, 1), &role, NULL)) {
			r->role = role;
			r->token_id = sl_stmt_int64(q, 0);
			r->org_id = sl_stmt_int64(q, 2);
			const char *e = sl_stmt_text(q, 3);
			snprintf(r->org_ext, sizeof r->org_ext, "%s", e ? e : "");
			const char *kind = sl_stmt_text(q, 4);
			r->org_is_carrier = kind && !strcmp(kind, "carrier");
			ret = 0;
		}
	}
	sl_stmt_reset(q);
	return ret;
}

int sv_audit(sl_store *st, const sv_req *r, const char *action, const char *target,
	     const char *row_ids, const char *detail, sl_error *err)
{
	sl_stmt *q;
	int rc = sl_store_prepare(st,
				  "INSERT INTO audit_log(at, token_id, role, org_id, action, target, row_ids, detail) "
				  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
				  &q, err);
	if (rc)
		return rc;
	sl_stmt_bind_int64(q, 1, (int64_t)time(NULL));
	if (r->token_id)
		sl_stmt_bind_int64(q, 2, r->token_id);
	else
		sl_stmt_bind_null(q, 2);
	sl_stmt_bind_text(q, 3, sl_role_name(r->role));
	if (r->org_id)
		sl_stmt_bind_int64(q, 4, r->org_id);
	else
		sl_stmt_bind_null(q, 4);
	sl_stmt_bind_text(q, 5, action);
	sl_stmt_bind_text(q, 6, target);
	sl_stmt_bind_text(q, 7, row_ids);
	sl_stmt_bind_text(q, 8, detail);
	rc = sl_stmt_step(q, err);
	sl_stmt_free(q);
	return rc < 0 ? rc : 0;
}
