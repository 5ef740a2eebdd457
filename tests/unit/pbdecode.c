/* pbdecode.c - check-pbdecode: the payload decoder (tool/pbdecode.h),
 * tool/pbgzip.h, tool/json.c's escaping and tool/shortfloat.h, with no
 * root, no Go and no protoc.
 *
 * The messages are protoc's encodings of pbdecode/cases.txt (pbdecode/
 * wire.h, made by pbdecode/gen.sh), decoded against hand-made models of
 * their protos (pbdecode/models.h). The expected JSON of each was
 * compared, parsed, with Go protojson's output for the same bytes when it
 * was written; it is checked here to the byte. Then: protobuf's parse
 * semantics on concatenated messages (oneofs, merging, last wins, packed
 * and unpacked mixed), unknown fields, hostile bytes (each must fail with
 * its reason), nesting limits, and every message cut at every byte
 * (decoded without error, valid JSON, printable ASCII text).
 * Prints "ok" and exits 0, or names each failure. `--dump` prints every
 * case's outputs; `--bench` times the rich message.
 */
#include "../../tool/json.h"
#include "../../tool/pbdecode.h"
#include "../../tool/pbgzip.h"
#include "../../tool/shortfloat.h"
#include "pbdecode/jsoncheck.h"
#include "pbdecode/models.h"
#include "pbdecode/wire.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

static int failures;

#define FAIL(...)                                                                                 \
	do {                                                                                      \
		printf(__VA_ARGS__);                                                              \
		putchar('\n');                                                                    \
		failures++;                                                                       \
	} while (0)

/* One decode: its return, output (malloc'd) and result. Filled in place:
 * res.error points into res itself, so a copy would not do. */
struct run {
	int rc;
	char *out;
	struct pbdecode_result res;
};

static void decode_into(struct run *r, bool text, const struct pm_message *t, const void *buf,
			size_t len, bool cut)
{
	size_t n = 0;
	FILE *f;

	r->out = NULL;
	f = open_memstream(&r->out, &n);
	if (!f) {
		perror("open_memstream");
		exit(2);
	}
	r->rc = (text ? pbdecode__text : pbdecode__json)(f, t, buf, len, cut, &test_types, &r->res);
	fclose(f);
}

#define decode(r, ...) decode_into(&(r), __VA_ARGS__)


/* --- every case of cases.txt, to the byte --- */

static const struct expect {
	const char *name;
	bool json_fails; /* protojson refuses it too: json is the reason */
	const char *json, *text;
} expected[] = {
#include "pbdecode/expected.h"
};

static const struct wire_case *wire(const char *name)
{
	for (size_t i = 0; i < N_(wire_cases); i++)
		if (strcmp(wire_cases[i].name, name) == 0)
			return &wire_cases[i];
	printf("no wire case %s\n", name);
	exit(2);
}

static void check_cases(void)
{
	if (N_(expected) != N_(wire_cases))
		FAIL("%zu expectations for %zu cases of cases.txt", N_(expected), N_(wire_cases));
	for (size_t i = 0; i < N_(expected); i++) {
		const struct expect *x = &expected[i];
		const struct wire_case *c = wire(x->name);
		const struct pm_message *t = find_type(NULL, c->type);
		struct run j;
		decode(j, false, t, c->bytes, c->len, false);
		struct run tx;
		decode(tx, true, t, c->bytes, c->len, false);

		if (x->json_fails) {
			if (j.rc != -EBADMSG || !j.res.error || strcmp(j.res.error, x->json) != 0)
				FAIL("%s: json: rc %d error %s, want -EBADMSG and %s", x->name, j.rc,
				     j.res.error, x->json);
		} else if (j.rc != 0 || strcmp(j.out, x->json) != 0 || j.res.error || j.res.truncated) {
			FAIL("%s: json: rc %d (%s)\n got  %s\n want %s", x->name, j.rc, j.res.error, j.out,
			     x->json);
		} else if (!valid_json(j.out)) {
			FAIL("%s: json output does not parse: %s", x->name, j.out);
		}
		if (tx.rc != 0 || strcmp(tx.out, x->text) != 0 || !printable_ascii(tx.out))
			FAIL("%s: text: rc %d (%s)\n got  %s\n want %s", x->name, tx.rc, tx.res.error,
			     tx.out, x->text);
		free(j.out);
		free(tx.out);
	}
}

/* --- protobuf's parse semantics on bytes protoc does not write --- */

/* Concatenate up to four cases' bytes (a parser merges them). */
static size_t concat(unsigned char *buf, size_t cap, const char *a, const char *b, const char *c,
		     const char *d)
{
	const char *names[] = {a, b, c, d};
	size_t n = 0;

	for (int i = 0; i < 4; i++) {
		const struct wire_case *w;

		if (!names[i])
			continue;
		w = wire(names[i]);
		if (n + w->len > cap) {
			printf("concat: too long\n");
			exit(2);
		}
		memcpy(buf + n, w->bytes, w->len);
		n += w->len;
	}
	return n;
}

static void expect_json(const char *what, const struct pm_message *t, const void *buf, size_t len,
			bool cut, const char *want)
{
	struct run r;
	decode(r, false, t, buf, len, cut);

	if (r.rc != 0 || strcmp(r.out, want) != 0 || r.res.truncated != cut || !valid_json(r.out))
		FAIL("%s: json: rc %d (%s) truncated %d\n got  %s\n want %s", what, r.rc, r.res.error,
		     r.res.truncated, r.out, want);
	free(r.out);
}

static void expect_text(const char *what, const struct pm_message *t, const void *buf, size_t len,
			bool cut, const char *want)
{
	struct run r;
	decode(r, true, t, buf, len, cut);

	if (r.rc != 0 || strcmp(r.out, want) != 0 || r.res.truncated != cut || !printable_ascii(r.out))
		FAIL("%s: text: rc %d (%s)\n got  %s\n want %s", what, r.rc, r.res.error, r.out, want);
	free(r.out);
}

enum { JSON_ONLY = 1, BOTH = 2 };

/* The forms (JSON, or both) must refuse the bytes with a reason that
 * contains want. Text format refuses less: it has no value to refuse. */
static void expect_error_in(int forms, const char *what, const struct pm_message *t,
			    const void *buf, size_t len, bool cut, const char *want)
{
	for (int text = 0; text < forms; text++) {
		struct run r;
		decode(r, text, t, buf, len, cut);

		if (r.rc != -EBADMSG || !r.res.error || !strstr(r.res.error, want))
			FAIL("%s: %s: rc %d error \"%s\", want -EBADMSG and \"%s\" (output %s)", what,
			     text ? "text" : "json", r.rc, r.res.error, want, r.out);
		free(r.out);
	}
}

static void check_semantics(void)
{
	unsigned char b[4096];
	size_t n;

	/* A oneof keeps the member set last; a message member set again
	 * after another member starts afresh, set twice in a row merges. */
	n = concat(b, sizeof(b), "choice_text", "choice_num", NULL, NULL);
	expect_json("oneof text then num", &t_rich, b, n, false, "{\"num\":17}");
	expect_text("oneof text then num", &t_rich, b, n, false, "{num: 17}");
	n = concat(b, sizeof(b), "choice_node", "choice_text", "choice_node2", NULL);
	expect_json("oneof node, text, node", &t_rich, b, n, false,
		    "{\"node\":{\"kids\":[{\"name\":\"k\"}],\"n\":2}}");
	n = concat(b, sizeof(b), "choice_node", "choice_node2", NULL, NULL);
	expect_json("oneof node merged", &t_rich, b, n, false,
		    "{\"node\":{\"name\":\"first\",\"kids\":[{\"name\":\"k\"}],\"n\":2}}");
	expect_text("oneof node merged", &t_rich, b, n, false,
		    "{node {name: \"first\" kids {name: \"k\"} n: 2}}");
	/* A singular scalar: the last occurrence counts. */
	n = concat(b, sizeof(b), "scalars", "extremes", NULL, NULL);
	expect_json("last wins", &t_scalars, b, n, false,
		    "{\"d\":1e+21,\"f\":1.5e-7,\"i64\":\"-9007199254740993\",\"u64\":\"1\",\"i32\":-42,"
		    "\"fx64\":\"12345678901234\",\"fx32\":1,\"b\":true,\"s\":\"h\303\251llo "
		    "\\\"q\\\"\\n\\t\\u0001\\u0085\",\"by\":\"AAH+/w==\",\"u32\":4000000000,\"color\":"
		    "\"RED\",\"sfx32\":-5,\"sfx64\":\"-6\",\"si32\":-7,\"si64\":\"-8000000000\"}");
	/* A message field set twice merges (the nested repeated appends). */
	n = concat(b, sizeof(b), "rich", "rich", NULL, NULL);
	{
		struct run r;
		decode(r, false, &t_rich, b, n, false);

		if (r.rc || !strstr(r.out, "\"packed\":[1,-1,300,2147483647,-2147483648,1,-1,300,"
					   "2147483647,-2147483648]") ||
		    !strstr(r.out, "\"root\":{\"name\":\"r\",\"next\":{\"name\":\"r2\",\"next\":{\"name"
				   "\":\"r3\",\"kids\":[{\"n\":1},{\"n\":1}]}}}}") ||
		    !valid_json(r.out))
			FAIL("rich twice: rc %d %s", r.rc, r.out);
		free(r.out);
	}
	/* Packed and unpacked occurrences of one field, in wire order. */
	{
		static const unsigned char mix[] = {0x10, 0x05, 0x12, 0x02, 0x06, 0x07, 0x10, 0x08,
						    0x1a, 0x02, 0x01, 0x02, 0x12, 0x00};

		expect_json("packed and unpacked", &t_rich, mix, sizeof(mix), false,
			    "{\"packed\":[5,6,7,8],\"unpacked\":[1,2]}");
		expect_text("packed and unpacked", &t_rich, mix, sizeof(mix), false,
			    "{packed: 5 packed: 6 packed: 7 packed: 8 unpacked: 1 unpacked: 2}");
		/* An empty packed run alone: no element, no field. */
		expect_json("empty packed", &t_rich, mix + 12, 2, false, "{}");
	}
	/* Map entries missing their key or value: the defaults. */
	{
		static const unsigned char maps[] = {
			0x42, 0x02, 0x08, 0x05,		  /* by_id {key: 5} */
			0x3a, 0x02, 0x10, 0x03,		  /* by_name {value: 3} */
			0x52, 0x02, 0x08, 0x04,		  /* colors {key: 4} */
			0x3a, 0x05, 0x0a, 0x01, 'a', 0x10, 0x01, /* by_name {key: "a" value: 1} */
		};

		expect_json("map defaults", &t_rich, maps, sizeof(maps), false,
			    "{\"byName\":{\"\":3,\"a\":1},\"byId\":{\"5\":{}},"
			    "\"colors\":{\"4\":\"COLOR_UNSPECIFIED\"}}");
		expect_text("map defaults", &t_rich, maps, sizeof(maps), false,
			    "{by_name {value: 3} by_name {key: \"a\" value: 1} by_id {key: 5} colors {key: 4}}");
	}
	/* A Struct's entry without a value is a Value with no kind: refused
	 * as protojson refuses it. */
	{
		static const unsigned char st[] = {0xba, 0x01, 0x05, 0x0a, 0x03, 0x0a, 0x01, 'k'};

		expect_error_in(JSON_ONLY, "struct entry without value", &t_rich, st, sizeof(st), false,
				"no kind set");
	}
	/* Numbers the type does not have: kept by number, groups skipped. */
	{
		static const unsigned char unk[] = {
			0x78, 0x02,			  /* color: GREEN (15, known) */
			0x08, 0x96, 0x01,		  /* 1: 150 */
			0x15, 0x01, 0x00, 0x00, 0x80,	  /* 2: fixed32 */
			0x19, 1, 0, 0, 0, 0, 0, 0, 0x80, /* 3: fixed64 */
			0x22, 0x03, 'a', 'b', 'c',	  /* 4: bytes */
			0x9b, 0x06, 0x08, 0x01, 0x9c, 0x06, /* 99: a group, skipped */
			0x08, 0x01,			  /* 1 again: an array */
		};

		expect_json("unknown fields", &t_small, unk, sizeof(unk), false,
			    "{\"1\":[\"150\",\"1\"],\"2\":\"2147483649\",\"3\":\"9223372036854775809\","
			    "\"4\":\"YWJj\",\"color\":\"GREEN\"}");
		expect_text("unknown fields", &t_small, unk, sizeof(unk), false,
			    "{1: 150 1: 1 2: 2147483649 3: 9223372036854775809 4: \"abc\" color: GREEN}");
	}
	/* Invalid UTF-8 in a string: U+FFFD in JSON, octal in text. */
	{
		static const unsigned char bad[] = {0x4a, 0x06, 'a', 0xff, 0xc0, 0xaf, 0xed, 0xa0};

		expect_json("invalid UTF-8", &t_scalars, bad, sizeof(bad), false,
			    "{\"s\":\"a\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"}");
		expect_text("invalid UTF-8", &t_scalars, bad, sizeof(bad), false,
			    "{s: \"a\\377\\300\\257\\355\\240\"}");
	}
	/* Any: a type not found keeps its bytes; a found type nested in
	 * Anys; the type URL read after its last '/'. */
	{
		static const unsigned char any[] = {0xb2, 0x01, 0x0e, 0x0a, 0x0a, 'x', '/', 'p', 'b', 't',
						    'e', 's', 't', '.', 'X', 0x12, 0x00};

		expect_json("any not found", &t_rich, any, sizeof(any), false,
			    "{\"any\":{\"@type\":\"x/pbtest.X\",\"value\":\"\"}}");
		expect_text("any not found", &t_rich, any, sizeof(any), false,
			    "{any {type_url: \"x/pbtest.X\" value: \"\"}}");
	}
	/* Legacy groups and a proto2 float. */
	{
		static const unsigned char g[] = {0x13, 0x1a, 0x01, 'x', 0x14, 0x13, 0x20, 0x02, 0x14};

		expect_json("group merged", &t_legacy, g, sizeof(g), false,
			    "{\"item\":{\"label\":\"x\",\"qty\":2}}");
		expect_text("group merged", &t_legacy, g, sizeof(g), false,
			    "{Item {label: \"x\" qty: 2}}");
	}
}

/* More oneof members present than the quick settling takes (8): the
 * general one, same answers. Fields 1..10, odd ones in oneof 0, even ones
 * in oneof 1. */
#define WIDE(n, nm) FLD(n, nm, nm, PM_INT32, false, (n) % 2 ? 0 : 1, NULL, NULL)
static const struct pm_field wide_f[] = {
	WIDE(1, "a"), WIDE(2, "b"), WIDE(3, "c"), WIDE(4, "d"), WIDE(5, "e"),
	WIDE(6, "f"), WIDE(7, "g"), WIDE(8, "h"), WIDE(9, "i"), WIDE(10, "j"),
};
static const char *const wide_oneofs[] = {"odd", "even"};
TYPE(t_wide, "pbtest.Wide", wide_f, .noneofs = 2, .oneof_names = wide_oneofs);

static void check_many_oneof_members(void)
{
	static const unsigned char many[] = {0x08, 1,	 0x10, 2, 0x18, 3, 0x20, 4, 0x28, 5, 0x30, 6,
					     0x38, 7,	 0x40, 8, 0x48, 9, 0x50, 10, 0x08, 11};
	static const unsigned char few[] = {0x50, 10, 0x48, 9, 0x08, 11};

	expect_json("ten oneof members", &t_wide, many, sizeof(many), false, "{\"a\":11,\"j\":10}");
	expect_json("three oneof members", &t_wide, few, sizeof(few), false, "{\"a\":11,\"j\":10}");
	expect_text("ten oneof members", &t_wide, many, sizeof(many), false, "{a: 11 j: 10}");
}

/* --- hostile bytes --- */

static void check_hostile(void)
{
	static const struct {
		const char *what;
		const struct pm_message *type;
		unsigned char bytes[32];
		size_t len;
		const char *error;
	} cases[] = {
		{"varint of 11 bytes", &t_scalars,
		 {0x28, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 12,
		 "field 5 (i32): varint longer than 10 bytes"},
		{"varint past 64 bits", &t_scalars,
		 {0x28, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}, 11,
		 "varint longer than 10 bytes"},
		{"tag of 11 bytes", &t_scalars,
		 {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 11,
		 "bad tag at byte 0"},
		{"field number 0", &t_scalars, {0x00, 0x01}, 2, "bad tag at byte 0"},
		{"field number 2^29", &t_scalars, {0x80, 0x80, 0x80, 0x80, 0x10, 0x01}, 6, "bad tag"},
		{"length past the end", &t_rich,
		 {0x0a, 0x05, 0x28, 0x07}, 4,
		 "field 1 (scalars): length 5 runs past the end"},
		{"length of 11 bytes", &t_rich,
		 {0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 12,
		 "length longer than 10 bytes"},
		{"huge length", &t_rich,
		 {0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f}, 6,
		 "length 4294967295 runs past the end"},
		{"nested length past its message", &t_rich,
		 {0x0a, 0x04, 0x4a, 0x05, 'a', 'b'}, 6,
		 "in pbtest.Scalars: field 9 (s): length 5 runs past the end"},
		{"message as varint", &t_rich, {0x08, 0x01}, 2, "field 1 (scalars) has wire type 0"},
		{"string as fixed32", &t_scalars, {0x4d, 1, 2, 3, 4}, 5, "field 9 (s) has wire type 5"},
		{"double as varint", &t_scalars, {0x08, 0x01}, 2, "field 1 (d) has wire type 0"},
		{"singular packed", &t_scalars, {0x2a, 0x01, 0x01}, 3, "field 5 (i32) has wire type 2"},
		{"wire type 6", &t_rich, {0x0e}, 1, "field 1 (scalars) has wire type 6"},
		{"unknown wire type 7", &t_small, {0xff, 0x07}, 2, "field 127 has wire type 7"},
		{"end group without start", &t_small, {0x0c}, 1, "end group 1 without a start"},
		{"known field ended as a group", &t_rich, {0x0c}, 1, "field 1 (scalars) has wire type 4"},
		{"group ended by another", &t_legacy, {0x13, 0x1c}, 2, "group 2 ended by end group 3"},
		{"unknown group ended by another", &t_small,
		 {0x0b, 0x08, 0x01, 0x14}, 4,
		 "group 1 ended by end group 2"},
		{"group without end", &t_legacy, {0x13, 0x20, 0x01}, 3, "field 2 (item): group has no end"},
		{"group as LEN", &t_legacy, {0x12, 0x00}, 2, "field 2 (item) has wire type 2"},
		{"message as group", &t_rich, {0x0b, 0x0c}, 2, "field 1 (scalars) has wire type 3"},
		{"packed varints cut", &t_rich,
		 {0x12, 0x02, 0x01, 0xff}, 4,
		 "field 2 (packed): packed values do not parse"},
		{"packed fixed32 remainder", &t_rich,
		 {0x92, 0x01, 0x03, 1, 2, 3}, 6,
		 "field 18 (fixeds): packed values do not parse"},
		{"packed varint of 11 bytes", &t_rich,
		 {0x12, 0x0b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 13,
		 "packed values do not parse"},
		{"ends inside a varint", &t_scalars, {0x28, 0x80}, 2, "field 5 (i32) runs past the end"},
		{"ends inside a tag", &t_scalars, {0x80}, 1, "a tag runs past the end"},
		{"ends inside fixed64", &t_scalars, {0x09, 1, 2, 3}, 4, "field 1 (d) runs past the end"},
		{"map entry wrong", &t_rich,
		 {0x3a, 0x02, 0x08, 0x01}, 4,
		 "in pbtest.Rich.ByNameEntry: field 1 (key) has wire type 0"},
		{"timestamp nanos", &t_timestamp,
		 {0x10, 0x80, 0x94, 0xeb, 0xdc, 0x03}, 6,
		 "out of range (seconds 0, nanos 1000000000)"},
	};

	for (size_t i = 0; i < N_(cases); i++) {
		size_t used = sizeof(cases[i].bytes);

		while (used > 0 && cases[i].bytes[used - 1] == 0)
			used--;
		if (cases[i].len < used || cases[i].len > sizeof(cases[i].bytes))
			FAIL("%s: the test's length %zu is wrong", cases[i].what, cases[i].len);
		expect_error_in(cases[i].type->wkt ? JSON_ONLY : BOTH, cases[i].what, cases[i].type,
				cases[i].bytes, cases[i].len, false, cases[i].error);
	}
	/* Cut, the same bytes that end too soon are what was captured. */
	{
		static const unsigned char cut1[] = {0x0a, 0x05, 0x28, 0x07};
		static const unsigned char cut2[] = {0x28, 0x80};
		static const unsigned char cut3[] = {0x12, 0x03, 0x01, 0x96};
		static const unsigned char cut4[] = {0x13, 0x20, 0x01};
		static const unsigned char cut5[] = {0x3a, 0x05, 0x0a, 0x01, 'a', 0x10};
		static const unsigned char cut6[] = {0x4a, 0x05, 'a', 'b'};

		expect_json("cut nested", &t_rich, cut1, sizeof(cut1), true, "{\"scalars\":{\"i32\":7}}");
		expect_text("cut nested", &t_rich, cut1, sizeof(cut1), true, "{scalars {i32: 7}}");
		expect_json("cut varint", &t_scalars, cut2, sizeof(cut2), true, "{}");
		expect_json("cut packed", &t_rich, cut3, sizeof(cut3), true, "{\"packed\":[1]}");
		expect_json("cut group", &t_legacy, cut4, sizeof(cut4), true, "{\"item\":{\"qty\":1}}");
		expect_text("cut group", &t_legacy, cut4, sizeof(cut4), true, "{Item {qty: 1}}");
		expect_json("cut map entry", &t_rich, cut5, sizeof(cut5), true, "{}");
		expect_json("cut string", &t_scalars, cut6, sizeof(cut6), true, "{}");
		/* A declared length past the message that holds it is wrong
		 * even when the bytes are cut. */
		expect_error_in(BOTH, "cut but too long", &t_rich,
				(const unsigned char[]){0x0a, 0x02, 0x4a, 0x05}, 4, true,
				"length 5 runs past the end");
	}
}

/* Messages built from the inside out, at the end of buf. */
struct build {
	unsigned char buf[8192];
	size_t n;
};

static void prepend(struct build *b, const void *p, size_t len)
{
	memcpy(b->buf + sizeof(b->buf) - b->n - len, p, len);
	b->n += len;
}

/* What there is becomes the value of a LEN field with this tag. */
static void wrap(struct build *b, unsigned char tag)
{
	unsigned char len[5];
	size_t l = 0;
	uint32_t v = (uint32_t)b->n;

	do {
		len[l++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	prepend(b, len, l);
	prepend(b, &tag, 1);
}

static const unsigned char *built(const struct build *b)
{
	return b->buf + sizeof(b->buf) - b->n;
}

/* Node{next: Node{next: ... {n: 1}}}, depth levels below the top. */
static void nest(struct build *b, int depth)
{
	b->n = 0;
	prepend(b, (const unsigned char[]){0x20, 0x01}, 2);
	for (int i = 0; i < depth; i++)
		wrap(b, 0x1a);
}

static void check_depth(void)
{
	static const char url[] = "type.googleapis.com/google.protobuf.Any";
	static struct build b;

	nest(&b, 64);
	for (int text = 0; text < 2; text++) {
		struct run r;
		decode(r, text, &t_node, built(&b), b.n, false);

		if (r.rc != 0 || (!text && !valid_json(r.out)))
			FAIL("64 levels below the top: rc %d (%s)", r.rc, r.res.error);
		free(r.out);
	}
	nest(&b, 65);
	expect_error_in(BOTH, "65 levels", &t_node, built(&b), b.n, false,
			"messages nested more than 64 deep");
	/* Cut anywhere, the limit holds and nothing breaks. */
	for (size_t k = 0; k < b.n; k++) {
		struct run r;
		decode(r, false, &t_node, built(&b), k, true);

		if ((r.rc != 0 && r.rc != -EBADMSG) || (r.rc == 0 && !valid_json(r.out)))
			FAIL("65 levels cut at %zu: rc %d %s", k, r.rc, r.out);
		free(r.out);
	}
	/* Unknown groups nested past the limit. */
	b.n = 0;
	for (int i = 0; i < 70; i++)
		prepend(&b, "\x0c", 1); /* end group 1 */
	for (int i = 0; i < 70; i++)
		prepend(&b, "\x0b", 1); /* start group 1 */
	expect_error_in(BOTH, "groups 70 deep", &t_small, built(&b), b.n, false,
			"groups nested more than 64 deep");
	/* Any in Any in Any ...: their levels count too. */
	b.n = 0;
	for (int i = 0; i < 70; i++) {
		wrap(&b, 0x12); /* value */
		prepend(&b, url, sizeof(url) - 1);
		prepend(&b, (const unsigned char[]){0x0a, sizeof(url) - 1}, 2); /* type_url */
	}
	expect_error_in(BOTH, "Any 70 deep", &t_any, built(&b), b.n, false,
			"messages nested more than 64 deep");
}

/* Every message cut at every byte: decoded as far as it goes, never an
 * error, always valid JSON and printable text. */
static void check_every_cut(void)
{
	for (size_t i = 0; i < N_(expected); i++) {
		const struct wire_case *c = wire(expected[i].name);
		const struct pm_message *t = find_type(NULL, c->type);

		if (expected[i].json_fails)
			continue;
		for (size_t k = 0; k < c->len; k++) {
			struct run j;
			decode(j, false, t, c->bytes, k, true);
			struct run tx;
			decode(tx, true, t, c->bytes, k, true);
			struct run whole;
			decode(whole, false, t, c->bytes, k, false);

			if (j.rc != 0 || !j.res.truncated || !valid_json(j.out))
				FAIL("%s cut at %zu: json: rc %d (%s) %s", c->name, k, j.rc, j.res.error,
				     j.out);
			if (tx.rc != 0 || !tx.res.truncated || !printable_ascii(tx.out))
				FAIL("%s cut at %zu: text: rc %d (%s) %s", c->name, k, tx.rc,
				     tx.res.error, tx.out);
			/* Not said to be cut: a clean error, or (at a field's end)
			 * a message of its own. */
			if ((whole.rc != 0 && whole.rc != -EBADMSG) || (whole.rc == 0 && !valid_json(whole.out)) ||
			    (whole.rc != 0 && !whole.res.error))
				FAIL("%s ending at %zu, not cut: rc %d (%s)", c->name, k, whole.rc,
				     whole.res.error);
			free(j.out);
			free(tx.out);
			free(whole.out);
		}
	}
	/* The rich message cut in its first field's nested message. */
	expect_json("rich cut at 40", &t_rich, wire_rich, 40, true,
		    "{\"scalars\":{\"d\":2.5,\"f\":1.25,\"i64\":\"1234567890123\",\"u64\":\"42\","
		    "\"i32\":7,\"fx64\":\"99\"}}");
}

/* --- tool/json.c: every string the tool prints --- */

static void check_json_escaping(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"plain", "\"plain\""},
		{"q\"b\\n\nt\tc\001d\177", "\"q\\\"b\\\\n\\nt\\tc\\u0001d\\u007f\""},
		{"\303\251\342\202\254\360\237\230\200", "\"\303\251\342\202\254\360\237\230\200\""},
		{"\302\240nbsp", "\"\302\240nbsp\""},
		{"c1 \302\200 \302\205 \302\237", "\"c1 \\u0080 \\u0085 \\u009f\""},
		{"overlong \300\257 \340\200\257 \360\200\200\257",
		 "\"overlong \\ufffd\\ufffd \\ufffd\\ufffd\\ufffd \\ufffd\\ufffd\\ufffd\\ufffd\""},
		{"surrogate \355\240\200", "\"surrogate \\ufffd\\ufffd\\ufffd\""},
		{"too big \364\220\200\200 \370", "\"too big \\ufffd\\ufffd\\ufffd\\ufffd \\ufffd\""},
		{"stray \200 \277 \377", "\"stray \\ufffd \\ufffd \\ufffd\""},
		{"cut \342\202", "\"cut \\ufffd\\ufffd\""},
	};

	for (size_t i = 0; i < N_(cases); i++) {
		char *out = NULL;
		size_t n = 0;
		FILE *f = open_memstream(&out, &n);

		json_str(f, cases[i].in);
		fclose(f);
		if (strcmp(out, cases[i].want) != 0 || !valid_json(out))
			FAIL("json_str(%s): got %s, want %s", cases[i].want, out, cases[i].want);
		free(out);
	}
}

/* --- tool/shortfloat.c --- */

static void check_shortfloat(void)
{
	static const struct {
		double v;
		bool single;
		const char *want;
	} cases[] = {
		{0.1, false, "0.1"},
		{0.1f, true, "0.1"},
		{0.1f, false, "0.10000000149011612"},
		{100, false, "100"},
		{-2.5, false, "-2.5"},
		{1e21, false, "1e+21"},
		{1e20, false, "100000000000000000000"},
		{1e-6, false, "0.000001"},
		{1e-7, false, "1e-7"},
		{1.5e-10, false, "1.5e-10"},
		{5e-324, false, "5e-324"},
		{1.7976931348623157e308, false, "1.7976931348623157e+308"},
		{3.4028234663852886e38, true, "3.4028235e+38"},
		{16777216, true, "16777216"},
		{1.23456789e12f, true, "1234568000000"},
		{-0.0, false, "-0"},
		{0, true, "0"},
		{123456789.125, false, "123456789.125"},
		{NAN, false, "nan"},
		{-INFINITY, true, "-inf"},
	};

	for (size_t i = 0; i < N_(cases); i++) {
		char b[SHORTFLOAT_BUF];

		shortfloat__format(b, cases[i].v, cases[i].single);
		if (strcmp(b, cases[i].want) != 0)
			FAIL("shortfloat(%.17g, %d): got %s, want %s", cases[i].v, cases[i].single, b,
			     cases[i].want);
	}
	/* Every float's shortest text reads back as that float, for a
	 * spread of bit patterns. */
	for (uint32_t bits = 1; bits < 0x7f800000; bits += 0x00012345) {
		float f;
		char b[SHORTFLOAT_BUF];

		memcpy(&f, &bits, sizeof(f));
		shortfloat__format(b, f, true);
		if (strtof(b, NULL) != f) {
			FAIL("shortfloat(float bits %#x) = %s does not read back", bits, b);
			break;
		}
	}
}

/* --- tool/pbgzip.c --- */

static size_t gzip(const void *in, size_t n, unsigned char *out, size_t cap)
{
	z_stream z = {0};
	size_t len;

	if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		exit(2);
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		exit(2);
	len = cap - z.avail_out;
	deflateEnd(&z);
	return len;
}

static void check_gzip(void)
{
	static unsigned char gz[4096], two[8192], out[4096];
	const struct wire_case *rich = wire("rich");
	size_t n = gzip(rich->bytes, rich->len, gz, sizeof(gz)), produced;
	bool complete;
	int rc;

	rc = pbgzip__inflate(gz, n, out, sizeof(out), &produced, &complete);
	if (rc || !complete || produced != rich->len || memcmp(out, rich->bytes, produced))
		FAIL("gunzip: rc %d complete %d produced %zu of %zu", rc, complete, produced, rich->len);
	/* Every prefix: no error, never complete, the output a prefix. */
	for (size_t k = 0; k < n; k++) {
		rc = pbgzip__inflate(gz, k, out, sizeof(out), &produced, &complete);
		if (rc || complete || produced > rich->len || memcmp(out, rich->bytes, produced))
			FAIL("gunzip of %zu bytes: rc %d complete %d produced %zu", k, rc, complete,
			     produced);
	}
	/* A small buffer: filled, not more, not complete. */
	memset(out, 0xaa, sizeof(out));
	rc = pbgzip__inflate(gz, n, out, 100, &produced, &complete);
	if (rc || complete || produced != 100 || memcmp(out, rich->bytes, 100) || out[100] != 0xaa)
		FAIL("gunzip into 100 bytes: rc %d complete %d produced %zu", rc, complete, produced);
	/* Exactly the size: complete. */
	rc = pbgzip__inflate(gz, n, out, rich->len, &produced, &complete);
	if (rc || !complete || produced != rich->len)
		FAIL("gunzip into its size: rc %d complete %d produced %zu", rc, complete, produced);
	/* Two members, as Go's reader reads them. */
	memcpy(two, gz, n);
	memcpy(two + n, gz, n);
	rc = pbgzip__inflate(two, 2 * n, out, sizeof(out), &produced, &complete);
	if (rc || !complete || produced != 2 * rich->len)
		FAIL("gunzip of two members: rc %d complete %d produced %zu", rc, complete, produced);
	/* Not gzip, corrupt data, a bad CRC, garbage after the stream. */
	rc = pbgzip__inflate(rich->bytes, rich->len, out, sizeof(out), &produced, &complete);
	if (rc != -EBADMSG)
		FAIL("gunzip of protobuf bytes: rc %d", rc);
	memcpy(two, gz, n);
	two[n - 8] ^= 1; /* the CRC */
	rc = pbgzip__inflate(two, n, out, sizeof(out), &produced, &complete);
	if (rc != -EBADMSG || complete)
		FAIL("gunzip with a bad CRC: rc %d complete %d", rc, complete);
	memcpy(two, gz, n);
	memcpy(two + n, "junk", 4);
	rc = pbgzip__inflate(two, n + 4, out, sizeof(out), &produced, &complete);
	if (rc != -EBADMSG)
		FAIL("gunzip with garbage after it: rc %d", rc);
	for (size_t k = 10; k < n - 8; k += 7) {
		memcpy(two, gz, n);
		two[k] ^= 0x55;
		rc = pbgzip__inflate(two, n, out, sizeof(out), &produced, &complete);
		if ((rc != 0 && rc != -EBADMSG) || (rc == 0 && complete) || produced > sizeof(out))
			FAIL("gunzip with byte %zu flipped: rc %d complete %d", k, rc, complete);
	}
	rc = pbgzip__inflate("", 0, out, sizeof(out), &produced, &complete);
	if (rc || complete || produced)
		FAIL("gunzip of nothing: rc %d complete %d produced %zu", rc, complete, produced);
}

/* --- modes --- */

static void dump(void)
{
	for (size_t i = 0; i < N_(wire_cases); i++) {
		const struct wire_case *c = &wire_cases[i];

		for (int text = 0; text < 2; text++) {
			struct run r;
			decode(r, text, find_type(NULL, c->type), c->bytes, c->len, false);

			printf("%s\t%s%s\t%s\n", c->name, text ? "TEXT" : "JSON", r.rc ? "ERR" : "",
			       r.rc ? r.res.error : r.out);
			free(r.out);
		}
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void bench(void)
{
	const struct wire_case *c = wire("rich");
	char *out = malloc(1 << 16);

	for (int text = 0; text < 2; text++) {
		FILE *f = fmemopen(out, 1 << 16, "w");
		struct pbdecode_result res;
		int rounds = 20000;
		double t0 = now(), dt;

		for (int i = 0; i < rounds; i++) {
			rewind(f);
			if ((text ? pbdecode__text : pbdecode__json)(f, &t_rich, c->bytes, c->len, false,
								     &test_types, &res))
				exit(1);
		}
		dt = now() - t0;
		printf("%s: %zu-byte message: %.0f messages/s, %.1f ns/byte\n", text ? "text" : "json",
		       c->len, rounds / dt, dt / rounds / (double)c->len * 1e9);
		fclose(f);
	}
	free(out);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--dump") == 0) {
		dump();
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--bench") == 0) {
		bench();
		return 0;
	}
	check_cases();
	check_semantics();
	check_many_oneof_members();
	check_hostile();
	check_depth();
	check_every_cut();
	check_json_escaping();
	check_shortfloat();
	check_gzip();
	if (failures)
		return 1;
	printf("ok\n");
	return 0;
}
