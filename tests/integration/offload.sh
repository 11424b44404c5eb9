#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# TX checksum offload and TSO through the frontend under test, with
# testpmd's csum engine:
#
#   in.pcap -> [frontend testpmd: net_pcap port 0 --csum engine--> port 1 =
#   frontend under test, "csum set tcp/udp hw", "tso set"] -> vhost-user ->
#   [vhost testpmd: net_vhost0 port 0 --io--> net_pcap port 1] -> out.pcap
#
# Every frame of in.pcap has a wrong L4 checksum (and IPv4 header checksum):
# the csum engine computes the IPv4 one in software and leaves TCP/UDP to
# the port (hw), i.e. to our driver, which hands them to the device as
# partial checksums (VIRTIO_NET_F_CSUM); the vhost PMD completes them
# (its application did not ask for RX checksum offload).  A wrong
# pseudo-header, csum_start or csum_offset shows in out.pcap as a bad
# checksum.  TSO: 64 KB TCP sends go out as one GSO request with MSS 1448
# (VIRTIO_NET_F_HOST_TSO4/6, net_vhost tso=1); net_vhost hands its
# application one LRO-flagged packet (it does not segment), whose bytes,
# length and checksum are checked.  (testpmd cannot show the MSS vhost
# received: its csum engine clears tso_segsz before printing it; the header
# fields are covered by tests/unit/test_vc_offload.c.)
#
# Checks: every frame arrives once, with good IP and L4 checksums and every
# payload byte intact; no frame is dropped by tx_prepare; port counters on
# both sides agree.
#
# usage: offload.sh DRIVER_SO [SEQCHECK_APP] [--mem huge|nohuge|auto]
#        [--count N] [--devargs K=V[,K=V]]
# Environment: VC_VDEV=ours|upstream (default ours), VC_DEVARGS.
set -euo pipefail
. "$(dirname "$0")/../../devtools/lib.sh"

[ $# -ge 1 ] || { sed -n '3,30p' "$0"; exit 2; }
drv=$1
shift
[ $# -gt 0 ] && [ "${1#--}" = "$1" ] && shift	# the seqcheck app: unused
mem=auto count=50 devargs=mrg_rxbuf=1
while [ $# -gt 0 ]; do
	case "$1" in
	--mem) mem=$2 ;;
	--count) count=$2 ;;
	--devargs) devargs+=",$2" ;;
	*) vc_die "unknown option $1" ;;
	esac
	shift 2
done
py=$(command -v python3) || vc_die "python3 is needed to build and check the frames"
gen="$(dirname "$0")/offload_pcap.py"

vc_test_begin offload "$mem"

sock=$VC_SOCKDIR/vhost.sock
out=$VC_SOCKDIR/out.pcap
mapfile -t vm < <(vc_eal_mem_args vhost)
# Port 0 net_vhost (TSO offered), port 1 writes what port 0 receives.
# net_pcap records at most 16 KB of a chained mbuf: 64 KB mbufs keep
# every received frame in one.
vc_start -i vhost 0 2 "$VC_TESTPMD" "${vm[@]}" --no-pci \
	--vdev "net_vhost0,iface=$sock,queues=1,tso=1" \
	--vdev "net_pcap0,tx_pcap=$out" -- \
	-i --nb-cores=1 --forward-mode=io --max-pkt-len=9600 \
	--mbuf-size=65535 --total-num-mbufs=2048
vc_wait_socket "$sock" 20 vhost || { vc_dump_log vhost; exit 1; }
vc_tp_cmd vhost start

# phase NAME TSO_SEGSZ FRAMES...: one frontend testpmd replays in.pcap
# (KIND SIZE COUNT triples) through our port with the offloads on.
phase() {
	local name=$1 tso=$2 want=0 i
	shift 2
	local in=$VC_SOCKDIR/in-$name.pcap
	"$py" "$gen" gen "$in" "$@"
	for ((i = 3; i <= $#; i += 3)); do want=$((want + ${!i})); done
	mapfile -t fm < <(vc_eal_mem_args frontend)
	mapfile -t fe < <(vc_frontend_eal_args "$drv" "$sock" "$devargs")
	vc_start -i "front-$name" 1 2 "$VC_TESTPMD" "${fm[@]}" --no-pci \
		--vdev "net_pcap1,rx_pcap=$in" "${fe[@]}" -- \
		-i --nb-cores=1 --forward-mode=csum "$VC_TESTPMD_MBUFS" \
		--no-flush-rx --txd=256 --rxd=256
	local f=front-$name
	[ ${#fe[@]} -gt 0 ] || vc_die "no frontend arguments (driver $drv?)"
	if ! vc_wait_log "$f" '^testpmd> ' 30; then
		vc_dump_log "$f"
		vc_check "$name: frontend testpmd started" false
		return 1
	fi
	vc_tp_cmd vhost "clear port stats all"
	vc_tp_cmd "$f" "port stop 1"
	vc_tp_cmd "$f" "csum set ip sw 1"
	vc_tp_cmd "$f" "csum set tcp hw 1"
	vc_tp_cmd "$f" "csum set udp hw 1"
	vc_tp_cmd "$f" "csum parse-tunnel off 1"
	vc_tp_cmd "$f" "tso set $tso 1"
	vc_tp_cmd "$f" "port start 1"
	vc_tp_cmd "$f" "csum show 1"
	# net_pcap delivers the whole file at once: wait for ring space
	# rather than drop.
	vc_tp_cmd "$f" "set fwd csum retry"
	vc_tp_cmd "$f" "set burst tx delay 10 retry 100000"
	vc_wait_log "$f" 'TCP checksum offload is hw' 10 ||
		vc_check "$name: csum engine uses the port's TCP checksum offload" false
	vc_tp_cmd "$f" start
	declare -A vs=() fs=()
	local deadline=$(($(vc_now_ms) + 20000))
	while [ "$(vc_now_ms)" -lt "$deadline" ]; do
		vc_tp_port_stats vhost 1 vs || break
		[ "${vs[tx-packets]}" -ge "$want" ] && break
		sleep 0.1
	done
	vc_tp_cmd "$f" stop
	vc_tp_port_stats "$f" 1 fs || true
	vc_tp_port_stats vhost 0 vs || true
	vc_check_eq "$name: frames sent by our port" "${fs[tx-packets]:-none}" "$want"
	vc_check_eq "$name: frames received by vhost" "${vs[rx-packets]:-none}" "$want"
	vc_check_eq "$name: bytes sent = bytes received by vhost" \
		"${fs[tx-bytes]:-none}" "${vs[rx-bytes]:-none}"
	vc_check_eq "$name: TX errors (frontend)" "${fs[tx-errors]:-none}" 0
	vc_check "$name: no frame refused by tx_prepare" \
		[ "$(vc_count_blocks "${VC_LOGF[$f]}" 'Preparing packet burst to transmit failed')" -eq 0 ]
	vc_tp_cmd "$f" quit || true
	vc_wait_exit "$f" 10 || vc_check "$name: frontend testpmd exits cleanly" false
}

# check_out KIND SIZE COUNT...: every frame in out.pcap so far is good.
check_out() {
	local res line k s n
	res=$("$py" "$gen" check "$out")
	printf '%s\n' "$res"
	while [ $# -ge 3 ]; do
		k=$1 s=$2 n=$3
		shift 3
		line=$(grep "^$k $s " <<<"$res" || true)
		vc_check_eq "$k $s B: frames in out.pcap" \
			"$(sed -n 's/.* frames=\([0-9]*\).*/\1/p' <<<"$line")" "$n"
		vc_check_eq "$k $s B: good (IP + L4 checksum + payload)" \
			"$(sed -n 's/.* good=\([0-9]*\).*/\1/p' <<<"$line")" "$n"
	done
	vc_check_eq "frames of another kind in out.pcap" \
		"$(grep -c '^other' <<<"$res" || true)" 0
}

# 1. TX checksum offload: TCP and UDP, IPv4 and IPv6, 64 to 9000 bytes.
# The smallest frames are 64 bytes, or headers + the 16-byte payload tag.
declare -A small=([udp4]=64 [tcp4]=70 [udp6]=78 [tcp6]=90)
csum_frames=()
for k in udp4 tcp4 udp6 tcp6; do
	for s in "${small[$k]}" 1518 9000; do
		csum_frames+=("$k" "$s" "$count")
	done
done
phase csum 0 "${csum_frames[@]}"
check_out "${csum_frames[@]}"

# 2. TSO: 64 KB TCP sends, IPv4 and IPv6, MSS 1448.
tso_frames=(tcp4 64054 4 tcp6 64074 4)
vc_tp_cmd vhost stop
vc_tp_cmd vhost "set verbose 1"
vc_tp_cmd vhost start
phase tso 1448 "${tso_frames[@]}"
vc_tp_cmd vhost stop
vc_tp_cmd vhost "set verbose 0"
check_out "${csum_frames[@]}" "${tso_frames[@]}"
lro=$(vc_count_blocks "${VC_LOGF[vhost]}" 'ol_flags: .*RTE_MBUF_F_RX_LRO')
vc_check_eq "vhost got each 64 KB send as one GSO packet (RX_LRO)" "$lro" 8

vc_tp_cmd vhost quit || true
vc_wait_exit vhost 10 || vc_check "vhost testpmd exits cleanly on quit" false
vc_summary
