/* probes.h - what gogrpctrace probes, and what each probe needs from the
 * target binary. Everything here is data; resolve.c does the looking up. */
#ifndef PROBES_H
#define PROBES_H

#include <linux/types.h>
#include <stdbool.h>

#include "../bpf_templates/gogrpctrace_events.h"

#define MAX_ALTS 4
#define MAX_NEEDS 32
#define MAX_FUNCS 4
#define MAX_RULE_PROBES 16
#define MAX_PROBES 64 /* probes in the table, at most */

enum need_kind {
	NEED_PARAM,  /* a piece of a parameter of the probed function */
	NEED_MEMBER, /* "pkg.Type:dotted.path" member offset */
	NEED_SIZE,   /* "pkg.Type" struct size */
	NEED_ITAB,   /* "concrete,interface" itab address */
	NEED_PARAM_TYPE, /* alts[0] is a parameter whose type must be alts[1] */
};

/* Output fields a need serves (struct need's fills): when such a need is
 * missing, and not absent for certain, the field prints as unknown. */
enum output_field {
	FIELD_PEER = 1 << 0,
	FIELD_LOCAL = 1 << 1,
	FIELD_TLS = 1 << 2,
	FIELD_REQ_SIZES = 1 << 3,  /* of requests a server receives */
	FIELD_RESP_SIZES = 1 << 4, /* of responses a client receives */
};
#define NFIELDS 5
/* Their names, by bit number: for people, and as JSON keys. */
extern const struct output_field_name {
	const char *text, *key;
} output_fields[NFIELDS];

/* One number the rendered BPF program needs. macro is our own name for it
 * in the program text; alts are tried in order and the first found wins.
 * An optional need that is missing renders as absent (HAS_ macro 0)
 * instead of disabling the probe. */
struct need {
	const char *macro;
	enum need_kind kind;
	const char *alts[MAX_ALTS];
	int piece; /* NEED_PARAM: which word of a multi-word value */
	bool optional;
	unsigned fills; /* enum output_field bits unknown without it */
};

/* A probe on code both ends of a call run (grpc-go's loopyWriter, a
 * Framer's writes): its events say the side, or the call table knows. */
#define SIDE_BOTH SIDE_UNKNOWN

/* What a probe sees happen. 0 is no role: the table's test catches a row
 * that forgot it. */
enum probe_role {
	ROLE_HDR_IN = 1, /* a header block received */
	ROLE_HDR_OUT,	 /* a header block sent */
	ROLE_FIELD_OUT,	 /* one header field sent */
	ROLE_MSG_OUT,	 /* a gRPC message sent */
	ROLE_DATA_IN,	 /* a DATA frame received */
	ROLE_DATA_OUT,	 /* a DATA frame sent */
	ROLE_RST_IN,	 /* a stream reset received */
	ROLE_RST_OUT,	 /* a stream reset sent */
	ROLE_CONN_CLOSE, /* a connection closed */
	ROLE_CALL_START, /* an HTTP/1.x call starts */
	ROLE_CALL_END,	 /* an HTTP/1.x call ends */
};

/* The stack grpc-go's own transport probes watch. */
#define GRPC_GO_STACK "grpc-go"

struct probe_spec {
	const char *id;	  /* also the BPF function name suffix: probe_<id> */
	const char *what; /* for people, after the side's name */
	const char *stack; /* the HTTP stack it watches: GRPC_GO_STACK, "net/http h2", ... */
	int side;	   /* SIDE_SERVER, SIDE_CLIENT (as in the events) or SIDE_BOTH */
	enum probe_role role;
	bool at_returns;   /* attached at each RET of the function, not its entry */
	bool opens_calls;  /* its side's calls start here: without it, that side shows nothing */
	const char *funcs[MAX_FUNCS]; /* candidate symbols, first present wins */
	struct need needs[MAX_NEEDS];
};

/* A rule: the Checker (does the binary qualify: a module or symbol, and a
 * version range) and the Selector (the probes that fit the versions). */
struct rule {
	const char *name;
	const char *module;	 /* module whose version gates the rule; NULL: the standard library */
	const char *markers[MAX_ALTS]; /* symbols that prove the code is linked in: any one */
	const char *min_version; /* inclusive; NULL = any */
	const char *version_mark; /* without module data: "<mark><version>" in the binary */
	bool plain_http; /* carries only non-gRPC traffic: off unless --protocol shows HTTP */
	const char *probes[MAX_RULE_PROBES];
};

extern const struct probe_spec probe_specs[];
/* "server", "client" or "both sides". */
const char *probe_side__name(int side);
extern const int nprobe_specs;
extern const struct rule rules[];
extern const int nrules;

/* Extra items --inspect shows that no probe reads yet (the seed's list). */
extern const char *const inspect_extra_funcs[];
extern const char *const inspect_extra_members[];
extern const char *const inspect_extra_itabs[];

const struct probe_spec *probe_spec__find(const char *id);

#endif
