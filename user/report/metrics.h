/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Prometheus metrics: an HTTP endpoint (libmicrohttpd, its own thread)
 * serving /metrics in the text exposition format, rendered on each scrape
 * from the exact counters in the maps and the node model, plus /healthz
 * (alive) and /readyz (attached). The watch's main thread changes the view
 * (node model, names, limits); both sides hold metrics_lock() while they
 * touch it.
 */
#ifndef MTUGUARD_METRICS_H
#define MTUGUARD_METRICS_H

#include <stdbool.h>
#include <stdio.h>

#include "datapath/guard.h"
#include "events/follow.h"
#include "limits/view.h"
#include "report/http_guard.h"

struct metrics_source {
	const struct view *view;
	const struct guard *guard;
	const struct follower *follower;
	int drops_fd; /* confirmed drops per ifindex, -1 when the kernel lacks them */
	/* How long a deleted Pod's counters are still served: long enough
	 * for a few scrapes to see its last counts, not forever (a node
	 * churning Pods would grow the page without end). */
	unsigned int keep_gone_s;
	const bool *ready; /* attached (mtuguard_ready); NULL: not said */
};

struct metrics;

/* Parses "PORT" (loopback only), "ADDR:PORT" ("127.0.0.1:9465",
 * "[::1]:9465") or ":PORT" (every address); reports and returns false when
 * it is not one. */
bool metrics_parse_addr(const char *s, struct sockaddr_storage *out);
/* Whether the address can be bound now, before anything is attached
 * (reported; -errno when not). */
int metrics_check_addr(const struct sockaddr_storage *addr, const char *addr_text);
/* Starts serving, with @limits on who may hold a connection
 * (HTTP_GUARD_DEFAULTS); NULL (reported) when the address cannot be bound. */
struct metrics *metrics_start(const struct sockaddr_storage *addr, const char *addr_text,
			      const struct metrics_source *src,
			      const struct http_guard_limits *limits);
void metrics_set_ready(struct metrics *m, bool ready);
void metrics_lock(struct metrics *m);
void metrics_unlock(struct metrics *m);
void metrics_stop(struct metrics *m);

/* Writes every metric family to @out (used by the handler and the tests). */
int metrics_render(const struct metrics_source *src, FILE *out);

#endif
