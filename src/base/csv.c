/* csv.c — streaming CSV reader (to be written by the ledger work). */
#include "samlast/base.h"
