// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Cilium (CNI.md): Pods routed by BPF through lxc* veths. The device MTU
 * (the agent's `#define MTU` in node_config.h, else the uplink's) is every
 * Pod's eth0 and lxc*; what a Pod sends is its default route's mtu, the
 * device MTU minus the tunnel's 50 (VXLAN or Geneve) or WireGuard's 80. So
 * lxc* at 1500 is normal, and a Pod whose route lost its mtu is the broken
 * one: the node model reads each Pod's route (node_roles.pod_route_mtu).
 * cilium_vxlan and cilium_geneve are flow-based, at the device MTU: not a
 * limit. Since 1.17 Cilium rewrites running Pods' MTUs itself, so a
 * mismatch that lasts is the news, and `fix` leaves them to it.
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

struct cilium {
	unsigned int device_mtu; /* from node_config.h, 0: not readable */
	char source[PATH_MAX];
	unsigned int uplink_mtu;
	const char *mode;
	unsigned int overhead;
};

/* "#define MTU 1500": the agent's device MTU, as its datapath is built. */
static unsigned int read_define_mtu(const char *path)
{
	unsigned long v = 0;
	char *text, *line;
	size_t len;

	if (nodefile_read(path, NODEFILE_MAX, &text, &len))
		return 0;
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char *end;

		if (strncmp(line, "#define MTU ", 12))
			continue;
		v = strtoul(line + 12, &end, 10);
		if (end == line + 12 || (*end && *end != ' ' && *end != '\r') || v < 68 ||
		    v > 65535)
			v = 0;
		break;
	}
	free(text);
	return (unsigned int)v;
}

static int cilium_load(void *state, const struct cni_env *env, const char **uplink)
{
	struct cilium *c = state;

	(void)uplink;
	host_path(c->source, sizeof(c->source), env->host_root, CILIUM_NODE_CONFIG);
	c->device_mtu = read_define_mtu(c->source);
	if (!c->device_mtu)
		pr_info("no MTU in Cilium's %s; taking the uplink's as its device MTU", c->source);
	return 0;
}

static void cilium_resolve(void *state, const struct node *node, const struct ovs_ports *ovs)
{
	struct cilium *c = state;

	(void)ovs;
	c->uplink_mtu = node->uplink.mtu;
	c->mode = "native routing";
	c->overhead = 0;
	if (node->tunnel.ifindex && !strcmp(node->tunnel.name, "cilium_wg0")) {
		c->mode = "wireguard";
		c->overhead = 80;
	} else if (node->tunnel.ifindex) {
		c->mode = strcmp(node->tunnel.name, "cilium_geneve") ? "vxlan" : "geneve";
		/* The outer header is IPv6's 40 bytes, not IPv4's 20, over an
		 * IPv6 underlay. */
		c->overhead = node->uplink_ipv6 ? 70 : 50;
	}
}

static unsigned int device_mtu(const struct cilium *c)
{
	return c->device_mtu ? c->device_mtu : c->uplink_mtu;
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
	json_object_object_add(o, "device_mtu", json_object_new_int((int)device_mtu(c)));
	json_object_object_add(o, "route_mtu",
			       json_object_new_int((int)(device_mtu(c) - c->overhead)));
	json_object_object_add(o, "mtu_source",
			       c->device_mtu ? json_object_new_string(c->source) : NULL);
}

static void cilium_describe(const void *state, char *buf, size_t size)
{
	const struct cilium *c = state;

	snprintf(buf, size, "%s (overhead %u), device MTU %u from %s, Pods' routes at %u", c->mode,
		 c->overhead, device_mtu(c), c->device_mtu ? c->source : "the uplink",
		 device_mtu(c) - c->overhead);
}

static const struct cni_devices cilium_devices = {
	.gateway = "cilium_host",
	.tunnels = { "cilium_wg0", "cilium_vxlan", "cilium_geneve" },
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
	.describe_overhead = cilium_describe_overhead,
	.explain = cilium_explain,
	.to_json = cilium_to_json,
	.describe = cilium_describe,
	.devices = &cilium_devices,
	.updates_running_pods = true,
};
