/* rational.c — exact rational arithmetic for emission figures.
 *
 * Inputs are decimals (12.6 l, 2.51 kg/l); products and quotients of a few of
 * them stay well inside 128 bits once reduced by their gcd.  Overflow is
 * detected with the compiler's checked arithmetic and reported, never
 * wrapped.  Rounding is half away from zero (data/emissions/README.md). */
#include <string.h>

#include "internal.h"

static em_i128 gcd128(em_i128 a, em_i128 b)
{
	if (a < 0)
		a = -a;
	if (b < 0)
		b = -b;
	while (b != 0) {
		em_i128 t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static em_q norm(em_i128 n, em_i128 d)
{
	em_q r;
	em_i128 g;
	if (d < 0) {
		n = -n;
		d = -d;
	}
	g = gcd128(n, d);
	if (g > 1) {
		n /= g;
		d /= g;
	}
	r.n = n;
	r.d = d;
	return r;
}

em_q em_q_int(int64_t v)
{
	em_q r;
	r.n = v;
	r.d = 1;
	return r;
}

em_q em_q_mul(em_q a, em_q b, int *ovf)
{
	em_i128 g1 = gcd128(a.n, b.d), g2 = gcd128(b.n, a.d), n, d;
	if (g1 == 0)
		g1 = 1;
	if (g2 == 0)
		g2 = 1;
	if (__builtin_mul_overflow(a.n / g1, b.n / g2, &n) ||
	    __builtin_mul_overflow(a.d / g2, b.d / g1, &d)) {
		*ovf = 1;
		return em_q_int(0);
	}
	return norm(n, d);
}

em_q em_q_div(em_q a, em_q b, int *ovf)
{
	em_q inv;
	if (b.n == 0) {
		*ovf = 1;
		return em_q_int(0);
	}
	inv.n = b.d;
	inv.d = b.n;
	if (inv.d < 0) {
		inv.n = -inv.n;
		inv.d = -inv.d;
	}
	return em_q_mul(a, inv, ovf);
}

em_q em_q_add(em_q a, em_q b, int *ovf)
{
	em_i128 g = gcd128(a.d, b.d), x, y, n, d;
	if (__builtin_mul_overflow(a.n, b.d / g, &x) || __builtin_mul_overflow(b.n, a.d / g, &y) ||
	    __builtin_add_overflow(x, y, &n) || __builtin_mul_overflow(a.d / g, b.d, &d)) {
		*ovf = 1;
		return em_q_int(0);
	}
	return norm(n, d);
}

em_q em_q_sub(em_q a, em_q b, int *ovf)
{
	b.n = -b.n;
	return em_q_add(a, b, ovf);
}

int em_q_sign(em_q a)
{
	return a.n > 0 ? 1 : a.n < 0 ? -1 : 0;
}

int em_q_cmp(em_q a, em_q b, int *ovf)
{
	return em_q_sign(em_q_sub(a, b, ovf));
}

int em_q_parse(const char *s, size_t len, int decimal_comma, em_q *out)
{
	size_t i = 0;
	int neg = 0, digits = 0, frac = 0, exp = 0, eneg = 0, edig = 0;
	em_i128 n = 0, d = 1;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
		if (digits - (n == 0) >= 30)
			return -1;
		n = n * 10 + (s[i] - '0');
	}
	if (i < len && (s[i] == '.' || (decimal_comma && s[i] == ','))) {
		i++;
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, frac++) {
			if (frac >= 18 || digits + frac >= 36)
				return -1;
			n = n * 10 + (s[i] - '0');
			d *= 10;
		}
		if (frac == 0)
			return -1;
	}
	if (digits + frac == 0)
		return -1;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			eneg = s[i++] == '-';
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, edig++) {
			exp = exp * 10 + (s[i] - '0');
			if (exp > 18)
				return -1;
		}
		if (edig == 0)
			return -1;
	}
	if (i != len)
		return -1;
	for (; exp > 0; exp--) {
		int ovf = 0;
		if (eneg)
			ovf = __builtin_mul_overflow(d, 10, &d);
		else
			ovf = __builtin_mul_overflow(n, 10, &n);
		if (ovf)
			return -1;
	}
	*out = norm(neg ? -n : n, d);
	return 0;
}

int64_t em_q_round(em_q a, int *ovf)
{
	em_i128 q = a.n / a.d, r = a.n % a.d;
	em_i128 ar = r < 0 ? -r : r;
	if (2 * ar >= a.d)
		q += a.n < 0 ? -1 : 1;
	if (q > INT64_MAX || q < INT64_MIN) {
		*ovf = 1;
		return 0;
	}
	return (int64_t)q;
}

void em_q_print(sl_buf *b, em_q a, int decimals)
{
	int ovf = 0, i;
	em_q scaled = a;
	int64_t v, p = 1;
	for (i = 0; i < decimals; i++)
		p *= 10;
	scaled = em_q_mul(a, em_q_int(p), &ovf);
	v = em_q_round(scaled, &ovf);
	if (ovf) {
		sl_buf_puts(b, "null");
		return;
	}
	if (v < 0) {
		sl_buf_putc(b, '-');
		v = -v;
	}
	if (decimals == 0)
		sl_buf_printf(b, "%lld", (long long)v);
	else
		sl_buf_printf(b, "%lld.%0*lld", (long long)(v / p), decimals, (long long)(v % p));
}
