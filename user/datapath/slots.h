/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which interface owns which slot of mg_counters (and so its entries at
 * mg_counter_index()). A slot stays with its interface while it is watched
 * and, once it is gone, keeps its counts for `stats` and the summary until
 * the slot is needed again: free slots are handed out first, then the one
 * retired longest ago. The same ifindex coming back gets its old slot and
 * keeps counting where it was. Userspace only; the programs read the slot
 * from mg_ifaces.
 */
#ifndef MTUGUARD_SLOTS_H
#define MTUGUARD_SLOTS_H

#include <stdbool.h>

#include "mtuguard.h"

enum slot_state {
	SLOT_FREE = 0,
	SLOT_LIVE,
	SLOT_RETIRED,
};

struct slot {
	int ifindex;
	enum slot_state state;
	unsigned int pod_limit;	 /* a live Pod's limit, 0 for the uplink */
	unsigned int path_limit; /* a live Pod's limit off the node (0: none) */
	unsigned long retired;	 /* retirement order, for reuse */
	bool seen;		 /* marked during slots_sweep_begin/end */
};

struct slot_pool {
	struct slot slots[MG_MAX_IFACES];
	unsigned int used;	   /* slots ever handed out: the rest were never written */
	unsigned long retirements; /* counter behind slot.retired */
};

void slots_init(struct slot_pool *pool);
/* The slot of @ifindex, live from now on with @pod_limit (0: not a Pod).
 * *fresh says whether its counters start from zero (a new owner) or carry
 * on. -ENOSPC when MG_MAX_IFACES interfaces are live. */
int slots_claim(struct slot_pool *pool, int ifindex, unsigned int pod_limit, bool *fresh);
/* @ifindex is no longer watched: its slot keeps its counts until reused. */
void slots_retire(struct slot_pool *pool, int ifindex);
/* The smallest limit of a live Pod; UINT32_MAX when there is none. */
unsigned int slots_pod_limit_min(const struct slot_pool *pool);
/* A live Pod's limit off the node (its path MTU), for the fast path. */
void slots_set_path_limit(struct slot_pool *pool, int slot, unsigned int path_limit);
/* The smallest limit of a live Pod, to it or off the node (0 counts as no
 * limit); UINT32_MAX when there is none. */
unsigned int slots_limit_min(const struct slot_pool *pool);
/* A full reconfiguration: begin, claim every interface still there, end;
 * live slots not claimed in between are retired, and @retired (if not
 * NULL) is told each one's ifindex. */
void slots_sweep_begin(struct slot_pool *pool);
void slots_sweep_end(struct slot_pool *pool, void (*retired)(int ifindex, void *ctx), void *ctx);
/* Taking over an earlier watch's maps: @slot is @ifindex's, live (with
 * @pod_limit) or retired, as that watch left it. */
void slots_seed(struct slot_pool *pool, unsigned int slot, int ifindex, bool live,
		unsigned int pod_limit);

#endif
