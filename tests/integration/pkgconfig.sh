#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
#
# Linking the driver from another project: `meson install` into a staging
# directory under the build tree, then a 20-line application outside the
# project built with nothing but
#   cc app.c $(pkg-config --cflags --libs [--static] libdpdk-virtio-container)
# against the staged .pc files (their prefix pointed at the staging
# directory, as a packager's sysroot would).  Checked: the .pc files, the
# archives and the header are installed; the driver archive is linked whole
# (its constructor registers the driver); with shared DPDK the vdev bus
# library is linked, with --static (DPDK's static archives) no librte_*.so
# is; run with --vdev net_virtio_container0,path=... against a net_vhost
# testpmd, each build finds exactly one port, driven by net_virtio_container,
# while the same application built from libdpdk.pc alone cannot even parse
# the --vdev.  The --static build is skipped (not failed) when a system
# library that DPDK's static link needs has no development files here
# (Debian 12: libsystemd-dev, for libpcap's dbus dependency).
#
# usage: pkgconfig.sh DRIVER_SO [SEQCHECK_APP] --build-root DIR [--mem MODE]
set -euo pipefail
. "$(dirname "$0")/../../devtools/lib.sh"

[ $# -ge 1 ] || { sed -n '3,20p' "$0"; exit 2; }
shift	# the driver .so: linked from the installed archive instead
[ $# -gt 0 ] && [ "${1#--}" = "$1" ] && shift	# the seqcheck app: unused
build='' mem=auto
while [ $# -gt 0 ]; do
	case "$1" in
	--build-root) build=$2 ;;
	--mem) mem=$2 ;;
	*) vc_die "unknown option $1" ;;
	esac
	shift 2
done

if [ "$(vc_vdev_kind)" != ours ]; then
	echo "pkgconfig: SKIP: tests the installed net_virtio_container (VC_VDEV=$VC_VDEV)"
	exit 77
fi
vc_test_begin pkgconfig "$mem"
[ -f "$build/build.ninja" ] || vc_die "--build-root: no build tree at '$build'"
cc=${CC:-cc}
# A sanitizer build installs instrumented archives: the app needs the same
# runtime (devtools/sanitize.sh runs this test in such a tree).
san=$(meson introspect --buildoptions "$build" 2>/dev/null | python3 -c '
import json, sys
for o in json.load(sys.stdin):
    if o["name"] == "b_sanitize" and o["value"] != "none":
        print(o["value"])' || true)
ccflags=()
[ -z "$san" ] || ccflags=("-fsanitize=$san")

# Under the build tree: EAL refuses nothing here, and the tree is ours.
work=$build/pkgconfig-test
stage=$work/stage
rm -rf "$work"
mkdir -p "$work"
vc_check "meson install --destdir (staging)" \
	meson install -C "$build" --no-rebuild --quiet --destdir "$stage"

pc=$(find "$stage" -name libdpdk-virtio-container.pc -print -quit)
vc_check "libdpdk-virtio-container.pc installed" test -n "$pc"
[ -n "$pc" ] || { vc_summary; exit 1; }
pcdir=$(dirname "$pc")
for f in libdevsim.pc libdpdk-virtio-container-vdev.pc; do
	vc_check "$f installed next to it" test -f "$pcdir/$f"
done
libdir=$(dirname "$pcdir")
for f in librte_net_virtio_container.a libdevsim.a; do
	vc_check "$f installed in the libdir" test -f "$libdir/$f"
done
vc_check "devsim/devsim.h installed" \
	test -n "$(find "$stage" -path '*/include/devsim/devsim.h' -print -quit)"

# The staged files say prefix=/usr/local (or whatever was configured):
# point our three at the staging directory.  libdpdk.pc stays the system's.
for f in "$pcdir"/libdevsim.pc "$pcdir"/libdpdk-virtio-container*.pc; do
	sed -i "s|^prefix=\\(.*\\)|prefix=$stage\\1|" "$f"
done
export PKG_CONFIG_PATH=$pcdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}

libs=$(pkg-config --libs libdpdk-virtio-container) || libs=
printf 'pkg-config --libs, without DPDK'\''s: %s\n' "$(tr ' ' '\n' <<<"$libs" |
	grep -vE '^-L/usr|^-lrte_([^b]|b[^u])' | tr '\n' ' ')"
vc_check "the driver archive is linked whole" \
	grep -q -- '-Wl,--whole-archive -l:librte_net_virtio_container.a -Wl,--no-whole-archive' <<<"$libs"
vc_check "the vdev bus library follows libdpdk's" \
	test "$(tr ' ' '\n' <<<"$libs" | grep -n -- '-lrte_bus_vdev' | cut -d: -f1)" \
	-gt "$(tr ' ' '\n' <<<"$libs" | grep -n -- '-lrte_eal' | cut -d: -f1 | tail -n1)"

cat >"$work/app.c" <<'EOF'
/* Counts the ports EAL created: nothing here names our driver. */
#include <stdio.h>
#include <rte_eal.h>
#include <rte_ethdev.h>

int
main(int argc, char **argv)
{
	struct rte_eth_dev_info info;
	uint16_t port, n = 0;

	if (rte_eal_init(argc, argv) < 0)
		return 1;
	RTE_ETH_FOREACH_DEV(port) {
		if (rte_eth_dev_info_get(port, &info) == 0)
			printf("port %u: driver %s\n", port, info.driver_name);
		n++;
	}
	printf("ports: %u\n", n);
	rte_eal_cleanup();
	return 0;
}
EOF

# build NAME PKG-CONFIG-ARGS...: compiles app.c into $work/NAME.
build_app() {
	local name=$1 flags
	shift
	flags=$(pkg-config "$@") || return 1
	# shellcheck disable=SC2086
	"$cc" "${ccflags[@]}" -o "$work/$name" "$work/app.c" $flags >"$work/$name.cc.log" 2>&1
}
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }

vc_check "build with shared DPDK: pkg-config --cflags --libs libdpdk-virtio-container" \
	build_app app_shared --cflags --libs libdpdk-virtio-container
[ -f "$work/app_shared" ] || cat "$work/app_shared.cc.log" >&2
vc_check "app_shared needs librte_bus_vdev.so" \
	grep -q '^librte_bus_vdev\.so' < <(needed "$work/app_shared" 2>/dev/null || true)
vc_check "control: the same app from libdpdk.pc alone" \
	build_app app_plain --cflags --libs libdpdk

apps=(app_shared app_plain)
if [ -n "$san" ]; then
	# Debian's static DPDK archives are not instrumented; linked whole
	# next to ASan's runtime they abort at start.  The plain build tests
	# the --static link; here the shared link carries the sanitizers.
	printf 'SKIP - --static build under -fsanitize=%s (tested in the plain build)\n' "$san"
elif build_app app_static --cflags --libs --static libdpdk-virtio-container; then
	vc_check "build with --static: pkg-config --cflags --libs --static libdpdk-virtio-container" true
	vc_check "app_static needs no librte_*.so (one EAL, DPDK's static vdev bus)" \
		test -z "$(needed "$work/app_static" | grep '^librte_' || true)"
	apps+=(app_static)
else
	missing=$(sed -n 's/.*cannot find -l\([^:]*\).*/\1/p' "$work/app_static.cc.log" | sort -u | tr '\n' ' ')
	if [ -n "$missing" ] && ! grep -q 'virtio_container\|devsim' <<<"$missing"; then
		printf 'SKIP - --static build: DPDK'\''s static link needs system libraries without development files here: %s(e.g. libsystemd-dev for -lsystemd)\n' "$missing"
	else
		tail -n 20 "$work/app_static.cc.log" >&2
		vc_check "build with --static" false
	fi
fi

sock=$VC_SOCKDIR/vhost.sock
vc_start_vhost vhost "$sock" io
mapfile -t am < <(vc_eal_mem_args app)
for a in "${apps[@]}"; do
	[ -x "$work/$a" ] || continue
	vc_start "$a" 1 1 "$work/$a" "${am[@]}" --no-pci \
		--vdev "net_virtio_container0,path=$sock"
	vc_wait_exit "$a" 30 || true
	out=${VC_LOGF[$a]}
	if [ "$a" = app_plain ]; then
		vc_check "$a: EAL does not know the device (no driver linked)" \
			grep -q "Unable to parse device 'net_virtio_container0" "$out"
		vc_check "$a: no port" test -z "$(grep '^ports: [1-9]' "$out" || true)"
	else
		vc_check_eq "$a: exit status" "${VC_RC[$a]}" 0
		vc_check_eq "$a: ports" "$(sed -n 's/^ports: //p' "$out")" 1
		vc_check_eq "$a: driver of port 0" \
			"$(sed -n 's/^port 0: driver //p' "$out")" net_virtio_container
	fi
	[ "$VC_FAILED" -eq 0 ] || vc_dump_log "$a" 20
done

vc_tp_cmd vhost quit || true
vc_wait_exit vhost 10 || vc_check "vhost testpmd exits cleanly on quit" false
[ "$VC_FAILED" -ne 0 ] || rm -rf "$work"
vc_summary
