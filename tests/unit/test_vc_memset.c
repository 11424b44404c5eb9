/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * The driver's region sets (vc_memset.c): merging per file, and the
 * comparison that decides whether a memory event re-sends the table.
 * memfds stand in for hugepage files.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vc_memset.h"

#define PG 0x200000ULL		/* a 2 MiB page */
#define BASE 0x100000000ULL	/* a memseg list's first page */

static int
mfd(void)
{
	int fd = memfd_create("vc_memset_test", MFD_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

/* One file per memseg list: pages at offset = index * PG, added in any
 * order and with holes, give one region from the first to the last. */
static void
test_one_file_per_list_merges(void **state)
{
	struct vc_memset s;
	int fd = mfd();

	(void)state;
	vc_memset_init(&s);
	assert_int_equal(vc_memset_add(&s, BASE + 3 * PG, PG, fd, 3 * PG), 0);
	assert_int_equal(vc_memset_add(&s, BASE + 1 * PG, PG, fd, 1 * PG), 0);
	assert_int_equal(vc_memset_add(&s, BASE + 7 * PG, PG, fd, 7 * PG), 0);
	vc_memset_sort(&s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.r[0].addr, BASE + PG);
	assert_int_equal(s.r[0].fd_offset, PG);
	assert_int_equal(s.r[0].size, 7 * PG);
	vc_memset_fini(&s);
	close(fd);
}

/* One file per page: every page is a region of its own, sorted. */
static void
test_file_per_page_does_not_merge(void **state)
{
	struct vc_memset s;
	int fds[3], i;

	(void)state;
	vc_memset_init(&s);
	for (i = 0; i < 3; i++) {
		fds[i] = mfd();
		assert_int_equal(vc_memset_add(&s, BASE + (2 - i) * PG, PG,
					       fds[i], 0), 0);
	}
	vc_memset_sort(&s);
	assert_int_equal(s.n, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(s.r[i].addr, BASE + i * PG);
		assert_int_equal(s.r[i].size, PG);
		close(fds[i]);
	}
	vc_memset_fini(&s);
}

/* Same file mapped twice at different distances: two mmaps, two regions;
 * a second fd of the same file merges like the first. */
static void
test_same_file_other_distance(void **state)
{
	struct vc_memset s;
	int fd = mfd(), fd2 = dup(fd);

	(void)state;
	vc_memset_init(&s);
	assert_int_equal(vc_memset_add(&s, BASE, PG, fd, 0), 0);
	assert_int_equal(vc_memset_add(&s, BASE + 4 * PG, PG, fd, 0), 0);
	assert_int_equal(vc_memset_add(&s, BASE + PG, PG, fd2, PG), 0);
	vc_memset_sort(&s);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.r[0].addr, BASE);
	assert_int_equal(s.r[0].size, 2 * PG);
	assert_int_equal(s.r[1].addr, BASE + 4 * PG);
	vc_memset_fini(&s);
	close(fd);
	close(fd2);
}

static void
build(struct vc_memset *s, int fd, uint64_t first, uint64_t last)
{
	uint64_t i;

	vc_memset_init(s);
	for (i = first; i <= last; i++)
		assert_int_equal(vc_memset_add(s, BASE + i * PG, PG, fd, i * PG), 0);
	vc_memset_sort(s);
}

/* What decides a re-send: a page inside the mapped span changes nothing,
 * a page past it does, and so does another file at the same addresses. */
static void
test_equal_decides_resend(void **state)
{
	struct vc_memset a, b;
	int fd = mfd(), fd_dup = dup(fd), other = mfd();

	(void)state;
	build(&a, fd, 0, 5);
	/* Same file through another fd number: the backend maps the same. */
	build(&b, fd_dup, 0, 5);
	assert_true(vc_memset_equal(&a, &b));
	vc_memset_fini(&b);

	/* Page 3 freed (a hole): the span, hence the table, is unchanged. */
	vc_memset_init(&b);
	assert_int_equal(vc_memset_add(&b, BASE + 5 * PG, PG, fd, 5 * PG), 0);
	assert_int_equal(vc_memset_add(&b, BASE, 3 * PG, fd, 0), 0);
	assert_int_equal(vc_memset_add(&b, BASE + 4 * PG, PG, fd, 4 * PG), 0);
	vc_memset_sort(&b);
	assert_true(vc_memset_equal(&a, &b));
	vc_memset_fini(&b);

	/* Grown past the span: changed. */
	build(&b, fd, 0, 6);
	assert_false(vc_memset_equal(&a, &b));
	vc_memset_fini(&b);

	/* Shrunk at the top (last pages freed): changed. */
	build(&b, fd, 0, 4);
	assert_false(vc_memset_equal(&a, &b));
	vc_memset_fini(&b);

	/* Same addresses, another file (a page freed and re-allocated in
	 * a file per page layout): changed. */
	build(&b, other, 0, 5);
	assert_false(vc_memset_equal(&a, &b));
	vc_memset_fini(&b);

	/* One more region: changed; empty sets are equal. */
	build(&b, fd, 0, 5);
	assert_int_equal(vc_memset_add(&b, BASE + 64 * PG, PG, other, 0), 0);
	vc_memset_sort(&b);
	assert_false(vc_memset_equal(&a, &b));
	vc_memset_fini(&b);
	vc_memset_fini(&a);
	assert_true(vc_memset_equal(&a, &b));

	close(fd);
	close(fd_dup);
	close(other);
}

/* The set the device has, replaced by a newer one. */
static void
test_move(void **state)
{
	struct vc_memset cur, s;
	int fd = mfd();

	(void)state;
	build(&cur, fd, 0, 1);
	build(&s, fd, 0, 3);
	vc_memset_move(&cur, &s);
	assert_int_equal(s.n, 0);
	assert_null(s.r);
	assert_int_equal(cur.n, 1);
	assert_int_equal(cur.r[0].size, 4 * PG);
	vc_memset_fini(&cur);
	close(fd);
}

/* Many regions: the array grows. */
static void
test_many_regions(void **state)
{
	struct vc_memset s;
	int fd = mfd();
	unsigned int i;

	(void)state;
	vc_memset_init(&s);
	/* Same file, a different distance each time: no merging. */
	for (i = 0; i < 100; i++)
		assert_int_equal(vc_memset_add(&s, BASE + 2 * i * PG, PG, fd, 0), 0);
	vc_memset_sort(&s);
	assert_int_equal(s.n, 100);
	assert_int_equal(s.r[99].addr, BASE + 198 * PG);
	vc_memset_fini(&s);
	close(fd);
}

static void
test_invalid(void **state)
{
	struct vc_memset s;
	int fd = mfd();

	(void)state;
	vc_memset_init(&s);
	assert_int_equal(vc_memset_add(&s, BASE, 0, fd, 0), -EINVAL);
	assert_int_equal(vc_memset_add(&s, UINT64_MAX - 10, PG, fd, 0), -EINVAL);
	assert_int_equal(vc_memset_add(&s, BASE, PG, fd, UINT64_MAX - 10), -EINVAL);
	assert_int_equal(vc_memset_add(&s, BASE, PG, -1, 0), -EINVAL);
	close(fd);
	/* A closed fd: fstat() refuses it (the cache must not hide that). */
	assert_int_equal(vc_memset_add(&s, BASE, PG, fd, 0), -EINVAL);
	assert_int_equal(s.n, 0);
	vc_memset_fini(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_file_per_list_merges),
		cmocka_unit_test(test_file_per_page_does_not_merge),
		cmocka_unit_test(test_same_file_other_distance),
		cmocka_unit_test(test_equal_decides_resend),
		cmocka_unit_test(test_move),
		cmocka_unit_test(test_many_regions),
		cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
