/* wanted.c - print what the probe table (tool/probes.c) looks for, so that
 * tests/fuzz/mkseed.py can build small synthetic binaries that hold it:
 *   F <function> then P <param> [<type>] lines for its parameters
 *   M <type>:<member.path>     S <type>     I <concrete,interface>
 */
#include "../../tool/probes.h"

#include <stdio.h>

static void print_func(const char *fn, const struct probe_spec *ps)
{
	printf("F %s\n", fn);
	if (!ps)
		return;
	for (int n = 0; n < MAX_NEEDS && ps->needs[n].macro; n++) {
		const struct need *nd = &ps->needs[n];

		if (nd->kind == NEED_PARAM)
			printf("P %s %d\n", nd->alts[0], nd->piece);
		else if (nd->kind == NEED_PARAM_TYPE)
			printf("T %s %s\n", nd->alts[0], nd->alts[1]);
	}
}

int main(void)
{
	for (int i = 0; i < nprobe_specs; i++) {
		const struct probe_spec *ps = &probe_specs[i];

		for (int f = 0; f < MAX_FUNCS && ps->funcs[f]; f++)
			print_func(ps->funcs[f], ps);
		for (int n = 0; n < MAX_NEEDS && ps->needs[n].macro; n++) {
			const struct need *nd = &ps->needs[n];

			for (int a = 0; a < MAX_ALTS && nd->alts[a]; a++) {
				if (nd->kind == NEED_MEMBER)
					printf("M %s\n", nd->alts[a]);
				else if (nd->kind == NEED_SIZE)
					printf("S %s\n", nd->alts[a]);
				else if (nd->kind == NEED_ITAB)
					printf("I %s\n", nd->alts[a]);
			}
		}
	}
	for (int r = 0; r < nrules; r++)
		for (int m = 0; m < MAX_ALTS && rules[r].markers[m]; m++)
			printf("F %s\n", rules[r].markers[m]);
	for (int i = 0; inspect_extra_funcs[i]; i++)
		print_func(inspect_extra_funcs[i], NULL);
	for (int i = 0; inspect_extra_members[i]; i++)
		printf("M %s\n", inspect_extra_members[i]);
	for (int i = 0; inspect_extra_itabs[i]; i++)
		printf("I %s\n", inspect_extra_itabs[i]);
	return 0;
}
