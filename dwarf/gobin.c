/* gobin.c - open a Go executable: ELF headers, program headers and the
 * symbol table; address translation; lifetime of everything the reader owns. */
#include "gobin_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_NOTE 512

const char *gobin__note(struct gobin *gb, const char *fmt, ...)
{
	char buf[MAX_NOTE];
	char **grown;
	char *s;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	grown = realloc(gb->notes, (gb->nnotes + 1) * sizeof(*grown));
	if (!grown)
		return "out of memory";
	gb->notes = grown;
	s = strdup(buf);
	if (!s)
		return "out of memory";
	gb->notes[gb->nnotes++] = s;
	return s;
}

Elf_Scn *gobin__elf_section(Elf *elf, const char *name, GElf_Shdr *shdr)
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

Elf_Scn *gobin__section(const struct gobin *gb, const char *name, GElf_Shdr *shdr)
{
	return gobin__elf_section(gb->elf, name, shdr);
}

int gobin__file_offset(const struct gobin *gb, uint64_t vaddr, uint64_t *off)
{
	for (size_t i = 0; i < gb->nphdrs; i++) {
		const GElf_Phdr *p = &gb->phdrs[i];

		if (p->p_type != PT_LOAD)
			continue;
		if (vaddr >= p->p_vaddr && vaddr - p->p_vaddr < p->p_filesz) {
			*off = vaddr - p->p_vaddr + p->p_offset;
			return 0;
		}
	}
	return -ENOENT;
}

int gobin__read_vaddr(const struct gobin *gb, uint64_t vaddr, void *buf, size_t len)
{
	uint64_t off, last;
	ssize_t n;

	if (gobin__file_offset(gb, vaddr + len - 1, &last) || gobin__file_offset(gb, vaddr, &off))
		return -EFAULT;
	n = pread(gb->fd, buf, len, (off_t)off);
	return n == (ssize_t)len ? 0 : -EIO;
}

const uint8_t *gobin__vaddr_bytes(const struct gobin *gb, uint64_t vaddr, uint64_t len)
{
	size_t size;
	const uint8_t *img = (const uint8_t *)elf_rawfile(gb->elf, &size);

	if (!img)
		return NULL;
	for (size_t i = 0; i < gb->nphdrs; i++) {
		const GElf_Phdr *p = &gb->phdrs[i];
		uint64_t rel = vaddr - p->p_vaddr;

		if (p->p_type != PT_LOAD || vaddr < p->p_vaddr || rel > p->p_filesz ||
		    len > p->p_filesz - rel)
			continue;
		/* The program headers may claim more than the file holds. */
		if (p->p_offset > size || rel > size - p->p_offset ||
		    len > size - p->p_offset - rel)
			return NULL;
		return img + p->p_offset + rel;
	}
	return NULL;
}

int gobin__load_symbols(struct gobin *gb, Elf *elf)
{
	GElf_Shdr shdr;
	Elf_Scn *scn = NULL;
	Elf_Data *data;
	size_t count;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		if (gelf_getshdr(scn, &shdr) && shdr.sh_type == SHT_SYMTAB)
			break;
	}
	if (!scn || shdr.sh_entsize == 0)
		return 0; /* stripped: no symbol table */
	data = elf_getdata(scn, NULL);
	if (!data)
		return -EINVAL;
	count = shdr.sh_size / shdr.sh_entsize;
	gb->symv = calloc(count ? count : 1, sizeof(*gb->symv));
	if (!gb->symv || strmap__init(&gb->syms, count))
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		GElf_Sym sym;
		const char *name;
		int type;

		if (!gelf_getsym(data, (int)i, &sym))
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		if (type != STT_FUNC && type != STT_OBJECT)
			continue;
		name = elf_strptr(elf, shdr.sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		gb->symv[gb->nsyms].value = sym.st_value;
		gb->symv[gb->nsyms].size = sym.st_size;
		if (strmap__put_first(&gb->syms, name, gb->nsyms))
			return -ENOMEM;
		gb->nsyms++;
		if (strncmp(name, "go:itab.", 8) == 0 || strncmp(name, "go.itab.", 8) == 0)
			gb->nitab_syms++;
	}
	return 0;
}

/* Go writes its build ID into a note named "Go" of type 4; the linker
 * derives the GNU build-id (NT_GNU_BUILD_ID) from it since Go 1.24. */
static void read_build_ids(struct gobin *gb)
{
	const void *desc;
	size_t n;

	if (gobin__elf_note(gb->elf, "Go", 4, &desc, &n)) {
		if (n >= sizeof(gb->build_id))
			n = sizeof(gb->build_id) - 1;
		memcpy(gb->build_id, desc, n);
		gb->build_id[n] = '\0';
	}
	if (gobin__elf_note(gb->elf, "GNU", NT_GNU_BUILD_ID, &desc, &n) && n > 0 &&
	    n <= GOBIN_MAX_BUILD_ID) {
		for (size_t i = 0; i < n; i++)
			snprintf(gb->gnu_build_id + 2 * i, 3, "%02x", ((const unsigned char *)desc)[i]);
	}
}

/* A truncated or damaged file must be an error, not "no DWARF": every
 * section header and every section's bytes must lie inside the file. */
const char *gobin__check_sections(Elf *elf, const GElf_Ehdr *ehdr, uint64_t file_size)
{
	size_t shnum;
	Elf_Scn *scn = NULL;

	if (ehdr->e_shoff == 0)
		return NULL; /* no section headers at all: allowed, nothing to check */
	if (elf_getshdrnum(elf, &shnum) != 0)
		return "unreadable section header table";
	if (ehdr->e_shoff > file_size || shnum > file_size / sizeof(Elf64_Shdr) ||
	    ehdr->e_shoff + shnum * sizeof(Elf64_Shdr) > file_size)
		return "the section header table lies outside the file (truncated?)";
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			return "unreadable section header";
		if (sh.sh_type != SHT_NOBITS && sh.sh_size &&
		    (sh.sh_offset > file_size || sh.sh_size > file_size - sh.sh_offset))
			return "a section lies outside the file (truncated?)";
	}
	return NULL;
}

/* Find .rodata for gobin__rodata_range: read-only, loaded, and every
 * byte of it mapped from the file (else none is used). */
static void find_rodata(struct gobin *gb)
{
	GElf_Shdr sh;

	if (!gobin__section(gb, ".rodata", &sh) || sh.sh_type != SHT_PROGBITS ||
	    (sh.sh_flags & SHF_WRITE) || !(sh.sh_flags & SHF_ALLOC) || sh.sh_size == 0 ||
	    sh.sh_addr + sh.sh_size < sh.sh_addr || !gobin__vaddr_bytes(gb, sh.sh_addr, sh.sh_size))
		return;
	gb->rodata_lo = sh.sh_addr;
	gb->rodata_hi = sh.sh_addr + sh.sh_size;
}

static int load_phdrs(struct gobin *gb)
{
	if (elf_getphdrnum(gb->elf, &gb->nphdrs) != 0)
		return -EINVAL;
	gb->phdrs = calloc(gb->nphdrs ? gb->nphdrs : 1, sizeof(*gb->phdrs));
	if (!gb->phdrs)
		return -ENOMEM;
	for (size_t i = 0; i < gb->nphdrs; i++)
		if (!gelf_getphdr(gb->elf, (int)i, &gb->phdrs[i]))
			return -EINVAL;
	return 0;
}

struct gobin *gobin__open(const char *path, char *err, size_t errlen)
{
	return gobin__open_opts(path, NULL, err, errlen);
}

struct gobin *gobin__open_opts(const char *path, const struct gobin_open_opts *opts, char *err,
			       size_t errlen)
{
	struct gobin *gb;
	struct stat st = {0};
	const char *reason;
	int ret;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		snprintf(err, errlen, "libelf is too old");
		return NULL;
	}
	gb = calloc(1, sizeof(*gb));
	if (!gb) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	gb->fd = -1;
	gb->dbg_fd = -1;
	gb->path = strdup(path);
	gb->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (gb->fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		goto fail;
	}
	if (fstat(gb->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", path);
		goto fail;
	}
	gb->elf = elf_begin(gb->fd, ELF_C_READ_MMAP, NULL);
	if (!gb->elf || elf_kind(gb->elf) != ELF_K_ELF || !gelf_getehdr(gb->elf, &gb->ehdr)) {
		snprintf(err, errlen, "%s is not an ELF file", path);
		goto fail;
	}
	if (gb->ehdr.e_type != ET_EXEC && gb->ehdr.e_type != ET_DYN) {
		snprintf(err, errlen, "%s is not an executable", path);
		goto fail;
	}
	if ((reason = gobin__check_sections(gb->elf, &gb->ehdr, (uint64_t)st.st_size)) != NULL) {
		snprintf(err, errlen, "%s: %s", path, reason);
		goto fail;
	}
	if (load_phdrs(gb)) {
		snprintf(err, errlen, "%s: cannot read program headers: %s", path, elf_errmsg(-1));
		goto fail;
	}
	find_rodata(gb);
	ret = gobin__load_symbols(gb, gb->elf);
	if (ret) {
		snprintf(err, errlen, "%s: cannot read the symbol table: %s", path, strerror(-ret));
		goto fail;
	}
	read_build_ids(gb);
	ret = gobin__read_buildinfo(gb);
	if (ret) {
		snprintf(err, errlen, "%s is not a Go program (no Go build information)", path);
		goto fail;
	}
	/* Without Go's function table only the symbol table names functions. */
	gobin__pclntab_load(gb);
	/* No DWARF is not fatal: the caller decides what to do without it. */
	gb->dw = dwarf_begin_elf(gb->elf, DWARF_C_READ, NULL);
	if (gobin__find_debugfile(gb, opts, err, errlen))
		goto fail;
	return gb;
fail:
	gobin__close(gb);
	return NULL;
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
	for (size_t i = 0; i < gb->nnotes; i++)
		free(gb->notes[i]);
	free(gb->notes);
	strmap__free(&gb->dies);
	strmap__free(&gb->syms);
	gobin__pclntab_free(gb);
	gobin__itablinks_free(gb);
	free(gb->symv);
	free(gb->modules);
	free(gb->modinfo);
	free(gb->main_path);
	free(gb->phdrs);
	if (gb->dw)
		dwarf_end(gb->dw);
	gobin__debugfile_close(gb);
	if (gb->elf)
		elf_end(gb->elf);
	if (gb->fd >= 0)
		close(gb->fd);
	free(gb->path);
	free(gb);
}

const char *gobin__path(const struct gobin *gb) { return gb->path; }
bool gobin__is_pie(const struct gobin *gb) { return gb->ehdr.e_type == ET_DYN; }

uint64_t gobin__load_base(const struct gobin *gb)
{
	uint64_t base = UINT64_MAX;

	for (size_t i = 0; i < gb->nphdrs; i++)
		if (gb->phdrs[i].p_type == PT_LOAD && gb->phdrs[i].p_vaddr < base)
			base = gb->phdrs[i].p_vaddr;
	return base == UINT64_MAX ? 0 : base & ~0xfffULL;
}
int gobin__rodata_range(const struct gobin *gb, uint64_t *lo, uint64_t *hi)
{
	*lo = gb->rodata_lo;
	*hi = gb->rodata_hi;
	return gb->rodata_hi ? 0 : -ENOENT;
}

const uint8_t *gobin__rodata_bytes(const struct gobin *gb, uint64_t vaddr, uint64_t len)
{
	if (!gb->rodata_hi || vaddr < gb->rodata_lo || vaddr >= gb->rodata_hi ||
	    len > gb->rodata_hi - vaddr)
		return NULL;
	return gobin__vaddr_bytes(gb, vaddr, len);
}

const char *gobin__go_version(const struct gobin *gb) { return gb->go_version; }
const char *gobin__build_id(const struct gobin *gb) { return gb->build_id; }
const char *gobin__main_path(const struct gobin *gb) { return gb->main_path ? gb->main_path : ""; }
bool gobin__has_dwarf(const struct gobin *gb) { return gb->dw != NULL; }
const struct gobin_debuginfo *gobin__debuginfo(const struct gobin *gb) { return &gb->dbg; }
const char *gobin__dwarf_source(const struct gobin *gb) { return gb->dbg_summary; }
const char *gobin__gnu_build_id(const struct gobin *gb) { return gb->gnu_build_id; }
bool gobin__has_symtab(const struct gobin *gb) { return gb->nsyms > 0; }
int gobin__nmodules(const struct gobin *gb) { return gb->nmodules; }

const struct gobin_module *gobin__module(const struct gobin *gb, int i)
{
	return i >= 0 && i < gb->nmodules ? &gb->modules[i] : NULL;
}

const char *gobin__module_version(const struct gobin *gb, const char *path)
{
	for (int i = 0; i < gb->nmodules; i++)
		if (strcmp(gb->modules[i].path, path) == 0)
			return gb->modules[i].version;
	return NULL;
}

const char *gobin__arch(const struct gobin *gb)
{
	switch (gb->ehdr.e_machine) {
	case EM_X86_64:
		return "amd64";
	case EM_AARCH64:
		return "arm64";
	case EM_386:
		return "386";
	default:
		return "unknown";
	}
}

/* Go switched amd64 to the register ABI in 1.17 and arm64 in 1.18. */
const char *gobin__abi(const struct gobin *gb)
{
	const char *since = gb->ehdr.e_machine == EM_X86_64   ? "go1.17"
			    : gb->ehdr.e_machine == EM_AARCH64 ? "go1.18"
							       : NULL;

	if (since && gobin__version_cmp(gb->go_version, since) >= 0)
		return "register";
	return "stack";
}

static const char *const amd64_regs[] = {
	"ax", "dx", "cx", "bx", "si", "di", "bp", "sp",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

const char *gobin__reg_name(const struct gobin *gb, int dwarf_reg)
{
	if (gb->ehdr.e_machine != EM_X86_64)
		return NULL;
	if (dwarf_reg < 0 || dwarf_reg >= (int)(sizeof(amd64_regs) / sizeof(amd64_regs[0])))
		return NULL;
	return amd64_regs[dwarf_reg];
}

/* Skip a "go" or "v" prefix, then compare dotted numbers; a pre-release
 * suffix ("rc1", "-dev") sorts before the release. */
int gobin__version_cmp(const char *a, const char *b)
{
	if (!a || !b)
		return a ? 1 : (b ? -1 : 0);
	if (strncmp(a, "go", 2) == 0)
		a += 2;
	if (strncmp(b, "go", 2) == 0)
		b += 2;
	if (*a == 'v')
		a++;
	if (*b == 'v')
		b++;
	for (int i = 0; i < 3; i++) {
		char *ea, *eb;
		long na = strtol(a, &ea, 10), nb = strtol(b, &eb, 10);

		if (na != nb)
			return na < nb ? -1 : 1;
		a = ea;
		b = eb;
		if (*a == '.' && *b == '.') {
			a++;
			b++;
			continue;
		}
		if (*a == '.')
			return 1;
		if (*b == '.')
			return -1;
		break;
	}
	/* "1.2" vs "1.2rc1": a release (no suffix) is newer. Two suffixes
	 * (pre-releases, or pseudo-versions "-20201021035429-f5854403a974")
	 * compare as text: a pseudo-version's timestamp orders it. */
	if (!*a != !*b)
		return *a ? -1 : 1;
	return strcmp(a, b) < 0 ? -1 : strcmp(a, b) > 0;
}
