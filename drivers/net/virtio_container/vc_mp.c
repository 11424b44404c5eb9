/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * Multi-process support (see vc_mp.h): the primary's answer to fd
 * requests, and the secondary's attach, doorbell transport and ops.
 *
 * The request names a port and the first virtqueue wanted; a reply
 * carries up to VC_MP_VQS_PER_MSG started virtqueues from there on, each
 * as its index and a (kick, call) fd pair: RTE_MP_MAX_FD_NUM (8) fds per
 * message.  The secondary asks again from after the last index until a
 * reply says there is no more.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_string_fns.h>

#include "vc_ethdev.h"
#include "vc_intr.h"
#include "vc_logs.h"
#include "vc_mp.h"
#include "vc_mp_msg.h"
#include "vc_offload.h"
#include "vc_rxmode.h"
#include "vc_rxtx.h"

#define VC_MP_TIMEOUT_S 5

_Static_assert(VC_MP_FDS_MAX == RTE_MP_MAX_FD_NUM, "fds per message");
_Static_assert(VC_MP_NAME_LEN == RTE_DEV_NAME_MAX_LEN, "port name");
_Static_assert(sizeof(struct vc_mp_req) <= RTE_MP_MAX_PARAM_LEN, "request");
_Static_assert(sizeof(struct vc_mp_rep) <= RTE_MP_MAX_PARAM_LEN, "reply");

/* ---- primary ---------------------------------------------------------- */

/* Ports may be probed and closed from any thread (hot-plug). */
static pthread_mutex_t vc_mp_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int vc_mp_users;
static bool vc_mp_registered;

/* Our port called @name, or NULL: the name comes from another process. */
static struct rte_eth_dev *
vc_mp_port(const char *name)
{
	struct rte_eth_dev *dev = rte_eth_dev_allocated(name);

	if (dev == NULL || dev->device == NULL || dev->device->driver == NULL ||
	    strcmp(dev->device->driver->name, "net_virtio_container") != 0 ||
	    dev->process_private == NULL)
		return NULL;
	return dev;
}

/*
 * Fill @rep and @msg's fds with the started virtqueues from @first on.
 * The fds stay the device's: rte_mp_reply() sends copies and closes
 * nothing.  Runs on EAL's multi-process thread: a port stopped meanwhile
 * may have closed them, which is why secondaries attach to a started port
 * and leave before it stops (vc_mp.h).
 */
static void
vc_mp_collect(struct rte_eth_dev *dev, uint16_t first, struct vc_mp_rep *rep,
	      struct rte_mp_msg *msg)
{
	const struct vc_adapter *ad = dev->data->dev_private;
	struct vc_transport *tp = ((struct vc_process *)dev->process_private)->tp;
	/* Data queues only: the control queue is the primary's. */
	uint32_t nvq = 2u * ad->run.max_pairs, vq;

	if (tp->ops->kick_fd == NULL) {
		rep->result = -ENOTSUP;
		return;
	}
	if (!ad->run.started) {
		rep->result = -EAGAIN;
		return;
	}
	for (vq = first; vq < nvq; vq++) {
		int kick = tp->ops->kick_fd(tp, vq);
		int call = tp->ops->irq_fd(tp, vq);

		if (kick < 0 || call < 0)
			continue;
		if (rep->count == VC_MP_VQS_PER_MSG) {
			rep->more = 1;
			break;
		}
		rep->vq[rep->count++] = vq;
		msg->fds[msg->num_fds++] = kick;
		msg->fds[msg->num_fds++] = call;
	}
}

static int
vc_mp_primary_handle(const struct rte_mp_msg *req_msg, const void *peer)
{
	struct rte_mp_msg msg = { 0 };
	struct vc_mp_rep rep = { .result = 0 };
	struct vc_mp_req req;
	struct rte_eth_dev *dev;

	rte_strscpy(msg.name, VC_MP_ACTION, sizeof(msg.name));
	if (req_msg->len_param != sizeof(req)) {
		rep.result = -EINVAL;
		goto reply;
	}
	memcpy(&req, req_msg->param, sizeof(req));
	req.name[sizeof(req.name) - 1] = '\0';
	dev = vc_mp_port(req.name);
	if (dev == NULL) {
		rep.result = -ENODEV;
		goto reply;
	}
	vc_mp_collect(dev, req.first_vq, &rep, &msg);
reply:
	msg.len_param = sizeof(rep);
	memcpy(msg.param, &rep, sizeof(rep));
	if (rte_mp_reply(&msg, peer) < 0) {
		VC_LOG(ERR, "cannot answer a secondary process: %s",
		       rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

int
vc_mp_primary_register(void)
{
	int ret = 0;

	pthread_mutex_lock(&vc_mp_lock);
	if (vc_mp_users++ == 0) {
		if (rte_mp_action_register(VC_MP_ACTION, vc_mp_primary_handle) == 0)
			vc_mp_registered = true;
		else if (rte_errno != ENOTSUP)	/* ENOTSUP: no multi-process */
			ret = -rte_errno;
		if (ret < 0)
			vc_mp_users--;
	}
	pthread_mutex_unlock(&vc_mp_lock);
	if (ret < 0)
		VC_LOG(ERR, "cannot register the multi-process action: %s",
		       rte_strerror(-ret));
	return ret;
}

void
vc_mp_primary_unregister(void)
{
	pthread_mutex_lock(&vc_mp_lock);
	if (vc_mp_users > 0 && --vc_mp_users == 0 && vc_mp_registered) {
		rte_mp_action_unregister(VC_MP_ACTION);
		vc_mp_registered = false;
	}
	pthread_mutex_unlock(&vc_mp_lock);
}

/* ---- secondary: the doorbell transport ------------------------------ */

/*
 * A secondary's view of the device: copies of the primary's queue
 * eventfds, nothing else.  Indexed by virtqueue; -1 where the primary
 * had none.
 */
struct vc_tp_mp {
	struct vc_transport base;  /* first: vc_queue_notify() sees only this */
	uint16_t nb_vq;
	uint64_t kicks;            /* written by any lcore: atomics */
	uint64_t kick_errors;
	int *kick;
	int *call;
};

static struct vc_tp_mp *
to_mp(struct vc_transport *t)
{
	return container_of(t, struct vc_tp_mp, base);
}

/* A secondary has no configuration space nor registers to read. */
static int
vc_tp_mp_cfg_read(struct vc_transport *t __rte_unused, uint32_t off __rte_unused,
		  unsigned int w __rte_unused, uint32_t *val __rte_unused)
{
	return -ENOTSUP;
}

static int
vc_tp_mp_cfg_write(struct vc_transport *t __rte_unused, uint32_t off __rte_unused,
		   unsigned int w __rte_unused, uint32_t val __rte_unused)
{
	return -ENOTSUP;
}

static int
vc_tp_mp_bar_read(struct vc_transport *t __rte_unused, unsigned int bar __rte_unused,
		  uint64_t off __rte_unused, unsigned int w __rte_unused,
		  uint32_t *val __rte_unused)
{
	return -ENOTSUP;
}

/*
 * The only register a secondary writes is a queue's notify register, and
 * without VIRTIO_F_NOTIFICATION_DATA the value written is the queue index
 * (4.1.5.2): that names the doorbell, whatever the address.
 */
static int
vc_tp_mp_bar_write(struct vc_transport *t, unsigned int bar __rte_unused,
		   uint64_t off __rte_unused, unsigned int w, uint32_t val)
{
	struct vc_tp_mp *mp = to_mp(t);
	uint64_t one = 1;

	if (unlikely(w != 2 || val >= mp->nb_vq || mp->kick[val] < 0))
		goto err_count;
	/* EAGAIN: the counter is saturated, the backend wakes up anyway. */
	if (unlikely(write(mp->kick[val], &one, sizeof(one)) != sizeof(one)) &&
	    errno != EAGAIN)
		goto err_count;
	__atomic_fetch_add(&mp->kicks, 1, __ATOMIC_RELAXED);
	return 0;

err_count:
	__atomic_fetch_add(&mp->kick_errors, 1, __ATOMIC_RELAXED);
	return -EIO;
}

static int
vc_tp_mp_mem_set(struct vc_transport *t __rte_unused,
		 const struct vc_mem_region *r __rte_unused,
		 unsigned int n __rte_unused, unsigned int *limit __rte_unused)
{
	return -ENOTSUP;
}

static int
vc_tp_mp_irq_fd(struct vc_transport *t, unsigned int vq)
{
	struct vc_tp_mp *mp = to_mp(t);

	return vq < mp->nb_vq ? mp->call[vq] : -1;
}

static int
vc_tp_mp_kick_fd(struct vc_transport *t, unsigned int vq)
{
	struct vc_tp_mp *mp = to_mp(t);

	return vq < mp->nb_vq ? mp->kick[vq] : -1;
}

static int
vc_tp_mp_handle_event(struct vc_transport *t __rte_unused)
{
	return -ENOTSUP;
}

static const char *
vc_tp_mp_last_error(struct vc_transport *t __rte_unused)
{
	return "";
}

static void
vc_tp_mp_close(struct vc_transport *t)
{
	struct vc_tp_mp *mp = to_mp(t);
	uint16_t i;

	for (i = 0; i < mp->nb_vq; i++) {
		if (mp->kick[i] >= 0)
			close(mp->kick[i]);
		if (mp->call[i] >= 0)
			close(mp->call[i]);
	}
	free(mp->kick);
	free(mp->call);
	free(mp);
}

static const struct vc_transport_ops vc_tp_mp_ops = {
	.name = "secondary",
	.cfg_read = vc_tp_mp_cfg_read,
	.cfg_write = vc_tp_mp_cfg_write,
	.bar_read = vc_tp_mp_bar_read,
	.bar_write = vc_tp_mp_bar_write,
	.mem_set = vc_tp_mp_mem_set,
	.irq_fd = vc_tp_mp_irq_fd,
	.kick_fd = vc_tp_mp_kick_fd,
	.event_fd = NULL,
	.handle_event = vc_tp_mp_handle_event,
	.last_error = vc_tp_mp_last_error,
	.close = vc_tp_mp_close,
};

static struct vc_tp_mp *
vc_tp_mp_alloc(uint16_t nb_vq)
{
	struct vc_tp_mp *mp = calloc(1, sizeof(*mp));
	uint16_t i;

	if (mp == NULL)
		return NULL;
	mp->base.ops = &vc_tp_mp_ops;
	mp->kick = malloc(sizeof(int) * (nb_vq ? nb_vq : 1));
	mp->call = malloc(sizeof(int) * (nb_vq ? nb_vq : 1));
	if (mp->kick == NULL || mp->call == NULL) {
		free(mp->kick);
		free(mp->call);
		free(mp);
		return NULL;
	}
	for (i = 0; i < nb_vq; i++)
		mp->kick[i] = mp->call[i] = -1;
	mp->nb_vq = nb_vq;
	return mp;
}

/* Close every fd a message brought: it was not taken. */
static void
vc_mp_msg_close_fds(const struct rte_mp_msg *m)
{
	int i;

	for (i = 0; i < RTE_MIN(m->num_fds, RTE_MP_MAX_FD_NUM); i++)
		if (m->fds[i] >= 0)
			close(m->fds[i]);
}

/* Take one reply (vc_mp_rep_take()); every fd it brought is kept or closed. */
static int
vc_mp_take_reply(struct vc_tp_mp *mp, const struct rte_mp_msg *m,
		 uint16_t first, uint16_t *next)
{
	uint16_t vq;
	int ret;

	ret = vc_mp_rep_take(m->param, m->len_param, m->fds, m->num_fds, first,
			     mp->kick, mp->call, mp->nb_vq, next);
	if (ret < 0)
		return ret;
	for (vq = first; vq < *next && vq < mp->nb_vq; vq++)
		if (mp->kick[vq] >= 0)
			VC_LOG(DEBUG, "virtqueue %u: kick fd %d, call fd %d", vq,
			       mp->kick[vq], mp->call[vq]);
	return 0;
}

/* Ask the primary for every started virtqueue's fds of port @name. */
static int
vc_mp_fetch(const char *name, struct vc_tp_mp *mp, unsigned int *got)
{
	struct timespec ts = { .tv_sec = VC_MP_TIMEOUT_S };
	uint16_t vq = 0;
	int ret = 0;

	*got = 0;
	while (vq < mp->nb_vq) {
		struct rte_mp_msg req = { .len_param = sizeof(struct vc_mp_req) };
		struct vc_mp_req r = { .first_vq = vq };
		struct rte_mp_reply reply = { 0 };
		uint16_t next = mp->nb_vq;
		int i;

		rte_strscpy(req.name, VC_MP_ACTION, sizeof(req.name));
		rte_strscpy(r.name, name, sizeof(r.name));
		memcpy(req.param, &r, sizeof(r));
		ret = rte_mp_request_sync(&req, &reply, &ts);
		if (ret < 0 || reply.nb_received != 1) {
			ret = ret < 0 ? -rte_errno : -ETIMEDOUT;
			/* Whatever did arrive may carry fds. */
			for (i = 0; i < reply.nb_received; i++)
				vc_mp_msg_close_fds(&reply.msgs[i]);
			free(reply.msgs);
			return ret;
		}
		ret = vc_mp_take_reply(mp, &reply.msgs[0], vq, &next);
		if (ret == 0)
			*got += reply.msgs[0].num_fds / 2;
		free(reply.msgs);
		if (ret < 0)
			return ret;
		vq = next;
	}
	return 0;
}

/* ---- secondary: ops and bursts -------------------------------------- */

/*
 * The RX burst of a secondary.  The primary switches its own burst when
 * its RX filter changes (vc_rxmode_burst_select()); a secondary cannot
 * see that, so it looks at the shared filter once per burst.
 */
static uint16_t
vc_mp_recv(void *rxq, struct rte_mbuf **pkts, uint16_t nb)
{
	const struct vc_queue *q = rxq;
	const struct rte_eth_dev *dev = &rte_eth_devices[q->port_id];
	const struct vc_adapter *ad = dev->data->dev_private;
	const struct vc_process *p = dev->process_private;

	if (likely(!vc_filter_active(&ad->filter)))
		return p->rx_plain(rxq, pkts, nb);
	return vc_recv_pkts_filtered(rxq, pkts, nb);
}

static int
vc_mp_refuse(struct rte_eth_dev *dev)
{
	VC_LOG(ERR, "%s: only the primary process configures, starts and stops the port",
	       dev->data->name);
	return -E_RTE_SECONDARY;
}

/* Link state is the primary's, kept in the shared port data. */
static int
vc_mp_link_update(struct rte_eth_dev *dev, int wait)
{
	RTE_SET_USED(dev);
	RTE_SET_USED(wait);
	return 0;
}

static int
vc_mp_dev_close(struct rte_eth_dev *dev)
{
	vc_mp_secondary_close(dev);
	return 0;
}

/* Process-local: the primary's ops table is another process's memory. */
static struct eth_dev_ops vc_mp_ops;

static void
vc_mp_ops_init(const struct eth_dev_ops *prim)
{
	vc_mp_ops = (struct eth_dev_ops){
		.dev_configure = vc_mp_refuse,
		.dev_start = vc_mp_refuse,
		.dev_stop = vc_mp_refuse,
		.dev_close = vc_mp_dev_close,
		.link_update = vc_mp_link_update,
		/* These read (or zero) shared state only. */
		.dev_infos_get = prim->dev_infos_get,
		.stats_get = prim->stats_get,
		.stats_reset = prim->stats_reset,
		.xstats_get = prim->xstats_get,
		.xstats_get_names = prim->xstats_get_names,
		.xstats_reset = prim->xstats_reset,
		.rxq_info_get = prim->rxq_info_get,
		.txq_info_get = prim->txq_info_get,
		.rx_burst_mode_get = prim->rx_burst_mode_get,
		.tx_burst_mode_get = prim->tx_burst_mode_get,
		/* On this process's interrupt handle (vc_intr.c). */
		.rx_queue_intr_enable = prim->rx_queue_intr_enable,
		.rx_queue_intr_disable = prim->rx_queue_intr_disable,
	};
}

int
vc_mp_secondary_probe(struct rte_vdev_device *vdev,
		      const struct eth_dev_ops *primary_ops)
{
	const char *name = rte_vdev_device_name(vdev);
	eth_rx_burst_t rx;
	eth_tx_burst_t tx;
	struct rte_eth_dev *dev;
	struct vc_adapter *ad;
	struct vc_process *p;
	struct vc_tp_mp *mp;
	unsigned int got;
	int ret;

	dev = rte_eth_dev_attach_secondary(name);
	if (dev == NULL) {
		VC_LOG(ERR, "%s: the primary process has no such port", name);
		return -ENODEV;
	}
	ad = dev->data->dev_private;
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		ret = -ENOMEM;
		goto err_release;
	}
	mp = vc_tp_mp_alloc(2u * ad->run.max_pairs);
	if (mp == NULL) {
		ret = -ENOMEM;
		goto err_free_proc;
	}
	p->tp = &mp->base;
	ret = vc_mp_fetch(name, mp, &got);
	if (ret == -EAGAIN)
		VC_LOG(WARNING, "%s: the port is not started in the primary process: this process can neither kick the device nor wait for RX interrupts; attach after the primary started it",
		       name);
	else if (ret < 0)
		VC_LOG(WARNING, "%s: no queue eventfds from the primary process (%s): this process can neither kick the device nor wait for RX interrupts",
		       name, rte_strerror(-ret));

	vc_mp_ops_init(primary_ops);
	dev->dev_ops = &vc_mp_ops;
	dev->device = &vdev->device;
	dev->process_private = p;
	/* The bursts the primary chose at its dev_start. */
	p->burst_mode = vc_rxtx_select(ad->run.features, ad->cfg.vectorized, &rx, &tx);
	p->rx_plain = rx;
	dev->rx_pkt_burst = vc_mp_recv;
	dev->tx_pkt_burst = tx;
	dev->tx_pkt_prepare = vc_xmit_pkts_prepare;
	vc_rxtx_doorbell_set(dev->data->port_id, p->tp);
	if (ad->run.started && vc_intr_install(dev) < 0)
		VC_LOG(WARNING, "%s: RX interrupts unavailable in this process",
		       name);
	rte_eth_dev_probing_finish(dev);
	VC_LOG(INFO, "%s: secondary process attached to port %u: %u virtqueue doorbells and interrupt vectors",
	       name, dev->data->port_id, got);
	return 0;

err_free_proc:
	free(p);
err_release:
	rte_eth_dev_release_port(dev);
	return ret;
}

void
vc_mp_secondary_close(struct rte_eth_dev *dev)
{
	struct vc_process *p = dev->process_private;
	struct vc_tp_mp *mp;

	if (p == NULL)
		return;
	vc_intr_uninstall(dev);
	vc_rxtx_doorbell_set(dev->data->port_id, NULL);
	mp = to_mp(p->tp);
	VC_LOG(INFO, "%s: secondary process detached: %" PRIu64 " kicks, %" PRIu64 " failed",
	       dev->data->name, __atomic_load_n(&mp->kicks, __ATOMIC_RELAXED),
	       __atomic_load_n(&mp->kick_errors, __ATOMIC_RELAXED));
	p->tp->ops->close(p->tp);
	free(p);
	dev->process_private = NULL;
}
