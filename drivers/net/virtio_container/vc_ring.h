/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * vc_ring: the driver side of a virtio 1.x split virtqueue.
 *
 * No DPDK, no transport: the ring knows descriptors, cookies and a notify
 * callback, nothing else. One lcore owns a ring; nothing here is locked.
 *
 * Usage:
 *	mem = aligned_alloc(VC_RING_ALIGN, vc_ring_mem_size(size)) (shared fd!);
 *	vc_ring_init(&r, mem, size, slots, event_idx, notify_fn, opaque);
 *	vc_ring_addrs(&r, &desc, &avail, &used);    -> queue registers
 *	while (vc_ring_free_count(&r) && ...) vc_ring_add_one(&r, va, len, true, mbuf);
 *	vc_ring_publish(&r); vc_ring_kick(&r);
 *	n = vc_ring_dequeue(&r, used, burst);       -> {cookie, len} pairs
 *	if (vc_ring_is_broken(&r)) ... report r.broken_reason, reset the device;
 *	teardown: reset device; while ((c = vc_ring_detach_unused(&r))) free(c);
 *	          vc_ring_reinit(&r);
 *
 * Trust: the device is another process writing the used ring. Every used
 * entry is validated before its id is used as an index or its len as a
 * length; a used index that moves further than what was made available
 * latches the ring broken and it is never read again. The driver's free
 * list lives only in driver-private memory (slots), never in desc[].next.
 *
 * Memory ordering (pairs): vc_ring_publish's release store of avail->idx
 * pairs with the device's acquire of avail->idx; vc_ring_dequeue's acquire
 * load of used->idx pairs with the device's release store of used->idx.
 * vc_ring_kick's full fence orders the avail->idx store before the load
 * of used->flags / avail_event (the device does the mirror image).
 */

#ifndef VC_RING_H
#define VC_RING_H

#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_ring.h>

#define VC_RING_SIZE_MAX 32768
#define VC_RING_ALIGN 4096		/* alignment of the shared ring memory */
#define VC_RING_LEN_BAD UINT32_MAX	/* vc_ring_used.len of an entry whose len
					 * exceeded what was posted */
#define VC_RING_CACHE_LINE 64		/* driver/device written parts never share one */

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

/* The CPU has PREFETCHW (CPUID 3DNowPrefetch); set once when loaded. */
extern bool vc_ring_has_prefetchw;

#ifdef VC_RING_PREFETCH_HOOK
/* Unit tests: told every line vc_prefetch_w() is asked for. */
void VC_RING_PREFETCH_HOOK(const void *p);
#endif

/*
 * vc_prefetch_w() - start fetching the line holding @p for writing.
 *
 * Descriptors and packet headers were last written or read by the other
 * side's core, so each costs a transfer from it. Prefetching every line a
 * burst will write before writing the first lets those transfers overlap
 * instead of following one another, and a line about to be written comes
 * over once, exclusive, instead of shared first and upgraded at the
 * store. A read prefetch where CPUID does not report PREFETCHW (a core
 * without it need not treat it as a no-op; a well predicted branch is
 * cheaper than a second set of burst functions).
 */
static inline void
vc_prefetch_w(const void *p)
{
#ifdef VC_RING_PREFETCH_HOOK
	VC_RING_PREFETCH_HOOK(p);
#endif
#if defined(__x86_64__) || defined(__i386__)
	if (likely(vc_ring_has_prefetchw))
		__asm__ volatile("prefetchw %0" : : "m"(*(const volatile char *)p));
	else
		__builtin_prefetch(p, 0, 3);
#else
	__builtin_prefetch(p, 1, 3);
#endif
}

/* vc_prefetch_w() the cache lines wholly inside the bytes [@p, @e). */
static inline void
vc_prefetch_span(uintptr_t p, uintptr_t e)
{
	const uintptr_t line = VC_RING_CACHE_LINE;

	for (p = (p + line - 1) & ~(line - 1); p + line <= e; p += line)
		vc_prefetch_w((const void *)p);
}

/*
 * vc_prefetch_lines() - vc_prefetch_w() the cache lines that lie wholly
 * inside elements [@first, @first + @n) of the ring array @base (@size
 * elements of @esize bytes, wrapping at @size). A line only partly inside
 * also holds elements of the batch before, which the other side may be
 * reading or writing right now: taking it early would only make it bounce.
 */
static inline void
vc_prefetch_lines(const void *base, size_t esize, uint16_t size, uint16_t first,
		  uint16_t n)
{
	uintptr_t b = (uintptr_t)base;
	uint16_t head;

	/* A whole ring has no seam at the wrap: one run from element 0. */
	if (n >= size) {
		first = 0;
		n = size;
	}
	/* Up to the end of the array, then the rest from its start. */
	head = n < size - first ? n : (uint16_t)(size - first);
	vc_prefetch_span(b + first * esize, b + (first + head) * esize);
	vc_prefetch_span(b, b + (size_t)(n - head) * esize);
}

/*
 * vc_prefetch_r() - start fetching the line holding @p for reading: for
 * lines the other side wrote and this one only reads.
 */
static inline void
vc_prefetch_r(const void *p)
{
#ifdef VC_RING_PREFETCH_HOOK
	VC_RING_PREFETCH_HOOK(p);
#endif
	__builtin_prefetch(p, 0, 3);
}

/*
 * The full barrier between storing what was published and loading the
 * other side's notification state (and the mirror image when enabling
 * interrupts). On x86-64 a locked add of 0 below the stack pointer orders
 * ordinary memory exactly as mfence does, at a fraction of its cost on
 * current cores (DPDK's rte_smp_mb() is the same instruction); -128 keeps
 * it off the line the caller's locals live in.
 */
static inline void
vc_ring_mb(void)
{
#if defined(__x86_64__)
	__asm__ volatile("lock addl $0, -128(%%rsp)" ::: "memory", "cc");
#else
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

/**
 * struct vc_ring_slot - per descriptor index, driver-private.
 *
 * Meaningful for the head of an outstanding chain. For a descriptor on the
 * free list, or a non-head member of an outstanding chain, @last holds the
 * driver-private link to the next descriptor of that list (see vc_ring.c).
 */
struct vc_ring_slot {
	void *cookie;		/* NULL when the head is not outstanding */
	uint32_t len;		/* device-writable bytes posted in this chain */
	uint16_t ndescs;	/* descriptors in the chain */
	uint16_t last;		/* index of the chain's last descriptor */
};

struct vc_ring_stats {
	uint64_t invalid_used;	/* used entries rejected (bad id, not outstanding,
				 * len too large) */
	uint64_t kicks;		/* notify callbacks made */
};

/** Called by vc_ring_kick() when the device wants an available notification. */
typedef void vc_ring_notify_fn(void *opaque);

/** One completed buffer: its cookie, and the bytes the device wrote. */
struct vc_ring_used {
	void *cookie;
	uint32_t len;		/* <= posted writable bytes, or VC_RING_LEN_BAD */
};

/** One element of a chained buffer. */
struct vc_ring_seg {
	uint64_t addr;		/* CVA */
	uint32_t len;
	bool writable;		/* device-writable (VRING_DESC_F_WRITE) */
};

/**
 * struct vc_ring - a split virtqueue, driver side.
 *
 * All fields are owned by the one lcore using the queue, except where
 * noted. desc/avail are written by the driver and read by the device;
 * used is written by the device and only read (validated) here.
 */
struct vc_ring {
	struct vring_desc *desc;	/* shared with the device */
	struct vring_avail *avail;	/* shared with the device */
	struct vring_used *used;	/* shared, device-written: untrusted */
	struct vc_ring_slot *slots;	/* size entries, driver-private */
	uint16_t size, mask;
	uint16_t avail_idx;	/* shadow of avail->idx (next to publish) */
	uint16_t last_used;	/* next used index to consume */
	uint16_t free_head, num_free;
	uint16_t free_tail;	/* last free descriptor; meaningless when none */
	uint16_t kicked_avail;	/* avail idx at the last kick decision (event idx) */
	bool event_idx, broken;
	const char *broken_reason;	/* static string, set once when broken latches */
	vc_ring_notify_fn *notify;
	void *notify_opaque;
	struct vc_ring_stats stats;
	uint16_t detach_pos;	/* teardown scan cursor of vc_ring_detach_unused() */
	/*
	 * VIRTIO_F_IN_ORDER mode (vc_ring_set_in_order()): descriptors are
	 * taken in table order from next_desc, slots are indexed by avail
	 * position instead of head, and completions are taken in order.
	 */
	bool in_order;
	uint16_t next_desc;
};

/**
 * vc_ring_mem_size() - bytes of shared memory a ring of @size needs.
 * @size: queue size, a power of 2 in 1..VC_RING_SIZE_MAX.
 *
 * Layout: descriptor table, avail ring (+ used_event), padding to a
 * VC_RING_CACHE_LINE boundary, used ring (+ avail_event), padding to a
 * cache line, so driver-written and device-written parts never share a
 * line.
 *
 * Return: the size in bytes, or 0 if @size is invalid.
 */
size_t vc_ring_mem_size(uint16_t size);

/**
 * vc_ring_init() - lay out a ring in @mem and make it empty.
 * @r: ring to initialise.
 * @mem: vc_ring_mem_size(@size) bytes, VC_RING_ALIGN aligned, shared with
 *	the device. Owned by the caller; must outlive @r.
 * @size: power of 2, 1..VC_RING_SIZE_MAX.
 * @slots: @size entries, driver-private. Owned by the caller.
 * @event_idx: VIRTIO_F_EVENT_IDX (VIRTIO_RING_F_EVENT_IDX) was negotiated.
 * @notify: called from vc_ring_kick(); may be NULL (kicks are then counted
 *	but nothing is called).
 * @opaque: passed to @notify.
 *
 * Zeroes @mem and @slots, builds the free list, and suppresses used-buffer
 * notifications (VRING_AVAIL_F_NO_INTERRUPT, and used_event kept out of
 * reach with event idx): the datapath polls.
 *
 * Return: 0, or -EINVAL for a bad size, NULL pointer or misaligned @mem.
 */
int vc_ring_init(struct vc_ring *r, void *mem, uint16_t size, struct vc_ring_slot *slots,
		 bool event_idx, vc_ring_notify_fn *notify, void *opaque);

/**
 * vc_ring_addrs() - addresses to program into the queue registers.
 *
 * Writes the CVAs (= (uintptr_t) pointers) of the descriptor table, avail
 * ring and used ring.
 */
void vc_ring_addrs(const struct vc_ring *r, uint64_t *desc, uint64_t *avail, uint64_t *used);

/**
 * vc_ring_add_chain() - make a chained buffer available (not yet published).
 * @segs: @n elements; the device sees them in this order, linked with
 *	VRING_DESC_F_NEXT.
 * @n: 1..size.
 * @cookie: non-NULL; returned by vc_ring_dequeue()/vc_ring_detach_unused().
 *
 * Return: 0, -ENOSPC if fewer than @n descriptors are free, -EINVAL if
 * @n is 0 or exceeds the ring size, @cookie is NULL, or the writable bytes
 * add up to more than 32 bits hold. Nothing changes on error.
 */
int vc_ring_add_chain(struct vc_ring *r, const struct vc_ring_seg *segs, uint16_t n,
		      void *cookie);

/**
 * vc_ring_add_indirect() - make a buffer available through an indirect
 * descriptor table (VIRTIO_RING_F_INDIRECT_DESC, 2.7.5.3): it takes ONE
 * ring descriptor whatever @n, and its completion frees exactly that one.
 * @table: room for @n descriptors, in memory the device can read (shared).
 *	Owned by the caller; it must not be rewritten until @cookie came back
 *	from vc_ring_dequeue()/vc_ring_detach_unused().  The ring writes it
 *	here and never reads it back (the device could have scribbled on it).
 * @segs: @n elements; the device sees them in this order.
 * @n: 1..size-1.  The spec bounds a chain by the queue size; DPDK vhost's
 *	packed ring rejects a table of size entries, so both ring layouts
 *	keep one below it.
 * @cookie: non-NULL; returned by vc_ring_dequeue()/vc_ring_detach_unused().
 *
 * Table entries are linked with VRING_DESC_F_NEXT and next = their table
 * index + 1, never VRING_DESC_F_INDIRECT; the ring descriptor carries only
 * VRING_DESC_F_INDIRECT and len = 16 * @n.  Not published: see
 * vc_ring_publish().
 *
 * Return: 0, -ENOSPC when no descriptor is free, -EINVAL for @n out of
 * range, a NULL @table/@segs/@cookie, or writable bytes adding up to
 * VC_RING_LEN_BAD or more.  Neither the ring nor @table changes on error.
 */
int vc_ring_add_indirect(struct vc_ring *r, struct vring_desc *table,
			 const struct vc_ring_seg *segs, uint16_t n, void *cookie);

/**
 * vc_ring_detach_unused() - take back one outstanding buffer, for teardown.
 *
 * Call only once the device no longer uses the ring (after reset or
 * GET_VRING_BASE). Frees the buffer's descriptors.
 *
 * Return: the cookie of one outstanding buffer (ownership goes back to the
 * caller), or NULL when none is left.
 */
void *vc_ring_detach_unused(struct vc_ring *r);

/**
 * vc_ring_reinit() - return a ring to the state vc_ring_init() left.
 *
 * Same memory, size, slots, event_idx and notify callback; indices, free
 * list, broken state and stats are reset, shared memory is zeroed. Call
 * after the device was reset and every cookie was detached: any cookie
 * still outstanding is forgotten.
 */
void vc_ring_reinit(struct vc_ring *r);

/* Round @v up to @a, a power of two (ring layout arithmetic). */
static inline size_t
vc_ring_align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* A queue size both ring layouts accept: a power of two, 1..SIZE_MAX. */
static inline bool
vc_ring_size_valid(uint16_t size)
{
	return size != 0 && size <= VC_RING_SIZE_MAX && (size & (size - 1)) == 0;
}

/* ---- hot path ---------------------------------------------------------- */

/* Lives at avail->ring[size]: driver-written. */
static inline uint16_t *
vc_ring_used_event(const struct vc_ring *r)
{
	return &r->avail->ring[r->size];
}

/* Lives at used->ring[size]: device-written, untrusted (only compared). */
static inline uint16_t *
vc_ring_avail_event(const struct vc_ring *r)
{
	return (uint16_t *)(void *)&r->used->ring[r->size];
}

/** Return: descriptors currently free. */
static inline uint16_t
vc_ring_free_count(const struct vc_ring *r)
{
	return r->num_free;
}

/**
 * vc_ring_next_desc() - a descriptor index the next add will use.
 *
 * Valid only while the add fits (n <= vc_ring_free_count()): the index
 * then belongs to that buffer until it completes, so it can key
 * per-buffer driver data (TX headers).  Split: the free list head (the
 * chain's last descriptor); in-order: the chain's first descriptor.
 */
static inline uint16_t
vc_ring_next_desc(const struct vc_ring *r)
{
	return r->in_order ? r->next_desc : r->free_head;
}

/** Return: true once the device broke the ring protocol (see broken_reason). */
static inline bool
vc_ring_is_broken(const struct vc_ring *r)
{
	return r->broken;
}

/*
 * Put @head in the next avail slot. Freed descriptors go to the tail of
 * the free list (in order: they are taken in table order) and the device
 * completes in order in the steady state, so a slot mostly gets the value
 * it already holds: the store is skipped then, and the device's core keeps
 * its copy of the avail ring's lines instead of missing on each one the
 * driver would have dirtied.
 */
static inline void
vc_ring_avail_put(struct vc_ring *r, uint16_t head)
{
	uint16_t *slot = &r->avail->ring[r->avail_idx & r->mask];

	if (*slot != htole16(head))
		*slot = htole16(head);
	r->avail_idx++;
}

/**
 * vc_ring_add_one() - make a one-descriptor buffer available.
 * @addr: CVA of the buffer.
 * @len: its length.
 * @writable: device-writable (receive) or device-readable (transmit).
 * @cookie: non-NULL, returned with the completion.
 *
 * Writes the descriptor and the avail ring slot but does NOT publish: call
 * vc_ring_publish() once per batch.
 *
 * Return: 0, or -ENOSPC when no descriptor is free.
 */
static inline int
vc_ring_add_one(struct vc_ring *r, uint64_t addr, uint32_t len, bool writable, void *cookie)
{
	struct vc_ring_slot *s;
	struct vring_desc *d;
	uint16_t head;

	if (unlikely(r->num_free == 0))
		return -ENOSPC;
	head = r->free_head;
	s = &r->slots[head];
	r->free_head = s->last;		/* private free-list link */
	r->num_free--;

	s->cookie = cookie;
	s->len = writable ? len : 0;
	s->ndescs = 1;
	s->last = head;

	/* d->next is left alone: without VRING_DESC_F_NEXT nobody reads it. */
	d = &r->desc[head];
	d->addr = htole64(addr);
	d->len = htole32(len);
	d->flags = htole16(writable ? VRING_DESC_F_WRITE : 0);

	vc_ring_avail_put(r, head);
	return 0;
}

/**
 * vc_ring_prefetch_add() - prefetch for writing what the next @n
 * one-descriptor adds will fill (vc_prefetch_lines()): the device's core
 * read those lines last: the descriptors, from the next one to be taken.
 * Those are in table order in the steady state, in order or not (the
 * free list is first in, first out), and the avail slots then keep their
 * values (vc_ring_avail_put()).
 */
static inline void
vc_ring_prefetch_add(const struct vc_ring *r, uint16_t n)
{
	if (n > r->num_free)
		n = r->num_free;
	vc_prefetch_lines(r->desc, sizeof(*r->desc), r->size, vc_ring_next_desc(r), n);
}

/**
 * vc_ring_publish() - expose every buffer added since the last publish.
 *
 * Release store of avail->idx: pairs with the device's acquire load, so
 * descriptors and avail ring slots written before are visible first.
 */
static inline void
vc_ring_publish(struct vc_ring *r)
{
	__atomic_store_n(&r->avail->idx, htole16(r->avail_idx), __ATOMIC_RELEASE);
}

/**
 * vc_ring_kick() - notify the device, unless it suppressed notifications.
 *
 * Call after vc_ring_publish(). Does nothing if nothing was made available
 * since the last kick decision. Otherwise a full fence orders the
 * avail->idx store before reading the device's suppression state (pairs
 * with the device's fence between its used-side writes and its re-read of
 * avail->idx), then: without event idx, notify unless VRING_USED_F_NO_NOTIFY;
 * with event idx, notify iff the published index crossed avail_event.
 *
 * Return: true when the device wanted the notification (counted in
 * stats.kicks, and @notify called if set): a ring whose memory other
 * processes share has no @notify, and its caller notifies on true.
 */
static inline bool
vc_ring_kick(struct vc_ring *r)
{
	uint16_t old = r->kicked_avail, cur = r->avail_idx;
	bool need;

	if (old == cur)
		return false;
	r->kicked_avail = cur;
	vc_ring_mb();
	if (r->event_idx) {
		uint16_t ev = le16toh(__atomic_load_n(vc_ring_avail_event(r), __ATOMIC_RELAXED));

		need = vring_need_event(ev, cur, old);
	} else {
		uint16_t fl = le16toh(__atomic_load_n(&r->used->flags, __ATOMIC_RELAXED));

		need = !(fl & VRING_USED_F_NO_NOTIFY);
	}
	if (need) {
		r->stats.kicks++;
		if (r->notify != NULL)
			r->notify(r->notify_opaque);
	}
	return need;
}

/* Give a completed chain back to the free list: O(1), private links only. */
static inline void
vc_ring_free_chain(struct vc_ring *r, struct vc_ring_slot *s)
{
	/*
	 * The chain's private list runs from s->last through the other members
	 * and ends at the head (s): splice it onto the tail of the free list.
	 * First in, first out: with in-order completions the descriptors come
	 * back in the order they were posted, so descriptor i keeps going to
	 * avail slot i (vc_ring_avail_put()) and the device reads the table
	 * sequentially.
	 */
	uint16_t first = s->last, head = (uint16_t)(s - r->slots);

	s->cookie = NULL;
	if (r->num_free == 0)
		r->free_head = first;
	else
		r->slots[r->free_tail].last = first;
	r->free_tail = head;
	r->num_free += s->ndescs;
}

/* Latch broken: the ring is not read again until vc_ring_reinit(). */
static inline void
vc_ring_set_broken(struct vc_ring *r, const char *reason)
{
	if (!r->broken) {
		r->broken = true;
		r->broken_reason = reason;
	}
}

/*
 * Read-prefetch the lines of used ring entries [@first, @first + @n): the
 * device wrote them all before its release store of used->idx, so none is
 * still being written, and fetching them together overlaps the transfers
 * from the device's core instead of taking them one after the other as
 * the loop reaches each line.
 */
static inline void
vc_ring_prefetch_used(const struct vc_ring *r, uint16_t first, uint16_t n)
{
	const uintptr_t line = VC_RING_CACHE_LINE;
	uint16_t k = first & r->mask;
	uint16_t head = n < r->size - k ? n : (uint16_t)(r->size - k);
	uintptr_t p, e, p0;

	/* Up to the end of the ring, then the rest from its start, short of
	 * the first run's first line (all of the ring: they meet there). */
	p0 = (uintptr_t)&r->used->ring[k] & ~(line - 1);
	for (p = p0, e = (uintptr_t)&r->used->ring[k + head]; p < e; p += line)
		vc_prefetch_r((const void *)p);
	if (n == head)
		return;
	p = (uintptr_t)&r->used->ring[0] & ~(line - 1);
	for (e = (uintptr_t)&r->used->ring[n - head]; p < e && p < p0; p += line)
		vc_prefetch_r((const void *)p);
}

/**
 * vc_ring_dequeue() - collect completed buffers.
 * @out: room for @max entries.
 *
 * Validates every used entry: an id out of range or not outstanding is
 * counted in stats.invalid_used and skipped; a len larger than the
 * writable bytes posted is returned as VC_RING_LEN_BAD (and counted) so
 * the caller drops the buffer. For device-readable-only chains len is
 * returned as 0 whatever the device wrote. A used index that moved further
 * than what was made available latches the ring broken.
 *
 * Return: number of @out entries filled (each cookie is handed back to the
 * caller exactly once); 0 once broken.
 */
static inline uint16_t
vc_ring_dequeue(struct vc_ring *r, struct vc_ring_used *out, uint16_t max)
{
	uint16_t used_idx, last, n, i, got = 0;

	if (unlikely(r->broken))
		return 0;
	/* Pairs with the device's release store of used->idx. */
	used_idx = le16toh(__atomic_load_n(&r->used->idx, __ATOMIC_ACQUIRE));
	last = r->last_used;
	n = (uint16_t)(used_idx - last);
	if (n == 0)
		return 0;
	/*
	 * The device cannot complete more than was made available and not yet
	 * consumed; this also bounds n by size and covers used->idx going
	 * backwards.
	 */
	if (unlikely(n > (uint16_t)(r->avail_idx - last))) {
		vc_ring_set_broken(r, "used index moved past what was made available");
		return 0;
	}
	if (n > max)
		n = max;
	vc_ring_prefetch_used(r, last, n);

	for (i = 0; i < n; i++) {
		const struct vring_used_elem *e = &r->used->ring[(uint16_t)(last + i) & r->mask];
		/* Read each field exactly once: the device may change them. */
		uint32_t id = le32toh(__atomic_load_n(&e->id, __ATOMIC_RELAXED));
		uint32_t len = le32toh(__atomic_load_n(&e->len, __ATOMIC_RELAXED));
		struct vc_ring_slot *s;

		if (unlikely(id >= r->size)) {
			r->stats.invalid_used++;
			continue;
		}
		s = &r->slots[id];
		if (unlikely(s->cookie == NULL)) {
			r->stats.invalid_used++;
			continue;
		}
		if (unlikely(len > s->len)) {
			if (s->len == 0) {
				/* read-only chain: len carries no meaning */
				len = 0;
			} else {
				r->stats.invalid_used++;
				len = VC_RING_LEN_BAD;
			}
		}
		out[got].cookie = s->cookie;
		out[got].len = len;
		got++;
		vc_ring_free_chain(r, s);
	}
	r->last_used = (uint16_t)(last + n);

	if (r->event_idx) {
		/*
		 * Keep used_event out of the device's reach (it can be at most
		 * size entries ahead of last_used), so it never notifies; the
		 * store is rare, not per burst.
		 */
		uint16_t *ue = vc_ring_used_event(r);

		if ((uint16_t)(le16toh(*ue) - r->last_used) <= r->size)
			*ue = htole16((uint16_t)(r->last_used - 1));
	}
	return got;
}

/* ---- VIRTIO_F_IN_ORDER mode ---------------------------------------------- */

/**
 * vc_ring_set_in_order() - switch a freshly initialised ring to in-order
 * mode (VIRTIO_F_IN_ORDER negotiated); kept across vc_ring_reinit().
 *
 * The device then uses buffers in the order they were made available
 * (2.7.9) and may complete a batch with a single used entry, so:
 * descriptors are taken in table order, the driver-private slot of a
 * buffer is indexed by its avail position, and a completion never needs
 * a free list.  Use only the vc_ring_io_* add/dequeue functions on it.
 */
void vc_ring_set_in_order(struct vc_ring *r);

/**
 * vc_ring_io_add_one() - in-order variant of vc_ring_add_one().
 *
 * The avail slot is rewritten only when its value changes, so in the
 * steady state of one-descriptor buffers (head == avail position) the
 * driver never dirties the avail ring's lines except for avail->idx.
 */
static inline int
vc_ring_io_add_one(struct vc_ring *r, uint64_t addr, uint32_t len, bool writable, void *cookie)
{
	uint16_t pos = r->avail_idx & r->mask, head = r->next_desc;
	struct vc_ring_slot *s = &r->slots[pos];
	struct vring_desc *d = &r->desc[head];

	if (unlikely(r->num_free == 0))
		return -ENOSPC;
	r->num_free--;
	r->next_desc = (uint16_t)(head + 1) & r->mask;
	s->cookie = cookie;
	s->len = writable ? len : 0;
	s->ndescs = 1;
	s->last = head;

	d->addr = htole64(addr);
	d->len = htole32(len);
	d->flags = htole16(writable ? VRING_DESC_F_WRITE : 0);
	vc_ring_avail_put(r, head);
	return 0;
}

/** vc_ring_io_add_chain() - in-order variant of vc_ring_add_chain(). */
int vc_ring_io_add_chain(struct vc_ring *r, const struct vc_ring_seg *segs, uint16_t n,
			 void *cookie);

/**
 * vc_ring_io_add_indirect() - in-order variant of vc_ring_add_indirect():
 * the table hangs off the next descriptor in table order.
 */
int vc_ring_io_add_indirect(struct vc_ring *r, struct vring_desc *table,
			    const struct vc_ring_seg *segs, uint16_t n, void *cookie);

/**
 * vc_ring_io_dequeue() - in-order variant of vc_ring_dequeue().
 *
 * Completions are taken in avail order up to used->idx, which may not
 * move past what was made available (else the ring latches broken).  For
 * device-readable buffers (transmit) the used entries are not read at
 * all: a batch may be reported by one entry.  For device-writable buffers
 * every entry must name the expected head and fit the posted length; an
 * entry that does not is counted and returned as VC_RING_LEN_BAD so the
 * caller drops that buffer.
 */
static inline uint16_t
vc_ring_io_dequeue(struct vc_ring *r, struct vc_ring_used *out, uint16_t max)
{
	uint16_t used_idx, last, n, i;

	if (unlikely(r->broken))
		return 0;
	used_idx = le16toh(__atomic_load_n(&r->used->idx, __ATOMIC_ACQUIRE));
	last = r->last_used;
	n = (uint16_t)(used_idx - last);
	if (n == 0)
		return 0;
	if (unlikely(n > (uint16_t)(r->avail_idx - last))) {
		vc_ring_set_broken(r, "used index moved past what was made available");
		return 0;
	}
	if (n > max)
		n = max;
	/*
	 * No vc_ring_prefetch_used() here: the entries are read in ring order
	 * with nothing in between, and an A/B (split in order, 32 in flight)
	 * gave 5-8 % more frontend cycles with it.
	 */
	for (i = 0; i < n; i++) {
		uint16_t pos = (uint16_t)(last + i) & r->mask;
		struct vc_ring_slot *s = &r->slots[pos];
		uint32_t len = 0;

		if (s->len != 0) {
			const struct vring_used_elem *e = &r->used->ring[pos];
			uint32_t id = le32toh(__atomic_load_n(&e->id, __ATOMIC_RELAXED));

			len = le32toh(__atomic_load_n(&e->len, __ATOMIC_RELAXED));
			if (unlikely(id != s->last || len > s->len)) {
				r->stats.invalid_used++;
				len = VC_RING_LEN_BAD;
			}
		}
		out[i].cookie = s->cookie;
		out[i].len = len;
		s->cookie = NULL;
		r->num_free += s->ndescs;
	}
	r->last_used = (uint16_t)(last + n);
	if (r->event_idx) {
		uint16_t *ue = vc_ring_used_event(r);

		if ((uint16_t)(le16toh(*ue) - r->last_used) <= r->size)
			*ue = htole16((uint16_t)(r->last_used - 1));
	}
	return n;
}

/* ---- used-buffer notifications (RX interrupts) --------------------------- */

/**
 * vc_ring_enable_intr() - ask the device to notify the next used buffer.
 *
 * Without event idx: clear VRING_AVAIL_F_NO_INTERRUPT (it stays clear
 * until vc_ring_disable_intr()).  With event idx: used_event = last_used,
 * so the device notifies once used->idx moves past what was consumed; the
 * next dequeue moves last_used past used_event, which disarms it again
 * (one-shot, as Linux's virtqueue_enable_cb).
 *
 * Race: a buffer the device used before it saw the store is never
 * notified.  A full fence orders the store before the re-read of
 * used->idx (pairs with the device's fence between its used->idx store
 * and its read of flags/used_event), so that buffer is seen here instead.
 *
 * Return: true when used buffers are already pending (the caller must
 * poll instead of waiting for the notification), false otherwise.  A
 * broken ring reports true: the caller polls and finds it broken.
 */
static inline bool
vc_ring_enable_intr(struct vc_ring *r)
{
	uint16_t used_idx;

	if (r->event_idx)
		__atomic_store_n(vc_ring_used_event(r), htole16(r->last_used),
				 __ATOMIC_RELAXED);
	else
		__atomic_store_n(&r->avail->flags, htole16(0), __ATOMIC_RELAXED);
	vc_ring_mb();
	used_idx = le16toh(__atomic_load_n(&r->used->idx, __ATOMIC_ACQUIRE));
	return r->broken || used_idx != r->last_used;
}

/**
 * vc_ring_disable_intr() - suppress used-buffer notifications again
 * (the state vc_ring_init() leaves).  A notification already on its way
 * may still arrive.
 */
static inline void
vc_ring_disable_intr(struct vc_ring *r)
{
	if (r->event_idx)
		__atomic_store_n(vc_ring_used_event(r),
				 htole16((uint16_t)(r->last_used - 1)), __ATOMIC_RELAXED);
	else
		__atomic_store_n(&r->avail->flags, htole16(VRING_AVAIL_F_NO_INTERRUPT),
				 __ATOMIC_RELAXED);
}

#endif /* VC_RING_H */
