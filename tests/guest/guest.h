// SPDX-License-Identifier: MIT
/*
 * Common declarations of the test guest's small C library: console output,
 * the PASS/FAIL reporting protocol, string helpers and the command line.
 * Everything declared here runs at CPL3.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define __noreturn __attribute__((noreturn))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))

/* Exit codes written to the isa-debug-exit port (see README.md). */
#define EXIT_PASS 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2     /* unknown scenario, bad command line */
#define EXIT_EXCEPTION 3 /* unexpected CPU exception */

/* uart.c: COM1, polled */
void uart_init(void);
void uart_putc(char c);
int uart_getc(void); /* blocks until a byte arrives */
bool uart_try_getc(char *c);
void uart_flush(void);
void console_lock(void);
void console_unlock(void);
void console_break_lock(void);

/* printf.c: %s %c %d %i %u %x %X %p %%, flags '-' '0', width, l/ll/z */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int vprintf(const char *fmt, va_list ap);
int printf(const char *fmt, ...) __printf(1, 2);

/* main.c: the reporting protocol */
void pass(const char *fmt, ...) __printf(1, 2);
void fail(const char *fmt, ...) __printf(1, 2);
bool check(bool ok, const char *fmt, ...) __printf(2, 3);
unsigned int fail_count(void);
__noreturn void guest_exit(int code);

/* string.c */
void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
size_t strlcpy(char *dst, const char *src, size_t size);
bool parse_u64(const char *s, uint64_t *val);

/* cmdline.c: "key=value word ..." */
void cmdline_init(const char *cmdline);
const char *cmdline_raw(void);
const char *cmdline_get(const char *key);
int cmdline_get_u64(const char *key, uint64_t *val);

#endif
