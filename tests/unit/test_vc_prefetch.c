/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * Which cache lines the rings prefetch for writing before a burst
 * (vc_prefetch_lines(), vc_ring_prefetch_add(), vc_ring_packed_prefetch_add())
 * and for reading before a split dequeue (vc_ring_prefetch_used()).
 * A prefetch never faults and changes nothing a test can read, so the
 * build routes every vc_prefetch_w() and vc_prefetch_r() through a hook
 * (VC_RING_PREFETCH_HOOK) that records the address. The rule for writing,
 * checked against a byte-by-byte oracle: exactly the lines whose every
 * byte belongs to an element of the batch, each once; never a line shared
 * with an element outside it (the other side may be using that one),
 * never memory outside the array. For reading: every line holding a byte
 * of the batch, each once, and no other.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ring_fake_mem.h"
#include "vc_ring.h"
#include "vc_ring_packed.h"

#define LINE VC_RING_CACHE_LINE
#define MAX_SEEN 4096

static uintptr_t seen[MAX_SEEN];
static unsigned int nseen;

void test_prefetch_hook(const void *p);

void
test_prefetch_hook(const void *p)
{
	assert_true(nseen < MAX_SEEN);
	seen[nseen++] = (uintptr_t)p;
}

/* Element @idx of a ring of @size is in the batch [first, first + n). */
static bool
in_batch(uint32_t idx, uint32_t size, uint32_t first, uint32_t n)
{
	return ((idx + size - first) % size) < n;
}

/*
 * Compare what was recorded with the oracle, over every line-aligned
 * address L meeting the array: for writing (@whole), the lines whose 64
 * bytes all lie in the array and in elements of the batch; for reading,
 * the lines holding any byte of an element of the batch. Each once, and
 * nothing else.
 */
static void
check_oracle(uintptr_t base, size_t esize, uint32_t size, uint32_t first, uint32_t n,
	     bool whole)
{
	uintptr_t end = base + esize * size, l;
	unsigned int want = 0, i, k;

	for (i = 0; i < nseen; i++) {
		assert_int_equal(seen[i] % LINE, 0);
		for (k = 0; k < i; k++)
			assert_true(seen[k] != seen[i]);
	}
	for (l = base & ~(uintptr_t)(LINE - 1); l < end; l += LINE) {
		bool wanted = whole, found = false;
		uintptr_t b;

		for (b = l; b < l + LINE && wanted == whole; b++) {
			bool in = b >= base && b < end &&
				  in_batch((uint32_t)((b - base) / esize), size, first, n);

			wanted = whole ? in : wanted || in;
		}
		for (i = 0; i < nseen; i++)
			found |= seen[i] == l;
		assert_int_equal(found, wanted);
		want += wanted;
	}
	assert_int_equal(nseen, want);
}

static void
check_lines(uintptr_t base, size_t esize, uint32_t size, uint32_t first, uint32_t n)
{
	check_oracle(base, esize, size, first, n, true);
}

static void
check_touched(uintptr_t base, size_t esize, uint32_t size, uint32_t first, uint32_t n)
{
	check_oracle(base, esize, size, first, n, false);
}

static void
run_lines(uintptr_t base, size_t esize, uint32_t size, uint32_t first, uint32_t n)
{
	nseen = 0;
	vc_prefetch_lines((const void *)base, esize, (uint16_t)size, (uint16_t)first,
			  (uint16_t)n);
	check_lines(base, esize, size, first, n);
}

/* Descriptor arrays (16 B, line aligned) and avail rings (2 B, starting
 * 4 bytes into a line), every batch of every size up to 64 elements,
 * then sampled batches of the big rings. */
static void
test_lines_oracle(void **state)
{
	static const size_t esizes[] = { 16, 2 };
	static const uintptr_t offsets[] = { 0, 4 };
	uint8_t *mem = ring_fake_mem_new(65536);
	uint32_t size, first, n, e, o, k;

	(void)state;
	assert_non_null(mem);
	for (e = 0; e < 2; e++) {
		for (o = 0; o < 2; o++) {
			uintptr_t base = (uintptr_t)mem + offsets[o];

			for (size = 1; size <= 64; size <<= 1)
				for (first = 0; first < size; first++)
					for (n = 0; n <= size; n++)
						run_lines(base, esizes[e], size, first, n);
			srand(5);
			for (size = 128; size <= 1024; size <<= 1)
				for (k = 0; k < 2000; k++)
					run_lines(base, esizes[e], size, (uint32_t)rand() % size,
						  (uint32_t)rand() % (size + 1));
		}
	}
	free(mem);
}

static int cookie;

/* The packed ring: the lines of the descriptors the next adds fill, from
 * avail_pos across the wrap, never more than are free. */
static void
test_packed_prefetch_add(void **state)
{
	const uint16_t size = 64;
	void *mem = ring_fake_mem_new(vc_ring_packed_mem_size(size));
	struct vc_ring_slot slots[64];
	struct vc_ring_used used[64];
	struct vc_ring_packed r;
	uint16_t k, n;

	(void)state;
	assert_non_null(mem);
	assert_int_equal(vc_ring_packed_init(&r, mem, size, slots, false, false, NULL, NULL), 0);
	/* Move avail_pos to 50 and leave 10 buffers out. */
	for (k = 0; k < 50; k++)
		assert_int_equal(vc_ring_packed_add_one(&r, 0x1000, 64, true, &cookie), 0);
	vc_ring_packed_publish(&r);
	/* The device uses the first 40 (ids are their positions here). */
	for (k = 0; k < 40; k++)
		r.desc[k].flags = htole16(VC_PDESC_F_AU);
	assert_int_equal(vc_ring_packed_dequeue(&r, used, 64), 40);
	assert_int_equal(vc_ring_packed_free_count(&r), 54);

	for (n = 0; n <= size; n++) {
		uint16_t want = n < 54 ? n : 54;

		nseen = 0;
		vc_ring_packed_prefetch_add(&r, n);
		check_lines((uintptr_t)r.desc, sizeof(*r.desc), size, 50, want);
	}
	free(mem);
}

/* The split ring: the descriptors from the next one to be taken
 * (next_desc in order, the free list's head otherwise), across the wrap,
 * never more than are free. */
static void
test_split_prefetch_add(void **state)
{
	const uint16_t size = 64;
	void *mem = ring_fake_mem_new(vc_ring_mem_size(size));
	struct vc_ring_slot slots[64];
	struct vc_ring r;
	uint16_t k, n;
	int io;

	(void)state;
	assert_non_null(mem);
	for (io = 0; io < 2; io++) {
		assert_int_equal(vc_ring_init(&r, mem, size, slots, false, NULL, NULL), 0);
		if (io)
			vc_ring_set_in_order(&r);
		for (k = 0; k < 21; k++)
			assert_int_equal(io ? vc_ring_io_add_one(&r, 0x1000, 64, false, &cookie) :
					      vc_ring_add_one(&r, 0x1000, 64, false, &cookie), 0);
		for (n = 0; n <= size; n++) {
			uint16_t want = n < 43 ? n : 43;

			nseen = 0;
			vc_ring_prefetch_add(&r, n);
			check_lines((uintptr_t)r.desc, sizeof(*r.desc), size, 21, want);
		}
	}
	free(mem);
}

/*
 * Split dequeue read-prefetches the used entries it is about to read:
 * every line holding a byte of one of them, each once, nothing else (the
 * device finished them all before publishing used->idx), across the
 * wrap, for receive and transmit rings alike.
 */
static void
test_split_prefetch_used(void **state)
{
	const uint16_t size = 64;
	void *mem = ring_fake_mem_new(vc_ring_mem_size(size));
	struct vc_ring_slot slots[64];
	struct vc_ring_used out[64];
	struct vc_ring r;
	uint16_t dev = 0, k, got, first;
	unsigned int step, mode;

	(void)state;
	assert_non_null(mem);
	srand(11);
	for (mode = 0; mode < 2; mode++) {
		bool writable = mode == 0;

		assert_int_equal(vc_ring_init(&r, mem, size, slots, false, NULL, NULL), 0);
		for (k = 0; k < size; k++)
			assert_int_equal(vc_ring_add_one(&r, 0x1000, 64, writable, &cookie), 0);
		vc_ring_publish(&r);
		dev = 0;
		for (step = 0; step < 3000; step++) {
			/* The device completes some of what is outstanding, in order. */
			uint16_t todo = (uint16_t)(rand() % ((uint16_t)(r.avail_idx - dev) + 1));

			for (k = 0; k < todo; k++, dev++) {
				struct vring_used_elem *e = &r.used->ring[dev & (size - 1)];

				e->id = htole32(le16toh(r.avail->ring[dev & (size - 1)]));
				e->len = htole32(writable ? 60 : 0);
			}
			__atomic_store_n(&r.used->idx, htole16(dev), __ATOMIC_RELEASE);
			first = r.last_used;
			nseen = 0;
			got = vc_ring_dequeue(&r, out, (uint16_t)(1 + rand() % size));
			for (k = 0; k < got; k++)
				assert_int_equal(out[k].len, writable ? 60 : 0);
			check_touched((uintptr_t)r.used->ring, sizeof(r.used->ring[0]), size, first,
				      got);
			for (k = 0; k < got; k++)
				assert_int_equal(vc_ring_add_one(&r, 0x1000, 64, writable, &cookie), 0);
			vc_ring_publish(&r);
		}
		assert_int_equal(r.stats.invalid_used, 0);
	}
	free(mem);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_oracle),
		cmocka_unit_test(test_packed_prefetch_add),
		cmocka_unit_test(test_split_prefetch_add),
		cmocka_unit_test(test_split_prefetch_used),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
