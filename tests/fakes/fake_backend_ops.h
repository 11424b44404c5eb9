/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef FAKE_BACKEND_OPS_H
#define FAKE_BACKEND_OPS_H

/*
 * A struct devsim_backend_ops implementation that records every call, for
 * unit tests of the device model without sockets.
 *
 * Recipe:
 *   struct fake_backend fb;
 *   fake_backend_init(&fb);
 *   fb.fail[FAKE_VRING_START] = -EIO;          // make an op fail
 *   devsim_net_dev_create_with_backend(bus, &cfg, &fake_backend_ops,
 *                                      fake_backend_be(&fb), &fb.info, &dev);
 *   ... fb.calls[i].op, fb.ncalls ...
 *
 * The struct lives in the test; close() only marks it closed.
 */

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"

enum fake_op {
	FAKE_SET_FEATURES,
	FAKE_SET_MEM_TABLE,
	FAKE_VRING_START,
	FAKE_VRING_STOP,
	FAKE_SET_STATUS,
	FAKE_EVENT_FD,
	FAKE_HANDLE_EVENT,
	FAKE_CLOSE,
	FAKE_VRING_ENABLE,
	FAKE_OP_MAX,
};

#define FAKE_CALLS_MAX 256
#define FAKE_REGIONS_MAX 8

struct fake_call {
	enum fake_op op;
	unsigned int idx;               /**< vring index */
	uint64_t value;                 /**< features / status / enable */
	struct devsim_vring_cfg vring;  /**< vring_start */
	unsigned int nregions;          /**< set_mem_table */
	struct devsim_mem_region regions[FAKE_REGIONS_MAX];
};

struct fake_backend {
	struct devsim_backend_info info;  /**< what the fake offers */
	int fail[FAKE_OP_MAX];            /**< returned by that op (0: ok) */
	int fail_vring_idx;               /**< -1: vring ops fail for any idx */
	int event_fd;                     /**< returned by event_fd() */
	uint32_t stop_base;               /**< returned by vring_stop() */
	bool closed;
	unsigned int ncalls;
	struct fake_call calls[FAKE_CALLS_MAX];
};

/** Offers VERSION_1 + MRG_RXBUF + CSUM + MQ + EVENT_IDX, 4 vrings, 8 regions. */
void fake_backend_init(struct fake_backend *fb);

/** The opaque handle the device model is given. */
struct devsim_backend *fake_backend_be(struct fake_backend *fb);

/** Forget the recorded calls. */
void fake_backend_clear(struct fake_backend *fb);

/** Number of recorded calls of @op. */
unsigned int fake_backend_count(const struct fake_backend *fb, enum fake_op op);

/** Index of the first recorded call of @op at or after @from, or -1. */
int fake_backend_find(const struct fake_backend *fb, enum fake_op op,
		      unsigned int from);

extern const struct devsim_backend_ops fake_backend_ops;

#endif /* FAKE_BACKEND_OPS_H */
