/* protodesc.c - find the serialized FileDescriptorProtos in a Go binary's
 * loadable segments (protodesc.h): plain ones by the name they start with,
 * their end by protoscan.c's strict scan; gzipped ones by the gzip magic,
 * inflated with zlib and kept only when they parse whole. */
#include "gobin_internal.h"
#include "protodesc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define MAX_NAME 1024		/* bytes of a file name the search looks back over */
#define MAX_SEGMENT (1ULL << 30) /* bytes of one segment searched, at most */

const char *protodesc__storage_name(enum protodesc_storage s)
{
	switch (s) {
	case PROTODESC_RODATA:
		return "rodata";
	case PROTODESC_DATA:
		return "data";
	case PROTODESC_GZIP:
		return "gzip";
	}
	return "?";
}

int protodesc__gunzip(const uint8_t *p, size_t n, uint8_t **out, size_t *outlen, size_t *used,
		      const char **why)
{
	z_stream zs = {0};
	size_t cap = 4096;
	uint8_t *buf;
	int zr = Z_OK;

	*out = NULL;
	if (n < 18 || p[0] != 0x1f || p[1] != 0x8b || p[2] != 8) {
		*why = "not a gzip stream";
		return -EINVAL;
	}
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		*why = "out of memory";
		return -ENOMEM;
	}
	buf = malloc(cap);
	zs.next_in = (Bytef *)p;
	zs.avail_in = n > UINT32_MAX ? UINT32_MAX : (uInt)n;
	while (buf) {
		uint8_t *grown;

		zs.next_out = buf + zs.total_out;
		zs.avail_out = (uInt)(cap - zs.total_out);
		zr = inflate(&zs, Z_NO_FLUSH);
		if (zr == Z_STREAM_END || (zr != Z_OK && zr != Z_BUF_ERROR) || zs.avail_out)
			break;
		if (cap >= PROTODESC_MAX_INFLATE) {
			zr = Z_MEM_ERROR + 100; /* over the bound */
			break;
		}
		cap = cap * 2 > PROTODESC_MAX_INFLATE ? PROTODESC_MAX_INFLATE : cap * 2;
		grown = realloc(buf, cap);
		if (!grown) {
			free(buf);
			buf = NULL;
		}
		buf = grown;
	}
	inflateEnd(&zs);
	if (!buf) {
		*why = "out of memory";
		return -ENOMEM;
	}
	if (zr != Z_STREAM_END) {
		free(buf);
		*why = zr == Z_MEM_ERROR + 100 ? "inflates to more than 8 MiB"
					       : "a damaged or truncated gzip stream";
		return zr == Z_MEM_ERROR + 100 ? -E2BIG : -EINVAL;
	}
	*out = buf;
	*outlen = zs.total_out;
	*used = zs.total_in;
	return 0;
}

static int push_blob(struct protodesc_set *set, const struct protodesc_blob *b)
{
	struct protodesc_blob *v = realloc(set->blobs, (set->nblobs + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	set->blobs = v;
	v[set->nblobs++] = *b;
	return 0;
}

static int own(struct protodesc_set *set, void *p)
{
	uint8_t **v = realloc(set->owned, (set->nowned + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	set->owned = v;
	v[set->nowned++] = p;
	return 0;
}

static int push_bad(struct protodesc_set *set, uint64_t vaddr, const char *fmt, const char *a,
		    const char *b)
{
	struct protodesc_bad *v = realloc(set->bad, (set->nbad + 1) * sizeof(*v));
	char *s;

	if (!v)
		return -ENOMEM;
	set->bad = v;
	if (asprintf(&s, fmt, a, b) < 0)
		return -ENOMEM;
	if (own(set, s)) {
		free(s);
		return -ENOMEM;
	}
	v[set->nbad].vaddr = vaddr;
	v[set->nbad++].why = s;
	return 0;
}

/* A gzip stream at buf (n bytes to the segment's end): a descriptor when
 * it inflates to one that parses whole. Streams of anything else are not
 * ours and are passed over without a word. */
static int try_gzip(struct protodesc_set *set, const uint8_t *buf, size_t n, uint64_t vaddr)
{
	struct protodesc_blob b = {.vaddr = vaddr, .storage = PROTODESC_GZIP};
	const char *why, *stop;
	uint8_t *out;
	size_t len, used, ext;
	char name[96];
	int ret = protodesc__gunzip(buf, n, &out, &len, &used, &why);

	if (ret == -ENOMEM)
		return ret;
	if (ret)
		return 0;
	ext = protodesc__extent(out, len, &stop);
	if (ext == 0) {
		free(out);
		return 0;
	}
	if (ext != len) {
		/* The name field is first: print it, cut short. */
		snprintf(name, sizeof(name), "%.*s", out[1] < 0x80 ? (int)out[1] : 0, out + 2);
		free(out);
		return push_bad(set, vaddr, "gzipped descriptor %s does not parse whole: %s", name,
				stop);
	}
	if (own(set, out)) {
		free(out);
		return -ENOMEM;
	}
	b.data = out;
	b.len = len;
	b.stored_len = used;
	return push_blob(set, &b);
}

static bool printable(uint8_t c) { return c >= 0x20 && c <= 0x7e; }

/* Does a name of length len end at buf + end, behind a tag 0x0a and the
 * varint of len? Returns where the tag is, or SIZE_MAX. */
static size_t name_header(const uint8_t *buf, size_t end, size_t len)
{
	size_t at = end - len;

	if (len < 0x80)
		return at >= 2 && buf[at - 1] == len && buf[at - 2] == 0x0a ? at - 2 : SIZE_MAX;
	return len < 0x4000 && at >= 3 && buf[at - 1] == (len >> 7) &&
			       buf[at - 2] == (0x80 | (len & 0x7f)) && buf[at - 3] == 0x0a
		       ? at - 3
		       : SIZE_MAX;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* Every place in buf where "\x0a <len> <printable name>.proto" starts,
 * found from the ".proto" ends backwards; sorted. */
static int candidates(const uint8_t *buf, size_t len, size_t **out, size_t *n)
{
	size_t cap = 0, *v = NULL;
	const uint8_t *hit = buf;

	*n = 0;
	while ((hit = memmem(hit, len - (size_t)(hit - buf), ".proto", 6)) != NULL) {
		size_t end = (size_t)(hit - buf) + 6;

		for (size_t l = 6; l < MAX_NAME && l < end; l++) {
			size_t at = name_header(buf, end, l);

			if (l > 6 && at != SIZE_MAX) {
				if (*n == cap) {
					size_t *g = realloc(v, (cap = cap ? 2 * cap : 64) * sizeof(*v));

					if (!g) {
						free(v);
						return -ENOMEM;
					}
					v = g;
				}
				v[(*n)++] = at;
			}
			if (!printable(buf[end - l - 1]))
				break;
		}
		hit++;
	}
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_size);
	*out = v;
	return 0;
}

/* A blob that is only a name carries nothing to decode with, and is the
 * likeliest chance match ("\n", a length byte, then a Go string naming a
 * .proto file): one more field is required. */
static bool more_than_name(const uint8_t *p, size_t ext)
{
	size_t hdr = p[1] < 0x80 ? 2 : 3;
	size_t namelen = p[1] < 0x80 ? p[1] : ((size_t)(p[1] & 0x7f) | (size_t)p[2] << 7);

	return ext > hdr + namelen;
}

int protodesc__scan_buffer(struct protodesc_set *set, const uint8_t *buf, size_t len,
			   uint64_t base, bool writable, const char **why)
{
	size_t *cand, ncand, covered = 0;
	const uint8_t *hit = buf;
	int ret;

	if ((ret = candidates(buf, len, &cand, &ncand)) != 0) {
		*why = "out of memory";
		return ret;
	}
	for (size_t i = 0; i < ncand; i++) {
		struct protodesc_blob b = {.data = buf + cand[i], .vaddr = base + cand[i]};

		if (cand[i] < covered)
			continue; /* inside the descriptor before it */
		b.len = protodesc__extent(b.data, len - cand[i], NULL);
		if (!b.len || !more_than_name(b.data, b.len))
			continue;
		b.stored_len = b.len;
		b.storage = writable ? PROTODESC_DATA : PROTODESC_RODATA;
		if ((ret = push_blob(set, &b)) != 0)
			goto oom;
		covered = cand[i] + b.len;
	}
	free(cand);
	while (len >= 3 && (hit = memmem(hit, len - (size_t)(hit - buf), "\x1f\x8b\x08", 3))) {
		if ((ret = try_gzip(set, hit, len - (size_t)(hit - buf), base + (uint64_t)(hit - buf))))
			goto oom_nocand;
		hit++;
	}
	return 0;
oom:
	free(cand);
oom_nocand:
	*why = "out of memory";
	return ret;
}

void protodesc__free(struct protodesc_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->nowned; i++)
		free(set->owned[i]);
	free(set->owned);
	free(set->blobs);
	free(set->bad);
	free(set);
}

static int cmp_blob(const void *a, const void *b)
{
	const struct protodesc_blob *x = a, *y = b;

	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

int protodesc__find(struct gobin *gb, struct protodesc_set **out, const char **why)
{
	struct protodesc_set *set = calloc(1, sizeof(*set));
	int ret;

	*out = NULL;
	if (!set) {
		*why = "out of memory";
		return -ENOMEM;
	}
	/* Every loadable segment's file bytes: section headers may be gone,
	 * and an external linker may put read-only data anywhere. */
	for (size_t i = 0; i < gb->img.nphdrs; i++) {
		const GElf_Phdr *p = &gb->img.phdrs[i];
		uint64_t len = p->p_filesz < MAX_SEGMENT ? p->p_filesz : MAX_SEGMENT;
		const uint8_t *bytes;

		if (p->p_type != PT_LOAD || len == 0)
			continue;
		bytes = elfimage__bytes(&gb->img, p->p_vaddr, len);
		if (!bytes)
			continue; /* claims more than the file holds */
		ret = protodesc__scan_buffer(set, bytes, (size_t)len, p->p_vaddr,
					     (p->p_flags & PF_W) != 0, why);
		if (ret) {
			protodesc__free(set);
			return ret;
		}
	}
	if (set->nblobs)
		qsort(set->blobs, set->nblobs, sizeof(*set->blobs), cmp_blob);
	*out = set;
	return 0;
}
