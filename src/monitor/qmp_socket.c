// SPDX-License-Identifier: MIT
/*
 * The file side of a QMP UNIX socket listener (qmp_socket.h): what may be
 * replaced at the path, the mode of the new file, and removing only our
 * own file at exit. qmp_server.c owns the listening fd afterwards. Main
 * thread only.
 */
#include "monitor/qmp_socket.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* QEMU replaces whatever is at the path; flexvm only a socket. */
static int remove_stale(const char *path, struct error *err)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		error_setg_errno(err, ENOTSOCK, "Failed to unlink socket %s",
				 path);
		return -ENOTSOCK;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		error_setg_errno(err, errno, "Failed to unlink socket %s",
				 path);
		return -errno;
	}
	return 0;
}

/*
 * Linux gives the socket file the socket inode's mode (less the umask):
 * set it before bind, so the file is never wider. The backlog is the
 * system's: a burst of clients connecting at once (non-blocking: EAGAIN
 * when it is full) all get in, and wait there while the server is full.
 */
static int bind_and_listen(int fd, const struct sockaddr_un *sa,
			   const char *path, struct error *err)
{
	if (fchmod(fd, 0600) < 0 || remove_stale(path, err) ||
	    bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 ||
	    listen(fd, SOMAXCONN) < 0) {
		if (!error_is_set(err))
			error_setg_errno(err, errno, "Failed to bind socket "
					 "to %s", path);
		return -EINVAL;
	}
	return 0;
}

int qmp_socket_listen(struct qmp_socket_file *f, const char *path,
		      struct error *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, ret;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		error_setg(err, "UNIX socket path '%s' is too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		error_setg_errno(err, -ret, "Failed to create socket");
		return ret;
	}
	ret = bind_and_listen(fd, &sa, path, err);
	if (!ret && stat(path, &st) == 0) {
		f->dev = st.st_dev;
		f->ino = st.st_ino;
	}
	if (!ret) {
		f->path = strdup(path);
		if (!f->path) {
			unlink(path);	/* it could not be removed at exit */
			error_setg(err, "out of memory");
			ret = -ENOMEM;
		}
	}
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

void qmp_socket_remove(struct qmp_socket_file *f)
{
	struct stat st;

	if (f->path && stat(f->path, &st) == 0 && st.st_dev == f->dev &&
	    st.st_ino == f->ino)
		unlink(f->path);
	free(f->path);
	f->path = NULL;
}
