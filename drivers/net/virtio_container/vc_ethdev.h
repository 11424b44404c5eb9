/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef VC_ETHDEV_H
#define VC_ETHDEV_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#include "vc_cvq.h"
#include "vc_dev.h"
#include "vc_devargs.h"
#include "vc_filter.h"

/* With mergeable buffers a frame may span buffers up to this size, as
 * upstream virtio allows. */
#define VC_MAX_RX_PKTLEN 9728

/** State negotiated or set up at run time (vs. vc_cfg, the limits). */
struct vc_run {
	uint64_t features;     /**< negotiated at the last dev_start */
	uint16_t max_pairs;    /**< min(cfg.queues, device pairs) */
	uint16_t dev_mtu;      /**< device's MTU, 0 when not offered */
	uint64_t dev_features; /**< offered by the device at probe */
	uint16_t queue_size_max; /**< min(cfg.queue_size, device's max) */
	uint64_t offload_features; /**< wanted for the offloads configured
				    *   (vc_offload_features()) */
	bool started;
};

/** eth_dev->data->dev_private: shared, holds no process-local pointer. */
struct vc_adapter {
	struct vc_cfg cfg;
	struct vc_run run;
	struct rte_ether_addr mac;
	char name[RTE_DEV_NAME_MAX_LEN];
	struct vc_filter filter;   /**< RX filtering state (vc_rxmode.c) */
};

/** eth_dev->process_private: pointers valid in this process only. */
struct vc_process {
	struct vc_transport *tp;
	struct vc_dev dev;
	struct vc_cvq *cvq;        /**< control queue; NULL with cq=0 */
	struct vc_mem_port *mem;   /**< memory table + hotplug (vc_mem_event.c) */
	struct rte_intr_handle *lsc_intr; /**< link events (vc_lsc.c) */
	eth_rx_burst_t rx_plain;   /**< the layout's RX burst (dev_start);
				    *   vc_rxmode.c wraps it to filter */
	const char *burst_mode;    /**< its name (vc_rxtx_select()) */
};

#endif /* VC_ETHDEV_H */
