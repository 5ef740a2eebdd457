/* layout.c - answer layout questions from DWARF when the binary has it,
 * else from the offsets table (offsets.c). */
#include "layout.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *dwarf_origin(const struct layout *l)
{
	return l->dwarf_origin;
}

void layout__init(struct layout *l, struct gobin *gb, const char *grpc_version,
		  const char *grpc_source)
{
	memset(l, 0, sizeof(*l));
	l->gb = gb;
	l->dwarf = gobin__has_dwarf(gb);
	if (l->dwarf) {
		const char *src = gobin__dwarf_source(gb);

		/* The executable's own DWARF is just "DWARF"; a debug file
		 * found elsewhere is named. */
		if (src && strcmp(src, "embedded") != 0)
			snprintf(l->dwarf_origin, sizeof(l->dwarf_origin), "DWARF (%s)", src);
		else
			snprintf(l->dwarf_origin, sizeof(l->dwarf_origin), "DWARF");
		return;
	}
	/* Parameter locations and code sizes are the machine's own: each
	 * machine has a table of its own reference builds. */
	if (offsets__load(gobin__arch(gb), l->table_err, sizeof(l->table_err)))
		l->table_why = l->table_err;
	offsets__versions(gb, grpc_version, grpc_source, &l->ov);
}

const char *layout__source(const struct layout *l)
{
	return l->dwarf ? dwarf_origin(l) : "offsets table";
}

int layout__member(const struct layout *l, const char *type, const char *path, uint64_t *offset,
		   uint64_t *size, const char **origin, const char **why)
{
	char key[320];

	if (l->dwarf) {
		*origin = dwarf_origin(l);
		return gobin__member(l->gb, type, path, offset, size, why);
	}
	if (l->table_why) {
		*why = l->table_why;
		return -ENOENT;
	}
	snprintf(key, sizeof(key), "%s:%s", type, path);
	return offsets__member(&l->ov, key, offset, size, origin, why);
}

int layout__size(const struct layout *l, const char *type, uint64_t *size, const char **origin,
		 const char **why)
{
	if (l->dwarf) {
		*origin = dwarf_origin(l);
		return gobin__struct_size(l->gb, type, size, why);
	}
	if (l->table_why) {
		*why = l->table_why;
		return -ENOENT;
	}
	return offsets__size(&l->ov, type, size, origin, why);
}

int layout__param(const struct layout *l, const struct gobin_func *fn, const char *name,
		  struct gobin_param *mem, const struct gobin_param **out, const char **origin,
		  const char **why)
{
	int ret;

	if (l->dwarf) {
		if (fn->params_why) {
			*why = fn->params_why;
			return -ENOENT;
		}
		for (int i = 0; i < fn->nparams; i++) {
			if (!fn->params[i].is_return && strcmp(fn->params[i].name, name) == 0) {
				*out = &fn->params[i];
				*origin = dwarf_origin(l);
				return 0;
			}
		}
		*why = "no such parameter";
		return -ENOENT;
	}
	if (l->table_why) {
		*why = l->table_why;
		return -ENOENT;
	}
	ret = offsets__param(&l->ov, fn->name, name, mem, origin, why);
	if (ret == 0)
		*out = mem;
	return ret;
}

int layout__params(const struct layout *l, const struct gobin_func *fn, struct gobin_param *out,
		   int max, const char **origins, const char **why)
{
	int n = 0;

	if (l->dwarf) {
		if (fn->params_why) {
			*why = fn->params_why;
			return -ENOENT;
		}
		for (int i = 0; i < fn->nparams && n < max; i++) {
			if (fn->params[i].is_return)
				continue;
			out[n] = fn->params[i];
			origins[n++] = dwarf_origin(l);
		}
		return n;
	}
	if (l->table_why) {
		*why = l->table_why;
		return -ENOENT;
	}
	return offsets__params(&l->ov, fn->name, out, max, origins, why);
}
