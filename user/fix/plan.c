// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "fix/plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/array.h"
#include "lib/log.h"
#include "node/node.h"
#include "podid/ovsdb.h"
#include "podid/registry.h"

static bool is_pod_finding(enum mismatch_kind kind)
{
	return kind == MISMATCH_POD_ABOVE_PATH_MTU || kind == MISMATCH_POD_BELOW_EXPECTED ||
	       kind == MISMATCH_VETH_ENDS_DIFFER;
}

static bool has_ipv6(const struct pod_iface *pod)
{
	size_t i;

	for (i = 0; i < pod->n_addrs; i++) {
		if (pod->addrs[i].family == AF_INET6)
			return true;
	}
	return false;
}

static bool pod_matches(const struct mismatch *m, const struct fix_filter *f)
{
	char who[POD_NS_MAX + POD_NAME_MAX + 1];
	size_t i;

	if (!f || !f->n)
		return true;
	if (!m->named)
		return false;
	snprintf(who, sizeof(who), "%s/%s", m->who.ns, m->who.name);
	for (i = 0; i < f->n; i++) {
		if (!strcmp(f->pods[i], who))
			return true;
	}
	return false;
}

static int leave(struct fix_plan *p, const struct mismatch *m, const char *why)
{
	struct fix_left *l = ARRAY_PUSH(p->left, p->n_left);

	if (!l)
		return -ENOMEM;
	l->kind = m->kind;
	snprintf(l->iface, sizeof(l->iface), "%s", m->iface);
	l->named = m->named;
	l->pod = m->who;
	l->restart_pod = m->restart_pod;
	snprintf(l->why, sizeof(l->why), "%s", why);
	snprintf(l->remedy, sizeof(l->remedy), "%s", m->remedy);
	return 0;
}

static struct fix_step *add_step(struct fix_plan *p, enum fix_step_kind kind,
				 const struct mismatch *m)
{
	struct fix_step *s = ARRAY_PUSH(p->steps, p->n);

	if (!s)
		return NULL;
	s->kind = kind;
	snprintf(s->iface, sizeof(s->iface), "%s", m->iface);
	s->named = m->named;
	s->pod = m->who;
	s->reason = mismatch_kind_name(m->kind);
	return s;
}

/* The internal port Open vSwitch dragged below its NIC: its mtu_request
 * pinned to the NIC's, so that no Pod can drag it again. */
static int plan_ovs_port(const struct view *v, const struct check_report *r,
			 const struct mismatch *m, struct fix_plan *p)
{
	const struct ovs_ports *ports = podid_ovs_ports(v->ids);
	const struct ovs_port *port = ovs_find_port(ports, m->iface);
	struct fix_step *s;

	if (!port)
		return leave(p, m,
			     cni_ovsdb_keys(v->cni)
				     ? "OVSDB did not answer, or has no interface by that name"
				     : "not an Open vSwitch port: a Linux bridge follows its "
				       "ports, and comes back up once the Pods are");
	if (strcmp(port->iface_type, "internal"))
		return leave(p, m, "not an internal port: its MTU is its own device's");
	s = add_step(p, FIX_OVS_MTU_REQUEST, m);
	if (!s)
		return -ENOMEM;
	s->from_host = m->mtu;
	s->from_request = port->mtu_request > 0 ? (unsigned int)port->mtu_request : 0;
	s->to = r->transport_mtu;
	return 0;
}

/* A Pod's veth, both ends, to @target. */
static int plan_pod(const struct mismatch *m, unsigned int target, struct fix_plan *p)
{
	const struct pod_iface *pod = m->pod;
	struct fix_step *s;
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (p->steps[i].kind == FIX_VETH && p->steps[i].ifindex == pod->ifindex)
			return 0; /* another finding of the same Pod */
	}
	for (i = 0; i < p->n_left; i++) {
		if (!strcmp(p->left[i].iface, pod->ifname) && is_pod_finding(p->left[i].kind))
			return 0;
	}
	if (pod->host_mtu == target && pod->pod_mtu == target)
		return 0; /* the ports' steps mend it */
	if (!pod->pod_mtu)
		return leave(p, m, "its Pod end cannot be read");
	if (target < IPV6_MIN_MTU && has_ipv6(pod) && target < limits_pod_mtu(pod))
		return leave(p, m,
			     "lowering it below 1280 would remove its IPv6 addresses (the "
			     "kernel does so): restart it instead");
	s = add_step(p, FIX_VETH, m);
	if (!s)
		return -ENOMEM;
	snprintf(s->iface, sizeof(s->iface), "%s", pod->ifname);
	s->ifindex = pod->ifindex;
	s->peer_ifindex = pod->peer_ifindex;
	s->netnsid = pod->netnsid;
	snprintf(s->netns, sizeof(s->netns), "%s", pod->netns);
	s->from_host = pod->host_mtu;
	s->from_pod = pod->pod_mtu;
	s->to = target;
	return 0;
}

bool fix_step_lowers(const struct fix_step *s)
{
	return s->kind == FIX_VETH && (s->to < s->from_host || s->to < s->from_pod);
}

static int order(const void *a, const void *b)
{
	const struct fix_step *x = a, *y = b;
	int rx = fix_step_lowers(x) ? 0 : x->kind == FIX_OVS_MTU_REQUEST ? 1 : 2;
	int ry = fix_step_lowers(y) ? 0 : y->kind == FIX_OVS_MTU_REQUEST ? 1 : 2;

	return rx - ry;
}

static bool names_a_pod(const struct check_report *r, const char *who)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		char name[POD_NS_MAX + POD_NAME_MAX + 1];

		if (!r->items[i].named)
			continue;
		snprintf(name, sizeof(name), "%s/%s", r->items[i].who.ns, r->items[i].who.name);
		if (!strcmp(name, who))
			return true;
	}
	return false;
}

/* Every Pod the filter names must be one the audit found and named, or
 * one on the node (then it needs nothing). */
static int check_filter(const struct view *v, const struct check_report *r,
			const struct fix_filter *f)
{
	size_t i, j;

	for (i = 0; f && i < f->n; i++) {
		bool here = names_a_pod(r, f->pods[i]);

		for (j = 0; !here && j < v->node.n_pods; j++) {
			const struct pod_name *n = podid_find(v->ids, &v->node.pods[j]);
			char name[POD_NS_MAX + POD_NAME_MAX + 1];

			if (!n || v->node.pods[j].gone)
				continue;
			snprintf(name, sizeof(name), "%s/%s", n->pod.ns, n->pod.name);
			here = !strcmp(name, f->pods[i]);
		}
		if (!here) {
			pr_err("no Pod %s on this node (see mtuguard check for the Pods it has)",
			       f->pods[i]);
			return -ENOENT;
		}
	}
	return 0;
}

int fix_plan_build(const struct view *v, const struct check_report *r,
		   const struct fix_filter *filter, struct fix_plan *out)
{
	bool port_comes_back = false, node_steps = !filter || !filter->n;
	unsigned int target;
	size_t i;
	int err;

	memset(out, 0, sizeof(*out));
	err = check_filter(v, r, filter);
	if (err)
		return err;
	/* The ports first: they set the path the Pods are fitted to. */
	for (i = 0; i < r->n && !err; i++) {
		const struct mismatch *m = &r->items[i];

		if (m->kind != MISMATCH_UPLINK_PORT_BELOW_NIC)
			continue;
		/* Open vSwitch raises an internal port by itself once no Pod
		 * holds it down, whether its mtu_request is pinned or not. */
		port_comes_back = cni_ovsdb_keys(v->cni) != NULL;
		if (node_steps)
			err = plan_ovs_port(v, r, m, out);
	}
	out->path_after = port_comes_back ? r->transport_mtu : r->path_mtu;
	target = r->expected_mtu;
	if (!target || (out->path_after && target > out->path_after))
		target = out->path_after;
	for (i = 0; i < r->n && !err; i++) {
		const struct mismatch *m = &r->items[i];

		if (m->kind == MISMATCH_UPLINK_PORT_BELOW_NIC)
			continue;
		if (!is_pod_finding(m->kind) || !m->pod) {
			if (node_steps)
				err = leave(out, m, "not a Pod's MTU: the CNI's settings or agent");
			continue;
		}
		if (!pod_matches(m, filter))
			continue;
		err = target ? plan_pod(m, target, out)
			     : leave(out, m, "neither the CNI nor the path says what it should be");
	}
	if (err) {
		fix_plan_free(out);
		return err;
	}
	if (out->n > 1)
		qsort(out->steps, out->n, sizeof(out->steps[0]), order);
	return 0;
}

void fix_plan_free(struct fix_plan *p)
{
	free(p->steps);
	free(p->left);
	memset(p, 0, sizeof(*p));
}
