#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# Multi-queue: net_vhost with queues=N and the frontend with queues=N, both
# testpmd in mac mode with --rxq=N --txq=N on one core each.  Per queue
# (testpmd's per-stream forward statistics on both sides):
#   1. every queue carries traffic in both directions, and what the
#      frontend sent on queue q is what the vhost side received on queue q;
#   2. after port stop / "port config all rxq M" / port start on the
#      frontend (M < N), queues 0..M-1 carry traffic and the vhost side sees
#      nothing on queues M..N-1: only configured queues are enabled;
#   3. none of that reconnected the vhost-user socket.
# Frames are --size bytes (testpmd "set txpkts").  Frames larger than one
# default mbuf (2048 bytes of data) go out as chains of 2000-byte segments
# and come back scattered over mergeable RX buffers (frontend with
# mrg_rxbuf=1, --enable-scatter and a --max-pkt-len that fits them).
#
# usage: mq.sh DRIVER_SO [SEQCHECK_APP] [--mem huge|nohuge|auto]
#        [--queues N] [--reduce-to M] [--seconds S] [--size BYTES]
set -euo pipefail
. "$(dirname "$0")/../../devtools/lib.sh"

[ $# -ge 1 ] || { sed -n '3,18p' "$0"; exit 2; }
drv=$1
shift
[ $# -gt 0 ] && [ "${1#--}" = "$1" ] && shift	# the seqcheck app: unused
mem=auto nq=4 reduce=2 seconds=2 size=64
while [ $# -gt 0 ]; do
	case "$1" in
	--mem) mem=$2 ;;
	--queues) nq=$2 ;;
	--reduce-to) reduce=$2 ;;
	--seconds) seconds=$2 ;;
	--size) size=$2 ;;
	*) vc_die "unknown option $1" ;;
	esac
	shift 2
done

vc_test_begin "multi-queue-$nq-${size}B" "$mem"

# Segment lengths for "set txpkts", and what the frontend needs to take
# frames longer than one mbuf.
seg=2000 txpkts=$size fdevargs="queues=$nq" fargs=()
if [ "$size" -gt "$seg" ]; then
	txpkts=
	for ((left = size; left > seg; left -= seg)); do txpkts+="$seg,"; done
	txpkts+=$left
	fdevargs+=",mrg_rxbuf=1"
	# max-pkt-len counts the CRC: the MTU is then size - 14.
	fargs=(--enable-scatter --max-pkt-len=$((size + 4)))
fi

sock=$VC_SOCKDIR/vhost.sock
vc_start_vhost vhost "$sock" mac --rxq="$nq" --txq="$nq" || exit 1

mapfile -t fm < <(vc_eal_mem_args frontend)
mapfile -t fe < <(vc_frontend_eal_args "$drv" "$sock" "$fdevargs")
vc_start -i front 1 2 "$VC_TESTPMD" "${fm[@]}" --no-pci "${fe[@]}" -- \
	-i --nb-cores=1 --rxq="$nq" --txq="$nq" --forward-mode=mac "$VC_TESTPMD_MBUFS" \
	"${fargs[@]}"
if ! vc_wait_log front '^testpmd> ' 30; then
	vc_dump_log front
	vc_check "frontend testpmd started with $nq queues" false
	vc_summary
	exit 1
fi
vc_tp_cmd front "set txpkts $txpkts"

run_phase() {	# run_phase OCCURRENCE: traffic, then both sides stopped
	vc_tp_cmd front "start tx_first"
	sleep "$seconds"
	vc_tp_cmd front stop
	vc_tp_wait_stopped front "$1" || vc_check "frontend stop report $1" false
	# Let the vhost side take what the frontend sent before it stops.
	sleep 0.5
	vc_tp_cmd vhost stop
	vc_tp_wait_stopped vhost "$1" || vc_check "vhost stop report $1" false
}

# Phase 1: all queues.
run_phase 1
declare -A F=() V=()
vc_tp_stream_stats front 1 "$nq" F
vc_tp_stream_stats vhost 1 "$nq" V
for ((q = 0; q < nq; q++)); do
	read -r frx ftx <<<"${F[$q]}"
	read -r vrx vtx <<<"${V[$q]}"
	vc_check "queue $q: frontend sent ($ftx) and received ($frx) > 1000" \
		test "$ftx" -gt 1000 -a "$frx" -gt 1000
	vc_check_eq "queue $q: vhost received what the frontend sent" "$vrx" "$ftx"
	# What the vhost side sent back is what the frontend received, but for
	# the one burst still in the frontend's RX ring when it stopped.
	vc_check "queue $q: vhost sent $vtx, frontend received $frx (<= 32 in flight)" \
		test "$vtx" -ge "$frx" -a $((vtx - frx)) -le 32
done
# Port totals: every frame carried all its bytes, both ways, both sides.
declare -A fp=() vp=()
if vc_tp_port_stats front 0 fp && vc_tp_port_stats vhost 0 vp; then
	for k in rx tx; do
		vc_check_eq "frontend ${k^^}-bytes = ${k^^}-packets x $size" \
			"${fp[$k-bytes]}" "$((fp[$k-packets] * size))"
		vc_check_eq "vhost ${k^^}-bytes = ${k^^}-packets x $size" \
			"${vp[$k-bytes]}" "$((vp[$k-packets] * size))"
	done
	vc_check_eq "RX/TX errors (frontend, vhost)" \
		"${fp[rx-errors]}/${fp[tx-errors]}/${vp[rx-errors]}/${vp[tx-errors]}" 0/0/0/0
else
	vc_check "port statistics readable on both sides" false
fi

# Phase 2: fewer queues, without reconnecting.
vc_tp_cmd front "port stop 0"
vc_tp_cmd front "port config all rxq $reduce"
vc_tp_cmd front "port config all txq $reduce"
vc_tp_cmd front "port start 0"
vc_tp_cmd vhost "clear port stats all"
vc_tp_cmd vhost start
run_phase 2
vc_tp_stream_stats front 2 "$nq" F
vc_tp_stream_stats vhost 2 "$nq" V
for ((q = 0; q < nq; q++)); do
	read -r frx ftx <<<"${F[$q]}"
	read -r vrx vtx <<<"${V[$q]}"
	if [ "$q" -lt "$reduce" ]; then
		vc_check "after rxq=$reduce: queue $q carries traffic both ways ($ftx/$frx)" \
			test "$ftx" -gt 1000 -a "$frx" -gt 1000
		vc_check_eq "after rxq=$reduce: queue $q vhost received what was sent" "$vrx" "$ftx"
	else
		vc_check_eq "after rxq=$reduce: vhost queue $q (not configured) received" "$vrx" 0
	fi
done

# One vhost-user connection for the whole test: queue changes need no
# reconnect.
conns=$(vc_count_blocks "${VC_LOGF[vhost]}" 'new vhost user connection')
vc_check_eq "vhost-user connections made" "$conns" 1

vc_tp_cmd front quit || true
vc_wait_exit front 10 || vc_check "frontend testpmd exits cleanly on quit" false
vc_tp_cmd vhost quit || true
vc_wait_exit vhost 10 || vc_check "vhost testpmd exits cleanly on quit" false
vc_summary
