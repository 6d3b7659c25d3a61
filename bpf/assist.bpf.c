// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The PMTUD assist, opt-in (`watch --assist`, `--clamp-mss`): unlike the
 * observer (mtuguard.bpf.c) these programs act on traffic. They sit on each
 * Pod veth's host side right after the observer (which has counted the
 * packet already) and before the CNI, and use the observer's maps and its
 * limit for the packet's destination (pod_limit_towards), never one of
 * their own.
 *
 * mg_assist_in, what a Pod sends: an oversize packet that a silent L2 path
 * (a bridge, an Open vSwitch port) would drop without a word is answered
 * with the ICMP too-big a router would send, and dropped (it would be lost
 * anyway); a SYN gets its MSS clamped to the destination's limit.
 * mg_assist_out, what a Pod is sent: a SYN-ACK gets its MSS clamped to the
 * limit of the Pod's path back to its sender. Everything else passes
 * untouched (TC_ACT_UNSPEC: the CNI's programs still run).
 */
#include "vmlinux.h"

#include <bpf/bpf_helpers.h>

#include "lib/check.bpf.h"
#include "lib/fast.bpf.h"
#include "lib/mss.bpf.h"
#include "lib/reply.bpf.h"

#define MG_TC_ACT_UNSPEC (-1)
#define MG_TC_ACT_SHOT 2

/* Set by the loader between open and load. */
/* Bit (1 << enum mg_limit_source) set where the CNI module says a packet
 * over that limit is dropped without an ICMP error (an L2 path). */
const volatile __u32 assist_silent_sources = 0;
/* --assist: answer oversize packets; without it (--clamp-mss) only clamp. */
const volatile bool assist_answer = false;
/* At most one answer per (Pod, destination) in this long: the kernel has
 * no rate limit of its own for these, and one answer teaches the Pod's
 * route cache for every socket to that destination. */
const volatile __u64 assist_interval_ns = 100000000ULL;

/* When each (Pod, destination) was last answered. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct mg_assist_key);
	__type(value, __u64);
} mg_assist_answers SEC(".maps");

/* What the assist did, per Pod, at its counter slot. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MG_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct mg_assist_counts);
} mg_assist_counts SEC(".maps");

static __always_inline struct mg_assist_counts *assist_counts(const struct mg_iface_cfg *cfg)
{
	__u32 slot = cfg->slot;

	return bpf_map_lookup_elem(&mg_assist_counts, &slot);
}

/* The frame, parsed as the observer parses it (headers past the linear part
 * pulled in); -1 when it is not one to act on. */
static __always_inline int parse_skb(struct __sk_buff *skb, struct mg_pkt *p)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 len = skb->len;
	int err;

	err = parse_frame(data, data_end, p);
	if (err == -MG_PARSE_TRUNCATED && data_end - data < len)
		err = pull_and_parse(skb, len, p);
	return err ? -1 : 0;
}

/* The Pod veth's configuration, or NULL for any other interface. */
static __always_inline struct mg_iface_cfg *pod_cfg(__u32 ifindex)
{
	struct mg_iface_cfg *cfg = iface_cfg(ifindex);

	return cfg && cfg->role == MG_ROLE_POD ? cfg : NULL;
}

static __always_inline bool is_multicast(const struct mg_addr *a)
{
	/* IPv4 224/4 and above (multicast, reserved, broadcast); IPv6 ff00::/8 */
	return a->family == MG_AF_INET6 ? a->addr[0] == 0xff : a->addr[0] >= 224;
}

/* ICMP errors are never answered with ICMP errors (RFC 1122, 4443). */
static __always_inline bool is_icmp_error(const struct mg_pkt *p)
{
	if (p->saddr.family == MG_AF_INET && p->proto == IPPROTO_ICMP)
		return p->sport == 3 || p->sport == 4 || p->sport == 5 || p->sport == 11 ||
		       p->sport == 12;
	if (p->saddr.family == MG_AF_INET6 && p->proto == MG_IPPROTO_ICMPV6)
		return p->sport < 128;
	return false;
}

/* Whether the packet comes from the Pod behind @ifindex itself (an answer
 * to a spoofed or forwarded source would teach nobody, or the wrong one). */
static __always_inline bool from_the_pod(const struct mg_pkt *p, __u32 ifindex)
{
	struct mg_local_dst *src = bpf_map_lookup_elem(&mg_local_dsts, &p->saddr);

	return src && src->kind == MG_DST_POD && src->ifindex == ifindex;
}

/* Whether the kernel's rules allow an ICMP too-big for @p announcing
 * @limit (REMEDY.md): DF (IPv6 always), a first fragment, unicast, from
 * the Pod, not an ICMP error, an MTU a receiver accepts. */
static __always_inline bool may_answer(const struct mg_pkt *p, __u32 ifindex, __u32 limit)
{
	__u32 min = p->saddr.family == MG_AF_INET6 ? MG_ASSIST_MIN_MTU_V6 : MG_ASSIST_MIN_MTU_V4;

	return p->df && p->first_fragment && limit >= min && p->l3_off == sizeof(struct ethhdr) &&
	       !is_multicast(&p->daddr) && !is_icmp_error(p) && from_the_pod(p, ifindex);
}

/* Whether a packet over @l is dropped without an ICMP error: a prefix
 * says so itself (the bridged uplink's), the others by their source. */
static __always_inline bool silent(const struct mg_limit *l)
{
	if (l->source == MG_LIMIT_ROUTE)
		return l->route_flags & MG_ROUTE_F_SILENT;
	return assist_silent_sources & (1U << l->source);
}

/* One answer per (Pod, destination) per assist_interval_ns. */
static __always_inline bool rate_allows(__u32 ifindex, const struct mg_addr *daddr)
{
	struct mg_assist_key key = { .ifindex = ifindex, .daddr = *daddr };
	__u64 now = bpf_ktime_get_ns(), *last = bpf_map_lookup_elem(&mg_assist_answers, &key);

	if (last && now - *last < assist_interval_ns)
		return false;
	bpf_map_update_elem(&mg_assist_answers, &key, &now, BPF_ANY);
	return true;
}

/*
 * The heavy parts are global functions: the verifier checks each once, on
 * its own, instead of once per path through the caller (which took it
 * seconds). A global function's pointer arguments may be NULL to it.
 */
__noinline int mg_assist_parse(struct __sk_buff *skb, struct mg_pkt *p)
{
	if (!skb || !p)
		return -1;
	return parse_skb(skb, p);
}

__noinline int mg_assist_clamp(struct __sk_buff *skb, const struct mg_pkt *p, __u32 limit)
{
	if (!skb || !p)
		return 0;
	return clamp_mss(skb, p, limit);
}

__noinline int mg_assist_reply(struct __sk_buff *skb, const struct mg_pkt *p, __u32 mtu)
{
	if (!skb || !p)
		return -1;
	return (int)(p->saddr.family == MG_AF_INET6 ? reply_v6(skb, p, mtu)
						    : reply_v4(skb, p, mtu));
}

/* The fast path: a packet within the smallest limit on the node is never
 * answered, so unless it is a SYN (or SYN-ACK) to clamp it passes after
 * one look at its headers (fast.bpf.h), as the observer's does. */
static __always_inline bool passes_at_once(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct mg_node_cfg *node = node_cfg();
	__u8 *flags, proto = 0;
	__u32 l3_off, l4_off;

	if (!node)
		return false;
	l3_off = fast_fits(data, data_end, node->fast_bound, false);
	if (!l3_off)
		return false;
	/* fast_fits took only IPv4 without options or IPv6 with TCP or UDP
	 * next: the L4 header is at a fixed place. */
	if (data + l3_off + sizeof(struct ipv6hdr) <= data_end &&
	    (*(__u8 *)(data + l3_off) >> 4) == 6) {
		proto = ((struct ipv6hdr *)(data + l3_off))->nexthdr;
		l4_off = l3_off + sizeof(struct ipv6hdr);
	} else if (data + l3_off + sizeof(struct iphdr) <= data_end) {
		struct iphdr *iph = data + l3_off;

		/* A later fragment has no TCP header to clamp. */
		proto = iph->frag_off & bpf_htons(MG_IP_OFFSET) ? 0 : iph->protocol;
		l4_off = l3_off + sizeof(struct iphdr);
	} else {
		return false;
	}
	if (proto != IPPROTO_TCP)
		return true;
	flags = data + l4_off + MG_TCP_FLAGS_OFF;
	if ((void *)(flags + 1) > data_end)
		return false;
	return !(*flags & MG_TCP_SYN);
}

/* The Pod veth's configuration, with the frame parsed into @p; NULL when
 * there is nothing to do: the fast path passed it, it is no Pod's, or it
 * does not parse. */
static __always_inline struct mg_iface_cfg *pod_frame(struct __sk_buff *skb, __u32 ifindex,
						      struct mg_pkt *p)
{
	struct mg_iface_cfg *cfg;

	if (passes_at_once(skb))
		return NULL;
	cfg = pod_cfg(ifindex);
	if (!cfg || mg_assist_parse(skb, p))
		return NULL;
	return cfg;
}

SEC("tc")
int mg_assist_in(struct __sk_buff *skb)
{
	__u32 ifindex = skb->ifindex;
	struct mg_assist_counts *counts;
	struct mg_iface_cfg *cfg;
	struct mg_pkt p = {};
	struct mg_limit limit;
	__u8 flags;

	cfg = pod_frame(skb, ifindex, &p);
	if (!cfg)
		return MG_TC_ACT_UNSPEC;
	limit = pod_limit_towards(cfg, &p.daddr);
	counts = assist_counts(cfg);
	flags = tcp_flags(skb, &p);
	if ((flags & (MG_TCP_SYN | MG_TCP_ACK)) == MG_TCP_SYN) {
		if (mg_assist_clamp(skb, &p, limit.mtu) && counts)
			counts->mss_clamped++;
		return MG_TC_ACT_UNSPEC;
	}
	/* A GSO packet is cut into segments after us; it is not answered
	 * (its segments' fate is the NIC's), only new connections' MSS. */
	if (!assist_answer || skb->gso_size || !limit.mtu || p.l3_len <= limit.mtu ||
	    !silent(&limit) || !may_answer(&p, ifindex, limit.mtu))
		return MG_TC_ACT_UNSPEC;
	if (!rate_allows(ifindex, &p.daddr)) {
		if (counts)
			counts->rate_limited++;
		return MG_TC_ACT_UNSPEC;
	}
	if (mg_assist_reply(skb, &p, limit.mtu)) {
		/* A helper refused half way: the frame may be cut already, and
		 * the packet was going to be lost; drop it rather than send
		 * on a mangled one. */
		return MG_TC_ACT_SHOT;
	}
	if (counts)
		counts->answered++;
	/* Out of the host end, into the Pod. */
	return bpf_redirect(ifindex, 0);
}

SEC("tc")
int mg_assist_out(struct __sk_buff *skb)
{
	__u32 ifindex = skb->ifindex;
	struct mg_assist_counts *counts;
	struct mg_iface_cfg *cfg;
	struct mg_pkt p = {};
	struct mg_limit limit;

	cfg = pod_frame(skb, ifindex, &p);
	if (!cfg)
		return MG_TC_ACT_UNSPEC;
	if ((tcp_flags(skb, &p) & (MG_TCP_SYN | MG_TCP_ACK)) != (MG_TCP_SYN | MG_TCP_ACK))
		return MG_TC_ACT_UNSPEC;
	/* The Pod's replies go back to the sender: that path's limit. */
	limit = pod_limit_towards(cfg, &p.saddr);
	counts = assist_counts(cfg);
	if (mg_assist_clamp(skb, &p, limit.mtu) && counts)
		counts->mss_clamped++;
	return MG_TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
