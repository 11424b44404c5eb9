/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef DEVSIM_TEST_UTIL_H
#define DEVSIM_TEST_UTIL_H

/*
 * Helpers shared by the devsim unit tests: fd counting for leak checks, a
 * log hook that keeps the messages, memfd-backed memory, and a device on a
 * fake backend.  Header only; every test binary includes it once.
 */

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devsim/devsim.h"
#include "fake_backend_ops.h"
#include "virtio_net.h"

/** Open fds of this process (leak checks compare before and after). */
static inline int
tu_fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.')
			n++;
	}
	closedir(d);
	return n - 1; /* the DIR's own fd */
}

/** Messages the log hook saw, concatenated with '\n'. */
struct tu_log {
	char text[8192];
	unsigned int n;
};

static inline void
tu_log_hook(void *opaque, enum devsim_log_level level, const char *msg)
{
	struct tu_log *l = opaque;
	size_t used = strlen(l->text);

	(void)level;
	snprintf(l->text + used, sizeof(l->text) - used, "%s\n", msg);
	l->n++;
}

/** A memfd of @size bytes, or -1. */
static inline int
tu_memfd(size_t size)
{
	int fd = memfd_create("devsim-test", MFD_CLOEXEC);

	if (fd >= 0 && ftruncate(fd, (off_t)size) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/** The configuration the tests plug with: 2 pairs, queues up to 256. */
static inline struct devsim_net_cfg
tu_net_cfg(void)
{
	struct devsim_net_cfg cfg = {
		.path = NULL,
		.mac = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
		.mac_valid = true,
		.max_queue_pairs = 2,
		.queue_size_max = 256,
		.mtu = 1500,
		.feature_mask = ~0ULL,
	};
	return cfg;
}

#endif /* DEVSIM_TEST_UTIL_H */
