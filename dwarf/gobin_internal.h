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
	/* A separate debug file holding the DWARF (debugfile.c), or -1/NULL. */
	int dbg_fd;
	Elf *dbg_elf;
	struct gobin_debuginfo dbg;	 /* where the DWARF came from */
	const char *dbg_summary;	 /* the same in a few words */
	struct gobin_debug_try *tried; /* backing store of dbg.tried */
	char gnu_build_id[2 * GOBIN_MAX_BUILD_ID + 1]; /* hex, "" if none */
	GElf_Ehdr ehdr;
	size_t nphdrs;
	GElf_Phdr *phdrs;
	/* .rodata at its link-time addresses, [lo, hi); 0, 0: none usable.
	 * Found once at open: user space looks strings up there per event. */
	uint64_t rodata_lo, rodata_hi;

	struct strmap syms; /* name -> index into symv */
	struct gobin_sym *symv;
	size_t nsyms;
	size_t nitab_syms; /* go:itab.* symbols: none since Go 1.27 */

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
Elf_Scn *gobin__elf_section(Elf *elf, const char *name, GElf_Shdr *shdr);

/* A truncated or damaged file must be an error: NULL when every section
 * lies inside the file, else the reason. */
const char *gobin__check_sections(Elf *elf, const GElf_Ehdr *ehdr, uint64_t file_size);

/* Read the symbol table of elf (the executable's, or its debug file's,
 * whose addresses are the same) into gb. 0 when there is none. */
int gobin__load_symbols(struct gobin *gb, Elf *elf);

/* elfnote.c: the descriptor of the first note of owner and type, from the
 * note sections or else the PT_NOTE segments; desc points into elf. */
bool gobin__elf_note(Elf *elf, const char *owner, uint32_t type, const void **desc,
		     size_t *len);

/* debugfile.c: when gb has no DWARF of its own, find and open its debug
 * file (opts may be NULL). Only a bad --debuginfo FILE is an error
 * (-errno, reason in err); every other miss is recorded in gb->dbg. */
int gobin__find_debugfile(struct gobin *gb, const struct gobin_open_opts *opts, char *err,
			  size_t errlen);
void gobin__debugfile_close(struct gobin *gb);

/* debuginfod.c: ask the servers in DEBUGINFOD_URLS for the debug file of
 * a GNU build-id (hex). Returns an open descriptor, with path (the cached
 * copy) and url (NULL when served from the cache) owned by gb; or -1 with
 * the reason in why. */
int gobin__debuginfod_fetch(struct gobin *gb, const char *build_id_hex, const char **path,
			    const char **url, const char **why);

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
