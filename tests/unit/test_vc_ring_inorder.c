/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * vc_ring in VIRTIO_F_IN_ORDER mode against the fake device of
 * tests/fakes/ring_fake_split.c: descriptors in table order, batches
 * closed by one used entry, bad receive entries, indirect tables.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ring_fake_split.h"

/* Descriptors in table order, cookies back in order, over many wraps. */
static void
test_io_sequential_wrap(void **state)
{
	struct ring_fixture *f = fixture_new_io(8);
	struct vc_ring_used out[8];
	struct chain_info ci;
	unsigned int next = 0, done = 0, round, k;

	(void)state;
	for (round = 0; round < 50; round++) {
		for (k = 0; k < 5; k++)
			assert_int_equal(vc_ring_io_add_one(&f->r, 0x1000 * (next + k), 100,
							    true, COOKIE(next + k)), 0);
		vc_ring_publish(&f->r);
		for (k = 0; k < 5; k++) {
			assert_true(dev_pop(&f->dev, &ci));
			assert_int_equal(ci.head, (next + k) & 7);
			dev_put(&f->dev, ci.head, 60 + k);
		}
		dev_publish(&f->dev);
		assert_int_equal(vc_ring_io_dequeue(&f->r, out, 8), 5);
		for (k = 0; k < 5; k++) {
			assert_ptr_equal(out[k].cookie, COOKIE(done + k));
			assert_int_equal(out[k].len, 60 + k);
		}
		next += 5;
		done += 5;
		assert_int_equal(vc_ring_free_count(&f->r), 8);
	}
	assert_int_equal(f->r.stats.invalid_used, 0);
	fixture_free(f);
}

/* Transmit batches may be reported by one used entry (2.7.9). */
static void
test_io_tx_batch_one_entry(void **state)
{
	struct ring_fixture *f = fixture_new_io(16);
	struct vc_ring_seg segs[3] = {
		{ .addr = 0x100, .len = 12 }, { .addr = 0x200, .len = 60 },
		{ .addr = 0x300, .len = 40 },
	};
	struct vc_ring_used out[16];
	struct chain_info ci;
	unsigned int k;

	(void)state;
	assert_int_equal(vc_ring_io_add_one(&f->r, 0x10, 64, false, COOKIE(0)), 0);
	assert_int_equal(vc_ring_io_add_chain(&f->r, segs, 3, COOKIE(1)), 0);
	assert_int_equal(vc_ring_io_add_one(&f->r, 0x20, 64, false, COOKIE(2)), 0);
	assert_int_equal(vc_ring_free_count(&f->r), 16 - 5);
	vc_ring_publish(&f->r);
	for (k = 0; k < 3; k++)
		assert_true(dev_pop(&f->dev, &ci));
	assert_int_equal(ci.head, 4); /* chain took descriptors 1..3 */
	/* One entry at the batch's first slot, naming the last buffer. */
	dev_put(&f->dev, 4, 0);
	f->dev.used_idx += 2;
	dev_publish(&f->dev);
	assert_int_equal(vc_ring_io_dequeue(&f->r, out, 16), 3);
	for (k = 0; k < 3; k++) {
		assert_ptr_equal(out[k].cookie, COOKIE(k));
		assert_int_equal(out[k].len, 0);
	}
	assert_int_equal(vc_ring_free_count(&f->r), 16);
	assert_int_equal(f->r.stats.invalid_used, 0);
	fixture_free(f);
}

/* Receive entries must name the expected head and fit what was posted. */
static void
test_io_rx_bad_entries(void **state)
{
	struct ring_fixture *f = fixture_new_io(8);
	struct vc_ring_used out[8];
	struct chain_info ci;
	unsigned int k;

	(void)state;
	for (k = 0; k < 3; k++)
		assert_int_equal(vc_ring_io_add_one(&f->r, 0x1000 * k, 100, true, COOKIE(k)), 0);
	vc_ring_publish(&f->r);
	for (k = 0; k < 3; k++)
		assert_true(dev_pop(&f->dev, &ci));
	dev_put(&f->dev, 0, 100);	/* fine */
	dev_put(&f->dev, 7, 50);	/* out of order: head 1 expected */
	dev_put(&f->dev, 2, 101);	/* longer than posted */
	dev_publish(&f->dev);
	assert_int_equal(vc_ring_io_dequeue(&f->r, out, 8), 3);
	assert_int_equal(out[0].len, 100);
	assert_int_equal(out[1].len, VC_RING_LEN_BAD);
	assert_int_equal(out[2].len, VC_RING_LEN_BAD);
	for (k = 0; k < 3; k++)
		assert_ptr_equal(out[k].cookie, COOKIE(k)); /* no leak */
	assert_int_equal(f->r.stats.invalid_used, 2);
	assert_int_equal(vc_ring_free_count(&f->r), 8);
	fixture_free(f);
}

/* used->idx past what was made available latches broken. */
static void
test_io_used_idx_overrun(void **state)
{
	struct ring_fixture *f = fixture_new_io(8);
	struct vc_ring_used out[8];

	(void)state;
	assert_int_equal(vc_ring_io_add_one(&f->r, 0x10, 64, false, COOKIE(0)), 0);
	vc_ring_publish(&f->r);
	f->dev.used_idx = 2;
	dev_publish(&f->dev);
	assert_int_equal(vc_ring_io_dequeue(&f->r, out, 8), 0);
	assert_true(vc_ring_is_broken(&f->r));
	assert_ptr_equal(vc_ring_detach_unused(&f->r), COOKIE(0));
	assert_null(vc_ring_detach_unused(&f->r));
	vc_ring_reinit(&f->r);
	assert_false(vc_ring_is_broken(&f->r));
	assert_true(f->r.in_order);
	assert_int_equal(f->r.next_desc, 0);
	fixture_free(f);
}

/* Chains wrap around the end of the table; ENOSPC leaves no trace. */
static void
test_io_chain_wrap_and_full(void **state)
{
	struct ring_fixture *f = fixture_new_io(4);
	struct vc_ring_seg segs[3] = {
		{ .addr = 0x100, .len = 12 }, { .addr = 0x200, .len = 60 },
		{ .addr = 0x300, .len = 40, .writable = true },
	};
	struct vc_ring_used out[4];
	struct chain_info ci;

	(void)state;
	assert_int_equal(vc_ring_io_add_one(&f->r, 0x10, 8, false, COOKIE(0)), 0);
	assert_int_equal(vc_ring_io_add_one(&f->r, 0x20, 8, false, COOKIE(1)), 0);
	assert_int_equal(vc_ring_io_add_chain(&f->r, segs, 3, COOKIE(2)), -ENOSPC);
	vc_ring_publish(&f->r);
	assert_true(dev_pop(&f->dev, &ci));
	assert_true(dev_pop(&f->dev, &ci));
	dev_push(&f->dev, 1, 0);
	f->dev.used_idx++;
	dev_publish(&f->dev);
	assert_int_equal(vc_ring_io_dequeue(&f->r, out, 4), 2);
	/* next_desc is 2: the chain takes 2, 3, 0 */
	assert_int_equal(vc_ring_io_add_chain(&f->r, segs, 3, COOKIE(2)), 0);
	vc_ring_publish(&f->r);
	assert_true(dev_pop(&f->dev, &ci));
	assert_int_equal(ci.ndescs, 3);
	assert_int_equal(ci.descs[0], 2);
	assert_int_equal(ci.descs[1], 3);
	assert_int_equal(ci.descs[2], 0);
	assert_int_equal(ci.wlen, 40);
	dev_push(&f->dev, 2, 40);
	assert_int_equal(vc_ring_io_dequeue(&f->r, out, 4), 1);
	assert_ptr_equal(out[0].cookie, COOKIE(2));
	assert_int_equal(out[0].len, 40);
	fixture_free(f);
}

/*
 * In-order: a table takes the next descriptor in table order, batches may
 * be closed by one used entry, and receive-style entries are still checked
 * (expected head, posted length).
 */
static void
test_io_indirect(void **state)
{
	struct ring_fixture *f = fixture_new_io(8);
	const struct vc_ring_seg segs[5] = {
		{ 0x1000, 12, false }, { 0x2000, 100, false }, { 0x3000, 200, false },
		{ 0x4000, 300, false }, { 0x5000, 400, false },
	};
	const struct vc_ring_seg rx[2] = { { 0x6000, 12, true }, { 0x7000, 1500, true } };
	struct vring_desc table[8][5];
	struct vc_ring_used out[8];
	struct chain_info ci[4];
	unsigned int k, round;

	(void)state;
	assert_int_equal(vc_ring_io_add_one(&f->r, 0x10, 64, false, COOKIE(0)), 0);
	assert_int_equal(vc_ring_next_desc(&f->r), 1);
	assert_int_equal(vc_ring_io_add_indirect(&f->r, table[1], segs, 5, COOKIE(1)), 0);
	assert_int_equal(vc_ring_io_add_chain(&f->r, segs, 2, COOKIE(2)), 0);
	assert_int_equal(vc_ring_next_desc(&f->r), 4);
	assert_int_equal(vc_ring_io_add_indirect(&f->r, table[4], segs, 3, COOKIE(3)), 0);
	assert_int_equal(vc_ring_free_count(&f->r), 8 - 5);
	vc_ring_publish(&f->r);
	for (k = 0; k < 4; k++)
		assert_true(dev_pop(&f->dev, &ci[k]));
	assert_int_equal(ci[1].head, 1);
	assert_true(ci[1].indirect);
	assert_int_equal(ci[1].ndescs, 5);
	assert_int_equal(ci[2].head, 2);
	assert_false(ci[2].indirect);
	assert_int_equal(ci[3].head, 4);
	assert_true(ci[3].indirect);
	assert_int_equal(ci[3].ndescs, 3);
	/* one used entry closes the whole transmit batch */
	dev_put(&f->dev, 4, 0);
	f->dev.used_idx += 3;
	dev_publish(&f->dev);
	assert_int_equal(vc_ring_io_dequeue(&f->r, out, 8), 4);
	for (k = 0; k < 4; k++)
		assert_ptr_equal(out[k].cookie, COOKIE(k));
	assert_int_equal(vc_ring_free_count(&f->r), 8);

	/* receive-style tables over many wraps: right head and len, or flagged */
	for (round = 0; round < 40; round++) {
		uint16_t head = vc_ring_next_desc(&f->r);

		assert_int_equal(vc_ring_io_add_indirect(&f->r, table[head], rx, 2,
							 COOKIE(10 + round)), 0);
		vc_ring_publish(&f->r);
		assert_true(dev_pop(&f->dev, &ci[0]));
		assert_int_equal(ci[0].head, head);
		assert_int_equal(ci[0].wlen, 1512);
		dev_push(&f->dev, round % 4 == 3 ? (uint16_t)(head + 1) & 7 : head,
			 round % 4 == 1 ? 1513 : 1000);
		assert_int_equal(vc_ring_io_dequeue(&f->r, out, 8), 1);
		assert_ptr_equal(out[0].cookie, COOKIE(10 + round));
		assert_int_equal(out[0].len, round % 4 == 1 || round % 4 == 3 ?
				 VC_RING_LEN_BAD : 1000);
		assert_int_equal(vc_ring_free_count(&f->r), 8);
	}
	assert_int_equal(f->r.stats.invalid_used, 20);
	fixture_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_io_indirect),
		cmocka_unit_test(test_io_sequential_wrap),
		cmocka_unit_test(test_io_tx_batch_one_entry),
		cmocka_unit_test(test_io_rx_bad_entries),
		cmocka_unit_test(test_io_used_idx_overrun),
		cmocka_unit_test(test_io_chain_wrap_and_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
