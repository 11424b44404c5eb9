#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# The backend dies and comes back under traffic.  The frontend under test
# (interactive testpmd, txonly: it sends all the time) talks to a vhost
# testpmd (rxonly) that is SIGKILLed, by PID, and restarted CYCLES times.
# Each cycle checks that:
#   - the frontend testpmd keeps running and reports the link going down
#     ("Port 0: link state change event", "show port info 0": down);
#   - once the new backend is up (it took the vhost-user connection), link
#     comes back (a second LSC event: rings restored) within 1 s, and the
#     new backend receives frames (time printed; polling its counters
#     through testpmd costs ~250 ms per look, so that time is coarse);
#   - the frontend's open fd count (/proc/PID/fd) does not grow.
# Client mode (default): the frontend connects, the vhost side listens.
# --server: the frontend listens (server=1), vhost connects (client=1).
#
# usage: reconnect.sh DRIVER_SO [SEQCHECK_APP] [--mem huge|nohuge|auto]
#        [--cycles N] [--server] [--devargs K=V[,K=V]]
set -euo pipefail
. "$(dirname "$0")/../../devtools/lib.sh"

[ $# -ge 1 ] || { sed -n '3,20p' "$0"; exit 2; }
drv=$1
shift
[ $# -gt 0 ] && [ "${1#--}" = "$1" ] && shift	# the seqcheck app: unused
mem=auto cycles=5 server=0 devargs=
while [ $# -gt 0 ]; do
	case "$1" in
	--mem) mem=$2 ;;
	--cycles) cycles=$2 ;;
	--server) server=1; shift; continue ;;
	--devargs) devargs=$2 ;;
	*) vc_die "unknown option $1" ;;
	esac
	shift 2
done
[ "$(vc_vdev_kind)" = ours ] || { echo "reconnect: SKIP: ours only"; exit 77; }

vc_test_begin "reconnect-$([ $server = 1 ] && echo server || echo client)" "$mem"
sock=$VC_SOCKDIR/vhost.sock

# start_vhost NAME: the backend, rxonly, forwarding started.
start_vhost() {
	local m v="net_vhost0,iface=$sock,queues=1"
	[ $server = 1 ] && v+=",client=1"
	mapfile -t m < <(vc_eal_mem_args vhost)
	vc_start -i "$1" 0 2 "$VC_TESTPMD" "${m[@]}" --no-pci --vdev "$v" -- \
		-i --nb-cores=1 --forward-mode=rxonly "$VC_TESTPMD_MBUFS"
	# Not anchored: in client mode the vhost library logs from its own
	# thread and may print on the prompt's line.
	vc_wait_log "$1" 'testpmd> ' 30 || return 1
	vc_tp_cmd "$1" start
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

# wait_lsc N: waits (5 s) until at least N LSC events were printed.
wait_lsc() {
	local deadline=$(($(vc_now_ms) + 5000))
	while [ "$(lsc_count)" -lt "$1" ]; do
		[ "$(vc_now_ms)" -lt "$deadline" ] || return 1
		sleep 0.01
	done
}

# wait_rx NAME: waits (5 s) until backend NAME received frames; prints ms.
wait_rx() {
	local t0 deadline
	declare -A vs=()
	t0=$(vc_now_ms)
	deadline=$((t0 + 5000))
	while [ "$(vc_now_ms)" -lt "$deadline" ]; do
		if vc_tp_port_stats "$1" 0 vs 2 && [ "${vs[rx-packets]:-0}" -gt 0 ]; then
			echo $(($(vc_now_ms) - t0))
			return 0
		fi
		sleep 0.02
	done
	return 1
}

fd_count() { ls "/proc/${VC_PID[front]}/fd" | wc -l; }

if [ $server = 0 ]; then
	start_vhost vhost0 || { vc_dump_log vhost0; vc_die "vhost did not start"; }
fi
mapfile -t fm < <(vc_eal_mem_args frontend)
fa="path=$sock${devargs:+,$devargs}"
[ $server = 1 ] && fa+=",server=1"
drvp=$(realpath "$drv")
vc_start -i front 1 2 "$VC_TESTPMD" "${fm[@]}" --no-pci -d "$drvp" \
	--vdev "net_virtio_container0,$fa" -- \
	-i --nb-cores=1 --forward-mode=txonly "$VC_TESTPMD_MBUFS"
vc_wait_log front '^testpmd> ' 30 || { vc_dump_log front; vc_die "frontend did not start"; }
if [ $server = 1 ]; then
	vc_wait_socket "$sock" 10 front || vc_die "frontend did not listen"
	start_vhost vhost0 || { vc_dump_log vhost0; vc_die "vhost did not start"; }
	vc_check "server mode: link up once the backend connected" wait_lsc 1
fi
vc_tp_cmd front start
ms=$(wait_rx vhost0) || ms=none
vc_check "traffic flows before the first kill (${ms} ms)" [ "$ms" != none ]
fd0=$(fd_count)
worst=0

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
	sleep 0.3	# traffic keeps trying while nobody serves the port
	start_vhost "vhost$c" || { vc_dump_log "vhost$c"; vc_check "cycle $c: backend restarted" false; break; }
	# "Back" is when the backend serves its socket: DPDK's vhost picks
	# up a new listening socket or connection in its own poll loop, up
	# to 1 s after creating it.
	vc_wait_log "vhost$c" 'new vhost user connection' 5 || true
	t_up=$(vc_now_ms)
	up=yes
	wait_lsc $((n + 2)) || up=no
	lsc_ms=$(($(vc_now_ms) - t_up))
	vc_check_eq "cycle $c: LSC event for link up" "$up" yes
	vc_check "cycle $c: link up (device restored) within 1 s of the backend being up ($lsc_ms ms)" [ "$lsc_ms" -le 1000 ]
	ms=$(wait_rx "vhost$c") || ms=none
	ms=$([ "$ms" = none ] && echo none || echo $(($(vc_now_ms) - t_up)))
	vc_check "cycle $c: traffic resumed (new backend counted frames after $ms ms, counters polled every ~250 ms)" [ "$ms" != none ]
	vc_check "cycle $c: link reported up" link_is up
	[ "$lsc_ms" -le "$worst" ] || worst=$lsc_ms
	vc_check_eq "cycle $c: frontend fd count" "$(fd_count)" "$fd0"
done
echo "worst time from backend up to link up: $worst ms"
vc_tp_cmd front stop
vc_check "frontend still running at the end" vc_alive front
vc_stop front
vc_check_eq "frontend exit status" "${VC_RC[front]}" 0
vc_summary
