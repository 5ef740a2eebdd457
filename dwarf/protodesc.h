/* protodesc.h - the serialized protobuf file descriptors a Go binary
 * carries: every google.protobuf.FileDescriptorProto that protoc-gen-go
 * (or golang/protobuf 1.3, or gogo) compiled into it, found by structure
 * alone, so that stripped binaries give the same answer.
 *
 * How the generations store them:
 *   protobuf-go >= 1.36.6   a Go string constant in .rodata, no symbol, the
 *                           linker's strings packed back to back
 *   protobuf-go 1.36.4-5    a []byte literal turned into a string (data)
 *   protobuf-go <= 1.36.3   file_*_proto_rawDesc, a []byte (.noptrdata)
 *   golang/protobuf < 1.4,  fileDescriptor_<hash>, a gzipped []byte
 *   gogo/protobuf
 * Only a gzip stream stores where a descriptor ends; for the others the end
 * is found by protodesc__extent's strict scan (protoscan.c).
 *
 * Error contract (as gobin.h): functions return 0 or a negative errno, and
 * on failure *why is always set to a one-line reason (static, or owned by
 * the object the function fills). Everything read is untrusted: the scan is
 * bounded in depth, and a gzip stream inflates to PROTODESC_MAX_INFLATE
 * bytes at most.
 */
#ifndef PROTODESC_H
#define PROTODESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gobin;

#define PROTODESC_MAX_INFLATE (8u << 20) /* bytes a gzipped descriptor may inflate to */
#define PROTODESC_MAX_DEPTH 64		 /* nested messages (and groups) the scan follows */

enum protodesc_storage {
	PROTODESC_RODATA, /* bytes in a read-only segment (a Go string constant) */
	PROTODESC_DATA,	  /* bytes in a writable segment (a []byte's backing array) */
	PROTODESC_GZIP,	  /* a gzip stream, inflated */
};

/* One serialized FileDescriptorProto. */
struct protodesc_blob {
	const uint8_t *data; /* into the mapped file, or inflated (owned by the set) */
	size_t len;
	uint64_t vaddr;	     /* where it (or its gzip stream) starts */
	size_t stored_len;   /* bytes it takes in the file (the gzip stream's for GZIP) */
	enum protodesc_storage storage;
};

/* A gzip stream that inflated to the start of a descriptor that is not one
 * as a whole: kept so that --inspect can say why it was passed over. */
struct protodesc_bad {
	uint64_t vaddr;
	const char *why;
};

struct protodesc_set {
	size_t nblobs;
	struct protodesc_blob *blobs; /* by address */
	size_t nbad;
	struct protodesc_bad *bad;
	uint8_t **owned; /* inflated buffers */
	size_t nowned;
};

/* Find every descriptor in the loadable segments of gb (section headers
 * are not needed). Returns 0 with *out set (possibly holding none), or
 * -ENOMEM. The blobs point into gb's mapped file: free the set before
 * closing gb. */
int protodesc__find(struct gobin *gb, struct protodesc_set **out, const char **why);

/* The same over one buffer: what protodesc__find does per segment, for
 * tests and the fuzz target. base is the vaddr of buf[0]; writable picks
 * PROTODESC_DATA over PROTODESC_RODATA. Appends to set. */
int protodesc__scan_buffer(struct protodesc_set *set, const uint8_t *buf, size_t len,
			   uint64_t base, bool writable, const char **why);

void protodesc__free(struct protodesc_set *set);

/* The length of the FileDescriptorProto that starts at p: the longest
 * prefix of p[0..n) that obeys the strict rules (protoscan.c), or 0 when p
 * does not start one. stop, if not NULL, gets why the scan ended there
 * ("end of input" when it ran to n). */
size_t protodesc__extent(const uint8_t *p, size_t n, const char **stop);

/* Inflate the gzip stream at p (at most n bytes) into a new buffer of at
 * most PROTODESC_MAX_INFLATE bytes. Returns 0 with *out (malloc'd) and
 * *outlen, and *used set to the stream's length; or -EINVAL (not gzip, or
 * damaged), -E2BIG (inflates to more), -ENOMEM, with *why set. */
int protodesc__gunzip(const uint8_t *p, size_t n, uint8_t **out, size_t *outlen, size_t *used,
		      const char **why);

const char *protodesc__storage_name(enum protodesc_storage s); /* "rodata", "data", "gzip" */

#endif
