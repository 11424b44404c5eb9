/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef VC_DEV_H
#define VC_DEV_H

/*
 * The virtio-pci modern *driver* logic: find the device's registers
 * through its capability list, reset it, negotiate features, program
 * queues and set DRIVER_OK, as virtio 1.x 3.1 and 4.1 describe.  It talks
 * to the device only through a vc_transport.
 *
 * Recipe:
 *   vc_dev_init(&d, tp);                        // ids + capabilities
 *   vc_dev_reset(&d); vc_dev_status_add(&d, ACKNOWLEDGE | DRIVER);
 *   vc_dev_negotiate(&d, wanted, &features);    // FEATURES_OK read back
 *   vc_dev_queue_setup(&d, q, size, desc, avail, used);  // per queue
 *   vc_dev_driver_ok(&d);
 *   ... the datapath kicks at vc_dev_notify_off(&d, q) in d.notify.bar ...
 *   vc_dev_reset(&d);                           // stop: backend stops rings
 *
 * Nothing here is thread safe; the ethdev layer calls it from the control
 * path only.
 */

#include <stdint.h>

#include "vc_transport.h"

/** Where one virtio structure lives (from its vendor capability). */
struct vc_dev_region {
	uint8_t bar;
	uint32_t off;
	uint32_t len;
};

struct vc_dev {
	struct vc_transport *tp;      /**< process-private, owned by ethdev */
	struct vc_dev_region common;
	struct vc_dev_region notify;
	struct vc_dev_region isr;
	struct vc_dev_region device;  /**< device-specific config */
	struct vc_dev_region resume;  /**< devsim's resume registers, or len 0 */
	uint32_t notify_mult;         /**< notify_off_multiplier */
	uint64_t device_features;     /**< offered, read at init */
	uint64_t features;            /**< negotiated at the last start */
	uint16_t num_queues;
};

/**
 * Check vendor/device ids and walk the capability list (bounded by
 * VC_PCI_CAP_TTL) for the common, notify, ISR and device regions; check
 * each lies inside an implemented BAR and is large enough.
 * @return 0 or a negative errno (logged).
 */
int vc_dev_init(struct vc_dev *d, struct vc_transport *tp);

/** Reset: write 0 and wait (bounded) until the status reads back 0. */
int vc_dev_reset(struct vc_dev *d);

uint8_t vc_dev_status_get(struct vc_dev *d);
/** OR @bits into the device status. */
void vc_dev_status_add(struct vc_dev *d, uint8_t bits);

/** Features the device offers (read from the device, cached). */
uint64_t vc_dev_features_get(struct vc_dev *d);

/**
 * Write @wanted & device features, set FEATURES_OK and read it back.
 * @return 0 with *negotiated set; -ENOTSUP when the device refused them.
 */
int vc_dev_negotiate(struct vc_dev *d, uint64_t wanted, uint64_t *negotiated);

/** Largest size the device allows for queue @q (0: no such queue). */
uint16_t vc_dev_queue_size_max(struct vc_dev *d, uint16_t q);

/**
 * Program queue @q with @size entries at the given CVAs and enable it.
 * @resume: CVA of the queue's resume word (devsim/virtio_resume.h), or 0;
 *	given to a device with the resume capability, ignored otherwise.
 * @return 0, -EINVAL when the device refuses the size or the queue.
 */
int vc_dev_queue_setup(struct vc_dev *d, uint16_t q, uint16_t size,
		       uint64_t desc, uint64_t avail, uint64_t used,
		       uint64_t resume);

/** Set DRIVER_OK; -EIO when the device answers NEEDS_RESET (logged). */
int vc_dev_driver_ok(struct vc_dev *d);

/**
 * Read @len bytes of device config at @off into @buf as fields of @width
 * bytes (the field's natural width, 4.1.3.1), retrying while
 * config_generation changes (bounded).
 * @return 0, -ERANGE (outside the region or misaligned), -EIO, -EAGAIN.
 */
int vc_dev_config_read(struct vc_dev *d, uint32_t off, void *buf,
		       uint32_t len, unsigned int width);

/** Offset in BAR d->notify.bar where a write of @q kicks queue @q. */
uint64_t vc_dev_notify_off(struct vc_dev *d, uint16_t q);

#endif /* VC_DEV_H */
