/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef VC_RXMODE_H
#define VC_RXMODE_H

/*
 * Receive-mode ethdev ops (promiscuous, all-multicast, MAC addresses,
 * VLAN filter) and what rides on the control queue at start.  The driver
 * filters itself (vc_filter.h) because the vhost backend cannot; when the
 * device negotiated CTRL_RX / CTRL_MAC_ADDR / CTRL_VLAN it is told too,
 * so a device that can filter does.  An op whose command the device
 * refuses fails and changes nothing.
 *
 * Cost: the RX burst is the layout's own (vc_rxtx_select()) while the
 * filter accepts everything; vc_rxmode_burst_select() swaps in
 * vc_recv_pkts_filtered() only while some frame could be dropped, at
 * start and when an op changes the filter.
 *
 * Recipe (vc_ethdev.c):
 *   probe:     vc_filter_init(&ad->filter, mac);
 *   dev_start: after DRIVER_OK and vc_rxtx_select():
 *              p->rx_plain = dev->rx_pkt_burst; vc_rxmode_start(dev);
 *   dev_ops:   .promiscuous_enable = vc_rxmode_promisc_enable, ...
 *
 * Ops run on the control path (ethdev serialises nothing: the control
 * queue has its own lock).
 */

#include <stdint.h>

#include <ethdev_driver.h>

/**
 * After DRIVER_OK: VQ_PAIRS_SET for the configured pairs (MQ), the VLAN
 * table (CTRL_VLAN), the filter's VLAN switch from the configured RX
 * offloads, then the RX burst.  ethdev replays promiscuous, all-multicast
 * and MAC addresses through the ops right after dev_start.
 * @return 0, or the error of a command the device refused (logged).
 */
int vc_rxmode_start(struct rte_eth_dev *dev);

/**
 * Install vc_recv_pkts_filtered() or the plain burst, whichever the
 * filter needs; on a started port in rte_eth_fp_ops too (ethdev copies
 * dev->rx_pkt_burst there only when it starts a port).
 */
void vc_rxmode_burst_select(struct rte_eth_dev *dev);

/** RX burst: the plain one, then drop what the filter rejects. */
uint16_t vc_recv_pkts_filtered(void *rxq, struct rte_mbuf **pkts, uint16_t nb);

/* eth_dev_ops; return 0 or a negative errno like the ethdev API. */
int vc_rxmode_promisc_enable(struct rte_eth_dev *dev);
int vc_rxmode_promisc_disable(struct rte_eth_dev *dev);
int vc_rxmode_allmulti_enable(struct rte_eth_dev *dev);
int vc_rxmode_allmulti_disable(struct rte_eth_dev *dev);
int vc_rxmode_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *mac);
int vc_rxmode_mac_addr_add(struct rte_eth_dev *dev, struct rte_ether_addr *mac,
			   uint32_t index, uint32_t vmdq);
void vc_rxmode_mac_addr_remove(struct rte_eth_dev *dev, uint32_t index);
int vc_rxmode_vlan_filter_set(struct rte_eth_dev *dev, uint16_t vid, int on);
int vc_rxmode_vlan_offload_set(struct rte_eth_dev *dev, int mask);

#endif /* VC_RXMODE_H */
