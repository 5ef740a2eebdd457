/* func.c - resolve functions (symbol table, else Go's function table) and
 * itabs (symbol table, else the runtime's itab list), caching functions. */
#include "gobin_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct gobin_sym *symbol(const struct gobin *gb, const char *name)
{
	uint64_t i;

	if (!strmap__get(&gb->syms, name, &i))
		return NULL;
	return &gb->symv[i];
}

int gobin__func(struct gobin *gb, const char *name, const struct gobin_func **out,
		const char **why)
{
	const struct gobin_sym *sym;
	struct gobin_func *fn, **grown;
	uint64_t entry, end;
	const char *source = "symtab";
	int ret;

	/* Never an unset reason, whatever path fails below. */
	*why = "internal error: no reason given";
	for (int i = 0; i < gb->nfuncs; i++) {
		if (strcmp(gb->funcs[i]->name, name) == 0) {
			*out = gb->funcs[i];
			return 0;
		}
	}
	sym = symbol(gb, name);
	if (sym && sym->size == 0) {
		*why = "symbol has no size";
		return -EINVAL;
	}
	if (sym) {
		entry = sym->value;
		end = sym->value + sym->size;
	} else if (!gb->pclntab) {
		*why = gb->nsyms ? "no such symbol"
				  : "the binary has no symbol table and no readable Go function table";
		return -ENOENT;
	} else if ((ret = gobin__pclntab_func(gb, name, &entry, &end, why)) != 0) {
		if (ret == -ENOENT)
			*why = gb->nsyms ? "no such symbol" : "no such function (no symbol table; "
							       "not in the Go function table)";
		return ret;
	} else {
		source = "pclntab";
	}
	/* A reason on every failure: callers print it (--inspect, -v). */
	grown = realloc(gb->funcs, (size_t)(gb->nfuncs + 1) * sizeof(*grown));
	if (!grown) {
		*why = "out of memory";
		return -ENOMEM;
	}
	gb->funcs = grown;
	/* Each function is its own allocation: pointers handed out stay valid. */
	fn = calloc(1, sizeof(*fn));
	if (!fn) {
		*why = "out of memory";
		return -ENOMEM;
	}
	gb->funcs[gb->nfuncs] = fn;
	fn->name = gobin__note(gb, "%s", name);
	fn->source = source;
	fn->entry = entry;
	fn->end = end;
	ret = gobin__scan_code(gb, fn, why);
	if (ret)
		goto fail;
	if (gobin__file_offset(gb, fn->entry, &fn->entry_file_offset) ||
	    gobin__file_offset(gb, fn->probe, &fn->probe_file_offset)) {
		*why = "function lies outside the loadable segments";
		ret = -EINVAL;
		goto fail;
	}
	gobin__read_params(gb, fn);
	gb->nfuncs++;
	*out = fn;
	return 0;
fail:
	free(fn);
	return ret;
}

int gobin__itab(struct gobin *gb, const char *pair, uint64_t *addr, const char **source,
		const char **why)
{
	static const char *const prefixes[] = {"go:itab.", "go.itab."};
	char name[512];
	int ret;

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		const struct gobin_sym *sym;

		snprintf(name, sizeof(name), "%s%s", prefixes[i], pair);
		sym = symbol(gb, name);
		if (sym) {
			*addr = sym->value;
			*source = "symtab";
			return 0;
		}
	}
	ret = gobin__itablinks_find(gb, pair, addr, why);
	if (ret == 0) {
		*source = "itablinks";
		return 0;
	}
	*why = gobin__note(gb, "%s; %s",
			   gb->nitab_syms ? "no such itab symbol"
			   : gb->nsyms	  ? "no itab symbols (Go 1.27 writes none)"
					  : "no symbol table",
			   *why);
	/* A symbol table that lists itabs is complete: absent for certain. */
	return gb->nitab_syms && ret != -ENOMEM ? GOBIN_ITAB_ABSENT : ret;
}
