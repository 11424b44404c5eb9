/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * Port statistics and per-queue xstats, summed from the queues' counters
 * and their rings' (invalid used entries, kicks).  The datapath lcores
 * write the counters without atomics, as DPDK PMDs do: a read may be a
 * burst behind.
 */

#include <stdio.h>
#include <string.h>

#include <ethdev_driver.h>

#include "vc_rxtx.h"
#include "vc_stats.h"

int
vc_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		const struct vc_queue *q = dev->data->rx_queues[i];

		if (q == NULL)
			continue;
		st->ipackets += q->stats.packets;
		st->ibytes += q->stats.bytes;
		st->ierrors += q->stats.errors;
		st->rx_nombuf += q->stats.nombuf;
		if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_ipackets[i] = q->stats.packets;
			st->q_ibytes[i] = q->stats.bytes;
			st->q_errors[i] = q->stats.errors;
		}
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		const struct vc_queue *q = dev->data->tx_queues[i];

		if (q == NULL)
			continue;
		st->opackets += q->stats.packets;
		st->obytes += q->stats.bytes;
		st->oerrors += q->stats.errors;
		if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_opackets[i] = q->stats.packets;
			st->q_obytes[i] = q->stats.bytes;
		}
	}
	return 0;
}

int
vc_stats_reset(struct rte_eth_dev *dev)
{
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues; i++)
		if (dev->data->rx_queues[i] != NULL)
			vc_queue_stats_reset(dev->data->rx_queues[i]);
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		if (dev->data->tx_queues[i] != NULL)
			vc_queue_stats_reset(dev->data->tx_queues[i]);
	return 0;
}

/* Per-queue xstats: "rx_q<N>_<name>" and "tx_q<N>_<name>", from the
 * queue's counters or its ring's. */
static const struct {
	const char *name;
	bool ring;
	size_t off;
} vc_xstats[] = {
	{ "packets", false, offsetof(struct vc_queue_stats, packets) },
	{ "bytes", false, offsetof(struct vc_queue_stats, bytes) },
	{ "errors", false, offsetof(struct vc_queue_stats, errors) },
	{ "nombuf", false, offsetof(struct vc_queue_stats, nombuf) },
	{ "invalid_used", true, offsetof(struct vc_ring_stats, invalid_used) },
	{ "kicks", true, offsetof(struct vc_ring_stats, kicks) },
	{ "filtered", false, offsetof(struct vc_queue_stats, filtered) },
};

static unsigned int
vc_xstats_count(struct rte_eth_dev *dev)
{
	return (dev->data->nb_rx_queues + dev->data->nb_tx_queues) *
	       RTE_DIM(vc_xstats);
}

int
vc_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
		    unsigned int size)
{
	unsigned int n = vc_xstats_count(dev), k = 0, i, j;

	if (names == NULL || size < n)
		return n;
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		for (j = 0; j < RTE_DIM(vc_xstats); j++)
			snprintf(names[k++].name, sizeof(names[0].name),
				 "rx_q%u_%s", i, vc_xstats[j].name);
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		for (j = 0; j < RTE_DIM(vc_xstats); j++)
			snprintf(names[k++].name, sizeof(names[0].name),
				 "tx_q%u_%s", i, vc_xstats[j].name);
	return n;
}

int
vc_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs,
	      unsigned int size)
{
	unsigned int n = vc_xstats_count(dev), k = 0, i, j;

	if (xs == NULL || size < n)
		return n;
	for (i = 0; i < dev->data->nb_rx_queues + dev->data->nb_tx_queues; i++) {
		const struct vc_queue *q = i < dev->data->nb_rx_queues ?
			dev->data->rx_queues[i] :
			dev->data->tx_queues[i - dev->data->nb_rx_queues];

		for (j = 0; j < RTE_DIM(vc_xstats); j++, k++) {
			const void *base = q == NULL ? NULL : vc_xstats[j].ring ?
				(const void *)vc_queue_ring_stats(q) :
				(const void *)&q->stats;

			xs[k].id = k;
			xs[k].value = base == NULL ? 0 : *(const uint64_t *)
				((const char *)base + vc_xstats[j].off);
		}
	}
	return n;
}
