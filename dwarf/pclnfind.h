/* pclnfind.h - where Go's function table lies in the ELF image. Internal
 * to the reader. */
#ifndef PCLNFIND_H
#define PCLNFIND_H

#include "elfimage.h"

#include <stdbool.h>
#include <stdint.h>

/* Where the table lies in the target's address space. */
struct pclntab_place {
	uint64_t vaddr;	 /* of the pcHeader */
	uint64_t len;	 /* bytes of table from vaddr */
	uint64_t text;	 /* runtime.text by the module data; valid if have_text */
	uint64_t moduledata; /* where the module data is; valid if have_text */
	bool have_text;	 /* the module data was found */
	const char *how; /* "section" or "moduledata" */
};

/* Locate the table of img: the .gopclntab section when there is one, else
 * a pcHeader found by its magic in a read-only segment whose address the
 * runtime's module data (runtime.firstmoduledata) holds. Fills pl; the
 * module data, when found, also gives the start of the text.
 * Returns 0 or -ENOENT. */
int pclnfind__locate(const struct elfimage *img, struct pclntab_place *pl);

#endif
