/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef DEVSIM_SUPERVISE_H
#define DEVSIM_SUPERVISE_H

/*
 * The backend supervisor: notices that the backend went away, sets link
 * down, reconnects with bounded backoff, replays the device state
 * (devsim_vpci_restore) and sets link up again.  devsim owns no thread,
 * so everything it waits for is one epoll fd the caller watches: the
 * backend socket while connected, a timerfd (client mode: next connect
 * attempt) and the listening socket (server mode) while not.  That fd
 * never changes for the device's lifetime.
 *
 * Recipe (devsim.c, under the device lock):
 *   devsim_sup_init(&sup, &params);      // after the backend is opened
 *   fd = sup.epfd;                        // devsim_dev_event_fd()
 *   devsim_sup_handle(&sup);             // when fd is readable
 *   devsim_sup_fini(&sup);
 *
 * Backoff: 10 ms after the loss, doubling to DEVSIM_SUP_BACKOFF_MAX_MS;
 * a connect() attempt costs microseconds, and the cap keeps the time
 * between a backend coming back and traffic resuming well under 1 s.
 */

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "log.h"
#include "virtio_pci.h"

#define DEVSIM_SUP_BACKOFF_MIN_MS 10u
#define DEVSIM_SUP_BACKOFF_MAX_MS 250u

struct devsim_sup_params {
	const struct devsim_log *log;
	const struct devsim_backend_ops *ops;
	struct devsim_backend *be;     /**< ops->reconnect must not be NULL */
	struct devsim_vpci *vp;
	bool connected;                /**< a backend is there at init */
};

struct devsim_sup {
	const struct devsim_log *log;
	const struct devsim_backend_ops *ops;
	struct devsim_backend *be;
	struct devsim_vpci *vp;
	int epfd;             /**< owned; what the caller watches */
	int timerfd;          /**< owned; armed while retrying (client) */
	int sock_fd;          /**< backend socket in epfd, or -1 */
	int wait_fd;          /**< listening socket in epfd, or -1 */
	bool up;              /**< a backend serves the device */
	unsigned int backoff_ms;
	uint64_t reconnects;  /**< backends that came back */
	uint64_t attempts;    /**< failed attempts since the loss */
};

/**
 * Create the epoll fd and the timerfd and watch the backend.
 * @return 0 or a negative errno (nothing left open).
 */
int devsim_sup_init(struct devsim_sup *s, const struct devsim_sup_params *p);

/**
 * Handle what made s->epfd readable: a dead backend (link down, retries
 * start), a retry timer, a pending connection.
 * @return 0 while a backend serves the device, -ENOTCONN otherwise.
 */
int devsim_sup_handle(struct devsim_sup *s);

/** Close the fds devsim_sup_init() created (the backend's stay). */
void devsim_sup_fini(struct devsim_sup *s);

#endif /* DEVSIM_SUPERVISE_H */
