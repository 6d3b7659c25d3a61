/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * `mtuguard fix`'s journal: every MTU it changed (what, before, after,
 * when), in STATE_DIR/journal.json, written after each change (a new file
 * renamed over the old), so that `fix --undo` restores exactly those
 * values even after a crash mid-apply. STATE_DIR/lock (flock) keeps a
 * second fix out while one runs.
 */
#ifndef MTUGUARD_FIX_JOURNAL_H
#define MTUGUARD_FIX_JOURNAL_H

#include <linux/limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "podid/podid.h"

#define FIX_STATE_DIR "/var/lib/mtuguard"

enum journal_kind {
	JOURNAL_VETH_HOST,	 /* the host end of a Pod's veth */
	JOURNAL_VETH_POD,	 /* its Pod end */
	JOURNAL_OVS_MTU_REQUEST, /* an OVS interface's mtu_request (0: unset) */
};

struct journal_entry {
	enum journal_kind kind;
	char time[40];
	char iface[IF_NAMESIZE]; /* the host end, or the OVS interface */
	int ifindex;		 /* the host end's */
	char netns[256];	 /* the Pod's, for the words */
	bool named;
	struct pod_ref pod;
	unsigned int before, after;
};

struct journal {
	char dir[PATH_MAX];
	char path[PATH_MAX];
	int lock_fd;
	bool locked; /* ours: touched when released */
	struct journal_entry *v;
	size_t n;
};

/* Makes @dir if needed, takes its lock and reads the journal there (none
 * yet: empty). Reports and returns -EBUSY when another fix holds the lock,
 * -EBADMSG when the journal is not one fix wrote, -errno otherwise. */
int journal_open(const char *dir, struct journal *j);
/* Appends @e (stamped now) and writes the journal out. */
int journal_append(struct journal *j, const struct journal_entry *e);
/* Drops the entries from @from on, and writes the journal out (removing
 * it when nothing is left). */
int journal_truncate(struct journal *j, size_t from);
void journal_close(struct journal *j);
const char *journal_kind_name(enum journal_kind kind);

#endif
