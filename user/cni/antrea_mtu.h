/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Antrea's MTU arithmetic (pkg/agent/config): Pod MTU = transport interface
 * MTU - deduction, unless defaultMTU is set; what leaves the node must fit
 * the uplink MTU - the same deduction. Pure arithmetic over Antrea's
 * settings, unit-tested without a kernel; antrea.c is the module that uses
 * it, and limits/ is where it becomes the node's numbers.
 */
#ifndef MTUGUARD_POLICY_H
#define MTUGUARD_POLICY_H

#include <stdbool.h>
#include <stddef.h>

enum traffic_mode {
	MODE_NOENCAP = 0,	      /* Pod traffic leaves on the uplink as is */
	MODE_ENCAP = 1,		      /* Pod traffic leaves inside a tunnel */
	MODE_HYBRID = 2,	      /* tunnel only to Nodes in other subnets */
	MODE_NETWORK_POLICY_ONLY = 3, /* chained: the primary CNI owns routing */
	MODE_AUTO = 4,		      /* infer from the node (until the module resolves it) */
};

enum tunnel_type {
	TUNNEL_GENEVE = 0,
	TUNNEL_VXLAN = 1,
	TUNNEL_GRE = 2,
	TUNNEL_STT = 3,
};

enum encryption_mode {
	ENCRYPTION_NONE = 0,
	ENCRYPTION_IPSEC = 1,
	ENCRYPTION_WIREGUARD = 2,
};

struct policy {
	enum traffic_mode mode;
	enum tunnel_type tunnel;
	enum encryption_mode encryption;
	bool ipv6;		  /* the node's transport has an IPv6 address: +20 per tunnel */
	unsigned int default_mtu; /* Antrea's defaultMTU; 0: derive from the uplink */
};

int policy_parse_mode(const char *s, enum traffic_mode *out);
int policy_parse_tunnel(const char *s, enum tunnel_type *out);
int policy_parse_encryption(const char *s, enum encryption_mode *out);
const char *policy_mode_name(enum traffic_mode mode);
const char *policy_tunnel_name(enum tunnel_type tunnel);
const char *policy_encryption_name(enum encryption_mode mode);

/* Bytes a tunnel adds to each packet, as Antrea deducts them. */
unsigned int policy_tunnel_overhead(enum tunnel_type tunnel);
/* What Antrea deducts from the transport MTU for this configuration. */
unsigned int policy_mtu_deduction(const struct policy *p);
/* The MTU Antrea gives a new Pod: defaultMTU, or transport MTU - deduction. */
unsigned int policy_expected_pod_mtu(const struct policy *p, unsigned int transport_mtu);
/* The largest L3 packet a Pod can send off the node: the uplink MTU minus
 * the deduction (defaultMTU does not change the wire). */
unsigned int policy_path_mtu(const struct policy *p, unsigned int uplink_mtu);
/* Why the deduction is what it is, as a phrase: "encap geneve, IPv6",
 * "wireGuard"; "" when there is none. */
void policy_describe_deduction(const struct policy *p, char *buf, size_t size);

#endif
