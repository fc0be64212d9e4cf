/* ordering_internal.h — what the smarter-ordering files share privately
 * (ordering_config.c, ordering.c, ordering_xlsx.c). */
#ifndef SL_POOLING_ORDERING_INTERNAL_H
#define SL_POOLING_ORDERING_INTERNAL_H

#include "samlast/pooling.h"

/* The [general] settings of a config. */
void sl__ordering_config_general(const sl_ordering_config *cfg, double *capacity_kg,
                                 double *fuel_l_per_100km, const char **energy_carrier);

/* "tis: beställ senast fre 12:00; fre: …" (sv) or "Tue: order by Fri 12:00; …"
 * for the proposed days of a group, into out. */
void sl__ordering_cutoff_text(const sl_ordering_rules *r, unsigned days, int sv, char *out,
                              size_t out_size);

/* The tour estimate of ordering.c (nearest neighbour, then 2-opt) on the
 * caller's symmetric n × n matrix: the length of a closed tour from point
 * `depot` through the distinct points pts[0..k).  For the tests; -1 on
 * ENOMEM. */
double sl__ordering_tour_m(const float *dist, int n, int depot, const int *pts, int k);

#endif
