// SPDX-License-Identifier: MIT
/*
 * Stand-ins linked only into the libFuzzer build of fuzz_virtio_pci:
 * virtio_pci.c and virtio_rng.c also hold the -device constructor, the
 * ioeventfd and the QOM glue, which reach the event loop, the option
 * parser and QOM. The harness runs without a loop or vm fd, so none of
 * them may be called: an abort here is a finding. The gcc replay links
 * the real ones from libflexvm.
 */
#include <stdlib.h>

#include "config/opts.h"
#include "core/event_loop.h"
#include "monitor/qom.h"

int event_loop_add_fd(struct event_loop *el, int fd, uint32_t events,
		      event_fd_fn fn, void *opaque)
{
	(void)el, (void)fd, (void)events, (void)fn, (void)opaque;
	abort();
}

void event_loop_del_fd(struct event_loop *el, int fd)
{
	(void)el, (void)fd;
	abort();
}

struct event_timer *event_loop_add_timer(struct event_loop *el,
					 event_call_fn fn, void *opaque)
{
	(void)el, (void)fn, (void)opaque;
	abort();
}

int event_loop_mod_timer(struct event_timer *t, uint64_t delay_ns)
{
	(void)t, (void)delay_ns;
	abort();
}

void event_loop_del_timer(struct event_timer *t)
{
	(void)t;
	abort();
}

const char *opts_get(const struct opts *opts, const char *key)
{
	(void)opts, (void)key;
	abort();
}

const char *opts_find_unknown(const struct opts *opts,
			      const char *const *known)
{
	(void)opts, (void)known;
	abort();
}

struct qom_object *qom_add(const char *path, const char *type_name,
			   const struct qom_prop *props, unsigned nr_props,
			   struct error *err)
{
	(void)path, (void)type_name, (void)props, (void)nr_props, (void)err;
	abort();
}

void qom_remove(const char *path)
{
	(void)path;
	abort();
}
