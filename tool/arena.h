/* arena.h - memory that lives and dies together: many small zeroed
 * allocations, freed all at once (the protobuf model of a target). */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
};

/* size zeroed bytes aligned for any type, or NULL (out of memory, or
 * count * size overflows). */
void *arena__calloc(struct arena *a, size_t count, size_t size);
/* A copy of s, or NULL. */
char *arena__strdup(struct arena *a, const char *s);
/* "a.b" of a and b ("b" when a is empty), or NULL. */
char *arena__join(struct arena *a, const char *prefix, char sep, const char *name);
void arena__free(struct arena *a);

#endif
