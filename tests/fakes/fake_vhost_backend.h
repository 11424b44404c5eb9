/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef FAKE_VHOST_BACKEND_H
#define FAKE_VHOST_BACKEND_H

/*
 * A minimal vhost-user backend for tests: one thread serving one end of a
 * socketpair() (or a given connected socket).  It records every message it
 * receives, answers GET_* with configured values and NEED_REPLY with an ack,
 * and can be told to misbehave on one chosen request.
 *
 * Recipe:
 *   struct fake_vhost_cfg cfg = { .features = ..., .protocol_features = ... };
 *   int fd;
 *   struct fake_vhost *f = fake_vhost_start(&cfg, &fd);  // fd: frontend end
 *   ... drive the frontend over fd ...
 *   ... close the frontend ...
 *   fake_vhost_stop(f);   // joins; records stay readable until free
 *   fake_vhost_rec(f, 0)->request ...
 *   fake_vhost_free(f);
 *
 * Records are only stable after fake_vhost_stop() or fake_vhost_wait().
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "wire/vhost_user_proto.h"

enum fake_vhost_fault {
	FAKE_VHOST_OK = 0,
	FAKE_VHOST_WRONG_REQUEST, /**< reply names another request */
	FAKE_VHOST_NO_REPLY_FLAG, /**< reply lacks the REPLY flag */
	FAKE_VHOST_WRONG_SIZE,    /**< reply payload 4 bytes short */
	FAKE_VHOST_EXTRA_FD,      /**< reply carries an fd */
	FAKE_VHOST_NACK,          /**< ack with 1 (only under NEED_REPLY) */
	FAKE_VHOST_CLOSE,         /**< shut the socket down instead of replying */
	FAKE_VHOST_SILENT,        /**< never reply */
};

struct fake_vhost_cfg {
	uint64_t features;          /**< GET_FEATURES */
	uint64_t protocol_features; /**< GET_PROTOCOL_FEATURES */
	uint64_t queue_num;         /**< GET_QUEUE_NUM */
	uint64_t max_mem_slots;     /**< GET_MAX_MEM_SLOTS */
	uint32_t vring_base;        /**< num of GET_VRING_BASE replies */
	uint32_t fault_request;     /**< request that misbehaves; 0: none */
	enum fake_vhost_fault fault;
	/**
	 * > 0: write every reply in pieces of this many bytes, each only
	 * after the peer has read the previous one, forcing short reads.
	 */
	size_t write_chunk;
	/** Status bits the fake refuses to keep (GET_STATUS leaves them out). */
	uint8_t status_refuse;
};

#define FAKE_VHOST_RECS_MAX 64

/** One received message. */
struct fake_vhost_rec {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
	uint8_t payload[DEVSIM_VU_PAYLOAD_MAX];
	unsigned int nfds;
	int fd_num[DEVSIM_VU_FDS_MAX];  /**< fd numbers as received (closed) */
	dev_t fd_dev[DEVSIM_VU_FDS_MAX];/**< fstat() of each fd on arrival */
	ino_t fd_ino[DEVSIM_VU_FDS_MAX];
};

struct fake_vhost;

/**
 * Create a socketpair, serve one end in a thread.
 * @param peer_fd  gets the other end (owned by the caller)
 * @return the fake, or NULL.
 */
struct fake_vhost *fake_vhost_start(const struct fake_vhost_cfg *cfg,
				    int *peer_fd);

/** Serve the connected socket @fd (owned by the fake from now on). */
struct fake_vhost *fake_vhost_start_fd(const struct fake_vhost_cfg *cfg,
				       int fd);

/** Write raw bytes to the frontend (e.g. an unsolicited message). */
int fake_vhost_inject(struct fake_vhost *f, const void *buf, size_t len);

/** Wait until at least @n messages were recorded (bounded: 10 s). */
int fake_vhost_wait(struct fake_vhost *f, unsigned int n);

/** Shut the socket down, join the thread.  Idempotent. */
void fake_vhost_stop(struct fake_vhost *f);

/** Stop (if needed), close everything, free. */
void fake_vhost_free(struct fake_vhost *f);

/** Messages recorded so far. */
unsigned int fake_vhost_count(struct fake_vhost *f);
/** Record @i (NULL past the end); stable once the fake is stopped. */
const struct fake_vhost_rec *fake_vhost_rec(struct fake_vhost *f,
					    unsigned int i);
/** Messages from the frontend that failed codec validation. */
unsigned int fake_vhost_invalid(struct fake_vhost *f);
/** Status byte last set with SET_STATUS. */
uint8_t fake_vhost_status(struct fake_vhost *f);

#endif /* FAKE_VHOST_BACKEND_H */
