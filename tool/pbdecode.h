/* pbdecode.h - decode one gRPC message's protobuf bytes against its type
 * (protomodel.h): protobuf's JSON mapping, or one line of protobuf text.
 *
 * The bytes are untrusted (they came from a traced process, and may be
 * only the first bytes of the message); the type came from the target's
 * descriptors through protodb, which keeps protomodel.h's promises.
 *
 * Error contract, for both functions: 0 when decoded (possibly only in
 * part: see @cut), or a negative errno with res->error set:
 *   -EBADMSG  the bytes do not parse as the type (why: in res->error)
 *   -EFBIG    longer than 1 GiB
 *   -ENOMEM   no memory for the field index
 * On failure, whatever was written to @out is to be thrown away (the
 * caller writes to an open_memstream() and shows the raw bytes instead).
 * The reason does not repeat the type's name: the caller says "does not
 * parse as <type>: <reason>". A message where protojson itself refuses a
 * value (see pbdecode__json) fails only in JSON: text shows the fields.
 * Reentrant: no global state; one allocation per call (none for messages
 * up to 124 bytes), none per field.
 * @out is written with the unlocked stdio calls: no other thread may use
 * it during the call (it is meant to be the caller's open_memstream()).
 */
#ifndef PBDECODE_H
#define PBDECODE_H

#include "protomodel.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct pbdecode_result {
	bool truncated;	   /* only the start of the message was decoded (@cut) */
	const char *error; /* NULL, or on failure why: points into errbuf, so
			    * it is good in this struct, not in a copy */
	char errbuf[256];  /* names the field ("field 3 (name) has wire type 2"),
			    * and the nested type it is in ("in pkg.Inner: ...");
			    * type and field names come from the target */
};

/**
 * pbdecode__json() - write a message in protobuf's JSON mapping, as Go's
 * protojson.Marshal writes it.
 * @out:   where the JSON goes: one value, no newline
 * @type:  the message's type
 * @buf:   its bytes: gRPC's 5-byte prefix removed, decompressed
 * @len:   how many
 * @cut:   the bytes are only the start of a longer message
 * @types: where google.protobuf.Any's type URL is looked up (may be NULL)
 * @res:   filled in on return
 *
 * Field keys are json_names; 64-bit integers are strings; float and
 * double are the shortest text that reads back as the same value ("NaN",
 * "Infinity", "-Infinity" as strings); bytes are padded standard base64;
 * enums are value names (the number when none; NullValue is null);
 * repeated fields are arrays (packed and unpacked occurrences merged);
 * maps are objects; of a singular scalar the last occurrence counts, a
 * singular message's occurrences are merged, a oneof keeps its last
 * member set. Well-known types are written in their JSON forms:
 * Timestamp and Duration (with 0, 3, 6 or 9 fraction digits), Any
 * ({"@type": url, fields...}, or "value" for a well-known type; for a
 * type not found, {"@type": url, "value": base64 of its bytes}), Struct,
 * Value, ListValue, wrappers, FieldMask, Empty.
 * Numbers the type does not have are kept: the key is the number, the
 * value a string (a varint or fixed value as unsigned decimal, a
 * length-delimited one as base64), an array of such strings when the
 * number occurs more than once; unknown groups are skipped.
 * Invalid UTF-8 in a string is written as U+FFFD and not an error.
 * Where protojson refuses to write a value this refuses the message
 * too (-EBADMSG, the value named): a Timestamp or Duration out of its
 * range, a Value with no kind or a NaN or infinite number, a FieldMask
 * path that is not lower_snake_case.
 *
 * With @cut, every field before the end of the bytes is decoded and the
 * first one the end cuts is left out, except a nested message (not a map
 * entry), which is decoded as far as it goes, and a packed run, whose
 * whole values are kept. A cut well-known type whose JSON form is one
 * value (Timestamp, Duration, wrappers, FieldMask, Value) is written as
 * the object of its fields instead, so no value shown is a wrong one. The
 * output is valid JSON; res->truncated is set. Without @cut, bytes that
 * end inside a field are an error.
 *
 * Return: 0, or a negative errno (see above).
 */
int pbdecode__json(FILE *out, const struct pm_message *type, const void *buf, size_t len, bool cut,
		   const struct pm_lookup *types, struct pbdecode_result *res);

/**
 * pbdecode__text() - write a message as one line of protobuf text
 * format: "{name: 1 nested {a: "x"} rep: 1 rep: 2 map {key: "k" value: 2}}".
 *
 * Same arguments, fields and contract as pbdecode__json(). Proto field
 * names (a group by its type's name); strings and bytes in double quotes
 * with every byte outside printable ASCII escaped (\n \r \t \" \' \\ by
 * name, others as \ooo), so the output is printable ASCII only; enums by
 * name (the number when none); floats shortest ("inf", "-inf", "nan"); an
 * Any whose type is found as "[type.googleapis.com/pkg.T] {...}"; unknown
 * fields as "5: 123" and "5: "bytes""; well-known types as plain
 * messages. Fields come by number (in both forms).
 */
int pbdecode__text(FILE *out, const struct pm_message *type, const void *buf, size_t len, bool cut,
		   const struct pm_lookup *types, struct pbdecode_result *res);

#endif
