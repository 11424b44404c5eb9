/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef DEVSIM_VIRTIO_PCI_PRIV_H
#define DEVSIM_VIRTIO_PCI_PRIV_H

/*
 * Between the two halves of the virtio-pci transport: virtio_pci.c (status
 * machine, queues, notify, life cycle) and virtio_pci_common.c (common
 * configuration and resume register decoding).  Both run under the device
 * lock.
 */

#include <stdint.h>

#include "virtio_pci.h"

/**
 * A driver write of @val to device_status: reset, FEATURES_OK checks,
 * DRIVER_OK start-up.  @return 0, or DEVSIM_IO_IGNORED for a write the
 * state machine refuses (counted by the caller).
 */
int devsim_vpci_status_write(struct devsim_vpci *vp, uint8_t val);

/** Start vring @q on the backend (DRIVER_OK, or a late queue_enable). */
int devsim_vpci_vq_start(struct devsim_vpci *vp, unsigned int q);

/** io.h region handlers of the common configuration structure. */
int devsim_vpci_common_read(void *opaque, uint64_t off, unsigned int width,
			    uint32_t *val);
int devsim_vpci_common_write(void *opaque, uint64_t off, unsigned int width,
			     uint32_t val);

/** io.h region handlers of the resume registers (devsim/virtio_resume.h). */
int devsim_vpci_resume_read(void *opaque, uint64_t off, unsigned int width,
			    uint32_t *val);
int devsim_vpci_resume_write(void *opaque, uint64_t off, unsigned int width,
			     uint32_t val);

#endif /* DEVSIM_VIRTIO_PCI_PRIV_H */
