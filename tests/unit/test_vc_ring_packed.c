/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * vc_ring_packed against a fake device living in this file: it reads
 * available descriptors in ring order with its own wrap counters (2.8),
 * walks chains the way a backend does, and writes used descriptors,
 * well-formed or hostile.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "vc_ring_packed.h"

#define COOKIE(i) ((void *)(uintptr_t)(0x1000u + (unsigned int)(i)))
#define COOKIE_NUM(c) ((unsigned int)((uintptr_t)(c) - 0x1000u))

struct fake_dev {
	struct vc_ring_packed *r;
	uint16_t avail_pos;	/* next descriptor to read */
	bool avail_wrap;
	uint16_t used_pos;	/* next used descriptor to write */
	bool used_wrap;
};

struct chain_info {
	uint16_t id;
	uint16_t ndescs;	/* buffer elements (table entries if indirect) */
	uint16_t nring;		/* ring positions the buffer holds */
	bool indirect;		/* through an indirect table */
	uint32_t wlen;
	uint64_t addrs[64];
	uint32_t lens[64];
	bool writable[64];
};

struct fixture {
	struct vc_ring_packed r;
	void *mem;
	struct vc_ring_slot *slots;
	struct fake_dev dev;
	unsigned int notified;
};

static void
count_notify(void *opaque)
{
	(*(unsigned int *)opaque)++;
}

static struct fixture *
fixture_new(uint16_t size, bool event_idx, bool in_order)
{
	struct fixture *f = calloc(1, sizeof(*f));
	size_t sz = vc_ring_packed_mem_size(size);

	assert_non_null(f);
	assert_true(sz > 0);
	f->mem = aligned_alloc(VC_RING_ALIGN,
			       (sz + VC_RING_ALIGN - 1) & ~(size_t)(VC_RING_ALIGN - 1));
	assert_non_null(f->mem);
	memset(f->mem, 0xa5, sz);	/* init must zero it */
	f->slots = malloc(sizeof(*f->slots) * size);
	assert_non_null(f->slots);
	memset(f->slots, 0x5a, sizeof(*f->slots) * size);
	assert_int_equal(vc_ring_packed_init(&f->r, f->mem, size, f->slots, event_idx, in_order,
					     count_notify, &f->notified), 0);
	f->dev.r = &f->r;
	f->dev.avail_wrap = true;
	f->dev.used_wrap = true;
	return f;
}

static void
fixture_free(struct fixture *f)
{
	free(f->mem);
	free(f->slots);
	free(f);
}

/* ---- fake device ---- */

static bool
desc_avail(uint16_t flags, bool wrap)
{
	return !!(flags & VC_PDESC_F_AVAIL) == wrap && !!(flags & VC_PDESC_F_USED) != wrap;
}

static void
dev_advance(struct vc_ring_packed *r, uint16_t *pos, bool *wrap, uint16_t n)
{
	*pos += n;
	if (*pos >= r->size) {
		*pos -= r->size;
		*wrap = !*wrap;
	}
}

/*
 * Read an indirect table (2.8.19) the way a backend does, checking the
 * driver side of the rules: the ring descriptor carries INDIRECT and no
 * NEXT or WRITE, len is a non-zero multiple of 16 below the queue size,
 * entries carry nothing but WRITE. The buffer id is the ring
 * descriptor's; entries are read in order, len / 16 of them.
 */
static void
dev_read_indirect(struct fake_dev *d, const struct vring_packed_desc *rd, uint16_t flags,
		  struct chain_info *ci)
{
	const struct vring_packed_desc *table = (const void *)(uintptr_t)rd->addr;
	uint16_t n, nents;

	assert_int_equal(flags & ~VC_PDESC_F_AU, VRING_DESC_F_INDIRECT);
	assert_int_equal(rd->len % sizeof(struct vring_packed_desc), 0);
	nents = rd->len / sizeof(struct vring_packed_desc);
	assert_true(nents >= 1 && nents < d->r->size && nents <= 64);
	ci->indirect = true;
	ci->id = rd->id;
	for (n = 0; n < nents; n++) {
		assert_int_equal(table[n].flags & ~VRING_DESC_F_WRITE, 0);
		ci->addrs[n] = table[n].addr;
		ci->lens[n] = table[n].len;
		ci->writable[n] = table[n].flags & VRING_DESC_F_WRITE;
		if (ci->writable[n])
			ci->wlen += table[n].len;
	}
	ci->ndescs = nents;
	ci->nring = 1;
	dev_advance(d->r, &d->avail_pos, &d->avail_wrap, 1);
}

/* Read one available buffer (a chain) in ring order. */
static bool
dev_pop(struct fake_dev *d, struct chain_info *ci)
{
	struct vc_ring_packed *r = d->r;
	uint16_t n = 0, flags;

	flags = __atomic_load_n(&r->desc[d->avail_pos].flags, __ATOMIC_ACQUIRE);
	if (!desc_avail(flags, d->avail_wrap))
		return false;
	ci->wlen = 0;
	ci->indirect = false;
	if (flags & VRING_DESC_F_INDIRECT) {
		dev_read_indirect(d, &r->desc[d->avail_pos], flags, ci);
		return true;
	}
	for (;;) {
		struct vring_packed_desc *desc = &r->desc[d->avail_pos];

		flags = desc->flags;
		/* every descriptor of a chain is available in the same lap */
		assert_true(desc_avail(flags, d->avail_wrap));
		/* the driver never puts a table inside a chain */
		assert_false(flags & VRING_DESC_F_INDIRECT);
		assert_true(n < r->size && n < 64);
		ci->addrs[n] = desc->addr;
		ci->lens[n] = desc->len;
		ci->writable[n] = flags & VRING_DESC_F_WRITE;
		ci->id = desc->id;
		if (ci->writable[n])
			ci->wlen += desc->len;
		n++;
		dev_advance(r, &d->avail_pos, &d->avail_wrap, 1);
		if (!(flags & VRING_DESC_F_NEXT))
			break;
	}
	ci->ndescs = n;
	ci->nring = n;
	return true;
}

/* Write a used descriptor with explicit flags; skip @ndescs positions. */
static void
dev_put_raw(struct fake_dev *d, uint16_t id, uint32_t len, uint16_t flags, uint16_t ndescs)
{
	struct vring_packed_desc *desc = &d->r->desc[d->used_pos];

	desc->id = id;
	desc->len = len;
	__atomic_store_n(&desc->flags, flags, __ATOMIC_RELEASE);
	dev_advance(d->r, &d->used_pos, &d->used_wrap, ndescs);
}

static void
dev_put(struct fake_dev *d, const struct chain_info *ci, uint32_t len)
{
	dev_put_raw(d, ci->id, len, d->used_wrap ? VC_PDESC_F_AU : 0, ci->nring);
}

/* Add @n one-descriptor RX buffers with cookies base.., publish. */
static void
add_publish(struct fixture *f, unsigned int base, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		assert_int_equal(vc_ring_packed_add_one(&f->r, 0x10000 + 0x100 * (base + i), 200,
							true, COOKIE(base + i)), 0);
	vc_ring_packed_publish(&f->r);
}

/* ---- tests ---- */

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

	(void)state;
	assert_int_equal(vc_ring_packed_free_count(&f->r), 256);
	assert_false(vc_ring_packed_is_broken(&f->r));
	/* the datapath polls: used-buffer notifications off */
	assert_int_equal(f->r.driver->flags, VRING_PACKED_EVENT_FLAG_DISABLE);
	for (i = 0; i < sz; i++)
		if (i != drv_flags && i != drv_flags + 1)
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
	/* not published: the first descriptor's flags are held back, so the
	 * device sees neither buffer */
	assert_false(dev_pop(&f->dev, &ci));
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 0);
	vc_ring_packed_publish(&f->r);

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
	assert_int_equal(f->r.pending, 4);
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
		if (in_order) {
			/* one used descriptor for the whole batch */
			dev_put_raw(&f->dev, popped[np - 1].id, 64,
				    f->dev.used_wrap ? VC_PDESC_F_AU : 0, 0);
			for (k = 0; k < np; k++)
				dev_advance(&f->r, &f->dev.used_pos, &f->dev.used_wrap,
					    popped[k].nring);
		} else {
			/* complete in reverse order */
			for (k = np; k-- > 0;)
				dev_put(&f->dev, &popped[k], 64);
		}
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
	assert_int_equal(vc_ring_packed_add_one(&f->r, 1, 100, true, COOKIE(1)), 0);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 0);
	vc_ring_packed_publish(&f->r);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 1);
	assert_ptr_equal(out[0].cookie, COOKIE(0));
	fixture_free(f);
}

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
	/* the rest of the batch without reading the ring again */
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 1);
	assert_ptr_equal(out[0].cookie, COOKIE(2));
	assert_int_equal(vc_ring_packed_free_count(&f->r), 7);
	dev_put(&f->dev, &ci[3], 0);
	assert_int_equal(vc_ring_packed_dequeue(&f->r, out, 8), 1);
	assert_ptr_equal(out[0].cookie, COOKIE(3));
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
		if (in_order) {
			dev_put_raw(&f->dev, popped[np - 1].id, 0,
				    f->dev.used_wrap ? VC_PDESC_F_AU : 0, 0);
			for (k = 0; k < np; k++)
				dev_advance(&f->r, &f->dev.used_pos, &f->dev.used_wrap,
					    popped[k].nring);
		} else {
			for (k = np; k-- > 0;)
				dev_put(&f->dev, &popped[k], 0);
		}
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
		cmocka_unit_test(test_dequeue_max),
		cmocka_unit_test(test_pending_blocks_dequeue),
		cmocka_unit_test(test_wrong_wrap_bits),
		cmocka_unit_test(test_avail_not_used),
		cmocka_unit_test(test_bad_id),
		cmocka_unit_test(test_double_completion),
		cmocka_unit_test(test_used_with_nothing_out),
		cmocka_unit_test(test_len_too_large),
		cmocka_unit_test(test_in_order_batch),
		cmocka_unit_test(test_in_order_bad_ids),
		cmocka_unit_test(test_in_order_outside_window),
		cmocka_unit_test(test_kick_flags),
		cmocka_unit_test(test_kick_event_desc),
		cmocka_unit_test(test_intr_enable_disable),
		cmocka_unit_test(test_detach_unused),
		cmocka_unit_test(test_reinit_after_broken),
		cmocka_unit_test(test_indirect),
		cmocka_unit_test(test_indirect_errors),
		cmocka_unit_test(test_indirect_hostile),
		cmocka_unit_test(test_indirect_mixed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
