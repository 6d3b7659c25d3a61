/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Reading what the BPF programs counted: the exact per-CPU counters, the
 * programs' own stats, and the sampler's pending counts (the final flush).
 * Works on a loaded skeleton's maps and on pinned maps alike (by fd).
 */
#ifndef MTUGUARD_COUNTERS_H
#define MTUGUARD_COUNTERS_H

#include <net/if.h>
#include <stddef.h>

#include <linux/types.h>

#include "mtuguard.h"

/* Gives slot @slot of mg_counters to @ifindex: both its entries zeroed,
 * and the id set for each of its @hooks (the other entry stays unused). */
int counters_reset(int map_fd, unsigned int slot, int ifindex, const enum mg_hook *hooks,
		   int nhooks);
/* Entry @index of mg_counters summed over CPUs, with what the fast path
 * counted of its interface in mg_counters' "fits" (@fast_fd is
 * mg_fast_counts; -1: the entry alone). */
int counters_sum(int map_fd, int fast_fd, __u32 index, struct mg_counters *sum);
/* Every entry of mg_counters in use among its first @entries (0: all),
 * summed over CPUs (each names itself by its id), with the fast path's
 * counts added as counters_sum does, sorted by ifindex then hook; *rows
 * malloc'd. */
int counters_read(int map_fd, int fast_fd, unsigned int entries, struct mg_counters **rows,
		  size_t *n);
/* @ifindex owns its entry of mg_fast_counts from now on (from zero when
 * it is new to it): the fast path counts its packets that fit there. */
int counters_fast_claim(int fast_fd, __u32 ifindex);
/* @ifindex no longer owns its entry: what the fast path counted there is
 * added to the "fits" of its slot @slot in mg_counters (@counters_fd),
 * so that its counts stay whole after it is gone. */
int counters_fast_release(int fast_fd, int counters_fd, __u32 ifindex, __u32 slot);
/* What the assist did for one Pod interface (bpf/assist.bpf.c). */
struct assist_row {
	__u32 ifindex;
	struct mg_assist_counts counts;
};

/* The non-zero entries of mg_assist_counts (@assist_fd), summed over CPUs,
 * each named by the interface that owns its slot in mg_counters
 * (@counters_fd); *rows malloc'd. */
int assist_rows_read(int assist_fd, int counters_fd, struct assist_row **rows, size_t *n);
/* mg_stats summed over CPUs. */
int stats_read(int map_fd, __u64 out[MG_STAT_MAX]);

/* The kernel's confirmed too-big drops on one device. */
struct drop_row {
	char iface[IF_NAMESIZE];
	__u64 packets;
};

/* Confirmed drops of one ifindex in mg_drops, summed over CPUs. */
int drops_read(int map_fd, __u32 ifindex, __u64 *total);
/* Every device in mg_drops, named in this netns; *rows malloc'd. */
int drops_rows(int map_fd, struct drop_row **rows, size_t *n);

/* Called once per flow that has packets no event has reported yet, with
 * the flow's latest sample and count set to those packets. */
typedef void (*flush_cb)(const struct mg_event *ev, void *ctx);
/* Reports and clears every pending count of mg_flows. Call it after the
 * programs are detached, or a packet may slip between read and clear. */
int flows_flush(int map_fd, flush_cb cb, void *ctx);

#endif
