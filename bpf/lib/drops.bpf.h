/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Confirmed drops: the kernel's own word that a packet was too big. A
 * tp_btf program on skb:kfree_skb counts, per device, the drops whose reason
 * is SKB_DROP_REASON_PKT_TOO_BIG (set by IP forwarding and Open vSwitch),
 * so that a watch can set confirmed losses beside predicted ones. The
 * reason's value changes between kernels, even within 6.18.y: it is
 * resolved through BTF (bpf_core_enum_value), never written as a number.
 * Userspace loads this program only where the kernel's BTF has that reason.
 * The program itself is in mtuguard.bpf.c; this header holds its map and
 * helpers.
 */
#ifndef MTUGUARD_DROPS_BPF_H
#define MTUGUARD_DROPS_BPF_H

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

/* The node's netns (its inode number), set by userspace: kfree_skb fires
 * for every netns on the host, and only the node's devices are ours. */
const volatile __u32 node_netns_ino = 0;

/* Confirmed too-big drops per ifindex of the node's netns (per CPU). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} mg_drops SEC(".maps");

/* Arguments of the kfree_skb tracepoint, as tp_btf hands them over:
 * (struct sk_buff *skb, void *location, enum skb_drop_reason reason, ...). */
#define MG_KFREE_SKB_ARG_SKB 0
#define MG_KFREE_SKB_ARG_REASON 2

/* Counts one confirmed drop on @ifindex. */
static __always_inline void mg_count_drop(__u32 ifindex)
{
	__u64 one = 1, *count;

	count = bpf_map_lookup_elem(&mg_drops, &ifindex);
	if (count)
		*count += 1;
	else
		bpf_map_update_elem(&mg_drops, &ifindex, &one, BPF_NOEXIST);
}

#endif /* MTUGUARD_DROPS_BPF_H */
