/* json.h - the few JSON writing helpers the tool needs. */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include <stdio.h>

/* Write s as a JSON string literal; invalid UTF-8 bytes become \u00XX
 * escapes of the byte so output stays valid JSON. */
void json_str(FILE *f, const char *s);
void json_strn(FILE *f, const char *s, size_t n);
/* The same, or null for an empty s: a value that was not learned. */
void json_str_or_null(FILE *f, const char *s);

#endif
