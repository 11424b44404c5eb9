/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * vc_ring against a hostile fake device (tests/fakes/ring_fake_split.c):
 * used ids out of range or not outstanding, lengths past the posted
 * buffer, used->idx jumping or running past what was made available,
 * desc[] scribbled on; then teardown and reinit after a broken ring.
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
test_bad_used_id(void **state)
{
	struct ring_fixture *f = fixture_new(8, false);
	struct vc_ring_used out[8];
	struct chain_info a, b;

	(void)state;
	add_publish(f, 4);
	assert_true(dev_pop(&f->dev, &a));
	assert_true(dev_pop(&f->dev, &b));
	dev_put(&f->dev, 8, 1);			/* id == size */
	dev_put(&f->dev, a.head, 1);
	dev_put(&f->dev, 0xffffffffu, 1);	/* way out of range */
	dev_publish(&f->dev);
	assert_int_equal(vc_ring_dequeue(&f->r, out, 8), 1);
	assert_ptr_equal(out[0].cookie, COOKIE(0));
	assert_int_equal(out[0].len, 1);
	assert_int_equal(f->r.stats.invalid_used, 2);
	assert_int_equal(f->r.last_used, 3);
	assert_false(vc_ring_is_broken(&f->r));
	/* b and two unpopped buffers still outstanding */
	assert_int_equal(vc_ring_free_count(&f->r), 5);
	dev_push(&f->dev, b.head, 1);
	assert_int_equal(vc_ring_dequeue(&f->r, out, 8), 1);
	assert_ptr_equal(out[0].cookie, COOKIE(1));
	assert_int_equal(vc_ring_free_count(&f->r), 6);
	fixture_free(f);
}

static void
test_double_completion(void **state)
{
	struct ring_fixture *f = fixture_new(8, false);
	const struct vc_ring_seg segs[3] = {
		{ 0x1000, 10, true }, { 0x2000, 10, true }, { 0x3000, 10, true },
	};
	struct vc_ring_used out[8];
	struct chain_info a, b, c, d;
	bool seen2 = false, seen3 = false;
	void *cookie;

	(void)state;
	assert_int_equal(vc_ring_add_chain(&f->r, segs, 3, COOKIE(1)), 0);
	assert_int_equal(vc_ring_add_one(&f->r, 0x4000, 10, true, COOKIE(2)), 0);
	assert_int_equal(vc_ring_add_one(&f->r, 0x5000, 10, true, COOKIE(3)), 0);
	vc_ring_publish(&f->r);
	assert_true(dev_pop(&f->dev, &a));
	assert_true(dev_pop(&f->dev, &b));
	assert_true(dev_pop(&f->dev, &c));
	dev_put(&f->dev, a.head, 30);
	dev_put(&f->dev, a.head, 30);		/* again */
	dev_publish(&f->dev);
	assert_int_equal(vc_ring_dequeue(&f->r, out, 8), 1);
	assert_ptr_equal(out[0].cookie, COOKIE(1));
	assert_int_equal(f->r.stats.invalid_used, 1);
	assert_int_equal(vc_ring_free_count(&f->r), 6);

	/* a non-head member of an outstanding chain is not outstanding either */
	assert_int_equal(vc_ring_add_chain(&f->r, segs, 3, COOKIE(4)), 0);
	vc_ring_publish(&f->r);
	assert_true(dev_pop(&f->dev, &d));
	dev_push(&f->dev, d.descs[1], 1);
	assert_int_equal(vc_ring_dequeue(&f->r, out, 8), 0);
	assert_int_equal(f->r.stats.invalid_used, 2);
	assert_int_equal(vc_ring_free_count(&f->r), 3);
	dev_push(&f->dev, d.head, 30);
	assert_int_equal(vc_ring_dequeue(&f->r, out, 8), 1);
	assert_ptr_equal(out[0].cookie, COOKIE(4));
	assert_int_equal(vc_ring_free_count(&f->r), 6);
	assert_false(vc_ring_is_broken(&f->r));

	/*
	 * 4 buffers were made available and the device has returned 4 used
	 * entries (two of them bogus): one more is past what was made
	 * available, whatever id it names.
	 */
	dev_push(&f->dev, b.head, 10);
	assert_int_equal(vc_ring_dequeue(&f->r, out, 8), 0);
	assert_true(vc_ring_is_broken(&f->r));
	/* the buffers the device swallowed come back at teardown */
	while ((cookie = vc_ring_detach_unused(&f->r)) != NULL) {
		if (cookie == COOKIE(2)) {
			assert_false(seen2);
			seen2 = true;
		} else {
			assert_ptr_equal(cookie, COOKIE(3));
			assert_false(seen3);
			seen3 = true;
		}
	}
	assert_true(seen2 && seen3);
	assert_int_equal(vc_ring_free_count(&f->r), 8);
	(void)c;
	fixture_free(f);
}

static void
test_len_too_large(void **state)
{
	struct ring_fixture *f = fixture_new(8, false);
	const struct vc_ring_seg segs[2] = { { 0x1000, 12, false }, { 0x2000, 100, true } };
	struct vc_ring_used out[8];
	struct chain_info a, b, c;

	(void)state;
	assert_int_equal(vc_ring_add_one(&f->r, 0x1000, 2048, true, COOKIE(1)), 0);
	assert_int_equal(vc_ring_add_chain(&f->r, segs, 2, COOKIE(2)), 0);
	assert_int_equal(vc_ring_add_one(&f->r, 0x3000, 2048, true, COOKIE(3)), 0);
	assert_int_equal(vc_ring_add_one(&f->r, 0x4000, 2048, true, COOKIE(4)), 0);
	vc_ring_publish(&f->r);
	assert_true(dev_pop(&f->dev, &a));
	assert_true(dev_pop(&f->dev, &b));
	assert_true(dev_pop(&f->dev, &c));
	dev_put(&f->dev, a.head, 2049);
	dev_put(&f->dev, b.head, 101);		/* readable bytes do not count */
	dev_put(&f->dev, c.head, 2048);		/* exactly full is fine */
	dev_put(&f->dev, a.head, 10);		/* and a is gone for good */
	dev_publish(&f->dev);
	assert_int_equal(vc_ring_dequeue(&f->r, out, 8), 3);
	assert_ptr_equal(out[0].cookie, COOKIE(1));
	assert_int_equal(out[0].len, VC_RING_LEN_BAD);
	assert_ptr_equal(out[1].cookie, COOKIE(2));
	assert_int_equal(out[1].len, VC_RING_LEN_BAD);
	assert_ptr_equal(out[2].cookie, COOKIE(3));
	assert_int_equal(out[2].len, 2048);
	assert_int_equal(f->r.stats.invalid_used, 3);
	assert_int_equal(vc_ring_free_count(&f->r), 7);	/* COOKIE(4) never used */
	assert_false(vc_ring_is_broken(&f->r));
	fixture_free(f);
}

static void
test_used_idx_jump(void **state)
{
	struct ring_fixture *f = fixture_new(8, false);
	struct vc_ring_used out[8];
	struct chain_info a;

	(void)state;
	/* zero new entries: cheap 0, nothing counted */
	assert_int_equal(vc_ring_dequeue(&f->r, out, 8), 0);
	assert_false(vc_ring_is_broken(&f->r));

	add_publish(f, 3);
	assert_true(dev_pop(&f->dev, &a));
	dev_put(&f->dev, a.head, 1);
	/* jump far beyond size */
	__atomic_store_n(&f->r.used->idx, 9, __ATOMIC_RELEASE);
	assert_int_equal(vc_ring_dequeue(&f->r, out, 8), 0);
	assert_true(vc_ring_is_broken(&f->r));
	assert_non_null(f->r.broken_reason);
	assert_int_equal(f->r.last_used, 0);
	/* the device "fixes" the index: still nothing, ring never read again */
	dev_publish(&f->dev);
	assert_int_equal(vc_ring_dequeue(&f->r, out, 8), 0);
	assert_int_equal(f->r.last_used, 0);
	assert_int_equal(f->r.stats.invalid_used, 0);
	fixture_free(f);
}

static void
test_used_idx_past_available(void **state)
{
	struct ring_fixture *f = fixture_new(8, false);
	struct vc_ring_used out[8];
	struct chain_info a;
	const char *reason;

	(void)state;
	add_publish(f, 2);
	assert_true(dev_pop(&f->dev, &a));
	dev_push(&f->dev, a.head, 1);
	assert_int_equal(vc_ring_dequeue(&f->r, out, 8), 1);
	/* 1 outstanding, device claims 3 (<= size) */
	__atomic_store_n(&f->r.used->idx, 4, __ATOMIC_RELEASE);
	assert_int_equal(vc_ring_dequeue(&f->r, out, 8), 0);
	assert_true(vc_ring_is_broken(&f->r));
	reason = f->r.broken_reason;
	assert_non_null(reason);
	/* used idx going backwards is the same violation; reason stays */
	__atomic_store_n(&f->r.used->idx, 0, __ATOMIC_RELEASE);
	assert_int_equal(vc_ring_dequeue(&f->r, out, 8), 0);
	assert_ptr_equal(f->r.broken_reason, reason);
	fixture_free(f);

	f = fixture_new(8, false);
	add_publish(f, 1);
	__atomic_store_n(&f->r.used->idx, 0xffff, __ATOMIC_RELEASE);	/* backwards */
	assert_int_equal(vc_ring_dequeue(&f->r, out, 8), 0);
	assert_true(vc_ring_is_broken(&f->r));
	fixture_free(f);
}

/* Device side bookkeeping for the scribble test: live chains and owners. */
struct live_set {
	struct chain_info ci[16];
	unsigned int n;
	unsigned int owner[16];		/* 0 free, else live index + 1 */
};

static void
live_pop_all(struct ring_fixture *f, struct live_set *ls)
{
	uint16_t k;

	while (dev_pop(&f->dev, &ls->ci[ls->n])) {
		struct chain_info *ci = &ls->ci[ls->n];

		for (k = 0; k < ci->ndescs; k++) {
			/* never a descriptor that is still outstanding */
			assert_int_equal(ls->owner[ci->descs[k]], 0);
			ls->owner[ci->descs[k]] = ls->n + 1;
		}
		ls->n++;
	}
}

/* Complete every chain whose index has the given parity (or all if < 0). */
static unsigned int
live_complete(struct ring_fixture *f, struct live_set *ls, int parity)
{
	unsigned int i, j = 0, done = 0;
	uint16_t k;

	for (i = 0; i < ls->n; i++) {
		struct chain_info *ci = &ls->ci[i];

		if (parity < 0 || (int)(i % 2) == parity) {
			dev_put(&f->dev, ci->head, ci->wlen);
			for (k = 0; k < ci->ndescs; k++)
				ls->owner[ci->descs[k]] = 0;
			done++;
			continue;
		}
		/* keep, compacted */
		for (k = 0; k < ci->ndescs; k++)
			ls->owner[ci->descs[k]] = j + 1;
		if (j != i)
			ls->ci[j] = *ci;
		j++;
	}
	ls->n = j;
	dev_publish(&f->dev);
	return done;
}

static void
scribble(struct ring_fixture *f, uint16_t seed)
{
	uint16_t k;

	for (k = 0; k < f->r.size; k++) {
		f->r.desc[k].next = (uint16_t)(k * 7 + seed);
		f->r.desc[k].flags = VRING_DESC_F_NEXT | VRING_DESC_F_WRITE;
	}
}

/*
 * The device scribbles desc[] (next, flags) both while chains are
 * outstanding and after completion; the driver's free list must not care.
 */
static void
test_scribbled_desc_next(void **state)
{
	struct ring_fixture *f = fixture_new(16, false);
	const struct vc_ring_seg segs[3] = {
		{ 0x1000, 10, true }, { 0x2000, 10, true }, { 0x3000, 10, true },
	};
	struct vc_ring_used out[16];
	struct live_set ls;
	unsigned int round, i, k, done, unowned;

	(void)state;
	memset(&ls, 0, sizeof(ls));
	for (round = 0; round < 50; round++) {
		for (i = 0; vc_ring_add_chain(&f->r, segs, 1 + (i + round) % 3, COOKIE(i)) == 0; i++)
			;
		vc_ring_publish(&f->r);
		live_pop_all(f, &ls);
		scribble(f, (uint16_t)round);

		done = live_complete(f, &ls, (int)(round % 2));
		scribble(f, (uint16_t)(round * 3 + 1));
		assert_int_equal(vc_ring_dequeue(&f->r, out, 16), done);

		for (i = 100; vc_ring_add_chain(&f->r, segs, 1 + i % 3, COOKIE(i)) == 0; i++)
			;
		vc_ring_publish(&f->r);
		live_pop_all(f, &ls);

		unowned = 0;
		for (k = 0; k < 16; k++)
			unowned += ls.owner[k] == 0;
		assert_int_equal(vc_ring_free_count(&f->r), unowned);
		assert_true(unowned < 3);

		/* leave a few outstanding across rounds, complete the rest */
		done = live_complete(f, &ls, round % 3 == 0 ? -1 : 0);
		scribble(f, (uint16_t)(round * 5 + 2));
		assert_int_equal(vc_ring_dequeue(&f->r, out, 16), done);
		assert_int_equal(f->r.stats.invalid_used, 0);
	}
	live_complete(f, &ls, -1);
	while (vc_ring_dequeue(&f->r, out, 16) > 0)
		;
	assert_int_equal(vc_ring_free_count(&f->r), 16);
	assert_false(vc_ring_is_broken(&f->r));
	fixture_free(f);
}

static void
test_detach_unused(void **state)
{
	struct ring_fixture *f = fixture_new(32, false);
	const struct vc_ring_seg segs[4] = {
		{ 1, 1, true }, { 2, 1, true }, { 3, 1, true }, { 4, 1, true },
	};
	struct vc_ring_used out[32];
	struct chain_info ci;
	bool seen[16] = { false };
	unsigned int i, n = 0;
	void *c;

	(void)state;
	for (i = 0; i < 12; i++)
		assert_int_equal(vc_ring_add_chain(&f->r, segs, 1 + i % 4, COOKIE(i)), 0);
	assert_int_equal(vc_ring_free_count(&f->r), 2);
	vc_ring_publish(&f->r);
	/* complete cookies 0 and 5 */
	for (i = 0; i < 6; i++) {
		assert_true(dev_pop(&f->dev, &ci));
		if (i == 0 || i == 5)
			dev_put(&f->dev, ci.head, 1);
	}
	dev_publish(&f->dev);
	assert_int_equal(vc_ring_dequeue(&f->r, out, 32), 2);

	while ((c = vc_ring_detach_unused(&f->r)) != NULL) {
		unsigned int num = COOKIE_NUM(c);

		assert_true(num < 12);
		assert_true(num != 0 && num != 5);
		assert_false(seen[num]);
		seen[num] = true;
		n++;
	}
	assert_int_equal(n, 10);
	assert_null(vc_ring_detach_unused(&f->r));
	assert_int_equal(vc_ring_free_count(&f->r), 32);
	fixture_free(f);
}

static void
test_reinit(void **state)
{
	struct ring_fixture *f = fixture_new(8, true);
	struct vc_ring_used out[8];
	struct chain_info ci;
	uint8_t *snapshot;
	size_t sz = vc_ring_mem_size(8);
	struct ring_fixture *g = fixture_new(8, true);

	(void)state;
	add_publish(f, 5);
	vc_ring_kick(&f->r);
	assert_true(dev_pop(&f->dev, &ci));
	dev_push(&f->dev, 42, 1);		/* invalid */
	__atomic_store_n(&f->r.used->idx, 200, __ATOMIC_RELEASE);
	assert_int_equal(vc_ring_dequeue(&f->r, out, 8), 0);
	assert_true(vc_ring_is_broken(&f->r));
	while (vc_ring_detach_unused(&f->r) != NULL)
		;

	vc_ring_reinit(&f->r);
	/* same shared memory contents and ring state as a fresh init */
	snapshot = g->mem;
	assert_memory_equal(f->mem, snapshot, sz);
	assert_false(vc_ring_is_broken(&f->r));
	assert_null(f->r.broken_reason);
	assert_int_equal(f->r.avail_idx, 0);
	assert_int_equal(f->r.last_used, 0);
	assert_int_equal(f->r.kicked_avail, 0);
	assert_int_equal(f->r.stats.invalid_used, 0);
	assert_int_equal(f->r.stats.kicks, 0);
	assert_int_equal(vc_ring_free_count(&f->r), 8);
	assert_true(f->r.event_idx);
	assert_ptr_equal(f->r.slots, f->slots);

	/* and it works again with a fresh device */
	memset(&f->dev, 0, sizeof(f->dev));
	f->dev.r = &f->r;
	add_publish(f, 8);
	for (unsigned int i = 0; i < 8; i++) {
		assert_true(dev_pop(&f->dev, &ci));
		dev_put(&f->dev, ci.head, 1);
	}
	dev_publish(&f->dev);
	assert_int_equal(vc_ring_dequeue(&f->r, out, 8), 8);
	for (unsigned int i = 0; i < 8; i++)
		assert_ptr_equal(out[i].cookie, COOKIE(i));
	fixture_free(f);
	fixture_free(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_used_id),
		cmocka_unit_test(test_double_completion),
		cmocka_unit_test(test_len_too_large),
		cmocka_unit_test(test_used_idx_jump),
		cmocka_unit_test(test_used_idx_past_available),
		cmocka_unit_test(test_scribbled_desc_next),
		cmocka_unit_test(test_detach_unused),
		cmocka_unit_test(test_reinit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
