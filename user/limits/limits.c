// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "limits/limits.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni/cni.h"
#include "node/node.h"

static unsigned int minus(unsigned int mtu, unsigned int deduction)
{
	return mtu > deduction ? mtu - deduction : 0;
}

/* "uplink ens192 MTU 1450", "uplink ens192 MTU 1500 - 50 (encap geneve)",
 * "--path-mtu 1400". */
static void describe_path(struct limits *l, const struct node *node, const struct cni *cni,
			  unsigned int path_mtu_override)
{
	char why[96];

	if (path_mtu_override) {
		snprintf(l->path_detail, sizeof(l->path_detail), "--path-mtu %u",
			 path_mtu_override);
		return;
	}
	if (!l->overhead) {
		snprintf(l->path_detail, sizeof(l->path_detail), "uplink %s MTU %u",
			 node->uplink.name, l->egress_mtu);
		return;
	}
	cni_describe_overhead(cni, why, sizeof(why));
	snprintf(l->path_detail, sizeof(l->path_detail), "uplink %s MTU %u - %u (%s)",
		 node->uplink.name, l->egress_mtu, l->overhead, why);
}

void limits_prefix_str(const struct route_limit *r, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN];

	inet_ntop(r->prefix.family, r->prefix.addr, ip, sizeof(ip));
	snprintf(buf, size, "%s/%u", ip, r->prefix_len);
}

/* A route's limit before the CNI has its say: its mtu metric (which the
 * kernel does not clamp to the device), else its device's MTU, the
 * uplink's egress MTU on the uplink side; 0 for a route to a Pod or
 * through a device the model does not know. */
static unsigned int route_limit(const struct limits *l, const struct node *node,
				const struct nl_route *r, char *why, size_t size)
{
	const struct nl_link *dev = node_link(node, r->oif);

	if (!dev || node_find_pod(node, r->oif) || !strcmp(dev->name, "lo"))
		return 0;
	if (r->mtu) {
		snprintf(why, size, "dev %s mtu %u", dev->name, r->mtu);
		return r->mtu;
	}
	if (node_is_uplink_side(node, r->oif)) {
		snprintf(why, size, "dev %s, the uplink's MTU %u", dev->name, l->egress_mtu);
		return l->egress_mtu;
	}
	snprintf(why, size, "dev %s (MTU %u)", dev->name, dev->mtu);
	return dev->mtu;
}

/* IPv6 link-local and multicast prefixes are per interface, not a path:
 * every device has its own fe80::/64. */
static bool is_path(const struct nl_route *r)
{
	const unsigned char *a = r->dst.addr;

	if (r->dst.family != AF_INET6 || !r->dst_len)
		return true;
	return !(a[0] == 0xfe && (a[1] & 0xc0) == 0x80) && a[0] != 0xff;
}

/* Whether @l already has @r's prefix: the kernel dumps a prefix's routes
 * best (lowest metric) first, and the first is the one it uses. */
static bool have_prefix(const struct limits *l, const struct nl_route *r)
{
	size_t i;

	for (i = 0; i < l->n_routes; i++) {
		if (l->routes[i].prefix_len == r->dst_len &&
		    !memcmp(&l->routes[i].prefix, &r->dst, sizeof(r->dst)))
			return true;
	}
	return false;
}

static void compute_routes(struct limits *l, const struct node *node, const struct cni *cni)
{
	bool uplink_silent;
	size_t i;

	if (!node->n_routes)
		return;
	l->routes = calloc(node->n_routes, sizeof(*l->routes));
	if (!l->routes)
		return; /* no per-prefix limits: the path MTU for all */
	uplink_silent = limits_silent_sources(node, cni) & (1U << MG_LIMIT_PATH_MTU);
	for (i = 0; i < node->n_routes; i++) {
		const struct nl_route *r = &node->routes[i];
		struct route_limit *out = &l->routes[l->n_routes];
		char why[96], prefix[INET6_ADDRSTRLEN + 4];
		unsigned int mtu;

		if (!is_path(r) || have_prefix(l, r))
			continue;
		mtu = route_limit(l, node, r, why, sizeof(why));
		if (mtu)
			mtu = cni_route_mtu(cni, node, r, mtu, why, sizeof(why));
		if (!mtu)
			continue;
		out->prefix = r->dst;
		out->prefix_len = r->dst_len;
		out->mtu = mtu;
		/* No mtu metric, by the uplink: the limit is the uplink side's
		 * own device, silent where that is switched. */
		out->silent = !r->mtu && node_is_uplink_side(node, r->oif) && uplink_silent;
		limits_prefix_str(out, prefix, sizeof(prefix));
		snprintf(out->detail, sizeof(out->detail), "route %s %s", prefix, why);
		if (mtu < l->route_mtu_min)
			l->route_mtu_min = mtu;
		l->n_routes++;
	}
}

void limits_free(struct limits *l)
{
	free(l->routes);
	l->routes = NULL;
	l->n_routes = 0;
}

void limits_compute(struct limits *l, const struct node *node, const struct cni *cni,
		    unsigned int path_mtu_override)
{
	limits_free(l);
	l->route_mtu_min = UINT32_MAX;
	l->uplink_mtu = node->uplink.mtu;
	l->transport_mtu = node_transport_mtu(node);
	l->egress_mtu = node_egress_mtu(node);
	l->overhead = cni_overhead(cni);
	l->path_mtu = path_mtu_override ? path_mtu_override : minus(l->egress_mtu, l->overhead);
	l->expected_pod_mtu = cni_expected_pod_mtu(cni, node);
	l->tunnel_floor = cni_tunnel_floor(cni, node);
	describe_path(l, node, cni, path_mtu_override);
	if (!path_mtu_override)
		compute_routes(l, node, cni);
}

unsigned int limits_veth_mtu(unsigned int host_mtu, unsigned int pod_mtu)
{
	if (!host_mtu)
		return pod_mtu;
	if (!pod_mtu)
		return host_mtu;
	return host_mtu < pod_mtu ? host_mtu : pod_mtu;
}

unsigned int limits_pod_mtu(const struct pod_iface *pod)
{
	return limits_veth_mtu(pod->host_mtu, pod->pod_mtu);
}

struct pod_limits limits_for_pod(const struct limits *l, const struct pod_iface *pod)
{
	return (struct pod_limits){ .to_pod = limits_pod_mtu(pod), .off_node = l->path_mtu };
}

/* Whether the link @ifindex of the node is a bridge's port. */
static bool bridge_port(const struct node *node, int ifindex)
{
	size_t i;

	for (i = 0; i < node->n_links; i++) {
		if (node->links[i].ifindex == ifindex)
			return node->links[i].master != 0;
	}
	return false;
}

unsigned int limits_silent_sources(const struct node *node, const struct cni *cni)
{
	/* Open vSwitch's userspace datapath enslaves nothing: the CNI says. */
	bool ovs = cni_ovsdb_keys(cni) != NULL, switched_pods = ovs;
	unsigned int silent = 0;
	size_t i;

	for (i = 0; i < node->n_pods && !switched_pods; i++)
		switched_pods = !node->pods[i].gone && bridge_port(node, node->pods[i].ifindex);
	if (switched_pods)
		silent |= 1U << MG_LIMIT_LOCAL_POD;
	if (ovs || node->uplink_nic.ifindex || bridge_port(node, node->uplink.ifindex))
		silent |= 1U << MG_LIMIT_PATH_MTU;
	return silent;
}
