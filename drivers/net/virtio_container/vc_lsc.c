/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#include <errno.h>

#include <ethdev_driver.h>
#include <rte_alarm.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_interrupts.h>

#include "vc_ethdev.h"
#include "vc_logs.h"
#include "vc_lsc.h"

/* EAL's interrupt thread: re-read the link, raise LSC when it changed. */
static void
vc_lsc_refresh(struct rte_eth_dev *dev)
{
	/* link_update returns 0 only when the status changed. */
	if (dev->dev_ops->link_update(dev, 0) != 0)
		return;
	VC_LOG(INFO, "%s: link %s", dev->data->name,
	       dev->data->dev_link.link_status ? "up" : "down");
	if (dev->data->dev_conf.intr_conf.lsc)
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
}

/* EAL's interrupt thread: the fd is level triggered, handle_event drains. */
static void
vc_lsc_callback(void *arg)
{
	struct rte_eth_dev *dev = arg;
	struct vc_process *p = dev->process_private;

	if (p == NULL || p->tp->ops->handle_event == NULL)
		return;
	p->tp->ops->handle_event(p->tp);
	vc_lsc_refresh(dev);
}

/* EAL's interrupt thread, after vc_lsc_ring_broken(). */
static void
vc_lsc_alarm(void *arg)
{
	struct rte_eth_dev *dev = arg;

	if (dev->process_private != NULL)
		vc_lsc_refresh(dev);
}

void
vc_lsc_ring_broken(uint16_t port_id)
{
	/*
	 * With intr_conf.lsc, rte_eth_link_get() returns the cached status
	 * and never asks link_update, which is where a broken ring turns
	 * into link down (and its reason is logged): hand the re-read to the
	 * interrupt thread.  vc_lsc_uninstall() cancels it.
	 */
	if (rte_eal_process_type() == RTE_PROC_PRIMARY && port_id < RTE_MAX_ETHPORTS)
		rte_eal_alarm_set(1, vc_lsc_alarm, &rte_eth_devices[port_id]);
}

int
vc_lsc_install(struct rte_eth_dev *dev)
{
	struct vc_process *p = dev->process_private;
	struct rte_intr_handle *h;
	int fd, ret;

	if (p->tp->ops->event_fd == NULL || p->tp->ops->handle_event == NULL)
		return 0;
	fd = p->tp->ops->event_fd(p->tp);
	if (fd < 0)
		return 0;
	h = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (h == NULL) {
		ret = -ENOMEM;
		goto err_log;
	}
	if (rte_intr_type_set(h, RTE_INTR_HANDLE_EXT) != 0 ||
	    rte_intr_fd_set(h, fd) != 0) {
		ret = -(rte_errno ? rte_errno : EINVAL);
		goto err_free;
	}
	ret = rte_intr_callback_register(h, vc_lsc_callback, dev);
	if (ret < 0)
		goto err_free;
	p->lsc_intr = h;
	dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC;
	return 0;

err_free:
	rte_intr_instance_free(h);
err_log:
	VC_LOG(ERR, "%s: cannot watch the device's events (link state): %s",
	       dev->data->name, strerror(-ret));
	return ret;
}

void
vc_lsc_uninstall(struct rte_eth_dev *dev)
{
	struct vc_process *p = dev->process_private;

	/* Waits for a running alarm callback too. */
	rte_eal_alarm_cancel(vc_lsc_alarm, dev);
	if (p == NULL || p->lsc_intr == NULL)
		return;
	/* Retries while the callback runs, so the transport outlives it. */
	rte_intr_callback_unregister_sync(p->lsc_intr, vc_lsc_callback, dev);
	rte_intr_instance_free(p->lsc_intr);
	p->lsc_intr = NULL;
	dev->data->dev_flags &= ~RTE_ETH_DEV_INTR_LSC;
}
