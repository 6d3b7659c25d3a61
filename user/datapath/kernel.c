// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "datapath/kernel.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"

#define KERNEL_BTF "/sys/kernel/btf/vmlinux"

int kernel_check_btf(void)
{
	if (!access(KERNEL_BTF, R_OK))
		return 0;
	pr_err("this kernel exposes no BTF at " KERNEL_BTF "; mtuguard's CO-RE programs need a "
	       "kernel built with CONFIG_DEBUG_INFO_BTF=y (5.8 or later)");
	return -ENOENT;
}

/* Drop reasons came in 5.17; this one is set by IP forwarding and Open
 * vSwitch. */
bool kernel_has_pkt_too_big_reason(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	const struct btf_type *t;
	const struct btf_enum *e;
	bool found = false;
	__s32 id;
	int i;

	if (!btf)
		return false;
	id = btf__find_by_name_kind(btf, "skb_drop_reason", BTF_KIND_ENUM);
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	for (i = 0, e = t ? btf_enum(t) : NULL; t && i < btf_vlen(t) && !found; i++, e++)
		found = !strcmp(btf__name_by_offset(btf, e->name_off),
				"SKB_DROP_REASON_PKT_TOO_BIG");
	btf__free(btf);
	return found;
}

__u32 kernel_own_netns_ino(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) ? 0 : (__u32)st.st_ino;
}
