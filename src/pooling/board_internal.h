/* board_internal.h — helpers shared by the board's sources (board.c,
 * sharing.c, announce.c); not part of the public API. */
#ifndef SL_POOLING_BOARD_INTERNAL_H
#define SL_POOLING_BOARD_INTERNAL_H

#include "samlast/pooling.h"

/* Write one audit_log row for a change made by `actor` (NULL: the CLI).
 * detail is a JSON object text. */
int sl_board_audit(sl_store *st, const sl_board_actor *actor, const char *action,
                   const char *target, const char *row_ids, const char *detail, sl_error *err);

/* "cli" or "api:ROLE#TOKEN" into out. */
void sl_board_actor_label(const sl_board_actor *actor, char *out, size_t cap);

/* Look an organisation up by ext id: id and kind (out 16 bytes).
 * SL_ENOTFOUND when unknown. */
int sl_board_org(sl_store *st, const char *ext, int64_t *id, char kind[16], sl_error *err);

#endif
