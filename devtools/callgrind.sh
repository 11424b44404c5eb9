#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# Instructions per packet of the frontend's RX and TX burst functions,
# ours against upstream net_virtio_user, counted by valgrind's callgrind:
# repeatable whatever else the machine does, unlike cycles.
#
#   cpu 0: dpdk-testpmd --vdev net_vhost0 (mac forwarding, native speed)
#   cpu 1: valgrind --tool=callgrind dpdk-testpmd with the frontend under
#          test (mac forwarding, "start tx_first": 32 frames in flight)
#
# The frontend runs some 20 times slower under valgrind, so its bursts
# always find work: the counts are those of full bursts, not of empty
# polls.  Counted over the measured interval only (callgrind_control -z
# after a warm-up, -d at its end), divided by the packets forwarded in it:
# the whole process (testpmd's mac forwarding loop, driver, mempool), and
# for ours the inclusive count of the RX and TX burst functions (Debian's
# DPDK is stripped: upstream's static burst functions have no names).
#
# --side backend counts the other process instead: the unmodified vhost
# backend, under valgrind, serving a frontend at native speed. That is
# what each driver's rings cost the backend per packet; RX and TX are
# then its rte_vhost_dequeue_burst (copying out of the frontend's TX
# ring) and rte_vhost_enqueue_burst (into its RX ring).
#
#   devtools/callgrind.sh [--paths LIST] [--seconds T] [--side frontend|backend]
#
#   --paths    from devtools/bench.sh's list (default split-inorder,packed-inorder)
#   --seconds  measured time under valgrind (default 20)
#   --side     the process counted (default frontend)
# Environment: VC_MEM (auto|huge|nohuge; default nohuge: memfd memory
# suits valgrind), VC_BUILDDIR, VC_SKIP_SETUP=1.  Output: a table on stdout
# and the callgrind files in BUILDDIR/callgrind/ (callgrind_annotate them
# for the per-line picture).
set -euo pipefail
umask 022
exec </dev/null

. "$(dirname "$0")/lib.sh"
VC_LOG_TAG=callgrind
cd "$vc_top"

paths=split-inorder,packed-inorder seconds=20 side=frontend
while [ $# -gt 0 ]; do
	case "$1" in
	--paths) paths=$2; shift ;;
	--seconds) seconds=$2; shift ;;
	--side) side=$2; shift ;;
	-h|--help) sed -n '3,35p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) vc_die "unknown option '$1'" ;;
	esac
	shift
done
case "$side" in frontend|backend) ;; *) vc_die "--side: frontend or backend, not '$side'" ;; esac
command -v valgrind >/dev/null || vc_die "valgrind is needed (apt-get install valgrind)"
command -v callgrind_annotate >/dev/null || vc_die "callgrind_annotate is needed (valgrind)"

declare -n PATH_ARGS=VC_PATH_ARGS	# lib.sh
# Burst functions: every exported-by-pointer RX/TX entry of each driver.
declare -A RX_FN=([ours]='vc_recv_[a-z0-9_]*' [upstream]='virtio_recv_[a-z_]*')
declare -A TX_FN=([ours]='vc_xmit_[a-z0-9_]*' [upstream]='virtio_xmit_[a-z_]*')
if [ "$side" = backend ]; then
	# The backend's view: what it takes from the frontend's TX ring, and
	# what it puts into the frontend's RX ring.
	RX_FN=([ours]=rte_vhost_dequeue_burst [upstream]=rte_vhost_dequeue_burst)
	TX_FN=([ours]=rte_vhost_enqueue_burst [upstream]=rte_vhost_enqueue_burst)
fi

[ -n "${VC_SKIP_SETUP:-}" ] || bash devtools/setup.sh >&2
build=$(vc_build_dir)
[ -n "${VC_BUILDDIR:-}" ] && build=$VC_BUILDDIR
drv=$build/drivers/librte_net_virtio_container.so
[ -f "$drv" ] || { meson setup "$build" >&2 && ninja -C "$build" >&2; }
outdir=$build/callgrind
mkdir -p "$outdir"

vc_test_begin callgrind "${VC_MEM:-nohuge}"
VC_SUMMARY_PENDING=0

# sum_ir FILE REGEX: inclusive Ir of the functions whose name matches.
sum_ir() {
	callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null |
		awk -v re="$2" '
			# Whole functions only ("file:fn [object]"): the lines
			# without an object are their inlined parts again.
			/^ *[0-9,]+ .*\[[^]]*\] *$/ {
				f = $0; sub(/ \[.*/, "", f); sub(/.*:/, "", f)
				if (f ~ "^(" re ")$") {
					v = $1; gsub(/,/, "", v); s += v
				}
			}
			END { printf "%.0f\n", s }'
}

echo "counted: the $side"
printf '%-16s %-9s %10s %14s %12s %12s\n' path driver packets \
	'process Ir/pkt' 'RX Ir/pkt' 'TX Ir/pkt'
IFS=, read -ra P <<<"$paths"
for p in "${P[@]}"; do
	[ -n "${PATH_ARGS[$p]:-}" ] || vc_die "unknown path '$p'"
	for kind in ours upstream; do
		tag=$p-$kind
		sock=$VC_SOCKDIR/$tag.sock
		cg=$outdir/$tag.$side.out
		rm -f "$cg"*
		# vc_start puts the EAL's --lcores right after the program.
		wrap=$VC_SOCKDIR/$tag.sh
		# --fair-sched: the backend's forwarding lcore spins, and without
		# it its vhost-user thread answers the frontend too late.
		fair=
		[ "$side" = backend ] && fair=--fair-sched=yes
		printf '#!/bin/sh\nexec valgrind --tool=callgrind %s --callgrind-out-file=%s %s "$@"\n' \
			"$fair" "$cg" "$(command -v "$VC_TESTPMD")" >"$wrap"
		chmod 0700 "$wrap"
		fe_prog=$VC_TESTPMD be_prog=$VC_TESTPMD cnt=fe-$tag
		if [ "$side" = backend ]; then be_prog=$wrap cnt=vh-$tag; else fe_prog=$wrap; fi
		# Under valgrind the EAL takes well over 20 s to come up.
		VC_TESTPMD=$be_prog VC_VHOST_WAIT=300 vc_start_vhost "vh-$tag" "$sock" mac >/dev/null ||
			vc_die "vhost testpmd did not start"
		mapfile -t fm < <(vc_eal_mem_args frontend)
		mapfile -t fe < <(VC_VDEV=$kind vc_frontend_eal_args "$drv" "$sock" "${PATH_ARGS[$p]}")
		vc_start -i "fe-$tag" 1 2 "$fe_prog" "${fm[@]}" --no-pci \
			"${fe[@]}" -- -i --nb-cores=1 --forward-mode=mac \
			"$VC_TESTPMD_MBUFS"
		vc_wait_log "fe-$tag" '^testpmd> ' 300 || { vc_dump_log "fe-$tag"; vc_die "frontend did not start"; }
		# Frames sent before the backend takes the rings would never be
		# forwarded: under valgrind it takes its time.
		vc_wait_log "vh-$tag" 'virtio is now ready for processing' 300 ||
			{ vc_dump_log "vh-$tag"; vc_die "the backend did not take the device"; }
		vc_tp_cmd "fe-$tag" "start tx_first"
		sleep 2		# warm-up, not counted
		declare -A s0=() s1=()
		# Packets as the counted process saw them: for the backend, its
		# RX is the frontend's TX.
		vc_tp_port_stats "$cnt" 0 s0 60 || vc_die "no port stats from $cnt"
		callgrind_control -z "${VC_PID[$cnt]}" >/dev/null ||
			vc_die "callgrind_control could not zero $tag"
		sleep "$seconds"
		# Dump the counts now: EAL's exit under valgrind takes minutes.
		callgrind_control -d "${VC_PID[$cnt]}" >/dev/null ||
			vc_die "callgrind_control could not dump $tag"
		vc_tp_port_stats "$cnt" 0 s1 60 || vc_die "no port stats from $cnt"
		cg=$(ls -t "$cg"* | head -1)
		vc_tp_cmd "fe-$tag" stop
		vc_tp_cmd "fe-$tag" quit
		vc_stop "fe-$tag" 10 || true
		vc_tp_cmd "vh-$tag" quit || true
		vc_wait_exit "vh-$tag" 20 || vc_stop "vh-$tag" 10 || true
		rx=$((${s1[rx-packets]} - ${s0[rx-packets]})) tx=$((${s1[tx-packets]} - ${s0[tx-packets]}))
		[ "$rx" -gt 0 ] && [ "$tx" -gt 0 ] ||
			{ vc_dump_log "fe-$tag"; vc_dump_log "vh-$tag"; vc_die "$tag: no traffic"; }
		all=$(sed -n 's/^summary: *//p' "$cg" | head -1)
		rxi=$(sum_ir "$cg" "${RX_FN[$kind]}")
		txi=$(sum_ir "$cg" "${TX_FN[$kind]}")
		# Debian's DPDK is stripped: upstream's static burst functions
		# have no names, only the whole process's count is comparable.
		awk -v p="$p" -v k="$kind" -v rx="$rx" -v a="$all" -v ri="$rxi" -v ti="$txi" -v tx="$tx" \
			'BEGIN { printf "%-16s %-9s %10d %14.1f %12s %12s\n", p, k, rx, a / rx,
				(ri > 0 ? sprintf("%.1f", ri / rx) : "n/a"),
				(ti > 0 ? sprintf("%.1f", ti / tx) : "n/a") }'
	done
done
echo "callgrind files: $outdir"
