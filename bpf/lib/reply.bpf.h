/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Turning a Pod's oversize packet, in place, into the ICMP "fragmentation
 * needed" (IPv4) or ICMPv6 "packet too big" a router would have sent it,
 * as the kernel does for bridged tunnels (iptunnel_pmtud_build_icmp{,v6}):
 * the frame is cut to the quote, room for the new IP and ICMP headers is
 * made after the Ethernet header, and the headers are written with the
 * addresses (MAC and IP) swapped. Every checksum is computed here; the
 * caller sends the frame back into the Pod.
 *
 * The quote is as long as it may be (MG_ASSIST_QUOTE_*): the original IP
 * header and the start of its payload, which holds the L4 header the
 * receiver matches its socket with. An oversize packet is always longer
 * than that (its limit is at least 552, or 1280), so the lengths are
 * constants the verifier sees.
 */
#ifndef MTUGUARD_REPLY_BPF_H
#define MTUGUARD_REPLY_BPF_H

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "mtuguard.h"
#include "parse.bpf.h"

#define MG_ETH_ALEN 6
#define MG_IPPROTO_ICMP 1
#define MG_ICMP_HDR_LEN 8
#define MG_IPV4_HDR_LEN 20
#define MG_IPV6_HDR_LEN 40
#define MG_REPLY_TTL 255 /* what a receiver with IP_MINTTL still takes */
#define MG_BPF_ADJ_ROOM_MAC 1

/* The 16-bit one's complement of a 32-bit partial sum (bpf_csum_diff's). */
static __always_inline __u16 csum_fold(__s64 sum)
{
	__u32 s = (__u32)sum;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/* Swaps the MAC addresses of the Ethernet header at @data. */
static __always_inline void swap_macs(void *data)
{
	struct ethhdr *eth = data;
	__u8 tmp[MG_ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_dest, MG_ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, MG_ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmp, MG_ETH_ALEN);
}

/* Cuts the frame (Ethernet + IP packet, no VLAN tag) to Ethernet + @quote
 * bytes of the packet, makes @room bytes before them, makes @total bytes
 * linear and swaps the MACs. The frame's start, or NULL when a helper
 * refused or the pull gave less than asked. */
static __always_inline void *reshape(struct __sk_buff *skb, __u32 quote, __u32 room, __u32 total)
{
	void *data, *end;

	if (bpf_skb_change_tail(skb, sizeof(struct ethhdr) + quote, 0) ||
	    bpf_skb_adjust_room(skb, (__s32)room, MG_BPF_ADJ_ROOM_MAC, 0) ||
	    bpf_skb_pull_data(skb, total))
		return NULL;
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	if (data + total > end)
		return NULL;
	swap_macs(data);
	return data;
}

/* The IPv4 reply: 14 + 20 + 8 + 548 bytes. */
static __always_inline long reply_v4(struct __sk_buff *skb, const struct mg_pkt *p, __u32 mtu)
{
	const __u32 total =
		sizeof(struct ethhdr) + MG_IPV4_HDR_LEN + MG_ICMP_HDR_LEN + MG_ASSIST_QUOTE_V4;
	struct icmphdr *icmp;
	struct iphdr *iph;
	void *data;
	__s64 sum;

	data = reshape(skb, MG_ASSIST_QUOTE_V4, MG_IPV4_HDR_LEN + MG_ICMP_HDR_LEN, total);
	if (!data)
		return -1;
	iph = data + sizeof(struct ethhdr);
	iph->version = 4;
	iph->ihl = 5;
	iph->tos = 0xc0; /* internetwork control, as the kernel's ICMP */
	iph->tot_len = bpf_htons(total - sizeof(struct ethhdr));
	iph->id = 0;
	iph->frag_off = 0;
	iph->ttl = MG_REPLY_TTL;
	iph->protocol = MG_IPPROTO_ICMP;
	iph->check = 0;
	/* From where the packet was going, to the Pod that sent it. */
	__builtin_memcpy(&iph->saddr, p->daddr.addr, 4);
	__builtin_memcpy(&iph->daddr, p->saddr.addr, 4);
	iph->check = csum_fold(bpf_csum_diff(NULL, 0, (void *)iph, MG_IPV4_HDR_LEN, 0));

	icmp = (void *)(iph + 1);
	icmp->type = MG_ICMP_DEST_UNREACH;
	icmp->code = MG_ICMP_FRAG_NEEDED;
	icmp->checksum = 0;
	icmp->un.frag.__unused = 0;
	icmp->un.frag.mtu = bpf_htons((__u16)mtu);
	/* 8 + 548 bytes: bpf_csum_diff takes at most 512 at a time. */
	sum = bpf_csum_diff(NULL, 0, (void *)icmp, 512, 0);
	sum = bpf_csum_diff(NULL, 0, (void *)icmp + 512, MG_ICMP_HDR_LEN + MG_ASSIST_QUOTE_V4 - 512,
			    sum);
	icmp->checksum = csum_fold(sum);
	return 0;
}

/* The IPv6 pseudo-header an ICMPv6 checksum covers (RFC 8200 8.1). */
struct mg_ipv6_pseudo {
	__u8 saddr[16];
	__u8 daddr[16];
	__be32 len;
	__be32 nexthdr;
};

/* The IPv6 reply: 14 + 40 + 8 + 1232 bytes. */
static __always_inline long reply_v6(struct __sk_buff *skb, const struct mg_pkt *p, __u32 mtu)
{
	const __u32 payload = MG_ICMP_HDR_LEN + MG_ASSIST_QUOTE_V6;
	const __u32 total = sizeof(struct ethhdr) + MG_IPV6_HDR_LEN + payload;
	struct mg_ipv6_pseudo ph = {};
	struct icmp6hdr *icmp;
	struct ipv6hdr *ip6h;
	void *data;
	__s64 sum;

	data = reshape(skb, MG_ASSIST_QUOTE_V6, MG_IPV6_HDR_LEN + MG_ICMP_HDR_LEN, total);
	if (!data)
		return -1;
	ip6h = data + sizeof(struct ethhdr);
	ip6h->version = 6;
	ip6h->priority = 0;
	ip6h->flow_lbl[0] = 0;
	ip6h->flow_lbl[1] = 0;
	ip6h->flow_lbl[2] = 0;
	ip6h->payload_len = bpf_htons(payload);
	ip6h->nexthdr = MG_IPPROTO_ICMPV6;
	ip6h->hop_limit = MG_REPLY_TTL;
	__builtin_memcpy(&ip6h->saddr, p->daddr.addr, 16);
	__builtin_memcpy(&ip6h->daddr, p->saddr.addr, 16);

	icmp = (void *)(ip6h + 1);
	icmp->icmp6_type = MG_ICMPV6_PKT_TOOBIG;
	icmp->icmp6_code = 0;
	icmp->icmp6_cksum = 0;
	icmp->icmp6_dataun.un_data32[0] = bpf_htonl(mtu);

	__builtin_memcpy(ph.saddr, p->daddr.addr, 16);
	__builtin_memcpy(ph.daddr, p->saddr.addr, 16);
	ph.len = bpf_htonl(payload);
	ph.nexthdr = bpf_htonl(MG_IPPROTO_ICMPV6);
	sum = bpf_csum_diff(NULL, 0, (__be32 *)&ph, sizeof(ph), 0);
	/* 8 + 1232 bytes, at most 512 at a time. */
	sum = bpf_csum_diff(NULL, 0, (void *)icmp, 512, sum);
	sum = bpf_csum_diff(NULL, 0, (void *)icmp + 512, 512, sum);
	sum = bpf_csum_diff(NULL, 0, (void *)icmp + 1024, payload - 1024, sum);
	icmp->icmp6_cksum = csum_fold(sum);
	return 0;
}

#endif /* MTUGUARD_REPLY_BPF_H */
