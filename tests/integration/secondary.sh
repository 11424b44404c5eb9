#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# DPDK multi-process: a primary testpmd creates the port (queues=N) and a
# secondary testpmd attaches to it; testpmd's --num-procs=2 --proc-id=0|1
# gives each process half of the queues.  Both forward (mac mode, started
# with tx_first) against net_vhost with queues=N in mac mode.  Checks:
#   1. the secondary attached and got every virtqueue's kick and call fd
#      from the primary (N=4: 8 virtqueues, two pages of 8 fds);
#   2. every queue of each process carries traffic both ways, and what
#      each process sent on queue q is what the vhost side received on
#      queue q (per-stream statistics on both sides); byte counts match;
#   3. the secondary kicks through its own fds: its first TX queue's kick
#      counter (xstat) moved, the fd it writes for that virtqueue is the
#      very eventfd the primary's device handed the backend (eventfd-id in
#      /proc fdinfo, an fd number of its own), the count on it is not 0
#      (the polling backend never reads it, and only the secondary kicks
#      that queue), and its doorbell reports kicks and no failed write;
#   4. the secondary exits cleanly, the primary still forwards, a second
#      secondary attaches again, then both frontends and vhost exit cleanly.
# Hugepages only: secondaries map the primary's memory from its files.
#
# usage: secondary.sh DRIVER_SO [SEQCHECK_APP] [--mem huge|auto] [--queues N]
#        [--seconds S]
set -euo pipefail
. "$(dirname "$0")/../../devtools/lib.sh"

[ $# -ge 1 ] || { sed -n '3,24p' "$0"; exit 2; }
drv=$1
shift
[ $# -gt 0 ] && [ "${1#--}" = "$1" ] && shift	# the seqcheck app: unused
mem=huge nq=4 seconds=2
while [ $# -gt 0 ]; do
	case "$1" in
	--mem) mem=$2 ;;
	--queues) nq=$2 ;;
	--seconds) seconds=$2 ;;
	*) vc_die "unknown option $1" ;;
	esac
	shift 2
done
[ "$mem" != nohuge ] || { echo "secondary: SKIP: needs hugepages"; exit 77; }
[ "$(vc_vdev_kind)" = ours ] || { echo "secondary: SKIP: tests our driver"; exit 77; }
[ $((nq % 2)) -eq 0 ] || vc_die "--queues must be even (two processes)"

vc_test_begin "secondary-$nq" "$mem"
[ "$VC_MEM_MODE" = huge ] || { echo "secondary: SKIP: needs hugepages"; VC_SUMMARY_PENDING=0; exit 77; }
half=$((nq / 2))
size=64

# start_secondary NAME CPU FIRST_LCORE PRIMARY EAL_ARGS... -- APP_ARGS...:
# an interactive testpmd attached to PRIMARY's shared memory (its file
# prefix), with lcores FIRST_LCORE and the next (lcore ids must differ
# from the primary's: mempool caches are per lcore id).
start_secondary() {
	local name=$1 cpu=$2 first=$3 prim=$4 stdin fd
	shift 4
	stdin="$VC_SOCKDIR/$name.fifo"
	mkfifo -m 0600 "$stdin"
	exec {fd}<>"$stdin"
	VC_FD[$name]=$fd
	VC_PREFIX[$name]=	# the primary's files: not for this one to clean
	VC_LOGF[$name]="$VC_SOCKDIR/$name.log"
	stdbuf -oL -eL "$VC_TESTPMD" --lcores "$first@$cpu,$((first + 1))@$cpu" \
		--file-prefix="${VC_PREFIX[$prim]}" --proc-type=secondary "$@" \
		<"$stdin" >"${VC_LOGF[$name]}" 2>&1 &
	VC_PID[$name]=$!
	VC_ORDER+=("$name")
	vc_log "started $name (pid ${VC_PID[$name]}, secondary of $prim): $*"
}

sock=$VC_SOCKDIR/vhost.sock
vc_start_vhost vhost "$sock" mac --rxq="$nq" --txq="$nq" || exit 1

mapfile -t fm < <(vc_eal_mem_args frontend)
mapfile -t fe < <(vc_frontend_eal_args "$drv" "$sock" "queues=$nq")
logl=--log-level=pmd.net.virtio_container.init:debug
mpargs=(-i --nb-cores=1 --rxq="$nq" --txq="$nq" --num-procs=2 --forward-mode=mac
	"$VC_TESTPMD_MBUFS")
vc_start -i front 1 2 "$VC_TESTPMD" "${fm[@]}" --no-pci "${fe[@]}" \
	--proc-type=primary "$logl" -- "${mpargs[@]}" --proc-id=0
if ! vc_wait_log front '^testpmd> ' 30; then
	vc_dump_log front
	vc_check "primary testpmd started with $nq queues" false
	vc_summary
	exit 1
fi

# The secondary gets the port list from the primary: no --vdev, but the
# driver must be loaded.
drvso=$(realpath "$drv")
secargs=("${fm[@]}" --no-pci -d "$drvso" "$logl" -- "${mpargs[@]}" --proc-id=1)
start_secondary sec 1 2 front "${secargs[@]}"
if ! vc_wait_log sec '^testpmd> ' 30; then
	vc_dump_log sec
	vc_check "secondary testpmd attached" false
	vc_summary
	exit 1
fi
re_att='secondary process attached to port 0: ([0-9]+) virtqueue doorbells'
got=$(grep -oE "$re_att" "${VC_LOGF[sec]}" | grep -oE '[0-9]+ virtqueue' | grep -oE '[0-9]+' || true)
vc_check_eq "secondary got the doorbell and vector fds of every virtqueue" "${got:-0}" $((2 * nq))

# xstat NAME KEY: KEY's value in NAME's last "show port xstats 0".
xstat() {
	local before
	before=$(vc_count_blocks "${VC_LOGF[$1]}" 'NIC extended statistics for port 0')
	vc_tp_cmd "$1" "show port xstats 0"
	local deadline=$(($(vc_now_ms) + 10000))
	while [ "$(vc_count_blocks "${VC_LOGF[$1]}" 'NIC extended statistics for port 0')" -le "$before" ] ||
	      ! grep -q "tx_q$((nq - 1))_filtered" <(tail -n 200 "${VC_LOGF[$1]}"); do
		[ "$(vc_now_ms)" -lt "$deadline" ] || { echo 0; return; }
		sleep 0.05
	done
	tail -n 400 "${VC_LOGF[$1]}" | awk -v k="$2:" '$1 == k { v = $2 } END { print v + 0 }'
}

# 2. Traffic from both processes.
vc_tp_cmd sec "start tx_first"
vc_tp_cmd front "start tx_first"
sleep "$seconds"

# 3. The secondary's kicks, while it runs.
kicks=$(xstat sec "tx_q${half}_kicks")
vc_check "secondary: TX queue $half (its own) kicked the device ($kicks kicks)" \
	test "$kicks" -gt 0
vq=$((2 * half + 1))
sfd=$(grep -oE "virtqueue $vq: kick fd [0-9]+" "${VC_LOGF[sec]}" | grep -oE '[0-9]+$' || true)
fdinfo_get() {	# fdinfo_get PID FD KEY
	awk -v k="$3:" '$1 == k { print $2 }' "/proc/$1/fdinfo/$2" 2>/dev/null || true
}
if [ -n "$sfd" ]; then
	sid=$(fdinfo_get "${VC_PID[sec]}" "$sfd" eventfd-id)
	scount=$(fdinfo_get "${VC_PID[sec]}" "$sfd" eventfd-count)
	pfd=
	for f in /proc/"${VC_PID[front]}"/fdinfo/*; do
		[ "$(awk '$1 == "eventfd-id:" { print $2 }' "$f" 2>/dev/null)" = "$sid" ] &&
			pfd=${f##*/} && break
	done
	if [ -n "$(fdinfo_get "${VC_PID[sec]}" "$sfd" eventfd-count)" ] && [ -z "$sid" ]; then
		echo "note: this kernel shows no eventfd-id in fdinfo: fd identity not checked"
	else
		vc_check "secondary's kick fd $sfd for virtqueue $vq is the primary's eventfd (id ${sid:-?}, primary fd ${pfd:-none})" \
			test -n "$sid" -a -n "$pfd"
	fi
	# fdinfo prints the count in hex.
	[[ "${scount:-}" =~ ^[0-9a-fA-F]+$ ]] && scount=$((16#$scount)) || scount=0
	vc_check "virtqueue $vq's kick eventfd was signalled (count $scount)" \
		test "$scount" -gt 0
else
	vc_check "secondary logged its kick fd for virtqueue $vq" false
fi

vc_tp_cmd sec stop
vc_tp_cmd front stop
vc_tp_wait_stopped sec 1 15 || vc_check "secondary stop report" false
vc_tp_wait_stopped front 1 15 || vc_check "primary stop report" false
sleep 0.5
vc_tp_cmd vhost stop
vc_tp_wait_stopped vhost 1 15 || vc_check "vhost stop report" false

declare -A P=() S=() V=()
vc_tp_stream_stats front 1 "$nq" P
vc_tp_stream_stats sec 1 "$nq" S
vc_tp_stream_stats vhost 1 "$nq" V
for ((q = 0; q < nq; q++)); do
	if [ "$q" -lt "$half" ]; then who=primary; read -r frx ftx <<<"${P[$q]}"
	else who=secondary; read -r frx ftx <<<"${S[$q]}"; fi
	read -r vrx vtx <<<"${V[$q]}"
	vc_check "queue $q ($who): sent $ftx and received $frx, both > 1000" \
		test "$ftx" -gt 1000 -a "$frx" -gt 1000
	vc_check_eq "queue $q ($who): vhost received what it sent" "$vrx" "$ftx"
	vc_check "queue $q ($who): vhost sent $vtx, received $frx (<= 32 in flight)" \
		test "$vtx" -ge "$frx" -a $((vtx - frx)) -le 32
done
declare -A vp=()
if vc_tp_port_stats vhost 0 vp; then
	for k in rx tx; do
		vc_check_eq "vhost ${k^^}-bytes = ${k^^}-packets x $size" \
			"${vp[$k-bytes]}" "$((vp[$k-packets] * size))"
	done
	vc_check_eq "vhost RX/TX errors" "${vp[rx-errors]}/${vp[tx-errors]}" 0/0
else
	vc_check "vhost port statistics readable" false
fi

# 4. The secondary leaves; its doorbell wrote every kick it was asked to.
vc_tp_cmd sec quit || true
rc=0
vc_wait_exit sec 15 || rc=$?
vc_check_eq "secondary exits cleanly on quit" "$rc" 0
det=$(grep -oE 'secondary process detached: [0-9]+ kicks, [0-9]+ failed' "${VC_LOGF[sec]}" || true)
dk=$(echo "$det" | awk '{ print $4 }')
df=$(echo "$det" | awk '{ print $6 }')
vc_check "secondary doorbell: ${dk:-?} kicks written, ${df:-?} failed" \
	test -n "$det" -a "${dk:-0}" -gt 0 -a "${df:-1}" -eq 0

# The primary is unaffected and a new secondary can attach again.
vc_tp_cmd vhost "clear port stats all"
# testpmd's start first drains the RX queues (for tens of ms): frames sent
# before it forwards would be lost, and with them the tx_first loop.
n=$(vc_count_blocks "${VC_LOGF[vhost]}" 'forwarding packets/burst')
vc_tp_cmd vhost start
deadline=$(($(vc_now_ms) + 10000))
while [ "$(vc_count_blocks "${VC_LOGF[vhost]}" 'forwarding packets/burst')" -le "$n" ] &&
      [ "$(vc_now_ms)" -lt "$deadline" ]; do
	sleep 0.05
done
sleep 0.5
vc_tp_cmd front "start tx_first"
sleep 1
vc_tp_cmd front stop
vc_tp_wait_stopped front 2 15 || vc_check "primary stop report 2" false
vc_tp_stream_stats front 2 "$nq" P
read -r frx ftx <<<"${P[0]}"
vc_check "after the secondary left, the primary still forwards on queue 0 ($ftx/$frx)" \
	test "$ftx" -gt 1000 -a "$frx" -gt 1000
vc_tp_cmd vhost stop
start_secondary sec2 1 2 front "${secargs[@]}"
if vc_wait_log sec2 '^testpmd> ' 30; then
	got=$(grep -oE "$re_att" "${VC_LOGF[sec2]}" | grep -oE '[0-9]+ virtqueue' | grep -oE '[0-9]+' || true)
	vc_check_eq "a second secondary attaches with every fd" "${got:-0}" $((2 * nq))
	vc_tp_cmd sec2 quit || true
	rc=0
	vc_wait_exit sec2 15 || rc=$?
	vc_check_eq "second secondary exits cleanly" "$rc" 0
else
	vc_dump_log sec2
	vc_check "a second secondary attaches" false
fi

vc_tp_cmd front quit || true
rc=0
vc_wait_exit front 15 || rc=$?
vc_check_eq "primary exits cleanly on quit" "$rc" 0
vc_tp_cmd vhost quit || true
vc_wait_exit vhost 10 || vc_check "vhost testpmd exits cleanly on quit" false
vc_summary
