/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#ifndef DEVSIM_LOG_H
#define DEVSIM_LOG_H

/*
 * Logging through the caller's hook: devsim never writes to stdout/stderr
 * itself.  Each device and connection holds a struct devsim_log copied from
 * its bus; DEVSIM_LOG(l, LEVEL, fmt, ...) prefixes the calling function.
 */

#include <stdarg.h>

#include "devsim/devsim.h"

struct devsim_log {
	devsim_log_fn *fn;  /**< NULL: drop messages */
	void *opaque;
};

/** Format and deliver one message; truncated at 512 bytes. */
void devsim_log_msg(const struct devsim_log *l, enum devsim_log_level level,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/** Same, with a va_list; @buf (>= 1 byte) receives the formatted text. */
void devsim_log_vmsg(const struct devsim_log *l, enum devsim_log_level level,
		     char *buf, size_t len, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

#define DEVSIM_LOG(l, level, fmt, ...) \
	devsim_log_msg((l), DEVSIM_LOG_##level, "%s(): " fmt, __func__, \
		       ##__VA_ARGS__)

#endif /* DEVSIM_LOG_H */
