/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * The driver's receive filter decision on raw frame bytes: promiscuous,
 * all-multicast, MAC table, broadcast, VLAN filter, short frames.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "vc_filter.h"

static const uint8_t own[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t other[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* A frame to @dst, untagged (vid < 0) or 802.1Q-tagged with @vid. */
static uint32_t
frame(uint8_t *buf, const uint8_t dst[6], int vid)
{
	memset(buf, 0, 64);
	memcpy(buf, dst, 6);
	memcpy(buf + 6, other, 6);
	if (vid < 0) {
		buf[12] = 0x08;
		return 64;
	}
	buf[12] = 0x81;
	buf[14] = (uint8_t)(0x20 | (vid >> 8)); /* PCP 1: must be masked */
	buf[15] = (uint8_t)vid;
	buf[16] = 0x08;
	return 64;
}

static bool
accept(const struct vc_filter *f, const uint8_t dst[6], int vid)
{
	uint8_t buf[64];
	uint32_t len = frame(buf, dst, vid);

	return vc_filter_accept(f, buf, len);
}

static void
test_promiscuous_default(void **state)
{
	struct vc_filter f;

	(void)state;
	vc_filter_init(&f, own);
	assert_false(vc_filter_active(&f));
	assert_true(accept(&f, other, -1));
	assert_true(accept(&f, mcast, -1));
	assert_true(accept(&f, own, 7));     /* VLAN filter off */
}

static void
test_unicast_table(void **state)
{
	struct vc_filter f;

	(void)state;
	vc_filter_init(&f, own);
	f.promisc = false;
	assert_true(vc_filter_active(&f));
	assert_true(accept(&f, own, -1));
	assert_false(accept(&f, other, -1));
	assert_int_equal(vc_filter_mac_set(&f, 3, other), 0);
	assert_true(accept(&f, other, -1));
	/* Removing it (all zero) drops it again; zero is never matched. */
	assert_int_equal(vc_filter_mac_set(&f, 3, (const uint8_t[6]){ 0 }), 0);
	assert_false(accept(&f, other, -1));
	assert_false(accept(&f, (const uint8_t[6]){ 0 }, -1));
	assert_int_equal(vc_filter_mac_set(&f, VC_FILTER_MAC_MAX, other),
			 -EINVAL);
	/* The port's own MAC changed. */
	vc_filter_mac_set(&f, 0, other);
	assert_false(accept(&f, own, -1));
	assert_true(accept(&f, other, -1));
}

static void
test_multicast(void **state)
{
	struct vc_filter f;

	(void)state;
	vc_filter_init(&f, own);
	f.promisc = false;
	assert_true(accept(&f, mcast, -1));  /* allmulti */
	f.allmulti = false;
	assert_false(accept(&f, mcast, -1));
	assert_true(accept(&f, bcast, -1));  /* broadcast always */
	vc_filter_mac_set(&f, 1, mcast);
	assert_true(accept(&f, mcast, -1));
}

static void
test_vlan(void **state)
{
	struct vc_filter f;

	(void)state;
	vc_filter_init(&f, own);
	f.vlan_on = true;
	assert_true(vc_filter_active(&f));
	assert_false(accept(&f, own, 10));
	vc_filter_vlan_set(&f, 10, true);
	assert_true(vc_filter_vlan_get(&f, 10));
	assert_true(accept(&f, own, 10));
	assert_false(accept(&f, own, 11));
	assert_true(accept(&f, own, -1));    /* untagged: not affected */
	/* Applies in promiscuous mode too, and with a table miss both. */
	assert_false(accept(&f, other, 11));
	f.promisc = false;
	assert_false(accept(&f, other, 10));
	assert_true(accept(&f, own, 10));
	vc_filter_vlan_set(&f, 4095, true);
	assert_true(accept(&f, own, 4095));
	vc_filter_vlan_set(&f, 4096, true);  /* ignored */
	assert_false(vc_filter_vlan_get(&f, 4096));
	vc_filter_vlan_set(&f, 10, false);
	assert_false(accept(&f, own, 10));
	f.vlan_on = false;
	assert_true(accept(&f, own, 10));
}

static void
test_qinq_outer_tag(void **state)
{
	struct vc_filter f;
	uint8_t buf[64];

	(void)state;
	vc_filter_init(&f, own);
	f.vlan_on = true;
	vc_filter_vlan_set(&f, 5, true);
	frame(buf, own, 5);
	buf[12] = 0x88;
	buf[13] = 0xa8;
	assert_true(vc_filter_accept(&f, buf, 64));
	buf[15] = 6;
	assert_false(vc_filter_accept(&f, buf, 64));
}

static void
test_short_frames(void **state)
{
	struct vc_filter f;
	uint8_t buf[64];

	(void)state;
	vc_filter_init(&f, own);
	f.promisc = false;
	frame(buf, own, -1);
	assert_true(vc_filter_accept(&f, buf, 14));
	assert_false(vc_filter_accept(&f, buf, 13));
	f.vlan_on = true;
	vc_filter_vlan_set(&f, 10, true);
	frame(buf, own, 10);
	assert_true(vc_filter_accept(&f, buf, 16));
	assert_false(vc_filter_accept(&f, buf, 15)); /* tag cut short */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_promiscuous_default),
		cmocka_unit_test(test_unicast_table),
		cmocka_unit_test(test_multicast),
		cmocka_unit_test(test_vlan),
		cmocka_unit_test(test_qinq_outer_tag),
		cmocka_unit_test(test_short_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
