/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * Packed virtqueue, driver side: layout, set-up, chained adds, the
 * in-order completion walk and teardown. The per-packet paths are static
 * inline in vc_ring_packed.h.
 */

#include <string.h>

#include <devsim/virtio_resume.h>

#include "vc_ring_packed.h"

_Static_assert(sizeof(struct vring_packed_desc) == 16, "packed descriptor");
_Static_assert(sizeof(struct vring_packed_desc_event) == 4, "event suppression");
_Static_assert(offsetof(struct vring_packed_desc, id) == 12, "packed desc id");
_Static_assert(offsetof(struct vring_packed_desc, flags) == 14, "packed desc flags");
_Static_assert(VC_RING_SIZE_MAX <= (1u << VRING_PACKED_EVENT_F_WRAP_CTR),
	       "positions must fit below the wrap counter bit");

/* The device event area starts on its own cache line. */
static size_t
vc_ring_packed_device_offset(uint16_t size)
{
	return vc_ring_align_up(sizeof(struct vring_packed_desc) * size +
				       sizeof(struct vring_packed_desc_event),
				       VC_RING_CACHE_LINE);
}

size_t
vc_ring_packed_mem_size(uint16_t size)
{
	if (!vc_ring_size_valid(size))
		return 0;
	return vc_ring_align_up(vc_ring_packed_device_offset(size) +
				       VC_RING_PACKED_RESUME_OFF + sizeof(uint32_t),
				       VC_RING_CACHE_LINE);
}

_Static_assert(VC_RING_PACKED_RESUME_OFF >= sizeof(struct vring_packed_desc_event) &&
	       VC_RING_PACKED_RESUME_OFF + sizeof(uint32_t) <= VC_RING_CACHE_LINE &&
	       VC_RING_PACKED_RESUME_OFF % sizeof(uint32_t) == 0,
	       "the resume word sits after the device event area, in its line");

void
vc_ring_packed_resume_publish(struct vc_ring_packed *r)
{
	uint32_t w = devsim_resume_word(r->used_pos,
					(r->used_flags & VC_PDESC_F_USED) != 0,
					r->io_last, r->io_active);

	__atomic_store_n(r->resume, htole32(w), __ATOMIC_RELEASE);
}

/* Everything init and reinit share; mem/size are set. */
static void
vc_ring_packed_reset_state(struct vc_ring_packed *r)
{
	uint16_t i;

	memset(r->desc, 0, vc_ring_packed_mem_size(r->size));
	memset(r->slots, 0, sizeof(*r->slots) * r->size);
	for (i = 0; i + 1 < r->size; i++)
		r->slots[i].last = i + 1;
	r->slots[r->size - 1].last = VC_PID_NONE;
	r->free_id = 0;
	r->free_id_tail = r->size - 1;
	r->num_free = r->size;
	/* Both wrap counters start at 1 (2.8.1). */
	r->avail_pos = 0;
	r->avail_flags = VC_PDESC_F_AVAIL;
	r->used_pos = 0;
	r->used_flags = VC_PDESC_F_AU;
	r->pending = 0;
	r->pending_pos = 0;
	r->pending_flags = 0;
	r->kick_added = 0;
	r->io_active = false;
	r->io_last = 0;
	r->io_len = 0;
	r->detach_pos = 0;
	r->broken = false;
	r->broken_reason = NULL;
	memset(&r->stats, 0, sizeof(r->stats));

	/* The datapath polls: no used-buffer notifications. */
	r->driver->off_wrap = 0;
	r->driver->flags = htole16(VRING_PACKED_EVENT_FLAG_DISABLE);
	vc_ring_packed_resume_publish(r);
}

int
vc_ring_packed_init(struct vc_ring_packed *r, void *mem, uint16_t size,
		    struct vc_ring_slot *slots, bool event_idx, bool in_order,
		    vc_ring_notify_fn *notify, void *opaque)
{
	uint8_t *base = mem;

	if (r == NULL || mem == NULL || slots == NULL || !vc_ring_size_valid(size) ||
	    ((uintptr_t)mem & (VC_RING_ALIGN - 1)) != 0)
		return -EINVAL;

	memset(r, 0, sizeof(*r));
	r->desc = mem;
	r->driver = (struct vring_packed_desc_event *)(void *)
		(base + sizeof(struct vring_packed_desc) * size);
	r->device = (struct vring_packed_desc_event *)(void *)
		(base + vc_ring_packed_device_offset(size));
	r->resume = (uint32_t *)(void *)(base + vc_ring_packed_device_offset(size) +
					 VC_RING_PACKED_RESUME_OFF);
	r->slots = slots;
	r->size = size;
	r->event_idx = event_idx;
	r->in_order = in_order;
	r->notify = notify;
	r->notify_opaque = opaque;
	vc_ring_packed_reset_state(r);
	return 0;
}

void
vc_ring_packed_addrs(const struct vc_ring_packed *r, uint64_t *desc, uint64_t *driver,
		     uint64_t *device)
{
	*desc = (uintptr_t)r->desc;
	*driver = (uintptr_t)r->driver;
	*device = (uintptr_t)r->device;
}

uint64_t
vc_ring_packed_resume_addr(const struct vc_ring_packed *r)
{
	return r->in_order ? (uintptr_t)r->resume : 0;
}

int
vc_ring_packed_add_chain(struct vc_ring_packed *r, const struct vc_ring_seg *segs,
			 uint16_t n, void *cookie)
{
	uint16_t head, pos, flags, head_flags = 0, id, k;
	struct vc_ring_slot *s;
	uint64_t wlen = 0;

	if (n == 0 || n > r->size || segs == NULL || cookie == NULL)
		return -EINVAL;
	for (k = 0; k < n; k++)
		if (segs[k].writable)
			wlen += segs[k].len;
	/* UINT32_MAX itself is VC_RING_LEN_BAD: keep posted lens below it. */
	if (wlen >= VC_RING_LEN_BAD && n > 1)
		return -EINVAL;
	if (n > r->num_free)
		return -ENOSPC;
	if (n == 1)
		return vc_ring_packed_add_one(r, segs[0].addr, segs[0].len, segs[0].writable,
					      cookie);

	head = r->avail_pos;
	id = vc_ring_packed_id_get(r, head);
	flags = r->avail_flags;
	pos = head;
	for (k = 0; k < n; k++) {
		struct vring_packed_desc *d = &r->desc[pos];
		uint16_t f = flags | (k + 1 < n ? VRING_DESC_F_NEXT : 0) |
			     (segs[k].writable ? VRING_DESC_F_WRITE : 0);

		d->addr = htole64(segs[k].addr);
		d->len = htole32(segs[k].len);
		d->id = htole16(id);
		/* The head's flags go last: the chain appears whole or not at all. */
		if (k == 0)
			head_flags = f;
		else
			__atomic_store_n(&d->flags, htole16(f), __ATOMIC_RELAXED);
		if (++pos == r->size) {
			pos = 0;
			flags ^= VC_PDESC_F_AU;
		}
	}
	r->avail_pos = pos;
	r->avail_flags = flags;
	r->num_free -= n;

	s = &r->slots[id];
	s->cookie = cookie;
	s->len = (uint32_t)wlen;
	s->ndescs = n;
	vc_ring_packed_flags_store(r, head, head_flags);
	r->pending += n - 1;
	return 0;
}

int
vc_ring_packed_add_indirect(struct vc_ring_packed *r, struct vring_packed_desc *table,
			    const struct vc_ring_seg *segs, uint16_t n, void *cookie)
{
	uint16_t pos = r->avail_pos, id, k;
	struct vring_packed_desc *d;
	struct vc_ring_slot *s;
	uint64_t wlen = 0;

	/* Validate everything first: nothing changes on error. */
	if (table == NULL || segs == NULL || cookie == NULL || n == 0 || n >= r->size)
		return -EINVAL;
	for (k = 0; k < n; k++)
		if (segs[k].writable)
			wlen += segs[k].len;
	if (wlen >= VC_RING_LEN_BAD)
		return -EINVAL;
	if (r->num_free == 0)
		return -ENOSPC;

	for (k = 0; k < n; k++) {
		table[k].addr = htole64(segs[k].addr);
		table[k].len = htole32(segs[k].len);
		table[k].id = 0;
		table[k].flags = htole16(segs[k].writable ? VRING_DESC_F_WRITE : 0);
	}
	/* One descriptor and one id, exactly as vc_ring_packed_add_one(). */
	r->num_free--;
	id = vc_ring_packed_id_get(r, pos);
	s = &r->slots[id];
	s->cookie = cookie;
	s->len = (uint32_t)wlen;
	s->ndescs = 1;

	d = &r->desc[pos];
	d->addr = htole64((uintptr_t)table);
	d->len = htole32((uint32_t)n * (uint32_t)sizeof(*table));
	d->id = htole16(id);
	/* The table is written before these flags are (publish: release). */
	vc_ring_packed_flags_store(r, pos, r->avail_flags | VRING_DESC_F_INDIRECT);
	if (unlikely(++pos == r->size)) {
		pos = 0;
		r->avail_flags ^= VC_PDESC_F_AU;
	}
	r->avail_pos = pos;
	return 0;
}

uint16_t
vc_ring_packed_dequeue_in_order(struct vc_ring_packed *r, struct vc_ring_used *out,
				uint16_t max)
{
	uint16_t got = 0;

	while (got < max && r->num_free < r->size) {
		uint16_t pos = r->used_pos;
		struct vc_ring_slot *s = &r->slots[pos];
		bool last;

		if (!r->io_active) {
			uint16_t id, out_descs = r->size - r->num_free, dist;
			uint32_t len;

			if (vc_ring_packed_used_read(r, &id, &len) <= 0)
				break;
			/*
			 * Outstanding buffers sit contiguously from used_pos
			 * (completions are in order), each head's id being its
			 * position: the one named must lie inside that window.
			 */
			dist = id >= pos ? id - pos : (uint16_t)(id + r->size - pos);
			if (unlikely(dist >= out_descs)) {
				r->stats.invalid_used++;
				vc_ring_packed_set_broken(r, "in-order used id lies outside the buffers made available");
				break;
			}
			r->io_last = id;
			r->io_len = len;
			r->io_active = true;
		}
		if (unlikely(s->cookie == NULL)) {
			/* Only possible if the invariants above were broken. */
			vc_ring_packed_set_broken(r, "in-order batch does not match the buffers made available");
			break;
		}
		/* Buffers the batch skips carry no length of their own (2.8.9). */
		last = pos == r->io_last;
		out[got].cookie = s->cookie;
		out[got].len = vc_ring_packed_len_check(r, s, last ? r->io_len : 0);
		got++;
		s->cookie = NULL;
		vc_ring_packed_used_advance(r, s->ndescs);
		if (last)
			r->io_active = false;
	}
	if (got != 0)
		vc_ring_packed_resume_publish(r);
	return got;
}

void *
vc_ring_packed_detach_unused(struct vc_ring_packed *r)
{
	uint32_t k;

	/* The cursor makes a full teardown O(size), not O(size^2). */
	for (k = 0; k < r->size; k++) {
		uint16_t i = (uint16_t)((r->detach_pos + k) & (r->size - 1u));
		struct vc_ring_slot *s = &r->slots[i];
		void *cookie = s->cookie;

		if (cookie != NULL) {
			s->cookie = NULL;
			r->num_free += s->ndescs;
			if (!r->in_order)
				vc_ring_packed_id_put(r, i);
			r->detach_pos = (uint16_t)((i + 1u) & (r->size - 1u));
			return cookie;
		}
	}
	return NULL;
}

void
vc_ring_packed_reinit(struct vc_ring_packed *r)
{
	vc_ring_packed_reset_state(r);
}
