// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The BPF programs on crafted frames, through BPF_PROG_TEST_RUN: for each
 * case, the verdict (always pass), the exact counter that moved, and the
 * sample the ring buffer carried. Needs root (or CAP_BPF + CAP_NET_ADMIN).
 *
 * Test runs see the loopback device (ifindex 1); the maps give it a Pod's
 * role with pod MTU 1400 and path MTU 1450, and hold a local Pod
 * (10.0.0.50, fd00::50, MTU 1300, behind ifindex 7), a node address
 * (10.0.0.1) and destination prefixes (put_routes): 10.9.0.0/16 at 1400
 * with 10.9.8.0/24 inside it at 9000, fd09::/32 at 1280, and 253.0.0.0/8,
 * whose bits the IPv6 test addresses (fd00::) share, at 600.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf_check.h"
#include "datapath/counters.h"
#include "frames.h"
#include "datapath/ifaces.h"
#include "mtuguard.h"
#include "mtuguard.skel.h"
#include "report/names.h"

#define TEST_IFINDEX 1 /* loopback: where test runs put the packet */
#define POD_MTU 1400
#define PATH_MTU 1450
#define LOCAL_POD_MTU 1300
#define LOCAL_POD_IFINDEX 7
#define TC_ACT_UNSPEC_ ((__u32)-1)
#define XDP_PASS_ 2

enum prog {
	POD_INGRESS,
	POD_EGRESS,
	UPLINK_TC,
	UPLINK_XDP,
};

static const enum mg_hook prog_hook[] = {
	[POD_INGRESS] = MG_HOOK_POD_INGRESS,
	[POD_EGRESS] = MG_HOOK_POD_EGRESS,
	[UPLINK_TC] = MG_HOOK_UPLINK_INGRESS,
	[UPLINK_XDP] = MG_HOOK_UPLINK_INGRESS,
};

struct env {
	struct mtuguard_bpf *skel;
	struct ring_buffer *rb;
	struct mg_event events[8];
	int n_events;
	__u64 event_packets; /* sum of the count of every event consumed */
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct env *env = ctx;

	if (size < sizeof(struct mg_event))
		return 0;
	if (env->n_events < (int)(sizeof(env->events) / sizeof(env->events[0])))
		env->events[env->n_events] = *(struct mg_event *)data;
	env->n_events++;
	env->event_packets += ((struct mg_event *)data)->count;
	return 0;
}

static void put_dst(int fd, int family, const char *ip, __u32 kind, __u32 ifindex, __u32 mtu)
{
	struct mg_addr key = { .family = (__u8)(family == 4 ? AF_INET : AF_INET6) };
	struct mg_local_dst dst = { .kind = kind, .ifindex = ifindex, .mtu = mtu };

	inet_pton(family == 4 ? AF_INET : AF_INET6, ip, key.addr);
	bpf_map_update_elem(fd, &key, &dst, BPF_ANY);
}

#define ROUTE_16_MTU 1400
#define ROUTE_24_MTU 9000
#define ROUTE_V6_MTU 1280

static void put_route(int fd, int family, const char *ip, unsigned int len, __u32 mtu, __u32 id)
{
	struct mg_route_key key = { .family = family == 4 ? AF_INET : AF_INET6 };
	struct mg_route route = { .mtu = mtu, .id = id };

	key.prefixlen = MG_ROUTE_FAMILY_BITS + len;
	inet_pton(family == 4 ? AF_INET : AF_INET6, ip, key.addr);
	bpf_map_update_elem(fd, &key, &route, BPF_ANY);
}

/* Prefixes the default destinations (10.0.0.99, fd00::99) are in none of. */
static void put_routes(int fd)
{
	put_route(fd, 4, "10.9.0.0", 16, ROUTE_16_MTU, 1);
	put_route(fd, 4, "10.9.8.0", 24, ROUTE_24_MTU, 2);
	put_route(fd, 6, "fd09::", 32, ROUTE_V6_MTU, 3);
	/* An IPv4 prefix whose bits an IPv6 address shares: never its. */
	put_route(fd, 4, "253.0.0.0", 8, 600, 4);
}

static const enum mg_hook pod_hooks[] = { MG_HOOK_POD_INGRESS, MG_HOOK_POD_EGRESS };

/* The maps ifaces_write() writes, as the guard passes them. */
static struct iface_maps env_iface_maps(const struct env *env)
{
	return (struct iface_maps){ .hash_fd = bpf_map__fd(env->skel->maps.mg_ifaces),
				    .spots_fd = bpf_map__fd(env->skel->maps.mg_iface_spots),
				    .fast_fd = bpf_map__fd(env->skel->maps.mg_fast_counts),
				    .counters_fd = bpf_map__fd(env->skel->maps.mg_counters) };
}

/* Loads a fresh copy of the programs; @configure false leaves the maps
 * empty (an interface userspace never configured). */
static bool env_setup(struct env *env, __u64 interval_ns, bool configure)
{
	struct mg_iface_cfg cfg = { .role = MG_ROLE_POD, .pod_mtu = POD_MTU, .path_mtu = PATH_MTU };
	struct mg_node_cfg node = { .pod_mtu_min =
					    POD_MTU < LOCAL_POD_MTU ? POD_MTU : LOCAL_POD_MTU,
				    .route_mtu_min = 600,
				    /* the smallest limit of all, as the guard writes it */
				    .fast_bound = 600 };
	__u32 ifindex = TEST_IFINDEX, zero = 0;
	struct iface_maps maps;
	int dsts;

	memset(env, 0, sizeof(*env));
	env->skel = mtuguard_bpf__open();
	if (!check(env->skel != NULL, "open: %s", strerror(errno)))
		return false;
	env->skel->rodata->sample_interval_ns = interval_ns;
	if (!check(!mtuguard_bpf__load(env->skel), "load failed (run as root)"))
		return false;
	env->rb = ring_buffer__new(bpf_map__fd(env->skel->maps.mg_events), on_event, env, NULL);
	if (!check(env->rb != NULL, "ring buffer"))
		return false;
	if (!configure)
		return true;
	maps = env_iface_maps(env);
	ifaces_write(&maps, ifindex, &cfg);
	/* Slot 0 named as the guard names it: the fast path's counts are
	 * added to the entry of the interface and hook it names. */
	counters_reset(maps.counters_fd, 0, (int)ifindex, pod_hooks, 2);
	/* As the guard does: the smallest Pod limit enables the fast path. */
	bpf_map_update_elem(bpf_map__fd(env->skel->maps.mg_node), &zero, &node, BPF_ANY);
	dsts = bpf_map__fd(env->skel->maps.mg_local_dsts);
	put_dst(dsts, 4, "10.0.0.50", MG_DST_POD, LOCAL_POD_IFINDEX, LOCAL_POD_MTU);
	put_dst(dsts, 6, "fd00::50", MG_DST_POD, LOCAL_POD_IFINDEX, LOCAL_POD_MTU);
	put_dst(dsts, 4, "10.0.0.1", MG_DST_NODE, 0, 0);
	put_routes(bpf_map__fd(env->skel->maps.mg_routes));
	return true;
}

static void env_teardown(struct env *env)
{
	ring_buffer__free(env->rb);
	mtuguard_bpf__destroy(env->skel);
}

/* The test interface's counters for @hook (slot 0), summed over CPUs. */
static struct mg_counters counters_of(const struct env *env, enum mg_hook hook)
{
	struct mg_counters sum = {};

	counters_sum(bpf_map__fd(env->skel->maps.mg_counters),
		     bpf_map__fd(env->skel->maps.mg_fast_counts), mg_counter_index(0, hook), &sum);
	return sum;
}

static __u64 stat_of(const struct env *env, enum mg_stat stat)
{
	__u64 stats[MG_STAT_MAX] = {};

	stats_read(bpf_map__fd(env->skel->maps.mg_stats), stats);
	return stats[stat];
}

/* Runs @prog @repeat times on @frame; returns the verdict, or -1. */
static long long run_prog(struct env *env, enum prog prog, const uint8_t *frame, unsigned int len,
			  __u32 gso_size, __u32 gso_segs, int repeat)
{
	struct bpf_program *progs[] = {
		[POD_INGRESS] = env->skel->progs.mg_pod_ingress,
		[POD_EGRESS] = env->skel->progs.mg_pod_egress,
		[UPLINK_TC] = env->skel->progs.mg_uplink_tc,
		[UPLINK_XDP] = env->skel->progs.mg_uplink_xdp,
	};
	struct __sk_buff skb = { .gso_size = gso_size, .gso_segs = gso_segs };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
		    .repeat = repeat);

	if (prog != UPLINK_XDP && gso_size) {
		opts.ctx_in = &skb;
		opts.ctx_size_in = sizeof(skb);
	}
	if (bpf_prog_test_run_opts(bpf_program__fd(progs[prog]), &opts)) {
		check(false, "test run failed: %s", strerror(errno));
		return -1;
	}
	return opts.retval;
}

struct prog_case {
	const char *name;
	enum prog prog;
	struct frame_spec frame;
	__u32 gso_size, gso_segs;
	__u64 l3_bytes; /* what the counters must add (0: not checked) */
	struct {
		enum mg_class class;
		/* For sampled classes, what the event must say (0: not checked). */
		__u32 len, limit, source, flags, pod_ifindex;
	} want;
};

#define V4(...)                                                                                    \
	{                                                                                          \
		.family = FRAME_IPV4, __VA_ARGS__                                                  \
	}
#define V6(...)                                                                                    \
	{                                                                                          \
		.family = FRAME_IPV6, __VA_ARGS__                                                  \
	}
#define DF MG_EVENT_F_DF
#define GSO MG_EVENT_F_GSO

static const struct prog_case cases[] = {
	/* Pod ingress: the path MTU (1450) for traffic leaving the node. */
	{ "ipv4 df at path mtu-1 fits", POD_INGRESS, V4(.l3_len = 1449, .df = true),
	  .want = { .class = MG_CLASS_FITS } },
	{ "ipv4 df at path mtu fits", POD_INGRESS, V4(.l3_len = 1450, .df = true),
	  .want = { .class = MG_CLASS_FITS } },
	{ "ipv4 df at path mtu+1 is too_big", POD_INGRESS, V4(.l3_len = 1451, .df = true),
	  .want = { .class = MG_CLASS_TOO_BIG,
		    .len = 1451,
		    .limit = PATH_MTU,
		    .source = MG_LIMIT_PATH_MTU,
		    .flags = DF,
		    .pod_ifindex = TEST_IFINDEX } },
	{ "ipv4 without df at path mtu+1 is too_big_fragmentable", POD_INGRESS, V4(.l3_len = 1451),
	  .want = { .class = MG_CLASS_TOO_BIG_FRAGMENTABLE,
		    .len = 1451,
		    .limit = PATH_MTU,
		    .source = MG_LIMIT_PATH_MTU,
		    .flags = 0,
		    .pod_ifindex = TEST_IFINDEX } },
	{ "ipv4 without df at path mtu fits", POD_INGRESS, V4(.l3_len = 1450),
	  .want = { .class = MG_CLASS_FITS } },
	{ "ipv6 at path mtu fits", POD_INGRESS, V6(.l3_len = 1450),
	  .want = { .class = MG_CLASS_FITS } },
	{ "ipv6 at path mtu+1 is too_big (never fragmented)", POD_INGRESS, V6(.l3_len = 1451),
	  .want = { .class = MG_CLASS_TOO_BIG,
		    .len = 1451,
		    .limit = PATH_MTU,
		    .source = MG_LIMIT_PATH_MTU,
		    .flags = DF,
		    .pod_ifindex = TEST_IFINDEX } },
	{ "802.1q tagged ipv4 df at path mtu+1 is too_big", POD_INGRESS,
	  V4(.l3_len = 1451, .df = true, .vlan_tags = 1),
	  .want = { .class = MG_CLASS_TOO_BIG, .len = 1451, .limit = PATH_MTU } },
	{ "qinq tagged ipv4 df at path mtu+1 is too_big", POD_INGRESS,
	  V4(.l3_len = 1451, .df = true, .vlan_tags = 2),
	  .want = { .class = MG_CLASS_TOO_BIG, .len = 1451, .limit = PATH_MTU } },
	{ "qinq tagged ipv6 at path mtu fits", POD_INGRESS, V6(.l3_len = 1450, .vlan_tags = 2),
	  .want = { .class = MG_CLASS_FITS } },
	{ "three vlan tags are skipped, not misread", POD_INGRESS,
	  V4(.l3_len = 1451, .df = true, .vlan_tags = 3), .want = { .class = MG_CLASS_SKIPPED } },
	{ "ipv4 with 40 bytes of options at path mtu+1 is too_big", POD_INGRESS,
	  V4(.l3_len = 1451, .df = true, .ip_opts_len = 40),
	  .want = { .class = MG_CLASS_TOO_BIG, .len = 1451, .limit = PATH_MTU } },
	{ "ipv4 with options at path mtu fits", POD_INGRESS,
	  V4(.l3_len = 1450, .df = true, .ip_opts_len = 12), .want = { .class = MG_CLASS_FITS } },
	{ "ipv6 with extension headers at path mtu+1 is too_big", POD_INGRESS,
	  V6(.l3_len = 1451, .ipv6_ext_hdrs = 2),
	  .want = { .class = MG_CLASS_TOO_BIG, .len = 1451, .limit = PATH_MTU } },
	/* GSO: one segment is IP header + L4 header + gso_size. */
	{ "tcp gso segment of 1488 over path mtu is too_big", POD_INGRESS,
	  V4(.l3_len = 3000, .df = true), .gso_size = 1448,
	  .want = { .class = MG_CLASS_TOO_BIG,
		    .len = 1488,
		    .limit = PATH_MTU,
		    .source = MG_LIMIT_PATH_MTU,
		    .flags = DF | GSO } },
	/* A GSO skb is gso_segs packets on the wire: 3 here, whose L3 bytes
	 * are the skb's 3000 plus the 40 bytes of headers each of the two
	 * segments after the first repeats. */
	{ "tcp gso skb of 3 segments counts 3 packets and their 3080 bytes", POD_INGRESS,
	  V4(.l3_len = 3000, .df = true), .gso_size = 1448, .gso_segs = 3, .l3_bytes = 3080,
	  .want = { .class = MG_CLASS_TOO_BIG,
		    .len = 1488,
		    .limit = PATH_MTU,
		    .flags = DF | GSO } },
	{ "tcp gso skb of 3 segments that fit counts 3 packets", POD_INGRESS,
	  V4(.l3_len = 3000, .df = true), .gso_size = 1000, .gso_segs = 3, .l3_bytes = 3080,
	  .want = { .class = MG_CLASS_FITS } },
	{ "tcp gso segment at path mtu fits", POD_INGRESS, V4(.l3_len = 3000, .df = true),
	  .gso_size = 1410, .want = { .class = MG_CLASS_FITS } },
	{ "tcp gso segment counts tcp options (doff 8)", POD_INGRESS,
	  V4(.l3_len = 3000, .df = true, .tcp_doff = 8), .gso_size = 1400,
	  .want = { .class = MG_CLASS_TOO_BIG, .len = 1452, .limit = PATH_MTU } },
	{ "tcp gso segment counts ipv4 options", POD_INGRESS,
	  V4(.l3_len = 3000, .df = true, .ip_opts_len = 12), .gso_size = 1400,
	  .want = { .class = MG_CLASS_TOO_BIG, .len = 1452 } },
	{ "udp gso ipv6 segment at path mtu fits", POD_INGRESS,
	  V6(.l3_len = 3000, .proto = IPPROTO_UDP), .gso_size = 1402,
	  .want = { .class = MG_CLASS_FITS } },
	{ "udp gso ipv6 segment at path mtu+1 is too_big", POD_INGRESS,
	  V6(.l3_len = 3000, .proto = IPPROTO_UDP), .gso_size = 1403,
	  .want = { .class = MG_CLASS_TOO_BIG,
		    .len = 1451,
		    .limit = PATH_MTU,
		    .source = MG_LIMIT_PATH_MTU,
		    .flags = DF | GSO } },
	{ "gso packet shorter than one segment is its own size", POD_INGRESS,
	  V4(.l3_len = 1000, .df = true), .gso_size = 1448, .want = { .class = MG_CLASS_FITS } },
	/* Local destinations. */
	{ "to a local pod the limit is its mtu", POD_INGRESS,
	  V4(.l3_len = 1301, .df = true, .dst = "10.0.0.50"),
	  .want = { .class = MG_CLASS_TOO_BIG,
		    .len = 1301,
		    .limit = LOCAL_POD_MTU,
		    .source = MG_LIMIT_LOCAL_POD,
		    .flags = DF,
		    .pod_ifindex = TEST_IFINDEX } },
	{ "to a local pod at its mtu fits", POD_INGRESS,
	  V4(.l3_len = 1300, .df = true, .dst = "10.0.0.50"), .want = { .class = MG_CLASS_FITS } },
	{ "ipv6 to a local pod over its mtu is too_big", POD_INGRESS,
	  V6(.l3_len = 1301, .dst = "fd00::50"),
	  .want = { .class = MG_CLASS_TOO_BIG,
		    .len = 1301,
		    .limit = LOCAL_POD_MTU,
		    .source = MG_LIMIT_LOCAL_POD } },
	{ "to the node itself there is no limit", POD_INGRESS,
	  V4(.l3_len = 3000, .df = true, .dst = "10.0.0.1"), .want = { .class = MG_CLASS_FITS } },
	/* Destination prefixes (mg_routes): the longest prefix of the
	 * destination's family sets the limit; none: the path MTU. */
	{ "to a /16 prefix over its limit is too_big", POD_INGRESS,
	  V4(.l3_len = 1401, .df = true, .dst = "10.9.1.1"),
	  .want = { .class = MG_CLASS_TOO_BIG,
		    .len = 1401,
		    .limit = ROUTE_16_MTU,
		    .source = MG_LIMIT_ROUTE,
		    .flags = DF,
		    .pod_ifindex = TEST_IFINDEX } },
	{ "to a /16 prefix at its limit fits", POD_INGRESS,
	  V4(.l3_len = 1400, .df = true, .dst = "10.9.1.1"), .want = { .class = MG_CLASS_FITS } },
	{ "the longest prefix wins: a /24 at 9000 inside the /16", POD_INGRESS,
	  V4(.l3_len = 3000, .df = true, .dst = "10.9.8.7"), .want = { .class = MG_CLASS_FITS } },
	{ "the longest prefix wins over it just past the /24", POD_INGRESS,
	  V4(.l3_len = 1401, .df = true, .dst = "10.9.9.7"),
	  .want = { .class = MG_CLASS_TOO_BIG, .limit = ROUTE_16_MTU, .source = MG_LIMIT_ROUTE } },
	{ "ipv6 to a /32 prefix over its limit is too_big", POD_INGRESS,
	  V6(.l3_len = 1281, .dst = "fd09::5"),
	  .want = { .class = MG_CLASS_TOO_BIG,
		    .len = 1281,
		    .limit = ROUTE_V6_MTU,
		    .source = MG_LIMIT_ROUTE,
		    .flags = DF } },
	{ "an ipv6 address never takes an ipv4 prefix's limit", POD_INGRESS,
	  V6(.l3_len = 1400, .dst = "fd00::99"), .want = { .class = MG_CLASS_FITS } },
	{ "to no prefix the path mtu holds", POD_INGRESS,
	  V4(.l3_len = 1451, .df = true, .dst = "10.8.0.1"),
	  .want = { .class = MG_CLASS_TOO_BIG, .limit = PATH_MTU, .source = MG_LIMIT_PATH_MTU } },
	{ "a local pod inside a prefix keeps its own mtu", POD_INGRESS,
	  V4(.l3_len = 1301, .df = true, .dst = "10.0.0.50"),
	  .want = { .class = MG_CLASS_TOO_BIG,
		    .limit = LOCAL_POD_MTU,
		    .source = MG_LIMIT_LOCAL_POD } },
	/* What cannot be parsed is skipped, never misread. */
	/* (A TC test run refuses a frame without a whole IP header; XDP takes it.) */
	{ "truncated ipv4 header is skipped", UPLINK_XDP, V4(.l3_len = 1500, .truncate_to = 24),
	  .want = { .class = MG_CLASS_SKIPPED } },
	{ "truncated tcp header is skipped", POD_INGRESS, V4(.l3_len = 1500, .truncate_to = 44),
	  .want = { .class = MG_CLASS_SKIPPED } },
	{ "truncated ipv6 extension header is skipped", POD_INGRESS,
	  V6(.l3_len = 1500, .ipv6_ext_hdrs = 2, .truncate_to = 60),
	  .want = { .class = MG_CLASS_SKIPPED } },
	{ "ipv4 ihl below 5 is skipped", POD_INGRESS, V4(.l3_len = 1500, .ihl_override = 4),
	  .want = { .class = MG_CLASS_SKIPPED } },
	{ "tcp doff below 5 is skipped", POD_INGRESS, V4(.l3_len = 1500, .tcp_doff = 4),
	  .want = { .class = MG_CLASS_SKIPPED } },
	{ "ipv4 tot_len below its header is skipped", POD_INGRESS, V4(.l3_len = 12),
	  .want = { .class = MG_CLASS_SKIPPED } },
	{ "arp is skipped",
	  POD_INGRESS,
	  { .family = FRAME_ARP },
	  .want = { .class = MG_CLASS_SKIPPED } },
	/* Pod egress: the Pod's own MTU (1400). */
	{ "egress at the pod mtu fits", POD_EGRESS, V4(.l3_len = 1400, .df = true),
	  .want = { .class = MG_CLASS_FITS } },
	{ "egress at the pod mtu+1 is too_big", POD_EGRESS, V4(.l3_len = 1401, .df = true),
	  .want = { .class = MG_CLASS_TOO_BIG,
		    .len = 1401,
		    .limit = POD_MTU,
		    .source = MG_LIMIT_POD_MTU,
		    .flags = DF,
		    .pod_ifindex = TEST_IFINDEX } },
	{ "egress ipv6 at the pod mtu+1 is too_big", POD_EGRESS, V6(.l3_len = 1401),
	  .want = { .class = MG_CLASS_TOO_BIG,
		    .len = 1401,
		    .limit = POD_MTU,
		    .source = MG_LIMIT_POD_MTU } },
	{ "icmp frag-needed delivered to the pod is icmp_too_big", POD_EGRESS,
	  V4(.l3_len = 576, .proto = IPPROTO_ICMP, .icmp_type = 3, .icmp_code = 4,
	     .icmp_mtu = 1400),
	  .want = { .class = MG_CLASS_ICMP_TOO_BIG,
		    .len = 0,
		    .limit = 1400,
		    .source = MG_LIMIT_ICMP } },
	{ "icmpv6 packet too big delivered to the pod is icmp_too_big", POD_EGRESS,
	  V6(.l3_len = 1280, .proto = IPPROTO_ICMPV6, .icmp_type = 2, .icmp_mtu = 1280),
	  .want = { .class = MG_CLASS_ICMP_TOO_BIG,
		    .len = 0,
		    .limit = 1280,
		    .source = MG_LIMIT_ICMP } },
	{ "icmp port unreachable is not too-big", POD_EGRESS,
	  V4(.l3_len = 576, .proto = IPPROTO_ICMP, .icmp_type = 3, .icmp_code = 3),
	  .want = { .class = MG_CLASS_FITS } },
	/* Found by the differential test: the ICMP of the other IP version. */
	{ "icmpv6 too-big inside ipv4 is not too-big", POD_EGRESS,
	  V4(.l3_len = 576, .proto = IPPROTO_ICMPV6, .icmp_type = 2, .icmp_mtu = 1280),
	  .want = { .class = MG_CLASS_FITS } },
	{ "icmp frag-needed inside ipv6 is not too-big", POD_EGRESS,
	  V6(.l3_len = 576, .proto = IPPROTO_ICMP, .icmp_type = 3, .icmp_code = 4,
	     .icmp_mtu = 1280),
	  .want = { .class = MG_CLASS_FITS } },
	/* Uplink ingress, TC and XDP: frames for local Pods. */
	{ "uplink tc: frame for a local pod over its mtu is too_big", UPLINK_TC,
	  V4(.l3_len = 1301, .df = true, .dst = "10.0.0.50"),
	  .want = { .class = MG_CLASS_TOO_BIG,
		    .len = 1301,
		    .limit = LOCAL_POD_MTU,
		    .source = MG_LIMIT_LOCAL_POD,
		    .flags = DF,
		    .pod_ifindex = LOCAL_POD_IFINDEX } },
	{ "uplink tc: frame for a local pod at its mtu fits", UPLINK_TC,
	  V4(.l3_len = 1300, .df = true, .dst = "10.0.0.50"), .want = { .class = MG_CLASS_FITS } },
	{ "uplink tc: frame for another host is not checked", UPLINK_TC,
	  V4(.l3_len = 3000, .df = true), .want = { .class = MG_CLASS_FITS } },
	{ "uplink tc: icmp frag-needed for a local pod is icmp_too_big", UPLINK_TC,
	  V4(.l3_len = 576, .dst = "10.0.0.50", .proto = IPPROTO_ICMP, .icmp_type = 3,
	     .icmp_code = 4, .icmp_mtu = 1280),
	  .want = { .class = MG_CLASS_ICMP_TOO_BIG,
		    .len = 0,
		    .limit = 1280,
		    .source = MG_LIMIT_ICMP,
		    .flags = 0,
		    .pod_ifindex = LOCAL_POD_IFINDEX } },
	{ "uplink xdp: frame for a local pod over its mtu is too_big", UPLINK_XDP,
	  V4(.l3_len = 1301, .df = true, .dst = "10.0.0.50"),
	  .want = { .class = MG_CLASS_TOO_BIG,
		    .len = 1301,
		    .limit = LOCAL_POD_MTU,
		    .source = MG_LIMIT_LOCAL_POD,
		    .flags = DF,
		    .pod_ifindex = LOCAL_POD_IFINDEX } },
	{ "uplink xdp: ipv6 for a local pod at its mtu fits", UPLINK_XDP,
	  V6(.l3_len = 1300, .dst = "fd00::50"), .want = { .class = MG_CLASS_FITS } },
	{ "uplink xdp: icmpv6 too big for a local pod is icmp_too_big", UPLINK_XDP,
	  V6(.l3_len = 1280, .dst = "fd00::50", .proto = IPPROTO_ICMPV6, .icmp_type = 2,
	     .icmp_mtu = 1280),
	  .want = { .class = MG_CLASS_ICMP_TOO_BIG,
		    .len = 0,
		    .limit = 1280,
		    .source = MG_LIMIT_ICMP,
		    .flags = 0,
		    .pod_ifindex = LOCAL_POD_IFINDEX } },
	{ "uplink xdp: truncated frame is skipped", UPLINK_XDP,
	  V6(.l3_len = 1300, .truncate_to = 30), .want = { .class = MG_CLASS_SKIPPED } },
};

/* The packets a case is on the wire: a GSO skb's segments, else one. */
static __u32 segs_of(const struct prog_case *c)
{
	return c->gso_size && c->gso_segs ? c->gso_segs : 1;
}

/* The Pod MTU an event carries: the watched Pod's on its veth, the
 * destination Pod's on the uplink, none for the uplink without one. */
static __u32 want_pod_mtu(const struct prog_case *c)
{
	if (c->prog == POD_INGRESS || c->prog == POD_EGRESS)
		return POD_MTU;
	return c->want.pod_ifindex == LOCAL_POD_IFINDEX ? LOCAL_POD_MTU : 0;
}

static bool check_event(const struct prog_case *c, const struct mg_event *ev)
{
	bool ok = true;

	ok &= check(ev->flow.class == c->want.class, "event class %s", class_name(ev->flow.class));
	ok &= check(ev->flow.hook == prog_hook[c->prog], "event hook %s", hook_name(ev->flow.hook));
	ok &= check(ev->count == segs_of(c), "event count %u, want %u", ev->count, segs_of(c));
	if (c->want.len)
		ok &= check(ev->len == c->want.len, "len %u, want %u", ev->len, c->want.len);
	if (c->want.limit)
		ok &= check(ev->limit == c->want.limit, "limit %u, want %u", ev->limit,
			    c->want.limit);
	if (c->want.source)
		ok &= check(ev->limit_source == c->want.source, "limit source %s, want %s",
			    limit_source_name(ev->limit_source), limit_source_name(c->want.source));
	if (c->want.flags)
		ok &= check(ev->flags == c->want.flags, "flags 0x%x, want 0x%x", ev->flags,
			    c->want.flags);
	if (c->want.pod_ifindex)
		ok &= check(ev->pod_ifindex == c->want.pod_ifindex, "pod ifindex %u, want %u",
			    ev->pod_ifindex, c->want.pod_ifindex);
	ok &= check(ev->pod_mtu == want_pod_mtu(c), "pod mtu %u, want %u", ev->pod_mtu,
		    want_pod_mtu(c));
	return ok;
}

static bool run_case(struct env *env, const struct prog_case *c)
{
	enum mg_hook hook = prog_hook[c->prog];
	struct mg_counters before = counters_of(env, hook), after;
	__u32 pass = c->prog == UPLINK_XDP ? XDP_PASS_ : TC_ACT_UNSPEC_;
	bool sampled = c->want.class < MG_CLASS_FITS;
	uint8_t frame[FRAME_MAX];
	unsigned int len = build_frame(&c->frame, frame);
	long long verdict;
	bool ok = true;
	int k;

	env->n_events = 0;
	verdict = run_prog(env, c->prog, frame, len, c->gso_size, c->gso_segs, 1);
	ring_buffer__consume(env->rb);
	after = counters_of(env, hook);

	ok &= check(verdict == pass, "verdict %lld, want %u (pass)", verdict, pass);
	for (k = 0; k < MG_CLASS_MAX; k++) {
		__u64 want = before.packets[k] + (k == (int)c->want.class ? segs_of(c) : 0);

		ok &= check(after.packets[k] == want, "%s counter moved by %lld, want %u",
			    class_name(k), (long long)(after.packets[k] - before.packets[k]),
			    k == (int)c->want.class ? segs_of(c) : 0);
	}
	if (c->l3_bytes)
		ok &= check(after.bytes[c->want.class] - before.bytes[c->want.class] == c->l3_bytes,
			    "bytes moved by %llu, want %llu",
			    (unsigned long long)(after.bytes[c->want.class] -
						 before.bytes[c->want.class]),
			    (unsigned long long)c->l3_bytes);
	ok &= check(env->n_events == (sampled ? 1 : 0), "%d events, want %d", env->n_events,
		    sampled ? 1 : 0);
	if (sampled && env->n_events == 1)
		ok &= check_event(c, &env->events[0]);
	return ok;
}

static void flush_sum(const struct mg_event *ev, void *ctx)
{
	*(__u64 *)ctx += ev->count;
}

/* Repeats of a flow within the interval fold: one event now, the rest in
 * the flush, and together exactly the packets counted. */
static bool test_fold(void)
{
	struct frame_spec spec = V4(.l3_len = 1500, .df = true);
	uint8_t frame[FRAME_MAX];
	unsigned int len = build_frame(&spec, frame);
	__u64 flushed = 0;
	struct env env;
	bool ok;

	ok = env_setup(&env, 60ULL * 1000000000ULL, true);
	if (ok) {
		run_prog(&env, POD_INGRESS, frame, len, 0, 0, 5);
		ring_buffer__consume(env.rb);
		flows_flush(bpf_map__fd(env.skel->maps.mg_flows), flush_sum, &flushed);
		ok &= check(env.n_events == 1, "%d events, want 1", env.n_events);
		ok &= check(env.event_packets == 1, "event count %llu, want 1",
			    (unsigned long long)env.event_packets);
		ok &= check(flushed == 4, "flushed %llu, want 4", (unsigned long long)flushed);
		ok &= check(counters_of(&env, MG_HOOK_POD_INGRESS).packets[MG_CLASS_TOO_BIG] == 5,
			    "counter not 5");
		flushed = 0;
		flows_flush(bpf_map__fd(env.skel->maps.mg_flows), flush_sum, &flushed);
		ok &= check(flushed == 0, "a second flush reported %llu again",
			    (unsigned long long)flushed);
	}
	env_teardown(&env);
	return ok;
}

/* With the ring buffer full, reservations fail and are counted, and the
 * packets they stood for still reach userspace through the flush. */
static bool test_ringbuf_full(void)
{
	struct frame_spec spec = V6(.l3_len = 1500);
	const int packets = 4000; /* > 256 KiB / 104-byte records */
	uint8_t frame[FRAME_MAX];
	unsigned int len = build_frame(&spec, frame);
	__u64 flushed = 0;
	struct env env;
	bool ok;

	ok = env_setup(&env, 1, true); /* sample every packet */
	if (ok) {
		run_prog(&env, POD_INGRESS, frame, len, 0, 0, packets);
		ring_buffer__consume(env.rb);
		flows_flush(bpf_map__fd(env.skel->maps.mg_flows), flush_sum, &flushed);
		ok &= check(stat_of(&env, MG_STAT_RINGBUF_LOST) > 0, "no reservation failed");
		ok &= check(env.event_packets + flushed == (__u64)packets,
			    "events %llu + flushed %llu != %d packets",
			    (unsigned long long)env.event_packets, (unsigned long long)flushed,
			    packets);
		ok &= check(stat_of(&env, MG_STAT_SAMPLES) == (__u64)env.n_events,
			    "samples stat %llu, events %d",
			    (unsigned long long)stat_of(&env, MG_STAT_SAMPLES), env.n_events);
	}
	env_teardown(&env);
	return ok;
}

/* A packet on an interface with no configuration is counted as such and
 * passed, never judged against a zero limit. */
static bool test_unconfigured(void)
{
	struct frame_spec spec = V4(.l3_len = 1500, .df = true);
	uint8_t frame[FRAME_MAX];
	unsigned int len = build_frame(&spec, frame);
	struct env env;
	bool ok;

	ok = env_setup(&env, 1000000000ULL, false);
	if (ok) {
		long long verdict = run_prog(&env, POD_INGRESS, frame, len, 0, 0, 1);

		ring_buffer__consume(env.rb);
		ok &= check(verdict == TC_ACT_UNSPEC_, "verdict %lld", verdict);
		ok &= check(stat_of(&env, MG_STAT_NO_CONFIG) == 1, "no_config stat not 1");
		ok &= check(env.n_events == 0, "%d events", env.n_events);
	}
	env_teardown(&env);
	return ok;
}

/* An interface whose spot in mg_iface_spots another holds is found
 * through mg_ifaces; once forgotten it is not judged at all; and with the
 * other gone it takes its spot back. */
static bool test_spot_held_by_another(void)
{
	struct frame_spec spec = V4(.l3_len = 1500, .df = true);
	struct mg_iface_cfg cfg = { .role = MG_ROLE_POD, .pod_mtu = POD_MTU, .path_mtu = PATH_MTU };
	__u32 squatter = TEST_IFINDEX + MG_MAX_IFACES, spot = TEST_IFINDEX % MG_MAX_IFACES;
	uint8_t frame[FRAME_MAX];
	unsigned int len = build_frame(&spec, frame);
	struct mg_iface_spot held = {};
	struct iface_maps maps;
	struct env env;
	bool ok;

	ok = env_setup(&env, 1000000000ULL, false);
	if (ok) {
		maps = env_iface_maps(&env);
		ifaces_write(&maps, squatter, &cfg);
		ifaces_write(&maps, TEST_IFINDEX, &cfg);
		run_prog(&env, POD_INGRESS, frame, len, 0, 0, 1);
		ok &= check(counters_of(&env, MG_HOOK_POD_INGRESS).packets[MG_CLASS_TOO_BIG] == 1,
			    "not judged through the hash");
		ifaces_forget(&maps, TEST_IFINDEX);
		run_prog(&env, POD_INGRESS, frame, len, 0, 0, 1);
		ok &= check(stat_of(&env, MG_STAT_NO_CONFIG) == 1, "forgotten, yet judged");
		ifaces_forget(&maps, squatter);
		ifaces_write(&maps, TEST_IFINDEX, &cfg);
		bpf_map_lookup_elem(maps.spots_fd, &spot, &held);
		ok &= check(held.ifindex == TEST_IFINDEX, "spot held by %u", held.ifindex);
		run_prog(&env, POD_INGRESS, frame, len, 0, 0, 1);
		ok &= check(counters_of(&env, MG_HOOK_POD_INGRESS).packets[MG_CLASS_TOO_BIG] == 2,
			    "not judged through its spot");
	}
	env_teardown(&env);
	return ok;
}

/* What the fast path counted of the test interface for @hook, over CPUs. */
static __u64 fast_packets(const struct env *env, enum mg_hook hook)
{
	struct mg_fast_count values[256] = {};
	__u32 spot = TEST_IFINDEX % MG_MAX_IFACES;
	int cpu, ncpus = libbpf_num_possible_cpus();
	__u64 sum = 0;

	if (ncpus <= 0 || ncpus > 256 ||
	    bpf_map_lookup_elem(bpf_map__fd(env->skel->maps.mg_fast_counts), &spot, values))
		return 0;
	for (cpu = 0; cpu < ncpus; cpu++)
		sum += values[cpu].packets[mg_hook_dir(hook)];
	return sum;
}

/* One frame on one program: whether the fast path counted it (and that it
 * was counted as fits either way, once). */
static bool took_fast_path(struct env *env, enum prog prog, enum mg_hook hook,
			   const struct frame_spec *spec, __u32 gso_size, __u32 gso_segs,
			   bool *fast)
{
	__u64 fits = counters_of(env, hook).packets[MG_CLASS_FITS];
	__u64 before = fast_packets(env, hook);
	uint8_t frame[FRAME_MAX];
	unsigned int len = build_frame(spec, frame);

	run_prog(env, prog, frame, len, gso_size, gso_segs, 1);
	*fast = fast_packets(env, hook) == before + 1;
	return check(counters_of(env, hook).packets[MG_CLASS_FITS] ==
			     fits + (gso_segs ? gso_segs : 1),
		     "not counted as fits exactly once");
}

/* The fast path takes exactly what it may (fast.bpf.h), counts it as fits,
 * and its counts survive the interface (folded into its slot). */
static bool test_fast_path(void)
{
	struct {
		const char *what;
		enum prog prog;
		enum mg_hook hook;
		struct frame_spec spec;
		__u32 gso_size, gso_segs;
		bool fast;
	} runs[] = {
		{ "a small TCP packet", POD_INGRESS, MG_HOOK_POD_INGRESS, V4(.l3_len = 100), 0, 0,
		  true },
		{ "one at the bound", POD_EGRESS, MG_HOOK_POD_EGRESS, V4(.l3_len = 600), 0, 0,
		  true },
		{ "one over it", POD_INGRESS, MG_HOOK_POD_INGRESS, V4(.l3_len = 601), 0, 0, false },
		{ "IPv6 UDP", UPLINK_TC, MG_HOOK_UPLINK_INGRESS,
		  V6(.l3_len = 200, .proto = IPPROTO_UDP), 0, 0, true },
		{ "one 802.1Q tag", UPLINK_XDP, MG_HOOK_UPLINK_INGRESS,
		  V4(.l3_len = 200, .vlan_tags = 1), 0, 0, true },
		{ "QinQ", POD_INGRESS, MG_HOOK_POD_INGRESS, V4(.l3_len = 200, .vlan_tags = 2), 0, 0,
		  false },
		{ "IPv4 options", POD_INGRESS, MG_HOOK_POD_INGRESS,
		  V4(.l3_len = 200, .ip_opts_len = 8), 0, 0, false },
		{ "an IPv6 extension header", POD_INGRESS, MG_HOOK_POD_INGRESS,
		  V6(.l3_len = 200, .ipv6_ext_hdrs = 1), 0, 0, false },
		{ "ICMP where ICMP too-big is looked for", POD_EGRESS, MG_HOOK_POD_EGRESS,
		  V4(.l3_len = 100, .proto = IPPROTO_ICMP, .icmp_type = 8), 0, 0, false },
		{ "ICMP from a Pod", POD_INGRESS, MG_HOOK_POD_INGRESS,
		  V4(.l3_len = 100, .proto = IPPROTO_ICMP, .icmp_type = 8), 0, 0, true },
		{ "a small GSO skb (3 packets on the wire)", POD_INGRESS, MG_HOOK_POD_INGRESS,
		  V4(.l3_len = 500), 100, 3, false },
	};
	struct iface_maps maps;
	struct env env;
	bool ok, fast;
	size_t i;
	__u64 fits;

	ok = env_setup(&env, 1000000000ULL, true);
	for (i = 0; ok && i < sizeof(runs) / sizeof(runs[0]); i++) {
		ok &= took_fast_path(&env, runs[i].prog, runs[i].hook, &runs[i].spec,
				     runs[i].gso_size, runs[i].gso_segs, &fast);
		ok &= check(fast == runs[i].fast, "%s: %s the fast path", runs[i].what,
			    fast ? "took" : "did not take");
	}
	if (ok) {
		/* Forgotten, its fast counts go into its own slot. */
		fits = counters_of(&env, MG_HOOK_POD_INGRESS).packets[MG_CLASS_FITS];
		maps = env_iface_maps(&env);
		ifaces_forget(&maps, TEST_IFINDEX);
		ok &= check(fast_packets(&env, MG_HOOK_POD_INGRESS) == 0, "still owned");
		ok &= check(counters_of(&env, MG_HOOK_POD_INGRESS).packets[MG_CLASS_FITS] == fits,
			    "fits after the interface went: %llu, want %llu",
			    (unsigned long long)counters_of(&env, MG_HOOK_POD_INGRESS)
				    .packets[MG_CLASS_FITS],
			    (unsigned long long)fits);
	}
	env_teardown(&env);
	return ok;
}

int main(void)
{
	struct env env;
	size_t i;

	libbpf_set_print(NULL);
	if (!env_setup(&env, 1, true)) {
		printf("FAIL: bpf: load the programs (are you root?)\n");
		printf("0 passed, 1 failed\n");
		return 1;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		result(cases[i].name, run_case(&env, &cases[i]));
	env_teardown(&env);

	result("repeats within the interval fold into one alert and the flush", test_fold());
	result("ring buffer full: losses counted, counts still add up", test_ringbuf_full());
	result("unconfigured interface: counted, passed, not judged", test_unconfigured());
	result("interface whose spot another holds: found through the hash",
	       test_spot_held_by_another());
	result("fast path: takes what fits plainly, counts it once, folds it at the end",
	       test_fast_path());

	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
