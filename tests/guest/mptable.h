// SPDX-License-Identifier: MIT
/*
 * Intel MultiProcessor Specification 1.4 tables, as far as the test guest
 * reads them: the floating pointer, the configuration table header and
 * the processor entries (the CPUs to start in the smp scenario).
 */
#ifndef GUEST_MPTABLE_H
#define GUEST_MPTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "layout.h"

struct mp_cpu {
	uint8_t apic_id;
	bool bsp;
};

struct mp_info {
	uint64_t fp_addr;    /* floating pointer structure */
	uint64_t table_addr; /* configuration table */
	uint32_t lapic_base;
	unsigned int nr_entries; /* all entry types */
	unsigned int nr_cpus;    /* enabled processor entries */
	unsigned int nr_listed;  /* processor entries, enabled or not */
	struct mp_cpu cpu[MAX_CPUS];
};

/* Returns NULL on success, else why no usable table was found. */
const char *mptable_find(struct mp_info *mp);

#endif
