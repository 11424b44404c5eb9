/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 *
 * vc_memgrow: packets from memory allocated after the port started.
 *
 * Port 0 (the frontend under test) talks to a vhost testpmd in io mode,
 * which sends back what it receives.  The port starts with mempool A only;
 * then, with the port running, the application creates mempools that EAL
 * backs with newly allocated hugepages (dynamic memory, no -m), frees one
 * and creates another in the hole.  After each step frames built in the
 * newest pool are sent and every byte of every frame that comes back is
 * checked.  If the backend did not learn about the new memory (memory
 * table not re-sent), it cannot read those frames and nothing comes back.
 *
 * Each step is bracketed by "vc_memgrow: STEP <name> begin/end" lines on
 * stdout, so that a test can attribute the driver's memory-event log lines
 * to a step.  Exit status: 0 when every frame of every phase came back
 * intact, 1 otherwise.
 */

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define MG_ETHER_TYPE 0x88b5	/* IEEE 802 local experimental */
#define MG_SIZE 1000		/* frame bytes */
#define MG_COUNT 2000		/* frames per phase */
#define MG_WINDOW 32
#define MG_BURST 32
#define MG_RING 256
#define MG_GROW_MBUFS 4096	/* ~10 MB: several new 2 MB pages */

static uint8_t
mg_byte(uint64_t seq, uint32_t off)
{
	uint64_t x = seq * 0x9e3779b97f4a7c15ULL + off * 0x2545f491ULL;

	return (uint8_t)(x >> 29);
}

static struct rte_mbuf *
mg_frame(struct rte_mempool *mp, uint64_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eh;
	uint8_t *p;
	uint32_t i;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, MG_SIZE);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	eh = (struct rte_ether_hdr *)p;
	memset(&eh->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	memset(&eh->src_addr, 0x02, RTE_ETHER_ADDR_LEN);
	eh->ether_type = rte_cpu_to_be_16(MG_ETHER_TYPE);
	memcpy(p + RTE_ETHER_HDR_LEN, &seq, sizeof(seq));
	for (i = RTE_ETHER_HDR_LEN + 8; i < MG_SIZE; i++)
		p[i] = mg_byte(seq, i);
	return m;
}

/* True when @m is frame @want (or any frame from this run: @want ignored
 * when it comes back out of order, which the checks below count). */
static bool
mg_check(const struct rte_mbuf *m, uint64_t *seq)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t i;

	if (m->pkt_len != MG_SIZE || m->nb_segs != 1)
		return false;
	memcpy(seq, p + RTE_ETHER_HDR_LEN, sizeof(*seq));
	for (i = RTE_ETHER_HDR_LEN + 8; i < MG_SIZE; i++)
		if (p[i] != mg_byte(*seq, i))
			return false;
	return true;
}

/* Send MG_COUNT frames from @mp, at most MG_WINDOW in flight; returns how
 * many came back intact within the timeout. */
static uint64_t
mg_phase(uint16_t port, struct rte_mempool *mp, uint64_t base)
{
	uint64_t sent = 0, good = 0, bad = 0, seq;
	uint64_t deadline = rte_get_timer_cycles() + 5 * rte_get_timer_hz();
	struct rte_mbuf *pkts[MG_BURST];
	uint16_t n, i, want;

	while (good + bad < MG_COUNT && rte_get_timer_cycles() < deadline) {
		want = RTE_MIN((uint64_t)MG_BURST, MG_COUNT - sent);
		want = RTE_MIN((uint64_t)want, MG_WINDOW - (sent - good - bad));
		for (i = 0; i < want; i++) {
			pkts[i] = mg_frame(mp, base + sent + i);
			if (pkts[i] == NULL)
				break;
		}
		n = i ? rte_eth_tx_burst(port, 0, pkts, i) : 0;
		for (; n < i; i--)
			rte_pktmbuf_free(pkts[i - 1]);
		sent += n;
		n = rte_eth_rx_burst(port, 0, pkts, MG_BURST);
		for (i = 0; i < n; i++) {
			if (mg_check(pkts[i], &seq) && seq >= base &&
			    seq < base + sent)
				good++;
			else
				bad++;
			rte_pktmbuf_free(pkts[i]);
		}
	}
	printf("vc_memgrow: phase pool=%s sent=%" PRIu64 " intact=%" PRIu64
	       " bad=%" PRIu64 "\n", mp->name, sent, good, bad);
	return good;
}

static struct rte_mempool *
mg_pool(const char *name, unsigned int n)
{
	struct rte_mempool *mp;

	printf("vc_memgrow: STEP create-%s begin\n", name);
	fflush(stdout);
	mp = rte_pktmbuf_pool_create(name, n, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_socket_id());
	fflush(stderr);
	printf("vc_memgrow: STEP create-%s end\n", name);
	fflush(stdout);
	if (mp == NULL)
		fprintf(stderr, "vc_memgrow: mempool %s: %s\n", name,
			rte_strerror(rte_errno));
	return mp;
}

static int
mg_port_start(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;
	struct rte_eth_link link;
	int i;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(port, 1, 1, &conf) < 0 ||
	    rte_eth_rx_queue_setup(port, 0, MG_RING, rte_eth_dev_socket_id(port),
				   NULL, mp) < 0 ||
	    rte_eth_tx_queue_setup(port, 0, MG_RING, rte_eth_dev_socket_id(port),
				   NULL) < 0 ||
	    rte_eth_dev_start(port) < 0)
		return -1;
	for (i = 0; i < 500; i++) {
		memset(&link, 0, sizeof(link));
		if (rte_eth_link_get_nowait(port, &link) == 0 &&
		    link.link_status == RTE_ETH_LINK_UP)
			return 0;
		rte_delay_ms(10);
	}
	fprintf(stderr, "vc_memgrow: link down\n");
	return -1;
}

int
main(int argc, char **argv)
{
	struct rte_mempool *pa, *pb, *pc, *pd;
	struct rte_eth_stats st;
	uint64_t good = 0;
	uint16_t port = 0;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "vc_memgrow: EAL init failed\n");
		return 1;
	}
	if (!rte_eth_dev_is_valid_port(port)) {
		fprintf(stderr, "vc_memgrow: no port 0 (probe failed)\n");
		rte_eal_cleanup();
		return 1;
	}
	pa = mg_pool("mg_a", 2047);
	if (pa == NULL || mg_port_start(port, pa) < 0) {
		fprintf(stderr, "vc_memgrow: port start failed\n");
		return 1;
	}
	printf("vc_memgrow: port started\n");
	good += mg_phase(port, pa, 0);
	/* Memory the driver has never seen: the heap grows. */
	pb = mg_pool("mg_b", MG_GROW_MBUFS);
	if (pb != NULL)
		good += mg_phase(port, pb, 1 * MG_COUNT);
	pc = mg_pool("mg_c", MG_GROW_MBUFS);
	if (pc != NULL)
		good += mg_phase(port, pc, 2 * MG_COUNT);
	/* A hole below C, then memory in that hole again. */
	printf("vc_memgrow: STEP free-mg_b begin\n");
	fflush(stdout);
	rte_mempool_free(pb);
	fflush(stderr);
	printf("vc_memgrow: STEP free-mg_b end\n");
	/* Smaller than B: EAL takes the first free pages, in B's hole. */
	pd = mg_pool("mg_d", MG_GROW_MBUFS / 2);
	if (pd != NULL)
		good += mg_phase(port, pd, 3 * MG_COUNT);

	memset(&st, 0, sizeof(st));
	rte_eth_stats_get(port, &st);
	printf("vc_memgrow: RESULT expected=%u intact=%" PRIu64 " opackets=%"
	       PRIu64 " ipackets=%" PRIu64 "\n", 4 * MG_COUNT, good,
	       st.opackets, st.ipackets);
	fflush(stdout);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_mempool_free(pc);
	rte_mempool_free(pd);
	rte_mempool_free(pa);
	rte_eal_cleanup();
	return good == 4 * MG_COUNT && pb && pc && pd ? 0 : 1;
}
