/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/* Checking the primary's replies (vc_mp_msg.h); no DPDK. */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "vc_mp_msg.h"

static void
close_all(const int *fds, int nfds)
{
	int i;

	for (i = 0; i < nfds && i < VC_MP_FDS_MAX; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

int
vc_mp_rep_take(const void *param, int len, const int *fds, int nfds,
	       uint16_t first, int *kick, int *call, uint16_t nb_vq,
	       uint16_t *next)
{
	struct vc_mp_rep rep;
	uint32_t prev = first;
	uint16_t i;
	int ret;

	if (nfds < 0 || nfds > VC_MP_FDS_MAX || len != (int)sizeof(rep)) {
		ret = -EPROTO;
		goto err_close;
	}
	memcpy(&rep, param, sizeof(rep));
	if (rep.result < 0) {
		/* An errno, not something to pass on as is. */
		ret = rep.result >= -4095 ? rep.result : -EPROTO;
		goto err_close;
	}
	if (rep.result != 0 || rep.count > VC_MP_VQS_PER_MSG ||
	    nfds != 2 * rep.count || (rep.more && rep.count == 0)) {
		ret = -EPROTO;
		goto err_close;
	}
	/* Ascending from @first and free: each fd gets one home, and the
	 * next request moves on. */
	for (i = 0; i < rep.count; i++) {
		if (rep.vq[i] < prev || rep.vq[i] >= nb_vq ||
		    kick[rep.vq[i]] >= 0 || call[rep.vq[i]] >= 0 ||
		    fds[2 * i] < 0 || fds[2 * i + 1] < 0) {
			ret = -EPROTO;
			goto err_close;
		}
		prev = rep.vq[i] + 1u;
	}
	for (i = 0; i < rep.count; i++) {
		kick[rep.vq[i]] = fds[2 * i];
		call[rep.vq[i]] = fds[2 * i + 1];
	}
	*next = rep.more ? (uint16_t)prev : nb_vq;
	return 0;

err_close:
	close_all(fds, nfds);
	return ret;
}
