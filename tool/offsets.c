/* offsets.c - read the built-in offsets tables (one per machine) and
 * answer lookups from them. The format is described at the top of
 * tool/offsets_amd64.tbl. */
#include "offsets.h"
#include "render.h" /* embedded_file() */
#include "../dwarf/strmap.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VALUES (GOBIN_MAX_PIECES + 2) /* param: INDEX TYPE PIECE... */
#define MAX_FIELDS (8 + MAX_VALUES)
#define MIN_FINGERPRINT_FUNCS 3 /* fewer sizes than this prove nothing */

enum row_kind { ROW_MEMBER, ROW_SIZE, ROW_FUNC, ROW_PARAM, ROW_NOPARAMS };

struct row {
	enum row_kind kind;
	enum offsets_owner owner;
	const char *golo, *gohi, *lo, *hi;
	const char *key;  /* TYPE:PATH, TYPE or FUNC */
	const char *name; /* ROW_PARAM: the parameter */
	const char *values[MAX_VALUES];
	int nvalues;
};

struct ref_build {
	const char *go, *grpc, *xnet;
	bool gopath; /* built in GOPATH mode, as distributions build */
};

/* One machine's table: parameter locations and code sizes are the
 * machine's own, so each has reference builds of its own. */
struct offsets_table {
	const char *goarch;
	struct row *rows;
	int nrows;
	struct ref_build *builds;
	int nbuilds;
	char *text; /* the table, split in place */
	bool loaded;
};

static struct offsets_table tables[] = {{.goarch = "amd64"}, {.goarch = "arm64"}};

/* The table of machine goarch, or NULL for a machine none is made for. */
static struct offsets_table *table_of(const char *goarch)
{
	for (size_t i = 0; goarch && i < sizeof(tables) / sizeof(tables[0]); i++)
		if (strcmp(tables[i].goarch, goarch) == 0)
			return &tables[i];
	return NULL;
}

/* Strings made for answers live as long as the process, each kept once:
 * a tracer asks a few hundred questions, which repeat (and a fuzzer asks
 * millions). Kept reachable so leak checkers stay quiet. */
static char **notes;
static size_t nnotes;
static struct strmap note_index; /* text -> index into notes */

static const char *note(const char *fmt, ...)
{
	char buf[512], **grown;
	uint64_t seen;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (note_index.slots && strmap__get(&note_index, buf, &seen))
		return notes[seen];
	if (!note_index.slots && strmap__init(&note_index, 256))
		return "out of memory";
	grown = realloc(notes, (nnotes + 1) * sizeof(*notes));
	if (!grown)
		return "out of memory";
	notes = grown;
	notes[nnotes] = strdup(buf);
	if (!notes[nnotes])
		return "out of memory";
	strmap__put(&note_index, notes[nnotes], nnotes); /* on failure: kept, just not found again */
	return notes[nnotes++];
}

static const char *owner_names[NOWNERS] = {"go", "grpc", "xnet"};
static const char *owner_titles[NOWNERS] = {"Go", "grpc-go", "golang.org/x/net"};

static int owner_of(const char *s)
{
	for (int i = 0; i < NOWNERS; i++)
		if (strcmp(s, owner_names[i]) == 0)
			return i;
	return -1;
}

static int kind_of(const char *s)
{
	static const char *const kinds[] = {"member", "size", "func", "param", "noparams"};

	for (int i = 0; i < (int)(sizeof(kinds) / sizeof(kinds[0])); i++)
		if (strcmp(s, kinds[i]) == 0)
			return i;
	return -1;
}

static int split(char *line, char **f, int max)
{
	int n = 0;

	for (char *tok = strtok(line, " "); tok && n < max; tok = strtok(NULL, " "))
		f[n++] = tok;
	return n;
}

static int parse_line(struct offsets_table *t, char *line, int lineno, char *err, size_t errlen)
{
	char *f[MAX_FIELDS];
	int n = split(line, f, MAX_FIELDS), kind, owner;
	struct row *r;

	if (n == 0 || f[0][0] == '#')
		return 0;
	if (strcmp(f[0], "build") == 0 && n >= 4) {
		t->builds[t->nbuilds++] =
			(struct ref_build){f[1], f[2], f[3], n > 4 && strcmp(f[4], "gopath") == 0};
		return 0;
	}
	kind = kind_of(f[0]);
	owner = n > 4 ? owner_of(f[3]) : -1;
	if (kind < 0 || owner < 0 || n < 8 || (kind == ROW_PARAM && n < 11)) {
		snprintf(err, errlen, "offsets table line %d is malformed", lineno);
		return -EINVAL;
	}
	r = &t->rows[t->nrows++];
	*r = (struct row){.kind = kind, .owner = owner, .golo = f[1], .gohi = f[2],
			  .lo = f[4], .hi = f[5], .key = f[6]};
	for (int i = kind == ROW_PARAM ? 8 : 7; i < n && r->nvalues < MAX_VALUES; i++)
		r->values[r->nvalues++] = f[i];
	if (kind == ROW_PARAM)
		r->name = f[7];
	return 0;
}

/* Back to no table at all: what a failed parse leaves behind. */
static void unload(struct offsets_table *t)
{
	free(t->text);
	free(t->rows);
	free(t->builds);
	t->text = NULL;
	t->rows = NULL;
	t->builds = NULL;
	t->nrows = t->nbuilds = 0;
}

int offsets__load(const char *goarch, char *err, size_t errlen)
{
	struct offsets_table *t = table_of(goarch);
	char name[32];
	const char *tbl = NULL;
	int lines = 1, lineno = 0;

	if (t && t->loaded)
		return 0;
	if (t) {
		snprintf(name, sizeof(name), "offsets_%s.tbl", t->goarch);
		tbl = embedded_file(name);
	}
	if (!tbl) {
		snprintf(err, errlen,
			 "the offsets table has no reference builds for %s: give its DWARF "
			 "(a debug file, --debuginfo)",
			 goarch ? goarch : "this machine");
		return -ENOENT;
	}
	/* A failed call before left nothing; start from nothing anyway. */
	unload(t);
	for (const char *p = tbl; *p; p++)
		lines += *p == '\n';
	t->text = strdup(tbl);
	t->rows = calloc((size_t)lines, sizeof(*t->rows));
	t->builds = calloc((size_t)lines, sizeof(*t->builds));
	if (!t->text || !t->rows || !t->builds) {
		unload(t);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (char *line = t->text, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		int ret = parse_line(t, line, ++lineno, err, errlen);

		/* No half table: lookups and a second call see none at all. */
		if (ret) {
			unload(t);
			return ret;
		}
	}
	t->loaded = true;
	return 0;
}

int offsets__nbuilds(const char *goarch)
{
	const struct offsets_table *t = table_of(goarch);

	return t ? t->nbuilds : 0;
}

/* "go1.26.8" -> "go1.26" */
static void go_minor(const char *v, char *out, size_t len)
{
	const char *dot = v ? strchr(v, '.') : NULL;
	const char *dot2 = dot ? strchr(dot + 1, '.') : NULL;
	size_t n = dot2 ? (size_t)(dot2 - v) : (v ? strlen(v) : 0);

	snprintf(out, len, "%.*s", (int)n, v ? v : "");
}

static bool in_range(const char *v, const char *lo, const char *hi)
{
	return gobin__version_cmp(v, lo) >= 0 && gobin__version_cmp(v, hi) <= 0;
}

static bool row_covers(const struct row *r, const char *gom, const char *version)
{
	if (!in_range(gom, r->golo, r->gohi))
		return false;
	return r->owner == OWNER_GO || (version && in_range(version, r->lo, r->hi));
}

/* The reference build's release of owner o, or NULL. */
static const char *build_version(const struct ref_build *b, int o)
{
	return o == OWNER_GRPC ? b->grpc : o == OWNER_XNET ? b->xnet : NULL;
}

/* Does the code of gb have, for every function the table fingerprints
 * for (go minor, owner release), exactly the recorded size? */
static bool fingerprint_matches(const struct offsets_table *t, struct gobin *gb, const char *gom,
				int o, const char *version)
{
	int compared = 0;

	for (int i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];
		const struct gobin_func *fn;
		const char *why;

		if (r->kind != ROW_FUNC || (int)r->owner != o || !row_covers(r, gom, version))
			continue;
		/* The reference program may link more of the module than gb:
		 * compare what both have. */
		if (gobin__func(gb, r->key, &fn, &why))
			continue;
		if (fn->end - fn->entry != strtoull(r->values[0], NULL, 10))
			return false;
		compared++;
	}
	return compared >= MIN_FINGERPRINT_FUNCS;
}

static bool same_row_values(const struct row *r, const struct row *q)
{
	if (r->kind != q->kind || r->nvalues != q->nvalues || strcmp(r->key, q->key) != 0 ||
	    (r->name && (!q->name || strcmp(r->name, q->name) != 0)))
		return false;
	for (int k = 0; k < r->nvalues; k++)
		if (strcmp(r->values[k], q->values[k]) != 0)
			return false;
	return true;
}

/* Does every value of owner o for release a under gom (sizes of code
 * aside) equal release b's? Then which of them gb was built with does not
 * matter. Most rows are ranges holding both: only the others are looked
 * for again. */
static bool same_values(const struct offsets_table *t, const char *gom, int o, const char *a,
			const char *b)
{
	for (int pass = 0; pass < 2; pass++) {
		const char *x = pass ? b : a, *y = pass ? a : b;

		for (int i = 0; i < t->nrows; i++) {
			const struct row *r = &t->rows[i];
			bool found = false;

			if (r->kind == ROW_FUNC || (int)r->owner != o || !row_covers(r, gom, x) ||
			    row_covers(r, gom, y))
				continue;
			for (int j = 0; j < t->nrows && !found; j++)
				found = j != i && (int)t->rows[j].owner == o &&
					row_covers(&t->rows[j], gom, y) && same_row_values(r, &t->rows[j]);
			if (!found)
				return false;
		}
	}
	return true;
}

/* The releases of owner o among the reference builds of gb's Go minor
 * (when with_grpc is set, of that grpc-go release; with gopath, only those
 * built in GOPATH mode) whose code matches gb's: their count, the first
 * and last, and whether all of them give the same values. */
static int fingerprint_among(const struct offsets_table *t, struct gobin *gb, const char *gom_self,
			     int o, const char *with_grpc, bool gopath, const char **match,
			     const char **last, bool *same, int *ntried)
{
	const char *tried[256];
	int nmatch = 0;

	*match = *last = NULL;
	*same = true;
	*ntried = 0;
	for (int b = 0; b < t->nbuilds && *ntried < 256; b++) {
		const struct ref_build *rb = &t->builds[b];
		const char *rel = build_version(rb, o);
		char gom[16];
		bool seen = false;

		go_minor(rb->go, gom, sizeof(gom));
		if (strcmp(gom, gom_self) != 0 || (with_grpc && strcmp(rb->grpc, with_grpc) != 0) ||
		    (gopath && !rb->gopath))
			continue;
		for (int k = 0; k < *ntried && !seen; k++)
			seen = strcmp(tried[k], rel) == 0;
		if (seen)
			continue;
		tried[(*ntried)++] = rel;
		if (fingerprint_matches(t, gb, gom_self, o, rel)) {
			if (*match)
				*same &= same_values(t, gom_self, o, *match, rel);
			*match = *match ? *match : rel;
			*last = rel;
			nmatch++;
		}
	}
	return nmatch;
}

/* Find the one reference release of owner o whose code matches gb's (or
 * several, whose values are all the same). A binary comes here for want
 * of a module list, so it was built in GOPATH mode: the builds made that
 * way are asked first, then the others; the builds of gb's grpc-go
 * release, when that is known, before those of any. */
static void fingerprint(struct gobin *gb, struct offsets_versions *v, int o)
{
	const char *grpc = o == OWNER_XNET ? v->version[OWNER_GRPC] : NULL, *match, *last;
	int nmatch = 0, ntried = 0;
	bool same = true;
	char gom_self[16];

	/* A copy: the messages below are written into *v. */
	snprintf(gom_self, sizeof(gom_self), "%s", v->go_minor);
	for (int k = 0; k < 4; k++) {
		if ((k == 0 || k == 1) && !grpc)
			continue;
		nmatch = fingerprint_among(v->table, gb, gom_self, o, k < 2 ? grpc : NULL, k % 2 == 0,
					   &match, &last, &same, &ntried);
		if (nmatch == 1 || (nmatch > 1 && same))
			break;
	}
	if (nmatch == 1 || (nmatch > 1 && same)) {
		snprintf(v->buf[o], sizeof(v->buf[o]), "%s", match);
		v->version[o] = v->buf[o];
		v->source[o] = nmatch == 1
				       ? "code fingerprint (function sizes of a reference build)"
				       : note("code fingerprint: any of %d reference releases (%s .. %s) with "
					      "this code, all with the same values",
					      nmatch, match, last);
		return;
	}
	if (nmatch)
		snprintf(v->why_buf[o], sizeof(v->why_buf[o]),
			 "no module list, and its code matches %d reference builds with %s", nmatch,
			 gom_self);
	else if (!ntried)
		snprintf(v->why_buf[o], sizeof(v->why_buf[o]),
			 "no module list, and the offsets table has no reference builds with %s",
			 gom_self);
	else
		snprintf(v->why_buf[o], sizeof(v->why_buf[o]),
			 "no module list, and its code matches none of the %d reference releases built with %s",
			 ntried, gom_self);
	v->unknown_why[o] = v->why_buf[o];
}

void offsets__versions(struct gobin *gb, const char *grpc_version, const char *grpc_source,
		       struct offsets_versions *v)
{
	memset(v, 0, sizeof(*v));
	go_minor(gobin__go_version(gb), v->go_minor, sizeof(v->go_minor));
	v->source[OWNER_GO] = "build info";
	if (grpc_version) {
		v->version[OWNER_GRPC] = grpc_version;
		v->source[OWNER_GRPC] = grpc_source;
	}
	v->table = table_of(gobin__arch(gb));
	v->version[OWNER_XNET] = gobin__module_version(gb, "golang.org/x/net");
	if (v->version[OWNER_XNET])
		v->source[OWNER_XNET] = "module data";
	if (v->table && !v->table->loaded)
		v->table = NULL;
	if (!v->go_minor[0] || !v->table)
		return;
	for (int o = OWNER_GRPC; o < NOWNERS; o++)
		if (!v->version[o])
			fingerprint(gb, v, o);
}

static const char *origin_of(const struct row *r)
{
	if (r->owner == OWNER_GO)
		return note("offsets table: %s..%s", r->golo, r->gohi);
	return note("offsets table: %s..%s, %s %s..%s", r->golo, r->gohi, owner_titles[r->owner],
		    r->lo, r->hi);
}

/* The row of this kind and key that covers v, or NULL with the reason. */
static const struct row *lookup(const struct offsets_versions *v, enum row_kind kind,
				const char *key, const char *name, int *err, const char **why)
{
	const struct row *any = NULL;
	const char *lo = NULL, *hi = NULL, *golo = NULL, *gohi = NULL;

	for (int i = 0; v->table && i < v->table->nrows; i++) {
		const struct row *r = &v->table->rows[i];

		if (r->kind != kind || strcmp(r->key, key) != 0 ||
		    (name && strcmp(r->name, name) != 0))
			continue;
		if (v->go_minor[0] && row_covers(r, v->go_minor, v->version[r->owner]))
			return r;
		any = r;
		if (!golo || gobin__version_cmp(r->golo, golo) < 0)
			golo = r->golo;
		if (!gohi || gobin__version_cmp(r->gohi, gohi) > 0)
			gohi = r->gohi;
		if (!lo || gobin__version_cmp(r->lo, lo) < 0)
			lo = r->lo;
		if (!hi || gobin__version_cmp(r->hi, hi) > 0)
			hi = r->hi;
	}
	*err = -ERANGE;
	if (!v->table)
		*why = "the offsets table could not be read";
	else if (!any)
		*err = -ENOENT, *why = "no DWARF, and the offsets table has no entry for it";
	else if (!v->go_minor[0])
		*why = "no DWARF, and the Go release is unknown, so the offsets table cannot be used";
	else if (any->owner != OWNER_GO && !v->version[any->owner])
		*why = note("no DWARF, and the %s release is unknown (%s)", owner_titles[any->owner],
			    v->unknown_why[any->owner] ? v->unknown_why[any->owner] : "no module list");
	else if (any->owner == OWNER_GO)
		*why = note("no DWARF, and the offsets table does not cover %s (its rows for this span %s..%s)",
			    v->go_minor, golo, gohi);
	else
		*why = note("no DWARF, and the offsets table does not cover %s with %s %s (its rows for this span %s..%s, %s..%s)",
			    v->go_minor, owner_titles[any->owner], v->version[any->owner], golo, gohi,
			    lo, hi);
	return NULL;
}

static int absent(const struct row *r, const char **why)
{
	*why = note("absent in the reference builds of %s", origin_of(r) + strlen("offsets table: "));
	return -ENOENT;
}

int offsets__member(const struct offsets_versions *v, const char *type_path, uint64_t *offset,
		    uint64_t *size, const char **origin, const char **why)
{
	int err;
	const struct row *r = lookup(v, ROW_MEMBER, type_path, NULL, &err, why);

	if (!r)
		return err;
	if (r->nvalues < 2)
		return absent(r, why);
	*offset = strtoull(r->values[0], NULL, 10);
	*size = strtoull(r->values[1], NULL, 10);
	*origin = origin_of(r);
	return 0;
}

int offsets__size(const struct offsets_versions *v, const char *type, uint64_t *size,
		  const char **origin, const char **why)
{
	int err;
	const struct row *r = lookup(v, ROW_SIZE, type, NULL, &err, why);

	if (!r)
		return err;
	if (strcmp(r->values[0], "-") == 0)
		return absent(r, why);
	*size = strtoull(r->values[0], NULL, 10);
	*origin = origin_of(r);
	return 0;
}

/* "%20" -> " " in place; type names are stored with their spaces escaped. */
static const char *unescape(const char *s)
{
	char buf[256], *o = buf;

	if (!strchr(s, '%'))
		return s;
	for (; *s && o < buf + sizeof(buf) - 1; s++) {
		unsigned c;

		if (*s == '%' && sscanf(s + 1, "%2x", &c) == 1) {
			*o++ = (char)c;
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return note("%s", buf);
}

static int parse_piece(const char *s, struct gobin_piece *pc)
{
	char *end;

	memset(pc, 0, sizeof(*pc));
	if (strcmp(s, "-") == 0)
		return 0;
	if (s[0] == 'r')
		pc->kind = GOBIN_LOC_REG, pc->dwarf_reg = (int)strtol(s + 1, &end, 10);
	else if (s[0] == 's')
		pc->kind = GOBIN_LOC_STACK, pc->stack_off = strtoll(s + 1, &end, 10);
	else
		return -EINVAL;
	if (*end != ':')
		return -EINVAL;
	pc->size = (uint32_t)strtoul(end + 1, NULL, 10);
	return 0;
}

/* Fill out from a param row: INDEX TYPE PIECE... */
static int param_of(const struct row *r, struct gobin_param *out, int *index)
{
	memset(out, 0, sizeof(*out));
	out->name = r->name;
	*index = atoi(r->values[0]);
	out->type_name = strcmp(r->values[1], "-") == 0 ? "" : unescape(r->values[1]);
	if (r->nvalues == 3 && strcmp(r->values[2], "!") == 0) {
		out->why = "the reference build's DWARF has no readable location";
		return 0;
	}
	for (int i = 2; i < r->nvalues && out->npieces < GOBIN_MAX_PIECES; i++)
		if (parse_piece(r->values[i], &out->pieces[out->npieces++]))
			return -EINVAL;
	if (out->npieces == 1 && out->pieces[0].kind == GOBIN_LOC_NONE)
		out->why = "no location at the probe address in the reference build";
	return 0;
}

/* Why the table has no parameters of func for v, as lookup() says it. */
static int params_missing(const struct offsets_versions *v, const char *func, const char **why)
{
	int err;

	for (int i = 0; v->table && i < v->table->nrows; i++) {
		const struct row *r = &v->table->rows[i];

		if (r->kind == ROW_NOPARAMS && strcmp(r->key, func) == 0 && v->go_minor[0] &&
		    row_covers(r, v->go_minor, v->version[r->owner])) {
			*why = "no parameters in the reference build's DWARF";
			return -ENOENT;
		}
	}
	lookup(v, ROW_PARAM, func, NULL, &err, why);
	return err;
}

int offsets__param(const struct offsets_versions *v, const char *func, const char *name,
		   struct gobin_param *out, const char **origin, const char **why)
{
	int err, index;
	const struct row *r = lookup(v, ROW_PARAM, func, name, &err, why);

	if (!r) {
		/* Known function for these releases, unknown name. */
		struct gobin_param any;
		const char *o;

		if (offsets__params(v, func, &any, 1, &o, why) > 0) {
			*why = "no such parameter";
			return -ENOENT;
		}
		return err;
	}
	if (param_of(r, out, &index))
		return -EINVAL;
	*origin = origin_of(r);
	return 0;
}

int offsets__params(const struct offsets_versions *v, const char *func, struct gobin_param *out,
		    int max, const char **origins, const char **why)
{
	int n = 0, index[64];

	if (max > 64)
		max = 64;
	for (int i = 0; v->table && i < v->table->nrows && n < max; i++) {
		const struct row *r = &v->table->rows[i];

		if (r->kind != ROW_PARAM || strcmp(r->key, func) != 0 || !v->go_minor[0] ||
		    !row_covers(r, v->go_minor, v->version[r->owner]))
			continue;
		if (param_of(r, &out[n], &index[n]))
			return -EINVAL;
		origins[n] = origin_of(r);
		/* Keep them in the function's order. */
		for (int k = n; k > 0 && index[k - 1] > index[k]; k--) {
			struct gobin_param tp = out[k];
			const char *to = origins[k];
			int ti = index[k];

			out[k] = out[k - 1], origins[k] = origins[k - 1], index[k] = index[k - 1];
			out[k - 1] = tp, origins[k - 1] = to, index[k - 1] = ti;
		}
		n++;
	}
	return n ? n : params_missing(v, func, why);
}
