// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "limits/audit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "lib/text.h"

static const char *const kind_names[MISMATCH_KIND_MAX] = {
	[MISMATCH_POD_ABOVE_PATH_MTU] = "pod_mtu_above_path_mtu",
	[MISMATCH_POD_BELOW_EXPECTED] = "pod_mtu_below_expected",
	[MISMATCH_VETH_ENDS_DIFFER] = "veth_ends_differ",
	[MISMATCH_UPLINK_PORT_BELOW_NIC] = "uplink_port_below_nic",
	[MISMATCH_GATEWAY_MTU] = "gateway_mtu_mismatch",
	[MISMATCH_TUNNEL_MTU] = "tunnel_mtu_below_pod_mtu",
	[MISMATCH_DEFAULT_MTU_ABOVE_PATH] = "default_mtu_above_path_mtu",
};

const char *mismatch_kind_name(enum mismatch_kind kind)
{
	return kind_names[kind];
}

/* What an audit pass carries from finding to finding. */
struct audit {
	const struct view *v;
	struct check_report *r;
	struct finding_ctx ctx;
};

static void pod_phrase(const struct mismatch *m, char *buf, size_t size)
{
	if (m->named)
		snprintf(buf, size, "%s/%s", m->who.ns, m->who.name);
	else
		snprintf(buf, size, "the Pod in netns %s", m->pod->netns);
}

/* Adds a finding, explained by the CNI module. */
static int add(struct audit *a, enum mismatch_kind kind, const char *iface, unsigned int mtu,
	       const struct pod_iface *pod)
{
	struct mismatch *m = ARRAY_PUSH(a->r->items, a->r->n);
	const struct pod_name *name = pod ? podid_find(a->v->ids, pod) : NULL;
	char who[POD_NS_MAX + POD_NAME_MAX + 300] = "";

	if (!m)
		return -ENOMEM;
	m->kind = kind;
	snprintf(m->iface, sizeof(m->iface), "%s", iface);
	m->mtu = mtu;
	m->path_mtu = a->r->path_mtu;
	m->expected_mtu = a->r->expected_mtu;
	m->pod = pod;
	if (name) {
		m->named = true;
		m->who = name->pod;
	}
	if (pod)
		pod_phrase(m, who, sizeof(who));
	a->ctx.who = who;
	cni_explain(a->v->cni, &a->ctx, m);
	a->ctx.who = NULL;
	return 0;
}

void audit_restart_remedy(struct mismatch *m, unsigned int mtu)
{
	char ns[2 * POD_NS_MAX + 8], name[2 * POD_NAME_MAX + 8];

	m->restart_pod = true;
	text_shell_word(m->who.ns, ns, sizeof(ns));
	text_shell_word(m->who.name, name, sizeof(name));
	if (m->named)
		snprintf(m->remedy, sizeof(m->remedy),
			 "restart the Pod so that the CNI gives it MTU %u: kubectl -n %s delete "
			 "pod %s",
			 mtu, ns, name);
	else
		snprintf(m->remedy, sizeof(m->remedy),
			 "restart the Pod behind %s (netns %s) so that the CNI gives it MTU %u",
			 m->pod->ifname, m->pod->netns, mtu);
}

void audit_explain_veth_ends(const struct finding_ctx *ctx, struct mismatch *m)
{
	snprintf(m->cause, sizeof(m->cause),
		 "the two ends of %s's veth disagree (host %u, Pod %u): the smaller end "
		 "silently drops what the larger lets through",
		 ctx->who, m->pod->host_mtu, m->pod->pod_mtu);
}

static int check_pod(struct audit *a, const struct pod_iface *pod)
{
	const struct limits *l = &a->v->limits;
	unsigned int mtu = pod->pod_mtu ? pod->pod_mtu : pod->host_mtu, sends = mtu;
	bool route_unknown = a->v->node.roles.pod_route_mtu && !pod->route_mtu_known;
	int err = 0;

	if (pod->pod_mtu && pod->pod_mtu != pod->host_mtu)
		err = add(a, MISMATCH_VETH_ENDS_DIFFER, pod->ifname, mtu, pod);
	if (err)
		return err;
	/* Where the CNI gives Pods a route MTU (Cilium), a Pod sends what
	 * its route says; unread (no CAP_SYS_ADMIN), it cannot be judged. */
	if (pod->route_mtu && pod->route_mtu < sends)
		sends = pod->route_mtu;
	if (!route_unknown && sends > l->path_mtu)
		err = add(a, MISMATCH_POD_ABOVE_PATH_MTU, pod->ifname, mtu, pod);
	else if (l->expected_pod_mtu && mtu < l->expected_pod_mtu)
		err = add(a, MISMATCH_POD_BELOW_EXPECTED, pod->ifname, mtu, pod);
	return err;
}

/* The smallest Pod MTU on the node: what an OVS internal port with no
 * mtu_request is dragged down to. */
static unsigned int smallest_pod_mtu(const struct node *node)
{
	unsigned int min = 0;
	size_t i;

	for (i = 0; i < node->n_pods; i++) {
		unsigned int mtu = limits_pod_mtu(&node->pods[i]);

		if (node->pods[i].gone)
			continue;
		if (!min || mtu < min)
			min = mtu;
	}
	return min;
}

static int check_node_links(struct audit *a)
{
	const struct node *node = &a->v->node;
	const struct limits *l = &a->v->limits;
	unsigned int configured = cni_configured_pod_mtu(a->v->cni);
	int err = 0;

	if (node_uplink_dragged_down(node))
		err = add(a, MISMATCH_UPLINK_PORT_BELOW_NIC, node->uplink.name, node->uplink.mtu,
			  NULL);
	/* With nothing expected (the CNI's source unreadable, or no CNI),
	 * only what the kernel proves is a finding. A tunnel that is down
	 * carries nothing. */
	if (!err && l->expected_pod_mtu && node->gateway.ifindex &&
	    node->gateway.mtu != l->expected_pod_mtu)
		err = add(a, MISMATCH_GATEWAY_MTU, node->gateway.name, node->gateway.mtu, NULL);
	if (!err && l->expected_pod_mtu && node->tunnel.ifindex && node->tunnel.up &&
	    node->tunnel.mtu < l->tunnel_floor)
		err = add(a, MISMATCH_TUNNEL_MTU, node->tunnel.name, node->tunnel.mtu, NULL);
	if (!err && configured && configured > l->path_mtu)
		err = add(a, MISMATCH_DEFAULT_MTU_ABOVE_PATH, node->uplink.name, configured, NULL);
	return err;
}

int check_node(const struct view *v, struct check_report *r)
{
	struct audit a = { .v = v, .r = r };
	size_t i;
	int err;

	memset(r, 0, sizeof(*r));
	r->uplink_mtu = v->limits.uplink_mtu;
	r->transport_mtu = v->limits.transport_mtu;
	r->path_mtu = v->limits.path_mtu;
	r->expected_mtu = v->limits.expected_pod_mtu;
	a.ctx = (struct finding_ctx){ .node = &v->node,
				      .limits = &v->limits,
				      .smallest_pod_mtu = smallest_pod_mtu(&v->node) };

	err = check_node_links(&a);
	for (i = 0; i < v->node.n_pods && !err; i++) {
		if (!v->node.pods[i].gone)
			err = check_pod(&a, &v->node.pods[i]);
	}
	if (err)
		check_report_free(r);
	return err;
}

void check_report_free(struct check_report *r)
{
	free(r->items);
	r->items = NULL;
	r->n = 0;
}

bool check_first_restart(const struct check_report *r, size_t i)
{
	size_t j;

	if (!r->items[i].restart_pod || !r->items[i].pod || !r->items[i].named)
		return false;
	for (j = 0; j < i; j++) {
		if (r->items[j].restart_pod && r->items[j].pod == r->items[i].pod)
			return false;
	}
	return true;
}
