/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * mtuguard's maps. Keys and values are the structs of include/mtuguard.h, so
 * userspace and bpftool read them by name. Userspace fills mg_ifaces and
 * mg_local_dsts (policy); the programs fill the rest (observation).
 */
#ifndef MTUGUARD_MAPS_BPF_H
#define MTUGUARD_MAPS_BPF_H

#include <bpf/bpf_helpers.h>

#include "mtuguard.h"

/* Interfaces we watch, keyed by ifindex: role and limits, from userspace. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MG_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct mg_iface_cfg);
} mg_ifaces SEC(".maps");

/* The same, direct-mapped at ifindex % MG_MAX_IFACES, tried first: an
 * array lookup is inlined into the program, a hash lookup is a call. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MG_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct mg_iface_spot);
} mg_iface_spots SEC(".maps");

/* What holds for the whole node (one entry), from userspace. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mg_node_cfg);
} mg_node SEC(".maps");

/* Destinations on this node (Pod and node addresses), whose limit is not
 * the path MTU: a local Pod's own MTU, or none for local delivery. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct mg_addr);
	__type(value, struct mg_local_dst);
} mg_local_dsts SEC(".maps");

/* Destination prefixes and their limits (the node's routes, and what the
 * CNI says where its flows decide), from userspace: looked up only for a
 * packet above the fast-path bound that is for no local destination. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, MG_MAX_ROUTES);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* the kernel requires it of a trie */
	__type(key, struct mg_route_key);
	__type(value, struct mg_route);
} mg_routes SEC(".maps");

/* Exact per-CPU counts of every packet, per interface and hook, at the
 * index mg_counter_index() gives (an array: the lookup is inlined). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MG_COUNTER_ENTRIES);
	__type(key, __u32);
	__type(value, struct mg_counters);
} mg_counters SEC(".maps");

/* The fast path's counts, per CPU, direct-mapped at ifindex % MG_MAX_IFACES
 * and owned by one interface each (struct mg_fast_count): counting a packet
 * that fits costs one inlined lookup, with no configuration read. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MG_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct mg_fast_count);
} mg_fast_counts SEC(".maps");

/* The sampler's per-flow state: when a flow was last sampled and how many
 * of its packets have been folded since. Per CPU, so the fold needs no
 * atomics (kernels from 5.8 on) and stays exact; userspace sums the CPUs
 * when it flushes at exit. LRU: a flood of distinct flows evicts old ones
 * instead of failing (mg_counters stays exact regardless). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct mg_flow_key);
	__type(value, struct mg_flow_state);
} mg_flows SEC(".maps");

/* Samples of offending packets for userspace (struct mg_event). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} mg_events SEC(".maps");

/* The programs' own health: samples sent, ring-buffer losses, packets seen
 * on an interface userspace did not configure (enum mg_stat). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MG_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} mg_stats SEC(".maps");

/* mg_node's one entry (an array lookup: inlined). */
static __always_inline struct mg_node_cfg *node_cfg(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&mg_node, &zero);
}

#endif /* MTUGUARD_MAPS_BPF_H */
