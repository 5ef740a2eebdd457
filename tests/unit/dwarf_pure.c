/* dwarf_pure.c - the reader's pure functions and its error contract, on
 * inputs made here: Go version order, the function table's header, the
 * note keeper and the string map; and gobin__open on files that are not
 * Go programs (a negative errno and a reason, never one without the
 * other). Needs neither root nor Go. Prints "ok" when every check holds. */
#include "../../dwarf/gobin.h"
#include "../../dwarf/notes.h"
#include "../../dwarf/pclnhdr.h"
#include "../../dwarf/strmap.h"
#include "check.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int sign(int v) { return (v > 0) - (v < 0); }

static void version_order(void)
{
	static const struct {
		const char *a, *b;
		int want;
	} cases[] = {
		{"go1.26.8", "go1.26.8", 0},
		{"go1.27", "go1.26.8", 1},
		{"go1.9", "go1.17", -1},	  /* numbers, not text */
		{"go1.17", "go1.17.0", -1},	  /* a shorter one is older */
		{"go1.27rc1", "go1.27", -1},	  /* a pre-release before its release */
		{"go1.27rc2", "go1.27rc1", 1},
		{"v1.33.3", "1.33.3", 0},	  /* "v" and "go" prefixes are skipped */
		{"go1.24.13", "v1.24.2", 1},
		{"v0.0.0-20201021035429-f5854403a974", "v0.0.0-20191021035429-aaaa", 1},
		{"v1.2.3-pre", "v1.2.3", -1},
		{NULL, "go1.17", -1},
		{"go1.17", NULL, 1},
		{NULL, NULL, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = sign(gobin__version_cmp(cases[i].a, cases[i].b));
		int back = sign(gobin__version_cmp(cases[i].b, cases[i].a));

		CHECK(got == cases[i].want, "version_cmp(%s, %s) = %d, want %d",
		      cases[i].a ? cases[i].a : "NULL", cases[i].b ? cases[i].b : "NULL", got,
		      cases[i].want);
		CHECK(back == -cases[i].want, "version_cmp(%s, %s) is not antisymmetric",
		      cases[i].a ? cases[i].a : "NULL", cases[i].b ? cases[i].b : "NULL");
	}
}

static void put_word(uint8_t *b, uint64_t v, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

/* A table of len bytes with a sound Go 1.20 header (8-byte words):
 * nfunc 3, nfiles, textStart, then the offsets of the name, unit, file,
 * pc-value and function tables. */
static void sound_120(uint8_t *b, size_t len)
{
	const uint64_t w[8] = {3, 1, 0x401000, 72, 100, 110, 120, 200};

	memset(b, 0, len);
	put_word(b, PCLNTAB_MAGIC_120, 4);
	b[6] = 1; /* pc quantum */
	b[7] = 8; /* pointer size */
	for (int i = 0; i < 8; i++)
		put_word(b + 8 + 8 * i, w[i], 8);
}

static void pcln_header(void)
{
	uint8_t b[400];
	struct pclntab_hdr h;
	int ret;

	sound_120(b, sizeof(b));
	ret = pclnhdr__parse(b, sizeof(b), &h);
	CHECK(ret == 0, "a sound Go 1.20 header: %d", ret);
	CHECK(h.version == 120 && h.ptrsize == 8 && h.quantum == 1 && h.nfunc == 3 &&
		      h.text_start == 0x401000 && h.funcname == 72 && h.pcln == 200 && h.hdr_len == 72,
	      "the Go 1.20 header decoded wrong");

	/* Go 1.16/1.17: one word fewer (no textStart). */
	sound_120(b, sizeof(b));
	put_word(b, PCLNTAB_MAGIC_116, 4);
	{
		const uint64_t w[7] = {3, 1, 64, 100, 110, 120, 200};

		for (int i = 0; i < 7; i++)
			put_word(b + 8 + 8 * i, w[i], 8);
	}
	ret = pclnhdr__parse(b, sizeof(b), &h);
	CHECK(ret == 0 && h.version == 116 && h.text_start == 0 && h.funcname == 64 &&
		      h.hdr_len == 64,
	      "the Go 1.16 header: %d", ret);

	sound_120(b, sizeof(b));
	put_word(b, PCLNTAB_MAGIC_12, 4);
	CHECK(pclnhdr__parse(b, sizeof(b), &h) == -EPROTONOSUPPORT, "Go 1.2-1.15 not refused");
	put_word(b, 0x12345678, 4);
	CHECK(pclnhdr__parse(b, sizeof(b), &h) == -ENOENT, "an unknown magic is not -ENOENT");

	/* Each damage alone must be refused as implausible. */
	sound_120(b, sizeof(b));
	b[4] = 1;
	CHECK(pclnhdr__parse(b, sizeof(b), &h) == -EINVAL, "non-zero pad byte accepted");
	sound_120(b, sizeof(b));
	b[6] = 3;
	CHECK(pclnhdr__parse(b, sizeof(b), &h) == -EINVAL, "pc quantum 3 accepted");
	sound_120(b, sizeof(b));
	b[7] = 2;
	CHECK(pclnhdr__parse(b, sizeof(b), &h) == -EINVAL, "pointer size 2 accepted");
	sound_120(b, sizeof(b));
	CHECK(pclnhdr__parse(b, 7, &h) == -EINVAL, "7 bytes accepted");
	CHECK(pclnhdr__parse(b, 40, &h) == -EINVAL, "a header cut short accepted");
	sound_120(b, sizeof(b));
	put_word(b + 8 + 8 * 3, 10, 8); /* the name table inside the header */
	CHECK(pclnhdr__parse(b, sizeof(b), &h) == -EINVAL, "name table inside the header");
	sound_120(b, sizeof(b));
	put_word(b + 8 + 8 * 7, sizeof(b), 8); /* the function table past the end */
	CHECK(pclnhdr__parse(b, sizeof(b), &h) == -EINVAL, "function table past the end");
	sound_120(b, sizeof(b));
	put_word(b + 8, 0, 8); /* no functions */
	CHECK(pclnhdr__parse(b, sizeof(b), &h) == -EINVAL, "nfunc 0 accepted");
	sound_120(b, sizeof(b));
	put_word(b + 8, 1ULL << 62, 8); /* more functions than bytes; no overflow */
	CHECK(pclnhdr__parse(b, sizeof(b), &h) == -EINVAL, "a huge nfunc accepted");
	sound_120(b, sizeof(b));
	put_word(b + 8, 25, 8); /* 25 pairs and the end: 204 bytes of 4 > 200 left */
	CHECK(pclnhdr__parse(b, sizeof(b), &h) == -EINVAL, "a function table longer than the rest");
	put_word(b + 8, 24, 8); /* 196 bytes: fits */
	CHECK(pclnhdr__parse(b, sizeof(b), &h) == 0, "a function table that fits refused");
}

static void note_keeper(void)
{
	struct notes notes = {0};
	char big[2048];
	const char *a, *b;

	a = notes__add(&notes, "reason %d", 1);
	b = notes__add(&notes, "%s", "two");
	CHECK(strcmp(a, "reason 1") == 0 && strcmp(b, "two") == 0, "notes lost their text");
	CHECK(a != b && notes.n == 2, "notes not kept apart");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	a = notes__add(&notes, "%s", big);
	CHECK(a && strlen(a) < sizeof(big) && strlen(a) > 0, "a long note is not cut to a bound");
	notes__free(&notes);
	CHECK(notes.n == 0 && !notes.v, "notes__free left entries");
}

static void string_map(void)
{
	static char keys[300][8];
	struct strmap m;
	uint64_t v;
	bool all = true;

	CHECK(strmap__init(&m, 4) == 0, "strmap__init");
	for (int i = 0; i < 300; i++) { /* past several growths */
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		CHECK(strmap__put(&m, keys[i], (uint64_t)i) == 0, "strmap__put %d", i);
	}
	for (int i = 0; i < 300; i++)
		all &= strmap__get(&m, keys[i], &v) && v == (uint64_t)i;
	CHECK(all, "a key lost or its value changed while the map grew");
	CHECK(!strmap__get(&m, "k300", &v), "a key never put is found");
	CHECK(strmap__put_first(&m, keys[7], 99) == 0 && strmap__get(&m, keys[7], &v) && v == 7,
	      "put_first overwrote the first value");
	CHECK(strmap__put(&m, keys[7], 99) == 0 && strmap__get(&m, keys[7], &v) && v == 99,
	      "put did not overwrite");
	CHECK(m.len == 300, "len %zu after 300 distinct keys", m.len);
	strmap__free(&m);
}

/* The contract: a negative errno and a reason, together. */
static void open_refusals(void)
{
	char dir[] = "/tmp/dwarf-pure-XXXXXX", path[64], err[GOBIN_ERRLEN];
	struct gobin *gb = (struct gobin *)1;
	FILE *f;
	int ret;

	CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(path, sizeof(path), "%s/none", dir);
	err[0] = '\0';
	ret = gobin__open(path, NULL, &gb, err, sizeof(err));
	CHECK(ret == -ENOENT && *err && !gb, "a missing file: %d, \"%s\"", ret, err);

	err[0] = '\0';
	ret = gobin__open(dir, NULL, &gb, err, sizeof(err));
	CHECK(ret == -EINVAL && strstr(err, "not a regular file"), "a directory: %d, \"%s\"", ret,
	      err);

	snprintf(path, sizeof(path), "%s/text", dir);
	f = fopen(path, "w");
	CHECK(f != NULL, "fopen");
	if (f) {
		fputs("#!/bin/sh\nexit 0\n", f);
		fclose(f);
	}
	err[0] = '\0';
	ret = gobin__open(path, NULL, &gb, err, sizeof(err));
	CHECK(ret == -EINVAL && strstr(err, "not an ELF file"), "a script: %d, \"%s\"", ret, err);
	unlink(path);
	rmdir(dir);

	/* An ELF executable of this machine that is not Go: this test itself. */
	err[0] = '\0';
	ret = gobin__open("/proc/self/exe", NULL, &gb, err, sizeof(err));
	CHECK(ret == -ENOEXEC && strstr(err, "not a Go program") && !gb,
	      "a C program: %d, \"%s\"", ret, err);
}

int main(void)
{
	version_order();
	pcln_header();
	note_keeper();
	string_map();
	open_refusals();
	if (failures)
		return 1;
	printf("ok\n");
	return 0;
}
