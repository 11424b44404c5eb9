/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <poll.h>
#include <sys/un.h>
#include <time.h>

#include "vu_conn.h"
#include "vu_frontend.h"
#include "vu_listen.h"
#include "vu_msg.h"
#include "wire/virtio_pci_regs.h"

#define BIT(n) (1ull << (n))

/* Protocol features devsim uses; everything else is left off. */
#define VU_PF_WANTED \
	(BIT(DEVSIM_VU_PF_MQ) | BIT(DEVSIM_VU_PF_REPLY_ACK) | \
	 BIT(DEVSIM_VU_PF_STATUS))

/* Feature bits that are vhost's business, never the device's. */
#define VU_F_VHOST_ONLY \
	(BIT(DEVSIM_VU_F_PROTOCOL_FEATURES) | BIT(DEVSIM_VU_F_LOG_ALL))

/* Kick/call payloads carry the vring index in 8 bits. */
#define VU_VRINGS_MAX 256u
/* Largest split or packed ring (virtio 1.x: queue size <= 32768). */
#define VU_RING_SIZE_MAX 32768u

struct devsim_backend {
	struct devsim_vu_conn conn;  /* owns the socket */
	struct devsim_log log;       /* copy of the caller's hook */
	uint64_t features;           /* GET_FEATURES answer, raw */
	uint64_t protocol_features;  /* negotiated (0 without bit 30) */
	bool has_protocol;           /* backend offered bit 30 */
	uint16_t max_vrings;
	bool broken;                 /* stream unusable: fail fast */
	bool reconnect;              /* broken: defer, reconnect() later */
	int listen_fd;               /* server mode: listening socket, or -1 */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

/*
 * While a reconnecting backend is away, configuration ops succeed without
 * a message: the device model replays its whole state on reconnect.
 */
static bool
vu_deferred(const struct devsim_backend *be)
{
	return be->broken && be->reconnect;
}

static bool
has_pf(const struct devsim_backend *be, unsigned int bit)
{
	return (be->protocol_features & BIT(bit)) != 0;
}

/*
 * Send @req and wait for what it gets back.  With REPLY_ACK negotiated,
 * requests without a natural reply ask for an ack.  @reply receives
 * natural replies (GET_*), may be NULL otherwise.
 */
static int
vu_xact(struct devsim_backend *be, struct devsim_vu_msg *req,
	struct devsim_vu_msg *reply)
{
	const struct devsim_vu_req_info *ri = devsim_vu_req_info(req->hdr.request);
	const char *name = devsim_vu_req_name(req->hdr.request);
	struct devsim_vu_msg rep;
	const char *why = NULL;
	int ret;

	if (ri == NULL)
		return -EINVAL; /* a bug here, not the backend's */
	if (be->broken) {
		DEVSIM_LOG(&be->log, ERR, "%s: connection to backend is broken",
			   name);
		return -ENOTCONN;
	}
	if (ri->reply == DEVSIM_VU_REPLY_ACK && has_pf(be, DEVSIM_VU_PF_REPLY_ACK))
		req->hdr.flags |= DEVSIM_VU_FLAG_NEED_REPLY;

	ret = devsim_vu_conn_send(&be->conn, req);
	if (ret != 0) {
		DEVSIM_LOG(&be->log, ERR, "%s: send failed (%d)", name, ret);
		goto err_broken;
	}
	if (!devsim_vu_msg_expects_reply(&req->hdr))
		return 0;

	ret = devsim_vu_conn_recv(&be->conn, &rep);
	if (ret != 0) {
		DEVSIM_LOG(&be->log, ERR, "%s: no valid reply (%d)", name, ret);
		goto err_broken;
	}
	ret = devsim_vu_msg_is_reply_for(&rep, &req->hdr, &why);
	if (ret != 0) {
		DEVSIM_LOG(&be->log, ERR,
			   "%s: bad reply (request %s flags 0x%x size %u fds %u): %s",
			   name, devsim_vu_req_name(rep.hdr.request), rep.hdr.flags,
			   rep.hdr.size, rep.nfds, why);
		devsim_vu_msg_close_fds(&rep);
		goto err_broken;
	}
	if (ri->reply == DEVSIM_VU_REPLY_ACK) {
		if (rep.payload.u64 != 0) {
			DEVSIM_LOG(&be->log, ERR,
				   "%s: backend failed the request (ack %" PRIu64 ")",
				   name, rep.payload.u64);
			return -EIO;
		}
		return 0;
	}
	if (reply != NULL)
		*reply = rep;
	return 0;

err_broken:
	be->broken = true;
	return ret;
}

/* A GET_* whose reply is a u64. */
static int
vu_get_u64(struct devsim_backend *be, uint32_t request, uint64_t *val)
{
	struct devsim_vu_msg req, rep;
	int ret;

	devsim_vu_msg_none(&req, request);
	ret = vu_xact(be, &req, &rep);
	if (ret == 0)
		*val = rep.payload.u64;
	return ret;
}

static int
vu_set_u64(struct devsim_backend *be, uint32_t request, uint64_t val)
{
	struct devsim_vu_msg req;

	devsim_vu_msg_u64(&req, request, val);
	return vu_xact(be, &req, NULL);
}

static int
vu_set_state(struct devsim_backend *be, uint32_t request, uint32_t index,
	     uint32_t num)
{
	struct devsim_vu_msg req;

	devsim_vu_msg_state(&req, request, index, num);
	return vu_xact(be, &req, NULL);
}

static int
vu_set_vring_fd(struct devsim_backend *be, uint32_t request, uint32_t index,
		int fd)
{
	struct devsim_vu_msg req;

	devsim_vu_msg_vring_fd(&req, request, index, fd);
	return vu_xact(be, &req, NULL);
}

/* ---- Opening handshake ----------------------------------------------- */

static int
vu_negotiate_protocol(struct devsim_backend *be)
{
	uint64_t offered, wanted, qnum;
	int ret;

	ret = vu_get_u64(be, DEVSIM_VU_REQ_GET_PROTOCOL_FEATURES, &offered);
	if (ret != 0)
		return ret;
	wanted = offered & VU_PF_WANTED;
	ret = vu_set_u64(be, DEVSIM_VU_REQ_SET_PROTOCOL_FEATURES, wanted);
	if (ret != 0)
		return ret;
	/* Only now may requests ask for acks. */
	be->protocol_features = wanted;

	if (!has_pf(be, DEVSIM_VU_PF_MQ))
		return 0;
	ret = vu_get_u64(be, DEVSIM_VU_REQ_GET_QUEUE_NUM, &qnum);
	if (ret != 0)
		return ret;
	if (qnum == 0) {
		DEVSIM_LOG(&be->log, ERR, "GET_QUEUE_NUM: backend has no queues");
		be->broken = true;
		return -EPROTO;
	}
	if (qnum > VU_VRINGS_MAX / 2)
		qnum = VU_VRINGS_MAX / 2;
	be->max_vrings = (uint16_t)(2 * qnum);
	return 0;
}

static int
vu_handshake(struct devsim_backend *be, uint16_t want_vrings,
	     struct devsim_backend_info *info)
{
	struct devsim_vu_msg req;
	int ret;

	be->max_vrings = 2;
	devsim_vu_msg_none(&req, DEVSIM_VU_REQ_SET_OWNER);
	ret = vu_xact(be, &req, NULL);
	if (ret != 0)
		return ret;
	ret = vu_get_u64(be, DEVSIM_VU_REQ_GET_FEATURES, &be->features);
	if (ret != 0)
		return ret;
	be->has_protocol = (be->features & BIT(DEVSIM_VU_F_PROTOCOL_FEATURES)) != 0;
	if (be->has_protocol) {
		ret = vu_negotiate_protocol(be);
		if (ret != 0)
			return ret;
	}
	if (want_vrings > be->max_vrings)
		DEVSIM_LOG(&be->log, WARNING,
			   "backend accepts %u vrings, %u wanted",
			   be->max_vrings, want_vrings);

	info->features = be->features & ~VU_F_VHOST_ONLY;
	info->max_vrings = be->max_vrings;
	info->max_mem_regions = DEVSIM_VU_MEM_REGIONS_MAX;
	DEVSIM_LOG(&be->log, INFO,
		   "features 0x%" PRIx64 " protocol features 0x%" PRIx64
		   " vrings %u", be->features, be->protocol_features,
		   be->max_vrings);
	return 0;
}

static struct devsim_backend *
vu_alloc(const struct devsim_log *log)
{
	struct devsim_backend *be = calloc(1, sizeof(*be));

	if (be == NULL) {
		DEVSIM_LOG(log, ERR, "out of memory");
		return NULL;
	}
	if (log != NULL)
		be->log = *log;
	be->conn.fd = -1;
	be->listen_fd = -1;
	return be;
}

/*
 * What a server-mode device offers before any backend connected: the
 * features DPDK 22.11 net_vhost offers with its default devargs, one queue
 * pair per wanted pair.  The first backend must offer what the driver
 * negotiated from these, or the device needs a reset.
 */
#define VU_DEFAULT_FEATURES \
	(BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_NET_F_MRG_RXBUF) | \
	 BIT(VIRTIO_RING_F_EVENT_IDX) | BIT(VIRTIO_F_IN_ORDER) | \
	 BIT(VIRTIO_RING_F_INDIRECT_DESC) | BIT(VIRTIO_F_RING_PACKED) | \
	 BIT(VIRTIO_NET_F_CSUM) | BIT(VIRTIO_NET_F_GUEST_CSUM))

/* Server mode: wait up to @ms for the first backend; -EAGAIN if none. */
static int
vu_accept_wait(struct devsim_backend *be, unsigned int ms)
{
	struct pollfd pfd = { .fd = be->listen_fd, .events = POLLIN };
	struct timespec t0, t1;
	int fd, ret, left = (int)ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		ret = devsim_vu_accept(be->listen_fd, &fd);
		if (ret != -EAGAIN)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		left = (int)ms - (int)((t1.tv_sec - t0.tv_sec) * 1000 +
				       (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0)
			return -EAGAIN;
		if (poll(&pfd, 1, left) < 0 && errno != EINTR)
			return -errno;
	}
	if (ret == 0)
		devsim_vu_conn_attach(&be->conn, fd, &be->log);
	return ret;
}

static void
vu_info_default(struct devsim_backend *be, uint16_t want_vrings,
		struct devsim_backend_info *info)
{
	uint16_t n = want_vrings ? want_vrings : 2;

	if (n > VU_VRINGS_MAX)
		n = VU_VRINGS_MAX;
	be->max_vrings = n;
	info->features = VU_DEFAULT_FEATURES |
			 (n > 2 ? BIT(VIRTIO_NET_F_MQ) : 0);
	info->max_vrings = n;
	info->max_mem_regions = DEVSIM_VU_MEM_REGIONS_MAX;
}

int
devsim_vu_open(const struct devsim_vu_params *p, const struct devsim_log *log,
	       struct devsim_backend **out, struct devsim_backend_info *info)
{
	struct devsim_backend *be;
	int ret;

	if (p == NULL || out == NULL || info == NULL)
		return -EINVAL;
	be = vu_alloc(log);
	if (be == NULL)
		return -ENOMEM;
	be->reconnect = p->reconnect || p->server;
	if (p->path != NULL)
		snprintf(be->path, sizeof(be->path), "%s", p->path);
	if (p->server) {
		ret = devsim_vu_listen(p->path, &be->log, &be->listen_fd);
		if (ret != 0)
			goto err_free;
		ret = vu_accept_wait(be, p->connect_timeout_ms);
		if (ret == -EAGAIN) {
			/* Probe does not wait for the backend: link down,
			 * default features, state replayed when it comes. */
			DEVSIM_LOG(&be->log, WARNING, "no backend connected to "
				   "%s within %u ms: link down until one does",
				   p->path, p->connect_timeout_ms);
			be->broken = true;
			vu_info_default(be, p->want_vrings, info);
			*out = be;
			return 0;
		}
	} else {
		ret = devsim_vu_conn_connect(&be->conn, p->path,
					     p->connect_timeout_ms, &be->log);
	}
	if (ret != 0)
		goto err_unlisten;
	ret = vu_handshake(be, p->want_vrings, info);
	if (ret != 0)
		goto err_close;
	*out = be;
	return 0;

err_close:
	DEVSIM_LOG(&be->log, ERR, "vhost-user handshake with %s failed (%d)",
		   p->path, ret);
	devsim_vu_conn_close(&be->conn);
err_unlisten:
	devsim_vu_unlisten(be->listen_fd, be->path);
err_free:
	free(be);
	return ret;
}

int
devsim_vu_open_fd(int fd, const struct devsim_log *log,
		  struct devsim_backend **out, struct devsim_backend_info *info)
{
	struct devsim_backend *be;
	int ret;

	if (fd < 0 || out == NULL || info == NULL) {
		ret = -EINVAL;
		goto err_close_fd;
	}
	be = vu_alloc(log);
	if (be == NULL) {
		ret = -ENOMEM;
		goto err_close_fd;
	}
	devsim_vu_conn_attach(&be->conn, fd, &be->log);
	ret = vu_handshake(be, 0, info);
	if (ret != 0)
		goto err_close;
	*out = be;
	return 0;

err_close:
	DEVSIM_LOG(&be->log, ERR, "vhost-user handshake failed (%d)", ret);
	devsim_vu_conn_close(&be->conn);
	free(be);
	return ret;
err_close_fd:
	if (fd >= 0)
		close(fd);
	return ret;
}

void
devsim_vu_set_timeout(struct devsim_backend *be, int timeout_ms)
{
	be->conn.timeout_ms = timeout_ms;
}

/* ---- Ops ---------------------------------------------------------------- */

static int
vu_set_features(struct devsim_backend *be, uint64_t features)
{
	uint64_t f = features & be->features & ~VU_F_VHOST_ONLY;

	if (vu_deferred(be))
		return 0;
	/*
	 * The device model may pass bits it emulates itself (e.g. MAC,
	 * STATUS); DPDK vhost fails SET_FEATURES with bits it did not offer.
	 */
	if (f != features)
		DEVSIM_LOG(&be->log, DEBUG,
			   "not passing features 0x%" PRIx64 " to the backend",
			   features & ~f);
	if (be->has_protocol)
		f |= BIT(DEVSIM_VU_F_PROTOCOL_FEATURES);
	return vu_set_u64(be, DEVSIM_VU_REQ_SET_FEATURES, f);
}

static int
vu_set_mem_table(struct devsim_backend *be, const struct devsim_mem_region *r,
		 unsigned int n)
{
	struct devsim_vu_mem_region regs[DEVSIM_VU_MEM_REGIONS_MAX];
	int fds[DEVSIM_VU_MEM_REGIONS_MAX];
	struct devsim_vu_msg req;
	unsigned int i;

	if (vu_deferred(be))
		return 0;
	if (n == 0 || n > DEVSIM_VU_MEM_REGIONS_MAX) {
		DEVSIM_LOG(&be->log, ERR,
			   "SET_MEM_TABLE: %u regions, the backend takes 1..%u",
			   n, DEVSIM_VU_MEM_REGIONS_MAX);
		return n == 0 ? -EINVAL : -E2BIG;
	}
	for (i = 0; i < n; i++) {
		if (r[i].fd < 0 || r[i].size == 0 ||
		    r[i].addr + r[i].size < r[i].addr) {
			DEVSIM_LOG(&be->log, ERR,
				   "SET_MEM_TABLE: region %u is invalid", i);
			return -EINVAL;
		}
		/* "Guest" addresses are the process's own: gpa == uva. */
		regs[i].guest_phys_addr = r[i].addr;
		regs[i].userspace_addr = r[i].addr;
		regs[i].memory_size = r[i].size;
		regs[i].mmap_offset = r[i].fd_offset;
		fds[i] = r[i].fd;
	}
	devsim_vu_msg_mem_table(&req, regs, fds, n);
	return vu_xact(be, &req, NULL);
}

static int
vu_vring_start(struct devsim_backend *be, unsigned int idx,
	       const struct devsim_vring_cfg *cfg)
{
	struct devsim_vu_msg req;
	int ret;

	if (vu_deferred(be))
		return 0;
	if (idx >= be->max_vrings || cfg->num == 0 ||
	    cfg->num > VU_RING_SIZE_MAX) {
		DEVSIM_LOG(&be->log, ERR, "vring %u (size %u): out of range",
			   idx, cfg->num);
		return -EINVAL;
	}
	ret = vu_set_state(be, DEVSIM_VU_REQ_SET_VRING_NUM, idx, cfg->num);
	if (ret != 0)
		goto err_log;
	ret = vu_set_state(be, DEVSIM_VU_REQ_SET_VRING_BASE, idx, cfg->base);
	if (ret != 0)
		goto err_log;
	devsim_vu_msg_addr(&req, idx, cfg->desc, cfg->used, cfg->avail);
	ret = vu_xact(be, &req, NULL);
	if (ret != 0)
		goto err_log;
	ret = vu_set_vring_fd(be, DEVSIM_VU_REQ_SET_VRING_KICK, idx, cfg->kick_fd);
	if (ret != 0)
		goto err_log;
	ret = vu_set_vring_fd(be, DEVSIM_VU_REQ_SET_VRING_CALL, idx, cfg->call_fd);
	if (ret != 0)
		goto err_log;
	/* Without protocol features the backend enables the ring on KICK. */
	if (be->has_protocol) {
		ret = vu_set_state(be, DEVSIM_VU_REQ_SET_VRING_ENABLE, idx, 1);
		if (ret != 0)
			goto err_log;
	}
	return 0;

err_log:
	DEVSIM_LOG(&be->log, ERR, "starting vring %u failed (%d)", idx, ret);
	return ret;
}

static int
vu_vring_enable(struct devsim_backend *be, unsigned int idx, bool enable)
{
	if (vu_deferred(be))
		return 0;
	if (idx >= be->max_vrings) {
		DEVSIM_LOG(&be->log, ERR, "vring %u: out of range", idx);
		return -EINVAL;
	}
	/* Without protocol features there is no SET_VRING_ENABLE. */
	if (!be->has_protocol)
		return -ENOTSUP;
	return vu_set_state(be, DEVSIM_VU_REQ_SET_VRING_ENABLE, idx, enable);
}

static int
vu_vring_stop(struct devsim_backend *be, unsigned int idx, uint32_t *base)
{
	struct devsim_vu_msg req, rep;
	int ret;

	if (vu_deferred(be))
		return -ENOTCONN;  /* nobody to ask: the caller drops the ring */
	if (idx >= be->max_vrings) {
		DEVSIM_LOG(&be->log, ERR, "vring %u: out of range", idx);
		return -EINVAL;
	}
	if (be->has_protocol) {
		ret = vu_set_state(be, DEVSIM_VU_REQ_SET_VRING_ENABLE, idx, 0);
		if (ret != 0)
			goto err_log;
	}
	devsim_vu_msg_state(&req, DEVSIM_VU_REQ_GET_VRING_BASE, idx, 0);
	ret = vu_xact(be, &req, &rep);
	if (ret != 0)
		goto err_log;
	if (rep.payload.state.index != idx) {
		DEVSIM_LOG(&be->log, ERR,
			   "GET_VRING_BASE: reply names vring %u, asked %u",
			   rep.payload.state.index, idx);
		be->broken = true;
		ret = -EPROTO;
		goto err_log;
	}
	*base = rep.payload.state.num;
	return 0;

err_log:
	DEVSIM_LOG(&be->log, ERR, "stopping vring %u failed (%d)", idx, ret);
	return ret;
}

/* virtio 1.x device status bits the backend may refuse (3.1.1). */
#define VU_STATUS_FEATURES_OK 0x08u

static int
vu_set_status(struct devsim_backend *be, uint8_t status)
{
	uint64_t now = 0;
	int ret;

	if (vu_deferred(be) || !has_pf(be, DEVSIM_VU_PF_STATUS))
		return 0;
	ret = vu_set_u64(be, DEVSIM_VU_REQ_SET_STATUS, status);
	if (ret != 0 || !(status & VU_STATUS_FEATURES_OK))
		return ret;
	/* As a driver reads FEATURES_OK back, the frontend asks the backend
	 * whether it kept it (vhost-user.rst, SET_STATUS / GET_STATUS). */
	ret = vu_get_u64(be, DEVSIM_VU_REQ_GET_STATUS, &now);
	if (ret != 0)
		return ret;
	if (!(now & VU_STATUS_FEATURES_OK)) {
		DEVSIM_LOG(&be->log, ERR,
			   "backend cleared FEATURES_OK (status 0x%02x)",
			   (unsigned int)(now & 0xff));
		return -EIO;
	}
	return 0;
}

static int
vu_event_fd(struct devsim_backend *be)
{
	return be->conn.fd;
}

static int
vu_wait_fd(struct devsim_backend *be)
{
	return be->listen_fd;
}

static int
vu_reconnect(struct devsim_backend *be, struct devsim_backend_info *info)
{
	int fd, ret;

	if (!be->reconnect)
		return -ENOTSUP;
	devsim_vu_conn_close(&be->conn);
	be->broken = true;
	be->protocol_features = 0;
	if (be->listen_fd >= 0) {
		ret = devsim_vu_accept(be->listen_fd, &fd);
		if (ret != 0)
			return ret;
		devsim_vu_conn_attach(&be->conn, fd, &be->log);
	} else {
		/* Quiet: the caller logs the first failure, not every retry. */
		ret = devsim_vu_conn_connect(&be->conn, be->path, 0, NULL);
		if (ret != 0)
			return devsim_vu_err_class(ret) == DEVSIM_VU_ERR_RETRY ?
			       -EAGAIN : ret;
		be->conn.log = &be->log;
	}
	be->broken = false;
	ret = vu_handshake(be, 0, info);
	if (ret != 0) {
		DEVSIM_LOG(&be->log, ERR, "vhost-user handshake with the new "
			   "backend on %s failed (%d)", be->path, ret);
		devsim_vu_conn_close(&be->conn);
		be->broken = true;
	}
	return ret;
}

static int
vu_handle_event(struct devsim_backend *be)
{
	int ret;

	if (be->broken)
		return -ENOTCONN;
	ret = devsim_vu_conn_check_idle(&be->conn);
	switch (ret) {
	case 0:
		return 0;
	case -ENOTCONN:
		DEVSIM_LOG(&be->log, ERR, "backend closed the connection");
		break;
	case -EPROTO:
		DEVSIM_LOG(&be->log, ERR,
			   "unsolicited message from the backend");
		break;
	default:
		DEVSIM_LOG(&be->log, ERR, "socket error (%d)", ret);
		break;
	}
	be->broken = true;
	/* A reconnecting backend drops the dead socket at once. */
	if (be->reconnect)
		devsim_vu_conn_close(&be->conn);
	return ret;
}

static void
vu_close(struct devsim_backend *be)
{
	if (be == NULL)
		return;
	devsim_vu_conn_close(&be->conn);
	devsim_vu_unlisten(be->listen_fd, be->path);
	free(be);
}

const struct devsim_backend_ops devsim_vu_backend_ops = {
	.set_features = vu_set_features,
	.set_mem_table = vu_set_mem_table,
	.vring_start = vu_vring_start,
	.vring_stop = vu_vring_stop,
	.vring_enable = vu_vring_enable,
	.set_status = vu_set_status,
	.event_fd = vu_event_fd,
	.handle_event = vu_handle_event,
	.reconnect = vu_reconnect,
	.wait_fd = vu_wait_fd,
	.close = vu_close,
};
