/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * The emulated control virtqueue, through the IO API of a whole device on
 * a recording fake backend: a tiny split-ring driver in this file puts
 * commands on the control queue and writes its notify register; devsim
 * answers before the write returns.  Covers VQ_PAIRS_SET -> vring_enable,
 * MAC_ADDR_SET -> device config, refused commands, and a hostile driver
 * (addresses outside the memory table, looping and overlong chains).
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
#include "virtio_net_ctrl.h"
#include "wire/virtio_pci_regs.h"

#define BAR DEVSIM_VPCI_BAR
#define MEM_SIZE (1u << 20)
#define QSIZE 32u
#define CVQ 4u                       /* 2 pairs with MQ: 2 * 2 */
#define CTRL_AREA 0x80000u           /* control ring, within mem */
#define BUF_AREA 0x90000u            /* command buffers */

#define S_ACK    VIRTIO_CONFIG_S_ACKNOWLEDGE
#define S_DRV    VIRTIO_CONFIG_S_DRIVER
#define S_FOK    VIRTIO_CONFIG_S_FEATURES_OK
#define S_DOK    VIRTIO_CONFIG_S_DRIVER_OK
#define S_RESET  VIRTIO_CONFIG_S_NEEDS_RESET

#define F(b) (1ULL << (b))
#define F_BASE (F(VIRTIO_F_VERSION_1) | F(VIRTIO_NET_F_MAC) | \
		F(VIRTIO_NET_F_CTRL_VQ) | F(VIRTIO_NET_F_CTRL_MAC_ADDR))

struct fixture {
	int fds_before;
	struct tu_log log;
	struct fake_backend fb;
	struct devsim_bus *bus;
	struct devsim_dev *dev;
	int memfd;
	uint8_t *mem;
	/* the test's driver side of the control queue */
	unsigned int cvq;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t avail_idx;
	uint16_t last_used;
};

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
	f->fb.info.features |= F(VIRTIO_F_RING_PACKED) |
			       F(VIRTIO_RING_F_INDIRECT_DESC);
	f->bus = devsim_bus_create(tu_log_hook, &f->log);
	assert_non_null(f->bus);
	assert_int_equal(devsim_net_dev_create_with_backend(f->bus, &cfg,
			&fake_backend_ops, fake_backend_be(&f->fb), &f->fb.info,
			&f->dev), 0);
	f->desc = (struct vring_desc *)(f->mem + CTRL_AREA);
	f->avail = (struct vring_avail *)(f->mem + CTRL_AREA + 0x1000);
	f->used = (struct vring_used *)(f->mem + CTRL_AREA + 0x2000);
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

/* ---- device helpers -------------------------------------------------------- */

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
wr64(struct devsim_dev *dev, uint64_t lo_off, uint64_t val)
{
	wr(dev, lo_off, 4, (uint32_t)val);
	wr(dev, lo_off + 4, 4, (uint32_t)(val >> 32));
}

static uint64_t
cva(const struct fixture *f, uint64_t off)
{
	return (uint64_t)(uintptr_t)f->mem + off;
}

static void
queue_program(struct fixture *f, unsigned int q, uint64_t base)
{
	wr(f->dev, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
	wr(f->dev, VIRTIO_PCI_COMMON_Q_SIZE, 2, QSIZE);
	wr64(f->dev, VIRTIO_PCI_COMMON_Q_DESCLO, base);
	wr64(f->dev, VIRTIO_PCI_COMMON_Q_AVAILLO, base + 0x1000);
	wr64(f->dev, VIRTIO_PCI_COMMON_Q_USEDLO, base + 0x2000);
	wr(f->dev, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
}

/*
 * Negotiate @features, program the data queues of @pairs pairs and the
 * control queue at @cvq, share the memory and set DRIVER_OK.
 */
static void
bring_up(struct fixture *f, uint64_t features, unsigned int pairs,
	 unsigned int cvq)
{
	struct devsim_mem_region r = {
		.addr = cva(f, 0), .size = MEM_SIZE, .fd = f->memfd,
	};
	unsigned int q;

	wr(f->dev, VIRTIO_PCI_COMMON_STATUS, 1, S_ACK | S_DRV);
	wr(f->dev, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	wr(f->dev, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)features);
	wr(f->dev, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	wr(f->dev, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)(features >> 32));
	wr(f->dev, VIRTIO_PCI_COMMON_STATUS, 1, S_ACK | S_DRV | S_FOK);
	assert_int_equal(status(f->dev), S_ACK | S_DRV | S_FOK);
	for (q = 0; q < 2 * pairs; q++)
		queue_program(f, q, cva(f, q * 0x4000u));
	queue_program(f, cvq, cva(f, CTRL_AREA));
	f->cvq = cvq;
	assert_int_equal(devsim_mem_set(f->dev, &r, 1), 0);
	fake_backend_clear(&f->fb);
	wr(f->dev, VIRTIO_PCI_COMMON_STATUS, 1, S_ACK | S_DRV | S_FOK | S_DOK);
}

static void
notify(struct fixture *f)
{
	wr(f->dev, DEVSIM_VPCI_NOTIFY_OFF + f->cvq * DEVSIM_VPCI_NOTIFY_MULT, 2,
	   f->cvq);
}

/* ---- the test's control queue driver ---------------------------------------- */

static void
desc_set(struct vring_desc *d, uint64_t addr, uint32_t len, uint16_t flags,
	 uint16_t next)
{
	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

static void
avail_push(struct fixture *f, uint16_t head)
{
	f->avail->ring[f->avail_idx % QSIZE] = head;
	f->avail_idx++;
	__atomic_store_n(&f->avail->idx, f->avail_idx, __ATOMIC_RELEASE);
}

/*
 * One command as the usual three descriptors at slots 0..2: header, data
 * (none when @len is 0), ack.  Returns the ack byte's offset in mem.
 */
static uint64_t
cmd_post(struct fixture *f, uint8_t class, uint8_t cmd, const void *data,
	 uint32_t len)
{
	uint8_t *buf = f->mem + BUF_AREA;
	uint64_t ack = BUF_AREA + 0x800;
	uint16_t d = 0;

	buf[0] = class;
	buf[1] = cmd;
	if (len > 0) /* memcpy from NULL is UB even for 0 bytes */
		memcpy(buf + 16, data, len);
	f->mem[ack] = 0xaa;
	desc_set(&f->desc[d], cva(f, BUF_AREA), 2, VRING_DESC_F_NEXT, d + 1);
	d++;
	if (len > 0) {
		desc_set(&f->desc[d], cva(f, BUF_AREA + 16), len,
			 VRING_DESC_F_NEXT, d + 1);
		d++;
	}
	desc_set(&f->desc[d], cva(f, ack), 1, VRING_DESC_F_WRITE, 0);
	avail_push(f, 0);
	return ack;
}

/* Post, notify, and return the ack; the used entry must be there. */
static uint8_t
cmd_run(struct fixture *f, uint8_t class, uint8_t cmd, const void *data,
	uint32_t len)
{
	uint64_t ack = cmd_post(f, class, cmd, data, len);
	uint16_t used_idx;

	notify(f);
	used_idx = __atomic_load_n(&f->used->idx, __ATOMIC_ACQUIRE);
	assert_int_equal(used_idx, (uint16_t)(f->last_used + 1));
	assert_int_equal(f->used->ring[f->last_used % QSIZE].id, 0);
	assert_int_equal(f->used->ring[f->last_used % QSIZE].len, 1);
	f->last_used++;
	return f->mem[ack];
}

static uint8_t
pairs_set(struct fixture *f, uint16_t pairs)
{
	uint8_t le[2] = { (uint8_t)pairs, (uint8_t)(pairs >> 8) };

	return cmd_run(f, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET,
		       le, 2);
}

static unsigned int
enables(const struct fake_backend *fb, unsigned int idx, bool on)
{
	unsigned int i, n = 0;

	for (i = 0; i < fb->ncalls; i++)
		n += fb->calls[i].op == FAKE_VRING_ENABLE &&
		     fb->calls[i].idx == idx && fb->calls[i].value == on;
	return n;
}

/* ---- tests ------------------------------------------------------------------ */

static void
test_start_pair0_only(void **state)
{
	struct fixture *f = *state;
	unsigned int q;
	int at;

	bring_up(f, F_BASE | F(VIRTIO_NET_F_MQ), 2, CVQ);
	assert_int_equal(status(f->dev), S_ACK | S_DRV | S_FOK | S_DOK);
	/* Data vrings start; pair 1 is disabled until VQ_PAIRS_SET. */
	assert_int_equal(fake_backend_count(&f->fb, FAKE_VRING_START), 4);
	for (at = -1, q = 0; q < 4; q++) {
		at = fake_backend_find(&f->fb, FAKE_VRING_START, at + 1);
		assert_int_equal(f->fb.calls[at].idx, q);
	}
	assert_int_equal(fake_backend_count(&f->fb, FAKE_VRING_ENABLE), 2);
	assert_int_equal(enables(&f->fb, 2, false), 1);
	assert_int_equal(enables(&f->fb, 3, false), 1);
	/* The control queue has no interrupt eventfd: the driver polls. */
	assert_int_equal(devsim_dev_irq_fd(f->dev, CVQ), -1);
}

static void
test_ctrl_features_not_passed(void **state)
{
	struct fixture *f = *state;
	uint64_t feat = F_BASE | F(VIRTIO_NET_F_MQ);
	int at;

	wr(f->dev, VIRTIO_PCI_COMMON_STATUS, 1, S_ACK | S_DRV);
	wr(f->dev, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	wr(f->dev, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)feat);
	wr(f->dev, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	wr(f->dev, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)(feat >> 32));
	wr(f->dev, VIRTIO_PCI_COMMON_STATUS, 1, S_ACK | S_DRV | S_FOK);
	assert_int_equal(status(f->dev), S_ACK | S_DRV | S_FOK);
	/* The backend never hears of the control queue (emulated here). */
	at = fake_backend_find(&f->fb, FAKE_SET_FEATURES, 0);
	assert_true(at >= 0);
	assert_int_equal(f->fb.calls[at].value,
			 F(VIRTIO_F_VERSION_1) | F(VIRTIO_NET_F_MAC) |
			 F(VIRTIO_NET_F_MQ));
}

static void
test_pairs_set(void **state)
{
	struct fixture *f = *state;

	bring_up(f, F_BASE | F(VIRTIO_NET_F_MQ), 2, CVQ);
	fake_backend_clear(&f->fb);
	assert_int_equal(pairs_set(f, 2), VIRTIO_NET_OK);
	assert_int_equal(fake_backend_count(&f->fb, FAKE_VRING_ENABLE), 2);
	assert_int_equal(enables(&f->fb, 2, true), 1);
	assert_int_equal(enables(&f->fb, 3, true), 1);

	/* Already in use: nothing to tell the backend. */
	fake_backend_clear(&f->fb);
	assert_int_equal(pairs_set(f, 2), VIRTIO_NET_OK);
	assert_int_equal(f->fb.ncalls, 0);

	assert_int_equal(pairs_set(f, 1), VIRTIO_NET_OK);
	assert_int_equal(enables(&f->fb, 2, false), 1);
	assert_int_equal(enables(&f->fb, 3, false), 1);
	assert_int_equal(enables(&f->fb, 0, false), 0);

	/* Out of range: refused, the backend is not told anything. */
	fake_backend_clear(&f->fb);
	assert_int_equal(pairs_set(f, 0), VIRTIO_NET_ERR);
	assert_int_equal(pairs_set(f, 3), VIRTIO_NET_ERR);
	assert_int_equal(f->fb.ncalls, 0);

	/* The backend failing makes the command fail. */
	f->fb.fail[FAKE_VRING_ENABLE] = -EIO;
	assert_int_equal(pairs_set(f, 2), VIRTIO_NET_ERR);
	assert_int_equal(status(f->dev), S_ACK | S_DRV | S_FOK | S_DOK);
}

static void
test_pairs_set_needs_mq(void **state)
{
	struct fixture *f = *state;

	/* Without MQ the control queue is queue 2 and pairs are fixed. */
	bring_up(f, F_BASE, 1, 2);
	assert_int_equal(status(f->dev), S_ACK | S_DRV | S_FOK | S_DOK);
	assert_int_equal(fake_backend_count(&f->fb, FAKE_VRING_START), 2);
	assert_int_equal(fake_backend_count(&f->fb, FAKE_VRING_ENABLE), 0);
	assert_int_equal(pairs_set(f, 1), VIRTIO_NET_ERR);
	assert_int_equal(fake_backend_count(&f->fb, FAKE_VRING_ENABLE), 0);
}

static void
test_mac_addr_set(void **state)
{
	struct fixture *f = *state;
	const uint8_t mac[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
	uint32_t gen;
	unsigned int i;
	int cfg_fd = devsim_dev_irq_fd(f->dev, DEVSIM_IRQ_CONFIG);
	uint64_t v;

	bring_up(f, F_BASE | F(VIRTIO_NET_F_MQ), 2, CVQ);
	gen = rd(f->dev, VIRTIO_PCI_COMMON_CFGGENERATION, 1);
	while (read(cfg_fd, &v, sizeof(v)) == sizeof(v))
		;
	assert_int_equal(cmd_run(f, VIRTIO_NET_CTRL_MAC,
				 VIRTIO_NET_CTRL_MAC_ADDR_SET, mac, 6),
			 VIRTIO_NET_OK);
	for (i = 0; i < 6; i++)
		assert_int_equal(rd(f->dev, DEVSIM_VPCI_DEVICE_OFF + i, 1),
				 mac[i]);
	assert_int_equal(rd(f->dev, VIRTIO_PCI_COMMON_CFGGENERATION, 1),
			 (gen + 1) & 0xff);
	assert_int_equal(read(cfg_fd, &v, sizeof(v)), sizeof(v));

	/* Wrong length: refused, the MAC stays. */
	assert_int_equal(cmd_run(f, VIRTIO_NET_CTRL_MAC,
				 VIRTIO_NET_CTRL_MAC_ADDR_SET, mac, 5),
			 VIRTIO_NET_ERR);
	assert_int_equal(rd(f->dev, DEVSIM_VPCI_DEVICE_OFF + 1, 1), 0xaa);

	/* A reset restores the plug-time MAC (52:54:00:12:34:56). */
	wr(f->dev, VIRTIO_PCI_COMMON_STATUS, 1, 0);
	assert_int_equal(rd(f->dev, DEVSIM_VPCI_DEVICE_OFF, 4), 0x12005452);
}

static void
test_refused_commands(void **state)
{
	struct fixture *f = *state;
	const uint8_t on = 1, vid[2] = { 10, 0 };
	const uint8_t table[8] = { 0 };

	bring_up(f, F_BASE | F(VIRTIO_NET_F_MQ), 2, CVQ);
	/* CTRL_RX and CTRL_VLAN are not offered: devsim cannot filter. */
	assert_int_equal(cmd_run(f, VIRTIO_NET_CTRL_RX,
				 VIRTIO_NET_CTRL_RX_PROMISC, &on, 1),
			 VIRTIO_NET_ERR);
	assert_int_equal(cmd_run(f, VIRTIO_NET_CTRL_RX,
				 VIRTIO_NET_CTRL_RX_ALLMULTI, &on, 1),
			 VIRTIO_NET_ERR);
	assert_int_equal(cmd_run(f, VIRTIO_NET_CTRL_MAC,
				 VIRTIO_NET_CTRL_MAC_TABLE_SET, table, 8),
			 VIRTIO_NET_ERR);
	assert_int_equal(cmd_run(f, VIRTIO_NET_CTRL_VLAN,
				 VIRTIO_NET_CTRL_VLAN_ADD, vid, 2),
			 VIRTIO_NET_ERR);
	assert_int_equal(cmd_run(f, 99, 0, NULL, 0), VIRTIO_NET_ERR);
	assert_int_equal(cmd_run(f, VIRTIO_NET_CTRL_MQ,
				 VIRTIO_NET_CTRL_MQ_RSS_CONFIG, vid, 2),
			 VIRTIO_NET_ERR);
	/* MQ command with a short payload. */
	assert_int_equal(cmd_run(f, VIRTIO_NET_CTRL_MQ,
				 VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, vid, 1),
			 VIRTIO_NET_ERR);
	/* None of that harms the device. */
	assert_int_equal(status(f->dev), S_ACK | S_DRV | S_FOK | S_DOK);
	assert_int_equal(pairs_set(f, 2), VIRTIO_NET_OK);
}

static void
test_data_outside_memory(void **state)
{
	struct fixture *f = *state;

	bring_up(f, F_BASE | F(VIRTIO_NET_F_MQ), 2, CVQ);
	/* The header points nowhere we share: answered ERR, not read. */
	cmd_post(f, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET,
		 "\x02\x00", 2);
	f->desc[0].addr = 0x1000;
	notify(f);
	assert_int_equal(f->used->idx, 1);
	assert_int_equal(f->mem[BUF_AREA + 0x800], VIRTIO_NET_ERR);
	f->last_used = 1;
	/* Data running past the end of the table. */
	cmd_post(f, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET,
		 "\x02\x00", 2);
	f->desc[1].addr = cva(f, MEM_SIZE - 1);
	notify(f);
	assert_int_equal(f->used->idx, 2);
	assert_int_equal(f->mem[BUF_AREA + 0x800], VIRTIO_NET_ERR);
	assert_int_equal(status(f->dev), S_ACK | S_DRV | S_FOK | S_DOK);
	assert_int_equal(fake_backend_count(&f->fb, FAKE_VRING_ENABLE), 2);
}

static void
expect_broken(struct fixture *f, const char *why)
{
	assert_int_equal(status(f->dev), S_ACK | S_DRV | S_FOK | S_DOK | S_RESET);
	assert_int_equal(f->used->idx, 0);
	assert_non_null(strstr(devsim_dev_last_error(f->dev), why));
}

static void
test_ack_outside_memory(void **state)
{
	struct fixture *f = *state;

	bring_up(f, F_BASE | F(VIRTIO_NET_F_MQ), 2, CVQ);
	cmd_post(f, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET,
		 "\x02\x00", 2);
	f->desc[2].addr = 0x2000;
	notify(f);
	expect_broken(f, "control queue");
	assert_non_null(strstr(f->log.text, "ack byte outside"));
	/* Stopped: later notifies do nothing. */
	f->desc[2].addr = cva(f, BUF_AREA + 0x800);
	notify(f);
	assert_int_equal(f->used->idx, 0);
}

static void
test_looping_chain(void **state)
{
	struct fixture *f = *state;

	bring_up(f, F_BASE | F(VIRTIO_NET_F_MQ), 2, CVQ);
	desc_set(&f->desc[0], cva(f, BUF_AREA), 2, VRING_DESC_F_NEXT, 1);
	desc_set(&f->desc[1], cva(f, BUF_AREA), 2, VRING_DESC_F_NEXT, 0);
	avail_push(f, 0);
	notify(f);
	expect_broken(f, "control queue");
	assert_non_null(strstr(f->log.text, "too long"));
}

static void
test_overlong_chain(void **state)
{
	struct fixture *f = *state;
	uint16_t i;

	bring_up(f, F_BASE | F(VIRTIO_NET_F_MQ), 2, CVQ);
	/* 17 descriptors, no loop: one more than devsim accepts. */
	for (i = 0; i < DEVSIM_NET_CTRL_CHAIN_MAX; i++)
		desc_set(&f->desc[i], cva(f, BUF_AREA), 1, VRING_DESC_F_NEXT,
			 i + 1);
	desc_set(&f->desc[i], cva(f, BUF_AREA + 0x800), 1, VRING_DESC_F_WRITE, 0);
	avail_push(f, 0);
	notify(f);
	expect_broken(f, "control queue");
	assert_non_null(strstr(f->log.text, "too long"));
}

static void
test_bad_indices(void **state)
{
	struct fixture *f = *state;

	bring_up(f, F_BASE | F(VIRTIO_NET_F_MQ), 2, CVQ);
	avail_push(f, QSIZE);               /* head past the queue */
	notify(f);
	expect_broken(f, "control queue");
	assert_non_null(strstr(f->log.text, "head past"));

	/* next past the table, after a reset and a fresh start. */
	wr(f->dev, VIRTIO_PCI_COMMON_STATUS, 1, 0);
	memset(f->mem + CTRL_AREA, 0, 0x3000);
	f->avail_idx = 0;
	bring_up(f, F_BASE | F(VIRTIO_NET_F_MQ), 2, CVQ);
	desc_set(&f->desc[0], cva(f, BUF_AREA), 2, VRING_DESC_F_NEXT, QSIZE);
	avail_push(f, 0);
	notify(f);
	expect_broken(f, "control queue");
	assert_non_null(strstr(f->log.text, "next index past"));

	/* avail->idx jumping further than the ring holds. */
	wr(f->dev, VIRTIO_PCI_COMMON_STATUS, 1, 0);
	memset(f->mem + CTRL_AREA, 0, 0x3000);
	bring_up(f, F_BASE | F(VIRTIO_NET_F_MQ), 2, CVQ);
	f->avail->idx = QSIZE + 1;
	notify(f);
	expect_broken(f, "control queue");
	assert_non_null(strstr(f->log.text, "avail index moved"));
}

static void
test_no_ack_byte(void **state)
{
	struct fixture *f = *state;

	bring_up(f, F_BASE | F(VIRTIO_NET_F_MQ), 2, CVQ);
	desc_set(&f->desc[0], cva(f, BUF_AREA), 4, 0, 0);
	avail_push(f, 0);
	notify(f);
	expect_broken(f, "control queue");
	assert_non_null(strstr(f->log.text, "without a device-writable"));
}

static void
test_indirect(void **state)
{
	struct fixture *f = *state;
	struct vring_desc *table = (struct vring_desc *)(f->mem + BUF_AREA + 0x400);
	uint8_t *buf = f->mem + BUF_AREA;

	bring_up(f, F_BASE | F(VIRTIO_NET_F_MQ) |
		 F(VIRTIO_RING_F_INDIRECT_DESC), 2, CVQ);
	buf[0] = VIRTIO_NET_CTRL_MQ;
	buf[1] = VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET;
	buf[2] = 2;
	buf[3] = 0;
	buf[0x800] = 0xaa;
	desc_set(&table[0], cva(f, BUF_AREA), 4, VRING_DESC_F_NEXT, 1);
	desc_set(&table[1], cva(f, BUF_AREA + 0x800), 1, VRING_DESC_F_WRITE, 0);
	desc_set(&f->desc[5], cva(f, BUF_AREA + 0x400), 2 * sizeof(*table),
		 VRING_DESC_F_INDIRECT, 0);
	avail_push(f, 5);
	notify(f);
	assert_int_equal(f->used->idx, 1);
	assert_int_equal(f->used->ring[0].id, 5);
	assert_int_equal(buf[0x800], VIRTIO_NET_OK);
	assert_int_equal(enables(&f->fb, 3, true), 1);
}

static void
test_event_idx(void **state)
{
	struct fixture *f = *state;
	uint16_t *avail_event;

	bring_up(f, F_BASE | F(VIRTIO_NET_F_MQ) | F(VIRTIO_RING_F_EVENT_IDX),
		 2, CVQ);
	avail_event = (uint16_t *)(void *)&f->used->ring[QSIZE];
	assert_int_equal(pairs_set(f, 2), VIRTIO_NET_OK);
	assert_int_equal(*avail_event, 1);
	assert_int_equal(pairs_set(f, 1), VIRTIO_NET_OK);
	assert_int_equal(*avail_event, 2);
}

static void
test_batch(void **state)
{
	struct fixture *f = *state;
	uint8_t *buf = f->mem + BUF_AREA;
	unsigned int i;

	bring_up(f, F_BASE | F(VIRTIO_NET_F_MQ), 2, CVQ);
	/* Three commands in one notify: pairs 2, bogus class, pairs 1. */
	for (i = 0; i < 3; i++) {
		uint8_t *c = buf + 0x40 * i;

		c[0] = i == 1 ? 42 : VIRTIO_NET_CTRL_MQ;
		c[1] = VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET;
		c[2] = i == 0 ? 2 : 1;
		c[3] = 0;
		c[4] = 0xaa;
		desc_set(&f->desc[2 * i], cva(f, BUF_AREA + 0x40 * i), 4,
			 VRING_DESC_F_NEXT, 2 * i + 1);
		desc_set(&f->desc[2 * i + 1], cva(f, BUF_AREA + 0x40 * i + 4), 1,
			 VRING_DESC_F_WRITE, 0);
		f->avail->ring[i] = 2 * i;
	}
	fake_backend_clear(&f->fb);
	__atomic_store_n(&f->avail->idx, 3, __ATOMIC_RELEASE);
	notify(f);
	assert_int_equal(f->used->idx, 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(f->used->ring[i].id, 2 * i);
	assert_int_equal(buf[4], VIRTIO_NET_OK);
	assert_int_equal(buf[0x44], VIRTIO_NET_ERR);
	assert_int_equal(buf[0x84], VIRTIO_NET_OK);
	assert_int_equal(enables(&f->fb, 2, true), 1);
	assert_int_equal(enables(&f->fb, 2, false), 1);
}

static void
test_packed_refused(void **state)
{
	struct fixture *f = *state;

	bring_up(f, F_BASE | F(VIRTIO_NET_F_MQ) | F(VIRTIO_F_RING_PACKED), 2,
		 CVQ);
	assert_true(status(f->dev) & S_RESET);
	assert_non_null(strstr(devsim_dev_last_error(f->dev), "control queue"));
	assert_non_null(strstr(f->log.text, "packed"));
}

static void
test_reset_stops_queue(void **state)
{
	struct fixture *f = *state;

	bring_up(f, F_BASE | F(VIRTIO_NET_F_MQ), 2, CVQ);
	wr(f->dev, VIRTIO_PCI_COMMON_STATUS, 1, 0);
	cmd_post(f, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET,
		 "\x02\x00", 2);
	fake_backend_clear(&f->fb);
	/* The write is dropped (counted), nothing is run. */
	assert_int_equal(devsim_bar_write(f->dev, BAR, DEVSIM_VPCI_NOTIFY_OFF +
					  CVQ * DEVSIM_VPCI_NOTIFY_MULT, 2, CVQ),
			 0);
	assert_int_equal(f->used->idx, 0);
	assert_int_equal(f->fb.ncalls, 0);
}

static void
test_mac_addr_without_ctrl_vq(void **state)
{
	struct fixture *f = *state;
	uint64_t feat = F(VIRTIO_F_VERSION_1) | F(VIRTIO_NET_F_CTRL_MAC_ADDR);

	wr(f->dev, VIRTIO_PCI_COMMON_STATUS, 1, S_ACK | S_DRV);
	wr(f->dev, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	wr(f->dev, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)feat);
	wr(f->dev, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	wr(f->dev, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)(feat >> 32));
	wr(f->dev, VIRTIO_PCI_COMMON_STATUS, 1, S_ACK | S_DRV | S_FOK);
	assert_int_equal(status(f->dev), S_ACK | S_DRV);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_start_pair0_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_features_not_passed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pairs_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pairs_set_needs_mq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mac_addr_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_data_outside_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack_outside_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_looping_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlong_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_indices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_ack_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indirect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_idx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_packed_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_stops_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mac_addr_without_ctrl_vq, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
