// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The /init of a tiny initramfs: on a kernel booted under qemu, mounts
 * sysfs (for /sys/kernel/btf), loads every mtuguard program through the
 * verifier, prints one line per program and a verdict, and powers off.
 * Built static, so the initramfs needs nothing else. The tracepoint program
 * is tried only where the kernel's BTF has the drop reason it counts, as
 * mtuguard itself does.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "mtuguard.skel.h"

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stdout, fmt, ap);
}

static int has_drop_reason(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	const struct btf_type *t;
	const struct btf_enum *e;
	int i, found = 0;
	__s32 id;

	if (!btf)
		return 0;
	id = btf__find_by_name_kind(btf, "skb_drop_reason", BTF_KIND_ENUM);
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	for (i = 0, e = t ? btf_enum(t) : NULL; t && i < btf_vlen(t); i++, e++)
		found |= !strcmp(btf__name_by_offset(btf, e->name_off),
				 "SKB_DROP_REASON_PKT_TOO_BIG");
	btf__free(btf);
	return found;
}

int main(void)
{
	struct mtuguard_bpf *skel;
	struct bpf_program *prog;
	struct utsname u;
	int err;

	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("proc", "/proc", "proc", 0, NULL);
	uname(&u);
	printf("MTUGUARD-KERNEL %s\n", u.release);
	libbpf_set_print(print_libbpf);
	skel = mtuguard_bpf__open();
	if (!skel) {
		printf("MTUGUARD-RESULT FAIL open\n");
		goto out;
	}
	if (!has_drop_reason()) {
		printf("MTUGUARD-NOTE no SKB_DROP_REASON_PKT_TOO_BIG: mg_kfree_skb not loaded\n");
		bpf_program__set_autoload(skel->progs.mg_kfree_skb, false);
	}
	err = mtuguard_bpf__load(skel);
	bpf_object__for_each_program (prog, skel->obj) {
		if (bpf_program__autoload(prog))
			printf("MTUGUARD-PROG %s %s\n", bpf_program__name(prog),
			       !err && bpf_program__fd(prog) >= 0 ? "loaded" : "failed");
	}
	printf("MTUGUARD-RESULT %s\n", err ? "FAIL" : "PASS");
	mtuguard_bpf__destroy(skel);
out:
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
