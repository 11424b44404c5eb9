/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * The control virtqueue, device side: a split ring walked in place.  See
 * virtio_net_ctrl.h for the contract.
 */

#include <endian.h>
#include <errno.h>
#include <string.h>

#include <linux/virtio_ring.h>

#include "virtio_net_ctrl.h"
#include "wire/virtio_pci_regs.h"

#define F_BIT(b) (1ULL << (b))

/* One command as gathered from its chain. */
struct ctrl_cmd {
	uint8_t buf[DEVSIM_NET_CTRL_DATA_MAX]; /* header + data */
	uint32_t len;                          /* bytes in buf */
	bool bad;          /* readable part unusable: answer ERR */
	uint64_t ack;      /* CVA of the ack byte, 0 when none */
};

void
devsim_net_ctrl_init(struct devsim_net_ctrl *c,
		     const struct devsim_net_ctrl_env *env)
{
	memset(c, 0, sizeof(*c));
	c->env = *env;
	memcpy(c->mac_default, env->net->mac, sizeof(c->mac_default));
}

int
devsim_net_ctrl_vq_index(const struct devsim_net *net, uint64_t features)
{
	if (!(features & F_BIT(VIRTIO_NET_F_CTRL_VQ)))
		return -1;
	if (features & F_BIT(VIRTIO_NET_F_MQ))
		return 2 * net->max_vq_pairs;
	return 2;
}

static bool
ctrl_rings_mapped(const struct devsim_net_ctrl *c)
{
	const struct devsim_memtable *mt = c->env.mem;

	return devsim_memtable_contains(mt, c->desc,
					DEVSIM_SPLIT_DESC_SIZE(c->size)) &&
	       devsim_memtable_contains(mt, c->avail,
					DEVSIM_SPLIT_AVAIL_SIZE(c->size)) &&
	       devsim_memtable_contains(mt, c->used,
					DEVSIM_SPLIT_USED_SIZE(c->size));
}

int
devsim_net_ctrl_start(struct devsim_net_ctrl *c, uint64_t features,
		      uint16_t size, uint64_t desc, uint64_t avail,
		      uint64_t used)
{
	c->running = false;
	if (features & F_BIT(VIRTIO_F_RING_PACKED)) {
		DEVSIM_LOG(c->env.log, ERR, "control queue: packed rings are not "
			   "emulated; negotiate VIRTIO_F_RING_PACKED without "
			   "VIRTIO_NET_F_CTRL_VQ");
		return -ENOTSUP;
	}
	if (size == 0 || (size & (size - 1))) {
		DEVSIM_LOG(c->env.log, ERR, "control queue: size %u is not a "
			   "power of 2", size);
		return -EINVAL;
	}
	/* 2.7: ring parts are naturally aligned; devsim dereferences them. */
	if ((desc & (DEVSIM_VRING_DESC_ALIGN - 1)) ||
	    (avail & (DEVSIM_VRING_AVAIL_ALIGN - 1)) ||
	    (used & (DEVSIM_VRING_USED_ALIGN - 1))) {
		DEVSIM_LOG(c->env.log, ERR, "control queue: misaligned ring "
			   "(desc 0x%llx, driver 0x%llx, device 0x%llx)",
			   (unsigned long long)desc, (unsigned long long)avail,
			   (unsigned long long)used);
		return -EINVAL;
	}
	c->features = features;
	c->size = size;
	c->desc = desc;
	c->avail = avail;
	c->used = used;
	if (!ctrl_rings_mapped(c)) {
		DEVSIM_LOG(c->env.log, ERR, "control queue: ring (desc 0x%llx, "
			   "driver 0x%llx, device 0x%llx, size %u) lies outside "
			   "the memory table", (unsigned long long)desc,
			   (unsigned long long)avail, (unsigned long long)used,
			   size);
		return -EFAULT;
	}
	c->last_avail = 0;
	c->used_idx = 0;
	c->running = true;
	return 0;
}

void
devsim_net_ctrl_reset(struct devsim_net_ctrl *c)
{
	c->running = false;
	c->features = 0;
	memcpy(c->env.net->mac, c->mac_default, sizeof(c->mac_default));
}

/* ---- commands ----------------------------------------------------------- */

static uint8_t
ctrl_mq(struct devsim_net_ctrl *c, uint8_t cmd, const uint8_t *data,
	uint32_t len)
{
	uint16_t pairs;
	int rc;

	if (!(c->features & F_BIT(VIRTIO_NET_F_MQ)) ||
	    cmd != VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET || len != 2)
		return VIRTIO_NET_ERR;
	pairs = (uint16_t)(data[0] | data[1] << 8);
	if (pairs < VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MIN ||
	    pairs > c->env.net->max_vq_pairs) {
		DEVSIM_LOG(c->env.log, WARNING, "VQ_PAIRS_SET %u refused: the "
			   "device has 1..%u pairs", pairs,
			   c->env.net->max_vq_pairs);
		return VIRTIO_NET_ERR;
	}
	rc = c->env.ops->pairs_set(c->env.opaque, pairs);
	return rc == 0 ? VIRTIO_NET_OK : VIRTIO_NET_ERR;
}

static uint8_t
ctrl_mac(struct devsim_net_ctrl *c, uint8_t cmd, const uint8_t *data,
	 uint32_t len)
{
	/*
	 * MAC_TABLE_SET needs VIRTIO_NET_F_CTRL_RX, which is not offered:
	 * devsim cannot filter what the backend writes into RX buffers.
	 */
	if (!(c->features & F_BIT(VIRTIO_NET_F_CTRL_MAC_ADDR)) ||
	    cmd != VIRTIO_NET_CTRL_MAC_ADDR_SET || len != 6)
		return VIRTIO_NET_ERR;
	if (memcmp(c->env.net->mac, data, 6) != 0) {
		memcpy(c->env.net->mac, data, 6);
		c->env.ops->config_changed(c->env.opaque);
	}
	return VIRTIO_NET_OK;
}

static uint8_t
ctrl_exec(struct devsim_net_ctrl *c, const struct ctrl_cmd *cmd)
{
	uint8_t ack = VIRTIO_NET_ERR;

	if (!cmd->bad && cmd->len >= 2) {
		const uint8_t *data = cmd->buf + 2;
		uint32_t dlen = cmd->len - 2;

		switch (cmd->buf[0]) {
		case VIRTIO_NET_CTRL_MQ:
			ack = ctrl_mq(c, cmd->buf[1], data, dlen);
			break;
		case VIRTIO_NET_CTRL_MAC:
			ack = ctrl_mac(c, cmd->buf[1], data, dlen);
			break;
		default:
			/* RX mode, VLAN, announce, offloads: not offered. */
			break;
		}
	}
	if (ack != VIRTIO_NET_OK)
		DEVSIM_LOG(c->env.log, DEBUG, "control command class %u cmd %u "
			   "(%u bytes%s): VIRTIO_NET_ERR",
			   cmd->len > 0 ? cmd->buf[0] : 0xff,
			   cmd->len > 1 ? cmd->buf[1] : 0xff, cmd->len,
			   cmd->bad ? ", unusable" : "");
	return ack;
}

/* ---- ring walk ---------------------------------------------------------- */

static void
desc_read(const struct vring_desc *d, uint64_t *addr, uint32_t *len,
	  uint16_t *flags, uint16_t *next)
{
	/* Each field exactly once: the driver may change them under us. */
	*addr = le64toh(__atomic_load_n(&d->addr, __ATOMIC_RELAXED));
	*len = le32toh(__atomic_load_n(&d->len, __ATOMIC_RELAXED));
	*flags = le16toh(__atomic_load_n(&d->flags, __ATOMIC_RELAXED));
	*next = le16toh(__atomic_load_n(&d->next, __ATOMIC_RELAXED));
}

static void
cmd_readable(struct devsim_net_ctrl *c, struct ctrl_cmd *cmd, uint64_t addr,
	     uint32_t len, bool after_writable)
{
	/* 2.7.4.2: device-readable descriptors come first. */
	if (after_writable || len > sizeof(cmd->buf) - cmd->len ||
	    !devsim_memtable_contains(c->env.mem, addr, len)) {
		cmd->bad = true;
		return;
	}
	memcpy(cmd->buf + cmd->len, (const void *)(uintptr_t)addr, len);
	cmd->len += len;
}

/*
 * Gather the chain at @head.  Returns 0 with cmd->ack set (the last byte
 * of the last device-writable descriptor), or -EPROTO / -EFAULT with
 * *why set when the chain itself is unusable.
 */
static int
ctrl_chain(struct devsim_net_ctrl *c, uint16_t head, struct ctrl_cmd *cmd,
	   const char **why)
{
	const struct vring_desc *table =
		(const struct vring_desc *)(uintptr_t)c->desc;
	uint32_t table_size = c->size, n = 0, wlen = 0;
	uint64_t addr, waddr = 0;
	uint16_t flags, next, idx = head;
	bool indirect = false, writable = false;
	uint32_t len;

	cmd->len = 0;
	cmd->bad = false;
	cmd->ack = 0;
	if (head >= c->size) {
		*why = "avail ring names a head past the queue size";
		return -EPROTO;
	}
	for (;;) {
		/* Also what ends a looping chain. */
		if (++n > DEVSIM_NET_CTRL_CHAIN_MAX || n > c->size + 1u) {
			*why = "chain too long (or looping)";
			return -EPROTO;
		}
		desc_read(&table[idx], &addr, &len, &flags, &next);
		if (flags & VRING_DESC_F_INDIRECT) {
			/* 2.7.5.3.1: not nested, not chained, whole entries. */
			if (!(c->features & F_BIT(VIRTIO_RING_F_INDIRECT_DESC)) ||
			    indirect || (flags & VRING_DESC_F_NEXT) ||
			    len == 0 || len % sizeof(struct vring_desc) ||
			    len / sizeof(struct vring_desc) >
			    DEVSIM_NET_CTRL_CHAIN_MAX ||
			    (addr & (DEVSIM_VRING_DESC_ALIGN - 1))) {
				*why = "bad indirect descriptor";
				return -EPROTO;
			}
			if (!devsim_memtable_contains(c->env.mem, addr, len)) {
				*why = "indirect table outside the memory table";
				return -EFAULT;
			}
			table = (const struct vring_desc *)(uintptr_t)addr;
			table_size = len / sizeof(struct vring_desc);
			indirect = true;
			idx = 0;
			continue;
		}
		if (flags & VRING_DESC_F_WRITE) {
			writable = true;
			if (len > 0) {
				waddr = addr;
				wlen = len;
			}
		} else {
			cmd_readable(c, cmd, addr, len, writable);
		}
		if (!(flags & VRING_DESC_F_NEXT))
			break;
		if (next >= table_size) {
			*why = "descriptor next index past the table";
			return -EPROTO;
		}
		idx = next;
	}
	if (wlen == 0) {
		*why = "command without a device-writable ack byte";
		return -EPROTO;
	}
	if (!devsim_memtable_contains(c->env.mem, waddr + wlen - 1, 1)) {
		*why = "ack byte outside the memory table";
		return -EFAULT;
	}
	cmd->ack = waddr + wlen - 1;
	return 0;
}

static int
ctrl_fail(struct devsim_net_ctrl *c, int rc, const char *why)
{
	DEVSIM_LOG(c->env.log, ERR, "control queue stopped: %s", why);
	c->running = false;
	return rc;
}

/* One pass over what is available now; returns commands done or < 0. */
static int
ctrl_pass(struct devsim_net_ctrl *c)
{
	struct vring_avail *avail = (struct vring_avail *)(uintptr_t)c->avail;
	struct vring_used *used = (struct vring_used *)(uintptr_t)c->used;
	uint16_t aidx, n, i, mask = c->size - 1;
	struct ctrl_cmd cmd;
	const char *why = NULL;
	uint8_t ack;
	int rc;

	/* Pairs with the driver's release store of avail->idx. */
	aidx = le16toh(__atomic_load_n(&avail->idx, __ATOMIC_ACQUIRE));
	n = (uint16_t)(aidx - c->last_avail);
	if (n > c->size)
		return ctrl_fail(c, -EPROTO, "avail index moved past the "
				 "queue size");
	for (i = 0; i < n; i++) {
		uint16_t head = le16toh(__atomic_load_n(
			&avail->ring[c->last_avail & mask], __ATOMIC_RELAXED));
		struct vring_used_elem *e = &used->ring[c->used_idx & mask];

		rc = ctrl_chain(c, head, &cmd, &why);
		if (rc < 0)
			return ctrl_fail(c, rc, why);
		ack = ctrl_exec(c, &cmd);
		*(volatile uint8_t *)(uintptr_t)cmd.ack = ack;
		c->commands++;
		c->errors += ack != VIRTIO_NET_OK;
		__atomic_store_n(&e->id, htole32(head), __ATOMIC_RELAXED);
		__atomic_store_n(&e->len, htole32(1), __ATOMIC_RELAXED);
		c->last_avail++;
		c->used_idx++;
	}
	if (n > 0)
		/* Pairs with the driver's acquire load of used->idx. */
		__atomic_store_n(&used->idx, htole16(c->used_idx),
				 __ATOMIC_RELEASE);
	if (c->features & F_BIT(VIRTIO_RING_F_EVENT_IDX)) {
		/* avail_event: notify us for the very next command. */
		uint16_t *ev = (uint16_t *)(void *)&used->ring[c->size];

		__atomic_store_n(ev, htole16(c->last_avail), __ATOMIC_RELAXED);
	}
	return n;
}

int
devsim_net_ctrl_process(struct devsim_net_ctrl *c)
{
	struct vring_avail *avail;
	unsigned int round;
	int rc, done = 0;

	if (!c->running)
		return 0;
	/* The memory table may have been replaced since the start. */
	if (!ctrl_rings_mapped(c))
		return ctrl_fail(c, -EFAULT, "ring no longer inside the memory "
				 "table");
	avail = (struct vring_avail *)(uintptr_t)c->avail;
	/*
	 * A driver that added a command after our read of avail->idx but
	 * read avail_event before we moved it did not notify: look again
	 * after a full fence (pairs with the driver's fence before it reads
	 * avail_event).  Bounded: what is left waits for the next notify.
	 */
	for (round = 0; round < 4; round++) {
		rc = ctrl_pass(c);
		if (rc < 0)
			return rc;
		done += rc;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (le16toh(__atomic_load_n(&avail->idx, __ATOMIC_ACQUIRE)) ==
		    c->last_avail)
			break;
	}
	return done;
}
