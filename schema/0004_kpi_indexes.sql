-- 0004_kpi_indexes.sql — covering indexes for the KPI queries (src/kpi/kpi.c).
--
-- Every KPI reads the delivered deliveries (or the orders) of a day range and
-- groups them by day, site and supplier.  With status first and the day
-- second, a range scan returns the rows already ordered by
-- (local_day, site_id, supplier_id), so "per site and day" groupings need no
-- sort, and the other columns the KPIs read are in the index, so the table
-- itself is not touched.  Measured on the demo year: bench/RESULTS-kpi.md.
CREATE INDEX deliveries_kpi ON deliveries(status, local_day, site_id, supplier_id,
  local_min, vehicle_id, trip_id, mass_kg, volume_m3, window_from_min, window_to_min);
CREATE INDEX orders_kpi ON orders(order_day, site_id, supplier_id, category, value_ore,
  line_count, contract_id);
