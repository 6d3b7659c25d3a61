/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The node model: what the kernel says, and nothing else. The uplink, the
 * devices the CNI gave a role (their names come from the CNI module), the
 * Pods' veths (both ends' MTUs, the Pod's addresses and netns) and the
 * node's own addresses, read over rtnetlink. A Pod interface is a veth whose
 * peer lives in another netns; its Pod end is read there by nsid, without
 * entering it. Who the Pod is (its Kubernetes name) is podid/'s business.
 */
#ifndef MTUGUARD_NODE_H
#define MTUGUARD_NODE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "mtuguard.h"
#include "node/netlink.h"
#include "node/nsnames.h"

#define POD_MAX_ADDRS 8

struct pod_iface {
	int ifindex; /* host-side veth */
	char ifname[IF_NAMESIZE];
	unsigned int host_mtu;
	unsigned int pod_mtu; /* the Pod end's MTU; 0 when it could not be read */
	int peer_ifindex;     /* the Pod end, in the Pod's netns */
	int netnsid;
	char netns[256]; /* the Pod netns' name (/run/netns) or "nsid N" */
	struct mg_addr addrs[POD_MAX_ADDRS];
	size_t n_addrs;
	/* Its default route's mtu (0: none), where the CNI sets one
	 * (node_roles.pod_route_mtu); route_mtu_known false when it could
	 * not be read (entering a netns needs CAP_SYS_ADMIN). */
	unsigned int route_mtu;
	bool route_mtu_known;
	bool gone;		    /* its veth was deleted; kept for the counters' labels */
	unsigned long long gone_ms; /* when (monotonic, lib/clock.h) */
};

/* The names of the devices that have a role beside the uplink (the CNI
 * module's cni_devices, copied so that the model needs no CNI). */
#define NODE_MAX_TUNNELS 4

struct node_roles {
	char gateway[IF_NAMESIZE]; /* "" when the CNI has none */
	/* tunnel devices, the first present one counts ("" ends the list) */
	char tunnels[NODE_MAX_TUNNELS][IF_NAMESIZE];
	char bridged_nic_suffix[4]; /* "" when the CNI never bridges the NIC */
	/* The CNI gives each Pod's default route an MTU below its device's
	 * (Cilium): read it, from inside the Pod's netns. */
	bool pod_route_mtu;
};

struct node {
	struct nl_link uplink;
	/* Bridged uplink: the physical NIC "<uplink><suffix>" under the bridge
	 * port that took its name; ifindex 0 when the uplink is not bridged. */
	struct nl_link uplink_nic;
	struct nl_link gateway; /* the CNI's gateway device, ifindex 0 when absent */
	struct nl_link tunnel;	/* the CNI's tunnel device, ifindex 0 when absent */
	struct node_roles roles;
	bool uplink_ipv6; /* the uplink has a global IPv6 address */
	struct pod_iface *pods;
	size_t n_pods;
	unsigned long generation;   /* bumped whenever a Pod entry is added or dropped */
	struct mg_addr *node_addrs; /* the node's own addresses (local delivery) */
	size_t n_node_addrs;
	struct nsnames nsnames; /* Pod netns names by nsid, asked once each */
	/* Every link and every main-table route of the node's netns, as the
	 * kernel lists them (node/tables.c): what a route's limit is made of. */
	struct nl_link *links;
	size_t n_links;
	struct nl_route *routes;
	size_t n_routes;
	/* Pod devices that are netkit, not veth (a CNI's
	 * netkit mode): told once each that they are not watched. */
	int *netkit_told;
	size_t n_netkit_told;
};

/* Reads the node. @uplink_name NULL: the default route's interface;
 * @roles: the device names to look for (NULL: none). Errors are reported
 * here (one sentence) and returned as -errno. */
int node_discover(struct node *node, const char *uplink_name, const struct node_roles *roles);
struct pod_iface *node_find_pod(const struct node *node, int ifindex);
/* A netkit device with its peer in another netns: a Pod's, which the TC
 * hooks on veths do not watch. Says so once per device (warning) and
 * returns true. */
bool node_netkit_pod(struct node *node, const struct nl_link *l);
struct pod_iface *node_find_pod_by_peer(const struct node *node, int nsid, int peer_ifindex);

/* Following the node (monitor.h). Pointers into node->pods are valid only
 * until the next node_upsert_pod. */
/* Adds or refreshes the Pod behind @link; NULL when it is not a Pod veth. */
struct pod_iface *node_upsert_pod(struct node *node, const struct nl_link *link, bool *added);
/* Re-reads a Pod's end: its MTU and addresses. A netns that vanished (the
 * Pod was deleted meanwhile) leaves pod_mtu 0 and no addresses. */
void node_reread_pod(const struct node *node, struct pod_iface *pod);
/* Marks the Pod on @ifindex gone; returns it, or NULL if there was none. */
struct pod_iface *node_pod_gone(struct node *node, int ifindex);
/* Takes in a change of the uplink, its NIC, the gateway or the tunnel;
 * true when the node's MTU picture changed. */
bool node_update_link(struct node *node, const struct nl_link *link, bool deleted);
/* The MTU a CNI derives Pod MTUs from: the NIC's when bridged. */
unsigned int node_transport_mtu(const struct node *node);
/* What Pod traffic leaving the node must fit: the smaller of the uplink
 * port and, when bridged, its NIC. */
unsigned int node_egress_mtu(const struct node *node);
/* The uplink port is bridged and below its NIC's MTU (Open vSwitch gives
 * an internal port without mtu_request the smallest MTU on its bridge). */
bool node_uplink_dragged_down(const struct node *node);
/* Where frames from the fabric arrive: the NIC when bridged, else the uplink. */
const struct nl_link *node_fabric_link(const struct node *node);
void node_free(struct node *node);

/* node/tables.c: the node's links and routes. */
/* Takes in a link that appeared, changed (@deleted false) or went. */
int node_note_link(struct node *node, const struct nl_link *link, bool deleted);
/* The link with @ifindex, or NULL. */
const struct nl_link *node_link(const struct node *node, int ifindex);
/* The link named @name, or NULL. */
const struct nl_link *node_link_named(const struct node *node, const char *name);
/* Reads the routes again (after a route event); -errno, the old ones kept. */
int node_read_routes(struct node *node);
/* When the uplink is a Linux bridge holding the node's address (the
 * default route's device), its port toward the fabric: a NIC, or a veth
 * whose other end holds the default gateway's address. Kept as uplink_nic
 * (frames from the fabric are watched there), and never taken for a Pod. */
void node_find_fabric_port(struct node *node, const struct nl_link *links, size_t n);
/* Whether @ifindex is the uplink, its NIC or the bridge the uplink is a
 * port of: a route by it leaves by the uplink. */
bool node_is_uplink_side(const struct node *node, int ifindex);

#endif
