// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The node's links and main-table routes, kept as the kernel lists them and
 * followed through rtnetlink events, for the limits per destination: a
 * route's limit is its mtu metric, or the MTU of the device it leaves by.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "node/node.h"

const struct nl_link *node_link(const struct node *node, int ifindex)
{
	size_t i;

	for (i = 0; i < node->n_links; i++) {
		if (node->links[i].ifindex == ifindex)
			return &node->links[i];
	}
	return NULL;
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

bool node_is_uplink_side(const struct node *node, int ifindex)
{
	if (!ifindex)
		return false;
	if (ifindex == node->uplink.ifindex || ifindex == node->uplink_nic.ifindex)
		return true;
	/* A Linux bridge the uplink is a port of holds the node's address. */
	return node->uplink.master && ifindex == node->uplink.master;
}
