/* notes.c - strings kept alive for the reader's callers. */
#include "notes.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NOTE 512

const char *notes__add(struct notes *notes, const char *fmt, ...)
{
	char buf[MAX_NOTE];
	char **grown;
	char *s;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	grown = realloc(notes->v, (notes->n + 1) * sizeof(*grown));
	if (!grown)
		return "out of memory";
	notes->v = grown;
	s = strdup(buf);
	if (!s)
		return "out of memory";
	notes->v[notes->n++] = s;
	return s;
}

void notes__free(struct notes *notes)
{
	for (size_t i = 0; i < notes->n; i++)
		free(notes->v[i]);
	free(notes->v);
	notes->v = NULL;
	notes->n = 0;
}
