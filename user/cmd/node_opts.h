/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The node settings `watch` and `check` share, as option groups: the CNI,
 * the host root, the uplink and --path-mtu; each CNI module's own options
 * (Antrea's --mode, --tunnel, ...); the Pod name sources. And the sequence
 * that turns them into a view of the node: which CNI runs here, its
 * settings on disk, the node model, the Pod names, what the CNI infers
 * from the node, and the limits.
 */
#ifndef MTUGUARD_NODE_OPTS_H
#define MTUGUARD_NODE_OPTS_H

#include "cni/cni.h"
#include "lib/options.h"
#include "limits/view.h"
#include "podid/registry.h"

struct node_opts {
	const char *cni;       /* --cni: "auto" or a module's name */
	const char *host_root; /* --host-root: where the node's / is */
	const char *conf_dir;  /* --cni-conf-dir, NULL: <host root>/etc/cni/net.d */
	const char *uplink;
	unsigned int path_mtu_override;
	struct podid_opts podid;
	bool cni_cache_set, ovsdb_set;
	struct cni *modules[CNI_MODULES_MAX]; /* every module, for its options */
	size_t n_modules;
	char cni_cache[4096]; /* the default cache, under the host root */
};

/* Creates the CNI modules; -ENOMEM (reported) when out of memory. */
int node_opts_init(struct node_opts *o);
/* The groups of options, for options_parse(): fills @groups and returns
 * how many (at most NODE_OPT_GROUPS_MAX). */
#define NODE_OPT_GROUPS_MAX (2 + CNI_MODULES_MAX)
size_t node_opts_groups(struct node_opts *o, struct opt_group groups[NODE_OPT_GROUPS_MAX]);
/* Builds the view: reports and returns -errno on error (then nothing is
 * left to free in @v). */
int node_opts_view(struct node_opts *o, struct view *v);
void node_opts_free(struct node_opts *o);
/* Reads the node again into @v (after a change fix made), with the same
 * CNI and uplink; -errno (reported) on error, @v unchanged then. */
int view_reread(struct view *v);
void view_free(struct view *v);

#endif
