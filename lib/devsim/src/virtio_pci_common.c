/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * The common configuration structure of the virtio-pci modern transport
 * (virtio 1.x 4.1.4.3): which field an access hits, natural-width checks,
 * the feature select windows, queue_select and the per-queue registers;
 * and devsim's per-queue resume register (devsim/virtio_resume.h).
 * State changes it causes (status writes, queue enables) go back to
 * virtio_pci.c through virtio_pci_priv.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "devsim/virtio_resume.h"
#include "virtio_pci.h"
#include "virtio_pci_priv.h"


/* ---- common configuration ----------------------------------------------- */

struct common_field {
	uint8_t off;
	uint8_t width;
	bool per_queue;
};

static const struct common_field common_fields[] = {
	{ VIRTIO_PCI_COMMON_DFSELECT, 4, false },
	{ VIRTIO_PCI_COMMON_DF, 4, false },
	{ VIRTIO_PCI_COMMON_GFSELECT, 4, false },
	{ VIRTIO_PCI_COMMON_GF, 4, false },
	{ VIRTIO_PCI_COMMON_MSIX, 2, false },
	{ VIRTIO_PCI_COMMON_NUMQ, 2, false },
	{ VIRTIO_PCI_COMMON_STATUS, 1, false },
	{ VIRTIO_PCI_COMMON_CFGGENERATION, 1, false },
	{ VIRTIO_PCI_COMMON_Q_SELECT, 2, false },
	{ VIRTIO_PCI_COMMON_Q_SIZE, 2, true },
	{ VIRTIO_PCI_COMMON_Q_MSIX, 2, true },
	{ VIRTIO_PCI_COMMON_Q_ENABLE, 2, true },
	{ VIRTIO_PCI_COMMON_Q_NOFF, 2, true },
	{ VIRTIO_PCI_COMMON_Q_DESCLO, 4, true },
	{ VIRTIO_PCI_COMMON_Q_DESCHI, 4, true },
	{ VIRTIO_PCI_COMMON_Q_AVAILLO, 4, true },
	{ VIRTIO_PCI_COMMON_Q_AVAILHI, 4, true },
	{ VIRTIO_PCI_COMMON_Q_USEDLO, 4, true },
	{ VIRTIO_PCI_COMMON_Q_USEDHI, 4, true },
};

/*
 * Find the field at @off.  Returns NULL with *rc = DEVSIM_IO_UNKNOWN when
 * no field covers @off, or *rc = -EINVAL when the access does not use the
 * field's natural width and start.
 */
static const struct common_field *
common_field_find(uint64_t off, unsigned int width, int *rc)
{
	unsigned int i;

	for (i = 0; i < sizeof(common_fields) / sizeof(common_fields[0]); i++) {
		const struct common_field *f = &common_fields[i];

		if (off < f->off || off >= (uint64_t)f->off + f->width)
			continue;
		if (off != f->off || width != f->width) {
			*rc = -EINVAL;
			return NULL;
		}
		*rc = 0;
		return f;
	}
	*rc = DEVSIM_IO_UNKNOWN;
	return NULL;
}

static uint16_t
msix_vector_clamp(const struct devsim_vpci *vp, uint32_t v)
{
	/* One vector per queue plus one for config changes. */
	return v < (uint32_t)vp->num_queues + 1 ? (uint16_t)v :
						 VIRTIO_MSI_NO_VECTOR;
}

static uint32_t
lo32(uint64_t v)
{
	return (uint32_t)v;
}

static uint32_t
hi32(uint64_t v)
{
	return (uint32_t)(v >> 32);
}

static uint64_t
set_lo32(uint64_t v, uint32_t lo)
{
	return (v & ~0xffffffffULL) | lo;
}

static uint64_t
set_hi32(uint64_t v, uint32_t hi)
{
	return (v & 0xffffffffULL) | (uint64_t)hi << 32;
}

static uint32_t
feature_window(uint64_t features, uint32_t select)
{
	if (select == 0)
		return lo32(features);
	if (select == 1)
		return hi32(features);
	return 0;
}

int
devsim_vpci_common_read(void *opaque, uint64_t off, unsigned int width, uint32_t *val)
{
	struct devsim_vpci *vp = opaque;
	const struct common_field *f;
	const struct devsim_vq *vq = NULL;
	int rc;

	f = common_field_find(off, width, &rc);
	if (f == NULL)
		return rc;
	if (f->per_queue) {
		if (vp->queue_select >= vp->num_queues)
			return DEVSIM_IO_UNKNOWN;
		vq = &vp->vqs[vp->queue_select];
	}

	switch (f->off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		*val = vp->dfselect;
		break;
	case VIRTIO_PCI_COMMON_DF:
		*val = feature_window(vp->net->features, vp->dfselect);
		break;
	case VIRTIO_PCI_COMMON_GFSELECT:
		*val = vp->gfselect;
		break;
	case VIRTIO_PCI_COMMON_GF:
		*val = feature_window(vp->driver_features, vp->gfselect);
		break;
	case VIRTIO_PCI_COMMON_MSIX:
		*val = vp->msix_config;
		break;
	case VIRTIO_PCI_COMMON_NUMQ:
		*val = vp->num_queues;
		break;
	case VIRTIO_PCI_COMMON_STATUS:
		*val = vp->status;
		break;
	case VIRTIO_PCI_COMMON_CFGGENERATION:
		*val = vp->generation;
		break;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		*val = vp->queue_select;
		break;
	case VIRTIO_PCI_COMMON_Q_SIZE:
		*val = vq->size;
		break;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		*val = vq->msix_vector;
		break;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		*val = vq->enable;
		break;
	case VIRTIO_PCI_COMMON_Q_NOFF:
		/* notify address = notify base + queue index * multiplier */
		*val = vp->queue_select;
		break;
	case VIRTIO_PCI_COMMON_Q_DESCLO:
		*val = lo32(vq->desc);
		break;
	case VIRTIO_PCI_COMMON_Q_DESCHI:
		*val = hi32(vq->desc);
		break;
	case VIRTIO_PCI_COMMON_Q_AVAILLO:
		*val = lo32(vq->driver);
		break;
	case VIRTIO_PCI_COMMON_Q_AVAILHI:
		*val = hi32(vq->driver);
		break;
	case VIRTIO_PCI_COMMON_Q_USEDLO:
		*val = lo32(vq->device);
		break;
	case VIRTIO_PCI_COMMON_Q_USEDHI:
		*val = hi32(vq->device);
		break;
	default:
		return DEVSIM_IO_UNKNOWN;
	}
	return 0;
}

static int
queue_size_write(struct devsim_vpci *vp, struct devsim_vq *vq, uint32_t val)
{
	/* virtio allows the driver to pick a smaller ring, not a larger one. */
	if (val == 0 || (val & (val - 1)) || val > vp->queue_size_max) {
		DEVSIM_LOG(vp->log, WARNING, "queue %u: size %u ignored (power of "
			   "2 up to %u)", vp->queue_select, val,
			   vp->queue_size_max);
		return DEVSIM_IO_IGNORED;
	}
	vq->size = (uint16_t)val;
	return 0;
}

static int
queue_enable_write(struct devsim_vpci *vp, struct devsim_vq *vq, uint32_t val)
{
	/* Writing 0 is only defined with VIRTIO_F_RING_RESET (not offered). */
	if (val != 1 || vq->enable == 1)
		return DEVSIM_IO_IGNORED;
	vq->enable = 1;
	/*
	 * After DRIVER_OK a queue enabled late starts at once (a driver
	 * bringing more queue pairs up later).
	 */
	if ((vp->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !(vp->status & VIRTIO_CONFIG_S_NEEDS_RESET))
		devsim_vpci_vq_start(vp, vp->queue_select);
	return 0;
}

static int
common_queue_write(struct devsim_vpci *vp, const struct common_field *f,
		   uint32_t val)
{
	struct devsim_vq *vq;

	if (vp->queue_select >= vp->num_queues)
		return DEVSIM_IO_IGNORED;
	vq = &vp->vqs[vp->queue_select];

	switch (f->off) {
	case VIRTIO_PCI_COMMON_Q_MSIX:
		vq->msix_vector = msix_vector_clamp(vp, val);
		return 0;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		return queue_enable_write(vp, vq, val);
	case VIRTIO_PCI_COMMON_Q_NOFF:
		return DEVSIM_IO_IGNORED;
	default:
		break;
	}
	/* The ring's geometry is frozen once the queue is enabled. */
	if (vq->enable)
		return DEVSIM_IO_IGNORED;
	switch (f->off) {
	case VIRTIO_PCI_COMMON_Q_SIZE:
		return queue_size_write(vp, vq, val);
	case VIRTIO_PCI_COMMON_Q_DESCLO:
		vq->desc = set_lo32(vq->desc, val);
		break;
	case VIRTIO_PCI_COMMON_Q_DESCHI:
		vq->desc = set_hi32(vq->desc, val);
		break;
	case VIRTIO_PCI_COMMON_Q_AVAILLO:
		vq->driver = set_lo32(vq->driver, val);
		break;
	case VIRTIO_PCI_COMMON_Q_AVAILHI:
		vq->driver = set_hi32(vq->driver, val);
		break;
	case VIRTIO_PCI_COMMON_Q_USEDLO:
		vq->device = set_lo32(vq->device, val);
		break;
	case VIRTIO_PCI_COMMON_Q_USEDHI:
		vq->device = set_hi32(vq->device, val);
		break;
	default:
		return DEVSIM_IO_UNKNOWN;
	}
	return 0;
}

int
devsim_vpci_common_write(void *opaque, uint64_t off, unsigned int width, uint32_t val)
{
	struct devsim_vpci *vp = opaque;
	const struct common_field *f;
	int rc;

	f = common_field_find(off, width, &rc);
	if (f == NULL)
		return rc;
	if (f->per_queue)
		return common_queue_write(vp, f, val);

	switch (f->off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		vp->dfselect = val;
		return 0;
	case VIRTIO_PCI_COMMON_GFSELECT:
		vp->gfselect = val;
		return 0;
	case VIRTIO_PCI_COMMON_GF:
		/* Features are frozen once FEATURES_OK was accepted. */
		if (vp->gfselect > 1 ||
		    (vp->status & VIRTIO_CONFIG_S_FEATURES_OK))
			return DEVSIM_IO_IGNORED;
		if (vp->gfselect == 0)
			vp->driver_features = set_lo32(vp->driver_features, val);
		else
			vp->driver_features = set_hi32(vp->driver_features, val);
		return 0;
	case VIRTIO_PCI_COMMON_MSIX:
		vp->msix_config = msix_vector_clamp(vp, val);
		return 0;
	case VIRTIO_PCI_COMMON_STATUS:
		return devsim_vpci_status_write(vp, (uint8_t)val);
	case VIRTIO_PCI_COMMON_Q_SELECT:
		/* Kept as written; queue registers read 0 when out of range. */
		vp->queue_select = (uint16_t)val;
		return 0;
	default:
		/* device_feature, num_queues, config_generation: read only */
		return DEVSIM_IO_IGNORED;
	}
}


/* ---- resume registers (devsim/virtio_resume.h) ------------------------- */

/*
 * The queue under queue_select, or NULL (out of range) for the resume
 * register at @off: 4-byte accesses at 0 or 4 only.
 */
static struct devsim_vq *
resume_vq(struct devsim_vpci *vp, uint64_t off, unsigned int width, int *rc)
{
	if (width != 4 || (off != DEVSIM_RESUME_Q_ADDR_LO &&
			   off != DEVSIM_RESUME_Q_ADDR_HI)) {
		*rc = off < DEVSIM_RESUME_CFG_SIZE ? -EINVAL : DEVSIM_IO_UNKNOWN;
		return NULL;
	}
	if (vp->queue_select >= vp->num_queues) {
		*rc = DEVSIM_IO_UNKNOWN;
		return NULL;
	}
	return &vp->vqs[vp->queue_select];
}

int
devsim_vpci_resume_read(void *opaque, uint64_t off, unsigned int width,
			uint32_t *val)
{
	const struct devsim_vq *vq;
	int rc = 0;

	vq = resume_vq(opaque, off, width, &rc);
	if (vq == NULL)
		return rc;
	*val = off == DEVSIM_RESUME_Q_ADDR_LO ? lo32(vq->resume) :
						hi32(vq->resume);
	return 0;
}

int
devsim_vpci_resume_write(void *opaque, uint64_t off, unsigned int width,
			 uint32_t val)
{
	struct devsim_vq *vq;
	int rc = 0;

	vq = resume_vq(opaque, off, width, &rc);
	if (vq == NULL)
		return rc == DEVSIM_IO_UNKNOWN ? DEVSIM_IO_IGNORED : rc;
	/* Like the ring addresses: frozen once the queue is enabled. */
	if (vq->enable)
		return DEVSIM_IO_IGNORED;
	vq->resume = off == DEVSIM_RESUME_Q_ADDR_LO ?
		     set_lo32(vq->resume, val) : set_hi32(vq->resume, val);
	return 0;
}
