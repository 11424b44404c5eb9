/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "vc_ethdev.h"
#include "vc_logs.h"
#include "vc_rxmode.h"
#include "vc_virtio.h"

static struct vc_adapter *
adapter_of(struct rte_eth_dev *dev)
{
	return dev->data->dev_private;
}

static struct vc_cvq *
cvq_of(struct rte_eth_dev *dev)
{
	const struct vc_process *p = dev->process_private;

	return p == NULL ? NULL : p->cvq;
}

/*
 * The device negotiated @bit (every bit asked about rides on the control
 * queue) and runs: it filters too and must be told.  While the port is
 * stopped only the driver's state changes; the next start replays it.
 */
static bool
dev_has(struct rte_eth_dev *dev, unsigned int bit)
{
	const struct vc_cvq *c = cvq_of(dev);

	return c != NULL && c->ready &&
	       (adapter_of(dev)->run.features & VC_BIT(bit));
}

/* ---- burst ------------------------------------------------------------ */

uint16_t
vc_recv_pkts_filtered(void *rxq, struct rte_mbuf **pkts, uint16_t nb)
{
	struct vc_queue *q = rxq;
	struct rte_eth_dev *dev = &rte_eth_devices[q->port_id];
	const struct vc_adapter *ad = dev->data->dev_private;
	const struct vc_process *p = dev->process_private;
	uint16_t n = p->rx_plain(rxq, pkts, nb), i, keep = 0;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint8_t copy[VC_FILTER_HDR_LEN];
		uint32_t len = RTE_MIN(m->pkt_len, (uint32_t)VC_FILTER_HDR_LEN);
		const uint8_t *h = rte_pktmbuf_read(m, 0, len, copy);

		if (likely(h != NULL && vc_filter_accept(&ad->filter, h, len))) {
			pkts[keep++] = m;
			continue;
		}
		/* The plain burst counted it: it was not received after all. */
		q->stats.packets--;
		q->stats.bytes -= m->pkt_len;
		q->stats.filtered++;
		rte_pktmbuf_free(m);
	}
	return keep;
}

void
vc_rxmode_burst_select(struct rte_eth_dev *dev)
{
	struct vc_adapter *ad = adapter_of(dev);
	struct vc_process *p = dev->process_private;
	eth_rx_burst_t fn;

	if (p == NULL || p->rx_plain == NULL)
		return;
	fn = vc_filter_active(&ad->filter) ? vc_recv_pkts_filtered :
					     p->rx_plain;
	if (dev->rx_pkt_burst == fn)
		return;
	dev->rx_pkt_burst = fn;
	/* A stopped port's fp_ops hold ethdev's dummies: leave them. */
	if (ad->run.started)
		__atomic_store_n(&rte_eth_fp_ops[dev->data->port_id].rx_pkt_burst,
				 fn, __ATOMIC_RELEASE);
	VC_LOG(DEBUG, "%s: RX filtering %s", ad->name,
	       fn == vc_recv_pkts_filtered ? "on" : "off");
}

/* ---- commands ---------------------------------------------------------- */

static int
rx_mode_cmd(struct rte_eth_dev *dev, uint8_t cmd, bool on)
{
	uint8_t v = on;

	if (!dev_has(dev, VIRTIO_NET_F_CTRL_RX))
		return 0;
	return vc_cvq_send(cvq_of(dev), VIRTIO_NET_CTRL_RX, cmd, &v, 1);
}

/*
 * MAC_TABLE_SET (5.1.6.5.2): the unicast then the multicast entries of
 * the table beyond the port's own address (which MAC_ADDR_SET carries).
 */
static int
mac_table_cmd(struct rte_eth_dev *dev, const struct vc_filter *f)
{
	uint8_t buf[2 * (4 + VC_FILTER_MAC_MAX * 6)];
	static const uint8_t zero[6];
	uint32_t off = 0, n, i, pass;

	if (!dev_has(dev, VIRTIO_NET_F_CTRL_RX))
		return 0;
	for (pass = 0; pass < 2; pass++) {
		uint32_t at = off;

		off += 4;
		for (i = 1, n = 0; i < VC_FILTER_MAC_MAX; i++) {
			if (memcmp(f->mac[i], zero, 6) == 0 ||
			    (f->mac[i][0] & 1) != pass)
				continue;
			memcpy(buf + off, f->mac[i], 6);
			off += 6;
			n++;
		}
		n = rte_cpu_to_le_32(n);
		memcpy(buf + at, &n, 4);
	}
	return vc_cvq_send(cvq_of(dev), VIRTIO_NET_CTRL_MAC,
			   VIRTIO_NET_CTRL_MAC_TABLE_SET, buf, off);
}

static int
vlan_cmd(struct rte_eth_dev *dev, uint16_t vid, bool on)
{
	uint16_t le = rte_cpu_to_le_16(vid);

	if (!dev_has(dev, VIRTIO_NET_F_CTRL_VLAN))
		return 0;
	return vc_cvq_send(cvq_of(dev), VIRTIO_NET_CTRL_VLAN,
			   on ? VIRTIO_NET_CTRL_VLAN_ADD : VIRTIO_NET_CTRL_VLAN_DEL,
			   &le, sizeof(le));
}

int
vc_rxmode_start(struct rte_eth_dev *dev)
{
	struct vc_adapter *ad = adapter_of(dev);
	uint16_t pairs = RTE_MAX(dev->data->nb_rx_queues,
				 dev->data->nb_tx_queues), le, vid;
	int ret;

	/* 5.1.6.5.5: until this, the device uses the first pair only. */
	if (dev_has(dev, VIRTIO_NET_F_MQ) && dev_has(dev, VIRTIO_NET_F_CTRL_VQ)) {
		le = rte_cpu_to_le_16(pairs);
		ret = vc_cvq_send(cvq_of(dev), VIRTIO_NET_CTRL_MQ,
				  VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &le, sizeof(le));
		if (ret < 0) {
			VC_LOG(ERR, "%s: the device refused %u queue pairs: %s",
			       ad->name, pairs, strerror(-ret));
			return ret;
		}
	}
	ad->filter.vlan_on = !!(dev->data->dev_conf.rxmode.offloads &
				RTE_ETH_RX_OFFLOAD_VLAN_FILTER);
	for (vid = 0; dev_has(dev, VIRTIO_NET_F_CTRL_VLAN) && vid < 4096; vid++) {
		if (!vc_filter_vlan_get(&ad->filter, vid))
			continue;
		ret = vlan_cmd(dev, vid, true);
		if (ret < 0) {
			VC_LOG(ERR, "%s: the device refused VLAN %u: %s",
			       ad->name, vid, strerror(-ret));
			return ret;
		}
	}
	vc_rxmode_burst_select(dev);
	return 0;
}

/* ---- ops --------------------------------------------------------------- */

static int
rx_mode_set(struct rte_eth_dev *dev, bool promisc, bool on)
{
	struct vc_adapter *ad = adapter_of(dev);
	int ret;

	ret = rx_mode_cmd(dev, promisc ? VIRTIO_NET_CTRL_RX_PROMISC :
			  VIRTIO_NET_CTRL_RX_ALLMULTI, on);
	if (ret < 0)
		return ret;
	if (promisc)
		ad->filter.promisc = on;
	else
		ad->filter.allmulti = on;
	vc_rxmode_burst_select(dev);
	return 0;
}

int
vc_rxmode_promisc_enable(struct rte_eth_dev *dev)
{
	return rx_mode_set(dev, true, true);
}

int
vc_rxmode_promisc_disable(struct rte_eth_dev *dev)
{
	return rx_mode_set(dev, true, false);
}

int
vc_rxmode_allmulti_enable(struct rte_eth_dev *dev)
{
	return rx_mode_set(dev, false, true);
}

int
vc_rxmode_allmulti_disable(struct rte_eth_dev *dev)
{
	return rx_mode_set(dev, false, false);
}

int
vc_rxmode_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *mac)
{
	struct vc_adapter *ad = adapter_of(dev);
	int ret = 0;

	if (dev_has(dev, VIRTIO_NET_F_CTRL_MAC_ADDR))
		ret = vc_cvq_send(cvq_of(dev), VIRTIO_NET_CTRL_MAC,
				  VIRTIO_NET_CTRL_MAC_ADDR_SET, mac->addr_bytes,
				  RTE_ETHER_ADDR_LEN);
	if (ret < 0)
		return ret;
	/* Without CTRL_MAC_ADDR the device keeps its own (1.x has no config
	 * write): only the driver's filter follows. */
	vc_filter_mac_set(&ad->filter, 0, mac->addr_bytes);
	return 0;
}

int
vc_rxmode_mac_addr_add(struct rte_eth_dev *dev, struct rte_ether_addr *mac,
		       uint32_t index, uint32_t vmdq)
{
	struct vc_adapter *ad = adapter_of(dev);
	struct vc_filter next = ad->filter;
	int ret;

	RTE_SET_USED(vmdq);
	if (index == 0)
		return vc_rxmode_mac_addr_set(dev, mac);
	if (vc_filter_mac_set(&next, index, mac->addr_bytes) < 0)
		return -EINVAL;
	ret = mac_table_cmd(dev, &next);
	if (ret < 0)
		return ret;
	vc_filter_mac_set(&ad->filter, index, mac->addr_bytes);
	return 0;
}

void
vc_rxmode_mac_addr_remove(struct rte_eth_dev *dev, uint32_t index)
{
	static const uint8_t zero[RTE_ETHER_ADDR_LEN];
	struct vc_adapter *ad = adapter_of(dev);
	int ret;

	if (index == 0 || vc_filter_mac_set(&ad->filter, index, zero) < 0)
		return;
	/* Removing from our filter already stops delivery. */
	ret = mac_table_cmd(dev, &ad->filter);
	if (ret < 0)
		VC_LOG(WARNING, "%s: device kept MAC table entry %u: %s",
		       ad->name, index, strerror(-ret));
}

int
vc_rxmode_vlan_filter_set(struct rte_eth_dev *dev, uint16_t vid, int on)
{
	struct vc_adapter *ad = adapter_of(dev);
	int ret;

	if (vid >= 4096)
		return -EINVAL;
	ret = vlan_cmd(dev, vid, on);
	if (ret < 0)
		return ret;
	vc_filter_vlan_set(&ad->filter, vid, on);
	return 0;
}

int
vc_rxmode_vlan_offload_set(struct rte_eth_dev *dev, int mask)
{
	struct vc_adapter *ad = adapter_of(dev);
	bool on = !!(dev->data->dev_conf.rxmode.offloads &
		     RTE_ETH_RX_OFFLOAD_VLAN_FILTER);

	if (!(mask & RTE_ETH_VLAN_FILTER_MASK))
		return 0;
	/* A device with CTRL_VLAN filters for as long as it runs. */
	if (!on && dev_has(dev, VIRTIO_NET_F_CTRL_VLAN)) {
		VC_LOG(ERR, "%s: the device filters VLANs until it restarts: stop the port to turn the VLAN filter off",
		       ad->name);
		return -ENOTSUP;
	}
	ad->filter.vlan_on = on;
	vc_rxmode_burst_select(dev);
	return 0;
}
