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
#include "samlast/ledger.h"
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

/* Who changes something (recorded in audit_log and the tables' *_by
 * columns).  role: a server role name or "cli"; token_id/org_id 0 when
 * none; via "cli" or "api". */
typedef struct sl_board_actor {
	const char *role;
	int64_t token_id;
	int64_t org_id;
	const char *via;
} sl_board_actor;

/* Announcements.  An announcement is a deliveries row with status
 * 'announced', in the ledger's deliveries format (docs/formats.md), so it
 * gets the ledger's validation, idempotency (supplier, id) and history.
 * sl_announce_import first checks that every record has a `status` of
 * `announced` (or `cancelled`, to withdraw one) — a delivered row does not
 * belong in an announcement batch — and then imports the batch with
 * opts->kind forced to deliveries.  `data` is the whole input (CSV with ','
 * or ';', or a JSON array; UBL is refused).  Returns as sl_ledger_import:
 * SL_EINVAL with res->errors (line, column, field, reason) and the store
 * unchanged when a record is wrong.  res is always initialised; free it
 * with sl_import_result_free. */
int sl_announce_import(sl_store *st, const sl_import_opts *opts, const char *data, size_t len,
                       sl_import_result *res, sl_error *err);

/* Confirm announcement (supplier_ext, announcement_ext) by the actual
 * delivery: when delivery_ext is NULL or equal to the announcement's id the
 * row itself must have been re-imported as delivered (nothing else is
 * stored); otherwise delivery_ext must be a delivered row of the same
 * supplier and site, within 3 days, not matching another announcement, and
 * the match is stored in announcement_matches (pooled = 1 marks realised
 * pooling) with an audit_log row, in one transaction.  With delivery_ext
 * NULL and the announcement still announced, the one unmatched delivered
 * row of the same supplier, site and day is taken (SL_ECONFLICT when there
 * are several, SL_ENOTFOUND when none).  matched_out (optional, 64 bytes)
 * receives the delivery's ext id.  Errors: SL_ENOTFOUND, SL_EINVAL (not an
 * announcement, other supplier or site), SL_ECONFLICT (already matched),
 * SL_ESTORE. */
int sl_announce_confirm(sl_store *st, const char *supplier_ext, const char *announcement_ext,
                        const char *delivery_ext, int pooled, const sl_board_actor *actor,
                        char matched_out[64], sl_error *err);

/* Opt-in sharing.  A supplier (owner) lets a named supplier or carrier
 * (grantee) see its board rows by name.  Grants are stored in
 * pooling_shares with who granted/revoked and when, and every grant and
 * revocation also writes an audit_log row in the same transaction.
 * sl_share_grant is idempotent: granting an open grant again returns its
 * id.  Errors: SL_ENOTFOUND (unknown organisation), SL_EINVAL (owner not a
 * supplier, grantee not a supplier or carrier, owner = grantee),
 * SL_ESTORE. */
int sl_share_grant(sl_store *st, const char *owner_ext, const char *grantee_ext, const char *note,
                   const sl_board_actor *actor, int64_t *id_out, sl_error *err);

/* Revoke the open grant owner -> grantee; it stops counting at once (the
 * board reads grants on every call).  SL_ENOTFOUND when there is none. */
int sl_share_revoke(sl_store *st, const char *owner_ext, const char *grantee_ext,
                    const sl_board_actor *actor, sl_error *err);

typedef struct sl_share {
	int64_t id;
	char owner[64], grantee[64];
	int64_t granted_at, revoked_at; /* UTC seconds; revoked_at 0 while open */
	char granted_by[64], revoked_by[64];
	char note[200];
} sl_share;

/* Grants where org_ext (NULL: any) is owner or grantee; open ones only
 * unless history.  *out is malloc'ed (free()); *n may be 0. */
int sl_share_list(sl_store *st, const char *org_ext, int history, sl_share **out, size_t *n,
                  sl_error *err);

/* The board of one day.  Rows are the day's delivered deliveries and its
 * announcements not yet confirmed (cancelled rows and announcements matched
 * to a delivery are left out).  A row is "small" when its mass is at most
 * small_kg (or, without a mass, its parcels at most small_parcels).  A site
 * is a pooling candidate when at least two suppliers bring small loads to
 * it that day ("same_site"), and it has "nearby" candidates: other listed
 * sites within radius_m whose small loads come from another supplier in a
 * time window overlapping (widened by window_slack_min on each side; a row
 * without a window uses its time ± the slack). */
typedef struct sl_board_query {
	int64_t day;             /* local day (required) */
	const char *site;        /* only this site (ext id), or NULL */
	double radius_m;         /* neighbouring units (default 1000) */
	int window_slack_min;    /* default 30 */
	double small_kg;         /* default 50 */
	int small_parcels;       /* default 5 */
	sl_pooling_viewer viewer;/* default city */
} sl_board_query;

void sl_board_query_init(sl_board_query *q);

/* A row the viewer may see. */
typedef struct sl_board_row {
	char id[64];
	char supplier[64], supplier_name[160];
	char carrier[64];        /* "" when none */
	char status[12];         /* "announced" or "delivered" */
	int own;                 /* the viewer's own (or carried by it) */
	int shared;              /* visible through an opt-in grant */
	int confirms;            /* a delivered row confirming an announcement */
	int minute;              /* planned/actual minute of the day */
	int window_from_min, window_to_min; /* -1 when none */
	int64_t parcels;         /* -1 unknown */
	double mass_kg, volume_m3; /* -1 unknown */
	char temp_class[12];
	int small;
} sl_board_row;

/* Of the rows the viewer may not see at a site: counts only, and only
 * when they come from at least SL_POOLING_MIN_SUPPLIERS suppliers (else
 * `shown` is 0 and every other field 0 — "none" and "suppressed" look the
 * same). */
typedef struct sl_board_others {
	int shown;
	int64_t deliveries, parcels;
	int suppliers;
	double mass_kg;
	int from_min, to_min;    /* earliest and latest minute (window W) */
} sl_board_others;

typedef struct sl_board_neighbour {
	char ext[64], name[160]; /* the neighbouring site */
	double distance_m;       /* great circle */
} sl_board_neighbour;

typedef struct sl_board_site {
	char ext[64], name[160], unit_type[24];
	double lon, lat;
	size_t first_row, n_rows; /* rows[first_row .. +n_rows) */
	sl_board_others others;
	int small_suppliers;     /* suppliers with small loads the viewer may know of */
	int same_site;           /* candidate: >= 2 of them */
	size_t first_nb, n_nb;   /* neighbours[first_nb .. +n_nb) */
	int candidate;           /* same_site or a nearby candidate */
} sl_board_site;

typedef struct sl_board {
	int64_t day;
	sl_pooling_viewer viewer;
	double radius_m;
	sl_board_site *sites;    /* the sites the viewer may know of, by name */
	size_t n_sites;
	sl_board_row *rows;
	size_t n_rows;
	sl_board_neighbour *neighbours;
	size_t n_neighbours;
	int candidates;          /* sites flagged */
} sl_board;

/* Compute the board for q->viewer (the role rules of docs/pooling.md:
 * city everything; supplier its own rows, rows of suppliers that opted in
 * to share with it, aggregates of the rest from >= 3 suppliers; carrier the
 * rows it carried and what its customers shared with it, aggregates like a
 * supplier; unit the rows to its own sites only).  Candidates are computed
 * only from what the viewer may know.  A day without deliveries gives an
 * empty board.  Errors: SL_EPERM (public viewer, or a supplier/carrier/unit
 * viewer without an organisation), SL_ENOTFOUND (q->site unknown),
 * SL_EINVAL (bad query), SL_ESTORE, SL_ENOMEM.  Free with sl_board_free. */
int sl_board_compute(sl_store *st, const sl_board_query *q, sl_board **out, sl_error *err);

/* The viewer an organisation (ext id) sees the board as: its kind decides
 * (city, unit, supplier, carrier; 'other' is refused with SL_EPERM).
 * SL_ENOTFOUND when unknown. */
int sl_board_viewer_for(sl_store *st, const char *org_ext, sl_pooling_viewer *v, sl_error *err);

/* The board as JSON (docs/pooling.md); 0 or SL_ENOMEM. */
int sl_board_write_json(const sl_board *b, sl_buf *out);

void sl_board_free(sl_board *b);

/* ---- 2. pooling opportunities ----------------------------------------- */

/* Finds, for each day of a period, groups of deliveries that could share a
 * tour — several suppliers delivering to the same unit, or to units within
 * a radius of each other, in overlapping time windows — and computes what
 * pooling them would save: each supplier's own tours of the day as they are
 * (planned with the vrp module from its depot), against a pooled plan that
 * respects capacities, time windows and temperature classes: the group's
 * deliveries handed over to another involved supplier's tour (picked up at
 * their depot on the way), or carried on shared tours planned by the vrp
 * module as pickup-and-delivery shipments, whichever is shorter.
 * Distances come from the route module's many-to-many matrix when a graph
 * is given, else great circle x SL_EM_DETOUR_FACTOR.  The model is in
 * src/pooling/opportunities.c and docs/pooling.md. */

struct sl_graph;
struct sl_emissions_set;

/* What to compute.  Initialise with sl_opp_query_init; pointers are
 * borrowed for the duration of sl_pooling_opportunities_compute. */
typedef struct sl_opp_query {
	int64_t day;                 /* first local day (required) */
	int days;                    /* 1..31 (default 1) */
	const struct sl_graph *graph;            /* NULL: great circle x detour */
	const struct sl_emissions_set *emissions; /* NULL: the default set */
	double radius_m;             /* neighbouring units (default 1000) */
	int window_slack_min;        /* windows this close count as overlapping (60) */
	long iterations;             /* per vrp solve (default 500) */
	uint64_t seed;               /* vrp seed (default 1); same seed, same answer */
	sl_pooling_viewer viewer;    /* whose view (default: city) */
} sl_opp_query;

void sl_opp_query_init(sl_opp_query *q);

/* A party of an opportunity the viewer may see by name. */
typedef struct sl_opp_party {
	char ext[64], name[160];
	int self;                    /* the viewer itself */
	int64_t deliveries, parcels;
	double mass_kg;
} sl_opp_party;

/* A receiving site of an opportunity the viewer may see. */
typedef struct sl_opp_site {
	char ext[64], name[160];
	int64_t deliveries;
} sl_opp_site;

/* A stop of a pooled tour (shown to the city only). */
typedef struct sl_opp_stop {
	int pickup;                  /* 1: picking up at the supplier's depot */
	char place[64];              /* site ext id (a depot for a pickup) */
	char supplier[64];           /* whose goods */
	int64_t delivery_id;         /* deliveries.id */
	int temp;                    /* 0 ambient, 1 chilled, 2 frozen, 3 mixed */
	int arrival_min;             /* minutes after midnight (waits included) */
	int window_from_min, window_to_min;
	double load_kg, load_m3;     /* on board after the stop */
} sl_opp_stop;

/* A tour of the pooled plan that carries another supplier's goods. */
typedef struct sl_opp_tour {
	char supplier[64];           /* whose vehicle */
	double km;
	double cap_kg, cap_m3;
	unsigned temp_ok;            /* bit set of temp classes it may carry */
	size_t first_stop, n_stops;  /* into the opportunity's stops */
} sl_opp_tour;

/* One opportunity.  "before" is the involved suppliers' own tours of the
 * day as they are; "after" the same tours without the group's deliveries
 * plus what carries the group (see `model`).  Visits are stops at receiving sites (consecutive
 * deliveries to one site on one tour are one visit) of the group. */
typedef struct sl_pooling_opportunity {
	int64_t day;
	int window_from_min, window_to_min; /* the group's common window */
	unsigned temp_mask;          /* bit 0 ambient, 1 chilled, 2 frozen, 3 mixed */
	int64_t deliveries, parcels;
	double mass_kg, volume_m3;
	int n_suppliers;
	int n_sites;
	int64_t visits_before, visits_after;
	char model[16];              /* "handover": deliveries ride on another
	                              * involved supplier's tour; "shared_trip":
	                              * separate shared tours */
	int handed_over;             /* deliveries moved (handover) */
	int shared_tours;            /* tours of the shared trip (shared_trip) */
	double km_before, km_after;
	double co2e_before_g, co2e_after_g;
	int64_t visits_removed;      /* before − after, kept when hidden */
	double km_saved, co2e_saved_g;
	int figures_hidden;          /* 1: the group's totals, window and
	                              * before/after figures would tell about
	                              * fewer than SL_POOLING_MIN_SUPPLIERS other
	                              * suppliers, so they are zeroed (null in
	                              * JSON); the savings and the viewer's own
	                              * share remain */
	char co2e_quality[24];       /* worst basis used: vehicle, class_average,
	                              * city_average or assumed */
	size_t n_visible_sites;
	sl_opp_site *sites;          /* visible sites (owned by the result) */
	size_t n_parties;
	sl_opp_party *parties;       /* visible named parties */
	int others_suppressed;       /* 1: fewer than SL_POOLING_MIN_SUPPLIERS
	                              * other suppliers, so no aggregate */
	int64_t others_suppliers, others_deliveries, others_parcels;
	double others_mass_kg;
	size_t n_tours, n_stops;     /* the pooled tours: city viewers only */
	sl_opp_tour *tours;
	sl_opp_stop *stops;
	/* In the day's joint plan (see sl_pooling_opportunities): accepted
	 * there, and what it saved against the tours as already changed by the
	 * opportunities accepted before it (0 when not accepted). */
	int joint_accepted;
	int64_t joint_visits_removed;
	double joint_km_saved, joint_co2e_saved_g;
} sl_pooling_opportunity;

/* One day's totals over the visible items: priced alone, and in the joint
 * plan. */
typedef struct sl_opp_day {
	int64_t day;
	int64_t opportunities, visits_removed;
	double km_saved, co2e_saved_g;
	int64_t joint_opportunities, joint_visits_removed;
	double joint_km_saved, joint_co2e_saved_g;
} sl_opp_day;

typedef struct sl_pooling_opportunities {
	int64_t from_day, to_day;
	char distance_basis[40];     /* "great_circle_x1.3" or "road_graph" */
	char co2e_basis[240];
	double speed_kmh;            /* assumed without a graph */
	int64_t candidates;          /* groups examined (all, before the viewer) */
	int64_t points_off_graph;    /* points that fell back to great circle */
	size_t n;
	sl_pooling_opportunity *items; /* by day, then km saved, largest first */
	int64_t visits_removed;        /* totals over the visible items, each */
	double km_saved, co2e_saved_g; /* opportunity priced alone */
	/* The joint plan: per day, the opportunities applied best saving first
	 * (ties in candidate order) to one evolving copy of the day's tours,
	 * each re-priced against the tours as already changed and accepted only
	 * when it still saves; a real plan, so its totals count no change twice.
	 * Summed over the visible items, like the totals above. */
	int64_t joint_opportunities, joint_visits_removed;
	double joint_km_saved, joint_co2e_saved_g;
	size_t n_days;
	sl_opp_day *days; /* one per day of the query (owned) */
} sl_pooling_opportunities;

/* Compute the opportunities of q->days days from q->day over delivered and
 * announced rows (cancelled rows are ignored), for q->viewer: the city sees
 * everything with names; a supplier only the opportunities it is part of,
 * itself by name, other suppliers by name only when they opted in to share
 * with it (open grants in pooling_shares, read on every call), else as an
 * aggregate over at least SL_POOLING_MIN_SUPPLIERS other suppliers
 * (suppressed below that); a unit only opportunities at its own sites,
 * suppliers as such aggregates; a carrier the opportunities of suppliers
 * that share with it (those by name, the rest as aggregates); the public
 * none.  Only the city gets the pooled tours (they name depots).
 * The computation always covers the whole city; the viewer only filters.
 * A day without candidates gives no items.  Each item is priced alone;
 * the joint_* totals (and days[]) give the day's joint plan, which counts a
 * change to a tour that several opportunities involve once (docs/pooling.md,
 * step 6).  *out is owned by the caller
 * (sl_pooling_opportunities_free).  Errors: SL_EINVAL (bad query),
 * SL_ESTORE, SL_ENOMEM, and those of the route matrix and factor set. */
int sl_pooling_opportunities_compute(sl_store *st, const sl_opp_query *q,
                                     sl_pooling_opportunities **out, sl_error *err);

void sl_pooling_opportunities_free(sl_pooling_opportunities *r);

/* Append the result as JSON / as a plain-text table to `out`.  0 or
 * SL_ENOMEM. */
int sl_pooling_opportunities_json(const sl_pooling_opportunities *r, sl_buf *out);
int sl_pooling_opportunities_table(const sl_pooling_opportunities *r, sl_buf *out);

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
	int max_rounds;             /* local-search rounds (default 20) */
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
	char co2e_basis_sv[200];   /* the same in Swedish */
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

/* A baseline is a period (inclusive local days) whose weekly average a
 * unit's follow-up is compared with, e.g. the weeks before a pilot started.
 * Each receiving unit may have its own; the city-wide default (unit "")
 * applies to every unit without one.  Baselines are kept with history in
 * table followup_baselines (schema/0008_followup.sql): setting a new one
 * marks the current one superseded, it is never overwritten.  The figures
 * are the KPI module's (kpi.h, docs/kpi.md): deliveries, contract fidelity
 * and small orders; see src/pooling/followup.c and docs/followup.md. */

/* Default targets of the pilot (DOMAIN.md): deliveries per unit at least
 * 20 % below the baseline, contract fidelity at least 80 %. */
#define SL_FOLLOWUP_TARGET_DELIVERIES_PCT_DEFAULT (-20.0)
#define SL_FOLLOWUP_TARGET_FIDELITY_PCT_DEFAULT 80.0
/* Weeks at the end of the period that decide a unit's status. */
#define SL_FOLLOWUP_STATUS_WEEKS_DEFAULT 4

/* Who changes a baseline, for audit_log (role "admin", "city", "cli", …;
 * token_id/org_id 0 when none). */
typedef struct sl_followup_actor {
	const char *role;
	int64_t token_id;
	int64_t org_id;
	const char *via; /* "cli" or "api" */
} sl_followup_actor;

typedef struct sl_followup_baseline {
	int64_t id;
	char unit[64];        /* site ext id; "" for the city-wide default */
	int64_t from_day, to_day;
	int64_t set_at;       /* UTC seconds */
	char set_by[64];      /* the actor's role and token, e.g. "city#3" */
	char note[200];
	int64_t superseded_at; /* 0 while it is the current one */
} sl_followup_baseline;

/* Set the baseline of `unit` (a site ext id; NULL or "" = the city-wide
 * default) to [from_day, to_day] with an optional note.  The current one,
 * if any, is kept and marked superseded; one audit_log row (action
 * "baseline.set", target "followup_baselines") records the change — all in
 * one transaction.  *id_out (optional) receives the new row's id.  Errors:
 * SL_EINVAL (to_day before from_day, a day out of range, note too long),
 * SL_ENOTFOUND (unknown unit), SL_ESTORE. */
int sl_followup_baseline_set(sl_store *st, const char *unit, int64_t from_day, int64_t to_day,
                             const char *note, const sl_followup_actor *actor, int64_t *id_out,
                             sl_error *err);

/* The baselines of `unit` (NULL: every unit and the default; "": the
 * default only), current ones only or (history = 1) also superseded ones,
 * by unit, newest first.  *out (free with free()) gets *n entries; may be
 * NULL when *n is 0.  Errors: SL_ENOTFOUND (unknown unit), SL_ESTORE,
 * SL_ENOMEM. */
int sl_followup_baseline_list(sl_store *st, const char *unit, int history,
                              sl_followup_baseline **out, size_t *n, sl_error *err);

#define SL_FOLLOWUP_NO_DAY INT64_MIN

typedef struct sl_followup_query {
	int64_t from_day, to_day;  /* inclusive; both SL_FOLLOWUP_NO_DAY: the
	                            * whole range with data */
	const char *unit;          /* one site ext id, or NULL for all */
	double target_deliveries_pct; /* NAN: settings followup.target_deliveries_pct,
	                               * else -20 */
	double target_fidelity_pct;   /* NAN: settings followup.target_fidelity_pct,
	                               * else 80 */
	int status_weeks;          /* <= 0: 4 */
	int64_t small_order_ore;   /* < 0: as the KPI module */
	sl_pooling_viewer viewer;  /* default: city */
} sl_followup_query;

void sl_followup_query_init(sl_followup_query *q);

typedef enum sl_followup_status {
	SL_FOLLOWUP_NO_BASELINE = 0,
	SL_FOLLOWUP_NOT_YET,
	SL_FOLLOWUP_ON_TRACK,
} sl_followup_status;

/* "on_track", "not_yet", "no_baseline". */
const char *sl_followup_status_name(sl_followup_status s);

/* One week of one unit (or of the total).  The counts are the KPI
 * module's `deliveries` and `orders`; small_orders = orders ×
 * small_order_share_pct / 100 (rounded); fidelity its contract_fidelity_pct
 * (NAN without orders).  change_pct compares deliveries per day of the week
 * (a week cut by the period has fewer days) with the baseline's. */
typedef struct sl_followup_week {
	char week[12];             /* "2025-W07" */
	int64_t from_day, to_day;
	int64_t deliveries, orders, small_orders, pooled;
	double fidelity_pct;
	double deliveries_change_pct; /* NAN without a baseline */
} sl_followup_week;

/* One unit, or the total (unit "all"). */
typedef struct sl_followup_unit {
	char unit[64], name[160];
	int has_baseline, baseline_is_default;
	int64_t baseline_from_day, baseline_to_day;
	double baseline_deliveries_per_week, baseline_fidelity_pct;
	double baseline_small_orders_per_week;
	double target_deliveries_per_week;   /* baseline × (1 + target/100) */
	/* over the whole period */
	int64_t deliveries, orders, small_orders, pooled;
	double deliveries_per_week, fidelity_pct, deliveries_change_pct;
	/* over the status window (the last status_weeks weeks) */
	double recent_deliveries_per_week, recent_fidelity_pct, recent_change_pct;
	sl_followup_status status;
	int deliveries_met, fidelity_met;    /* in the status window */
	sl_followup_week *weeks;   /* result->n_weeks entries */
} sl_followup_unit;

typedef struct sl_followup_result {
	int64_t from_day, to_day;
	int64_t status_from_day;   /* first day of the status window */
	double target_deliveries_pct, target_fidelity_pct;
	int64_t small_order_ore;
	size_t n_weeks;
	size_t n_units;
	sl_followup_unit *units;   /* visible units, by ext id */
	int has_total;             /* city and supplier viewers */
	sl_followup_unit total;    /* "all": the city (for a supplier: its own) */
	size_t n_on_track, n_not_yet, n_no_baseline;
} sl_followup_result;

/* Compute the follow-up for q->viewer: the city sees every receiving unit
 * (sites of organisations of kind 'unit') and the total; a unit viewer its
 * own sites (no total); a supplier viewer the units it delivered to or
 * ordered for (in the period or in their baselines), with only its own
 * deliveries and orders counted (the KPI module's supplier filter), and its
 * own total; public and carrier viewers get SL_EPERM.  With q->unit
 * only that unit.  Without a period and without any delivered row the
 * result is the current week, empty.  The total's baseline is the
 * city-wide default.  *out is the caller's (sl_followup_result_free).
 * Errors: SL_EINVAL (bad period, to before from, only one of them, targets
 * out of range), SL_ENOTFOUND (unknown unit, a unit the viewer may not
 * see), SL_EPERM, SL_ESTORE, SL_ENOMEM. */
int sl_followup_compute(sl_store *st, const sl_followup_query *q, sl_followup_result **out,
                        sl_error *err);

void sl_followup_result_free(sl_followup_result *r);

/* Append the result as JSON (with_weeks = 0 leaves out the units' weekly
 * rows, for the city table; the total keeps its weeks), as CSV (one line
 * per unit and week, then the total's weeks; `sep` ',' or ';' with decimal
 * comma and a BOM) or as a table of units with their status.  Return 0 or
 * SL_ENOMEM. */
int sl_followup_write_json(const sl_followup_result *r, int with_weeks, sl_buf *out);
int sl_followup_write_csv(const sl_followup_result *r, char sep, sl_buf *out);
int sl_followup_write_table(const sl_followup_result *r, sl_buf *out);

/* Append baselines as JSON ({"baselines":[…]}). */
int sl_followup_baselines_json(const sl_followup_baseline *b, size_t n, sl_buf *out);


#endif
