// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Antrea, the first CNI module: its settings (antrea-agent.conf and the
 * flags that override it), the traffic mode inferred from the node when
 * neither says, its MTU arithmetic (antrea_mtu.c), its devices and OVSDB
 * keys, and the causes and remedies of a finding in Antrea's terms
 * (INCIDENT.md: bridging mode, Open vSwitch's smallest-port MTU).
 */
#include <stdio.h>
#include <string.h>

#include "cni/antrea_config.h"
#include "cni/antrea_mtu.h"
#include "cni/cni_module.h"
#include "lib/cli.h"
#include "lib/log.h"
#include "limits/audit.h"
#include "limits/limits.h"
#include "node/node.h"
#include "podid/ovsdb.h"

struct antrea {
	/* as given */
	const char *config_path; /* --antrea-config */
	bool mode_set, tunnel_set, encryption_set, default_mtu_set;
	struct policy flags; /* the values of the flags that were set */
	/* decided by load and resolve */
	struct antrea_config config;
	struct policy policy;
	char mode_reason[160]; /* why this mode: "--mode", the config file, "inferred: ..." */
};

enum { OPT_MODE, OPT_TUNNEL, OPT_ENCRYPTION, OPT_DEFAULT_MTU, OPT_ANTREA_CONFIG };

static const struct opt_def antrea_options[] = {
	[OPT_MODE] = { "mode", 0, "MODE",
		       "noEncap, encap, hybrid, networkPolicyOnly, or auto\n"
		       "(default): encap if there is a tunnel port, else noEncap" },
	[OPT_TUNNEL] = { "tunnel", 0, "TYPE",
			 "geneve (50 bytes), vxlan (50), gre (42), stt (0); default\n"
			 "geneve, or the tunnel port's type with --mode auto" },
	[OPT_ENCRYPTION] = { "encryption", 0, "MODE",
			     "none, ipsec (+38) or wireGuard (60 instead of the tunnel)" },
	[OPT_DEFAULT_MTU] = { "default-mtu", 0, "N", "Antrea's defaultMTU: the MTU new Pods get" },
	[OPT_ANTREA_CONFIG] = { "antrea-config", 0, "FILE",
				"read the above from antrea-agent.conf (YAML)" },
};

static void antrea_init(void *state)
{
	struct antrea *a = state;

	a->flags.mode = MODE_AUTO;
}

static int antrea_option(void *state, const struct opt_def *opt, const char *arg)
{
	struct antrea *a = state;
	unsigned long v;

	switch (opt - antrea_options) {
	case OPT_MODE:
		if (policy_parse_mode(arg, &a->flags.mode)) {
			pr_err("--mode is noEncap, encap, hybrid, networkPolicyOnly or auto, not "
			       "'%s'",
			       arg);
			return -1;
		}
		a->mode_set = a->flags.mode != MODE_AUTO;
		return 0;
	case OPT_TUNNEL:
		if (policy_parse_tunnel(arg, &a->flags.tunnel)) {
			pr_err("--tunnel is geneve, vxlan, gre or stt, not '%s'", arg);
			return -1;
		}
		a->tunnel_set = true;
		return 0;
	case OPT_ENCRYPTION:
		if (policy_parse_encryption(arg, &a->flags.encryption)) {
			pr_err("--encryption is none, ipsec or wireGuard, not '%s'", arg);
			return -1;
		}
		a->encryption_set = true;
		return 0;
	case OPT_DEFAULT_MTU:
		if (!cli_parse_uint("--default-mtu", arg, 68, 65535, &v))
			return -1;
		a->flags.default_mtu = (unsigned int)v;
		a->default_mtu_set = true;
		return 0;
	case OPT_ANTREA_CONFIG:
		a->config_path = arg;
		return 0;
	}
	return -1;
}

static bool antrea_options_given(const void *state)
{
	const struct antrea *a = state;

	return a->config_path || a->mode_set || a->tunnel_set || a->encryption_set ||
	       a->default_mtu_set;
}

/* antrea-agent.conf is named by --antrea-config (a flag taken as given):
 * on a node it lives in the agent's ConfigMap, not on the host. */
static int antrea_load(void *state, const struct cni_env *env, const char **uplink)
{
	struct antrea *a = state;
	int err;

	(void)env;
	if (!a->config_path)
		return 0;
	err = antrea_config_load(a->config_path, &a->config);
	if (err)
		return err;
	if (!*uplink && a->config.transport_iface[0])
		*uplink = a->config.transport_iface;
	return 0;
}

static bool tunnel_from_kind(const char *kind, enum tunnel_type *out)
{
	if (!strcmp(kind, "gretap") || !strcmp(kind, "gre"))
		return !policy_parse_tunnel("gre", out);
	return !policy_parse_tunnel(kind, out);
}

/* --mode auto: a tunnel port means encap (of its type); else noEncap. */
static void infer_mode(struct antrea *a, const struct node *node, const struct ovs_ports *ovs)
{
	const struct ovs_port *tun = ovs_find_by_role(ovs, "tunnel");

	if (tun) {
		a->policy.mode = MODE_ENCAP;
		if (!a->tunnel_set)
			tunnel_from_kind(tun->iface_type, &a->policy.tunnel);
		snprintf(a->mode_reason, sizeof(a->mode_reason),
			 "inferred: OVS tunnel port %s (%s)", tun->name, tun->iface_type);
	} else if (node->tunnel.ifindex) {
		a->policy.mode = MODE_ENCAP;
		if (!a->tunnel_set)
			tunnel_from_kind(node->tunnel.kind, &a->policy.tunnel);
		snprintf(a->mode_reason, sizeof(a->mode_reason), "inferred: tunnel device %s (%s)",
			 node->tunnel.name, node->tunnel.kind);
	} else if (node->uplink_nic.ifindex) {
		a->policy.mode = MODE_NOENCAP;
		snprintf(a->mode_reason, sizeof(a->mode_reason),
			 "inferred: uplink bridged (NIC %s), no tunnel port",
			 node->uplink_nic.name);
	} else {
		a->policy.mode = MODE_NOENCAP;
		snprintf(a->mode_reason, sizeof(a->mode_reason), "inferred: no tunnel port");
	}
}

/* Flags over antrea-agent.conf over what the node shows. */
static void antrea_resolve(void *state, const struct node *node, const struct ovs_ports *ovs)
{
	struct antrea *a = state;

	a->policy = a->config_path ? a->config.policy : (struct policy){ .mode = MODE_AUTO };
	if (a->mode_set) {
		a->policy.mode = a->flags.mode;
		snprintf(a->mode_reason, sizeof(a->mode_reason), "--mode");
	} else if (a->config_path && a->config.has_mode) {
		snprintf(a->mode_reason, sizeof(a->mode_reason), "%s", a->config_path);
	} else if (a->config_path) {
		snprintf(a->mode_reason, sizeof(a->mode_reason), "Antrea's default (%s sets none)",
			 a->config_path);
	}
	if (a->tunnel_set)
		a->policy.tunnel = a->flags.tunnel;
	if (a->encryption_set)
		a->policy.encryption = a->flags.encryption;
	if (a->default_mtu_set)
		a->policy.default_mtu = a->flags.default_mtu;
	if (a->policy.mode == MODE_AUTO)
		infer_mode(a, node, ovs);
	a->policy.ipv6 = node->uplink_ipv6;
}

static unsigned int antrea_expected_pod_mtu(const void *state, const struct node *node)
{
	const struct antrea *a = state;

	return policy_expected_pod_mtu(&a->policy, node_transport_mtu(node));
}

static unsigned int antrea_overhead(const void *state)
{
	const struct antrea *a = state;

	return policy_mtu_deduction(&a->policy);
}

static void antrea_describe_overhead(const void *state, char *buf, size_t size)
{
	const struct antrea *a = state;

	policy_describe_deduction(&a->policy, buf, size);
}

/* Bridging mode (INCIDENT.md, CNI.md): Pods sit on br-int beside the NIC
 * ens192~, so what they send to the uplink's side goes out through the NIC
 * at the NIC's MTU; only what the node routes crosses the internal port.
 * The kernel's routes by the internal port then mean the NIC. */
static unsigned int antrea_route_mtu(const void *state, const struct node *node,
				     const struct nl_route *r, unsigned int generic, char *why,
				     size_t size)
{
	(void)state;
	if (!node->uplink_nic.ifindex || r->oif != node->uplink.ifindex || r->mtu)
		return generic;
	snprintf(why, size, "dev %s, bridged by Open vSwitch to NIC %s (MTU %u)", node->uplink.name,
		 node->uplink_nic.name, node->uplink_nic.mtu);
	return node->uplink_nic.mtu;
}

static const char *mode_name(const struct antrea *a)
{
	return policy_mode_name(a->policy.mode);
}

static void explain_pod_above_path(const struct antrea *a, const struct finding_ctx *ctx,
				   struct mismatch *m)
{
	const struct limits *l = ctx->limits;
	const struct node *node = ctx->node;

	snprintf(m->cause, sizeof(m->cause),
		 "%s has MTU %u, above the path MTU %u: its full-size packets with DF "
		 "(every TCP segment) and IPv6 are lost in a black hole",
		 ctx->who, m->mtu, l->path_mtu);
	if (node_uplink_dragged_down(node))
		snprintf(m->remedy, sizeof(m->remedy),
			 "none for this Pod, its MTU is what %s gives new Pods: fix the "
			 "uplink port %s (see uplink_port_below_nic)",
			 mode_name(a), node->uplink.name);
	else if (l->expected_pod_mtu > l->path_mtu)
		snprintf(m->remedy, sizeof(m->remedy),
			 "set defaultMTU in antrea-agent.conf to at most %u, then restart the Pod",
			 l->path_mtu);
	else
		audit_restart_remedy(m, l->expected_pod_mtu);
}

static void antrea_explain(const void *state, const struct finding_ctx *ctx, struct mismatch *m)
{
	const struct antrea *a = state;
	const struct limits *l = ctx->limits;
	const struct node *node = ctx->node;

	switch (m->kind) {
	case MISMATCH_VETH_ENDS_DIFFER:
		audit_explain_veth_ends(ctx, m);
		audit_restart_remedy(m, l->expected_pod_mtu);
		break;
	case MISMATCH_POD_ABOVE_PATH_MTU:
		explain_pod_above_path(a, ctx, m);
		break;
	case MISMATCH_POD_BELOW_EXPECTED:
		snprintf(m->cause, sizeof(m->cause),
			 "%s has MTU %u, below the %u that %s gives new Pods: left from an "
			 "earlier mode; it works but wastes capacity, and on Open vSwitch it "
			 "drags an internal port without mtu_request down to %u",
			 ctx->who, m->mtu, l->expected_pod_mtu, mode_name(a), m->mtu);
		audit_restart_remedy(m, l->expected_pod_mtu);
		break;
	case MISMATCH_UPLINK_PORT_BELOW_NIC:
		snprintf(m->cause, sizeof(m->cause),
			 "the uplink port %s has MTU %u, below its NIC %s (%u)%s: Open vSwitch "
			 "gives an internal port with no mtu_request the smallest MTU of the "
			 "other ports on its bridge",
			 node->uplink.name, node->uplink.mtu, node->uplink_nic.name,
			 node->uplink_nic.mtu,
			 ctx->smallest_pod_mtu == node->uplink.mtu ? ", the MTU of the stale Pods"
								   : "");
		snprintf(m->remedy, sizeof(m->remedy),
			 "restart the stale Pods below and the port follows; or pin it: ovs-vsctl "
			 "set interface %s mtu_request=%u (Antrea 2.2+ does this)",
			 node->uplink.name, node->uplink_nic.mtu);
		break;
	case MISMATCH_GATEWAY_MTU:
		snprintf(m->cause, sizeof(m->cause),
			 "the gateway %s has MTU %u, not the Pod MTU %u of %s mode",
			 node->gateway.name, node->gateway.mtu, l->expected_pod_mtu, mode_name(a));
		snprintf(m->remedy, sizeof(m->remedy),
			 "restart antrea-agent on this node: it sets the gateway's MTU at start");
		break;
	case MISMATCH_TUNNEL_MTU:
		snprintf(m->cause, sizeof(m->cause),
			 "the tunnel %s has MTU %u, below the Pod MTU %u: full-size Pod packets "
			 "cannot enter it",
			 node->tunnel.name, node->tunnel.mtu, l->expected_pod_mtu);
		snprintf(m->remedy, sizeof(m->remedy),
			 "restart antrea-agent on this node, or set defaultMTU to at most %u",
			 node->tunnel.mtu);
		break;
	case MISMATCH_DEFAULT_MTU_ABOVE_PATH:
		snprintf(m->cause, sizeof(m->cause),
			 "defaultMTU %u is above the path MTU %u: every new Pod gets an MTU its "
			 "packets cannot use",
			 m->mtu, l->path_mtu);
		snprintf(m->remedy, sizeof(m->remedy),
			 "set defaultMTU in antrea-agent.conf to at most %u, or remove it",
			 l->path_mtu);
		break;
	case MISMATCH_KIND_MAX:
		break;
	}
}

static unsigned int antrea_configured_pod_mtu(const void *state)
{
	const struct antrea *a = state;

	return a->policy.default_mtu;
}

static void antrea_to_json(const void *state, struct json_object *o)
{
	const struct antrea *a = state;

	json_object_object_add(o, "mode", json_object_new_string(mode_name(a)));
	json_object_object_add(o, "mode_source", json_object_new_string(a->mode_reason));
	json_object_object_add(o, "mtu_deduction",
			       json_object_new_int((int)policy_mtu_deduction(&a->policy)));
}

static void antrea_describe(const void *state, char *buf, size_t size)
{
	const struct antrea *a = state;

	snprintf(buf, size, "mode %s (%s), deduction %u", mode_name(a), a->mode_reason,
		 policy_mtu_deduction(&a->policy));
}

/* Antrea's fixed names (INCIDENT.md), and the suffix its bridging mode gives
 * the physical NIC when an OVS internal port takes the NIC's name. */
static const struct cni_devices antrea_devices = {
	.gateway = "antrea-gw0",
	.tunnels = { "antrea-tun0" },
	.bridged_nic_suffix = "~",
};

static const char *const antrea_types[] = { "antrea", NULL };
static const char *const antrea_signature[] = { "antrea-gw0", "antrea-tun0", NULL };

/* antrea-io/antrea pkg/agent/interfacestore: the keys on every OVS port. */
static const struct ovsdb_keys antrea_ovsdb_keys = {
	.socket = "/var/run/antrea/openvswitch/db.sock",
	.role = "antrea-type",
	.pod_namespace = "pod-namespace",
	.pod_name = "pod-name",
};

const struct cni_ops cni_antrea = {
	.name = "antrea",
	.state_size = sizeof(struct antrea),
	.init = antrea_init,
	.options_title = "Antrea (flags win over --antrea-config, which wins over --mode auto)",
	.options = antrea_options,
	.n_options = sizeof(antrea_options) / sizeof(antrea_options[0]),
	.option = antrea_option,
	.plugin_types = antrea_types,
	.signature_devices = antrea_signature,
	.load = antrea_load,
	.options_given = antrea_options_given,
	.resolve = antrea_resolve,
	.expected_pod_mtu = antrea_expected_pod_mtu,
	.configured_pod_mtu = antrea_configured_pod_mtu,
	.overhead = antrea_overhead,
	.describe_overhead = antrea_describe_overhead,
	.route_mtu = antrea_route_mtu,
	.explain = antrea_explain,
	.to_json = antrea_to_json,
	.describe = antrea_describe,
	.devices = &antrea_devices,
	.ovsdb = &antrea_ovsdb_keys,
	/* Antrea sets a Pod's MTU once, when the Pod is created. */
	.updates_running_pods = false,
};
