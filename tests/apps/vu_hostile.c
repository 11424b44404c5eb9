/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
/*
 * vu_hostile: a vhost-user *backend* that misbehaves on purpose, for
 * tests/integration/hostile.sh.  It listens on a unix socket, serves one
 * frontend connection with devsim's own codec and connection layer
 * (vu_msg.c, vu_conn.c), and breaks the protocol in the one way --mode
 * names:
 *
 *   Malformed replies (the handshake is answered normally until the
 *   request named by --at, GET_FEATURES by default):
 *     wrong-request    the reply carries another request code
 *     oversize         the header's size is larger than any payload
 *     truncated        the header says 8 bytes, 4 follow, the socket stays open
 *     bad-fds          the reply carries a file descriptor (a memfd named
 *                      "vu_hostile_stray", so a leak is visible in /proc)
 *     unsolicited      a GET_VRING_BASE reply nobody asked for, sent right
 *                      after SET_OWNER (so before GET_FEATURES)
 *     unsolicited-idle the same once the device runs (no request in flight)
 *
 *   Bad used entries, written once into RX vring 0 after DRIVER_OK (or,
 *   without the STATUS protocol feature, once it has a kick fd) as soon as
 *   the driver made buffers available, then the call eventfd is signalled:
 *     used-id-range    split: used id >= ring size
 *     used-id-stale    split: one valid completion, then the same id again
 *     used-len         split: len larger than the chain's writable bytes
 *     used-idx-jump    split: used->idx moves by ring size + 5
 *     packed-wrap      packed: used descriptor with the wrong wrap bits
 *     packed-id-range  packed: used id >= ring size
 *
 * Every value the frontend sends is validated before use (vring indexes,
 * sizes, addresses translated through the memory table with bounds), so
 * the backend itself never crashes.  Single-threaded; logs one line per
 * event on stdout.  Exits 0 when the frontend closed the connection, 1 on
 * a local error.
 *
 * usage: vu_hostile --socket PATH --mode NAME [--at REQUEST]
 */
#include "tu_sendmsg.h"
#include "vu_hostile.h"

const char *const mode_names[M_COUNT] = {
	[M_WRONG_REQUEST] = "wrong-request",
	[M_OVERSIZE] = "oversize",
	[M_TRUNCATED] = "truncated",
	[M_BAD_FDS] = "bad-fds",
	[M_UNSOLICITED] = "unsolicited",
	[M_UNSOLICITED_IDLE] = "unsolicited-idle",
	[M_USED_ID_RANGE] = "used-id-range",
	[M_USED_ID_STALE] = "used-id-stale",
	[M_USED_LEN] = "used-len",
	[M_USED_IDX_JUMP] = "used-idx-jump",
	[M_PACKED_WRAP] = "packed-wrap",
	[M_PACKED_ID_RANGE] = "packed-id-range",
};

void
say(const char *fmt, ...)
{
	va_list ap;

	fputs("vu_hostile: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static void
log_hook(void *opaque, enum devsim_log_level level, const char *msg)
{
	(void)opaque;
	say("devsim[%d]: %s", (int)level, msg);
}

static const struct devsim_log hostile_log = { .fn = log_hook };

int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool
is_ring_mode(enum mode m)
{
	return m >= M_USED_ID_RANGE;
}

bool
is_packed_mode(enum mode m)
{
	return m == M_PACKED_WRAP || m == M_PACKED_ID_RANGE;
}

/* ---- Replies ------------------------------------------------------------ */

/* Send @len raw bytes and @nfds fds in one sendmsg, whatever they say. */
static int
send_raw(struct hostile *h, const void *buf, size_t len, const int *fds,
	 unsigned int nfds)
{
	ssize_t n = tu_sendmsg_fds(h->conn.fd, buf, len, fds, nfds,
				   MSG_NOSIGNAL);

	if (n < 0 || (size_t)n != len) {
		say("sendmsg: %s", n < 0 ? strerror(errno) : "short write");
		return -EIO;
	}
	return 0;
}

/* A well-formed reply to @request carrying @val (u64) through the codec. */
int
reply_u64(struct hostile *h, uint32_t request, uint64_t val)
{
	struct devsim_vu_msg m;

	devsim_vu_msg_u64(&m, request, val);
	m.hdr.flags |= DEVSIM_VU_FLAG_REPLY;
	return devsim_vu_conn_send(&h->conn, &m);
}

static int
reply_state(struct hostile *h, uint32_t request, uint32_t index, uint32_t num)
{
	struct devsim_vu_msg m;

	devsim_vu_msg_state(&m, request, index, num);
	m.hdr.flags |= DEVSIM_VU_FLAG_REPLY;
	return devsim_vu_conn_send(&h->conn, &m);
}

/*
 * The malformed reply of the malformed-reply modes, in place of the answer
 * to @req.  @val is the u64 that a correct reply would carry.
 */
static int
reply_malformed(struct hostile *h, const struct devsim_vu_hdr *req, uint64_t val)
{
	struct devsim_vu_hdr hdr = {
		.request = req->request,
		.flags = DEVSIM_VU_VERSION | DEVSIM_VU_FLAG_REPLY,
		.size = DEVSIM_VU_U64_SIZE,
	};
	uint8_t buf[DEVSIM_VU_HDR_SIZE + DEVSIM_VU_U64_SIZE];
	int fd, ret;

	h->done = true;
	switch (h->mode) {
	case M_WRONG_REQUEST:
		hdr.request = req->request == DEVSIM_VU_REQ_GET_FEATURES ?
			      DEVSIM_VU_REQ_GET_PROTOCOL_FEATURES :
			      DEVSIM_VU_REQ_GET_FEATURES;
		say("misbehaving: %s answered as %s", devsim_vu_req_name(req->request),
		    devsim_vu_req_name(hdr.request));
		break;
	case M_OVERSIZE:
		hdr.size = DEVSIM_VU_PAYLOAD_MAX + 4096;
		say("misbehaving: %s reply with size %u", devsim_vu_req_name(req->request),
		    hdr.size);
		break;
	case M_TRUNCATED:
		say("misbehaving: %s reply with 4 of 8 payload bytes, socket kept open",
		    devsim_vu_req_name(req->request));
		memcpy(buf, &hdr, DEVSIM_VU_HDR_SIZE);
		memcpy(buf + DEVSIM_VU_HDR_SIZE, &val, sizeof(val));
		return send_raw(h, buf, DEVSIM_VU_HDR_SIZE + 4, NULL, 0);
	case M_BAD_FDS:
		fd = memfd_create("vu_hostile_stray", MFD_CLOEXEC);
		if (fd < 0) {
			say("memfd_create: %s", strerror(errno));
			return -EIO;
		}
		say("misbehaving: %s reply carries fd %d", devsim_vu_req_name(req->request), fd);
		memcpy(buf, &hdr, DEVSIM_VU_HDR_SIZE);
		memcpy(buf + DEVSIM_VU_HDR_SIZE, &val, sizeof(val));
		ret = send_raw(h, buf, sizeof(buf), &fd, 1);
		close(fd);
		return ret;
	default:
		return -EINVAL;
	}
	memcpy(buf, &hdr, DEVSIM_VU_HDR_SIZE);
	memcpy(buf + DEVSIM_VU_HDR_SIZE, &val, sizeof(val));
	return send_raw(h, buf, sizeof(buf), NULL, 0);
}

/* A reply for a request the frontend never sent. */
static int
send_unsolicited(struct hostile *h)
{
	h->done = true;
	say("misbehaving: unsolicited GET_VRING_BASE reply");
	return reply_state(h, DEVSIM_VU_REQ_GET_VRING_BASE, 0, 0);
}

/* ---- Requests ----------------------------------------------------------- */

uint64_t
offered_features(const struct hostile *h)
{
	uint64_t f = BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_NET_F_MRG_RXBUF) |
		     BIT(DEVSIM_VU_F_PROTOCOL_FEATURES);

	if (is_packed_mode(h->mode))
		f |= BIT(VIRTIO_F_RING_PACKED);
	return f;
}

#define OFFERED_PROTOCOL_FEATURES \
	(BIT(DEVSIM_VU_PF_REPLY_ACK) | BIT(DEVSIM_VU_PF_STATUS))

static void
vring_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Vring index of a state or fd payload, or NULL when out of range. */
static struct hvring *
vring_of(struct hostile *h, uint32_t idx, const char *req)
{
	if (idx >= HOSTILE_VRINGS) {
		say("%s: vring %u out of range, ignored", req, idx);
		return NULL;
	}
	return &h->vr[idx];
}

/*
 * Act on one request.  Sets *val to a natural reply's u64 and returns 1
 * when the request has one (GET_*), 0 otherwise, < 0 on a send error.
 */
static int
handle_request(struct hostile *h, struct devsim_vu_msg *m, uint64_t *val)
{
	const char *name = devsim_vu_req_name(m->hdr.request);
	struct hvring *v;
	uint32_t idx;

	switch (m->hdr.request) {
	case DEVSIM_VU_REQ_GET_FEATURES:
		*val = offered_features(h);
		return 1;
	case DEVSIM_VU_REQ_SET_FEATURES:
		h->features = m->payload.u64;
		say("SET_FEATURES 0x%" PRIx64, h->features);
		return 0;
	case DEVSIM_VU_REQ_GET_PROTOCOL_FEATURES:
		*val = OFFERED_PROTOCOL_FEATURES;
		return 1;
	case DEVSIM_VU_REQ_SET_PROTOCOL_FEATURES:
		h->protocol_features = m->payload.u64 & OFFERED_PROTOCOL_FEATURES;
		return 0;
	case DEVSIM_VU_REQ_GET_QUEUE_NUM:
		*val = HOSTILE_VRINGS / 2;
		return 1;
	case DEVSIM_VU_REQ_GET_MAX_MEM_SLOTS:
		*val = DEVSIM_VU_MEM_REGIONS_MAX;
		return 1;
	case DEVSIM_VU_REQ_GET_STATUS:
		*val = h->status;
		return 1;
	case DEVSIM_VU_REQ_SET_STATUS:
		h->status = m->payload.u64 & 0xff;
		say("SET_STATUS 0x%02" PRIx64, h->status);
		return 0;
	case DEVSIM_VU_REQ_SET_MEM_TABLE:
		/* A refused table is acked as failed; the frontend sees -EIO. */
		*val = regions_map(h, m) == 0 ? 0 : 1;
		return 0;
	case DEVSIM_VU_REQ_SET_VRING_NUM:
		v = vring_of(h, m->payload.state.index, name);
		if (v == NULL)
			return 0;
		if (m->payload.state.num == 0 || m->payload.state.num > HOSTILE_RING_MAX) {
			say("SET_VRING_NUM: size %u refused", m->payload.state.num);
			v->num = 0;
			return 0;
		}
		v->num = m->payload.state.num;
		return 0;
	case DEVSIM_VU_REQ_SET_VRING_BASE:
		v = vring_of(h, m->payload.state.index, name);
		if (v != NULL)
			v->base = m->payload.state.num;
		return 0;
	case DEVSIM_VU_REQ_SET_VRING_ADDR:
		v = vring_of(h, m->payload.addr.index, name);
		if (v == NULL)
			return 0;
		v->desc = m->payload.addr.desc_user_addr;
		v->avail = m->payload.addr.avail_user_addr;
		v->used = m->payload.addr.used_user_addr;
		v->has_addr = true;
		return 0;
	case DEVSIM_VU_REQ_SET_VRING_KICK:
	case DEVSIM_VU_REQ_SET_VRING_CALL:
	case DEVSIM_VU_REQ_SET_VRING_ERR:
		idx = (uint32_t)(m->payload.u64 & DEVSIM_VU_VRING_IDX_MASK);
		v = vring_of(h, idx, name);
		if (v == NULL || m->hdr.request == DEVSIM_VU_REQ_SET_VRING_ERR) {
			devsim_vu_msg_close_fds(m);
			return 0;
		}
		if (m->hdr.request == DEVSIM_VU_REQ_SET_VRING_KICK) {
			vring_close_fd(&v->kick);
			v->kick = m->nfds == 1 ? m->fds[0] : -1;
		} else {
			vring_close_fd(&v->call);
			v->call = m->nfds == 1 ? m->fds[0] : -1;
		}
		m->nfds = 0; /* kept */
		return 0;
	case DEVSIM_VU_REQ_SET_VRING_ENABLE:
		v = vring_of(h, m->payload.state.index, name);
		if (v != NULL)
			v->enabled = m->payload.state.num != 0;
		return 0;
	case DEVSIM_VU_REQ_GET_VRING_BASE:
		v = vring_of(h, m->payload.state.index, name);
		/* Answered by the caller with the index; base in *val. */
		*val = v != NULL ? v->base : 0;
		if (v != NULL) {
			vring_close_fd(&v->kick);
			v->enabled = false;
		}
		return 1;
	default:
		/* SET_OWNER, RESET_OWNER and the like: nothing to keep. */
		devsim_vu_msg_close_fds(m);
		return 0;
	}
}

/* Receive one request and answer it (or not, per --mode). */
static int
serve_one(struct hostile *h)
{
	struct devsim_vu_msg m;
	const struct devsim_vu_req_info *ri;
	uint64_t val = 0;
	bool natural, ack;
	int ret;

	ret = devsim_vu_conn_recv(&h->conn, &m);
	if (ret != 0)
		return ret;
	ri = devsim_vu_req_info(m.hdr.request);
	natural = ri->reply == DEVSIM_VU_REPLY_PAYLOAD;
	ack = !natural && (m.hdr.flags & DEVSIM_VU_FLAG_NEED_REPLY);
	ret = handle_request(h, &m, &val);
	devsim_vu_msg_close_fds(&m);
	h->last_req = m.hdr.request;
	h->last_req_ms = now_ms();
	if (ret < 0)
		return ret;

	if (!h->done && m.hdr.request == h->at && (natural || ack) &&
	    h->mode <= M_BAD_FDS)
		return reply_malformed(h, &m.hdr, val);
	if (natural) {
		if (m.hdr.request == DEVSIM_VU_REQ_GET_VRING_BASE)
			ret = reply_state(h, m.hdr.request, m.payload.state.index,
					  (uint32_t)val);
		else
			ret = reply_u64(h, m.hdr.request, val);
	} else if (ack) {
		ret = reply_u64(h, m.hdr.request, val);
	}
	if (ret == 0 && h->mode == M_UNSOLICITED && !h->done &&
	    m.hdr.request == DEVSIM_VU_REQ_SET_OWNER)
		ret = send_unsolicited(h);
	return ret;
}

/* ---- Main --------------------------------------------------------------- */

static int
listen_on(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		say("socket path too long");
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 || listen(fd, 1) != 0) {
		say("bind/listen %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void
usage(void)
{
	unsigned int i;

	fprintf(stderr, "usage: vu_hostile --socket PATH --mode NAME [--at REQUEST]\nmodes:");
	for (i = 0; i < M_COUNT; i++)
		fprintf(stderr, " %s", mode_names[i]);
	fputc('\n', stderr);
}

static int
parse_args(int argc, char **argv, struct hostile *h, const char **path)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "mode", required_argument, NULL, 'm' },
		{ "at", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	const char *mode = NULL, *at = "GET_FEATURES";
	unsigned int i;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': *path = optarg; break;
		case 'm': mode = optarg; break;
		case 'a': at = optarg; break;
		default: return -1;
		}
	}
	if (*path == NULL || mode == NULL)
		return -1;
	for (i = 0; i < M_COUNT && strcmp(mode, mode_names[i]) != 0; i++)
		;
	if (i == M_COUNT)
		return -1;
	h->mode = i;
	for (i = 1; i < 64; i++)
		if (devsim_vu_req_info(i) != NULL && strcmp(at, devsim_vu_req_name(i)) == 0)
			break;
	if (i == 64) {
		fprintf(stderr, "unknown request %s\n", at);
		return -1;
	}
	h->at = i;
	return 0;
}

int
main(int argc, char **argv)
{
	struct hostile h = { .conn = { .fd = -1 } };
	const char *path = NULL;
	int lfd, fd, ret;
	unsigned int i;

	for (i = 0; i < HOSTILE_VRINGS; i++)
		h.vr[i].kick = h.vr[i].call = -1;
	if (parse_args(argc, argv, &h, &path) != 0) {
		usage();
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	lfd = listen_on(path);
	if (lfd < 0)
		return 1;
	say("mode %s, listening on %s", mode_names[h.mode], path);
	do {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		say("accept: %s", strerror(errno));
		return 1;
	}
	close(lfd);
	unlink(path);
	devsim_vu_conn_attach(&h.conn, fd, &hostile_log);
	say("frontend connected");

	for (;;) {
		struct pollfd pfd = { .fd = h.conn.fd, .events = POLLIN };

		ret = poll(&pfd, 1, HOSTILE_POLL_MS);
		if (ret < 0 && errno != EINTR) {
			say("poll: %s", strerror(errno));
			break;
		}
		if (ret > 0) {
			ret = serve_one(&h);
			if (ret == -ENOTCONN) {
				say("frontend closed the connection");
				ret = 0;
				break;
			}
			if (ret != 0) {
				say("connection error (%d), closing", ret);
				ret = 0;
				break;
			}
		}
		ret = maybe_misbehave(&h);
		if (ret != 0)
			break;
	}
	devsim_vu_conn_close(&h.conn);
	for (i = 0; i < HOSTILE_VRINGS; i++) {
		vring_close_fd(&h.vr[i].kick);
		vring_close_fd(&h.vr[i].call);
	}
	regions_unmap(&h);
	say("exit (%s)", h.done ? "misbehaved" : "never misbehaved");
	return ret == 0 ? 0 : 1;
}
