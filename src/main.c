// SPDX-License-Identifier: MIT
/*
 * flexvm's entry point: parse the command line, validate it, build the
 * machine, run it, and exit with its status. Nothing else lives here.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sysexits.h>
#include <unistd.h>

#include "config/cmdline.h"
#include "config/machine_config.h"
#include "core/vm.h"
#include "monitor/monitor.h"
#include "util/log.h"

static const char *pidfile_path;

static void remove_pidfile(void)
{
	if (pidfile_path)
		unlink(pidfile_path);
}

/* Like QEMU: create, lock, and write our pid; removed at exit. */
static int write_pidfile(const char *path, struct error *err)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	int len;

	if (fd < 0 || lockf(fd, F_TLOCK, 0) < 0 || ftruncate(fd, 0) < 0) {
		error_setg_errno(err, errno, "cannot create PID file");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	len = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, (size_t)len) != len) {
		error_setg_errno(err, errno, "cannot write PID file");
		close(fd);
		return -1;
	}
	/* The fd stays open so the lock holds for the life of the VM. */
	pidfile_path = path;
	atexit(remove_pidfile);
	return 0;
}

int main(int argc, char **argv)
{
	struct machine_config cfg;
	struct error err = { 0 };
	struct monitor *mon;
	struct vm *vm;
	int ret;

	/* A closed console must not kill the VM: writes just fail. */
	signal(SIGPIPE, SIG_IGN);
	machine_config_init(&cfg);
	ret = cmdline_parse(argc, argv, &cfg, stdout, &err);
	if (ret == 1)
		return 0;
	if (ret < 0 || machine_config_validate(&cfg, &err))
		die("%s", err.msg);
	if (cfg.pidfile && write_pidfile(cfg.pidfile, &err))
		die("%s", err.msg);
	vm = vm_create(&cfg, &err);
	if (!vm)
		die("%s", err.msg);
	mon = monitor_create(vm, &err);	/* may wait for a client (wait=on) */
	if (!mon)
		die("%s", err.msg);
	ret = vm_run(vm);
	monitor_destroy(mon);	/* sends quit's reply and SHUTDOWN first */
	/* Host memory next to guest memory was written: a flexvm bug. */
	if (vm_check_canaries(vm))
		ret = EX_SOFTWARE;
	vm_destroy(vm);
	return ret;
}
