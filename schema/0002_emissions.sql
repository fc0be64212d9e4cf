-- 0002_emissions.sql — emissions per trip and per delivery (ISO 14083:2023),
-- written by `samlast emissions recompute` (src/emissions/recompute.c).
--
-- Grams of CO2e are integers (rounded half away from zero, allocated by the
-- largest-remainder method so a trip's deliveries add up to the trip).  A
-- NULL ttw_g/wtt_g/energy_mj means "not available" (a WTW-only factor or a
-- default intensity), never 0.  factor_set/factor_version/factor_id say what
-- the figure was computed with; quality is the ISO 14083 data category.
CREATE TABLE trip_emissions (
  trip_id        INTEGER PRIMARY KEY REFERENCES trips(id) ON DELETE CASCADE,
  factor_set     TEXT NOT NULL,
  factor_version TEXT NOT NULL,
  factor_id      TEXT NOT NULL,
  method         TEXT NOT NULL,
  quality        TEXT NOT NULL CHECK (quality = 'primary' OR quality = 'modelled' OR quality = 'default'),
  wtw_g          INTEGER NOT NULL,
  ttw_g          INTEGER,
  wtt_g          INTEGER,
  energy_mj      REAL,
  tkm            REAL NOT NULL,
  computed_at    INTEGER NOT NULL
);

CREATE TABLE delivery_emissions (
  delivery_id    INTEGER PRIMARY KEY REFERENCES deliveries(id) ON DELETE CASCADE,
  trip_id        INTEGER REFERENCES trips(id) ON DELETE CASCADE,
  factor_set     TEXT NOT NULL,
  factor_version TEXT NOT NULL,
  factor_id      TEXT NOT NULL,
  method         TEXT NOT NULL,
  quality        TEXT NOT NULL CHECK (quality = 'primary' OR quality = 'modelled' OR quality = 'default'),
  wtw_g          INTEGER NOT NULL,
  ttw_g          INTEGER,
  wtt_g          INTEGER,
  energy_mj      REAL,
  tkm            REAL NOT NULL,
  sfd_m          REAL NOT NULL,
  computed_at    INTEGER NOT NULL
);
CREATE INDEX delivery_emissions_trip ON delivery_emissions(trip_id);
