/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * Fuzz target for devsim's IO API: a virtio-net device on a recording fake
 * backend, driven by a sequence of configuration space and BAR accesses,
 * ring programming, memory table changes and writes into the shared
 * memory the (emulated) control queue reads.  The driver side is hostile:
 * any register, any width, any value, any order.
 *
 * Input: a 4-byte header, then operations until the input ends.
 *   h[0] bit 0 backend offers RING_PACKED, bit 1 INDIRECT_DESC, bit 2 no
 *        MQ, bit 3 no VERSION_1 (plug fails), bits 4-5 max_queue_pairs - 1,
 *        bits 6-7 queue_size_max (256, 64, 8, 1024)
 *   h[1] bits 0-1 backend max_vrings (4, 2, 8, 3), bits 2-4 8 - backend
 *        max_mem_regions, bit 5 no MTU, bit 6 backend offers IN_ORDER,
 *        bit 7 feature_mask without the control queue
 *   h[2] backend ops that fail (see set_failures()), h[3] vring index they
 *        fail for (0xff: all)
 *   op:  u8 opcode, low 3 bits the kind (enum op_kind), bit 3 a variant;
 *        arguments follow (see run_op()).  Addresses for rings and
 *        descriptors are offsets into the shared memory, so inputs replay
 *        the same wherever the memory is mapped.
 *
 * Invariants after every operation: the call returned 0 or a negative
 * errno, and a rejected access was counted as bad; a failed read reads 0;
 * status bits only go away through a reset (status 0 written);
 * DRIVER_OK is never set without FEATURES_OK; the backend is only asked
 * for things a correct device may ask (features the device offered and
 * the driver accepted, memory inside the shared memory, rings inside it
 * with a valid size, vring indexes the backend has).  At the end the
 * device unplugs, closes the backend and leaves no fd open.
 */

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devsim/devsim.h"
#include "fake_backend_ops.h"
#include "fuzz_common.h"
#include "virtio_net.h"
#include "wire/virtio_pci_regs.h"

#define MEM_SIZE   0x10000u     /* shared memory: 64 KiB memfd */
#define OPS_MAX    1000u
#define BAR        DEVSIM_VPCI_BAR
#define F(b)       (1ULL << (b))
#define ERRNO_MAX  4095

#define S_FOK      VIRTIO_CONFIG_S_FEATURES_OK
#define S_DOK      VIRTIO_CONFIG_S_DRIVER_OK

enum op_kind {
	OP_CFG_READ,     /* u8 off, u8 width */
	OP_CFG_WRITE,    /* u8 off, u8 width, u32 val */
	OP_BAR_READ,     /* u8 bar, u16 off (variant: u64), u8 width */
	OP_BAR_WRITE,    /* u8 bar, u16 off (variant: u64), u8 width, u32 val */
	OP_COMMON,       /* u8 field, u32 val; variant: read the field */
	OP_RING,         /* u8 queue, u8 which, u16 memory offset */
	OP_POKE,         /* u16 off, u8 len, bytes; variant: u16 off, u16 addr */
	OP_MISC,         /* u8 sub, arguments: see run_misc() */
};

/* The common configuration registers: offset and natural width. */
static const struct {
	uint16_t off;
	uint8_t width;
} common_regs[] = {
	{ VIRTIO_PCI_COMMON_DFSELECT, 4 }, { VIRTIO_PCI_COMMON_DF, 4 },
	{ VIRTIO_PCI_COMMON_GFSELECT, 4 }, { VIRTIO_PCI_COMMON_GF, 4 },
	{ VIRTIO_PCI_COMMON_MSIX, 2 }, { VIRTIO_PCI_COMMON_NUMQ, 2 },
	{ VIRTIO_PCI_COMMON_STATUS, 1 }, { VIRTIO_PCI_COMMON_CFGGENERATION, 1 },
	{ VIRTIO_PCI_COMMON_Q_SELECT, 2 }, { VIRTIO_PCI_COMMON_Q_SIZE, 2 },
	{ VIRTIO_PCI_COMMON_Q_MSIX, 2 }, { VIRTIO_PCI_COMMON_Q_ENABLE, 2 },
	{ VIRTIO_PCI_COMMON_Q_NOFF, 2 }, { VIRTIO_PCI_COMMON_Q_DESCLO, 4 },
	{ VIRTIO_PCI_COMMON_Q_DESCHI, 4 }, { VIRTIO_PCI_COMMON_Q_AVAILLO, 4 },
	{ VIRTIO_PCI_COMMON_Q_AVAILHI, 4 }, { VIRTIO_PCI_COMMON_Q_USEDLO, 4 },
	{ VIRTIO_PCI_COMMON_Q_USEDHI, 4 },
};
#define COMMON_REGS (sizeof(common_regs) / sizeof(common_regs[0]))

/* The shared memory, mapped once for the whole run. */
static int mem_fd = -1;
static uint8_t *mem;

struct run {
	struct fuzz_in in;
	struct fake_backend *fb;
	struct devsim_dev *dev;
	uint64_t offered;       /* device features read at plug time */
	uint16_t num_queues;
	uint16_t queue_size_max;
	unsigned int seen;      /* fake backend calls already checked */
	uint8_t status;         /* last status read */
	bool reset_written;     /* this operation wrote status 0 */
};

static void
mem_init(void)
{
	if (mem != NULL)
		return;
	mem_fd = memfd_create("fuzz-devsim-io", MFD_CLOEXEC);
	FUZZ_CHECK(mem_fd >= 0);
	FUZZ_CHECK(ftruncate(mem_fd, MEM_SIZE) == 0);
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, mem_fd, 0);
	FUZZ_CHECK(mem != MAP_FAILED);
}

static uint64_t
cva(uint64_t off)
{
	return (uint64_t)(uintptr_t)mem + off;
}

static bool
in_mem(uint64_t addr, uint64_t len)
{
	return addr >= cva(0) && len <= MEM_SIZE && addr - cva(0) <= MEM_SIZE - len;
}

static void
check_rc(int rc)
{
	FUZZ_CHECK(rc == 0 || (rc < 0 && rc >= -ERRNO_MAX));
}

static uint64_t
bad_accesses(struct devsim_dev *dev)
{
	struct devsim_dev_stats st;

	devsim_dev_stats_get(dev, &st);
	return st.bad_accesses;
}

/* ---- accesses, each checked ------------------------------------------------ */

static void
check_access(struct run *r, int rc, uint64_t bad_before)
{
	check_rc(rc);
	if (rc < 0)
		FUZZ_CHECK(bad_accesses(r->dev) > bad_before);
}

static uint32_t
cfg_rd(struct run *r, uint32_t off, unsigned int width)
{
	uint64_t bad = bad_accesses(r->dev);
	uint32_t v = 0xdeadbeef;
	int rc;

	rc = devsim_cfg_read(r->dev, off, width, &v);
	check_access(r, rc, bad);
	if (rc != 0)
		FUZZ_CHECK(v == 0);
	return v;
}

static void
cfg_wr(struct run *r, uint32_t off, unsigned int width, uint32_t val)
{
	uint64_t bad = bad_accesses(r->dev);

	check_access(r, devsim_cfg_write(r->dev, off, width, val), bad);
}

static uint32_t
bar_rd(struct run *r, unsigned int bar, uint64_t off, unsigned int width)
{
	uint64_t bad = bad_accesses(r->dev);
	uint32_t v = 0xdeadbeef;
	int rc;

	rc = devsim_bar_read(r->dev, bar, off, width, &v);
	check_access(r, rc, bad);
	if (rc != 0)
		FUZZ_CHECK(v == 0);
	return v;
}

static void
bar_wr(struct run *r, unsigned int bar, uint64_t off, unsigned int width,
       uint32_t val)
{
	uint64_t bad = bad_accesses(r->dev);
	int rc;

	rc = devsim_bar_write(r->dev, bar, off, width, val);
	check_access(r, rc, bad);
	if (rc == 0 && bar == BAR && off == VIRTIO_PCI_COMMON_STATUS &&
	    width == 1 && (val & 0xff) == 0)
		r->reset_written = true;
}

static void
bar_wr64(struct run *r, uint16_t lo_off, uint64_t val)
{
	bar_wr(r, BAR, lo_off, 4, (uint32_t)val);
	bar_wr(r, BAR, lo_off + 4u, 4, (uint32_t)(val >> 32));
}

/* ---- invariants --------------------------------------------------------------- */

/* What the device asked of the backend since the last check. */
static void
check_backend_calls(struct run *r)
{
	const struct fake_backend *fb = r->fb;
	const uint64_t ctrl = F(VIRTIO_NET_F_CTRL_VQ) |
			      F(VIRTIO_NET_F_CTRL_MAC_ADDR);
	unsigned int i, k;

	for (i = r->seen; i < fb->ncalls; i++) {
		const struct fake_call *c = &fb->calls[i];
		const struct devsim_vring_cfg *v = &c->vring;

		switch (c->op) {
		case FAKE_SET_FEATURES:
			FUZZ_CHECK((c->value & ~r->offered) == 0);
			FUZZ_CHECK((c->value & ctrl) == 0);
			FUZZ_CHECK(c->value & F(VIRTIO_F_VERSION_1));
			break;
		case FAKE_SET_MEM_TABLE:
			FUZZ_CHECK(c->nregions >= 1 &&
				   c->nregions <= fb->info.max_mem_regions);
			for (k = 0; k < c->nregions && k < FAKE_REGIONS_MAX; k++) {
				FUZZ_CHECK(in_mem(c->regions[k].addr,
						  c->regions[k].size));
				FUZZ_CHECK(c->regions[k].fd >= 0);
			}
			break;
		case FAKE_VRING_START:
			FUZZ_CHECK(c->idx < r->num_queues);
			FUZZ_CHECK(c->idx < fb->info.max_vrings);
			FUZZ_CHECK(v->num != 0 && (v->num & (v->num - 1)) == 0 &&
				   v->num <= r->queue_size_max);
			FUZZ_CHECK(in_mem(v->desc, 1) && in_mem(v->avail, 1) &&
				   in_mem(v->used, 1));
			FUZZ_CHECK(v->kick_fd >= 0 && v->call_fd >= 0 &&
				   v->kick_fd != v->call_fd);
			break;
		case FAKE_VRING_STOP:
		case FAKE_VRING_ENABLE:
			FUZZ_CHECK(c->idx < r->num_queues);
			break;
		case FAKE_SET_STATUS:
			FUZZ_CHECK(!(c->value & S_DOK) || (c->value & S_FOK));
			break;
		default:
			break;
		}
	}
	r->seen = fb->ncalls;
	/* One operation records well under 64 calls: never lose one. */
	if (fb->ncalls > FAKE_CALLS_MAX - 64) {
		fake_backend_clear(r->fb);
		r->seen = 0;
	}
}

static void
check_state(struct run *r)
{
	uint32_t st = bar_rd(r, BAR, VIRTIO_PCI_COMMON_STATUS, 1);

	FUZZ_CHECK(st <= 0xff);
	/* 3.1.1: DRIVER_OK only after FEATURES_OK was accepted. */
	if (st & S_DOK)
		FUZZ_CHECK(st & S_FOK);
	/* Status bits only disappear through a reset. */
	if (!r->reset_written)
		FUZZ_CHECK((r->status & ~st) == 0);
	r->status = (uint8_t)st;
	r->reset_written = false;
	check_backend_calls(r);
}

/* ---- operations ------------------------------------------------------------- */

static void
mem_set_checked(struct run *r, const struct devsim_mem_region *rg,
		unsigned int n)
{
	check_rc(devsim_mem_set(r->dev, rg, n));
}

/* Regions of @n pages; @gap leaves holes in the file so nothing merges. */
static void
mem_set_pages(struct run *r, unsigned int n, bool gap, bool overlap)
{
	struct devsim_mem_region rg[16];
	const uint64_t pg = 0x1000;
	unsigned int i;

	for (i = 0; i < n && i < 16; i++) {
		uint64_t at = overlap && i > 0 ? (i - 1) * pg : i * pg;

		rg[i] = (struct devsim_mem_region){
			.addr = cva(at), .size = pg, .fd = mem_fd,
			.fd_offset = gap ? 2 * at : at,
		};
	}
	mem_set_checked(r, rg, n < 16 ? n : 16);
}

static void
set_failures(struct fake_backend *fb, uint8_t mask, uint8_t idx)
{
	int err = (mask & 0x80) ? -ENOTSUP : -EIO;

	fb->fail[FAKE_SET_FEATURES] = (mask & 0x01) ? err : 0;
	fb->fail[FAKE_SET_MEM_TABLE] = (mask & 0x02) ? err : 0;
	fb->fail[FAKE_VRING_START] = (mask & 0x04) ? err : 0;
	fb->fail[FAKE_VRING_STOP] = (mask & 0x08) ? err : 0;
	fb->fail[FAKE_SET_STATUS] = (mask & 0x10) ? err : 0;
	fb->fail[FAKE_VRING_ENABLE] = (mask & 0x20) ? err : 0;
	fb->fail[FAKE_HANDLE_EVENT] = (mask & 0x40) ? -ENOTCONN : 0;
	fb->fail_vring_idx = idx == 0xff ? -1 : idx;
}

static void
run_misc(struct run *r)
{
	struct devsim_mem_region rg;
	uint8_t sub = fuzz_u8(&r->in) % 10;
	uint32_t start, len;
	uint16_t vq;
	uint8_t a, b;
	int fd;

	switch (sub) {
	case 0: /* all of the shared memory */
		rg = (struct devsim_mem_region){
			.addr = cva(0), .size = MEM_SIZE, .fd = mem_fd,
		};
		mem_set_checked(r, &rg, 1);
		break;
	case 1: /* u16 start, u16 len: a piece of it */
		start = fuzz_u16(&r->in) % MEM_SIZE;
		len = fuzz_u16(&r->in);
		if (len > MEM_SIZE - start)
			len = MEM_SIZE - start;
		rg = (struct devsim_mem_region){
			.addr = cva(start), .size = len, .fd = mem_fd,
			.fd_offset = start,
		};
		mem_set_checked(r, &rg, 1);
		break;
	case 2: /* u8 n, u8 flags: n pages, mergeable or not, overlapping */
		a = fuzz_u8(&r->in);
		b = fuzz_u8(&r->in);
		mem_set_pages(r, a % 17, b & 1, b & 2);
		break;
	case 3: /* u8: a bad fd, or no region at all */
		a = fuzz_u8(&r->in);
		rg = (struct devsim_mem_region){
			.addr = cva(0), .size = MEM_SIZE, .fd = -1,
		};
		if (a & 1)
			mem_set_checked(r, &rg, 1);
		else
			mem_set_checked(r, NULL, 0);
		break;
	case 4: /* u16 vq: its interrupt eventfd is open or -1 */
		vq = fuzz_u16(&r->in);
		fd = devsim_dev_irq_fd(r->dev, vq);
		FUZZ_CHECK(fd == -1 || (fd >= 0 && fcntl(fd, F_GETFD) >= 0));
		break;
	case 5: /* the backend's event: gone when HANDLE_EVENT fails */
		(void)devsim_dev_event_fd(r->dev);
		check_rc(devsim_dev_handle_event(r->dev));
		break;
	case 6: /* diagnostics stay well formed */
		FUZZ_CHECK(strnlen(devsim_dev_last_error(r->dev), 4096) < 4096);
		(void)devsim_mem_regions_max(r->dev);
		break;
	case 7: /* u8 mask, u8 vring: the backend starts failing (or stops) */
		a = fuzz_u8(&r->in);
		b = fuzz_u8(&r->in);
		set_failures(r->fb, a, b);
		break;
	case 8: /* u8 queue: its doorbell, with the value a driver writes */
		a = fuzz_u8(&r->in);
		bar_wr(r, BAR, DEVSIM_VPCI_NOTIFY_OFF + a * DEVSIM_VPCI_NOTIFY_MULT,
		       2, a);
		break;
	default: /* the ISR, which a read clears */
		(void)bar_rd(r, BAR, DEVSIM_VPCI_ISR_OFF, 1);
		break;
	}
}

/* Program ring addresses of queue @q: offsets into the shared memory. */
static void
run_ring(struct run *r)
{
	uint8_t q = fuzz_u8(&r->in), which = fuzz_u8(&r->in) % 4;
	uint64_t off = fuzz_u16(&r->in) % MEM_SIZE;

	bar_wr(r, BAR, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
	if (which == 0 || which == 3)
		bar_wr64(r, VIRTIO_PCI_COMMON_Q_DESCLO, cva(off));
	if (which == 1 || which == 3)
		bar_wr64(r, VIRTIO_PCI_COMMON_Q_AVAILLO,
			 cva(which == 3 ? (off + 0x4000) % MEM_SIZE : off));
	if (which == 2 || which == 3)
		bar_wr64(r, VIRTIO_PCI_COMMON_Q_USEDLO,
			 cva(which == 3 ? (off + 0x6000) % MEM_SIZE : off));
}

/* Write bytes, or a CVA, into the shared memory (rings, descriptors). */
static void
run_poke(struct run *r, bool addr)
{
	uint32_t off = fuzz_u16(&r->in) % MEM_SIZE, len, i;
	uint64_t v;

	if (addr) {
		v = cva(fuzz_u16(&r->in));
		if (off + sizeof(v) <= MEM_SIZE)
			memcpy(mem + off, &v, sizeof(v));
		return;
	}
	len = fuzz_u8(&r->in);
	for (i = 0; i < len; i++) {
		uint8_t b = fuzz_u8(&r->in);

		if (off + i < MEM_SIZE)
			mem[off + i] = b;
	}
}

static void
run_op(struct run *r)
{
	uint8_t opcode = fuzz_u8(&r->in);
	bool variant = opcode & 0x08;
	unsigned int bar, width, field;
	uint64_t off;
	uint32_t val;

	switch ((enum op_kind)(opcode & 0x07)) {
	case OP_CFG_READ:
		off = fuzz_u8(&r->in);
		(void)cfg_rd(r, (uint32_t)off | (variant ? 0x100u : 0), fuzz_u8(&r->in));
		break;
	case OP_CFG_WRITE:
		off = fuzz_u8(&r->in);
		width = fuzz_u8(&r->in);
		cfg_wr(r, (uint32_t)off, width, fuzz_u32(&r->in));
		break;
	case OP_BAR_READ:
		bar = fuzz_u8(&r->in);
		off = variant ? fuzz_u64(&r->in) : fuzz_u16(&r->in);
		(void)bar_rd(r, bar, off, fuzz_u8(&r->in));
		break;
	case OP_BAR_WRITE:
		bar = fuzz_u8(&r->in);
		off = variant ? fuzz_u64(&r->in) : fuzz_u16(&r->in);
		width = fuzz_u8(&r->in);
		bar_wr(r, bar, off, width, fuzz_u32(&r->in));
		break;
	case OP_COMMON:
		field = fuzz_u8(&r->in) % COMMON_REGS;
		val = fuzz_u32(&r->in);
		if (variant)
			(void)bar_rd(r, BAR, common_regs[field].off,
				     common_regs[field].width);
		else
			bar_wr(r, BAR, common_regs[field].off,
			       common_regs[field].width, val);
		break;
	case OP_RING:
		run_ring(r);
		break;
	case OP_POKE:
		run_poke(r, variant);
		break;
	case OP_MISC:
		run_misc(r);
		break;
	}
}

/* ---- set-up ------------------------------------------------------------------ */

static void
backend_setup(struct fake_backend *fb, uint8_t h0, uint8_t h1)
{
	static const uint16_t vrings[] = { 4, 2, 8, 3 };

	fake_backend_init(fb);
	if (h0 & 0x01)
		fb->info.features |= F(VIRTIO_F_RING_PACKED);
	if (h0 & 0x02)
		fb->info.features |= F(VIRTIO_RING_F_INDIRECT_DESC);
	if (h0 & 0x04)
		fb->info.features &= ~F(VIRTIO_NET_F_MQ);
	if (h0 & 0x08)
		fb->info.features &= ~F(VIRTIO_F_VERSION_1);
	if (h1 & 0x40)
		fb->info.features |= F(VIRTIO_F_IN_ORDER);
	fb->info.max_vrings = vrings[h1 & 3];
	fb->info.max_mem_regions = (uint16_t)(8 - ((h1 >> 2) & 7));
}

static struct devsim_net_cfg
net_cfg(uint8_t h0, uint8_t h1)
{
	static const uint16_t qsize[] = { 256, 64, 8, 1024 };
	struct devsim_net_cfg cfg = {
		.path = NULL,
		.mac = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
		.mac_valid = true,
		.max_queue_pairs = (uint16_t)(1 + ((h0 >> 4) & 3)),
		.queue_size_max = qsize[h0 >> 6],
		.mtu = (h1 & 0x20) ? 0 : 1500,
		.feature_mask = ~0ULL,
	};

	if (h1 & 0x80)
		cfg.feature_mask &= ~(F(VIRTIO_NET_F_CTRL_VQ) |
				      F(VIRTIO_NET_F_CTRL_MAC_ADDR));
	return cfg;
}

/* FUZZ_VERBOSE=1 in the environment prints devsim's log (debugging). */
static void
log_hook(void *opaque, enum devsim_log_level level, const char *msg)
{
	(void)opaque;
	if (getenv("FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "devsim[%d]: %s\n", (int)level, msg);
}

/* Device features through the IO API, as a driver reads them. */
static uint64_t
read_offered(struct run *r)
{
	uint64_t lo, hi;

	bar_wr(r, BAR, VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	lo = bar_rd(r, BAR, VIRTIO_PCI_COMMON_DF, 4);
	bar_wr(r, BAR, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	hi = bar_rd(r, BAR, VIRTIO_PCI_COMMON_DF, 4);
	bar_wr(r, BAR, VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	return lo | hi << 32;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r = { .in = { .p = data, .left = size } };
	struct devsim_net_cfg cfg;
	struct devsim_bus *bus;
	uint8_t h0, h1, h2, h3;
	unsigned int n;
	int fds_before, rc;

	mem_init();
	memset(mem, 0, MEM_SIZE);
	fds_before = fuzz_fd_count();

	h0 = fuzz_u8(&r.in);
	h1 = fuzz_u8(&r.in);
	h2 = fuzz_u8(&r.in);
	h3 = fuzz_u8(&r.in);
	r.fb = calloc(1, sizeof(*r.fb));
	FUZZ_CHECK(r.fb != NULL);
	backend_setup(r.fb, h0, h1);
	cfg = net_cfg(h0, h1);
	r.queue_size_max = cfg.queue_size_max;

	bus = devsim_bus_create(log_hook, NULL);
	FUZZ_CHECK(bus != NULL);
	rc = devsim_net_dev_create_with_backend(bus, &cfg, &fake_backend_ops,
						fake_backend_be(r.fb),
						&r.fb->info, &r.dev);
	check_rc(rc);
	if (rc != 0) {
		/* Refused at plug: the backend is closed all the same. */
		FUZZ_CHECK(r.fb->closed);
		goto out;
	}
	FUZZ_CHECK(devsim_bus_dev(bus, devsim_dev_slot(r.dev)) == r.dev);
	r.offered = read_offered(&r);
	r.num_queues = (uint16_t)bar_rd(&r, BAR, VIRTIO_PCI_COMMON_NUMQ, 2);
	FUZZ_CHECK(r.num_queues >= 2 && r.num_queues <= DEVSIM_VQ_MAX);
	/* Failures start after the device is up. */
	set_failures(r.fb, h2, h3);
	check_state(&r);

	for (n = 0; n < OPS_MAX && r.in.left > 0; n++) {
		uint8_t opcode = r.in.p[0];

		run_op(&r);
		check_state(&r);
		if (getenv("FUZZ_VERBOSE") != NULL)
			fprintf(stderr, "op %u: 0x%02x -> status 0x%02x, %u backend "
				"calls\n", n, opcode, r.status, r.fb->ncalls);
	}
	/* Unplug as an application's close would, rings running or not. */
	devsim_unplug(r.dev);
	FUZZ_CHECK(r.fb->closed);
out:
	devsim_bus_destroy(bus);
	free(r.fb);
	FUZZ_CHECK(fuzz_fd_count() == fds_before);
	return 0;
}
