/* kheaders.c - kernel headers for bcc.
 *
 * bcc compiles against a kernel tree (/lib/modules/$(uname -r)/build by
 * default). Debian splits its header packages in two: the source headers
 * (linux-headers-V-common) and the generated ones (linux-headers-V-amd64,
 * -arm64).
 * bcc takes the first through BCC_KERNEL_SOURCE; the generated include
 * directories go in as extra -I flags. A uprobe program reads only
 * struct pt_regs, whose layout does not change between kernel versions,
 * so headers of another version serve.
 */
#include "kheaders.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

/* The machine this tool runs on, which the headers must be for: Debian's
 * name of it (the packages' suffix) and the kernel's (its arch/ folder). */
#if defined(__aarch64__)
#define DEBIAN_ARCH "arm64"
#define KERNEL_ARCH "arm64"
#else
#define DEBIAN_ARCH "amd64"
#define KERNEL_ARCH "x86"
#endif

static bool has_file(const char *dir, const char *rel)
{
	char p[1024];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	return stat(p, &st) == 0;
}

static void add_flag(struct kheaders *kh, const char *gen, const char *rel)
{
	if (kh->ncflags == KHEADERS_MAX_FLAGS)
		return;
	snprintf(kh->flag_store[kh->ncflags], sizeof(kh->flag_store[0]), "-I%s/%s", gen, rel);
	kh->cflags[kh->ncflags] = kh->flag_store[kh->ncflags];
	kh->ncflags++;
}

/* A tree with everything in one place (a kernel build tree). */
static bool use_full_tree(struct kheaders *kh, const char *dir)
{
	if (!has_file(dir, "include/linux/kconfig.h") ||
	    !has_file(dir, "include/generated/autoconf.h"))
		return false;
	snprintf(kh->source, sizeof(kh->source), "%s", dir);
	snprintf(kh->desc, sizeof(kh->desc), "%s", dir);
	return true;
}

/* Debian: DIR is linux-headers-V-ARCH; its -common twin holds the rest. */
static bool use_debian_pair(struct kheaders *kh, const char *gen)
{
	char common[512];
	const char *dash = strrchr(gen, '-');

	if (!dash || !has_file(gen, "include/generated/autoconf.h"))
		return false;
	snprintf(common, sizeof(common), "%.*s-common", (int)(dash - gen), gen);
	if (!has_file(common, "include/linux/kconfig.h"))
		return false;
	snprintf(kh->source, sizeof(kh->source), "%s", common);
	snprintf(kh->desc, sizeof(kh->desc), "%s with %s", common, gen);
	add_flag(kh, gen, "arch/" KERNEL_ARCH "/include/generated/uapi");
	add_flag(kh, gen, "arch/" KERNEL_ARCH "/include/generated");
	add_flag(kh, gen, "include");
	add_flag(kh, gen, "include/generated/uapi");
	return true;
}

static bool use_dir(struct kheaders *kh, const char *dir)
{
	char real[512];

	if (!realpath(dir, real))
		return false;
	return use_full_tree(kh, real) || use_debian_pair(kh, real);
}

/* The newest /usr/src/linux-headers-*-amd64 (-arm64) with its -common twin. */
static bool use_newest_debian(struct kheaders *kh)
{
	DIR *d = opendir("/usr/src");
	struct dirent *de;
	char best[256] = "", path[512];

	if (!d)
		return false;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		const size_t suffix = sizeof("-" DEBIAN_ARCH) - 1;

		if (strncmp(de->d_name, "linux-headers-", 14) != 0 || n < suffix ||
		    strcmp(de->d_name + n - suffix, "-" DEBIAN_ARCH) != 0)
			continue;
		if (strverscmp(de->d_name, best) > 0)
			snprintf(best, sizeof(best), "%s", de->d_name);
	}
	closedir(d);
	if (!*best)
		return false;
	snprintf(path, sizeof(path), "/usr/src/%s", best);
	return use_debian_pair(kh, path);
}

/* bpf_probe_read_user came with Linux 5.5: on such a kernel the template
 * calls it without bcc's look-up of its name (bpf_templates/common.bpf.h);
 * on an older one bcc looks, as it always did. */
static void add_kernel_flags(struct kheaders *kh, const struct utsname *u)
{
	int major = 0, minor = 0;

	if (sscanf(u->release, "%d.%d", &major, &minor) != 2 || major < 5 ||
	    (major == 5 && minor < 5) || kh->ncflags == KHEADERS_MAX_FLAGS)
		return;
	snprintf(kh->flag_store[kh->ncflags], sizeof(kh->flag_store[0]),
		 "-DKERNEL_HAS_PROBE_READ_USER=1");
	kh->cflags[kh->ncflags] = kh->flag_store[kh->ncflags];
	kh->ncflags++;
}

int kheaders__find(struct kheaders *kh, const char *explicit_dir, char *err, size_t errlen)
{
	struct utsname u;
	char build[512];

	memset(kh, 0, sizeof(*kh));
	uname(&u);
	if (explicit_dir) {
		if (use_dir(kh, explicit_dir)) {
			add_kernel_flags(kh, &u);
			return 0;
		}
		snprintf(err, errlen,
			 "%s is not a kernel header tree (no include/linux/kconfig.h and "
			 "include/generated/autoconf.h, nor a Debian linux-headers-*-ARCH "
			 "directory with its -common twin)",
			 explicit_dir);
		return -1;
	}
	snprintf(build, sizeof(build), "/lib/modules/%s/build", u.release);
	if (use_dir(kh, build) || use_newest_debian(kh)) {
		add_kernel_flags(kh, &u);
		return 0;
	}
	snprintf(err, errlen,
		 "no kernel headers found for the BPF compiler (looked in %s and "
		 "/usr/src/linux-headers-*); install them with "
		 "'apt-get install linux-headers-%s' or, when that does not exist, "
		 "'apt-get install linux-headers-" DEBIAN_ARCH "', or pass --kernel-headers DIR",
		 build, u.release);
	return -1;
}
