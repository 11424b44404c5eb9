/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * Used-buffer notifications of vc_ring (vc_ring_enable_intr /
 * vc_ring_disable_intr) against a fake device that decides whether to
 * signal the way DPDK's vhost does after it completed buffers: without
 * event idx it signals unless VRING_AVAIL_F_NO_INTERRUPT is set; with
 * event idx it signals when used->idx crossed used_event since the last
 * decision (vring_need_event, first decision always signals).
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "vc_ring.h"

#define SIZE 16

struct fix {
	struct vc_ring r;
	void *mem;
	struct vc_ring_slot slots[SIZE];
	uint16_t last_avail;	/* device: next avail entry */
	uint16_t used_idx;	/* device: shadow of used->idx */
	uint16_t signalled;	/* device: used idx at the last decision */
	bool signalled_valid;
	unsigned int calls;	/* notifications the device sent */
};

static struct fix *
fix_new(bool event_idx)
{
	struct fix *f = calloc(1, sizeof(*f));
	size_t sz = vc_ring_mem_size(SIZE);
	uint16_t i;

	assert_non_null(f);
	f->mem = aligned_alloc(VC_RING_ALIGN, (sz + VC_RING_ALIGN - 1) &
			       ~(size_t)(VC_RING_ALIGN - 1));
	assert_non_null(f->mem);
	assert_int_equal(vc_ring_init(&f->r, f->mem, SIZE, f->slots, event_idx,
				      NULL, NULL), 0);
	/* Post every descriptor as a 2 KB receive buffer. */
	for (i = 0; i < SIZE; i++)
		assert_int_equal(vc_ring_add_one(&f->r, 0x10000u + i * 2048u, 2048, true,
						 (void *)(uintptr_t)(i + 1)), 0);
	vc_ring_publish(&f->r);
	return f;
}

static void
fix_free(struct fix *f)
{
	free(f->mem);
	free(f);
}

/* The device completes @n buffers, then decides whether to notify. */
static void
dev_complete(struct fix *f, uint16_t n)
{
	struct vc_ring *r = &f->r;
	uint16_t i, old = f->signalled;
	bool need;

	for (i = 0; i < n; i++) {
		uint16_t head = r->avail->ring[f->last_avail++ & r->mask];
		struct vring_used_elem *e = &r->used->ring[f->used_idx++ & r->mask];

		e->id = head;
		e->len = 64;
	}
	__atomic_store_n(&r->used->idx, f->used_idx, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (r->event_idx) {
		need = vring_need_event(*vc_ring_used_event(r), f->used_idx, old) ||
		       !f->signalled_valid;
		f->signalled = f->used_idx;
		f->signalled_valid = true;
	} else {
		need = !(r->avail->flags & VRING_AVAIL_F_NO_INTERRUPT);
	}
	if (need)
		f->calls++;
}

static uint16_t
drv_poll(struct fix *f)
{
	struct vc_ring_used out[SIZE];
	uint16_t n = vc_ring_dequeue(&f->r, out, SIZE), i;

	/* Give the buffers straight back, as an RX refill does. */
	for (i = 0; i < n; i++)
		assert_int_equal(vc_ring_add_one(&f->r, 0x10000u, 2048, true,
						 out[i].cookie), 0);
	vc_ring_publish(&f->r);
	return n;
}

/* Polling mode (after init): completions are never notified. */
static void
test_init_suppresses(bool event_idx)
{
	struct fix *f = fix_new(event_idx);

	/* The first event-idx decision always signals (vhost's
	 * signalled_used_valid): get it out of the way. */
	dev_complete(f, 1);
	assert_int_equal(drv_poll(f), 1);
	f->calls = 0;
	dev_complete(f, 3);
	dev_complete(f, 1);
	assert_int_equal(f->calls, 0);
	assert_int_equal(drv_poll(f), 4);
	fix_free(f);
}

static void
test_init_suppresses_flags(void **state)
{
	(void)state;
	test_init_suppresses(false);
}

static void
test_init_suppresses_event_idx(void **state)
{
	(void)state;
	test_init_suppresses(true);
}

/*
 * Idle -> enable -> the next completion is notified; disable -> no more.
 * With event idx the arming is one-shot; without it, it lasts until
 * disabled: both satisfy "enable, sleep, get woken, disable, poll".
 */
static void
test_enable_notifies(bool event_idx)
{
	struct fix *f = fix_new(event_idx);

	dev_complete(f, 1);
	assert_int_equal(drv_poll(f), 1);
	f->calls = 0;

	assert_false(vc_ring_enable_intr(&f->r));	/* nothing pending */
	dev_complete(f, 2);
	assert_int_equal(f->calls, 1);
	vc_ring_disable_intr(&f->r);
	assert_int_equal(drv_poll(f), 2);
	dev_complete(f, 1);
	assert_int_equal(f->calls, 1);
	assert_int_equal(drv_poll(f), 1);

	/* Re-arming works after the ring moved on. */
	assert_false(vc_ring_enable_intr(&f->r));
	dev_complete(f, 1);
	assert_int_equal(f->calls, 2);
	vc_ring_disable_intr(&f->r);
	assert_int_equal(drv_poll(f), 1);
	fix_free(f);
}

static void
test_enable_notifies_flags(void **state)
{
	(void)state;
	test_enable_notifies(false);
}

static void
test_enable_notifies_event_idx(void **state)
{
	(void)state;
	test_enable_notifies(true);
}

/*
 * The race: a buffer completed while notifications were off is never
 * notified, so enabling must report it.
 */
static void
test_enable_reports_pending(bool event_idx)
{
	struct fix *f = fix_new(event_idx);

	dev_complete(f, 1);
	assert_int_equal(drv_poll(f), 1);
	f->calls = 0;
	dev_complete(f, 1);		/* while suppressed: silent */
	assert_int_equal(f->calls, 0);
	assert_true(vc_ring_enable_intr(&f->r));
	vc_ring_disable_intr(&f->r);
	assert_int_equal(drv_poll(f), 1);
	assert_false(vc_ring_enable_intr(&f->r));
	vc_ring_disable_intr(&f->r);
	fix_free(f);
}

static void
test_enable_reports_pending_flags(void **state)
{
	(void)state;
	test_enable_reports_pending(false);
}

static void
test_enable_reports_pending_event_idx(void **state)
{
	(void)state;
	test_enable_reports_pending(true);
}

/* Many wrap-arounds of the 16-bit indices: enable/disable stays exact. */
static void
test_wraparound_event_idx(void **state)
{
	struct fix *f = fix_new(true);
	unsigned int i;

	(void)state;
	dev_complete(f, 1);
	assert_int_equal(drv_poll(f), 1);
	f->calls = 0;
	for (i = 0; i < 3 * 65536 / 5; i++) {
		dev_complete(f, 5);		/* polling: silent */
		assert_int_equal(f->calls, 0);
		assert_int_equal(drv_poll(f), 5);
		if (i % 1000 == 0) {
			assert_false(vc_ring_enable_intr(&f->r));
			dev_complete(f, 1);
			assert_int_equal(f->calls, 1);
			f->calls = 0;
			vc_ring_disable_intr(&f->r);
			assert_int_equal(drv_poll(f), 1);
		}
	}
	fix_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_suppresses_flags),
		cmocka_unit_test(test_init_suppresses_event_idx),
		cmocka_unit_test(test_enable_notifies_flags),
		cmocka_unit_test(test_enable_notifies_event_idx),
		cmocka_unit_test(test_enable_reports_pending_flags),
		cmocka_unit_test(test_enable_reports_pending_event_idx),
		cmocka_unit_test(test_wraparound_event_idx),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
