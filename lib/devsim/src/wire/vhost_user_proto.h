/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef DEVSIM_WIRE_VHOST_USER_PROTO_H
#define DEVSIM_WIRE_VHOST_USER_PROTO_H

/*
 * vhost-user wire format (QEMU docs/interop/vhost-user.rst), frontend side.
 *
 * A message is a 12-byte header followed by exactly hdr.size payload bytes;
 * file descriptors travel as SCM_RIGHTS ancillary data on the same sendmsg.
 * All numbers are in host byte order (the peer runs on the same host).
 *
 * Only layouts devsim sends or receives are defined here.  Every size and
 * offset is pinned with _Static_assert so that a compiler or ABI surprise
 * fails the build instead of corrupting the stream.  The structs are only
 * ever memcpy()ed to/from byte buffers by vu_msg.c; nothing casts a
 * received buffer to them.
 */

#include <stddef.h>
#include <stdint.h>

/* ---- Requests (frontend -> backend) ---------------------------------- */
#define DEVSIM_VU_REQ_GET_FEATURES          1
#define DEVSIM_VU_REQ_SET_FEATURES          2
#define DEVSIM_VU_REQ_SET_OWNER             3
#define DEVSIM_VU_REQ_RESET_OWNER           4
#define DEVSIM_VU_REQ_SET_MEM_TABLE         5
#define DEVSIM_VU_REQ_SET_LOG_BASE          6
#define DEVSIM_VU_REQ_SET_LOG_FD            7
#define DEVSIM_VU_REQ_SET_VRING_NUM         8
#define DEVSIM_VU_REQ_SET_VRING_ADDR        9
#define DEVSIM_VU_REQ_SET_VRING_BASE        10
#define DEVSIM_VU_REQ_GET_VRING_BASE        11
#define DEVSIM_VU_REQ_SET_VRING_KICK        12
#define DEVSIM_VU_REQ_SET_VRING_CALL        13
#define DEVSIM_VU_REQ_SET_VRING_ERR         14
#define DEVSIM_VU_REQ_GET_PROTOCOL_FEATURES 15
#define DEVSIM_VU_REQ_SET_PROTOCOL_FEATURES 16
#define DEVSIM_VU_REQ_GET_QUEUE_NUM         17
#define DEVSIM_VU_REQ_SET_VRING_ENABLE      18
#define DEVSIM_VU_REQ_SEND_RARP             19
#define DEVSIM_VU_REQ_NET_SET_MTU           20
#define DEVSIM_VU_REQ_GET_MAX_MEM_SLOTS     36
#define DEVSIM_VU_REQ_ADD_MEM_REG           37
#define DEVSIM_VU_REQ_REM_MEM_REG           38
#define DEVSIM_VU_REQ_SET_STATUS            39
#define DEVSIM_VU_REQ_GET_STATUS            40

/* ---- Header flags ---------------------------------------------------- */
#define DEVSIM_VU_VERSION_MASK    0x3u
#define DEVSIM_VU_VERSION         0x1u
#define DEVSIM_VU_FLAG_REPLY      (1u << 2)
#define DEVSIM_VU_FLAG_NEED_REPLY (1u << 3)
/** Every flag bit this implementation understands; others are rejected. */
#define DEVSIM_VU_FLAGS_KNOWN \
	(DEVSIM_VU_VERSION_MASK | DEVSIM_VU_FLAG_REPLY | DEVSIM_VU_FLAG_NEED_REPLY)

/* ---- SET_VRING_KICK/CALL/ERR u64 payload ----------------------------- */
#define DEVSIM_VU_VRING_IDX_MASK  0xffull
#define DEVSIM_VU_VRING_NOFD      (1ull << 8)

/* ---- SET_VRING_ADDR flags --------------------------------------------- */
#define DEVSIM_VU_VRING_F_LOG     (1u << 0)

/* ---- Device feature bits that belong to vhost, not to virtio --------- */
#define DEVSIM_VU_F_LOG_ALL             26 /**< VHOST_F_LOG_ALL */
#define DEVSIM_VU_F_PROTOCOL_FEATURES   30 /**< VHOST_USER_F_PROTOCOL_FEATURES */

/* ---- Protocol feature bits (GET/SET_PROTOCOL_FEATURES) --------------- */
#define DEVSIM_VU_PF_MQ                   0
#define DEVSIM_VU_PF_LOG_SHMFD            1
#define DEVSIM_VU_PF_RARP                 2
#define DEVSIM_VU_PF_REPLY_ACK            3
#define DEVSIM_VU_PF_NET_MTU              4
#define DEVSIM_VU_PF_BACKEND_REQ          5
#define DEVSIM_VU_PF_CROSS_ENDIAN         6
#define DEVSIM_VU_PF_CRYPTO_SESSION       7
#define DEVSIM_VU_PF_PAGEFAULT            8
#define DEVSIM_VU_PF_CONFIG               9
#define DEVSIM_VU_PF_BACKEND_SEND_FD      10
#define DEVSIM_VU_PF_HOST_NOTIFIER        11
#define DEVSIM_VU_PF_INFLIGHT_SHMFD       12
#define DEVSIM_VU_PF_RESET_DEVICE         13
#define DEVSIM_VU_PF_INBAND_NOTIFICATIONS 14
#define DEVSIM_VU_PF_CONFIGURE_MEM_SLOTS  15
#define DEVSIM_VU_PF_STATUS               16

/** Regions one SET_MEM_TABLE carries (and fds one message carries). */
#define DEVSIM_VU_MEM_REGIONS_MAX 8
#define DEVSIM_VU_FDS_MAX         DEVSIM_VU_MEM_REGIONS_MAX

/* ---- Layouts ---------------------------------------------------------- */

struct devsim_vu_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;      /**< payload bytes that follow */
};

/** SET_VRING_NUM, SET/GET_VRING_BASE, SET_VRING_ENABLE. */
struct devsim_vu_vring_state {
	uint32_t index;
	uint32_t num;
};

/** SET_VRING_ADDR. */
struct devsim_vu_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc_user_addr;
	uint64_t used_user_addr;
	uint64_t avail_user_addr;
	uint64_t log_guest_addr;
};

struct devsim_vu_mem_region {
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr;
	uint64_t mmap_offset;
};

/** SET_MEM_TABLE: only the first nregions entries go on the wire. */
struct devsim_vu_memory {
	uint32_t nregions;
	uint32_t padding;
	struct devsim_vu_mem_region regions[DEVSIM_VU_MEM_REGIONS_MAX];
};

#define DEVSIM_VU_HDR_SIZE       12u
#define DEVSIM_VU_U64_SIZE       8u
#define DEVSIM_VU_STATE_SIZE     8u
#define DEVSIM_VU_ADDR_SIZE      40u
#define DEVSIM_VU_REGION_SIZE    32u
#define DEVSIM_VU_MEM_HDR_SIZE   8u  /**< nregions + padding */
#define DEVSIM_VU_MEM_SIZE_MAX \
	(DEVSIM_VU_MEM_HDR_SIZE + DEVSIM_VU_MEM_REGIONS_MAX * DEVSIM_VU_REGION_SIZE)
/** Largest payload devsim sends or accepts. */
#define DEVSIM_VU_PAYLOAD_MAX    DEVSIM_VU_MEM_SIZE_MAX

_Static_assert(sizeof(struct devsim_vu_hdr) == DEVSIM_VU_HDR_SIZE, "hdr");
_Static_assert(offsetof(struct devsim_vu_hdr, request) == 0, "hdr.request");
_Static_assert(offsetof(struct devsim_vu_hdr, flags) == 4, "hdr.flags");
_Static_assert(offsetof(struct devsim_vu_hdr, size) == 8, "hdr.size");

_Static_assert(sizeof(struct devsim_vu_vring_state) == DEVSIM_VU_STATE_SIZE,
	       "vring_state");
_Static_assert(offsetof(struct devsim_vu_vring_state, index) == 0, "state.index");
_Static_assert(offsetof(struct devsim_vu_vring_state, num) == 4, "state.num");

_Static_assert(sizeof(struct devsim_vu_vring_addr) == DEVSIM_VU_ADDR_SIZE,
	       "vring_addr");
_Static_assert(offsetof(struct devsim_vu_vring_addr, index) == 0, "addr.index");
_Static_assert(offsetof(struct devsim_vu_vring_addr, flags) == 4, "addr.flags");
_Static_assert(offsetof(struct devsim_vu_vring_addr, desc_user_addr) == 8,
	       "addr.desc");
_Static_assert(offsetof(struct devsim_vu_vring_addr, used_user_addr) == 16,
	       "addr.used");
_Static_assert(offsetof(struct devsim_vu_vring_addr, avail_user_addr) == 24,
	       "addr.avail");
_Static_assert(offsetof(struct devsim_vu_vring_addr, log_guest_addr) == 32,
	       "addr.log");

_Static_assert(sizeof(struct devsim_vu_mem_region) == DEVSIM_VU_REGION_SIZE,
	       "mem_region");
_Static_assert(offsetof(struct devsim_vu_mem_region, guest_phys_addr) == 0,
	       "region.gpa");
_Static_assert(offsetof(struct devsim_vu_mem_region, memory_size) == 8,
	       "region.size");
_Static_assert(offsetof(struct devsim_vu_mem_region, userspace_addr) == 16,
	       "region.uaddr");
_Static_assert(offsetof(struct devsim_vu_mem_region, mmap_offset) == 24,
	       "region.mmap_offset");

_Static_assert(sizeof(struct devsim_vu_memory) == DEVSIM_VU_MEM_SIZE_MAX,
	       "memory");
_Static_assert(offsetof(struct devsim_vu_memory, nregions) == 0, "mem.nregions");
_Static_assert(offsetof(struct devsim_vu_memory, padding) == 4, "mem.padding");
_Static_assert(offsetof(struct devsim_vu_memory, regions) ==
	       DEVSIM_VU_MEM_HDR_SIZE, "mem.regions");

#endif /* DEVSIM_WIRE_VHOST_USER_PROTO_H */
