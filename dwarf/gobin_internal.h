/* gobin_internal.h - the gobin object, shared by the files of the reader. */
#ifndef GOBIN_INTERNAL_H
#define GOBIN_INTERNAL_H

#include "gobin.h"
#include "strmap.h"

#include <elfutils/libdw.h>
#include <gelf.h>
#include <libelf.h>

struct gobin_sym {
	uint64_t value;
	uint64_t size;
};

struct gobin {
	char *path;
	int fd;
	Elf *elf;
	Dwarf *dw; /* NULL when the binary has no DWARF */
	GElf_Ehdr ehdr;
	size_t nphdrs;
	GElf_Phdr *phdrs;

	struct strmap syms; /* name -> index into symv */
	struct gobin_sym *symv;
	size_t nsyms;

	char go_version[64];
	char build_id[128];
	char *main_path;
	struct gobin_module *modules;
	int nmodules;
	char *modinfo; /* backing store for module strings */

	struct strmap dies; /* wanted name -> DIE offset + 1 (0 = not found) */
	bool indexed;

	struct gobin_pclntab *pclntab; /* Go's function table, NULL if none */
	struct gobin_itabs *itabs;     /* the runtime's itab list, once read */

	struct gobin_func **funcs; /* resolved functions, cached */
	int nfuncs;

	char **notes; /* strings owned by gb: reasons, names */
	size_t nnotes;
};

/* Keep a formatted string alive as long as gb; returns it (or a static
 * fallback when out of memory). */
const char *gobin__note(struct gobin *gb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Copy len bytes at virtual address vaddr out of the file. */
int gobin__read_vaddr(const struct gobin *gb, uint64_t vaddr, void *buf, size_t len);

/* The len bytes at virtual address vaddr in the file image libelf mapped,
 * when they lie in one loadable segment's file bytes; else NULL. Valid as
 * long as gb. For reading many small pieces without a copy each. */
const uint8_t *gobin__vaddr_bytes(const struct gobin *gb, uint64_t vaddr, uint64_t len);

/* Find a section by name; NULL if absent. */
Elf_Scn *gobin__section(const struct gobin *gb, const char *name, GElf_Shdr *shdr);

/* buildinfo.c */
int gobin__read_buildinfo(struct gobin *gb);

/* prologue.c: fill probe, rets of fn from its machine code. */
int gobin__scan_code(struct gobin *gb, struct gobin_func *fn, const char **why);

/* pclntab.c: Go's function table. Load finds and checks it (0 or -errno;
 * failure only means gb->pclntab stays NULL); func looks a name up. */
int gobin__pclntab_load(struct gobin *gb);
void gobin__pclntab_free(struct gobin *gb);
int gobin__pclntab_func(struct gobin *gb, const char *name, uint64_t *entry, uint64_t *end,
			const char **why);

/* pclntab.c: where the runtime's module data is (found with the function
 * table) and the pointer size; -ENOENT when it was not found. */
int gobin__moduledata(const struct gobin *gb, uint64_t *addr, unsigned *ptrsize);

/* itablinks.c: an itab by full names from the runtime's list; free it. */
int gobin__itablinks_find(struct gobin *gb, const char *pair, uint64_t *addr, const char **why);
void gobin__itablinks_free(struct gobin *gb);

/* dwarfinfo.c: fill params of fn from DWARF. */
void gobin__read_params(struct gobin *gb, struct gobin_func *fn);

#endif
