/* defs.c — the KPI catalogue: identifiers, names (English and Swedish),
 * units and one-line formulas, in display order.  docs/kpi.md is the long
 * form; the dashboard and the CLI read this table.  The family bits tell
 * kpi.c which SQL queries a KPI needs, so that `only` computes just those. */
#include "kpi_internal.h"

#include <string.h>

static const sl_kpi_def defs[] = {
    {"deliveries", "Deliveries", "Leveranser", "count",
     "Distinct (supplier, site, local day) with status delivered.", 0, -1, 1, 0},
    {"deliveries_per_unit_week", "Deliveries per unit and week", "Leveranser per enhet och vecka",
     "per unit and week",
     "Deliveries ÷ (receiving units with deliveries in the period × days ÷ 7).", 2, -1, 0, 0},
    {"stops", "Stops", "Stopp", "count",
     "Delivered delivery rows (each one vehicle stop of one supplier).", 0, -1, 1, 0},
    {"stops_per_unit_week", "Stops per unit and week", "Stopp per enhet och vecka",
     "per unit and week", "Stops ÷ (receiving units × days ÷ 7).", 2, -1, 0, 0},
    {"vehicles_per_unit_week", "Vehicle visits per unit and week",
     "Fordonsbesök per enhet och vecka", "per unit and week",
     "Distinct (vehicle, site, day) — a stop without a known vehicle counts alone — ÷ (units × "
     "weeks).",
     2, -1, 0, 0},
    {"receiving_units", "Receiving units", "Mottagande enheter", "count",
     "Distinct sites with at least one delivered delivery.", 0, 0, 0, 0},
    {"orders", "Orders", "Beställningar", "count", "Orders with order day in the period.", 0, -1, 1,
     0},
    {"order_lines", "Order lines", "Orderrader", "count", "Sum of the orders' line counts.", 0, 0,
     1, 0},
    {"order_value_sek", "Order value", "Ordervärde", "SEK", "Sum of order values.", 0, 0, 1, 0},
    {"contract_fidelity_pct", "Contract fidelity", "Avtalstrohet", "%",
     "Order value covered by a contract valid on the order day (same supplier and category, "
     "or the order's own contract) ÷ all order value.",
     1, 1, 0, 0},
    {"small_order_share_pct", "Small-order share", "Andel småordrar", "%",
     "Orders below the small-order threshold ÷ all orders.", 1, -1, 0, 0},
    {"deliveries_per_order", "Deliveries per order", "Leveranser per order", "ratio",
     "Deliveries ÷ orders.", 2, -1, 0, 0},
    {"mass_kg", "Mass delivered", "Levererad vikt", "kg", "Sum of delivered mass.", 0, 0, 1, 0},
    {"volume_m3", "Volume delivered", "Levererad volym", "m³", "Sum of delivered volume.", 1, 0, 1,
     0},
    {"fill_rate_mass_pct", "Fill rate by weight", "Fyllnadsgrad vikt", "%",
     "Mean over trips with a known vehicle capacity of (trip's delivered kg ÷ capacity kg).", 1, 1,
     0, 0},
    {"fill_rate_volume_pct", "Fill rate by volume", "Fyllnadsgrad volym", "%",
     "Mean over trips with a known vehicle capacity of (trip's delivered m³ ÷ capacity m³).", 1, 1,
     0, 0},
    {"vehicle_known_pct", "Stops with vehicle data", "Stopp med fordonsdata", "%",
     "Stops whose vehicle (directly or via the trip) is known ÷ stops.", 1, 1, 0, 0},
    {"euro6_share_pct", "Euro VI or zero-emission", "Andel Euro VI eller nollutsläpp", "%",
     "Stops by vehicles with Euro class ≥ 6 or running on electricity/hydrogen ÷ stops with a "
     "known vehicle.",
     1, 1, 0, 0},
    {"fossil_free_share_pct", "Fossil-free vehicles", "Andel fossilfria fordon", "%",
     "Stops by vehicles on HVO100, FAME100, CBG, LBG, electricity, hydrogen or ED95 ÷ stops with "
     "a known vehicle.",
     1, 1, 0, 0},
    {"receiving_hours_pct", "Within receiving hours", "Inom mottagningstid", "%",
     "Stops on a receiving day within the site's receiving hours ÷ stops at sites with hours.", 1,
     1, 0, 0},
    {"punctuality_pct", "Punctuality", "Leveransprecision", "%",
     "Stops within the agreed window ± tolerance ÷ stops with a window.", 1, 1, 0, 0},
    {"pooling_potential", "Pooling potential", "Samlastningspotential", "deliveries",
     "Sum over site-days of (distinct suppliers − 1): deliveries that one pooled delivery would "
     "replace.",
     0, -1, 1, 0},
    {"pooling_potential_pct", "Pooling potential share", "Andel samlastningspotential", "%",
     "Pooling potential ÷ deliveries.", 1, -1, 0, 0},
    {"pooling_share_pct", "Deliveries sharing a site-day", "Leveranser med delad mottagardag", "%",
     "Deliveries to a site on a day when another supplier also delivered ÷ deliveries.", 1, 0, 0,
     0},
    {"suppliers", "Suppliers", "Leverantörer", "count",
     "Distinct suppliers with orders or deliveries.", 0, 0, 0, 0},
    {"local_suppliers", "Local suppliers", "Lokala leverantörer", "count",
     "Distinct suppliers marked local with orders or deliveries.", 0, 1, 0, 0},
    {"vehicle_km", "Vehicle-km", "Fordonskilometer", "km",
     "Sum of trip distances; with a unit/supplier filter or grouping, each trip's distance is "
     "shared by its stops in scope.",
     0, -1, 1, 0},
    {"co2e_wtw_kg", "CO2e well-to-wheel", "CO2e (well-to-wheel)", "kg",
     "Sum of the deliveries' allocated well-to-wheel emissions.", 0, -1, 1, 1},
    {"co2e_per_stop_kg", "CO2e per stop", "CO2e per stopp", "kg per stop",
     "CO2e ÷ stops with an emission result.", 2, -1, 0, 1},
    {"co2e_kg_per_t", "CO2e intensity", "CO2e-intensitet", "kg per tonne",
     "CO2e ÷ delivered tonnes (stops with emissions and a mass).", 1, -1, 0, 1},
    {"co2e_primary_pct", "Emissions from primary data", "Andel primärdata", "%",
     "Stops whose emission result is based on primary (measured fuel) data ÷ stops with a "
     "result.",
     1, 1, 0, 1},
    {"co2e_hub_kg", "CO2e of hub operations", "CO2e från hubbar (omlastning)", "kg",
     "Sum of the hub-operation charges (mass x the hub's g CO2e per tonne handled) of the "
     "delivered rows; no value when no hub period is recorded.",
     0, -1, 1, 1},
    {"co2e_chain_kg", "CO2e of the transport chain", "CO2e för transportkedjan", "kg",
     "Transport CO2e well-to-wheel plus hub operations: the ISO 14083 transport chain total.",
     0, -1, 1, 1},
};
#define NDEFS (sizeof defs / sizeof defs[0])

/* Which query families each KPI needs, parallel to defs[]. */
const unsigned kpi_family[] = {
    F_DELIV,
    F_DELIV | F_UNITS,
    F_STOPS,
    F_STOPS | F_UNITS,
    F_VEH | F_UNITS,
    F_UNITS,
    F_ORDERS,
    F_ORDERS,
    F_ORDERS,
    F_ORDERS | F_CONTRACT,
    F_ORDERS,
    F_DELIV | F_ORDERS,
    F_STOPS,
    F_STOPS,
    F_FILL,
    F_FILL,
    F_FLEET,
    F_FLEET,
    F_FLEET,
    F_HOURS,
    F_STOPS,
    F_DELIV,
    F_DELIV,
    F_DELIV,
    F_SUPP,
    F_SUPP,
    F_KM,
    F_EMIS,
    F_EMIS,
    F_EMIS,
    F_EMIS,
    F_HUB,
    F_EMIS | F_HUB,
};
const size_t kpi_count = NDEFS;
_Static_assert(sizeof kpi_family / sizeof kpi_family[0] == NDEFS, "kpi_family matches defs");

const sl_kpi_def *sl_kpi_defs(size_t *count)
{
	if (count)
		*count = NDEFS;
	return defs;
}

const sl_kpi_def *sl_kpi_def_find(const char *id)
{
	for (size_t i = 0; id && i < NDEFS; i++)
		if (strcmp(defs[i].id, id) == 0)
			return &defs[i];
	return NULL;
}
