// SPDX-License-Identifier: MIT
/*
 * Unit tests for machine_config_validate()'s -smp topology: QEMU's rules
 * for omitted values, the mismatch errors and the 255-CPU limit.
 * Expected messages are qemu-system-x86_64 7.2's for the same input
 * (machine name 'pc' where QEMU says 'pc-i440fx-7.2').
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "machine_config_test_util.h"

static void test_machine_config_smp_checked_before_memory(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.ram_size = GiB;
	cfg.maxmem = 512 * MiB;
	cfg.has_maxmem = true;
	cfg.smp.cpus = 300;
	assert_invalid(&cfg, "Invalid SMP CPUs 300. The max CPUs supported "
		       "by machine 'pc' is 255");
}

static void test_machine_config_no_smp_keeps_nr_cpus(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.nr_cpus = 4;
	assert_valid(&cfg);
	assert_int_equal(cfg.nr_cpus, 4);
	assert_int_equal(cfg.max_cpus, 4);
	assert_int_equal(cfg.cpu_cores, 4);
	assert_int_equal(cfg.cpu_sockets, 1);
}

/* The default config plus "-smp" as @smp, validated successfully. */
static void validate_smp(struct machine_config *cfg, struct smp_config smp)
{
	config_with_kernel(cfg);
	cfg->smp = smp;
	assert_valid(cfg);
}

static void assert_smp_invalid(struct smp_config smp, const char *msg)
{
	struct machine_config cfg;

	config_with_kernel(&cfg);
	cfg.smp = smp;
	assert_invalid(&cfg, msg);
}

static void test_machine_config_smp_cpus_prefers_cores(void **state)
{
	struct machine_config cfg;

	(void)state;
	validate_smp(&cfg, (struct smp_config){ .cpus = 4 });
	assert_int_equal(cfg.nr_cpus, 4);
	assert_int_equal(cfg.max_cpus, 4);
	assert_int_equal(cfg.cpu_sockets, 1);
	assert_int_equal(cfg.cpu_dies, 1);
	assert_int_equal(cfg.cpu_cores, 4);
	assert_int_equal(cfg.cpu_threads, 1);
}

static void test_machine_config_smp_topology_gives_cpus(void **state)
{
	struct machine_config cfg;

	(void)state;
	/* -smp sockets=2,cores=2 */
	validate_smp(&cfg, (struct smp_config){ .sockets = 2, .cores = 2 });
	assert_int_equal(cfg.nr_cpus, 4);
	assert_int_equal(cfg.max_cpus, 4);
}

static void test_machine_config_smp_zero_cpus_is_omitted(void **state)
{
	struct machine_config cfg;

	(void)state;
	/* -smp cpus=0,sockets=2: 2 CPUs */
	validate_smp(&cfg, (struct smp_config){ .cpus = 0, .sockets = 2 });
	assert_int_equal(cfg.nr_cpus, 2);
}

static void test_machine_config_smp_maxcpus_above_cpus(void **state)
{
	struct machine_config cfg;

	(void)state;
	validate_smp(&cfg, (struct smp_config){ .cpus = 2, .maxcpus = 4 });
	assert_int_equal(cfg.nr_cpus, 2);
	assert_int_equal(cfg.max_cpus, 4);
	assert_int_equal(cfg.cpu_cores, 4);
}

static void test_machine_config_smp_dies(void **state)
{
	struct machine_config cfg;

	(void)state;
	validate_smp(&cfg, (struct smp_config){ .cpus = 8, .dies = 2 });
	assert_int_equal(cfg.cpu_dies, 2);
	assert_int_equal(cfg.cpu_cores, 4);
}

static void test_machine_config_smp_product_mismatch_fails(void **state)
{
	(void)state;
	assert_smp_invalid((struct smp_config){ .cpus = 4, .sockets = 3 },
			   "Invalid CPU topology: product of the hierarchy "
			   "must match maxcpus: sockets (3) * dies (1) * "
			   "cores (1) * threads (1) != maxcpus (4)");
}

static void test_machine_config_smp_threads_mismatch_fails(void **state)
{
	(void)state;
	assert_smp_invalid((struct smp_config){ .cpus = 3, .threads = 2 },
			   "Invalid CPU topology: product of the hierarchy "
			   "must match maxcpus: sockets (1) * dies (1) * "
			   "cores (1) * threads (2) != maxcpus (3)");
}

static void test_machine_config_smp_maxcpus_below_cpus_fails(void **state)
{
	(void)state;
	assert_smp_invalid((struct smp_config){ .cpus = 4, .maxcpus = 2 },
			   "Invalid CPU topology: maxcpus must be equal to "
			   "or greater than smp: sockets (1) * dies (1) * "
			   "cores (2) * threads (1) == maxcpus (2) < "
			   "smp_cpus (4)");
}

static void test_machine_config_smp_too_many_cpus_fails(void **state)
{
	(void)state;
	assert_smp_invalid((struct smp_config){ .cpus = 256 },
			   "Invalid SMP CPUs 256. The max CPUs supported by "
			   "machine 'pc' is 255");
}

static void test_machine_config_smp_255_cpus_ok(void **state)
{
	struct machine_config cfg;

	(void)state;
	validate_smp(&cfg, (struct smp_config){ .cpus = 255 });
	assert_int_equal(cfg.nr_cpus, 255);
}

static void test_machine_config_smp_maxcpus_limit_fails(void **state)
{
	(void)state;
	assert_smp_invalid((struct smp_config){ .cpus = 2, .maxcpus = 300 },
			   "Invalid SMP CPUs 300. The max CPUs supported by "
			   "machine 'pc' is 255");
}

static void test_machine_config_smp_clusters_fail(void **state)
{
	(void)state;
	assert_smp_invalid((struct smp_config){ .cpus = 2, .clusters = 2 },
			   "clusters not supported by this machine's CPU "
			   "topology");
}

static void test_machine_config_smp_one_cluster_ok(void **state)
{
	struct machine_config cfg;

	(void)state;
	validate_smp(&cfg, (struct smp_config){ .cpus = 2, .clusters = 1 });
	assert_int_equal(cfg.nr_cpus, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_machine_config_smp_checked_before_memory),
		cmocka_unit_test(test_machine_config_no_smp_keeps_nr_cpus),
		cmocka_unit_test(test_machine_config_smp_cpus_prefers_cores),
		cmocka_unit_test(test_machine_config_smp_topology_gives_cpus),
		cmocka_unit_test(test_machine_config_smp_zero_cpus_is_omitted),
		cmocka_unit_test(test_machine_config_smp_maxcpus_above_cpus),
		cmocka_unit_test(test_machine_config_smp_dies),
		cmocka_unit_test(
			test_machine_config_smp_product_mismatch_fails),
		cmocka_unit_test(
			test_machine_config_smp_threads_mismatch_fails),
		cmocka_unit_test(
			test_machine_config_smp_maxcpus_below_cpus_fails),
		cmocka_unit_test(test_machine_config_smp_too_many_cpus_fails),
		cmocka_unit_test(test_machine_config_smp_255_cpus_ok),
		cmocka_unit_test(test_machine_config_smp_maxcpus_limit_fails),
		cmocka_unit_test(test_machine_config_smp_clusters_fail),
		cmocka_unit_test(test_machine_config_smp_one_cluster_ok),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
