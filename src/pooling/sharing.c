/* sharing.c — opt-in sharing between named parties on the groupage board
 * (issue 7, item 2).  A supplier grants a named supplier or carrier the
 * right to see its board rows by name; the grant is a row of
 * pooling_shares, closed (never deleted) on revocation, and each change
 * also leaves an audit_log row in the same transaction — the idea is the
 * data-sharing consent record of GDPR art. 7(1) practice: who consented, to
 * whom, when, and when it was withdrawn (withdrawal effective at once,
 * art. 7(3)).  The board reads open grants on every call, so nothing is
 * cached that could outlive a revocation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "board_internal.h"

void sl_board_actor_label(const sl_board_actor *a, char *out, size_t cap)
{
	if (!a || !a->via || !strcmp(a->via, "cli"))
		snprintf(out, cap, "cli");
	else
		snprintf(out, cap, "%s:%s#%lld", a->via, a->role ? a->role : "-", (long long)a->token_id);
}

int sl_board_audit(sl_store *st, const sl_board_actor *a, const char *action, const char *target,
                   const char *row_ids, const char *detail, sl_error *err)
{
	sl_stmt *s;
	int rc = sl_store_prepare(st,
	                          "INSERT INTO audit_log(at, token_id, role, org_id, action, target, row_ids, "
	                          "detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	                          &s, err);
	if (rc)
		return rc;
	sl_stmt_bind_int64(s, 1, (int64_t)time(NULL));
	if (a && a->token_id)
		sl_stmt_bind_int64(s, 2, a->token_id);
	else
		sl_stmt_bind_null(s, 2);
	sl_stmt_bind_text(s, 3, a && a->role ? a->role : "cli");
	if (a && a->org_id)
		sl_stmt_bind_int64(s, 4, a->org_id);
	else
		sl_stmt_bind_null(s, 4);
	sl_stmt_bind_text(s, 5, action);
	sl_stmt_bind_text(s, 6, target);
	sl_stmt_bind_text(s, 7, row_ids);
	sl_stmt_bind_text(s, 8, detail);
	rc = sl_stmt_step(s, err);
	sl_stmt_free(s);
	return rc < 0 ? rc : 0;
}

int sl_board_org(sl_store *st, const char *ext, int64_t *id, char kind[16], sl_error *err)
{
	if (!ext || !*ext)
		return sl_error_set(err, SL_EINVAL, "an organisation id is required");
	sl_stmt *s;
	int rc = sl_store_prepare(st, "SELECT id, kind FROM organisations WHERE ext_id = ?1", &s, err);
	if (rc)
		return rc;
	sl_stmt_bind_text(s, 1, ext);
	rc = sl_stmt_step(s, err);
	if (rc == 1) {
		*id = sl_stmt_int64(s, 0);
		if (kind)
			snprintf(kind, 16, "%s", sl_stmt_text(s, 1));
		rc = 0;
	} else if (rc == 0) {
		rc = sl_error_set(err, SL_ENOTFOUND, "no organisation '%.64s'", ext);
	}
	sl_stmt_free(s);
	return rc;
}

static int detail_json(sl_buf *d, const char *owner, const char *grantee, const char *note,
                       const sl_board_actor *a)
{
	int rc = sl_buf_puts(d, "{\"owner\":");
	rc |= sl_buf_json_string(d, owner);
	rc |= sl_buf_puts(d, ",\"grantee\":");
	rc |= sl_buf_json_string(d, grantee);
	if (note) {
		rc |= sl_buf_puts(d, ",\"note\":");
		rc |= sl_buf_json_string(d, note);
	}
	rc |= sl_buf_puts(d, ",\"via\":");
	rc |= sl_buf_json_string(d, a && a->via ? a->via : "cli");
	rc |= sl_buf_putc(d, '}');
	return rc;
}

static int find_open(sl_store *st, int64_t owner, int64_t grantee, int64_t *id, sl_error *err)
{
	sl_stmt *s;
	int rc = sl_store_prepare(st,
	                          "SELECT id FROM pooling_shares WHERE owner_id = ?1 AND grantee_id = ?2 "
	                          "AND revoked_at IS NULL",
	                          &s, err);
	if (rc)
		return rc;
	sl_stmt_bind_int64(s, 1, owner);
	sl_stmt_bind_int64(s, 2, grantee);
	rc = sl_stmt_step(s, err);
	*id = rc == 1 ? sl_stmt_int64(s, 0) : 0;
	sl_stmt_free(s);
	return rc < 0 ? rc : 0;
}

static int check_parties(sl_store *st, const char *owner_ext, const char *grantee_ext, int64_t *owner,
                         int64_t *grantee, sl_error *err)
{
	char ok[16], gk[16];
	int rc;
	if ((rc = sl_board_org(st, owner_ext, owner, ok, err)) ||
	    (rc = sl_board_org(st, grantee_ext, grantee, gk, err)))
		return rc;
	if (strcmp(ok, "supplier"))
		return sl_error_set(err, SL_EINVAL, "owner '%.64s' is a %s, not a supplier", owner_ext, ok);
	if (strcmp(gk, "supplier") && strcmp(gk, "carrier"))
		return sl_error_set(err, SL_EINVAL, "grantee '%.64s' is a %s, not a supplier or carrier",
		                    grantee_ext, gk);
	if (*owner == *grantee)
		return sl_error_set(err, SL_EINVAL, "an organisation cannot share with itself");
	return 0;
}

int sl_share_grant(sl_store *st, const char *owner_ext, const char *grantee_ext, const char *note,
                   const sl_board_actor *actor, int64_t *id_out, sl_error *err)
{
	int64_t owner, grantee, id = 0;
	int rc = check_parties(st, owner_ext, grantee_ext, &owner, &grantee, err);
	if (rc)
		return rc;
	if (note && strlen(note) > 200)
		return sl_error_set(err, SL_EINVAL, "note: longer than 200 bytes");
	int own_tx = !sl_store_in_transaction(st);
	if (own_tx && (rc = sl_store_begin(st, err)))
		return rc;
	rc = find_open(st, owner, grantee, &id, err);
	if (!rc && !id) {
		char by[96];
		sl_board_actor_label(actor, by, sizeof by);
		sl_stmt *s;
		rc = sl_store_prepare(st,
		                      "INSERT INTO pooling_shares(owner_id, grantee_id, granted_at, granted_by, "
		                      "note) VALUES (?1, ?2, ?3, ?4, ?5)",
		                      &s, err);
		if (!rc) {
			sl_stmt_bind_int64(s, 1, owner);
			sl_stmt_bind_int64(s, 2, grantee);
			sl_stmt_bind_int64(s, 3, (int64_t)time(NULL));
			sl_stmt_bind_text(s, 4, by);
			sl_stmt_bind_text(s, 5, note);
			rc = sl_stmt_step(s, err);
			rc = rc < 0 ? rc : 0;
			sl_stmt_free(s);
			id = sl_store_last_insert_id(st);
		}
		if (!rc) {
			char ids[64];
			sl_buf d = {0};
			snprintf(ids, sizeof ids, "{\"share_id\":%lld}", (long long)id);
			if (detail_json(&d, owner_ext, grantee_ext, note, actor))
				rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			else
				rc = sl_board_audit(st, actor, "share.grant", "pooling_shares", ids, d.data, err);
			sl_buf_free(&d);
		}
	}
	if (own_tx) {
		if (!rc)
			rc = sl_store_commit(st, err);
		else
			sl_store_rollback(st);
	}
	if (!rc && id_out)
		*id_out = id;
	return rc;
}

int sl_share_revoke(sl_store *st, const char *owner_ext, const char *grantee_ext,
                    const sl_board_actor *actor, sl_error *err)
{
	int64_t owner, grantee, id = 0;
	char ok[16], gk[16];
	int rc;
	if ((rc = sl_board_org(st, owner_ext, &owner, ok, err)) ||
	    (rc = sl_board_org(st, grantee_ext, &grantee, gk, err)))
		return rc;
	int own_tx = !sl_store_in_transaction(st);
	if (own_tx && (rc = sl_store_begin(st, err)))
		return rc;
	rc = find_open(st, owner, grantee, &id, err);
	if (!rc && !id)
		rc = sl_error_set(err, SL_ENOTFOUND, "'%.64s' does not share with '%.64s'", owner_ext,
		                  grantee_ext);
	if (!rc) {
		char by[96];
		sl_board_actor_label(actor, by, sizeof by);
		sl_stmt *s;
		rc = sl_store_prepare(st,
		                      "UPDATE pooling_shares SET revoked_at = ?1, revoked_by = ?2 WHERE id = ?3",
		                      &s, err);
		if (!rc) {
			sl_stmt_bind_int64(s, 1, (int64_t)time(NULL));
			sl_stmt_bind_text(s, 2, by);
			sl_stmt_bind_int64(s, 3, id);
			rc = sl_stmt_step(s, err);
			rc = rc < 0 ? rc : 0;
			sl_stmt_free(s);
		}
	}
	if (!rc) {
		char ids[64];
		sl_buf d = {0};
		snprintf(ids, sizeof ids, "{\"share_id\":%lld}", (long long)id);
		if (detail_json(&d, owner_ext, grantee_ext, NULL, actor))
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		else
			rc = sl_board_audit(st, actor, "share.revoke", "pooling_shares", ids, d.data, err);
		sl_buf_free(&d);
	}
	if (own_tx) {
		if (!rc)
			rc = sl_store_commit(st, err);
		else
			sl_store_rollback(st);
	}
	return rc;
}

int sl_share_list(sl_store *st, const char *org_ext, int history, sl_share **out, size_t *n,
                  sl_error *err)
{
	*out = NULL;
	*n = 0;
	int64_t org = 0;
	int rc;
	if (org_ext && (rc = sl_board_org(st, org_ext, &org, NULL, err)))
		return rc;
	sl_stmt *s;
	rc = sl_store_prepare(st,
	                      "SELECT p.id, o.ext_id, g.ext_id, p.granted_at, COALESCE(p.revoked_at, 0), "
	                      "p.granted_by, COALESCE(p.revoked_by, ''), COALESCE(p.note, '') "
	                      "FROM pooling_shares p JOIN organisations o ON o.id = p.owner_id "
	                      "JOIN organisations g ON g.id = p.grantee_id "
	                      "WHERE (?1 = 0 OR p.owner_id = ?1 OR p.grantee_id = ?1) "
	                      "AND (?2 = 1 OR p.revoked_at IS NULL) ORDER BY p.id",
	                      &s, err);
	if (rc)
		return rc;
	sl_stmt_bind_int64(s, 1, org);
	sl_stmt_bind_int64(s, 2, history ? 1 : 0);
	size_t cap = 0;
	while ((rc = sl_stmt_step(s, err)) == 1) {
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			sl_share *g = realloc(*out, nc * sizeof *g);
			if (!g) {
				rc = sl_error_set(err, SL_ENOMEM, "out of memory");
				break;
			}
			*out = g;
			cap = nc;
		}
		sl_share *x = &(*out)[(*n)++];
		memset(x, 0, sizeof *x);
		x->id = sl_stmt_int64(s, 0);
		snprintf(x->owner, sizeof x->owner, "%s", sl_stmt_text(s, 1));
		snprintf(x->grantee, sizeof x->grantee, "%s", sl_stmt_text(s, 2));
		x->granted_at = sl_stmt_int64(s, 3);
		x->revoked_at = sl_stmt_int64(s, 4);
		snprintf(x->granted_by, sizeof x->granted_by, "%s", sl_stmt_text(s, 5));
		snprintf(x->revoked_by, sizeof x->revoked_by, "%s", sl_stmt_text(s, 6));
		snprintf(x->note, sizeof x->note, "%s", sl_stmt_text(s, 7));
	}
	sl_stmt_free(s);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return rc;
	}
	return 0;
}

int sl_board_viewer_for(sl_store *st, const char *org_ext, sl_pooling_viewer *v, sl_error *err)
{
	char kind[16];
	int64_t id;
	int rc = sl_board_org(st, org_ext, &id, kind, err);
	if (rc)
		return rc;
	v->org_id = id;
	if (!strcmp(kind, "city")) {
		v->kind = SL_VIEWER_CITY;
		v->org_id = 0;
	} else if (!strcmp(kind, "unit")) {
		v->kind = SL_VIEWER_UNIT;
	} else if (!strcmp(kind, "supplier")) {
		v->kind = SL_VIEWER_SUPPLIER;
	} else if (!strcmp(kind, "carrier")) {
		v->kind = SL_VIEWER_CARRIER;
	} else {
		return sl_error_set(err, SL_EPERM, "'%.64s' is a %s; the board has no view for it", org_ext,
		                    kind);
	}
	return 0;
}
