/* emissions.h — greenhouse-gas emissions of transport chains (ISO 14083:2023,
 * GLEC Framework).
 *
 * A factor set (a directory of CSV files, see data/emissions/README.md) gives
 * well-to-tank, tank-to-wheel and well-to-wheel factors per energy carrier and
 * default figures per vehicle class.  A transport chain (JSON, see
 * docs/emissions.md) is a list of trips (transport chain elements) with their
 * shipments, and hubs.  Each trip is computed by the best data available —
 * measured fuel/energy (primary), else distance x modelled consumption
 * (modelled), else tonne-km x default intensity (default) — and allocated to
 * its shipments by tonne-km with the largest-remainder method, so the parts
 * add up to the trip exactly.  All arithmetic is exact (rationals over
 * 128-bit integers on the decimal text of the inputs); rounding happens once,
 * at the end, by the rules in data/emissions/README.md. */
#ifndef SAMLAST_EMISSIONS_H
#define SAMLAST_EMISSIONS_H

#include <stddef.h>
#include <stdint.h>

#include "samlast/base.h"

typedef struct sl_emissions_set sl_emissions_set;

/* Load the factor set `name_or_dir`: a directory path (contains '/') or a
 * set name resolved under the data directory as emissions/NAME (NULL means
 * the default, "se-seed").  The directory holds factors.csv,
 * vehicle_defaults.csv, carrier_defaults.csv (optional) and VERSION.  On
 * success *out owns the set (free with sl_emissions_set_free).  Errors:
 * SL_ENOTFOUND (no such set), SL_EINVAL (a malformed file, with location),
 * SL_EIO, SL_ENOMEM. */
int sl_emissions_set_load(const char *name_or_dir, sl_emissions_set **out, sl_error *err);

/* Free a set (NULL is fine). */
void sl_emissions_set_free(sl_emissions_set *set);

/* The set's name and version (owned by the set). */
const char *sl_emissions_set_name(const sl_emissions_set *set);
const char *sl_emissions_set_version(const sl_emissions_set *set);

/* Data quality of a figure, best first (ISO 14083 primary/secondary data). */
typedef enum {
	SL_EM_PRIMARY = 0,  /* measured fuel or energy */
	SL_EM_MODELLED = 1, /* distance x modelled consumption */
	SL_EM_DEFAULT = 2,  /* tonne-km x default intensity */
} sl_em_quality;

/* How a figure was computed (ISO 14083 data hierarchy).  The quality of a
 * figure follows its method, except that a vehicle class mapped to another
 * class's consumption (a vehicle default with status mapped_assumption) is
 * computed by consumption but reported as SL_EM_DEFAULT quality. */
typedef enum {
	SL_EM_BY_FUEL = 0,        /* measured fuel/energy, or given totals */
	SL_EM_BY_CONSUMPTION = 1, /* distance x modelled consumption */
	SL_EM_BY_INTENSITY = 2,   /* tonne-km x default intensity */
} sl_em_method;

/* "primary", "modelled" or "default". */
const char *sl_emissions_quality_name(sl_em_quality q);

/* Compute a transport chain given as JSON text (`name` is used in error
 * locations) with `set`, and append the results as JSON to `out`.
 * Bad input (bad JSON, unknown fuel or factor, negative distance, mass or
 * fuel, missing mass, litres for a per-kg factor without a density, a
 * vehicle class without a usable default) gives SL_EINVAL with
 * FILE:LINE:COLUMN in err.  SL_ENOMEM on allocation failure. */
int sl_emissions_calc_json(const sl_emissions_set *set, const char *text, size_t len,
                           const char *name, sl_buf *out, sl_error *err);

/* One trip in the compact form the store uses (units in the names).  Inputs
 * that are not known are negative (fuel_amount, distance_m) or NULL. */
typedef struct {
	const char *vehicle_class;  /* may be NULL */
	const char *energy_carrier; /* may be NULL when there is no fuel */
	double fuel_amount;         /* measured, in fuel_unit; < 0 = unknown */
	const char *fuel_unit;      /* "l", "kg", "kWh", "MJ" */
	double distance_m;          /* whole trip incl. empty running; < 0 = unknown */
	size_t n_shipments;
	const double *mass_kg; /* n_shipments */
	const double *sfd_m;   /* n_shipments: shortest feasible distance from origin */
} sl_em_trip_in;

/* Figures for a trip or one shipment.  has_* is 0 when the figure is not
 * available (a WTW-only factor has no TTW/WTT; the default method has no
 * energy). */
typedef struct {
	int has_wtw, has_ttw, has_energy;
	int64_t wtw_g, ttw_g, wtt_g;
	int64_t energy_kj;
	double tkm;
	sl_em_quality quality;
	sl_em_method method;
	int assumption; /* 1: a mapped_assumption vehicle default was used */
} sl_em_figures;

/* Compute one trip with `set` (for the store's recompute and the importer).
 * `trip_out` gets the trip figures; `ship_out` (n_shipments, may be NULL)
 * the allocated parts.  `factor_id` (may be NULL, size factor_id_size)
 * receives the factor row or vehicle-default used.  Errors as
 * sl_emissions_calc_json, without a location. */
int sl_emissions_trip(const sl_emissions_set *set, const sl_em_trip_in *in, sl_em_figures *trip_out,
                      sl_em_figures *ship_out, char *factor_id, size_t factor_id_size,
                      sl_error *err);

struct sl_store;

/* What a recompute did. */
typedef struct {
	int64_t trips_done, trips_failed; /* trips with / without a figure */
	int64_t deliveries_on_trips;      /* deliveries given a share of a trip */
	int64_t deliveries_default;       /* trip-less, default intensity x tkm */
	int64_t deliveries_unresolved;    /* no figure: on a failed trip, or trip-less */
	int64_t by_quality[3];            /* trips by sl_em_quality */
	int64_t trips_vendor_example;     /* default was a vendor example: not for reporting */
	int64_t deliveries_by_quality[3]; /* deliveries with a figure, by sl_em_quality */
	int64_t deliveries_by_method[3];  /* deliveries with a figure, by sl_em_method */
	int64_t deliveries_assumption;    /* ... of which used a mapped_assumption default */
	int64_t deliveries_unknown_class; /* trip-less, no vehicle: class "unknown" used */
	int64_t trips_fuel_unusable;      /* measured fuel the factor set cannot use (e.g. kg
	                                   * of a carrier whose factor is per MJ, no energy
	                                   * content): computed by the next tier instead */
	char first_fuel_problem[512];     /* why, for the first such trip */
	char first_problem[512];          /* first trip/delivery that got no figure */
} sl_em_recompute_stats;

/* Detour factor applied to great-circle distances when no road graph is
 * used (shortest feasible distance ~ great circle x this). */
#define SL_EM_DETOUR_FACTOR 1.3

/* Recompute trip_emissions and delivery_emissions for the whole store in
 * one transaction (idempotent: the tables are replaced).  Trips use
 * trips.fuel_used/fuel_unit/energy_carrier/distance_m and the vehicle's
 * class and carrier; each delivery's SFD is the great-circle distance from
 * the trip's origin site (else the supplier's depot) to the delivery's site
 * x SL_EM_DETOUR_FACTOR.  Deliveries without a trip get the default
 * intensity of their vehicle's class x tkm from the supplier's depot (a
 * delivery without a vehicle uses the set's vehicle class "unknown", an
 * assumption the set documents); without mass or depot they are counted as
 * unresolved.  A trip that
 * cannot be computed (no data, gap default, missing mass) is counted, not
 * fatal.  Errors: SL_ESTORE, SL_ENOMEM. */
int sl_emissions_recompute(struct sl_store *st, const sl_emissions_set *set,
                           sl_em_recompute_stats *stats, sl_error *err);

/* Recompute only what is stale, for use right after an import (same rules
 * and outputs as sl_emissions_recompute otherwise).  Stale: a trip without
 * emissions, computed with another factor set or version, or whose figure is
 * not newer (updated_at, in seconds) than the trip, its vehicle, its origin
 * site or one of its deliveries or their sites; a trip one of whose
 * allocated deliveries has moved to another trip or been cancelled; a
 * trip-less delivery in the same state.  Figures of cancelled deliveries are
 * removed.  Runs in one transaction; called inside the importer's open
 * transaction it nests (sl_store_begin counts), so a failure undoes the
 * whole import.  `stats` counts only what was recomputed.  Errors:
 * SL_ESTORE, SL_ENOMEM. */
int sl_emissions_recompute_stale(struct sl_store *st, const sl_emissions_set *set,
                                 sl_em_recompute_stats *stats, sl_error *err);

/* For importers (CLI and HTTP upload): load the factor set `factors` (NULL:
 * the default) and run sl_emissions_recompute_stale, inside the caller's
 * transaction if one is open.  Returns 0; SL_ENOTFOUND when the factor set
 * is not installed (nothing was changed: the caller may warn and commit, a
 * later recompute catches up); SL_EINVAL for a malformed set; otherwise the
 * recompute's errors (the caller should roll back). */
int sl_emissions_refresh(struct sl_store *st, const char *factors, sl_em_recompute_stats *stats,
                         sl_error *err);

/* What a hub recompute did. */
typedef struct {
	int64_t periods_done, periods_failed; /* hub periods with / without a figure */
	int64_t deliveries_charged;           /* delivery_hub_emissions rows written */
	char first_problem[512];
} sl_em_hub_stats;

/* Recompute hub_emissions and delivery_hub_emissions (schema 0005_hubs.sql)
 * from hub_periods, replacing both, in one transaction (nested in the
 * caller's if open).  A period's emissions are its measured energy x the
 * energy carrier's factor (primary data; same factor rows, conversions and
 * rounding as a trip with measured fuel); its intensity is those grams ÷
 * handled_t; every non-cancelled delivery with a mass on a trip leaving the
 * hub's site within the period is charged mass (t) x intensity, rounded to
 * grams.  A period that cannot be computed (unknown carrier or unit) is
 * counted, not fatal.  Errors: SL_ESTORE, SL_ENOMEM. */
int sl_emissions_recompute_hubs(struct sl_store *st, const sl_emissions_set *set,
                                sl_em_hub_stats *stats, sl_error *err);

#endif
