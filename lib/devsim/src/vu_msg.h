/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef DEVSIM_VU_MSG_H
#define DEVSIM_VU_MSG_H

/*
 * vhost-user message codec: bytes <-> struct devsim_vu_msg, and nothing
 * else (no I/O, no allocation, no logging).  Every rule lives in one table
 * with a row per request.
 *
 * Recipe:
 *   struct devsim_vu_msg m;
 *   devsim_vu_msg_state(&m, DEVSIM_VU_REQ_SET_VRING_NUM, idx, 256);
 *   n = devsim_vu_msg_encode(&m, buf, sizeof(buf));   // bytes + m.fds[]
 *   ... receive 12 bytes into hbuf ...
 *   devsim_vu_hdr_decode(hbuf, &hdr, &why);            // before the payload
 *   ... receive hdr.size bytes ...
 *   devsim_vu_msg_decode(buf, len, fds, nfds, &m, &why);
 *   devsim_vu_msg_is_reply_for(&reply, &req.hdr, &why);
 *
 * Validation functions return 0 or -EPROTO and, when @why is not NULL,
 * point *why at a static string naming the broken rule.
 * File descriptors are only copied around; the codec never opens or closes
 * one.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/vhost_user_proto.h"

/** What a request carries in SCM_RIGHTS. */
enum devsim_vu_fd_rule {
	DEVSIM_VU_FD_NONE = 0,  /**< no fd */
	DEVSIM_VU_FD_VRING,     /**< one fd unless the NOFD bit is set */
	DEVSIM_VU_FD_REGIONS,   /**< one fd per memory region */
};

/** What the backend answers. */
enum devsim_vu_reply_kind {
	DEVSIM_VU_REPLY_ACK = 0,  /**< nothing, or a u64 ack with NEED_REPLY */
	DEVSIM_VU_REPLY_PAYLOAD,  /**< always a reply of reply_size bytes */
};

/** How the payload is checked beyond its size. */
enum devsim_vu_payload_kind {
	DEVSIM_VU_PL_NONE = 0,
	DEVSIM_VU_PL_U64,
	DEVSIM_VU_PL_STATE,
	DEVSIM_VU_PL_ENABLE,    /**< vring state whose num is 0 or 1 */
	DEVSIM_VU_PL_ADDR,
	DEVSIM_VU_PL_VRING_FD,  /**< u64: index in bits 0-7, NOFD bit 8 */
	DEVSIM_VU_PL_MEM,
};

/** One row of the request table. */
struct devsim_vu_req_info {
	uint32_t request;
	const char *name;        /**< e.g. "SET_VRING_ADDR" */
	uint8_t payload;         /**< enum devsim_vu_payload_kind */
	uint8_t fds;             /**< enum devsim_vu_fd_rule */
	uint8_t reply;           /**< enum devsim_vu_reply_kind */
	uint16_t min_size;       /**< request payload bytes, at least */
	uint16_t max_size;       /**< request payload bytes, at most */
	uint16_t reply_size;     /**< PAYLOAD replies: exact size */
};

/** A message in host form.  Fields are filled by the builders or decode. */
struct devsim_vu_msg {
	struct devsim_vu_hdr hdr;
	union {
		uint64_t u64;
		struct devsim_vu_vring_state state;
		struct devsim_vu_vring_addr addr;
		struct devsim_vu_memory mem;
		uint8_t raw[DEVSIM_VU_PAYLOAD_MAX];
	} payload;
	int fds[DEVSIM_VU_FDS_MAX]; /**< not owned by the codec */
	unsigned int nfds;
};

/** Largest encoded message: header plus the largest payload. */
#define DEVSIM_VU_MSG_MAX (DEVSIM_VU_HDR_SIZE + DEVSIM_VU_PAYLOAD_MAX)

/**
 * Table row of @request.
 * @return the row, or NULL for a request devsim does not know.
 */
const struct devsim_vu_req_info *devsim_vu_req_info(uint32_t request);

/** Name of @request for logs; "UNKNOWN" when it is not in the table. */
const char *devsim_vu_req_name(uint32_t request);

/**
 * Builders: reset @m to a request (version 1, no other flag, no fds) with
 * the given payload.  They do not validate; encode does.
 */
void devsim_vu_msg_none(struct devsim_vu_msg *m, uint32_t request);
void devsim_vu_msg_u64(struct devsim_vu_msg *m, uint32_t request,
		       uint64_t val);
void devsim_vu_msg_state(struct devsim_vu_msg *m, uint32_t request,
			 uint32_t index, uint32_t num);
/** SET_VRING_ADDR with flags 0 and no log address. */
void devsim_vu_msg_addr(struct devsim_vu_msg *m, uint32_t index,
			uint64_t desc, uint64_t used, uint64_t avail);
/**
 * SET_VRING_KICK/CALL/ERR for vring @index.  @fd < 0 sets the NOFD bit and
 * attaches no fd; otherwise @fd is attached (still owned by the caller).
 */
void devsim_vu_msg_vring_fd(struct devsim_vu_msg *m, uint32_t request,
			    uint32_t index, int fd);
/**
 * SET_MEM_TABLE with @n regions, region i backed by fds[i] (still owned by
 * the caller).
 * @return 0, or -E2BIG when @n exceeds DEVSIM_VU_MEM_REGIONS_MAX.
 */
int devsim_vu_msg_mem_table(struct devsim_vu_msg *m,
			    const struct devsim_vu_mem_region *regions,
			    const int *fds, unsigned int n);

/**
 * Parse and validate a 12-byte header: known request, version 1, no
 * unknown flag bits, not both REPLY and NEED_REPLY, and size no larger
 * than the request (or, with REPLY, the reply) may carry.
 * @return 0 with *hdr filled, or -EPROTO.
 */
int devsim_vu_hdr_decode(const uint8_t buf[DEVSIM_VU_HDR_SIZE],
			 struct devsim_vu_hdr *hdr, const char **why);

/** Validate an already parsed header (the checks of hdr_decode). */
int devsim_vu_hdr_validate(const struct devsim_vu_hdr *hdr, const char **why);

/**
 * Validate a whole message: header, payload size and content rules of its
 * row, and the number of attached fds.  Replies (REPLY flag) must carry no
 * fd and exactly the size of an ack or of the row's natural reply.
 */
int devsim_vu_msg_validate(const struct devsim_vu_msg *m, const char **why);

/**
 * Decode @len bytes (header + payload of one message) with the @nfds fds
 * that came with them into @m, and validate it.
 * @return 0, or -EPROTO.  The fds stay owned by the caller either way (they
 * are copied into m->fds when they fit).
 */
int devsim_vu_msg_decode(const uint8_t *buf, size_t len, const int *fds,
			 unsigned int nfds, struct devsim_vu_msg *m,
			 const char **why);

/**
 * Validate @m and encode it into @buf.
 * @return bytes written (12 + hdr.size); -EINVAL when @m breaks a rule,
 * -ENOBUFS when @len is too small.  m->fds[0..nfds) go with the bytes.
 */
int devsim_vu_msg_encode(const struct devsim_vu_msg *m, uint8_t *buf,
			 size_t len);

/**
 * Whether the backend answers the request with header @req: always for
 * natural replies (GET_*), for the others only with NEED_REPLY.
 */
bool devsim_vu_msg_expects_reply(const struct devsim_vu_hdr *req);

/**
 * Check that @reply answers the request whose header was @req: same
 * request, REPLY flag, the exact size expected (u64 ack, or the natural
 * reply) and no fds.
 * @return 0, or -EPROTO (also when @req expects no reply at all).
 */
int devsim_vu_msg_is_reply_for(const struct devsim_vu_msg *reply,
			       const struct devsim_vu_hdr *req,
			       const char **why);

#endif /* DEVSIM_VU_MSG_H */
