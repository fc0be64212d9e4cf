/* buf.c — growable NUL-terminated strings.
 *
 * The buffer grows geometrically; a failed allocation leaves the previous
 * contents intact so callers can report SL_ENOMEM without losing state. */
#include "samlast/base.h"

#include <stdlib.h>
#include <string.h>

int sl_buf_reserve(sl_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	if (need < b->len) /* overflow */
		return SL_ENOMEM;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need) {
		if (cap > SIZE_MAX / 2)
			return SL_ENOMEM;
		cap *= 2;
	}
	char *p = realloc(b->data, cap);
	if (!p)
		return SL_ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int sl_buf_append(sl_buf *b, const void *data, size_t len)
{
	if (sl_buf_reserve(b, len))
		return SL_ENOMEM;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int sl_buf_puts(sl_buf *b, const char *s)
{
	return sl_buf_append(b, s, strlen(s));
}

int sl_buf_putc(sl_buf *b, char c)
{
	return sl_buf_append(b, &c, 1);
}

int sl_buf_vprintf(sl_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	char small[256];
	int n = vsnprintf(small, sizeof small, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return SL_EINVAL;
	if ((size_t)n < sizeof small)
		return sl_buf_append(b, small, (size_t)n);
	if (sl_buf_reserve(b, (size_t)n))
		return SL_ENOMEM;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int sl_buf_printf(sl_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = sl_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int sl_buf_json_string(sl_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	int rc = sl_buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; !rc && *p; p++) {
		switch (*p) {
		case '"': rc = sl_buf_puts(b, "\\\""); break;
		case '\\': rc = sl_buf_puts(b, "\\\\"); break;
		case '\n': rc = sl_buf_puts(b, "\\n"); break;
		case '\r': rc = sl_buf_puts(b, "\\r"); break;
		case '\t': rc = sl_buf_puts(b, "\\t"); break;
		default:
			if (*p < 0x20) {
				char esc[7] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15], 0};
				rc = sl_buf_puts(b, esc);
			} else {
				rc = sl_buf_putc(b, (char)*p);
			}
		}
	}
	return rc ? rc : sl_buf_putc(b, '"');
}

void sl_buf_reset(sl_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void sl_buf_free(sl_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *sl_buf_take(sl_buf *b)
{
	char *s = b->data;
	if (!s) {
		s = malloc(1);
		if (s)
			s[0] = '\0';
	}
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}
