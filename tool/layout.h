/* layout.h - the numbers probes need (member offsets, struct sizes,
 * parameter locations at the probe address) from the best source a binary
 * offers: its DWARF, else the offsets table row for the releases it was
 * built from. Every answer names its origin; none is ever a guess. */
#ifndef LAYOUT_H
#define LAYOUT_H

#include "../dwarf/gobin.h"
#include "offsets.h"

#include <stdbool.h>
#include <stdint.h>

struct layout {
	struct gobin *gb;
	bool dwarf; /* the binary has DWARF (its own or a debug file's) */
	struct offsets_versions ov;
	const char *table_why; /* the table could not be read, or NULL */
	char table_err[128];
	char dwarf_origin[320]; /* "DWARF", or "DWARF (debuglink FILE)" */
};

/* Decide the source for gb. grpc_version/grpc_source: what the rule's
 * checker found (NULL when unknown); they key the table. */
void layout__init(struct layout *l, struct gobin *gb, const char *grpc_version,
		  const char *grpc_source);

/* "DWARF" or "offsets table", for people. */
const char *layout__source(const struct layout *l);

/* 0, with origin naming where the value came from; else -errno and why. */
int layout__member(const struct layout *l, const char *type, const char *path, uint64_t *offset,
		   uint64_t *size, const char **origin, const char **why);
int layout__size(const struct layout *l, const char *type, uint64_t *size, const char **origin,
		 const char **why);
/* A parameter of fn by name; a table value is written into mem and *out
 * points there, a DWARF value points into fn. */
int layout__param(const struct layout *l, const struct gobin_func *fn, const char *name,
		  struct gobin_param *mem, const struct gobin_param **out, const char **origin,
		  const char **why);
/* Every parameter (results left out) of fn, in order: up to max copies
 * into out, each with its origin. The count, or -errno with why. */
int layout__params(const struct layout *l, const struct gobin_func *fn, struct gobin_param *out,
		   int max, const char **origins, const char **why);

#endif
