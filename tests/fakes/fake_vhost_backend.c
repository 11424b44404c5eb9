/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#include <errno.h>
#include <linux/sockios.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fake_vhost_backend.h"
#include "vu_msg.h"

struct fake_vhost {
	struct fake_vhost_cfg cfg;
	int fd;
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct fake_vhost_rec recs[FAKE_VHOST_RECS_MAX];
	unsigned int nrecs;
	unsigned int invalid;
	uint8_t status;
};

/* Blocking read of exactly @len bytes; collects fds. 0, or -1 on EOF/error. */
static int
fake_read(int fd, uint8_t *buf, size_t len, int *fds, unsigned int *nfds)
{
	size_t got = 0;

	while (got < len) {
		union {
			char b[CMSG_SPACE(sizeof(int) * DEVSIM_VU_FDS_MAX)];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = { .iov_base = buf + got, .iov_len = len - got };
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctl.b, .msg_controllen = sizeof(ctl.b),
		};
		struct cmsghdr *cm;
		ssize_t n;

		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			size_t i, cnt = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			if (cm->cmsg_type != SCM_RIGHTS)
				continue;
			for (i = 0; i < cnt; i++) {
				int x;

				memcpy(&x, CMSG_DATA(cm) + i * sizeof(int), sizeof(x));
				if (*nfds < DEVSIM_VU_FDS_MAX)
					fds[(*nfds)++] = x;
				else
					close(x);
			}
		}
		got += (size_t)n;
	}
	return 0;
}

/* Wait until the peer has consumed everything we wrote (bounded). */
static void
wait_drained(int fd)
{
	int outq, i;

	for (i = 0; i < 100000; i++) {
		if (ioctl(fd, SIOCOUTQ, &outq) != 0 || outq == 0)
			return;
		usleep(100);
	}
}

static int
fake_write(struct fake_vhost *f, const uint8_t *buf, size_t len, int fd_extra)
{
	size_t off = 0, chunk = f->cfg.write_chunk ? f->cfg.write_chunk : len;

	while (off < len) {
		union {
			char b[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} ctl;
		size_t n = len - off < chunk ? len - off : chunk;
		struct iovec iov = { .iov_base = (void *)(buf + off), .iov_len = n };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t w;

		if (off == 0 && fd_extra >= 0) {
			struct cmsghdr *cm;

			memset(&ctl, 0, sizeof(ctl));
			mh.msg_control = ctl.b;
			mh.msg_controllen = sizeof(ctl.b);
			cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &fd_extra, sizeof(int));
		}
		w = sendmsg(f->fd, &mh, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
		if (off < len && f->cfg.write_chunk)
			wait_drained(f->fd);
	}
	return 0;
}

static void
record(struct fake_vhost *f, const struct devsim_vu_hdr *hdr,
       const uint8_t *payload, const int *fds, unsigned int nfds)
{
	struct fake_vhost_rec *r;
	struct stat st;
	unsigned int i;

	pthread_mutex_lock(&f->lock);
	if (f->nrecs < FAKE_VHOST_RECS_MAX) {
		r = &f->recs[f->nrecs];
		memset(r, 0, sizeof(*r));
		r->request = hdr->request;
		r->flags = hdr->flags;
		r->size = hdr->size;
		memcpy(r->payload, payload, hdr->size);
		r->nfds = nfds;
		for (i = 0; i < nfds; i++) {
			r->fd_num[i] = fds[i];
			if (fstat(fds[i], &st) == 0) {
				r->fd_dev[i] = st.st_dev;
				r->fd_ino[i] = st.st_ino;
			}
		}
		f->nrecs++;
	}
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

/* Natural answer to a GET_*. */
static void
answer(struct fake_vhost *f, const struct devsim_vu_msg *req,
       struct devsim_vu_msg *rep)
{
	uint32_t r = req->hdr.request;

	switch (r) {
	case DEVSIM_VU_REQ_GET_FEATURES:
		devsim_vu_msg_u64(rep, r, f->cfg.features);
		break;
	case DEVSIM_VU_REQ_GET_PROTOCOL_FEATURES:
		devsim_vu_msg_u64(rep, r, f->cfg.protocol_features);
		break;
	case DEVSIM_VU_REQ_GET_QUEUE_NUM:
		devsim_vu_msg_u64(rep, r, f->cfg.queue_num);
		break;
	case DEVSIM_VU_REQ_GET_MAX_MEM_SLOTS:
		devsim_vu_msg_u64(rep, r, f->cfg.max_mem_slots);
		break;
	case DEVSIM_VU_REQ_GET_STATUS:
		devsim_vu_msg_u64(rep, r, f->status);
		break;
	case DEVSIM_VU_REQ_GET_VRING_BASE:
		devsim_vu_msg_state(rep, r, req->payload.state.index,
				    f->cfg.vring_base);
		break;
	default: /* an ack */
		devsim_vu_msg_u64(rep, r, 0);
		break;
	}
	rep->hdr.flags = DEVSIM_VU_VERSION | DEVSIM_VU_FLAG_REPLY;
}

/* 0: go on; -1: stop serving. */
static int
serve_one(struct fake_vhost *f)
{
	uint8_t buf[DEVSIM_VU_MSG_MAX];
	int fds[DEVSIM_VU_FDS_MAX];
	unsigned int nfds = 0, i;
	struct devsim_vu_hdr hdr;
	struct devsim_vu_msg req, rep;
	bool fault;
	int extra = -1, ret = 0, len;

	if (fake_read(f->fd, buf, DEVSIM_VU_HDR_SIZE, fds, &nfds) != 0)
		goto out_close_fds_stop;
	if (devsim_vu_hdr_decode(buf, &hdr, NULL) != 0) {
		f->invalid++;
		goto out_close_fds_stop;
	}
	if (fake_read(f->fd, buf + DEVSIM_VU_HDR_SIZE, hdr.size, fds, &nfds) != 0)
		goto out_close_fds_stop;
	record(f, &hdr, buf + DEVSIM_VU_HDR_SIZE, fds, nfds);
	if (devsim_vu_msg_decode(buf, DEVSIM_VU_HDR_SIZE + hdr.size, fds, nfds,
				 &req, NULL) != 0 ||
	    (req.hdr.flags & DEVSIM_VU_FLAG_REPLY)) {
		f->invalid++;
		goto out_close_fds_stop;
	}
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	nfds = 0;

	if (req.hdr.request == DEVSIM_VU_REQ_SET_STATUS)
		f->status = (uint8_t)req.payload.u64 &
			    (uint8_t)~f->cfg.status_refuse;

	fault = f->cfg.fault_request != 0 &&
		f->cfg.fault_request == req.hdr.request;
	if (fault && f->cfg.fault == FAKE_VHOST_CLOSE) {
		shutdown(f->fd, SHUT_RDWR);
		return -1;
	}
	if (!devsim_vu_msg_expects_reply(&req.hdr) ||
	    (fault && f->cfg.fault == FAKE_VHOST_SILENT))
		return 0;

	answer(f, &req, &rep);
	if (fault && f->cfg.fault == FAKE_VHOST_NACK &&
	    (req.hdr.flags & DEVSIM_VU_FLAG_NEED_REPLY))
		rep.payload.u64 = 1;
	len = devsim_vu_msg_encode(&rep, buf, sizeof(buf));
	if (len < 0)
		return -1;
	/* Faults patch the encoded bytes: the codec refuses to build them. */
	if (fault) {
		struct devsim_vu_hdr *h = (struct devsim_vu_hdr *)buf;

		switch (f->cfg.fault) {
		case FAKE_VHOST_WRONG_REQUEST:
			h->request = hdr.request == DEVSIM_VU_REQ_GET_STATUS ?
				     DEVSIM_VU_REQ_GET_FEATURES :
				     DEVSIM_VU_REQ_GET_STATUS;
			break;
		case FAKE_VHOST_NO_REPLY_FLAG:
			h->flags = DEVSIM_VU_VERSION;
			break;
		case FAKE_VHOST_WRONG_SIZE:
			h->size -= 4;
			len -= 4;
			break;
		case FAKE_VHOST_EXTRA_FD:
			extra = eventfd(0, EFD_CLOEXEC);
			break;
		default:
			break;
		}
	}
	if (fake_write(f, buf, (size_t)len, extra) != 0)
		ret = -1;
	if (extra >= 0)
		close(extra);
	return ret;

out_close_fds_stop:
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	return -1;
}

static void *
fake_thread(void *arg)
{
	struct fake_vhost *f = arg;

	while (serve_one(f) == 0)
		;
	return NULL;
}

struct fake_vhost *
fake_vhost_start_fd(const struct fake_vhost_cfg *cfg, int fd)
{
	struct fake_vhost *f = calloc(1, sizeof(*f));

	if (f == NULL) {
		close(fd);
		return NULL;
	}
	f->cfg = *cfg;
	f->fd = fd;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	if (pthread_create(&f->thread, NULL, fake_thread, f) != 0) {
		close(fd);
		free(f);
		return NULL;
	}
	f->running = true;
	return f;
}

struct fake_vhost *
fake_vhost_start(const struct fake_vhost_cfg *cfg, int *peer_fd)
{
	int sv[2];
	struct fake_vhost *f;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return NULL;
	f = fake_vhost_start_fd(cfg, sv[1]);
	if (f == NULL) {
		close(sv[0]);
		return NULL;
	}
	*peer_fd = sv[0];
	return f;
}

int
fake_vhost_inject(struct fake_vhost *f, const void *buf, size_t len)
{
	return send(f->fd, buf, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

int
fake_vhost_wait(struct fake_vhost *f, unsigned int n)
{
	struct timespec ts;
	int ret = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	pthread_mutex_lock(&f->lock);
	while (f->nrecs < n && ret == 0)
		ret = pthread_cond_timedwait(&f->cond, &f->lock, &ts);
	pthread_mutex_unlock(&f->lock);
	return f->nrecs >= n ? 0 : -1;
}

void
fake_vhost_stop(struct fake_vhost *f)
{
	if (!f->running)
		return;
	shutdown(f->fd, SHUT_RDWR);
	pthread_join(f->thread, NULL);
	f->running = false;
}

void
fake_vhost_free(struct fake_vhost *f)
{
	if (f == NULL)
		return;
	fake_vhost_stop(f);
	close(f->fd);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

unsigned int
fake_vhost_count(struct fake_vhost *f)
{
	unsigned int n;

	pthread_mutex_lock(&f->lock);
	n = f->nrecs;
	pthread_mutex_unlock(&f->lock);
	return n;
}

const struct fake_vhost_rec *
fake_vhost_rec(struct fake_vhost *f, unsigned int i)
{
	return i < fake_vhost_count(f) ? &f->recs[i] : NULL;
}

unsigned int
fake_vhost_invalid(struct fake_vhost *f)
{
	return f->invalid;
}

uint8_t
fake_vhost_status(struct fake_vhost *f)
{
	return f->status;
}
