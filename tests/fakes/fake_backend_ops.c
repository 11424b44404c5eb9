/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#include <string.h>

#include "fake_backend_ops.h"

/* The fake *is* the backend: the device model only passes the pointer. */
struct devsim_backend {
	struct fake_backend fb;
};

static struct fake_backend *
fb_of(struct devsim_backend *be)
{
	return &be->fb;
}

static struct fake_call *
record(struct fake_backend *fb, enum fake_op op)
{
	static struct fake_call overflow;
	struct fake_call *c;

	if (fb->ncalls == FAKE_CALLS_MAX)
		return memset(&overflow, 0, sizeof(overflow));
	c = &fb->calls[fb->ncalls++];
	memset(c, 0, sizeof(*c));
	c->op = op;
	return c;
}

static int
fake_set_features(struct devsim_backend *be, uint64_t features)
{
	struct fake_backend *fb = fb_of(be);

	record(fb, FAKE_SET_FEATURES)->value = features;
	return fb->fail[FAKE_SET_FEATURES];
}

static int
fake_set_mem_table(struct devsim_backend *be, const struct devsim_mem_region *r,
		   unsigned int n)
{
	struct fake_backend *fb = fb_of(be);
	struct fake_call *c = record(fb, FAKE_SET_MEM_TABLE);

	c->nregions = n;
	memcpy(c->regions, r,
	       (n < FAKE_REGIONS_MAX ? n : FAKE_REGIONS_MAX) * sizeof(*r));
	return fb->fail[FAKE_SET_MEM_TABLE];
}

static int
vring_fail(const struct fake_backend *fb, enum fake_op op, unsigned int idx)
{
	if (fb->fail_vring_idx >= 0 && (unsigned int)fb->fail_vring_idx != idx)
		return 0;
	return fb->fail[op];
}

static int
fake_vring_start(struct devsim_backend *be, unsigned int idx,
		 const struct devsim_vring_cfg *cfg)
{
	struct fake_backend *fb = fb_of(be);
	struct fake_call *c = record(fb, FAKE_VRING_START);

	c->idx = idx;
	c->vring = *cfg;
	return vring_fail(fb, FAKE_VRING_START, idx);
}

static int
fake_vring_stop(struct devsim_backend *be, unsigned int idx, uint32_t *base)
{
	struct fake_backend *fb = fb_of(be);

	record(fb, FAKE_VRING_STOP)->idx = idx;
	*base = fb->stop_base;
	return vring_fail(fb, FAKE_VRING_STOP, idx);
}

static int
fake_vring_enable(struct devsim_backend *be, unsigned int idx, bool enable)
{
	struct fake_backend *fb = fb_of(be);
	struct fake_call *c = record(fb, FAKE_VRING_ENABLE);

	c->idx = idx;
	c->value = enable;
	return vring_fail(fb, FAKE_VRING_ENABLE, idx);
}

static int
fake_set_status(struct devsim_backend *be, uint8_t status)
{
	struct fake_backend *fb = fb_of(be);

	record(fb, FAKE_SET_STATUS)->value = status;
	return fb->fail[FAKE_SET_STATUS];
}

static int
fake_event_fd(struct devsim_backend *be)
{
	struct fake_backend *fb = fb_of(be);

	record(fb, FAKE_EVENT_FD);
	return fb->event_fd;
}

static int
fake_handle_event(struct devsim_backend *be)
{
	struct fake_backend *fb = fb_of(be);

	record(fb, FAKE_HANDLE_EVENT);
	return fb->fail[FAKE_HANDLE_EVENT];
}

static void
fake_close(struct devsim_backend *be)
{
	struct fake_backend *fb = fb_of(be);

	record(fb, FAKE_CLOSE);
	fb->closed = true;
}

const struct devsim_backend_ops fake_backend_ops = {
	.set_features = fake_set_features,
	.set_mem_table = fake_set_mem_table,
	.vring_start = fake_vring_start,
	.vring_stop = fake_vring_stop,
	.vring_enable = fake_vring_enable,
	.set_status = fake_set_status,
	.event_fd = fake_event_fd,
	.handle_event = fake_handle_event,
	.close = fake_close,
};

void
fake_backend_init(struct fake_backend *fb)
{
	memset(fb, 0, sizeof(*fb));
	fb->info.features = (1ULL << 32) /* VERSION_1 */ |
			    (1ULL << 15) /* MRG_RXBUF */ |
			    (1ULL << 0)  /* CSUM */ |
			    (1ULL << 22) /* MQ */ |
			    (1ULL << 29) /* EVENT_IDX */ |
			    (1ULL << 33) /* ACCESS_PLATFORM: must not pass */ |
			    (1ULL << 17) /* CTRL_VQ: emulated, not passed */;
	fb->info.max_vrings = 4;
	fb->info.max_mem_regions = 8;
	fb->fail_vring_idx = -1;
	fb->event_fd = -1;
}

struct devsim_backend *
fake_backend_be(struct fake_backend *fb)
{
	/* fb is the first (only) member of struct devsim_backend. */
	return (struct devsim_backend *)fb;
}

void
fake_backend_clear(struct fake_backend *fb)
{
	fb->ncalls = 0;
}

unsigned int
fake_backend_count(const struct fake_backend *fb, enum fake_op op)
{
	unsigned int i, n = 0;

	for (i = 0; i < fb->ncalls; i++)
		n += fb->calls[i].op == op;
	return n;
}

int
fake_backend_find(const struct fake_backend *fb, enum fake_op op,
		  unsigned int from)
{
	unsigned int i;

	for (i = from; i < fb->ncalls; i++) {
		if (fb->calls[i].op == op)
			return (int)i;
	}
	return -1;
}
