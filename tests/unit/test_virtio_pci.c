/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * The virtio-pci transport model against a recording fake backend: common
 * cfg registers, feature negotiation, the device-status state machine and
 * the backend calls it makes, queue_select clamping, notify -> kick
 * eventfd, and link-down events.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "devsim_test_util.h"
#include "devsim/virtio_resume.h"
#include "wire/virtio_pci_regs.h"

#define BAR DEVSIM_VPCI_BAR
#define MEM_SIZE (1u << 20)
#define QSIZE 128u

#define S_ACK    VIRTIO_CONFIG_S_ACKNOWLEDGE
#define S_DRV    VIRTIO_CONFIG_S_DRIVER
#define S_FOK    VIRTIO_CONFIG_S_FEATURES_OK
#define S_DOK    VIRTIO_CONFIG_S_DRIVER_OK
#define S_RESET  VIRTIO_CONFIG_S_NEEDS_RESET

struct fixture {
	int fds_before;
	struct tu_log log;
	struct fake_backend fb;
	struct devsim_bus *bus;
	struct devsim_dev *dev;
	int memfd;
	uint8_t *mem;
};

/* Extra backend features for the device setup() creates (setup_packed). */
static uint64_t setup_backend_features;

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct devsim_net_cfg cfg = tu_net_cfg();

	assert_non_null(f);
	f->fds_before = tu_fd_count();
	f->memfd = tu_memfd(MEM_SIZE);
	assert_true(f->memfd >= 0);
	f->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      f->memfd, 0);
	assert_true(f->mem != MAP_FAILED);
	fake_backend_init(&f->fb);
	f->fb.info.features |= setup_backend_features;
	f->bus = devsim_bus_create(tu_log_hook, &f->log);
	assert_non_null(f->bus);
	assert_int_equal(devsim_net_dev_create_with_backend(f->bus, &cfg,
			&fake_backend_ops, fake_backend_be(&f->fb), &f->fb.info,
			&f->dev), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	devsim_bus_destroy(f->bus);
	munmap(f->mem, MEM_SIZE);
	close(f->memfd);
	assert_int_equal(tu_fd_count(), f->fds_before);
	free(f);
	return 0;
}

/* ---- register helpers ------------------------------------------------------ */

static uint32_t
rd(struct devsim_dev *dev, uint64_t off, unsigned int width)
{
	uint32_t v = 0xdeadbeef;

	assert_int_equal(devsim_bar_read(dev, BAR, off, width, &v), 0);
	return v;
}

static void
wr(struct devsim_dev *dev, uint64_t off, unsigned int width, uint32_t val)
{
	assert_int_equal(devsim_bar_write(dev, BAR, off, width, val), 0);
}

static uint8_t
status(struct devsim_dev *dev)
{
	return (uint8_t)rd(dev, VIRTIO_PCI_COMMON_STATUS, 1);
}

static void
set_status(struct devsim_dev *dev, uint8_t s)
{
	wr(dev, VIRTIO_PCI_COMMON_STATUS, 1, s);
}

static void
driver_features_set(struct devsim_dev *dev, uint64_t f)
{
	wr(dev, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	wr(dev, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)f);
	wr(dev, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	wr(dev, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)(f >> 32));
}

static uint64_t
device_features(struct devsim_dev *dev)
{
	uint64_t lo, hi;

	wr(dev, VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	lo = rd(dev, VIRTIO_PCI_COMMON_DF, 4);
	wr(dev, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	hi = rd(dev, VIRTIO_PCI_COMMON_DF, 4);
	return hi << 32 | lo;
}

static void
wr64(struct devsim_dev *dev, uint64_t lo_off, uint64_t val)
{
	wr(dev, lo_off, 4, (uint32_t)val);
	wr(dev, lo_off + 4, 4, (uint32_t)(val >> 32));
}

/* Where queue @q's rings live in the shared memory. */
static uint64_t
ring_base(struct fixture *f, unsigned int q)
{
	return (uint64_t)(uintptr_t)f->mem + q * 0x8000u;
}

static void
queue_program(struct fixture *f, unsigned int q, bool enable)
{
	uint64_t base = ring_base(f, q);

	wr(f->dev, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
	wr(f->dev, VIRTIO_PCI_COMMON_Q_SIZE, 2, QSIZE);
	wr64(f->dev, VIRTIO_PCI_COMMON_Q_DESCLO, base);
	wr64(f->dev, VIRTIO_PCI_COMMON_Q_AVAILLO, base + 0x2000);
	wr64(f->dev, VIRTIO_PCI_COMMON_Q_USEDLO, base + 0x4000);
	if (enable)
		wr(f->dev, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
}

static void
mem_set(struct fixture *f)
{
	struct devsim_mem_region r = {
		.addr = (uint64_t)(uintptr_t)f->mem,
		.size = MEM_SIZE,
		.fd = f->memfd,
		.fd_offset = 0,
	};

	assert_int_equal(devsim_mem_set(f->dev, &r, 1), 0);
}

static const uint64_t good_features = (1ULL << VIRTIO_F_VERSION_1) |
				      (1ULL << VIRTIO_NET_F_MAC) |
				      (1ULL << VIRTIO_NET_F_MRG_RXBUF);

static void
negotiate(struct fixture *f)
{
	set_status(f->dev, S_ACK);
	set_status(f->dev, S_ACK | S_DRV);
	driver_features_set(f->dev, good_features);
	set_status(f->dev, S_ACK | S_DRV | S_FOK);
	assert_int_equal(status(f->dev), S_ACK | S_DRV | S_FOK);
}

/* Queues 0 and 1 enabled, memory set, DRIVER_OK accepted. */
static void
bring_up(struct fixture *f)
{
	negotiate(f);
	queue_program(f, 0, true);
	queue_program(f, 1, true);
	mem_set(f);
	set_status(f->dev, S_ACK | S_DRV | S_FOK | S_DOK);
	assert_int_equal(status(f->dev), S_ACK | S_DRV | S_FOK | S_DOK);
}

static uint64_t
bad(struct devsim_dev *dev)
{
	struct devsim_dev_stats st;

	devsim_dev_stats_get(dev, &st);
	return st.bad_accesses;
}

static uint64_t
eventfd_take(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

/* ---- common cfg -------------------------------------------------------------- */

static void
test_common_defaults(void **state)
{
	struct devsim_dev *dev = ((struct fixture *)*state)->dev;
	unsigned int q;

	/* 2 pairs and the control queue. */
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_NUMQ, 2), 5);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	assert_int_equal(status(dev), 0);
	for (q = 0; q < 4; q++) {
		wr(dev, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
		assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_SIZE, 2), 256);
		assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_NOFF, 2), q);
		assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_MSIX, 2),
				 VIRTIO_MSI_NO_VECTOR);
		assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
		assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_DESCLO, 4), 0);
	}
	/* Read-only registers ignore writes, counted. */
	wr(dev, VIRTIO_PCI_COMMON_NUMQ, 2, 9);
	wr(dev, VIRTIO_PCI_COMMON_DF, 4, 0);
	wr(dev, VIRTIO_PCI_COMMON_CFGGENERATION, 1, 7);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_NUMQ, 2), 5);
	assert_int_equal(bad(dev), 3);
}

static void
test_queue_registers(void **state)
{
	struct fixture *f = *state;
	struct devsim_dev *dev = f->dev;

	queue_program(f, 2, false);
	wr(dev, VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_DESCLO, 4), 0);
	wr(dev, VIRTIO_PCI_COMMON_Q_SELECT, 2, 2);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_SIZE, 2), QSIZE);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_DESCLO, 4),
			 (uint32_t)ring_base(f, 2));
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_DESCHI, 4),
			 (uint32_t)(ring_base(f, 2) >> 32));
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_AVAILLO, 4),
			 (uint32_t)(ring_base(f, 2) + 0x2000));
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_USEDLO, 4),
			 (uint32_t)(ring_base(f, 2) + 0x4000));

	/* Sizes: power of two up to the maximum, else ignored + counted. */
	wr(dev, VIRTIO_PCI_COMMON_Q_SIZE, 2, 100);
	wr(dev, VIRTIO_PCI_COMMON_Q_SIZE, 2, 512);
	wr(dev, VIRTIO_PCI_COMMON_Q_SIZE, 2, 0);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_SIZE, 2), QSIZE);
	assert_int_equal(bad(dev), 3);
	assert_non_null(strstr(f->log.text, "size 100 ignored"));
	wr(dev, VIRTIO_PCI_COMMON_Q_SIZE, 2, 64);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_SIZE, 2), 64);

	/* Once enabled the geometry is frozen; enable=0 is not allowed. */
	wr(dev, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	wr(dev, VIRTIO_PCI_COMMON_Q_SIZE, 2, 32);
	wr(dev, VIRTIO_PCI_COMMON_Q_DESCLO, 4, 0);
	wr(dev, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 0);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_SIZE, 2), 64);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 1);
	assert_int_equal(bad(dev), 6);
	/* Nothing reached the backend before DRIVER_OK. */
	assert_int_equal(fake_backend_count(&f->fb, FAKE_VRING_START), 0);
}

static void
test_queue_select_clamp(void **state)
{
	struct devsim_dev *dev = ((struct fixture *)*state)->dev;
	struct devsim_dev_stats st;

	wr(dev, VIRTIO_PCI_COMMON_Q_SELECT, 2, 5);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_SELECT, 2), 5);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_SIZE, 2), 0);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_NOFF, 2), 0);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_MSIX, 2), 0);
	wr(dev, VIRTIO_PCI_COMMON_Q_SIZE, 2, 64);
	wr(dev, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	wr(dev, VIRTIO_PCI_COMMON_Q_DESCLO, 4, 0x1000);
	devsim_dev_stats_get(dev, &st);
	assert_int_equal(st.unknown_accesses, 3);
	assert_int_equal(st.bad_accesses, 3);
	wr(dev, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0xffff);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);

	/* The last real queue (the control queue) is untouched. */
	wr(dev, VIRTIO_PCI_COMMON_Q_SELECT, 2, 4);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_SIZE, 2), 256);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_DESCLO, 4), 0);
}

static void
test_msix_vectors(void **state)
{
	struct devsim_dev *dev = ((struct fixture *)*state)->dev;

	/* 5 queues + config: vectors 0..5. */
	wr(dev, VIRTIO_PCI_COMMON_MSIX, 2, 5);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_MSIX, 2), 5);
	wr(dev, VIRTIO_PCI_COMMON_MSIX, 2, 6);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	wr(dev, VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
	wr(dev, VIRTIO_PCI_COMMON_Q_MSIX, 2, 2);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_MSIX, 2), 2);
	wr(dev, VIRTIO_PCI_COMMON_Q_MSIX, 2, 0x1234);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_MSIX, 2),
			 VIRTIO_MSI_NO_VECTOR);
}

/* ---- features ------------------------------------------------------------------ */

static void
test_feature_select_windows(void **state)
{
	struct devsim_dev *dev = ((struct fixture *)*state)->dev;

	driver_features_set(dev, 0x123456789abcdef0ULL);
	wr(dev, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_GF, 4), 0x9abcdef0);
	wr(dev, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_GF, 4), 0x12345678);
	/* Other windows: read 0, writes ignored (counted). */
	wr(dev, VIRTIO_PCI_COMMON_GFSELECT, 4, 2);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_GF, 4), 0);
	wr(dev, VIRTIO_PCI_COMMON_GF, 4, 0xffffffff);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_GF, 4), 0);
	assert_int_equal(bad(dev), 1);
	wr(dev, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_GF, 4), 0x12345678);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_GFSELECT, 4), 1);
}

static void
test_features_ok_refused(void **state)
{
	struct fixture *f = *state;
	struct devsim_dev *dev = f->dev;

	set_status(dev, S_ACK | S_DRV);
	/* A feature the device does not offer. */
	driver_features_set(dev, good_features | (1ULL << VIRTIO_F_ACCESS_PLATFORM));
	set_status(dev, S_ACK | S_DRV | S_FOK);
	assert_int_equal(status(dev), S_ACK | S_DRV);
	assert_non_null(strstr(devsim_dev_last_error(dev), "does not offer"));
	/* No VERSION_1. */
	driver_features_set(dev, good_features & ~(1ULL << VIRTIO_F_VERSION_1));
	set_status(dev, S_ACK | S_DRV | S_FOK);
	assert_int_equal(status(dev), S_ACK | S_DRV);
	assert_non_null(strstr(devsim_dev_last_error(dev), "VERSION_1"));
	assert_int_equal(fake_backend_count(&f->fb, FAKE_SET_FEATURES), 0);
	/* The backend refuses. */
	f->fb.fail[FAKE_SET_FEATURES] = -EIO;
	driver_features_set(dev, good_features);
	set_status(dev, S_ACK | S_DRV | S_FOK);
	assert_int_equal(status(dev), S_ACK | S_DRV);
	/* Accepted: the negotiated set goes to the backend. */
	f->fb.fail[FAKE_SET_FEATURES] = 0;
	fake_backend_clear(&f->fb);
	set_status(dev, S_ACK | S_DRV | S_FOK);
	assert_int_equal(status(dev), S_ACK | S_DRV | S_FOK);
	assert_int_equal(f->fb.calls[0].op, FAKE_SET_FEATURES);
	assert_int_equal(f->fb.calls[0].value, good_features);
	/* Frozen after FEATURES_OK. */
	wr(dev, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	wr(dev, VIRTIO_PCI_COMMON_GF, 4, 0);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_GF, 4), (uint32_t)good_features);
	assert_true((device_features(dev) & good_features) == good_features);
}

/* ---- status machine -------------------------------------------------------------- */

static void
test_driver_ok_sequence(void **state)
{
	struct fixture *f = *state;
	const struct fake_call *c;
	unsigned int i, q;
	int at;

	negotiate(f);
	queue_program(f, 0, true);
	queue_program(f, 1, true);
	queue_program(f, 3, false);         /* programmed, not enabled */
	mem_set(f);
	fake_backend_clear(&f->fb);
	set_status(f->dev, S_ACK | S_DRV | S_FOK | S_DOK);
	assert_int_equal(status(f->dev), S_ACK | S_DRV | S_FOK | S_DOK);

	/* set_mem_table, vring_start 0, vring_start 1, set_status. */
	assert_int_equal(f->fb.ncalls, 4);
	c = &f->fb.calls[0];
	assert_int_equal(c->op, FAKE_SET_MEM_TABLE);
	assert_int_equal(c->nregions, 1);
	assert_int_equal(c->regions[0].addr, (uint64_t)(uintptr_t)f->mem);
	assert_int_equal(c->regions[0].size, MEM_SIZE);
	assert_int_equal(c->regions[0].fd_offset, 0);
	assert_true(c->regions[0].fd >= 0 && c->regions[0].fd != f->memfd);
	for (i = 1; i <= 2; i++) {
		q = i - 1;
		c = &f->fb.calls[i];
		assert_int_equal(c->op, FAKE_VRING_START);
		assert_int_equal(c->idx, q);
		assert_int_equal(c->vring.num, QSIZE);
		assert_int_equal(c->vring.base, 0);
		assert_int_equal(c->vring.desc, ring_base(f, q));
		assert_int_equal(c->vring.avail, ring_base(f, q) + 0x2000);
		assert_int_equal(c->vring.used, ring_base(f, q) + 0x4000);
		assert_true(c->vring.kick_fd >= 0 && c->vring.call_fd >= 0);
		assert_int_equal(devsim_dev_irq_fd(f->dev, q), c->vring.call_fd);
	}
	c = &f->fb.calls[3];
	assert_int_equal(c->op, FAKE_SET_STATUS);
	assert_int_equal(c->value, S_ACK | S_DRV | S_FOK | S_DOK);
	assert_int_equal(devsim_dev_irq_fd(f->dev, 3), -1);
	assert_int_equal(devsim_dev_irq_fd(f->dev, 4), -1);
	assert_true(devsim_dev_irq_fd(f->dev, DEVSIM_IRQ_CONFIG) >= 0);

	/* A queue enabled after DRIVER_OK starts at once. */
	fake_backend_clear(&f->fb);
	wr(f->dev, VIRTIO_PCI_COMMON_Q_SELECT, 2, 3);
	wr(f->dev, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	at = fake_backend_find(&f->fb, FAKE_VRING_START, 0);
	assert_int_equal(at, 0);
	assert_int_equal(f->fb.calls[at].idx, 3);
	assert_int_equal(f->fb.calls[at].vring.desc, ring_base(f, 3));
	assert_true(devsim_dev_irq_fd(f->dev, 3) >= 0);
}

static void
test_driver_ok_without_memory(void **state)
{
	struct fixture *f = *state;

	negotiate(f);
	queue_program(f, 0, true);
	fake_backend_clear(&f->fb);
	set_status(f->dev, S_ACK | S_DRV | S_FOK | S_DOK);
	assert_true(status(f->dev) & S_RESET);
	assert_non_null(strstr(devsim_dev_last_error(f->dev), "memory table"));
	assert_int_equal(fake_backend_count(&f->fb, FAKE_SET_MEM_TABLE), 0);
	assert_int_equal(fake_backend_count(&f->fb, FAKE_VRING_START), 0);
	/* Nothing but FAILED or a reset is accepted now. */
	set_status(f->dev, S_ACK | S_DRV | S_FOK | S_DOK | VIRTIO_CONFIG_S_FAILED);
	assert_true(status(f->dev) & VIRTIO_CONFIG_S_FAILED);
	set_status(f->dev, 0);
	assert_int_equal(status(f->dev), 0);
}

static void
test_driver_ok_without_features_ok(void **state)
{
	struct fixture *f = *state;

	set_status(f->dev, S_ACK | S_DRV);
	mem_set(f);
	set_status(f->dev, S_ACK | S_DRV | S_DOK);
	assert_int_equal(status(f->dev), S_ACK | S_DRV);
	assert_int_equal(fake_backend_count(&f->fb, FAKE_SET_MEM_TABLE), 0);
}

static void
test_backend_failure_needs_reset(void **state)
{
	struct fixture *f = *state;
	int fds;

	negotiate(f);
	queue_program(f, 0, true);
	queue_program(f, 1, true);
	mem_set(f);
	fds = tu_fd_count();
	f->fb.fail[FAKE_VRING_START] = -EIO;
	f->fb.fail_vring_idx = 1;
	fake_backend_clear(&f->fb);
	set_status(f->dev, S_ACK | S_DRV | S_FOK | S_DOK);
	assert_true(status(f->dev) & S_RESET);
	assert_non_null(strstr(devsim_dev_last_error(f->dev), "queue 1"));
	assert_int_equal(fake_backend_count(&f->fb, FAKE_VRING_START), 2);
	assert_int_equal(fake_backend_count(&f->fb, FAKE_SET_STATUS), 0);
	/* Queue 0 runs (2 fds), queue 1's fds were closed. */
	assert_int_equal(tu_fd_count(), fds + 2);
	/* Config interrupt raised for NEEDS_RESET after DRIVER_OK. */
	assert_int_equal(eventfd_take(devsim_dev_irq_fd(f->dev,
							DEVSIM_IRQ_CONFIG)), 1);

	/* Reset stops only the started queue. */
	fake_backend_clear(&f->fb);
	set_status(f->dev, 0);
	assert_int_equal(fake_backend_count(&f->fb, FAKE_VRING_STOP), 1);
	assert_int_equal(f->fb.calls[0].idx, 0);
	assert_int_equal(tu_fd_count(), fds);

	/* set_mem_table failing: NEEDS_RESET as well. */
	f->fb.fail[FAKE_VRING_START] = 0;
	f->fb.fail[FAKE_SET_MEM_TABLE] = -EINVAL;
	negotiate(f);
	set_status(f->dev, S_ACK | S_DRV | S_FOK | S_DOK);
	assert_true(status(f->dev) & S_RESET);
	assert_non_null(strstr(devsim_dev_last_error(f->dev), "memory table"));
}

static void
test_ring_outside_memory(void **state)
{
	struct fixture *f = *state;

	negotiate(f);
	queue_program(f, 0, true);
	wr(f->dev, VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
	wr64(f->dev, VIRTIO_PCI_COMMON_Q_DESCLO, 0x1000);  /* not shared */
	wr64(f->dev, VIRTIO_PCI_COMMON_Q_AVAILLO, ring_base(f, 1));
	wr64(f->dev, VIRTIO_PCI_COMMON_Q_USEDLO, ring_base(f, 1) + 0x4000);
	wr(f->dev, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	mem_set(f);
	set_status(f->dev, S_ACK | S_DRV | S_FOK | S_DOK);
	assert_true(status(f->dev) & S_RESET);
	assert_non_null(strstr(devsim_dev_last_error(f->dev), "outside"));
	assert_int_equal(fake_backend_count(&f->fb, FAKE_VRING_START), 1);
}

static void
test_reset(void **state)
{
	struct fixture *f = *state;
	struct devsim_dev *dev = f->dev;
	int fds_idle = tu_fd_count();
	unsigned int q;

	bring_up(f);
	assert_int_equal(tu_fd_count(), fds_idle + 1 /* mem dup */ + 4);
	wr(dev, VIRTIO_PCI_COMMON_MSIX, 2, 1);
	fake_backend_clear(&f->fb);

	/* Bits cannot be cleared except by the reset write. */
	set_status(dev, S_ACK | S_DRV | S_FOK);
	assert_int_equal(status(dev), S_ACK | S_DRV | S_FOK | S_DOK);
	assert_int_equal(bad(dev), 1);
	assert_int_equal(f->fb.ncalls, 0);

	set_status(dev, 0);
	assert_int_equal(status(dev), 0);
	assert_int_equal(f->fb.ncalls, 3);
	assert_int_equal(f->fb.calls[0].op, FAKE_VRING_STOP);
	assert_int_equal(f->fb.calls[0].idx, 0);
	assert_int_equal(f->fb.calls[1].op, FAKE_VRING_STOP);
	assert_int_equal(f->fb.calls[1].idx, 1);
	assert_int_equal(f->fb.calls[2].op, FAKE_SET_STATUS);
	assert_int_equal(f->fb.calls[2].value, 0);
	/* Eventfds closed, the memory table kept. */
	assert_int_equal(tu_fd_count(), fds_idle + 1);
	assert_int_equal(devsim_dev_irq_fd(dev, 0), -1);

	/* Registers back to their defaults. */
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_SELECT, 2), 0);
	wr(dev, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_GF, 4), 0);
	wr(dev, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_GF, 4), 0);
	for (q = 0; q < 4; q++) {
		wr(dev, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
		assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_SIZE, 2), 256);
		assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
		assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_DESCLO, 4), 0);
		assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_Q_USEDHI, 4), 0);
	}

	/* And the device comes up again. */
	bring_up(f);
	assert_int_equal(fake_backend_count(&f->fb, FAKE_VRING_START), 2);
}

/*
 * devsim's resume register (devsim/virtio_resume.h): per queue under
 * queue_select, 4-byte halves only, frozen once the queue is enabled,
 * cleared by a reset.
 */
static void
test_resume_register(void **state)
{
	struct fixture *f = *state;
	struct devsim_dev *dev = f->dev;
	uint64_t lo = DEVSIM_VPCI_RESUME_OFF + DEVSIM_RESUME_Q_ADDR_LO;
	uint64_t hi = DEVSIM_VPCI_RESUME_OFF + DEVSIM_RESUME_Q_ADDR_HI;
	uint32_t v;

	wr(dev, VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
	assert_int_equal(rd(dev, lo, 4), 0);
	wr(dev, lo, 4, 0x12345678);
	wr(dev, hi, 4, 0x9abc);
	wr(dev, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	assert_int_equal(rd(dev, lo, 4), 0);
	wr(dev, VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
	assert_int_equal(rd(dev, lo, 4), 0x12345678);
	assert_int_equal(rd(dev, hi, 4), 0x9abc);
	/* Not the natural width: refused, counted. */
	assert_int_equal(devsim_bar_read(dev, BAR, lo, 2, &v), -EINVAL);
	assert_int_equal(bad(dev), 1);
	/* Frozen once enabled, like the ring addresses. */
	wr(dev, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	wr(dev, lo, 4, 0);
	assert_int_equal(rd(dev, lo, 4), 0x12345678);
	assert_int_equal(bad(dev), 2);
	/* Out-of-range queue: reads 0, writes ignored. */
	wr(dev, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0x7fff);
	assert_int_equal(rd(dev, lo, 4), 0);
	wr(dev, lo, 4, 1);
	/* A reset clears it. */
	set_status(dev, 0);
	wr(dev, VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
	assert_int_equal(rd(dev, lo, 4), 0);
	assert_int_equal(rd(dev, hi, 4), 0);
}

/* ---- notify ----------------------------------------------------------------------- */

static void
test_notify_kicks(void **state)
{
	struct fixture *f = *state;
	struct devsim_dev_stats st;
	int kick0, kick1, i;

	bring_up(f);
	kick0 = f->fb.calls[fake_backend_find(&f->fb, FAKE_VRING_START, 0)]
		.vring.kick_fd;
	kick1 = f->fb.calls[fake_backend_find(&f->fb, FAKE_VRING_START, 0) + 1]
		.vring.kick_fd;

	wr(f->dev, DEVSIM_VPCI_NOTIFY_OFF + 0, 2, 0);
	wr(f->dev, DEVSIM_VPCI_NOTIFY_OFF + 0, 2, 0);
	for (i = 0; i < 3; i++)
		wr(f->dev, DEVSIM_VPCI_NOTIFY_OFF + 4, 2, 1);
	assert_int_equal(eventfd_take(kick0), 2);
	assert_int_equal(eventfd_take(kick1), 3);
	assert_int_equal(eventfd_take(kick0), 0);   /* drained */
	devsim_dev_stats_get(f->dev, &st);
	assert_int_equal(st.kicks, 5);
	assert_int_equal(st.bad_accesses, 0);

	/* Wrong width, wrong value, not started: no kick. */
	assert_int_equal(devsim_bar_write(f->dev, BAR, DEVSIM_VPCI_NOTIFY_OFF, 4,
					  0), -EINVAL);
	wr(f->dev, DEVSIM_VPCI_NOTIFY_OFF + 4, 2, 0);      /* value != index */
	wr(f->dev, DEVSIM_VPCI_NOTIFY_OFF + 8, 2, 2);      /* not started */
	wr(f->dev, DEVSIM_VPCI_NOTIFY_OFF + 16, 2, 4);     /* no such queue */
	wr(f->dev, DEVSIM_VPCI_NOTIFY_OFF + 2, 2, 0);      /* between queues */
	assert_int_equal(eventfd_take(kick1), 0);
	devsim_dev_stats_get(f->dev, &st);
	assert_int_equal(st.kicks, 5);
	assert_int_equal(st.bad_accesses, 5);
}

/*
 * devsim_dev_kick_fd(): the fd the backend was given, signalled by notify
 * writes and by whoever writes to a copy of it (a secondary process);
 * -1 before the start, for queues not started and after a reset.
 */
static void
test_kick_fd_accessor(void **state)
{
	struct fixture *f = *state;
	int at, dup0;
	uint64_t one = 1;

	assert_int_equal(devsim_dev_kick_fd(f->dev, 0), -1);
	bring_up(f);
	at = fake_backend_find(&f->fb, FAKE_VRING_START, 0);
	assert_true(at >= 0);
	assert_int_equal(devsim_dev_kick_fd(f->dev, 0),
			 f->fb.calls[at].vring.kick_fd);
	assert_int_equal(devsim_dev_kick_fd(f->dev, 1),
			 f->fb.calls[at + 1].vring.kick_fd);
	assert_int_equal(devsim_dev_kick_fd(f->dev, 2), -1);	/* not started */
	assert_int_equal(devsim_dev_kick_fd(f->dev, 4), -1);	/* no such queue */
	assert_int_equal(devsim_dev_kick_fd(f->dev, DEVSIM_IRQ_CONFIG), -1);
	assert_int_equal(devsim_dev_kick_fd(NULL, 0), -1);

	/* A copy of it kicks the same queue as the notify register. */
	dup0 = dup(devsim_dev_kick_fd(f->dev, 0));
	assert_true(dup0 >= 0);
	assert_int_equal(write(dup0, &one, sizeof(one)), (ssize_t)sizeof(one));
	wr(f->dev, DEVSIM_VPCI_NOTIFY_OFF + 0, 2, 0);
	assert_int_equal(eventfd_take(f->fb.calls[at].vring.kick_fd), 2);
	close(dup0);

	set_status(f->dev, 0);
	assert_int_equal(devsim_dev_kick_fd(f->dev, 0), -1);
	assert_int_equal(devsim_dev_kick_fd(f->dev, 1), -1);
}

static void
test_notify_before_start(void **state)
{
	struct fixture *f = *state;
	struct devsim_dev_stats st;

	negotiate(f);
	queue_program(f, 0, true);
	wr(f->dev, DEVSIM_VPCI_NOTIFY_OFF, 2, 0);
	devsim_dev_stats_get(f->dev, &st);
	assert_int_equal(st.kicks, 0);
	assert_int_equal(st.bad_accesses, 1);
}

/* ---- ISR and events ---------------------------------------------------------------- */

static void
test_disconnect_event(void **state)
{
	struct fixture *f = *state;
	struct devsim_dev *dev = f->dev;
	int cfg_fd = devsim_dev_irq_fd(dev, DEVSIM_IRQ_CONFIG);
	uint32_t gen;

	bring_up(f);
	f->fb.event_fd = 42;
	assert_int_equal(devsim_dev_event_fd(dev), 42);
	assert_int_equal(rd(dev, DEVSIM_VPCI_ISR_OFF, 1), 0);
	gen = rd(dev, VIRTIO_PCI_COMMON_CFGGENERATION, 1);
	assert_int_equal(rd(dev, DEVSIM_VPCI_DEVICE_OFF + 6, 2),
			 VIRTIO_NET_S_LINK_UP);

	/* An event the backend handles: nothing changes. */
	assert_int_equal(devsim_dev_handle_event(dev), 0);
	assert_int_equal(eventfd_take(cfg_fd), 0);

	f->fb.fail[FAKE_HANDLE_EVENT] = -ENOTCONN;
	assert_int_equal(devsim_dev_handle_event(dev), -ENOTCONN);
	assert_int_equal(rd(dev, DEVSIM_VPCI_DEVICE_OFF + 6, 2), 0);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_CFGGENERATION, 1),
			 (gen + 1) & 0xff);
	assert_int_equal(eventfd_take(cfg_fd), 1);
	/* ISR: read returns the config bit and clears it. */
	assert_int_equal(rd(dev, DEVSIM_VPCI_ISR_OFF, 1), DEVSIM_VPCI_ISR_CONFIG);
	assert_int_equal(rd(dev, DEVSIM_VPCI_ISR_OFF, 1), 0);
	assert_int_equal(devsim_bar_read(dev, BAR, DEVSIM_VPCI_ISR_OFF, 4,
					 &gen), -EINVAL);

	/* Still down: no second interrupt, no second bump. */
	gen = rd(dev, VIRTIO_PCI_COMMON_CFGGENERATION, 1);
	assert_int_equal(devsim_dev_handle_event(dev), -ENOTCONN);
	assert_int_equal(rd(dev, VIRTIO_PCI_COMMON_CFGGENERATION, 1), gen);
	assert_int_equal(eventfd_take(cfg_fd), 0);
}

static void
test_unplug_teardown(void **state)
{
	struct fixture *f = *state;
	struct devsim_net_cfg cfg = tu_net_cfg();
	int fds = tu_fd_count();

	bring_up(f);
	assert_true(tu_fd_count() > fds);
	fake_backend_clear(&f->fb);
	devsim_unplug(f->dev);
	assert_int_equal(tu_fd_count(), fds - 1 /* the config eventfd */);
	assert_int_equal(fake_backend_count(&f->fb, FAKE_VRING_STOP), 2);
	assert_int_equal(f->fb.calls[f->fb.ncalls - 1].op, FAKE_CLOSE);
	assert_true(f->fb.closed);

	/* Re-plug for teardown()'s bus destroy. */
	fake_backend_init(&f->fb);
	assert_int_equal(devsim_net_dev_create_with_backend(f->bus, &cfg,
			&fake_backend_ops, fake_backend_be(&f->fb), &f->fb.info,
			&f->dev), 0);
}

/* A backend that also offers VIRTIO_F_RING_PACKED. */
static int
setup_packed(void **state)
{
	int rc;

	setup_backend_features = 1ULL << VIRTIO_F_RING_PACKED;
	rc = setup(state);
	setup_backend_features = 0;
	return rc;
}

/*
 * Packed rings: the areas are checked at their packed sizes, and the base
 * handed to the backend carries the avail wrap counter (1) in bit 15, as
 * lib/vhost's SET_VRING_BASE reads it for packed rings.
 */
static void
test_packed_ring_base(void **state)
{
	struct fixture *f = *state;
	const struct fake_call *c;
	int at;

	assert_true(device_features(f->dev) & (1ULL << VIRTIO_F_RING_PACKED));
	set_status(f->dev, S_ACK);
	set_status(f->dev, S_ACK | S_DRV);
	driver_features_set(f->dev, good_features | (1ULL << VIRTIO_F_RING_PACKED));
	set_status(f->dev, S_ACK | S_DRV | S_FOK);
	assert_int_equal(status(f->dev), S_ACK | S_DRV | S_FOK);
	queue_program(f, 0, true);
	mem_set(f);
	fake_backend_clear(&f->fb);
	set_status(f->dev, S_ACK | S_DRV | S_FOK | S_DOK);
	assert_int_equal(status(f->dev), S_ACK | S_DRV | S_FOK | S_DOK);
	at = fake_backend_find(&f->fb, FAKE_VRING_START, 0);
	assert_true(at >= 0);
	c = &f->fb.calls[at];
	assert_int_equal(c->idx, 0);
	assert_int_equal(c->vring.base, DEVSIM_PACKED_BASE_WRAP);
	assert_int_equal(c->vring.desc, ring_base(f, 0));
	assert_int_equal(c->vring.avail, ring_base(f, 0) + 0x2000);
	assert_int_equal(c->vring.used, ring_base(f, 0) + 0x4000);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_common_defaults),
		T(test_queue_registers),
		T(test_queue_select_clamp),
		T(test_msix_vectors),
		T(test_feature_select_windows),
		T(test_features_ok_refused),
		T(test_driver_ok_sequence),
		T(test_driver_ok_without_memory),
		T(test_driver_ok_without_features_ok),
		T(test_backend_failure_needs_reset),
		T(test_ring_outside_memory),
		T(test_reset),
		T(test_resume_register),
		T(test_notify_kicks),
		T(test_kick_fd_accessor),
		T(test_notify_before_start),
		T(test_disconnect_event),
		T(test_unplug_teardown),
		cmocka_unit_test_setup_teardown(test_packed_ring_base, setup_packed,
						teardown),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
