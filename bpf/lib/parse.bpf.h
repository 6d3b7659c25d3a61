/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Packet parsing for mtuguard's hooks: Ethernet, up to two VLAN tags, IPv4
 * (with options) or IPv6 (with extension headers), and the L4 header fields
 * the checks need. Works on any [data, data_end) window, so TC and XDP
 * entry points share it.
 *
 * A cursor advances over the frame with one bounds check per header. Every
 * field whose size varies is validated before it is used (ihl >= 5,
 * doff >= 5, tot_len >= ihl * 4), and the loops over VLAN tags and IPv6
 * extension headers have named bounds. Helpers return 0 or a negative
 * enum mg_parse_err; only the entry point turns that into a counter.
 */
#ifndef MTUGUARD_PARSE_BPF_H
#define MTUGUARD_PARSE_BPF_H

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "mtuguard.h"

/* Constants that vmlinux.h does not carry (they are #defines in uapi). */
#define MG_ETH_P_IP 0x0800
#define MG_ETH_P_IPV6 0x86DD
#define MG_ETH_P_8021Q 0x8100
#define MG_ETH_P_8021AD 0x88A8
#define MG_AF_INET 2
#define MG_AF_INET6 10
#define MG_IP_DF 0x4000
#define MG_IP_OFFSET 0x1FFF
#define MG_IP6_FRAG_OFFSET 0xFFF8 /* frag_off bits of ipv6 fragment header */
#define MG_ICMP_DEST_UNREACH 3
#define MG_ICMP_FRAG_NEEDED 4
#define MG_ICMPV6_PKT_TOOBIG 2
/* IPv6 next-header values (#defines in uapi in6.h, so not in vmlinux.h) */
#define MG_IPPROTO_HOPOPTS 0
#define MG_IPPROTO_ROUTING 43
#define MG_IPPROTO_FRAGMENT 44
#define MG_IPPROTO_ICMPV6 58
#define MG_IPPROTO_DSTOPTS 60

/* 802.1ad outer tag plus 802.1Q inner tag: QinQ, as DESIGN.md allows. */
#define MG_MAX_VLAN_TAGS 2
/* Hop-by-hop, routing, fragment, destination options twice, AH: a chain
 * longer than this is not something a Pod sends; it is skipped, not misread. */
#define MG_MAX_IPV6_EXT_HDRS 6

enum mg_parse_err {
	MG_PARSE_OK = 0,
	MG_PARSE_NOT_IP = 1,	/* ARP, LLDP, ... */
	MG_PARSE_TRUNCATED = 2, /* a header runs past data_end */
	MG_PARSE_MALFORMED = 3, /* ihl < 5, doff < 5, tot_len < header */
	MG_PARSE_TOO_DEEP = 4,	/* more VLAN tags or extension headers than we follow */
};

struct mg_cursor {
	void *pos;
	void *end;
};

/* What the checks need to know about one packet. */
struct mg_pkt {
	struct mg_addr saddr;
	struct mg_addr daddr;
	__u32 l3_off;	     /* offset of the IP header in the frame */
	__u32 l3_len;	     /* IP header + payload, from the header (0: IPv6 jumbo / BIG TCP) */
	__u32 l3_hdr_len;    /* IP header incl. options or extension headers */
	__u32 l4_hdr_len;    /* TCP doff * 4, UDP 8, else 0 */
	__u16 sport;	     /* TCP/UDP port, ICMP type */
	__u16 dport;	     /* TCP/UDP port, ICMP code */
	__u8 proto;	     /* IPPROTO_* of the L4 header */
	__u8 df;	     /* IPv4 DF set, or IPv6 */
	__u8 icmp_too_big;   /* ICMP frag-needed or ICMPv6 packet too big */
	__u8 first_fragment; /* carries an L4 header (not a later fragment) */
	__u32 icmp_mtu;	     /* the MTU an ICMP too-big message announces */
};

/* Returns a pointer to @len bytes at the cursor and advances past them, or
 * NULL when the frame is shorter. The one bounds check every header passes. */
static __always_inline void *cursor_pull(struct mg_cursor *c, __u32 len)
{
	void *start = c->pos;

	if (start + len > c->end)
		return NULL;
	c->pos = start + len;
	return start;
}

/* Ethernet and up to MG_MAX_VLAN_TAGS tags; sets *proto to the inner
 * EtherType (network order). Tags the NIC or veth stripped into skb
 * metadata are not in the data and need no handling here. */
static __always_inline int parse_eth(struct mg_cursor *c, __be16 *proto)
{
	struct ethhdr *eth = cursor_pull(c, sizeof(*eth));
	__be16 type;
	int i;

	if (!eth)
		return -MG_PARSE_TRUNCATED;
	type = eth->h_proto;
#pragma unroll
	for (i = 0; i < MG_MAX_VLAN_TAGS; i++) {
		struct vlan_hdr *vh;

		if (type != bpf_htons(MG_ETH_P_8021Q) && type != bpf_htons(MG_ETH_P_8021AD))
			break;
		vh = cursor_pull(c, sizeof(*vh));
		if (!vh)
			return -MG_PARSE_TRUNCATED;
		type = vh->h_vlan_encapsulated_proto;
	}
	if (type == bpf_htons(MG_ETH_P_8021Q) || type == bpf_htons(MG_ETH_P_8021AD))
		return -MG_PARSE_TOO_DEEP;
	*proto = type;
	return 0;
}

static __always_inline int parse_ipv4(struct mg_cursor *c, struct mg_pkt *p)
{
	struct iphdr *iph = c->pos;
	__u32 hdr_len;

	if ((void *)(iph + 1) > c->end)
		return -MG_PARSE_TRUNCATED;
	/* ihl is 4 bits, so hdr_len is at most 60: a bound every verifier
	 * sees. Pulling the whole header from its start (rather than the
	 * options after the fixed part, a subtraction) keeps it that way on
	 * older kernels (6.1) too. */
	hdr_len = iph->ihl * 4;
	if (hdr_len < sizeof(*iph))
		return -MG_PARSE_MALFORMED;
	if (!cursor_pull(c, hdr_len))
		return -MG_PARSE_TRUNCATED;

	p->l3_len = bpf_ntohs(iph->tot_len);
	/* tot_len 0 is legal only for BIG TCP GSO packets; their length
	 * comes from gso_size. Anything else shorter than its header lies. */
	if (p->l3_len && p->l3_len < hdr_len)
		return -MG_PARSE_MALFORMED;
	p->l3_hdr_len = hdr_len;
	p->proto = iph->protocol;
	p->df = !!(iph->frag_off & bpf_htons(MG_IP_DF));
	p->first_fragment = !(iph->frag_off & bpf_htons(MG_IP_OFFSET));
	p->saddr.family = MG_AF_INET;
	p->daddr.family = MG_AF_INET;
	__builtin_memcpy(p->saddr.addr, &iph->saddr, 4);
	__builtin_memcpy(p->daddr.addr, &iph->daddr, 4);
	return 0;
}

static __always_inline int parse_ipv6(struct mg_cursor *c, struct mg_pkt *p)
{
	struct ipv6hdr *ip6h = cursor_pull(c, sizeof(*ip6h));
	__u8 next;
	int i;

	if (!ip6h)
		return -MG_PARSE_TRUNCATED;
	p->l3_len = bpf_ntohs(ip6h->payload_len);
	if (p->l3_len)
		p->l3_len += sizeof(*ip6h);
	p->df = 1; /* routers never fragment IPv6 */
	p->first_fragment = 1;
	p->saddr.family = MG_AF_INET6;
	p->daddr.family = MG_AF_INET6;
	__builtin_memcpy(p->saddr.addr, &ip6h->saddr, 16);
	__builtin_memcpy(p->daddr.addr, &ip6h->daddr, 16);

	next = ip6h->nexthdr;
#pragma unroll
	for (i = 0; i < MG_MAX_IPV6_EXT_HDRS; i++) {
		struct ipv6_opt_hdr *opt;
		struct frag_hdr *frag;

		switch (next) {
		case MG_IPPROTO_HOPOPTS:
		case MG_IPPROTO_ROUTING:
		case MG_IPPROTO_DSTOPTS:
			opt = cursor_pull(c, sizeof(*opt));
			if (!opt)
				return -MG_PARSE_TRUNCATED;
			/* hdrlen counts 8-octet units beyond the first 8 */
			if (!cursor_pull(c, (opt->hdrlen + 1) * 8 - sizeof(*opt)))
				return -MG_PARSE_TRUNCATED;
			next = opt->nexthdr;
			break;
		case IPPROTO_AH:
			opt = cursor_pull(c, sizeof(*opt));
			if (!opt)
				return -MG_PARSE_TRUNCATED;
			/* AH's payload length counts 4-octet units minus 2 */
			if (!cursor_pull(c, (opt->hdrlen + 2) * 4 - sizeof(*opt)))
				return -MG_PARSE_TRUNCATED;
			next = opt->nexthdr;
			break;
		case MG_IPPROTO_FRAGMENT:
			frag = cursor_pull(c, sizeof(*frag));
			if (!frag)
				return -MG_PARSE_TRUNCATED;
			if (frag->frag_off & bpf_htons(MG_IP6_FRAG_OFFSET))
				p->first_fragment = 0;
			next = frag->nexthdr;
			break;
		default:
			goto done;
		}
	}
	if (next == MG_IPPROTO_HOPOPTS || next == MG_IPPROTO_ROUTING ||
	    next == MG_IPPROTO_DSTOPTS || next == IPPROTO_AH || next == MG_IPPROTO_FRAGMENT)
		return -MG_PARSE_TOO_DEEP;
done:
	p->proto = next;
	p->l3_hdr_len = (__u32)(c->pos - (void *)ip6h);
	if (p->l3_len && p->l3_len < p->l3_hdr_len)
		return -MG_PARSE_MALFORMED;
	return 0;
}

/* The L4 fields: ports and TCP header length (for GSO segment sizes), and
 * the MTU an ICMP too-big message announces. */
static __always_inline int parse_l4(struct mg_cursor *c, struct mg_pkt *p)
{
	if (!p->first_fragment)
		return 0;

	switch (p->proto) {
	case IPPROTO_TCP: {
		struct tcphdr *th = cursor_pull(c, sizeof(*th));

		if (!th)
			return -MG_PARSE_TRUNCATED;
		if (th->doff < 5)
			return -MG_PARSE_MALFORMED;
		p->l4_hdr_len = th->doff * 4;
		p->sport = bpf_ntohs(th->source);
		p->dport = bpf_ntohs(th->dest);
		return 0;
	}
	case IPPROTO_UDP: {
		struct udphdr *uh = cursor_pull(c, sizeof(*uh));

		if (!uh)
			return -MG_PARSE_TRUNCATED;
		p->l4_hdr_len = sizeof(*uh);
		p->sport = bpf_ntohs(uh->source);
		p->dport = bpf_ntohs(uh->dest);
		return 0;
	}
	case IPPROTO_ICMP: {
		struct icmphdr *ih;

		/* ICMP belongs to IPv4; in an IPv6 packet it is just a number. */
		if (p->saddr.family != MG_AF_INET)
			return 0;
		ih = cursor_pull(c, sizeof(*ih));

		if (!ih)
			return -MG_PARSE_TRUNCATED;
		p->sport = ih->type;
		p->dport = ih->code;
		if (ih->type == MG_ICMP_DEST_UNREACH && ih->code == MG_ICMP_FRAG_NEEDED) {
			p->icmp_too_big = 1;
			p->icmp_mtu = bpf_ntohs(ih->un.frag.mtu);
		}
		return 0;
	}
	case MG_IPPROTO_ICMPV6: {
		struct icmp6hdr *ih;

		if (p->saddr.family != MG_AF_INET6)
			return 0;
		ih = cursor_pull(c, sizeof(*ih));

		if (!ih)
			return -MG_PARSE_TRUNCATED;
		p->sport = ih->icmp6_type;
		p->dport = ih->icmp6_code;
		if (ih->icmp6_type == MG_ICMPV6_PKT_TOOBIG) {
			p->icmp_too_big = 1;
			p->icmp_mtu = bpf_ntohl(ih->icmp6_dataun.un_data32[0]);
		}
		return 0;
	}
	default:
		return 0;
	}
}

/* Parses one frame in [data, data_end) into @p. */
static __always_inline int parse_frame(void *data, void *data_end, struct mg_pkt *p)
{
	struct mg_cursor c = { .pos = data, .end = data_end };
	__be16 proto;
	int err;

	err = parse_eth(&c, &proto);
	if (err)
		return err;
	p->l3_off = (__u32)(c.pos - data);
	if (proto == bpf_htons(MG_ETH_P_IP))
		err = parse_ipv4(&c, p);
	else if (proto == bpf_htons(MG_ETH_P_IPV6))
		err = parse_ipv6(&c, p);
	else
		return -MG_PARSE_NOT_IP;
	if (err)
		return err;
	return parse_l4(&c, p);
}

#endif /* MTUGUARD_PARSE_BPF_H */
