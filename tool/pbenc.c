/* pbenc.c - protocol buffers' wire format, written. */
#include "pbenc.h"

#include "utf8.h"

#include <stdlib.h>
#include <string.h>

#define LEN_RESERVE 5 /* a length below 2^35 takes at most 5 varint bytes */

enum { WIRE_VARINT = 0, WIRE_FIXED64 = 1, WIRE_LEN = 2 };

void pbenc__free(struct pbenc *b)
{
	free(b->data);
	*b = (struct pbenc){0};
}

void pbenc__reset(struct pbenc *b)
{
	b->len = 0;
	b->failed = false;
}

static bool room(struct pbenc *b, size_t n)
{
	size_t cap;
	uint8_t *d;

	if (b->failed)
		return false;
	if (b->len + n <= b->cap)
		return true;
	for (cap = b->cap ? b->cap : 256; cap < b->len + n; cap *= 2)
		;
	d = realloc(b->data, cap);
	if (!d) {
		b->failed = true;
		return false;
	}
	b->data = d;
	b->cap = cap;
	return true;
}

void pbenc__raw(struct pbenc *b, const void *p, size_t n)
{
	if (n && room(b, n)) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
	}
}

static size_t varint_bytes(uint8_t *out, uint64_t v)
{
	size_t n = 0;

	do {
		out[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			out[n] |= 0x80;
		n++;
	} while (v);
	return n;
}

static void raw_varint(struct pbenc *b, uint64_t v)
{
	uint8_t tmp[10];

	pbenc__raw(b, tmp, varint_bytes(tmp, v));
}

static void tag(struct pbenc *b, uint32_t field, int wire)
{
	raw_varint(b, (uint64_t)field << 3 | (uint64_t)wire);
}

void pbenc__varint(struct pbenc *b, uint32_t field, uint64_t v)
{
	tag(b, field, WIRE_VARINT);
	raw_varint(b, v);
}

void pbenc__fixed64(struct pbenc *b, uint32_t field, uint64_t v)
{
	uint8_t le[8];

	for (int i = 0; i < 8; i++)
		le[i] = (uint8_t)(v >> (8 * i));
	tag(b, field, WIRE_FIXED64);
	pbenc__raw(b, le, sizeof(le));
}

void pbenc__bytes(struct pbenc *b, uint32_t field, const void *p, size_t n)
{
	tag(b, field, WIRE_LEN);
	raw_varint(b, n);
	pbenc__raw(b, p, n);
}

void pbenc__string(struct pbenc *b, uint32_t field, const char *s)
{
	static const uint8_t replacement[] = {0xef, 0xbf, 0xbd}; /* U+FFFD */
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), mark = pbenc__begin(b, field);

	/* A receiver refuses a whole request over one string that is not
	 * UTF-8 (proto3 checks): a byte that starts no well-formed sequence
	 * becomes U+FFFD. */
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = p[i] < 0x80 ? 1 : utf8_seq(p + i, n - i, &cp);

		if (k) {
			pbenc__raw(b, p + i, k);
			i += k;
		} else {
			pbenc__raw(b, replacement, sizeof(replacement));
			i++;
		}
	}
	pbenc__end(b, mark);
}

size_t pbenc__begin(struct pbenc *b, uint32_t field)
{
	tag(b, field, WIRE_LEN);
	/* Room for the length, written at the end: its size is not known. */
	if (room(b, LEN_RESERVE))
		b->len += LEN_RESERVE;
	return b->len;
}

void pbenc__end(struct pbenc *b, size_t mark)
{
	uint8_t tmp[10];
	size_t body, n;

	if (b->failed || mark < LEN_RESERVE || mark > b->len)
		return;
	body = b->len - mark;
	n = varint_bytes(tmp, body);
	/* The body moves back over the reserve the length did not need. */
	memmove(b->data + mark - LEN_RESERVE + n, b->data + mark, body);
	memcpy(b->data + mark - LEN_RESERVE, tmp, n);
	b->len -= LEN_RESERVE - n;
}
