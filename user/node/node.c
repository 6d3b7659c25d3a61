// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "node/node.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/array.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "node/netns.h"

/* Names the netns with @nsid from NETNS_RUN_DIR, or "nsid N". */
static void netns_name(struct node *node, int nsid, char *buf, size_t size)
{
	const char *name = nsnames_find(&node->nsnames, nsid);

	if (name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "nsid %d", nsid);
}

static int find_uplink(struct node *node, const struct nl_link *links, size_t n,
		       const char *uplink_name)
{
	const struct nl_link *uplink;
	int ifindex;

	if (uplink_name) {
		uplink = nl_link_by_name(links, n, uplink_name);
		if (!uplink) {
			pr_err("no interface named '%s' in this network namespace "
			       "(see `ip link`); check --uplink",
			       uplink_name);
			return -ENODEV;
		}
	} else {
		ifindex = nl_default_route_ifindex();
		if (ifindex < 0) {
			pr_err("no default route to find the uplink by; name it with --uplink "
			       "IFACE");
			return -ENOENT;
		}
		uplink = nl_link_by_index(links, n, ifindex);
		if (!uplink) {
			pr_err("the default route's interface (ifindex %d) vanished; "
			       "name the uplink with --uplink IFACE",
			       ifindex);
			return -ENODEV;
		}
	}
	node->uplink = *uplink;
	return 0;
}

/* The bridged NIC's name, "" when the CNI never bridges it. */
static void bridged_nic_name(const struct node *node, char *buf, size_t size)
{
	if (node->roles.bridged_nic_suffix[0])
		snprintf(buf, size, "%s%s", node->uplink.name, node->roles.bridged_nic_suffix);
	else
		buf[0] = '\0';
}

/* Whether @l is the role device @name ("" never matches). */
static bool is_role(const struct nl_link *l, const char *name)
{
	return name[0] && !strcmp(l->name, name);
}

/* The rank of @l among the CNI's tunnel devices (0: its first choice),
 * or -1 when it is none of them. */
static int tunnel_rank(const struct node *node, const struct nl_link *l)
{
	int t;

	for (t = 0; t < NODE_MAX_TUNNELS && node->roles.tunnels[t][0]; t++) {
		if (is_role(l, node->roles.tunnels[t]))
			return t;
	}
	return -1;
}

/* Whether @l is a tunnel device that ranks before the one known. */
static bool better_tunnel(const struct node *node, const struct nl_link *l)
{
	int rank = tunnel_rank(node, l);

	return rank >= 0 && (!node->tunnel.ifindex || rank < tunnel_rank(node, &node->tunnel));
}

/* The links the CNI gives a role: the bridged NIC, the gateway, the tunnel. */
static void find_role_links(struct node *node, const struct nl_link *links, size_t n)
{
	char nic[2 * IF_NAMESIZE];
	size_t i;

	bridged_nic_name(node, nic, sizeof(nic));
	for (i = 0; i < n; i++) {
		if (is_role(&links[i], nic))
			node->uplink_nic = links[i];
		if (is_role(&links[i], node->roles.gateway))
			node->gateway = links[i];
		if (better_tunnel(node, &links[i]))
			node->tunnel = links[i];
	}
}

static void reread_pod_end(struct pod_iface *pod);

static int dump_routes_here(void *arg)
{
	struct pod_iface *pod = arg;
	struct nl_route *routes;
	size_t n, i;
	int err = nl_dump_routes(&routes, &n);

	if (err)
		return err;
	pod->route_mtu = 0;
	for (i = 0; i < n; i++) {
		if (routes[i].dst.family == AF_INET && !routes[i].dst_len)
			pod->route_mtu = routes[i].mtu;
	}
	free(routes);
	return 0;
}

/* The Pod's default route's mtu, read inside its netns (node/netns.h). */
static void read_route_mtu(struct pod_iface *pod)
{
	static bool warned;
	int fd = netns_open(pod->netns, pod->netnsid), err;

	/* A read that fails keeps what the last one found (a watch drops
	 * CAP_SYS_ADMIN once attached). */
	err = fd < 0 ? fd : netns_run(fd, dump_routes_here, pod);
	if (fd >= 0)
		close(fd);
	if (!err) {
		pod->route_mtu_known = true;
		return;
	}
	if (!warned)
		pr_warn("cannot read the routes of the Pod behind %s (%s%s); its route MTU is not "
			"checked",
			pod->ifname, strerror(-err),
			err == -EPERM ? ": entering a Pod's netns needs CAP_SYS_ADMIN" : "");
	warned = true;
}

void node_reread_pod(const struct node *node, struct pod_iface *pod)
{
	if (node->roles.pod_route_mtu)
		read_route_mtu(pod);
	reread_pod_end(pod);
}

static void reread_pod_end(struct pod_iface *pod)
{
	struct nl_link peer;
	struct nl_addr *addrs;
	size_t n, i;
	int err;

	pod->pod_mtu = 0;
	pod->n_addrs = 0;
	err = nl_get_link(pod->netnsid, pod->peer_ifindex, &peer);
	if (err) {
		pr_warn("cannot read the Pod end of %s in %s (%s); using the host end's MTU",
			pod->ifname, pod->netns, strerror(-err));
		return;
	}
	pod->pod_mtu = peer.mtu;

	err = nl_dump_addrs(pod->netnsid, &addrs, &n);
	if (err) {
		pr_warn("cannot read the addresses of the Pod behind %s (%s); "
			"its traffic is checked against the path MTU only",
			pod->ifname, strerror(-err));
		return;
	}
	for (i = 0; i < n && pod->n_addrs < POD_MAX_ADDRS; i++) {
		if (addrs[i].ifindex == pod->peer_ifindex)
			pod->addrs[pod->n_addrs++] = addrs[i].addr;
	}
	free(addrs);
}

static bool is_pod_link(const struct node *node, const struct nl_link *l)
{
	/* By name too: a re-created uplink that is a veth is still the uplink. */
	return !strcmp(l->kind, "veth") && l->peer_netnsid >= 0 &&
	       l->ifindex != node->uplink.ifindex && l->ifindex != node->uplink_nic.ifindex &&
	       strcmp(l->name, node->uplink.name);
}

/* (Re)fills a Pod from its host-side veth, and reads its Pod end. */
static void fill_pod(struct node *node, struct pod_iface *pod, const struct nl_link *l)
{
	bool same_netns =
		pod->ifindex == l->ifindex && pod->netnsid == l->peer_netnsid && pod->netns[0];

	pod->ifindex = l->ifindex;
	snprintf(pod->ifname, sizeof(pod->ifname), "%s", l->name);
	pod->host_mtu = l->mtu;
	pod->peer_ifindex = l->peer_ifindex;
	if (!same_netns) {
		pod->netnsid = l->peer_netnsid;
		netns_name(node, pod->netnsid, pod->netns, sizeof(pod->netns));
	}
	pod->gone = false;
	node_reread_pod(node, pod);
}

bool node_netkit_pod(struct node *node, const struct nl_link *l)
{
	size_t i;
	int *told;

	if (strcmp(l->kind, "netkit") || l->peer_netnsid < 0)
		return false;
	for (i = 0; i < node->n_netkit_told; i++) {
		if (node->netkit_told[i] == l->ifindex)
			return true;
	}
	told = ARRAY_PUSH(node->netkit_told, node->n_netkit_told);
	if (told)
		*told = l->ifindex;
	/* netkit's own attach points (BPF_NETKIT_PRIMARY, kernel 6.7) run
	 * where the CNI's programs redirect; mtuguard has not been tested
	 * there (no netkit in the labs' kernels), so it does not guess. */
	pr_warn("%s is a netkit device (a CNI in netkit mode): mtuguard watches veths only, so "
		"the Pod behind it is not watched and not audited",
		l->name);
	return true;
}

static int find_pods(struct node *node, const struct nl_link *links, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct pod_iface *pod;

		if (node_netkit_pod(node, &links[i]) || !is_pod_link(node, &links[i]))
			continue;
		pod = ARRAY_PUSH(node->pods, node->n_pods);
		if (!pod)
			return -ENOMEM;
		fill_pod(node, pod, &links[i]);
	}
	return 0;
}

/* Gone Pods are kept to label their counters, which live at most until
 * their counter slot is reused (MG_MAX_IFACES slots): beyond as many, the
 * oldest is dropped, so a node with churning Pods does not grow the model
 * without end. */
#define GONE_PODS_KEPT MG_MAX_IFACES

static void mark_gone(struct pod_iface *pod)
{
	pod->gone = true;
	pod->gone_ms = monotonic_ms();
}

static void drop_oldest_gone_pod(struct node *node)
{
	size_t i, gone = 0, oldest = node->n_pods;

	for (i = 0; i < node->n_pods; i++) {
		if (!node->pods[i].gone)
			continue;
		if (oldest == node->n_pods)
			oldest = i; /* entries are in the order they came */
		gone++;
	}
	if (gone < GONE_PODS_KEPT)
		return;
	memmove(&node->pods[oldest], &node->pods[oldest + 1],
		(node->n_pods - oldest - 1) * sizeof(node->pods[0]));
	node->n_pods--;
	node->generation++;
}

struct pod_iface *node_upsert_pod(struct node *node, const struct nl_link *link, bool *added)
{
	struct pod_iface *pod;

	*added = false;
	if (node_netkit_pod(node, link) || !is_pod_link(node, link))
		return NULL;
	pod = node_find_pod(node, link->ifindex);
	/* The same veth under a new name (same ifindex, same peer): renamed,
	 * not new. Its hooks are on the ifindex and stay; the names follow. */
	if (pod && !pod->gone && strcmp(pod->ifname, link->name) &&
	    pod->peer_ifindex == link->peer_ifindex && pod->netnsid == link->peer_netnsid) {
		node->generation++;
		fill_pod(node, pod, link);
		return pod;
	}
	if (!pod || pod->gone || strcmp(pod->ifname, link->name)) {
		/* New, or an ifindex reused by another Pod: a fresh entry. */
		if (pod)
			mark_gone(pod);
		drop_oldest_gone_pod(node);
		pod = ARRAY_PUSH(node->pods, node->n_pods);
		if (!pod)
			return NULL;
		node->generation++;
		*added = true;
	}
	fill_pod(node, pod, link);
	return pod;
}

struct pod_iface *node_pod_gone(struct node *node, int ifindex)
{
	struct pod_iface *pod = node_find_pod(node, ifindex);

	if (!pod || pod->gone)
		return NULL;
	mark_gone(pod);
	return pod;
}

struct pod_iface *node_find_pod_by_peer(const struct node *node, int nsid, int peer_ifindex)
{
	size_t i;

	for (i = 0; i < node->n_pods; i++) {
		struct pod_iface *pod = &node->pods[i];

		if (!pod->gone && pod->netnsid == nsid && pod->peer_ifindex == peer_ifindex)
			return pod;
	}
	return NULL;
}

static bool update_one(struct nl_link *known, const struct nl_link *link, bool deleted)
{
	unsigned int mtu = known->mtu;

	if (!known->ifindex || known->ifindex != link->ifindex)
		return false;
	if (deleted) {
		memset(known, 0, sizeof(*known));
		return true;
	}
	*known = *link;
	return known->mtu != mtu;
}

bool node_update_link(struct node *node, const struct nl_link *link, bool deleted)
{
	char nic[2 * IF_NAMESIZE];
	bool changed = false;

	/* The uplink back under its name after it was deleted: the same role
	 * on a new ifindex. */
	if (!deleted && !node->uplink.ifindex && node->uplink.name[0] &&
	    !strcmp(link->name, node->uplink.name)) {
		node->uplink = *link;
		return true;
	}
	/* Links the CNI creates after we started: the gateway, the tunnel. */
	if (!deleted && !node->gateway.ifindex && is_role(link, node->roles.gateway)) {
		node->gateway = *link;
		return true;
	}
	if (!deleted && node->tunnel.ifindex != link->ifindex && better_tunnel(node, link)) {
		node->tunnel = *link;
		return true;
	}
	bridged_nic_name(node, nic, sizeof(nic));
	if (!deleted && !node->uplink_nic.ifindex && is_role(link, nic)) {
		node->uplink_nic = *link;
		return true;
	}
	/* The uplink gone keeps its name (to be known again) and its MTU (its
	 * limits hold until it is back: 0 would read as "no limit"). */
	if (deleted && node->uplink.ifindex && node->uplink.ifindex == link->ifindex) {
		node->uplink.ifindex = 0;
		return true;
	}
	/* Ask each: update_one changes only the one with this link's ifindex. */
	changed = update_one(&node->uplink, link, deleted) || changed;
	changed = update_one(&node->uplink_nic, link, deleted) || changed;
	changed = update_one(&node->gateway, link, deleted) || changed;
	changed = update_one(&node->tunnel, link, deleted) || changed;
	return changed;
}

static int read_node_addrs(struct node *node)
{
	struct nl_addr *addrs;
	size_t n, i;
	int err;

	err = nl_dump_addrs(NL_OWN_NETNS, &addrs, &n);
	if (err)
		return err;
	node->node_addrs = calloc(n ? n : 1, sizeof(*node->node_addrs));
	if (!node->node_addrs) {
		free(addrs);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		node->node_addrs[i] = addrs[i].addr;
		if (addrs[i].ifindex == node->uplink.ifindex && addrs[i].addr.family == AF_INET6 &&
		    addrs[i].scope == RT_SCOPE_UNIVERSE)
			node->uplink_ipv6 = true;
	}
	node->n_node_addrs = n;
	free(addrs);
	return 0;
}

int node_discover(struct node *node, const char *uplink_name, const struct node_roles *roles)
{
	struct nl_link *links = NULL;
	size_t n = 0;
	int err;

	memset(node, 0, sizeof(*node));
	if (roles)
		node->roles = *roles;
	err = nl_dump_links(NL_OWN_NETNS, &links, &n);
	if (err) {
		pr_err("cannot list network interfaces over rtnetlink: %s", strerror(-err));
		return err;
	}
	err = node_read_routes(node);
	if (err)
		pr_err("cannot list the node's routes: %s", strerror(-err));
	if (!err)
		err = find_uplink(node, links, n, uplink_name);
	if (!err) {
		find_role_links(node, links, n);
		node_find_fabric_port(node, links, n);
		err = find_pods(node, links, n);
	}
	if (!err) {
		/* The model keeps every link: a route's limit is its device's MTU. */
		node->links = links;
		node->n_links = n;
		links = NULL;
	}
	if (!err) {
		err = read_node_addrs(node);
		if (err)
			pr_err("cannot list the node's addresses: %s", strerror(-err));
	}
	free(links);
	if (err)
		node_free(node);
	return err;
}

struct pod_iface *node_find_pod(const struct node *node, int ifindex)
{
	size_t i = node->n_pods;

	/* Newest first: a live Pod wins over a gone one with its ifindex. */
	while (i--) {
		if (node->pods[i].ifindex == ifindex)
			return &node->pods[i];
	}
	return NULL;
}

void node_free(struct node *node)
{
	nsnames_free(&node->nsnames);
	free(node->links);
	free(node->routes);
	free(node->pods);
	free(node->node_addrs);
	free(node->netkit_told);
	memset(node, 0, sizeof(*node));
}
