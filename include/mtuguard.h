/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The ABI shared by mtuguard's BPF programs (bpf/) and its userspace (user/,
 * tests/): map keys and values, the ring-buffer event record, and the enums
 * that name hooks, classes and limit sources.
 *
 * Everything here crosses the kernel/user boundary, so it uses fixed-width
 * types only, with explicit padding and a size assertion per struct: a field
 * added on one side and not the other fails to compile instead of silently
 * shifting every field after it. Maps are pinned with BTF, so
 * `bpftool map dump pinned /sys/fs/bpf/mtuguard/<map>` prints these names.
 *
 * Included by the BPF programs in bpf/ (after vmlinux.h) and by userspace (after
 * <linux/types.h>).
 */
#ifndef MTUGUARD_H
#define MTUGUARD_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#define MG_IFNAMSIZ 16

/* Where a program is attached; part of every counter key and event. */
enum mg_hook {
	MG_HOOK_POD_INGRESS = 0,    /* TC ingress, host side of a Pod veth: what the Pod sends */
	MG_HOOK_POD_EGRESS = 1,	    /* TC egress, host side of a Pod veth: what the Pod receives */
	MG_HOOK_UPLINK_INGRESS = 2, /* TC ingress or native XDP on the uplink */
	MG_HOOK_MAX = 3,
};

/* What a packet was counted as. Only the first three are ever sampled. */
enum mg_class {
	/* IPv4 with DF, or IPv6, larger than the limit: nothing on the path
	 * may fragment it, so it is lost (black hole or ICMP too big). */
	MG_CLASS_TOO_BIG = 0,
	/* IPv4 without DF larger than the limit: a router fragments it, a
	 * bridge or OVS port drops it. */
	MG_CLASS_TOO_BIG_FRAGMENTABLE = 1,
	/* ICMP "fragmentation needed" or ICMPv6 "packet too big" for a Pod. */
	MG_CLASS_ICMP_TOO_BIG = 2,
	/* IP packets that were checked and fit (or have no limit). */
	MG_CLASS_FITS = 3,
	/* Frames not checked: not IP, truncated, malformed, too many tags. */
	MG_CLASS_SKIPPED = 4,
	MG_CLASS_MAX = 5,
};

/* Which limit an offending packet was compared with. */
enum mg_limit_source {
	MG_LIMIT_NONE = 0,
	MG_LIMIT_PATH_MTU = 1,	/* the Pod's path off the node (uplink MTU - encap) */
	MG_LIMIT_LOCAL_POD = 2, /* the MTU of the local Pod it is addressed to */
	MG_LIMIT_POD_MTU = 3,	/* the MTU of the Pod it is delivered to (egress) */
	MG_LIMIT_ICMP = 4,	/* the MTU an ICMP too-big message announces */
	MG_LIMIT_ROUTE = 5,	/* the limit of the destination's prefix (mg_routes) */
};

/* Role of an interface in mg_ifaces. */
enum mg_role {
	MG_ROLE_POD = 1,
	MG_ROLE_UPLINK = 2,
};

/* Kind of a destination in mg_local_dsts. */
enum mg_dst_kind {
	MG_DST_POD = 1,	 /* a local Pod: limit is that Pod's MTU */
	MG_DST_NODE = 2, /* the node itself: local delivery has no MTU limit */
};

/* Indexes into the mg_stats per-CPU array. */
enum mg_stat {
	MG_STAT_SAMPLES = 0,	  /* events submitted to the ring buffer */
	MG_STAT_RINGBUF_LOST = 1, /* ring-buffer reservations that failed */
	MG_STAT_NO_CONFIG = 2,	  /* packets on an interface with no mg_ifaces entry */
	MG_STAT_MAX = 3,
};

#define MG_EVENT_F_DF (1U << 0)	 /* IPv4 Don't Fragment set (always set for IPv6) */
#define MG_EVENT_F_GSO (1U << 1) /* length is one GSO segment, not the packet */

/* An address of either family: IPv4 in the first 4 bytes, rest zero. */
struct mg_addr {
	__u8 family; /* AF_INET (2) or AF_INET6 (10) */
	__u8 pad[3];
	__u8 addr[16];
};
_Static_assert(sizeof(struct mg_addr) == 20, "mg_addr ABI");

/* Interfaces mtuguard watches at once, at most (mg_ifaces entries). */
#define MG_MAX_IFACES 4096

/* mg_ifaces value: what userspace decided about one interface. */
struct mg_iface_cfg {
	__u32 role;	/* enum mg_role */
	__u32 pod_mtu;	/* Pod: min(MTU of both veth ends) */
	__u32 path_mtu; /* Pod: limit for traffic that leaves the node */
	__u32 slot;	/* its counters' place in mg_counters (mg_counter_index) */
};
_Static_assert(sizeof(struct mg_iface_cfg) == 16, "mg_iface_cfg ABI");

/* mg_iface_spots value: a copy of one interface's mg_ifaces entry at
 * ifindex % MG_MAX_IFACES, which the programs look at first (an array
 * lookup is inlined, a hash lookup is a call). */
struct mg_iface_spot {
	__u32 ifindex; /* whose configuration this is; 0: nobody's */
	__u32 pad;
	struct mg_iface_cfg cfg;
};
_Static_assert(sizeof(struct mg_iface_spot) == 24, "mg_iface_spot ABI");

/* mg_local_dsts value: a destination on this node. */
struct mg_local_dst {
	__u32 kind;    /* enum mg_dst_kind */
	__u32 ifindex; /* host-side veth of the Pod (0 for the node) */
	__u32 mtu;     /* limit for packets to it (0: none) */
	__u32 pad;
};
_Static_assert(sizeof(struct mg_local_dst) == 16, "mg_local_dst ABI");

/* mg_node value (its only entry): what holds for every interface. */
struct mg_node_cfg {
	/* The smallest limit of any local Pod (0: unknown), and of any
	 * destination prefix in mg_routes (UINT32_MAX: none). A packet no
	 * longer than these and the path MTU fits wherever it goes, so the
	 * programs skip looking up its destination. */
	__u32 pod_mtu_min;
	__u32 route_mtu_min;
	/* MG_ABI_VERSION of the watch that wrote it: a watch takes over an
	 * earlier one's pinned maps only when they mean what it means. */
	__u32 abi_version;
	/* The smallest limit anywhere on the node (every Pod's, every
	 * path's, every prefix's; 0: no fast path yet). A packet whose IP
	 * header says it is no longer fits wherever it goes: the fast path
	 * counts it with no other lookup (mg_fast_counts). */
	__u32 fast_bound;
	/* A hash of the programs' object and read-only data: a watch built
	 * and configured alike reuses the programs the hooks run instead of
	 * loading (and verifying) its own. */
	__u64 build_hash;
};
_Static_assert(sizeof(struct mg_node_cfg) == 24, "mg_node_cfg ABI");

/* Raised whenever a map's key or value changes meaning, even at the same
 * size (the kernel checks sizes only when a pinned map is reused). */
#define MG_ABI_VERSION 3

/*
 * A destination prefix, as the key of the LPM trie mg_routes: the family in
 * its own 32 bits, then the address, so that one trie holds both families;
 * prefixlen counts the family's bits too (32 + the prefix's length), and a
 * lookup gives 32 + 32 (IPv4) or 32 + 128 (IPv6).
 */
struct mg_route_key {
	__u32 prefixlen;
	__u32 family; /* AF_INET (2) or AF_INET6 (10) */
	__u8 addr[16];
};
_Static_assert(sizeof(struct mg_route_key) == 24, "mg_route_key ABI");

#define MG_ROUTE_FAMILY_BITS 32

/* mg_routes value: the limit for packets to the prefix, and which of
 * userspace's routes it is (it rides on the event as limit_id, so that an
 * alert can say where the limit comes from). */
struct mg_route {
	__u32 mtu;
	__u32 id;
	__u32 flags; /* MG_ROUTE_F_* */
	__u32 pad;
};
_Static_assert(sizeof(struct mg_route) == 16, "mg_route ABI");
/* A packet over the route's limit is dropped without an ICMP error: the
 * limit is a switched device's (the bridged uplink's), not a router's.
 * What the assist answers (bpf/assist.bpf.c). */
#define MG_ROUTE_F_SILENT (1U << 0)

/* Destination prefixes at most: a node's routes, one per remote Pod block
 * (a 5,000-node cluster's worth, with room), plus what a CNI adds. */
#define MG_MAX_ROUTES 8192

/* Which interface and hook a counter entry belongs to. */
struct mg_counter_key {
	__u32 ifindex; /* 0: entry unused */
	__u32 hook;    /* enum mg_hook */
};
_Static_assert(sizeof(struct mg_counter_key) == 8, "mg_counter_key ABI");

/*
 * mg_counters is a per-CPU array, so that counting a packet costs an
 * inlined array access rather than a hash lookup. Each watched interface
 * owns two entries from 2 * its slot: what enters it (pod_ingress or
 * uplink_ingress) and what leaves it (pod_egress).
 */
#define MG_COUNTERS_PER_IFACE 2
#define MG_COUNTER_ENTRIES (MG_MAX_IFACES * MG_COUNTERS_PER_IFACE)

static inline __u32 mg_counter_index(__u32 slot, __u32 hook)
{
	return slot * MG_COUNTERS_PER_IFACE + (hook == MG_HOOK_POD_EGRESS);
}

/* mg_counters value (per CPU): exact counts of every packet seen. The
 * programs only add to packets and bytes; userspace writes the id when it
 * hands the entry to an interface, so that a dump reads by itself. */
struct mg_counters {
	struct mg_counter_key id;
	__u64 packets[MG_CLASS_MAX];
	__u64 bytes[MG_CLASS_MAX]; /* L3 bytes (IP header and payload) */
};
_Static_assert(sizeof(struct mg_counters) == 8 + 16 * MG_CLASS_MAX, "mg_counters ABI");

/*
 * mg_fast_counts value (per CPU), at ifindex % MG_MAX_IFACES: what the fast
 * path counted of the interface that owns the entry (the one that holds the
 * same spot in mg_iface_spots; userspace writes the owner). Only packets
 * that fit are counted here; userspace adds them to the interface's "fits"
 * in mg_counters when it reads, and folds them in when the interface goes.
 */
enum mg_dir {
	MG_DIR_IN = 0,	/* pod_ingress, uplink_ingress */
	MG_DIR_OUT = 1, /* pod_egress */
	MG_DIR_MAX = 2,
};
struct mg_fast_count {
	__u32 ifindex; /* the owner; 0: nobody */
	__u32 pad;
	__u64 packets[MG_DIR_MAX];
	__u64 bytes[MG_DIR_MAX]; /* L3 bytes */
};
_Static_assert(sizeof(struct mg_fast_count) == 40, "mg_fast_count ABI");
static inline __u32 mg_hook_dir(__u32 hook)
{
	return hook == MG_HOOK_POD_EGRESS ? MG_DIR_OUT : MG_DIR_IN;
}

/* A flow, as the rate limiter of samples sees it. */
struct mg_flow_key {
	struct mg_addr saddr;
	struct mg_addr daddr;
	__u32 ifindex;
	__u16 sport; /* host order; ICMP: type */
	__u16 dport; /* host order; ICMP: code */
	__u8 hook;   /* enum mg_hook */
	__u8 class;  /* enum mg_class */
	__u8 proto;  /* IPPROTO_* of the L4 header */
	__u8 pad;
};
_Static_assert(sizeof(struct mg_flow_key) == 52, "mg_flow_key ABI");

/* One sampled offending packet, as the ring buffer carries it. */
struct mg_event {
	__u64 ts_ns; /* bpf_ktime_get_ns() */
	struct mg_flow_key flow;
	__u32 pod_ifindex;  /* the Pod's host veth (for uplink events: the destination Pod's) */
	__u32 len;	    /* L3 bytes of the packet, or of one segment when MG_EVENT_F_GSO */
	__u32 limit;	    /* bytes it was compared with */
	__u32 limit_source; /* enum mg_limit_source */
	__u32 icmp_mtu;	    /* MTU announced by an ICMP too-big message */
	__u32 gso_size;	    /* skb gso_size, 0 when not GSO */
	__u32 flags;	    /* MG_EVENT_F_* */
	__u32 count;	    /* packets of this flow this event stands for */
	__u32 limit_id;	    /* MG_LIMIT_ROUTE: the route's id (struct mg_route) */
	/* The Pod's MTU when the packet was seen (the sender's on Pod
	 * ingress, the receiver's otherwise; 0 without a Pod): an alert
	 * read later says what held then, not what holds at report time. */
	__u32 pod_mtu;
	__u32 pad;
};
_Static_assert(sizeof(struct mg_event) == 104, "mg_event ABI");

/* mg_flows value (per CPU): the rate limiter's state for one flow. */
struct mg_flow_state {
	__u64 last_sample_ns; /* when this CPU last sampled the flow (0: never) */
	__u64 pending;	      /* packets folded since then, not yet in any event */
	struct mg_event last; /* the flow's latest sample, for the final flush */
};
_Static_assert(sizeof(struct mg_flow_state) == 16 + sizeof(struct mg_event), "mg_flow_state ABI");

/*
 * The PMTUD assist (bpf/assist.bpf.c, opt-in): its rate limiter's key, and
 * what it did, per Pod, at the Pod's counter slot (mg_iface_cfg.slot).
 */
struct mg_assist_key {
	__u32 ifindex; /* the Pod's host-side veth */
	__u32 pad;
	struct mg_addr daddr; /* where its packet was going */
};
_Static_assert(sizeof(struct mg_assist_key) == 28, "mg_assist_key ABI");
struct mg_assist_counts {
	__u64 answered;	    /* oversize DF packets answered with ICMP too-big (and dropped) */
	__u64 rate_limited; /* ones not answered: the last answer to that destination was recent */
	__u64 mss_clamped;  /* SYNs from the Pod and SYN-ACKs to it whose MSS was lowered */
};
_Static_assert(sizeof(struct mg_assist_counts) == 24, "mg_assist_counts ABI");
/* The smallest MTU an ICMP too-big may announce (what a receiver accepts:
 * IPv4's 552 is Linux's min_pmtu; IPv6's minimum link MTU is 1280). */
#define MG_ASSIST_MIN_MTU_V4 552
#define MG_ASSIST_MIN_MTU_V6 1280
/* How much of the packet a reply quotes: IPv4 up to 576 bytes in all
 * (RFC 1812), IPv6 up to 1280 (RFC 4443). */
#define MG_ASSIST_QUOTE_V4 548
#define MG_ASSIST_QUOTE_V6 1232

/* Map names as pinned under the pin directory (and as in the BPF object). */
#define MG_MAP_IFACES "mg_ifaces"
#define MG_MAP_IFACE_SPOTS "mg_iface_spots"
#define MG_MAP_LOCAL_DSTS "mg_local_dsts"
#define MG_MAP_COUNTERS "mg_counters"
#define MG_MAP_NODE "mg_node"
#define MG_MAP_FLOWS "mg_flows"
#define MG_MAP_STATS "mg_stats"
#define MG_MAP_DROPS "mg_drops"
#define MG_MAP_ROUTES "mg_routes"
#define MG_MAP_EVENTS "mg_events"
#define MG_MAP_FAST_COUNTS "mg_fast_counts"
#define MG_MAP_ASSIST_COUNTS "mg_assist_counts"
#define MG_MAP_ASSIST_ANSWERS "mg_assist_answers"

/* Every program's name starts with this, so detach can tell ours apart. */
#define MG_PROG_PREFIX "mg_"

/* clsact fallback: the handle and priority of our filters, removed by
 * exactly these. tc runs the lowest priority number first, so priority 1
 * lets us observe a packet before a CNI's filter redirects it. */
#define MG_TC_HANDLE 0x6d67 /* "mg" */
#define MG_TC_PRIORITY 1

#endif /* MTUGUARD_H */
