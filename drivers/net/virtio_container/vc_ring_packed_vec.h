/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * vc_ring_packed_vec: a packed ring one cache line (four descriptors) at a
 * time, with SSE2, AVX2 or AVX-512, whichever the translation unit
 * including this is compiled for. vc_rxtx_packed.c is built once per
 * instruction set (meson.build) and vc_rxtx_select() picks one at
 * dev_start.
 *
 * Adding: vc_ring_packed_add_line() writes four one-descriptor buffers
 * with whole-descriptor stores, so the line moves to the device once.
 *
 * Collecting: four flag loads, compares and branches, one per
 * descriptor, become one check of the whole line. Everything else is the
 * scalar rule of vc_ring_packed.h, applied in the same order: a line is
 * taken only when all four descriptors carry the current used wrap
 * counter and each names a distinct outstanding one-descriptor buffer
 * (with IN_ORDER: its own position). Anything else (a partly written
 * line, a line not aligned to four, an in-order batch written as one used
 * descriptor, a chain, a hostile value) goes to vc_ring_packed_dequeue(),
 * which takes it from exactly where the batches stopped and validates,
 * reports or latches as always. So the result of a call is the scalar
 * result, descriptor for descriptor (tests/unit/test_vc_ring_packed_vec.c
 * checks this against the scalar dequeue).
 *
 * x86 only; the lines are read with aligned loads, so the ring memory must
 * be VC_RING_CACHE_LINE aligned (it is VC_RING_ALIGN aligned).
 */

#ifndef VC_RING_PACKED_VEC_H
#define VC_RING_PACKED_VEC_H

#include <immintrin.h>

#include "vc_ring_packed.h"

#define VC_PDESC_LINE 4	/* descriptors per cache line */

_Static_assert(sizeof(struct vring_packed_desc) * VC_PDESC_LINE == VC_RING_CACHE_LINE,
	       "four packed descriptors per line");

/*
 * Are the four descriptors of the line at @d all used in the lap whose
 * used flags are @used_flags? Only their AVAIL/USED bits are compared.
 */
static inline bool
vc_pdesc_line_used(const struct vring_packed_desc *d, uint16_t used_flags)
{
#if defined(__AVX512F__)
	const __m512i au = _mm512_set1_epi64((long long)VC_PDESC_HI_FLAGS(VC_PDESC_F_AU));
	const __m512i want = _mm512_set1_epi64((long long)VC_PDESC_HI_FLAGS(used_flags));
	__m512i v = _mm512_load_si512((const void *)d);

	/* Odd 8-byte lanes: len, id, flags of each descriptor. */
	return _mm512_mask_cmpneq_epu64_mask(0xaa, _mm512_and_si512(v, au), want) == 0;
#elif defined(__AVX2__)
	const __m256i au = _mm256_set_epi64x((long long)VC_PDESC_HI_FLAGS(VC_PDESC_F_AU), 0,
					     (long long)VC_PDESC_HI_FLAGS(VC_PDESC_F_AU), 0);
	const __m256i want = _mm256_set_epi64x((long long)VC_PDESC_HI_FLAGS(used_flags), 0,
					       (long long)VC_PDESC_HI_FLAGS(used_flags), 0);
	__m256i a = _mm256_load_si256((const void *)d);
	__m256i b = _mm256_load_si256((const void *)(d + 2));

	a = _mm256_cmpeq_epi64(_mm256_and_si256(a, au), want);
	b = _mm256_cmpeq_epi64(_mm256_and_si256(b, au), want);
	return _mm256_movemask_epi8(_mm256_and_si256(a, b)) == -1;
#else
	const __m128i au = _mm_set_epi64x((long long)VC_PDESC_HI_FLAGS(VC_PDESC_F_AU), 0);
	const __m128i want = _mm_set_epi64x((long long)VC_PDESC_HI_FLAGS(used_flags), 0);
	__m128i e = _mm_set1_epi32(-1);
	int k;

	/* 32-bit compares suffice: every bit outside AVAIL/USED is masked. */
	for (k = 0; k < VC_PDESC_LINE; k++)
		e = _mm_and_si128(e, _mm_cmpeq_epi32(_mm_and_si128(
			_mm_load_si128((const void *)(d + k)), au), want));
	return _mm_movemask_epi8(e) == 0xffff;
#endif
}

/*
 * Take the line at used_pos, known used: each descriptor is validated as
 * vc_ring_packed_used_read() and consumed as vc_ring_packed_dequeue()
 * would, one after the other. Return: descriptors taken; fewer than four
 * when one of them needs the scalar path (which then reads it again).
 */
static inline uint16_t
vc_ring_packed_take_line(struct vc_ring_packed *r, struct vc_ring_used *out)
{
	const struct vring_packed_desc *d = &r->desc[r->used_pos];
	uint16_t k;

	for (k = 0; k < VC_PDESC_LINE; k++) {
		/* One read of each field: the device may change them. */
		uint16_t id = le16toh(__atomic_load_n(&d[k].id, __ATOMIC_RELAXED));
		uint32_t len = le32toh(__atomic_load_n(&d[k].len, __ATOMIC_RELAXED));
		struct vc_ring_slot *s;

		if (r->in_order ? id != r->used_pos : id >= r->size)
			break;
		s = &r->slots[id];
		if (unlikely(s->cookie == NULL || s->ndescs != 1))
			break;
		out[k].cookie = s->cookie;
		out[k].len = vc_ring_packed_len_check(r, s, len);
		s->cookie = NULL;
		if (!r->in_order)
			vc_ring_packed_id_put(r, id);
		vc_ring_packed_used_advance(r, 1);
	}
	return k;
}

/**
 * vc_ring_packed_dequeue_vec() - vc_ring_packed_dequeue(), whole lines at
 * a time where it can (see the file comment). Same arguments, same
 * result.
 */
static inline uint16_t
vc_ring_packed_dequeue_vec(struct vc_ring_packed *r, struct vc_ring_used *out, uint16_t max)
{
	uint16_t got = 0, k;

	if (unlikely(r->broken || r->pending != 0))
		return 0;
	while (max - got >= VC_PDESC_LINE && !r->io_active &&
	       (r->used_pos & (VC_PDESC_LINE - 1)) == 0 &&
	       r->size - r->num_free >= VC_PDESC_LINE) {
		if (!vc_pdesc_line_used(&r->desc[r->used_pos], r->used_flags))
			break;
		/*
		 * Pairs with the device's release store of the flags: id and
		 * len are loaded after them (x86 keeps loads in order; this
		 * keeps the compiler from reusing the line loaded above).
		 */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		k = vc_ring_packed_take_line(r, out + got);
#ifdef VC_RING_VEC_LINE_HOOK
		VC_RING_VEC_LINE_HOOK(k);	/* unit tests: count lines taken */
#endif
		got += k;
		if (k != VC_PDESC_LINE)
			break;
	}
	if (got != 0 && r->in_order)
		vc_ring_packed_resume_publish(r);
	return got + vc_ring_packed_dequeue(r, out + got, max - got);
}

/**
 * vc_ring_packed_line_ready() - can vc_ring_packed_add_line() fill the
 * line at avail_pos: it starts a line and four descriptors are free.
 */
static inline bool
vc_ring_packed_line_ready(const struct vc_ring_packed *r)
{
	return (r->avail_pos & (VC_PDESC_LINE - 1)) == 0 && r->num_free >= VC_PDESC_LINE &&
	       r->size >= VC_PDESC_LINE;
}

/**
 * vc_ring_packed_add_line() - make four one-descriptor buffers available,
 * filling the line at avail_pos (vc_ring_packed_line_ready() must hold)
 * with whole-descriptor stores, flags included.
 * @addr, @len, @cookie: four each, as vc_ring_packed_add_one().
 *
 * As vc_ring_packed_add_one() with VC_RING_PACKED_DESC_STORE, a line at
 * a time: published as it is stored (each descriptor is one aligned
 * 16-byte store at least), unless a chain of this batch still holds its
 * flags back, in which case the line waits behind it for
 * vc_ring_packed_publish().
 */
static inline void
vc_ring_packed_add_line(struct vc_ring_packed *r, const uint64_t addr[VC_PDESC_LINE],
			const uint32_t len[VC_PDESC_LINE], bool writable,
			void *const cookie[VC_PDESC_LINE])
{
	uint16_t pos = r->avail_pos, flags = r->avail_flags | (writable ? VRING_DESC_F_WRITE : 0);
	struct vring_packed_desc *d = &r->desc[pos];
	uint64_t hi[VC_PDESC_LINE];
	uint16_t k;

	for (k = 0; k < VC_PDESC_LINE; k++)
		hi[k] = vc_pdesc_hi(len[k], vc_ring_packed_slot_one(r, pos + k, cookie[k],
								    len[k], writable), flags);
	/* What the buffers hold (headers, packets) is stored before them. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
#if defined(__AVX512F__)
	_mm512_store_si512((void *)d, _mm512_set_epi64((long long)hi[3], (long long)addr[3],
						       (long long)hi[2], (long long)addr[2],
						       (long long)hi[1], (long long)addr[1],
						       (long long)hi[0], (long long)addr[0]));
#elif defined(__AVX2__)
	_mm256_store_si256((void *)d, _mm256_set_epi64x((long long)hi[1], (long long)addr[1],
							(long long)hi[0], (long long)addr[0]));
	_mm256_store_si256((void *)(d + 2), _mm256_set_epi64x((long long)hi[3], (long long)addr[3],
							      (long long)hi[2], (long long)addr[2]));
#else
	for (k = 0; k < VC_PDESC_LINE; k++)
		_mm_store_si128((void *)(d + k), _mm_set_epi64x((long long)hi[k],
								(long long)addr[k]));
#endif
	r->num_free -= VC_PDESC_LINE;
	/* Published now, or at the publish that releases the held flags,
	 * which comes before any kick decision: counted for it either way. */
	r->kick_added += VC_PDESC_LINE;
	pos += VC_PDESC_LINE;
	if (pos == r->size) {
		pos = 0;
		r->avail_flags ^= VC_PDESC_F_AU;
	}
	r->avail_pos = pos;
}

#endif /* VC_RING_PACKED_VEC_H */
