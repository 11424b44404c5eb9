/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

#include <errno.h>
#include <string.h>

#include "vc_filter.h"

#define ETH_ALEN	6
#define ETH_TYPE_OFF	12
#define ETH_TYPE_VLAN	0x8100
#define ETH_TYPE_QINQ	0x88a8

static const uint8_t zero_mac[ETH_ALEN];

void
vc_filter_init(struct vc_filter *f, const uint8_t mac[6])
{
	memset(f, 0, sizeof(*f));
	f->promisc = true;
	f->allmulti = true;
	memcpy(f->mac[0], mac, ETH_ALEN);
}

bool
vc_filter_active(const struct vc_filter *f)
{
	return !f->promisc || f->vlan_on;
}

int
vc_filter_mac_set(struct vc_filter *f, unsigned int index, const uint8_t mac[6])
{
	if (index >= VC_FILTER_MAC_MAX)
		return -EINVAL;
	memcpy(f->mac[index], mac, ETH_ALEN);
	return 0;
}

void
vc_filter_vlan_set(struct vc_filter *f, uint16_t vid, bool on)
{
	if (vid >= 4096)
		return;
	if (on)
		f->vlan[vid / 64] |= 1ULL << (vid % 64);
	else
		f->vlan[vid / 64] &= ~(1ULL << (vid % 64));
}

bool
vc_filter_vlan_get(const struct vc_filter *f, uint16_t vid)
{
	return vid < 4096 && (f->vlan[vid / 64] >> (vid % 64)) & 1;
}

static bool
mac_in_table(const struct vc_filter *f, const uint8_t *dst)
{
	unsigned int i;

	for (i = 0; i < VC_FILTER_MAC_MAX; i++) {
		if (memcmp(f->mac[i], dst, ETH_ALEN) == 0 &&
		    memcmp(f->mac[i], zero_mac, ETH_ALEN) != 0)
			return true;
	}
	return false;
}

bool
vc_filter_accept(const struct vc_filter *f, const uint8_t *frame, uint32_t len)
{
	static const uint8_t bcast[ETH_ALEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};
	const uint8_t *dst = frame;

	if (len < ETH_TYPE_OFF + 2)
		return false;
	if (f->vlan_on) {
		uint16_t type = (uint16_t)(frame[ETH_TYPE_OFF] << 8 |
					   frame[ETH_TYPE_OFF + 1]);

		if (type == ETH_TYPE_VLAN || type == ETH_TYPE_QINQ) {
			if (len < ETH_TYPE_OFF + 4)
				return false;
			if (!vc_filter_vlan_get(f, (uint16_t)((frame[14] << 8 |
							       frame[15]) & 0xfff)))
				return false;
		}
	}
	if (f->promisc)
		return true;
	if (dst[0] & 0x01) {
		if (memcmp(dst, bcast, ETH_ALEN) == 0 || f->allmulti)
			return true;
	}
	return mac_in_table(f, dst);
}
