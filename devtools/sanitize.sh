#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# The sanitizer and fuzzing part of the test command (devtools/test.sh runs
# it after the normal suites; it also runs alone).  Two more build trees
# next to the normal one (same never-world-writable rule, vc_build_dir):
#
#   BUILD-asan  gcc, -fsanitize=address,undefined (UB is fatal): the unit
#               suite, then the integration suite.  Debian's dpdk-testpmd is
#               not instrumented, so it loads our ASan driver with libasan
#               preloaded (devtools/asan-testpmd.sh).  ASan and LSan reports
#               of every process go to BUILD-asan/meson-logs/sanitizer/ and
#               fail the run, whatever the test script made of the process's
#               exit; a UBSan report aborts the process (printed on its
#               stderr: the test's log, or the DPDK process's log).
#   BUILD-fuzz  clang -Dfuzz=true: each libFuzzer target for VC_FUZZ_SECONDS
#               from the corpus in tests/fuzz/corpus (suite fuzz).
#
#   devtools/sanitize.sh [asan] [fuzz]     (default: both)
#
# Environment:
#   VC_BUILDDIR          the normal build tree; the others are BUILD-asan/-fuzz
#   VC_FUZZ_SECONDS      per fuzz target (default 60)
#   VC_ASAN_SKIP         extended regex of integration tests not run under
#                        ASan (default: sibling variants, see run_asan);
#                        empty: run them all
#   VC_ASAN_MEM          memory modes of the integration suite under ASan:
#                        nohuge (default), huge, all, none
# Prints meson's summary lines per part and exits non-zero on any failure.
set -euo pipefail
umask 022
exec </dev/null

. "$(dirname "$0")/lib.sh"
VC_LOG_TAG=sanitize
cd "$vc_top"

parts=${*:-asan fuzz}
build=$(vc_build_dir)
asan_dir=$build-asan
fuzz_dir=$build-fuzz
rc=0
results=()

# summary TITLE LOG: meson's result lines and failed tests of one run.
summary() {
	echo
	echo "== summary ($1; log ${2%/*}/testlog.txt)"
	grep -E '^(Ok|Expected Fail|Fail|Unexpected Pass|Skipped|Timeout): ' "$2" || true
	grep -E ' (FAIL|TIMEOUT|ERROR) ' "$2" | grep -E '^ *[0-9]+/[0-9]+ ' || true
}

# setup DIR ARGS...: configure DIR once, and enforce ARGS on later runs.
setup() {
	local dir=$1
	shift
	vc_path_is_safe "$dir" ||
		vc_die "build directory $dir lies under a world-writable directory; set VC_BUILDDIR elsewhere"
	if [ ! -f "$dir/build.ninja" ]; then
		mkdir -p -m 0755 "$(dirname "$dir")"
		meson setup "$dir" "$vc_top" "$@"
	else
		meson configure "$dir" "$@" >/dev/null
	fi
}

# record NAME STATUS SECONDS
record() {
	results+=("$(printf '%-24s %-4s %4ss' "$1" "$([ "$2" -eq 0 ] && echo ok || echo FAIL)" "$3")")
	[ "$2" -eq 0 ] || rc=1
}

# Every sanitizer report left in DIR is a failure: print them.
check_reports() {
	local dir=$1 f n=0
	for f in "$dir"/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		echo "----- sanitizer report $f -----"
		head -n 60 "$f"
	done
	[ "$n" -eq 0 ] || { echo "FAIL - $n sanitizer report(s) in $dir"; return 1; }
	echo "ok   - no sanitizer report in $dir"
}

run_asan() {
	local t0 st log reports tests mem=${VC_ASAN_MEM:-nohuge}
	# Variants whose code the sanitized run already takes through a
	# sibling test (the same datapath at another size or queue count, the
	# packed twins of interrupt, offload and reconnect tests whose ring
	# code the unit suite runs under ASan, rx_intr's code again on a
	# 32-slot ring, mac forwarding and the container and OVS set-ups
	# around the datapath the seqcheck tests take, the static pkg-config
	# link that sanitizers skip anyway): left to the plain run, to keep
	# the test command well under 20 minutes.
	local asan_skip=${VC_ASAN_SKIP-'(reconnect_packed_client|reconnect_packed_inorder_server|mac_loopback|mac_loopback_packed|container|ovs|rx_intr_packed|rx_intr_ring32|offload_packed|rx_offload_packed|offload_anyorder|rx_intr_anyorder_1518|(integrity|split_anyorder|split_nonmrg|packed|packed_nonmrg|offload_seq)_1518|mq_4_1518|mq_4_9000|mq_8|pkgconfig)_[a-z]*'}

	t0=$SECONDS
	setup "$asan_dir" -Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fno-sanitize-recover=undefined -Dfuzz=false
	ninja -C "$asan_dir" || { record "asan build" 1 $((SECONDS - t0)); return 0; }
	record "asan build" 0 $((SECONDS - t0))

	reports=$asan_dir/meson-logs/sanitizer
	rm -rf "$reports"
	mkdir -p "$reports"
	# abort_on_error: a report kills the process, visibly.  Leaks count.
	# verify_asan_link_order=0: stdbuf (vc_start) preloads libstdbuf
	# ahead of an instrumented program's own libasan; harmless, it does
	# not allocate.  log_path: reports of every process, checked below.
	export ASAN_OPTIONS="abort_on_error=1:halt_on_error=1:detect_leaks=1:verify_asan_link_order=0:log_path=$reports/asan"
	export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"
	export VC_TESTPMD=$vc_top/devtools/asan-testpmd.sh
	export VC_VDEV=ours   # the point is our code under the sanitizers
	# The longer reconnect endurance runs are the plain build's: under
	# ASan every process is 2-4x slower and 3 cycles take the same paths.
	export VC_RECONNECT_CYCLES_MAX=3

	t0=$SECONDS
	log=$asan_dir/meson-logs/test-unit.log
	st=0
	meson test -C "$asan_dir" --suite unit --print-errorlogs 2>&1 | tee "$log" || st=$?
	summary "ASan+UBSan unit" "$log"
	check_reports "$reports" || st=1
	record "asan unit" "$st" $((SECONDS - t0))

	case "$mem" in
	none) unset ASAN_OPTIONS UBSAN_OPTIONS VC_TESTPMD VC_VDEV VC_RECONNECT_CYCLES_MAX
	      return 0 ;;
	all) tests=() ;;
	huge|nohuge)
		mapfile -t tests < <(meson test -C "$asan_dir" --suite integration --list 2>/dev/null |
			sed -n "s/^.* \/ \(.*_$mem\)\$/\1/p" | grep -vxE "$asan_skip")
		[ ${#tests[@]} -gt 0 ] || vc_die "no integration test for memory mode $mem" ;;
	*) vc_die "VC_ASAN_MEM must be nohuge, huge, all or none, not '$mem'" ;;
	esac
	t0=$SECONDS
	log=$asan_dir/meson-logs/test-integration.log
	rm -rf "$reports"
	mkdir -p "$reports"
	st=0
	meson test -C "$asan_dir" --suite integration --print-errorlogs "${tests[@]}" 2>&1 |
		tee "$log" || st=$?
	summary "ASan+UBSan integration, memory $mem" "$log"
	check_reports "$reports" || st=1
	record "asan integration ($mem)" "$st" $((SECONDS - t0))
	unset ASAN_OPTIONS UBSAN_OPTIONS VC_TESTPMD VC_VDEV VC_RECONNECT_CYCLES_MAX
}

run_fuzz() {
	local t0 st log

	# run_fuzzer.sh sets its own: reports on stderr, in the test log.
	unset ASAN_OPTIONS UBSAN_OPTIONS
	if ! command -v clang >/dev/null; then
		echo "FAIL - clang not found (devtools/setup.sh installs it)"
		record "fuzz" 1 0
		return 0
	fi
	t0=$SECONDS
	# Only devsim and the fuzz targets: the driver is not fuzzed.
	CC=clang setup "$fuzz_dir" -Dfuzz=true -Dtests=false -Ddriver=disabled
	ninja -C "$fuzz_dir" || { record "fuzz build" 1 $((SECONDS - t0)); return 0; }
	record "fuzz build" 0 $((SECONDS - t0))

	t0=$SECONDS
	log=$fuzz_dir/meson-logs/test-fuzz.log
	st=0
	# Both targets at once: one core each.
	meson test -C "$fuzz_dir" --suite fuzz --num-processes 2 --print-errorlogs 2>&1 |
		tee "$log" || st=$?
	summary "libFuzzer, ${VC_FUZZ_SECONDS:-60} s per target" "$log"
	record "fuzz run" "$st" $((SECONDS - t0))
}

for p in $parts; do
	case "$p" in
	asan) run_asan ;;
	fuzz) run_fuzz ;;
	*) vc_die "unknown part '$p' (asan, fuzz)" ;;
	esac
done

echo
echo "== sanitize.sh results"
printf '%s\n' "${results[@]}"
exit "$rc"
