/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef VC_DEVARGS_H
#define VC_DEVARGS_H

/*
 * Devargs of net_virtio_container.  Names and defaults follow upstream
 * net_virtio_user where it has them, so that switching a command line from
 * net_virtio_user0 to net_virtio_container0 keeps its meaning.  A key the
 * driver does not implement yet is refused, never ignored.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/un.h>

#include <rte_ether.h>

#define VC_ARG_PATH		"path"
#define VC_ARG_MAC		"mac"
#define VC_ARG_QUEUES		"queues"
#define VC_ARG_QUEUE_SIZE	"queue_size"
#define VC_ARG_MRG_RXBUF	"mrg_rxbuf"
#define VC_ARG_IN_ORDER		"in_order"
#define VC_ARG_PACKED_VQ	"packed_vq"
#define VC_ARG_SPEED		"speed"
#define VC_ARG_CQ		"cq"
#define VC_ARG_SERVER		"server"
#define VC_ARG_VECTORIZED	"vectorized"
#define VC_ARG_IFNAME		"iface"

#define VC_QUEUE_PAIRS_MAX	128
#define VC_QUEUE_SIZE_DEFAULT	256
#define VC_QUEUE_SIZE_MIN	16
#define VC_QUEUE_SIZE_MAX	32768

/** What the user asked for: limits, never negotiated state. */
struct vc_cfg {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct rte_ether_addr mac;
	bool mac_set;
	uint16_t queues;      /**< max queue pairs */
	uint16_t queue_size;  /**< max ring size */
	bool mrg_rxbuf;
	bool in_order;
	bool packed_vq;
	bool cq;              /**< control queue (default on, unlike upstream) */
	bool server;          /**< listen on path; the backend connects */
	bool vectorized;      /**< vector bursts where the CPU has them */
	uint32_t speed;       /**< Mbps, RTE_ETH_SPEED_NUM_* */
};

/**
 * Parse @args (may be NULL or empty) into @cfg, filling defaults first.
 * Logs the offending key and value.
 * @return 0 or -EINVAL.
 */
int vc_devargs_parse(const char *name, const char *args, struct vc_cfg *cfg);

/** The param string registered with RTE_PMD_REGISTER_PARAM_STRING. */
#define VC_DEVARGS_HELP \
	VC_ARG_PATH "=<path> " \
	VC_ARG_MAC "=<mac addr> " \
	VC_ARG_QUEUES "=<int> " \
	VC_ARG_QUEUE_SIZE "=<int> " \
	VC_ARG_MRG_RXBUF "=<0|1> " \
	VC_ARG_IN_ORDER "=<0|1> " \
	VC_ARG_PACKED_VQ "=<0|1> " \
	VC_ARG_SPEED "=<int> " \
	VC_ARG_CQ "=<0|1> " \
	VC_ARG_SERVER "=<0|1> " \
	VC_ARG_VECTORIZED "=<0|1>"

#endif /* VC_DEVARGS_H */
