/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * Split virtqueue, driver side: layout, set-up, chained adds and teardown.
 * The per-packet paths are static inline in vc_ring.h.
 *
 * Free list. The device can rewrite desc[] at any time, so the driver never
 * follows desc[].next: each descriptor's private link lives in
 * slots[i].last while the descriptor is free or a non-head member of an
 * outstanding chain. A chain of n takes p0..p(n-1) off the free list in
 * list order and uses the LAST one, p(n-1), as its head: the private links
 * p0 -> ... -> p(n-1) stay intact, and the head's slot only has to remember
 * p0 (in ->last). In device order the chain is head, p1, ..., p(n-2), p0,
 * so p0 is also the chain's last descriptor, as the field name says.
 * Freeing a chain is then an O(1) splice onto the list's tail whatever its
 * length: slot[free_tail].last = p0; free_tail = head.
 */

#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "vc_ring.h"

bool vc_ring_has_prefetchw;

/* Before any ring exists: at load time, whoever links the ring code. */
static void __attribute__((constructor))
vc_ring_cpu_probe(void)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned int a, b, c, d;

	/* CPUID 0x80000001 ECX bit 8: PREFETCHW (3DNowPrefetch). */
	if (__get_cpuid(0x80000001, &a, &b, &c, &d))
		vc_ring_has_prefetchw = (c & (1u << 8)) != 0;
#endif
}

/* Offset of the used ring: after desc table and avail ring (+used_event). */
static size_t
vc_ring_used_offset(uint16_t size)
{
	size_t driver_part = sizeof(struct vring_desc) * size +
		sizeof(struct vring_avail) + sizeof(uint16_t) * (size + 1u);

	return vc_ring_align_up(driver_part, VC_RING_CACHE_LINE);
}

size_t
vc_ring_mem_size(uint16_t size)
{
	size_t used_part;

	if (!vc_ring_size_valid(size))
		return 0;
	used_part = sizeof(struct vring_used) + sizeof(struct vring_used_elem) * size +
		sizeof(uint16_t);
	return vc_ring_align_up(vc_ring_used_offset(size) + used_part, VC_RING_CACHE_LINE);
}

/* Everything vc_ring_init() and vc_ring_reinit() share; mem/size are set. */
static void
vc_ring_reset_state(struct vc_ring *r)
{
	uint16_t i;

	memset(r->desc, 0, vc_ring_mem_size(r->size));
	memset(r->slots, 0, sizeof(*r->slots) * r->size);
	for (i = 0; i + 1 < r->size; i++)
		r->slots[i].last = i + 1;
	r->free_head = 0;
	r->free_tail = r->size - 1;
	r->num_free = r->size;
	r->avail_idx = 0;
	r->last_used = 0;
	r->kicked_avail = 0;
	r->detach_pos = 0;
	r->next_desc = 0;
	r->broken = false;
	r->broken_reason = NULL;
	memset(&r->stats, 0, sizeof(r->stats));

	/*
	 * The datapath polls: no used-buffer notifications. With event idx
	 * the device ignores the flag and only looks at used_event, which is
	 * put as far from last_used as it gets (vc_ring_dequeue() keeps it
	 * there).
	 */
	r->avail->flags = htole16(VRING_AVAIL_F_NO_INTERRUPT);
	*vc_ring_used_event(r) = htole16((uint16_t)(r->last_used - 1));
}

int
vc_ring_init(struct vc_ring *r, void *mem, uint16_t size, struct vc_ring_slot *slots,
	     bool event_idx, vc_ring_notify_fn *notify, void *opaque)
{
	uint8_t *base = mem;

	if (r == NULL || mem == NULL || slots == NULL || !vc_ring_size_valid(size) ||
	    ((uintptr_t)mem & (VC_RING_ALIGN - 1)) != 0)
		return -EINVAL;

	memset(r, 0, sizeof(*r));
	r->desc = mem;
	r->avail = (struct vring_avail *)(void *)(base + sizeof(struct vring_desc) * size);
	r->used = (struct vring_used *)(void *)(base + vc_ring_used_offset(size));
	r->slots = slots;
	r->size = size;
	r->mask = size - 1;
	r->event_idx = event_idx;
	r->notify = notify;
	r->notify_opaque = opaque;
	vc_ring_reset_state(r);
	return 0;
}

void
vc_ring_addrs(const struct vc_ring *r, uint64_t *desc, uint64_t *avail, uint64_t *used)
{
	*desc = (uintptr_t)r->desc;
	*avail = (uintptr_t)r->avail;
	*used = (uintptr_t)r->used;
}

static inline void
vc_ring_desc_set(struct vring_desc *d, const struct vc_ring_seg *seg, uint16_t flags,
		 uint16_t next)
{
	d->addr = htole64(seg->addr);
	d->len = htole32(seg->len);
	d->flags = htole16(flags | (seg->writable ? VRING_DESC_F_WRITE : 0));
	d->next = htole16(next);
}

int
vc_ring_add_chain(struct vc_ring *r, const struct vc_ring_seg *segs, uint16_t n, void *cookie)
{
	struct vc_ring_slot *s;
	uint64_t wlen = 0;
	uint16_t p0, p1, d, head, k;

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
		return vc_ring_add_one(r, segs[0].addr, segs[0].len, segs[0].writable, cookie);

	/* p0 carries the last segment: the end of the chain, no NEXT. */
	p0 = r->free_head;
	vc_ring_desc_set(&r->desc[p0], &segs[n - 1], 0, 0);

	/* p1 .. p(n-2) carry segs[1 .. n-2]; p(n-2) links to p0. */
	p1 = r->slots[p0].last;
	d = p1;
	for (k = 1; k + 1 < n; k++) {
		uint16_t nx = r->slots[d].last;

		vc_ring_desc_set(&r->desc[d], &segs[k], VRING_DESC_F_NEXT,
				 k + 2 == n ? p0 : nx);
		d = nx;
	}

	/* d is p(n-1): the head, carrying segs[0]. */
	head = d;
	s = &r->slots[head];
	r->free_head = s->last;
	r->num_free -= n;
	vc_ring_desc_set(&r->desc[head], &segs[0], VRING_DESC_F_NEXT, n == 2 ? p0 : p1);

	s->cookie = cookie;
	s->len = (uint32_t)wlen;
	s->ndescs = n;
	s->last = p0;

	vc_ring_avail_put(r, head);
	return 0;
}

/*
 * Indirect tables (2.7.5.3).  Everything is validated before anything is
 * written, so an error leaves the ring and the table untouched.  Return:
 * 0 with *wlen = the device-writable bytes, or a negative errno.
 */
static int
vc_ring_indirect_check(const struct vc_ring *r, const struct vring_desc *table,
		       const struct vc_ring_seg *segs, uint16_t n, const void *cookie,
		       uint32_t *wlen)
{
	uint64_t w = 0;
	uint16_t k;

	if (table == NULL || segs == NULL || cookie == NULL || n == 0 || n >= r->size)
		return -EINVAL;
	for (k = 0; k < n; k++)
		if (segs[k].writable)
			w += segs[k].len;
	/* UINT32_MAX itself is VC_RING_LEN_BAD: keep posted lens below it. */
	if (w >= VC_RING_LEN_BAD)
		return -EINVAL;
	if (r->num_free == 0)
		return -ENOSPC;
	*wlen = (uint32_t)w;
	return 0;
}

/*
 * Table entries link by table index (the device walks them inside the
 * table only) and never carry VRING_DESC_F_INDIRECT: one table per buffer.
 * The ring descriptor then carries only VRING_DESC_F_INDIRECT: NEXT with
 * it is forbidden, WRITE is ignored by the device.
 */
static void
vc_ring_indirect_write(struct vring_desc *d, struct vring_desc *table,
		       const struct vc_ring_seg *segs, uint16_t n)
{
	uint16_t k;

	for (k = 0; k + 1 < n; k++)
		vc_ring_desc_set(&table[k], &segs[k], VRING_DESC_F_NEXT, k + 1);
	vc_ring_desc_set(&table[n - 1], &segs[n - 1], 0, 0);
	d->addr = htole64((uintptr_t)table);
	d->len = htole32((uint32_t)n * (uint32_t)sizeof(*table));
	d->flags = htole16(VRING_DESC_F_INDIRECT);
}

int
vc_ring_add_indirect(struct vc_ring *r, struct vring_desc *table,
		     const struct vc_ring_seg *segs, uint16_t n, void *cookie)
{
	struct vc_ring_slot *s;
	uint32_t wlen;
	uint16_t head;
	int ret;

	ret = vc_ring_indirect_check(r, table, segs, n, cookie, &wlen);
	if (ret < 0)
		return ret;
	/* One descriptor, exactly as vc_ring_add_one() takes it. */
	head = r->free_head;
	s = &r->slots[head];
	r->free_head = s->last;
	r->num_free--;
	s->cookie = cookie;
	s->len = wlen;
	s->ndescs = 1;
	s->last = head;
	vc_ring_indirect_write(&r->desc[head], table, segs, n);
	vc_ring_avail_put(r, head);
	return 0;
}

int
vc_ring_io_add_indirect(struct vc_ring *r, struct vring_desc *table,
			const struct vc_ring_seg *segs, uint16_t n, void *cookie)
{
	uint16_t pos = r->avail_idx & r->mask, head = r->next_desc;
	struct vc_ring_slot *s = &r->slots[pos];
	uint32_t wlen;
	int ret;

	ret = vc_ring_indirect_check(r, table, segs, n, cookie, &wlen);
	if (ret < 0)
		return ret;
	r->num_free--;
	r->next_desc = (uint16_t)(head + 1) & r->mask;
	s->cookie = cookie;
	s->len = wlen;
	s->ndescs = 1;
	s->last = head;
	vc_ring_indirect_write(&r->desc[head], table, segs, n);
	vc_ring_avail_put(r, head);
	return 0;
}

void *
vc_ring_detach_unused(struct vc_ring *r)
{
	uint32_t k;

	/* The cursor makes a full teardown O(size), not O(size^2). */
	for (k = 0; k < r->size; k++) {
		uint16_t i = (uint16_t)(r->detach_pos + k) & r->mask;
		struct vc_ring_slot *s = &r->slots[i];
		void *cookie = s->cookie;

		if (cookie != NULL) {
			vc_ring_free_chain(r, s);
			r->detach_pos = (uint16_t)(i + 1) & r->mask;
			return cookie;
		}
	}
	return NULL;
}

void
vc_ring_set_in_order(struct vc_ring *r)
{
	r->in_order = true;
}

int
vc_ring_io_add_chain(struct vc_ring *r, const struct vc_ring_seg *segs, uint16_t n,
		     void *cookie)
{
	uint16_t pos = r->avail_idx & r->mask, head = r->next_desc, d, k;
	struct vc_ring_slot *s = &r->slots[pos];
	uint64_t wlen = 0;

	if (segs == NULL || cookie == NULL || n == 0 || n > r->size)
		return -EINVAL;
	if (n > r->num_free)
		return -ENOSPC;
	for (k = 0; k < n; k++)
		if (segs[k].writable)
			wlen += segs[k].len;
	if (wlen >= UINT32_MAX)
		return -EINVAL;
	/* Descriptors head .. head + n - 1, in table order (wrapping). */
	for (k = 0, d = head; k < n; k++, d = (uint16_t)(d + 1) & r->mask)
		vc_ring_desc_set(&r->desc[d], &segs[k],
				 k + 1 < n ? VRING_DESC_F_NEXT : 0,
				 (uint16_t)(d + 1) & r->mask);
	r->next_desc = d;
	r->num_free -= n;
	s->cookie = cookie;
	s->len = (uint32_t)wlen;
	s->ndescs = n;
	s->last = head;
	vc_ring_avail_put(r, head);
	return 0;
}

void
vc_ring_reinit(struct vc_ring *r)
{
	vc_ring_reset_state(r);
}
