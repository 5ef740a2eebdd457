/* prologue_decode.h - one machine's instruction facts for prologue.c:
 * which decoder, where the stack check's branch is, what a return is.
 * Internal to the reader. */
#ifndef PROLOGUE_DECODE_H
#define PROLOGUE_DECODE_H

#include <capstone/capstone.h>
#include <stdbool.h>
#include <stdint.h>

/* How many instructions from the entry the stack check may take. */
#define PROLOGUE_INSNS 6

struct prologue_decoder {
	cs_arch arch;
	cs_mode mode;
	/* Bytes per instruction on a fixed-width machine, else 0. There a
	 * word the decoder does not know (newer extensions: arm64's LSE
	 * atomics, which Go emits beside their fallback) is stepped over:
	 * every return form is one it knows. */
	unsigned fixed_width;
	/* Decide on one prologue instruction (decoded with detail), in order
	 * from the entry: PROLOGUE_PROBE_HERE (the stack check's branch: probe
	 * it), PROLOGUE_NEXT (harmless, look at the next), or PROLOGUE_STOP
	 * (no stack check to probe before the arguments may be touched).
	 * end bounds the function: the branch must jump forward inside it. */
	int (*judge)(csh cs, const cs_insn *insn, bool stack_abi, uint64_t end);
	bool (*is_ret)(const cs_insn *insn);
};

enum { PROLOGUE_STOP, PROLOGUE_NEXT, PROLOGUE_PROBE_HERE };

extern const struct prologue_decoder prologue_amd64, prologue_arm64;

#endif
