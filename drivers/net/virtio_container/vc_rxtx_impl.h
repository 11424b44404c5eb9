/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef VC_RXTX_IMPL_H
#define VC_RXTX_IMPL_H

/*
 * What every ring layout's burst functions share: where RX buffers start,
 * how buffers become packets (mergeable assembly), when TX may put the
 * virtio-net header in the mbuf's headroom.  Static inline, for the
 * datapath files only (vc_rxtx*.c).
 */

#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "vc_offload.h"
#include "vc_rxtx.h"
#include "vc_virtio.h"

#define VC_BURST_MAX 64

/*
 * RX buffers start hdr bytes before the mbuf's default data offset, so the
 * device writes the header into the headroom and the packet lands exactly
 * at RTE_PKTMBUF_HEADROOM.
 */
static inline uint64_t
vc_rx_buf_addr(const struct rte_mbuf *m)
{
	return (uintptr_t)m->buf_addr + RTE_PKTMBUF_HEADROOM - VC_NET_HDR_SIZE;
}

static inline uint32_t
vc_rx_buf_len(const struct rte_mbuf *m)
{
	return m->buf_len - RTE_PKTMBUF_HEADROOM + VC_NET_HDR_SIZE;
}

/*
 * Drop the packet a bad buffer belongs to.  Its remaining buffers
 * (rx_left) are still to come and are discarded as they arrive, so that
 * their payload is never parsed as a header.
 */
static inline void
vc_rx_drop_partial(struct vc_queue *q)
{
	if (q->rx_head != NULL) {
		rte_pktmbuf_free(q->rx_head);
		q->rx_head = q->rx_tail = NULL;
	}
	q->stats.errors++;
}

/*
 * One used buffer.  @len is the device-written length, already checked by
 * the ring against what was posted.  Returns a complete packet or NULL.
 */
static inline struct rte_mbuf *
vc_rx_assemble(struct vc_queue *q, struct rte_mbuf *m, uint32_t len)
{
	if (q->rx_left == 0) {
		const struct virtio_net_hdr_mrg_rxbuf *h;
		uint16_t nbufs = 1;

		if (unlikely(len <= VC_NET_HDR_SIZE)) {
			rte_pktmbuf_free(m);
			q->stats.errors++;
			return NULL;
		}
		if (q->mergeable) {
			h = (const void *)((uintptr_t)vc_rx_buf_addr(m));
			/* Read once: the device may still scribble on it. */
			nbufs = __atomic_load_n(&h->num_buffers, __ATOMIC_RELAXED);
			if (unlikely(nbufs == 0 || nbufs > q->size)) {
				rte_pktmbuf_free(m);
				q->stats.errors++;
				return NULL;
			}
		}
		m->data_off = RTE_PKTMBUF_HEADROOM;
		m->data_len = len - VC_NET_HDR_SIZE;
		m->pkt_len = m->data_len;
		m->nb_segs = 1;
		m->port = q->port_id;
		q->rx_head = q->rx_tail = m;
		q->rx_left = nbufs - 1;
	} else if (unlikely(q->rx_head == NULL)) {
		/* Rest of a dropped packet. */
		rte_pktmbuf_free(m);
		q->rx_left--;
		return NULL;
	} else {
		/* Continuation buffers carry no header (5.1.6.4.2). */
		struct rte_mbuf *h = q->rx_head;

		m->data_off = RTE_PKTMBUF_HEADROOM - VC_NET_HDR_SIZE;
		m->data_len = len;
		h->pkt_len += len;
		h->nb_segs++;
		q->rx_tail->next = m;
		q->rx_tail = m;
		q->rx_left--;
	}
	if (q->rx_left != 0)
		return NULL;
	m = q->rx_head;
	q->rx_head = q->rx_tail = NULL;
	/* Checksum/LRO: only when negotiated, and a header that does not
	 * match its packet drops the packet. */
	if (q->rx_offload != 0 && unlikely(vc_rx_offload(q, m) < 0)) {
		rte_pktmbuf_free(m);
		q->stats.errors++;
		return NULL;
	}
	return m;
}

/* The header can go in the first segment's headroom when we own it. */
static inline bool
vc_tx_can_push(const struct rte_mbuf *m)
{
	return rte_mbuf_refcnt_read(m) == 1 && RTE_MBUF_DIRECT(m) &&
	       rte_pktmbuf_headroom(m) >= VC_NET_HDR_SIZE;
}

/*
 * The header of a packet without offloads: every field zero but
 * num_buffers, which is unused on transmitted packets (virtio 5.1.6.2) and
 * left as it is. A forwarded mbuf's headroom still holds the header the
 * device wrote on receive, zero but for num_buffers, so nothing is stored
 * and the line stays shared between the two cores: a store here would
 * take it from the device's core, and the device's next receive into the
 * mbuf would take it back (it too stores only fields that differ).
 */
static inline void
vc_tx_hdr_clear(struct virtio_net_hdr_mrg_rxbuf *h)
{
	uint64_t lo;
	uint16_t hi;

	memcpy(&lo, &h->hdr, sizeof(lo));
	memcpy(&hi, (const uint8_t *)&h->hdr + sizeof(lo), sizeof(hi));
	if (unlikely((lo | hi) != 0))
		memset(&h->hdr, 0, sizeof(h->hdr));
}

_Static_assert(sizeof(struct virtio_net_hdr) == sizeof(uint64_t) + sizeof(uint16_t),
	       "vc_tx_hdr_clear() reads the header as 8 + 2 bytes");

/*
 * The virtio-net header of an outgoing packet.  Zero without TX offloads
 * (vc_tx_hdr_clear()); checksum and segmentation offloads fill it from
 * m->ol_flags (vc_offload.h).  Without an offload flag the cost is one
 * well predicted branch.
 */
static inline void
vc_tx_hdr_fill(const struct vc_queue *q, const struct rte_mbuf *m,
	       struct virtio_net_hdr_mrg_rxbuf *h)
{
	if (likely(!(m->ol_flags & q->tx_ol_mask)))
		vc_tx_hdr_clear(h);
	else
		vc_tx_hdr_offload(q, m, h);
}

/*
 * The common TX case, one descriptor: a packet of one segment whose
 * header goes into its headroom (vc_tx_can_push()).
 */
static inline bool
vc_tx_one_desc(const struct rte_mbuf *m)
{
	return m->nb_segs == 1 && vc_tx_can_push(m);
}

/*
 * Fill the virtio-net header in the headroom of a vc_tx_one_desc() packet.
 * @return the address of the buffer the device reads (header, then
 * packet); *@len its length.
 */
static inline uint64_t
vc_tx_hdr_push(const struct vc_queue *q, struct rte_mbuf *m, uint32_t *len)
{
	struct virtio_net_hdr_mrg_rxbuf *h =
		rte_pktmbuf_mtod_offset(m, void *, -VC_NET_HDR_SIZE);

	vc_tx_hdr_fill(q, m, h);
	*len = m->data_len + VC_NET_HDR_SIZE;
	return (uintptr_t)h;
}

/*
 * Header of a packet that cannot carry it in its headroom: one slot per
 * descriptor in the queue's shared memory (q->tx_hdr, q->size slots).
 * @id must be unique among the queue's outstanding buffers, e.g. a
 * descriptor index of the chain (split: vc_ring_next_desc()) or a packed
 * buffer id, so that a header is not rewritten while the device may
 * still read it.
 */
static inline struct virtio_net_hdr_mrg_rxbuf *
vc_tx_hdr_slot(const struct vc_queue *q, uint16_t id)
{
	return (struct virtio_net_hdr_mrg_rxbuf *)q->tx_hdr + (id & (q->size - 1));
}

_Static_assert(sizeof(struct vring_desc) == VC_INDIRECT_DESC_SIZE &&
	       sizeof(struct vring_packed_desc) == VC_INDIRECT_DESC_SIZE,
	       "indirect table entries");

/*
 * Indirect descriptor table of a TX packet (VIRTIO_RING_F_INDIRECT_DESC):
 * VC_INDIRECT_MAX entries per descriptor in the queue's shared memory
 * (q->tx_indir), keyed like vc_tx_hdr_slot() by an @id unique among the
 * outstanding buffers, so a table is never rewritten while the device may
 * read it.  Split and packed entries are both 16 bytes: the caller casts.
 */
static inline void *
vc_tx_indir_slot(const struct vc_queue *q, uint16_t id)
{
	return RTE_PTR_ADD(q->tx_indir, (size_t)(id & (q->size - 1)) *
			   VC_INDIRECT_MAX * VC_INDIRECT_DESC_SIZE);
}

/* Descriptors one multi-segment packet may use: header + segments. */
#define VC_TX_SEGS_MAX (VC_RING_SIZE_MAX > 512 ? 512 : VC_RING_SIZE_MAX)

/*
 * The segments of a packet that needs several descriptors, for every ring
 * layout: the virtio-net header (in the first segment's headroom when the
 * driver owns it; otherwise segs[0].addr stays 0 and vc_tx_segs_hdr()
 * fills a per-slot header once the caller knows the add fits), then every
 * mbuf segment.  @segs has VC_TX_SEGS_MAX entries.
 * @return the number of segments, or -EMSGSIZE when they cannot fit.
 */
static __rte_always_inline int
vc_tx_segs(struct vc_queue *q, struct rte_mbuf *m, struct vc_ring_seg *segs)
{
	struct rte_mbuf *s = m;
	uint16_t n = 0;

	if (m->nb_segs + 1u > VC_TX_SEGS_MAX || m->nb_segs + 1u > q->size)
		return -EMSGSIZE;
	if (vc_tx_can_push(m)) {
		vc_tx_hdr_fill(q, m, rte_pktmbuf_mtod_offset(m, void *,
							     -VC_NET_HDR_SIZE));
		segs[n++] = (struct vc_ring_seg){
			.addr = rte_pktmbuf_mtod_offset(m, uintptr_t, 0) -
				VC_NET_HDR_SIZE,
			.len = s->data_len + VC_NET_HDR_SIZE,
		};
		s = s->next;
	} else {
		segs[n++] = (struct vc_ring_seg){ .len = VC_NET_HDR_SIZE };
	}
	for (; s != NULL; s = s->next) {
		if (n == VC_TX_SEGS_MAX)
			return -EMSGSIZE;
		segs[n++] = (struct vc_ring_seg){
			.addr = rte_pktmbuf_mtod(s, uintptr_t), .len = s->data_len,
		};
	}
	return n;
}

/*
 * A packet that needs several descriptors, for every ring layout: its
 * segments (vc_tx_segs()), and whether they go in an indirect table
 * (*@indirect) or straight in the ring, checked against the @free
 * descriptors there.
 * @return the number of segments, -EMSGSIZE, or -ENOSPC.
 */
static __rte_always_inline int
vc_tx_chain_prep(struct vc_queue *q, struct rte_mbuf *m,
		 struct vc_ring_seg *segs, uint16_t free, bool *indirect)
{
	int n = vc_tx_segs(q, m, segs);

	if (n < 0)
		return n;
	/* With indirect descriptors the whole chain takes one descriptor;
	 * longer chains than a table holds go direct (tx_indir_max is 0
	 * when the feature was not negotiated). */
	*indirect = n <= q->tx_indir_max;
	return free < (*indirect ? 1 : n) ? -ENOSPC : n;
}

/*
 * Give a chain from vc_tx_segs() without headroom for its header the
 * per-slot header of @id: the slot of a descriptor (split) or buffer id
 * (packed) the add is known to take, so no outstanding packet uses it.
 */
static __rte_always_inline void
vc_tx_segs_hdr(struct vc_queue *q, const struct rte_mbuf *m,
	       struct vc_ring_seg *segs, uint16_t id)
{
	struct virtio_net_hdr_mrg_rxbuf *h;

	if (segs[0].addr != 0)
		return;
	h = vc_tx_hdr_slot(q, id);
	vc_tx_hdr_fill(q, m, h);
	segs[0].addr = (uintptr_t)h;
}

/*
 * Turn @n completed RX buffers (any ring layout) into packets in @pkts:
 * buffers the ring flagged VC_RING_LEN_BAD are dropped with the packet
 * they belong to, mergeable buffers are assembled, counters updated.
 * @return the number of packets.
 */
static __rte_always_inline uint16_t
vc_rx_collect(struct vc_queue *q, const struct vc_ring_used *used, uint16_t n,
	      struct rte_mbuf **pkts)
{
	uint64_t bytes = 0;
	uint16_t i, got = 0;

	/*
	 * The device's core has just written each buffer's header line and
	 * first data line. Fetch them all before touching the first, so the
	 * transfers overlap instead of following one another. The packet's
	 * line for writing: the application writes packet headers, and it
	 * comes over once, exclusive. The virtio-net header's line only for
	 * reading: a TX of the mbuf leaves that header as it is
	 * (vc_tx_hdr_clear()), and taking the line exclusive would only make
	 * the device's next receive into the mbuf fetch it back.
	 */
	for (i = 0; i < n; i++) {
		uintptr_t b = (uintptr_t)vc_rx_buf_addr(used[i].cookie);

		rte_prefetch0((const void *)b);
		vc_prefetch_w((const void *)(b + VC_NET_HDR_SIZE));
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = used[i].cookie;

		if (unlikely(used[i].len == VC_RING_LEN_BAD)) {
			/* The buffer cannot be trusted; neither can the packet
			 * it belongs to. */
			rte_pktmbuf_free(m);
			if (q->rx_left > 0) {
				vc_rx_drop_partial(q);
				q->rx_left--;
			} else {
				q->stats.errors++;
			}
			continue;
		}
		m = vc_rx_assemble(q, m, used[i].len);
		if (m == NULL)
			continue;
		bytes += m->pkt_len;
		pkts[got++] = m;
	}
	q->stats.packets += got;
	q->stats.bytes += bytes;
	return got;
}

#endif /* VC_RXTX_IMPL_H */
