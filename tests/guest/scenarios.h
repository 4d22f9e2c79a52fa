// SPDX-License-Identifier: MIT
/*
 * The scenario functions, one per "scenario=" name (table in main.c).
 * Each returns the exit code it wants; main.c turns any FAIL line into a
 * non-zero code even if the scenario returned 0.
 */
#ifndef GUEST_SCENARIOS_H
#define GUEST_SCENARIOS_H

/* scenarios_basic.c */
int scenario_hello(void);
int scenario_exit(void);
int scenario_reboot(void);
int scenario_triple(void);
int scenario_echo(void);
int scenario_rtc(void);

/* scenarios_cpu.c */
int scenario_selftest(void);
int scenario_fault(void);

/* smp.c */
int scenario_smp(void);

/* scenarios_pci.c, virtio_rng.c, memtest.c */
int scenario_pci(void);
int scenario_rng(void);
int scenario_memtest(void);

/* scenarios_vmem.c */
int scenario_vmem(void);

/* hostile.c */
int scenario_hostile(void);

#endif
