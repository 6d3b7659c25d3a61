// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "report/json.h"

#include <stdio.h>

#include <arpa/inet.h>

#include "lib/clock.h"
#include "limits/limits.h"
#include "node/node.h"
#include "podid/registry.h"

struct json_object *json_event_at(const char *event, const struct timespec *when)
{
	struct json_object *o = json_object_new_object();
	char buf[64];

	format_rfc3339(when, buf, sizeof(buf));
	json_object_object_add(o, "time", json_object_new_string(buf));
	json_object_object_add(o, "event", json_object_new_string(event));
	return o;
}

struct json_object *json_event(const char *event)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return json_event_at(event, &now);
}

struct json_object *json_pod(const struct pod_ref *pod)
{
	struct json_object *o;

	if (!pod)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "namespace", json_object_new_string(pod->ns));
	json_object_object_add(o, "name", json_object_new_string(pod->name));
	return o;
}

struct json_object *json_pod_iface(const struct pod_iface *p, const struct pod_name *name)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "iface", json_object_new_string(p->ifname));
	json_object_object_add(o, "netns", json_object_new_string(p->netns));
	json_object_object_add(o, "pod", json_pod(name ? &name->pod : NULL));
	json_object_object_add(o, "namespace", name ? json_object_new_string(name->pod.ns) : NULL);
	json_object_object_add(o, "name", name ? json_object_new_string(name->pod.name) : NULL);
	json_object_object_add(o, "pod_source", name ? json_object_new_string(name->source) : NULL);
	json_object_object_add(o, "host_mtu", json_object_new_int((int)p->host_mtu));
	json_object_object_add(o, "pod_mtu", json_object_new_int((int)p->pod_mtu));
	/* Where the CNI sets it (Cilium): the default route's mtu, 0 when it
	 * has none; null when not read. */
	json_object_object_add(o, "route_mtu",
			       p->route_mtu_known ? json_object_new_int((int)p->route_mtu) : NULL);
	return o;
}

struct json_object *json_routes(const struct limits *l)
{
	struct json_object *list = json_object_new_array();
	size_t i;

	for (i = 0; i < l->n_routes; i++) {
		struct json_object *o = json_object_new_object();
		char prefix[INET6_ADDRSTRLEN + 4];

		limits_prefix_str(&l->routes[i], prefix, sizeof(prefix));
		json_object_object_add(o, "prefix", json_object_new_string(prefix));
		json_object_object_add(o, "mtu", json_object_new_int((int)l->routes[i].mtu));
		json_object_object_add(o, "detail", json_object_new_string(l->routes[i].detail));
		/* Dropped without an ICMP error over it: what --assist answers. */
		json_object_object_add(o, "silent", json_object_new_boolean(l->routes[i].silent));
		json_object_array_add(list, o);
	}
	return list;
}

void json_print_line(struct json_object *obj)
{
	puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
	json_object_put(obj);
}
