/* jsoncheck.h - a strict JSON validator for the decoder's tests
 * (tests/unit/pbdecode.c, tests/fuzz/fuzz_pbdecode.c): the output of
 * pbdecode__json must always parse, strings valid UTF-8 included. */
#ifndef PBTEST_JSONCHECK_H
#define PBTEST_JSONCHECK_H

#include "../../../tool/utf8.h"

#include <stdbool.h>
#include <string.h>

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *json_value(const char *p, int depth);

static const char *json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20)
			return NULL;
		if (c == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
						return NULL;
				p += 5;
				continue;
			}
			if (!*p || !strchr("\"\\/bfnrt", *p))
				return NULL;
		} else if (c >= 0x80) {
			uint32_t cp;
			size_t n = utf8_seq((const unsigned char *)p, strlen(p), &cp);

			if (!n)
				return NULL;
			p += n;
			continue;
		}
		p++;
	}
	return p + 1;
}

static const char *json_number(const char *p)
{
	const char *s;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (*p == '.') {
		s = ++p;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == s)
			return NULL;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		s = p;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == s)
			return NULL;
	}
	return p;
}

static const char *json_members(const char *p, char close, int depth)
{
	p = skip_ws(p);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			p = json_string(skip_ws(p));
			if (!p || *(p = skip_ws(p)) != ':')
				return NULL;
			p++;
		}
		p = json_value(p, depth + 1);
		if (!p)
			return NULL;
		p = skip_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *json_value(const char *p, int depth)
{
	if (depth > 200)
		return NULL;
	p = skip_ws(p);
	switch (*p) {
	case '{':
		return json_members(p + 1, '}', depth);
	case '[':
		return json_members(p + 1, ']', depth);
	case '"':
		return json_string(p);
	case 't':
		return strncmp(p, "true", 4) ? NULL : p + 4;
	case 'f':
		return strncmp(p, "false", 5) ? NULL : p + 5;
	case 'n':
		return strncmp(p, "null", 4) ? NULL : p + 4;
	default:
		return json_number(p);
	}
}

static inline bool valid_json(const char *s)
{
	const char *end = json_value(s, 0);

	return end && *skip_ws(end) == '\0';
}

static inline bool printable_ascii(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return false;
	return true;
}

#endif
