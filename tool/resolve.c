/* resolve.c - the rule engine: Checker, Selector, and need resolution. */
#include "resolve.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MAX_WANTED 256

static const char *wanted_funcs[MAX_WANTED];
static const char *wanted_structs[MAX_WANTED];
static const char *wanted_members[MAX_WANTED]; /* "pkg.Type:path" */
static char struct_names[MAX_WANTED][160];
static int nwanted_funcs, nwanted_structs, nwanted_members;

static void add_unique(const char **list, int *n, const char *name)
{
	for (int i = 0; i < *n; i++)
		if (strcmp(list[i], name) == 0)
			return;
	if (*n < MAX_WANTED)
		list[(*n)++] = name;
}

/* "pkg.Type:path" -> "pkg.Type" */
static void add_struct_of(const char *spec)
{
	const char *colon = strchr(spec, ':');
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);

	if (nwanted_structs >= MAX_WANTED || len >= sizeof(struct_names[0]))
		return;
	snprintf(struct_names[nwanted_structs], sizeof(struct_names[0]), "%.*s", (int)len, spec);
	for (int i = 0; i < nwanted_structs; i++)
		if (strcmp(wanted_structs[i], struct_names[nwanted_structs]) == 0)
			return;
	wanted_structs[nwanted_structs] = struct_names[nwanted_structs];
	nwanted_structs++;
}

void resolution__wanted(const char *const **funcs, int *nfuncs, const char *const **structs,
			int *nstructs)
{
	if (!nwanted_funcs) {
		for (int i = 0; i < nprobe_specs; i++) {
			const struct probe_spec *ps = &probe_specs[i];

			for (int f = 0; f < MAX_FUNCS && ps->funcs[f]; f++)
				add_unique(wanted_funcs, &nwanted_funcs, ps->funcs[f]);
			for (int n = 0; n < MAX_NEEDS && ps->needs[n].macro; n++) {
				const struct need *nd = &ps->needs[n];

				if (nd->kind != NEED_MEMBER && nd->kind != NEED_SIZE)
					continue;
				for (int a = 0; a < MAX_ALTS && nd->alts[a]; a++) {
					add_struct_of(nd->alts[a]);
					if (nd->kind == NEED_MEMBER)
						add_unique(wanted_members, &nwanted_members, nd->alts[a]);
				}
			}
		}
		for (int i = 0; inspect_extra_funcs[i]; i++)
			add_unique(wanted_funcs, &nwanted_funcs, inspect_extra_funcs[i]);
		for (int i = 0; inspect_extra_members[i]; i++) {
			add_struct_of(inspect_extra_members[i]);
			add_unique(wanted_members, &nwanted_members, inspect_extra_members[i]);
		}
	}
	*funcs = wanted_funcs;
	*nfuncs = nwanted_funcs;
	*structs = wanted_structs;
	*nstructs = nwanted_structs;
}

static const char *need_kind_name(enum need_kind kind)
{
	return kind == NEED_PARAM || kind == NEED_PARAM_TYPE ? "parameter"
	       : kind == NEED_ITAB			      ? "itab"
							      : "member";
}

static void resolve_param(struct resolution *res, struct resolved_probe *rp,
			  struct resolved_need *rn)
{
	const struct need *nd = rn->need;
	const struct gobin_param *p;
	struct gobin_param mem;

	rn->source = nd->alts[0];
	if (layout__param(&res->layout, rp->fn, nd->alts[0], &mem, &p, &rn->origin, &rn->why))
		return;
	if (nd->kind == NEED_PARAM_TYPE) {
		rn->found = strcmp(p->type_name, nd->alts[1]) == 0;
		if (!rn->found)
			rn->why = "parameter has another type (a different release)";
		return;
	}
	if (p->why) {
		rn->why = p->why;
		return;
	}
	if (nd->piece >= p->npieces) {
		rn->why = "parameter has fewer pieces than needed";
		return;
	}
	rn->piece = p->pieces[nd->piece];
	if (rn->piece.kind == GOBIN_LOC_NONE) {
		rn->why = "this piece has no location at the probe address";
		return;
	}
	rn->found = true;
}

static void resolve_member(struct resolution *res, struct resolved_need *rn)
{
	const struct need *nd = rn->need;
	char type[160];

	for (int a = 0; a < MAX_ALTS && nd->alts[a]; a++) {
		const char *colon = strchr(nd->alts[a], ':');
		const char *why = NULL;

		if (nd->kind == NEED_SIZE) {
			if (layout__size(&res->layout, nd->alts[a], &rn->value, &rn->origin, &why) == 0) {
				rn->found = true;
				rn->source = nd->alts[a];
				return;
			}
		} else if (colon) {
			snprintf(type, sizeof(type), "%.*s", (int)(colon - nd->alts[a]), nd->alts[a]);
			if (layout__member(&res->layout, type, colon + 1, &rn->value, &rn->size,
					   &rn->origin, &why) == 0) {
				rn->found = true;
				rn->source = nd->alts[a];
				return;
			}
		}
		if (!rn->why)
			rn->why = why; /* report the first alternative's reason */
	}
}

static void resolve_need(struct resolution *res, struct resolved_probe *rp,
			 struct resolved_need *rn)
{
	const char *why = NULL, *from;

	switch (rn->need->kind) {
	case NEED_PARAM:
	case NEED_PARAM_TYPE:
		resolve_param(res, rp, rn);
		break;
	case NEED_MEMBER:
	case NEED_SIZE:
		resolve_member(res, rn);
		break;
	case NEED_ITAB:
		rn->absent = true;
		for (int a = 0; a < MAX_ALTS && rn->need->alts[a] && !rn->found; a++) {
			int ret = gobin__itab(res->gb, rn->need->alts[a], &rn->value, &from, &why);

			rn->source = rn->need->alts[a];
			rn->found = ret == 0;
			rn->absent &= ret == GOBIN_ITAB_ABSENT;
			if (rn->found)
				rn->origin = from;
		}
		if (!rn->found) {
			rn->source = rn->need->alts[0];
			rn->why = why;
		} else {
			rn->absent = false;
		}
		break;
	}
}

static void resolve_probe(struct resolution *res, struct resolved_probe *rp, int idx)
{
	const struct probe_spec *ps = rp->spec;
	const char *why = NULL;

	for (int f = 0; f < MAX_FUNCS && ps->funcs[f]; f++) {
		if (gobin__func(res->gb, ps->funcs[f], &rp->fn, &why) == 0)
			break;
		rp->fn = NULL;
	}
	if (!rp->fn) {
		snprintf(res->why_buf[idx], sizeof(res->why_buf[idx]), "function %s: %s",
			 ps->funcs[0], why ? why : "not found");
		rp->why = res->why_buf[idx];
		return;
	}
	if (ps->at_returns && (rp->fn->nrets == 0 || rp->fn->rets_truncated)) {
		snprintf(res->why_buf[idx], sizeof(res->why_buf[idx]),
			 "function %s: its RET instructions could not all be found", rp->fn->name);
		rp->why = res->why_buf[idx];
		return;
	}
	rp->enabled = true;
	for (int n = 0; n < MAX_NEEDS && ps->needs[n].macro; n++) {
		struct resolved_need *rn = &rp->needs[rp->nneeds++];

		rn->need = &ps->needs[n];
		resolve_need(res, rp, rn);
		if (!rn->found && !rn->need->optional && rp->enabled) {
			rp->enabled = false;
			snprintf(res->why_buf[idx], sizeof(res->why_buf[idx]), "%s %s: %s",
				 need_kind_name(rn->need->kind), rn->source ? rn->source : rn->need->alts[0],
				 rn->why ? rn->why : "not found");
			rp->why = res->why_buf[idx];
		}
	}
}

/* The output fields that enabled probes cannot fill: a need that serves
 * one is missing and not absent for certain (an itab that could not be
 * looked up; a missing itab that is absent means no such connection). */
static void find_unknown_fields(struct resolution *res)
{
	for (int i = 0; i < res->nprobes; i++) {
		const struct resolved_probe *rp = &res->probes[i];

		for (int n = 0; rp->enabled && n < rp->nneeds; n++) {
			const struct resolved_need *rn = &rp->needs[n];
			unsigned fresh = rn->need->fills & ~res->unknown_fields;

			if (rn->found || rn->absent || !fresh)
				continue;
			for (int f = 0; f < NFIELDS; f++) {
				if (!(fresh & (1u << f)))
					continue;
				res->unknown_cause[f] = rn->why ? rn->why : "not found";
				snprintf(res->unknown_why[f], sizeof(res->unknown_why[f]),
					 "%s %s: %s", need_kind_name(rn->need->kind),
					 rn->source ? rn->source : rn->need->alts[0],
					 res->unknown_cause[f]);
			}
			res->unknown_fields |= fresh;
		}
	}
}

/* Checker: the module is linked in (by module list or, for GOPATH builds
 * without one, by the marker symbol) at a supported version. */
static void check_rule(struct resolution *res, struct rule_result *rr)
{
	const struct rule *r = rr->rule;
	const struct gobin_func *fn;
	const char *why;

	if (!r->module) {
		rr->version = gobin__go_version(res->gb);
		rr->version_source = "build info";
	} else {
		rr->version = gobin__module_version(res->gb, r->module);
		rr->version_source = rr->version ? "module data" : NULL;
	}
	if (!rr->version && r->version_mark &&
	    gobin__find_version_after(res->gb, r->version_mark, rr->version_buf + 1,
				      sizeof(rr->version_buf) - 1, &why) == 0) {
		/* GOPATH builds carry no module list. */
		rr->version_buf[0] = 'v';
		rr->version = rr->version_buf;
		rr->version_source = "user-agent string";
	}
	if (!gobin__has_symtab(res->gb) && !gobin__has_pclntab(res->gb)) {
		rr->why = rr->version ? "the binary has neither a symbol table nor Go's function "
					"table, so its functions cannot be found"
				      : "the binary has no symbol table, no function table and no module "
					"list: cannot tell";
		rr->unknown = true;
		return;
	}
	fn = NULL;
	for (int m = 0; m < MAX_ALTS && r->markers[m] && !fn; m++)
		if (gobin__func(res->gb, r->markers[m], &fn, &why) != 0)
			fn = NULL;
	if (!fn) {
		rr->why = rr->version && r->module ? "the module is listed but this code is not linked in"
						   : "not linked into this binary";
		return;
	}
	if (rr->version && r->min_version && gobin__version_cmp(rr->version, r->min_version) < 0) {
		rr->why = "older than the oldest supported release";
		return;
	}
	rr->applies = true;
}

/* The grpc-go release the checkers found: it keys the offsets table. */
static void grpc_version(const struct resolution *res, const char **version, const char **source)
{
	*version = *source = NULL;
	for (int i = 0; i < res->nrules; i++) {
		if (res->rules[i].rule->module &&
		    strcmp(res->rules[i].rule->module, "google.golang.org/grpc") == 0 &&
		    res->rules[i].version) {
			*version = res->rules[i].version;
			*source = res->rules[i].version_source;
			return;
		}
	}
}

int resolution__run(struct resolution *res, struct gobin *gb, char *err, size_t errlen)
{
	const char *const *funcs, *const *structs, *version, *source, *why;
	int nfuncs, nstructs, ret;

	memset(res, 0, sizeof(*res));
	res->gb = gb;
	res->machine = gobin__machine(gb);
	resolution__wanted(&funcs, &nfuncs, &structs, &nstructs);
	ret = gobin__index(gb, funcs, nfuncs, structs, nstructs, &why);
	if (ret) {
		snprintf(err, errlen, "%s", why);
		return ret;
	}
	for (int r = 0; r < nrules && res->nrules < 8; r++) {
		res->rules[res->nrules].rule = &rules[r];
		check_rule(res, &res->rules[res->nrules++]);
	}
	grpc_version(res, &version, &source);
	layout__init(&res->layout, gb, version, source);
	for (int r = 0; r < res->nrules; r++) {
		const struct rule_result *rr = &res->rules[r];

		/* Selector: every probe of an applicable rule is tried; the
		 * variants' functions and parameter types pick what fits. */
		for (int p = 0; p < MAX_RULE_PROBES && rr->rule->probes[p] && res->nprobes < MAX_PROBES; p++) {
			struct resolved_probe *rp = &res->probes[res->nprobes];

			memset(rp, 0, sizeof(*rp));
			rp->spec = probe_spec__find(rr->rule->probes[p]);
			rp->rule = rr->rule;
			/* Every id a rule names is a row (tests/unit/probe_table.c). */
			if (!rp->spec || resolution__probe(res, rp->spec->id))
				continue; /* listed by an earlier rule */
			if (rr->applies) {
				resolve_probe(res, rp, res->nprobes);
			} else {
				snprintf(res->why_buf[res->nprobes], sizeof(res->why_buf[0]),
					 "rule %s does not apply: %s", rr->rule->name, rr->why);
				rp->why = res->why_buf[res->nprobes];
			}
			res->nprobes++;
		}
	}
	find_unknown_fields(res);
	conn_wraps__find(&res->wraps, gb);
	return 0;
}

void resolution__wanted_members(const char *const **members, int *nmembers)
{
	const char *const *f, *const *st;
	int nf, ns;

	resolution__wanted(&f, &nf, &st, &ns); /* fills the lists once */
	*members = wanted_members;
	*nmembers = nwanted_members;
}

void resolution__disable_plain_http(struct resolution *res, const char *why)
{
	for (int i = 0; i < res->nprobes; i++) {
		struct resolved_probe *rp = &res->probes[i];

		if (rp->rule && rp->rule->plain_http && rp->enabled) {
			rp->enabled = false;
			rp->why = why;
		}
	}
	res->unknown_fields = 0; /* only enabled probes count */
	find_unknown_fields(res);
}

int resolution__enabled(const struct resolution *res)
{
	int n = 0;

	for (int i = 0; i < res->nprobes; i++)
		n += res->probes[i].enabled;
	return n;
}

bool resolution__has_grpc(const struct resolution *res)
{
	for (int i = 0; i < res->nrules; i++) {
		const struct rule_result *rr = &res->rules[i];

		if (rr->rule->module && strcmp(rr->rule->module, "google.golang.org/grpc") == 0 &&
		    (rr->applies || rr->unknown))
			return true;
	}
	return false;
}

bool resolution__has_any(const struct resolution *res)
{
	for (int i = 0; i < res->nrules; i++)
		if (res->rules[i].applies || res->rules[i].unknown)
			return true;
	return resolution__has_grpc(res);
}

const struct resolved_probe *resolution__probe(const struct resolution *res, const char *id)
{
	for (int i = 0; i < res->nprobes; i++)
		if (strcmp(res->probes[i].spec->id, id) == 0)
			return &res->probes[i];
	return NULL;
}
