/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * vc_ring indirect descriptors (VIRTIO_RING_F_INDIRECT_DESC) against the
 * fake device of tests/fakes/ring_fake_split.c, which checks every table
 * rule the driver must keep.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "ring_fake_split.h"

/* ---- indirect descriptors (VIRTIO_RING_F_INDIRECT_DESC) ---- */

/*
 * One ring descriptor per buffer whatever its length; the device finds the
 * elements in order through the table; each completion frees exactly one.
 */
static void
test_indirect(void **state)
{
	struct ring_fixture *f = fixture_new(8, false);
	struct vring_desc table[8][7];
	struct vc_ring_seg segs[7];
	struct vc_ring_used out[8];
	struct chain_info ci[8];
	unsigned int b, k, heads = 0;

	(void)state;
	for (k = 0; k < 7; k++)
		segs[k] = (struct vc_ring_seg){ 0x1000u * (k + 1), 100u + k, k >= 2 };
	for (b = 0; b < 8; b++) {
		assert_int_equal(vc_ring_add_indirect(&f->r, table[b], segs, 1 + b % 7,
						      COOKIE(b)), 0);
		assert_int_equal(vc_ring_free_count(&f->r), 7 - b);
	}
	/* 8 buffers of up to 7 elements fill a ring of 8 */
	assert_int_equal(vc_ring_add_indirect(&f->r, table[0], segs, 2, COOKIE(9)), -ENOSPC);
	assert_int_equal(vc_ring_add_one(&f->r, 0x9000, 64, false, COOKIE(9)), -ENOSPC);
	vc_ring_publish(&f->r);
	for (b = 0; b < 8; b++) {
		uint16_t n = 1 + b % 7;
		uint32_t want = 0;

		assert_true(dev_pop(&f->dev, &ci[b]));
		assert_true(ci[b].indirect);
		assert_int_equal(ci[b].nring, 1);
		assert_int_equal(ci[b].ndescs, n);
		for (k = 0; k < n; k++) {
			assert_int_equal(ci[b].addrs[k], segs[k].addr);
			assert_int_equal(ci[b].lens[k], segs[k].len);
			assert_int_equal(ci[b].writable[k], segs[k].writable);
			want += segs[k].writable ? segs[k].len : 0;
		}
		assert_int_equal(ci[b].wlen, want);
		assert_ptr_equal((void *)(uintptr_t)f->r.desc[ci[b].head].addr, table[b]);
		assert_int_equal(heads & (1u << ci[b].head), 0);
		heads |= 1u << ci[b].head;
	}
	assert_false(dev_pop(&f->dev, &ci[0]));
	/* complete in reverse order: each gives back one descriptor */
	for (b = 8; b-- > 0;) {
		dev_push(&f->dev, ci[b].head, ci[b].wlen);
		assert_int_equal(vc_ring_dequeue(&f->r, out, 8), 1);
		assert_ptr_equal(out[0].cookie, COOKIE(b));
		assert_int_equal(out[0].len, ci[b].wlen);
		assert_int_equal(vc_ring_free_count(&f->r), 8 - b);
	}
	assert_int_equal(f->r.stats.invalid_used, 0);
	fixture_free(f);
}

/* Bad arguments and a full ring change neither the ring nor the table. */
static void
test_indirect_errors(void **state)
{
	struct ring_fixture *f = fixture_new(8, false);
	struct vring_desc table[8], pristine[8];
	struct vc_ring_seg segs[8];
	const struct vc_ring_seg big[2] = {
		{ 0x1000, 0x80000000u, true }, { 0x2000, 0x80000000u, true },
	};
	unsigned int k;

	(void)state;
	for (k = 0; k < 8; k++)
		segs[k] = (struct vc_ring_seg){ 0x1000u * (k + 1), 64, false };
	memset(table, 0xa5, sizeof(table));
	memcpy(pristine, table, sizeof(table));
	assert_int_equal(vc_ring_add_indirect(&f->r, table, segs, 0, COOKIE(1)), -EINVAL);
	/* a table as long as the queue: refused (DPDK vhost packed rule) */
	assert_int_equal(vc_ring_add_indirect(&f->r, table, segs, 8, COOKIE(1)), -EINVAL);
	assert_int_equal(vc_ring_add_indirect(&f->r, NULL, segs, 2, COOKIE(1)), -EINVAL);
	assert_int_equal(vc_ring_add_indirect(&f->r, table, NULL, 2, COOKIE(1)), -EINVAL);
	assert_int_equal(vc_ring_add_indirect(&f->r, table, segs, 2, NULL), -EINVAL);
	assert_int_equal(vc_ring_add_indirect(&f->r, table, big, 2, COOKIE(1)), -EINVAL);
	assert_int_equal(vc_ring_io_add_indirect(&f->r, table, big, 2, COOKIE(1)), -EINVAL);
	assert_memory_equal(table, pristine, sizeof(table));
	assert_int_equal(vc_ring_free_count(&f->r), 8);
	assert_int_equal(f->r.avail_idx, 0);
	/* 7 entries is the most a ring of 8 takes */
	assert_int_equal(vc_ring_add_chain(&f->r, segs, 8, COOKIE(2)), 0);
	assert_int_equal(vc_ring_add_indirect(&f->r, table, segs, 7, COOKIE(3)), -ENOSPC);
	assert_memory_equal(table, pristine, sizeof(table));
	assert_int_equal(f->r.avail_idx, 1);
	fixture_free(f);

	/* a ring of 1 cannot take any table */
	f = fixture_new(1, false);
	assert_int_equal(vc_ring_add_indirect(&f->r, table, segs, 1, COOKIE(1)), -EINVAL);
	assert_int_equal(vc_ring_free_count(&f->r), 1);
	fixture_free(f);
}

/*
 * A hostile device: an indirect buffer completed twice frees its one
 * descriptor once; a len past the table's writable bytes is flagged; a
 * table the device scribbled on is rewritten whole by the next add.
 * Chains and tables side by side keep exact descriptor accounting.
 */
static void
test_indirect_hostile(void **state)
{
	struct ring_fixture *f = fixture_new(8, false);
	const struct vc_ring_seg segs[5] = {
		{ 0x1000, 12, false }, { 0x2000, 100, true }, { 0x3000, 200, true },
		{ 0x4000, 300, true }, { 0x5000, 400, true },
	};
	struct vring_desc table[2][5];
	struct vc_ring_used out[8];
	struct chain_info a, b, c;

	(void)state;
	assert_int_equal(vc_ring_add_chain(&f->r, segs, 3, COOKIE(1)), 0);
	assert_int_equal(vc_ring_add_indirect(&f->r, table[0], segs, 5, COOKIE(2)), 0);
	assert_int_equal(vc_ring_add_indirect(&f->r, table[1], segs, 2, COOKIE(3)), 0);
	assert_int_equal(vc_ring_free_count(&f->r), 3);
	vc_ring_publish(&f->r);
	assert_true(dev_pop(&f->dev, &a));
	assert_true(dev_pop(&f->dev, &b));
	assert_true(dev_pop(&f->dev, &c));
	assert_false(a.indirect);
	assert_true(b.indirect && c.indirect);
	assert_int_equal(b.wlen, 1000);

	/* the device scribbles on the table it was given */
	memset(table[0], 0xff, sizeof(table[0]));
	dev_put(&f->dev, b.head, 1000);
	dev_put(&f->dev, b.head, 1000);		/* again */
	dev_put(&f->dev, c.head, 101);		/* 100 writable bytes posted */
	dev_publish(&f->dev);
	assert_int_equal(vc_ring_dequeue(&f->r, out, 8), 2);
	assert_ptr_equal(out[0].cookie, COOKIE(2));
	assert_int_equal(out[0].len, 1000);
	assert_ptr_equal(out[1].cookie, COOKIE(3));
	assert_int_equal(out[1].len, VC_RING_LEN_BAD);
	assert_int_equal(f->r.stats.invalid_used, 2);
	/* one descriptor each, the duplicate freed nothing */
	assert_int_equal(vc_ring_free_count(&f->r), 5);

	/* reused, the scribbled table is whole again */
	assert_int_equal(vc_ring_add_indirect(&f->r, table[0], segs, 4, COOKIE(4)), 0);
	vc_ring_publish(&f->r);
	assert_true(dev_pop(&f->dev, &b));	/* asserts every table rule */
	assert_int_equal(b.ndescs, 4);
	assert_int_equal(b.wlen, 600);
	dev_push(&f->dev, b.head, 600);
	assert_int_equal(vc_ring_dequeue(&f->r, out, 8), 1);
	assert_ptr_equal(out[0].cookie, COOKIE(4));
	assert_int_equal(out[0].len, 600);
	assert_int_equal(vc_ring_free_count(&f->r), 5);
	assert_false(vc_ring_is_broken(&f->r));
	/*
	 * The duplicate used up an entry: 4 buffers were made available and 4
	 * entries returned, so a fifth is past what was made available.
	 */
	dev_push(&f->dev, a.head, 300);
	assert_int_equal(vc_ring_dequeue(&f->r, out, 8), 0);
	assert_true(vc_ring_is_broken(&f->r));
	assert_ptr_equal(vc_ring_detach_unused(&f->r), COOKIE(1));
	assert_null(vc_ring_detach_unused(&f->r));
	assert_int_equal(vc_ring_free_count(&f->r), 8);
	fixture_free(f);
}

/*
 * Many cycles of one-descriptor buffers, chains and tables completed in
 * scrambled order, with tables keyed by vc_ring_next_desc() the way the TX
 * path keys them: a table is never handed out while its buffer is out,
 * every cookie comes back once, the ring ends full again.
 */
static void
test_indirect_mixed_wrap(void **state)
{
	enum { SIZE = 16, TBL = 6 };
	struct ring_fixture *f = fixture_new(SIZE, false);
	struct vring_desc tables[SIZE][TBL];
	bool table_busy[SIZE] = { false };
	struct chain_info pending[SIZE];
	struct vc_ring_used out[SIZE];
	struct vc_ring_seg segs[TBL];
	unsigned int next = 0, done = 0, round;
	uint32_t rng = 777;
	static bool seen[20000];

	(void)state;
	memset(seen, 0, sizeof(seen));
	for (round = 0; round < 2000; round++) {
		unsigned int npend = 0, i;
		uint16_t got;

		for (;;) {
			uint16_t kind, n, key, k;
			int rc;

			rng = rng * 1103515245u + 12345u;
			kind = (rng >> 16) % 3;
			n = 2 + (rng >> 20) % (TBL - 1);
			for (k = 0; k < n; k++)
				segs[k] = (struct vc_ring_seg){ 0x100000u + next * 16u + k, 50u + k,
								k > 0 };
			if (kind == 0) {
				rc = vc_ring_add_one(&f->r, segs[0].addr, segs[0].len, false,
						     COOKIE(next));
			} else if (kind == 1) {
				rc = vc_ring_add_chain(&f->r, segs, n, COOKIE(next));
			} else {
				if (vc_ring_free_count(&f->r) == 0)
					break;
				key = vc_ring_next_desc(&f->r);
				assert_false(table_busy[key]);
				rc = vc_ring_add_indirect(&f->r, tables[key], segs, n,
							  COOKIE(next));
				assert_int_equal(rc, 0);
				table_busy[key] = true;
			}
			if (rc == -ENOSPC)
				break;
			assert_int_equal(rc, 0);
			next++;
		}
		vc_ring_publish(&f->r);
		while (dev_pop(&f->dev, &pending[npend]))
			npend++;
		/* complete in reverse or rotated order */
		for (i = 0; i < npend; i++) {
			unsigned int j = (round & 1) ? npend - 1 - i : (i + round) % npend;
			struct chain_info *ci = &pending[j];

			if (ci->indirect) {
				assert_true(table_busy[ci->head]);
				table_busy[ci->head] = false;
			}
			dev_put(&f->dev, ci->head, ci->wlen);
		}
		dev_publish(&f->dev);
		do {
			uint16_t k;

			got = vc_ring_dequeue(&f->r, out, 5);
			for (k = 0; k < got; k++) {
				unsigned int c = COOKIE_NUM(out[k].cookie);

				assert_true(c < next && c < 20000);
				assert_false(seen[c]);
				seen[c] = true;
				assert_int_not_equal(out[k].len, VC_RING_LEN_BAD);
				done++;
			}
		} while (got > 0);
		assert_int_equal(done, next);
		assert_int_equal(vc_ring_free_count(&f->r), SIZE);
		if (next > 19000)
			break;
	}
	assert_true(done > 5000);
	assert_int_equal(f->r.stats.invalid_used, 0);
	fixture_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_indirect),
		cmocka_unit_test(test_indirect_errors),
		cmocka_unit_test(test_indirect_hostile),
		cmocka_unit_test(test_indirect_mixed_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
