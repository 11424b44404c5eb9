#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# Hot-plug and hot-unplug while other ports forward.  examples/vc_l2fwd
# (driver linked in, one lcore) forwards port 0 <-> 1, created from --vdev
# and --port, through vhost testpmd A (two net_vhost ports, io mode,
# frames circulating after "start tx_first").  Through its command pipe
# the test then, CYCLES times:
#   1. adds port 2 and port 3 (rte_eal_hotplug_add) on the two sockets of
#      vhost testpmd B, and starts traffic there: ports 2 <-> 3 forward,
#      counters of both sides grow on both ports;
#   2. removes ports 3 and 2 (stop, close, rte_eal_hotplug_remove) while
#      that traffic still flows, then stops vhost B's forwarding.
# All along, ports 0 and 1 keep forwarding: their counters, sampled
# before and after every step, always grow.  The application's open file
# descriptors after each cycle are the same as before the first.  At the
# end SIGINT: exit status 0, every port released.
#
# usage: hotplug.sh DRIVER_SO [SEQCHECK_APP] --app VC_L2FWD [options]
#   --mem huge|nohuge|auto   memory mode (default auto)
#   --cycles N               add/remove cycles (default 2)
set -euo pipefail
. "$(dirname "$0")/../../devtools/lib.sh"

[ $# -ge 1 ] || { sed -n '3,24p' "$0"; exit 2; }
shift	# the driver .so: the application links the driver
[ $# -gt 0 ] && [ "${1#--}" = "$1" ] && shift	# the seqcheck app: unused
app='' mem=auto cycles=2
while [ $# -gt 0 ]; do
	case "$1" in
	--app) app=$2 ;;
	--mem) mem=$2 ;;
	--cycles) cycles=$2 ;;
	*) vc_die "unknown option $1" ;;
	esac
	shift 2
done

if [ "$(vc_vdev_kind)" != ours ]; then
	echo "hotplug: SKIP: the application links net_virtio_container (VC_VDEV=$VC_VDEV)"
	exit 77
fi
vc_test_begin hotplug "$mem"
[ -x "$app" ] || vc_die "--app: vc_l2fwd not found at '$app' (build first)"

d=$VC_SOCKDIR
mapfile -t vm < <(vc_eal_mem_args vhost)
for v in A B; do
	vc_start -i "vh$v" 0 2 "$VC_TESTPMD" "${vm[@]}" --no-pci \
		--vdev "net_vhost0,iface=$d/${v}0.sock" \
		--vdev "net_vhost1,iface=$d/${v}1.sock" -- \
		-i --nb-cores=1 --forward-mode=io "$VC_TESTPMD_MBUFS"
done
for s in A0 A1 B0 B1; do
	vc_wait_socket "$d/$s.sock" 20 "vh${s%?}" || { vc_dump_log "vh${s%?}"; exit 1; }
done

mapfile -t am < <(vc_eal_mem_args app)
cmd=$d/l2fwd.cmd
vc_start app 1 1 "$app" "${am[@]}" --no-pci \
	--vdev "net_virtio_container0,path=$d/A0.sock" -- \
	--port "$d/A1.sock" --cmd-fifo "$cmd" --stats-period 1
if ! vc_wait_log app '^forwarding on lcore' 30; then
	vc_dump_log app
	vc_check "vc_l2fwd started with ports 0 and 1" false
	vc_summary
	exit 1
fi
pid=${VC_PID[app]}
# Read-write, like the application: never blocks, even if it died.
exec {cfd}<>"$cmd"
log=${VC_LOGF[app]}

# app_cmd COMMAND REGEX: sends COMMAND, waits for its answer.
app_cmd() {
	local before
	before=$(vc_count_blocks "$log" '^cmd: ')
	printf '%s\n' "$1" >&"$cfd"
	local deadline=$(($(vc_now_ms) + 20000))
	while [ "$(vc_now_ms)" -lt "$deadline" ]; do
		if [ "$(vc_count_blocks "$log" '^cmd: ')" -gt "$before" ]; then
			grep '^cmd: ' "$log" | tail -n1
			return 0
		fi
		vc_alive app || break
		sleep 0.02
	done
	echo "no answer to '$1'"
}

# app_stats VAR: the application's totals per port (VAR[P] = "rx tx drop").
stats_seq=0
app_stats() {
	local -n _as=$1
	local p rx tx dr
	stats_seq=$((stats_seq + 1))
	_as=()
	[[ "$(app_cmd stats)" == "cmd: stats: ok: $stats_seq" ]] || return 1
	while read -r p rx tx dr; do
		_as[$p]="$rx $tx $dr"
	done < <(awk -v seq="$stats_seq" '
		/^cmd: stats: ok: / { if ($4 == seq) { for (i = 0; i < n; i++) print l[i]; exit } n = 0; next }
		/^stats port / { sub(":", "", $3); l[n++] = $3 " " $5 " " $7 " " $9 }' "$log")
}

# Ports 0 and 1 moved on since the last call; STEP names the moment.
declare -A prev=() cur=()
check_01() {
	local step=$1 p a b
	app_stats cur || { vc_check "$step: stats answered" false; return; }
	for p in 0 1; do
		read -r a _ <<<"${prev[$p]:-0 0 0}"
		read -r b _ <<<"${cur[$p]:-0 0 0}"
		vc_check "$step: port $p still forwarding (rx $a -> $b)" test "$b" -gt "$a"
		read -r _ a _ <<<"${prev[$p]:-0 0 0}"
		read -r _ b _ <<<"${cur[$p]:-0 0 0}"
		[ "$b" -gt "$a" ] || vc_check "$step: port $p tx $a -> $b" false
	done
	prev=()
	for p in "${!cur[@]}"; do prev[$p]=${cur[$p]}; done
}

fds() { find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l; }

vc_tp_cmd vhA "start tx_first"
sleep 1
app_stats prev
fd0=$(fds)
check_01 "before hot-plug"
printf 'application: %s open fds with ports 0 and 1\n' "$fd0"

declare -A bs=()
for ((c = 1; c <= cycles; c++)); do
	for k in 0 1; do
		port=$((k + 2))
		r=$(app_cmd "add $d/B$k.sock")
		printf '%s\n' "$r"
		vc_check_eq "cycle $c: add port $port" "$r" "cmd: add $d/B$k.sock: ok: port $port"
		check_01 "cycle $c: after adding port $port"
	done
	printf 'application: %s open fds with ports 0 to 3\n' "$(fds)"
	vc_tp_cmd vhB "clear port stats all"
	vc_tp_cmd vhB "start tx_first"
	sleep 1
	check_01 "cycle $c: traffic on ports 2 and 3"
	for port in 2 3; do
		read -r rx tx _ <<<"${cur[$port]:-0 0 0}"
		vc_check "cycle $c: port $port received ($rx) and sent ($tx)" \
			test "$rx" -gt 0 -a "$tx" -gt 0
	done
	for k in 0 1; do
		vc_tp_port_stats vhB "$k" bs || bs=()
		vc_check "cycle $c: vhost B port $k received (${bs[rx-packets]:-none}) and sent (${bs[tx-packets]:-none})" \
			test "${bs[rx-packets]:-0}" -gt 0 -a "${bs[tx-packets]:-0}" -gt 0
	done
	# Removed under traffic: vhost B keeps sending to them.
	for port in 3 2; do
		r=$(app_cmd "del $port")
		vc_check_eq "cycle $c: remove port $port" "$r" "cmd: del $port: ok"
		check_01 "cycle $c: after removing port $port"
	done
	vc_tp_cmd vhB stop
	app_stats cur
	vc_check_eq "cycle $c: ports left" "$(printf '%s\n' "${!cur[@]}" | sort | tr '\n' ' ')" "0 1 "
	fd1=$(fds)
	vc_check_eq "cycle $c: open fds of the application after removal (before: $fd0)" "$fd1" "$fd0"
done
r=$(app_cmd "del 7")
vc_check_eq "removing an absent port fails" "$r" "cmd: del 7: error: No such device"
check_01 "end"

# Rates printed every second for ports 0 and 1: none zero once traffic
# has started (the first non-zero one), up to the end.
read -r zero rates < <(awk '
	/^port [01]: rx [0-9]+ pps/ { if ($4 > 0) on = 1; if (on) { n++; if ($4 == 0) z++ } }
	END { print z + 0, n + 0 }' "$log")
vc_check "per-second rates of ports 0 and 1: none zero ($zero of $rates)" \
	test "$zero" -eq 0 -a "$rates" -ge 4

vc_stop app
vc_check_eq "vc_l2fwd exit status after SIGINT" "${VC_RC[app]}" 0
vc_check "vc_l2fwd stopped, closed and removed every port" \
	grep -q '^ports stopped, closed and removed' "$log"
vc_check_eq "ports at exit" "$(grep -c '^total port' "$log")" 2
exec {cfd}>&-
[ "$VC_FAILED" -eq 0 ] || { vc_dump_log app 40; vc_dump_log vhB 20; }

for v in A B; do
	vc_tp_cmd "vh$v" quit || true
	vc_wait_exit "vh$v" 10 || vc_check "vhost testpmd $v exits cleanly on quit" false
done
vc_summary
