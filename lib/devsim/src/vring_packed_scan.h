/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef DEVSIM_VRING_PACKED_SCAN_H
#define DEVSIM_VRING_PACKED_SCAN_H

/*
 * Where a device resumes on a packed virtqueue whose backend died: found
 * from the descriptor ring alone (a packed ring keeps no index in shared
 * memory), and the one repair a backend killed in the middle of writing
 * used descriptors needs.  Pure functions over ring memory: no devsim
 * state, no I/O, no DPDK.
 *
 * Valid only when every buffer took exactly one ring slot (no chains: a
 * multi-segment buffer goes through an indirect table) and the device
 * wrote one used descriptor per buffer (no VIRTIO_F_IN_ORDER batching):
 * see vring_packed_scan.c for why, and for what is checked.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_ring.h>

/** A vhost-user SET_VRING_BASE value: position, avail wrap counter in bit 15. */
#define DEVSIM_PACKED_BASE(pos, wrap) \
	((uint32_t)(pos) | ((uint32_t)!!(wrap) << 15))

/** What devsim_vring_packed_scan() found. */
struct devsim_packed_resume {
	uint16_t pos;		/**< next slot the device reads and writes */
	bool wrap;		/**< the device's wrap counter at @pos */
	bool hole;		/**< the dead device left one used descriptor
				 *   unwritten (at @hole_pos) before others */
	uint16_t hole_pos;	/**< that slot */
	bool hole_wrap;		/**< the wrap counter it would have had */
};

/**
 * devsim_vring_packed_scan() - the position and wrap counter a device
 * resumes from, read from the flags of a packed descriptor ring.
 * @flags: flags field of slot 0, little endian as in ring memory; read
 *	once per slot with an acquire load (a driver may be adding buffers
 *	concurrently: that does not change the answer, see the .c file).
 * @stride: distance between the flags of two slots, in uint16_t units
 *	(8 in a ring of 16-byte descriptors, 1 in a plain array).
 * @n: ring size, 1..32768.
 * @out: filled on success.
 *
 * Return: 0; -EINVAL for a bad @n or NULL pointer; -ENOTSUP if a slot has
 * VRING_DESC_F_NEXT set (a chain: the one-slot rule does not hold);
 * -EPROTO if the used bits fit no position, even allowing for one used
 * descriptor left unwritten.
 */
int devsim_vring_packed_scan(const uint16_t *flags, size_t stride,
			     unsigned int n, struct devsim_packed_resume *out);

/**
 * devsim_vring_packed_scan_in_order() - the position and wrap counter a
 * device resumes from on a packed ring with VIRTIO_F_IN_ORDER, where a
 * used descriptor may stand for a batch of buffers (vring_packed_inorder.c).
 * @desc: the descriptor ring; flags read with acquire loads, ids plain
 *	(the driver may be reading used descriptors and adding buffers
 *	concurrently: the caller re-reads @word after the scan and scans
 *	again if it changed).
 * @n: ring size, 1..32768.
 * @word: the driver's resume word (devsim/virtio_resume.h): where it reads
 *	the next used descriptor, and the batch it is in the middle of.
 * @out: filled on success, for devsim_vring_packed_repair().
 *
 * From the driver's position it walks the used descriptors the driver has
 * not read yet, each standing for the buffers up to the slot holding the
 * id it names, to the first slot the device has not used.  A batch whose
 * used descriptor the dead device wrote half (the id but not the flags:
 * that id then sits in a later available slot too) is reported as a hole
 * at that slot, ending after the id's slot; a receive-side one is refused
 * (the buffer's own id is lost).  The hole left by a device that writes
 * one used descriptor per buffer with the first one's flags last (DPDK's
 * receive path) is reported as devsim_vring_packed_scan() does.
 *
 * Return: 0; -EINVAL for a bad @n, position or NULL pointer; -ENOTSUP if
 * a slot it reads has VRING_DESC_F_NEXT (one slot per buffer only);
 * -EPROTO if the ring does not fit the word (the batch the driver is
 * inside closed by an id no available slot holds, a used descriptor after
 * the device's position that no hole explains, more than @n slots).  A
 * used descriptor naming an id no later available slot holds is taken as
 * a batch of one: ids are the driver's to choose, the walk assumes no
 * rule for them.
 */
int devsim_vring_packed_scan_in_order(const struct vring_packed_desc *desc,
				      unsigned int n, uint32_t word,
				      struct devsim_packed_resume *out);

/**
 * devsim_vring_packed_repair() - finish what a dead device left half
 * written, so that the ring matches the vring base returned.
 * @desc: the descriptor ring, @n slots; only slots the device owns (at and
 *	after the hole, before the scan's position) are written.
 * @n: ring size, as given to the scan.
 * @r: the scan's result.
 *
 * Without a hole, nothing is written.  With one, the slot's WRITE flag
 * tells a receive buffer from a transmit one:
 *  - device-readable (transmit): the hole is completed as the device would
 *    have (same id, len 0, used flags of its lap) and the device resumes
 *    after the used descriptors it wrote: that frame may not have been
 *    sent;
 *  - device-writable (receive): the used descriptors written after the
 *    hole are made available again (their id, the length the device wrote,
 *    WRITE) and the device resumes at the hole: those frames are lost,
 *    the buffers are filled again.
 * The driver waits at the hole (its flags still say "available") and reads
 * none of these slots before this returns.
 *
 * Return: the SET_VRING_BASE value (DEVSIM_PACKED_BASE()) to resume from.
 */
uint32_t devsim_vring_packed_repair(struct vring_packed_desc *desc,
				    unsigned int n,
				    const struct devsim_packed_resume *r);

#endif /* DEVSIM_VRING_PACKED_SCAN_H */
