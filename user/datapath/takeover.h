/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Starting over an earlier watch's pinned hooks and maps (one that exited
 * with --keep-attached, or died): whether they can be taken over, and the
 * counter slots they had, so that every interface keeps counting where it
 * was. Swapping the programs into the hooks is attach.c's.
 */
#ifndef MTUGUARD_TAKEOVER_H
#define MTUGUARD_TAKEOVER_H

#include <stdbool.h>

#include <linux/types.h>

#include "datapath/slots.h"

/* Whether <pin_dir> holds hooks of an earlier watch (links, or programs
 * that clsact filters run) and maps this build can reuse as they are:
 * mg_node's ABI version is this one's. Says why not, when there are hooks
 * it cannot take over. */
bool takeover_possible(const char *pin_dir);
/* The build hash (mg_node_cfg) of the watch whose maps are pinned there,
 * 0 when unknown. */
__u64 takeover_pinned_build(const char *pin_dir);
/* Gives @pool the slots the reused maps hold: the interfaces in mg_ifaces
 * (fd @ifaces_fd) live, the other owners of counters (fd @counters_fd)
 * retired, in slot order. */
int takeover_seed_slots(struct slot_pool *pool, int ifaces_fd, int counters_fd);

#endif
