/* strmap.c - string to u64 map with linear probing; sized for symbol tables. */
#include "strmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

int strmap__init(struct strmap *m, size_t expected)
{
	size_t cap = 16;

	while (cap < expected * 2)
		cap <<= 1;
	m->slots = calloc(cap, sizeof(*m->slots));
	if (!m->slots)
		return -ENOMEM;
	m->cap = cap;
	m->len = 0;
	return 0;
}

void strmap__free(struct strmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->len = 0;
}

static struct strmap_slot *find_slot(struct strmap_slot *slots, size_t cap, const char *key)
{
	size_t i = hash_str(key) & (cap - 1);

	while (slots[i].key && strcmp(slots[i].key, key) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int grow(struct strmap *m)
{
	size_t cap = m->cap * 2;
	struct strmap_slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			*find_slot(slots, cap, m->slots[i].key) = m->slots[i];
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

static int put(struct strmap *m, const char *key, uint64_t value, bool overwrite)
{
	struct strmap_slot *slot;

	if ((m->len + 1) * 2 > m->cap && grow(m))
		return -ENOMEM;
	slot = find_slot(m->slots, m->cap, key);
	if (!slot->key) {
		slot->key = key;
		slot->value = value;
		m->len++;
	} else if (overwrite) {
		slot->value = value;
	}
	return 0;
}

int strmap__put(struct strmap *m, const char *key, uint64_t value)
{
	return put(m, key, value, true);
}

int strmap__put_first(struct strmap *m, const char *key, uint64_t value)
{
	return put(m, key, value, false);
}

bool strmap__get(const struct strmap *m, const char *key, uint64_t *value)
{
	const struct strmap_slot *slot;

	if (!m->cap)
		return false;
	slot = find_slot(m->slots, m->cap, key);
	if (!slot->key)
		return false;
	if (value)
		*value = slot->value;
	return true;
}
