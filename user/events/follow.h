/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Following the node for a long-running watch: rtnetlink events (monitor.h)
 * keep the view (node model, names, limits), the guard's maps and hooks,
 * and the audit in step. A Pod veth that appears is attached at once; one
 * that goes is forgotten (its counters stay); an MTU change recomputes the
 * limits; and after each batch of events the names are ticked once and
 * the audit runs again, so that a change that leaves the node inconsistent
 * raises a drift alert before any packet is lost.
 */
#ifndef MTUGUARD_FOLLOW_H
#define MTUGUARD_FOLLOW_H

#include <stdbool.h>
#include <stddef.h>

#include "datapath/guard.h"
#include "events/fix_marker.h"
#include "limits/audit.h"
#include "limits/view.h"
#include "node/monitor.h"

struct follower {
	struct view *view;
	struct guard *guard;
	bool json;
	struct check_report last; /* the previous audit, to tell drift from news */
	bool dirty;		  /* something changed since the last audit */
	bool limits_changed;	  /* an uplink MTU changed: every Pod's path MTU moves */
	bool routes_changed;	  /* a route or a link's MTU changed: the prefixes' limits move */
	bool uplink_back;	  /* the uplink was re-created: configure and attach it again */
	bool resync_pending;	  /* events were lost and the re-read has not succeeded yet */
	int *attached;		  /* ifindexes attached in this batch, reported once named */
	size_t n_attached;
	unsigned long attach_errors;
	unsigned long resyncs;
	/* mtuguard fix at work: its changes are one `fixed` event, told
	 * against the MTUs of the last audit. */
	bool fix_watched;
	struct fix_marker fix;
	struct mtu_seen *seen;
	size_t n_seen;
	unsigned int uplink_seen;
};

/* A Pod's MTUs at the last audit. */
struct mtu_seen {
	int ifindex;
	unsigned int host_mtu, pod_mtu;
};

/* @fix_state_dir: where mtuguard fix keeps its lock (NULL: not watched). */
void follow_init(struct follower *f, struct view *view, struct guard *guard, bool json,
		 const char *fix_state_dir);
/* monitor_cb: takes one event in. */
void follow_event(const struct monitor_event *ev, void *follower);
/* After a batch of events: names, new limits into the maps, the audit,
 * drift; and a re-read that failed before, again. */
void follow_settle(struct follower *f);
/* After lost events (ENOBUFS): one full pass over the node's links. On
 * failure (reported) the next settle tries again. */
int follow_resync(struct follower *f);
void follow_free(struct follower *f);

#endif
