/* func_oom.c - gobin__func() when memory runs out: it must fail with
 * -ENOMEM and a reason, never leave the reason unset (--inspect prints
 * it). dwarf/func.c is compiled in here with its allocator calls routed
 * through one that fails when told to.
 *
 * Usage: check-func-oom BINARY   (a Go binary with a symbol table)
 * Prints "ok", exit 0; else what went wrong, exit 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail_realloc, fail_calloc;

static void *test_realloc(void *p, size_t n)
{
	if (fail_realloc) {
		fail_realloc = 0;
		return NULL;
	}
	return realloc(p, n);
}

static void *test_calloc(size_t n, size_t size)
{
	if (fail_calloc) {
		fail_calloc = 0;
		return NULL;
	}
	return calloc(n, size);
}

#define realloc test_realloc
#define calloc test_calloc
#include "../../dwarf/func.c"
#undef realloc
#undef calloc

/* One lookup of main.main with a planted garbage reason: what comes back. */
static int check(struct gobin *gb, const char *what, int want_ret)
{
	const struct gobin_func *fn = NULL;
	const char *why = NULL;
	int ret = gobin__func(gb, "main.main", &fn, &why);

	if (ret != want_ret) {
		printf("%s: returned %d, want %d\n", what, ret, want_ret);
		return 1;
	}
	if (ret && (!why || strcmp(why, "out of memory") != 0)) {
		printf("%s: reason %s, want \"out of memory\"\n", what, why ? why : "(unset)");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char err[GOBIN_ERRLEN];
	struct gobin *gb;
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: check-func-oom BINARY\n");
		return 2;
	}
	if (gobin__open(argv[1], NULL, &gb, err, sizeof(err))) {
		fprintf(stderr, "check-func-oom: %s\n", err);
		return 2;
	}
	fail_realloc = 1; /* the list of functions cannot grow */
	bad |= check(gb, "realloc fails", -ENOMEM);
	fail_calloc = 1; /* the function's own record cannot be had */
	bad |= check(gb, "calloc fails", -ENOMEM);
	bad |= check(gb, "memory again", 0); /* and nothing was left half done */
	gobin__close(gb);
	if (!bad)
		printf("ok\n");
	return bad;
}
