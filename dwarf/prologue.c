/* prologue.c - machine-code facts about a function: where to put the
 * uprobe and where its RET instructions are.
 *
 * A uprobe on an instruction the kernel must single-step (Go's entry
 * `cmp`/`lea`) costs an order of magnitude more than one on an instruction
 * it emulates, such as the stack-check `jbe` a few bytes later. Before that
 * jump the argument registers are untouched, so the arguments can be read
 * there. Only instruction boundaries found by decoding from the entry are
 * ever used.
 */
#include "prologue.h"

#include <capstone/capstone.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FUNC_BYTES (1 << 20)
#define PROLOGUE_INSNS 6

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

static uint64_t branch_target(const cs_insn *insn)
{
	const cs_x86 *x = &insn->detail->x86;

	if (x->op_count == 1 && x->operands[0].type == X86_OP_IMM)
		return (uint64_t)x->operands[0].imm;
	return 0;
}

/* Find the stack-check `jbe` among the first instructions. The stack ABI
 * (Go < 1.17) loads g into a register first, which is fine there since no
 * argument lives in a register. */
static void find_stack_check(csh cs, bool stack_abi, struct gobin_func *fn,
			     const uint8_t *code, size_t len)
{
	const uint8_t *p = code;
	size_t left = len;
	uint64_t addr = fn->entry;
	cs_insn *insn = cs_malloc(cs);

	fn->probe = fn->entry;
	fn->probe_is_stack_check = false;
	if (!insn)
		return;
	for (int i = 0; i < PROLOGUE_INSNS && cs_disasm_iter(cs, &p, &left, &addr, insn); i++) {
		uint64_t target;

		if (insn->id == X86_INS_JBE) {
			target = branch_target(insn);
			if (target > insn->address && target < fn->end) {
				fn->probe = insn->address;
				fn->probe_is_stack_check = true;
			}
			break;
		}
		if (insn->id == X86_INS_JB) {
			target = branch_target(insn);
			if (target > insn->address && target < fn->end)
				continue; /* big frames check for SP underflow first */
			break;
		}
		if (insn->id != X86_INS_CMP && insn->id != X86_INS_LEA && insn->id != X86_INS_MOV &&
		    insn->id != X86_INS_SUB)
			break;
		if (!stack_abi && !writes_only_scratch(cs, insn))
			break;
	}
	cs_free(insn, 1);
}

static void find_rets(csh cs, struct gobin_func *fn, const uint8_t *code, size_t len)
{
	const uint8_t *p = code;
	size_t left = len;
	uint64_t addr = fn->entry;
	cs_insn *insn = cs_malloc(cs);

	if (!insn)
		return;
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_OFF);
	while (left > 0) {
		if (!cs_disasm_iter(cs, &p, &left, &addr, insn)) {
			/* Undecodable bytes: the list is incomplete, say so. */
			fn->rets_truncated = true;
			break;
		}
		if (insn->id != X86_INS_RET)
			continue;
		if (fn->nrets == GOBIN_MAX_RETS) {
			fn->rets_truncated = true;
			break;
		}
		fn->rets[fn->nrets++] = insn->address;
	}
	cs_free(insn, 1);
}

int prologue__scan(const struct elfimage *img, bool stack_abi, struct gobin_func *fn,
		   struct notes *notes, const char **why)
{
	size_t len = fn->end - fn->entry;
	uint8_t *code;
	csh cs;

	fn->probe = fn->entry;
	if (img->ehdr.e_machine != EM_X86_64) {
		fn->rets_truncated = true;
		return 0; /* entry probes only; RETs unknown */
	}
	if (len == 0 || len > MAX_FUNC_BYTES) {
		*why = notes__add(notes, "implausible function size %zu", len);
		return -EINVAL;
	}
	code = malloc(len);
	if (!code) {
		*why = "out of memory";
		return -ENOMEM;
	}
	if (elfimage__read(img, fn->entry, code, len)) {
		free(code);
		*why = "function code lies outside the file";
		return -EFAULT;
	}
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
		free(code);
		*why = "cannot start the x86 decoder";
		return -EINVAL;
	}
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	find_stack_check(cs, stack_abi, fn, code, len);
	find_rets(cs, fn, code, len);
	cs_close(&cs);
	free(code);
	return 0;
}
