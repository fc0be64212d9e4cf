/* module.c — placeholder translation unit for the ledger module. */
#include "samlast/base.h"

int sl_ledger_module_placeholder(void);
int sl_ledger_module_placeholder(void)
{
	return 0;
}
