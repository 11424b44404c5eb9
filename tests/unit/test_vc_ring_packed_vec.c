/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * vc_ring_packed_dequeue_vec() (vc_ring_packed_vec.h), built once per
 * instruction set (tests/meson.build: SSE2, AVX2, AVX-512; skipped where
 * the CPU lacks it):
 * - the line check on crafted lines: every AVAIL/USED pattern in every
 *   lane, whatever the other bits;
 * - whole lines are taken when the device returns buffers one by one;
 * - lines added whole (vc_ring_packed_add_line()) reach the device as
 *   written, published at once or behind flags held back;
 * - against the scalar vc_ring_packed_dequeue() on a twin ring, step by
 *   step through random runs of a fake device, well-formed and hostile
 *   (wrong wrap bits, bad or repeated ids, long lengths, in-order batches
 *   written as one descriptor, chains): same buffers, lengths, ring state,
 *   stats, broken reason and resume word; the twin adds lines where it
 *   can, and both rings hold the same descriptors once published.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

static unsigned int lines_taken;	/* lines vc_ring_packed_take_line() took whole */
#define VC_RING_VEC_LINE_HOOK(k) (lines_taken += (k) == VC_PDESC_LINE)

#include "ring_fake_packed.h"
#include "vc_ring_packed_vec.h"

static uint64_t rng_state;

static uint32_t
rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return n ? (uint32_t)(rng_state % n) : 0;
}

/* Skip the test where the CPU lacks the instruction set this build is for. */
static void
require_isa(void)
{
	__builtin_cpu_init();
#if defined(__AVX512F__)
	if (!__builtin_cpu_supports("avx512f"))
		skip();
#elif defined(__AVX2__)
	if (!__builtin_cpu_supports("avx2"))
		skip();
#endif
}

/* ---- the line check ---- */

static void
test_line_check(void **state)
{
	static const uint16_t au[] = { 0, VC_PDESC_F_AVAIL, VC_PDESC_F_USED, VC_PDESC_F_AU };
	static const uint16_t other[] = { 0, VRING_DESC_F_WRITE, VRING_DESC_F_NEXT,
					  VRING_DESC_F_INDIRECT | VRING_DESC_F_WRITE, 0xff7f };
	struct vring_packed_desc *d = aligned_alloc(VC_RING_CACHE_LINE, VC_RING_CACHE_LINE);
	unsigned int lap, lane, bad, t;

	(void)state;
	require_isa();
	assert_non_null(d);
	rng_state = 88172645463325252ull;
	for (lap = 0; lap < 2; lap++) {
		uint16_t used = lap ? VC_PDESC_F_AU : 0;

		for (t = 0; t < 200; t++) {
			for (lane = 0; lane < VC_PDESC_LINE; lane++) {
				d[lane].addr = ((uint64_t)rnd(~0u) << 32) | rnd(~0u);
				d[lane].len = rnd(~0u);
				d[lane].id = (uint16_t)rnd(1u << 16);
				d[lane].flags = (uint16_t)((other[rnd(5)] & ~VC_PDESC_F_AU) | used);
			}
			assert_true(vc_pdesc_line_used(d, used));
			lane = rnd(VC_PDESC_LINE);
			for (bad = 0; bad < 4; bad++) {
				uint16_t keep = d[lane].flags;

				if (au[bad] == used)
					continue;
				d[lane].flags = (uint16_t)((keep & ~VC_PDESC_F_AU) | au[bad]);
				assert_false(vc_pdesc_line_used(d, used));
				d[lane].flags = keep;
			}
		}
	}
	free(d);
}

/* ---- whole lines ---- */

static void
test_takes_lines(void **state)
{
	unsigned int io;

	(void)state;
	require_isa();
	for (io = 0; io < 2; io++) {
		struct fixture *f = fixture_new(16, false, io);
		struct vc_ring_used out[16];
		struct chain_info ci[16];
		unsigned int k;

		add_publish(f, 0, 16);
		for (k = 0; k < 16; k++)
			assert_true(dev_pop(&f->dev, &ci[k]));
		for (k = 0; k < 16; k++)
			dev_put(&f->dev, &ci[k], 100 + k);
		lines_taken = 0;
		assert_int_equal(vc_ring_packed_dequeue_vec(&f->r, out, 16), 16);
		assert_int_equal(lines_taken, 4);
		for (k = 0; k < 16; k++) {
			assert_ptr_equal(out[k].cookie, COOKIE(k));
			assert_int_equal(out[k].len, 100 + k);
		}
		assert_int_equal(vc_ring_packed_free_count(&f->r), 16);
		fixture_free(f);
	}
}

/* ---- adding whole lines ---- */

static void
test_add_lines(void **state)
{
	unsigned int io;

	(void)state;
	require_isa();
	for (io = 0; io < 2; io++) {
		struct fixture *f = fixture_new(16, false, io);
		uint64_t addr[VC_PDESC_LINE];
		uint32_t len[VC_PDESC_LINE];
		void *cookie[VC_PDESC_LINE];
		struct vc_ring_used out[16];
		struct chain_info ci;
		unsigned int k, lap;

		for (lap = 0; lap < 3; lap++) {
			/* Two chains of two hold the first flags back: the
			 * lines added behind them wait for the publish. */
			for (k = 0; k < 4; k += 2)
				assert_int_equal(vc_ring_packed_add_chain(&f->r,
						(const struct vc_ring_seg[2]){
							{ 0x9000 + k, 64, false },
							{ 0x9000 + k + 1, 64, false } },
						2, COOKIE(k)), 0);
			for (k = 0; k < 3; k++) {
				unsigned int j;

				assert_true(vc_ring_packed_line_ready(&f->r));
				for (j = 0; j < VC_PDESC_LINE; j++) {
					addr[j] = 0x10000 * (k + 1) + j;
					len[j] = 100 * (k + 1) + j;
					cookie[j] = COOKIE(4 + 4 * k + j);
				}
				vc_ring_packed_add_line(&f->r, addr, len, true, cookie);
			}
			assert_false(vc_ring_packed_line_ready(&f->r));	/* ring full */
			assert_false(dev_pop(&f->dev, &ci));
			vc_ring_packed_publish(&f->r);
			f->notified = 0;
			assert_true(vc_ring_packed_kick(&f->r));
			assert_int_equal(f->notified, 1);
			for (k = 0; k < 4; k += 2) {
				assert_true(dev_pop(&f->dev, &ci));
				assert_int_equal(ci.ndescs, 2);
				assert_int_equal(ci.addrs[0], 0x9000 + k);
				assert_int_equal(ci.addrs[1], 0x9000 + k + 1);
				dev_put(&f->dev, &ci, 0);
			}
			for (k = 4; k < 16; k++) {
				assert_true(dev_pop(&f->dev, &ci));
				assert_int_equal(ci.ndescs, 1);
				assert_true(ci.writable[0]);
				assert_int_equal(ci.addrs[0], 0x10000 * (k / 4) + k % 4);
				assert_int_equal(ci.lens[0], 100 * (k / 4) + k % 4);
				dev_put(&f->dev, &ci, 50);
			}
			assert_false(dev_pop(&f->dev, &ci));
			assert_int_equal(vc_ring_packed_dequeue_vec(&f->r, out, 16), 14);
			for (k = 0; k < 14; k++)
				assert_ptr_equal(out[k].cookie, COOKIE(k < 2 ? 2 * k : k + 2));
			/* The lines alone are published as they are stored. */
			for (k = 0; k < VC_PDESC_LINE; k++) {
				addr[k] = 0x7000 + k;
				len[k] = 10;
				cookie[k] = COOKIE(100 + k);
			}
			vc_ring_packed_add_line(&f->r, addr, len, false, cookie);
			for (k = 0; k < VC_PDESC_LINE; k++) {
				assert_true(dev_pop(&f->dev, &ci));
				assert_int_equal(ci.addrs[0], 0x7000 + k);
				assert_false(ci.writable[0]);
				dev_put(&f->dev, &ci, 5);	/* means nothing: read-only */
			}
			assert_int_equal(vc_ring_packed_dequeue_vec(&f->r, out, 16), 4);
			for (k = 0; k < VC_PDESC_LINE; k++) {
				assert_ptr_equal(out[k].cookie, COOKIE(100 + k));
				assert_int_equal(out[k].len, 0);
			}
			/* Back to position 0, in the other lap from lap 1 on:
			 * 20 positions so far, 12 or 28 more. */
			for (k = lap % 2 == 0 ? 12 : 28; k > 0; k--) {
				assert_int_equal(vc_ring_packed_add_one(&f->r, 1, 1, true,
									COOKIE(200)), 0);
				vc_ring_packed_publish(&f->r);
				assert_true(dev_pop(&f->dev, &ci));
				dev_put(&f->dev, &ci, 1);
				assert_int_equal(vc_ring_packed_dequeue_vec(&f->r, out, 16), 1);
			}
			assert_int_equal(f->r.avail_pos, 0);
			/* wraps: 2 in lap 0, 3 in lap 1, 2 in lap 2 */
			assert_int_equal(!!(f->r.avail_flags & VC_PDESC_F_AVAIL), lap == 0);
		}
		fixture_free(f);
	}
}

/* ---- against the scalar dequeue ---- */

struct twin {
	struct fixture *f[2];	/* [0]: scalar dequeue, [1]: vec */
	struct chain_info held[256];	/* popped by the device, not returned */
	unsigned int nheld;
	unsigned int next_cookie;
	bool in_order;
	bool lied;	/* since then the driver may take back buffers the
			 * device still holds: posting more would let it
			 * overwrite them, so the run only drains */
};

static void
twin_new(struct twin *t, uint16_t size, bool in_order)
{
	t->f[0] = fixture_new(size, false, in_order);
	t->f[1] = fixture_new(size, false, in_order);
	t->nheld = 0;
	t->next_cookie = 0;
	t->in_order = in_order;
	t->lied = false;
}

static void
twin_free(struct twin *t)
{
	fixture_free(t->f[0]);
	fixture_free(t->f[1]);
}

/*
 * The driver posts @n buffers on both rings: one descriptor, or a chain
 * of 2; the twin with the vector code posts four one-descriptor buffers
 * as a line whenever it can. Published, both rings must hold the same.
 */
static void
twin_post(struct twin *t, unsigned int n)
{
	struct vc_ring_packed *a = &t->f[0]->r, *b = &t->f[1]->r;
	unsigned int i, s;

	for (i = 0; i < n && vc_ring_packed_free_count(a) != 0; i++) {
		unsigned int c = t->next_cookie++ % 0x10000;
		bool chain = rnd(8) == 0 && vc_ring_packed_free_count(a) >= 2;
		struct vc_ring_seg segs[2] = {
			{ .addr = 0x10000 + 0x100 * c, .len = 12, .writable = true },
			{ .addr = 0x20000 + 0x100 * c, .len = 188, .writable = true },
		};

		if (!chain && n - i >= VC_PDESC_LINE && vc_ring_packed_line_ready(b) &&
		    rnd(4) != 0) {
			uint64_t addr[VC_PDESC_LINE];
			uint32_t len[VC_PDESC_LINE];
			void *cookie[VC_PDESC_LINE];
			unsigned int k;

			for (k = 0; k < VC_PDESC_LINE; k++) {
				if (k > 0)
					c = t->next_cookie++ % 0x10000;
				addr[k] = 0x10000 + 0x100 * c;
				len[k] = 200 + k;
				cookie[k] = COOKIE(c);
				assert_int_equal(vc_ring_packed_add_one(a, addr[k], len[k], true,
									cookie[k]), 0);
			}
			vc_ring_packed_add_line(b, addr, len, true, cookie);
			i += VC_PDESC_LINE - 1;
			continue;
		}
		for (s = 0; s < 2; s++) {
			if (chain)
				assert_int_equal(vc_ring_packed_add_chain(&t->f[s]->r, segs, 2,
									  COOKIE(c)), 0);
			else
				assert_int_equal(vc_ring_packed_add_one(&t->f[s]->r,
									0x10000 + 0x100 * c, 200,
									true, COOKIE(c)), 0);
		}
	}
	for (s = 0; s < 2; s++)
		vc_ring_packed_publish(&t->f[s]->r);
	assert_memory_equal(a->desc, b->desc, sizeof(*a->desc) * a->size);
	assert_memory_equal(a->slots, b->slots, sizeof(*a->slots) * a->size);
	assert_int_equal(a->avail_pos, b->avail_pos);
	assert_int_equal(a->avail_flags, b->avail_flags);
	assert_int_equal(a->num_free, b->num_free);
	assert_int_equal(a->free_id, b->free_id);
	assert_int_equal(a->free_id_tail, b->free_id_tail);
	assert_int_equal(a->kick_added, b->kick_added);
}

/*
 * The device takes up to @n available buffers (the same on both). Not
 * after a lie: the random flags it wrote may look available to its own
 * scan of the ring when that scan is a lap ahead of its used position.
 */
static void
twin_pop(struct twin *t, unsigned int n)
{
	if (t->lied)
		return;
	while (n-- > 0 && t->nheld < 256) {
		struct chain_info other;

		if (!dev_pop(&t->f[0]->dev, &t->held[t->nheld]))
			return;
		assert_true(dev_pop(&t->f[1]->dev, &other));
		assert_int_equal(other.id, t->held[t->nheld].id);
		t->nheld++;
	}
}

/* A length: mostly what fits, sometimes more than was posted. */
static uint32_t
twin_len(const struct chain_info *ci)
{
	return rnd(16) == 0 ? ci->wlen + 1 + rnd(1000) : rnd(ci->wlen + 1);
}

/* The device returns @n held buffers: in order on an in-order ring (one by
 * one or as one batch descriptor), in any order otherwise. */
static void
twin_put(struct twin *t, unsigned int n)
{
	unsigned int s;

	if (n > t->nheld)
		n = t->nheld;
	if (n == 0)
		return;
	if (t->in_order && rnd(4) == 0) {
		uint32_t len = twin_len(&t->held[n - 1]);

		for (s = 0; s < 2; s++)
			dev_put_all(t->f[s], t->held, n, len, true);
		memmove(t->held, t->held + n, (t->nheld - n) * sizeof(t->held[0]));
		t->nheld -= n;
		return;
	}
	while (n-- > 0) {
		unsigned int i = t->in_order ? 0 : rnd(t->nheld);
		uint32_t len = twin_len(&t->held[i]);

		for (s = 0; s < 2; s++)
			dev_put(&t->f[s]->dev, &t->held[i], len);
		/* The rest stays in ring order. */
		memmove(&t->held[i], &t->held[i + 1], (t->nheld - i - 1) * sizeof(t->held[0]));
		t->nheld--;
	}
}

/* The device returns the next held buffer with a used descriptor it
 * should not have written: a bad or wrong id, wrap bits or length. */
static void
twin_hostile(struct twin *t)
{
	uint16_t size = t->f[0]->r.size;
	uint16_t id = (uint16_t)(rnd(3) == 0 ? size + rnd(3) : rnd(size));
	uint16_t flags = (uint16_t)(rnd(4) == 0 ? rnd(1u << 16) :
				    (t->f[0]->dev.used_wrap ? VC_PDESC_F_AU : 0));
	unsigned int s, i = t->in_order ? 0 : rnd(t->nheld);
	uint32_t len = rnd(400);

	if (t->nheld == 0)
		return;
	t->lied = true;
	for (s = 0; s < 2; s++)
		dev_put_raw(&t->f[s]->dev, id, len, flags, t->held[i].nring);
	memmove(&t->held[i], &t->held[i + 1], (t->nheld - i - 1) * sizeof(t->held[0]));
	t->nheld--;
}

static void
twin_compare(struct twin *t, uint16_t max)
{
	struct vc_ring_used out[2][64];
	struct vc_ring_packed *a = &t->f[0]->r, *b = &t->f[1]->r;
	uint16_t na, nb, k;

	na = vc_ring_packed_dequeue(a, out[0], max);
	nb = vc_ring_packed_dequeue_vec(b, out[1], max);
	assert_int_equal(na, nb);
	for (k = 0; k < na; k++) {
		assert_ptr_equal(out[0][k].cookie, out[1][k].cookie);
		assert_int_equal(out[0][k].len, out[1][k].len);
	}
	assert_int_equal(a->used_pos, b->used_pos);
	assert_int_equal(a->used_flags, b->used_flags);
	assert_int_equal(a->num_free, b->num_free);
	assert_int_equal(a->free_id, b->free_id);
	assert_int_equal(a->free_id_tail, b->free_id_tail);
	assert_int_equal(a->io_active, b->io_active);
	assert_int_equal(a->broken, b->broken);
	assert_int_equal(a->stats.invalid_used, b->stats.invalid_used);
	if (a->broken)
		assert_string_equal(a->broken_reason, b->broken_reason);
	assert_int_equal(*a->resume, *b->resume);
	assert_memory_equal(a->slots, b->slots, sizeof(*a->slots) * a->size);
}

static void
run_twins(bool in_order)
{
	static const uint16_t sizes[] = { 4, 8, 16, 64, 256 };
	unsigned int round, step, broken = 0, total_lines = 0;

	rng_state = in_order ? 0x9e3779b97f4a7c15ull : 0x2545f4914f6cdd1dull;
	for (round = 0; round < 300; round++) {
		uint16_t size = sizes[rnd(5)];
		bool hostile = round % 3 == 0;
		struct twin t;

		twin_new(&t, size, in_order);
		lines_taken = 0;
		for (step = 0; step < 400 && !t.f[0]->r.broken; step++) {
			switch (rnd(5)) {
			case 0:
				if (!t.lied)
					twin_post(&t, rnd(size + 1));
				break;
			case 1:
				twin_pop(&t, rnd(size + 1));
				break;
			case 2:
				twin_put(&t, rnd(t.nheld + 1));
				break;
			case 3:
				if (hostile && rnd(20) == 0)
					twin_hostile(&t);
				else
					twin_put(&t, t.nheld);
				break;
			default:
				twin_compare(&t, (uint16_t)(1 + rnd(64)));
				break;
			}
		}
		twin_compare(&t, 64);
		broken += t.f[0]->r.broken;
		total_lines += lines_taken;
		twin_free(&t);
	}
	/* The runs reached both the line path and the broken states. */
	assert_true(total_lines > 1000);
	assert_true(broken > 20);
}

static void
test_twin_any_order(void **state)
{
	(void)state;
	require_isa();
	run_twins(false);
}

static void
test_twin_in_order(void **state)
{
	(void)state;
	require_isa();
	run_twins(true);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_check),
		cmocka_unit_test(test_takes_lines),
		cmocka_unit_test(test_add_lines),
		cmocka_unit_test(test_twin_any_order),
		cmocka_unit_test(test_twin_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
