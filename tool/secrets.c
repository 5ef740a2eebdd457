/* secrets.c - which header fields hold credentials. */
#include "secrets.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* The ASCII letters in s, any case, as bits (a = 1); *len: its length. */
static unsigned letters(const char *s, size_t *len)
{
	unsigned have = 0;
	const char *p;

	/* Only letters are within 'a'..'z' once bit 5 is set. */
	for (p = s; *p; p++) {
		unsigned k = ((unsigned)(unsigned char)*p | 0x20) - 'a';

		if (k < 26)
			have |= 1u << k;
	}
	*len = (size_t)(p - s);
	return have;
}

/* Whether word (lowercase) starts at s, ASCII letters in any case. */
static bool word_at(const char *s, const char *word)
{
	for (; *word; s++, word++)
		if (lower((unsigned char)*s) != *word)
			return false;
	return true;
}

/* Every field of every call is asked about: cheap for the names that are
 * not. */
bool secrets__name(const char *name)
{
#define NAME(s) {s, sizeof(s) - 1}
	static const struct {
		const char *name;
		size_t len;
	} exact[] = {
		NAME("authorization"), NAME("proxy-authorization"), NAME("cookie"),
		NAME("set-cookie"),    NAME("x-api-key"),		NAME("x-auth-token"),
		NAME("x-csrf-token"),  NAME("x-xsrf-token"),
	};
#undef NAME
	static const char *const words[] = {"token", "secret", "password", "api-key"};
	static unsigned word_letters[sizeof(words) / sizeof(words[0])];
	size_t len;
	unsigned have = letters(name, &len);

	/* Most names lack a letter of each word: one pass rules them out. */
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n;

		if (!word_letters[i])
			word_letters[i] = letters(words[i], &n);
		if ((have & word_letters[i]) != word_letters[i])
			continue;
		for (const char *p = name; *p; p++)
			if (word_at(p, words[i]))
				return true;
	}
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (exact[i].len == len && strcasecmp(name, exact[i].name) == 0)
			return true;
	return false;
}

const char *secrets__shown(bool show, const char *name, const char *value, char *buf, size_t len)
{
	if (show || !secrets__name(name))
		return value;
	snprintf(buf, len, "[redacted %zu bytes]", strlen(value));
	return buf;
}
