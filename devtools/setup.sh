#!/usr/bin/env bash
# Idempotent set-up for building and running virtio-container on Debian 12.
#   - installs the Debian packages the build, the tests and the main job need
#   - fetches the DPDK driver SDK headers (not shipped by Debian's libdpdk-dev)
#     from Debian's source package of exactly the installed version, into
#     .dpdk-sdk/<version>/ beside the sources (never committed)
#   - reserves 2 MiB hugepages when it can; tests fall back to --no-huge
# Safe to run any number of times; does nothing that is already done.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
log() { printf 'setup: %s\n' "$*" >&2; }

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		log "must run as root (apt-get, hugepages); try: sudo $0"
		exit 1
	fi
}

# Packages: names map to what the build (meson/ninja/pkg-config, DPDK, numa,
# cmocka), the tests (testpmd from dpdk, gcc) and the SDK fetch (dpkg-dev for
# apt-get source) need.
PKGS="dpdk dpdk-dev libdpdk-dev meson ninja-build pkg-config libnuma-dev
libcmocka-dev dpkg-dev gcc python3 iproute2 util-linux procps python3-matplotlib
clang libclang-rt-14-dev libsystemd-dev openvswitch-switch-dpdk"
# clang and its runtimes (libFuzzer, ASan) build the fuzz targets
# (devtools/sanitize.sh); gcc's own libasan/libubsan come with gcc.
# libsystemd-dev: libpcap's pkg-config needs it for --static links of DPDK
# (tests/integration/pkgconfig.sh).  openvswitch-switch-dpdk: the OVS-DPDK
# backend of tests/integration/ovs.sh (its daemons are only started by that
# test, in a private directory).

install_packages() {
	local missing=() p
	for p in $PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	need_root
	log "installing: ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The deb-src entry mirrors the binary entries of the Debian archive so that
# 'apt-get source' finds the source of the installed version.
ensure_deb_src() {
	local f=/etc/apt/sources.list.d/virtio-container-src.sources
	[ -f "$f" ] && return 0
	need_root
	log "adding deb-src entries ($f)"
	cat > "$f" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	apt-get update -qq
}

SDK_HEADERS="lib/eal/include/bus_driver.h lib/eal/include/dev_driver.h
lib/ethdev/ethdev_driver.h lib/ethdev/ethdev_vdev.h
drivers/bus/vdev/bus_vdev_driver.h"

fetch_sdk() {
	local ver dir tmp dsc h
	ver=$(dpkg-query -W -f='${Version}' libdpdk-dev)
	dir="$top/.dpdk-sdk/$ver/include"
	if [ -f "$dir/.complete" ]; then
		return 0
	fi
	ensure_deb_src
	tmp=$(mktemp -d /var/tmp/vc-sdk.XXXXXX)
	trap 'rm -rf "$tmp"' RETURN
	log "fetching DPDK $ver source package for the driver SDK headers"
	(cd "$tmp" && apt-get source -qq --download-only "dpdk=$ver" >/dev/null 2>&1) || {
		log "apt-get source dpdk=$ver failed: is a deb-src entry for that version reachable?"
		exit 1
	}
	# Only the upstream tarball is needed; extract just the five headers.
	local tarball
	tarball=$(ls "$tmp"/dpdk_*.orig.tar.* 2>/dev/null | head -n1)
	[ -n "$tarball" ] || { log "no orig tarball in the dpdk source package"; exit 1; }
	mkdir -p "$tmp/x" "$dir"
	local members=()
	for h in $SDK_HEADERS; do members+=("--wildcards" "*/$h"); done
	tar -xf "$tarball" -C "$tmp/x" "${members[@]}"
	for h in $SDK_HEADERS; do
		local src
		src=$(find "$tmp/x" -path "*/$h" | head -n1)
		[ -n "$src" ] || { log "header $h missing from the source package"; exit 1; }
		cp "$src" "$dir/"
	done
	touch "$dir/.complete"
	ln -sfn "$ver" "$top/.dpdk-sdk/current"
	log "driver SDK headers in $dir"
}

# 2 MiB hugepages: 1024 pages (2 GiB) when none are reserved yet.  A machine
# that cannot reserve them still runs everything with --no-huge (memfd).
setup_hugepages() {
	[ "$(id -u)" -eq 0 ] || return 0
	local nr
	nr=$(cat /proc/sys/vm/nr_hugepages)
	if [ "$nr" -lt 1024 ]; then
		echo 1024 > /proc/sys/vm/nr_hugepages 2>/dev/null || true
	fi
	if ! grep -q '^[^ ]* /dev/hugepages hugetlbfs' /proc/mounts; then
		mkdir -p /dev/hugepages
		mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null || true
	fi
}

install_packages
fetch_sdk
setup_hugepages
# Links the current SDK even when a previous run fetched it.
ln -sfn "$(dpkg-query -W -f='${Version}' libdpdk-dev)" "$top/.dpdk-sdk/current"
