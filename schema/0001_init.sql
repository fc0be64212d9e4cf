-- 0001_init.sql — the delivery-data ledger.
--
-- Shared by SQLite and PostgreSQL: only INTEGER (64-bit), REAL
-- (double precision), TEXT and NULL.  Conventions:
--   * instants are UTC seconds since 1970 (…_at), calendar days are day
--     numbers since 1970-01-01 in Europe/Stockholm local time (…_day),
--     times of day are minutes after local midnight (…_min);
--   * money is öre (SEK × 100) as INTEGER; masses kg, volumes m³, distances m;
--   * ext_id is the identifier the data's owner uses in its own files; the
--     idempotency key of a row is (its owner, ext_id) — see docs/formats.md;
--   * revision counts changes; the previous versions of a changed row are kept
--     in row_history (as JSON), so nothing imported is ever lost;
--   * enumerations are checked with OR chains, not IN lists: SQLite builds an
--     ephemeral index for an IN list in a CHECK on every insert, which cost
--     about half of the import time.

CREATE TABLE organisations (
  id            INTEGER PRIMARY KEY,
  ext_id        TEXT NOT NULL UNIQUE,
  kind          TEXT NOT NULL CHECK (kind = 'city' OR kind = 'unit' OR kind = 'supplier' OR kind = 'carrier' OR kind = 'other'),
  name          TEXT NOT NULL,
  org_number    TEXT,
  gln           TEXT,
  category      TEXT,
  is_local      INTEGER NOT NULL DEFAULT 0 CHECK (is_local = 0 OR is_local = 1),
  parent_id     INTEGER REFERENCES organisations(id),
  revision      INTEGER NOT NULL DEFAULT 1,
  updated_at    INTEGER NOT NULL,
  row_hash      TEXT NOT NULL
);

CREATE TABLE sites (
  id            INTEGER PRIMARY KEY,
  ext_id        TEXT NOT NULL UNIQUE,
  org_id        INTEGER NOT NULL REFERENCES organisations(id),
  name          TEXT NOT NULL,
  unit_type     TEXT NOT NULL CHECK (unit_type = 'school' OR unit_type = 'preschool' OR unit_type = 'care_home' OR unit_type = 'central_kitchen' OR unit_type = 'office' OR unit_type = 'depot' OR unit_type = 'hub' OR unit_type = 'other'),
  address       TEXT,
  postcode      TEXT,
  city          TEXT,
  lon           REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
  lat           REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
  gln           TEXT,
  recv_days     INTEGER NOT NULL DEFAULT 31,  -- bit 0 = Monday … bit 6 = Sunday
  recv_from_min INTEGER,
  recv_to_min   INTEGER,
  revision      INTEGER NOT NULL DEFAULT 1,
  updated_at    INTEGER NOT NULL,
  row_hash      TEXT NOT NULL
);
CREATE INDEX sites_org ON sites(org_id);

CREATE TABLE contracts (
  id            INTEGER PRIMARY KEY,
  ext_id        TEXT NOT NULL UNIQUE,
  supplier_id   INTEGER NOT NULL REFERENCES organisations(id),
  category      TEXT NOT NULL,
  title         TEXT,
  valid_from_day INTEGER NOT NULL,
  valid_to_day  INTEGER,                       -- inclusive; NULL = open-ended
  revision      INTEGER NOT NULL DEFAULT 1,
  updated_at    INTEGER NOT NULL,
  row_hash      TEXT NOT NULL
);
CREATE INDEX contracts_supplier ON contracts(supplier_id, category);

CREATE TABLE vehicles (
  id            INTEGER PRIMARY KEY,
  carrier_id    INTEGER NOT NULL REFERENCES organisations(id),
  ext_id        TEXT NOT NULL,
  reg_plate     TEXT,
  vehicle_class TEXT NOT NULL,
  energy_carrier TEXT NOT NULL,
  euro_class    INTEGER CHECK (euro_class BETWEEN 0 AND 7),  -- NULL: unknown or zero-emission
  capacity_kg   REAL,
  capacity_m3   REAL,
  capacity_pallets INTEGER,
  temp_classes  TEXT,
  revision      INTEGER NOT NULL DEFAULT 1,
  updated_at    INTEGER NOT NULL,
  row_hash      TEXT NOT NULL,
  UNIQUE (carrier_id, ext_id)
);

CREATE TABLE trips (
  id            INTEGER PRIMARY KEY,
  carrier_id    INTEGER NOT NULL REFERENCES organisations(id),
  ext_id        TEXT NOT NULL,
  vehicle_id    INTEGER REFERENCES vehicles(id),
  origin_site_id INTEGER REFERENCES sites(id),
  start_at      INTEGER NOT NULL,
  end_at        INTEGER,
  local_day     INTEGER NOT NULL,
  distance_m    INTEGER,
  fuel_used     REAL,
  fuel_unit     TEXT,
  energy_carrier TEXT,
  revision      INTEGER NOT NULL DEFAULT 1,
  updated_at    INTEGER NOT NULL,
  row_hash      TEXT NOT NULL,
  UNIQUE (carrier_id, ext_id)
);
CREATE INDEX trips_day ON trips(local_day);

CREATE TABLE orders (
  id            INTEGER PRIMARY KEY,
  supplier_id   INTEGER NOT NULL REFERENCES organisations(id),
  ext_id        TEXT NOT NULL,
  site_id       INTEGER NOT NULL REFERENCES sites(id),
  category      TEXT NOT NULL,
  ordered_at    INTEGER NOT NULL,
  order_day     INTEGER NOT NULL,
  requested_day INTEGER,
  value_ore     INTEGER NOT NULL,
  line_count    INTEGER NOT NULL DEFAULT 1,
  contract_id   INTEGER REFERENCES contracts(id),  -- explicitly referenced, if any
  revision      INTEGER NOT NULL DEFAULT 1,
  updated_at    INTEGER NOT NULL,
  row_hash      TEXT NOT NULL,
  UNIQUE (supplier_id, ext_id)
);
CREATE INDEX orders_day ON orders(order_day);
CREATE INDEX orders_site_day ON orders(site_id, order_day);

CREATE TABLE order_lines (
  order_id      INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  line_id       TEXT NOT NULL,
  item          TEXT,
  gtin          TEXT,
  quantity      REAL NOT NULL,
  unit_code     TEXT,
  value_ore     INTEGER NOT NULL,
  PRIMARY KEY (order_id, line_id)
);

CREATE TABLE deliveries (
  id            INTEGER PRIMARY KEY,
  supplier_id   INTEGER NOT NULL REFERENCES organisations(id),
  ext_id        TEXT NOT NULL,
  carrier_id    INTEGER REFERENCES organisations(id),
  site_id       INTEGER NOT NULL REFERENCES sites(id),
  vehicle_id    INTEGER REFERENCES vehicles(id),
  trip_id       INTEGER REFERENCES trips(id),
  stop_seq      INTEGER,
  status        TEXT NOT NULL DEFAULT 'delivered'
                  CHECK (status = 'announced' OR status = 'delivered' OR status = 'cancelled'),
  delivered_at  INTEGER NOT NULL,
  local_day     INTEGER NOT NULL,
  local_min     INTEGER NOT NULL,
  window_from_min INTEGER,
  window_to_min INTEGER,
  parcels       INTEGER,
  mass_kg       REAL,
  volume_m3     REAL,
  temp_class    TEXT NOT NULL DEFAULT 'ambient'
                  CHECK (temp_class = 'ambient' OR temp_class = 'chilled' OR temp_class = 'frozen' OR temp_class = 'mixed'),
  revision      INTEGER NOT NULL DEFAULT 1,
  updated_at    INTEGER NOT NULL,
  row_hash      TEXT NOT NULL,
  UNIQUE (supplier_id, ext_id)
);
CREATE INDEX deliveries_day ON deliveries(local_day);
CREATE INDEX deliveries_site_day ON deliveries(site_id, local_day);
CREATE INDEX deliveries_supplier_day ON deliveries(supplier_id, local_day);
CREATE INDEX deliveries_trip ON deliveries(trip_id, stop_seq);

CREATE TABLE delivery_orders (
  delivery_id   INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
  order_id      INTEGER NOT NULL REFERENCES orders(id),
  PRIMARY KEY (delivery_id, order_id)
);
CREATE INDEX delivery_orders_order ON delivery_orders(order_id);

-- One row per import batch (CLI or API), committed with the batch.
CREATE TABLE imports (
  id            INTEGER PRIMARY KEY,
  kind          TEXT NOT NULL,
  source_name   TEXT NOT NULL,
  actor         TEXT,
  started_at    INTEGER NOT NULL,
  rows_inserted INTEGER NOT NULL DEFAULT 0,
  rows_updated  INTEGER NOT NULL DEFAULT 0,
  rows_unchanged INTEGER NOT NULL DEFAULT 0,
  rows_rejected INTEGER NOT NULL DEFAULT 0
);

-- Earlier versions of changed rows.
CREATE TABLE row_history (
  tbl           TEXT NOT NULL,
  row_id        INTEGER NOT NULL,
  revision      INTEGER NOT NULL,
  data          TEXT NOT NULL,
  superseded_at INTEGER NOT NULL,
  import_id     INTEGER REFERENCES imports(id),
  PRIMARY KEY (tbl, row_id, revision)
);

-- Small city-wide settings (e.g. kpi.small_order_ore).
CREATE TABLE settings (
  key           TEXT PRIMARY KEY,
  value         TEXT NOT NULL
);
