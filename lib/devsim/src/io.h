/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef DEVSIM_IO_H
#define DEVSIM_IO_H

/*
 * The IO decoder: turns (space, offset, width) into a call of the handler
 * of the register region it hits.  It checks widths, alignment and bounds
 * and keeps the access counters; it knows nothing of PCI or virtio.
 *
 * Recipe:
 *   devsim_io_init(&io, &cfg_region);          // config space handler
 *   devsim_io_bar_set(&io, 4, 0x4000);         // implement BAR4
 *   devsim_io_region_add(&io, 4, &region);     // registers inside it
 *   ...
 *   rc = devsim_io_route(&io, space, off, width, &t);
 *   if (rc == 0) rc = devsim_io_read(&io, &t, width, &val);
 *
 * The tables are written only before the device is published; afterwards
 * devsim_io_route() reads immutable data and may run without a lock.  The
 * counters are relaxed atomics for the same reason.
 */

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/** Handler results besides 0 and a negative errno. */
enum {
	/** No register here: a read returns 0; counted as unknown. */
	DEVSIM_IO_UNKNOWN = 1,
	/** The write was dropped (read-only, bad value); counted as bad. */
	DEVSIM_IO_IGNORED = 2,
};

/**
 * Read @width bytes at @off (relative to the region start) into *@val.
 * @return 0, DEVSIM_IO_UNKNOWN, or a negative errno (counted as bad).
 */
typedef int devsim_io_read_fn(void *opaque, uint64_t off, unsigned int width,
			      uint32_t *val);
/** Write; @val is already truncated to @width.  Returns like the read. */
typedef int devsim_io_write_fn(void *opaque, uint64_t off, unsigned int width,
			       uint32_t val);

/** One register block inside a space. */
struct devsim_io_region {
	const char *name;          /**< for logs */
	uint64_t off;              /**< start within the space */
	uint64_t len;              /**< bytes */
	bool lockless;             /**< handler runs without the device lock */
	devsim_io_read_fn *read;
	devsim_io_write_fn *write;
	void *opaque;              /**< handler context, owned by the caller */
};

/** Spaces: BAR n is space n; configuration space is DEVSIM_IO_SPACE_CFG. */
#define DEVSIM_IO_BARS         6u
#define DEVSIM_IO_SPACE_CFG    DEVSIM_IO_BARS
#define DEVSIM_IO_REGIONS_MAX  8u

struct devsim_io_bar {
	uint64_t size;             /**< 0: BAR not implemented */
	unsigned int n;
	struct devsim_io_region r[DEVSIM_IO_REGIONS_MAX];
};

struct devsim_io {
	struct devsim_io_region cfg;           /**< whole config space */
	struct devsim_io_bar bar[DEVSIM_IO_BARS];
	atomic_uint_fast64_t bad_accesses;     /**< relaxed */
	atomic_uint_fast64_t unknown_accesses; /**< relaxed */
};

/** A decoded access: the region and the offset inside it. */
struct devsim_io_target {
	const struct devsim_io_region *region;
	uint64_t off;
};

/** Initialise @io with the configuration space handler @cfg (copied). */
void devsim_io_init(struct devsim_io *io, const struct devsim_io_region *cfg);

/**
 * Implement BAR @bar with @size bytes.
 * @return 0, or -EINVAL for a bad BAR index or a size that is zero.
 */
int devsim_io_bar_set(struct devsim_io *io, unsigned int bar, uint64_t size);

/**
 * Add a register region (copied) to BAR @bar.
 * @return 0; -EINVAL when the BAR is not implemented or the region is empty,
 * overflows the BAR or overlaps another region; -ENOSPC when full.
 */
int devsim_io_region_add(struct devsim_io *io, unsigned int bar,
			 const struct devsim_io_region *rg);

/**
 * Decode an access.  Checks @width (1, 2, 4), natural alignment and bounds.
 * @return 0 with *@t filled (t->region NULL: in range but no region, the
 * access is unknown); -EINVAL for a bad width, alignment, space or an
 * access straddling two regions; -ERANGE past the end of the space.
 * Errors are counted as bad accesses.  Reads only immutable data.
 */
int devsim_io_route(struct devsim_io *io, unsigned int space, uint64_t off,
		    unsigned int width, struct devsim_io_target *t);

/**
 * Run the read handler of a routed access and count the outcome.
 * @return 0 (also for unknown registers, which read 0) or a negative errno.
 */
int devsim_io_read(struct devsim_io *io, const struct devsim_io_target *t,
		   unsigned int width, uint32_t *val);

/** Run the write handler; ignored and unknown writes return 0. */
int devsim_io_write(struct devsim_io *io, const struct devsim_io_target *t,
		    unsigned int width, uint32_t val);

#endif /* DEVSIM_IO_H */
