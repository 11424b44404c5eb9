/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * Where a device resumes on a packed ring (vring_packed_scan.c): the scan
 * over descriptor flags and the repair of a half-written used batch.
 * Rings are built by a small model of a driver (makes slots available in
 * order) and a device (uses them in order, one used descriptor per
 * buffer), so the expected position is the model's, never a hand guess.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <endian.h>
#include <errno.h>
#include <string.h>

#include "vring_packed_scan.h"

#define A ((uint16_t)(1u << VRING_PACKED_DESC_F_AVAIL))
#define U ((uint16_t)(1u << VRING_PACKED_DESC_F_USED))
#define W ((uint16_t)VRING_DESC_F_WRITE)
#define NMAX 64u
#define RX_LEN 2048u

struct sim {
	unsigned int n;
	bool rx;		/* device-writable buffers */
	unsigned int drv;	/* buffers made available so far */
	unsigned int dev;	/* buffers used so far */
	struct vring_packed_desc d[NMAX];
};

/* Wrap counter of the lap holding the k-th position overall (1 first). */
static bool
lap_of(const struct sim *s, unsigned int k)
{
	return (k / s->n) % 2 == 0;
}

static void
sim_init(struct sim *s, unsigned int n, bool rx)
{
	memset(s, 0, sizeof(*s));
	s->n = n;
	s->rx = rx;
}

static uint16_t
avail_flags(const struct sim *s, unsigned int k)
{
	return (lap_of(s, k) ? A : U) | (s->rx ? W : 0);
}

static void
sim_avail(struct sim *s)
{
	struct vring_packed_desc *d = &s->d[s->drv % s->n];

	assert_true(s->drv < s->dev + s->n);
	d->addr = htole64(0x1000 + s->drv);
	d->len = htole32(s->rx ? RX_LEN : 60);
	d->id = htole16((uint16_t)(s->drv % s->n));
	d->flags = htole16(avail_flags(s, s->drv));
	s->drv++;
}

static void
sim_use(struct sim *s)
{
	struct vring_packed_desc *d = &s->d[s->dev % s->n];

	assert_true(s->dev < s->drv);
	d->len = htole32(s->rx ? 100 : 0);
	d->flags = htole16((lap_of(s, s->dev) ? A | U : 0) | (s->rx ? W : 0));
	s->dev++;
}

/* Device at @dev buffers used, @out more available, reached in order. */
static void
sim_build(struct sim *s, unsigned int n, bool rx, unsigned int dev,
	  unsigned int out)
{
	sim_init(s, n, rx);
	while (s->dev < dev) {
		while (s->drv < s->dev + s->n && s->drv < dev + out)
			sim_avail(s);
		sim_use(s);
	}
	while (s->drv < dev + out)
		sim_avail(s);
}

static int
scan(const struct sim *s, struct devsim_packed_resume *r)
{
	return devsim_vring_packed_scan(&s->d[0].flags, 8, s->n, r);
}

static void
assert_clean_at(const struct sim *s, unsigned int dev)
{
	struct devsim_packed_resume r;

	assert_int_equal(scan(s, &r), 0);
	assert_int_equal(r.pos, dev % s->n);
	assert_int_equal(r.wrap, lap_of(s, dev));
	assert_false(r.hole);
}

/* ---- flags arrays: the cases by name -------------------------------- */

static void
test_all_initial(void **state)
{
	uint16_t f[8] = { 0 };
	struct devsim_packed_resume r;

	(void)state;
	assert_int_equal(devsim_vring_packed_scan(f, 1, 8, &r), 0);
	assert_int_equal(r.pos, 0);
	assert_true(r.wrap);
	assert_int_equal(DEVSIM_PACKED_BASE(r.pos, r.wrap), 0x8000);
}

static void
test_partially_consumed(void **state)
{
	/* 6 made available in lap 1, 2 used. */
	uint16_t f[8] = { A | U, A | U, A, A, A, A, 0, 0 };
	struct devsim_packed_resume r;

	(void)state;
	assert_int_equal(devsim_vring_packed_scan(f, 1, 8, &r), 0);
	assert_int_equal(r.pos, 2);
	assert_true(r.wrap);
}

static void
test_wrapped(void **state)
{
	/* Device at 3 in lap 0: 0-2 used in lap 0, 3-7 used in lap 1. */
	uint16_t f[8] = { 0, 0, 0, A | U, A | U, A | U, A | U, A | U };
	struct devsim_packed_resume r;

	(void)state;
	assert_int_equal(devsim_vring_packed_scan(f, 1, 8, &r), 0);
	assert_int_equal(r.pos, 3);
	assert_false(r.wrap);
	assert_int_equal(DEVSIM_PACKED_BASE(r.pos, r.wrap), 3);
	/* The driver made 3-4 available in lap 0, then 5-7 and 0-1: every
	 * slot but 2 is available, in two laps. */
	f[3] = f[4] = f[5] = f[6] = f[7] = U;
	f[0] = f[1] = A;
	assert_int_equal(devsim_vring_packed_scan(f, 1, 8, &r), 0);
	assert_int_equal(r.pos, 3);
	assert_false(r.wrap);
}

static void
test_all_used_lap_boundary(void **state)
{
	uint16_t lap1[8], lap0[8] = { 0 };
	struct devsim_packed_resume r;
	unsigned int i;

	(void)state;
	for (i = 0; i < 8; i++)
		lap1[i] = A | U;
	/* One whole lap used: the device is back at 0 with wrap 0. */
	assert_int_equal(devsim_vring_packed_scan(lap1, 1, 8, &r), 0);
	assert_int_equal(r.pos, 0);
	assert_false(r.wrap);
	/* Two laps: flags 0 again, as initially, wrap 1. */
	assert_int_equal(devsim_vring_packed_scan(lap0, 1, 8, &r), 0);
	assert_int_equal(r.pos, 0);
	assert_true(r.wrap);
}

static void
test_all_avail(void **state)
{
	uint16_t f[8];
	struct devsim_packed_resume r;
	unsigned int i;

	(void)state;
	for (i = 0; i < 8; i++)
		f[i] = A;
	assert_int_equal(devsim_vring_packed_scan(f, 1, 8, &r), 0);
	assert_int_equal(r.pos, 0);
	assert_true(r.wrap);
	/* Device at 5 in lap 0, every slot available: 5-7 in lap 0 and
	 * 0-4 in lap 1 (the driver's next lap). */
	for (i = 0; i < 8; i++)
		f[i] = i < 5 ? A : U;
	assert_int_equal(devsim_vring_packed_scan(f, 1, 8, &r), 0);
	assert_int_equal(r.pos, 5);
	assert_false(r.wrap);
}

static void
test_one_used(void **state)
{
	struct sim s;

	(void)state;
	sim_build(&s, 8, false, 1, 7);
	assert_clean_at(&s, 1);
	sim_build(&s, 8, false, 9, 0);
	assert_clean_at(&s, 9);
}

static void
test_chain_refused(void **state)
{
	uint16_t f[8] = { A | U, A | VRING_DESC_F_NEXT, A, 0, 0, 0, 0, 0 };
	struct devsim_packed_resume r;

	(void)state;
	assert_int_equal(devsim_vring_packed_scan(f, 1, 8, &r), -ENOTSUP);
	/* A used chain's head loses NEXT, its middle slots keep it. */
	f[1] = A | U;
	f[2] = A | VRING_DESC_F_NEXT;
	assert_int_equal(devsim_vring_packed_scan(f, 1, 8, &r), -ENOTSUP);
}

static void
test_bad_args(void **state)
{
	uint16_t f[2] = { 0 };
	struct devsim_packed_resume r;

	(void)state;
	assert_int_equal(devsim_vring_packed_scan(f, 1, 0, &r), -EINVAL);
	assert_int_equal(devsim_vring_packed_scan(NULL, 1, 2, &r), -EINVAL);
	assert_int_equal(devsim_vring_packed_scan(f, 0, 2, &r), -EINVAL);
	assert_int_equal(devsim_vring_packed_scan(f, 1, 2, NULL), -EINVAL);
}

static void
test_garbage_refused(void **state)
{
	/* Used bits alternating: no position with at most one slot off. */
	uint16_t f[8] = { 0, U, 0, U, 0, U, 0, U };
	/* Several slots off a clean step. */
	uint16_t g[8] = { U, 0, U, U, 0, 0, U, 0 };
	struct devsim_packed_resume r;

	(void)state;
	assert_int_equal(devsim_vring_packed_scan(f, 1, 8, &r), -EPROTO);
	assert_int_equal(devsim_vring_packed_scan(g, 1, 8, &r), -EPROTO);
}

/* ---- every reachable state of the model ----------------------------- */

static void
test_every_position(void **state)
{
	static const unsigned int sizes[] = { 1, 2, 4, 8, 16 };
	struct sim s;
	unsigned int z, dev, out;

	(void)state;
	for (z = 0; z < 5; z++) {
		unsigned int n = sizes[z];

		for (dev = 0; dev <= 3 * n; dev++)
			for (out = 0; out <= n; out++) {
				sim_build(&s, n, out & 1, dev, out);
				assert_clean_at(&s, dev);
			}
	}
}

/*
 * The driver adds a batch while the scan runs: the scan reads each slot
 * once, before or after the driver's store, so it sees some mix of old and
 * new flags.  Every mix must give the same answer.
 */
static void
test_concurrent_adds(void **state)
{
	struct sim s, t;
	unsigned int dev, out, b, mask, i;

	(void)state;
	for (dev = 0; dev <= 24; dev++)
		for (out = 0; out < 8; out++) {
			sim_build(&s, 8, false, dev, out);
			b = 8 - out < 4 ? 8 - out : 4;
			t = s;
			for (i = 0; i < b; i++)
				sim_avail(&t);
			for (mask = 0; mask < (1u << b); mask++) {
				struct sim m = s;

				for (i = 0; i < b; i++)
					if (mask & (1u << i)) {
						unsigned int p = (s.drv + i) % 8;

						m.d[p] = t.d[p];
					}
				assert_clean_at(&m, dev);
			}
		}
}

/* ---- a used batch half written, and its repair ---------------------- */

/*
 * Model state @dev/@out, then slot dev-1-k (k slots written after it) put
 * back as the driver left it: the device never wrote its used descriptor.
 */
static void
sim_hole(struct sim *s, unsigned int dev, unsigned int k)
{
	unsigned int h = dev - 1 - k;
	struct vring_packed_desc *d = &s->d[h % s->n];

	d->len = htole32(s->rx ? RX_LEN : 60);
	d->flags = htole16(avail_flags(s, h));
}

static void
check_hole(unsigned int n, bool rx, unsigned int dev, unsigned int out,
	   unsigned int k)
{
	struct devsim_packed_resume r;
	unsigned int h = dev - 1 - k, i;
	struct sim s;
	uint32_t base;

	sim_build(&s, n, rx, dev, out);
	sim_hole(&s, dev, k);
	assert_int_equal(scan(&s, &r), 0);
	assert_int_equal(r.pos, dev % n);
	assert_int_equal(r.wrap, lap_of(&s, dev));
	assert_true(r.hole);
	assert_int_equal(r.hole_pos, h % n);
	assert_int_equal(r.hole_wrap, lap_of(&s, h));

	base = devsim_vring_packed_repair(s.d, n, &r);
	if (!rx) {
		/* Completed: used in its lap, len 0, the buffer's id. */
		assert_int_equal(base, DEVSIM_PACKED_BASE(dev % n, lap_of(&s, dev)));
		assert_int_equal(le16toh(s.d[h % n].flags),
				 lap_of(&s, h) ? A | U : 0);
		assert_int_equal(le32toh(s.d[h % n].len), 0);
		assert_int_equal(le16toh(s.d[h % n].id), h % n);
		assert_clean_at(&s, dev);
	} else {
		/* The slots after the hole are available again. */
		assert_int_equal(base, DEVSIM_PACKED_BASE(h % n, lap_of(&s, h)));
		for (i = h + 1; i < dev; i++) {
			assert_int_equal(le16toh(s.d[i % n].flags),
					 avail_flags(&s, i));
			assert_int_equal(le16toh(s.d[i % n].id), i % n);
		}
		assert_clean_at(&s, h);
	}
}

static void
test_hole_tx(void **state)
{
	(void)state;
	check_hole(8, false, 5, 2, 2);		/* inside a lap */
	check_hole(16, false, 18, 4, 3);	/* batch across the wrap */
	check_hole(16, false, 16, 0, 1);	/* written slot ends the lap */
	check_hole(16, false, 17, 1, 1);	/* hole at n-1 */
	check_hole(16, false, 34, 3, 1);	/* hole at 0, lap 1 again */
}

static void
test_hole_rx(void **state)
{
	(void)state;
	check_hole(8, true, 5, 2, 2);
	check_hole(16, true, 18, 4, 3);
	check_hole(16, true, 17, 1, 1);
	check_hole(16, true, 33, 0, 1);
}

/* Every hole with up to 4 written slots after it, where unambiguous. */
static void
test_every_hole(void **state)
{
	unsigned int dev, out, k, n = 32;

	(void)state;
	for (dev = 2; dev <= 3 * n; dev++)
		for (k = 1; k <= 4 && k + 1 <= dev; k++)
			for (out = 0; out + k + 1 <= n && out <= 4; out++) {
				check_hole(n, false, dev, out, k);
				check_hole(n, true, dev, out, k);
			}
}

static void
test_no_hole_no_write(void **state)
{
	struct devsim_packed_resume r;
	struct sim s, before;

	(void)state;
	sim_build(&s, 8, true, 11, 3);
	before = s;
	assert_int_equal(scan(&s, &r), 0);
	assert_int_equal(devsim_vring_packed_repair(s.d, 8, &r),
			 DEVSIM_PACKED_BASE(3, false));
	assert_memory_equal(s.d, before.d, sizeof(s.d));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_initial),
		cmocka_unit_test(test_partially_consumed),
		cmocka_unit_test(test_wrapped),
		cmocka_unit_test(test_all_used_lap_boundary),
		cmocka_unit_test(test_all_avail),
		cmocka_unit_test(test_one_used),
		cmocka_unit_test(test_chain_refused),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_garbage_refused),
		cmocka_unit_test(test_every_position),
		cmocka_unit_test(test_concurrent_adds),
		cmocka_unit_test(test_hole_tx),
		cmocka_unit_test(test_hole_rx),
		cmocka_unit_test(test_every_hole),
		cmocka_unit_test(test_no_hole_no_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
