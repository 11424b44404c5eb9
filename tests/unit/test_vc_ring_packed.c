/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * vc_ring_packed against the fake device of tests/fakes/ring_fake_packed.c:
 * ring layout, init, add / publish / dequeue, laps and wrap counters,
 * kicks and used-buffer notifications. Hostile devices, in-order
 * completions and indirect descriptors have their own test files.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "ring_fake_packed.h"

static void
test_mem_size_layout(void **state)
{
	static const uint16_t bad[] = { 0, 3, 6, 100, 40000, 65535 };
	uint32_t size;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vc_ring_packed_mem_size(bad[i]), 0);
	for (size = 1; size <= VC_RING_SIZE_MAX; size <<= 1) {
		struct fixture *f = fixture_new((uint16_t)size, false, false);
		size_t sz = vc_ring_packed_mem_size((uint16_t)size);
		uintptr_t base = (uintptr_t)f->mem;
		uintptr_t drv = (uintptr_t)f->r.driver, dev = (uintptr_t)f->r.device;
		uint64_t a, b, c;

		/* queue setup reserves a split ring's worth: it must fit */
		assert_true(sz <= vc_ring_mem_size((uint16_t)size));
		assert_int_equal(sz % 64, 0);
		assert_int_equal(drv, base + 16 * size);
		assert_int_equal(dev % 64, 0);
		assert_true((drv + 3) / 64 < dev / 64);
		assert_true(dev + 4 <= base + sz);
		vc_ring_packed_addrs(&f->r, &a, &b, &c);
		assert_int_equal(a, base);
		assert_int_equal(b, drv);
		assert_int_equal(c, dev);
		fixture_free(f);
	}
}

static void
test_init_invalid(void **state)
{
	struct vc_ring_slot slots[8];
	struct vc_ring_packed r;
	uint8_t *mem = aligned_alloc(VC_RING_ALIGN, 2 * VC_RING_ALIGN);

	(void)state;
	assert_non_null(mem);
	assert_int_equal(vc_ring_packed_init(&r, mem, 0, slots, false, false, NULL, NULL), -EINVAL);
	assert_int_equal(vc_ring_packed_init(&r, mem, 6, slots, false, false, NULL, NULL), -EINVAL);
	assert_int_equal(vc_ring_packed_init(&r, mem + 64, 8, slots, false, false, NULL, NULL),
			 -EINVAL);
	assert_int_equal(vc_ring_packed_init(&r, NULL, 8, slots, false, false, NULL, NULL),
			 -EINVAL);
	assert_int_equal(vc_ring_packed_init(&r, mem, 8, NULL, false, false, NULL, NULL), -EINVAL);
	assert_int_equal(vc_ring_packed_init(NULL, mem, 8, slots, false, false, NULL, NULL),
			 -EINVAL);
	assert_int_equal(vc_ring_packed_init(&r, mem, 8, slots, false, false, NULL, NULL), 0);
	free(mem);
}

static void
test_init_state(void **state)
{
	struct fixture *f = fixture_new(256, false, false);
	const uint8_t *p = f->mem;
	size_t i, sz = vc_ring_packed_mem_size(256);
	size_t drv_flags = (uintptr_t)&f->r.driver->flags - (uintptr_t)f->mem;
	size_t resume = (uintptr_t)f->r.resume - (uintptr_t)f->mem;

	(void)state;
	assert_int_equal(vc_ring_packed_free_count(&f->r), 256);
	assert_false(vc_ring_packed_is_broken(&f->r));
	/* the datapath polls: used-buffer notifications off */
	assert_int_equal(f->r.driver->flags, VRING_PACKED_EVENT_FLAG_DISABLE);
	/* resume word: position 0, wrap counter 1, inside the ring memory */
	assert_true(resume + sizeof(uint32_t) <= sz);
	assert_int_equal(le32toh(*f->r.resume), 0x8000);
	/* no VIRTIO_F_IN_ORDER: the device is not told about it */
	assert_int_equal(vc_ring_packed_resume_addr(&f->r), 0);
	for (i = 0; i < sz; i++)
		if (i != drv_flags && i != drv_flags + 1 &&
		    (i < resume || i >= resume + sizeof(uint32_t)))
			assert_int_equal(p[i], 0);
	for (i = 0; i < 256; i++)
		assert_null(f->slots[i].cookie);
	fixture_free(f);
}

static void
test_single_publish_dequeue(void **state)
{
	struct fixture *f = fixture_new(8, false, false);
	struct vc_ring_used out[8];
	struct chain_info ci;

	(void)state;
	assert_int_equal(vc_ring_packed_add_one(&f->r, 0x4000, 1500, true, COOKIE(1)), 0);
	assert_int_equal(vc_ring_packed_add_one(&f->r, 0x5000, 60, false, COOKIE(2)), 0);
	assert_int_equal(vc_ring_packed_free_count(&f->r), 6);
#ifdef VC_RING_PACKED_DESC_STORE
	/* stored whole: the device may take them at once; publish has
	 * nothing left to do but is still called per batch */
	assert_int_equal(f->r.pending, 0);
	assert_int_equal(f->r.kick_added, 2);
#else
	/* not published: the first descriptor's flags are held back, so the
	 * device sees neither buffer */
	assert_false(dev_pop(&f->dev, &ci));
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 0);
#endif
	vc_ring_packed_publish(&f->r);
	assert_int_equal(f->r.kick_added, 2);

	assert_true(dev_pop(&f->dev, &ci));
	assert_int_equal(ci.ndescs, 1);
	assert_int_equal(ci.addrs[0], 0x4000);
	assert_int_equal(ci.lens[0], 1500);
	assert_true(ci.writable[0]);
	dev_put(&f->dev, &ci, 700);
	assert_true(dev_pop(&f->dev, &ci));
	assert_int_equal(ci.addrs[0], 0x5000);
	assert_false(ci.writable[0]);
	assert_false(dev_pop(&f->dev, &ci));
	/* a read-only buffer's len means nothing: returned as 0 */
	dev_put(&f->dev, &ci, 12345);

	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 2);
	assert_ptr_equal(out[0].cookie, COOKIE(1));
	assert_int_equal(out[0].len, 700);
	assert_ptr_equal(out[1].cookie, COOKIE(2));
	assert_int_equal(out[1].len, 0);
	assert_int_equal(vc_ring_packed_free_count(&f->r), 8);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 0);
	assert_int_equal(f->r.stats.invalid_used, 0);
	assert_false(vc_ring_packed_is_broken(&f->r));
	fixture_free(f);
}

static void
test_chain(void **state)
{
	struct fixture *f = fixture_new(8, false, false);
	const struct vc_ring_seg segs[3] = {
		{ 0x1000, 12, false }, { 0x2000, 100, true }, { 0x3000, 400, true },
	};
	struct vc_ring_used out[4];
	struct chain_info ci;
	unsigned int k;

	(void)state;
	/* start at position 6 so that the chain wraps inside */
	add_publish(f, 0, 6);
	for (k = 0; k < 6; k++) {
		assert_true(dev_pop(&f->dev, &ci));
		dev_put(&f->dev, &ci, 10);
	}
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 4), 4);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 4), 2);

	assert_int_equal(vc_ring_packed_add_chain(&f->r, segs, 3, COOKIE(77)), 0);
	assert_int_equal(vc_ring_packed_free_count(&f->r), 5);
	assert_false(dev_pop(&f->dev, &ci));
	vc_ring_packed_publish(&f->r);
	assert_true(dev_pop(&f->dev, &ci));
	assert_int_equal(ci.ndescs, 3);
	for (k = 0; k < 3; k++) {
		assert_int_equal(ci.addrs[k], segs[k].addr);
		assert_int_equal(ci.lens[k], segs[k].len);
		assert_int_equal(ci.writable[k], segs[k].writable);
	}
	assert_int_equal(ci.wlen, 500);
	assert_int_equal(f->dev.avail_pos, 1);
	assert_false(f->dev.avail_wrap);
	dev_put(&f->dev, &ci, 500);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 4), 1);
	assert_ptr_equal(out[0].cookie, COOKIE(77));
	assert_int_equal(out[0].len, 500);
	assert_int_equal(vc_ring_packed_free_count(&f->r), 8);
	assert_int_equal(f->r.used_pos, 1);
	assert_int_equal(f->r.used_flags, 0);	/* used wrap counter now 0 */
	fixture_free(f);
}

static void
test_add_errors(void **state)
{
	struct fixture *f = fixture_new(4, false, false);
	struct vc_ring_seg segs[5] = {
		{ 0x1000, 10, false }, { 0x2000, 10, false }, { 0x3000, 10, false },
		{ 0x4000, 10, false }, { 0x5000, 10, false },
	};
	struct vc_ring_seg big[2] = {
		{ 0x1000, 0x80000000u, true }, { 0x2000, 0x80000000u, true },
	};

	(void)state;
	assert_int_equal(vc_ring_packed_add_chain(&f->r, segs, 0, COOKIE(1)), -EINVAL);
	assert_int_equal(vc_ring_packed_add_chain(&f->r, segs, 5, COOKIE(1)), -EINVAL);
	assert_int_equal(vc_ring_packed_add_chain(&f->r, segs, 2, NULL), -EINVAL);
	assert_int_equal(vc_ring_packed_add_chain(&f->r, NULL, 2, COOKIE(1)), -EINVAL);
	assert_int_equal(vc_ring_packed_add_chain(&f->r, big, 2, COOKIE(1)), -EINVAL);
	assert_int_equal(vc_ring_packed_free_count(&f->r), 4);
	assert_int_equal(vc_ring_packed_add_chain(&f->r, segs, 3, COOKIE(1)), 0);
	assert_int_equal(vc_ring_packed_add_chain(&f->r, segs, 2, COOKIE(2)), -ENOSPC);
	assert_int_equal(vc_ring_packed_add_one(&f->r, 1, 1, false, COOKIE(3)), 0);
	assert_int_equal(vc_ring_packed_add_one(&f->r, 1, 1, false, COOKIE(4)), -ENOSPC);
#ifdef VC_RING_PACKED_DESC_STORE
	assert_int_equal(f->r.pending, 3);	/* the chain; the single one is out */
#else
	assert_int_equal(f->r.pending, 4);
#endif
	fixture_free(f);
}

/*
 * Many laps with mixed chain lengths and out-of-order completion: every
 * cookie comes back exactly once, and the ring ends where it started.
 */
static void
run_wrap(uint16_t size, bool in_order, unsigned int cycles)
{
	struct fixture *f = fixture_new(size, false, in_order);
	struct chain_info popped[256];
	struct vc_ring_used out[64];
	unsigned int next = 0, done = 0, cyc, seed = 12345;
	uint8_t *seen = calloc(cycles * size + 1, 1);

	assert_non_null(seen);
	for (cyc = 0; cyc < cycles; cyc++) {
		unsigned int np = 0, k, got;

		/* fill with chains of 1..3 descriptors while they fit */
		while (vc_ring_packed_free_count(&f->r) > 0) {
			struct vc_ring_seg segs[3];
			uint16_t n = 1 + (seed = seed * 1103515245u + 12345u) % 3;

			for (k = 0; k < 3; k++)
				segs[k] = (struct vc_ring_seg){ 0x1000 * (next + 1) + k, 64 + k,
								true };
			if (n > vc_ring_packed_free_count(&f->r)) {
				/* too big: refused whole, then a smaller one fits */
				assert_int_equal(vc_ring_packed_add_chain(&f->r, segs, n,
									  COOKIE(next)),
						 n > size ? -EINVAL : -ENOSPC);
				n = vc_ring_packed_free_count(&f->r);
			}
			assert_int_equal(vc_ring_packed_add_chain(&f->r, segs, n, COOKIE(next)), 0);
			next++;
		}
		vc_ring_packed_publish(&f->r);
		while (np < 256 && dev_pop(&f->dev, &popped[np]))
			np++;
		assert_int_equal(vc_ring_packed_free_count(&f->r), 0);
		dev_put_all(f, popped, np, 64, in_order);
		got = 0;
		while ((k = vc_ring_packed_dequeue(&f->r, out, 7)) > 0) {
			unsigned int j;

			for (j = 0; j < k; j++) {
				unsigned int c = COOKIE_NUM(out[j].cookie);

				assert_true(c < next);
				assert_int_equal(seen[c], 0);
				seen[c] = 1;
				if (!in_order)
					assert_int_equal(out[j].len, 64);
			}
			got += k;
		}
		assert_int_equal(got, np);
		done += got;
		assert_int_equal(vc_ring_packed_free_count(&f->r), size);
		assert_false(vc_ring_packed_is_broken(&f->r));
	}
	assert_int_equal(done, next);
	assert_int_equal(f->r.stats.invalid_used, 0);
	/* device and driver agree on positions and wrap counters */
	assert_int_equal(f->r.used_pos, f->dev.used_pos);
	assert_int_equal(f->r.avail_pos, f->dev.avail_pos);
	assert_int_equal(!!(f->r.used_flags & VC_PDESC_F_USED), f->dev.used_wrap);
	free(seen);
	fixture_free(f);
}

static void
test_wrap_size8(void **state)
{
	(void)state;
	run_wrap(8, false, 500);
}

static void
test_wrap_size256(void **state)
{
	(void)state;
	run_wrap(256, false, 100);
}

static void
test_wrap_size1(void **state)
{
	(void)state;
	run_wrap(1, false, 50);
}

static void
test_wrap_in_order(void **state)
{
	(void)state;
	run_wrap(8, true, 500);
	run_wrap(64, true, 100);
}

/* Steady state one at a time: the ring position crosses many laps. */
static void
test_steady_single(void **state)
{
	struct fixture *f = fixture_new(4, false, false);
	struct vc_ring_used out[2];
	struct chain_info ci;
	unsigned int i;

	(void)state;
	for (i = 0; i < 100000; i++) {
		assert_int_equal(vc_ring_packed_add_one(&f->r, i, 100, true,
							COOKIE(i & 0xffff)), 0);
		vc_ring_packed_publish(&f->r);
		assert_true(dev_pop(&f->dev, &ci));
		dev_put(&f->dev, &ci, 99);
		assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 2), 1);
		assert_ptr_equal(out[0].cookie, COOKIE(i & 0xffff));
		assert_int_equal(out[0].len, 99);
	}
	assert_int_equal(vc_ring_packed_free_count(&f->r), 4);
	fixture_free(f);
}

/*
 * Buffer ids are reused first in, first out: with the device completing
 * in order in bursts of 1-32, each buffer gets the id equal to its ring
 * position, lap after lap, as with IN_ORDER (DPDK's vhost then does less
 * per packet). The whole ring goes out first, so the id list runs empty
 * and is refilled from nothing. Fails with a last-in, first-out list: a
 * burst's ids come back reversed.
 */
static void
test_fifo_ids(void **state)
{
	struct fixture *f = fixture_new(64, false, false);
	struct vc_ring_used out[64];
	struct chain_info ci;
	unsigned int lap, burst, k, next = 64, expect = 0, pos = 0;

	(void)state;
	add_publish(f, 0, 64);
	for (lap = 0; lap < 40; lap++) {
		burst = 1 + (lap * 7) % 32;
		for (k = 0; k < burst; k++) {
			assert_true(dev_pop(&f->dev, &ci));
			assert_int_equal(ci.id, pos % 64);
			pos++;
			dev_put(&f->dev, &ci, 64);
		}
		assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 64), burst);
		for (k = 0; k < burst; k++)
			assert_int_equal(COOKIE_NUM(out[k].cookie), expect++);
		add_publish(f, next, burst);
		next += burst;
	}
	assert_int_equal(vc_ring_packed_free_count(&f->r), 0);
	fixture_free(f);
}

static void
test_dequeue_max(void **state)
{
	struct fixture *f = fixture_new(16, false, false);
	struct vc_ring_used out[16];
	struct chain_info ci;
	unsigned int k;

	(void)state;
	add_publish(f, 0, 10);
	for (k = 0; k < 10; k++) {
		assert_true(dev_pop(&f->dev, &ci));
		dev_put(&f->dev, &ci, 1);
	}
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 3), 3);
	assert_ptr_equal(out[2].cookie, COOKIE(2));
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 16), 7);
	assert_ptr_equal(out[6].cookie, COOKIE(9));
	fixture_free(f);
}

/* Pending (unpublished) buffers block dequeue: the device cannot have them. */
static void
test_pending_blocks_dequeue(void **state)
{
	struct fixture *f = fixture_new(8, false, false);
	struct vc_ring_used out[8];
	struct chain_info ci;

	(void)state;
	add_publish(f, 0, 1);
	assert_true(dev_pop(&f->dev, &ci));
	dev_put(&f->dev, &ci, 5);
	/* A chain holds its head's flags back until publish, on every
	 * architecture. */
	assert_int_equal(vc_ring_packed_add_chain(&f->r, (const struct vc_ring_seg[2]){
						  { 1, 100, true }, { 2, 100, true } },
						  2, COOKIE(1)), 0);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 0);
	vc_ring_packed_publish(&f->r);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 1);
	assert_ptr_equal(out[0].cookie, COOKIE(0));
	fixture_free(f);
}

/* ---- kicks ---- */

static void
set_device_event(struct fixture *f, uint16_t flags, uint16_t off, bool wrap)
{
	f->r.device->off_wrap = off | (uint16_t)(wrap << VRING_PACKED_EVENT_F_WRAP_CTR);
	f->r.device->flags = flags;
}

static void
test_kick_flags(void **state)
{
	struct fixture *f = fixture_new(8, false, false);

	(void)state;
	/* nothing published: no kick whatever the device says */
	vc_ring_packed_kick(&f->r);
	assert_int_equal(f->notified, 0);
	add_publish(f, 0, 1);
	vc_ring_packed_kick(&f->r);		/* ENABLE (zeroed area) */
	assert_int_equal(f->notified, 1);
	vc_ring_packed_kick(&f->r);		/* nothing new */
	assert_int_equal(f->notified, 1);
	set_device_event(f, VRING_PACKED_EVENT_FLAG_DISABLE, 0, 0);
	add_publish(f, 1, 1);
	vc_ring_packed_kick(&f->r);
	assert_int_equal(f->notified, 1);
	assert_int_equal(f->r.stats.kicks, 1);
	/* DESC without event idx negotiated: not meaningful, kick */
	set_device_event(f, VRING_PACKED_EVENT_FLAG_DESC, 7, 1);
	add_publish(f, 2, 1);
	vc_ring_packed_kick(&f->r);
	assert_int_equal(f->notified, 2);
	assert_int_equal(f->r.stats.kicks, 2);
	fixture_free(f);
}

static void
test_kick_event_desc(void **state)
{
	struct fixture *f = fixture_new(8, true, false);
	struct vc_ring_used out[8];
	struct chain_info ci;

	(void)state;
	/* device wants a kick when position 5 (lap 1) becomes available */
	set_device_event(f, VRING_PACKED_EVENT_FLAG_DESC, 5, 1);
	add_publish(f, 0, 3);			/* positions 0..2 */
	vc_ring_packed_kick(&f->r);
	assert_int_equal(f->notified, 0);
	add_publish(f, 3, 2);			/* 3..4 */
	vc_ring_packed_kick(&f->r);
	assert_int_equal(f->notified, 0);
	add_publish(f, 5, 2);			/* 5..6: crosses 5 */
	vc_ring_packed_kick(&f->r);
	assert_int_equal(f->notified, 1);

	/* complete everything, then wrap: event at position 1 of lap 0 */
	while (dev_pop(&f->dev, &ci))
		dev_put(&f->dev, &ci, 1);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 7);
	set_device_event(f, VRING_PACKED_EVENT_FLAG_DESC, 1, 0);
	add_publish(f, 7, 1);			/* position 7, lap 1 */
	vc_ring_packed_kick(&f->r);
	assert_int_equal(f->notified, 1);
	add_publish(f, 8, 3);			/* 0..2 of lap 0: crosses 1 */
	vc_ring_packed_kick(&f->r);
	assert_int_equal(f->notified, 2);
	/* an event behind the published range (lap 0, position 0): no kick */
	while (dev_pop(&f->dev, &ci))
		dev_put(&f->dev, &ci, 1);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 4);
	set_device_event(f, VRING_PACKED_EVENT_FLAG_DESC, 0, 0);
	add_publish(f, 11, 2);			/* 3..4 of lap 0 */
	vc_ring_packed_kick(&f->r);
	assert_int_equal(f->notified, 2);
	/* the event from the previous lap crossed by a range that wraps */
	while (dev_pop(&f->dev, &ci))
		dev_put(&f->dev, &ci, 1);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 2);
	set_device_event(f, VRING_PACKED_EVENT_FLAG_DESC, 6, 0);
	add_publish(f, 13, 5);			/* 5..7 of lap 0, 0..1 of lap 1 */
	vc_ring_packed_kick(&f->r);
	assert_int_equal(f->notified, 3);
	assert_int_equal(f->r.stats.kicks, 3);
	fixture_free(f);
}

/* ---- used-buffer notifications (RX interrupts) ---- */

static void
test_intr_enable_disable(void **state)
{
	struct fixture *f = fixture_new(8, false, false);
	struct fixture *g = fixture_new(8, true, false);
	struct vc_ring_used out[8];
	struct chain_info ci;

	(void)state;
	/* nothing out: nothing pending */
	assert_false(vc_ring_packed_enable_intr(&f->r));
	assert_int_equal(f->r.driver->flags, VRING_PACKED_EVENT_FLAG_ENABLE);
	vc_ring_packed_disable_intr(&f->r);
	assert_int_equal(f->r.driver->flags, VRING_PACKED_EVENT_FLAG_DISABLE);
	add_publish(f, 0, 2);
	assert_false(vc_ring_packed_enable_intr(&f->r));	/* not used yet */
	assert_true(dev_pop(&f->dev, &ci));
	dev_put(&f->dev, &ci, 1);
	assert_true(vc_ring_packed_enable_intr(&f->r));	/* poll, don't sleep */

	/* event idx: DESC naming the next used position and wrap counter */
	add_publish(g, 0, 8);
	while (dev_pop(&g->dev, &ci))
		dev_put(&g->dev, &ci, 1);
	assert_int_equal(vc_ring_packed_dequeue(&g->r, out, 8), 8);
	add_publish(g, 8, 3);
	assert_false(vc_ring_packed_enable_intr(&g->r));
	assert_int_equal(g->r.driver->flags, VRING_PACKED_EVENT_FLAG_DESC);
	assert_int_equal(g->r.driver->off_wrap, 0);	/* position 0, wrap 0 */
	assert_true(dev_pop(&g->dev, &ci));
	dev_put(&g->dev, &ci, 1);
	assert_int_equal(vc_ring_packed_dequeue(&g->r, out, 8), 1);
	assert_false(vc_ring_packed_enable_intr(&g->r));
	assert_int_equal(g->r.driver->off_wrap, 1);
	vc_ring_packed_disable_intr(&g->r);
	assert_int_equal(g->r.driver->flags, VRING_PACKED_EVENT_FLAG_DISABLE);
	fixture_free(f);
	fixture_free(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem_size_layout),
		cmocka_unit_test(test_init_invalid),
		cmocka_unit_test(test_init_state),
		cmocka_unit_test(test_single_publish_dequeue),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_add_errors),
		cmocka_unit_test(test_wrap_size8),
		cmocka_unit_test(test_wrap_size256),
		cmocka_unit_test(test_wrap_size1),
		cmocka_unit_test(test_wrap_in_order),
		cmocka_unit_test(test_steady_single),
		cmocka_unit_test(test_fifo_ids),
		cmocka_unit_test(test_dequeue_max),
		cmocka_unit_test(test_pending_blocks_dequeue),
		cmocka_unit_test(test_kick_flags),
		cmocka_unit_test(test_kick_event_desc),
		cmocka_unit_test(test_intr_enable_disable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
