// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The metrics server with more descriptors open than select() can take (a
 * watch over 500 Pods with TCX holds two link fds each): it still starts
 * and answers its probes; and a busy port is seen before anything starts.
 * A crowd of half-sent requests from one client does not keep the probe
 * out, and a request trickled in byte by byte is cut at its deadline.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/log.h"
#include "report/metrics.h"

#define PORT "19481"

/* A connection to 127.0.0.1:PORT that gives up reading after 5 s. */
static int dial(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(19481) };
	struct timeval bound = { .tv_sec = 5 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof(bound));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* GET @path from 127.0.0.1:PORT; the status line into @buf. */
static int get(const char *path, char *buf, size_t size)
{
	int fd = dial();
	char req[128];
	ssize_t n;

	if (fd < 0)
		return -1;
	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\n\r\n", path);
	if (write(fd, req, strlen(req)) < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static void test_serves_past_fd_setsize(void **state)
{
	struct rlimit rl = { .rlim_cur = 4 * FD_SETSIZE, .rlim_max = 4 * FD_SETSIZE };
	int fds[FD_SETSIZE + 64];
	struct sockaddr_storage addr;
	struct metrics_source src = { .drops_fd = -1 };
	struct metrics *m;
	char reply[512];
	size_t i;

	(void)state;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		fds[i] = dup(0);
	assert_true(fds[FD_SETSIZE] >= (int)FD_SETSIZE);
	assert_true(metrics_parse_addr(PORT, &addr));
	m = metrics_start(&addr, PORT, &src, &HTTP_GUARD_DEFAULTS);
	assert_non_null(m);
	assert_int_equal(get("/healthz", reply, sizeof(reply)), 0);
	assert_non_null(strstr(reply, "200"));
	/* The port is taken now: the early check says so. */
	assert_int_not_equal(metrics_check_addr(&addr, PORT), 0);
	metrics_stop(m);
	assert_int_equal(metrics_check_addr(&addr, PORT), 0);
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		close(fds[i]);
}

static void raise_fd_limit(void)
{
	struct rlimit rl = { .rlim_cur = 4 * FD_SETSIZE, .rlim_max = 4 * FD_SETSIZE };

	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
}

/* Whether the server has ended @fd's stream (0 from read, or a reset). */
static bool ended(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;

	return poll(&p, 1, 0) == 1 && read(fd, &c, 1) <= 0;
}

#define CROWD 1100 /* past libmicrohttpd's own default limit of connections */

static void test_a_crowd_of_one_client_keeps_no_probe_out(void **state)
{
	static int crowd[CROWD];
	struct metrics_source src = { .drops_fd = -1 };
	static const char partial[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n";
	struct sockaddr_storage addr;
	struct metrics *m;
	char reply[512];
	size_t i, cut = 0;
	int tries;

	(void)state;
	raise_fd_limit();
	assert_true(metrics_parse_addr(PORT, &addr));
	m = metrics_start(&addr, PORT, &src, &HTTP_GUARD_DEFAULTS);
	assert_non_null(m);
	for (i = 0; i < CROWD; i++) {
		crowd[i] = dial();
		assert_true(crowd[i] >= 0);
		assert_int_equal(write(crowd[i], partial, sizeof(partial) - 1),
				 (ssize_t)(sizeof(partial) - 1));
	}
	/* The probe comes from the same address, after all of them. */
	assert_int_equal(get("/healthz", reply, sizeof(reply)), 0);
	assert_non_null(strstr(reply, "200"));
	/* All but the newest few of the crowd were closed (bounded wait). */
	for (tries = 0; tries < 50 && cut < CROWD - HTTP_GUARD_DEFAULTS.per_client; tries++) {
		for (i = 0; i < CROWD; i++) {
			if (crowd[i] >= 0 && ended(crowd[i])) {
				close(crowd[i]);
				crowd[i] = -1;
				cut++;
			}
		}
		usleep(100 * 1000);
	}
	assert_true(cut >= CROWD - HTTP_GUARD_DEFAULTS.per_client);
	metrics_stop(m);
	for (i = 0; i < CROWD; i++)
		if (crowd[i] >= 0)
			close(crowd[i]);
}

static void test_a_trickled_request_is_cut_at_its_deadline(void **state)
{
	struct http_guard_limits limits = HTTP_GUARD_DEFAULTS;
	struct metrics_source src = { .drops_fd = -1 };
	static const char slow[] = "GET /metrics HTTP/1.1\r\nX-Slow: "
				   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	struct sockaddr_storage addr;
	struct metrics *m;
	bool cut = false;
	size_t i;
	int fd;

	(void)state;
	limits.deadline_ms = 300;
	assert_true(metrics_parse_addr(PORT, &addr));
	m = metrics_start(&addr, PORT, &src, &limits);
	assert_non_null(m);
	fd = dial();
	assert_true(fd >= 0);
	/* A byte every 50 ms: never idle for libmicrohttpd's 10 s, and never
	 * done; the guard ends it once 300 ms have gone by in all. */
	for (i = 0; i < sizeof(slow) - 1 && !cut; i++) {
		if (send(fd, &slow[i], 1, MSG_NOSIGNAL) != 1 || ended(fd))
			cut = true;
		usleep(50 * 1000);
	}
	assert_true(cut);
	close(fd);
	metrics_stop(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serves_past_fd_setsize),
		cmocka_unit_test(test_a_crowd_of_one_client_keeps_no_probe_out),
		cmocka_unit_test(test_a_trickled_request_is_cut_at_its_deadline),
	};

	log_set_level(LOG_SILENT);
	return cmocka_run_group_tests_name("metrics http", tests, NULL, NULL);
}
