/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Writing an interface's configuration where the programs look for it.
 * mg_ifaces (a hash by ifindex) holds every watched interface and is what
 * bpftool shows; mg_iface_spots is a direct-mapped copy (an array at
 * ifindex % MG_MAX_IFACES) that the programs try first, because an array
 * lookup is inlined and a hash lookup is not. An interface whose spot
 * another one holds is found in the hash. The interface that holds a spot
 * also owns the same entry of mg_fast_counts, where the fast path counts
 * its packets that fit (fast.bpf.h). Works on a skeleton's maps and on
 * pinned ones (by fd).
 */
#ifndef MTUGUARD_IFACES_H
#define MTUGUARD_IFACES_H

#include <linux/types.h>

#include "mtuguard.h"

struct iface_maps {
	int hash_fd;	 /* mg_ifaces */
	int spots_fd;	 /* mg_iface_spots */
	int fast_fd;	 /* mg_fast_counts; -1: no fast path (tests of the full one) */
	int counters_fd; /* mg_counters, where a forgotten interface's fast counts go */
};

/* Sets @ifindex's configuration in both maps; -errno on failure. */
int ifaces_write(const struct iface_maps *m, __u32 ifindex, const struct mg_iface_cfg *cfg);
/* Removes @ifindex from both maps. */
void ifaces_forget(const struct iface_maps *m, __u32 ifindex);

#endif
