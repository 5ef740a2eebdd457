/* fuzz_protos.c - libFuzzer target for the protobuf descriptor path:
 * dwarf/protodesc.c's search and strict scan, zlib inflation, protobuf-c's
 * parse, tool/protocheck.c and tool/protobuild.c, on arbitrary bytes.
 *
 * The input is used twice: as one segment's bytes (protodesc__scan_buffer:
 * every candidate name, every gzip magic), and as one descriptor blob given
 * straight to protodb__load_blobs. Each db is then walked whole, and the
 * harness aborts where the model breaks protomodel.h's promises: fields
 * not sorted by number or numbers out of 1..2^29-1, a message or enum
 * field without its type, a lookup that does not find what the db lists,
 * a refusal without a reason, a dangling pointer (ASan).
 *
 * Build: tests/fuzz/build.sh; run: FUZZ_TARGET=protos tests/fuzz/run.sh.
 */
#include "../../dwarf/protodesc.h"
#include "../../tool/protodb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "\n==fuzz_protos== FINDING: %s%s%s\n", what, detail ? ": " : "",
		detail ? detail : "");
	abort();
}

static void check_message(const struct protodb *db, const struct pm_message *m)
{
	if (!m->full_name || !*m->full_name)
		die("model", "a message without a name");
	if (protodb__message(db, m->full_name) != m)
		die("lookup", m->full_name);
	for (size_t i = 0; i < m->nfields; i++) {
		const struct pm_field *f = &m->fields[i];

		if (f->number < 1 || f->number > (1u << 29) - 1 || (i && f->number <= m->fields[i - 1].number))
			die("model", "field numbers out of range or order");
		if (!f->name || !f->json_name || (f->oneof >= 0 && (size_t)f->oneof >= m->noneofs))
			die("model", "a field without names, or with a oneof that is not there");
		if (((f->kind == PM_MESSAGE || f->kind == PM_GROUP) != (f->message != NULL)) ||
		    ((f->kind == PM_ENUM) != (f->enum_type != NULL)))
			die("model", "a field without its type, or with one it does not take");
		if (f->enum_type && f->enum_type->nvalues == 0)
			die("model", "an enum without values");
		if (pm_message__field(m, f->number) != f)
			die("model", "pm_message__field does not find a field");
	}
	for (size_t i = 0; i < m->noneofs; i++)
		if (!m->oneof_names[i])
			die("model", "a oneof without a name");
}

static void walk(struct protodb *db)
{
	for (size_t i = 0; i < protodb__nfiles(db); i++) {
		const struct protodb_file *f = protodb__file(db, i);

		if (!f->name || !f->package || !f->syntax)
			die("model", "a file without names");
		for (size_t k = 0; k < f->nmessages; k++)
			check_message(db, f->messages[k]);
		for (size_t k = 0; k < f->nenums; k++)
			for (size_t v = 1; v < f->enums[k]->nvalues; v++)
				if (f->enums[k]->values[v].number < f->enums[k]->values[v - 1].number)
					die("model", "enum values not sorted");
		for (size_t s = 0; s < f->nservices; s++)
			for (size_t m = 0; m < f->services[s].nmethods; m++) {
				const struct protodb_method *me = &f->services[s].methods[m];

				if (protodb__method(db, me->method->path) != me->method)
					die("lookup", me->method->path);
			}
	}
	for (size_t i = 0; i < protodb__nrefused(db); i++) {
		const char *why = protodb__refusal(db, i)->why;

		if (!why || !*why || strchr(why, '\n'))
			die("refusal", "without a one-line reason");
	}
}

static void load(const struct protodesc_blob *b, size_t n, const struct protodesc_bad *bad,
		 size_t nbad)
{
	struct protodb *db;
	const char *why = NULL;

	if (protodb__load_blobs(b, n, bad, nbad, &db, &why) != 0) {
		if (!why || !*why)
			die("protodb__load_blobs", "failed without a reason");
		return;
	}
	walk(db);
	protodb__free(db);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct protodesc_set *set = calloc(1, sizeof(*set));
	struct protodesc_blob one = {data, size, 0x1000, size, PROTODESC_DATA};
	const char *why = NULL, *stop = NULL;

	if (!set)
		return 0;
	if (protodesc__extent(data, size, &stop) > size || !stop)
		die("protodesc__extent", "past the end, or no reason");
	if (protodesc__scan_buffer(set, data, size, 0x400000, false, &why) != 0) {
		if (!why)
			die("protodesc__scan_buffer", "failed without a reason");
	} else {
		for (size_t i = 0; i < set->nblobs; i++)
			if (set->blobs[i].storage != PROTODESC_GZIP &&
			    (set->blobs[i].data < data || set->blobs[i].len > size ||
			     set->blobs[i].data + set->blobs[i].len > data + size))
				die("protodesc__scan_buffer", "a blob outside the input");
		load(set->blobs, set->nblobs, set->bad, set->nbad);
	}
	protodesc__free(set);
	load(&one, 1, NULL, 0);
	return 0;
}
