// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Flannel (CNI.md): Pods on the L2 bridge cni0, routed between nodes. The
 * Pod MTU is FLANNEL_MTU in /run/flannel/subnet.env (flanneld writes it;
 * the bridge plugin gives it to each Pod it creates): the external
 * interface's MTU minus the backend's overhead, shown by its device:
 * flannel-wg (WireGuard, 80), flannel.1 (VXLAN, 50), flannel.ipip (20);
 * none of them: host-gw, no overhead. Neither running Pods nor cni0 are
 * updated when it changes. Canal (Calico's policy over Flannel) is judged
 * here too: Flannel sets its MTU.
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
#include "node/node.h"

#define FLANNEL_SUBNET_ENV "/run/flannel/subnet.env"

struct flannel {
	unsigned int mtu; /* FLANNEL_MTU, 0: not readable */
	char source[PATH_MAX];
	const char *backend;
	unsigned int overhead;
};

static const struct {
	const char *device;
	const char *backend;
	unsigned int overhead;
} backends[] = {
	{ "flannel-wg", "wireguard", 80 },
	{ "flannel.1", "vxlan", 50 },
	{ "flannel.ipip", "ipip", 20 },
};

static int flannel_load(void *state, const struct cni_env *env, const char **uplink)
{
	struct flannel *f = state;
	char value[32], *end;
	unsigned long v;
	int err;

	(void)uplink;
	host_path(f->source, sizeof(f->source), env->host_root, FLANNEL_SUBNET_ENV);
	err = nodefile_env_value(f->source, "FLANNEL_MTU", value, sizeof(value));
	if (err == -ENODATA) {
		pr_warn("%s has no FLANNEL_MTU; expecting no Pod MTU", f->source);
		return 0;
	}
	if (err) {
		pr_warn("cannot read Flannel's %s (%s: is flanneld running?); expecting no Pod MTU",
			f->source, nodefile_strerror(err));
		return 0;
	}
	v = strtoul(value, &end, 10);
	if (end == value || *end || v < 68 || v > 65535) {
		pr_warn("%s: FLANNEL_MTU is not an MTU ('%s'); expecting no Pod MTU", f->source,
			value);
		return 0;
	}
	f->mtu = (unsigned int)v;
	return 0;
}

static void flannel_resolve(void *state, const struct node *node, const struct ovs_ports *ovs)
{
	struct flannel *f = state;
	size_t i;

	(void)ovs;
	f->backend = "host-gw";
	f->overhead = 0;
	for (i = 0; node->tunnel.ifindex && i < sizeof(backends) / sizeof(backends[0]); i++) {
		if (!strcmp(node->tunnel.name, backends[i].device)) {
			f->backend = backends[i].backend;
			f->overhead = backends[i].overhead;
		}
	}
}

static unsigned int flannel_expected(const void *state, const struct node *node)
{
	const struct flannel *f = state;

	(void)node;
	return f->mtu;
}

static unsigned int flannel_overhead(const void *state)
{
	const struct flannel *f = state;

	return f->overhead;
}

static void flannel_describe_overhead(const void *state, char *buf, size_t size)
{
	const struct flannel *f = state;

	snprintf(buf, size, "Flannel %s", f->backend);
}

static const struct cni_words flannel_words = {
	.display = "Flannel",
	.mtu_setting = "Flannel's Backend.MTU in net-conf.json (or the external interface's MTU)",
	.device_remedy = "cni0 keeps the MTU it was created with: on a drained node, delete it "
			 "(ip link delete cni0) and restart the Pods, so that the bridge plugin "
			 "creates it again at FLANNEL_MTU",
};

static void flannel_explain(const void *state, const struct finding_ctx *ctx, struct mismatch *m)
{
	(void)state;
	cni_explain_in_words(&flannel_words, ctx, m);
}

static void flannel_to_json(const void *state, struct json_object *o)
{
	const struct flannel *f = state;

	json_object_object_add(o, "backend", json_object_new_string(f->backend));
	json_object_object_add(o, "mtu_source", f->mtu ? json_object_new_string(f->source) : NULL);
}

static void flannel_describe(const void *state, char *buf, size_t size)
{
	const struct flannel *f = state;

	snprintf(buf, size, "backend %s (overhead %u), Pod MTU from %s", f->backend, f->overhead,
		 f->mtu ? f->source : "nowhere readable");
}

static const struct cni_devices flannel_devices = {
	.gateway = "cni0",
	.tunnels = { "flannel-wg", "flannel.1", "flannel.ipip" },
};

static const char *const flannel_types[] = { "flannel", NULL };
static const char *const flannel_signature[] = { "flannel.1", "flannel-v6.1", "flannel-wg",
						 "flannel.ipip", NULL };

const struct cni_ops cni_flannel = {
	.name = "flannel",
	.state_size = sizeof(struct flannel),
	.plugin_types = flannel_types,
	.signature_devices = flannel_signature,
	.load = flannel_load,
	.resolve = flannel_resolve,
	.expected_pod_mtu = flannel_expected,
	.overhead = flannel_overhead,
	.describe_overhead = flannel_describe_overhead,
	.explain = flannel_explain,
	.to_json = flannel_to_json,
	.describe = flannel_describe,
	.devices = &flannel_devices,
	.updates_running_pods = false,
};
