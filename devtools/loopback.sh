#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# The loopback benchmark: two stock dpdk-testpmd processes, mac forwarding,
# frames circulating between them:
#   cpu 0: testpmd --vdev net_vhost0,iface=SOCK,queues=1   (the vhost backend)
#   cpu 1: testpmd with the frontend under test on SOCK, started with
#          "start tx_first" (one burst of 32 frames injected)
# After a one-second warm-up the packet counters of both ports are read,
# again after LOOPBACK_SECONDS, and the rates are printed as a table.
#
#   devtools/loopback.sh
#
# Environment:
#   VC_VDEV=ours|upstream  frontend: ours (default, net_virtio_container from
#                          the -d driver .so) or DPDK's own net_virtio_user
#   LOOPBACK_SECONDS=10    measured interval
#   LOOPBACK_SIZE=64       frame size in bytes
#   VC_MEM=auto|huge|nohuge  memory mode (auto: hugepages when >= 512 free)
#   VC_DEVARGS=K=V,...     extra frontend devargs (e.g. mrg_rxbuf=0,in_order=1)
#   VC_BUILDDIR            build directory (default: see devtools/lib.sh)
#   VC_SKIP_SETUP=1        do not run devtools/setup.sh
#   VC_KEEP_LOGS=1         keep both testpmd logs (path printed)
set -euo pipefail
umask 022
exec </dev/null

. "$(dirname "$0")/lib.sh"
VC_LOG_TAG=loopback
cd "$vc_top"

seconds=${LOOPBACK_SECONDS:-10}
size=${LOOPBACK_SIZE:-64}
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -ge 1 ] || vc_die "LOOPBACK_SECONDS must be a whole number >= 1"
[[ "$size" =~ ^[0-9]+$ ]] && [ "$size" -ge 64 ] && [ "$size" -le 2048 ] ||
	vc_die "LOOPBACK_SIZE must be 64..2048"
kind=$(vc_vdev_kind)

if [ -z "${VC_SKIP_SETUP:-}" ]; then
	bash devtools/setup.sh
fi

build=$(vc_build_dir)
drv="$build/drivers/librte_net_virtio_container.so"
if [ "$kind" = ours ]; then
	vc_path_is_safe "$build" ||
		vc_die "build directory $build lies under a world-writable directory; set VC_BUILDDIR elsewhere"
	if [ ! -f "$build/build.ninja" ]; then
		mkdir -p -m 0755 "$(dirname "$build")"
		meson setup "$build" "$vc_top" >/dev/null
	fi
	ninja -C "$build" drivers/librte_net_virtio_container.so >/dev/null ||
		vc_die "building the driver failed (ninja -C $build)"
fi

vc_mem_select || vc_die "hugepages requested but not available"
vc_sockdir_create
vc_trap_cleanup
VC_TESTPMD=${VC_TESTPMD:-dpdk-testpmd}
command -v "$VC_TESTPMD" >/dev/null || vc_die "$VC_TESTPMD not found"

sock=$VC_SOCKDIR/vhost.sock
vc_start_vhost vhost "$sock" mac --record-core-cycles

mapfile -t fm < <(vc_eal_mem_args frontend)
mapfile -t fe < <(vc_frontend_eal_args "$drv" "$sock")
vc_start -i front 1 2 "$VC_TESTPMD" "${fm[@]}" --no-pci "${fe[@]}" -- \
	-i --nb-cores=1 --forward-mode=mac --record-core-cycles "$VC_TESTPMD_MBUFS"
if ! vc_wait_log front '^testpmd> ' 30; then
	vc_dump_log vhost
	vc_dump_log front
	vc_die "the frontend testpmd did not start"
fi
vc_tp_cmd front "set txpkts $size"
vc_tp_cmd front "start tx_first"

now() { date +%s.%N; }
declare -A f0=() f1=() v0=() v1=()
sleep 1
vc_tp_port_stats front 0 f0 || vc_die "cannot read the frontend's counters"
tf0=$(now)
vc_tp_port_stats vhost 0 v0 || vc_die "cannot read the vhost side's counters"
tv0=$(now)
sleep "$seconds"
vc_tp_port_stats front 0 f1 || vc_die "cannot read the frontend's counters"
tf1=$(now)
vc_tp_port_stats vhost 0 v1 || vc_die "cannot read the vhost side's counters"
tv1=$(now)

# Stop forwarding (prints forward statistics, with CPU cycles per packet),
# then quit both, the frontend first.
for p in front vhost; do
	vc_tp_cmd "$p" stop
	vc_wait_log "$p" 'Accumulated forward statistics' 10 || true
done
sleep 0.2
declare -A ff=() vf=()
vc_fwd_stats "${VC_LOGF[front]}" ff || true
vc_fwd_stats "${VC_LOGF[vhost]}" vf || true
cycles_of() {
	grep -Eo 'CPU cycles/packet=[0-9.]+' "$1" | tail -n1 | cut -d= -f2
}
fcyc=$(cycles_of "${VC_LOGF[front]}")
vcyc=$(cycles_of "${VC_LOGF[vhost]}")
for p in front vhost; do
	vc_tp_cmd "$p" quit || true
	vc_wait_exit "$p" 10 || true
done

mpps() { awk -v a="$1" -v b="$2" -v t0="$3" -v t1="$4" 'BEGIN { printf "%.3f", (b - a) / (t1 - t0) / 1e6 }'; }
errs() {
	local -n s=$1
	echo $((s[rx-errors] + s[rx-missed] + s[rx-nombuf] + s[tx-errors]))
}

case "$kind" in
ours) fname="net_virtio_container0 (ours, -d $drv)" ;;
upstream) fname="net_virtio_user0 (upstream DPDK)" ;;
esac
case "$VC_MEM_MODE" in
huge) mname="2 MiB hugepages (frontend with --single-file-segments)" ;;
nohuge) mname="--no-huge -m 512 (memfd-backed)" ;;
esac

echo
echo "virtio-container loopback"
echo "  frontend:    $fname${VC_DEVARGS:+, devargs $VC_DEVARGS}"
echo "  vhost:       net_vhost0 (stock dpdk-testpmd), mac forwarding"
echo "  memory mode: $mname"
printf '  frames:      %s bytes, 32 in flight, measured %.2f s after 1 s warm-up\n' \
	"$size" "$(awk -v a="$tf0" -v b="$tf1" 'BEGIN { print b - a }')"
echo
printf '  %-9s %4s %10s %10s %14s %14s %10s %7s\n' side cpu "RX Mpps" "TX Mpps" \
	"RX packets" "TX packets" cycles/pkt errors
printf '  %-9s %4s %10s %10s %14s %14s %10s %7s\n' frontend 1 \
	"$(mpps "${f0[rx-packets]}" "${f1[rx-packets]}" "$tf0" "$tf1")" \
	"$(mpps "${f0[tx-packets]}" "${f1[tx-packets]}" "$tf0" "$tf1")" \
	"$((f1[rx-packets] - f0[rx-packets]))" "$((f1[tx-packets] - f0[tx-packets]))" \
	"${fcyc:--}" "$(errs f1)"
printf '  %-9s %4s %10s %10s %14s %14s %10s %7s\n' vhost 0 \
	"$(mpps "${v0[rx-packets]}" "${v1[rx-packets]}" "$tv0" "$tv1")" \
	"$(mpps "${v0[tx-packets]}" "${v1[tx-packets]}" "$tv0" "$tv1")" \
	"$((v1[rx-packets] - v0[rx-packets]))" "$((v1[tx-packets] - v0[tx-packets]))" \
	"${vcyc:--}" "$(errs v1)"
echo
echo "  (packets counted over the measured interval; errors = RX-errors + RX-missed"
echo "   + RX-nombuf + TX-errors over the whole run; forward-engine TX-dropped:"
echo "   frontend ${ff[tx-dropped]:-?}, vhost ${vf[tx-dropped]:-?}; cycles/pkt from --record-core-cycles)"
if [ -n "${VC_KEEP_LOGS:-}" ]; then
	echo "  logs: ${VC_LOGF[front]} ${VC_LOGF[vhost]}"
fi
if [ "$(errs f1)" != 0 ] || [ "$(errs v1)" != 0 ] ||
   [ "$((f1[rx-packets] - f0[rx-packets]))" -le 0 ]; then
	vc_log "errors counted, or no traffic"
	exit 1
fi
