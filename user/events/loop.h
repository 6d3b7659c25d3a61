/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The watch's event loop: one epoll over the ring buffer and, when
 * following the node, rtnetlink; after each wake-up the Pod names tick,
 * the follower settles and the confirmed drops are checked, all under the
 * metrics lock (the metrics thread reads the same view). It ends on
 * SIGINT/SIGTERM, --duration or an error; then loop_finish() reports what
 * is left and prints the summary.
 */
#ifndef MTUGUARD_LOOP_H
#define MTUGUARD_LOOP_H

#include "datapath/guard.h"
#include "events/alerts.h"
#include "events/drops.h"
#include "events/follow.h"
#include "report/metrics.h"

struct ring_buffer;
struct mnl_socket;

struct loop {
	struct ring_buffer *rb;
	struct mnl_socket *mon; /* NULL: not following the node */
	struct follower *follower;
	struct metrics *metrics; /* NULL: not serving */
	struct drop_watch *drops;
	struct alerts *alerts;
	struct view *view;
	unsigned long duration_ms; /* 0: until a signal */
};

/* SIGINT and SIGTERM end the loop (without SA_RESTART, so the wait
 * returns at once). */
void loop_install_signals(void);
/* Runs until a signal, the duration or an error (reported, -errno). */
int loop_run(const struct loop *l);
/* After the hooks are gone: the samples still in the ring, what the
 * sampler folded, then the exact counters beside the alerts' counts. */
int loop_finish(const struct loop *l, const struct guard *g);

#endif
