/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * devsim_probe: plug a virtio-net device backed by a vhost-user socket,
 * then look at it the way a driver would, through the IO API only:
 * enumerate the bus, dump the PCI header, walk the capability list, print
 * the device features and the net config, unplug.
 *
 *   dpdk-testpmd --vdev 'net_vhost0,iface=/tmp/vh.sock' -- -i &
 *   devsim_probe /tmp/vh.sock
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>

#include <devsim/devsim.h>

#define CAP_TTL 48  /* like Linux PCI_FIND_CAP_TTL: bounds a looping list */

static void
log_stderr(void *opaque, enum devsim_log_level level, const char *msg)
{
	static const char *const names[] = { "?", "ERR", "WARN", "INFO", "DEBUG" };

	(void)opaque;
	fprintf(stderr, "devsim %s: %s\n",
		level <= DEVSIM_LOG_DEBUG ? names[level] : "?", msg);
}

static int
cfg_rd(struct devsim_dev *dev, uint32_t off, unsigned int width, uint32_t *v)
{
	int rc = devsim_cfg_read(dev, off, width, v);

	if (rc < 0)
		fprintf(stderr, "config read 0x%x/%u: %s\n", off, width,
			strerror(-rc));
	return rc;
}

static void
dump_header(struct devsim_dev *dev)
{
	uint32_t off, v;

	printf("PCI header:\n");
	for (off = 0; off < 0x40; off += 4) {
		if (off % 16 == 0)
			printf("  %02x:", off);
		if (cfg_rd(dev, off, 4, &v) < 0)
			return;
		printf(" %08x", v);
		if (off % 16 == 12)
			printf("\n");
	}
}

static const char *
cap_type_name(uint32_t t)
{
	switch (t) {
	case VIRTIO_PCI_CAP_COMMON_CFG: return "common";
	case VIRTIO_PCI_CAP_NOTIFY_CFG: return "notify";
	case VIRTIO_PCI_CAP_ISR_CFG: return "isr";
	case VIRTIO_PCI_CAP_DEVICE_CFG: return "device";
	case VIRTIO_PCI_CAP_PCI_CFG: return "pci-cfg";
	default: return "?";
	}
}

struct layout {
	int bar;
	uint32_t common, device, notify, notify_mult;
	int have;   /* bit per cap type found */
};

static int
walk_caps(struct devsim_dev *dev, struct layout *lo)
{
	uint32_t pos, v, id, type, bar, off, len, ttl = CAP_TTL;

	memset(lo, 0, sizeof(*lo));
	lo->bar = -1;
	if (cfg_rd(dev, 0x06, 2, &v) < 0 || !(v & 0x10)) {
		printf("no capability list\n");
		return -1;
	}
	if (cfg_rd(dev, 0x34, 1, &pos) < 0)
		return -1;
	printf("capabilities:\n");
	while (pos != 0 && ttl-- > 0) {
		if (pos < 0x40 || pos > 0xf0 || (pos & 3)) {
			printf("  bad capability pointer 0x%x\n", pos);
			return -1;
		}
		if (cfg_rd(dev, pos, 1, &id) < 0)
			return -1;
		if (id == 0x09) {
			cfg_rd(dev, pos + 3, 1, &type);
			cfg_rd(dev, pos + 4, 1, &bar);
			cfg_rd(dev, pos + 8, 4, &off);
			cfg_rd(dev, pos + 12, 4, &len);
			printf("  0x%02x vendor %-6s bar %u offset 0x%x length 0x%x",
			       pos, cap_type_name(type), bar, off, len);
			if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
				cfg_rd(dev, pos + 16, 4, &lo->notify_mult);
				lo->notify = off;
				printf(" multiplier %u", lo->notify_mult);
			}
			printf("\n");
			if (type == VIRTIO_PCI_CAP_COMMON_CFG)
				lo->common = off;
			if (type == VIRTIO_PCI_CAP_DEVICE_CFG)
				lo->device = off;
			if (type < 8)
				lo->have |= 1 << type;
			lo->bar = (int)bar;
		} else {
			printf("  0x%02x id 0x%02x\n", pos, id);
		}
		if (cfg_rd(dev, pos + 1, 1, &pos) < 0)
			return -1;
	}
	if (pos != 0) {
		printf("  capability list does not end\n");
		return -1;
	}
	return 0;
}

static uint32_t
bar_rd(struct devsim_dev *dev, int bar, uint64_t off, unsigned int width)
{
	uint32_t v = 0;
	int rc = devsim_bar_read(dev, (unsigned int)bar, off, width, &v);

	if (rc < 0)
		fprintf(stderr, "BAR%d read 0x%llx/%u: %s\n", bar,
			(unsigned long long)off, width, strerror(-rc));
	return v;
}

static void
print_features(struct devsim_dev *dev, const struct layout *lo)
{
	static const struct { unsigned int bit; const char *name; } names[] = {
		{ VIRTIO_NET_F_CSUM, "CSUM" },
		{ VIRTIO_NET_F_GUEST_CSUM, "GUEST_CSUM" },
		{ VIRTIO_NET_F_MTU, "MTU" },
		{ VIRTIO_NET_F_MAC, "MAC" },
		{ VIRTIO_NET_F_GUEST_TSO4, "GUEST_TSO4" },
		{ VIRTIO_NET_F_GUEST_TSO6, "GUEST_TSO6" },
		{ VIRTIO_NET_F_GUEST_ECN, "GUEST_ECN" },
		{ VIRTIO_NET_F_GUEST_UFO, "GUEST_UFO" },
		{ VIRTIO_NET_F_HOST_TSO4, "HOST_TSO4" },
		{ VIRTIO_NET_F_HOST_TSO6, "HOST_TSO6" },
		{ VIRTIO_NET_F_HOST_ECN, "HOST_ECN" },
		{ VIRTIO_NET_F_HOST_UFO, "HOST_UFO" },
		{ VIRTIO_NET_F_MRG_RXBUF, "MRG_RXBUF" },
		{ VIRTIO_NET_F_STATUS, "STATUS" },
		{ VIRTIO_NET_F_MQ, "MQ" },
		{ VIRTIO_F_ANY_LAYOUT, "ANY_LAYOUT" },
		{ VIRTIO_RING_F_INDIRECT_DESC, "INDIRECT_DESC" },
		{ VIRTIO_RING_F_EVENT_IDX, "EVENT_IDX" },
		{ VIRTIO_F_VERSION_1, "VERSION_1" },
		{ VIRTIO_F_RING_PACKED, "RING_PACKED" },
		{ VIRTIO_F_IN_ORDER, "IN_ORDER" },
	};
	uint64_t f;
	unsigned int i;

	devsim_bar_write(dev, (unsigned int)lo->bar,
			 lo->common + VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	f = bar_rd(dev, lo->bar, lo->common + VIRTIO_PCI_COMMON_DF, 4);
	devsim_bar_write(dev, (unsigned int)lo->bar,
			 lo->common + VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	f |= (uint64_t)bar_rd(dev, lo->bar, lo->common + VIRTIO_PCI_COMMON_DF,
			      4) << 32;
	printf("device features 0x%016llx:", (unsigned long long)f);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (f & (1ULL << names[i].bit))
			printf(" %s", names[i].name);
	}
	printf("\nnum_queues %u",
	       bar_rd(dev, lo->bar, lo->common + VIRTIO_PCI_COMMON_NUMQ, 2));
	devsim_bar_write(dev, (unsigned int)lo->bar,
			 lo->common + VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	printf(", queue 0 size %u\n",
	       bar_rd(dev, lo->bar, lo->common + VIRTIO_PCI_COMMON_Q_SIZE, 2));
}

static void
print_net_config(struct devsim_dev *dev, const struct layout *lo)
{
	uint32_t gen0, gen1, st, pairs, mtu;
	uint8_t mac[6];
	unsigned int i, tries = 0;

	/* Multi-byte config: re-read until config_generation is stable. */
	do {
		gen0 = bar_rd(dev, lo->bar,
			      lo->common + VIRTIO_PCI_COMMON_CFGGENERATION, 1);
		for (i = 0; i < 6; i++)
			mac[i] = (uint8_t)bar_rd(dev, lo->bar, lo->device + i, 1);
		st = bar_rd(dev, lo->bar, lo->device + 6, 2);
		pairs = bar_rd(dev, lo->bar, lo->device + 8, 2);
		mtu = bar_rd(dev, lo->bar, lo->device + 10, 2);
		gen1 = bar_rd(dev, lo->bar,
			      lo->common + VIRTIO_PCI_COMMON_CFGGENERATION, 1);
	} while (gen0 != gen1 && ++tries < 16);

	printf("net config: mac %02x:%02x:%02x:%02x:%02x:%02x status 0x%x (%s) "
	       "max_virtqueue_pairs %u mtu %u\n", mac[0], mac[1], mac[2],
	       mac[3], mac[4], mac[5], st,
	       (st & VIRTIO_NET_S_LINK_UP) ? "link up" : "link down", pairs, mtu);
}

int
main(int argc, char **argv)
{
	struct devsim_net_cfg cfg = {
		.max_queue_pairs = 1,
		.queue_size_max = 256,
		.feature_mask = ~0ULL,
		.connect_timeout_ms = 1000,
	};
	struct devsim_dev_stats st;
	struct devsim_bus *bus;
	struct devsim_dev *dev;
	struct layout lo;
	unsigned int slot;
	int rc, ret = EXIT_FAILURE;

	if (argc != 2) {
		fprintf(stderr, "usage: %s /path/to/vhost-user.sock\n", argv[0]);
		return EXIT_FAILURE;
	}
	cfg.path = argv[1];
	bus = devsim_bus_create(log_stderr, NULL);
	if (bus == NULL) {
		perror("devsim_bus_create");
		return EXIT_FAILURE;
	}
	rc = devsim_net_plug(bus, &cfg, &dev);
	if (rc < 0) {
		fprintf(stderr, "plug %s: %s\n", cfg.path, strerror(-rc));
		goto out_bus;
	}

	printf("bus:\n");
	for (slot = 0; slot < DEVSIM_BUS_SLOTS; slot++) {
		struct devsim_dev *d = devsim_bus_dev(bus, slot);
		uint32_t id;

		if (d == NULL || cfg_rd(d, 0, 4, &id) < 0)
			continue;
		printf("  slot %u: %04x:%04x\n", slot, id & 0xffff, id >> 16);
	}
	dump_header(dev);
	if (walk_caps(dev, &lo) < 0)
		goto out_unplug;
	if ((lo.have & 0x1e) != 0x1e || lo.bar < 0) {
		printf("virtio capabilities missing (mask 0x%x)\n", lo.have);
		goto out_unplug;
	}
	print_features(dev, &lo);
	print_net_config(dev, &lo);
	devsim_dev_stats_get(dev, &st);
	printf("stats: bad %llu unknown %llu backend requests %llu errors %llu\n",
	       (unsigned long long)st.bad_accesses,
	       (unsigned long long)st.unknown_accesses,
	       (unsigned long long)st.msgs_sent,
	       (unsigned long long)st.backend_errors);
	ret = EXIT_SUCCESS;

out_unplug:
	devsim_unplug(dev);
out_bus:
	devsim_bus_destroy(bus);
	return ret;
}
