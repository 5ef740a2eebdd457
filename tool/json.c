/* json.c - JSON string escaping. */
#include "json.h"

#include "utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Printable ASCII but '"' (0x22) and '\\' (0x5c): written as they are. */
static const bool plain[256] = {
	[0x20 ... 0x21] = true, [0x23 ... 0x5b] = true, [0x5d ... 0x7e] = true,
};

/* How many bytes from p on need no escaping. */
static size_t plain_run(const unsigned char *p, size_t n)
{
	size_t run = 0;

	while (run < n && plain[p[run]])
		run++;
	return run;
}

void json_strn(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	char buf[258];

	/* Most values need no escaping: one write, quotes included. */
	if (n <= sizeof(buf) - 2 && plain_run(p, n) == n) {
		buf[0] = '"';
		memcpy(buf + 1, s, n);
		buf[n + 1] = '"';
		fwrite(buf, 1, n + 2, f);
		return;
	}
	fputc('"', f);
	while (i < n) {
		unsigned char c = p[i];
		size_t len, run = plain_run(p + i, n - i);
		uint32_t cp;

		/* Plain ASCII needs no escaping: write it in one go. */
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
