/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
/*
 * vu_hostile's two halves: the protocol side (vu_hostile.c: replies,
 * requests, main loop) and the ring side (vu_hostile_ring.c: the memory
 * table and the bad used entries it writes).
 */
#ifndef VU_HOSTILE_H
#define VU_HOSTILE_H

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include "vu_conn.h"
#include "vu_msg.h"

#define BIT(n) (1ull << (n))
#define HOSTILE_VRINGS 2u          /* one queue pair, no MQ */
#define HOSTILE_RING_MAX 32768u
#define HOSTILE_POLL_MS 20
#define IDLE_MS 300                /* unsolicited-idle: quiet this long first */

enum mode {
	M_WRONG_REQUEST,
	M_OVERSIZE,
	M_TRUNCATED,
	M_BAD_FDS,
	M_UNSOLICITED,
	M_UNSOLICITED_IDLE,
	M_USED_ID_RANGE,
	M_USED_ID_STALE,
	M_USED_LEN,
	M_USED_IDX_JUMP,
	M_PACKED_WRAP,
	M_PACKED_ID_RANGE,
	M_COUNT,
};

struct region {
	uint64_t gpa, size;
	uint8_t *va;       /* where gpa lands in our mapping */
	void *map;         /* mmap()ed base, NULL when unused */
	size_t map_len;
};

struct hvring {
	uint32_t num;      /* 0: not set */
	uint32_t base;
	bool has_addr, enabled;
	uint64_t desc, avail, used;
	int kick, call;    /* owned, -1 when none */
};

struct hostile {
	enum mode mode;
	uint32_t at;       /* request whose reply is malformed */
	struct devsim_vu_conn conn;
	uint64_t features;           /* negotiated by SET_FEATURES */
	uint64_t protocol_features;
	uint64_t status;
	struct region regions[DEVSIM_VU_MEM_REGIONS_MAX];
	unsigned int nregions;
	struct hvring vr[HOSTILE_VRINGS];
	bool done;                   /* the misbehaviour happened */
	uint32_t last_req;           /* last request served */
	int64_t last_req_ms;         /* when (CLOCK_MONOTONIC) */
};


/* vu_hostile.c */
extern const char *const mode_names[M_COUNT];
/** Reply to @request with the u64 @val; 0 or -errno. */
int reply_u64(struct hostile *h, uint32_t request, uint64_t val);
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int64_t now_ms(void);
bool is_ring_mode(enum mode m);
bool is_packed_mode(enum mode m);
uint64_t offered_features(const struct hostile *h);

/* vu_hostile_ring.c */
/** Unmap every region of the memory table. */
void regions_unmap(struct hostile *h);
/** Map the regions of SET_MEM_TABLE @m (takes its fds); 0 or -errno. */
int regions_map(struct hostile *h, struct devsim_vu_msg *m);
/** In a ring mode, write the bad used entry once the ring allows it;
 * 0, or -1 on a local error. */
int maybe_misbehave(struct hostile *h);

#endif /* VU_HOSTILE_H */
