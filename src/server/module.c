/* module.c — placeholder translation unit for the server module. */
#include "samlast/base.h"

int sl_server_module_placeholder(void);
int sl_server_module_placeholder(void)
{
	return 0;
}
