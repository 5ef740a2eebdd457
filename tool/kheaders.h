/* kheaders.h - find a kernel header tree for bcc's compiler. */
#ifndef KHEADERS_H
#define KHEADERS_H

#include <stddef.h>

#define KHEADERS_MAX_FLAGS 8

struct kheaders {
	char source[512];  /* exported as BCC_KERNEL_SOURCE */
	char desc[600];	   /* what was found, for -v */
	char flag_store[KHEADERS_MAX_FLAGS][600];
	const char *cflags[KHEADERS_MAX_FLAGS];
	int ncflags;
};

/* explicit: --kernel-headers DIR or NULL. Order: DIR, the running kernel's
 * build tree, Debian's split header packages (newest). Returns 0, or -1
 * with the exact thing to install written into err. */
int kheaders__find(struct kheaders *kh, const char *explicit_dir, char *err, size_t errlen);

#endif
