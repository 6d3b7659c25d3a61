/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The audit as `check` prints it (and the watch at its start, and a drift
 * alert for one finding): text lines, or one JSON document in the
 * vocabulary of json.h, with the Pods to restart.
 */
#ifndef MTUGUARD_AUDIT_REPORT_H
#define MTUGUARD_AUDIT_REPORT_H

#include <json-c/json.h>

#include "limits/audit.h"

/* One finding: its fields added to @into (a new object when NULL), and as
 * three text lines, each starting with @prefix. */
struct json_object *mismatch_to_json(const struct mismatch *m, struct json_object *into);
void mismatch_print_text(const struct mismatch *m, const char *prefix);

/* The whole audit: one JSON document, or text lines. */
struct json_object *check_to_json(const struct check_report *r, const struct view *v);
void check_print_text(const struct check_report *r, const struct view *v);
/* "restart: kubectl -n NS delete pod NAME", each name one shell word. */
void print_restart_line(const struct pod_ref *pod);
/* Prints it in the form asked for. */
void check_print(const struct check_report *r, const struct view *v, bool json);

#endif
