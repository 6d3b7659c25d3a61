// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Per-packet cost of each mtuguard program, through BPF_PROG_TEST_RUN with a
 * large repeat count, beside a no-op program of the same type measured in the
 * same run: rounds alternate no-op and mtuguard, and the medians are reported
 * (the machines are shared and noisy). Writes a table and a JSON file.
 *
 *   prog_cost [--rounds N] [--repeat N] [--pods N] [--json FILE]
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "datapath/ifaces.h"
#include "mtuguard.h"
#include "assist.skel.h"
#include "datapath/assist.h"
#include "mtuguard.skel.h"
#include "noop.skel.h"

struct packet {
	const char *name;
	struct frame_spec spec;
	__u32 gso_size;
};

/* The mix: an ACK, a full packet that fits, an oversize DF one (the
 * sampling path: after the first, folded), a GSO packet, IPv6, VLAN. */
static const struct packet mix[] = {
	{ .name = "tcp ack (54 B)", .spec = { .family = FRAME_IPV4, .l3_len = 40, .df = true } },
	{ .name = "full size, fits (1450 B)",
	  .spec = { .family = FRAME_IPV4, .l3_len = 1450, .df = true } },
	{ .name = "oversize DF (1500 B)",
	  .spec = { .family = FRAME_IPV4, .l3_len = 1500, .df = true } },
	{ .name = "GSO 3000 B, 1448 segments",
	  .spec = { .family = FRAME_IPV4, .l3_len = 3000, .df = true },
	  .gso_size = 1448 },
	{ .name = "ipv6 1400 B", .spec = { .family = FRAME_IPV6, .l3_len = 1400 } },
	{ .name = "802.1Q ipv4 1400 B",
	  .spec = { .family = FRAME_IPV4, .l3_len = 1400, .df = true, .vlan_tags = 1 } },
};

static int cmp_u32(const void *a, const void *b)
{
	return (int)(*(const __u32 *)a > *(const __u32 *)b) -
	       (int)(*(const __u32 *)a < *(const __u32 *)b);
}

static __u32 run(int fd, const struct packet *p, const uint8_t *frame, unsigned int len, int xdp,
		 int repeat)
{
	struct __sk_buff skb = { .gso_size = p->gso_size };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
		    .repeat = repeat);

	if (!xdp && p->gso_size) {
		opts.ctx_in = &skb;
		opts.ctx_size_in = sizeof(skb);
	}
	if (bpf_prog_test_run_opts(fd, &opts))
		return 0;
	return opts.duration; /* mean ns per run */
}

/* Destination prefixes as a node with a route per remote Pod block has
 * them: 10.128.0.0/24, 10.128.1.0/24, ... at 1450 (none holds the mix's
 * destination 10.0.0.99), half of them IPv6 (fd80:0:N::/64). */
static void put_prefixes(struct mtuguard_bpf *skel, int prefixes)
{
	int fd = bpf_map__fd(skel->maps.mg_routes), i;

	for (i = 0; i < prefixes; i++) {
		struct mg_route_key key = { .family = i % 2 ? AF_INET6 : AF_INET };
		struct mg_route route = { .mtu = 1450, .id = (__u32)i };

		if (key.family == AF_INET) {
			key.prefixlen = MG_ROUTE_FAMILY_BITS + 24;
			key.addr[0] = 10;
			key.addr[1] = (uint8_t)(128 + (i >> 8));
			key.addr[2] = (uint8_t)i;
		} else {
			key.prefixlen = MG_ROUTE_FAMILY_BITS + 64;
			key.addr[0] = 0xfd;
			key.addr[1] = 0x80;
			key.addr[4] = (uint8_t)(i >> 8);
			key.addr[5] = (uint8_t)i;
		}
		bpf_map_update_elem(fd, &key, &route, BPF_ANY);
	}
}

/* Fills the maps as a node with @pods Pods and @prefixes destination
 * prefixes would (and the test run's loopback as one of the Pods), so
 * lookups cost what they cost at that size. */
static void configure(struct mtuguard_bpf *skel, int pods, int prefixes)
{
	struct mg_iface_cfg cfg = { .role = MG_ROLE_POD, .pod_mtu = 1500, .path_mtu = 1450 };
	/* As the guard writes it: the smallest prefix limit, none: no bound. */
	struct mg_node_cfg node = { .pod_mtu_min = 1500,
				    .route_mtu_min = prefixes ? 1450 : UINT32_MAX,
				    /* the smallest limit of all: the path's */
				    .fast_bound = 1450 };
	struct iface_maps ifaces = { .hash_fd = bpf_map__fd(skel->maps.mg_ifaces),
				     .spots_fd = bpf_map__fd(skel->maps.mg_iface_spots),
				     .fast_fd = bpf_map__fd(skel->maps.mg_fast_counts),
				     .counters_fd = bpf_map__fd(skel->maps.mg_counters) };
	int dsts = bpf_map__fd(skel->maps.mg_local_dsts);
	__u32 ifindex, zero = 0;
	int i;

	bpf_map_update_elem(bpf_map__fd(skel->maps.mg_node), &zero, &node, BPF_ANY);
	for (i = 0; i < pods; i++) {
		struct mg_addr a = { .family = AF_INET,
				     .addr = { 10, 200, (uint8_t)(i >> 8), (uint8_t)i } };
		struct mg_local_dst d = { .kind = MG_DST_POD, .ifindex = 1000 + i, .mtu = 1500 };

		ifindex = 1000 + i;
		cfg.slot = (__u32)i;
		ifaces_write(&ifaces, ifindex, &cfg);
		bpf_map_update_elem(dsts, &a, &d, BPF_ANY);
	}
	ifindex = 1;
	cfg.slot = (__u32)pods;
	ifaces_write(&ifaces, ifindex, &cfg);
	put_prefixes(skel, prefixes);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "repeat", required_argument, NULL, 'n' },
		{ "pods", required_argument, NULL, 'p' },
		{ "prefixes", required_argument, NULL, 'x' },
		{ "json", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int rounds = 7, repeat = 200000, pods = 0, prefixes = 0, opt, r;
	const char *json_path = NULL;
	struct assist_opts assist_opts = { .silent_sources = 1U << MG_LIMIT_PATH_MTU,
					   .answer = true };
	struct mtuguard_bpf *skel;
	struct assist *assist;
	struct noop_bpf *noop;
	FILE *json = NULL;
	size_t i, k;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'r')
			rounds = atoi(optarg);
		else if (opt == 'n')
			repeat = atoi(optarg);
		else if (opt == 'p')
			pods = atoi(optarg);
		else if (opt == 'x')
			prefixes = atoi(optarg);
		else if (opt == 'j')
			json_path = optarg;
		else
			return 2;
	}
	if (rounds < 1 || rounds > 99)
		rounds = 7;
	libbpf_set_print(NULL);
	skel = mtuguard_bpf__open();
	noop = noop_bpf__open_and_load();
	if (!skel || !noop) {
		fprintf(stderr, "prog_cost: cannot load the programs (run as root)\n");
		return 1;
	}
	skel->rodata->sample_interval_ns = 1000000000ULL;
	bpf_program__set_autoload(skel->progs.mg_kfree_skb, false);
	if (mtuguard_bpf__load(skel)) {
		fprintf(stderr, "prog_cost: cannot load mtuguard\n");
		return 1;
	}
	if (prefixes < 0 || prefixes > MG_MAX_ROUTES)
		prefixes = 0;
	configure(skel, pods, prefixes);
	/* The opt-in assist over the same maps, as the watch loads it. */
	assist = assist_load(skel->obj, &assist_opts);
	if (!assist) {
		fprintf(stderr, "prog_cost: cannot load the assist\n");
		return 1;
	}
	if (json_path)
		json = fopen(json_path, "w");
	if (json)
		fprintf(json,
			"{\"pods\": %d, \"prefixes\": %d, \"repeat\": %d, \"rounds\": %d, "
			"\"results\": [\n",
			pods, prefixes, repeat, rounds);
	printf("per-packet cost, ns (median of %d rounds x %d runs; %d Pods and %d prefixes in the "
	       "maps)\n",
	       rounds, repeat, pods, prefixes);
	printf("  %-28s %-15s %8s %8s %7s\n", "packet", "program", "no-op", "mtuguard", "ratio");
	for (i = 0; i < sizeof(mix) / sizeof(mix[0]); i++) {
		const struct packet *p = &mix[i];
		struct {
			const char *name;
			struct bpf_program *prog;
			int xdp;
		} progs[] = {
			{ "pod_ingress", skel->progs.mg_pod_ingress, 0 },
			{ "pod_egress", skel->progs.mg_pod_egress, 0 },
			{ "uplink_tc", skel->progs.mg_uplink_tc, 0 },
			{ "uplink_xdp", skel->progs.mg_uplink_xdp, 1 },
			{ "assist_in", assist->skel->progs.mg_assist_in, 0 },
			{ "assist_out", assist->skel->progs.mg_assist_out, 0 },
		};
		uint8_t frame[FRAME_MAX];
		unsigned int len = build_frame(&p->spec, frame);

		for (k = 0; k < sizeof(progs) / sizeof(progs[0]); k++) {
			int base_fd = bpf_program__fd(progs[k].xdp ? noop->progs.bench_noop_xdp
								   : noop->progs.bench_noop_tc);
			__u32 a[99], b[99];

			if (progs[k].xdp && p->gso_size)
				continue;	       /* XDP frames carry no GSO */
			for (r = 0; r < rounds; r++) { /* A, B, A, B, ... */
				a[r] = run(base_fd, p, frame, len, progs[k].xdp, repeat);
				b[r] = run(bpf_program__fd(progs[k].prog), p, frame, len,
					   progs[k].xdp, repeat);
			}
			qsort(a, (size_t)rounds, sizeof(a[0]), cmp_u32);
			qsort(b, (size_t)rounds, sizeof(b[0]), cmp_u32);
			printf("  %-28s %-15s %8u %8u %6.2fx\n", p->name, progs[k].name,
			       a[rounds / 2], b[rounds / 2],
			       a[rounds / 2] ? (double)b[rounds / 2] / a[rounds / 2] : 0);
			if (json)
				fprintf(json,
					"%s  {\"packet\": \"%s\", \"program\": \"%s\", "
					"\"noop_ns\": %u, "
					"\"mtuguard_ns\": %u}",
					i || k ? ",\n" : "", p->name, progs[k].name, a[rounds / 2],
					b[rounds / 2]);
		}
	}
	if (json) {
		fprintf(json, "\n]}\n");
		fclose(json);
	}
	noop_bpf__destroy(noop);
	assist_destroy(assist);
	mtuguard_bpf__destroy(skel);
	return 0;
}
