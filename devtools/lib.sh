# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# Shell helpers shared by devtools/*.sh and tests/integration/*.sh.
# Source it; it defines functions and vc_* variables only and runs nothing.
#
#   vc_build_dir              where the build tree goes (never world-writable)
#   vc_sockdir_create         private socket directory under /run/virtio-container
#   vc_mem_select MODE        huge | nohuge | auto -> VC_MEM_MODE
#   vc_eal_mem_args ROLE      EAL memory arguments for vhost | frontend | app
#   vc_args_drv_mem "$@"      the arguments of a DRIVER_SO [SEQCHECK_APP] [--mem M] script
#   vc_frontend_eal_args ...  EAL arguments that create the frontend under test
#   vc_start NAME CPU NLC ... start a DPDK process in the background, pinned
#   vc_stop NAME              stop it by PID (SIGINT, bounded wait, SIGKILL)
#   vc_tp_cmd / vc_tp_port_stats / vc_tp_stream_stats / vc_tp_wait_stopped
#                             drive an interactive testpmd through a fifo
#   vc_stats_block            parse testpmd's statistics blocks
#   vc_check / vc_summary     per-test bookkeeping ("N passed, N failed")

# The repository root, wherever the clone is.
vc_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Milliseconds since the epoch, without forking (bash >= 5).
vc_now_ms() {
	local t=${EPOCHREALTIME//[.,]/}
	echo $((t / 1000))
}

vc_log() { printf '%s: %s\n' "${VC_LOG_TAG:-vc}" "$*" >&2; }
vc_die() { vc_log "error: $*"; exit 1; }

# ---------------------------------------------------------------- paths

# True when no directory on the way from DIR up to / is world-writable.
# EAL refuses a -d driver whose path has such a directory ("world-writable
# and insecure"); both the path as spelled and its resolved form are checked
# because EAL stat()s the spelled one, which follows symlinks.
vc_path_is_safe() {
	local p d
	for p in "$1" "$(realpath -m "$1")"; do
		d=$p
		while :; do
			if [ -e "$d" ] && [ -n "$(find "$d" -maxdepth 0 -perm -0002 2>/dev/null)" ]; then
				return 1
			fi
			[ "$d" = / ] || [ "$d" = . ] && break
			d=$(dirname "$d")
		done
	done
	return 0
}

# The build directory: $VC_BUILDDIR if set, else $top/build when the clone
# lies in a safe place, else a per-clone directory under
# /var/lib/virtio-container (CI clones the repository to unknown places,
# /tmp among them).
vc_build_dir() {
	if [ -n "${VC_BUILDDIR:-}" ]; then
		printf '%s\n' "$VC_BUILDDIR"
	elif vc_path_is_safe "$vc_top"; then
		printf '%s\n' "$vc_top/build"
	else
		local h
		h=$(printf '%s' "$vc_top" | sha256sum | cut -c1-12)
		printf '%s\n' "/var/lib/virtio-container/build-$h"
	fi
}

# Creates a private (0700) directory for sockets, fifos and logs and sets
# VC_SOCKDIR.  Unix socket paths are limited to 107 bytes, hence /run.
vc_sockdir_create() {
	local base=/run/virtio-container
	if ! { mkdir -p -m 0755 "$base" 2>/dev/null && [ -w "$base" ]; }; then
		base=${XDG_RUNTIME_DIR:-$HOME}/.virtio-container
		mkdir -p -m 0700 "$base" || vc_die "cannot create $base"
	fi
	VC_SOCKDIR=$(mktemp -d "$base/XXXXXXXX") || vc_die "mktemp -d in $base failed"
	chmod 0700 "$VC_SOCKDIR"
}

# ---------------------------------------------------------------- memory

# Free 2 MiB hugepages on a mounted hugetlbfs, 0 when there is none.
vc_free_hugepages() {
	local f=/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages
	if [ -r "$f" ] && vc_hugetlbfs_mounts | grep -q .; then
		cat "$f"
	else
		echo 0
	fi
}

# Mount points of 2 MiB hugetlbfs (where EAL puts <prefix>map_* files).
vc_hugetlbfs_mounts() {
	awk '$3 == "hugetlbfs" && ($4 ~ /pagesize=2M/ || $4 !~ /pagesize=/) { print $2 }' /proc/mounts
}

VC_MIN_FREE_HUGEPAGES=${VC_MIN_FREE_HUGEPAGES:-512}

# vc_mem_select [huge|nohuge|auto]: sets VC_MEM_MODE.  auto (the default,
# also taken from $VC_MEM) uses hugepages when at least 512 free 2 MiB pages
# are there.  Returns 2 when huge is asked for and not available, so that a
# test can report a skip.
vc_mem_select() {
	local want=${1:-${VC_MEM:-auto}} free
	free=$(vc_free_hugepages)
	case "$want" in
	huge)
		if [ "$free" -lt "$VC_MIN_FREE_HUGEPAGES" ]; then
			vc_log "hugepage mode asked for, but only $free free 2 MiB pages (< $VC_MIN_FREE_HUGEPAGES)"
			return 2
		fi
		VC_MEM_MODE=huge ;;
	nohuge) VC_MEM_MODE=nohuge ;;
	auto)
		if [ "$free" -ge "$VC_MIN_FREE_HUGEPAGES" ]; then
			VC_MEM_MODE=huge
		else
			VC_MEM_MODE=nohuge
		fi ;;
	*) vc_die "unknown memory mode '$want' (huge, nohuge or auto)" ;;
	esac
	return 0
}

# vc_eal_mem_args ROLE: EAL memory arguments, one per line, for ROLE vhost
# (memory never shared), frontend or app (memory shared with the vhost
# backend by fd).  With hugepages a shared-memory frontend needs one file
# per memseg list: the 22.11 vhost backend takes at most 8 regions.
# Without hugepages EAL backs memory with memfd, which is shareable too.
vc_eal_mem_args() {
	case "$VC_MEM_MODE" in
	huge)
		printf '%s\n' -m 256
		[ "$1" = vhost ] || printf '%s\n' --single-file-segments ;;
	nohuge)
		printf '%s\n' --no-huge -m 512 ;;
	*) vc_die "vc_mem_select was not called" ;;
	esac
}

# testpmd's default mbuf pool does not fit in 512 MiB of no-huge memory;
# 32768 mbufs are plenty for one queue pair and keep the hugepage footprint
# small on shared machines, so both modes use it.
VC_TESTPMD_MBUFS=--total-num-mbufs=32768

# ---------------------------------------------------------------- frontend

# VC_VDEV selects the frontend under test: ours (the default, our
# net_virtio_container from the -d driver .so) or upstream (DPDK's own
# net_virtio_user, built into Debian's DPDK).  Everything else in the tests
# is the same for both.
vc_vdev_kind() {
	case "${VC_VDEV:-ours}" in
	ours|upstream) printf '%s\n' "${VC_VDEV:-ours}" ;;
	*) vc_die "VC_VDEV must be 'ours' or 'upstream', not '$VC_VDEV'" ;;
	esac
}

# vc_frontend_eal_args DRIVER_SO SOCKET [DEVARGS]: the EAL arguments (one
# per line) creating port 0 as the frontend under test.  DEVARGS are the
# upstream virtio_user ones (queues=, mrg_rxbuf=, ...), which ours shares;
# $VC_DEVARGS is appended to them.
vc_frontend_eal_args() {
	local drv=$1 sock=$2 extra=${3:-} args
	args="path=$sock${extra:+,$extra}${VC_DEVARGS:+,$VC_DEVARGS}"
	case "$(vc_vdev_kind)" in
	ours)
		[ -f "$drv" ] || vc_die "driver $drv not found (build it first)"
		drv=$(realpath "$drv")
		vc_path_is_safe "$(dirname "$drv")" ||
			vc_die "driver $drv lies under a world-writable directory: EAL refuses it"
		printf '%s\n' -d "$drv" --vdev "net_virtio_container0,$args" ;;
	upstream)
		# devtools/bench.sh BENCH_AGAINST: another build of ours instead.
		if [ -n "${VC_AGAINST_SO:-}" ]; then
			printf '%s\n' -d "$VC_AGAINST_SO" --vdev "net_virtio_container0,$args"
		else
			printf '%s\n' --vdev "net_virtio_user0,$args"
		fi ;;
	esac
}

# The benchmark's datapaths (devtools/bench.sh, devtools/callgrind.sh):
# path name -> devargs, the same for ours and upstream.
declare -gA VC_PATH_ARGS=(
	[split-mrg]="in_order=0,mrg_rxbuf=1"
	[split-nomrg]="in_order=0,mrg_rxbuf=0"
	[split-inorder]="in_order=1,mrg_rxbuf=1"
	[packed]="packed_vq=1,in_order=0,vectorized=0"
	[packed-inorder]="packed_vq=1,in_order=1,vectorized=0"
	[vec]="vectorized=1,in_order=0,mrg_rxbuf=0"
	[packed-vec]="vectorized=1,packed_vq=1,in_order=1,mrg_rxbuf=0"
	[packed-inorder-vec]="vectorized=1,packed_vq=1,in_order=1"
)

# vc_packed_bursts_expected [BITS]: the packed-ring bursts our driver
# chooses with vectorized=1 on this CPU when EAL's max SIMD bitwidth is
# BITS (default 256, DPDK's on x86), as it logs them at start.
vc_packed_bursts_expected() {
	local bits=${1:-256} flags
	flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
	if [ "$(uname -m)" != x86_64 ]; then echo packed
	elif [ "$bits" -ge 512 ] && grep -qw avx512f <<<"$flags"; then echo "packed AVX-512"
	elif [ "$bits" -ge 256 ] && grep -qw avx2 <<<"$flags"; then echo "packed AVX2"
	elif [ "$bits" -ge 128 ]; then echo "packed SSE"
	else echo packed
	fi
}

# ---------------------------------------------------------------- processes

declare -gA VC_PID=() VC_PREFIX=() VC_LOGF=() VC_FD=() VC_RC=()
declare -ga VC_ORDER=()
VC_RUNID=${VC_RUNID:-$$$RANDOM}

# vc_start [-i] NAME CPU NLCORES PROG ARGS...: starts PROG in the background
# with its lcores 0..NLCORES-1 all pinned to CPU and a file prefix of its
# own, stdout+stderr line-buffered into $VC_SOCKDIR/NAME.log.  ARGS are the
# EAL arguments, then "--" and the application's.  With -i the process reads
# its stdin from a fifo (an interactive testpmd driven by vc_tp_cmd).
# Records the PID in VC_PID[NAME]; vc_stop / vc_stop_all stop it.
vc_start() {
	local interactive=0
	[ "$1" = -i ] && { interactive=1; shift; }
	local name=$1 cpu=$2 nlc=$3 prog=$4 lcores i prefix stdin=/dev/null fd
	shift 4
	[ -n "${VC_SOCKDIR:-}" ] || vc_die "vc_sockdir_create was not called"
	[ -z "${VC_PID[$name]:-}" ] || vc_die "process $name already started"
	lcores="0@$cpu"
	for ((i = 1; i < nlc; i++)); do lcores+=",$i@$cpu"; done
	prefix="vc${VC_RUNID}$name"
	VC_PREFIX[$name]=$prefix
	VC_LOGF[$name]="$VC_SOCKDIR/$name.log"
	if [ $interactive -eq 1 ]; then
		stdin="$VC_SOCKDIR/$name.fifo"
		mkfifo -m 0600 "$stdin"
		# Opened read-write so that neither side blocks and the reader
		# sees no end of file between commands.
		exec {fd}<>"$stdin"
		VC_FD[$name]=$fd
	fi
	# stdbuf: testpmd's printf output must reach the log as it happens,
	# not when a 4 KiB stdio buffer fills.
	stdbuf -oL -eL "$prog" --lcores "$lcores" --file-prefix="$prefix" "$@" \
		<"$stdin" >"${VC_LOGF[$name]}" 2>&1 &
	VC_PID[$name]=$!
	VC_ORDER+=("$name")
	vc_log "started $name (pid ${VC_PID[$name]}, cpu $cpu, prefix $prefix): $prog $*"
}

vc_alive() {
	local pid=${VC_PID[$1]:-}
	[ -n "$pid" ] && [ -z "${VC_RC[$1]:-}" ] && kill -0 "$pid" 2>/dev/null
}

# Removes what a DPDK process leaves behind even after a clean exit: its
# hugepage files and its runtime directory.
vc_clean_prefix() {
	local prefix=$1 m
	[ -n "$prefix" ] || return 0
	for m in $(vc_hugetlbfs_mounts); do
		rm -f "$m/${prefix}"map_* 2>/dev/null || true
	done
	rm -rf "/var/run/dpdk/$prefix" "${XDG_RUNTIME_DIR:-/nonexistent}/dpdk/$prefix" 2>/dev/null || true
}

# vc_reap NAME: records the exit status of an exited process in VC_RC[NAME].
vc_reap() {
	local name=$1 rc=0
	[ -n "${VC_RC[$name]:-}" ] && return 0
	wait "${VC_PID[$name]}" 2>/dev/null || rc=$?
	VC_RC[$name]=$rc
}

# vc_wait_exit NAME TIMEOUT: waits up to TIMEOUT seconds for NAME to exit by
# itself; returns its exit status, or 124 after stopping it on a timeout.
vc_wait_exit() {
	local name=$1 t=$2 deadline
	deadline=$(($(vc_now_ms) + t * 1000))
	while vc_alive "$name"; do
		if [ "$(vc_now_ms)" -ge "$deadline" ]; then
			vc_log "$name did not exit within ${t}s: stopping it"
			vc_stop "$name"
			return 124
		fi
		sleep 0.05
	done
	vc_reap "$name"
	vc_clean_prefix "${VC_PREFIX[$name]}"
	return "${VC_RC[$name]}"
}

# vc_stop NAME [TIMEOUT]: stops NAME by its PID: SIGINT (DPDK apps stop
# their ports and exit cleanly), up to TIMEOUT (10) seconds, then SIGKILL.
# Cleans its hugepage files and runtime directory either way.
vc_stop() {
	local name=$1 t=${2:-10} pid=${VC_PID[$1]:-} deadline
	[ -n "$pid" ] || return 0
	if vc_alive "$name"; then
		kill -INT "$pid" 2>/dev/null || true
		deadline=$(($(vc_now_ms) + t * 1000))
		while vc_alive "$name" && [ "$(vc_now_ms)" -lt "$deadline" ]; do
			sleep 0.05
		done
		if vc_alive "$name"; then
			vc_log "$name (pid $pid) ignored SIGINT for ${t}s: SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	vc_reap "$name"
	if [ -n "${VC_FD[$name]:-}" ]; then
		local fd=${VC_FD[$name]}
		{ exec {fd}>&-; } 2>/dev/null || true	# a bare "exec ... 2>" would keep stderr closed
		unset "VC_FD[$name]"
	fi
	vc_clean_prefix "${VC_PREFIX[$name]}"
}

# Stops every process started with vc_start, the most recent first (the
# frontends before the vhost backend they talk to), and removes the socket
# directory unless VC_KEEP_LOGS is set.
vc_stop_all() {
	local i
	for ((i = ${#VC_ORDER[@]} - 1; i >= 0; i--)); do
		vc_stop "${VC_ORDER[$i]}" 5
	done
	if [ -n "${VC_SOCKDIR:-}" ] && [ -d "$VC_SOCKDIR" ] && [ -z "${VC_KEEP_LOGS:-}" ]; then
		rm -rf "$VC_SOCKDIR"
	fi
}

vc_on_exit() {
	local rc=$? n
	if [ "${VC_SUMMARY_PENDING:-0}" = 1 ]; then
		# The test ended early (a process died, a command failed):
		# still say what was checked, and count the abort as a failure.
		VC_SUMMARY_PENDING=0
		printf 'FAIL - test aborted (exit status %s) before all checks ran\n' "$rc"
		printf '%d passed, %d failed\n' "$VC_PASSED" $((VC_FAILED + 1))
		for n in "${VC_ORDER[@]}"; do vc_dump_log "$n" 25; done
	fi
	vc_stop_all
	[ "$rc" -ne 0 ] || [ "${VC_FAILED:-0}" -eq 0 ] || rc=1
	exit "$rc"
}

# Installs the trap that stops everything this script started, whatever
# way it ends.
vc_trap_cleanup() {
	trap 'vc_on_exit' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

# vc_dump_log NAME [LINES]: the tail of NAME's output, for failure reports.
vc_dump_log() {
	local f=${VC_LOGF[$1]:-}
	[ -f "$f" ] || return 0
	printf -- '----- last %s lines of %s -----\n' "${2:-40}" "$1" >&2
	tail -n "${2:-40}" "$f" >&2
	printf -- '-----\n' >&2
}

# vc_wait_socket PATH TIMEOUT [NAME]: waits until PATH is a socket; fails
# early when process NAME (the one that creates it) has died.
vc_wait_socket() {
	local path=$1 t=$2 name=${3:-} deadline
	deadline=$(($(vc_now_ms) + t * 1000))
	while [ "$(vc_now_ms)" -lt "$deadline" ]; do
		[ -S "$path" ] && return 0
		if [ -n "$name" ] && ! vc_alive "$name"; then
			vc_log "$name exited before creating $path"
			return 1
		fi
		sleep 0.05
	done
	vc_log "socket $path did not appear within ${t}s"
	return 1
}

# vc_wait_log NAME REGEX TIMEOUT: waits until NAME's log matches REGEX.
vc_wait_log() {
	local name=$1 re=$2 t=$3 deadline
	deadline=$(($(vc_now_ms) + t * 1000))
	while [ "$(vc_now_ms)" -lt "$deadline" ]; do
		grep -Eq -- "$re" "${VC_LOGF[$name]}" 2>/dev/null && return 0
		vc_alive "$name" || { vc_log "$name exited while waiting for /$re/"; return 1; }
		sleep 0.05
	done
	vc_log "$name: /$re/ not seen within ${t}s"
	return 1
}

# ---------------------------------------------------------------- testpmd

# vc_tp_cmd NAME COMMAND...: sends one command line to an interactive
# testpmd started with vc_start -i.
vc_tp_cmd() {
	local name=$1
	shift
	[ -n "${VC_FD[$name]:-}" ] || vc_die "$name is not interactive"
	vc_alive "$name" || { vc_log "$name is not running (command: $*)"; return 1; }
	printf '%s\n' "$*" >&"${VC_FD[$name]}"
}

# vc_stats_block FILE START_REGEX [OCCURRENCE]: prints "key value" lines for
# every "Key: value" pair of one statistics block of testpmd's output: the
# block whose first line matches START_REGEX, ending at the next line made
# only of '#', '+' or '-' signs.  OCCURRENCE is the 1-based index of the
# block; the default (0) is the last one.  Keys are lower-cased
# ("rx-packets", "tx-bytes", "rx-dropped", ...).
vc_stats_block() {
	awk -v re="$2" -v want="${3:-0}" '
		$0 ~ re { n++; if (want == 0 || n == want) { inb = 1; delete kv; nk = 0 } else inb = 0; next }
		inb && /^[ \t]*[#+-]+[ \t]*$/ { inb = 0; done = 1; next }
		inb {
			line = $0
			while (match(line, /[A-Za-z][A-Za-z0-9_/-]*:[ \t]*-?[0-9]+/)) {
				pair = substr(line, RSTART, RLENGTH)
				line = substr(line, RSTART + RLENGTH)
				k = tolower(pair); sub(/:.*/, "", k)
				v = pair; sub(/^[^:]*:[ \t]*/, "", v)
				if (!(k in kv)) order[nk++] = k
				kv[k] = v
			}
		}
		END { for (i = 0; i < nk; i++) print order[i], kv[order[i]] }
	' "$1"
}

# vc_count_blocks FILE REGEX: how many lines of FILE match REGEX.
vc_count_blocks() {
	local n
	n=$(grep -Ec -- "$2" "$1" 2>/dev/null) || true
	printf '%s\n' "${n:-0}"
}

# vc_tp_wait_stopped NAME N [TIMEOUT_S]: waits (default 10 s) until the
# interactive testpmd NAME printed N "stop" reports.
vc_tp_wait_stopped() {
	local deadline=$(($(vc_now_ms) + ${3:-10} * 1000))
	while [ "$(vc_count_blocks "${VC_LOGF[$1]}" 'Accumulated forward statistics')" -lt "$2" ]; do
		[ "$(vc_now_ms)" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}

# vc_tp_stream_stats NAME OCCURRENCE NQ VAR: fills the array VAR with the
# per-queue "rx tx" packets of the OCCURRENCE-th "stop" report of the
# interactive testpmd NAME, queues 0..NQ-1 of port 0 (testpmd prints one
# block per stream, i.e. per queue; "0 0" for a queue it printed none for).
vc_tp_stream_stats() {
	local log=${VC_LOGF[$1]} occ=$2 nq=$3 q k v
	local -n _ss=$4
	_ss=()
	for ((q = 0; q < nq; q++)); do
		local re="Forward Stats for RX Port= 0/Queue= *$q -> TX Port= 0/Queue= *$q "
		if [ "$(vc_count_blocks "$log" "$re")" -lt "$occ" ]; then
			_ss[$q]="0 0"
			continue
		fi
		local rx=0 tx=0
		while read -r k v; do
			case $k in
			rx-packets) rx=$v ;;
			tx-packets) tx=$v ;;
			esac
		done < <(awk -v re="$re" -v want="$occ" '
			$0 ~ re { n++; if (n == want) { getline; print; exit } }' "$log" |
			grep -oE '(RX|TX)-packets: *[0-9]+' | tr 'A-Z' 'a-z' | sed 's/: */ /')
		_ss[$q]="$rx $tx"
	done
}

# vc_tp_port_stats NAME PORT VAR [TIMEOUT]: runs "show port stats PORT" in
# the interactive testpmd NAME and fills the associative array VAR with the
# counters (rx-packets, rx-bytes, rx-missed, rx-errors, rx-nombuf,
# tx-packets, tx-bytes, tx-errors).
vc_tp_port_stats() {
	local name=$1 port=$2 var=$3 t=${4:-5} re before k v log deadline done=0
	log=${VC_LOGF[$name]}
	# The header of the block, not "NIC statistics for port N cleared".
	re="NIC statistics for port $port +#"
	before=$(vc_count_blocks "$log" "$re")
	local invalid
	invalid=$(vc_count_blocks "$log" "^Invalid port $port\$")
	vc_tp_cmd "$name" "show port stats $port" || return 1
	deadline=$(($(vc_now_ms) + t * 1000))
	while [ "$(vc_now_ms)" -lt "$deadline" ]; do
		# Complete once the block's closing line of '#' follows it.
		if [ "$(vc_count_blocks "$log" "$re")" -gt "$before" ] &&
		   awk -v re="$re" '$0 ~ re { s = 1; c = 0; next } s && /^[ \t]*#+[ \t]*$/ { c = 1 } END { exit !c }' "$log"; then
			done=1
			break
		fi
		vc_alive "$name" || break
		[ "$(vc_count_blocks "$log" "^Invalid port $port\$")" -eq "$invalid" ] || break
		sleep 0.01
	done
	if [ $done -eq 0 ]; then
		vc_log "$name: no answer to 'show port stats $port' within ${t}s"
		return 1
	fi
	local -n _st=$var
	_st=()
	while read -r k v; do
		_st[$k]=$v
	done < <(vc_stats_block "$log" "$re")
	[ -n "${_st[rx-packets]:-}" ] && [ -n "${_st[tx-bytes]:-}" ] || {
		vc_log "$name: could not parse port $port statistics"
		return 1
	}
}

# vc_fwd_stats FILE VAR: fills VAR with testpmd's accumulated forward
# statistics (rx-packets, rx-dropped, tx-packets, tx-dropped, ...) printed
# by "stop" and at exit; the last such block in FILE.
vc_fwd_stats() {
	local -n _fs=$2
	local k v
	_fs=()
	while read -r k v; do
		_fs[$k]=$v
	done < <(vc_stats_block "$1" 'Accumulated forward statistics')
	[ -n "${_fs[rx-packets]:-}" ]
}

# ---------------------------------------------------------------- results

VC_PASSED=0
VC_FAILED=0

# vc_check DESCRIPTION COMMAND...: runs a test condition, prints it and
# counts it.
vc_check() {
	local what=$1
	shift
	if "$@"; then
		VC_PASSED=$((VC_PASSED + 1))
		printf 'ok   - %s\n' "$what"
	else
		VC_FAILED=$((VC_FAILED + 1))
		printf 'FAIL - %s\n' "$what"
	fi
}

# vc_check_eq DESCRIPTION GOT WANT
vc_check_eq() {
	if [ "$2" = "$3" ]; then
		VC_PASSED=$((VC_PASSED + 1))
		printf 'ok   - %s: %s\n' "$1" "$2"
	else
		VC_FAILED=$((VC_FAILED + 1))
		printf 'FAIL - %s: got %s, want %s\n' "$1" "${2:-<none>}" "$3"
	fi
}

# Prints the final line and returns the test's exit status.
vc_summary() {
	VC_SUMMARY_PENDING=0
	printf '%d passed, %d failed\n' "$VC_PASSED" "$VC_FAILED"
	[ "$VC_FAILED" -eq 0 ]
}

# ---------------------------------------------------------------- tests

# vc_test_begin NAME [MEM]: common start of an integration test: private
# socket directory, cleanup trap, memory mode (exits 77, meson's "skipped",
# when hugepages are asked for and not there), and a header line.
vc_test_begin() {
	VC_LOG_TAG=$1
	vc_vdev_kind >/dev/null
	local rc=0
	vc_mem_select "${2:-}" || rc=$?
	if [ $rc -eq 2 ]; then
		printf '%s: SKIP: not enough free 2 MiB hugepages for hugepage mode\n' "$1"
		exit 77
	fi
	vc_sockdir_create
	vc_trap_cleanup
	VC_SUMMARY_PENDING=1
	VC_TESTPMD=${VC_TESTPMD:-dpdk-testpmd}
	command -v "$VC_TESTPMD" >/dev/null || vc_die "$VC_TESTPMD not found (run devtools/setup.sh)"
	printf '== %s: frontend %s, memory %s, vhost on cpu 0, frontend on cpu 1\n' \
		"$1" "$(vc_vdev_kind)" "$VC_MEM_MODE"
}

# vc_args_drv_mem "$@": the arguments of a test script that takes only
# DRIVER_SO [SEQCHECK_APP] [--mem huge|nohuge|auto]: sets drv and mem
# (default auto).  Without arguments it prints the script's header comment
# and exits 2.
vc_args_drv_mem() {
	[ $# -ge 1 ] || { sed -n '3,/^[^#]/{/^#/p}' "$0"; exit 2; }
	drv=$1
	shift
	[ $# -gt 0 ] && [ "${1#--}" = "$1" ] && shift	# the seqcheck app: unused
	mem=auto
	while [ $# -gt 0 ]; do
		case "$1" in
		--mem) mem=$2 ;;
		*) vc_die "unknown option $1" ;;
		esac
		shift 2
	done
}

# vc_start_vhost NAME SOCKET FWD_MODE [TESTPMD_ARGS...]: an interactive
# testpmd with net_vhost on SOCKET, pinned to cpu 0, forwarding started;
# as many vhost queue pairs as TESTPMD_ARGS' --rxq=N (default 1).
# VC_VHOST_WAIT: seconds to wait for the socket (default 20).
vc_start_vhost() {
	local name=$1 sock=$2 fwd=$3 mem a queues=1
	shift 3
	for a in "$@"; do
		case "$a" in --rxq=*) queues=${a#--rxq=} ;; esac
	done
	mapfile -t mem < <(vc_eal_mem_args vhost)
	vc_start -i "$name" 0 2 "$VC_TESTPMD" "${mem[@]}" --no-pci \
		--vdev "net_vhost0,iface=$sock,queues=$queues" -- \
		-i --nb-cores=1 --forward-mode="$fwd" "$VC_TESTPMD_MBUFS" "$@"
	vc_wait_socket "$sock" "${VC_VHOST_WAIT:-20}" "$name" || { vc_dump_log "$name"; return 1; }
	vc_tp_cmd "$name" start
}
