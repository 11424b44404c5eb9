/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef VC_TRANSPORT_H
#define VC_TRANSPORT_H

/*
 * How the device layer reaches a virtio PCI function: configuration space
 * and BAR accesses, the memory the device may access (the DMA mapping
 * analog), and interrupt/event file descriptors.  One implementation today
 * (vc_transport_devsim.c); a real virtio-pci BAR would be another, and the
 * device layer and datapath would not change.
 *
 * The ops pointer and the transport handle are process-private: they live
 * in eth_dev->process_private, never in the shared dev_private.
 */

#include <stdint.h>

struct vc_transport;

/** A range of process memory shared with the device by file descriptor. */
struct vc_mem_region {
	uint64_t addr;      /**< virtual address (what descriptors carry) */
	uint64_t size;
	int fd;             /**< file backing it; stays owned by EAL */
	uint64_t fd_offset; /**< offset of @addr in @fd */
};

struct vc_transport_ops {
	const char *name;
	int (*cfg_read)(struct vc_transport *t, uint32_t off, unsigned int w,
			uint32_t *val);
	int (*cfg_write)(struct vc_transport *t, uint32_t off, unsigned int w,
			 uint32_t val);
	int (*bar_read)(struct vc_transport *t, unsigned int bar, uint64_t off,
			unsigned int w, uint32_t *val);
	int (*bar_write)(struct vc_transport *t, unsigned int bar,
			 uint64_t off, unsigned int w, uint32_t val);
	/** Memory the device may access; -E2BIG when over its limit. */
	int (*mem_set)(struct vc_transport *t, const struct vc_mem_region *r,
		       unsigned int n, unsigned int *limit);
	/** Most regions mem_set accepts (the backend's limit); may be NULL. */
	unsigned int (*mem_regions_max)(struct vc_transport *t);
	/** Interrupt eventfd of queue @vq, or the config vector (-1 = none). */
	int (*irq_fd)(struct vc_transport *t, unsigned int vq);
	/**
	 * Kick eventfd of started queue @vq, what a notify write signals
	 * (-1 = none).  Stays the transport's.  For handing the doorbell to
	 * a process that cannot use this transport (vc_mp.h).  May be NULL.
	 */
	int (*kick_fd)(struct vc_transport *t, unsigned int vq);
	/**
	 * fd to watch for the device's own events (backend lost/back), or
	 * -1; stable for the transport's lifetime.  May be NULL.
	 */
	int (*event_fd)(struct vc_transport *t);
	/** Handle a readable event_fd (from EAL's interrupt thread). */
	int (*handle_event)(struct vc_transport *t);
	/** Text of the transport's last error, for messages ("" if none). */
	const char *(*last_error)(struct vc_transport *t);
	/** Release the function and everything it holds. */
	void (*close)(struct vc_transport *t);
};

/** A transport handle: ops plus the implementation's state after it. */
struct vc_transport {
	const struct vc_transport_ops *ops;
};

#define VC_IRQ_CONFIG 0xffffu

static inline int
vc_tp_cfg_read(struct vc_transport *t, uint32_t off, unsigned int w,
	       uint32_t *val)
{
	return t->ops->cfg_read(t, off, w, val);
}

static inline int
vc_tp_bar_read(struct vc_transport *t, unsigned int bar, uint64_t off,
	       unsigned int w, uint32_t *val)
{
	return t->ops->bar_read(t, bar, off, w, val);
}

static inline int
vc_tp_bar_write(struct vc_transport *t, unsigned int bar, uint64_t off,
		unsigned int w, uint32_t val)
{
	return t->ops->bar_write(t, bar, off, w, val);
}

/* ---- the devsim transport (vc_transport_devsim.c) ---- */

struct vc_devsim_args {
	const char *path;
	uint8_t mac[6];
	int mac_valid;
	uint16_t max_queue_pairs;
	uint16_t queue_size_max;
	uint64_t feature_mask;
	int server;                       /**< listen on path (server=1) */
	unsigned int connect_timeout_ms;  /**< client retry / server wait */
};

/**
 * Plug a pseudo virtio-net function backed by the vhost-user socket
 * args->path into the process's pseudo PCI bus and return a transport for
 * it.  Logs the reason on failure.
 * @return 0 with *out set, or a negative errno.
 */
int vc_transport_devsim_open(const struct vc_devsim_args *args,
			     struct vc_transport **out);

#endif /* VC_TRANSPORT_H */
