/* shortfloat.c - shortest round-trip decimal of a float or a double. */
#include "shortfloat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool reads_back(const char *s, double v, bool single)
{
	return single ? strtof(s, NULL) == (float)v : strtod(s, NULL) == v;
}

size_t shortfloat__format(char *buf, double v, bool single)
{
	char e[SHORTFLOAT_BUF], digits[24];
	int lo = 1, hi = single ? 9 : 17, exp, nd = 0, o = 0;
	double a = fabs(v);
	const char *p;

	if (isnan(v))
		return (size_t)snprintf(buf, SHORTFLOAT_BUF, "nan");
	if (isinf(v))
		return (size_t)snprintf(buf, SHORTFLOAT_BUF, v < 0 ? "-inf" : "inf");
	if (v == 0)
		return (size_t)snprintf(buf, SHORTFLOAT_BUF, signbit(v) ? "-0" : "0");
	/* Whole numbers below the type's 2^mantissa, where neighbours are at
	 * most 1 apart: the common case, and the integer is its own shortest
	 * form. */
	if (a < (single ? 16777216.0 : 1e15) && v == (double)(long long)v)
		return (size_t)snprintf(buf, SHORTFLOAT_BUF, "%lld", (long long)v);
	/* Fewer digits never read back closer than more: the digit count
	 * that reads back is found by bisection. %e rounds correctly. */
	while (lo < hi) {
		int mid = (lo + hi) / 2;

		snprintf(e, sizeof(e), "%.*e", mid - 1, v);
		if (reads_back(e, v, single))
			hi = mid;
		else
			lo = mid + 1;
	}
	snprintf(e, sizeof(e), "%.*e", lo - 1, v);
	/* e is "[-]d[.ddd]e[+-]XX": its digits, then its exponent. */
	for (p = e + (*e == '-'); *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	exp = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (v < 0)
		buf[o++] = '-';
	if ((single ? (float)a : a) < 1e-6 || (single ? (float)a : a) >= 1e21) {
		buf[o++] = digits[0];
		if (nd > 1) {
			buf[o++] = '.';
			memcpy(buf + o, digits + 1, (size_t)nd - 1);
			o += nd - 1;
		}
		o += snprintf(buf + o, SHORTFLOAT_BUF - (size_t)o, "e%c%02d", exp < 0 ? '-' : '+',
			      abs(exp));
		/* protojson trims a negative exponent's leading zero. */
		if (exp < 0 && exp > -10) {
			buf[o - 2] = buf[o - 1];
			buf[--o] = '\0';
		}
		return (size_t)o;
	}
	if (exp < 0) {
		buf[o++] = '0';
		buf[o++] = '.';
		for (int i = -1; i > exp; i--)
			buf[o++] = '0';
		memcpy(buf + o, digits, (size_t)nd);
		o += nd;
	} else {
		for (int i = 0; i <= exp || i < nd; i++) {
			if (i == exp + 1)
				buf[o++] = '.';
			buf[o++] = i < nd ? digits[i] : '0';
		}
	}
	buf[o] = '\0';
	return (size_t)o;
}
