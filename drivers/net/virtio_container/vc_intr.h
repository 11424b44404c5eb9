/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef VC_INTR_H
#define VC_INTR_H

/*
 * RX interrupts: each RX queue's "MSI-X vector" is the call eventfd the
 * vhost backend writes when it completes buffers in that queue (devsim
 * creates it at DRIVER_OK and closes it at reset; it stays devsim's).
 * With dev_conf.intr_conf.rxq = 1, dev_start puts those fds in
 * eth_dev->intr_handle (one efd per RX queue, vector RTE_INTR_VEC_RXTX_OFFSET
 * + queue), so the usual ethdev calls work:
 *
 *	rte_eth_dev_configure(port, nq, nq, &(conf.intr_conf.rxq = 1));
 *	rte_eth_dev_start(port);
 *	rte_eth_dev_rx_intr_ctl_q(port, q, RTE_EPOLL_PER_THREAD,
 *				  RTE_INTR_EVENT_ADD, data);   // after start
 *	idle: rte_eth_dev_rx_intr_enable(port, q);
 *	      rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, n, timeout);
 *	      rte_eth_dev_rx_intr_disable(port, q); then poll again
 *
 * The handle lives from dev_start to dev_stop: a restarted port has new
 * fds, so the application registers them again after each start.
 */

#include <stdint.h>

#include <ethdev_driver.h>

/**
 * Check at dev_configure that RX interrupts, if asked for, can be given.
 * @return 0, or -ENOTSUP (logged) when intr_conf.rxq is set and the
 * transport has no interrupt eventfds.
 */
int vc_intr_configure(struct rte_eth_dev *dev);

/**
 * Install eth_dev->intr_handle with every RX queue's call eventfd.  Call
 * at dev_start after DRIVER_OK (the fds exist only from then on); does
 * nothing unless intr_conf.rxq is set.  The fds stay owned by the device.
 * @return 0, -ENOTSUP when a queue has no eventfd, -ENOMEM (logged).
 */
int vc_intr_install(struct rte_eth_dev *dev);

/**
 * Undo vc_intr_install(): take the fds out of every epoll set the
 * application added them to, free the handle (the fds are not closed).
 * Call before the device reset closes the fds.  Idempotent.  Must not run
 * while an lcore waits on or enables the port's interrupts.
 */
void vc_intr_uninstall(struct rte_eth_dev *dev);

/**
 * eth_dev_ops.rx_queue_intr_enable: arm the queue's notification.  If
 * completions were already pending when it was armed (they will never be
 * signalled), the queue's eventfd is signalled here so that a waiter
 * wakes up and polls them.
 * @return 0, -ENOTSUP when the port is not started with intr_conf.rxq.
 */
int vc_rx_queue_intr_enable(struct rte_eth_dev *dev, uint16_t qid);

/**
 * eth_dev_ops.rx_queue_intr_disable: suppress the queue's notifications.
 * @return 0, -ENOTSUP when the port is not started with intr_conf.rxq.
 */
int vc_rx_queue_intr_disable(struct rte_eth_dev *dev, uint16_t qid);

#endif /* VC_INTR_H */
