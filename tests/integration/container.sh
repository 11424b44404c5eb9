#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# A container without a container engine: examples/vc_l2fwd (driver linked
# in, two ports, MAC swap) runs under
#   unshare --mount --net --pid --ipc --fork --mount-proc
# with, inside the new mount namespace, a private tmpfs on /run that holds
# nothing but /run/vc, a bind mount of the host's vhost-user socket
# directory, and a private memory: its own hugetlbfs instance mounted on
# /dev/hugepages (--mem huge), or --no-huge (memfd).  The vhost backend,
# stock dpdk-testpmd with two net_vhost ports in io mode, runs outside.
#
# Checked: the application is in other mount, net, PID and IPC namespaces
# than the test; it sees /run = {vc}, /run/vc = the two sockets, and no
# network interface but lo; its EAL runtime directory and hugepage files
# exist only inside (not on the host's /run/dpdk and /dev/hugepages); the
# files it holds open are sockets, eventfds, its own memory and its own
# /run, plus the log the test gave it; traffic flows both ways through
# both ports (counters on both sides grow); SIGINT to the application
# (the namespace's init, found as the child of unshare: unshare itself
# ignores SIGINT) makes it release its ports and exit 0, which ends the
# namespace.
#
# usage: container.sh DRIVER_SO [SEQCHECK_APP] --app VC_L2FWD [--mem MODE]
#   --mem huge|nohuge|auto   memory mode (default auto)
#   --seconds S              traffic time before the checks (default 2)
set -euo pipefail
. "$(dirname "$0")/../../devtools/lib.sh"

[ $# -ge 1 ] || { sed -n '3,27p' "$0"; exit 2; }
shift	# the driver .so: the application links the driver
[ $# -gt 0 ] && [ "${1#--}" = "$1" ] && shift	# the seqcheck app: unused
app='' mem=auto seconds=2
while [ $# -gt 0 ]; do
	case "$1" in
	--app) app=$(realpath "$2") ;;
	--mem) mem=$2 ;;
	--seconds) seconds=$2 ;;
	*) vc_die "unknown option $1" ;;
	esac
	shift 2
done

if [ "$(vc_vdev_kind)" != ours ]; then
	echo "container: SKIP: the application links net_virtio_container (VC_VDEV=$VC_VDEV)"
	exit 77
fi
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
	echo "container: SKIP: needs root and unshare(1) (util-linux)"
	exit 77
fi
vc_test_begin container "$mem"
[ -x "$app" ] || vc_die "--app: vc_l2fwd not found at '$app' (build first)"

# Host side: the socket directory the "container" gets, and an empty
# directory the private /run is assembled on before it is moved over /run.
hostdir=$VC_SOCKDIR/vc
stage=$VC_SOCKDIR/stage
mkdir -m 0755 "$hostdir" "$stage"

mapfile -t vm < <(vc_eal_mem_args vhost)
vc_start -i vhost 0 2 "$VC_TESTPMD" "${vm[@]}" --no-pci \
	--vdev "net_vhost0,iface=$hostdir/p0.sock" \
	--vdev "net_vhost1,iface=$hostdir/p1.sock" -- \
	-i --nb-cores=1 --forward-mode=io "$VC_TESTPMD_MBUFS"
for s in p0 p1; do
	vc_wait_socket "$hostdir/$s.sock" 20 vhost || { vc_dump_log vhost; exit 1; }
done

# Runs as PID 1 of the new namespaces: build the container's /run and
# memory, show what it sees, then become the application.  -n: the
# userspace mount table lives in the /run being replaced.
# shellcheck disable=SC2016
inner='set -eu
stage=$1 hostdir=$2 mem=$3
exec 3>>"$4"	# the log lies in the /run about to be replaced
shift 4
mount -n -t tmpfs -o mode=0755,size=64m vc-run "$stage"
mkdir -m 0755 "$stage/vc"
mount -n --bind "$hostdir" "$stage/vc"
mount -n --move "$stage" /run
if [ "$mem" = huge ]; then
	umount -n -l /dev/hugepages 2>/dev/null || true
	mount -n -t hugetlbfs -o pagesize=2M,mode=0700 vc-huge /dev/hugepages
fi
{
	echo "ns: pid $$"
	echo "ns: /run: $(ls -A /run | tr "\n" " ")"
	echo "ns: /run/vc: $(ls -A /run/vc | tr "\n" " ")"
	echo "ns: net: $(awk "NR > 2 { sub(\":\", \"\", \$1); print \$1 }" /proc/net/dev | tr "\n" " ")"
	echo "ns: hugetlbfs: $(awk "\$3 == \"hugetlbfs\" { print \$2 }" /proc/mounts | tr "\n" " ")"
} >&3
exec stdbuf -oL -eL "$@" >&3 2>&3 3>&- </dev/null'

mapfile -t am < <(vc_eal_mem_args app)
# Only the namespace's own hugetlbfs, whatever else the host mounted.
[ "$VC_MEM_MODE" = huge ] && am+=(--huge-dir /dev/hugepages)
prefix="vc${VC_RUNID}app"
log=$VC_SOCKDIR/app.log
# Registered with lib.sh so that an aborted test still stops it (unshare
# ignores SIGINT: vc_stop ends with SIGKILL, and --kill-child takes the
# application along).
VC_PREFIX[app]=$prefix
VC_LOGF[app]=$log
# The vhost testpmd's command pipe is open in this shell: not inherited.
vfd=${VC_FD[vhost]}
unshare --mount --net --pid --ipc --fork --mount-proc --kill-child=SIGKILL -- \
	bash -c "$inner" inner "$stage" "$hostdir" "$VC_MEM_MODE" "$log" \
	"$app" --lcores 0@1 --file-prefix="$prefix" "${am[@]}" --no-pci \
	--vdev net_virtio_container0,path=/run/vc/p0.sock \
	--vdev net_virtio_container1,path=/run/vc/p1.sock \
	-- --mac-swap --stats-period 1 </dev/null >>"$log" 2>&1 {vfd}>&- &
VC_PID[app]=$!
VC_ORDER+=(app)
vc_log "started app in namespaces (unshare pid ${VC_PID[app]}): $app"

if ! vc_wait_log app '^forwarding on lcore' 30; then
	vc_dump_log app
	vc_dump_log vhost
	vc_check "vc_l2fwd started inside the namespaces" false
	vc_summary
	exit 1
fi

# The namespace's init: unshare's only child, which exec'd the application.
upid=${VC_PID[app]}
pid=$(cat "/proc/$upid/task/$upid/children" 2>/dev/null || ps -o pid= --ppid "$upid")
pid=${pid// /}
vc_check "application found as the child of unshare (pid ${pid:-none})" \
	test -n "$pid" -a -d "/proc/${pid:-none}"
vc_check "the child is vc_l2fwd" \
	test "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$app"

for ns in mnt net pid ipc; do
	mine=$(readlink "/proc/self/ns/$ns")
	theirs=$(readlink "/proc/$pid/ns/$ns" 2>/dev/null || echo none)
	vc_check "$ns namespace of the application is its own ($theirs)" \
		test "$theirs" != none -a "$theirs" != "$mine"
done
vc_check_eq "its PID inside the namespace" \
	"$(sed -n 's/^ns: pid //p' "$log")" 1
vc_check_eq "/run inside holds only the socket directory" \
	"$(sed -n 's/^ns: \/run: //p' "$log")" "vc "
vc_check_eq "/run/vc inside holds only the vhost sockets" \
	"$(sed -n 's/^ns: \/run\/vc: //p' "$log")" "p0.sock p1.sock "
vc_check_eq "network interfaces inside" "$(sed -n 's/^ns: net: //p' "$log")" "lo "
vc_check_eq "network interfaces of the running application (/proc/PID/net/dev)" \
	"$(awk 'NR > 2 { sub(":", "", $1); printf "%s ", $1 }' "/proc/$pid/net/dev")" "lo "
vc_check "EAL runtime directory only inside (/run/dpdk/$prefix)" \
	test -d "/proc/$pid/root/run/dpdk/$prefix" -a ! -e "/run/dpdk/$prefix"

if [ "$VC_MEM_MODE" = huge ]; then
	# mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE ..."
	hugedev() {
		awk '$5 == "/dev/hugepages" {
			for (i = 7; i < NF; i++) if ($i == "-") break
			if ($(i + 1) == "hugetlbfs") d = $3
		} END { print d }' "$1"
	}
	host_dev=$(hugedev /proc/self/mountinfo)
	app_dev=$(hugedev "/proc/$pid/mountinfo")
	vc_check "private hugetlbfs instance inside (${app_dev:-none}, host ${host_dev:-none})" \
		test -n "$app_dev" -a "$app_dev" != "$host_dev"
	inside=$(find "/proc/$pid/root/dev/hugepages/" -maxdepth 1 -name "$prefix*" | wc -l)
	outside=$(find /dev/hugepages/ -maxdepth 1 -name "$prefix*" | wc -l)
	vc_check "hugepage files only inside ($inside inside, $outside on the host)" \
		test "$inside" -gt 0 -a "$outside" -eq 0
else
	vc_check "memory is memfd-backed (--no-huge)" grep -q '/memfd:' "/proc/$pid/maps"
fi

# Every open file of the application: kernel objects (the pipes are EAL's
# interrupt thread's), its own memory and EAL runtime directory, /dev/null,
# and the log.  Nothing else of the host.
odd=()
mapfile -t fds < <(for f in "/proc/$pid/fd"/*; do readlink "$f" 2>/dev/null || true; done)
printf 'open files of the application:\n'
printf '%s\n' "${fds[@]}" | sed -E 's/:\[[0-9]+\]$//; s/^\/memfd:.*/memfd/' | sort | uniq -c
for t in "${fds[@]}"; do
	case "$t" in
	socket:*|anon_inode:*|pipe:*|/memfd:*|/dev/null) ;;
	"/run/dpdk/$prefix/"*|/dev/hugepages/"$prefix"*) ;;
	"$log") ;;
	*) odd+=("$t") ;;
	esac
done
vc_check "open files: only sockets, eventfds, its memory, its /run and the log${odd[*]:+ (also: ${odd[*]})}" \
	test ${#odd[@]} -eq 0
vc_check "connected through unix sockets" \
	test "$(find "/proc/$pid/fd" -lname 'socket:*' | wc -l)" -ge 2

# Traffic: 32 frames per port from the vhost side, swapped and forwarded
# by the application, forwarded back by the vhost side, for ever.
vc_tp_cmd vhost "start tx_first"
sleep "$seconds"
declare -A a0=() a1=() b0=() b1=()
vc_tp_port_stats vhost 0 a0 || a0=()
vc_tp_port_stats vhost 1 a1 || a1=()
sleep 1
vc_tp_port_stats vhost 0 b0 || b0=()
vc_tp_port_stats vhost 1 b1 || b1=()
for p in 0 1; do
	declare -n s0=a$p s1=b$p
	printf 'vhost port %s: rx %s -> %s, tx %s -> %s\n' "$p" "${s0[rx-packets]:-?}" \
		"${s1[rx-packets]:-?}" "${s0[tx-packets]:-?}" "${s1[tx-packets]:-?}"
	vc_check "vhost port $p receives from the container, and keeps receiving" \
		test "${s0[rx-packets]:-0}" -gt 0 -a "${s1[rx-packets]:-0}" -gt "${s0[rx-packets]:-0}"
	vc_check "vhost port $p sends to the container, and keeps sending" \
		test "${s0[tx-packets]:-0}" -gt 0 -a "${s1[tx-packets]:-0}" -gt "${s0[tx-packets]:-0}"
	unset -n s0 s1
done

# Stop: SIGINT to the application, by its PID; unshare then exits with its
# status, and the namespaces (with the private /run and hugetlbfs) go.
kill -INT "$pid"
if vc_wait_exit app 15; then rc=0; else rc=$?; fi
vc_check_eq "exit status of the application (through unshare)" "$rc" 0
vc_check "the application is gone" test ! -d "/proc/$pid"
vc_check "vc_l2fwd released its ports" grep -q '^ports stopped, closed and removed' "$log"
for p in 0 1; do
	tot=$(grep "^total port $p:" "$log" || true)
	printf '%s\n' "${tot:-no totals for port $p}"
	rx=$(sed -n 's/.*rx-packets \([0-9]*\).*/\1/p' <<<"$tot")
	tx=$(sed -n 's/.*tx-packets \([0-9]*\).*/\1/p' <<<"$tot")
	vc_check "vc_l2fwd port $p received (${rx:-none}) and sent (${tx:-none})" \
		test "${rx:-0}" -gt 0 -a "${tx:-0}" -gt 0
done
[ "$VC_FAILED" -eq 0 ] || { vc_dump_log app 30; vc_dump_log vhost 30; }

vc_tp_cmd vhost quit || true
vc_wait_exit vhost 10 || vc_check "vhost testpmd exits cleanly on quit" false
vc_summary
