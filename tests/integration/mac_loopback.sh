#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# MAC-forwarding loopback between two stock dpdk-testpmd processes: vhost
# (net_vhost, --forward-mode=mac) on cpu 0, the frontend under test on cpu 1,
# both driven through a fifo.  For each frame size:
#   1. fixed count: the frontend in rxonly mode sends ROUNDS x 4 bursts of
#      32 frames ("start tx_first 4"); the vhost side mac-forwards every one
#      back.  Packets and bytes must be exactly the same on all four
#      counters (frontend TX, vhost RX, vhost TX, frontend RX), no errors.
#   2. continuous: both sides in mac mode with 32 frames circulating for a
#      few seconds; the frontend then stops forwarding and drains its RX
#      queue in rxonly mode, after which the four counters must again agree
#      exactly: nothing lost in millions of frames.
# Before traffic, "show rxq info 0 0" and "show txq info 0 0" must report
# the ring size and (ours, with --bursts) the bursts the driver chose.
#
# usage: mac_loopback.sh DRIVER_SO [SEQCHECK_APP] [--mem huge|nohuge|auto]
#        [--sizes "64 1518"] [--rounds N] [--seconds S] [--devargs K=V[,K=V]]
#        [--bursts NAME|packed-auto]  (as seqcheck.sh)
# Environment: VC_VDEV=ours|upstream (default ours), VC_DEVARGS.
set -euo pipefail
. "$(dirname "$0")/../../devtools/lib.sh"

[ $# -ge 1 ] || { sed -n '3,/^# Environment/p' "$0"; exit 2; }
drv=$1
shift
[ $# -gt 0 ] && [ "${1#--}" = "$1" ] && shift	# the seqcheck app: unused
mem=auto sizes="64 1518" rounds=8 seconds=2 devargs= bursts=
while [ $# -gt 0 ]; do
	case "$1" in
	--mem) mem=$2 ;;
	--sizes) sizes=$2 ;;
	--rounds) rounds=$2 ;;
	--seconds) seconds=$2 ;;
	--devargs) devargs=$2 ;;
	--bursts) bursts=$2 ;;
	*) vc_die "unknown option $1" ;;
	esac
	shift 2
done

vc_test_begin mac-loopback "$mem"

sock=$VC_SOCKDIR/vhost.sock
vc_start_vhost vhost "$sock" mac

mapfile -t fm < <(vc_eal_mem_args frontend)
mapfile -t fe < <(vc_frontend_eal_args "$drv" "$sock" "$devargs")
vc_start -i front 1 2 "$VC_TESTPMD" "${fm[@]}" --no-pci "${fe[@]}" -- \
	-i --nb-cores=1 --forward-mode=rxonly "$VC_TESTPMD_MBUFS"
if ! vc_wait_log front '^testpmd> ' 30; then
	vc_dump_log front
	vc_dump_log vhost
	vc_check "frontend testpmd started" false
	vc_summary
	exit 1
fi
if ! grep -Eq '^Port 0: ([0-9A-F]{2}:){5}[0-9A-F]{2}' "${VC_LOGF[front]}"; then
	vc_check "frontend port 0 probed and configured" false
	vc_dump_log front
	vc_summary
	exit 1
fi

if [ "$(vc_vdev_kind)" = ours ]; then
	[ "$bursts" = packed-auto ] && bursts=$(vc_packed_bursts_expected)
	vc_tp_cmd front "show rxq info 0 0"
	vc_tp_cmd front "show txq info 0 0"
	deadline=$(($(vc_now_ms) + 5000))
	while [ "$(vc_count_blocks "${VC_LOGF[front]}" '^Burst mode: ')" -lt 2 ] &&
	      [ "$(vc_now_ms)" -lt "$deadline" ]; do
		sleep 0.05
	done
	vc_check_eq "show rxq info: Number of RXDs" \
		"$(sed -n 's/^Number of RXDs: //p' "${VC_LOGF[front]}" | tail -n1)" 256
	vc_check_eq "show txq info: Number of TXDs" \
		"$(sed -n 's/^Number of TXDs: //p' "${VC_LOGF[front]}" | tail -n1)" 256
	modes=$(sed -n 's/^Burst mode: //p' "${VC_LOGF[front]}" | paste -sd,)
	if [ -n "$bursts" ]; then
		vc_check_eq "show rxq/txq info: Burst mode" "$modes" "$bursts,$bursts"
	else
		vc_check "show rxq/txq info: a burst mode each ($modes)" \
			test "$(vc_count_blocks "${VC_LOGF[front]}" '^Burst mode: .')" -eq 2
	fi
fi

declare -A fs=() vs=()

# Both ports' statistics into fs (frontend) and vs (vhost).
snap() {
	vc_tp_port_stats front 0 fs && vc_tp_port_stats vhost 0 vs
}

# wait_counts WANT_FRONT_RX: polls until the frontend received WANT (or,
# with "drain", until every counter agrees), at most 10 s.
wait_counts() {
	local deadline=$(($(vc_now_ms) + 10000))
	while [ "$(vc_now_ms)" -lt "$deadline" ]; do
		snap || return 1
		if [ "$1" = drain ]; then
			[ "${fs[rx-packets]}" = "${vs[tx-packets]}" ] &&
			[ "${fs[tx-packets]}" = "${vs[rx-packets]}" ] && return 0
		else
			[ "${fs[rx-packets]}" -ge "$1" ] && return 0
		fi
		sleep 0.05
	done
	return 1
}

# check_all WHAT PACKETS SIZE: all four counters carry PACKETS frames of SIZE
# bytes and neither port counted an error.
check_all() {
	local what=$1 n=$2 size=$3 k
	# A port whose statistics could not be read fails every check.
	for k in rx-packets rx-bytes rx-errors rx-missed rx-nombuf tx-packets tx-bytes tx-errors; do
		fs[$k]=${fs[$k]:-none}
		vs[$k]=${vs[$k]:-none}
	done
	vc_check_eq "$what: frontend TX-packets" "${fs[tx-packets]}" "$n"
	vc_check_eq "$what: vhost RX-packets" "${vs[rx-packets]}" "$n"
	vc_check_eq "$what: vhost TX-packets" "${vs[tx-packets]}" "$n"
	vc_check_eq "$what: frontend RX-packets" "${fs[rx-packets]}" "$n"
	vc_check_eq "$what: frontend TX-bytes" "${fs[tx-bytes]}" "$((n * size))"
	vc_check_eq "$what: vhost RX-bytes" "${vs[rx-bytes]}" "$((n * size))"
	vc_check_eq "$what: vhost TX-bytes" "${vs[tx-bytes]}" "$((n * size))"
	vc_check_eq "$what: frontend RX-bytes" "${fs[rx-bytes]}" "$((n * size))"
	vc_check_eq "$what: errors, missed, nombuf (frontend)" \
		"${fs[rx-errors]}/${fs[rx-missed]}/${fs[rx-nombuf]}/${fs[tx-errors]}" 0/0/0/0
	vc_check_eq "$what: errors, missed, nombuf (vhost)" \
		"${vs[rx-errors]}/${vs[rx-missed]}/${vs[rx-nombuf]}/${vs[tx-errors]}" 0/0/0/0
}

for size in $sizes; do
	# 1. Fixed count.
	vc_tp_cmd front "set txpkts $size"
	vc_tp_cmd front "set fwd rxonly"
	vc_tp_cmd front "clear port stats all"
	vc_tp_cmd vhost "clear port stats all"
	want=0
	for ((r = 0; r < rounds; r++)); do
		want=$((want + 4 * 32))
		vc_tp_cmd front "start tx_first 4"
		if ! wait_counts "$want"; then
			# Stop at the first round that does not come back: the
			# counters below say how far it got.
			vc_check "$size B, fixed count: round $r's 128 frames back within 10 s" false
			vc_tp_cmd front stop
			break
		fi
		vc_tp_cmd front stop
	done
	snap || { vc_dump_log front; vc_dump_log vhost; }
	check_all "$size B, fixed count" "$want" "$size"

	# 2. Continuous mac forwarding, then drain and compare.
	vc_tp_cmd front "clear port stats all"
	vc_tp_cmd vhost "clear port stats all"
	vc_tp_cmd front "set fwd mac"
	vc_tp_cmd front "start tx_first"
	sleep "$seconds"
	vc_tp_cmd front stop
	vc_tp_cmd front "set fwd rxonly"
	vc_tp_cmd front start
	drained=yes
	wait_counts drain || drained=no
	vc_tp_cmd front stop
	snap || true
	n=${fs[tx-packets]:-0}
	vc_check "$size B, continuous: frames looped ($n) > 1000" [ "$n" -gt 1000 ]
	[ "$n" -gt 0 ] || n=1	# nothing looped: the equalities below must fail
	vc_check_eq "$size B, continuous: counters agree after drain" "$drained" yes
	check_all "$size B, continuous" "$n" "$size"
done

vc_tp_cmd front quit || true
vc_wait_exit front 10 || vc_check "frontend testpmd exits cleanly on quit" false
vc_tp_cmd vhost quit || true
vc_wait_exit vhost 10 || vc_check "vhost testpmd exits cleanly on quit" false
vc_summary
