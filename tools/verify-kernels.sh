#!/usr/bin/env bash
# On demand (`make verify-kernels`): boots Debian's own kernel image under qemu
# with a one-file initramfs whose /init loads every mtuguard program through
# that kernel's verifier, and reports. The running kernel is verified by
# `make test` itself. Software emulation (TCG) by default: it boots in under a
# minute, while under KVM here (a nested guest) the kernel hung after the
# BIOS; MTUGUARD_KVM=1 tries KVM.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.output/kernel
mkdir -p "$out"

pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/ {print $2; exit}')
if ! ls "$out/root/boot/vmlinuz-"* >/dev/null 2>&1; then
	echo "verify-kernels: fetching $pkg from Debian's archive"
	(cd "$out" && rm -f linux-image-*.deb && apt-get download "$pkg" >/dev/null)
	dpkg-deb -x "$out"/linux-image-*.deb "$out/root"
fi
vmlinuz=$(ls "$out/root/boot/vmlinuz-"* | head -1)

# /init, static: nothing else is in the initramfs.
gcc -static -O2 -Wall -Wextra -D_GNU_SOURCE -Iinclude -I.output tests/kernel/load_all.c \
	-o "$out/init" -lbpf -lelf -lz 2>"$out/link.log" || {
	cat "$out/link.log"
	exit 1
}
rm -rf "$out/initrd" && mkdir -p "$out/initrd/"{dev,sys,proc}
cp "$out/init" "$out/initrd/init"
mknod -m 600 "$out/initrd/dev/console" c 5 1
(cd "$out/initrd" && find . | cpio -o -H newc --quiet) >"$out/initrd.cpio"

accel=()
[[ ${MTUGUARD_KVM:-0} == 1 && -w /dev/kvm ]] && accel=(-enable-kvm -cpu host)
echo "verify-kernels: booting $(basename "$vmlinuz") ${accel[*]:+with KVM}${accel[*]:-under TCG}"
timeout 300 qemu-system-x86_64 "${accel[@]}" -m 768 -smp 1 -nographic -no-reboot \
	-kernel "$vmlinuz" -initrd "$out/initrd.cpio" \
	-append "console=ttyS0 panic=-1 loglevel=3" >"$out/boot.log" 2>&1 || true
grep -ao 'MTUGUARD-.*' "$out/boot.log" | tr -d '\r' | sed 's/^/  /'
if grep -aq 'MTUGUARD-RESULT PASS' "$out/boot.log"; then
	echo "PASS: kernel: every program loads on $(grep -ao 'MTUGUARD-KERNEL [^[:space:]]*' "$out/boot.log" | awk '{print $2}')"
else
	echo "FAIL: kernel: see $out/boot.log"
	tail -20 "$out/boot.log"
	exit 1
fi
