/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#include <errno.h>
#include <string.h>

#include "io.h"

static void
count_bad(struct devsim_io *io)
{
	atomic_fetch_add_explicit(&io->bad_accesses, 1, memory_order_relaxed);
}

static void
count_unknown(struct devsim_io *io)
{
	atomic_fetch_add_explicit(&io->unknown_accesses, 1,
				  memory_order_relaxed);
}

void
devsim_io_init(struct devsim_io *io, const struct devsim_io_region *cfg)
{
	memset(io, 0, sizeof(*io));
	io->cfg = *cfg;
	atomic_init(&io->bad_accesses, 0);
	atomic_init(&io->unknown_accesses, 0);
}

int
devsim_io_bar_set(struct devsim_io *io, unsigned int bar, uint64_t size)
{
	if (bar >= DEVSIM_IO_BARS || size == 0)
		return -EINVAL;
	io->bar[bar].size = size;
	io->bar[bar].n = 0;
	return 0;
}

int
devsim_io_region_add(struct devsim_io *io, unsigned int bar,
		     const struct devsim_io_region *rg)
{
	struct devsim_io_bar *b;
	unsigned int i;

	if (bar >= DEVSIM_IO_BARS || io->bar[bar].size == 0)
		return -EINVAL;
	b = &io->bar[bar];
	if (rg->len == 0 || rg->off >= b->size || rg->len > b->size - rg->off)
		return -EINVAL;
	for (i = 0; i < b->n; i++) {
		const struct devsim_io_region *o = &b->r[i];

		if (rg->off < o->off + o->len && o->off < rg->off + rg->len)
			return -EINVAL;
	}
	if (b->n == DEVSIM_IO_REGIONS_MAX)
		return -ENOSPC;
	b->r[b->n++] = *rg;
	return 0;
}

int
devsim_io_route(struct devsim_io *io, unsigned int space, uint64_t off,
		unsigned int width, struct devsim_io_target *t)
{
	const struct devsim_io_region *rg = NULL;
	uint64_t size;
	unsigned int i;

	t->region = NULL;
	t->off = 0;
	if ((width != 1 && width != 2 && width != 4) || (off & (width - 1))) {
		count_bad(io);
		return -EINVAL;
	}
	if (space == DEVSIM_IO_SPACE_CFG) {
		size = io->cfg.len;
	} else if (space < DEVSIM_IO_BARS && io->bar[space].size != 0) {
		size = io->bar[space].size;
	} else {
		count_bad(io);
		return -EINVAL;
	}
	/* Written so that a huge @off cannot wrap around. */
	if (off >= size || width > size - off) {
		count_bad(io);
		return -ERANGE;
	}

	if (space == DEVSIM_IO_SPACE_CFG) {
		rg = &io->cfg;
	} else {
		for (i = 0; i < io->bar[space].n; i++) {
			const struct devsim_io_region *r = &io->bar[space].r[i];

			if (off >= r->off && off - r->off < r->len) {
				rg = r;
				break;
			}
		}
		if (rg == NULL)
			return 0;
	}
	/* Regions are naturally aligned in practice; refuse a straddle. */
	if (width > rg->len - (off - rg->off)) {
		count_bad(io);
		return -EINVAL;
	}
	t->region = rg;
	t->off = off - rg->off;
	return 0;
}

int
devsim_io_read(struct devsim_io *io, const struct devsim_io_target *t,
	       unsigned int width, uint32_t *val)
{
	int rc;

	*val = 0;
	if (t->region == NULL || t->region->read == NULL) {
		count_unknown(io);
		return 0;
	}
	rc = t->region->read(t->region->opaque, t->off, width, val);
	if (rc < 0) {
		*val = 0;
		count_bad(io);
		return rc;
	}
	if (rc == DEVSIM_IO_UNKNOWN) {
		*val = 0;
		count_unknown(io);
	}
	return 0;
}

int
devsim_io_write(struct devsim_io *io, const struct devsim_io_target *t,
		unsigned int width, uint32_t val)
{
	int rc;

	if (t->region == NULL || t->region->write == NULL) {
		count_unknown(io);
		return 0;
	}
	if (width < 4)
		val &= (1u << (8 * width)) - 1;
	rc = t->region->write(t->region->opaque, t->off, width, val);
	if (rc < 0) {
		count_bad(io);
		return rc;
	}
	if (rc == DEVSIM_IO_UNKNOWN)
		count_unknown(io);
	else if (rc == DEVSIM_IO_IGNORED)
		count_bad(io);
	return 0;
}
