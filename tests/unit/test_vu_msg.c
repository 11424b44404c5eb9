/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
/*
 * vhost-user codec: golden bytes for what we send, and rejection of every
 * malformed header, payload and reply a hostile backend could produce.
 * Golden bytes are little-endian (vhost-user uses host order; x86/arm64).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "vu_msg.h"

#define LE32(v) (uint8_t)(v), (uint8_t)((v) >> 8), (uint8_t)((v) >> 16), \
		(uint8_t)((v) >> 24)
#define LE64(v) LE32((uint32_t)(v)), LE32((uint32_t)((uint64_t)(v) >> 32))

static int
require_le(void **state)
{
	(void)state;
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
	skip();
#endif
	return 0;
}

/* Encode @m and compare with @want; also check it decodes back. */
static void
check_golden(const struct devsim_vu_msg *m, const uint8_t *want, size_t len)
{
	uint8_t buf[DEVSIM_VU_MSG_MAX];
	struct devsim_vu_msg back;
	const char *why = NULL;
	int n;

	n = devsim_vu_msg_encode(m, buf, sizeof(buf));
	assert_int_equal(n, (int)len);
	assert_memory_equal(buf, want, len);
	assert_int_equal(devsim_vu_msg_decode(buf, len, m->fds, m->nfds, &back,
					      &why), 0);
	assert_int_equal(back.hdr.request, m->hdr.request);
	assert_int_equal(back.hdr.size, m->hdr.size);
	assert_memory_equal(back.payload.raw, m->payload.raw, m->hdr.size);
}

static void
test_request_numbers(void **state)
{
	(void)state;
	/* QEMU docs/interop/vhost-user.rst, DPDK lib/vhost/vhost_user.h */
	assert_int_equal(DEVSIM_VU_REQ_GET_FEATURES, 1);
	assert_int_equal(DEVSIM_VU_REQ_SET_MEM_TABLE, 5);
	assert_int_equal(DEVSIM_VU_REQ_SET_VRING_ERR, 14);
	assert_int_equal(DEVSIM_VU_REQ_SET_VRING_ENABLE, 18);
	assert_int_equal(DEVSIM_VU_REQ_GET_MAX_MEM_SLOTS, 36);
	assert_int_equal(DEVSIM_VU_REQ_SET_STATUS, 39);
	assert_int_equal(DEVSIM_VU_REQ_GET_STATUS, 40);
	assert_int_equal(DEVSIM_VU_PF_REPLY_ACK, 3);
	assert_int_equal(DEVSIM_VU_PF_STATUS, 16);
	assert_int_equal(DEVSIM_VU_F_PROTOCOL_FEATURES, 30);
}

static void
test_table(void **state)
{
	static const uint32_t needed[] = { 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13,
					   14, 15, 16, 17, 18, 36, 39, 40 };
	const struct devsim_vu_req_info *ri;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		ri = devsim_vu_req_info(needed[i]);
		assert_non_null(ri);
		assert_int_equal(ri->request, needed[i]);
		assert_true(ri->min_size <= ri->max_size);
		assert_true(ri->max_size <= DEVSIM_VU_PAYLOAD_MAX);
	}
	assert_string_equal(devsim_vu_req_name(9), "SET_VRING_ADDR");
	assert_string_equal(devsim_vu_req_name(39), "SET_STATUS");
	assert_string_equal(devsim_vu_req_name(0), "UNKNOWN");
	assert_string_equal(devsim_vu_req_name(23), "UNKNOWN");
	assert_string_equal(devsim_vu_req_name(0xffffffffu), "UNKNOWN");
	assert_null(devsim_vu_req_info(41));
	/* GET_* have natural replies, SET_* only acks. */
	assert_int_equal(devsim_vu_req_info(11)->reply, DEVSIM_VU_REPLY_PAYLOAD);
	assert_int_equal(devsim_vu_req_info(11)->reply_size, 8);
	assert_int_equal(devsim_vu_req_info(39)->reply, DEVSIM_VU_REPLY_ACK);
}

static void
test_golden_vring_addr(void **state)
{
	static const uint8_t want[] = {
		LE32(9), LE32(1), LE32(40),
		LE32(1), LE32(0),
		LE64(0x1122334455667788ull),
		LE64(0x7f0000001000ull),
		LE64(0x7f0000002000ull),
		LE64(0),
	};
	struct devsim_vu_msg m;

	(void)state;
	devsim_vu_msg_addr(&m, 1, 0x1122334455667788ull, 0x7f0000001000ull,
			   0x7f0000002000ull);
	check_golden(&m, want, sizeof(want));
	/* Spot-check raw positions independently of the macros. */
	assert_int_equal(want[12 + 8], 0x88);
	assert_int_equal(want[12 + 15], 0x11);
}

static void
test_golden_simple(void **state)
{
	static const uint8_t get_features[] = { LE32(1), LE32(1), LE32(0) };
	static const uint8_t set_features_ack[] = {
		LE32(2), LE32(0x9), LE32(8), LE64(0x140000000ull) };
	static const uint8_t vring_num[] = {
		LE32(8), LE32(1), LE32(8), LE32(2), LE32(256) };
	static const uint8_t enable[] = {
		LE32(18), LE32(1), LE32(8), LE32(3), LE32(1) };
	static const uint8_t status[] = {
		LE32(39), LE32(1), LE32(8), LE64(0xf) };
	struct devsim_vu_msg m;

	(void)state;
	devsim_vu_msg_none(&m, DEVSIM_VU_REQ_GET_FEATURES);
	check_golden(&m, get_features, sizeof(get_features));
	devsim_vu_msg_u64(&m, DEVSIM_VU_REQ_SET_FEATURES, 0x140000000ull);
	m.hdr.flags |= DEVSIM_VU_FLAG_NEED_REPLY;
	check_golden(&m, set_features_ack, sizeof(set_features_ack));
	devsim_vu_msg_state(&m, DEVSIM_VU_REQ_SET_VRING_NUM, 2, 256);
	check_golden(&m, vring_num, sizeof(vring_num));
	devsim_vu_msg_state(&m, DEVSIM_VU_REQ_SET_VRING_ENABLE, 3, 1);
	check_golden(&m, enable, sizeof(enable));
	devsim_vu_msg_u64(&m, DEVSIM_VU_REQ_SET_STATUS, 0xf);
	check_golden(&m, status, sizeof(status));
}

static void
test_golden_vring_fd(void **state)
{
	static const uint8_t kick[] = { LE32(12), LE32(1), LE32(8), LE64(3) };
	static const uint8_t call_nofd[] = {
		LE32(13), LE32(1), LE32(8), LE64(0x105) };
	struct devsim_vu_msg m;

	(void)state;
	devsim_vu_msg_vring_fd(&m, DEVSIM_VU_REQ_SET_VRING_KICK, 3, 7);
	assert_int_equal(m.nfds, 1);
	assert_int_equal(m.fds[0], 7);
	check_golden(&m, kick, sizeof(kick));
	devsim_vu_msg_vring_fd(&m, DEVSIM_VU_REQ_SET_VRING_CALL, 5, -1);
	assert_int_equal(m.nfds, 0);
	check_golden(&m, call_nofd, sizeof(call_nofd));
}

static void
test_golden_mem_table(void **state)
{
	static const uint8_t want[] = {
		LE32(5), LE32(1), LE32(8 + 2 * 32),
		LE32(2), LE32(0),
		LE64(0x7f0000000000ull), LE64(0x200000), LE64(0x7f0000000000ull),
		LE64(0),
		LE64(0x7f1000000000ull), LE64(0x1000), LE64(0x7f1000000000ull),
		LE64(0x3000),
	};
	struct devsim_vu_mem_region r[2] = {
		{ 0x7f0000000000ull, 0x200000, 0x7f0000000000ull, 0 },
		{ 0x7f1000000000ull, 0x1000, 0x7f1000000000ull, 0x3000 },
	};
	int fds[2] = { 10, 11 };
	struct devsim_vu_msg m;

	(void)state;
	assert_int_equal(devsim_vu_msg_mem_table(&m, r, fds, 2), 0);
	assert_int_equal(m.nfds, 2);
	check_golden(&m, want, sizeof(want));
	assert_int_equal(devsim_vu_msg_mem_table(&m, r, fds, 9), -E2BIG);
}

static void
test_bad_headers(void **state)
{
	static const struct {
		uint32_t req, flags, size;
	} bad[] = {
		{ 0, 1, 0 },           /* VHOST_USER_NONE */
		{ 23, 1, 0 },          /* a hole in the table */
		{ 41, 1, 0 },          /* past the table */
		{ 0xffffffffu, 1, 0 },
		{ 1, 2, 0 },           /* version 2 */
		{ 1, 0, 0 },           /* version 0 */
		{ 1, 3, 0 },           /* version 3 */
		{ 1, 1 | 0x10, 0 },    /* unknown flag bit */
		{ 1, 1 | 0x80000000u, 0 },
		{ 1, 1 | 0x4 | 0x8, 8 },/* reply that wants a reply */
		{ 8, 1, 16 },          /* SET_VRING_NUM: more than a state */
		{ 5, 1, 8 + 9 * 32 },  /* SET_MEM_TABLE: more than 8 regions */
		{ 1, 1 | 0x4, 16 },    /* GET_FEATURES reply: more than a u64 */
		{ 2, 1 | 0x4, 0x7fffffff },
	};
	uint8_t buf[DEVSIM_VU_HDR_SIZE];
	struct devsim_vu_hdr h;
	const char *why;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(buf, &bad[i].req, 4);
		memcpy(buf + 4, &bad[i].flags, 4);
		memcpy(buf + 8, &bad[i].size, 4);
		why = NULL;
		assert_int_equal(devsim_vu_hdr_decode(buf, &h, &why), -EPROTO);
		assert_non_null(why);
	}
	/* And good ones pass. */
	h = (struct devsim_vu_hdr){ 11, 1 | 0x4, 8 };
	assert_int_equal(devsim_vu_hdr_validate(&h, NULL), 0);
	h = (struct devsim_vu_hdr){ 5, 1 | 0x8, 8 + 8 * 32 };
	assert_int_equal(devsim_vu_hdr_validate(&h, NULL), 0);
}

/* Decode header+payload words with @nfds dummy fds. */
static int
decode_words(const uint8_t *bytes, size_t len, unsigned int nfds,
	     struct devsim_vu_msg *m)
{
	static const int fds[DEVSIM_VU_FDS_MAX + 1] = { 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	const char *why = NULL;
	int ret = devsim_vu_msg_decode(bytes, len, fds, nfds, m, &why);

	if (ret != 0)
		assert_non_null(why);
	return ret;
}

static void
test_bad_payloads(void **state)
{
	static const uint8_t kick[] = { LE32(12), LE32(1), LE32(8), LE64(3) };
	static const uint8_t kick_nofd[] = { LE32(12), LE32(1), LE32(8),
					     LE64(0x103) };
	static const uint8_t kick_rsvd[] = { LE32(12), LE32(1), LE32(8),
					     LE64(0x1003) };
	static const uint8_t short_u64[] = { LE32(2), LE32(1), LE32(4), LE32(1) };
	static const uint8_t enable2[] = { LE32(18), LE32(1), LE32(8), LE32(0),
					   LE32(2) };
	static const uint8_t addr_flags[] = {
		LE32(9), LE32(1), LE32(40), LE32(0), LE32(2),
		LE64(0), LE64(0), LE64(0), LE64(0) };
	static const uint8_t mem1[] = {
		LE32(5), LE32(1), LE32(40), LE32(1), LE32(0),
		LE64(0x1000), LE64(0x1000), LE64(0x1000), LE64(0) };
	static const uint8_t mem_mismatch[] = {  /* says 2, carries 1 */
		LE32(5), LE32(1), LE32(40), LE32(2), LE32(0),
		LE64(0x1000), LE64(0x1000), LE64(0x1000), LE64(0) };
	uint8_t mem9[12 + 8];
	struct devsim_vu_msg m;

	(void)state;
	assert_int_equal(decode_words(kick, sizeof(kick), 1, &m), 0);
	assert_int_equal(m.nfds, 1);
	assert_int_equal(decode_words(kick, sizeof(kick), 0, &m), -EPROTO);
	assert_int_equal(decode_words(kick, sizeof(kick), 2, &m), -EPROTO);
	assert_int_equal(decode_words(kick_nofd, sizeof(kick_nofd), 0, &m), 0);
	assert_int_equal(decode_words(kick_nofd, sizeof(kick_nofd), 1, &m),
			 -EPROTO);
	assert_int_equal(decode_words(kick_rsvd, sizeof(kick_rsvd), 1, &m),
			 -EPROTO);
	assert_int_equal(decode_words(short_u64, sizeof(short_u64), 0, &m),
			 -EPROTO);
	assert_int_equal(decode_words(enable2, sizeof(enable2), 0, &m), -EPROTO);
	assert_int_equal(decode_words(addr_flags, sizeof(addr_flags), 0, &m),
			 -EPROTO);
	assert_int_equal(decode_words(mem1, sizeof(mem1), 1, &m), 0);
	assert_int_equal(decode_words(mem1, sizeof(mem1), 0, &m), -EPROTO);
	assert_int_equal(decode_words(mem1, sizeof(mem1), 2, &m), -EPROTO);
	assert_int_equal(decode_words(mem_mismatch, sizeof(mem_mismatch), 2, &m),
			 -EPROTO);
	/* nregions 9 in an 8-byte table */
	memcpy(mem9, (const uint8_t[]){ LE32(5), LE32(1), LE32(8), LE32(9),
					LE32(0) }, sizeof(mem9));
	assert_int_equal(decode_words(mem9, sizeof(mem9), 8, &m), -EPROTO);
	/* too many fds for any message */
	assert_int_equal(decode_words(mem1, sizeof(mem1), DEVSIM_VU_FDS_MAX + 1,
				      &m), -EPROTO);
	/* length disagrees with the header */
	assert_int_equal(decode_words(kick, sizeof(kick) - 1, 1, &m), -EPROTO);
	assert_int_equal(decode_words(kick, 11, 1, &m), -EPROTO);
}

static void
test_encode_refuses(void **state)
{
	uint8_t buf[DEVSIM_VU_MSG_MAX];
	struct devsim_vu_msg m;

	(void)state;
	devsim_vu_msg_state(&m, DEVSIM_VU_REQ_SET_VRING_ENABLE, 0, 7);
	assert_int_equal(devsim_vu_msg_encode(&m, buf, sizeof(buf)), -EINVAL);
	devsim_vu_msg_vring_fd(&m, DEVSIM_VU_REQ_SET_VRING_CALL, 0, 5);
	m.nfds = 0; /* lost its fd */
	assert_int_equal(devsim_vu_msg_encode(&m, buf, sizeof(buf)), -EINVAL);
	devsim_vu_msg_none(&m, 23);
	assert_int_equal(devsim_vu_msg_encode(&m, buf, sizeof(buf)), -EINVAL);
	devsim_vu_msg_u64(&m, DEVSIM_VU_REQ_SET_FEATURES, 1);
	assert_int_equal(devsim_vu_msg_encode(&m, buf, 19), -ENOBUFS);
	assert_int_equal(devsim_vu_msg_encode(&m, buf, 20), 20);
}

static void
make_reply(struct devsim_vu_msg *r, uint32_t req, uint32_t size)
{
	devsim_vu_msg_none(r, req);
	r->hdr.flags = DEVSIM_VU_VERSION | DEVSIM_VU_FLAG_REPLY;
	r->hdr.size = size;
}

static void
test_is_reply_for(void **state)
{
	struct devsim_vu_hdr get_feat = { 1, 1, 0 };
	struct devsim_vu_hdr get_base = { 11, 1, 8 };
	struct devsim_vu_hdr set_feat = { 2, 1, 8 };
	struct devsim_vu_hdr set_feat_ack = { 2, 1 | 0x8, 8 };
	struct devsim_vu_msg r;
	const char *why;

	(void)state;
	make_reply(&r, 1, 8);
	assert_int_equal(devsim_vu_msg_is_reply_for(&r, &get_feat, NULL), 0);
	make_reply(&r, 11, 8);
	assert_int_equal(devsim_vu_msg_is_reply_for(&r, &get_base, NULL), 0);
	make_reply(&r, 2, 8);
	assert_int_equal(devsim_vu_msg_is_reply_for(&r, &set_feat_ack, NULL), 0);

	/* No reply expected without NEED_REPLY. */
	why = NULL;
	assert_int_equal(devsim_vu_msg_is_reply_for(&r, &set_feat, &why),
			 -EPROTO);
	assert_non_null(why);
	/* Wrong request. */
	make_reply(&r, 15, 8);
	assert_int_equal(devsim_vu_msg_is_reply_for(&r, &get_feat, NULL),
			 -EPROTO);
	/* REPLY flag missing. */
	make_reply(&r, 1, 8);
	r.hdr.flags = DEVSIM_VU_VERSION;
	assert_int_equal(devsim_vu_msg_is_reply_for(&r, &get_feat, NULL),
			 -EPROTO);
	/* Wrong size: short u64, short state, ack of the wrong size. */
	make_reply(&r, 1, 4);
	assert_int_equal(devsim_vu_msg_is_reply_for(&r, &get_feat, NULL),
			 -EPROTO);
	make_reply(&r, 11, 4);
	assert_int_equal(devsim_vu_msg_is_reply_for(&r, &get_base, NULL),
			 -EPROTO);
	make_reply(&r, 2, 0);
	assert_int_equal(devsim_vu_msg_is_reply_for(&r, &set_feat_ack, NULL),
			 -EPROTO);
	/* fds attached. */
	make_reply(&r, 1, 8);
	r.fds[0] = 3;
	r.nfds = 1;
	assert_int_equal(devsim_vu_msg_is_reply_for(&r, &get_feat, NULL),
			 -EPROTO);
	assert_false(devsim_vu_msg_expects_reply(&set_feat));
	assert_true(devsim_vu_msg_expects_reply(&set_feat_ack));
	assert_true(devsim_vu_msg_expects_reply(&get_feat));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_numbers),
		cmocka_unit_test(test_table),
		cmocka_unit_test_setup(test_golden_vring_addr, require_le),
		cmocka_unit_test_setup(test_golden_simple, require_le),
		cmocka_unit_test_setup(test_golden_vring_fd, require_le),
		cmocka_unit_test_setup(test_golden_mem_table, require_le),
		cmocka_unit_test_setup(test_bad_headers, require_le),
		cmocka_unit_test_setup(test_bad_payloads, require_le),
		cmocka_unit_test(test_encode_refuses),
		cmocka_unit_test(test_is_reply_for),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
