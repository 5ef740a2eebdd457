/* termtext.c - escape target text for a terminal (see termtext.h). */
#include "termtext.h"

#include "utf8.h"

#include <stdint.h>
#include <string.h>

/* Code points that are well-formed but act on the terminal or on how
 * the line is laid out. */
static int hidden_code_point(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* What to print for the character at p: its text in out (NUL-terminated,
 * at most 7 bytes), how many input bytes it took, and its columns. */
static size_t piece(const unsigned char *p, size_t n, char out[8], size_t *cols)
{
	uint32_t cp;
	size_t len;

	*cols = 1;
	if (p[0] >= 0x20 && p[0] < 0x7f && p[0] != '\\') {
		out[0] = (char)p[0];
		out[1] = '\0';
		return 1;
	}
	if (p[0] == '\\' || p[0] == '\n' || p[0] == '\r' || p[0] == '\t') {
		out[0] = '\\';
		out[1] = p[0] == '\n' ? 'n' : p[0] == '\r' ? 'r' : p[0] == '\t' ? 't' : '\\';
		out[2] = '\0';
		*cols = 2;
		return 1;
	}
	if (p[0] >= 0x80 && (len = utf8_seq(p, n, &cp)) > 0) {
		if (hidden_code_point(cp)) {
			snprintf(out, 8, "\\u%04x", (unsigned)cp);
			*cols = 6;
		} else {
			memcpy(out, p, len);
			out[len] = '\0';
		}
		return len;
	}
	/* C0 controls, DEL, and bytes that are not UTF-8. */
	snprintf(out, 8, "\\x%02x", p[0]);
	*cols = 4;
	return 1;
}

size_t term_writen(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, cols = 0;

	while (i < n) {
		char out[8];
		size_t c, run = 0;

		/* Plain ASCII, the common case, in one write. */
		while (i + run < n && p[i + run] >= 0x20 && p[i + run] < 0x7f && p[i + run] != '\\')
			run++;
		if (run) {
			fwrite(p + i, 1, run, f);
			i += run;
			cols += run;
			continue;
		}
		i += piece(p + i, n - i, out, &c);
		fputs(out, f);
		cols += c;
	}
	return cols;
}

size_t term_write(FILE *f, const char *s)
{
	return term_writen(f, s, strlen(s));
}

void term_spaces(FILE *f, int n)
{
	static const char spaces[] = "                                ";

	for (; n > 0; n -= (int)sizeof(spaces) - 1)
		fwrite(spaces, 1, n < (int)sizeof(spaces) - 1 ? (size_t)n : sizeof(spaces) - 1, f);
}

void term_pad(FILE *f, const char *s, int width)
{
	size_t cols = term_write(f, s);

	if ((int)cols < width)
		term_spaces(f, width - (int)cols);
}

size_t term_columns(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t total = 0;

	for (size_t i = 0; i < n;) {
		char out[8];
		size_t c;

		i += piece(p + i, n - i, out, &c);
		total += c;
	}
	return total;
}

size_t term_fit(FILE *f, const char *s, size_t n, int width, int pad)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t total = term_columns(s, n), cols, from, shown;

	if (width < 3)
		width = 3;
	if (total <= (size_t)width) {
		shown = term_writen(f, s, n);
	} else {
		/* Drop whole pieces from the front until the rest fits. */
		from = 0;
		cols = total;
		while (cols > (size_t)width - 2 && from < n) {
			char out[8];
			size_t c;

			from += piece(p + from, n - from, out, &c);
			cols -= c;
		}
		fputs("..", f);
		shown = 2 + term_writen(f, s + from, n - from);
	}
	if (pad && shown < (size_t)width)
		term_spaces(f, width - (int)shown);
	return shown;
}

const char *term_text(char *buf, size_t len, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, o = 0;

	if (!len)
		return buf;
	while (i < n) {
		char out[8];
		size_t c, used = piece(p + i, n - i, out, &c), olen = strlen(out);

		if (o + olen >= len)
			break;
		memcpy(buf + o, out, olen);
		o += olen;
		i += used;
	}
	buf[o] = '\0';
	return buf;
}
