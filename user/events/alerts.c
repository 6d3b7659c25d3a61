// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "events/alerts.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "report/output.h"

void alerts_init(struct alerts *a, const struct view *view, bool json)
{
	memset(a, 0, sizeof(*a));
	a->view = view;
	a->json = json;
}

/* The monotonic timestamp of a sample, as wall-clock time. */
static struct timespec wall_time_of(__u64 ktime_ns)
{
	struct timespec mono, real, res;
	__s64 ago_ns;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	ago_ns = (__s64)mono.tv_sec * 1000000000LL + mono.tv_nsec - (__s64)ktime_ns;
	if (ago_ns < 0)
		ago_ns = 0;
	ago_ns = (__s64)real.tv_sec * 1000000000LL + real.tv_nsec - ago_ns;
	res.tv_sec = ago_ns / 1000000000LL;
	res.tv_nsec = ago_ns % 1000000000LL;
	return res;
}

static const struct pod_iface *pod_by_addr(const struct node *node, const struct mg_addr *addr)
{
	size_t i, a;

	for (i = 0; i < node->n_pods; i++) {
		for (a = 0; a < node->pods[i].n_addrs; a++) {
			if (!memcmp(&node->pods[i].addrs[a], addr, sizeof(*addr)))
				return &node->pods[i];
		}
	}
	return NULL;
}

/* Where the limit of @ev comes from, as one phrase. */
static void describe_limit(const struct alerts *a, const struct mg_event *ev, char *buf,
			   size_t size)
{
	const struct pod_iface *dst;
	const struct pod_name *name;

	switch (ev->limit_source) {
	case MG_LIMIT_PATH_MTU:
		snprintf(buf, size, "path MTU: %s", a->view->limits.path_detail);
		break;
	case MG_LIMIT_LOCAL_POD:
		if (ev->flow.hook == MG_HOOK_UPLINK_INGRESS) {
			snprintf(buf, size, "the Pod's MTU");
			break;
		}
		dst = pod_by_addr(&a->view->node, &ev->flow.daddr);
		name = podid_find(a->view->ids, dst);
		if (name)
			snprintf(buf, size, "MTU of local Pod %s/%s", name->pod.ns, name->pod.name);
		else
			snprintf(buf, size, "MTU of local Pod behind %s",
				 dst ? dst->ifname : "another veth");
		break;
	case MG_LIMIT_POD_MTU:
		snprintf(buf, size, "the Pod's MTU; the veth drops it");
		break;
	case MG_LIMIT_ROUTE:
		/* The id is the route's index when the sample was taken; a
		 * table that changed since is said as such. */
		if (ev->limit_id < a->view->limits.n_routes &&
		    a->view->limits.routes[ev->limit_id].mtu == ev->limit)
			snprintf(buf, size, "%s", a->view->limits.routes[ev->limit_id].detail);
		else
			snprintf(buf, size, "a route's limit (the routes changed since)");
		break;
	case MG_LIMIT_ICMP:
		snprintf(buf, size, "announced by ICMP");
		break;
	default:
		snprintf(buf, size, "no limit");
	}
}

/* The name of the interface a packet was seen on. */
static const char *seen_on(const struct node *node, __u32 ifindex, char *buf)
{
	const struct pod_iface *pod = node_find_pod(node, (int)ifindex);
	const struct nl_link *fabric = node_fabric_link(node);

	if (pod)
		return pod->ifname;
	if ((int)ifindex == fabric->ifindex)
		return fabric->name;
	return if_indextoname(ifindex, buf) ? buf : "?";
}

/* Whether the assist answers packets like this alert's: what a Pod sends,
 * over a limit a switched device enforces (its answers are rate-limited,
 * so not every one of them). */
static bool assisted(const struct alerts *a, const struct mg_event *ev)
{
	const struct limits *l = &a->view->limits;

	if (!a->assist_on || ev->flow.hook != MG_HOOK_POD_INGRESS ||
	    ev->flow.class != MG_CLASS_TOO_BIG || ev->gso_size)
		return false;
	if (ev->limit_source == MG_LIMIT_ROUTE)
		return ev->limit_id < l->n_routes && l->routes[ev->limit_id].silent;
	return a->assist_silent & (1U << ev->limit_source);
}

static void report(struct alerts *a, const struct mg_event *ev, bool flush)
{
	const struct node *node = &a->view->node;
	const struct pod_iface *pod = node_find_pod(node, (int)ev->pod_ifindex);
	char detail[POD_NS_MAX + POD_NAME_MAX + 64], iface[IF_NAMESIZE];
	struct alert alert = {
		.ev = ev,
		.flush = flush,
		.pod = pod_label_of(pod, a->view->ids),
		.limit_detail = detail,
		.when = wall_time_of(ev->ts_ns),
		.assisted = assisted(a, ev),
	};

	/* The MTU the programs judged by, not the one the Pod has by now. */
	if (ev->pod_mtu)
		alert.pod.mtu = ev->pod_mtu;
	alert.iface = seen_on(node, ev->flow.ifindex, iface);
	describe_limit(a, ev, detail, sizeof(detail));
	output_alert(&alert, a->json);
	if (tally_add(&a->tally, ev->flow.ifindex, ev->flow.hook, ev->count))
		a->err = -ENOMEM;
}

int alerts_on_sample(void *data, void *raw, size_t size)
{
	if (size >= sizeof(struct mg_event))
		report(data, raw, false);
	return 0;
}

void alerts_on_flush(const struct mg_event *ev, void *data)
{
	report(data, ev, true);
}

void alerts_free(struct alerts *a)
{
	tally_free(&a->tally);
}
