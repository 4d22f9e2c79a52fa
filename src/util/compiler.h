// SPDX-License-Identifier: MIT
/*
 * Small compiler helpers shared by every file: container_of, array size,
 * alignment arithmetic and attributes. No dependencies beyond libc.
 */
#ifndef FLEXVM_UTIL_COMPILER_H
#define FLEXVM_UTIL_COMPILER_H

#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define __must_check __attribute__((warn_unused_result))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __noreturn __attribute__((noreturn))
#define __unused __attribute__((unused))
#define __packed __attribute__((packed))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Alignment helpers; @a must be a power of two. */
#define ALIGN_DOWN(x, a) ((x) & ~((typeof(x))(a) - 1))
#define ALIGN_UP(x, a) ALIGN_DOWN((x) + (typeof(x))(a) - 1, (a))
#define IS_ALIGNED(x, a) (((x) & ((typeof(x))(a) - 1)) == 0)
#define IS_POWER_OF_2(x) ((x) != 0 && ((x) & ((x) - 1)) == 0)

#define KiB (1024ULL)
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)
#define TiB (1024ULL * GiB)

#endif
