/* pbwire.h - the protobuf wire reader under the payload decoder
 * (pbdecode.h), shared by its two output forms (pbjson.c, pbtext.c).
 * Internal to the decoder.
 *
 * A message is read one nesting level at a time: pbw__open() indexes the
 * fields of one level (one entry per occurrence, nested messages not yet
 * entered), checks each against its type, sorts them so the occurrences
 * of a field are adjacent, and marks the ones a later member of their
 * oneof overrode. The writer then takes one field at a time: all of a
 * repeated field's occurrences, the last of a singular scalar, every
 * occurrence of a singular message merged (entering them opens the next
 * level). So output follows protobuf's parse semantics in one walk of the
 * bytes, with no allocation per field: the index of every open level
 * lives in one array, sized for the message once.
 *
 * Errors: negative errno, the reason written once into the caller's
 * buffer (pbw__fail). The bytes are untrusted; the model (protomodel.h)
 * is trusted to keep its promises.
 */
#ifndef PBWIRE_H
#define PBWIRE_H

#include "protomodel.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Levels of message nesting below the top message that are read. */
#define PBW_MAX_DEPTH 64
/* The longest message read (offsets are 32-bit). */
#define PBW_MAX_LEN (1u << 30)

enum pbw_wire {
	PBW_VARINT = 0,
	PBW_I64 = 1,
	PBW_LEN = 2,
	PBW_SGROUP = 3,
	PBW_EGROUP = 4,
	PBW_I32 = 5,
};

/* One occurrence of a field at one level. */
struct pbw_ent {
	const struct pm_field *f; /* NULL: a number the type does not have */
	uint32_t number;
	uint32_t off; /* where its value starts: varint, fixed bytes, LEN or group content */
	uint32_t len; /* its value's bytes as declared (for a cut group: up to its parent's end) */
	uint8_t wt;   /* enum pbw_wire */
	bool cut;     /* runs past the end of the bytes: only what is there is read */
	bool dead;    /* a later member of its oneof overrode it */
};

/* A decode in progress. */
struct pbw {
	FILE *out;
	const uint8_t *buf;
	uint32_t len;
	const struct pm_lookup *types; /* NULL: Any's types are not looked up */
	struct pbw_ent *ents;	       /* the index of every open level, a stack */
	size_t cap, top;
	int depth;		       /* levels open */
	char *err;		       /* the reason of the first failure */
	size_t errsz;
};

/* One message level: its occurrences sorted by field number, each
 * field's occurrences in wire order. */
struct pbw_msg {
	const struct pm_message *type;
	struct pbw_ent *e;
	size_t n;
	bool cut; /* the message runs past the end of the bytes */
};

/**
 * pbw__open() - index one message made of the bytes of src[0..nsrc): one
 * occurrence, or several of a singular field (merged, as protobuf parses
 * them), or none (the type's default). A nested level past PBW_MAX_DEPTH,
 * a malformed field, a wire type its field's kind does not take: error.
 * With a cut source, indexing stops at the first field the end of the
 * bytes cuts; that field is kept (cut) only when what is there can be
 * read: a nested message that is not a map entry, or a packed run.
 * Return: 0, or a negative errno (w->err says why). Pair with
 * pbw__close() on success, innermost level first.
 */
int pbw__open(struct pbw *w, const struct pm_message *type, const struct pbw_ent *src, size_t nsrc,
	      struct pbw_msg *msg);
void pbw__close(struct pbw *w, const struct pbw_msg *msg);

/* The end of the run of occurrences of msg->e[i].number from i on, and
 * the first of them not overridden (the live ones are always the run's
 * tail): msg->e[pbw__live(msg, i, j)..j) are what counts. */
size_t pbw__group_end(const struct pbw_msg *msg, size_t i);
size_t pbw__live(const struct pbw_msg *msg, size_t i, size_t j);
/* The live occurrences of a field number: how many, the first in *e. */
size_t pbw__occurrences(const struct pbw_msg *msg, uint32_t number, const struct pbw_ent **e);
/* The last live occurrence of a number, or NULL. */
const struct pbw_ent *pbw__last(const struct pbw_msg *msg, uint32_t number);

/**
 * pbw__next() - the next scalar of an occurrence: its one value, or the
 * next element of a packed run.
 * @pos:  where to go on from: 0 at first, updated
 * @bits: the value: a varint's, or a fixed32's or fixed64's bits
 * A packed run cut by the end of the bytes ends at its last whole element.
 * Return: 1 with *bits, 0 at the end, or a negative errno.
 */
int pbw__next(struct pbw *w, const struct pbw_msg *msg, const struct pbw_ent *e, uint32_t *pos,
	      uint64_t *bits);
/* The bytes of a LEN occurrence (string, bytes, an unknown field's),
 * and how many of them there are: all but for a cut one. */
static inline const uint8_t *pbw__bytes(const struct pbw *w, const struct pbw_ent *e)
{
	return w->buf + e->off;
}

static inline size_t pbw__avail(const struct pbw *w, const struct pbw_ent *e)
{
	return e->cut ? w->len - e->off : e->len;
}

/* A packed run of this kind is possible (numbers, bools, enums). */
bool pbw__packable(enum pm_kind k);
/* An integer, bool or enum kind's value from its bits, as decimal text
 * ("true"/"false" for bool); returns its length (at most 20). */
size_t pbw__int_text(char *buf, enum pm_kind k, uint64_t bits);
/* The same value as a signed number (unsigned 64-bit kinds wrap). */
int64_t pbw__int(enum pm_kind k, uint64_t bits);
/* A float or double kind's value. */
double pbw__float(enum pm_kind k, uint64_t bits);
/* An enum number's name (the first declared for it), or NULL. */
const char *pbw__enum_name(const struct pm_enum *e, int32_t number);
/* The type google.protobuf.Any's type URL names (after its last '/'),
 * or NULL when not found or not looked up. */
const struct pm_message *pbw__any_type(const struct pbw *w, const struct pbw_ent *url);
/* The name of a message's type without its package ("Outer.Inner" ->
 * "Inner"): proto2 group fields are written by it in text format. */
const char *pbw__short_name(const struct pm_message *m);

/* The two output forms (pbjson.c, pbtext.c): write the message made of
 * src[0..nsrc) as one value. 0 or a negative errno. */
int pbjson__message(struct pbw *w, const struct pm_message *type, const struct pbw_ent *src,
		    size_t nsrc);
int pbtext__message(struct pbw *w, const struct pm_message *type, const struct pbw_ent *src,
		    size_t nsrc);

/* Record why msg does not parse (the first reason only); returns
 * -EBADMSG. Nested messages are named: "in pkg.Inner: ...". */
int pbw__fail(struct pbw *w, const struct pm_message *m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
