/* shortfloat.h - the shortest decimal text of a float or a double that
 * reads back as the same number, laid out as protobuf's JSON mapping (Go's
 * protojson) writes numbers. */
#ifndef SHORTFLOAT_H
#define SHORTFLOAT_H

#include <stdbool.h>
#include <stddef.h>

#define SHORTFLOAT_BUF 32

/**
 * shortfloat__format() - write v as the fewest significant digits that
 * read back as v: through a float when @single (a protobuf float field),
 * else through a double.
 * @buf:    at least SHORTFLOAT_BUF bytes; NUL-terminated on return
 * @v:      the value (a float field's value converted to double)
 * @single: round-trip through float32 instead of float64
 *
 * Plain notation for 1e-6 <= |v| < 1e21 ("0.1", "100", "-0"), else
 * exponent notation ("1e+21", "1.5e-7"), as protojson does. NaN and the
 * infinities give "nan", "inf", "-inf": each output form spells those its
 * own way, so callers test for them first.
 * Return: the length written.
 */
size_t shortfloat__format(char *buf, double v, bool single);

#endif
