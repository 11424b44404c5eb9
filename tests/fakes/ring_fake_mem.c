/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ring_fake_mem.h"

void *
ring_fake_mem_new(size_t sz)
{
	void *mem;

	assert_true(sz > 0);
	mem = aligned_alloc(VC_RING_ALIGN, (sz + VC_RING_ALIGN - 1) & ~(size_t)(VC_RING_ALIGN - 1));
	assert_non_null(mem);
	memset(mem, 0xa5, sz);	/* init must zero it */
	return mem;
}

struct vc_ring_slot *
ring_fake_slots_new(uint16_t size)
{
	struct vc_ring_slot *slots = malloc(sizeof(*slots) * size);

	assert_non_null(slots);
	memset(slots, 0x5a, sizeof(*slots) * size);
	return slots;
}

void
ring_fake_count_notify(void *opaque)
{
	(*(unsigned int *)opaque)++;
}
