/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef DEVSIM_MEMTABLE_H
#define DEVSIM_MEMTABLE_H

/*
 * The memory table: what the caller shares with the backend, after
 * validation and merging, with devsim's own copy of every fd.
 *
 * Recipe:
 *   struct devsim_memtable mt;
 *   devsim_memtable_init(&mt);
 *   rc = devsim_memtable_build(&mt, regions, n, backend_max, log);
 *   ... be_ops->set_mem_table(be, mt.r, mt.n) ...
 *   if (devsim_memtable_contains(&mt, ring_addr, ring_bytes)) ...
 *   devsim_memtable_clear(&mt);            // closes devsim's fds
 *
 * Not thread safe: the device lock serialises.
 */

#include <stdbool.h>
#include <stdint.h>

#include "devsim/devsim.h"
#include "log.h"

struct devsim_memtable {
	/** Sorted by addr, non overlapping; every fd is owned by the table. */
	struct devsim_mem_region r[DEVSIM_MEM_REGIONS_MAX];
	unsigned int n;            /**< 0: no table set */
};

/** Start empty. */
void devsim_memtable_init(struct devsim_memtable *mt);

/**
 * Validate @in (n regions), merge the regions that are contiguous both in
 * address and in the same file (same device and inode, consecutive
 * offsets), dup() one fd per merged region and store the result in *@mt.
 * The caller keeps its fds.  On success the previous contents of @mt are
 * released (fds closed); on failure @mt is unchanged.
 *
 * @return 0; -EINVAL for n == 0, an empty, overflowing or overlapping
 * region, or an fd that fstat() refuses; -E2BIG when more than @max
 * regions (or DEVSIM_MEM_REGIONS_MAX) remain after merging, logged as
 * "N memory regions after merging, the backend accepts at most M";
 * -ENOMEM; or the errno of a failed dup().
 */
int devsim_memtable_build(struct devsim_memtable *mt,
			  const struct devsim_mem_region *in, unsigned int n,
			  unsigned int max, const struct devsim_log *log);

/** Move @src into @dst (releasing what @dst held); @src ends empty. */
void devsim_memtable_move(struct devsim_memtable *dst,
			  struct devsim_memtable *src);

/** True when [addr, addr + len) lies inside one region; len 0 is false. */
bool devsim_memtable_contains(const struct devsim_memtable *mt, uint64_t addr,
			      uint64_t len);

/** Close every fd the table holds and empty it. */
void devsim_memtable_clear(struct devsim_memtable *mt);

#endif /* DEVSIM_MEMTABLE_H */
