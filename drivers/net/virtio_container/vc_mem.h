/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef VC_MEM_H
#define VC_MEM_H

#include "vc_transport.h"

/**
 * Tell the device which memory it may access: every EAL memory segment,
 * merged per backing file, handed to the transport.  When the backend's
 * region limit is exceeded (hugepages in the default one-file-per-page
 * layout), fail with an error that names the EAL options that fix it.
 * Control path only; takes the memory hotplug read lock.
 * @return 0 or a negative errno (logged).
 */
int vc_mem_share(struct vc_transport *tp, const char *port_name);

#endif /* VC_MEM_H */
