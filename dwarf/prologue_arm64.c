/* prologue_arm64.c - Go's arm64 prologue: `ldr x16, [x28, #16]` (the
 * stack guard of g), `sub`/`subs` into x17 for big frames, an optional
 * `b.lo` (huge frames check for SP underflow first), `cmp`, then the
 * stack check's `b.ls` to the morestack call. The kernel simulates a
 * conditional branch instead of stepping it, as it emulates amd64's jbe. */
#include "prologue_decode.h"

/* Go's arm64 scratch registers (REGRT1, REGRT2): never an argument. */
static bool is_scratch(const cs_arm64_op *op)
{
	return op->type == ARM64_OP_REG && (op->reg == ARM64_REG_X16 || op->reg == ARM64_REG_X17);
}

static bool jumps_forward_within(const cs_insn *insn, uint64_t end)
{
	const cs_arm64 *a = &insn->detail->arm64;
	uint64_t target;

	if (a->op_count != 1 || a->operands[0].type != ARM64_OP_IMM)
		return false;
	target = (uint64_t)a->operands[0].imm;
	return target > insn->address && target < end;
}

static int judge(csh cs, const cs_insn *insn, bool stack_abi, uint64_t end)
{
	const cs_arm64 *a = &insn->detail->arm64;

	(void)cs;
	switch (insn->id) {
	case ARM64_INS_B:
		if (!jumps_forward_within(insn, end))
			return PROLOGUE_STOP;
		if (a->cc == ARM64_CC_LS)
			return PROLOGUE_PROBE_HERE;
		return a->cc == ARM64_CC_LO ? PROLOGUE_NEXT : PROLOGUE_STOP;
	case ARM64_INS_CMP:
		return PROLOGUE_NEXT; /* writes the flags only */
	case ARM64_INS_LDR:
	case ARM64_INS_SUB:
	case ARM64_INS_MOV:
	case ARM64_INS_MOVZ:
		return stack_abi || (a->op_count > 0 && is_scratch(&a->operands[0])) ? PROLOGUE_NEXT
										  : PROLOGUE_STOP;
	default:
		return PROLOGUE_STOP;
	}
}

static bool is_ret(const cs_insn *insn)
{
	return insn->id == ARM64_INS_RET;
}

const struct prologue_decoder prologue_arm64 = {
	.arch = CS_ARCH_ARM64,
	.mode = CS_MODE_ARM,
	.fixed_width = 4,
	.judge = judge,
	.is_ret = is_ret,
};
