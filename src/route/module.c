/* module.c — placeholder translation unit for the route module. */
#include "samlast/base.h"

int sl_route_module_placeholder(void);
int sl_route_module_placeholder(void)
{
	return 0;
}
