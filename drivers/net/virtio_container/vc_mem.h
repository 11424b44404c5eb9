/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef VC_MEM_H
#define VC_MEM_H

/*
 * EAL memory as a region set (vc_memset.h) for the device.
 *
 * Recipe:
 *   probe:      vc_mem_check(tp, name);   // fails when it cannot fit
 *   dev_start:  rte_mcfg_mem_read_lock(); vc_mem_collect(&s, NULL, 0, NULL);
 *               vc_mem_send(tp, &s, name); rte_mcfg_mem_read_unlock();
 *   run time:   vc_mem_event.c does the same from EAL's memory events.
 */

#include <stddef.h>
#include <stdint.h>

#include "vc_memset.h"
#include "vc_transport.h"

/** The file layout of EAL memory, as one walk saw it. */
struct vc_mem_layout {
	uint64_t per_page_sz; /**< smallest page kept in a file of its own
			       *   (0: no file holds a single page of many) */
	uint64_t page_sz;     /**< smallest page size seen */
	unsigned int segs;    /**< segments walked */
};

/**
 * Fill @s (empty on entry) with every EAL memory segment that has a file
 * descriptor, merged per file and sorted, leaving out the segments inside
 * [@skip, @skip + @skip_len) (memory being freed; @skip_len 0: none).
 * The caller holds the memory hotplug lock (rte_mcfg_mem_read_lock(), or
 * EAL holds it around a memory event callback).  @lay (may be NULL) gets
 * what the walk learnt about the layout.
 * @return 0; -ENOTSUP (logged, naming the EAL options that work) for
 * memory without fd; -ENOENT when there is none; -ENOMEM.  The fds in @s
 * stay EAL's.
 */
int vc_mem_collect(struct vc_memset *s, const void *skip, size_t skip_len,
		   struct vc_mem_layout *lay);

/**
 * Hand the regions of @s to the device.  When the device runs it gets the
 * new table at once (SET_MEM_TABLE on the running device).
 * @return 0 or a negative errno, logged; for -E2BIG (over the backend's
 * region limit) the log names the EAL options that fix it.
 */
int vc_mem_send(struct vc_transport *tp, const struct vc_memset *s,
		const char *port_name);

/**
 * Probe-time check: fail when the memory EAL has now already needs more
 * regions than the device accepts, or when EAL keeps a file per hugepage
 * smaller than 1 GiB (8 regions then hold 16 MiB with 2 MiB pages: the
 * first mempool overflows them), so that the port fails at probe with a
 * message naming the fix rather than at dev_start or at run time.  With a
 * file per 1 GiB page it only warns.  Takes the memory hotplug read lock.
 * @return 0, -E2BIG (logged with the fix) or another negative errno.
 */
int vc_mem_check(struct vc_transport *tp, const char *port_name);

#endif /* VC_MEM_H */
