/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devsim/virtio_resume.h"
#include "virtio_pci.h"
#include "virtio_pci_priv.h"

#define F_VERSION_1    (1ULL << VIRTIO_F_VERSION_1)
#define F_RING_PACKED  (1ULL << VIRTIO_F_RING_PACKED)
#define F_CTRL_VQ      (1ULL << VIRTIO_NET_F_CTRL_VQ)
#define F_MQ           (1ULL << VIRTIO_NET_F_MQ)

/* ---- helpers ------------------------------------------------------------ */

static int
be_result(struct devsim_vpci *vp, int rc)
{
	vp->backend_calls++;
	if (rc < 0)
		vp->backend_errors++;
	return rc;
}

static void
eventfd_signal(int fd)
{
	uint64_t one = 1;
	ssize_t rc;

	/* EAGAIN means the counter is saturated: the reader wakes anyway. */
	rc = write(fd, &one, sizeof(one));
	(void)rc;
}

static void
vpci_config_irq(struct devsim_vpci *vp)
{
	vp->isr |= DEVSIM_VPCI_ISR_CONFIG;
	if (vp->config_fd >= 0)
		eventfd_signal(vp->config_fd);
}

/*
 * The device cannot go on: set DEVICE_NEEDS_RESET, log the reason (which
 * devsim.c keeps as the last error) and, if the driver already runs the
 * device, tell it with a config interrupt (virtio 1.x 2.1.2).
 */
static void __attribute__((format(printf, 2, 3)))
vpci_needs_reset(struct devsim_vpci *vp, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	DEVSIM_LOG(vp->log, ERR, "device needs reset: %s", msg);
	vp->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	if (vp->status & VIRTIO_CONFIG_S_DRIVER_OK)
		vpci_config_irq(vp);
}

static void
vq_defaults(struct devsim_vpci *vp, struct devsim_vq *vq)
{
	memset(vq, 0, sizeof(*vq));
	vq->size = vp->queue_size_max;
	vq->msix_vector = VIRTIO_MSI_NO_VECTOR;
	vq->kick_fd = -1;
	vq->call_fd = -1;
}

/* Is the ring the driver programmed aligned and inside shared memory? */
static bool
vq_rings_mapped(const struct devsim_vpci *vp, const struct devsim_vq *vq)
{
	uint64_t n = vq->size;

	if (vq->desc & (DEVSIM_VRING_DESC_ALIGN - 1))
		return false;
	if (vp->driver_features & F_RING_PACKED)
		return !((vq->driver | vq->device) &
			 (DEVSIM_PACKED_EVENT_ALIGN - 1)) &&
		       devsim_memtable_contains(vp->mem, vq->desc,
						DEVSIM_PACKED_DESC_SIZE(n)) &&
		       devsim_memtable_contains(vp->mem, vq->driver,
						DEVSIM_PACKED_EVENT_SIZE) &&
		       devsim_memtable_contains(vp->mem, vq->device,
						DEVSIM_PACKED_EVENT_SIZE);
	if ((vq->driver & (DEVSIM_VRING_AVAIL_ALIGN - 1)) ||
	    (vq->device & (DEVSIM_VRING_USED_ALIGN - 1)))
		return false;
	return devsim_memtable_contains(vp->mem, vq->desc,
					DEVSIM_SPLIT_DESC_SIZE(n)) &&
	       devsim_memtable_contains(vp->mem, vq->driver,
					DEVSIM_SPLIT_AVAIL_SIZE(n)) &&
	       devsim_memtable_contains(vp->mem, vq->device,
					DEVSIM_SPLIT_USED_SIZE(n));
}

/*
 * Let the backend use started data vring @q, or make it leave the vring
 * alone (the queue pair is not in use).  Failures are logged, counted and
 * returned; the vring keeps its previous state.
 */
static int
vq_backend_enable(struct devsim_vpci *vp, unsigned int q, bool enable)
{
	struct devsim_vq *vq = &vp->vqs[q];
	int rc;

	if (!vq->started || vq->be_disabled == !enable)
		return 0;
	rc = vp->ops->vring_enable == NULL ? -ENOTSUP :
	     be_result(vp, vp->ops->vring_enable(vp->be, q, enable));
	if (rc < 0) {
		DEVSIM_LOG(vp->log, WARNING, "queue %u: vring_enable(%d): %s", q,
			   enable, strerror(-rc));
		return rc;
	}
	vq->be_disabled = !enable;
	return 0;
}

/* devsim_net_ctrl_ops: VQ_PAIRS_SET. */
static int
vpci_pairs_set(void *opaque, uint16_t pairs)
{
	struct devsim_vpci *vp = opaque;
	unsigned int q;
	int rc, ret = 0;

	vp->curr_pairs = pairs;
	/* Data queues only: with MQ the control queue is 2 * max pairs. */
	for (q = 0; q < 2u * vp->net->max_vq_pairs; q++) {
		rc = vq_backend_enable(vp, q, q / 2 < pairs);
		if (rc < 0)
			ret = rc;
	}
	return ret;
}

/* devsim_net_ctrl_ops: MAC_ADDR_SET changed the device config. */
static void
vpci_config_changed(void *opaque)
{
	struct devsim_vpci *vp = opaque;

	vp->generation++;
	vpci_config_irq(vp);
}

static const struct devsim_net_ctrl_ops vpci_ctrl_ops = {
	.pairs_set = vpci_pairs_set,
	.config_changed = vpci_config_changed,
};

/* The control queue is devsim's own: it never reaches the backend. */
static int
vq_ctrl_start(struct devsim_vpci *vp, unsigned int q)
{
	struct devsim_vq *vq = &vp->vqs[q];
	int rc;

	rc = devsim_net_ctrl_start(&vp->ctrl, vp->driver_features, vq->size,
				   vq->desc, vq->driver, vq->device);
	if (rc < 0)
		vpci_needs_reset(vp, "control queue %u cannot start: %s", q,
				 strerror(-rc));
	return rc;
}

/* Start vring @q at the backend; on failure the device needs reset. */
int
devsim_vpci_vq_start(struct devsim_vpci *vp, unsigned int q)
{
	struct devsim_vq *vq = &vp->vqs[q];
	struct devsim_vring_cfg cfg;
	int kick, call, rc;

	if ((int)q == atomic_load_explicit(&vp->ctrl_vq, memory_order_relaxed))
		return vq_ctrl_start(vp, q);
	/* The control queue's slot without CTRL_VQ negotiated: no vring of
	 * the backend's; the driver has no business enabling it. */
	if (q >= 2u * vp->net->max_vq_pairs)
		return 0;
	if (vq->started)
		return 0;
	if (!vq_rings_mapped(vp, vq)) {
		vpci_needs_reset(vp, "queue %u: ring (desc 0x%llx, driver 0x%llx, "
				 "device 0x%llx, size %u) is misaligned or lies "
				 "outside the memory table", q, (unsigned long long)vq->desc,
				 (unsigned long long)vq->driver,
				 (unsigned long long)vq->device, vq->size);
		return -EFAULT;
	}
	kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (kick < 0) {
		rc = -errno;
		goto err_kick;
	}
	call = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (call < 0) {
		rc = -errno;
		goto err_call;
	}
	cfg = (struct devsim_vring_cfg){
		.num = vq->size,
		/*
		 * Every start follows a reset: the ring is empty. A packed
		 * ring's base carries the avail wrap counter in bit 15, and it
		 * starts at 1 (2.8.1); lib/vhost takes bits 0-14 as the
		 * position and bit 15 as the wrap counter.
		 */
		.base = (vp->driver_features & F_RING_PACKED) ?
			DEVSIM_PACKED_BASE_WRAP : 0,
		.desc = vq->desc,
		.avail = vq->driver,
		.used = vq->device,
		.kick_fd = kick,
		.call_fd = call,
	};
	rc = be_result(vp, vp->ops->vring_start(vp->be, q, &cfg));
	if (rc < 0)
		goto err_start;

	vq->kick_fd = kick;
	vq->call_fd = call;
	vq->started = true;
	/* Pairs with the acquire load in notify_write(). */
	atomic_store_explicit(&vp->kick_fds[q], kick, memory_order_release);
	/*
	 * 5.1.6.5.5: with MQ the device uses pair 0 only until the driver
	 * sends VQ_PAIRS_SET.  A backend that cannot disable keeps the vring
	 * (logged); VQ_PAIRS_SET then only succeeds for all pairs.
	 */
	if (q / 2 >= vp->curr_pairs)
		vq_backend_enable(vp, q, false);
	return 0;

err_start:
	close(call);
err_call:
	close(kick);
err_kick:
	vpci_needs_reset(vp, "queue %u: cannot start the vring: %s", q,
			 strerror(-rc));
	return rc;
}

static void
vq_stop(struct devsim_vpci *vp, unsigned int q)
{
	struct devsim_vq *vq = &vp->vqs[q];
	uint32_t base = 0;
	int rc;

	if (!vq->started)
		return;
	/*
	 * Withdraw the kick fd, then wait until no notify writer can still
	 * hold it: a writer increments notify_users before loading the fd
	 * (both seq_cst), so once the store below is visible and the count
	 * is 0, nobody writes to the fd number we are about to close.
	 */
	atomic_store_explicit(&vp->kick_fds[q], -1, memory_order_seq_cst);
	while (atomic_load_explicit(&vp->notify_users, memory_order_seq_cst))
		sched_yield();

	rc = be_result(vp, vp->ops->vring_stop(vp->be, q, &base));
	if (rc < 0)
		DEVSIM_LOG(vp->log, WARNING, "queue %u: vring_stop: %s", q,
			   strerror(-rc));
	close(vq->kick_fd);
	close(vq->call_fd);
	vq->kick_fd = -1;
	vq->call_fd = -1;
	vq->started = false;
	vq->be_disabled = false;
}

/* ---- device status ------------------------------------------------------ */

static void
vpci_reset(struct devsim_vpci *vp)
{
	unsigned int q;
	int rc;

	for (q = 0; q < vp->num_queues; q++)
		vq_stop(vp, q);
	atomic_store_explicit(&vp->ctrl_vq, -1, memory_order_relaxed);
	devsim_net_ctrl_reset(&vp->ctrl);
	vp->curr_pairs = 0;
	if (vp->status != 0) {
		rc = be_result(vp, vp->ops->set_status(vp->be, 0));
		if (rc < 0)
			DEVSIM_LOG(vp->log, WARNING, "set_status(0): %s",
				   strerror(-rc));
	}
	for (q = 0; q < vp->num_queues; q++)
		vq_defaults(vp, &vp->vqs[q]);
	vp->dfselect = 0;
	vp->gfselect = 0;
	vp->driver_features = 0;
	vp->msix_config = VIRTIO_MSI_NO_VECTOR;
	vp->queue_select = 0;
	vp->isr = 0;
	vp->status = 0;
	if (vp->link_at_reset) {
		vp->link_at_reset = false;
		devsim_vpci_link_set(vp, true);
	}
}

static bool
vpci_features_ok(struct devsim_vpci *vp)
{
	uint64_t f = vp->driver_features;
	uint64_t extra = f & ~vp->net->features;
	int rc;

	if (extra != 0) {
		DEVSIM_LOG(vp->log, ERR, "FEATURES_OK refused: driver features "
			   "0x%llx include 0x%llx the device does not offer",
			   (unsigned long long)f, (unsigned long long)extra);
		return false;
	}
	if (!(f & F_VERSION_1)) {
		DEVSIM_LOG(vp->log, ERR, "FEATURES_OK refused: driver features "
			   "0x%llx lack VIRTIO_F_VERSION_1", (unsigned long long)f);
		return false;
	}
	if ((f & DEVSIM_NET_F_CTRL) && !(f & F_CTRL_VQ)) {
		DEVSIM_LOG(vp->log, ERR, "FEATURES_OK refused: driver features "
			   "0x%llx use the control queue without "
			   "VIRTIO_NET_F_CTRL_VQ", (unsigned long long)f);
		return false;
	}
	/* The control queue is emulated here: the backend never sees it. */
	rc = be_result(vp, vp->ops->set_features(vp->be,
						 f & ~DEVSIM_NET_F_CTRL));
	if (rc < 0) {
		DEVSIM_LOG(vp->log, ERR, "FEATURES_OK refused: backend "
			   "set_features(0x%llx): %s", (unsigned long long)f,
			   strerror(-rc));
		return false;
	}
	atomic_store_explicit(&vp->ctrl_vq,
			      devsim_net_ctrl_vq_index(vp->net, f),
			      memory_order_relaxed);
	/* 5.1.6.5.5: with MQ, pair 0 only until VQ_PAIRS_SET. */
	vp->curr_pairs = (f & F_CTRL_VQ) && (f & F_MQ) ? 1 :
			 vp->net->max_vq_pairs;
	return true;
}

/* DRIVER_OK: memory table, then every enabled queue. */
static int
vpci_driver_ok(struct devsim_vpci *vp)
{
	unsigned int q;
	int rc;

	if (vp->mem->n == 0) {
		vpci_needs_reset(vp, "DRIVER_OK without a memory table: call "
				 "devsim_mem_set() before starting the device");
		return -EINVAL;
	}
	rc = be_result(vp, vp->ops->set_mem_table(vp->be, vp->mem->r,
						  vp->mem->n));
	if (rc < 0) {
		vpci_needs_reset(vp, "backend refused the memory table (%u "
				 "regions): %s", vp->mem->n, strerror(-rc));
		return rc;
	}
	for (q = 0; q < vp->num_queues; q++) {
		if (vp->vqs[q].enable != 1)
			continue;
		rc = devsim_vpci_vq_start(vp, q);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int
devsim_vpci_status_write(struct devsim_vpci *vp, uint8_t val)
{
	const uint8_t dev_bits = VIRTIO_CONFIG_S_NEEDS_RESET;
	uint8_t old = vp->status, add;
	int rc;

	if (val == 0) {
		vpci_reset(vp);
		return 0;
	}
	/* Only a reset may clear bits; NEEDS_RESET is the device's to set. */
	if ((old & ~dev_bits) & ~val)
		return DEVSIM_IO_IGNORED;
	add = (uint8_t)(val & ~old & ~dev_bits);
	if (add == 0)
		return (val & dev_bits & ~old) ? DEVSIM_IO_IGNORED : 0;
	if ((old & VIRTIO_CONFIG_S_NEEDS_RESET) &&
	    (add & ~VIRTIO_CONFIG_S_FAILED)) {
		DEVSIM_LOG(vp->log, WARNING, "status 0x%02x ignored: the device "
			   "needs a reset first", val);
		add &= VIRTIO_CONFIG_S_FAILED;
		if (add == 0)
			return DEVSIM_IO_IGNORED;
	}

	if ((add & VIRTIO_CONFIG_S_FEATURES_OK) && !vpci_features_ok(vp))
		add &= (uint8_t)~VIRTIO_CONFIG_S_FEATURES_OK;
	if ((add & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !((old | add) & VIRTIO_CONFIG_S_FEATURES_OK)) {
		DEVSIM_LOG(vp->log, ERR, "DRIVER_OK refused: FEATURES_OK is not "
			   "set");
		add &= (uint8_t)~VIRTIO_CONFIG_S_DRIVER_OK;
	}
	if (add == 0)
		return DEVSIM_IO_IGNORED;

	vp->status = old | add;
	if (add & VIRTIO_CONFIG_S_DRIVER_OK) {
		rc = vpci_driver_ok(vp);
		if (rc < 0)
			return 0; /* NEEDS_RESET set and logged */
	}
	rc = be_result(vp, vp->ops->set_status(vp->be, vp->status));
	if (rc < 0) {
		if (add & VIRTIO_CONFIG_S_DRIVER_OK)
			vpci_needs_reset(vp, "backend set_status(0x%02x): %s",
					 vp->status, strerror(-rc));
		else if (add & VIRTIO_CONFIG_S_FEATURES_OK) {
			/* The backend did not keep FEATURES_OK: the driver
			 * reads the refusal back (3.1.1 step 6). */
			vp->status &= (uint8_t)~VIRTIO_CONFIG_S_FEATURES_OK;
			DEVSIM_LOG(vp->log, ERR, "FEATURES_OK refused by the "
				   "backend: %s", strerror(-rc));
		} else
			DEVSIM_LOG(vp->log, WARNING, "backend set_status(0x%02x): "
				   "%s", vp->status, strerror(-rc));
	}
	return 0;
}

/* ---- ISR, device cfg, notify ---------------------------------------------- */

static int
isr_read(void *opaque, uint64_t off, unsigned int width, uint32_t *val)
{
	struct devsim_vpci *vp = opaque;

	if (off != 0)
		return DEVSIM_IO_UNKNOWN;
	if (width != 1)
		return -EINVAL;
	/* Reading acknowledges (4.1.4.5). */
	*val = vp->isr;
	vp->isr = 0;
	return 0;
}

static int
readonly_write(void *opaque, uint64_t off, unsigned int width, uint32_t val)
{
	(void)opaque;
	(void)off;
	(void)width;
	(void)val;
	return DEVSIM_IO_IGNORED;
}

static int
device_read(void *opaque, uint64_t off, unsigned int width, uint32_t *val)
{
	struct devsim_vpci *vp = opaque;

	return devsim_net_cfg_read(vp->net, off, width, val);
}

static int
notify_read(void *opaque, uint64_t off, unsigned int width, uint32_t *val)
{
	(void)opaque;
	(void)off;
	(void)width;
	(void)val;
	return DEVSIM_IO_UNKNOWN;
}

/*
 * The control queue's doorbell, under the device lock: run its commands
 * now (the driver polls for them).  The index is checked again because a
 * reset may have run since notify_write() read it.
 */
static int
vpci_ctrl_notify(struct devsim_vpci *vp, unsigned int q)
{
	if ((int)q != atomic_load_explicit(&vp->ctrl_vq, memory_order_relaxed) ||
	    !(vp->status & VIRTIO_CONFIG_S_DRIVER_OK) ||
	    (vp->status & VIRTIO_CONFIG_S_NEEDS_RESET) || !vp->ctrl.running)
		return DEVSIM_IO_IGNORED;
	if (devsim_net_ctrl_process(&vp->ctrl) < 0)
		vpci_needs_reset(vp, "control queue %u: the driver broke the "
				 "ring", q);
	return 0;
}

/* Lock free: the datapath's doorbell.  See vq_stop() for the fd handshake. */
static int
notify_write(void *opaque, uint64_t off, unsigned int width, uint32_t val)
{
	struct devsim_vpci *vp = opaque;
	uint64_t q = off / DEVSIM_VPCI_NOTIFY_MULT;
	int fd, rc = DEVSIM_IO_IGNORED;

	if (width != 2)
		return -EINVAL;
	if (off % DEVSIM_VPCI_NOTIFY_MULT || q >= vp->num_queues || val != q)
		return DEVSIM_IO_IGNORED;

	atomic_fetch_add_explicit(&vp->notify_users, 1, memory_order_seq_cst);
	fd = atomic_load_explicit(&vp->kick_fds[q], memory_order_seq_cst);
	if (fd >= 0) {
		eventfd_signal(fd);
		atomic_fetch_add_explicit(&vp->kicks, 1, memory_order_relaxed);
		rc = 0;
	}
	atomic_fetch_sub_explicit(&vp->notify_users, 1, memory_order_release);
	/*
	 * Only after leaving notify_users: vq_stop() waits for it to drop
	 * while holding the lock taken here.
	 */
	if (fd < 0 && vp->lock != NULL &&
	    (int)q == atomic_load_explicit(&vp->ctrl_vq, memory_order_relaxed)) {
		pthread_mutex_lock(vp->lock);
		rc = vpci_ctrl_notify(vp, (unsigned int)q);
		pthread_mutex_unlock(vp->lock);
	}
	return rc;
}

/* ---- life cycle ------------------------------------------------------------ */

int
devsim_vpci_init(struct devsim_vpci *vp, const struct devsim_vpci_params *p)
{
	unsigned int q;
	int rc;

	memset(vp, 0, sizeof(*vp));
	vp->config_fd = -1;
	if (p->queue_size_max == 0 || (p->queue_size_max & (p->queue_size_max - 1)) ||
	    p->queue_size_max > 32768)
		return -EINVAL;
	vp->log = p->log;
	vp->net = p->net;
	vp->mem = p->mem;
	vp->ops = p->ops;
	vp->be = p->be;
	vp->lock = p->lock;
	vp->queue_size_max = p->queue_size_max;
	vp->num_queues = devsim_net_num_queues(p->net);
	if (vp->num_queues == 0 || vp->num_queues > DEVSIM_VQ_MAX)
		return -EINVAL;

	vp->vqs = calloc(vp->num_queues, sizeof(*vp->vqs));
	if (vp->vqs == NULL) {
		rc = -ENOMEM;
		goto err_vqs;
	}
	vp->kick_fds = calloc(vp->num_queues, sizeof(*vp->kick_fds));
	if (vp->kick_fds == NULL) {
		rc = -ENOMEM;
		goto err_kick_fds;
	}
	for (q = 0; q < vp->num_queues; q++) {
		atomic_init(&vp->kick_fds[q], -1);
		vq_defaults(vp, &vp->vqs[q]);
	}
	atomic_init(&vp->notify_users, 0);
	atomic_init(&vp->kicks, 0);
	atomic_init(&vp->ctrl_vq, -1);
	devsim_net_ctrl_init(&vp->ctrl, &(struct devsim_net_ctrl_env){
		.log = p->log,
		.mem = p->mem,
		.net = p->net,
		.ops = &vpci_ctrl_ops,
		.opaque = vp,
	});
	vp->msix_config = VIRTIO_MSI_NO_VECTOR;

	vp->config_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (vp->config_fd < 0) {
		rc = -errno;
		goto err_config_fd;
	}
	return 0;

err_config_fd:
	free(vp->kick_fds);
	vp->kick_fds = NULL;
err_kick_fds:
	free(vp->vqs);
	vp->vqs = NULL;
err_vqs:
	return rc;
}

void
devsim_vpci_fini(struct devsim_vpci *vp)
{
	if (vp->vqs != NULL)
		vpci_reset(vp);
	if (vp->config_fd >= 0)
		close(vp->config_fd);
	vp->config_fd = -1;
	free(vp->kick_fds);
	vp->kick_fds = NULL;
	free(vp->vqs);
	vp->vqs = NULL;
}

/* @id tells apart capabilities of one type (virtio 1.2 4.1.4). */
static int
vpci_cap_add(struct devsim_pci_cfg *pc, uint8_t type, uint8_t id, uint32_t off,
	     uint32_t len)
{
	struct virtio_pci_cap cap = {
		.cap_vndr = DEVSIM_PCI_CAP_ID_VNDR,
		.cap_len = sizeof(cap),
		.cfg_type = type,
		.bar = DEVSIM_VPCI_BAR,
		.id = id,
		.offset = off,   /* little endian: the host is x86/arm LE */
		.length = len,
	};
	uint8_t pos;

	return devsim_pci_cfg_cap_add(pc, &cap, sizeof(cap), &pos);
}

int
devsim_vpci_layout(struct devsim_vpci *vp, struct devsim_pci_cfg *pc,
		   struct devsim_io *io)
{
	struct virtio_pci_notify_cap ncap = {
		.cap = {
			.cap_vndr = DEVSIM_PCI_CAP_ID_VNDR,
			.cap_len = sizeof(ncap),
			.cfg_type = VIRTIO_PCI_CAP_NOTIFY_CFG,
			.bar = DEVSIM_VPCI_BAR,
			.offset = DEVSIM_VPCI_NOTIFY_OFF,
			.length = DEVSIM_VPCI_REGION_SIZE,
		},
		.notify_off_multiplier = DEVSIM_VPCI_NOTIFY_MULT,
	};
	const struct devsim_io_region regions[] = {
		{ "common", DEVSIM_VPCI_COMMON_OFF, DEVSIM_VPCI_REGION_SIZE,
		  false, devsim_vpci_common_read, devsim_vpci_common_write, vp },
		{ "isr", DEVSIM_VPCI_ISR_OFF, DEVSIM_VPCI_REGION_SIZE,
		  false, isr_read, readonly_write, vp },
		{ "device", DEVSIM_VPCI_DEVICE_OFF, DEVSIM_VPCI_REGION_SIZE,
		  false, device_read, readonly_write, vp },
		{ "notify", DEVSIM_VPCI_NOTIFY_OFF, DEVSIM_VPCI_REGION_SIZE,
		  true, notify_read, notify_write, vp },
		{ "resume", DEVSIM_VPCI_RESUME_OFF, DEVSIM_VPCI_REGION_SIZE,
		  false, devsim_vpci_resume_read, devsim_vpci_resume_write, vp },
	};
	uint8_t pos;
	unsigned int i;
	int rc;

	rc = devsim_pci_cfg_bar64_set(pc, DEVSIM_VPCI_BAR, DEVSIM_VPCI_BAR_SIZE,
				      true);
	if (rc == 0)
		rc = devsim_io_bar_set(io, DEVSIM_VPCI_BAR, DEVSIM_VPCI_BAR_SIZE);
	if (rc == 0)
		rc = vpci_cap_add(pc, VIRTIO_PCI_CAP_COMMON_CFG, 0,
				  DEVSIM_VPCI_COMMON_OFF, DEVSIM_VPCI_REGION_SIZE);
	if (rc == 0)
		rc = vpci_cap_add(pc, VIRTIO_PCI_CAP_ISR_CFG, 0,
				  DEVSIM_VPCI_ISR_OFF, DEVSIM_VPCI_REGION_SIZE);
	if (rc == 0)
		rc = vpci_cap_add(pc, VIRTIO_PCI_CAP_DEVICE_CFG, 0,
				  DEVSIM_VPCI_DEVICE_OFF, DEVSIM_VPCI_REGION_SIZE);
	if (rc == 0)
		rc = devsim_pci_cfg_cap_add(pc, &ncap, sizeof(ncap), &pos);
	/* devsim/virtio_resume.h: a vendor capability, told apart by its id. */
	if (rc == 0)
		rc = vpci_cap_add(pc, DEVSIM_PCI_CAP_VENDOR_CFG,
				  DEVSIM_RESUME_CAP_ID, DEVSIM_VPCI_RESUME_OFF,
				  DEVSIM_RESUME_CFG_SIZE);
	for (i = 0; rc == 0 && i < sizeof(regions) / sizeof(regions[0]); i++)
		rc = devsim_io_region_add(io, DEVSIM_VPCI_BAR, &regions[i]);
	return rc;
}

int
devsim_vpci_mem_changed(struct devsim_vpci *vp)
{
	int rc;

	if (!(vp->status & VIRTIO_CONFIG_S_DRIVER_OK) ||
	    (vp->status & VIRTIO_CONFIG_S_NEEDS_RESET))
		return 0;
	rc = be_result(vp, vp->ops->set_mem_table(vp->be, vp->mem->r,
						  vp->mem->n));
	if (rc < 0)
		vpci_needs_reset(vp, "backend refused the new memory table (%u "
				 "regions): %s", vp->mem->n, strerror(-rc));
	return rc;
}

void
devsim_vpci_link_set(struct devsim_vpci *vp, bool up)
{
	if (!devsim_net_link_set(vp->net, up))
		return;
	/* Drivers re-read multi-byte config until the generation is stable. */
	vp->generation++;
	vpci_config_irq(vp);
}

void
devsim_vpci_link_at_reset(struct devsim_vpci *vp, bool pending)
{
	vp->link_at_reset = pending;
}

int
devsim_vpci_irq_fd(const struct devsim_vpci *vp, unsigned int vq)
{
	if (vq == DEVSIM_IRQ_CONFIG)
		return vp->config_fd;
	if (vq >= vp->num_queues)
		return -1;
	return vp->vqs[vq].call_fd;
}

int
devsim_vpci_kick_fd(const struct devsim_vpci *vp, unsigned int vq)
{
	if (vq >= vp->num_queues)
		return -1;
	return vp->vqs[vq].kick_fd;
}
