/* resolve.h - apply the rules to one binary: which probes run, where they
 * attach, and the number behind every need, or why a probe cannot run. */
#ifndef RESOLVE_H
#define RESOLVE_H

#include "../dwarf/gobin.h"
#include "connwrap.h"
#include "layout.h"
#include "probes.h"

#include <stdint.h>

struct resolved_need {
	const struct need *need;
	bool found;
	const char *source; /* the alternative that matched */
	const char *origin; /* where its value came from: DWARF, table row, symtab... */
	const char *why;    /* when not found */
	bool absent;	    /* not found, and not in the binary for certain (itabs) */
	uint64_t value;	    /* offset, size or address */
	uint64_t size;	    /* member size */
	struct gobin_piece piece; /* NEED_PARAM */
};

struct resolved_probe {
	const struct probe_spec *spec;
	const struct rule *rule;
	bool enabled;
	const char *why; /* why disabled */
	const struct gobin_func *fn;
	int nneeds;
	struct resolved_need needs[MAX_NEEDS];
};

struct rule_result {
	const struct rule *rule;
	bool applies;
	const char *version; /* module version found, or NULL */
	const char *version_source; /* "module data", "user-agent string" */
	char version_buf[32];
	const char *why;     /* why it does not apply */
	bool unknown;	     /* could not tell (no symbols) */
};

struct resolution {
	struct gobin *gb;
	const struct gobin_machine *machine; /* gb's (gobin__machine), NULL if unknown */
	struct layout layout; /* DWARF or the offsets table */
	int nrules;
	struct rule_result rules[8];
	int nprobes;
	struct resolved_probe probes[MAX_PROBES];
	char why_buf[MAX_PROBES][256];
	/* Output fields that enabled probes cannot fill (enum output_field),
	 * each with the first reason found. */
	unsigned unknown_fields;
	char unknown_why[NFIELDS][256]; /* "itab X: cause" */
	const char *unknown_cause[NFIELDS]; /* the cause alone */
	struct conn_wraps wraps; /* net.Conn wrappers the BPF side unwraps */
};

/* Index DWARF and resolve every probe of every rule. Returns 0, or -errno
 * with a reason in err when the binary cannot be read at all. */
int resolution__run(struct resolution *res, struct gobin *gb, char *err, size_t errlen);
int resolution__enabled(const struct resolution *res);
/* True when the binary links grpc-go (or might: no symbols to tell). */
bool resolution__has_grpc(const struct resolution *res);
/* Turn off the probes of rules that see only plain HTTP (--protocol grpc,
 * or its default in a process that links grpc-go). */
void resolution__disable_plain_http(struct resolution *res, const char *why);
/* True when any rule applies (or might): there is something to trace. */
bool resolution__has_any(const struct resolution *res);
/* The resolved probe of that id, or NULL. */
const struct resolved_probe *resolution__probe(const struct resolution *res, const char *id);

/* The names to index: every function and struct type the table mentions,
 * plus the --inspect extras. Returns counts via out params; static storage. */
void resolution__wanted(const char *const **funcs, int *nfuncs, const char *const **structs,
			int *nstructs);
/* Every "pkg.Type:path" member the table and --inspect mention. */
void resolution__wanted_members(const char *const **members, int *nmembers);

#endif
