/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * vc_l2fwd: an l2fwd-like forwarding application with the driver linked in
 * (no -d), whose ports come and go while it forwards.
 *
 * Ports are every ethdev present after rte_eal_init() (--vdev
 * net_virtio_container0,path=...) plus one per --port PATH[,DEVARGS],
 * which the application creates itself with rte_eal_hotplug_add().  Port
 * 2k forwards to port 2k+1 and back, as in l2fwd; a port whose partner is
 * absent echoes what it receives.  --mac-swap swaps source and destination
 * MAC addresses on the way.
 *
 * One lcore forwards: the main one.  A control thread prints per-port
 * rates every --stats-period seconds and, with --cmd-fifo PATH, reads
 * commands from a named pipe, one per line:
 *
 *   add PATH[,DEVARGS]  hot-plug net_virtio_container<N> on socket PATH
 *   del PORT            hot-unplug port PORT (stop, close, remove)
 *   stats               print the totals of every port now
 *   quit                as SIGINT
 *
 * and answers on stdout ("cmd: ..." lines).  Ports are added and removed
 * while the others forward: the forwarding table the lcore reads is
 * replaced, never edited, and a removed port is stopped only after the
 * lcore has shown that it no longer uses the old table.
 *
 * SIGINT or SIGTERM (or "quit"): every port is stopped, closed and
 * hot-unplugged, totals are printed, and the process exits 0.
 *
 *   dpdk-testpmd --no-huge -m 512 --no-pci --file-prefix=vh \
 *       --vdev net_vhost0,iface=/run/vc/p0.sock \
 *       --vdev net_vhost1,iface=/run/vc/p1.sock -- -i
 *   vc_l2fwd -l 0 --no-huge -m 512 --no-pci --file-prefix=vc \
 *       --vdev net_virtio_container0,path=/run/vc/p0.sock -- \
 *       --port /run/vc/p1.sock --cmd-fifo /run/vc/l2fwd.cmd
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include "fwd_mac_swap.h"

#define BURST 32
#define NB_RXD 512
#define NB_TXD 512
#define MAX_PORT_ARGS 16
#define VDEV_DRIVER "net_virtio_container"
#define CMD_LINE_MAX 1024

/* One RX port and where what it receives goes. */
struct fwd_entry {
	uint16_t rx;
	uint16_t tx;
};

/* What the forwarding lcore reads; replaced as a whole, never edited. */
struct fwd_table {
	uint16_t n;
	struct fwd_entry e[RTE_MAX_ETHPORTS];
};

/* Written by the forwarding lcore only, read by the control thread. */
struct port_counters {
	uint64_t rx, tx, drop;
} __rte_cache_aligned;

static struct {
	bool macswap;
	unsigned int stats_period;
	unsigned int nb_mbufs;
	const char *cmd_fifo;
	const char *port_spec[MAX_PORT_ARGS];
	unsigned int nb_port_spec;
} opt = {
	.stats_period = 1,
	.nb_mbufs = 16383,
};

static volatile sig_atomic_t force_quit;
static struct rte_mempool *mbuf_pool;
static struct port_counters counters[RTE_MAX_ETHPORTS];

/*
 * Table handover.  The control thread fills tables[(gen + 1) & 1], then
 * publishes gen + 1; the lcore loads pub_gen at the top of every round and
 * stores it in dp_gen.  Once dp_gen == pub_gen, the lcore has finished
 * every round that read the older table: it may be rewritten, and a port
 * that only it listed may be stopped.
 */
static struct fwd_table tables[2];
static uint64_t pub_gen;
static uint64_t dp_gen;
static bool dp_running;

/* Owned by the control thread (by main before and after it runs). */
static bool active[RTE_MAX_ETHPORTS];
static bool hotplugged[RTE_MAX_ETHPORTS];	/* by us: remove on exit too */
static int cmd_fd = -1;
static bool cmd_fifo_created;
static unsigned int stats_seq;

static void
on_signal(int sig)
{
	(void)sig;
	force_quit = 1;
}

static void
usage(const char *prog)
{
	printf("usage: %s [EAL options] -- [--mac-swap] [--stats-period S]\n"
	       "       [--port PATH[,DEVARGS]]... [--cmd-fifo PATH] [--nb-mbufs N]\n"
	       "  --mac-swap          swap source and destination MAC addresses\n"
	       "  --stats-period S    print per-port rates every S seconds, 0 = never (default 1)\n"
	       "  --port PATH[,ARGS]  hot-plug a " VDEV_DRIVER " port on vhost-user socket PATH\n"
	       "  --cmd-fifo PATH     read commands from named pipe PATH (created if missing):\n"
	       "                      add PATH[,ARGS] | del PORT | stats | quit\n"
	       "  --nb-mbufs N        mbufs in the pool shared by all ports (default 16383)\n",
	       prog);
}

static int
parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || *v > max)
		return -EINVAL;
	return 0;
}

static int
parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "mac-swap", no_argument, NULL, 'm' },
		{ "stats-period", required_argument, NULL, 's' },
		{ "port", required_argument, NULL, 'p' },
		{ "cmd-fifo", required_argument, NULL, 'c' },
		{ "nb-mbufs", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'm':
			opt.macswap = true;
			break;
		case 's':
			if (parse_uint(optarg, 3600, &v) != 0)
				goto bad_value;
			opt.stats_period = (unsigned int)v;
			break;
		case 'n':
			if (parse_uint(optarg, 1u << 24, &v) != 0 || v < 1024)
				goto bad_value;
			opt.nb_mbufs = (unsigned int)v;
			break;
		case 'p':
			if (opt.nb_port_spec == MAX_PORT_ARGS) {
				fprintf(stderr, "at most %u --port options\n", MAX_PORT_ARGS);
				return -EINVAL;
			}
			opt.port_spec[opt.nb_port_spec++] = optarg;
			break;
		case 'c':
			opt.cmd_fifo = optarg;
			break;
		default:
			usage(argv[0]);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		usage(argv[0]);
		return -EINVAL;
	}
	return 0;

bad_value:
	fprintf(stderr, "bad value '%s' for --%s\n", optarg,
		c == 's' ? "stats-period" : "nb-mbufs");
	return -EINVAL;
}

/* ---- forwarding (the main lcore) ------------------------------------ */

/* Single writer: a plain add, stored so that the reader sees whole values. */
static inline void
counter_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

static void
forward_loop(void)
{
	struct rte_mbuf *m[BURST];
	uint16_t i, n, sent;

	while (!force_quit) {
		uint64_t gen = __atomic_load_n(&pub_gen, __ATOMIC_ACQUIRE);
		const struct fwd_table *t = &tables[gen & 1];

		/* Every earlier round, and its table, is over. */
		__atomic_store_n(&dp_gen, gen, __ATOMIC_RELEASE);
		if (t->n == 0) {
			rte_pause();
			continue;
		}
		for (i = 0; i < t->n; i++) {
			const struct fwd_entry *e = &t->e[i];

			n = rte_eth_rx_burst(e->rx, 0, m, BURST);
			if (n == 0)
				continue;
			counter_add(&counters[e->rx].rx, n);
			if (opt.macswap)
				mac_swap(m, n);
			sent = rte_eth_tx_burst(e->tx, 0, m, n);
			counter_add(&counters[e->tx].tx, sent);
			if (sent < n) {
				counter_add(&counters[e->tx].drop, n - sent);
				rte_pktmbuf_free_bulk(&m[sent], n - sent);
			}
		}
	}
}

/* ---- the forwarding table ------------------------------------------- */

/*
 * Rebuilds the table from active[] and hands it to the lcore; returns
 * once the lcore uses it (at once when it is not running).  Returns
 * -EINTR when asked to quit while waiting: the lcore then stops anyway.
 */
static int
table_publish(void)
{
	uint64_t gen = __atomic_load_n(&pub_gen, __ATOMIC_RELAXED) + 1;
	struct fwd_table *t = &tables[gen & 1];
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 100 * 1000 };
	uint16_t p, peer;

	t->n = 0;
	for (p = 0; p < RTE_MAX_ETHPORTS; p++) {
		if (!active[p])
			continue;
		peer = p ^ 1;
		t->e[t->n].rx = p;
		t->e[t->n].tx = (peer < RTE_MAX_ETHPORTS && active[peer]) ? peer : p;
		t->n++;
	}
	__atomic_store_n(&pub_gen, gen, __ATOMIC_RELEASE);
	while (__atomic_load_n(&dp_running, __ATOMIC_ACQUIRE) &&
	       __atomic_load_n(&dp_gen, __ATOMIC_ACQUIRE) != gen) {
		if (force_quit)
			return -EINTR;
		nanosleep(&ts, NULL);
	}
	return 0;
}

/* ---- ports ---------------------------------------------------------- */

static int
port_setup(uint16_t port)
{
	struct rte_eth_conf conf = { 0 };
	uint16_t rxd = NB_RXD, txd = NB_TXD;
	int ret;

	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret != 0)
		return ret;
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd);
	if (ret != 0)
		return ret;
	ret = rte_eth_rx_queue_setup(port, 0, rxd, rte_eth_dev_socket_id(port),
				     NULL, mbuf_pool);
	if (ret != 0)
		return ret;
	ret = rte_eth_tx_queue_setup(port, 0, txd, rte_eth_dev_socket_id(port), NULL);
	if (ret != 0)
		return ret;
	return rte_eth_dev_start(port);
}

static void
port_totals(const char *what, uint16_t port)
{
	const struct port_counters *c = &counters[port];

	printf("%s port %u: rx-packets %" PRIu64 " tx-packets %" PRIu64
	       " dropped %" PRIu64 "\n", what, port,
	       __atomic_load_n(&c->rx, __ATOMIC_RELAXED),
	       __atomic_load_n(&c->tx, __ATOMIC_RELAXED),
	       __atomic_load_n(&c->drop, __ATOMIC_RELAXED));
}

/*
 * Stops, closes and hot-unplugs PORT, which the lcore no longer reads.
 * Ports from --vdev are unplugged too: nothing of them stays behind.
 */
static int
port_release(uint16_t port)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	int ret, rc = 0;

	ret = rte_eth_dev_get_name_by_port(port, name);
	if (ret != 0)
		return ret;
	ret = rte_eth_dev_stop(port);
	if (ret != 0) {
		fprintf(stderr, "port %u: stop: %s\n", port, strerror(-ret));
		rc = ret;
	}
	ret = rte_eth_dev_close(port);
	if (ret != 0) {
		fprintf(stderr, "port %u: close: %s\n", port, strerror(-ret));
		rc = ret;
	}
	ret = rte_eal_hotplug_remove("vdev", name);
	if (ret != 0) {
		fprintf(stderr, "port %u: hot-unplug %s: %s\n", port, name,
			strerror(-ret));
		rc = ret;
	}
	hotplugged[port] = false;
	return rc;
}

/* Starts PORT and puts it into the forwarding table. */
static int
port_activate(uint16_t port)
{
	int ret;

	ret = port_setup(port);
	if (ret != 0) {
		fprintf(stderr, "port %u: set-up failed: %s\n", port, strerror(-ret));
		return ret;
	}
	memset(&counters[port], 0, sizeof(counters[port]));
	active[port] = true;
	return table_publish();
}

/*
 * Hot-plugs net_virtio_container<N>, N the first free index, on the
 * vhost-user socket and devargs of SPEC ("PATH[,KEY=VALUE...]"), and
 * starts it.  Returns its port id, or a negative errno.
 */
static int
port_add(const char *spec)
{
	char name[RTE_DEV_NAME_MAX_LEN], args[CMD_LINE_MAX + 8];
	uint16_t port;
	unsigned int k;
	int ret = -ENOSPC;

	/* The socket path comes first: "path=" is ours to add. */
	if (spec[0] == '\0' || spec[0] == ',')
		return -EINVAL;
	snprintf(args, sizeof(args), "path=%s", spec);
	for (k = 0; k < RTE_MAX_ETHPORTS; k++) {
		snprintf(name, sizeof(name), VDEV_DRIVER "%u", k);
		if (rte_eth_dev_get_port_by_name(name, &port) == 0)
			continue;
		ret = rte_eal_hotplug_add("vdev", name, args);
		if (ret != -EEXIST)
			break;
	}
	if (ret != 0)
		return ret;
	ret = rte_eth_dev_get_port_by_name(name, &port);
	if (ret != 0) {
		rte_eal_hotplug_remove("vdev", name);
		return ret;
	}
	hotplugged[port] = true;
	ret = port_activate(port);
	if (ret != 0) {
		if (active[port]) {
			/* Only -EINTR: quitting, main releases it. */
			return ret;
		}
		port_release(port);
		return ret;
	}
	printf("hotplug: added port %u (%s, %s)\n", port, name, args);
	return port;
}

static int
port_del(uint16_t port)
{
	int ret;

	if (port >= RTE_MAX_ETHPORTS || !active[port])
		return -ENODEV;
	active[port] = false;
	ret = table_publish();
	if (ret != 0) {
		active[port] = true;	/* main releases it on the way out */
		return ret;
	}
	port_totals("removed", port);
	ret = port_release(port);
	printf("hotplug: removed port %u\n", port);
	return ret;
}

/* ---- control thread: commands and rates ----------------------------- */

static void
cmd_run(char *line)
{
	char *arg = line + strcspn(line, " \t");
	unsigned long v;
	uint16_t p;
	int ret;

	if (*arg != '\0')
		*arg++ = '\0';
	arg += strspn(arg, " \t");
	if (strcmp(line, "add") == 0) {
		ret = port_add(arg);
		if (ret < 0)
			printf("cmd: add %s: error: %s\n", arg, strerror(-ret));
		else
			printf("cmd: add %s: ok: port %d\n", arg, ret);
	} else if (strcmp(line, "del") == 0) {
		if (parse_uint(arg, RTE_MAX_ETHPORTS - 1, &v) != 0) {
			printf("cmd: del %s: error: not a port number\n", arg);
			return;
		}
		ret = port_del((uint16_t)v);
		if (ret < 0)
			printf("cmd: del %lu: error: %s\n", v, strerror(-ret));
		else
			printf("cmd: del %lu: ok\n", v);
	} else if (strcmp(line, "stats") == 0) {
		stats_seq++;
		for (p = 0; p < RTE_MAX_ETHPORTS; p++)
			if (active[p])
				port_totals("stats", p);
		printf("cmd: stats: ok: %u\n", stats_seq);
	} else if (strcmp(line, "quit") == 0) {
		printf("cmd: quit: ok\n");
		force_quit = 1;
	} else if (line[0] != '\0') {
		printf("cmd: %s: error: unknown command (add, del, stats, quit)\n", line);
	}
}

/* Reads what the pipe holds and runs every complete line. */
static void
cmd_read(char *buf, size_t *len)
{
	ssize_t n;
	char *nl;

	n = read(cmd_fd, buf + *len, CMD_LINE_MAX - *len);
	if (n <= 0)
		return;
	*len += (size_t)n;
	while ((nl = memchr(buf, '\n', *len)) != NULL) {
		size_t used = (size_t)(nl - buf) + 1;

		*nl = '\0';
		if (nl > buf && nl[-1] == '\r')
			nl[-1] = '\0';
		cmd_run(buf);
		memmove(buf, buf + used, *len - used);
		*len -= used;
	}
	if (*len == CMD_LINE_MAX) {
		printf("cmd: error: line longer than %u bytes dropped\n", CMD_LINE_MAX);
		*len = 0;
	}
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
rates_print(struct port_counters *prev, double dt)
{
	struct port_counters cur;
	uint16_t p;

	for (p = 0; p < RTE_MAX_ETHPORTS; p++) {
		if (!active[p])
			continue;
		cur.rx = __atomic_load_n(&counters[p].rx, __ATOMIC_RELAXED);
		cur.tx = __atomic_load_n(&counters[p].tx, __ATOMIC_RELAXED);
		cur.drop = __atomic_load_n(&counters[p].drop, __ATOMIC_RELAXED);
		/* A port added since the last period starts from zero. */
		if (cur.rx < prev[p].rx || cur.tx < prev[p].tx || cur.drop < prev[p].drop)
			memset(&prev[p], 0, sizeof(prev[p]));
		printf("port %u: rx %.0f pps, tx %.0f pps, drop %.0f pps\n", p,
		       (double)(cur.rx - prev[p].rx) / dt,
		       (double)(cur.tx - prev[p].tx) / dt,
		       (double)(cur.drop - prev[p].drop) / dt);
		prev[p] = cur;
	}
}

static void *
control_main(void *arg)
{
	static struct port_counters prev[RTE_MAX_ETHPORTS];
	static char buf[CMD_LINE_MAX + 1];
	struct pollfd pfd = { .fd = cmd_fd, .events = POLLIN };
	double last = now_s(), t;
	size_t len = 0;
	int n;

	(void)arg;
	while (!force_quit) {
		n = poll(&pfd, cmd_fd >= 0 ? 1 : 0, 100);
		if (n > 0 && (pfd.revents & POLLIN))
			cmd_read(buf, &len);
		t = now_s();
		if (opt.stats_period != 0 && t - last >= opt.stats_period) {
			rates_print(prev, t - last);
			last = t;
		}
	}
	return NULL;
}

/*
 * Opens the command pipe read-write: the open does not wait for a writer
 * and the pipe never reads as closed between two writers.
 */
static int
cmd_fifo_open(const char *path)
{
	struct stat st;

	if (mkfifo(path, 0600) == 0)
		cmd_fifo_created = true;
	else if (errno != EEXIST)
		return -errno;
	if (stat(path, &st) != 0)
		return -errno;
	if (!S_ISFIFO(st.st_mode))
		return -ENOTSUP;
	cmd_fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	return cmd_fd < 0 ? -errno : 0;
}

int
main(int argc, char **argv)
{
	pthread_t ctl;
	uint16_t port;
	unsigned int k;
	int ret, rc = EXIT_FAILURE;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	if (parse_args(argc - ret, argv + ret) != 0)
		goto out_eal;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	if (opt.cmd_fifo != NULL) {
		ret = cmd_fifo_open(opt.cmd_fifo);
		if (ret != 0) {
			fprintf(stderr, "--cmd-fifo %s: %s\n", opt.cmd_fifo, strerror(-ret));
			goto out_eal;
		}
	}
	mbuf_pool = rte_pktmbuf_pool_create("l2fwd_mbufs", opt.nb_mbufs, 256, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (mbuf_pool == NULL) {
		fprintf(stderr, "mbuf pool: %s\n", rte_strerror(rte_errno));
		goto out_fifo;
	}

	/* --vdev ports first, then ours: the lcore does not run yet. */
	RTE_ETH_FOREACH_DEV(port) {
		ret = port_activate(port);
		if (ret != 0)
			goto out_ports;
		printf("port %u: started\n", port);
	}
	for (k = 0; k < opt.nb_port_spec; k++) {
		ret = port_add(opt.port_spec[k]);
		if (ret < 0) {
			fprintf(stderr, "--port %s: %s\n", opt.port_spec[k], strerror(-ret));
			goto out_ports;
		}
	}
	if (tables[pub_gen & 1].n == 0 && cmd_fd < 0) {
		fprintf(stderr, "no ports: give --vdev, --port or --cmd-fifo\n");
		goto out_ports;
	}

	__atomic_store_n(&dp_running, true, __ATOMIC_RELEASE);
	ret = rte_ctrl_thread_create(&ctl, "vc-l2fwd-ctl", NULL, control_main, NULL);
	if (ret != 0) {
		fprintf(stderr, "control thread: %s\n", strerror(ret));
		__atomic_store_n(&dp_running, false, __ATOMIC_RELEASE);
		goto out_ports;
	}
	printf("forwarding on lcore %u, %u ports%s; SIGINT or SIGTERM to stop\n",
	       rte_lcore_id(), tables[pub_gen & 1].n, opt.macswap ? ", MAC swap" : "");
	forward_loop();
	__atomic_store_n(&dp_running, false, __ATOMIC_RELEASE);
	pthread_join(ctl, NULL);
	rc = EXIT_SUCCESS;

out_ports:
	for (port = 0; port < RTE_MAX_ETHPORTS; port++) {
		if (!active[port] && !hotplugged[port])
			continue;
		if (active[port])
			port_totals("total", port);
		active[port] = false;
		if (port_release(port) != 0)
			rc = EXIT_FAILURE;
	}
	/* Ports that failed before they were started. */
	RTE_ETH_FOREACH_DEV(port)
		if (port_release(port) != 0)
			rc = EXIT_FAILURE;
	printf("ports stopped, closed and removed\n");
out_fifo:
	if (cmd_fd >= 0)
		close(cmd_fd);
	if (cmd_fifo_created)
		unlink(opt.cmd_fifo);
out_eal:
	rte_eal_cleanup();
	return rc;
}
