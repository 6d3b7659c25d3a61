/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Clamping the MSS option of a TCP SYN or SYN-ACK, as iptables' TCPMSS
 * --clamp-mss-to-pmtu does: lowered to at most the limit minus the IP and
 * TCP headers, never raised, the TCP checksum updated with the change
 * (bpf_l4_csum_replace, which leaves a CHECKSUM_PARTIAL packet's to the
 * device).
 */
#ifndef MTUGUARD_MSS_BPF_H
#define MTUGUARD_MSS_BPF_H

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "parse.bpf.h"

#define MG_TCP_FLAGS_OFF 13 /* the byte with SYN and ACK */
#define MG_TCP_SYN 0x02
#define MG_TCP_ACK 0x10
#define MG_TCP_CSUM_OFF 16
#define MG_TCP_MAX_OPTS 40
#define MG_TCP_OPTS_MASK 63 /* a power of two minus one above 40 */
#define MG_TCPOPT_EOL 0
#define MG_TCPOPT_NOP 1
#define MG_TCPOPT_MSS 2
#define MG_TCPOLEN_MSS 4
/* IP + TCP headers, without options: what the MSS leaves of an MTU. */
#define MG_MSS_OVERHEAD_V4 40
#define MG_MSS_OVERHEAD_V6 60

/* The TCP flags byte of @p's segment, 0 when it is not TCP (or a later
 * fragment, which has no TCP header). */
static __always_inline __u8 tcp_flags(struct __sk_buff *skb, const struct mg_pkt *p)
{
	__u8 flags = 0;

	if (p->proto != IPPROTO_TCP || !p->first_fragment || !p->l4_hdr_len)
		return 0;
	if (bpf_skb_load_bytes(skb, p->l3_off + p->l3_hdr_len + MG_TCP_FLAGS_OFF, &flags, 1))
		return 0;
	return flags;
}

/* The walk over the options, one bpf_loop step per option: the verifier
 * checks the step once instead of every path through 40 bytes. */
struct mg_opt_walk {
	__u8 opts[MG_TCP_OPTS_MASK + 1];
	__u32 len; /* bytes of options */
	__u32 i;   /* where the next option starts */
	__s32 mss; /* where the MSS option's value is, -1: none */
};

/* Byte @i of the options: the mask keeps any index inside the buffer for
 * the verifier (the walk's checks keep it inside the options). */
static __always_inline __u8 opt_at(const struct mg_opt_walk *w, __u32 i)
{
	barrier_var(i);
	return w->opts[i & MG_TCP_OPTS_MASK];
}

static long opt_step(__u32 n, void *ctx)
{
	struct mg_opt_walk *w = ctx;
	__u32 i = w->i;
	__u8 kind, olen;

	(void)n;
	if (i >= w->len)
		return 1;
	kind = opt_at(w, i);
	if (kind == MG_TCPOPT_EOL)
		return 1;
	if (kind == MG_TCPOPT_NOP) {
		w->i = i + 1;
		return 0;
	}
	if (i + 1 >= w->len)
		return 1;
	olen = opt_at(w, i + 1);
	if (olen < 2 || i + olen > w->len)
		return 1; /* malformed: leave it */
	if (kind == MG_TCPOPT_MSS && olen == MG_TCPOLEN_MSS) {
		w->mss = (__s32)(i + 2);
		return 1;
	}
	w->i = i + olen;
	return 0;
}

/* Lowers the MSS option of @p's SYN or SYN-ACK to @limit minus the
 * headers. True when it changed it. */
static __always_inline bool clamp_mss(struct __sk_buff *skb, const struct mg_pkt *p, __u32 limit)
{
	__u32 tcp = p->l3_off + p->l3_hdr_len, len;
	__u32 overhead = p->saddr.family == MG_AF_INET6 ? MG_MSS_OVERHEAD_V6 : MG_MSS_OVERHEAD_V4;
	struct mg_opt_walk w = { .mss = -1 };
	__be16 old, new;
	__u32 mss, max;

	if (limit <= overhead || p->l4_hdr_len <= sizeof(struct tcphdr))
		return false;
	max = limit - overhead;
	len = p->l4_hdr_len - sizeof(struct tcphdr);
	if (len > MG_TCP_MAX_OPTS)
		return false;
	/* The mask is the bound the verifier sees on the helper's length:
	 * the compiler, which knows the check above, would drop it, and pass
	 * a copy the check did not bound; the barrier keeps it. */
	barrier_var(len);
	len &= MG_TCP_OPTS_MASK;
	if (!len || bpf_skb_load_bytes(skb, tcp + sizeof(struct tcphdr), w.opts, len))
		return false;
	w.len = len;
	bpf_loop(MG_TCP_MAX_OPTS, opt_step, &w, 0);
	if (w.mss < 0)
		return false;
	mss = ((__u32)opt_at(&w, (__u32)w.mss) << 8) | opt_at(&w, (__u32)w.mss + 1);
	if (mss <= max)
		return false; /* never raised */
	old = bpf_htons((__u16)mss);
	new = bpf_htons((__u16)max);
	if (bpf_skb_store_bytes(skb, tcp + sizeof(struct tcphdr) + (__u32)w.mss, &new, sizeof(new),
				0))
		return false;
	bpf_l4_csum_replace(skb, tcp + MG_TCP_CSUM_OFF, old, new, sizeof(new));
	return true;
}

#endif /* MTUGUARD_MSS_BPF_H */
