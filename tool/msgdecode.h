/* msgdecode.h - a captured message shown as the target's own protobuf
 * descriptors say: decoded with field names, or the reason it is not. */
#ifndef MSGDECODE_H
#define MSGDECODE_H

#include "msgasm.h"

#include <stdbool.h>

struct protodb;

/* What decoding a message gave. Every string came from the target (type
 * names, field names and values) and is escaped where it is printed. */
struct decoded_msg {
	const char *type; /* full name of its message type; NULL: not known */
	char *value;	  /* protobuf JSON or one-line text (malloc'd); NULL: not decoded */
	bool truncated;	  /* only its first bytes were copied: decoded as far as they go */
	char error[256];  /* when value is NULL: why */
};

/* Where the decoder finds the types of one process. */
struct msg_types {
	const struct protodb *db; /* NULL: none */
	const char *why_none;	  /* then: why (e.g. no descriptors in the binary) */
};

/**
 * msgdecode() - decode one captured message of a gRPC call.
 * @t:        the process's types
 * @method:   the call's :path ("/pkg.Service/Method")
 * @request:  the message went from client to server (the method's input)
 * @encoding: the grpc-encoding header of its direction, or NULL
 * @m:        the message's first bytes
 * @json:     protobuf JSON mapping (else one-line protobuf text)
 * @out:      the result; decoded_msg__free() it
 *
 * A compressed message is inflated first when its encoding is gzip (as far
 * as the copied bytes go); any other encoding is named, never decoded.
 */
void msgdecode(const struct msg_types *t, const char *method, bool request, const char *encoding,
	       const struct captured_msg *m, bool json, struct decoded_msg *out);
void decoded_msg__free(struct decoded_msg *d);

/* The full name of the method's input (@request) or output type in the
 * process's descriptors, or NULL when not known. */
const char *msgdecode__type(const struct msg_types *t, const char *method, bool request);

#endif
