/* itab_lookup.c - ask the binary reader about itabs, for the tests:
 *
 *   itab-lookup BINARY            every itab of the runtime's own list, one
 *                                 line each: ADDRESS TAB concrete,interface
 *                                 TAB concrete package TAB interface package
 *                                 (names as the runtime spells them; "?" for
 *                                 a package path the reader cannot find)
 *   itab-lookup BINARY PAIR...    look pairs up the way the tracer does
 *   itab-lookup BINARY -          the same, one pair a line on stdin
 *
 * A lookup prints ADDRESS TAB SOURCE TAB PAIR, or "- TAB missing: WHY TAB
 * PAIR". Exit status: 0 when everything asked for was found, 1 when
 * something was missing or the list could not be read, 2 on bad usage or
 * a file the reader refuses.
 */
#include "../../dwarf/gobin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int list(struct gobin *gb)
{
	const struct gobin_itab *v;
	const char *why;
	size_t n;

	if (gobin__itabs(gb, &v, &n, &why) != 0) {
		fprintf(stderr, "itab-lookup: %s: %s\n", gobin__path(gb), why);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		printf("0x%llx\t%s,%s\t%s\t%s\n", (unsigned long long)v[i].addr, v[i].concrete,
		       v[i].iface, v[i].concrete_pkg ? v[i].concrete_pkg : "?",
		       v[i].iface_pkg ? v[i].iface_pkg : "?");
	return 0;
}

static bool lookup(struct gobin *gb, const char *pair)
{
	const char *why, *source;
	uint64_t addr;

	if (gobin__itab(gb, pair, &addr, &source, &why) != 0) {
		printf("-\tmissing: %s\t%s\n", why, pair);
		return false;
	}
	printf("0x%llx\t%s\t%s\n", (unsigned long long)addr, source, pair);
	return true;
}

static bool lookup_stdin(struct gobin *gb)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	bool all = true;

	while ((len = getline(&line, &cap, stdin)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (len)
			all &= lookup(gb, line);
	}
	free(line);
	return all;
}

int main(int argc, char **argv)
{
	char err[GOBIN_ERRLEN];
	struct gobin *gb;
	bool all = true;
	int ret;

	if (argc < 2) {
		fprintf(stderr, "usage: itab-lookup BINARY [PAIR...|-]\n");
		return 2;
	}
	if (gobin__open(argv[1], NULL, &gb, err, sizeof(err))) {
		fprintf(stderr, "itab-lookup: %s\n", err);
		return 2;
	}
	if (argc == 2) {
		ret = list(gb);
	} else {
		for (int i = 2; i < argc; i++)
			all &= strcmp(argv[i], "-") == 0 ? lookup_stdin(gb) : lookup(gb, argv[i]);
		ret = all ? 0 : 1;
	}
	gobin__close(gb);
	return ret;
}
