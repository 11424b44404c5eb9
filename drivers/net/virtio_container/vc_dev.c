/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include <devsim/virtio_resume.h>

#include "vc_dev.h"
#include "vc_logs.h"
#include "vc_virtio.h"

static int
common_read(struct vc_dev *d, uint32_t field, unsigned int w, uint32_t *v)
{
	return vc_tp_bar_read(d->tp, d->common.bar, d->common.off + field, w, v);
}

static int
common_write(struct vc_dev *d, uint32_t field, unsigned int w, uint32_t v)
{
	return vc_tp_bar_write(d->tp, d->common.bar, d->common.off + field, w, v);
}

/* 64-bit registers are two 32-bit halves, low first (4.1.3.1). */
static int
common_write64(struct vc_dev *d, uint32_t field, uint64_t v)
{
	int ret = common_write(d, field, 4, (uint32_t)v);

	return ret ? ret : common_write(d, field + 4, 4, (uint32_t)(v >> 32));
}

static int
cfg_read(struct vc_dev *d, uint32_t off, unsigned int w, uint32_t *v)
{
	return vc_tp_cfg_read(d->tp, off, w, v);
}

/*
 * One vendor capability: check it points inside the BAR, is long enough,
 * and record it.  The first capability of each type wins (4.1.4).
 */
static int
record_cap(struct vc_dev *d, uint8_t pos, uint8_t type, uint8_t cap_len)
{
	struct vc_dev_region *r;
	uint32_t bar, off, len, mult = 0, min_len, id;

	switch (type) {
	case VIRTIO_PCI_CAP_COMMON_CFG:
		r = &d->common;
		min_len = VC_COMMON_MIN_LEN;
		break;
	case VIRTIO_PCI_CAP_NOTIFY_CFG:
		r = &d->notify;
		min_len = 2;
		break;
	case VIRTIO_PCI_CAP_ISR_CFG:
		r = &d->isr;
		min_len = 1;
		break;
	case VIRTIO_PCI_CAP_DEVICE_CFG:
		r = &d->device;
		min_len = VC_NETCFG(mtu) + 2;
		break;
	case DEVSIM_PCI_CAP_VENDOR_CFG:
		/* Ours if its id says so; other vendors' are not. */
		if (cap_len < sizeof(struct virtio_pci_cap) ||
		    cfg_read(d, pos + offsetof(struct virtio_pci_cap, id), 1,
			     &id) || id != DEVSIM_RESUME_CAP_ID)
			return 0;
		r = &d->resume;
		min_len = DEVSIM_RESUME_CFG_SIZE;
		break;
	default:
		return 0; /* PCI cfg access: unused */
	}
	if (r->len != 0)
		return 0;
	if (cap_len < sizeof(struct virtio_pci_cap))
		goto bad;
	if (cfg_read(d, pos + offsetof(struct virtio_pci_cap, bar), 1, &bar) ||
	    cfg_read(d, pos + offsetof(struct virtio_pci_cap, offset), 4, &off) ||
	    cfg_read(d, pos + offsetof(struct virtio_pci_cap, length), 4, &len))
		goto bad;
	if (bar > VC_PCI_BAR_MAX || len < min_len ||
	    (uint64_t)off + len > UINT32_MAX)
		goto bad;
	if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
		if (cap_len < sizeof(struct virtio_pci_notify_cap) ||
		    cfg_read(d, pos + offsetof(struct virtio_pci_notify_cap,
					       notify_off_multiplier), 4, &mult))
			goto bad;
		d->notify_mult = mult;
	}
	r->bar = bar;
	r->off = off;
	r->len = len;
	return 0;
bad:
	VC_LOG(ERR, "malformed virtio capability type %u at 0x%x", type, pos);
	return -EINVAL;
}

int
vc_dev_init(struct vc_dev *d, struct vc_transport *tp)
{
	uint32_t vendor, device, status, pos, nq = 0, ttl = VC_PCI_CAP_TTL;
	int ret;

	memset(d, 0, sizeof(*d));
	d->tp = tp;
	if (cfg_read(d, VC_PCI_VENDOR_ID, 2, &vendor) ||
	    cfg_read(d, VC_PCI_DEVICE_ID, 2, &device) ||
	    cfg_read(d, VC_PCI_STATUS, 2, &status) ||
	    cfg_read(d, VC_PCI_CAP_PTR, 1, &pos))
		return -EIO;
	if (vendor != VC_PCI_VENDOR_VIRTIO || device != VC_PCI_DEVICE_NET) {
		VC_LOG(ERR, "not a modern virtio-net function: %04x:%04x",
		       vendor, device);
		return -ENODEV;
	}
	if (!(status & VC_PCI_STATUS_CAP_LIST)) {
		VC_LOG(ERR, "device has no capability list");
		return -ENODEV;
	}
	/* Bounded walk: a looping or wild list cannot hang the probe. */
	while (pos != 0 && ttl-- > 0) {
		uint32_t id, next, type, len;

		if (pos < 0x40 || pos > VC_PCI_CFG_SIZE - 4 || (pos & 3)) {
			VC_LOG(ERR, "capability pointer 0x%x out of range", pos);
			return -EINVAL;
		}
		if (cfg_read(d, pos, 1, &id) || cfg_read(d, pos + 1, 1, &next))
			return -EIO;
		if (id == VC_PCI_CAP_ID_VNDR) {
			if (cfg_read(d, pos + 2, 1, &len) ||
			    cfg_read(d, pos + 3, 1, &type))
				return -EIO;
			ret = record_cap(d, pos, type, len);
			if (ret)
				return ret;
		}
		pos = next;
	}
	if (pos != 0) {
		VC_LOG(ERR, "capability list does not end within %u entries",
		       VC_PCI_CAP_TTL);
		return -ELOOP;
	}
	if (!d->common.len || !d->notify.len || !d->isr.len || !d->device.len) {
		VC_LOG(ERR, "missing virtio capability (common %u notify %u isr %u device %u)",
		       d->common.len, d->notify.len, d->isr.len, d->device.len);
		return -ENODEV;
	}
	if (common_read(d, VC_COMMON(num_queues), 2, &nq) < 0 || nq == 0) {
		VC_LOG(ERR, "device has no virtqueues");
		return -ENODEV;
	}
	d->num_queues = nq;
	return 0;
}

uint8_t
vc_dev_status_get(struct vc_dev *d)
{
	uint32_t v = 0;

	common_read(d, VC_COMMON(device_status), 1, &v);
	return v;
}

void
vc_dev_status_add(struct vc_dev *d, uint8_t bits)
{
	common_write(d, VC_COMMON(device_status), 1, vc_dev_status_get(d) | bits);
}

int
vc_dev_reset(struct vc_dev *d)
{
	unsigned int i;

	common_write(d, VC_COMMON(device_status), 1, 0);
	/* 4.1.4.3.2: the reset completes when status reads back 0. */
	for (i = 0; i < 1000; i++) {
		if (vc_dev_status_get(d) == 0)
			return 0;
		rte_delay_us_sleep(1000);
	}
	VC_LOG(ERR, "device did not complete reset");
	return -ETIMEDOUT;
}

static uint64_t
features_read(struct vc_dev *d)
{
	uint32_t lo = 0, hi = 0;

	common_write(d, VC_COMMON(device_feature_select), 4, 0);
	common_read(d, VC_COMMON(device_feature), 4, &lo);
	common_write(d, VC_COMMON(device_feature_select), 4, 1);
	common_read(d, VC_COMMON(device_feature), 4, &hi);
	return ((uint64_t)hi << 32) | lo;
}

uint64_t
vc_dev_features_get(struct vc_dev *d)
{
	d->device_features = features_read(d);
	return d->device_features;
}

int
vc_dev_negotiate(struct vc_dev *d, uint64_t wanted, uint64_t *negotiated)
{
	uint64_t f;
	uint32_t nq = 0;

	vc_dev_features_get(d);
	f = wanted & d->device_features;
	if (!(f & VC_BIT(VIRTIO_F_VERSION_1))) {
		VC_LOG(ERR, "device does not offer VIRTIO_F_VERSION_1");
		return -ENOTSUP;
	}
	common_write(d, VC_COMMON(guest_feature_select), 4, 0);
	common_write(d, VC_COMMON(guest_feature), 4, (uint32_t)f);
	common_write(d, VC_COMMON(guest_feature_select), 4, 1);
	common_write(d, VC_COMMON(guest_feature), 4, (uint32_t)(f >> 32));
	vc_dev_status_add(d, VIRTIO_CONFIG_S_FEATURES_OK);
	/* 3.1.1 step 6: the device may refuse; only the read-back counts. */
	if (!(vc_dev_status_get(d) & VIRTIO_CONFIG_S_FEATURES_OK)) {
		VC_LOG(ERR, "device refused features 0x%" PRIx64 ": %s", f,
		       d->tp->ops->last_error(d->tp));
		return -ENOTSUP;
	}
	common_read(d, VC_COMMON(num_queues), 2, &nq);
	d->num_queues = nq;
	d->features = f;
	*negotiated = f;
	return 0;
}

uint16_t
vc_dev_queue_size_max(struct vc_dev *d, uint16_t q)
{
	uint32_t size = 0;

	if (q >= d->num_queues)
		return 0;
	common_write(d, VC_COMMON(queue_select), 2, q);
	common_read(d, VC_COMMON(queue_size), 2, &size);
	return size;
}

int
vc_dev_queue_setup(struct vc_dev *d, uint16_t q, uint16_t size,
		   uint64_t desc, uint64_t avail, uint64_t used,
		   uint64_t resume)
{
	uint32_t v = 0;

	if (q >= d->num_queues)
		return -EINVAL;
	common_write(d, VC_COMMON(queue_select), 2, q);
	common_write(d, VC_COMMON(queue_size), 2, size);
	common_read(d, VC_COMMON(queue_size), 2, &v);
	if (v != size) {
		VC_LOG(ERR, "queue %u: device refused size %u (has %u)",
		       q, size, v);
		return -EINVAL;
	}
	common_write64(d, VC_COMMON(queue_desc_lo), desc);
	common_write64(d, VC_COMMON(queue_avail_lo), avail);
	common_write64(d, VC_COMMON(queue_used_lo), used);
	/* Reset clears it: only a ring that publishes one writes it. */
	if (d->resume.len != 0 && resume != 0) {
		uint64_t r = d->resume.off;

		vc_tp_bar_write(d->tp, d->resume.bar,
				r + DEVSIM_RESUME_Q_ADDR_LO, 4, (uint32_t)resume);
		vc_tp_bar_write(d->tp, d->resume.bar,
				r + DEVSIM_RESUME_Q_ADDR_HI, 4,
				(uint32_t)(resume >> 32));
	}
	/* The datapath polls: no MSI-X vector for now. */
	common_write(d, VC_COMMON(queue_msix_vector), 2, VIRTIO_MSI_NO_VECTOR);
	common_write(d, VC_COMMON(queue_enable), 2, 1);
	return 0;
}

uint64_t
vc_dev_notify_off(struct vc_dev *d, uint16_t q)
{
	uint32_t noff = 0;

	common_write(d, VC_COMMON(queue_select), 2, q);
	common_read(d, VC_COMMON(queue_notify_off), 2, &noff);
	return (uint64_t)d->notify.off + (uint64_t)noff * d->notify_mult;
}

int
vc_dev_driver_ok(struct vc_dev *d)
{
	uint8_t st;

	vc_dev_status_add(d, VIRTIO_CONFIG_S_DRIVER_OK);
	st = vc_dev_status_get(d);
	if ((st & VIRTIO_CONFIG_S_NEEDS_RESET) ||
	    !(st & VIRTIO_CONFIG_S_DRIVER_OK)) {
		VC_LOG(ERR, "device failed to start (status 0x%02x): %s", st,
		       d->tp->ops->last_error(d->tp));
		return -EIO;
	}
	return 0;
}

int
vc_dev_config_read(struct vc_dev *d, uint32_t off, void *buf, uint32_t len,
		   unsigned int width)
{
	uint8_t *p = buf;
	uint32_t gen0 = 0, gen1 = 0, i, v;
	int tries = 16;

	if ((uint64_t)off + len > d->device.len ||
	    (width != 1 && width != 2 && width != 4) || len % width ||
	    off % width)
		return -ERANGE;
	do {
		common_read(d, VC_COMMON(config_generation), 1, &gen0);
		for (i = 0; i < len; i += width) {
			v = 0;
			if (vc_tp_bar_read(d->tp, d->device.bar,
					   d->device.off + off + i, width, &v))
				return -EIO;
			memcpy(p + i, &v, width); /* little-endian host */
		}
		common_read(d, VC_COMMON(config_generation), 1, &gen1);
	} while (gen0 != gen1 && --tries > 0);
	return tries > 0 ? 0 : -EAGAIN;
}
