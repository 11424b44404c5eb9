/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#include <errno.h>
#include <string.h>

#include "vu_msg.h"

#define ROW(req, pl, fd, rep, min, max, rsize) \
	[DEVSIM_VU_REQ_##req] = { \
		.request = DEVSIM_VU_REQ_##req, .name = #req, \
		.payload = DEVSIM_VU_PL_##pl, .fds = DEVSIM_VU_FD_##fd, \
		.reply = DEVSIM_VU_REPLY_##rep, .min_size = (min), \
		.max_size = (max), .reply_size = (rsize) }

#define U64 DEVSIM_VU_U64_SIZE
#define STATE DEVSIM_VU_STATE_SIZE

/*
 * Every request devsim sends, with what it carries and what comes back.
 * Rows are indexed by request number; holes have a NULL name.
 */
static const struct devsim_vu_req_info vu_reqs[] = {
	ROW(GET_FEATURES,          NONE,     NONE,    PAYLOAD, 0, 0, U64),
	ROW(SET_FEATURES,          U64,      NONE,    ACK,     U64, U64, 0),
	ROW(SET_OWNER,             NONE,     NONE,    ACK,     0, 0, 0),
	ROW(RESET_OWNER,           NONE,     NONE,    ACK,     0, 0, 0),
	ROW(SET_MEM_TABLE,         MEM,      REGIONS, ACK,
	    DEVSIM_VU_MEM_HDR_SIZE, DEVSIM_VU_MEM_SIZE_MAX, 0),
	ROW(SET_VRING_NUM,         STATE,    NONE,    ACK,     STATE, STATE, 0),
	ROW(SET_VRING_ADDR,        ADDR,     NONE,    ACK,
	    DEVSIM_VU_ADDR_SIZE, DEVSIM_VU_ADDR_SIZE, 0),
	ROW(SET_VRING_BASE,        STATE,    NONE,    ACK,     STATE, STATE, 0),
	ROW(GET_VRING_BASE,        STATE,    NONE,    PAYLOAD, STATE, STATE, STATE),
	ROW(SET_VRING_KICK,        VRING_FD, VRING,   ACK,     U64, U64, 0),
	ROW(SET_VRING_CALL,        VRING_FD, VRING,   ACK,     U64, U64, 0),
	ROW(SET_VRING_ERR,         VRING_FD, VRING,   ACK,     U64, U64, 0),
	ROW(GET_PROTOCOL_FEATURES, NONE,     NONE,    PAYLOAD, 0, 0, U64),
	ROW(SET_PROTOCOL_FEATURES, U64,      NONE,    ACK,     U64, U64, 0),
	ROW(GET_QUEUE_NUM,         NONE,     NONE,    PAYLOAD, 0, 0, U64),
	ROW(SET_VRING_ENABLE,      ENABLE,   NONE,    ACK,     STATE, STATE, 0),
	ROW(GET_MAX_MEM_SLOTS,     NONE,     NONE,    PAYLOAD, 0, 0, U64),
	ROW(SET_STATUS,            U64,      NONE,    ACK,     U64, U64, 0),
	ROW(GET_STATUS,            NONE,     NONE,    PAYLOAD, 0, 0, U64),
};

#undef U64
#undef STATE
#undef ROW

#define SET_WHY(w, s) do { if ((w) != NULL) *(w) = (s); } while (0)

const struct devsim_vu_req_info *
devsim_vu_req_info(uint32_t request)
{
	if (request >= sizeof(vu_reqs) / sizeof(vu_reqs[0]) ||
	    vu_reqs[request].name == NULL)
		return NULL;
	return &vu_reqs[request];
}

const char *
devsim_vu_req_name(uint32_t request)
{
	const struct devsim_vu_req_info *ri = devsim_vu_req_info(request);

	return ri != NULL ? ri->name : "UNKNOWN";
}

/* ---- Builders --------------------------------------------------------- */

void
devsim_vu_msg_none(struct devsim_vu_msg *m, uint32_t request)
{
	memset(m, 0, sizeof(*m));
	m->hdr.request = request;
	m->hdr.flags = DEVSIM_VU_VERSION;
	m->hdr.size = 0;
}

void
devsim_vu_msg_u64(struct devsim_vu_msg *m, uint32_t request, uint64_t val)
{
	devsim_vu_msg_none(m, request);
	m->payload.u64 = val;
	m->hdr.size = DEVSIM_VU_U64_SIZE;
}

void
devsim_vu_msg_state(struct devsim_vu_msg *m, uint32_t request,
		    uint32_t index, uint32_t num)
{
	devsim_vu_msg_none(m, request);
	m->payload.state.index = index;
	m->payload.state.num = num;
	m->hdr.size = DEVSIM_VU_STATE_SIZE;
}

void
devsim_vu_msg_addr(struct devsim_vu_msg *m, uint32_t index,
		   uint64_t desc, uint64_t used, uint64_t avail)
{
	devsim_vu_msg_none(m, DEVSIM_VU_REQ_SET_VRING_ADDR);
	m->payload.addr.index = index;
	m->payload.addr.flags = 0;
	m->payload.addr.desc_user_addr = desc;
	m->payload.addr.used_user_addr = used;
	m->payload.addr.avail_user_addr = avail;
	m->payload.addr.log_guest_addr = 0;
	m->hdr.size = DEVSIM_VU_ADDR_SIZE;
}

void
devsim_vu_msg_vring_fd(struct devsim_vu_msg *m, uint32_t request,
		       uint32_t index, int fd)
{
	uint64_t v = index & DEVSIM_VU_VRING_IDX_MASK;

	if (fd < 0)
		v |= DEVSIM_VU_VRING_NOFD;
	devsim_vu_msg_u64(m, request, v);
	if (fd >= 0) {
		m->fds[0] = fd;
		m->nfds = 1;
	}
}

int
devsim_vu_msg_mem_table(struct devsim_vu_msg *m,
			const struct devsim_vu_mem_region *regions,
			const int *fds, unsigned int n)
{
	unsigned int i;

	if (n > DEVSIM_VU_MEM_REGIONS_MAX)
		return -E2BIG;
	devsim_vu_msg_none(m, DEVSIM_VU_REQ_SET_MEM_TABLE);
	m->payload.mem.nregions = n;
	for (i = 0; i < n; i++) {
		m->payload.mem.regions[i] = regions[i];
		m->fds[i] = fds[i];
	}
	m->nfds = n;
	m->hdr.size = DEVSIM_VU_MEM_HDR_SIZE + n * DEVSIM_VU_REGION_SIZE;
	return 0;
}

/* ---- Validation ------------------------------------------------------- */

/* Exact payload size of the reply a request with @ri gets. */
static uint32_t
reply_size(const struct devsim_vu_req_info *ri)
{
	return ri->reply == DEVSIM_VU_REPLY_PAYLOAD ? ri->reply_size :
						      DEVSIM_VU_U64_SIZE;
}

int
devsim_vu_hdr_validate(const struct devsim_vu_hdr *hdr, const char **why)
{
	const struct devsim_vu_req_info *ri = devsim_vu_req_info(hdr->request);
	uint32_t max;

	if (ri == NULL) {
		SET_WHY(why, "unknown request");
		return -EPROTO;
	}
	if ((hdr->flags & DEVSIM_VU_VERSION_MASK) != DEVSIM_VU_VERSION) {
		SET_WHY(why, "unsupported protocol version");
		return -EPROTO;
	}
	if (hdr->flags & ~DEVSIM_VU_FLAGS_KNOWN) {
		SET_WHY(why, "unknown flag bits");
		return -EPROTO;
	}
	if ((hdr->flags & DEVSIM_VU_FLAG_REPLY) &&
	    (hdr->flags & DEVSIM_VU_FLAG_NEED_REPLY)) {
		SET_WHY(why, "reply asks for a reply");
		return -EPROTO;
	}
	max = (hdr->flags & DEVSIM_VU_FLAG_REPLY) ? reply_size(ri) :
						    ri->max_size;
	if (hdr->size > max) {
		SET_WHY(why, "payload too large for the request");
		return -EPROTO;
	}
	return 0;
}

int
devsim_vu_hdr_decode(const uint8_t buf[DEVSIM_VU_HDR_SIZE],
		     struct devsim_vu_hdr *hdr, const char **why)
{
	memcpy(hdr, buf, DEVSIM_VU_HDR_SIZE);
	return devsim_vu_hdr_validate(hdr, why);
}

/* Content rules of a request payload whose size is already in range. */
static int
validate_payload(const struct devsim_vu_msg *m,
		 const struct devsim_vu_req_info *ri, const char **why)
{
	uint64_t v;
	uint32_t n;

	switch (ri->payload) {
	case DEVSIM_VU_PL_ENABLE:
		if (m->payload.state.num > 1) {
			SET_WHY(why, "vring enable is neither 0 nor 1");
			return -EPROTO;
		}
		break;
	case DEVSIM_VU_PL_ADDR:
		if (m->payload.addr.flags & ~DEVSIM_VU_VRING_F_LOG) {
			SET_WHY(why, "unknown vring address flags");
			return -EPROTO;
		}
		break;
	case DEVSIM_VU_PL_VRING_FD:
		v = m->payload.u64;
		if (v & ~(DEVSIM_VU_VRING_IDX_MASK | DEVSIM_VU_VRING_NOFD)) {
			SET_WHY(why, "reserved bits set in vring fd payload");
			return -EPROTO;
		}
		break;
	case DEVSIM_VU_PL_MEM:
		n = m->payload.mem.nregions;
		if (n > DEVSIM_VU_MEM_REGIONS_MAX) {
			SET_WHY(why, "too many memory regions");
			return -EPROTO;
		}
		if (m->hdr.size != DEVSIM_VU_MEM_HDR_SIZE +
				   n * DEVSIM_VU_REGION_SIZE) {
			SET_WHY(why, "memory table size does not match nregions");
			return -EPROTO;
		}
		break;
	default:
		break;
	}
	return 0;
}

/* Number of fds a request (not a reply) must carry. */
static unsigned int
expected_fds(const struct devsim_vu_msg *m, const struct devsim_vu_req_info *ri)
{
	switch (ri->fds) {
	case DEVSIM_VU_FD_VRING:
		return (m->payload.u64 & DEVSIM_VU_VRING_NOFD) ? 0 : 1;
	case DEVSIM_VU_FD_REGIONS:
		return m->payload.mem.nregions;
	default:
		return 0;
	}
}

int
devsim_vu_msg_validate(const struct devsim_vu_msg *m, const char **why)
{
	const struct devsim_vu_req_info *ri;
	unsigned int i;
	int ret;

	ret = devsim_vu_hdr_validate(&m->hdr, why);
	if (ret != 0)
		return ret;
	ri = devsim_vu_req_info(m->hdr.request);

	if (m->hdr.flags & DEVSIM_VU_FLAG_REPLY) {
		if (m->hdr.size != reply_size(ri)) {
			SET_WHY(why, "reply has the wrong size");
			return -EPROTO;
		}
		if (m->nfds != 0) {
			SET_WHY(why, "reply carries file descriptors");
			return -EPROTO;
		}
		return 0;
	}

	if (m->hdr.size < ri->min_size) {
		SET_WHY(why, "payload too small for the request");
		return -EPROTO;
	}
	ret = validate_payload(m, ri, why);
	if (ret != 0)
		return ret;
	if (m->nfds != expected_fds(m, ri)) {
		SET_WHY(why, "wrong number of file descriptors");
		return -EPROTO;
	}
	for (i = 0; i < m->nfds; i++) {
		if (m->fds[i] < 0) {
			SET_WHY(why, "negative file descriptor");
			return -EPROTO;
		}
	}
	return 0;
}

int
devsim_vu_msg_decode(const uint8_t *buf, size_t len, const int *fds,
		     unsigned int nfds, struct devsim_vu_msg *m,
		     const char **why)
{
	int ret;

	memset(m, 0, sizeof(*m));
	if (len < DEVSIM_VU_HDR_SIZE) {
		SET_WHY(why, "truncated header");
		return -EPROTO;
	}
	ret = devsim_vu_hdr_decode(buf, &m->hdr, why);
	if (ret != 0)
		return ret;
	/* hdr_decode bounded size by the row, so the copy below fits. */
	if (len - DEVSIM_VU_HDR_SIZE != m->hdr.size) {
		SET_WHY(why, "length does not match header size");
		return -EPROTO;
	}
	if (nfds > DEVSIM_VU_FDS_MAX) {
		SET_WHY(why, "too many file descriptors");
		return -EPROTO;
	}
	memcpy(m->payload.raw, buf + DEVSIM_VU_HDR_SIZE, m->hdr.size);
	if (nfds > 0)
		memcpy(m->fds, fds, nfds * sizeof(fds[0]));
	m->nfds = nfds;
	return devsim_vu_msg_validate(m, why);
}

int
devsim_vu_msg_encode(const struct devsim_vu_msg *m, uint8_t *buf, size_t len)
{
	size_t total;

	if (m->nfds > DEVSIM_VU_FDS_MAX ||
	    devsim_vu_msg_validate(m, NULL) != 0)
		return -EINVAL;
	total = DEVSIM_VU_HDR_SIZE + m->hdr.size;
	if (len < total)
		return -ENOBUFS;
	memcpy(buf, &m->hdr, DEVSIM_VU_HDR_SIZE);
	memcpy(buf + DEVSIM_VU_HDR_SIZE, m->payload.raw, m->hdr.size);
	return (int)total;
}

bool
devsim_vu_msg_expects_reply(const struct devsim_vu_hdr *req)
{
	const struct devsim_vu_req_info *ri = devsim_vu_req_info(req->request);

	if (ri == NULL)
		return false;
	return ri->reply == DEVSIM_VU_REPLY_PAYLOAD ||
	       (req->flags & DEVSIM_VU_FLAG_NEED_REPLY) != 0;
}

int
devsim_vu_msg_is_reply_for(const struct devsim_vu_msg *reply,
			   const struct devsim_vu_hdr *req, const char **why)
{
	if (!devsim_vu_msg_expects_reply(req)) {
		SET_WHY(why, "no reply expected");
		return -EPROTO;
	}
	if (reply->hdr.request != req->request) {
		SET_WHY(why, "reply to another request");
		return -EPROTO;
	}
	if (!(reply->hdr.flags & DEVSIM_VU_FLAG_REPLY)) {
		SET_WHY(why, "REPLY flag missing");
		return -EPROTO;
	}
	/* The row's reply size and the fd rule are checked here. */
	return devsim_vu_msg_validate(reply, why);
}
