// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The node's links and main-table routes, kept as the kernel lists them and
 * followed through rtnetlink events, for the limits per destination: a
 * route's limit is its mtu metric, or the MTU of the device it leaves by.
 * And what the uplink's side gives: the transport and egress MTUs, the
 * link frames from the fabric arrive on, the bridge's fabric port.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "node/netlink.h"
#include "node/node.h"

const struct nl_link *node_link(const struct node *node, int ifindex)
{
	return nl_link_by_index(node->links, node->n_links, ifindex);
}

const struct nl_link *node_link_named(const struct node *node, const char *name)
{
	return nl_link_by_name(node->links, node->n_links, name);
}

int node_note_link(struct node *node, const struct nl_link *link, bool deleted)
{
	struct nl_link *l = (struct nl_link *)node_link(node, link->ifindex);

	if (deleted) {
		if (l)
			*l = node->links[--node->n_links];
		return 0;
	}
	if (!l) {
		l = ARRAY_PUSH(node->links, node->n_links);
		if (!l)
			return -ENOMEM;
	}
	*l = *link;
	return 0;
}

int node_read_routes(struct node *node)
{
	struct nl_route *routes;
	size_t n;
	int err = nl_dump_routes(&routes, &n);

	if (err)
		return err;
	free(node->routes);
	node->routes = routes;
	node->n_routes = n;
	return 0;
}

/* Whether the netns @nsid holds @addr. */
static bool netns_has_addr(int nsid, const struct mg_addr *addr)
{
	struct nl_addr *addrs;
	size_t n, i;
	bool found = false;

	if (nl_dump_addrs(nsid, &addrs, &n))
		return false;
	for (i = 0; i < n && !found; i++)
		found = !memcmp(&addrs[i].addr, addr, sizeof(*addr));
	free(addrs);
	return found;
}

/* The default route's gateway, or NULL. */
static const struct mg_addr *default_gateway(const struct node *node)
{
	size_t i;

	for (i = 0; i < node->n_routes; i++) {
		if (!node->routes[i].dst_len && node->routes[i].gateway.family &&
		    node->routes[i].oif == node->uplink.ifindex)
			return &node->routes[i].gateway;
	}
	return NULL;
}

void node_find_fabric_port(struct node *node, const struct nl_link *links, size_t n)
{
	const struct mg_addr *gw = default_gateway(node);
	size_t i;

	if (node->uplink_nic.ifindex || strcmp(node->uplink.kind, "bridge"))
		return;
	for (i = 0; i < n; i++) {
		const struct nl_link *l = &links[i];

		if (l->master != node->uplink.ifindex)
			continue;
		/* A NIC has no kind; a veth to the fabric's netns (as in a lab,
		 * or a nested node) has the gateway at its other end. */
		if (!l->kind[0] || (!strcmp(l->kind, "veth") && l->peer_netnsid >= 0 && gw &&
				    netns_has_addr(l->peer_netnsid, gw))) {
			node->uplink_nic = *l;
			return;
		}
	}
}

bool node_is_uplink_side(const struct node *node, int ifindex)
{
	if (!ifindex)
		return false;
	if (ifindex == node->uplink.ifindex || ifindex == node->uplink_nic.ifindex)
		return true;
	/* A Linux bridge the uplink is a port of holds the node's address. */
	return node->uplink.master && ifindex == node->uplink.master;
}

unsigned int node_transport_mtu(const struct node *node)
{
	return node->uplink_nic.ifindex ? node->uplink_nic.mtu : node->uplink.mtu;
}

unsigned int node_egress_mtu(const struct node *node)
{
	unsigned int nic = node_transport_mtu(node);

	return nic < node->uplink.mtu ? nic : node->uplink.mtu;
}

bool node_uplink_dragged_down(const struct node *node)
{
	return node->uplink_nic.ifindex && node->uplink.mtu < node->uplink_nic.mtu;
}

const struct nl_link *node_fabric_link(const struct node *node)
{
	return node->uplink_nic.ifindex ? &node->uplink_nic : &node->uplink;
}
