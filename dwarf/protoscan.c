/* protoscan.c - where a serialized FileDescriptorProto ends: a strict scan
 * of the protobuf wire format against descriptor.proto's shapes.
 *
 * A Go string constant or []byte holding a descriptor has no stored end in
 * a stripped binary, and the linker packs the next string right after it.
 * protoc-gen-go marshals the descriptor deterministically: known fields in
 * field-number order, repeated ones back to back, no unknown fields. So
 * the descriptor is the longest prefix in which
 *   - the first field is 1 (name): printable, ending in ".proto";
 *   - field numbers never decrease, and only repeated fields repeat;
 *   - each field is one of FileDescriptorProto's, with its wire type;
 *     package is dotted identifier characters, dependencies are printable
 *     file names, public/weak dependencies index the dependencies before
 *     them, syntax is "proto2", "proto3" or "editions";
 *   - each nested message is well-formed against its own shape
 *     (DescriptorProto, FieldDescriptorProto, ..., recursively, at most
 *     PROTODESC_MAX_DEPTH deep); options messages (and unknown fields of
 *     nested messages, which newer descriptor.proto releases add) only as
 *     well-formed wire data.
 * The scan stops before the first field that breaks a rule. What follows a
 * descriptor is another string: it breaks a rule unless it happens to
 * begin with bytes that form a valid field numbered at or above the last
 * one (after options, 8: a source_code_info, dependency index, syntax or
 * edition field), which on the matrix binaries never happened (see
 * tests/runner/protos.go, which measures it). Such a tail would be kept and
 * the file then still parses; protodb's semantic checks are the next net.
 */
#include "protodesc.h"

#include <string.h>

enum kind {
	K_VARINT,
	K_PACKED, /* repeated int32: one varint, or packed varints */
	K_STRING, /* UTF-8 */
	K_MSG,	  /* a message of a known shape */
	K_OPAQUE, /* a message checked only as well-formed wire data */
};

struct field_shape {
	unsigned num;
	enum kind kind;
	const struct msg_shape *msg;
};

struct msg_shape {
	const struct field_shape *fields;
	size_t nfields;
};

#define SHAPE(name, ...)                                                                       \
	static const struct field_shape name##_fields[] = {__VA_ARGS__};                       \
	static const struct msg_shape name = {name##_fields,                                    \
					      sizeof(name##_fields) / sizeof(name##_fields[0])}

static const struct msg_shape descriptor_shape; /* DescriptorProto nests itself */

SHAPE(reserved_range_shape, {1, K_VARINT, NULL}, {2, K_VARINT, NULL});
SHAPE(extension_range_shape, {1, K_VARINT, NULL}, {2, K_VARINT, NULL}, {3, K_OPAQUE, NULL});
SHAPE(field_shape_, {1, K_STRING, NULL}, {2, K_STRING, NULL}, {3, K_VARINT, NULL},
      {4, K_VARINT, NULL}, {5, K_VARINT, NULL}, {6, K_STRING, NULL}, {7, K_STRING, NULL},
      {8, K_OPAQUE, NULL}, {9, K_VARINT, NULL}, {10, K_STRING, NULL}, {17, K_VARINT, NULL});
SHAPE(oneof_shape, {1, K_STRING, NULL}, {2, K_OPAQUE, NULL});
SHAPE(enum_value_shape, {1, K_STRING, NULL}, {2, K_VARINT, NULL}, {3, K_OPAQUE, NULL});
SHAPE(enum_shape, {1, K_STRING, NULL}, {2, K_MSG, &enum_value_shape}, {3, K_OPAQUE, NULL},
      {4, K_MSG, &reserved_range_shape}, {5, K_STRING, NULL});
SHAPE(method_shape, {1, K_STRING, NULL}, {2, K_STRING, NULL}, {3, K_STRING, NULL},
      {4, K_OPAQUE, NULL}, {5, K_VARINT, NULL}, {6, K_VARINT, NULL});
SHAPE(service_shape, {1, K_STRING, NULL}, {2, K_MSG, &method_shape}, {3, K_OPAQUE, NULL});
SHAPE(location_shape, {1, K_PACKED, NULL}, {2, K_PACKED, NULL}, {3, K_STRING, NULL},
      {4, K_STRING, NULL}, {6, K_STRING, NULL});
SHAPE(source_info_shape, {1, K_MSG, &location_shape});

static const struct field_shape descriptor_shape_fields[] = {
	{1, K_STRING, NULL},
	{2, K_MSG, &field_shape_},
	{3, K_MSG, &descriptor_shape},
	{4, K_MSG, &enum_shape},
	{5, K_MSG, &extension_range_shape},
	{6, K_MSG, &field_shape_},
	{7, K_OPAQUE, NULL},
	{8, K_MSG, &oneof_shape},
	{9, K_MSG, &reserved_range_shape},
	{10, K_STRING, NULL},
};
static const struct msg_shape descriptor_shape = {
	descriptor_shape_fields, sizeof(descriptor_shape_fields) / sizeof(descriptor_shape_fields[0])};

/* FileDescriptorProto itself; repeated says which fields may repeat. */
static const struct {
	struct field_shape f;
	bool repeated;
} file_fields[] = {
	{{1, K_STRING, NULL}, false},		   /* name */
	{{2, K_STRING, NULL}, false},		   /* package */
	{{3, K_STRING, NULL}, true},		   /* dependency */
	{{4, K_MSG, &descriptor_shape}, true},	   /* message_type */
	{{5, K_MSG, &enum_shape}, true},	   /* enum_type */
	{{6, K_MSG, &service_shape}, true},	   /* service */
	{{7, K_MSG, &field_shape_}, true},	   /* extension */
	{{8, K_OPAQUE, NULL}, false},		   /* options */
	{{9, K_MSG, &source_info_shape}, false},   /* source_code_info */
	{{10, K_PACKED, NULL}, true},		   /* public_dependency */
	{{11, K_PACKED, NULL}, true},		   /* weak_dependency */
	{{12, K_STRING, NULL}, false},		   /* syntax */
	{{14, K_VARINT, NULL}, false},		   /* edition */
};

static bool varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t r = 0;

	for (int i = 0; i < 10 && *p < end; i++) {
		uint8_t b = *(*p)++;

		if (i == 9 && b > 1)
			return false; /* more than 64 bits */
		r |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*v = r;
			return true;
		}
	}
	return false;
}

static bool tag(const uint8_t **p, const uint8_t *end, unsigned *num, unsigned *wt)
{
	uint64_t t;

	if (!varint(p, end, &t) || t > UINT32_MAX || (t >> 3) == 0 || (t >> 3) > (1u << 29) - 1)
		return false;
	*num = (unsigned)(t >> 3);
	*wt = (unsigned)(t & 7);
	return true;
}

/* A length-delimited value: its bytes in [*vp, *vp + *vn). */
static bool delimited(const uint8_t **p, const uint8_t *end, const uint8_t **vp, size_t *vn)
{
	uint64_t n;

	if (!varint(p, end, &n) || n > (uint64_t)(end - *p))
		return false;
	*vp = *p;
	*vn = (size_t)n;
	*p += n;
	return true;
}

static bool skip_value(const uint8_t **p, const uint8_t *end, unsigned num, unsigned wt, int depth);

/* Fields up to end (top == true) or up to the end-group of num. */
static bool wire_ok(const uint8_t **p, const uint8_t *end, bool top, unsigned group, int depth)
{
	if (depth > PROTODESC_MAX_DEPTH)
		return false;
	while (*p < end) {
		unsigned num, wt;

		if (!tag(p, end, &num, &wt))
			return false;
		if (wt == 4)
			return !top && num == group;
		if (!skip_value(p, end, num, wt, depth))
			return false;
	}
	return top;
}

static bool skip_value(const uint8_t **p, const uint8_t *end, unsigned num, unsigned wt, int depth)
{
	const uint8_t *vp;
	size_t vn;
	uint64_t v;

	switch (wt) {
	case 0:
		return varint(p, end, &v);
	case 1:
	case 5:
		if ((size_t)(end - *p) < (wt == 1 ? 8u : 4u))
			return false;
		*p += wt == 1 ? 8 : 4;
		return true;
	case 2:
		return delimited(p, end, &vp, &vn);
	case 3:
		return wire_ok(p, end, false, num, depth + 1);
	default:
		return false;
	}
}

/* Well-formed UTF-8, no overlongs, no surrogates, at most U+10FFFF. */
static bool utf8_ok(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = s[i];
		size_t k;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			k = 1, cp = c & 0x1f, min = 0x80;
		else if ((c & 0xf0) == 0xe0)
			k = 2, cp = c & 0x0f, min = 0x800;
		else if ((c & 0xf8) == 0xf0)
			k = 3, cp = c & 0x07, min = 0x10000;
		else
			return false;
		if (n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}

static bool msg_ok(const struct msg_shape *m, const uint8_t *p, const uint8_t *end, int depth);

/* The value of field f, wire type wt; for strings its bytes in vp/vn, for
 * varints its value in v (the last one, for packed). */
static bool value_ok(const struct field_shape *f, unsigned wt, const uint8_t **p,
		     const uint8_t *end, int depth, const uint8_t **vp, size_t *vn, uint64_t *v)
{
	*vp = NULL;
	*vn = 0;
	switch (f->kind) {
	case K_VARINT:
		return wt == 0 && varint(p, end, v);
	case K_PACKED:
		if (wt == 0)
			return varint(p, end, v);
		if (wt != 2 || !delimited(p, end, vp, vn))
			return false;
		for (const uint8_t *q = *vp; q < *vp + *vn;)
			if (!varint(&q, *vp + *vn, v))
				return false;
		return true;
	case K_STRING:
		return wt == 2 && delimited(p, end, vp, vn) && utf8_ok(*vp, *vn);
	case K_MSG:
		return wt == 2 && delimited(p, end, vp, vn) && msg_ok(f->msg, *vp, *vp + *vn, depth + 1);
	case K_OPAQUE:
		if (wt != 2 || !delimited(p, end, vp, vn))
			return false;
		{
			const uint8_t *q = *vp;

			return wire_ok(&q, *vp + *vn, true, 0, depth + 1);
		}
	}
	return false;
}

static bool msg_ok(const struct msg_shape *m, const uint8_t *p, const uint8_t *end, int depth)
{
	if (depth > PROTODESC_MAX_DEPTH)
		return false;
	while (p < end) {
		const struct field_shape *f = NULL;
		const uint8_t *vp;
		unsigned num, wt;
		size_t vn;
		uint64_t v;

		if (!tag(&p, end, &num, &wt))
			return false;
		for (size_t i = 0; i < m->nfields && !f; i++)
			if (m->fields[i].num == num)
				f = &m->fields[i];
		if (f ? !value_ok(f, wt, &p, end, depth, &vp, &vn, &v)
		      : wt == 4 || !skip_value(&p, end, num, wt, depth))
			return false;
	}
	return true;
}

static bool printable(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

static bool proto_file_name(const uint8_t *s, size_t n)
{
	return n > 6 && printable(s, n) && memcmp(s + n - 6, ".proto", 6) == 0;
}

static bool package_chars(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(s[i] == '.' || s[i] == '_' || (s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
			return false;
	return true;
}

static bool is_syntax(const uint8_t *s, size_t n)
{
	static const char *const ok[] = {"proto2", "proto3", "editions"};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (n == strlen(ok[i]) && memcmp(s, ok[i], n) == 0)
			return true;
	return false;
}

/* Each dependency index in a packed or single public/weak_dependency. */
static bool dep_indexes_ok(const uint8_t *vp, size_t vn, uint64_t single, uint64_t ndeps)
{
	const uint8_t *q = vp;
	uint64_t v;

	if (!vp)
		return single < ndeps;
	while (q < vp + vn)
		if (!varint(&q, vp + vn, &v) || v >= ndeps)
			return false;
	return true;
}

/* The top-level rules on one field's value beyond its shape. */
static const char *file_value_why(unsigned num, const uint8_t *vp, size_t vn, uint64_t v,
				  uint64_t ndeps)
{
	switch (num) {
	case 1:
		return proto_file_name(vp, vn) ? NULL : "name is not a printable *.proto name";
	case 2:
		return package_chars(vp, vn) ? NULL : "package holds other than identifier characters";
	case 3:
		return proto_file_name(vp, vn) ? NULL : "dependency is not a printable *.proto name";
	case 10:
	case 11:
		return dep_indexes_ok(vp, vn, v, ndeps) ? NULL : "a dependency index out of range";
	case 12:
		return is_syntax(vp, vn) ? NULL : "syntax is not proto2, proto3 or editions";
	default:
		return NULL;
	}
}

size_t protodesc__extent(const uint8_t *p, size_t n, const char **stop)
{
	const uint8_t *start = p, *end = p + n, *good = p;
	const char *why = "end of input";
	unsigned last = 0;
	uint64_t ndeps = 0;

	while (p < end) {
		const uint8_t *vp;
		unsigned num, wt;
		size_t vn, i;
		uint64_t v = 0;

		if (!tag(&p, end, &num, &wt)) {
			why = "not a field tag";
			break;
		}
		for (i = 0; i < sizeof(file_fields) / sizeof(file_fields[0]); i++)
			if (file_fields[i].f.num == num)
				break;
		if (i == sizeof(file_fields) / sizeof(file_fields[0])) {
			why = "a field FileDescriptorProto does not have";
			break;
		}
		if (last == 0 && num != 1) {
			why = "does not start with the name";
			break;
		}
		/* The field's own rules first: a stop by the order rules alone
		 * is then one where a valid field followed (the ambiguous kind,
		 * which tests/unit/protodb.c --measure counts). */
		if (!value_ok(&file_fields[i].f, wt, &p, end, 0, &vp, &vn, &v)) {
			why = "a value that does not fit its field";
			break;
		}
		if ((why = file_value_why(num, vp, vn, v, ndeps)) != NULL)
			break;
		if (num < last) {
			why = "field numbers out of order";
			break;
		}
		if (num == last && !file_fields[i].repeated) {
			why = "a singular field repeated";
			break;
		}
		why = "end of input";
		ndeps += num == 3;
		last = num;
		good = p;
	}
	if (stop)
		*stop = why;
	return last ? (size_t)(good - start) : 0;
}
