/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What a watch prints on stdout about packets: alerts, the summary and the
 * kernel's confirmed drops. Each has one builder that turns the data into a
 * JSON object in the vocabulary of json.h; --json prints that object on one
 * line, text mode formats a line from the same data. Diagnostics go to
 * stderr (lib/log.h), never here.
 */
#ifndef MTUGUARD_OUTPUT_H
#define MTUGUARD_OUTPUT_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <json-c/json.h>
#include <linux/types.h>

#include "datapath/counters.h"
#include "mtuguard.h"
#include "podid/podid.h"

/* Who a packet concerns: a named Pod, or at least its veth and netns. */
struct pod_label {
	const char *iface;	   /* host-side veth ("" when unknown) */
	const struct pod_ref *pod; /* NULL when no resolver named it */
	const char *netns;	   /* "" when unknown */
	unsigned int mtu;	   /* the Pod's MTU (min of both veth ends), 0 unknown */
};

struct alert {
	const struct mg_event *ev;
	bool flush;	   /* reported by the final flush, not by a live sample */
	const char *iface; /* where it was seen */
	struct pod_label pod;
	const char *limit_detail; /* where the limit comes from, one phrase */
	struct timespec when;	  /* wall clock */
	bool assisted;		  /* the assist answers packets like these */
};

struct json_object *alert_to_json(const struct alert *a);
void alert_to_text(const struct alert *a, char *buf, size_t size);
void output_alert(const struct alert *a, bool json);

struct summary_row {
	char iface[IF_NAMESIZE];
	unsigned int hook;
	struct pod_label pod; /* pod.pod NULL and pod.iface "" for the uplink */
	struct mg_counters counts;
	long long alerted; /* packets the alerts stood for; -1: not tracked */
	bool assisted;	   /* the assist's counts below are this Pod's (pod_ingress) */
	struct mg_assist_counts assist;
	unsigned long long gone_ms; /* when its Pod went (monotonic); 0: here */
};

struct summary {
	const struct summary_row *rows;
	size_t n;
	const __u64 *stats; /* MG_STAT_MAX values */
	bool drops_counted; /* the kernel has the drop reason */
	const struct drop_row *drops;
	size_t n_drops;
};

struct json_object *summary_to_json(const struct summary *s, const char *event);
void output_summary(const struct summary *s, const char *event, bool json);

/* The kernel confirmed @delta more too-big drops on @iface (@total so far). */
void output_confirmed_drops(const char *iface, __u64 delta, __u64 total, bool json);
/* "HH:MM:SS" of now in local time, for the text lines of events. */
void output_text_time(char *buf, size_t size);

#endif
