/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef DEVSIM_VIRTIO_NET_H
#define DEVSIM_VIRTIO_NET_H

/*
 * The virtio-net device model: which features the device offers and its
 * device configuration (5.1.4: mac, status, max_virtqueue_pairs, mtu).
 * The transport (virtio_pci) asks it; it knows nothing of registers.
 *
 * Recipe:
 *   rc = devsim_net_init(&net, cfg, &backend_info, log);
 *   nq = devsim_net_num_queues(&net);
 *   devsim_net_cfg_read(&net, off, width, &val);   // device cfg region
 *   if (devsim_net_link_set(&net, false)) ... config changed ...
 *
 * Not thread safe: the device lock serialises.
 */

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "devsim/devsim.h"
#include "log.h"
#include "wire/virtio_pci_regs.h"

/** Feature bits devsim lets through from the backend. */
#define DEVSIM_NET_F_PASSTHROUGH ( \
	(1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_GUEST_CSUM) | \
	(1ULL << VIRTIO_NET_F_GUEST_TSO4) | (1ULL << VIRTIO_NET_F_GUEST_TSO6) | \
	(1ULL << VIRTIO_NET_F_GUEST_ECN) | (1ULL << VIRTIO_NET_F_GUEST_UFO) | \
	(1ULL << VIRTIO_NET_F_HOST_TSO4) | (1ULL << VIRTIO_NET_F_HOST_TSO6) | \
	(1ULL << VIRTIO_NET_F_HOST_ECN) | (1ULL << VIRTIO_NET_F_HOST_UFO) | \
	(1ULL << VIRTIO_NET_F_MRG_RXBUF) | (1ULL << VIRTIO_NET_F_MQ) | \
	(1ULL << VIRTIO_RING_F_INDIRECT_DESC) | \
	(1ULL << VIRTIO_RING_F_EVENT_IDX) | (1ULL << VIRTIO_F_VERSION_1) | \
	(1ULL << VIRTIO_F_RING_PACKED) | (1ULL << VIRTIO_F_IN_ORDER) | \
	(1ULL << VIRTIO_F_ANY_LAYOUT))

/**
 * Control queue features devsim emulates itself (virtio_net_ctrl.c) and
 * never passes to the backend.  Not CTRL_RX / CTRL_VLAN: devsim does not
 * see the datapath, so it cannot filter what the backend delivers.
 */
#define DEVSIM_NET_F_CTRL \
	((1ULL << VIRTIO_NET_F_CTRL_VQ) | (1ULL << VIRTIO_NET_F_CTRL_MAC_ADDR))

/** Feature bits devsim implements itself (MTU only when configured). */
#define DEVSIM_NET_F_EMULATED \
	((1ULL << VIRTIO_NET_F_MAC) | (1ULL << VIRTIO_NET_F_STATUS) | \
	 DEVSIM_NET_F_CTRL)

/** Most queue pairs: DEVSIM_VQ_MAX holds 2 per pair plus a control queue. */
#define DEVSIM_NET_PAIRS_MAX ((DEVSIM_VQ_MAX - 1) / 2)

struct devsim_net {
	uint64_t features;         /**< offered to the driver */
	uint8_t mac[6];
	uint16_t status;           /**< VIRTIO_NET_S_* */
	uint16_t max_vq_pairs;
	uint16_t mtu;              /**< 0: VIRTIO_NET_F_MTU not offered */
};

/**
 * Build the device model from the plug configuration and what the backend
 * offers.  The link starts up (the backend is connected).
 * @return 0; -EINVAL for a bad @cfg (no queue pairs); -ENOTSUP when the
 * backend (or cfg->feature_mask) does not offer VIRTIO_F_VERSION_1, logged.
 */
int devsim_net_init(struct devsim_net *net, const struct devsim_net_cfg *cfg,
		    const struct devsim_backend_info *info,
		    const struct devsim_log *log);

/**
 * Virtqueues the device exposes: 2 * max_vq_pairs, plus the control queue
 * when VIRTIO_NET_F_CTRL_VQ is offered.
 */
uint16_t devsim_net_num_queues(const struct devsim_net *net);

/**
 * Read the device configuration (little endian, 5.1.4) at @off.
 * @return 0; DEVSIM_IO_UNKNOWN past the implemented fields (reads 0).
 */
int devsim_net_cfg_read(const struct devsim_net *net, uint64_t off,
			unsigned int width, uint32_t *val);

/** Set the link state; @return true when the config changed. */
bool devsim_net_link_set(struct devsim_net *net, bool up);

/**
 * Create a virtio-net device around an already open backend and plug it in
 * a free slot of @bus (devsim_net_plug() uses it after devsim_vu_open();
 * unit tests use it with a fake backend).  Implemented in devsim.c, which
 * composes the layers.
 *
 * @param ops   backend operations (static storage)
 * @param be    backend; owned by the device from here on, closed through
 *              ops->close() on failure too
 * @param info  what the backend offers (copied)
 * @return 0 with *@out set; -EINVAL, -ENOTSUP (see devsim_net_init()),
 * -ENOSPC when the bus is full, -ENOMEM.
 */
int devsim_net_dev_create_with_backend(struct devsim_bus *bus,
				       const struct devsim_net_cfg *cfg,
				       const struct devsim_backend_ops *ops,
				       struct devsim_backend *be,
				       const struct devsim_backend_info *info,
				       struct devsim_dev **out);

#endif /* DEVSIM_VIRTIO_NET_H */
