// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mtuguard's entry points: thin wrappers that count a frame on the fast path
 * (fast.bpf.h) or hand it to mg_observe() (check.bpf.h), and pass it on. They never drop, redirect
 * or rewrite: TC programs return TC_ACT_UNSPEC, which is also TCX's "next", so the programs and
 * filters after ours (the CNI's) still run; TC_ACT_OK would end the chain and bypass them. XDP
 * returns XDP_PASS. The kfree_skb program only counts (its map and helpers: lib/drops.bpf.h).
 */
#include "vmlinux.h"

#include <bpf/bpf_helpers.h>

#include "lib/check.bpf.h"
#include "lib/drops.bpf.h"
#include "lib/fast.bpf.h"

#define MG_TC_ACT_UNSPEC (-1)

static __always_inline void observe_skb(struct __sk_buff *skb, const __u32 hook)
{
	/* Read every context field once into a local: the verifier rejects
	 * context accesses through a pointer the compiler has offset. */
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 len = skb->len;
	__u32 ifindex = skb->ifindex;
	__u32 gso_size, segs = 1;

	if (mg_fast_path(data, data_end, ifindex, hook, len, skb))
		return;
	gso_size = skb->gso_size;
	/* A GSO skb is gso_segs packets on the wire (at least one); the rest
	 * are one, and do not pay for reading it. */
	if (gso_size) {
		__u32 gso_segs = skb->gso_segs;

		segs = gso_segs ? gso_segs : 1;
	}
	mg_observe(data, data_end, skb, ifindex, hook, gso_size, segs, len);
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
	__u32 ifindex = ctx->ingress_ifindex;
	__u32 len = (__u32)(data_end - data);

	if (mg_fast_path(data, data_end, ifindex, MG_HOOK_UPLINK_INGRESS, len, NULL))
		return XDP_PASS;
	mg_observe(data, data_end, NULL, ifindex, MG_HOOK_UPLINK_INGRESS, 0, 1, len);
	return XDP_PASS;
}

/* The kernel dropped an skb: count it when the reason is "too big" on one
 * of the node's devices (lib/drops.bpf.h says why the reason is resolved
 * through BTF). */
SEC("tp_btf/kfree_skb")
int mg_kfree_skb(__u64 *ctx)
{
	struct sk_buff *skb = (struct sk_buff *)ctx[MG_KFREE_SKB_ARG_SKB];
	__u32 reason = (__u32)ctx[MG_KFREE_SKB_ARG_REASON];
	struct net_device *dev;

	if (reason != bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_PKT_TOO_BIG))
		return 0;
	dev = BPF_CORE_READ(skb, dev);
	if (!dev || BPF_CORE_READ(dev, nd_net.net, ns.inum) != node_netns_ino)
		return 0;
	mg_count_drop(BPF_CORE_READ(dev, ifindex));
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
