/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * `mtuguard fix`'s plan: from the audit, one step per change that mends a
 * finding without restarting a Pod, and what only a restart (or the CNI's
 * own settings) mends. Pure logic over the view and the audit; applying it
 * is fix/apply.h's.
 *
 * A Pod's target MTU is what the CNI gives new Pods, at most what the path
 * will carry once the plan is done (an Open vSwitch internal port dragged
 * below its NIC comes back up once no Pod holds it down, and its
 * mtu_request is pinned to the NIC's). Steps are ordered so that no packet
 * that fits on one side is dropped on the other: lowerings first, then the
 * ports, then raisings (within a veth: REMEDY.md's order, fix/apply.c).
 */
#ifndef MTUGUARD_FIX_PLAN_H
#define MTUGUARD_FIX_PLAN_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "limits/audit.h"
#include "limits/view.h"
#include "podid/podid.h"

/* The kernel removes every IPv6 address of an interface below this. */
#define IPV6_MIN_MTU 1280

enum fix_step_kind {
	FIX_VETH,	     /* both ends of a Pod's veth */
	FIX_OVS_MTU_REQUEST, /* an Open vSwitch interface's mtu_request */
};

struct fix_step {
	enum fix_step_kind kind;
	char iface[IF_NAMESIZE]; /* the host end, or the OVS interface */
	int ifindex;		 /* veth: the host end */
	int peer_ifindex;	 /* veth: the Pod end, in its netns */
	int netnsid;
	char netns[256];
	bool named;
	struct pod_ref pod;
	unsigned int from_host;	   /* veth: the host end now; OVS: the port's MTU */
	unsigned int from_pod;	   /* veth: the Pod end now */
	unsigned int from_request; /* OVS: mtu_request now, 0 when unset */
	unsigned int to;
	const char *reason; /* the finding it mends (mismatch_kind_name) */
	bool done;
};

/* A finding the plan does not mend, and why. */
struct fix_left {
	enum mismatch_kind kind;
	char iface[IF_NAMESIZE];
	bool named;
	struct pod_ref pod;
	char why[256];
	char remedy[1024]; /* the audit's: a kubectl line, a setting */
	bool restart_pod;
};

/* Which Pods to touch: NULL/0 for all. */
struct fix_filter {
	const char *const *pods; /* "NAMESPACE/NAME" */
	size_t n;
};

struct fix_plan {
	struct fix_step *steps;
	size_t n;
	struct fix_left *left;
	size_t n_left;
	unsigned int path_after; /* the path MTU once the plan is done */
};

/* -ENOMEM, or -ENOENT (reported) when a filtered Pod is not on the node. */
int fix_plan_build(const struct view *v, const struct check_report *r,
		   const struct fix_filter *filter, struct fix_plan *out);
void fix_plan_free(struct fix_plan *p);
/* Whether @step lowers an MTU (done before the ports and the raisings). */
bool fix_step_lowers(const struct fix_step *step);

#endif
