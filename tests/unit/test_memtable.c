/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * The memory table: validation, merging of regions contiguous in address
 * and file, the backend's region limit, ownership of the dup()ed fds, and
 * devsim_mem_set() on a device (sent at once when it runs).
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "devsim_test_util.h"
#include "memtable.h"
#include "wire/virtio_pci_regs.h"

#define PG 4096u
#define BASE 0x7f0000000000ULL

static struct tu_log g_log;
static const struct devsim_log tlog = { tu_log_hook, &g_log };

static struct devsim_mem_region
reg(uint64_t addr, uint64_t size, int fd, uint64_t off)
{
	struct devsim_mem_region r = { addr, size, fd, off };

	return r;
}

static bool
same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void
test_merge_contiguous(void **state)
{
	int fds = tu_fd_count(), fd = tu_memfd(4 * PG);
	struct devsim_memtable mt;
	/* Given out of order: sorting is the table's job. */
	struct devsim_mem_region in[] = {
		reg(BASE + 2 * PG, PG, fd, 2 * PG),
		reg(BASE, PG, fd, 0),
		reg(BASE + PG, PG, fd, PG),
	};

	(void)state;
	devsim_memtable_init(&mt);
	assert_int_equal(devsim_memtable_build(&mt, in, 3, 8, &tlog), 0);
	assert_int_equal(mt.n, 1);
	assert_int_equal(mt.r[0].addr, BASE);
	assert_int_equal(mt.r[0].size, 3 * PG);
	assert_int_equal(mt.r[0].fd_offset, 0);
	assert_true(mt.r[0].fd != fd && same_file(mt.r[0].fd, fd));
	/* The table's fd outlives the caller's. */
	close(fd);
	assert_int_equal(fcntl(mt.r[0].fd, F_GETFD), FD_CLOEXEC);
	assert_true(devsim_memtable_contains(&mt, BASE + PG, 2 * PG));
	assert_false(devsim_memtable_contains(&mt, BASE + PG, 2 * PG + 1));
	assert_false(devsim_memtable_contains(&mt, BASE - 1, 2));
	assert_false(devsim_memtable_contains(&mt, BASE, 0));
	assert_false(devsim_memtable_contains(&mt, UINT64_MAX, 2));
	devsim_memtable_clear(&mt);
	assert_int_equal(mt.n, 0);
	assert_int_equal(tu_fd_count(), fds);
}

static void
test_no_merge(void **state)
{
	int fds = tu_fd_count();
	int a = tu_memfd(4 * PG), b = tu_memfd(4 * PG);
	struct devsim_memtable mt;
	struct devsim_mem_region gap_in_file[] = {
		reg(BASE, PG, a, 0),
		reg(BASE + PG, PG, a, 2 * PG),     /* file offset jumps */
	};
	struct devsim_mem_region other_file[] = {
		reg(BASE, PG, a, 0),
		reg(BASE + PG, PG, b, PG),         /* contiguous, other file */
	};
	struct devsim_mem_region gap_in_addr[] = {
		reg(BASE, PG, a, 0),
		reg(BASE + 2 * PG, PG, a, PG),
	};

	(void)state;
	devsim_memtable_init(&mt);
	assert_int_equal(devsim_memtable_build(&mt, gap_in_file, 2, 8, &tlog), 0);
	assert_int_equal(mt.n, 2);
	assert_int_equal(devsim_memtable_build(&mt, other_file, 2, 8, &tlog), 0);
	assert_int_equal(mt.n, 2);
	assert_true(same_file(mt.r[1].fd, b));
	assert_int_equal(devsim_memtable_build(&mt, gap_in_addr, 2, 8, &tlog), 0);
	assert_int_equal(mt.n, 2);
	/* Replacing released the previous tables' fds. */
	assert_int_equal(tu_fd_count(), fds + 2 + 2);
	devsim_memtable_clear(&mt);
	close(a);
	close(b);
	assert_int_equal(tu_fd_count(), fds);
}

static void
test_invalid_regions(void **state)
{
	int fds = tu_fd_count(), fd = tu_memfd(4 * PG), closed;
	struct devsim_memtable mt;
	struct devsim_mem_region ok = reg(BASE, PG, fd, 0);
	struct devsim_mem_region overlap[] = {
		reg(BASE, 2 * PG, fd, 0),
		reg(BASE + PG, PG, fd, 2 * PG),
	};
	struct devsim_mem_region r;

	(void)state;
	devsim_memtable_init(&mt);
	assert_int_equal(devsim_memtable_build(&mt, &ok, 1, 8, &tlog), 0);
	/* A number that is surely closed: nothing opens fds after this. */
	closed = tu_memfd(PG);
	close(closed);
	assert_int_equal(devsim_memtable_build(&mt, NULL, 0, 8, &tlog), -EINVAL);
	assert_int_equal(devsim_memtable_build(&mt, &ok, 0, 8, &tlog), -EINVAL);
	r = reg(BASE, 0, fd, 0);
	assert_int_equal(devsim_memtable_build(&mt, &r, 1, 8, &tlog), -EINVAL);
	r = reg(UINT64_MAX - PG + 1, 2 * PG, fd, 0);
	assert_int_equal(devsim_memtable_build(&mt, &r, 1, 8, &tlog), -EINVAL);
	r = reg(BASE, PG, fd, UINT64_MAX);
	assert_int_equal(devsim_memtable_build(&mt, &r, 1, 8, &tlog), -EINVAL);
	r = reg(BASE, PG, -1, 0);
	assert_int_equal(devsim_memtable_build(&mt, &r, 1, 8, &tlog), -EINVAL);
	r = reg(BASE, PG, closed, 0);
	assert_int_equal(devsim_memtable_build(&mt, &r, 1, 8, &tlog), -EINVAL);
	assert_int_equal(devsim_memtable_build(&mt, overlap, 2, 8, &tlog), -EINVAL);
	assert_non_null(strstr(g_log.text, "overlap"));
	/* Failures leave the previous table in place. */
	assert_int_equal(mt.n, 1);
	assert_int_equal(mt.r[0].size, PG);
	devsim_memtable_clear(&mt);
	close(fd);
	assert_int_equal(tu_fd_count(), fds);
}

static void
test_limit(void **state)
{
	int fds = tu_fd_count(), i, fd[3];
	struct devsim_memtable mt;
	struct devsim_mem_region in[3];

	(void)state;
	for (i = 0; i < 3; i++) {
		fd[i] = tu_memfd(PG);
		in[i] = reg(BASE + (uint64_t)i * PG, PG, fd[i], 0);
	}
	devsim_memtable_init(&mt);
	g_log.text[0] = '\0';
	assert_int_equal(devsim_memtable_build(&mt, in, 3, 2, &tlog), -E2BIG);
	assert_non_null(strstr(g_log.text, "3 memory regions after merging, the "
			       "backend accepts at most 2"));
	assert_int_equal(mt.n, 0);
	assert_int_equal(tu_fd_count(), fds + 3);   /* nothing dup()ed kept */
	assert_int_equal(devsim_memtable_build(&mt, in, 3, 3, &tlog), 0);
	assert_int_equal(mt.n, 3);
	devsim_memtable_clear(&mt);
	for (i = 0; i < 3; i++)
		close(fd[i]);
	assert_int_equal(tu_fd_count(), fds);
}

/* ---- through the device ------------------------------------------------------ */

static void
status_write(struct devsim_dev *dev, uint8_t s)
{
	assert_int_equal(devsim_bar_write(dev, DEVSIM_VPCI_BAR,
					  VIRTIO_PCI_COMMON_STATUS, 1, s), 0);
}

static void
test_dev_mem_set(void **state)
{
	int fds = tu_fd_count(), fd = tu_memfd(8 * PG), i;
	struct devsim_net_cfg cfg = tu_net_cfg();
	struct fake_backend fb;
	struct devsim_bus *bus;
	struct devsim_dev *dev;
	struct devsim_mem_region in[3];
	int fds_plugged;

	(void)state;
	fake_backend_init(&fb);
	fb.info.max_mem_regions = 2;
	bus = devsim_bus_create(tu_log_hook, &g_log);
	assert_int_equal(devsim_net_dev_create_with_backend(bus, &cfg,
			&fake_backend_ops, fake_backend_be(&fb), &fb.info, &dev), 0);
	assert_int_equal(devsim_mem_regions_max(dev), 2);
	fds_plugged = tu_fd_count();

	/* Three regions, not mergeable (gaps in the file): over the limit. */
	for (i = 0; i < 3; i++)
		in[i] = reg(BASE + (uint64_t)i * PG, PG, fd, 2 * (uint64_t)i * PG);
	assert_int_equal(devsim_mem_set(dev, in, 3), -E2BIG);
	assert_non_null(strstr(devsim_dev_last_error(dev),
			       "3 memory regions after merging, the backend "
			       "accepts at most 2"));
	assert_int_equal(tu_fd_count(), fds_plugged);

	/* Mergeable: fits; setting it again does not leak. */
	for (i = 0; i < 3; i++)
		in[i].fd_offset = (uint64_t)i * PG;
	assert_int_equal(devsim_mem_set(dev, in, 3), 0);
	assert_int_equal(devsim_mem_set(dev, in, 3), 0);
	assert_int_equal(tu_fd_count(), fds_plugged + 1);
	/* Not running: nothing sent yet. */
	assert_int_equal(fake_backend_count(&fb, FAKE_SET_MEM_TABLE), 0);

	/* Running: a new table goes to the backend at once. */
	assert_int_equal(devsim_bar_write(dev, DEVSIM_VPCI_BAR,
					  VIRTIO_PCI_COMMON_GFSELECT, 4, 1), 0);
	assert_int_equal(devsim_bar_write(dev, DEVSIM_VPCI_BAR,
					  VIRTIO_PCI_COMMON_GF, 4, 1), 0);
	status_write(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		     VIRTIO_CONFIG_S_FEATURES_OK);
	status_write(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		     VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	assert_int_equal(fake_backend_count(&fb, FAKE_SET_MEM_TABLE), 1);
	fake_backend_clear(&fb);
	assert_int_equal(devsim_mem_set(dev, in, 2), 0);
	assert_int_equal(fb.ncalls, 1);
	assert_int_equal(fb.calls[0].op, FAKE_SET_MEM_TABLE);
	assert_int_equal(fb.calls[0].nregions, 1);
	assert_int_equal(fb.calls[0].regions[0].size, 2 * PG);

	devsim_unplug(dev);
	devsim_bus_destroy(bus);
	close(fd);
	assert_int_equal(tu_fd_count(), fds);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_contiguous),
		cmocka_unit_test(test_no_merge),
		cmocka_unit_test(test_invalid_regions),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_dev_mem_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
