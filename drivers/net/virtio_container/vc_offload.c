/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * Offload negotiation, tx_prepare and the slow path of RX header
 * handling.  See vc_offload.h.
 */

#include <errno.h>

#include <ethdev_driver.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_net.h>

#include "vc_offload.h"

#define VC_TX_CSUM_OL (RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM)
#define VC_RX_CSUM_OL (RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM)
#define VC_HOST_TSO (VC_BIT(VIRTIO_NET_F_HOST_TSO4) | VC_BIT(VIRTIO_NET_F_HOST_TSO6))
#define VC_GUEST_TSO (VC_BIT(VIRTIO_NET_F_GUEST_TSO4) | VC_BIT(VIRTIO_NET_F_GUEST_TSO6))

uint64_t
vc_offload_features(uint64_t rx_offloads, uint64_t tx_offloads)
{
	uint64_t f = 0;

	if (tx_offloads & VC_TX_CSUM_OL)
		f |= VC_BIT(VIRTIO_NET_F_CSUM);
	/* 5.1.3.1: HOST_TSO4/6 require CSUM. */
	if (tx_offloads & RTE_ETH_TX_OFFLOAD_TCP_TSO)
		f |= VC_BIT(VIRTIO_NET_F_CSUM) | VC_HOST_TSO;
	if (rx_offloads & VC_RX_CSUM_OL)
		f |= VC_BIT(VIRTIO_NET_F_GUEST_CSUM);
	if (rx_offloads & RTE_ETH_RX_OFFLOAD_TCP_LRO)
		f |= VC_BIT(VIRTIO_NET_F_GUEST_CSUM) | VC_GUEST_TSO;
	return f;
}

void
vc_offload_capa(uint64_t dev_features, bool mergeable, uint64_t *rx_capa,
		uint64_t *tx_capa)
{
	bool csum = dev_features & VC_BIT(VIRTIO_NET_F_CSUM);
	bool gcsum = dev_features & VC_BIT(VIRTIO_NET_F_GUEST_CSUM);

	*rx_capa = 0;
	*tx_capa = 0;
	if (csum)
		*tx_capa |= VC_TX_CSUM_OL;
	/* TSO for both IP versions, as an application cannot tell them
	 * apart in the capability. */
	if (csum && (dev_features & VC_HOST_TSO) == VC_HOST_TSO)
		*tx_capa |= RTE_ETH_TX_OFFLOAD_TCP_TSO;
	if (gcsum)
		*rx_capa |= VC_RX_CSUM_OL;
	/* Without mergeable buffers GUEST_TSO needs 64 KB receive buffers
	 * (5.1.6.3.1); ours are mbufs. */
	if (gcsum && mergeable && (dev_features & VC_GUEST_TSO) == VC_GUEST_TSO)
		*rx_capa |= RTE_ETH_RX_OFFLOAD_TCP_LRO;
}

void
vc_offload_queue_setup(struct vc_queue *q, uint64_t features)
{
	q->tx_ol_mask = 0;
	if (features & VC_BIT(VIRTIO_NET_F_CSUM))
		q->tx_ol_mask |= RTE_MBUF_F_TX_L4_MASK;
	if (features & VC_HOST_TSO)
		q->tx_ol_mask |= RTE_MBUF_F_TX_TCP_SEG;
	q->rx_offload = 0;
	if (features & VC_BIT(VIRTIO_NET_F_GUEST_CSUM))
		q->rx_offload |= VC_RX_OL_CSUM;
	if (features & VC_GUEST_TSO)
		q->rx_offload |= VC_RX_OL_LRO;
}

static int
vc_tx_prepare_one(const struct vc_queue *q, struct rte_mbuf *m)
{
	uint64_t fl = m->ol_flags;
	uint64_t l4 = fl & RTE_MBUF_F_TX_L4_MASK;
	uint64_t cfl;
	struct rte_ipv4_hdr *ip4;
	int ret;

	if (fl & (RTE_MBUF_F_TX_OUTER_IPV4 | RTE_MBUF_F_TX_OUTER_IPV6 |
		  RTE_MBUF_F_TX_UDP_SEG) || l4 == RTE_MBUF_F_TX_SCTP_CKSUM)
		return -ENOTSUP;
	if (((fl & RTE_MBUF_F_TX_TCP_SEG) && !(q->tx_ol_mask & RTE_MBUF_F_TX_TCP_SEG)) ||
	    (l4 != 0 && !(q->tx_ol_mask & RTE_MBUF_F_TX_L4_MASK)))
		return -ENOTSUP;
	if (!(fl & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6)))
		return -EINVAL;
	/* The fields written below must be in the first segment. */
	if (rte_pktmbuf_data_len(m) < (uint32_t)m->l2_len + m->l3_len + m->l4_len)
		return -ENOTSUP;
	if (fl & RTE_MBUF_F_TX_TCP_SEG) {
		if (m->tso_segsz == 0 || m->l4_len < sizeof(struct rte_tcp_hdr))
			return -EINVAL;
		/*
		 * Seed a plain TCP checksum: the pseudo-header with the whole
		 * L4 length, as Linux does for a GSO packet (the device
		 * adjusts it per segment).  The IPv4 header checksum is not
		 * offloaded: compute it.
		 */
		cfl = (fl & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6)) |
		      RTE_MBUF_F_TX_TCP_CKSUM;
		if (fl & RTE_MBUF_F_TX_IPV4) {
			ip4 = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
						      m->l2_len);
			ip4->hdr_checksum = 0;
			ip4->hdr_checksum = rte_ipv4_cksum(ip4);
		}
	} else {
		/* Not IP_CKSUM: nothing offloads the IPv4 header checksum,
		 * so it must stay as the application wrote it. */
		cfl = fl & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6 |
			    RTE_MBUF_F_TX_L4_MASK);
	}
	ret = rte_net_intel_cksum_flags_prepare(m, cfl);
	return ret < 0 ? ret : 0;
}

uint16_t
vc_xmit_pkts_prepare(void *txq, struct rte_mbuf **pkts, uint16_t nb)
{
	const struct vc_queue *q = txq;
	uint16_t i;
	int ret;

	for (i = 0; i < nb; i++) {
		struct rte_mbuf *m = pkts[i];

		if (likely(!(m->ol_flags & VC_TX_OL_FLAGS)))
			continue;
		ret = vc_tx_prepare_one(q, m);
		if (unlikely(ret < 0)) {
			rte_errno = -ret;
			break;
		}
	}
	return i;
}

int
vc_rx_offload_apply(const struct vc_queue *q, struct rte_mbuf *m,
		    const struct virtio_net_hdr *h)
{
	struct rte_net_hdr_lens hl;
	uint64_t ol = 0;
	uint32_t ptype, start, off;
	uint16_t csum = 0;

	ptype = rte_net_get_ptype(m, &hl, RTE_PTYPE_L2_MASK |
				  RTE_PTYPE_L3_MASK | RTE_PTYPE_L4_MASK);
	m->packet_type = ptype;
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		/* 5.1.6.4: only with GUEST_CSUM; the sum must lie inside the
		 * packet. */
		start = rte_le_to_cpu_16(h->csum_start);
		off = rte_le_to_cpu_16(h->csum_offset);
		if (!(q->rx_offload & VC_RX_OL_CSUM) ||
		    start + off + sizeof(uint16_t) > m->pkt_len)
			return -EINVAL;
		if (start == (uint32_t)hl.l2_len + hl.l3_len &&
		    (((ptype & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_TCP &&
		      off == offsetof(struct rte_tcp_hdr, cksum)) ||
		     ((ptype & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_UDP &&
		      off == offsetof(struct rte_udp_hdr, dgram_cksum)))) {
			/* Data is intact, the field holds the pseudo-header
			 * sum: what RX_L4_CKSUM_NONE means. */
			ol |= RTE_MBUF_F_RX_L4_CKSUM_NONE;
		} else {
			/* Something ethdev has no flag for (tunnel, other
			 * protocol): finish the sum here.  Headers of a sane
			 * device are in the first buffer. */
			if (start + off + sizeof(uint16_t) > m->data_len ||
			    rte_raw_cksum_mbuf(m, start, m->pkt_len - start,
					       &csum) < 0)
				return -EINVAL;
			/* 0 means "no checksum" to UDP: send 0xffff. */
			if (csum != 0xffff)
				csum = ~csum;
			memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, start + off),
			       &csum, sizeof(csum));
			ol |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
		}
	} else if ((h->flags & VIRTIO_NET_HDR_F_DATA_VALID) &&
		   (q->rx_offload & VC_RX_OL_CSUM)) {
		ol |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	}
	if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		/* GUEST_ECN and GUEST_UFO are never negotiated. */
		if (!(q->rx_offload & VC_RX_OL_LRO) || h->gso_size == 0 ||
		    (h->gso_type != VIRTIO_NET_HDR_GSO_TCPV4 &&
		     h->gso_type != VIRTIO_NET_HDR_GSO_TCPV6) ||
		    (ptype & RTE_PTYPE_L4_MASK) != RTE_PTYPE_L4_TCP)
			return -EINVAL;
		/* A coalesced packet's checksum is not final. */
		ol = (ol & ~RTE_MBUF_F_RX_L4_CKSUM_MASK) |
		     RTE_MBUF_F_RX_L4_CKSUM_NONE | RTE_MBUF_F_RX_LRO;
		m->tso_segsz = rte_le_to_cpu_16(h->gso_size);
	}
	m->ol_flags |= ol;
	return 0;
}
