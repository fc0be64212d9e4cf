/* fuzz_ordering_config.c — libFuzzer target for the smarter-ordering config
 * file (data/ordering/categories.ini): arbitrary bytes through
 * sl_ordering_config_parse.  Any result is fine except a crash, a sanitizer
 * report, an error without a message or location, or an accepted config
 * whose categories break their own rules (no feasible pattern, values out
 * of range).  Seeds: fuzz/pooling/corpus. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "samlast/pooling.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sl_ordering_config *cfg = NULL;
	sl_error e;
	sl_error_clear(&e);
	int rc = sl_ordering_config_parse((const char *)data, size, "fuzz.ini", &cfg, &e);
	if (rc != 0) {
		if (cfg || e.message[0] == 0 || (rc == SL_EINVAL && e.line <= 0))
			abort();
		return 0;
	}
	static const char *const cats[] = {"food", "chilled", "bread", "x", "*"};
	for (size_t i = 0; i < sizeof cats / sizeof cats[0]; i++) {
		sl_ordering_rules r;
		sl_ordering_config_rules(cfg, cats[i], &r);
		if (r.min_per_week < 1 || r.min_per_week > 7 || !(r.weekdays & 0x7f) ||
		    r.lead_days < 0 || r.cutoff_min < 0 || r.cutoff_min >= 1440)
			abort();
		int ok = 0;
		for (unsigned m = 1; m < 128 && !ok; m++)
			ok = sl_ordering_pattern_ok(&r, 0x7f, m);
		if (!ok)
			abort();
	}
	sl_ordering_config_free(cfg);
	return 0;
}
