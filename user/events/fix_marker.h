/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Whether `mtuguard fix` is at work on this node, or has been since the
 * watch last looked: fix holds STATE_DIR/lock while it changes MTUs and
 * touches it when it is done (fix/journal.h). The watch then reports what
 * changed as one `fixed` event, not as drift half-way through.
 */
#ifndef MTUGUARD_FIX_MARKER_H
#define MTUGUARD_FIX_MARKER_H

#include <linux/limits.h>
#include <stdbool.h>
#include <time.h>

enum fix_state {
	FIX_NONE,    /* no fix since the last look */
	FIX_RUNNING, /* a fix holds the lock now */
	FIX_DONE,    /* a fix ended since the last look */
};

struct fix_marker {
	char lock[PATH_MAX];
	struct timespec seen; /* the lock's mtime at the last look */
	bool looked;
};

void fix_marker_init(struct fix_marker *m, const char *state_dir);
/* Cheap (an open, a flock, a stat): called at every settle. */
enum fix_state fix_marker_poll(struct fix_marker *m);

#endif
