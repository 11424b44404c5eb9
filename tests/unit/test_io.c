/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * devsim IO API: the PCI header and capability list, BAR sizing, access
 * widths / alignment / ranges and their counters, the device config, the
 * feature set and the bus.  A fake backend stands in for vhost-user.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>

#include "devsim/virtio_resume.h"
#include "devsim_test_util.h"
#include "wire/virtio_pci_regs.h"

#define BAR DEVSIM_VPCI_BAR

struct fixture {
	int fds_before;
	struct tu_log log;
	struct fake_backend fb;
	struct devsim_bus *bus;
	struct devsim_dev *dev;
};

static int
plug(struct fixture *f, const struct devsim_net_cfg *cfg)
{
	return devsim_net_dev_create_with_backend(f->bus, cfg, &fake_backend_ops,
						  fake_backend_be(&f->fb),
						  &f->fb.info, &f->dev);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct devsim_net_cfg cfg = tu_net_cfg();

	assert_non_null(f);
	f->fds_before = tu_fd_count();
	fake_backend_init(&f->fb);
	f->bus = devsim_bus_create(tu_log_hook, &f->log);
	assert_non_null(f->bus);
	assert_int_equal(plug(f, &cfg), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	devsim_bus_destroy(f->bus);  /* unplugs what is left */
	assert_int_equal(tu_fd_count(), f->fds_before);
	free(f);
	return 0;
}

static uint32_t
cfg_rd(struct devsim_dev *dev, uint32_t off, unsigned int width)
{
	uint32_t v = 0xdeadbeef;

	assert_int_equal(devsim_cfg_read(dev, off, width, &v), 0);
	return v;
}

static uint32_t
bar_rd(struct devsim_dev *dev, uint64_t off, unsigned int width)
{
	uint32_t v = 0xdeadbeef;

	assert_int_equal(devsim_bar_read(dev, BAR, off, width, &v), 0);
	return v;
}

static struct devsim_dev_stats
stats(struct devsim_dev *dev)
{
	struct devsim_dev_stats st;

	devsim_dev_stats_get(dev, &st);
	return st;
}

/* ---- PCI header ---------------------------------------------------------- */

static void
test_header_values(void **state)
{
	struct fixture *f = *state;
	struct devsim_dev *dev = f->dev;

	assert_int_equal(cfg_rd(dev, 0x00, 2), 0x1af4);
	assert_int_equal(cfg_rd(dev, 0x02, 2), 0x1041);
	assert_int_equal(cfg_rd(dev, 0x00, 4), 0x10411af4);
	assert_int_equal(cfg_rd(dev, 0x08, 1), 1);             /* revision */
	assert_int_equal(cfg_rd(dev, 0x08, 4), 0x02000001);    /* class+rev */
	assert_int_equal(cfg_rd(dev, 0x0e, 1), 0);             /* type 0 */
	assert_int_equal(cfg_rd(dev, 0x2c, 2), 0x1af4);
	assert_int_equal(cfg_rd(dev, 0x2e, 2), 0x0001);
	assert_true(cfg_rd(dev, 0x06, 2) & 0x10);              /* cap list */
	assert_int_equal(cfg_rd(dev, 0x34, 1), 0x40);

	/* Read-only registers ignore writes. */
	assert_int_equal(devsim_cfg_write(dev, 0x00, 2, 0x1234), 0);
	assert_int_equal(cfg_rd(dev, 0x00, 2), 0x1af4);
	/* The command register keeps memory/bus-master enables. */
	assert_int_equal(devsim_cfg_write(dev, 0x04, 2, 0x0006), 0);
	assert_int_equal(cfg_rd(dev, 0x04, 2), 0x0006);
	assert_int_equal(stats(dev).bad_accesses, 0);
	assert_int_equal(stats(dev).unknown_accesses, 0);

	assert_ptr_equal(devsim_bus_dev(f->bus, devsim_dev_slot(dev)), dev);
}

static void
test_cap_walk(void **state)
{
	struct fixture *f = *state;
	struct devsim_dev *dev = f->dev;
	unsigned int seen[DEVSIM_PCI_CAP_VENDOR_CFG + 1] = { 0 };
	uint32_t pos, bar_size, lo;
	int ttl = 48;

	/* BAR size from probing, as a driver would. */
	assert_int_equal(devsim_cfg_write(dev, 0x20, 4, 0xffffffff), 0);
	lo = cfg_rd(dev, 0x20, 4);
	bar_size = ~(lo & ~0xfu) + 1;
	assert_int_equal(bar_size, DEVSIM_VPCI_BAR_SIZE);

	pos = cfg_rd(dev, 0x34, 1);
	while (pos != 0 && ttl-- > 0) {
		uint32_t type, off, len, clen;

		assert_true(pos >= 0x40 && pos <= 0xfc);
		assert_int_equal(pos & 3, 0);
		assert_int_equal(cfg_rd(dev, pos, 1), DEVSIM_PCI_CAP_ID_VNDR);
		clen = cfg_rd(dev, pos + 2, 1);
		type = cfg_rd(dev, pos + 3, 1);
		assert_int_equal(cfg_rd(dev, pos + 4, 1), BAR);
		off = cfg_rd(dev, pos + 8, 4);
		len = cfg_rd(dev, pos + 12, 4);
		assert_true((type >= VIRTIO_PCI_CAP_COMMON_CFG &&
			     type <= VIRTIO_PCI_CAP_DEVICE_CFG) ||
			    type == DEVSIM_PCI_CAP_VENDOR_CFG);
		seen[type]++;
		/* Every structure lies inside the BAR. */
		assert_true(len > 0 && off < bar_size && len <= bar_size - off);
		if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
			assert_int_equal(clen, sizeof(struct virtio_pci_notify_cap));
			assert_int_equal(cfg_rd(dev, pos + 16, 4), 4);
			/* Every queue's notify address fits. */
			assert_true(len >= 4u * 4u);
		} else {
			assert_int_equal(clen, sizeof(struct virtio_pci_cap));
		}
		if (type == VIRTIO_PCI_CAP_COMMON_CFG)
			assert_true(len >= sizeof(struct virtio_pci_common_cfg));
		if (type == VIRTIO_PCI_CAP_DEVICE_CFG)
			assert_true(len >= DEVSIM_NET_CFG_IMPL_SIZE);
		if (type == DEVSIM_PCI_CAP_VENDOR_CFG) {
			assert_int_equal(cfg_rd(dev, pos + 5, 1),
					 DEVSIM_RESUME_CAP_ID);
			assert_int_equal(len, DEVSIM_RESUME_CFG_SIZE);
		}
		pos = cfg_rd(dev, pos + 1, 1);
	}
	assert_int_equal(pos, 0);       /* terminated, not cut by the TTL */
	assert_int_equal(seen[VIRTIO_PCI_CAP_COMMON_CFG], 1);
	assert_int_equal(seen[VIRTIO_PCI_CAP_NOTIFY_CFG], 1);
	assert_int_equal(seen[VIRTIO_PCI_CAP_ISR_CFG], 1);
	assert_int_equal(seen[VIRTIO_PCI_CAP_DEVICE_CFG], 1);
	assert_int_equal(seen[DEVSIM_PCI_CAP_VENDOR_CFG], 1);
}

static void
test_bar_sizing(void **state)
{
	struct devsim_dev *dev = ((struct fixture *)*state)->dev;
	unsigned int i;

	/* 64-bit prefetchable memory BAR, size mask on all-ones writes. */
	assert_int_equal(cfg_rd(dev, 0x20, 4), 0x0c);
	assert_int_equal(devsim_cfg_write(dev, 0x20, 4, 0xffffffff), 0);
	assert_int_equal(devsim_cfg_write(dev, 0x24, 4, 0xffffffff), 0);
	assert_int_equal(cfg_rd(dev, 0x20, 4),
			 (uint32_t)~(DEVSIM_VPCI_BAR_SIZE - 1) | 0x0c);
	assert_int_equal(cfg_rd(dev, 0x24, 4), 0xffffffff);
	/* An address assignment keeps the aligned bits. */
	assert_int_equal(devsim_cfg_write(dev, 0x20, 4, 0xfebf1234), 0);
	assert_int_equal(devsim_cfg_write(dev, 0x24, 4, 0x1), 0);
	assert_int_equal(cfg_rd(dev, 0x20, 4), 0xfebf000c);
	assert_int_equal(cfg_rd(dev, 0x24, 4), 1);
	/* Absent BARs are hardwired to 0: size probing reads 0. */
	for (i = 0; i < 4; i++) {
		assert_int_equal(devsim_cfg_write(dev, 0x10 + 4 * i, 4,
						  0xffffffff), 0);
		assert_int_equal(cfg_rd(dev, 0x10 + 4 * i, 4), 0);
	}
}

/* ---- access checks ------------------------------------------------------- */

static void
test_cfg_access_checks(void **state)
{
	struct devsim_dev *dev = ((struct fixture *)*state)->dev;
	uint32_t v;

	assert_int_equal(devsim_cfg_read(dev, 0, 3, &v), -EINVAL);
	assert_int_equal(devsim_cfg_read(dev, 0, 8, &v), -EINVAL);
	assert_int_equal(devsim_cfg_read(dev, 0, 0, &v), -EINVAL);
	assert_int_equal(devsim_cfg_read(dev, 1, 2, &v), -EINVAL);
	assert_int_equal(devsim_cfg_read(dev, 2, 4, &v), -EINVAL);
	assert_int_equal(devsim_cfg_write(dev, 3, 4, 0), -EINVAL);
	assert_int_equal(devsim_cfg_read(dev, 256, 1, &v), -ERANGE);
	assert_int_equal(devsim_cfg_read(dev, 0xffffffff, 1, &v), -ERANGE);
	assert_int_equal(devsim_cfg_write(dev, 256, 4, 0), -ERANGE);
	assert_int_equal(stats(dev).bad_accesses, 9);
	assert_int_equal(stats(dev).unknown_accesses, 0);

	/* In range, no register: reads 0, counted. */
	v = 0x55;
	assert_int_equal(devsim_cfg_read(dev, 0xfc, 4, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(devsim_cfg_read(dev, 0xff, 1, &v), 0);
	assert_int_equal(devsim_cfg_write(dev, 0xf0, 4, 1), 0);
	assert_int_equal(stats(dev).unknown_accesses, 3);
	assert_int_equal(stats(dev).bad_accesses, 9);
}

static void
test_bar_access_checks(void **state)
{
	struct devsim_dev *dev = ((struct fixture *)*state)->dev;
	uint32_t v;

	/* Only BAR4 exists; BAR5 is its upper half. */
	assert_int_equal(devsim_bar_read(dev, 0, 0, 4, &v), -EINVAL);
	assert_int_equal(devsim_bar_read(dev, 5, 0, 4, &v), -EINVAL);
	assert_int_equal(devsim_bar_read(dev, 6, 0, 4, &v), -EINVAL);
	assert_int_equal(devsim_bar_read(dev, 1000, 0, 4, &v), -EINVAL);
	assert_int_equal(devsim_bar_read(dev, BAR, DEVSIM_VPCI_BAR_SIZE, 4, &v),
			 -ERANGE);
	assert_int_equal(devsim_bar_write(dev, BAR, UINT64_MAX - 1, 2, 0),
			 -ERANGE);
	assert_int_equal(devsim_bar_read(dev, BAR, 2, 4, &v), -EINVAL);
	assert_int_equal(stats(dev).bad_accesses, 7);

	/* Common cfg: natural widths only. */
	assert_int_equal(devsim_bar_read(dev, BAR, VIRTIO_PCI_COMMON_DFSELECT, 1,
					 &v), -EINVAL);
	assert_int_equal(devsim_bar_read(dev, BAR, VIRTIO_PCI_COMMON_DFSELECT, 2,
					 &v), -EINVAL);
	assert_int_equal(devsim_bar_read(dev, BAR, VIRTIO_PCI_COMMON_STATUS, 4,
					 &v), -EINVAL);
	assert_int_equal(devsim_bar_read(dev, BAR, VIRTIO_PCI_COMMON_NUMQ, 4,
					 &v), -EINVAL);
	assert_int_equal(devsim_bar_write(dev, BAR, VIRTIO_PCI_COMMON_Q_DESCLO,
					  2, 0), -EINVAL);
	assert_int_equal(devsim_bar_read(dev, BAR, VIRTIO_PCI_COMMON_Q_DESCLO + 2,
					 2, &v), -EINVAL);
	assert_int_equal(stats(dev).bad_accesses, 13);
	assert_int_equal(stats(dev).unknown_accesses, 0);

	/* Past the common structure, and gaps: unknown, read 0. */
	assert_int_equal(bar_rd(dev, 0x100, 4), 0);
	assert_int_equal(bar_rd(dev, VIRTIO_PCI_COMMON_Q_NDATA, 2), 0);
	assert_int_equal(bar_rd(dev, DEVSIM_VPCI_ISR_OFF + 4, 4), 0);
	assert_int_equal(stats(dev).unknown_accesses, 3);
	assert_int_equal(stats(dev).bad_accesses, 13);
}

/* ---- device configuration and features ------------------------------------ */

static void
test_net_config(void **state)
{
	struct devsim_dev *dev = ((struct fixture *)*state)->dev;
	const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	const uint64_t d = DEVSIM_VPCI_DEVICE_OFF;
	unsigned int i;

	for (i = 0; i < 6; i++)
		assert_int_equal(bar_rd(dev, d + i, 1), mac[i]);
	assert_int_equal(bar_rd(dev, d, 4), 0x12005452);
	assert_int_equal(bar_rd(dev, d + 4, 2), 0x5634);
	assert_int_equal(bar_rd(dev, d + 6, 2), VIRTIO_NET_S_LINK_UP);
	/* min(2 wanted, 4 vrings / 2) */
	assert_int_equal(bar_rd(dev, d + 8, 2), 2);
	assert_int_equal(bar_rd(dev, d + 10, 2), 1500);
	/* 2 pairs and the control queue. */
	assert_int_equal(bar_rd(dev, VIRTIO_PCI_COMMON_NUMQ, 2), 5);
	assert_int_equal(stats(dev).unknown_accesses, 0);

	/* Read only; past the implemented fields reads 0. */
	assert_int_equal(devsim_bar_write(dev, BAR, d, 1, 0xff), 0);
	assert_int_equal(bar_rd(dev, d, 1), 0x52);
	assert_int_equal(stats(dev).bad_accesses, 1);
	assert_int_equal(bar_rd(dev, d + 12, 4), 0);
	assert_int_equal(stats(dev).unknown_accesses, 1);
}

static uint64_t
device_features(struct devsim_dev *dev)
{
	uint64_t lo, hi;

	assert_int_equal(devsim_bar_write(dev, BAR, VIRTIO_PCI_COMMON_DFSELECT,
					  4, 0), 0);
	lo = bar_rd(dev, VIRTIO_PCI_COMMON_DF, 4);
	assert_int_equal(devsim_bar_write(dev, BAR, VIRTIO_PCI_COMMON_DFSELECT,
					  4, 1), 0);
	hi = bar_rd(dev, VIRTIO_PCI_COMMON_DF, 4);
	return hi << 32 | lo;
}

static void
test_device_features(void **state)
{
	struct fixture *f = *state;
	struct devsim_net_cfg cfg = tu_net_cfg();
	struct fake_backend fb2;
	struct devsim_dev *dev2;
	uint64_t feat = device_features(f->dev);

	assert_true(feat & (1ULL << VIRTIO_F_VERSION_1));
	assert_true(feat & (1ULL << VIRTIO_NET_F_MRG_RXBUF));
	assert_true(feat & (1ULL << VIRTIO_NET_F_MAC));
	assert_true(feat & (1ULL << VIRTIO_NET_F_STATUS));
	assert_true(feat & (1ULL << VIRTIO_NET_F_MTU));
	/* Backend offers it; devsim must not. */
	assert_false(feat & (1ULL << VIRTIO_F_ACCESS_PLATFORM));
	/* Emulated by devsim; filtering ones are not (it cannot filter). */
	assert_true(feat & (1ULL << VIRTIO_NET_F_CTRL_VQ));
	assert_true(feat & (1ULL << VIRTIO_NET_F_CTRL_MAC_ADDR));
	assert_false(feat & (1ULL << VIRTIO_NET_F_CTRL_RX));
	assert_false(feat & (1ULL << VIRTIO_NET_F_CTRL_VLAN));
	/* Not offered by the backend: not passed. */
	assert_false(feat & (1ULL << VIRTIO_F_RING_PACKED));
	/* Other windows read 0. */
	assert_int_equal(devsim_bar_write(f->dev, BAR, VIRTIO_PCI_COMMON_DFSELECT,
					  4, 2), 0);
	assert_int_equal(bar_rd(f->dev, VIRTIO_PCI_COMMON_DF, 4), 0);
	assert_int_equal(bar_rd(f->dev, VIRTIO_PCI_COMMON_DFSELECT, 4), 2);

	/* No MTU configured, a mask removing MRG_RXBUF. */
	fake_backend_init(&fb2);
	cfg.mtu = 0;
	cfg.feature_mask = ~(1ULL << VIRTIO_NET_F_MRG_RXBUF);
	assert_int_equal(devsim_net_dev_create_with_backend(f->bus, &cfg,
			&fake_backend_ops, fake_backend_be(&fb2), &fb2.info,
			&dev2), 0);
	feat = device_features(dev2);
	assert_false(feat & (1ULL << VIRTIO_NET_F_MTU));
	assert_false(feat & (1ULL << VIRTIO_NET_F_MRG_RXBUF));
	assert_true(feat & (1ULL << VIRTIO_NET_F_CSUM));
	devsim_unplug(dev2);
	assert_true(fb2.closed);
}

static void
test_random_mac_and_pairs(void **state)
{
	struct fixture *f = *state;
	struct devsim_net_cfg cfg = tu_net_cfg();
	struct fake_backend fb2;
	struct devsim_dev *dev2;
	uint32_t b0;

	fake_backend_init(&fb2);
	fb2.info.max_vrings = 16;
	cfg.mac_valid = false;
	cfg.max_queue_pairs = 3;
	assert_int_equal(devsim_net_dev_create_with_backend(f->bus, &cfg,
			&fake_backend_ops, fake_backend_be(&fb2), &fb2.info,
			&dev2), 0);
	b0 = bar_rd(dev2, DEVSIM_VPCI_DEVICE_OFF, 1);
	assert_true(b0 & 0x02);          /* locally administered */
	assert_false(b0 & 0x01);         /* unicast */
	assert_int_equal(bar_rd(dev2, DEVSIM_VPCI_DEVICE_OFF + 8, 2), 3);
	assert_int_equal(bar_rd(dev2, VIRTIO_PCI_COMMON_NUMQ, 2), 7);
	devsim_unplug(dev2);
}

static void
test_plug_without_version_1(void **state)
{
	struct fixture *f = *state;
	struct devsim_net_cfg cfg = tu_net_cfg();
	struct devsim_dev *dev2 = NULL;
	struct fake_backend fb2;

	fake_backend_init(&fb2);
	fb2.info.features &= ~(1ULL << VIRTIO_F_VERSION_1);
	assert_int_equal(devsim_net_dev_create_with_backend(f->bus, &cfg,
			&fake_backend_ops, fake_backend_be(&fb2), &fb2.info,
			&dev2), -ENOTSUP);
	assert_null(dev2);
	assert_true(fb2.closed);         /* the backend is not leaked */
	assert_non_null(strstr(f->log.text, "VIRTIO_F_VERSION_1"));

	/* A bad queue size is refused the same way. */
	fake_backend_init(&fb2);
	cfg.queue_size_max = 100;
	assert_int_equal(devsim_net_dev_create_with_backend(f->bus, &cfg,
			&fake_backend_ops, fake_backend_be(&fb2), &fb2.info,
			&dev2), -EINVAL);
	assert_true(fb2.closed);
}

/* ---- bus ---------------------------------------------------------------- */

static void
test_bus_enumeration(void **state)
{
	struct fixture *f = *state;
	struct devsim_net_cfg cfg = tu_net_cfg();
	static struct fake_backend fbs[DEVSIM_BUS_SLOTS + 1];
	struct devsim_dev *devs[DEVSIM_BUS_SLOTS], *extra = NULL;
	unsigned int i, found = 0;

	for (i = 0; i < DEVSIM_BUS_SLOTS; i++)
		found += devsim_bus_dev(f->bus, i) != NULL;
	assert_int_equal(found, 1);
	assert_null(devsim_bus_dev(f->bus, DEVSIM_BUS_SLOTS));
	assert_null(devsim_bus_dev(NULL, 0));

	/* Fill the bus: slots are distinct and enumerable. */
	for (i = 0; i < DEVSIM_BUS_SLOTS - 1; i++) {
		fake_backend_init(&fbs[i]);
		assert_int_equal(devsim_net_dev_create_with_backend(f->bus, &cfg,
				&fake_backend_ops, fake_backend_be(&fbs[i]),
				&fbs[i].info, &devs[i]), 0);
		assert_ptr_equal(devsim_bus_dev(f->bus, devsim_dev_slot(devs[i])),
				 devs[i]);
	}
	fake_backend_init(&fbs[i]);
	assert_int_equal(devsim_net_dev_create_with_backend(f->bus, &cfg,
			&fake_backend_ops, fake_backend_be(&fbs[i]),
			&fbs[i].info, &extra), -ENOSPC);
	assert_true(fbs[i].closed);

	/* A freed slot is reused. */
	i = devsim_dev_slot(devs[3]);
	devsim_unplug(devs[3]);
	assert_null(devsim_bus_dev(f->bus, i));
	fake_backend_init(&fbs[DEVSIM_BUS_SLOTS]);
	assert_int_equal(devsim_net_dev_create_with_backend(f->bus, &cfg,
			&fake_backend_ops, fake_backend_be(&fbs[DEVSIM_BUS_SLOTS]),
			&fbs[DEVSIM_BUS_SLOTS].info, &devs[3]), 0);
	assert_int_equal(devsim_dev_slot(devs[3]), i);
	/* The rest goes with the bus in teardown(). */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_header_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cap_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bar_sizing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cfg_access_checks, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bar_access_checks, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_net_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_features, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_random_mac_and_pairs, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_plug_without_version_1, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bus_enumeration, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
