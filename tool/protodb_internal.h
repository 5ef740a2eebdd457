/* protodb_internal.h - the protodb object, shared by protodb.c (loading,
 * lookups) and protobuild.c (names and the resolved model). */
#ifndef PROTODB_INTERNAL_H
#define PROTODB_INTERNAL_H

#include "../dwarf/strmap.h"
#include "arena.h"
#include "google/protobuf/descriptor.pb-c.h"
#include "protodb.h"

struct protodb {
	struct arena arena; /* the model, names, files and refusals */
	/* Files taken, by address, with their parsed descriptors (owned,
	 * freed with protobuf_c_message_free_unpacked). */
	size_t nfiles;
	struct protodb_file *files;
	Google__Protobuf__FileDescriptorProto **fds;
	size_t nrefused;
	struct protodb_refusal *refused;
	struct protodb_stats stats;
	struct strmap types;   /* full name -> message, or enum | 1 */
	struct strmap methods; /* "/pkg.Service/Method" -> struct pm_method * */
};

/* Add a refusal (its strings are copied). 0 or -ENOMEM. */
int protodb__refuse(struct protodb *db, const char *name, enum protodesc_storage storage,
		    uint64_t vaddr, const char *why);

/* protobuild.c: name every type of every file, refuse the files whose
 * names an earlier file took, then build and resolve the model of the
 * rest. 0 or -ENOMEM. */
int protobuild__run(struct protodb *db);

#endif
