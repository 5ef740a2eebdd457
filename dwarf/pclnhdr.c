/* pclnhdr.c - decode and check the header of Go's function table: a pure
 * function of its bytes, shared by the finder (pclnfind.c), the reader
 * (pclntab.c) and the unit tests (tests/unit/dwarf_pure.c). */
#include "pclnhdr.h"

#include <errno.h>
#include <string.h>

int pclnhdr__parse(const uint8_t *b, uint64_t len, struct pclntab_hdr *h)
{
	uint64_t w[8];
	unsigned nwords, fsz;
	uint32_t magic;

	if (len < 8)
		return -EINVAL;
	magic = pcln_le32(b);
	memset(h, 0, sizeof(*h));
	switch (magic) {
	case PCLNTAB_MAGIC_116:
		h->version = 116;
		nwords = 7;
		break;
	case PCLNTAB_MAGIC_118:
		h->version = 118;
		nwords = 8;
		break;
	case PCLNTAB_MAGIC_120:
		h->version = 120;
		nwords = 8;
		break;
	case PCLNTAB_MAGIC_12:
		return -EPROTONOSUPPORT;
	default:
		return -ENOENT;
	}
	if (b[4] != 0 || b[5] != 0 || (b[6] != 1 && b[6] != 2 && b[6] != 4) ||
	    (b[7] != 4 && b[7] != 8))
		return -EINVAL;
	h->quantum = b[6];
	h->ptrsize = b[7];
	h->hdr_len = 8 + (uint64_t)nwords * h->ptrsize;
	if (len < h->hdr_len)
		return -EINVAL;
	for (unsigned i = 0; i < nwords; i++)
		w[i] = pcln_leword(b + 8 + i * h->ptrsize, h->ptrsize);
	h->nfunc = w[0];
	if (h->version == 116) {
		h->funcname = w[2];
		h->cu = w[3];
		h->filetab = w[4];
		h->pctab = w[5];
		h->pcln = w[6];
	} else {
		h->text_start = w[2];
		h->funcname = w[3];
		h->cu = w[4];
		h->filetab = w[5];
		h->pctab = w[6];
		h->pcln = w[7];
	}
	if (h->funcname < h->hdr_len || h->funcname >= len || h->cu > len || h->filetab > len ||
	    h->pctab >= len || h->pcln < h->hdr_len || h->pcln >= len)
		return -EINVAL;
	/* The function table: nfunc pairs and a final entry. */
	fsz = h->version >= 118 ? 4 : h->ptrsize;
	if (h->nfunc == 0 || h->nfunc > (len - h->pcln) / (2 * fsz) ||
	    (2 * h->nfunc + 1) * fsz > len - h->pcln)
		return -EINVAL;
	return 0;
}
