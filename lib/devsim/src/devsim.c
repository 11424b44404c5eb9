/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * Public entry points: argument checks, the bus, the device lock, and the
 * composition of one virtio-net PCI function out of the layers:
 * pci_cfg (config space) + virtio_pci (BAR registers) + virtio_net (device
 * model) + memtable, all reached through the io decoder.
 */

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_ids.h>

#include "devsim/devsim.h"
#include "io.h"
#include "log.h"
#include "memtable.h"
#include "pci_cfg.h"
#include "supervise.h"
#include "virtio_net.h"
#include "virtio_pci.h"
#include "vu_frontend.h"

#define DEVSIM_ERR_LEN 256

struct devsim_bus {
	struct devsim_log log;
	pthread_mutex_t lock;                   /**< guards slots[] */
	struct devsim_dev *slots[DEVSIM_BUS_SLOTS];
};

struct devsim_dev {
	struct devsim_bus *bus;
	unsigned int slot;                      /**< valid once attached */
	pthread_mutex_t lock;                   /**< all but notify writes */
	/** Device log: forwards to the bus hook, remembers the last error. */
	struct devsim_log log;
	char last_error[DEVSIM_ERR_LEN];
	char last_error_ret[DEVSIM_ERR_LEN];   /**< copy handed to callers */

	struct devsim_io io;
	struct devsim_pci_cfg pci;
	struct devsim_vpci vpci;
	struct devsim_net net;
	struct devsim_memtable mem;

	const struct devsim_backend_ops *be_ops;
	struct devsim_backend *be;              /**< NULL until attached */
	struct devsim_backend_info info;
	bool vpci_ready;                        /**< vpci initialised */
	/** Reconnecting backends only (supervise.h); else events go
	 *  straight to be_ops->handle_event. */
	struct devsim_sup sup;
	bool sup_ready;
};

/* ---- logging ------------------------------------------------------------ */

static void
dev_log_hook(void *opaque, enum devsim_log_level level, const char *msg)
{
	struct devsim_dev *dev = opaque;
	const struct devsim_log *up = &dev->bus->log;

	/* Every call that logs runs under the device lock (or before the
	 * device is published), so last_error needs no lock of its own. */
	if (level == DEVSIM_LOG_ERR)
		snprintf(dev->last_error, sizeof(dev->last_error), "%s", msg);
	if (up->fn != NULL)
		up->fn(up->opaque, level, msg);
}

/* ---- bus ---------------------------------------------------------------- */

struct devsim_bus *
devsim_bus_create(devsim_log_fn *log, void *opaque)
{
	struct devsim_bus *bus = calloc(1, sizeof(*bus));
	int rc;

	if (bus == NULL)
		return NULL;
	rc = pthread_mutex_init(&bus->lock, NULL);
	if (rc != 0) {
		free(bus);
		errno = rc;
		return NULL;
	}
	bus->log.fn = log;
	bus->log.opaque = opaque;
	return bus;
}

void
devsim_bus_destroy(struct devsim_bus *bus)
{
	unsigned int i;

	if (bus == NULL)
		return;
	for (i = 0; i < DEVSIM_BUS_SLOTS; i++)
		devsim_unplug(devsim_bus_dev(bus, i));
	pthread_mutex_destroy(&bus->lock);
	free(bus);
}

struct devsim_dev *
devsim_bus_dev(struct devsim_bus *bus, unsigned int slot)
{
	struct devsim_dev *dev;

	if (bus == NULL || slot >= DEVSIM_BUS_SLOTS)
		return NULL;
	pthread_mutex_lock(&bus->lock);
	dev = bus->slots[slot];
	pthread_mutex_unlock(&bus->lock);
	return dev;
}

unsigned int
devsim_dev_slot(const struct devsim_dev *dev)
{
	return dev == NULL ? DEVSIM_BUS_SLOTS : dev->slot;
}

static bool
bus_has_free_slot(struct devsim_bus *bus)
{
	unsigned int i;
	bool found = false;

	pthread_mutex_lock(&bus->lock);
	for (i = 0; i < DEVSIM_BUS_SLOTS && !found; i++)
		found = bus->slots[i] == NULL;
	pthread_mutex_unlock(&bus->lock);
	return found;
}

static int
bus_attach(struct devsim_bus *bus, struct devsim_dev *dev)
{
	unsigned int i;
	int rc = -ENOSPC;

	pthread_mutex_lock(&bus->lock);
	for (i = 0; i < DEVSIM_BUS_SLOTS; i++) {
		if (bus->slots[i] == NULL) {
			dev->slot = i;
			bus->slots[i] = dev;
			rc = 0;
			break;
		}
	}
	pthread_mutex_unlock(&bus->lock);
	return rc;
}

static void
bus_detach(struct devsim_bus *bus, struct devsim_dev *dev)
{
	pthread_mutex_lock(&bus->lock);
	if (dev->slot < DEVSIM_BUS_SLOTS && bus->slots[dev->slot] == dev)
		bus->slots[dev->slot] = NULL;
	pthread_mutex_unlock(&bus->lock);
}

/* ---- device construction ------------------------------------------------ */

static struct devsim_dev *
dev_alloc(struct devsim_bus *bus)
{
	struct devsim_dev *dev = calloc(1, sizeof(*dev));

	if (dev == NULL)
		return NULL;
	if (pthread_mutex_init(&dev->lock, NULL) != 0) {
		free(dev);
		return NULL;
	}
	dev->bus = bus;
	dev->slot = DEVSIM_BUS_SLOTS;
	dev->log.fn = dev_log_hook;
	dev->log.opaque = dev;
	devsim_memtable_init(&dev->mem);
	return dev;
}

/* Tear down everything dev_init() built, then free @dev. */
static void
dev_free(struct devsim_dev *dev)
{
	if (dev->sup_ready)
		devsim_sup_fini(&dev->sup);
	dev->sup_ready = false;
	if (dev->vpci_ready)
		devsim_vpci_fini(&dev->vpci);
	if (dev->be != NULL)
		dev->be_ops->close(dev->be);
	devsim_memtable_clear(&dev->mem);
	pthread_mutex_destroy(&dev->lock);
	free(dev);
}

static bool
net_cfg_ok(const struct devsim_net_cfg *cfg, const struct devsim_log *log)
{
	uint16_t qs = cfg->queue_size_max;

	if (cfg->max_queue_pairs == 0) {
		DEVSIM_LOG(log, ERR, "max_queue_pairs must be at least 1");
		return false;
	}
	if (qs == 0 || (qs & (qs - 1)) || qs > 32768) {
		DEVSIM_LOG(log, ERR, "queue_size_max %u is not a power of 2 in "
			   "[1, 32768]", qs);
		return false;
	}
	return true;
}

/*
 * Build the function around an open backend, which @dev owns from here on
 * (dev_free() closes it).  The device is not yet visible on the bus.
 */
static int
dev_init(struct devsim_dev *dev, const struct devsim_net_cfg *cfg,
	 const struct devsim_backend_ops *ops, struct devsim_backend *be,
	 const struct devsim_backend_info *info)
{
	const struct devsim_pci_id id = {
		.vendor = DEVSIM_PCI_VENDOR_VIRTIO,
		.device = DEVSIM_PCI_DEVICE_NET,
		.revision = 1,
		.class_code = 0x020000,      /* network, ethernet */
		.subsys_vendor = DEVSIM_PCI_VENDOR_VIRTIO,
		.subsys_id = VIRTIO_ID_NET,
	};
	const struct devsim_io_region cfg_region = {
		.name = "config",
		.off = 0,
		.len = DEVSIM_PCI_CFG_SIZE,
		.read = devsim_pci_cfg_read,
		.write = devsim_pci_cfg_write,
		.opaque = &dev->pci,
	};
	struct devsim_vpci_params vp = {
		.log = &dev->log,
		.net = &dev->net,
		.mem = &dev->mem,
		.ops = ops,
		.be = be,
		.queue_size_max = cfg->queue_size_max,
		.lock = &dev->lock,
	};
	int rc;

	dev->be_ops = ops;
	dev->be = be;
	dev->info = *info;
	if (!net_cfg_ok(cfg, &dev->log))
		return -EINVAL;
	rc = devsim_net_init(&dev->net, cfg, info, &dev->log);
	if (rc < 0)
		return rc;

	devsim_pci_cfg_init(&dev->pci, &id);
	devsim_io_init(&dev->io, &cfg_region);
	rc = devsim_vpci_init(&dev->vpci, &vp);
	if (rc < 0) {
		DEVSIM_LOG(&dev->log, ERR, "virtio-pci transport: %s",
			   strerror(-rc));
		return rc;
	}
	dev->vpci_ready = true;
	rc = devsim_vpci_layout(&dev->vpci, &dev->pci, &dev->io);
	if (rc < 0) {
		DEVSIM_LOG(&dev->log, ERR, "BAR layout: %s", strerror(-rc));
		return rc;
	}
	return 0;
}

int
devsim_net_dev_create_with_backend(struct devsim_bus *bus,
				   const struct devsim_net_cfg *cfg,
				   const struct devsim_backend_ops *ops,
				   struct devsim_backend *be,
				   const struct devsim_backend_info *info,
				   struct devsim_dev **out)
{
	struct devsim_dev *dev;
	int rc;

	if (bus == NULL || cfg == NULL || ops == NULL || be == NULL ||
	    info == NULL || out == NULL) {
		if (ops != NULL && be != NULL)
			ops->close(be);
		return -EINVAL;
	}
	dev = dev_alloc(bus);
	if (dev == NULL) {
		ops->close(be);
		return -ENOMEM;
	}
	rc = dev_init(dev, cfg, ops, be, info);
	if (rc < 0)
		goto err_init;
	rc = bus_attach(bus, dev);
	if (rc < 0) {
		DEVSIM_LOG(&dev->log, ERR, "no free slot on the bus (%u slots)",
			   DEVSIM_BUS_SLOTS);
		goto err_init;
	}
	*out = dev;
	return 0;

err_init:
	dev_free(dev);
	return rc;
}

int
devsim_net_plug(struct devsim_bus *bus, const struct devsim_net_cfg *cfg,
		struct devsim_dev **out)
{
	struct devsim_vu_params p;
	struct devsim_backend_info info;
	struct devsim_backend *be;
	struct devsim_dev *dev;
	unsigned int pairs;
	int rc;

	if (bus == NULL || cfg == NULL || out == NULL)
		return -EINVAL;
	if (cfg->path == NULL || cfg->path[0] == '\0') {
		DEVSIM_LOG(&bus->log, ERR, "no vhost-user socket path");
		return -EINVAL;
	}
	if (!net_cfg_ok(cfg, &bus->log))
		return -EINVAL;
	/* Fail before connecting when there is no room anyway. */
	if (!bus_has_free_slot(bus)) {
		DEVSIM_LOG(&bus->log, ERR, "no free slot on the bus (%u slots)",
			   DEVSIM_BUS_SLOTS);
		return -ENOSPC;
	}
	dev = dev_alloc(bus);
	if (dev == NULL)
		return -ENOMEM;

	pairs = cfg->max_queue_pairs;
	if (pairs > DEVSIM_NET_PAIRS_MAX)
		pairs = DEVSIM_NET_PAIRS_MAX;
	p = (struct devsim_vu_params){
		.path = cfg->path,
		.connect_timeout_ms = cfg->connect_timeout_ms,
		.want_vrings = (uint16_t)(2 * pairs),
		.reconnect = true,
		.server = cfg->server,
	};
	/* The backend logs through the device, so its errors are kept too. */
	rc = devsim_vu_open(&p, &dev->log, &be, &info);
	if (rc < 0)
		goto err_open;
	rc = dev_init(dev, cfg, &devsim_vu_backend_ops, be, &info);
	if (rc < 0)
		goto err_init;
	rc = devsim_sup_init(&dev->sup, &(struct devsim_sup_params){
		.log = &dev->log,
		.ops = &devsim_vu_backend_ops,
		.be = be,
		.vp = &dev->vpci,
		.connected = true,
	});
	if (rc < 0) {
		DEVSIM_LOG(&dev->log, ERR, "backend supervision: %s",
			   strerror(-rc));
		goto err_init;
	}
	dev->sup_ready = true;
	rc = bus_attach(bus, dev);
	if (rc < 0) {
		DEVSIM_LOG(&dev->log, ERR, "no free slot on the bus (%u slots)",
			   DEVSIM_BUS_SLOTS);
		goto err_init;
	}
	DEVSIM_LOG(&dev->log, INFO, "virtio-net on %s in slot %u: %u queue "
		   "pairs, features 0x%llx", cfg->path, dev->slot,
		   dev->net.max_vq_pairs, (unsigned long long)dev->net.features);
	*out = dev;
	return 0;

err_init:
	dev_free(dev);          /* closes the backend */
	return rc;
err_open:
	pthread_mutex_destroy(&dev->lock);
	free(dev);
	return rc;
}

void
devsim_unplug(struct devsim_dev *dev)
{
	if (dev == NULL)
		return;
	bus_detach(dev->bus, dev);
	pthread_mutex_lock(&dev->lock);
	/* Stop the rings and drop every eventfd while the backend is open. */
	if (dev->vpci_ready)
		devsim_vpci_fini(&dev->vpci);
	dev->vpci_ready = false;
	pthread_mutex_unlock(&dev->lock);
	dev_free(dev);
}

/* ---- IO API --------------------------------------------------------------- */

static int
dev_read(struct devsim_dev *dev, unsigned int space, uint64_t off,
	 unsigned int width, uint32_t *val)
{
	struct devsim_io_target t;
	int rc;

	if (dev == NULL || val == NULL)
		return -EINVAL;
	*val = 0;
	rc = devsim_io_route(&dev->io, space, off, width, &t);
	if (rc < 0)
		return rc;
	if (t.region != NULL && t.region->lockless)
		return devsim_io_read(&dev->io, &t, width, val);
	pthread_mutex_lock(&dev->lock);
	rc = devsim_io_read(&dev->io, &t, width, val);
	pthread_mutex_unlock(&dev->lock);
	return rc;
}

static int
dev_write(struct devsim_dev *dev, unsigned int space, uint64_t off,
	  unsigned int width, uint32_t val)
{
	struct devsim_io_target t;
	int rc;

	if (dev == NULL)
		return -EINVAL;
	rc = devsim_io_route(&dev->io, space, off, width, &t);
	if (rc < 0)
		return rc;
	/* The notify region: the datapath's doorbell never takes the lock. */
	if (t.region != NULL && t.region->lockless)
		return devsim_io_write(&dev->io, &t, width, val);
	pthread_mutex_lock(&dev->lock);
	rc = devsim_io_write(&dev->io, &t, width, val);
	pthread_mutex_unlock(&dev->lock);
	return rc;
}

int
devsim_cfg_read(struct devsim_dev *dev, uint32_t off, unsigned int width,
		uint32_t *val)
{
	return dev_read(dev, DEVSIM_IO_SPACE_CFG, off, width, val);
}

int
devsim_cfg_write(struct devsim_dev *dev, uint32_t off, unsigned int width,
		 uint32_t val)
{
	return dev_write(dev, DEVSIM_IO_SPACE_CFG, off, width, val);
}

/* BAR numbers past the last BAR must not alias the config space. */
static unsigned int
bar_space(unsigned int bar)
{
	return bar < DEVSIM_IO_BARS ? bar : UINT_MAX;
}

int
devsim_bar_read(struct devsim_dev *dev, unsigned int bar, uint64_t off,
		unsigned int width, uint32_t *val)
{
	return dev_read(dev, bar_space(bar), off, width, val);
}

int
devsim_bar_write(struct devsim_dev *dev, unsigned int bar, uint64_t off,
		 unsigned int width, uint32_t val)
{
	return dev_write(dev, bar_space(bar), off, width, val);
}

/* ---- memory ----------------------------------------------------------------- */

static unsigned int
dev_mem_regions_max(const struct devsim_dev *dev)
{
	unsigned int max = dev->info.max_mem_regions;

	return max < DEVSIM_MEM_REGIONS_MAX ? max : DEVSIM_MEM_REGIONS_MAX;
}

int
devsim_mem_set(struct devsim_dev *dev, const struct devsim_mem_region *regions,
	       unsigned int n)
{
	int rc;

	if (dev == NULL)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	rc = devsim_memtable_build(&dev->mem, regions, n,
				   dev_mem_regions_max(dev), &dev->log);
	if (rc == 0)
		rc = devsim_vpci_mem_changed(&dev->vpci);
	pthread_mutex_unlock(&dev->lock);
	return rc;
}

unsigned int
devsim_mem_regions_max(const struct devsim_dev *dev)
{
	return dev == NULL ? 0 : dev_mem_regions_max(dev);
}

/* ---- events --------------------------------------------------------------- */

/* The const API still serialises with writers: the lock is not state. */
static pthread_mutex_t *
dev_lock(const struct devsim_dev *dev)
{
	return (pthread_mutex_t *)&dev->lock;
}

int
devsim_dev_event_fd(const struct devsim_dev *dev)
{
	int fd;

	if (dev == NULL)
		return -1;
	pthread_mutex_lock(dev_lock(dev));
	fd = dev->sup_ready ? dev->sup.epfd : dev->be_ops->event_fd(dev->be);
	pthread_mutex_unlock(dev_lock(dev));
	return fd;
}

int
devsim_dev_handle_event(struct devsim_dev *dev)
{
	int rc;

	if (dev == NULL)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	if (dev->sup_ready) {
		rc = devsim_sup_handle(&dev->sup);
		pthread_mutex_unlock(&dev->lock);
		return rc;
	}
	rc = dev->be_ops->handle_event(dev->be);
	if (rc == -ENOTCONN) {
		DEVSIM_LOG(&dev->log, ERR, "slot %u: the vhost-user backend went "
			   "away: link down", dev->slot);
		devsim_vpci_link_set(&dev->vpci, false);
	}
	pthread_mutex_unlock(&dev->lock);
	return rc;
}

int
devsim_dev_irq_fd(const struct devsim_dev *dev, unsigned int vq)
{
	int fd;

	if (dev == NULL)
		return -1;
	pthread_mutex_lock(dev_lock(dev));
	fd = devsim_vpci_irq_fd(&dev->vpci, vq);
	pthread_mutex_unlock(dev_lock(dev));
	return fd;
}

int
devsim_dev_kick_fd(const struct devsim_dev *dev, unsigned int vq)
{
	int fd;

	if (dev == NULL)
		return -1;
	pthread_mutex_lock(dev_lock(dev));
	fd = devsim_vpci_kick_fd(&dev->vpci, vq);
	pthread_mutex_unlock(dev_lock(dev));
	return fd;
}

/* ---- diagnostics ---------------------------------------------------------- */

void
devsim_dev_stats_get(const struct devsim_dev *dev, struct devsim_dev_stats *st)
{
	if (dev == NULL || st == NULL)
		return;
	memset(st, 0, sizeof(*st));
	st->bad_accesses = atomic_load_explicit(&dev->io.bad_accesses,
						memory_order_relaxed);
	st->unknown_accesses = atomic_load_explicit(&dev->io.unknown_accesses,
						    memory_order_relaxed);
	st->kicks = atomic_load_explicit(&dev->vpci.kicks,
					 memory_order_relaxed);
	pthread_mutex_lock(dev_lock(dev));
	st->msgs_sent = dev->vpci.backend_calls;
	st->backend_errors = dev->vpci.backend_errors;
	pthread_mutex_unlock(dev_lock(dev));
}

const char *
devsim_dev_last_error(const struct devsim_dev *dev)
{
	struct devsim_dev *d = (struct devsim_dev *)dev;

	if (dev == NULL)
		return "";
	/* A private copy, so a later error cannot rewrite what the caller
	 * reads before its next call. */
	pthread_mutex_lock(dev_lock(dev));
	memcpy(d->last_error_ret, d->last_error, sizeof(d->last_error_ret));
	pthread_mutex_unlock(dev_lock(dev));
	return d->last_error_ret;
}
