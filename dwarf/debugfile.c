/* debugfile.c - the DWARF of an executable that holds none, from a separate
 * debug file as distributions ship it (objcopy --only-keep-debug). Looked
 * for in this order: --debuginfo FILE; <debugdir>/.build-id/xx/yyyy.debug;
 * the .gnu_debuglink name next to the executable, in its .debug/ and under
 * <debugdir>/<its directory>/ (CRC32 checked); debuginfod.
 *
 * A file is used only when it is an ELF file of the same class and machine,
 * holds a .debug_info with contents (Go compresses it: libdw inflates
 * SHF_COMPRESSED sections) and, where both files carry one, has the same
 * GNU build-id and the same Go build ID. Every place looked at before the
 * one used is recorded with the reason it was passed over.
 */
#include "debugfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_DEBUG_DIR "/usr/lib/debug"
#define CRC_CHUNK (1 << 20)

static void tried(struct debugfile *df, const char *source, const char *file, const char *why)
{
	struct gobin_debug_try *grown;

	grown = realloc(df->tried, (size_t)(df->info.ntried + 1) * sizeof(*grown));
	if (!grown)
		return; /* the list is a diagnostic: losing an entry is harmless */
	df->tried = grown;
	df->tried[df->info.ntried++] = (struct gobin_debug_try){
		.source = source,
		.file = file ? notes__add(df->notes, "%s", file) : NULL,
		.why = why,
	};
	df->info.tried = df->tried;
}

/* CRC-32 of the whole file, the one .gnu_debuglink records (reflected
 * polynomial 0xedb88320, as in zlib and gzip). */
static int file_crc32(int fd, uint32_t *out)
{
	uint32_t table[256], crc = 0xffffffffu;
	unsigned char *buf;
	off_t off = 0;
	ssize_t n;

	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
	buf = malloc(CRC_CHUNK);
	if (!buf)
		return -ENOMEM;
	while ((n = pread(fd, buf, CRC_CHUNK, off)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			crc = table[(crc ^ buf[i]) & 0xff] ^ (crc >> 8);
		off += n;
	}
	free(buf);
	if (n < 0)
		return -errno;
	*out = ~crc;
	return 0;
}

static bool has_debug_info(Elf *elf)
{
	GElf_Shdr sh;

	if (!elf__section(elf, ".debug_info", &sh) &&
	    !elf__section(elf, ".zdebug_info", &sh))
		return false;
	return sh.sh_type != SHT_NOBITS && sh.sh_size > 0;
}

/* The ids of the debug file must match the executable's where both have
 * one: a debug file of another build has other addresses. */
static const char *check_ids(struct debugfile *df, Elf *elf)
{
	const void *desc;
	size_t n;

	if (*df->gnu_build_id && elf__note(elf, "GNU", NT_GNU_BUILD_ID, &desc, &n)) {
		char hex[2 * GOBIN_MAX_BUILD_ID + 1] = "";

		for (size_t i = 0; i < n && i < GOBIN_MAX_BUILD_ID; i++)
			snprintf(hex + 2 * i, 3, "%02x", ((const unsigned char *)desc)[i]);
		if (n > GOBIN_MAX_BUILD_ID || strcmp(hex, df->gnu_build_id) != 0)
			return notes__add(df->notes,
					   "its GNU build-id %s%s differs from the executable's %s "
					   "(the debug file of another build?)",
					   hex, n > GOBIN_MAX_BUILD_ID ? "..." : "", df->gnu_build_id);
	}
	/* Go 1.19 writes no GNU build-id, but every Go binary has a Go build
	 * ID, and objcopy --only-keep-debug keeps note contents. */
	if (*df->go_build_id && elf__note(elf, "Go", 4, &desc, &n)) {
		size_t len = strlen(df->go_build_id);

		if (n < len || memcmp(desc, df->go_build_id, len) != 0 ||
		    (n > len && len < GO_BUILD_ID_LEN - 1))
			return "its Go build ID differs from the executable's "
			       "(the debug file of another build?)";
	}
	return NULL;
}

static const char *check_elf(struct debugfile *df, Elf *elf, uint64_t size)
{
	GElf_Ehdr eh;
	const char *why;

	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh))
		return "not an ELF file";
	if (eh.e_ident[EI_CLASS] != df->exe->ehdr.e_ident[EI_CLASS] ||
	    eh.e_ident[EI_DATA] != df->exe->ehdr.e_ident[EI_DATA] ||
	    eh.e_machine != df->exe->ehdr.e_machine)
		return "an ELF file of another machine";
	if (elf__check_sections(elf, &eh, size, &why))
		return why;
	if (!has_debug_info(elf))
		return "no .debug_info in it";
	return check_ids(df, elf);
}

/* Use the open file fd (taken over) for the DWARF if it fits: NULL, or
 * the reason it does not. crc, when given, is what .gnu_debuglink says. */
static const char *try_fd(struct debugfile *df, const char *source, const char *path, int fd,
			  const uint32_t *crc)
{
	struct stat st, exe;
	const char *why = NULL;
	Elf *elf = NULL;
	Dwarf *dw;
	uint32_t got = 0;
	int ret;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		why = "not a regular file";
		goto fail;
	}
	if (fstat(df->exe->fd, &exe) == 0 && st.st_dev == exe.st_dev && st.st_ino == exe.st_ino) {
		why = "the executable itself";
		goto fail;
	}
	if (crc) {
		ret = file_crc32(fd, &got);
		if (ret) {
			why = notes__add(df->notes, "cannot read it: %s", strerror(-ret));
			goto fail;
		}
		if (got != *crc) {
			why = notes__add(df->notes,
					  "its CRC32 %08x is not the %08x .gnu_debuglink names "
					  "(the debug file of another build?)",
					  got, *crc);
			goto fail;
		}
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	why = check_elf(df, elf, (uint64_t)st.st_size);
	if (why)
		goto fail;
	dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	if (!dw) {
		why = notes__add(df->notes, "libdw cannot read its DWARF: %s", dwarf_errmsg(-1));
		goto fail;
	}
	df->dw = dw;
	df->elf = elf;
	df->fd = fd;
	df->info.source = source;
	df->info.file = notes__add(df->notes, "%s", path);
	return NULL;
fail:
	if (elf)
		elf_end(elf);
	close(fd);
	return why;
}

static const char *try_path(struct debugfile *df, const char *source, const char *path,
			    const uint32_t *crc)
{
	/* O_NONBLOCK: a FIFO planted under the name must not hang us. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return errno == ENOENT ? "no such file" : notes__add(df->notes, "%s", strerror(errno));
	return try_fd(df, source, path, fd, crc);
}

/* Try one candidate of a lookup; false (and a record) when not used. */
static bool candidate(struct debugfile *df, const char *source, const char *path,
		      const uint32_t *crc)
{
	const char *why = try_path(df, source, path, crc);

	if (why)
		tried(df, source, path, why);
	return !why;
}

static bool by_build_id(struct debugfile *df, const char *const *dirs, int ndirs)
{
	const char *id = df->gnu_build_id;
	char path[PATH_MAX];

	if (strlen(id) < 4) {
		tried(df, "build-id", NULL,
		      *id ? "the GNU build-id is too short" : "the executable has no GNU build-id");
		return false;
	}
	for (int i = 0; i < ndirs; i++) {
		int n = snprintf(path, sizeof(path), "%s/.build-id/%.2s/%s.debug", dirs[i], id, id + 2);

		if (n < 0 || (size_t)n >= sizeof(path))
			tried(df, "build-id", NULL, "the path of the debug file is too long");
		else if (candidate(df, "build-id", path, NULL))
			return true;
	}
	return false;
}

/* The directory of the executable as its process sees it (for a running
 * process, the target of /proc/PID/exe), and the prefix that reaches that
 * process's root from here (/proc/PID/root for a process in another mount
 * namespace, else ""). */
static void exe_dir(const struct debugfile *df, char *root, size_t rootlen, char *dir,
		    size_t dirlen)
{
	char buf[PATH_MAX], *slash;
	struct stat ours, theirs;
	int pid, end = 0;
	ssize_t n;

	root[0] = '\0';
	if (sscanf(df->exe->path, "/proc/%d/exe%n", &pid, &end) == 1 && df->exe->path[end] == '\0' &&
	    (n = readlink(df->exe->path, buf, sizeof(buf) - 1)) > 0) {
		/* The kernel appends " (deleted)" to an unlinked executable's
		 * name; it only touches the last component, which we drop. */
		buf[n] = '\0';
		snprintf(root, rootlen, "/proc/%d/root", pid);
		if (stat(root, &theirs) == 0 && stat("/", &ours) == 0 &&
		    theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino)
			root[0] = '\0';
	} else if (!realpath(df->exe->path, buf)) {
		snprintf(buf, sizeof(buf), "%s", df->exe->path);
	}
	slash = strrchr(buf, '/');
	if (!slash)
		snprintf(buf, sizeof(buf), ".");
	else if (slash == buf)
		buf[1] = '\0';
	else
		*slash = '\0';
	snprintf(dir, dirlen, "%s", buf);
}

/* .gnu_debuglink: a file name, NUL, padding to 4, the CRC32 in the file's
 * byte order. */
static const char *read_debuglink(struct debugfile *df, const char **name, uint32_t *crc)
{
	GElf_Shdr sh;
	Elf_Scn *scn = elf__section(df->exe->elf, ".gnu_debuglink", &sh);
	Elf_Data *data;
	const unsigned char *d, *c;
	size_t len, at;

	if (!scn)
		return "the executable has no .gnu_debuglink";
	data = elf_getdata(scn, NULL);
	if (!data || !data->d_buf || data->d_size == 0)
		return "unreadable .gnu_debuglink";
	d = data->d_buf;
	len = strnlen((const char *)d, data->d_size);
	at = (len + 4) & ~(size_t)3;
	if (len == 0 || len == data->d_size || at + 4 > data->d_size)
		return "malformed .gnu_debuglink";
	/* A name, not a path: the binary must not steer us elsewhere. */
	if (memchr(d, '/', len) || strcmp((const char *)d, ".") == 0 ||
	    strcmp((const char *)d, "..") == 0)
		return notes__add(df->notes, ".gnu_debuglink names a path, not a file name: %.64s",
				   (const char *)d);
	c = d + at;
	*crc = df->exe->ehdr.e_ident[EI_DATA] == ELFDATA2MSB
		       ? (uint32_t)c[0] << 24 | (uint32_t)c[1] << 16 | (uint32_t)c[2] << 8 | c[3]
		       : (uint32_t)c[3] << 24 | (uint32_t)c[2] << 16 | (uint32_t)c[1] << 8 | c[0];
	*name = (const char *)d;
	return NULL;
}

/* Try top + dir + "/" + sub + name, when that fits into a path. */
static bool debuglink_at(struct debugfile *df, const char *top, const char *dir, const char *sub,
			 const char *name, const uint32_t *crc)
{
	char path[PATH_MAX];
	int n;

	/* The root directory joins as "" so that no path starts with "//". */
	n = snprintf(path, sizeof(path), "%s%s/%s%s", top, strcmp(dir, "/") ? dir : "", sub, name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		tried(df, "debuglink", NULL, "the path of the debug file is too long");
		return false;
	}
	return candidate(df, "debuglink", path, crc);
}

static bool by_debuglink(struct debugfile *df, const char *const *dirs, int ndirs)
{
	char root[64], dir[PATH_MAX];
	const char *name = NULL, *why;
	uint32_t crc = 0;

	why = read_debuglink(df, &name, &crc);
	if (why) {
		tried(df, "debuglink", NULL, why);
		return false;
	}
	exe_dir(df, root, sizeof(root), dir, sizeof(dir));
	if (debuglink_at(df, root, dir, "", name, &crc) ||
	    debuglink_at(df, root, dir, ".debug/", name, &crc))
		return true;
	/* <debugdir>/<the executable's directory>/name, e.g.
	 * /usr/lib/debug/usr/bin/foo.debug: the debug tree is ours. */
	for (int i = 0; i < ndirs; i++)
		if (debuglink_at(df, dirs[i], dir, "", name, &crc))
			return true;
	return false;
}

static bool by_debuginfod(struct debugfile *df)
{
	const char *urls = getenv("DEBUGINFOD_URLS"), *path, *url, *why;
	int fd;

	if (!urls || !*urls) {
		tried(df, "debuginfod", NULL, "DEBUGINFOD_URLS is not set");
		return false;
	}
	if (!*df->gnu_build_id) {
		tried(df, "debuginfod", NULL, "the executable has no GNU build-id");
		return false;
	}
	fd = debuginfod__fetch(df->gnu_build_id, df->notes, &path, &url, &why);
	if (fd < 0) {
		tried(df, "debuginfod", NULL, why);
		return false;
	}
	why = try_fd(df, "debuginfod", path, fd, NULL);
	if (why) {
		tried(df, "debuginfod", path, why);
		return false;
	}
	df->info.url = url;
	return true;
}

static void summarize(struct debugfile *df)
{
	const struct gobin_debuginfo *d = &df->info;

	if (!d->file || strcmp(d->source, "embedded") == 0)
		df->summary = d->source;
	else if (d->url)
		df->summary = notes__add(df->notes, "%s %s (%s)", d->source, d->url, d->file);
	else
		df->summary = notes__add(df->notes, "%s %s", d->source, d->file);
}

int debugfile__find(struct debugfile *df, const struct elfimage *exe, bool exe_has_dwarf,
		    const char *gnu_build_id, const char *go_build_id,
		    const struct gobin_open_opts *opts, struct notes *notes, char *err,
		    size_t errlen)
{
	static const char *const default_dirs[] = {DEFAULT_DEBUG_DIR};
	const char *const *dirs = default_dirs;
	int ndirs = 1;

	*df = (struct debugfile){.exe = exe, .gnu_build_id = gnu_build_id,
				 .go_build_id = go_build_id, .notes = notes, .fd = -1};
	if (opts && opts->ndebug_dirs > 0) {
		dirs = opts->debug_dirs;
		ndirs = opts->ndebug_dirs;
	}
	df->info.source = "none";
	if (exe_has_dwarf) {
		df->info.source = "embedded";
		df->info.file = exe->path;
		if (opts && opts->debuginfo)
			tried(df, "--debuginfo", opts->debuginfo,
			      "not needed: the executable has DWARF of its own");
	} else if (opts && opts->debuginfo) {
		/* Asked for by name: a file that does not fit is an error. */
		const char *why = try_path(df, "--debuginfo", opts->debuginfo, NULL);

		if (why) {
			snprintf(err, errlen, "--debuginfo %s: %s", opts->debuginfo, why);
			return -EINVAL;
		}
	} else if (!by_build_id(df, dirs, ndirs) && !by_debuglink(df, dirs, ndirs)) {
		by_debuginfod(df);
	}
	summarize(df);
	return 0;
}

void debugfile__close(struct debugfile *df)
{
	if (df->elf)
		elf_end(df->elf);
	if (df->fd >= 0)
		close(df->fd);
	free(df->tried);
	df->elf = NULL;
	df->fd = -1;
	df->tried = NULL;
}
