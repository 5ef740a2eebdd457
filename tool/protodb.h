/* protodb.h - the protobuf descriptors of a target: every embedded
 * FileDescriptorProto (dwarf/protodesc.h finds them) parsed with
 * protobuf-c, checked, and resolved across files into the message types
 * of protomodel.h, which the payload decoder reads.
 *
 * What is refused, and what is kept:
 *   - a blob that protobuf-c cannot unpack, or that breaks a rule of
 *     protocheck.c (identifiers, field numbers 1..2^29-1 outside
 *     19000..19999, no duplicate numbers or names, labels and types in
 *     range, oneof indexes, map entries, enum values, methods): the whole
 *     file is refused, with the reason, listed by protodb__refusal();
 *   - a file that defines a full name (message, enum, service) that an
 *     earlier file (by address) defined: refused, as protoregistry refuses
 *     the second registration;
 *   - two blobs of one file name: identical, one is kept; differing, the
 *     first is kept, the other refused and counted (stats.differing_dups);
 *   - a field whose type name resolves to no type of any file found (or to
 *     an enum where a message is due, or the reverse): the field is
 *     dropped, so the decoder shows it as an unknown field by number; the
 *     file is kept, and says how many it dropped and why the first went;
 *   - a method whose input or output type does not resolve: its pm_method
 *     has NULL for that type.
 * Extensions (proto2 "extend") are not in the model: their fields decode
 * as unknown fields.
 *
 * Error contract: 0 or a negative errno, and on failure *why is always set
 * (a static string). Every string the db hands out lives as long as it.
 */
#ifndef PROTODB_H
#define PROTODB_H

#include "../dwarf/protodesc.h"
#include "protomodel.h"

struct gobin;
struct protodb;

struct protodb_method {
	const char *name;			/* "Check" */
	const char *input_type, *output_type;	/* full names as declared, no leading dot */
	const struct pm_method *method;		/* its path, resolved types, streaming */
};

struct protodb_service {
	const char *full_name; /* "grpc.health.v1.Health" */
	size_t nmethods;
	const struct protodb_method *methods;
};

struct protodb_file {
	const char *name;    /* "grpc/health/v1/health.proto" */
	const char *package; /* "" when none */
	const char *syntax;  /* "proto2" (also when absent), "proto3", "editions" */
	enum protodesc_storage storage;
	uint64_t vaddr;	   /* where it is stored */
	size_t size;	   /* its serialized bytes (inflated for gzip) */
	size_t nservices;
	const struct protodb_service *services;
	size_t nmessages; /* every message: each followed by those it nests */
	const struct pm_message *const *messages;
	size_t nenums; /* top-level enums, then those of the messages in that order */
	const struct pm_enum *const *enums;
	size_t ndropped;	 /* fields dropped: their types did not resolve */
	const char *dropped_why; /* the first one's reason, or NULL */
};

/* A blob that was not taken, and why. */
struct protodb_refusal {
	const char *name; /* the file name, NULL when not even that was read */
	enum protodesc_storage storage;
	uint64_t vaddr;
	const char *why;
};

struct protodb_stats {
	size_t blobs;		/* descriptors found */
	size_t identical_dups;	/* blobs equal to one kept */
	size_t differing_dups;	/* blobs of a kept file name with other bytes (refused) */
	size_t dropped_fields;	/* over all files */
	size_t unresolved_methods; /* methods with a NULL input or output type */
};

/* Find, parse, check and resolve the descriptors of gb. Returns 0 with
 * *out set (it may hold no file: a binary without protobuf code), or
 * -ENOMEM. gb may be closed afterwards. */
int protodb__load(struct gobin *gb, struct protodb **out, const char **why);

/* The same from blobs already found (tests, the fuzz target); bad are
 * listed as refused. The blobs are not kept: protodb holds what protobuf-c
 * parsed out of them. */
int protodb__load_blobs(const struct protodesc_blob *blobs, size_t n,
			const struct protodesc_bad *bad, size_t nbad, struct protodb **out,
			const char **why);

void protodb__free(struct protodb *db);

/* The method of a call's :path ("/pkg.Service/Method"), or NULL. Hashed. */
const struct pm_method *protodb__method(const struct protodb *db, const char *path);

/* A message type by full name ("pkg.Outer.Inner", no leading dot), or NULL. */
const struct pm_message *protodb__message(const struct protodb *db, const char *full_name);

/* protodb__message as the decoder's lookup (google.protobuf.Any). */
struct pm_lookup protodb__lookup(const struct protodb *db);

/* The files kept, by address; i < protodb__nfiles(). */
size_t protodb__nfiles(const struct protodb *db);
const struct protodb_file *protodb__file(const struct protodb *db, size_t i);

/* The blobs refused, by address; i < protodb__nrefused(). */
size_t protodb__nrefused(const struct protodb *db);
const struct protodb_refusal *protodb__refusal(const struct protodb *db, size_t i);

const struct protodb_stats *protodb__stats(const struct protodb *db);

#endif
