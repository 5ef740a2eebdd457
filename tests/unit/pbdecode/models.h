/* models.h - hand-made protomodel.h models of rich.proto, legacy.proto and
 * the well-known types they use, as protodb would resolve them: for
 * tests/unit/pbdecode.c and tests/fuzz/fuzz_pbdecode.c. */
#ifndef PBTEST_MODELS_H
#define PBTEST_MODELS_H

#include "../../../tool/protomodel.h"

#include <string.h>

#define N_(a) (sizeof(a) / sizeof((a)[0]))

/* A field: number, name, json_name, kind, repeated, oneof, message, enum. */
#define FLD(num, nm, jn, k, rep, oo, msg, en)                                                      \
	{                                                                                          \
		.number = num, .name = nm, .json_name = jn, .kind = k, .repeated = rep, .oneof = oo, \
		.message = msg, .enum_type = en                                                    \
	}
#define ONE(num, nm, jn, k) FLD(num, nm, jn, k, false, -1, NULL, NULL)
#define REP(num, nm, jn, k) FLD(num, nm, jn, k, true, -1, NULL, NULL)
#define MSG(num, nm, jn, m) FLD(num, nm, jn, PM_MESSAGE, false, -1, &m, NULL)
#define RMSG(num, nm, jn, m) FLD(num, nm, jn, PM_MESSAGE, true, -1, &m, NULL)
#define TYPE(var, name, flds, ...)                                                               \
	static const struct pm_message var = {                                                   \
		.full_name = name, .nfields = N_(flds), .fields = flds, __VA_ARGS__}
#define MAP_ENTRY(var, name, kf, vf)                                                             \
	static const struct pm_field var##_f[] = {kf, vf};                                       \
	TYPE(var, name, var##_f, .map_entry = true)

/* google.protobuf: the well-known types. */
static const struct pm_message t_struct, t_value, t_list;
static const struct pm_enum_value null_values[] = {{0, "NULL_VALUE"}};
static const struct pm_enum e_null = {"google.protobuf.NullValue", 1, null_values, true};

static const struct pm_field any_f[] = {ONE(1, "type_url", "typeUrl", PM_STRING),
					ONE(2, "value", "value", PM_BYTES)};
TYPE(t_any, "google.protobuf.Any", any_f, .wkt = PM_WKT_ANY);
static const struct pm_field ts_f[] = {ONE(1, "seconds", "seconds", PM_INT64),
				       ONE(2, "nanos", "nanos", PM_INT32)};
TYPE(t_timestamp, "google.protobuf.Timestamp", ts_f, .wkt = PM_WKT_TIMESTAMP);
TYPE(t_duration, "google.protobuf.Duration", ts_f, .wkt = PM_WKT_DURATION);
MAP_ENTRY(t_fields_entry, "google.protobuf.Struct.FieldsEntry", ONE(1, "key", "key", PM_STRING),
	  MSG(2, "value", "value", t_value));
static const struct pm_field struct_f[] = {RMSG(1, "fields", "fields", t_fields_entry)};
TYPE(t_struct, "google.protobuf.Struct", struct_f, .wkt = PM_WKT_STRUCT);
static const char *const value_oneofs[] = {"kind"};
static const struct pm_field value_f[] = {
	FLD(1, "null_value", "nullValue", PM_ENUM, false, 0, NULL, &e_null),
	FLD(2, "number_value", "numberValue", PM_DOUBLE, false, 0, NULL, NULL),
	FLD(3, "string_value", "stringValue", PM_STRING, false, 0, NULL, NULL),
	FLD(4, "bool_value", "boolValue", PM_BOOL, false, 0, NULL, NULL),
	FLD(5, "struct_value", "structValue", PM_MESSAGE, false, 0, &t_struct, NULL),
	FLD(6, "list_value", "listValue", PM_MESSAGE, false, 0, &t_list, NULL),
};
TYPE(t_value, "google.protobuf.Value", value_f, .noneofs = 1, .oneof_names = value_oneofs,
     .wkt = PM_WKT_VALUE);
static const struct pm_field list_f[] = {RMSG(1, "values", "values", t_value)};
TYPE(t_list, "google.protobuf.ListValue", list_f, .wkt = PM_WKT_LIST_VALUE);
static const struct pm_field mask_f[] = {REP(1, "paths", "paths", PM_STRING)};
TYPE(t_mask, "google.protobuf.FieldMask", mask_f, .wkt = PM_WKT_FIELD_MASK);
static const struct pm_message t_empty = {.full_name = "google.protobuf.Empty",
					  .wkt = PM_WKT_EMPTY};
#define WRAPPER(var, name, k)                                                                    \
	static const struct pm_field var##_f[] = {ONE(1, "value", "value", k)};                  \
	TYPE(var, "google.protobuf." name, var##_f, .wkt = PM_WKT_WRAPPER)
WRAPPER(t_w_i64, "Int64Value", PM_INT64);
WRAPPER(t_w_u64, "UInt64Value", PM_UINT64);
WRAPPER(t_w_i32, "Int32Value", PM_INT32);
WRAPPER(t_w_u32, "UInt32Value", PM_UINT32);
WRAPPER(t_w_bool, "BoolValue", PM_BOOL);
WRAPPER(t_w_str, "StringValue", PM_STRING);
WRAPPER(t_w_bytes, "BytesValue", PM_BYTES);
WRAPPER(t_w_double, "DoubleValue", PM_DOUBLE);
WRAPPER(t_w_float, "FloatValue", PM_FLOAT);

/* pbtest (rich.proto) */
static const struct pm_enum_value color_values[] = {
	{0, "COLOR_UNSPECIFIED"}, {1, "RED"}, {1, "SCARLET"}, {2, "GREEN"}, {3, "BLUE"}};
static const struct pm_enum e_color = {"pbtest.Color", N_(color_values), color_values, false};
#define ENUM(num, nm, jn, rep) FLD(num, nm, jn, PM_ENUM, rep, -1, NULL, &e_color)

static const struct pm_field scalars_f[] = {
	ONE(1, "d", "d", PM_DOUBLE),	  ONE(2, "f", "f", PM_FLOAT),
	ONE(3, "i64", "i64", PM_INT64),	  ONE(4, "u64", "u64", PM_UINT64),
	ONE(5, "i32", "i32", PM_INT32),	  ONE(6, "fx64", "fx64", PM_FIXED64),
	ONE(7, "fx32", "fx32", PM_FIXED32), ONE(8, "b", "b", PM_BOOL),
	ONE(9, "s", "s", PM_STRING),	  ONE(12, "by", "by", PM_BYTES),
	ONE(13, "u32", "u32", PM_UINT32), ENUM(14, "color", "color", false),
	ONE(15, "sfx32", "sfx32", PM_SFIXED32), ONE(16, "sfx64", "sfx64", PM_SFIXED64),
	ONE(17, "si32", "si32", PM_SINT32), ONE(18, "si64", "si64", PM_SINT64),
};
TYPE(t_scalars, "pbtest.Scalars", scalars_f);

static const struct pm_message t_node;
static const struct pm_field node_f[] = {
	ONE(1, "name", "name", PM_STRING),
	RMSG(2, "kids", "kids", t_node),
	MSG(3, "next", "next", t_node),
	ONE(4, "n", "n", PM_INT32),
};
TYPE(t_node, "pbtest.Node", node_f);

MAP_ENTRY(t_by_name, "pbtest.Rich.ByNameEntry", ONE(1, "key", "key", PM_STRING),
	  ONE(2, "value", "value", PM_INT32));
MAP_ENTRY(t_by_id, "pbtest.Rich.ByIdEntry", ONE(1, "key", "key", PM_INT64),
	  MSG(2, "value", "value", t_node));
MAP_ENTRY(t_by_flag, "pbtest.Rich.ByFlagEntry", ONE(1, "key", "key", PM_BOOL),
	  ONE(2, "value", "value", PM_STRING));
MAP_ENTRY(t_colors, "pbtest.Rich.ColorsEntry", ONE(1, "key", "key", PM_UINT32),
	  ENUM(2, "value", "value", false));
MAP_ENTRY(t_values, "pbtest.Rich.ValuesEntry", ONE(1, "key", "key", PM_STRING),
	  MSG(2, "value", "value", t_value));
MAP_ENTRY(t_blobs, "pbtest.Rich.BlobsEntry", ONE(1, "key", "key", PM_SINT32),
	  ONE(2, "value", "value", PM_BYTES));

static const char *const rich_oneofs[] = {"choice", "_maybe"};
static const struct pm_field rich_f[] = {
	MSG(1, "scalars", "scalars", t_scalars),
	REP(2, "packed", "packed", PM_INT32),
	REP(3, "unpacked", "unpacked", PM_INT32),
	REP(4, "doubles", "doubles", PM_DOUBLE),
	REP(5, "names", "names", PM_STRING),
	RMSG(6, "nodes", "nodes", t_node),
	RMSG(7, "by_name", "byName", t_by_name),
	RMSG(8, "by_id", "byId", t_by_id),
	RMSG(9, "by_flag", "byFlag", t_by_flag),
	RMSG(10, "colors", "colors", t_colors),
	FLD(11, "text", "text", PM_STRING, false, 0, NULL, NULL),
	FLD(12, "node", "node", PM_MESSAGE, false, 0, &t_node, NULL),
	FLD(13, "num", "num", PM_INT32, false, 0, NULL, NULL),
	FLD(14, "maybe", "maybe", PM_INT32, false, 1, NULL, NULL),
	ENUM(15, "color", "color", false),
	ENUM(16, "palette", "palette", true),
	REP(17, "deltas", "deltas", PM_SINT64),
	REP(18, "fixeds", "fixeds", PM_FIXED32),
	REP(19, "flags", "flags", PM_BOOL),
	MSG(20, "ts", "ts", t_timestamp),
	MSG(21, "dur", "dur", t_duration),
	MSG(22, "any", "any", t_any),
	MSG(23, "st", "st", t_struct),
	MSG(24, "val", "val", t_value),
	MSG(25, "lv", "lv", t_list),
	MSG(26, "mask", "mask", t_mask),
	MSG(27, "empty", "empty", t_empty),
	MSG(28, "w_i64", "wI64", t_w_i64),
	MSG(29, "w_u64", "wU64", t_w_u64),
	MSG(30, "w_i32", "wI32", t_w_i32),
	MSG(31, "w_u32", "wU32", t_w_u32),
	MSG(32, "w_bool", "wBool", t_w_bool),
	MSG(33, "w_str", "wStr", t_w_str),
	MSG(34, "w_bytes", "wBytes", t_w_bytes),
	MSG(35, "w_double", "wDouble", t_w_double),
	MSG(36, "w_float", "wFloat", t_w_float),
	ONE(40, "custom", "customJSON", PM_STRING),
	RMSG(41, "anys", "anys", t_any),
	RMSG(42, "times", "times", t_timestamp),
	RMSG(43, "values", "values", t_values),
	RMSG(44, "blobs", "blobs", t_blobs),
	MSG(45, "root", "root", t_node),
};
TYPE(t_rich, "pbtest.Rich", rich_f, .noneofs = 2, .oneof_names = rich_oneofs);

static const struct pm_field small_f[] = {ENUM(15, "color", "color", false)};
TYPE(t_small, "pbtest.Small", small_f);

/* pbtest (legacy.proto): proto2 groups. */
static const struct pm_field item_f[] = {ONE(3, "label", "label", PM_STRING),
					 ONE(4, "qty", "qty", PM_INT32)};
TYPE(t_item, "pbtest.Legacy.Item", item_f);
static const struct pm_field entry_f[] = {ONE(6, "k", "k", PM_INT32)};
TYPE(t_entry, "pbtest.Legacy.Entry", entry_f);
static const struct pm_field legacy_f[] = {
	ONE(1, "id", "id", PM_INT32),
	FLD(2, "item", "item", PM_GROUP, false, -1, &t_item, NULL),
	FLD(5, "entry", "entry", PM_GROUP, true, -1, &t_entry, NULL),
	REP(7, "plain", "plain", PM_INT32),
	REP(8, "packed_too", "packedToo", PM_INT32),
	ONE(9, "ratio", "ratio", PM_FLOAT),
};
TYPE(t_legacy, "pbtest.Legacy", legacy_f);

static const struct pm_message *const all_types[] = {
	&t_any,	  &t_timestamp, &t_duration, &t_struct,	 &t_value,    &t_list,	 &t_mask,
	&t_empty, &t_w_i64,	&t_w_u64,    &t_w_i32,	 &t_w_u32,    &t_w_bool, &t_w_str,
	&t_w_bytes, &t_w_double, &t_w_float, &t_scalars, &t_node,     &t_rich,	 &t_small,
	&t_legacy, &t_item,	&t_entry,    &t_by_name, &t_by_id,    &t_by_flag, &t_colors,
	&t_values, &t_blobs,	&t_fields_entry,
};

static inline const struct pm_message *find_type(const void *ctx, const char *name)
{
	(void)ctx;
	for (size_t i = 0; i < N_(all_types); i++)
		if (strcmp(all_types[i]->full_name, name) == 0)
			return all_types[i];
	return NULL;
}

static const struct pm_lookup test_types = {find_type, NULL};

#endif
