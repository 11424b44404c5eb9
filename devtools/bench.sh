#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# Side-by-side benchmark: our net_virtio_container against upstream DPDK's
# net_virtio_user, on the same stock vhost backend, alternately (A B A B).
#
#   cpu 0: dpdk-testpmd --vdev net_vhost0,iface=SOCK  (the backend, mac
#          forwarding, started once and kept for the whole run)
#   cpu 1: dpdk-testpmd with the frontend under test on SOCK, mac
#          forwarding, "start tx_first N" (N bursts of 32 frames in flight)
#
# For every configuration (path x frame size x bursts) and round, ours then
# upstream each get a fresh frontend process: start-up is timed (process
# start to link up) and its memory measured, then after a warm-up both
# sides' counters ("show port stats") and --record-core-cycles figures
# ("show fwd stats all") are read over the measured interval.
#
#   devtools/bench.sh [options]
#
# Options (each also settable through the environment variable shown):
#   --paths LIST     BENCH_PATHS   comma-separated, from (default: all)
#        split-mrg      in_order=0,mrg_rxbuf=1
#        split-nomrg    in_order=0,mrg_rxbuf=0
#        split-inorder  in_order=1,mrg_rxbuf=1   (upstream's default)
#        packed         packed_vq=1,in_order=0,vectorized=0
#        packed-inorder packed_vq=1,in_order=1,vectorized=0
#        vec            vectorized=1,in_order=0,mrg_rxbuf=0  (split, SSE/AVX;
#                       ours has no split vector bursts: its scalar ones)
#        packed-vec     vectorized=1,packed_vq=1,in_order=1,mrg_rxbuf=0, EAL
#                       --force-max-simd-bitwidth=512 (AVX-512 packed)
#        packed-inorder-vec vectorized=1,packed_vq=1,in_order=1: ours' default
#                       bursts at EAL's default bitwidth (AVX2 where the CPU
#                       has it), mergeable; upstream falls back to scalar
#   --sizes LIST     BENCH_SIZES   frame sizes in bytes (default 64,512,1518)
#   --bursts LIST    BENCH_BURSTS  bursts of 32 frames in flight (default 1,8)
#   --rounds N       BENCH_ROUNDS  rounds per driver and configuration (3)
#   --seconds T      BENCH_SECONDS measured interval per run (3)
#   --warmup S       BENCH_WARMUP  warm-up before measuring (1)
#   --out DIR        BENCH_OUT     output directory (default BUILDDIR/bench)
#   --quick          64 B, 1 burst, 1 round, 1 s: every path in ~1-2 minutes
#   --fwd-stats      BENCH_FWD_STATS=1  both testpmds also record burst
#                    sizes (--record-burst-stats); each run's "show fwd
#                    stats all" of both sides is kept in DIR/fwdstats/
#                    (SEQ-DRIVER-SIDE.txt): how many frames the bursts
#                    carried, e.g. whether the sides took turns with every
#                    frame in flight
#   --report-only    redo table, CSV and chart from DIR/raw.csv; run nothing
#   -h, --help       this text
# Environment as for devtools/loopback.sh: VC_MEM=auto|huge|nohuge,
# VC_BUILDDIR, VC_SKIP_SETUP=1, VC_KEEP_LOGS=1 (testpmd logs copied to
# DIR/logs), VC_DEVARGS (appended to both frontends' devargs),
# BENCH_MAX_SPREAD=0.10 and BENCH_MIN_CPU=0.90 (noise thresholds, see
# devtools/bench_report.py), BENCH_PYTHON=/usr/bin/python3.
# BENCH_AGAINST=SO: an A/B of two builds of ours, e.g. a change against
# the commit before it: the "upstream" rows run net_virtio_container from
# this driver .so instead of net_virtio_user (the labels stay).
#
# Output: a table on stdout, DIR/results.csv (one row per configuration,
# columns documented in its header), DIR/startup.csv, DIR/bench.png (Mpps
# per path, one panel per size, min-max error bars) and DIR/raw.csv (one
# row per run). A full default run (8 paths x 3 sizes x 2 bursts x 3 rounds
# x 2 drivers) takes about 30 minutes.
#
# Figures: Mpps each way from testpmd's own "since last show" rate on the
# frontend (TX: frontend->vhost, RX: vhost->frontend); Gbit/s = wire rate,
# Mpps x (size + 20) x 8 / 1000; cycles/packet of each side from "show fwd
# stats all" after "clear fwd stats all"; median and min-max over rounds
# and ours/upstream ratios.  Start-up: process start -> "Configuring Port
# 0" (EAL init with the probe), -> dev_start done, -> link up; memory: the
# rte_malloc heap and the RSS a port adds to a testpmd without one.
#
# A path our driver refuses (probe or start fails with "not supported") is
# reported as "n/a (ours: not supported)" and not retried; the benchmark
# goes on. Figures are never asserted: a configuration is NOISY when a
# figure's min-max spread exceeds 10% of its median, or when either side's
# process got less than 90% of its core during a run (the share is read
# from /proc, so other people's processes on cpu 0/1 are caught); its
# ratios are then printed as "~1.23", and the last line says whether the
# machine was quiet enough.  Exit status 0 unless the benchmark itself broke.
set -euo pipefail
umask 022
exec </dev/null

. "$(dirname "$0")/lib.sh"
VC_LOG_TAG=bench
cd "$vc_top"

usage() { sed -n '/^# Side-by-side/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

paths=${BENCH_PATHS:-split-mrg,split-nomrg,split-inorder,packed,packed-inorder,vec,packed-vec,packed-inorder-vec}
sizes=${BENCH_SIZES:-64,512,1518}
bursts=${BENCH_BURSTS:-1,8}
rounds=${BENCH_ROUNDS:-3}
seconds=${BENCH_SECONDS:-3}
warmup=${BENCH_WARMUP:-1}
out=${BENCH_OUT:-}
report_only=0
fwd_stats=${BENCH_FWD_STATS:-0}
while [ $# -gt 0 ]; do
	case "$1" in
	--paths|--sizes|--bursts|--rounds|--seconds|--warmup|--out)
		[ $# -ge 2 ] || vc_die "$1 needs a value" ;;
	esac
	case "$1" in
	--paths) paths=$2; shift ;;
	--sizes) sizes=$2; shift ;;
	--bursts) bursts=$2; shift ;;
	--rounds) rounds=$2; shift ;;
	--seconds) seconds=$2; shift ;;
	--warmup) warmup=$2; shift ;;
	--out) out=$2; shift ;;
	--quick) sizes=64; bursts=1; rounds=1; seconds=1 ;;
	--report-only) report_only=1 ;;
	--fwd-stats) fwd_stats=1 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; vc_die "unknown option '$1'" ;;
	esac
	shift
done

# path name -> devargs (VC_PATH_ARGS, lib.sh) and extra frontend EAL arguments.
declare -n PATH_ARGS=VC_PATH_ARGS
declare -A PATH_EAL=([packed-vec]="--force-max-simd-bitwidth=512")

IFS=, read -ra PATHS <<<"$paths"
IFS=, read -ra SIZES <<<"$sizes"
IFS=, read -ra BURSTS <<<"$bursts"
for p in "${PATHS[@]}"; do
	[ -n "${PATH_ARGS[$p]:-}" ] || vc_die "unknown path '$p' (known: ${!PATH_ARGS[*]})"
done
for s in "${SIZES[@]}"; do
	[[ "$s" =~ ^[0-9]+$ ]] && [ "$s" -ge 64 ] && [ "$s" -le 2000 ] ||
		vc_die "frame size '$s' must be 64..2000 (one mbuf)"
done
for b in "${BURSTS[@]}"; do
	[[ "$b" =~ ^[0-9]+$ ]] && [ "$b" -ge 1 ] && [ "$b" -le 64 ] ||
		vc_die "bursts '$b' must be 1..64"
done
for v in rounds seconds warmup; do
	[[ "${!v}" =~ ^[0-9]+$ ]] && [ "${!v}" -ge 1 ] || vc_die "$v must be a whole number >= 1"
done

PY=${BENCH_PYTHON:-/usr/bin/python3}
if [ -n "${BENCH_AGAINST:-}" ]; then
	[ -f "$BENCH_AGAINST" ] || vc_die "BENCH_AGAINST: $BENCH_AGAINST not found"
	VC_AGAINST_SO=$(realpath "$BENCH_AGAINST")
	vc_path_is_safe "$(dirname "$VC_AGAINST_SO")" ||
		vc_die "BENCH_AGAINST: $VC_AGAINST_SO lies under a world-writable directory: EAL refuses it"
	export VC_AGAINST_SO
	vc_log "the upstream rows run $VC_AGAINST_SO, not net_virtio_user"
fi
build=$(vc_build_dir)
out=${out:-$build/bench}
report() {
	"$PY" "$vc_top/devtools/bench_report.py" "$out"
}
if [ $report_only -eq 1 ]; then
	[ -f "$out/raw.csv" ] || vc_die "$out/raw.csv not found"
	report
	exit
fi

if [ -z "${VC_SKIP_SETUP:-}" ]; then
	bash devtools/setup.sh
fi
drv="$build/drivers/librte_net_virtio_container.so"
vc_path_is_safe "$build" ||
	vc_die "build directory $build lies under a world-writable directory; set VC_BUILDDIR elsewhere"
if [ ! -f "$build/build.ninja" ]; then
	mkdir -p -m 0755 "$(dirname "$build")"
	meson setup "$build" "$vc_top" >/dev/null
fi
ninja -C "$build" drivers/librte_net_virtio_container.so >/dev/null ||
	vc_die "building the driver failed (ninja -C $build)"

vc_mem_select || vc_die "hugepages requested but not available"
vc_sockdir_create
vc_trap_cleanup
# wait_startup's tail -f would outlive an interrupted run: stop it, then
# lib.sh's handler stops the testpmds.  set +e: the handler must run to
# its end whatever fails on the way.
TAIL_PID=""
bench_on_exit() {
	local rc=$?
	set +e
	[ -z "$TAIL_PID" ] || kill "$TAIL_PID" 2>/dev/null
	(exit "$rc")
	vc_on_exit
}
trap bench_on_exit EXIT
VC_TESTPMD=${VC_TESTPMD:-dpdk-testpmd}
command -v "$VC_TESTPMD" >/dev/null || vc_die "$VC_TESTPMD not found"
mkdir -p "$out"
rm -f "$out/raw.csv" "$out/results.csv" "$out/startup.csv" "$out/bench.png"
[ -z "${VC_KEEP_LOGS:-}" ] || mkdir -p "$out/logs"
# testpmd options both sides get (--fwd-stats: burst sizes too).
REC=(--record-core-cycles)
if [ "$fwd_stats" = 1 ]; then
	REC+=(--record-burst-stats)
	rm -rf "$out/fwdstats"
	mkdir -p "$out/fwdstats"
fi

# ---------------------------------------------------------------- helpers

# tp_exec NAME COMMAND [TIMEOUT]: runs one command in the interactive
# testpmd NAME and prints its output: the lines between the echo of the
# command and the next prompt.
tp_exec() {
	local name=$1 cmd=$2 t=${3:-10} log off deadline res
	log=${VC_LOGF[$name]}
	off=$(stat -c %s "$log")
	vc_tp_cmd "$name" "$cmd" || return 1
	deadline=$(($(vc_now_ms) + t * 1000))
	while [ "$(vc_now_ms)" -lt "$deadline" ]; do
		if res=$(tail -c +$((off + 1)) "$log" | awk -v cmd="$cmd" '
			!s && index($0, cmd) { s = 1; next }
			s && /^testpmd> / { done = 1; exit }
			s { print }
			END { exit !done }'); then
			printf '%s\n' "$res"
			return 0
		fi
		vc_alive "$name" || break
		sleep 0.01
	done
	vc_log "$name: no answer to '$cmd' within ${t}s"
	return 1
}

# "CPU cycles/packet=133.21 (total cycles=..." -> 133.21; "" without packets.
# FILE, when given, keeps the whole answer.
fwd_cycles() {
	tp_exec "$1" "show fwd stats all" | tee ${2:+"$2"} |
		sed -n 's/.*CPU cycles\/packet=\([0-9.]*\).*/\1/p' | tail -n1
}

# CPU time (clock ticks) used so far by process NAME, all threads.
proc_ticks() {
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/${VC_PID[$1]}/stat" 2>/dev/null || echo 0
}

# "total steal" ticks of cpu N from /proc/stat.
cpu_ticks() {
	awk -v c="cpu$1" '$1 == c { t = 0; for (i = 2; i <= 9; i++) t += $i; print t, $9 }' /proc/stat
}

# The machine's load: load average and the processes using >= 5% of a CPU
# (top's second sample, over 1 s), ours excluded.
machine_load() {
	local self="$$"
	printf 'loadavg %s; busy:' "$(cut -d' ' -f1-3 /proc/loadavg)"
	top -b -n 2 -d 1 -w 200 2>/dev/null | awk -v self="$self" '
		/^top -/ { n++ } n == 2 && $1 ~ /^[0-9]+$/ && $9 + 0 >= 5 && $1 != self && $12 != "top" {
			printf " %s(pid %s %s%%)", $12, $1, $9 }'
	echo
}

# Start-up of frontend NAME launched at T0 (ms): follows its log line by
# line (tail -f, each line stamped when it arrives, no fork per line) until
# the prompt or its exit; sets ST[eal] (T0 -> "Configuring Port 0": EAL
# init with the vdev probe, mbuf pool), ST[started] (-> "Port 0: <MAC>",
# dev_start done) and ST[check] (-> "Done" after "Checking link statuses").
declare -A ST=()
wait_startup() {
	local name=$1 t0=$2 tfd tpid line now deadline checking=0 rc=1 us
	ST=()
	exec {tfd}< <(exec tail -n +1 -f "${VC_LOGF[$name]}" 2>/dev/null)
	tpid=$!
	TAIL_PID=$tpid
	deadline=$((t0 + 60000))
	while :; do
		line=""
		IFS= read -r -t 0.05 -u "$tfd" line || true
		us=${EPOCHREALTIME//[.,]/}
		now=$((us / 1000 - t0))
		case "$line" in
		"Configuring Port 0"*) ST[eal]=${ST[eal]:-$now} ;;
		"Port 0: "[0-9A-F][0-9A-F]:*) ST[started]=${ST[started]:-$now} ;;
		"Checking link statuses"*) checking=1 ;;
		Done*) [ $checking -eq 0 ] || ST[check]=${ST[check]:-$now} ;;
		# The prompt has no newline: read returns it on its timeout.
		"testpmd> "*) rc=0; break ;;
		esac
		if [ -z "$line" ]; then
			vc_alive "$name" || break
			[ $((t0 + now)) -lt "$deadline" ] || break
		fi
	done
	kill "$tpid" 2>/dev/null || true
	exec {tfd}<&-
	wait "$tpid" 2>/dev/null || true
	TAIL_PID=""
	return $rc
}

# Why a frontend has no usable port 0: "refused" (the driver says the
# configuration is not supported) or "failed", and the first error line.
failure_of() {
	local log=$1 line
	line=$(grep -Eim1 'not supported|not implemented' "$log" || true)
	if [ -n "$line" ]; then
		printf 'refused\t%s\n' "$line"
		return
	fi
	line=$(grep -Eim1 'error|fail|cannot|invalid' "$log" || true)
	printf 'failed\t%s\n' "${line:-no port 0}"
}

csv_field() {
	local s=${1//\"/\'}
	printf '"%s"' "${s//$'\t'/ }"
}

RAW_COLS="seq,round,path,size,bursts,driver,status,reason,devargs,eal_ms,start_ms,link_ms,heap_kib,heap_allocs,rss_kib,interval_s,tx_mpps,rx_mpps,vhost_rx_mpps,vhost_tx_mpps,tx_pkts,rx_pkts,errors,dropped,front_cyc,back_cyc,front_cpu,back_cpu,cpu0_steal,cpu1_steal,driver_path"
echo "$RAW_COLS" >"$out/raw.csv"

declare -A REFUSED=()
declare -A BASE=()
seq=0
total=0

# run_one DRIVER PATH SIZE BURSTS ROUND: one measurement, one raw.csv row.
run_one() {
	local kind=$1 path=$2 size=$3 nb=$4 round=$5 name t0 fm fe extra
	local devargs=${PATH_ARGS[$path]} status=ok reason="" dpath=""
	seq=$((seq + 1))
	name="f$seq"
	local -A r=()
	local tag
	tag=$(printf '[%d/%d] %-14s %4sB %dx32 round %d %-8s' "$seq" "$total" "$path" "$size" "$nb" "$round" "$kind")

	if [ "$kind" = ours ] && [ -n "${REFUSED[$path]:-}" ]; then
		IFS=$'\t' read -r status reason <<<"${REFUSED[$path]}"
		write_row
		printf '%s n/a (ours: %s)\n' "$tag" "$status" >&2
		return 0
	fi
	if ! vc_alive vhost; then
		vc_log "the vhost backend died: restarting it"
		vc_dump_log vhost 15
		unset "VC_PID[vhost]" "VC_RC[vhost]"
		vc_start_vhost vhost "$sock" mac "${REC[@]}" 2>/dev/null ||
			vc_die "cannot restart the vhost backend"
	fi

	VC_VDEV=$kind
	mapfile -t fm < <(vc_eal_mem_args frontend)
	mapfile -t fe < <(vc_frontend_eal_args "$drv" "$sock" "$devargs")
	read -ra extra <<<"${PATH_EAL[$path]:-}"
	t0=$(vc_now_ms)
	vc_start -i "$name" 1 2 "$VC_TESTPMD" "${fm[@]}" --no-pci "${extra[@]}" \
		--log-level=pmd.net.virtio.init:info "${fe[@]}" -- \
		-i --nb-cores=1 --forward-mode=mac "${REC[@]}" \
		"$VC_TESTPMD_MBUFS" 2>/dev/null
	local log=${VC_LOGF[$name]}
	if ! wait_startup "$name" "$t0" || [ -z "${ST[started]:-}" ]; then
		IFS=$'\t' read -r status reason < <(failure_of "$log")
		# A refusal depends on the devargs only: not retried.
		[ "$kind" = upstream ] || [ "$status" != refused ] ||
			REFUSED[$path]="$status"$'\t'"$reason"
		finish_frontend "$name"
		write_row
		printf '%s n/a (%s: %s): %s\n' "$tag" "$kind" "$status" "$reason" >&2
		return 0
	fi
	r[eal_ms]=${ST[eal]:-}
	r[start_ms]=${ST[started]:-}
	# "Done" after the link check does not mean up: with LSC interrupts
	# testpmd stops checking after one try.  Poll until it is.
	local info deadline=$(($(vc_now_ms) + 10000))
	r[link_ms]=${ST[check]:-}
	while info=$(tp_exec "$name" "show port info 0") &&
	      ! grep -q 'Link status: up' <<<"$info"; do
		r[link_ms]=""
		[ "$(vc_now_ms)" -lt "$deadline" ] || break
		sleep 0.02
	done
	[ -n "${r[link_ms]}" ] || r[link_ms]=$(($(vc_now_ms) - t0))
	grep -q 'Link status: up' <<<"$info" || { status=failed; reason="link down after 10 s"; }
	read -r 'r[heap_kib]' 'r[heap_allocs]' < <(tp_exec "$name" dump_socket_mem |
		awk -v b="${BASE[heap]:-0}" -v ba="${BASE[allocs]:-0}" '/^Total/ {
			for (i = 1; i <= NF; i++) {
				if ($i == "alloc:" && !a) a = $(i + 1) + 0
				if ($i == "alloc:" && $(i - 1) == "count") n = $(i + 1)
			}
			printf "%.0f %d\n", a * 1024 - b, n - ba }')
	r[rss_kib]=$(( $(awk '/^VmRSS/ { print $2 }' "/proc/${VC_PID[$name]}/status") - ${BASE[rss]:-0} ))
	if [ "$kind" = ours ] || [ -n "${VC_AGAINST_SO:-}" ]; then	# rte_eth_rx_burst_mode_get()
		dpath=$(tp_exec "$name" "show rxq info 0 0" | sed -n 's/^Burst mode: //p' || true)
	else
		dpath=$(grep -Eo 'using [^,]* (Rx|Tx) path' "$log" | sed 's/^using //' | paste -sd/ || true)
	fi

	if [ "$status" = ok ]; then
		measure "$name" "$size" "$nb"
	fi
	finish_frontend "$name"
	write_row
	if [ "$status" = ok ]; then
		printf '%s TX %6s RX %6s Mpps  cycles/pkt %s/%s  cpu %s/%s  link %s ms\n' "$tag" \
			"${r[tx_mpps]}" "${r[rx_mpps]}" "${r[front_cyc]:--}" "${r[back_cyc]:--}" \
			"${r[front_cpu]}" "${r[back_cpu]}" "${r[link_ms]}" >&2
	else
		printf '%s %s: %s\n' "$tag" "$status" "$reason" >&2
	fi
}

# measure NAME SIZE BURSTS: traffic, warm-up, then the measured interval;
# fills r[] (caller's) and may set status/reason.
measure() {
	local name=$1 size=$2 nb=$3
	local -A f0=() f1=() v0=() v1=()
	local pf0 pf1 pv0 pv1 c00 c01 c10 c11 w0 w1
	tp_exec "$name" "set txpkts $size" >/dev/null
	vc_tp_cmd "$name" "start tx_first $nb"
	sleep "$warmup"
	# Counters at the start: testpmd's "since last show" throughput then
	# covers exactly the interval up to the second reading.
	vc_tp_port_stats "$name" 0 f0 && vc_tp_port_stats vhost 0 v0 || {
		status=failed; reason="no port statistics"; return; }
	tp_exec "$name" "clear fwd stats all" >/dev/null
	tp_exec vhost "clear fwd stats all" >/dev/null
	w0=$(vc_now_ms); pf0=$(proc_ticks "$name"); pv0=$(proc_ticks vhost)
	c00=$(cpu_ticks 0); c10=$(cpu_ticks 1)
	sleep "$seconds"
	w1=$(vc_now_ms); pf1=$(proc_ticks "$name"); pv1=$(proc_ticks vhost)
	c01=$(cpu_ticks 0); c11=$(cpu_ticks 1)
	vc_tp_port_stats "$name" 0 f1 && vc_tp_port_stats vhost 0 v1 || {
		status=failed; reason="no port statistics"; return; }
	local keep=""
	[ "$fwd_stats" != 1 ] || keep="$out/fwdstats/$seq-$VC_VDEV"
	r[front_cyc]=$(fwd_cycles "$name" ${keep:+"$keep-frontend.txt"})
	r[back_cyc]=$(fwd_cycles vhost ${keep:+"$keep-vhost.txt"})
	r[interval_s]=$(awk -v a="$w0" -v b="$w1" 'BEGIN { printf "%.3f", (b - a) / 1000 }')
	r[tx_pkts]=$((f1[tx-packets] - f0[tx-packets]))
	r[rx_pkts]=$((f1[rx-packets] - f0[rx-packets]))
	# testpmd's own rate (its clock between the two readings); the packet
	# delta over our interval when it has none.
	rate() { awk -v p="$1" -v n="$2" -v t="${r[interval_s]}" 'BEGIN {
		printf "%.4f", (p > 0 ? p : n / t) / 1e6 }'; }
	r[tx_mpps]=$(rate "${f1[tx-pps]:-0}" "${r[tx_pkts]}")
	r[rx_mpps]=$(rate "${f1[rx-pps]:-0}" "${r[rx_pkts]}")
	r[vhost_rx_mpps]=$(rate "${v1[rx-pps]:-0}" $((v1[rx-packets] - v0[rx-packets])))
	r[vhost_tx_mpps]=$(rate "${v1[tx-pps]:-0}" $((v1[tx-packets] - v0[tx-packets])))
	r[errors]=$(( (f1[rx-errors] + f1[rx-missed] + f1[rx-nombuf] + f1[tx-errors]) -
		(f0[rx-errors] + f0[rx-missed] + f0[rx-nombuf] + f0[tx-errors]) ))
	r[dropped]=$(sed -n 's/.*TX-dropped: *\([0-9]*\).*/\1/p' "${VC_LOGF[$name]}" | tail -n1)
	# Share of its core each side got: below 100% another process ran
	# there (or the hypervisor stole it).
	local hz
	hz=$(getconf CLK_TCK)
	share() { awk -v a="$1" -v b="$2" -v ms="$((w1 - w0))" -v hz="$hz" 'BEGIN {
		printf "%.3f", (b - a) / hz / (ms / 1000) }'; }
	r[front_cpu]=$(share "$pf0" "$pf1")
	r[back_cpu]=$(share "$pv0" "$pv1")
	steal() { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ");
		printf "%.3f", (y[1] > x[1]) ? (y[2] - x[2]) / (y[1] - x[1]) : 0 }'; }
	r[cpu0_steal]=$(steal "$c00" "$c01")
	r[cpu1_steal]=$(steal "$c10" "$c11")
	if [ "${r[rx_pkts]}" -le 0 ]; then
		status=failed; reason="no traffic"
	fi
}

finish_frontend() {
	local name=$1
	vc_tp_cmd "$name" quit 2>/dev/null || true
	vc_wait_exit "$name" 10 2>/dev/null || true
	[ -z "${VC_KEEP_LOGS:-}" ] || cp "${VC_LOGF[$name]}" "$out/logs/$name-$kind-$path-$size-$nb-r$round.log"
	vc_stop "$name" 2>/dev/null
}

# One raw.csv row from the caller's variables and r[].
write_row() {
	local c v line=""
	for c in ${RAW_COLS//,/ }; do
		case "$c" in
		seq) v=$seq ;; round) v=$round ;; path) v=$path ;; size) v=$size ;;
		bursts) v=$nb ;; driver) v=$kind ;; status) v=$status ;;
		reason) v=$(csv_field "$reason") ;; devargs) v=$(csv_field "$devargs") ;;
		driver_path) v=$(csv_field "$dpath") ;;
		*) v=${r[$c]:-} ;;
		esac
		line+="${line:+,}$v"
	done
	echo "$line" >>"$out/raw.csv"
}

# ---------------------------------------------------------------- run

total=$(( ${#PATHS[@]} * ${#SIZES[@]} * ${#BURSTS[@]} * rounds * 2 ))

load_before=$(machine_load)
vc_log "machine before: $load_before"

sock=$VC_SOCKDIR/vhost.sock
vc_start_vhost vhost "$sock" mac "${REC[@]}" ||
	vc_die "the vhost backend did not start"

# Baseline: the same frontend testpmd without a port, for the memory a
# port adds (rte_malloc heap and process RSS).
mapfile -t fm < <(vc_eal_mem_args frontend)
vc_start -i base 1 2 "$VC_TESTPMD" "${fm[@]}" --no-pci -- -i --nb-cores=1 \
	--forward-mode=mac "$VC_TESTPMD_MBUFS" 2>/dev/null
vc_wait_log base '^testpmd> ' 60 || vc_die "the baseline testpmd did not start"
read -r 'BASE[heap]' 'BASE[allocs]' < <(tp_exec base dump_socket_mem | awk '/^Total/ {
	for (i = 1; i <= NF; i++) {
		if ($i == "alloc:" && !a) a = $(i + 1) + 0
		if ($i == "alloc:" && $(i - 1) == "count") n = $(i + 1)
	}
	printf "%.0f %d\n", a * 1024, n }')
BASE[rss]=$(awk '/^VmRSS/ { print $2 }' "/proc/${VC_PID[base]}/status")
vc_tp_cmd base quit
vc_wait_exit base 10 >/dev/null 2>&1 || true
vc_stop base 2>/dev/null

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for path in "${PATHS[@]}"; do
	for size in "${SIZES[@]}"; do
		for nb in "${BURSTS[@]}"; do
			for ((round = 1; round <= rounds; round++)); do
				run_one ours "$path" "$size" "$nb" "$round"
				run_one upstream "$path" "$size" "$nb" "$round"
			done
		done
	done
done

load_after=$(machine_load)
vc_log "machine after: $load_after"

{
	echo "date: $started"
	echo "host: $(uname -n) $(uname -r) $(uname -m)"
	echo "cpu: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n1), $(nproc) cpus"
	echo "dpdk: $(pkg-config --modversion libdpdk 2>/dev/null || echo '?') ($(dpkg-query -W -f='${Version}' dpdk 2>/dev/null || echo '?'))"
	echo "ours: $drv ($(git -C "$vc_top" describe --always --dirty 2>/dev/null || echo '?'))"
	echo "memory: $VC_MEM_MODE ($(vc_eal_mem_args frontend | paste -sd' '))"
	echo "setup: vhost on cpu 0, frontend on cpu 1, mac forwarding both sides, $VC_TESTPMD_MBUFS"
	echo "timing: warm-up ${warmup} s, measured ${seconds} s, rounds: ${rounds}, A B A B (ours first)"
	echo "baseline (frontend testpmd without a port): heap ${BASE[heap]} KiB in ${BASE[allocs]} allocations, RSS ${BASE[rss]} KiB"
	echo "load before: $load_before"
	echo "load after: $load_after"
} >"$out/meta.txt"

report
