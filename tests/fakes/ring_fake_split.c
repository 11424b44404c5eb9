/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * The fake split-ring device of ring_fake_split.h: it pops avail entries,
 * walks their chains (bounded) the way a backend would, and writes used
 * entries, well-formed or hostile.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "ring_fake_mem.h"
#include "ring_fake_split.h"

struct ring_fixture *
fixture_new(uint16_t size, bool event_idx)
{
	struct ring_fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->mem = ring_fake_mem_new(vc_ring_mem_size(size));
	f->slots = ring_fake_slots_new(size);
	assert_int_equal(vc_ring_init(&f->r, f->mem, size, f->slots, event_idx,
				      ring_fake_count_notify, &f->notified), 0);
	f->dev.r = &f->r;
	return f;
}

void
fixture_free(struct ring_fixture *f)
{
	free(f->mem);
	free(f->slots);
	free(f);
}

struct ring_fixture *
fixture_new_io(uint16_t size)
{
	struct ring_fixture *f = fixture_new(size, false);

	vc_ring_set_in_order(&f->r);
	return f;
}

/* ---- fake device ---- */

uint16_t
dev_avail_pending(struct fake_dev *d)
{
	return (uint16_t)(__atomic_load_n(&d->r->avail->idx, __ATOMIC_ACQUIRE) - d->last_avail);
}

/* Note element @n of a buffer: where it is, how long, who may write it. */
static void
chain_record(struct chain_info *ci, uint16_t n, const struct vring_desc *desc)
{
	ci->addrs[n] = desc->addr;
	ci->lens[n] = desc->len;
	ci->writable[n] = desc->flags & VRING_DESC_F_WRITE;
	if (ci->writable[n])
		ci->wlen += desc->len;
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
		chain_record(ci, n, desc);
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
bool
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
		chain_record(ci, n, desc);
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
void
dev_put(struct fake_dev *d, uint32_t id, uint32_t len)
{
	struct vring_used_elem *e = &d->r->used->ring[d->used_idx & d->r->mask];

	e->id = id;
	e->len = len;
	d->used_idx++;
}

void
dev_publish(struct fake_dev *d)
{
	__atomic_store_n(&d->r->used->idx, d->used_idx, __ATOMIC_RELEASE);
}

void
dev_push(struct fake_dev *d, uint32_t id, uint32_t len)
{
	dev_put(d, id, len);
	dev_publish(d);
}

void
add_publish(struct ring_fixture *f, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		assert_int_equal(vc_ring_add_one(&f->r, i, 1, true, COOKIE(i)), 0);
	vc_ring_publish(&f->r);
}
