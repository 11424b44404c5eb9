/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * vc_ring against a fake device living in this file: it pops avail
 * entries, walks their chains (bounded) the way a backend would, and writes
 * used entries, well-formed or hostile.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "vc_ring.h"

#define COOKIE(i) ((void *)(uintptr_t)(0x1000u + (unsigned int)(i)))
#define COOKIE_NUM(c) ((unsigned int)((uintptr_t)(c) - 0x1000u))

struct fake_dev {
	struct vc_ring *r;
	uint16_t last_avail;	/* next avail entry to pop */
	uint16_t used_idx;	/* shadow of used->idx */
};

struct chain_info {
	uint16_t head;
	uint16_t ndescs;	/* buffer elements (table entries if indirect) */
	uint16_t nring;		/* ring descriptors the buffer holds */
	bool indirect;		/* through an indirect table */
	uint32_t wlen;		/* device-writable bytes */
	uint16_t descs[64];	/* ring descriptor indexes (nring of them) */
	uint64_t addrs[64];
	uint32_t lens[64];
	bool writable[64];
};

struct ring_fixture {
	struct vc_ring r;
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

static struct ring_fixture *
fixture_new(uint16_t size, bool event_idx)
{
	struct ring_fixture *f = calloc(1, sizeof(*f));
	size_t sz = vc_ring_mem_size(size);

	assert_non_null(f);
	assert_true(sz > 0);
	f->mem = aligned_alloc(VC_RING_ALIGN, (sz + VC_RING_ALIGN - 1) & ~(size_t)(VC_RING_ALIGN - 1));
	assert_non_null(f->mem);
	memset(f->mem, 0xa5, sz);	/* init must zero it */
	f->slots = malloc(sizeof(*f->slots) * size);
	assert_non_null(f->slots);
	memset(f->slots, 0x5a, sizeof(*f->slots) * size);
	assert_int_equal(vc_ring_init(&f->r, f->mem, size, f->slots, event_idx, count_notify,
				      &f->notified), 0);
	f->dev.r = &f->r;
	return f;
}

static void
fixture_free(struct ring_fixture *f)
{
	free(f->mem);
	free(f->slots);
	free(f);
}

/* ---- fake device ---- */

static uint16_t
dev_avail_pending(struct fake_dev *d)
{
	return (uint16_t)(__atomic_load_n(&d->r->avail->idx, __ATOMIC_ACQUIRE) - d->last_avail);
}

/*
 * Follow an indirect table (2.7.5.3) the way a backend does, checking the
 * driver side of the rules: the ring descriptor carries INDIRECT only (no
 * NEXT), len is a non-zero multiple of 16 below the queue size, entries
 * never carry INDIRECT and link inside the table.
 */
static void
dev_walk_indirect(struct vc_ring *r, const struct vring_desc *rd, struct chain_info *ci)
{
	const struct vring_desc *table = (const void *)(uintptr_t)rd->addr;
	uint16_t idx = 0, n = 0, nents;

	assert_int_equal(rd->flags, VRING_DESC_F_INDIRECT);
	assert_int_equal(rd->len % sizeof(struct vring_desc), 0);
	nents = rd->len / sizeof(struct vring_desc);
	assert_true(nents >= 1 && nents < r->size && nents <= 64);
	ci->indirect = true;
	for (;;) {
		const struct vring_desc *desc = &table[idx];

		assert_true(n < nents);
		assert_false(desc->flags & VRING_DESC_F_INDIRECT);
		ci->addrs[n] = desc->addr;
		ci->lens[n] = desc->len;
		ci->writable[n] = desc->flags & VRING_DESC_F_WRITE;
		if (ci->writable[n])
			ci->wlen += desc->len;
		n++;
		if (!(desc->flags & VRING_DESC_F_NEXT))
			break;
		idx = desc->next;
		assert_true(idx < nents);
	}
	assert_int_equal(n, nents);	/* the driver sizes tables exactly */
	ci->ndescs = n;
}

/* Pop one published chain; walks desc[] bounded by size like a backend. */
static bool
dev_pop(struct fake_dev *d, struct chain_info *ci)
{
	struct vc_ring *r = d->r;
	uint16_t idx, n = 0;

	if (dev_avail_pending(d) == 0)
		return false;
	ci->head = r->avail->ring[d->last_avail & r->mask];
	d->last_avail++;
	assert_true(ci->head < r->size);
	ci->wlen = 0;
	ci->indirect = false;
	idx = ci->head;
	if (r->desc[idx].flags & VRING_DESC_F_INDIRECT) {
		ci->descs[0] = idx;
		ci->nring = 1;
		dev_walk_indirect(r, &r->desc[idx], ci);
		return true;
	}
	for (;;) {
		struct vring_desc *desc = &r->desc[idx];

		assert_true(n < r->size && n < 64);
		/* the driver never puts a table at the end of a chain */
		assert_false(desc->flags & VRING_DESC_F_INDIRECT);
		ci->descs[n] = idx;
		ci->addrs[n] = desc->addr;
		ci->lens[n] = desc->len;
		ci->writable[n] = desc->flags & VRING_DESC_F_WRITE;
		if (ci->writable[n])
			ci->wlen += desc->len;
		n++;
		if (!(desc->flags & VRING_DESC_F_NEXT))
			break;
		idx = desc->next;
		assert_true(idx < r->size);
	}
	ci->ndescs = n;
	ci->nring = n;
	return true;
}

/* Write a used entry without publishing it. */
static void
dev_put(struct fake_dev *d, uint32_t id, uint32_t len)
{
	struct vring_used_elem *e = &d->r->used->ring[d->used_idx & d->r->mask];

	e->id = id;
	e->len = len;
	d->used_idx++;
}

static void
dev_publish(struct fake_dev *d)
{
	__atomic_store_n(&d->r->used->idx, d->used_idx, __ATOMIC_RELEASE);
}

static void
dev_push(struct fake_dev *d, uint32_t id, uint32_t len)
{
	dev_put(d, id, len);
	dev_publish(d);
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
add_publish(struct ring_fixture *f, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		assert_int_equal(vc_ring_add_one(&f->r, i, 1, true, COOKIE(i)), 0);
	vc_ring_publish(&f->r);
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

/* ---- VIRTIO_F_IN_ORDER mode ---- */

static struct ring_fixture *
fixture_new_io(uint16_t size)
{
	struct ring_fixture *f = fixture_new(size, false);

	vc_ring_set_in_order(&f->r);
	return f;
}

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
		cmocka_unit_test(test_indirect),
		cmocka_unit_test(test_indirect_errors),
		cmocka_unit_test(test_indirect_hostile),
		cmocka_unit_test(test_indirect_mixed_wrap),
		cmocka_unit_test(test_io_indirect),
		cmocka_unit_test(test_io_sequential_wrap),
		cmocka_unit_test(test_io_tx_batch_one_entry),
		cmocka_unit_test(test_io_rx_bad_entries),
		cmocka_unit_test(test_io_used_idx_overrun),
		cmocka_unit_test(test_io_chain_wrap_and_full),
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
		cmocka_unit_test(test_dequeue_max),
		cmocka_unit_test(test_kick_no_notify),
		cmocka_unit_test(test_kick_event_idx),
		cmocka_unit_test(test_used_event_never_crossed),
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
