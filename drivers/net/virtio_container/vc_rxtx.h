/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef VC_RXTX_H
#define VC_RXTX_H

/*
 * Datapath: mbufs <-> split virtqueue descriptors, with the virtio-net
 * header (12 bytes with VIRTIO_F_VERSION_1) placed in the mbuf headroom
 * just before the packet, so that each packet of the common case is one
 * descriptor.  Queues are per lcore: nothing here is thread safe across
 * lcores on one queue, as usual for DPDK queues.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_memzone.h>

#include "vc_ring.h"
#include "vc_transport.h"

/* Per-queue counters; the ring counts invalid used entries and kicks. */
struct vc_queue_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;   /**< dropped: bad length/header from the device,
			    *   or a packet too large for the ring (TX) */
	uint64_t nombuf;   /**< RX refill failed for lack of mbufs */
};

/** Where and how a queue kicks the device (process-local values). */
struct vc_notify {
	struct vc_transport *tp;
	uint64_t off;      /**< notify address within @bar */
	uint16_t qidx;     /**< virtqueue index written to it */
	uint8_t bar;
};

struct vc_queue {
	struct vc_ring ring;             /* first: hottest */
	struct vc_queue_stats stats;
	struct vc_notify notify;
	struct rte_mempool *mp;          /**< RX only */
	struct rte_mbuf *rx_head;        /**< RX: packet still missing buffers */
	struct rte_mbuf *rx_tail;
	uint16_t rx_left;                /**< buffers still expected for it */
	bool mergeable;                  /**< RX: VIRTIO_NET_F_MRG_RXBUF */
	uint16_t port_id;
	uint16_t queue_id;               /**< ethdev queue index */
	uint16_t size;                   /**< ring entries */
	bool broken_logged;              /**< control path: reason logged */
	void *tx_hdr;                    /**< TX: zeroed header for mbufs
					  *   without usable headroom */
	const struct rte_memzone *mz;    /**< ring + TX header memory */
	struct vc_ring_slot *slots;
};

/**
 * Post mbufs to the free RX descriptors.
 * @return 0 when at least one was posted (or none was free), -ENOMEM.
 */
int vc_rxq_fill(struct vc_queue *q);

/** Return every mbuf the queue holds to its pool; reinit the ring. */
void vc_queue_drain(struct vc_queue *q);

uint16_t vc_recv_pkts(void *rxq, struct rte_mbuf **pkts, uint16_t nb);
uint16_t vc_xmit_pkts(void *txq, struct rte_mbuf **pkts, uint16_t nb);

/** Ring notify callback: @opaque is a struct vc_notify. */
void vc_queue_kick(void *opaque);

#endif /* VC_RXTX_H */
