/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The fast path. Most packets are far below every limit on the node; such a
 * packet fits wherever it goes, so it needs neither its interface's
 * configuration nor its destination: it is counted in mg_fast_counts after
 * one look at its headers, and passed on. Only frames that the full check
 * (check.bpf.h) would count as "fits", with the same bytes, take it:
 *
 *   - Ethernet with at most one 802.1Q tag, IPv4 without options or IPv6 with TCP
 *     or UDP right after the fixed header, whose length field is within
 *     mg_node.fast_bound (and not 0: BIG TCP, jumbograms);
 *   - with an L4 header the full parser would accept (TCP doff >= 5, a
 *     whole UDP or ICMP header), or a later fragment (which has none);
 *   - no ICMP where the hook looks for ICMP too-big messages;
 *   - not GSO (a GSO skb is gso_segs packets, counted by the full path);
 *   - on an interface that owns its entry of mg_fast_counts.
 *
 * Anything else (oversize, VLAN, options, extension headers, malformed,
 * not IP) takes the full path, which decides and counts as before. The
 * differential test checks that the two never disagree.
 */
#ifndef MTUGUARD_FAST_BPF_H
#define MTUGUARD_FAST_BPF_H

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "maps.bpf.h"
#include "mtuguard.h"
#include "parse.bpf.h"

#define MG_ETH_HLEN 14
#define MG_IPV4_PLAIN 0x45 /* version 4, ihl 5: no options */

/* Whether the L4 header at @l4 is one the full parser accepts. */
static __always_inline bool fast_l4_ok(__u8 proto, void *l4, void *end, bool want_icmp)
{
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;

		return (void *)(th + 1) <= end && th->doff >= 5;
	}
	if (proto == IPPROTO_UDP)
		return l4 + sizeof(struct udphdr) <= end;
	if (proto == IPPROTO_ICMP)
		return !want_icmp && l4 + sizeof(struct icmphdr) <= end;
	return true;
}

/* Whether the IP packet of EtherType @proto at @l3 takes the fast path. */
static __always_inline bool fast_fits_l3(__be16 proto, void *l3, void *end, __u32 bound,
					 bool want_icmp)
{
	if (proto == bpf_htons(MG_ETH_P_IP)) {
		struct iphdr *iph = l3;
		__u32 len;

		if ((void *)(iph + 1) > end)
			return false;
		len = bpf_ntohs(iph->tot_len);
		if (*(__u8 *)iph != MG_IPV4_PLAIN || len < sizeof(*iph) || len > bound)
			return false;
		/* A later fragment carries no L4 header (parse_l4). */
		if (iph->frag_off & bpf_htons(MG_IP_OFFSET))
			return true;
		return fast_l4_ok(iph->protocol, iph + 1, end, want_icmp);
	}
	if (proto == bpf_htons(MG_ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = l3;
		__u32 payload;

		if ((void *)(ip6h + 1) > end)
			return false;
		payload = bpf_ntohs(ip6h->payload_len);
		if (!payload || payload + sizeof(*ip6h) > bound)
			return false;
		if (ip6h->nexthdr != IPPROTO_TCP && ip6h->nexthdr != IPPROTO_UDP)
			return false;
		return fast_l4_ok(ip6h->nexthdr, ip6h + 1, end, want_icmp);
	}
	return false;
}

/* Where the frame in [data, end) has its IP header when it takes the fast
 * path (see above): after the Ethernet header or one 802.1Q tag; 0 when
 * it does not. */
static __always_inline __u32 fast_fits(void *data, void *end, __u32 bound, bool want_icmp)
{
	struct ethhdr *eth = data;
	struct vlan_hdr *vh;

	if ((void *)(eth + 1) > end)
		return 0;
	if (eth->h_proto != bpf_htons(MG_ETH_P_8021Q))
		return fast_fits_l3(eth->h_proto, eth + 1, end, bound, want_icmp) ? MG_ETH_HLEN : 0;
	vh = (void *)(eth + 1);
	if ((void *)(vh + 1) > end)
		return 0;
	return fast_fits_l3(vh->h_vlan_encapsulated_proto, vh + 1, end, bound, want_icmp)
		       ? MG_ETH_HLEN + sizeof(*vh)
		       : 0;
}

/*
 * Counts the frame on the fast path and returns true, or returns false for
 * the full path. @wire_len is the frame's length; @skb is NULL for XDP
 * (whose frames are never GSO).
 */
static __always_inline bool mg_fast_path(void *data, void *data_end, __u32 ifindex, __u32 hook,
					 __u32 wire_len, struct __sk_buff *skb)
{
	struct mg_node_cfg *node = node_cfg();
	struct mg_fast_count *fc;
	__u32 spot, dir, l3_off;

	if (!node)
		return false;
	l3_off = fast_fits(data, data_end, node->fast_bound, hook != MG_HOOK_POD_INGRESS);
	/* gso_size is read last: it is in the skb's shared info, a load
	 * further away than the headers. */
	if (!l3_off || (skb && skb->gso_size))
		return false;
	spot = ifindex % MG_MAX_IFACES;
	fc = bpf_map_lookup_elem(&mg_fast_counts, &spot);
	if (!fc || fc->ifindex != ifindex)
		return false; /* its spot is another's: the full path counts it */
	dir = mg_hook_dir(hook);
	/* Per-CPU value: no other CPU writes it, a plain add is exact. */
	fc->packets[dir & 1] += 1;
	fc->bytes[dir & 1] += wire_len - l3_off;
	return true;
}

#endif /* MTUGUARD_FAST_BPF_H */
