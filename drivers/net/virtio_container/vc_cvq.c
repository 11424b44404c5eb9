/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "vc_cvq.h"
#include "vc_logs.h"
#include "vc_virtio.h"

/* Offsets of the command buffer after the ring, one cache line each. */
#define CVQ_HDR_OFF	0
#define CVQ_ACK_OFF	64
#define CVQ_DATA_OFF	128
#define CVQ_BUF_LEN	(CVQ_DATA_OFF + VC_CVQ_DATA_MAX)

uint64_t
vc_cvq_wanted(bool cq, bool vlan_filter, uint64_t wanted, uint64_t offered)
{
	if (!cq || (wanted & offered & VC_BIT(VIRTIO_F_RING_PACKED)))
		return wanted;
	wanted |= VC_BIT(VIRTIO_NET_F_CTRL_VQ) | VC_BIT(VIRTIO_NET_F_CTRL_RX) |
		  VC_BIT(VIRTIO_NET_F_CTRL_MAC_ADDR);
	if (vlan_filter)
		wanted |= VC_BIT(VIRTIO_NET_F_CTRL_VLAN);
	return wanted;
}

int
vc_cvq_alloc(uint16_t port_id, int socket, struct vc_cvq **out)
{
	size_t ring_len = RTE_ALIGN_CEIL(vc_ring_mem_size(VC_CVQ_SIZE),
					 RTE_CACHE_LINE_SIZE);
	char name[RTE_MEMZONE_NAMESIZE];
	struct vc_cvq *c;
	uint8_t *buf;

	c = rte_zmalloc_socket("vc_cvq", sizeof(*c), RTE_CACHE_LINE_SIZE,
			       socket);
	if (c == NULL)
		return -ENOMEM;
	/* DPDK memory: vc_mem_port_start() hands it to the device. */
	snprintf(name, sizeof(name), "vc%u_cvq", port_id);
	c->mz = rte_memzone_reserve_aligned(name, ring_len + CVQ_BUF_LEN,
					    socket, 0, VC_RING_ALIGN);
	if (c->mz == NULL) {
		VC_LOG(ERR, "port %u: cannot reserve the control queue: %s",
		       port_id, rte_strerror(rte_errno));
		rte_free(c);
		return -ENOMEM;
	}
	buf = RTE_PTR_ADD(c->mz->addr, ring_len);
	c->hdr = buf + CVQ_HDR_OFF;
	c->ack = buf + CVQ_ACK_OFF;
	c->data = buf + CVQ_DATA_OFF;
	rte_spinlock_init(&c->lock);
	*out = c;
	return 0;
}

void
vc_cvq_free(struct vc_cvq *c)
{
	if (c == NULL)
		return;
	rte_memzone_free(c->mz);
	rte_free(c);
}

int
vc_cvq_program(struct vc_cvq *c, struct vc_dev *d, uint64_t features)
{
	uint64_t desc, avail, used;
	uint16_t qidx = 2, pairs = 1, size;
	int ret;

	if (c != NULL)
		c->ready = false;
	if (!(features & VC_BIT(VIRTIO_NET_F_CTRL_VQ)))
		return 0;
	if (c == NULL)
		return -EINVAL;
	/* 5.1.2: the control queue follows the last queue pair. */
	if (features & VC_BIT(VIRTIO_NET_F_MQ)) {
		ret = vc_dev_config_read(d, VC_NETCFG(max_virtqueue_pairs),
					 &pairs, sizeof(pairs), 2);
		if (ret < 0)
			return ret;
		qidx = 2 * pairs;
	}
	size = RTE_MIN((uint16_t)VC_CVQ_SIZE, vc_dev_queue_size_max(d, qidx));
	if (size == 0 || !rte_is_power_of_2(size)) {
		VC_LOG(ERR, "control queue %u: device offers size %u", qidx, size);
		return -ENODEV;
	}
	ret = vc_ring_init(&c->ring, c->mz->addr, size, c->slots,
			   !!(features & VC_BIT(VIRTIO_RING_F_EVENT_IDX)),
			   vc_queue_kick, &c->notify);
	if (ret < 0)
		return ret;
	vc_ring_addrs(&c->ring, &desc, &avail, &used);
	ret = vc_dev_queue_setup(d, qidx, size, desc, avail, used, 0);
	if (ret < 0)
		return ret;
	c->notify.tp = d->tp;
	c->notify.bar = d->notify.bar;
	c->notify.off = vc_dev_notify_off(d, qidx);
	c->notify.qidx = qidx;
	c->dead = false;
	c->ready = true;
	return 0;
}

void
vc_cvq_stop(struct vc_cvq *c)
{
	if (c == NULL)
		return;
	rte_spinlock_lock(&c->lock);
	c->ready = false;
	rte_spinlock_unlock(&c->lock);
}

/* Post the command in the buffer; wait for it.  Lock held. */
static int
cvq_exchange(struct vc_cvq *c, uint32_t len)
{
	struct vc_ring_seg segs[3];
	struct vc_ring_used u;
	uint16_t n = 0;
	uint32_t waited;
	int ret;

	segs[n++] = (struct vc_ring_seg){ (uintptr_t)c->hdr, 2, false };
	if (len > 0)
		segs[n++] = (struct vc_ring_seg){ (uintptr_t)c->data, len, false };
	segs[n++] = (struct vc_ring_seg){ (uintptr_t)c->ack, 1, true };
	ret = vc_ring_add_chain(&c->ring, segs, n, c);
	if (ret < 0)
		return ret;
	vc_ring_publish(&c->ring);
	/* Always notify: one doorbell per command costs nothing here. */
	vc_queue_kick(&c->notify);
	/* devsim answers before the kick returns; a real device may not. */
	for (waited = 0; vc_ring_dequeue(&c->ring, &u, 1) == 0;
	     waited += VC_CVQ_POLL_US) {
		if (vc_ring_is_broken(&c->ring)) {
			VC_LOG(ERR, "control queue: %s", c->ring.broken_reason);
			c->dead = true;
			return -EIO;
		}
		if (waited >= VC_CVQ_TIMEOUT_US) {
			VC_LOG(ERR, "control queue: no answer to class %u command %u within %u us; no more commands until the port restarts",
			       c->hdr[0], c->hdr[1], VC_CVQ_TIMEOUT_US);
			c->dead = true;
			return -ETIMEDOUT;
		}
		rte_delay_us_sleep(VC_CVQ_POLL_US);
	}
	/* The acquire load of used->idx in the dequeue orders this read. */
	if (u.len == VC_RING_LEN_BAD || *c->ack != VIRTIO_NET_OK)
		return -EIO;
	return 0;
}

int
vc_cvq_send(struct vc_cvq *c, uint8_t cls, uint8_t cmd, const void *data,
	    uint32_t len)
{
	int ret;

	if (c == NULL)
		return -ENODEV;
	if (len > VC_CVQ_DATA_MAX)
		return -EINVAL;
	rte_spinlock_lock(&c->lock);
	if (!c->ready) {
		ret = -ENODEV;
	} else if (c->dead) {
		ret = -EIO;
	} else {
		c->hdr[0] = cls;
		c->hdr[1] = cmd;
		if (len > 0)
			memcpy(c->data, data, len);
		*c->ack = 0xff;  /* neither OK nor ERR until the device writes */
		ret = cvq_exchange(c, len);
	}
	rte_spinlock_unlock(&c->lock);
	if (ret < 0 && ret != -ENODEV)
		VC_LOG(DEBUG, "control command class %u cmd %u: %s", cls, cmd,
		       strerror(-ret));
	return ret;
}
