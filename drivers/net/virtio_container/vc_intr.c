/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * RX interrupts over the per-queue call eventfds (see vc_intr.h).  The
 * ring side (avail flags / used_event) is vc_queue_intr_enable(); this
 * file is the ethdev glue: the interrupt handle and the two eth_dev_ops.
 */

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include <ethdev_driver.h>
#include <rte_errno.h>
#include <rte_interrupts.h>

#include "vc_ethdev.h"
#include "vc_intr.h"
#include "vc_logs.h"
#include "vc_rxtx.h"

int
vc_intr_configure(struct rte_eth_dev *dev)
{
	struct vc_process *p = dev->process_private;

	if (!dev->data->dev_conf.intr_conf.rxq)
		return 0;
	if (p == NULL || p->tp->ops->irq_fd == NULL) {
		VC_LOG(ERR, "%s: RX interrupts asked for, but the transport has no interrupt eventfds",
		       dev->data->name);
		return -ENOTSUP;
	}
	/* One vector per RX queue plus the (unused) config vector. */
	if (dev->data->nb_rx_queues >= RTE_MAX_RXTX_INTR_VEC_ID) {
		VC_LOG(ERR, "%s: RX interrupts for at most %u queues",
		       dev->data->name, RTE_MAX_RXTX_INTR_VEC_ID - 1);
		return -ENOTSUP;
	}
	return 0;
}

int
vc_intr_install(struct rte_eth_dev *dev)
{
	struct vc_process *p = dev->process_private;
	uint16_t nb = dev->data->nb_rx_queues, i;
	struct rte_intr_handle *h;
	int ret;

	if (!dev->data->dev_conf.intr_conf.rxq || nb == 0)
		return 0;
	vc_intr_uninstall(dev);
	h = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (h == NULL) {
		ret = -ENOMEM;
		goto err_log;
	}
	/*
	 * VDEV: EAL's epoll callback reads efd_counter_size bytes from a
	 * ready fd, which is what clears an eventfd.
	 */
	if (rte_intr_type_set(h, RTE_INTR_HANDLE_VDEV) != 0 ||
	    rte_intr_efd_counter_size_set(h, sizeof(uint64_t)) != 0 ||
	    rte_intr_nb_efd_set(h, nb) != 0 ||
	    rte_intr_max_intr_set(h, nb + 1) != 0 ||
	    rte_intr_vec_list_alloc(h, "vc_rx_intr_vec", nb) != 0) {
		ret = -(rte_errno ? rte_errno : EINVAL);
		goto err_free;
	}
	for (i = 0; i < nb; i++) {
		const struct vc_queue *q = dev->data->rx_queues[i];
		int fd = p->tp->ops->irq_fd(p->tp, q->notify.qidx);

		if (fd < 0) {
			VC_LOG(ERR, "%s: RX queue %u (vq %u) has no interrupt eventfd",
			       dev->data->name, i, q->notify.qidx);
			ret = -ENOTSUP;
			goto err_free;
		}
		if (rte_intr_efds_index_set(h, i, fd) != 0 ||
		    rte_intr_vec_list_index_set(h, i, RTE_INTR_VEC_RXTX_OFFSET + i) != 0) {
			ret = -(rte_errno ? rte_errno : EINVAL);
			goto err_free;
		}
	}
	dev->intr_handle = h;
	return 0;

err_free:
	rte_intr_vec_list_free(h);
	rte_intr_instance_free(h);
err_log:
	VC_LOG(ERR, "%s: cannot set up RX interrupts: %s", dev->data->name,
	       rte_strerror(-ret));
	return ret;
}

void
vc_intr_uninstall(struct rte_eth_dev *dev)
{
	struct rte_intr_handle *h = dev->intr_handle;

	if (h == NULL)
		return;
	dev->intr_handle = NULL;
	/* While the fds are still open: an epoll set forgets a closed fd by
	 * itself, but EAL's per-fd event records live in the handle. */
	rte_intr_free_epoll_fd(h);
	rte_intr_vec_list_free(h);
	rte_intr_instance_free(h);
}

/* Empty the eventfd's counter: a notification from before this arming
 * would otherwise wake the next wait for nothing. */
static void
vc_intr_fd_clear(int fd)
{
	uint64_t v;
	ssize_t rc;

	rc = read(fd, &v, sizeof(v));	/* non-blocking: EAGAIN when 0 */
	(void)rc;
}

static void
vc_intr_fd_signal(int fd)
{
	uint64_t one = 1;
	ssize_t rc;

	rc = write(fd, &one, sizeof(one));	/* EAGAIN: saturated, wakes anyway */
	(void)rc;
}

int
vc_rx_queue_intr_enable(struct rte_eth_dev *dev, uint16_t qid)
{
	struct vc_queue *q = dev->data->rx_queues[qid];
	int fd;

	if (dev->intr_handle == NULL || q == NULL)
		return -ENOTSUP;
	fd = rte_intr_efds_index_get(dev->intr_handle, qid);
	if (fd < 0)
		return -ENOTSUP;
	vc_intr_fd_clear(fd);
	/*
	 * The bursts give buffers back at their start (rx_burst()): top the
	 * ring up before sleeping, or a waiter that took the last ones would
	 * wait for packets the device has nowhere to put. A failed allocation
	 * is counted (rx_nombuf); the next burst retries.
	 */
	if (dev->data->dev_started && vc_queue_broken(q) == NULL)
		(void)vc_rxq_fill(q);
	/*
	 * Buffers completed before the device saw the request are never
	 * signalled: raise the interrupt ourselves so the waiter polls them
	 * (the same eventfd the backend writes; writes are atomic).
	 */
	if (vc_queue_intr_enable(q, true) > 0)
		vc_intr_fd_signal(fd);
	return 0;
}

int
vc_rx_queue_intr_disable(struct rte_eth_dev *dev, uint16_t qid)
{
	struct vc_queue *q = dev->data->rx_queues[qid];

	if (dev->intr_handle == NULL || q == NULL)
		return -ENOTSUP;
	vc_queue_intr_enable(q, false);
	return 0;
}
