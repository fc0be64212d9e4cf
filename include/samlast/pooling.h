/* pooling.h — the digital groupage place and smarter ordering (issue 7).
 *
 * Three parts share this header, each in its own section and source files
 * under src/pooling/:
 *   1. the board: announced and past deliveries per day and site, pooling
 *      candidates, opt-in sharing between named parties and the role rules
 *      of what each viewer may see (board.c, sharing.c, announce.c);
 *   2. pooling opportunities with savings routed on the road network and
 *      planned with the vrp module (opportunities.c);
 *   3. smarter ordering: delivery-day patterns and order rules per unit and
 *      supplier category, optimised jointly across units (ordering.c);
 * plus the baseline and follow-up of the pilot's targets (followup.c).
 *
 * Visibility is decided here, not in the server: every query takes the
 * viewer, and the library returns only what that viewer may see.
 */
#ifndef SAMLAST_POOLING_H
#define SAMLAST_POOLING_H

#include <stdint.h>

#include "samlast/base.h"
#include "samlast/store.h"

/* ---- viewers (shared by all parts) ------------------------------------ */

/* Who is asking.  The city (and an administrator) sees everything; a
 * supplier its own rows and, of others, only aggregates over at least
 * SL_POOLING_MIN_SUPPLIERS suppliers unless they opted in to share with it;
 * a carrier what its customers shared with it; a unit its own site(s). */
typedef enum sl_pooling_viewer_kind {
	SL_VIEWER_PUBLIC = 0,
	SL_VIEWER_UNIT,
	SL_VIEWER_SUPPLIER,
	SL_VIEWER_CARRIER,
	SL_VIEWER_CITY,
} sl_pooling_viewer_kind;

typedef struct sl_pooling_viewer {
	sl_pooling_viewer_kind kind;
	int64_t org_id; /* organisations.id of the viewer; 0 for city/public */
} sl_pooling_viewer;

/* Aggregates over fewer suppliers than this are suppressed for viewers who
 * may not see the rows behind them. */
#define SL_POOLING_MIN_SUPPLIERS 3

/* ---- 1. board, announcements, sharing --------------------------------- */

/* ---- 2. pooling opportunities ----------------------------------------- */

/* ---- 3. smarter ordering ---------------------------------------------- */

/* Proposes, per receiving unit and supplier category, the weekdays on which
 * goods should arrive (a delivery-day pattern) and order rules (minimum
 * order value, order cut-off), so that each unit gets fewer, fuller
 * deliveries while every category's freshness and storage limits hold.
 * Patterns are chosen for all units jointly: a supplier's units that share
 * a delivery day share that day's tour, so the choice is a periodic routing
 * problem (see src/pooling/ordering.c and docs/ordering.md). */

struct sl_graph;
struct sl_emissions_set;

/* The limits and rules per category, read from an INI file (documented in
 * data/ordering/categories.ini and docs/ordering.md). */
typedef struct sl_ordering_config sl_ordering_config;

/* Parse a config from text[0..len); `name` is used in error locations.  On
 * success *out owns the config (free with sl_ordering_config_free).  A
 * malformed line, an unknown section key, a bad value or an impossible
 * category (more deliveries per week than allowed weekdays) gives SL_EINVAL
 * with name:line:column in err; SL_ENOMEM on allocation failure. */
int sl_ordering_config_parse(const char *text, size_t len, const char *name,
                             sl_ordering_config **out, sl_error *err);

/* Read and parse the file `path`; NULL means the shipped default
 * (data/ordering/categories.ini resolved by sl_data_path).  Errors as
 * sl_ordering_config_parse, plus SL_EIO / SL_ENOTFOUND for the file. */
int sl_ordering_config_load(const char *path, sl_ordering_config **out, sl_error *err);

/* Free a config (NULL is fine). */
void sl_ordering_config_free(sl_ordering_config *cfg);

/* The rules of one category as the config resolves them (a category the
 * file does not name gets the "*" section).  Weekday masks: bit 0 =
 * Monday … bit 6 = Sunday. */
typedef struct sl_ordering_rules {
	int min_per_week;       /* delivery days offered per week, at least */
	int max_days_between;   /* freshness: days from one delivery to the next */
	int storage_days;       /* storage capacity in days of consumption */
	unsigned weekdays;      /* allowed delivery weekdays */
	int64_t min_order_ore;  /* proposed minimum order value; < 0: the
	                         * small-order threshold */
	int lead_days;          /* order this many days before delivery … */
	int cutoff_min;         /* … by this time of day (minutes after midnight) */
} sl_ordering_rules;

/* Fill *out with the rules for `category` (never fails). */
void sl_ordering_config_rules(const sl_ordering_config *cfg, const char *category,
                              sl_ordering_rules *out);

/* Is `days` (a weekday mask) a pattern these rules allow for a unit that
 * receives on `recv_days`?  Subset of both masks, at least min_per_week
 * days, and no cyclic gap longer than max_days_between or storage_days. */
int sl_ordering_pattern_ok(const sl_ordering_rules *rules, unsigned recv_days, unsigned days);

#define SL_ORDERING_NO_DAY INT64_MIN

/* What to compute.  Initialise with sl_ordering_query_init.  Pointers are
 * borrowed for the duration of sl_ordering_compute. */
typedef struct sl_ordering_query {
	int64_t from_day, to_day;   /* inclusive local days, or SL_ORDERING_NO_DAY
	                             * for both: the last 12 whole weeks of data */
	const sl_ordering_config *config;       /* NULL: the shipped default */
	const struct sl_graph *graph;           /* NULL: great circle x detour */
	const struct sl_emissions_set *emissions; /* NULL: the default set */
	int64_t small_order_ore;    /* < 0: settings kpi.small_order_ore, else the
	                             * KPI module's default */
	int joint;                  /* 1 (default): optimise across units;
	                             * 0: each unit alone (the comparison) */
	uint64_t seed;              /* local-search order; same seed, same answer */
	int max_rounds;             /* local-search rounds (default 60) */
	sl_pooling_viewer viewer;   /* whose view (default: city) */
} sl_ordering_query;

void sl_ordering_query_init(sl_ordering_query *q);

/* One (receiving unit, supplier) relation. */
typedef struct sl_ordering_pair {
	size_t group;              /* index into result->groups */
	char supplier[64];         /* supplier ext id */
	char supplier_name[160];
	int64_t deliveries_before; /* ledger rows (status delivered) in the period */
	int64_t deliveries_after;  /* delivery days under the proposal */
	double km_before, km_after;            /* its share of the tours */
	double co2e_before_g, co2e_after_g;
	int64_t orders, small_orders, small_merged;
} sl_ordering_pair;

/* A small order (below the small-order threshold) that travelled alone
 * on its pair's day and shares a delivery day with another order of the
 * pair under the proposal. */
typedef struct sl_ordering_small {
	char order[64];       /* order ext id */
	char supplier[64];    /* supplier ext id */
	int64_t day;          /* its requested day (else its order day) */
	int64_t value_ore;
	int64_t delivery_day; /* the proposed delivery day it joins */
} sl_ordering_small;

/* One (receiving unit, category): the proposal. */
typedef struct sl_ordering_group {
	char unit[64];             /* site ext id */
	char unit_name[160];
	char unit_type[24];
	char category[48];
	unsigned current_days;     /* weekdays carrying >= 10 % of its deliveries */
	unsigned proposed_days;
	int feasible;              /* 0: no pattern fits the unit's receiving
	                            * days; proposed_days = current_days */
	sl_ordering_rules rules;   /* incl. the order rules proposed */
	double per_week_before, per_week_after;
	double km_before, km_after, co2e_before_g, co2e_after_g;
	int64_t deliveries_before, deliveries_after;
	int64_t orders, small_orders, small_merged;
	size_t first_pair, n_pairs; /* its pairs in result->pairs (visible ones) */
	size_t first_small, n_small; /* its merging small orders in result->small */
} sl_ordering_group;

/* Totals over a unit (or over everything visible: the city). */
typedef struct sl_ordering_total {
	char unit[64], unit_name[160];
	double per_week_before, per_week_after;
	double km_before, km_after, co2e_before_g, co2e_after_g;
	int64_t deliveries_before, deliveries_after;
	int64_t orders, small_orders, small_merged;
} sl_ordering_total;

typedef struct sl_ordering_result {
	int64_t from_day, to_day;
	double weeks;
	char distance_basis[40];   /* "great_circle_x1.3" or "road_graph" */
	char co2e_basis[200];      /* how vehicle-km became CO2e */
	int64_t small_order_ore;
	int joint;
	double template_km_unit_by_unit; /* a week of tours, every pattern day */
	double template_km_joint;        /* the same for the chosen patterns */
	long moves, rounds;
	size_t n_groups, n_pairs, n_units;
	sl_ordering_group *groups; /* by unit, then category */
	sl_ordering_pair *pairs;
	sl_ordering_total *units;  /* per unit */
	size_t n_small;
	sl_ordering_small *small;  /* merging small orders, by group */
	sl_ordering_total city;
	int64_t points_off_graph;  /* sites that fell back to great circle */
} sl_ordering_result;

/* Compute the proposal from the store's delivered rows and orders in the
 * period, for q->viewer: the city (and admin) sees every unit; a unit its
 * own site(s); a supplier the units it serves, its own pairs only, in its
 * own category.  Public and carrier viewers get SL_EPERM.  The
 * optimisation always runs over the whole city; the viewer only filters
 * what is returned (totals are over what it sees).  *out is owned by the
 * caller (sl_ordering_result_free).  A period without deliveries gives an
 * empty result.  Errors: SL_EINVAL (bad period), SL_ENOTFOUND (no delivered
 * rows in the store at all, when no period is given), SL_ESTORE, SL_ENOMEM, and
 * the errors of loading the default config or factor set. */
int sl_ordering_compute(sl_store *st, const sl_ordering_query *q, sl_ordering_result **out,
                        sl_error *err);

void sl_ordering_result_free(sl_ordering_result *r);

/* "Mon+Thu" (English) or "mån+tor" (Swedish, sv = 1) for a weekday mask;
 * "-" for none.  Writes into out (>= 32 bytes) and returns it. */
char *sl_ordering_days_text(unsigned days, int sv, char *out, size_t out_size);

/* Append the result as JSON / as a plain-text table to `out`. */
int sl_ordering_write_json(const sl_ordering_result *r, sl_buf *out);
int sl_ordering_write_table(const sl_ordering_result *r, sl_buf *out);

/* Write the result as an XLSX workbook at `path`: sheets "Förslag per enhet"
 * (one row per unit and category, Swedish headers), "Enheter" (per unit),
 * "Små ordrar" (the merging small orders) and "Staden" (the city totals and
 * the method).  Errors: SL_EIO (libxlsxwriter could not write),
 * SL_ENOMEM. */
int sl_ordering_write_xlsx(const sl_ordering_result *r, const char *path, sl_error *err);

/* ---- 4. baseline and follow-up ---------------------------------------- */

#endif
