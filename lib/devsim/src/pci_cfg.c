/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#include <errno.h>
#include <string.h>

#include "io.h"
#include "pci_cfg.h"

static void
put8(struct devsim_pci_cfg *pc, unsigned int off, uint8_t v)
{
	pc->img[off] = v;
}

static void
put16(struct devsim_pci_cfg *pc, unsigned int off, uint16_t v)
{
	pc->img[off] = (uint8_t)v;
	pc->img[off + 1] = (uint8_t)(v >> 8);
}

static void
put32(struct devsim_pci_cfg *pc, unsigned int off, uint32_t v)
{
	put16(pc, off, (uint16_t)v);
	put16(pc, off + 2, (uint16_t)(v >> 16));
}

void
devsim_pci_cfg_init(struct devsim_pci_cfg *pc, const struct devsim_pci_id *id)
{
	memset(pc, 0, sizeof(*pc));
	/*
	 * The whole standard header counts as implemented: enumeration reads
	 * absent BARs, BIST and friends as a matter of course, and those
	 * zeros are real (hardwired) register values.
	 */
	memset(pc->impl, 1, DEVSIM_PCI_HDR_SIZE);

	put16(pc, DEVSIM_PCI_VENDOR_ID, id->vendor);
	put16(pc, DEVSIM_PCI_DEVICE_ID, id->device);
	put8(pc, DEVSIM_PCI_REVISION_ID, id->revision);
	put8(pc, DEVSIM_PCI_CLASS_PROG, (uint8_t)id->class_code);
	put8(pc, DEVSIM_PCI_CLASS_PROG + 1, (uint8_t)(id->class_code >> 8));
	put8(pc, DEVSIM_PCI_CLASS_PROG + 2, (uint8_t)(id->class_code >> 16));
	put8(pc, DEVSIM_PCI_HEADER_TYPE, 0);
	put16(pc, DEVSIM_PCI_SUBSYS_VENDOR, id->subsys_vendor);
	put16(pc, DEVSIM_PCI_SUBSYS_ID, id->subsys_id);
	/* No INTx: the interrupts are eventfds. */
	put8(pc, DEVSIM_PCI_INTERRUPT_PIN, 0);

	/* Drivers enable memory decoding and bus mastering; keep the bits. */
	pc->wmask[DEVSIM_PCI_COMMAND] = DEVSIM_PCI_COMMAND_IO |
		DEVSIM_PCI_COMMAND_MEMORY | DEVSIM_PCI_COMMAND_MASTER;
	pc->wmask[DEVSIM_PCI_COMMAND + 1] = DEVSIM_PCI_COMMAND_INTX_OFF >> 8;
	pc->wmask[DEVSIM_PCI_INTERRUPT_LINE] = 0xff;

	pc->cap_last = 0;
	pc->cap_end = DEVSIM_PCI_CAP_FIRST;
}

int
devsim_pci_cfg_bar64_set(struct devsim_pci_cfg *pc, unsigned int bar,
			 uint64_t size, bool prefetch)
{
	unsigned int off = DEVSIM_PCI_BAR0 + 4 * bar;
	uint64_t mask;
	uint8_t flags;
	unsigned int i;

	if (bar + 1 >= DEVSIM_PCI_BARS || size < 16 || (size & (size - 1)))
		return -EINVAL;
	flags = DEVSIM_PCI_BAR_MEM_TYPE_64 |
		(prefetch ? DEVSIM_PCI_BAR_MEM_PREFETCH : 0);
	put32(pc, off, flags);
	put32(pc, off + 4, 0);
	/* Address bits below the size are hardwired to 0, the type bits RO. */
	mask = ~(size - 1) & ~(uint64_t)DEVSIM_PCI_BAR_MEM_FLAGS;
	for (i = 0; i < 8; i++)
		pc->wmask[off + i] = (uint8_t)(mask >> (8 * i));
	return 0;
}

int
devsim_pci_cfg_cap_add(struct devsim_pci_cfg *pc, const void *cap,
		       unsigned int len, uint8_t *pos)
{
	unsigned int at = pc->cap_end;

	if (len < 2)
		return -EINVAL;
	if (len > DEVSIM_PCI_CFG_SIZE - at)
		return -ENOSPC;
	memcpy(&pc->img[at], cap, len);
	memset(&pc->wmask[at], 0, len);
	memset(&pc->impl[at], 1, len);
	pc->img[at + 1] = 0;      /* end of list until another cap follows */
	if (pc->cap_last == 0) {
		put8(pc, DEVSIM_PCI_CAP_PTR, (uint8_t)at);
		put16(pc, DEVSIM_PCI_STATUS, DEVSIM_PCI_STATUS_CAP_LIST);
	} else {
		pc->img[pc->cap_last + 1] = (uint8_t)at;
	}
	pc->cap_last = (uint8_t)at;
	/* Next capability dword aligned, as PCI requires of cap pointers. */
	pc->cap_end = (uint16_t)((at + len + 3) & ~3u);
	*pos = pc->cap_last;
	return 0;
}

int
devsim_pci_cfg_read(void *opaque, uint64_t off, unsigned int width,
		    uint32_t *val)
{
	const struct devsim_pci_cfg *pc = opaque;
	bool impl = false;
	uint32_t v = 0;
	unsigned int i;

	if (off >= DEVSIM_PCI_CFG_SIZE || width > DEVSIM_PCI_CFG_SIZE - off)
		return -ERANGE;
	for (i = 0; i < width; i++) {
		v |= (uint32_t)pc->img[off + i] << (8 * i);
		impl |= pc->impl[off + i] != 0;
	}
	*val = v;
	return impl ? 0 : DEVSIM_IO_UNKNOWN;
}

int
devsim_pci_cfg_write(void *opaque, uint64_t off, unsigned int width,
		     uint32_t val)
{
	struct devsim_pci_cfg *pc = opaque;
	bool impl = false;
	unsigned int i;

	if (off >= DEVSIM_PCI_CFG_SIZE || width > DEVSIM_PCI_CFG_SIZE - off)
		return -ERANGE;
	for (i = 0; i < width; i++) {
		uint8_t m = pc->wmask[off + i];
		uint8_t b = (uint8_t)(val >> (8 * i));

		pc->img[off + i] = (uint8_t)((pc->img[off + i] & ~m) | (b & m));
		impl |= pc->impl[off + i] != 0;
	}
	/* Read-only registers ignore writes silently, as PCI does. */
	return impl ? 0 : DEVSIM_IO_UNKNOWN;
}
