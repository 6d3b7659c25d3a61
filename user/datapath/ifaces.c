// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "datapath/ifaces.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdbool.h>

#include "datapath/counters.h"

/*
 * An array update is a plain copy, which a program on another CPU may read
 * half done. So a spot is only ever rewritten in steps in which the
 * ifindex is the one field that changes: the configuration is written
 * under ifindex 0 (which no packet has) first, and the ifindex last. A
 * program reads either a spot that does not match (and falls back on the
 * hash, already up to date) or a complete configuration.
 */
static int spot_write(int fd, __u32 spot, __u32 ifindex, const struct mg_iface_cfg *cfg)
{
	struct mg_iface_spot v = { .ifindex = 0, .cfg = *cfg };

	if (bpf_map_update_elem(fd, &spot, &v, BPF_ANY))
		return -errno;
	v.ifindex = ifindex;
	return bpf_map_update_elem(fd, &spot, &v, BPF_ANY) ? -errno : 0;
}

static __u32 spot_of(__u32 ifindex)
{
	return ifindex % MG_MAX_IFACES;
}

/* Whether the spot can be @ifindex's: free, its own, or held by an
 * interface no longer configured. */
static bool spot_available(const struct iface_maps *m, const struct mg_iface_spot *held,
			   __u32 ifindex)
{
	struct mg_iface_cfg cfg;

	return !held->ifindex || held->ifindex == ifindex ||
	       bpf_map_lookup_elem(m->hash_fd, &held->ifindex, &cfg);
}

int ifaces_write(const struct iface_maps *m, __u32 ifindex, const struct mg_iface_cfg *cfg)
{
	__u32 spot = spot_of(ifindex);
	struct mg_iface_spot held;
	int err;

	/* The hash first: it is what a program falls back on meanwhile. */
	if (bpf_map_update_elem(m->hash_fd, &ifindex, cfg, BPF_ANY))
		return -errno;
	if (bpf_map_lookup_elem(m->spots_fd, &spot, &held))
		return -errno;
	if (!spot_available(m, &held, ifindex))
		return 0; /* found through the hash */
	if (held.ifindex && held.ifindex != ifindex) {
		/* A stale owner: unmatch it before its configuration goes. */
		held.ifindex = 0;
		if (bpf_map_update_elem(m->spots_fd, &spot, &held, BPF_ANY))
			return -errno;
	}
	err = spot_write(m->spots_fd, spot, ifindex, cfg);
	/* The spot is its own: so is the fast path's entry. */
	if (!err && m->fast_fd >= 0)
		err = counters_fast_claim(m->fast_fd, ifindex);
	return err;
}

void ifaces_forget(const struct iface_maps *m, __u32 ifindex)
{
	__u32 spot = spot_of(ifindex);
	struct mg_iface_spot held;

	struct mg_iface_cfg cfg;

	/* The fast path's entry first (its counts folded into the slot), the
	 * spot next (unmatched, configuration unchanged), the hash after: a
	 * program never finds a spot whose hash entry is gone. */
	if (m->fast_fd >= 0 && !bpf_map_lookup_elem(m->hash_fd, &ifindex, &cfg))
		counters_fast_release(m->fast_fd, m->counters_fd, ifindex, cfg.slot);
	if (!bpf_map_lookup_elem(m->spots_fd, &spot, &held) && held.ifindex == ifindex) {
		held.ifindex = 0;
		bpf_map_update_elem(m->spots_fd, &spot, &held, BPF_ANY);
	}
	bpf_map_delete_elem(m->hash_fd, &ifindex);
}
