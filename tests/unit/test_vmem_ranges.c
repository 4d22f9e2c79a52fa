// SPDX-License-Identifier: MIT
/*
 * vmem_state block ranges: counts, any/all, run iteration across 64-bit
 * word boundaries and clipped at range and region ends, and a randomized
 * model check (fixed seed) of every request against a naive bool array.
 */
#include "vmem_fixture.h"

/* ---- block ranges across word boundaries ---- */

static void test_vmem_state_ranges_word_boundary_63_64_65(void **state)
{
	struct vmem_state *st = *state;

	plug(st, 63, 3);
	assert_false(vmem_state_block_plugged(st, 62));
	assert_true(vmem_state_block_plugged(st, 63));
	assert_true(vmem_state_block_plugged(st, 64));
	assert_true(vmem_state_block_plugged(st, 65));
	assert_false(vmem_state_block_plugged(st, 66));
	assert_int_equal(vmem_state_count_plugged(st, 0, 64), 1);
	assert_int_equal(vmem_state_count_plugged(st, 64, 64), 2);
	assert_true(vmem_state_all_plugged(st, 63, 3));
	assert_false(vmem_state_all_plugged(st, 62, 3));
	assert_false(vmem_state_any_plugged(st, 0, 63));
	assert_true(vmem_state_any_plugged(st, 65, 1));
	assert_false(vmem_state_any_plugged(st, 66, 1000));
}

static void test_vmem_state_next_run_spans_words(void **state)
{
	struct vmem_state *st = *state;
	uint64_t pos = 0, first, nr;

	set_requested(st, 256 * MiB);
	plug(st, 63, 64);	/* 63..126: three words */
	plug(st, 128, 1);
	assert_true(vmem_state_next_run(st, true, &pos, NR_BLOCKS, &first,
					&nr));
	assert_int_equal(first, 63);
	assert_int_equal(nr, 64);
	assert_int_equal(pos, 127);
	assert_true(vmem_state_next_run(st, true, &pos, NR_BLOCKS, &first,
					&nr));
	assert_int_equal(first, 128);
	assert_int_equal(nr, 1);
	assert_false(vmem_state_next_run(st, true, &pos, NR_BLOCKS, &first,
					 &nr));
}

static void test_vmem_state_next_run_unplugged_clipped(void **state)
{
	struct vmem_state *st = *state;
	uint64_t pos = 60, first, nr;

	plug(st, 64, 2);
	assert_true(vmem_state_next_run(st, false, &pos, 200, &first, &nr));
	assert_int_equal(first, 60);
	assert_int_equal(nr, 4);
	assert_true(vmem_state_next_run(st, false, &pos, 200, &first, &nr));
	assert_int_equal(first, 66);
	assert_int_equal(nr, 134);
	assert_false(vmem_state_next_run(st, false, &pos, 200, &first, &nr));
}

struct runs {
	unsigned n;
	uint64_t first[8], nr[8];
	unsigned stop_after;
};

static int collect(void *opaque, uint64_t first, uint64_t nr)
{
	struct runs *r = opaque;

	if (r->n < 8) {
		r->first[r->n] = first;
		r->nr[r->n] = nr;
	}
	r->n++;
	return r->stop_after && r->n == r->stop_after ? -EINTR : 0;
}

static void test_vmem_state_for_each_run_many_words(void **state)
{
	struct vmem_state *st = *state;
	struct runs r = { 0 };

	set_requested(st, REGION);
	plug(st, 3, 300);
	plug(st, 320, 192);	/* up to the region end */
	assert_int_equal(vmem_state_count_plugged(st, 0, NR_BLOCKS), 492);
	assert_int_equal(vmem_state_for_each_run(st, true, 0, NR_BLOCKS,
						 collect, &r), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.first[0], 3);
	assert_int_equal(r.nr[0], 300);
	assert_int_equal(r.first[1], 320);
	assert_int_equal(r.nr[1], 192);
}

static void test_vmem_state_for_each_run_clipped_to_range(void **state)
{
	struct vmem_state *st = *state;
	struct runs r = { 0 };

	plug(st, 10, 50);
	assert_int_equal(vmem_state_for_each_run(st, true, 20, 10, collect,
						 &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.first[0], 20);
	assert_int_equal(r.nr[0], 10);

	memset(&r, 0, sizeof(r));
	assert_int_equal(vmem_state_for_each_run(st, false, 0, 100, collect,
						 &r), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.first[0], 0);
	assert_int_equal(r.nr[0], 10);
	assert_int_equal(r.first[1], 60);
	assert_int_equal(r.nr[1], 40);
}

static void test_vmem_state_for_each_run_stops_on_error(void **state)
{
	struct vmem_state *st = *state;
	struct runs r = { .stop_after = 2 };

	plug(st, 0, 1);
	plug(st, 2, 1);
	plug(st, 4, 1);
	assert_int_equal(vmem_state_for_each_run(st, true, 0, NR_BLOCKS,
						 collect, &r), -EINTR);
	assert_int_equal(r.n, 2);
}

static void test_vmem_state_ranges_clipped_at_region_end(void **state)
{
	struct vmem_state *st = *state;

	set_requested(st, REGION);
	plug(st, NR_BLOCKS - 2, 2);
	assert_int_equal(vmem_state_count_plugged(st, NR_BLOCKS - 2, 100), 2);
	assert_false(vmem_state_all_plugged(st, NR_BLOCKS - 2, 3));
	assert_false(vmem_state_all_plugged(st, 0, 0));
	assert_false(vmem_state_block_plugged(st, NR_BLOCKS));
	assert_false(vmem_state_any_plugged(st, NR_BLOCKS, UINT64_MAX));
	assert_int_equal(vmem_state_count_plugged(st, UINT64_MAX, UINT64_MAX),
			 0);
}

/* ---- randomized model check ---- */

#define M_BS (1 * MiB)
#define M_BLOCKS 1000u
#define M_ADDR (1 * GiB)

struct model {
	bool plugged[M_BLOCKS];
	uint64_t usable, requested;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint64_t model_count(const struct model *m)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < M_BLOCKS; i++)
		n += m->plugged[i];
	return n;
}

static uint64_t model_usable_for(uint64_t requested)
{
	uint64_t size = requested + VMEM_USABLE_EXTENT;

	if (!requested)
		return 0;
	return size > M_BLOCKS * M_BS ? M_BLOCKS * M_BS : size;
}

/* Expected answer of PLUG (plug) or UNPLUG, naively. */
static uint16_t model_change(struct model *m, uint64_t addr, uint16_t nb,
			     bool do_plug)
{
	uint64_t first = (addr - M_ADDR) / M_BS;

	if (addr % M_BS || !nb || addr < M_ADDR ||
	    addr - M_ADDR + (uint64_t)nb * M_BS > m->usable)
		return VIRTIO_MEM_RESP_ERROR;
	if (do_plug && (model_count(m) + nb) * M_BS > m->requested)
		return VIRTIO_MEM_RESP_NACK;
	for (uint64_t i = first; i < first + nb; i++)
		if (m->plugged[i] == do_plug)
			return VIRTIO_MEM_RESP_ERROR;
	for (uint64_t i = first; i < first + nb; i++)
		m->plugged[i] = do_plug;
	return VIRTIO_MEM_RESP_ACK;
}

/* Expected answer of STATE; @state is 0xffff when there is none. */
static uint16_t model_query(const struct model *m, uint64_t addr, uint16_t nb,
			    uint16_t *state)
{
	uint64_t first = (addr - M_ADDR) / M_BS, n = 0;

	*state = 0xffff;
	if (addr % M_BS || !nb || addr < M_ADDR ||
	    addr - M_ADDR + (uint64_t)nb * M_BS > m->usable)
		return VIRTIO_MEM_RESP_ERROR;
	for (uint64_t i = first; i < first + nb; i++)
		n += m->plugged[i];
	*state = n == nb ? VIRTIO_MEM_STATE_PLUGGED :
		 n ? VIRTIO_MEM_STATE_MIXED : VIRTIO_MEM_STATE_UNPLUGGED;
	return VIRTIO_MEM_RESP_ACK;
}

static void model_compare(const struct vmem_state *st, const struct model *m)
{
	uint64_t pos = 0, first, nr, seen = 0;

	assert_int_equal(st->plugged_size, model_count(m) * M_BS);
	assert_int_equal(st->usable_region_size, m->usable);
	assert_true(st->usable_region_size >= st->requested_size);
	for (unsigned i = 0; i < M_BLOCKS; i++)
		assert_int_equal(vmem_state_block_plugged(st, i),
				 m->plugged[i]);
	while (vmem_state_next_run(st, true, &pos, M_BLOCKS, &first, &nr)) {
		assert_true(first == 0 || !m->plugged[first - 1]);
		assert_true(first + nr == M_BLOCKS || !m->plugged[first + nr]);
		seen += nr;
	}
	assert_int_equal(seen, model_count(m));
}

/*
 * Half the UNPLUGs aim inside a plugged run (at or after a random block),
 * else few of them would find all blocks plugged.
 */
static void aim_at_plugged(const struct model *m, uint64_t r, uint64_t *addr,
			   uint16_t *nb)
{
	unsigned i = (unsigned)(r % M_BLOCKS), k = 0;

	while (i < M_BLOCKS && !m->plugged[i])
		i++;
	while (i + k < M_BLOCKS && m->plugged[i + k])
		k++;
	if (!k)
		return;
	*addr = M_ADDR + i * M_BS;
	*nb = (uint16_t)(1 + (r >> 20) % MIN(k, 64u));
}

/* One PLUG or UNPLUG: same answer as the model, then the commit. */
static void model_change_step(struct vmem_state *st, struct model *m,
			      uint64_t addr, uint16_t nb, bool do_plug)
{
	uint16_t got = do_plug ? vmem_state_check_plug(st, addr, nb) :
				 vmem_state_check_unplug(st, addr, nb);

	assert_int_equal(got, model_change(m, addr, nb, do_plug));
	if (got != VIRTIO_MEM_RESP_ACK)
		return;
	if (do_plug)
		assert_int_equal(vmem_state_commit_plug(st, addr, nb), 0);
	else
		assert_int_equal(vmem_state_commit_unplug(st, addr, nb), 0);
}

static void model_step(struct vmem_state *st, struct model *m)
{
	uint64_t r = rng();
	uint64_t addr = M_ADDR + (r >> 8) % (M_BLOCKS + 40) * M_BS - 20 * M_BS;
	uint16_t nb = (r >> 32) % 8 ? (r >> 40) % 70 : 65535, s, want;

	if (r % 8 >= 3 && r % 8 <= 5 && (r >> 62))
		aim_at_plugged(m, rng(), &addr, &nb);
	if ((r >> 50) % 16 == 0)
		addr += 4096;	/* unaligned */
	switch (r % 8) {
	case 0: case 1: case 2:
		model_change_step(st, m, addr, nb, true);
		break;
	case 3: case 4:
		model_change_step(st, m, addr, nb, false);
		break;
	case 5:
		assert_int_equal(vmem_state_query(st, addr, nb, &s),
				 model_query(m, addr, nb, &want));
		if (want != 0xffff)
			assert_int_equal(s, want);
		break;
	case 6:
		m->requested = (r >> 16) % (M_BLOCKS + 1) * M_BS;
		set_requested(st, m->requested);
		if (model_usable_for(m->requested) > m->usable)
			m->usable = model_usable_for(m->requested);
		break;
	default:
		vmem_state_unplug_all(st);
		memset(m->plugged, 0, sizeof(m->plugged));
		m->usable = model_usable_for(m->requested);
		break;
	}
}

static void test_vmem_state_random_ops_match_naive_model(void **state)
{
	const struct vmem_params p = {
		.addr = M_ADDR, .region_size = M_BLOCKS * M_BS,
		.block_size = M_BS, .requested_size = 300 * M_BS,
	};
	static struct model m;
	struct vmem_state st;

	(void)state;
	assert_int_equal(vmem_state_init(&st, &p), 0);
	memset(&m, 0, sizeof(m));
	m.requested = p.requested_size;
	m.usable = model_usable_for(m.requested);
	for (int i = 0; i < 20000; i++) {
		model_step(&st, &m);
		model_compare(&st, &m);
	}
	vmem_state_destroy(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_vmem_state_ranges_word_boundary_63_64_65),
		T(test_vmem_state_next_run_spans_words),
		T(test_vmem_state_next_run_unplugged_clipped),
		T(test_vmem_state_for_each_run_many_words),
		T(test_vmem_state_for_each_run_clipped_to_range),
		T(test_vmem_state_for_each_run_stops_on_error),
		T(test_vmem_state_ranges_clipped_at_region_end),
		U(test_vmem_state_random_ops_match_naive_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
