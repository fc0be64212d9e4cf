-- 0005_hubs.sql — hub (consolidation centre) operations per ISO 14083:2023
-- (clause 5.5.2, hub operation category), written by `samlast emissions
-- hub` and `samlast emissions recompute` (src/emissions/hubs.c).
--
-- A hub period is what a hub operator reports: the energy its operation used
-- from from_day to to_day (local days, inclusive) and the tonnes it handled.
-- Its emissions are that energy x the carrier's factor; the intensity is
-- g CO2e per tonne handled.  Every delivery on a trip that leaves the hub's
-- site within the period is charged its mass x that intensity (rounded to
-- grams; the charges need not add up to the period, which also handled
-- goods outside samlast).  Hub figures are primary data (measured energy).
CREATE TABLE hub_periods (
  id             INTEGER PRIMARY KEY,
  site_id        INTEGER NOT NULL REFERENCES sites(id),
  from_day       INTEGER NOT NULL,
  to_day         INTEGER NOT NULL CHECK (to_day >= from_day),
  energy_carrier TEXT NOT NULL,
  energy_amount  REAL NOT NULL CHECK (energy_amount >= 0),
  energy_unit    TEXT NOT NULL CHECK (energy_unit IN ('l', 'kg', 'kWh', 'MJ')),
  handled_t      REAL NOT NULL CHECK (handled_t > 0),
  updated_at     INTEGER NOT NULL,
  UNIQUE (site_id, from_day)
);

CREATE TABLE hub_emissions (
  hub_period_id  INTEGER PRIMARY KEY REFERENCES hub_periods(id) ON DELETE CASCADE,
  factor_set     TEXT NOT NULL,
  factor_version TEXT NOT NULL,
  factor_id      TEXT NOT NULL,
  wtw_g          INTEGER NOT NULL,
  ttw_g          INTEGER,
  wtt_g          INTEGER,
  energy_mj      REAL,
  wtw_g_per_t    REAL NOT NULL,
  computed_at    INTEGER NOT NULL
);

CREATE TABLE delivery_hub_emissions (
  delivery_id    INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
  hub_period_id  INTEGER NOT NULL REFERENCES hub_periods(id) ON DELETE CASCADE,
  wtw_g          INTEGER NOT NULL,
  ttw_g          INTEGER,
  quality        TEXT NOT NULL CHECK (quality = 'primary' OR quality = 'modelled' OR quality = 'default'),
  computed_at    INTEGER NOT NULL,
  PRIMARY KEY (delivery_id, hub_period_id)
);
CREATE INDEX delivery_hub_emissions_hub ON delivery_hub_emissions(hub_period_id);
