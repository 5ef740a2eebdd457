/* symtab.h - an ELF symbol table read into a map by name: the executable's,
 * or its debug file's (whose addresses are the same). A leaf of the reader. */
#ifndef SYMTAB_H
#define SYMTAB_H

#include "strmap.h"

#include <libelf.h>
#include <stddef.h>
#include <stdint.h>

struct symtab_sym {
	uint64_t value;
	uint64_t size;
};

struct symtab {
	struct strmap names; /* name -> index into v; keys point into the Elf */
	struct symtab_sym *v;
	size_t n;
	size_t nitab; /* go:itab.* symbols: none since Go 1.27 */
	bool loaded;  /* a symbol table was found and read */
};

/**
 * symtab__load() - read the function and object symbols of elf
 * Return: 0 (also when elf has no symbol table: tab->loaded stays false),
 * -EINVAL (unreadable), -ENOMEM. The names borrow elf's string table: it
 * must outlive tab.
 */
int symtab__load(struct symtab *tab, Elf *elf);
void symtab__free(struct symtab *tab);
/* The symbol called name, or NULL. */
const struct symtab_sym *symtab__get(const struct symtab *tab, const char *name);

#endif
