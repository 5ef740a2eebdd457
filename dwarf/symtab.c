/* symtab.c - read an ELF symbol table. */
#include "symtab.h"

#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

int symtab__load(struct symtab *tab, Elf *elf)
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
	tab->v = calloc(count ? count : 1, sizeof(*tab->v));
	if (!tab->v || strmap__init(&tab->names, count))
		return -ENOMEM;
	tab->loaded = true;
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
		tab->v[tab->n].value = sym.st_value;
		tab->v[tab->n].size = sym.st_size;
		if (strmap__put_first(&tab->names, name, tab->n))
			return -ENOMEM;
		tab->n++;
		if (strncmp(name, "go:itab.", 8) == 0 || strncmp(name, "go.itab.", 8) == 0)
			tab->nitab++;
	}
	return 0;
}

void symtab__free(struct symtab *tab)
{
	strmap__free(&tab->names);
	free(tab->v);
	*tab = (struct symtab){0};
}

const struct symtab_sym *symtab__get(const struct symtab *tab, const char *name)
{
	uint64_t i;

	if (!tab->v || !strmap__get(&tab->names, name, &i))
		return NULL;
	return &tab->v[i];
}
