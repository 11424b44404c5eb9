#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# Memory hotplug and the hugepage layout check (hugepages only).
#
# 1. vc_memgrow runs with --single-file-segments and no -m/--socket-mem,
#    so that EAL memory is dynamic: after the port started it creates
#    mempools that EAL backs with new hugepages, frees one, and creates a
#    smaller one in the hole.  Frames built in each new pool go through a
#    vhost testpmd in io mode and must all come back intact (the backend
#    can only read them if the memory table was re-sent).  The driver's
#    log attributes every memory event to a step: growing the heap past
#    the mapped span re-sends the table, the hole and its refill change
#    nothing and send nothing.  The vhost side must have received exactly
#    one SET_MEM_TABLE at start plus one per changed set.
# 2. The default hugepage layout (a file per page) fails at probe, with a
#    message naming --single-file-segments: with -m 64 (32 files of 2 MiB
#    at probe, more than the 8 regions the 22.11 vhost backend accepts)
#    and without -m (a file per page detected at probe).
#
# usage: memhotplug.sh DRIVER_SO SEQCHECK_APP --app VC_MEMGROW [--mem huge]
set -euo pipefail
. "$(dirname "$0")/../../devtools/lib.sh"

[ $# -ge 2 ] || { sed -n '3,22p' "$0"; exit 2; }
drv=$1
shift 2
app= mem=huge
while [ $# -gt 0 ]; do
	case "$1" in
	--app) app=$2 ;;
	--mem) mem=$2 ;;
	*) vc_die "unknown option $1" ;;
	esac
	shift 2
done

if [ "$mem" != huge ]; then
	echo "memhotplug: SKIP: memory hotplug needs hugepages (--mem huge)"
	exit 77
fi
if [ "$(vc_vdev_kind)" != ours ]; then
	echo "memhotplug: SKIP: checks our driver's log lines"
	exit 77
fi
vc_test_begin memhotplug huge
[ -x "$app" ] || vc_die "$app not found (build first)"
mapfile -t fe < <(vc_frontend_eal_args "$drv" "$VC_SOCKDIR/vhost.sock")

# The vhost side logs every vhost-user message it reads (debug level).
sock=$VC_SOCKDIR/vhost.sock
mapfile -t vm < <(vc_eal_mem_args vhost)
vc_start -i vhost 0 2 "$VC_TESTPMD" "${vm[@]}" --no-pci \
	--log-level=lib.vhost.config:debug \
	--vdev "net_vhost0,iface=$sock,queues=1" -- \
	-i --nb-cores=1 --forward-mode=io "$VC_TESTPMD_MBUFS"
vc_wait_socket "$sock" 20 vhost || { vc_dump_log vhost; exit 1; }
vc_tp_cmd vhost start

# ---- 1. memory added and freed while the port runs
vc_start grow 1 1 "$app" --single-file-segments --no-pci "${fe[@]}" \
	--log-level=pmd.net.virtio_container.init:info
rc=0
vc_wait_exit grow 60 || rc=$?
log=${VC_LOGF[grow]}
grep '^vc_memgrow: \(phase\|RESULT\)' "$log" || true
vc_check_eq "vc_memgrow exit status (every frame from every pool intact)" "$rc" 0
[ "$rc" -eq 0 ] || vc_dump_log grow 40
vc_check_eq "frames back intact from pools A, B (new), C (new), D (in B's hole)" \
	"$(sed -n 's/^vc_memgrow: RESULT .* intact=\([0-9]*\).*/\1/p' "$log")" 8000

# step_count STEP REGEX: driver log lines matching REGEX inside STEP.
step_count() {
	awk -v b="vc_memgrow: STEP $1 begin" -v e="vc_memgrow: STEP $1 end" -v re="$2" '
		index($0, b) { in_s = 1; next }
		index($0, e) { in_s = 0; next }
		in_s && $0 ~ re { n++ }
		END { print n + 0 }' "$log"
}
resent='vc_mem_event_cb.*memory table re-sent'
same='vc_mem_event_cb.*region set unchanged'
ev='vc_mem_event_cb\(\)'
for s in create-mg_b create-mg_c; do
	n=$(step_count "$s" "$resent")
	vc_check "$s: heap grew past the mapped span, table re-sent ($n)" test "$n" -ge 1
	vc_check_eq "$s: every memory event re-sent the table" \
		"$(step_count "$s" "$ev")" "$n"
done
for s in free-mg_b create-mg_d; do
	n=$(step_count "$s" "$ev")
	vc_check "$s: memory events seen inside the mapped span ($n)" test "$n" -ge 1
	vc_check_eq "$s: region set unchanged for every event" \
		"$(step_count "$s" "$same")" "$n"
	vc_check_eq "$s: table re-sent" "$(step_count "$s" "$resent")" 0
done
vc_check_eq "memory events that failed" \
	"$(grep -c 'keeps its previous memory table' "$log" || true)" 0
updates=$(grep -c "$resent" "$log" || true)
vc_check_eq "SET_MEM_TABLE received by vhost (1 at start + $updates re-sent)" \
	"$(grep -c 'read message VHOST_USER_SET_MEM_TABLE' "${VC_LOGF[vhost]}" || true)" \
	"$((1 + updates))"

declare -A vh=()
if vc_tp_port_stats vhost 0 vh; then
	vc_check_eq "vhost RX-packets" "${vh[rx-packets]}" 8000
	vc_check_eq "vhost TX-packets" "${vh[tx-packets]}" 8000
	vc_check_eq "vhost RX-errors + RX-missed + TX-errors" \
		"$((vh[rx-errors] + vh[rx-missed] + vh[tx-errors]))" 0
else
	vc_check "vhost port statistics readable" false
fi

# ---- 2. a file per hugepage fails at probe, naming the fix
# probe_fails NAME EXPECTED_REGEX EAL_ARGS...: testpmd (reads EOF at once)
probe_fails() {
	local name=$1 re=$2 plog
	shift 2
	vc_start "$name" 1 2 "$VC_TESTPMD" --no-pci "$@" "${fe[@]}" -- \
		-i "$VC_TESTPMD_MBUFS"
	vc_wait_exit "$name" 30 || true
	plog=${VC_LOGF[$name]}
	grep 'vc_mem_check' "$plog" || true
	vc_check "$name: probe refused with the reason" grep -Eq "vc_mem_check\(\).*$re" "$plog"
	vc_check "$name: the message names --single-file-segments" \
		grep -q 'vc_mem_check().*--single-file-segments' "$plog"
	vc_check "$name: probe failed" grep -q 'failed to initialize net_virtio_container0' "$plog"
	vc_check "$name: the port never started" bash -c "! grep -q 'vc_dev_start' '$plog'"
}
# 64 MiB preallocated: 32 files of 2 MiB at probe.
probe_fails default_m64 'spread over 32 files, .* at most 8 memory regions' -m 64
# Dynamic memory: few pages at probe, the layout itself is detected.
probe_fails default_dyn 'one file per 2048 KiB hugepage'

vc_tp_cmd vhost quit || true
vc_wait_exit vhost 10 || true
vc_summary
