/* test_base.c — errors, buffers, arenas, rng, dates, numbers, UTF-8. */
#include <criterion/criterion.h>
#include <string.h>

#include "samlast/base.h"

Test(error, format_with_location)
{
	sl_error e;
	sl_error_at(&e, SL_EINVAL, "a.csv", 3, 7, "bad date '%s'", "2024-13-01");
	char out[256];
	cr_assert_str_eq(sl_error_format(&e, out, sizeof out),
			 "a.csv:3:7: error: bad date '2024-13-01'");
	sl_error_set(&e, SL_EIO, "disk full");
	cr_assert_str_eq(sl_error_format(&e, out, sizeof out), "error: disk full");
	cr_assert_str_eq(sl_strerror(SL_ENOMEM), "out of memory");
	cr_assert_eq(sl_error_set(NULL, SL_EINVAL, "x"), SL_EINVAL);
}

Test(buf, append_printf_json)
{
	sl_buf b = {0};
	cr_assert_eq(sl_buf_puts(&b, "a"), 0);
	for (int i = 0; i < 1000; i++)
		sl_buf_printf(&b, "%d,", i);
	cr_assert(b.len > 2000);
	sl_buf_reset(&b);
	sl_buf_json_string(&b, "q\"\\\n\x01ä");
	cr_assert_str_eq(b.data, "\"q\\\"\\\\\\n\\u0001ä\"");
	char *s = sl_buf_take(&b);
	cr_assert_not_null(s);
	cr_assert_null(b.data);
	free(s);
	sl_buf_free(&b);
}

Test(arena, alloc_and_reset)
{
	sl_arena *a = sl_arena_new(128);
	char *big = sl_arena_alloc(a, 10000);
	cr_assert_not_null(big);
	memset(big, 1, 10000);
	char *s = sl_arena_strdup(a, "hello");
	cr_assert_str_eq(s, "hello");
	cr_assert_eq((uintptr_t)sl_arena_alloc(a, 3) % 8, 0);
	sl_arena_reset(a);
	cr_assert_eq(sl_arena_used(a), 0);
	sl_arena_free(a);
}

Test(rng, deterministic_and_bounded)
{
	sl_rng a, b;
	sl_rng_seed(&a, 42);
	sl_rng_seed(&b, 42);
	for (int i = 0; i < 100; i++)
		cr_assert_eq(sl_rng_next(&a), sl_rng_next(&b));
	for (int i = 0; i < 10000; i++) {
		cr_assert_lt(sl_rng_below(&a, 7), 7);
		double d = sl_rng_double(&a);
		cr_assert(d >= 0 && d < 1);
	}
}

Test(time, civil_roundtrip_and_weekday)
{
	for (int64_t d = -800000; d < 800000; d += 37) {
		int y, m, dd;
		sl_civil_from_days(d, &y, &m, &dd);
		cr_assert_eq(sl_days_from_civil(y, m, dd), d);
	}
	cr_assert_eq(sl_days_from_civil(1970, 1, 1), 0);
	cr_assert_eq(sl_weekday(sl_days_from_civil(2026, 11, 28)), 6); /* Saturday */
	int iy, w;
	sl_iso_week(sl_days_from_civil(2021, 1, 3), &iy, &w);
	cr_assert_eq(iy, 2020);
	cr_assert_eq(w, 53);
	sl_iso_week(sl_days_from_civil(2024, 12, 30), &iy, &w);
	cr_assert_eq(iy, 2025);
	cr_assert_eq(w, 1);
}

Test(time, parse_dates)
{
	int64_t d;
	sl_error e;
	cr_assert_eq(sl_date_parse("2024-02-29", &d, &e), 0);
	cr_assert_eq(sl_date_parse("2023-02-29", &d, &e), SL_EINVAL);
	cr_assert(strstr(e.message, "does not exist"));
	cr_assert_eq(sl_date_parse("2024-13-01", &d, &e), SL_EINVAL);
	cr_assert_eq(sl_date_parse("2024-1-01", &d, &e), SL_EINVAL);
	cr_assert_eq(sl_date_parse("2024-01-01x", &d, &e), SL_EINVAL);
	char out[16];
	sl_date_parse("2026-11-28", &d, NULL);
	cr_assert_str_eq(sl_date_format(d, out, sizeof out), "2026-11-28");
}

Test(time, stockholm_offsets)
{
	int64_t t;
	/* 2026-03-29 is the last Sunday of March: summer time from 01:00 UTC */
	cr_assert_eq(sl_time_parse("2026-03-29T00:59:59Z", &t, NULL), 0);
	cr_assert_eq(sl_stockholm_offset_s(t), 3600);
	cr_assert_eq(sl_time_parse("2026-03-29T01:00:00Z", &t, NULL), 0);
	cr_assert_eq(sl_stockholm_offset_s(t), 7200);
	cr_assert_eq(sl_time_parse("2026-10-25T00:59:59Z", &t, NULL), 0);
	cr_assert_eq(sl_stockholm_offset_s(t), 7200);
	cr_assert_eq(sl_time_parse("2026-10-25T01:00:00Z", &t, NULL), 0);
	cr_assert_eq(sl_stockholm_offset_s(t), 3600);
	/* local time without offset */
	int64_t a, b;
	sl_time_parse("2026-07-01T08:00", &a, NULL);
	sl_time_parse("2026-07-01T06:00:00Z", &b, NULL);
	cr_assert_eq(a, b);
	sl_time_parse("2026-01-15 08:00:00", &a, NULL);
	sl_time_parse("2026-01-15T08:00:00+01:00", &b, NULL);
	cr_assert_eq(a, b);
	cr_assert_eq(sl_local_seconds_of_day(a), 8 * 3600);
	cr_assert_eq(sl_local_day(a), sl_days_from_civil(2026, 1, 15));
	char out[32];
	cr_assert_str_eq(sl_time_format_local(a, out, sizeof out), "2026-01-15T08:00:00+01:00");
	cr_assert_str_eq(sl_time_format_utc(a, out, sizeof out), "2026-01-15T07:00:00Z");
	sl_error e;
	cr_assert_eq(sl_time_parse("2026-01-15T25:00", &a, &e), SL_EINVAL);
	cr_assert_eq(sl_time_parse("2026-01-15T08:00+1", &a, &e), SL_EINVAL);
	cr_assert_eq(sl_time_parse("2026-01-15T08:00:00.123+0130", &a, &e), 0);
}

Test(number, doubles_ints_money)
{
	double v;
	cr_assert_eq(sl_parse_double("12,5", 1, &v, NULL), 0);
	cr_assert_float_eq(v, 12.5, 1e-12);
	cr_assert_eq(sl_parse_double("12,5", 0, &v, NULL), SL_EINVAL);
	cr_assert_eq(sl_parse_double("-1e3", 0, &v, NULL), 0);
	cr_assert_float_eq(v, -1000, 1e-12);
	cr_assert_eq(sl_parse_double("", 0, &v, NULL), SL_EINVAL);
	cr_assert_eq(sl_parse_double("nan", 0, &v, NULL), SL_EINVAL);
	cr_assert_eq(sl_parse_double("1.2.3", 0, &v, NULL), SL_EINVAL);
	int64_t i;
	cr_assert_eq(sl_parse_int64("-42", &i, NULL), 0);
	cr_assert_eq(i, -42);
	cr_assert_eq(sl_parse_int64("4x", &i, NULL), SL_EINVAL);
	cr_assert_eq(sl_parse_int64("99999999999999999999", &i, NULL), SL_EINVAL);
	cr_assert_eq(sl_parse_money_ore("1234,5", 1, &i, NULL), 0);
	cr_assert_eq(i, 123450);
	cr_assert_eq(sl_parse_money_ore("0.07", 0, &i, NULL), 0);
	cr_assert_eq(i, 7);
	cr_assert_eq(sl_parse_money_ore("1.234", 0, &i, NULL), SL_EINVAL);
	cr_assert_eq(sl_parse_money_ore("12,30", 0, &i, NULL), SL_EINVAL);
}

Test(utf8, validation)
{
	cr_assert_eq(sl_utf8_invalid_at("Östra skolan", strlen("Östra skolan")), -1);
	cr_assert_eq(sl_utf8_invalid_at("ab\xff", 3), 2);
	cr_assert_eq(sl_utf8_invalid_at("a\xc3", 2), 1);          /* truncated */
	cr_assert_eq(sl_utf8_invalid_at("\xc0\xaf", 2), 0);       /* overlong */
	cr_assert_eq(sl_utf8_invalid_at("\xed\xa0\x80", 3), 0);   /* surrogate */
	cr_assert_eq(sl_utf8_invalid_at("\xf0\x9f\x9a\x9a", 4), -1);
}
