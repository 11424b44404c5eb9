/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef DEVSIM_WIRE_VIRTIO_PCI_REGS_H
#define DEVSIM_WIRE_VIRTIO_PCI_REGS_H

/*
 * Spec layouts the device model relies on (virtio 1.x, 4.1 and 5.1), taken
 * from the Linux uapi headers and pinned here: if a header ever moves a
 * field, the build breaks instead of the driver.  All multi-byte fields are
 * little endian on the wire.
 *
 * Also the layout devsim chooses for its one memory BAR (QEMU-like):
 *   BAR4 (64-bit, prefetchable), 16 KiB
 *     0x0000  common cfg   (struct virtio_pci_common_cfg)
 *     0x1000  ISR          (1 byte)
 *     0x2000  device cfg   (struct virtio_net_config)
 *     0x3000  notify       (queue_notify_off * 4)
 *     0x4000  resume       (devsim/virtio_resume.h)
 */

#include <stddef.h>

#include "devsim/devsim.h"

#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>

/*
 * virtio 1.x registers and PCI config space are little endian; devsim keeps
 * them in host order, which is only right on a little-endian host.
 */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "devsim assumes a little-endian host");

/* ---- PCI type-0 header (PCI Local Bus 3.0, 6.1) ----------------------- */

#define DEVSIM_PCI_CFG_SIZE        256u
#define DEVSIM_PCI_HDR_SIZE        0x40u

#define DEVSIM_PCI_VENDOR_ID       0x00u
#define DEVSIM_PCI_DEVICE_ID       0x02u
#define DEVSIM_PCI_COMMAND         0x04u
#define DEVSIM_PCI_STATUS          0x06u
#define DEVSIM_PCI_REVISION_ID     0x08u
#define DEVSIM_PCI_CLASS_PROG      0x09u /* 3 bytes: prog-if, sub, base */
#define DEVSIM_PCI_HEADER_TYPE     0x0eu
#define DEVSIM_PCI_BAR0            0x10u
#define DEVSIM_PCI_SUBSYS_VENDOR   0x2cu
#define DEVSIM_PCI_SUBSYS_ID       0x2eu
#define DEVSIM_PCI_CAP_PTR         0x34u
#define DEVSIM_PCI_INTERRUPT_LINE  0x3cu
#define DEVSIM_PCI_INTERRUPT_PIN   0x3du

#define DEVSIM_PCI_COMMAND_IO      0x0001u
#define DEVSIM_PCI_COMMAND_MEMORY  0x0002u
#define DEVSIM_PCI_COMMAND_MASTER  0x0004u
#define DEVSIM_PCI_COMMAND_INTX_OFF 0x0400u
#define DEVSIM_PCI_STATUS_CAP_LIST 0x0010u

#define DEVSIM_PCI_BAR_MEM_TYPE_64 0x04u
#define DEVSIM_PCI_BAR_MEM_PREFETCH 0x08u
#define DEVSIM_PCI_BAR_MEM_FLAGS   0x0fu
#define DEVSIM_PCI_BARS            6u

#define DEVSIM_PCI_CAP_ID_VNDR     0x09u
/** First capability: right after the standard header, dword aligned. */
#define DEVSIM_PCI_CAP_FIRST       0x40u

/* ---- virtio vendor capabilities (4.1.4) ------------------------------ */

_Static_assert(sizeof(struct virtio_pci_cap) == 16, "virtio_pci_cap size");
_Static_assert(offsetof(struct virtio_pci_cap, cap_vndr) == 0, "cap_vndr");
_Static_assert(offsetof(struct virtio_pci_cap, cap_next) == 1, "cap_next");
_Static_assert(offsetof(struct virtio_pci_cap, cap_len) == 2, "cap_len");
_Static_assert(offsetof(struct virtio_pci_cap, cfg_type) == 3, "cfg_type");
_Static_assert(offsetof(struct virtio_pci_cap, bar) == 4, "bar");
_Static_assert(offsetof(struct virtio_pci_cap, id) == 5, "id");
_Static_assert(offsetof(struct virtio_pci_cap, offset) == 8, "offset");
_Static_assert(offsetof(struct virtio_pci_cap, length) == 12, "length");
_Static_assert(sizeof(struct virtio_pci_notify_cap) == 20, "notify_cap size");
_Static_assert(offsetof(struct virtio_pci_notify_cap,
			notify_off_multiplier) == 16, "notify_off_multiplier");

/* ---- common configuration (4.1.4.3) ---------------------------------- */

#define DEVSIM_PIN_COMMON(field, off) \
	_Static_assert(offsetof(struct virtio_pci_common_cfg, field) == (off), \
		       "common_cfg." #field)
DEVSIM_PIN_COMMON(device_feature_select, VIRTIO_PCI_COMMON_DFSELECT);
DEVSIM_PIN_COMMON(device_feature, VIRTIO_PCI_COMMON_DF);
DEVSIM_PIN_COMMON(guest_feature_select, VIRTIO_PCI_COMMON_GFSELECT);
DEVSIM_PIN_COMMON(guest_feature, VIRTIO_PCI_COMMON_GF);
DEVSIM_PIN_COMMON(msix_config, VIRTIO_PCI_COMMON_MSIX);
DEVSIM_PIN_COMMON(num_queues, VIRTIO_PCI_COMMON_NUMQ);
DEVSIM_PIN_COMMON(device_status, VIRTIO_PCI_COMMON_STATUS);
DEVSIM_PIN_COMMON(config_generation, VIRTIO_PCI_COMMON_CFGGENERATION);
DEVSIM_PIN_COMMON(queue_select, VIRTIO_PCI_COMMON_Q_SELECT);
DEVSIM_PIN_COMMON(queue_size, VIRTIO_PCI_COMMON_Q_SIZE);
DEVSIM_PIN_COMMON(queue_msix_vector, VIRTIO_PCI_COMMON_Q_MSIX);
DEVSIM_PIN_COMMON(queue_enable, VIRTIO_PCI_COMMON_Q_ENABLE);
DEVSIM_PIN_COMMON(queue_notify_off, VIRTIO_PCI_COMMON_Q_NOFF);
DEVSIM_PIN_COMMON(queue_desc_lo, VIRTIO_PCI_COMMON_Q_DESCLO);
DEVSIM_PIN_COMMON(queue_desc_hi, VIRTIO_PCI_COMMON_Q_DESCHI);
DEVSIM_PIN_COMMON(queue_avail_lo, VIRTIO_PCI_COMMON_Q_AVAILLO);
DEVSIM_PIN_COMMON(queue_avail_hi, VIRTIO_PCI_COMMON_Q_AVAILHI);
DEVSIM_PIN_COMMON(queue_used_lo, VIRTIO_PCI_COMMON_Q_USEDLO);
DEVSIM_PIN_COMMON(queue_used_hi, VIRTIO_PCI_COMMON_Q_USEDHI);
#undef DEVSIM_PIN_COMMON
_Static_assert(sizeof(struct virtio_pci_common_cfg) == 56, "common_cfg size");

/* ---- virtio-net device configuration (5.1.4) ------------------------- */

_Static_assert(offsetof(struct virtio_net_config, mac) == 0, "net.mac");
_Static_assert(offsetof(struct virtio_net_config, status) == 6, "net.status");
_Static_assert(offsetof(struct virtio_net_config, max_virtqueue_pairs) == 8,
	       "net.max_virtqueue_pairs");
_Static_assert(offsetof(struct virtio_net_config, mtu) == 10, "net.mtu");
/** The part of struct virtio_net_config devsim implements. */
#define DEVSIM_NET_CFG_IMPL_SIZE   12u

/* ---- split ring sizes (2.7), for range checks of programmed rings ---- */

#define DEVSIM_SPLIT_DESC_SIZE(n)  (16ull * (n))
#define DEVSIM_SPLIT_AVAIL_SIZE(n) (6ull + 2ull * (n))
#define DEVSIM_SPLIT_USED_SIZE(n)  (6ull + 8ull * (n))
/* packed ring (2.8): descriptors, and 4-byte event suppression areas */
#define DEVSIM_PACKED_DESC_SIZE(n) (16ull * (n))
#define DEVSIM_PACKED_EVENT_SIZE   4ull
/* vhost-user vring base of a packed ring: bit 15 is the avail wrap counter */
#define DEVSIM_PACKED_BASE_WRAP    0x8000u

/* ---- devsim's BAR layout --------------------------------------------- */

#define DEVSIM_VPCI_BAR            4u
#define DEVSIM_VPCI_BAR_SIZE       0x8000u
#define DEVSIM_VPCI_REGION_SIZE    0x1000u
#define DEVSIM_VPCI_COMMON_OFF     0x0000u
#define DEVSIM_VPCI_ISR_OFF        0x1000u
#define DEVSIM_VPCI_DEVICE_OFF     0x2000u
#define DEVSIM_VPCI_NOTIFY_OFF     0x3000u
#define DEVSIM_VPCI_NOTIFY_MULT    4u
#define DEVSIM_VPCI_RESUME_OFF     0x4000u

_Static_assert(DEVSIM_VQ_MAX * DEVSIM_VPCI_NOTIFY_MULT <= DEVSIM_VPCI_REGION_SIZE,
	       "notify region holds every queue's address");

/* ISR bits (4.1.4.5) */
#define DEVSIM_VPCI_ISR_QUEUE      0x1u
#define DEVSIM_VPCI_ISR_CONFIG     0x2u

/*
 * Alignment of the virtqueue parts: split rings 16 (descriptors), 2
 * (driver area), 4 (device area) (virtio 1.x 2.7); packed rings 16 and 4
 * for both event suppression areas (2.8).
 */
#define DEVSIM_VRING_DESC_ALIGN    16u
#define DEVSIM_VRING_AVAIL_ALIGN   2u
#define DEVSIM_VRING_USED_ALIGN    4u
#define DEVSIM_PACKED_EVENT_ALIGN  4u

#endif /* DEVSIM_WIRE_VIRTIO_PCI_REGS_H */
