#!/usr/bin/env bash
# Installs every Debian package that building mtuguard, its demo and its tests
# need. Safe to run again: it installs only what is missing, and does nothing
# (not even `apt-get update`) when everything is present.
set -euo pipefail

packages=(
	# build: clang's BPF target, libbpf, skeletons, the userspace libraries
	make gcc clang llvm pkg-config
	libbpf-dev bpftool libelf-dev zlib1g-dev
	libjson-c-dev libmnl-dev libcap-dev libyaml-dev libmicrohttpd-dev libcmocka-dev
	# the format check in make test (.clang-format is written for version 14)
	clang-format-14
	# lab, demo and end-to-end tests
	iproute2 iputils-ping iperf3 jq util-linux procps python3 python3-yaml valgrind ethtool
	# the lab's Open vSwitch (userspace datapath, its own ovsdb-server)
	openvswitch-switch
	# metrics: promtool to validate them, a real Prometheus to scrape them
	prometheus curl
	# the image: buildah (chroot isolation) on a base mmdebstrap makes
	buildah mmdebstrap
	# benchmarks: the alternatives they compare with
	tcpdump bpftrace bc
)

missing=()
for pkg in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$pkg")
done
# kubectl, to check the DaemonSet manifest: any kubectl will do (some images
# ship Google's, which conflicts with Debian's kubernetes-client).
command -v kubectl >/dev/null || missing+=(kubernetes-client)

if ((${#missing[@]} == 0)); then
	exit 0
fi

if ((EUID != 0)); then
	echo "install-deps: missing packages: ${missing[*]}; run as root (sudo make ...) to install them" >&2
	exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
