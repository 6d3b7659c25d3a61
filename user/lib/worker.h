/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One job run on its own thread, on request, so that slow input (an OVSDB
 * that takes seconds to answer, thousands of cache files) never blocks the
 * event loop. At most one run is in flight: a request while one runs is
 * refused, and the caller asks again once it has collected the result.
 *
 * The job's output belongs to the worker from worker_request() until
 * worker_collect() returns true; the caller reads it only after that.
 * The job gets a file descriptor that becomes readable when the worker is
 * stopped: a job that waits on a socket polls it too, and gives up.
 */
#ifndef MTUGUARD_WORKER_H
#define MTUGUARD_WORKER_H

#include <stdbool.h>

struct worker;

typedef void (*worker_job)(void *arg, int cancel_fd);

/* NULL when a thread or an eventfd cannot be had (errno says why). */
struct worker *worker_start(worker_job job, void *arg);
/* Starts a run; false when one is already in flight. */
bool worker_request(struct worker *w);
/* True once, when a run has finished since the last collect. */
bool worker_collect(struct worker *w);
/* True while a run is requested and not yet collected. */
bool worker_busy(struct worker *w);
/* Blocks until the run in flight (if any) has finished. */
void worker_wait(struct worker *w);
/* Readable when a run has finished and not been collected: for epoll. */
int worker_fd(const struct worker *w);
/* Cancels the run in flight, joins the thread, frees. NULL is fine. */
void worker_stop(struct worker *w);

#endif
