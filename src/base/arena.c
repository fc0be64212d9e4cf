/* arena.c — a bump allocator for per-request and per-import memory.
 *
 * Blocks are chained; an allocation larger than the block size gets a block
 * of its own.  Reset keeps the first block so a reused arena does not go back
 * to malloc for the common small case. */
#include "samlast/base.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

typedef struct block {
	struct block *next;
	size_t size;
	size_t used;
	alignas(max_align_t) unsigned char data[];
} block;

struct sl_arena {
	block *head;
	size_t block_size;
	size_t total;
};

static block *block_new(size_t size)
{
	block *b = malloc(sizeof *b + size);
	if (!b)
		return NULL;
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

sl_arena *sl_arena_new(size_t block_size)
{
	sl_arena *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->block_size = block_size ? block_size : 64 * 1024;
	return a;
}

void *sl_arena_alloc(sl_arena *a, size_t size)
{
	const size_t align = alignof(max_align_t);
	size = (size + align - 1) & ~(align - 1);
	if (size == 0)
		size = align;
	block *b = a->head;
	if (!b || b->size - b->used < size) {
		size_t bs = size > a->block_size ? size : a->block_size;
		block *nb = block_new(bs);
		if (!nb)
			return NULL;
		nb->next = b;
		a->head = b = nb;
	}
	void *p = b->data + b->used;
	b->used += size;
	a->total += size;
	return p;
}

char *sl_arena_strndup(sl_arena *a, const char *s, size_t n)
{
	char *p = sl_arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *sl_arena_strdup(sl_arena *a, const char *s)
{
	return sl_arena_strndup(a, s, strlen(s));
}

void sl_arena_reset(sl_arena *a)
{
	block *b = a->head;
	if (!b)
		return;
	/* keep the oldest block (the tail of the chain) */
	while (b->next) {
		block *next = b->next;
		free(b);
		b = next;
	}
	b->used = 0;
	a->head = b;
	a->total = 0;
}

size_t sl_arena_used(const sl_arena *a)
{
	return a->total;
}

void sl_arena_free(sl_arena *a)
{
	if (!a)
		return;
	block *b = a->head;
	while (b) {
		block *next = b->next;
		free(b);
		b = next;
	}
	free(a);
}
