// SPDX-License-Identifier: MIT
/*
 * QMP commands about the machine as a whole: negotiation, the query-*
 * family, and the run-state commands (stop, cont, system_reset, quit).
 * Replies are built in QAPI member order so that the formatter prints
 * them in QEMU's order. Main thread, dm_lock held.
 */
#include <string.h>
#include <json-c/json.h>

#include "core/vcpu.h"
#include "core/vm.h"
#include "monitor/monitor.h"
#include "monitor/qmp_cmds.h"
#include "monitor/qmp_server.h"

#if __has_include("flexvm-version.h")
#include "flexvm-version.h"
#endif
#ifndef FLEXVM_VERSION
#define FLEXVM_VERSION "0.1.0"
#endif

static struct vm *mon_vm(void *opaque)
{
	return ((struct monitor *)opaque)->vm;
}

static struct json_object *add(struct json_object *obj, const char *key,
			       struct json_object *val)
{
	json_object_object_add(obj, key, val);
	return obj;
}

static struct json_object *qmp_capabilities(void *opaque, void *client,
					    struct json_object *args,
					    struct error *err)
{
	struct json_object *enable = json_object_object_get(args, "enable");
	size_t n = enable ? json_object_array_length(enable) : 0;

	(void)opaque;
	/* QEMU's order: the enum check (marshaller), then the handler. */
	for (size_t i = 0; i < n; i++) {
		const char *cap = json_object_get_string(
			json_object_array_get_idx(enable, i));

		if (strcmp(cap, "oob")) {
			error_setg(err, "Parameter 'enable[%zu]' does not "
				   "accept value '%s'", i, cap);
			return NULL;
		}
	}
	if (qmp_client_negotiated(client)) {
		error_set(err, ERROR_CLASS_COMMAND_NOT_FOUND,
			  "Capabilities negotiation is already complete, "
			  "command ignored");
		return NULL;
	}
	if (n) {	/* flexvm runs every command in order: no OOB */
		error_setg(err, "Capability 'oob' not available");
		return NULL;
	}
	qmp_client_set_negotiated(client);
	return json_object_new_object();
}

struct json_object *qmp_cmds_version(void)
{
	struct json_object *triple = json_object_new_object();
	struct json_object *ver = json_object_new_object();

	add(triple, "major", json_object_new_int(MONITOR_QEMU_MAJOR));
	add(triple, "minor", json_object_new_int(MONITOR_QEMU_MINOR));
	add(triple, "micro", json_object_new_int(MONITOR_QEMU_MICRO));
	add(ver, "qemu", triple);
	return add(ver, "package",
		   json_object_new_string("flexvm " FLEXVM_VERSION));
}

static struct json_object *query_version(void *opaque, void *client,
					 struct json_object *args,
					 struct error *err)
{
	(void)opaque, (void)client, (void)args, (void)err;
	return qmp_cmds_version();
}

static void list_command(const struct qmp_command *cmd, void *arg)
{
	struct json_object *info = json_object_new_object();

	add(info, "name", json_object_new_string(cmd->name));
	json_object_array_add(arg, info);
}

static struct json_object *query_commands(void *opaque, void *client,
					  struct json_object *args,
					  struct error *err)
{
	struct monitor *mon = opaque;
	struct json_object *list = json_object_new_array();

	(void)client, (void)args, (void)err;
	qmp_dispatch_foreach(&mon->dispatcher, list_command, list);
	return list;
}

static struct json_object *query_status(void *opaque, void *client,
					struct json_object *args,
					struct error *err)
{
	struct vm *vm = mon_vm(opaque);
	struct json_object *st = json_object_new_object();

	(void)client, (void)args, (void)err;
	add(st, "running",
	    json_object_new_boolean(vm->runstate == RUNSTATE_RUNNING));
	add(st, "singlestep", json_object_new_boolean(false));
	return add(st, "status", json_object_new_string(
		   vm_runstate_name(vm->runstate)));
}

static struct json_object *query_name(void *opaque, void *client,
				      struct json_object *args,
				      struct error *err)
{
	struct vm *vm = mon_vm(opaque);
	struct json_object *info = json_object_new_object();

	(void)client, (void)args, (void)err;
	if (vm->cfg->name)
		add(info, "name", json_object_new_string(vm->cfg->name));
	return info;
}

static struct json_object *query_kvm(void *opaque, void *client,
				     struct json_object *args,
				     struct error *err)
{
	struct json_object *info = json_object_new_object();

	(void)opaque, (void)client, (void)args, (void)err;
	add(info, "enabled", json_object_new_boolean(true));
	return add(info, "present", json_object_new_boolean(true));
}

/* QEMU's x86 CpuInstanceProperties: die-id only with several dies. */
static struct json_object *cpu_props(const struct machine_config *cfg,
				     unsigned index)
{
	unsigned threads = cfg->cpu_threads ? cfg->cpu_threads : 1;
	unsigned cores = cfg->cpu_cores ? cfg->cpu_cores : 1;
	unsigned dies = cfg->cpu_dies ? cfg->cpu_dies : 1;
	struct json_object *p = json_object_new_object();

	add(p, "socket-id", json_object_new_int(
	    (int)(index / (threads * cores * dies))));
	if (dies > 1)
		add(p, "die-id", json_object_new_int(
		    (int)(index / (threads * cores) % dies)));
	add(p, "core-id", json_object_new_int((int)(index / threads % cores)));
	return add(p, "thread-id", json_object_new_int((int)(index % threads)));
}

static struct json_object *query_cpus_fast(void *opaque, void *client,
					   struct json_object *args,
					   struct error *err)
{
	struct vm *vm = mon_vm(opaque);
	struct json_object *list = json_object_new_array();
	char path[64];

	(void)client, (void)args, (void)err;
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct json_object *cpu = json_object_new_object();

		snprintf(path, sizeof(path), "/machine/unattached/device[%u]",
			 i);
		add(cpu, "cpu-index", json_object_new_int((int)i));
		add(cpu, "qom-path", json_object_new_string(path));
		add(cpu, "thread-id", json_object_new_int(vm->vcpus[i]->tid));
		add(cpu, "props", cpu_props(vm->cfg, i));
		add(cpu, "target", json_object_new_string("x86_64"));
		json_object_array_add(list, cpu);
	}
	return list;
}

static struct json_object *stop(void *opaque, void *client,
				struct json_object *args, struct error *err)
{
	(void)client, (void)args, (void)err;
	vm_stop(mon_vm(opaque));
	return json_object_new_object();
}

static struct json_object *cont(void *opaque, void *client,
				struct json_object *args, struct error *err)
{
	(void)client, (void)args, (void)err;
	vm_cont(mon_vm(opaque));
	return json_object_new_object();
}

static struct json_object *system_reset(void *opaque, void *client,
					struct json_object *args,
					struct error *err)
{
	(void)client, (void)args, (void)err;
	vm_system_reset(mon_vm(opaque), VM_CAUSE_HOST_QMP_SYSTEM_RESET);
	return json_object_new_object();
}

/* SHUTDOWN goes out first, then this reply; the loop ends after it. */
static struct json_object *quit(void *opaque, void *client,
				struct json_object *args, struct error *err)
{
	(void)client, (void)args, (void)err;
	vm_shutdown(mon_vm(opaque), VM_CAUSE_HOST_QMP_QUIT, 0);
	return json_object_new_object();
}

static const struct qmp_arg caps_args[] = {
	{ "enable", QMP_ARG_STR_LIST, true },
	{ NULL },
};

const struct qmp_command qmp_cmds_machine[] = {
	{ "qmp_capabilities", qmp_capabilities, caps_args, true },
	{ "query-version", query_version, NULL, false },
	{ "query-commands", query_commands, NULL, false },
	{ "query-status", query_status, NULL, false },
	{ "query-name", query_name, NULL, false },
	{ "query-kvm", query_kvm, NULL, false },
	{ "query-cpus-fast", query_cpus_fast, NULL, false },
	{ "stop", stop, NULL, false },
	{ "cont", cont, NULL, false },
	{ "system_reset", system_reset, NULL, false },
	{ "quit", quit, NULL, false },
	{ NULL },
};
