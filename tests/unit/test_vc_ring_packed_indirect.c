/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * vc_ring_packed indirect descriptors (VIRTIO_RING_F_INDIRECT_DESC)
 * against the fake device of tests/fakes/ring_fake_packed.c, which checks
 * every table rule the driver must keep.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ring_fake_packed.h"

/* ---- indirect descriptors (VIRTIO_RING_F_INDIRECT_DESC) ---- */

/*
 * One ring position per buffer whatever its length, across the wrap; the
 * id is on the ring descriptor; each completion frees exactly one.
 */
static void
test_indirect(void **state)
{
	struct fixture *f = fixture_new(8, false, false);
	struct vring_packed_desc table[8][7];
	struct vc_ring_seg segs[7];
	struct vc_ring_used out[8];
	struct chain_info ci[8];
	unsigned int b, k, ids = 0;

	(void)state;
	/* start at position 6 so that the buffers wrap */
	add_publish(f, 0, 6);
	for (k = 0; k < 6; k++) {
		assert_true(dev_pop(&f->dev, &ci[0]));
		dev_put(&f->dev, &ci[0], 10);
	}
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 6);

	for (k = 0; k < 7; k++)
		segs[k] = (struct vc_ring_seg){ 0x1000u * (k + 1), 100u + k, k >= 2 };
	for (b = 0; b < 8; b++) {
		assert_int_equal(vc_ring_packed_add_indirect(&f->r, table[b], segs, 1 + b % 7,
							     COOKIE(10 + b)), 0);
		assert_int_equal(vc_ring_packed_free_count(&f->r), 7 - b);
	}
	assert_int_equal(vc_ring_packed_add_indirect(&f->r, table[0], segs, 2, COOKIE(9)),
			 -ENOSPC);
	vc_ring_packed_publish(&f->r);
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
		assert_true(ci[b].id < 8);
		assert_int_equal(ids & (1u << ci[b].id), 0);
		ids |= 1u << ci[b].id;
	}
	assert_false(dev_pop(&f->dev, &ci[0]));
	/* complete in reverse order: each gives back one position */
	for (b = 8; b-- > 0;) {
		dev_put(&f->dev, &ci[b], ci[b].wlen);
		assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 1);
		assert_ptr_equal(out[0].cookie, COOKIE(10 + b));
		assert_int_equal(out[0].len, ci[b].wlen);
		assert_int_equal(vc_ring_packed_free_count(&f->r), 8 - b);
	}
	assert_int_equal(f->r.stats.invalid_used, 0);
	assert_int_equal(f->r.used_pos, f->dev.used_pos);
	assert_int_equal(f->r.avail_pos, 6);
	assert_int_equal(f->r.used_pos, 6);
	fixture_free(f);
}

/* Bad arguments and a full ring change neither the ring nor the table. */
static void
test_indirect_errors(void **state)
{
	struct fixture *f = fixture_new(8, false, false);
	struct vring_packed_desc table[8], pristine[8];
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
	assert_int_equal(vc_ring_packed_add_indirect(&f->r, table, segs, 0, COOKIE(1)), -EINVAL);
	/* DPDK vhost refuses a table of queue-size entries */
	assert_int_equal(vc_ring_packed_add_indirect(&f->r, table, segs, 8, COOKIE(1)), -EINVAL);
	assert_int_equal(vc_ring_packed_add_indirect(&f->r, NULL, segs, 2, COOKIE(1)), -EINVAL);
	assert_int_equal(vc_ring_packed_add_indirect(&f->r, table, NULL, 2, COOKIE(1)), -EINVAL);
	assert_int_equal(vc_ring_packed_add_indirect(&f->r, table, segs, 2, NULL), -EINVAL);
	assert_int_equal(vc_ring_packed_add_indirect(&f->r, table, big, 2, COOKIE(1)), -EINVAL);
	assert_memory_equal(table, pristine, sizeof(table));
	assert_int_equal(vc_ring_packed_free_count(&f->r), 8);
	assert_int_equal(f->r.pending, 0);
	assert_int_equal(vc_ring_packed_add_chain(&f->r, segs, 8, COOKIE(2)), 0);
	assert_int_equal(vc_ring_packed_add_indirect(&f->r, table, segs, 7, COOKIE(3)), -ENOSPC);
	assert_memory_equal(table, pristine, sizeof(table));
	assert_int_equal(f->r.pending, 8);
	fixture_free(f);

	f = fixture_new(1, false, false);
	assert_int_equal(vc_ring_packed_add_indirect(&f->r, table, segs, 1, COOKIE(1)), -EINVAL);
	assert_int_equal(vc_ring_packed_free_count(&f->r), 1);
	fixture_free(f);
}

/*
 * A hostile device: a len past the table's writable bytes is flagged, a
 * scribbled table is rewritten whole when reused, and an indirect buffer
 * completed twice breaks the ring (no way to skip a packed entry) with
 * teardown still returning what is out.
 */
static void
test_indirect_hostile(void **state)
{
	struct fixture *f = fixture_new(8, false, false);
	const struct vc_ring_seg segs[4] = {
		{ 0x1000, 12, true }, { 0x2000, 100, true }, { 0x3000, 200, true },
		{ 0x4000, 300, true },
	};
	struct vring_packed_desc table[2][4];
	struct vc_ring_used out[8];
	struct chain_info a, b, c;

	(void)state;
	assert_int_equal(vc_ring_packed_add_indirect(&f->r, table[0], segs, 4, COOKIE(1)), 0);
	assert_int_equal(vc_ring_packed_add_chain(&f->r, segs, 3, COOKIE(2)), 0);
	assert_int_equal(vc_ring_packed_add_indirect(&f->r, table[1], segs, 2, COOKIE(3)), 0);
	assert_int_equal(vc_ring_packed_free_count(&f->r), 3);
	vc_ring_packed_publish(&f->r);
	assert_true(dev_pop(&f->dev, &a));
	assert_true(dev_pop(&f->dev, &b));
	assert_true(dev_pop(&f->dev, &c));
	assert_true(a.indirect && !b.indirect && c.indirect);
	assert_int_equal(a.wlen, 612);
	memset(table[0], 0xff, sizeof(table[0]));	/* the device scribbles */
	dev_put(&f->dev, &a, 613);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 1);
	assert_ptr_equal(out[0].cookie, COOKIE(1));
	assert_int_equal(out[0].len, VC_RING_LEN_BAD);
	assert_int_equal(f->r.stats.invalid_used, 1);
	assert_int_equal(vc_ring_packed_free_count(&f->r), 4);

	assert_int_equal(vc_ring_packed_add_indirect(&f->r, table[0], segs, 3, COOKIE(4)), 0);
	vc_ring_packed_publish(&f->r);
	assert_true(dev_pop(&f->dev, &a));	/* asserts every table rule */
	assert_int_equal(a.ndescs, 3);
	assert_int_equal(a.wlen, 312);
	dev_put(&f->dev, &c, 112);
	dev_put(&f->dev, &a, 312);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 2);
	assert_ptr_equal(out[0].cookie, COOKIE(3));
	assert_int_equal(out[0].len, 112);
	assert_ptr_equal(out[1].cookie, COOKIE(4));
	assert_int_equal(vc_ring_packed_free_count(&f->r), 5);

	dev_put(&f->dev, &c, 112);		/* again */
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 0);
	assert_true(vc_ring_packed_is_broken(&f->r));
	assert_string_equal(f->r.broken_reason, "used buffer id is not outstanding");
	assert_ptr_equal(vc_ring_packed_detach_unused(&f->r), COOKIE(2));
	assert_null(vc_ring_packed_detach_unused(&f->r));
	assert_int_equal(vc_ring_packed_free_count(&f->r), 8);
	fixture_free(f);
}

/*
 * Many laps of one-descriptor buffers, chains and tables, with tables
 * keyed by vc_ring_packed_next_id() the way the TX path keys them: a
 * table is never handed out while its buffer is out, every cookie comes
 * back once, driver and device agree on positions and wrap counters.
 * Any order (reverse completion) and in order (one used descriptor per
 * batch).
 */
static void
run_indirect_mixed(bool in_order)
{
	enum { SIZE = 16, TBL = 6, MAXC = 40000 };
	struct fixture *f = fixture_new(SIZE, false, in_order);
	struct vring_packed_desc tables[SIZE][TBL];
	bool table_busy[SIZE] = { false };
	struct chain_info popped[SIZE];
	struct vc_ring_used out[SIZE];
	struct vc_ring_seg segs[TBL];
	unsigned int next = 0, done = 0, round;
	uint32_t rng = 4242;
	uint8_t *seen = calloc(MAXC, 1);

	assert_non_null(seen);
	for (round = 0; round < 3000; round++) {
		unsigned int np = 0, k, got;

		for (;;) {
			uint16_t kind, n, key;
			int rc;

			rng = rng * 1103515245u + 12345u;
			kind = (rng >> 16) % 3;
			n = 2 + (rng >> 20) % (TBL - 1);
			for (k = 0; k < n; k++)
				segs[k] = (struct vc_ring_seg){ 0x100000u + next * 16u + k, 50u + k,
								false };
			if (kind == 0) {
				rc = vc_ring_packed_add_one(&f->r, segs[0].addr, segs[0].len, false,
							    COOKIE(next));
			} else if (kind == 1) {
				rc = vc_ring_packed_add_chain(&f->r, segs, n, COOKIE(next));
			} else {
				if (vc_ring_packed_free_count(&f->r) == 0)
					break;
				key = vc_ring_packed_next_id(&f->r);
				assert_false(table_busy[key]);
				rc = vc_ring_packed_add_indirect(&f->r, tables[key], segs, n,
								 COOKIE(next));
				assert_int_equal(rc, 0);
				table_busy[key] = true;
			}
			if (rc == -ENOSPC)
				break;
			assert_int_equal(rc, 0);
			next++;
		}
		vc_ring_packed_publish(&f->r);
		while (np < SIZE && dev_pop(&f->dev, &popped[np]))
			np++;
		assert_true(np > 0);
		for (k = 0; k < np; k++)
			if (popped[k].indirect) {
				assert_true(table_busy[popped[k].id]);
				table_busy[popped[k].id] = false;
			}
		dev_put_all(f, popped, np, 0, in_order);
		got = 0;
		while ((k = vc_ring_packed_dequeue(&f->r, out, 5)) > 0) {
			unsigned int j;

			for (j = 0; j < k; j++) {
				unsigned int c = COOKIE_NUM(out[j].cookie);

				assert_true(c < next && c < MAXC);
				assert_int_equal(seen[c], 0);
				seen[c] = 1;
				assert_int_equal(out[j].len, 0);
			}
			got += k;
		}
		assert_int_equal(got, np);
		done += got;
		assert_int_equal(vc_ring_packed_free_count(&f->r), SIZE);
		assert_false(vc_ring_packed_is_broken(&f->r));
		if (next > MAXC - SIZE)
			break;
	}
	assert_int_equal(done, next);
	assert_true(done > 10000);
	assert_int_equal(f->r.stats.invalid_used, 0);
	assert_int_equal(f->r.used_pos, f->dev.used_pos);
	assert_int_equal(f->r.avail_pos, f->dev.avail_pos);
	assert_int_equal(!!(f->r.used_flags & VC_PDESC_F_USED), f->dev.used_wrap);
	free(seen);
	fixture_free(f);
}

static void
test_indirect_mixed(void **state)
{
	(void)state;
	run_indirect_mixed(false);
	run_indirect_mixed(true);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_indirect),
		cmocka_unit_test(test_indirect_errors),
		cmocka_unit_test(test_indirect_hostile),
		cmocka_unit_test(test_indirect_mixed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
