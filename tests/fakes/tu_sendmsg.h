/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef TU_SENDMSG_H
#define TU_SENDMSG_H

/*
 * One sendmsg() with file descriptors attached (SCM_RIGHTS), for the test
 * peers that write raw vhost-user bytes the codec would not build:
 * malformed replies (tests/apps/vu_hostile), messages split across
 * writes (test_vu_conn), fuzzed segments (fuzz_vu_msg).
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

/** Most fds one tu_sendmsg_fds() call attaches. */
#define TU_SEND_FDS_MAX 16

/**
 * Send @len bytes of @buf in one sendmsg() on @sock with @flags, and
 * @nfds (0..TU_SEND_FDS_MAX) fds of @fds attached.  EINTR is retried.
 * Return: sendmsg()'s result; -1 with errno EINVAL for too many fds.
 */
static inline ssize_t
tu_sendmsg_fds(int sock, const void *buf, size_t len, const int *fds,
	       unsigned int nfds, int flags)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * TU_SEND_FDS_MAX)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (nfds > TU_SEND_FDS_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (nfds > 0) {
		struct cmsghdr *cm;

		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	do {
		n = sendmsg(sock, &mh, flags);
	} while (n < 0 && errno == EINTR);
	return n;
}

#endif /* TU_SENDMSG_H */
