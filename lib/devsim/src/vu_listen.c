/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vu_listen.h"

static int
sun_fill(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (path == NULL || path[0] == '\0')
		return -EINVAL;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	memcpy(sun->sun_path, path, strlen(path) + 1);
	return 0;
}

/*
 * A socket file nobody accepts on is what a killed server leaves behind;
 * one somebody accepts on belongs to a live process and must stay.
 */
static int
stale_socket_remove(const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, rc;

	if (lstat(sun->sun_path, &st) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (rc == 0)
		return -EADDRINUSE;
	if (errno != ECONNREFUSED)
		return -errno;
	return unlink(sun->sun_path) == 0 ? 0 : -errno;
}

int
devsim_vu_listen(const char *path, const struct devsim_log *log, int *out)
{
	struct sockaddr_un sun;
	int fd, rc;

	*out = -1;
	rc = sun_fill(&sun, path);
	if (rc < 0) {
		DEVSIM_LOG(log, ERR, "socket path %s: %s", path ? path : "(none)",
			   strerror(-rc));
		return rc;
	}
	rc = stale_socket_remove(&sun);
	if (rc < 0) {
		DEVSIM_LOG(log, ERR, "cannot listen on %s: %s", path,
			   rc == -EADDRINUSE ? "another process listens there" :
			   rc == -EEXIST ? "the path exists and is not a socket" :
			   strerror(-rc));
		return rc;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		goto err_log;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		rc = -errno;
		goto err_close;
	}
	/* One backend at a time; a second one waits in the backlog. */
	if (listen(fd, 1) != 0) {
		rc = -errno;
		goto err_unlink;
	}
	*out = fd;
	return 0;

err_unlink:
	unlink(path);
err_close:
	close(fd);
err_log:
	DEVSIM_LOG(log, ERR, "cannot listen on %s: %s", path, strerror(-rc));
	return rc;
}

int
devsim_vu_accept(int lfd, int *out)
{
	int fd;

	*out = -1;
	do {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	*out = fd;
	return 0;
}

void
devsim_vu_unlisten(int lfd, const char *path)
{
	if (lfd < 0)
		return;
	close(lfd);
	if (path != NULL && path[0] != '\0')
		unlink(path);
}
