/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef VC_MEM_EVENT_H
#define VC_MEM_EVENT_H

/*
 * A port's memory table over its life, memory hotplug included.  EAL
 * allocates and frees hugepages at run time (dynamic memory mode); each
 * time it does, the port recomputes its region set and re-sends the table
 * to the running device only when the merged set changed.
 *
 * Recipe (primary process):
 *   probe:     vc_mem_port_open(&mp, tp, name);  // registers the callback
 *   dev_start: vc_mem_port_start(mp);            // table -> device
 *   dev_stop:  vc_mem_port_stop(mp);             // events ignored again
 *   close:     vc_mem_port_close(mp);            // unregisters, frees
 *
 * Threads: start/stop/close on the control thread; the callback runs in
 * whatever thread allocated or freed memory, with EAL's memory hotplug
 * lock held.  A mutex in the port serialises the two.
 */

#include <stdint.h>

#include "vc_transport.h"

struct vc_mem_port;

/** Counters of a port's memory table (for tests and logs). */
struct vc_mem_port_stats {
	uint64_t updates;   /**< tables re-sent after a memory event */
	uint64_t unchanged; /**< events that left the merged set as it was */
	uint64_t errors;    /**< events whose new table could not be sent */
};

/**
 * Create the memory state of a port using transport @tp (not owned; it
 * must outlive the port state) and register its EAL memory event
 * callback.  Without dynamic memory (--legacy-mem, --no-huge) EAL has no
 * events and the callback is not needed: that is not an error.
 * Allocates with malloc (never DPDK memory: the callback reads it).
 * @return 0 with *@out set, or a negative errno.
 */
int vc_mem_port_open(struct vc_mem_port **out, struct vc_transport *tp,
		     const char *port_name);

/**
 * Give the device the table of all EAL memory now (under the memory
 * hotplug read lock) and follow memory events from now on.
 * @return 0 or a negative errno, logged (-E2BIG names the EAL fix).
 */
int vc_mem_port_start(struct vc_mem_port *mp);

/** Stop following memory events (the device was reset). */
void vc_mem_port_stop(struct vc_mem_port *mp);

/** Copy the counters of @mp into @st. */
void vc_mem_port_stats_get(struct vc_mem_port *mp,
			   struct vc_mem_port_stats *st);

/**
 * Unregister the callback (it is not running once this returns) and free
 * @mp.  NULL is a no-op.  Must not be called from a memory event callback.
 */
void vc_mem_port_close(struct vc_mem_port *mp);

#endif /* VC_MEM_EVENT_H */
