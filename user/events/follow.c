// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "events/follow.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/log.h"
#include "report/output.h"
#include "report/summary.h"

void follow_init(struct follower *f, struct node *node, struct guard *guard,
		 struct settings *settings, bool json)
{
	memset(f, 0, sizeof(*f));
	f->node = node;
	f->guard = guard;
	f->settings = settings;
	f->json = json;
	if (check_node(node, &settings->policy, &f->last))
		memset(&f->last, 0, sizeof(f->last));
}

static unsigned int path_mtu(const struct follower *f)
{
	return policy_path_mtu(&f->settings->policy, node_egress_mtu(f->node));
}

/* A JSON event with a time, or a text line with the same time. */
static struct json_object *event_json(const char *event)
{
	struct json_object *o = json_object_new_object();
	struct timespec now;
	char buf[64];

	clock_gettime(CLOCK_REALTIME, &now);
	format_rfc3339(&now, buf, sizeof(buf));
	json_object_object_add(o, "time", json_object_new_string(buf));
	json_object_object_add(o, "event", json_object_new_string(event));
	return o;
}

static void text_time(char *buf, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(buf, size, "%H:%M:%S", &tm);
}

static void report_pod(const struct follower *f, const char *event, const struct pod_iface *pod)
{
	struct pod_label l = pod_label_of(pod);
	char when[16];

	if (f->json) {
		struct json_object *o = event_json(event), *p = NULL;

		if (l.pod) {
			p = json_object_new_object();
			json_object_object_add(p, "namespace", json_object_new_string(l.pod->ns));
			json_object_object_add(p, "name", json_object_new_string(l.pod->name));
		}
		json_object_object_add(o, "iface", json_object_new_string(pod->ifname));
		json_object_object_add(o, "pod", p);
		json_object_object_add(o, "pod_netns", json_object_new_string(pod->netns));
		json_object_object_add(o, "pod_mtu", json_object_new_int((int)l.mtu));
		output_json_line(o);
		json_object_put(o);
		return;
	}
	text_time(when, sizeof(when));
	printf("%s %s %s%s%s (veth %s, netns %s, MTU %u)\n", when, event,
	       l.pod ? l.pod->ns : "unnamed Pod", l.pod ? "/" : "", l.pod ? l.pod->name : "",
	       pod->ifname, pod->netns, l.mtu);
	fflush(stdout);
}

static void pod_appeared(struct follower *f, struct pod_iface *pod)
{
	int err;

	settings_name_pod(f->settings, pod);
	err = guard_add_pod(f->guard, pod, path_mtu(f));
	if (err == -ENODEV)
		return; /* gone again before we got to it */
	if (err) {
		f->attach_errors++;
		pr_warn("cannot watch the new Pod veth %s: %s", pod->ifname, strerror(-err));
		return;
	}
	report_pod(f, "pod_attached", pod);
}

static void own_link_event(struct follower *f, const struct monitor_event *ev)
{
	struct pod_iface *pod;
	bool added;

	if (ev->kind == MON_LINK_DEL) {
		pod = node_pod_gone(f->node, ev->ifindex);
		if (pod) {
			guard_remove_pod(f->guard, pod);
			report_pod(f, "pod_detached", pod);
			f->dirty = true;
		} else if (node_update_link(f->node, &ev->link, true)) {
			pr_warn("%s was deleted", ev->link.name);
			f->limits_changed = f->dirty = true;
		}
		return;
	}
	if (node_update_link(f->node, &ev->link, false)) {
		f->limits_changed = f->dirty = true;
		return;
	}
	pod = node_upsert_pod(f->node, &ev->link, &added);
	if (!pod)
		return;
	if (added)
		pod_appeared(f, pod);
	else if (guard_refresh_pod(f->guard, pod, path_mtu(f)))
		f->attach_errors++;
	f->dirty = true;
}

/* An event in a Pod's netns: its end of the veth changed MTU, or its
 * addresses came (after the veth: the CNI configures them last). */
static void pod_netns_event(struct follower *f, const struct monitor_event *ev)
{
	struct pod_iface *pod = node_find_pod_by_peer(f->node, ev->nsid, ev->ifindex);

	if (!pod)
		return;
	node_reread_pod(pod);
	if (!pod->named)
		settings_name_pod(f->settings, pod);
	if (guard_refresh_pod(f->guard, pod, path_mtu(f)))
		f->attach_errors++;
	f->dirty = true;
}

void follow_event(const struct monitor_event *ev, void *data)
{
	struct follower *f = data;

	if (ev->nsid != NL_OWN_NETNS)
		pod_netns_event(f, ev);
	else if (ev->kind != MON_ADDR)
		own_link_event(f, ev);
}

static bool reported_before(const struct check_report *last, const struct mismatch *m)
{
	size_t i;

	for (i = 0; i < last->n; i++) {
		if (last->items[i].kind == m->kind && !strcmp(last->items[i].iface, m->iface))
			return true;
	}
	return false;
}

static void report_drift(const struct follower *f, const struct mismatch *m)
{
	char when[16];

	if (f->json) {
		struct json_object *o = mismatch_to_json(m, event_json("drift"));

		output_json_line(o);
		json_object_put(o);
		return;
	}
	text_time(when, sizeof(when));
	printf("%s drift ", when);
	mismatch_print_text(m, "");
	fflush(stdout);
}

static void report_consistent(const struct follower *f, const struct check_report *r)
{
	char when[16];

	if (f->json) {
		struct json_object *o = event_json("consistent");

		json_object_object_add(o, "path_mtu", json_object_new_int((int)r->path_mtu));
		json_object_object_add(o, "expected_pod_mtu",
				       json_object_new_int((int)r->expected_mtu));
		output_json_line(o);
		json_object_put(o);
		return;
	}
	text_time(when, sizeof(when));
	printf("%s consistent: every Pod, the gateway and the uplink agree again (path MTU %u)\n",
	       when, r->path_mtu);
	fflush(stdout);
}

void follow_settle(struct follower *f)
{
	struct check_report now;
	size_t i;

	/* A new Pod's name may come after its veth and addresses. */
	for (i = 0; i < f->node->n_pods; i++) {
		if (!f->node->pods[i].gone && !f->node->pods[i].named)
			settings_name_pod(f->settings, &f->node->pods[i]);
	}
	if (f->limits_changed) {
		for (i = 0; i < f->node->n_pods; i++) {
			if (!f->node->pods[i].gone &&
			    guard_refresh_pod(f->guard, &f->node->pods[i], path_mtu(f)))
				f->attach_errors++;
		}
		f->limits_changed = false;
	}
	if (!f->dirty)
		return;
	f->dirty = false;
	if (check_node(f->node, &f->settings->policy, &now))
		return;
	for (i = 0; i < now.n; i++) {
		if (!reported_before(&f->last, &now.items[i]))
			report_drift(f, &now.items[i]);
	}
	if (!now.n && f->last.n)
		report_consistent(f, &now);
	check_report_free(&f->last);
	f->last = now;
}

int follow_resync(struct follower *f)
{
	struct nl_link *links;
	size_t n, i, p;
	int err;

	f->resyncs++;
	pr_warn("rtnetlink events were lost; re-reading the node's links");
	err = nl_dump_links(NL_OWN_NETNS, &links, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		struct monitor_event ev = { .kind = MON_LINK_NEW,
					    .nsid = NL_OWN_NETNS,
					    .ifindex = links[i].ifindex,
					    .link = links[i] };

		own_link_event(f, &ev);
	}
	/* Pods whose veth is not in the dump went while we were deaf. */
	for (p = 0; p < f->node->n_pods; p++) {
		struct pod_iface *pod = &f->node->pods[p];
		bool present = false;

		for (i = 0; i < n && !present; i++)
			present = links[i].ifindex == pod->ifindex;
		if (!pod->gone && !present) {
			struct monitor_event ev = { .kind = MON_LINK_DEL,
						    .nsid = NL_OWN_NETNS,
						    .ifindex = pod->ifindex };

			own_link_event(f, &ev);
		}
	}
	free(links);
	f->dirty = true;
	return 0;
}

void follow_free(struct follower *f)
{
	check_report_free(&f->last);
}
