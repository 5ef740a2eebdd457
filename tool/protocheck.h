/* protocheck.h - the rules one FileDescriptorProto must keep before its
 * names and numbers are believed (protodb.h lists them). Only what a file
 * says of itself: type references across files are protobuild.c's. */
#ifndef PROTOCHECK_H
#define PROTOCHECK_H

#include "google/protobuf/descriptor.pb-c.h"

#include <stdbool.h>
#include <stddef.h>

/* NULL when fd keeps every rule, else the first broken one, written into
 * buf ("message pkg.M: field 3 and field x both numbered 3"). */
const char *protocheck__file(const Google__Protobuf__FileDescriptorProto *fd, char *buf,
			     size_t len);

/* A protobuf identifier: [A-Za-z_][A-Za-z0-9_]*. */
bool protocheck__ident(const char *s);

/* protoc's JSON name of a field name: underscores dropped, the letter
 * after one upper-cased ("foo_bar" -> "fooBar"). out holds strlen(name)+1. */
void protocheck__json_name(const char *name, char *out);

#endif
