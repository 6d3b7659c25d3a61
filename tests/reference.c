// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The reference model (reference.h). Each rule cites the specification it
 * comes from; where the specification leaves a choice, the choice is noted.
 */
#include "reference.h"

#include <string.h>

#define SKIP ((struct ref_verdict){ .class = MG_CLASS_SKIPPED })

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* What the parse found. */
struct packet {
	int v6;
	size_t l3_off;
	uint32_t l3_len; /* from the header; 0 for IPv6 payload length 0 */
	uint32_t l3_hdr; /* IP header with options / extension headers */
	uint32_t l4_hdr; /* TCP data offset, or UDP's 8; 0 otherwise */
	int df;
	int too_big_icmp;
	uint32_t icmp_mtu;
	const uint8_t *src, *dst;
	int first_fragment;
	uint8_t proto;	   /* the L4 protocol */
	int icmp_type;	   /* ICMP (IPv4) or ICMPv6 (IPv6) type; -1: none */
	uint8_t tcp_flags; /* TCP: its flags byte */
};

/* 0 when @p was filled, -1 when the frame is to be skipped: not IP, cut
 * short, malformed, more VLAN tags or extension headers than specified. */
static int parse(const uint8_t *f, size_t len, struct packet *p)
{
	size_t off = 14, tags = 0;
	uint16_t type;
	uint8_t next;
	int first_fragment = 1;

	if (len < 14)
		return -1;
	type = be16(f + 12);
	/* Up to two tags, 802.1Q (0x8100) or 802.1ad (0x88a8), in any order. */
	while (type == 0x8100 || type == 0x88a8) {
		if (++tags > 2 || len < off + 4)
			return -1;
		type = be16(f + off + 2);
		off += 4;
	}
	p->l3_off = off;
	if (type == 0x0800) {
		const uint8_t *ip = f + off;
		uint32_t ihl;

		if (len < off + 20)
			return -1;
		ihl = (uint32_t)(ip[0] & 0x0f) * 4;
		if (ihl < 20 || len < off + ihl) /* ihl >= 5, options present */
			return -1;
		p->l3_len = be16(ip + 2);
		if (p->l3_len && p->l3_len < ihl) /* 0 only for BIG TCP */
			return -1;
		p->l3_hdr = ihl;
		p->df = (be16(ip + 6) & 0x4000) != 0;
		first_fragment = (be16(ip + 6) & 0x1fff) == 0;
		next = ip[9];
		p->src = ip + 12;
		p->dst = ip + 16;
		off += ihl;
	} else if (type == 0x86dd) {
		const uint8_t *ip = f + off;
		int n;

		if (len < off + 40)
			return -1;
		p->v6 = 1;
		p->df = 1; /* IPv6 is never fragmented on the way */
		p->l3_len = be16(ip + 4) ? be16(ip + 4) + 40u : 0;
		p->src = ip + 8;
		p->dst = ip + 24;
		next = ip[6];
		off += 40;
		/* At most 6 extension headers: hop-by-hop, routing, fragment,
		 * destination options, AH. */
		for (n = 0;; n++) {
			size_t ext;

			if (next != 0 && next != 43 && next != 60 && next != 51 && next != 44)
				break;
			if (n == 6 || len < off + 2)
				return -1;
			if (next == 44) {
				if (len < off + 8)
					return -1;
				if (be16(f + off + 2) & 0xfff8)
					first_fragment = 0;
				ext = 8;
			} else if (next == 51) {
				ext = ((size_t)f[off + 1] + 2) * 4;
			} else {
				ext = ((size_t)f[off + 1] + 1) * 8;
			}
			if (len < off + ext)
				return -1;
			next = f[off];
			off += ext;
		}
		p->l3_hdr = (uint32_t)(off - p->l3_off);
		if (p->l3_len && p->l3_len < p->l3_hdr)
			return -1;
	} else {
		return -1;
	}
	p->first_fragment = first_fragment;
	p->proto = next;
	p->icmp_type = -1;
	if (!first_fragment)
		return 0; /* no L4 header in a later fragment */
	/* The L4 header of the IP version it belongs to: ICMP in IPv4,
	 * ICMPv6 in IPv6. */
	switch (next) {
	case 6: /* TCP: 20 bytes, data offset >= 5 words */
		if (len < off + 20 || (f[off + 12] >> 4) < 5)
			return -1;
		p->l4_hdr = (uint32_t)(f[off + 12] >> 4) * 4;
		p->tcp_flags = f[off + 13];
		break;
	case 17: /* UDP */
		if (len < off + 8)
			return -1;
		p->l4_hdr = 8;
		break;
	case 1: /* ICMP: type 3 code 4 is "fragmentation needed" */
		if (p->v6)
			break;
		if (len < off + 8)
			return -1;
		p->icmp_type = f[off];
		if (f[off] == 3 && f[off + 1] == 4) {
			p->too_big_icmp = 1;
			p->icmp_mtu = be16(f + off + 6);
		}
		break;
	case 58: /* ICMPv6: type 2 is "packet too big" */
		if (!p->v6)
			break;
		if (len < off + 8)
			return -1;
		p->icmp_type = f[off];
		if (f[off] == 2) {
			p->too_big_icmp = 1;
			p->icmp_mtu = be32(f + off + 4);
		}
		break;
	}
	return 0;
}

/* One segment of a GSO packet is IP header + L4 header + gso_size; a
 * packet holding less than a segment is its own size. */
static uint32_t judged_len(const struct packet *p, uint32_t gso_size)
{
	uint32_t seg = p->l3_hdr + p->l4_hdr + gso_size;

	if (!gso_size)
		return p->l3_len;
	return p->l3_len && p->l3_len < seg ? p->l3_len : seg;
}

static int is(const uint8_t *a, const uint8_t *b, size_t n)
{
	return !memcmp(a, b, n);
}

/* Whether the first @bits bits of @a and @b agree, bit by bit. */
static int same_bits(const uint8_t *a, const uint8_t *b, uint32_t bits)
{
	uint32_t i;

	for (i = 0; i < bits; i++) {
		uint8_t mask = (uint8_t)(0x80 >> (i % 8));

		if ((a[i / 8] & mask) != (b[i / 8] & mask))
			return 0;
	}
	return 1;
}

/* The limit of the longest prefix of the destination's family that holds
 * it; 0 when none does. */
static const struct ref_route *route_of(const struct ref_config *cfg, const struct packet *p)
{
	const struct ref_route *best = NULL;
	size_t i;

	for (i = 0; i < cfg->n_routes; i++) {
		const struct ref_route *r = &cfg->routes[i];

		if (r->v6 == p->v6 && same_bits(r->addr, p->dst, r->len) &&
		    (!best || r->len > best->len))
			best = r;
	}
	return best;
}

static uint32_t route_limit(const struct ref_config *cfg, const struct packet *p)
{
	uint32_t best_len = 0, mtu = 0;
	int found = 0;
	size_t i;

	for (i = 0; i < cfg->n_routes; i++) {
		const struct ref_route *r = &cfg->routes[i];

		if (r->v6 != p->v6 || !same_bits(r->addr, p->dst, r->len))
			continue;
		if (!found || r->len > best_len) {
			found = 1;
			best_len = r->len;
			mtu = r->mtu;
		}
	}
	return mtu;
}

struct ref_verdict reference_judge(const struct ref_config *cfg, const uint8_t *frame, size_t len,
				   uint32_t wire_len, uint32_t gso_size)
{
	struct ref_verdict v = { .class = MG_CLASS_FITS };
	struct packet p = { 0 };
	int to_pod, to_node;
	uint32_t limit = 0, n;

	if (parse(frame, len, &p))
		return SKIP;
	n = judged_len(&p, gso_size);
	to_pod = p.v6 ? is(p.dst, cfg->pod_v6, 16) : is(p.dst, cfg->pod_v4, 4);
	to_node = !p.v6 && is(p.dst, cfg->node_v4, 4);
	v.pod_ifindex = cfg->ifindex;

	switch (cfg->hook) {
	case MG_HOOK_POD_INGRESS:
		/* A local Pod's MTU, the node's own address no limit, else the
		 * destination prefix's limit, else the path. */
		if (to_pod)
			limit = cfg->local_pod_mtu;
		else if (!to_node)
			limit = route_limit(cfg, &p) ? route_limit(cfg, &p) : cfg->path_mtu;
		break;
	case MG_HOOK_POD_EGRESS:
		limit = cfg->pod_mtu;
		break;
	case MG_HOOK_UPLINK_INGRESS:
		/* Only frames for a local Pod are checked, against its MTU. */
		limit = to_pod ? cfg->local_pod_mtu : 0;
		v.pod_ifindex = to_pod ? cfg->local_pod_ifindex : 0;
		break;
	}
	v.len = n;
	v.limit = limit;
	if (limit && n > limit)
		v.class = p.df ? MG_CLASS_TOO_BIG : MG_CLASS_TOO_BIG_FRAGMENTABLE;
	/* ICMP too-big for the Pod, on its egress or for it on the uplink. */
	if (p.too_big_icmp &&
	    (cfg->hook == MG_HOOK_POD_EGRESS || (cfg->hook == MG_HOOK_UPLINK_INGRESS && to_pod))) {
		v.class = MG_CLASS_ICMP_TOO_BIG;
		v.limit = p.icmp_mtu;
	}
	v.bytes = wire_len > p.l3_off ? wire_len - p.l3_off : 0;
	return v;
}

/* ICMP errors are never answered (RFC 1122 3.2.2, RFC 4443 2.4). */
static int icmp_error(const struct packet *p)
{
	if (p->icmp_type < 0)
		return 0;
	if (p->v6)
		return p->proto == 58 && p->icmp_type < 128;
	return p->proto == 1 && (p->icmp_type == 3 || p->icmp_type == 4 || p->icmp_type == 5 ||
				 p->icmp_type == 11 || p->icmp_type == 12);
}

struct ref_assist reference_assist(const struct ref_config *cfg, const uint8_t *frame, size_t len,
				   uint32_t gso_size)
{
	struct ref_assist a = { 0 };
	const struct ref_route *route;
	struct packet p = { 0 };
	uint32_t limit, source, silent;

	/* What a Pod sends, parsed as the observer parses it; a SYN is only
	 * ever clamped; a GSO packet is cut after us. */
	if (cfg->hook != MG_HOOK_POD_INGRESS || parse(frame, len, &p) || gso_size)
		return a;
	if (p.proto == 6 && p.first_fragment && (p.tcp_flags & 0x12) == 0x02)
		return a;
	/* The limit the observer judges by, and whether it is a switched
	 * device's (silent) or a router's. */
	route = route_of(cfg, &p);
	if (p.v6 ? is(p.dst, cfg->pod_v6, 16) : is(p.dst, cfg->pod_v4, 4)) {
		limit = cfg->local_pod_mtu;
		source = MG_LIMIT_LOCAL_POD;
	} else if (!p.v6 && is(p.dst, cfg->node_v4, 4)) {
		return a;
	} else if (route) {
		limit = route->mtu;
		source = MG_LIMIT_ROUTE;
	} else {
		limit = cfg->path_mtu;
		source = MG_LIMIT_PATH_MTU;
	}
	silent = source == MG_LIMIT_ROUTE ? (uint32_t)route->silent : cfg->silent & (1u << source);
	/* Over it, with DF (IPv6 always), a first fragment, without VLAN tags,
	 * unicast, from the Pod itself, not an ICMP error, and an MTU a
	 * receiver takes. */
	if (!limit || p.l3_len <= limit || !silent || !p.df || !p.first_fragment || p.l3_off != 14)
		return a;
	if (p.v6 ? p.dst[0] == 0xff : p.dst[0] >= 224)
		return a;
	if (!(p.v6 ? is(p.src, cfg->self_v6, 16) : is(p.src, cfg->self_v4, 4)))
		return a;
	if (icmp_error(&p) || limit < (p.v6 ? 1280u : 552u))
		return a;
	a.answer = 1;
	a.mtu = limit;
	return a;
}
