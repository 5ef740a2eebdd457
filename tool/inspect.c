/* inspect.c - --inspect: the binary's versions, the probed functions with
 * argument locations at the probe address, struct layouts, itabs, and
 * each probe's state. Human tables or one JSON object. */
#include "inspect.h"
#include "termtext.h"

#include "json.h"

#include <errno.h>
#include <string.h>

/* A register as the machine's disassemblers name it ("rax", "x0"). */
static const char *reg_display(const struct gobin *gb, int dwarf_reg)
{
	const char *name = gobin__machine_reg_name(gobin__machine(gb), dwarf_reg);

	return name ? name : "?";
}

/* Every function the table mentions, in table order, each once. */
static int all_funcs(const char **out, int max)
{
	const char *const *funcs, *const *structs;
	int nfuncs, nstructs;

	resolution__wanted(&funcs, &nfuncs, &structs, &nstructs);
	if (nfuncs > max)
		nfuncs = max;
	for (int i = 0; i < nfuncs; i++)
		out[i] = funcs[i];
	return nfuncs;
}

static size_t type_len(const char *spec)
{
	const char *colon = strchr(spec, ':');

	return colon ? (size_t)(colon - spec) : strlen(spec);
}

/* Stable reorder so that the members of one type stand together, types in
 * the order they first appear. */
static int group_by_type(const char **v, int n)
{
	const char *sorted[256];
	bool taken[256] = {false};
	int k = 0;

	for (int i = 0; i < n && i < 256; i++) {
		if (taken[i])
			continue;
		for (int j = i; j < n && j < 256; j++) {
			if (!taken[j] && type_len(v[j]) == type_len(v[i]) &&
			    strncmp(v[j], v[i], type_len(v[i])) == 0) {
				sorted[k++] = v[j];
				taken[j] = true;
			}
		}
	}
	memcpy(v, sorted, (size_t)k * sizeof(*v));
	return k;
}

/* Every "Type:member" the table mentions, each once. */
static int all_members(const char **out, int max)
{
	int n = 0;

	for (int i = 0; i < nprobe_specs; i++) {
		for (int k = 0; k < MAX_NEEDS && probe_specs[i].needs[k].macro; k++) {
			const struct need *nd = &probe_specs[i].needs[k];

			if (nd->kind != NEED_MEMBER)
				continue;
			for (int a = 0; a < MAX_ALTS && nd->alts[a]; a++) {
				bool dup = false;

				for (int j = 0; j < n; j++)
					dup |= strcmp(out[j], nd->alts[a]) == 0;
				if (!dup && n < max)
					out[n++] = nd->alts[a];
			}
		}
	}
	for (int i = 0; inspect_extra_members[i] && n < max; i++) {
		bool dup = false;

		for (int j = 0; j < n; j++)
			dup |= strcmp(out[j], inspect_extra_members[i]) == 0;
		if (!dup)
			out[n++] = inspect_extra_members[i];
	}
	return group_by_type(out, n);
}

static int all_itabs(const char **out, int max)
{
	int n = 0;

	for (int i = 0; i < nprobe_specs; i++) {
		for (int k = 0; k < MAX_NEEDS && probe_specs[i].needs[k].macro; k++) {
			const struct need *nd = &probe_specs[i].needs[k];
			bool dup = false;

			if (nd->kind != NEED_ITAB)
				continue;
			for (int a = 0; a < MAX_ALTS && nd->alts[a]; a++) {
				dup = false;
				for (int j = 0; j < n; j++)
					dup |= strcmp(out[j], nd->alts[a]) == 0;
				if (!dup && n < max)
					out[n++] = nd->alts[a];
			}
		}
	}
	for (int i = 0; inspect_extra_itabs[i] && n < max; i++) {
		bool dup = false;

		for (int j = 0; j < n; j++)
			dup |= strcmp(out[j], inspect_extra_itabs[i]) == 0;
		if (!dup)
			out[n++] = inspect_extra_itabs[i];
	}
	return n;
}

static void split_member(const char *spec, char *type, size_t tlen, const char **path)
{
	const char *colon = strchr(spec, ':');

	snprintf(type, tlen, "%.*s", (int)(colon - spec), spec);
	*path = colon + 1;
}

/* ---- human output ---- */

static const char *safe(const char *s);

void inspect__wraps_human(FILE *f, const struct conn_wraps *cw, const char *indent)
{
	if (cw->why) {
		fprintf(f, "%snone searched: %s\n", indent, safe(cw->why));
		return;
	}
	if (!cw->n)
		fprintf(f, "%snone found\n", indent);
	for (int i = 0; i < cw->n; i++)
		fprintf(f, "%s%-60s itab 0x%llx, net.Conn at offset %llu\n", indent,
			safe(cw->w[i].type), (unsigned long long)cw->w[i].itab,
			(unsigned long long)cw->w[i].offset);
	for (int i = 0; i < cw->nnotes; i++)
		fprintf(f, "%snot used: %s\n", indent, safe(cw->notes[i]));
	if (cw->nnotes_lost)
		fprintf(f, "%snot used: %d more\n", indent, cw->nnotes_lost);
}

/* Names, versions and reasons read from the binary, escaped for the
 * terminal (termtext.h). A few buffers in turn, so that one printf can
 * take several; --inspect prints and exits, single-threaded. */
static const char *safe(const char *s)
{
	static char bufs[8][2048];
	static int next;
	char *b = bufs[next++ % 8];

	return s ? term_text(b, sizeof(bufs[0]), s) : NULL;
}

static const char *itab_source_text(const char *source)
{
	return strcmp(source, "itablinks") == 0 ? "from the runtime's itab list"
						: "from the symbol table";
}

static void print_piece(FILE *f, const struct gobin *gb, const struct gobin_piece *pc)
{
	if (pc->kind == GOBIN_LOC_REG)
		fprintf(f, "%s", reg_display(gb, pc->dwarf_reg));
	else if (pc->kind == GOBIN_LOC_STACK)
		fprintf(f, "[sp%+lld]", (long long)pc->stack_off);
	else
		fprintf(f, "-");
}

static void human_params(FILE *f, const struct layout *l, const struct gobin_func *fn)
{
	struct gobin_param params[32];
	const char *origins[32], *why, *shown = NULL;
	int n = layout__params(l, fn, params, 32, origins, &why);

	if (n < 0) {
		fprintf(f, "  parameters: %s\n", safe(why));
		return;
	}
	fprintf(f, "  %-16s %-40s %s\n", "PARAMETER", "TYPE", "LOCATION AT PROBE");
	for (int i = 0; i < n; i++) {
		const struct gobin_param *p = &params[i];

		/* Say where the locations came from when it changes. */
		if (!shown || strcmp(shown, origins[i]) != 0)
			fprintf(f, "  (from %s)\n", safe(shown = origins[i]));
		fprintf(f, "  %-16s %-40s ", safe(p->name), safe(p->type_name));
		if (p->why) {
			fprintf(f, "(%s)\n", safe(p->why));
			continue;
		}
		for (int k = 0; k < p->npieces; k++) {
			fprintf(f, "%s", k ? ", " : "");
			print_piece(f, l->gb, &p->pieces[k]);
		}
		fprintf(f, "\n");
	}
}

static void human_func(FILE *f, const struct resolution *res, const char *name)
{
	const struct gobin_func *fn;
	const char *why;

	if (gobin__func(res->gb, name, &fn, &why) != 0) {
		fprintf(f, "\nFUNCTION %s\n  missing: %s\n", name, safe(why));
		return;
	}
	fprintf(f, "\nFUNCTION %s (address from the %s)\n", name,
		strcmp(fn->source, "pclntab") == 0 ? "Go function table" : "symbol table");
	fprintf(f, "  entry 0x%llx  end 0x%llx  probe 0x%llx (%s)  file offset 0x%llx\n",
		(unsigned long long)fn->entry, (unsigned long long)fn->end,
		(unsigned long long)fn->probe,
		fn->probe_is_stack_check ? "stack-check jump" : "entry",
		(unsigned long long)fn->probe_file_offset);
	fprintf(f, "  ret at");
	for (int i = 0; i < fn->nrets; i++)
		fprintf(f, " 0x%llx", (unsigned long long)fn->rets[i]);
	fprintf(f, "%s\n", fn->rets_truncated ? " (list incomplete)" : "");
	human_params(f, &res->layout, fn);
}

/* "offsets table (go1.26; grpc-go v1.85.0 from module data; ...)" */
static void human_values_line(FILE *f, const struct layout *l)
{
	static const char *const titles[NOWNERS] = {"Go", "grpc-go", "golang.org/x/net"};

	fprintf(f, "values      %s", layout__source(l));
	if (l->dwarf) {
		fprintf(f, "\n");
		return;
	}
	fprintf(f, " (%s", l->ov.go_minor[0] ? l->ov.go_minor : "Go release unknown");
	for (int o = OWNER_GRPC; o < NOWNERS; o++) {
		if (l->ov.version[o])
			fprintf(f, "; %s %s from %s", titles[o], safe(l->ov.version[o]),
				safe(l->ov.source[o]));
		else
			fprintf(f, "; %s unknown%s%s", titles[o], l->ov.unknown_why[o] ? ": " : "",
				l->ov.unknown_why[o] ? safe(l->ov.unknown_why[o]) : "");
	}
	fprintf(f, ")%s%s\n", l->table_why ? ": " : "", l->table_why ? safe(l->table_why) : "");
}

/* Where the DWARF came from, and each place passed over on the way. */
static void human_debuginfo(FILE *f, struct gobin *gb)
{
	const struct gobin_debuginfo *d = gobin__debuginfo(gb);

	fprintf(f, "debug info  DWARF %s, symbol table %s, Go function table %s\n",
		gobin__has_dwarf(gb) ? safe(gobin__dwarf_source(gb)) : "none",
		!gobin__has_symtab(gb)	    ? "none"
		: d->symtab_from_debug_file ? "from the debug file"
					    : "yes",
		gobin__has_pclntab(gb) ? gobin__pclntab_how(gb) : "none");
	for (int i = 0; i < d->ntried; i++) {
		const struct gobin_debug_try *t = &d->tried[i];

		fprintf(f, "%-11s %s%s%s: %s\n", i ? "" : "passed over", t->source,
			t->file ? " " : "", t->file ? safe(t->file) : "", safe(t->why));
	}
}

static void print_human(FILE *f, const struct resolution *res)
{
	struct gobin *gb = res->gb;
	const char *names[256];
	char type[160], last[160] = "";
	int n, ret;

	fprintf(f, "binary      %s\n", safe(gobin__path(gb)));
	fprintf(f, "go          %s, %s, %s ABI\n", safe(gobin__go_version(gb)), gobin__arch(gb),
		gobin__abi(gb));
	fprintf(f, "build id    %s\n", *gobin__build_id(gb) ? safe(gobin__build_id(gb)) : "(none)");
	fprintf(f, "gnu id      %s\n",
		*gobin__gnu_build_id(gb) ? gobin__gnu_build_id(gb) : "(none)");
	human_debuginfo(f, gb);
	human_values_line(f, &res->layout);
	for (int i = 0; i < gobin__nmodules(gb); i++) {
		const struct gobin_module *m = gobin__module(gb, i);

		fprintf(f, "%-11s %s %s\n", i ? "" : "modules", safe(m->path), safe(m->version));
	}
	n = all_funcs(names, 256);
	for (int i = 0; i < n; i++)
		human_func(f, res, names[i]);
	n = all_members(names, 256);
	for (int i = 0; i < n; i++) {
		const char *path, *why, *origin;
		uint64_t off, size;

		split_member(names[i], type, sizeof(type), &path);
		if (strcmp(type, last) != 0) {
			if (layout__size(&res->layout, type, &size, &origin, &why) == 0)
				fprintf(f, "\nSTRUCT %s (%llu bytes, from %s)\n", type,
					(unsigned long long)size, safe(origin));
			else
				fprintf(f, "\nSTRUCT %s\n  missing: %s\n", type, safe(why));
			snprintf(last, sizeof(last), "%s", type);
		}
		ret = layout__member(&res->layout, type, path, &off, &size, &origin, &why);
		if (ret == 0)
			fprintf(f, "  %-28s %6llu  (%llu bytes)%s%s\n", path, (unsigned long long)off,
				(unsigned long long)size, res->layout.dwarf ? "" : "  from ",
				res->layout.dwarf ? "" : safe(origin));
		/* A struct the DWARF lacks (or no DWARF): its line says so once. */
		else if (!(res->layout.dwarf && (ret == -ENOENT || ret == -ENODATA)))
			fprintf(f, "  %-28s missing: %s\n", path, safe(why));
	}
	fprintf(f, "\nITABS\n");
	n = all_itabs(names, 256);
	for (int i = 0; i < n; i++) {
		uint64_t addr;
		const char *why, *from;

		if (gobin__itab(gb, names[i], &addr, &from, &why) == 0)
			fprintf(f, "  %-60s 0x%llx (%s)\n", names[i], (unsigned long long)addr,
				itab_source_text(from));
		else
			fprintf(f, "  %-60s missing: %s\n", names[i], safe(why));
	}
	fprintf(f, "\nRULES\n");
	for (int i = 0; i < res->nrules; i++) {
		const struct rule_result *rr = &res->rules[i];

		fprintf(f, "  %-20s %s %s%s%s%s%s\n", rr->rule->name,
			rr->rule->module ? rr->rule->module : "std",
			rr->version ? safe(rr->version) : "(version unknown)",
			rr->version ? " (from the " : "", rr->version ? safe(rr->version_source) : "",
			rr->version ? ")" : "", rr->applies ? "" : "");
		if (!rr->applies)
			fprintf(f, "%24s%s\n", "", safe(rr->why));
	}
	fprintf(f, "\nCONN WRAPPERS (net.Conn wrappers unwrapped for peer and local)\n");
	inspect__wraps_human(f, &res->wraps, "  ");
	fprintf(f, "\nPROBES (%d of %d enabled)\n", resolution__enabled(res), res->nprobes);
	for (int i = 0; i < res->nprobes; i++) {
		const struct resolved_probe *rp = &res->probes[i];

		fprintf(f, "  %-13s %-4s %s: %s", rp->spec->id, rp->enabled ? "on" : "off",
			probe_side__name(rp->spec->side), rp->spec->what);
		if (rp->enabled)
			fprintf(f, " @0x%llx\n", (unsigned long long)rp->fn->probe);
		else
			fprintf(f, "\n%18s%s\n", "", safe(rp->why));
	}
	inspect__protos_human(f, gb);
}

/* ---- JSON output ---- */

static void json_piece(FILE *f, const struct gobin *gb, const struct gobin_piece *pc)
{
	if (pc->kind == GOBIN_LOC_REG)
		fprintf(f, "{\"reg\":\"%s\",\"size\":%u}", reg_display(gb, pc->dwarf_reg), pc->size);
	else if (pc->kind == GOBIN_LOC_STACK)
		fprintf(f, "{\"stack\":%lld,\"size\":%u}", (long long)pc->stack_off, pc->size);
	else
		fprintf(f, "{\"none\":true,\"size\":%u}", pc->size);
}

static void json_missing(FILE *f, bool *first, const char *kind, const char *item, const char *why)
{
	fprintf(f, "%s{\"kind\":\"%s\",\"item\":", *first ? "" : ",", kind);
	json_str(f, item);
	fprintf(f, ",\"why\":");
	json_str(f, why);
	fprintf(f, "}");
	*first = false;
}

/* "params":[...] was opened by the caller; closes it, and says why there
 * are none when there are none. */
static void json_params(FILE *f, const struct layout *l, const struct gobin_func *fn)
{
	struct gobin_param params[32];
	const char *origins[32], *why;
	int n = layout__params(l, fn, params, 32, origins, &why);

	for (int p = 0; p < n; p++) {
		const struct gobin_param *pa = &params[p];

		fprintf(f, "%s{\"name\":", p ? "," : "");
		json_str(f, pa->name);
		fprintf(f, ",\"type\":");
		json_str(f, pa->type_name);
		if (pa->why) {
			fprintf(f, ",\"why\":");
			json_str(f, pa->why);
		}
		fprintf(f, ",\"origin\":");
		json_str(f, origins[p]);
		fprintf(f, ",\"pieces\":[");
		for (int c = 0; c < pa->npieces; c++) {
			fprintf(f, "%s", c ? "," : "");
			json_piece(f, l->gb, &pa->pieces[c]);
		}
		fprintf(f, "]}");
	}
	fprintf(f, "]");
	if (n < 0) {
		fprintf(f, ",\"params_why\":");
		json_str(f, why);
	}
}

static void json_debuginfo(FILE *f, const struct gobin *gb)
{
	const struct gobin_debuginfo *d = gobin__debuginfo(gb);

	fprintf(f, ",\"debuginfo\":{\"source\":");
	json_str(f, d->source);
	if (d->file) {
		fprintf(f, ",\"file\":");
		json_str(f, d->file);
	}
	if (d->url) {
		fprintf(f, ",\"url\":");
		json_str(f, d->url);
	}
	fprintf(f, ",\"symtab_from_debug_file\":%s,\"tried\":[",
		d->symtab_from_debug_file ? "true" : "false");
	for (int i = 0; i < d->ntried; i++) {
		const struct gobin_debug_try *t = &d->tried[i];

		fprintf(f, "%s{\"source\":", i ? "," : "");
		json_str(f, t->source);
		if (t->file) {
			fprintf(f, ",\"file\":");
			json_str(f, t->file);
		}
		fprintf(f, ",\"why\":");
		json_str(f, t->why);
		fprintf(f, "}");
	}
	fprintf(f, "]}");
}

static void json_funcs(FILE *f, const struct layout *l, struct gobin *gb)
{
	const char *names[256];
	int n = all_funcs(names, 256);
	bool first = true;

	fprintf(f, ",\"functions\":[");
	for (int i = 0; i < n; i++) {
		const struct gobin_func *fn;
		const char *why;

		if (gobin__func(gb, names[i], &fn, &why) != 0)
			continue;
		fprintf(f, "%s{\"name\":", first ? "" : ",");
		first = false;
		json_str(f, fn->name);
		fprintf(f, ",\"entry\":\"0x%llx\",\"end\":\"0x%llx\",\"probe\":\"0x%llx\","
			   "\"probe_kind\":\"%s\",\"file_offset\":\"0x%llx\","
			   "\"entry_file_offset\":\"0x%llx\",\"address_source\":\"%s\",\"returns\":[",
			(unsigned long long)fn->entry, (unsigned long long)fn->end,
			(unsigned long long)fn->probe,
			fn->probe_is_stack_check ? "stack_check" : "entry",
			(unsigned long long)fn->probe_file_offset,
			(unsigned long long)fn->entry_file_offset, fn->source);
		for (int r = 0; r < fn->nrets; r++)
			fprintf(f, "%s\"0x%llx\"", r ? "," : "", (unsigned long long)fn->rets[r]);
		fprintf(f, "],\"returns_complete\":%s,\"params\":[",
			fn->rets_truncated ? "false" : "true");
		json_params(f, l, fn);
		fprintf(f, "}");
	}
	fprintf(f, "]");
}

static void json_struct_members(FILE *f, const struct layout *l, const char **names, int n,
				const char *type)
{
	bool first = true;
	char t2[160];
	const char *p2, *why, *origin;
	uint64_t off, size;

	fprintf(f, ",\"members\":{");
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1)
			fprintf(f, "},\"member_origins\":{");
		first = true;
		for (int j = 0; j < n; j++) {
			split_member(names[j], t2, sizeof(t2), &p2);
			if (strcmp(t2, type) != 0)
				break;
			if (layout__member(l, t2, p2, &off, &size, &origin, &why) != 0)
				continue;
			fprintf(f, "%s", first ? "" : ",");
			first = false;
			json_str(f, p2);
			if (pass == 0)
				fprintf(f, ":%llu", (unsigned long long)off);
			else
				fprintf(f, ":"), json_str(f, origin);
		}
	}
	fprintf(f, "}");
}

static void json_structs(FILE *f, const struct layout *l)
{
	const char *names[256];
	char type[160], last[160] = "";
	int n = all_members(names, 256);
	bool first_struct = true;

	fprintf(f, ",\"structs\":{");
	for (int i = 0; i < n; i++) {
		const char *path, *why, *origin;
		uint64_t size;

		split_member(names[i], type, sizeof(type), &path);
		if (strcmp(type, last) == 0)
			continue;
		/* all_members() groups the members of a type together. */
		snprintf(last, sizeof(last), "%s", type);
		if (layout__size(l, type, &size, &origin, &why) != 0)
			continue;
		fprintf(f, "%s", first_struct ? "" : ",");
		first_struct = false;
		json_str(f, type);
		fprintf(f, ":{\"size\":%llu,\"origin\":", (unsigned long long)size);
		json_str(f, origin);
		json_struct_members(f, l, names + i, n - i, type);
		fprintf(f, "}");
	}
	fprintf(f, "}");
}

/* "itabs" maps each found pair to its address, "itab_sources" to where
 * the address came from: "symtab" or "itablinks". */
static void json_itabs(FILE *f, struct gobin *gb)
{
	const char *names[64];
	int n = all_itabs(names, 64);

	for (int pass = 0; pass < 2; pass++) {
		bool first = true;

		fprintf(f, ",\"%s\":{", pass ? "itab_sources" : "itabs");
		for (int i = 0; i < n; i++) {
			uint64_t addr;
			const char *why, *from;

			if (gobin__itab(gb, names[i], &addr, &from, &why) != 0)
				continue;
			fprintf(f, "%s", first ? "" : ",");
			first = false;
			json_str(f, names[i]);
			if (pass)
				fprintf(f, ":\"%s\"", from);
			else
				fprintf(f, ":\"0x%llx\"", (unsigned long long)addr);
		}
		fprintf(f, "}");
	}
}

static void json_missing_all(FILE *f, const struct layout *l, struct gobin *gb)
{
	const char *names[256];
	char type[160];
	bool first = true;
	int n;

	fprintf(f, ",\"missing\":[");
	n = all_funcs(names, 256);
	for (int i = 0; i < n; i++) {
		const struct gobin_func *fn;
		const char *why;

		if (gobin__func(gb, names[i], &fn, &why) != 0)
			json_missing(f, &first, "function", names[i], why);
	}
	n = all_members(names, 256);
	for (int i = 0; i < n; i++) {
		const char *path, *why, *origin;
		uint64_t off, size;

		split_member(names[i], type, sizeof(type), &path);
		if (layout__member(l, type, path, &off, &size, &origin, &why) != 0)
			json_missing(f, &first, "member", names[i], why);
	}
	n = all_itabs(names, 256);
	for (int i = 0; i < n; i++) {
		uint64_t addr;
		const char *why, *from;

		if (gobin__itab(gb, names[i], &addr, &from, &why) != 0)
			json_missing(f, &first, "itab", names[i], why);
	}
	fprintf(f, "]");
}

static void json_rules(FILE *f, const struct resolution *res)
{
	fprintf(f, ",\"rules\":[");
	for (int i = 0; i < res->nrules; i++) {
		const struct rule_result *rr = &res->rules[i];

		fprintf(f, "%s{\"name\":", i ? "," : "");
		json_str(f, rr->rule->name);
		fprintf(f, ",\"module\":");
		json_str(f, rr->rule->module ? rr->rule->module : "std");
		fprintf(f, ",\"applies\":%s,\"version\":", rr->applies ? "true" : "false");
		if (rr->version) {
			json_str(f, rr->version);
			fprintf(f, ",\"version_source\":");
			json_str(f, rr->version_source);
		} else {
			fprintf(f, "null,\"version_source\":null");
		}
		if (!rr->applies) {
			fprintf(f, ",\"why\":");
			json_str(f, rr->why);
		}
		fprintf(f, "}");
	}
	fprintf(f, "]");
}

static void json_probes(FILE *f, const struct resolution *res)
{
	fprintf(f, ",\"probes\":[");
	for (int i = 0; i < res->nprobes; i++) {
		const struct resolved_probe *rp = &res->probes[i];

		fprintf(f, "%s{\"id\":\"%s\",\"enabled\":%s", i ? "," : "", rp->spec->id,
			rp->enabled ? "true" : "false");
		if (rp->fn) {
			fprintf(f, ",\"function\":");
			json_str(f, rp->fn->name);
			fprintf(f, ",\"probe\":\"0x%llx\"", (unsigned long long)rp->fn->probe);
		}
		if (!rp->enabled) {
			fprintf(f, ",\"why\":");
			json_str(f, rp->why);
		}
		fprintf(f, "}");
	}
	fprintf(f, "]");
}

/* "values":{"source":..., "go":..., "grpc":{"version":...,"source":...}, ...} */
static void json_values(FILE *f, const struct layout *l)
{
	static const char *const keys[NOWNERS] = {"go", "grpc", "xnet"};

	fprintf(f, ",\"values\":{\"source\":");
	json_str(f, layout__source(l));
	if (!l->dwarf) {
		fprintf(f, ",\"go\":");
		json_str(f, l->ov.go_minor);
		for (int o = OWNER_GRPC; o < NOWNERS; o++) {
			fprintf(f, ",\"%s\":{\"version\":", keys[o]);
			if (l->ov.version[o]) {
				json_str(f, l->ov.version[o]);
				fprintf(f, ",\"source\":");
				json_str(f, l->ov.source[o]);
			} else {
				fprintf(f, "null,\"why\":");
				json_str(f, l->ov.unknown_why[o] ? l->ov.unknown_why[o] : "unknown");
			}
			fprintf(f, "}");
		}
		if (l->table_why) {
			fprintf(f, ",\"table_error\":");
			json_str(f, l->table_why);
		}
	}
	fprintf(f, "}");
}

/* "conn_wrappers":{"found":[{"type","itab","offset"}],"not_used":[...],"why":...} */
static void json_wraps(FILE *f, const struct conn_wraps *cw)
{
	fprintf(f, ",\"conn_wrappers\":{\"found\":[");
	for (int i = 0; i < cw->n; i++) {
		fprintf(f, "%s{\"type\":", i ? "," : "");
		json_str(f, cw->w[i].type);
		fprintf(f, ",\"itab\":\"0x%llx\",\"offset\":%llu}", (unsigned long long)cw->w[i].itab,
			(unsigned long long)cw->w[i].offset);
	}
	fprintf(f, "],\"not_used\":[");
	for (int i = 0; i < cw->nnotes; i++) {
		fprintf(f, "%s", i ? "," : "");
		json_str(f, cw->notes[i]);
	}
	fprintf(f, "],\"not_used_more\":%d,\"why\":", cw->nnotes_lost);
	if (cw->why)
		json_str(f, cw->why);
	else
		fprintf(f, "null");
	fprintf(f, "}");
}

static void print_json(FILE *f, const struct resolution *res)
{
	struct gobin *gb = res->gb;

	fprintf(f, "{\"binary\":");
	json_str(f, gobin__path(gb));
	fprintf(f, ",\"build_id\":");
	json_str(f, gobin__build_id(gb));
	fprintf(f, ",\"gnu_build_id\":");
	json_str(f, gobin__gnu_build_id(gb));
	fprintf(f, ",\"go_version\":");
	json_str(f, gobin__go_version(gb));
	fprintf(f, ",\"arch\":\"%s\",\"abi\":\"%s\",\"dwarf\":%s,\"symtab\":%s,\"modules\":{",
		gobin__arch(gb), gobin__abi(gb), gobin__has_dwarf(gb) ? "true" : "false",
		gobin__has_symtab(gb) ? "true" : "false");
	for (int i = 0; i < gobin__nmodules(gb); i++) {
		const struct gobin_module *m = gobin__module(gb, i);

		fprintf(f, "%s", i ? "," : "");
		json_str(f, m->path);
		fprintf(f, ":");
		json_str(f, m->version);
	}
	fprintf(f, "}");
	json_debuginfo(f, gb);
	json_values(f, &res->layout);
	json_funcs(f, &res->layout, gb);
	json_structs(f, &res->layout);
	json_itabs(f, gb);
	json_missing_all(f, &res->layout, gb);
	json_rules(f, res);
	json_probes(f, res);
	json_wraps(f, &res->wraps);
	inspect__protos_json(f, gb);
	fprintf(f, "}\n");
}

void inspect__print(FILE *f, const struct resolution *res, bool json)
{
	if (json)
		print_json(f, res);
	else
		print_human(f, res);
}
