/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef VC_OFFLOAD_H
#define VC_OFFLOAD_H

/*
 * Checksum and segmentation offloads: ethdev offload flags <-> virtio-net
 * feature bits (control path, vc_offload.c) and mbuf ol_flags <-> the
 * virtio-net header (datapath, static inline here, used through
 * vc_rxtx_impl.h by every ring layout).
 *
 * Usage:
 *	configure:  run.offload_features = vc_offload_features(rx_ol, tx_ol);
 *	dev_infos:  vc_offload_capa(offered, mergeable, &rx_capa, &tx_capa);
 *	dev_start:  vc_offload_queue_setup(q, negotiated) for every queue;
 *	TX burst:   vc_tx_hdr_fill() calls vc_tx_hdr_offload() only when
 *	            m->ol_flags & q->tx_ol_mask;
 *	RX burst:   vc_rx_assemble() calls vc_rx_offload() on each complete
 *	            packet only when q->rx_offload != 0.
 *	tx_prepare: vc_xmit_pkts_prepare() writes the pseudo-header checksums
 *	            the device expects (virtio 5.1.6.2).
 *
 * Trust: the RX header is written by the device.  It is copied once, and
 * csum_start/csum_offset/gso_* are checked against the packet and the
 * negotiated features before anything is derived from them; a packet
 * whose header does not hold up is dropped and counted in errors.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "vc_rxtx.h"
#include "vc_virtio.h"

/* vc_queue.rx_offload bits: what the device may signal in RX headers. */
#define VC_RX_OL_CSUM	0x1	/* VIRTIO_NET_F_GUEST_CSUM */
#define VC_RX_OL_LRO	0x2	/* VIRTIO_NET_F_GUEST_TSO4/6 */

/* TX ol_flags the virtio-net header can carry. */
#define VC_TX_OL_FLAGS	(RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG)

/**
 * vc_offload_features() - virtio-net feature bits the requested ethdev
 * offloads need (TX checksum -> CSUM, TSO -> HOST_TSO4/6 + CSUM, RX
 * checksum -> GUEST_CSUM, LRO -> GUEST_TSO4/6 + GUEST_CSUM).
 * @rx_offloads: rxmode.offloads.
 * @tx_offloads: txmode.offloads.
 *
 * Return: the bits to add to the wanted feature set (negotiation then
 * keeps only those the device offers).
 */
uint64_t vc_offload_features(uint64_t rx_offloads, uint64_t tx_offloads);

/**
 * vc_offload_capa() - ethdev offload capabilities a device offering
 * @dev_features can provide.
 * @mergeable: mergeable RX buffers will be used; LRO needs them (frames
 *	larger than one buffer).
 * @rx_capa: RTE_ETH_RX_OFFLOAD_* bits to OR into rx_offload_capa.
 * @tx_capa: RTE_ETH_TX_OFFLOAD_* bits to OR into tx_offload_capa.
 */
void vc_offload_capa(uint64_t dev_features, bool mergeable, uint64_t *rx_capa,
		     uint64_t *tx_capa);

/**
 * vc_offload_queue_setup() - derive the queue's datapath offload state
 * (tx_ol_mask, rx_offload) from the negotiated @features.  dev_start,
 * before the burst functions run.
 */
void vc_offload_queue_setup(struct vc_queue *q, uint64_t features);

/**
 * vc_xmit_pkts_prepare() - eth_tx_prep_t: check the offloads each packet
 * asks for against what was negotiated, and write the pseudo-header
 * checksum into the L4 checksum field (virtio: the device adds the rest;
 * for TSO the pseudo-header includes the whole L4 length, and the IPv4
 * header checksum is computed).
 *
 * Return: number of packets ready; on the first one that is not,
 * rte_errno is ENOTSUP (offload not negotiated, tunnel, SCTP, headers not
 * in the first segment) or EINVAL (TSO without tso_segsz/l4_len).
 */
uint16_t vc_xmit_pkts_prepare(void *txq, struct rte_mbuf **pkts, uint16_t nb);

/**
 * vc_rx_offload_apply() - slow path of vc_rx_offload(): @h is a private
 * copy of a header with flags or gso_type set.
 *
 * Return: 0 with m->ol_flags, packet_type and tso_segsz set, or -EINVAL
 * when the header is inconsistent with the packet or with what was
 * negotiated (the caller drops the packet).
 */
int vc_rx_offload_apply(const struct vc_queue *q, struct rte_mbuf *m,
			const struct virtio_net_hdr *h);

/*
 * Fill the header of a packet whose ol_flags ask for an offload the
 * queue negotiated (vc_tx_hdr_fill() checked).  Flags outside
 * q->tx_ol_mask are not signalled: the device never sees a request for a
 * feature it did not agree to.
 */
static inline void
vc_tx_hdr_offload(const struct vc_queue *q, const struct rte_mbuf *m,
		  struct virtio_net_hdr_mrg_rxbuf *h)
{
	uint64_t fl = m->ol_flags & q->tx_ol_mask;
	uint16_t start = m->l2_len + m->l3_len, off;

	memset(h, 0, sizeof(*h));
	if (fl & RTE_MBUF_F_TX_TCP_SEG) {
		h->hdr.gso_type = (m->ol_flags & RTE_MBUF_F_TX_IPV6) ?
			VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
		h->hdr.gso_size = rte_cpu_to_le_16(m->tso_segsz);
		h->hdr.hdr_len = rte_cpu_to_le_16(start + m->l4_len);
		off = offsetof(struct rte_tcp_hdr, cksum);
	} else {
		switch (fl & RTE_MBUF_F_TX_L4_MASK) {
		case RTE_MBUF_F_TX_TCP_CKSUM:
			off = offsetof(struct rte_tcp_hdr, cksum);
			break;
		case RTE_MBUF_F_TX_UDP_CKSUM:
			off = offsetof(struct rte_udp_hdr, dgram_cksum);
			break;
		default:
			/* SCTP's CRC is no 16-bit sum: not offered. */
			return;
		}
	}
	/* 5.1.6.2: the device sums from csum_start and stores the result
	 * at csum_start + csum_offset; tx_prepare seeded the field. */
	h->hdr.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->hdr.csum_start = rte_cpu_to_le_16(start);
	h->hdr.csum_offset = rte_cpu_to_le_16(off);
}

/*
 * Apply the RX header of a complete packet (head mbuf @m; the header sits
 * in its headroom, in front of the data).  Only called when an RX offload
 * was negotiated.  Return: 0, or -EINVAL to drop the packet.
 */
static inline int
vc_rx_offload(const struct vc_queue *q, struct rte_mbuf *m)
{
	struct virtio_net_hdr h;

	memcpy(&h, rte_pktmbuf_mtod_offset(m, const void *, -VC_NET_HDR_SIZE),
	       sizeof(h));
	/* The copy is what counts: the device may still write the buffer. */
	rte_compiler_barrier();
	if (likely(h.flags == 0 && h.gso_type == VIRTIO_NET_HDR_GSO_NONE))
		return 0;
	return vc_rx_offload_apply(q, m, &h);
}

#endif /* VC_OFFLOAD_H */
