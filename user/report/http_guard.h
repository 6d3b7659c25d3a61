/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Who may hold a connection to the metrics endpoint, so that no client
 * can keep the liveness probe out (/healthz is on the host network). A
 * connection is "waiting" from accept until its request is complete, and
 * again from each response until the next request (keep-alive); only
 * waiting connections are ever closed, never one being answered:
 *  - a client (one address) waits on at most per_client connections: a
 *    new one closes that client's oldest;
 *  - at most waiting_max wait in all: a new one closes the oldest, which
 *    keeps a slot for a probe however many clients crowd in;
 *  - a connection waits at most deadline_ms in all, however slowly it
 *    trickles bytes in (libmicrohttpd's own timeout is idleness only).
 * Closing is shutdown(2) of the socket: libmicrohttpd sees the end of the
 * stream and releases the connection in its own thread.
 */
#ifndef MTUGUARD_HTTP_GUARD_H
#define MTUGUARD_HTTP_GUARD_H

#include <sys/socket.h>

struct http_guard_limits {
	unsigned int per_client;
	unsigned int waiting_max;
	unsigned int deadline_ms;
};

#define HTTP_GUARD_DEFAULTS                                                                        \
	((struct http_guard_limits){ .per_client = 16, .waiting_max = 128, .deadline_ms = 5000 })

struct http_guard;
struct http_conn;

/* NULL when out of memory or threads. */
struct http_guard *http_guard_new(const struct http_guard_limits *limits);
/* A connection accepted on @fd from @peer: waiting. Returns its handle. */
struct http_conn *http_guard_opened(struct http_guard *g, int fd, const struct sockaddr *peer);
/* Its request is complete and being answered: not waiting. */
void http_guard_answering(struct http_guard *g, struct http_conn *c);
/* Its answer is done: waiting for the next request. */
void http_guard_answered(struct http_guard *g, struct http_conn *c);
/* Gone (libmicrohttpd closes the socket after this). NULL is fine. */
void http_guard_closed(struct http_guard *g, struct http_conn *c);
/* How many connections it has closed (for the tests and the log). */
unsigned long http_guard_closed_count(struct http_guard *g);
void http_guard_free(struct http_guard *g);

#endif
