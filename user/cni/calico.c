// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Calico (CNI.md): routed, host veths cali*. The Pod MTU is the conflist's
 * "mtu", or, when that is 0 ("auto"), the number calico-node wrote to
 * /var/lib/calico/mtu; it is the host MTU minus the overhead of the
 * encapsulation in use, which the node shows by its device: wireguard.cali
 * (60, 80 over IPv6), vxlan.calico (50, 70 over IPv6), tunl0 (IPIP, 20);
 * none: the host MTU. Running Pods are never updated ("the updated MTU only
 * applies to new workloads"), so a move to VXLAN leaves old Pods at 1500.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cni/cni_module.h"
#include "cni/conf.h"
#include "cni/explain.h"
#include "lib/log.h"
#include "lib/nodefile.h"
#include "node/node.h"

#define CALICO_MTU_FILE "/var/lib/calico/mtu"
#define CALICO_PLUGIN "calico"

struct calico {
	unsigned int conf_mtu; /* what the conflist or the mtu file says, 0: none */
	bool unknown;	       /* the source exists but could not be read: expect nothing */
	char mtu_source[PATH_MAX + 32];
	const char *encap; /* "vxlan", "ipip", "wireguard", "none" */
	unsigned int overhead;
};

/* The overhead of the encapsulation a device stands for (IPv4 underlay;
 * +20 over IPv6, Calico's vxlan-v6/wg-v6 devices). */
static const struct {
	const char *device;
	const char *encap;
	unsigned int overhead;
} encaps[] = {
	{ "wireguard.cali", "wireguard", 60 },
	{ "vxlan.calico", "vxlan", 50 },
	{ "tunl0", "ipip", 20 },
};

#define IPV6_UNDERLAY_EXTRA 20

static void read_mtu_file(struct calico *c, const struct cni_env *env)
{
	char path[PATH_MAX];
	unsigned long v;
	int err;

	host_path(path, sizeof(path), env->host_root, CALICO_MTU_FILE);
	err = nodefile_read_uint(path, 65535, &v);
	if (err == -ENOENT) {
		/* calico-node has not written it yet: Calico's own default. */
		snprintf(c->mtu_source, sizeof(c->mtu_source), "computed (no %s)", path);
		return;
	}
	if (err) {
		pr_warn("cannot read Calico's MTU from %s (%s); expecting no Pod MTU", path,
			err == -EINVAL ? "not a number" : nodefile_strerror(err));
		c->unknown = true;
		return;
	}
	c->conf_mtu = (unsigned int)v;
	snprintf(c->mtu_source, sizeof(c->mtu_source), "%s", path);
}

static int calico_load(void *state, const struct cni_env *env, const char **uplink)
{
	struct calico *c = state;
	struct json_object *plugin = cni_conf_plugin(env->conf, CALICO_PLUGIN), *mtu;

	(void)uplink;
	if (!plugin || !json_object_object_get_ex(plugin, "mtu", &mtu)) {
		read_mtu_file(c, env);
		return 0;
	}
	if (!json_object_is_type(mtu, json_type_int) || json_object_get_int64(mtu) < 0 ||
	    json_object_get_int64(mtu) > 65535) {
		pr_warn("%s: Calico's \"mtu\" is not a number of bytes ('%s'); expecting no Pod "
			"MTU",
			env->conf->path, json_object_to_json_string(mtu));
		c->unknown = true;
		return 0;
	}
	c->conf_mtu = (unsigned int)json_object_get_int(mtu);
	if (!c->conf_mtu) {
		read_mtu_file(c, env); /* 0 means auto */
		return 0;
	}
	snprintf(c->mtu_source, sizeof(c->mtu_source), "%s", env->conf->path);
	return 0;
}

static void calico_resolve(void *state, const struct node *node, const struct ovs_ports *ovs)
{
	struct calico *c = state;
	size_t i;

	(void)ovs;
	c->encap = "none";
	c->overhead = 0;
	/* A device that is down carries nothing: the kernel makes tunl0 in
	 * every netns once the ipip module is loaded, used or not. */
	if (!node->tunnel.ifindex || !node->tunnel.up)
		return;
	for (i = 0; i < sizeof(encaps) / sizeof(encaps[0]); i++) {
		if (!strcmp(node->tunnel.name, encaps[i].device)) {
			c->encap = encaps[i].encap;
			c->overhead = encaps[i].overhead;
			/* IPIP carries IPv4 only; the others pay 20 more over IPv6. */
			if (node->uplink_ipv6 && strcmp(encaps[i].encap, "ipip"))
				c->overhead += IPV6_UNDERLAY_EXTRA;
		}
	}
}

static unsigned int calico_expected(const void *state, const struct node *node)
{
	const struct calico *c = state;
	unsigned int host = node_transport_mtu(node);

	if (c->unknown)
		return 0;
	if (c->conf_mtu)
		return c->conf_mtu;
	return host > c->overhead ? host - c->overhead : 0;
}

static unsigned int calico_overhead(const void *state)
{
	const struct calico *c = state;

	return c->overhead;
}

static void calico_describe_overhead(const void *state, char *buf, size_t size)
{
	const struct calico *c = state;

	snprintf(buf, size, "Calico %s", c->encap);
}

static const struct cni_words calico_words = {
	.display = "Calico",
	.mtu_setting = "the MTU of Calico's Installation (spec.calicoNetwork.mtu) or "
		       "FelixConfiguration (vxlanMTU, ipipMTU, wireguardMTU)",
	.device_remedy = "restart calico-node on this node: it sets its devices' MTUs at start",
};

static void calico_explain(const void *state, const struct finding_ctx *ctx, struct mismatch *m)
{
	(void)state;
	cni_explain_in_words(&calico_words, ctx, m);
}

static void calico_to_json(const void *state, struct json_object *o)
{
	const struct calico *c = state;

	json_object_object_add(o, "encapsulation", json_object_new_string(c->encap));
	json_object_object_add(o, "mtu_source",
			       c->unknown ? NULL : json_object_new_string(c->mtu_source));
}

static void calico_describe(const void *state, char *buf, size_t size)
{
	const struct calico *c = state;

	snprintf(buf, size, "encapsulation %s (overhead %u), Pod MTU from %s", c->encap,
		 c->overhead, c->unknown ? "nowhere readable" : c->mtu_source);
}

static const struct cni_devices calico_devices = {
	/* the most constraining first: a node with two keeps the smaller MTU */
	.tunnels = { "wireguard.cali", "vxlan.calico", "tunl0" },
};

static const char *const calico_types[] = { CALICO_PLUGIN, NULL };
static const char *const calico_signature[] = { "vxlan.calico",	   "tunl0",	 "wireguard.cali",
						"vxlan-v6.calico", "wg-v6.cali", NULL };

const struct cni_ops cni_calico = {
	.name = "calico",
	.state_size = sizeof(struct calico),
	.plugin_types = calico_types,
	.signature_devices = calico_signature,
	.load = calico_load,
	.resolve = calico_resolve,
	.expected_pod_mtu = calico_expected,
	.overhead = calico_overhead,
	.describe_overhead = calico_describe_overhead,
	.explain = calico_explain,
	.to_json = calico_to_json,
	.describe = calico_describe,
	.devices = &calico_devices,
	/* "the updated MTU only applies to new workloads" */
	.updates_running_pods = false,
};
