/* number.c — strict number parsing for importers.
 *
 * Swedish Excel exports write "1 234,50"; we accept the decimal comma when
 * the file uses ';' as separator, but never silently guess: anything that is
 * not a whole number is refused with a reason.  Money is parsed exactly into
 * öre, without passing through floating point. */
#include "samlast/base.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int sl_parse_double(const char *s, int decimal_comma, double *out, sl_error *err)
{
	char tmp[64];
	size_t n = strlen(s);
	if (n == 0)
		return sl_error_set(err, SL_EINVAL, "expected a number, got an empty value");
	if (n >= sizeof tmp)
		return sl_error_set(err, SL_EINVAL, "number is too long");
	int seen_sep = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == ',' && decimal_comma)
			c = '.';
		if (c == '.') {
			if (seen_sep++)
				return sl_error_set(err, SL_EINVAL, "'%s' is not a number", s);
		} else if (!isdigit((unsigned char)c) && !(i == 0 && (c == '-' || c == '+')) &&
			   !((c == 'e' || c == 'E') && i > 0) &&
			   !((c == '-' || c == '+') && i > 0 && (s[i - 1] == 'e' || s[i - 1] == 'E'))) {
			return sl_error_set(err, SL_EINVAL, "'%s' is not a number", s);
		}
		tmp[i] = c;
	}
	tmp[n] = '\0';
	char *end;
	errno = 0;
	double v = strtod(tmp, &end);
	if (*end || end == tmp || errno == ERANGE || !isfinite(v))
		return sl_error_set(err, SL_EINVAL, "'%s' is not a finite number", s);
	*out = v;
	return 0;
}

int sl_parse_int64(const char *s, int64_t *out, sl_error *err)
{
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	if (!*p)
		return sl_error_set(err, SL_EINVAL, "expected an integer, got '%s'", s);
	for (const char *q = p; *q; q++)
		if (!isdigit((unsigned char)*q))
			return sl_error_set(err, SL_EINVAL, "'%s' is not an integer", s);
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno == ERANGE || *end)
		return sl_error_set(err, SL_EINVAL, "integer '%s' is out of range", s);
	*out = v;
	return 0;
}

int sl_parse_money_ore(const char *s, int decimal_comma, int64_t *ore, sl_error *err)
{
	const char *p = s;
	int neg = 0;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (!isdigit((unsigned char)*p))
		return sl_error_set(err, SL_EINVAL, "'%s' is not an amount of money", s);
	int64_t kr = 0;
	while (isdigit((unsigned char)*p)) {
		if (kr > (INT64_MAX / 100 - 9) / 10)
			return sl_error_set(err, SL_EINVAL, "amount '%s' is too large", s);
		kr = kr * 10 + (*p++ - '0');
	}
	int64_t frac = 0;
	if (*p == '.' || (decimal_comma && *p == ',')) {
		p++;
		int nd = 0;
		while (isdigit((unsigned char)*p)) {
			if (++nd > 2)
				return sl_error_set(err, SL_EINVAL,
						    "amount '%s' has more than two decimals", s);
			frac = frac * 10 + (*p++ - '0');
		}
		if (nd == 0)
			return sl_error_set(err, SL_EINVAL, "'%s' is not an amount of money", s);
		if (nd == 1)
			frac *= 10;
	}
	if (*p)
		return sl_error_set(err, SL_EINVAL, "'%s' is not an amount of money", s);
	int64_t v = kr * 100 + frac;
	*ore = neg ? -v : v;
	return 0;
}

long sl_utf8_invalid_at(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t n;
		unsigned min;
		unsigned cp;
		if ((c & 0xe0) == 0xc0) {
			n = 1; min = 0x80; cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2; min = 0x800; cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3; min = 0x10000; cp = c & 0x07;
		} else {
			return (long)i;
		}
		for (size_t k = 1; k <= n; k++) {
			if (i + k >= len || (p[i + k] & 0xc0) != 0x80)
				return (long)i;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return (long)i;
		i += n + 1;
	}
	return -1;
}
