// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The guard's maps from userspace: each interface's role and limits, the
 * local destinations (Pods' and the node's addresses), the counter slots
 * and the node-wide fast-path bound, written from the node model and the
 * limits (limits/). The programs only compare with what is written here.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "datapath/counters.h"
#include "datapath/guard.h"
#include "datapath/ifaces.h"
#include "lib/log.h"
#include "limits/limits.h"
#include "mtuguard.skel.h"

static int update(int fd, const void *key, const void *value, const char *what)
{
	int err;

	if (!bpf_map_update_elem(fd, key, value, BPF_ANY))
		return 0;
	err = -errno; /* before pr_err, whose stdio may change errno */
	pr_err("cannot write %s into the BPF maps: %s", what, strerror(-err));
	return err;
}

/* Gives @ifindex its counter slot (zeroed counters for each of its @hooks
 * when the slot is new to it, so that stats and the summary list it even
 * when nothing crossed it; a Pod re-added on the same ifindex keeps
 * counting where it was) and returns the slot; *@fresh_out (if not NULL)
 * says whether the interface is new to this guard. */
static int claim_counters(struct guard *g, int ifindex, unsigned int pod_limit,
			  const enum mg_hook *hooks, int nhooks, bool *fresh_out)
{
	bool fresh;
	int slot, err;

	slot = slots_claim(&g->slots, ifindex, pod_limit, &fresh);
	if (fresh_out)
		*fresh_out = fresh;
	if (slot < 0) {
		pr_err("cannot watch more than %d interfaces at once", MG_MAX_IFACES);
		return slot;
	}
	if (!fresh)
		return slot;
	err = counters_reset(bpf_map__fd(g->skel->maps.mg_counters), (unsigned int)slot, ifindex,
			     hooks, nhooks);
	if (err) {
		pr_err("cannot write a counter into the BPF maps: %s", strerror(-err));
		return err;
	}
	return slot;
}

static struct iface_maps iface_maps(const struct guard *g)
{
	return (struct iface_maps){ .hash_fd = bpf_map__fd(g->skel->maps.mg_ifaces),
				    .spots_fd = bpf_map__fd(g->skel->maps.mg_iface_spots),
				    .fast_fd = bpf_map__fd(g->skel->maps.mg_fast_counts),
				    .counters_fd = bpf_map__fd(g->skel->maps.mg_counters) };
}

static int write_iface(struct guard *g, int ifindex, const struct mg_iface_cfg *cfg,
		       const char *what)
{
	struct iface_maps maps = iface_maps(g);
	int err = ifaces_write(&maps, (__u32)ifindex, cfg);

	if (err)
		pr_err("cannot write %s into the BPF maps: %s", what, strerror(-err));
	return err;
}

/* Tells the programs the smallest limit of a live Pod and of a prefix,
 * and the smallest of all (their fast paths). */
static int update_pod_mtu_min(struct guard *g)
{
	unsigned int bound = slots_limit_min(&g->slots);
	struct mg_node_cfg cfg = { .pod_mtu_min = slots_pod_limit_min(&g->slots),
				   .route_mtu_min = g->route_mtu_min,
				   .abi_version = MG_ABI_VERSION,
				   .build_hash = g->progs.build_hash };
	__u32 zero = 0;

	cfg.fast_bound = g->route_mtu_min < bound ? g->route_mtu_min : bound;

	return update(bpf_map__fd(g->skel->maps.mg_node), &zero, &cfg, "the node's limits");
}

/* Deletes the keys of the hash or trie @fd (@key_size bytes, at most 64)
 * that @keep does not keep. Deleting the current key ends a walk, which
 * then starts again. */
static void sweep_map(int fd, size_t key_size,
		      bool (*keep)(int fd, const void *key, const void *ctx), const void *ctx)
{
	unsigned char key[64], next[64];
	bool first = true;

	if (key_size > sizeof(key))
		return;
	while (!bpf_map_get_next_key(fd, first ? NULL : key, next)) {
		memcpy(key, next, key_size);
		if (!keep(fd, key, ctx)) {
			bpf_map_delete_elem(fd, key);
			first = true;
			continue;
		}
		first = false;
	}
}

/* A local destination that is not a Pod address behind *(int *)ctx. */
static bool not_behind(int fd, const void *key, const void *ctx)
{
	struct mg_local_dst dst;

	return bpf_map_lookup_elem(fd, key, &dst) || dst.kind != MG_DST_POD ||
	       dst.ifindex != (__u32) * (const int *)ctx;
}

/* Drops the local-destination entries that point at @ifindex. */
static void forget_pod_addrs(struct guard *g, int ifindex)
{
	sweep_map(bpf_map__fd(g->skel->maps.mg_local_dsts), sizeof(struct mg_addr), not_behind,
		  &ifindex);
}

/* An interface no longer watched: out of the configuration maps (its
 * counters stay, in its retired slot). */
static void forget_iface(int ifindex, void *ctx)
{
	struct guard *g = ctx;
	struct iface_maps maps = iface_maps(g);

	ifaces_forget(&maps, (__u32)ifindex);
	forget_pod_addrs(g, ifindex);
}

/* Writes one Pod's role, limits and addresses into the maps. */
static int configure_pod(struct guard *g, const struct pod_iface *pod, const struct limits *l)
{
	static const enum mg_hook pod_hooks[] = { MG_HOOK_POD_INGRESS, MG_HOOK_POD_EGRESS };
	struct pod_limits pl = limits_for_pod(l, pod);
	unsigned int limit = pl.to_pod;
	struct mg_iface_cfg cfg = { .role = MG_ROLE_POD,
				    .pod_mtu = limit,
				    .path_mtu = pl.off_node };
	int dsts = bpf_map__fd(g->skel->maps.mg_local_dsts);
	__u32 ifindex = (__u32)pod->ifindex;
	bool fresh;
	size_t a;
	int err, slot;

	slot = claim_counters(g, pod->ifindex, limit, pod_hooks, 2, &fresh);
	if (slot < 0)
		return slot;
	slots_set_path_limit(&g->slots, slot, pl.off_node);
	cfg.slot = (__u32)slot;
	/* The smaller limit first, its addresses after: the programs never
	 * take the fast path past a limit they may meet. */
	err = update_pod_mtu_min(g);
	if (!err)
		err = write_iface(g, pod->ifindex, &cfg, "a Pod interface");
	/* Addresses it had before (a refresh) go; a new one has none, and
	 * walking the map for each of a thousand Pods at start is slow: a
	 * whole configuration sweeps the map once at its end instead. */
	if (!err && !fresh && !g->configuring)
		forget_pod_addrs(g, pod->ifindex);
	for (a = 0; a < pod->n_addrs && !err; a++) {
		struct mg_local_dst dst = { .kind = MG_DST_POD, .ifindex = ifindex, .mtu = limit };

		err = update(dsts, &pod->addrs[a], &dst, "a Pod address");
	}
	return err;
}

static struct mg_route_key route_key(const struct route_limit *r)
{
	struct mg_route_key key = { .prefixlen = MG_ROUTE_FAMILY_BITS + r->prefix_len,
				    .family = r->prefix.family };

	memcpy(key.addr, r->prefix.addr, sizeof(key.addr));
	return key;
}

/* A prefix of the limits *ctx. */
static bool wanted(int fd, const void *key, const void *ctx)
{
	const struct limits *l = ctx;
	size_t i;

	(void)fd;
	for (i = 0; i < l->n_routes; i++) {
		struct mg_route_key k = route_key(&l->routes[i]);

		if (!memcmp(&k, key, sizeof(k)))
			return true;
	}
	return false;
}

int guard_write_routes(struct guard *g, const struct limits *l)
{
	int fd = bpf_map__fd(g->skel->maps.mg_routes);
	struct mg_route_key key;
	unsigned int min = UINT32_MAX;
	size_t i;
	int err = 0;

	/* A smaller bound first: the fast path never passes a new limit by. */
	for (i = 0; i < l->n_routes; i++)
		min = l->routes[i].mtu < min ? l->routes[i].mtu : min;
	if (min < g->route_mtu_min) {
		g->route_mtu_min = min;
		err = update_pod_mtu_min(g);
	}
	for (i = 0; i < l->n_routes && !err; i++) {
		struct mg_route value = { .mtu = l->routes[i].mtu,
					  .id = (__u32)i,
					  .flags = l->routes[i].silent ? MG_ROUTE_F_SILENT : 0 };

		key = route_key(&l->routes[i]);
		err = update(fd, &key, &value, "a destination prefix");
	}
	if (err)
		return err;
	sweep_map(fd, sizeof(struct mg_route_key), wanted, l);
	g->route_mtu_min = min;
	return update_pod_mtu_min(g);
}

static bool addr_in(const struct mg_addr *addrs, size_t n, const struct mg_addr *a)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!memcmp(&addrs[i], a, sizeof(*a)))
			return true;
	}
	return false;
}

static bool wanted_dst(const struct node *node, const struct mg_addr *a)
{
	size_t i;

	if (addr_in(node->node_addrs, node->n_node_addrs, a))
		return true;
	for (i = 0; i < node->n_pods; i++) {
		if (!node->pods[i].gone && addr_in(node->pods[i].addrs, node->pods[i].n_addrs, a))
			return true;
	}
	return false;
}

static bool on_the_node(int fd, const void *key, const void *ctx)
{
	(void)fd;
	return wanted_dst(ctx, key);
}

/* After a whole configuration: the local destinations no longer on the
 * node (a Pod's old address, or one an earlier watch wrote) go. */
static void sweep_local_dsts(struct guard *g, const struct node *node)
{
	sweep_map(bpf_map__fd(g->skel->maps.mg_local_dsts), sizeof(struct mg_addr), on_the_node,
		  node);
}

int guard_configure(struct guard *g, const struct node *node, const struct limits *l)
{
	static const enum mg_hook uplink_hooks[] = { MG_HOOK_UPLINK_INGRESS };
	int dsts = bpf_map__fd(g->skel->maps.mg_local_dsts);
	const struct nl_link *fabric = node_fabric_link(node);
	struct mg_iface_cfg cfg = { .role = MG_ROLE_UPLINK };
	size_t i;
	int err, slot;

	/* Interfaces not claimed again below (an uplink replaced, a Pod
	 * missed) give their slots back. */
	slots_sweep_begin(&g->slots);
	slot = claim_counters(g, fabric->ifindex, 0, uplink_hooks, 1, NULL);
	if (slot < 0)
		return slot;
	cfg.slot = (__u32)slot;
	err = write_iface(g, fabric->ifindex, &cfg, "the uplink");
	/* The node's own addresses first: a Pod address wins where both
	 * appear (a Pod's address is never the node's in practice). */
	for (i = 0; i < node->n_node_addrs && !err; i++) {
		struct mg_local_dst dst = { .kind = MG_DST_NODE };

		err = update(dsts, &node->node_addrs[i], &dst, "a node address");
	}
	g->configuring = true;
	for (i = 0; i < node->n_pods && !err; i++) {
		if (!node->pods[i].gone)
			err = configure_pod(g, &node->pods[i], l);
	}
	g->configuring = false;
	if (!err) {
		slots_sweep_end(&g->slots, forget_iface, g);
		sweep_local_dsts(g, node);
		err = guard_write_routes(g, l);
	}
	return err;
}

int guard_add_pod(struct guard *g, const struct pod_iface *pod, const struct limits *l)
{
	int err = configure_pod(g, pod, l);

	if (!err)
		err = guard_attach_pod(g, pod);
	if (err)
		guard_remove_pod(g, pod);
	return err;
}

int guard_refresh_pod(struct guard *g, const struct pod_iface *pod, const struct limits *l)
{
	return configure_pod(g, pod, l);
}

void guard_remove_pod(struct guard *g, const struct pod_iface *pod)
{
	attach_release_ifindex(&g->attached, pod->ifindex);
	forget_iface(pod->ifindex, g);
	/* Its limit no longer binds the fast path. */
	slots_retire(&g->slots, pod->ifindex);
	update_pod_mtu_min(g);
}
