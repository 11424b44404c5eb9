/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef VC_MP_MSG_H
#define VC_MP_MSG_H

/*
 * The multi-process messages of vc_mp.c, as plain bytes and fd arrays (no
 * EAL): a secondary's request for a port's queue eventfds and the
 * primary's replies, one page of up to VC_MP_VQS_PER_MSG virtqueues each.
 *
 *	secondary: req = { name, first_vq = 0 };
 *	  loop: send req; vc_mp_rep_take(reply, ..., first, kick, call, n, &next);
 *	        first = next; until next == n
 *
 * The reply comes from another process: vc_mp_rep_take() checks it all
 * and takes its fds, or closes every one of them.
 */

#include <stdint.h>

#define VC_MP_NAME_LEN 64          /**< RTE_DEV_NAME_MAX_LEN */
#define VC_MP_FDS_MAX 8            /**< RTE_MP_MAX_FD_NUM */
#define VC_MP_VQS_PER_MSG (VC_MP_FDS_MAX / 2)

/** Secondary -> primary. */
struct vc_mp_req {
	char name[VC_MP_NAME_LEN];         /**< port (vdev) name */
	uint16_t first_vq;                 /**< lowest virtqueue wanted */
};

/** Primary -> secondary; fds[2i] is vq[i]'s kick, fds[2i+1] its call. */
struct vc_mp_rep {
	int32_t result;                    /**< 0 or a negative errno */
	uint16_t count;                    /**< entries in vq[] */
	uint16_t more;                     /**< 1: ask again after vq[count-1] */
	uint16_t vq[VC_MP_VQS_PER_MSG];    /**< ascending virtqueue indices */
};

/**
 * Take one reply: @param/@len its payload, @fds/@nfds the fds it brought
 * (now this process's).  On success every fd moves to @kick/@call (tables
 * of @nb_vq entries, -1 = none) and *next is the virtqueue to ask for
 * next, @nb_vq after the last page.  On any error every fd in @fds is
 * closed and the tables are unchanged.
 * @return 0; the primary's negative errno (-EAGAIN: port not started,
 * -ENODEV: no such port); -EPROTO for a malformed reply: wrong size, fd
 * count not twice the entries, indices not ascending from @first, out of
 * range or already held, "more" with no entry.
 */
int vc_mp_rep_take(const void *param, int len, const int *fds, int nfds,
		   uint16_t first, int *kick, int *call, uint16_t nb_vq,
		   uint16_t *next);

#endif /* VC_MP_MSG_H */
