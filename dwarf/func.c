/* func.c - resolve functions (symbol table, else Go's function table) and
 * itabs (symbol table, else the runtime's itab list), caching functions. */
#include "gobin_internal.h"
#include "prologue.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The runtime's itab list, read the first time it is asked for. */
static struct itablist *itab_list(struct gobin *gb)
{
	if (!gb->itabs)
		gb->itabs = itablinks__read(&gb->img, gb->pclntab, gb->bi.go_version, &gb->notes);
	return gb->itabs;
}

int gobin__itabs(struct gobin *gb, const struct gobin_itab **v, size_t *n, const char **why)
{
	struct itablist *it = itab_list(gb);

	if (!it) {
		*why = "out of memory";
		return -ENOMEM;
	}
	return itablinks__list(it, v, n, why);
}

int gobin__func(struct gobin *gb, const char *name, const struct gobin_func **out,
		const char **why)
{
	const struct symtab_sym *sym;
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
	sym = symtab__get(&gb->syms, name);
	if (sym && sym->size == 0) {
		*why = "symbol has no size";
		return -EINVAL;
	}
	if (sym) {
		entry = sym->value;
		end = sym->value + sym->size;
	} else if (!gb->pclntab && !gb->syms.n) {
		*why = "the binary has no symbol table and no readable Go function table";
		return -ENODATA;
	} else if (!gb->pclntab) {
		*why = "no such symbol";
		return -ENOENT;
	} else if ((ret = pclntab__func(gb->pclntab, name, &entry, &end, why)) != 0) {
		if (ret == -ENOENT)
			*why = gb->syms.n ? "no such symbol" : "no such function (no symbol table; "
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
	ret = prologue__scan(&gb->img, strcmp(gobin__abi(gb), "stack") == 0, fn, &gb->notes, why);
	if (ret)
		goto fail;
	if (elfimage__file_offset(&gb->img, fn->entry, &fn->entry_file_offset) ||
	    elfimage__file_offset(&gb->img, fn->probe, &fn->probe_file_offset)) {
		*why = "function lies outside the loadable segments";
		ret = -EFAULT;
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
		const struct symtab_sym *sym;

		snprintf(name, sizeof(name), "%s%s", prefixes[i], pair);
		sym = symtab__get(&gb->syms, name);
		if (sym) {
			*addr = sym->value;
			*source = "symtab";
			return 0;
		}
	}
	if (itab_list(gb)) {
		ret = itablinks__find(gb->itabs, pair, &gb->notes, addr, why);
	} else {
		*why = "out of memory";
		ret = -ENOMEM;
	}
	if (ret == 0) {
		*source = "itablinks";
		return 0;
	}
	*why = gobin__note(gb, "%s; %s",
			   gb->syms.nitab ? "no such itab symbol"
			   : gb->syms.n	  ? "no itab symbols (Go 1.27 writes none)"
					  : "no symbol table",
			   *why);
	/* A symbol table that lists itabs is complete: absent for certain. */
	return gb->syms.nitab && ret != -ENOMEM ? GOBIN_ITAB_ABSENT : ret;
}
