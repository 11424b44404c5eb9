/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * Replaying the device's state to a new backend after the old one went
 * away (devsim_vpci_restore()), without the driver doing anything: the
 * driver still sees the same device, with the link down while nobody
 * serves it.
 *
 * The vring base.  The dead backend cannot answer GET_VRING_BASE, so the
 * new one starts where the device last *published* progress: the used
 * index in shared memory (split rings).  Buffers the dead backend had
 * taken from the avail ring but not yet put in the used ring are offered
 * again: a TX frame it had already sent may go out twice, an RX buffer it
 * had filled but not published is filled again (that frame is lost).
 * Nothing else is lost or duplicated; DPDK's vhost does the same when its
 * last_used_idx and used->idx disagree.  Packed rings keep no index in
 * shared memory: the position and wrap counter come from the descriptor
 * flags (vring_packed_scan.c), which tell them only while every buffer
 * takes one slot and the device writes one used descriptor per buffer;
 * with VIRTIO_F_IN_ORDER (a used descriptor per batch) from the driver's
 * published read position onwards (vring_packed_inorder.c).  Rings
 * without indirect descriptors (multi-segment TX then chains), rings
 * holding a chain and in-order rings whose driver publishes no position
 * ask for a reset instead.
 */

#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "virtio_net.h"
#include "virtio_pci.h"
#include "devsim/virtio_resume.h"
#include "vring_packed_scan.h"

#define F_RING_PACKED  (1ULL << VIRTIO_F_RING_PACKED)
#define F_IN_ORDER     (1ULL << VIRTIO_F_IN_ORDER)
#define F_INDIRECT     (1ULL << VIRTIO_RING_F_INDIRECT_DESC)

static void __attribute__((format(printf, 2, 3)))
restore_fail(struct devsim_vpci *vp, const char *fmt, ...)
{
	char msg[256];
	uint64_t one = 1;
	va_list ap;
	ssize_t rc;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	DEVSIM_LOG(vp->log, ERR, "device needs reset: the new backend: %s",
		   msg);
	vp->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	/* As virtio_pci.c does for every NEEDS_RESET of a running device. */
	vp->isr |= DEVSIM_VPCI_ISR_CONFIG;
	rc = write(vp->config_fd, &one, sizeof(one));
	(void)rc;
}

static int
be_call(struct devsim_vpci *vp, int rc)
{
	vp->backend_calls++;
	if (rc < 0)
		vp->backend_errors++;
	return rc;
}

/*
 * The used index the device last published on split vring @q, checked
 * against the avail index the driver published: the distance is what the
 * new backend finds outstanding and can never exceed the ring size.
 */
static int
split_base(struct devsim_vpci *vp, unsigned int q, uint16_t *base)
{
	const struct devsim_vq *vq = &vp->vqs[q];
	const uint16_t *avail_idx, *used_idx;
	uint16_t a, u;

	if (!devsim_memtable_contains(vp->mem, vq->driver, 4) ||
	    !devsim_memtable_contains(vp->mem, vq->device, 4))
		return -EFAULT;
	avail_idx = (const uint16_t *)(uintptr_t)(vq->driver + 2);
	used_idx = (const uint16_t *)(uintptr_t)(vq->device + 2);
	u = le16toh(__atomic_load_n(used_idx, __ATOMIC_ACQUIRE));
	a = le16toh(__atomic_load_n(avail_idx, __ATOMIC_ACQUIRE));
	if ((uint16_t)(a - u) > vq->size) {
		DEVSIM_LOG(vp->log, ERR, "queue %u: used index %u is %u behind "
			   "avail index %u, ring size %u", q, u,
			   (uint16_t)(a - u), a, vq->size);
		return -EPROTO;
	}
	*base = u;
	return 0;
}

/* Bound on scans of an in-order ring its driver keeps reading. */
#define IN_ORDER_SCAN_TRIES 64

/*
 * In-order packed vring @q: from the driver's resume word on.  The driver
 * may be reading used descriptors meanwhile: the scan stands only if the
 * word did not change while it ran (virtio_resume.h, release store).
 * Return: as the scan; -EAGAIN, -EFAULT and -ENOLINK logged here.
 */
static int
packed_in_order_scan(struct devsim_vpci *vp, unsigned int q,
		     const struct vring_packed_desc *desc,
		     struct devsim_packed_resume *r)
{
	const struct devsim_vq *vq = &vp->vqs[q];
	const uint32_t *word;
	unsigned int tries;
	uint32_t w;
	int rc;

	if (vq->resume == 0) {
		DEVSIM_LOG(vp->log, ERR, "queue %u: in-order ring and the driver "
			   "publishes no read position (resume capability)", q);
		return -ENOLINK;
	}
	if ((vq->resume & 3) || !devsim_memtable_contains(vp->mem, vq->resume,
							  sizeof(*word))) {
		DEVSIM_LOG(vp->log, ERR, "queue %u: the resume word at 0x%llx is "
			   "not aligned shared memory", q,
			   (unsigned long long)vq->resume);
		return -EFAULT;
	}
	word = (const uint32_t *)(uintptr_t)vq->resume;
	for (tries = 0; tries < IN_ORDER_SCAN_TRIES; tries++) {
		w = le32toh(__atomic_load_n(word, __ATOMIC_ACQUIRE));
		rc = devsim_vring_packed_scan_in_order(desc, vq->size, w, r);
		if (le32toh(__atomic_load_n(word, __ATOMIC_ACQUIRE)) == w)
			return rc;
	}
	DEVSIM_LOG(vp->log, ERR, "queue %u: the driver's read position kept "
		   "moving over %u scans", q, IN_ORDER_SCAN_TRIES);
	return -EAGAIN;
}

/*
 * Position and wrap counter (bit 15) the device was at on packed vring
 * @q, from the descriptor flags (from the driver's read position on, on
 * an in-order ring); a used descriptor the dead backend left unwritten is
 * dealt with first (devsim_vring_packed_repair()).
 */
static int
packed_base(struct devsim_vpci *vp, unsigned int q, uint16_t *base)
{
	const struct devsim_vq *vq = &vp->vqs[q];
	struct devsim_packed_resume r;
	struct vring_packed_desc *desc;
	int rc;

	if (!devsim_memtable_contains(vp->mem, vq->desc,
				      DEVSIM_PACKED_DESC_SIZE(vq->size)))
		return -EFAULT;
	desc = (struct vring_packed_desc *)(uintptr_t)vq->desc;
	if (vp->driver_features & F_IN_ORDER) {
		rc = packed_in_order_scan(vp, q, desc, &r);
		if (rc == -EAGAIN || rc == -EFAULT || rc == -ENOLINK)
			return rc;	/* said why */
	} else {
		rc = devsim_vring_packed_scan(&desc[0].flags,
				sizeof(*desc) / sizeof(desc[0].flags),
				vq->size, &r);
	}
	if (rc < 0) {
		DEVSIM_LOG(vp->log, ERR, "queue %u: %s", q, rc == -ENOTSUP ?
			   "a descriptor chain (VRING_DESC_F_NEXT) is in the "
			   "ring: resuming needs one slot per buffer" :
			   "the descriptor flags fit no ring position");
		return rc;
	}
	if (r.hole)
		DEVSIM_LOG(vp->log, WARNING, "queue %u: the backend died while "
			   "writing used descriptors: slot %u %s", q, r.hole_pos,
			   (le16toh(desc[r.hole_pos].flags) & VRING_DESC_F_WRITE) ?
			   "and the ones after it are offered again" :
			   "completed");
	*base = (uint16_t)devsim_vring_packed_repair(desc, vq->size, &r);
	return 0;
}

static int
restore_vring(struct devsim_vpci *vp, unsigned int q)
{
	struct devsim_vq *vq = &vp->vqs[q];
	struct devsim_vring_cfg cfg;
	uint16_t base = 0;
	uint64_t one = 1;
	ssize_t wr;
	int rc;

	rc = (vp->driver_features & F_RING_PACKED) ?
	     packed_base(vp, q, &base) : split_base(vp, q, &base);
	if (rc < 0) {
		restore_fail(vp, "queue %u: no valid ring %s to resume from", q,
			     (vp->driver_features & F_RING_PACKED) ?
			     "position" : "index");
		return rc;
	}
	cfg = (struct devsim_vring_cfg){
		.num = vq->size,
		.base = base,
		.desc = vq->desc,
		.avail = vq->driver,
		.used = vq->device,
		/* The same eventfds: the driver's notify path and its RX
		 * interrupt handle never see a change. */
		.kick_fd = vq->kick_fd,
		.call_fd = vq->call_fd,
	};
	rc = be_call(vp, vp->ops->vring_start(vp->be, q, &cfg));
	if (rc < 0) {
		restore_fail(vp, "queue %u: cannot start the vring: %s", q,
			     strerror(-rc));
		return rc;
	}
	if (vq->be_disabled && vp->ops->vring_enable != NULL)
		be_call(vp, vp->ops->vring_enable(vp->be, q, false));
	/* Kicks sent while nobody listened are lost: one for all of them. */
	wr = write(vq->kick_fd, &one, sizeof(one));
	(void)wr;
	return 0;
}

int
devsim_vpci_restore(struct devsim_vpci *vp,
		    const struct devsim_backend_info *info)
{
	uint64_t f = vp->driver_features & ~DEVSIM_NET_F_CTRL;
	uint64_t missing = f & DEVSIM_NET_F_PASSTHROUGH & ~info->features;
	uint8_t st = vp->status;
	unsigned int q;
	int rc;

	if (st & VIRTIO_CONFIG_S_NEEDS_RESET)
		return -EIO;  /* the driver resets, then starts from scratch */
	if (!(st & VIRTIO_CONFIG_S_FEATURES_OK))
		return 0;     /* nothing negotiated yet: nothing to replay */
	if (missing != 0) {
		restore_fail(vp, "lacks negotiated features 0x%llx",
			     (unsigned long long)missing);
		return -ENOTSUP;
	}
	rc = be_call(vp, vp->ops->set_features(vp->be, f));
	if (rc == 0)
		rc = be_call(vp, vp->ops->set_status(vp->be, st &
				(uint8_t)~VIRTIO_CONFIG_S_DRIVER_OK));
	if (rc < 0) {
		restore_fail(vp, "refused the features 0x%llx: %s",
			     (unsigned long long)f, strerror(-rc));
		return rc;
	}
	if (!(st & VIRTIO_CONFIG_S_DRIVER_OK))
		return 0;
	/* Packed rings resume from their flags: one slot per buffer only. */
	if ((vp->driver_features & F_RING_PACKED) &&
	    !(vp->driver_features & F_INDIRECT)) {
		restore_fail(vp, "packed rings resume only with indirect "
			     "descriptors (one slot per buffer): restart the "
			     "port");
		return -ENOTSUP;
	}
	rc = be_call(vp, vp->ops->set_mem_table(vp->be, vp->mem->r,
						vp->mem->n));
	if (rc < 0) {
		restore_fail(vp, "refused the memory table (%u regions): %s",
			     vp->mem->n, strerror(-rc));
		return rc;
	}
	for (q = 0; q < vp->num_queues; q++) {
		if (!vp->vqs[q].started)
			continue;
		if (q >= info->max_vrings) {
			restore_fail(vp, "has %u vrings, queue %u runs",
				     info->max_vrings, q);
			return -ENOTSUP;
		}
		rc = restore_vring(vp, q);
		if (rc < 0)
			return rc;
	}
	rc = be_call(vp, vp->ops->set_status(vp->be, st));
	if (rc < 0) {
		restore_fail(vp, "set_status(0x%02x): %s", st, strerror(-rc));
		return rc;
	}
	return 0;
}
