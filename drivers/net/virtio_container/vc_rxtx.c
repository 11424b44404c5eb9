/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

#include <errno.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_cpuflags.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_vect.h>

#include "vc_logs.h"
#include "vc_lsc.h"
#include "vc_rxtx.h"
#include "vc_rxtx_impl.h"
#include "vc_virtio.h"


void
vc_queue_kick(void *opaque)
{
	struct vc_notify *n = opaque;

	n->tp->ops->bar_write(n->tp, n->bar, n->off, 2, n->qidx);
}

/*
 * This process's transport per port.  Queue memory is shared with
 * secondary processes, so the data rings have no notify callback: a
 * function or transport pointer in it would be valid in the primary only.
 */
static struct vc_transport *vc_doorbell[RTE_MAX_ETHPORTS];

void
vc_rxtx_doorbell_set(uint16_t port_id, struct vc_transport *tp)
{
	if (port_id < RTE_MAX_ETHPORTS)
		vc_doorbell[port_id] = tp;
}

void
vc_queue_notify(const struct vc_queue *q)
{
	struct vc_transport *tp = vc_doorbell[q->port_id];

	if (likely(tp != NULL))
		tp->ops->bar_write(tp, q->notify.bar, q->notify.off, 2,
				   q->notify.qidx);
}

/*
 * Ring operations for the two split-ring modes.  @io is a compile-time
 * constant in every burst function, so each burst is specialised and the
 * datapath has no per-packet mode branch.
 */
static __rte_always_inline int
ring_add_one(struct vc_ring *r, uint64_t addr, uint32_t len, bool writable,
	     void *cookie, bool io)
{
	return io ? vc_ring_io_add_one(r, addr, len, writable, cookie) :
		    vc_ring_add_one(r, addr, len, writable, cookie);
}

static __rte_always_inline int
ring_add_chain(struct vc_ring *r, const struct vc_ring_seg *segs, uint16_t n,
	       void *cookie, bool io)
{
	return io ? vc_ring_io_add_chain(r, segs, n, cookie) :
		    vc_ring_add_chain(r, segs, n, cookie);
}

static __rte_always_inline int
ring_add_indirect(struct vc_ring *r, void *table, const struct vc_ring_seg *segs,
		  uint16_t n, void *cookie, bool io)
{
	return io ? vc_ring_io_add_indirect(r, table, segs, n, cookie) :
		    vc_ring_add_indirect(r, table, segs, n, cookie);
}

static __rte_always_inline uint16_t
ring_dequeue(struct vc_ring *r, struct vc_ring_used *out, uint16_t max,
	     bool io)
{
	return io ? vc_ring_io_dequeue(r, out, max) :
		    vc_ring_dequeue(r, out, max);
}

/*
 * Post up to @want fresh mbufs.  A failed bulk allocation is retried with
 * smaller requests, so that a nearly empty pool still keeps the ring fed.
 * @return the number posted.
 */
static __rte_always_inline uint16_t
rxq_post(struct vc_queue *q, uint16_t want, bool io)
{
	struct rte_mbuf *m[VC_BURST_MAX];
	uint16_t i, n = RTE_MIN(want, (uint16_t)VC_BURST_MAX), posted = 0;

	vc_ring_prefetch_add(&q->ring, want);
	while (want > 0 && n > 0) {
		if (rte_pktmbuf_alloc_bulk(q->mp, m, n) != 0) {
			q->stats.nombuf++;
			n /= 2;
			continue;
		}
		for (i = 0; i < n; i++)
			ring_add_one(&q->ring, vc_rx_buf_addr(m[i]),
				     vc_rx_buf_len(m[i]), true, m[i], io);
		want -= n;
		posted += n;
		n = RTE_MIN(want, n);
	}
	if (posted) {
		vc_ring_publish(&q->ring);
		if (vc_ring_kick(&q->ring))
			vc_queue_notify(q);
	}
	return posted;
}

int
vc_rxq_fill(struct vc_queue *q)
{
	uint16_t want = vc_ring_free_count(&q->ring);

	if (q->packed)
		return vc_rxq_fill_packed(q);
	/* Some buffers are enough to start; refills top the ring up. */
	if (want == 0)
		return 0;
	return (q->ring.in_order ? rxq_post(q, want, true) :
				   rxq_post(q, want, false)) > 0 ? 0 : -ENOMEM;
}

/*
 * The packed ring goes into the memory queue setup reserved for a split
 * ring of the same size (vc_ring_mem_size() + the TX header line); it is
 * never larger, which the unit test checks for every size and this
 * re-checks before overlaying it.
 */
static int
vc_queue_layout_packed(struct vc_queue *q, uint64_t features)
{
	struct vc_ring_stats stats = q->pring.stats;
	int ret;

	if (vc_ring_packed_mem_size(q->size) > vc_ring_mem_size(q->size))
		return -EINVAL;
	ret = vc_ring_packed_init(&q->pring, q->mz->addr, q->size, q->slots,
				  !!(features & VC_BIT(VIRTIO_RING_F_EVENT_IDX)),
				  !!(features & VC_BIT(VIRTIO_F_IN_ORDER)),
				  NULL, NULL);
	/* Counters live until stats_reset, not until the next start. */
	q->pring.stats = stats;
	return ret;
}

int
vc_queue_layout(struct vc_queue *q, uint64_t features)
{
	struct vc_ring_stats stats = q->ring.stats;
	int ret;

	/* Offload state is the same for every ring layout. */
	vc_offload_queue_setup(q, features);
	/* Indirect tables: TX only, and below the ring size (the ring
	 * functions' bound, vc_ring_add_indirect()). */
	q->tx_indir_max = q->tx_indir != NULL &&
		(features & VC_BIT(VIRTIO_RING_F_INDIRECT_DESC)) ?
		RTE_MIN((uint16_t)VC_INDIRECT_MAX, (uint16_t)(q->size - 1)) : 0;
	q->packed = !!(features & VC_BIT(VIRTIO_F_RING_PACKED));
	if (q->packed)
		return vc_queue_layout_packed(q, features);
	/* Counters live until stats_reset, not until the next start. */
	ret = vc_ring_init(&q->ring, q->mz->addr, q->size, q->slots,
			   !!(features & VC_BIT(VIRTIO_RING_F_EVENT_IDX)),
			   NULL, NULL);	/* vc_queue_notify() kicks */
	q->ring.stats = stats;
	if (ret == 0 && (features & VC_BIT(VIRTIO_F_IN_ORDER)))
		vc_ring_set_in_order(&q->ring);
	return ret;
}

void
vc_queue_addrs(const struct vc_queue *q, uint64_t *desc, uint64_t *avail,
	       uint64_t *used)
{
	if (q->packed)
		vc_ring_packed_addrs(&q->pring, desc, avail, used);
	else
		vc_ring_addrs(&q->ring, desc, avail, used);
}

const struct vc_ring_stats *
vc_queue_ring_stats(const struct vc_queue *q)
{
	return q->packed ? &q->pring.stats : &q->ring.stats;
}

void
vc_queue_stats_reset(struct vc_queue *q)
{
	memset(&q->stats, 0, sizeof(q->stats));
	memset(&q->ring.stats, 0, sizeof(q->ring.stats));
	memset(&q->pring.stats, 0, sizeof(q->pring.stats));
}

const char *
vc_queue_broken(const struct vc_queue *q)
{
	if (q->packed)
		return vc_ring_packed_is_broken(&q->pring) ?
		       q->pring.broken_reason : NULL;
	return vc_ring_is_broken(&q->ring) ? q->ring.broken_reason : NULL;
}

int
vc_queue_intr_enable(struct vc_queue *q, bool on)
{
	/* Packed: the driver event suppression area (ENABLE/DISABLE, or
	 * DESC with EVENT_IDX), not the split avail flags / used_event. */
	if (q->packed) {
		if (!on) {
			vc_ring_packed_disable_intr(&q->pring);
			return 0;
		}
		return vc_ring_packed_enable_intr(&q->pring) ? 1 : 0;
	}
	if (!on) {
		vc_ring_disable_intr(&q->ring);
		return 0;
	}
	return vc_ring_enable_intr(&q->ring) ? 1 : 0;
}

/*
 * Bits of the widest vectorized packed bursts this build has, the CPU runs
 * and EAL allows (rte_vect_get_max_simd_bitwidth(): 256 on x86 unless
 * --force-max-simd-bitwidth says otherwise, as AVX-512 may slow the core
 * down). 0: none.
 */
static unsigned int
vc_packed_simd_bits(void)
{
	unsigned int max = rte_vect_get_max_simd_bitwidth();

	RTE_SET_USED(max);
#ifdef VC_HAVE_PACKED_AVX512
	if (max >= RTE_VECT_SIMD_512 && rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512F) == 1)
		return 512;
#endif
#ifdef VC_HAVE_PACKED_AVX2
	if (max >= RTE_VECT_SIMD_256 && rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) == 1)
		return 256;
#endif
#ifdef VC_HAVE_PACKED_SSE
	if (max >= RTE_VECT_SIMD_128)
		return 128;
#endif
	return 0;
}

const char *
vc_rxtx_select(uint64_t features, bool vectorized, eth_rx_burst_t *rx, eth_tx_burst_t *tx)
{
	if (!(features & VC_BIT(VIRTIO_F_RING_PACKED))) {
		if (features & VC_BIT(VIRTIO_F_IN_ORDER)) {
			*rx = vc_recv_pkts_inorder;
			*tx = vc_xmit_pkts_inorder;
			return "split in-order";
		}
		*rx = vc_recv_pkts;
		*tx = vc_xmit_pkts;
		return "split";
	}
	/* In-order is a mode of the packed ring itself. */
	switch (vectorized ? vc_packed_simd_bits() : 0) {
#ifdef VC_HAVE_PACKED_AVX512
	case 512:
		*rx = vc_recv_pkts_packed_avx512;
		*tx = vc_xmit_pkts_packed_avx512;
		return "packed AVX-512";
#endif
#ifdef VC_HAVE_PACKED_AVX2
	case 256:
		*rx = vc_recv_pkts_packed_avx2;
		*tx = vc_xmit_pkts_packed_avx2;
		return "packed AVX2";
#endif
#ifdef VC_HAVE_PACKED_SSE
	case 128:
		*rx = vc_recv_pkts_packed_sse;
		*tx = vc_xmit_pkts_packed_sse;
		return "packed SSE";
#endif
	default:
		*rx = vc_recv_pkts_packed;
		*tx = vc_xmit_pkts_packed;
		return "packed";
	}
}

void
vc_queue_drain(struct vc_queue *q)
{
	struct vc_ring_stats stats;
	void *cookie;

	if (q->rx_head != NULL)
		rte_pktmbuf_free(q->rx_head);
	q->rx_head = q->rx_tail = NULL;
	q->rx_left = 0;
	/* Only the live ring holds cookies; the other one's view of the
	 * shared memory and slots is stale and must not be touched. */
	if (q->packed) {
		while ((cookie = vc_ring_packed_detach_unused(&q->pring)) != NULL)
			rte_pktmbuf_free(cookie);
		stats = q->pring.stats;
		vc_ring_packed_reinit(&q->pring);
		q->pring.stats = stats;
		return;
	}
	while ((cookie = vc_ring_detach_unused(&q->ring)) != NULL)
		rte_pktmbuf_free(cookie);
	/* Counters live until stats_reset, not until the next stop. */
	stats = q->ring.stats;
	vc_ring_reinit(&q->ring);
	q->ring.stats = stats;
}

static __rte_always_inline uint16_t
rx_burst(void *rxq, struct rte_mbuf **pkts, uint16_t nb, bool io)
{
	struct vc_queue *q = rxq;
	struct vc_ring_used used[VC_BURST_MAX];
	uint16_t n;

	/* A ring the device corrupted is left alone until reset. */
	if (unlikely(vc_ring_is_broken(&q->ring)))
		return 0;
	/*
	 * First give back whatever the previous burst took, in one
	 * allocation, one publish and one kick decision, as DPDK's vector
	 * PMDs rearm. After the dequeue instead, the refill would delay the
	 * application's handling of this burst's packets: with few packets
	 * in flight both sides then wait for it (32 in flight: 5-15 % fewer
	 * Mpps). Every burst, whatever it took: waiting for a bigger batch
	 * leaves the device short of buffers when many packets are in
	 * flight (256 on a packed ring, threshold 32: the vhost backend
	 * spent 15-30 more cycles/packet).
	 */
	if (vc_ring_free_count(&q->ring) != 0)
		rxq_post(q, vc_ring_free_count(&q->ring), io);
	nb = RTE_MIN(nb, (uint16_t)VC_BURST_MAX);
	n = ring_dequeue(&q->ring, used, nb, io);
	if (unlikely(vc_ring_is_broken(&q->ring)))
		vc_lsc_ring_broken(q->port_id);	/* just now: report it */
	return vc_rx_collect(q, used, n, pkts);
}

uint16_t
vc_recv_pkts(void *rxq, struct rte_mbuf **pkts, uint16_t nb)
{
	return rx_burst(rxq, pkts, nb, false);
}

uint16_t
vc_recv_pkts_inorder(void *rxq, struct rte_mbuf **pkts, uint16_t nb)
{
	return rx_burst(rxq, pkts, nb, true);
}

static __rte_always_inline void
tx_reclaim(struct vc_queue *q, bool io)
{
	struct vc_ring_used used[VC_BURST_MAX];
	struct rte_mbuf *m[VC_BURST_MAX];
	uint16_t n, i;

	do {
		n = ring_dequeue(&q->ring, used, VC_BURST_MAX, io);
		/* TX chains have nothing device-writable: a non-zero len is
		 * counted by the ring; the mbuf is ours to free either way. */
		for (i = 0; i < n; i++)
			m[i] = used[i].cookie;
		rte_pktmbuf_free_bulk(m, n);
	} while (n == VC_BURST_MAX);
	if (unlikely(vc_ring_is_broken(&q->ring)))
		vc_lsc_ring_broken(q->port_id);
}

static __rte_always_inline int
tx_one_chain(struct vc_queue *q, struct rte_mbuf *m, bool io)
{
	struct vc_ring_seg segs[VC_TX_SEGS_MAX];
	uint16_t id;
	bool indirect;
	int n = vc_tx_chain_prep(q, m, segs, vc_ring_free_count(&q->ring),
				 &indirect);

	if (n < 0)
		return n;
	/* The add fits, so this is a descriptor of this chain: header slot
	 * and table keyed by it are no other outstanding packet's. */
	id = vc_ring_next_desc(&q->ring);
	vc_tx_segs_hdr(q, m, segs, id);
	if (indirect)
		return ring_add_indirect(&q->ring, vc_tx_indir_slot(q, id), segs, n, m, io);
	return ring_add_chain(&q->ring, segs, n, m, io);
}

static __rte_always_inline int
tx_enqueue(struct vc_queue *q, struct rte_mbuf *m, bool io)
{
	uint64_t addr;
	uint32_t len;

	if (unlikely(!vc_tx_one_desc(m)))
		return tx_one_chain(q, m, io);
	/* Common case: header in the headroom, one descriptor. */
	addr = vc_tx_hdr_push(q, m, &len);
	return ring_add_one(&q->ring, addr, len, false, m, io);
}

static __rte_always_inline uint16_t
tx_burst(void *txq, struct rte_mbuf **pkts, uint16_t nb, bool io)
{
	struct vc_queue *q = txq;
	uint64_t bytes = 0;
	uint16_t i, dropped = 0;
	bool reclaimed = false;
	int ret;

	if (unlikely(vc_ring_is_broken(&q->ring)))
		return 0;
	/* Completed mbufs are freed after the publish (below), unless this
	 * burst needs their descriptors now. */
	if (vc_ring_free_count(&q->ring) < nb)
		tx_reclaim(q, io);
	vc_ring_prefetch_add(&q->ring, nb);
	for (i = 0; i < nb; i++) {
		struct rte_mbuf *m = pkts[i];

		ret = tx_enqueue(q, m, io);
		if (unlikely(ret == -ENOSPC) && !reclaimed) {
			/* The check above counts packets; this one needs
			 * more descriptors than are free.  Reclaim once more. */
			reclaimed = true;
			tx_reclaim(q, io);
			ret = tx_enqueue(q, m, io);
		}
		if (unlikely(ret == -ENOSPC))
			break;
		if (unlikely(ret < 0)) {
			/* Can never fit: consume and count, as NICs do. */
			q->stats.errors++;
			dropped++;
			rte_pktmbuf_free(m);
			continue;
		}
		bytes += m->pkt_len;
	}
	if (likely(i > dropped)) {
		vc_ring_publish(&q->ring);
		if (vc_ring_kick(&q->ring))
			vc_queue_notify(q);
	}
	q->stats.packets += i - dropped;
	q->stats.bytes += bytes;
	/*
	 * Free completed mbufs once this burst is published: the device works
	 * on it meanwhile. Before the publish, the frees would delay every
	 * packet of the burst, and with few packets in flight both sides
	 * would wait for them.
	 */
	if (vc_ring_free_count(&q->ring) < q->size / 4)
		tx_reclaim(q, io);
	return i;
}

uint16_t
vc_xmit_pkts(void *txq, struct rte_mbuf **pkts, uint16_t nb)
{
	return tx_burst(txq, pkts, nb, false);
}

uint16_t
vc_xmit_pkts_inorder(void *txq, struct rte_mbuf **pkts, uint16_t nb)
{
	return tx_burst(txq, pkts, nb, true);
}
