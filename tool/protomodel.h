/* protomodel.h - the message types of a target, resolved from the protobuf
 * descriptors embedded in its binary (tool/protodb.c builds them; the
 * payload decoder, tool/pbdecode.c, reads them).
 *
 * Every name here came from the target and is untrusted: valid UTF-8 and
 * checked to be a protobuf identifier by protodb, but still escaped by
 * whoever prints it. Every pointer is resolved and owned by the protodb
 * that made it; nothing is NULL unless said so.
 */
#ifndef PROTOMODEL_H
#define PROTOMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A field's type: FieldDescriptorProto.Type's numbers. */
enum pm_kind {
	PM_DOUBLE = 1,
	PM_FLOAT = 2,
	PM_INT64 = 3,
	PM_UINT64 = 4,
	PM_INT32 = 5,
	PM_FIXED64 = 6,
	PM_FIXED32 = 7,
	PM_BOOL = 8,
	PM_STRING = 9,
	PM_GROUP = 10,
	PM_MESSAGE = 11,
	PM_BYTES = 12,
	PM_UINT32 = 13,
	PM_ENUM = 14,
	PM_SFIXED32 = 15,
	PM_SFIXED64 = 16,
	PM_SINT32 = 17,
	PM_SINT64 = 18,
};

/* Well-known types whose JSON form is not an object of fields. protodb
 * sets it from the message's full name, and only when the message has the
 * fields (numbers and kinds) that form needs. */
enum pm_wkt {
	PM_WKT_NONE,
	PM_WKT_ANY,	    /* google.protobuf.Any */
	PM_WKT_TIMESTAMP,   /* google.protobuf.Timestamp */
	PM_WKT_DURATION,    /* google.protobuf.Duration */
	PM_WKT_STRUCT,	    /* google.protobuf.Struct */
	PM_WKT_VALUE,	    /* google.protobuf.Value */
	PM_WKT_LIST_VALUE,  /* google.protobuf.ListValue */
	PM_WKT_FIELD_MASK,  /* google.protobuf.FieldMask */
	PM_WKT_EMPTY,	    /* google.protobuf.Empty */
	PM_WKT_WRAPPER,	    /* google.protobuf.{Double,Float,Int64,UInt64,Int32,UInt32,Bool,String,Bytes}Value */
};

struct pm_enum_value {
	int32_t number;
	const char *name;
};

struct pm_enum {
	const char *full_name; /* "pkg.Outer.Kind", no leading dot */
	size_t nvalues;
	const struct pm_enum_value *values; /* sorted by number; a number may repeat (allow_alias): the first is the name */
	bool null_value; /* google.protobuf.NullValue: JSON null */
};

struct pm_message;

struct pm_field {
	uint32_t number; /* 1 .. 2^29-1 */
	const char *name;      /* as in the .proto: text format's name */
	const char *json_name; /* the descriptor's json_name, or lowerCamelCase of name */
	enum pm_kind kind;
	bool repeated;
	int oneof; /* index of its oneof in the message (synthetic proto3-optional ones too), -1: none */
	const struct pm_message *message; /* PM_MESSAGE and PM_GROUP; NULL otherwise */
	const struct pm_enum *enum_type;  /* PM_ENUM; NULL otherwise */
};

struct pm_message {
	const char *full_name; /* "pkg.Outer.Inner", no leading dot */
	size_t nfields;
	const struct pm_field *fields; /* sorted by number, numbers unique */
	size_t noneofs;
	const char *const *oneof_names;
	bool map_entry; /* a map's entry: key is field 1, value field 2 */
	enum pm_wkt wkt;
};

struct pm_method {
	const char *path; /* "/pkg.Service/Method", as in a call's :path */
	const struct pm_message *input, *output;
	bool client_streaming, server_streaming;
};

/* How a decoder finds a message type by full name (google.protobuf.Any's
 * type URL names one); NULL when none. */
struct pm_lookup {
	const struct pm_message *(*message)(const void *ctx, const char *full_name);
	const void *ctx;
};

/* The field of m with this number, or NULL (binary search). */
const struct pm_field *pm_message__field(const struct pm_message *m, uint32_t number);

#endif
