// SPDX-License-Identifier: MIT
/*
 * A small printf: %s %c %d %i %u %x %X %p %%, the flags '-' and '0', a
 * field width (digits or '*') and the length modifiers h, l, ll, z. One
 * formatter writes through a sink, so printf (to the UART, under the
 * console lock) and snprintf (to a buffer) share it. CPL3 only.
 */
#include "guest.h"

struct sink {
	void (*put)(struct sink *s, char c);
	char *buf;
	size_t size;
	size_t len; /* characters produced, even past the end of buf */
};

struct spec {
	bool left;
	bool zero;
	unsigned int width;
	int length; /* 0 int, 1 long, 2 long long, 3 size_t, -1 short */
};

static void emit_pad(struct sink *s, char c, unsigned int n)
{
	while (n--)
		s->put(s, c);
}

static void emit_str(struct sink *s, const struct spec *sp, const char *str)
{
	size_t len = strlen(str);
	unsigned int pad = sp->width > len ? sp->width - (unsigned int)len : 0;

	if (!sp->left)
		emit_pad(s, ' ', pad);
	while (*str)
		s->put(s, *str++);
	if (sp->left)
		emit_pad(s, ' ', pad);
}

/* Digits are built backwards in tmp; zero padding goes after the sign. */
static void emit_num(struct sink *s, const struct spec *sp, uint64_t v,
		     unsigned int base, bool upper, bool neg, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	unsigned int n = 0, len, pad;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	len = n + (neg ? 1 : 0) + (unsigned int)strlen(prefix);
	pad = sp->width > len ? sp->width - len : 0;
	if (!sp->left && !sp->zero)
		emit_pad(s, ' ', pad);
	if (neg)
		s->put(s, '-');
	while (*prefix)
		s->put(s, *prefix++);
	if (!sp->left && sp->zero)
		emit_pad(s, '0', pad);
	while (n)
		s->put(s, tmp[--n]);
	if (sp->left)
		emit_pad(s, ' ', pad);
}

static uint64_t arg_unsigned(va_list *ap, int length)
{
	switch (length) {
	case 1:
		return va_arg(*ap, unsigned long);
	case 2:
		return va_arg(*ap, unsigned long long);
	case 3:
		return va_arg(*ap, size_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static int64_t arg_signed(va_list *ap, int length)
{
	switch (length) {
	case 1:
		return va_arg(*ap, long);
	case 2:
		return va_arg(*ap, long long);
	case 3:
		return (int64_t)va_arg(*ap, size_t);
	default:
		return va_arg(*ap, int);
	}
}

/* Parses flags, width and length; returns the conversion character. */
static const char *parse_spec(const char *fmt, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ 0 };
	for (;; fmt++) {
		if (*fmt == '-')
			sp->left = true;
		else if (*fmt == '0')
			sp->zero = true;
		else
			break;
	}
	if (*fmt == '*') {
		int w = va_arg(*ap, int);

		sp->width = w > 0 ? (unsigned int)w : 0;
		fmt++;
	}
	while (*fmt >= '0' && *fmt <= '9')
		sp->width = sp->width * 10 + (unsigned int)(*fmt++ - '0');
	if (*fmt == 'h') {
		sp->length = -1;
		while (*fmt == 'h')
			fmt++;
	} else if (*fmt == 'z') {
		sp->length = 3;
		fmt++;
	}
	while (*fmt == 'l') {
		sp->length++;
		fmt++;
	}
	return fmt;
}

static void format_one(struct sink *s, const struct spec *sp, char conv,
		       va_list *ap)
{
	int64_t sv;
	const char *str;

	switch (conv) {
	case 'd':
	case 'i':
		sv = arg_signed(ap, sp->length);
		emit_num(s, sp, sv < 0 ? 0 - (uint64_t)sv : (uint64_t)sv, 10,
			 false, sv < 0, "");
		break;
	case 'u':
		emit_num(s, sp, arg_unsigned(ap, sp->length), 10, false, false,
			 "");
		break;
	case 'x':
	case 'X':
		emit_num(s, sp, arg_unsigned(ap, sp->length), 16, conv == 'X',
			 false, "");
		break;
	case 'p':
		emit_num(s, sp, (uintptr_t)va_arg(*ap, void *), 16, false,
			 false, "0x");
		break;
	case 'c':
		s->put(s, (char)va_arg(*ap, int));
		break;
	case 's':
		str = va_arg(*ap, const char *);
		emit_str(s, sp, str ? str : "(null)");
		break;
	default: /* '%' and anything unknown is printed as is */
		s->put(s, conv);
		break;
	}
}

static int format(struct sink *s, const char *fmt, va_list ap_in)
{
	struct spec sp;
	va_list ap;

	va_copy(ap, ap_in);
	while (*fmt) {
		if (*fmt != '%') {
			s->put(s, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &ap);
		if (!*fmt)
			break;
		format_one(s, &sp, *fmt++, &ap);
	}
	va_end(ap);
	return (int)s->len;
}

static void put_buf(struct sink *s, char c)
{
	if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

static void put_uart(struct sink *s, char c)
{
	uart_putc(c);
	s->len++;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { .put = put_buf, .buf = buf, .size = size };
	int n = format(&s, fmt, ap);

	if (size)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int vprintf(const char *fmt, va_list ap)
{
	struct sink s = { .put = put_uart };
	int n;

	console_lock();
	n = format(&s, fmt, ap);
	console_unlock();
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
