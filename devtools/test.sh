#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# Runs all tests: installs what is missing (devtools/setup.sh, idempotent),
# configures and builds the tree, then runs the unit and integration suites
# with `meson test`.  Exits non-zero when anything fails.
#
#   devtools/test.sh [MESON_TEST_ARGS...]     e.g. --suite unit
#
# Environment:
#   VC_BUILDDIR   build directory (default: BUILD below)
#   VC_VDEV       ours (default) | upstream: the frontend the integration
#                 tests drive (upstream = DPDK's own net_virtio_user)
#   VC_SKIP_SETUP=1  do not run devtools/setup.sh
#   VC_QUICK=1    skip the sanitizer and fuzzing part (devtools/sanitize.sh:
#                 unit + integration under ASan/UBSan, 60 s per fuzz target),
#                 which also is skipped when MESON_TEST_ARGS are given or
#                 VC_VDEV=upstream; with CI=true it always runs
#   VC_FUZZ_SECONDS, VC_ASAN_MEM   see devtools/sanitize.sh
#
# BUILD is <repo>/build, or /var/lib/virtio-container/build-<hash> when the
# clone lies under a world-writable directory such as /tmp: EAL refuses to
# load a -d driver from such a path.
set -euo pipefail
umask 022
exec </dev/null

. "$(dirname "$0")/lib.sh"
VC_LOG_TAG=test
cd "$vc_top"

if [ -z "${VC_SKIP_SETUP:-}" ]; then
	bash devtools/setup.sh
fi

build=$(vc_build_dir)
vc_path_is_safe "$build" ||
	vc_die "build directory $build lies under a world-writable directory; set VC_BUILDDIR elsewhere"
vc_log "source $vc_top, build $build, frontend $(vc_vdev_kind)"

if [ ! -f "$build/build.ninja" ]; then
	mkdir -p -m 0755 "$(dirname "$build")"
	meson setup "$build" "$vc_top"
fi
ninja -C "$build"

log="$build/meson-logs/test-run.log"
rc=0
meson test -C "$build" --print-errorlogs "$@" 2>&1 | tee "$log" || rc=$?
print_summary() {
	echo
	echo "== summary ($(vc_vdev_kind) frontend; log $build/meson-logs/testlog.txt)"
	grep -E '^(Ok|Expected Fail|Fail|Unexpected Pass|Skipped|Timeout): ' "$log" || true
	grep -E ' (FAIL|TIMEOUT|ERROR) ' "$log" | grep -E '^ *[0-9]+/[0-9]+ ' || true
}
print_summary

# ---- sanitizers and fuzzing: devtools/sanitize.sh (see VC_QUICK above)
if [ "${CI:-}" = true ] ||
   { [ $# -eq 0 ] && [ -z "${VC_QUICK:-}" ] && [ "$(vc_vdev_kind)" = ours ]; }; then
	bash devtools/sanitize.sh || rc=1
	print_summary   # the normal suites' result again, last
fi
exit "$rc"
