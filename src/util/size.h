// SPDX-License-Identifier: MIT
/*
 * Byte sizes as QEMU spells them on its command line ("512M", "1.5G",
 * "0x1000") and as flexvm prints them in messages ("1.5 GiB"). Pure
 * functions: callable from any thread, no locks, no allocation.
 */
#ifndef FLEXVM_UTIL_SIZE_H
#define FLEXVM_UTIL_SIZE_H

#include <stddef.h>
#include <stdint.h>

#include "util/compiler.h"

/**
 * size_parse - parse a size with QEMU 7.2's qemu_strtosz() rules
 * @s: the text, e.g. "1G", "1.5g", "512", "0x1000"
 * @default_unit: multiplier when @s has no suffix (1 for bytes, MiB for -m)
 * @out: the size in bytes, written only on success
 *
 * Syntax: optional leading blanks and '+', a decimal integer (or a hex one
 * with "0x"), an optional decimal fraction, then one optional suffix among
 * B K M G T P E in either case (binary units: K = 1024). A fraction needs a
 * unit larger than a byte, and is truncated to whole bytes. Nothing may
 * follow the suffix.
 *
 * Return: 0; -EINVAL for malformed text (empty, negative, junk, exponent,
 * fraction of a byte); -ERANGE when the value does not fit in 64 bits.
 */
int size_parse(const char *s, uint64_t default_unit, uint64_t *out)
	__must_check;

/**
 * size_format - render @bytes for a person, in the largest binary unit
 * that keeps the number >= 1: "0 B", "1023 B", "512 MiB", "1.5 GiB",
 * "1.33 GiB" (at most two decimals, truncated, trailing zeros dropped)
 * @bytes: the value
 * @buf: destination, always NUL-terminated when @len > 0
 * @len: size of @buf; 16 bytes always suffice
 *
 * Return: @buf, so the call can sit in a printf argument list.
 */
char *size_format(uint64_t bytes, char *buf, size_t len);

#endif
