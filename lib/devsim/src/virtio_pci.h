/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef DEVSIM_VIRTIO_PCI_H
#define DEVSIM_VIRTIO_PCI_H

/*
 * The virtio-pci modern transport (virtio 1.x, 4.1): the vendor
 * capabilities, and the registers behind them in one memory BAR: common
 * cfg, notify, ISR and device cfg.  Register writes become calls of the
 * backend ops (backend.h): FEATURES_OK -> set_features, DRIVER_OK ->
 * set_mem_table + vring_start per enabled queue + set_status, reset ->
 * vring_stop per started queue + set_status(0).
 *
 * Recipe:
 *   devsim_vpci_init(&vp, &params);   // queues, config eventfd
 *   devsim_vpci_layout(&vp, &pci, &io); // caps into pci, regions into io
 *   ... io handlers run on BAR accesses ...
 *   devsim_vpci_link_set(&vp, false); // backend gone: config interrupt
 *   devsim_vpci_fini(&vp);            // stops rings, closes every fd
 *
 * Locking: everything runs under the device lock except the notify
 * region's write handler, which only reads kick_fds[] (acquire) and
 * counts with atomics; for the control queue alone (which has no kick
 * fd) it takes the device lock and runs the queue's commands.  A vring's kick fd is published in kick_fds[]
 * after vring_start and withdrawn (then waited for, then closed) before
 * vring_stop, so a concurrent notify never writes to a closed fd number.
 */

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "io.h"
#include "log.h"
#include "memtable.h"
#include "pci_cfg.h"
#include "virtio_net.h"
#include "virtio_net_ctrl.h"

/** One virtqueue's registers and run state. */
struct devsim_vq {
	uint16_t size;             /**< queue_size */
	uint16_t msix_vector;      /**< queue_msix_vector */
	uint16_t enable;           /**< queue_enable */
	uint64_t desc;             /**< queue_desc */
	uint64_t driver;           /**< queue_driver (avail) */
	uint64_t device;           /**< queue_device (used) */
	uint64_t resume;           /**< queue_resume (virtio_resume.h) */
	bool started;              /**< vring_start succeeded */
	bool be_disabled;          /**< started, then vring_enable(0) */
	int kick_fd;               /**< owned; -1 when not started */
	int call_fd;               /**< owned; -1 when not started */
};

/** What the transport is built from; pointers must outlive it. */
struct devsim_vpci_params {
	const struct devsim_log *log;
	struct devsim_net *net;               /**< device model */
	const struct devsim_memtable *mem;    /**< owned by the caller */
	const struct devsim_backend_ops *ops;
	struct devsim_backend *be;            /**< owned by the caller */
	uint16_t queue_size_max;              /**< power of 2, <= 32768 */
	/** The device lock, taken by the notify handler for the control
	 *  queue only; NULL: control queue notifies are ignored. */
	pthread_mutex_t *lock;
};

struct devsim_vpci {
	/* Set by devsim_vpci_init(), then immutable. */
	const struct devsim_log *log;
	struct devsim_net *net;
	const struct devsim_memtable *mem;
	const struct devsim_backend_ops *ops;
	struct devsim_backend *be;
	uint16_t num_queues;
	uint16_t queue_size_max;
	pthread_mutex_t *lock;

	/* Registers: device lock. */
	uint32_t dfselect;
	uint32_t gfselect;
	uint64_t driver_features;
	uint16_t msix_config;
	uint8_t status;
	uint8_t generation;
	/* A connected backend the device could not be restored onto: the
	 * link comes up at the driver's reset, which starts it afresh. */
	bool link_at_reset;
	uint16_t queue_select;
	uint8_t isr;
	struct devsim_vq *vqs;     /**< num_queues entries */
	int config_fd;             /**< config-change eventfd, owned */
	uint64_t backend_calls;    /**< ops invoked */
	uint64_t backend_errors;   /**< ops that failed */
	struct devsim_net_ctrl ctrl; /**< control queue (emulated) */
	uint16_t curr_pairs;       /**< pairs the backend may use (MQ) */

	/* Lock-free notify path. */
	_Atomic int *kick_fds;     /**< num_queues entries, -1: not started */
	atomic_uint notify_users;  /**< notify writers inside the path */
	atomic_uint_fast64_t kicks;
	/** Control queue index once negotiated, else -1; written under the
	 *  lock, read by the notify handler before it takes the lock. */
	_Atomic int ctrl_vq;
};

/**
 * Initialise the transport: queue registers at their reset values, the
 * config eventfd (EFD_NONBLOCK | EFD_CLOEXEC) created.
 * @return 0, -EINVAL for a bad queue_size_max, -ENOMEM, or the errno of
 * eventfd().
 */
int devsim_vpci_init(struct devsim_vpci *vp,
		     const struct devsim_vpci_params *p);

/**
 * Expose the transport: a 64-bit BAR (DEVSIM_VPCI_BAR) in @pc with the
 * four virtio vendor capabilities and devsim's resume capability
 * (devsim/virtio_resume.h), and the register regions in @io.
 * @return 0 or a negative errno from pci_cfg / io (a layout bug).
 */
int devsim_vpci_layout(struct devsim_vpci *vp, struct devsim_pci_cfg *pc,
		       struct devsim_io *io);

/** Reset the device (stops started rings) and close every fd it owns. */
void devsim_vpci_fini(struct devsim_vpci *vp);

/**
 * The memory table changed: when the device runs, send it to the backend
 * now.  @return 0, or the backend's error (the device then needs reset).
 */
int devsim_vpci_mem_changed(struct devsim_vpci *vp);

/**
 * Backend link state changed: update the net status, bump
 * config_generation, set the ISR config bit and signal the config eventfd.
 * Nothing happens when the state is unchanged.
 */
void devsim_vpci_link_set(struct devsim_vpci *vp, bool up);

/**
 * The backend is connected but the running device could not be restored
 * onto it (NEEDS_RESET): keep the link down until the driver resets the
 * device (@pending true), then bring it up, since the driver's new start
 * runs on this backend.  @pending false (the backend went away again)
 * cancels that.
 */
void devsim_vpci_link_at_reset(struct devsim_vpci *vp, bool pending);

/**
 * A new backend replaced a lost one (virtio_pci_restore.c): replay the
 * device's state to it: features, FEATURES_OK, memory table, every started
 * vring from the used index in shared memory with the same kick/call fds,
 * disabled pairs, then the status.  Link state is the caller's business.
 * @return 0; a negative errno when the state cannot be replayed (packed
 * rings, missing features, a refused request), after setting
 * DEVICE_NEEDS_RESET with the reason logged.
 */
int devsim_vpci_restore(struct devsim_vpci *vp,
			const struct devsim_backend_info *info);

/** Call eventfd of queue @vq, the config eventfd for DEVSIM_IRQ_CONFIG,
 *  or -1. */
int devsim_vpci_irq_fd(const struct devsim_vpci *vp, unsigned int vq);

/** Kick eventfd of started queue @vq (the control queue has none), or -1. */
int devsim_vpci_kick_fd(const struct devsim_vpci *vp, unsigned int vq);

#endif /* DEVSIM_VIRTIO_PCI_H */
