/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The static MTU audit: the node model against the policy, with no traffic
 * and no BPF. Pure logic over what node.h read, so it is unit-tested on the
 * incident's numbers. `mtuguard check` prints it; `watch` prints it at start.
 */
#ifndef MTUGUARD_CHECK_H
#define MTUGUARD_CHECK_H

#include <json-c/json.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "node/node.h"
#include "cni/antrea_mtu.h"

enum mismatch_kind {
	MISMATCH_POD_ABOVE_PATH_MTU, /* black hole: full-size DF packets lost */
	MISMATCH_POD_BELOW_EXPECTED, /* stale from an earlier mode */
	MISMATCH_VETH_ENDS_DIFFER,
	MISMATCH_UPLINK_PORT_BELOW_NIC, /* OVS gave the internal port the bridge's minimum */
	MISMATCH_GATEWAY_MTU,
	MISMATCH_TUNNEL_MTU,
	MISMATCH_DEFAULT_MTU_ABOVE_PATH,
};

struct mismatch {
	enum mismatch_kind kind;
	const struct pod_iface *pod; /* NULL for the node's own interfaces */
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
/* Audits @node against @policy; *report's items are malloc'd. */
int check_node(const struct node *node, const struct policy *policy, struct check_report *report);
void check_report_free(struct check_report *report);

/* One finding: its fields added to @into (a new object when NULL), and as
 * three text lines, each starting with @prefix. */
struct json_object *mismatch_to_json(const struct mismatch *m, struct json_object *into);
void mismatch_print_text(const struct mismatch *m, const char *prefix);

/* Output: text (lines) or one JSON document, with the Pods to restart. */
struct json_object *check_to_json(const struct check_report *r, const struct node *node,
				  const struct policy *policy, const char *mode_reason);
void check_print_text(const struct check_report *r, const struct node *node,
		      const struct policy *policy, const char *mode_reason);

#endif
