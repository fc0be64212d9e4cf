/* module.c — placeholder translation unit for the vrp module. */
#include "samlast/base.h"

int sl_vrp_module_placeholder(void);
int sl_vrp_module_placeholder(void)
{
	return 0;
}
