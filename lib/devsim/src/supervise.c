/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "supervise.h"

enum sup_tag { SUP_SOCK = 1, SUP_TIMER, SUP_WAIT };

static int
ep_add(struct devsim_sup *s, int fd, enum sup_tag tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };

	return epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
}

/* The fd may already be closed: epoll forgot it then, nothing to do. */
static void
ep_del(struct devsim_sup *s, int *fd)
{
	if (*fd >= 0)
		epoll_ctl(s->epfd, EPOLL_CTL_DEL, *fd, NULL);
	*fd = -1;
}

static void
timer_arm(struct devsim_sup *s, unsigned int ms)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = ms / 1000,
			      .tv_nsec = (long)(ms % 1000) * 1000000 },
	};

	timerfd_settime(s->timerfd, 0, &its, NULL);
}

static void
timer_take(struct devsim_sup *s)
{
	uint64_t n;
	ssize_t rc;

	rc = read(s->timerfd, &n, sizeof(n));
	(void)rc;
}

/* Watch whatever tells that a backend may be there. */
static void
sup_wait(struct devsim_sup *s)
{
	int fd = s->ops->wait_fd != NULL ? s->ops->wait_fd(s->be) : -1;

	if (fd >= 0) {
		if (s->wait_fd < 0 && ep_add(s, fd, SUP_WAIT) == 0)
			s->wait_fd = fd;
		return;
	}
	timer_arm(s, s->backoff_ms);
}

static void
sup_down(struct devsim_sup *s)
{
	s->up = false;
	ep_del(s, &s->sock_fd);
	DEVSIM_LOG(s->log, ERR, "the vhost-user backend went away: link down, "
		   "reconnecting");
	devsim_vpci_link_set(s->vp, false);
	devsim_vpci_link_at_reset(s->vp, false);
	s->backoff_ms = DEVSIM_SUP_BACKOFF_MIN_MS;
	s->attempts = 0;
	sup_wait(s);
}

static void
sup_try(struct devsim_sup *s)
{
	struct devsim_backend_info info;
	int rc, fd;

	rc = s->ops->reconnect(s->be, &info);
	if (rc < 0) {
		if (s->attempts++ == 0 || rc != -EAGAIN)
			DEVSIM_LOG(s->log, WARNING, "no backend yet (%s): "
				   "retrying every %u ms at most",
				   strerror(-rc), DEVSIM_SUP_BACKOFF_MAX_MS);
		s->backoff_ms *= 2;
		if (s->backoff_ms > DEVSIM_SUP_BACKOFF_MAX_MS)
			s->backoff_ms = DEVSIM_SUP_BACKOFF_MAX_MS;
		sup_wait(s);
		return;
	}
	fd = s->ops->event_fd(s->be);
	if (fd >= 0 && ep_add(s, fd, SUP_SOCK) == 0)
		s->sock_fd = fd;
	ep_del(s, &s->wait_fd);
	timer_arm(s, 0);
	s->up = true;
	s->reconnects++;
	rc = devsim_vpci_restore(s->vp, &info);
	if (rc < 0) {
		/* NEEDS_RESET, logged: link down until the driver resets. */
		devsim_vpci_link_at_reset(s->vp, true);
		return;
	}
	DEVSIM_LOG(s->log, INFO, "backend is back after %llu failed attempt(s)"
		   ": device restored, link up",
		   (unsigned long long)s->attempts);
	devsim_vpci_link_set(s->vp, true);
}

int
devsim_sup_init(struct devsim_sup *s, const struct devsim_sup_params *p)
{
	int rc, fd;

	memset(s, 0, sizeof(*s));
	s->log = p->log;
	s->ops = p->ops;
	s->be = p->be;
	s->vp = p->vp;
	s->sock_fd = -1;
	s->wait_fd = -1;
	s->backoff_ms = DEVSIM_SUP_BACKOFF_MIN_MS;
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0)
		return -errno;
	s->timerfd = timerfd_create(CLOCK_MONOTONIC,
				    TFD_NONBLOCK | TFD_CLOEXEC);
	if (s->timerfd < 0) {
		rc = -errno;
		goto err_timer;
	}
	rc = ep_add(s, s->timerfd, SUP_TIMER);
	if (rc < 0)
		goto err_add;
	fd = p->ops->event_fd(p->be);
	if (p->connected && fd >= 0) {
		rc = ep_add(s, fd, SUP_SOCK);
		if (rc < 0)
			goto err_add;
		s->sock_fd = fd;
		s->up = true;
	} else {
		devsim_vpci_link_set(s->vp, false);
		sup_wait(s);
	}
	return 0;

err_add:
	close(s->timerfd);
err_timer:
	close(s->epfd);
	s->epfd = -1;
	return rc;
}

int
devsim_sup_handle(struct devsim_sup *s)
{
	struct epoll_event ev[4];
	int i, n;

	do {
		n = epoll_wait(s->epfd, ev, 4, 0);
	} while (n < 0 && errno == EINTR);
	for (i = 0; i < n; i++) {
		switch (ev[i].data.u32) {
		case SUP_SOCK:
			if (s->up && s->ops->handle_event(s->be) < 0)
				sup_down(s);
			break;
		case SUP_TIMER:
			timer_take(s);
			if (!s->up)
				sup_try(s);
			break;
		case SUP_WAIT:
			if (!s->up)
				sup_try(s);
			break;
		default:
			break;
		}
	}
	return s->up ? 0 : -ENOTCONN;
}

void
devsim_sup_fini(struct devsim_sup *s)
{
	if (s->epfd < 0)
		return;
	close(s->timerfd);
	close(s->epfd);
	s->epfd = -1;
	s->timerfd = -1;
}
