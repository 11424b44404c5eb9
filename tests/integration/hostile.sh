#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# A hostile backend: tests/apps/vu_hostile (devsim's codec on the backend
# side) breaks the vhost-user protocol or the ring protocol in one way per
# case, and the frontend under test (interactive testpmd, rxonly, our
# driver loaded with -d) must survive it.  Each case starts vu_hostile and
# the frontend, and checks what a user sees:
#   malformed replies (wrong request code, oversize, truncated, a reply
#   carrying an fd, an unsolicited reply) during the probe handshake:
#     - the probe fails with a logged reason naming the problem, within a
#       bounded time (truncated waits for devsim's 10 s reply timeout);
#     - testpmd does not crash: it reaches its prompt with no port and
#       quits with exit status 0;
#     - no fd is kept: the backend sees the frontend close the socket
#       (EOF), and no fd of testpmd points at the memfd vu_hostile sent;
#   a malformed reply after the probe (GET_STATUS at port start): the port
#   does not start, the reason is logged, testpmd quits cleanly;
#   an unsolicited message while the device runs: the link goes down
#   with a logged reason;
#   bad used entries in RX vring 0 once the driver posted buffers:
#     - split ring, id out of range / not outstanding / len too large: the
#       entry is dropped and counted (xstat rx_q0_invalid_used), the link
#       stays up and the queue keeps working;
#     - split used index jumping by more than the ring size, packed used
#       descriptor with the wrong wrap bits or an id out of range: the
#       queue latches broken, an LSC event is raised, "show port info"
#       reports link down and the log names the reason;
#     - in every case `quit` ends testpmd with status 0 (and, under the
#       sanitizers, without a report).
#
# usage: hostile.sh DRIVER_SO [SEQCHECK_APP] --hostile VU_HOSTILE
#        [--mem huge|nohuge|auto] [--cases "NAME ..."]
set -euo pipefail
. "$(dirname "$0")/../../devtools/lib.sh"

[ $# -ge 1 ] || { sed -n '3,35p' "$0"; exit 2; }
drv=$1
shift
[ $# -gt 0 ] && [ "${1#--}" = "$1" ] && shift	# the seqcheck app: unused
mem=auto hostile= cases=
while [ $# -gt 0 ]; do
	case "$1" in
	--mem) mem=$2 ;;
	--hostile) hostile=$2 ;;
	--cases) cases=$2 ;;
	*) vc_die "unknown option $1" ;;
	esac
	shift 2
done
[ -x "$hostile" ] || vc_die "--hostile: vu_hostile not found (build it first)"
[ "$(vc_vdev_kind)" = ours ] || { echo "hostile: SKIP: ours only"; exit 77; }

# case name -> "mode at expected-frontend-log-regex"
# (at: the request whose reply is malformed; - for ring modes)
declare -A probe_cases=(
	[wrong-request]='wrong-request GET_FEATURES GET_FEATURES: bad reply \(request GET_PROTOCOL_FEATURES .*\): reply to another request'
	[wrong-request-pf]='wrong-request GET_PROTOCOL_FEATURES GET_PROTOCOL_FEATURES: bad reply \(request GET_FEATURES .*\): reply to another request'
	[oversize]='oversize GET_PROTOCOL_FEATURES bad header \(request 15 flags 0x5 size [0-9]+\): payload too large for the request'
	[truncated]='truncated GET_FEATURES GET_FEATURES: receiving 8 payload bytes: backend did not answer in time'
	[bad-fds]='bad-fds GET_FEATURES GET_FEATURES: invalid message with 1 fd\(s\): reply carries file descriptors'
	[unsolicited]='unsolicited GET_FEATURES GET_FEATURES: bad reply \(request GET_VRING_BASE .*\): reply to another request'
)
# case name -> "mode devargs expected-reason-regex" (latched broken)
declare -A latch_cases=(
	[used-idx-jump]='used-idx-jump - used index moved past what was made available'
	[packed-wrap]='packed-wrap packed_vq=1 used descriptor with a wrong wrap counter'
	[packed-id-range]='packed-id-range packed_vq=1 used buffer id out of range'
)
# case name -> "mode" (dropped and counted, split rings)
declare -A drop_cases=(
	[used-id-range]=used-id-range
	[used-id-stale]=used-id-stale
	[used-len]=used-len
)
all_cases="wrong-request wrong-request-pf oversize truncated bad-fds unsolicited
	start-status unsolicited-idle used-id-range used-id-stale used-len
	used-idx-jump packed-wrap packed-id-range"
cases=${cases:-$all_cases}

vc_test_begin hostile "$mem"
sock=$VC_SOCKDIR/vhost.sock
mapfile -t fm < <(vc_eal_mem_args frontend)

# start_hostile NAME MODE AT: vu_hostile in the background, registered with
# lib.sh's process table (stopped by PID like the others; no EAL prefix).
start_hostile() {
	local name=$1
	VC_LOGF[$name]="$VC_SOCKDIR/$name.log"
	VC_PREFIX[$name]=
	local at=()
	[ "$3" = - ] || at=(--at "$3")
	rm -f "$sock"
	stdbuf -oL -eL "$hostile" --socket "$sock" --mode "$2" "${at[@]}" \
		</dev/null >"${VC_LOGF[$name]}" 2>&1 &
	VC_PID[$name]=$!
	VC_ORDER+=("$name")
	vc_wait_socket "$sock" 10 "$name"
}

# start_front NAME [DEVARGS]: the frontend under test, interactive, rxonly.
start_front() {
	local fe
	mapfile -t fe < <(vc_frontend_eal_args "$drv" "$sock" "${2:-}")
	vc_start -i "$1" 1 2 "$VC_TESTPMD" "${fm[@]}" --no-pci "${fe[@]}" -- \
		-i --nb-cores=1 --forward-mode=rxonly "$VC_TESTPMD_MBUFS"
}

# link_is NAME STATE: "show port info 0" says Link status: STATE.
link_is() {
	local f=${VC_LOGF[$1]} n
	n=$(vc_count_blocks "$f" '^Link status: ')
	vc_tp_cmd "$1" "show port info 0" || return 1
	for _ in $(seq 250); do
		[ "$(vc_count_blocks "$f" '^Link status: ')" -gt "$n" ] && break
		sleep 0.02
	done
	[ "$(grep -E '^Link status: ' "$f" | tail -n 1)" = "Link status: $2" ]
}

# wait_link_down NAME: polls the link (10 s) until it reports down.
wait_link_down() {
	local deadline=$(($(vc_now_ms) + 10000))
	while [ "$(vc_now_ms)" -lt "$deadline" ]; do
		link_is "$1" down && return 0
		vc_alive "$1" || return 1
		sleep 0.1
	done
	return 1
}

# xstat NAME KEY: the value of xstat KEY of port 0 ("show port xstats 0").
xstat() {
	local f=${VC_LOGF[$1]} n
	n=$(vc_count_blocks "$f" "^$2: ")
	vc_tp_cmd "$1" "show port xstats 0" || return 1
	for _ in $(seq 250); do
		[ "$(vc_count_blocks "$f" "^$2: ")" -gt "$n" ] && break
		sleep 0.02
	done
	grep -E "^$2: " "$f" | tail -n 1 | sed 's/.*: *//'
}

# wait_xstat NAME KEY MIN: polls (10 s) until xstat KEY >= MIN; prints it.
wait_xstat() {
	local deadline=$(($(vc_now_ms) + 10000)) v=
	while [ "$(vc_now_ms)" -lt "$deadline" ]; do
		v=$(xstat "$1" "$2") || true
		[ -n "$v" ] && [ "$v" -ge "$3" ] && break
		vc_alive "$1" || break
		sleep 0.1
	done
	echo "${v:-none}"
}

# fds_to NAME PATTERN: how many fds of NAME's process point at PATTERN.
fds_to() {
	local pid=${VC_PID[$1]} n
	n=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 -printf '%l\n' 2>/dev/null |
		grep -c -- "$2") || true
	echo "${n:-0}"
}

no_sanitizer_report() {
	! grep -Eq 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "${VC_LOGF[$1]}"
}

# finish NAME HNAME: quit the frontend, both must exit 0.
finish() {
	local rc=0
	vc_tp_cmd "$1" quit || true
	vc_wait_exit "$1" 30 || rc=$?
	vc_check_eq "$1: testpmd quit, exit status" "$rc" 0
	vc_check "$1: no sanitizer report" no_sanitizer_report "$1"
	rc=0
	vc_wait_exit "$2" 10 || rc=$?
	vc_check_eq "$2: vu_hostile exit status (frontend closed the connection)" "$rc" 0
	vc_check "$2: frontend closed its socket" grep -q 'frontend closed the connection' "${VC_LOGF[$2]}"
}

# A malformed reply during the probe handshake.
probe_case() {
	local c=$1 mode at re t0 ms f=front-$1 h=hv-$1
	read -r mode at re <<<"${probe_cases[$c]}"
	start_hostile "$h" "$mode" "$at" || { vc_check "$c: vu_hostile started" false; return; }
	t0=$(vc_now_ms)
	start_front "$f"
	if ! vc_wait_log "$f" '^testpmd> ' 60; then
		vc_dump_log "$f"
		vc_check "$c: testpmd survived the probe failure and reached its prompt" false
		vc_stop "$f"; vc_stop "$h"
		return
	fi
	ms=$(($(vc_now_ms) - t0))
	vc_check "$c: testpmd running after the probe failed ($ms ms)" vc_alive "$f"
	vc_check "$c: vu_hostile misbehaved" grep -q 'misbehaving:' "${VC_LOGF[$h]}"
	vc_check "$c: reason logged: /$re/" grep -Eq -- "$re" "${VC_LOGF[$f]}"
	vc_check "$c: probe failed" grep -Eq 'failed to initialize net_virtio_container0|No probed ethernet devices' "${VC_LOGF[$f]}"
	vc_check "$c: over within 30 s ($ms ms)" [ "$ms" -le 30000 ]
	vc_check_eq "$c: testpmd fds pointing at the memfd vu_hostile sent" "$(fds_to "$f" vu_hostile_stray)" 0
	vc_check "$c: backend saw the frontend close its socket" \
		vc_wait_log "$h" 'frontend closed the connection' 10
	finish "$f" "$h"
}

# A malformed reply after the probe: GET_STATUS (FEATURES_OK read back) at
# port start.  The port stays, stopped; testpmd goes on.
start_status_case() {
	local c=start-status f=front-start-status h=hv-start-status
	local re='GET_STATUS: bad reply \(request GET_FEATURES .*\): reply to another request'
	start_hostile "$h" wrong-request GET_STATUS || { vc_check "$c: vu_hostile started" false; return; }
	start_front "$f"
	if ! vc_wait_log "$f" '^testpmd> ' 60; then
		vc_dump_log "$f"
		vc_check "$c: testpmd reached its prompt" false
		vc_stop "$f"; vc_stop "$h"
		return
	fi
	vc_check "$c: testpmd running" vc_alive "$f"
	vc_check "$c: reason logged: /$re/" grep -Eq -- "$re" "${VC_LOGF[$f]}"
	vc_check "$c: port 0 did not start" grep -Eq 'Fail to start port 0|Port 0 can not be set into started' "${VC_LOGF[$f]}"
	vc_check_eq "$c: testpmd fds pointing at the memfd" "$(fds_to "$f" vu_hostile_stray)" 0
	finish "$f" "$h"
}

# ring_setup C MODE DEVARGS: both processes up, forwarding started,
# vu_hostile wrote its bad entry.  Returns 1 (after a failed check) if not.
ring_setup() {
	local c=$1 f=front-$1 h=hv-$1
	start_hostile "$h" "$2" - || { vc_check "$c: vu_hostile started" false; return 1; }
	start_front "$f" "$3"
	if ! vc_wait_log "$f" '^testpmd> ' 60; then
		vc_dump_log "$f"
		vc_check "$c: testpmd started" false
		vc_stop "$f"; vc_stop "$h"
		return 1
	fi
	vc_tp_cmd "$f" start
	if ! vc_wait_log "$h" 'misbehaving:' 20; then
		vc_dump_log "$h"
		vc_check "$c: vu_hostile wrote its bad entry" false
		vc_stop "$f"; vc_stop "$h"
		return 1
	fi
}

# Latched broken: link down, reason logged.
latch_case() {
	local c=$1 mode da re f=front-$1 h=hv-$1 n
	read -r mode da re <<<"${latch_cases[$c]}"
	[ "$da" = - ] && da=
	ring_setup "$c" "$mode" "$da" || return 0
	vc_check "$c: LSC event (link down)" \
		vc_wait_log "$f" '^Port 0: link state change event' 10
	vc_check "$c: link reported down" wait_link_down "$f"
	vc_check "$c: reason logged: /$re/" \
		grep -Eq -- "virtqueue 0 stopped, the device broke the ring: $re" "${VC_LOGF[$f]}"
	n=$(xstat "$f" rx_q0_invalid_used) || n=none
	echo "   $c: rx_q0_invalid_used = $n"
	vc_check "$c: testpmd still running" vc_alive "$f"
	vc_tp_cmd "$f" stop
	finish "$f" "$h"
}

# Dropped and counted: invalid_used 1, link up.
drop_case() {
	local c=$1 f=front-$1 h=hv-$1 v
	declare -A st=()
	ring_setup "$c" "${drop_cases[$c]}" "" || return 0
	v=$(wait_xstat "$f" rx_q0_invalid_used 1)
	vc_check_eq "$c: rx_q0_invalid_used" "$v" 1
	vc_check "$c: link still up (the entry was dropped, the queue works)" link_is "$f" up
	vc_check "$c: testpmd still running" vc_alive "$f"
	if [ "$c" = used-id-stale ] && vc_tp_port_stats "$f" 0 st 10; then
		vc_check_eq "$c: the valid completion before the stale one was received" \
			"${st[rx-packets]}" 1
	fi
	vc_tp_cmd "$f" stop
	finish "$f" "$h"
}

# An unsolicited message while the device runs: link down, reason logged.
idle_case() {
	local c=unsolicited-idle f=front-unsolicited-idle h=hv-unsolicited-idle
	ring_setup "$c" unsolicited-idle "" || return 0
	vc_check "$c: reason logged" vc_wait_log "$f" 'unsolicited message from the backend' 10
	vc_check "$c: LSC event (link down)" \
		vc_wait_log "$f" '^Port 0: link state change event' 10
	vc_check "$c: link reported down" wait_link_down "$f"
	vc_check "$c: testpmd still running" vc_alive "$f"
	vc_tp_cmd "$f" stop
	finish "$f" "$h"
}

for c in $cases; do
	echo "-- $c"
	if [ -n "${probe_cases[$c]:-}" ]; then
		probe_case "$c"
	elif [ -n "${latch_cases[$c]:-}" ]; then
		latch_case "$c"
	elif [ -n "${drop_cases[$c]:-}" ]; then
		drop_case "$c"
	elif [ "$c" = start-status ]; then
		start_status_case
	elif [ "$c" = unsolicited-idle ]; then
		idle_case
	else
		vc_die "unknown case $c"
	fi
done
vc_summary
