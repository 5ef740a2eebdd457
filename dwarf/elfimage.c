/* elfimage.c - open an ELF executable and read bytes at link-time
 * addresses: the reader's bottom layer. */
#include "elfimage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

Elf_Scn *elf__section(Elf *elf, const char *name, GElf_Shdr *shdr)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		const char *n;

		if (!gelf_getshdr(scn, shdr))
			continue;
		n = elf_strptr(elf, shstrndx, shdr->sh_name);
		if (n && strcmp(n, name) == 0)
			return scn;
	}
	return NULL;
}

Elf_Scn *elfimage__section(const struct elfimage *img, const char *name, GElf_Shdr *shdr)
{
	return elf__section(img->elf, name, shdr);
}

int elfimage__file_offset(const struct elfimage *img, uint64_t vaddr, uint64_t *off)
{
	for (size_t i = 0; i < img->nphdrs; i++) {
		const GElf_Phdr *p = &img->phdrs[i];

		if (p->p_type != PT_LOAD)
			continue;
		if (vaddr >= p->p_vaddr && vaddr - p->p_vaddr < p->p_filesz) {
			*off = vaddr - p->p_vaddr + p->p_offset;
			return 0;
		}
	}
	return -ENOENT;
}

int elfimage__read(const struct elfimage *img, uint64_t vaddr, void *buf, size_t len)
{
	uint64_t off, last;
	ssize_t n;

	if (elfimage__file_offset(img, vaddr + len - 1, &last) ||
	    elfimage__file_offset(img, vaddr, &off))
		return -EFAULT;
	n = pread(img->fd, buf, len, (off_t)off);
	return n == (ssize_t)len ? 0 : -EIO;
}

const uint8_t *elfimage__bytes(const struct elfimage *img, uint64_t vaddr, uint64_t len)
{
	size_t size;
	const uint8_t *raw = (const uint8_t *)elf_rawfile(img->elf, &size);

	if (!raw)
		return NULL;
	for (size_t i = 0; i < img->nphdrs; i++) {
		const GElf_Phdr *p = &img->phdrs[i];
		uint64_t rel = vaddr - p->p_vaddr;

		if (p->p_type != PT_LOAD || vaddr < p->p_vaddr || rel > p->p_filesz ||
		    len > p->p_filesz - rel)
			continue;
		/* The program headers may claim more than the file holds. */
		if (p->p_offset > size || rel > size - p->p_offset ||
		    len > size - p->p_offset - rel)
			return NULL;
		return raw + p->p_offset + rel;
	}
	return NULL;
}

uint64_t elfimage__load_base(const struct elfimage *img)
{
	uint64_t base = UINT64_MAX;

	for (size_t i = 0; i < img->nphdrs; i++)
		if (img->phdrs[i].p_type == PT_LOAD && img->phdrs[i].p_vaddr < base)
			base = img->phdrs[i].p_vaddr;
	return base == UINT64_MAX ? 0 : base & ~0xfffULL;
}

/* A truncated or damaged file must be an error, not "no DWARF": every
 * section header and every section's bytes must lie inside the file. */
int elf__check_sections(Elf *elf, const GElf_Ehdr *ehdr, uint64_t file_size, const char **why)
{
	size_t shnum;
	Elf_Scn *scn = NULL;

	if (ehdr->e_shoff == 0)
		return 0; /* no section headers at all: allowed, nothing to check */
	*why = NULL;
	if (elf_getshdrnum(elf, &shnum) != 0)
		*why = "unreadable section header table";
	else if (ehdr->e_shoff > file_size || shnum > file_size / sizeof(Elf64_Shdr) ||
		 ehdr->e_shoff + shnum * sizeof(Elf64_Shdr) > file_size)
		*why = "the section header table lies outside the file (truncated?)";
	while (!*why && (scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			*why = "unreadable section header";
		else if (sh.sh_type != SHT_NOBITS && sh.sh_size &&
			 (sh.sh_offset > file_size || sh.sh_size > file_size - sh.sh_offset))
			*why = "a section lies outside the file (truncated?)";
	}
	return *why ? -EINVAL : 0;
}

/* .rodata: read-only, loaded, and every byte of it mapped from the file
 * (else none is used). */
static void find_rodata(struct elfimage *img)
{
	GElf_Shdr sh;

	if (!elfimage__section(img, ".rodata", &sh) || sh.sh_type != SHT_PROGBITS ||
	    (sh.sh_flags & SHF_WRITE) || !(sh.sh_flags & SHF_ALLOC) || sh.sh_size == 0 ||
	    sh.sh_addr + sh.sh_size < sh.sh_addr || !elfimage__bytes(img, sh.sh_addr, sh.sh_size))
		return;
	img->rodata_lo = sh.sh_addr;
	img->rodata_hi = sh.sh_addr + sh.sh_size;
}

static int load_phdrs(struct elfimage *img)
{
	if (elf_getphdrnum(img->elf, &img->nphdrs) != 0)
		return -EINVAL;
	img->phdrs = calloc(img->nphdrs ? img->nphdrs : 1, sizeof(*img->phdrs));
	if (!img->phdrs)
		return -ENOMEM;
	for (size_t i = 0; i < img->nphdrs; i++)
		if (!gelf_getphdr(img->elf, (int)i, &img->phdrs[i]))
			return -EINVAL;
	return 0;
}

int elfimage__open(struct elfimage *img, const char *path, char *err, size_t errlen)
{
	struct stat st = {0};
	const char *reason;
	int ret;

	*img = (struct elfimage){.path = path, .fd = -1};
	if (elf_version(EV_CURRENT) == EV_NONE) {
		snprintf(err, errlen, "libelf is too old");
		return -ENOTSUP;
	}
	img->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (img->fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(img->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", path);
		return -EINVAL;
	}
	img->elf = elf_begin(img->fd, ELF_C_READ_MMAP, NULL);
	if (!img->elf || elf_kind(img->elf) != ELF_K_ELF || !gelf_getehdr(img->elf, &img->ehdr)) {
		snprintf(err, errlen, "%s is not an ELF file", path);
		return -EINVAL;
	}
	if (img->ehdr.e_type != ET_EXEC && img->ehdr.e_type != ET_DYN) {
		snprintf(err, errlen, "%s is not an executable", path);
		return -EINVAL;
	}
	if (elf__check_sections(img->elf, &img->ehdr, (uint64_t)st.st_size, &reason)) {
		snprintf(err, errlen, "%s: %s", path, reason);
		return -EINVAL;
	}
	if ((ret = load_phdrs(img)) != 0) {
		snprintf(err, errlen, "%s: cannot read program headers: %s", path,
			 ret == -ENOMEM ? "out of memory" : elf_errmsg(-1));
		return ret;
	}
	find_rodata(img);
	return 0;
}

void elfimage__close(struct elfimage *img)
{
	free(img->phdrs);
	img->phdrs = NULL;
	img->nphdrs = 0;
	if (img->elf)
		elf_end(img->elf);
	img->elf = NULL;
	if (img->fd >= 0)
		close(img->fd);
	img->fd = -1;
}
