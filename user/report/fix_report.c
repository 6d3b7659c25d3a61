// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "report/fix_report.h"

#include <json-c/json.h>
#include <stdio.h>

#include "report/audit_report.h"
#include "report/json.h"

static const char *action_name(const struct fix_step *s)
{
	return s->kind == FIX_VETH ? "set_veth_mtu" : "set_ovs_mtu_request";
}

static struct json_object *step_json(const struct fix_step *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "action", json_object_new_string(action_name(s)));
	json_object_object_add(o, "iface", json_object_new_string(s->iface));
	json_object_object_add(o, "pod", s->named ? json_pod(&s->pod) : NULL);
	json_object_object_add(o, "netns",
			       s->kind == FIX_VETH ? json_object_new_string(s->netns) : NULL);
	/* "from": the Pod's MTU (its end), or the port's; a veth's host end
	 * beside it, since the two can differ. */
	json_object_object_add(
		o, "from",
		json_object_new_int((int)(s->kind == FIX_VETH ? s->from_pod : s->from_host)));
	if (s->kind == FIX_VETH)
		json_object_object_add(o, "from_host", json_object_new_int((int)s->from_host));
	else
		json_object_object_add(o, "mtu_request",
				       s->from_request ? json_object_new_int((int)s->from_request)
						       : NULL);
	json_object_object_add(o, "to", json_object_new_int((int)s->to));
	json_object_object_add(o, "reason", json_object_new_string(s->reason));
	json_object_object_add(o, "done", json_object_new_boolean(s->done));
	return o;
}

static struct json_object *left_json(const struct fix_left *l)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "kind", json_object_new_string(mismatch_kind_name(l->kind)));
	json_object_object_add(o, "iface", json_object_new_string(l->iface));
	json_object_object_add(o, "pod", l->named ? json_pod(&l->pod) : NULL);
	json_object_object_add(o, "why", json_object_new_string(l->why));
	json_object_object_add(o, "remedy", json_object_new_string(l->remedy));
	return o;
}

static void print_json(const struct fix_plan *p, bool applied, const struct check_report *after,
		       const struct view *v, const char *journal)
{
	struct json_object *o = json_object_new_object();
	struct json_object *steps = json_object_new_array(), *left = json_object_new_array();
	size_t i;

	json_object_object_add(o, "applied", json_object_new_boolean(applied));
	for (i = 0; i < p->n; i++)
		json_object_array_add(steps, step_json(&p->steps[i]));
	for (i = 0; i < p->n_left; i++)
		json_object_array_add(left, left_json(&p->left[i]));
	json_object_object_add(o, "steps", steps);
	json_object_object_add(o, "left", left);
	json_object_object_add(o, "path_mtu_after", json_object_new_int((int)p->path_after));
	json_object_object_add(o, "journal", applied ? json_object_new_string(journal) : NULL);
	json_object_object_add(o, "check", after ? check_to_json(after, v) : NULL);
	json_print_line(o);
}

static void print_step(size_t i, const struct fix_step *s, bool applied)
{
	const char *mark = applied ? (s->done ? "done " : "not done ") : "";

	if (s->kind == FIX_OVS_MTU_REQUEST) {
		printf("  %zu. %spin Open vSwitch's mtu_request of %s at %u (it has MTU %u%s) "
		       "[%s]\n",
		       i + 1, mark, s->iface, s->to, s->from_host,
		       s->from_request ? ", mtu_request set" : ", no mtu_request", s->reason);
		return;
	}
	printf("  %zu. %s%s %s%s%s (veth %s, netns %s) %u -> %u, both ends, %s first [%s]\n", i + 1,
	       mark, fix_step_lowers(s) ? "lower" : "raise", s->named ? s->pod.ns : "",
	       s->named ? "/" : "", s->named ? s->pod.name : "the unnamed Pod", s->iface, s->netns,
	       s->from_pod, s->to, fix_step_lowers(s) ? "its Pod end" : "the host end", s->reason);
	if (s->from_host != s->from_pod)
		printf("     (its host end is at %u)\n", s->from_host);
}

static void print_text(const struct fix_plan *p, bool applied, const struct check_report *after,
		       const struct view *v, const char *journal)
{
	size_t i;

	if (!p->n)
		printf("plan: nothing to change live\n");
	else if (applied)
		printf("applied %zu step%s, journalled in %s (mtuguard fix --undo restores "
		       "them):\n",
		       p->n, p->n == 1 ? "" : "s", journal);
	else
		printf("plan: %zu step%s (nothing is changed without --apply):\n", p->n,
		       p->n == 1 ? "" : "s");
	for (i = 0; i < p->n; i++)
		print_step(i, &p->steps[i], applied);
	if (p->n_left)
		printf("left as it is (%zu):\n", p->n_left);
	for (i = 0; i < p->n_left; i++) {
		const struct fix_left *l = &p->left[i];

		printf("  %s on %s%s%s%s: %s\n    remedy: %s\n", mismatch_kind_name(l->kind),
		       l->iface, l->named ? " (" : "", l->named ? l->pod.name : "",
		       l->named ? ")" : "", l->why, l->remedy);
	}
	for (i = 0; i < p->n_left; i++) {
		if (p->left[i].restart_pod && p->left[i].named)
			print_restart_line(&p->left[i].pod);
	}
	if (after) {
		printf("after:\n");
		check_print_text(after, v);
	}
}

void fix_print(const struct fix_plan *p, bool applied, const struct check_report *after,
	       const struct view *v, const char *journal, bool json)
{
	if (json)
		print_json(p, applied, after, v, journal);
	else
		print_text(p, applied, after, v, journal);
}

void fix_print_undo(const struct undo_result *u, const char *journal, bool json)
{
	if (json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "undone", json_object_new_boolean(true));
		json_object_object_add(o, "restored", json_object_new_int((int)u->restored));
		json_object_object_add(o, "changed_since",
				       json_object_new_int((int)u->changed_since));
		json_object_object_add(o, "journal", json_object_new_string(journal));
		json_print_line(o);
		return;
	}
	printf("undone: %zu change%s restored, %zu changed since and left as they are (%s)\n",
	       u->restored, u->restored == 1 ? "" : "s", u->changed_since, journal);
}
