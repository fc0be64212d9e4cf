-- 0009_data_version.sql — a counter for changes that are not imports.
--
-- The server caches answers (KPIs, pooling, ordering, follow-up) until the
-- data change.  Imports are seen through imports.id; writers that change
-- derived data without an import (`samlast emissions recompute`,
-- `samlast emissions hub`) bump this counter in their transaction
-- (sl_store_bump_data_version), so a running server does not keep serving
-- CO2e figures computed before them.
CREATE TABLE data_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n  INTEGER NOT NULL
);
INSERT INTO data_version (id, n) VALUES (1, 0);
