// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "limits/check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"

static const char *const kind_names[] = {
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

static struct mismatch *add(struct check_report *r, enum mismatch_kind kind, const char *iface,
			    unsigned int mtu)
{
	struct mismatch *m = ARRAY_PUSH(r->items, r->n);

	if (!m)
		return NULL;
	m->kind = kind;
	snprintf(m->iface, sizeof(m->iface), "%s", iface);
	m->mtu = mtu;
	m->path_mtu = r->path_mtu;
	m->expected_mtu = r->expected_mtu;
	return m;
}

static const char *pod_name(const struct pod_iface *pod, char *buf, size_t size)
{
	if (pod->named)
		snprintf(buf, size, "%s/%s", pod->pod.ns, pod->pod.name);
	else
		snprintf(buf, size, "the Pod in netns %s", pod->netns);
	return buf;
}

static void restart_remedy(struct mismatch *m, const struct pod_iface *pod, unsigned int mtu)
{
	m->restart_pod = true;
	if (pod->named)
		snprintf(m->remedy, sizeof(m->remedy),
			 "restart the Pod so that the CNI gives it MTU %u: kubectl -n %s delete "
			 "pod %s",
			 mtu, pod->pod.ns, pod->pod.name);
	else
		snprintf(m->remedy, sizeof(m->remedy),
			 "restart the Pod behind %s (netns %s) so that the CNI gives it MTU %u",
			 pod->ifname, pod->netns, mtu);
}

static bool uplink_dragged_down(const struct node *node)
{
	return node->uplink_nic.ifindex && node->uplink.mtu < node->uplink_nic.mtu;
}

static int check_pod(struct check_report *r, const struct node *node, const struct policy *policy,
		     const struct pod_iface *pod)
{
	unsigned int mtu = pod->pod_mtu ? pod->pod_mtu : pod->host_mtu;
	struct mismatch *m;
	char who[POD_NS_MAX + POD_NAME_MAX + 300];

	pod_name(pod, who, sizeof(who));
	if (pod->pod_mtu && pod->pod_mtu != pod->host_mtu) {
		m = add(r, MISMATCH_VETH_ENDS_DIFFER, pod->ifname, mtu);
		if (!m)
			return -ENOMEM;
		m->pod = pod;
		snprintf(m->cause, sizeof(m->cause),
			 "the two ends of %s's veth disagree (host %u, Pod %u): the smaller end "
			 "silently drops what the larger lets through",
			 who, pod->host_mtu, pod->pod_mtu);
		restart_remedy(m, pod, r->expected_mtu);
	}
	if (mtu > r->path_mtu) {
		m = add(r, MISMATCH_POD_ABOVE_PATH_MTU, pod->ifname, mtu);
		if (!m)
			return -ENOMEM;
		m->pod = pod;
		snprintf(m->cause, sizeof(m->cause),
			 "%s has MTU %u, above the path MTU %u: its full-size packets with DF "
			 "(every TCP segment) and IPv6 are lost in a black hole",
			 who, mtu, r->path_mtu);
		if (uplink_dragged_down(node))
			snprintf(m->remedy, sizeof(m->remedy),
				 "none for this Pod, its MTU is what %s gives new Pods: fix the "
				 "uplink port %s (see uplink_port_below_nic)",
				 policy_mode_name(policy->mode), node->uplink.name);
		else if (r->expected_mtu > r->path_mtu)
			snprintf(m->remedy, sizeof(m->remedy),
				 "set defaultMTU in antrea-agent.conf to at most %u, then restart "
				 "the Pod",
				 r->path_mtu);
		else
			restart_remedy(m, pod, r->expected_mtu);
	} else if (mtu < r->expected_mtu) {
		m = add(r, MISMATCH_POD_BELOW_EXPECTED, pod->ifname, mtu);
		if (!m)
			return -ENOMEM;
		m->pod = pod;
		snprintf(m->cause, sizeof(m->cause),
			 "%s has MTU %u, below the %u that %s gives new Pods: left from an "
			 "earlier mode; it works but wastes capacity, and on Open vSwitch it "
			 "drags an internal port without mtu_request down to %u",
			 who, mtu, r->expected_mtu, policy_mode_name(policy->mode), mtu);
		restart_remedy(m, pod, r->expected_mtu);
	}
	return 0;
}

/* The smallest Pod MTU on the node, and how many Pods have it: what an OVS
 * internal port with no mtu_request is dragged down to. */
static unsigned int smallest_pod_mtu(const struct node *node)
{
	unsigned int min = 0;
	size_t i;

	for (i = 0; i < node->n_pods; i++) {
		unsigned int mtu = policy_pod_limit(node->pods[i].host_mtu, node->pods[i].pod_mtu);

		if (node->pods[i].gone)
			continue;
		if (!min || mtu < min)
			min = mtu;
	}
	return min;
}

static int check_node_links(struct check_report *r, const struct node *node,
			    const struct policy *policy)
{
	struct mismatch *m;

	if (uplink_dragged_down(node)) {
		m = add(r, MISMATCH_UPLINK_PORT_BELOW_NIC, node->uplink.name, node->uplink.mtu);
		if (!m)
			return -ENOMEM;
		snprintf(m->cause, sizeof(m->cause),
			 "the uplink port %s has MTU %u, below its NIC %s (%u)%s: Open vSwitch "
			 "gives an internal port with no mtu_request the smallest MTU of the "
			 "other ports on its bridge",
			 node->uplink.name, node->uplink.mtu, node->uplink_nic.name,
			 node->uplink_nic.mtu,
			 smallest_pod_mtu(node) == node->uplink.mtu ? ", the MTU of the stale Pods"
								    : "");
		snprintf(m->remedy, sizeof(m->remedy),
			 "restart the stale Pods below and the port follows; or pin it: ovs-vsctl "
			 "set interface %s mtu_request=%u (Antrea 2.2+ does this)",
			 node->uplink.name, node->uplink_nic.mtu);
	}
	if (node->gateway.ifindex && node->gateway.mtu != r->expected_mtu) {
		m = add(r, MISMATCH_GATEWAY_MTU, node->gateway.name, node->gateway.mtu);
		if (!m)
			return -ENOMEM;
		snprintf(m->cause, sizeof(m->cause),
			 "the gateway %s has MTU %u, not the Pod MTU %u of %s mode",
			 node->gateway.name, node->gateway.mtu, r->expected_mtu,
			 policy_mode_name(policy->mode));
		snprintf(m->remedy, sizeof(m->remedy),
			 "restart antrea-agent on this node: it sets the gateway's MTU at start");
	}
	if (node->tunnel.ifindex && node->tunnel.mtu < r->expected_mtu) {
		m = add(r, MISMATCH_TUNNEL_MTU, node->tunnel.name, node->tunnel.mtu);
		if (!m)
			return -ENOMEM;
		snprintf(m->cause, sizeof(m->cause),
			 "the tunnel %s has MTU %u, below the Pod MTU %u: full-size Pod packets "
			 "cannot enter it",
			 node->tunnel.name, node->tunnel.mtu, r->expected_mtu);
		snprintf(m->remedy, sizeof(m->remedy),
			 "restart antrea-agent on this node, or set defaultMTU to at most %u",
			 node->tunnel.mtu);
	}
	if (policy->default_mtu && policy->default_mtu > r->path_mtu) {
		m = add(r, MISMATCH_DEFAULT_MTU_ABOVE_PATH, node->uplink.name, policy->default_mtu);
		if (!m)
			return -ENOMEM;
		snprintf(m->cause, sizeof(m->cause),
			 "defaultMTU %u is above the path MTU %u: every new Pod gets an MTU its "
			 "packets cannot use",
			 policy->default_mtu, r->path_mtu);
		snprintf(m->remedy, sizeof(m->remedy),
			 "set defaultMTU in antrea-agent.conf to at most %u, or remove it",
			 r->path_mtu);
	}
	return 0;
}

int check_node(const struct node *node, const struct policy *policy, struct check_report *r)
{
	size_t i;
	int err;

	memset(r, 0, sizeof(*r));
	r->uplink_mtu = node->uplink.mtu;
	r->transport_mtu = node_transport_mtu(node);
	r->path_mtu = policy_path_mtu(policy, node_egress_mtu(node));
	r->expected_mtu = policy_expected_pod_mtu(policy, r->transport_mtu);

	err = check_node_links(r, node, policy);
	for (i = 0; i < node->n_pods && !err; i++) {
		if (!node->pods[i].gone)
			err = check_pod(r, node, policy, &node->pods[i]);
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

static struct json_object *pod_json(const struct pod_iface *pod)
{
	struct json_object *o;

	if (!pod || !pod->named)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "namespace", json_object_new_string(pod->pod.ns));
	json_object_object_add(o, "name", json_object_new_string(pod->pod.name));
	return o;
}

struct json_object *mismatch_to_json(const struct mismatch *m, struct json_object *j)
{
	if (!j)
		j = json_object_new_object();
	json_object_object_add(j, "kind", json_object_new_string(kind_names[m->kind]));
	json_object_object_add(j, "pod", pod_json(m->pod));
	json_object_object_add(j, "iface", json_object_new_string(m->iface));
	json_object_object_add(j, "pod_mtu", m->pod ? json_object_new_int((int)m->mtu) : NULL);
	json_object_object_add(j, "mtu", json_object_new_int((int)m->mtu));
	json_object_object_add(j, "path_mtu", json_object_new_int((int)m->path_mtu));
	json_object_object_add(j, "expected_mtu", json_object_new_int((int)m->expected_mtu));
	json_object_object_add(j, "cause", json_object_new_string(m->cause));
	json_object_object_add(j, "remedy", json_object_new_string(m->remedy));
	return j;
}

void mismatch_print_text(const struct mismatch *m, const char *prefix)
{
	printf("%s%s on %s (MTU %u)\n", prefix, kind_names[m->kind], m->iface, m->mtu);
	printf("%s  cause:  %s\n", prefix, m->cause);
	printf("%s  remedy: %s\n", prefix, m->remedy);
}

/* True for the first finding whose remedy restarts its (named) Pod. */
static bool first_restart(const struct check_report *r, size_t i)
{
	size_t j;

	if (!r->items[i].restart_pod || !r->items[i].pod || !r->items[i].pod->named)
		return false;
	for (j = 0; j < i; j++) {
		if (r->items[j].restart_pod && r->items[j].pod == r->items[i].pod)
			return false;
	}
	return true;
}

/* Every Pod checked, with where its name came from. */
static struct json_object *pods_json(const struct node *node)
{
	struct json_object *list = json_object_new_array();
	size_t i;

	for (i = 0; i < node->n_pods; i++) {
		const struct pod_iface *p = &node->pods[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "iface", json_object_new_string(p->ifname));
		json_object_object_add(o, "netns", json_object_new_string(p->netns));
		json_object_object_add(o, "pod", pod_json(p));
		json_object_object_add(o, "pod_source",
				       p->pod_source ? json_object_new_string(p->pod_source)
						     : NULL);
		json_object_object_add(o, "host_mtu", json_object_new_int((int)p->host_mtu));
		json_object_object_add(o, "pod_mtu", json_object_new_int((int)p->pod_mtu));
		json_object_array_add(list, o);
	}
	return list;
}

struct json_object *check_to_json(const struct check_report *r, const struct node *node,
				  const struct policy *policy, const char *mode_reason)
{
	struct json_object *o = json_object_new_object();
	struct json_object *list = json_object_new_array();
	struct json_object *restart = json_object_new_array();
	size_t i;

	json_object_object_add(o, "event", json_object_new_string("check"));
	json_object_object_add(o, "consistent", json_object_new_boolean(r->n == 0));
	json_object_object_add(o, "mode", json_object_new_string(policy_mode_name(policy->mode)));
	json_object_object_add(o, "mode_source", json_object_new_string(mode_reason));
	json_object_object_add(o, "uplink", json_object_new_string(node->uplink.name));
	json_object_object_add(o, "uplink_mtu", json_object_new_int((int)r->uplink_mtu));
	json_object_object_add(
		o, "uplink_nic",
		node->uplink_nic.ifindex ? json_object_new_string(node->uplink_nic.name) : NULL);
	json_object_object_add(o, "transport_mtu", json_object_new_int((int)r->transport_mtu));
	json_object_object_add(o, "mtu_deduction",
			       json_object_new_int((int)policy_mtu_deduction(policy)));
	json_object_object_add(o, "expected_pod_mtu", json_object_new_int((int)r->expected_mtu));
	json_object_object_add(o, "path_mtu", json_object_new_int((int)r->path_mtu));
	json_object_object_add(o, "pods", pods_json(node));
	for (i = 0; i < r->n; i++) {
		json_object_array_add(list, mismatch_to_json(&r->items[i], NULL));
		if (first_restart(r, i))
			json_object_array_add(restart, pod_json(r->items[i].pod));
	}
	json_object_object_add(o, "mismatches", list);
	json_object_object_add(o, "restart", restart);
	return o;
}

void check_print_text(const struct check_report *r, const struct node *node,
		      const struct policy *policy, const char *mode_reason)
{
	size_t i;

	printf("mode %s (%s), deduction %u; uplink %s MTU %u", policy_mode_name(policy->mode),
	       mode_reason, policy_mtu_deduction(policy), node->uplink.name, r->uplink_mtu);
	if (node->uplink_nic.ifindex)
		printf(" on NIC %s MTU %u", node->uplink_nic.name, node->uplink_nic.mtu);
	printf("; new Pods get MTU %u, the path carries %u; %zu Pods checked\n", r->expected_mtu,
	       r->path_mtu, node->n_pods);
	if (!r->n) {
		printf("consistent: every Pod, the gateway and the uplink agree\n");
		return;
	}
	printf("INCONSISTENT: %zu finding%s\n", r->n, r->n == 1 ? "" : "s");
	for (i = 0; i < r->n; i++)
		mismatch_print_text(&r->items[i], "  ");
	for (i = 0; i < r->n; i++) {
		if (first_restart(r, i))
			printf("restart: kubectl -n %s delete pod %s\n", r->items[i].pod->pod.ns,
			       r->items[i].pod->pod.name);
	}
}
