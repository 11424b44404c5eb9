/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

#include <errno.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "vc_logs.h"
#include "vc_rxtx.h"
#include "vc_virtio.h"

#define VC_BURST_MAX 64
/* Free RX descriptors worth a refill. */
#define VC_RX_REFILL 32

void
vc_queue_kick(void *opaque)
{
	struct vc_notify *n = opaque;

	n->tp->ops->bar_write(n->tp, n->bar, n->off, 2, n->qidx);
}

/*
 * RX buffers start hdr bytes before the mbuf's default data offset, so the
 * device writes the header into the headroom and the packet lands exactly
 * at RTE_PKTMBUF_HEADROOM.
 */
static inline uint64_t
rx_buf_addr(const struct rte_mbuf *m)
{
	return (uintptr_t)m->buf_addr + RTE_PKTMBUF_HEADROOM - VC_NET_HDR_SIZE;
}

static inline uint32_t
rx_buf_len(const struct rte_mbuf *m)
{
	return m->buf_len - RTE_PKTMBUF_HEADROOM + VC_NET_HDR_SIZE;
}

/*
 * Post up to @want fresh mbufs.  A failed bulk allocation is retried with
 * smaller requests, so that a nearly empty pool still keeps the ring fed.
 * @return the number posted.
 */
static uint16_t
rxq_post(struct vc_queue *q, uint16_t want)
{
	struct rte_mbuf *m[VC_BURST_MAX];
	uint16_t i, n = RTE_MIN(want, (uint16_t)VC_BURST_MAX), posted = 0;

	while (want > 0 && n > 0) {
		if (rte_pktmbuf_alloc_bulk(q->mp, m, n) != 0) {
			q->stats.nombuf++;
			n /= 2;
			continue;
		}
		for (i = 0; i < n; i++)
			vc_ring_add_one(&q->ring, rx_buf_addr(m[i]),
					rx_buf_len(m[i]), true, m[i]);
		want -= n;
		posted += n;
		n = RTE_MIN(want, n);
	}
	if (posted) {
		vc_ring_publish(&q->ring);
		vc_ring_kick(&q->ring);
	}
	return posted;
}

int
vc_rxq_fill(struct vc_queue *q)
{
	uint16_t want = vc_ring_free_count(&q->ring);

	/* Some buffers are enough to start; refills top the ring up. */
	return want == 0 || rxq_post(q, want) > 0 ? 0 : -ENOMEM;
}

void
vc_queue_drain(struct vc_queue *q)
{
	struct vc_ring_stats stats;
	void *cookie;

	while ((cookie = vc_ring_detach_unused(&q->ring)) != NULL)
		rte_pktmbuf_free(cookie);
	if (q->rx_head != NULL)
		rte_pktmbuf_free(q->rx_head);
	q->rx_head = q->rx_tail = NULL;
	q->rx_left = 0;
	/* Counters live until stats_reset, not until the next stop. */
	stats = q->ring.stats;
	vc_ring_reinit(&q->ring);
	q->ring.stats = stats;
}

/*
 * Drop the packet a bad buffer belongs to.  Its remaining buffers
 * (rx_left) are still to come and are discarded as they arrive, so that
 * their payload is never parsed as a header.
 */
static inline void
rx_drop_partial(struct vc_queue *q)
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
rx_one(struct vc_queue *q, struct rte_mbuf *m, uint32_t len)
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
			h = (const void *)((uintptr_t)rx_buf_addr(m));
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
	return m;
}

uint16_t
vc_recv_pkts(void *rxq, struct rte_mbuf **pkts, uint16_t nb)
{
	struct vc_queue *q = rxq;
	struct vc_ring_used used[VC_BURST_MAX];
	uint16_t n, i, got = 0;
	uint64_t bytes = 0;

	/* A ring the device corrupted is left alone until reset. */
	if (unlikely(vc_ring_is_broken(&q->ring)))
		return 0;
	nb = RTE_MIN(nb, (uint16_t)VC_BURST_MAX);
	n = vc_ring_dequeue(&q->ring, used, nb);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = used[i].cookie;

		if (i + 1 < n) {
			const struct rte_mbuf *nx = used[i + 1].cookie;

			rte_prefetch0(nx);
			rte_prefetch0((void *)(uintptr_t)rx_buf_addr(nx));
		}
		if (unlikely(used[i].len == VC_RING_LEN_BAD)) {
			/* The buffer cannot be trusted; neither can the packet
			 * it belongs to. */
			rte_pktmbuf_free(m);
			if (q->rx_left > 0) {
				rx_drop_partial(q);
				q->rx_left--;
			} else {
				q->stats.errors++;
			}
			continue;
		}
		m = rx_one(q, m, used[i].len);
		if (m == NULL)
			continue;
		bytes += m->pkt_len;
		pkts[got++] = m;
	}
	q->stats.packets += got;
	q->stats.bytes += bytes;
	/* Refill in batches: one allocation, one publish, one kick check. */
	if (vc_ring_free_count(&q->ring) >= RTE_MIN(VC_RX_REFILL, q->size / 4))
		rxq_post(q, vc_ring_free_count(&q->ring));
	return got;
}

static inline void
tx_reclaim(struct vc_queue *q)
{
	struct vc_ring_used used[VC_BURST_MAX];
	struct rte_mbuf *m[VC_BURST_MAX];
	uint16_t n, i;

	do {
		n = vc_ring_dequeue(&q->ring, used, VC_BURST_MAX);
		/* TX chains have nothing device-writable: a non-zero len is
		 * counted by the ring; the mbuf is ours to free either way. */
		for (i = 0; i < n; i++)
			m[i] = used[i].cookie;
		rte_pktmbuf_free_bulk(m, n);
	} while (n == VC_BURST_MAX);
}

/* The header can go in the first segment's headroom when we own it. */
static inline bool
tx_can_push(const struct rte_mbuf *m)
{
	return rte_mbuf_refcnt_read(m) == 1 && RTE_MBUF_DIRECT(m) &&
	       rte_pktmbuf_headroom(m) >= VC_NET_HDR_SIZE;
}

static int
tx_one_chain(struct vc_queue *q, struct rte_mbuf *m)
{
	struct vc_ring_seg segs[VC_RING_SIZE_MAX > 512 ? 512 : VC_RING_SIZE_MAX];
	struct rte_mbuf *s = m;
	uint16_t n = 0;

	if (m->nb_segs + 1u > RTE_DIM(segs) || m->nb_segs + 1u > q->size)
		return -EMSGSIZE;
	if (tx_can_push(m)) {
		memset(rte_pktmbuf_mtod_offset(m, void *, -VC_NET_HDR_SIZE), 0,
		       VC_NET_HDR_SIZE);
		segs[n++] = (struct vc_ring_seg){
			.addr = rte_pktmbuf_mtod_offset(m, uintptr_t, 0) -
				VC_NET_HDR_SIZE,
			.len = s->data_len + VC_NET_HDR_SIZE,
		};
		s = s->next;
	} else {
		segs[n++] = (struct vc_ring_seg){
			.addr = (uintptr_t)q->tx_hdr, .len = VC_NET_HDR_SIZE,
		};
	}
	for (; s != NULL; s = s->next) {
		if (n == RTE_DIM(segs))
			return -EMSGSIZE;
		segs[n++] = (struct vc_ring_seg){
			.addr = rte_pktmbuf_mtod(s, uintptr_t), .len = s->data_len,
		};
	}
	return vc_ring_add_chain(&q->ring, segs, n, m);
}

static inline int
tx_enqueue(struct vc_queue *q, struct rte_mbuf *m)
{
	struct virtio_net_hdr_mrg_rxbuf *h;

	if (unlikely(m->nb_segs != 1 || !tx_can_push(m)))
		return tx_one_chain(q, m);
	/* Common case: header in the headroom, one descriptor. */
	h = rte_pktmbuf_mtod_offset(m, void *, -VC_NET_HDR_SIZE);
	memset(h, 0, VC_NET_HDR_SIZE);
	return vc_ring_add_one(&q->ring, (uintptr_t)h,
			       m->data_len + VC_NET_HDR_SIZE, false, m);
}

uint16_t
vc_xmit_pkts(void *txq, struct rte_mbuf **pkts, uint16_t nb)
{
	struct vc_queue *q = txq;
	uint64_t bytes = 0;
	uint16_t i, dropped = 0;
	bool reclaimed = false;
	int ret;

	if (unlikely(vc_ring_is_broken(&q->ring)))
		return 0;
	if (vc_ring_free_count(&q->ring) < RTE_MAX(nb, (uint16_t)(q->size / 4)))
		tx_reclaim(q);
	for (i = 0; i < nb; i++) {
		struct rte_mbuf *m = pkts[i];

		ret = tx_enqueue(q, m);
		if (unlikely(ret == -ENOSPC) && !reclaimed) {
			/* The reclaim threshold counts packets; this one needs
			 * more descriptors than are free.  Reclaim once more. */
			reclaimed = true;
			tx_reclaim(q);
			ret = tx_enqueue(q, m);
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
		vc_ring_kick(&q->ring);
	}
	q->stats.packets += i - dropped;
	q->stats.bytes += bytes;
	return i;
}
