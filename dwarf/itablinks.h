/* itablinks.h - the runtime's own list of itabs, read from the module data
 * (found with Go's function table) and the type data of the ELF image:
 * for binaries whose symbol table names no itab. Internal to the reader. */
#ifndef ITABLINKS_H
#define ITABLINKS_H

#include "elfimage.h"
#include "gobin.h"
#include "notes.h"
#include "pclntab.h"

struct itablist;

/**
 * itablinks__read() - decode the runtime's itab list of img
 * @pcln: the function table, which knows where the module data is (NULL: none)
 * @go_version: the binary's Go release ("go1.26.8"); the layout depends on it
 * @notes: keeps the reasons given out later
 *
 * Return: the list, whose own error (itablinks__list) says when it could
 * not be read; NULL only when out of memory.
 */
struct itablist *itablinks__read(const struct elfimage *img, const struct pclntab *pcln,
				 const char *go_version, struct notes *notes);
void itablinks__free(struct itablist *it);

/**
 * itablinks__list() - every itab of the list, as the runtime names them
 * Return: 0; -ENODATA with the reason in why (no module data, a layout not
 * known, a damaged list); -ENOMEM.
 */
int itablinks__list(const struct itablist *it, const struct gobin_itab **v, size_t *n,
		    const char **why);

/**
 * itablinks__find() - the one itab of the list for "concrete,interface",
 * named with full package paths ("*crypto/tls.Conn,net.Conn")
 * Return: 0; -ENOENT (not in the list), -ENODATA (no list, or ambiguous),
 * -EINVAL (not a pair), -ENOMEM; the reason always in why.
 */
int itablinks__find(const struct itablist *it, const char *pair, struct notes *notes,
		    uint64_t *addr, const char **why);

#endif
