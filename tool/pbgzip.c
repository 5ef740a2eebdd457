/* pbgzip.c - gunzip of possibly partial input into a bounded buffer
 * (see pbgzip.h), with zlib. */
#include "pbgzip.h"

#include <errno.h>
#include <limits.h>
#include <zlib.h>

int pbgzip__inflate(const void *in, size_t inlen, void *out, size_t outcap, size_t *produced,
		    bool *complete)
{
	z_stream z = {0};
	int rc = 0, zr;

	*produced = 0;
	*complete = false;
	/* zlib counts in uInt: a message is far smaller, but stay exact. */
	if (inlen > UINT_MAX)
		inlen = UINT_MAX;
	if (outcap > UINT_MAX)
		outcap = UINT_MAX;
	/* 16 + MAX_WBITS: the gzip wrapper only, as grpc-encoding says. */
	zr = inflateInit2(&z, 16 + MAX_WBITS);
	if (zr != Z_OK)
		return zr == Z_MEM_ERROR ? -ENOMEM : -EINVAL;
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)inlen;
	z.next_out = out;
	z.avail_out = (uInt)outcap;
	for (;;) {
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr == Z_STREAM_END) {
			/* A member ended: done when nothing follows, else the
			 * next member begins. */
			if (z.avail_in == 0) {
				*complete = true;
				break;
			}
			if (inflateReset(&z) != Z_OK) {
				rc = -EINVAL;
				break;
			}
			continue;
		}
		if (zr == Z_OK)
			continue;
		/* No progress: input used up, or output full. */
		if (zr == Z_BUF_ERROR)
			break;
		rc = zr == Z_MEM_ERROR ? -ENOMEM : -EBADMSG; /* Z_DATA_ERROR, Z_NEED_DICT, ... */
		break;
	}
	*produced = outcap - z.avail_out;
	inflateEnd(&z);
	return rc;
}
