/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * vc_mp_rep_take(): a secondary process checks the primary's reply before
 * it keeps one fd; on any error it closes every fd the reply brought.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vc_mp_msg.h"

#define NVQ 8

struct fx {
	int kick[NVQ], call[NVQ];
	int fds[VC_MP_FDS_MAX];
	int nfds;
	struct vc_mp_rep rep;
};

static bool
fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* A reply of @count entries from @vq0 on (step @step), with new fds. */
static void
mk(struct fx *f, uint16_t vq0, uint16_t step, uint16_t count, uint16_t more)
{
	uint16_t i;

	memset(&f->rep, 0, sizeof(f->rep));
	f->rep.count = count;
	f->rep.more = more;
	f->nfds = 2 * count;
	for (i = 0; i < count; i++)
		f->rep.vq[i] = vq0 + i * step;
	for (i = 0; i < f->nfds; i++) {
		f->fds[i] = eventfd(0, EFD_CLOEXEC);
		assert_true(f->fds[i] >= 0);
	}
}

static int
take(struct fx *f, uint16_t first, uint16_t *next)
{
	return vc_mp_rep_take(&f->rep, sizeof(f->rep), f->fds, f->nfds, first,
			      f->kick, f->call, NVQ, next);
}

static void
assert_all_closed(const struct fx *f)
{
	int i;

	for (i = 0; i < f->nfds; i++)
		assert_false(fd_open(f->fds[i]));
}

static void
assert_tables_empty(const struct fx *f)
{
	int i;

	for (i = 0; i < NVQ; i++) {
		assert_int_equal(f->kick[i], -1);
		assert_int_equal(f->call[i], -1);
	}
}

static int
setup(void **state)
{
	static struct fx f;
	int i;

	memset(&f, 0, sizeof(f));
	for (i = 0; i < NVQ; i++)
		f.kick[i] = f.call[i] = -1;
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	int i;

	for (i = 0; i < NVQ; i++) {
		if (f->kick[i] >= 0)
			close(f->kick[i]);
		if (f->call[i] >= 0)
			close(f->call[i]);
	}
	return 0;
}

/* Two pages: 4 then 4 virtqueues, the fds land where they belong. */
static void
test_two_pages(void **state)
{
	struct fx *f = *state;
	uint16_t next = 0;
	int i, first_page[VC_MP_FDS_MAX];

	mk(f, 0, 1, 4, 1);
	memcpy(first_page, f->fds, sizeof(first_page));
	assert_int_equal(take(f, 0, &next), 0);
	assert_int_equal(next, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(f->kick[i], first_page[2 * i]);
		assert_int_equal(f->call[i], first_page[2 * i + 1]);
	}
	mk(f, 4, 1, 4, 0);
	assert_int_equal(take(f, next, &next), 0);
	assert_int_equal(next, NVQ);
	for (i = 0; i < 4; i++) {
		assert_int_equal(f->kick[4 + i], f->fds[2 * i]);
		assert_true(fd_open(f->kick[4 + i]) && fd_open(f->call[4 + i]));
	}
}

/* Gaps (queues not started) are fine; the next page starts after them. */
static void
test_sparse(void **state)
{
	struct fx *f = *state;
	uint16_t next = 0;

	mk(f, 1, 2, 2, 1);	/* vq 1 and 3 */
	assert_int_equal(take(f, 0, &next), 0);
	assert_int_equal(next, 4);
	assert_int_equal(f->kick[0], -1);
	assert_true(f->kick[1] >= 0 && f->kick[3] >= 0);
	/* An empty last page ends it. */
	mk(f, 0, 0, 0, 0);
	assert_int_equal(take(f, next, &next), 0);
	assert_int_equal(next, NVQ);
}

/* The primary's error: passed on, fds (if any) closed, nothing kept. */
static void
test_primary_error(void **state)
{
	struct fx *f = *state;
	uint16_t next = 7;

	mk(f, 0, 1, 1, 0);
	f->rep.result = -EAGAIN;
	assert_int_equal(take(f, 0, &next), -EAGAIN);
	assert_int_equal(next, 7);
	assert_all_closed(f);
	assert_tables_empty(f);
	mk(f, 0, 1, 0, 0);
	f->rep.result = INT32_MIN;	/* not an errno */
	assert_int_equal(take(f, 0, &next), -EPROTO);
	mk(f, 0, 1, 1, 0);
	f->rep.result = 5;		/* positive: malformed */
	assert_int_equal(take(f, 0, &next), -EPROTO);
	assert_all_closed(f);
}

/* Malformed replies: -EPROTO, every fd closed, tables untouched. */
static void
test_malformed(void **state)
{
	struct fx *f = *state;
	uint16_t next;

	/* Fewer fds than entries need. */
	mk(f, 0, 1, 2, 0);
	f->nfds = 3;
	assert_int_equal(take(f, 0, &next), -EPROTO);
	assert_false(fd_open(f->fds[0]) || fd_open(f->fds[2]));
	close(f->fds[3]);
	/* Too many entries. */
	mk(f, 0, 1, 4, 0);
	f->rep.count = 5;
	assert_int_equal(take(f, 0, &next), -EPROTO);
	assert_all_closed(f);
	/* Descending, repeated, before @first, out of range. */
	mk(f, 2, 1, 2, 0);
	f->rep.vq[1] = 1;
	assert_int_equal(take(f, 0, &next), -EPROTO);
	assert_all_closed(f);
	mk(f, 2, 0, 2, 0);
	assert_int_equal(take(f, 0, &next), -EPROTO);
	assert_all_closed(f);
	mk(f, 2, 1, 1, 0);
	assert_int_equal(take(f, 3, &next), -EPROTO);
	assert_all_closed(f);
	mk(f, NVQ, 1, 1, 0);
	assert_int_equal(take(f, 0, &next), -EPROTO);
	assert_all_closed(f);
	/* "More" with nothing in it would never end. */
	mk(f, 0, 1, 0, 1);
	assert_int_equal(take(f, 0, &next), -EPROTO);
	/* Wrong payload size; too many fds. */
	mk(f, 0, 1, 1, 0);
	assert_int_equal(vc_mp_rep_take(&f->rep, sizeof(f->rep) - 1, f->fds,
					f->nfds, 0, f->kick, f->call, NVQ, &next),
			 -EPROTO);
	assert_all_closed(f);
	mk(f, 0, 1, 4, 0);
	assert_int_equal(vc_mp_rep_take(&f->rep, sizeof(f->rep), f->fds,
					VC_MP_FDS_MAX + 1, 0, f->kick, f->call,
					NVQ, &next), -EPROTO);
	assert_all_closed(f);
	assert_tables_empty(f);
}

/* A virtqueue already held (a second reply for it) is refused. */
static void
test_already_held(void **state)
{
	struct fx *f = *state;
	uint16_t next;
	int held;

	mk(f, 0, 1, 1, 0);
	assert_int_equal(take(f, 0, &next), 0);
	held = f->kick[0];
	mk(f, 0, 1, 1, 0);
	assert_int_equal(take(f, 0, &next), -EPROTO);
	assert_all_closed(f);
	assert_int_equal(f->kick[0], held);
	assert_true(fd_open(held));
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_two_pages),
		T(test_sparse),
		T(test_primary_error),
		T(test_malformed),
		T(test_already_held),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
