// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "report/http_guard.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/clock.h"
#include "lib/log.h"

struct http_conn {
	struct http_conn *prev, *next; /* the waiting list, oldest first */
	int fd;
	struct sockaddr_storage peer;
	unsigned long long since_ms; /* waiting since */
	bool waiting;
	bool shut; /* closed by us; libmicrohttpd has yet to see it */
};

struct http_guard {
	struct http_guard_limits limits;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t reaper;
	bool stopping;
	struct http_conn *head, *tail; /* waiting connections */
	unsigned int n_waiting;
	unsigned long closed;
};

static bool same_client(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			       &((const struct sockaddr_in6 *)b)->sin6_addr,
			       sizeof(struct in6_addr));
	return true; /* other families: one client */
}

/* Under the lock. */
static void unlink_waiting(struct http_guard *g, struct http_conn *c)
{
	if (!c->waiting)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		g->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		g->tail = c->prev;
	c->prev = c->next = NULL;
	c->waiting = false;
	g->n_waiting--;
}

static void link_waiting(struct http_guard *g, struct http_conn *c)
{
	c->since_ms = monotonic_ms();
	c->waiting = true;
	c->prev = g->tail;
	c->next = NULL;
	if (g->tail)
		g->tail->next = c;
	else
		g->head = c;
	g->tail = c;
	g->n_waiting++;
}

/* Under the lock: ends the stream; the connection stays ours until
 * libmicrohttpd says it is closed. */
static void shut(struct http_guard *g, struct http_conn *c)
{
	unlink_waiting(g, c);
	c->shut = true;
	shutdown(c->fd, SHUT_RDWR);
	g->closed++;
}

static void *reap(void *p)
{
	struct http_guard *g = p;
	unsigned int period = g->limits.deadline_ms / 4 ? g->limits.deadline_ms / 4 : 1;

	pthread_mutex_lock(&g->lock);
	while (!g->stopping) {
		struct timespec until;
		unsigned long long now = monotonic_ms();

		while (g->head && now - g->head->since_ms >= g->limits.deadline_ms)
			shut(g, g->head);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += period / 1000;
		until.tv_nsec += (long)(period % 1000) * 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&g->cond, &g->lock, &until);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

struct http_guard *http_guard_new(const struct http_guard_limits *limits)
{
	struct http_guard *g = calloc(1, sizeof(*g));
	pthread_condattr_t attr;
	int err;

	if (!g)
		return NULL;
	g->limits = *limits;
	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&g->cond, &attr);
	pthread_condattr_destroy(&attr);
	err = pthread_create(&g->reaper, NULL, reap, g);
	if (err) {
		pthread_cond_destroy(&g->cond);
		pthread_mutex_destroy(&g->lock);
		free(g);
		errno = err;
		return NULL;
	}
	return g;
}

struct http_conn *http_guard_opened(struct http_guard *g, int fd, const struct sockaddr *peer)
{
	struct http_conn *c = calloc(1, sizeof(*c)), *p, *oldest = NULL;
	unsigned int mine = 0;

	if (!c)
		return NULL; /* unguarded: libmicrohttpd's own limits still hold */
	c->fd = fd;
	if (peer)
		memcpy(&c->peer, peer,
		       peer->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						   : sizeof(struct sockaddr_in));
	pthread_mutex_lock(&g->lock);
	for (p = g->head; p; p = p->next) {
		if (same_client(&p->peer, &c->peer) && !mine++)
			oldest = p;
	}
	if (oldest && mine >= g->limits.per_client) {
		pr_debug("metrics: a client holds %u waiting connections; closing its oldest",
			 mine);
		shut(g, oldest);
	}
	if (g->head && g->n_waiting >= g->limits.waiting_max) {
		pr_debug("metrics: %u connections wait for a request; closing the oldest",
			 g->n_waiting);
		shut(g, g->head);
	}
	link_waiting(g, c);
	pthread_mutex_unlock(&g->lock);
	return c;
}

void http_guard_answering(struct http_guard *g, struct http_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->lock);
	unlink_waiting(g, c);
	pthread_mutex_unlock(&g->lock);
}

void http_guard_answered(struct http_guard *g, struct http_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->lock);
	if (!c->waiting && !c->shut)
		link_waiting(g, c);
	pthread_mutex_unlock(&g->lock);
}

void http_guard_closed(struct http_guard *g, struct http_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->lock);
	unlink_waiting(g, c);
	pthread_mutex_unlock(&g->lock);
	free(c);
}

unsigned long http_guard_closed_count(struct http_guard *g)
{
	unsigned long n;

	pthread_mutex_lock(&g->lock);
	n = g->closed;
	pthread_mutex_unlock(&g->lock);
	return n;
}

void http_guard_free(struct http_guard *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->stopping = true;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->reaper, NULL);
	pthread_cond_destroy(&g->cond);
	pthread_mutex_destroy(&g->lock);
	free(g);
}
