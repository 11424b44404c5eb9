/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef VC_FILTER_H
#define VC_FILTER_H

/*
 * Receive filtering done by the driver: the vhost backend delivers every
 * frame, and devsim cannot filter (it does not see the datapath), so when
 * the application turns promiscuous mode off, restricts multicast, adds
 * MAC addresses or enables the VLAN filter, the RX burst drops what a
 * filtering NIC would have dropped.  DPDK-free: the decision works on the
 * frame's first bytes.
 *
 * Recipe:
 *   vc_filter_init(&f, mac);                 // promiscuous, all-multicast
 *   f.promisc = false;                       // control path
 *   vc_filter_mac_set(&f, 1, other_mac);
 *   vc_filter_vlan_set(&f, 10, true); f.vlan_on = true;
 *   if (vc_filter_active(&f)) ... use the filtering RX burst ...
 *   keep = vc_filter_accept(&f, frame, len); // per packet
 *
 * Semantics: broadcast always passes; multicast passes with allmulti or
 * when it is in the table; unicast passes when it is in the table (entry
 * 0 is the port's own MAC).  With the VLAN filter on, a frame tagged
 * 802.1Q or 802.1ad (outer tag) passes only when its VID is in the table,
 * whether or not the port is promiscuous; untagged frames are not
 * affected.  The control path changes the state while lcores read it:
 * a frame racing the change may see either the old or the new state.
 */

#include <stdbool.h>
#include <stdint.h>

/** MAC addresses the filter holds (ethdev max_mac_addrs). */
#define VC_FILTER_MAC_MAX 32
/** Bytes of a frame the decision looks at: addresses, tag. */
#define VC_FILTER_HDR_LEN 16

struct vc_filter {
	bool promisc;           /**< accept every destination */
	bool allmulti;          /**< accept every multicast destination */
	bool vlan_on;           /**< RTE_ETH_RX_OFFLOAD_VLAN_FILTER */
	/** Accepted destinations; all zero: unused slot.  [0]: own MAC. */
	uint8_t mac[VC_FILTER_MAC_MAX][6];
	uint64_t vlan[4096 / 64];  /**< accepted VIDs, bit per VID */
};

/** Promiscuous and all-multicast, @mac at index 0, no VID, VLAN off. */
void vc_filter_init(struct vc_filter *f, const uint8_t mac[6]);

/** True when some frame could be dropped: RX must run the filter. */
bool vc_filter_active(const struct vc_filter *f);

/**
 * Set table entry @index to @mac (all zero: remove it).
 * @return 0, -EINVAL when @index >= VC_FILTER_MAC_MAX.
 */
int vc_filter_mac_set(struct vc_filter *f, unsigned int index,
		      const uint8_t mac[6]);

/** Accept (@on) or not VLAN @vid (0..4095; larger values are ignored). */
void vc_filter_vlan_set(struct vc_filter *f, uint16_t vid, bool on);

/** True when VLAN @vid is in the table. */
bool vc_filter_vlan_get(const struct vc_filter *f, uint16_t vid);

/**
 * Decide for one frame; @frame holds its first @len bytes (at most
 * VC_FILTER_HDR_LEN are read).  A frame too short to carry the fields
 * the decision needs is rejected.
 * @return true to deliver it.
 */
bool vc_filter_accept(const struct vc_filter *f, const uint8_t *frame,
		      uint32_t len);

#endif /* VC_FILTER_H */
