/* dwarfinfo.c - the DWARF side of the reader: one indexing pass over the
 * compile units, struct layouts, and argument locations at a given PC.
 *
 * Go emits every function and named type as a direct child of a compile
 * unit, so the index looks at top-level DIEs only. DWARF 4 (location lists
 * in .debug_loc) and DWARF 5 (.debug_loclists) both go through libdw.
 */
#include "gobin_internal.h"

#include <dwarf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MEMBER_DEPTH 8
#define MAX_TYPE_CHAIN 16

int gobin__index(struct gobin *gb, const char *const *funcs, int nfuncs,
		 const char *const *structs, int nstructs, const char **why)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	int remaining;

	strmap__free(&gb->dies);
	if (strmap__init(&gb->dies, (size_t)(nfuncs + nstructs))) {
		*why = "out of memory";
		return -ENOMEM;
	}
	for (int i = 0; i < nfuncs; i++)
		strmap__put(&gb->dies, funcs[i], 0);
	for (int i = 0; i < nstructs; i++)
		strmap__put(&gb->dies, structs[i], 0);
	gb->indexed = true;
	if (!gb->dw)
		return 0;
	remaining = (int)gb->dies.len;
	while (remaining > 0 && dwarf_nextcu(gb->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, child;

		if (!dwarf_offdie(gb->dw, off + hsize, &cu)) {
			*why = gobin__note(gb, "%s: bad DWARF compile unit at 0x%llx: %s", gb->path,
					   (unsigned long long)off, dwarf_errmsg(-1));
			return -EINVAL;
		}
		off = next;
		if (dwarf_child(&cu, &child) != 0)
			continue;
		do {
			int tag = dwarf_tag(&child);
			const char *name;
			uint64_t seen;

			if (tag != DW_TAG_subprogram && tag != DW_TAG_structure_type)
				continue;
			name = dwarf_diename(&child);
			if (!name || !strmap__get(&gb->dies, name, &seen) || seen)
				continue;
			strmap__put(&gb->dies, name, dwarf_dieoffset(&child) + 1);
			remaining--;
		} while (dwarf_siblingof(&child, &child) == 0);
	}
	return 0;
}

/* The DIE of an indexed name: 0 or -errno with the reason in why. */
static int die_lookup(struct gobin *gb, const char *name, Dwarf_Die *die, const char **why)
{
	uint64_t off;

	if (!gb->dw) {
		*why = "the binary has no DWARF";
		return -ENODATA;
	}
	if (!gb->indexed || !strmap__get(&gb->dies, name, &off)) {
		*why = "not indexed (internal error)";
		return -EINVAL;
	}
	if (!off) {
		*why = "not in DWARF";
		return -ENOENT;
	}
	if (!dwarf_offdie(gb->dw, off - 1, die)) {
		*why = gobin__note(gb, "bad DWARF entry: %s", dwarf_errmsg(-1));
		return -EINVAL;
	}
	return 0;
}

/* Follow typedefs to the underlying type. */
static bool peel_typedefs(Dwarf_Die *type)
{
	for (int i = 0; i < MAX_TYPE_CHAIN; i++) {
		Dwarf_Attribute attr;

		if (dwarf_tag(type) != DW_TAG_typedef)
			return true;
		if (!dwarf_attr(type, DW_AT_type, &attr) || !dwarf_formref_die(&attr, type))
			return false;
	}
	return false; /* a cycle, or absurdly deep */
}

int gobin__struct_size(struct gobin *gb, const char *type, uint64_t *size, const char **why)
{
	Dwarf_Die die;
	Dwarf_Attribute attr;
	Dwarf_Word sz;
	int ret;

	if ((ret = die_lookup(gb, type, &die, why)) != 0)
		return ret;
	if (!dwarf_attr(&die, DW_AT_byte_size, &attr) || dwarf_formudata(&attr, &sz) != 0) {
		*why = "struct has no byte size";
		return -EINVAL;
	}
	*size = sz;
	return 0;
}

static bool find_member(Dwarf_Die *st, const char *name, size_t namelen, Dwarf_Die *member)
{
	if (dwarf_child(st, member) != 0)
		return false;
	do {
		const char *n;

		if (dwarf_tag(member) != DW_TAG_member)
			continue;
		n = dwarf_diename(member);
		if (n && strlen(n) == namelen && strncmp(n, name, namelen) == 0)
			return true;
	} while (dwarf_siblingof(member, member) == 0);
	return false;
}

static bool type_size(Dwarf_Die *type, uint64_t *size)
{
	Dwarf_Attribute attr;
	Dwarf_Word sz;

	if (dwarf_attr(type, DW_AT_byte_size, &attr) && dwarf_formudata(&attr, &sz) == 0) {
		*size = sz;
		return true;
	}
	if (dwarf_tag(type) == DW_TAG_pointer_type) {
		*size = 8;
		return true;
	}
	return dwarf_aggregate_size(type, &sz) == 0 ? (*size = sz, true) : false;
}

int gobin__member(struct gobin *gb, const char *type, const char *path, uint64_t *offset,
		  uint64_t *size, const char **why)
{
	Dwarf_Die st, member;
	uint64_t total = 0, st_size = 0, msize = 0;
	const char *p = path;

	Dwarf_Off seen[MAX_MEMBER_DEPTH];
	int ret;

	if ((ret = die_lookup(gb, type, &st, why)) != 0)
		return ret;
	type_size(&st, &st_size);
	for (int depth = 0; depth < MAX_MEMBER_DEPTH; depth++) {
		seen[depth] = dwarf_dieoffset(&st);
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		Dwarf_Attribute attr;
		Dwarf_Word moff;

		if (dwarf_tag(&st) != DW_TAG_structure_type) {
			*why = gobin__note(gb, "%.*s is reached through a non-struct (pointer?)",
					   (int)len, p);
			return -EINVAL;
		}
		if (!find_member(&st, p, len, &member)) {
			*why = gobin__note(gb, "no member %.*s", (int)len, p);
			return -ESRCH;
		}
		if (!dwarf_attr(&member, DW_AT_data_member_location, &attr) ||
		    dwarf_formudata(&attr, &moff) != 0) {
			*why = gobin__note(gb, "member %.*s has no constant offset", (int)len, p);
			return -EINVAL;
		}
		if (__builtin_add_overflow(total, moff, &total)) {
			*why = "member offset out of range";
			return -ERANGE;
		}
		if (!dwarf_attr(&member, DW_AT_type, &attr) || !dwarf_formref_die(&attr, &st) ||
		    !peel_typedefs(&st) || !type_size(&st, &msize)) {
			*why = gobin__note(gb, "member %.*s has no readable type", (int)len, p);
			return -EINVAL;
		}
		/* A struct cannot hold itself by value: damaged DWARF. */
		for (int k = 0; k <= depth; k++)
			if (seen[k] == dwarf_dieoffset(&st)) {
				*why = "the struct contains itself (cyclic DWARF types)";
				return -EINVAL;
			}
		if (!dot)
			break;
		p = dot + 1;
		if (depth == MAX_MEMBER_DEPTH - 1) {
			*why = "member path too deep";
			return -EINVAL;
		}
	}
	/* Never hand out an offset that points outside the struct (written so
	 * that it cannot wrap around). */
	if (st_size && (total > st_size || msize > st_size - total)) {
		*why = gobin__note(gb, "offset %llu + size %llu lies outside the struct (%llu bytes)",
				   (unsigned long long)total, (unsigned long long)msize,
				   (unsigned long long)st_size);
		return -ERANGE;
	}
	*offset = total;
	*size = msize;
	return 0;
}

/* The CFA at pc as SP + off. At our probe points (entry, or the stack
 * check before the frame is set up) it is the machine's entry CFA (SP + 8
 * on amd64, SP on arm64); the CFI says so too when present, and wins. */
static int cfa_offset(struct gobin *gb, const struct gobin_machine *m, uint64_t pc, int64_t *off)
{
	Dwarf_CFI *cfi = dwarf_getcfi(gb->dw);
	Dwarf_Frame *frame = NULL;
	Dwarf_Op *ops;
	size_t nops;

	*off = m->entry_cfa;
	if (!cfi || dwarf_cfi_addrframe(cfi, pc, &frame) != 0)
		return 0;
	if (dwarf_frame_cfa(frame, &ops, &nops) == 0 && nops == 1 && ops[0].atom == DW_OP_bregx &&
	    ops[0].number == (Dwarf_Word)m->dwarf_sp) {
		*off = (int64_t)ops[0].number2;
		free(frame);
		return 0;
	}
	free(frame);
	return -EINVAL;
}

/* Turn one location expression into pieces. A value without DW_OP_piece
 * is one piece of the type's size. */
static const char *expr_to_pieces(struct gobin *gb, const struct gobin_machine *m, Dwarf_Op *expr,
				  size_t n, int64_t cfa, uint64_t whole_size, struct gobin_param *p)
{
	struct gobin_piece cur = {.kind = GOBIN_LOC_NONE};

	for (size_t i = 0; i < n; i++) {
		Dwarf_Op *op = &expr[i];

		if (op->atom >= DW_OP_reg0 && op->atom <= DW_OP_reg31) {
			cur.kind = GOBIN_LOC_REG;
			cur.dwarf_reg = op->atom - DW_OP_reg0;
		} else if (op->atom == DW_OP_regx) {
			cur.kind = GOBIN_LOC_REG;
			cur.dwarf_reg = (int)op->number;
		} else if (op->atom == DW_OP_fbreg) {
			/* Go's frame base is DW_OP_call_frame_cfa. */
			cur.kind = GOBIN_LOC_STACK;
			if (__builtin_add_overflow(cfa, (int64_t)op->number, &cur.stack_off))
				return "stack offset out of range";
		} else if (op->atom == DW_OP_call_frame_cfa) {
			cur.kind = GOBIN_LOC_STACK;
			cur.stack_off = cfa;
		} else if (op->atom == DW_OP_breg0 + m->dwarf_sp) {
			cur.kind = GOBIN_LOC_STACK;
			cur.stack_off = (int64_t)op->number;
		} else if (op->atom == DW_OP_piece) {
			if (p->npieces == GOBIN_MAX_PIECES)
				return "too many pieces";
			cur.size = (uint32_t)op->number;
			p->pieces[p->npieces++] = cur;
			cur = (struct gobin_piece){.kind = GOBIN_LOC_NONE};
		} else {
			return gobin__note(gb, "unsupported DWARF operation 0x%x", op->atom);
		}
	}
	if (cur.kind != GOBIN_LOC_NONE) {
		if (p->npieces)
			return "location ends without a piece size";
		cur.size = (uint32_t)whole_size;
		p->pieces[p->npieces++] = cur;
	}
	return NULL;
}

/* Go 1.18 and 1.19 describe some interface arguments with every piece
 * twice ("rbx, rbx, rcx, rcx" for a 16-byte value): pieces adding up to
 * twice the type's size, in identical pairs, are the value's pieces once. */
static void undouble_pieces(struct gobin_param *p, uint64_t whole_size)
{
	uint64_t total = 0;

	if (p->npieces < 2 || p->npieces % 2 || !whole_size)
		return;
	for (int i = 0; i < p->npieces; i++)
		total += p->pieces[i].size;
	if (total != 2 * whole_size)
		return;
	for (int i = 0; i < p->npieces; i += 2)
		if (memcmp(&p->pieces[i], &p->pieces[i + 1], sizeof(p->pieces[i])) != 0)
			return;
	for (int i = 0; i < p->npieces / 2; i++)
		p->pieces[i] = p->pieces[2 * i];
	p->npieces /= 2;
}

static void read_param(struct gobin *gb, const struct gobin_machine *m, Dwarf_Die *die,
		       uint64_t pc, int64_t cfa, struct gobin_param *p)
{
	Dwarf_Attribute attr;
	Dwarf_Die type;
	Dwarf_Op *expr;
	size_t exprlen;
	uint64_t size = 0;
	bool flag = false;
	int n;

	p->name = dwarf_diename(die);
	if (!p->name)
		p->name = "?";
	if (dwarf_attr(die, DW_AT_variable_parameter, &attr))
		dwarf_formflag(&attr, &flag);
	p->is_return = flag;
	p->type_name = "";
	if (dwarf_attr(die, DW_AT_type, &attr) && dwarf_formref_die(&attr, &type)) {
		const char *tn = dwarf_diename(&type);

		if (tn)
			p->type_name = tn;
		type_size(&type, &size);
	}
	if (!dwarf_attr(die, DW_AT_location, &attr)) {
		p->why = "no location attribute";
		return;
	}
	n = dwarf_getlocation_addr(&attr, pc, &expr, &exprlen, 1);
	if (n < 0) {
		p->why = gobin__note(gb, "bad location: %s", dwarf_errmsg(-1));
		return;
	}
	if (n == 0 || exprlen == 0) {
		p->why = "no location at the probe address";
		return;
	}
	p->why = expr_to_pieces(gb, m, expr, exprlen, cfa, size, p);
	if (!p->why)
		undouble_pieces(p, size);
}

void gobin__read_params(struct gobin *gb, struct gobin_func *fn)
{
	const struct gobin_machine *m = gobin__machine(gb);
	Dwarf_Die die, child;
	int64_t cfa;
	int n = 0;

	fn->params_why = NULL;
	if (!m) {
		fn->params_why = gobin__note(gb, "the reader does not know the registers of %s",
					     gobin__arch(gb));
		return;
	}
	if (die_lookup(gb, fn->name, &die, &fn->params_why))
		return;
	if (cfa_offset(gb, m, fn->probe, &cfa)) {
		fn->params_why = "the call frame information at the probe is not SP-relative";
		return;
	}
	if (dwarf_child(&die, &child) == 0) {
		do {
			if (dwarf_tag(&child) == DW_TAG_formal_parameter)
				n++;
		} while (dwarf_siblingof(&child, &child) == 0);
	}
	fn->params = calloc(n ? (size_t)n : 1, sizeof(*fn->params));
	if (!fn->params) {
		fn->params_why = "out of memory";
		return;
	}
	if (n == 0 || dwarf_child(&die, &child) != 0)
		return;
	do {
		if (dwarf_tag(&child) == DW_TAG_formal_parameter && fn->nparams < n)
			read_param(gb, m, &child, fn->probe, cfa, &fn->params[fn->nparams++]);
	} while (dwarf_siblingof(&child, &child) == 0);
}

/* Does the type die name iface, directly or through its typedef chain? */
static bool type_is_named(Dwarf_Die *type, const char *iface)
{
	for (int i = 0; i < MAX_TYPE_CHAIN; i++) {
		const char *n = dwarf_diename(type);
		Dwarf_Attribute attr;

		if (n && strcmp(n, iface) == 0)
			return true;
		if (dwarf_tag(type) != DW_TAG_typedef || !dwarf_attr(type, DW_AT_type, &attr) ||
		    !dwarf_formref_die(&attr, type))
			return false;
	}
	return false;
}

/* The members of struct st whose type is iface, into out[*nout...]. */
static void iface_members_of(Dwarf_Die *st, int type, const char *iface,
			     struct gobin_iface_member *out, int max, int *nout, int *dropped)
{
	uint64_t st_size = 0;
	Dwarf_Die member;

	if (!type_size(st, &st_size) || dwarf_child(st, &member) != 0)
		return;
	do {
		Dwarf_Attribute attr;
		Dwarf_Word moff;
		Dwarf_Die mt;
		uint64_t msize = 0;

		if (dwarf_tag(&member) != DW_TAG_member ||
		    !dwarf_attr(&member, DW_AT_data_member_location, &attr) ||
		    dwarf_formudata(&attr, &moff) != 0 || !dwarf_attr(&member, DW_AT_type, &attr) ||
		    !dwarf_formref_die(&attr, &mt) || !type_is_named(&mt, iface))
			continue;
		/* An interface value is two words, inside the struct. */
		if (!peel_typedefs(&mt) || !type_size(&mt, &msize) || msize != 16 ||
		    moff > st_size || msize > st_size - moff)
			continue;
		if (*nout == max) {
			(*dropped)++;
			continue;
		}
		out[*nout].type = type;
		out[*nout].offset = moff;
		(*nout)++;
	} while (dwarf_siblingof(&member, &member) == 0);
}

int gobin__iface_members(struct gobin *gb, const char *const *types, int ntypes, const char *iface,
			 struct gobin_iface_member *out, int max, int *nout, int *dropped,
			 const char **why)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	bool *seen;

	*nout = *dropped = 0;
	*why = NULL;
	if (!gb->dw) {
		*why = "the binary has no DWARF";
		return -ENODATA;
	}
	if (ntypes <= 0)
		return 0;
	seen = calloc((size_t)ntypes, sizeof(*seen));
	if (!seen) {
		*why = "out of memory";
		return -ENOMEM;
	}
	while (dwarf_nextcu(gb->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, child;

		if (!dwarf_offdie(gb->dw, off + hsize, &cu)) {
			*why = gobin__note(gb, "bad DWARF compile unit: %s", dwarf_errmsg(-1));
			free(seen);
			return -EINVAL;
		}
		off = next;
		if (dwarf_child(&cu, &child) != 0)
			continue;
		do {
			const char *name;

			if (dwarf_tag(&child) != DW_TAG_structure_type)
				continue;
			name = dwarf_diename(&child);
			for (int t = 0; name && t < ntypes; t++) {
				if (seen[t] || strcmp(types[t], name) != 0)
					continue;
				seen[t] = true;
				iface_members_of(&child, t, iface, out, max, nout, dropped);
			}
		} while (dwarf_siblingof(&child, &child) == 0);
	}
	free(seen);
	return 0;
}
