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
#include "gobin_internal.h"

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

static void tried(struct gobin *gb, const char *source, const char *file, const char *why)
{
	struct gobin_debug_try *grown;

	grown = realloc(gb->tried, (size_t)(gb->dbg.ntried + 1) * sizeof(*grown));
	if (!grown)
		return; /* the list is a diagnostic: losing an entry is harmless */
	gb->tried = grown;
	gb->tried[gb->dbg.ntried++] = (struct gobin_debug_try){
		.source = source,
		.file = file ? gobin__note(gb, "%s", file) : NULL,
		.why = why,
	};
	gb->dbg.tried = gb->tried;
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

	if (!gobin__elf_section(elf, ".debug_info", &sh) &&
	    !gobin__elf_section(elf, ".zdebug_info", &sh))
		return false;
	return sh.sh_type != SHT_NOBITS && sh.sh_size > 0;
}

/* The ids of the debug file must match the executable's where both have
 * one: a debug file of another build has other addresses. */
static const char *check_ids(struct gobin *gb, Elf *elf)
{
	const void *desc;
	size_t n;

	if (*gb->gnu_build_id && gobin__elf_note(elf, "GNU", NT_GNU_BUILD_ID, &desc, &n)) {
		char hex[2 * GOBIN_MAX_BUILD_ID + 1] = "";

		for (size_t i = 0; i < n && i < GOBIN_MAX_BUILD_ID; i++)
			snprintf(hex + 2 * i, 3, "%02x", ((const unsigned char *)desc)[i]);
		if (n > GOBIN_MAX_BUILD_ID || strcmp(hex, gb->gnu_build_id) != 0)
			return gobin__note(gb,
					   "its GNU build-id %s%s differs from the executable's %s "
					   "(the debug file of another build?)",
					   hex, n > GOBIN_MAX_BUILD_ID ? "..." : "", gb->gnu_build_id);
	}
	/* Go 1.19 writes no GNU build-id, but every Go binary has a Go build
	 * ID, and objcopy --only-keep-debug keeps note contents. */
	if (*gb->build_id && gobin__elf_note(elf, "Go", 4, &desc, &n)) {
		size_t len = strlen(gb->build_id);

		if (n < len || memcmp(desc, gb->build_id, len) != 0 ||
		    (n > len && len < sizeof(gb->build_id) - 1))
			return "its Go build ID differs from the executable's "
			       "(the debug file of another build?)";
	}
	return NULL;
}

static const char *check_elf(struct gobin *gb, Elf *elf, uint64_t size)
{
	GElf_Ehdr eh;
	const char *why;

	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh))
		return "not an ELF file";
	if (eh.e_ident[EI_CLASS] != gb->ehdr.e_ident[EI_CLASS] ||
	    eh.e_ident[EI_DATA] != gb->ehdr.e_ident[EI_DATA] || eh.e_machine != gb->ehdr.e_machine)
		return "an ELF file of another machine";
	why = gobin__check_sections(elf, &eh, size);
	if (why)
		return why;
	if (!has_debug_info(elf))
		return "no .debug_info in it";
	return check_ids(gb, elf);
}

/* Use the open file fd (taken over) for gb's DWARF if it fits: NULL, or
 * the reason it does not. crc, when given, is what .gnu_debuglink says. */
static const char *try_fd(struct gobin *gb, const char *source, const char *path, int fd,
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
	if (fstat(gb->fd, &exe) == 0 && st.st_dev == exe.st_dev && st.st_ino == exe.st_ino) {
		why = "the executable itself";
		goto fail;
	}
	if (crc) {
		ret = file_crc32(fd, &got);
		if (ret) {
			why = gobin__note(gb, "cannot read it: %s", strerror(-ret));
			goto fail;
		}
		if (got != *crc) {
			why = gobin__note(gb,
					  "its CRC32 %08x is not the %08x .gnu_debuglink names "
					  "(the debug file of another build?)",
					  got, *crc);
			goto fail;
		}
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	why = check_elf(gb, elf, (uint64_t)st.st_size);
	if (why)
		goto fail;
	dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	if (!dw) {
		why = gobin__note(gb, "libdw cannot read its DWARF: %s", dwarf_errmsg(-1));
		goto fail;
	}
	gb->dw = dw;
	gb->dbg_elf = elf;
	gb->dbg_fd = fd;
	gb->dbg.source = source;
	gb->dbg.file = gobin__note(gb, "%s", path);
	return NULL;
fail:
	if (elf)
		elf_end(elf);
	close(fd);
	return why;
}

static const char *try_path(struct gobin *gb, const char *source, const char *path,
			    const uint32_t *crc)
{
	/* O_NONBLOCK: a FIFO planted under the name must not hang us. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return errno == ENOENT ? "no such file" : gobin__note(gb, "%s", strerror(errno));
	return try_fd(gb, source, path, fd, crc);
}

/* Try one candidate of a lookup; false (and a record) when not used. */
static bool candidate(struct gobin *gb, const char *source, const char *path, const uint32_t *crc)
{
	const char *why = try_path(gb, source, path, crc);

	if (why)
		tried(gb, source, path, why);
	return !why;
}

static bool by_build_id(struct gobin *gb, const char *const *dirs, int ndirs)
{
	const char *id = gb->gnu_build_id;
	char path[PATH_MAX];

	if (strlen(id) < 4) {
		tried(gb, "build-id", NULL,
		      *id ? "the GNU build-id is too short" : "the executable has no GNU build-id");
		return false;
	}
	for (int i = 0; i < ndirs; i++) {
		int n = snprintf(path, sizeof(path), "%s/.build-id/%.2s/%s.debug", dirs[i], id, id + 2);

		if (n < 0 || (size_t)n >= sizeof(path))
			tried(gb, "build-id", NULL, "the path of the debug file is too long");
		else if (candidate(gb, "build-id", path, NULL))
			return true;
	}
	return false;
}

/* The directory of the executable as its process sees it (for a running
 * process, the target of /proc/PID/exe), and the prefix that reaches that
 * process's root from here (/proc/PID/root for a process in another mount
 * namespace, else ""). */
static void exe_dir(const struct gobin *gb, char *root, size_t rootlen, char *dir, size_t dirlen)
{
	char buf[PATH_MAX], *slash;
	struct stat ours, theirs;
	int pid, end = 0;
	ssize_t n;

	root[0] = '\0';
	if (sscanf(gb->path, "/proc/%d/exe%n", &pid, &end) == 1 && gb->path[end] == '\0' &&
	    (n = readlink(gb->path, buf, sizeof(buf) - 1)) > 0) {
		/* The kernel appends " (deleted)" to an unlinked executable's
		 * name; it only touches the last component, which we drop. */
		buf[n] = '\0';
		snprintf(root, rootlen, "/proc/%d/root", pid);
		if (stat(root, &theirs) == 0 && stat("/", &ours) == 0 &&
		    theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino)
			root[0] = '\0';
	} else if (!realpath(gb->path, buf)) {
		snprintf(buf, sizeof(buf), "%s", gb->path);
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
static const char *read_debuglink(struct gobin *gb, const char **name, uint32_t *crc)
{
	GElf_Shdr sh;
	Elf_Scn *scn = gobin__elf_section(gb->elf, ".gnu_debuglink", &sh);
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
		return gobin__note(gb, ".gnu_debuglink names a path, not a file name: %.64s",
				   (const char *)d);
	c = d + at;
	*crc = gb->ehdr.e_ident[EI_DATA] == ELFDATA2MSB
		       ? (uint32_t)c[0] << 24 | (uint32_t)c[1] << 16 | (uint32_t)c[2] << 8 | c[3]
		       : (uint32_t)c[3] << 24 | (uint32_t)c[2] << 16 | (uint32_t)c[1] << 8 | c[0];
	*name = (const char *)d;
	return NULL;
}

/* Try top + dir + "/" + sub + name, when that fits into a path. */
static bool debuglink_at(struct gobin *gb, const char *top, const char *dir, const char *sub,
			 const char *name, const uint32_t *crc)
{
	char path[PATH_MAX];
	int n;

	/* The root directory joins as "" so that no path starts with "//". */
	n = snprintf(path, sizeof(path), "%s%s/%s%s", top, strcmp(dir, "/") ? dir : "", sub, name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		tried(gb, "debuglink", NULL, "the path of the debug file is too long");
		return false;
	}
	return candidate(gb, "debuglink", path, crc);
}

static bool by_debuglink(struct gobin *gb, const char *const *dirs, int ndirs)
{
	char root[64], dir[PATH_MAX];
	const char *name = NULL, *why;
	uint32_t crc = 0;

	why = read_debuglink(gb, &name, &crc);
	if (why) {
		tried(gb, "debuglink", NULL, why);
		return false;
	}
	exe_dir(gb, root, sizeof(root), dir, sizeof(dir));
	if (debuglink_at(gb, root, dir, "", name, &crc) ||
	    debuglink_at(gb, root, dir, ".debug/", name, &crc))
		return true;
	/* <debugdir>/<the executable's directory>/name, e.g.
	 * /usr/lib/debug/usr/bin/foo.debug: the debug tree is ours. */
	for (int i = 0; i < ndirs; i++)
		if (debuglink_at(gb, dirs[i], dir, "", name, &crc))
			return true;
	return false;
}

static bool by_debuginfod(struct gobin *gb)
{
	const char *urls = getenv("DEBUGINFOD_URLS"), *path, *url, *why;
	int fd;

	if (!urls || !*urls) {
		tried(gb, "debuginfod", NULL, "DEBUGINFOD_URLS is not set");
		return false;
	}
	if (!*gb->gnu_build_id) {
		tried(gb, "debuginfod", NULL, "the executable has no GNU build-id");
		return false;
	}
	fd = gobin__debuginfod_fetch(gb, gb->gnu_build_id, &path, &url, &why);
	if (fd < 0) {
		tried(gb, "debuginfod", NULL, why);
		return false;
	}
	why = try_fd(gb, "debuginfod", path, fd, NULL);
	if (why) {
		tried(gb, "debuginfod", path, why);
		return false;
	}
	gb->dbg.url = url;
	return true;
}

static void summarize(struct gobin *gb)
{
	const struct gobin_debuginfo *d = &gb->dbg;

	if (!d->file || strcmp(d->source, "embedded") == 0)
		gb->dbg_summary = d->source;
	else if (d->url)
		gb->dbg_summary = gobin__note(gb, "%s %s (%s)", d->source, d->url, d->file);
	else
		gb->dbg_summary = gobin__note(gb, "%s %s", d->source, d->file);
}

int gobin__find_debugfile(struct gobin *gb, const struct gobin_open_opts *opts, char *err,
			  size_t errlen)
{
	static const char *const default_dirs[] = {DEFAULT_DEBUG_DIR};
	const char *const *dirs = default_dirs;
	int ndirs = 1, ret;

	if (opts && opts->ndebug_dirs > 0) {
		dirs = opts->debug_dirs;
		ndirs = opts->ndebug_dirs;
	}
	gb->dbg.source = "none";
	if (gb->dw) {
		gb->dbg.source = "embedded";
		gb->dbg.file = gb->path;
		if (opts && opts->debuginfo)
			tried(gb, "--debuginfo", opts->debuginfo,
			      "not needed: the executable has DWARF of its own");
		goto out;
	}
	if (opts && opts->debuginfo) {
		/* Asked for by name: a file that does not fit is an error. */
		const char *why = try_path(gb, "--debuginfo", opts->debuginfo, NULL);

		if (why) {
			snprintf(err, errlen, "--debuginfo %s: %s", opts->debuginfo, why);
			return -EINVAL;
		}
	} else if (!by_build_id(gb, dirs, ndirs) && !by_debuglink(gb, dirs, ndirs) &&
		   !by_debuginfod(gb)) {
		goto out;
	}
	/* Its symbol table, when the executable has none: the same link's
	 * addresses, and it names the itabs Go's function table cannot. */
	if (!gb->symv) {
		ret = gobin__load_symbols(gb, gb->dbg_elf);
		if (ret == -ENOMEM) {
			snprintf(err, errlen, "out of memory");
			return ret;
		}
		gb->dbg.symtab_from_debug_file = gb->nsyms > 0;
	}
out:
	summarize(gb);
	return 0;
}

void gobin__debugfile_close(struct gobin *gb)
{
	/* gb->dw belongs to dbg_elf then; gobin__close ends it first. */
	if (gb->dbg_elf)
		elf_end(gb->dbg_elf);
	if (gb->dbg_fd >= 0)
		close(gb->dbg_fd);
	free(gb->tried);
	gb->dbg_elf = NULL;
	gb->dbg_fd = -1;
	gb->tried = NULL;
}
