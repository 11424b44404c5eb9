/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_kvargs.h>

#include "vc_devargs.h"
#include "vc_logs.h"

static const char *const vc_valid_args[] = {
	VC_ARG_PATH, VC_ARG_MAC, VC_ARG_QUEUES, VC_ARG_QUEUE_SIZE,
	VC_ARG_MRG_RXBUF, VC_ARG_IN_ORDER, VC_ARG_PACKED_VQ, VC_ARG_SPEED,
	VC_ARG_CQ, VC_ARG_SERVER, VC_ARG_VECTORIZED, VC_ARG_IFNAME,
	NULL
};

/* Strict unsigned parse: digits only, within [min, max]. */
static int
parse_uint(const char *key, const char *val, unsigned long min,
	   unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (val == NULL || *val == '\0' || *val == '-' || *val == '+')
		goto bad;
	errno = 0;
	v = strtoul(val, &end, 0);
	if (errno || *end != '\0' || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	VC_LOG(ERR, "invalid value '%s' for devarg '%s': expected an integer in [%lu, %lu]",
	       val ? val : "", key, min, max);
	return -EINVAL;
}

static int
arg_path(const char *key, const char *val, void *opaque)
{
	struct vc_cfg *cfg = opaque;

	if (val == NULL || *val == '\0') {
		VC_LOG(ERR, "devarg '%s' is empty", key);
		return -EINVAL;
	}
	if (strlen(val) >= sizeof(cfg->path)) {
		VC_LOG(ERR, "devarg '%s=%s' is too long: a unix socket path has at most %zu bytes",
		       key, val, sizeof(cfg->path) - 1);
		return -EINVAL;
	}
	strcpy(cfg->path, val);
	return 0;
}

static int
arg_mac(const char *key, const char *val, void *opaque)
{
	struct vc_cfg *cfg = opaque;

	if (val == NULL || rte_ether_unformat_addr(val, &cfg->mac) < 0 ||
	    !rte_is_valid_assigned_ether_addr(&cfg->mac)) {
		VC_LOG(ERR, "invalid value '%s' for devarg '%s': expected a unicast, non-zero MAC address like 02:00:00:00:00:01",
		       val ? val : "", key);
		return -EINVAL;
	}
	cfg->mac_set = true;
	return 0;
}

static int
arg_queues(const char *key, const char *val, void *opaque)
{
	unsigned long v;
	int ret = parse_uint(key, val, 1, VC_QUEUE_PAIRS_MAX, &v);

	if (ret == 0)
		((struct vc_cfg *)opaque)->queues = v;
	return ret;
}

static int
arg_queue_size(const char *key, const char *val, void *opaque)
{
	unsigned long v;
	int ret = parse_uint(key, val, VC_QUEUE_SIZE_MIN, VC_QUEUE_SIZE_MAX, &v);

	if (ret == 0 && !rte_is_power_of_2(v)) {
		VC_LOG(ERR, "invalid value '%s' for devarg '%s': must be a power of two",
		       val, key);
		ret = -EINVAL;
	}
	if (ret == 0)
		((struct vc_cfg *)opaque)->queue_size = v;
	return ret;
}

static int
arg_bool(const char *key, const char *val, bool *out)
{
	unsigned long v;
	int ret = parse_uint(key, val, 0, 1, &v);

	if (ret == 0)
		*out = v;
	return ret;
}

static int
arg_mrg(const char *key, const char *val, void *opaque)
{
	return arg_bool(key, val, &((struct vc_cfg *)opaque)->mrg_rxbuf);
}

static int
arg_cq(const char *key, const char *val, void *opaque)
{
	return arg_bool(key, val, &((struct vc_cfg *)opaque)->cq);
}

static int
arg_server(const char *key, const char *val, void *opaque)
{
	return arg_bool(key, val, &((struct vc_cfg *)opaque)->server);
}

static int
arg_in_order(const char *key, const char *val, void *opaque)
{
	return arg_bool(key, val, &((struct vc_cfg *)opaque)->in_order);
}

static int
arg_packed_vq(const char *key, const char *val, void *opaque)
{
	return arg_bool(key, val, &((struct vc_cfg *)opaque)->packed_vq);
}

static int
arg_vectorized(const char *key, const char *val, void *opaque)
{
	return arg_bool(key, val, &((struct vc_cfg *)opaque)->vectorized);
}

/* Keys of net_virtio_user this driver has no implementation of (iface,
 * for vhost-kernel): refused with a clear reason. */
static int
arg_not_yet(const char *key, const char *val, void *opaque)
{
	RTE_SET_USED(opaque);
	VC_LOG(ERR, "devarg '%s=%s' is not supported by net_virtio_container yet",
	       key, val ? val : "");
	return -ENOTSUP;
}

static int
arg_speed(const char *key, const char *val, void *opaque)
{
	static const uint32_t speeds[] = {
		RTE_ETH_SPEED_NUM_10M, RTE_ETH_SPEED_NUM_100M,
		RTE_ETH_SPEED_NUM_1G, RTE_ETH_SPEED_NUM_2_5G,
		RTE_ETH_SPEED_NUM_5G, RTE_ETH_SPEED_NUM_10G,
		RTE_ETH_SPEED_NUM_20G, RTE_ETH_SPEED_NUM_25G,
		RTE_ETH_SPEED_NUM_40G, RTE_ETH_SPEED_NUM_50G,
		RTE_ETH_SPEED_NUM_56G, RTE_ETH_SPEED_NUM_100G,
		RTE_ETH_SPEED_NUM_200G,
	};
	unsigned long v;
	unsigned int i;

	if (parse_uint(key, val, 1, UINT32_MAX, &v) < 0)
		return -EINVAL;
	for (i = 0; i < RTE_DIM(speeds); i++) {
		if (v == speeds[i]) {
			((struct vc_cfg *)opaque)->speed = v;
			return 0;
		}
	}
	VC_LOG(ERR, "invalid value '%s' for devarg '%s': not an Ethernet speed in Mbps (e.g. 10000, 25000, 100000)",
	       val, key);
	return -EINVAL;
}

int
vc_devargs_parse(const char *name, const char *args, struct vc_cfg *cfg)
{
	static const struct {
		const char *key;
		arg_handler_t fn;
	} handlers[] = {
		{ VC_ARG_PATH, arg_path },
		{ VC_ARG_MAC, arg_mac },
		{ VC_ARG_QUEUES, arg_queues },
		{ VC_ARG_QUEUE_SIZE, arg_queue_size },
		{ VC_ARG_MRG_RXBUF, arg_mrg },
		{ VC_ARG_IN_ORDER, arg_in_order },
		{ VC_ARG_PACKED_VQ, arg_packed_vq },
		{ VC_ARG_SPEED, arg_speed },
		{ VC_ARG_CQ, arg_cq },
		{ VC_ARG_SERVER, arg_server },
		{ VC_ARG_VECTORIZED, arg_vectorized },
		{ VC_ARG_IFNAME, arg_not_yet },
	};
	struct rte_kvargs *kv;
	unsigned int i;
	int ret = 0;

	memset(cfg, 0, sizeof(*cfg));
	cfg->queues = 1;
	cfg->queue_size = VC_QUEUE_SIZE_DEFAULT;
	cfg->mrg_rxbuf = true;
	/* Upstream defaults to cq=0; the control queue costs nothing on the
	 * datapath and multi-queue needs it (5.1.3.1). */
	cfg->cq = true;
	cfg->in_order = true;
	/* Upstream defaults to vectorized=0; ours takes the widest vector
	 * bursts the CPU and EAL allow unless told not to (vc_rxtx_select()). */
	cfg->vectorized = true;
	cfg->speed = RTE_ETH_SPEED_NUM_UNKNOWN;

	kv = rte_kvargs_parse(args ? args : "", vc_valid_args);
	if (kv == NULL) {
		VC_LOG(ERR, "%s: cannot parse devargs '%s'; valid keys: %s",
		       name, args ? args : "", VC_DEVARGS_HELP);
		return -EINVAL;
	}
	for (i = 0; i < RTE_DIM(handlers) && ret == 0; i++) {
		if (rte_kvargs_count(kv, handlers[i].key) > 1) {
			VC_LOG(ERR, "%s: devarg '%s' given more than once",
			       name, handlers[i].key);
			ret = -EINVAL;
			break;
		}
		ret = rte_kvargs_process(kv, handlers[i].key, handlers[i].fn,
					 cfg);
	}
	if (ret == 0 && cfg->path[0] == '\0') {
		VC_LOG(ERR, "%s: devarg '%s' is required (the vhost-user socket)",
		       name, VC_ARG_PATH);
		ret = -EINVAL;
	}
	/* 5.1.3.1: VIRTIO_NET_F_MQ requires VIRTIO_NET_F_CTRL_VQ. */
	if (ret == 0 && cfg->queues > 1 && !cfg->cq) {
		VC_LOG(ERR, "%s: %s=%u needs the control queue to enable the queue pairs: drop %s=0 (net_virtio_container defaults to %s=1)",
		       name, VC_ARG_QUEUES, cfg->queues, VC_ARG_CQ, VC_ARG_CQ);
		ret = -EINVAL;
	}
	rte_kvargs_free(kv);
	return ret < 0 ? -EINVAL : 0;
}
