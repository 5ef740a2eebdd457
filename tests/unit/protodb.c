/* protodb.c - check-protodb SET: the descriptor finder (dwarf/protodesc.c),
 * its strict scan and the model (tool/protodb.c) on descriptors protoc
 * made from the files in tests/unit/protos (SET: protoc --include_imports
 * --descriptor_set_out), then on hostile variants of them: cut short,
 * every byte changed, huge lengths, wrong wire types, nesting past the
 * limit, duplicate numbers and names, types that resolve nowhere, control
 * bytes in names, gzip bombs. Run under ASan too (check-protodb-asan).
 * Prints "ok" and exits 0, or names each failure.
 *
 * check-protodb --measure BINARY...: how each descriptor found in real
 * binaries ends. Plain ones have no stored end (dwarf/protoscan.c); after
 * each, the scan met zero bytes, the next descriptor's name, or something
 * else. Ambiguous is "something else" that stopped the scan only by the
 * order rule: bytes that would have been a valid field otherwise. Also
 * checks that protobuf-c, packing what it parsed, gives the same length.
 * One line per binary; exit 1 on an ambiguous end or another length. */
#include "../../dwarf/gobin_internal.h"
#include "../../dwarf/protodesc.h"
#include "../../tool/protodb.h"
#include "google/protobuf/descriptor.pb-c.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef Google__Protobuf__FileDescriptorProto FileProto;
typedef Google__Protobuf__DescriptorProto MsgProto;
typedef Google__Protobuf__FieldDescriptorProto FieldProto;

static int failures;

#define CHECK(cond, ...)                                                                       \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			failures++;                                                            \
			printf("FAIL line %d: ", __LINE__);                                    \
			printf(__VA_ARGS__);                                                   \
			printf("\n");                                                          \
		}                                                                              \
	} while (0)

struct bytes {
	uint8_t *p;
	size_t n;
};

#define MAX_FILES 32
static struct bytes set[MAX_FILES]; /* the protoc-made descriptors */
static size_t nset;

static uint64_t get_varint(const uint8_t **p, const uint8_t *end)
{
	uint64_t v = 0;

	for (int s = 0; *p < end && s < 64; s += 7) {
		uint8_t b = *(*p)++;

		v |= (uint64_t)(b & 0x7f) << s;
		if (!(b & 0x80))
			break;
	}
	return v;
}

/* A FileDescriptorSet is field 1, repeated: one FileDescriptorProto each. */
static void read_set(const char *path)
{
	FILE *f = fopen(path, "rb");
	static uint8_t buf[1 << 20];
	size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
	const uint8_t *p = buf, *end = buf + n;

	if (f)
		fclose(f);
	if (!n) {
		printf("cannot read %s\n", path);
		exit(1);
	}
	while (p < end && nset < MAX_FILES) {
		uint64_t tag = get_varint(&p, end), len = get_varint(&p, end);

		if (tag != 0x0a || len > (uint64_t)(end - p)) {
			printf("%s: not a FileDescriptorSet\n", path);
			exit(1);
		}
		set[nset].p = malloc(len);
		memcpy(set[nset].p, p, len);
		set[nset++].n = len;
		p += len;
	}
}

static FileProto *unpack(struct bytes b)
{
	return (FileProto *)protobuf_c_message_unpack(
		&google__protobuf__file_descriptor_proto__descriptor, NULL, b.n, b.p);
}

static struct bytes pack(const FileProto *fd)
{
	struct bytes b;

	b.n = protobuf_c_message_get_packed_size(&fd->base);
	b.p = malloc(b.n + 1);
	protobuf_c_message_pack(&fd->base, b.p);
	return b;
}

static size_t set_index(const char *name)
{
	for (size_t i = 0; i < nset; i++) {
		FileProto *fd = unpack(set[i]);
		bool hit = fd && strcmp(fd->name, name) == 0;

		protobuf_c_message_free_unpacked(&fd->base, NULL);
		if (hit)
			return i;
	}
	printf("%s is not in the descriptor set\n", name);
	exit(1);
}

/* Load v (each at its own made-up address) into a db. */
static struct protodb *load(const struct bytes *v, size_t n)
{
	struct protodesc_blob b[MAX_FILES + 4];
	struct protodb *db;
	const char *why = NULL;

	for (size_t i = 0; i < n; i++)
		b[i] = (struct protodesc_blob){v[i].p, v[i].n, 0x1000 * (i + 1), v[i].n,
					       PROTODESC_RODATA};
	protodb__load_blobs(b, n, NULL, 0, &db, &why);
	CHECK(db != NULL, "protodb__load_blobs failed: %s", why ? why : "(no reason)");
	if (!db) {
		printf("cannot go on\n");
		exit(1);
	}
	return db;
}

/* The set with file idx replaced by b. */
static struct protodb *load_with(size_t idx, struct bytes b)
{
	struct bytes v[MAX_FILES];

	memcpy(v, set, nset * sizeof(*v));
	v[idx] = b;
	return load(v, nset);
}

static const struct pm_field *field(const struct pm_message *m, const char *name)
{
	for (size_t i = 0; m && i < m->nfields; i++)
		if (strcmp(m->fields[i].name, name) == 0)
			return &m->fields[i];
	return NULL;
}

static const char *refusal_of(const struct protodb *db, const char *name)
{
	for (size_t i = 0; i < protodb__nrefused(db); i++) {
		const struct protodb_refusal *r = protodb__refusal(db, i);

		if (r->name && strcmp(r->name, name) == 0)
			return r->why;
	}
	return NULL;
}

static const struct protodb_file *file_of(const struct protodb *db, const char *name)
{
	for (size_t i = 0; i < protodb__nfiles(db); i++)
		if (strcmp(protodb__file(db, i)->name, name) == 0)
			return protodb__file(db, i);
	return NULL;
}

/* ---- the protoc-made descriptors, whole ---- */

static void check_wkt(const struct protodb *db, const char *name, enum pm_wkt want)
{
	const struct pm_message *m = protodb__message(db, name);

	CHECK(m && m->wkt == want, "%s: wkt %d, want %d", name, m ? (int)m->wkt : -1, (int)want);
}

static void test_valid(void)
{
	struct protodb *db;
	const struct pm_message *all, *node, *ping, *pong, *inner, *old, *entry;
	const struct pm_field *f;
	const struct pm_method *me;
	const struct pm_enum *lvl;
	struct pm_lookup lk;

	for (size_t i = 0; i < nset; i++) {
		const char *stop;
		size_t ext = protodesc__extent(set[i].p, set[i].n, &stop);

		CHECK(ext == set[i].n, "file %zu: extent %zu of %zu (%s)", i, ext, set[i].n, stop);
	}
	db = load(set, nset);
	CHECK(protodb__nfiles(db) == nset && protodb__nrefused(db) == 0, "%zu files, %zu refused",
	      protodb__nfiles(db), protodb__nrefused(db));
	for (size_t i = 0; i < protodb__nrefused(db); i++)
		printf("  refused %s: %s\n", protodb__refusal(db, i)->name, protodb__refusal(db, i)->why);
	CHECK(protodb__stats(db)->dropped_fields == 0, "dropped fields");
	all = protodb__message(db, "gogrpctrace.unit.All");
	node = protodb__message(db, "gogrpctrace.unit.Node");
	ping = protodb__message(db, "gogrpctrace.unit.Ping");
	pong = protodb__message(db, "gogrpctrace.unit.Pong");
	inner = protodb__message(db, "gogrpctrace.unit.All.Inner");
	CHECK(all && node && ping && pong && inner, "messages not found by full name");
	if (!all || !node || !ping || !pong || !inner)
		goto out;
	CHECK(!protodb__message(db, ".gogrpctrace.unit.All") &&
		      !protodb__message(db, "gogrpctrace.unit.Color") &&
		      !protodb__message(db, "gogrpctrace.unit.Kinds"),
	      "a leading dot, an enum or a service found as a message");
	/* Cycles are pointers, nothing more. */
	CHECK(field(node, "children")->message == node && field(node, "parent")->message == node,
	      "Node does not point at itself");
	CHECK(field(ping, "pong")->message == pong && field(pong, "ping")->message == ping,
	      "Ping and Pong do not point at each other");
	/* Fields sorted by number, every kind, names. */
	for (size_t i = 1; i < all->nfields; i++)
		CHECK(all->fields[i - 1].number < all->fields[i].number, "All's fields not sorted");
	CHECK(all->nfields == 35, "All has %zu fields", all->nfields);
	for (uint32_t k = 1; k <= 18; k++) {
		bool seen = k == PM_GROUP;

		for (size_t i = 0; i < all->nfields; i++)
			seen |= all->fields[i].kind == (enum pm_kind)k;
		CHECK(seen, "no field of kind %u", k);
	}
	f = pm_message__field(all, 536870911);
	CHECK(f && strcmp(f->name, "big_number_field") == 0 && strcmp(f->json_name, "bigNumberField") == 0,
	      "field 2^29-1 or its derived json_name");
	f = field(all, "renamed");
	CHECK(f && strcmp(f->json_name, "customName") == 0, "json_name option");
	f = field(all, "f_sfixed64");
	CHECK(f && f->kind == PM_SFIXED64 && strcmp(f->json_name, "fSfixed64") == 0, "f_sfixed64");
	f = field(all, "packed_ints");
	CHECK(f && f->repeated && f->kind == PM_INT32, "packed_ints");
	f = field(all, "counts");
	CHECK(f && f->repeated && f->message && f->message->map_entry &&
		      pm_message__field(f->message, 1)->kind == PM_STRING &&
		      pm_message__field(f->message, 2)->kind == PM_INT32,
	      "map<string, int32>");
	f = field(all, "nodes");
	entry = f ? f->message : NULL;
	CHECK(entry && entry->map_entry && pm_message__field(entry, 2)->message == node,
	      "map<int64, Node>");
	CHECK(all->noneofs == 2 && strcmp(all->oneof_names[0], "choice") == 0 &&
		      strcmp(all->oneof_names[1], "_maybe") == 0,
	      "oneofs: %zu", all->noneofs);
	CHECK(field(all, "pick_text")->oneof == 0 && field(all, "pick_inner")->oneof == 0 &&
		      field(all, "maybe")->oneof == 1 && field(all, "f_int32")->oneof == -1,
	      "oneof indexes");
	f = field(all, "mood");
	CHECK(f && f->enum_type && strcmp(f->enum_type->full_name, "gogrpctrace.unit.All.Inner.Mood") == 0,
	      "nested enum type");
	f = field(all, "f_enum");
	CHECK(f && f->enum_type && f->enum_type->nvalues == 3 &&
		      strcmp(f->enum_type->values[1].name, "RED") == 0,
	      "enum values");
	CHECK(!all->map_entry && all->wkt == PM_WKT_NONE, "All is a plain message");
	check_wkt(db, "google.protobuf.Any", PM_WKT_ANY);
	check_wkt(db, "google.protobuf.Duration", PM_WKT_DURATION);
	check_wkt(db, "google.protobuf.Timestamp", PM_WKT_TIMESTAMP);
	check_wkt(db, "google.protobuf.Empty", PM_WKT_EMPTY);
	check_wkt(db, "google.protobuf.FieldMask", PM_WKT_FIELD_MASK);
	check_wkt(db, "google.protobuf.Struct", PM_WKT_STRUCT);
	check_wkt(db, "google.protobuf.Value", PM_WKT_VALUE);
	check_wkt(db, "google.protobuf.ListValue", PM_WKT_LIST_VALUE);
	check_wkt(db, "google.protobuf.StringValue", PM_WKT_WRAPPER);
	check_wkt(db, "google.protobuf.BytesValue", PM_WKT_WRAPPER);
	check_wkt(db, "google.protobuf.Struct.FieldsEntry", PM_WKT_NONE);
	f = field(protodb__message(db, "google.protobuf.Value"), "null_value");
	CHECK(f && f->enum_type && f->enum_type->null_value, "NullValue");
	/* Methods: paths, types, streaming. */
	me = protodb__method(db, "/gogrpctrace.unit.Kinds/Unary");
	CHECK(me && me->input == all && me->output == node && !me->client_streaming &&
		      !me->server_streaming,
	      "Unary");
	me = protodb__method(db, "/gogrpctrace.unit.Kinds/ClientStream");
	CHECK(me && me->input == ping && me->client_streaming && !me->server_streaming, "ClientStream");
	me = protodb__method(db, "/gogrpctrace.unit.Kinds/ServerStream");
	CHECK(me && me->output == pong && !me->client_streaming && me->server_streaming, "ServerStream");
	me = protodb__method(db, "/gogrpctrace.unit.Kinds/Bidi");
	CHECK(me && me->client_streaming && me->server_streaming &&
		      me->output == protodb__message(db, "google.protobuf.Empty"),
	      "Bidi");
	CHECK(!protodb__method(db, "/gogrpctrace.unit.Kinds/Nope") &&
		      !protodb__method(db, "gogrpctrace.unit.Kinds/Unary"),
	      "a method that is not there");
	lk = protodb__lookup(db);
	CHECK(lk.message(lk.ctx, "gogrpctrace.unit.Node") == node, "pm_lookup");
	/* proto2: groups, aliases (the first name of a number first). */
	old = protodb__message(db, "gogrpctrace.legacy.Old");
	f = field(old, "item");
	CHECK(f && f->kind == PM_GROUP && f->repeated && f->message &&
		      strcmp(f->message->full_name, "gogrpctrace.legacy.Old.Item") == 0,
	      "group");
	lvl = field(old, "level") ? field(old, "level")->enum_type : NULL;
	CHECK(lvl && lvl->nvalues == 3 && lvl->values[0].number == 1 &&
		      strcmp(lvl->values[0].name, "LOW") == 0 &&
		      strcmp(lvl->values[1].name, "MINIMUM") == 0 && lvl->values[2].number == 2,
	      "enum aliases");
	CHECK(old && old->nfields == 3, "an extension became a field of Old");
	{
		const struct protodb_file *pf = file_of(db, "kinds.proto");

		CHECK(pf && pf->nservices == 1 && pf->services[0].nmethods == 4 &&
			      strcmp(pf->package, "gogrpctrace.unit") == 0 &&
			      strcmp(pf->syntax, "proto3") == 0 &&
			      strcmp(pf->services[0].methods[2].input_type, "gogrpctrace.unit.Ping") == 0,
		      "kinds.proto's file entry");
		CHECK(pf && pf->nmessages == 7 && pf->nenums == 2, "kinds.proto: %zu messages, %zu enums",
		      pf ? pf->nmessages : 0, pf ? pf->nenums : 0);
	}
out:
	protodb__free(db);
}

/* ---- finding them in a segment's bytes ---- */

static struct bytes gzip_of(const uint8_t *p, size_t n)
{
	z_stream zs = {0};
	struct bytes b;

	deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	b.n = deflateBound(&zs, n);
	b.p = malloc(b.n);
	zs.next_in = (Bytef *)p;
	zs.avail_in = (uInt)n;
	zs.next_out = b.p;
	zs.avail_out = (uInt)b.n;
	deflate(&zs, Z_FINISH);
	b.n = zs.total_out;
	deflateEnd(&zs);
	return b;
}

/* The set's files back to back as a Go string table holds them, between
 * other strings, and one gzipped as golang/protobuf 1.3 stores it: each
 * found at its place with its exact length. */
static void test_scan_packed(void)
{
	static uint8_t buf[1 << 18];
	size_t at[MAX_FILES], n = 0, gz_at;
	struct protodesc_set s = {0};
	struct bytes gz, junk_gz;
	const char *why;
	static const char pre[] = "net/http: \n\x0bnot a file and \n\x0a" "a.proto";

	memcpy(buf, pre, sizeof(pre) - 1);
	n = sizeof(pre) - 1;
	for (size_t i = 0; i < nset; i++) {
		at[i] = n;
		memcpy(buf + n, set[i].p, set[i].n);
		n += set[i].n;
	}
	memcpy(buf + n, "runtime: bad pointer", 20);
	n += 20;
	gz = gzip_of(set[0].p, set[0].n);
	gz_at = n;
	memcpy(buf + n, gz.p, gz.n);
	n += gz.n;
	/* A gzipped descriptor with a tail: refused with its reason. */
	{
		uint8_t tmp[1 << 16];

		memcpy(tmp, set[0].p, set[0].n);
		memcpy(tmp + set[0].n, "\x08\x01", 2);
		junk_gz = gzip_of(tmp, set[0].n + 2);
		memcpy(buf + n, junk_gz.p, junk_gz.n);
		n += junk_gz.n;
	}
	memset(buf + n, 0, 64);
	n += 64;
	CHECK(protodesc__scan_buffer(&s, buf, n, 0x400000, false, &why) == 0, "scan_buffer failed");
	CHECK(s.nblobs == nset + 1, "%zu blobs found, want %zu", s.nblobs, nset + 1);
	for (size_t i = 0; i < nset && i < s.nblobs; i++)
		CHECK(s.blobs[i].vaddr == 0x400000 + at[i] && s.blobs[i].len == set[i].n &&
			      s.blobs[i].storage == PROTODESC_RODATA,
		      "file %zu: found at +%#llx, %zu bytes; want +%#zx, %zu", i,
		      (unsigned long long)(s.blobs[i].vaddr - 0x400000), s.blobs[i].len, at[i], set[i].n);
	if (s.nblobs == nset + 1) {
		const struct protodesc_blob *g = &s.blobs[nset];

		CHECK(g->storage == PROTODESC_GZIP && g->vaddr == 0x400000 + gz_at &&
			      g->len == set[0].n && memcmp(g->data, set[0].p, set[0].n) == 0 &&
			      g->stored_len == gz.n,
		      "the gzipped file");
	}
	CHECK(s.nbad == 1 && strstr(s.bad[0].why, "does not parse whole"), "the gzipped tail: %zu bad",
	      s.nbad);
	for (size_t i = 0; i < s.nowned; i++)
		free(s.owned[i]);
	free(s.owned);
	free(s.blobs);
	free(s.bad);
	free(gz.p);
	free(junk_gz.p);
}

static void test_gzip_bounds(void)
{
	size_t big = PROTODESC_MAX_INFLATE + 1024, outlen, used;
	uint8_t *zeros = calloc(1, big), *out;
	struct bytes gz = gzip_of(zeros, big);
	const char *why = NULL;
	int r = protodesc__gunzip(gz.p, gz.n, &out, &outlen, &used, &why);

	CHECK(r == -E2BIG && why && out == NULL, "a gzip bomb: %d", r);
	r = protodesc__gunzip(gz.p, gz.n / 2, &out, &outlen, &used, &why);
	CHECK(r == -EINVAL && why && out == NULL, "a cut gzip stream: %d", r);
	r = protodesc__gunzip((const uint8_t *)"\x1f\x8b\x08", 3, &out, &outlen, &used, &why);
	CHECK(r == -EINVAL && why, "three bytes of magic: %d", r);
	free(gz.p);
	free(zeros);
}

/* ---- hostile bytes ---- */

/* Offset of the first top-level field numbered num in b, or b.n. */
static size_t top_field(struct bytes b, unsigned num)
{
	const uint8_t *p = b.p, *end = b.p + b.n;

	while (p < end) {
		const uint8_t *at = p;
		uint64_t tag = get_varint(&p, end);

		if ((tag >> 3) == num)
			return (size_t)(at - b.p);
		if ((tag & 7) == 2)
			p += get_varint(&p, end);
		else
			get_varint(&p, end);
	}
	return b.n;
}

static void test_raw_hostile(void)
{
	size_t k = set_index("kinds.proto");
	struct bytes b = {malloc(set[k].n * 2 + 16), set[k].n};
	static const uint8_t huge[] = "\x0a\xff\xff\xff\xff\xff\xff\xff\xff\x01" "a.proto";
	static const uint8_t ctl[] = "\x0a\x07" "a\x1b.proto\x12\x01x";
	static const uint8_t noext[] = "\x0a\x05" "a.txt\x12\x01x";
	static const uint8_t bigtag[] = "\x0a\x07" "a.proto\xff\xff\xff\xff\x7f\x00";
	size_t off, ext;
	const char *stop;
	struct protodb *db;

	CHECK(protodesc__extent(huge, sizeof(huge) - 1, NULL) == 0, "a huge name length");
	CHECK(protodesc__extent(ctl, sizeof(ctl) - 1, NULL) == 0, "a name with ESC");
	CHECK(protodesc__extent(noext, sizeof(noext) - 1, NULL) == 0, "a name without .proto");
	CHECK(protodesc__extent(bigtag, sizeof(bigtag) - 1, NULL) == 9, "a field number past 2^29");
	CHECK(protodesc__extent(NULL, 0, NULL) == 0, "nothing");
	/* A message_type field sent as a varint. */
	memcpy(b.p, set[k].p, set[k].n);
	off = top_field(b, 4);
	b.p[off] = 0x20;
	ext = protodesc__extent(b.p, b.n, &stop);
	CHECK(ext == off && strstr(stop, "does not fit"), "wrong wire type: %zu, want %zu (%s)", ext,
	      off, stop);
	db = load_with(k, b);
	CHECK(refusal_of(db, "kinds.proto") && !file_of(db, "kinds.proto"),
	      "a file cut by a wrong wire type is refused");
	protodb__free(db);
	/* A length past the end inside a message. */
	memcpy(b.p, set[k].p, set[k].n);
	b.p[off + 1] = 0x7f;
	CHECK(protodesc__extent(b.p, b.n, NULL) <= off, "a message length past the end");
	/* Two back to back: the first ends where the second starts. */
	memcpy(b.p, set[k].p, set[k].n);
	memcpy(b.p + set[k].n, set[k].p, set[k].n);
	CHECK(protodesc__extent(b.p, 2 * set[k].n, NULL) == set[k].n, "two files back to back");
	/* Every cut: never more than what is there, never a crash. */
	for (size_t cut = 0; cut <= set[k].n; cut++) {
		struct bytes c = {b.p, cut};

		ext = protodesc__extent(set[k].p, cut, NULL);
		CHECK(ext <= cut, "cut %zu: extent %zu", cut, ext);
		if (cut % 7 == 0 || cut == set[k].n - 1) {
			db = load_with(k, c);
			CHECK(file_of(db, "kinds.proto") || protodb__nrefused(db) > 0 || cut < 10,
			      "cut %zu: neither kept nor refused", cut);
			protodb__free(db);
		}
	}
	/* Every byte changed, four ways: refused or kept, never a crash. */
	for (size_t i = 0; i < set[k].n; i++) {
		const uint8_t vals[] = {0x00, 0xff, set[k].p[i] ^ 0x80, (uint8_t)(set[k].p[i] + 1)};

		for (size_t v = 0; v < sizeof(vals); v++) {
			memcpy(b.p, set[k].p, set[k].n);
			b.p[i] = vals[v];
			b.n = set[k].n;
			db = load_with(k, b);
			CHECK(protodb__nfiles(db) + protodb__nrefused(db) == nset,
			      "byte %zu = %#x: a file neither kept nor refused", i, vals[v]);
			protodb__free(db);
		}
	}
	free(b.p);
}

/* ---- hostile descriptors that parse: protocheck.c and protobuild.c ---- */

static MsgProto *find_msg(FileProto *fd, const char *name)
{
	for (size_t i = 0; i < fd->n_message_type; i++)
		if (strcmp(fd->message_type[i]->name, name) == 0)
			return fd->message_type[i];
	printf("no message %s\n", name);
	exit(1);
}

static FieldProto *find_field(MsgProto *m, const char *name)
{
	for (size_t i = 0; i < m->n_field; i++)
		if (strcmp(m->field[i]->name, name) == 0)
			return m->field[i];
	printf("no field %s\n", name);
	exit(1);
}

enum expect { REFUSED, DROPPED, KEPT };

/* Change kinds.proto with fn, load it with the rest, and check it is
 * refused (with want in the reason), or kept with a field dropped. */
static void variant(const char *what, void (*fn)(FileProto *), enum expect e, const char *want)
{
	size_t k = set_index("kinds.proto");
	FileProto *fd = unpack(set[k]);
	struct bytes b;
	struct protodb *db;
	const char *why;
	const struct protodb_file *pf;

	fn(fd);
	b = pack(fd);
	db = load_with(k, b);
	why = refusal_of(db, "kinds.proto");
	pf = file_of(db, "kinds.proto");
	if (e == REFUSED)
		CHECK(why && !pf && strstr(why, want), "%s: want refused for \"%s\", got %s", what, want,
		      why ? why : "kept");
	else if (e == DROPPED)
		CHECK(pf && pf->ndropped == 1 && strstr(pf->dropped_why, want),
		      "%s: want one field dropped for \"%s\", got %s", what, want,
		      pf ? (pf->dropped_why ? pf->dropped_why : "none") : why);
	else
		CHECK(pf && !why, "%s: want kept, got %s", what, why);
	protodb__free(db);
	free(b.p);
	protobuf_c_message_free_unpacked(&fd->base, NULL);
}

/* A variant's new strings are freed with the unpacked tree. */
static char *sdup(const char *s) { return strdup(s); }

static void v_dup_number(FileProto *fd)
{
	find_field(find_msg(fd, "All"), "f_float")->number = 1;
}
static void v_reserved(FileProto *fd)
{
	find_field(find_msg(fd, "All"), "f_float")->number = 19500;
}
static void v_zero(FileProto *fd)
{
	find_field(find_msg(fd, "All"), "f_float")->number = 0;
}
static void v_too_big(FileProto *fd)
{
	find_field(find_msg(fd, "All"), "f_float")->number = 1 << 29;
}
static void v_ctl_name(FileProto *fd)
{
	MsgProto *m = find_msg(fd, "Node");

	free(m->name);
	m->name = sdup("No\x1b[31mde");
}
static void v_dup_field_name(FileProto *fd)
{
	FieldProto *f = find_field(find_msg(fd, "All"), "f_float");

	free(f->name);
	f->name = sdup("f_double");
}
/* All.f_node names another type. */
static void retype(FileProto *fd, const char *type_name)
{
	FieldProto *f = find_field(find_msg(fd, "All"), "f_node");

	free(f->type_name);
	f->type_name = sdup(type_name);
}
static void v_unresolved(FileProto *fd) { retype(fd, ".nowhere.Missing"); }
static void v_enum_as_message(FileProto *fd) { retype(fd, ".gogrpctrace.unit.Color"); }
static void v_relative(FileProto *fd) { retype(fd, "Node"); }
static void v_label(FileProto *fd)
{
	find_field(find_msg(fd, "All"), "f_float")->label = 4;
}
static void v_type(FileProto *fd)
{
	find_field(find_msg(fd, "All"), "f_float")->type = 19;
}
static void v_oneof(FileProto *fd)
{
	FieldProto *f = find_field(find_msg(fd, "All"), "f_float");

	f->has_oneof_index = 1;
	f->oneof_index = 7;
}
static void v_json_ctl(FileProto *fd)
{
	FieldProto *f = find_field(find_msg(fd, "All"), "f_float");

	free(f->json_name);
	f->json_name = sdup("a\nb");
}
static void v_map_shape(FileProto *fd)
{
	MsgProto *all = find_msg(fd, "All");

	for (size_t i = 0; i < all->n_nested_type; i++)
		if (strcmp(all->nested_type[i]->name, "CountsEntry") == 0)
			all->nested_type[i]->field[0]->number = 3;
}
static void v_map_not_repeated(FileProto *fd)
{
	find_field(find_msg(fd, "All"), "counts")->label = 1;
}
static void v_syntax(FileProto *fd)
{
	free(fd->syntax);
	fd->syntax = sdup("proto4");
}
static void v_method_missing(FileProto *fd)
{
	free(fd->service[0]->method[0]->input_type);
	fd->service[0]->method[0]->input_type = sdup(".nowhere.Request");
}
static void v_dup_method(FileProto *fd)
{
	free(fd->service[0]->method[1]->name);
	fd->service[0]->method[1]->name = sdup("Unary");
}
static void v_enum_alias(FileProto *fd)
{
	fd->enum_type[0]->value[2]->number = 1;
}
static void v_package(FileProto *fd)
{
	free(fd->package);
	fd->package = sdup("a..b");
}

/* Messages nested depth deep in one file. */
static struct bytes nested_file(int depth)
{
	FileProto fd = GOOGLE__PROTOBUF__FILE_DESCRIPTOR_PROTO__INIT;
	MsgProto *m = calloc((size_t)depth, sizeof(*m));
	MsgProto **top = calloc(1, sizeof(*top));
	MsgProto **links = calloc((size_t)depth, sizeof(*links));
	struct bytes b;

	for (int i = 0; i < depth; i++) {
		google__protobuf__descriptor_proto__init(&m[i]);
		m[i].name = "N";
		if (i + 1 < depth) {
			links[i] = &m[i + 1];
			m[i].n_nested_type = 1;
			m[i].nested_type = &links[i];
		}
	}
	top[0] = &m[0];
	fd.name = "deep.proto";
	fd.package = "deep";
	fd.n_message_type = 1;
	fd.message_type = top;
	fd.syntax = "proto3";
	b = pack(&fd);
	free(m);
	free(top);
	free(links);
	return b;
}

static void test_nesting(void)
{
	struct bytes ok = nested_file(PROTODESC_MAX_DEPTH), deep = nested_file(PROTODESC_MAX_DEPTH + 1);
	struct protodb *db;
	char name[PROTODESC_MAX_DEPTH * 2 + 8] = "deep";

	CHECK(protodesc__extent(ok.p, ok.n, NULL) == ok.n, "%d deep: cut", PROTODESC_MAX_DEPTH);
	CHECK(protodesc__extent(deep.p, deep.n, NULL) < deep.n, "%d deep: not cut",
	      PROTODESC_MAX_DEPTH + 1);
	db = load(&ok, 1);
	for (int i = 0; i < PROTODESC_MAX_DEPTH; i++)
		strcat(name, ".N");
	CHECK(protodb__nfiles(db) == 1 && protodb__message(db, name), "%d deep: not kept",
	      PROTODESC_MAX_DEPTH);
	protodb__free(db);
	db = load(&deep, 1);
	CHECK(protodb__nfiles(db) == 0 && refusal_of(db, "deep.proto"), "%d deep: not refused",
	      PROTODESC_MAX_DEPTH + 1);
	protodb__free(db);
	free(ok.p);
	free(deep.p);
}

/* The same file twice, and two files defining one name. */
static void test_duplicates(void)
{
	size_t k = set_index("kinds.proto");
	struct bytes v[MAX_FILES + 2];
	struct protodb *db;
	FileProto *fd;
	struct bytes other;

	memcpy(v, set, nset * sizeof(*v));
	v[nset] = set[k];
	db = load(v, nset + 1);
	CHECK(protodb__nfiles(db) == nset && protodb__nrefused(db) == 0 &&
		      protodb__stats(db)->identical_dups == 1,
	      "an identical duplicate");
	protodb__free(db);
	fd = unpack(set[k]);
	fd->service[0]->method[0]->has_client_streaming = 1;
	fd->service[0]->method[0]->client_streaming = 1;
	other = pack(fd);
	v[nset] = other;
	db = load(v, nset + 1);
	CHECK(protodb__nfiles(db) == nset && protodb__nrefused(db) == 1 &&
		      protodb__stats(db)->differing_dups == 1 &&
		      !protodb__method(db, "/gogrpctrace.unit.Kinds/Unary")->client_streaming,
	      "a differing duplicate: the first kept");
	protodb__free(db);
	free(other.p);
	free(fd->name);
	fd->name = sdup("kinds2.proto");
	other = pack(fd);
	v[nset] = other;
	db = load(v, nset + 1);
	CHECK(protodb__nfiles(db) == nset && refusal_of(db, "kinds2.proto") &&
		      strstr(refusal_of(db, "kinds2.proto"), "an earlier file defined"),
	      "two files defining gogrpctrace.unit.All");
	protodb__free(db);
	free(other.p);
	protobuf_c_message_free_unpacked(&fd->base, NULL);
}

static int measure(int n, char **paths)
{
	int bad = 0;

	for (int i = 0; i < n; i++) {
		char err[GOBIN_ERRLEN];
		struct gobin *gb = NULL;
		struct protodesc_set *s;
		const char *why;
		size_t kinds[3] = {0}, zero = 0, next = 0, other = 0, ambiguous = 0, repack = 0;

		if (gobin__open(paths[i], NULL, &gb, err, sizeof(err)) || protodesc__find(gb, &s, &why)) {
			printf("%s: %s\n", paths[i], gb ? why : err);
			gobin__close(gb);
			bad = 1;
			continue;
		}
		for (size_t k = 0; k < s->nblobs; k++) {
			const struct protodesc_blob *b = &s->blobs[k];
			const uint8_t *after = gobin__image_bytes(gb, b->vaddr, b->len + 16);
			FileProto *fd = unpack((struct bytes){(uint8_t *)b->data, b->len});
			const char *stop = "end of the segment";
			bool at_next = false;

			kinds[b->storage]++;
			if (!fd || protobuf_c_message_get_packed_size(&fd->base) != b->len) {
				repack++;
				printf("  %s at %#llx: protobuf-c packs it to another length\n",
				       protodesc__storage_name(b->storage), (unsigned long long)b->vaddr);
			}
			if (fd)
				protobuf_c_message_free_unpacked(&fd->base, NULL);
			if (b->storage == PROTODESC_GZIP)
				continue;
			for (size_t j = 0; j < s->nblobs; j++)
				at_next |= s->blobs[j].vaddr == b->vaddr + b->len;
			if (after)
				protodesc__extent(after, b->len + 16, &stop);
			if (after && after[b->len] == 0)
				zero++;
			else if (at_next)
				next++;
			else {
				other++;
				ambiguous += strcmp(stop, "field numbers out of order") == 0 ||
					     strcmp(stop, "a singular field repeated") == 0;
				printf("  %s at %#llx, %zu bytes: then %s\n",
				       protodesc__storage_name(b->storage), (unsigned long long)b->vaddr,
				       b->len, stop);
			}
		}
		printf("%s: %zu descriptors (%zu rodata, %zu data, %zu gzip); plain ones end at zero "
		       "bytes %zu, at the next descriptor %zu, elsewhere %zu (ambiguous %zu); "
		       "protobuf-c packs %zu to another length\n",
		       paths[i], s->nblobs, kinds[0], kinds[1], kinds[2], zero, next, other,
		       ambiguous, repack);
		bad |= ambiguous || repack;
		protodesc__free(s);
		gobin__close(gb);
	}
	return bad;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "--measure") == 0)
		return measure(argc - 2, argv + 2);
	if (argc != 2) {
		fprintf(stderr, "usage: check-protodb DESCRIPTOR_SET\n");
		return 2;
	}
	read_set(argv[1]);
	test_valid();
	test_scan_packed();
	test_gzip_bounds();
	test_raw_hostile();
	test_nesting();
	test_duplicates();
	variant("duplicate number", v_dup_number, REFUSED, "two fields numbered 1");
	variant("reserved number", v_reserved, REFUSED, "19000..19999");
	variant("number 0", v_zero, REFUSED, "no number");
	variant("number 2^29", v_too_big, REFUSED, "no number");
	variant("ESC in a name", v_ctl_name, REFUSED, "not an identifier");
	variant("duplicate field name", v_dup_field_name, REFUSED, "f_double twice");
	variant("a type nowhere", v_unresolved, DROPPED, ".nowhere.Missing");
	variant("an enum for a message", v_enum_as_message, DROPPED, "no message");
	variant("a relative type name", v_relative, REFUSED, "not .pkg.Type");
	variant("label 4", v_label, REFUSED, "no label");
	variant("type 19", v_type, REFUSED, "no type");
	variant("oneof index", v_oneof, REFUSED, "oneof index");
	variant("json_name with LF", v_json_ctl, REFUSED, "json_name");
	variant("map entry shape", v_map_shape, REFUSED, "map entry");
	variant("map field not repeated", v_map_not_repeated, DROPPED, "map entry");
	variant("syntax proto4", v_syntax, REFUSED, "not one FileDescriptorProto");
	variant("method input nowhere", v_method_missing, KEPT, "");
	variant("method twice", v_dup_method, REFUSED, "Unary twice");
	variant("enum alias without allow_alias", v_enum_alias, REFUSED, "allow_alias");
	variant("package a..b", v_package, REFUSED, "package name");
	{
		/* The method whose input is nowhere: NULL input, output kept. */
		size_t k = set_index("kinds.proto");
		FileProto *fd = unpack(set[k]);
		struct bytes b;
		struct protodb *db;
		const struct pm_method *me;

		v_method_missing(fd);
		b = pack(fd);
		db = load_with(k, b);
		me = protodb__method(db, "/gogrpctrace.unit.Kinds/Unary");
		CHECK(me && !me->input && me->output && protodb__stats(db)->unresolved_methods == 1,
		      "a method with an input type nowhere");
		protodb__free(db);
		free(b.p);
		protobuf_c_message_free_unpacked(&fd->base, NULL);
	}
	for (size_t i = 0; i < nset; i++)
		free(set[i].p);
	if (failures)
		return 1;
	printf("ok\n");
	return 0;
}
