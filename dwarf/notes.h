/* notes.h - strings that live as long as their owner: the reasons and
 * names the reader hands out (a `why` stays valid until the gobin closes).
 * A leaf of the reader: it needs nothing else. */
#ifndef NOTES_H
#define NOTES_H

#include <stddef.h>

struct notes {
	char **v;
	size_t n;
};

/* Format a string and keep it until notes__free; returns it, or the
 * static "out of memory" when it cannot be kept (never NULL). */
const char *notes__add(struct notes *notes, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void notes__free(struct notes *notes);

#endif
