/* time.c — civil dates, ISO 8601, and Europe/Stockholm local time.
 *
 * Internally every instant is UTC seconds (int64_t) and every calendar day a
 * day number since 1970-01-01.  Local calendar logic (which day a delivery
 * belongs to, receiving hours) uses Europe/Stockholm, computed from the EU
 * summer-time rule (Directive 2000/84/EC) rather than the process's TZ, so the
 * result never depends on the machine's settings or on global state.
 * Date algorithms after H. Hinnant, "chrono-Compatible Low-Level Date
 * Algorithms". */
#include "samlast/base.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

int64_t sl_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void sl_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	const unsigned dd = doy - (153 * mp + 2) / 5 + 1;
	const unsigned mm = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)((int64_t)yoe + era * 400 + (mm <= 2));
	*m = (int)mm;
	*d = (int)dd;
}

int sl_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday (4) */
	int64_t w = (days + 3) % 7;
	if (w < 0)
		w += 7;
	return (int)w + 1;
}

void sl_iso_week(int64_t days, int *iso_year, int *week)
{
	int64_t thursday = days - sl_weekday(days) + 4;
	int y, m, d;
	sl_civil_from_days(thursday, &y, &m, &d);
	int64_t jan1 = sl_days_from_civil(y, 1, 1);
	*iso_year = y;
	*week = (int)((thursday - jan1) / 7 + 1);
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

/* Read exactly n digits. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int parse_date_prefix(const char **p, int64_t *days, sl_error *err)
{
	const char *s = *p;
	int y, m, d;
	if (digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &m) || *s++ != '-' ||
	    digits(&s, 2, &d))
		return sl_error_set(err, SL_EINVAL, "expected a date YYYY-MM-DD");
	if (m < 1 || m > 12)
		return sl_error_set(err, SL_EINVAL, "month %d is out of range 1-12", m);
	if (d < 1 || d > days_in_month(y, m))
		return sl_error_set(err, SL_EINVAL, "day %d does not exist in %04d-%02d", d, y, m);
	*days = sl_days_from_civil(y, m, d);
	*p = s;
	return 0;
}

int sl_date_parse(const char *s, int64_t *days, sl_error *err)
{
	const char *p = s;
	int rc = parse_date_prefix(&p, days, err);
	if (rc)
		return rc;
	if (*p)
		return sl_error_set(err, SL_EINVAL, "unexpected text after the date: '%s'", p);
	return 0;
}

char *sl_date_format(int64_t days, char *out, size_t out_size)
{
	int y, m, d;
	sl_civil_from_days(days, &y, &m, &d);
	snprintf(out, out_size, "%04d-%02d-%02d", y, m, d);
	return out;
}

/* Last Sunday of a month, as a day number. */
static int64_t last_sunday(int y, int m)
{
	int64_t last = sl_days_from_civil(y, m, days_in_month(y, m));
	return last - (sl_weekday(last) % 7);
}

int sl_stockholm_offset_s(int64_t utc_s)
{
	int64_t day = utc_s >= 0 ? utc_s / 86400 : (utc_s - 86399) / 86400;
	int y, m, d;
	sl_civil_from_days(day, &y, &m, &d);
	int64_t start = last_sunday(y, 3) * 86400 + 3600;
	int64_t end = last_sunday(y, 10) * 86400 + 3600;
	return (utc_s >= start && utc_s < end) ? 7200 : 3600;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

int64_t sl_local_day(int64_t utc_s)
{
	return floor_div(utc_s + sl_stockholm_offset_s(utc_s), 86400);
}

int sl_local_seconds_of_day(int64_t utc_s)
{
	int64_t local = utc_s + sl_stockholm_offset_s(utc_s);
	return (int)(local - floor_div(local, 86400) * 86400);
}

int64_t sl_local_to_utc(int64_t days, int sec_of_day)
{
	int64_t local = days * 86400 + sec_of_day;
	/* Try the winter offset first; if the result falls in summer time, use
	 * the summer offset.  In the autumn's repeated hour the earlier instant
	 * (summer time) wins; the spring's missing hour maps forward. */
	int64_t guess = local - 3600;
	int64_t summer = local - 7200;
	if (sl_stockholm_offset_s(summer) == 7200)
		return summer;
	return guess;
}

int sl_time_parse(const char *s, int64_t *utc_s, sl_error *err)
{
	const char *p = s;
	int64_t days;
	int rc = parse_date_prefix(&p, &days, err);
	if (rc)
		return rc;
	if (*p == '\0') {
		*utc_s = sl_local_to_utc(days, 0);
		return 0;
	}
	if (*p != 'T' && *p != 't' && *p != ' ')
		return sl_error_set(err, SL_EINVAL, "expected 'T' between date and time");
	p++;
	int hh, mm, ss = 0;
	if (digits(&p, 2, &hh) || *p++ != ':' || digits(&p, 2, &mm))
		return sl_error_set(err, SL_EINVAL, "expected a time HH:MM[:SS]");
	if (*p == ':') {
		p++;
		if (digits(&p, 2, &ss))
			return sl_error_set(err, SL_EINVAL, "expected seconds after ':'");
		if (*p == '.' || *p == ',') {
			p++;
			if (!isdigit((unsigned char)*p))
				return sl_error_set(err, SL_EINVAL, "expected fraction digits");
			while (isdigit((unsigned char)*p))
				p++; /* sub-second precision is dropped */
		}
	}
	if (hh > 24 || mm > 59 || ss > 60 || (hh == 24 && (mm || ss)))
		return sl_error_set(err, SL_EINVAL, "time %02d:%02d:%02d is out of range", hh, mm, ss);
	if (ss == 60)
		ss = 59; /* leap second: clamp */
	int64_t sec = (int64_t)hh * 3600 + mm * 60 + ss;
	if (*p == '\0') {
		*utc_s = sl_local_to_utc(days, 0) + (sl_local_to_utc(days, (int)sec) - sl_local_to_utc(days, 0));
		return 0;
	}
	int off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1;
		int oh, om = 0;
		if (digits(&p, 2, &oh))
			return sl_error_set(err, SL_EINVAL, "expected a UTC offset +HH[:MM]");
		if (*p == ':')
			p++;
		if (isdigit((unsigned char)*p) && digits(&p, 2, &om))
			return sl_error_set(err, SL_EINVAL, "expected offset minutes");
		if (oh > 18 || om > 59)
			return sl_error_set(err, SL_EINVAL, "UTC offset out of range");
		off = sign * (oh * 3600 + om * 60);
	} else {
		return sl_error_set(err, SL_EINVAL, "unexpected text after the time: '%s'", p);
	}
	if (*p)
		return sl_error_set(err, SL_EINVAL, "unexpected text after the offset: '%s'", p);
	*utc_s = days * 86400 + sec - off;
	return 0;
}

char *sl_time_format_utc(int64_t utc_s, char *out, size_t out_size)
{
	int64_t day = floor_div(utc_s, 86400);
	int64_t sod = utc_s - day * 86400;
	int y, m, d;
	sl_civil_from_days(day, &y, &m, &d);
	snprintf(out, out_size, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
		 (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
	return out;
}

char *sl_time_format_local(int64_t utc_s, char *out, size_t out_size)
{
	int off = sl_stockholm_offset_s(utc_s);
	int64_t local = utc_s + off;
	int64_t day = floor_div(local, 86400);
	int64_t sod = local - day * 86400;
	int y, m, d;
	sl_civil_from_days(day, &y, &m, &d);
	snprintf(out, out_size, "%04d-%02d-%02dT%02d:%02d:%02d+%02d:00", y, m, d,
		 (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), off / 3600);
	return out;
}
