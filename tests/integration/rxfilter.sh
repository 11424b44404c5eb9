#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# Receive filtering and the control queue, end to end: the vhost testpmd
# (net_vhost, rxonly) sends bursts of 32 frames with chosen destination
# MACs and VLAN tags ("set eth-peer", "tx_vlan set", "start tx_first");
# the frontend testpmd (our driver, mac=OWN, rxonly) changes its receive
# mode between bursts.  For every burst: the vhost side sent all 32, and
# the frontend received exactly what a filtering NIC would deliver, the
# rest counted in its rx_q0_filtered xstat:
#   promiscuous (default): every destination
#   promisc off:   own MAC and broadcast yes, other unicast no, multicast
#                  yes while all-multicast is on and no once it is off
#   mac_addr add/remove: the added unicast address passes, then no more
#   mac_addr set:  the new default address replaces the old one
#   VLAN filter on + rx_vlan add 10: VID 10 passes, VID 11 does not,
#                  untagged frames do; rx_vlan rm 10: VID 10 no more
# The frontend also logs the negotiated features: CTRL_VQ must be among
# them (cq=1 is the default).
#
# usage: rxfilter.sh DRIVER_SO [SEQCHECK_APP] [--mem huge|nohuge|auto]
set -euo pipefail
. "$(dirname "$0")/../../devtools/lib.sh"

vc_args_drv_mem "$@"

[ "$(vc_vdev_kind)" = ours ] || { echo "rxfilter: SKIP: tests our driver's filter"; exit 77; }
vc_test_begin rxfilter "$mem"

OWN=02:00:00:00:00:01
OTHER=02:00:00:00:00:99
NEW=02:00:00:00:00:42
MCAST=01:00:5E:00:00:05
BCAST=FF:FF:FF:FF:FF:FF
BURST=32

sock=$VC_SOCKDIR/vhost.sock
vc_start_vhost vhost "$sock" rxonly
vc_tp_cmd vhost stop

mapfile -t fm < <(vc_eal_mem_args frontend)
mapfile -t fe < <(vc_frontend_eal_args "$drv" "$sock" "mac=$OWN")
vc_start -i front 1 2 "$VC_TESTPMD" "${fm[@]}" --no-pci "${fe[@]}" \
	--log-level='pmd.net.virtio_container.*:info' -- \
	-i --nb-cores=1 --forward-mode=rxonly "$VC_TESTPMD_MBUFS"
if ! vc_wait_log front '^testpmd> ' 30; then
	vc_dump_log front
	vc_dump_log vhost
	vc_check "frontend testpmd started" false
	vc_summary
	exit 1
fi
vc_tp_cmd front start

# Negotiated features from the driver's "started, features 0x..." line.
feat=$(grep -Eo 'started, features 0x[0-9a-f]+' "${VC_LOGF[front]}" | tail -n1 | grep -Eo '0x[0-9a-f]+' || echo 0)
vc_check "CTRL_VQ negotiated (features $feat)" [ $((feat >> 17 & 1)) -eq 1 ]

# front_xstats VAR: every xstat of frontend port 0 into the associative
# array VAR (rx_good_packets, rx_good_bytes, rx_q0_filtered, ...).
front_xstats() {
	local log=${VC_LOGF[front]} re='NIC extended statistics for port 0' before deadline k v
	local -n _x=$1
	_x=()
	before=$(vc_count_blocks "$log" "$re")
	vc_tp_cmd front "show port xstats 0" || return 1
	deadline=$(($(vc_now_ms) + 5000))
	while [ "$(vc_now_ms)" -lt "$deadline" ]; do
		# Complete once the last row (tx_q0_filtered) follows the header.
		if [ "$(vc_count_blocks "$log" "$re")" -gt "$before" ] &&
		   tail -n 200 "$log" | awk -v re="$re" '$0 ~ re { s = 1; c = 0; next } s && /^tx_q0_filtered:/ { c = 1 } END { exit !c }'; then
			while read -r k v; do
				_x[$k]=$v
			done < <(tail -n 200 "$log" | awk -v re="$re" '$0 ~ re { n = 0; next } /^[a-z0-9_]+: [0-9]+$/ { k[n] = $1; v[n++] = $2 } END { for (i = 0; i < n; i++) { sub(/:$/, "", k[i]); print k[i], v[i] } }')
			[ -n "${_x[rx_q0_filtered]:-}" ]
			return
		fi
		sleep 0.02
	done
	return 1
}

declare -A fs=() vs=()

# burst WHAT DST WANT [LEN]: the vhost side sends BURST frames to DST; the
# frontend must receive WANT of them (LEN bytes each, 64 by default) and
# count the others as filtered.  Frontend counters (its xstats) are
# compared before and after, since its lcore keeps polling and a "clear"
# could race with it; the vhost side is stopped between bursts and is
# cleared.
burst() {
	local what=$1 dst=$2 want=$3 len=${4:-64} deadline rx0 by0 f0
	local -A x=()
	vc_tp_cmd vhost "clear port stats 0"
	vc_tp_cmd vhost "set eth-peer 0 $dst"
	# Both sides done with what came before (a vhost port restart may
	# take seconds): each answers a query only after that.
	vc_tp_port_stats vhost 0 vs 30 || true
	front_xstats x || true
	rx0=${x[rx_good_packets]:-0} by0=${x[rx_good_bytes]:-0}
	f0=${x[rx_q0_filtered]:-0}
	vc_tp_cmd vhost "start tx_first 1"
	# Every frame is either received or filtered: wait for the sum.
	deadline=$(($(vc_now_ms) + 10000))
	while [ "$(vc_now_ms)" -lt "$deadline" ]; do
		front_xstats x || break
		[ $((x[rx_good_packets] - rx0 + x[rx_q0_filtered] - f0)) -ge $BURST ] && break
		sleep 0.05
	done
	sleep 0.1	# a straggler would show up as an excess below
	vc_tp_cmd vhost stop
	front_xstats x || x=()
	vc_tp_port_stats vhost 0 vs || true
	vc_check_eq "$what: vhost sent" "${vs[tx-packets]:-none}" $BURST
	vc_check_eq "$what: frontend received" \
		"$((${x[rx_good_packets]:--1000000} - rx0))" "$want"
	vc_check_eq "$what: frontend rx_q0_filtered" \
		"$((${x[rx_q0_filtered]:--1000000} - f0))" $((BURST - want))
	vc_check_eq "$what: frontend RX bytes" \
		"$((${x[rx_good_bytes]:--1000000} - by0))" $((want * len))
}

vc_tp_cmd vhost "set txpkts 64"
vc_tp_cmd vhost "set burst $BURST"

# Promiscuous (testpmd turns it on at start).
burst "promisc on, other unicast" $OTHER $BURST
burst "promisc on, own MAC" $OWN $BURST

vc_tp_cmd front "set promisc 0 off"
burst "promisc off, own MAC" $OWN $BURST
burst "promisc off, other unicast" $OTHER 0
burst "promisc off, broadcast" $BCAST $BURST
burst "promisc off, allmulti on, multicast" $MCAST $BURST

vc_tp_cmd front "set allmulti 0 off"
burst "allmulti off, multicast" $MCAST 0
burst "allmulti off, broadcast" $BCAST $BURST

vc_tp_cmd front "mac_addr add 0 $OTHER"
burst "mac_addr add, that unicast" $OTHER $BURST
vc_tp_cmd front "mac_addr remove 0 $OTHER"
burst "mac_addr remove, that unicast" $OTHER 0

vc_tp_cmd front "mac_addr set 0 $NEW"
burst "mac_addr set, new MAC" $NEW $BURST
burst "mac_addr set, old MAC" $OWN 0

vc_tp_cmd front "set allmulti 0 on"
burst "allmulti on again, multicast" $MCAST $BURST

# VLAN filter (in promiscuous mode: it applies to tagged frames anyway).
vc_tp_cmd front "set promisc 0 on"
vc_tp_cmd front stop
vc_tp_cmd front "vlan set filter on 0"
vc_tp_cmd front "rx_vlan add 10 0"
vc_tp_cmd front start
vc_tp_cmd vhost "port stop 0"
vc_tp_cmd vhost "tx_vlan set 0 10"
vc_tp_cmd vhost "port start 0"
# The vhost port inserts the tag: the frontend receives 68-byte frames.
burst "VLAN filter, VID 10 (in table)" $OTHER $BURST 68
vc_tp_cmd vhost "port stop 0"
vc_tp_cmd vhost "tx_vlan set 0 11"
vc_tp_cmd vhost "port start 0"
burst "VLAN filter, VID 11 (not in table)" $OTHER 0 68
vc_tp_cmd vhost "port stop 0"
vc_tp_cmd vhost "tx_vlan reset 0"
vc_tp_cmd vhost "port start 0"
burst "VLAN filter, untagged" $OTHER $BURST
vc_tp_cmd front "rx_vlan rm 10 0"
vc_tp_cmd vhost "port stop 0"
vc_tp_cmd vhost "tx_vlan set 0 10"
vc_tp_cmd vhost "port start 0"
burst "VLAN filter, VID 10 removed" $OTHER 0 68

vc_check "frontend logged no control queue error" \
	bash -c "! grep -Eiq 'control (queue|command).*(refused|stopped|no answer)' '${VC_LOGF[front]}'"

if [ "$VC_FAILED" -gt 0 ]; then
	vc_dump_log front 150
	vc_dump_log vhost 80
fi
vc_tp_cmd front quit || true
vc_wait_exit front 10 || vc_check "frontend testpmd exits cleanly on quit" false
vc_tp_cmd vhost quit || true
vc_wait_exit vhost 10 || vc_check "vhost testpmd exits cleanly on quit" false
vc_summary
