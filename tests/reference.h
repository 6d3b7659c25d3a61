/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A reference model of the BPF decision, for differential testing: what
 * class a frame belongs to at a hook, and for an offending one the length
 * and limit it was judged by. Written from the specification (DESIGN.md and
 * the README's tables) with plain byte offsets; it shares no code with
 * bpf/, on purpose: a bug the two had in common would be invisible.
 */
#ifndef MTUGUARD_TESTS_REFERENCE_H
#define MTUGUARD_TESTS_REFERENCE_H

#include <stddef.h>
#include <stdint.h>

#include "mtuguard.h"

/* The configuration the frame is judged under. */
struct ref_config {
	uint32_t hook;	   /* enum mg_hook */
	uint32_t pod_mtu;  /* the Pod's MTU (egress limit) */
	uint32_t path_mtu; /* the path MTU (ingress limit off the node) */
	/* local destinations: a Pod (its MTU) and the node (no limit) */
	uint8_t pod_v4[4], pod_v6[16];
	uint32_t local_pod_mtu;
	uint32_t local_pod_ifindex;
	uint8_t node_v4[4];
	uint32_t ifindex; /* the interface the hook is on */
	/* That interface's Pod's own addresses: what the assist answers */
	uint8_t self_v4[4], self_v6[16];
	/* Limits a packet over which is dropped without an ICMP error (bit
	 * 1 << enum mg_limit_source; routes say so themselves). */
	uint32_t silent;
	/* destination prefixes off the node, each with its limit */
	struct ref_route {
		int v6;
		uint8_t addr[16];
		uint32_t len; /* prefix length in bits */
		uint32_t mtu;
		int silent; /* by a switched device: dropped without an ICMP error */
	} routes[4];
	size_t n_routes;
};

struct ref_verdict {
	uint32_t class; /* enum mg_class */
	uint32_t len;	/* offending classes: bytes judged */
	uint32_t limit;
	uint32_t pod_ifindex;
	uint64_t bytes; /* what the byte counter adds */
};

/* Judges @frame (@len bytes, of a packet whose skb is @wire_len long and has
 * @gso_size) as the BPF program at cfg->hook must. */
struct ref_verdict reference_judge(const struct ref_config *cfg, const uint8_t *frame, size_t len,
				   uint32_t wire_len, uint32_t gso_size);

/* What the assist (--assist) does with a frame a Pod sends: whether it
 * answers it with ICMP too-big, announcing which MTU (the README's "The
 * PMTUD assist"; its rate limit is not modelled: the test turns it off). */
struct ref_assist {
	int answer;
	uint32_t mtu;
};

struct ref_assist reference_assist(const struct ref_config *cfg, const uint8_t *frame, size_t len,
				   uint32_t gso_size);

#endif
