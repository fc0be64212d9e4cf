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

/* ---- 4. baseline and follow-up ---------------------------------------- */

#endif
