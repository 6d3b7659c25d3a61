// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "lib/worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct worker {
	worker_job job;
	void *arg;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool requested; /* a run is asked for, or running */
	bool finished;	/* the run is over; the caller has not collected it */
	bool stopping;
	int done_fd;   /* eventfd: the loop wakes when a run finishes */
	int cancel_fd; /* eventfd: a run in flight gives up */
};

static void *worker_main(void *p)
{
	struct worker *w = p;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->stopping && (!w->requested || w->finished))
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->stopping)
			break;
		pthread_mutex_unlock(&w->lock);
		w->job(w->arg, w->cancel_fd);
		pthread_mutex_lock(&w->lock);
		w->finished = true;
		pthread_cond_broadcast(&w->cond);
		eventfd_write(w->done_fd, 1);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct worker *worker_start(worker_job job, void *arg)
{
	struct worker *w = calloc(1, sizeof(*w));
	int err;

	if (!w)
		return NULL;
	w->job = job;
	w->arg = arg;
	w->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	w->cancel_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if (w->done_fd < 0 || w->cancel_fd < 0)
		goto fail;
	err = pthread_create(&w->thread, NULL, worker_main, w);
	if (err) {
		errno = err;
		goto fail;
	}
	return w;
fail:
	err = errno;
	if (w->done_fd >= 0)
		close(w->done_fd);
	if (w->cancel_fd >= 0)
		close(w->cancel_fd);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
	errno = err;
	return NULL;
}

bool worker_request(struct worker *w)
{
	bool started = false;

	pthread_mutex_lock(&w->lock);
	if (!w->requested) {
		w->requested = true;
		w->finished = false;
		started = true;
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return started;
}

bool worker_collect(struct worker *w)
{
	eventfd_t n;
	bool done;

	pthread_mutex_lock(&w->lock);
	done = w->requested && w->finished;
	if (done) {
		w->requested = false;
		w->finished = false;
		eventfd_read(w->done_fd, &n);
	}
	pthread_mutex_unlock(&w->lock);
	return done;
}

bool worker_busy(struct worker *w)
{
	bool busy;

	pthread_mutex_lock(&w->lock);
	busy = w->requested;
	pthread_mutex_unlock(&w->lock);
	return busy;
}

void worker_wait(struct worker *w)
{
	pthread_mutex_lock(&w->lock);
	while (w->requested && !w->finished)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

int worker_fd(const struct worker *w)
{
	return w->done_fd;
}

void worker_stop(struct worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	eventfd_write(w->cancel_fd, 1);
	pthread_join(w->thread, NULL);
	close(w->done_fd);
	close(w->cancel_fd);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
