/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef VC_LOGS_H
#define VC_LOGS_H

/*
 * Log types: pmd.net.virtio_container.init (control path) and
 * pmd.net.virtio_container.driver (datapath anomalies, rate limited by the
 * callers).  Enable with --log-level=pmd.net.virtio_container.*:debug.
 */

#include <rte_log.h>

extern int vc_logtype_init;
extern int vc_logtype_driver;

#define VC_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, vc_logtype_init, \
		"%s(): " fmt "\n", __func__, ##__VA_ARGS__)

#define VC_DRV_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, vc_logtype_driver, \
		"%s(): " fmt "\n", __func__, ##__VA_ARGS__)

#endif /* VC_LOGS_H */
