// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mtuguard's entry points: thin wrappers that hand a frame to mg_observe()
 * (check.bpf.h) and pass it on. They never drop, redirect or rewrite:
 * TC programs return TC_ACT_UNSPEC, which is also TCX's "next", so the
 * programs and filters after ours (the CNI's) still run; TC_ACT_OK would end
 * the chain and bypass them. XDP returns XDP_PASS. The kfree_skb program
 * (drops.bpf.h) only counts.
 */
#include "vmlinux.h"

#include <bpf/bpf_helpers.h>

#include "check.bpf.h"
#include "drops.bpf.h"

#define MG_TC_ACT_UNSPEC (-1)

static __always_inline void observe_skb(struct __sk_buff *skb, __u32 hook)
{
	/* Read every context field once into a local: the verifier rejects
	 * context accesses through a pointer the compiler has offset. */
	__u32 len = skb->len;
	__u32 ifindex = skb->ifindex;
	__u32 gso_size = skb->gso_size;

	mg_observe((void *)(long)skb->data, (void *)(long)skb->data_end, skb, ifindex, hook,
		   gso_size, len);
}

SEC("tc")
int mg_pod_ingress(struct __sk_buff *skb)
{
	observe_skb(skb, MG_HOOK_POD_INGRESS);
	return MG_TC_ACT_UNSPEC;
}

SEC("tc")
int mg_pod_egress(struct __sk_buff *skb)
{
	observe_skb(skb, MG_HOOK_POD_EGRESS);
	return MG_TC_ACT_UNSPEC;
}

SEC("tc")
int mg_uplink_tc(struct __sk_buff *skb)
{
	observe_skb(skb, MG_HOOK_UPLINK_INGRESS);
	return MG_TC_ACT_UNSPEC;
}

SEC("xdp")
int mg_uplink_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	mg_observe(data, data_end, NULL, ctx->ingress_ifindex, MG_HOOK_UPLINK_INGRESS, 0,
		   (__u32)(data_end - data));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
