/* pclnfind.c - locate Go's function table: the .gopclntab section, else a
 * pcHeader found by its magic in a read-only segment and confirmed by the
 * runtime's module data, which points at it.
 *
 * The module data (runtime.firstmoduledata) begins, in Go 1.16 and later:
 *   pcHeader *pcHeader
 *   funcnametab, cutab, filetab, pctab, pclntable, ftab  (slices: ptr, len, cap)
 *   findfunctab, minpc, maxpc, text, etext uintptr
 * The slices point into the table at the header's offsets, which is what
 * tells it from a stray copy of the pcHeader's address. Where the module
 * data is found is kept: itablinks.c reads on past etext.
 */
#include "pclnfind.h"
#include "pclnhdr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SCAN_CHUNK (1 << 20)
#define MAX_SCAN (512ULL << 20) /* bytes of a segment searched, at most */
#define MD_WORDS 24		/* module data words read: up to etext */
#define MD_TEXT 22
#define MAX_CANDIDATES 8 /* sound headers checked against the module data */

static uint64_t word_at(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* Do the words at md describe a module whose table header is at hdr? */
static bool moduledata_matches(const uint64_t *w, uint64_t hdr, const struct pclntab_hdr *h)
{
	return w[0] == hdr && w[1] == hdr + h->funcname && w[4] == hdr + h->cu &&
	       w[7] == hdr + h->filetab && w[10] == hdr + h->pctab && w[13] == hdr + h->pcln &&
	       w[16] == hdr + h->pcln && w[MD_TEXT] != 0 && w[MD_TEXT] < w[MD_TEXT + 1];
}

/* The table's length by the module data: the furthest end of the byte
 * slices into it (funcnametab, filetab, pctab, pclntable). 0 if absurd. */
static uint64_t moduledata_len(const uint64_t *w, uint64_t hdr)
{
	static const int slices[] = {1, 7, 10, 13};
	uint64_t end = 0;

	for (size_t i = 0; i < sizeof(slices) / sizeof(slices[0]); i++) {
		uint64_t p = w[slices[i]], n = w[slices[i] + 1];

		if (p < hdr || n > UINT64_MAX - p)
			return 0;
		if (p + n > end)
			end = p + n;
	}
	return end - hdr;
}

/* Search the writable segments for module data pointing at the header at
 * hdr. Fills pl's text and module data address and, if len is not NULL,
 * the table's length. */
static bool find_moduledata(const struct elfimage *img, uint64_t hdr, const struct pclntab_hdr *h,
			    struct pclntab_place *pl, uint64_t *len)
{
	unsigned ps = h->ptrsize;
	uint8_t *buf = malloc(SCAN_CHUNK);
	bool found = false;

	if (!buf)
		return false;
	for (size_t s = 0; s < img->nphdrs && !found; s++) {
		const GElf_Phdr *p = &img->phdrs[s];
		uint64_t limit = p->p_filesz < MAX_SCAN ? p->p_filesz : MAX_SCAN;

		if (p->p_type != PT_LOAD || !(p->p_flags & PF_W) || p->p_vaddr % ps)
			continue;
		for (uint64_t off = 0; off < limit && !found; off += SCAN_CHUNK) {
			ssize_t n = pread(img->fd, buf, SCAN_CHUNK, (off_t)(p->p_offset + off));

			if (n <= 0)
				break;
			if ((uint64_t)n > limit - off)
				n = (ssize_t)(limit - off);
			for (ssize_t j = 0; j + (ssize_t)ps <= n && !found; j += ps) {
				uint64_t w[MD_WORDS], at = p->p_vaddr + off + (uint64_t)j;
				uint8_t raw[MD_WORDS * 8];

				if (word_at(buf + j, ps) != hdr)
					continue;
				if (elfimage__read(img, at, raw, MD_WORDS * ps))
					continue;
				for (int k = 0; k < MD_WORDS; k++)
					w[k] = word_at(raw + k * ps, ps);
				if (!moduledata_matches(w, hdr, h))
					continue;
				if (len && (*len = moduledata_len(w, hdr)) == 0)
					continue;
				pl->text = w[MD_TEXT];
				pl->moduledata = at;
				found = true;
			}
		}
	}
	free(buf);
	return found;
}

/* A candidate header at vaddr with at most avail bytes after it. */
static int try_header(const struct elfimage *img, uint64_t vaddr, uint64_t avail,
		      struct pclntab_hdr *h)
{
	uint8_t b[PCLNTAB_HDR_MAX];
	size_t n = avail < sizeof(b) ? (size_t)avail : sizeof(b);

	if (elfimage__read(img, vaddr, b, n))
		return -EFAULT;
	return pclnhdr__parse(b, avail, h);
}

/* Scan the read-only segments for a pcHeader the module data confirms. */
static int scan_segments(const struct elfimage *img, struct pclntab_place *pl)
{
	uint8_t *buf = malloc(SCAN_CHUNK);
	int ret = -ENOENT, tried = 0;

	if (!buf)
		return -ENOMEM;
	for (size_t s = 0; s < img->nphdrs && ret; s++) {
		const GElf_Phdr *p = &img->phdrs[s];
		uint64_t limit = p->p_filesz < MAX_SCAN ? p->p_filesz : MAX_SCAN;

		if (p->p_type != PT_LOAD || (p->p_flags & PF_W) || p->p_vaddr % 4)
			continue;
		/* Chunks overlap by 8 bytes so no header prefix is cut. */
		for (uint64_t off = 0; off < limit && ret; off += SCAN_CHUNK - 8) {
			ssize_t n = pread(img->fd, buf, SCAN_CHUNK, (off_t)(p->p_offset + off));

			if (n > 0 && (uint64_t)n > limit - off)
				n = (ssize_t)(limit - off);
			if (n < 8)
				break;
			for (ssize_t j = 0; j + 8 <= n && j < SCAN_CHUNK - 8 && ret; j += 4) {
				uint64_t at = p->p_vaddr + off + (uint64_t)j, len;
				uint32_t m = (uint32_t)word_at(buf + j, 4);
				struct pclntab_hdr h;

				if ((m != PCLNTAB_MAGIC_116 && m != PCLNTAB_MAGIC_118 &&
				     m != PCLNTAB_MAGIC_120) ||
				    buf[j + 4] || buf[j + 5])
					continue;
				if (try_header(img, at, p->p_filesz - off - (uint64_t)j, &h))
					continue;
				/* Each try scans the writable segments: a file full of
				 * fake headers must not make that quadratic. */
				if (++tried > MAX_CANDIDATES) {
					free(buf);
					return -ENOENT;
				}
				if (!find_moduledata(img, at, &h, pl, &len))
					continue;
				if (len > p->p_filesz - off - (uint64_t)j)
					continue;
				pl->vaddr = at;
				pl->len = len;
				pl->have_text = true;
				pl->how = "moduledata";
				ret = 0;
			}
			if (n < SCAN_CHUNK)
				break;
		}
	}
	free(buf);
	return ret;
}

int pclnfind__locate(const struct elfimage *img, struct pclntab_place *pl)
{
	GElf_Shdr sh;
	struct pclntab_hdr h;

	memset(pl, 0, sizeof(*pl));
	if (elfimage__section(img, ".gopclntab", &sh) && sh.sh_type != SHT_NOBITS &&
	    try_header(img, sh.sh_addr, sh.sh_size, &h) == 0) {
		pl->vaddr = sh.sh_addr;
		pl->len = sh.sh_size;
		pl->how = "section";
		pl->have_text = find_moduledata(img, sh.sh_addr, &h, pl, NULL);
		return 0;
	}
	return scan_segments(img, pl);
}
