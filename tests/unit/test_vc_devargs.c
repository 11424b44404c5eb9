/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 *
 * Devargs of net_virtio_container: defaults mirror net_virtio_user, bad
 * values and keys the driver does not implement are refused.  No EAL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <rte_ethdev.h>

#include "vc_devargs.h"

int vc_logtype_init;
int vc_logtype_driver;

static void
defaults(void **state)
{
	struct vc_cfg c;

	(void)state;
	assert_int_equal(vc_devargs_parse("t", "path=/run/x.sock", &c), 0);
	assert_string_equal(c.path, "/run/x.sock");
	assert_int_equal(c.queues, 1);
	assert_int_equal(c.queue_size, 256);
	assert_true(c.mrg_rxbuf);
	assert_true(c.in_order);
	assert_false(c.packed_vq);
	assert_true(c.cq);                   /* upstream: 0 */
	assert_true(c.vectorized);           /* upstream: 0 */
	assert_false(c.mac_set);
	assert_int_equal(c.speed, RTE_ETH_SPEED_NUM_UNKNOWN);
	/* One queue pair works without the control queue. */
	assert_int_equal(vc_devargs_parse("t", "path=/run/x.sock,cq=0", &c), 0);
	assert_false(c.cq);
}

static void
all_keys(void **state)
{
	struct vc_cfg c;

	(void)state;
	assert_int_equal(vc_devargs_parse("t",
		"path=/run/a,mac=02:11:22:33:44:55,queues=8,queue_size=1024,"
		"mrg_rxbuf=0,in_order=0,packed_vq=0,speed=25000,cq=1,server=0,"
		"vectorized=0",
		&c), 0);
	assert_true(c.mac_set);
	assert_int_equal(c.mac.addr_bytes[0], 0x02);
	assert_int_equal(c.mac.addr_bytes[5], 0x55);
	assert_int_equal(c.queues, 8);
	assert_int_equal(c.queue_size, 1024);
	assert_false(c.mrg_rxbuf);
	assert_int_equal(c.speed, 25000);
	assert_false(c.packed_vq);
	assert_false(c.vectorized);
	assert_int_equal(vc_devargs_parse("t", "path=/run/a,packed_vq=1", &c), 0);
	assert_true(c.packed_vq);
}

static void
refused(void **state)
{
	static const char *const bad[] = {
		"",                                  /* path required */
		"queues=1",                          /* path required */
		"path=",                             /* empty path */
		"path=/run/x,bogus=1",               /* unknown key */
		"path=/run/x,path=/run/y",           /* repeated key */
		"path=/run/x,queues=0",
		"path=/run/x,queues=129",
		"path=/run/x,queues=-1",
		"path=/run/x,queues=2x",
		"path=/run/x,queue_size=100",        /* not a power of two */
		"path=/run/x,queue_size=8",
		"path=/run/x,queue_size=65536",
		"path=/run/x,mrg_rxbuf=2",
		"path=/run/x,mrg_rxbuf=yes",
		"path=/run/x,mac=01:00:5e:00:00:01", /* multicast */
		"path=/run/x,mac=00:00:00:00:00:00",
		"path=/run/x,mac=zz:11:22:33:44:55",
		"path=/run/x,speed=12345",
		"path=/run/x,packed_vq=2",
		"path=/run/x,in_order=2",
		"path=/run/x,server=2",
		"path=/run/x,cq=2",
		"path=/run/x,queues=2,cq=0",         /* MQ needs CTRL_VQ */
		"path=/run/x,vectorized=2",
		"path=/run/x,iface=tap0",
		"path=/run/0123456789012345678901234567890123456789012345678901"
		"234567890123456789012345678901234567890123456789012345678",
	};
	struct vc_cfg c;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (vc_devargs_parse("t", bad[i], &c) != -EINVAL)
			fail_msg("accepted bad devargs '%s'", bad[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(all_keys),
		cmocka_unit_test(refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
