/* dump.c - print, for one reference binary with DWARF, every number the
 * probe table can ask for: each alternative member offset and struct size
 * (found or absent), each candidate function's size and parameters. One
 * line per value; collapse.go merges the dumps of all reference builds
 * into tool/offsets_GOARCH.tbl.
 *
 * Usage: offsets-dump BINARY
 * Lines (fields separated by one space; type names have spaces as %20):
 *   member TYPE:PATH OFFSET SIZE      or  member TYPE:PATH -
 *   size TYPE BYTES                   or  size TYPE -
 *   func NAME BYTES                   (present; the size is its fingerprint)
 *   param FUNC NAME INDEX TYPE PIECE...  PIECE = rREG:SIZE | sOFF:SIZE | -
 *                                     (one PIECE "!": no readable location)
 *   noparams FUNC                     (present, but DWARF gave no parameters)
 */
#include "../../dwarf/gobin.h"
#include "../../tool/resolve.h"

#include <stdio.h>
#include <string.h>

/* Functions whose sizes identify a release when a binary names none (a
 * GOPATH build): besides the probed ones, a few big, often-changed ones. */
static const char *const fingerprint_funcs[] = {
	"google.golang.org/grpc/internal/transport.newHTTP2Server",
	"google.golang.org/grpc/internal/transport.newHTTP2Client",
	"google.golang.org/grpc/internal/transport.(*http2Server).HandleStreams",
	"google.golang.org/grpc/internal/transport.(*http2Client).reader",
	"golang.org/x/net/http2.(*Framer).ReadFrame",
	"golang.org/x/net/http2.(*Framer).readMetaFrame",
	"golang.org/x/net/http2.(*Framer).WriteHeaders",
	"golang.org/x/net/http2.(*Framer).WriteSettings",
	"golang.org/x/net/http2/hpack.(*Decoder).Write",
	"golang.org/x/net/http2/hpack.(*Encoder).WriteField",
	NULL,
};

static void print_escaped(const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '%' || *s == '\n' || *s == '\t')
			printf("%%%02X", (unsigned char)*s);
		else
			putchar(*s);
	}
}

static void dump_func(struct gobin *gb, const char *name, bool with_params)
{
	const struct gobin_func *fn;
	const char *why;

	if (gobin__func(gb, name, &fn, &why))
		return;
	printf("func %s %llu\n", name, (unsigned long long)(fn->end - fn->entry));
	if (!with_params)
		return;
	if (fn->params_why) {
		printf("noparams %s\n", name);
		return;
	}
	for (int i = 0; i < fn->nparams; i++) {
		const struct gobin_param *p = &fn->params[i];

		if (p->is_return)
			continue;
		printf("param %s %s %d ", name, p->name, i);
		print_escaped(p->type_name[0] ? p->type_name : "-");
		if (p->why)
			printf(" !"); /* DWARF gave no readable location */
		else if (p->npieces == 0)
			printf(" -");
		for (int k = 0; !p->why && k < p->npieces; k++) {
			const struct gobin_piece *pc = &p->pieces[k];

			if (pc->kind == GOBIN_LOC_REG)
				printf(" r%d:%u", pc->dwarf_reg, pc->size);
			else if (pc->kind == GOBIN_LOC_STACK)
				printf(" s%lld:%u", (long long)pc->stack_off, pc->size);
			else
				printf(" -");
		}
		putchar('\n');
	}
}

static void dump_member(struct gobin *gb, const char *alt, enum need_kind kind)
{
	const char *colon = strchr(alt, ':'), *why;
	uint64_t value, size;
	char type[160];

	if (kind == NEED_SIZE) {
		if (gobin__struct_size(gb, alt, &value, &why) == 0)
			printf("size %s %llu\n", alt, (unsigned long long)value);
		else
			printf("size %s -\n", alt);
		return;
	}
	if (!colon)
		return;
	snprintf(type, sizeof(type), "%.*s", (int)(colon - alt), alt);
	if (gobin__member(gb, type, colon + 1, &value, &size, &why) == 0)
		printf("member %s %llu %llu\n", alt, (unsigned long long)value,
		       (unsigned long long)size);
	else
		printf("member %s -\n", alt);
}

int main(int argc, char **argv)
{
	const char *const *funcs, *const *structs, *const *members;
	int nfuncs, nstructs, nmembers;
	char err[256];
	const char *why;
	struct gobin *gb;

	if (argc != 2) {
		fprintf(stderr, "usage: offsets-dump BINARY\n");
		return 2;
	}
	if (gobin__open(argv[1], NULL, &gb, err, sizeof(err))) {
		fprintf(stderr, "offsets-dump: %s\n", err);
		return 1;
	}
	if (!gobin__has_dwarf(gb)) {
		fprintf(stderr, "offsets-dump: %s has no DWARF\n", argv[1]);
		return 1;
	}
	resolution__wanted(&funcs, &nfuncs, &structs, &nstructs);
	if (gobin__index(gb, funcs, nfuncs, structs, nstructs, &why)) {
		fprintf(stderr, "offsets-dump: %s\n", why);
		return 1;
	}
	/* Every function, struct and member a probe or --inspect names. */
	for (int i = 0; i < nfuncs; i++)
		dump_func(gb, funcs[i], true);
	for (int i = 0; i < nstructs; i++)
		dump_member(gb, structs[i], NEED_SIZE);
	resolution__wanted_members(&members, &nmembers);
	for (int i = 0; i < nmembers; i++)
		dump_member(gb, members[i], NEED_MEMBER);
	for (int i = 0; fingerprint_funcs[i]; i++)
		dump_func(gb, fingerprint_funcs[i], false);
	gobin__close(gb);
	return 0;
}
