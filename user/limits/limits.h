/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one computation of every limit: the node model (what the kernel says)
 * crossed with the CNI module (what it intends) gives the numbers that go
 * into the maps, the audit, the metrics, the start banner and the follower.
 * Nothing else computes a path MTU.
 *
 * A Pod has two limits today: what packets to it must fit (the smaller MTU
 * of its veth's two ends) and what packets it sends off the node must fit
 * (the path MTU). A limit per destination prefix will come in through
 * limits_for_pod(), which is where the datapath asks.
 */
#ifndef MTUGUARD_LIMITS_H
#define MTUGUARD_LIMITS_H

#include <stdbool.h>

struct node;
struct cni;
struct pod_iface;

struct limits {
	unsigned int uplink_mtu;    /* the uplink port's, bridged or not */
	unsigned int transport_mtu; /* what the CNI derives Pod MTUs from: the NIC's when bridged */
	unsigned int egress_mtu;    /* the smaller of the port and its NIC */
	unsigned int overhead;	    /* what the CNI's encapsulation takes */
	unsigned int path_mtu;	    /* the largest packet a Pod can send off the node */
	unsigned int expected_pod_mtu; /* what the CNI gives a new Pod */
	char path_detail[160];	       /* where path_mtu comes from, one phrase */
};

/* What a Pod's packets are checked against. */
struct pod_limits {
	unsigned int to_pod;   /* packets delivered to it: its own MTU */
	unsigned int off_node; /* packets it sends off the node */
};

/* Computes every node-wide limit. @path_mtu_override (--path-mtu) wins
 * over what the uplink and the CNI imply when not 0. */
void limits_compute(struct limits *l, const struct node *node, const struct cni *cni,
		    unsigned int path_mtu_override);
/* The MTU of a Pod's veth: the smaller of its two ends (the bridge checks
 * the host end, the veth the Pod end); an end not read (0) is ignored. */
unsigned int limits_veth_mtu(unsigned int host_mtu, unsigned int pod_mtu);
unsigned int limits_pod_mtu(const struct pod_iface *pod);
struct pod_limits limits_for_pod(const struct limits *l, const struct pod_iface *pod);

#endif
