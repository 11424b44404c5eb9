/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * vc_ring_packed: the driver side of a virtio 1.x packed virtqueue (2.8).
 *
 * Same shape, rules and types as vc_ring (split): no DPDK, no transport,
 * one lcore owns a ring, nothing is locked.
 *
 * Usage:
 *	mem = aligned_alloc(VC_RING_ALIGN, vc_ring_packed_mem_size(size)) (shared fd!);
 *	vc_ring_packed_init(&r, mem, size, slots, event_idx, in_order, notify_fn, opaque);
 *	vc_ring_packed_addrs(&r, &desc, &driver, &device);  -> queue registers
 *	while (vc_ring_packed_free_count(&r) && ...)
 *		vc_ring_packed_add_one(&r, va, len, true, mbuf);
 *	vc_ring_packed_publish(&r); vc_ring_packed_kick(&r);
 *	n = vc_ring_packed_dequeue(&r, used, burst);   -> {cookie, len} pairs
 *	if (vc_ring_packed_is_broken(&r)) ... report r.broken_reason, reset;
 *	teardown: reset device; while ((c = vc_ring_packed_detach_unused(&r))) free(c);
 *	          vc_ring_packed_reinit(&r);
 *
 * Ring state. The descriptor ring is one array both sides write: the driver
 * makes descriptors available at avail_pos with AVAIL = avail wrap counter
 * and USED = its inverse; the device writes one used descriptor per buffer
 * at used_pos with AVAIL = USED = used wrap counter, and the driver then
 * skips as many positions as that buffer had descriptors. Both wrap
 * counters start at 1 and flip whenever their position wraps to 0; the
 * current flag patterns are kept precomputed (avail_flags, used_flags), so
 * the hot path never divides or takes a modulo.
 *
 * Buffer ids. Without VIRTIO_F_IN_ORDER the device may complete buffers in
 * any order and a ring position can be reused while an older buffer is
 * still out, so ids come from a free list kept in driver-private memory
 * (slots[id].last is the link), first in, first out. With IN_ORDER, id =
 * position of the head: completions come in order, so that position is
 * never reused while its buffer is out, and the device may write one used
 * descriptor for a whole batch (2.8.9); the driver walks from used_pos to
 * the buffer it names.
 *
 * Trust: the device is another process writing the descriptor ring. Every
 * used descriptor is validated before its id is used as an index or its len
 * as a length: flags must carry the current used wrap counter (AVAIL ==
 * USED), the id must be < size and name an outstanding buffer (with
 * IN_ORDER: one inside the outstanding window). Anything else latches the
 * ring broken with a reason and it is never read again; unlike a split
 * ring there is no way to skip a bad entry, because only the named buffer
 * says how far to advance. A len larger than the writable bytes posted is
 * returned as VC_RING_LEN_BAD and counted, as in vc_ring.
 *
 * Memory ordering (pairs): publish's release store of the first pending
 * descriptor's flags pairs with the device's acquire load of those flags
 * (every other descriptor of the batch was written before it and sits
 * behind it, so the device cannot get to them earlier). On x86-64 a
 * one-descriptor buffer is instead stored whole, flags and all, in one
 * atomic 16-byte store after everything it points to
 * (VC_RING_PACKED_DESC_STORE; the vector bursts store whole lines):
 * stores are seen in order, so that store publishes it. dequeue's acquire
 * load of a used descriptor's flags pairs with the device's release store
 * of them. kick's full fence orders the flags store before the load of the
 * device event suppression area (the device does the mirror image).
 */

#ifndef VC_RING_PACKED_H
#define VC_RING_PACKED_H

#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_ring.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "vc_ring.h"

#define VC_PDESC_F_AVAIL ((uint16_t)(1u << VRING_PACKED_DESC_F_AVAIL))
#define VC_PDESC_F_USED ((uint16_t)(1u << VRING_PACKED_DESC_F_USED))
#define VC_PDESC_F_AU (VC_PDESC_F_AVAIL | VC_PDESC_F_USED)
/* The resume word's offset in the device event suppression area's line. */
#define VC_RING_PACKED_RESUME_OFF 32

/**
 * struct vc_ring_packed - a packed virtqueue, driver side.
 *
 * All fields are owned by the one lcore using the queue. desc is written
 * by both sides (validated on read); driver is written by the driver only;
 * device is device-written and only read (it decides kicks).
 */
struct vc_ring_packed {
	struct vring_packed_desc *desc;		/* shared with the device */
	struct vring_packed_desc_event *driver;	/* driver event suppression */
	struct vring_packed_desc_event *device;	/* device event suppression: untrusted */
	uint32_t *resume;	/* in_order: where the driver reads, for the device */
	struct vc_ring_slot *slots;	/* by buffer id: cookie, posted len, ndescs;
					 * ->last links the free id list */
	uint16_t size;
	uint16_t avail_pos;	/* next position to make available */
	uint16_t avail_flags;	/* AVAIL/USED bits of the current avail lap */
	uint16_t used_pos;	/* where the device writes the next used descriptor */
	uint16_t used_flags;	/* AVAIL|USED bits of a used descriptor this lap */
	uint16_t num_free;	/* descriptors free */
	uint16_t free_id;	/* head of the free id list (not with in_order), */
	uint16_t free_id_tail;	/* and its tail; VC_PID_NONE ends the list */
	uint16_t pending;	/* descriptors added since the last publish */
	uint16_t pending_pos;	/* position of the first of them, */
	uint16_t pending_flags;	/* and its flags, stored last by publish */
	uint16_t io_last;	/* in_order: id closing the batch being walked */
	uint32_t io_len;	/* in_order: its used len */
	bool io_active;		/* in_order: a batch is being walked */
	bool event_idx, in_order, broken;
	uint32_t kick_added;	/* descriptors published since the last kick decision */
	const char *broken_reason;	/* static string, set once when broken latches */
	vc_ring_notify_fn *notify;
	void *notify_opaque;
	struct vc_ring_stats stats;
	uint16_t detach_pos;	/* teardown scan cursor */
};

/**
 * vc_ring_packed_mem_size() - bytes of shared memory a packed ring needs.
 * @size: queue size, a power of 2 in 1..VC_RING_SIZE_MAX (the spec allows
 *	any size for packed rings; the driver keeps split's rule so that one
 *	queue setup serves both layouts).
 *
 * Layout: descriptor ring, driver event suppression area, padding to a
 * VC_RING_CACHE_LINE boundary, device event suppression area, the resume
 * word (VC_RING_PACKED_RESUME_OFF into that line), padding. The driver
 * writes the resume word at most once per dequeue, into the line it reads
 * at every kick decision anyway; the device writes that line only to
 * change its notification flags, and never reads it: it costs the
 * device's core nothing. No line the device reads per packet holds
 * anything the driver writes per packet.
 * For every valid size this is at most vc_ring_mem_size(@size), so memory
 * reserved for a split ring also holds the packed ring of the same size.
 *
 * Return: the size in bytes, or 0 if @size is invalid.
 */
size_t vc_ring_packed_mem_size(uint16_t size);

/**
 * vc_ring_packed_init() - lay out a packed ring in @mem and make it empty.
 * @r: ring to initialise.
 * @mem: vc_ring_packed_mem_size(@size) bytes, VC_RING_ALIGN aligned, shared
 *	with the device. Owned by the caller; must outlive @r.
 * @size: power of 2, 1..VC_RING_SIZE_MAX.
 * @slots: @size entries, driver-private. Owned by the caller.
 * @event_idx: VIRTIO_F_EVENT_IDX was negotiated (device event suppression
 *	may then name a descriptor).
 * @in_order: VIRTIO_F_IN_ORDER was negotiated (batched used descriptors).
 * @notify: called from vc_ring_packed_kick(); may be NULL.
 * @opaque: passed to @notify.
 *
 * Zeroes @mem and @slots, resets both wrap counters to 1, and disables
 * used-buffer notifications in the driver event suppression area (the
 * datapath polls).
 *
 * Return: 0, or -EINVAL for a bad size, NULL pointer or misaligned @mem.
 */
int vc_ring_packed_init(struct vc_ring_packed *r, void *mem, uint16_t size,
			struct vc_ring_slot *slots, bool event_idx, bool in_order,
			vc_ring_notify_fn *notify, void *opaque);

/**
 * vc_ring_packed_addrs() - addresses to program into the queue registers.
 *
 * Writes the CVAs of the descriptor ring (queue_desc), the driver event
 * suppression area (queue_driver, "avail") and the device event
 * suppression area (queue_device, "used").
 */
void vc_ring_packed_addrs(const struct vc_ring_packed *r, uint64_t *desc,
			  uint64_t *driver, uint64_t *device);

/**
 * vc_ring_packed_resume_addr() - CVA of the resume word an in-order ring
 * publishes (devsim/virtio_resume.h: where the driver reads the next used
 * descriptor, so that a device can resume the ring on a new backend), or
 * 0 without VIRTIO_F_IN_ORDER (the flags alone tell the device).
 */
uint64_t vc_ring_packed_resume_addr(const struct vc_ring_packed *r);

/**
 * vc_ring_packed_add_chain() - make a chained buffer available (not yet
 * published).
 * @segs: @n elements, in the order the device sees them.
 * @n: 1..size.
 * @cookie: non-NULL; returned by dequeue/detach_unused.
 *
 * Return: 0, -ENOSPC if fewer than @n descriptors are free, -EINVAL if
 * @n is 0 or exceeds the ring size, @cookie or @segs is NULL, or the
 * writable bytes add up to VC_RING_LEN_BAD or more. Nothing changes on
 * error.
 */
int vc_ring_packed_add_chain(struct vc_ring_packed *r, const struct vc_ring_seg *segs,
			     uint16_t n, void *cookie);

/**
 * vc_ring_packed_add_indirect() - make a buffer available through an
 * indirect descriptor table (VIRTIO_RING_F_INDIRECT_DESC, 2.8.19): ONE
 * ring descriptor whatever @n, so its completion frees exactly one.
 * @table: room for @n packed descriptors, in memory the device can read
 *	(shared). Owned by the caller; it must not be rewritten until
 *	@cookie came back from dequeue/detach_unused. Written here, never
 *	read back.
 * @segs: @n elements, in the order the device sees them.
 * @n: 1..size-1 (DPDK vhost rejects a table of size entries or more).
 * @cookie: non-NULL; returned by dequeue/detach_unused.
 *
 * Table entries carry at most VRING_DESC_F_WRITE (no NEXT: the device
 * reads len / 16 entries in order; no INDIRECT) and id 0, which the device
 * ignores. The buffer id is on the ring descriptor, whose flags are the
 * AVAIL/USED bits and VRING_DESC_F_INDIRECT only, with len = 16 * @n.
 * Not published: see vc_ring_packed_publish().
 *
 * Return: 0, -ENOSPC when no descriptor is free, -EINVAL for @n out of
 * range, a NULL @table/@segs/@cookie, or writable bytes adding up to
 * VC_RING_LEN_BAD or more. Neither the ring nor @table changes on error.
 */
int vc_ring_packed_add_indirect(struct vc_ring_packed *r, struct vring_packed_desc *table,
				const struct vc_ring_seg *segs, uint16_t n, void *cookie);

/**
 * vc_ring_packed_detach_unused() - take back one outstanding buffer, for
 * teardown.
 *
 * Call only once the device no longer uses the ring (after reset or
 * GET_VRING_BASE). Buffers added but never published are returned too.
 *
 * Return: the cookie of one outstanding buffer (ownership goes back to the
 * caller), or NULL when none is left.
 */
void *vc_ring_packed_detach_unused(struct vc_ring_packed *r);

/**
 * vc_ring_packed_reinit() - return a ring to the state init left.
 *
 * Same memory, size, slots, features and notify callback; positions, wrap
 * counters, free lists, broken state and stats are reset, shared memory is
 * zeroed. Call after the device was reset and every cookie was detached.
 */
void vc_ring_packed_reinit(struct vc_ring_packed *r);

/* ---- hot path ---------------------------------------------------------- */

/** Return: descriptors currently free. */
static inline uint16_t
vc_ring_packed_free_count(const struct vc_ring_packed *r)
{
	return r->num_free;
}

/** Return: true once the device broke the ring protocol (see broken_reason). */
static inline bool
vc_ring_packed_is_broken(const struct vc_ring_packed *r)
{
	return r->broken;
}

/* Latch broken: the ring is not read again until vc_ring_packed_reinit(). */
static inline void
vc_ring_packed_set_broken(struct vc_ring_packed *r, const char *reason)
{
	if (!r->broken) {
		r->broken = true;
		r->broken_reason = reason;
	}
}

/*
 * Store the flags that make the descriptor at @pos available. The first
 * descriptor of a batch is held back for vc_ring_packed_publish(): while
 * its flags are stale the device stops there and cannot see the others.
 */
static inline void
vc_ring_packed_flags_store(struct vc_ring_packed *r, uint16_t pos, uint16_t flags)
{
	if (r->pending++ == 0) {
		r->pending_pos = pos;
		r->pending_flags = flags;
	} else {
		__atomic_store_n(&r->desc[pos].flags, htole16(flags), __ATOMIC_RELAXED);
	}
}

/* Ends the free id list: no id, a ring has at most VC_RING_SIZE_MAX. */
#define VC_PID_NONE UINT16_MAX
_Static_assert(VC_RING_SIZE_MAX <= VC_PID_NONE, "VC_PID_NONE is never an id");

/*
 * Give a buffer id back: to the tail of the free list, first in, first
 * out. With the device completing in order (DPDK's vhost does), buffer
 * ids then keep matching the positions they are posted at, lap after lap,
 * as with IN_ORDER.
 */
static inline void
vc_ring_packed_id_put(struct vc_ring_packed *r, uint16_t id)
{
	r->slots[id].last = VC_PID_NONE;
	if (r->free_id == VC_PID_NONE)
		r->free_id = id;
	else
		r->slots[r->free_id_tail].last = id;
	r->free_id_tail = id;
}

/* Take a buffer id: the head position with in_order, else the free list. */
static inline uint16_t
vc_ring_packed_id_get(struct vc_ring_packed *r, uint16_t head)
{
	uint16_t id;

	if (r->in_order)
		return head;
	id = r->free_id;
	r->free_id = r->slots[id].last;
	return id;
}

/*
 * Take the buffer id of a one-descriptor buffer at @pos and record the
 * buffer in its slot. A free descriptor implies a free id: each buffer
 * holds >= 1 of each. Return: the id.
 */
static inline uint16_t
vc_ring_packed_slot_one(struct vc_ring_packed *r, uint16_t pos, void *cookie, uint32_t len,
			bool writable)
{
	uint16_t id = vc_ring_packed_id_get(r, pos);
	struct vc_ring_slot *s = &r->slots[id];

	s->cookie = cookie;
	s->len = writable ? len : 0;
	s->ndescs = 1;
	return id;
}

/**
 * vc_ring_packed_next_id() - the buffer id the next add will use.
 *
 * Valid only while the add fits (n <= vc_ring_packed_free_count()): the id
 * then belongs to that buffer until it completes, so it can key
 * per-buffer driver data (TX headers). Unlike a ring position, an id is
 * never shared by two outstanding buffers.
 */
static inline uint16_t
vc_ring_packed_next_id(const struct vc_ring_packed *r)
{
	return r->in_order ? r->avail_pos : r->free_id;
}

/* The flags of a packed descriptor sit in the top 16 bits of its second 8 bytes. */
#define VC_PDESC_HI_FLAGS(f) ((uint64_t)(f) << 48)

/* The second 8 bytes of a packed descriptor, as the device reads them. */
static inline uint64_t
vc_pdesc_hi(uint32_t len, uint16_t id, uint16_t flags)
{
	return len | (uint64_t)id << 32 | VC_PDESC_HI_FLAGS(flags);
}

#if defined(__x86_64__)
/*
 * Where a descriptor can be written whole, flags included, in one store
 * that the device sees complete or not at all: x86 processors with AVX
 * perform aligned 16-byte stores atomically, and stores become visible in
 * program order, so a descriptor written this way is published as it is
 * stored, after everything stored before it (packet, header).
 */
#define VC_RING_PACKED_DESC_STORE 1

static inline void
vc_ring_packed_desc_store(struct vring_packed_desc *d, uint64_t addr, uint32_t len,
			  uint16_t id, uint16_t flags)
{
	__m128i v = _mm_set_epi64x((long long)vc_pdesc_hi(len, id, flags), (long long)addr);

	__atomic_thread_fence(__ATOMIC_RELEASE);
	_mm_store_si128((void *)d, v);
}
#endif

/**
 * vc_ring_packed_add_one() - make a one-descriptor buffer available.
 * @addr: CVA of the buffer.
 * @len: its length.
 * @writable: device-writable (receive) or device-readable (transmit).
 * @cookie: non-NULL, returned with the completion.
 *
 * With VC_RING_PACKED_DESC_STORE (x86-64) the descriptor is written whole
 * and the device may take it at once (behind a chain of this batch still
 * held back, it waits for that). Elsewhere it is written field by field
 * and its flags wait for vc_ring_packed_publish(). Why not hold every
 * batch back: the device polls the next descriptor, and a line written
 * field by field, then published by one more store, moves between the
 * cores several times; written whole, once. Either way, call
 * vc_ring_packed_publish() once per batch.
 *
 * Return: 0, or -ENOSPC when no descriptor is free.
 */
static inline int
vc_ring_packed_add_one(struct vc_ring_packed *r, uint64_t addr, uint32_t len,
		       bool writable, void *cookie)
{
	uint16_t pos = r->avail_pos, id;
	struct vring_packed_desc *d;

	if (unlikely(r->num_free == 0))
		return -ENOSPC;
	r->num_free--;
	id = vc_ring_packed_slot_one(r, pos, cookie, len, writable);
	d = &r->desc[pos];
#ifdef VC_RING_PACKED_DESC_STORE
	vc_ring_packed_desc_store(d, addr, len, id,
				  r->avail_flags | (writable ? VRING_DESC_F_WRITE : 0));
	r->kick_added++;	/* published: counted for the next kick decision */
#else
	d->addr = htole64(addr);
	d->len = htole32(len);
	d->id = htole16(id);
	vc_ring_packed_flags_store(r, pos,
				   r->avail_flags | (writable ? VRING_DESC_F_WRITE : 0));
#endif
	if (unlikely(++pos == r->size)) {
		pos = 0;
		r->avail_flags ^= VC_PDESC_F_AU;
	}
	r->avail_pos = pos;
	return 0;
}

/**
 * vc_ring_packed_prefetch_add() - prefetch for writing the descriptors the
 * next @n one-descriptor adds will fill (vc_prefetch_lines()): the
 * device's core read or wrote them last.
 */
static inline void
vc_ring_packed_prefetch_add(const struct vc_ring_packed *r, uint16_t n)
{
	if (n > r->num_free)
		n = r->num_free;
	vc_prefetch_lines(r->desc, sizeof(*r->desc), r->size, r->avail_pos, n);
}

/**
 * vc_ring_packed_publish() - expose every buffer added since the last
 * publish.
 *
 * One release store: the flags of the first pending descriptor. Pairs with
 * the device's acquire load of them.
 */
static inline void
vc_ring_packed_publish(struct vc_ring_packed *r)
{
	if (r->pending == 0)
		return;
	__atomic_store_n(&r->desc[r->pending_pos].flags, htole16(r->pending_flags),
			 __ATOMIC_RELEASE);
	r->kick_added += r->pending;
	r->pending = 0;
}

/**
 * vc_ring_packed_kick() - notify the device, unless it suppressed
 * notifications.
 *
 * Call after vc_ring_packed_publish(). Does nothing if nothing was published
 * since the last kick decision. Otherwise a full fence orders the flags
 * store before reading the device event suppression area (flags and
 * off_wrap in one load), then: DISABLE: no kick; DESC (only meaningful with
 * event idx): kick iff the published range crossed the descriptor named by
 * off_wrap; anything else: kick.
 *
 * Return: true when the device wanted the notification (as
 * vc_ring_kick()).
 */
static inline bool
vc_ring_packed_kick(struct vc_ring_packed *r)
{
	struct vring_packed_desc_event ev;
	uint32_t added = r->kick_added;
	uint16_t flags;
	bool need;

	if (added == 0)
		return false;
	r->kick_added = 0;
	vc_ring_mb();
	__atomic_load(r->device, &ev, __ATOMIC_RELAXED);
	flags = le16toh(ev.flags);
	if (flags == VRING_PACKED_EVENT_FLAG_DISABLE) {
		need = false;
	} else if (flags == VRING_PACKED_EVENT_FLAG_DESC && r->event_idx &&
		   added < r->size) {
		/*
		 * Positions as one line: the current lap is [0, size), the
		 * previous one [-size, 0). old may lie in the previous lap;
		 * an event with the other wrap counter is moved there too.
		 */
		uint16_t off_wrap = le16toh(ev.off_wrap);
		uint16_t event = off_wrap & (uint16_t)~(1u << VRING_PACKED_EVENT_F_WRAP_CTR);
		bool ewrap = off_wrap >> VRING_PACKED_EVENT_F_WRAP_CTR;
		bool awrap = r->avail_flags & VC_PDESC_F_AVAIL;
		uint16_t cur = r->avail_pos, old = (uint16_t)(cur - added);

		if (ewrap != awrap)
			event = (uint16_t)(event - r->size);
		need = vring_need_event(event, cur, old);
	} else {
		/* ENABLE, or a value we cannot interpret: a kick is harmless. */
		need = true;
	}
	if (need) {
		r->stats.kicks++;
		if (r->notify != NULL)
			r->notify(r->notify_opaque);
	}
	return need;
}

/* Consume @n positions at used_pos, flipping the used wrap counter. */
static inline void
vc_ring_packed_used_advance(struct vc_ring_packed *r, uint16_t n)
{
	uint32_t pos = (uint32_t)r->used_pos + n;

	if (pos >= r->size) {
		pos -= r->size;
		r->used_flags ^= VC_PDESC_F_AU;
	}
	r->used_pos = (uint16_t)pos;
	r->num_free += n;
}

/*
 * Read the used descriptor at used_pos. Return: 1 with *id and *len set,
 * 0 if the device has not written it yet, -1 if it wrote nonsense (the
 * ring is then broken). Only called while something published is out, so
 * the position holds either our available descriptor of this lap or the
 * device's used descriptor of this lap; any other AVAIL/USED pattern is a
 * wrong wrap counter.
 */
static inline int
vc_ring_packed_used_read(struct vc_ring_packed *r, uint16_t *id, uint32_t *len)
{
	const struct vring_packed_desc *d = &r->desc[r->used_pos];
	/* Pairs with the device's release store of the used flags. */
	uint16_t au = le16toh(__atomic_load_n(&d->flags, __ATOMIC_ACQUIRE)) & VC_PDESC_F_AU;

	if (au != r->used_flags) {
		if (likely(au == (r->used_flags ^ VC_PDESC_F_USED)))
			return 0;
		vc_ring_packed_set_broken(r, "used descriptor with a wrong wrap counter");
		return -1;
	}
	/* Read each field exactly once: the device may change them. */
	*id = le16toh(__atomic_load_n(&d->id, __ATOMIC_RELAXED));
	*len = le32toh(__atomic_load_n(&d->len, __ATOMIC_RELAXED));
	if (unlikely(*id >= r->size || r->slots[*id].cookie == NULL)) {
		r->stats.invalid_used++;
		vc_ring_packed_set_broken(r, *id >= r->size ?
					  "used buffer id out of range" :
					  "used buffer id is not outstanding");
		return -1;
	}
	return 1;
}

/* The len a completion reports: checked against what was posted. */
static inline uint32_t
vc_ring_packed_len_check(struct vc_ring_packed *r, const struct vc_ring_slot *s, uint32_t len)
{
	if (unlikely(len > s->len)) {
		if (s->len == 0)
			return 0;	/* read-only chain: len carries no meaning */
		r->stats.invalid_used++;
		return VC_RING_LEN_BAD;
	}
	return len;
}

/*
 * Tell the device where the driver reads the next used descriptor
 * (devsim/virtio_resume.h), once the buffers before it are taken back:
 * release, so that a device seeing a slot made available again also sees
 * the word that freed it. In-order rings only; dequeue calls it.
 */
void vc_ring_packed_resume_publish(struct vc_ring_packed *r);

/* The in-order path: one used descriptor may close a batch of buffers. */
uint16_t vc_ring_packed_dequeue_in_order(struct vc_ring_packed *r,
					 struct vc_ring_used *out, uint16_t max);

/**
 * vc_ring_packed_dequeue() - collect completed buffers.
 * @out: room for @max entries.
 *
 * Validates every used descriptor (see the file comment); a violation
 * latches the ring broken and ends the call. A len larger than the
 * writable bytes posted is returned as VC_RING_LEN_BAD (and counted); for
 * device-readable-only chains len is returned as 0. Buffers added but not
 * yet published block it: publish first.
 *
 * Return: number of @out entries filled (each cookie is handed back to the
 * caller exactly once); 0 once broken.
 */
static inline uint16_t
vc_ring_packed_dequeue(struct vc_ring_packed *r, struct vc_ring_used *out, uint16_t max)
{
	uint16_t got = 0;

	if (unlikely(r->broken || r->pending != 0))
		return 0;
	if (r->in_order)
		return vc_ring_packed_dequeue_in_order(r, out, max);
	/* num_free < size: something published is out. */
	while (got < max && r->num_free < r->size) {
		struct vc_ring_slot *s;
		uint32_t len;
		uint16_t id;

		if (vc_ring_packed_used_read(r, &id, &len) <= 0)
			break;
		s = &r->slots[id];
		out[got].cookie = s->cookie;
		out[got].len = vc_ring_packed_len_check(r, s, len);
		got++;
		s->cookie = NULL;
		vc_ring_packed_id_put(r, id);
		/* ndescs <= descriptors out: the buffer was one of them. */
		vc_ring_packed_used_advance(r, s->ndescs);
	}
	return got;
}

/**
 * vc_ring_packed_enable_intr() - ask the device to notify the next used
 * buffer, through the driver event suppression area.
 *
 * Without event idx: flags ENABLE (stays until disable_intr). With event
 * idx: flags DESC naming used_pos and the used wrap counter, so the device
 * notifies when it writes the next used descriptor; consuming it moves
 * used_pos past the event, which disarms it (one-shot, like the split
 * ring). off_wrap is stored before flags (release) so the device never
 * pairs DESC with a stale offset.
 *
 * Race: a buffer used before the device saw the store is never notified;
 * a full fence orders the store before re-reading the ring (pairs with the
 * device's fence between its used flags store and its read of the event
 * area), so that buffer is seen here instead.
 *
 * Return: true when used buffers are already pending (poll instead of
 * waiting), false otherwise. A broken ring reports true.
 */
static inline bool
vc_ring_packed_enable_intr(struct vc_ring_packed *r)
{
	uint16_t au;

	if (r->event_idx) {
		bool wrap = r->used_flags & VC_PDESC_F_USED;
		uint16_t off_wrap = r->used_pos |
			(uint16_t)(wrap << VRING_PACKED_EVENT_F_WRAP_CTR);

		__atomic_store_n(&r->driver->off_wrap, htole16(off_wrap), __ATOMIC_RELAXED);
		__atomic_store_n(&r->driver->flags, htole16(VRING_PACKED_EVENT_FLAG_DESC),
				 __ATOMIC_RELEASE);
	} else {
		__atomic_store_n(&r->driver->flags, htole16(VRING_PACKED_EVENT_FLAG_ENABLE),
				 __ATOMIC_RELAXED);
	}
	vc_ring_mb();
	if (r->broken || r->io_active)
		return true;
	if (r->num_free == r->size)
		return false;
	au = le16toh(__atomic_load_n(&r->desc[r->used_pos].flags, __ATOMIC_ACQUIRE)) &
	     VC_PDESC_F_AU;
	return au != (r->used_flags ^ VC_PDESC_F_USED);
}

/**
 * vc_ring_packed_disable_intr() - suppress used-buffer notifications again
 * (the state init leaves). A notification already on its way may still
 * arrive.
 */
static inline void
vc_ring_packed_disable_intr(struct vc_ring_packed *r)
{
	__atomic_store_n(&r->driver->flags, htole16(VRING_PACKED_EVENT_FLAG_DISABLE),
			 __ATOMIC_RELAXED);
}

#endif /* VC_RING_PACKED_H */
