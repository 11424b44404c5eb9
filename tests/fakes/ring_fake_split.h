/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef RING_FAKE_SPLIT_H
#define RING_FAKE_SPLIT_H

/*
 * A fake device for unit tests of the driver's split ring (vc_ring): it
 * pops avail entries, walks their chains (bounded, indirect tables
 * included) the way a backend would, asserting the driver side of the
 * rules, and writes used entries, well-formed or hostile.
 *
 * Recipe:
 *   struct ring_fixture *f = fixture_new(8, false);
 *   struct chain_info ci;
 *   add_publish(f, 2);                  // the driver posts 2 buffers
 *   assert_true(dev_pop(&f->dev, &ci)); // the device takes one
 *   dev_push(&f->dev, ci.head, 1);      // and returns it
 *   ... vc_ring_dequeue(&f->r, ...) ...
 *   fixture_free(f);
 *
 * The helpers fail the running cmocka test on a broken driver-side rule,
 * so they may only be called from inside a test.
 */

#include <stdbool.h>
#include <stdint.h>

#include "vc_ring.h"

/* Buffer cookies the tests post and check: a number dressed as a pointer. */
#define COOKIE(i) ((void *)(uintptr_t)(0x1000u + (unsigned int)(i)))
#define COOKIE_NUM(c) ((unsigned int)((uintptr_t)(c) - 0x1000u))

/** The device's side of one ring: where it is in avail and used. */
struct fake_dev {
	struct vc_ring *r;
	uint16_t last_avail;	/* next avail entry to pop */
	uint16_t used_idx;	/* shadow of used->idx */
};

/** One buffer as the device found it. */
struct chain_info {
	uint16_t head;
	uint16_t ndescs;	/* buffer elements (table entries if indirect) */
	uint16_t nring;		/* ring descriptors the buffer holds */
	bool indirect;		/* through an indirect table */
	uint32_t wlen;		/* device-writable bytes */
	uint16_t descs[64];	/* ring descriptor indexes (nring of them) */
	uint64_t addrs[64];
	uint32_t lens[64];
	bool writable[64];
};

/** A ring in its own memory, its slots, its device and a kick counter. */
struct ring_fixture {
	struct vc_ring r;
	void *mem;
	struct vc_ring_slot *slots;
	struct fake_dev dev;
	unsigned int notified;	/* kicks the ring sent */
};

/**
 * fixture_new() - a ring of @size entries on freshly allocated memory that
 * is poisoned first (init must zero it), its device at the start.
 *
 * Return: the fixture, owned by the caller (fixture_free()); fails the
 * test rather than return NULL.
 */
struct ring_fixture *fixture_new(uint16_t size, bool event_idx);

/** fixture_new_io() - fixture_new(@size, false) in VIRTIO_F_IN_ORDER mode. */
struct ring_fixture *fixture_new_io(uint16_t size);

/** fixture_free() - free the fixture, its ring memory and slots. */
void fixture_free(struct ring_fixture *f);

/** dev_avail_pending() - return how many avail entries the device has not popped. */
uint16_t dev_avail_pending(struct fake_dev *d);

/**
 * dev_pop() - pop one published buffer into @ci, walking its chain or
 * indirect table bounded by the ring size like a backend.
 *
 * Return: false when nothing is pending.
 */
bool dev_pop(struct fake_dev *d, struct chain_info *ci);

/** dev_put() - write a used entry {@id, @len} without publishing it. */
void dev_put(struct fake_dev *d, uint32_t id, uint32_t len);

/** dev_publish() - publish the used entries written so far (used->idx). */
void dev_publish(struct fake_dev *d);

/** dev_push() - dev_put() then dev_publish(). */
void dev_push(struct fake_dev *d, uint32_t id, uint32_t len);

/**
 * add_publish() - have the driver add @n one-descriptor writable buffers
 * (address i, length 1, cookie COOKIE(i)) and publish them.
 */
void add_publish(struct ring_fixture *f, unsigned int n);

#endif /* RING_FAKE_SPLIT_H */
