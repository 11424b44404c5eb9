/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * vc_sleepy_fwd: a forwarding application that sleeps when it has nothing
 * to do, in the manner of DPDK's l3fwd-power.  Each worker lcore owns RX
 * and TX queue i (i = its worker index) of every port and polls its RX
 * queues; after --idle-polls empty rounds (0: after every round) it
 * enables RX interrupts on them and sleeps in rte_epoll_wait() on their
 * interrupt eventfds, and when traffic wakes it up it disables the
 * interrupts and polls again.
 *
 * Forwarding: with an even number of ports, port 2k <-> 2k+1 (like
 * l2fwd); otherwise every port echoes back what it receives.  In mac mode
 * (the default) the source and destination MAC addresses are swapped.
 * The main lcore prints per-port rates every --stats-period seconds and
 * the totals at exit; SIGINT or SIGTERM stops and closes every port.
 *
 *   dpdk-testpmd --no-huge -m 512 --no-pci --vdev net_vhost0,iface=/run/vh.sock -- -i
 *   vc_sleepy_fwd --no-huge -m 512 --no-pci -l 0,1 \
 *       --vdev net_virtio_container0,path=/run/vh.sock -- --idle-polls 1000
 *
 * The driver is linked in (no -d needed); any ethdev whose PMD implements
 * rx_queue_intr_enable and rx_intr_ctl works as well.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_epoll.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_interrupts.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include "fwd_mac_swap.h"

#define BURST 32
#define NB_RXD 512
#define NB_TXD 512
#define MAX_PORTS 16
#define MAX_WORKERS 16
#define QUIT_TAG ((void *)(uintptr_t)-1)

struct port_counters {
	uint64_t rx, tx, drop;
};

/* Written by one worker, read (approximately) by the main lcore. */
struct worker {
	unsigned int lcore;
	uint16_t queue;
	struct port_counters port[MAX_PORTS];
	uint64_t sleeps;	/* rte_epoll_wait calls */
	uint64_t irq_wakeups;	/* woken by an RX interrupt */
	uint64_t timeouts;	/* woken by the timeout */
	bool intr_ok;		/* every queue registered for interrupts */
	bool intr_tried;	/* registration was attempted */
	struct rte_epoll_event quit_ev;	/* quit_fd in this lcore's epoll set */
} __rte_cache_aligned;

static struct {
	unsigned int idle_polls;
	int sleep_timeout_ms;
	unsigned int stats_period;
	bool macswap;
} opt = {
	.idle_polls = 1000,
	.sleep_timeout_ms = -1,
	.stats_period = 1,
	.macswap = true,
};

static uint16_t nb_ports;
static uint16_t ports[MAX_PORTS];
static uint16_t peer[MAX_PORTS];	/* TX port index of each RX port index */
static struct worker workers[MAX_WORKERS];
static unsigned int nb_workers;
static volatile bool force_quit;
static int quit_fd = -1;

static void
on_signal(int sig)
{
	uint64_t one = 1;
	ssize_t rc;

	(void)sig;
	force_quit = true;
	/* Wakes every sleeping worker: write() is async-signal-safe. */
	rc = write(quit_fd, &one, sizeof(one));
	(void)rc;
}

static void
usage(const char *prog)
{
	printf("usage: %s [EAL options] -- [--idle-polls N] [--sleep-timeout-ms MS]\n"
	       "       [--stats-period S] [--fwd mac|io]\n"
	       "  --idle-polls N        empty polling rounds before sleeping (default 1000;\n"
	       "                        0: sleep after every round, even one with packets)\n"
	       "  --sleep-timeout-ms MS longest sleep, -1 = until woken (default -1)\n"
	       "  --stats-period S      print rates every S seconds, 0 = never (default 1)\n"
	       "  --fwd mac|io          swap MAC addresses or not (default mac)\n",
	       prog);
}

static int
parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "idle-polls", required_argument, NULL, 'i' },
		{ "sleep-timeout-ms", required_argument, NULL, 't' },
		{ "stats-period", required_argument, NULL, 's' },
		{ "fwd", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long v;
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'i':
		case 't':
		case 's':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < (c == 't' ? -1 : 0) ||
			    v > INT32_MAX) {
				fprintf(stderr, "bad value '%s'\n", optarg);
				return -EINVAL;
			}
			if (c == 'i')
				opt.idle_polls = (unsigned int)v;
			else if (c == 't')
				opt.sleep_timeout_ms = (int)v;
			else
				opt.stats_period = (unsigned int)v;
			break;
		case 'f':
			if (strcmp(optarg, "mac") == 0)
				opt.macswap = true;
			else if (strcmp(optarg, "io") == 0)
				opt.macswap = false;
			else
				return -EINVAL;
			break;
		default:
			usage(argv[0]);
			return -EINVAL;
		}
	}
	return 0;
}

static int
port_init(uint16_t port, uint16_t nq, struct rte_mempool *mp)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	uint16_t q, rxd = NB_RXD, txd = NB_TXD;
	int ret;

	ret = rte_eth_dev_info_get(port, &info);
	if (ret != 0)
		return ret;
	if (nq > info.max_rx_queues || nq > info.max_tx_queues) {
		fprintf(stderr, "port %u: %u queues wanted, %u/%u available\n",
			port, nq, info.max_rx_queues, info.max_tx_queues);
		return -EINVAL;
	}
	conf.intr_conf.rxq = 1;
	ret = rte_eth_dev_configure(port, nq, nq, &conf);
	if (ret != 0) {
		fprintf(stderr, "port %u: configure with RX interrupts: %s\n",
			port, strerror(-ret));
		return ret;
	}
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd);
	if (ret != 0)
		return ret;
	for (q = 0; q < nq; q++) {
		ret = rte_eth_rx_queue_setup(port, q, rxd,
					     rte_eth_dev_socket_id(port), NULL, mp);
		if (ret != 0)
			return ret;
		ret = rte_eth_tx_queue_setup(port, q, txd,
					     rte_eth_dev_socket_id(port), NULL);
		if (ret != 0)
			return ret;
	}
	return rte_eth_dev_start(port);
}

/* Register this lcore's RX queues in its per-thread epoll set. */
static bool
intr_register(struct worker *w)
{
	uint16_t i;
	int ret;

	w->intr_tried = true;
	for (i = 0; i < nb_ports; i++) {
		ret = rte_eth_dev_rx_intr_ctl_q(ports[i], w->queue, RTE_EPOLL_PER_THREAD,
						RTE_INTR_EVENT_ADD,
						(void *)(uintptr_t)i);
		if (ret != 0) {
			printf("lcore %u: port %u queue %u: no RX interrupt (%s): busy polling\n",
			       w->lcore, ports[i], w->queue, strerror(-ret));
			return false;
		}
	}
	/* Level triggered and never read: once signalled, every wait returns. */
	w->quit_ev.epdata.event = EPOLLIN;
	w->quit_ev.epdata.data = QUIT_TAG;
	if (rte_epoll_ctl(RTE_EPOLL_PER_THREAD, EPOLL_CTL_ADD, quit_fd, &w->quit_ev) != 0) {
		printf("lcore %u: cannot watch the quit eventfd: busy polling\n", w->lcore);
		return false;
	}
	return true;
}

static void
sleep_until_rx(struct worker *w)
{
	struct rte_epoll_event ev[MAX_PORTS + 1];
	bool irq = false;
	uint16_t i;
	int n, k;

	for (i = 0; i < nb_ports; i++)
		rte_eth_dev_rx_intr_enable(ports[i], w->queue);
	w->sleeps++;
	if (!force_quit) {
		n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, RTE_DIM(ev),
				   opt.sleep_timeout_ms);
		for (k = 0; k < n; k++)
			if (ev[k].epdata.data != QUIT_TAG)
				irq = true;
		if (n == 0)
			w->timeouts++;
		if (irq)
			w->irq_wakeups++;
	}
	for (i = 0; i < nb_ports; i++)
		rte_eth_dev_rx_intr_disable(ports[i], w->queue);
}

static int
worker_main(void *arg)
{
	struct worker *w = arg;
	struct rte_mbuf *m[BURST];
	unsigned int idle = 0;
	uint16_t i, n, sent;

	w->intr_ok = intr_register(w);
	printf("lcore %u: queue %u of %u ports, RX interrupts %s\n", w->lcore,
	       w->queue, nb_ports, w->intr_ok ? "on" : "off");
	while (!force_quit) {
		uint32_t got = 0;

		for (i = 0; i < nb_ports; i++) {
			struct port_counters *c = &w->port[i];

			n = rte_eth_rx_burst(ports[i], w->queue, m, BURST);
			if (n == 0)
				continue;
			got += n;
			c->rx += n;
			if (opt.macswap)
				mac_swap(m, n);
			sent = rte_eth_tx_burst(ports[peer[i]], w->queue, m, n);
			w->port[peer[i]].tx += sent;
			if (sent < n) {
				w->port[peer[i]].drop += n - sent;
				rte_pktmbuf_free_bulk(&m[sent], n - sent);
			}
		}
		if (got != 0) {
			idle = 0;
			/* --idle-polls 0: sleep after every round, even one
			 * that took the last buffers of a ring. */
			if (opt.idle_polls != 0 || !w->intr_ok)
				continue;
		} else if (++idle < opt.idle_polls || !w->intr_ok) {
			rte_pause();
			continue;
		}
		sleep_until_rx(w);
		idle = 0;
	}
	return 0;
}

static void
counters_sum(uint16_t i, struct port_counters *s)
{
	unsigned int k;

	memset(s, 0, sizeof(*s));
	for (k = 0; k < nb_workers; k++) {
		s->rx += __atomic_load_n(&workers[k].port[i].rx, __ATOMIC_RELAXED);
		s->tx += __atomic_load_n(&workers[k].port[i].tx, __ATOMIC_RELAXED);
		s->drop += __atomic_load_n(&workers[k].port[i].drop, __ATOMIC_RELAXED);
	}
}

static void
stats_loop(void)
{
	struct port_counters prev[MAX_PORTS] = { 0 }, cur;
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 100 * 1000 * 1000 };
	unsigned int ticks = 0;
	uint16_t i;

	while (!force_quit) {
		nanosleep(&ts, NULL);
		if (opt.stats_period == 0 || ++ticks < opt.stats_period * 10)
			continue;
		ticks = 0;
		for (i = 0; i < nb_ports; i++) {
			counters_sum(i, &cur);
			printf("port %u: rx %" PRIu64 " pps, tx %" PRIu64 " pps, drop %" PRIu64
			       " pps\n", ports[i],
			       (cur.rx - prev[i].rx) / opt.stats_period,
			       (cur.tx - prev[i].tx) / opt.stats_period,
			       (cur.drop - prev[i].drop) / opt.stats_period);
			prev[i] = cur;
		}
	}
}

static void
print_totals(void)
{
	struct port_counters s;
	unsigned int k;
	uint16_t i;

	for (i = 0; i < nb_ports; i++) {
		counters_sum(i, &s);
		printf("total port %u: rx-packets %" PRIu64 " tx-packets %" PRIu64
		       " dropped %" PRIu64 "\n", ports[i], s.rx, s.tx, s.drop);
	}
	for (k = 0; k < nb_workers; k++)
		printf("total lcore %u: sleeps %" PRIu64 " irq-wakeups %" PRIu64
		       " timeouts %" PRIu64 "\n", workers[k].lcore, workers[k].sleeps,
		       workers[k].irq_wakeups, workers[k].timeouts);
}

int
main(int argc, char **argv)
{
	struct rte_mempool *mp;
	unsigned int lcore, k;
	uint16_t port, i;
	int ret, rc = EXIT_FAILURE;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	if (parse_args(argc - ret, argv + ret) != 0)
		goto out_eal;

	quit_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (quit_fd < 0) {
		perror("eventfd");
		goto out_eal;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	RTE_ETH_FOREACH_DEV(port) {
		if (nb_ports == MAX_PORTS)
			break;
		ports[nb_ports++] = port;
	}
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (nb_workers == MAX_WORKERS)
			break;
		workers[nb_workers].lcore = lcore;
		workers[nb_workers].queue = (uint16_t)nb_workers;
		nb_workers++;
	}
	if (nb_ports == 0 || nb_workers == 0) {
		fprintf(stderr, "need at least one port and one worker lcore (-l 0,1)\n");
		goto out_fd;
	}
	for (i = 0; i < nb_ports; i++)
		peer[i] = (nb_ports % 2 == 0) ? (uint16_t)(i ^ 1) : i;

	mp = rte_pktmbuf_pool_create("sleepy_mbufs",
				     RTE_MAX(8191u, nb_ports * nb_workers *
					 (NB_RXD + NB_TXD + 2 * BURST) * 2u - 1),
				     256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (mp == NULL) {
		fprintf(stderr, "mbuf pool: %s\n", rte_strerror(rte_errno));
		goto out_fd;
	}
	for (i = 0; i < nb_ports; i++) {
		ret = port_init(ports[i], (uint16_t)nb_workers, mp);
		if (ret != 0) {
			fprintf(stderr, "port %u: initialisation failed: %s\n",
				ports[i], strerror(-ret));
			goto out_ports;
		}
		printf("port %u: started, %u queue pairs, RX interrupts requested\n",
		       ports[i], nb_workers);
	}

	for (k = 0; k < nb_workers; k++)
		rte_eal_remote_launch(worker_main, &workers[k], workers[k].lcore);
	printf("forwarding; SIGINT or SIGTERM to stop\n");
	stats_loop();
	rte_eal_mp_wait_lcore();
	print_totals();
	rc = EXIT_SUCCESS;
	for (k = 0; k < nb_workers; k++)
		if (workers[k].intr_tried && !workers[k].intr_ok)
			rc = EXIT_FAILURE;	/* it ran, but not as advertised */

out_ports:
	for (i = 0; i < nb_ports; i++) {
		ret = rte_eth_dev_stop(ports[i]);
		if (ret != 0)
			fprintf(stderr, "port %u: stop: %s\n", ports[i], strerror(-ret));
		rte_eth_dev_close(ports[i]);
	}
	printf("ports stopped and closed\n");
out_fd:
	close(quit_fd);
out_eal:
	rte_eal_cleanup();
	return rc;
}
