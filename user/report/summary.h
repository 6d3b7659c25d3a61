/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The end-of-run (and `stats`) table: the exact counters per interface and
 * hook, labelled with the Pod, beside the packets the alerts stood for.
 */
#ifndef MTUGUARD_SUMMARY_H
#define MTUGUARD_SUMMARY_H

#include <stddef.h>

#include <linux/types.h>

#include "datapath/counters.h"
#include "node/node.h"
#include "report/output.h"
#include "podid/podid.h"

/* Packets reported by alerts, per (ifindex, hook) of the counters. */
struct alert_tally {
	struct tally_item {
		__u32 ifindex;
		__u32 hook;
		__u64 packets;
	} * items;
	size_t n;
};

int tally_add(struct alert_tally *t, __u32 ifindex, __u32 hook, __u64 packets);
long long tally_get(const struct alert_tally *t, __u32 ifindex, __u32 hook);
void tally_free(struct alert_tally *t);

struct podid;

/* Labels a Pod interface for output: the node model's facts and, when
 * @ids knows it, the Pod's name. */
struct pod_label pod_label_of(const struct pod_iface *pod, const struct podid *ids);

/*
 * Builds labelled rows from counter rows. Labels come from @node and @ids
 * when given (a watch), else from the interface name and @cache (stats).
 * @tally NULL: the rows' alerted is -1 (not tracked). *out is malloc'd.
 */
int summary_build(const struct mg_counters *rows, size_t n, const struct node *node,
		  const struct podid *ids, const struct pod_table *cache,
		  const struct alert_tally *tally, struct summary_row **out);

/* Puts what the assist did (@assist_fd, mg_assist_counts; -1: no assist)
 * on the pod_ingress rows of the Pods it acted for. */
void summary_add_assist(struct summary_row *rows, size_t n, int assist_fd, int counters_fd);

/* Prints labelled rows, the BPF side's @stats and the confirmed drops read
 * from @drops_fd (-1: the kernel does not count them) as @event. */
void summary_print(const struct summary_row *rows, size_t n, const __u64 *stats, int drops_fd,
		   const char *event, bool json);

#endif
