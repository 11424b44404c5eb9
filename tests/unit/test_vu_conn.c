/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * vhost-user connection and frontend against a fake backend on a
 * socketpair: message order, protocol feature negotiation, fd passing
 * and short reads. A peer that closes, lies, nacks or stays silent, and
 * connecting by path, are in test_vu_conn_hostile.c.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tu_sendmsg.h"
#include "vu_conn_test_util.h"

/* ---- Handshake ------------------------------------------------------- */

static void
test_open_sequence_full(void **state)
{
	static const uint32_t want[] = {
		DEVSIM_VU_REQ_SET_OWNER, DEVSIM_VU_REQ_GET_FEATURES,
		DEVSIM_VU_REQ_GET_PROTOCOL_FEATURES,
		DEVSIM_VU_REQ_SET_PROTOCOL_FEATURES, DEVSIM_VU_REQ_GET_QUEUE_NUM,
		DEVSIM_VU_REQ_SET_FEATURES, DEVSIM_VU_REQ_SET_STATUS,
		DEVSIM_VU_REQ_GET_STATUS, /* FEATURES_OK kept? */
	};
	struct fake_vhost_cfg cfg = full_cfg();
	struct devsim_backend_info info;
	struct devsim_backend *be;
	struct fake_vhost *f;
	unsigned int i;

	(void)state;
	f = open_fake(&cfg, &be, &info, 0);
	assert_true(info.features == (F_VERSION_1 | F_NET_MAC | F_NET_MRG));
	assert_int_equal(info.max_vrings, 8);
	assert_int_equal(info.max_mem_regions, 8);
	assert_int_equal(ops->event_fd(be) >= 0, 1);

	/* MAC is emulated by the device; bit 40 nobody offered. */
	assert_int_equal(ops->set_features(be, F_VERSION_1 | F_NET_MAC |
					   BIT(40)), 0);
	assert_int_equal(ops->set_status(be, 0x0f), 0);
	ops->close(be);
	fake_vhost_stop(f);

	assert_int_equal(fake_vhost_invalid(f), 0);
	assert_int_equal(fake_vhost_count(f), sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct fake_vhost_rec *r = rec(f, i);
		bool is_set = r->request != DEVSIM_VU_REQ_GET_FEATURES &&
			      r->request != DEVSIM_VU_REQ_GET_PROTOCOL_FEATURES &&
			      r->request != DEVSIM_VU_REQ_GET_QUEUE_NUM &&
			      r->request != DEVSIM_VU_REQ_GET_STATUS;

		assert_int_equal(r->request, want[i]);
		assert_int_equal(r->nfds, 0);
		/*
		 * NEED_REPLY only on SET_* sent after REPLY_ACK was
		 * negotiated (i.e. after SET_PROTOCOL_FEATURES).
		 */
		assert_int_equal(r->flags, (is_set && i > 3) ? 0x9 : 0x1);
	}
	assert_true(rec_u64(rec(f, 3)) == PF_USED);
	assert_true(rec_u64(rec(f, 5)) == (F_VERSION_1 | F_NET_MAC | F_PROTO));
	assert_true(rec_u64(rec(f, 6)) == 0x0f);
	assert_int_equal(fake_vhost_status(f), 0x0f);
	fake_vhost_free(f);
}

/* A backend that drops FEATURES_OK makes set_status fail: the device
 * model then shows the driver FEATURES_OK refused. */
static void
test_status_features_ok_refused(void **state)
{
	struct fake_vhost_cfg cfg = full_cfg();
	struct devsim_backend_info info;
	struct devsim_backend *be;
	struct fake_vhost *f;

	(void)state;
	cfg.status_refuse = 0x08;
	f = open_fake(&cfg, &be, &info, 0);
	assert_int_equal(ops->set_status(be, 0x03), 0);
	assert_int_equal(ops->set_status(be, 0x0b), -EIO);
	ops->close(be);
	fake_vhost_stop(f);
	assert_int_equal(fake_vhost_invalid(f), 0);
	assert_int_equal(fake_vhost_status(f), 0x03);
	fake_vhost_free(f);
}

static void
test_open_without_protocol_features(void **state)
{
	struct fake_vhost_cfg cfg = full_cfg();
	struct devsim_vring_cfg vc = { .num = 256, .desc = 0x1000,
				       .avail = 0x2000, .used = 0x3000 };
	struct devsim_backend_info info;
	struct devsim_backend *be;
	struct fake_vhost *f;
	uint32_t base = 0;
	unsigned int i;

	(void)state;
	cfg.features &= ~F_PROTO;
	f = open_fake(&cfg, &be, &info, 0);
	assert_int_equal(info.max_vrings, 2);
	assert_true(info.features == (F_VERSION_1 | F_NET_MAC | F_NET_MRG));

	vc.kick_fd = eventfd(0, EFD_CLOEXEC);
	vc.call_fd = eventfd(0, EFD_CLOEXEC);
	assert_int_equal(ops->set_features(be, F_VERSION_1), 0);
	assert_int_equal(ops->set_status(be, 0x0f), 0);  /* no STATUS: no-op */
	assert_int_equal(ops->vring_start(be, 1, &vc), 0);
	assert_int_equal(ops->vring_start(be, 2, &vc), -EINVAL); /* 2 vrings */
	assert_int_equal(ops->vring_stop(be, 1, &base), 0);
	assert_int_equal(base, 0x8123);
	ops->close(be);
	fake_vhost_stop(f);

	/* OWNER, FEATURES x2, NUM, BASE, ADDR, KICK, CALL, GET_BASE. */
	assert_int_equal(fake_vhost_count(f), 9);
	assert_int_equal(rec(f, 1)->request, DEVSIM_VU_REQ_GET_FEATURES);
	assert_int_equal(rec(f, 2)->request, DEVSIM_VU_REQ_SET_FEATURES);
	assert_true(rec_u64(rec(f, 2)) == F_VERSION_1); /* no bit 30 */
	assert_int_equal(rec(f, 7)->request, DEVSIM_VU_REQ_SET_VRING_CALL);
	assert_int_equal(rec(f, 8)->request, DEVSIM_VU_REQ_GET_VRING_BASE);
	for (i = 0; i < 9; i++)
		assert_int_equal(rec(f, i)->flags, 0x1);
	fake_vhost_free(f);
	close(vc.kick_fd);
	close(vc.call_fd);
}

static void
test_protocol_without_reply_ack(void **state)
{
	struct fake_vhost_cfg cfg = full_cfg();
	struct devsim_backend_info info;
	struct devsim_backend *be;
	struct fake_vhost *f;

	(void)state;
	cfg.protocol_features = BIT(DEVSIM_VU_PF_STATUS);
	f = open_fake(&cfg, &be, &info, 0);
	assert_int_equal(info.max_vrings, 2); /* no MQ */
	assert_int_equal(ops->set_status(be, 0x07), 0);
	ops->close(be);
	fake_vhost_stop(f);

	/* OWNER, FEATURES, GET_PF, SET_PF, SET_STATUS: no GET_QUEUE_NUM */
	assert_int_equal(fake_vhost_count(f), 5);
	assert_true(rec_u64(rec(f, 3)) == BIT(DEVSIM_VU_PF_STATUS));
	assert_int_equal(rec(f, 4)->request, DEVSIM_VU_REQ_SET_STATUS);
	assert_int_equal(rec(f, 4)->flags, 0x1);
	fake_vhost_free(f);
}

/* ---- Vrings and memory: fd passing ------------------------------------ */

static void
test_mem_table_and_vrings(void **state)
{
	struct fake_vhost_cfg cfg = full_cfg();
	struct devsim_backend_info info;
	struct devsim_backend *be;
	struct fake_vhost *f;
	struct devsim_mem_region mr[2];
	struct devsim_vring_cfg vc = { .num = 512, .base = 7, .desc = 0x7f0000001000,
				       .avail = 0x7f0000003000,
				       .used = 0x7f0000004000 };
	struct stat st[4];
	const struct fake_vhost_rec *r;
	uint32_t idx, num, base = 0;
	uint64_t v;
	unsigned int i, fds_before;

	(void)state;
	fds_before = count_fds();
	mr[0] = (struct devsim_mem_region){ .addr = 0x7f0000000000, .size = 0x200000,
					    .fd = memfd_create("a", MFD_CLOEXEC),
					    .fd_offset = 0 };
	mr[1] = (struct devsim_mem_region){ .addr = 0x7f1000000000, .size = 0x1000,
					    .fd = memfd_create("b", MFD_CLOEXEC),
					    .fd_offset = 0x3000 };
	vc.kick_fd = eventfd(0, EFD_CLOEXEC);
	vc.call_fd = eventfd(0, EFD_CLOEXEC);
	fstat(mr[0].fd, &st[0]);
	fstat(mr[1].fd, &st[1]);
	fstat(vc.kick_fd, &st[2]);
	fstat(vc.call_fd, &st[3]);

	f = open_fake(&cfg, &be, &info, 0);
	assert_int_equal(ops->set_mem_table(be, mr, 2), 0);
	assert_int_equal(ops->vring_start(be, 3, &vc), 0);
	assert_int_equal(ops->vring_stop(be, 3, &base), 0);
	assert_int_equal(base, 0x8123);
	assert_int_equal(ops->set_mem_table(be, mr, 9), -E2BIG);
	assert_int_equal(ops->vring_start(be, 8, &vc), -EINVAL);
	ops->close(be);
	fake_vhost_stop(f);
	assert_int_equal(fake_vhost_invalid(f), 0);

	/* 5 handshake messages first */
	r = rec(f, 5);
	assert_int_equal(r->request, DEVSIM_VU_REQ_SET_MEM_TABLE);
	assert_int_equal(r->flags, 0x9);
	assert_int_equal(r->size, 8 + 2 * 32);
	assert_int_equal(r->nfds, 2);
	assert_true(r->fd_num[0] != r->fd_num[1]);
	assert_true(r->fd_num[0] != mr[0].fd && r->fd_num[1] != mr[1].fd);
	for (i = 0; i < 2; i++) {
		struct devsim_vu_mem_region wr;

		assert_true(r->fd_dev[i] == st[i].st_dev);
		assert_true(r->fd_ino[i] == st[i].st_ino);
		memcpy(&wr, r->payload + 8 + i * 32, sizeof(wr));
		assert_true(wr.guest_phys_addr == mr[i].addr);
		assert_true(wr.userspace_addr == mr[i].addr);
		assert_true(wr.memory_size == mr[i].size);
		assert_true(wr.mmap_offset == mr[i].fd_offset);
	}

	rec_state(rec(f, 6), &idx, &num);
	assert_int_equal(rec(f, 6)->request, DEVSIM_VU_REQ_SET_VRING_NUM);
	assert_int_equal(idx, 3);
	assert_int_equal(num, 512);
	rec_state(rec(f, 7), &idx, &num);
	assert_int_equal(rec(f, 7)->request, DEVSIM_VU_REQ_SET_VRING_BASE);
	assert_int_equal(num, 7);

	r = rec(f, 8);
	assert_int_equal(r->request, DEVSIM_VU_REQ_SET_VRING_ADDR);
	{
		struct devsim_vu_vring_addr a;

		memcpy(&a, r->payload, sizeof(a));
		assert_int_equal(a.index, 3);
		assert_int_equal(a.flags, 0);
		assert_true(a.desc_user_addr == vc.desc);
		assert_true(a.avail_user_addr == vc.avail);
		assert_true(a.used_user_addr == vc.used);
	}
	for (i = 0; i < 2; i++) {
		r = rec(f, 9 + i);
		assert_int_equal(r->request, i == 0 ? DEVSIM_VU_REQ_SET_VRING_KICK :
				 DEVSIM_VU_REQ_SET_VRING_CALL);
		assert_int_equal(r->nfds, 1);
		assert_true(r->fd_dev[0] == st[2 + i].st_dev);
		assert_true(r->fd_ino[0] == st[2 + i].st_ino);
		memcpy(&v, r->payload, 8);
		assert_true(v == 3);
		assert_int_equal(r->flags, 0x9);
	}
	rec_state(rec(f, 11), &idx, &num);
	assert_int_equal(rec(f, 11)->request, DEVSIM_VU_REQ_SET_VRING_ENABLE);
	assert_int_equal(num, 1);
	rec_state(rec(f, 12), &idx, &num);
	assert_int_equal(rec(f, 12)->request, DEVSIM_VU_REQ_SET_VRING_ENABLE);
	assert_int_equal(num, 0);
	assert_int_equal(rec(f, 13)->request, DEVSIM_VU_REQ_GET_VRING_BASE);
	assert_int_equal(rec(f, 13)->flags, 0x1); /* never NEED_REPLY on GET */
	assert_int_equal(fake_vhost_count(f), 14);
	fake_vhost_free(f);

	/* The caller's fds are still its own and still open. */
	assert_same_file(mr[0].fd, st[0].st_dev, st[0].st_ino);
	assert_same_file(vc.call_fd, st[3].st_dev, st[3].st_ino);
	close(mr[0].fd);
	close(mr[1].fd);
	close(vc.kick_fd);
	close(vc.call_fd);
	assert_int_equal(count_fds(), fds_before);
}

/* ---- Short reads ------------------------------------------------------- */

static void
test_replies_in_pieces(void **state)
{
	struct fake_vhost_cfg cfg = full_cfg();
	struct devsim_backend_info info;
	struct devsim_backend *be;
	struct fake_vhost *f;
	uint32_t base = 0;
	size_t chunk;

	(void)state;
	for (chunk = 1; chunk <= 13; chunk += 4) {
		cfg.write_chunk = chunk;
		f = open_fake(&cfg, &be, &info, 0);
		assert_int_equal(info.max_vrings, 8);
		assert_true(info.features == (F_VERSION_1 | F_NET_MAC | F_NET_MRG));
		assert_int_equal(ops->set_status(be, 1), 0);
		assert_int_equal(ops->vring_stop(be, 0, &base), 0);
		assert_int_equal(base, 0x8123);
		ops->close(be);
		fake_vhost_free(f);
	}
}

/* Send @len bytes in pieces [0,a) [a,b) [b,len), fds on the first. */
static void
send_pieces(int sock, const uint8_t *buf, size_t len, size_t a, size_t b,
	    const int *fds, unsigned int nfds)
{
	size_t cut[3] = { a, b, len }, off = 0;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		assert_int_equal(tu_sendmsg_fds(sock, buf + off, cut[i] - off, fds,
						i == 0 ? nfds : 0, 0),
				 (ssize_t)(cut[i] - off));
		off = cut[i];
	}
}

/*
 * The kernel never merges a chunk carrying fds with the next one, so the
 * first recvmsg is short; the message must still come out whole, with its
 * fd, and the following message must stay untouched.
 */
static void
test_conn_recv_pieces_with_fd(void **state)
{
	struct devsim_vu_conn c;
	struct devsim_vu_msg m, out;
	uint8_t buf[DEVSIM_VU_MSG_MAX];
	struct stat st;
	int sv[2], efd, n;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	devsim_vu_conn_attach(&c, sv[0], &tlog);
	efd = eventfd(0, EFD_CLOEXEC);
	fstat(efd, &st);

	devsim_vu_msg_vring_fd(&m, DEVSIM_VU_REQ_SET_VRING_CALL, 2, efd);
	n = devsim_vu_msg_encode(&m, buf, sizeof(buf));
	assert_int_equal(n, 20);
	/* then a second message right behind it */
	devsim_vu_msg_u64(&m, DEVSIM_VU_REQ_SET_FEATURES, 0x42);
	assert_int_equal(devsim_vu_msg_encode(&m, buf + 20, sizeof(buf) - 20), 20);
	send_pieces(sv[1], buf, 40, 5, 14, &efd, 1);
	close(efd);

	assert_int_equal(devsim_vu_conn_recv(&c, &out), 0);
	assert_int_equal(out.hdr.request, DEVSIM_VU_REQ_SET_VRING_CALL);
	assert_int_equal(out.nfds, 1);
	assert_same_file(out.fds[0], st.st_dev, st.st_ino);
	assert_true(out.payload.u64 == 2);
	devsim_vu_msg_close_fds(&out);
	assert_int_equal(devsim_vu_conn_recv(&c, &out), 0);
	assert_int_equal(out.hdr.request, DEVSIM_VU_REQ_SET_FEATURES);
	assert_true(out.payload.u64 == 0x42);
	assert_int_equal(out.nfds, 0);

	devsim_vu_conn_close(&c);
	close(sv[1]);
}

/* A peer that attaches the wrong number of fds loses them all. */
static void
test_conn_recv_stray_fds(void **state)
{
	struct devsim_vu_conn c;
	struct devsim_vu_msg m, out;
	uint8_t buf[DEVSIM_VU_MSG_MAX];
	int sv[2], efd[12], i, n;
	unsigned int before;

	(void)state;
	before = count_fds();
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	devsim_vu_conn_attach(&c, sv[0], &tlog);
	for (i = 0; i < 12; i++)
		efd[i] = eventfd(0, EFD_CLOEXEC);

	/* SET_VRING_CALL with two fds */
	devsim_vu_msg_vring_fd(&m, DEVSIM_VU_REQ_SET_VRING_CALL, 0, efd[0]);
	n = devsim_vu_msg_encode(&m, buf, sizeof(buf));
	send_pieces(sv[1], buf, (size_t)n, 1, 2, efd, 2);
	assert_int_equal(devsim_vu_conn_recv(&c, &out), -EPROTO);
	assert_int_equal(out.nfds, 0);

	/* a GET_FEATURES reply with 12 fds: more than any message may carry */
	devsim_vu_msg_u64(&m, DEVSIM_VU_REQ_GET_FEATURES, 1);
	m.hdr.flags |= DEVSIM_VU_FLAG_REPLY;
	n = devsim_vu_msg_encode(&m, buf, sizeof(buf));
	assert_int_equal(n, 20);
	send_pieces(sv[1], buf, (size_t)n, 1, 2, efd, 12);
	assert_int_equal(devsim_vu_conn_recv(&c, &out), -EPROTO);

	for (i = 0; i < 12; i++)
		close(efd[i]);
	devsim_vu_conn_close(&c);
	close(sv[1]);
	assert_int_equal(count_fds(), before);
}

static void
test_conn_send_invalid(void **state)
{
	struct devsim_vu_conn c;
	struct devsim_vu_msg m;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	devsim_vu_conn_attach(&c, sv[0], &tlog);
	devsim_vu_msg_state(&m, DEVSIM_VU_REQ_SET_VRING_ENABLE, 0, 5);
	assert_int_equal(devsim_vu_conn_send(&c, &m), -EINVAL);
	devsim_vu_conn_close(&c);
	assert_int_equal(devsim_vu_conn_send(&c, &m), -ENOTCONN);
	close(sv[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_sequence_full),
		cmocka_unit_test(test_status_features_ok_refused),
		cmocka_unit_test(test_open_without_protocol_features),
		cmocka_unit_test(test_protocol_without_reply_ack),
		cmocka_unit_test(test_mem_table_and_vrings),
		cmocka_unit_test(test_replies_in_pieces),
		cmocka_unit_test(test_conn_recv_pieces_with_fd),
		cmocka_unit_test(test_conn_recv_stray_fds),
		cmocka_unit_test(test_conn_send_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
