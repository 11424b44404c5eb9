/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */
#include <stdio.h>

#include "log.h"

void
devsim_log_vmsg(const struct devsim_log *l, enum devsim_log_level level,
		char *buf, size_t len, const char *fmt, va_list ap)
{
	vsnprintf(buf, len, fmt, ap);
	if (l != NULL && l->fn != NULL)
		l->fn(l->opaque, level, buf);
}

void
devsim_log_msg(const struct devsim_log *l, enum devsim_log_level level,
	       const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	devsim_log_vmsg(l, level, buf, sizeof(buf), fmt, ap);
	va_end(ap);
}
