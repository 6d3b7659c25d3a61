// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "events/follow.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "report/audit_report.h"
#include "report/json.h"
#include "report/output.h"
#include "report/summary.h"

/* The Pods' MTUs as the audit just saw them, to tell what a fix changed. */
static void remember_mtus(struct follower *f)
{
	const struct node *node = &f->view->node;
	struct mtu_seen *seen = calloc(node->n_pods ? node->n_pods : 1, sizeof(*seen));
	size_t i, n = 0;

	if (!seen)
		return; /* the next `fixed` event says less */
	for (i = 0; i < node->n_pods; i++) {
		if (node->pods[i].gone)
			continue;
		seen[n++] = (struct mtu_seen){ .ifindex = node->pods[i].ifindex,
					       .host_mtu = node->pods[i].host_mtu,
					       .pod_mtu = node->pods[i].pod_mtu };
	}
	free(f->seen);
	f->seen = seen;
	f->n_seen = n;
	f->uplink_seen = node->uplink.mtu;
}

void follow_init(struct follower *f, struct view *view, struct guard *guard, bool json,
		 const char *fix_state_dir)
{
	memset(f, 0, sizeof(*f));
	f->view = view;
	f->guard = guard;
	f->json = json;
	if (check_node(view, &f->last))
		memset(&f->last, 0, sizeof(f->last));
	remember_mtus(f);
	if (fix_state_dir) {
		f->fix_watched = true;
		fix_marker_init(&f->fix, fix_state_dir);
	}
}

static void report_pod(const struct follower *f, const char *event, const struct pod_iface *pod)
{
	struct pod_label l = pod_label_of(pod, f->view->ids);
	char when[16];

	if (f->json) {
		struct json_object *o = json_event(event);

		json_object_object_add(o, "iface", json_object_new_string(pod->ifname));
		json_object_object_add(o, "pod", json_pod(l.pod));
		json_object_object_add(o, "pod_netns", json_object_new_string(pod->netns));
		json_object_object_add(o, "pod_mtu", json_object_new_int((int)l.mtu));
		json_print_line(o);
		return;
	}
	output_text_time(when, sizeof(when));
	printf("%s %s %s%s%s (veth %s, netns %s, MTU %u)\n", when, event,
	       l.pod ? l.pod->ns : "unnamed Pod", l.pod ? "/" : "", l.pod ? l.pod->name : "",
	       pod->ifname, pod->netns, l.mtu);
	fflush(stdout);
}

static void pod_appeared(struct follower *f, struct pod_iface *pod)
{
	int err = guard_add_pod(f->guard, pod, &f->view->limits);
	int *slot;

	if (err == -ENODEV)
		return; /* gone again before we got to it */
	if (err) {
		f->attach_errors++;
		pr_warn("cannot watch the new Pod veth %s: %s", pod->ifname, strerror(-err));
		return;
	}
	/* Said at the end of the batch, once the names are read. */
	slot = ARRAY_PUSH(f->attached, f->n_attached);
	if (slot)
		*slot = pod->ifindex;
	else
		report_pod(f, "pod_attached", pod);
}

/* Whether @link is in our netns now, by that name. Moving a veth to
 * another netns sends its DELLINK, then NEWLINKs (and a DELLINK again)
 * from its teardown while the kernel still counts it as ours: read late,
 * they would make it a new Pod that cannot be attached, then a second
 * pod_detached. */
static bool still_here(const struct nl_link *link)
{
	char name[IF_NAMESIZE];

	return if_indextoname((unsigned int)link->ifindex, name) && !strcmp(name, link->name);
}

static void own_link_event(struct follower *f, const struct monitor_event *ev)
{
	struct node *node = &f->view->node;
	int fabric = node_fabric_link(node)->ifindex;
	struct pod_iface *pod;
	bool added;

	/* Every link's MTU can be a prefix's limit. */
	if (node_note_link(node, &ev->link, ev->kind == MON_LINK_DEL))
		f->attach_errors++;
	f->routes_changed = true;
	if (ev->kind == MON_LINK_DEL) {
		pod = node_pod_gone(node, ev->ifindex);
		if (pod) {
			guard_remove_pod(f->guard, pod);
			report_pod(f, "pod_detached", pod);
			f->dirty = true;
		} else if (node_update_link(node, &ev->link, true)) {
			pr_warn("%s was deleted", ev->link.name);
			if (ev->ifindex == fabric)
				guard_release_iface(f->guard, fabric);
			f->limits_changed = f->dirty = true;
		}
		return;
	}
	if (node_update_link(node, &ev->link, false)) {
		int now = node_fabric_link(node)->ifindex;

		if (now && now != fabric) {
			pr_warn("%s is back (ifindex %d): watching it again", ev->link.name, now);
			f->uplink_back = true;
		}
		f->limits_changed = f->dirty = true;
		return;
	}
	pod = node_find_pod(node, ev->ifindex);
	if ((!pod || pod->gone) && !still_here(&ev->link))
		return;
	pod = node_upsert_pod(node, &ev->link, &added);
	if (!pod)
		return;
	if (added)
		pod_appeared(f, pod);
	else if (guard_refresh_pod(f->guard, pod, &f->view->limits))
		f->attach_errors++;
	f->dirty = true;
}

/* An event in a Pod's netns: its end of the veth changed MTU, or its
 * addresses came (after the veth: the CNI configures them last). */
static void pod_netns_event(struct follower *f, const struct monitor_event *ev)
{
	struct pod_iface *pod = node_find_pod_by_peer(&f->view->node, ev->nsid, ev->ifindex);

	if (!pod)
		return;
	node_reread_pod(&f->view->node, pod);
	if (guard_refresh_pod(f->guard, pod, &f->view->limits))
		f->attach_errors++;
	f->dirty = true;
}

void follow_event(const struct monitor_event *ev, void *data)
{
	struct follower *f = data;

	if (ev->nsid != NL_OWN_NETNS)
		pod_netns_event(f, ev);
	else if (ev->kind == MON_ROUTE)
		f->routes_changed = true;
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
		json_print_line(mismatch_to_json(m, json_event("drift")));
		return;
	}
	output_text_time(when, sizeof(when));
	printf("%s drift ", when);
	mismatch_print_text(m, "");
	fflush(stdout);
}

static void report_consistent(const struct follower *f, const struct check_report *r)
{
	char when[16];

	if (f->json) {
		struct json_object *o = json_event("consistent");

		json_object_object_add(o, "path_mtu", json_object_new_int((int)r->path_mtu));
		json_object_object_add(o, "expected_pod_mtu",
				       json_object_new_int((int)r->expected_mtu));
		json_print_line(o);
		return;
	}
	output_text_time(when, sizeof(when));
	printf("%s consistent: every Pod, the gateway and the uplink agree again (path MTU %u)\n",
	       when, r->path_mtu);
	fflush(stdout);
}

static const struct mtu_seen *seen_of(const struct follower *f, int ifindex)
{
	size_t i;

	for (i = 0; i < f->n_seen; i++) {
		if (f->seen[i].ifindex == ifindex)
			return &f->seen[i];
	}
	return NULL;
}

/* What a fix changed since the last audit, as one event. */
static void report_fixed(const struct follower *f)
{
	const struct node *node = &f->view->node;
	struct json_object *o = NULL, *changes = NULL;
	size_t i, n = 0;
	char when[16];

	output_text_time(when, sizeof(when));
	if (f->json) {
		o = json_event("fixed");
		changes = json_object_new_array();
	}
	for (i = 0; i < node->n_pods; i++) {
		const struct pod_iface *p = &node->pods[i];
		const struct mtu_seen *s = p->gone ? NULL : seen_of(f, p->ifindex);
		struct pod_label l;

		if (!s || (s->host_mtu == p->host_mtu && s->pod_mtu == p->pod_mtu))
			continue;
		n++;
		l = pod_label_of(p, f->view->ids);
		if (!f->json) {
			printf("%s fixed: %s%s%s (veth %s) MTU %u -> %u\n", when,
			       l.pod ? l.pod->ns : "unnamed Pod", l.pod ? "/" : "",
			       l.pod ? l.pod->name : "", p->ifname, s->pod_mtu, p->pod_mtu);
			continue;
		}
		{
			struct json_object *c = json_object_new_object();

			json_object_object_add(c, "iface", json_object_new_string(p->ifname));
			json_object_object_add(c, "pod", json_pod(l.pod));
			json_object_object_add(c, "pod_netns", json_object_new_string(p->netns));
			json_object_object_add(c, "from", json_object_new_int((int)s->pod_mtu));
			json_object_object_add(c, "to", json_object_new_int((int)p->pod_mtu));
			json_object_object_add(c, "from_host",
					       json_object_new_int((int)s->host_mtu));
			json_object_object_add(c, "to_host", json_object_new_int((int)p->host_mtu));
			json_object_array_add(changes, c);
		}
	}
	if (f->uplink_seen != node->uplink.mtu && !f->json)
		printf("%s fixed: uplink %s MTU %u -> %u\n", when, node->uplink.name,
		       f->uplink_seen, node->uplink.mtu);
	if (f->json) {
		json_object_object_add(o, "changes", changes);
		json_object_object_add(o, "uplink", json_object_new_string(node->uplink.name));
		json_object_object_add(o, "uplink_from", json_object_new_int((int)f->uplink_seen));
		json_object_object_add(o, "uplink_to", json_object_new_int((int)node->uplink.mtu));
		if (n || f->uplink_seen != node->uplink.mtu)
			json_print_line(o);
		else
			json_object_put(o);
	}
	fflush(stdout);
}

/* The Pods attached in this batch, now that the names had their tick. */
static void report_attached(struct follower *f)
{
	size_t i;

	for (i = 0; i < f->n_attached; i++) {
		const struct pod_iface *pod = node_find_pod(&f->view->node, f->attached[i]);

		if (pod && !pod->gone)
			report_pod(f, "pod_attached", pod);
	}
	free(f->attached);
	f->attached = NULL;
	f->n_attached = 0;
}

static void refresh_every_pod(struct follower *f)
{
	struct node *node = &f->view->node;
	size_t i;

	for (i = 0; i < node->n_pods; i++) {
		if (!node->pods[i].gone &&
		    guard_refresh_pod(f->guard, &node->pods[i], &f->view->limits))
			f->attach_errors++;
	}
}

void follow_settle(struct follower *f)
{
	struct check_report now;
	size_t i;

	if (f->resync_pending)
		follow_resync(f);
	/* A new Pod's name may come after its veth and addresses. */
	podid_tick(f->view->ids, &f->view->node, monotonic_ms());
	report_attached(f);
	if (f->routes_changed && node_read_routes(&f->view->node))
		pr_warn("cannot re-read the node's routes; the prefixes keep their limits");
	if (f->limits_changed || f->routes_changed) {
		view_recompute(f->view);
		if (guard_write_routes(f->guard, &f->view->limits))
			f->attach_errors++;
	}
	if (f->limits_changed)
		refresh_every_pod(f);
	if (f->uplink_back && (guard_configure(f->guard, &f->view->node, &f->view->limits) ||
			       guard_attach_uplink(f->guard, &f->view->node)))
		f->attach_errors++;
	f->limits_changed = f->routes_changed = f->uplink_back = false;
	/* The maps follow every change at once; the audit waits for a fix
	 * to end, so that its steps are not reported as drift half-way. */
	switch (f->fix_watched ? fix_marker_poll(&f->fix) : FIX_NONE) {
	case FIX_RUNNING:
		return;
	case FIX_DONE:
		report_fixed(f);
		f->dirty = true;
		break;
	case FIX_NONE:
		break;
	}
	if (!f->dirty)
		return;
	f->dirty = false;
	if (check_node(f->view, &now))
		return;
	for (i = 0; i < now.n; i++) {
		if (!reported_before(&f->last, &now.items[i]))
			report_drift(f, &now.items[i]);
	}
	if (!now.n && f->last.n)
		report_consistent(f, &now);
	check_report_free(&f->last);
	f->last = now;
	remember_mtus(f);
}

int follow_resync(struct follower *f)
{
	struct node *node = &f->view->node;
	struct nl_link *links;
	size_t n, i, p;
	int err;

	if (!f->resync_pending) {
		f->resyncs++;
		pr_warn("rtnetlink events were lost; re-reading the node's links");
	}
	err = nl_dump_links(NL_OWN_NETNS, &links, &n);
	if (err) {
		if (!f->resync_pending)
			pr_warn("cannot re-read the node's links (%s); trying again",
				strerror(-err));
		f->resync_pending = true;
		return err;
	}
	f->resync_pending = false;
	for (i = 0; i < n; i++) {
		struct monitor_event ev = { .kind = MON_LINK_NEW,
					    .nsid = NL_OWN_NETNS,
					    .ifindex = links[i].ifindex,
					    .link = links[i] };

		own_link_event(f, &ev);
	}
	/* Pods whose veth is not in the dump went while we were deaf. */
	for (p = 0; p < node->n_pods; p++) {
		struct pod_iface *pod = &node->pods[p];
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
	free(f->seen);
	f->seen = NULL;
	free(f->attached);
	f->attached = NULL;
	f->n_attached = 0;
}
