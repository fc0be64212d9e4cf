/* module.c — placeholder translation unit for the emissions module. */
#include "samlast/base.h"

int sl_emissions_module_placeholder(void);
int sl_emissions_module_placeholder(void)
{
	return 0;
}
