/* offsets.h - the offsets tables (tool/offsets_GOARCH.tbl, compiled in):
 * member offsets, struct sizes and parameter locations of the releases
 * that `make offsets` built for each machine, for binaries that carry no
 * DWARF.
 *
 * Every value belongs to an owner: the standard library (keyed by the Go
 * minor release), grpc-go or golang.org/x/net (keyed by the Go minor
 * release and the module's release). A lookup outside the known ranges is
 * refused with the versions it was asked for, never answered with a guess.
 */
#ifndef OFFSETS_H
#define OFFSETS_H

#include "../dwarf/gobin.h"

#include <stddef.h>
#include <stdint.h>

enum offsets_owner { OWNER_GO, OWNER_GRPC, OWNER_XNET, NOWNERS };

struct offsets_table;

/* The releases of one binary, as the table's keys, and its machine's table. */
struct offsets_versions {
	const struct offsets_table *table; /* NULL: none loaded for the machine */
	char go_minor[16];		/* "go1.26", "" if unknown */
	const char *version[NOWNERS];	/* module release, NULL if unknown */
	const char *source[NOWNERS];	/* where it came from, for --inspect */
	const char *unknown_why[NOWNERS]; /* why it stayed unknown */
	char buf[NOWNERS][64];
	char why_buf[NOWNERS][192];
};

/* Parse the built-in table of machine goarch (once). 0; -ENOENT when none
 * is built in for it, -EINVAL with the bad line in err. */
int offsets__load(const char *goarch, char *err, size_t errlen);

/* Fill v for gb (with its machine's table, if loaded). grpc_version/grpc_source come from the rule's checker
 * (module data or the user-agent string); x/net from the module data; a
 * module release still unknown is looked for by its code's fingerprint
 * (function sizes equal to one reference build's). */
void offsets__versions(struct gobin *gb, const char *grpc_version, const char *grpc_source,
		       struct offsets_versions *v);

/* Lookups. 0: found, with origin naming the row's ranges. -ENOENT: the
 * known releases lack it (why says so). -ERANGE: the releases of this
 * binary are not covered (why names them). */
int offsets__member(const struct offsets_versions *v, const char *type_path, uint64_t *offset,
		    uint64_t *size, const char **origin, const char **why);
int offsets__size(const struct offsets_versions *v, const char *type, uint64_t *size,
		  const char **origin, const char **why);
/* A parameter of func; out->name and out->type_name point into the table. */
int offsets__param(const struct offsets_versions *v, const char *func, const char *name,
		   struct gobin_param *out, const char **origin, const char **why);
/* Every parameter of func the table has for v, in order: up to max into
 * out with each one's origin. Returns the count, or a negative errno as
 * the lookups above. */
int offsets__params(const struct offsets_versions *v, const char *func, struct gobin_param *out,
		    int max, const char **origins, const char **why);

/* The number of reference builds of machine goarch's table. */
int offsets__nbuilds(const char *goarch);

#endif
