/* json.c — a small RFC 8259 JSON reader that keeps each value's line and
 * column and each number's decimal text.
 *
 * Why not jansson: the calculator must point at the offending value
 * ("FILE:LINE:COLUMN: error: negative distance") and must read 12.6 as the
 * decimal 126/10, not as the nearest double; a tree with positions and number
 * texts gives both.  Depth and sizes are bounded; errors never crash. */
#include <string.h>

#include "internal.h"

#define EJ_MAX_DEPTH 64

typedef struct {
	const char *p, *end, *name;
	long line, col;
	sl_arena *a;
	sl_error *err;
} ps;

static int fail(ps *s, const char *msg)
{
	return sl_error_at(s->err, SL_EINVAL, s->name, s->line, s->col, "%s", msg);
}

static void adv(ps *s)
{
	if (*s->p == '\n') {
		s->line++;
		s->col = 1;
	} else if (((unsigned char)*s->p & 0xC0) != 0x80) {
		s->col++;
	}
	s->p++;
}

static void ws(ps *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		adv(s);
}

static ej *node(ps *s, ej_type t)
{
	ej *n = sl_arena_alloc(s->a, sizeof *n);
	if (!n) {
		sl_error_set(s->err, SL_ENOMEM, "out of memory");
		return NULL;
	}
	memset(n, 0, sizeof *n);
	n->type = t;
	n->line = s->line;
	n->col = s->col;
	return n;
}

static int hex4(const char *p, unsigned *v)
{
	int i;
	*v = 0;
	for (i = 0; i < 4; i++) {
		char c = p[i];
		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

static int put_utf8(sl_buf *b, unsigned cp)
{
	char t[4];
	size_t n;
	if (cp < 0x80) {
		t[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		t[0] = (char)(0xC0 | (cp >> 6));
		t[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		t[0] = (char)(0xE0 | (cp >> 12));
		t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		t[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		t[0] = (char)(0xF0 | (cp >> 18));
		t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		t[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		t[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return sl_buf_append(b, t, n);
}

/* Reads a string at s->p ('"'); result in the arena. */
static int str(ps *s, const char **out, size_t *olen)
{
	sl_buf b = {0};
	int rc = 0;
	adv(s);
	for (;;) {
		unsigned char c;
		if (s->p >= s->end) {
			rc = fail(s, "unterminated string");
			goto done;
		}
		c = (unsigned char)*s->p;
		if (c == '"') {
			adv(s);
			break;
		}
		if (c < 0x20) {
			rc = fail(s, "control character in string");
			goto done;
		}
		if (c == '\\') {
			char e;
			adv(s);
			if (s->p >= s->end) {
				rc = fail(s, "unterminated string");
				goto done;
			}
			e = *s->p;
			if (e == 'u') {
				unsigned cp;
				if (s->end - s->p < 5 || hex4(s->p + 1, &cp) != 0) {
					rc = fail(s, "bad \\u escape");
					goto done;
				}
				adv(s);
				adv(s);
				adv(s);
				adv(s);
				adv(s);
				if (cp >= 0xD800 && cp < 0xDC00 && s->end - s->p >= 6 &&
				    s->p[0] == '\\' && s->p[1] == 'u') {
					unsigned lo;
					if (hex4(s->p + 2, &lo) == 0 && lo >= 0xDC00 &&
					    lo < 0xE000) {
						cp =
						    0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
						for (int i = 0; i < 6; i++)
							adv(s);
					}
				}
				if (cp >= 0xD800 && cp < 0xE000)
					cp = 0xFFFD;
				if (put_utf8(&b, cp) != 0) {
					rc = sl_error_set(s->err, SL_ENOMEM, "out of memory");
					goto done;
				}
				continue;
			}
			switch (e) {
			case '"':
			case '\\':
			case '/': break;
			case 'b': e = '\b'; break;
			case 'f': e = '\f'; break;
			case 'n': e = '\n'; break;
			case 'r': e = '\r'; break;
			case 't': e = '\t'; break;
			default: rc = fail(s, "bad escape in string"); goto done;
			}
			adv(s);
			if (sl_buf_putc(&b, e) != 0) {
				rc = sl_error_set(s->err, SL_ENOMEM, "out of memory");
				goto done;
			}
			continue;
		}
		adv(s);
		if (sl_buf_putc(&b, (char)c) != 0) {
			rc = sl_error_set(s->err, SL_ENOMEM, "out of memory");
			goto done;
		}
	}
	*olen = b.len;
	*out = sl_arena_strndup(s->a, b.data ? b.data : "", b.len);
	if (!*out)
		rc = sl_error_set(s->err, SL_ENOMEM, "out of memory");
done:
	sl_buf_free(&b);
	return rc;
}

static int value(ps *s, int depth, ej **out);

/* RFC 8259 number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int num_ok(const char *p, size_t n)
{
	size_t i = 0, d;
	if (i < n && p[i] == '-')
		i++;
	for (d = i; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		;
	if (i == d || (p[d] == '0' && i - d > 1))
		return 0;
	if (i < n && p[i] == '.') {
		for (d = ++i; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		i++;
		if (i < n && (p[i] == '+' || p[i] == '-'))
			i++;
		for (d = i; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	return i == n;
}

static int collect(ps *s, int depth, ej *n, char close)
{
	size_t cap = 0;
	adv(s);
	ws(s);
	if (s->p < s->end && *s->p == close) {
		adv(s);
		return 0;
	}
	for (;;) {
		const char *key = NULL;
		size_t klen;
		ej *kid;
		int rc;
		ws(s);
		if (close == '}') {
			if (s->p >= s->end || *s->p != '"')
				return fail(s, "expected a member name in quotes");
			if ((rc = str(s, &key, &klen)) != 0)
				return rc;
			ws(s);
			if (s->p >= s->end || *s->p != ':')
				return fail(s, "expected ':'");
			adv(s);
		}
		if ((rc = value(s, depth + 1, &kid)) != 0)
			return rc;
		if (n->n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			ej **k = sl_arena_alloc(s->a, nc * sizeof *k);
			const char **ks = sl_arena_alloc(s->a, nc * sizeof *ks);
			if (!k || !ks)
				return sl_error_set(s->err, SL_ENOMEM, "out of memory");
			if (cap) {
				memcpy(k, n->kids, cap * sizeof *k);
				memcpy(ks, n->keys, cap * sizeof *ks);
			}
			n->kids = k;
			n->keys = ks;
			cap = nc;
		}
		n->kids[n->n] = kid;
		n->keys[n->n] = key;
		n->n++;
		ws(s);
		if (s->p < s->end && *s->p == ',') {
			adv(s);
			continue;
		}
		if (s->p < s->end && *s->p == close) {
			adv(s);
			return 0;
		}
		return fail(s, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int lit(ps *s, const char *w)
{
	size_t l = strlen(w);
	if ((size_t)(s->end - s->p) < l || memcmp(s->p, w, l) != 0)
		return -1;
	for (size_t i = 0; i < l; i++)
		adv(s);
	return 0;
}

static int value(ps *s, int depth, ej **out)
{
	ej *n;
	char c;
	ws(s);
	if (depth > EJ_MAX_DEPTH)
		return fail(s, "nested too deeply");
	if (s->p >= s->end)
		return fail(s, "unexpected end of input, expected a value");
	c = *s->p;
	if (c == '{' || c == '[') {
		if (!(n = node(s, c == '{' ? EJ_OBJ : EJ_ARR)))
			return SL_ENOMEM;
		*out = n;
		return collect(s, depth, n, c == '{' ? '}' : ']');
	}
	if (c == '"') {
		if (!(n = node(s, EJ_STR)))
			return SL_ENOMEM;
		*out = n;
		return str(s, &n->s, &n->slen);
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		const char *st = s->p;
		if (!(n = node(s, EJ_NUM)))
			return SL_ENOMEM;
		if (*s->p == '-')
			adv(s);
		while (s->p < s->end &&
		       ((*s->p >= '0' && *s->p <= '9') || *s->p == '.' || *s->p == 'e' ||
		        *s->p == 'E' || *s->p == '+' || *s->p == '-'))
			adv(s);
		if (!num_ok(st, (size_t)(s->p - st)))
			return sl_error_at(s->err, SL_EINVAL, s->name, n->line, n->col,
			                   "bad number");
		n->s = sl_arena_strndup(s->a, st, (size_t)(s->p - st));
		n->slen = (size_t)(s->p - st);
		if (!n->s)
			return sl_error_set(s->err, SL_ENOMEM, "out of memory");
		*out = n;
		return 0;
	}
	if (!(n = node(s, EJ_NULL)))
		return SL_ENOMEM;
	*out = n;
	if (lit(s, "null") == 0)
		return 0;
	n->type = EJ_BOOL;
	if (lit(s, "true") == 0) {
		n->b = 1;
		return 0;
	}
	if (lit(s, "false") == 0)
		return 0;
	return fail(s, "unexpected character, expected a value");
}

int ej_parse(sl_arena *a, const char *text, size_t len, const char *name, ej **out, sl_error *err)
{
	ps s;
	int rc;
	s.p = text;
	s.end = text + len;
	s.name = name;
	s.line = 1;
	s.col = 1;
	s.a = a;
	s.err = err;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		s.p += 3;
	if (sl_utf8_invalid_at(text, len) >= 0) {
		long at = sl_utf8_invalid_at(text, len);
		while (s.p < text + at)
			adv(&s);
		return fail(&s, "invalid UTF-8");
	}
	if ((rc = value(&s, 0, out)) != 0)
		return rc;
	ws(&s);
	if (s.p != s.end)
		return fail(&s, "trailing characters after the JSON value");
	return 0;
}

const ej *ej_get(const ej *obj, const char *key)
{
	size_t i;
	if (!obj || obj->type != EJ_OBJ)
		return NULL;
	for (i = 0; i < obj->n; i++)
		if (obj->keys[i] && strcmp(obj->keys[i], key) == 0)
			return obj->kids[i];
	return NULL;
}
