/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * vc_ring_packed against a hostile fake device
 * (tests/fakes/ring_fake_packed.c): wrong wrap bits, ids out of range
 * or not outstanding, lengths past the posted buffer; then teardown and
 * reinit after a broken ring.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "ring_fake_packed.h"

/* ---- hostile device ---- */

static void
test_wrong_wrap_bits(void **state)
{
	static const uint16_t bad_au[] = { 0 /* AVAIL=USED=0 in lap 1 */,
					   VC_PDESC_F_USED /* avail of lap 0 */ };
	unsigned int t;

	(void)state;
	for (t = 0; t < 2; t++) {
		struct fixture *f = fixture_new(8, false, false);
		struct vc_ring_used out[8];
		struct chain_info ci;

		add_publish(f, 0, 2);
		assert_true(dev_pop(&f->dev, &ci));
		dev_put_raw(&f->dev, ci.id, 10, bad_au[t], 1);
		assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 0);
		assert_true(vc_ring_packed_is_broken(&f->r));
		assert_string_equal(f->r.broken_reason,
				    "used descriptor with a wrong wrap counter");
		/* latched: a correct entry afterwards is not read */
		f->dev.used_pos = 0;
		dev_put(&f->dev, &ci, 10);
		assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 0);
		fixture_free(f);
	}
}

/* Our own available descriptor is not mistaken for a used one. */
static void
test_avail_not_used(void **state)
{
	struct fixture *f = fixture_new(8, false, false);
	struct vc_ring_used out[8];
	struct chain_info ci;
	unsigned int k;

	(void)state;
	/* second lap: the avail pattern is AVAIL=0, USED=1 */
	for (k = 0; k < 1; k++) {
		add_publish(f, 8 * k, 8);
		while (dev_pop(&f->dev, &ci))
			dev_put(&f->dev, &ci, 1);
		assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 8);
	}
	add_publish(f, 100, 3);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 0);
	assert_false(vc_ring_packed_is_broken(&f->r));
	fixture_free(f);
}

static void
test_bad_id(void **state)
{
	struct fixture *f = fixture_new(8, false, false);
	struct vc_ring_used out[8];
	struct chain_info ci;

	(void)state;
	add_publish(f, 0, 2);
	assert_true(dev_pop(&f->dev, &ci));
	ci.id = 8;
	dev_put(&f->dev, &ci, 10);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 0);
	assert_true(vc_ring_packed_is_broken(&f->r));
	assert_string_equal(f->r.broken_reason, "used buffer id out of range");
	assert_int_equal(f->r.stats.invalid_used, 1);
	fixture_free(f);
}

static void
test_double_completion(void **state)
{
	struct fixture *f = fixture_new(8, false, false);
	struct vc_ring_used out[8];
	struct chain_info a, b;

	(void)state;
	add_publish(f, 0, 2);
	assert_true(dev_pop(&f->dev, &a));
	assert_true(dev_pop(&f->dev, &b));
	dev_put(&f->dev, &a, 10);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 1);
	assert_ptr_equal(out[0].cookie, COOKIE(0));
	/* b is still out; the device names a again */
	dev_put(&f->dev, &a, 10);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 0);
	assert_true(vc_ring_packed_is_broken(&f->r));
	assert_string_equal(f->r.broken_reason, "used buffer id is not outstanding");
	assert_int_equal(f->r.stats.invalid_used, 1);
	/* teardown still gets b back */
	assert_ptr_equal(vc_ring_packed_detach_unused(&f->r), COOKIE(1));
	assert_null(vc_ring_packed_detach_unused(&f->r));
	fixture_free(f);
}

/* A used descriptor while nothing is out is never read (nothing to match). */
static void
test_used_with_nothing_out(void **state)
{
	struct fixture *f = fixture_new(8, false, false);
	struct vc_ring_used out[8];

	(void)state;
	dev_put_raw(&f->dev, 0, 10, VC_PDESC_F_AU, 1);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 0);
	assert_false(vc_ring_packed_is_broken(&f->r));
	/* publishing overwrites the bogus flags: the new buffer is not "used" */
	add_publish(f, 0, 1);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 0);
	assert_false(vc_ring_packed_is_broken(&f->r));
	fixture_free(f);
}

static void
test_len_too_large(void **state)
{
	struct fixture *f = fixture_new(8, false, false);
	const struct vc_ring_seg segs[2] = { { 0x1000, 100, true }, { 0x2000, 50, true } };
	struct vc_ring_used out[8];
	struct chain_info ci;

	(void)state;
	assert_int_equal(vc_ring_packed_add_chain(&f->r, segs, 2, COOKIE(1)), 0);
	assert_int_equal(vc_ring_packed_add_one(&f->r, 0x3000, 100, true, COOKIE(2)), 0);
	vc_ring_packed_publish(&f->r);
	assert_true(dev_pop(&f->dev, &ci));
	dev_put(&f->dev, &ci, 151);
	assert_true(dev_pop(&f->dev, &ci));
	dev_put(&f->dev, &ci, 100);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 2);
	assert_int_equal(out[0].len, VC_RING_LEN_BAD);
	assert_int_equal(out[1].len, 100);
	assert_int_equal(f->r.stats.invalid_used, 1);
	assert_false(vc_ring_packed_is_broken(&f->r));
	assert_int_equal(vc_ring_packed_free_count(&f->r), 8);
	fixture_free(f);
}

/* ---- teardown ---- */

static void
test_detach_unused(void **state)
{
	struct fixture *f = fixture_new(16, false, false);
	const struct vc_ring_seg segs[3] = {
		{ 0x1000, 12, false }, { 0x2000, 100, false }, { 0x3000, 400, false },
	};
	struct vc_ring_used out[16];
	struct chain_info ci;
	unsigned int seen = 0, k;
	void *c;

	(void)state;
	add_publish(f, 0, 4);
	assert_int_equal(vc_ring_packed_add_chain(&f->r, segs, 3, COOKIE(4)), 0);
	vc_ring_packed_publish(&f->r);
	/* complete buffer 1 only; add one more, unpublished */
	assert_true(dev_pop(&f->dev, &ci));
	assert_true(dev_pop(&f->dev, &ci));
	dev_put(&f->dev, &ci, 1);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 16), 1);
	assert_ptr_equal(out[0].cookie, COOKIE(1));
	assert_int_equal(vc_ring_packed_add_one(&f->r, 9, 9, true, COOKIE(5)), 0);

	while ((c = vc_ring_packed_detach_unused(&f->r)) != NULL) {
		k = COOKIE_NUM(c);
		assert_true(k <= 5 && k != 1);
		assert_int_equal(seen & (1u << k), 0);
		seen |= 1u << k;
	}
	assert_int_equal(seen, 0x3d);
	assert_int_equal(vc_ring_packed_free_count(&f->r), 16);

	vc_ring_packed_reinit(&f->r);
	assert_int_equal(f->r.pending, 0);
	assert_int_equal(f->r.avail_pos, 0);
	assert_int_equal(f->r.used_pos, 0);
	assert_int_equal(f->r.avail_flags, VC_PDESC_F_AVAIL);
	assert_int_equal(f->r.used_flags, VC_PDESC_F_AU);
	assert_int_equal(f->r.stats.invalid_used, 0);
	assert_int_equal(f->r.driver->flags, VRING_PACKED_EVENT_FLAG_DISABLE);
	for (k = 0; k < 16; k++)
		assert_int_equal(f->r.desc[k].flags, 0);
	fixture_free(f);
}

/* After a broken ring, reinit makes it usable with a fresh device. */
static void
test_reinit_after_broken(void **state)
{
	struct fixture *f = fixture_new(8, false, false);
	struct vc_ring_used out[8];
	struct chain_info ci;
	void *c;

	(void)state;
	add_publish(f, 0, 3);
	assert_true(dev_pop(&f->dev, &ci));
	ci.id = 200;
	dev_put(&f->dev, &ci, 1);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 0);
	assert_true(vc_ring_packed_is_broken(&f->r));
	while ((c = vc_ring_packed_detach_unused(&f->r)) != NULL)
		;
	vc_ring_packed_reinit(&f->r);
	assert_false(vc_ring_packed_is_broken(&f->r));
	assert_null(f->r.broken_reason);

	memset(&f->dev, 0, sizeof(f->dev));
	f->dev.r = &f->r;
	f->dev.avail_wrap = f->dev.used_wrap = true;
	add_publish(f, 10, 8);
	while (dev_pop(&f->dev, &ci))
		dev_put(&f->dev, &ci, 3);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 8);
	assert_ptr_equal(out[7].cookie, COOKIE(17));
	fixture_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrong_wrap_bits),
		cmocka_unit_test(test_avail_not_used),
		cmocka_unit_test(test_bad_id),
		cmocka_unit_test(test_double_completion),
		cmocka_unit_test(test_used_with_nothing_out),
		cmocka_unit_test(test_len_too_large),
		cmocka_unit_test(test_detach_unused),
		cmocka_unit_test(test_reinit_after_broken),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
