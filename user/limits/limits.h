/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one computation of every limit: the node model (what the kernel says)
 * crossed with the CNI module (what it intends) gives the numbers that go
 * into the maps, the audit, the metrics, the start banner and the follower.
 * Nothing else computes a path MTU.
 *
 * A Pod's packets have three kinds of limit: what is delivered to it must
 * fit the smaller MTU of its veth's two ends; what it sends to a local Pod,
 * that Pod's; what it sends off the node, the limit of the destination's
 * prefix: the node's routes, each limited by its mtu metric or the device it
 * leaves by (the uplink side: the uplink's MTU), adjusted by the CNI where
 * its own flows decide (Antrea's bridging mode); a destination no route
 * covers falls back to the path MTU (the uplink minus the CNI's overhead).
 */
#ifndef MTUGUARD_LIMITS_H
#define MTUGUARD_LIMITS_H

#include <stdbool.h>
#include <stddef.h>

#include "mtuguard.h"

struct node;
struct cni;
struct pod_iface;

/* The limit of one destination prefix. */
struct route_limit {
	struct mg_addr prefix;
	unsigned char prefix_len;
	unsigned int mtu;
	char detail[192]; /* where it comes from: "route 10.244.2.0/26 dev vxlan.calico mtu 1450" */
	/* Its limit is the bridged uplink's own, where oversize packets are
	 * dropped without an ICMP error (limits_silent_sources). */
	bool silent;
};

struct limits {
	unsigned int uplink_mtu;    /* the uplink port's, bridged or not */
	unsigned int transport_mtu; /* what the CNI derives Pod MTUs from: the NIC's when bridged */
	unsigned int egress_mtu;    /* the smaller of the port and its NIC */
	unsigned int overhead;	    /* what the CNI's encapsulation takes */
	unsigned int path_mtu;	    /* the largest packet a Pod can send off the node */
	unsigned int expected_pod_mtu; /* what the CNI gives a new Pod */
	unsigned int tunnel_floor;     /* the least MTU the CNI's tunnel device may have */
	char path_detail[160];	       /* where path_mtu comes from, one phrase */
	struct route_limit *routes;    /* per destination prefix (malloc'd) */
	size_t n_routes;
	unsigned int route_mtu_min; /* the smallest of them, UINT32_MAX when none */
};

/* What a Pod's packets are checked against. */
struct pod_limits {
	unsigned int to_pod;   /* packets delivered to it: its own MTU */
	unsigned int off_node; /* packets it sends off the node */
};

/* Computes every limit into @l (whose routes it frees first: zero it
 * before the first call). @path_mtu_override (--path-mtu) wins over what
 * the uplink, the routes and the CNI imply when not 0: then no prefix has
 * a limit of its own. */
void limits_compute(struct limits *l, const struct node *node, const struct cni *cni,
		    unsigned int path_mtu_override);
void limits_free(struct limits *l);
/* "10.244.2.0/26" into @buf (INET6_ADDRSTRLEN + 4 bytes). */
void limits_prefix_str(const struct route_limit *r, char *buf, size_t size);
/* The MTU of a Pod's veth: the smaller of its two ends (the bridge checks
 * the host end, the veth the Pod end); an end not read (0) is ignored. */
unsigned int limits_veth_mtu(unsigned int host_mtu, unsigned int pod_mtu);
unsigned int limits_pod_mtu(const struct pod_iface *pod);
struct pod_limits limits_for_pod(const struct limits *l, const struct pod_iface *pod);
/* The limits (bit 1 << enum mg_limit_source) a packet over which is lost
 * without an ICMP error, because the node switches it rather than routes
 * it: a Pod's to another local Pod when the Pods share a bridge or Open
 * vSwitch, and the path off the node when the uplink is a port of it (or
 * the CNI is Open vSwitch's, its tunnel a port too). A routed path's
 * router, the node itself, answers on its own. What the assist answers. */
unsigned int limits_silent_sources(const struct node *node, const struct cni *cni);

#endif
