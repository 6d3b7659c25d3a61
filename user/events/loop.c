// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "events/loop.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "datapath/counters.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "node/monitor.h"
#include "report/summary.h"

/* The longest wait without an event: how late --duration and the names'
 * retries can be. */
#define POLL_INTERVAL_MS 200

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

void loop_install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

enum { SRC_RING, SRC_MONITOR, SRC_NAMES };

static int epoll_add(int epfd, int fd, unsigned int src)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = src };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* How long to wait for the next event: at most the poll interval, no
 * longer than what is left of --duration, and no later than an unnamed
 * Pod's next try. */
static int wait_ms(const struct loop *l, unsigned long long start_ms)
{
	unsigned long long now = monotonic_ms(), until = now + POLL_INTERVAL_MS;
	unsigned long long names = podid_next_due_ms(l->view->ids);

	if (l->duration_ms && start_ms + l->duration_ms < until)
		until = start_ms + l->duration_ms;
	if (names < until)
		until = names;
	return until > now ? (int)(until - now) : 0;
}

/* Drains what woke us: samples become alerts, events change the view. */
static int drain(const struct loop *l, const struct epoll_event *evs, int n)
{
	int i, err;

	podid_tick(l->view->ids, &l->view->node, monotonic_ms());
	for (i = 0; i < n; i++) {
		if (evs[i].data.u32 == SRC_NAMES) {
			continue; /* the tick above took the names read */
		} else if (evs[i].data.u32 == SRC_RING) {
			err = ring_buffer__consume(l->rb);
			if (err < 0) {
				pr_err("reading the ring buffer failed: %s", strerror(-err));
				return err;
			}
		} else if (monitor_read(l->mon, follow_event, l->follower) == -ENOBUFS) {
			follow_resync(l->follower);
		}
	}
	if (l->mon)
		follow_settle(l->follower);
	drop_watch_tick(l->drops);
	return 0;
}

int loop_run(const struct loop *l)
{
	unsigned long long start = monotonic_ms();
	int epfd, err = 0;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0 || epoll_add(epfd, ring_buffer__epoll_fd(l->rb), SRC_RING) ||
	    (l->mon && epoll_add(epfd, monitor_fd(l->mon), SRC_MONITOR)) ||
	    epoll_add(epfd, podid_fd(l->view->ids), SRC_NAMES)) {
		err = -errno;
		pr_err("cannot set up the event loop: %s", strerror(-err));
		goto out;
	}
	while (!stop_requested && !l->alerts->err) {
		struct epoll_event evs[3];
		int n = epoll_wait(epfd, evs, 3, wait_ms(l, start));

		if (n < 0 && errno != EINTR) {
			err = -errno;
			pr_err("waiting for events failed: %s", strerror(-err));
			break;
		}
		metrics_lock(l->metrics);
		err = drain(l, evs, n > 0 ? n : 0);
		metrics_unlock(l->metrics);
		if (err)
			break;
		if (l->duration_ms && monotonic_ms() - start >= l->duration_ms)
			break;
	}
	if (!err && l->alerts->err)
		err = l->alerts->err;
out:
	if (epfd >= 0)
		close(epfd);
	return err;
}

int loop_finish(const struct loop *l, const struct guard *g)
{
	struct mg_counters *rows = NULL;
	struct summary_row *summary = NULL;
	__u64 stats[MG_STAT_MAX];
	size_t n = 0;
	int err;

	ring_buffer__consume(l->rb);
	err = flows_flush(guard_map_fd(g, MG_MAP_FLOWS), alerts_on_flush, l->alerts);
	if (!err)
		err = counters_read(guard_map_fd(g, MG_MAP_COUNTERS),
				    guard_map_fd(g, MG_MAP_FAST_COUNTS), guard_counter_entries(g),
				    &rows, &n);
	if (!err)
		err = stats_read(guard_map_fd(g, MG_MAP_STATS), stats);
	if (!err)
		err = summary_build(rows, n, &l->view->node, l->view->ids, NULL, &l->alerts->tally,
				    &summary);
	if (!err)
		summary_add_assist(summary, n, guard_assist_counts_fd(g),
				   guard_map_fd(g, MG_MAP_COUNTERS));
	if (err) {
		pr_err("cannot read the final counts: %s", strerror(-err));
	} else {
		summary_print(summary, n, stats, guard_drops_fd(g), "summary", l->alerts->json);
		if (stats[MG_STAT_RINGBUF_LOST])
			pr_warn("%llu samples did not fit the ring buffer; their packets are in "
				"the counts and in the alerts' count fields",
				(unsigned long long)stats[MG_STAT_RINGBUF_LOST]);
	}
	free(rows);
	free(summary);
	return err;
}
