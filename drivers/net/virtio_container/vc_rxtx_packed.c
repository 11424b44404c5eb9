/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * Datapath on a packed virtqueue (VIRTIO_F_RING_PACKED): the same packets,
 * headers and counters as the split bursts in vc_rxtx.c, through
 * vc_ring_packed.  vc_rxtx_select() picks these at dev_start; the ring's
 * in-order mode is a property of the ring, not a branch here.
 */

#include <errno.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "vc_lsc.h"
#include "vc_rxtx.h"
#include "vc_rxtx_impl.h"
#include "vc_virtio.h"

/*
 * Built once as it is (the scalar bursts) and once per instruction set
 * meson.build names, with -DVC_RXTX_ISA=<name>: the bursts are then
 * vc_recv_pkts_packed_<name>() and vc_xmit_pkts_packed_<name>(), and
 * collect used descriptors and add single-descriptor buffers a cache line
 * at a time (vc_ring_packed_vec.h).
 */
#ifdef VC_RXTX_ISA
#include "vc_ring_packed_vec.h"
#define VC_ISA_CAT_(f, isa) f##_##isa
#define VC_ISA_CAT(f, isa) VC_ISA_CAT_(f, isa)
#define VC_BURST(f) VC_ISA_CAT(f, VC_RXTX_ISA)
#define vc_pring_dequeue vc_ring_packed_dequeue_vec

/* Post four fresh mbufs as one descriptor line (vc_ring_packed_add_line()). */
static inline void
rxq_post_line(struct vc_queue *q, struct rte_mbuf **m)
{
	uint64_t addr[VC_PDESC_LINE];
	uint32_t len[VC_PDESC_LINE];
	uint16_t k;

	for (k = 0; k < VC_PDESC_LINE; k++) {
		addr[k] = vc_rx_buf_addr(m[k]);
		len[k] = vc_rx_buf_len(m[k]);
	}
	vc_ring_packed_add_line(&q->pring, addr, len, true, (void *const *)m);
}

/*
 * Four packets as one descriptor line, when each is one segment with its
 * header in the headroom (vc_ring_packed_line_ready() must hold).
 * @return false, with nothing done, when one of them is not.
 */
static inline bool
tx_line_packed(struct vc_queue *q, struct rte_mbuf **m, uint64_t *bytes)
{
	uint64_t addr[VC_PDESC_LINE];
	uint32_t len[VC_PDESC_LINE];
	uint16_t k;

	for (k = 0; k < VC_PDESC_LINE; k++)
		if (!vc_tx_one_desc(m[k]))
			return false;
	for (k = 0; k < VC_PDESC_LINE; k++) {
		addr[k] = vc_tx_hdr_push(q, m[k], &len[k]);
		*bytes += m[k]->pkt_len;
	}
	vc_ring_packed_add_line(&q->pring, addr, len, false, (void *const *)m);
	return true;
}
#else
#define VC_BURST(f) f
#define vc_pring_dequeue vc_ring_packed_dequeue
#endif

/*
 * Post up to @want fresh mbufs, then publish once and decide one kick.
 * A failed bulk allocation is retried with smaller requests.
 * @return the number posted.
 */
static uint16_t
rxq_post_packed(struct vc_queue *q, uint16_t want)
{
	struct rte_mbuf *m[VC_BURST_MAX];
	uint16_t i, n = RTE_MIN(want, (uint16_t)VC_BURST_MAX), posted = 0;

	vc_ring_packed_prefetch_add(&q->pring, want);
	while (want > 0 && n > 0) {
		if (rte_pktmbuf_alloc_bulk(q->mp, m, n) != 0) {
			q->stats.nombuf++;
			n /= 2;
			continue;
		}
		for (i = 0; i < n; i++) {
#ifdef VC_RXTX_ISA
			if (n - i >= VC_PDESC_LINE && vc_ring_packed_line_ready(&q->pring)) {
				rxq_post_line(q, &m[i]);
				i += VC_PDESC_LINE - 1;
				continue;
			}
#endif
			vc_ring_packed_add_one(&q->pring, vc_rx_buf_addr(m[i]),
					       vc_rx_buf_len(m[i]), true, m[i]);
		}
		want -= n;
		posted += n;
		n = RTE_MIN(want, n);
	}
	if (posted) {
		vc_ring_packed_publish(&q->pring);
		if (vc_ring_packed_kick(&q->pring))
			vc_queue_notify(q);
	}
	return posted;
}

#ifndef VC_RXTX_ISA
int
vc_rxq_fill_packed(struct vc_queue *q)
{
	uint16_t want = vc_ring_packed_free_count(&q->pring);

	/* Some buffers are enough to start; refills top the ring up. */
	return want == 0 || rxq_post_packed(q, want) > 0 ? 0 : -ENOMEM;
}
#endif

uint16_t
VC_BURST(vc_recv_pkts_packed)(void *rxq, struct rte_mbuf **pkts, uint16_t nb)
{
	struct vc_queue *q = rxq;
	struct vc_ring_used used[VC_BURST_MAX];
	uint16_t n;

	/* A ring the device corrupted is left alone until reset. */
	if (unlikely(vc_ring_packed_is_broken(&q->pring)))
		return 0;
	/* First give back what the previous burst took: see rx_burst()
	 * (vc_rxtx.c). */
	if (vc_ring_packed_free_count(&q->pring) != 0)
		rxq_post_packed(q, vc_ring_packed_free_count(&q->pring));
	nb = RTE_MIN(nb, (uint16_t)VC_BURST_MAX);
	n = vc_pring_dequeue(&q->pring, used, nb);
	if (unlikely(vc_ring_packed_is_broken(&q->pring)))
		vc_lsc_ring_broken(q->port_id);	/* just now: report it */
	return vc_rx_collect(q, used, n, pkts);
}

/* Descriptors a packed TX ring leaves completed before freeing them. */
#define VC_TX_LAG_PACKED 64

static inline void
tx_reclaim_packed(struct vc_queue *q)
{
	struct vc_ring_used used[VC_BURST_MAX];
	struct rte_mbuf *m[VC_BURST_MAX];
	uint16_t n, i;

	do {
		n = vc_pring_dequeue(&q->pring, used, VC_BURST_MAX);
		/* TX chains have nothing device-writable: the mbuf is ours
		 * to free whatever len the device wrote. */
		for (i = 0; i < n; i++)
			m[i] = used[i].cookie;
		rte_pktmbuf_free_bulk(m, n);
	} while (n == VC_BURST_MAX);
	if (unlikely(vc_ring_packed_is_broken(&q->pring)))
		vc_lsc_ring_broken(q->port_id);
}

/* A packet needing several descriptors: header, then every segment;
 * through an indirect table when it fits one. */
static int
tx_one_chain_packed(struct vc_queue *q, struct rte_mbuf *m)
{
	struct vc_ring_seg segs[VC_TX_SEGS_MAX];
	uint16_t id;
	bool indirect;
	int n = vc_tx_chain_prep(q, m, segs, vc_ring_packed_free_count(&q->pring),
				 &indirect);

	if (n < 0)
		return n;
	/* The add fits, so this is the buffer id it gets: header slot and
	 * table keyed by it are no other outstanding packet's. */
	id = vc_ring_packed_next_id(&q->pring);
	vc_tx_segs_hdr(q, m, segs, id);
	if (indirect)
		return vc_ring_packed_add_indirect(&q->pring, vc_tx_indir_slot(q, id),
						   segs, n, m);
	return vc_ring_packed_add_chain(&q->pring, segs, n, m);
}

static inline int
tx_enqueue_packed(struct vc_queue *q, struct rte_mbuf *m)
{
	uint64_t addr;
	uint32_t len;

	if (unlikely(!vc_tx_one_desc(m)))
		return tx_one_chain_packed(q, m);
	/* Common case: header in the headroom, one descriptor. */
	addr = vc_tx_hdr_push(q, m, &len);
	return vc_ring_packed_add_one(&q->pring, addr, len, false, m);
}

uint16_t
VC_BURST(vc_xmit_pkts_packed)(void *txq, struct rte_mbuf **pkts, uint16_t nb)
{
	struct vc_queue *q = txq;
	uint64_t bytes = 0;
	uint16_t i, dropped = 0;
	bool reclaimed = false;
	int ret;

	if (unlikely(vc_ring_packed_is_broken(&q->pring)))
		return 0;
	/* Completed mbufs are freed after the publish (see tx_burst() in
	 * vc_rxtx.c), unless this burst needs their descriptors now. */
	if (vc_ring_packed_free_count(&q->pring) < nb)
		tx_reclaim_packed(q);
	vc_ring_packed_prefetch_add(&q->pring, nb);
	for (i = 0; i < nb; i++) {
		struct rte_mbuf *m = pkts[i];

#ifdef VC_RXTX_ISA
		if (nb - i >= VC_PDESC_LINE && vc_ring_packed_line_ready(&q->pring) &&
		    tx_line_packed(q, &pkts[i], &bytes)) {
			i += VC_PDESC_LINE - 1;
			continue;
		}
#endif
		ret = tx_enqueue_packed(q, m);
		if (unlikely(ret == -ENOSPC) && !reclaimed) {
			/*
			 * The check above counts packets; this one needs
			 * more descriptors than are free.  What this burst
			 * added goes to the device first: dequeue waits for
			 * unpublished buffers.
			 */
			reclaimed = true;
			vc_ring_packed_publish(&q->pring);
			tx_reclaim_packed(q);
			ret = tx_enqueue_packed(q, m);
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
	/* publish/kick are no-ops when nothing is pending. */
	vc_ring_packed_publish(&q->pring);
	if (vc_ring_packed_kick(&q->pring))
		vc_queue_notify(q);
	q->stats.packets += i - dropped;
	q->stats.bytes += bytes;
	/*
	 * Free completed mbufs while the device works on this burst, once
	 * more than VC_TX_LAG_PACKED descriptors are out.  At a quarter of
	 * the ring left (the split rings' rule), a ring with 32 frames in
	 * flight freed about 190 mbufs every sixth burst, which cost the
	 * packed paths 5-7 % of their Mpps at 1518 B (A/B, 32 in flight);
	 * at other sizes and with 256 in flight the A/B went both ways (the
	 * performance page in doc/).
	 */
	if (q->size - vc_ring_packed_free_count(&q->pring) >
	    RTE_MIN(VC_TX_LAG_PACKED, q->size / 4))
		tx_reclaim_packed(q);
	return i;
}
