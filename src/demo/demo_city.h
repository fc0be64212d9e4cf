/* demo_city.h — the Helsingborg demo-city generator (library part of
 * `samlast demo-data`).
 *
 * Writes one CSV per import kind (organisations, sites, contracts, vehicles,
 * trips, orders, deliveries) and announcements.csv (the deliveries format,
 * status announced: the planned deliveries of the working days after the
 * period, for the groupage board) in the formats of docs/formats.md for a
 * synthetic but plausible municipality around Helsingborg: receiving units,
 * suppliers with depots in the region, carriers, framework contracts and a
 * year of orders and deliveries.  Deterministic per seed: the only source of
 * randomness is an sl_rng seeded from the options.  Assumptions: docs/demo.md.
 */
#ifndef SL_DEMO_CITY_H
#define SL_DEMO_CITY_H

#include <stdint.h>

#include "samlast/base.h"

typedef struct sl_demo_options {
	uint64_t seed; /* random seed */
	int year;      /* calendar year of orders and deliveries (2000..2100) */
	int units;     /* receiving units (default 300; 10..2000) */
	int days;      /* days of the year to generate (default: whole year) */
	int announce_days; /* working days after the period written as announced
	                    * (planned) deliveries to announcements.csv (default 10;
	                    * 0 = none).  Generated after everything else, so the
	                    * other files do not depend on it. */
} sl_demo_options;

typedef struct sl_demo_stats {
	long organisations, sites, contracts, vehicles, trips;
	long orders, order_lines, deliveries;
	long announcements;
} sl_demo_stats;

/* Defaults: seed 1, year 2025, 300 units, whole year, 10 announced days. */
void sl_demo_options_init(sl_demo_options *o);

/* Generate the demo city into directory `dir` (created if missing; existing
 * files of the same names are replaced).  Fills *stats when not NULL.
 * Errors: SL_EUSAGE (options out of range), SL_EIO (cannot create or write a
 * file; the message names it), SL_ENOMEM. */
int sl_demo_write(const char *dir, const sl_demo_options *opt, sl_demo_stats *stats, sl_error *err);

#endif
