/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef FWD_MAC_SWAP_H
#define FWD_MAC_SWAP_H

/*
 * The per-packet work the forwarding examples (vc_l2fwd, vc_sleepy_fwd)
 * share.  Header only, so that each example stays one program to read.
 */

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

/*
 * Swap source and destination MAC of @n frames in place, so that a frame
 * sent back through the port it came from returns to its sender.  Frames
 * too short for an Ethernet header are left as they are.
 */
static inline void
mac_swap(struct rte_mbuf **m, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m[i], struct rte_ether_hdr *);
		struct rte_ether_addr tmp;

		if (rte_pktmbuf_data_len(m[i]) < sizeof(*eh))
			continue;
		rte_ether_addr_copy(&eh->src_addr, &tmp);
		rte_ether_addr_copy(&eh->dst_addr, &eh->src_addr);
		rte_ether_addr_copy(&tmp, &eh->dst_addr);
	}
}

#endif /* FWD_MAC_SWAP_H */
