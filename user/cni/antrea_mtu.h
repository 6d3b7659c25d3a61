/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * MTU policy: what MTU a Pod should have and what its packets must fit, as
 * Antrea computes it (pkg/agent/config): Pod MTU = transport interface MTU -
 * deduction, unless defaultMTU is set. Pure arithmetic over the settings and
 * the MTUs the node model found, so it is unit-tested without a kernel; the
 * BPF side only compares with what comes out of here.
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
	MODE_AUTO = 4,		      /* infer from the node (only before policy_resolve) */
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
	unsigned int path_mtu_override; /* --path-mtu; 0: compute */
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
/* The largest L3 packet a Pod can send off the node: the override, or the
 * uplink MTU minus the deduction (defaultMTU does not change the wire). */
unsigned int policy_path_mtu(const struct policy *p, unsigned int uplink_mtu);

/* Where the path MTU comes from, as a phrase for alerts:
 * "uplink ens192 MTU 1450" or "uplink ens192 MTU 1500 - 50 (encap geneve)". */
void policy_describe_path(const struct policy *p, const char *uplink, unsigned int uplink_mtu,
			  char *buf, size_t size);

/* The limit for packets to a Pod: the smaller MTU of its veth's two ends
 * (the bridge checks the host end, the veth the Pod end); 0 ends ignored. */
unsigned int policy_pod_limit(unsigned int host_mtu, unsigned int pod_mtu);

#endif
