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

#include <ethdev_driver.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>

#include "vc_ring.h"
#include "vc_ring_packed.h"
#include "vc_transport.h"

/* Per-queue counters; the ring counts invalid used entries and kicks. */
struct vc_queue_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;   /**< dropped: bad length/header from the device,
			    *   or a packet too large for the ring (TX) */
	uint64_t nombuf;   /**< RX refill failed for lack of mbufs */
	uint64_t filtered; /**< RX: dropped by the driver's filter
			    *   (vc_filter.h), not in packets/bytes */
};

/*
 * Entries of one TX indirect descriptor table (16 bytes each, split and
 * packed alike).  A header plus 31 segments: every frame up to ~62 KB in
 * default 2 KB mbufs (a 9000-byte frame is 5) takes one ring descriptor,
 * for 512 bytes (8 cache lines) of queue memory per descriptor.  Longer
 * packets (a 64 KB TSO send in 2 KB mbufs) fall back to a direct chain.
 */
#define VC_INDIRECT_MAX 32
#define VC_INDIRECT_DESC_SIZE 16

/** Where and how a queue kicks the device. */
struct vc_notify {
	struct vc_transport *tp;   /**< the primary's; used by the control
				    *   queue only (data queues kick through
				    *   vc_queue_notify(), per process) */
	uint64_t off;      /**< notify address within @bar */
	uint16_t qidx;     /**< virtqueue index written to it */
	uint8_t bar;
};

struct vc_queue {
	struct vc_ring ring;             /* first: hottest (split layout) */
	struct vc_ring_packed pring;     /**< VIRTIO_F_RING_PACKED layout */
	bool packed;                     /**< pring is the live ring; set by
					  *   vc_queue_layout(), read by the
					  *   control path only */
	struct vc_queue_stats stats;
	struct vc_notify notify;
	struct rte_mempool *mp;          /**< RX only */
	struct rte_mbuf *rx_head;        /**< RX: packet still missing buffers */
	struct rte_mbuf *rx_tail;
	uint16_t rx_left;                /**< buffers still expected for it */
	bool mergeable;                  /**< RX: VIRTIO_NET_F_MRG_RXBUF */
	uint8_t rx_offload;              /**< RX: VC_RX_OL_* negotiated
					  *   (vc_offload.h); 0 skips the
					  *   header */
	uint64_t tx_ol_mask;             /**< TX: ol_flags the header may
					  *   carry (vc_offload.h) */
	uint16_t port_id;
	uint16_t queue_id;               /**< ethdev queue index */
	uint16_t size;                   /**< ring entries */
	bool broken_logged;              /**< control path: reason logged */
	void *tx_hdr;                    /**< TX: size headers (one per
					  *   descriptor, vc_tx_hdr_slot()) for
					  *   mbufs without usable headroom */
	void *tx_indir;                  /**< TX: size indirect tables of
					  *   VC_INDIRECT_MAX entries
					  *   (vc_tx_indir_slot()), NULL on RX */
	uint16_t tx_indir_max;           /**< TX: most entries a packet may
					  *   put in a table; 0 without
					  *   VIRTIO_RING_F_INDIRECT_DESC */
	const struct rte_memzone *mz;    /**< ring + TX header (+ TX
					  *   indirect table) memory */
	struct vc_ring_slot *slots;
};

/**
 * Post mbufs to the free RX descriptors.
 * @return 0 when at least one was posted (or none was free), -ENOMEM.
 */
int vc_rxq_fill(struct vc_queue *q);

/** Return every mbuf the queue holds to its pool; reinit the ring. */
void vc_queue_drain(struct vc_queue *q);

/**
 * Lay the queue's ring out for the negotiated @features (ring layout,
 * event index) in the memory reserved at queue setup.  Called by
 * dev_start before the queue is programmed; counters are kept.
 * @return 0 or -EINVAL.
 */
int vc_queue_layout(struct vc_queue *q, uint64_t features);

/** CVAs of the ring's descriptor, driver and device areas. */
void vc_queue_addrs(const struct vc_queue *q, uint64_t *desc,
		    uint64_t *avail, uint64_t *used);

/** The ring's counters (invalid used entries, kicks). */
const struct vc_ring_stats *vc_queue_ring_stats(const struct vc_queue *q);

/** Zero the queue's and its ring's counters. */
void vc_queue_stats_reset(struct vc_queue *q);

/** Why the device broke the ring, or NULL while it is sound. */
const char *vc_queue_broken(const struct vc_queue *q);

/**
 * Enable (@on) or suppress used-buffer notifications of an RX queue: the
 * device then signals the queue's interrupt eventfd when it completes a
 * buffer.  Control path of the lcore that polls the queue; the ring must
 * be laid out (port started).
 * @return 1 when @on and completions are already pending (they will not
 * be signalled: poll instead of sleeping), else 0.
 */
int vc_queue_intr_enable(struct vc_queue *q, bool on);

/**
 * The burst functions for the negotiated @features, chosen once at
 * dev_start so that the datapath has no per-packet layout branches; with
 * @vectorized (devarg), the widest vector bursts the build, the CPU and
 * EAL's max SIMD bitwidth allow, where the layout has them.
 * @return the path's name, for the log.
 */
const char *vc_rxtx_select(uint64_t features, bool vectorized, eth_rx_burst_t *rx,
			   eth_tx_burst_t *tx);

/* Split ring bursts: any completion order / VIRTIO_F_IN_ORDER. */
uint16_t vc_recv_pkts(void *rxq, struct rte_mbuf **pkts, uint16_t nb);
uint16_t vc_xmit_pkts(void *txq, struct rte_mbuf **pkts, uint16_t nb);
uint16_t vc_recv_pkts_inorder(void *rxq, struct rte_mbuf **pkts, uint16_t nb);
uint16_t vc_xmit_pkts_inorder(void *txq, struct rte_mbuf **pkts, uint16_t nb);

/* Packed ring (vc_rxtx_packed.c): bursts, and vc_rxq_fill() for it. */
uint16_t vc_recv_pkts_packed(void *rxq, struct rte_mbuf **pkts, uint16_t nb);
uint16_t vc_xmit_pkts_packed(void *txq, struct rte_mbuf **pkts, uint16_t nb);
int vc_rxq_fill_packed(struct vc_queue *q);
/* The same, collecting used descriptors a line at a time with SSE2, AVX2
 * or AVX-512 (built where the compiler can, on x86). */
#define VC_PACKED_BURSTS_ISA(isa) \
	uint16_t vc_recv_pkts_packed_##isa(void *rxq, struct rte_mbuf **pkts, uint16_t nb); \
	uint16_t vc_xmit_pkts_packed_##isa(void *txq, struct rte_mbuf **pkts, uint16_t nb)
VC_PACKED_BURSTS_ISA(sse);
VC_PACKED_BURSTS_ISA(avx2);
VC_PACKED_BURSTS_ISA(avx512);

/**
 * Ring notify callback: @opaque is a struct vc_notify whose tp is this
 * process's (the control queue; primary process only).
 */
void vc_queue_kick(void *opaque);

/**
 * Kick data queue @q through this process's transport for its port (the
 * data rings have no notify callback: their memory is shared with
 * secondary processes, vc_mp.h).  Called by the bursts when the ring
 * says the device wants it; does nothing before vc_rxtx_doorbell_set().
 */
void vc_queue_notify(const struct vc_queue *q);

/**
 * Set (or clear, @tp NULL) this process's transport that
 * vc_queue_notify() writes the notify register of port @port_id's queues
 * through: the devsim transport in the primary, the eventfd doorbell of
 * vc_mp.h in a secondary.  Control path; not while a burst of the port
 * runs.
 */
void vc_rxtx_doorbell_set(uint16_t port_id, struct vc_transport *tp);

#endif /* VC_RXTX_H */
