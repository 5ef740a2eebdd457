/* pbenc.h - write protocol buffers' wire format into a growing buffer: the
 * few field kinds an OTLP export needs. A write that finds no memory
 * marks the buffer failed; the caller checks once, at the end. */
#ifndef PBENC_H
#define PBENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pbenc {
	uint8_t *data;
	size_t len, cap;
	bool failed; /* out of memory: the contents are not to be used */
};

void pbenc__free(struct pbenc *b);
void pbenc__reset(struct pbenc *b);
void pbenc__raw(struct pbenc *b, const void *p, size_t n);

void pbenc__varint(struct pbenc *b, uint32_t field, uint64_t v);
void pbenc__fixed64(struct pbenc *b, uint32_t field, uint64_t v);
void pbenc__bytes(struct pbenc *b, uint32_t field, const void *p, size_t n);
/* A string field holds UTF-8: a byte of s that is not is written as U+FFFD. */
void pbenc__string(struct pbenc *b, uint32_t field, const char *s);

/* A nested message: begin returns a mark; its fields follow; end writes
 * its length in front of them. */
size_t pbenc__begin(struct pbenc *b, uint32_t field);
void pbenc__end(struct pbenc *b, size_t mark);

#endif
