// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `mtuguard fix`: mend the MTUs `check` finds, live, planned and undoable. */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/node_opts.h"
#include "datapath/bpffs.h"
#include "fix/apply.h"
#include "fix/journal.h"
#include "fix/plan.h"
#include "lib/array.h"
#include "lib/cli.h"
#include "lib/log.h"
#include "limits/audit.h"
#include "podid/ovsdb.h"
#include "podid/registry.h"
#include "report/fix_report.h"

static const char fix_help_intro[] =
	"Usage: mtuguard fix [OPTIONS]\n"
	"\n"
	"Mend what `mtuguard check` finds without restarting a Pod: set a Pod's veth\n"
	"MTU (both ends, in the order that drops nothing: raising the host end first,\n"
	"lowering the Pod end first) to what the CNI gives new Pods, at most what the\n"
	"path carries, and pin an Open vSwitch internal port's mtu_request where OVS\n"
	"dragged it below its NIC. Prints the plan and changes nothing without --apply;\n"
	"what only a restart or the CNI's settings mend is listed, with kubectl lines.\n"
	"\n"
	"--apply carries the plan out step by step, reads every MTU back, journals each\n"
	"change in the state directory and audits the node again; a step that fails\n"
	"rolls back the changes made before it. --undo restores what the journal holds,\n"
	"only where the value is still the one fix set.\n"
	"\n"
	"Risks: existing TCP connections keep the MSS they agreed on (a lowered Pod's\n"
	"peers may still send it larger segments until they reconnect); a CNI that\n"
	"rewrites running Pods' MTUs itself would fight a second writer, so fix refuses\n"
	"there unless --force; lowering below 1280 would remove a Pod's IPv6 addresses,\n"
	"so fix leaves such a Pod to a restart.\n"
	"\n";

static const char fix_help_outro[] =
	"\n"
	"Exit status: 0 the node is consistent (after --apply, or nothing to do), 1\n"
	"findings remain (a plan with steps, or findings fix leaves), 2 error (nothing\n"
	"left half-done: a failed step is rolled back). Needs CAP_NET_ADMIN (root).\n"
	"\n"
	"Example: mtuguard fix && mtuguard fix --apply && mtuguard fix --undo\n";

struct fix_opts {
	bool apply, undo, force;
	const char *state_dir;
	const char **pods;
	size_t n_pods;
};

enum { OPT_APPLY, OPT_UNDO, OPT_POD, OPT_STATE_DIR, OPT_FORCE };

static const struct opt_def fix_defs[] = {
	[OPT_APPLY] = { "apply", 0, NULL, "carry the plan out, verify each step, audit again" },
	[OPT_UNDO] = { "undo", 0, NULL,
		       "restore every MTU the journal holds, where it is still\n"
		       "the one fix set (changed since: reported and left)" },
	[OPT_POD] = { "pod", 0, "NAMESPACE/NAME",
		      "only this Pod (repeatable); node-wide steps are left out" },
	[OPT_STATE_DIR] = { "state-dir", 0, "DIR",
			    "where the journal and the lock live (default\n" FIX_STATE_DIR ")" },
	[OPT_FORCE] = { "force", 0, NULL,
			"act where the CNI rewrites running Pods' MTUs itself\n"
			"(two writers will fight: only when its own is off)" },
};

static int fix_option(void *ctx, const struct opt_def *opt, const char *arg)
{
	struct fix_opts *o = ctx;
	const char **slot;

	switch (opt - fix_defs) {
	case OPT_APPLY:
		o->apply = true;
		return 0;
	case OPT_UNDO:
		o->undo = true;
		return 0;
	case OPT_POD:
		if (!strchr(arg, '/') || arg[0] == '/' || strchr(arg, '/')[1] == '\0') {
			pr_err("--pod takes NAMESPACE/NAME, not '%s'", arg);
			return -1;
		}
		slot = ARRAY_PUSH(o->pods, o->n_pods);
		if (!slot)
			return -1;
		*slot = arg;
		return 0;
	case OPT_STATE_DIR:
		o->state_dir = arg;
		return 0;
	case OPT_FORCE:
		o->force = true;
		return 0;
	}
	return -1;
}

/* Where the CNI is the one to change running Pods, a second writer fights it. */
static int refuse_cni(const struct view *v, bool force)
{
	if (!cni_updates_running_pods(v->cni))
		return 0;
	if (force) {
		pr_warn("%s rewrites running Pods' MTUs itself: --force given, acting anyway",
			cni_name(v->cni));
		return 0;
	}
	pr_err("%s rewrites running Pods' MTUs itself, and a second writer would fight it: "
	       "let it, or give --force once its own is off",
	       cni_name(v->cni));
	return -EPERM;
}

/* The OVSDB the names were read from, for Open vSwitch steps. */
static struct fix_ovs ovs_of(const struct view *v)
{
	const struct ovs_ports *ports = podid_ovs_ports(v->ids);

	return (struct fix_ovs){ .socket = ports->socket[0] ? ports->socket : NULL,
				 .keys = cni_ovsdb_keys(v->cni) };
}

static int run_undo(const struct view *v, struct journal *j, bool json)
{
	struct fix_ovs ovs = ovs_of(v);
	struct undo_result u;

	if (!j->n) {
		pr_err("the journal in %s is empty or absent: fix has changed nothing to undo "
		       "(or its --state-dir is elsewhere)",
		       j->dir);
		return EXIT_ERROR;
	}
	if (fix_undo(j, &ovs, &u))
		return EXIT_ERROR;
	fix_print_undo(&u, j->path, json);
	return EXIT_OK;
}

static int run_fix(const struct fix_opts *o, struct view *v, struct journal *j, bool json)
{
	struct fix_filter filter = { .pods = o->pods, .n = o->n_pods };
	struct fix_ovs ovs = ovs_of(v);
	struct check_report before, after;
	struct fix_plan plan;
	int ret = EXIT_ERROR;

	if (check_node(v, &before)) {
		pr_err("out of memory while checking");
		return EXIT_ERROR;
	}
	if (fix_plan_build(v, &before, &filter, &plan))
		goto out;
	if (!o->apply) {
		fix_print(&plan, false, NULL, v, j->path, json);
		ret = plan.n || plan.n_left ? EXIT_FOUND : EXIT_OK;
		goto out_plan;
	}
	if (fix_apply(&plan, j, &ovs) || view_reread(v))
		goto out_plan;
	if (check_node(v, &after)) {
		pr_err("out of memory while checking");
		goto out_plan;
	}
	fix_print(&plan, true, &after, v, j->path, json);
	ret = after.n ? EXIT_FOUND : EXIT_OK;
	check_report_free(&after);
out_plan:
	fix_plan_free(&plan);
out:
	check_report_free(&before);
	return ret;
}

int cmd_fix(int argc, char **argv)
{
	struct opt_group groups[NODE_OPT_GROUPS_MAX + 2];
	struct fix_opts o = { .state_dir = FIX_STATE_DIR };
	struct common_opts common;
	struct node_opts no;
	struct journal j;
	struct view v;
	size_t n;
	int ret;

	cli_common_init(&common, "one JSON document on stdout", MG_DEFAULT_PIN_DIR,
			"accepted for symmetry; fix pins nothing");
	if (node_opts_init(&no))
		return EXIT_ERROR;
	n = node_opts_groups(&no, groups);
	groups[n++] = (struct opt_group){ "Fix", OPT_DEFS(fix_defs), fix_option, &o, NULL };
	groups[n++] = cli_common_group(&common, "Output");
	ret = options_parse("fix", argc, argv, groups, n);
	if (ret == CLI_HELP) {
		fputs(fix_help_intro, stdout);
		options_print_help(stdout, groups, n);
		fputs(fix_help_outro, stdout);
	}
	if (!ret && o.apply && o.undo) {
		pr_err("--apply and --undo do opposite things: give one");
		ret = -1;
	}
	if (ret) {
		node_opts_free(&no);
		free(o.pods);
		return ret == CLI_HELP ? EXIT_OK : EXIT_ERROR;
	}
	cli_apply_common(&common);
	ret = EXIT_ERROR;
	if (node_opts_view(&no, &v)) {
		node_opts_free(&no);
		goto out_pods;
	}
	if (refuse_cni(&v, o.force) || journal_open(o.state_dir, &j))
		goto out_view;
	ret = o.undo ? run_undo(&v, &j, common.json) : run_fix(&o, &v, &j, common.json);
	journal_close(&j);
out_view:
	view_free(&v);
out_pods:
	free(o.pods);
	return ret;
}
