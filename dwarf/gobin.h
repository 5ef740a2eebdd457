/* gobin.h - read what a tracer needs from a Go executable: build info,
 * function addresses, probe addresses, argument locations, struct layouts
 * and itab addresses.
 *
 * A struct gobin is opened once per target binary. Lookups never guess: a
 * value that cannot be established is reported as missing with a reason,
 * never as 0.
 *
 * DOC: the error contract of every function here that can fail
 *
 * It returns 0, or a negative errno, and then always sets a reason: a
 * string in *why that lives as long as the gobin (static or kept by it),
 * or, for gobin__open() alone, where no gobin exists yet, the caller's
 * err buffer. Callers branch on the code, never on the text; the text is
 * for the user. The codes keep one meaning throughout:
 *
 *   -ENOENT   the name asked for is not in the binary (or its DWARF)
 *   -ENODATA  what the answer would be read from is absent: no DWARF, no
 *             symbol table and no function table, no itab list
 *   -EINVAL   the binary's data is there but damaged or implausible
 *   -ERANGE   a value read lies outside what it may be
 *   -EFAULT   an address lies outside the file
 *   -ENOMEM   out of memory
 *
 * Accessors (gobin__path(), gobin__go_version(), ...) cannot fail. Lookups
 * that return a pointer (gobin__module(), gobin__rodata_bytes(), ...)
 * return NULL for "not there"; that is an answer, not an error.
 */
#ifndef GOBIN_H
#define GOBIN_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gobin;

#define GOBIN_ERRLEN 256
#define GOBIN_MAX_PIECES 8
#define GOBIN_MAX_RETS 64

struct gobin_module {
	const char *path;
	const char *version;
};

enum gobin_loc_kind {
	GOBIN_LOC_NONE,	 /* the piece has no location at the probe address */
	GOBIN_LOC_REG,	 /* in a register */
	GOBIN_LOC_STACK, /* in memory at SP + stack_off, SP as seen by the probe */
};

struct gobin_piece {
	enum gobin_loc_kind kind;
	int dwarf_reg;	   /* DWARF register number (kind == REG) */
	int64_t stack_off; /* offset from SP at the probe (kind == STACK) */
	uint32_t size;	   /* bytes of the value this piece holds */
};

struct gobin_param {
	const char *name;
	const char *type_name; /* DWARF name of its type, "" if unnamed */
	bool is_return; /* DW_AT_variable_parameter: a result, not an argument */
	int npieces;
	struct gobin_piece pieces[GOBIN_MAX_PIECES];
	const char *why; /* set when the location could not be read at all */
};

struct gobin_func {
	const char *name; /* as the symbol table spells it */
	const char *source; /* where entry and end came from: "symtab" or "pclntab" */
	uint64_t entry;	  /* virtual address of the first instruction */
	uint64_t end;	  /* first address past the function */
	uint64_t probe;	  /* where to attach: the stack-check branch, else entry */
	bool probe_is_stack_check;
	uint64_t entry_file_offset;
	uint64_t probe_file_offset;
	int nrets;
	uint64_t rets[GOBIN_MAX_RETS]; /* addresses of RET instructions */
	bool rets_truncated;
	int nparams;
	struct gobin_param *params; /* owned by the gobin */
	const char *params_why;	    /* set when DWARF gave no parameters */
};

#define GOBIN_MAX_BUILD_ID 64 /* bytes of a GNU build-id we accept */

/* Where to look for DWARF that the executable does not hold itself. */
struct gobin_open_opts {
	const char *debuginfo; /* this file (--debuginfo), or NULL */
	const char *const *debug_dirs; /* roots of the build-id and debuglink trees; */
	int ndebug_dirs;	       /* none given: /usr/lib/debug */
};

/* One place looked at for the DWARF, and why it was not used. */
struct gobin_debug_try {
	const char *source; /* "build-id", "debuglink", "debuginfod", "--debuginfo" */
	const char *file;   /* the file tried, or NULL */
	const char *why;
};

struct gobin_debuginfo {
	/* "embedded", "--debuginfo", "build-id", "debuglink", "debuginfod", or
	 * "none" */
	const char *source;
	const char *file; /* the file the DWARF is read from, NULL if none */
	const char *url;  /* debuginfod: the server it came from; NULL from its cache */
	bool symtab_from_debug_file; /* the executable has none; the debug file's is used */
	int ntried;
	const struct gobin_debug_try *tried; /* in the order looked at */
};

/**
 * gobin__open() - open a Go executable
 * @path: the file; /proc/PID/exe works
 * @opts: where else to look for DWARF; NULL for the defaults
 * @out: the gobin, on success; close it with gobin__close()
 * @err: a one-line reason, on failure
 *
 * When the executable holds no DWARF, it is looked for in this order:
 * opts->debuginfo, the build-id tree, .gnu_debuglink, debuginfod (when
 * DEBUGINFOD_URLS is set); not finding any is not an error.
 *
 * Return: 0; -errno of open(2); -EINVAL (not a regular ELF executable, a
 * damaged file, a --debuginfo file that does not fit); -ENOEXEC (no Go
 * build information: not a Go program); -ENOMEM.
 */
int gobin__open(const char *path, const struct gobin_open_opts *opts, struct gobin **out,
		char *err, size_t errlen);
void gobin__close(struct gobin *gb);

const char *gobin__path(const struct gobin *gb);
const char *gobin__go_version(const struct gobin *gb); /* "go1.26.8" */
const char *gobin__arch(const struct gobin *gb);       /* "amd64", "arm64" */
const char *gobin__abi(const struct gobin *gb);	       /* "register" | "stack" */
const char *gobin__build_id(const struct gobin *gb);   /* Go build ID or "" */
const char *gobin__main_path(const struct gobin *gb);  /* main package path or "" */
bool gobin__has_dwarf(const struct gobin *gb);
/* Where the DWARF came from and where else was looked. */
const struct gobin_debuginfo *gobin__debuginfo(const struct gobin *gb);
/* The same in a few words: "embedded", "debuglink /x/.debug/y.debug", ... */
const char *gobin__dwarf_source(const struct gobin *gb);
/* The executable's GNU build-id in hex, "" if it has none. */
const char *gobin__gnu_build_id(const struct gobin *gb);
bool gobin__has_symtab(const struct gobin *gb);
/* Whether Go's function table (.gopclntab) was found and its header is
 * sound; gobin__func() falls back to it for names the symbol table lacks. */
bool gobin__has_pclntab(const struct gobin *gb);
/* How the function table was found: "section", "moduledata", or NULL. */
const char *gobin__pclntab_how(const struct gobin *gb);
int gobin__nmodules(const struct gobin *gb);
const struct gobin_module *gobin__module(const struct gobin *gb, int i);
/* The version of module path (after replacements), or NULL. */
const char *gobin__module_version(const struct gobin *gb, const char *path);

/**
 * gobin__find_version_after() - a version written after prefix in the
 * read-only data ("grpc-go/" -> "1.33.3"), its digits and dots into out
 * Return: 0, or -ENOENT with the reason in why.
 */
int gobin__find_version_after(const struct gobin *gb, const char *prefix, char *out,
			      size_t outlen, const char **why);

/* Compare two Go version strings ("go1.19.8", "v1.33.3"); <0, 0, >0. */
int gobin__version_cmp(const char *a, const char *b);

/**
 * gobin__index() - index the DWARF entries of the given function and
 * struct names in one pass over the debug info
 *
 * Lookups below only see indexed names. Return: 0; -ENODATA (no DWARF),
 * -EINVAL (damaged DWARF), -ENOMEM; the reason in why.
 */
int gobin__index(struct gobin *gb, const char *const *funcs, int nfuncs,
		 const char *const *structs, int nstructs, const char **why);

/**
 * gobin__func() - resolve a function by its symbol name: from the symbol
 * table, else from Go's function table (fn->source tells which)
 * Return: 0; -ENOENT (no such function), -ENODATA (neither table),
 * -EINVAL, -EFAULT (it cannot be read), -ENOMEM; the reason in why.
 */
int gobin__func(struct gobin *gb, const char *name, const struct gobin_func **out,
		const char **why);

/**
 * gobin__struct_size() - byte size of a struct type, by its DWARF name
 * Return: 0; -ENODATA (no DWARF), -ENOENT (no such type), -EINVAL; the
 * reason in why.
 */
int gobin__struct_size(struct gobin *gb, const char *type, uint64_t *size, const char **why);

/**
 * gobin__member() - offset of a member inside a struct
 * @path: may be dotted through embedded or nested structs held by value
 *        ("HeadersFrame.FrameHeader.StreamID"); it never crosses a pointer
 * @size: the member's byte size
 *
 * Return: 0; -ENODATA (no DWARF), -ENOENT (no such type), -ESRCH (the type
 * has no such member), -EINVAL (damaged), -ERANGE (outside the struct);
 * the reason in why.
 */
int gobin__member(struct gobin *gb, const char *type, const char *path, uint64_t *offset,
		  uint64_t *size, const char **why);

/* A member of interface type found by gobin__iface_members: which of the
 * types asked for holds it, and where. */
struct gobin_iface_member {
	int type;	 /* index into the types asked for */
	uint64_t offset; /* within the struct; the whole interface value lies inside it */
};

/**
 * gobin__iface_members() - the members of the named struct types (DWARF
 * names, "pkg/path.Type") whose type is the interface iface ("net.Conn"),
 * directly or through typedefs: at most max into out, the others counted
 * in dropped; one pass over the DWARF
 * Return: 0; -ENODATA (no DWARF), -EINVAL, -ENOMEM; the reason in why.
 */
int gobin__iface_members(struct gobin *gb, const char *const *types, int ntypes, const char *iface,
			 struct gobin_iface_member *out, int max, int *nout, int *dropped,
			 const char **why);

/* The address of an itab, by "concrete,interface" with full package paths
 * ("*crypto/tls.Conn,net.Conn"): the symbol table's go:itab. or go.itab.
 * symbol, else the one itab of the runtime's list (gobin__itabs) whose
 * names and package paths match. source says which: "symtab" or
 * "itablinks". Return: 0; GOBIN_ITAB_ABSENT; -ENODATA (it cannot be told);
 * -EINVAL, -ENOMEM; the reason in why. */
int gobin__itab(struct gobin *gb, const char *pair, uint64_t *addr, const char **source,
		const char **why);

/* gobin__itab's answer when the binary has no such itab for certain: the
 * symbol table lists itabs but not this one, or the runtime's list was
 * read whole without it. Any other error means it could not be told
 * (-ENODATA: no itab symbols and no readable itab list). */
#define GOBIN_ITAB_ABSENT (-ENOENT)

/* One itab of the runtime's own list (the module data's itablinks), named
 * as the runtime names types: package names, not paths ("*tls.Conn",
 * "net.Conn"). A package path comes from the type's uncommon part
 * ("crypto/tls"; "" for a type without one) or is NULL when this reader
 * does not know where that part is for the type's kind (maps). */
struct gobin_itab {
	uint64_t addr;
	const char *concrete, *iface;
	const char *concrete_pkg, *iface_pkg;
};

/* The runtime's itab list, decoded once and owned by gb. Return: 0;
 * -ENODATA (no module data, a layout not known, a damaged list), -ENOMEM;
 * the reason in why. */
int gobin__itabs(struct gobin *gb, const struct gobin_itab **v, size_t *n, const char **why);

/* Translate a virtual address into an offset in the file, for uprobes.
 * Return: 0, or -ENOENT with the reason in why. */
int gobin__file_offset(const struct gobin *gb, uint64_t vaddr, uint64_t *off, const char **why);

/* Position-independent (ET_DYN): loaded at a bias the kernel chooses. */
bool gobin__is_pie(const struct gobin *gb);
/* The link address of the first loadable segment, page-aligned. */
uint64_t gobin__load_base(const struct gobin *gb);
/* The read-only data section (.rodata) at its link-time addresses,
 * [*lo, *hi): 0, or -ENOENT (none, or it is writable) with the reason in
 * why. Its bytes never change while the program runs, so the probes may
 * send the address of a string there and user space read it from the file. */
int gobin__rodata_range(const struct gobin *gb, uint64_t *lo, uint64_t *hi, const char **why);
/* The len bytes at link-time address vaddr, from the file, when they lie
 * wholly in the read-only data; else NULL. */
const uint8_t *gobin__rodata_bytes(const struct gobin *gb, uint64_t vaddr, uint64_t len);
/* The len bytes at link-time address vaddr, from the file, when they lie
 * in one loadable segment's file bytes; else NULL. Valid as long as gb. */
const uint8_t *gobin__image_bytes(const struct gobin *gb, uint64_t vaddr, uint64_t len);

/* What differs between the machines the reader knows (dwarf/machine.c):
 * amd64 and arm64. Facts, not code: a value read from a binary is checked
 * against these before it is used. */
struct gobin_machine {
	const char *goarch;		/* "amd64", "arm64" */
	unsigned elf_machine;		/* EM_X86_64, EM_AARCH64 */
	const char *register_abi_since; /* the Go release that passes arguments in registers */
	int dwarf_sp;			/* DWARF number of the stack pointer */
	int64_t entry_cfa;		/* the CFA minus SP at a function's entry */
	int max_value_reg;		/* highest DWARF register that can hold an argument */
	uint64_t user_end;		/* user addresses lie below it */
	const char *const *reg_names;	/* by DWARF number, as disassemblers write them */
	int nreg_names;
	int template_id; /* GO_MACHINE of the BPF templates (common.bpf.h) */
};

/* The binary's machine, or NULL for one the reader does not know (its
 * functions are then probed at their entries, RETs unknown, and nothing
 * is rendered). */
const struct gobin_machine *gobin__machine(const struct gobin *gb);
const struct gobin_machine *gobin__machine_of_elf(unsigned elf_machine);
const struct gobin_machine *gobin__machine_named(const char *goarch);
/* The machine this program was built for: the only one it can trace live. */
const struct gobin_machine *gobin__machine_native(void);
/* A DWARF register's name ("rax", "x0"), or NULL. */
const char *gobin__machine_reg_name(const struct gobin_machine *m, int dwarf_reg);

#endif
