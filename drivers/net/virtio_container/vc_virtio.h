/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef VC_VIRTIO_H
#define VC_VIRTIO_H

/*
 * Spec layouts the driver relies on (virtio 1.x 4.1 and 5.1), from the
 * Linux uapi headers, with every offset pinned so that a header change
 * cannot silently move a register.  The driver reaches these only through
 * the accessors in vc_dev.c.
 */

#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>

#define VC_PCI_VENDOR_VIRTIO	0x1af4
#define VC_PCI_DEVICE_NET	0x1041

/* PCI type-0 header offsets the driver reads. */
#define VC_PCI_VENDOR_ID	0x00
#define VC_PCI_DEVICE_ID	0x02
#define VC_PCI_STATUS		0x06
#define VC_PCI_STATUS_CAP_LIST	0x10
#define VC_PCI_CAP_PTR		0x34
#define VC_PCI_CFG_SIZE		256
#define VC_PCI_CAP_ID_VNDR	0x09
/* Linux PCI core's bound on a capability walk (PCI_FIND_CAP_TTL). */
#define VC_PCI_CAP_TTL		48
#define VC_PCI_BAR_MAX		5

_Static_assert(offsetof(struct virtio_pci_cap, cap_vndr) == 0, "cap_vndr");
_Static_assert(offsetof(struct virtio_pci_cap, cap_next) == 1, "cap_next");
_Static_assert(offsetof(struct virtio_pci_cap, cap_len) == 2, "cap_len");
_Static_assert(offsetof(struct virtio_pci_cap, cfg_type) == 3, "cfg_type");
_Static_assert(offsetof(struct virtio_pci_cap, bar) == 4, "bar");
_Static_assert(offsetof(struct virtio_pci_cap, offset) == 8, "offset");
_Static_assert(offsetof(struct virtio_pci_cap, length) == 12, "length");
_Static_assert(sizeof(struct virtio_pci_cap) == 16, "virtio_pci_cap");
_Static_assert(offsetof(struct virtio_pci_notify_cap,
			notify_off_multiplier) == 16, "notify mult");

/* Common configuration (4.1.4.3). */
#define VC_COMMON(field) offsetof(struct virtio_pci_common_cfg, field)
_Static_assert(VC_COMMON(device_feature_select) == 0, "dfselect");
_Static_assert(VC_COMMON(device_feature) == 4, "df");
_Static_assert(VC_COMMON(guest_feature_select) == 8, "gfselect");
_Static_assert(VC_COMMON(guest_feature) == 12, "gf");
_Static_assert(VC_COMMON(msix_config) == 16, "msix");
_Static_assert(VC_COMMON(num_queues) == 18, "numq");
_Static_assert(VC_COMMON(device_status) == 20, "status");
_Static_assert(VC_COMMON(config_generation) == 21, "gen");
_Static_assert(VC_COMMON(queue_select) == 22, "qsel");
_Static_assert(VC_COMMON(queue_size) == 24, "qsize");
_Static_assert(VC_COMMON(queue_msix_vector) == 26, "qmsix");
_Static_assert(VC_COMMON(queue_enable) == 28, "qen");
_Static_assert(VC_COMMON(queue_notify_off) == 30, "qnoff");
_Static_assert(VC_COMMON(queue_desc_lo) == 32, "qdesc");
_Static_assert(VC_COMMON(queue_avail_lo) == 40, "qavail");
_Static_assert(VC_COMMON(queue_used_lo) == 48, "qused");
#define VC_COMMON_MIN_LEN 56

/* virtio-net device configuration (5.1.4). */
#define VC_NETCFG(field) offsetof(struct virtio_net_config, field)
_Static_assert(VC_NETCFG(mac) == 0, "mac");
_Static_assert(VC_NETCFG(status) == 6, "netstatus");
_Static_assert(VC_NETCFG(max_virtqueue_pairs) == 8, "pairs");
_Static_assert(VC_NETCFG(mtu) == 10, "mtu");

/* With VIRTIO_F_VERSION_1 the header always carries num_buffers. */
_Static_assert(sizeof(struct virtio_net_hdr_mrg_rxbuf) == 12, "net hdr");
#define VC_NET_HDR_SIZE sizeof(struct virtio_net_hdr_mrg_rxbuf)

#define VC_BIT(b) (1ULL << (b))

#endif /* VC_VIRTIO_H */
