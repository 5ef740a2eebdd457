/* numtext.h - an unsigned number as decimal text without printf's format
 * parsing: the per-call writers (text rows, JSON) run thousands of times a
 * second. */
#ifndef NUMTEXT_H
#define NUMTEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* v as "%llu" in buf (cut to len - 1 digits); returns buf. */
static inline char *u64_text(char *buf, size_t len, uint64_t v)
{
	char tmp[20], *p = tmp + sizeof(tmp);
	size_t n;

	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	n = (size_t)(tmp + sizeof(tmp) - p);
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

#endif
