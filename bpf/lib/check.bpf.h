/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The checks shared by every hook: find the limit a packet must fit, decide
 * its class, count it exactly, and sample offending packets to the ring
 * buffer with a per-flow rate limit. Entry points (mtuguard.bpf.c) parse,
 * call mg_observe() and always pass the packet on.
 */
#ifndef MTUGUARD_CHECK_BPF_H
#define MTUGUARD_CHECK_BPF_H

#include <bpf/bpf_helpers.h>

#include "maps.bpf.h"
#include "mtuguard.h"
#include "parse.bpf.h"

/* Set by userspace between open and load. */
const volatile __u64 sample_interval_ns = 1000000000ULL;

/* The verdict of a check: the class, and for offending packets, what the
 * packet was compared with and which Pod it concerns. */
struct mg_verdict {
	__u32 class; /* enum mg_class */
	__u32 len;   /* bytes compared: the packet, or one GSO segment */
	__u32 limit;
	__u32 limit_source; /* enum mg_limit_source */
	__u32 limit_id;	    /* MG_LIMIT_ROUTE: which route */
	__u32 pod_ifindex;
	__u32 pod_mtu; /* that Pod's MTU now (mg_event.pod_mtu) */
};

static __always_inline void stat_inc(__u32 stat)
{
	__u64 *v = bpf_map_lookup_elem(&mg_stats, &stat);

	if (v)
		*v += 1;
}

/* Counts @packets wire packets (a GSO skb's segments) of @bytes L3 bytes. */
static __always_inline void count(const struct mg_iface_cfg *cfg, __u32 hook, __u32 class,
				  __u32 packets, __u64 bytes)
{
	__u32 index = mg_counter_index(cfg->slot, hook);
	struct mg_counters *c = bpf_map_lookup_elem(&mg_counters, &index);

	if (!c || class >= MG_CLASS_MAX)
		return;
	/* Per-CPU value: no other CPU writes it, a plain add is exact. */
	c->packets[class] += packets;
	c->bytes[class] += bytes;
}

/* @ifindex's configuration: from its spot when it holds it (most of the
 * time), else from the hash (see mg_iface_spots). */
static __always_inline struct mg_iface_cfg *iface_cfg(__u32 ifindex)
{
	__u32 spot = ifindex % MG_MAX_IFACES;
	struct mg_iface_spot *s = bpf_map_lookup_elem(&mg_iface_spots, &spot);

	if (s && s->ifindex == ifindex)
		return &s->cfg;
	return bpf_map_lookup_elem(&mg_ifaces, &ifindex);
}

/* Whether @len fits every local Pod, so that looking up a local
 * destination cannot change the verdict (see mg_node_cfg). */
static __always_inline bool fits_every_pod(__u32 len)
{
	struct mg_node_cfg *node = node_cfg();

	return node && len <= node->pod_mtu_min;
}

/* The limit of the prefix @daddr falls in, or NULL: the longest prefix of
 * its family in mg_routes. */
static __always_inline struct mg_route *route_of(const struct mg_addr *daddr)
{
	struct mg_route_key key = { .family = daddr->family };

	key.prefixlen = MG_ROUTE_FAMILY_BITS + (daddr->family == MG_AF_INET6 ? 128 : 32);
	__builtin_memcpy(key.addr, daddr->addr, sizeof(key.addr));
	return bpf_map_lookup_elem(&mg_routes, &key);
}

/* The size that decides whether a packet fits: the packet's L3 length, or
 * for a GSO packet the largest segment it will be cut into (IP header +
 * L4 header + gso_size), which is what the kernel checks against the MTU
 * of a real link. */
static __always_inline __u32 checked_len(const struct mg_pkt *p, __u32 gso_size)
{
	__u32 seg;

	if (!gso_size)
		return p->l3_len;
	seg = p->l3_hdr_len + p->l4_hdr_len + gso_size;
	/* A GSO packet holding less than one full segment is that size. */
	if (p->l3_len && p->l3_len < seg)
		return p->l3_len;
	return seg;
}

/* The L3 bytes @segs packets take on the wire: the skb's, plus the IP and
 * L4 headers every segment after the first repeats. */
static __always_inline __u64 wire_l3_bytes(const struct mg_pkt *p, __u32 wire_len, __u32 segs)
{
	__u64 bytes = wire_len > p->l3_off ? wire_len - p->l3_off : 0;

	if (segs > 1)
		bytes += (__u64)(segs - 1) * (p->l3_hdr_len + p->l4_hdr_len);
	return bytes;
}

static __always_inline __u32 oversize_class(const struct mg_pkt *p)
{
	return p->df ? MG_CLASS_TOO_BIG : MG_CLASS_TOO_BIG_FRAGMENTABLE;
}

/* Compares @len with @limit (0: no limit) and fills the verdict. */
static __always_inline void judge(struct mg_verdict *v, const struct mg_pkt *p, __u32 len,
				  __u32 limit, __u32 source, __u32 pod_ifindex)
{
	v->len = len;
	v->limit = limit;
	v->limit_source = source;
	v->pod_ifindex = pod_ifindex;
	v->class = (limit && len > limit) ? oversize_class(p) : MG_CLASS_FITS;
}

/* The limit a Pod's packet to @daddr must fit, and where it comes from. */
struct mg_limit {
	__u32 mtu;	   /* 0: none */
	__u32 source;	   /* enum mg_limit_source */
	__u32 id;	   /* MG_LIMIT_ROUTE: which route */
	__u32 route_flags; /* MG_LIMIT_ROUTE: its MG_ROUTE_F_* */
};

/* What a Pod (configured as @cfg) sending to @daddr must fit: the Pod it
 * is addressed to, nothing for the node itself, else the destination's
 * prefix, else the path off the node. The observer judges by it, and the
 * assist (assist.bpf.c) answers and clamps by the same. */
static __always_inline struct mg_limit pod_limit_towards(const struct mg_iface_cfg *cfg,
							 const struct mg_addr *daddr)
{
	struct mg_local_dst *dst = bpf_map_lookup_elem(&mg_local_dsts, daddr);
	struct mg_limit l = {};
	struct mg_route *route;

	if (dst) {
		if (dst->kind == MG_DST_POD) {
			l.mtu = dst->mtu;
			l.source = MG_LIMIT_LOCAL_POD;
		}
		return l;
	}
	route = route_of(daddr);
	if (route) {
		l.mtu = route->mtu;
		l.source = MG_LIMIT_ROUTE;
		l.id = route->id;
		l.route_flags = route->flags;
		return l;
	}
	l.mtu = cfg->path_mtu;
	l.source = MG_LIMIT_PATH_MTU;
	return l;
}

/* Pod ingress: what a Pod sends must fit the Pod it is addressed to, or
 * the path off the node. */
static __always_inline void check_pod_ingress(struct mg_verdict *v, const struct mg_pkt *p,
					      const struct mg_iface_cfg *cfg, __u32 ifindex,
					      __u32 len)
{
	struct mg_node_cfg *node = node_cfg();
	struct mg_limit limit;

	/* The fast path: most packets fit the path, every Pod and every
	 * destination prefix. One that fits the path and every Pod but not
	 * the smallest prefix can only offend against its own prefix: one
	 * trie lookup says, and the local destinations (which could only
	 * lift its limit) are looked up for the rare one that does. */
	if ((!cfg->path_mtu || len <= cfg->path_mtu) && node && len <= node->pod_mtu_min) {
		struct mg_route *route;

		if (len <= node->route_mtu_min) {
			v->class = MG_CLASS_FITS;
			return;
		}
		route = route_of(&p->daddr);
		if (!route || len <= route->mtu) {
			v->class = MG_CLASS_FITS;
			return;
		}
	}
	v->pod_mtu = cfg->pod_mtu;
	limit = pod_limit_towards(cfg, &p->daddr);
	judge(v, p, len, limit.mtu, limit.source, ifindex);
	v->limit_id = limit.id;
}

/* Pod egress: what is delivered to a Pod must fit its MTU (the veth drops
 * it silently otherwise); ICMP too-big messages it receives are counted. */
static __always_inline void check_pod_egress(struct mg_verdict *v, const struct mg_pkt *p,
					     const struct mg_iface_cfg *cfg, __u32 ifindex,
					     __u32 len)
{
	judge(v, p, len, cfg->pod_mtu, MG_LIMIT_POD_MTU, ifindex);
	v->pod_mtu = cfg->pod_mtu;
	if (p->icmp_too_big) {
		v->class = MG_CLASS_ICMP_TOO_BIG;
		v->limit = p->icmp_mtu;
		v->limit_source = MG_LIMIT_ICMP;
	}
}

/* Uplink ingress: frames from the fabric for a local Pod must fit that
 * Pod's MTU; ICMP too-big messages for a local Pod are counted. */
static __always_inline void check_uplink_ingress(struct mg_verdict *v, const struct mg_pkt *p,
						 __u32 len)
{
	struct mg_local_dst *dst;

	/* The fast path; ICMP too-big messages still need their Pod. */
	if (!p->icmp_too_big && fits_every_pod(len)) {
		v->class = MG_CLASS_FITS;
		return;
	}
	dst = bpf_map_lookup_elem(&mg_local_dsts, &p->daddr);
	if (!dst || dst->kind != MG_DST_POD) {
		judge(v, p, len, 0, MG_LIMIT_NONE, 0);
		return;
	}
	judge(v, p, len, dst->mtu, MG_LIMIT_LOCAL_POD, dst->ifindex);
	v->pod_mtu = dst->mtu;
	if (p->icmp_too_big) {
		v->class = MG_CLASS_ICMP_TOO_BIG;
		v->limit = p->icmp_mtu;
		v->limit_source = MG_LIMIT_ICMP;
	}
}

static __always_inline void fill_event(struct mg_event *e, const struct mg_flow_key *key,
				       const struct mg_pkt *p, const struct mg_verdict *v,
				       __u32 gso_size, __u64 now)
{
	e->ts_ns = now;
	e->flow = *key;
	e->pod_ifindex = v->pod_ifindex;
	e->len = v->len;
	e->limit = v->limit;
	e->limit_source = v->limit_source;
	e->icmp_mtu = p->icmp_mtu;
	e->gso_size = gso_size;
	e->flags = (p->df ? MG_EVENT_F_DF : 0) | (gso_size ? MG_EVENT_F_GSO : 0);
	e->count = 0;
	e->limit_id = v->limit_id;
	e->pod_mtu = v->pod_mtu;
	e->pad = 0;
}

/* Samples an offending packet. The first packet of a flow goes to the ring
 * buffer at once; later ones within sample_interval_ns are folded into the
 * flow's pending count, which rides on its next sample (or on the flush
 * userspace does at exit), so the events' counts add up to the packets
 * counted. A failed reservation keeps the packet pending and is counted. */
static __always_inline void sample(__u32 ifindex, __u32 hook, const struct mg_pkt *p,
				   const struct mg_verdict *v, __u32 gso_size, __u32 segs)
{
	struct mg_flow_key key = {
		.saddr = p->saddr,
		.daddr = p->daddr,
		.ifindex = ifindex,
		.sport = p->sport,
		.dport = p->dport,
		.hook = hook,
		.class = v->class,
		.proto = p->proto,
	};
	struct mg_flow_state *st = bpf_map_lookup_elem(&mg_flows, &key);
	__u64 now = bpf_ktime_get_ns();
	struct mg_event *e;

	if (st && st->last_sample_ns && now - st->last_sample_ns < sample_interval_ns) {
		st->pending += segs;
		return;
	}

	e = bpf_ringbuf_reserve(&mg_events, sizeof(*e), 0);
	if (!e) {
		stat_inc(MG_STAT_RINGBUF_LOST);
		if (st) {
			st->pending += segs;
		} else {
			struct mg_flow_state fresh = { .pending = segs };

			fill_event(&fresh.last, &key, p, v, gso_size, now);
			bpf_map_update_elem(&mg_flows, &key, &fresh, BPF_ANY);
		}
		return;
	}
	fill_event(e, &key, p, v, gso_size, now);
	e->count = (st ? (__u32)st->pending : 0) + segs;
	if (st) {
		st->last_sample_ns = now;
		st->pending = 0;
		st->last = *e;
	} else {
		struct mg_flow_state fresh = { .last_sample_ns = now, .last = *e };

		bpf_map_update_elem(&mg_flows, &key, &fresh, BPF_ANY);
	}
	bpf_ringbuf_submit(e, 0);
	stat_inc(MG_STAT_SAMPLES);
}

/* Headers the parser reads at most: Ethernet + 2 VLAN tags + IPv6 with
 * extension headers + TCP with options. */
#define MG_PARSE_BYTES 256

/*
 * The rare case: headers that run past the linear part of the skb (the
 * stack puts them there; an AF_PACKET sender with a short vnet header or
 * some drivers do not) are pulled in, and the frame parsed again. A pull
 * moves no byte of the packet, but it may reallocate the skb's head, which
 * costs, so only when a parse needs it. Out of line, so that the common
 * path is not compiled around a second copy of the parser.
 */
static __noinline int pull_and_parse(struct __sk_buff *skb, __u32 len, struct mg_pkt *p)
{
	void *data, *data_end;

	bpf_skb_pull_data(skb, len < MG_PARSE_BYTES ? len : MG_PARSE_BYTES);
	/* Packet pointers taken before the pull are invalid now. */
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	__builtin_memset(p, 0, sizeof(*p));
	return parse_frame(data, data_end, p);
}

/*
 * Observes one frame seen on @ifindex at @hook: parses it (for an @skb whose
 * headers run past [data, data_end), after pulling them in), checks it,
 * counts it and samples it when it offends. @gso_size is the skb's (0 for
 * XDP), @segs the packets it is on the wire (a GSO skb's gso_segs, else 1);
 * @wire_len is the frame's full length (for byte counters). Never decides
 * the packet's fate: the caller passes it on whatever happens.
 */
static __always_inline void mg_observe(void *data, void *data_end, struct __sk_buff *skb,
				       __u32 ifindex, __u32 hook, __u32 gso_size, __u32 segs,
				       __u32 wire_len)
{
	struct mg_verdict v = {};
	struct mg_iface_cfg *cfg;
	struct mg_pkt p = {};
	__u32 len;
	int err;

	err = parse_frame(data, data_end, &p);
	if (skb && err == -MG_PARSE_TRUNCATED && data_end - data < wire_len)
		err = pull_and_parse(skb, wire_len, &p);
	cfg = iface_cfg(ifindex);
	if (!cfg) {
		stat_inc(MG_STAT_NO_CONFIG);
		return;
	}
	if (err) {
		count(cfg, hook, MG_CLASS_SKIPPED, segs, 0);
		return;
	}

	len = checked_len(&p, gso_size);
	if (hook == MG_HOOK_POD_INGRESS)
		check_pod_ingress(&v, &p, cfg, ifindex, len);
	else if (hook == MG_HOOK_POD_EGRESS)
		check_pod_egress(&v, &p, cfg, ifindex, len);
	else
		check_uplink_ingress(&v, &p, len);

	count(cfg, hook, v.class, segs, wire_l3_bytes(&p, wire_len, segs));
	if (v.class < MG_CLASS_FITS)
		sample(ifindex, hook, &p, &v, gso_size, segs);
}

#endif /* MTUGUARD_CHECK_BPF_H */
