/* gobin.c - the facade: open a Go executable through the reader's layers
 * (ELF image, symbol table, build info, function table, debug file) and
 * answer the questions of gobin.h about it; owns everything they return. */
#include "gobin_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Go writes its build ID into a note named "Go" of type 4; the linker
 * derives the GNU build-id (NT_GNU_BUILD_ID) from it since Go 1.24. */
static void read_build_ids(struct gobin *gb)
{
	const void *desc;
	size_t n;

	if (elf__note(gb->img.elf, "Go", 4, &desc, &n)) {
		if (n >= sizeof(gb->build_id))
			n = sizeof(gb->build_id) - 1;
		memcpy(gb->build_id, desc, n);
		gb->build_id[n] = '\0';
	}
	if (elf__note(gb->img.elf, "GNU", NT_GNU_BUILD_ID, &desc, &n) && n > 0 &&
	    n <= GOBIN_MAX_BUILD_ID) {
		for (size_t i = 0; i < n; i++)
			snprintf(gb->gnu_build_id + 2 * i, 3, "%02x", ((const unsigned char *)desc)[i]);
	}
}

int gobin__open(const char *path, const struct gobin_open_opts *opts, struct gobin **out,
		char *err, size_t errlen)
{
	struct gobin *gb;
	int ret;

	*out = NULL;
	gb = calloc(1, sizeof(*gb));
	if (!gb || !(gb->path = strdup(path))) {
		free(gb);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	gb->dbg.fd = -1;
	ret = elfimage__open(&gb->img, gb->path, err, errlen);
	if (ret)
		goto fail;
	ret = symtab__load(&gb->syms, gb->img.elf);
	if (ret) {
		snprintf(err, errlen, "%s: cannot read the symbol table: %s", path, strerror(-ret));
		goto fail;
	}
	read_build_ids(gb);
	ret = buildinfo__read(&gb->bi, &gb->img);
	if (ret == -ENOMEM) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (ret) {
		snprintf(err, errlen, "%s is not a Go program (no Go build information)", path);
		ret = -ENOEXEC;
		goto fail;
	}
	/* Without Go's function table only the symbol table names functions. */
	pclntab__load(&gb->img, &gb->pclntab);
	/* No DWARF is not fatal: the caller decides what to do without it. */
	gb->dw = dwarf_begin_elf(gb->img.elf, DWARF_C_READ, NULL);
	ret = debugfile__find(&gb->dbg, &gb->img, gb->dw != NULL, gb->gnu_build_id, gb->build_id,
			      opts, &gb->notes, err, errlen);
	if (ret)
		goto fail;
	if (!gb->dw)
		gb->dw = gb->dbg.dw;
	/* The debug file's symbol table, when the executable has none: the
	 * same link's addresses, and it names the itabs Go's function table
	 * cannot. */
	if (!gb->syms.loaded && gb->dbg.elf) {
		ret = symtab__load(&gb->syms, gb->dbg.elf);
		if (ret == -ENOMEM) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		gb->dbg.info.symtab_from_debug_file = gb->syms.n > 0;
	}
	*out = gb;
	return 0;
fail:
	gobin__close(gb);
	return ret;
}

void gobin__close(struct gobin *gb)
{
	if (!gb)
		return;
	for (int i = 0; i < gb->nfuncs; i++) {
		free(gb->funcs[i]->params);
		free(gb->funcs[i]);
	}
	free(gb->funcs);
	strmap__free(&gb->dies);
	symtab__free(&gb->syms);
	pclntab__free(gb->pclntab);
	itablinks__free(gb->itabs);
	buildinfo__free(&gb->bi);
	/* The DWARF may belong to the debug file: end it first. */
	if (gb->dw)
		dwarf_end(gb->dw);
	debugfile__close(&gb->dbg);
	elfimage__close(&gb->img);
	notes__free(&gb->notes);
	free(gb->path);
	free(gb);
}

const char *gobin__path(const struct gobin *gb) { return gb->path; }
bool gobin__is_pie(const struct gobin *gb) { return gb->img.ehdr.e_type == ET_DYN; }
uint64_t gobin__load_base(const struct gobin *gb) { return elfimage__load_base(&gb->img); }

int gobin__file_offset(const struct gobin *gb, uint64_t vaddr, uint64_t *off, const char **why)
{
	int ret = elfimage__file_offset(&gb->img, vaddr, off);

	if (ret)
		*why = "the address is in no loadable segment's file bytes";
	return ret;
}

int gobin__rodata_range(const struct gobin *gb, uint64_t *lo, uint64_t *hi, const char **why)
{
	*lo = gb->img.rodata_lo;
	*hi = gb->img.rodata_hi;
	if (gb->img.rodata_hi)
		return 0;
	*why = "no read-only .rodata section mapped whole from the file";
	return -ENOENT;
}

const uint8_t *gobin__rodata_bytes(const struct gobin *gb, uint64_t vaddr, uint64_t len)
{
	const struct elfimage *img = &gb->img;

	if (!img->rodata_hi || vaddr < img->rodata_lo || vaddr >= img->rodata_hi ||
	    len > img->rodata_hi - vaddr)
		return NULL;
	return elfimage__bytes(img, vaddr, len);
}

const uint8_t *gobin__image_bytes(const struct gobin *gb, uint64_t vaddr, uint64_t len)
{
	return elfimage__bytes(&gb->img, vaddr, len);
}

int gobin__find_version_after(const struct gobin *gb, const char *prefix, char *out,
			      size_t outlen, const char **why)
{
	int ret = buildinfo__version_after(&gb->img, prefix, out, outlen);

	if (ret)
		*why = "not written in the read-only data";
	return ret;
}

bool gobin__has_pclntab(const struct gobin *gb) { return gb->pclntab != NULL; }
const char *gobin__pclntab_how(const struct gobin *gb) { return pclntab__how(gb->pclntab); }

const char *gobin__go_version(const struct gobin *gb) { return gb->bi.go_version; }
const char *gobin__build_id(const struct gobin *gb) { return gb->build_id; }
const char *gobin__main_path(const struct gobin *gb)
{
	return gb->bi.main_path ? gb->bi.main_path : "";
}
bool gobin__has_dwarf(const struct gobin *gb) { return gb->dw != NULL; }
const struct gobin_debuginfo *gobin__debuginfo(const struct gobin *gb) { return &gb->dbg.info; }
const char *gobin__dwarf_source(const struct gobin *gb) { return gb->dbg.summary; }
const char *gobin__gnu_build_id(const struct gobin *gb) { return gb->gnu_build_id; }
bool gobin__has_symtab(const struct gobin *gb) { return gb->syms.n > 0; }
int gobin__nmodules(const struct gobin *gb) { return gb->bi.nmodules; }

const struct gobin_module *gobin__module(const struct gobin *gb, int i)
{
	return i >= 0 && i < gb->bi.nmodules ? &gb->bi.modules[i] : NULL;
}

const char *gobin__module_version(const struct gobin *gb, const char *path)
{
	for (int i = 0; i < gb->bi.nmodules; i++)
		if (strcmp(gb->bi.modules[i].path, path) == 0)
			return gb->bi.modules[i].version;
	return NULL;
}

const struct gobin_machine *gobin__machine(const struct gobin *gb)
{
	return gobin__machine_of_elf(gb->img.ehdr.e_machine);
}

const char *gobin__arch(const struct gobin *gb)
{
	const struct gobin_machine *m = gobin__machine(gb);

	if (m)
		return m->goarch;
	return gb->img.ehdr.e_machine == EM_386 ? "386" : "unknown";
}

const char *gobin__abi(const struct gobin *gb)
{
	const struct gobin_machine *m = gobin__machine(gb);

	if (m && gobin__version_cmp(gb->bi.go_version, m->register_abi_since) >= 0)
		return "register";
	return "stack";
}
