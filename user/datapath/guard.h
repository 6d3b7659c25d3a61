/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The guard: mtuguard's BPF object on a node. Load (skeleton, rodata, map
 * pins; guard.c), configure (the limits into the maps; configure.c), attach
 * (every hook or none), close (detach; the pinned maps stay for `mtuguard
 * stats`).
 */
#ifndef MTUGUARD_GUARD_H
#define MTUGUARD_GUARD_H

#include <limits.h>
#include <stdbool.h>

#include <linux/types.h>

#include "datapath/attach.h"
#include "datapath/progs.h"
#include "datapath/slots.h"
#include "limits/limits.h"
#include "node/node.h"

struct assist;
struct assist_opts;

struct guard_opts {
	const char *pin_dir;
	/* The PMTUD assist (--assist, --clamp-mss); NULL: off. Its pin_dir
	 * is the guard's. */
	const struct assist_opts *assist;
	__u64 sample_interval_ns;
	enum attach_mode attach_mode;
	bool uplink_xdp;
};

struct guard {
	struct mtuguard_bpf *skel;
	struct guard_progs progs; /* what the hooks run: loaded, or the earlier watch's */
	struct assist *assist;	  /* the opt-in assist (datapath/assist.h), NULL when off */
	struct attach_set attached;
	struct bpf_link *drops_link; /* kfree_skb, NULL where the kernel lacks it */
	struct slot_pool slots;	     /* which interface counts where in mg_counters */
	unsigned int route_mtu_min;  /* the smallest limit in mg_routes (the fast path) */
	bool uplink_xdp;	     /* the uplink's hook is native XDP, not TC */
	bool kept;		     /* guard_keep: hooks and pins stay for the next watch */
	bool configuring;	     /* in guard_configure: one sweep of mg_local_dsts at its end */
	int lock_fd;
	char pin_dir[PATH_MAX];
};

/* Checks BTF, prepares bpffs, locks the pin directory and loads the
 * programs. Hooks an earlier watch left there are taken over with their
 * maps (guard_attach swaps the programs in), or replaced when this build
 * cannot reuse them. Reports its own errors. */
int guard_load(struct guard *g, const struct guard_opts *opts);
/* Writes the node's roles and limits into the maps. */
int guard_configure(struct guard *g, const struct node *node, const struct limits *l);
/* Replaces the destination prefixes in mg_routes with @l's: the new ones
 * in first, then the stale ones out, so that no lookup meets a gap. */
int guard_write_routes(struct guard *g, const struct limits *l);
/* Attaches Pod ingress and egress on every Pod veth and the uplink hook.
 * All or nothing: on error, what was attached is removed again. */
int guard_attach(struct guard *g, const struct node *node, bool uplink_xdp);
/* Following the node: a Pod that appeared (configure and attach; on error
 * nothing of it is left), one whose MTU or addresses changed, one gone. */
int guard_add_pod(struct guard *g, const struct pod_iface *pod, const struct limits *l);
int guard_refresh_pod(struct guard *g, const struct pod_iface *pod, const struct limits *l);
/* Attaches the uplink's hook on the node's fabric link (again, after the
 * uplink came back), and removes what was attached to a gone @ifindex. */
int guard_attach_uplink(struct guard *g, const struct node *node);
void guard_release_iface(struct guard *g, int ifindex);
/* Attaches Pod ingress and egress on one Pod veth (both or neither). */
int guard_attach_pod(struct guard *g, const struct pod_iface *pod);
void guard_remove_pod(struct guard *g, const struct pod_iface *pod);
/* Removes every hook; the programs and maps stay loaded (and pinned). */
void guard_detach(struct guard *g);
/* --keep-attached: lets go of every hook without detaching it, and keeps
 * the pins, so that the node stays watched until the next watch takes the
 * hooks over (or `mtuguard detach` removes them). */
void guard_keep(struct guard *g);
/* Removes the maps this guard pinned: for a watch that failed to start,
 * so that a refusal leaves nothing behind. */
void guard_unpin(struct guard *g);
/* Detaches, unloads and unlocks. Idempotent. */
void guard_close(struct guard *g);

int guard_map_fd(const struct guard *g, const char *name);
/* How many entries of mg_counters this guard has used: what counters_read
 * needs to scan. */
unsigned int guard_counter_entries(const struct guard *g);
/* The confirmed-drops map, or -1 when the kernel has no PKT_TOO_BIG reason. */
int guard_drops_fd(const struct guard *g);
int guard_events_fd(const struct guard *g);
/* The assist's counts (mg_assist_counts), or -1 when it is off. */
int guard_assist_counts_fd(const struct guard *g);

#endif
