/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * Region sets: merge pieces of memory per file, compare two sets.  The
 * memory event callback builds one per event, so this uses libc malloc
 * only (DPDK memory allocated there would deadlock on the heap lock).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vc_memset.h"

void
vc_memset_init(struct vc_memset *s)
{
	memset(s, 0, sizeof(*s));
	s->last_fd = -1;
}

void
vc_memset_fini(struct vc_memset *s)
{
	free(s->r);
	vc_memset_init(s);
}

void
vc_memset_move(struct vc_memset *dst, struct vc_memset *src)
{
	if (dst == src)
		return;
	vc_memset_fini(dst);
	*dst = *src;
	vc_memset_init(src);
}

/* File identity of @fd; one fstat() per run of pieces from one file. */
static int
vc_memset_ident(struct vc_memset *s, int fd, uint64_t *dev, uint64_t *ino)
{
	struct stat st;

	if (fd < 0)
		return -EINVAL;
	/* The fds stay open while a set is built (EAL's, under its lock). */
	if (fd != s->last_fd) {
		if (fstat(fd, &st) != 0)
			return -EINVAL;
		s->last_fd = fd;
		s->last_dev = st.st_dev;
		s->last_ino = st.st_ino;
	}
	*dev = s->last_dev;
	*ino = s->last_ino;
	return 0;
}

int
vc_memset_add(struct vc_memset *s, uint64_t addr, uint64_t len, int fd,
	      uint64_t fd_offset)
{
	struct vc_memset_region *r;
	uint64_t dev, ino;
	unsigned int i;

	if (len == 0 || addr + len < addr || fd_offset + len < fd_offset)
		return -EINVAL;
	if (vc_memset_ident(s, fd, &dev, &ino) < 0)
		return -EINVAL;
	/* Same file, same distance: the backend maps both with one mmap. */
	for (i = 0; i < s->n; i++) {
		r = &s->r[i];
		if (r->dev != dev || r->ino != ino ||
		    r->addr - r->fd_offset != addr - fd_offset)
			continue;
		if (addr < r->addr) {
			r->size += r->addr - addr;
			r->addr = addr;
			r->fd_offset = fd_offset;
		}
		if (addr + len > r->addr + r->size)
			r->size = addr + len - r->addr;
		return 0;
	}
	if (s->n == s->cap) {
		unsigned int cap = s->cap ? s->cap * 2 : 16;
		void *p = realloc(s->r, (size_t)cap * sizeof(*s->r));

		if (p == NULL)
			return -ENOMEM;
		s->r = p;
		s->cap = cap;
	}
	s->r[s->n++] = (struct vc_memset_region){
		.addr = addr, .size = len, .fd_offset = fd_offset, .fd = fd,
		.dev = dev, .ino = ino,
	};
	return 0;
}

static int
vc_memset_cmp(const void *a, const void *b)
{
	const struct vc_memset_region *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

void
vc_memset_sort(struct vc_memset *s)
{
	if (s->n > 1)
		qsort(s->r, s->n, sizeof(*s->r), vc_memset_cmp);
}

bool
vc_memset_equal(const struct vc_memset *a, const struct vc_memset *b)
{
	unsigned int i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++) {
		const struct vc_memset_region *x = &a->r[i], *y = &b->r[i];

		if (x->addr != y->addr || x->size != y->size ||
		    x->fd_offset != y->fd_offset || x->dev != y->dev ||
		    x->ino != y->ino)
			return false;
	}
	return true;
}
