/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef RING_FAKE_MEM_H
#define RING_FAKE_MEM_H

/*
 * What the split and packed ring fixtures (ring_fake_split.c,
 * ring_fake_packed.c) allocate alike: ring memory and slots, poisoned so
 * that a ring init that forgets to clear them shows, and a notify
 * callback that counts kicks.  The allocators fail the running cmocka test
 * rather than return NULL.
 */

#include <stddef.h>
#include <stdint.h>

#include "vc_ring.h"

/**
 * ring_fake_mem_new() - @sz bytes of ring memory aligned to VC_RING_ALIGN,
 * filled with 0xa5 (ring init must zero it).
 *
 * Return: the memory, owned by the caller (free()).
 */
void *ring_fake_mem_new(size_t sz);

/**
 * ring_fake_slots_new() - @size ring slots filled with 0x5a.
 *
 * Return: the slots, owned by the caller (free()).
 */
struct vc_ring_slot *ring_fake_slots_new(uint16_t size);

/** ring_fake_count_notify() - notify callback: increments *(unsigned int *)@opaque. */
void ring_fake_count_notify(void *opaque);

#endif /* RING_FAKE_MEM_H */
