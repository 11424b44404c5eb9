/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * Resuming a packed ring with VIRTIO_F_IN_ORDER after its backend died
 * (see virtio_pci_restore.c and vring_packed_scan.c for the rings without
 * it).
 *
 * Why the flags alone do not do.  An in-order device may write one used
 * descriptor for a batch: at the slot of the batch's first buffer, naming
 * the id of its last.  The batch's other slots keep the flags the driver
 * wrote, "available" in their lap.  Once the driver has read the batch
 * and made some of its slots available again (next lap), a slot of the
 * batch not yet made available again looks exactly like one the driver
 * made available a lap later and the device has not reached: the step in
 * the USED bits that vring_packed_scan.c relies on is gone.
 *
 * What does.  The driver publishes where it reads the next used
 * descriptor (devsim/virtio_resume.h).  Every slot before that position
 * is done with; from it on, the ring holds, in order: used descriptors
 * the driver has not read yet, each followed by the available-looking
 * slots of its batch up to the slot holding the id it names; then the
 * slots the device had not used.  Walking that from the driver's
 * position needs no assumption about how ids are chosen, only that the
 * ids of outstanding buffers differ (2.8.6), and that each buffer takes
 * one slot (a slot with NEXT is refused).
 *
 * Slot classes, with L the wrap counter of the lap the walk is in at a
 * slot: used (AVAIL = USED = L), available (AVAIL = L, USED = !L), or
 * neither (not made available in this lap: the walk has passed everything
 * the driver made available).
 *
 * Half-written used descriptors.  DPDK's vhost writes an in-order batch's
 * used descriptor as the id, then the flags (release); killed between, the
 * slot looks available but holds the id of the batch's last buffer, which
 * a later available slot holds too (ids of outstanding buffers differ, so
 * a duplicate means exactly this).  A transmit batch was consumed whole:
 * it is reported as a hole ending after the id's slot, which the repair
 * completes.  A receive slot's own id is lost: refused.  DPDK's receive
 * path writes one used descriptor per buffer, the first one's flags last:
 * killed between, one available slot is followed by used ones, the hole
 * vring_packed_scan.c describes, reported the same way.
 *
 * Concurrency.  The dead device writes nothing.  The driver may read used
 * descriptors and make slots available while this runs: it only makes
 * available slots before its published position (next lap), and after the
 * end of what it had made available (this lap), which changes nothing the
 * walk reads before that end.  Reading past its old position changes the
 * word first (release store, then the slots' flags): the caller re-reads
 * the word and walks again if it changed.
 */

#include <endian.h>
#include <errno.h>

#include "devsim/virtio_resume.h"
#include "vring_packed_scan.h"

#define F_AVAIL ((uint16_t)(1u << VRING_PACKED_DESC_F_AVAIL))
#define F_USED  ((uint16_t)(1u << VRING_PACKED_DESC_F_USED))

enum slot_class { SLOT_OTHER, SLOT_AVAIL, SLOT_USED, SLOT_CHAIN };

/* A position in the walk: slot and the wrap counter of its lap. */
struct cursor {
	unsigned int i;
	bool lap;
	unsigned int steps;	/* slots walked: never more than n */
};

static void
cursor_next(struct cursor *c, unsigned int n)
{
	c->steps++;
	if (++c->i == n) {
		c->i = 0;
		c->lap = !c->lap;
	}
}

static enum slot_class
slot_class(const struct vring_packed_desc *desc, const struct cursor *c)
{
	/* Pairs with the driver's and the device's release stores of flags. */
	uint16_t f = le16toh(__atomic_load_n(&desc[c->i].flags,
					     __ATOMIC_ACQUIRE));
	bool a = (f & F_AVAIL) != 0, u = (f & F_USED) != 0;

	if (f & VRING_DESC_F_NEXT)
		return SLOT_CHAIN;
	if (a != c->lap)
		return SLOT_OTHER;
	return u == c->lap ? SLOT_USED : SLOT_AVAIL;
}

static uint16_t
slot_id(const struct vring_packed_desc *desc, unsigned int i)
{
	return le16toh(__atomic_load_n(&desc[i].id, __ATOMIC_RELAXED));
}

/*
 * Look for @id in the available slots from @c on (the batch's remaining
 * slots).  On success @c is at the slot after it; otherwise @c is left
 * where it was.  Return: 1 found, 0 not found, -ENOTSUP a chain.
 */
static int
find_batch_end(const struct vring_packed_desc *desc, unsigned int n,
	       uint16_t id, struct cursor *c)
{
	struct cursor k = *c;

	while (k.steps < n) {
		enum slot_class sc = slot_class(desc, &k);

		if (sc == SLOT_CHAIN)
			return -ENOTSUP;
		if (sc != SLOT_AVAIL)
			return 0;
		if (slot_id(desc, k.i) == id) {
			cursor_next(&k, n);
			*c = k;
			return 1;
		}
		cursor_next(&k, n);
	}
	return 0;
}

/*
 * The slots the device had not reached, from @c on: available ones up to
 * the first that is not.  A used one there is something no device writes
 * (two unwritten used descriptors before a written one, or garbage): a
 * new backend would stall at it.  Return: 0, -EPROTO, -ENOTSUP a chain.
 */
static int
tail_check(const struct vring_packed_desc *desc, unsigned int n,
	   struct cursor k)
{
	while (k.steps < n) {
		switch (slot_class(desc, &k)) {
		case SLOT_AVAIL:
			cursor_next(&k, n);
			continue;
		case SLOT_CHAIN:
			return -ENOTSUP;
		case SLOT_USED:
			return -EPROTO;
		default:
			return 0;
		}
	}
	return 0;
}

/*
 * @c is at the first available slot the walk met (the device's position
 * on a clean ring): look for what a dead device left half written there.
 */
static int
hole_check(const struct vring_packed_desc *desc, unsigned int n,
	   const struct cursor *c, struct devsim_packed_resume *out)
{
	struct cursor k = *c;
	uint16_t f = le16toh(__atomic_load_n(&desc[c->i].flags,
					     __ATOMIC_ACQUIRE));
	int rc;

	out->pos = (uint16_t)c->i;
	out->wrap = c->lap;
	cursor_next(&k, n);
	/* A batch's used descriptor with its id written, not its flags. */
	rc = find_batch_end(desc, n, slot_id(desc, c->i), &k);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		/* One used descriptor per buffer, the first one's flags last. */
		k = *c;
		cursor_next(&k, n);
		/* At most a lap from the driver's position: hole + used. */
		while (k.steps < n && slot_class(desc, &k) == SLOT_USED)
			cursor_next(&k, n);
		if (k.steps == c->steps + 1)
			return tail_check(desc, n, *c);	/* clean */
	} else if (f & VRING_DESC_F_WRITE) {
		return -EPROTO;		/* the buffer's own id is gone */
	}
	rc = tail_check(desc, n, k);
	if (rc < 0)
		return rc;
	out->hole = true;
	out->hole_pos = (uint16_t)c->i;
	out->hole_wrap = c->lap;
	out->pos = (uint16_t)k.i;
	out->wrap = k.lap;
	return 0;
}

int
devsim_vring_packed_scan_in_order(const struct vring_packed_desc *desc,
				  unsigned int n, uint32_t word,
				  struct devsim_packed_resume *out)
{
	struct cursor c;
	int rc;

	if (desc == NULL || out == NULL || n == 0 || n > 32768 ||
	    devsim_resume_pos(word) >= n)
		return -EINVAL;
	*out = (struct devsim_packed_resume){ 0 };
	c = (struct cursor){ devsim_resume_pos(word), devsim_resume_wrap(word), 0 };
	/* The driver read this batch's used descriptor at an earlier slot. */
	if (devsim_resume_in_batch(word)) {
		rc = find_batch_end(desc, n, devsim_resume_batch_last(word), &c);
		if (rc <= 0)
			return rc < 0 ? rc : -EPROTO;
	}
	while (c.steps < n) {
		switch (slot_class(desc, &c)) {
		case SLOT_CHAIN:
			return -ENOTSUP;
		case SLOT_OTHER:
			out->pos = (uint16_t)c.i;
			out->wrap = c.lap;
			return 0;
		case SLOT_AVAIL:
			return hole_check(desc, n, &c, out);
		case SLOT_USED: {
			uint16_t id = slot_id(desc, c.i);

			cursor_next(&c, n);
			/* Not found: a batch of one, the id its own. */
			rc = find_batch_end(desc, n, id, &c);
			if (rc < 0)
				return rc;
			break;
		}
		}
	}
	/* A whole lap used: the device is where the driver is, a lap on. */
	if (c.steps != n || c.i != devsim_resume_pos(word))
		return -EPROTO;
	out->pos = (uint16_t)c.i;
	out->wrap = c.lap;
	return 0;
}
