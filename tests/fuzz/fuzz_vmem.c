// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the virtio-mem request logic (vmem_state +
 * vmem_request): the input picks device parameters, then a sequence of raw
 * or aimed requests, requested-size changes, resets and range queries.
 * After every step it checks the invariants of the device config and that
 * a refused request changed no block. Single-threaded; also run by
 * replay.c over the seed corpus in the unit suite.
 */
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hw/virtio/vmem_state.h"

#include "fuzz.h"

#define MAX_BLOCKS 4096u	/* 64 bitmap words: cheap naive checks */
#define MAX_STEPS 512

struct input {
	const uint8_t *p;
	size_t n;
};

/* Bytes past the end of the input read as zero. */
static uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++) {
		if (in->n) {
			v |= (uint64_t)*in->p << (8 * i);
			in->p++;
			in->n--;
		}
	}
	return v;
}

struct fuzz {
	struct vmem_state st;
	uint64_t before[MAX_BLOCKS / 64];
	bool lowered;		/* requested dropped below plugged */
};

/*
 * The harness reads the private bitmap directly: comparing 64 words is
 * what keeps a step cheap, and the bitmap is the thing under test.
 */
static size_t bitmap_bytes(const struct fuzz *f)
{
	return (f->st.nr_blocks + 63) / 64 * sizeof(uint64_t);
}

static void snapshot(struct fuzz *f)
{
	memcpy(f->before, f->st.bitmap, bitmap_bytes(f));
}

static bool unchanged(const struct fuzz *f)
{
	return !memcmp(f->before, f->st.bitmap, bitmap_bytes(f));
}

/* The config the driver reads says what the state says. */
static void check_config(const struct vmem_state *st)
{
	struct virtio_mem_config cfg;

	vmem_state_get_config(st, 0, &cfg);
	CHECK(le64toh(cfg.block_size) == st->block_size);
	CHECK(le64toh(cfg.addr) == st->addr);
	CHECK(le64toh(cfg.region_size) == st->region_size);
	CHECK(le64toh(cfg.usable_region_size) == st->usable_region_size);
	CHECK(le64toh(cfg.plugged_size) == st->plugged_size);
	CHECK(le64toh(cfg.requested_size) == st->requested_size);
}

static void check_invariants(const struct fuzz *f)
{
	const struct vmem_state *st = &f->st;
	uint64_t n = vmem_state_count_plugged(st, 0, st->nr_blocks);
	uint64_t usable_blocks = st->usable_region_size / st->block_size;

	CHECK(st->plugged_size == n * st->block_size);
	CHECK(st->usable_region_size >= st->requested_size);
	CHECK(st->usable_region_size <= st->region_size);
	CHECK(st->usable_region_size % st->block_size == 0);
	CHECK(st->requested_size % st->block_size == 0);
	CHECK(!vmem_state_any_plugged(st, usable_blocks, st->nr_blocks));
	if (!f->lowered)
		CHECK(st->plugged_size <= st->requested_size);
	check_config(st);
}

/* Builds a request aimed at the region: block index, misalignment, nb. */
static void aimed_request(struct fuzz *f, struct input *in, uint8_t *b)
{
	uint16_t type = (uint16_t)(take(in, 1) % 5);
	int64_t block = (int16_t)take(in, 2);
	uint64_t addr = f->st.addr + (uint64_t)block * f->st.block_size;
	uint16_t nb = (uint16_t)take(in, 2);

	if (type == 4)
		addr += take(in, 1) << 12;	/* usually unaligned */
	memset(b, 0, VMEM_REQ_SIZE);
	b[0] = (uint8_t)(type % 4);
	for (int i = 0; i < 8; i++)
		b[8 + i] = (uint8_t)(addr >> (8 * i));
	b[16] = (uint8_t)nb;
	b[17] = (uint8_t)(nb >> 8);
}

static void check_answer(struct fuzz *f, const uint8_t *b, const uint8_t *resp,
			 uint64_t plugged_before)
{
	uint16_t type = (uint16_t)(b[0] | b[1] << 8);
	uint16_t answer = (uint16_t)(resp[0] | resp[1] << 8);
	uint16_t state = (uint16_t)(resp[8] | resp[9] << 8);

	CHECK(answer <= VIRTIO_MEM_RESP_ERROR);
	CHECK(answer != VIRTIO_MEM_RESP_BUSY);
	if (answer != VIRTIO_MEM_RESP_ACK || type == VIRTIO_MEM_REQ_STATE) {
		CHECK(unchanged(f));
		CHECK(f->st.plugged_size == plugged_before);
	}
	if (answer == VIRTIO_MEM_RESP_NACK)
		CHECK(type == VIRTIO_MEM_REQ_PLUG);
	if (type == VIRTIO_MEM_REQ_PLUG && answer == VIRTIO_MEM_RESP_ACK)
		CHECK(f->st.plugged_size > plugged_before &&
		      f->st.plugged_size <= f->st.requested_size);
	if (type == VIRTIO_MEM_REQ_UNPLUG && answer == VIRTIO_MEM_RESP_ACK)
		CHECK(f->st.plugged_size < plugged_before);
	if (type == VIRTIO_MEM_REQ_UNPLUG_ALL) {
		CHECK(answer == VIRTIO_MEM_RESP_ACK && f->st.plugged_size == 0);
		f->lowered = false;
	}
	CHECK(state <= VIRTIO_MEM_STATE_MIXED);
	if (type != VIRTIO_MEM_REQ_STATE || answer != VIRTIO_MEM_RESP_ACK)
		CHECK(state == 0);
}

/* Length of the virtio_error text, which must name the protocol. */
static int describe(enum vmem_violation v, const uint8_t *b, size_t space)
{
	static const char prefix[] = "virtio-mem protocol violation: ";
	struct vmem_request req = { .type = (uint16_t)(b[0] | b[1] << 8) };
	char msg[128];
	int n = vmem_violation_format(msg, sizeof(msg), v, &req, space);

	CHECK(!strncmp(msg, prefix, sizeof(prefix) - 1));
	return n;
}

static void do_request(struct fuzz *f, struct input *in, bool raw)
{
	uint8_t b[VMEM_REQ_SIZE], resp[VMEM_RESP_SIZE];
	size_t len = VMEM_REQ_SIZE, resp_space = VMEM_RESP_SIZE;
	uint64_t plugged = f->st.plugged_size;
	enum vmem_violation v;

	if (raw) {
		len = take(in, 1) % 32;
		resp_space = take(in, 1) % 16;
		for (unsigned i = 0; i < VMEM_REQ_SIZE; i++)
			b[i] = (uint8_t)take(in, 1);
	} else {
		aimed_request(f, in, b);
	}
	snapshot(f);
	v = vmem_state_handle(&f->st, b, len, resp_space, resp);
	if (v != VMEM_VIOLATION_NONE) {
		CHECK(describe(v, b, resp_space) > 0);
		CHECK(unchanged(f) && f->st.plugged_size == plugged);
		CHECK(len < VMEM_REQ_SIZE || resp_space < VMEM_RESP_SIZE ||
		      (b[0] | b[1] << 8) > VIRTIO_MEM_REQ_STATE);
		return;
	}
	CHECK(len >= VMEM_REQ_SIZE && resp_space >= VMEM_RESP_SIZE);
	check_answer(f, b, resp, plugged);
}

static void do_set_requested(struct fuzz *f, struct input *in)
{
	uint64_t blocks = take(in, 2);
	uint64_t misalign = take(in, 1) == 1 ? 4096 : 0;
	uint64_t size = blocks * f->st.block_size + misalign;
	uint64_t usable = f->st.usable_region_size;
	int ret = vmem_state_set_requested_size(&f->st, size, NULL);

	if (size % f->st.block_size || size > f->st.region_size) {
		CHECK(ret == -EINVAL && f->st.usable_region_size == usable);
		return;
	}
	CHECK(ret == 0 && f->st.requested_size == size);
	CHECK(f->st.usable_region_size >= usable);	/* grow-only */
	if (f->st.plugged_size > size)
		f->lowered = true;
}

struct run_sum {
	uint64_t blocks, runs, last_end;
	bool ordered;
};

static int sum_run(void *opaque, uint64_t first, uint64_t nr)
{
	struct run_sum *s = opaque;

	s->ordered &= nr > 0 && (s->runs == 0 || first > s->last_end);
	s->last_end = first + nr;
	s->blocks += nr;
	s->runs++;
	return 0;
}

/*
 * The reference count, one bit at a time straight from the bitmap. Not
 * instrumented for coverage: its loop holds no state worth exploring,
 * and tracing thousands of compares per step made the harness crawl.
 */
FUZZ_NO_COVERAGE
static uint64_t naive_count(const struct vmem_state *st, uint64_t first,
			    uint64_t end)
{
	uint64_t n = 0;

	for (uint64_t i = first; i < end; i++)
		n += (st->bitmap[i / 64] >> (i % 64)) & 1;
	return n;
}

/* The word-at-a-time helpers against a block-by-block count. */
static void do_ranges(struct fuzz *f, struct input *in)
{
	const struct vmem_state *st = &f->st;
	uint64_t first = take(in, 2) % (MAX_BLOCKS + 64), nr = take(in, 2);
	uint64_t naive, end = MIN(first + nr, st->nr_blocks);
	struct run_sum p = { .ordered = true }, u = { .ordered = true };

	naive = naive_count(st, first, end);
	/* The single-block query agrees with the bitmap at both ends. */
	CHECK(vmem_state_block_plugged(st, first) ==
	      (first < st->nr_blocks && naive_count(st, first, first + 1)));
	if (end > first)
		CHECK(vmem_state_block_plugged(st, end - 1) ==
		      (naive_count(st, end - 1, end) == 1));
	CHECK(vmem_state_count_plugged(st, first, nr) == naive);
	CHECK(vmem_state_any_plugged(st, first, nr) == (naive > 0));
	CHECK(vmem_state_all_plugged(st, first, nr) ==
	      (nr > 0 && first + nr <= st->nr_blocks && naive == nr));
	vmem_state_for_each_run(st, true, first, nr, sum_run, &p);
	vmem_state_for_each_run(st, false, first, nr, sum_run, &u);
	CHECK(p.ordered && u.ordered && p.blocks == naive);
	CHECK(p.blocks + u.blocks == (end > first ? end - first : 0));
}

/*
 * Parameters off the valid grid (any block size, unaligned addr, region or
 * requested size): init must refuse exactly what check_params refuses.
 * The region stays below MAX_BLOCKS + 1 whole blocks.
 */
static void odd_params(struct vmem_params *p, struct input *in,
		       uint64_t nr_blocks)
{
	uint64_t bs = take(in, 4);

	p->block_size = bs;
	p->region_size = nr_blocks * bs + (bs ? (take(in, 2) << 12) % bs : 0);
	p->addr = take(in, 8);
	p->requested_size = take(in, 2) * bs + (take(in, 1) << 12);
}

static bool make_device(struct fuzz *f, struct input *in)
{
	uint8_t mode = (uint8_t)take(in, 1);
	struct error err = { 0 };
	struct vmem_params p;
	uint64_t nr_blocks;
	int ret;

	p.block_size = 1ULL << (20 + (mode & 0x7f) % 12);
	nr_blocks = take(in, 2) % (MAX_BLOCKS + 1);
	p.region_size = nr_blocks * p.block_size;
	p.addr = ALIGN_DOWN(take(in, 8), p.block_size);
	p.requested_size = take(in, 2) % (nr_blocks + 1) * p.block_size;
	if (mode & 0x80)
		odd_params(&p, in, nr_blocks);
	ret = vmem_state_init(&f->st, &p);
	CHECK(ret == vmem_state_check_params(&p, 1, &err));
	if (ret) {
		CHECK(ret == -EINVAL && error_is_set(&err) && err.msg[0]);
		/* On the valid grid only a region wrapping 2^64 is refused. */
		CHECK((mode & 0x80) || p.addr + p.region_size < p.addr);
		return false;
	}
	CHECK(f->st.nr_blocks <= MAX_BLOCKS);
	return true;
}

/* A commit without its check must do exactly what the check allows. */
static void do_direct_commit(struct fuzz *f, struct input *in)
{
	struct vmem_state *st = &f->st;
	uint8_t b[VMEM_REQ_SIZE];
	struct vmem_request req;
	uint64_t plugged = f->st.plugged_size;
	uint16_t check;
	int ret;

	aimed_request(f, in, b);
	if (vmem_request_parse(b, sizeof(b), VMEM_RESP_SIZE, &req))
		abort();
	snapshot(f);
	if (req.type == VIRTIO_MEM_REQ_PLUG) {
		check = vmem_state_check_plug(st, req.addr, req.nb_blocks);
		ret = vmem_state_commit_plug(st, req.addr, req.nb_blocks);
	} else {
		check = vmem_state_check_unplug(st, req.addr, req.nb_blocks);
		ret = vmem_state_commit_unplug(st, req.addr, req.nb_blocks);
	}
	CHECK((ret == 0) == (check == VIRTIO_MEM_RESP_ACK));
	if (ret)
		CHECK(ret == -EINVAL && unchanged(f) &&
		      f->st.plugged_size == plugged);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz f;
	struct input in = { data, size };

	memset(&f, 0, sizeof(f));
	if (!make_device(&f, &in))
		return 0;
	check_invariants(&f);
	for (int step = 0; step < MAX_STEPS && in.n; step++) {
		switch (take(&in, 1) % 7) {
		case 0:
			do_request(&f, &in, true);
			break;
		case 1: case 2:
			do_request(&f, &in, false);
			break;
		case 3:
			do_set_requested(&f, &in);
			break;
		case 4:
			vmem_state_system_reset(&f.st);
			CHECK(f.st.plugged_size == 0);
			f.lowered = false;
			break;
		case 5:
			do_ranges(&f, &in);
			break;
		default:
			do_direct_commit(&f, &in);
			break;
		}
		check_invariants(&f);
	}
	vmem_state_destroy(&f.st);
	return 0;
}
