// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "report/banner.h"

#include "datapath/assist.h"
#include "report/names.h"

#include <stdio.h>

#include "report/json.h"

#define BANNER_ROUTES 8
#include "report/summary.h"

/* {"answer": bool, "clamp_mss": true, "silent": [...]}, or null when off. */
static struct json_object *json_assist(const struct assist_opts *a)
{
	struct json_object *o, *silent;
	unsigned int src;

	if (!a)
		return NULL;
	o = json_object_new_object();
	silent = json_object_new_array();
	for (src = 0; src < 32; src++) {
		if (a->silent_sources & (1U << src))
			json_object_array_add(silent,
					      json_object_new_string(limit_source_name(src)));
	}
	json_object_object_add(o, "answer", json_object_new_boolean(a->answer));
	json_object_object_add(o, "clamp_mss", json_object_new_boolean(true));
	json_object_object_add(o, "silent", silent);
	return o;
}

static void print_json(const struct view *v, const struct banner *b)
{
	const struct node *node = &v->node;
	struct json_object *o = json_event("start");
	struct json_object *pods = json_object_new_array();
	size_t i;

	cni_to_json(v->cni, o);
	json_object_object_add(o, "uplink", json_object_new_string(node->uplink.name));
	json_object_object_add(o, "uplink_mtu", json_object_new_int((int)node->uplink.mtu));
	json_object_object_add(o, "path_mtu", json_object_new_int((int)v->limits.path_mtu));
	json_object_object_add(o, "path_mtu_source", json_object_new_string(v->limits.path_detail));
	json_object_object_add(o, "routes", json_routes(&v->limits));
	json_object_object_add(o, "attach", json_object_new_string(b->attach));
	json_object_object_add(o, "uplink_hook", json_object_new_string(b->uplink_hook));
	json_object_object_add(o, "taken_over", json_object_new_int64((int64_t)b->taken_over));
	json_object_object_add(o, "keep_attached", json_object_new_boolean(b->keep_attached));
	json_object_object_add(o, "assist", json_assist(b->assist));
	for (i = 0; i < node->n_pods; i++) {
		const struct pod_iface *p = &node->pods[i];

		json_object_array_add(pods, json_pod_iface(p, podid_find(v->ids, p)));
	}
	json_object_object_add(o, "pods", pods);
	json_print_line(o);
}

/* The limits the assist answers for, by name ("path_mtu, local_pod_mtu"). */
static void silent_names(unsigned int silent, char *buf, size_t size)
{
	unsigned int src;
	size_t len = 0;

	buf[0] = '\0';
	for (src = 0; src < 32 && len < size; src++) {
		if (silent & (1U << src))
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
						limit_source_name(src));
	}
}

static void print_assist(const struct assist_opts *a)
{
	char silent[128];

	if (!a)
		return;
	silent_names(a->silent_sources, silent, sizeof(silent));
	if (a->answer)
		printf("  ASSIST ON: a Pod's oversize DF packet over a limit this node enforces "
		       "silently (%s%sroutes marked silent) is answered with ICMP too-big and "
		       "dropped; TCP MSS is clamped on SYN and SYN-ACK\n",
		       silent, silent[0] ? ", " : "");
	else
		printf("  MSS CLAMPING ON: TCP MSS is clamped on SYN and SYN-ACK to each path's "
		       "limit\n");
}

void banner_print(const struct view *v, const struct banner *b, bool json)
{
	const struct node *node = &v->node;
	unsigned int path_mtu = v->limits.path_mtu;
	size_t i;

	if (json) {
		print_json(v, b);
		return;
	}
	printf("mtuguard: watching %zu Pod veth%s and uplink %s (MTU %u) with %s; path MTU %u "
	       "(%s). Ctrl-C to stop.\n",
	       node->n_pods, node->n_pods == 1 ? "" : "s", node->uplink.name, node->uplink.mtu,
	       b->attach, path_mtu, v->limits.path_detail);
	if (b->taken_over)
		printf("  took over %zu hooks an earlier watch left attached: no packet went "
		       "unobserved, and the counts go on\n",
		       b->taken_over);
	print_assist(b->assist);
	if (b->keep_attached)
		printf("  --keep-attached: the hooks stay attached at exit, for the next watch "
		       "(`mtuguard detach` removes them)\n");
	/* The limits per destination, the first few: a node with a route per
	 * remote Pod block has hundreds (all of them: --json's start event). */
	for (i = 0; i < v->limits.n_routes && i < BANNER_ROUTES; i++)
		printf("  limit %u to %s\n", v->limits.routes[i].mtu, v->limits.routes[i].detail);
	if (v->limits.n_routes > BANNER_ROUTES)
		printf("  ... and %zu more destination prefixes\n",
		       v->limits.n_routes - BANNER_ROUTES);
	for (i = 0; i < node->n_pods; i++) {
		const struct pod_iface *p = &node->pods[i];
		struct pod_label l = pod_label_of(p, v->ids);
		char who[POD_NS_MAX + POD_NAME_MAX + 2], route[32] = "";
		/* What it sends: its device's MTU, or its route's below it. */
		unsigned int sends = p->route_mtu && p->route_mtu < l.mtu ? p->route_mtu : l.mtu;

		if (p->route_mtu_known && p->route_mtu)
			snprintf(route, sizeof(route), ", route %u", p->route_mtu);
		else if (p->route_mtu_known)
			snprintf(route, sizeof(route), ", route without mtu");
		snprintf(who, sizeof(who), "%s%s%s", l.pod ? l.pod->ns : "-", l.pod ? "/" : "",
			 l.pod ? l.pod->name : "");
		printf("  %-16s %-40s netns %-16s MTU %u (Pod end %u%s)%s\n", p->ifname, who,
		       p->netns, p->host_mtu, p->pod_mtu, route,
		       sends > path_mtu ? "  <- above the path MTU: its large packets are lost"
					: "");
	}
	fflush(stdout);
}
