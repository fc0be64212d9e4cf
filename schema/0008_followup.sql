-- 0008_followup.sql — baselines of the pilot follow-up (issue 7, item 5).
--
-- A baseline is the period whose weekly average a receiving unit's
-- deliveries, contract fidelity and small orders are compared with (e.g.
-- the weeks before the pilot started).  site_id NULL is the city-wide
-- default, used by every unit without its own.  Rows are never updated
-- except to close them: setting a new baseline sets superseded_at on the
-- current one and inserts a new row, so the history stays (who set what,
-- when; the change is also in audit_log).

CREATE TABLE followup_baselines (
  id            INTEGER PRIMARY KEY,
  site_id       INTEGER REFERENCES sites(id),   -- NULL: the city-wide default
  from_day      INTEGER NOT NULL,
  to_day        INTEGER NOT NULL CHECK (to_day >= from_day),
  set_at        INTEGER NOT NULL,               -- UTC seconds
  set_by        TEXT,                           -- role#token, e.g. 'city#3', 'cli'
  note          TEXT,
  superseded_at INTEGER                         -- NULL while current
);
CREATE INDEX followup_baselines_site ON followup_baselines(site_id, superseded_at);
