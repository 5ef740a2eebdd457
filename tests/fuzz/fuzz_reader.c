/* fuzz_reader.c - libFuzzer target for the whole binary reader, run the
 * way `gogrpctrace --inspect --json FILE` and `--ebpf FILE` run it:
 *
 *   gobin__open -> resolution__run (DWARF index, every probe's function,
 *   parameters, members, itabs) -> the runtime's itab list and lookups in
 *   it -> inspect__print (human and JSON) -> render__program -> gobin__close
 *
 * The input is written to a memfd and opened through /proc/self/fd/N, so
 * the reader sees an ordinary regular file (open, fstat, mmap, pread).
 *
 * Beyond what ASan, UBSan and LeakSanitizer report, the harness aborts on:
 *   - a file descriptor left open by an iteration;
 *   - a mapping of the input file left behind (checked every 1024 runs);
 *   - an error message that is empty or not one line (the tool prints it
 *     as its single stderr line);
 *   - --inspect --json output that is not one valid JSON object;
 *   - a resolution that breaks gobin.h's promises (check_resolution);
 *   - an itab list or itab lookup that breaks them (check_itabs).
 *
 * Build: tests/fuzz/build.sh (clang-14 -fsanitize=fuzzer,address,undefined).
 */
#include "../../dwarf/gobin.h"
#include "../../tool/inspect.h"
#include "../../tool/render.h"
#include "../../tool/resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MEMFD_NAME "gogrpctrace-fuzz-input"
#define FD_SCAN 64

static int input_fd = -1;
static char input_path[64];
static FILE *devnull;
static int fd_base; /* lowest free descriptor before the run */
static unsigned long runs;
static bool check_json = true;
static const char *selftest; /* FUZZ_READER_SELFTEST=fd|mem|json: prove the checks work */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "\n==fuzz_reader== FINDING: %s%s%s\n", what, detail ? ": " : "",
		detail ? detail : "");
	abort();
}

static int lowest_free_fd(void)
{
	int fd = dup(0);

	if (fd < 0) {
		/* stdin closed: the lowest free descriptor is 0 itself */
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die("harness", "cannot probe descriptors");
	}
	close(fd);
	return fd;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	input_fd = memfd_create(MEMFD_NAME, MFD_CLOEXEC);
	if (input_fd < 0) {
		/* no memfd: fall back to a file under /dev/shm */
		char tmpl[] = "/dev/shm/" MEMFD_NAME "-XXXXXX";

		input_fd = mkostemp(tmpl, O_CLOEXEC);
		if (input_fd < 0) {
			perror("fuzz_reader: memfd_create and mkostemp");
			exit(1);
		}
		unlink(tmpl);
	}
	snprintf(input_path, sizeof(input_path), "/proc/self/fd/%d", input_fd);
	devnull = fopen("/dev/null", "we");
	if (!devnull) {
		perror("fuzz_reader: /dev/null");
		exit(1);
	}
	if (getenv("FUZZ_READER_NO_JSON_CHECK"))
		check_json = false;
	selftest = getenv("FUZZ_READER_SELFTEST");
	return 0;
}

static void write_input(const uint8_t *data, size_t size)
{
	size_t done = 0;

	if (ftruncate(input_fd, 0) != 0)
		die("harness", "ftruncate");
	while (done < size) {
		ssize_t n = pwrite(input_fd, data + done, size - done, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("harness", "cannot write the input file");
		done += (size_t)n;
	}
}

/* The tool prints err as "gogrpctrace: <err>\n": it must be one line. */
static void check_err(const char *stage, const char *err)
{
	size_t n = strnlen(err, GOBIN_ERRLEN);

	if (n == GOBIN_ERRLEN)
		die(stage, "error message not NUL-terminated");
	if (n == 0)
		die(stage, "failed with an empty error message");
	if (strchr(err, '\n'))
		die(stage, "error message spans several lines");
}

/* --- a strict, small JSON syntax check (RFC 8259) --- */

struct js {
	const char *p, *end;
	int depth;
};

static void js_ws(struct js *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static bool js_lit(struct js *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return false;
	j->p += n;
	return true;
}

static bool js_string(struct js *j)
{
	if (j->p >= j->end || *j->p != '"')
		return false;
	j->p++;
	while (j->p < j->end) {
		unsigned char c = (unsigned char)*j->p++;

		if (c == '"')
			return true;
		if (c < 0x20)
			return false;
		if (c != '\\')
			continue;
		if (j->p >= j->end)
			return false;
		c = (unsigned char)*j->p++;
		if (c == 'u') {
			for (int i = 0; i < 4; i++, j->p++)
				if (j->p >= j->end || !strchr("0123456789abcdefABCDEF", *j->p) || !*j->p)
					return false;
		} else if (!strchr("\"\\/bfnrt", c) || !c) {
			return false;
		}
	}
	return false;
}

static bool js_digits(struct js *j)
{
	const char *s = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s;
}

static bool js_number(struct js *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (!js_digits(j))
		return false;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!js_digits(j))
			return false;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!js_digits(j))
			return false;
	}
	return true;
}

static bool js_value(struct js *j);

static bool js_container(struct js *j, char close, bool object)
{
	j->p++;
	if (++j->depth > 64)
		return false;
	js_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		return true;
	}
	for (;;) {
		js_ws(j);
		if (object) {
			if (!js_string(j))
				return false;
			js_ws(j);
			if (j->p >= j->end || *j->p++ != ':')
				return false;
		}
		if (!js_value(j))
			return false;
		js_ws(j);
		if (j->p >= j->end)
			return false;
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p++ != close)
			return false;
		j->depth--;
		return true;
	}
}

static bool js_value(struct js *j)
{
	js_ws(j);
	if (j->p >= j->end)
		return false;
	switch (*j->p) {
	case '{':
		return js_container(j, '}', true);
	case '[':
		return js_container(j, ']', false);
	case '"':
		return js_string(j);
	case 't':
		return js_lit(j, "true");
	case 'f':
		return js_lit(j, "false");
	case 'n':
		return js_lit(j, "null");
	default:
		return js_number(j);
	}
}

static void check_json_text(const char *text, size_t len)
{
	struct js j = {.p = text, .end = text + len};

	if (len == 0 || text[0] != '{')
		die("inspect --json", "output is not a JSON object");
	if (!js_value(&j))
		die("inspect --json", "output is not valid JSON");
	js_ws(&j);
	if (j.p != j.end)
		die("inspect --json", "output has trailing bytes after the JSON object");
}

static void inspect_json(const struct resolution *res)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (!check_json) {
		inspect__print(devnull, res, true);
		return;
	}
	f = open_memstream(&text, &len);
	if (!f)
		die("harness", "open_memstream");
	inspect__print(f, res, true);
	if (fclose(f) != 0)
		die("harness", "fclose(memstream)");
	check_json_text(text, len);
	fwrite(text, 1, len, devnull);
	free(text);
}

/* What the reader hands out must keep its documented promises: a probe
 * address inside its function, RET addresses inside it, bounded counts,
 * and (gobin.h / dwarfinfo.c) never a member offset outside its struct. */
static void check_resolution(const struct resolution *res)
{
	char msg[400];

	for (int i = 0; i < res->nprobes; i++) {
		const struct resolved_probe *rp = &res->probes[i];
		const struct gobin_func *fn = rp->fn;

		if (!rp->enabled)
			continue;
		if (!fn)
			die("resolution", "enabled probe without a function");
		if (fn->probe < fn->entry || fn->probe >= fn->end) {
			snprintf(msg, sizeof(msg), "%s: probe 0x%llx outside [0x%llx, 0x%llx)", fn->name,
				 (unsigned long long)fn->probe, (unsigned long long)fn->entry,
				 (unsigned long long)fn->end);
			die("resolution", msg);
		}
		if (fn->nrets < 0 || fn->nrets > GOBIN_MAX_RETS || fn->nparams < 0)
			die("resolution", "function with a bad RET or parameter count");
		for (int r = 0; r < fn->nrets; r++)
			if (fn->rets[r] < fn->entry || fn->rets[r] >= fn->end)
				die("resolution", "RET address outside its function");
		for (int k = 0; k < fn->nparams; k++)
			if (fn->params[k].npieces < 0 || fn->params[k].npieces > GOBIN_MAX_PIECES)
				die("resolution", "parameter with a bad piece count");
		for (int n = 0; n < rp->nneeds; n++) {
			const struct resolved_need *rn = &rp->needs[n];
			const char *colon, *why;
			char type[160];
			uint64_t st_size;

			if (!rn->found || rn->need->kind != NEED_MEMBER || !rn->source ||
			    !(colon = strchr(rn->source, ':')))
				continue;
			snprintf(type, sizeof(type), "%.*s", (int)(colon - rn->source), rn->source);
			if (gobin__struct_size(res->gb, type, &st_size, &why) != 0 || st_size == 0)
				continue;
			if (rn->value > st_size || rn->size > st_size - rn->value) {
				snprintf(msg, sizeof(msg),
					 "%s: offset %llu + size %llu outside the struct (%llu bytes)",
					 rn->source, (unsigned long long)rn->value,
					 (unsigned long long)rn->size, (unsigned long long)st_size);
				die("member outside its struct", msg);
			}
		}
	}
}

/* The full name of a type the runtime calls name ("*tls.Conn") from its
 * package path ("crypto/tls"): "*crypto/tls.Conn". */
static void full_name(const char *name, const char *pkg, char *out, size_t len)
{
	const char *s = name, *dot;

	while (*s == '*')
		s++;
	dot = strchr(s, '.');
	if (!pkg || !*pkg || !dot)
		snprintf(out, len, "%s", name);
	else
		snprintf(out, len, "%.*s%s.%s", (int)(s - name), name, pkg, dot + 1);
}

/* The runtime's itab list (dwarf/itablinks.c): every itab named, and
 * looked up by its runtime names and by full names made from its package
 * paths; whatever a lookup finds in the list is one of the list's itabs. */
static void check_itabs(struct gobin *gb)
{
	const struct gobin_itab *v;
	const char *why, *from;
	size_t n;

	if (gobin__itabs(gb, &v, &n, &why) != 0) {
		if (!why || !*why || strchr(why, '\n'))
			die("itabs", "refused without a one-line reason");
		return;
	}
	for (size_t i = 0; i < n && i < 64; i++) {
		char c[512], f[512], pair[1100];

		if (!v[i].concrete || !v[i].iface)
			die("itabs", "an itab without names");
		full_name(v[i].concrete, v[i].concrete_pkg, c, sizeof(c));
		full_name(v[i].iface, v[i].iface_pkg, f, sizeof(f));
		for (int k = 0; k < 2; k++) {
			uint64_t addr;
			bool listed = false;

			if (k)
				snprintf(pair, sizeof(pair), "%s,%s", c, f);
			else
				snprintf(pair, sizeof(pair), "%s,%s", v[i].concrete, v[i].iface);
			if (gobin__itab(gb, pair, &addr, &from, &why) != 0) {
				if (!why || !*why || strchr(why, '\n'))
					die("itabs", "a lookup failed without a one-line reason");
				continue;
			}
			for (size_t j = 0; j < n && !listed; j++)
				listed = v[j].addr == addr;
			if (!listed && strcmp(from, "itablinks") == 0)
				die("itabs", "a lookup found an itab that is not in the list");
		}
	}
}

/* Nothing the reader opened may survive gobin__close: the descriptors
 * from the lowest free one upward are snapshotted before each run and
 * compared after it (libFuzzer itself may open descriptors between runs). */
static bool fd_open_before[FD_SCAN];

static void snapshot_descriptors(void)
{
	fd_base = lowest_free_fd();
	for (int i = 0; i < FD_SCAN; i++)
		fd_open_before[i] = fcntl(fd_base + i, F_GETFD) != -1;
}

static void check_descriptors(void)
{
	for (int i = 0; i < FD_SCAN; i++) {
		char link[64], target[200], what[300];
		ssize_t n;

		if (fd_open_before[i] || fcntl(fd_base + i, F_GETFD) == -1)
			continue;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd_base + i);
		n = readlink(link, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		snprintf(what, sizeof(what), "descriptor %d left open (%s)", fd_base + i, target);
		die("file descriptor leak", what);
	}
}

/* ... nor any mapping of the input file (libelf maps it). */
static void check_mappings(void)
{
	FILE *m = fopen("/proc/self/maps", "re");
	char line[512];

	if (!m)
		return;
	while (fgets(line, sizeof(line), m)) {
		if (strstr(line, MEMFD_NAME)) {
			fclose(m);
			die("mapping leak", line);
		}
	}
	fclose(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct resolution res; /* ~10 KB: main() keeps it static too */
	char err[GOBIN_ERRLEN];
	struct gobin *gb = NULL;
	int ret;

	snapshot_descriptors();
	write_input(data, size);
	err[0] = '\0';
	ret = gobin__open(input_path, NULL, &gb, err, sizeof(err));
	if (ret) {
		/* The contract: a negative errno and a reason, together. */
		if (ret > 0 || gb)
			die("gobin__open", "failed without a negative errno, or with a gobin");
		check_err("gobin__open", err);
		goto checks;
	}
	err[0] = '\0';
	if (resolution__run(&res, gb, err, sizeof(err)) != 0) {
		check_err("resolution__run", err);
		goto close;
	}
	/* As main(): a Go program without gRPC is refused before printing. */
	check_resolution(&res);
	check_itabs(gb);
	if (!resolution__has_grpc(&res))
		goto close;
	inspect__print(devnull, &res, false);
	inspect_json(&res);
	{
		struct render_opts ro = {0};
		char *text;

		err[0] = '\0';
		text = render__program(&res, &ro, err, sizeof(err));
		if (!text)
			check_err("render__program", err);
		free(text);
	}
close:
	gobin__close(gb);
checks:
	if (selftest && strcmp(selftest, "fd") == 0)
		(void)!dup(input_fd);
	if (selftest && strcmp(selftest, "mem") == 0) {
		char *volatile lost = strdup(input_path);

		lost = NULL;
		(void)lost;
	}
	if (selftest && strcmp(selftest, "json") == 0)
		check_json_text("{\"a\":[1,}", 10);
	fflush(devnull);
	check_descriptors();
	if ((++runs & 1023) == 0)
		check_mappings();
	return 0;
}
