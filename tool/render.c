/* render.c - render bpf_templates/ (gogrpctrace.bpf.c and the files it
 * includes) with a prelude of #defines.
 *
 * Rule: only numbers go into the program. Macro names come from our own
 * probe table; values come from the binary and are range-checked here, so
 * a hostile binary can change numbers, never code.
 */
#include "render.h"

#include <ctype.h>
#include <errno.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bpf_templates/gogrpctrace_events.h"

/* A probe counts its hits in slot CNT_HITS + its index in the probe table
 * (the _IDX rendered below); the slots from CNT_RESTARTS on are other
 * counters, which a probe index past CNT_MAX_PROBES would overwrite. */
_Static_assert(MAX_PROBES <= CNT_MAX_PROBES,
	       "MAX_PROBES (tool/probes.h) exceeds CNT_MAX_PROBES (bpf_templates/gogrpctrace_events.h)");
_Static_assert(CNT_HITS + CNT_MAX_PROBES <= CNT_RESTARTS,
	       "the per-probe hit counters overlap the other counters");

#define DEFAULT_RINGBUF_PAGES 1024
#define MAX_MEMBER_OFFSET (1u << 20)
#define MAX_STACK_OFFSET 4096
/* The least read-only data worth sending strings by address from: far
 * above the longest string a probe copies. */
#define MIN_RODATA_SIZE (1ULL << 16)
_Static_assert(HDR_VALUE_MASK < MIN_RODATA_SIZE && HDR_NAME_MASK < MIN_RODATA_SIZE,
	       "in_rodata() needs the section larger than any string it checks");
#define MAX_DEFINES 2048

struct defines {
	FILE *f;
	const struct gobin_machine *m; /* the binary's: registers, user addresses */
	int n;
	const char *names[MAX_DEFINES];
	char values[MAX_DEFINES][24];
	char *err;
	size_t errlen;
};

/* Macro names are ours, but check anyway: an identifier, nothing else. */
static bool is_identifier(const char *s)
{
	if (!*s || isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* Emit "#define NAME VALUE" once; the same name twice must agree. */
static int define(struct defines *d, const char *name, const char *suffix, const char *value)
{
	char full[96];

	snprintf(full, sizeof(full), "%s%s", name, suffix);
	if (!is_identifier(full)) {
		snprintf(d->err, d->errlen, "internal error: bad macro name");
		return -EINVAL;
	}
	for (int i = 0; i < d->n; i++) {
		if (strcmp(d->names[i], full) != 0)
			continue;
		if (strcmp(d->values[i], value) != 0) {
			snprintf(d->err, d->errlen, "%s resolved to %s and %s", full, d->values[i], value);
			return -EINVAL;
		}
		return 0;
	}
	if (d->n == MAX_DEFINES) {
		snprintf(d->err, d->errlen, "too many defines");
		return -E2BIG;
	}
	d->names[d->n] = strdup(full);
	snprintf(d->values[d->n], sizeof(d->values[0]), "%s", value);
	d->n++;
	fprintf(d->f, "#define %s %s\n", full, value);
	return 0;
}

static int define_u(struct defines *d, const char *name, const char *suffix, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lluULL", (unsigned long long)v);
	return define(d, name, suffix, buf);
}

static int define_i(struct defines *d, const char *name, const char *suffix, long long v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lld", v);
	return define(d, name, suffix, buf);
}

static int out_of_range(struct defines *d, const char *macro, const char *what)
{
	snprintf(d->err, d->errlen, "%s: %s out of range", macro, what);
	return -ERANGE;
}

/* The number of possible CPUs: bpf_get_smp_processor_id() is below it. */
int render__possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "re");
	char buf[128];
	char *p;
	long last = -1;

	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	/* "0-3" or "0,2-5": the last number is the highest CPU. */
	for (p = buf; *p;) {
		if (isdigit((unsigned char)*p))
			last = strtol(p, &p, 10);
		else
			p++;
	}
	return last >= 0 && last < MAX_SCRATCH_CPUS ? (int)last + 1 : -ERANGE;
}

static int render_need(struct defines *d, const struct resolved_need *rn, uint64_t bias)
{
	const char *m = rn->need->macro;
	const struct gobin_piece *pc = &rn->piece;

	if (rn->need->kind == NEED_PARAM_TYPE) /* a check: only whether it held */
		return define_i(d, "HAS_", m, rn->found);
	if (!rn->found)
		return define_i(d, "HAS_", m, 0);
	switch (rn->need->kind) {
	case NEED_PARAM:
		if (pc->size == 0 || pc->size > 8)
			return out_of_range(d, m, "piece size");
		if (pc->kind == GOBIN_LOC_REG) {
			if (pc->dwarf_reg < 0 || pc->dwarf_reg > d->m->max_value_reg)
				return out_of_range(d, m, "register");
			if (define_i(d, m, "_KIND", 1) || define_i(d, m, "_REG", pc->dwarf_reg) ||
			    define_i(d, m, "_OFF", 0))
				return -EINVAL;
		} else {
			if (pc->stack_off < 0 || pc->stack_off >= MAX_STACK_OFFSET)
				return out_of_range(d, m, "stack offset");
			if (define_i(d, m, "_KIND", 2) || define_i(d, m, "_REG", -1) ||
			    define_i(d, m, "_OFF", pc->stack_off))
				return -EINVAL;
		}
		if (define_i(d, m, "_SIZE", pc->size))
			return -EINVAL;
		break;
	case NEED_MEMBER:
		if (rn->value >= MAX_MEMBER_OFFSET)
			return out_of_range(d, m, "offset");
		if (rn->size == 0 || rn->size > MAX_MEMBER_OFFSET)
			return out_of_range(d, m, "size");
		if (define_u(d, m, "", rn->value) || define_u(d, m, "_SIZE", rn->size))
			return -EINVAL;
		break;
	case NEED_SIZE:
		if (rn->value == 0 || rn->value >= MAX_MEMBER_OFFSET)
			return out_of_range(d, m, "size");
		if (define_u(d, m, "", rn->value))
			return -EINVAL;
		break;
	case NEED_ITAB:
		if (rn->value == 0 || rn->value + bias >= d->m->user_end)
			return out_of_range(d, m, "address");
		if (define_u(d, m, "", rn->value + bias))
			return -EINVAL;
		break;
	default:
		break;
	}
	return define_i(d, "HAS_", m, 1);
}

/* The net.Conn wrappers: CONN_WRAPS of them, and every slot of the
 * template's table defined (unused ones 0: never compared, the count
 * guards them). Only the itab address and member offset, range-checked. */
static int render_wraps(struct defines *d, const struct conn_wraps *cw, uint64_t bias)
{
	char slot[32];

	if (cw->n < 0 || cw->n > MAX_CONN_WRAPS)
		return out_of_range(d, "CONN_WRAPS", "count");
	if (define_i(d, "CONN_WRAPS", "", cw->n))
		return -EINVAL;
	for (int i = 0; i < MAX_CONN_WRAPS; i++) {
		const struct conn_wrap *w = &cw->w[i];
		bool used = i < cw->n;

		snprintf(slot, sizeof(slot), "CONN_WRAP_%d", i);
		if (used && (w->itab == 0 || w->itab + bias >= d->m->user_end))
			return out_of_range(d, slot, "itab address");
		if (used && w->offset > MAX_MEMBER_OFFSET - 16)
			return out_of_range(d, slot, "offset");
		if (define_u(d, slot, "_ITAB", used ? w->itab + bias : 0) ||
		    define_u(d, slot, "_OFF", used ? w->offset : 0))
			return -EINVAL;
	}
	return 0;
}

static void upper(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i]; i++)
		dst[i] = (char)toupper((unsigned char)src[i]);
	dst[i] = '\0';
}

static int render_defines(struct defines *d, const struct resolution *res,
			  const struct render_opts *ro)
{
	char id[64];
	bool rodata;

	fprintf(d->f, "/* Generated by gogrpctrace for one binary. Numbers only. */\n");
	if (define_i(d, "GO_MACHINE", "", d->m->template_id) ||
	    define_i(d, "RINGBUF_PAGES", "", ro->ringbuf_pages ? ro->ringbuf_pages
							       : DEFAULT_RINGBUF_PAGES) ||
	    define_i(d, "PAYLOAD_BYTES", "", ro->payload) ||
	    (ro->payload && (ro->scratch_cpus < 1 || ro->scratch_cpus > MAX_SCRATCH_CPUS
				     ? out_of_range(d, "SCRATCH_CPUS", "CPU count")
				     : define_i(d, "SCRATCH_CPUS", "", ro->scratch_cpus))) ||
	    define_i(d, "BENCH_EMPTY", "", ro->empty) ||
	    define_i(d, "COUNT_OPS", "", ro->count_ops) ||
	    define_i(d, "USE_PERF_BUFFER", "", ro->perf_buffer) ||
	    define_i(d, "UNROLL_LOOPS", "", ro->unroll_loops))
		return -EINVAL;
	if (ro->rodata_hi && (ro->rodata_lo >= ro->rodata_hi || ro->rodata_hi > d->m->user_end))
		return out_of_range(d, "RODATA", "address range");
	/* in_rodata() (common.bpf.h) compares in one step, which needs the
	 * section larger than any string it is asked about: a smaller one is
	 * not used (every string is then copied). */
	rodata = ro->rodata_hi && ro->rodata_hi - ro->rodata_lo >= MIN_RODATA_SIZE &&
		 !ro->copy_all_strings;
	if (define_u(d, "RODATA_LO", "", rodata ? ro->rodata_lo : 0) ||
	    define_u(d, "RODATA_HI", "", rodata ? ro->rodata_hi : 0))
		return -EINVAL;
	/* Every probe of the table gets PROBE_x, enabled or not, so the
	 * template compiles the same way for every binary. */
	for (int i = 0; i < nprobe_specs; i++) {
		const struct resolved_probe *rp = NULL;

		for (int k = 0; k < res->nprobes; k++)
			if (res->probes[k].spec == &probe_specs[i] && res->probes[k].enabled)
				rp = &res->probes[k];
		upper(id, sizeof(id), probe_specs[i].id);
		if (define_i(d, "PROBE_", id, rp != NULL))
			return -EINVAL;
		if (!rp)
			continue;
		fprintf(d->f, "/* probe %s */\n", probe_specs[i].id);
		/* A probe on RET instructions never sits on the stack check. */
		if (define_i(d, id, "_IDX", i) ||
		    define_i(d, id, "_AT_STACK_CHECK", rp->fn->probe_is_stack_check && !ro->at_entry &&
					       !probe_specs[i].at_returns))
			return -EINVAL;
		for (int n = 0; n < rp->nneeds; n++)
			if (render_need(d, &rp->needs[n], ro->load_bias))
				return -EINVAL;
	}
	/* Optional values no enabled probe resolved still need HAS_x 0. */
	for (int i = 0; i < nprobe_specs; i++)
		for (int n = 0; n < MAX_NEEDS && probe_specs[i].needs[n].macro; n++) {
			bool seen = false;
			char has[96];

			snprintf(has, sizeof(has), "HAS_%s", probe_specs[i].needs[n].macro);
			for (int k = 0; k < d->n && !seen; k++)
				seen = strcmp(d->names[k], has) == 0;
			if (!seen && define_i(d, "HAS_", probe_specs[i].needs[n].macro, 0))
				return -EINVAL;
		}
	if (render_wraps(d, &res->wraps, ro->load_bias))
		return -EINVAL;
	fprintf(d->f, "\n");
	return 0;
}

/* Copy one embedded file, putting each of our own files it includes in
 * place of the #include line, each only once (bcc compiles from a string
 * and cannot find files beside it). done keeps copies of the names: an
 * #include's name is read into a buffer the next line reuses. */
struct expanded {
	char names[16][64];
	int n;
};

static int copy_expanded(FILE *f, const char *name, struct expanded *done, int depth, char *err,
			 size_t errlen)
{
	const char *text = embedded_file(name), *p;

	if (!text || depth > 4 || done->n >= 16) {
		snprintf(err, errlen, "internal error: BPF template %s missing from the build", name);
		return -ENOENT;
	}
	snprintf(done->names[done->n++], sizeof(done->names[0]), "%s", name);
	for (p = text; *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p + 1) : strlen(p);
		char inc[64];
		bool seen = false;

		if (sscanf(p, "#include \"%63[^\"]\"", inc) == 1) {
			for (int i = 0; i < done->n; i++)
				seen |= strcmp(done->names[i], inc) == 0;
			if (!seen && copy_expanded(f, inc, done, depth + 1, err, errlen))
				return -ENOENT;
		} else {
			fwrite(p, 1, len, f);
		}
		p += len;
	}
	return 0;
}

/* The top template names the others (bpf_templates/gogrpctrace.bpf.c). */
static int render_template(FILE *f, char *err, size_t errlen)
{
	struct expanded done = {.n = 0};

	return copy_expanded(f, "gogrpctrace.bpf.c", &done, 0, err, errlen);
}

char *render__program(const struct resolution *res, const struct render_opts *ro, char *err,
		      size_t errlen)
{
	struct defines d = {.err = err, .errlen = errlen};
	char *text = NULL;
	size_t len = 0;
	int ret;

	/* The table's length is known only at link time: checked here. */
	if (nprobe_specs > MAX_PROBES) {
		snprintf(err, errlen, "internal error: %d probes in the table, at most %d (MAX_PROBES)",
			 nprobe_specs, MAX_PROBES);
		return NULL;
	}
	d.m = res->machine;
	if (!d.m) {
		snprintf(err, errlen, "the binary is for a machine the templates do not know "
				      "(amd64 and arm64 are traced)");
		return NULL;
	}
	d.f = open_memstream(&text, &len);
	if (!d.f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ret = render_defines(&d, res, ro);
	if (!ret)
		ret = render_template(d.f, err, errlen);
	fclose(d.f);
	for (int i = 0; i < d.n; i++)
		free((char *)d.names[i]);
	if (ret) {
		free(text);
		return NULL;
	}
	return text;
}
