/* buildinfo.c - the Go version and module list from .go.buildinfo.
 *
 * Layout (see the Go linker): 16 bytes of magic "\xff Go buildinf:" with a
 * pointer size and flags byte. With flag 2 (Go 1.18+) two varint-prefixed
 * strings follow at offset 32: the Go version and the module info. Before
 * that, two pointers to Go string headers stand at offset 16.
 */
#include "buildinfo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAGIC "\xff Go buildinf:"
#define MAGIC_LEN 14
#define HDR_LEN 32
#define MAX_BUILDINFO (4 << 20) /* module info of huge programs stays below */
#define SENTINEL_LEN 16

/* Read an unsigned varint; returns bytes used or 0 when malformed. */
static size_t uvarint(const unsigned char *p, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	for (size_t i = 0; i < n && i < 10; i++) {
		x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*v = x;
			return i + 1;
		}
	}
	return 0;
}

/* Locate the build info blob: its section, else a scan of writable
 * segments for the magic (binaries without section headers). */
static int find_blob(const struct elfimage *img, uint64_t *vaddr, uint64_t *len)
{
	GElf_Shdr shdr;
	unsigned char buf[4096];

	if (elfimage__section(img, ".go.buildinfo", &shdr)) {
		*vaddr = shdr.sh_addr;
		*len = shdr.sh_size;
		return 0;
	}
	for (size_t i = 0; i < img->nphdrs; i++) {
		const GElf_Phdr *p = &img->phdrs[i];

		if (p->p_type != PT_LOAD || !(p->p_flags & PF_W))
			continue;
		for (uint64_t off = 0; off < p->p_filesz && off < (64 << 20); off += sizeof(buf)) {
			ssize_t n = pread(img->fd, buf, sizeof(buf), (off_t)(p->p_offset + off));

			for (ssize_t j = 0; j + MAGIC_LEN <= n; j += 16) {
				if (memcmp(buf + j, MAGIC, MAGIC_LEN) == 0) {
					*vaddr = p->p_vaddr + off + (uint64_t)j;
					*len = p->p_filesz - off - (uint64_t)j;
					return 0;
				}
			}
			if (n < (ssize_t)sizeof(buf))
				break;
		}
	}
	return -ENOENT;
}

/* Read a Go string whose header (pointer, length) sits at vaddr. */
static char *read_go_string(const struct elfimage *img, uint64_t vaddr, int ptrsize)
{
	uint64_t ptr = 0, len = 0;
	char *s;

	if (ptrsize != 8 && ptrsize != 4)
		return NULL;
	if (elfimage__read(img, vaddr, &ptr, (size_t)ptrsize) ||
	    elfimage__read(img, vaddr + (uint64_t)ptrsize, &len, (size_t)ptrsize))
		return NULL;
	if (len > MAX_BUILDINFO)
		return NULL;
	s = calloc(1, len + 1);
	if (s && len && elfimage__read(img, ptr, s, len)) {
		free(s);
		return NULL;
	}
	return s;
}

static int add_module(struct buildinfo *bi, const char *path, const char *version)
{
	struct gobin_module *m = realloc(bi->modules, (size_t)(bi->nmodules + 1) * sizeof(*m));

	if (!m)
		return -ENOMEM;
	bi->modules = m;
	m[bi->nmodules].path = path;
	m[bi->nmodules].version = version;
	bi->nmodules++;
	return 0;
}

/* Lines: "path\tP", "mod\tP\tV\tSUM", "dep\tP\tV\tSUM", "=>\tP\tV\tSUM"
 * (replaces the line before), "build\tK=V". Splits bi->modinfo in place. */
static int parse_modinfo(struct buildinfo *bi)
{
	char *s = bi->modinfo, *line;
	size_t len = strlen(s);

	if (len >= 2 * SENTINEL_LEN + 1 && s[len - SENTINEL_LEN - 1] == '\n') {
		s[len - SENTINEL_LEN] = '\0';
		s += SENTINEL_LEN;
	}
	while ((line = strsep(&s, "\n")) != NULL) {
		char *f[4] = {0};
		int nf = 0;

		while (nf < 4 && (f[nf] = strsep(&line, "\t")) != NULL)
			nf++;
		if (nf >= 2 && strcmp(f[0], "path") == 0) {
			free(bi->main_path);
			bi->main_path = strdup(f[1]);
		} else if (nf >= 3 && (strcmp(f[0], "mod") == 0 || strcmp(f[0], "dep") == 0)) {
			if (add_module(bi, f[1], f[2]))
				return -ENOMEM;
		} else if (nf >= 3 && strcmp(f[0], "=>") == 0 && bi->nmodules > 0) {
			/* The replacement's version is what was built. */
			bi->modules[bi->nmodules - 1].version = f[2];
		}
	}
	return 0;
}

int buildinfo__read(struct buildinfo *bi, const struct elfimage *img)
{
	unsigned char hdr[HDR_LEN];
	uint64_t vaddr, len, n, vlen, mlen;
	unsigned char *blob;
	char *version = NULL;
	size_t used, used2;
	int ptrsize, ret = 0;

	if (find_blob(img, &vaddr, &len) || len < HDR_LEN)
		return -ENOENT;
	if (elfimage__read(img, vaddr, hdr, HDR_LEN) || memcmp(hdr, MAGIC, MAGIC_LEN) != 0)
		return -ENOENT;
	ptrsize = hdr[14];
	if (hdr[15] & 2) {
		n = len < MAX_BUILDINFO ? len : MAX_BUILDINFO;
		blob = malloc(n);
		if (!blob)
			return -ENOMEM;
		if (elfimage__read(img, vaddr, blob, n)) {
			free(blob);
			return -EIO;
		}
		used = uvarint(blob + HDR_LEN, n - HDR_LEN, &vlen);
		if (!used || vlen > n - HDR_LEN - used) {
			free(blob);
			return -EINVAL;
		}
		version = strndup((char *)blob + HDR_LEN + used, vlen);
		used2 = uvarint(blob + HDR_LEN + used + vlen, n - HDR_LEN - used - vlen, &mlen);
		if (used2 && mlen <= n - HDR_LEN - used - vlen - used2)
			bi->modinfo = strndup((char *)blob + HDR_LEN + used + vlen + used2, mlen);
		free(blob);
	} else {
		version = read_go_string(img, vaddr + 16, ptrsize);
		bi->modinfo = read_go_string(img, vaddr + 16 + (uint64_t)ptrsize, ptrsize);
	}
	if (!version || strncmp(version, "go", 2) != 0) {
		free(version);
		return -EINVAL;
	}
	snprintf(bi->go_version, sizeof(bi->go_version), "%s", version);
	free(version);
	if (bi->modinfo)
		ret = parse_modinfo(bi);
	return ret;
}

int buildinfo__version_after(const struct elfimage *img, const char *prefix, char *out,
			     size_t outlen)
{
	size_t plen = strlen(prefix);
	unsigned char buf[1 << 16];

	for (size_t i = 0; i < img->nphdrs; i++) {
		const GElf_Phdr *p = &img->phdrs[i];

		if (p->p_type != PT_LOAD || (p->p_flags & (PF_W | PF_X)))
			continue; /* read-only data only */
		/* Overlapping windows so a match across a boundary is seen. */
		for (uint64_t off = 0; off < p->p_filesz; off += sizeof(buf) - 64) {
			ssize_t n = pread(img->fd, buf, sizeof(buf), (off_t)(p->p_offset + off));

			if (n <= 0)
				break;
			for (ssize_t j = 0; j + (ssize_t)plen + 1 < n; j++) {
				size_t k = 0;

				if (memcmp(buf + j, prefix, plen) != 0 || buf[j + plen] < '0' ||
				    buf[j + plen] > '9')
					continue;
				while (j + (ssize_t)(plen + k) < n && k + 1 < outlen &&
				       ((buf[j + plen + k] >= '0' && buf[j + plen + k] <= '9') ||
					buf[j + plen + k] == '.'))
					k++;
				memcpy(out, buf + j + plen, k);
				out[k] = '\0';
				return 0;
			}
			if (n < (ssize_t)sizeof(buf))
				break;
		}
	}
	return -ENOENT;
}

void buildinfo__free(struct buildinfo *bi)
{
	free(bi->modules);
	free(bi->modinfo);
	free(bi->main_path);
	*bi = (struct buildinfo){0};
}
