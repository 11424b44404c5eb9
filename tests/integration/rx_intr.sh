#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# RX interrupts: examples/vc_sleepy_fwd (one worker lcore, driver linked
# in, intr_conf.rxq = 1) echoes port 0 back with MAC swap and sleeps in
# epoll on the RX queue's call eventfd when idle; a vhost testpmd in rxonly
# mode on the other side.  For each of ROUNDS rounds:
#   1. quiet: the application's CPU time (utime + stime of every thread,
#      from /proc/PID/stat) over SECONDS seconds without traffic must stay
#      under MAX_PCT percent of one core (a polling application uses 100);
#   2. burst: the vhost side sends BURSTS x 32 frames ("start tx_first"),
#      and every one must come back: vhost TX = vhost RX = N packets and
#      N x SIZE bytes.
# At the end (SIGINT) the application must exit 0 after closing its port,
# report N x ROUNDS frames received and sent with none dropped, and at
# least one wake-up per round by an RX interrupt (it sleeps with no
# timeout, so only an interrupt or the quit signal can wake it).
#
# usage: rx_intr.sh DRIVER_SO [SEQCHECK_APP] --app VC_SLEEPY_FWD [options]
#   --mem huge|nohuge|auto  memory mode (default auto)
#   --size BYTES            frame size (default 64)
#   --bursts B              bursts of 32 frames per round (default 4)
#   --rounds R              quiet period + burst, R times (default 2)
#   --seconds S             length of each CPU measurement (default 3)
#   --max-pct P             CPU budget while quiet, % of one core (default 5)
#   --idle-polls K          empty polls before the application sleeps
#                           (default 1000; 0: after every round, even one
#                           with packets; a huge value makes it a poller,
#                           which this test must then fail)
#   --devargs K=V[,K=V]     extra frontend devargs (e.g. in_order=0)
#   --feature [!]NAME       (ours) virtio feature NAME must (not) have been
#                           negotiated: IN_ORDER, RING_PACKED, EVENT_IDX
# Environment: VC_VDEV=ours|upstream (default ours), VC_DEVARGS.
set -euo pipefail
. "$(dirname "$0")/../../devtools/lib.sh"

[ $# -ge 1 ] || { sed -n '3,34p' "$0"; exit 2; }
drv=$1
shift
[ $# -gt 0 ] && [ "${1#--}" = "$1" ] && shift	# the seqcheck app: unused
app='' mem=auto size=64 bursts=4 rounds=2 seconds=3 max_pct=5 idle_polls=1000 devargs=
features=()
while [ $# -gt 0 ]; do
	case "$1" in
	--app) app=$2 ;;
	--mem) mem=$2 ;;
	--size) size=$2 ;;
	--bursts) bursts=$2 ;;
	--rounds) rounds=$2 ;;
	--seconds) seconds=$2 ;;
	--max-pct) max_pct=$2 ;;
	--idle-polls) idle_polls=$2 ;;
	--devargs) devargs=$2 ;;
	--feature) features+=("$2") ;;
	*) vc_die "unknown option $1" ;;
	esac
	shift 2
done

vc_test_begin rx-intr "$mem"
[ -x "$app" ] || vc_die "--app: vc_sleepy_fwd not found at '$app' (build first)"
n=$((bursts * 32))

sock=$VC_SOCKDIR/vhost.sock
vc_start_vhost vhost "$sock" rxonly
vc_tp_cmd vhost stop

mapfile -t fm < <(vc_eal_mem_args app)
mapfile -t fe < <(vc_frontend_eal_args "$drv" "$sock" "$devargs")
# vc_sleepy_fwd links our driver: loading the .so as well would register
# it twice.
[ "${fe[0]}" = -d ] && fe=("${fe[@]:2}")
# Our driver logs what it negotiated at start (for --feature).
[ "$(vc_vdev_kind)" = ours ] && fe+=(--log-level=pmd.net.virtio_container.init:info)
vc_start sleepy 1 2 "$app" "${fm[@]}" --no-pci "${fe[@]}" -- \
	--idle-polls "$idle_polls" --stats-period 1 --fwd mac
if ! vc_wait_log sleepy 'RX interrupts (on|off)' 30; then
	vc_dump_log sleepy
	vc_dump_log vhost
	vc_check "vc_sleepy_fwd started" false
	vc_summary
	exit 1
fi
vc_check "vc_sleepy_fwd registered its RX queue for interrupts" \
	grep -q 'RX interrupts on' "${VC_LOGF[sleepy]}"
pid=${VC_PID[sleepy]}

declare -A fbit=([MRG_RXBUF]=15 [EVENT_IDX]=29 [RING_PACKED]=34 [IN_ORDER]=35)
if [ ${#features[@]} -gt 0 ] && [ "$(vc_vdev_kind)" = ours ]; then
	neg=$(sed -n 's/.*started, features \(0x[0-9a-f]*\).*/\1/p' \
		"${VC_LOGF[sleepy]}" | tail -n1)
	vc_check "negotiated features logged at start" test -n "$neg"
	for f in "${features[@]}"; do
		name=${f#!}
		[ -n "${fbit[$name]:-}" ] || vc_die "unknown feature $name"
		on=$(( (${neg:-0} >> fbit[$name]) & 1 ))
		if [ "$f" = "$name" ]; then
			vc_check_eq "feature $name negotiated" "$on" 1
		else
			vc_check_eq "feature $name not negotiated" "$on" 0
		fi
	done
fi
tck=$(getconf CLK_TCK)

# CPU time (utime + stime) of all threads of PID, in clock ticks.  The
# command name (field 2) may hold spaces: count fields after its ')'.
cpu_ticks() {
	local s
	s=$(cat "/proc/$1/stat") || return 1
	s=${s##*) }
	# shellcheck disable=SC2086
	set -- $s
	echo $((${12} + ${13}))
}

declare -A vs=()
for ((r = 1; r <= rounds; r++)); do
	# 1. Quiet period.  The first round starts after start-up is over.
	[ "$r" -gt 1 ] || sleep 1
	t0=$(cpu_ticks "$pid") || { vc_check "round $r: /proc/$pid/stat readable" false; break; }
	w0=$(vc_now_ms)
	sleep "$seconds"
	t1=$(cpu_ticks "$pid") || { vc_check "round $r: /proc/$pid/stat readable" false; break; }
	w1=$(vc_now_ms)
	# per mille of one core, to keep one decimal
	pm=$(( (t1 - t0) * 1000 * 1000 / (tck * (w1 - w0)) ))
	printf 'round %d: idle CPU %d.%d%% of one core (%d ticks in %d ms)\n' \
		"$r" $((pm / 10)) $((pm % 10)) $((t1 - t0)) $((w1 - w0))
	vc_check "round $r: idle CPU $((pm / 10)).$((pm % 10))% < $max_pct% of one core" \
		[ "$pm" -lt $((max_pct * 10)) ]

	# 2. A burst after the quiet period; every frame must come back.
	vc_tp_cmd vhost "clear port stats all"
	vc_tp_cmd vhost "set txpkts $size"
	vc_tp_cmd vhost "start tx_first $bursts"
	deadline=$(($(vc_now_ms) + 10000))
	while [ "$(vc_now_ms)" -lt "$deadline" ]; do
		vc_tp_port_stats vhost 0 vs || break
		[ "${vs[rx-packets]:-0}" -ge "$n" ] && break
		sleep 0.05
	done
	sleep 0.2	# anything beyond N would show up now
	vc_tp_port_stats vhost 0 vs || vs=()
	vc_tp_cmd vhost stop
	vc_check_eq "round $r: vhost TX-packets" "${vs[tx-packets]:-none}" "$n"
	vc_check_eq "round $r: vhost TX-bytes" "${vs[tx-bytes]:-none}" "$((n * size))"
	vc_check_eq "round $r: vhost RX-packets (echoed back)" "${vs[rx-packets]:-none}" "$n"
	vc_check_eq "round $r: vhost RX-bytes" "${vs[rx-bytes]:-none}" "$((n * size))"
done

vc_stop sleepy
log=${VC_LOGF[sleepy]}
vc_check_eq "vc_sleepy_fwd exit status after SIGINT" "${VC_RC[sleepy]}" 0
vc_check "vc_sleepy_fwd stopped and closed its port" grep -q '^ports stopped and closed' "$log"
tot=$(grep '^total port 0:' "$log" || true)
printf '%s\n' "${tot:-no totals printed}"
rx=$(sed -n 's/.*rx-packets \([0-9]*\).*/\1/p' <<<"$tot")
tx=$(sed -n 's/.*tx-packets \([0-9]*\).*/\1/p' <<<"$tot")
drop=$(sed -n 's/.*dropped \([0-9]*\).*/\1/p' <<<"$tot")
vc_check_eq "vc_sleepy_fwd: frames received" "${rx:-none}" $((n * rounds))
vc_check_eq "vc_sleepy_fwd: frames echoed" "${tx:-none}" $((n * rounds))
vc_check_eq "vc_sleepy_fwd: frames dropped" "${drop:-none}" 0
lc=$(grep '^total lcore' "$log" || true)
printf '%s\n' "${lc:-no lcore totals printed}"
wk=$(sed -n 's/.*irq-wakeups \([0-9]*\).*/\1/p' <<<"$lc" | head -n1)
vc_check "vc_sleepy_fwd woken by an RX interrupt at least once per round (${wk:-none})" \
	[ "${wk:-0}" -ge "$rounds" ]
[ "$VC_FAILED" -eq 0 ] || { vc_dump_log sleepy 30; vc_dump_log vhost 30; }

vc_tp_cmd vhost quit || true
vc_wait_exit vhost 10 || vc_check "vhost testpmd exits cleanly on quit" false
vc_summary
