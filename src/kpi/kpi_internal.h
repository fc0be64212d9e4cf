/* kpi_internal.h — shared between the kpi module's files: the query
 * families (one SQL query each) and the catalogue's family table. */
#ifndef SL_KPI_INTERNAL_H
#define SL_KPI_INTERNAL_H

#include "samlast/kpi.h"

enum {
	F_STOPS = 1u << 0,     /* per-stop counts: mass, volume, windows */
	F_DELIV = 1u << 1,     /* supplier-site-day deliveries and pooling */
	F_VEH = 1u << 2,       /* vehicle visits */
	F_UNITS = 1u << 3,     /* receiving units */
	F_ORDERS = 1u << 4,    /* orders, contract fidelity, small orders */
	F_FILL = 1u << 5,      /* trip fill rates */
	F_KM = 1u << 6,        /* vehicle-km */
	F_SUPP = 1u << 7,      /* suppliers and local suppliers */
	F_EMIS = 1u << 8,      /* CO2e from delivery_emissions */
	F_FLEET = 1u << 9,     /* vehicle data, Euro class, energy carrier */
	F_HOURS = 1u << 10,    /* receiving-hours compliance */
	F_CONTRACT = 1u << 11, /* the contract test of each order */
	F_HUB = 1u << 12,      /* hub-operation CO2e from delivery_hub_emissions */
};

/* kpi_family[i] is the family mask of sl_kpi_defs()[i]. */
extern const unsigned kpi_family[];
extern const size_t kpi_count;

#endif
