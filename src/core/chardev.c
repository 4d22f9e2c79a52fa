// SPDX-License-Identifier: MIT
/*
 * stdio, file and null character backends. A terminal on stdio is put in
 * raw mode (output post-processing and Ctrl-C kept, as QEMU's stdio
 * backend does) and restored at exit. Input flows only while the serial
 * port has room: a paused fd stays in the epoll set with an empty mask.
 */
#include "core/chardev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <termios.h>
#include <unistd.h>

#include "util/log.h"

#define CTRL_A 0x01

struct chardev {
	enum serial_backend backend;
	int in_fd;		/* -1: no input */
	int out_fd;		/* -1: output dropped */
	bool owns_out_fd;
	bool input_watched;
	bool mux;
	bool escape;		/* mux: last byte was Ctrl-a */
	struct event_loop *el;
	const struct chardev_input_ops *in_ops;
	void *in_opaque;
	void (*quit)(void *);
	void *quit_opaque;
};

static struct termios saved_termios;
static bool termios_saved;
static bool stdio_taken;

static void restore_terminal(void)
{
	if (termios_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
}

static void make_terminal_raw(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &t) < 0)
		return;
	saved_termios = t;
	termios_saved = true;
	atexit(restore_terminal);
	cfmakeraw(&t);
	/* Like QEMU's stdio: keep newline translation and Ctrl-C. */
	t.c_oflag |= OPOST;
	t.c_lflag |= ISIG;
	tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

static int open_stdio(struct chardev *chr, struct error *err)
{
	if (stdio_taken) {
		error_setg(err, "cannot use stdio by multiple character "
			   "devices");
		return -EBUSY;
	}
	stdio_taken = true;
	chr->in_fd = STDIN_FILENO;
	chr->out_fd = STDOUT_FILENO;
	make_terminal_raw();
	return 0;
}

static int open_file(struct chardev *chr, const char *path,
		     struct error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);

	if (fd < 0) {
		error_setg_errno(err, errno, "Could not open '%s'", path);
		return -errno;
	}
	chr->out_fd = fd;
	chr->owns_out_fd = true;
	return 0;
}

struct chardev *chardev_create(const struct serial_config *sc,
			       struct event_loop *el, bool mux,
			       void (*quit)(void *), void *quit_opaque,
			       struct error *err)
{
	struct chardev *chr = calloc(1, sizeof(*chr));
	int ret = 0;

	if (!chr) {
		error_setg(err, "out of memory");
		return NULL;
	}
	*chr = (struct chardev){ .backend = sc->backend, .in_fd = -1,
				 .out_fd = -1, .el = el, .mux = mux,
				 .quit = quit, .quit_opaque = quit_opaque };
	if (sc->backend == SERIAL_BACKEND_STDIO)
		ret = open_stdio(chr, err);
	else if (sc->backend == SERIAL_BACKEND_FILE)
		ret = open_file(chr, sc->path, err);
	if (ret) {
		free(chr);
		return NULL;
	}
	return chr;
}

void chardev_destroy(struct chardev *chr)
{
	if (!chr)
		return;
	if (chr->input_watched)
		event_loop_del_fd(chr->el, chr->in_fd);
	if (chr->owns_out_fd)
		close(chr->out_fd);
	if (chr->backend == SERIAL_BACKEND_STDIO)
		stdio_taken = false;
	free(chr);
}

void chardev_write(struct chardev *chr, const uint8_t *buf, size_t len)
{
	while (chr->out_fd >= 0 && len > 0) {
		ssize_t n = write(chr->out_fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;	/* a closed stdout must not stop the guest */
		buf += n;
		len -= (size_t)n;
	}
}

/* Strips QEMU's mux escapes from @buf in place; returns the new length. */
static size_t filter_escapes(struct chardev *chr, uint8_t *buf, size_t len)
{
	size_t out = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = buf[i];

		if (!chr->escape && c == CTRL_A) {
			chr->escape = true;
			continue;
		}
		if (chr->escape) {
			chr->escape = false;
			if (c == 'x') {
				static const char msg[] =
					"flexvm: Terminated\r\n";
				chardev_write(chr, (const uint8_t *)msg,
					      sizeof(msg) - 1);
				chr->quit(chr->quit_opaque);
				return out;
			}
			if (c != CTRL_A)
				continue;	/* unknown escape: dropped */
		}
		buf[out++] = c;
	}
	return out;
}

static void chardev_readable(void *opaque, uint32_t events)
{
	struct chardev *chr = opaque;
	uint8_t buf[256];
	size_t room = chr->in_ops->can_read(chr->in_opaque);
	ssize_t n;

	if (room == 0) {
		event_loop_mod_fd(chr->el, chr->in_fd, 0);
		return;
	}
	n = read(chr->in_fd, buf, MIN(room, sizeof(buf)));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {	/* EOF or error: the guest simply gets no more input */
		event_loop_del_fd(chr->el, chr->in_fd);
		chr->input_watched = false;
		return;
	}
	(void)events;
	if (chr->mux)
		n = (ssize_t)filter_escapes(chr, buf, (size_t)n);
	if (n > 0)
		chr->in_ops->read(chr->in_opaque, buf, (size_t)n);
}

void chardev_set_input(struct chardev *chr, const struct chardev_input_ops *ops,
		       void *opaque)
{
	chr->in_ops = ops;
	chr->in_opaque = opaque;
	if (chr->in_fd < 0)
		return;
	/* epoll refuses regular files and /dev/null (EPERM): no input then. */
	if (event_loop_add_fd(chr->el, chr->in_fd, EPOLLIN, chardev_readable,
			      chr) == 0)
		chr->input_watched = true;
}

void chardev_input_resume(struct chardev *chr)
{
	if (chr->input_watched)
		event_loop_mod_fd(chr->el, chr->in_fd, EPOLLIN);
}
