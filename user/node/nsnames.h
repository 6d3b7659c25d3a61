/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Naming a Pod's netns: rtnetlink gives the peer of a Pod veth as an nsid,
 * and `ip netns` and CNI plugins name namespaces by files under /run/netns.
 * The kernel only maps a netns to its nsid, so each file has to be asked;
 * this cache asks each file once (keyed by name and inode, so a name reused
 * for another netns is asked again), instead of every file for every Pod.
 */
#ifndef MTUGUARD_NSNAMES_H
#define MTUGUARD_NSNAMES_H

#include <stddef.h>
#include <sys/types.h>

/* Where `ip netns` (and CNI plugins, via /var/run) name namespaces. */
#define NETNS_RUN_DIR "/run/netns"

struct nsname {
	int nsid; /* -1: the kernel gave this netns no nsid yet */
	ino_t ino;
	char name[256];
};

struct nsnames {
	struct nsname *v;
	size_t n;
};

/* The name of the netns with @nsid, or NULL when no file names it. A miss
 * rescans the directory, asking only the files not seen before. */
const char *nsnames_find(struct nsnames *c, int nsid);
void nsnames_free(struct nsnames *c);

#endif
