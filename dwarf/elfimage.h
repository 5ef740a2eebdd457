/* elfimage.h - the bottom layer of the reader: one ELF file opened and
 * checked, its program headers, sections, notes, and the bytes at a
 * link-time address. It knows nothing of Go; every other part of the
 * reader stands on it (image -> pclntab, itabs, build info, debug files,
 * code scan -> the gobin facade).
 *
 * Errors follow the reader's one contract (see gobin.h): 0 or a negative
 * errno; where a reason is possible it is always set.
 */
#ifndef ELFIMAGE_H
#define ELFIMAGE_H

#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elfimage {
	const char *path; /* borrowed from the caller; must outlive the image */
	int fd;
	Elf *elf;
	GElf_Ehdr ehdr;
	size_t nphdrs;
	GElf_Phdr *phdrs;
	/* .rodata at its link-time addresses, [lo, hi); 0, 0: none usable.
	 * Found once at open: user space looks strings up there per event. */
	uint64_t rodata_lo, rodata_hi;
};

/**
 * elfimage__open() - open and check an ELF executable
 * @img: filled on success; on failure left closed (elfimage__close is safe)
 * @path: the file; /proc/PID/exe works
 * @err: receives the reason on failure (always set then)
 *
 * A truncated or damaged file is an error: every section must lie inside
 * the file. Return: 0; -errno of open(2); -EINVAL (not a regular file,
 * not ELF, not an executable, damaged); -ENOMEM.
 */
int elfimage__open(struct elfimage *img, const char *path, char *err, size_t errlen);
void elfimage__close(struct elfimage *img);

/* The section called name and its header, or NULL. */
Elf_Scn *elfimage__section(const struct elfimage *img, const char *name, GElf_Shdr *shdr);

/**
 * elfimage__file_offset() - the file offset of a link-time address
 * Return: 0, or -ENOENT when no loadable segment's file bytes hold it.
 */
int elfimage__file_offset(const struct elfimage *img, uint64_t vaddr, uint64_t *off);

/**
 * elfimage__read() - copy len bytes at link-time address vaddr
 * Return: 0, -EFAULT (not all in the file's loadable bytes), -EIO.
 */
int elfimage__read(const struct elfimage *img, uint64_t vaddr, void *buf, size_t len);

/* The len bytes at vaddr in the file image libelf mapped, when they lie in
 * one loadable segment's file bytes; else NULL. Valid as long as img. For
 * reading many small pieces without a copy each. */
const uint8_t *elfimage__bytes(const struct elfimage *img, uint64_t vaddr, uint64_t len);

/* The link address of the first loadable segment, page-aligned. */
uint64_t elfimage__load_base(const struct elfimage *img);

/* Helpers on any open Elf (the executable's or a debug file's). */
Elf_Scn *elf__section(Elf *elf, const char *name, GElf_Shdr *shdr);
/* 0 when every section lies inside a file of file_size bytes, else -EINVAL
 * with the reason (a static string) in why. */
int elf__check_sections(Elf *elf, const GElf_Ehdr *ehdr, uint64_t file_size, const char **why);
/* elfnote.c: the descriptor of the first note of owner and type, from the
 * note sections or else the PT_NOTE segments; desc points into elf. */
bool elf__note(Elf *elf, const char *owner, uint32_t type, const void **desc, size_t *len);

#endif
