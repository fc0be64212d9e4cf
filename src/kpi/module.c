/* module.c — placeholder translation unit for the kpi module. */
#include "samlast/base.h"

int sl_kpi_module_placeholder(void);
int sl_kpi_module_placeholder(void)
{
	return 0;
}
