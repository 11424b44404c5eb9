#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# The backend dies and comes back under traffic in both directions.  The
# frontend under test (interactive testpmd, io mode) and a vhost testpmd
# (io mode) forward to each other the frames the vhost side injects with
# "start tx_first": they circulate, and every side counts what it
# receives and sends.  The vhost testpmd is SIGKILLed, by PID, and
# restarted CYCLES times.  Each cycle checks that:
#   - the frontend testpmd keeps running and reports the link going down
#     ("Port 0: link state change event", "show port info 0": down);
#   - once the new backend is up (it took the vhost-user connection), link
#     comes back (a second LSC event: rings restored) within 1 s;
#   - traffic resumes both ways within 1 s of the backend being up: the
#     new backend receives frames from the frontend and sends frames the
#     frontend receives (its rx-packets and tx-packets > 0; the frontend's
#     rx-packets and tx-packets grew since the link went down); the time
#     includes reading the counters through testpmd (~0.45 s);
#   - the frontend's mempool is back at its baseline: both sides stop
#     forwarding, the frontend stops port 0 (dev_stop takes back every
#     mbuf its RX and TX rings held, also those the dead backend had
#     taken), and "dump_mempool mb_pool_0" then gives the in-use count
#     (populated_size - common_pool_count - the lcore caches).  The
#     baseline is that count measured the same way before the first kill,
#     after traffic flowed once.  The port is then started again and the
#     traffic restarted, so that the next kill happens under traffic;
#   - the frontend's open fd count (/proc/PID/fd) does not grow.
# Client mode (default): the frontend connects, the vhost side listens.
# --server: the frontend listens (server=1), vhost connects (client=1).
#
# --expect-reset: a device that cannot be restored onto the new backend:
# the first backend offers TSO (net_vhost tso=1) and the frontend turns
# it on (TX TSO offload), the ones after it do not offer it.  After each
# reconnect the device reports DEVICE_NEEDS_RESET with the reason and the
# link stays down; "port stop" + "port start" then bring the link up and
# traffic back on the same backend (negotiated afresh, without TSO), with
# no leak.
#
# usage: reconnect.sh DRIVER_SO [SEQCHECK_APP] [--mem huge|nohuge|auto]
#        [--cycles N] [--server] [--devargs K=V[,K=V]] [--expect-reset]
# Environment: VC_RECONNECT_CYCLES_MAX caps --cycles (devtools/sanitize.sh:
# the sanitized build takes the same paths in 3 cycles; the endurance runs
# are the plain build's).
set -euo pipefail
. "$(dirname "$0")/../../devtools/lib.sh"

[ $# -ge 1 ] || { sed -n '3,38p' "$0"; exit 2; }
drv=$1
shift
[ $# -gt 0 ] && [ "${1#--}" = "$1" ] && shift	# the seqcheck app: unused
mem=auto cycles=5 server=0 devargs= reset=0
while [ $# -gt 0 ]; do
	case "$1" in
	--mem) mem=$2 ;;
	--cycles) cycles=$2 ;;
	--server) server=1; shift; continue ;;
	--expect-reset) reset=1; shift; continue ;;
	--devargs) devargs=$2 ;;
	*) vc_die "unknown option $1" ;;
	esac
	shift 2
done
[ "$(vc_vdev_kind)" = ours ] || { echo "reconnect: SKIP: ours only"; exit 77; }
max=${VC_RECONNECT_CYCLES_MAX:-$cycles}
[ "$cycles" -le "$max" ] || cycles=$max

vc_test_begin "reconnect-$([ $server = 1 ] && echo server || echo client)" "$mem"
sock=$VC_SOCKDIR/vhost.sock

# start_vhost NAME: the backend, io mode, forwarding not started yet
# (inject starts it once the frontend's link is up).
start_vhost() {
	local m v="net_vhost0,iface=$sock,queues=1"
	[ $server = 1 ] && v+=",client=1"
	[ $reset = 1 ] && [ "$1" = vhost0 ] && v+=",tso=1"
	mapfile -t m < <(vc_eal_mem_args vhost)
	vc_start -i "$1" 0 2 "$VC_TESTPMD" "${m[@]}" --no-pci --vdev "$v" -- \
		-i --nb-cores=1 --forward-mode=io "$VC_TESTPMD_MBUFS"
	# The vhost library logs from its own thread, onto the prompt's line
	# or even into the middle of the prompt ("teVHOST_CONFIG: ...
	# stpmd> "): its "new device" line (client=1 connects while testpmd
	# starts) says as well that the port runs.  Commands sent before the
	# prompt wait in the fifo.
	vc_wait_log "$1" '(testpmd> |new device, handle is)' 30
}

# inject NAME: (re)starts the backend's forwarding with 4 bursts of its
# own; the frontend sends them back, and so on.
inject() {
	vc_tp_cmd "$1" stop
	vc_tp_cmd "$1" "start tx_first 4"
}

# lsc_count: LSC events the frontend printed so far.
lsc_count() { vc_count_blocks "${VC_LOGF[front]}" 'Port 0: link state change event'; }

# link_is STATE: "show port info 0" says Link status: STATE.
link_is() {
	local n
	n=$(vc_count_blocks "${VC_LOGF[front]}" '^Link status: ')
	vc_tp_cmd front "show port info 0"
	for _ in $(seq 100); do
		[ "$(vc_count_blocks "${VC_LOGF[front]}" '^Link status: ')" -gt "$n" ] && break
		sleep 0.02
	done
	[ "$(grep -E '^Link status: ' "${VC_LOGF[front]}" | tail -n 1)" = "Link status: $1" ]
}

# wait_link_up: link_is up, retried for 10 s.
wait_link_up() {
	local deadline=$(($(vc_now_ms) + 10000))
	until link_is up; do
		[ "$(vc_now_ms)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# wait_lsc N: waits (5 s) until at least N LSC events were printed.
wait_lsc() {
	local deadline=$(($(vc_now_ms) + 5000))
	while [ "$(lsc_count)" -lt "$1" ]; do
		[ "$(vc_now_ms)" -lt "$deadline" ] || return 1
		sleep 0.01
	done
}

# front_counts: "RX TX" packets of the frontend's port 0.
front_counts() {
	declare -A fs=()
	vc_tp_port_stats front 0 fs 5 || { echo "0 0"; return; }
	echo "${fs[rx-packets]:-0} ${fs[tx-packets]:-0}"
}

# wait_both NAME FRONT_RX FRONT_TX: waits (10 s) until backend NAME
# received and sent frames and the frontend's RX and TX counters grew past
# FRONT_RX and FRONT_TX; prints ms.  Injects again once after 2 s when
# the backend's first bursts found no ring to go to (vhost drops what it
# cannot enqueue while the device is not ready yet).
wait_both() {
	local t0 deadline again=1 frx ftx
	declare -A vs=()
	t0=$(vc_now_ms)
	deadline=$((t0 + 10000))
	while [ "$(vc_now_ms)" -lt "$deadline" ]; do
		if vc_tp_port_stats "$1" 0 vs 2 && [ "${vs[rx-packets]:-0}" -gt 0 ] &&
		   [ "${vs[tx-packets]:-0}" -gt 0 ]; then
			read -r frx ftx < <(front_counts)
			if [ "$frx" -gt "$2" ] && [ "$ftx" -gt "$3" ]; then
				echo "$(($(vc_now_ms) - t0)) ms (backend rx ${vs[rx-packets]} tx ${vs[tx-packets]}, frontend rx +$((frx - $2)) tx +$((ftx - $3)))"
				return 0
			fi
		fi
		if [ $again = 1 ] && [ "$(vc_now_ms)" -gt $((t0 + 2000)) ]; then
			again=0
			inject "$1"
		fi
		sleep 0.05
	done
	return 1
}

# pool_in_use: the frontend's mb_pool_0 objects not in the pool's ring
# nor in an lcore cache, from "dump_mempool mb_pool_0".
pool_in_use() {
	local log=${VC_LOGF[front]} n deadline
	n=$(vc_count_blocks "$log" '^  common_pool_count=')
	vc_tp_cmd front "dump_mempool mb_pool_0"
	deadline=$(($(vc_now_ms) + 5000))
	while [ "$(vc_count_blocks "$log" '^  common_pool_count=')" -le "$n" ]; do
		[ "$(vc_now_ms)" -lt "$deadline" ] || { echo none; return; }
		sleep 0.02
	done
	awk '/^mempool <mb_pool_0>@/ { pop = 0; cached = 0; common = -1 }
	     /^  populated_size=/ { sub(/.*=/, ""); pop = $0 }
	     /^    cache_count\[[0-9]+\]=/ { sub(/.*=/, ""); cached += $0 }
	     /^  common_pool_count=/ { sub(/.*=/, ""); common = $0 }
	     END { if (common < 0) print "none"; else print pop - common - cached }' "$log"
}

# quiesce_in_use NAME: both sides stop forwarding, the frontend stops its
# port; prints the in-use count, then starts everything again and waits
# for traffic (so that the next kill is under traffic).  Returns 1 when
# the port or traffic did not come back.
quiesce_in_use() {
	local u r=0
	vc_tp_cmd "$1" stop
	vc_tp_cmd front stop
	vc_tp_cmd front "port stop 0"
	u=$(pool_in_use)
	vc_tp_cmd front "port start 0"
	wait_link_up || r=1
	vc_tp_cmd front start
	inject "$1"
	read -r frx ftx < <(front_counts)
	wait_both "$1" "$frx" "$ftx" >/dev/null || r=1
	echo "$u"
	return $r
}

fd_count() { ls "/proc/${VC_PID[front]}/fd" | wc -l; }

if [ $server = 0 ]; then
	start_vhost vhost0 || { vc_dump_log vhost0; vc_die "vhost did not start"; }
fi
mapfile -t fm < <(vc_eal_mem_args frontend)
fx=${devargs}
[ $server = 1 ] && fx+="${fx:+,}server=1"
mapfile -t fe < <(vc_frontend_eal_args "$drv" "$sock" "$fx")
tso=()
[ $reset = 1 ] && tso=(--tx-offloads=0x2c)	# TCP_TSO + TCP/UDP checksum
vc_start -i front 1 2 "$VC_TESTPMD" "${fm[@]}" --no-pci "${fe[@]}" -- \
	-i --nb-cores=1 --forward-mode=io "$VC_TESTPMD_MBUFS" "${tso[@]}"
vc_wait_log front '^testpmd> ' 30 || { vc_dump_log front; vc_die "frontend did not start"; }
if [ $server = 1 ]; then
	vc_wait_socket "$sock" 10 front || vc_die "frontend did not listen"
	start_vhost vhost0 || { vc_dump_log vhost0; vc_die "vhost did not start"; }
	vc_check "server mode: link up once the backend connected" wait_lsc 1
fi
vc_tp_cmd front start
vc_check "link up before the first kill" wait_link_up
inject vhost0
ms=$(wait_both vhost0 0 0) || ms=none
vc_check "traffic flows both ways before the first kill (${ms})" [ "$ms" != none ]
base=none
base=$(quiesce_in_use vhost0) ||
	vc_check "port restarted, traffic back after the baseline measurement" false
vc_check "mempool baseline: $base mbufs in use with port 0 stopped" [ "$base" != none ]
fd0=$(fd_count)
worst=0 worst_traffic=0

for ((c = 1; c <= cycles; c++)); do
	prev=vhost$((c - 1))
	n=$(lsc_count)
	kill -KILL "${VC_PID[$prev]}"
	vc_stop "$prev" 1
	# A killed vhost-user server leaves its socket file, and a new one
	# refuses to bind over it: remove it, as its supervisor would.
	[ $server = 1 ] || rm -f "$sock"
	vc_check "cycle $c: LSC event for link down" wait_lsc $((n + 1))
	vc_check "cycle $c: link reported down" link_is down
	vc_check "cycle $c: frontend still running" vc_alive front
	read -r rx0 tx0 < <(front_counts)
	sleep 0.1	# traffic keeps trying while nobody serves the port
	start_vhost "vhost$c" || { vc_dump_log "vhost$c"; vc_check "cycle $c: backend restarted" false; break; }
	# "Back" is when the backend has the connection: DPDK's vhost picks
	# up a new listening socket or connection in its own poll loop, up
	# to 1 s after creating it.  "new device" in both modes ("new vhost
	# user connection" is only the listening side's).
	vc_wait_log "vhost$c" 'new device, handle is' 5 || true
	t_up=$(vc_now_ms)
	up=yes
	if [ $reset = 1 ]; then
		vc_check "cycle $c: the device asks for a reset, reason logged" \
			vc_wait_log front 'device needs reset: the new backend: lacks negotiated features' 10
		vc_check "cycle $c: link stays down until the port restarts" link_is down
		# quiesce_in_use restarts the port: link up, traffic back.
		u=none
		u=$(quiesce_in_use "vhost$c") ||
			vc_check "cycle $c: port restarted, link up, traffic back" false
		vc_check "cycle $c: link reported up after the restart" link_is up
		vc_check_eq "cycle $c: frontend mempool in use with port 0 stopped (baseline $base)" "$u" "$base"
		vc_check_eq "cycle $c: frontend fd count" "$(fd_count)" "$fd0"
		continue
	fi
	wait_lsc $((n + 2)) || up=no
	lsc_ms=$(($(vc_now_ms) - t_up))
	# Traffic is timed first, before testpmd is asked anything else:
	# from the backend being up to both sides' counters having moved,
	# read through testpmd's CLI (most of the time measured).
	inject "vhost$c"
	ms=$(wait_both "vhost$c" "$rx0" "$tx0") || ms=none
	traffic_ms=$(($(vc_now_ms) - t_up))
	vc_check_eq "cycle $c: LSC event for link up" "$up" yes
	vc_check "cycle $c: link up (device restored) within 1 s of the backend being up ($lsc_ms ms)" [ "$lsc_ms" -le 1000 ]
	vc_check "cycle $c: traffic both ways within 1 s of the backend being up ($traffic_ms ms; ${ms})" \
		[ "$ms" != none -a "$traffic_ms" -le 1000 ]
	vc_check "cycle $c: link reported up" link_is up
	[ "$lsc_ms" -le "$worst" ] || worst=$lsc_ms
	[ "$traffic_ms" -le "$worst_traffic" ] || worst_traffic=$traffic_ms
	u=none
	u=$(quiesce_in_use "vhost$c") ||
		vc_check "cycle $c: port restarted, traffic back after the mempool check" false
	vc_check_eq "cycle $c: frontend mempool in use with port 0 stopped (baseline $base)" "$u" "$base"
	vc_check_eq "cycle $c: frontend fd count" "$(fd_count)" "$fd0"
done
echo "worst time from backend up to link up: $worst ms, to traffic both ways: $worst_traffic ms"
vc_tp_cmd front stop
vc_check "frontend still running at the end" vc_alive front
vc_stop front
vc_check_eq "frontend exit status" "${VC_RC[front]}" 0
vc_summary
