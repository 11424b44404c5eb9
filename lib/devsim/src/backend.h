/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef DEVSIM_BACKEND_H
#define DEVSIM_BACKEND_H

/*
 * The seam between a device model (virtio_pci + virtio_net) and whatever
 * implements the device's datapath (today: a vhost-user backend reached by
 * vu_frontend).  The device model turns register writes into these calls;
 * it never knows about sockets or messages.
 *
 * Recipe (what the device model does):
 *   be_ops->set_features(be, negotiated)              at FEATURES_OK
 *   be_ops->set_mem_table(be, regions, n)              at DRIVER_OK (and on
 *                                                      devsim_mem_set later)
 *   be_ops->vring_start(be, q, &cfg) per enabled queue at DRIVER_OK
 *   be_ops->set_status(be, status)                     on every status write
 *   be_ops->vring_stop(be, q, &base) per started queue at reset
 *   be_ops->vring_enable(be, q, on)    started data queues, when the
 *                                      driver changes the queue pairs in
 *                                      use (control queue VQ_PAIRS_SET)
 *
 * All ops return 0 or a negative errno; on error the device model sets
 * DEVICE_NEEDS_RESET (or refuses FEATURES_OK) and logs.  Ops are called
 * with the device lock held and never concurrently for one backend.
 */

#include <stdbool.h>
#include <stdint.h>

#include "devsim/devsim.h"

/** What the backend offers, learned once when it is opened. */
struct devsim_backend_info {
	uint64_t features;       /**< device feature bits (no vhost-only bits) */
	uint16_t max_vrings;     /**< vrings it accepts (2 * pairs [+ 1]) */
	uint16_t max_mem_regions;/**< regions SET_MEM_TABLE accepts (8) */
};

/** One vring as the driver programmed it. */
struct devsim_vring_cfg {
	uint16_t num;       /**< ring size (entries) */
	uint16_t base;      /**< next avail index the backend reads (0 at start);
			     *   packed: bit 15 holds the wrap counter */
	uint64_t desc;      /**< CVA of the descriptor area */
	uint64_t avail;     /**< CVA of the driver area */
	uint64_t used;      /**< CVA of the device area */
	int kick_fd;        /**< eventfd the driver's notify writes signal;
			     *   owned by the device model, the backend dup()s
			     *   or sends it, never closes it */
	int call_fd;        /**< eventfd the backend signals; same ownership */
};

struct devsim_backend;

struct devsim_backend_ops {
	/** Negotiated device features (already checked against info). */
	int (*set_features)(struct devsim_backend *be, uint64_t features);
	/** Memory table after merging; fds stay owned by the caller. */
	int (*set_mem_table)(struct devsim_backend *be,
			     const struct devsim_mem_region *r, unsigned int n);
	/** Start vring @idx: NUM, BASE, ADDR, KICK, CALL, ENABLE(1). */
	int (*vring_start)(struct devsim_backend *be, unsigned int idx,
			   const struct devsim_vring_cfg *cfg);
	/**
	 * Stop vring @idx: ENABLE(0) then GET_VRING_BASE; *base gets the
	 * backend's next avail index (packed: with the wrap bit in bit 15).
	 */
	int (*vring_stop)(struct devsim_backend *be, unsigned int idx,
			  uint32_t *base);
	/**
	 * Let the backend use started vring @idx (@enable) or make it leave
	 * the vring alone, without stopping it (vhost-user
	 * SET_VRING_ENABLE; no GET_VRING_BASE, the ring keeps its state).
	 * May be NULL.  -ENOTSUP when the backend cannot (vhost-user without
	 * VHOST_USER_F_PROTOCOL_FEATURES enables a vring at its first kick
	 * and never disables it).
	 */
	int (*vring_enable)(struct devsim_backend *be, unsigned int idx,
			    bool enable);
	/** Device status byte; a no-op when the backend has no STATUS. */
	int (*set_status)(struct devsim_backend *be, uint8_t status);
	/** fd to watch for the backend's events (socket), or -1. */
	int (*event_fd)(struct devsim_backend *be);
	/** Handle a readable event_fd: -ENOTCONN when the backend is gone. */
	int (*handle_event)(struct devsim_backend *be);
	/**
	 * Replace a lost connection by a new one and run the opening
	 * handshake again (client: one connect attempt; server: accept one
	 * pending connection).  *info gets what the new backend offers.
	 * May be NULL: the backend cannot come back (link stays down).
	 * While the connection is lost, set_features, set_mem_table,
	 * vring_start, vring_enable and set_status succeed without doing
	 * anything: the device model replays its state after reconnect.
	 * @return 0; -EAGAIN when no backend is there yet; another negative
	 * errno when one answered but the handshake failed (retry later).
	 */
	int (*reconnect)(struct devsim_backend *be,
			 struct devsim_backend_info *info);
	/**
	 * fd that becomes readable when a backend may be there (server:
	 * the listening socket), or -1 (client: poll with a timer).  May be
	 * NULL.
	 */
	int (*wait_fd)(struct devsim_backend *be);
	/** Close the connection and free @be. */
	void (*close)(struct devsim_backend *be);
};

#endif /* DEVSIM_BACKEND_H */
