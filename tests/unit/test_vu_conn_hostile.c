/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * vhost-user connection and frontend against a fake backend that
 * misbehaves: a peer that closes, lies, nacks or stays silent, and
 * connecting to paths that are not (yet) a listening socket.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vu_conn_test_util.h"

/* ---- Peer failures ------------------------------------------------------ */

static void
test_peer_close(void **state)
{
	struct fake_vhost_cfg cfg = full_cfg();
	struct devsim_backend_info info;
	struct devsim_backend *be;
	struct fake_vhost *f;
	unsigned int before;

	(void)state;
	before = count_fds();
	/* During the handshake. */
	cfg.fault_request = DEVSIM_VU_REQ_GET_FEATURES;
	cfg.fault = FAKE_VHOST_CLOSE;
	f = open_fake(&cfg, &be, &info, -ENOTCONN);
	fake_vhost_free(f);

	/* Later: the socket becomes readable with EOF. */
	cfg = full_cfg();
	f = open_fake(&cfg, &be, &info, 0);
	assert_int_equal(ops->handle_event(be), 0); /* nothing there yet */
	fake_vhost_stop(f);  /* shuts its end down */
	assert_int_equal(ops->handle_event(be), -ENOTCONN);
	/* latched: no I/O attempted */
	assert_int_equal(ops->set_status(be, 1), -ENOTCONN);
	ops->close(be);
	fake_vhost_free(f);

	/* In the middle of a request: send fails with EPIPE -> -ENOTCONN. */
	f = open_fake(&cfg, &be, &info, 0);
	fake_vhost_stop(f);
	assert_int_equal(ops->set_features(be, F_VERSION_1), -ENOTCONN);
	ops->close(be);
	fake_vhost_free(f);
	assert_int_equal(count_fds(), before);
}

static void
test_bad_replies(void **state)
{
	static const enum fake_vhost_fault faults[] = {
		FAKE_VHOST_WRONG_REQUEST, FAKE_VHOST_NO_REPLY_FLAG,
		FAKE_VHOST_WRONG_SIZE, FAKE_VHOST_EXTRA_FD,
	};
	static const uint32_t on[] = {
		DEVSIM_VU_REQ_GET_FEATURES, DEVSIM_VU_REQ_GET_QUEUE_NUM,
		DEVSIM_VU_REQ_SET_FEATURES, DEVSIM_VU_REQ_GET_VRING_BASE,
	};
	struct devsim_backend_info info;
	struct devsim_backend *be;
	struct fake_vhost *f;
	unsigned int i, j, before, errs;
	uint32_t base;

	(void)state;
	before = count_fds();
	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		for (j = 0; j < sizeof(on) / sizeof(on[0]); j++) {
			struct fake_vhost_cfg cfg = full_cfg();
			bool in_open = on[j] == DEVSIM_VU_REQ_GET_FEATURES ||
				       on[j] == DEVSIM_VU_REQ_GET_QUEUE_NUM;
			int ret;

			cfg.fault = faults[i];
			cfg.fault_request = on[j];
			errs = log_errs;
			f = open_fake(&cfg, &be, &info, in_open ? -EPROTO : 0);
			if (!in_open) {
				if (on[j] == DEVSIM_VU_REQ_SET_FEATURES)
					ret = ops->set_features(be, F_VERSION_1);
				else
					ret = ops->vring_stop(be, 0, &base);
				assert_int_equal(ret, -EPROTO);
				/* the stream is out of step: latched */
				assert_int_equal(ops->set_status(be, 1),
						 -ENOTCONN);
				ops->close(be);
			}
			assert_true(log_errs > errs);
			fake_vhost_free(f);
		}
	}
	assert_int_equal(count_fds(), before);
}

static void
test_nack(void **state)
{
	struct fake_vhost_cfg cfg = full_cfg();
	struct devsim_vring_cfg vc = { .num = 256, .desc = 0x1000,
				       .avail = 0x2000, .used = 0x3000,
				       .kick_fd = -1, .call_fd = -1 };
	struct devsim_backend_info info;
	struct devsim_backend *be;
	struct fake_vhost *f;
	unsigned int errs;

	(void)state;
	cfg.fault = FAKE_VHOST_NACK;
	cfg.fault_request = DEVSIM_VU_REQ_SET_VRING_ADDR;
	f = open_fake(&cfg, &be, &info, 0);
	errs = log_errs;
	assert_int_equal(ops->vring_start(be, 0, &vc), -EIO);
	assert_true(log_errs > errs);
	/* A nack is not a broken stream: the next request goes through. */
	assert_int_equal(ops->set_status(be, 3), 0);
	ops->close(be);
	fake_vhost_stop(f);
	/* NUM, BASE, ADDR (nacked), then SET_STATUS: nothing after ADDR */
	assert_int_equal(fake_vhost_count(f), 5 + 4);
	assert_int_equal(rec(f, 7)->request, DEVSIM_VU_REQ_SET_VRING_ADDR);
	assert_int_equal(rec(f, 8)->request, DEVSIM_VU_REQ_SET_STATUS);
	assert_int_equal(fake_vhost_status(f), 3);
	fake_vhost_free(f);
}

static void
test_silent_peer_times_out(void **state)
{
	struct fake_vhost_cfg cfg = full_cfg();
	struct devsim_backend_info info;
	struct devsim_backend *be;
	struct fake_vhost *f;
	uint32_t base;

	(void)state;
	cfg.fault = FAKE_VHOST_SILENT;
	cfg.fault_request = DEVSIM_VU_REQ_GET_VRING_BASE;
	f = open_fake(&cfg, &be, &info, 0);
	devsim_vu_set_timeout(be, 200);
	assert_int_equal(ops->vring_stop(be, 0, &base), -ETIMEDOUT);
	assert_int_equal(devsim_vu_err_class(-ETIMEDOUT), DEVSIM_VU_ERR_BROKEN);
	assert_int_equal(ops->set_status(be, 1), -ENOTCONN);
	ops->close(be);
	fake_vhost_free(f);
}

static void
test_unsolicited_message(void **state)
{
	struct fake_vhost_cfg cfg = full_cfg();
	struct devsim_backend_info info;
	struct devsim_backend *be;
	struct fake_vhost *f;
	uint8_t buf[DEVSIM_VU_MSG_MAX];
	struct devsim_vu_msg m;
	int n;

	(void)state;
	f = open_fake(&cfg, &be, &info, 0);
	assert_int_equal(ops->handle_event(be), 0);
	devsim_vu_msg_u64(&m, DEVSIM_VU_REQ_GET_FEATURES, 0);
	m.hdr.flags |= DEVSIM_VU_FLAG_REPLY;
	n = devsim_vu_msg_encode(&m, buf, sizeof(buf));
	assert_int_equal(fake_vhost_inject(f, buf, (size_t)n), 0);
	assert_int_equal(ops->handle_event(be), -EPROTO);
	assert_int_equal(ops->set_status(be, 1), -ENOTCONN);
	ops->close(be);
	fake_vhost_free(f);
}

/* ---- Connect ------------------------------------------------------------ */

static char tmpdir[64];

static int
make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vu_conn_XXXXXX");
	return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int
remove_tmpdir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
bind_unix(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(s >= 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(bind(s, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return s;
}

static void
test_connect_errors(void **state)
{
	struct devsim_vu_conn c;
	char path[128], longpath[200];
	unsigned int before, errs;
	int64_t t0;
	int fd, s;

	(void)state;
	before = count_fds();
	snprintf(path, sizeof(path), "%s/missing.sock", tmpdir);
	errs = log_errs;
	assert_int_equal(devsim_vu_conn_connect(&c, path, 0, &tlog), -ENOENT);
	assert_true(log_errs > errs);
	assert_int_equal(c.fd, -1);
	assert_int_equal(devsim_vu_err_class(-ENOENT), DEVSIM_VU_ERR_RETRY);

	/* Bounded retry: gives up, and not before the bound. */
	t0 = mono_ms();
	assert_int_equal(devsim_vu_conn_connect(&c, path, 150, &tlog), -ENOENT);
	assert_true(mono_ms() - t0 >= 150);

	/* A regular file is not a socket: fail at once, even with retry. */
	snprintf(path, sizeof(path), "%s/file", tmpdir);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(devsim_vu_conn_connect(&c, path, 10000, &tlog),
			 -ENOTSOCK);

	/* Bound but not listening. */
	snprintf(path, sizeof(path), "%s/deaf.sock", tmpdir);
	s = bind_unix(path);
	assert_int_equal(devsim_vu_conn_connect(&c, path, 0, &tlog),
			 -ECONNREFUSED);
	close(s);

	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(devsim_vu_conn_connect(&c, longpath, 0, &tlog),
			 -ENAMETOOLONG);
	assert_int_equal(devsim_vu_conn_connect(&c, "", 0, &tlog), -EINVAL);
	assert_int_equal(count_fds(), before);
}

struct late_listener {
	int sock;
	const char *path;
	struct fake_vhost *fake;
};

/* Listen late, then serve the accepted connection with a fake. */
static void *
late_listen(void *arg)
{
	struct late_listener *l = arg;
	struct fake_vhost_cfg cfg = full_cfg();
	int c;

	usleep(100 * 1000);
	if (listen(l->sock, 1) != 0)
		return NULL;
	c = accept4(l->sock, NULL, NULL, SOCK_CLOEXEC);
	if (c >= 0)
		l->fake = fake_vhost_start_fd(&cfg, c);
	return NULL;
}

static void
test_open_by_path_with_retry(void **state)
{
	struct devsim_vu_params p = { .connect_timeout_ms = 10000,
				      .want_vrings = 16 };
	struct late_listener l = { 0 };
	struct devsim_backend_info info;
	struct devsim_backend *be;
	char path[128];
	pthread_t t;
	unsigned int errs;

	(void)state;
	snprintf(path, sizeof(path), "%s/late.sock", tmpdir);
	l.path = path;
	l.sock = bind_unix(path);  /* ECONNREFUSED until it listens */
	p.path = path;
	assert_int_equal(pthread_create(&t, NULL, late_listen, &l), 0);
	errs = log_errs;
	assert_int_equal(devsim_vu_open(&p, &tlog, &be, &info), 0);
	assert_int_equal(log_errs, errs);
	pthread_join(t, NULL);
	assert_non_null(l.fake);
	assert_int_equal(info.max_vrings, 8);
	ops->close(be);
	fake_vhost_stop(l.fake);
	assert_int_equal(rec(l.fake, 0)->request, DEVSIM_VU_REQ_SET_OWNER);
	fake_vhost_free(l.fake);
	close(l.sock);

	/* open on a missing path fails with the connect error */
	snprintf(path, sizeof(path), "%s/nothing.sock", tmpdir);
	p.connect_timeout_ms = 0;
	assert_int_equal(devsim_vu_open(&p, &tlog, &be, &info), -ENOENT);
}

static void
test_open_fd_owns_fd(void **state)
{
	struct devsim_backend_info info;
	struct devsim_backend *be;
	unsigned int before;
	int sv[2];

	(void)state;
	before = count_fds();
	/* Peer closed before the handshake: open_fd fails and closes fd. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
			 0);
	close(sv[1]);
	assert_int_equal(devsim_vu_open_fd(sv[0], &tlog, &be, &info),
			 -ENOTCONN);
	assert_int_equal(devsim_vu_open_fd(-1, &tlog, &be, &info), -EINVAL);
	assert_int_equal(count_fds(), before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_close),
		cmocka_unit_test(test_bad_replies),
		cmocka_unit_test(test_nack),
		cmocka_unit_test(test_silent_peer_times_out),
		cmocka_unit_test(test_unsolicited_message),
		cmocka_unit_test(test_connect_errors),
		cmocka_unit_test(test_open_by_path_with_retry),
		cmocka_unit_test(test_open_fd_owns_fd),
	};

	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
