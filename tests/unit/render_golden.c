/* render_golden.c - render the BPF program from a fixed, made-up resolution
 * and print its prelude of numbers, so a golden file can pin the renderer's output without
 * depending on any real binary's addresses.
 *
 * Usage: render_golden all|missing|payload
 *   all      every probe enabled, every need found
 *   missing  every optional need missing, one probe disabled
 *   payload  as all, with --payload=64
 */
#include "../../tool/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct gobin_func fake_fn = {
	.name = "fake",
	.probe_is_stack_check = true,
};

/* Deterministic values: a need's number depends only on its name, as the
 * same name means the same thing in every probe. */
static int name_hash(const char *s)
{
	unsigned h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return (int)(h % 97);
}

static void fill_need(struct resolved_need *rn, const struct need *nd, bool drop_optional)
{
	int pos = name_hash(nd->macro);

	rn->need = nd;
	rn->found = !(drop_optional && nd->optional);
	rn->source = nd->alts[0];
	switch (nd->kind) {
	case NEED_PARAM:
		rn->piece.kind = pos % 3 == 2 ? GOBIN_LOC_STACK : GOBIN_LOC_REG;
		rn->piece.dwarf_reg = pos % 9;
		rn->piece.stack_off = 8 + 8 * (pos % 16);
		rn->piece.size = 8;
		break;
	case NEED_MEMBER:
		rn->value = (uint64_t)(8 * pos);
		rn->size = 8;
		break;
	case NEED_SIZE:
		rn->value = 40;
		break;
	case NEED_ITAB:
		rn->value = 0x900000 + (uint64_t)(16 * pos);
		break;
	case NEED_PARAM_TYPE:
		break;
	}
	if (!rn->found)
		rn->why = "dropped by the test";
}

int main(int argc, char **argv)
{
	static struct resolution res;
	struct render_opts ro = {0};
	const char *mode = argc > 1 ? argv[1] : "all";
	bool missing = strcmp(mode, "missing") == 0;
	char err[256];
	char *text;

	res.machine = gobin__machine_named("amd64"); /* no binary: the golden files are amd64's */
	if (strcmp(mode, "payload") == 0)
		ro.payload = 64, ro.scratch_cpus = 2;
	for (int i = 0; i < nprobe_specs; i++) {
		struct resolved_probe *rp = &res.probes[res.nprobes++];

		rp->spec = &probe_specs[i];
		rp->fn = &fake_fn;
		rp->enabled = !(missing && i == 1);
		rp->why = rp->enabled ? NULL : "disabled by the test";
		for (int n = 0; n < MAX_NEEDS && probe_specs[i].needs[n].macro; n++)
			fill_need(&rp->needs[rp->nneeds++], &probe_specs[i].needs[n], missing);
	}
	if (!missing) {
		/* Two net.Conn wrappers, so that their slots are rendered. */
		res.wraps.n = 2;
		res.wraps.w[0] = (struct conn_wrap){.itab = 0x901000, .offset = 0, .type = "x.A"};
		res.wraps.w[1] = (struct conn_wrap){.itab = 0x901040, .offset = 24, .type = "x.B"};
	}
	text = render__program(&res, &ro, err, sizeof(err));
	if (!text) {
		fprintf(stderr, "render_golden: %s\n", err);
		return 1;
	}
	/* Only the prelude: the rest is the template verbatim, which the
	 * runner's numbers-only test checks on every real binary. */
	{
		const char *body = strstr(text, "/* gogrpctrace.bpf.c");

		fwrite(text, 1, body ? (size_t)(body - text) : strlen(text), stdout);
	}
	free(text);
	return 0;
}
