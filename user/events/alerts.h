/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Samples -> alerts: each ring-buffer sample (and, at exit, each flow the
 * sampler folded) is joined with the view (which Pod, its name, where the
 * limit comes from) and printed; the packets each alert stands for are
 * tallied so that the summary can set them beside the exact counters.
 */
#ifndef MTUGUARD_ALERTS_H
#define MTUGUARD_ALERTS_H

#include <stdbool.h>
#include <stddef.h>

#include "limits/view.h"
#include "mtuguard.h"
#include "report/summary.h"

struct alerts {
	const struct view *view;
	bool json;
	struct alert_tally tally;
	int err; /* out of memory while tallying: the watch ends */
	/* --assist: the limits it answers for (bit 1 << enum
	 * mg_limit_source; routes say so themselves); 0 when it is off. */
	unsigned int assist_silent;
	bool assist_on;
};

void alerts_init(struct alerts *a, const struct view *view, bool json);
/* ring_buffer_sample_fn over a struct alerts. */
int alerts_on_sample(void *alerts, void *data, size_t size);
/* flush_cb over a struct alerts: an alert marked as flushed at exit. */
void alerts_on_flush(const struct mg_event *ev, void *alerts);
void alerts_free(struct alerts *a);

#endif
