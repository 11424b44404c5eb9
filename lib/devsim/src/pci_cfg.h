/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef DEVSIM_PCI_CFG_H
#define DEVSIM_PCI_CFG_H

/*
 * PCI configuration space of one pseudo function: a type-0 header, 64-bit
 * memory BARs with the usual size-probing semantics, and a capability list
 * that is bounded and well formed by construction.
 *
 * Recipe:
 *   devsim_pci_cfg_init(&pc, &id);                 // ids, class, revision
 *   devsim_pci_cfg_bar64_set(&pc, 4, 0x4000, true); // BAR4+5, 16 KiB
 *   devsim_pci_cfg_cap_add(&pc, &cap, sizeof(cap), &pos);  // links it
 *   devsim_pci_cfg_read(&pc, off, width, &val);    // io handlers
 *
 * Registers are kept as a 256-byte little-endian image plus, per byte, a
 * write mask and an "implemented" flag; writes only change masked bits,
 * which is all BAR sizing needs: writing all ones reads back ~(size - 1)
 * with the type bits.  Not thread safe: the device lock serialises.
 */

#include <stdbool.h>
#include <stdint.h>

#include "wire/virtio_pci_regs.h"

/** Identity of the function, as the header reports it. */
struct devsim_pci_id {
	uint16_t vendor;
	uint16_t device;
	uint8_t revision;
	uint32_t class_code;       /**< base << 16 | sub << 8 | prog-if */
	uint16_t subsys_vendor;
	uint16_t subsys_id;
};

struct devsim_pci_cfg {
	uint8_t img[DEVSIM_PCI_CFG_SIZE];   /**< register values */
	uint8_t wmask[DEVSIM_PCI_CFG_SIZE]; /**< writable bits */
	uint8_t impl[DEVSIM_PCI_CFG_SIZE];  /**< 1: byte belongs to a register */
	uint8_t cap_last;           /**< offset of the last capability, 0: none */
	uint16_t cap_end;           /**< first free byte after the caps */
};

/** Fill the header of @pc from @id; no BARs and no capabilities yet. */
void devsim_pci_cfg_init(struct devsim_pci_cfg *pc,
			 const struct devsim_pci_id *id);

/**
 * Declare BAR @bar (and @bar + 1, its upper half) as a 64-bit memory BAR
 * of @size bytes.
 * @return 0, or -EINVAL when @bar + 1 is not a BAR or @size is not a power
 * of two of at least 16 bytes.
 */
int devsim_pci_cfg_bar64_set(struct devsim_pci_cfg *pc, unsigned int bar,
			     uint64_t size, bool prefetch);

/**
 * Append a capability: @len bytes of @cap (its first byte is the id; the
 * next pointer is filled in here) at the next dword-aligned free offset,
 * linked at the end of the list.  Capability bytes are read-only.
 * @return 0 with *@pos set, -EINVAL for @len < 2, -ENOSPC when it does not
 * fit in configuration space.
 */
int devsim_pci_cfg_cap_add(struct devsim_pci_cfg *pc, const void *cap,
			   unsigned int len, uint8_t *pos);

/** io read handler (opaque: struct devsim_pci_cfg). */
int devsim_pci_cfg_read(void *opaque, uint64_t off, unsigned int width,
			uint32_t *val);

/** io write handler: changes writable bits only. */
int devsim_pci_cfg_write(void *opaque, uint64_t off, unsigned int width,
			 uint32_t val);

#endif /* DEVSIM_PCI_CFG_H */
