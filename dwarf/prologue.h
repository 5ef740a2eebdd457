/* prologue.h - where to attach in a function and where it returns, from its
 * machine code in the ELF image. Internal to the reader. */
#ifndef PROLOGUE_H
#define PROLOGUE_H

#include "elfimage.h"
#include "gobin.h"
#include "notes.h"

/**
 * prologue__scan() - fill fn->probe and fn->rets from fn->entry..fn->end
 * @stack_abi: the binary passes arguments on the stack (Go < 1.17 on amd64, < 1.18 on arm64)
 *
 * On machines whose code is not decoded yet the probe is the entry and the
 * RETs are unknown (fn->rets_truncated). Return: 0; -EINVAL (implausible
 * size, no decoder), -EFAULT (code outside the file), -ENOMEM; the reason
 * always in why.
 */
int prologue__scan(const struct elfimage *img, bool stack_abi, struct gobin_func *fn,
		   struct notes *notes, const char **why);

#endif
