/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef VC_MP_H
#define VC_MP_H

/*
 * DPDK multi-process: a secondary process attaches to a port the primary
 * created and runs RX/TX on queues of its own.  The queues (rings, slots,
 * counters) live in DPDK memory, which secondaries map at the same
 * addresses, so the datapath is shared as is.  What is not shared is the
 * device: devsim lives in the primary.  A secondary gets the two things
 * of the device that its datapath needs as copies of the primary's file
 * descriptors (rte_mp request "vc_mp", SCM_RIGHTS underneath):
 *   - each started virtqueue's kick eventfd: its doorbell, what a notify
 *     write of that queue signals in the primary (devsim_dev_kick_fd());
 *   - each started virtqueue's call eventfd: its RX interrupt vector.
 * The secondary's transport is a doorbell over those fds (vc_queue_notify()
 * writes 1 to the queue's kick fd), and vc_intr.c builds its interrupt
 * handle from the call fds as in the primary.
 *
 *	primary, probe:   vc_mp_primary_register();     close: ..._unregister()
 *	secondary, probe: return vc_mp_secondary_probe(vdev, &primary_ops);
 *	secondary remove: vc_mp_secondary_close(dev); release the port
 *
 * Rules: the port must be started in the primary when a secondary
 * attaches (before that its queues have no eventfds).  A port stop in the
 * primary closes the fds and its next start makes new ones and may
 * negotiate other features: secondaries attached before must detach and
 * attach again.  Configure, start, stop and queue setup are the primary's
 * (-E_RTE_SECONDARY in a secondary); a backend reconnect keeps the fds.
 */

#include <ethdev_driver.h>
#include <bus_vdev_driver.h>

/** Name of the rte_mp action of the driver (one for all ports). */
#define VC_MP_ACTION "vc_mp"

/**
 * Primary: answer secondaries' fd requests for this driver's ports.  Once
 * per port (counted; the action is registered with the first port).  A
 * process without multi-process support (--no-shconf, --in-memory) gets 0
 * and no action.
 * @return 0, or a negative errno from rte_mp_action_register().
 */
int vc_mp_primary_register(void);

/** Primary: undo one vc_mp_primary_register() (the last one removes the
 *  action). */
void vc_mp_primary_unregister(void);

/**
 * Secondary: attach to port @vdev of the primary, fetch its queues' fds,
 * install this process's bursts and a secondary-safe subset of
 * @primary_ops (information, statistics, RX interrupts; control ops fail
 * with -E_RTE_SECONDARY).  Without fds (the port is not started in the
 * primary) the port attaches but this process can neither kick nor sleep
 * on RX interrupts (logged).
 * @return 0, -ENODEV (the primary has no such port), -ENOMEM.
 */
int vc_mp_secondary_probe(struct rte_vdev_device *vdev,
			  const struct eth_dev_ops *primary_ops);

/**
 * Secondary: release what this process holds for @dev: its interrupt
 * handle, its copies of the fds, its process-private state.  The port and
 * its queues are the primary's and stay.  Idempotent.
 */
void vc_mp_secondary_close(struct rte_eth_dev *dev);

#endif /* VC_MP_H */
