/* msgdecode.c - decode a captured gRPC message with the target's types. */
#include "msgdecode.h"

#include "pbdecode.h"
#include "pbgzip.h"
#include "protodb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A gzip message inflates to at most this much: enough for any message
 * --payload's 16 KiB can hold the start of, and bounded against bombs. */
#define INFLATED_MAX (256 * 1024)

void decoded_msg__free(struct decoded_msg *d)
{
	free(d->value);
	d->value = NULL;
}

const char *msgdecode__type(const struct msg_types *t, const char *method, bool request)
{
	const struct pm_method *pm = t && t->db ? protodb__method(t->db, method) : NULL;
	const struct pm_message *type = pm ? (request ? pm->input : pm->output) : NULL;

	return type ? type->full_name : NULL;
}

static void fail(struct decoded_msg *out, const char *why)
{
	snprintf(out->error, sizeof(out->error), "%s", why);
}

void msgdecode(const struct msg_types *t, const char *method, bool request, const char *encoding,
	       const struct captured_msg *m, bool json, struct decoded_msg *out)
{
	const struct pm_method *pm;
	const struct pm_message *type;
	const void *buf = m->data ? m->data : "";
	size_t len = m->ncopied, size = 0;
	bool cut = m->ncopied < m->len;
	unsigned char *inflated = NULL;
	struct pm_lookup lookup;
	struct pbdecode_result res = {0};
	FILE *f;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!t || !t->db) {
		fail(out, t && t->why_none ? t->why_none : "no protobuf descriptors in the program");
		return;
	}
	pm = protodb__method(t->db, method);
	if (!pm) {
		fail(out, "method not in the program's protobuf descriptors");
		return;
	}
	type = request ? pm->input : pm->output;
	if (!type) {
		fail(out, request ? "the method's input type is not in the program's descriptors"
				  : "the method's output type is not in the program's descriptors");
		return;
	}
	out->type = type->full_name;
	if (m->compressed) {
		size_t n = 0;
		bool complete = false;

		/* A server's first message can be written before its headers
		 * are: with no grpc-encoding seen yet, gzip is told by its
		 * magic (no other compressor's stream starts 1f 8b 08). */
		bool gzip_magic = len >= 3 && memcmp(buf, "\x1f\x8b\x08", 3) == 0;

		if (encoding ? strcasecmp(encoding, "gzip") != 0 : !gzip_magic) {
			snprintf(out->error, sizeof(out->error), "compressed (%s)",
				 encoding ? encoding : "no grpc-encoding seen");
			return;
		}
		inflated = malloc(INFLATED_MAX);
		if (!inflated) {
			fail(out, "compressed (gzip): out of memory to inflate it");
			return;
		}
		if (pbgzip__inflate(buf, len, inflated, INFLATED_MAX, &n, &complete) < 0) {
			free(inflated);
			fail(out, "compressed (gzip): not a gzip stream");
			return;
		}
		buf = inflated;
		len = n;
		cut = !complete;
	}
	f = open_memstream(&out->value, &size);
	if (!f) {
		free(inflated);
		fail(out, "out of memory");
		return;
	}
	lookup = protodb__lookup(t->db);
	ret = json ? pbdecode__json(f, type, buf, len, cut, &lookup, &res)
		   : pbdecode__text(f, type, buf, len, cut, &lookup, &res);
	if (fclose(f) != 0 && ret == 0)
		ret = -1;
	free(inflated);
	if (ret < 0) {
		decoded_msg__free(out);
		snprintf(out->error, sizeof(out->error), "does not parse as %s: %s", type->full_name,
			 res.error ? res.error : "malformed");
		return;
	}
	out->truncated = cut || res.truncated;
}
