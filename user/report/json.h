/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one JSON vocabulary of everything mtuguard prints: an event always
 * starts with "time" (RFC 3339, UTC, milliseconds) and "event"; a Pod is
 * always {"namespace", "name"} (or null when no source named it); a Pod
 * interface, wherever it is listed (check, start), has one shape. Builders
 * here, json-c underneath; stdout carries one object per line.
 */
#ifndef MTUGUARD_REPORT_JSON_H
#define MTUGUARD_REPORT_JSON_H

#include <stddef.h>
#include <time.h>

#include <json-c/json.h>

struct pod_ref;
struct pod_iface;
struct pod_name;

/* {"time": now, "event": @event}, to add fields to. */
struct json_object *json_event(const char *event);
/* The same at @when (an alert's time is its packet's). */
struct json_object *json_event_at(const char *event, const struct timespec *when);
/* {"namespace", "name"}, or NULL (JSON null) for an unnamed Pod. */
struct json_object *json_pod(const struct pod_ref *pod);
/* A Pod interface: iface, netns, pod, pod_source, host_mtu, pod_mtu (and,
 * kept for the start event's consumers, namespace and name at the top). */
struct json_object *json_pod_iface(const struct pod_iface *p, const struct pod_name *name);
struct limits;
/* The limits per destination prefix: [{"prefix", "mtu", "detail"}, ...]. */
struct json_object *json_routes(const struct limits *l);
/* Prints @obj on one line of stdout, flushes and frees it. */
void json_print_line(struct json_object *obj);

#endif
