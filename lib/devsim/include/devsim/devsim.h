/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef DEVSIM_DEVSIM_H
#define DEVSIM_DEVSIM_H

/**
 * @file
 * devsim: pseudo virtio PCI devices backed by a vhost-user socket.
 *
 * Usage recipe (a driver's view):
 *   bus = devsim_bus_create(my_log, ctx);
 *   struct devsim_net_cfg cfg = { .path = "/run/x.sock", .max_queue_pairs = 1,
 *                                 .queue_size_max = 1024,
 *                                 .feature_mask = ~0ULL };
 *   devsim_net_plug(bus, &cfg, &dev);      // connects, learns features
 *   devsim_cfg_read(dev, 0, 2, &v);        // vendor id 0x1af4 ...
 *   ... walk capabilities, program common cfg through devsim_bar_*() ...
 *   devsim_mem_set(dev, regions, n);       // memory the rings/buffers live in
 *   devsim_bar_write(dev, bar, status_off, 1, DRIVER_OK);  // -> vhost-user
 *   devsim_bar_write(dev, bar, notify_off, 2, qidx);       // -> kick eventfd
 *   devsim_unplug(dev); devsim_bus_destroy(bus);
 *
 * Threading: every call on one device is serialised by the device's lock,
 * except notify-register writes, which are lock free so that a datapath
 * lcore kicking a queue never waits for the control path.  devsim owns no
 * threads: a caller that wants events watches devsim_dev_event_fd() and
 * calls devsim_dev_handle_event().
 *
 * All functions returning int return 0 (or a non-negative count) on
 * success and a negative errno on failure.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DEVSIM_PCI_VENDOR_VIRTIO   0x1af4
#define DEVSIM_PCI_DEVICE_NET      0x1041 /**< 0x1040 + virtio id 1 */

/** Slots on one pseudo bus. */
#define DEVSIM_BUS_SLOTS 32
/** Most memory regions devsim keeps after merging. */
#define DEVSIM_MEM_REGIONS_MAX 128
/** Most virtqueues one device exposes (128 pairs + control queue). */
#define DEVSIM_VQ_MAX 257

enum devsim_log_level {
	DEVSIM_LOG_ERR = 1,
	DEVSIM_LOG_WARNING,
	DEVSIM_LOG_INFO,
	DEVSIM_LOG_DEBUG,
};

/**
 * Log hook.  @msg is a complete line without a trailing newline; it is
 * only valid during the call.
 */
typedef void devsim_log_fn(void *opaque, enum devsim_log_level level,
			   const char *msg);

struct devsim_bus;
struct devsim_dev;

/**
 * Create an empty pseudo PCI bus.
 * @param log     log hook, may be NULL (messages are dropped)
 * @param opaque  passed back to @log
 * @return the bus, or NULL with errno set.
 */
struct devsim_bus *devsim_bus_create(devsim_log_fn *log, void *opaque);

/** Unplug every device left on @bus and free it.  NULL is a no-op. */
void devsim_bus_destroy(struct devsim_bus *bus);

/**
 * Enumerate: the device in @slot, or NULL if the slot is empty or out of
 * range.  The pointer stays valid until that device is unplugged.
 */
struct devsim_dev *devsim_bus_dev(struct devsim_bus *bus, unsigned int slot);

/** Slot number of @dev on its bus. */
unsigned int devsim_dev_slot(const struct devsim_dev *dev);

/** What a virtio-net device is plugged with. */
struct devsim_net_cfg {
	const char *path;          /**< vhost-user unix socket (copied) */
	uint8_t mac[6];            /**< device MAC, if mac_valid */
	bool mac_valid;            /**< false: random locally administered */
	uint16_t max_queue_pairs;  /**< wanted pairs (>= 1); capped by backend */
	uint16_t queue_size_max;   /**< queue_size register value, power of 2 */
	uint16_t mtu;              /**< 0: VIRTIO_NET_F_MTU not offered */
	/**
	 * Device feature bits the device may offer at most; devsim offers
	 * (backend's features | features it emulates) & what it implements &
	 * feature_mask.  ~0ULL: no restriction.
	 */
	uint64_t feature_mask;
	/**
	 * Client: retry connecting for this long (0: one attempt).
	 * Server: wait this long for the first backend (0: do not wait).
	 */
	unsigned int connect_timeout_ms;
	/**
	 * Listen on @path (the backend connects: net_vhost ...,client=1)
	 * instead of connecting to it.  A stale socket file is removed
	 * first, but only when nothing listens on it.
	 */
	bool server;
};

/**
 * Plug a virtio-net device: connect to cfg->path as a vhost-user client
 * (or, with cfg->server, listen there and accept), SET_OWNER, learn the
 * backend's features and protocol features, and expose a virtio-net PCI
 * function in a free slot.
 *
 * Server mode does not wait for a backend beyond connect_timeout_ms: the
 * device is then plugged with link down and default features (those of
 * DPDK 22.11 net_vhost), and the first backend that connects gets the
 * device's state; one lacking a negotiated feature makes the device ask
 * for a reset (DEVICE_NEEDS_RESET).
 *
 * Either mode survives the backend: when it goes away, link goes down
 * and devsim reconnects (client: connect with backoff, 10 ms doubling to
 * 250 ms; server: accept the next connection) from devsim_dev_handle_event(),
 * replays features, memory table and running vrings (from the used index
 * in shared memory; split rings only) and sets link up again.
 *
 * @return 0 with *out set; -ENOENT/-ECONNREFUSED/-EACCES/-ENOTSOCK/... when
 * the socket cannot be reached (client), -EADDRINUSE/-EEXIST/-EACCES when
 * it cannot be created (server), -EPROTO when the backend answers garbage,
 * -ENOSPC when the bus is full.  The reason is also logged.
 */
int devsim_net_plug(struct devsim_bus *bus, const struct devsim_net_cfg *cfg,
		    struct devsim_dev **out);

/**
 * Unplug: stop the backend's rings if the device runs, close the socket,
 * every eventfd and every memory fd devsim holds.  NULL is a no-op.
 */
void devsim_unplug(struct devsim_dev *dev);

/* ---- IO API: PCI configuration space and BAR accesses --------------- */

/**
 * Read @width (1, 2 or 4) bytes at @off of configuration space (256 bytes).
 * @return 0; -EINVAL for a bad width or an unaligned offset; -ERANGE past
 * the end.  Unimplemented registers read as 0 and are counted.
 */
int devsim_cfg_read(struct devsim_dev *dev, uint32_t off, unsigned int width,
		    uint32_t *val);
/** Write to configuration space; read-only registers ignore writes. */
int devsim_cfg_write(struct devsim_dev *dev, uint32_t off, unsigned int width,
		     uint32_t val);

/**
 * Read @width (1, 2 or 4) bytes at @off of BAR @bar.
 * @return 0; -EINVAL for a bad width, an unaligned offset or a BAR that is
 * not implemented; -ERANGE past the BAR's end.
 */
int devsim_bar_read(struct devsim_dev *dev, unsigned int bar, uint64_t off,
		    unsigned int width, uint32_t *val);
/**
 * Write to a BAR.  A write to a queue's notify address signals that
 * queue's kick eventfd (lock free; safe from any thread).
 */
int devsim_bar_write(struct devsim_dev *dev, unsigned int bar, uint64_t off,
		     unsigned int width, uint32_t val);

/* ---- Memory the device may access (the DMA mapping analog) ---------- */

/**
 * A piece of the driver's memory shared with the backend by fd.
 * Descriptors and ring addresses carry @addr values (container virtual
 * addresses); the backend maps [fd_offset, fd_offset + size) of @fd.
 */
struct devsim_mem_region {
	uint64_t addr;      /**< CVA of the first byte */
	uint64_t size;      /**< bytes */
	int fd;             /**< file holding the memory */
	uint64_t fd_offset; /**< offset of @addr in @fd */
};

/**
 * Set the memory the device may access.  Regions that are contiguous in
 * both address and file are merged.  devsim dup()s each fd it keeps; the
 * caller keeps its own.  When the device runs, the new table is sent to
 * the backend at once, otherwise at DRIVER_OK.
 *
 * @return 0; -E2BIG when more regions remain than the backend accepts
 * (the limit is logged; the caller names the fix), -EINVAL for an
 * empty/overlapping/overflowing region or a bad fd.
 */
int devsim_mem_set(struct devsim_dev *dev,
		   const struct devsim_mem_region *regions, unsigned int n);

/** Most regions the connected backend accepts (8 for DPDK 22.11 vhost). */
unsigned int devsim_mem_regions_max(const struct devsim_dev *dev);

/* ---- Events ---------------------------------------------------------- */

/**
 * File descriptor to watch for readability (level triggered), or -1 when
 * there is none.  For a device from devsim_net_plug() it is an epoll fd
 * that stays the same for the device's lifetime and covers the backend
 * socket, the reconnect timer and the listening socket; it is owned by
 * devsim.  Watch it from one thread (the caller's event loop).
 */
int devsim_dev_event_fd(const struct devsim_dev *dev);

/**
 * Handle what made devsim_dev_event_fd() readable.  A backend that went
 * away sets link down in the device config and raises the config
 * interrupt; a reconnect attempt that finds a backend restores the device
 * and sets link up (config interrupt again).  May block for the
 * handshake with a new backend (bounded by the vhost-user reply timeout).
 * @return 0 while a backend serves the device, -ENOTCONN (or the error
 * that lost it) otherwise.
 */
int devsim_dev_handle_event(struct devsim_dev *dev);

/**
 * Interrupt eventfds: the "MSI-X vectors".  @vq < num_queues gives the
 * queue's call eventfd (written by the backend); DEVSIM_IRQ_CONFIG gives
 * the config-change eventfd (written by devsim).  -1 when not allocated.
 * devsim owns the fds.
 */
#define DEVSIM_IRQ_CONFIG 0xffffu
int devsim_dev_irq_fd(const struct devsim_dev *dev, unsigned int vq);

/**
 * Kick eventfd of queue @vq: what a notify write of @vq signals, and what
 * the backend got with SET_VRING_KICK.  For a driver that cannot call the
 * IO API (a DPDK secondary process, which has no devsim device) and
 * signals the queue by writing 1 to a copy of it.  -1 when the queue is
 * not started or has none (the emulated control queue).  devsim owns the
 * fd: it exists from the queue's start (DRIVER_OK or a later enable) to
 * the next reset; a reconnect keeps it.
 */
int devsim_dev_kick_fd(const struct devsim_dev *dev, unsigned int vq);

/* ---- Diagnostics ---------------------------------------------------- */

struct devsim_dev_stats {
	uint64_t bad_accesses;      /**< rejected: width, alignment, range */
	uint64_t unknown_accesses;  /**< in range, no register: read as 0 */
	uint64_t kicks;             /**< notify writes turned into kicks */
	uint64_t msgs_sent;         /**< vhost-user requests sent */
	uint64_t backend_errors;    /**< requests the backend failed/nacked */
};

/** Copy the device's counters into @st. */
void devsim_dev_stats_get(const struct devsim_dev *dev,
			  struct devsim_dev_stats *st);

/** Last error the device logged, "" if none.  Valid until the next call. */
const char *devsim_dev_last_error(const struct devsim_dev *dev);

#ifdef __cplusplus
}
#endif

#endif /* DEVSIM_DEVSIM_H */
