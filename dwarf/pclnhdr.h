/* pclnhdr.h - the header of Go's function table (.gopclntab). Pure: it
 * reads bytes, nothing else. Internal to the reader.
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
#ifndef PCLNHDR_H
#define PCLNHDR_H

#include <stdint.h>

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

/* Little-endian words of the table. */
static inline uint32_t pcln_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t pcln_leword(const uint8_t *p, unsigned size)
{
	uint64_t v = pcln_le32(p);

	if (size == 8)
		v |= (uint64_t)pcln_le32(p + 4) << 32;
	return v;
}

/**
 * pclnhdr__parse() - check the header in b[0..len) and decode it into h
 *
 * Only the bytes of the header are needed to succeed; offsets are checked
 * against len. Return: 0; -ENOENT (no known magic), -EPROTONOSUPPORT
 * (Go < 1.16), -EINVAL (implausible values).
 */
int pclnhdr__parse(const uint8_t *b, uint64_t len, struct pclntab_hdr *h);

#endif
