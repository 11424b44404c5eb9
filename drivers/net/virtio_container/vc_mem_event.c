/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * Memory hotplug.  EAL calls back in the thread that allocated or freed
 * memory, with the memory hotplug lock and the heap lock held: no DPDK
 * allocation here (deadlock), and the memseg walk is the thread-unsafe
 * one (the lock is already held).  The table is compared after merging,
 * so a page added inside a file the backend already maps (one file per
 * memseg list) sends nothing.
 *
 * ALLOC: the callback runs before the allocation returns to the
 * application, and the device sends SET_MEM_TABLE synchronously (with
 * REPLY_ACK the backend has mapped it when we return), so no descriptor
 * can name the new memory before the backend knows it.
 * FREE: the callback runs before EAL releases the pages, with their
 * segments still listed: they are left out of the new set and the smaller
 * table goes out before the pages go.  EAL frees a page only when no heap
 * element in it is allocated, so no buffer the rings hold can be in it
 * (mbufs posted to the device belong to live mempools); freeing a pool
 * whose mbufs the port still holds is the application's use-after-free,
 * as with any PMD.  Removing it at once also lets the backend drop its
 * mapping, which otherwise keeps a per-page file's hugepage allocated.
 *
 * What pauses: nothing in this driver.  Its RX/TX bursts and kicks go on;
 * the vhost backend locks the device's vrings while it remaps (DPDK 22.11
 * vhost_user_set_mem_table under vhost_user_lock_all_queue_pairs), so
 * only the backend's processing of this device's queues waits for that.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_eal_memconfig.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "vc_logs.h"
#include "vc_mem.h"
#include "vc_mem_event.h"

#define VC_MEM_CB_NAME "net_virtio_container"

struct vc_mem_port {
	pthread_mutex_t lock;          /* callback vs start/stop */
	struct vc_transport *tp;       /* not owned */
	bool registered;               /* the EAL callback is ours */
	bool active;                   /* device has cur (start..stop) */
	struct vc_memset cur;          /* the set the device was given */
	struct vc_mem_port_stats st;
	char name[64];
};

static void
vc_mem_event_cb(enum rte_mem_event type, const void *addr, size_t len,
		void *arg)
{
	struct vc_mem_port *mp = arg;
	const char *what = type == RTE_MEM_EVENT_FREE ? "freed" : "added";
	struct vc_memset s;
	int ret;

	vc_memset_init(&s);
	pthread_mutex_lock(&mp->lock);
	if (!mp->active)
		goto out;
	/* EAL holds the hotplug lock around this call. */
	ret = vc_mem_collect(&s, type == RTE_MEM_EVENT_FREE ? addr : NULL,
			     type == RTE_MEM_EVENT_FREE ? len : 0, NULL);
	if (ret < 0)
		goto err;
	if (vc_memset_equal(&s, &mp->cur)) {
		mp->st.unchanged++;
		VC_LOG(INFO, "%s: memory %s at %p (%zu bytes): region set unchanged (%u regions), table not re-sent",
		       mp->name, what, addr, len, s.n);
		goto out;
	}
	ret = vc_mem_send(mp->tp, &s, mp->name);
	if (ret < 0)
		goto err;
	vc_memset_move(&mp->cur, &s);
	mp->st.updates++;
	VC_LOG(NOTICE, "%s: memory %s at %p (%zu bytes): memory table re-sent, %u regions (update %" PRIu64 ")",
	       mp->name, what, addr, len, mp->cur.n, mp->st.updates);
	goto out;
err:
	/* The device keeps the old table: buffers in the new memory would
	 * not reach the backend.  vc_mem_send() said why. */
	mp->st.errors++;
	VC_LOG(ERR, "%s: memory %s at %p (%zu bytes): the device keeps its previous memory table (%s)",
	       mp->name, what, addr, len, strerror(-ret));
out:
	pthread_mutex_unlock(&mp->lock);
	vc_memset_fini(&s);
}

int
vc_mem_port_open(struct vc_mem_port **out, struct vc_transport *tp,
		 const char *port_name)
{
	struct vc_mem_port *mp;

	mp = calloc(1, sizeof(*mp));
	if (mp == NULL)
		return -ENOMEM;
	pthread_mutex_init(&mp->lock, NULL);
	mp->tp = tp;
	vc_memset_init(&mp->cur);
	snprintf(mp->name, sizeof(mp->name), "%s", port_name);
	if (rte_mem_event_callback_register(VC_MEM_CB_NAME, vc_mem_event_cb,
					    mp) == 0) {
		mp->registered = true;
	} else if (rte_errno != ENOTSUP) {
		/* ENOTSUP: legacy memory, no run-time events to follow. */
		int ret = -rte_errno;

		VC_LOG(ERR, "%s: cannot register for memory events: %s",
		       port_name, rte_strerror(rte_errno));
		pthread_mutex_destroy(&mp->lock);
		free(mp);
		return ret;
	}
	*out = mp;
	return 0;
}

int
vc_mem_port_start(struct vc_mem_port *mp)
{
	struct vc_memset s;
	int ret;

	vc_memset_init(&s);
	/* Hotplug lock first, as around the callback, then ours. */
	rte_mcfg_mem_read_lock();
	pthread_mutex_lock(&mp->lock);
	ret = vc_mem_collect(&s, NULL, 0, NULL);
	if (ret == 0)
		ret = vc_mem_send(mp->tp, &s, mp->name);
	if (ret == 0) {
		vc_memset_move(&mp->cur, &s);
		mp->active = true;
	}
	pthread_mutex_unlock(&mp->lock);
	rte_mcfg_mem_read_unlock();
	vc_memset_fini(&s);
	return ret;
}

void
vc_mem_port_stop(struct vc_mem_port *mp)
{
	if (mp == NULL)
		return;
	pthread_mutex_lock(&mp->lock);
	mp->active = false;
	vc_memset_fini(&mp->cur);
	pthread_mutex_unlock(&mp->lock);
}

void
vc_mem_port_stats_get(struct vc_mem_port *mp, struct vc_mem_port_stats *st)
{
	pthread_mutex_lock(&mp->lock);
	*st = mp->st;
	pthread_mutex_unlock(&mp->lock);
}

void
vc_mem_port_close(struct vc_mem_port *mp)
{
	if (mp == NULL)
		return;
	/* Takes EAL's callback list lock for writing: a callback still
	 * running holds it for reading, so none runs after this. */
	if (mp->registered)
		rte_mem_event_callback_unregister(VC_MEM_CB_NAME, mp);
	vc_memset_fini(&mp->cur);
	pthread_mutex_destroy(&mp->lock);
	free(mp);
}
