#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# Against OVS-DPDK, as the NIC guide shows it: Debian's ovs-vswitchd-dpdk
# with a netdev bridge and two dpdkvhostuserclient ports (OVS connects),
# flows vhu0 <-> vhu1, and one testpmd whose ports 0 and 1 are ours with
# server=1 on the two sockets, io forwarding, 32 frames injected: they
# circulate testpmd -> OVS -> testpmd.
#
#   cpu 0: ovsdb-server, ovs-vswitchd-dpdk (PMD thread)  [private run dir]
#   cpu 1: dpdk-testpmd --vdev net_virtio_container0/1,...,server=1
#
# Checks: OVS reports both links up; frames flow both ways; what each of
# our ports sent OVS received on that port, and what OVS sent each port
# received (but the frames still in flight at the stop); no drops on either
# side; both processes stop cleanly, by PID.  Skipped (77) when ovs-vswitchd-dpdk is not installed.
#
# usage: ovs.sh DRIVER_SO [SEQCHECK_APP] [--mem huge|nohuge|auto]
set -euo pipefail
. "$(dirname "$0")/../../devtools/lib.sh"

vc_args_drv_mem "$@"
vswitchd=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
schema=/usr/share/openvswitch/vswitch.ovsschema
if [ ! -x "$vswitchd" ] || [ ! -f "$schema" ] || ! command -v ovsdb-server >/dev/null; then
	echo "ovs: SKIP: openvswitch-switch-dpdk is not installed"
	exit 77
fi
[ "$(vc_vdev_kind)" = ours ] || { echo "ovs: SKIP: ours only"; exit 77; }

vc_test_begin ovs "$mem"
if [ "$(vc_free_hugepages)" -lt 128 ]; then
	VC_SUMMARY_PENDING=0
	echo "ovs: SKIP: OVS-DPDK needs 128 free 2 MiB hugepages"
	exit 77
fi
# OVS keeps everything in a private directory: its database, sockets, logs.
export OVS_RUNDIR=$VC_SOCKDIR/ovs OVS_LOGDIR=$VC_SOCKDIR/ovs OVS_DBDIR=$VC_SOCKDIR/ovs
mkdir -p "$OVS_RUNDIR"
ovs_pids=()
ovs_stop() {
	local p f
	for f in ovs-vswitchd ovsdb-server; do
		p=$(cat "$OVS_RUNDIR/$f.pid" 2>/dev/null) || continue
		kill -TERM "$p" 2>/dev/null || true
		for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
		rm -f "$OVS_RUNDIR/$f.pid"
	done
}
trap 'ovs_stop; vc_on_exit' EXIT
vsctl() { timeout 20 ovs-vsctl --timeout=15 "$@"; }

ovsdb-tool create "$OVS_DBDIR/conf.db" "$schema"
taskset -c 0 ovsdb-server --remote="punix:$OVS_RUNDIR/db.sock" \
	--pidfile="$OVS_RUNDIR/ovsdb-server.pid" --detach \
	--log-file="$OVS_LOGDIR/ovsdb-server.log" "$OVS_DBDIR/conf.db"
vsctl --no-wait init
# OVS 3.1 runs EAL --in-memory, which wants hugepages: 256 MiB of them.
vsctl --no-wait set Open_vSwitch . other_config:dpdk-init=true \
	other_config:dpdk-lcore-mask=0x1 other_config:pmd-cpu-mask=0x1 \
	other_config:dpdk-socket-mem=256 "other_config:dpdk-extra=--no-pci"
taskset -c 0 "$vswitchd" "unix:$OVS_RUNDIR/db.sock" \
	--pidfile="$OVS_RUNDIR/ovs-vswitchd.pid" --detach \
	--log-file="$OVS_LOGDIR/ovs-vswitchd.log"
vsctl add-br br0 -- set bridge br0 datapath_type=netdev
for i in 0 1; do
	vsctl add-port br0 "vhu$i" -- set Interface "vhu$i" \
		type=dpdkvhostuserclient "options:vhost-server-path=$VC_SOCKDIR/vhu$i.sock"
done
ovs-ofctl del-flows br0
ovs-ofctl add-flow br0 in_port=vhu0,actions=output:vhu1
ovs-ofctl add-flow br0 in_port=vhu1,actions=output:vhu0
vc_check "OVS-DPDK bridge with two dpdkvhostuserclient ports" \
	[ "$(vsctl get interface vhu1 type)" = dpdkvhostuserclient ]

mapfile -t fm < <(vc_eal_mem_args frontend)
vc_start -i front 1 2 "$VC_TESTPMD" "${fm[@]}" --no-pci -d "$(realpath "$drv")" \
	--vdev "net_virtio_container0,path=$VC_SOCKDIR/vhu0.sock,server=1" \
	--vdev "net_virtio_container1,path=$VC_SOCKDIR/vhu1.sock,server=1" -- \
	-i --nb-cores=1 --forward-mode=io "$VC_TESTPMD_MBUFS"
vc_wait_log front '^testpmd> ' 30 || { vc_dump_log front; vc_die "testpmd did not start"; }

# OVS retries its client connections about once a second.
deadline=$(($(vc_now_ms) + 30000))
st0= st1=
while [ "$(vc_now_ms)" -lt "$deadline" ]; do
	st0=$(vsctl get interface vhu0 link_state 2>/dev/null || true)
	st1=$(vsctl get interface vhu1 link_state 2>/dev/null || true)
	[ "$st0" = up ] && [ "$st1" = up ] && break
	sleep 0.5
done
vc_check_eq "OVS: vhu0 link" "$st0" up
vc_check_eq "OVS: vhu1 link" "$st1" up
vc_tp_cmd front "start tx_first"
sleep 3
vc_tp_cmd front stop
sleep 0.5
declare -A p0=() p1=()
vc_tp_port_stats front 0 p0 || true
vc_tp_port_stats front 1 p1 || true
ovs_stat() { vsctl get interface "$1" "statistics:$2" 2>/dev/null || echo none; }
# OVS publishes interface statistics to its database every 5 s
# (other_config:stats-update-interval): wait for the ones after the stop.
deadline=$(($(vc_now_ms) + 20000))
while :; do
	o0rx=$(ovs_stat vhu0 rx_packets) o0tx=$(ovs_stat vhu0 tx_packets)
	o1rx=$(ovs_stat vhu1 rx_packets) o1tx=$(ovs_stat vhu1 tx_packets)
	[ "$o0rx" = "${p0[tx-packets]:-}" ] && [ "$o1rx" = "${p1[tx-packets]:-}" ] && break
	[ "$(vc_now_ms)" -lt "$deadline" ] || break
	sleep 0.5
done
echo "testpmd port 0: rx ${p0[rx-packets]:-?} tx ${p0[tx-packets]:-?}; port 1: rx ${p1[rx-packets]:-?} tx ${p1[tx-packets]:-?}"
echo "OVS vhu0: rx $o0rx tx $o0tx; vhu1: rx $o1rx tx $o1tx"
vc_check "frames went round both ways (> 10000 per port)" \
	[ "${p0[rx-packets]:-0}" -gt 10000 ] && [ "${p1[rx-packets]:-0}" -gt 10000 ]
vc_check_eq "OVS received on vhu0 what our port 0 sent" "$o0rx" "${p0[tx-packets]:-none}"
vc_check_eq "OVS received on vhu1 what our port 1 sent" "$o1rx" "${p1[tx-packets]:-none}"
# What OVS sent and testpmd had not polled when it stopped is in flight.
inflight() { [ "$1" -le "$2" ] && [ $(($2 - $1)) -le 32 ]; }
vc_check "our port 0 received what OVS sent on vhu0, but <= 32 in flight (${p0[rx-packets]:-?}/$o0tx)" \
	inflight "${p0[rx-packets]:-0}" "$o0tx"
vc_check "our port 1 received what OVS sent on vhu1, but <= 32 in flight (${p1[rx-packets]:-?}/$o1tx)" \
	inflight "${p1[rx-packets]:-0}" "$o1tx"
vc_check_eq "OVS tx drops on vhu0/vhu1" \
	"$(ovs_stat vhu0 tx_dropped)/$(ovs_stat vhu1 tx_dropped)" 0/0
vc_check_eq "our TX errors on ports 0/1" "${p0[tx-errors]:-none}/${p1[tx-errors]:-none}" 0/0
vc_tp_cmd front quit || true
vc_wait_exit front 20 || vc_check "testpmd exits cleanly" false
vc_check_eq "testpmd exit status" "${VC_RC[front]:-none}" 0
ovs_stop
vc_summary
