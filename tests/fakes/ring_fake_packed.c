/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * The fake packed-ring device of ring_fake_packed.h: it reads available
 * descriptors in ring order with its own wrap counters (2.8), walks chains
 * the way a backend does, and writes used descriptors, well-formed or
 * hostile.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "ring_fake_mem.h"
#include "ring_fake_packed.h"

struct fixture *
fixture_new(uint16_t size, bool event_idx, bool in_order)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->mem = ring_fake_mem_new(vc_ring_packed_mem_size(size));
	f->slots = ring_fake_slots_new(size);
	assert_int_equal(vc_ring_packed_init(&f->r, f->mem, size, f->slots, event_idx, in_order,
					     ring_fake_count_notify, &f->notified), 0);
	f->dev.r = &f->r;
	f->dev.avail_wrap = true;
	f->dev.used_wrap = true;
	return f;
}

void
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

void
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
bool
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
void
dev_put_raw(struct fake_dev *d, uint16_t id, uint32_t len, uint16_t flags, uint16_t ndescs)
{
	struct vring_packed_desc *desc = &d->r->desc[d->used_pos];

	desc->id = id;
	desc->len = len;
	__atomic_store_n(&desc->flags, flags, __ATOMIC_RELEASE);
	dev_advance(d->r, &d->used_pos, &d->used_wrap, ndescs);
}

void
dev_put(struct fake_dev *d, const struct chain_info *ci, uint32_t len)
{
	dev_put_raw(d, ci->id, len, d->used_wrap ? VC_PDESC_F_AU : 0, ci->nring);
}

void
dev_put_all(struct fixture *f, const struct chain_info *popped,
	    unsigned int np, uint32_t len, bool in_order)
{
	unsigned int k;

	if (in_order) {
		dev_put_raw(&f->dev, popped[np - 1].id, len,
			    f->dev.used_wrap ? VC_PDESC_F_AU : 0, 0);
		for (k = 0; k < np; k++)
			dev_advance(&f->r, &f->dev.used_pos, &f->dev.used_wrap,
				    popped[k].nring);
	} else {
		for (k = np; k-- > 0;)
			dev_put(&f->dev, &popped[k], len);
	}
}

/* Add @n one-descriptor RX buffers with cookies base.., publish. */
void
add_publish(struct fixture *f, unsigned int base, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		assert_int_equal(vc_ring_packed_add_one(&f->r, 0x10000 + 0x100 * (base + i), 200,
							true, COOKIE(base + i)), 0);
	vc_ring_packed_publish(&f->r);
}
