// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Cilium (CNI.md): Pods routed by BPF through lxc* veths. The device MTU
 * (the agent's `#define MTU` in node_config.h, else the uplink's) is every
 * Pod's eth0 and lxc*; what a Pod sends is its default route's mtu, the
 * device MTU minus the overheads (cilium/pkg/mtu/mtu.go, getRouteMTU): the
 * tunnel's 50 (VXLAN or Geneve; 70 over an IPv6 underlay) plus WireGuard's
 * 80, or 95 since mid-2026, or else IPsec's 77. So lxc* at 1500 is normal,
 * and a Pod whose route lost its mtu is the broken one: the node model reads
 * each Pod's route (node_roles.pod_route_mtu). cilium_vxlan and
 * cilium_geneve are flow-based, at the device MTU: not a limit. Since 1.17
 * Cilium rewrites running Pods' MTUs itself, so a mismatch that lasts is the
 * news, and `fix` leaves them to it.
 *
 * Which encryption runs is in node_config.h too (ENABLE_WIREGUARD,
 * ENABLE_IPSEC: the agent's cDefinesMap). WireGuard's overhead is read off
 * cilium_wg0, which the agent sets to the device MTU minus the overhead its
 * version uses: 80 or 95 are both Cilium's; any other MTU there, or no
 * cilium_wg0 yet, counts as 80, the smaller, so that no Pod of either
 * version is called broken. IPsec adds the key's length beyond 16 bytes,
 * which only the agent's secret holds: 77 is its least, and routes lower by
 * a longer key are below the limit, not findings.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni/cni_module.h"
#include "cni/explain.h"
#include "lib/log.h"
#include "lib/nodefile.h"
#include "limits/audit.h"
#include "node/node.h"

#define CILIUM_NODE_CONFIG "/var/run/cilium/state/globals/node_config.h"
#define CILIUM_WG_DEVICE "cilium_wg0"

/* Cilium's constants (pkg/mtu/mtu.go). */
enum {
	TUNNEL_OVERHEAD = 50,	     /* VXLAN or Geneve over IPv4 */
	TUNNEL_OVERHEAD_IPV6 = 70,   /* the outer header is IPv6's 40 bytes */
	WIREGUARD_OVERHEAD = 80,     /* up to mid-2026 */
	WIREGUARD_OVERHEAD_NEW = 95, /* since */
	IPSEC_OVERHEAD = 77,	     /* with the default 16-byte key */
};

struct cilium {
	/* From node_config.h: the device MTU (0: not readable) and which
	 * encryption the agent built its datapath with. */
	unsigned int device_mtu;
	bool wireguard, ipsec;
	char source[PATH_MAX];
	unsigned int uplink_mtu;
	/* What the node shows (cilium_resolve). */
	char mode[48];		 /* "vxlan + wireguard" */
	bool ipsec_on;		 /* IPsec's overhead counts (no WireGuard) */
	unsigned int encryption; /* WireGuard's or IPsec's, 0: none */
	unsigned int overhead;	 /* the tunnel's + encryption */
};

/* A "#define NAME VALUE" line of node_config.h into @c. */
static void take_define(struct cilium *c, const char *name, const char *value)
{
	unsigned long v;
	char *end;

	if (!strcmp(name, "ENABLE_WIREGUARD")) {
		c->wireguard = true;
	} else if (!strcmp(name, "ENABLE_IPSEC")) {
		c->ipsec = true;
	} else if (!strcmp(name, "MTU")) {
		v = strtoul(value, &end, 10);
		if (end != value && !*end && v >= 68 && v <= 65535)
			c->device_mtu = (unsigned int)v;
	}
}

/* The agent's node_config.h, as its datapath is built; absent or bad:
 * nothing is taken from it. */
static void read_node_config(struct cilium *c)
{
	char *text, *line, *save = NULL;
	size_t len;

	if (nodefile_read(c->source, NODEFILE_MAX, &text, &len))
		return;
	for (line = strtok_r(text, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		char *name, *value, *rest = NULL;

		if (strncmp(line, "#define ", 8))
			continue;
		name = strtok_r(line + 8, " \t", &rest);
		value = strtok_r(NULL, " \t", &rest);
		if (name && value)
			take_define(c, name, value);
	}
	free(text);
}

static int cilium_load(void *state, const struct cni_env *env, const char **uplink)
{
	struct cilium *c = state;

	(void)uplink;
	host_path(c->source, sizeof(c->source), env->host_root, CILIUM_NODE_CONFIG);
	read_node_config(c);
	if (!c->device_mtu)
		pr_info("no MTU in Cilium's %s; taking the uplink's as its device MTU", c->source);
	return 0;
}

static unsigned int device_mtu(const struct cilium *c)
{
	return c->device_mtu ? c->device_mtu : c->uplink_mtu;
}

/* WireGuard's overhead, as cilium_wg0 (NULL: not there yet) shows it (see
 * the top). */
static unsigned int wireguard_overhead(const struct cilium *c, const struct nl_link *wg)
{
	unsigned int device = device_mtu(c);

	if (wg && wg->mtu < device &&
	    (device - wg->mtu == WIREGUARD_OVERHEAD || device - wg->mtu == WIREGUARD_OVERHEAD_NEW))
		return device - wg->mtu;
	return WIREGUARD_OVERHEAD;
}

static void cilium_resolve(void *state, const struct node *node, const struct ovs_ports *ovs)
{
	struct cilium *c = state;
	const struct nl_link *wg = node_link_named(node, CILIUM_WG_DEVICE);
	const char *tunnel = NULL, *encryption = NULL;

	(void)ovs;
	c->uplink_mtu = node->uplink.mtu;
	if (node_link_named(node, "cilium_vxlan"))
		tunnel = "vxlan";
	else if (node_link_named(node, "cilium_geneve"))
		tunnel = "geneve";
	/* WireGuard wins over IPsec, as in Cilium's own computation. */
	c->encryption = 0;
	c->ipsec_on = false;
	if (wg || c->wireguard) {
		encryption = "wireguard";
		c->encryption = wireguard_overhead(c, wg);
	} else if (c->ipsec) {
		encryption = "ipsec";
		c->encryption = IPSEC_OVERHEAD;
		c->ipsec_on = true;
	}
	c->overhead = c->encryption;
	if (tunnel)
		c->overhead += node->uplink_ipv6 ? TUNNEL_OVERHEAD_IPV6 : TUNNEL_OVERHEAD;
	if (tunnel && encryption)
		snprintf(c->mode, sizeof(c->mode), "%s + %s", tunnel, encryption);
	else
		snprintf(c->mode, sizeof(c->mode), "%s",
			 tunnel	      ? tunnel
			 : encryption ? encryption
				      : "native routing");
}

/* What cilium_wg0 is given: the Pods' packets, in the tunnel's frame when
 * there is one. A flow-based tunnel device takes the Pods' packets. */
static unsigned int cilium_tunnel_floor(const void *state, const struct node *node)
{
	const struct cilium *c = state;

	if (node->tunnel.ifindex && !strcmp(node->tunnel.name, CILIUM_WG_DEVICE))
		return device_mtu(c) - c->encryption;
	return device_mtu(c) - c->overhead;
}

/* New Pods' devices get the device MTU; their routes, that minus overhead. */
static unsigned int cilium_expected(const void *state, const struct node *node)
{
	(void)node;
	return device_mtu(state);
}

static unsigned int cilium_overhead(const void *state)
{
	const struct cilium *c = state;

	return c->overhead;
}

static void cilium_describe_overhead(const void *state, char *buf, size_t size)
{
	const struct cilium *c = state;

	snprintf(buf, size, "Cilium %s", c->mode);
}

static const struct cni_words cilium_words = {
	.display = "Cilium",
	.mtu_setting = "Cilium's mtu (the cilium-config ConfigMap), or its devices' MTU",
	.device_remedy = "restart cilium-agent on the node: it sets cilium_host and the tunnel "
			 "to the device MTU",
};

static void cilium_explain(const void *state, const struct finding_ctx *ctx, struct mismatch *m)
{
	const struct cilium *c = state;
	size_t len;

	cni_explain_in_words(&cilium_words, ctx, m);
	if (m->kind != MISMATCH_POD_ABOVE_PATH_MTU || !m->pod)
		return;
	/* The cause in Cilium's terms: the route, not the device. */
	len = strlen(m->cause);
	if (m->pod->route_mtu)
		snprintf(m->cause + len, sizeof(m->cause) - len,
			 " (its default route says mtu %u, above the %u Cilium gives them)",
			 m->pod->route_mtu, device_mtu(c) - c->overhead);
	else
		snprintf(m->cause + len, sizeof(m->cause) - len,
			 " (on Cilium a Pod's device stays at the device MTU and its default "
			 "route carries mtu %u: this one's route has none)",
			 device_mtu(c) - c->overhead);
	m->restart_pod = true;
	if (m->named)
		snprintf(m->remedy, sizeof(m->remedy),
			 "Cilium 1.17+ rewrites running Pods' MTUs itself: if this lasts, restart "
			 "cilium-agent on the node; else restart the Pod: kubectl -n %s delete pod "
			 "%s",
			 m->who.ns, m->who.name);
	else
		snprintf(m->remedy, sizeof(m->remedy),
			 "Cilium 1.17+ rewrites running Pods' MTUs itself: if this lasts, restart "
			 "cilium-agent on the node; else restart the Pod");
}

static void cilium_to_json(const void *state, struct json_object *o)
{
	const struct cilium *c = state;

	json_object_object_add(o, "routing", json_object_new_string(c->mode));
	json_object_object_add(o, "overhead", json_object_new_int((int)c->overhead));
	json_object_object_add(o, "device_mtu", json_object_new_int((int)device_mtu(c)));
	json_object_object_add(o, "route_mtu",
			       json_object_new_int((int)(device_mtu(c) - c->overhead)));
	json_object_object_add(o, "mtu_source",
			       c->device_mtu ? json_object_new_string(c->source) : NULL);
}

static void cilium_describe(const void *state, char *buf, size_t size)
{
	const struct cilium *c = state;

	snprintf(buf, size, "%s (overhead %u%s), device MTU %u from %s, Pods' routes at %u",
		 c->mode, c->overhead, c->ipsec_on ? ", more with an IPsec key over 16 bytes" : "",
		 device_mtu(c), c->device_mtu ? c->source : "the uplink",
		 device_mtu(c) - c->overhead);
}

static const struct cni_devices cilium_devices = {
	.gateway = "cilium_host",
	.tunnels = { CILIUM_WG_DEVICE, "cilium_vxlan", "cilium_geneve" },
	.pod_route_mtu = true,
};

static const char *const cilium_types[] = { "cilium-cni", NULL };
static const char *const cilium_signature[] = { "cilium_host", NULL };

const struct cni_ops cni_cilium = {
	.name = "cilium",
	.state_size = sizeof(struct cilium),
	.plugin_types = cilium_types,
	.signature_devices = cilium_signature,
	.load = cilium_load,
	.resolve = cilium_resolve,
	.expected_pod_mtu = cilium_expected,
	.overhead = cilium_overhead,
	.tunnel_floor = cilium_tunnel_floor,
	.describe_overhead = cilium_describe_overhead,
	.explain = cilium_explain,
	.to_json = cilium_to_json,
	.describe = cilium_describe,
	.devices = &cilium_devices,
	.updates_running_pods = true,
};
