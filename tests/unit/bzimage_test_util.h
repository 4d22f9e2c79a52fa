// SPDX-License-Identifier: MIT
/*
 * The fixture of the bzimage tests: a synthetic relocatable protocol 2.15
 * bzImage built byte by byte, loaded into the guest RAM of
 * boot_test_util.h. Shared by test_bzimage, test_bzimage_refusals and
 * test_boot_load; include it after <cmocka.h>. Single-threaded.
 */
#ifndef FLEXVM_TESTS_BZIMAGE_TEST_UTIL_H
#define FLEXVM_TESTS_BZIMAGE_TEST_UTIL_H

#include "boot/bzimage.h"
#include "boot_test_util.h"

#define SETUP_SECTS 4
#define SETUP_SIZE ((SETUP_SECTS + 1) * 512)
#define CODE_SIZE 8192
#define IMAGE_SIZE (SETUP_SIZE + CODE_SIZE)
#define ZP 0x7000		/* zero page */
#define NAME "vmlinuz-test"

static uint8_t image[IMAGE_SIZE];

static inline void put16(uint8_t *b, size_t off, uint16_t v)
{
	b[off] = (uint8_t)v;
	b[off + 1] = (uint8_t)(v >> 8);
}

static inline void put32(uint8_t *b, size_t off, uint32_t v)
{
	put16(b, off, (uint16_t)v);
	put16(b, off + 2, (uint16_t)(v >> 16));
}

static inline void put64(uint8_t *b, size_t off, uint64_t v)
{
	put32(b, off, (uint32_t)v);
	put32(b, off + 4, (uint32_t)(v >> 32));
}

/* A relocatable protocol 2.15 kernel: 8 MiB init_size, runs at 16 MiB. */
static inline void make_image(void)
{
	memset(image, 0, sizeof(image));
	image[0x1ef] = 0xff;			/* sentinel: must not be copied */
	image[0x1f1] = SETUP_SECTS;
	put16(image, 0x1fa, 0xffff);		/* vid_mode */
	put16(image, 0x1fe, 0xaa55);		/* boot_flag */
	image[0x200] = 0xeb;			/* jmp short ... */
	image[0x201] = 0x6a;			/* header ends at 0x26c */
	memcpy(image + 0x202, "HdrS", 4);
	put16(image, 0x206, 0x020f);		/* version 2.15 */
	image[0x211] = 0x01;			/* LOADED_HIGH */
	put32(image, 0x22c, 0x7fffffff);	/* initrd_addr_max */
	put32(image, 0x230, 0x200000);		/* kernel_alignment */
	image[0x234] = 1;			/* relocatable_kernel */
	put16(image, 0x236, 0x0001);		/* XLF_KERNEL_64 */
	put32(image, 0x238, 2047);		/* cmdline_size */
	put64(image, 0x258, 0x1000000);		/* pref_address */
	put32(image, 0x260, 0x800000);		/* init_size */
	put32(image, 0x264, 0x190);		/* handover_offset */
	image[0x270] = 0x5a;			/* past the header */
	for (size_t i = 0; i < CODE_SIZE; i++)
		image[SETUP_SIZE + i] = (uint8_t)(i * 7 + 1);
}

static inline int setup(void **state)
{
	(void)state;
	make_image();
	return boot_ram_setup(NAME, image, IMAGE_SIZE, "console=ttyS0");
}

static inline int load(void)
{
	return bzimage_load(&gm, &mm, &pl, &bi, &err);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, boot_ram_teardown)

#endif /* FLEXVM_TESTS_BZIMAGE_TEST_UTIL_H */
