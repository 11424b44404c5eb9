/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * EAL memory -> the device's memory table.  Descriptors carry virtual
 * addresses, so each region maps VA -> (fd, offset) 1:1.  Segments backed
 * by the same file at a constant VA-to-offset distance collapse into one
 * region (one per memseg list with --single-file-segments or --no-huge),
 * which keeps the table within the vhost backend's 8-region limit.  The
 * default hugepage layout has one file per page: one region per page.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include <rte_eal_memconfig.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "vc_logs.h"
#include "vc_mem.h"

/*
 * The EAL options that give few files, named in every error.  Checked on
 * DPDK 22.11: --single-file-segments (also with --in-memory) and --no-huge
 * work; --in-memory alone has a memfd per page; --legacy-mem has a file
 * per page, and no fds at all with --single-file-segments.
 */
#define VC_MEM_FIX "start the application with --single-file-segments (one hugepage file per memseg list; also with --in-memory, never with --legacy-mem) or with --no-huge (memfd-backed memory)"

/* Pages this small in a file each cannot hold a useful amount of memory
 * in 8 regions (16 MiB with 2 MiB pages); 1 GiB pages can (8 GiB). */
#define VC_MEM_PER_PAGE_OK_SZ (1ULL << 30)

struct vc_mem_walk {
	struct vc_memset *s;
	uintptr_t skip;          /* [skip, skip + skip_len): being freed */
	size_t skip_len;
	const struct rte_memseg_list *msl; /* list of the previous segment */
	int msl_fd;              /* its fd in that list */
	struct vc_mem_layout lay;
	int err;
};

static int
vc_mem_walk_seg(const struct rte_memseg_list *msl, const struct rte_memseg *ms,
		void *arg)
{
	struct vc_mem_walk *w = arg;
	size_t off;
	int fd, ret;

	/* External memory has no EAL fd; it cannot be shared. */
	if (msl->external)
		return 0;
	if (w->skip_len != 0 && ms->addr_64 >= w->skip &&
	    ms->addr_64 + ms->len <= w->skip + w->skip_len)
		return 0;
	fd = rte_memseg_get_fd_thread_unsafe(ms);
	if (fd < 0 || rte_memseg_get_fd_offset_thread_unsafe(ms, &off) < 0) {
		VC_LOG(ERR, "EAL memory at %p has no file descriptor (%s): %s",
		       ms->addr, rte_strerror(rte_errno), VC_MEM_FIX);
		w->err = -ENOTSUP;
		return -1;
	}
	/* A file per page: two fds in one list, or a page past the list's
	 * first at offset 0 (one file per list has offset = index * size). */
	if ((msl == w->msl && fd != w->msl_fd) ||
	    (off == 0 && ms->addr != msl->base_va)) {
		if (w->lay.per_page_sz == 0 ||
		    ms->hugepage_sz < w->lay.per_page_sz)
			w->lay.per_page_sz = ms->hugepage_sz;
	}
	if (w->lay.page_sz == 0 || ms->hugepage_sz < w->lay.page_sz)
		w->lay.page_sz = ms->hugepage_sz;
	w->lay.segs++;
	w->msl = msl;
	w->msl_fd = fd;
	ret = vc_memset_add(w->s, ms->addr_64, ms->len, fd, off);
	if (ret < 0) {
		w->err = ret;
		return -1;
	}
	return 0;
}

int
vc_mem_collect(struct vc_memset *s, const void *skip, size_t skip_len,
	       struct vc_mem_layout *lay)
{
	struct vc_mem_walk w = {
		.s = s, .skip = (uintptr_t)skip, .skip_len = skip_len,
		.msl_fd = -1,
	};

	if (rte_memseg_walk_thread_unsafe(vc_mem_walk_seg, &w) < 0 && !w.err)
		w.err = -EIO;
	if (w.err == 0 && s->n == 0)
		w.err = -ENOENT;
	if (w.err == 0)
		vc_memset_sort(s);
	if (lay != NULL)
		*lay = w.lay;
	return w.err;
}

int
vc_mem_send(struct vc_transport *tp, const struct vc_memset *s,
	    const char *port_name)
{
	struct vc_mem_region *r;
	unsigned int i, limit = 0;
	int ret;

	r = malloc(sizeof(*r) * s->n);
	if (r == NULL)
		return -ENOMEM;
	for (i = 0; i < s->n; i++)
		r[i] = (struct vc_mem_region){
			.addr = s->r[i].addr, .size = s->r[i].size,
			.fd = s->r[i].fd, .fd_offset = s->r[i].fd_offset,
		};
	ret = tp->ops->mem_set(tp, r, s->n, &limit);
	free(r);
	if (ret == -E2BIG)
		VC_LOG(ERR, "%s: EAL memory is spread over %u files, the vhost backend accepts at most %u memory regions: %s",
		       port_name, s->n, limit, VC_MEM_FIX);
	else if (ret < 0)
		VC_LOG(ERR, "%s: cannot share memory with the device: %s",
		       port_name, strerror(-ret));
	return ret;
}

int
vc_mem_check(struct vc_transport *tp, const char *port_name)
{
	struct vc_memset s;
	struct vc_mem_layout lay;
	unsigned int limit;
	uint64_t per_page;
	void *probe = NULL;
	int ret;

	if (tp->ops->mem_regions_max == NULL)
		return 0;
	limit = tp->ops->mem_regions_max(tp);
	if (limit == 0)
		return 0; /* unknown: dev_start finds out */
	vc_memset_init(&s);
	rte_mcfg_mem_read_lock();
	ret = vc_mem_collect(&s, NULL, 0, &lay);
	rte_mcfg_mem_read_unlock();
	/*
	 * Early in EAL's life each file may hold a single page (the first of
	 * its memseg list): a file per list and a file per page look alike.
	 * Two more pages of heap tell them apart (dynamic memory grows for
	 * them); they go back to EAL at once.
	 */
	if (ret == 0 && lay.per_page_sz == 0 && lay.segs == s.n &&
	    rte_eal_has_hugepages() && s.n <= limit) {
		probe = rte_malloc("vc_mem_layout_probe", 2 * lay.page_sz, 0);
		if (probe != NULL) {
			vc_memset_fini(&s);
			rte_mcfg_mem_read_lock();
			ret = vc_mem_collect(&s, NULL, 0, &lay);
			rte_mcfg_mem_read_unlock();
			rte_free(probe);
		}
	}
	per_page = lay.per_page_sz;
	VC_LOG(DEBUG, "%s: %u memory regions in %u segments (%s), limit %u, a file per page: %s",
	       port_name, s.n, lay.segs, probe ? "layout probed" : "as found",
	       limit, per_page ? "yes" : "no");
	if (ret == 0 && s.n > limit) {
		VC_LOG(ERR, "%s: EAL memory is spread over %u files, the vhost backend accepts at most %u memory regions: %s",
		       port_name, s.n, limit, VC_MEM_FIX);
		ret = -E2BIG;
	} else if (ret == 0 && per_page != 0 &&
		   per_page < VC_MEM_PER_PAGE_OK_SZ) {
		/* Fits now, but each page the application adds (its first
		 * mempool) is one more region: it would fail at dev_start
		 * or, worse, at run time. */
		VC_LOG(ERR, "%s: EAL has one file per %" PRIu64 " KiB hugepage, %u memory regions in use already, the vhost backend accepts at most %u (%" PRIu64 " KiB of memory): %s",
		       port_name, per_page >> 10, s.n, limit,
		       (per_page >> 10) * limit, VC_MEM_FIX);
		ret = -E2BIG;
	} else if (ret == 0 && per_page != 0) {
		VC_LOG(WARNING, "%s: one file per hugepage: memory is limited to %u pages; %s",
		       port_name, limit, VC_MEM_FIX);
	}
	vc_memset_fini(&s);
	return ret;
}
