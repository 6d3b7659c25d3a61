/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Crafted frames for the BPF program tests, all built here: Ethernet, up to
 * two VLAN tags, IPv4 (options, DF, a lying ihl) or IPv6 (extension
 * headers), TCP/UDP/ICMP/ICMPv6 and padding up to the L3 length asked for.
 * A spec says what the frame is; build_frame() writes it.
 */
#ifndef MTUGUARD_TESTS_FRAMES_H
#define MTUGUARD_TESTS_FRAMES_H

#include <arpa/inet.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define FRAME_MAX 4096
#define ETH_P_8021Q_ 0x8100
#define ETH_P_8021AD_ 0x88A8

enum frame_family {
	FRAME_ARP = 0, /* not IP */
	FRAME_IPV4 = 4,
	FRAME_IPV6 = 6,
};

struct frame_spec {
	enum frame_family family;
	unsigned int l3_len; /* IP header + payload, as declared and built */
	bool df;
	unsigned int vlan_tags;	    /* 1: 802.1Q; 2 or more: 802.1ad then 802.1Q */
	unsigned int ip_opts_len;   /* IPv4 options, a multiple of 4 */
	unsigned int ihl_override;  /* write this ihl instead of the true one */
	unsigned int ipv6_ext_hdrs; /* destination-options headers, 8 bytes each */
	unsigned int proto;	    /* IPPROTO_TCP (default when 0), UDP, ICMP, ICMPV6 */
	unsigned int tcp_doff;	    /* default 5 */
	unsigned int icmp_type, icmp_code, icmp_mtu;
	const char *src, *dst;	  /* default 10.0.0.10 -> 10.0.0.99, or fd00::10 -> fd00::99 */
	unsigned int truncate_to; /* cut the frame to this many bytes (0: whole) */
};

static inline void put16(uint8_t *p, uint16_t v)
{
	v = htons(v);
	memcpy(p, &v, 2);
}

static inline unsigned int build_l4(const struct frame_spec *s, uint8_t *p, unsigned int room)
{
	unsigned int proto = s->proto ? s->proto : IPPROTO_TCP;

	if (proto == IPPROTO_TCP && room >= sizeof(struct tcphdr)) {
		struct tcphdr *th = (struct tcphdr *)p;

		th->source = htons(40000);
		th->dest = htons(80);
		th->doff = s->tcp_doff ? s->tcp_doff : 5;
		th->ack = 1;
		return th->doff * 4;
	}
	if (proto == IPPROTO_UDP && room >= sizeof(struct udphdr)) {
		struct udphdr *uh = (struct udphdr *)p;

		uh->source = htons(5353);
		uh->dest = htons(53);
		uh->len = htons((uint16_t)room);
		return sizeof(*uh);
	}
	if (proto == IPPROTO_ICMP && room >= 8) {
		struct icmphdr *ih = (struct icmphdr *)p;

		ih->type = (uint8_t)s->icmp_type;
		ih->code = (uint8_t)s->icmp_code;
		ih->un.frag.mtu = htons((uint16_t)s->icmp_mtu);
		return 8;
	}
	if (proto == IPPROTO_ICMPV6 && room >= 8) {
		struct icmp6hdr *ih = (struct icmp6hdr *)p;

		ih->icmp6_type = (uint8_t)s->icmp_type;
		ih->icmp6_code = (uint8_t)s->icmp_code;
		ih->icmp6_dataun.un_data32[0] = htonl(s->icmp_mtu);
		return 8;
	}
	return 0;
}

static inline unsigned int build_ipv4(const struct frame_spec *s, uint8_t *p)
{
	struct iphdr *iph = (struct iphdr *)p;
	unsigned int hdr = 20 + s->ip_opts_len;

	iph->version = 4;
	iph->ihl = s->ihl_override ? s->ihl_override : hdr / 4;
	iph->tot_len = htons((uint16_t)s->l3_len);
	iph->frag_off = s->df ? htons(0x4000) : 0;
	iph->ttl = 64;
	iph->protocol = (uint8_t)(s->proto ? s->proto : IPPROTO_TCP);
	inet_pton(AF_INET, s->src ? s->src : "10.0.0.10", &iph->saddr);
	inet_pton(AF_INET, s->dst ? s->dst : "10.0.0.99", &iph->daddr);
	memset(p + 20, 1, s->ip_opts_len); /* NOP options */
	build_l4(s, p + hdr, s->l3_len > hdr ? s->l3_len - hdr : 0);
	return s->l3_len;
}

static inline unsigned int build_ipv6(const struct frame_spec *s, uint8_t *p)
{
	struct ipv6hdr *ip6h = (struct ipv6hdr *)p;
	unsigned int proto = s->proto ? s->proto : IPPROTO_TCP;
	unsigned int off = sizeof(*ip6h), i;

	ip6h->version = 6;
	ip6h->payload_len = htons((uint16_t)(s->l3_len - sizeof(*ip6h)));
	ip6h->nexthdr = (uint8_t)(s->ipv6_ext_hdrs ? IPPROTO_DSTOPTS : proto);
	ip6h->hop_limit = 64;
	inet_pton(AF_INET6, s->src ? s->src : "fd00::10", &ip6h->saddr);
	inet_pton(AF_INET6, s->dst ? s->dst : "fd00::99", &ip6h->daddr);
	for (i = 0; i < s->ipv6_ext_hdrs; i++, off += 8) {
		p[off] = (uint8_t)(i + 1 < s->ipv6_ext_hdrs ? IPPROTO_DSTOPTS : proto);
		p[off + 1] = 0; /* 8 bytes: hdrlen 0 */
		p[off + 2] = 1; /* PadN over the rest */
		p[off + 3] = 4;
	}
	build_l4(s, p + off, s->l3_len > off ? s->l3_len - off : 0);
	return s->l3_len;
}

/* Writes the frame into buf (FRAME_MAX bytes); returns its length. */
static inline unsigned int build_frame(const struct frame_spec *s, uint8_t *buf)
{
	static const uint8_t dmac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	static const uint8_t smac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	unsigned int off = 12, len, i;
	uint16_t inner;

	memset(buf, 0, FRAME_MAX);
	memcpy(buf, dmac, 6);
	memcpy(buf + 6, smac, 6);
	inner = s->family == FRAME_IPV4	  ? ETH_P_IP
		: s->family == FRAME_IPV6 ? ETH_P_IPV6
					  : ETH_P_ARP;
	for (i = 0; i < s->vlan_tags; i++) {
		put16(buf + off, i == 0 && s->vlan_tags >= 2 ? ETH_P_8021AD_ : ETH_P_8021Q_);
		put16(buf + off + 2, (uint16_t)(100 + i)); /* VLAN id */
		off += 4;
	}
	put16(buf + off, inner);
	off += 2;
	if (s->family == FRAME_IPV4)
		len = off + build_ipv4(s, buf + off);
	else if (s->family == FRAME_IPV6)
		len = off + build_ipv6(s, buf + off);
	else
		len = off + 28; /* an ARP request's size */
	if (len < 60)
		len = 60; /* Ethernet minimum; the IP length says what is real */
	if (s->truncate_to && s->truncate_to < len)
		len = s->truncate_to;
	return len;
}

#endif
