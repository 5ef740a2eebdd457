/* machine.c - what differs between the machines Go programs run on, in
 * one table: register names and numbers, the stack pointer, the CFA at a
 * function's entry, the highest user address. Everything else of the
 * reader is the same for amd64 and arm64 (64-bit, little-endian). */
#include "gobin.h"

#include <elf.h>
#include <string.h>

static const char *const amd64_regs[] = {
	"rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp",
	"r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15",
};

/* AArch64's DWARF numbers: x0..x30 are 0..30, sp is 31. */
static const char *const arm64_regs[] = {
	"x0",  "x1",  "x2",  "x3",  "x4",  "x5",  "x6",  "x7",	"x8",  "x9",  "x10",
	"x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21",
	"x22", "x23", "x24", "x25", "x26", "x27", "x28", "x29", "x30", "sp",
};

static const struct gobin_machine machines[] = {
	{
		.goarch = "amd64",
		.elf_machine = EM_X86_64,
		.register_abi_since = "go1.17",
		.dwarf_sp = 7,
		.entry_cfa = 8, /* CALL pushed the return address */
		.max_value_reg = 15,
		.user_end = 1ULL << 47,
		.reg_names = amd64_regs,
		.nreg_names = sizeof(amd64_regs) / sizeof(amd64_regs[0]),
		.template_id = 1,
	},
	{
		.goarch = "arm64",
		.elf_machine = EM_AARCH64,
		.register_abi_since = "go1.18",
		.dwarf_sp = 31,
		.entry_cfa = 0, /* BL left the return address in x30 */
		.max_value_reg = 30,
		.user_end = 1ULL << 48,
		.reg_names = arm64_regs,
		.nreg_names = sizeof(arm64_regs) / sizeof(arm64_regs[0]),
		.template_id = 2,
	},
};

const struct gobin_machine *gobin__machine_of_elf(unsigned elf_machine)
{
	for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
		if (machines[i].elf_machine == elf_machine)
			return &machines[i];
	return NULL;
}

const struct gobin_machine *gobin__machine_named(const char *goarch)
{
	for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
		if (strcmp(machines[i].goarch, goarch) == 0)
			return &machines[i];
	return NULL;
}

const char *gobin__machine_reg_name(const struct gobin_machine *m, int dwarf_reg)
{
	if (!m || dwarf_reg < 0 || dwarf_reg >= m->nreg_names)
		return NULL;
	return m->reg_names[dwarf_reg];
}

const struct gobin_machine *gobin__machine_native(void)
{
#if defined(__x86_64__)
	return gobin__machine_named("amd64");
#elif defined(__aarch64__)
	return gobin__machine_named("arm64");
#else
	return NULL;
#endif
}
