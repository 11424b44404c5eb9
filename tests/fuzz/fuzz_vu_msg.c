/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * Fuzz target for the vhost-user codec (vu_msg.c) and the receive side of
 * the connection layer (vu_conn.c): everything a hostile backend can send.
 *
 * Input: one control byte, then the body.
 *   ctl bits 0-3  number of (fake) fds that came with the message
 *   ctl bit 4     the request the reply is matched against had NEED_REPLY
 *   ctl bit 5     stream mode: the body is a byte stream from the backend
 *                 (see feed_stream()); otherwise it is one message
 *
 * Message mode checks: every decode/validate result is 0 or -EPROTO with a
 * reason; what decodes re-encodes to the same bytes and decodes again to
 * the same struct; a struct that encodes decodes back to itself; a message
 * accepted as a reply really answers the request.
 *
 * Stream mode checks: devsim_vu_conn_recv() never consumes a byte past the
 * message it returns, hands over only valid messages with open fds, and no
 * fd leaks whatever arrives (fds beyond the limit, fds on bad messages).
 */

#include <errno.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "tu_sendmsg.h"
#include "vu_conn.h"
#include "vu_msg.h"

#define CTL_NFDS_MASK   0x0fu
#define CTL_NEED_REPLY  0x10u
#define CTL_STREAM      0x20u

/* Codec fds are plain numbers: it never touches them. */
#define FAKE_FD_BASE 1000

/* Bounds of stream mode, far below the socket buffer. */
#define STREAM_BYTES_MAX  (64 * 1024)
#define STREAM_MSGS_MAX   64
#define SEG_FDS_MAX       12

static void
check_err(int rc, const char *why)
{
	FUZZ_CHECK(rc == 0 || rc == -EPROTO);
	if (rc != 0)
		FUZZ_CHECK(why != NULL && why[0] != '\0');
}

/* decode(x) ok => encode gives x back, and decoding that gives the struct. */
static void
check_round_trip(const struct devsim_vu_msg *m, const uint8_t *bytes,
		 size_t len)
{
	uint8_t buf[DEVSIM_VU_MSG_MAX];
	struct devsim_vu_msg back;
	const char *why = NULL;
	int n;

	FUZZ_CHECK(devsim_vu_msg_validate(m, &why) == 0);
	n = devsim_vu_msg_encode(m, buf, sizeof(buf));
	FUZZ_CHECK(n == (int)len);
	FUZZ_CHECK(memcmp(buf, bytes, len) == 0);
	FUZZ_CHECK(devsim_vu_msg_decode(buf, (size_t)n, m->fds, m->nfds, &back,
					&why) == 0);
	FUZZ_CHECK(memcmp(&back, m, sizeof(back)) == 0);
	/* One byte short never writes past the buffer. */
	FUZZ_CHECK(devsim_vu_msg_encode(m, buf, len - 1) == -ENOBUFS);
}

/* A reply the codec accepts answers @req in every respect. */
static void
check_reply(const struct devsim_vu_msg *m, uint8_t ctl)
{
	struct devsim_vu_hdr req = {
		.request = m->hdr.request,
		.flags = DEVSIM_VU_VERSION |
			 ((ctl & CTL_NEED_REPLY) ? DEVSIM_VU_FLAG_NEED_REPLY : 0),
		.size = 0,
	};
	const struct devsim_vu_req_info *ri;
	const char *why = NULL;
	int rc;

	rc = devsim_vu_msg_is_reply_for(m, &req, &why);
	check_err(rc, why);
	if (rc != 0)
		return;
	ri = devsim_vu_req_info(m->hdr.request);
	FUZZ_CHECK(ri != NULL);
	FUZZ_CHECK(devsim_vu_msg_expects_reply(&req));
	FUZZ_CHECK(m->hdr.flags & DEVSIM_VU_FLAG_REPLY);
	FUZZ_CHECK(!(m->hdr.flags & DEVSIM_VU_FLAG_NEED_REPLY));
	FUZZ_CHECK(m->nfds == 0);
	FUZZ_CHECK(m->hdr.size == (ri->reply == DEVSIM_VU_REPLY_PAYLOAD ?
				   ri->reply_size : DEVSIM_VU_U64_SIZE));

	/* The same message never answers a different request. */
	req.request = m->hdr.request + 1;
	FUZZ_CHECK(devsim_vu_msg_is_reply_for(m, &req, &why) == -EPROTO);
}

/* Any struct the encoder accepts decodes back to itself. */
static void
check_encode_raw(const uint8_t *body, size_t len, unsigned int nfds)
{
	uint8_t buf[DEVSIM_VU_MSG_MAX];
	struct devsim_vu_msg m, back;
	const char *why = NULL;
	unsigned int i;
	size_t cp;
	int n, rc;

	memset(&m, 0, sizeof(m));
	cp = len < sizeof(m.hdr) + sizeof(m.payload) ?
	     len : sizeof(m.hdr) + sizeof(m.payload);
	memcpy(&m.hdr, body, cp < sizeof(m.hdr) ? cp : sizeof(m.hdr));
	if (cp > sizeof(m.hdr))
		memcpy(m.payload.raw, body + sizeof(m.hdr), cp - sizeof(m.hdr));
	for (i = 0; i < DEVSIM_VU_FDS_MAX; i++)
		m.fds[i] = FAKE_FD_BASE + (int)i;
	m.nfds = nfds;

	rc = devsim_vu_msg_validate(&m, &why);
	check_err(rc, why);
	n = devsim_vu_msg_encode(&m, buf, sizeof(buf));
	FUZZ_CHECK(n == -EINVAL || n > 0);
	FUZZ_CHECK((n > 0) == (rc == 0 && nfds <= DEVSIM_VU_FDS_MAX));
	if (n < 0)
		return;
	FUZZ_CHECK((size_t)n == DEVSIM_VU_HDR_SIZE + m.hdr.size);
	FUZZ_CHECK(devsim_vu_msg_decode(buf, (size_t)n, m.fds, m.nfds, &back,
					&why) == 0);
	FUZZ_CHECK(memcmp(&back.hdr, &m.hdr, sizeof(m.hdr)) == 0);
	FUZZ_CHECK(memcmp(back.payload.raw, m.payload.raw, m.hdr.size) == 0);
	FUZZ_CHECK(back.nfds == m.nfds);
	FUZZ_CHECK(memcmp(back.fds, m.fds, m.nfds * sizeof(int)) == 0);
}

static void
fuzz_message(const uint8_t *body, size_t len, uint8_t ctl)
{
	int fds[CTL_NFDS_MASK + 1];
	unsigned int nfds = ctl & CTL_NFDS_MASK, i;
	struct devsim_vu_msg m;
	struct devsim_vu_hdr hdr;
	const char *why = NULL;
	int rc;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		fds[i] = FAKE_FD_BASE + (int)i;

	if (len >= DEVSIM_VU_HDR_SIZE) {
		rc = devsim_vu_hdr_decode(body, &hdr, &why);
		check_err(rc, why);
		if (rc == 0) {
			FUZZ_CHECK(hdr.size <= DEVSIM_VU_PAYLOAD_MAX);
			FUZZ_CHECK(devsim_vu_req_info(hdr.request) != NULL);
		}
	}

	why = NULL;
	rc = devsim_vu_msg_decode(body, len, fds, nfds, &m, &why);
	check_err(rc, why);
	FUZZ_CHECK(devsim_vu_req_name(m.hdr.request) != NULL);
	if (rc == 0) {
		FUZZ_CHECK(m.nfds == nfds && nfds <= DEVSIM_VU_FDS_MAX);
		check_round_trip(&m, body, len);
		check_reply(&m, ctl);
	}
	check_encode_raw(body, len, nfds);
}

/* ---- stream mode --------------------------------------------------------- */

/* An fd to pass around; opened once, never counted as a leak. */
static int
passed_fd(void)
{
	static int fd = -1;

	if (fd < 0)
		fd = eventfd(0, EFD_CLOEXEC);
	FUZZ_CHECK(fd >= 0);
	return fd;
}

/* Send @len bytes with @nfds copies of the passed fd; returns bytes sent. */
static size_t
send_segment(int sock, const uint8_t *p, size_t len, unsigned int nfds)
{
	int fds[SEG_FDS_MAX];
	unsigned int i;
	ssize_t n;

	for (i = 0; i < nfds; i++)
		fds[i] = passed_fd();
	n = tu_sendmsg_fds(sock, p, len, fds, nfds, MSG_DONTWAIT | MSG_NOSIGNAL);
	return n > 0 ? (size_t)n : 0;
}

/*
 * The body is a list of segments, each sent with one sendmsg():
 *   u8 ctl (bits 0-3: fds attached, at most SEG_FDS_MAX), u8 len, len bytes
 * A segment of length 0 carries no fds (a stream socket cannot).
 */
static size_t
feed_stream(int sock, struct fuzz_in *in)
{
	size_t total = 0;

	while (in->left > 0 && total < STREAM_BYTES_MAX) {
		unsigned int nfds = fuzz_u8(in) & CTL_NFDS_MASK;
		size_t len = fuzz_u8(in);

		if (len > in->left)
			len = in->left;
		if (nfds > SEG_FDS_MAX)
			nfds = SEG_FDS_MAX;
		if (len == 0)
			continue;
		total += send_segment(sock, in->p, len, nfds);
		in->p += len;
		in->left -= len;
	}
	return total;
}

static void
fuzz_stream(const uint8_t *body, size_t len)
{
	struct fuzz_in in = { .p = body, .left = len };
	struct devsim_log log = { .fn = NULL, .opaque = NULL };
	struct devsim_vu_conn c;
	struct devsim_vu_msg m;
	size_t written, consumed = 0;
	unsigned int i, k;
	int sv[2], fds_before, rc, inq;

	passed_fd();
	fds_before = fuzz_fd_count();
	FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	written = feed_stream(sv[1], &in);
	/* EOF after the data: recv ends with -ENOTCONN, never waits. */
	close(sv[1]);

	devsim_vu_conn_attach(&c, sv[0], &log);
	for (k = 0; k < STREAM_MSGS_MAX; k++) {
		memset(&m, 0xa5, sizeof(m));
		rc = devsim_vu_conn_recv(&c, &m);
		if (rc != 0) {
			FUZZ_CHECK(rc == -ENOTCONN || rc == -EPROTO);
			FUZZ_CHECK(m.nfds == 0);
			break;
		}
		FUZZ_CHECK(devsim_vu_msg_validate(&m, NULL) == 0);
		FUZZ_CHECK(m.nfds <= DEVSIM_VU_FDS_MAX);
		for (i = 0; i < m.nfds; i++)
			FUZZ_CHECK(fcntl(m.fds[i], F_GETFD) == FD_CLOEXEC);
		/* Exactly this message was consumed, not a byte more. */
		consumed += DEVSIM_VU_HDR_SIZE + m.hdr.size;
		FUZZ_CHECK(ioctl(sv[0], FIONREAD, &inq) == 0);
		FUZZ_CHECK(consumed <= written &&
			   (size_t)inq == written - consumed);
		devsim_vu_msg_close_fds(&m);
	}
	devsim_vu_conn_close(&c);
	FUZZ_CHECK(c.fd == -1);
	FUZZ_CHECK(fuzz_fd_count() == fds_before);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t ctl;

	if (size == 0)
		return 0;
	ctl = data[0];
	if (ctl & CTL_STREAM)
		fuzz_stream(data + 1, size - 1);
	else
		fuzz_message(data + 1, size - 1, ctl);
	return 0;
}
