/* fuzz_csv.c — libFuzzer target for the streaming CSV reader.
 *
 * Any byte string must give records or located errors (line and column >= 1)
 * and end: never a crash, an out-of-bounds read or an endless loop.  Every
 * accessor is called on every field so ASan sees each byte the reader hands
 * out; the field length must match the NUL-terminated text unless the field
 * holds an embedded NUL byte. */
#include <stdint.h>
#include <string.h>

#include "samlast/base.h"
#include "samlast/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sl_csv *c = sl_csv_new_mem((const char *)data, size, "fuzz.csv");
	if (!c)
		return 0;
	sl_error e;
	volatile unsigned sink = 0;
	/* each call consumes at least one byte or ends, so size + 2 calls bound it */
	for (size_t guard = 0;; guard++) {
		if (guard > size + 2)
			__builtin_trap(); /* the reader stopped making progress */
		int rc = sl_csv_next(c, &e);
		if (rc == 0 || rc == SL_ENOMEM || rc == SL_EIO)
			break;
		if (rc < 0) {
			if (e.line < 1 || e.column < 1)
				__builtin_trap(); /* every error must be located */
			continue;
		}
		size_t n = sl_csv_count(c);
		if (n < 1 || n > SL_CSV_MAX_FIELDS)
			__builtin_trap();
		if (sl_csv_record_line(c) < 1)
			__builtin_trap();
		for (size_t i = 0; i < n; i++) {
			const char *f = sl_csv_field(c, i);
			size_t len = sl_csv_field_len(c, i);
			if (!f || len > SL_CSV_MAX_FIELD || strlen(f) > len)
				__builtin_trap();
			for (size_t k = 0; k < len; k++)
				sink += (unsigned char)f[k]; /* every byte must be readable */
			if (f[len] != '\0')
				__builtin_trap();
			if (sl_csv_field_line(c, i) < sl_csv_record_line(c) || sl_csv_field_column(c, i) < 1)
				__builtin_trap();
		}
		char sep = sl_csv_separator(c);
		if (sep != ',' && sep != ';')
			__builtin_trap();
	}
	if (strcmp(sl_csv_name(c), "fuzz.csv") != 0)
		__builtin_trap();
	(void)sink;
	sl_csv_free(c);
	return 0;
}
