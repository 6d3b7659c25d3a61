/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What `mtuguard fix` prints: the plan (steps, and what it leaves), then
 * after --apply the steps done and the audit again; after --undo what was
 * restored. One JSON document each in --json mode, in the vocabulary of
 * report/json.h (steps: iface, pod, netns, from, to, reason, done).
 */
#ifndef MTUGUARD_FIX_REPORT_H
#define MTUGUARD_FIX_REPORT_H

#include <stdbool.h>

#include "fix/apply.h"
#include "fix/plan.h"
#include "limits/audit.h"

/* @after: the audit after --apply (NULL for a plan alone). */
void fix_print(const struct fix_plan *p, bool applied, const struct check_report *after,
	       const struct view *v, const char *journal, bool json);
void fix_print_undo(const struct undo_result *u, const char *journal, bool json);

#endif
