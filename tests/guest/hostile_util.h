// SPDX-License-Identifier: MIT
/*
 * What the hostile runner (hostile.c) offers its attacks: the virtio-mem
 * device set up with a baseline (the first blocks plugged and patterned),
 * and a way to tell the runner's health check how much memory the attack
 * leaves plugged. CPL3, BSP.
 */
#ifndef GUEST_HOSTILE_UTIL_H
#define GUEST_HOSTILE_UTIL_H

#include <stdint.h>

#include "virtio_mem.h"

#define HOSTILE_BASE_BLOCKS 4      /* plugged at the region start */
#define HOSTILE_PLUGGED_UNKNOWN UINT64_MAX

/*
 * The virtio-mem device as the runner left it before the attack: probed,
 * polled (no interrupts), DRIVER_OK, HOSTILE_BASE_BLOCKS blocks plugged
 * at cfg.addr with the page pattern; or NULL if there is none. An attack
 * may break it: the runner resets and re-probes it afterwards.
 */
struct vmem *hostile_vmem(void);

/*
 * Tells the health check the plugged_size the attack leaves behind
 * (default: the baseline). HOSTILE_PLUGGED_UNKNOWN checks only that
 * plugged_size agrees with the blocks' STATE answers.
 */
void hostile_expect_plugged(uint64_t bytes);

#endif
