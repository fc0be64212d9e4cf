-- 0006_pooling.sql — the groupage board: opt-in sharing between named
-- parties and explicit matches of announcements to actual deliveries
-- (issue 7, items 1 and 2; docs/pooling.md).
--
-- An announcement itself is a deliveries row with status 'announced' (the
-- ledger's validation, idempotency and row_history apply).  Two tables add
-- what the ledger cannot say:
--   * pooling_shares: the owner (a supplier) lets the grantee (a supplier
--     or carrier) see its board rows by name.  A grant is never deleted:
--     revoking sets revoked_at, so the history stays; who did what is also
--     in audit_log.  At most one open grant per (owner, grantee).
--   * announcement_matches: an announcement confirmed by a delivered row
--     that has another id.  The announced row is left as it was (its ledger
--     history stays truthful); the board treats a matched announcement as
--     confirmed and shows the delivered row only.  `pooled` marks a
--     confirmed announcement that was carried together with other
--     suppliers' goods (realised pooling).
CREATE TABLE pooling_shares (
  id            INTEGER PRIMARY KEY,
  owner_id      INTEGER NOT NULL REFERENCES organisations(id),
  grantee_id    INTEGER NOT NULL REFERENCES organisations(id),
  granted_at    INTEGER NOT NULL,               -- UTC seconds
  granted_by    TEXT NOT NULL,                  -- 'cli' or 'api:role#token'
  revoked_at    INTEGER,                        -- NULL while in force
  revoked_by    TEXT,
  note          TEXT,
  CHECK (owner_id <> grantee_id)
);
CREATE INDEX pooling_shares_grantee ON pooling_shares(grantee_id, revoked_at);
CREATE INDEX pooling_shares_owner ON pooling_shares(owner_id, revoked_at);

CREATE TABLE announcement_matches (
  announcement_id INTEGER PRIMARY KEY REFERENCES deliveries(id),
  delivery_id   INTEGER NOT NULL UNIQUE REFERENCES deliveries(id),
  matched_at    INTEGER NOT NULL,
  matched_by    TEXT NOT NULL,
  pooled        INTEGER NOT NULL DEFAULT 0 CHECK (pooled = 0 OR pooled = 1)
);
