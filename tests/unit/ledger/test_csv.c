/* test_csv.c — the streaming CSV reader: RFC 4180, Swedish Excel, errors. */
#include <criterion/criterion.h>
#include <string.h>

#include "samlast/base.h"

static sl_csv *mem(const char *s)
{
	return sl_csv_new_mem(s, strlen(s), "t.csv");
}

Test(csv, quotes_newlines_crlf)
{
	sl_csv *c = mem("a,b,c\r\n1,\"x,\"\"y\"\"\nz\",3\r\n\r\n4,,\n");
	sl_error e;
	cr_assert_eq(sl_csv_next(c, &e), 1);
	cr_assert_eq(sl_csv_count(c), 3);
	cr_assert_eq(sl_csv_separator(c), ',');
	cr_assert_eq(sl_csv_next(c, &e), 1);
	cr_assert_str_eq(sl_csv_field(c, 1), "x,\"y\"\nz");
	cr_assert_eq(sl_csv_field_len(c, 1), 7);
	cr_assert_eq(sl_csv_field_line(c, 2), 3);
	cr_assert_eq(sl_csv_field_column(c, 2), 4);
	cr_assert_eq(sl_csv_next(c, &e), 1); /* blank line skipped */
	cr_assert_eq(sl_csv_record_line(c), 5);
	cr_assert_eq(sl_csv_count(c), 3);
	cr_assert_str_eq(sl_csv_field(c, 2), "");
	cr_assert_eq(sl_csv_next(c, &e), 0);
	sl_csv_free(c);
}

Test(csv, swedish_bom_semicolon)
{
	sl_csv *c = mem("\xEF\xBB\xBFnamn;vikt\r\nÅsa;12,5\r\n");
	sl_error e;
	cr_assert_eq(sl_csv_next(c, &e), 1);
	cr_assert_eq(sl_csv_separator(c), ';');
	cr_assert_str_eq(sl_csv_field(c, 0), "namn");
	cr_assert_eq(sl_csv_next(c, &e), 1);
	cr_assert_str_eq(sl_csv_field(c, 1), "12,5");
	cr_assert_eq(sl_csv_field_column(c, 1), 5); /* characters, not bytes */
	sl_csv_free(c);
}

Test(csv, errors_have_locations_and_resync)
{
	sl_error e;
	sl_csv *c = mem("a,b\n\"x\"y,2\n3,4\n5,\"open\n");
	cr_assert_eq(sl_csv_next(c, &e), 1);
	cr_assert_eq(sl_csv_next(c, &e), SL_EINVAL);
	cr_assert_eq(e.line, 2);
	cr_assert_eq(e.column, 4);
	cr_assert(strstr(e.message, "after a closing quote"));
	cr_assert_eq(sl_csv_next(c, &e), 1);
	cr_assert_str_eq(sl_csv_field(c, 0), "3");
	cr_assert_eq(sl_csv_next(c, &e), SL_EINVAL);
	cr_assert(strstr(e.message, "unterminated"));
	cr_assert_eq(e.line, 4);
	cr_assert_eq(e.column, 3);
	sl_csv_free(c);
}

Test(csv, invalid_utf8_and_overlong)
{
	sl_error e;
	sl_csv *c = mem("a\n\xff\xfe\n");
	cr_assert_eq(sl_csv_next(c, &e), 1);
	cr_assert_eq(sl_csv_next(c, &e), SL_EINVAL);
	cr_assert(strstr(e.message, "UTF-8"));
	cr_assert_eq(e.line, 2);
	sl_csv_free(c);
	size_t n = SL_CSV_MAX_FIELD + 10;
	char *big = malloc(n + 8);
	if (!big)
		cr_assert_fail("out of memory");
	memcpy(big, "a\n", 2);
	memset(big + 2, 'x', n);
	memcpy(big + 2 + n, "\nb\n", 4);
	c = mem(big);
	cr_assert_eq(sl_csv_next(c, &e), 1);
	cr_assert_eq(sl_csv_next(c, &e), SL_EINVAL);
	cr_assert(strstr(e.message, "longer than"));
	cr_assert_eq(sl_csv_next(c, &e), 1);
	cr_assert_str_eq(sl_csv_field(c, 0), "b");
	sl_csv_free(c);
	free(big);
}

/* A source that hands over one byte at a time, like a slow upload. */
struct drip {
	const char *s;
	size_t pos;
};

static size_t drip_read(void *ctx, char *buf, size_t cap)
{
	struct drip *d = ctx;
	if (!d->s[d->pos] || cap == 0)
		return 0;
	buf[0] = d->s[d->pos++];
	return 1;
}

Test(csv, byte_at_a_time_source)
{
	struct drip d = {"\xEF\xBB\xBF" "a;b\n1,5;\"x\ny\"\n", 0};
	sl_csv *c = sl_csv_new(drip_read, &d, "drip");
	sl_error e;
	cr_assert_eq(sl_csv_next(c, &e), 1);
	cr_assert_eq(sl_csv_separator(c), ';');
	cr_assert_str_eq(sl_csv_field(c, 0), "a");
	cr_assert_eq(sl_csv_next(c, &e), 1);
	cr_assert_str_eq(sl_csv_field(c, 1), "x\ny");
	cr_assert_eq(sl_csv_next(c, &e), 0);
	sl_csv_free(c);
}
