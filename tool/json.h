/* json.h - the few JSON writing helpers the tool needs. */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include <stdio.h>

/* Write s as a JSON string literal. Control characters (C0, DEL and the
 * C1 range U+0080..U+009F) are \u-escaped; every byte that is not part of
 * well-formed UTF-8 (overlong forms and surrogates included) becomes
 * \ufffd, so the output is valid JSON and valid UTF-8. */
void json_str(FILE *f, const char *s);
void json_strn(FILE *f, const char *s, size_t n);
/* The same, or null for an empty s: a value that was not learned. */
void json_str_or_null(FILE *f, const char *s);

#endif
