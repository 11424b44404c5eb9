/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * The devsim transport: the driver's config-space and BAR accesses become
 * devsim IO API calls on a pseudo virtio-net function.  This file is the
 * only place where the driver meets devsim; it also adapts devsim's log
 * hook onto the driver's log type.
 */

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include <devsim/devsim.h>

#include "vc_logs.h"
#include "vc_transport.h"

struct vc_tp_devsim {
	struct vc_transport base;  /* first: the device layer sees only this */
	struct devsim_dev *dev;
};

/*
 * One pseudo PCI bus per process, as a machine has one PCI root: created
 * with the first port, destroyed with the last.  Probe and remove run on
 * the main lcore, but an application may hot-plug from another thread.
 */
static pthread_mutex_t vc_bus_lock = PTHREAD_MUTEX_INITIALIZER;
static struct devsim_bus *vc_bus;
static unsigned int vc_bus_users;

static void
vc_devsim_log(void *opaque, enum devsim_log_level level, const char *msg)
{
	static const uint32_t map[] = {
		[DEVSIM_LOG_ERR] = RTE_LOG_ERR,
		[DEVSIM_LOG_WARNING] = RTE_LOG_WARNING,
		[DEVSIM_LOG_INFO] = RTE_LOG_INFO,
		[DEVSIM_LOG_DEBUG] = RTE_LOG_DEBUG,
	};
	uint32_t lvl = (unsigned int)level < RTE_DIM(map) && map[level] ?
		map[level] : RTE_LOG_DEBUG;

	RTE_SET_USED(opaque);
	rte_log(lvl, vc_logtype_init, "devsim: %s\n", msg);
}

static struct vc_tp_devsim *
to_ds(struct vc_transport *t)
{
	return container_of(t, struct vc_tp_devsim, base);
}

static int
vc_ds_cfg_read(struct vc_transport *t, uint32_t off, unsigned int w,
	       uint32_t *val)
{
	return devsim_cfg_read(to_ds(t)->dev, off, w, val);
}

static int
vc_ds_cfg_write(struct vc_transport *t, uint32_t off, unsigned int w,
		uint32_t val)
{
	return devsim_cfg_write(to_ds(t)->dev, off, w, val);
}

static int
vc_ds_bar_read(struct vc_transport *t, unsigned int bar, uint64_t off,
	       unsigned int w, uint32_t *val)
{
	return devsim_bar_read(to_ds(t)->dev, bar, off, w, val);
}

static int
vc_ds_bar_write(struct vc_transport *t, unsigned int bar, uint64_t off,
		unsigned int w, uint32_t val)
{
	return devsim_bar_write(to_ds(t)->dev, bar, off, w, val);
}

static int
vc_ds_mem_set(struct vc_transport *t, const struct vc_mem_region *r,
	      unsigned int n, unsigned int *limit)
{
	struct devsim_mem_region *dr;
	unsigned int i;
	int ret;

	dr = malloc(sizeof(*dr) * (n ? n : 1));
	if (dr == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		dr[i].addr = r[i].addr;
		dr[i].size = r[i].size;
		dr[i].fd = r[i].fd;
		dr[i].fd_offset = r[i].fd_offset;
	}
	ret = devsim_mem_set(to_ds(t)->dev, dr, n);
	free(dr);
	if (limit != NULL)
		*limit = devsim_mem_regions_max(to_ds(t)->dev);
	return ret;
}

static unsigned int
vc_ds_mem_regions_max(struct vc_transport *t)
{
	return devsim_mem_regions_max(to_ds(t)->dev);
}

static int
vc_ds_irq_fd(struct vc_transport *t, unsigned int vq)
{
	return devsim_dev_irq_fd(to_ds(t)->dev,
				 vq == VC_IRQ_CONFIG ? DEVSIM_IRQ_CONFIG : vq);
}

static int
vc_ds_kick_fd(struct vc_transport *t, unsigned int vq)
{
	return devsim_dev_kick_fd(to_ds(t)->dev, vq);
}

static int
vc_ds_event_fd(struct vc_transport *t)
{
	return devsim_dev_event_fd(to_ds(t)->dev);
}

static int
vc_ds_handle_event(struct vc_transport *t)
{
	return devsim_dev_handle_event(to_ds(t)->dev);
}

static const char *
vc_ds_last_error(struct vc_transport *t)
{
	return devsim_dev_last_error(to_ds(t)->dev);
}

static void
vc_bus_put(void)
{
	pthread_mutex_lock(&vc_bus_lock);
	if (vc_bus_users > 0 && --vc_bus_users == 0) {
		devsim_bus_destroy(vc_bus);
		vc_bus = NULL;
	}
	pthread_mutex_unlock(&vc_bus_lock);
}

static void
vc_ds_close(struct vc_transport *t)
{
	struct vc_tp_devsim *ds = to_ds(t);

	pthread_mutex_lock(&vc_bus_lock);
	devsim_unplug(ds->dev);
	pthread_mutex_unlock(&vc_bus_lock);
	vc_bus_put();
	rte_free(ds);
}

static const struct vc_transport_ops vc_devsim_ops = {
	.name = "devsim",
	.cfg_read = vc_ds_cfg_read,
	.cfg_write = vc_ds_cfg_write,
	.bar_read = vc_ds_bar_read,
	.bar_write = vc_ds_bar_write,
	.mem_set = vc_ds_mem_set,
	.mem_regions_max = vc_ds_mem_regions_max,
	.irq_fd = vc_ds_irq_fd,
	.kick_fd = vc_ds_kick_fd,
	.event_fd = vc_ds_event_fd,
	.handle_event = vc_ds_handle_event,
	.last_error = vc_ds_last_error,
	.close = vc_ds_close,
};

int
vc_transport_devsim_open(const struct vc_devsim_args *args,
			 struct vc_transport **out)
{
	struct devsim_net_cfg cfg = {
		.path = args->path,
		.mac_valid = args->mac_valid,
		.max_queue_pairs = args->max_queue_pairs,
		.queue_size_max = args->queue_size_max,
		.feature_mask = args->feature_mask,
		.server = args->server != 0,
		.connect_timeout_ms = args->connect_timeout_ms,
	};
	struct vc_tp_devsim *ds;
	int ret;

	memcpy(cfg.mac, args->mac, sizeof(cfg.mac));
	ds = rte_zmalloc("vc_transport", sizeof(*ds), 0);
	if (ds == NULL)
		return -ENOMEM;
	ds->base.ops = &vc_devsim_ops;

	pthread_mutex_lock(&vc_bus_lock);
	if (vc_bus == NULL) {
		vc_bus = devsim_bus_create(vc_devsim_log, NULL);
		if (vc_bus == NULL) {
			ret = errno ? -errno : -ENOMEM;
			pthread_mutex_unlock(&vc_bus_lock);
			VC_LOG(ERR, "cannot create the pseudo PCI bus: %s",
			       strerror(-ret));
			goto err_free;
		}
	}
	vc_bus_users++;
	ret = devsim_net_plug(vc_bus, &cfg, &ds->dev);
	pthread_mutex_unlock(&vc_bus_lock);
	if (ret < 0)
		goto err_bus;
	*out = &ds->base;
	return 0;

err_bus:
	vc_bus_put();
err_free:
	rte_free(ds);
	return ret;
}
