/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef RING_FAKE_PACKED_H
#define RING_FAKE_PACKED_H

/*
 * A fake device for unit tests of the driver's packed ring
 * (vc_ring_packed): it reads available descriptors in ring order with its
 * own wrap counters (2.8), walks chains and indirect tables the way a
 * backend does, asserting the driver side of the rules, and writes used
 * descriptors, well-formed or hostile.
 *
 * Recipe:
 *   struct fixture *f = fixture_new(8, false, false);
 *   struct chain_info ci;
 *   add_publish(f, 0, 2);               // the driver posts 2 buffers
 *   assert_true(dev_pop(&f->dev, &ci)); // the device takes one
 *   dev_put(&f->dev, &ci, 10);          // and returns it
 *   ... vc_ring_packed_dequeue(&f->r, ...) ...
 *   fixture_free(f);
 *
 * The helpers fail the running cmocka test on a broken driver-side rule,
 * so they may only be called from inside a test.
 */

#include <stdbool.h>
#include <stdint.h>

#include "vc_ring_packed.h"

/* Buffer cookies the tests post and check: a number dressed as a pointer. */
#define COOKIE(i) ((void *)(uintptr_t)(0x1000u + (unsigned int)(i)))
#define COOKIE_NUM(c) ((unsigned int)((uintptr_t)(c) - 0x1000u))

/** The device's side of one ring: its positions and wrap counters. */
struct fake_dev {
	struct vc_ring_packed *r;
	uint16_t avail_pos;	/* next descriptor to read */
	bool avail_wrap;
	uint16_t used_pos;	/* next used descriptor to write */
	bool used_wrap;
};

/** One buffer as the device found it. */
struct chain_info {
	uint16_t id;
	uint16_t ndescs;	/* buffer elements (table entries if indirect) */
	uint16_t nring;		/* ring positions the buffer holds */
	bool indirect;		/* through an indirect table */
	uint32_t wlen;
	uint64_t addrs[64];
	uint32_t lens[64];
	bool writable[64];
};

/** A ring in its own memory, its slots, its device and a kick counter. */
struct fixture {
	struct vc_ring_packed r;
	void *mem;
	struct vc_ring_slot *slots;
	struct fake_dev dev;
	unsigned int notified;	/* kicks the ring sent */
};

/**
 * fixture_new() - a packed ring of @size entries on freshly allocated
 * memory that is poisoned first (init must zero it), its device at the
 * start of lap 1.
 *
 * Return: the fixture, owned by the caller (fixture_free()); fails the
 * test rather than return NULL.
 */
struct fixture *fixture_new(uint16_t size, bool event_idx, bool in_order);

/** fixture_free() - free the fixture, its ring memory and slots. */
void fixture_free(struct fixture *f);

/** dev_advance() - move a device position @n entries on, flipping @wrap past the end. */
void dev_advance(struct vc_ring_packed *r, uint16_t *pos, bool *wrap, uint16_t n);

/**
 * dev_pop() - read one available buffer (a chain or an indirect table) in
 * ring order into @ci.
 *
 * Return: false when the next descriptor is not available.
 */
bool dev_pop(struct fake_dev *d, struct chain_info *ci);

/**
 * dev_put_raw() - write a used descriptor {@id, @len, @flags} at the used
 * position, then skip @ndescs positions (0 leaves the position alone).
 */
void dev_put_raw(struct fake_dev *d, uint16_t id, uint32_t len, uint16_t flags,
		 uint16_t ndescs);

/** dev_put() - return the buffer @ci with @len, well-formed. */
void dev_put(struct fake_dev *d, const struct chain_info *ci, uint32_t len);

/**
 * dev_put_all() - return the @np buffers @popped (in ring order) with
 * @len: one used descriptor for the whole batch with @in_order (2.8.9),
 * else one each, in reverse order.
 */
void dev_put_all(struct fixture *f, const struct chain_info *popped,
		 unsigned int np, uint32_t len, bool in_order);

/**
 * add_publish() - have the driver add @n one-descriptor writable buffers
 * with cookies COOKIE(@base) on, and publish them.
 */
void add_publish(struct fixture *f, unsigned int base, unsigned int n);

#endif /* RING_FAKE_PACKED_H */
