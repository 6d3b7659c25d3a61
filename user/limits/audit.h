/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The static MTU audit: the node model and its limits against what the CNI
 * intends, with no traffic and no BPF. What is checked is generic (a Pod
 * above the path, a Pod below what new Pods get, veth ends that differ, an
 * uplink port below its NIC, the CNI's gateway and tunnel); how a finding
 * is explained and remedied is the CNI module's (cni_explain). Pure logic,
 * unit-tested on the incident's numbers. `mtuguard check` prints it
 * (report/audit_report.h); `watch` prints it at start and follows it.
 */
#ifndef MTUGUARD_AUDIT_H
#define MTUGUARD_AUDIT_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "cni/cni.h"
#include "limits/view.h"
#include "podid/podid.h"

enum mismatch_kind {
	MISMATCH_POD_ABOVE_PATH_MTU, /* black hole: full-size DF packets lost */
	MISMATCH_POD_BELOW_EXPECTED, /* stale from an earlier mode */
	MISMATCH_VETH_ENDS_DIFFER,
	MISMATCH_UPLINK_PORT_BELOW_NIC, /* OVS gave the internal port the bridge's minimum */
	MISMATCH_GATEWAY_MTU,
	MISMATCH_TUNNEL_MTU,
	MISMATCH_DEFAULT_MTU_ABOVE_PATH,
	MISMATCH_KIND_MAX,
};

struct mismatch {
	enum mismatch_kind kind;
	const struct pod_iface *pod; /* NULL for the node's own interfaces */
	bool named;		     /* who holds the Pod's name (copied: it outlives a reload) */
	struct pod_ref who;
	char iface[IF_NAMESIZE];
	unsigned int mtu; /* the MTU found (the Pod end's, for a Pod) */
	unsigned int path_mtu;
	unsigned int expected_mtu;
	bool restart_pod; /* restarting the Pod is the remedy */
	char cause[1024];
	char remedy[1024];
};

struct check_report {
	unsigned int transport_mtu; /* the NIC's (bridged) or the uplink's */
	unsigned int uplink_mtu;    /* the uplink port's, bridged or not */
	unsigned int path_mtu;
	unsigned int expected_mtu;
	struct mismatch *items;
	size_t n;
};

const char *mismatch_kind_name(enum mismatch_kind kind);
/* Audits the view; *report's items are malloc'd. */
int check_node(const struct view *v, struct check_report *report);
void check_report_free(struct check_report *report);
/* Whether @m restarts a named Pod that no earlier finding of @r restarts
 * already: the Pods to list as kubectl lines. */
bool check_first_restart(const struct check_report *r, size_t i);

/* For the CNI modules' explanations: the remedy "restart the Pod so that
 * the CNI gives it MTU @mtu" (with the kubectl line when it is named), and
 * the cause of veth ends that differ, which is the kernel's, not a CNI's. */
void audit_restart_remedy(struct mismatch *m, unsigned int mtu);
void audit_explain_veth_ends(const struct finding_ctx *ctx, struct mismatch *m);

#endif
