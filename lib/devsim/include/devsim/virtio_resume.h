/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef DEVSIM_VIRTIO_RESUME_H
#define DEVSIM_VIRTIO_RESUME_H

/*
 * devsim's one extension of the virtio-pci transport: where an in-order
 * driver reads used descriptors on a packed ring, so that the device can
 * resume such a ring on a new backend after the old one died.
 *
 * Why.  With VIRTIO_F_IN_ORDER a device may write one used descriptor for
 * a whole batch of buffers (virtio 1.x 2.8.21): the batch's other slots
 * keep the flags the driver wrote, and once the driver has read the batch
 * and made some slots available again, nothing in the ring tells a slot
 * of a finished batch from one the device has not reached.  The driver
 * knows: it publishes its read position in a word of its own memory, and
 * tells the device where that word is.
 *
 * The capability.  A vendor-specific virtio capability (cfg_type
 * DEVSIM_PCI_CAP_VENDOR_CFG, id DEVSIM_RESUME_CAP_ID) points at
 * DEVSIM_RESUME_CFG_SIZE bytes of BAR space with one per-queue register,
 * selected by the common configuration's queue_select:
 *   le64 queue_resume (two le32 halves): address of the queue's resume
 *	word, in the memory the device may access; 0 (the reset value) =
 *	not published.  Writable while the queue is not enabled.
 * A driver that does not know the capability ignores it (4.1.4: unknown
 * cfg_type); the device then asks for a reset instead of resuming.
 *
 * The resume word (le32, 4-byte aligned), written by the driver only,
 * with a release store each time it finished reading used descriptors:
 *   bits 0-14  position of the next slot whose used descriptor it reads
 *   bit 15     its used wrap counter at that position
 *   bits 16-30 when bit 31 is set: the id closing the batch it is in the
 *	middle of (it read the batch's used descriptor at an earlier slot
 *	and has not got to the slot of that id yet)
 *   bit 31     inside a batch
 * It starts as DEVSIM_RESUME_WORD(0, 1, 0, false) (a fresh ring).
 */

#include <stdbool.h>
#include <stdint.h>

/** virtio 1.2 4.1.4: vendor-specific capability type. */
#define DEVSIM_PCI_CAP_VENDOR_CFG	9u
/** The capability's id field: devsim's resume registers. */
#define DEVSIM_RESUME_CAP_ID		0x52u
/** Register offsets in the region the capability points at. */
#define DEVSIM_RESUME_Q_ADDR_LO		0x0u
#define DEVSIM_RESUME_Q_ADDR_HI		0x4u
#define DEVSIM_RESUME_CFG_SIZE		0x8u

#define DEVSIM_RESUME_WRAP		0x8000u
#define DEVSIM_RESUME_IN_BATCH		0x80000000u

/** Pack a resume word. */
static inline uint32_t
devsim_resume_word(uint16_t pos, bool wrap, uint16_t batch_last, bool in_batch)
{
	return (uint32_t)(pos & 0x7fffu) | (wrap ? DEVSIM_RESUME_WRAP : 0u) |
	       (in_batch ? ((uint32_t)(batch_last & 0x7fffu) << 16) |
			   DEVSIM_RESUME_IN_BATCH : 0u);
}

static inline uint16_t
devsim_resume_pos(uint32_t w)
{
	return (uint16_t)(w & 0x7fffu);
}

static inline bool
devsim_resume_wrap(uint32_t w)
{
	return (w & DEVSIM_RESUME_WRAP) != 0;
}

static inline bool
devsim_resume_in_batch(uint32_t w)
{
	return (w & DEVSIM_RESUME_IN_BATCH) != 0;
}

static inline uint16_t
devsim_resume_batch_last(uint32_t w)
{
	return (uint16_t)((w >> 16) & 0x7fffu);
}

#endif /* DEVSIM_VIRTIO_RESUME_H */
