// SPDX-License-Identifier: MIT
/*
 * The file of a QMP UNIX listening socket: created private (0600), a
 * stale socket at the path replaced (nothing else), and removed at exit
 * only while it is still the one flexvm created. Main thread only.
 */
#ifndef FLEXVM_MONITOR_QMP_SOCKET_H
#define FLEXVM_MONITOR_QMP_SOCKET_H

#include <sys/types.h>

#include "util/compiler.h"
#include "util/error.h"

struct qmp_socket_file {
	char *path;	/* NULL: nothing to remove */
	dev_t dev;	/* identity of the file bind() made */
	ino_t ino;
};

/*
 * qmp_socket_listen - a non-blocking, close-on-exec socket listening at
 * @path, its file recorded in @f. A stale socket file at @path is
 * replaced; any other file there is an error ("Failed to unlink socket
 * PATH: Socket operation on non-socket"), as are a path too long for
 * sockaddr_un and a failed bind, each in one QEMU-like line in @err.
 * Returns the fd, or a negative errno (nothing left open).
 */
int qmp_socket_listen(struct qmp_socket_file *f, const char *path,
		      struct error *err) __must_check;

/*
 * qmp_socket_remove - unlink @f's file if the path still names the file
 * qmp_socket_listen() created (another flexvm may have taken the path
 * over since), and forget it. Safe on a zeroed @f and to call twice.
 */
void qmp_socket_remove(struct qmp_socket_file *f);

#endif
