/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 *
 * Offloads without EAL: ethdev offloads <-> feature bits, tx_prepare and
 * the TX virtio-net header of checksum and TSO packets, and the RX header
 * as a hostile device could write it.  Mbufs live in static buffers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_ip.h>

#include "vc_offload.h"
#include "vc_rxtx_impl.h"

#define F(b) VC_BIT(VIRTIO_NET_F_ ## b)

static uint8_t buf[4096];
static struct rte_mbuf mb;

/* 14 + 20 + 20 header bytes + @payload bytes of TCP/IPv4 in mb. */
static struct rte_mbuf *
tcp4(uint16_t payload)
{
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	uint8_t *p;
	uint16_t i;

	memset(&mb, 0, sizeof(mb));
	memset(buf, 0, sizeof(buf));
	mb.buf_addr = buf;
	mb.buf_len = sizeof(buf);
	mb.data_off = RTE_PKTMBUF_HEADROOM;
	mb.data_len = mb.pkt_len = 54 + payload;
	mb.nb_segs = 1;
	rte_mbuf_refcnt_set(&mb, 1);
	p = rte_pktmbuf_mtod(&mb, uint8_t *);
	p[12] = 0x08;
	ip = (struct rte_ipv4_hdr *)(p + 14);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(40 + payload);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(0x0a000001);
	ip->dst_addr = rte_cpu_to_be_32(0x0a000002);
	th = (struct rte_tcp_hdr *)(p + 34);
	th->data_off = 5 << 4;
	th->cksum = 0xbad0;
	for (i = 0; i < payload; i++)
		p[54 + i] = (uint8_t)(i * 7);
	mb.l2_len = 14;
	mb.l3_len = 20;
	mb.l4_len = 20;
	return &mb;
}

static void
test_features_and_capa(void **state)
{
	uint64_t rx, tx, all = F(CSUM) | F(GUEST_CSUM) | F(HOST_TSO4) |
		F(HOST_TSO6) | F(GUEST_TSO4) | F(GUEST_TSO6);

	(void)state;
	assert_int_equal(vc_offload_features(0, 0), 0);
	assert_int_equal(vc_offload_features(0, RTE_ETH_TX_OFFLOAD_UDP_CKSUM), F(CSUM));
	assert_int_equal(vc_offload_features(0, RTE_ETH_TX_OFFLOAD_TCP_TSO),
			 F(CSUM) | F(HOST_TSO4) | F(HOST_TSO6));
	assert_int_equal(vc_offload_features(RTE_ETH_RX_OFFLOAD_TCP_CKSUM, 0), F(GUEST_CSUM));
	assert_int_equal(vc_offload_features(RTE_ETH_RX_OFFLOAD_TCP_LRO, 0),
			 F(GUEST_CSUM) | F(GUEST_TSO4) | F(GUEST_TSO6));

	vc_offload_capa(all, true, &rx, &tx);
	assert_true(tx & RTE_ETH_TX_OFFLOAD_TCP_TSO);
	assert_true(tx & RTE_ETH_TX_OFFLOAD_UDP_CKSUM);
	assert_true(rx & RTE_ETH_RX_OFFLOAD_TCP_LRO);
	/* LRO needs mergeable buffers; TSO needs CSUM and both versions. */
	vc_offload_capa(all, false, &rx, &tx);
	assert_false(rx & RTE_ETH_RX_OFFLOAD_TCP_LRO);
	assert_true(rx & RTE_ETH_RX_OFFLOAD_TCP_CKSUM);
	vc_offload_capa(all & ~F(CSUM), true, &rx, &tx);
	assert_int_equal(tx, 0);
	vc_offload_capa(all & ~F(HOST_TSO6), true, &rx, &tx);
	assert_false(tx & RTE_ETH_TX_OFFLOAD_TCP_TSO);
	vc_offload_capa(0, true, &rx, &tx);
	assert_int_equal(rx | tx, 0);
}

/* One's complement sum of the pseudo-header with @l4len as its length. */
static uint16_t
phdr4(const struct rte_ipv4_hdr *ip, uint32_t l4len)
{
	uint32_t s = 0, src = rte_be_to_cpu_32(ip->src_addr);
	uint32_t dst = rte_be_to_cpu_32(ip->dst_addr);

	s = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff);
	s += IPPROTO_TCP + l4len;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void
test_tso_prepare_and_header(void **state)
{
	struct vc_queue q = { .size = 256 };
	struct virtio_net_hdr_mrg_rxbuf h = { .num_buffers = 0xffff };
	struct rte_mbuf *m = tcp4(3000), *pkts[1];
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, void *, 14);
	struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(m, void *, 34);

	(void)state;
	pkts[0] = m;
	m->ol_flags = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IPV4 |
		      RTE_MBUF_F_TX_IP_CKSUM;
	m->tso_segsz = 1448;

	/* Not negotiated: refused, the packet is left alone. */
	vc_offload_queue_setup(&q, F(CSUM));
	assert_int_equal(vc_xmit_pkts_prepare(&q, pkts, 1), 0);
	assert_int_equal(rte_errno, ENOTSUP);
	assert_int_equal(th->cksum, 0xbad0);

	vc_offload_queue_setup(&q, F(CSUM) | F(HOST_TSO4) | F(HOST_TSO6));
	assert_int_equal(vc_xmit_pkts_prepare(&q, pkts, 1), 1);
	/* Pseudo-header with the whole L4 length; IPv4 header valid. */
	assert_int_equal(rte_be_to_cpu_16(th->cksum), phdr4(ip, 3020));
	assert_int_equal(rte_ipv4_cksum(ip), 0);
	ip->hdr_checksum = 0;

	vc_tx_hdr_fill(&q, m, &h);
	assert_int_equal(h.hdr.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(h.hdr.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(h.hdr.gso_size, 1448);
	assert_int_equal(h.hdr.hdr_len, 54);
	assert_int_equal(h.hdr.csum_start, 34);
	assert_int_equal(h.hdr.csum_offset, 16);
	assert_int_equal(h.num_buffers, 0);

	/* IPv6 flag selects TCPV6. */
	m->ol_flags = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IPV6;
	vc_tx_hdr_fill(&q, m, &h);
	assert_int_equal(h.hdr.gso_type, VIRTIO_NET_HDR_GSO_TCPV6);
}

static void
test_csum_header(void **state)
{
	struct vc_queue q = { .size = 256 };
	struct virtio_net_hdr_mrg_rxbuf h;
	struct rte_mbuf *m = tcp4(100), *pkts[1] = { m };

	(void)state;
	m->ol_flags = RTE_MBUF_F_TX_UDP_CKSUM | RTE_MBUF_F_TX_IPV4;
	/* No offload negotiated: the header stays zero, prepare refuses. */
	vc_offload_queue_setup(&q, 0);
	memset(&h, 0xff, sizeof(h));
	vc_tx_hdr_fill(&q, m, &h);
	assert_int_equal(h.hdr.flags | h.hdr.gso_type | h.hdr.hdr_len | h.hdr.gso_size |
			 h.hdr.csum_start | h.hdr.csum_offset, 0);
	/* Unused on transmit: left as the device's receive wrote it. */
	assert_int_equal(h.num_buffers, 0xffff);
	assert_int_equal(vc_xmit_pkts_prepare(&q, pkts, 1), 0);

	vc_offload_queue_setup(&q, F(CSUM));
	vc_tx_hdr_fill(&q, m, &h);
	assert_int_equal(h.hdr.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(h.hdr.csum_start, 34);
	assert_int_equal(h.hdr.csum_offset, 6);
	assert_int_equal(h.hdr.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	/* SCTP is not offered. */
	m->ol_flags = RTE_MBUF_F_TX_SCTP_CKSUM | RTE_MBUF_F_TX_IPV4;
	assert_int_equal(vc_xmit_pkts_prepare(&q, pkts, 1), 0);
	/* Headers outside the first segment cannot be prepared. */
	m->ol_flags = RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_IPV4;
	m->data_len = 40;
	assert_int_equal(vc_xmit_pkts_prepare(&q, pkts, 1), 0);
	/* No flags: nothing to do. */
	m->ol_flags = 0;
	assert_int_equal(vc_xmit_pkts_prepare(&q, pkts, 1), 1);
}

/* Writes an RX header in front of mb's data and applies it. */
static int
rx_apply(struct vc_queue *q, uint8_t flags, uint16_t start, uint16_t off,
	 uint8_t gso, uint16_t gso_size)
{
	struct virtio_net_hdr_mrg_rxbuf h = {
		.hdr = { .flags = flags, .gso_type = gso, .gso_size = gso_size,
			 .csum_start = start, .csum_offset = off },
		.num_buffers = 1,
	};

	memcpy(rte_pktmbuf_mtod_offset(&mb, void *, -VC_NET_HDR_SIZE), &h, sizeof(h));
	mb.ol_flags = 0;
	mb.tso_segsz = 0;
	return vc_rx_offload(q, &mb);
}

static void
test_rx_header(void **state)
{
	struct vc_queue q = { .size = 256 };
	uint16_t csum;

	(void)state;
	vc_offload_queue_setup(&q, F(GUEST_CSUM));
	tcp4(100);
	/* Nothing signalled: nothing set. */
	assert_int_equal(rx_apply(&q, 0, 0, 0, 0, 0), 0);
	assert_int_equal(mb.ol_flags, 0);
	/* Partial checksum where ethdev can say so. */
	assert_int_equal(rx_apply(&q, VIRTIO_NET_HDR_F_NEEDS_CSUM, 34, 16, 0, 0), 0);
	assert_int_equal(mb.ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK,
			 RTE_MBUF_F_RX_L4_CKSUM_NONE);
	assert_int_equal(mb.packet_type & RTE_PTYPE_L4_MASK, RTE_PTYPE_L4_TCP);
	assert_int_equal(rx_apply(&q, VIRTIO_NET_HDR_F_DATA_VALID, 0, 0, 0, 0), 0);
	assert_int_equal(mb.ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK,
			 RTE_MBUF_F_RX_L4_CKSUM_GOOD);
	/* A sum outside the packet: dropped. */
	assert_int_equal(rx_apply(&q, VIRTIO_NET_HDR_F_NEEDS_CSUM, 151, 2, 0, 0), -EINVAL);
	assert_int_equal(rx_apply(&q, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0xffff, 0xffff, 0, 0),
			 -EINVAL);
	/* GSO without GUEST_TSO negotiated: dropped. */
	assert_int_equal(rx_apply(&q, 0, 0, 0, VIRTIO_NET_HDR_GSO_TCPV4, 1448), -EINVAL);

	/* A sum ethdev has no flag for (here: from the IP header on) is
	 * finished by the driver. */
	tcp4(100);
	assert_int_equal(rx_apply(&q, VIRTIO_NET_HDR_F_NEEDS_CSUM, 14, 30, 0, 0), 0);
	assert_int_equal(mb.ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK,
			 RTE_MBUF_F_RX_L4_CKSUM_GOOD);
	memcpy(&csum, rte_pktmbuf_mtod_offset(&mb, void *, 44), 2);
	assert_int_not_equal(csum, 0);
	assert_int_equal(rte_raw_cksum(rte_pktmbuf_mtod_offset(&mb, void *, 14), 140),
			 0xffff);

	vc_offload_queue_setup(&q, F(GUEST_CSUM) | F(GUEST_TSO4) | F(GUEST_TSO6));
	tcp4(100);
	assert_int_equal(rx_apply(&q, VIRTIO_NET_HDR_F_NEEDS_CSUM, 34, 16,
				  VIRTIO_NET_HDR_GSO_TCPV4, 1448), 0);
	assert_true(mb.ol_flags & RTE_MBUF_F_RX_LRO);
	assert_int_equal(mb.tso_segsz, 1448);
	/* ECN, UDP, a zero MSS: never negotiated or meaningless. */
	assert_int_equal(rx_apply(&q, 0, 0, 0, VIRTIO_NET_HDR_GSO_TCPV4 |
				  VIRTIO_NET_HDR_GSO_ECN, 1448), -EINVAL);
	assert_int_equal(rx_apply(&q, 0, 0, 0, VIRTIO_NET_HDR_GSO_UDP, 1448), -EINVAL);
	assert_int_equal(rx_apply(&q, 0, 0, 0, VIRTIO_NET_HDR_GSO_TCPV4, 0), -EINVAL);
}

static void
test_tx_hdr_slot(void **state)
{
	static struct virtio_net_hdr_mrg_rxbuf slots[8];
	struct vc_queue q = { .size = 8, .tx_hdr = slots };

	(void)state;
	assert_ptr_equal(vc_tx_hdr_slot(&q, 0), &slots[0]);
	assert_ptr_equal(vc_tx_hdr_slot(&q, 7), &slots[7]);
	/* Stays inside the area whatever the id. */
	assert_ptr_equal(vc_tx_hdr_slot(&q, 9), &slots[1]);
}

/*
 * A header that is already zero is not stored to (vc_tx_hdr_clear()): the
 * forwarded mbuf's header line stays shared with the device's core. Read
 * only memory turns any store into a crash; each non-zero field is then
 * cleared, num_buffers never.
 */
static void
test_clear_header_no_store(void **state)
{
	struct vc_queue q = { .size = 256 };
	long pg = sysconf(_SC_PAGESIZE);
	struct virtio_net_hdr_mrg_rxbuf *h;
	struct rte_mbuf *m = tcp4(100);
	uint8_t *page;
	size_t k;

	(void)state;
	vc_offload_queue_setup(&q, 0);
	m->ol_flags = 0;
	page = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(page != MAP_FAILED);
	h = (void *)(page + 116);	/* where a 128-byte headroom puts it */
	h->num_buffers = 1;
	assert_int_equal(mprotect(page, (size_t)pg, PROT_READ), 0);
	vc_tx_hdr_fill(&q, m, h);
	assert_int_equal(h->num_buffers, 1);
	assert_int_equal(mprotect(page, (size_t)pg, PROT_READ | PROT_WRITE), 0);
	for (k = 0; k < sizeof(h->hdr); k++) {
		memset(&h->hdr, 0, sizeof(h->hdr));
		((uint8_t *)&h->hdr)[k] = 0x80;
		vc_tx_hdr_fill(&q, m, h);
		assert_int_equal(h->hdr.flags | h->hdr.gso_type | h->hdr.hdr_len |
				 h->hdr.gso_size | h->hdr.csum_start | h->hdr.csum_offset, 0);
		assert_int_equal(h->num_buffers, 1);
	}
	munmap(page, (size_t)pg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_features_and_capa),
		cmocka_unit_test(test_tso_prepare_and_header),
		cmocka_unit_test(test_csum_header),
		cmocka_unit_test(test_clear_header_no_store),
		cmocka_unit_test(test_rx_header),
		cmocka_unit_test(test_tx_hdr_slot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
