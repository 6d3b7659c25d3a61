// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The two OVN-based CNIs (CNI.md), Pods on Open vSwitch ports, whose Pod
 * MTU is set on the CNI's own command line, not on the node: the node shows
 * it as the MTU of the CNI's host port, which both keep at the Pod MTU.
 *   kube-ovn: ovn0; Pod MTU = tunnel interface MTU - 100 (Geneve), - 50
 *     (VXLAN), - 72 (STT), 20 more over IPv6. Its OVS tunnel devices
 *     (genev_sys_6081) sit at 65000 and say nothing about the path.
 *   OVN-Kubernetes: ovn-k8s-mp0; the node requires NIC >= MTU + 58 (IPv4)
 *     or + 78 (IPv6): that is the overhead.
 * Neither updates running Pods; OVS output ports drop oversize frames
 * silently (east-west).
 */
#include <stdio.h>
#include <string.h>

#include "cni/cni_module.h"
#include "cni/explain.h"
#include "node/node.h"

struct ovn {
	unsigned int overhead;
	const char *tunnel;
};

#define IPV6_UNDERLAY_EXTRA 20

/* kube-ovn's tunnel, by the OVS device the kernel shows for it. */
static const struct {
	const char *device;
	const char *tunnel;
	unsigned int overhead;
} kube_ovn_tunnels[] = {
	{ "genev_sys_6081", "geneve", 100 },
	{ "vxlan_sys_4789", "vxlan", 50 },
	{ "stt_sys_7471", "stt", 72 },
};

static void kube_ovn_resolve(void *state, const struct node *node, const struct ovs_ports *ovs)
{
	struct ovn *o = state;
	size_t i;

	(void)ovs;
	o->tunnel = "geneve"; /* kube-ovn's default, before its device appears */
	o->overhead = 100;
	for (i = 0;
	     node->tunnel.ifindex && i < sizeof(kube_ovn_tunnels) / sizeof(kube_ovn_tunnels[0]);
	     i++) {
		if (!strcmp(node->tunnel.name, kube_ovn_tunnels[i].device)) {
			o->tunnel = kube_ovn_tunnels[i].tunnel;
			o->overhead = kube_ovn_tunnels[i].overhead;
		}
	}
	if (node->uplink_ipv6)
		o->overhead += IPV6_UNDERLAY_EXTRA;
}

/* ovn-kubernetes/go-controller: the node checks NIC MTU >= mtu + 58 (IPv4)
 * or + 78 (IPv6) at start. */
#define OVN_K8S_OVERHEAD_IPV4 58
#define OVN_K8S_OVERHEAD_IPV6 78

static void ovn_k8s_resolve(void *state, const struct node *node, const struct ovs_ports *ovs)
{
	struct ovn *o = state;

	(void)ovs;
	o->tunnel = "geneve";
	o->overhead = node->uplink_ipv6 ? OVN_K8S_OVERHEAD_IPV6 : OVN_K8S_OVERHEAD_IPV4;
}

/* The CNI's host port is at the Pod MTU; 0 when it is not there. */
static unsigned int ovn_expected(const void *state, const struct node *node)
{
	(void)state;
	return node->gateway.ifindex ? node->gateway.mtu : 0;
}

static unsigned int ovn_overhead(const void *state)
{
	const struct ovn *o = state;

	return o->overhead;
}

static void ovn_describe_overhead(const void *state, char *buf, size_t size)
{
	const struct ovn *o = state;

	snprintf(buf, size, "%s", o->tunnel);
}

static const struct cni_words kube_ovn_words = {
	.display = "kube-ovn",
	.mtu_setting = "kube-ovn's --mtu (kube-ovn-cni), or the Subnet's spec.mtu",
	.device_remedy = "restart kube-ovn-cni on this node: it sets ovn0's MTU at start",
};

static const struct cni_words ovn_k8s_words = {
	.display = "OVN-Kubernetes",
	.mtu_setting = "OVN-Kubernetes's mtu ([default] mtu= or OVN_MTU)",
	.device_remedy = "restart ovnkube-node on this node: it sets ovn-k8s-mp0's MTU at start",
};

static void kube_ovn_explain(const void *state, const struct finding_ctx *ctx, struct mismatch *m)
{
	(void)state;
	cni_explain_in_words(&kube_ovn_words, ctx, m);
}

static void ovn_k8s_explain(const void *state, const struct finding_ctx *ctx, struct mismatch *m)
{
	(void)state;
	cni_explain_in_words(&ovn_k8s_words, ctx, m);
}

static void ovn_to_json(const void *state, struct json_object *o)
{
	const struct ovn *ovn = state;

	json_object_object_add(o, "encapsulation", json_object_new_string(ovn->tunnel));
}

static void ovn_describe(const void *state, char *buf, size_t size)
{
	const struct ovn *o = state;

	snprintf(buf, size, "encapsulation %s (overhead %u), Pod MTU from its host port", o->tunnel,
		 o->overhead);
}

static const struct cni_devices kube_ovn_devices = {
	.gateway = "ovn0",
	.tunnels = { "genev_sys_6081", "vxlan_sys_4789", "stt_sys_7471" },
};

/* kube-ovn's own external_ids on each Pod's Interface row. */
static const struct ovsdb_keys kube_ovn_ovsdb_keys = {
	.socket = "/run/openvswitch/db.sock",
	.role = "vendor",
	.pod_namespace = "pod_namespace",
	.pod_name = "pod_name",
};

/* A Pod's packets on an OVN CNI never meet the node's routes: OVN's
 * logical router takes them into the tunnel, or to the node through the
 * CNI's host port (ovn0, ovn-k8s-mp0), both at the Pod MTU, and Open
 * vSwitch drops what does not fit that. So no node route lifts a Pod's
 * limit above the path MTU: every route is dropped from the limits. */
static unsigned int ovn_route_mtu(const void *state, const struct node *node,
				  const struct nl_route *r, unsigned int generic, char *why,
				  size_t size)
{
	(void)state;
	(void)node;
	(void)r;
	(void)generic;
	(void)why;
	(void)size;
	return 0;
}

static const char *const kube_ovn_types[] = { "kube-ovn", NULL };
static const char *const kube_ovn_signature[] = { "ovn0", NULL };

const struct cni_ops cni_kube_ovn = {
	.name = "kube-ovn",
	.state_size = sizeof(struct ovn),
	.plugin_types = kube_ovn_types,
	.signature_devices = kube_ovn_signature,
	.resolve = kube_ovn_resolve,
	.expected_pod_mtu = ovn_expected,
	.route_mtu = ovn_route_mtu,
	.overhead = ovn_overhead,
	.describe_overhead = ovn_describe_overhead,
	.explain = kube_ovn_explain,
	.to_json = ovn_to_json,
	.describe = ovn_describe,
	.devices = &kube_ovn_devices,
	.ovsdb = &kube_ovn_ovsdb_keys,
	.updates_running_pods = false,
};

static const struct cni_devices ovn_k8s_devices = {
	.gateway = "ovn-k8s-mp0",
};

static const char *const ovn_k8s_types[] = { "ovn-k8s-cni-overlay", NULL };
static const char *const ovn_k8s_signature[] = { "ovn-k8s-mp0", NULL };

const struct cni_ops cni_ovn_kubernetes = {
	.name = "ovn-kubernetes",
	.state_size = sizeof(struct ovn),
	.plugin_types = ovn_k8s_types,
	.signature_devices = ovn_k8s_signature,
	.resolve = ovn_k8s_resolve,
	.expected_pod_mtu = ovn_expected,
	.route_mtu = ovn_route_mtu,
	.overhead = ovn_overhead,
	.describe_overhead = ovn_describe_overhead,
	.explain = ovn_k8s_explain,
	.to_json = ovn_to_json,
	.describe = ovn_describe,
	.devices = &ovn_k8s_devices,
	.updates_running_pods = false,
};
