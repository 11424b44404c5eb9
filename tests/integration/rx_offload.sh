#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# RX checksum offload (VIRTIO_NET_F_GUEST_CSUM) and LRO
# (VIRTIO_NET_F_GUEST_TSO4/6): frames that reach the frontend under test
# with a checksum left to offload, or as one coalesced 64 KB TCP packet.
#
# 1. RX checksum.  The vhost testpmd's csum engine sends in.pcap (wrong L4
#    and IPv4 checksums) to the frontend with "csum set tcp/udp hw" on its
#    net_vhost port: DPDK vhost hands each frame over with
#    VIRTIO_NET_HDR_F_NEEDS_CSUM and the pseudo-header sum in the checksum
#    field.  The frontend testpmd (--enable-rx-cksum, io forwarding,
#    verbose) writes what it receives to out.pcap, untouched.
#      in.pcap -> [vhost testpmd: net_pcap --csum--> net_vhost] ->
#      vhost-user -> [frontend testpmd: our port --io--> net_pcap] -> out.pcap
#    Checks: every frame arrives once, its L4 checksum field holds the
#    pseudo-header sum that completes to the right checksum, IPv4 header
#    and payload intact, and every one is flagged RX_L4_CKSUM_NONE ("data
#    valid, checksum not final"), none BAD; no RX error.
#    Without --enable-rx-cksum GUEST_CSUM is not negotiated and the same
#    frames must arrive with a complete, correct checksum (the backend's
#    job then) or be counted as errors, never delivered with a partial
#    sum unflagged.
# 2. LRO.  The frontend's csum engine sends 64 KB TCP packets through our
#    port as TSO (HOST_TSO4/6) to a vhost testpmd with legacy-ol-flags=1,
#    which turns the GSO request into TX_TCP_SEG flags, and io-forwards
#    each packet back out of the same port: DPDK vhost hands it back to
#    the frontend as one GSO packet (GSO_TCPV4/6, MSS 1448).
#      in.pcap -> [frontend: net_pcap --csum, tso--> our port] ->
#      [vhost testpmd io loop] -> [our port --csum--> net_pcap] -> out.pcap
#    Checks: each 64 KB packet comes back once, flagged RX_LRO with the
#    whole length (--enable-lro), payload intact.
#
# usage: rx_offload.sh DRIVER_SO [SEQCHECK_APP] [--mem huge|nohuge|auto]
#        [--count N] [--devargs K=V[,K=V]]
set -euo pipefail
. "$(dirname "$0")/../../devtools/lib.sh"

[ $# -ge 1 ] || { sed -n '3,38p' "$0"; exit 2; }
drv=$1
shift
[ $# -gt 0 ] && [ "${1#--}" = "$1" ] && shift	# the seqcheck app: unused
mem=auto count=20 devargs=mrg_rxbuf=1
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

vc_test_begin rx_offload "$mem"

# field NAME KEY LINE: the value of KEY=N in a line of offload_pcap.py check.
field() {
	local v
	v=$(sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$2")
	printf '%s\n' "${v:-0}"
}

# frontend NAME ARGS...: an interactive frontend testpmd on cpu 1 whose
# port 0 is ours on $sock and port 1 a net_pcap (the --vdev is in ARGS).
frontend() {
	local name=$1
	shift
	mapfile -t fm < <(vc_eal_mem_args frontend)
	mapfile -t fe < <(vc_frontend_eal_args "$drv" "$sock" "$devargs")
	[ ${#fe[@]} -gt 0 ] || vc_die "no frontend arguments (driver $drv?)"
	vc_start -i "$name" 1 2 "$VC_TESTPMD" "${fm[@]}" --no-pci "${fe[@]}" "$@"
	if ! vc_wait_log "$name" '^testpmd> ' 30; then
		vc_dump_log "$name"
		vc_check "$name: frontend testpmd started" false
		return 1
	fi
}

# link_up NAME: until "show port info 0" of NAME says the link is up.
link_up() {
	local deadline=$(($(vc_now_ms) + 20000)) n
	while [ "$(vc_now_ms)" -lt "$deadline" ]; do
		n=$(vc_count_blocks "${VC_LOGF[$1]}" '^Link status: up')
		vc_tp_cmd "$1" "show port info 0" || return 1
		sleep 0.3
		[ "$(vc_count_blocks "${VC_LOGF[$1]}" '^Link status: up')" -gt "$n" ] && return 0
	done
	return 1
}

# wait_rx NAME PORT WANT: until port PORT of NAME received WANT frames.
wait_rx() {
	local deadline=$(($(vc_now_ms) + 20000))
	declare -A st=()
	while [ "$(vc_now_ms)" -lt "$deadline" ]; do
		vc_tp_port_stats "$1" "$2" st || return 1
		[ "${st[rx-packets]}" -ge "$3" ] && return 0
		sleep 0.2
	done
	return 1
}

# ---------------------------------------------------------------- 1. checksum

kinds=()
declare -A small=([udp4]=64 [tcp4]=70 [udp6]=78 [tcp6]=90)
for k in udp4 tcp4 udp6 tcp6; do
	for s in "${small[$k]}" 1518 9000; do kinds+=("$k $s"); done
done
specs=()
for ks in "${kinds[@]}"; do specs+=($ks "$count"); done
want=$((${#kinds[@]} * count))

# csum_phase NAME RX_CKSUM(0|1)
csum_phase() {
	local name=$1 rxck=$2 in=$VC_SOCKDIR/in-$1.pcap out=$VC_SOCKDIR/out-$1.pcap
	sock=$VC_SOCKDIR/$name.sock
	"$py" "$gen" gen "$in" "${specs[@]}"
	mapfile -t vm < <(vc_eal_mem_args vhost)
	vc_start -i "vh-$name" 0 2 "$VC_TESTPMD" "${vm[@]}" --no-pci \
		--vdev "net_vhost0,iface=$sock,queues=1" \
		--vdev "net_pcap0,rx_pcap=$in" -- \
		-i --nb-cores=1 --forward-mode=csum --max-pkt-len=9600 \
		"$VC_TESTPMD_MBUFS" --no-flush-rx
	vc_wait_socket "$sock" 20 "vh-$name" || { vc_dump_log "vh-$name"; return 1; }
	vc_tp_cmd "vh-$name" "port stop 0"
	vc_tp_cmd "vh-$name" "csum set ip sw 0"
	vc_tp_cmd "vh-$name" "csum set tcp hw 0"
	vc_tp_cmd "vh-$name" "csum set udp hw 0"
	vc_tp_cmd "vh-$name" "csum parse-tunnel off 0"
	vc_tp_cmd "vh-$name" "port start 0"
	vc_tp_cmd "vh-$name" "csum show 0"
	vc_tp_cmd "vh-$name" "set fwd csum retry"
	vc_wait_log "vh-$name" 'TCP checksum offload is hw' 10 ||
		vc_check "$name: vhost's csum engine leaves TCP checksums to net_vhost" false

	frontend "fe-$name" --vdev "net_pcap1,tx_pcap=$out" -- \
		-i --nb-cores=1 --forward-mode=io --max-pkt-len=9600 \
		--mbuf-size=10240 --total-num-mbufs=8192 --no-flush-rx || return 1
	if [ "$rxck" = 1 ]; then
		# Not --enable-rx-cksum: that asks for IPv4 header checks too,
		# which virtio has no feature for (upstream refuses it alike).
		vc_tp_cmd "fe-$name" "port stop 0"
		vc_tp_cmd "fe-$name" "port config 0 rx_offload tcp_cksum on"
		vc_tp_cmd "fe-$name" "port config 0 rx_offload udp_cksum on"
		vc_tp_cmd "fe-$name" "port start 0"
	fi
	# Up before the first frame: net_vhost drops what it cannot place.
	link_up "fe-$name" || vc_check "$name: link up" false
	vc_tp_cmd "fe-$name" "set verbose 1"
	vc_tp_cmd "fe-$name" start
	vc_tp_cmd "vh-$name" start
	wait_rx "fe-$name" 0 "$want" ||
		vc_log "$name: fewer than $want frames reached the frontend"
	vc_tp_cmd "vh-$name" stop
	vc_tp_cmd "fe-$name" stop
	declare -A fs=() vs=()
	vc_tp_port_stats "fe-$name" 0 fs || true
	vc_tp_port_stats "vh-$name" 0 vs || true
	vc_check_eq "$name: frames sent by vhost" "${vs[tx-packets]:-none}" "$want"
	vc_check_eq "$name: frames received by our port" "${fs[rx-packets]:-none}" "$want"
	vc_check_eq "$name: bytes sent by vhost = bytes received" \
		"${fs[rx-bytes]:-none}" "${vs[tx-bytes]:-none}"
	vc_check_eq "$name: RX errors (frontend)" "${fs[rx-errors]:-none}" 0
	local flog=${VC_LOGF[fe-$name]} res line ks
	local none good bad
	none=$(vc_count_blocks "$flog" 'ol_flags: .*RTE_MBUF_F_RX_L4_CKSUM_NONE')
	good=$(vc_count_blocks "$flog" 'ol_flags: .*RTE_MBUF_F_RX_L4_CKSUM_GOOD')
	bad=$(vc_count_blocks "$flog" 'ol_flags: .*RTE_MBUF_F_RX_L4_CKSUM_BAD')
	vc_check_eq "$name: frames flagged RX_L4_CKSUM_BAD" "$bad" 0
	vc_tp_cmd "fe-$name" quit || true
	vc_wait_exit "fe-$name" 10 || vc_check "$name: frontend exits cleanly" false
	vc_tp_cmd "vh-$name" quit || true
	vc_wait_exit "vh-$name" 10 || vc_check "$name: vhost testpmd exits cleanly" false

	res=$("$py" "$gen" check "$out")
	printf '%s\n' "$res"
	local tot_partial=0 tot_good=0
	for ks in "${kinds[@]}"; do
		line=$(grep "^$ks " <<<"$res" || true)
		vc_check_eq "$name: $ks B: frames in out.pcap" "$(field frames "$line")" "$count"
		vc_check_eq "$name: $ks B: IP header + payload intact" \
			"$(($(field good "$line") + $(field partial "$line")))" "$count"
		tot_partial=$((tot_partial + $(field partial "$line")))
		tot_good=$((tot_good + $(field good "$line")))
	done
	if [ "$rxck" = 1 ]; then
		# GUEST_CSUM: the backend left the sum to us, we left it to the
		# application, and said so.
		vc_check_eq "$name: frames with the checksum left to offload" "$tot_partial" "$want"
		vc_check_eq "$name: frames flagged RX_L4_CKSUM_NONE" "$none" "$want"
	else
		# No GUEST_CSUM: the backend must finish the sum itself.
		vc_check_eq "$name: frames with a complete, right checksum" "$tot_good" "$want"
		vc_check_eq "$name: frames flagged RX_L4_CKSUM_NONE" "$none" 0
	fi
	: "$good"
}

csum_phase rxcsum 1
csum_phase nocsum 0

# ---------------------------------------------------------------- 2. LRO

lro_phase() {
	local name=lro in=$VC_SOCKDIR/in-lro.pcap out=$VC_SOCKDIR/out-lro.pcap
	local frames=(tcp4 64054 4 tcp6 64074 4) want=8 f=fe-lro
	sock=$VC_SOCKDIR/lro.sock
	"$py" "$gen" gen "$in" "${frames[@]}"
	mapfile -t vm < <(vc_eal_mem_args vhost)
	# legacy-ol-flags=1: a GSO packet is dequeued with TX_TCP_SEG, so
	# io forwarding sends it back as GSO.
	vc_start -i vh-lro 0 2 "$VC_TESTPMD" "${vm[@]}" --no-pci \
		--vdev "net_vhost0,iface=$sock,queues=1,tso=1,legacy-ol-flags=1" -- \
		-i --nb-cores=1 --forward-mode=io --max-pkt-len=9600 \
		--mbuf-size=65535 --total-num-mbufs=2048
	vc_wait_socket "$sock" 20 vh-lro || { vc_dump_log vh-lro; return 1; }
	vc_tp_cmd vh-lro start
	frontend "$f" --vdev "net_pcap1,rx_pcap=$in,tx_pcap=$out" -- \
		-i --nb-cores=1 --forward-mode=csum --max-pkt-len=9600 \
		--mbuf-size=65535 --total-num-mbufs=2048 --no-flush-rx \
		--txd=256 --rxd=256 || return 1
	vc_tp_cmd "$f" "port stop 0"
	vc_tp_cmd "$f" "port config 0 rx_offload tcp_cksum on"
	vc_tp_cmd "$f" "port config 0 rx_offload tcp_lro on"
	vc_tp_cmd "$f" "csum set ip sw 0"
	vc_tp_cmd "$f" "csum set tcp hw 0"
	vc_tp_cmd "$f" "csum parse-tunnel off 0"
	vc_tp_cmd "$f" "tso set 1448 0"
	vc_tp_cmd "$f" "port start 0"
	vc_tp_cmd "$f" "set fwd csum retry"
	link_up "$f" || vc_check "$name: link up" false
	vc_tp_cmd "$f" "set verbose 1"
	vc_tp_cmd "$f" start
	wait_rx "$f" 0 "$want" || vc_log "$name: fewer than $want packets came back"
	vc_tp_cmd "$f" stop
	vc_tp_cmd vh-lro stop
	declare -A fs=() vs=()
	vc_tp_port_stats "$f" 0 fs || true
	vc_tp_port_stats vh-lro 0 vs || true
	vc_check_eq "$name: 64 KB sends received by vhost" "${vs[rx-packets]:-none}" "$want"
	vc_check_eq "$name: 64 KB packets sent back by vhost" "${vs[tx-packets]:-none}" "$want"
	vc_check_eq "$name: packets received by our port" "${fs[rx-packets]:-none}" "$want"
	vc_check_eq "$name: bytes vhost sent = bytes we received" \
		"${fs[rx-bytes]:-none}" "${vs[tx-bytes]:-none}"
	vc_check_eq "$name: RX errors (frontend)" "${fs[rx-errors]:-none}" 0
	local flog=${VC_LOGF[$f]}
	vc_check_eq "$name: received packets flagged RX_LRO" \
		"$(vc_count_blocks "$flog" 'ol_flags: .*RTE_MBUF_F_RX_LRO')" "$want"
	# Lengths of what port 0 (ours) received, from the verbose dump.
	vc_check_eq "$name: received as whole 64 KB packets" "$(awk '
		# The header may follow a "testpmd> " prompt on its line.
		/port [0-9]+\/queue [0-9]+: received/ { ours = ($0 ~ /port 0\/queue/) }
		ours && / - length=640[57]4 / { n++ }
		END { print n + 0 }' "$flog")" "$want"
	vc_tp_cmd "$f" quit || true
	vc_wait_exit "$f" 20 || vc_check "$name: frontend exits cleanly" false
	vc_tp_cmd vh-lro quit || true
	vc_wait_exit vh-lro 10 || vc_check "$name: vhost testpmd exits cleanly" false
	local res line
	res=$("$py" "$gen" check "$out")
	printf '%s\n' "$res"
	for ks in "tcp4 64054" "tcp6 64074"; do
		line=$(grep "^$ks " <<<"$res" || true)
		# The csum engine completes the checksum on the way out.
		vc_check_eq "$name: $ks B: good frames in out.pcap" "$(field good "$line")" 4
	done
}

lro_phase

vc_summary
