/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * vc_ring_packed with VIRTIO_F_IN_ORDER against the fake device of
 * tests/fakes/ring_fake_packed.c: one used descriptor closing a batch,
 * the used ids an in-order device may not name, and the read position the
 * driver publishes for a device resuming the ring (devsim/virtio_resume.h).
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <endian.h>

#include <devsim/virtio_resume.h>

#include "ring_fake_packed.h"

/* The resume word as the device reads it. */
static uint32_t
resume_word(const struct fixture *f)
{
	return le32toh(__atomic_load_n(f->r.resume, __ATOMIC_ACQUIRE));
}

static void
test_in_order_batch(void **state)
{
	struct fixture *f = fixture_new(8, false, true);
	const struct vc_ring_seg segs[2] = { { 0x1000, 12, false }, { 0x2000, 60, false } };
	struct vc_ring_used out[8];
	struct chain_info ci[4];
	unsigned int k;

	(void)state;
	assert_int_equal(vc_ring_packed_add_one(&f->r, 0x100, 10, false, COOKIE(0)), 0);
	assert_int_equal(vc_ring_packed_add_chain(&f->r, segs, 2, COOKIE(1)), 0);
	assert_int_equal(vc_ring_packed_add_one(&f->r, 0x300, 10, false, COOKIE(2)), 0);
	assert_int_equal(vc_ring_packed_add_one(&f->r, 0x400, 10, false, COOKIE(3)), 0);
	vc_ring_packed_publish(&f->r);
	assert_int_equal(vc_ring_packed_resume_addr(&f->r), (uintptr_t)f->r.resume);
	assert_int_equal(resume_word(f), devsim_resume_word(0, true, 0, false));
	for (k = 0; k < 4; k++)
		assert_true(dev_pop(&f->dev, &ci[k]));
	/* ids are head positions */
	assert_int_equal(ci[1].id, 1);
	assert_int_equal(ci[2].id, 3);
	/* one used descriptor closes the first three buffers (4 descriptors) */
	dev_put_raw(&f->dev, ci[2].id, 0, VC_PDESC_F_AU, 4);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 2), 2);
	assert_ptr_equal(out[0].cookie, COOKIE(0));
	assert_ptr_equal(out[1].cookie, COOKIE(1));
	/* published: at slot 3, inside the batch that id 3 closes */
	assert_int_equal(resume_word(f), devsim_resume_word(3, true, 3, true));
	/* the rest of the batch without reading the ring again */
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 1);
	assert_ptr_equal(out[0].cookie, COOKIE(2));
	assert_int_equal(vc_ring_packed_free_count(&f->r), 7);
	assert_int_equal(resume_word(f), devsim_resume_word(4, true, 0, false));
	dev_put(&f->dev, &ci[3], 0);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 1);
	assert_ptr_equal(out[0].cookie, COOKIE(3));
	assert_int_equal(resume_word(f), devsim_resume_word(5, true, 0, false));
	assert_int_equal(vc_ring_packed_free_count(&f->r), 8);
	assert_false(vc_ring_packed_is_broken(&f->r));
	fixture_free(f);
}

static void
test_in_order_bad_ids(void **state)
{
	unsigned int t;

	(void)state;
	for (t = 0; t < 3; t++) {
		struct fixture *f = fixture_new(8, false, true);
		const struct vc_ring_seg segs[2] = { { 0x1000, 12, false }, { 0x2000, 60, false } };
		struct vc_ring_used out[8];
		struct chain_info ci;
		static const uint16_t ids[] = { 1 /* inside a chain */, 4 /* not made available */,
						9 /* out of range */ };

		assert_int_equal(vc_ring_packed_add_chain(&f->r, segs, 2, COOKIE(0)), 0);
		assert_int_equal(vc_ring_packed_add_one(&f->r, 0x300, 10, false, COOKIE(1)), 0);
		vc_ring_packed_publish(&f->r);
		/* position 4 held a buffer once: a stale id there must not match */
		if (t == 1)
			f->slots[4].cookie = NULL;
		assert_true(dev_pop(&f->dev, &ci));
		dev_put_raw(&f->dev, ids[t], 0, VC_PDESC_F_AU, 2);
		assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 0);
		assert_true(vc_ring_packed_is_broken(&f->r));
		assert_int_equal(f->r.stats.invalid_used, 1);
		fixture_free(f);
	}
}

/* In-order: a used id that is outstanding but outside the window. */
static void
test_in_order_outside_window(void **state)
{
	struct fixture *f = fixture_new(8, false, true);
	struct vc_ring_used out[8];
	struct chain_info ci;

	(void)state;
	add_publish(f, 0, 2);
	/* forge an outstanding-looking slot beyond the window */
	f->slots[5].cookie = COOKIE(99);
	f->slots[5].ndescs = 1;
	assert_true(dev_pop(&f->dev, &ci));
	dev_put_raw(&f->dev, 5, 0, VC_PDESC_F_AU, 1);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 0);
	assert_true(vc_ring_packed_is_broken(&f->r));
	assert_string_equal(f->r.broken_reason,
			    "in-order used id lies outside the buffers made available");
	fixture_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order_batch),
		cmocka_unit_test(test_in_order_bad_ids),
		cmocka_unit_test(test_in_order_outside_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
