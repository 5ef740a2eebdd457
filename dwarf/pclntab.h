/* pclntab.h - Go's function table (.gopclntab), shared by the two files
 * that locate it (pclnfind.c) and read it (pclntab.c). Internal.
 *
 * Layout (little endian), as written by Go 1.16 and later: a pcHeader
 *   u32 magic; u8 0, 0; u8 pc quantum; u8 pointer size;
 * then pointer-sized words: nfunc, nfiles, [textStart, Go 1.18+ only],
 * and the offsets, from the header, of the function name table, the
 * compilation unit table, the file table, the pc-value tables and the
 * function table. The function table holds nfunc (entry, record offset)
 * pairs and one final entry, the end of the text; entries are u32 offsets
 * from the start of the text (Go 1.18+) or absolute pointers (Go 1.16/1.17).
 */
#ifndef PCLNTAB_H
#define PCLNTAB_H

#include <stdbool.h>
#include <stdint.h>

struct gobin;

#define PCLNTAB_MAGIC_116 0xfffffffau /* Go 1.16, 1.17 */
#define PCLNTAB_MAGIC_118 0xfffffff0u /* Go 1.18, 1.19 */
#define PCLNTAB_MAGIC_120 0xfffffff1u /* Go 1.20 and later */
#define PCLNTAB_MAGIC_12 0xfffffffbu  /* Go 1.2 - 1.15: not read */
#define PCLNTAB_HDR_MAX (8 + 8 * 8)  /* the longest header: 8 words of 8 bytes */

struct pclntab_hdr {
	int version; /* 116, 118 or 120 */
	unsigned quantum, ptrsize;
	uint64_t nfunc;
	uint64_t text_start; /* the header's own textStart (0 if absent or unset) */
	uint64_t funcname, cu, filetab, pctab, pcln; /* offsets from the header */
	uint64_t hdr_len;
};

/* Where the table lies in the target's address space. */
struct pclntab_place {
	uint64_t vaddr;	 /* of the pcHeader */
	uint64_t len;	 /* bytes of table from vaddr */
	uint64_t text;	 /* runtime.text by the module data; valid if have_text */
	uint64_t moduledata; /* where the module data is; valid if have_text */
	bool have_text;	 /* the module data was found */
	const char *how; /* "section" or "moduledata" */
};

/* Check the header in b[0..len) and decode it into h. Only the bytes of
 * the header are needed to succeed; offsets are checked against len.
 * Returns 0, -ENOENT (no known magic), -EPROTONOSUPPORT (Go < 1.16) or
 * -EINVAL (implausible values). */
int pclntab__parse_header(const uint8_t *b, uint64_t len, struct pclntab_hdr *h);

/* Locate the table of gb: the .gopclntab section when there is one, else
 * a pcHeader found by its magic in a read-only segment whose address the
 * runtime's module data (runtime.firstmoduledata) holds. Fills pl; the
 * module data, when found, also gives the start of the text.
 * Returns 0 or -ENOENT. */
int gobin__pclntab_find(struct gobin *gb, struct pclntab_place *pl);

#endif
