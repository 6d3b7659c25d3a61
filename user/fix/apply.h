/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Carrying out a fix plan, and undoing a journal. Every MTU written is read
 * back; every change is journalled as it is made. A step that fails rolls
 * back every change this run made, newest first. Undo restores a change
 * only where the value is still the one fix set; a value changed since is
 * reported and left alone.
 */
#ifndef MTUGUARD_FIX_APPLY_H
#define MTUGUARD_FIX_APPLY_H

#include "fix/journal.h"
#include "fix/plan.h"

struct ovsdb_keys;

/* How long Open vSwitch may take to give a port the MTU it was asked for. */
#define OVS_APPLY_WAIT_MS 5000

/* The OVSDB for Open vSwitch steps: its socket (NULL when there is none)
 * and the CNI's keys. */
struct fix_ovs {
	const char *socket;
	const struct ovsdb_keys *keys;
};

/* Carries out @p's steps in order, marking each done. -errno (reported)
 * after rolling back what this run changed. */
int fix_apply(struct fix_plan *p, struct journal *j, const struct fix_ovs *ovs);

struct undo_result {
	size_t restored;
	size_t changed_since; /* left alone: reported one by one */
};

/* Restores the journal's changes, newest first, and empties it; stops at
 * the first that cannot be restored (-errno, reported; the journal keeps
 * it and those before it). */
int fix_undo(struct journal *j, const struct fix_ovs *ovs, struct undo_result *out);

#endif
