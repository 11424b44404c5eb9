/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef VU_CONN_TEST_UTIL_H
#define VU_CONN_TEST_UTIL_H

/*
 * Helpers shared by the vhost-user connection / frontend unit tests
 * (test_vu_conn*.c): feature bits, a log hook that counts errors, fd
 * counting for leak checks, the fake backend's usual configuration and
 * record accessors, and opening a frontend on a fresh fake.  Header only;
 * every test binary includes it once, after <cmocka.h> (the helpers fail
 * the running test on a broken expectation).
 */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fake_vhost_backend.h"
#include "vu_conn.h"
#include "vu_frontend.h"
#include "vu_msg.h"

#define BIT(n) (1ull << (n))
#define F_VERSION_1 BIT(32)
#define F_NET_MAC BIT(5)
#define F_NET_MRG BIT(15)
#define F_PROTO BIT(DEVSIM_VU_F_PROTOCOL_FEATURES)
#define F_LOG_ALL BIT(DEVSIM_VU_F_LOG_ALL)
#define PF_ALL (BIT(DEVSIM_VU_PF_MQ) | BIT(DEVSIM_VU_PF_LOG_SHMFD) | \
		BIT(DEVSIM_VU_PF_REPLY_ACK) | BIT(DEVSIM_VU_PF_BACKEND_REQ) | \
		BIT(DEVSIM_VU_PF_STATUS))
#define PF_USED (BIT(DEVSIM_VU_PF_MQ) | BIT(DEVSIM_VU_PF_REPLY_ACK) | \
		 BIT(DEVSIM_VU_PF_STATUS))

static const struct devsim_backend_ops *ops = &devsim_vu_backend_ops;

/* Count log lines so tests can check failures are reported. */
static unsigned int log_errs;

static inline void
test_log(void *opaque, enum devsim_log_level level, const char *msg)
{
	(void)opaque;
	if (level == DEVSIM_LOG_ERR)
		log_errs++;
	if (getenv("VU_TEST_VERBOSE") != NULL)
		fprintf(stderr, "[%d] %s\n", level, msg);
}

static const struct devsim_log tlog = { .fn = test_log, .opaque = NULL };

static inline unsigned int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;

	assert_non_null(d);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

static inline struct fake_vhost_cfg
full_cfg(void)
{
	return (struct fake_vhost_cfg){
		.features = F_VERSION_1 | F_NET_MAC | F_NET_MRG | F_PROTO |
			    F_LOG_ALL,
		.protocol_features = PF_ALL,
		.queue_num = 4,
		.vring_base = 0x8123,
	};
}

static inline const struct fake_vhost_rec *
rec(struct fake_vhost *f, unsigned int i)
{
	const struct fake_vhost_rec *r = fake_vhost_rec(f, i);

	assert_non_null(r);
	return r;
}

static inline uint64_t
rec_u64(const struct fake_vhost_rec *r)
{
	uint64_t v;

	assert_int_equal(r->size, 8);
	memcpy(&v, r->payload, 8);
	return v;
}

static inline void
rec_state(const struct fake_vhost_rec *r, uint32_t *index, uint32_t *num)
{
	assert_int_equal(r->size, 8);
	memcpy(index, r->payload, 4);
	memcpy(num, r->payload + 4, 4);
}

static inline void
assert_same_file(int fd, dev_t dev, ino_t ino)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	assert_true(st.st_dev == dev);
	assert_true(st.st_ino == ino);
}

/* Open a frontend on a fresh fake. */
static inline struct fake_vhost *
open_fake(const struct fake_vhost_cfg *cfg, struct devsim_backend **be,
	  struct devsim_backend_info *info, int expect)
{
	struct fake_vhost *f;
	int fd;

	f = fake_vhost_start(cfg, &fd);
	assert_non_null(f);
	assert_int_equal(devsim_vu_open_fd(fd, &tlog, be, info), expect);
	return f;
}

#endif /* VU_CONN_TEST_UTIL_H */
