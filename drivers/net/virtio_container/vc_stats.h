/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef VC_STATS_H
#define VC_STATS_H

/*
 * eth_dev_ops for statistics.  xstats are per queue: rx_q<N>_<name> and
 * tx_q<N>_<name> for packets, bytes, errors, nombuf, invalid_used, kicks
 * (and the other per-queue counters listed in vc_stats.c).
 */

#include <ethdev_driver.h>

int vc_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st);
/** Zero every queue's and ring's counters (also the xstats_reset op). */
int vc_stats_reset(struct rte_eth_dev *dev);
int vc_xstats_get_names(struct rte_eth_dev *dev,
			struct rte_eth_xstat_name *names, unsigned int size);
int vc_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs,
		  unsigned int size);

#endif /* VC_STATS_H */
