// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Differential testing of the BPF decision: structured random frames, and
 * mutations of them, fed to the loaded programs (BPF_PROG_TEST_RUN) and to
 * the reference model (reference.c); any disagreement in verdict, class,
 * counters or the sampled event fails and is printed with the frame.
 *
 *   bpf_diff [--frames N] [--seed S]    (default 20000 frames, seed 1)
 *
 * Needs root. Every hook sees every frame, but for those a test run refuses
 * (shorter than Ethernet; for TC, an IP EtherType without a whole IP header).
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include "assist.skel.h"
#include "datapath/assist.h"
#include "datapath/counters.h"
#include "datapath/ifaces.h"
#include "mtuguard.h"
#include "mtuguard.skel.h"
#include "report/names.h"
#include "reference.h"

#define TEST_IFINDEX 1 /* test runs see the loopback device */
#define MAX_FRAME 3200 /* within what a TC test run accepts */
#define MAX_REPORTED 10

static uint64_t rng_state;

/* splitmix64: small, seeded, and the same sequence on every machine. */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static int chance(uint32_t percent)
{
	return below(100) < percent;
}

static const struct ref_config base_config = {
	.pod_mtu = 1400,
	.path_mtu = 1450,
	.pod_v4 = { 10, 0, 0, 50 },
	.pod_v6 = { 0xfd, 0, [15] = 0x50 },
	.local_pod_mtu = 1300,
	.local_pod_ifindex = 7,
	.node_v4 = { 10, 0, 0, 1 },
	.ifindex = TEST_IFINDEX,
	.self_v4 = { 10, 0, 0, 10 },
	.self_v6 = { 0xfd, 0, [15] = 0x10 },
	.silent = 1U << MG_LIMIT_PATH_MTU | 1U << MG_LIMIT_LOCAL_POD,
	/* a /16 with a /24 inside it (the longer wins), an IPv6 /32, and an
	 * IPv4 /1 whose bits half the random IPv6 addresses share */
	.routes = { { .addr = { 10, 9 }, .len = 16, .mtu = 1400, .silent = 1 },
		    { .addr = { 10, 9, 8 }, .len = 24, .mtu = 9000 },
		    { .v6 = 1, .addr = { 0xfd, 0x09 }, .len = 32, .mtu = 1280 },
		    { .addr = { 0x80 }, .len = 1, .mtu = 1480 } },
	.n_routes = 4,
};

/* Sizes near every limit in play, or anything up to 3000. */
static uint32_t pick_l3_size(void)
{
	static const uint32_t edges[] = { 1280, 1300, 1400, 1450, 1480, 1500 };

	if (chance(60))
		return edges[below(4)] - 2 + below(5);
	return 20 + below(2981);
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static void random_bytes(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = (uint8_t)rnd();
}

/* L4 header at @p with @room bytes; @v6 picks ICMPv6 for "ICMP". */
static void gen_l4(uint8_t *p, size_t room, uint8_t proto)
{
	if (room < 8)
		return;
	random_bytes(p, room < 20 ? room : 20);
	if (proto == 6 && room >= 20)
		p[12] = (uint8_t)((chance(85) ? 5 + below(11) : below(16)) << 4);
	if (proto == 1 && chance(40)) {
		p[0] = 3;
		p[1] = 4;
	}
	if (proto == 58 && chance(40))
		p[0] = 2;
	if ((proto == 1 || proto == 58) && chance(50))
		put32(p + 4, 1200 + below(400));
}

static uint8_t pick_proto(int v6)
{
	static const uint8_t common[] = { 6, 6, 6, 17, 17, 1, 58, 47, 132 };
	uint8_t p = common[below(sizeof(common))];

	/* Mostly the right ICMP for the family; sometimes the wrong one. */
	if (chance(80) && (p == 1 || p == 58))
		p = v6 ? 58 : 1;
	return p;
}

/* An address inside one of the routes of @v6's family, or 0. */
static int pick_routed(uint8_t *addr, int v6)
{
	size_t i = below((uint32_t)base_config.n_routes);
	const struct ref_route *r = &base_config.routes[i];
	uint32_t b;

	if (r->v6 != v6)
		return 0;
	random_bytes(addr, v6 ? 16 : 4);
	for (b = 0; b < r->len; b++) {
		uint8_t mask = (uint8_t)(0x80 >> (b % 8));

		addr[b / 8] = (uint8_t)((addr[b / 8] & ~mask) | (r->addr[b / 8] & mask));
	}
	return 1;
}

static size_t gen_ipv4(uint8_t *ip, uint32_t size)
{
	uint32_t opts = chance(70) ? 0 : below(11) * 4, hdr = 20 + opts;
	uint8_t proto = pick_proto(0);

	if (size < hdr + 8)
		size = hdr + 8;
	ip[0] = (uint8_t)(0x40 | (chance(97) ? hdr / 4 : below(5)));
	put16(ip + 2, chance(95) ? size : (uint32_t)below(65536));
	put16(ip + 6, (chance(60) ? 0x4000 : 0) | (chance(5) ? 1 + below(0x1fff) : 0));
	ip[8] = 64;
	ip[9] = proto;
	random_bytes(ip + 12, 4);
	if (chance(50)) /* from the Pod itself: what the assist answers */
		memcpy(ip + 12, base_config.self_v4, 4);
	if (chance(30))
		memcpy(ip + 16, base_config.pod_v4, 4);
	else if (chance(15))
		memcpy(ip + 16, base_config.node_v4, 4);
	else if (!chance(40) || !pick_routed(ip + 16, 0))
		random_bytes(ip + 16, 4);
	random_bytes(ip + 20, opts);
	gen_l4(ip + hdr, size - hdr, proto);
	return size;
}

static size_t gen_ipv6(uint8_t *ip, uint32_t size)
{
	static const uint8_t ext_types[] = { 0, 43, 60, 51, 44 };
	uint32_t n_ext = chance(60) ? 0 : chance(95) ? 1 + below(3) : 6 + below(2);
	uint8_t proto = pick_proto(1), *next = ip + 6;
	size_t off = 40, i;

	ip[0] = 0x60;
	ip[7] = 64;
	random_bytes(ip + 8, 16);
	if (chance(50))
		memcpy(ip + 8, base_config.self_v6, 16);
	if (chance(30))
		memcpy(ip + 24, base_config.pod_v6, 16);
	else if (!chance(40) || !pick_routed(ip + 24, 1))
		random_bytes(ip + 24, 16);
	for (i = 0; i < n_ext && off + 24 < size; i++) {
		uint8_t type = ext_types[below(sizeof(ext_types))];
		size_t len;

		*next = type;
		next = ip + off;
		ip[off + 1] = (uint8_t)(type == 44 ? 0 : below(3));
		if (type == 44) {
			len = 8;
			put16(ip + off + 2, chance(80) ? 0 : below(65536));
		} else if (type == 51) {
			len = ((size_t)ip[off + 1] + 2) * 4;
		} else {
			len = ((size_t)ip[off + 1] + 1) * 8;
		}
		off += len;
	}
	*next = proto;
	if (size < off + 8)
		size = (uint32_t)off + 8;
	put16(ip + 4, chance(95) ? size - 40 : (uint32_t)below(65536));
	gen_l4(ip + off, size - off, proto);
	return size;
}

/* One frame: Ethernet, 0 to 3 tags, IPv4/IPv6/other, maybe cut or mangled. */
static size_t gen_frame(uint8_t *f, uint32_t *gso)
{
	uint32_t tags = chance(60) ? 0 : chance(60) ? 1 : chance(85) ? 2 : 3, i;
	size_t off = 12, len;
	uint32_t kind = below(100);

	memset(f, 0, MAX_FRAME);
	random_bytes(f, 12);
	for (i = 0; i < tags; i++, off += 4) {
		put16(f + off, chance(50) ? 0x8100 : 0x88a8);
		put16(f + off + 2, below(4096));
	}
	if (kind < 45) {
		put16(f + off, 0x0800);
		len = off + 2 + gen_ipv4(f + off + 2, pick_l3_size());
	} else if (kind < 90) {
		put16(f + off, 0x86dd);
		len = off + 2 + gen_ipv6(f + off + 2, pick_l3_size());
	} else {
		put16(f + off, chance(50) ? 0x0806 : below(65536));
		len = off + 2 + 28;
	}
	if (len > MAX_FRAME)
		len = MAX_FRAME;
	if (chance(10)) /* cut anywhere, down to nothing */
		len = below((uint32_t)len + 1);
	for (i = chance(10) ? 1 + below(3) : 0; i && len; i--) /* flip a byte */
		f[below((uint32_t)len)] ^= (uint8_t)(1 + below(255));
	*gso = chance(20) ? 500 + below(1001) : 0;
	return len;
}

struct run {
	struct mtuguard_bpf *skel;
	struct assist *assist;
	unsigned long answered; /* frames the model and the assist both answered */
	struct ring_buffer *rb;
	struct mg_event ev;
	int n_events;
	unsigned long frames, refused, disagreements;
	unsigned long by_class[MG_CLASS_MAX]; /* what the model said, per class */
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct run *r = ctx;

	if (size >= sizeof(r->ev))
		memcpy(&r->ev, data, sizeof(r->ev));
	r->n_events++;
	return 0;
}

static const enum mg_hook pod_hooks[] = { MG_HOOK_POD_INGRESS, MG_HOOK_POD_EGRESS };

static void counters_now(struct run *r, uint32_t hook, struct mg_counters *sum)
{
	memset(sum, 0, sizeof(*sum));
	counters_sum(bpf_map__fd(r->skel->maps.mg_counters),
		     bpf_map__fd(r->skel->maps.mg_fast_counts), mg_counter_index(0, hook), sum);
}

static void dump_frame(const uint8_t *f, size_t len, uint32_t gso)
{
	size_t i;

	printf("    frame (%zu bytes, gso_size %u):", len, gso);
	for (i = 0; i < len && i < 96; i++)
		printf("%s%02x", i % 32 ? "" : "\n      ", f[i]);
	printf("%s\n", len > 96 ? " ..." : "");
}

/* Runs one frame through one program and compares with the model. */
static void compare(struct run *r, struct bpf_program *prog, uint32_t hook, int xdp,
		    const uint8_t *f, size_t len, uint32_t gso)
{
	struct ref_config cfg = base_config;
	struct __sk_buff skb = { .gso_size = gso };
	struct mg_counters before, after;
	struct ref_verdict want;
	int k, moved = -1, bad = 0;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f, .data_size_in = (__u32)len);

	if (!xdp) {
		opts.ctx_in = &skb;
		opts.ctx_size_in = sizeof(skb);
	}
	cfg.hook = hook;
	want = reference_judge(&cfg, f, len, (uint32_t)len, xdp ? 0 : gso);
	counters_now(r, hook, &before);
	r->n_events = 0;
	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts)) {
		if (errno == EINVAL && (!xdp || len < 14)) {
			r->refused++;
			return; /* a test run wants an Ethernet header; TC, a whole IP header */
		}
		printf("    test run failed: %s\n", strerror(errno));
		r->disagreements++;
		return;
	}
	ring_buffer__consume(r->rb);
	counters_now(r, hook, &after);
	r->by_class[want.class]++;
	for (k = 0; k < MG_CLASS_MAX; k++) {
		if (after.packets[k] != before.packets[k])
			moved = moved == -1 && after.packets[k] == before.packets[k] + 1 ? k : -2;
	}
	bad |= opts.retval != (xdp ? 2u : (__u32)-1);
	bad |= moved != (int)want.class;
	if (moved >= 0)
		bad |= after.bytes[moved] - before.bytes[moved] != want.bytes;
	if (want.class < MG_CLASS_FITS) {
		bad |= r->n_events != 1;
		bad |= r->n_events == 1 && want.class != MG_CLASS_ICMP_TOO_BIG &&
		       (r->ev.len != want.len || r->ev.limit != want.limit);
		bad |= r->n_events == 1 && want.class == MG_CLASS_ICMP_TOO_BIG &&
		       r->ev.limit != want.limit;
		bad |= r->n_events == 1 && r->ev.pod_ifindex != want.pod_ifindex;
	} else {
		bad |= r->n_events != 0;
	}
	if (!bad)
		return;
	if (r->disagreements++ < MAX_REPORTED) {
		printf("    disagreement at %s: bpf %s (verdict %u, %d events, len %u limit %u), "
		       "model %s (len %u limit %u, bytes %llu)\n",
		       hook_name(hook), moved >= 0 ? class_name(moved) : "no single class",
		       opts.retval, r->n_events, r->ev.len, r->ev.limit, class_name(want.class),
		       want.len, want.limit, (unsigned long long)want.bytes);
		dump_frame(f, len, gso);
	}
}

/* The assist on one frame a Pod sends: answered (and with which MTU) as
 * the model says, or passed on untouched. */
static void compare_assist(struct run *r, const uint8_t *f, size_t len, uint32_t gso)
{
	static uint8_t out[4096];
	struct ref_config cfg = base_config;
	struct __sk_buff skb = { .gso_size = gso };
	struct ref_assist want;
	uint32_t mtu = 0;
	int answered;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f, .data_size_in = (__u32)len,
		    .data_out = out, .data_size_out = sizeof(out), .ctx_in = &skb,
		    .ctx_size_in = sizeof(skb));

	cfg.hook = MG_HOOK_POD_INGRESS;
	want = reference_assist(&cfg, f, len, gso);
	if (bpf_prog_test_run_opts(assist_in_fd(r->assist), &opts))
		return;		     /* refused like the observer's run (counted there) */
	answered = opts.retval == 7; /* TC_ACT_REDIRECT, back into the Pod */
	if (answered && opts.data_size_out >= 14 + 48)
		mtu = out[12] == 0x86 ? (uint32_t)out[58] << 24 | (uint32_t)out[59] << 16 |
						(uint32_t)out[60] << 8 | out[61]
				      : (uint32_t)out[40] << 8 | out[41];
	if (answered == want.answer && (!answered || mtu == want.mtu) &&
	    (answered || (opts.retval == (__u32)-1 && opts.data_size_out == len))) {
		r->answered += (unsigned long)answered;
		return;
	}
	if (r->disagreements++ < MAX_REPORTED) {
		printf("    disagreement at the assist: bpf verdict %d (mtu %u), model %s (mtu "
		       "%u)\n",
		       (int)opts.retval, mtu, want.answer ? "answers" : "passes", want.mtu);
		dump_frame(f, len, gso);
	}
}

static int setup(struct run *r)
{
	struct mg_iface_cfg cfg = { .role = MG_ROLE_POD,
				    .pod_mtu = base_config.pod_mtu,
				    .path_mtu = base_config.path_mtu };
	struct mg_local_dst pod = { .kind = MG_DST_POD,
				    .ifindex = base_config.local_pod_ifindex,
				    .mtu = base_config.local_pod_mtu };
	struct mg_local_dst node = { .kind = MG_DST_NODE };
	/* As the guard does: the smallest Pod limit enables the fast path,
	 * which the reference model does not have. */
	struct mg_node_cfg node_cfg = { .pod_mtu_min =
						base_config.pod_mtu < base_config.local_pod_mtu
							? base_config.pod_mtu
							: base_config.local_pod_mtu,
					.route_mtu_min = UINT32_MAX };
	__u32 zero = 0;
	struct mg_addr a4 = { .family = AF_INET }, a6 = { .family = AF_INET6 },
		       n4 = { .family = AF_INET }, s4 = { .family = AF_INET },
		       s6 = { .family = AF_INET6 };
	struct mg_local_dst self = { .kind = MG_DST_POD,
				     .ifindex = TEST_IFINDEX,
				     .mtu = base_config.pod_mtu };
	__u32 ifindex = TEST_IFINDEX;
	size_t i;
	int dsts;

	r->skel = mtuguard_bpf__open();
	if (!r->skel)
		return -1;
	r->skel->rodata->sample_interval_ns = 1; /* every offending packet sampled */
	bpf_program__set_autoload(r->skel->progs.mg_kfree_skb, false);
	if (mtuguard_bpf__load(r->skel))
		return -1;
	r->rb = ring_buffer__new(bpf_map__fd(r->skel->maps.mg_events), on_event, r, NULL);
	if (!r->rb)
		return -1;
	/* The assist over the same maps, as the watch loads it, its rate
	 * limit out of the way (1 ns): the model has none. */
	r->assist = assist_load(r->skel->obj,
				&(struct assist_opts){ .silent_sources = base_config.silent,
						       .answer = true,
						       .interval_ns = 1 });
	if (!r->assist)
		return -1;
	memcpy(a4.addr, base_config.pod_v4, 4);
	memcpy(a6.addr, base_config.pod_v6, 16);
	memcpy(n4.addr, base_config.node_v4, 4);
	dsts = bpf_map__fd(r->skel->maps.mg_local_dsts);
	ifaces_write(&(struct iface_maps){ .hash_fd = bpf_map__fd(r->skel->maps.mg_ifaces),
					   .spots_fd = bpf_map__fd(r->skel->maps.mg_iface_spots),
					   .fast_fd = bpf_map__fd(r->skel->maps.mg_fast_counts),
					   .counters_fd = bpf_map__fd(r->skel->maps.mg_counters) },
		     ifindex, &cfg);
	/* Slot 0 named as the guard names it (the fast path's counts are
	 * added to the entry of the interface and hook it names). */
	counters_reset(bpf_map__fd(r->skel->maps.mg_counters), 0, (int)ifindex, pod_hooks, 2);
	bpf_map_update_elem(bpf_map__fd(r->skel->maps.mg_node), &zero, &node_cfg, BPF_ANY);
	bpf_map_update_elem(dsts, &a4, &pod, BPF_ANY);
	bpf_map_update_elem(dsts, &a6, &pod, BPF_ANY);
	bpf_map_update_elem(dsts, &n4, &node, BPF_ANY);
	/* The Pod's own addresses, behind the test interface. */
	memcpy(s4.addr, base_config.self_v4, 4);
	memcpy(s6.addr, base_config.self_v6, 16);
	bpf_map_update_elem(dsts, &s4, &self, BPF_ANY);
	bpf_map_update_elem(dsts, &s6, &self, BPF_ANY);
	for (i = 0; i < base_config.n_routes; i++) {
		const struct ref_route *rt = &base_config.routes[i];
		struct mg_route_key key = { .prefixlen = MG_ROUTE_FAMILY_BITS + rt->len,
					    .family = rt->v6 ? AF_INET6 : AF_INET };
		struct mg_route route = { .mtu = rt->mtu,
					  .id = (__u32)i,
					  .flags = rt->silent ? MG_ROUTE_F_SILENT : 0 };

		memcpy(key.addr, rt->addr, sizeof(key.addr));
		bpf_map_update_elem(bpf_map__fd(r->skel->maps.mg_routes), &key, &route, BPF_ANY);
		if (rt->mtu < node_cfg.route_mtu_min)
			node_cfg.route_mtu_min = rt->mtu;
	}
	/* As the guard does: the smallest prefix limit bounds the fast path,
	 * and the smallest limit of all the fastest one (fast.bpf.h). */
	node_cfg.fast_bound = node_cfg.pod_mtu_min < base_config.path_mtu ? node_cfg.pod_mtu_min
									  : base_config.path_mtu;
	if (node_cfg.route_mtu_min < node_cfg.fast_bound)
		node_cfg.fast_bound = node_cfg.route_mtu_min;
	bpf_map_update_elem(bpf_map__fd(r->skel->maps.mg_node), &zero, &node_cfg, BPF_ANY);
	return 0;
}

/* What the fast path counted of the test interface, over CPUs and hooks. */
static unsigned long long fast_path_packets(const struct run *r)
{
	struct mg_fast_count values[256] = {};
	__u32 spot = TEST_IFINDEX % MG_MAX_IFACES;
	int cpu, ncpus = libbpf_num_possible_cpus();
	unsigned long long sum = 0;

	if (ncpus <= 0 || ncpus > 256 ||
	    bpf_map_lookup_elem(bpf_map__fd(r->skel->maps.mg_fast_counts), &spot, values))
		return 0;
	for (cpu = 0; cpu < ncpus; cpu++)
		sum += values[cpu].packets[MG_DIR_IN] + values[cpu].packets[MG_DIR_OUT];
	return sum;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "frames", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long frames = 20000, seed = 1, i;
	unsigned long long fast;
	uint8_t frame[MAX_FRAME];
	struct run r = { 0 };
	int opt;

	while ((opt = getopt_long(argc, argv, "n:s:", opts, NULL)) != -1) {
		if (opt == 'n')
			frames = strtoul(optarg, NULL, 10);
		else if (opt == 's')
			seed = strtoul(optarg, NULL, 10);
		else
			return 2;
	}
	libbpf_set_print(NULL);
	rng_state = seed;
	if (setup(&r)) {
		printf("FAIL: diff: cannot load the programs (run as root)\n");
		return 1;
	}
	for (i = 0; i < frames; i++) {
		uint32_t gso;
		size_t len = gen_frame(frame, &gso);

		compare(&r, r.skel->progs.mg_pod_ingress, MG_HOOK_POD_INGRESS, 0, frame, len, gso);
		compare(&r, r.skel->progs.mg_pod_egress, MG_HOOK_POD_EGRESS, 0, frame, len, gso);
		compare(&r, r.skel->progs.mg_uplink_tc, MG_HOOK_UPLINK_INGRESS, 0, frame, len, gso);
		compare(&r, r.skel->progs.mg_uplink_xdp, MG_HOOK_UPLINK_INGRESS, 1, frame, len, 0);
		compare_assist(&r, frame, len, gso);
	}
	printf("%s: diff: %lu random frames (seed %lu) through 4 programs, the assist and the "
	       "model: "
	       "%lu disagreements (%lu runs the kernel refuses to test)\n",
	       r.disagreements ? "FAIL" : "PASS", frames, seed, r.disagreements, r.refused);
	printf("    judgements compared:");
	for (i = 0; i < MG_CLASS_MAX; i++)
		printf(" %s %lu", class_name((unsigned int)i), r.by_class[i]);
	printf("\n");
	fast = fast_path_packets(&r);
	printf("    of the fits, %llu took the fast path (fast.bpf.h); the assist answered %lu "
	       "frames as the model did\n",
	       fast, r.answered);
	if (!fast)
		printf("FAIL: diff: no frame took the fast path, so it was not compared\n");
	if (!r.answered)
		printf("FAIL: diff: the assist answered no frame, so its answers were not "
		       "compared\n");
	ring_buffer__free(r.rb);
	assist_destroy(r.assist);
	mtuguard_bpf__destroy(r.skel);
	return r.disagreements || !fast || !r.answered ? 1 : 0;
}
