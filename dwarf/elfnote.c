/* elfnote.c - find an ELF note by owner and type: through the SHT_NOTE
 * sections, else through the PT_NOTE program headers (a binary whose
 * section headers were removed still has those). */
#include "elfimage.h"

#include <string.h>

/* The owner name, NUL-padded: Go writes "Go\0\0" with n_namesz 4. */
static bool owner_is(const char *name, size_t namesz, const char *owner)
{
	size_t olen = strlen(owner);

	if (namesz <= olen || memcmp(name, owner, olen) != 0)
		return false;
	for (size_t i = olen; i < namesz; i++)
		if (name[i])
			return false;
	return true;
}

/* Look through one block of notes; desc points into data. */
static bool find_in(Elf_Data *data, const char *owner, uint32_t type, const void **desc,
		    size_t *len)
{
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nhdr;

	while ((off = gelf_getnote(data, off, &nhdr, &name_off, &desc_off)) > 0) {
		if (nhdr.n_type != type ||
		    !owner_is((const char *)data->d_buf + name_off, nhdr.n_namesz, owner))
			continue;
		*desc = (const char *)data->d_buf + desc_off;
		*len = nhdr.n_descsz;
		return true;
	}
	return false;
}

bool elf__note(Elf *elf, const char *owner, uint32_t type, const void **desc, size_t *len)
{
	Elf_Scn *scn = NULL;
	size_t nphdrs;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr shdr;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (data && find_in(data, owner, type, desc, len))
			return true;
	}
	if (elf_getphdrnum(elf, &nphdrs) != 0)
		return false;
	for (size_t i = 0; i < nphdrs; i++) {
		GElf_Phdr ph;
		Elf_Data *data;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_NOTE || ph.p_filesz == 0)
			continue;
		/* libelf checks the chunk lies inside the file. */
		data = elf_getdata_rawchunk(elf, (int64_t)ph.p_offset, ph.p_filesz,
					    ph.p_align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR);
		if (data && find_in(data, owner, type, desc, len))
			return true;
	}
	return false;
}
