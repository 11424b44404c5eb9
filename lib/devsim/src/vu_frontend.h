/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef DEVSIM_VU_FRONTEND_H
#define DEVSIM_VU_FRONTEND_H

/*
 * vhost-user frontend ("master"), client mode: the struct devsim_backend_ops
 * implementation that turns device-model events into vhost-user message
 * sequences (vu_msg) over one connection (vu_conn).
 *
 * Recipe:
 *   struct devsim_vu_params p = { .path = "/run/vhost.sock",
 *                                 .connect_timeout_ms = 1000,
 *                                 .want_vrings = 2 };
 *   struct devsim_backend *be; struct devsim_backend_info info;
 *   ret = devsim_vu_open(&p, &log, &be, &info);   // SET_OWNER, features
 *   devsim_vu_backend_ops.set_features(be, negotiated);
 *   devsim_vu_backend_ops.set_mem_table(be, regions, n);
 *   devsim_vu_backend_ops.vring_start(be, 0, &cfg);
 *   ...
 *   devsim_vu_backend_ops.close(be);
 *
 * Every request waits for its reply (or, with REPLY_ACK, its ack) before
 * returning.  After a connection or protocol error the backend is latched
 * broken and every later op returns -ENOTCONN without touching the socket.
 * Not thread safe: the device model serialises calls (backend.h).
 */

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "log.h"

struct devsim_vu_params {
	const char *path;                 /**< unix socket of the backend */
	unsigned int connect_timeout_ms;  /**< retry bound; 0: one attempt */
	uint16_t want_vrings;             /**< vrings the device wants; only
					   *   used to warn when the backend
					   *   has fewer (0: no wish) */
	/** After the connection is lost, configuration ops succeed without
	 *  a message and ops.reconnect() may bring a new backend. */
	bool reconnect;
	/**
	 * Listen on @path instead of connecting (implies @reconnect); wait
	 * up to connect_timeout_ms for the first backend, then return with
	 * no backend (default features, VU_DEFAULT_FEATURES, ops deferred).
	 */
	bool server;
};

/**
 * Connect to p->path and run the opening handshake: SET_OWNER,
 * GET_FEATURES and, when offered, GET/SET_PROTOCOL_FEATURES (MQ,
 * REPLY_ACK, STATUS) and GET_QUEUE_NUM.
 *
 * @param log  copied; may be NULL
 * @return 0 with *be (free it with devsim_vu_backend_ops.close) and *info
 * filled; a negative errno from devsim_vu_conn_connect() when the socket
 * cannot be reached, -EPROTO/-ENOTCONN/-ETIMEDOUT/-EIO when the handshake
 * fails.  Failures are logged.
 */
int devsim_vu_open(const struct devsim_vu_params *p,
		   const struct devsim_log *log, struct devsim_backend **be,
		   struct devsim_backend_info *info);

/**
 * Same handshake over the already connected socket @fd.  @fd is owned by
 * the backend from the call on, and closed here on failure.
 */
int devsim_vu_open_fd(int fd, const struct devsim_log *log,
		      struct devsim_backend **be,
		      struct devsim_backend_info *info);

/**
 * Bound on each later send and reply wait, in ms (< 0: forever).
 * Default DEVSIM_VU_CONN_TIMEOUT_MS (10 s).
 */
void devsim_vu_set_timeout(struct devsim_backend *be, int timeout_ms);

extern const struct devsim_backend_ops devsim_vu_backend_ops;

#endif /* DEVSIM_VU_FRONTEND_H */
