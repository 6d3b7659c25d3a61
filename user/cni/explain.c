// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "cni/explain.h"

#include <stdio.h>

#include "limits/audit.h"
#include "limits/limits.h"
#include "node/node.h"

static void pod_above_path(const struct cni_words *w, const struct finding_ctx *ctx,
			   struct mismatch *m)
{
	const struct limits *l = ctx->limits;

	snprintf(m->cause, sizeof(m->cause),
		 "%s has MTU %u, above the path MTU %u: its full-size packets with DF "
		 "(every TCP segment) and IPv6 are lost where they leave the node",
		 ctx->who, m->mtu, l->path_mtu);
	if (!l->expected_pod_mtu)
		snprintf(m->remedy, sizeof(m->remedy),
			 "make %s give new Pods at most %u (%s), then restart the Pod", w->display,
			 l->path_mtu, w->mtu_setting);
	else if (l->expected_pod_mtu > l->path_mtu)
		snprintf(m->remedy, sizeof(m->remedy),
			 "%s gives new Pods %u, more than the path carries: set %s to at most %u, "
			 "then restart the Pod",
			 w->display, l->expected_pod_mtu, w->mtu_setting, l->path_mtu);
	else
		audit_restart_remedy(m, l->expected_pod_mtu);
}

void cni_explain_in_words(const struct cni_words *w, const struct finding_ctx *ctx,
			  struct mismatch *m)
{
	const struct limits *l = ctx->limits;
	const struct node *node = ctx->node;

	switch (m->kind) {
	case MISMATCH_VETH_ENDS_DIFFER:
		audit_explain_veth_ends(ctx, m);
		audit_restart_remedy(m, l->expected_pod_mtu ? l->expected_pod_mtu : m->mtu);
		break;
	case MISMATCH_POD_ABOVE_PATH_MTU:
		pod_above_path(w, ctx, m);
		break;
	case MISMATCH_POD_BELOW_EXPECTED:
		snprintf(m->cause, sizeof(m->cause),
			 "%s has MTU %u, below the %u that %s gives new Pods: left from an "
			 "earlier configuration (%s sets a Pod's MTU once, when it is created); "
			 "it works but wastes capacity",
			 ctx->who, m->mtu, l->expected_pod_mtu, w->display, w->display);
		audit_restart_remedy(m, l->expected_pod_mtu);
		break;
	case MISMATCH_UPLINK_PORT_BELOW_NIC:
		snprintf(m->cause, sizeof(m->cause),
			 "the uplink port %s has MTU %u, below its NIC %s (%u)", node->uplink.name,
			 node->uplink.mtu, node->uplink_nic.name, node->uplink_nic.mtu);
		snprintf(m->remedy, sizeof(m->remedy), "raise %s to %u", node->uplink.name,
			 node->uplink_nic.mtu);
		break;
	case MISMATCH_GATEWAY_MTU:
		snprintf(m->cause, sizeof(m->cause), "%s's %s has MTU %u, not the Pod MTU %u",
			 w->display, node->gateway.name, node->gateway.mtu, l->expected_pod_mtu);
		snprintf(m->remedy, sizeof(m->remedy), "%s", w->device_remedy);
		break;
	case MISMATCH_TUNNEL_MTU:
		snprintf(m->cause, sizeof(m->cause),
			 "the tunnel %s has MTU %u, below the %u it is given: full-size Pod "
			 "packets cannot enter it",
			 node->tunnel.name, node->tunnel.mtu, l->tunnel_floor);
		snprintf(m->remedy, sizeof(m->remedy), "set %s to at most %u", w->mtu_setting,
			 node->tunnel.mtu);
		break;
	case MISMATCH_DEFAULT_MTU_ABOVE_PATH:
		snprintf(m->cause, sizeof(m->cause),
			 "%s is set to give new Pods %u, above the path MTU %u", w->display, m->mtu,
			 l->path_mtu);
		snprintf(m->remedy, sizeof(m->remedy), "set %s to at most %u", w->mtu_setting,
			 l->path_mtu);
		break;
	case MISMATCH_KIND_MAX:
		break;
	}
}
