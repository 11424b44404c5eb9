/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef VC_CVQ_H
#define VC_CVQ_H

/*
 * The driver side of the virtio-net control virtqueue (5.1.6.5): a small
 * split ring in DPDK memory (so the device can reach it once
 * vc_mem_port_start() ran) and one command buffer; commands are sent one at a
 * time and waited for.
 *
 * Recipe:
 *   f = vc_cvq_wanted(cfg.cq, vlan_filter, f, offered); // feature bits
 *   vc_cvq_alloc(port, socket, &cvq);              // probe (cq=1)
 *   vc_cvq_program(cvq, &dev, features);           // dev_start, pre DRIVER_OK
 *   vc_cvq_send(cvq, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET,
 *               &le_pairs, 2);                     // after DRIVER_OK
 *   vc_cvq_stop(cvq);                              // after the device reset
 *   vc_cvq_free(cvq);                              // close
 *
 * Threading: vc_cvq_send() serialises callers with a spinlock; it may
 * sleep (bounded by VC_CVQ_TIMEOUT_US) while a device completes a command.
 * program/stop/free run on the control path with no send in flight.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_memzone.h>
#include <rte_spinlock.h>

#include "vc_dev.h"
#include "vc_ring.h"
#include "vc_rxtx.h"

#define VC_CVQ_SIZE		16	/* ring entries: one command at a time */
#define VC_CVQ_DATA_MAX		1024	/* command payload bytes (MAC tables) */
#define VC_CVQ_TIMEOUT_US	1000000	/* a device that takes longer is dead */
#define VC_CVQ_POLL_US		10

struct vc_cvq {
	struct vc_ring ring;
	struct vc_notify notify;
	const struct rte_memzone *mz;   /**< ring, then header/ack/data */
	uint8_t *hdr;                   /**< class, command (2 bytes) */
	volatile uint8_t *ack;          /**< device-written status */
	uint8_t *data;                  /**< VC_CVQ_DATA_MAX bytes */
	rte_spinlock_t lock;            /**< one command at a time */
	bool ready;                     /**< programmed for a running device */
	bool dead;                      /**< a command timed out: no more
					 *   until the next vc_cvq_program() */
	struct vc_ring_slot slots[VC_CVQ_SIZE];
};

/**
 * Feature bits @wanted plus the control queue ones when @cq allows it:
 * CTRL_VQ, CTRL_RX, CTRL_MAC_ADDR and, with @vlan_filter, CTRL_VLAN (a
 * device with CTRL_VLAN drops every tagged frame whose VID was not added,
 * so it is asked for only when the application wants a VLAN filter).
 * Nothing is added when VIRTIO_F_RING_PACKED is both @wanted and
 * @offered: this control queue is split only, and the ring layout is
 * device wide (multi-queue then runs without VQ_PAIRS_SET: devsim uses
 * every pair the driver enabled).
 */
uint64_t vc_cvq_wanted(bool cq, bool vlan_filter, uint64_t wanted,
		       uint64_t offered);

/**
 * Reserve the queue's memory (memzone "vc<port>_cvq") and its state.
 * @return 0 with *@out set (owned by the caller, freed by vc_cvq_free()),
 * or -ENOMEM (logged).
 */
int vc_cvq_alloc(uint16_t port_id, int socket, struct vc_cvq **out);

/** Free what vc_cvq_alloc() reserved; NULL is a no-op. */
void vc_cvq_free(struct vc_cvq *c);

/**
 * With VIRTIO_NET_F_CTRL_VQ in @features: lay the ring out and program
 * the control queue (index 2 * max_virtqueue_pairs with MQ, else 2) on
 * @d, which must be between FEATURES_OK and DRIVER_OK.  Without it: mark
 * the queue unused.
 * @return 0, -EINVAL (@c NULL while the feature was negotiated), or the
 * error of vc_dev_queue_setup() / vc_dev_config_read().
 */
int vc_cvq_program(struct vc_cvq *c, struct vc_dev *d, uint64_t features);

/** The device was reset: no command may be sent until programmed again. */
void vc_cvq_stop(struct vc_cvq *c);

/**
 * Send one command and wait for the device's answer.
 * @return 0 when the device answered VIRTIO_NET_OK; -EIO when it answered
 * VIRTIO_NET_ERR or broke the ring; -ENODEV when the queue is not
 * programmed (port stopped, feature not negotiated); -ETIMEDOUT after
 * VC_CVQ_TIMEOUT_US (the queue is then dead until the next start);
 * -EINVAL for @len > VC_CVQ_DATA_MAX.
 */
int vc_cvq_send(struct vc_cvq *c, uint8_t cls, uint8_t cmd, const void *data,
		uint32_t len);

#endif /* VC_CVQ_H */
