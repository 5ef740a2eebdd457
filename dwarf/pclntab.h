/* pclntab.h - Go's function table (.gopclntab), read from the ELF image
 * alone: function entries and ends by name, and where the runtime's
 * module data is. Internal to the reader. */
#ifndef PCLNTAB_H
#define PCLNTAB_H

#include "elfimage.h"

#include <stdint.h>

struct pclntab;

/**
 * pclntab__load() - find, copy and check the table of img
 * Return: 0 with *out set; -ENOENT (none found), -EPROTONOSUPPORT (Go <
 * 1.16), -EINVAL (implausible header), -EFBIG, -EFAULT, -EIO, -ENOMEM.
 * Failure only means the table is not used (*out is NULL).
 */
int pclntab__load(const struct elfimage *img, struct pclntab **out);
void pclntab__free(struct pclntab *t);

/**
 * pclntab__func() - a function's entry and end by its name
 * @t: the table, or NULL (then -ENOENT)
 * @why: the reason on failure (always set then; a static string)
 * Return: 0; -ENOENT (no such function), -EINVAL (damaged), -ENOMEM.
 */
int pclntab__func(struct pclntab *t, const char *name, uint64_t *entry, uint64_t *end,
		  const char **why);

/* Where the runtime's module data is, and the pointer size; -ENOENT when
 * the table was found without it. */
int pclntab__moduledata(const struct pclntab *t, uint64_t *addr, unsigned *ptrsize);
/* How the table was found: "section", "moduledata"; NULL without one. */
const char *pclntab__how(const struct pclntab *t);

#endif
