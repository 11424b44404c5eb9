/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "virtio_net.h"

static void
net_random_mac(uint8_t mac[6])
{
	size_t got = 0;
	ssize_t rc;

	while (got < 6) {
		rc = getrandom(mac + got, 6 - got, GRND_NONBLOCK);
		if (rc <= 0)
			break;
		got += (size_t)rc;
	}
	if (got < 6) {
		/* No entropy yet (early boot): unique enough for a MAC. */
		struct timespec ts;
		uint64_t x;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^
		    (uint64_t)getpid() << 32 ^ (uint64_t)ts.tv_sec;
		memcpy(mac, &x, 6);
	}
	/* Locally administered, unicast. */
	mac[0] = (uint8_t)((mac[0] | 0x02) & ~0x01);
}

int
devsim_net_init(struct devsim_net *net, const struct devsim_net_cfg *cfg,
		const struct devsim_backend_info *info,
		const struct devsim_log *log)
{
	uint64_t emulated = DEVSIM_NET_F_EMULATED;
	unsigned int pairs, backend_pairs;

	memset(net, 0, sizeof(*net));
	if (cfg->max_queue_pairs == 0) {
		DEVSIM_LOG(log, ERR, "max_queue_pairs must be at least 1");
		return -EINVAL;
	}
	if (!(info->features & (1ULL << VIRTIO_F_VERSION_1))) {
		DEVSIM_LOG(log, ERR, "the backend does not offer VIRTIO_F_VERSION_1 "
			   "(features 0x%llx): a modern device needs it",
			   (unsigned long long)info->features);
		return -ENOTSUP;
	}
	if (cfg->mtu != 0)
		emulated |= 1ULL << VIRTIO_NET_F_MTU;
	/*
	 * Never ACCESS_PLATFORM: ring and buffer addresses are CVAs and there
	 * is no IOTLB.  The control queue bits are emulated whatever the
	 * backend offers (virtio_net_ctrl.c).
	 */
	net->features = ((info->features & DEVSIM_NET_F_PASSTHROUGH) | emulated) &
			cfg->feature_mask;
	/* CTRL_MAC_ADDR rides on the control queue (5.1.3.1). */
	if (!(net->features & (1ULL << VIRTIO_NET_F_CTRL_VQ)))
		net->features &= ~DEVSIM_NET_F_CTRL;
	if (!(net->features & (1ULL << VIRTIO_F_VERSION_1))) {
		DEVSIM_LOG(log, ERR, "feature_mask 0x%llx removes "
			   "VIRTIO_F_VERSION_1: a modern device needs it",
			   (unsigned long long)cfg->feature_mask);
		return -ENOTSUP;
	}

	backend_pairs = info->max_vrings / 2;
	if (backend_pairs == 0) {
		DEVSIM_LOG(log, WARNING, "backend reports %u vrings; assuming "
			   "one queue pair", info->max_vrings);
		backend_pairs = 1;
	}
	pairs = cfg->max_queue_pairs;
	if (pairs > backend_pairs)
		pairs = backend_pairs;
	if (pairs > DEVSIM_NET_PAIRS_MAX)
		pairs = DEVSIM_NET_PAIRS_MAX;
	net->max_vq_pairs = (uint16_t)pairs;

	if (cfg->mac_valid)
		memcpy(net->mac, cfg->mac, sizeof(net->mac));
	else
		net_random_mac(net->mac);
	net->mtu = cfg->mtu;
	net->status = VIRTIO_NET_S_LINK_UP;
	return 0;
}

uint16_t
devsim_net_num_queues(const struct devsim_net *net)
{
	return (uint16_t)(2 * net->max_vq_pairs +
			  !!(net->features & (1ULL << VIRTIO_NET_F_CTRL_VQ)));
}

int
devsim_net_cfg_read(const struct devsim_net *net, uint64_t off,
		    unsigned int width, uint32_t *val)
{
	uint8_t img[DEVSIM_NET_CFG_IMPL_SIZE];
	uint32_t v = 0;
	unsigned int i;

	/* Little-endian image of the implemented prefix of the layout. */
	memcpy(&img[offsetof(struct virtio_net_config, mac)], net->mac, 6);
	img[6] = (uint8_t)net->status;
	img[7] = (uint8_t)(net->status >> 8);
	img[8] = (uint8_t)net->max_vq_pairs;
	img[9] = (uint8_t)(net->max_vq_pairs >> 8);
	img[10] = (uint8_t)net->mtu;
	img[11] = (uint8_t)(net->mtu >> 8);

	*val = 0;
	if (off >= sizeof(img) || width > sizeof(img) - off)
		return DEVSIM_IO_UNKNOWN;
	for (i = 0; i < width; i++)
		v |= (uint32_t)img[off + i] << (8 * i);
	*val = v;
	return 0;
}

bool
devsim_net_link_set(struct devsim_net *net, bool up)
{
	uint16_t s = up ? net->status | VIRTIO_NET_S_LINK_UP :
			  net->status & ~VIRTIO_NET_S_LINK_UP;

	if (s == net->status)
		return false;
	net->status = s;
	return true;
}
