// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The PMTUD assist (bpf/assist.bpf.c) on crafted frames, through
 * BPF_PROG_TEST_RUN over the observer's maps, loaded as the watch loads it
 * (datapath/assist.c): the reply's exact bytes (MACs and addresses swapped,
 * type and code, the announced MTU, the quote) with every checksum checked
 * by the plain one's-complement sum below, the verdicts, no reply for each
 * case the kernel's rules exclude, the rate limit, and MSS clamping on SYN
 * and SYN-ACK, in IPv4 and IPv6. Needs root.
 *
 * The test interface is the loopback (ifindex 1), a Pod with MTU 1500 and
 * path MTU 1450 whose addresses are 10.0.0.10 and fd00::10 (the frames'
 * default source); 10.9.0.0/16 is a prefix at 1400 on a routed path, which
 * the kernel answers itself, and 10.8.0.0/16 one at 1420 by the switched
 * uplink, which drops silently.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assist.skel.h"
#include "bpf_check.h"
#include "datapath/assist.h"
#include "datapath/counters.h"
#include "datapath/ifaces.h"
#include "frames.h"
#include "mtuguard.h"
#include "mtuguard.skel.h"

#define TEST_IFINDEX 1
#define POD_MTU 1500
#define PATH_MTU 1450
#define ROUTE_MTU 1400
#define SILENT_ROUTE_MTU 1420
#define TC_ACT_UNSPEC_ ((__u32)-1)
#define TC_ACT_REDIRECT_ 7

struct env {
	struct mtuguard_bpf *obs;
	struct assist *assist;
};

static void put_addr(int fd, int family, const char *text, __u32 ifindex, __u32 mtu)
{
	struct mg_addr a = { .family = (__u8)(family == 4 ? AF_INET : AF_INET6) };
	struct mg_local_dst d = { .kind = MG_DST_POD, .ifindex = ifindex, .mtu = mtu };

	inet_pton(family == 4 ? AF_INET : AF_INET6, text, a.addr);
	bpf_map_update_elem(fd, &a, &d, BPF_ANY);
}

static bool env_setup(struct env *env, bool answer)
{
	static const enum mg_hook hooks[] = { MG_HOOK_POD_INGRESS, MG_HOOK_POD_EGRESS };
	struct mg_iface_cfg cfg = { .role = MG_ROLE_POD, .pod_mtu = POD_MTU, .path_mtu = PATH_MTU };
	/* As the guard writes it: the smallest limit of all bounds the
	 * fast path, which the assist takes too. */
	struct mg_node_cfg node = { .pod_mtu_min = POD_MTU,
				    .route_mtu_min = ROUTE_MTU,
				    .fast_bound = ROUTE_MTU };
	struct mg_route_key key = { .prefixlen = MG_ROUTE_FAMILY_BITS + 16,
				    .family = AF_INET,
				    .addr = { 10, 9 } };
	struct mg_route route = { .mtu = ROUTE_MTU };
	struct assist_opts o = { .silent_sources =
					 1U << MG_LIMIT_PATH_MTU | 1U << MG_LIMIT_LOCAL_POD,
				 .answer = answer,
				 .interval_ns = 1000000000ULL };
	struct iface_maps maps;
	__u32 zero = 0;

	memset(env, 0, sizeof(*env));
	env->obs = mtuguard_bpf__open();
	if (!check(env->obs != NULL, "open the observer"))
		return false;
	bpf_program__set_autoload(env->obs->progs.mg_kfree_skb, false);
	if (!check(!mtuguard_bpf__load(env->obs), "load the observer (run as root)"))
		return false;
	env->assist = assist_load(env->obs->obj, &o);
	if (!check(env->assist != NULL, "load the assist"))
		return false;
	maps = (struct iface_maps){ .hash_fd = bpf_map__fd(env->obs->maps.mg_ifaces),
				    .spots_fd = bpf_map__fd(env->obs->maps.mg_iface_spots),
				    .fast_fd = -1,
				    .counters_fd = bpf_map__fd(env->obs->maps.mg_counters) };
	ifaces_write(&maps, TEST_IFINDEX, &cfg);
	counters_reset(maps.counters_fd, 0, TEST_IFINDEX, hooks, 2);
	bpf_map_update_elem(bpf_map__fd(env->obs->maps.mg_node), &zero, &node, BPF_ANY);
	put_addr(bpf_map__fd(env->obs->maps.mg_local_dsts), 4, "10.0.0.10", TEST_IFINDEX, POD_MTU);
	put_addr(bpf_map__fd(env->obs->maps.mg_local_dsts), 6, "fd00::10", TEST_IFINDEX, POD_MTU);
	bpf_map_update_elem(bpf_map__fd(env->obs->maps.mg_routes), &key, &route, BPF_ANY);
	/* 10.8.0.0/16 by the bridged uplink itself: switched, silent. */
	key.addr[1] = 8;
	route.mtu = SILENT_ROUTE_MTU;
	route.flags = MG_ROUTE_F_SILENT;
	bpf_map_update_elem(bpf_map__fd(env->obs->maps.mg_routes), &key, &route, BPF_ANY);
	return true;
}

static void env_teardown(struct env *env)
{
	assist_destroy(env->assist);
	mtuguard_bpf__destroy(env->obs);
}

/* One run: the verdict, and the frame as the program left it. */
struct outcome {
	__u32 retval;
	uint8_t out[FRAME_MAX];
	__u32 out_len;
};

static struct outcome run(const struct env *env, bool egress, const uint8_t *frame, __u32 len)
{
	struct outcome o = {};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
		    .data_out = o.out, .data_size_out = sizeof(o.out), .repeat = 1);
	int fd = egress ? assist_out_fd(env->assist) : assist_in_fd(env->assist);

	if (bpf_prog_test_run_opts(fd, &opts))
		check(false, "test run failed: %s", strerror(errno));
	o.retval = opts.retval;
	o.out_len = opts.data_size_out;
	return o;
}

static struct mg_assist_counts counts_of(const struct env *env)
{
	struct mg_assist_counts values[256] = {}, sum = {};
	int cpu, ncpus = libbpf_num_possible_cpus();
	__u32 slot = 0;

	if (ncpus > 0 && ncpus <= 256 &&
	    !bpf_map_lookup_elem(assist_counts_fd(env->assist), &slot, values)) {
		for (cpu = 0; cpu < ncpus; cpu++) {
			sum.answered += values[cpu].answered;
			sum.rate_limited += values[cpu].rate_limited;
			sum.mss_clamped += values[cpu].mss_clamped;
		}
	}
	return sum;
}

/* The independent checker: RFC 1071's sum, 16 bits at a time. */
static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static bool sums_to_zero(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* The IPv6 pseudo-header's sum for @len bytes of @proto. */
static uint32_t pseudo6(const uint8_t *ip6, uint32_t len, uint8_t proto)
{
	return sum16(ip6 + 8, 32, 0) + (len >> 16) + (len & 0xffff) + proto;
}

static uint32_t pseudo4(const uint8_t *ip, uint32_t len, uint8_t proto)
{
	return sum16(ip + 12, 8, 0) + len + proto;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* The reply to @in (an Ethernet + IPv4 or IPv6 frame) announcing @mtu. */
static bool check_reply(const struct outcome *o, const uint8_t *in, __u32 in_len, bool v6,
			__u32 mtu)
{
	const uint8_t *eth = o->out, *ip = o->out + 14, *icmp = ip + (v6 ? 40 : 20);
	__u32 quote = v6 ? MG_ASSIST_QUOTE_V6 : MG_ASSIST_QUOTE_V4;
	__u32 want_len = 14 + (v6 ? 40 : 20) + 8 + quote;
	bool ok = true;

	ok &= check(o->retval == TC_ACT_REDIRECT_, "verdict %d, want a redirect into the Pod",
		    (int)o->retval);
	ok &= check(o->out_len == want_len, "reply of %u bytes, want %u", o->out_len, want_len);
	if (!ok || in_len < 14 + quote)
		return false;
	ok &= check(!memcmp(eth, in + 6, 6) && !memcmp(eth + 6, in, 6), "MACs not swapped");
	ok &= check(!memcmp(eth + 12, in + 12, 2), "EtherType changed");
	if (v6) {
		ok &= check(ip[0] >> 4 == 6 && get16(ip + 4) == 8 + quote && ip[6] == 58 &&
				    ip[7] == 255,
			    "IPv6 header: version %u, payload %u, next %u, hop limit %u",
			    ip[0] >> 4, get16(ip + 4), ip[6], ip[7]);
		ok &= check(!memcmp(ip + 8, in + 14 + 24, 16) && !memcmp(ip + 24, in + 14 + 8, 16),
			    "addresses not swapped");
		ok &= check(icmp[0] == 2 && icmp[1] == 0 && get32(icmp + 4) == mtu,
			    "ICMPv6 type %u code %u mtu %u, want 2 0 %u", icmp[0], icmp[1],
			    get32(icmp + 4), mtu);
		ok &= check(sums_to_zero(sum16(icmp, 8 + quote, pseudo6(ip, 8 + quote, 58))),
			    "ICMPv6 checksum wrong");
	} else {
		ok &= check(ip[0] == 0x45 && get16(ip + 2) == 20 + 8 + quote && ip[8] == 255 &&
				    ip[9] == 1,
			    "IPv4 header: %02x, total %u, ttl %u, protocol %u", ip[0],
			    get16(ip + 2), ip[8], ip[9]);
		ok &= check(!memcmp(ip + 12, in + 14 + 16, 4) && !memcmp(ip + 16, in + 14 + 12, 4),
			    "addresses not swapped");
		ok &= check(sums_to_zero(sum16(ip, 20, 0)), "IP checksum wrong");
		ok &= check(icmp[0] == 3 && icmp[1] == 4 && get16(icmp + 6) == mtu,
			    "ICMP type %u code %u mtu %u, want 3 4 %u", icmp[0], icmp[1],
			    get16(icmp + 6), mtu);
		ok &= check(sums_to_zero(sum16(icmp, 8 + quote, 0)), "ICMP checksum wrong");
	}
	ok &= check(!memcmp(icmp + 8, in + 14, quote), "the quote is not the packet's start");
	return ok;
}

static bool untouched(const struct outcome *o, const uint8_t *in, __u32 len, const char *what)
{
	return check(o->retval == TC_ACT_UNSPEC_ && o->out_len == len && !memcmp(o->out, in, len),
		     "%s: verdict %d, %u bytes out of %u: acted on", what, (int)o->retval,
		     o->out_len, len);
}

static bool test_answers(void)
{
	struct frame_spec v4 = { .family = FRAME_IPV4, .l3_len = 1500, .df = true };
	struct frame_spec v6 = { .family = FRAME_IPV6, .l3_len = 1500 };
	struct frame_spec sr = {
		.family = FRAME_IPV4, .l3_len = 1440, .df = true, .dst = "10.8.1.1"
	};
	uint8_t f4[FRAME_MAX], f6[FRAME_MAX], fs[FRAME_MAX];
	__u32 n4 = build_frame(&v4, f4), n6 = build_frame(&v6, f6), ns = build_frame(&sr, fs);
	struct outcome o;
	struct env env;
	bool ok;

	ok = env_setup(&env, true);
	if (ok) {
		o = run(&env, false, f4, n4);
		ok &= check_reply(&o, f4, n4, false, PATH_MTU);
		o = run(&env, false, f6, n6);
		ok &= check_reply(&o, f6, n6, true, PATH_MTU);
		o = run(&env, false, fs, ns);
		ok &= check_reply(&o, fs, ns, false, SILENT_ROUTE_MTU);
		ok &= check(counts_of(&env).answered == 3, "answered %llu, want 3",
			    (unsigned long long)counts_of(&env).answered);
	}
	env_teardown(&env);
	return ok;
}

static bool test_exclusions(void)
{
	struct {
		const char *what;
		struct frame_spec spec;
		unsigned int later_fragment;
	} cases[] = {
		{ "IPv4 without DF", { .family = FRAME_IPV4, .l3_len = 1500 }, 0 },
		{ "a later fragment", { .family = FRAME_IPV4, .l3_len = 1500, .df = true }, 1 },
		{ "an ICMP error",
		  { .family = FRAME_IPV4,
		    .l3_len = 1500,
		    .df = true,
		    .proto = IPPROTO_ICMP,
		    .icmp_type = 3,
		    .icmp_code = 1 },
		  0 },
		{ "an ICMPv6 error",
		  { .family = FRAME_IPV6, .l3_len = 1500, .proto = IPPROTO_ICMPV6, .icmp_type = 1 },
		  0 },
		{ "multicast",
		  { .family = FRAME_IPV4, .l3_len = 1500, .df = true, .dst = "239.1.1.1" },
		  0 },
		{ "IPv6 multicast", { .family = FRAME_IPV6, .l3_len = 1500, .dst = "ff02::1" }, 0 },
		{ "a foreign source",
		  { .family = FRAME_IPV4, .l3_len = 1500, .df = true, .src = "10.0.0.77" },
		  0 },
		{ "a packet that fits", { .family = FRAME_IPV4, .l3_len = 1450, .df = true }, 0 },
		{ "a small one (the fast path)",
		  { .family = FRAME_IPV4, .l3_len = 100, .df = true },
		  0 },
		{ "a small IPv6 one", { .family = FRAME_IPV6, .l3_len = 100 }, 0 },
		{ "a routed path (the kernel answers it)",
		  { .family = FRAME_IPV4, .l3_len = 1450, .df = true, .dst = "10.9.0.1" },
		  0 },
	};
	uint8_t frame[FRAME_MAX];
	struct outcome o;
	struct env env;
	bool ok;
	size_t i;

	ok = env_setup(&env, true);
	for (i = 0; ok && i < sizeof(cases) / sizeof(cases[0]); i++) {
		__u32 len = build_frame(&cases[i].spec, frame);

		if (cases[i].later_fragment)
			frame[14 + 7] = 0xb9; /* DF and offset 185 * 8 */
		o = run(&env, false, frame, len);
		ok &= untouched(&o, frame, len, cases[i].what);
	}
	if (ok)
		ok &= check(counts_of(&env).answered == 0, "answered some");
	env_teardown(&env);
	return ok;
}

static bool test_rate_limit(void)
{
	struct frame_spec a = { .family = FRAME_IPV4, .l3_len = 1500, .df = true };
	struct frame_spec b = {
		.family = FRAME_IPV4, .l3_len = 1500, .df = true, .dst = "10.0.0.98"
	};
	uint8_t fa[FRAME_MAX], fb[FRAME_MAX];
	__u32 na = build_frame(&a, fa), nb = build_frame(&b, fb);
	struct mg_assist_counts c;
	struct outcome o;
	struct env env;
	bool ok;

	ok = env_setup(&env, true);
	if (ok) {
		o = run(&env, false, fa, na);
		ok &= check(o.retval == TC_ACT_REDIRECT_, "first not answered");
		o = run(&env, false, fa, na);
		ok &= untouched(&o, fa, na, "the second to the same destination within 1 s");
		o = run(&env, false, fb, nb);
		ok &= check(o.retval == TC_ACT_REDIRECT_, "another destination not answered");
		c = counts_of(&env);
		ok &= check(c.answered == 2 && c.rate_limited == 1,
			    "answered %llu, rate-limited %llu; want 2 and 1",
			    (unsigned long long)c.answered, (unsigned long long)c.rate_limited);
	}
	env_teardown(&env);
	return ok;
}

/* A SYN (or SYN-ACK with @ack) carrying MSS @mss, its TCP checksum valid. */
static __u32 syn_frame(uint8_t *frame, bool v6, bool ack, __u32 mss, const char *src,
		       const char *dst)
{
	struct frame_spec s = { .family = v6 ? FRAME_IPV6 : FRAME_IPV4,
				.l3_len = (v6 ? 40 : 20) + 24,
				.df = true,
				.tcp_doff = 6,
				.src = src,
				.dst = dst };
	__u32 len = build_frame(&s, frame);
	uint8_t *ip = frame + 14, *tcp = ip + (v6 ? 40 : 20);
	uint32_t sum;

	tcp[13] = ack ? 0x12 : 0x02;
	tcp[20] = 2;
	tcp[21] = 4;
	tcp[22] = (uint8_t)(mss >> 8);
	tcp[23] = (uint8_t)mss;
	tcp[16] = tcp[17] = 0;
	sum = v6 ? pseudo6(ip, 24, IPPROTO_TCP) : pseudo4(ip, 24, IPPROTO_TCP);
	sum = sum16(tcp, 24, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	tcp[16] = (uint8_t)(~sum >> 8);
	tcp[17] = (uint8_t)~sum;
	return len;
}

static bool check_mss(const struct outcome *o, bool v6, __u32 want)
{
	const uint8_t *ip = o->out + 14, *tcp = ip + (v6 ? 40 : 20);
	uint32_t sum = v6 ? pseudo6(ip, 24, IPPROTO_TCP) : pseudo4(ip, 24, IPPROTO_TCP);

	return check(o->retval == TC_ACT_UNSPEC_, "verdict %d: not passed on", (int)o->retval) &&
	       check(get16(tcp + 22) == want, "MSS %u, want %u", get16(tcp + 22), want) &&
	       check(sums_to_zero(sum16(tcp, 24, sum)), "TCP checksum wrong after the clamp");
}

static bool test_mss(bool answer)
{
	uint8_t frame[FRAME_MAX];
	struct outcome o;
	struct env env;
	__u32 len;
	bool ok;

	ok = env_setup(&env, answer);
	if (ok) {
		len = syn_frame(frame, false, false, 1460, NULL, NULL);
		o = run(&env, false, frame, len);
		ok &= check_mss(&o, false, PATH_MTU - 40);
		len = syn_frame(frame, false, false, 1200, NULL, NULL);
		o = run(&env, false, frame, len);
		ok &= check_mss(&o, false, 1200); /* never raised */
		len = syn_frame(frame, true, false, 1440, NULL, NULL);
		o = run(&env, false, frame, len);
		ok &= check_mss(&o, true, PATH_MTU - 60);
		/* The SYN-ACK to the Pod: the limit of its path back. */
		len = syn_frame(frame, false, true, 1460, "10.0.0.99", "10.0.0.10");
		o = run(&env, true, frame, len);
		ok &= check_mss(&o, false, PATH_MTU - 40);
		len = syn_frame(frame, false, true, 1460, "10.9.0.1", "10.0.0.10");
		o = run(&env, true, frame, len);
		ok &= check_mss(&o, false, ROUTE_MTU - 40);
		ok &= check(counts_of(&env).mss_clamped == 4, "clamped %llu, want 4",
			    (unsigned long long)counts_of(&env).mss_clamped);
	}
	env_teardown(&env);
	return ok;
}

/* --clamp-mss alone: oversize packets pass untouched. */
static bool test_clamp_only_never_answers(void)
{
	struct frame_spec v4 = { .family = FRAME_IPV4, .l3_len = 1500, .df = true };
	uint8_t frame[FRAME_MAX];
	__u32 len = build_frame(&v4, frame);
	struct outcome o;
	struct env env;
	bool ok;

	ok = env_setup(&env, false);
	if (ok) {
		o = run(&env, false, frame, len);
		ok &= untouched(&o, frame, len, "oversize without --assist");
	}
	env_teardown(&env);
	return ok && test_mss(false);
}

int main(void)
{
	libbpf_set_print(NULL);
	result("assist: oversize DF packets answered in IPv4 and IPv6, bytes and checksums exact",
	       test_answers());
	result("assist: no answer where the kernel's rules say none", test_exclusions());
	result("assist: one answer per Pod and destination per interval", test_rate_limit());
	result("assist: MSS clamped on SYN and SYN-ACK, never raised, checksum right",
	       test_mss(true));
	result("assist: --clamp-mss alone clamps and never answers",
	       test_clamp_only_never_answers());
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
