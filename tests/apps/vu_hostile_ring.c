/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
/*
 * vu_hostile, ring side: the frontend's memory table mapped here (every
 * address translated with bounds), and the one bad used entry each ring
 * mode writes into RX vring 0.
 */
#include "vu_hostile.h"

/* ---- Memory table ------------------------------------------------------ */

void
regions_unmap(struct hostile *h)
{
	unsigned int i;

	for (i = 0; i < h->nregions; i++)
		if (h->regions[i].map != NULL)
			munmap(h->regions[i].map, h->regions[i].map_len);
	memset(h->regions, 0, sizeof(h->regions));
	h->nregions = 0;
}

/*
 * Map every region of a SET_MEM_TABLE.  Closes the message's fds either
 * way.  @return 0 or -EINVAL (a region the backend refuses).
 */
int
regions_map(struct hostile *h, struct devsim_vu_msg *m)
{
	const struct devsim_vu_memory *mem = &m->payload.mem;
	unsigned int i;
	int ret = 0;

	regions_unmap(h);
	/* The codec checked nregions <= 8 and one fd per region. */
	for (i = 0; i < mem->nregions && i < m->nfds; i++) {
		const struct devsim_vu_mem_region *r = &mem->regions[i];
		struct stat st;
		uint64_t align, len;
		void *p;

		if (r->memory_size == 0 || r->guest_phys_addr + r->memory_size < r->guest_phys_addr ||
		    r->mmap_offset + r->memory_size < r->mmap_offset ||
		    fstat(m->fds[i], &st) != 0) {
			say("SET_MEM_TABLE: region %u invalid", i);
			ret = -EINVAL;
			break;
		}
		/* hugetlbfs wants whole pages; st_blksize is its page size. */
		align = st.st_blksize > 0 ? (uint64_t)st.st_blksize : 4096;
		len = r->mmap_offset + r->memory_size;
		if (len + align - 1 < len || len > SIZE_MAX - align) {
			ret = -EINVAL;
			break;
		}
		len = (len + align - 1) / align * align;
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, m->fds[i], 0);
		if (p == MAP_FAILED) {
			say("SET_MEM_TABLE: mmap of region %u (%" PRIu64 " bytes) failed: %s",
			    i, len, strerror(errno));
			ret = -EINVAL;
			break;
		}
		h->regions[i] = (struct region){
			.gpa = r->guest_phys_addr, .size = r->memory_size,
			.va = (uint8_t *)p + r->mmap_offset, .map = p, .map_len = len,
		};
		h->nregions = i + 1;
	}
	devsim_vu_msg_close_fds(m);
	if (ret != 0)
		regions_unmap(h);
	else
		say("SET_MEM_TABLE: %u region(s) mapped", h->nregions);
	return ret;
}

/* Local pointer to [gpa, gpa + len) when one region holds all of it. */
static void *
gpa_to_ptr(const struct hostile *h, uint64_t gpa, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < h->nregions; i++) {
		const struct region *r = &h->regions[i];

		if (gpa >= r->gpa && gpa - r->gpa <= r->size &&
		    len <= r->size - (gpa - r->gpa))
			return r->va + (gpa - r->gpa);
	}
	return NULL;
}

/* ---- Bad used entries --------------------------------------------------- */

static void
signal_call(const struct hvring *v)
{
	uint64_t one = 1;

	if (v->call >= 0 && write(v->call, &one, sizeof(one)) < 0)
		say("call eventfd write: %s", strerror(errno));
}

/* Writable bytes of the split chain at @head, bounded by the ring size. */
static int
split_chain_len(const struct hostile *h, const struct vring_desc *desc,
		uint32_t num, uint16_t head, uint32_t *len, uint64_t *first_addr)
{
	uint32_t n, total = 0;
	uint16_t i = head;

	for (n = 0; n < num; n++) {
		const struct vring_desc *d;
		uint16_t flags;

		if (i >= num)
			return -EINVAL;
		d = &desc[i];
		flags = d->flags;
		if (flags & VRING_DESC_F_INDIRECT)
			return -EINVAL;   /* not expected on RX */
		if (n == 0)
			*first_addr = d->addr;
		if ((flags & VRING_DESC_F_WRITE) && total + d->len >= total)
			total += d->len;
		if (!(flags & VRING_DESC_F_NEXT)) {
			*len = total;
			return gpa_to_ptr(h, *first_addr, 1) != NULL ? 0 : -EINVAL;
		}
		i = d->next;
	}
	return -ELOOP;
}

/* A minimal frame with a mergeable header (num_buffers 1): 12 + 60 bytes. */
#define FRAME_LEN (12u + 60u)

static int
write_frame(const struct hostile *h, uint64_t addr, uint32_t room)
{
	static const uint8_t eth[14] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x88, 0xb5,
	};
	uint8_t *p;
	uint16_t one = 1;

	if (room < FRAME_LEN || (p = gpa_to_ptr(h, addr, FRAME_LEN)) == NULL)
		return -EINVAL;
	memset(p, 0, FRAME_LEN);
	memcpy(p + 10, &one, sizeof(one));
	memcpy(p + 12, eth, sizeof(eth));
	return 0;
}

/* Split ring: 0 when done, -EAGAIN while the driver posted nothing yet. */
static int
bad_split(struct hostile *h, struct hvring *v)
{
	uint32_t num = v->num, len = 0;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint64_t addr = 0;
	uint16_t aidx, uidx, head, step = 1;

	if ((num & (num - 1)) != 0) {
		say("RX vring: split ring size %u is not a power of 2", num);
		return -EINVAL;
	}
	desc = gpa_to_ptr(h, v->desc, 16ull * num);
	avail = gpa_to_ptr(h, v->avail, 4ull + 2ull * num);
	used = gpa_to_ptr(h, v->used, 4ull + 8ull * num);
	if (desc == NULL || avail == NULL || used == NULL) {
		say("RX vring: ring addresses outside the memory table");
		return -EINVAL;
	}
	aidx = __atomic_load_n(&avail->idx, __ATOMIC_ACQUIRE);
	uidx = used->idx;
	if (aidx == uidx)
		return -EAGAIN;
	head = avail->ring[uidx & (num - 1)];
	if (head >= num || split_chain_len(h, desc, num, head, &len, &addr) != 0) {
		say("RX vring: avail entry names a bad chain (head %u)", head);
		return -EINVAL;
	}
	switch (h->mode) {
	case M_USED_ID_RANGE:
		used->ring[uidx & (num - 1)].id = num + 3;
		used->ring[uidx & (num - 1)].len = FRAME_LEN;
		say("misbehaving: used id %u in a ring of %u", num + 3, num);
		break;
	case M_USED_ID_STALE:
		/* A real completion, then the same id again: not outstanding. */
		if (write_frame(h, addr, len) != 0) {
			say("RX vring: buffer too small for a frame");
			return -EINVAL;
		}
		used->ring[uidx & (num - 1)].id = head;
		used->ring[uidx & (num - 1)].len = FRAME_LEN;
		used->ring[(uint16_t)(uidx + 1) & (num - 1)].id = head;
		used->ring[(uint16_t)(uidx + 1) & (num - 1)].len = FRAME_LEN;
		step = 2;
		say("misbehaving: used id %u completed twice", head);
		break;
	case M_USED_LEN:
		used->ring[uidx & (num - 1)].id = head;
		used->ring[uidx & (num - 1)].len = len + 1;
		say("misbehaving: used len %u for a %u-byte buffer", len + 1, len);
		break;
	case M_USED_IDX_JUMP:
		step = (uint16_t)(num + 5);
		say("misbehaving: used index jumps by %u (ring of %u)", step, num);
		break;
	default:
		return -EINVAL;
	}
	/* Pairs with the driver's acquire load of used->idx. */
	__atomic_store_n(&used->idx, (uint16_t)(uidx + step), __ATOMIC_RELEASE);
	v->base = (uint16_t)(uidx + step);
	return 0;
}

/* Packed ring: the descriptor at position 0 (first lap, wrap counter 1). */
static int
bad_packed(struct hostile *h, struct hvring *v)
{
	const uint16_t avail_f = 1u << VRING_PACKED_DESC_F_AVAIL;
	const uint16_t used_f = 1u << VRING_PACKED_DESC_F_USED;
	struct vring_packed_desc *desc;
	uint16_t flags, id;

	desc = gpa_to_ptr(h, v->desc, 16ull * v->num);
	if (desc == NULL) {
		say("RX vring: packed ring outside the memory table");
		return -EINVAL;
	}
	flags = __atomic_load_n(&desc[0].flags, __ATOMIC_ACQUIRE);
	if ((flags & (avail_f | used_f)) != avail_f)
		return -EAGAIN;   /* nothing made available yet */
	id = desc[0].id;
	if (h->mode == M_PACKED_ID_RANGE) {
		desc[0].id = (uint16_t)(v->num + 3);
		desc[0].len = FRAME_LEN;
		say("misbehaving: packed used id %u in a ring of %u", v->num + 3, v->num);
		flags = avail_f | used_f;
	} else {
		desc[0].id = id;
		desc[0].len = FRAME_LEN;
		/* USED set but AVAIL clear: neither this lap nor the last. */
		flags = used_f;
		say("misbehaving: packed used descriptor with flags 0x%04x (wrap counter 1)",
		    flags);
	}
	/* Pairs with the driver's acquire load of the flags. */
	__atomic_store_n(&desc[0].flags, flags, __ATOMIC_RELEASE);
	return 0;
}

/* Once the device runs and RX vring 0 has buffers, break it. */
int
maybe_misbehave(struct hostile *h)
{
	struct hvring *v = &h->vr[0];
	bool packed = (h->features & BIT(VIRTIO_F_RING_PACKED)) != 0;
	bool running;
	int ret;

	/* Without the STATUS protocol feature, a kick fd means started. */
	running = (h->protocol_features & BIT(DEVSIM_VU_PF_STATUS)) ?
		  (h->status & VIRTIO_CONFIG_S_DRIVER_OK) != 0 : v->kick >= 0;
	if (h->done || !running || v->num == 0 || !v->has_addr || h->nregions == 0)
		return 0;
	if (h->mode == M_UNSOLICITED_IDLE) {
		/*
		 * The frontend's start sequence ends with SET_STATUS(DRIVER_OK)
		 * and GET_STATUS; quiet after that, no request is in flight.
		 */
		if (h->last_req != DEVSIM_VU_REQ_GET_STATUS ||
		    now_ms() - h->last_req_ms < IDLE_MS)
			return 0;
		h->done = true;
		say("misbehaving: unsolicited GET_FEATURES reply while idle");
		return reply_u64(h, DEVSIM_VU_REQ_GET_FEATURES, offered_features(h));
	}
	if (!is_ring_mode(h->mode))
		return 0;
	if (packed != is_packed_mode(h->mode)) {
		say("mode %s needs %s rings, the frontend negotiated %s ones",
		    mode_names[h->mode], packed ? "split" : "packed",
		    packed ? "packed" : "split");
		h->done = true;
		return 0;
	}
	ret = packed ? bad_packed(h, v) : bad_split(h, v);
	if (ret == -EAGAIN)
		return 0;
	h->done = true;
	if (ret == 0)
		signal_call(v);
	return 0;
}

