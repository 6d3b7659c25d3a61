// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "report/audit_report.h"

#include <stdio.h>

#include "lib/text.h"
#include "report/json.h"

struct json_object *mismatch_to_json(const struct mismatch *m, struct json_object *j)
{
	if (!j)
		j = json_object_new_object();
	json_object_object_add(j, "kind", json_object_new_string(mismatch_kind_name(m->kind)));
	json_object_object_add(j, "pod", json_pod(m->named ? &m->who : NULL));
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
	printf("%s%s on %s (MTU %u)\n", prefix, mismatch_kind_name(m->kind), m->iface, m->mtu);
	printf("%s  cause:  %s\n", prefix, m->cause);
	printf("%s  remedy: %s\n", prefix, m->remedy);
}

/* Every Pod checked, with where its name came from. */
static struct json_object *pods_json(const struct view *v)
{
	struct json_object *list = json_object_new_array();
	size_t i;

	for (i = 0; i < v->node.n_pods; i++) {
		const struct pod_iface *p = &v->node.pods[i];

		json_object_array_add(list, json_pod_iface(p, podid_find(v->ids, p)));
	}
	return list;
}

struct json_object *check_to_json(const struct check_report *r, const struct view *v)
{
	const struct node *node = &v->node;
	struct json_object *o = json_event("check");
	struct json_object *list = json_object_new_array();
	struct json_object *restart = json_object_new_array();
	size_t i;

	json_object_object_add(o, "consistent", json_object_new_boolean(r->n == 0));
	cni_to_json(v->cni, o);
	json_object_object_add(o, "uplink", json_object_new_string(node->uplink.name));
	json_object_object_add(o, "uplink_mtu", json_object_new_int((int)r->uplink_mtu));
	json_object_object_add(
		o, "uplink_nic",
		node->uplink_nic.ifindex ? json_object_new_string(node->uplink_nic.name) : NULL);
	json_object_object_add(o, "transport_mtu", json_object_new_int((int)r->transport_mtu));
	json_object_object_add(o, "expected_pod_mtu", json_object_new_int((int)r->expected_mtu));
	json_object_object_add(o, "path_mtu", json_object_new_int((int)r->path_mtu));
	json_object_object_add(o, "routes", json_routes(&v->limits));
	json_object_object_add(o, "pods", pods_json(v));
	for (i = 0; i < r->n; i++) {
		json_object_array_add(list, mismatch_to_json(&r->items[i], NULL));
		if (check_first_restart(r, i))
			json_object_array_add(restart, json_pod(&r->items[i].who));
	}
	json_object_object_add(o, "mismatches", list);
	json_object_object_add(o, "restart", restart);
	return o;
}

void check_print_text(const struct check_report *r, const struct view *v)
{
	const struct node *node = &v->node;
	char cni[256];
	size_t i;

	cni_describe(v->cni, cni, sizeof(cni));
	printf("cni %s (%s): %s; uplink %s MTU %u", cni_name(v->cni), cni_source(v->cni), cni,
	       node->uplink.name, r->uplink_mtu);
	if (node->uplink_nic.ifindex)
		printf(" on NIC %s MTU %u", node->uplink_nic.name, node->uplink_nic.mtu);
	if (r->expected_mtu)
		printf("; new Pods get MTU %u", r->expected_mtu);
	else
		printf("; nothing is expected of new Pods");
	printf(", the path carries %u; %zu Pods checked\n", r->path_mtu, node->n_pods);
	if (!r->n) {
		printf("consistent: every Pod, the gateway and the uplink agree\n");
		return;
	}
	printf("INCONSISTENT: %zu finding%s\n", r->n, r->n == 1 ? "" : "s");
	for (i = 0; i < r->n; i++)
		mismatch_print_text(&r->items[i], "  ");
	for (i = 0; i < r->n; i++) {
		if (check_first_restart(r, i))
			print_restart_line(&r->items[i].who);
	}
}

void print_restart_line(const struct pod_ref *pod)
{
	char ns[2 * POD_NS_MAX + 8], name[2 * POD_NAME_MAX + 8];

	/* A line to paste into a shell: each name one word. */
	text_shell_word(pod->ns, ns, sizeof(ns));
	text_shell_word(pod->name, name, sizeof(name));
	printf("restart: kubectl -n %s delete pod %s\n", ns, name);
}

void check_print(const struct check_report *r, const struct view *v, bool json)
{
	if (json)
		json_print_line(check_to_json(r, v));
	else
		check_print_text(r, v);
}
