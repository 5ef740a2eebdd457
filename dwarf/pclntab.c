/* pclntab.c - function addresses from Go's own function table
 * (.gopclntab), for binaries without a symbol table: the header, the
 * function table, and name -> (entry, end) lookups.
 *
 * Every offset read from the file is checked against the copy of the
 * table before use. A function's end is where its pc-value table for the
 * stack pointer ends (the function's own size, as the symbol table says),
 * bounded by the next function's entry, which is the fallback.
 */
#include "pclnfind.h"
#include "pclnhdr.h"
#include "pclntab.h"
#include "strmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TABLE (1ULL << 30) /* larger than any real program's table */
#define FUNC_FIELDS 16	       /* nameOff, args, deferreturn, pcsp after the entry */
#define FLAG_ASM 4	       /* funcFlag: implemented in assembly (Go 1.19+) */

struct pclntab {
	struct pclntab_hdr h;
	uint8_t *data; /* copy of the table */
	uint64_t len;
	uint64_t text; /* base of the entries (Go 1.18+) */
	bool have_text;
	uint64_t moduledata; /* where the runtime's module data is */
	bool have_moduledata;
	const char *how;
	struct strmap names; /* name -> function index */
	bool named;	     /* names built */
	int names_err;	     /* non-zero: building them failed */
};

/* Field i of the function table (entries and record offsets interleave). */
static uint64_t ftab_field(const struct pclntab *t, uint64_t i)
{
	unsigned fsz = t->h.version >= 118 ? 4 : t->h.ptrsize;

	return pcln_leword(t->data + t->h.pcln + i * fsz, fsz); /* in bounds: parse_header */
}

/* The address of entry i (0..nfunc; nfunc is the end of the text). */
static int entry_addr(const struct pclntab *t, uint64_t i, uint64_t *addr)
{
	uint64_t v = ftab_field(t, 2 * i);

	if (t->h.version == 116) {
		*addr = v;
		return 0;
	}
	if (!t->have_text || v > UINT64_MAX - t->text)
		return -EINVAL;
	*addr = t->text + v;
	return 0;
}

/* Offset in the table of function i's record, with its first fields
 * inside the table; 0 when it is not. */
static uint64_t func_record(const struct pclntab *t, uint64_t i)
{
	unsigned sz0 = t->h.version >= 118 ? 4 : t->h.ptrsize;
	uint64_t off = ftab_field(t, 2 * i + 1);

	if (off > t->len - t->h.pcln || t->len - t->h.pcln - off < sz0 + FUNC_FIELDS)
		return 0;
	return t->h.pcln + off;
}

/* Function i's name: NUL-terminated inside the table, else NULL. */
static const char *func_name(const struct pclntab *t, uint64_t rec)
{
	unsigned sz0 = t->h.version >= 118 ? 4 : t->h.ptrsize;
	int32_t nameoff = (int32_t)pcln_le32(t->data + rec + sz0);
	uint64_t at;

	if (nameoff < 0 || (uint64_t)nameoff >= t->len - t->h.funcname)
		return NULL;
	at = t->h.funcname + (uint64_t)nameoff;
	if (!memchr(t->data + at, '\0', t->len - at))
		return NULL;
	return (const char *)t->data + at;
}

/* Read an unsigned varint of at most 32 bits at *p; false at the end. */
static bool uvarint32(const struct pclntab *t, uint64_t *p, uint32_t *v)
{
	uint32_t x = 0;

	for (unsigned shift = 0; shift < 35; shift += 7) {
		uint8_t b;

		if (*p >= t->len)
			return false;
		b = t->data[(*p)++];
		x |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return true;
		}
	}
	return false;
}

/* The length of code a pc-value table covers: the sum of its pc deltas;
 * 0 when it is absent, malformed or runs past limit. */
static uint64_t pcvalue_span(const struct pclntab *t, uint32_t off, uint64_t limit)
{
	uint64_t p, pc = 0;
	bool first = true;

	if (off == 0 || off >= t->len - t->h.pctab)
		return 0;
	p = t->h.pctab + off;
	for (;;) {
		uint32_t vdelta, pcdelta;

		if (p >= t->len)
			return 0;
		if (t->data[p] == 0 && !first)
			return pc; /* the terminator */
		first = false;
		if (!uvarint32(t, &p, &vdelta) || !uvarint32(t, &p, &pcdelta))
			return 0;
		pc += (uint64_t)pcdelta * t->h.quantum;
		if (pc > limit)
			return 0;
	}
}

/* Whether the record at rec is flagged as assembly (Go 1.19+; the flag
 * byte follows funcID, after cuOffset and, from Go 1.20, startLine). */
static bool func_is_asm(const struct pclntab *t, uint64_t rec)
{
	uint64_t at = rec + (t->h.version >= 120 ? 41 : 37);

	if (t->h.version < 118 || at >= t->len)
		return false;
	return t->data[at] & FLAG_ASM;
}

/* Name every function. An assembly function reached from Go has two
 * entries of one name: the body (ABI0, "NAME.abi0" in the symbol table)
 * and its wrapper (ABIInternal, "NAME"); the wrapper wins, as in the
 * symbol table. Otherwise the first entry of a name wins. */
static int build_names(struct pclntab *t)
{
	if (strmap__init(&t->names, t->h.nfunc))
		return -ENOMEM;
	for (uint64_t i = 0; i < t->h.nfunc; i++) {
		uint64_t rec = func_record(t, i), seen;
		const char *name = rec ? func_name(t, rec) : NULL;

		if (!name || !*name)
			continue;
		if (strmap__get(&t->names, name, &seen)) {
			if (func_is_asm(t, func_record(t, seen)) && !func_is_asm(t, rec) &&
			    strmap__put(&t->names, name, i))
				return -ENOMEM;
			continue;
		}
		if (strmap__put(&t->names, name, i))
			return -ENOMEM;
	}
	return 0;
}

int pclntab__func(struct pclntab *t, const char *name, uint64_t *entry, uint64_t *end,
		  const char **why)
{
	unsigned sz0;
	uint64_t i, rec, next, span;

	if (!t) {
		*why = "the binary has no Go function table";
		return -ENOENT;
	}
	if (!t->named) {
		t->named = true;
		t->names_err = build_names(t);
	}
	if (t->names_err) {
		*why = "out of memory";
		return t->names_err;
	}
	if (!strmap__get(&t->names, name, &i)) {
		*why = "no such function in the Go function table";
		return -ENOENT;
	}
	rec = func_record(t, i); /* non-zero: it was indexed */
	if (entry_addr(t, i, entry) || entry_addr(t, i + 1, &next)) {
		*why = t->have_text ? "function address out of range"
				    : "the start of the text is unknown (no module data)";
		return -EINVAL;
	}
	if (next <= *entry) {
		*why = "the Go function table is out of order";
		return -EINVAL;
	}
	/* The record repeats the entry: a disagreement means damage. */
	sz0 = t->h.version >= 118 ? 4 : t->h.ptrsize;
	if (pcln_leword(t->data + rec, sz0) != ftab_field(t, 2 * i)) {
		*why = "the function's record disagrees with the function table";
		return -EINVAL;
	}
	span = pcvalue_span(t, pcln_le32(t->data + rec + sz0 + 12), next - *entry);
	*end = span ? *entry + span : next;
	return 0;
}

int pclntab__load(const struct elfimage *img, struct pclntab **out)
{
	struct pclntab_place pl;
	struct pclntab *t;
	GElf_Shdr shdr;
	int ret;

	*out = NULL;
	ret = pclnfind__locate(img, &pl);
	if (ret)
		return ret;
	if (pl.len > MAX_TABLE)
		return -EFBIG;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->data = malloc(pl.len ? pl.len : 1);
	if (!t->data) {
		free(t);
		return -ENOMEM;
	}
	t->len = pl.len;
	t->how = pl.how;
	ret = elfimage__read(img, pl.vaddr, t->data, pl.len);
	if (!ret)
		ret = pclnhdr__parse(t->data, t->len, &t->h);
	if (ret) {
		free(t->data);
		free(t);
		return ret;
	}
	/* The start of the text, for Go 1.18+ entries: the module data's
	 * (right for every linker), the header's (Go 1.18 - 1.25), else the
	 * .text section's (right for Go's internal linker). */
	if (pl.have_text) {
		t->text = pl.text;
		t->have_text = true;
		t->moduledata = pl.moduledata;
		t->have_moduledata = true;
	} else if (t->h.version >= 118 && t->h.text_start) {
		t->text = t->h.text_start;
		t->have_text = true;
	} else if (elfimage__section(img, ".text", &shdr)) {
		t->text = shdr.sh_addr;
		t->have_text = true;
	}
	*out = t;
	return 0;
}

void pclntab__free(struct pclntab *t)
{
	if (!t)
		return;
	strmap__free(&t->names);
	free(t->data);
	free(t);
}

int pclntab__moduledata(const struct pclntab *t, uint64_t *addr, unsigned *ptrsize)
{
	if (!t || !t->have_moduledata)
		return -ENOENT;
	*addr = t->moduledata;
	*ptrsize = t->h.ptrsize;
	return 0;
}

const char *pclntab__how(const struct pclntab *t) { return t ? t->how : NULL; }
