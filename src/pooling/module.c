/* module.c — placeholder translation unit for the pooling module. */
#include "samlast/base.h"

int sl_pooling_module_placeholder(void);
int sl_pooling_module_placeholder(void)
{
	return 0;
}
