/* gobin_internal.h - the gobin object: the facade over the reader's layers,
 * shared by the files that implement gobin.h (gobin.c, func.c,
 * dwarfinfo.c, protodesc.c). The layers below (elfimage, symtab,
 * buildinfo, pclntab, itablinks, debugfile, prologue) never see it. */
#ifndef GOBIN_INTERNAL_H
#define GOBIN_INTERNAL_H

#include "buildinfo.h"
#include "debugfile.h"
#include "elfimage.h"
#include "gobin.h"
#include "itablinks.h"
#include "notes.h"
#include "pclntab.h"
#include "strmap.h"
#include "symtab.h"

#include <elfutils/libdw.h>

struct gobin {
	char *path;
	struct elfimage img;
	struct symtab syms;
	struct buildinfo bi;
	struct debugfile dbg; /* where the DWARF came from */
	Dwarf *dw; /* the executable's or the debug file's; NULL when neither has any */
	char gnu_build_id[2 * GOBIN_MAX_BUILD_ID + 1]; /* hex, "" if none */
	char build_id[GO_BUILD_ID_LEN];		      /* Go's, "" if none */

	struct strmap dies; /* wanted name -> DIE offset + 1 (0 = not found) */
	bool indexed;

	struct pclntab *pclntab; /* Go's function table, NULL if none */
	struct itablist *itabs;	 /* the runtime's itab list, once read */

	struct gobin_func **funcs; /* resolved functions, cached */
	int nfuncs;

	struct notes notes; /* strings owned by gb: reasons, names */
};

/* Keep a formatted string alive as long as gb; returns it (or a static
 * fallback when out of memory). */
#define gobin__note(gb, ...) notes__add(&(gb)->notes, __VA_ARGS__)

/* dwarfinfo.c: fill params of fn from DWARF. */
void gobin__read_params(struct gobin *gb, struct gobin_func *fn);

#endif
