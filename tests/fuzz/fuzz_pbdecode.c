/* fuzz_pbdecode.c - libFuzzer target for the payload decoder
 * (tool/pbdecode.h) and the gunzip in front of it (tool/pbgzip.h).
 *
 * The first input byte picks the message type (its low 7 bits index the
 * hand-made models of tests/unit/pbdecode/models.h: every field kind,
 * maps, oneofs, groups, recursion and every well-known type) and whether
 * the bytes are cut (its high bit); the rest are the message's bytes. Both
 * output forms decode them, and the rest is also gunzipped.
 *
 * Beyond what ASan, UBSan and LeakSanitizer report, the harness aborts on:
 *   - a return other than 0 or -EBADMSG, or a failure without a reason,
 *     or a reason that is not one line;
 *   - JSON output that does not parse (strings must be valid UTF-8);
 *   - text output that is not printable ASCII;
 *   - JSON decoded but text refused (text refuses only what the wire
 *     refuses; JSON refuses more, as protojson does);
 *   - gunzip writing more than its buffer, or saying a stream is complete
 *     and corrupt at once.
 *
 * FUZZ_PBDECODE_SEEDS=DIR writes the messages of tests/unit/pbdecode/
 * cases.txt there as seeds (each cut and whole) and exits;
 * FUZZ_PBDECODE_SELFTEST=json checks a broken JSON text first, to prove
 * the check fires. Build and run: tests/fuzz/pbdecode.sh.
 */
#include "../../tool/pbdecode.h"
#include "../../tool/pbgzip.h"
#include "../unit/pbdecode/jsoncheck.h"
#include "../unit/pbdecode/models.h"
#include "../unit/pbdecode/wire.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "\n==fuzz_pbdecode== FINDING: %s%s%s\n", what, detail ? ": " : "",
		detail ? detail : "");
	abort();
}

static void write_seeds(const char *dir)
{
	for (size_t i = 0; i < N_(wire_cases); i++) {
		const struct wire_case *c = &wire_cases[i];
		unsigned char sel = 0;

		for (size_t t = 0; t < N_(all_types); t++)
			if (strcmp(all_types[t]->full_name, c->type) == 0)
				sel = (unsigned char)t;
		for (int cut = 0; cut < 2; cut++) {
			char path[4096];
			unsigned char b = (unsigned char)(sel | (cut ? 0x80 : 0));
			size_t len = cut ? c->len - c->len / 3 : c->len;
			FILE *f;

			snprintf(path, sizeof(path), "%s/%s%s", dir, c->name, cut ? "-cut" : "");
			f = fopen(path, "wb");
			if (!f || fwrite(&b, 1, 1, f) != 1 || fwrite(c->bytes, 1, len, f) != len ||
			    fclose(f) != 0) {
				perror(path);
				exit(1);
			}
		}
	}
	exit(0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("FUZZ_PBDECODE_SEEDS");
	const char *selftest = getenv("FUZZ_PBDECODE_SELFTEST");

	(void)argc;
	(void)argv;
	if (seeds)
		write_seeds(seeds);
	if (selftest && strcmp(selftest, "json") == 0 && !valid_json("{\"a\":[1,}"))
		die("json", "output is not valid JSON");
	return 0;
}

static void check_result(const char *form, int rc, const struct pbdecode_result *res)
{
	if (rc == 0) {
		if (res->error)
			die(form, "an error set on success");
		return;
	}
	if (rc != -EBADMSG)
		die(form, "a return other than 0 or -EBADMSG");
	if (!res->error || !res->error[0] || strchr(res->error, '\n'))
		die(form, "a failure without a one-line reason");
}

static void decode(const struct pm_message *type, const uint8_t *p, size_t n, bool cut)
{
	struct pbdecode_result jres, tres;
	char *json = NULL, *text = NULL;
	size_t jlen = 0, tlen = 0;
	FILE *jf = open_memstream(&json, &jlen), *tf = open_memstream(&text, &tlen);
	int jrc, trc;

	if (!jf || !tf)
		abort();
	jrc = pbdecode__json(jf, type, p, n, cut, &test_types, &jres);
	trc = pbdecode__text(tf, type, p, n, cut, &test_types, &tres);
	fclose(jf);
	fclose(tf);
	check_result("json", jrc, &jres);
	check_result("text", trc, &tres);
	if (jrc == 0 && !valid_json(json))
		die("json", "output is not valid JSON");
	if (trc == 0 && !printable_ascii(text))
		die("text", "output is not printable ASCII");
	if (jrc == 0 && trc != 0)
		die("text", "refused what JSON decoded");
	if (jrc == 0 && jres.truncated != cut)
		die("json", "truncated is not what was asked");
	free(json);
	free(text);
}

static void gunzip(const uint8_t *p, size_t n)
{
	static uint8_t out[1 << 16];
	size_t produced = 0;
	bool complete = false;
	int rc = pbgzip__inflate(p, n, out, sizeof(out), &produced, &complete);

	if (produced > sizeof(out))
		die("gunzip", "wrote past its buffer");
	if (rc != 0 && rc != -EBADMSG && rc != -ENOMEM)
		die("gunzip", "an unexpected return");
	if (rc != 0 && complete)
		die("gunzip", "complete and corrupt");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	decode(all_types[(data[0] & 0x7f) % N_(all_types)], data + 1, size - 1, data[0] & 0x80);
	gunzip(data + 1, size - 1);
	return 0;
}
