/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The node as mtuguard sees it: the kernel's facts (the node model), the
 * CNI's intent (its module), who each Pod is (the name registry) and the
 * limits computed from the first two. `check`, the watch, the follower and
 * the metrics all work on one view; whoever changes the node model calls
 * view_recompute() so that the limits never lag behind it.
 */
#ifndef MTUGUARD_VIEW_H
#define MTUGUARD_VIEW_H

#include "cni/cni.h"
#include "limits/limits.h"
#include "node/node.h"
#include "podid/registry.h"

struct view {
	struct node node;
	struct cni *cni;
	struct podid *ids;
	struct limits limits;
	unsigned int path_mtu_override; /* --path-mtu, 0: none */
};

/* The CNI decides again from what the node now shows (a tunnel device
 * that came up, or changed its MTU), then every limit follows. */
static inline void view_recompute(struct view *v)
{
	cni_resolve(v->cni, &v->node, podid_ovs_ports(v->ids));
	limits_compute(&v->limits, &v->node, v->cni, v->path_mtu_override);
}

#endif
