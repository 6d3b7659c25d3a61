/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Confirmed drops while watching: the kernel counts its too-big drops per
 * device (mg_drops); once a second the devices whose count grew are
 * reported, beside the predicted losses.
 */
#ifndef MTUGUARD_EVENTS_DROPS_H
#define MTUGUARD_EVENTS_DROPS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "datapath/counters.h"

struct drop_watch {
	int fd; /* mg_drops, -1 where the kernel lacks the drop reason */
	bool json;
	struct drop_row *seen; /* the counts already reported */
	size_t n_seen;
	time_t checked;
};

void drop_watch_init(struct drop_watch *d, int drops_fd, bool json);
/* Reports the growth since the last report, at most once a second. */
void drop_watch_tick(struct drop_watch *d);
void drop_watch_free(struct drop_watch *d);

#endif
