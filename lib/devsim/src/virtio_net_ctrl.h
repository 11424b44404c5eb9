/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef DEVSIM_VIRTIO_NET_CTRL_H
#define DEVSIM_VIRTIO_NET_CTRL_H

/*
 * The virtio-net control virtqueue (virtio 1.x 5.1.6.5), emulated by devsim
 * itself: the vhost-user backend never sees this queue.  The transport
 * calls devsim_net_ctrl_process() when the driver writes the queue's notify
 * register; every command completes before that write returns.
 *
 * Recipe:
 *   devsim_net_ctrl_init(&c, &env);                      // once
 *   idx = devsim_net_ctrl_vq_index(net, features);       // at FEATURES_OK
 *   rc = devsim_net_ctrl_start(&c, features, size, desc, avail, used);
 *   n = devsim_net_ctrl_process(&c);     // notify; < 0: needs reset
 *   devsim_net_ctrl_reset(&c);           // device reset: MAC back, stopped
 *
 * Commands: MQ VQ_PAIRS_SET -> env.ops->pairs_set(); MAC ADDR_SET -> the
 * device config mac + env.ops->config_changed().  Every other class or
 * command (RX mode, MAC table, VLAN filter, announce, guest offloads, RSS)
 * is answered VIRTIO_NET_ERR: devsim does not see the datapath, so it
 * cannot filter, and the features promising it are not offered.
 *
 * Trust: the driver's ring and buffers are read in place (same process),
 * each range only after devsim_memtable_contains() said yes; chains are
 * bounded by the queue size and DEVSIM_NET_CTRL_CHAIN_MAX.
 *
 * Not thread safe: the device lock serialises every call.
 */

#include <stdbool.h>
#include <stdint.h>

#include "log.h"
#include "memtable.h"
#include "virtio_net.h"

/** Most descriptors one command may use (header, data..., ack). */
#define DEVSIM_NET_CTRL_CHAIN_MAX  16u
/** Most device-readable bytes (header + data) of one command. */
#define DEVSIM_NET_CTRL_DATA_MAX   512u

/** What a command does outside the control queue; called under the lock. */
struct devsim_net_ctrl_ops {
	/**
	 * Use queue pairs [0, @pairs) and stop using the others
	 * (1 <= @pairs <= max_vq_pairs, checked by the caller).
	 * @return 0 or a negative errno (the command then fails).
	 */
	int (*pairs_set)(void *opaque, uint16_t pairs);
	/** The device configuration changed: bump generation, interrupt. */
	void (*config_changed)(void *opaque);
};

/** Set once by devsim_net_ctrl_init(); pointers must outlive the queue. */
struct devsim_net_ctrl_env {
	const struct devsim_log *log;
	const struct devsim_memtable *mem;
	struct devsim_net *net;               /**< mac is updated in place */
	const struct devsim_net_ctrl_ops *ops;
	void *opaque;                         /**< passed to ops */
};

struct devsim_net_ctrl {
	struct devsim_net_ctrl_env env;
	uint8_t mac_default[6];    /**< the plug-time MAC, restored at reset */

	/* Ring state: set by start, cleared by reset. */
	bool running;
	uint64_t features;         /**< negotiated */
	uint16_t size;
	uint64_t desc, avail, used; /**< CVAs, checked at each process */
	uint16_t last_avail;       /**< next avail entry to consume */
	uint16_t used_idx;         /**< shadow of used->idx */

	/* Counters, kept across resets. */
	uint64_t commands;         /**< chains completed */
	uint64_t errors;           /**< of which answered VIRTIO_NET_ERR */
};

/** Initialise (stopped) and remember env->net->mac as the default MAC. */
void devsim_net_ctrl_init(struct devsim_net_ctrl *c,
			  const struct devsim_net_ctrl_env *env);

/**
 * Index of the control queue for the negotiated @features: 2 * max pairs
 * with VIRTIO_NET_F_MQ, else 2 (5.1.2); -1 without VIRTIO_NET_F_CTRL_VQ.
 */
int devsim_net_ctrl_vq_index(const struct devsim_net *net, uint64_t features);

/**
 * Start the control queue the driver programmed.
 * @return 0; -ENOTSUP with VIRTIO_F_RING_PACKED (only split rings are
 * emulated here); -EINVAL for a size that is not a power of 2; -EFAULT
 * when a ring area lies outside the memory table.  Logged.
 */
int devsim_net_ctrl_start(struct devsim_net_ctrl *c, uint64_t features,
			  uint16_t size, uint64_t desc, uint64_t avail,
			  uint64_t used);

/**
 * Complete every command the driver made available: ack byte, used
 * entry, used->idx (release).  A command that is malformed but whose ack
 * byte is reachable is answered VIRTIO_NET_ERR.
 * @return commands completed (0 when stopped or nothing new); -EPROTO
 * (bad avail index, head or next, chain too long or looping, no ack byte)
 * or -EFAULT (ring or ack outside the memory table): the queue stops and
 * the caller sets DEVICE_NEEDS_RESET.  Logged.
 */
int devsim_net_ctrl_process(struct devsim_net_ctrl *c);

/** Device reset: stop the queue and restore the default MAC. */
void devsim_net_ctrl_reset(struct devsim_net_ctrl *c);

#endif /* DEVSIM_VIRTIO_NET_CTRL_H */
