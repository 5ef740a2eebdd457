/* prologue_amd64.c - Go's amd64 prologue: `cmp`/`lea`/`mov`/`sub` on
 * scratch registers, an optional `jb` (big frames check for SP underflow
 * first), then the stack check's `jbe` to the morestack call. */
#include "prologue_decode.h"

/* Registers the prologue may write before the stack check without
 * disturbing the arguments: Go's scratch registers and the flags. */
static bool harmless_write(uint16_t reg)
{
	switch (reg) {
	case X86_REG_R12:
	case X86_REG_R13:
	case X86_REG_EFLAGS:
	case X86_REG_RIP:
		return true;
	default:
		return false;
	}
}

static bool writes_only_scratch(csh cs, const cs_insn *insn)
{
	cs_regs rd, wr;
	uint8_t nrd, nwr;

	if (cs_regs_access(cs, insn, rd, &nrd, wr, &nwr) != CS_ERR_OK)
		return false;
	for (int i = 0; i < nwr; i++)
		if (!harmless_write(wr[i]))
			return false;
	return true;
}

static bool jumps_forward_within(const cs_insn *insn, uint64_t end)
{
	const cs_x86 *x = &insn->detail->x86;
	uint64_t target;

	if (x->op_count != 1 || x->operands[0].type != X86_OP_IMM)
		return false;
	target = (uint64_t)x->operands[0].imm;
	return target > insn->address && target < end;
}

/* The stack ABI (Go < 1.17) loads g into a register first, which is fine
 * there since no argument lives in a register. */
static int judge(csh cs, const cs_insn *insn, bool stack_abi, uint64_t end)
{
	switch (insn->id) {
	case X86_INS_JBE:
		return jumps_forward_within(insn, end) ? PROLOGUE_PROBE_HERE : PROLOGUE_STOP;
	case X86_INS_JB:
		return jumps_forward_within(insn, end) ? PROLOGUE_NEXT : PROLOGUE_STOP;
	case X86_INS_CMP:
	case X86_INS_LEA:
	case X86_INS_MOV:
	case X86_INS_SUB:
		return stack_abi || writes_only_scratch(cs, insn) ? PROLOGUE_NEXT : PROLOGUE_STOP;
	default:
		return PROLOGUE_STOP;
	}
}

static bool is_ret(const cs_insn *insn)
{
	return insn->id == X86_INS_RET;
}

const struct prologue_decoder prologue_amd64 = {
	.arch = CS_ARCH_X86,
	.mode = CS_MODE_64,
	.judge = judge,
	.is_ret = is_ret,
};
