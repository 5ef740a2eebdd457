/* arena.c - bump allocation in blocks of 64 KiB (larger requests get a
 * block of their own), freed all at once. */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK (64 << 10)

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	alignas(max_align_t) unsigned char mem[];
};

void *arena__calloc(struct arena *a, size_t count, size_t size)
{
	const size_t align = alignof(max_align_t);
	struct arena_block *b = a->head;
	size_t n;

	if (size && count > SIZE_MAX / size)
		return NULL;
	n = count * size;
	if (n > SIZE_MAX - align)
		return NULL;
	n = (n + align - 1) & ~(align - 1);
	if (!b || b->cap - b->used < n) {
		size_t cap = n > BLOCK ? n : BLOCK;

		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->used = 0;
		b->cap = cap;
		/* A large block goes behind the head, so the head keeps its room. */
		if (a->head && n > BLOCK) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	b->used += n;
	return memset(b->mem + b->used - n, 0, n);
}

char *arena__strdup(struct arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = arena__calloc(a, n, 1);

	return d ? memcpy(d, s, n) : NULL;
}

char *arena__join(struct arena *a, const char *prefix, char sep, const char *name)
{
	size_t p = strlen(prefix), n = strlen(name);
	char *d;

	if (!p)
		return arena__strdup(a, name);
	d = arena__calloc(a, p + n + 2, 1);
	if (!d)
		return NULL;
	memcpy(d, prefix, p);
	d[p] = sep;
	memcpy(d + p + 1, name, n);
	return d;
}

void arena__free(struct arena *a)
{
	while (a->head) {
		struct arena_block *next = a->head->next;

		free(a->head);
		a->head = next;
	}
}
