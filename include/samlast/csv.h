/* csv.h — streaming CSV reader (part of the base module).
 * Owned by the ledger work; see src/base/csv.c. */
#ifndef SAMLAST_CSV_H
#define SAMLAST_CSV_H
#endif
