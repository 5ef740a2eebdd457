/* buildinfo.h - what the Go linker wrote about the build: the Go release
 * and the module list (.go.buildinfo). Stands on the ELF image only. */
#ifndef BUILDINFO_H
#define BUILDINFO_H

#include "elfimage.h"
#include "gobin.h"

struct buildinfo {
	char go_version[64]; /* "go1.26.8" */
	char *main_path;     /* the main package's path, or NULL */
	struct gobin_module *modules;
	int nmodules;
	char *modinfo; /* backing store of the module strings */
};

/**
 * buildinfo__read() - read the build information of img into bi
 * Return: 0; -ENOENT (none: not a Go program), -EINVAL (damaged), -EIO,
 * -ENOMEM. bi must be freed with buildinfo__free either way.
 */
int buildinfo__read(struct buildinfo *bi, const struct elfimage *img);
void buildinfo__free(struct buildinfo *bi);

/**
 * buildinfo__version_after() - a version written after prefix in the
 * read-only data ("grpc-go/" -> "1.33.3"): its digits and dots into out
 * Return: 0, or -ENOENT when prefix is never followed by a digit.
 */
int buildinfo__version_after(const struct elfimage *img, const char *prefix, char *out,
			     size_t outlen);

#endif
