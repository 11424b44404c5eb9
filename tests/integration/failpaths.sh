#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# What a user sees when the backend is not there or cannot be reached:
# stock dpdk-testpmd loading the driver (-d) with a vhost-user socket path
# that is missing, not a socket, not accessible, or nobody serves.
#
# Cold probes (--vdev on the EAL command line, non-interactive testpmd):
#   - client mode, path missing; server=1 in a missing directory;
#   - path is a regular file (client and server=1; the file survives);
#   - stale socket left by a SIGKILLed vhost testpmd: connection refused;
#   - a peer that accepts and never answers (python3): reply timeout;
#   - permission denied: the frontend runs as nobody (setpriv; root would
#     bypass the permission checks) against a live root backend whose
#     socket lies in a mode 000 directory, then is mode 0600 itself;
#   each: devsim's and vc_probe()'s messages name the path and the cause,
#   no port is created, testpmd exits within BOUND (30) s (time printed);
#   - server=1, no backend ever: the probe does not block (prompt within
#     BOUND), link down, forwarding starts and stops, quit exits 0 and
#     removes the socket.
# Hot-plug ("port attach" in one interactive testpmd): one warm-up, then
# 3 more attempts of each failing case; after them, the open fd count
# (/proc/PID/fd) and DPDK heap allocations (dump_socket_mem: allocation
# count and bytes) are back at their value after the warm-up (the first
# attach ever allocates ethdev's shared port data, once per process).  server=1
# ports attached and detached 3 times: same, and the socket is removed.
# Then the remedy works: a backend on the stale path (client) and a mode
# 0666 socket (as nobody) attach with link up.
#
# usage: failpaths.sh DRIVER_SO [SEQCHECK_APP] [--mem huge|nohuge|auto]
set -euo pipefail
. "$(dirname "$0")/../../devtools/lib.sh"

vc_args_drv_mem "$@"
[ "$(vc_vdev_kind)" = ours ] || { echo "failpaths: SKIP: ours only (checks our messages)"; exit 77; }

vc_test_begin failpaths "$mem"
BOUND=30
d=$VC_SOCKDIR
drvp=$(realpath "$drv")
mapfile -t fm < <(vc_eal_mem_args frontend)
mapfile -t vm < <(vc_eal_mem_args vhost)
# Regex-quoting of paths for grep -E.
req() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'; }

# A frontend without privileges, when we have them to drop: root may
# connect to any socket.  Memory: --no-huge (hugetlbfs is root's).
asuser=''
if [ "$(id -u)" = 0 ]; then
	ng=$(id -gn nobody 2>/dev/null) || ng=''
	# nobody must be able to load the driver (a build under /root is not).
	if command -v setpriv >/dev/null && [ -n "$ng" ] &&
	   setpriv --reuid=nobody --regid="$ng" --clear-groups test -r "$drvp"; then
		asuser=nobody
		xdg=$d/xdg
		mkdir -m 0700 "$xdg"
		chown nobody:"$ng" "$xdg"
		cat >"$d/asuser.sh" <<-EOF
			#!/bin/sh
			XDG_RUNTIME_DIR=$xdg exec setpriv --reuid=nobody --regid=$ng --clear-groups "$VC_TESTPMD" "\$@"
		EOF
		chmod 0755 "$d/asuser.sh"
		# nobody must reach the sockets below; names are not listable.
		chmod 0711 "$d"
	fi
else
	asuser=$(id -un)
fi

# cold_probe NAME PROG SOCKET EXTRA_DEVARGS [MEMARGS...]: a
# non-interactive testpmd probing port 0 on SOCKET; waits (BOUND s) for
# it to exit and sets ms (time to exit) and rc.
cold_probe() {
	local name=$1 prog=$2 t0 ea
	mapfile -t ea < <(vc_frontend_eal_args "$drvp" "$3" "$4")
	shift 4
	local -a m=("$@")
	[ ${#m[@]} -gt 0 ] || m=("${fm[@]}")
	t0=$(vc_now_ms)
	vc_start "$name" 1 2 "$prog" "${m[@]}" --no-pci "${ea[@]}" -- \
		--nb-cores=1 "$VC_TESTPMD_MBUFS"
	rc=0
	vc_wait_exit "$name" "$BOUND" || rc=$?
	ms=$(($(vc_now_ms) - t0))
}

# check_cold NAME WHAT DEVSIM_REGEX PATH: the checks every failed cold
# probe gets (exit within BOUND, status 0: testpmd goes on without the
# port; messages; no port).
check_cold() {
	local name=$1 what=$2 re=$3 path=$4 log=${VC_LOGF[$1]}
	vc_check_eq "$what: testpmd exited within ${BOUND} s (${ms} ms), status" "$rc" 0
	vc_check "$what: devsim says why" grep -Eq -- "$re" "$log"
	vc_check "$what: vc_probe() names the path" \
		grep -Eq -- "vc_probe\(\): net_virtio_container0: cannot attach to vhost-user socket $(req "$path"): " "$log"
	vc_check "$what: no port created" grep -q 'No probed ethernet devices' "$log"
	grep -E 'devsim:|vc_probe' "$log" | sed 's/^/    | /'
}

# ---------------------------------------------------------------- cold

p=$d/missing.sock
cold_probe c_missing "$VC_TESTPMD" "$p" ""
check_cold c_missing "client, path missing" \
	"connect to $(req "$p") failed after 1 attempt\(s\): no such socket \(is the vhost-user backend running\?\)" "$p"

p=$d/nodir/vhost.sock
cold_probe s_nodir "$VC_TESTPMD" "$p" server=1
check_cold s_nodir "server=1, directory missing" \
	"cannot listen on $(req "$p"): No such file or directory" "$p"

p=$d/regular
echo "not a socket" >"$p"
cold_probe c_notsock "$VC_TESTPMD" "$p" ""
check_cold c_notsock "client, regular file" \
	"connect to $(req "$p") failed after 1 attempt\(s\): not a unix socket" "$p"
cold_probe s_notsock "$VC_TESTPMD" "$p" server=1
check_cold s_notsock "server=1, regular file" \
	"cannot listen on $(req "$p"): the path exists and is not a socket" "$p"
vc_check "server=1 left the regular file alone" grep -qx "not a socket" "$p"

# A stale socket: what a killed backend leaves behind.
stale=$d/stale.sock
vc_start -i vstale 0 2 "$VC_TESTPMD" "${vm[@]}" --no-pci \
	--vdev "net_vhost0,iface=$stale,queues=1" -- -i --nb-cores=1 "$VC_TESTPMD_MBUFS"
vc_wait_socket "$stale" 20 vstale || { vc_dump_log vstale; vc_die "vhost did not start"; }
kill -KILL "${VC_PID[vstale]}"
vc_stop vstale 5
vc_check "stale socket file left by the killed backend" [ -S "$stale" ]
cold_probe c_stale "$VC_TESTPMD" "$stale" ""
check_cold c_stale "client, stale socket (backend never (re)appears)" \
	"connect to $(req "$stale") failed after 1 attempt\(s\): connection refused \(nobody listens on the socket\)" "$stale"

# A peer that accepts and never answers (not a vhost-user backend): the
# handshake gives up after devsim's reply timeout (10 s).
if command -v python3 >/dev/null; then
	mute=$d/mute.sock
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
held = []
while True:
	held.append(s.accept()[0])' "$mute" &
	mute_pid=$!
	for _ in $(seq 200); do [ -S "$mute" ] && break; sleep 0.05; done
	cold_probe c_mute "$VC_TESTPMD" "$mute" ""
	check_cold c_mute "client, peer accepts and never answers" \
		"vhost-user handshake with $(req "$mute") failed \(-110\)" "$mute"
	vc_check "client, peer never answers: reply timeout message" \
		grep -q 'receiving a header: backend did not answer in time (-110)' "${VC_LOGF[c_mute]}"
	kill "$mute_pid"
	wait "$mute_pid" 2>/dev/null || true
else
	echo "skip: silent peer case (no python3)"
fi

# Permission denied, with a live backend behind the socket.
if [ -n "$asuser" ]; then
	pd=$d/perm
	mkdir -m 0755 "$pd"
	psock=$pd/vhost.sock
	vc_start -i vperm 0 2 "$VC_TESTPMD" "${vm[@]}" --no-pci \
		--vdev "net_vhost0,iface=$psock,queues=1" -- -i --nb-cores=1 "$VC_TESTPMD_MBUFS"
	vc_wait_socket "$psock" 20 vperm || { vc_dump_log vperm; vc_die "vhost did not start"; }
	vc_wait_log vperm 'testpmd> ' 30 || vc_die "vhost did not start"
	vc_tp_cmd vperm start
	uprog=$VC_TESTPMD
	[ "$asuser" = nobody ] && uprog=$d/asuser.sh
	chmod 0666 "$psock"
	chmod 0000 "$pd"
	cold_probe c_permdir "$uprog" "$psock" "" --no-huge -m 512
	check_cold c_permdir "client as $asuser, socket in a mode 000 directory" \
		"connect to $(req "$psock") failed after 1 attempt\(s\): permission denied" "$psock"
	chmod 0755 "$pd"
	if [ "$asuser" = nobody ]; then
		chmod 0600 "$psock"
		cold_probe c_permsock "$uprog" "$psock" "" --no-huge -m 512
		check_cold c_permsock "client as nobody, root's socket mode 0600" \
			"connect to $(req "$psock") failed after 1 attempt\(s\): permission denied" "$psock"
	else
		echo "skip: socket mode 0600 case (needs root to drop to nobody)"
	fi
else
	echo "skip: permission cases (root, and no setpriv, no user nobody or the driver not readable by nobody)"
fi

# server=1 and no backend ever: no blocking, link down, clean exit.
ssock=$d/server.sock
mapfile -t ea < <(vc_frontend_eal_args "$drvp" "$ssock" server=1)
t0=$(vc_now_ms)
vc_start -i s_alone 1 2 "$VC_TESTPMD" "${fm[@]}" --no-pci "${ea[@]}" -- \
	-i --nb-cores=1 --forward-mode=txonly "$VC_TESTPMD_MBUFS"
up=yes
vc_wait_log s_alone '^testpmd> ' "$BOUND" || up=no
ms=$(($(vc_now_ms) - t0))
vc_check_eq "server=1, no backend: testpmd prompt within ${BOUND} s (${ms} ms)" "$up" yes
[ $up = yes ] || vc_dump_log s_alone
vc_check "server=1, no backend: devsim says link down until one connects" \
	grep -Eq "no backend connected to $(req "$ssock") within 0 ms: link down until one does" "${VC_LOGF[s_alone]}"
vc_check "server=1, no backend: listening socket exists" [ -S "$ssock" ]

# tp_do NAME REGEX COMMAND: sends COMMAND, waits (BOUND s) until one more
# line of NAME's log matches REGEX.
tp_do() {
	local name=$1 re=$2 n deadline
	shift 2
	n=$(vc_count_blocks "${VC_LOGF[$name]}" "$re")
	vc_tp_cmd "$name" "$@" || return 1
	deadline=$(($(vc_now_ms) + BOUND * 1000))
	while [ "$(vc_count_blocks "${VC_LOGF[$name]}" "$re")" -le "$n" ]; do
		[ "$(vc_now_ms)" -lt "$deadline" ] && vc_alive "$name" || return 1
		sleep 0.02
	done
}
last_match() { grep -E -- "$2" "${VC_LOGF[$1]}" | tail -n 1; }
# link_becomes NAME STATE: asks "show port info 0" until it says STATE
# (BOUND s).
link_becomes() {
	local deadline=$(($(vc_now_ms) + BOUND * 1000))
	while [ "$(vc_now_ms)" -lt "$deadline" ]; do
		tp_do "$1" '^Link status: ' "show port info 0" || return 1
		[ "$(last_match "$1" '^Link status: ')" = "Link status: $2" ] && return 0
		sleep 0.1
	done
	return 1
}

tp_do s_alone '^Link status: ' "show port info 0" || true
vc_check_eq "server=1, no backend: link" "$(last_match s_alone '^Link status: ')" "Link status: down"
vc_tp_cmd s_alone start
vc_tp_cmd s_alone stop
vc_check "server=1, no backend: forwarding started and stopped while link down" \
	vc_wait_log s_alone 'Accumulated forward statistics' "$BOUND"
t0=$(vc_now_ms)
vc_tp_cmd s_alone quit
rc=0
vc_wait_exit s_alone "$BOUND" || rc=$?
ms=$(($(vc_now_ms) - t0))
vc_check_eq "server=1, no backend: quit within ${BOUND} s (${ms} ms), exit status" "$rc" 0
vc_check "server=1, no backend: socket removed at exit" [ ! -e "$ssock" ]

# ---------------------------------------------------------------- hot-plug

fds() { ls "/proc/${VC_PID[$1]}/fd" | wc -l; }
# heap NAME: "<allocations> <MB allocated>" of EAL's heaps (dump_socket_mem).
heap() {
	tp_do "$1" '^Total   : size' dump_socket_mem || { echo "none"; return; }
	last_match "$1" '^Total   : size' |
		sed -E 's/.* alloc: ([0-9.]+)\(.*count alloc: ([0-9]+).*/\2 allocs, \1 MB/'
}
ATTACHED='(Failed to attach port|is attached\. Now total ports)'

# attach_fails NAME WHAT DEVARGS REGEX: one warm-up attach, then 3 more;
# each must fail with REGEX in the log; fds and heap stay put.
attach_fails() {
	local name=$1 what=$2 da=$3 re=$4 i f0 h0 ok=0 nre
	tp_do "$name" "$ATTACHED" "port attach net_virtio_container1,$da" || true
	f0=$(fds "$name")
	h0=$(heap "$name")
	nre=$(vc_count_blocks "${VC_LOGF[$name]}" "$re")
	for i in 1 2 3; do
		tp_do "$name" "$ATTACHED" "port attach net_virtio_container1,$da" || continue
		last_match "$name" "$ATTACHED" | grep -q '^testpmd: Failed to attach port' && ok=$((ok + 1))
	done
	vc_check_eq "hot-plug, $what: attach attempts failed" "$ok" 3
	vc_check_eq "hot-plug, $what: reason printed each time" \
		"$(($(vc_count_blocks "${VC_LOGF[$name]}" "$re") - nre))" 3
	vc_check_eq "hot-plug, $what: fd count after 3 more attempts" "$(fds "$name")" "$f0"
	vc_check_eq "hot-plug, $what: DPDK heap after 3 more attempts" "$(heap "$name")" "$h0"
}

vc_start -i hp 1 2 "$VC_TESTPMD" "${fm[@]}" --no-pci -d "$drvp" -- \
	-i --nb-cores=1 "$VC_TESTPMD_MBUFS"
vc_wait_log hp '^testpmd> ' "$BOUND" || { vc_dump_log hp; vc_die "testpmd did not start"; }
echo "hot-plug testpmd: $(fds hp) fds, heap $(heap hp)"
attach_fails hp "path missing" "path=$d/missing.sock" 'no such socket \(is the vhost-user'
attach_fails hp "regular file" "path=$d/regular" 'failed after 1 attempt\(s\): not a unix socket'
attach_fails hp "stale socket" "path=$stale" 'connection refused \(nobody listens'
attach_fails hp "server=1, directory missing" "path=$d/nodir/x.sock,server=1" \
	"cannot listen on $(req "$d/nodir/x.sock"): No such file or directory"

# server=1 without a backend: attach (link down), detach; 3 times.
srv_cycle() {
	tp_do hp "$ATTACHED" "port attach net_virtio_container1,path=$ssock,server=1" &&
		last_match hp "$ATTACHED" | grep -q 'Port 0 is attached' &&
		[ -S "$ssock" ] &&
		tp_do hp '^Link status: ' "show port info 0" &&
		[ "$(last_match hp '^Link status: ')" = "Link status: down" ] &&
		vc_tp_cmd hp "port stop 0" &&
		tp_do hp '^Now total ports is 0' "port detach 0" &&
		[ ! -e "$ssock" ]
}
ok=0
srv_cycle && ok=$((ok + 1))
f0=$(fds hp)
h0=$(heap hp)
for i in 1 2 3; do srv_cycle && ok=$((ok + 1)); done
vc_check_eq "hot-plug, server=1 no backend: attach (link down) + detach (socket removed) cycles" "$ok" 4
vc_check_eq "hot-plug, server=1 no backend: fd count after 3 more cycles" "$(fds hp)" "$f0"
vc_check_eq "hot-plug, server=1 no backend: DPDK heap after 3 more cycles" "$(heap hp)" "$h0"

# The remedy for the stale socket: a backend on it.
rm -f "$stale"
vc_start_vhost vback "$stale" io || vc_die "vhost did not start"
vc_wait_log vback 'testpmd> ' 30 || true
tp_do hp "$ATTACHED" "port attach net_virtio_container1,path=$stale" || true
vc_check "hot-plug, stale socket replaced by a live backend: attached" \
	grep -q 'Port 0 is attached' <(last_match hp "$ATTACHED")
vc_tp_cmd hp "port start 0"
vc_check "... port started, link up" link_becomes hp up
t0=$(vc_now_ms)
vc_tp_cmd hp quit
rc=0
vc_wait_exit hp "$BOUND" || rc=$?
vc_check_eq "hot-plug testpmd: quit within ${BOUND} s ($(($(vc_now_ms) - t0)) ms), exit status" "$rc" 0

# Permission denied, as nobody: 3 attempts each, then the fix.
if [ -n "$asuser" ]; then
	uprog=$VC_TESTPMD
	[ "$asuser" = nobody ] && uprog=$d/asuser.sh
	vc_start -i hpu 1 2 "$uprog" --no-huge -m 512 --no-pci -d "$drvp" -- \
		-i --nb-cores=1 "$VC_TESTPMD_MBUFS"
	vc_wait_log hpu '^testpmd> ' "$BOUND" || { vc_dump_log hpu; vc_die "testpmd as $asuser did not start"; }
	chmod 0666 "$psock"
	chmod 0000 "$pd"
	attach_fails hpu "as $asuser, mode 000 directory" "path=$psock" 'failed after 1 attempt\(s\): permission denied'
	chmod 0755 "$pd"
	if [ "$asuser" = nobody ]; then
		chmod 0600 "$psock"
		attach_fails hpu "as nobody, root's socket mode 0600" "path=$psock" 'failed after 1 attempt\(s\): permission denied'
	fi
	chmod 0666 "$psock"
	tp_do hpu "$ATTACHED" "port attach net_virtio_container1,path=$psock" || true
	vc_check "hot-plug as $asuser, socket made accessible: attached" \
		grep -q 'Port 0 is attached' <(last_match hpu "$ATTACHED")
	vc_tp_cmd hpu "port start 0"
	vc_check "... port started, link up" link_becomes hpu up
	vc_tp_cmd hpu quit
	rc=0
	vc_wait_exit hpu "$BOUND" || rc=$?
	vc_check_eq "hot-plug testpmd as $asuser: exit status" "$rc" 0
fi
vc_summary
