/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 *
 * vc_seqcheck: end-to-end content check of a virtio frontend.
 *
 * Port 0 (the frontend under test, created by --vdev on the EAL command
 * line) sends sequence-numbered frames to a vhost backend that sends back
 * exactly what it receives (dpdk-testpmd --forward-mode=io).  Every byte of
 * every returned frame is checked against what was sent.  At most --window
 * frames are in flight, so nothing has a reason to be dropped: a loss is a
 * bug.  With --cycles the port is stopped and started again between passes,
 * and the mempool's in-use count must be back at its baseline after every
 * stop (the driver returned every mbuf its rings held).  The port's own
 * rte_eth_stats must match what was sent and received.
 *
 * Exit status: 0 when every check passed, 1 on any error.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define SEQ_ETHER_TYPE 0x88b5	/* IEEE 802 local experimental */
#define SEQ_HDR_LEN (RTE_ETHER_HDR_LEN + 8)	/* + 64-bit sequence number */
#define SEQ_MIN_SIZE 64
#define SEQ_MAX_SIZE 9000
#define SEQ_BURST 32
#define SEQ_NB_MBUFS 8191
#define SEQ_RING_SIZE 256

struct seq_opts {
	uint64_t count;
	uint32_t size;
	uint32_t window;
	uint32_t cycles;
	uint32_t timeout_s;
	uint16_t ring_size;
	bool pool_stable;	/* baseline taken after the first stop */
	bool offloads;		/* request every checksum/TSO/LRO offload offered */
};

struct seq_result {
	uint64_t sent;
	uint64_t received;
	uint64_t mismatched;	/* length, layout or content differs */
	uint64_t unknown;	/* sequence number never sent */
	uint64_t duplicates;
	uint64_t reordered;
	uint64_t lost;
};

static volatile bool force_quit;

static void
signal_handler(int signum)
{
	(void)signum;
	force_quit = true;
}

/* Payload byte at offset off (from the frame start) of frame seq: a
 * function of both, so that a byte from another frame or another offset
 * is caught. */
static inline uint8_t
seq_byte(uint64_t seq, uint32_t off)
{
	uint64_t x = seq * 0x9e3779b97f4a7c15ULL + off * 0x2545f491ULL;

	return (uint8_t)(x >> 56) ^ (uint8_t)(x >> 24) ^ (uint8_t)off;
}

/* The expected byte at frame offset off of frame seq. */
static inline uint8_t
seq_expected(uint64_t seq, uint32_t off)
{
	/* dst 02:76:63:00:00:02, src ...:01 (locally administered) */
	static const uint8_t hdr[RTE_ETHER_HDR_LEN] = {
		0x02, 0x76, 0x63, 0x00, 0x00, 0x02,
		0x02, 0x76, 0x63, 0x00, 0x00, 0x01,
		SEQ_ETHER_TYPE >> 8, SEQ_ETHER_TYPE & 0xff,
	};

	if (off < RTE_ETHER_HDR_LEN)
		return hdr[off];
	if (off < SEQ_HDR_LEN)
		return (uint8_t)(seq >> (8 * (off - RTE_ETHER_HDR_LEN)));
	return seq_byte(seq, off);
}

/* Builds frame seq of opts->size bytes, chaining mbufs when the frame is
 * larger than one mbuf's data room. */
static struct rte_mbuf *
seq_build(struct rte_mempool *mp, uint64_t seq, uint32_t size)
{
	struct rte_mbuf *head, *seg, *prev = NULL;
	uint32_t off = 0;

	head = rte_pktmbuf_alloc(mp);
	if (head == NULL)
		return NULL;
	seg = head;
	for (;;) {
		uint32_t room = rte_pktmbuf_tailroom(seg);
		uint32_t len = RTE_MIN(room, size - off);
		uint8_t *p = rte_pktmbuf_mtod(seg, uint8_t *);
		uint32_t i;

		for (i = 0; i < len; i++)
			p[i] = seq_expected(seq, off + i);
		seg->data_len = len;
		off += len;
		if (prev != NULL) {
			prev->next = seg;
			head->nb_segs++;
		}
		if (off == size)
			break;
		prev = seg;
		seg = rte_pktmbuf_alloc(mp);
		if (seg == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
	}
	head->pkt_len = size;
	return head;
}

/* Checks one returned frame; returns its sequence number, or UINT64_MAX
 * when the frame is malformed (counted as a mismatch). */
static uint64_t
seq_check(const struct rte_mbuf *m, const struct seq_opts *o, uint64_t sent)
{
	const struct rte_mbuf *seg;
	uint8_t hdr[SEQ_HDR_LEN];
	const uint8_t *h;
	uint64_t seq = 0;
	uint32_t off = 0, segs = 0, i;

	if (m->pkt_len != o->size)
		return UINT64_MAX;
	h = rte_pktmbuf_read(m, 0, SEQ_HDR_LEN, hdr);
	if (h == NULL)
		return UINT64_MAX;
	for (i = 0; i < 8; i++)
		seq |= (uint64_t)h[RTE_ETHER_HDR_LEN + i] << (8 * i);
	if (seq >= sent)
		return UINT64_MAX - 1;
	for (seg = m; seg != NULL; seg = seg->next) {
		const uint8_t *p = rte_pktmbuf_mtod(seg, const uint8_t *);

		if (++segs > m->nb_segs || off + seg->data_len > o->size)
			return UINT64_MAX;
		for (i = 0; i < seg->data_len; i++)
			if (p[i] != seq_expected(seq, off + i))
				return UINT64_MAX;
		off += seg->data_len;
	}
	if (off != o->size || segs != m->nb_segs)
		return UINT64_MAX;
	return seq;
}

static bool
seq_wait_link(uint16_t port, uint32_t timeout_s)
{
	uint64_t deadline = rte_get_timer_cycles() + timeout_s * rte_get_timer_hz();
	struct rte_eth_link link;

	while (!force_quit && rte_get_timer_cycles() < deadline) {
		memset(&link, 0, sizeof(link));
		if (rte_eth_link_get_nowait(port, &link) == 0 &&
		    link.link_status == RTE_ETH_LINK_UP)
			return true;
		rte_delay_ms(10);
	}
	return false;
}

/* One pass: sends o->count frames, numbered from base, keeping at most
 * o->window in flight, and checks what comes back. */
static void
seq_pass(uint16_t port, struct rte_mempool *mp, const struct seq_opts *o,
	 uint8_t *seen, struct seq_result *r)
{
	uint64_t hz = rte_get_timer_hz();
	uint64_t last_progress = rte_get_timer_cycles();
	uint64_t next = 0, done = 0, expect = 0, lost, s;
	struct rte_mbuf *tx[SEQ_BURST], *rx[SEQ_BURST];
	uint16_t nb_tx = 0, i, n;

	memset(seen, 0, o->count);
	while (!force_quit && done < o->count) {
		/* Fill the window: next counts frames built, those the driver
		 * did not accept yet wait in tx[], so next - done are in
		 * flight or about to be. */
		while (nb_tx < SEQ_BURST && next < o->count &&
		       next - done < o->window) {
			tx[nb_tx] = seq_build(mp, next, o->size);
			if (tx[nb_tx] == NULL)
				break;
			nb_tx++;
			next++;
		}
		if (nb_tx > 0) {
			n = rte_eth_tx_burst(port, 0, tx, nb_tx);
			r->sent += n;
			if (n > 0)
				last_progress = rte_get_timer_cycles();
			if (n < nb_tx)
				memmove(tx, tx + n, (nb_tx - n) * sizeof(tx[0]));
			nb_tx -= n;
		}
		n = rte_eth_rx_burst(port, 0, rx, SEQ_BURST);
		for (i = 0; i < n; i++) {
			uint64_t seq = seq_check(rx[i], o, next - nb_tx);

			r->received++;
			if (seq == UINT64_MAX) {
				r->mismatched++;
				done++;
			} else if (seq == UINT64_MAX - 1) {
				r->unknown++;
				done++;
			} else if (seen[seq]) {
				r->duplicates++;
			} else {
				seen[seq] = 1;
				if (seq != expect)
					r->reordered++;
				expect = seq + 1;
				done++;
			}
			rte_pktmbuf_free(rx[i]);
		}
		if (n > 0)
			last_progress = rte_get_timer_cycles();
		else if (rte_get_timer_cycles() - last_progress > o->timeout_s * hz)
			break;
	}
	for (i = 0; i < nb_tx; i++)
		rte_pktmbuf_free(tx[i]);
	/* Frames sent and never seen back.  Malformed frames were counted
	 * already and their number is unknown, so they show up unseen: do
	 * not count them twice. */
	lost = 0;
	for (s = 0; s < next - nb_tx; s++)
		lost += !seen[s];
	lost -= RTE_MIN(lost, r->mismatched + r->unknown);
	r->lost += lost;
	if (next - nb_tx < o->count && !force_quit)
		fprintf(stderr, "vc_seqcheck: only %" PRIu64 " of %" PRIu64
			" frames could be sent\n", next - nb_tx, o->count);
}

static int
seq_port_setup(uint16_t port, struct rte_mempool *mp, const struct seq_opts *o)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct rte_eth_rxconf rxconf;
	struct rte_eth_txconf txconf;
	uint32_t buf = rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM;
	uint16_t nb_rxd = o->ring_size, nb_txd = o->ring_size;
	int ret;

	ret = rte_eth_dev_info_get(port, &info);
	if (ret != 0)
		return ret;
	memset(&conf, 0, sizeof(conf));
	if (o->size - RTE_ETHER_HDR_LEN > RTE_ETHER_MTU)
		conf.rxmode.mtu = o->size - RTE_ETHER_HDR_LEN;
	if (o->offloads) {
		/* Negotiated but unused by these non-IP frames: the datapath
		 * must carry them unchanged all the same. */
		conf.rxmode.offloads |= info.rx_offload_capa &
			(RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM |
			 RTE_ETH_RX_OFFLOAD_TCP_LRO);
		conf.txmode.offloads |= info.tx_offload_capa &
			(RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM |
			 RTE_ETH_TX_OFFLOAD_TCP_TSO);
	}
	if (o->size > buf) {
		/* Frames larger than one mbuf: chained on TX, scattered
		 * into chained mbufs on RX. */
		if (!(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER) ||
		    !(info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)) {
			fprintf(stderr, "vc_seqcheck: port %u cannot do %u-byte frames with %u-byte mbufs (rx scatter %s, tx multi-seg %s)\n",
				port, o->size, buf,
				info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER ? "yes" : "no",
				info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS ? "yes" : "no");
			return -ENOTSUP;
		}
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	}
	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret != 0) {
		fprintf(stderr, "vc_seqcheck: rte_eth_dev_configure: %s\n", strerror(-ret));
		return ret;
	}
	/* Within the driver's descriptor limits (virtio: the queue size). */
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
	if (ret != 0) {
		fprintf(stderr, "vc_seqcheck: rte_eth_dev_adjust_nb_rx_tx_desc: %s\n", strerror(-ret));
		return ret;
	}
	rxconf = info.default_rxconf;
	rxconf.offloads = conf.rxmode.offloads;
	txconf = info.default_txconf;
	txconf.offloads = conf.txmode.offloads;
	ret = rte_eth_rx_queue_setup(port, 0, nb_rxd, rte_eth_dev_socket_id(port),
				     &rxconf, mp);
	if (ret != 0) {
		fprintf(stderr, "vc_seqcheck: rte_eth_rx_queue_setup(%u descriptors): %s\n",
			nb_rxd, strerror(-ret));
		return ret;
	}
	ret = rte_eth_tx_queue_setup(port, 0, nb_txd, rte_eth_dev_socket_id(port), &txconf);
	if (ret != 0)
		fprintf(stderr, "vc_seqcheck: rte_eth_tx_queue_setup(%u descriptors): %s\n",
			nb_txd, strerror(-ret));
	return ret;
}

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s EAL-ARGS -- [--count N] [--size BYTES] [--window W]\n"
		"       [--cycles C] [--timeout S] [--ring-size R]\n"
		"  --count N      frames per pass (default 10000)\n"
		"  --size BYTES   frame size, %d..%d (default 64)\n"
		"  --window W     frames in flight at most (default 32)\n"
		"  --cycles C     passes, each with port start/stop (default 1)\n"
		"  --timeout S    seconds without progress before frames count as lost (default 5)\n"
		"  --ring-size R  descriptors per queue (default %d)\n"
		"  --offloads     request the checksum, TSO and LRO offloads the port offers\n"
		"  --pool-check strict|stable\n"
		"                 strict (default): mempool in use after every stop equals\n"
		"                 the count before the first start (rings hold no mbufs);\n"
		"                 stable: equals the count after the first stop (no leak,\n"
		"                 for drivers that keep their RX ring filled while stopped)\n",
		prog, SEQ_MIN_SIZE, SEQ_MAX_SIZE, SEQ_RING_SIZE);
}

static int
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || *s == '-' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
parse_args(int argc, char **argv, struct seq_opts *o)
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' },
		{ "window", required_argument, NULL, 'w' },
		{ "cycles", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "ring-size", required_argument, NULL, 'r' },
		{ "pool-check", required_argument, NULL, 'p' },
		{ "offloads", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_u64(optarg, 1, 100000000, &v))
				return -EINVAL;
			o->count = v;
			break;
		case 's':
			if (parse_u64(optarg, SEQ_MIN_SIZE, SEQ_MAX_SIZE, &v))
				return -EINVAL;
			o->size = v;
			break;
		case 'w':
			if (parse_u64(optarg, 1, 4096, &v))
				return -EINVAL;
			o->window = v;
			break;
		case 'c':
			if (parse_u64(optarg, 1, 100000, &v))
				return -EINVAL;
			o->cycles = v;
			break;
		case 't':
			if (parse_u64(optarg, 1, 3600, &v))
				return -EINVAL;
			o->timeout_s = v;
			break;
		case 'r':
			if (parse_u64(optarg, 64, 4096, &v))
				return -EINVAL;
			o->ring_size = v;
			break;
		case 'o':
			o->offloads = true;
			break;
		case 'p':
			if (strcmp(optarg, "strict") == 0)
				o->pool_stable = false;
			else if (strcmp(optarg, "stable") == 0)
				o->pool_stable = true;
			else
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
	}
	return optind == argc ? 0 : -EINVAL;
}

/* Compares the port's counters for one pass against what the pass did. */
static uint64_t
check_stats(uint16_t port, const struct rte_eth_stats *before,
	    const struct seq_result *r0, const struct seq_result *r, uint32_t size)
{
	struct rte_eth_stats now;
	uint64_t sent = r->sent - r0->sent, rcvd = r->received - r0->received;
	uint64_t errors = 0;

	if (rte_eth_stats_get(port, &now) != 0) {
		fprintf(stderr, "vc_seqcheck: rte_eth_stats_get failed\n");
		return 1;
	}
#define SEQ_STAT(field, want) do { \
	uint64_t got_ = now.field - before->field; \
	if (got_ != (want)) { \
		fprintf(stderr, "vc_seqcheck: stats " #field " %" PRIu64 \
			", expected %" PRIu64 "\n", got_, (uint64_t)(want)); \
		errors++; \
	} \
} while (0)
	SEQ_STAT(opackets, sent);
	SEQ_STAT(ipackets, rcvd);
	SEQ_STAT(obytes, sent * size);
	SEQ_STAT(ibytes, rcvd * size);
	SEQ_STAT(oerrors, 0);
	SEQ_STAT(ierrors, 0);
	SEQ_STAT(imissed, 0);
	SEQ_STAT(rx_nombuf, 0);
#undef SEQ_STAT
	return errors;
}

int
main(int argc, char **argv)
{
	struct seq_opts o = {
		.count = 10000, .size = 64, .window = 32, .cycles = 1,
		.timeout_s = 5, .ring_size = SEQ_RING_SIZE,
	};
	struct seq_result r = { 0 };
	struct rte_mempool *mp;
	struct rte_eth_stats before;
	uint64_t stat_errors = 0, pool_errors = 0, start_errors = 0;
	unsigned int baseline, in_use;
	uint16_t port = 0;
	uint8_t *seen;
	uint32_t c;
	bool ok;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "vc_seqcheck: EAL initialisation failed\n");
		return 1;
	}
	argc -= ret;
	argv += ret;	/* argv[0] is now "--" or the program name */
	if (parse_args(argc, argv, &o) != 0) {
		usage("vc_seqcheck");
		rte_eal_cleanup();
		return 1;
	}
	signal(SIGINT, signal_handler);
	signal(SIGTERM, signal_handler);

	if (rte_eth_dev_count_avail() < 1) {
		fprintf(stderr, "vc_seqcheck: no port (give the frontend with --vdev)\n");
		ret = 1;
		goto out_eal;
	}
	mp = rte_pktmbuf_pool_create("vc_seqcheck", SEQ_NB_MBUFS, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (mp == NULL) {
		fprintf(stderr, "vc_seqcheck: mbuf pool: %s\n", rte_strerror(rte_errno));
		ret = 1;
		goto out_eal;
	}
	seen = calloc(o.count, 1);
	if (seen == NULL) {
		ret = 1;
		goto out_pool;
	}
	ret = seq_port_setup(port, mp, &o);
	if (ret != 0) {
		fprintf(stderr, "vc_seqcheck: port %u set-up failed: %s\n", port, strerror(-ret));
		ret = 1;
		goto out_seen;
	}
	/* In use before the first start: whatever queue set-up took.  After
	 * every stop the driver must have given back what its rings held. */
	baseline = rte_mempool_in_use_count(mp);
	printf("vc_seqcheck: port %u, size %u, count %" PRIu64 ", window %u, cycles %u, mempool in use before start %u (pool check: %s)\n",
	       port, o.size, o.count, o.window, o.cycles, baseline,
	       o.pool_stable ? "stable, baseline after the first stop" : "strict");

	for (c = 0; c < o.cycles && !force_quit; c++) {
		struct seq_result r0 = r;
		unsigned int running;

		ret = rte_eth_dev_start(port);
		if (ret != 0) {
			fprintf(stderr, "vc_seqcheck: cycle %u: port start: %s\n", c, strerror(-ret));
			start_errors++;
			break;
		}
		if (!seq_wait_link(port, o.timeout_s)) {
			fprintf(stderr, "vc_seqcheck: cycle %u: link did not come up within %u s\n",
				c, o.timeout_s);
			start_errors++;
			rte_eth_dev_stop(port);
			break;
		}
		if (c == 0) {
			struct rte_eth_burst_mode rx_mode, tx_mode;

			/* What "show rxq info" shows: the bursts the driver chose. */
			if (rte_eth_rx_burst_mode_get(port, 0, &rx_mode) == 0 &&
			    rte_eth_tx_burst_mode_get(port, 0, &tx_mode) == 0)
				printf("vc_seqcheck: burst mode rx='%s' tx='%s'\n",
				       rx_mode.info, tx_mode.info);
		}
		if (rte_eth_stats_get(port, &before) != 0)
			memset(&before, 0, sizeof(before));
		running = rte_mempool_in_use_count(mp);
		seq_pass(port, mp, &o, seen, &r);
		stat_errors += check_stats(port, &before, &r0, &r, o.size);
		ret = rte_eth_dev_stop(port);
		if (ret != 0) {
			fprintf(stderr, "vc_seqcheck: cycle %u: port stop: %s\n", c, strerror(-ret));
			start_errors++;
		}
		in_use = rte_mempool_in_use_count(mp);
		if (c == 0 && o.pool_stable)
			baseline = in_use;
		if (in_use != baseline)
			pool_errors++;
		printf("vc_seqcheck: cycle %u: sent %" PRIu64 " received %" PRIu64
		       " lost %" PRIu64 "; mempool in use: %u while started, %u after stop (baseline %u)%s\n",
		       c, r.sent - r0.sent, r.received - r0.received, r.lost - r0.lost,
		       running, in_use, baseline, in_use != baseline ? " MISMATCH" : "");
	}

	ok = !force_quit && c == o.cycles && r.sent == o.count * o.cycles &&
	     r.received == r.sent && r.mismatched == 0 && r.unknown == 0 &&
	     r.duplicates == 0 && r.reordered == 0 && r.lost == 0 &&
	     stat_errors == 0 && pool_errors == 0 && start_errors == 0;
	printf("vc_seqcheck: RESULT %s size=%u cycles=%u/%u sent=%" PRIu64 " received=%" PRIu64
	       " lost=%" PRIu64 " mismatched=%" PRIu64 " unknown=%" PRIu64
	       " duplicates=%" PRIu64 " reordered=%" PRIu64 " stats_errors=%" PRIu64
	       " mempool_errors=%" PRIu64 " start_stop_errors=%" PRIu64 "\n",
	       ok ? "PASS" : "FAIL", o.size, c, o.cycles, r.sent, r.received, r.lost,
	       r.mismatched, r.unknown, r.duplicates, r.reordered, stat_errors,
	       pool_errors, start_errors);
	fflush(stdout);
	ret = ok ? 0 : 1;

	rte_eth_dev_close(port);
out_seen:
	free(seen);
out_pool:
	rte_mempool_free(mp);
out_eal:
	rte_eal_cleanup();
	return ret;
}
