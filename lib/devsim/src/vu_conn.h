/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef DEVSIM_VU_CONN_H
#define DEVSIM_VU_CONN_H

/*
 * vhost-user connection: one AF_UNIX SOCK_STREAM socket, whole messages in
 * and out, file descriptors passed with SCM_RIGHTS.  It owns bytes and fds,
 * never meaning: which reply belongs to which request is vu_frontend's job.
 *
 * Recipe:
 *   struct devsim_vu_conn c;
 *   ret = devsim_vu_conn_connect(&c, "/run/vhost.sock", 1000, log);
 *   ret = devsim_vu_conn_send(&c, &req);         // req.fds stay the caller's
 *   ret = devsim_vu_conn_recv(&c, &reply);       // reply.fds now the caller's
 *   ...
 *   devsim_vu_conn_close(&c);
 *
 * Errors: -ENOTCONN when the peer is gone (EOF, EPIPE, ECONNRESET),
 * -EPROTO when it sent something that is not a valid message,
 * -ETIMEDOUT when it did not answer within timeout_ms; see
 * devsim_vu_err_class().  After any error from send/recv the byte stream
 * may be out of step: the caller should stop using the connection.
 * Not thread safe: one caller at a time.
 */

#include "log.h"
#include "vu_msg.h"

/*
 * Default bound on one send or receive.  A vhost backend answers in
 * microseconds; SET_MEM_TABLE (it maps the memory) on a heavily loaded
 * host took seconds in our tests, so the bound is generous: it exists to
 * catch a backend that will never answer, not a slow one.
 */
#define DEVSIM_VU_CONN_TIMEOUT_MS 10000

struct devsim_vu_conn {
	int fd;          /**< socket, owned; -1 when closed */
	int timeout_ms;  /**< bound per send/recv; < 0 waits forever */
	const struct devsim_log *log; /**< owned by the caller; may be NULL */
};

/** How the caller should react to an error. */
enum devsim_vu_err_class {
	DEVSIM_VU_ERR_NONE = 0,  /**< 0: not an error */
	DEVSIM_VU_ERR_RETRY,     /**< try again later (backend not up yet) */
	DEVSIM_VU_ERR_BROKEN,    /**< connection lost or out of step: reconnect */
	DEVSIM_VU_ERR_PROTO,     /**< peer broke the protocol: fatal */
	DEVSIM_VU_ERR_OTHER,     /**< local or configuration error */
};

/** Classify a negative errno returned by this module. */
enum devsim_vu_err_class devsim_vu_err_class(int err);

/**
 * Connect to the unix socket at @path, retrying ENOENT and ECONNREFUSED
 * (backend not listening yet) for up to @retry_ms; 0 makes one attempt.
 * On success @c owns the socket and uses DEVSIM_VU_CONN_TIMEOUT_MS.
 *
 * @return 0; -ENOENT (no such socket), -ECONNREFUSED (nobody listening),
 * -ENOTSOCK (path is not a socket), -EACCES, -ENAMETOOLONG, or another
 * negative errno.  Failures are logged with the path and the reason.
 */
int devsim_vu_conn_connect(struct devsim_vu_conn *c, const char *path,
			   unsigned int retry_ms, const struct devsim_log *log);

/** Make @c own the already connected socket @fd (default timeout). */
void devsim_vu_conn_attach(struct devsim_vu_conn *c, int fd,
			   const struct devsim_log *log);

/**
 * Encode and send @m whole, with m->fds in SCM_RIGHTS.  Short writes,
 * EINTR and EAGAIN are retried until timeout_ms.  SIGPIPE is never raised.
 * The fds stay owned by the caller.
 * @return 0, -ENOTCONN, -ETIMEDOUT, -EINVAL (@m is not a valid message).
 */
int devsim_vu_conn_send(struct devsim_vu_conn *c, const struct devsim_vu_msg *m);

/**
 * Receive exactly one message into @m: the header first, validated, then
 * exactly hdr.size payload bytes, so a read never crosses into the next
 * message.  The message is validated as a whole (payload and fd rules).
 * @return 0 with m->fds[0..nfds) owned by the caller; otherwise every fd
 * that arrived has been closed and -ENOTCONN, -ETIMEDOUT or -EPROTO is
 * returned.
 */
int devsim_vu_conn_recv(struct devsim_vu_conn *c, struct devsim_vu_msg *m);

/**
 * Called when the socket is readable while no request is in flight.
 * @return 0 for a spurious wake-up, -ENOTCONN when the peer closed,
 * -EPROTO when it sent unsolicited data (left unread).
 */
int devsim_vu_conn_check_idle(struct devsim_vu_conn *c);

/** Close every fd in m->fds[0..nfds) and set nfds to 0. */
void devsim_vu_msg_close_fds(struct devsim_vu_msg *m);

/** Close the socket (idempotent). */
void devsim_vu_conn_close(struct devsim_vu_conn *c);

#endif /* DEVSIM_VU_CONN_H */
