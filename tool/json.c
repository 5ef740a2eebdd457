/* json.c - JSON string escaping. */
#include "json.h"

#include "utf8.h"

#include <stdint.h>

void json_strn(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	fputc('"', f);
	while (i < n) {
		unsigned char c = p[i];
		size_t len, run = 0;
		uint32_t cp;

		/* Plain ASCII needs no escaping: write it in one go. */
		while (i + run < n && p[i + run] >= 0x20 && p[i + run] < 0x7f && p[i + run] != '"' &&
		       p[i + run] != '\\')
			run++;
		if (run) {
			fwrite(p + i, 1, run, f);
			i += run;
			continue;
		}
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
			i++;
		} else if (c == '\n') {
			fputs("\\n", f);
			i++;
		} else if (c == '\t') {
			fputs("\\t", f);
			i++;
		} else if (c < 0x80) {
			/* Other C0 controls and DEL. */
			fprintf(f, "\\u%04x", c);
			i++;
		} else if ((len = utf8_seq(p + i, n - i, &cp)) > 0) {
			/* C1 controls are valid JSON raw, but a terminal acts on
			 * them when the line is shown: escaped like C0. */
			if (cp <= 0x9f)
				fprintf(f, "\\u%04x", (unsigned)cp);
			else
				fwrite(p + i, 1, len, f);
			i += len;
		} else {
			/* Not UTF-8 (overlong, surrogate, stray or cut byte):
			 * a replacement character per byte, as Go's decoder
			 * reads it, so the output is always valid UTF-8. */
			fputs("\\ufffd", f);
			i++;
		}
	}
	fputc('"', f);
}

void json_str(FILE *f, const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	json_strn(f, s, n);
}

void json_str_or_null(FILE *f, const char *s)
{
	if (*s)
		json_str(f, s);
	else
		fputs("null", f);
}
