// SPDX-License-Identifier: MIT
/*
 * The monitor: opens the endpoints of the machine config, registers the
 * command tables, builds the machine's QOM objects, turns the VM's
 * run-state changes into QMP events, and rate-limits device events.
 * Created on the main thread before vm_run(); everything after runs on
 * the main loop with dm_lock held.
 */
#include "monitor/monitor.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <json-c/json.h>

#include "core/vm.h"
#include "monitor/qmp_cmds.h"
#include "monitor/qmp_server.h"
#include "monitor/qom.h"
#include "util/log.h"

/* How long quit's reply and the SHUTDOWN event may take to go out. */
#define MONITOR_FLUSH_MS 1000

struct monitor_ratelimit {
	struct monitor_ratelimit *next;
	struct monitor *mon;
	char *name;
	char *key;
	struct qmp_throttle throttle;
	struct event_timer *timer;
};

static struct json_object *event_build(const char *name,
				       struct json_object *data)
{
	struct json_object *ev = json_object_new_object();
	struct json_object *ts = json_object_new_object();
	struct timeval tv;

	gettimeofday(&tv, NULL);
	json_object_object_add(ev, "event", json_object_new_string(name));
	if (data)
		json_object_object_add(ev, "data", data);
	json_object_object_add(ts, "seconds", json_object_new_int64(tv.tv_sec));
	json_object_object_add(ts, "microseconds",
			       json_object_new_int64(tv.tv_usec));
	json_object_object_add(ev, "timestamp", ts);
	return ev;
}

void qmp_event_emit(struct monitor *mon, const char *name,
		    struct json_object *data)
{
	struct json_object *ev;

	if (!mon) {
		json_object_put(data);
		return;
	}
	ev = event_build(name, data);
	for (unsigned i = 0; i < mon->nr_servers; i++)
		qmp_server_broadcast(mon->servers[i], ev);
	json_object_put(ev);
}

static void ratelimit_expired(void *opaque)
{
	struct monitor_ratelimit *rl = opaque;
	uint64_t arm = 0;
	struct json_object *data = qmp_throttle_expire(&rl->throttle, &arm);

	if (data)
		qmp_event_emit(rl->mon, rl->name, data);
	if (arm && event_loop_mod_timer(rl->timer, arm))
		log_warn("cannot arm the %s rate limit timer", rl->name);
}

static struct monitor_ratelimit *ratelimit_get(struct monitor *mon,
					       const char *name,
					       const char *key,
					       unsigned period_ms)
{
	struct monitor_ratelimit *rl;

	for (rl = mon->ratelimits; rl; rl = rl->next)
		if (!strcmp(rl->name, name) && !strcmp(rl->key, key))
			return rl;
	rl = calloc(1, sizeof(*rl));
	if (!rl)
		return NULL;
	rl->mon = mon;
	rl->name = strdup(name);
	rl->key = strdup(key);
	rl->throttle.period_ns = period_ms * 1000000ull;
	rl->timer = event_loop_add_timer(mon->vm->loop, ratelimit_expired,
					 rl);
	if (!rl->name || !rl->key || !rl->timer) {
		event_loop_del_timer(rl->timer);
		free(rl->name);
		free(rl->key);
		free(rl);
		return NULL;
	}
	rl->next = mon->ratelimits;
	mon->ratelimits = rl;
	return rl;
}

void qmp_event_emit_ratelimited(struct monitor *mon, const char *name,
				const char *key, unsigned period_ms,
				struct json_object *data)
{
	struct monitor_ratelimit *rl;
	uint64_t arm = 0;

	if (!mon) {
		json_object_put(data);
		return;
	}
	rl = ratelimit_get(mon, name, key, period_ms);
	if (!rl) {	/* no memory for a limiter: do not lose the event */
		qmp_event_emit(mon, name, data);
		return;
	}
	data = qmp_throttle_offer(&rl->throttle, data, &arm);
	if (data)
		qmp_event_emit(mon, name, data);
	if (arm && event_loop_mod_timer(rl->timer, arm))
		log_warn("cannot arm the %s rate limit timer", name);
}

static void ratelimits_free(struct monitor *mon)
{
	struct monitor_ratelimit *rl;

	while ((rl = mon->ratelimits)) {
		mon->ratelimits = rl->next;
		qmp_throttle_clear(&rl->throttle);
		event_loop_del_timer(rl->timer);
		free(rl->name);
		free(rl->key);
		free(rl);
	}
}

static struct json_object *cause_data(const struct vm_event *ev)
{
	struct json_object *data = json_object_new_object();

	json_object_object_add(data, "guest",
			       json_object_new_boolean(ev->guest));
	json_object_object_add(data, "reason", json_object_new_string(
			       vm_cause_name(ev->cause)));
	return data;
}

/* QEMU's MEMORY_DEVICE_SIZE_CHANGE: 1 per second per device, last wins. */
static void memory_size_event(struct monitor *mon, const struct vm_event *ev)
{
	struct json_object *data = json_object_new_object();

	if (ev->id)
		json_object_object_add(data, "id",
				       json_object_new_string(ev->id));
	json_object_object_add(data, "size", json_object_new_uint64(ev->size));
	json_object_object_add(data, "qom-path",
			       json_object_new_string(ev->qom_path));
	qmp_event_emit_ratelimited(mon, "MEMORY_DEVICE_SIZE_CHANGE",
				   ev->qom_path, 1000, data);
}

static void on_vm_event(void *opaque, const struct vm_event *ev)
{
	struct monitor *mon = opaque;

	switch (ev->kind) {
	case VM_EVENT_STOP:
		qmp_event_emit(mon, "STOP", NULL);
		break;
	case VM_EVENT_RESUME:
		qmp_event_emit(mon, "RESUME", NULL);
		break;
	case VM_EVENT_RESET:
		qmp_event_emit(mon, "RESET", cause_data(ev));
		break;
	case VM_EVENT_SHUTDOWN:
		qmp_event_emit(mon, "SHUTDOWN", cause_data(ev));
		mon->stopped = true;	/* QEMU runs no command after it */
		break;
	case VM_EVENT_MEMORY_SIZE_CHANGE:
		memory_size_event(mon, ev);
		break;
	}
}

static void monitor_remove_listener(struct monitor *mon)
{
	struct vm *vm = mon->vm;

	for (unsigned i = 0; i < vm->nr_listeners; i++) {
		if (vm->listeners[i].opaque != mon)
			continue;
		memmove(&vm->listeners[i], &vm->listeners[i + 1],
			(vm->nr_listeners - i - 1) * sizeof(vm->listeners[0]));
		vm->nr_listeners--;
		return;
	}
}

static int debug_exit_get(struct qom_object *obj, void *opaque,
			  struct qom_value *out, struct error *err)
{
	(void)obj;
	(void)err;
	out->type = QOM_TYPE_UINT;
	out->u = *(const uint16_t *)opaque;
	return 0;
}

/* isa-debug-exit is built by the core, not by -device code: add it here. */
static int monitor_add_debug_exit(const struct machine_config *cfg,
				  struct error *err)
{
	const struct qom_prop props[] = {
		{ "iosize", "uint32", QOM_TYPE_UINT, debug_exit_get, NULL,
		  (void *)&cfg->debug_exit_iosize },
		{ "iobase", "uint32", QOM_TYPE_UINT, debug_exit_get, NULL,
		  (void *)&cfg->debug_exit_iobase },
	};
	char path[128];

	if (!cfg->debug_exit || !cfg->debug_exit_id[0])
		return 0;
	snprintf(path, sizeof(path), "/machine/peripheral/%s",
		 cfg->debug_exit_id);
	return qom_add(path, "isa-debug-exit", props, ARRAY_SIZE(props), err)
	       ? 0 : -EINVAL;
}

static int machine_get_str(struct qom_object *obj, void *opaque,
			   struct qom_value *out, struct error *err)
{
	const char *const *field = opaque;

	(void)obj;
	(void)err;
	out->type = QOM_TYPE_STR;
	out->s = *field ? *field : "";
	return 0;
}

/*
 * QEMU 7.2's pc machine shows about fifty properties; flexvm shows the
 * boot ones it has, read-only, and the containers devices hang under.
 */
static int monitor_build_qom(struct monitor *mon, struct error *err)
{
	const struct machine_config *cfg = mon->vm->cfg;
	const struct qom_prop machine_props[] = {
		{ "kernel", "string", QOM_TYPE_STR, machine_get_str, NULL,
		  (void *)&cfg->kernel },
		{ "initrd", "string", QOM_TYPE_STR, machine_get_str, NULL,
		  (void *)&cfg->initrd },
		{ "append", "string", QOM_TYPE_STR, machine_get_str, NULL,
		  (void *)&cfg->append },
	};
	static const char *const containers[] = {
		"/machine/peripheral", "/machine/peripheral-anon",
		"/machine/unattached", "/objects",
	};
	char path[64], type[64];

	if (!qom_add("/machine", MONITOR_MACHINE_TYPE, machine_props,
		     ARRAY_SIZE(machine_props), err))
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(containers); i++) {
		/* Devices built earlier may have made them already. */
		if (!qom_resolve(containers[i]) &&
		    !qom_add(containers[i], "container", NULL, 0, err))
			return -EINVAL;
	}
	if (monitor_add_debug_exit(cfg, err))
		return -EINVAL;
	snprintf(type, sizeof(type), "%s-x86_64-cpu", cfg->cpu_model);
	for (unsigned i = 0; i < mon->vm->nr_vcpus; i++) {
		snprintf(path, sizeof(path), "/machine/unattached/device[%u]",
			 i);
		if (!qom_add(path, type, NULL, 0, err))
			return -EINVAL;
	}
	return 0;
}

static struct json_object *monitor_greeting(void)
{
	struct json_object *qmp = json_object_new_object();
	struct json_object *greeting = json_object_new_object();

	json_object_object_add(qmp, "version", qmp_cmds_version());
	/* No "oob": flexvm runs every command in order. */
	json_object_object_add(qmp, "capabilities", json_object_new_array());
	json_object_object_add(greeting, "QMP", qmp);
	return greeting;
}

static int monitor_open(struct monitor *mon, const struct monitor_config *mc,
			struct error *err)
{
	struct qmp_server_config scfg = {
		.loop = mon->vm->loop, .dispatcher = &mon->dispatcher,
		.greeting = mon->greeting, .stopped = &mon->stopped,
		.pretty = mc->pretty,
	};
	struct qmp_server *s;

	if (mc->backend == MONITOR_BACKEND_STDIO)
		s = qmp_server_open_fds(&scfg, 0, 1, err);
	else
		s = qmp_server_listen(&scfg, mc->path, err);
	if (!s) {
		error_prepend(err, "%s %s: ", mc->opt, mc->text);
		return -EINVAL;
	}
	mon->servers[mon->nr_servers++] = s;
	if (mc->backend != MONITOR_BACKEND_UNIX || !mc->wait)
		return 0;
	/* QEMU's words, so scripts that wait for them keep working. */
	log_error("%s %s: info: QEMU waiting for connection on: "
		  "disconnected:unix:%s,server=on", mc->opt, mc->text,
		  mc->path);
	if (qmp_server_accept_blocking(s)) {
		error_setg_errno(err, errno, "%s %s: cannot accept", mc->opt,
				 mc->text);
		return -EINVAL;
	}
	return 0;
}

struct monitor *monitor_create(struct vm *vm, struct error *err)
{
	struct monitor *mon = calloc(1, sizeof(*mon));

	if (!mon) {
		error_setg(err, "out of memory");
		return NULL;
	}
	mon->vm = vm;
	qmp_dispatch_init(&mon->dispatcher, mon);
	mon->greeting = monitor_greeting();
	if (!mon->greeting ||
	    qmp_dispatch_add_table(&mon->dispatcher, qmp_cmds_machine) ||
	    qmp_dispatch_add_table(&mon->dispatcher, qmp_cmds_qom) ||
	    qmp_dispatch_add_table(&mon->dispatcher, qmp_cmds_pci) ||
	    qmp_dispatch_add_table(&mon->dispatcher, qmp_cmds_memory) ||
	    qmp_dispatch_add_table(&mon->dispatcher, qmp_cmds_hmp) ||
	    vm_add_listener(vm, on_vm_event, mon)) {
		error_setg(err, "cannot set up the monitor");
		goto fail;
	}
	vm->monitor = mon;
	if (monitor_build_qom(mon, err))
		goto fail;
	for (unsigned i = 0; i < vm->cfg->nr_monitors; i++)
		if (monitor_open(mon, &vm->cfg->monitors[i], err))
			goto fail;
	return mon;
fail:
	monitor_destroy(mon);
	return NULL;
}

void monitor_destroy(struct monitor *mon)
{
	if (!mon)
		return;
	for (unsigned i = 0; i < mon->nr_servers; i++)
		qmp_server_destroy(mon->servers[i], MONITOR_FLUSH_MS);
	ratelimits_free(mon);
	json_object_put(mon->greeting);
	qom_reset_tree();
	if (mon->vm->monitor == mon)
		mon->vm->monitor = NULL;
	monitor_remove_listener(mon);
	free(mon);
}

int monitor_add_commands(struct monitor *mon, const struct qmp_command *table)
{
	return qmp_dispatch_add_table(&mon->dispatcher, table);
}
