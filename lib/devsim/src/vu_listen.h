/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef DEVSIM_VU_LISTEN_H
#define DEVSIM_VU_LISTEN_H

/*
 * Server mode (the backend runs net_vhost ...,client=1): devsim listens on
 * the socket path and accepts one backend at a time.
 *
 * Recipe:
 *   int lfd;
 *   ret = devsim_vu_listen(path, log, &lfd);    // creates the socket file
 *   ... lfd readable ...
 *   ret = devsim_vu_accept(lfd, &fd);           // -EAGAIN: nobody yet
 *   devsim_vu_conn_attach(&conn, fd, log);
 *   ...
 *   devsim_vu_unlisten(lfd, path);              // closes, removes the file
 */

#include "log.h"

/**
 * Create a listening unix socket (non-blocking, close-on-exec) at @path.
 * A socket file left behind by a dead process is removed first, but only
 * when nothing accepts connections on it.
 * @return 0 with *fd owned by the caller; -EADDRINUSE when another
 * process listens there, -EEXIST when @path is something other than a
 * socket, -EACCES, -ENOENT (directory missing), -ENAMETOOLONG, or another
 * negative errno.  Failures are logged with the path.
 */
int devsim_vu_listen(const char *path, const struct devsim_log *log, int *fd);

/**
 * Accept one pending connection on @lfd (never blocks).
 * @return 0 with *fd (blocking, close-on-exec) owned by the caller;
 * -EAGAIN when no connection is pending; another negative errno.
 */
int devsim_vu_accept(int lfd, int *fd);

/** Close @lfd (if >= 0) and remove the socket file @path. */
void devsim_vu_unlisten(int lfd, const char *path);

#endif /* DEVSIM_VU_LISTEN_H */
