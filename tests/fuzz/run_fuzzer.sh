#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# run_fuzzer.sh FUZZER CORPUS_DIR ARTIFACT_DIR: runs a libFuzzer binary for
# $VC_FUZZ_SECONDS (default 60) seconds, starting from the corpus in the
# repository.  Inputs it finds interesting go to a temporary directory that
# is removed afterwards: the repository corpus is never written (merge by
# hand: FUZZER -merge=1 CORPUS_DIR NEW_DIR).  A crash, leak, UB report,
# broken invariant or an input running longer than 10 s fails the test;
# the input is kept in ARTIFACT_DIR and the command to replay it printed.
set -euo pipefail

fuzzer=$1 corpus=$2 artifacts=$3
secs=${VC_FUZZ_SECONDS:-60}

[ -d "$corpus" ] || { echo "corpus directory $corpus missing" >&2; exit 1; }
mkdir -p "$artifacts"
new=$(mktemp -d "${TMPDIR:-/tmp}/vc-fuzz.XXXXXXXX")
trap 'rm -rf "$new"' EXIT

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

echo "fuzzing $(basename "$fuzzer") for ${secs}s from $corpus ($(ls "$corpus" | wc -l) inputs)"
rc=0
"$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$artifacts/" \
	"$new" "$corpus" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
	echo "FAIL: $(basename "$fuzzer") exited with status $rc; inputs in $artifacts:"
	ls -l "$artifacts"
	echo "replay one with: ${fuzzer} <input>  (or the gcc build's $(basename "$fuzzer")_replay <input>)"
	exit 1
fi
echo "$(basename "$fuzzer"): no failure in ${secs}s ($(ls "$new" | wc -l) new inputs, discarded)"
