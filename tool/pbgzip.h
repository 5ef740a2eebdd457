/* pbgzip.h - gunzip a gRPC message compressed with grpc-encoding "gzip",
 * from only its first bytes if that is all there is. */
#ifndef PBGZIP_H
#define PBGZIP_H

#include <stdbool.h>
#include <stddef.h>

/**
 * pbgzip__inflate() - inflate gzip data into a bounded buffer.
 * @in:        the compressed bytes (possibly only the start of them)
 * @inlen:     how many
 * @out:       where the inflated bytes go
 * @outcap:    its size: never more is written
 * @produced:  set to the bytes written to @out
 * @complete:  set when the gzip stream (and its CRC and length check)
 *             ended within @in and @out, with nothing after it; false when
 *             @in ended first or @out filled first (the message is then
 *             only the start of one: decode it as cut)
 *
 * Concatenated gzip members are inflated one after the other, as Go's
 * gzip reader does. Nothing outside @in and @out is touched; zlib's state
 * lives for the call only.
 * Return: 0 (also for a stream that stops early), -EBADMSG for data that
 * is not gzip or is corrupt (a bad header, bad deflate data, a check that
 * does not match, bytes after the stream that start no member), -ENOMEM.
 */
int pbgzip__inflate(const void *in, size_t inlen, void *out, size_t outcap, size_t *produced,
		    bool *complete);

#endif
