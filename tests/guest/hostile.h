// SPDX-License-Identifier: MIT
/*
 * Hostile-guest attacks (scenario=hostile): each attack abuses one device
 * interface the way a malicious driver could, then reports whether the
 * device answered as the spec prescribes. hostile.c runs them and, after
 * each one, checks that the other devices still work.
 */
#ifndef GUEST_HOSTILE_H
#define GUEST_HOSTILE_H

#include <stdbool.h>

/*
 * One attack. run() returns 0 when the device behaved as the spec says
 * (the request was answered correctly, or the device set
 * DEVICE_NEEDS_RESET), and non-zero after printing a FAIL: line otherwise.
 * An attack may leave its device broken: the runner resets the device
 * before its health check.
 */
struct hostile_attack {
	const char *name;    /* kebab-case, unique, used by attack=<name> */
	const char *what;    /* one line for the report */
	int (*run)(void);
};

/* Attacks through the virtqueues and virtio-mem requests (hostile_virtio.c). */
extern const struct hostile_attack hostile_virtio_attacks[];
extern const unsigned int hostile_virtio_count;

/* Attacks on PCI config space, BARs, MSI-X and virtio-pci registers (hostile_pci.c). */
extern const struct hostile_attack hostile_pci_attacks[];
extern const unsigned int hostile_pci_count;

#endif
