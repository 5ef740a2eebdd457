/* json.c - JSON string escaping. */
#include "json.h"

static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t need;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0 && s[0] >= 0xc2)
		need = 2;
	else if ((s[0] & 0xf0) == 0xe0)
		need = 3;
	else if ((s[0] & 0xf8) == 0xf0 && s[0] <= 0xf4)
		need = 4;
	else
		return 0;
	if (need > n)
		return 0;
	for (size_t i = 1; i < need; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return need;
}

void json_strn(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	fputc('"', f);
	while (i < n) {
		unsigned char c = p[i];
		size_t len, run = 0;

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
			fprintf(f, "\\%c", c);
			i++;
		} else if (c == '\n') {
			fputs("\\n", f);
			i++;
		} else if (c == '\t') {
			fputs("\\t", f);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
		} else if ((len = utf8_len(p + i, n - i)) > 0) {
			fwrite(p + i, 1, len, f);
			i += len;
		} else {
			/* Not UTF-8: keep the byte visible and the JSON valid. */
			fprintf(f, "\\u%04x", c);
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
