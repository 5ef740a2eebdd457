/* prologue.c - machine-code facts about a function: where to put the
 * uprobe and where its RET instructions are.
 *
 * A uprobe on an instruction the kernel must single-step (Go's entry
 * `cmp`/`lea`) costs an order of magnitude more than one on an instruction
 * it emulates, such as the stack check's `jbe` (amd64) or `b.ls` (arm64)
 * a few bytes later. Before that branch the argument registers are
 * untouched, so the arguments can be read there. Only instruction
 * boundaries found by decoding from the entry are ever used. The machine's
 * own facts are in prologue_amd64.c and prologue_arm64.c.
 */
#include "prologue.h"
#include "prologue_decode.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FUNC_BYTES (1 << 20)

static const struct prologue_decoder *decoder_for(unsigned elf_machine)
{
	switch (elf_machine) {
	case EM_X86_64:
		return &prologue_amd64;
	case EM_AARCH64:
		return &prologue_arm64;
	default:
		return NULL;
	}
}

/* Find the stack check's branch among the first instructions. */
static void find_stack_check(csh cs, const struct prologue_decoder *dec, bool stack_abi,
			     struct gobin_func *fn, const uint8_t *code, size_t len)
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
		int verdict = dec->judge(cs, insn, stack_abi, fn->end);

		if (verdict == PROLOGUE_PROBE_HERE) {
			fn->probe = insn->address;
			fn->probe_is_stack_check = true;
		}
		if (verdict != PROLOGUE_NEXT)
			break;
	}
	cs_free(insn, 1);
}


static void find_rets(csh cs, const struct prologue_decoder *dec, struct gobin_func *fn, const uint8_t *code, size_t len)
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
			if (dec->fixed_width && left >= dec->fixed_width) {
				p += dec->fixed_width;
				left -= dec->fixed_width;
				addr += dec->fixed_width;
				continue;
			}
			/* Undecodable bytes: the list is incomplete, say so. */
			fn->rets_truncated = true;
			break;
		}
		if (!dec->is_ret(insn))
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
	const struct prologue_decoder *dec = decoder_for(img->ehdr.e_machine);
	uint8_t *code;
	csh cs;

	fn->probe = fn->entry;
	if (!dec) {
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
	if (cs_open(dec->arch, dec->mode, &cs) != CS_ERR_OK) {
		free(code);
		*why = "cannot start the instruction decoder";
		return -EINVAL;
	}
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	find_stack_check(cs, dec, stack_abi, fn, code, len);
	find_rets(cs, dec, fn, code, len);
	cs_close(&cs);
	free(code);
	return 0;
}
