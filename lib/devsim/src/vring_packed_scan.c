/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * Resuming a packed ring after its backend died (see
 * virtio_pci_restore.c): the new backend needs the position P and wrap
 * counter W the device was at, and a packed ring keeps neither in shared
 * memory.  The descriptor flags hold them.
 *
 * Model.  Each buffer takes one slot (no chains) and the device writes one
 * used descriptor per buffer (no in-order batches), at the slot the buffer
 * was in: it reads and writes the slots in ring order, and a used write in
 * lap L sets AVAIL = USED = L.  The driver makes a slot available in its
 * lap L' with AVAIL = L', USED = !L'.
 *
 * Claim: the USED bit of slot i is W for i < P and !W for i >= P.
 *  - The last device write to slot i happened in lap W if i < P (this lap)
 *    and in lap !W if i >= P (the previous one), and set USED to that lap.
 *    Initially every flag is 0 and P = 0, W = 1: USED = 0 = !W everywhere.
 *  - The driver writes slot i only to make it available again, once the
 *    device has used it (it reuses slots in ring order, after the device
 *    returned them): in lap L + 1 if the device used it in lap L, so it
 *    writes USED = !(L + 1) = L.  The USED bit does not change.
 * So only the device changes USED bits, and they form one step: P is the
 * first index whose USED bit differs from slot 0's and W = slot 0's bit;
 * if none differs, P = 0 and W = !(slot 0's bit).  This is the same answer
 * as looking for the first available slot after a used one (AVAIL of an
 * available slot at i >= P is W, i.e. USED = !W), but needs no AVAIL bit.
 *
 * Concurrent adds.  While the scan runs the backend is dead (no device
 * writes), and the driver may make buffers available at its position A:
 * it only ever rewrites the flags of slots the device has used, in any
 * order within a batch (the batch's first flags go last).  By the second
 * point above none of these writes changes a USED bit, so each slot's
 * USED bit is the same whenever the scan reads it, and the scan returns
 * the same P and W as on a frozen ring.  (The AVAIL bits do change, which
 * is why they are not used: a scan could see a batch's later slots
 * available and its first one not, i.e. two stretches of available slots.)
 *
 * A half-written batch.  DPDK's vhost writes a batch of used descriptors
 * with the first one's flags last, and keeps that first one in a shadow
 * ring for a whole burst; killed in between, it leaves slot h unwritten
 * and h+1 .. P-1 written.  The USED bits are then one step with exactly one
 * slot (h) off, which no clean ring shows: the scan reports the hole, and
 * devsim_vring_packed_repair() either completes it (transmit) or makes the
 * slots after it available again (receive).  Among the positions that fit
 * with one hole, the shortest half-written batch is taken; a tie, or
 * more than one slot off, is refused.
 *
 * What the flags cannot show.  A chain's tail slots keep their "available"
 * flags after use, and so do the slots an in-order batch skips: both break
 * the claim above, and a skipped slot looks exactly like one the driver
 * made available (the ids do not help either: an in-order driver may
 * reuse them).  The caller refuses in-order rings; slots with
 * VRING_DESC_F_NEXT are refused here.  The tail of a two-slot chain (no
 * NEXT) the device used can still pass for a hole, which completing makes
 * harmless, or sit just before P, which makes the device resume one slot
 * early: it then sends that tail segment as a frame of its own.
 */

#include <endian.h>
#include <errno.h>

#include "vring_packed_scan.h"

#define F_AVAIL ((uint16_t)(1u << VRING_PACKED_DESC_F_AVAIL))
#define F_USED  ((uint16_t)(1u << VRING_PACKED_DESC_F_USED))

/* Slots whose USED bit changes from the previous slot's: up to 3 kept. */
struct steps {
	bool b0;		/* USED bit of slot 0 */
	unsigned int nt;	/* number of changes */
	unsigned int t[3];	/* first three: the index after each change */
};

/*
 * Position @q, wrap @w, with slot @h unwritten: valid if at least one used
 * descriptor was written after @h (else it is the clean ring at @h).
 * Return: that count, or 0 if the candidate is not valid.
 */
static unsigned int
hole_fit(unsigned int n, unsigned int q, bool w, unsigned int h,
	 struct devsim_packed_resume *c)
{
	unsigned int written = (q + n - h - 1) % n;

	if (written == 0)
		return 0;
	c->pos = (uint16_t)q;
	c->wrap = w;
	c->hole = true;
	c->hole_pos = (uint16_t)h;
	/* The lap the device was in at h: this one before q, else the last. */
	c->hole_wrap = h < q ? w : !w;
	return written;
}

/* Keep the candidate with the fewest written slots after its hole. */
static void
hole_pick(unsigned int written, const struct devsim_packed_resume *c,
	  unsigned int *best, unsigned int *ties,
	  struct devsim_packed_resume *out)
{
	if (written == 0)
		return;
	if (*best == 0 || written < *best) {
		*best = written;
		*ties = 0;
		*out = *c;
	} else if (written == *best) {
		(*ties)++;
	}
}

/*
 * The observed USED bits differ from one clean step pattern in exactly one
 * slot: flipping that slot must leave at most one change.  With 2 changes
 * (runs b0 | !b0 | b0) that is a middle run of one slot, or an edge run of
 * one slot; with 3 changes (b0 | !b0 | b0 | !b0) a middle run of one slot.
 */
static int
hole_find(const struct steps *s, unsigned int n,
	  struct devsim_packed_resume *out)
{
	struct devsim_packed_resume c = { 0 };
	unsigned int best = 0, ties = 0;
	const unsigned int *t = s->t;
	bool b0 = s->b0;

	if (s->nt == 2) {
		if (t[1] - t[0] == 1)	/* all b0 but t0: P = 0, W = !b0 */
			hole_pick(hole_fit(n, 0, !b0, t[0], &c), &c, &best, &ties,
				  out);
		if (t[0] == 1)		/* slot 0 off: step at t1 */
			hole_pick(hole_fit(n, t[1], !b0, 0, &c), &c, &best, &ties,
				  out);
		if (t[1] == n - 1)	/* slot n-1 off: step at t0 */
			hole_pick(hole_fit(n, t[0], b0, n - 1, &c), &c, &best,
				  &ties, out);
	} else if (s->nt == 3) {
		if (t[1] - t[0] == 1)	/* slot t0 off: step at t2 */
			hole_pick(hole_fit(n, t[2], b0, t[0], &c), &c, &best,
				  &ties, out);
		if (t[2] - t[1] == 1)	/* slot t1 off: step at t0 */
			hole_pick(hole_fit(n, t[0], b0, t[1], &c), &c, &best,
				  &ties, out);
	}
	return best != 0 && ties == 0 ? 0 : -EPROTO;
}

int
devsim_vring_packed_scan(const uint16_t *flags, size_t stride,
			 unsigned int n, struct devsim_packed_resume *out)
{
	struct steps s = { 0 };
	bool prev = false, next = false;
	unsigned int i;

	if (flags == NULL || out == NULL || stride == 0 || n == 0 ||
	    n > 32768)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		/* Pairs with the driver's release store of a batch's flags. */
		uint16_t f = le16toh(__atomic_load_n(&flags[i * stride],
						     __ATOMIC_ACQUIRE));
		bool u = (f & F_USED) != 0;

		next |= (f & VRING_DESC_F_NEXT) != 0;
		if (i == 0)
			s.b0 = u;
		else if (u != prev && s.nt++ < 3)
			s.t[s.nt - 1] = i;
		prev = u;
	}
	if (next)
		return -ENOTSUP;
	*out = (struct devsim_packed_resume){ 0 };
	switch (s.nt) {
	case 0:
		out->pos = 0;
		out->wrap = !s.b0;
		return 0;
	case 1:
		out->pos = (uint16_t)s.t[0];
		out->wrap = s.b0;
		return 0;
	default:
		return hole_find(&s, n, out);
	}
}

uint32_t
devsim_vring_packed_repair(struct vring_packed_desc *desc, unsigned int n,
			   const struct devsim_packed_resume *r)
{
	unsigned int h = r->hole_pos, i;
	uint16_t f;

	if (!r->hole)
		return DEVSIM_PACKED_BASE(r->pos, r->wrap);
	f = le16toh(__atomic_load_n(&desc[h].flags, __ATOMIC_ACQUIRE));
	if (!(f & VRING_DESC_F_WRITE)) {
		/* The id stays: the buffer's own, or the in-order batch's last. */
		__atomic_store_n(&desc[h].len, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&desc[h].flags,
				 htole16(r->hole_wrap ? F_AVAIL | F_USED : 0),
				 __ATOMIC_RELEASE);
		return DEVSIM_PACKED_BASE(r->pos, r->wrap);
	}
	for (i = (h + 1) % n; i != r->pos; i = (i + 1) % n) {
		/* Available again in the lap the device used it in. */
		bool lap = (le16toh(__atomic_load_n(&desc[i].flags,
				__ATOMIC_RELAXED)) & F_USED) != 0;

		__atomic_store_n(&desc[i].flags,
				 htole16((lap ? F_AVAIL : F_USED) |
					 VRING_DESC_F_WRITE), __ATOMIC_RELAXED);
	}
	/* The new backend reads them after vring_start's socket write. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return DEVSIM_PACKED_BASE(h, r->hole_wrap);
}
