/* internal.h — shared types of the emissions module: exact rationals, a small
 * JSON tree with source positions, and the loaded factor set.
 *
 * Exactness: every input number is parsed from its decimal text into a
 * rational (128-bit numerator/denominator, kept reduced), so 12.6 l x 2.51
 * kg/l is exactly 31.626 kg and rounding happens only once (README rules). */
#ifndef SL_EMISSIONS_INTERNAL_H
#define SL_EMISSIONS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "samlast/base.h"
#include "samlast/emissions.h"

__extension__ typedef __int128 em_i128;

/* n/d with d > 0, reduced. */
typedef struct {
	em_i128 n, d;
} em_q;

/* Arithmetic sets *ovf to 1 on overflow (result then meaningless). */
em_q em_q_int(int64_t v);
em_q em_q_add(em_q a, em_q b, int *ovf);
em_q em_q_sub(em_q a, em_q b, int *ovf);
em_q em_q_mul(em_q a, em_q b, int *ovf);
em_q em_q_div(em_q a, em_q b, int *ovf); /* b != 0 */
int em_q_sign(em_q a);
int em_q_cmp(em_q a, em_q b, int *ovf);
/* Parse a JSON/CSV decimal ("-12.5", "3e2", "0,5" when comma allowed).
 * Returns 0 or -1 when not a number or too precise. */
int em_q_parse(const char *s, size_t len, int decimal_comma, em_q *out);
/* Round half away from zero to an integer; *ovf when outside int64. */
int64_t em_q_round(em_q a, int *ovf);
/* Round half away from zero to `decimals` and print ("987.08"). */
void em_q_print(sl_buf *b, em_q a, int decimals);

/* ---- JSON ---- */
typedef enum { EJ_NULL, EJ_BOOL, EJ_NUM, EJ_STR, EJ_ARR, EJ_OBJ } ej_type;

typedef struct ej {
	ej_type type;
	long line, col;
	const char *s; /* string value, number text, NULL otherwise */
	size_t slen;
	int b;
	size_t n; /* children */
	struct ej **kids;
	const char **keys; /* objects only */
} ej;

/* Parse `text` into a tree allocated in `a`.  SL_EINVAL with location. */
int ej_parse(sl_arena *a, const char *text, size_t len, const char *name, ej **out, sl_error *err);
/* Member of an object, or NULL. */
const ej *ej_get(const ej *obj, const char *key);

/* ---- factor set ---- */
typedef struct {
	char *id, *carrier, *region, *unit, *source;
	int has_wtt, has_ttw, has_wtw, has_mj;
	em_q wtt, ttw, wtw, mj; /* kg CO2e per unit; MJ per unit */
} em_factor;

typedef struct {
	char *vclass, *fuel, *unit, *status, *source;
	int has_c_loaded, has_c_empty, has_lf, has_wtw, has_ttw, has_wtt;
	em_q c_loaded, c_empty, lf, wtw, ttw, wtt; /* per km; g/tkm */
} em_vdefault;

typedef struct {
	char *carrier, *unit, *factor_id;
} em_cdefault;

struct sl_emissions_set {
	char *name, *version;
	em_factor *f;
	size_t nf;
	em_vdefault *v;
	size_t nv;
	em_cdefault *c;
	size_t nc;
	sl_arena *arena;
};

const em_factor *em_factor_by_id(const sl_emissions_set *s, const char *id);

#endif
