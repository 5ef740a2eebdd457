/* render.h - write the BPF program for one binary from bpf_templates/. */
#ifndef RENDER_H
#define RENDER_H

#include "resolve.h"

#include <stddef.h>
#include <stdint.h>

struct render_opts {
	int payload;	   /* bytes of payload to copy; 0 = off */
	int scratch_cpus;  /* with payload: possible CPUs (one scratch slot each) */
	int ringbuf_pages; /* 0 = default */
	uint64_t load_bias; /* added to itab addresses (PIE targets) */
	/* The target's read-only data, [rodata_lo, rodata_hi) as mapped;
	 * 0, 0: none. Header strings there are sent by address. */
	uint64_t rodata_lo, rodata_hi;
	bool empty;	    /* benchmark: probes count their hit and return */
	bool count_ops;	    /* benchmark: count each probe's reads and map operations */
	bool at_entry;	    /* benchmark: probes sit on function entries */
	bool perf_buffer;   /* the kernel has no BPF ring buffer */
	bool unroll_loops;  /* the kernel's verifier refuses our loops (Linux 6.1) */
	bool copy_all_strings; /* no strings by address: fewer paths for an older verifier */
};

/* The most CPUs a --payload program has scratch slots for. */
#define MAX_SCRATCH_CPUS 8192

/* The number of possible CPUs, or -errno. */
int render__possible_cpus(void);

/* The program text (malloc'd), or NULL with a reason in err. Only numbers
 * taken from the binary enter the text, each checked against its range. */
char *render__program(const struct resolution *res, const struct render_opts *ro, char *err,
		      size_t errlen);

/* Provided by the build (tool/embed.sh): a template file by base name. */
const char *embedded_file(const char *name);

#endif
