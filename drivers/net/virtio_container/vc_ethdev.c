/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * ethdev glue of net_virtio_container: vdev probe/remove, eth_dev_ops,
 * queue memory, statistics.  Device logic lives in vc_dev.c, the datapath
 * in vc_rxtx.c, devargs in vc_devargs.c.
 *
 * Life of a port: probe plugs the pseudo device and reads what it offers
 * (the device stays reset); dev_start negotiates, programs the configured
 * queues, shares memory and sets DRIVER_OK; dev_stop resets the device
 * (the backend stops its rings) and takes every mbuf back.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_malloc.h>
#include <rte_memzone.h>

#include "vc_ethdev.h"
#include "vc_intr.h"
#include "vc_logs.h"
#include "vc_lsc.h"
#include "vc_mem.h"
#include "vc_mp.h"
#include "vc_mem_event.h"
#include "vc_offload.h"
#include "vc_rxmode.h"
#include "vc_rxtx.h"
#include "vc_stats.h"
#include "vc_virtio.h"

RTE_LOG_REGISTER_SUFFIX(vc_logtype_init, init, NOTICE);
RTE_LOG_REGISTER_SUFFIX(vc_logtype_driver, driver, NOTICE);

static struct vc_adapter *
adapter_of(struct rte_eth_dev *dev)
{
	return dev->data->dev_private;
}

static struct vc_process *
proc_of(struct rte_eth_dev *dev)
{
	return dev->process_private;
}

/* Mergeable RX buffers wanted and offered: frames may span mbufs. */
static bool
vc_mergeable(const struct vc_adapter *ad)
{
	return ad->cfg.mrg_rxbuf &&
	       (ad->run.dev_features & VC_BIT(VIRTIO_NET_F_MRG_RXBUF));
}

/* ---- queues -------------------------------------------------------- */

static void
vc_queue_free(struct vc_queue *q)
{
	if (q == NULL)
		return;
	vc_queue_drain(q);
	rte_memzone_free(q->mz);
	rte_free(q->slots);
	rte_free(q);
}

static int
vc_queue_alloc(struct rte_eth_dev *dev, uint16_t qid, bool rx,
	       uint16_t nb_desc, unsigned int socket, struct vc_queue **out)
{
	struct vc_adapter *ad = adapter_of(dev);
	char name[RTE_MEMZONE_NAMESIZE];
	struct vc_queue *q;
	uint32_t size;
	size_t ring_len, hdr_len, indir_len;
	int ret;

	/* Ring size from nb_desc, bounded by what the device allows.  Round
	 * down, so a pool sized for nb_desc mbufs still fills the ring. */
	size = nb_desc ? rte_align32prevpow2(nb_desc) : ad->run.queue_size_max;
	size = RTE_MIN(size, (uint32_t)ad->run.queue_size_max);
	size = RTE_MAX(size, (uint32_t)VC_QUEUE_SIZE_MIN);

	q = rte_zmalloc_socket("vc_queue", sizeof(*q), RTE_CACHE_LINE_SIZE,
			       socket);
	if (q == NULL)
		return -ENOMEM;
	q->slots = rte_zmalloc_socket("vc_slots", size * sizeof(*q->slots),
				      RTE_CACHE_LINE_SIZE, socket);
	if (q->slots == NULL) {
		ret = -ENOMEM;
		goto err_free_q;
	}
	/* Rings and the shared TX header must be memory the device can
	 * reach: DPDK memory, which vc_mem_port_start() hands to it. */
	ring_len = vc_ring_mem_size(size);
	/* TX: one header per descriptor (offloads make them differ). */
	hdr_len = rx ? RTE_CACHE_LINE_SIZE :
		RTE_ALIGN_CEIL(size * VC_NET_HDR_SIZE, RTE_CACHE_LINE_SIZE);
	/* TX: one indirect table per descriptor (used only if negotiated:
	 * features are not known yet at queue setup). */
	indir_len = rx ? 0 : (size_t)size * VC_INDIRECT_MAX * VC_INDIRECT_DESC_SIZE;
	snprintf(name, sizeof(name), "vc%u_%cq%u", dev->data->port_id,
		 rx ? 'r' : 't', qid);
	q->mz = rte_memzone_reserve_aligned(name,
			ring_len + hdr_len + indir_len, socket, 0, VC_RING_ALIGN);
	if (q->mz == NULL) {
		VC_LOG(ERR, "%s: cannot reserve %zu bytes for queue %s: %s",
		       ad->name, ring_len + hdr_len + indir_len, name,
		       rte_strerror(rte_errno));
		ret = -ENOMEM;
		goto err_free_slots;
	}
	q->tx_hdr = RTE_PTR_ADD(q->mz->addr, ring_len);
	memset(q->tx_hdr, 0, hdr_len);
	q->tx_indir = rx ? NULL : RTE_PTR_ADD(q->tx_hdr, hdr_len);
	if (q->tx_indir != NULL)
		memset(q->tx_indir, 0, indir_len);
	q->size = size;
	q->port_id = dev->data->port_id;
	q->queue_id = qid;
	q->notify.tp = proc_of(dev)->tp;
	q->notify.qidx = 2 * qid + (rx ? 0 : 1);
	ret = vc_ring_init(&q->ring, q->mz->addr, size, q->slots, false,
			   vc_queue_kick, &q->notify);
	if (ret < 0)
		goto err_free_mz;
	*out = q;
	return 0;

err_free_mz:
	rte_memzone_free(q->mz);
err_free_slots:
	rte_free(q->slots);
err_free_q:
	rte_free(q);
	return ret;
}

static int
vc_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		  unsigned int socket, const struct rte_eth_rxconf *conf,
		  struct rte_mempool *mp)
{
	struct vc_adapter *ad = adapter_of(dev);
	uint32_t room = rte_pktmbuf_data_room_size(mp);
	uint32_t frame = dev->data->mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN;
	uint64_t offloads = conf->offloads | dev->data->dev_conf.rxmode.offloads;
	struct vc_queue *q;
	int ret;

	/* The header goes into the headroom, in front of the packet. */
	if (room < RTE_PKTMBUF_HEADROOM + RTE_ETHER_MIN_LEN ||
	    RTE_PKTMBUF_HEADROOM < VC_NET_HDR_SIZE) {
		VC_LOG(ERR, "%s: mempool %s data room %u too small",
		       ad->name, mp->name, room);
		return -EINVAL;
	}
	/* A frame spans mbufs only with mergeable buffers. */
	if (frame > room - RTE_PKTMBUF_HEADROOM &&
	    (!(offloads & RTE_ETH_RX_OFFLOAD_SCATTER) || !vc_mergeable(ad))) {
		VC_LOG(ERR, "%s: MTU %u needs frames of %u bytes but mbufs of %s hold %u: use larger mbufs, or mrg_rxbuf=1 with RX scatter",
		       ad->name, dev->data->mtu, frame, mp->name,
		       room - RTE_PKTMBUF_HEADROOM);
		return -EINVAL;
	}
	ret = vc_queue_alloc(dev, qid, true, nb_desc, socket, &q);
	if (ret < 0)
		return ret;
	q->mp = mp;
	dev->data->rx_queues[qid] = q;
	return 0;
}

static int
vc_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		  unsigned int socket, const struct rte_eth_txconf *conf)
{
	struct vc_queue *q;
	int ret;

	RTE_SET_USED(conf);
	ret = vc_queue_alloc(dev, qid, false, nb_desc, socket, &q);
	if (ret < 0)
		return ret;
	dev->data->tx_queues[qid] = q;
	return 0;
}

static void
vc_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	vc_queue_free(dev->data->rx_queues[qid]);
	dev->data->rx_queues[qid] = NULL;
}

static void
vc_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	vc_queue_free(dev->data->tx_queues[qid]);
	dev->data->tx_queues[qid] = NULL;
}

/* ---- start / stop -------------------------------------------------- */

static uint64_t
vc_wanted_features(const struct vc_adapter *ad, uint16_t pairs)
{
	uint64_t f = VC_BIT(VIRTIO_F_VERSION_1) | VC_BIT(VIRTIO_NET_F_MAC) |
		     VC_BIT(VIRTIO_NET_F_STATUS) | VC_BIT(VIRTIO_NET_F_MTU) |
		     VC_BIT(VIRTIO_RING_F_EVENT_IDX) |
		     /* Multi-descriptor TX packets take one ring descriptor. */
		     VC_BIT(VIRTIO_RING_F_INDIRECT_DESC);

	if (ad->cfg.mrg_rxbuf)
		f |= VC_BIT(VIRTIO_NET_F_MRG_RXBUF);
	if (ad->cfg.in_order)
		f |= VC_BIT(VIRTIO_F_IN_ORDER);
	if (ad->cfg.packed_vq)
		f |= VC_BIT(VIRTIO_F_RING_PACKED);
	if (pairs > 1)
		f |= VC_BIT(VIRTIO_NET_F_MQ);
	return f | ad->run.offload_features;
}

static int
vc_queue_program(struct vc_process *p, struct vc_queue *q, uint64_t features)
{
	uint64_t desc, avail, used;
	int ret;

	ret = vc_queue_layout(q, features);
	if (ret < 0)
		return ret;
	vc_queue_addrs(q, &desc, &avail, &used);
	ret = vc_dev_queue_setup(&p->dev, q->notify.qidx, q->size,
				 desc, avail, used,
				 q->packed ? vc_ring_packed_resume_addr(&q->pring) : 0);
	if (ret < 0)
		return ret;
	q->notify.bar = p->dev.notify.bar;
	q->notify.off = vc_dev_notify_off(&p->dev, q->notify.qidx);
	return 0;
}

static void
vc_queues_drain(struct rte_eth_dev *dev)
{
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		if (dev->data->rx_queues[i] != NULL)
			vc_queue_drain(dev->data->rx_queues[i]);
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		if (dev->data->tx_queues[i] != NULL)
			vc_queue_drain(dev->data->tx_queues[i]);
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	}
}

/*
 * Reset the device so that the backend stops the rings (GET_VRING_BASE),
 * then take back every mbuf they hold.  If the reset did not complete the
 * backend may still write into those mbufs: keep them out of the pools.
 */
static void
vc_dev_quiesce(struct rte_eth_dev *dev)
{
	/* Before the reset closes the RX interrupt eventfds. */
	vc_intr_uninstall(dev);
	vc_cvq_stop(proc_of(dev)->cvq);
	vc_mem_port_stop(proc_of(dev)->mem);
	if (vc_dev_reset(&proc_of(dev)->dev) < 0) {
		VC_LOG(ERR, "%s: device did not stop; its RX/TX buffers are not returned to their pools",
		       adapter_of(dev)->name);
		return;
	}
	vc_queues_drain(dev);
}

static int vc_link_update(struct rte_eth_dev *dev, int wait);

static int
vc_dev_start(struct rte_eth_dev *dev)
{
	struct vc_adapter *ad = adapter_of(dev);
	struct vc_process *p = proc_of(dev);
	uint16_t pairs = RTE_MAX(dev->data->nb_rx_queues,
				 dev->data->nb_tx_queues);
	uint16_t i;
	int ret;

	/* ethdev does not check that every configured queue was set up. */
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		if (dev->data->rx_queues[i] == NULL)
			goto err_no_queue;
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		if (dev->data->tx_queues[i] == NULL)
			goto err_no_queue;

	/* Every start is a full virtio initialisation (3.1.1), so that a
	 * changed queue count or feature set needs nothing special. */
	ret = vc_dev_reset(&p->dev);
	if (ret < 0)
		return ret;
	vc_dev_status_add(&p->dev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	vc_dev_status_add(&p->dev, VIRTIO_CONFIG_S_DRIVER);
	ret = vc_dev_negotiate(&p->dev, vc_cvq_wanted(ad->cfg.cq,
			       !!(dev->data->dev_conf.rxmode.offloads &
				  RTE_ETH_RX_OFFLOAD_VLAN_FILTER),
			       vc_wanted_features(ad, pairs),
			       ad->run.dev_features), &ad->run.features);
	if (ret < 0)
		goto err_fail;
	/* As upstream virtio_user: packed_vq=1 is a wish, split is the
	 * fallback when the backend has no packed rings. */
	if (ad->cfg.packed_vq &&
	    !(ad->run.features & VC_BIT(VIRTIO_F_RING_PACKED)))
		VC_LOG(WARNING, "%s: packed_vq=1 but the device does not offer VIRTIO_F_RING_PACKED: using split rings",
		       ad->name);
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct vc_queue *q = dev->data->rx_queues[i];

		q->mergeable = !!(ad->run.features &
				  VC_BIT(VIRTIO_NET_F_MRG_RXBUF));
		ret = vc_queue_program(p, q, ad->run.features);
		if (ret < 0)
			goto err_fail;
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		ret = vc_queue_program(p, dev->data->tx_queues[i],
				       ad->run.features);
		if (ret < 0)
			goto err_fail;
	}
	ret = vc_cvq_program(p->cvq, &p->dev, ad->run.features);
	if (ret < 0)
		goto err_fail;
	ret = vc_mem_port_start(p->mem);
	if (ret < 0)
		goto err_fail;
	ret = vc_dev_driver_ok(&p->dev);
	if (ret < 0)
		goto err_fail;
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		ret = vc_rxq_fill(dev->data->rx_queues[i]);
		if (ret < 0) {
			VC_LOG(ERR, "%s: not enough mbufs to fill RX queue %u",
			       ad->name, i);
			goto err_reset;
		}
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	/* The call eventfds exist from DRIVER_OK on. */
	ret = vc_intr_install(dev);
	if (ret < 0)
		goto err_reset;
	p->burst_mode = vc_rxtx_select(ad->run.features, ad->cfg.vectorized,
				       &dev->rx_pkt_burst, &dev->tx_pkt_burst);
	p->rx_plain = dev->rx_pkt_burst;
	ret = vc_rxmode_start(dev);
	if (ret < 0)
		goto err_reset;
	ad->run.started = true;
	/* Up only if a backend serves the device (server mode may start
	 * before one connected; vc_lsc.c reports it when it does). */
	vc_link_update(dev, 0);
	VC_LOG(INFO, "%s: started, features 0x%" PRIx64 ", %u/%u queues, %s bursts",
	       ad->name, ad->run.features, dev->data->nb_rx_queues,
	       dev->data->nb_tx_queues, p->burst_mode);
	return 0;

err_no_queue:
	VC_LOG(ERR, "%s: queue %u is configured but was not set up",
	       ad->name, i);
	return -EINVAL;
err_fail:
	vc_dev_status_add(&p->dev, VIRTIO_CONFIG_S_FAILED);
err_reset:
	vc_dev_quiesce(dev);
	return ret;
}

static int
vc_dev_stop(struct rte_eth_dev *dev)
{
	struct vc_adapter *ad = adapter_of(dev);

	if (!ad->run.started)
		return 0;
	ad->run.started = false;
	rte_eth_linkstatus_set(dev, &(struct rte_eth_link){
		.link_speed = ad->cfg.speed,
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = RTE_ETH_LINK_FIXED,
		.link_status = RTE_ETH_LINK_DOWN,
	});
	vc_dev_quiesce(dev);
	return 0;
}

static int
vc_dev_close(struct rte_eth_dev *dev)
{
	struct vc_process *p = proc_of(dev);
	uint16_t i;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	vc_dev_stop(dev);
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		vc_rx_queue_release(dev, i);
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		vc_tx_queue_release(dev, i);
	if (p != NULL) {
		vc_rxtx_doorbell_set(dev->data->port_id, NULL);
		vc_mp_primary_unregister();
		vc_lsc_uninstall(dev);
		vc_mem_port_close(p->mem);
		p->tp->ops->close(p->tp);
		vc_cvq_free(p->cvq);
		rte_free(p);
		dev->process_private = NULL;
	}
	return 0;
}

/* ---- configuration and information ---------------------------------- */

static int
vc_dev_configure(struct rte_eth_dev *dev)
{
	const struct rte_eth_conf *conf = &dev->data->dev_conf;

	if (conf->rxmode.mq_mode != RTE_ETH_MQ_RX_NONE &&
	    conf->rxmode.mq_mode != RTE_ETH_MQ_RX_RSS) {
		VC_LOG(ERR, "%s: unsupported RX multi-queue mode %d",
		       adapter_of(dev)->name, conf->rxmode.mq_mode);
		return -ENOTSUP;
	}
	/* Only remembered: dev_start negotiates (it always starts from a
	 * reset), so configure never touches the device. */
	adapter_of(dev)->run.offload_features =
		vc_offload_features(conf->rxmode.offloads,
				    conf->txmode.offloads);
	return vc_intr_configure(dev);
}

static int
vc_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct vc_adapter *ad = adapter_of(dev);
	uint32_t max_frame = vc_mergeable(ad) ? VC_MAX_RX_PKTLEN :
					RTE_MBUF_DEFAULT_DATAROOM;

	info->max_rx_queues = ad->run.max_pairs;
	info->max_tx_queues = ad->run.max_pairs;
	info->max_rx_pktlen = max_frame;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	info->max_mtu = ad->run.dev_mtu ? ad->run.dev_mtu :
			max_frame - RTE_ETHER_HDR_LEN - RTE_VLAN_HLEN;
	info->min_rx_bufsize = RTE_ETHER_MIN_LEN;
	info->max_mac_addrs = VC_FILTER_MAC_MAX;
	vc_offload_capa(ad->run.dev_features, vc_mergeable(ad),
			&info->rx_offload_capa, &info->tx_offload_capa);
	if (vc_mergeable(ad))
		info->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_SCATTER;
	info->tx_offload_capa |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	/* The driver filters (vc_filter.h). */
	info->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_VLAN_FILTER;
	/* A coalesced TCP packet: an IPv4/IPv6 packet of up to 64 KB. */
	if (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_TCP_LRO)
		info->max_lro_pkt_size = UINT16_MAX + RTE_ETHER_HDR_LEN +
					 RTE_VLAN_HLEN;
	info->rx_desc_lim = (struct rte_eth_desc_lim){
		.nb_max = ad->run.queue_size_max,
		.nb_min = VC_QUEUE_SIZE_MIN,
		.nb_align = 1,
	};
	info->tx_desc_lim = info->rx_desc_lim;
	info->default_rxportconf.ring_size = ad->run.queue_size_max;
	info->default_txportconf.ring_size = ad->run.queue_size_max;
	info->default_rxportconf.nb_queues = 1;
	info->default_txportconf.nb_queues = 1;
	info->speed_capa = ad->cfg.speed == RTE_ETH_SPEED_NUM_UNKNOWN ?
		0 : rte_eth_speed_bitflag(ad->cfg.speed, RTE_ETH_LINK_FULL_DUPLEX);
	return 0;
}

/*
 * A ring the device corrupted stays dead until the port is restarted; the
 * link reports it, and the reason is logged once per queue.
 */
static bool
vc_rings_broken(struct rte_eth_dev *dev)
{
	struct vc_adapter *ad = adapter_of(dev);
	bool broken = false;
	uint16_t i, n = dev->data->nb_rx_queues + dev->data->nb_tx_queues;

	for (i = 0; i < n; i++) {
		struct vc_queue *q = i < dev->data->nb_rx_queues ?
			dev->data->rx_queues[i] :
			dev->data->tx_queues[i - dev->data->nb_rx_queues];

		if (q == NULL || vc_queue_broken(q) == NULL)
			continue;
		broken = true;
		if (!q->broken_logged) {
			q->broken_logged = true;
			VC_LOG(ERR, "%s: virtqueue %u stopped, the device broke the ring: %s",
			       ad->name, q->notify.qidx, vc_queue_broken(q));
		}
	}
	return broken;
}

static int
vc_link_update(struct rte_eth_dev *dev, int wait)
{
	struct vc_adapter *ad = adapter_of(dev);
	struct rte_eth_link link = {
		.link_speed = ad->cfg.speed,
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = RTE_ETH_LINK_FIXED,
		.link_status = RTE_ETH_LINK_DOWN,
	};
	uint16_t st = 0;

	RTE_SET_USED(wait);
	if (ad->run.started && !vc_rings_broken(dev)) {
		link.link_status = RTE_ETH_LINK_UP;
		/* The device's status field is the truth when it has one. */
		if ((ad->run.features & VC_BIT(VIRTIO_NET_F_STATUS)) &&
		    (vc_dev_config_read(&proc_of(dev)->dev, VC_NETCFG(status),
					&st, sizeof(st), 2) < 0 ||
		     !(st & VIRTIO_NET_S_LINK_UP)))
			link.link_status = RTE_ETH_LINK_DOWN;
	}
	return rte_eth_linkstatus_set(dev, &link);
}

static int
vc_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct rte_eth_dev_info info;

	vc_dev_infos_get(dev, &info);
	if (mtu < info.min_mtu || mtu > info.max_mtu) {
		VC_LOG(ERR, "%s: MTU %u outside [%u, %u]",
		       adapter_of(dev)->name, mtu, info.min_mtu, info.max_mtu);
		return -EINVAL;
	}
	return 0;
}

/* "show rxq info" / "show txq info": ring size and pool. */
static void
vc_rxq_info_get(struct rte_eth_dev *dev, uint16_t queue_id, struct rte_eth_rxq_info *qinfo)
{
	const struct vc_queue *q = dev->data->rx_queues[queue_id];

	qinfo->mp = q->mp;
	qinfo->nb_desc = q->size;
	qinfo->scattered_rx = dev->data->scattered_rx;
	qinfo->conf.offloads = dev->data->dev_conf.rxmode.offloads;
}

static void
vc_txq_info_get(struct rte_eth_dev *dev, uint16_t queue_id, struct rte_eth_txq_info *qinfo)
{
	const struct vc_queue *q = dev->data->tx_queues[queue_id];

	qinfo->nb_desc = q->size;
	qinfo->conf.offloads = dev->data->dev_conf.txmode.offloads;
}

/* "show rxq info": which bursts dev_start chose (ring layout, vector width). */
static int
vc_burst_mode_get(struct rte_eth_dev *dev, uint16_t queue_id,
		  struct rte_eth_burst_mode *mode)
{
	const struct vc_process *p = proc_of(dev);

	RTE_SET_USED(queue_id);
	if (p->burst_mode == NULL)
		return -EINVAL;	/* not started yet */
	snprintf(mode->info, sizeof(mode->info), "%s", p->burst_mode);
	return 0;
}

static const struct eth_dev_ops vc_eth_dev_ops = {
	.dev_configure = vc_dev_configure,
	.dev_start = vc_dev_start,
	.dev_stop = vc_dev_stop,
	.dev_close = vc_dev_close,
	.dev_infos_get = vc_dev_infos_get,
	.link_update = vc_link_update,
	.mtu_set = vc_mtu_set,
	.promiscuous_enable = vc_rxmode_promisc_enable,
	.promiscuous_disable = vc_rxmode_promisc_disable,
	.allmulticast_enable = vc_rxmode_allmulti_enable,
	.allmulticast_disable = vc_rxmode_allmulti_disable,
	.mac_addr_set = vc_rxmode_mac_addr_set,
	.mac_addr_add = vc_rxmode_mac_addr_add,
	.mac_addr_remove = vc_rxmode_mac_addr_remove,
	.vlan_filter_set = vc_rxmode_vlan_filter_set,
	.vlan_offload_set = vc_rxmode_vlan_offload_set,
	.rx_queue_setup = vc_rx_queue_setup,
	.rx_queue_release = vc_rx_queue_release,
	.rx_queue_intr_enable = vc_rx_queue_intr_enable,
	.rx_queue_intr_disable = vc_rx_queue_intr_disable,
	.tx_queue_setup = vc_tx_queue_setup,
	.tx_queue_release = vc_tx_queue_release,
	.stats_get = vc_stats_get,
	.stats_reset = vc_stats_reset,
	.xstats_get = vc_xstats_get,
	.xstats_get_names = vc_xstats_get_names,
	.xstats_reset = vc_stats_reset,
	.rxq_info_get = vc_rxq_info_get,
	.txq_info_get = vc_txq_info_get,
	.rx_burst_mode_get = vc_burst_mode_get,
	.tx_burst_mode_get = vc_burst_mode_get,
};

/* ---- probe / remove ------------------------------------------------- */

/* Read what the device offers; it is left reset until dev_start. */
static int
vc_dev_discover(struct vc_adapter *ad, struct vc_process *p)
{
	uint16_t pairs = 1, mtu = 0;
	int ret;

	ret = vc_dev_init(&p->dev, p->tp);
	if (ret < 0)
		return ret;
	ret = vc_dev_reset(&p->dev);
	if (ret < 0)
		return ret;
	vc_dev_status_add(&p->dev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	vc_dev_status_add(&p->dev, VIRTIO_CONFIG_S_DRIVER);
	ad->run.dev_features = vc_dev_features_get(&p->dev);
	if (!(ad->run.dev_features & VC_BIT(VIRTIO_F_VERSION_1))) {
		VC_LOG(ERR, "%s: device does not offer VIRTIO_F_VERSION_1",
		       ad->name);
		return -ENOTSUP;
	}
	/* 3.1.1: config may be read before FEATURES_OK to decide. */
	if ((ad->run.dev_features & VC_BIT(VIRTIO_NET_F_MAC)) &&
	    vc_dev_config_read(&p->dev, VC_NETCFG(mac), ad->mac.addr_bytes,
			       RTE_ETHER_ADDR_LEN, 1) < 0)
		return -EIO;
	if (!(ad->run.dev_features & VC_BIT(VIRTIO_NET_F_MAC)))
		rte_eth_random_addr(ad->mac.addr_bytes);
	if ((ad->run.dev_features & VC_BIT(VIRTIO_NET_F_MQ)) &&
	    vc_dev_config_read(&p->dev, VC_NETCFG(max_virtqueue_pairs),
			       &pairs, sizeof(pairs), 2) < 0)
		return -EIO;
	if ((ad->run.dev_features & VC_BIT(VIRTIO_NET_F_MTU)) &&
	    vc_dev_config_read(&p->dev, VC_NETCFG(mtu), &mtu, sizeof(mtu), 2) < 0)
		return -EIO;
	pairs = RTE_MAX(pairs, (uint16_t)1);
	ad->run.max_pairs = RTE_MIN(pairs, ad->cfg.queues);
	if (ad->run.max_pairs < ad->cfg.queues)
		VC_LOG(WARNING, "%s: queues=%u but the backend has %u pairs",
		       ad->name, ad->cfg.queues, pairs);
	ad->run.dev_mtu = mtu;
	/* 4.1.5.1.3: a queue may be made smaller than the device's maximum,
	 * never larger.  Queue 0 stands for all: devsim sizes them alike. */
	ad->run.queue_size_max = RTE_MIN(vc_dev_queue_size_max(&p->dev, 0),
					 ad->cfg.queue_size);
	if (ad->run.queue_size_max < VC_QUEUE_SIZE_MIN ||
	    !rte_is_power_of_2(ad->run.queue_size_max)) {
		VC_LOG(ERR, "%s: device queue size %u unusable", ad->name,
		       ad->run.queue_size_max);
		return -ENOTSUP;
	}
	return vc_dev_reset(&p->dev);
}

static int
vc_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct vc_devsim_args dargs = { 0 };
	struct rte_eth_dev *dev;
	struct vc_adapter *ad;
	struct vc_process *p;
	struct vc_cfg cfg;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return vc_mp_secondary_probe(vdev, &vc_eth_dev_ops);
	ret = vc_devargs_parse(name, rte_vdev_device_args(vdev), &cfg);
	if (ret < 0)
		return ret;

	dev = rte_eth_vdev_allocate(vdev, sizeof(*ad));
	if (dev == NULL)
		return -ENOMEM;
	ad = dev->data->dev_private;
	ad->cfg = cfg;
	snprintf(ad->name, sizeof(ad->name), "%s", name);
	p = rte_zmalloc_socket("vc_process", sizeof(*p), 0, vdev->device.numa_node);
	if (p == NULL) {
		ret = -ENOMEM;
		goto err_release;
	}
	dev->process_private = p;

	dargs.path = cfg.path;
	dargs.mac_valid = cfg.mac_set;
	memcpy(dargs.mac, cfg.mac.addr_bytes, sizeof(dargs.mac));
	dargs.max_queue_pairs = cfg.queues;
	dargs.queue_size_max = cfg.queue_size;
	dargs.feature_mask = ~0ULL;
	/* Server mode does not wait for the backend at probe: the device
	 * starts with link down and the backend gets its state on arrival. */
	dargs.server = cfg.server;
	ret = vc_transport_devsim_open(&dargs, &p->tp);
	if (ret < 0) {
		VC_LOG(ERR, "%s: cannot attach to vhost-user socket %s: %s",
		       name, cfg.path, strerror(-ret));
		goto err_free_proc;
	}
	ret = vc_dev_discover(ad, p);
	if (ret < 0)
		goto err_close_tp;
	/* Fail now, not at dev_start, when memory cannot fit the table. */
	ret = vc_mem_check(p->tp, name);
	if (ret < 0)
		goto err_close_tp;
	ret = vc_mem_port_open(&p->mem, p->tp, name);
	if (ret < 0)
		goto err_close_tp;
	if (cfg.cq) {
		ret = vc_cvq_alloc(dev->data->port_id, vdev->device.numa_node,
				   &p->cvq);
		if (ret < 0)
			goto err_close_mem;
	}
	/* Our own allocation: ethdev frees it when it releases the port. */
	dev->data->mac_addrs = rte_zmalloc_socket("vc_mac", VC_FILTER_MAC_MAX *
			sizeof(struct rte_ether_addr), 0, vdev->device.numa_node);
	if (dev->data->mac_addrs == NULL) {
		ret = -ENOMEM;
		goto err_free_cvq;
	}
	rte_ether_addr_copy(&ad->mac, &dev->data->mac_addrs[0]);
	vc_filter_init(&ad->filter, ad->mac.addr_bytes);
	ret = vc_mp_primary_register();
	if (ret < 0)
		goto err_free_cvq;
	vc_rxtx_doorbell_set(dev->data->port_id, p->tp);

	dev->dev_ops = &vc_eth_dev_ops;
	dev->rx_pkt_burst = vc_recv_pkts;
	dev->tx_pkt_burst = vc_xmit_pkts;
	dev->tx_pkt_prepare = vc_xmit_pkts_prepare;
	dev->data->dev_link.link_speed = cfg.speed;
	dev->data->dev_link.link_status = RTE_ETH_LINK_DOWN;
	/* As before the control queue: promiscuous until told otherwise. */
	dev->data->promiscuous = 1;
	dev->data->all_multicast = 1;
	/* Link state changes come from the device's events; without them
	 * the port still works, link_update reads the device. */
	vc_lsc_install(dev);
	rte_eth_dev_probing_finish(dev);
	VC_LOG(INFO, "%s: port %u on %s, MAC " RTE_ETHER_ADDR_PRT_FMT
	       ", up to %u queue pairs", name, dev->data->port_id, cfg.path,
	       RTE_ETHER_ADDR_BYTES(&ad->mac), ad->run.max_pairs);
	return 0;

err_free_cvq:
	vc_cvq_free(p->cvq);
err_close_mem:
	vc_mem_port_close(p->mem);
err_close_tp:
	p->tp->ops->close(p->tp);
err_free_proc:
	rte_free(p);
	dev->process_private = NULL;
err_release:
	rte_eth_dev_release_port(dev);
	return ret;
}

static int
vc_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev;

	dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));
	if (dev == NULL)
		return 0;
	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		vc_mp_secondary_close(dev);
		return rte_eth_dev_release_port(dev);
	}
	/* ethdev refuses to close a started port: hot-unplug stops it. */
	vc_dev_close(dev);
	return rte_eth_dev_release_port(dev);
}

static struct rte_vdev_driver vc_vdev_driver = {
	.probe = vc_probe,
	.remove = vc_remove,
};

RTE_PMD_REGISTER_VDEV(net_virtio_container, vc_vdev_driver);
RTE_PMD_REGISTER_PARAM_STRING(net_virtio_container, VC_DEVARGS_HELP);
