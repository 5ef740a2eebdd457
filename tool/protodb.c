/* protodb.c - load a target's protobuf descriptors (protodb.h): each blob
 * parsed with protobuf-c and checked (protocheck.c), duplicates settled,
 * then the model built (protobuild.c); lookups by method path and message
 * name through hash maps, as they run for every traced call. */
#include "protodb_internal.h"
#include "protocheck.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef Google__Protobuf__FileDescriptorProto FileProto;

int protodb__refuse(struct protodb *db, const char *name, enum protodesc_storage storage,
		    uint64_t vaddr, const char *why)
{
	struct protodb_refusal *v = realloc(db->refused, (db->nrefused + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	db->refused = v;
	v[db->nrefused] = (struct protodb_refusal){NULL, storage, vaddr, arena__strdup(&db->arena, why)};
	if (name && !(v[db->nrefused].name = arena__strdup(&db->arena, name)))
		return -ENOMEM;
	if (!v[db->nrefused].why)
		return -ENOMEM;
	db->nrefused++;
	return 0;
}

static int cmp_blob(const void *a, const void *b)
{
	const struct protodesc_blob *x = *(const struct protodesc_blob *const *)a;
	const struct protodesc_blob *y = *(const struct protodesc_blob *const *)b;

	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

static int cmp_refusal(const void *a, const void *b)
{
	const struct protodb_refusal *x = a, *y = b;

	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

/* The name field a blob starts with, for a refusal's message: the scan
 * has made sure it is there when the blob came from protodesc__find. */
static void blob_name(const struct protodesc_blob *b, char *out, size_t len)
{
	const char *stop;
	size_t n;

	out[0] = '\0';
	if (protodesc__extent(b->data, b->len, &stop) == 0 || b->len < 2)
		return;
	n = b->data[1] < 0x80 ? b->data[1] : 0;
	snprintf(out, len, "%.*s", (int)n, (const char *)b->data + 2);
}

/* One blob: parsed, checked, and taken unless a file of its name was. */
static int take_blob(struct protodb *db, const struct protodesc_blob *b, struct strmap *names,
		     const struct protodesc_blob **kept_blob)
{
	char name[256], why[600];
	const char *stop, *bad;
	FileProto *fd;
	uint64_t prev;
	size_t ext = protodesc__extent(b->data, b->len, &stop);

	blob_name(b, name, sizeof(name));
	if (ext != b->len) {
		snprintf(why, sizeof(why), "not one FileDescriptorProto: %s at byte %zu of %zu",
			 ext ? stop : "no name field first", ext, b->len);
		return protodb__refuse(db, *name ? name : NULL, b->storage, b->vaddr, why);
	}
	fd = (FileProto *)protobuf_c_message_unpack(&google__protobuf__file_descriptor_proto__descriptor,
						    NULL, b->len, b->data);
	if (!fd)
		return protodb__refuse(db, name, b->storage, b->vaddr,
				       "protobuf-c cannot parse it as a FileDescriptorProto");
	if ((bad = protocheck__file(fd, why, sizeof(why))) != NULL) {
		int ret = protodb__refuse(db, name, b->storage, b->vaddr, bad);

		protobuf_c_message_free_unpacked(&fd->base, NULL);
		return ret;
	}
	if (strmap__get(names, fd->name, &prev)) {
		const struct protodesc_blob *k = kept_blob[prev];
		bool same = k->len == b->len && memcmp(k->data, b->data, b->len) == 0;

		protobuf_c_message_free_unpacked(&fd->base, NULL);
		if (same) {
			db->stats.identical_dups++;
			return 0;
		}
		db->stats.differing_dups++;
		return protodb__refuse(db, name, b->storage, b->vaddr,
				       "another descriptor of this file name, with other bytes, came first");
	}
	db->fds[db->nfiles] = fd;
	db->files[db->nfiles] = (struct protodb_file){
		.name = fd->name,
		.package = fd->package ? fd->package : "",
		.syntax = fd->syntax ? fd->syntax : "proto2",
		.storage = b->storage,
		.vaddr = b->vaddr,
		.size = b->len,
	};
	kept_blob[db->nfiles] = b;
	return strmap__put(names, fd->name, db->nfiles++);
}

static int load(struct protodb *db, const struct protodesc_blob *blobs, size_t n,
		const struct protodesc_bad *bad, size_t nbad)
{
	const struct protodesc_blob **order = calloc(n + 1, sizeof(*order));
	const struct protodesc_blob **kept_blob = calloc(n + 1, sizeof(*kept_blob));
	struct strmap names = {0};
	int ret = -ENOMEM;

	db->files = calloc(n + 1, sizeof(*db->files));
	db->fds = calloc(n + 1, sizeof(*db->fds));
	if (!order || !kept_blob || !db->files || !db->fds || strmap__init(&names, n) ||
	    strmap__init(&db->types, 64) || strmap__init(&db->methods, 64))
		goto out;
	db->stats.blobs = n;
	for (size_t i = 0; i < n; i++)
		order[i] = &blobs[i];
	qsort(order, n, sizeof(*order), cmp_blob);
	for (size_t i = 0; i < nbad; i++)
		if (protodb__refuse(db, NULL, PROTODESC_GZIP, bad[i].vaddr, bad[i].why))
			goto out;
	for (size_t i = 0; i < n; i++)
		if (take_blob(db, order[i], &names, kept_blob))
			goto out;
	if ((ret = protobuild__run(db)) == 0 && db->nrefused)
		qsort(db->refused, db->nrefused, sizeof(*db->refused), cmp_refusal);
out:
	strmap__free(&names);
	free(order);
	free(kept_blob);
	return ret;
}

int protodb__load_blobs(const struct protodesc_blob *blobs, size_t n,
			const struct protodesc_bad *bad, size_t nbad, struct protodb **out,
			const char **why)
{
	struct protodb *db = calloc(1, sizeof(*db));

	*out = NULL;
	if (!db || load(db, blobs, n, bad, nbad)) {
		protodb__free(db);
		*why = "out of memory";
		return -ENOMEM;
	}
	*out = db;
	return 0;
}

int protodb__load(struct gobin *gb, struct protodb **out, const char **why)
{
	struct protodesc_set *set;
	int ret = protodesc__find(gb, &set, why);

	*out = NULL;
	if (ret)
		return ret;
	ret = protodb__load_blobs(set->blobs, set->nblobs, set->bad, set->nbad, out, why);
	protodesc__free(set);
	return ret;
}

void protodb__free(struct protodb *db)
{
	if (!db)
		return;
	/* protobuild.c leaves NULL where it took a parsed file away. */
	for (size_t i = 0; db->fds && i < db->nfiles; i++)
		if (db->fds[i])
			protobuf_c_message_free_unpacked(&db->fds[i]->base, NULL);
	free(db->fds);
	free(db->files);
	free(db->refused);
	strmap__free(&db->types);
	strmap__free(&db->methods);
	arena__free(&db->arena);
	free(db);
}

const struct pm_method *protodb__method(const struct protodb *db, const char *path)
{
	uint64_t v;

	return db && path && strmap__get(&db->methods, path, &v) ? (const void *)(uintptr_t)v
								 : NULL;
}

const struct pm_message *protodb__message(const struct protodb *db, const char *full_name)
{
	uint64_t v;

	/* Enums carry a tag bit and services a bare tag (protobuild.c). */
	if (!db || !full_name || !strmap__get(&db->types, full_name, &v) || (v & 3))
		return NULL;
	return (const void *)(uintptr_t)v;
}

static const struct pm_message *lookup_message(const void *ctx, const char *full_name)
{
	return protodb__message(ctx, full_name);
}

struct pm_lookup protodb__lookup(const struct protodb *db)
{
	return (struct pm_lookup){lookup_message, db};
}

size_t protodb__nfiles(const struct protodb *db) { return db ? db->nfiles : 0; }

const struct protodb_file *protodb__file(const struct protodb *db, size_t i)
{
	return db && i < db->nfiles ? &db->files[i] : NULL;
}

size_t protodb__nrefused(const struct protodb *db) { return db ? db->nrefused : 0; }

const struct protodb_refusal *protodb__refusal(const struct protodb *db, size_t i)
{
	return db && i < db->nrefused ? &db->refused[i] : NULL;
}

const struct protodb_stats *protodb__stats(const struct protodb *db) { return &db->stats; }
