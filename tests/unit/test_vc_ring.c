/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * vc_ring (split ring, driver side) against the fake device of
 * tests/fakes/ring_fake_split.c: ring layout, init, add / publish /
 * dequeue, index wrap, kicks and event idx. Hostile devices, in-order
 * mode and indirect descriptors have their own test files.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ring_fake_split.h"

static void
test_mem_size_layout(void **state)
{
	static const uint16_t bad[] = { 0, 3, 6, 100, 40000, 65535 };
	uint32_t size;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vc_ring_mem_size(bad[i]), 0);

	for (size = 1; size <= VC_RING_SIZE_MAX; size <<= 1) {
		struct ring_fixture *f = fixture_new((uint16_t)size, true);
		uintptr_t base = (uintptr_t)f->mem;
		uintptr_t avail = (uintptr_t)f->r.avail, used = (uintptr_t)f->r.used;
		uintptr_t used_event_end = (uintptr_t)(vc_ring_used_event(&f->r) + 1);
		uintptr_t avail_event_end = (uintptr_t)(vc_ring_avail_event(&f->r) + 1);
		size_t sz = vc_ring_mem_size((uint16_t)size);
		uint64_t a, b, c;

		assert_ptr_equal(f->r.desc, f->mem);
		assert_int_equal(avail, base + 16 * size);
		assert_int_equal(used % 64, 0);
		/* the last driver-written byte and the first device-written one
		 * are on different cache lines */
		assert_true((used_event_end - 1) / 64 < used / 64);
		assert_true(avail_event_end <= base + sz);
		assert_int_equal(sz % 64, 0);
		assert_true(sz - (avail_event_end - base) < 64);

		vc_ring_addrs(&f->r, &a, &b, &c);
		assert_int_equal(a, base);
		assert_int_equal(b, avail);
		assert_int_equal(c, used);
		fixture_free(f);
	}
}

static void
test_init_invalid(void **state)
{
	struct vc_ring_slot slots[8];
	struct vc_ring r;
	uint8_t *mem = aligned_alloc(VC_RING_ALIGN, 2 * VC_RING_ALIGN);

	(void)state;
	assert_non_null(mem);
	assert_int_equal(vc_ring_init(&r, mem, 0, slots, false, NULL, NULL), -EINVAL);
	assert_int_equal(vc_ring_init(&r, mem, 6, slots, false, NULL, NULL), -EINVAL);
	assert_int_equal(vc_ring_init(&r, mem + 64, 8, slots, false, NULL, NULL), -EINVAL);
	assert_int_equal(vc_ring_init(&r, NULL, 8, slots, false, NULL, NULL), -EINVAL);
	assert_int_equal(vc_ring_init(&r, mem, 8, NULL, false, NULL, NULL), -EINVAL);
	assert_int_equal(vc_ring_init(NULL, mem, 8, slots, false, NULL, NULL), -EINVAL);
	assert_int_equal(vc_ring_init(&r, mem, 8, slots, false, NULL, NULL), 0);
	free(mem);
}

static void
test_init_state(void **state)
{
	struct ring_fixture *f = fixture_new(256, false);
	const uint8_t *p = f->mem;
	size_t i, sz = vc_ring_mem_size(256);
	size_t flags_off = (uintptr_t)&f->r.avail->flags - (uintptr_t)f->mem;
	size_t ue_off = (uintptr_t)vc_ring_used_event(&f->r) - (uintptr_t)f->mem;

	(void)state;
	assert_int_equal(vc_ring_free_count(&f->r), 256);
	assert_false(vc_ring_is_broken(&f->r));
	assert_int_equal(f->r.avail->flags, VRING_AVAIL_F_NO_INTERRUPT);
	assert_int_equal(f->r.avail->idx, 0);
	for (i = 0; i < sz; i++) {
		if (i == flags_off || i == flags_off + 1 || i == ue_off || i == ue_off + 1)
			continue;
		assert_int_equal(p[i], 0);
	}
	for (i = 0; i < 256; i++)
		assert_null(f->slots[i].cookie);
	fixture_free(f);
}

static void
test_single_add_publish_dequeue(void **state)
{
	struct ring_fixture *f = fixture_new(8, false);
	struct vc_ring_used out[8];
	struct chain_info ci;
	uint32_t rx_head, tx_head;

	(void)state;
	assert_int_equal(vc_ring_add_one(&f->r, 0x10000, 2048, true, COOKIE(1)), 0);
	assert_int_equal(vc_ring_add_one(&f->r, 0x20000, 60, false, COOKIE(2)), 0);
	assert_int_equal(vc_ring_free_count(&f->r), 6);
	/* nothing visible before publish */
	assert_int_equal(dev_avail_pending(&f->dev), 0);
	assert_int_equal(vc_ring_dequeue(&f->r, out, 8), 0);
	vc_ring_publish(&f->r);
	assert_int_equal(f->r.avail->idx, 2);
	assert_int_equal(dev_avail_pending(&f->dev), 2);

	assert_true(dev_pop(&f->dev, &ci));
	assert_int_equal(ci.ndescs, 1);
	assert_int_equal(ci.addrs[0], 0x10000);
	assert_int_equal(ci.lens[0], 2048);
	assert_true(ci.writable[0]);
	rx_head = ci.head;
	assert_true(dev_pop(&f->dev, &ci));
	assert_int_equal(ci.ndescs, 1);
	assert_int_equal(ci.addrs[0], 0x20000);
	assert_int_equal(ci.lens[0], 60);
	assert_false(ci.writable[0]);
	tx_head = ci.head;
	assert_int_not_equal(rx_head, tx_head);

	/* complete out of order; tx len is meaningless and comes back 0 */
	dev_push(&f->dev, tx_head, 60);
	dev_push(&f->dev, rx_head, 1500);
	assert_int_equal(vc_ring_dequeue(&f->r, out, 8), 2);
	assert_ptr_equal(out[0].cookie, COOKIE(2));
	assert_int_equal(out[0].len, 0);
	assert_ptr_equal(out[1].cookie, COOKIE(1));
	assert_int_equal(out[1].len, 1500);
	assert_int_equal(vc_ring_free_count(&f->r), 8);
	assert_int_equal(f->r.stats.invalid_used, 0);
	/* nothing more */
	assert_int_equal(vc_ring_dequeue(&f->r, out, 8), 0);
	fixture_free(f);
}

static void
test_chain(void **state)
{
	struct ring_fixture *f = fixture_new(8, false);
	const struct vc_ring_seg segs[4] = {
		{ 0x1000, 12, false }, { 0x2000, 100, true },
		{ 0x3000, 200, true }, { 0x4000, 300, true },
	};
	struct vc_ring_used out[4];
	struct chain_info ci;
	uint16_t n, k;

	(void)state;
	for (n = 1; n <= 4; n++) {
		uint32_t want_wlen = 0;

		for (k = 0; k < n; k++)
			want_wlen += segs[k].writable ? segs[k].len : 0;
		assert_int_equal(vc_ring_add_chain(&f->r, segs, n, COOKIE(n)), 0);
		assert_int_equal(vc_ring_free_count(&f->r), 8 - n);
		vc_ring_publish(&f->r);
		assert_true(dev_pop(&f->dev, &ci));
		assert_int_equal(ci.ndescs, n);
		assert_int_equal(ci.wlen, want_wlen);
		for (k = 0; k < n; k++) {
			assert_int_equal(ci.addrs[k], segs[k].addr);
			assert_int_equal(ci.lens[k], segs[k].len);
			assert_int_equal(ci.writable[k], segs[k].writable);
		}
		assert_int_equal(f->slots[ci.head].last, ci.descs[n - 1]);
		assert_int_equal(f->slots[ci.head].ndescs, n);
		dev_push(&f->dev, ci.head, want_wlen);
		assert_int_equal(vc_ring_dequeue(&f->r, out, 4), 1);
		assert_ptr_equal(out[0].cookie, COOKIE(n));
		assert_int_equal(out[0].len, want_wlen);
		assert_int_equal(vc_ring_free_count(&f->r), 8);
	}
	assert_int_equal(f->r.stats.invalid_used, 0);
	fixture_free(f);
}

static void
test_add_errors(void **state)
{
	struct ring_fixture *f = fixture_new(8, false);
	struct vc_ring_seg segs[9];
	uint16_t k;

	(void)state;
	for (k = 0; k < 9; k++)
		segs[k] = (struct vc_ring_seg){ 0x1000u * (k + 1), 64, true };
	assert_int_equal(vc_ring_add_chain(&f->r, segs, 0, COOKIE(1)), -EINVAL);
	assert_int_equal(vc_ring_add_chain(&f->r, segs, 9, COOKIE(1)), -EINVAL);
	assert_int_equal(vc_ring_add_chain(&f->r, segs, 2, NULL), -EINVAL);
	segs[0].len = UINT32_MAX;
	assert_int_equal(vc_ring_add_chain(&f->r, segs, 2, COOKIE(1)), -EINVAL);
	segs[0].len = 64;
	assert_int_equal(vc_ring_free_count(&f->r), 8);

	assert_int_equal(vc_ring_add_chain(&f->r, segs, 8, COOKIE(1)), 0);
	assert_int_equal(vc_ring_free_count(&f->r), 0);
	assert_int_equal(vc_ring_add_one(&f->r, 0x9000, 64, true, COOKIE(2)), -ENOSPC);
	assert_int_equal(vc_ring_add_chain(&f->r, segs, 1, COOKIE(2)), -ENOSPC);
	assert_int_equal(f->r.avail_idx, 1);
	fixture_free(f);

	f = fixture_new(8, false);
	assert_int_equal(vc_ring_add_chain(&f->r, segs, 5, COOKIE(1)), 0);
	assert_int_equal(vc_ring_add_chain(&f->r, segs, 4, COOKIE(2)), -ENOSPC);
	assert_int_equal(vc_ring_free_count(&f->r), 3);
	assert_int_equal(f->r.avail_idx, 1);
	assert_int_equal(vc_ring_add_chain(&f->r, segs, 3, COOKIE(2)), 0);
	assert_int_equal(vc_ring_free_count(&f->r), 0);
	fixture_free(f);
}

/*
 * Many cycles with mixed chain lengths, batch sizes and completion orders,
 * long enough for the 16-bit indices to wrap twice. Checks each cookie comes
 * back exactly once with its len and that no descriptor is ever handed out
 * twice.
 */
static void
run_wrap(uint16_t size)
{
	struct ring_fixture *f = fixture_new(size, false);
	unsigned int *owner = calloc(size, sizeof(*owner));	/* cookie num + 1 */
	bool *done = NULL;
	struct vc_ring_used *out = calloc(size, sizeof(*out));
	struct chain_info *pending = calloc(size, sizeof(*pending));
	struct vc_ring_seg segs[4];
	unsigned int next_cookie = 0, completed = 0, outstanding = 0, total_ops;
	uint32_t rng = 12345;
	unsigned int cap = 1u << 20;

	assert_non_null(owner);
	assert_non_null(out);
	assert_non_null(pending);
	done = calloc(cap, sizeof(*done));
	assert_non_null(done);
	total_ops = 10u * size > 140000 ? 10u * size : 140000;

	while (next_cookie < total_ops) {
		unsigned int npend = 0, i, nadd;
		uint16_t got;

		/* add a batch */
		rng = rng * 1103515245u + 12345u;
		nadd = 1 + (rng >> 16) % size;
		for (i = 0; i < nadd; i++) {
			uint16_t n = 1 + ((rng >> (i % 13)) & 3), k;
			int rc;

			if (n > size)
				n = size;
			for (k = 0; k < n; k++)
				segs[k] = (struct vc_ring_seg){ 0x100000u + next_cookie * 16u + k,
								100u + k, true };
			if (n == 1)
				rc = vc_ring_add_one(&f->r, segs[0].addr, segs[0].len, true,
						     COOKIE(next_cookie));
			else
				rc = vc_ring_add_chain(&f->r, segs, n, COOKIE(next_cookie));
			if (rc == -ENOSPC) {
				assert_true(vc_ring_free_count(&f->r) < n);
				break;
			}
			assert_int_equal(rc, 0);
			next_cookie++;
			outstanding++;
		}
		vc_ring_publish(&f->r);

		/* device pops all; checks descriptor ownership */
		while (dev_pop(&f->dev, &pending[npend])) {
			struct chain_info *ci = &pending[npend];
			uint16_t k;

			for (k = 0; k < ci->ndescs; k++) {
				assert_int_equal(owner[ci->descs[k]], 0);
				owner[ci->descs[k]] = 1 + (unsigned int)(ci->addrs[0] - 0x100000u) / 16u;
			}
			npend++;
		}
		/* complete in a scrambled order: reversed or rotated */
		for (i = 0; i < npend; i++) {
			unsigned int j = (rng & 1) ? npend - 1 - i : (i + rng % npend) % npend;
			struct chain_info *ci = &pending[j];
			uint16_t k;

			for (k = 0; k < ci->ndescs; k++)
				owner[ci->descs[k]] = 0;
			dev_put(&f->dev, ci->head, ci->wlen - (ci->wlen > 0 ? 1 : 0));
		}
		dev_publish(&f->dev);

		/* dequeue in bursts of at most 7 */
		do {
			uint16_t k;

			got = vc_ring_dequeue(&f->r, out, 7);
			for (k = 0; k < got; k++) {
				unsigned int c = COOKIE_NUM(out[k].cookie);

				assert_true(c < next_cookie);
				assert_false(done[c]);
				done[c] = true;
				assert_int_not_equal(out[k].len, VC_RING_LEN_BAD);
				completed++;
				outstanding--;
			}
		} while (got > 0);
		assert_int_equal(outstanding, 0);
		assert_int_equal(vc_ring_free_count(&f->r), size);
	}
	assert_int_equal(completed, next_cookie);
	assert_true(next_cookie > 2u * 65536u);
	assert_int_equal(f->r.stats.invalid_used, 0);
	assert_false(vc_ring_is_broken(&f->r));
	free(done);
	free(owner);
	free(out);
	free(pending);
	fixture_free(f);
}

static void
test_wrap_size8(void **state)
{
	(void)state;
	run_wrap(8);
}

static void
test_wrap_size256(void **state)
{
	(void)state;
	run_wrap(256);
}

static void
test_wrap_size1(void **state)
{
	(void)state;
	run_wrap(1);
}

/* Ring kept full and drained one at a time: the common RX refill pattern. */
static void
test_steady_state_single(void **state)
{
	struct ring_fixture *f = fixture_new(256, false);
	struct vc_ring_used out[1];
	struct chain_info ci;
	unsigned int i, next = 0, expect = 0;

	(void)state;
	while (vc_ring_free_count(&f->r) > 0) {
		assert_int_equal(vc_ring_add_one(&f->r, next, 2048, true, COOKIE(next)), 0);
		next++;
	}
	vc_ring_publish(&f->r);
	for (i = 0; i < 200000; i++) {
		assert_true(dev_pop(&f->dev, &ci));
		assert_int_equal(ci.addrs[0], expect);
		dev_push(&f->dev, ci.head, 64);
		assert_int_equal(vc_ring_dequeue(&f->r, out, 1), 1);
		assert_int_equal(COOKIE_NUM(out[0].cookie), expect);
		expect++;
		assert_int_equal(vc_ring_add_one(&f->r, next, 2048, true, COOKIE(next)), 0);
		next++;
		vc_ring_publish(&f->r);
		assert_int_equal(vc_ring_free_count(&f->r), 0);
	}
	fixture_free(f);
}

/*
 * Completed descriptors go back to the tail of the free list: a device
 * that completes in order, in bursts of any size, gets descriptor i in
 * avail slot i lap after lap (the table read in order, the avail ring's
 * values unchanged). A free list taken from the front would hand each
 * burst's descriptors back reversed.
 */
static void
test_fifo_reuse(void **state)
{
	struct ring_fixture *f = fixture_new(64, false);
	struct vc_ring_used out[64];
	struct chain_info ci;
	unsigned int lap, burst, k, next = 0, expect = 0, pos = 0;

	(void)state;
	while (vc_ring_free_count(&f->r) > 0) {
		assert_int_equal(vc_ring_add_one(&f->r, next, 2048, true, COOKIE(next)), 0);
		next++;
	}
	vc_ring_publish(&f->r);
	for (lap = 0; lap < 40; lap++) {
		burst = 1 + (lap * 7) % 32;
		for (k = 0; k < burst; k++) {
			assert_true(dev_pop(&f->dev, &ci));
			assert_int_equal(ci.head, pos % 64);
			assert_int_equal(le16toh(f->r.avail->ring[pos % 64]), pos % 64);
			pos++;
			dev_put(&f->dev, ci.head, 64);
		}
		dev_publish(&f->dev);
		assert_int_equal(vc_ring_dequeue(&f->r, out, 64), burst);
		for (k = 0; k < burst; k++)
			assert_int_equal(COOKIE_NUM(out[k].cookie), expect++);
		for (k = 0; k < burst; k++) {
			assert_int_equal(vc_ring_add_one(&f->r, next, 2048, true, COOKIE(next)), 0);
			next++;
		}
		vc_ring_publish(&f->r);
	}
	fixture_free(f);
}

static void
test_dequeue_max(void **state)
{
	struct ring_fixture *f = fixture_new(8, false);
	struct vc_ring_used out[8];
	struct chain_info ci;
	unsigned int i;

	(void)state;
	for (i = 0; i < 5; i++)
		assert_int_equal(vc_ring_add_one(&f->r, i, 10, true, COOKIE(i)), 0);
	vc_ring_publish(&f->r);
	while (dev_pop(&f->dev, &ci))
		dev_put(&f->dev, ci.head, 5);
	dev_publish(&f->dev);
	assert_int_equal(vc_ring_dequeue(&f->r, out, 2), 2);
	assert_ptr_equal(out[0].cookie, COOKIE(0));
	assert_ptr_equal(out[1].cookie, COOKIE(1));
	assert_int_equal(vc_ring_free_count(&f->r), 5);
	assert_int_equal(vc_ring_dequeue(&f->r, out, 0), 0);
	assert_int_equal(vc_ring_dequeue(&f->r, out, 8), 3);
	assert_ptr_equal(out[2].cookie, COOKIE(4));
	assert_int_equal(vc_ring_free_count(&f->r), 8);
	fixture_free(f);
}

static void
test_kick_no_notify(void **state)
{
	struct ring_fixture *f = fixture_new(8, false);

	(void)state;
	/* nothing published: no kick */
	vc_ring_kick(&f->r);
	assert_int_equal(f->notified, 0);

	assert_int_equal(vc_ring_add_one(&f->r, 1, 1, true, COOKIE(1)), 0);
	vc_ring_publish(&f->r);
	vc_ring_kick(&f->r);
	assert_int_equal(f->notified, 1);
	assert_int_equal(f->r.stats.kicks, 1);
	/* nothing new since the last kick */
	vc_ring_kick(&f->r);
	assert_int_equal(f->notified, 1);

	f->r.used->flags = VRING_USED_F_NO_NOTIFY;
	assert_int_equal(vc_ring_add_one(&f->r, 2, 1, true, COOKIE(2)), 0);
	vc_ring_publish(&f->r);
	vc_ring_kick(&f->r);
	assert_int_equal(f->notified, 1);
	assert_int_equal(f->r.stats.kicks, 1);

	/* avail_event is ignored without event idx */
	f->r.used->flags = 0;
	*vc_ring_avail_event(&f->r) = 100;
	assert_int_equal(vc_ring_add_one(&f->r, 3, 1, true, COOKIE(3)), 0);
	vc_ring_publish(&f->r);
	vc_ring_kick(&f->r);
	assert_int_equal(f->notified, 2);
	assert_int_equal(f->r.stats.kicks, 2);
	fixture_free(f);
}

static void
test_kick_event_idx(void **state)
{
	struct ring_fixture *f = fixture_new(64, true);

	(void)state;
	/* NO_NOTIFY is ignored with event idx; avail_event 0: first add kicks */
	f->r.used->flags = VRING_USED_F_NO_NOTIFY;
	add_publish(f, 1);		/* avail 0 -> 1 crosses event 0 */
	vc_ring_kick(&f->r);
	assert_int_equal(f->notified, 1);

	add_publish(f, 2);		/* 1 -> 3, event still 0: no */
	vc_ring_kick(&f->r);
	assert_int_equal(f->notified, 1);

	*vc_ring_avail_event(&f->r) = 5;
	add_publish(f, 2);		/* 3 -> 5: entry 5 not yet written */
	vc_ring_kick(&f->r);
	assert_int_equal(f->notified, 1);
	add_publish(f, 1);		/* 5 -> 6: crosses 5 */
	vc_ring_kick(&f->r);
	assert_int_equal(f->notified, 2);

	/* batch of several publishes, one kick: old is the last kick point */
	*vc_ring_avail_event(&f->r) = 7;
	add_publish(f, 1);		/* 6 -> 7 */
	add_publish(f, 3);		/* 7 -> 10 */
	vc_ring_kick(&f->r);		/* [6, 10) holds 7 */
	assert_int_equal(f->notified, 3);

	/* avail_event behind: no kick */
	*vc_ring_avail_event(&f->r) = 2;
	add_publish(f, 4);
	vc_ring_kick(&f->r);
	assert_int_equal(f->notified, 3);
	assert_int_equal(f->r.stats.kicks, 3);
	fixture_free(f);
}

/* With event idx the device must never find used_event crossed. */
static void
test_used_event_never_crossed(void **state)
{
	struct ring_fixture *f = fixture_new(8, true);
	struct vc_ring_used out[8];
	struct chain_info ci;
	unsigned int i, k, interrupts = 0;

	(void)state;
	for (i = 0; i < 70000; i++) {
		unsigned int n = 1 + i % 8;

		add_publish(f, n);
		for (k = 0; k < n; k++) {
			uint16_t old = f->dev.used_idx;

			assert_true(dev_pop(&f->dev, &ci));
			dev_push(&f->dev, ci.head, 1);
			if (vring_need_event(*vc_ring_used_event(&f->r), f->dev.used_idx, old))
				interrupts++;
		}
		assert_int_equal(vc_ring_dequeue(&f->r, out, 8), n);
	}
	assert_int_equal(interrupts, 0);
	fixture_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem_size_layout),
		cmocka_unit_test(test_init_invalid),
		cmocka_unit_test(test_init_state),
		cmocka_unit_test(test_single_add_publish_dequeue),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_add_errors),
		cmocka_unit_test(test_wrap_size1),
		cmocka_unit_test(test_wrap_size8),
		cmocka_unit_test(test_wrap_size256),
		cmocka_unit_test(test_steady_state_single),
		cmocka_unit_test(test_fifo_reuse),
		cmocka_unit_test(test_dequeue_max),
		cmocka_unit_test(test_kick_no_notify),
		cmocka_unit_test(test_kick_event_idx),
		cmocka_unit_test(test_used_event_never_crossed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
