/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef VC_LSC_H
#define VC_LSC_H

/*
 * Link state change interrupts.  The transport's event fd (devsim: backend
 * lost, reconnect timer, backend back) is watched by EAL's interrupt
 * thread through an interrupt handle of its own (RTE_INTR_HANDLE_EXT; the
 * port's intr_handle belongs to RX interrupts, vc_intr.c).  The callback
 * lets the transport handle the event, re-reads the link from the device's
 * status field (link_update) and, when it changed and the application set
 * intr_conf.lsc, raises RTE_ETH_EVENT_INTR_LSC.  The datapath never looks
 * at the connection.
 *
 * Recipe: vc_lsc_install(dev) at the end of probe (sets
 * RTE_ETH_DEV_INTR_LSC), vc_lsc_uninstall(dev) before the transport is
 * closed.  Both run on the control path, never from the callback.
 */

#include <stdint.h>

struct rte_eth_dev;

/**
 * Watch the transport's event fd.  A transport without one is fine (no
 * LSC, 0 returned).
 * @return 0 or a negative errno (logged).
 */
int vc_lsc_install(struct rte_eth_dev *dev);

/** Stop watching; waits for a running callback to finish.  Idempotent. */
void vc_lsc_uninstall(struct rte_eth_dev *dev);

/**
 * A queue of port @port_id just latched broken (called from the burst
 * that broke it, once: later bursts return before looking at the ring).
 * Schedules an EAL alarm that re-reads the link on the interrupt thread:
 * link_update reports the broken queue as link down and logs the reason,
 * and RTE_ETH_EVENT_INTR_LSC is raised.  Primary process only; thread safe.
 */
void vc_lsc_ring_broken(uint16_t port_id);

#endif /* VC_LSC_H */
