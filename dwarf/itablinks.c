/* itablinks.c - the runtime's own list of itabs, decoded into
 * "concrete,interface" type names, for binaries whose symbol table is
 * gone; lookups in it by full names.
 *
 * The module data words after etext differ by Go release:
 *   Go 1.17         noptrdata .. enoptrbss, end, gcdata, gcbss, types, etypes
 *   Go 1.18, 1.19   ... types, etypes, rodata, gofunc
 *   Go 1.20 - 1.25  covctrs, ecovctrs before end
 *   Go 1.26         epclntab after gofunc
 * and up to Go 1.26 the slices textsectmap, typelinks, itablinks follow:
 * the itabs are listed by pointer. No table per release: the three slices
 * are the first three slice headers in a row (len == cap) whose first text
 * section starts at the module's text, and types..etypes is the pair of
 * words before them that holds every typelinks offset, every itab's two
 * types and their names.
 *
 * Go 1.27 dropped typelinks and itablinks: the itabs lie back to back in
 * the type data, and the eight words before textsectmap are types,
 * typedesclen, etypes, itaboffset, itabsize, rodata, gofunc, epclntab.
 * That layout is used only when it checks out: the itab region inside
 * types..etypes and after the type descriptors, the walk over it (each
 * itab's size from its interface's method count) ending exactly at its
 * end, and, where the file has a .go.type section, types at its start.
 *
 * Either way every itab must be sound (an interface type; a concrete type
 * whose hash the itab repeats) or none is used.
 *
 * Type layout (internal/abi.Type; runtime._type before Go 1.21), p being
 * the pointer size: hash u32 at 2p, tflag at 2p+4, kind at 2p+7, Str (the
 * name's int32 offset from types) at 4p+8; 4p+16 bytes. A named type, and
 * a pointer to one that has methods, has after its kind's fields an
 * uncommon part whose first int32 is the offset of its package path.
 * A name (Go 1.17+) is a flags byte, a varint length and the bytes.
 */
#include "itablinks.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MD_WORDS 64	     /* module data words read: past itablinks in every release */
#define MD_TEXT 22	     /* the word holding text; etext follows */
#define MD_AFTER_ETEXT 24    /* the first word after etext */
#define MAX_TEXTSECTS 256    /* Go makes more than one only for huge text */
#define MAX_TYPELINKS (1u << 22)
#define MAX_ITABS (1u << 18)   /* far beyond any real program's */
#define MAX_TYPES (1ULL << 32) /* bytes of types..etypes */
#define MAX_NAME (1u << 16)    /* bytes of one type name */
#define MAX_TRIES 4	       /* word pairs decoded in search of types..etypes */
#define MAX_IMETHODS (1u << 12) /* methods of one interface */
#define MD_TYPE_WORDS 8 /* Go 1.27: types .. epclntab, before textsectmap */

#define TFLAG_UNCOMMON 0x1
#define TFLAG_EXTRA_STAR 0x2
#define KIND_MASK 0x1f
#define KIND_ARRAY 17
#define KIND_CHAN 18
#define KIND_FUNC 19
#define KIND_INTERFACE 20
#define KIND_MAP 21
#define KIND_POINTER 22
#define KIND_SLICE 23
#define KIND_STRUCT 25
#define KIND_LAST 26 /* UnsafePointer */

/* Pool offsets that stand for no string. */
#define PKG_UNKNOWN SIZE_MAX	/* a package path this reader cannot find */
#define PKG_NONE (SIZE_MAX - 1) /* a type without one: "" */

/* The one reason that is not about the list: load() tells it by address. */
static const char OUT_OF_MEMORY[] = "out of memory";

/* One side of an itab: a type as the runtime describes it. */
struct rtype {
	uint64_t addr;
	uint8_t tflag, kind;
	int32_t str; /* name offset from types */
};

struct ritab {
	uint64_t addr;
	struct rtype t[2]; /* [0] concrete, [1] interface */
};

/* What decoding collects: names in one pool, as offsets until it ends. */
struct decoded {
	char *pool;
	size_t len, cap;
	size_t (*off)[4]; /* per itab: concrete, interface, their package paths */
};

struct itablist {
	int err; /* non-zero: there is no list; why says why */
	const char *why;
	struct gobin_itab *v;
	size_t n;
	char *pool;
};

struct reader {
	const struct elfimage *image;
	unsigned p;	    /* pointer size */
	uint64_t types;	    /* types and names lie in [types, etypes) */
	uint64_t etypes;
	const uint8_t *img; /* the bytes of [types, etypes) */
};

static uint64_t word_at(const uint8_t *b, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

/* A slice header at s (ptr, len, cap) as the linker writes it: len == cap,
 * min <= len <= max, the elements aligned and in the file. Their bytes. */
static const uint8_t *slice_bytes(const struct reader *r, const uint64_t *s, unsigned elem,
				  uint64_t min, uint64_t max)
{
	if (s[1] != s[2] || s[1] < min || s[1] > max || s[0] % (elem < r->p ? elem : r->p))
		return NULL;
	if (s[1] == 0)
		return (const uint8_t *)""; /* nothing to read, wherever it points */
	return elfimage__bytes(r->image, s[0], s[1] * elem);
}

/* Whether w[i..i+3) is textsectmap: a slice header whose first text
 * section is {0, end, text}. */
static bool is_textsectmap(const struct reader *r, const uint64_t *w, int i)
{
	const uint8_t *ts = slice_bytes(r, &w[i], 3 * r->p, 1, MAX_TEXTSECTS);

	return ts && word_at(ts, r->p) == 0 && word_at(ts + 2 * r->p, r->p) == w[MD_TEXT];
}

/* The index of textsectmap in w when typelinks and itablinks follow it
 * (Go up to 1.26). -1 if none. */
static int find_slices(const struct reader *r, const uint64_t *w)
{
	for (int i = MD_AFTER_ETEXT; i + 9 <= MD_WORDS; i++)
		if (is_textsectmap(r, w, i) && slice_bytes(r, &w[i + 3], 4, 0, MAX_TYPELINKS) &&
		    slice_bytes(r, &w[i + 6], r->p, 1, MAX_ITABS))
			return i;
	return -1;
}

/* The index of textsectmap in w when the Go 1.27 words before it describe
 * the type data and an itab region inside it; -1 if there is no
 * textsectmap, -2 with the reason in why when its words do not check out. */
static int find_itab_region(const struct reader *r, const uint64_t *w, const char **why)
{
	for (int i = MD_AFTER_ETEXT + MD_TYPE_WORDS; i + 3 <= MD_WORDS; i++) {
		const uint64_t *t = &w[i - MD_TYPE_WORDS];
		uint64_t types = t[0], desclen = t[1], etypes = t[2], off = t[3], size = t[4];

		if (!is_textsectmap(r, w, i))
			continue;
		*why = types == 0 || types >= etypes || etypes - types > MAX_TYPES
			       ? "Go 1.27 module data: types..etypes is not a range"
		       : desclen > off ? "Go 1.27 module data: the itab region begins inside the type descriptors"
		       : off % r->p || size % r->p ? "Go 1.27 module data: the itab region is not word-aligned"
		       : off > etypes - types || size > etypes - types - off
			       ? "Go 1.27 module data: the itab region runs past etypes"
		       : size == 0 ? "Go 1.27 module data: the itab region is empty"
				   : NULL;
		return *why ? -2 : i;
	}
	return -1;
}

/* The common part of the type at addr; hash receives its hash. */
static int read_type(const struct reader *r, uint64_t addr, struct rtype *t, uint32_t *hash)
{
	unsigned p = r->p;
	const uint8_t *b = addr && addr % p == 0 ? elfimage__bytes(r->image, addr, 4 * p + 16) : NULL;

	if (!b)
		return -EFAULT;
	t->addr = addr;
	*hash = (uint32_t)word_at(b + 2 * p, 4);
	t->tflag = b[2 * p + 4];
	t->kind = b[2 * p + 7] & KIND_MASK;
	t->str = (int32_t)word_at(b + 4 * p + 8, 4);
	return 0;
}

/* Read the itab at addr: a concrete type and an interface type, and the
 * concrete type's hash repeated. The reason when it is not one. */
static const char *read_itab(const struct reader *r, uint64_t addr, struct ritab *it)
{
	unsigned p = r->p;
	const uint8_t *b = addr % p == 0 ? elfimage__bytes(r->image, addr, 2 * p + 4) : NULL;
	uint32_t hash[2];

	if (!b)
		return "an itab pointer is misaligned or points outside the file";
	it->addr = addr;
	/* The itab holds the interface first, then the concrete type. */
	for (int k = 0; k < 2; k++)
		if (read_type(r, word_at(b + (1 - k) * p, p), &it->t[k], &hash[k]))
			return "an itab's type pointer is misaligned or points outside the file";
	if (it->t[1].kind != KIND_INTERFACE)
		return "an itab's interface is not an interface type";
	if (it->t[0].kind == 0 || it->t[0].kind > KIND_LAST || it->t[0].kind == KIND_INTERFACE)
		return "an itab's concrete type has an impossible kind";
	if ((uint32_t)word_at(b + 2 * p, 4) != hash[0])
		return "an itab's hash differs from its type's";
	return NULL;
}

/* Where the uncommon part follows a type of kind; 0 when not known. */
static uint64_t uncommon_at(unsigned p, uint8_t kind)
{
	uint64_t base = 4 * p + 16;

	switch (kind) {
	case KIND_POINTER:
	case KIND_SLICE:
	case KIND_FUNC: /* two uint16 counts, padded to a word */
		return base + p;
	case KIND_CHAN:
		return base + 2 * p;
	case KIND_ARRAY:
		return base + 3 * p;
	case KIND_STRUCT:
	case KIND_INTERFACE: /* a package path name and a slice */
		return base + 4 * p;
	case KIND_MAP: /* its fields changed with Go 1.24's maps */
		return 0;
	default:
		return base;
	}
}

/* Append the name at offset off from types to the pool; its offset in the
 * pool goes to *at. Drops a leading '*' when star is set. */
static int read_name(const struct reader *r, int32_t off, bool star, struct decoded *d, size_t *at)
{
	uint64_t avail, len = 0;
	const uint8_t *b;
	unsigned i;
	char *s;

	if (off < 0 || (uint64_t)off >= r->etypes - r->types)
		return -ERANGE;
	b = r->img + off;
	avail = r->etypes - r->types - (uint64_t)off;
	/* b[0] is the flags byte; a varint of at most 5 bytes follows. */
	for (i = 1; i < avail && i <= 5; i++) {
		len |= (uint64_t)(b[i] & 0x7f) << (7 * (i - 1));
		if (!(b[i] & 0x80))
			break;
	}
	if (i >= avail || i > 5 || len == 0 || len > MAX_NAME || len > avail - i - 1)
		return -EINVAL;
	b += i + 1;
	for (uint64_t k = 0; k < len; k++)
		if (b[k] < 0x20 || b[k] == 0x7f)
			return -EINVAL;
	if (star && b[0] != '*')
		return -EINVAL;
	if (star) {
		b++;
		len--;
	}
	if (d->cap - d->len < len + 1) {
		size_t cap = d->cap ? d->cap : 4096;

		while (cap - d->len < len + 1)
			cap *= 2;
		s = realloc(d->pool, cap);
		if (!s)
			return -ENOMEM;
		d->pool = s;
		d->cap = cap;
	}
	s = d->pool + d->len;
	memcpy(s, b, len);
	s[len] = '\0';
	*at = d->len;
	d->len += len + 1;
	return 0;
}

/* The package path of t into the pool: PKG_NONE without an uncommon part,
 * PKG_UNKNOWN when where it is for the kind is not known here. */
static int read_pkgpath(const struct reader *r, const struct rtype *t, struct decoded *d,
			size_t *at)
{
	uint64_t u = uncommon_at(r->p, t->kind);
	int32_t off;

	*at = PKG_NONE;
	if (!(t->tflag & TFLAG_UNCOMMON))
		return 0;
	if (u == 0) {
		*at = PKG_UNKNOWN;
		return 0;
	}
	if (u + 4 > r->etypes - t->addr)
		return -ERANGE;
	off = (int32_t)word_at(r->img + (t->addr - r->types) + u, 4);
	return off ? read_name(r, off, false, d, at) : 0;
}

/* Decode every itab's names with types..etypes as set in r. */
static int decode_all(const struct reader *r, const struct ritab *v, size_t n, struct decoded *d)
{
	d->len = 0;
	for (size_t i = 0; i < n; i++) {
		for (int k = 0; k < 2; k++) {
			const struct rtype *t = &v[i].t[k];
			int ret;

			if (r->etypes - t->addr < 4 * r->p + 16) /* the whole type inside */
				return -ERANGE;
			ret = read_name(r, t->str, t->tflag & TFLAG_EXTRA_STAR, d, &d->off[i][k]);
			if (!ret)
				ret = read_pkgpath(r, t, d, &d->off[i][k + 2]);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* Every itab's types and every typelinks offset lie in types..etypes:
 * checked before any name is read. */
static bool all_inside(const struct reader *r, const struct ritab *v, size_t n,
		       const uint8_t *tl, uint64_t ntl)
{
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < 2; k++)
			if (v[i].t[k].addr < r->types || v[i].t[k].addr >= r->etypes)
				return false;
	for (uint64_t i = 0; i < ntl; i++)
		if (word_at(tl + 4 * i, 4) >= r->etypes - r->types)
			return false;
	return true;
}

/* Pick types..etypes among the word pairs w[from..to): those that hold
 * every typelinks offset and every itab's types, and under which every
 * name decodes. Pairs that agree on types (Go 1.26's rodata..gofunc also
 * starts there) are one answer, the first giving etypes. Leaves d decoded
 * for it. */
static const char *find_types(struct reader *r, const uint64_t *w, int from, int to,
			      const struct ritab *v, size_t n, const uint8_t *tl, uint64_t ntl,
			      struct decoded *d)
{
	struct reader found = {0};
	int tries = 0;

	for (int i = from; i + 1 < to; i++) {
		int ret;

		if (w[i] >= w[i + 1] || w[i + 1] - w[i] > MAX_TYPES ||
		    (found.img && w[i] == found.types))
			continue;
		r->types = w[i];
		r->etypes = w[i + 1];
		r->img = elfimage__bytes(r->image, r->types, r->etypes - r->types);
		if (!r->img || !all_inside(r, v, n, tl, ntl))
			continue;
		/* A file of many such pairs must not make this slow: real
		 * module data has one or two. */
		if (++tries > MAX_TRIES)
			return "too many ranges of the module data hold every itab's types";
		ret = decode_all(r, v, n, d);
		if (ret == -ENOMEM)
			return OUT_OF_MEMORY;
		if (ret)
			continue;
		if (found.img)
			return "two ranges of the module data hold every itab's types and names";
		found = *r;
	}
	if (!found.img)
		return "no range of the module data holds every itab's types and names";
	*r = found;
	return decode_all(r, v, n, d) ? OUT_OF_MEMORY : NULL;
}

/* The bytes of the itab at addr with its method table: its interface's
 * method count sets its size (one word for an itab of no method). */
static uint64_t itab_size(const struct reader *r, uint64_t addr, const char **why)
{
	unsigned p = r->p;
	uint64_t fun = (2 * p + 4 + p - 1) / p * p; /* Fun follows Hash, aligned */
	const uint8_t *b = elfimage__bytes(r->image, addr, fun + p), *iface;
	uint64_t nmethods;

	if (!b) {
		*why = "an itab runs past the file";
		return 0;
	}
	if (word_at(b + fun, p) == 0) /* the type does not implement it: no table */
		return fun + p;
	/* InterfaceType: the type, PkgPath (a pointer), Methods (a slice). */
	iface = elfimage__bytes(r->image, word_at(b, p), 4 * p + 16 + 4 * p);
	if (!iface) {
		*why = "an itab's interface type points outside the file";
		return 0;
	}
	nmethods = word_at(iface + 4 * p + 16 + 2 * p, p);
	if (nmethods == 0 || nmethods > MAX_IMETHODS) {
		*why = "an itab's interface has an impossible method count";
		return 0;
	}
	return fun + nmethods * p;
}

/* Go 1.27: walk the itabs lying back to back in [start, end) into *v. */
static const char *walk_itab_region(struct reader *r, uint64_t start, uint64_t end,
				    struct ritab **v, uint64_t *n)
{
	uint64_t q = start, cap = 0;
	const char *why = NULL;

	*n = 0;
	while (q < end && !why) {
		uint64_t size = itab_size(r, q, &why);

		if (why)
			break;
		if (*n == MAX_ITABS)
			return "the itab region holds more itabs than any program has";
		if (*n == cap) {
			struct ritab *nv = realloc(*v, (cap = cap ? 2 * cap : 256) * sizeof(**v));

			if (!nv)
				return OUT_OF_MEMORY;
			*v = nv;
		}
		why = read_itab(r, q, &(*v)[*n]);
		(*n)++;
		if (size > end - q)
			return "the last itab runs past the itab region";
		q += size;
	}
	return why;
}

/* Go 1.27: the itabs of the region the module data words before
 * textsectmap (at) describe, their names decoded. */
static const char *load_region(struct reader *r, const uint64_t *w, int at, struct ritab **v,
			       uint64_t *n, struct decoded *d)
{
	const uint64_t *t = &w[at - MD_TYPE_WORDS];
	GElf_Shdr sh;
	const char *why;
	int ret;

	r->types = t[0];
	r->etypes = t[2];
	/* The section headers, where there are any, are a second source. */
	if (elfimage__section(r->image, ".go.type", &sh) &&
	    (sh.sh_addr != r->types || r->etypes - r->types > sh.sh_size))
		return "the module data's type range is not the .go.type section";
	r->img = elfimage__bytes(r->image, r->types, r->etypes - r->types);
	if (!r->img)
		return "the module data's type range is not in the file";
	why = walk_itab_region(r, r->types + t[3], r->types + t[3] + t[4], v, n);
	if (why)
		return why;
	d->off = calloc(*n ? *n : 1, sizeof(*d->off));
	if (!d->off)
		return OUT_OF_MEMORY;
	if (!all_inside(r, *v, *n, NULL, 0))
		return "an itab's type lies outside the module's type data";
	ret = decode_all(r, *v, *n, d);
	return ret == -ENOMEM ? OUT_OF_MEMORY : ret ? "an itab's type name does not decode" : NULL;
}

/* Turn pool offsets into the public records. */
static int finish(struct itablist *it, const struct ritab *v, size_t n, struct decoded *d)
{
	it->v = calloc(n, sizeof(*it->v));
	if (!it->v)
		return -ENOMEM;
	it->pool = d->pool;
	d->pool = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *s[4];

		for (int k = 0; k < 4; k++)
			s[k] = d->off[i][k] == PKG_UNKNOWN ? NULL
			       : d->off[i][k] == PKG_NONE  ? ""
							   : it->pool + d->off[i][k];
		it->v[i] = (struct gobin_itab){.addr = v[i].addr,
					      .concrete = s[0],
					      .iface = s[1],
					      .concrete_pkg = s[2],
					      .iface_pkg = s[3]};
	}
	it->n = n;
	return 0;
}

/* Up to Go 1.26: the itabs itablinks lists (textsectmap at at), and
 * types..etypes found among the words before it. */
static const char *load_links(struct reader *r, const uint64_t *w, int at, struct ritab **v,
			      uint64_t *n, struct decoded *d)
{
	const uint8_t *tl = slice_bytes(r, &w[at + 3], 4, 0, MAX_TYPELINKS);
	const uint8_t *links = slice_bytes(r, &w[at + 6], r->p, 1, MAX_ITABS);
	const char *why = NULL;

	*n = w[at + 7];
	*v = calloc(*n, sizeof(**v));
	d->off = calloc(*n, sizeof(*d->off));
	if (!*v || !d->off)
		return OUT_OF_MEMORY;
	for (uint64_t i = 0; i < *n && !why; i++)
		why = read_itab(r, word_at(links + i * r->p, r->p), &(*v)[i]);
	return why ? why : find_types(r, w, MD_AFTER_ETEXT, at, *v, *n, tl, w[at + 4], d);
}

/* Fill it; 0 or -errno with the reason in *why. */
static int load(const struct elfimage *img, const struct pclntab *pcln, const char *go_version,
		struct itablist *it, const char **why_out)
{
	struct reader r = {.image = img};
	const uint8_t *raw;
	uint64_t w[MD_WORDS], md, n = 0;
	struct ritab *v = NULL;
	struct decoded d = {0};
	const char *why = NULL;
	int at, ret = 0;

	*why_out = NULL;
	if (pclntab__moduledata(pcln, &md, &r.p))
		why = "the runtime's module data was not found";
	/* Name lengths were two big-endian bytes before Go 1.17. */
	else if (gobin__version_cmp(go_version, "go1.17") < 0)
		why = "type names of Go before 1.17 are not read";
	else if (!(raw = elfimage__bytes(img, md, MD_WORDS * r.p)))
		why = "the module data runs past the file";
	if (why) {
		*why_out = why;
		return -ENODATA;
	}
	for (int k = 0; k < MD_WORDS; k++)
		w[k] = word_at(raw + k * r.p, r.p);
	if ((at = find_slices(&r, w)) >= 0)
		why = load_links(&r, w, at, &v, &n, &d);
	else if ((at = find_itab_region(&r, w, &why)) >= 0)
		why = load_region(&r, w, at, &v, &n, &d);
	/* A specific reason only where the Go 1.27 layout is to be expected. */
	else if (at == -1 || gobin__version_cmp(go_version, "go1.27") < 0)
		why = "a module data layout this reader does not know: neither textsectmap, "
		      "typelinks, itablinks (Go up to 1.26) nor the type and itab words before "
		      "textsectmap (Go 1.27)";
	if (!why && finish(it, v, n, &d))
		why = OUT_OF_MEMORY;
	if (why)
		ret = why == OUT_OF_MEMORY ? -ENOMEM : -ENODATA;
	free(d.pool);
	free(d.off);
	free(v);
	*why_out = why;
	return ret;
}

struct itablist *itablinks__read(const struct elfimage *img, const struct pclntab *pcln,
				 const char *go_version, struct notes *notes)
{
	struct itablist *it = calloc(1, sizeof(*it));
	const char *why;

	if (!it)
		return NULL;
	it->err = load(img, pcln, go_version, it, &why);
	if (it->err)
		it->why = notes__add(notes, "no itab list: %s", why);
	return it;
}

int itablinks__list(const struct itablist *it, const struct gobin_itab **v, size_t *n,
		    const char **why)
{
	if (it->err) {
		*why = it->why;
		return it->err;
	}
	*v = it->v;
	*n = it->n;
	return 0;
}

void itablinks__free(struct itablist *it)
{
	if (!it)
		return;
	free(it->v);
	free(it->pool);
	free(it);
}

/* ---- lookups by full names ---- */

/* Characters of a package path and of an identifier. */
static bool path_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '/' || c == '-' || c == '~' || c == '+' ||
	       (unsigned char)c >= 0x80;
}

static bool ident_char(char c)
{
	return path_char(c) && c != '.' && c != '/' && c != '-' && c != '~' && c != '+';
}

/* In a run [f, e) of a full type name, the dot that ends a qualified
 * name's package path ("mime/multipart.writerOnly"), or NULL ("string").
 * *end is where its name ends: a local type's ".N" (writerOnly.1) is
 * not printed by the runtime. */
static const char *split_name(const char *f, const char *e, const char **end)
{
	const char *base = f, *dot = NULL, *k = e;

	while (k > f && k[-1] >= '0' && k[-1] <= '9')
		k--;
	*end = k < e && k - f >= 2 && k[-1] == '.' ? k - 1 : e;
	for (const char *c = f; c < *end; c++)
		if (*c == '/')
			base = c + 1;
	for (const char *c = base; c < *end; c++)
		if (*c == '.')
			dot = c;
	return dot;
}

/* Whether the runtime's type string s names the type full names with
 * package paths: a qualified name "path/to/pkg.Name" is "pkg.Name" in s,
 * where pkg is the package's name (checked through its path, see
 * pkg_ok(); with strict, the outermost one must be the path's last
 * element); the type arguments of a generic type are spelled with full
 * paths in both; everything else is the same. */
static bool same_type(const char *s, const char *f, bool strict)
{
	bool outer = true;

	while (*f) {
		const char *e, *dot, *end, *x;
		size_t n;

		if (!path_char(*f)) {
			outer &= *f == '*';
			if (*s++ != *f++)
				return false;
			continue;
		}
		for (e = f; *e && path_char(*e); e++)
			;
		dot = split_name(f, e, &end);
		if (!dot) {
			n = (size_t)(e - f);
		} else {
			for (x = s; ident_char(*x); x++)
				;
			if (x == s || *x != '.')
				return false;
			if (strict && outer) {
				const char *last = dot;

				while (last > f && last[-1] != '/')
					last--;
				if ((size_t)(x - s) != (size_t)(dot - last) || memcmp(s, last, dot - last))
					return false;
			}
			s = x + 1;
			f = dot + 1;
			n = (size_t)(end - f);
		}
		if (strncmp(s, f, n) != 0)
			return false;
		s += n;
		f = e;
		outer = false;
		if (dot && *f == '[') {
			int depth = 0;

			do {
				depth += *f == '[' ? 1 : *f == ']' ? -1 : 0;
				if (*s++ != *f++)
					return false;
			} while (*f && depth > 0);
		}
	}
	return *s == '\0';
}

/* The package path of the outermost named type of full (after any '*'),
 * into out; "" for a type without one ("struct { ... }", "error"). */
static void pkg_of(const char *full, char *out)
{
	const char *s = full, *e, *dot, *end;

	while (*s == '*')
		s++;
	for (e = s; *e && path_char(*e); e++)
		;
	dot = split_name(s, e, &end);
	if (!dot)
		dot = s;
	memcpy(out, s, (size_t)(dot - s));
	out[dot - s] = '\0';
}

/* Split "concrete,interface" at the comma outside brackets and braces. */
static const char *split_pair(const char *pair)
{
	int depth = 0;

	for (const char *c = pair; *c; c++) {
		if (*c == '[' || *c == '(' || *c == '{')
			depth++;
		else if (*c == ']' || *c == ')' || *c == '}')
			depth--;
		else if (*c == ',' && depth == 0)
			return c;
	}
	return NULL;
}

static bool pkg_ok(const char *have, const char *want)
{
	return !have || strcmp(have, want) == 0; /* NULL: not known for this kind */
}

int itablinks__find(const struct itablist *it, const char *pair, struct notes *notes,
		    uint64_t *addr, const char **why)
{
	const struct gobin_itab *v, *hit = NULL;
	size_t n, len = strlen(pair), same_names = 0, matches = 0;
	const char *comma = split_pair(pair);
	char *buf, *full[2], *pkg[2];
	int ret;

	if ((ret = itablinks__list(it, &v, &n, why)) != 0)
		return ret;
	if (!comma || comma == pair || !comma[1]) {
		*why = "not a \"concrete,interface\" pair";
		return -EINVAL;
	}
	buf = malloc(2 * (len + 1));
	if (!buf) {
		*why = "out of memory";
		return -ENOMEM;
	}
	full[0] = buf;
	memcpy(full[0], pair, len + 1);
	full[0][comma - pair] = '\0';
	full[1] = full[0] + (comma - pair) + 1;
	for (int k = 0; k < 2; k++) {
		pkg[k] = full[k] + len + 1;
		pkg_of(full[k], pkg[k]);
	}
	for (size_t i = 0; i < n; i++) {
		if (!same_type(v[i].concrete, full[0], !v[i].concrete_pkg) ||
		    !same_type(v[i].iface, full[1], !v[i].iface_pkg))
			continue;
		same_names++;
		if (!pkg_ok(v[i].concrete_pkg, pkg[0]) || !pkg_ok(v[i].iface_pkg, pkg[1]))
			continue;
		matches++;
		hit = &v[i];
	}
	if (matches == 1) {
		*addr = hit->addr;
		ret = 0;
	} else if (matches > 1) {
		*why = notes__add(notes, "%zu itabs of the runtime's list match: ambiguous", matches);
		ret = -ENODATA;
	} else {
		*why = same_names ? "the runtime's itab list has it only for types of other packages"
				  : "not in the runtime's itab list";
		ret = -ENOENT;
	}
	free(buf);
	return ret;
}
