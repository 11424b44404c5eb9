/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vu_conn.h"

/* Pause between two connect attempts while the backend is not up. */
#define CONNECT_RETRY_STEP_MS 50

/* Ancillary buffer for the most fds one message may carry. */
union fd_ctl {
	char buf[CMSG_SPACE(sizeof(int) * DEVSIM_VU_FDS_MAX)];
	struct cmsghdr align;
};

/* Fds collected over the recvmsg() calls of one message. */
struct fd_bag {
	int fds[DEVSIM_VU_FDS_MAX];
	unsigned int n;
	bool overflow;   /* more arrived than fit: the extra ones are closed */
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Deadline for one operation; INT64_MAX when the timeout is infinite. */
static int64_t
deadline_of(int timeout_ms)
{
	return timeout_ms < 0 ? INT64_MAX : now_ms() + timeout_ms;
}

static void
fd_bag_close(struct fd_bag *b)
{
	unsigned int i;

	for (i = 0; i < b->n; i++)
		close(b->fds[i]);
	b->n = 0;
}

/* Map errno of a socket call to this module's codes. */
static int
sock_err(int err)
{
	if (err == EPIPE || err == ECONNRESET || err == ENOTCONN)
		return -ENOTCONN;
	return -err;
}

/* Wait until @fd has @events or the deadline passes. */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int64_t left;
	int ret;

	for (;;) {
		if (deadline == INT64_MAX) {
			left = -1;
		} else {
			left = deadline - now_ms();
			if (left < 0)
				left = 0;
		}
		ret = poll(&pfd, 1, (int)(left > INT32_MAX ? INT32_MAX : left));
		if (ret > 0)
			return 0; /* readable, writable, HUP or ERR: the call says */
		if (ret == 0) {
			if (left == 0)
				return -ETIMEDOUT;
			continue;
		}
		if (errno != EINTR)
			return -errno;
	}
}

enum devsim_vu_err_class
devsim_vu_err_class(int err)
{
	switch (err) {
	case 0:
		return DEVSIM_VU_ERR_NONE;
	case -EAGAIN:
	case -EINTR:
	case -ENOENT:
	case -ECONNREFUSED:
		return DEVSIM_VU_ERR_RETRY;
	case -ENOTCONN:
	case -EPIPE:
	case -ECONNRESET:
	case -ETIMEDOUT: /* a late reply would be taken for the next one */
		return DEVSIM_VU_ERR_BROKEN;
	case -EPROTO:
		return DEVSIM_VU_ERR_PROTO;
	default:
		return DEVSIM_VU_ERR_OTHER;
	}
}

/* ---- Connect ---------------------------------------------------------- */

static const char *
connect_reason(int err, char *buf, size_t len)
{
	switch (err) {
	case ENOENT:
		return "no such socket (is the vhost-user backend running?)";
	case ECONNREFUSED:
		return "connection refused (nobody listens on the socket)";
	case ENOTSOCK:
		return "not a unix socket";
	case EACCES:
		return "permission denied";
	default:
		return strerror_r(err, buf, len);
	}
}

/*
 * Linux reports ECONNREFUSED for a path that exists but is no socket;
 * tell that apart, since waiting will not fix it.
 */
static bool
path_is_not_socket(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && !S_ISSOCK(st.st_mode);
}

int
devsim_vu_conn_connect(struct devsim_vu_conn *c, const char *path,
		       unsigned int retry_ms, const struct devsim_log *log)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int64_t deadline = now_ms() + retry_ms;
	unsigned int attempts = 0;
	char ebuf[64];
	int64_t left;
	int fd, err;

	c->fd = -1;
	c->timeout_ms = DEVSIM_VU_CONN_TIMEOUT_MS;
	c->log = log;
	if (path == NULL || path[0] == '\0') {
		DEVSIM_LOG(log, ERR, "no vhost-user socket path given");
		return -EINVAL;
	}
	if (strlen(path) >= sizeof(sun.sun_path)) {
		DEVSIM_LOG(log, ERR, "socket path %s: longer than %zu bytes",
			   path, sizeof(sun.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);

	for (;;) {
		attempts++;
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			err = errno;
			goto err_log;
		}
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			break;
		err = errno;
		close(fd);
		if (err == ECONNREFUSED && path_is_not_socket(path))
			err = ENOTSOCK;
		if (err != ENOENT && err != ECONNREFUSED && err != EINTR &&
		    err != EAGAIN)
			goto err_log;
		left = deadline - now_ms();
		if (left <= 0)
			goto err_log;
		if (left > CONNECT_RETRY_STEP_MS)
			left = CONNECT_RETRY_STEP_MS;
		nanosleep(&(struct timespec){ .tv_sec = 0,
					      .tv_nsec = left * 1000000 }, NULL);
	}
	c->fd = fd;
	return 0;

err_log:
	DEVSIM_LOG(log, ERR, "connect to %s failed after %u attempt(s): %s",
		   path, attempts, connect_reason(err, ebuf, sizeof(ebuf)));
	return -err;
}

void
devsim_vu_conn_attach(struct devsim_vu_conn *c, int fd,
		      const struct devsim_log *log)
{
	c->fd = fd;
	c->timeout_ms = DEVSIM_VU_CONN_TIMEOUT_MS;
	c->log = log;
}

void
devsim_vu_conn_close(struct devsim_vu_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

void
devsim_vu_msg_close_fds(struct devsim_vu_msg *m)
{
	unsigned int i;

	for (i = 0; i < m->nfds && i < DEVSIM_VU_FDS_MAX; i++)
		if (m->fds[i] >= 0)
			close(m->fds[i]);
	m->nfds = 0;
}

/* ---- Send ------------------------------------------------------------- */

int
devsim_vu_conn_send(struct devsim_vu_conn *c, const struct devsim_vu_msg *m)
{
	uint8_t buf[DEVSIM_VU_MSG_MAX];
	int64_t deadline = deadline_of(c->timeout_ms);
	union fd_ctl ctl;
	size_t off = 0, total;
	bool fds_sent = false;
	ssize_t n;
	int ret;

	if (c->fd < 0)
		return -ENOTCONN;
	ret = devsim_vu_msg_encode(m, buf, sizeof(buf));
	if (ret < 0) {
		DEVSIM_LOG(c->log, ERR, "%s: refusing to send an invalid message",
			   devsim_vu_req_name(m->hdr.request));
		return -EINVAL;
	}
	total = (size_t)ret;

	while (off < total) {
		struct iovec iov = { .iov_base = buf + off, .iov_len = total - off };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

		/* The fds ride on the first chunk only. */
		if (!fds_sent && m->nfds > 0) {
			struct cmsghdr *cm;

			memset(&ctl, 0, sizeof(ctl));
			mh.msg_control = ctl.buf;
			mh.msg_controllen = CMSG_SPACE(sizeof(int) * m->nfds);
			cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int) * m->nfds);
			memcpy(CMSG_DATA(cm), m->fds, sizeof(int) * m->nfds);
		}
		n = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				ret = wait_fd(c->fd, POLLOUT, deadline);
				if (ret != 0)
					goto err_log;
				continue;
			}
			ret = sock_err(errno);
			goto err_log;
		}
		fds_sent = true;
		off += (size_t)n;
	}
	return 0;

err_log:
	DEVSIM_LOG(c->log, ERR, "%s: send failed after %zu of %zu bytes: %s",
		   devsim_vu_req_name(m->hdr.request), off, total,
		   ret == -ENOTCONN ? "backend closed the connection" :
		   ret == -ETIMEDOUT ? "backend does not read" : "socket error");
	return ret;
}

/* ---- Receive ---------------------------------------------------------- */

/* Move the SCM_RIGHTS fds of @mh into @bag, closing what does not fit. */
static void
collect_fds(struct msghdr *mh, struct fd_bag *bag)
{
	struct cmsghdr *cm;

	if (mh->msg_flags & MSG_CTRUNC)
		bag->overflow = true; /* the kernel dropped the rest */
	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		size_t i, cnt;
		int fd;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		cnt = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < cnt; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
			if (bag->n < DEVSIM_VU_FDS_MAX) {
				bag->fds[bag->n++] = fd;
			} else {
				close(fd);
				bag->overflow = true;
			}
		}
	}
}

/* Read exactly @len bytes, never more, gathering fds on the way. */
static int
read_exact(struct devsim_vu_conn *c, uint8_t *buf, size_t len,
	   struct fd_bag *bag, int64_t deadline)
{
	size_t got = 0;
	union fd_ctl ctl;
	ssize_t n;
	int ret;

	while (got < len) {
		struct iovec iov = { .iov_base = buf + got, .iov_len = len - got };
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
		};

		n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				ret = wait_fd(c->fd, POLLIN, deadline);
				if (ret != 0)
					return ret;
				continue;
			}
			return sock_err(errno);
		}
		collect_fds(&mh, bag);
		if (n == 0)
			return -ENOTCONN;
		got += (size_t)n;
	}
	return 0;
}

static const char *
recv_reason(int err)
{
	switch (err) {
	case -ENOTCONN:
		return "backend closed the connection";
	case -ETIMEDOUT:
		return "backend did not answer in time";
	default:
		return "socket error";
	}
}

int
devsim_vu_conn_recv(struct devsim_vu_conn *c, struct devsim_vu_msg *m)
{
	uint8_t buf[DEVSIM_VU_MSG_MAX];
	int64_t deadline = deadline_of(c->timeout_ms);
	struct devsim_vu_hdr hdr;
	struct fd_bag bag = { .n = 0 };
	const char *why = NULL;
	int ret;

	m->nfds = 0;
	if (c->fd < 0)
		return -ENOTCONN;

	ret = read_exact(c, buf, DEVSIM_VU_HDR_SIZE, &bag, deadline);
	if (ret != 0) {
		DEVSIM_LOG(c->log, ERR, "receiving a header: %s (%d)",
			   recv_reason(ret), ret);
		goto err_close_fds;
	}
	/* Validating first bounds hdr.size by what the request may carry. */
	ret = devsim_vu_hdr_decode(buf, &hdr, &why);
	if (ret != 0) {
		DEVSIM_LOG(c->log, ERR,
			   "bad header (request %u flags 0x%x size %u): %s",
			   hdr.request, hdr.flags, hdr.size, why);
		goto err_close_fds;
	}
	ret = read_exact(c, buf + DEVSIM_VU_HDR_SIZE, hdr.size, &bag, deadline);
	if (ret != 0) {
		DEVSIM_LOG(c->log, ERR, "%s: receiving %u payload bytes: %s (%d)",
			   devsim_vu_req_name(hdr.request), hdr.size,
			   recv_reason(ret), ret);
		goto err_close_fds;
	}
	if (bag.overflow) {
		DEVSIM_LOG(c->log, ERR, "%s: more than %u file descriptors",
			   devsim_vu_req_name(hdr.request), DEVSIM_VU_FDS_MAX);
		ret = -EPROTO;
		goto err_close_fds;
	}
	ret = devsim_vu_msg_decode(buf, DEVSIM_VU_HDR_SIZE + hdr.size,
				   bag.fds, bag.n, m, &why);
	if (ret != 0) {
		DEVSIM_LOG(c->log, ERR, "%s: invalid message with %u fd(s): %s",
			   devsim_vu_req_name(hdr.request), bag.n, why);
		m->nfds = 0;
		goto err_close_fds;
	}
	return 0;

err_close_fds:
	fd_bag_close(&bag);
	return ret;
}

int
devsim_vu_conn_check_idle(struct devsim_vu_conn *c)
{
	uint8_t b;
	ssize_t n;

	if (c->fd < 0)
		return -ENOTCONN;
	do {
		n = recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n > 0)
		return -EPROTO;
	if (n == 0)
		return -ENOTCONN;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	return sock_err(errno);
}
