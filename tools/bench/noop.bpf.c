// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The baseline of the per-packet benchmark: programs of the same types as
 * mtuguard's that do nothing but pass the packet on. */
#include "vmlinux.h"

#include <bpf/bpf_helpers.h>

SEC("tc")
int bench_noop_tc(struct __sk_buff *skb)
{
	(void)skb;
	return -1; /* TC_ACT_UNSPEC, as mtuguard returns */
}

SEC("xdp")
int bench_noop_xdp(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
