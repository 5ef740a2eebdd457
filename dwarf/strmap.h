/* strmap.h - a small open-addressing map from strings to 64-bit values.
 * Keys are borrowed, not copied: they must outlive the map. */
#ifndef STRMAP_H
#define STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strmap_slot {
	const char *key;
	uint64_t value;
};

struct strmap {
	struct strmap_slot *slots;
	size_t cap; /* a power of two */
	size_t len;
};

int strmap__init(struct strmap *m, size_t expected);
void strmap__free(struct strmap *m);
/* Insert or overwrite. Returns 0 or -ENOMEM. */
int strmap__put(struct strmap *m, const char *key, uint64_t value);
/* Insert only if absent (keeps the first value seen). */
int strmap__put_first(struct strmap *m, const char *key, uint64_t value);
bool strmap__get(const struct strmap *m, const char *key, uint64_t *value);

#endif
