/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The node settings `watch` and `check` share, as option groups: the uplink
 * and --path-mtu; the CNI module's own options (Antrea's --mode, --tunnel,
 * ...); the Pod name sources. And the sequence that turns them into a
 * view of the node: the CNI's config on disk, the node model, the Pod
 * names, what the CNI infers from the node, and the limits.
 */
#ifndef MTUGUARD_NODE_OPTS_H
#define MTUGUARD_NODE_OPTS_H

#include "cni/cni.h"
#include "lib/options.h"
#include "limits/view.h"
#include "podid/registry.h"

struct node_opts {
	const char *uplink;
	unsigned int path_mtu_override;
	struct podid_opts podid;
	struct cni *cni; /* the module, chosen before the options are parsed */
};

/* Chooses the CNI module; -ENOMEM (reported) when out of memory. */
int node_opts_init(struct node_opts *o);
/* The three groups of options, for options_parse(): fills @groups[0..3). */
#define NODE_OPT_GROUPS 3
void node_opts_groups(struct node_opts *o, struct opt_group groups[NODE_OPT_GROUPS]);
/* Builds the view: reports and returns -errno on error (then nothing is
 * left to free in @v). The view takes the CNI module over from @o. */
int node_opts_view(struct node_opts *o, struct view *v);
void node_opts_free(struct node_opts *o);
void view_free(struct view *v);

#endif
