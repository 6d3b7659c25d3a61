/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * MTU policy: what a Pod's packets must fit. Pure arithmetic over what the
 * node model found and what the operator said (mode, tunnel, override), so
 * it is unit-tested without a kernel. The BPF side only compares.
 */
#ifndef MTUGUARD_POLICY_H
#define MTUGUARD_POLICY_H

#include <stdbool.h>

enum traffic_mode {
	MODE_NOENCAP = 0, /* Pod traffic leaves on the uplink as is */
	MODE_ENCAP = 1,	  /* Pod traffic leaves inside a tunnel */
};

enum tunnel_type {
	TUNNEL_GENEVE = 0,
	TUNNEL_VXLAN = 1,
	TUNNEL_GRE = 2,
	TUNNEL_STT = 3,
};

struct policy {
	enum traffic_mode mode;
	enum tunnel_type tunnel;
	unsigned int path_mtu_override; /* --path-mtu; 0: compute */
};

int policy_parse_mode(const char *s, enum traffic_mode *out);
int policy_parse_tunnel(const char *s, enum tunnel_type *out);
const char *policy_mode_name(enum traffic_mode mode);
const char *policy_tunnel_name(enum tunnel_type tunnel);

/* Bytes a tunnel adds to each packet (outer IPv4 header included), as
 * Antrea deducts them from the transport interface's MTU. */
unsigned int policy_tunnel_overhead(enum tunnel_type tunnel);

/* The largest L3 packet a Pod can send off the node: the override, or the
 * uplink MTU minus the tunnel overhead in encap mode. */
unsigned int policy_path_mtu(const struct policy *p, unsigned int uplink_mtu);

/* One sentence saying where the path MTU comes from, for alerts:
 * "uplink ens192 MTU 1450" or "uplink ens192 MTU 1500 - 50 (geneve)". */
void policy_describe_path(const struct policy *p, const char *uplink, unsigned int uplink_mtu,
			  char *buf, unsigned long size);

/* The limit for packets to a Pod: the smaller MTU of its veth's two ends
 * (the bridge checks the host end, the veth the Pod end); 0 ends ignored. */
unsigned int policy_pod_limit(unsigned int host_mtu, unsigned int pod_mtu);

#endif
