/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * EAL memory -> the device's memory table.  Descriptors carry virtual
 * addresses, so each region maps VA -> (fd, offset) 1:1.  Segments backed
 * by the same file at a constant VA-to-offset distance collapse into one
 * region (one per memseg list with --single-file-segments or --no-huge),
 * which keeps the table within the vhost backend's 8-region limit.
 */

#include <errno.h>
#include <stdlib.h>

#include <rte_eal_memconfig.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "vc_logs.h"
#include "vc_mem.h"

struct vc_mem_walk {
	struct vc_mem_region *r;
	unsigned int n;
	unsigned int cap;
	int err;
};

static int
vc_mem_walk_seg(const struct rte_memseg_list *msl, const struct rte_memseg *ms,
		void *arg)
{
	struct vc_mem_walk *w = arg;
	struct vc_mem_region *r;
	size_t off;
	unsigned int i;
	int fd;

	/* External memory has no EAL fd; it cannot be shared. */
	if (msl->external)
		return 0;
	fd = rte_memseg_get_fd_thread_unsafe(ms);
	if (fd < 0 || rte_memseg_get_fd_offset_thread_unsafe(ms, &off) < 0) {
		VC_LOG(ERR, "EAL memory at %p has no file descriptor (%s): run with hugepages or --no-huge on Linux",
		       ms->addr, rte_strerror(rte_errno));
		w->err = -ENOTSUP;
		return -1;
	}
	/* Same file and same VA-to-offset distance: extend that region. */
	for (i = 0; i < w->n; i++) {
		r = &w->r[i];
		if (r->fd != fd || r->addr - r->fd_offset != ms->addr_64 - off)
			continue;
		if (ms->addr_64 < r->addr) {
			r->size += r->addr - ms->addr_64;
			r->addr = ms->addr_64;
			r->fd_offset = off;
		}
		if (ms->addr_64 + ms->len > r->addr + r->size)
			r->size = ms->addr_64 + ms->len - r->addr;
		return 0;
	}
	if (w->n == w->cap) {
		unsigned int cap = w->cap ? w->cap * 2 : 16;
		void *p = realloc(w->r, cap * sizeof(*w->r));

		if (p == NULL) {
			w->err = -ENOMEM;
			return -1;
		}
		w->r = p;
		w->cap = cap;
	}
	w->r[w->n++] = (struct vc_mem_region){
		.addr = ms->addr_64, .size = ms->len, .fd = fd, .fd_offset = off,
	};
	return 0;
}

int
vc_mem_share(struct vc_transport *tp, const char *port_name)
{
	struct vc_mem_walk w = { 0 };
	unsigned int limit = 0;
	int ret;

	rte_mcfg_mem_read_lock();
	if (rte_memseg_walk_thread_unsafe(vc_mem_walk_seg, &w) < 0 && !w.err)
		w.err = -EIO;
	if (w.err == 0)
		w.err = tp->ops->mem_set(tp, w.r, w.n, &limit);
	rte_mcfg_mem_read_unlock();
	ret = w.err;
	if (ret == -E2BIG)
		VC_LOG(ERR, "%s: EAL memory is spread over %u files, the vhost backend accepts at most %u memory regions: start the application with --single-file-segments (or --no-huge)",
		       port_name, w.n, limit);
	else if (ret < 0)
		VC_LOG(ERR, "%s: cannot share memory with the device: %s",
		       port_name, strerror(-ret));
	free(w.r);
	return ret;
}
