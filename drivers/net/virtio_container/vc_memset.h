/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef VC_MEMSET_H
#define VC_MEMSET_H

/*
 * The set of memory regions the device is given, as the backend will see
 * it: pieces of memory are merged per backing file (same device and inode)
 * when they keep the same address-to-file-offset distance, which is what
 * makes one region per memseg list with --single-file-segments or
 * --no-huge.  Two sets compare equal when the backend would map the same
 * files at the same addresses, whatever fd numbers carry them.
 * DPDK-free (POSIX only), so that it is unit tested without EAL.
 *
 * Recipe:
 *   struct vc_memset s;
 *   vc_memset_init(&s);
 *   for each piece: rc = vc_memset_add(&s, addr, len, fd, fd_offset);
 *   vc_memset_sort(&s);
 *   if (!vc_memset_equal(&s, &old)) { send s.r[0..s.n); vc_memset_move(&old, &s); }
 *   vc_memset_fini(&s);
 *
 * Not thread safe; the fds stay owned by whoever passed them in.
 */

#include <stdbool.h>
#include <stdint.h>

/** One merged region; @fd is the first fd seen for the file. */
struct vc_memset_region {
	uint64_t addr;      /**< virtual address of the first byte */
	uint64_t size;      /**< bytes, holes of the file included */
	uint64_t fd_offset; /**< offset of @addr in the file */
	int fd;             /**< a descriptor of the file (not owned) */
	uint64_t dev;       /**< st_dev of the file: its identity ... */
	uint64_t ino;       /**< ... with st_ino */
};

struct vc_memset {
	struct vc_memset_region *r; /**< malloc()ed (never DPDK memory) */
	unsigned int n;
	unsigned int cap;
	int last_fd;                /**< fstat() cache: last fd seen ... */
	uint64_t last_dev, last_ino;/**< ... and its identity */
};

/** Start empty (no allocation). */
void vc_memset_init(struct vc_memset *s);

/** Free what @s allocated and leave it empty; closes no fd. */
void vc_memset_fini(struct vc_memset *s);

/**
 * Add [@addr, @addr + @len) backed by @fd at @fd_offset.  It joins the
 * region of the same file at the same address-to-offset distance (the
 * region then spans whatever lies between), else it becomes a new region.
 * Uses malloc() only: safe inside an EAL memory event callback.
 * @return 0; -EINVAL for len 0, an overflowing range or an fd that
 * fstat() refuses; -ENOMEM.
 */
int vc_memset_add(struct vc_memset *s, uint64_t addr, uint64_t len, int fd,
		  uint64_t fd_offset);

/** Sort the regions by address (what vc_memset_equal() expects). */
void vc_memset_sort(struct vc_memset *s);

/**
 * True when two sorted sets name the same regions: same addresses, sizes,
 * files (device and inode) and file offsets.  fd numbers are not compared.
 */
bool vc_memset_equal(const struct vc_memset *a, const struct vc_memset *b);

/** Move @src into @dst (freeing what @dst held); @src ends empty. */
void vc_memset_move(struct vc_memset *dst, struct vc_memset *src);

#endif /* VC_MEMSET_H */
