#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# dpdk-testpmd for the sanitizer build (devtools/sanitize.sh sets
# VC_TESTPMD to this script).  Debian's testpmd is not built with ASan, so
# when it is to load our ASan-instrumented driver (-d ...virtio_container)
# the ASan runtime has to be preloaded: it must come first in the process's
# library list.  A testpmd without our driver (the vhost side) runs as is:
# it holds none of our code.  exec keeps the PID, which vc_stop signals.
prog=${VC_ASAN_TESTPMD:-dpdk-testpmd}
case " $* " in
*virtio_container*)
	libasan=${VC_LIBASAN:-$(gcc -print-file-name=libasan.so)}
	# stdbuf (vc_start) passes its own LD_PRELOAD: keep it, after ASan.
	export LD_PRELOAD="$libasan${LD_PRELOAD:+:$LD_PRELOAD}"
	;;
esac
exec "$prog" "$@"
