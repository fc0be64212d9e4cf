-- 0003_access.sql — API tokens and the audit log of the HTTP server.
--
-- A token is 32 random bytes (libsodium), shown once to its creator and
-- stored only as its BLAKE2b-256 hash (hex): the tokens are high-entropy, so
-- a fast unsalted hash cannot be reversed by guessing.  Roles: admin, city,
-- supplier, unit, public.  Every write through the API (imports, token
-- management) leaves an audit_log row naming the token, the action and the
-- rows touched (an import id, a token id).

CREATE TABLE api_tokens (
  id            INTEGER PRIMARY KEY,
  org_id        INTEGER REFERENCES organisations(id),
  role          TEXT NOT NULL CHECK (role = 'admin' OR role = 'city' OR role = 'supplier' OR role = 'unit' OR role = 'public'),
  token_hash    TEXT NOT NULL UNIQUE,
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER,                     -- UTC seconds; NULL = never
  revoked_at    INTEGER,
  label         TEXT
);

CREATE TABLE audit_log (
  id            INTEGER PRIMARY KEY,
  at            INTEGER NOT NULL,            -- UTC seconds
  token_id      INTEGER REFERENCES api_tokens(id),
  role          TEXT NOT NULL,
  org_id        INTEGER REFERENCES organisations(id),
  action        TEXT NOT NULL,               -- 'import', 'token.create', 'token.revoke'
  target        TEXT NOT NULL,               -- e.g. the import kind or 'api_tokens'
  row_ids       TEXT,                        -- JSON: {"import_id":7} or {"token_id":3}
  detail        TEXT                         -- JSON summary (counts, label)
);
CREATE INDEX audit_log_at ON audit_log(at);
