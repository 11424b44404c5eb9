#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# Content integrity through the frontend under test: vc_seqcheck sends
# sequence-numbered frames through port 0, a vhost testpmd in io mode sends
# them back unchanged, vc_seqcheck checks every byte of every frame, its own
# port counters and (with --cycles) port stop/start with the mempool back at
# its baseline after each stop.  Then the vhost side's counters must show
# the same packets and bytes.
#
# usage: seqcheck.sh DRIVER_SO SEQCHECK_APP [options]
#   --mem huge|nohuge|auto   memory mode of both processes (default auto)
#   --size BYTES             frame size (default 64)
#   --count N                frames per pass (default 10000)
#   --cycles C               passes with port stop/start between (default 1)
#   --window W               frames in flight at most (default 32)
#   --devargs K=V[,K=V]      extra frontend devargs (e.g. mrg_rxbuf=1)
#   --offloads               vc_seqcheck requests the offloads the port offers
#   --feature [!]NAME        (ours) virtio feature NAME must (not) have been
#                            negotiated: IN_ORDER, RING_PACKED, MRG_RXBUF,
#                            EVENT_IDX, CSUM, GUEST_CSUM, MQ, CTRL_VQ,
#                            INDIRECT_DESC
#   --simd BITS              frontend EAL --force-max-simd-bitwidth=BITS
#   --bursts NAME|packed-auto (ours) the burst functions the driver chose, as
#                            logged at start and as rte_eth_rx/tx_burst_mode_get
#                            report them (e.g. "packed AVX2"); packed-auto:
#                            the vector bursts this CPU has under --simd
# Environment: VC_VDEV=ours|upstream (default ours), VC_DEVARGS.
set -euo pipefail
. "$(dirname "$0")/../../devtools/lib.sh"

[ $# -ge 2 ] || { sed -n '3,/^# Environment/p' "$0"; exit 2; }
drv=$1 app=$2
shift 2
mem=auto size=64 count=10000 cycles=1 window=32 devargs= bursts= simd=
features=() app_args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--mem) mem=$2 ;;
	--size) size=$2 ;;
	--count) count=$2 ;;
	--cycles) cycles=$2 ;;
	--window) window=$2 ;;
	--devargs) devargs=$2 ;;
	--feature) features+=("$2") ;;
	--bursts) bursts=$2 ;;
	--simd) simd=$2 ;;
	--offloads) app_args+=(--offloads); shift; continue ;;
	*) vc_die "unknown option $1" ;;
	esac
	shift 2
done

tag="seqcheck-${size}B"
[ "$cycles" -gt 1 ] && tag+="-x$cycles"
vc_test_begin "$tag" "$mem"
[ -x "$app" ] || vc_die "$app not found (build first)"

# Our driver must give back every mbuf its rings hold when the port stops.
# Upstream virtio keeps its RX ring filled while stopped, so for it the
# check is that the count is the same after every stop (no leak).
pool_check=strict
if [ "$(vc_vdev_kind)" = upstream ]; then
	pool_check=stable
	echo "note: upstream net_virtio_user keeps its RX ring filled while stopped: mempool check is 'stable' (no leak across stops), not 'strict'"
fi

sock=$VC_SOCKDIR/vhost.sock
vc_start_vhost vhost "$sock" io

mapfile -t fm < <(vc_eal_mem_args frontend)
mapfile -t fe < <(vc_frontend_eal_args "$drv" "$sock" "$devargs")
[ -n "$simd" ] && fe+=(--force-max-simd-bitwidth="$simd")
[ "$bursts" = packed-auto ] && bursts=$(vc_packed_bursts_expected "${simd:-256}")
# Our driver logs what it negotiated at start: the devargs must show there.
[ "$(vc_vdev_kind)" = ours ] && fe+=(--log-level=pmd.net.virtio_container.init:info)
vc_start seqcheck 1 1 "$app" "${fm[@]}" --no-pci "${fe[@]}" -- \
	--count "$count" --size "$size" --window "$window" --cycles "$cycles" \
	--timeout 5 --pool-check "$pool_check" "${app_args[@]}"

rc=0
vc_wait_exit seqcheck 50 || rc=$?
grep '^vc_seqcheck' "${VC_LOGF[seqcheck]}" || true
vc_check_eq "vc_seqcheck exit status (content, loss, own port counters, mempool)" "$rc" 0
[ "$rc" -eq 0 ] || vc_dump_log seqcheck 30

declare -A fbit=([CSUM]=0 [GUEST_CSUM]=1 [GUEST_TSO4]=7 [MRG_RXBUF]=15 [CTRL_VQ]=17
	[MQ]=22 [INDIRECT_DESC]=28 [EVENT_IDX]=29 [RING_PACKED]=34 [IN_ORDER]=35)
if [ ${#features[@]} -gt 0 ] && [ "$(vc_vdev_kind)" = ours ]; then
	neg=$(sed -n 's/.*started, features \(0x[0-9a-f]*\).*/\1/p' \
		"${VC_LOGF[seqcheck]}" | tail -n1)
	vc_check "negotiated features logged at start" test -n "$neg"
	for f in "${features[@]}"; do
		name=${f#!}
		[ -n "${fbit[$name]:-}" ] || vc_die "unknown feature $name"
		on=$(( (${neg:-0} >> fbit[$name]) & 1 ))
		if [ "$f" = "$name" ]; then
			vc_check_eq "feature $name negotiated" "$on" 1
		else
			vc_check_eq "feature $name not negotiated" "$on" 0
		fi
	done
fi

if [ -n "$bursts" ] && [ "$(vc_vdev_kind)" = ours ]; then
	vc_check_eq "bursts logged at start" \
		"$(sed -n 's/.*started, features .*, \(.*\) bursts$/\1/p' "${VC_LOGF[seqcheck]}" | tail -n1)" \
		"$bursts"
	vc_check_eq "burst mode reported (rx, tx)" \
		"$(sed -n "s/^vc_seqcheck: burst mode rx='\(.*\)' tx='\(.*\)'$/\1,\2/p" "${VC_LOGF[seqcheck]}")" \
		"$bursts,$bursts"
fi

result=$(grep '^vc_seqcheck: RESULT' "${VC_LOGF[seqcheck]}" || true)
total=$((count * cycles))
vc_check_eq "frames sent by the frontend" "$(sed -n 's/.* sent=\([0-9]*\).*/\1/p' <<<"$result")" "$total"
vc_check_eq "frames received back intact" "$(sed -n 's/.* received=\([0-9]*\).*/\1/p' <<<"$result")" "$total"

declare -A vh=()
if vc_tp_port_stats vhost 0 vh; then
	vc_check_eq "vhost RX-packets" "${vh[rx-packets]}" "$total"
	vc_check_eq "vhost TX-packets" "${vh[tx-packets]}" "$total"
	vc_check_eq "vhost RX-bytes" "${vh[rx-bytes]}" "$((total * size))"
	vc_check_eq "vhost TX-bytes" "${vh[tx-bytes]}" "$((total * size))"
	vc_check_eq "vhost RX-errors + RX-missed + RX-nombuf + TX-errors" \
		"$((vh[rx-errors] + vh[rx-missed] + vh[rx-nombuf] + vh[tx-errors]))" 0
else
	vc_check "vhost port statistics readable" false
	vc_dump_log vhost
fi

vc_tp_cmd vhost quit || true
vc_wait_exit vhost 10 || true
vc_summary
