// SPDX-License-Identifier: MIT
/*
 * QEMU's size syntax, parsed with integer arithmetic only, and a short
 * human rendering for messages. Pure code: any thread, no locks. The edge
 * cases (hex, fractions, where overflow turns into "malformed") were
 * checked against qemu-system-x86_64 7.2, which scripts are written for.
 */
#include "util/size.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* A fraction keeps this many digits: 10^18 * 2^60 still fits 128 bits. */
#define SIZE_FRACTION_DIGITS 18

static uint64_t size_suffix_mul(char c)
{
	switch (toupper((unsigned char)c)) {
	case 'B':
		return 1;
	case 'K':
		return KiB;
	case 'M':
		return MiB;
	case 'G':
		return GiB;
	case 'T':
		return TiB;
	case 'P':
		return 1024 * TiB;
	case 'E':
		return 1024 * 1024 * TiB;
	}
	return 0;
}

static int size_digit(char c, unsigned base)
{
	int d;

	if (isdigit((unsigned char)c))
		d = c - '0';
	else if (isxdigit((unsigned char)c))
		d = toupper((unsigned char)c) - 'A' + 10;
	else
		return -1;
	return d < (int)base ? d : -1;
}

/* Reads digits at *@pp; -ERANGE on overflow, but always consumes them all. */
static int size_integer(const char **pp, unsigned base, uint64_t *val)
{
	const char *p = *pp;
	uint64_t v = 0;
	int ret = 0;
	int d;

	for (; (d = size_digit(*p, base)) >= 0; p++) {
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			ret = -ERANGE;
		else
			v = v * base + (uint64_t)d;
	}
	*pp = p;
	*val = v;
	return ret;
}

/*
 * The digits after '.' as @num / @den. QEMU hands this part to strtod(),
 * so an exponent ("1.5e3K") makes the whole text invalid, and a '.' with
 * no digit after it is skipped ("1.K" is 1 KiB).
 */
static int size_fraction(const char **pp, uint64_t *num, uint64_t *den)
{
	const char *p = *pp;
	unsigned nr = 0;

	*num = 0;
	*den = 1;
	for (; isdigit((unsigned char)*p); p++) {
		if (nr++ >= SIZE_FRACTION_DIGITS)
			continue;	/* below a byte at any unit */
		*num = *num * 10 + (uint64_t)(*p - '0');
		*den *= 10;
	}
	if (nr && (*p == 'e' || *p == 'E')) {
		const char *q = p + 1;

		if (*q == '+' || *q == '-')
			q++;
		if (isdigit((unsigned char)*q))
			return -EINVAL;
	}
	*pp = p;
	return 0;
}

/* Parses "[blanks][+]digits[.digits]" or "[blanks][+]0xhex" into *@val. */
static int size_number(const char **pp, uint64_t *val, uint64_t *num,
		       uint64_t *den)
{
	const char *p = *pp;
	int ret;

	*num = 0;
	*den = 1;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+')
		p++;
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    isxdigit((unsigned char)p[2])) {
		p += 2;
		ret = size_integer(&p, 16, val);
		if (!ret && *p == '.')
			ret = -EINVAL;
	} else {
		ret = size_integer(&p, 10, val);
		if (!ret && *p == '.') {
			p++;
			ret = size_fraction(&p, num, den);
		}
	}
	*pp = p;
	return ret;
}

int size_parse(const char *s, uint64_t default_unit, uint64_t *out)
{
	const char *p = s;
	uint64_t val, num, den, mul;
	unsigned __int128 total;
	int ret;

	ret = size_number(&p, &val, &num, &den);
	if (ret)
		return *p ? -EINVAL : ret;	/* QEMU: junk beats overflow */

	mul = size_suffix_mul(*p);
	if (mul)
		p++;
	else
		mul = default_unit;
	if (*p)
		return -EINVAL;
	if (mul <= 1 && num)
		return -EINVAL;	/* no such thing as half a byte */

	total = (unsigned __int128)val * mul +
		(unsigned __int128)num * mul / den;
	if (total > UINT64_MAX)
		return -ERANGE;
	*out = (uint64_t)total;
	return 0;
}

char *size_format(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = {
		"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB",
	};
	unsigned shift = 0, i = 0;
	uint64_t whole, hundredths;

	if (!len)
		return buf;
	while (i + 1 < ARRAY_SIZE(units) && (bytes >> (shift + 10)) != 0) {
		shift += 10;
		i++;
	}
	whole = bytes >> shift;
	/* Truncated, so a value just below 2 GiB never prints as "2 GiB". */
	hundredths = shift ? (uint64_t)(((unsigned __int128)(bytes -
			(whole << shift)) * 100) >> shift) : 0;

	if (hundredths == 0)
		snprintf(buf, len, "%llu %s", (unsigned long long)whole,
			 units[i]);
	else if (hundredths % 10 == 0)
		snprintf(buf, len, "%llu.%llu %s", (unsigned long long)whole,
			 (unsigned long long)(hundredths / 10), units[i]);
	else
		snprintf(buf, len, "%llu.%02llu %s", (unsigned long long)whole,
			 (unsigned long long)hundredths, units[i]);
	return buf;
}
