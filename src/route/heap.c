/* heap.c — a binary min-heap of (key, node) with lazy deletion.
 *
 * Dijkstra-style searches push a node again when its distance improves and
 * skip stale entries when they surface; that is simpler and, on road
 * graphs, as fast as a heap with decrease-key. */
#include "internal.h"

#include <stdlib.h>

int rg_heap_push(rg_heap *h, uint64_t key, uint32_t node)
{
	if (h->n == h->cap) {
		size_t nc = h->cap ? h->cap * 2 : 1024;
		rg_heap_item *a = realloc(h->a, nc * sizeof *a);
		if (!a)
			return SL_ENOMEM;
		h->a = a;
		h->cap = nc;
	}
	size_t i = h->n++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (h->a[p].key <= key)
			break;
		h->a[i] = h->a[p];
		i = p;
	}
	h->a[i] = (rg_heap_item){key, node};
	return 0;
}

rg_heap_item rg_heap_pop(rg_heap *h)
{
	rg_heap_item top = h->a[0];
	rg_heap_item last = h->a[--h->n];
	size_t i = 0, n = h->n;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && h->a[c + 1].key < h->a[c].key)
			c++;
		if (last.key <= h->a[c].key)
			break;
		h->a[i] = h->a[c];
		i = c;
	}
	if (n)
		h->a[i] = last;
	return top;
}

void rg_heap_free(rg_heap *h)
{
	free(h->a);
	h->a = NULL;
	h->n = h->cap = 0;
}
