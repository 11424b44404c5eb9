/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memtable.h"

/* A validated input region, with the file identity used for merging. */
struct mt_in {
	struct devsim_mem_region r;
	dev_t dev;
	ino_t ino;
};

void
devsim_memtable_init(struct devsim_memtable *mt)
{
	memset(mt, 0, sizeof(*mt));
}

void
devsim_memtable_clear(struct devsim_memtable *mt)
{
	unsigned int i;

	for (i = 0; i < mt->n; i++) {
		if (mt->r[i].fd >= 0)
			close(mt->r[i].fd);
	}
	devsim_memtable_init(mt);
}

void
devsim_memtable_move(struct devsim_memtable *dst, struct devsim_memtable *src)
{
	if (dst == src)
		return;
	devsim_memtable_clear(dst);
	*dst = *src;
	devsim_memtable_init(src);
}

static int
mt_in_cmp(const void *a, const void *b)
{
	const struct mt_in *x = a, *y = b;

	return x->r.addr < y->r.addr ? -1 : x->r.addr > y->r.addr;
}

static int
mt_validate(const struct devsim_mem_region *in, unsigned int n,
	    struct mt_in *v, const struct devsim_log *log)
{
	unsigned int i;
	struct stat st;

	for (i = 0; i < n; i++) {
		const struct devsim_mem_region *r = &in[i];

		if (r->size == 0 || r->addr + r->size < r->addr ||
		    r->fd_offset + r->size < r->fd_offset) {
			DEVSIM_LOG(log, ERR, "memory region %u [0x%llx, +0x%llx) "
				   "at file offset 0x%llx is empty or overflows",
				   i, (unsigned long long)r->addr,
				   (unsigned long long)r->size,
				   (unsigned long long)r->fd_offset);
			return -EINVAL;
		}
		if (r->fd < 0 || fstat(r->fd, &st) != 0) {
			DEVSIM_LOG(log, ERR, "memory region %u: bad fd %d", i,
				   r->fd);
			return -EINVAL;
		}
		v[i].r = *r;
		v[i].dev = st.st_dev;
		v[i].ino = st.st_ino;
	}
	qsort(v, n, sizeof(*v), mt_in_cmp);
	for (i = 1; i < n; i++) {
		if (v[i - 1].r.addr + v[i - 1].r.size > v[i].r.addr) {
			DEVSIM_LOG(log, ERR, "memory regions at 0x%llx and 0x%llx "
				   "overlap",
				   (unsigned long long)v[i - 1].r.addr,
				   (unsigned long long)v[i].r.addr);
			return -EINVAL;
		}
	}
	return 0;
}

/* Merge in place; returns the number of regions left. */
static unsigned int
mt_merge(struct mt_in *v, unsigned int n)
{
	unsigned int i, out = 0;

	for (i = 0; i < n; i++) {
		struct mt_in *p = out ? &v[out - 1] : NULL;

		if (p != NULL && p->r.addr + p->r.size == v[i].r.addr &&
		    p->dev == v[i].dev && p->ino == v[i].ino &&
		    p->r.fd_offset + p->r.size == v[i].r.fd_offset) {
			p->r.size += v[i].r.size;
			continue;
		}
		v[out++] = v[i];
	}
	return out;
}

int
devsim_memtable_build(struct devsim_memtable *mt,
		      const struct devsim_mem_region *in, unsigned int n,
		      unsigned int max, const struct devsim_log *log)
{
	struct devsim_memtable tmp;
	struct mt_in *v;
	unsigned int i, m;
	int rc;

	if (in == NULL || n == 0) {
		DEVSIM_LOG(log, ERR, "empty memory table");
		return -EINVAL;
	}
	v = calloc(n, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	rc = mt_validate(in, n, v, log);
	if (rc != 0)
		goto err_free;

	m = mt_merge(v, n);
	if (max > DEVSIM_MEM_REGIONS_MAX)
		max = DEVSIM_MEM_REGIONS_MAX;
	if (m > max) {
		DEVSIM_LOG(log, ERR, "%u memory regions after merging, the "
			   "backend accepts at most %u", m, max);
		rc = -E2BIG;
		goto err_free;
	}

	devsim_memtable_init(&tmp);
	for (i = 0; i < m; i++) {
		tmp.r[i] = v[i].r;
		tmp.r[i].fd = fcntl(v[i].r.fd, F_DUPFD_CLOEXEC, 0);
		if (tmp.r[i].fd < 0) {
			rc = -errno;
			DEVSIM_LOG(log, ERR, "dup of memory fd %d: %s",
				   v[i].r.fd, strerror(errno));
			goto err_close;
		}
		tmp.n = i + 1;
	}
	free(v);
	devsim_memtable_move(mt, &tmp);
	return 0;

err_close:
	devsim_memtable_clear(&tmp);
err_free:
	free(v);
	return rc;
}

bool
devsim_memtable_contains(const struct devsim_memtable *mt, uint64_t addr,
			 uint64_t len)
{
	unsigned int i;

	if (len == 0 || addr + len < addr)
		return false;
	for (i = 0; i < mt->n; i++) {
		const struct devsim_mem_region *r = &mt->r[i];

		if (addr >= r->addr && addr - r->addr <= r->size &&
		    len <= r->size - (addr - r->addr))
			return true;
	}
	return false;
}
