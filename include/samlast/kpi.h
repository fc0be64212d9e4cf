/* kpi.h — the city's delivery KPIs, computed over the store.
 *
 * Every KPI of docs/kpi.md (deliveries per receiving unit per week, contract
 * fidelity, small-order share, fill rate, Euro VI and fossil-free shares,
 * receiving-hours compliance, punctuality, pooling potential, …) is computed
 * with SQL over the ledger tables of schema/0001_init.sql, for a period
 * (local calendar days, inclusive), optionally restricted to one receiving
 * site and/or one supplier, and grouped by nothing, ISO week, month,
 * receiving unit or supplier.  With a baseline period every value also gets
 * the baseline's value and the change in percent.
 *
 * The result is plain data — rows of named numeric values, NAN meaning "not
 * available" (no data to divide by) — so that the CLI, the HTTP server and the
 * report module format it as they like; JSON and CSV writers are provided.
 *
 * CO2e KPIs appear only when the table delivery_emissions (migration 0002)
 * holds computed emissions (`samlast emissions recompute`); the check is made
 * at run time, so an empty table never reads as 0 kg.
 */
#ifndef SAMLAST_KPI_H
#define SAMLAST_KPI_H

#include <stdint.h>

#include "samlast/base.h"
#include "samlast/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "No day given" for the day fields of sl_kpi_query. */
#define SL_KPI_NO_DAY INT64_MIN

/* Default small-order threshold: orders below 1,000 SEK (in öre). */
#define SL_KPI_SMALL_ORDER_ORE_DEFAULT 100000
/* Default tolerance around an agreed delivery window, minutes (Borås: ±20). */
#define SL_KPI_PUNCTUALITY_TOLERANCE_MIN_DEFAULT 20

/* How rows are grouped. */
typedef enum sl_kpi_group {
	SL_KPI_BY_NONE = 0,       /* one row, key "all" */
	SL_KPI_BY_WEEK,           /* ISO week of the local day, key "2025-W07" */
	SL_KPI_BY_MONTH,          /* calendar month, key "2025-03" */
	SL_KPI_BY_UNIT,           /* receiving site, key = the site's ext id */
	SL_KPI_BY_SUPPLIER,       /* supplier, key = the supplier's ext id */
	SL_KPI_BY_VEHICLE_CLASS,  /* the stop's vehicle class (its own vehicle, else its
	                           * trip's), key e.g. "rigid_3.5_7.5t"; "unknown" when
	                           * none is known; orders have no vehicle: "unknown" */
	SL_KPI_BY_ENERGY_CARRIER, /* the trip's energy carrier, else the vehicle's, key
	                           * e.g. "hvo100"; "unknown" likewise */
} sl_kpi_group;

/* Parse "none", "week", "month", "unit", "supplier" into *out.  Returns 0 or
 * SL_EUSAGE (with a message naming the accepted values). */
int sl_kpi_group_parse(const char *s, sl_kpi_group *out, sl_error *err);

/* The name of a grouping ("week"); "?" for an unknown value. */
const char *sl_kpi_group_name(sl_kpi_group g);

/* A KPI's definition, for column headers, the dashboard and the docs. */
typedef struct sl_kpi_def {
	const char *id;          /* stable identifier, "contract_fidelity_pct" */
	const char *name_en;     /* "Contract fidelity" */
	const char *name_sv;     /* "Avtalstrohet" */
	const char *unit;        /* "%", "kg", "per unit and week", "count", … */
	const char *description; /* one sentence: the formula in words */
	int decimals;            /* suggested decimals when printing */
	int higher_is_better;    /* 1, -1 (lower is better) or 0 (neutral) */
	int extensive;           /* 1 when the value grows with the period's
	                          * length (a count or a sum); its baseline
	                          * change is compared per day */
	int needs_emissions;     /* 1 when it needs the delivery_emissions table */
} sl_kpi_def;

/* All KPI definitions, in display order; *count receives their number.  The
 * array is static (never freed).  Includes the CO2e KPIs, which a result
 * contains only when emissions are in the store (needs_emissions). */
const sl_kpi_def *sl_kpi_defs(size_t *count);

/* The definition with identifier `id`, or NULL. */
const sl_kpi_def *sl_kpi_def_find(const char *id);

/* What to compute.  Initialise with sl_kpi_query_init, then set fields.
 * Strings are borrowed for the duration of sl_kpi_compute. */
typedef struct sl_kpi_query {
	int64_t from_day;     /* first local day (inclusive) or SL_KPI_NO_DAY:
	                       * the earliest day with data */
	int64_t to_day;       /* last local day (inclusive) or SL_KPI_NO_DAY:
	                       * the latest day with data */
	const char *unit;     /* receiving site ext id, or NULL for all */
	const char *supplier; /* supplier organisation ext id, or NULL */
	sl_kpi_group by;
	int64_t baseline_from_day; /* both set, or both SL_KPI_NO_DAY (no baseline) */
	int64_t baseline_to_day;
	int64_t small_order_ore;       /* < 0: settings key kpi.small_order_ore, else
	                                * SL_KPI_SMALL_ORDER_ORE_DEFAULT */
	int punctuality_tolerance_min; /* < 0: settings key
	                                * kpi.punctuality_tolerance_min, else 20 */
	const char *only;              /* comma-separated KPI ids to compute, or NULL
	                                * for all (the others are NAN) */
} sl_kpi_query;

/* Set every field to its default (whole data range, no filters, no
 * grouping, no baseline, thresholds from settings). */
void sl_kpi_query_init(sl_kpi_query *q);

/* One row of a result.  value, baseline and change_pct have result->n_kpis
 * entries in the order of result->kpis; NAN means "not available" (e.g. a
 * share with nothing to divide by).  baseline and change_pct are NULL when
 * the query has no baseline. */
typedef struct sl_kpi_row {
	char key[96];     /* "all", "2025-W07", "2025-03", a site/supplier id */
	char label[160];  /* human label: period "2025-02-10..2025-02-16",
	                   * site name, supplier name; "All" for the total */
	int64_t from_day; /* the days this row covers, within the period */
	int64_t to_day;
	double *value;
	double *baseline;   /* the same KPI over the baseline period (for unit
	                     * and supplier rows: that unit's/supplier's) */
	double *change_pct; /* 100 × (value − baseline) / baseline; extensive
	                     * KPIs are compared per day of their periods */
} sl_kpi_row;

/* The result of sl_kpi_compute; free with sl_kpi_result_free. */
typedef struct sl_kpi_result {
	sl_kpi_group by;
	int64_t from_day, to_day; /* the period actually used */
	int has_baseline;
	int64_t baseline_from_day, baseline_to_day;
	int64_t small_order_ore; /* thresholds actually used */
	int punctuality_tolerance_min;
	int has_emissions;       /* CO2e KPIs present */
	int has_hub_emissions;   /* hub periods recorded: co2e_hub_kg has values */
	int64_t receiving_units; /* units with deliveries in the
	                          * period (the per-unit divisor);
	                          * 0 when q->only names no KPI
	                          * that needs it */
	size_t n_kpis;
	const sl_kpi_def **kpis; /* borrowed from sl_kpi_defs */
	size_t n_rows;
	sl_kpi_row *rows; /* grouped rows, in key order
	                   * (by=none: one row) */
	sl_kpi_row total; /* the whole period, ungrouped */
} sl_kpi_result;

/* Compute the KPIs of `q` over store `st` (read-only use).  On success *out
 * is a new result the caller frees with sl_kpi_result_free.  An empty
 * period gives zero counts and NAN ratios, not an error.  Errors:
 * SL_EUSAGE (to_day before from_day, half a baseline, unknown KPI in
 * q->only), SL_ENOTFOUND (unknown unit or supplier id), SL_ESTORE,
 * SL_ENOMEM; *out is NULL then. */
int sl_kpi_compute(sl_store *st, const sl_kpi_query *q, sl_kpi_result **out, sl_error *err);

/* Free a result; NULL is a no-op. */
void sl_kpi_result_free(sl_kpi_result *r);

/* The index of KPI `id` in r->kpis, or -1 when absent. */
int sl_kpi_result_index(const sl_kpi_result *r, const char *id);

/* Append the result as a JSON object to `out`:
 *   {"period":{"from":"2025-01-01","to":"2025-12-31"},"by":"week",
 *    "baseline":{…}|null,"small_order_sek":1000,"kpis":[{def…}],
 *    "rows":[{"key":…,"label":…,"from":…,"to":…,"values":{id:number|null},
 *             "baseline":{…},"change_pct":{…}}], "total":{…}}
 * NAN is written as null.  Returns 0 or SL_ENOMEM. */
int sl_kpi_write_json(const sl_kpi_result *r, sl_buf *out);

/* Append the result as CSV (header row, one line per row and, when grouped,
 * a final "all" total row; CRLF line ends; columns key, label, from, to, then per KPI its value
 * and, with a baseline, <id>_baseline and <id>_change_pct).  `sep` is ',' or
 * ';'; with ';' decimals use a comma (Swedish Excel).  NA is an empty
 * field.  Returns 0 or SL_ENOMEM. */
int sl_kpi_write_csv(const sl_kpi_result *r, char sep, sl_buf *out);

#ifdef __cplusplus
}
#endif
#endif
